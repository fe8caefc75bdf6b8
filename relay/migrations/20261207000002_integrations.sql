-- Integrations (R17): each center's app ID, signing key and webhook, and the durable outbox of
-- webhook deliveries (one row per event; the delivery log of the admin window).

CREATE TABLE integrations (
    center_id       INTEGER PRIMARY KEY REFERENCES centers(center_id),
    -- NULL until the first signing key is made.
    app_id          TEXT UNIQUE,
    -- The HMAC-SHA256 key (needed to sign, so kept as is; the database file is the secret).
    signing_key     TEXT,
    key_created_at  INTEGER,
    webhook_url     TEXT    NOT NULL DEFAULT '',
    -- Comma-separated event names (session.started,…).
    webhook_events  TEXT    NOT NULL DEFAULT '',
    webhook_enabled INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE webhook_outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    center_id       INTEGER NOT NULL REFERENCES centers(center_id),
    event           TEXT    NOT NULL,
    -- The event's `data` object (JSON); the envelope is added when sending.
    data            TEXT    NOT NULL,
    created_at      INTEGER NOT NULL,
    -- pending | delivered | failed
    status          TEXT    NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER,
    last_attempt_at INTEGER,
    last_status     INTEGER,
    last_error      TEXT    NOT NULL DEFAULT ''
);

CREATE INDEX webhook_outbox_by_center ON webhook_outbox (center_id, status, id);
