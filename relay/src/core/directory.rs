//! The center directory (M2, M3, M4, M13): accounts, groups and product types edited from the
//! admin window and the CLI.
//!
//! **Who may do what.** Admins and super admins manage the whole center; a group leader
//! manages the accounts of their own groups only (creating agents there, editing, disabling)
//! and edits no groups. Nobody gives a role above their own ([`Permission::RoleWithinOwn`]),
//! and an existing account is changed only by someone who outranks it (a super admin acts on
//! anyone else; [`Permission::OutrankTarget`]). The relay checks every request here; the
//! console only hides what would be refused.
//!
//! **Order of effects.** The core checks a request, then the store writes it
//! ([`StoreOp::Directory`]) and reports what the database now holds; only then does the core
//! update its memory, audit the change, answer, and tell agents and customers (a change
//! acknowledged to the admin is durable). Disabling or deleting an account ends its login and
//! its sessions (by the relay) at once.

use porpoise_protocol::wire::{
    rpc, AccountDirectory, AccountProfile, AccountRecord, AccountStatus, ApiError, CatalogEntry,
    CenterAccount, CenterId, CustomRole, Event, Field, Group, GroupId, GroupRecord, NewAccount,
    Permission, ProductType, ProductTypeId, ProductTypeRecord, Request, RequestId, Response, Role,
    ServerMessage, Thing, GRANTABLE_PERMISSIONS, MAX_ACCOUNTS_PER_CENTER, MAX_DIRECTORY_TEXT_BYTES,
    MAX_GROUPS_PER_CENTER, MAX_PHOTO_BYTES, MAX_ROLES_PER_CENTER, MAX_SESSIONS_PER_AGENT,
    MAX_USERNAME_BYTES,
};
use std::collections::HashMap;

use rand::distr::{Alphanumeric, SampleString};
use tracing::info;

use super::{
    audit::value_diff, Account, AgentId, AuditAction, CloseReason, ConnId, ConnKind, Connection,
    Core, Now, PersistToken, Secret, StoreOp,
};

/// Characters of a generated initial password.
pub const GENERATED_PASSWORD_CHARS: usize = 12;

/// A directory write the store makes, already checked by the core (or the CLI).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DirectoryOp {
    /// Insert an account (argon2id hash of `password`); `Duplicate { Username }` if taken.
    CreateAccount {
        /// Center.
        center_id: CenterId,
        /// Checked login name.
        username: String,
        /// Checked profile.
        profile: AccountProfile,
        /// Initial password.
        password: Secret,
    },
    /// Replace an account's profile, groups and product types.
    UpdateAccount {
        /// Center.
        center_id: CenterId,
        /// Account.
        agent_id: AgentId,
        /// Checked profile.
        profile: AccountProfile,
    },
    /// Set an account's status; `Deleted` also frees the username and leaves every group.
    SetAccountStatus {
        /// Center.
        center_id: CenterId,
        /// Account.
        agent_id: AgentId,
        /// New status.
        status: AccountStatus,
    },
    /// Insert (`None`, at the end) or update a group; `Duplicate { GroupName }` if taken.
    SaveGroup {
        /// Center.
        center_id: CenterId,
        /// Group, or `None` to add.
        group_id: Option<GroupId>,
        /// Checked fields.
        entry: CatalogEntry,
        /// Checked region codes (R7).
        regions: Vec<String>,
    },
    /// Insert or update a product type.
    SaveProductType {
        /// Center.
        center_id: CenterId,
        /// Product type, or `None` to add.
        product_type_id: Option<ProductTypeId>,
        /// Checked fields.
        entry: CatalogEntry,
    },
    /// Set the groups' positions to this order (a permutation of the center's groups).
    ReorderGroups {
        /// Center.
        center_id: CenterId,
        /// New order.
        order: Vec<GroupId>,
    },
    /// Set the product types' positions to this order.
    ReorderProductTypes {
        /// Center.
        center_id: CenterId,
        /// New order.
        order: Vec<ProductTypeId>,
    },
    /// Insert (`new`, the id is the database's) or update a custom role.
    SaveRole {
        /// Center.
        center_id: CenterId,
        /// Checked role.
        role: CustomRole,
        /// Insert rather than update.
        new: bool,
    },
}

/// What the database holds after a [`DirectoryOp`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DirectoryChange {
    /// The account as stored now.
    Account(Box<Account>),
    /// The group as stored now.
    Group(GroupRecord),
    /// The product type as stored now.
    ProductType(ProductTypeRecord),
    /// The groups' new order.
    GroupOrder(Vec<GroupId>),
    /// The product types' new order.
    ProductTypeOrder(Vec<ProductTypeId>),
    /// The custom role as stored now.
    Role(CustomRole),
}

/// A directory request waiting for the store.
#[derive(Debug)]
pub(super) struct PendingDirectory {
    conn: ConnId,
    id: RequestId,
    actor: AgentId,
    /// The generated initial password, answered once with `NewAccount`.
    generated: Option<String>,
}

/// What an actor may manage.
enum Scope {
    /// The whole center (admin, super admin).
    Center,
    /// Accounts of these groups only (group leader).
    Groups(Vec<GroupId>),
}

