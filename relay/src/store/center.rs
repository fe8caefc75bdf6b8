//! Center data (issue 3): account profiles, groups, product types, settings, offline messages,
//! session codes — loaded into the snapshot and written by the core's ops; plus the store API
//! the demo seed and operators use to set up groups and profiles.

use porpoise_protocol::wire::{
    AccountStatus, AgentId, CatalogEntry, CenterId, CenterSettings, GroupId, GroupRecord, Handling,
    OfflineMessage, OfflineMessageId, ProductTypeId, ProductTypeRecord, Role, RoleId,
};

use super::{from_db, Store, StoreError};
use crate::core::{Account, Snapshot, StoredCode};

type AccountRow = (
    i64,
    i64,
    String,
    String,
    String,
    String,
    String,
    String,
    i64,
    Option<i64>,
    String,
    i64,
    i64,
    Option<i64>,
);
type OfflineRow = (
    i64,
    i64,
    String,
    String,
    String,
    i64,
    Option<i64>,
    Option<String>,
    Option<i64>,
);

/// Handled offline messages loaded per center at start.
const HANDLED_LOADED: i64 = crate::core::MAX_HANDLED_KEPT as i64;
/// Ended sessions loaded per center for the wait estimate.
const RECENT_LOADED: i64 = crate::core::RECENT_SESSIONS_FOR_ESTIMATE as i64;

/// Showcase profile of an account (R5 showcase cards, R7 capacity).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentProfile {
    /// Job title.
    pub title: String,
    /// Work phone.
    pub phone: String,
    /// Photo URL or data URL.
    pub photo: String,
    /// Most concurrent sessions.
    pub max_sessions: u32,
}

pub(super) fn parse_role(text: &str) -> Result<Role, StoreError> {
    match text {
        "agent" => Ok(Role::Agent),
        "group_leader" => Ok(Role::GroupLeader),
        "admin" => Ok(Role::Admin),
        "super_admin" => Ok(Role::SuperAdmin),
        other => Err(StoreError::Corrupt(format!("role {other:?}"))),
    }
}

const ACCOUNT_COLUMNS: &str = "SELECT id, center_id, username, role, display_name, title, phone, \
                               photo, max_sessions, auto_away_min, status, auto_assign, \
                               created_at, custom_role FROM agents";

/// The text of an account status in the `agents.status` column.
pub(super) fn status_text(status: AccountStatus) -> &'static str {
    match status {
        AccountStatus::Active => "active",
        AccountStatus::Disabled => "disabled",
        AccountStatus::Deleted => "deleted",
    }
}

fn parse_status(text: &str) -> Result<AccountStatus, StoreError> {
    match text {
        "active" => Ok(AccountStatus::Active),
        "disabled" => Ok(AccountStatus::Disabled),
        "deleted" => Ok(AccountStatus::Deleted),
        other => Err(StoreError::Corrupt(format!("account status {other:?}"))),
    }
}

impl Store {
    /// Accounts with their group memberships; `filter` is a WHERE clause on `agents`.
    async fn accounts_where(
        &self,
        filter: &str,
        bind: Option<i64>,
    ) -> Result<Vec<Account>, StoreError> {
        let sql = format!("{ACCOUNT_COLUMNS} {filter} ORDER BY id");
        let mut query = sqlx::query_as::<_, AccountRow>(&sql);
        if let Some(value) = bind {
            query = query.bind(value);
        }
        let rows = query.fetch_all(&self.pool).await?;
        let sql = format!(
            "SELECT agent_id, group_id FROM group_members \
             WHERE agent_id IN (SELECT id FROM agents {filter}) ORDER BY group_id"
        );
        let mut query = sqlx::query_as::<_, (i64, i64)>(&sql);
        if let Some(value) = bind {
            query = query.bind(value);
        }
        let members = query.fetch_all(&self.pool).await?;
        let sql = format!(
            "SELECT agent_id, product_type_id FROM product_type_members \
             WHERE agent_id IN (SELECT id FROM agents {filter}) ORDER BY product_type_id"
        );
        let mut query = sqlx::query_as::<_, (i64, i64)>(&sql);
        if let Some(value) = bind {
            query = query.bind(value);
        }
        let handles = query.fetch_all(&self.pool).await?;
        rows.into_iter()
            .map(
                |(
                    id,
                    center,
                    username,
                    role,
                    name,
                    title,
                    phone,
                    photo,
                    max,
                    away,
                    status,
                    auto,
                    created,
                    custom,
                )| {
                    let groups = members
                        .iter()
                        .filter(|(a, _)| *a == id)
                        .map(|(_, g)| from_db(*g).map(GroupId))
                        .collect::<Result<_, _>>()?;
                    let product_types = handles
                        .iter()
                        .filter(|(a, _)| *a == id)
                        .map(|(_, p)| from_db(*p).map(ProductTypeId))
                        .collect::<Result<_, _>>()?;
                    Ok(Account {
                        center_id: CenterId(from_db(center)?),
                        agent_id: AgentId(id),
                        username,
                        role: parse_role(&role)?,
                        display_name: name,
                        title,
                        phone,
                        photo,
                        groups,
                        max_sessions: from_db(max)?,
                        auto_away_min: away.map(from_db).transpose()?,
                        product_types,
                        auto_assign: auto != 0,
                        status: parse_status(&status)?,
                        created_at: created,
                        custom_role: custom.map(from_db).transpose()?.map(RoleId),
                        permissions: Vec::new(),
                    })
                },
            )
            .collect()
    }

