//! The center's directory as the admin window edits it (M2, M3, M4, M13): accounts with their
//! status, groups and product types with their customer-facing names and visibility, and the
//! account info page (center ID, seats, expiry).

use serde::{Deserialize, Serialize};

use super::{AgentId, CenterId, GroupId, Permission, ProductTypeId, Role, UnixMs};

super::id_type! {
    /// Id of a custom role (自定义角色) within a center (M4).
    RoleId(u32);
}

/// Most custom roles in one center.
pub const MAX_ROLES_PER_CENTER: usize = 50;

/// A custom role (M4 角色权限): a named set of permissions on top of a built-in role, which
/// gives its rank (who may act on whom) and, for a group leader, the group scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomRole {
    /// Id.
    pub role_id: RoleId,
    /// Name (unique in the center), e.g. 质检员.
    pub name: String,
    /// The built-in role it stands on.
    pub base: Role,
    /// What it may do (each of [`super::GRANTABLE_PERMISSIONS`] at most once).
    pub permissions: Vec<Permission>,
}

/// Longest username, in bytes.
pub const MAX_USERNAME_BYTES: usize = 64;
/// Longest display name, title, phone or group/product-type name, in bytes.
pub const MAX_DIRECTORY_TEXT_BYTES: usize = 128;
/// Longest photo reference (URL or data URL), in bytes.
pub const MAX_PHOTO_BYTES: usize = 16 * 1024;
/// Most accounts in one center (including disabled and deleted ones).
pub const MAX_ACCOUNTS_PER_CENTER: usize = 2_000;
/// Most groups, and separately most product types, in one center.
pub const MAX_GROUPS_PER_CENTER: usize = 200;
/// Largest per-agent concurrent-session limit an admin may set (R7 capacity).
pub const MAX_SESSIONS_PER_AGENT: u32 = 50;

/// Whether an account may log in (M3 成员管理: 停用, 启用, 删除).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AccountStatus {
    /// Logs in and serves.
    Active,
    /// Cannot log in; keeps its name, groups and history; can be reactivated.
    Disabled,
    /// Gone for good: cannot log in, left its groups, its username is free again; its history
    /// stays, attributed to a deleted agent.
    Deleted,
}

/// The editable part of an account (M3, M4, M13, R7).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountProfile {
    /// Name shown to customers and colleagues (昵称).
    pub display_name: String,
    /// Role (M4); nobody may give a role above their own.
    pub role: Role,
    /// A custom role of the center replacing the role's permissions (its base must be `role`).
    pub custom_role: Option<RoleId>,
    /// Job title (e.g. 技术支持工程师).
    pub title: String,
    /// Work phone shown on the showcase card.
    pub phone: String,
    /// Photo URL or data URL (at most [`MAX_PHOTO_BYTES`]).
    pub photo: String,
    /// Groups the account serves (分组), in any order.
    pub groups: Vec<GroupId>,
    /// Product types the account handles (R7 second key); empty = every product type.
    pub product_types: Vec<ProductTypeId>,
    /// Most concurrent sessions (1..=[`MAX_SESSIONS_PER_AGENT`]).
    pub max_sessions: u32,
    /// Gets customers by auto-assign (自动分配); off = only picks from the queue, showcase
    /// choices and session codes.
    pub auto_assign: bool,
}

/// One account as the admin window lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountRecord {
    /// Id.
    pub agent_id: AgentId,
    /// Login name (unique in the center among accounts not deleted).
    pub username: String,
    /// Editable fields.
    pub profile: AccountProfile,
    /// Active, disabled or deleted.
    pub status: AccountStatus,
    /// When the account was made, unix ms.
    pub created_at: UnixMs,
}

/// A group's or product type's admin fields (M3 分组管理).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogEntry {
    /// Name agents see (unique in the center's list).
    pub name: String,
    /// Name the customer's helper shows; empty = `name` (M3 客户端显示名称).
    pub client_name: String,
    /// Hidden from customers (agents still see it, transfers still reach it).
    pub hidden: bool,
}

impl CatalogEntry {
    /// The name a customer sees.
    pub fn customer_name(&self) -> &str {
        if self.client_name.trim().is_empty() {
            &self.name
        } else {
            &self.client_name
        }
    }
}

/// A group as the admin window lists it; `position` order is the list's order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupRecord {
    /// Id.
    pub group_id: GroupId,
    /// Names and visibility.
    pub entry: CatalogEntry,
    /// Regions served first (R7 region routing): ISO 3166-1 alpha-2 country codes, upper case
    /// (`CN`, `HK`…), at most [`MAX_REGIONS_PER_GROUP`]; empty = no region preference.
    pub regions: Vec<String>,
}

/// Most regions one group lists (R7).
pub const MAX_REGIONS_PER_GROUP: usize = 50;

/// A region code as groups list it: two ASCII letters, upper-cased (`cn` → `CN`); `None` for
/// anything else.
pub fn region_code(text: &str) -> Option<String> {
    let t = text.trim();
    (t.len() == 2 && t.bytes().all(|b| b.is_ascii_alphabetic())).then(|| t.to_ascii_uppercase())
}

/// A product type as the admin window lists it, in list order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductTypeRecord {
    /// Id.
    pub product_type_id: ProductTypeId,
    /// Names and visibility.
    pub entry: CatalogEntry,
}

/// The account info page (M2 账户信息).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CenterAccount {
    /// Center ID.
    pub center_id: CenterId,
    /// Center name.
    pub name: String,
    /// Registration date, unix ms.
    pub created_at: UnixMs,
    /// Seats bought (set by the operator: `porpoise-relay center seats`).
    pub seats: u32,
    /// Seats in use now (serving accounts online, busy or away).
    pub seats_used: u32,
    /// Accounts logged in now (any role, any presence).
    pub online: u32,
    /// Accounts that may log in (active).
    pub active_accounts: u32,
    /// When the licence ends, unix ms; `None` = no end (set by the operator).
    pub expires_at: Option<UnixMs>,
    /// Bytes of transcripts, pictures and offline messages stored now (issue 14).
    pub storage_used_bytes: u64,
    /// The storage quota, bytes (set by the operator: `porpoise-relay center storage-quota`).
    pub storage_quota_bytes: u64,
}

/// Everything the admin window's account, group and product-type pages show. A group leader
/// gets only the accounts of their own groups.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountDirectory {
    /// Accounts (deleted ones included, last), by id.
    pub accounts: Vec<AccountRecord>,
    /// Groups in list order.
    pub groups: Vec<GroupRecord>,
    /// Product types in list order.
    pub product_types: Vec<ProductTypeRecord>,
    /// Custom roles.
    pub roles: Vec<CustomRole>,
    /// The account info page.
    pub center: CenterAccount,
}

/// Answer to `CreateAccount`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewAccount {
    /// The new account's id.
    pub agent_id: AgentId,
    /// The generated initial password when none was given: shown once, never stored in clear.
    pub password: Option<String>,
}

impl std::fmt::Debug for NewAccount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewAccount")
            .field("agent_id", &self.agent_id)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}