fn text(value: &str, field: Field, max: usize, required: bool) -> Result<String, ApiError> {
    let value = value.trim();
    if required && value.is_empty() {
        return Err(ApiError::Empty { field });
    }
    if value.len() > max {
        return Err(ApiError::too_long(field, max));
    }
    if value.chars().any(char::is_control) {
        return Err(ApiError::Malformed { field });
    }
    Ok(value.to_owned())
}

/// Checks a login name: trimmed, 1..=[`MAX_USERNAME_BYTES`] bytes of letters, digits, `.`,
/// `_`, `-`, `@`. Errors: `Empty`, `TooLong`, `Malformed { Username }`.
pub fn check_username(username: &str) -> Result<String, ApiError> {
    let name = text(username, Field::Username, MAX_USERNAME_BYTES, true)?;
    let ok = |c: char| c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '@');
    if !name.chars().all(ok) {
        return Err(ApiError::Malformed {
            field: Field::Username,
        });
    }
    Ok(name)
}

/// Checks and normalises a profile's fields against the center's `groups` and
/// `product_types`: texts trimmed and within [`MAX_DIRECTORY_TEXT_BYTES`] (photo
/// [`MAX_PHOTO_BYTES`]), a display name given, groups and product types known and listed once
/// (sorted), `max_sessions` in 1..=[`MAX_SESSIONS_PER_AGENT`].
///
/// Errors: `Empty`, `TooLong`, `Malformed`, `OutOfRange { MaxSessions }`,
/// `NotFound { Group | ProductType }`.
pub fn check_profile(
    mut profile: AccountProfile,
    groups: &[GroupId],
    product_types: &[ProductTypeId],
) -> Result<AccountProfile, ApiError> {
    profile.display_name = text(
        &profile.display_name,
        Field::DisplayName,
        MAX_DIRECTORY_TEXT_BYTES,
        true,
    )?;
    profile.title = text(
        &profile.title,
        Field::AgentTitle,
        MAX_DIRECTORY_TEXT_BYTES,
        false,
    )?;
    profile.phone = text(
        &profile.phone,
        Field::AgentPhone,
        MAX_DIRECTORY_TEXT_BYTES,
        false,
    )?;
    profile.photo = text(&profile.photo, Field::Photo, MAX_PHOTO_BYTES, false)?;
    if !(1..=MAX_SESSIONS_PER_AGENT).contains(&profile.max_sessions) {
        return Err(ApiError::OutOfRange {
            field: Field::MaxSessions,
            min: 1,
            max: u64::from(MAX_SESSIONS_PER_AGENT),
        });
    }
    profile.groups.sort_unstable();
    profile.groups.dedup();
    if profile.groups.iter().any(|g| !groups.contains(g)) {
        return Err(ApiError::NotFound { what: Thing::Group });
    }
    profile.product_types.sort_unstable();
    profile.product_types.dedup();
    if profile
        .product_types
        .iter()
        .any(|p| !product_types.contains(p))
    {
        return Err(ApiError::NotFound {
            what: Thing::ProductType,
        });
    }
    Ok(profile)
}

/// Checks a group's or product type's fields (`field` names which): a name given, both names
/// within [`MAX_DIRECTORY_TEXT_BYTES`]. Errors: `Empty`, `TooLong`, `Malformed`.
pub fn check_entry(entry: CatalogEntry, field: Field) -> Result<CatalogEntry, ApiError> {
    Ok(CatalogEntry {
        name: text(&entry.name, field, MAX_DIRECTORY_TEXT_BYTES, true)?,
        client_name: text(&entry.client_name, field, MAX_DIRECTORY_TEXT_BYTES, false)?,
        hidden: entry.hidden,
    })
}

/// Checks a group's regions (R7): two-letter codes, upper-cased, each once, in the order given.
///
/// Errors: `Malformed { Regions }`, `TooMany { Regions }` beyond `MAX_REGIONS_PER_GROUP`.
pub fn check_regions(regions: &[String]) -> Result<Vec<String>, ApiError> {
    let mut out: Vec<String> = Vec::new();
    for r in regions {
        let code = porpoise_protocol::wire::region_code(r).ok_or(ApiError::Malformed {
            field: Field::Regions,
        })?;
        if !out.contains(&code) {
            out.push(code);
        }
    }
    if out.len() > porpoise_protocol::wire::MAX_REGIONS_PER_GROUP {
        return Err(ApiError::TooMany {
            field: Field::Regions,
            max: porpoise_protocol::wire::MAX_REGIONS_PER_GROUP as u32,
        });
    }
    Ok(out)
}

/// A fresh random initial password of [`GENERATED_PASSWORD_CHARS`] letters and digits.
pub fn generate_password() -> String {
    Alphanumeric.sample_string(&mut rand::rng(), GENERATED_PASSWORD_CHARS)
}

