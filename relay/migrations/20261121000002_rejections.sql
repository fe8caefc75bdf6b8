-- Agents who rejected an offer of a queued ticket are never offered it again (R5), also after a
-- relay restart.
CREATE TABLE ticket_rejections (
    ticket_id INTEGER NOT NULL REFERENCES tickets (id),
    agent_id INTEGER NOT NULL REFERENCES agents (id),
    PRIMARY KEY (ticket_id, agent_id)
);
