//! The admin window's directory pages (M2 账户信息, M3 成员管理 / 分组管理 / 产品类型, M4):
//! what is shown and edited, and the requests each button sends. The relay checks every
//! request; the console offers only the roles the admin may give.

use porpoise_protocol::wire::{
    rpc, AccountDirectory, AccountProfile, AccountRecord, AccountStatus, AgentId, CatalogEntry,
    CustomRole, GroupId, Permission, ProductTypeId, Request, Role, RoleId,
};

use super::{intent::call, Effect, Status};

/// A page of the directory dialog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DirectoryPage {
    /// Accounts (成员管理).
    Accounts,
    /// Groups (分组管理).
    Groups,
    /// Product types (产品类型).
    ProductTypes,
    /// Custom roles (角色权限).
    Roles,
    /// Account info (账户信息): center ID, seats, expiry.
    AccountInfo,
}

/// Who looks at the directory: what the pages offer them (the relay checks again).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Viewer {
    /// The viewer's own account.
    pub agent_id: Option<AgentId>,
    /// Built-in role.
    pub role: Option<Role>,
    /// Own groups (a group leader manages these only).
    pub groups: Vec<GroupId>,
    /// Permissions.
    pub permissions: Vec<Permission>,
}

impl Viewer {
    /// True if the viewer has `p`.
    pub fn can(&self, p: Permission) -> bool {
        self.permissions.contains(&p)
    }

    /// True if the viewer manages the whole center's accounts (not one group).
    pub fn whole_center(&self) -> bool {
        self.role.is_some_and(Role::manages)
    }
}

/// A custom role being added (`new`) or edited.
#[derive(Debug, Clone, PartialEq)]
pub struct RoleEditor {
    /// The role's fields.
    pub role: CustomRole,
    /// Not saved yet.
    pub new: bool,
}

/// The directory dialog: one load ([`rpc::ListAccounts`]) feeds all four pages.
#[derive(Clone, PartialEq)]
pub struct DirectoryView {
    /// The page shown.
    pub page: DirectoryPage,
    /// The directory, once loaded.
    pub dir: Option<Box<AccountDirectory>>,
    /// The account being added or edited.
    pub account: Option<AccountEditor>,
    /// The group or product type being added or edited (of the page shown).
    pub entry: Option<EntryEditor>,
    /// The custom role being added or edited.
    pub role: Option<RoleEditor>,
    /// A disable, reactivate or delete waiting for confirmation.
    pub confirm: Option<(AgentId, AccountStatus)>,
    /// A generated initial password to show once: (username, password).
    pub created: Option<(String, String)>,
    /// Disabled and deleted accounts are listed too.
    pub show_inactive: bool,
    /// Loading or saving.
    pub status: Status,
}

impl std::fmt::Debug for DirectoryView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DirectoryView")
            .field("page", &self.page)
            .field("accounts", &self.dir.as_ref().map(|d| d.accounts.len()))
            .field("account", &self.account)
            .field("entry", &self.entry)
            .field("role", &self.role)
            .field("confirm", &self.confirm)
            .field("created", &self.created.as_ref().map(|(u, _)| u))
            .field("status", &self.status)
            .finish()
    }
}

/// An account being added (`agent_id: None`) or edited.
#[derive(Clone, PartialEq)]
pub struct AccountEditor {
    /// The account, or `None` for a new one.
    pub agent_id: Option<AgentId>,
    /// Login name (editable only for a new account).
    pub username: String,
    /// The fields.
    pub profile: AccountProfile,
    /// Initial password of a new account; empty = let the relay make one.
    pub password: String,
    /// Path of a PNG file typed to become the photo (M13).
    pub photo_path: String,
    /// Why the last photo file could not be used.
    pub photo_problem: Option<String>,
}

impl std::fmt::Debug for AccountEditor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccountEditor")
            .field("agent_id", &self.agent_id)
            .field("username", &self.username)
            .field("profile", &self.profile)
            .field(
                "password",
                &(!self.password.is_empty()).then_some("<hidden>"),
            )
            .finish()
    }
}

