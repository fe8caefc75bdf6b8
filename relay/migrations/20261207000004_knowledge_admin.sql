-- Knowledge-base editing in the admin window (M7): a node can be switched off and given a
-- validity (first and last day, yyyymmdd in the center's time zone).
ALTER TABLE knowledge_nodes ADD COLUMN enabled INTEGER NOT NULL DEFAULT 1;
ALTER TABLE knowledge_nodes ADD COLUMN valid_from INTEGER;
ALTER TABLE knowledge_nodes ADD COLUMN valid_until INTEGER;