/// Checks that `holder` has every managing permission in `wanted` (a super admin gives any):
/// nobody hands out more power than they have (M4). Serving and picking from the queue are
/// the work itself, not power: an admin (who serves nobody) may give them.
/// Errors: `NotPermitted { RoleWithinOwn }`.
fn within_own(holder: &Account, wanted: &[Permission]) -> Result<(), ApiError> {
    let work =
        |p: &&Permission| !matches!(p, Permission::ServeCustomers | Permission::PickFromQueue);
    if holder.role == Role::SuperAdmin
        || wanted
            .iter()
            .filter(work)
            .all(|p| holder.permissions.contains(p))
    {
        Ok(())
    } else {
        Err(ApiError::NotPermitted {
            needed: Permission::RoleWithinOwn,
        })
    }
}

/// Checks that `actor` may give `role`: not above their own (a super admin gives any).
fn may_assign(actor: Role, role: Role) -> Result<(), ApiError> {
    if actor == Role::SuperAdmin || role.rank() <= actor.rank() {
        Ok(())
    } else {
        Err(ApiError::NotPermitted {
            needed: Permission::RoleWithinOwn,
        })
    }
}

/// The wire form of an account for the admin window.
pub fn account_record(a: &Account) -> AccountRecord {
    AccountRecord {
        agent_id: a.agent_id,
        username: a.username.clone(),
        profile: profile_of(a),
        status: a.status,
        created_at: a.created_at,
    }
}

/// The editable fields of an account.
pub fn profile_of(a: &Account) -> AccountProfile {
    AccountProfile {
        display_name: a.display_name.clone(),
        role: a.role,
        custom_role: a.custom_role,
        title: a.title.clone(),
        phone: a.phone.clone(),
        photo: a.photo.clone(),
        groups: a.groups.clone(),
        product_types: a.product_types.clone(),
        max_sessions: a.max_sessions,
        auto_assign: a.auto_assign,
    }
}

/// Groups as agents see them (every one, in order, by their internal name).
pub(super) fn agent_groups(groups: &[GroupRecord]) -> Vec<Group> {
    groups
        .iter()
        .map(|g| Group {
            group_id: g.group_id,
            name: g.entry.name.clone(),
        })
        .collect()
}

/// Groups as customers see them: shown ones only, by their customer-facing name.
pub(super) fn customer_groups(groups: &[GroupRecord]) -> Vec<Group> {
    groups
        .iter()
        .filter(|g| !g.entry.hidden)
        .map(|g| Group {
            group_id: g.group_id,
            name: g.entry.customer_name().to_owned(),
        })
        .collect()
}

/// Product types as agents see them.
pub(super) fn agent_product_types(types: &[ProductTypeRecord]) -> Vec<ProductType> {
    types
        .iter()
        .map(|p| ProductType {
            product_type_id: p.product_type_id,
            name: p.entry.name.clone(),
        })
        .collect()
}

/// Product types as customers see them.
pub(super) fn customer_product_types(types: &[ProductTypeRecord]) -> Vec<ProductType> {
    types
        .iter()
        .filter(|p| !p.entry.hidden)
        .map(|p| ProductType {
            product_type_id: p.product_type_id,
            name: p.entry.customer_name().to_owned(),
        })
        .collect()
}

