-- Canned responses and knowledge-base quick replies (A8, M7), service history lookups (A11).

-- A center-wide canned response has agent_id NULL; a personal one names its owner.
CREATE TABLE canned_responses (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    center_id INTEGER NOT NULL REFERENCES centers (center_id),
    agent_id  INTEGER REFERENCES agents (id),
    category  TEXT    NOT NULL DEFAULT '',
    title     TEXT    NOT NULL,
    text      TEXT    NOT NULL,
    position  INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX canned_by_owner ON canned_responses (center_id, agent_id);

-- Knowledge-base tree; a node with empty text is a folder. keywords: one per line.
CREATE TABLE knowledge_nodes (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    center_id INTEGER NOT NULL REFERENCES centers (center_id),
    parent    INTEGER REFERENCES knowledge_nodes (id) ON DELETE CASCADE,
    title     TEXT    NOT NULL,
    keywords  TEXT    NOT NULL DEFAULT '',
    text      TEXT    NOT NULL DEFAULT '',
    position  INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX knowledge_by_center ON knowledge_nodes (center_id, parent, position);

-- Service history looks customers up by phone too.
CREATE INDEX tickets_by_phone ON tickets (center_id, phone);
CREATE INDEX chat_messages_by_session ON chat_messages (session_id, id);
