-- Region routing (R7): the regions a group serves first (comma-separated ISO 3166-1 alpha-2
-- codes) and the region a queued customer's address is in (NULL: unknown).
ALTER TABLE groups ADD COLUMN regions TEXT NOT NULL DEFAULT '';
ALTER TABLE tickets ADD COLUMN region TEXT;
