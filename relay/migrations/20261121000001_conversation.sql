-- Conversation features (issue 3, R8/R9): agent-to-agent chat and session transfers.
-- Times are unix milliseconds; 128-bit ids are 32 lowercase hex digits.

CREATE TABLE agent_chat (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    center_id  INTEGER NOT NULL REFERENCES centers (center_id),
    message_id TEXT    NOT NULL,
    from_agent INTEGER NOT NULL REFERENCES agents (id),
    to_agent   INTEGER NOT NULL REFERENCES agents (id),
    text       TEXT    NOT NULL,
    sent_at    INTEGER NOT NULL,
    UNIQUE (from_agent, message_id)
);
CREATE INDEX agent_chat_by_pair ON agent_chat (center_id, from_agent, to_agent, sent_at);

CREATE TABLE transfers (
    id          INTEGER PRIMARY KEY,
    center_id   INTEGER NOT NULL REFERENCES centers (center_id),
    session_id  INTEGER NOT NULL REFERENCES sessions (id),
    from_agent  INTEGER NOT NULL REFERENCES agents (id),
    target_kind TEXT    NOT NULL CHECK (target_kind IN ('agent', 'group')),
    target_id   INTEGER NOT NULL,
    note        TEXT    NOT NULL,
    offered_at  INTEGER NOT NULL,
    to_agent    INTEGER REFERENCES agents (id),   -- last agent offered, then the receiver
    outcome     TEXT CHECK (outcome IN ('accepted', 'rejected', 'timed_out', 'unavailable')),
    resolved_at INTEGER
);
CREATE INDEX transfers_by_session ON transfers (session_id);