impl Core {
    /// Handles the directory requests of the admin window (see the module docs): answers
    /// `ListAccounts` at once, checks the writes and hands them to the store.
    pub(super) fn directory_request(
        &mut self,
        conn: ConnId,
        id: RequestId,
        c: &Connection,
        body: Request,
    ) -> Result<Option<Response>, ApiError> {
        let ConnKind::Agent {
            agent_id: actor, ..
        } = c.kind
        else {
            return Err(ApiError::NotPermitted {
                needed: Permission::Agent,
            });
        };
        let center_id = c.center_id;
        let op = match body {
            Request::ListAccounts(rpc::ListAccounts) => {
                return self.list_accounts(center_id, actor).map(Some);
            }
            Request::CreateAccount(rpc::CreateAccount {
                username,
                profile,
                password,
            }) => {
                let (role, scope) = self.directory_scope(center_id, actor)?;
                let username = check_username(&username)?;
                let center = self.center_ref(center_id)?;
                if center.accounts.len() >= MAX_ACCOUNTS_PER_CENTER {
                    return Err(ApiError::TooMany {
                        field: Field::Username,
                        max: MAX_ACCOUNTS_PER_CENTER as u32,
                    });
                }
                let taken = center.accounts.values().any(|a| {
                    a.status != AccountStatus::Deleted && a.username.eq_ignore_ascii_case(&username)
                });
                if taken {
                    return Err(ApiError::Duplicate {
                        field: Field::Username,
                        value: username,
                    });
                }
                let profile = self.check_account_profile(center_id, actor, profile)?;
                may_assign(role, profile.role)?;
                if let Scope::Groups(own) = &scope {
                    if profile.groups.is_empty() || profile.groups.iter().any(|g| !own.contains(g))
                    {
                        return Err(ApiError::NotPermitted {
                            needed: Permission::OwnGroupOnly,
                        });
                    }
                }
                let (password, generated) = match password {
                    Some(p) => {
                        super::check_new_password(&p)?;
                        (p, None)
                    }
                    None => {
                        let p = generate_password();
                        (p.clone(), Some(p))
                    }
                };
                return Ok(self.directory_write(
                    conn,
                    id,
                    actor,
                    generated,
                    DirectoryOp::CreateAccount {
                        center_id,
                        username,
                        profile,
                        password: Secret(password),
                    },
                ));
            }
            Request::UpdateAccount(rpc::UpdateAccount {
                agent_id,
                mut profile,
            }) => {
                let (role, scope) = self.may_manage(center_id, actor, agent_id)?;
                if let Scope::Groups(own) = &scope {
                    // A leader changes memberships of their own groups only.
                    let before = self.account_ref(center_id, agent_id)?.groups.clone();
                    let outside = |g: &&GroupId| !own.contains(g);
                    let kept: Vec<GroupId> = before.iter().filter(outside).copied().collect();
                    if profile
                        .groups
                        .iter()
                        .filter(outside)
                        .any(|g| !kept.contains(g))
                    {
                        return Err(ApiError::NotPermitted {
                            needed: Permission::OwnGroupOnly,
                        });
                    }
                    profile.groups.retain(|g| own.contains(g));
                    profile.groups.extend(kept);
                }
                let profile = self.check_account_profile(center_id, actor, profile)?;
                may_assign(role, profile.role)?;
                DirectoryOp::UpdateAccount {
                    center_id,
                    agent_id,
                    profile,
                }
            }
            Request::SetAccountStatus(rpc::SetAccountStatus { agent_id, status }) => {
                self.may_manage(center_id, actor, agent_id)?;
                let current = self.account_ref(center_id, agent_id)?.status;
                if current == AccountStatus::Deleted {
                    return Err(ApiError::NotFound { what: Thing::Agent });
                }
                DirectoryOp::SetAccountStatus {
                    center_id,
                    agent_id,
                    status,
                }
            }
            Request::SaveGroup(rpc::SaveGroup {
                group_id,
                entry,
                regions,
            }) => {
                self.require(center_id, actor, Permission::ManageSettings)?;
                let entry = check_entry(entry, Field::GroupName)?;
                let regions = check_regions(&regions)?;
                let center = self.center_ref(center_id)?;
                let others = center
                    .groups
                    .iter()
                    .filter(|g| Some(g.group_id) != group_id);
                if let Some(id) = group_id {
                    if !center.groups.iter().any(|g| g.group_id == id) {
                        return Err(ApiError::NotFound { what: Thing::Group });
                    }
                } else if center.groups.len() >= MAX_GROUPS_PER_CENTER {
                    return Err(ApiError::TooMany {
                        field: Field::GroupName,
                        max: MAX_GROUPS_PER_CENTER as u32,
                    });
                }
                if others.map(|g| &g.entry.name).any(|n| *n == entry.name) {
                    return Err(ApiError::Duplicate {
                        field: Field::GroupName,
                        value: entry.name,
                    });
                }
                DirectoryOp::SaveGroup {
                    center_id,
                    group_id,
                    entry,
                    regions,
                }
            }
            Request::SaveProductType(rpc::SaveProductType {
                product_type_id,
                entry,
            }) => {
                self.require(center_id, actor, Permission::ManageSettings)?;
                let entry = check_entry(entry, Field::ProductTypeName)?;
                let center = self.center_ref(center_id)?;
                let list = &center.product_types;
                if let Some(id) = product_type_id {
                    if !list.iter().any(|p| p.product_type_id == id) {
                        return Err(ApiError::NotFound {
                            what: Thing::ProductType,
                        });
                    }
                } else if list.len() >= MAX_GROUPS_PER_CENTER {
                    return Err(ApiError::TooMany {
                        field: Field::ProductTypeName,
                        max: MAX_GROUPS_PER_CENTER as u32,
                    });
                }
                let taken = list
                    .iter()
                    .filter(|p| Some(p.product_type_id) != product_type_id)
                    .any(|p| p.entry.name == entry.name);
                if taken {
                    return Err(ApiError::Duplicate {
                        field: Field::ProductTypeName,
                        value: entry.name,
                    });
                }
                DirectoryOp::SaveProductType {
                    center_id,
                    product_type_id,
                    entry,
                }
            }
            Request::ReorderGroups(rpc::ReorderGroups { order }) => {
                self.require(center_id, actor, Permission::ManageSettings)?;
                let center = self.center_ref(center_id)?;
                let ids: Vec<GroupId> = center.groups.iter().map(|g| g.group_id).collect();
                check_permutation(&ids, &order)?;
                DirectoryOp::ReorderGroups { center_id, order }
            }
            Request::ReorderProductTypes(rpc::ReorderProductTypes { order }) => {
                self.require(center_id, actor, Permission::ManageSettings)?;
                let center = self.center_ref(center_id)?;
                let ids: Vec<ProductTypeId> = center
                    .product_types
                    .iter()
                    .map(|p| p.product_type_id)
                    .collect();
                check_permutation(&ids, &order)?;
                DirectoryOp::ReorderProductTypes { center_id, order }
            }
            Request::SaveRole(rpc::SaveRole { role, new }) => {
                let holder = self.require(center_id, actor, Permission::ManageSettings)?;
                let role = check_role(role)?;
                may_assign(holder.role, role.base)?;
                within_own(holder, &role.permissions)?;
                let center = self.center_ref(center_id)?;
                if new && center.roles.len() >= MAX_ROLES_PER_CENTER {
                    return Err(ApiError::TooMany {
                        field: Field::RoleName,
                        max: MAX_ROLES_PER_CENTER as u32,
                    });
                }
                if !new && !center.roles.iter().any(|r| r.role_id == role.role_id) {
                    return Err(ApiError::NotFound { what: Thing::Agent });
                }
                let taken = center
                    .roles
                    .iter()
                    .any(|r| r.name == role.name && (new || r.role_id != role.role_id));
                if taken {
                    return Err(ApiError::Duplicate {
                        field: Field::RoleName,
                        value: role.name,
                    });
                }
                DirectoryOp::SaveRole {
                    center_id,
                    role,
                    new,
                }
            }
            _ => {
                return Err(ApiError::NotPermitted {
                    needed: Permission::Agent,
                })
            }
        };
        Ok(self.directory_write(conn, id, actor, None, op))
    }