impl AccountEditor {
    /// A new agent in `groups` (a group leader's own groups).
    pub fn new_agent(groups: Vec<GroupId>) -> Self {
        AccountEditor {
            agent_id: None,
            username: String::new(),
            profile: AccountProfile {
                display_name: String::new(),
                role: Role::Agent,
                custom_role: None,
                title: String::new(),
                phone: String::new(),
                photo: String::new(),
                groups,
                product_types: Vec::new(),
                max_sessions: 5,
                auto_assign: true,
            },
            password: String::new(),
            photo_path: String::new(),
            photo_problem: None,
        }
    }

    /// Editing an existing account.
    pub fn edit(record: &AccountRecord) -> Self {
        AccountEditor {
            agent_id: Some(record.agent_id),
            username: record.username.clone(),
            profile: record.profile.clone(),
            password: String::new(),
            photo_path: String::new(),
            photo_problem: None,
        }
    }
}

/// A group or product type being added (`id: None`) or edited.
#[derive(Debug, Clone, PartialEq)]
pub struct EntryEditor {
    /// The group's or product type's id, or `None` for a new one.
    pub id: Option<u32>,
    /// The fields.
    pub entry: CatalogEntry,
    /// A group's regions as typed (`CN, HK`); the relay checks each code (R7).
    pub regions: String,
}

impl RoleEditor {
    /// A new role on the agent role with its default permissions.
    pub fn new_role() -> Self {
        RoleEditor {
            role: CustomRole {
                role_id: RoleId(0),
                name: String::new(),
                base: Role::Agent,
                permissions: Role::Agent.default_permissions().to_vec(),
            },
            new: true,
        }
    }
}

impl EntryEditor {
    /// A new, shown entry.
    pub fn new_entry() -> Self {
        EntryEditor {
            id: None,
            entry: CatalogEntry {
                name: String::new(),
                client_name: String::new(),
                hidden: false,
            },
            regions: String::new(),
        }
    }
}

/// The roles `own` may give (M4): up to their own; a super admin gives any.
pub fn assignable_roles(own: Role) -> Vec<Role> {
    [
        Role::Agent,
        Role::GroupLeader,
        Role::Admin,
        Role::SuperAdmin,
    ]
    .into_iter()
    .filter(|r| own == Role::SuperAdmin || r.rank() <= own.rank())
    .collect()
}

impl DirectoryView {
    /// A view of `page`, loading.
    pub fn loading(page: DirectoryPage, out: &mut Vec<Effect>) -> Self {
        call(out, Request::ListAccounts(rpc::ListAccounts));
        DirectoryView {
            page,
            dir: None,
            account: None,
            entry: None,
            role: None,
            confirm: None,
            created: None,
            show_inactive: false,
            status: Status::Busy,
        }
    }

    /// Sends the account editor's create or update.
    pub fn save_account(&mut self, out: &mut Vec<Effect>) {
        let Some(editor) = self.account.as_ref() else {
            return;
        };
        let body = match editor.agent_id {
            None => Request::CreateAccount(rpc::CreateAccount {
                username: editor.username.trim().to_owned(),
                profile: editor.profile.clone(),
                password: (!editor.password.is_empty()).then(|| editor.password.clone()),
            }),
            Some(agent_id) => Request::UpdateAccount(rpc::UpdateAccount {
                agent_id,
                profile: editor.profile.clone(),
            }),
        };
        self.status = Status::Busy;
        call(out, body);
    }

    /// Sends the group or product-type editor's save, by the page shown.
    pub fn save_entry(&mut self, out: &mut Vec<Effect>) {
        let Some(editor) = self.entry.as_ref() else {
            return;
        };
        let body = match self.page {
            DirectoryPage::Groups => Request::SaveGroup(rpc::SaveGroup {
                group_id: editor.id.map(GroupId),
                entry: editor.entry.clone(),
                regions: editor
                    .regions
                    .split([',', '，', ' ', ';'])
                    .filter(|r| !r.trim().is_empty())
                    .map(|r| r.trim().to_owned())
                    .collect(),
            }),
            DirectoryPage::ProductTypes => Request::SaveProductType(rpc::SaveProductType {
                product_type_id: editor.id.map(ProductTypeId),
                entry: editor.entry.clone(),
            }),
            DirectoryPage::Accounts | DirectoryPage::Roles | DirectoryPage::AccountInfo => return,
        };
        self.status = Status::Busy;
        call(out, body);
    }

