-- Audit log (R18): an append-only record of who did what at a center. Rows of one center form
-- a hash chain: `seq` counts 1, 2, … per center, `prev_hash` is the previous row's `hash`
-- (32 zero bytes for the first) and `hash` is SHA-256 over prev_hash and the row's content
-- (store/audit.rs). `porpoise-relay audit verify` walks the chain and names the first broken row.
CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY,
    center_id INTEGER NOT NULL,
    seq       INTEGER NOT NULL,
    at_ms     INTEGER NOT NULL,
    actor     TEXT    NOT NULL,
    action    TEXT    NOT NULL,
    target    TEXT    NOT NULL,
    detail    TEXT    NOT NULL,
    prev_hash BLOB    NOT NULL,
    hash      BLOB    NOT NULL,
    UNIQUE (center_id, seq)
);
CREATE INDEX audit_log_by_time ON audit_log (center_id, at_ms);
-- Append-only for the relay: a change needs someone who drops these triggers, and the chain
-- then shows it.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
