-- Center directory edited from the admin window (issue 13, M2, M3, M4, M13, R7):
-- account status and auto-assign, product types an agent handles, customer-facing names and
-- visibility of groups and product types, the center's licence expiry. Times are unix ms.

ALTER TABLE agents ADD COLUMN status TEXT NOT NULL DEFAULT 'active'
    CHECK (status IN ('active', 'disabled', 'deleted'));
ALTER TABLE agents ADD COLUMN auto_assign INTEGER NOT NULL DEFAULT 1 CHECK (auto_assign IN (0, 1));

CREATE TABLE product_type_members (
    product_type_id INTEGER NOT NULL REFERENCES product_types (id),
    agent_id        INTEGER NOT NULL REFERENCES agents (id),
    PRIMARY KEY (product_type_id, agent_id)
);

ALTER TABLE groups ADD COLUMN client_name TEXT NOT NULL DEFAULT '';
ALTER TABLE groups ADD COLUMN hidden INTEGER NOT NULL DEFAULT 0 CHECK (hidden IN (0, 1));
ALTER TABLE product_types ADD COLUMN client_name TEXT NOT NULL DEFAULT '';
ALTER TABLE product_types ADD COLUMN hidden INTEGER NOT NULL DEFAULT 0 CHECK (hidden IN (0, 1));

ALTER TABLE centers ADD COLUMN expires_at INTEGER;

-- Custom roles (M4 角色权限): a named permission set on a built-in base role.
CREATE TABLE custom_roles (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    center_id   INTEGER NOT NULL REFERENCES centers (center_id),
    name        TEXT    NOT NULL,
    base_role   TEXT    NOT NULL CHECK (base_role IN ('agent', 'group_leader', 'admin', 'super_admin')),
    permissions TEXT    NOT NULL, -- JSON array of permission names
    UNIQUE (center_id, name)
);
ALTER TABLE agents ADD COLUMN custom_role INTEGER REFERENCES custom_roles (id);

-- Blocklist (R16, 黑名单): by helper install ID or address (IPv6 stored as its /64 network).
CREATE TABLE blocks (
    id         INTEGER PRIMARY KEY,
    center_id  INTEGER NOT NULL REFERENCES centers (center_id),
    kind       TEXT    NOT NULL CHECK (kind IN ('install', 'address')),
    value      TEXT    NOT NULL, -- 32 hex digits, or the address
    reason     TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER,
    created_by TEXT    NOT NULL,
    removed_at INTEGER
);
CREATE INDEX blocks_by_center ON blocks (center_id, removed_at);
