-- Satisfaction surveys (C7): one answer per session, kept for reports (M9). Every row names its
-- center; reports read a center's answers by time.
CREATE TABLE surveys (
    session_id   INTEGER PRIMARY KEY REFERENCES sessions (id),
    center_id    INTEGER NOT NULL REFERENCES centers (center_id),
    agent_id     INTEGER NOT NULL REFERENCES agents (id),
    stars        INTEGER NOT NULL CHECK (stars BETWEEN 1 AND 5),
    comment      TEXT    NOT NULL DEFAULT '',
    submitted_at INTEGER NOT NULL
);
CREATE INDEX surveys_by_center ON surveys (center_id, submitted_at);