    fn directory_write(
        &mut self,
        conn: ConnId,
        id: RequestId,
        actor: AgentId,
        generated: Option<String>,
        op: DirectoryOp,
    ) -> Option<Response> {
        let token = self.next_token;
        self.next_token += 1;
        self.pending_directory.insert(
            token,
            PendingDirectory {
                conn,
                id,
                actor,
                generated,
            },
        );
        self.persist(StoreOp::Directory { token, op });
        None
    }

    /// The directory for the admin window; a group leader gets the accounts of their groups.
    fn list_accounts(&self, center_id: CenterId, actor: AgentId) -> Result<Response, ApiError> {
        let (_, scope) = self.directory_scope(center_id, actor)?;
        let center = self.center_ref(center_id)?;
        let mut accounts: Vec<AccountRecord> = center
            .accounts
            .values()
            .filter(|a| match &scope {
                Scope::Center => true,
                Scope::Groups(own) => {
                    a.agent_id == actor || a.groups.iter().any(|g| own.contains(g))
                }
            })
            .map(account_record)
            .collect();
        accounts.sort_by_key(|a| (a.status == AccountStatus::Deleted, a.agent_id));
        let online = self.live.keys().filter(|(c, _)| *c == center_id).count();
        let active = center
            .accounts
            .values()
            .filter(|a| a.status == AccountStatus::Active)
            .count();
        let info = CenterAccount {
            center_id,
            name: center.name.clone(),
            created_at: center.created_at,
            seats: center.settings.seats,
            seats_used: self.seats_used(center_id),
            online: u32::try_from(online).unwrap_or(u32::MAX),
            active_accounts: u32::try_from(active).unwrap_or(u32::MAX),
            expires_at: center.expires_at,
            storage_used_bytes: self.storage_used(center_id),
            storage_quota_bytes: center.settings.storage_quota_bytes,
        };
        Ok(Response::AccountDirectory(Box::new(AccountDirectory {
            accounts,
            groups: center.groups.clone(),
            product_types: center.product_types.clone(),
            roles: center.roles.clone(),
            center: info,
        })))
    }

    fn center_ref(&self, center_id: CenterId) -> Result<&super::center::CenterState, ApiError> {
        self.centers.get(&center_id).ok_or(ApiError::NotFound {
            what: Thing::Center,
        })
    }

    fn account_ref(&self, center_id: CenterId, agent_id: AgentId) -> Result<&Account, ApiError> {
        self.center_ref(center_id)?
            .accounts
            .get(&agent_id)
            .ok_or(ApiError::NotFound { what: Thing::Agent })
    }

    fn check_account_profile(
        &self,
        center_id: CenterId,
        actor: AgentId,
        profile: AccountProfile,
    ) -> Result<AccountProfile, ApiError> {
        let center = self.center_ref(center_id)?;
        let groups: Vec<GroupId> = center.groups.iter().map(|g| g.group_id).collect();
        let types: Vec<ProductTypeId> = center
            .product_types
            .iter()
            .map(|p| p.product_type_id)
            .collect();
        let profile = check_profile(profile, &groups, &types)?;
        if let Some(id) = profile.custom_role {
            let custom = center
                .roles
                .iter()
                .find(|r| r.role_id == id && r.base == profile.role)
                .ok_or(ApiError::Malformed {
                    field: Field::RoleName,
                })?;
            let actor = self.account_ref(center_id, actor)?;
            within_own(actor, &custom.permissions)?;
        }
        Ok(profile)
    }

    /// The actor's role and what they manage. Errors: `NotPermitted { ManageCenter }` for an
    /// agent (or an account no longer active).
    fn directory_scope(
        &self,
        center_id: CenterId,
        actor: AgentId,
    ) -> Result<(Role, Scope), ApiError> {
        let account = self.require(center_id, actor, Permission::ManageAccounts)?;
        match account.role {
            Role::Admin | Role::SuperAdmin => Ok((account.role, Scope::Center)),
            Role::GroupLeader | Role::Agent => {
                Ok((account.role, Scope::Groups(account.groups.clone())))
            }
        }
    }

