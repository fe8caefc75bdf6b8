//! Directory writes (M3, M4, M13): accounts, groups, product types and their order, each in
//! one transaction, answered with what the database holds afterwards. The same operations
//! serve the admin window (through the core), the CLI and the demo seed.

use porpoise_protocol::wire::{
    AccountProfile, AccountStatus, ApiError, CatalogEntry, CenterId, CustomRole, Field, GroupId,
    GroupRecord, ProductTypeId, ProductTypeRecord, RoleId, Thing,
};
use sqlx::{Sqlite, Transaction};

use super::accounts::hash_password;
use super::center::status_text;
use super::{from_db, unix_ms_now, Store, StoreError};
use crate::core::{AgentId, DirectoryChange, DirectoryOp};

/// The text of a role in the `agents.role` column.
fn role_text(role: porpoise_protocol::wire::Role) -> &'static str {
    super::AgentRole::from(role).as_str()
}

/// True for a unique-constraint failure (a name taken by a concurrent writer, e.g. the CLI).
fn is_unique_violation(err: &sqlx::Error) -> bool {
    err.as_database_error()
        .is_some_and(|e| e.kind() == sqlx::error::ErrorKind::UniqueViolation)
}

impl Store {
    /// Every center's custom roles (M4), by id.
    ///
    /// Errors: [`StoreError::Database`], [`StoreError::Corrupt`].
    /// The custom roles of one center, oldest first.
    pub async fn roles_of(&self, center_id: CenterId) -> Result<Vec<CustomRole>, StoreError> {
        Ok(self
            .custom_roles()
            .await?
            .into_iter()
            .filter(|(c, _)| *c == center_id)
            .map(|(_, r)| r)
            .collect())
    }

