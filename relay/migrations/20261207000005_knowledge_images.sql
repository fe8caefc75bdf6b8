-- Knowledge-base pictures (M7 类型 图片): at most one per node, a PNG or JPEG within the chat
-- picture limits, sent into chats as it is. Kept apart from knowledge_nodes so that listing the
-- tree never reads the bytes; removed with its node.
CREATE TABLE knowledge_images (
    node_id INTEGER PRIMARY KEY REFERENCES knowledge_nodes (id) ON DELETE CASCADE,
    format  TEXT NOT NULL CHECK (format IN ('png', 'jpeg')),
    width   INTEGER NOT NULL,
    height  INTEGER NOT NULL,
    data    BLOB NOT NULL
);