    /// Checks that `actor` may change the account `target` (M4): a manager or group leader,
    /// not acting on themself, outranking the target (a super admin acts on anyone else), and
    /// for a group leader sharing one of their groups. Errors: `NotPermitted { ManageCenter |
    /// OutrankTarget | OwnGroupOnly }`, `NotFound { Agent }`.
    fn may_manage(
        &self,
        center_id: CenterId,
        actor: AgentId,
        target: AgentId,
    ) -> Result<(Role, Scope), ApiError> {
        let (role, scope) = self.directory_scope(center_id, actor)?;
        let target_account = self.account_ref(center_id, target)?;
        if let Scope::Groups(own) = &scope {
            if !target_account.groups.iter().any(|g| own.contains(g)) {
                return Err(ApiError::NotPermitted {
                    needed: Permission::OwnGroupOnly,
                });
            }
        }
        if actor == target || !role.may_act_on(target_account.role) {
            return Err(ApiError::NotPermitted {
                needed: Permission::OutrankTarget,
            });
        }
        Ok((role, scope))
    }

    /// Checks that `actor` may act on (kick, reset the password of) `target`; see
    /// [`Core::may_manage`].
    pub(super) fn may_act_on(
        &self,
        center_id: CenterId,
        actor: AgentId,
        target: AgentId,
    ) -> Result<(), ApiError> {
        self.may_manage(center_id, actor, target).map(drop)
    }

    /// The store finished a [`DirectoryOp`]: update memory, audit, answer, tell the center.
    pub(super) fn directory_done(
        &mut self,
        now: Now,
        token: PersistToken,
        result: Result<DirectoryChange, ApiError>,
    ) {
        let Some(pending) = self.pending_directory.remove(&token) else {
            return;
        };
        let answer = match result {
            Ok(change) => self.apply_directory_change(now, &pending, change),
            Err(err) => Err(err),
        };
        if self.conns.contains_key(&pending.conn) {
            self.respond(pending.conn, pending.id, answer);
        }
    }

    fn apply_directory_change(
        &mut self,
        now: Now,
        pending: &PendingDirectory,
        change: DirectoryChange,
    ) -> Result<Response, ApiError> {
        match change {
            DirectoryChange::Account(account) => {
                let center_id = account.center_id;
                let agent_id = account.agent_id;
                let rights_before = self.rights_of(center_id);
                let after = account_record(&account);
                let center = self.centers.get_mut(&center_id).ok_or(ApiError::NotFound {
                    what: Thing::Center,
                })?;
                let before = center.put_account(*account).map(|a| account_record(&a));
                let actor = self.audit_actor(center_id, pending.actor);
                let target = self.audit_actor(center_id, agent_id);
                let (action, detail) = match &before {
                    None => (
                        AuditAction::AccountCreated,
                        format!("role: {:?}", after.profile.role),
                    ),
                    Some(b) if b.status != after.status => (
                        match after.status {
                            AccountStatus::Active => AuditAction::AccountReactivated,
                            AccountStatus::Disabled => AuditAction::AccountDisabled,
                            AccountStatus::Deleted => AuditAction::AccountDeleted,
                        },
                        String::new(),
                    ),
                    Some(b) => (
                        AuditAction::AccountChanged,
                        value_diff(&b.profile, &after.profile),
                    ),
                };
                info!(%center_id, actor = %pending.actor, %agent_id, action = action.code(), "account changed");
                self.audit(center_id, actor, action, target, detail);
                if after.status != AccountStatus::Active {
                    self.end_account_login(now, center_id, agent_id);
                }
                self.push_rights(center_id, &rights_before);
                self.agents_changed(now, center_id);
                self.service_options_changed(center_id, now);
                self.route_center(now, center_id);
                Ok(match before {
                    None => Response::NewAccount(NewAccount {
                        agent_id,
                        password: pending.generated.clone(),
                    }),
                    Some(_) => Response::Done,
                })
            }
            DirectoryChange::Group(group) => {
                let center_id = self.conn_center(pending.conn)?;
                let center = self.centers.get_mut(&center_id).ok_or(ApiError::NotFound {
                    what: Thing::Center,
                })?;
                let before = match center
                    .groups
                    .iter_mut()
                    .find(|g| g.group_id == group.group_id)
                {
                    Some(slot) => Some(std::mem::replace(slot, group.clone())),
                    None => {
                        center.groups.push(group.clone());
                        None
                    }
                };
                let mut detail = diff_entry(before.as_ref().map(|g| &g.entry), &group.entry);
                let regions_before = before
                    .as_ref()
                    .map(|g| g.regions.join(","))
                    .unwrap_or_default();
                let regions_after = group.regions.join(",");
                if regions_before != regions_after {
                    if !detail.is_empty() {
                        detail.push('\n');
                    }
                    detail.push_str(&format!("regions: {regions_before:?} → {regions_after:?}"));
                }
                let actor = self.audit_actor(center_id, pending.actor);
                let target = format!("group {} {}", group.group_id, group.entry.name);
                self.audit(center_id, actor, AuditAction::GroupSaved, target, detail);
                self.directory_changed(now, center_id);
                Ok(Response::GroupSaved(group))
            }
            DirectoryChange::ProductType(product) => {
                let center_id = self.conn_center(pending.conn)?;
                let center = self.centers.get_mut(&center_id).ok_or(ApiError::NotFound {
                    what: Thing::Center,
                })?;
                let id = product.product_type_id;
                let before = match center
                    .product_types
                    .iter_mut()
                    .find(|p| p.product_type_id == id)
                {
                    Some(slot) => Some(std::mem::replace(slot, product.clone())),
                    None => {
                        center.product_types.push(product.clone());
                        None
                    }
                };
                let detail = diff_entry(before.as_ref().map(|p| &p.entry), &product.entry);
                let actor = self.audit_actor(center_id, pending.actor);
                let target = format!("product_type {id} {}", product.entry.name);
                self.audit(
                    center_id,
                    actor,
                    AuditAction::ProductTypeSaved,
                    target,
                    detail,
                );
                self.directory_changed(now, center_id);
                Ok(Response::ProductTypeSaved(product))
            }
            DirectoryChange::GroupOrder(order) => {
                let center_id = self.conn_center(pending.conn)?;
                if let Some(center) = self.centers.get_mut(&center_id) {
                    center
                        .groups
                        .sort_by_key(|g| order.iter().position(|x| *x == g.group_id));
                }
                let actor = self.audit_actor(center_id, pending.actor);
                let detail = order.iter().map(|g| g.to_string()).collect::<Vec<_>>();
                self.audit(
                    center_id,
                    actor,
                    AuditAction::ListReordered,
                    "groups".into(),
                    detail.join(", "),
                );
                self.directory_changed(now, center_id);
                Ok(Response::Done)
            }
            DirectoryChange::Role(role) => {
                let center_id = self.conn_center(pending.conn)?;
                let rights_before = self.rights_of(center_id);
                let center = self.centers.get_mut(&center_id).ok_or(ApiError::NotFound {
                    what: Thing::Center,
                })?;
                let before = match center.roles.iter_mut().find(|r| r.role_id == role.role_id) {
                    Some(slot) => Some(std::mem::replace(slot, role.clone())),
                    None => {
                        center.roles.push(role.clone());
                        None
                    }
                };
                center.resolve_permissions();
                let detail = match &before {
                    Some(b) => value_diff(b, &role),
                    None => format!("base: {:?}; permissions: {:?}", role.base, role.permissions),
                };
                let actor = self.audit_actor(center_id, pending.actor);
                let target = format!("role {} {}", role.role_id, role.name);
                self.audit(center_id, actor, AuditAction::RoleSaved, target, detail);
                self.push_rights(center_id, &rights_before);
                self.agents_changed(now, center_id);
                self.route_center(now, center_id);
                Ok(Response::RoleSaved(role))
            }
            DirectoryChange::ProductTypeOrder(order) => {
                let center_id = self.conn_center(pending.conn)?;
                if let Some(center) = self.centers.get_mut(&center_id) {
                    center
                        .product_types
                        .sort_by_key(|p| order.iter().position(|x| *x == p.product_type_id));
                }
                let actor = self.audit_actor(center_id, pending.actor);
                let detail = order.iter().map(|p| p.to_string()).collect::<Vec<_>>();
                self.audit(
                    center_id,
                    actor,
                    AuditAction::ListReordered,
                    "product_types".into(),
                    detail.join(", "),
                );
                self.directory_changed(now, center_id);
                Ok(Response::Done)
            }
        }
    }