    pub(super) async fn custom_roles(&self) -> Result<Vec<(CenterId, CustomRole)>, StoreError> {
        let rows: Vec<(i64, i64, String, String, String)> = sqlx::query_as(
            "SELECT center_id, id, name, base_role, permissions FROM custom_roles ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(center, id, name, base, permissions)| {
                let permissions = serde_json::from_str(&permissions)
                    .map_err(|e| StoreError::Corrupt(format!("role {id}: {e}")))?;
                let role = CustomRole {
                    role_id: RoleId(from_db(id)?),
                    name,
                    base: super::center::parse_role(&base)?,
                    permissions,
                };
                Ok((CenterId(from_db(center)?), role))
            })
            .collect()
    }

    /// Carries out a checked directory operation. Returns `Ok(Err(..))` for what the caller
    /// must be told (`Duplicate` for a name taken meanwhile, `NotFound` for a row of another
    /// center or gone).
    ///
    /// Errors: [`StoreError::Database`], [`StoreError::Hash`], [`StoreError::Corrupt`].
    pub async fn apply_directory(
        &self,
        op: &DirectoryOp,
    ) -> Result<Result<DirectoryChange, ApiError>, StoreError> {
        match op {
            DirectoryOp::CreateAccount {
                center_id,
                username,
                profile,
                password,
            } => {
                let hash = hash_password(password.0.clone()).await?;
                let mut tx = self.pool.begin().await?;
                let inserted: Result<(i64,), sqlx::Error> = sqlx::query_as(
                    "INSERT INTO agents (center_id, username, display_name, password_hash, role, \
                     created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                )
                .bind(i64::from(center_id.0))
                .bind(username)
                .bind(&profile.display_name)
                .bind(hash)
                .bind(role_text(profile.role))
                .bind(unix_ms_now())
                .fetch_one(&mut *tx)
                .await;
                let agent_id = match inserted {
                    Ok((id,)) => AgentId(id),
                    Err(e) if is_unique_violation(&e) => {
                        return Ok(Err(ApiError::Duplicate {
                            field: Field::Username,
                            value: username.clone(),
                        }))
                    }
                    Err(e) => return Err(e.into()),
                };
                write_profile(&mut tx, *center_id, agent_id, profile).await?;
                tx.commit().await?;
                self.account_change(agent_id).await
            }
            DirectoryOp::UpdateAccount {
                center_id,
                agent_id,
                profile,
            } => {
                let mut tx = self.pool.begin().await?;
                if !account_in(&mut tx, *center_id, *agent_id).await? {
                    return Ok(Err(ApiError::NotFound { what: Thing::Agent }));
                }
                write_profile(&mut tx, *center_id, *agent_id, profile).await?;
                tx.commit().await?;
                self.account_change(*agent_id).await
            }
            DirectoryOp::SetAccountStatus {
                center_id,
                agent_id,
                status,
            } => {
                let mut tx = self.pool.begin().await?;
                if !account_in(&mut tx, *center_id, *agent_id).await? {
                    return Ok(Err(ApiError::NotFound { what: Thing::Agent }));
                }
                sqlx::query("UPDATE agents SET status = ? WHERE id = ?")
                    .bind(status_text(*status))
                    .bind(agent_id.0)
                    .execute(&mut *tx)
                    .await?;
                if *status == AccountStatus::Deleted {
                    // The username is free again; history keeps the account row and its id.
                    sqlx::query(
                        "UPDATE agents SET username = '~deleted-' || id || '~' || username \
                         WHERE id = ?",
                    )
                    .bind(agent_id.0)
                    .execute(&mut *tx)
                    .await?;
                    for table in ["group_members", "product_type_members"] {
                        sqlx::query(&format!("DELETE FROM {table} WHERE agent_id = ?"))
                            .bind(agent_id.0)
                            .execute(&mut *tx)
                            .await?;
                    }
                }
                tx.commit().await?;
                self.account_change(*agent_id).await
            }
            DirectoryOp::SaveGroup {
                center_id,
                group_id,
                entry,
                regions,
            } => {
                let saved = self
                    .save_catalog("groups", *center_id, group_id.map(|g| g.0), entry)
                    .await?;
                if let Ok(id) = saved {
                    sqlx::query("UPDATE groups SET regions = ? WHERE id = ?")
                        .bind(regions.join(","))
                        .bind(i64::from(id))
                        .execute(&self.pool)
                        .await?;
                }
                Ok(saved
                    .map(|id| {
                        DirectoryChange::Group(GroupRecord {
                            group_id: GroupId(id),
                            entry: entry.clone(),
                            regions: regions.clone(),
                        })
                    })
                    .map_err(|e| renamed(e, Field::GroupName, Thing::Group)))
            }
            DirectoryOp::SaveProductType {
                center_id,
                product_type_id,
                entry,
            } => {
                let saved = self
                    .save_catalog(
                        "product_types",
                        *center_id,
                        product_type_id.map(|p| p.0),
                        entry,
                    )
                    .await?;
                Ok(saved
                    .map(|id| {
                        DirectoryChange::ProductType(ProductTypeRecord {
                            product_type_id: ProductTypeId(id),
                            entry: entry.clone(),
                        })
                    })
                    .map_err(|e| renamed(e, Field::ProductTypeName, Thing::ProductType)))
            }
            DirectoryOp::ReorderGroups { center_id, order } => {
                let ids: Vec<u32> = order.iter().map(|g| g.0).collect();
                self.reorder("groups", *center_id, &ids).await?;
                Ok(Ok(DirectoryChange::GroupOrder(order.clone())))
            }
            DirectoryOp::SaveRole {
                center_id,
                role,
                new,
            } => {
                let permissions = serde_json::to_string(&role.permissions)
                    .map_err(|e| StoreError::Corrupt(format!("permissions: {e}")))?;
                let result: Result<Option<(i64,)>, sqlx::Error> = if *new {
                    sqlx::query_as(
                        "INSERT INTO custom_roles (center_id, name, base_role, permissions) \
                         VALUES (?, ?, ?, ?) RETURNING id",
                    )
                    .bind(i64::from(center_id.0))
                    .bind(&role.name)
                    .bind(role_text(role.base))
                    .bind(&permissions)
                    .fetch_optional(&self.pool)
                    .await
                } else {
                    sqlx::query_as(
                        "UPDATE custom_roles SET name = ?, base_role = ?, permissions = ? \
                         WHERE id = ? AND center_id = ? RETURNING id",
                    )
                    .bind(&role.name)
                    .bind(role_text(role.base))
                    .bind(&permissions)
                    .bind(i64::from(role.role_id.0))
                    .bind(i64::from(center_id.0))
                    .fetch_optional(&self.pool)
                    .await
                };
                Ok(match result {
                    Ok(Some((id,))) => Ok(DirectoryChange::Role(CustomRole {
                        role_id: RoleId(from_db(id)?),
                        ..role.clone()
                    })),
                    Ok(None) => Err(ApiError::NotFound { what: Thing::Agent }),
                    Err(e) if is_unique_violation(&e) => Err(ApiError::Duplicate {
                        field: Field::RoleName,
                        value: role.name.clone(),
                    }),
                    Err(e) => return Err(e.into()),
                })
            }
            DirectoryOp::ReorderProductTypes { center_id, order } => {
                let ids: Vec<u32> = order.iter().map(|p| p.0).collect();
                self.reorder("product_types", *center_id, &ids).await?;
                Ok(Ok(DirectoryChange::ProductTypeOrder(order.clone())))
            }
        }
    }

    async fn account_change(
        &self,
        agent_id: AgentId,
    ) -> Result<Result<DirectoryChange, ApiError>, StoreError> {
        Ok(match self.account(agent_id).await? {
            Some(account) => Ok(DirectoryChange::Account(Box::new(account))),
            None => Err(ApiError::NotFound { what: Thing::Agent }),
        })
    }

    /// Inserts (at the end) or updates a row of `groups` / `product_types`. `Ok(Err)` carries
    /// `Duplicate`/`NotFound` with the group's field names (callers rename them).
    async fn save_catalog(
        &self,
        table: &str,
        center_id: CenterId,
        id: Option<u32>,
        entry: &CatalogEntry,
    ) -> Result<Result<u32, ApiError>, StoreError> {
        let result: Result<Option<(i64,)>, sqlx::Error> = match id {
            None => {
                sqlx::query_as(&format!(
                    "INSERT INTO {table} (center_id, name, client_name, hidden, position) \
                     VALUES (?1, ?2, ?3, ?4, \
                     (SELECT COALESCE(MAX(position), 0) + 1 FROM {table} WHERE center_id = ?1)) \
                     RETURNING id"
                ))
                .bind(i64::from(center_id.0))
                .bind(&entry.name)
                .bind(&entry.client_name)
                .bind(i64::from(entry.hidden))
                .fetch_optional(&self.pool)
                .await
            }
            Some(id) => {
                sqlx::query_as(&format!(
                    "UPDATE {table} SET name = ?, client_name = ?, hidden = ? \
                     WHERE id = ? AND center_id = ? RETURNING id"
                ))
                .bind(&entry.name)
                .bind(&entry.client_name)
                .bind(i64::from(entry.hidden))
                .bind(i64::from(id))
                .bind(i64::from(center_id.0))
                .fetch_optional(&self.pool)
                .await
            }
        };
        match result {
            Ok(Some((id,))) => Ok(Ok(from_db(id)?)),
            Ok(None) => Ok(Err(ApiError::NotFound { what: Thing::Group })),
            Err(e) if is_unique_violation(&e) => Ok(Err(ApiError::Duplicate {
                field: Field::GroupName,
                value: entry.name.clone(),
            })),
            Err(e) => Err(e.into()),
        }
    }

    async fn reorder(
        &self,
        table: &str,
        center_id: CenterId,
        ids: &[u32],
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        for (position, id) in ids.iter().enumerate() {
            sqlx::query(&format!(
                "UPDATE {table} SET position = ? WHERE id = ? AND center_id = ?"
            ))
            .bind(i64::try_from(position).unwrap_or(i64::MAX) + 1)
            .bind(i64::from(*id))
            .bind(i64::from(center_id.0))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

/// Gives a catalog error the product type's field names when `field` says so.
fn renamed(err: ApiError, field: Field, thing: Thing) -> ApiError {
    match err {
        ApiError::Duplicate { value, .. } => ApiError::Duplicate { field, value },
        ApiError::NotFound { .. } => ApiError::NotFound { what: thing },
        other => other,
    }
}

/// True if the account exists in the center.
async fn account_in(
    tx: &mut Transaction<'_, Sqlite>,
    center_id: CenterId,
    agent_id: AgentId,
) -> Result<bool, StoreError> {
    let row: Option<(i64,)> = sqlx::query_as("SELECT 1 FROM agents WHERE id = ? AND center_id = ?")
        .bind(agent_id.0)
        .bind(i64::from(center_id.0))
        .fetch_optional(&mut **tx)
        .await?;
    Ok(row.is_some())
}

/// Writes every profile column and replaces the group and product-type memberships (only
/// groups and product types of the same center are kept).
async fn write_profile(
    tx: &mut Transaction<'_, Sqlite>,
    center_id: CenterId,
    agent_id: AgentId,
    p: &AccountProfile,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE agents SET display_name = ?, role = ?, title = ?, phone = ?, photo = ?, \
         max_sessions = ?, auto_assign = ?, custom_role = (SELECT id FROM custom_roles \
         WHERE id = ? AND center_id = ?) WHERE id = ?",
    )
    .bind(&p.display_name)
    .bind(role_text(p.role))
    .bind(&p.title)
    .bind(&p.phone)
    .bind(&p.photo)
    .bind(i64::from(p.max_sessions))
    .bind(i64::from(p.auto_assign))
    .bind(p.custom_role.map(|r| i64::from(r.0)))
    .bind(i64::from(center_id.0))
    .bind(agent_id.0)
    .execute(&mut **tx)
    .await?;
    for (table, column, parent, ids) in [
        (
            "group_members",
            "group_id",
            "groups",
            p.groups.iter().map(|g| g.0).collect::<Vec<_>>(),
        ),
        (
            "product_type_members",
            "product_type_id",
            "product_types",
            p.product_types.iter().map(|t| t.0).collect(),
        ),
    ] {
        sqlx::query(&format!("DELETE FROM {table} WHERE agent_id = ?"))
            .bind(agent_id.0)
            .execute(&mut **tx)
            .await?;
        for id in ids {
            sqlx::query(&format!(
                "INSERT INTO {table} ({column}, agent_id) SELECT id, ? FROM {parent} \
                 WHERE id = ? AND center_id = ?"
            ))
            .bind(agent_id.0)
            .bind(i64::from(id))
            .bind(i64::from(center_id.0))
            .execute(&mut **tx)
            .await?;
        }
    }
    Ok(())
}

/// An error for the CLI and the seed from an operation the database refused.
fn refused(err: ApiError, center_id: CenterId, username: &str) -> StoreError {
    match err {
        ApiError::Duplicate {
            field: Field::Username,
            ..
        } => StoreError::UsernameTaken {
            center_id,
            username: username.to_owned(),
        },
        ApiError::NotFound {
            what: Thing::Center,
        } => StoreError::UnknownCenter(center_id),
        other => StoreError::Corrupt(format!("{other}")),
    }
}

/// Set-up helpers for the CLI, the demo seed and tests: each goes through
/// [`Store::apply_directory`], the operation the admin window's requests use.
impl Store {
    /// Creates an account with a default profile (display name, role; no groups, 5 sessions,
    /// auto-assign on). The password is stored as an argon2id hash.
    ///
    /// Errors: [`StoreError::UnknownCenter`], [`StoreError::UsernameTaken`],
    /// [`StoreError::Hash`], [`StoreError::Database`].
    pub async fn create_agent(
        &self,
        center_id: CenterId,
        username: &str,
        display_name: &str,
        password: &str,
        role: super::AgentRole,
    ) -> Result<AgentId, StoreError> {
        let profile = AccountProfile {
            display_name: display_name.to_owned(),
            role: role.into(),
            custom_role: None,
            title: String::new(),
            phone: String::new(),
            photo: String::new(),
            groups: Vec::new(),
            product_types: Vec::new(),
            max_sessions: crate::core::DEFAULT_MAX_SESSIONS,
            auto_assign: true,
        };
        self.create_account(center_id, username, profile, password)
            .await
    }

    /// Creates an account with a whole profile (already checked by the caller).
    ///
    /// Errors: as [`Store::create_agent`].
    pub async fn create_account(
        &self,
        center_id: CenterId,
        username: &str,
        profile: AccountProfile,
        password: &str,
    ) -> Result<AgentId, StoreError> {
        if self.center(center_id).await?.is_none() {
            return Err(StoreError::UnknownCenter(center_id));
        }
        let op = DirectoryOp::CreateAccount {
            center_id,
            username: username.to_owned(),
            profile,
            password: crate::core::Secret(password.to_owned()),
        };
        match self.apply_directory(&op).await? {
            Ok(DirectoryChange::Account(a)) => Ok(a.agent_id),
            Ok(other) => Err(StoreError::Corrupt(format!("unexpected {other:?}"))),
            Err(e) => Err(refused(e, center_id, username)),
        }
    }

    /// Changes an account's profile with `change` (read, changed, written back).
    ///
    /// Errors: [`StoreError::Corrupt`] for an unknown account, [`StoreError::Database`].
    pub async fn edit_account(
        &self,
        agent_id: AgentId,
        change: impl FnOnce(&mut AccountProfile),
    ) -> Result<(), StoreError> {
        let account = self
            .account(agent_id)
            .await?
            .ok_or_else(|| StoreError::Corrupt(format!("no account {agent_id}")))?;
        let mut profile = crate::core::profile_of(&account);
        change(&mut profile);
        let op = DirectoryOp::UpdateAccount {
            center_id: account.center_id,
            agent_id,
            profile,
        };
        match self.apply_directory(&op).await? {
            Ok(_) => Ok(()),
            Err(e) => Err(refused(e, account.center_id, &account.username)),
        }
    }

    /// Sets an account's status (CLI `agent disable|enable|delete`).
    ///
    /// Errors: [`StoreError::Corrupt`] for an account not in the center.
    pub async fn set_account_status(
        &self,
        center_id: CenterId,
        agent_id: AgentId,
        status: AccountStatus,
    ) -> Result<(), StoreError> {
        let op = DirectoryOp::SetAccountStatus {
            center_id,
            agent_id,
            status,
        };
        match self.apply_directory(&op).await? {
            Ok(_) => Ok(()),
            Err(e) => Err(refused(e, center_id, "")),
        }
    }

    /// Puts an account in a group (idempotent). Both must be of the same center.
    ///
    /// Errors: [`StoreError::Database`]; [`StoreError::Corrupt`] if the centers differ.
    pub async fn add_group_member(
        &self,
        group_id: GroupId,
        agent_id: AgentId,
    ) -> Result<(), StoreError> {
        self.edit_account(agent_id, |p| {
            if !p.groups.contains(&group_id) {
                p.groups.push(group_id);
            }
        })
        .await?;
        let account = self.account(agent_id).await?;
        if !account.is_some_and(|a| a.groups.contains(&group_id)) {
            return Err(StoreError::Corrupt(format!(
                "group {group_id} and account {agent_id} are not of one center"
            )));
        }
        Ok(())
    }

    /// Sets an account's showcase profile and session limit.
    ///
    /// Errors: [`StoreError::Database`].
    pub async fn set_agent_profile(
        &self,
        agent_id: AgentId,
        profile: &super::AgentProfile,
    ) -> Result<(), StoreError> {
        self.edit_account(agent_id, |p| {
            p.title.clone_from(&profile.title);
            p.phone.clone_from(&profile.phone);
            p.photo.clone_from(&profile.photo);
            p.max_sessions = profile.max_sessions;
        })
        .await
    }

    /// The group of that name, created (at the end, shown to customers) if missing.
    ///
    /// Errors: [`StoreError::Database`].
    pub async fn create_group(
        &self,
        center_id: CenterId,
        name: &str,
    ) -> Result<GroupId, StoreError> {
        self.find_or_add("groups", center_id, name)
            .await
            .map(GroupId)
    }

    /// The product type of that name, created if missing.
    ///
    /// Errors: [`StoreError::Database`].
    pub async fn create_product_type(
        &self,
        center_id: CenterId,
        name: &str,
    ) -> Result<ProductTypeId, StoreError> {
        self.find_or_add("product_types", center_id, name)
            .await
            .map(ProductTypeId)
    }

    async fn find_or_add(
        &self,
        table: &str,
        center_id: CenterId,
        name: &str,
    ) -> Result<u32, StoreError> {
        let existing: Option<(i64,)> = sqlx::query_as(&format!(
            "SELECT id FROM {table} WHERE center_id = ? AND name = ?"
        ))
        .bind(i64::from(center_id.0))
        .bind(name)
        .fetch_optional(&self.pool)
        .await?;
        if let Some((id,)) = existing {
            return from_db(id);
        }
        let entry = CatalogEntry {
            name: name.to_owned(),
            client_name: String::new(),
            hidden: false,
        };
        let op = if table == "groups" {
            DirectoryOp::SaveGroup {
                center_id,
                group_id: None,
                entry,
                regions: Vec::new(),
            }
        } else {
            DirectoryOp::SaveProductType {
                center_id,
                product_type_id: None,
                entry,
            }
        };
        match self.apply_directory(&op).await? {
            Ok(DirectoryChange::Group(g)) => Ok(g.group_id.0),
            Ok(DirectoryChange::ProductType(p)) => Ok(p.product_type_id.0),
            Ok(other) => Err(StoreError::Corrupt(format!("unexpected {other:?}"))),
            Err(e) => Err(StoreError::Corrupt(format!("{e}"))),
        }
    }
}
