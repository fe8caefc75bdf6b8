-- Chat pictures (A7, C4): the encoded bytes of a picture message, stored in the same transaction
-- as its chat_messages row (whose text is empty). Checked by the relay before storing: PNG or
-- JPEG, at most MAX_CHAT_IMAGE_BYTES and MAX_CHAT_IMAGE_SIDE px a side.

CREATE TABLE chat_images (
    session_id INTEGER NOT NULL REFERENCES sessions (id),
    message_id TEXT    NOT NULL,
    format     TEXT    NOT NULL CHECK (format IN ('png', 'jpeg')),
    width      INTEGER NOT NULL,
    height     INTEGER NOT NULL,
    data       BLOB    NOT NULL,
    PRIMARY KEY (session_id, message_id),
    FOREIGN KEY (session_id, message_id) REFERENCES chat_messages (session_id, message_id)
);