    /// Every account's role and permissions in `center_id` (to see what a change changed).
    fn rights_of(&self, center_id: CenterId) -> HashMap<AgentId, (Role, Vec<Permission>)> {
        self.centers.get(&center_id).map_or_else(HashMap::new, |c| {
            c.accounts
                .values()
                .map(|a| (a.agent_id, (a.role, a.permissions.clone())))
                .collect()
        })
    }

    /// Tells each logged-in account whose role or permissions differ from `before` its rights
    /// now ([`Event::RightsChanged`]), so that its console's menus follow at once.
    fn push_rights(
        &mut self,
        center_id: CenterId,
        before: &HashMap<AgentId, (Role, Vec<Permission>)>,
    ) {
        let now = self.rights_of(center_id);
        let changed: HashMap<AgentId, (Role, Vec<Permission>)> = now
            .into_iter()
            .filter(|(id, rights)| before.get(id) != Some(rights))
            .collect();
        if changed.is_empty() {
            return;
        }
        let Some(center) = self.centers.get(&center_id) else {
            return;
        };
        let targets: Vec<(ConnId, Event)> = center
            .agents
            .iter()
            .filter_map(|conn| {
                let ConnKind::Agent { agent_id, .. } = self.conns.get(conn)?.kind else {
                    return None;
                };
                let (role, permissions) = changed.get(&agent_id)?.clone();
                Some((*conn, Event::RightsChanged { role, permissions }))
            })
            .collect();
        for (conn, event) in targets {
            self.send(conn, ServerMessage::Event(event));
        }
    }

    /// The center of a connection still open (the asker of a pending request).
    fn conn_center(&self, conn: ConnId) -> Result<CenterId, ApiError> {
        self.conns
            .get(&conn)
            .map(|c| c.center_id)
            .ok_or(ApiError::NotFound {
                what: Thing::Center,
            })
    }

