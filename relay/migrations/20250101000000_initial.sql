-- Porpoise relay: initial schema. Times are unix milliseconds; 128-bit ids are 32 lowercase hex digits.

CREATE TABLE centers (
    center_id  INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE agents (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    center_id     INTEGER NOT NULL REFERENCES centers (center_id),
    username      TEXT    NOT NULL,
    display_name  TEXT    NOT NULL,
    password_hash TEXT    NOT NULL, -- argon2id PHC string
    role          TEXT    NOT NULL CHECK (role IN ('agent', 'group_leader', 'admin', 'super_admin')),
    created_at    INTEGER NOT NULL,
    UNIQUE (center_id, username)
);

CREATE TABLE customers (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    center_id  INTEGER NOT NULL REFERENCES centers (center_id),
    install_id TEXT    NOT NULL,
    name       TEXT    NOT NULL,
    phone      TEXT    NOT NULL,
    UNIQUE (center_id, install_id)
);

CREATE TABLE tickets (
    id        INTEGER PRIMARY KEY,
    center_id INTEGER NOT NULL REFERENCES centers (center_id),
    customer  INTEGER NOT NULL REFERENCES customers (id),
    name      TEXT    NOT NULL,
    phone     TEXT    NOT NULL,
    queued_at INTEGER NOT NULL,
    state     TEXT    NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'served', 'left'))
);
CREATE INDEX tickets_by_state ON tickets (state, center_id);

CREATE TABLE sessions (
    id         INTEGER PRIMARY KEY,
    center_id  INTEGER NOT NULL REFERENCES centers (center_id),
    ticket     INTEGER NOT NULL REFERENCES tickets (id),
    customer   INTEGER NOT NULL REFERENCES customers (id),
    agent_id   INTEGER NOT NULL REFERENCES agents (id),
    started_at INTEGER NOT NULL,
    ended_at   INTEGER,
    ended_by   TEXT CHECK (ended_by IN ('customer', 'agent', 'relay'))
);
CREATE INDEX sessions_by_end ON sessions (ended_at);
CREATE INDEX sessions_by_customer ON sessions (customer);

CREATE TABLE chat_messages (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id INTEGER NOT NULL REFERENCES sessions (id),
    message_id TEXT    NOT NULL,
    from_party TEXT    NOT NULL CHECK (from_party IN ('customer', 'agent', 'relay')),
    text       TEXT    NOT NULL,
    sent_at    INTEGER NOT NULL,
    UNIQUE (session_id, message_id)
);
