-- Support records with disposition (A13), message and customer tags (A13), visitor cards (A15).
-- Lists (service modes, tags) are JSON arrays of strings. Every row names its center.

-- One record per session; the disposition is a column of its own for reports (M9) and service
-- history (A11).
CREATE TABLE support_records (
    session_id     INTEGER PRIMARY KEY REFERENCES sessions (id),
    center_id      INTEGER NOT NULL REFERENCES centers (center_id),
    agent_id       INTEGER NOT NULL REFERENCES agents (id),
    customer_name  TEXT    NOT NULL,
    customer_phone TEXT    NOT NULL,
    service_modes  TEXT    NOT NULL DEFAULT '[]',
    product        TEXT    NOT NULL DEFAULT '',
    problem_type   TEXT    NOT NULL DEFAULT '',
    subject        TEXT    NOT NULL,
    content        TEXT    NOT NULL,
    disposition    TEXT,
    saved_at       INTEGER NOT NULL
);
CREATE INDEX support_records_by_center ON support_records (center_id, saved_at);

CREATE TABLE message_tags (
    session_id INTEGER NOT NULL REFERENCES sessions (id),
    message_id TEXT    NOT NULL,
    tags       TEXT    NOT NULL,
    PRIMARY KEY (session_id, message_id)
);

-- Keyed like `customers` (center, install id): a customer is one helper installation.
CREATE TABLE customer_profiles (
    center_id  INTEGER NOT NULL REFERENCES centers (center_id),
    install_id TEXT    NOT NULL,
    tags       TEXT    NOT NULL DEFAULT '[]',
    card       TEXT,   -- VisitorCard as JSON; NULL until saved
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (center_id, install_id)
);