    /// Groups or product types changed: agents get the lists, customers their options.
    fn directory_changed(&mut self, now: Now, center_id: CenterId) {
        let Some(center) = self.centers.get(&center_id) else {
            return;
        };
        let event = Event::DirectoryChanged {
            groups: agent_groups(&center.groups),
            product_types: agent_product_types(&center.product_types),
        };
        let agents: Vec<ConnId> = center.agents.iter().copied().collect();
        for conn in agents {
            self.send(conn, ServerMessage::Event(event.clone()));
        }
        self.service_options_changed(center_id, now);
    }

    /// The center's service period ended (M2): its open sessions end (by the relay), its
    /// agents are logged out with [`CloseReason::CenterExpired`] and its customers
    /// disconnected with the neutral [`CloseReason::Unavailable`]; new logins are refused at
    /// the Hello (`RefusedReason::CenterExpired`).
    pub(super) fn center_expired(&mut self, now: Now, center_id: CenterId) {
        info!(%center_id, "center's service period ended: its logins end");
        let sessions: Vec<_> = self
            .sessions
            .iter()
            .filter(|(_, s)| s.stored.center_id == center_id)
            .map(|(id, _)| *id)
            .collect();
        for session_id in sessions {
            self.end_session_by_relay(now, session_id);
        }
        let Some(center) = self.centers.get(&center_id) else {
            return;
        };
        let agents: Vec<ConnId> = center.agents.iter().copied().collect();
        let customers: Vec<ConnId> = center.customers.iter().copied().collect();
        for (conns, reason) in [
            (agents, CloseReason::CenterExpired),
            (customers, CloseReason::Unavailable),
        ] {
            for conn in conns {
                self.handle_disconnect(now, conn);
                self.actions
                    .push_back(super::Action::Close { conn, reason });
            }
        }
    }

    /// A disabled or deleted account: its login ends (as a kick) and its sessions end by the
    /// relay, so no customer waits for an agent who cannot come back.
    fn end_account_login(&mut self, now: Now, center_id: CenterId, agent_id: AgentId) {
        let sessions: Vec<_> = self
            .sessions
            .iter()
            .filter(|(_, s)| s.stored.center_id == center_id && s.stored.agent_id == agent_id)
            .map(|(id, _)| *id)
            .collect();
        for session_id in sessions {
            self.end_session_by_relay(now, session_id);
        }
        if let Some(conn) = self.live.get(&(center_id, agent_id)).map(|l| l.conn) {
            self.handle_disconnect(now, conn);
            self.actions.push_back(super::Action::Close {
                conn,
                reason: CloseReason::Kicked,
            });
        }
    }
}

/// `field: before → after` of a group's or product type's fields (all of them when new).
fn diff_entry(before: Option<&CatalogEntry>, after: &CatalogEntry) -> String {
    match before {
        Some(b) => value_diff(b, after),
        None => value_diff(
            &CatalogEntry {
                name: String::new(),
                client_name: String::new(),
                hidden: false,
            },
            after,
        ),
    }
}

/// `Malformed { ListOrder }` unless `order` names each of `ids` exactly once.
fn check_permutation<T: Ord + Copy>(ids: &[T], order: &[T]) -> Result<(), ApiError> {
    let mut a = ids.to_vec();
    let mut b = order.to_vec();
    a.sort_unstable();
    b.sort_unstable();
    if a == b {
        Ok(())
    } else {
        Err(ApiError::Malformed {
            field: Field::ListOrder,
        })
    }
}

/// Checks a custom role: a name given and short, each permission grantable and listed once
/// (sorted). Errors: `Empty`, `TooLong`, `Malformed { RoleName }`.
pub fn check_role(mut role: CustomRole) -> Result<CustomRole, ApiError> {
    role.name = text(&role.name, Field::RoleName, MAX_DIRECTORY_TEXT_BYTES, true)?;
    role.permissions.sort_unstable();
    role.permissions.dedup();
    if role
        .permissions
        .iter()
        .any(|p| !GRANTABLE_PERMISSIONS.contains(p))
    {
        return Err(ApiError::Malformed {
            field: Field::RoleName,
        });
    }
    Ok(role)
}

#[cfg(test)]
mod region_tests {
    use super::*;

    #[test]
    fn regions_are_two_letter_codes_upper_cased_once_each() {
        let codes =
            |v: &[&str]| check_regions(&v.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(
            codes(&["cn", " HK ", "CN"]),
            Ok(vec!["CN".into(), "HK".into()])
        );
        let malformed = Err(ApiError::Malformed {
            field: Field::Regions,
        });
        assert_eq!(codes(&["CHN"]), malformed);
        assert_eq!(codes(&["C1"]), malformed);
        assert_eq!(codes(&[""]), malformed);
        let many: Vec<String> = (0..=porpoise_protocol::wire::MAX_REGIONS_PER_GROUP)
            .map(|i| {
                format!(
                    "{}{}",
                    (b'A' + (i / 26) as u8) as char,
                    (b'A' + (i % 26) as u8) as char
                )
            })
            .collect();
        assert!(matches!(
            check_regions(&many),
            Err(ApiError::TooMany {
                field: Field::Regions,
                ..
            })
        ));
    }
}