    /// One account of a center.
    ///
    /// Errors: [`StoreError::Database`], [`StoreError::Corrupt`].
    pub async fn account(&self, agent_id: AgentId) -> Result<Option<Account>, StoreError> {
        let mut found = self
            .accounts_where("WHERE id = ?", Some(agent_id.0))
            .await?;
        Ok(found.pop())
    }

    /// Adds accounts, settings, groups, product types, offline messages, recent session
    /// durations and live session codes to `snapshot`.
    pub(super) async fn load_center_data(
        &self,
        snapshot: &mut Snapshot,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        snapshot.accounts = self.accounts_where("", None).await?;
        let settings: Vec<(i64, String)> =
            sqlx::query_as("SELECT center_id, json FROM center_settings")
                .fetch_all(&self.pool)
                .await?;
        for (center, json) in settings {
            let parsed: CenterSettings = serde_json::from_str(&json)
                .map_err(|e| StoreError::Corrupt(format!("settings of {center}: {e}")))?;
            snapshot.settings.push((CenterId(from_db(center)?), parsed));
        }
        let regions: std::collections::HashMap<i64, String> =
            sqlx::query_as("SELECT id, regions FROM groups")
                .fetch_all(&self.pool)
                .await?
                .into_iter()
                .collect();
        for (center, group) in self.catalog("groups").await? {
            let regions = regions
                .get(&i64::from(group.0))
                .map(|r| {
                    r.split(',')
                        .filter(|c| !c.is_empty())
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default();
            snapshot.groups.push((
                center,
                GroupRecord {
                    group_id: GroupId(group.0),
                    entry: group.1,
                    regions,
                },
            ));
        }
        snapshot.roles = self.custom_roles().await?;
        for (center, product) in self.catalog("product_types").await? {
            snapshot.product_types.push((
                center,
                ProductTypeRecord {
                    product_type_id: ProductTypeId(product.0),
                    entry: product.1,
                },
            ));
        }
        self.load_offline(snapshot).await?;
        let durations: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT center_id, d FROM (SELECT center_id, ended_at - started_at AS d, ended_at, \
             ROW_NUMBER() OVER (PARTITION BY center_id ORDER BY ended_at DESC) AS n \
             FROM sessions WHERE ended_at IS NOT NULL) WHERE n <= ? ORDER BY ended_at",
        )
        .bind(RECENT_LOADED)
        .fetch_all(&self.pool)
        .await?;
        for (center, d) in durations {
            snapshot.recent_durations.push((
                CenterId(from_db(center)?),
                u64::try_from(d.max(0)).unwrap_or(0),
            ));
        }
        let codes: Vec<(i64, String, i64, i64)> = sqlx::query_as(
            "SELECT center_id, code, agent_id, expires_at FROM session_codes \
             WHERE used = 0 AND expires_at > ?",
        )
        .bind(now_ms)
        .fetch_all(&self.pool)
        .await?;
        for (center, code, agent_id, expires_at) in codes {
            snapshot.session_codes.push(StoredCode {
                center_id: CenterId(from_db(center)?),
                code,
                agent_id: AgentId(agent_id),
                expires_at,
            });
        }
        Ok(())
    }

    /// Every row of `groups` or `product_types`, in list order: (center, (id, entry)).
    pub(super) async fn catalog(
        &self,
        table: &str,
    ) -> Result<Vec<(CenterId, (u32, CatalogEntry))>, StoreError> {
        let sql = format!(
            "SELECT center_id, id, name, client_name, hidden FROM {table} \
             ORDER BY center_id, position, id"
        );
        let rows: Vec<(i64, i64, String, String, i64)> =
            sqlx::query_as(&sql).fetch_all(&self.pool).await?;
        rows.into_iter()
            .map(|(center, id, name, client_name, hidden)| {
                let entry = CatalogEntry {
                    name,
                    client_name,
                    hidden: hidden != 0,
                };
                Ok((CenterId(from_db(center)?), (from_db(id)?, entry)))
            })
            .collect()
    }

    async fn load_offline(&self, snapshot: &mut Snapshot) -> Result<(), StoreError> {
        let rows: Vec<OfflineRow> = sqlx::query_as(
            "SELECT id, center_id, name, contact, text, left_at, handled_by, note, handled_at \
             FROM (SELECT *, CASE WHEN handled_at IS NULL THEN 0 ELSE ROW_NUMBER() OVER \
             (PARTITION BY center_id, handled_at IS NULL ORDER BY handled_at DESC) END AS n \
             FROM offline_messages) WHERE n <= ? \
             ORDER BY handled_at IS NOT NULL, handled_at, id",
        )
        .bind(HANDLED_LOADED)
        .fetch_all(&self.pool)
        .await?;
        for (id, center, name, contact, text, left_at, by, note, at) in rows {
            let handled = match (by, at) {
                (Some(agent_id), Some(at)) => Some(Handling {
                    agent_id: AgentId(agent_id),
                    note: note.unwrap_or_default(),
                    at,
                }),
                _ => None,
            };
            let message = OfflineMessage {
                id: OfflineMessageId(from_db(id)?),
                name,
                contact,
                text,
                left_at,
                handled,
            };
            snapshot
                .offline_messages
                .push((CenterId(from_db(center)?), message));
        }
        let (max,): (i64,) = sqlx::query_as("SELECT COALESCE(MAX(id), 0) FROM offline_messages")
            .fetch_one(&self.pool)
            .await?;
        snapshot.max_offline_message_id = OfflineMessageId(from_db(max)?);
        Ok(())
    }

    pub(super) async fn set_auto_away(
        &self,
        agent_id: AgentId,
        minutes: Option<u16>,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE agents SET auto_away_min = ? WHERE id = ?")
            .bind(minutes.map(i64::from))
            .bind(agent_id.0)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Stores a center's settings (also used by operators for seats).
    ///
    /// Errors: [`StoreError::Database`].
    pub async fn save_settings(
        &self,
        center_id: CenterId,
        settings: &CenterSettings,
    ) -> Result<(), StoreError> {
        let json = serde_json::to_string(settings)
            .map_err(|e| StoreError::Corrupt(format!("settings: {e}")))?;
        sqlx::query(
            "INSERT INTO center_settings (center_id, json) VALUES (?, ?) \
             ON CONFLICT (center_id) DO UPDATE SET json = excluded.json",
        )
        .bind(i64::from(center_id.0))
        .bind(json)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// A center's stored settings, or the default.
    ///
    /// Errors: [`StoreError::Database`], [`StoreError::Corrupt`].
    pub async fn settings(&self, center_id: CenterId) -> Result<CenterSettings, StoreError> {
        let row: Option<(String,)> =
            sqlx::query_as("SELECT json FROM center_settings WHERE center_id = ?")
                .bind(i64::from(center_id.0))
                .fetch_optional(&self.pool)
                .await?;
        match row {
            Some((json,)) => serde_json::from_str(&json)
                .map_err(|e| StoreError::Corrupt(format!("settings of {center_id}: {e}"))),
            None => Ok(CenterSettings::default()),
        }
    }

    pub(super) async fn insert_session_code(&self, code: &StoredCode) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO session_codes (center_id, code, agent_id, expires_at) VALUES (?, ?, ?, ?) \
             ON CONFLICT (center_id, code) DO UPDATE SET agent_id = excluded.agent_id, \
             expires_at = excluded.expires_at, used = 0",
        )
        .bind(i64::from(code.center_id.0))
        .bind(&code.code)
        .bind(code.agent_id.0)
        .bind(code.expires_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub(super) async fn use_session_code(
        &self,
        center_id: CenterId,
        code: &str,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE session_codes SET used = 1 WHERE center_id = ? AND code = ?")
            .bind(i64::from(center_id.0))
            .bind(code)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Sets the seats a center bought (operator command; read at the relay's next start).
    ///
    /// Errors: [`StoreError::Database`], [`StoreError::Corrupt`].
    /// Sets when the center's service period ends (unix ms; `None`: never). Agents' logins
    /// and customers' connections are refused from then on (M2).
    pub async fn set_expiry(
        &self,
        center_id: CenterId,
        expires_at: Option<i64>,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE centers SET expires_at = ? WHERE center_id = ?")
            .bind(expires_at)
            .bind(i64::from(center_id.0))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Sets the seats a center bought.
    pub async fn set_seats(&self, center_id: CenterId, seats: u32) -> Result<(), StoreError> {
        let mut settings = self.settings(center_id).await?;
        settings.seats = seats;
        self.save_settings(center_id, &settings).await
    }

    /// Sets a center's storage quota for transcripts, pictures and offline messages, in bytes
    /// (the operator's `center storage-quota`; read at the relay's next start).
    ///
    /// Errors: [`StoreError::Database`].
    pub async fn set_storage_quota(
        &self,
        center_id: CenterId,
        bytes: u64,
    ) -> Result<(), StoreError> {
        let mut settings = self.settings(center_id).await?;
        settings.storage_quota_bytes = bytes;
        self.save_settings(center_id, &settings).await
    }
}