    /// Sends the role editor's save.
    pub fn save_role(&mut self, out: &mut Vec<Effect>) {
        let Some(editor) = self.role.as_ref() else {
            return;
        };
        self.status = Status::Busy;
        call(
            out,
            Request::SaveRole(rpc::SaveRole {
                role: editor.role.clone(),
                new: editor.new,
            }),
        );
    }

    /// Moves the entry at `index` of the page's list one place up or down and sends the order.
    pub fn move_entry(&mut self, index: usize, up: bool, out: &mut Vec<Effect>) {
        let Some(dir) = self.dir.as_mut() else { return };
        let len = match self.page {
            DirectoryPage::Groups => dir.groups.len(),
            DirectoryPage::ProductTypes => dir.product_types.len(),
            _ => return,
        };
        let other = if up {
            index.checked_sub(1)
        } else {
            Some(index + 1).filter(|i| *i < len)
        };
        let Some(other) = other.filter(|_| index < len) else {
            return;
        };
        let body = if self.page == DirectoryPage::Groups {
            dir.groups.swap(index, other);
            Request::ReorderGroups(rpc::ReorderGroups {
                order: dir.groups.iter().map(|g| g.group_id).collect(),
            })
        } else {
            dir.product_types.swap(index, other);
            Request::ReorderProductTypes(rpc::ReorderProductTypes {
                order: dir
                    .product_types
                    .iter()
                    .map(|p| p.product_type_id)
                    .collect(),
            })
        };
        self.status = Status::Busy;
        call(out, body);
    }

    /// Sends a confirmed status change.
    pub fn set_status(&mut self, agent_id: AgentId, status: AccountStatus, out: &mut Vec<Effect>) {
        self.confirm = None;
        self.status = Status::Busy;
        call(
            out,
            Request::SetAccountStatus(rpc::SetAccountStatus { agent_id, status }),
        );
    }

    /// A write succeeded: close the editors, say so and load the directory again.
    pub fn saved(&mut self, done: String, out: &mut Vec<Effect>) {
        self.account = None;
        self.entry = None;
        self.role = None;
        self.status = Status::Done(done);
        call(out, Request::ListAccounts(rpc::ListAccounts));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nobody_is_offered_a_role_above_their_own() {
        assert_eq!(
            assignable_roles(Role::GroupLeader),
            [Role::Agent, Role::GroupLeader]
        );
        assert_eq!(assignable_roles(Role::Admin).len(), 3);
        assert_eq!(assignable_roles(Role::SuperAdmin).len(), 4);
    }
}

/// What an admin typed to block: 32 hex digits (a helper install ID, as the visitor card
/// shows it) or an IPv4/IPv6 address. `None` if it is neither.
pub fn parse_block_target(text: &str) -> Option<porpoise_protocol::wire::BlockTarget> {
    use porpoise_protocol::wire::{BlockTarget, InstallId};
    let text = text.trim();
    if let Ok(ip) = text.parse::<std::net::IpAddr>() {
        return Some(BlockTarget::address(ip));
    }
    let hex = text.strip_prefix("install ").unwrap_or(text);
    (hex.len() == 32)
        .then(|| u128::from_str_radix(hex, 16).ok())
        .flatten()
        .map(|id| BlockTarget::Install(InstallId(id)))
}

#[cfg(test)]
mod block_tests {
    #[test]
    fn block_targets_are_install_ids_or_addresses() {
        use porpoise_protocol::wire::{BlockTarget, InstallId};
        assert_eq!(
            super::parse_block_target("0000000000000000000000000000002a"),
            Some(BlockTarget::Install(InstallId(42)))
        );
        assert_eq!(
            super::parse_block_target(" 2001:db8::7 ").map(|t| t.to_string()),
            Some("2001:db8::/64".to_string())
        );
        assert_eq!(super::parse_block_target("12345"), None);
    }
}
