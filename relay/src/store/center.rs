//! Center data (issue 3): account profiles, groups, product types, settings, offline messages,
//! session codes — loaded into the snapshot and written by the core's ops; plus the store API
//! the demo seed and operators use to set up groups and profiles.

use porpoise_protocol::wire::{
    AgentId, CenterId, CenterSettings, Group, GroupId, Handling, OfflineMessage, OfflineMessageId,
    ProductType, ProductTypeId, Role,
};

use super::{from_db, to_db, Store, StoreError};
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

fn parse_role(text: &str) -> Result<Role, StoreError> {
    match text {
        "agent" => Ok(Role::Agent),
        "group_leader" => Ok(Role::GroupLeader),
        "admin" => Ok(Role::Admin),
        "super_admin" => Ok(Role::SuperAdmin),
        other => Err(StoreError::Corrupt(format!("role {other:?}"))),
    }
}

const ACCOUNT_COLUMNS: &str = "SELECT id, center_id, username, role, display_name, title, phone, \
                               photo, max_sessions, auto_away_min FROM agents";

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
        rows.into_iter()
            .map(
                |(id, center, username, role, name, title, phone, photo, max, away)| {
                    let groups = members
                        .iter()
                        .filter(|(a, _)| *a == id)
                        .map(|(_, g)| from_db(*g).map(GroupId))
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
        let groups: Vec<(i64, i64, String)> =
            sqlx::query_as("SELECT center_id, id, name FROM groups ORDER BY position, id")
                .fetch_all(&self.pool)
                .await?;
        for (center, id, name) in groups {
            let group = Group {
                group_id: GroupId(from_db(id)?),
                name,
            };
            snapshot.groups.push((CenterId(from_db(center)?), group));
        }
        let products: Vec<(i64, i64, String)> =
            sqlx::query_as("SELECT center_id, id, name FROM product_types ORDER BY position, id")
                .fetch_all(&self.pool)
                .await?;
        for (center, id, name) in products {
            let product = ProductType {
                product_type_id: ProductTypeId(from_db(id)?),
                name,
            };
            snapshot
                .product_types
                .push((CenterId(from_db(center)?), product));
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

    pub(super) async fn insert_offline_message(
        &self,
        center_id: CenterId,
        m: &OfflineMessage,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO offline_messages (id, center_id, name, contact, text, left_at) \
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(to_db(m.id.0)?)
        .bind(i64::from(center_id.0))
        .bind(&m.name)
        .bind(&m.contact)
        .bind(&m.text)
        .bind(m.left_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub(super) async fn handle_offline_message(
        &self,
        id: OfflineMessageId,
        h: &Handling,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE offline_messages SET handled_by = ?, note = ?, handled_at = ? WHERE id = ?",
        )
        .bind(h.agent_id.0)
        .bind(&h.note)
        .bind(h.at)
        .bind(to_db(id.0)?)
        .execute(&self.pool)
        .await?;
        Ok(())
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

    /// Creates a group (or returns the existing one of that name) at the end of the list.
    /// Read by the relay at start; an admin UI to edit groups comes later.
    ///
    /// Errors: [`StoreError::Database`].
    pub async fn create_group(
        &self,
        center_id: CenterId,
        name: &str,
    ) -> Result<GroupId, StoreError> {
        self.named_row("groups", center_id, name).await.map(GroupId)
    }

    /// Creates a product type (or returns the existing one of that name).
    ///
    /// Errors: [`StoreError::Database`].
    pub async fn create_product_type(
        &self,
        center_id: CenterId,
        name: &str,
    ) -> Result<ProductTypeId, StoreError> {
        self.named_row("product_types", center_id, name)
            .await
            .map(ProductTypeId)
    }

    async fn named_row(
        &self,
        table: &str,
        center_id: CenterId,
        name: &str,
    ) -> Result<u32, StoreError> {
        let sql = format!(
            "INSERT INTO {table} (center_id, name, position) \
             VALUES (?1, ?2, (SELECT COALESCE(MAX(position), 0) + 1 FROM {table} WHERE center_id = ?1)) \
             ON CONFLICT (center_id, name) DO UPDATE SET name = excluded.name RETURNING id"
        );
        let (id,): (i64,) = sqlx::query_as(&sql)
            .bind(i64::from(center_id.0))
            .bind(name)
            .fetch_one(&self.pool)
            .await?;
        from_db(id)
    }

    /// Puts an account in a group (idempotent). Both must be of the same center.
    ///
    /// Errors: [`StoreError::Database`]; [`StoreError::Corrupt`] if the centers differ.
    pub async fn add_group_member(
        &self,
        group_id: GroupId,
        agent_id: AgentId,
    ) -> Result<(), StoreError> {
        let done = sqlx::query(
            "INSERT INTO group_members (group_id, agent_id) SELECT g.id, a.id FROM groups g \
             JOIN agents a ON a.center_id = g.center_id WHERE g.id = ? AND a.id = ? \
             ON CONFLICT DO NOTHING",
        )
        .bind(i64::from(group_id.0))
        .bind(agent_id.0)
        .execute(&self.pool)
        .await?;
        let exists: Option<(i64,)> =
            sqlx::query_as("SELECT 1 FROM group_members WHERE group_id = ? AND agent_id = ?")
                .bind(i64::from(group_id.0))
                .bind(agent_id.0)
                .fetch_optional(&self.pool)
                .await?;
        if done.rows_affected() == 0 && exists.is_none() {
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
        profile: &AgentProfile,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE agents SET title = ?, phone = ?, photo = ?, max_sessions = ? WHERE id = ?",
        )
        .bind(&profile.title)
        .bind(&profile.phone)
        .bind(&profile.photo)
        .bind(i64::from(profile.max_sessions))
        .bind(agent_id.0)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Sets the seats a center bought (operator command; read at the relay's next start).
    ///
    /// Errors: [`StoreError::Database`], [`StoreError::Corrupt`].
    pub async fn set_seats(&self, center_id: CenterId, seats: u32) -> Result<(), StoreError> {
        let mut settings = self.settings(center_id).await?;
        settings.seats = seats;
        self.save_settings(center_id, &settings).await
    }
}
