-- Support-center core (issue 3, R1-R7, R13): account profiles, groups, product types, center
-- settings, ticket routing keys, offline messages, session codes.
-- Times are unix milliseconds.

ALTER TABLE agents ADD COLUMN title TEXT NOT NULL DEFAULT '';
ALTER TABLE agents ADD COLUMN phone TEXT NOT NULL DEFAULT '';
ALTER TABLE agents ADD COLUMN photo TEXT NOT NULL DEFAULT '';
ALTER TABLE agents ADD COLUMN max_sessions INTEGER NOT NULL DEFAULT 5 CHECK (max_sessions >= 0);
ALTER TABLE agents ADD COLUMN auto_away_min INTEGER CHECK (auto_away_min > 0);

-- CenterSettings as JSON (serde_json of the wire type); a missing row means the default.
CREATE TABLE center_settings (
    center_id INTEGER PRIMARY KEY REFERENCES centers (center_id),
    json      TEXT    NOT NULL
);

CREATE TABLE groups (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    center_id INTEGER NOT NULL REFERENCES centers (center_id),
    name      TEXT    NOT NULL,
    position  INTEGER NOT NULL DEFAULT 0,
    UNIQUE (center_id, name)
);

CREATE TABLE group_members (
    group_id INTEGER NOT NULL REFERENCES groups (id),
    agent_id INTEGER NOT NULL REFERENCES agents (id),
    PRIMARY KEY (group_id, agent_id)
);

CREATE TABLE product_types (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    center_id INTEGER NOT NULL REFERENCES centers (center_id),
    name      TEXT    NOT NULL,
    position  INTEGER NOT NULL DEFAULT 0,
    UNIQUE (center_id, name)
);

ALTER TABLE tickets ADD COLUMN group_id INTEGER;
ALTER TABLE tickets ADD COLUMN product_type_id INTEGER;
ALTER TABLE tickets ADD COLUMN preferred_agent INTEGER;

CREATE TABLE offline_messages (
    id         INTEGER PRIMARY KEY,
    center_id  INTEGER NOT NULL REFERENCES centers (center_id),
    name       TEXT    NOT NULL,
    contact    TEXT    NOT NULL,
    text       TEXT    NOT NULL,
    left_at    INTEGER NOT NULL,
    handled_by INTEGER REFERENCES agents (id),
    note       TEXT,
    handled_at INTEGER
);
CREATE INDEX offline_messages_by_center ON offline_messages (center_id, handled_at);

CREATE TABLE session_codes (
    center_id  INTEGER NOT NULL REFERENCES centers (center_id),
    code       TEXT    NOT NULL,
    agent_id   INTEGER NOT NULL REFERENCES agents (id),
    expires_at INTEGER NOT NULL,
    used       INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (center_id, code)
);
