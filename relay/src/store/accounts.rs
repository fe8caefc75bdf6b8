//! Centers and agent accounts; argon2id password hashing off the async threads (R1, R2).

use std::sync::OnceLock;

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, SaltString};
use argon2::{Argon2, PasswordVerifier};
use porpoise_protocol::wire::{is_valid_center_id, CenterId};
use rand::RngExt;

use super::{unix_ms_now, AgentProfile, Store, StoreError};
use crate::core::{Account, AgentId, CenterInfo};
use porpoise_protocol::wire::ApiError;

/// Center ID of the demo center made by `center create --demo` / `--demo`.
pub const DEMO_CENTER_ID: CenterId = CenterId(8_000_001);
/// Name of the demo center.
pub const DEMO_CENTER_NAME: &str = "Porpoise Demo 演示中心";
/// Password of every demo account. Public on purpose: never use the demo center in production.
pub const DEMO_PASSWORD: &str = "porpoise-demo";
/// Demo accounts: (username, display name, role).
pub const DEMO_ACCOUNTS: [(&str, &str, AgentRole); 3] = [
    ("admin", "Administrator", AgentRole::Admin),
    ("agent1", "Agent One", AgentRole::Agent),
    ("agent2", "Agent Two", AgentRole::Agent),
];
/// Groups of the demo center, in display order.
pub const DEMO_GROUPS: [&str; 2] = ["售后服务", "技术支持"];
/// Product types of the demo center.
pub const DEMO_PRODUCT_TYPES: [&str; 3] = ["打印机", "电脑", "软件"];
/// Length of a generated initial admin password, in characters.
/// The demo center's custom role (M4).
const DEMO_ROLE: &str = "质检员";
/// Random center IDs tried before giving up.
const CENTER_ID_ATTEMPTS: usize = 100;

/// Role of an account (M4); stored as text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AgentRole {
    /// Serves customers.
    Agent,
    /// Leads a group.
    GroupLeader,
    /// Manages the center; uses no seat.
    Admin,
    /// Manages admins.
    SuperAdmin,
}

impl AgentRole {
    /// The text stored in `agents.role`.
    pub fn as_str(self) -> &'static str {
        match self {
            AgentRole::Agent => "agent",
            AgentRole::GroupLeader => "group_leader",
            AgentRole::Admin => "admin",
            AgentRole::SuperAdmin => "super_admin",
        }
    }
}

impl From<AgentRole> for porpoise_protocol::wire::Role {
    fn from(role: AgentRole) -> Self {
        use porpoise_protocol::wire::Role;
        match role {
            AgentRole::Agent => Role::Agent,
            AgentRole::GroupLeader => Role::GroupLeader,
            AgentRole::Admin => Role::Admin,
            AgentRole::SuperAdmin => Role::SuperAdmin,
        }
    }
}

impl From<porpoise_protocol::wire::Role> for AgentRole {
    fn from(role: porpoise_protocol::wire::Role) -> Self {
        use porpoise_protocol::wire::Role;
        match role {
            Role::Agent => AgentRole::Agent,
            Role::GroupLeader => AgentRole::GroupLeader,
            Role::Admin => AgentRole::Admin,
            Role::SuperAdmin => AgentRole::SuperAdmin,
        }
    }
}

/// A verified agent account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentAccount {
    /// The account's center.
    pub center: CenterInfo,
    /// Database id.
    pub agent_id: AgentId,
    /// Name shown to customers.
    pub display_name: String,
    /// The whole account (role, profile, groups) for the core.
    pub account: Account,
}

/// Result of a login attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthOutcome {
    /// The password matched.
    Verified(Box<AgentAccount>),
    /// No such center.
    UnknownCenter,
    /// No such user in the center, or the password is wrong.
    WrongPassword,
    /// The password is right but an administrator disabled the account (M3).
    Disabled,
}

/// A center made by [`Store::create_center`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCenter {
    /// The new center ID.
    pub center_id: CenterId,
    /// Initial password of its `admin` account (shown once, stored only hashed).
    pub admin_password: String,
}

/// Password hashes computed at once, relay-wide, each on one of this many dedicated threads.
/// argon2id with the default parameters takes 19 MiB and one core for tens of ms per hash:
/// without a bound a burst of logins (or an attack) would take memory and threads without limit,
/// and hashing on tokio's blocking pool spreads the 19 MiB blocks over many allocator arenas
/// that are never given back (measured: ~700 MiB RSS after 50 logins). Further logins queue.
pub const MAX_CONCURRENT_HASHES: usize = 2;

/// Password checks and hashes waiting for a hashing thread, relay-wide; one more is refused
/// with [`StoreError::Busy`] at once (a login gets `Refused(Throttled)`, a password change
/// `Throttled`) instead of queueing without bound behind a flood of logins (issue 14).
pub const MAX_QUEUED_HASHES: usize = 32;

/// Hash jobs queued or running (see [`MAX_QUEUED_HASHES`]).
static HASHES_WAITING: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

type HashJob = Box<dyn FnOnce() + Send>;

/// The dedicated hashing threads, started on first use.
fn hash_pool() -> &'static std::sync::Mutex<std::sync::mpsc::Sender<HashJob>> {
    static POOL: OnceLock<std::sync::Mutex<std::sync::mpsc::Sender<HashJob>>> = OnceLock::new();
    POOL.get_or_init(|| {
        let (tx, rx) = std::sync::mpsc::channel::<HashJob>();
        let rx = std::sync::Arc::new(std::sync::Mutex::new(rx));
        for i in 0..MAX_CONCURRENT_HASHES {
            let rx = rx.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("password-hash-{i}"))
                .spawn(move || loop {
                    let job = match rx.lock() {
                        Ok(guard) => guard.recv(),
                        Err(_) => return,
                    };
                    match job {
                        Ok(job) => job(),
                        Err(_) => return,
                    }
                });
            if let Err(e) = spawned {
                tracing::error!("cannot start a password-hashing thread: {e}");
            }
        }
        std::sync::Mutex::new(tx)
    })
}

/// Runs `f` on a hashing thread and awaits its result.
///
/// Errors: [`StoreError::Busy`] when [`MAX_QUEUED_HASHES`] jobs are already waiting or
/// running; [`StoreError::Hash`] if the hashing threads are gone.
async fn on_hash_thread<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, StoreError> + Send + 'static,
) -> Result<T, StoreError> {
    use std::sync::atomic::Ordering;
    let waiting = HASHES_WAITING.fetch_add(1, Ordering::SeqCst);
    if waiting >= MAX_QUEUED_HASHES + MAX_CONCURRENT_HASHES {
        HASHES_WAITING.fetch_sub(1, Ordering::SeqCst);
        return Err(StoreError::Busy);
    }
    /// Gives the slot back when the job ran, failed or its waiter went away.
    struct Slot;
    impl Drop for Slot {
        fn drop(&mut self) {
            HASHES_WAITING.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
        }
    }
    let slot = Slot;
    let (tx, rx) = tokio::sync::oneshot::channel();
    let job: HashJob = Box::new(move || {
        let _slot = slot;
        if tx.is_closed() {
            return; // the login went away while queued: do not spend 19 MiB and a core
        }
        let _ = tx.send(f());
    });
    hash_pool()
        .lock()
        .map_err(|_| StoreError::Hash("hashing threads poisoned".into()))?
        .send(job)
        .map_err(|_| StoreError::Hash("hashing threads stopped".into()))?;
    rx.await
        .map_err(|_| StoreError::Hash("hashing thread dropped the job".into()))?
}

/// Hashes a password with argon2id (default parameters) on a hashing thread.
pub(super) async fn hash_password(password: String) -> Result<String, StoreError> {
    on_hash_thread(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| StoreError::Hash(e.to_string()))
    })
    .await
}

/// Verifies `password` against a PHC hash on a hashing thread. A missing account is checked
/// against a dummy hash so that timing does not reveal which usernames exist.
async fn verify_password(password: String, hash: Option<String>) -> Result<bool, StoreError> {
    static DUMMY: OnceLock<String> = OnceLock::new();
    on_hash_thread(move || {
        let exists = hash.is_some();
        let phc = match hash {
            Some(h) => h,
            None => DUMMY
                .get_or_init(|| {
                    let salt = SaltString::generate(&mut OsRng);
                    Argon2::default()
                        .hash_password(b"no such account", &salt)
                        .map(|h| h.to_string())
                        .unwrap_or_default()
                })
                .clone(),
        };
        let parsed = PasswordHash::new(&phc).map_err(|e| StoreError::Hash(e.to_string()))?;
        let ok = Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        Ok(ok && exists)
    })
    .await
}

impl Store {
    /// The center with this ID, if it exists.
    ///
    /// Errors: [`StoreError::Database`].
    pub async fn center(&self, center_id: CenterId) -> Result<Option<CenterInfo>, StoreError> {
        let row: Option<(String, i64, Option<i64>)> =
            sqlx::query_as("SELECT name, created_at, expires_at FROM centers WHERE center_id = ?")
                .bind(i64::from(center_id.0))
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map(|(name, created_at, expires_at)| CenterInfo {
            center_id,
            name,
            created_at,
            expires_at,
        }))
    }

    /// Usernames of a center's active accounts, sorted (for the login drop-down).
    ///
    /// Errors: [`StoreError::Database`].
    pub async fn usernames(&self, center_id: CenterId) -> Result<Vec<String>, StoreError> {
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT username FROM agents WHERE center_id = ? AND status = 'active' \
                 ORDER BY username",
        )
        .bind(i64::from(center_id.0))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|(u,)| u).collect())
    }

    /// Checks an agent's credentials (argon2id verification on a blocking thread).
    ///
    /// Errors: [`StoreError::Database`], [`StoreError::Hash`] for a corrupt stored hash.
    pub async fn authenticate(
        &self,
        center_id: CenterId,
        username: &str,
        password: &str,
    ) -> Result<AuthOutcome, StoreError> {
        let Some(center) = self.center(center_id).await? else {
            return Ok(AuthOutcome::UnknownCenter);
        };
        let row: Option<(i64, String, String)> = sqlx::query_as(
            "SELECT id, display_name, password_hash FROM agents WHERE center_id = ? AND username = ?",
        )
        .bind(i64::from(center_id.0))
        .bind(username)
        .fetch_optional(&self.pool)
        .await?;
        let hash = row.as_ref().map(|(_, _, h)| h.clone());
        if !verify_password(password.to_owned(), hash).await? {
            return Ok(AuthOutcome::WrongPassword);
        }
        let Some((agent_id, display_name, _)) = row else {
            return Ok(AuthOutcome::WrongPassword);
        };
        let agent_id = AgentId(agent_id);
        let Some(account) = self.account(agent_id).await? else {
            return Ok(AuthOutcome::WrongPassword);
        };
        if account.status != porpoise_protocol::wire::AccountStatus::Active {
            return Ok(AuthOutcome::Disabled);
        }
        Ok(AuthOutcome::Verified(Box::new(AgentAccount {
            center,
            agent_id,
            display_name,
            account,
        })))
    }

    /// Sets an account's password (argon2id), after checking `old` when given (own change).
    /// Only an account of `center_id` is changed.
    ///
    /// Returns `Err(ApiError::WrongPassword)` inside `Ok` when `old` does not match, and
    /// `Err(ApiError::NotFound)` when the account is not in the center.
    ///
    /// Errors: [`StoreError::Database`], [`StoreError::Hash`].
    pub async fn set_password(
        &self,
        center_id: CenterId,
        agent_id: AgentId,
        old: Option<&str>,
        new: &str,
    ) -> Result<Result<(), ApiError>, StoreError> {
        let row: Option<(String,)> =
            sqlx::query_as("SELECT password_hash FROM agents WHERE id = ? AND center_id = ?")
                .bind(agent_id.0)
                .bind(i64::from(center_id.0))
                .fetch_optional(&self.pool)
                .await?;
        let Some((hash,)) = row else {
            return Ok(Err(ApiError::NotFound {
                what: porpoise_protocol::wire::Thing::Agent,
            }));
        };
        if let Some(old) = old {
            if !verify_password(old.to_owned(), Some(hash)).await? {
                return Ok(Err(ApiError::WrongPassword));
            }
        }
        let hash = hash_password(new.to_owned()).await?;
        sqlx::query("UPDATE agents SET password_hash = ? WHERE id = ? AND center_id = ?")
            .bind(hash)
            .bind(agent_id.0)
            .bind(i64::from(center_id.0))
            .execute(&self.pool)
            .await?;
        Ok(Ok(()))
    }

    /// Creates a center with the given ID.
    ///
    /// Errors: [`StoreError::CenterExists`], [`StoreError::Corrupt`] if the ID is not 7 digits
    /// starting with 8, [`StoreError::Database`].
    pub async fn create_center_with_id(
        &self,
        center_id: CenterId,
        name: &str,
    ) -> Result<(), StoreError> {
        if !is_valid_center_id(center_id) {
            return Err(StoreError::Corrupt(format!(
                "center ID {center_id} is not 8xxxxxx"
            )));
        }
        let done = sqlx::query(
            "INSERT INTO centers (center_id, name, created_at) VALUES (?, ?, ?) \
             ON CONFLICT (center_id) DO NOTHING",
        )
        .bind(i64::from(center_id.0))
        .bind(name)
        .bind(unix_ms_now())
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::CenterExists(center_id));
        }
        Ok(())
    }

    /// Creates a center with a random free ID (7 digits starting with 8) and an `admin` account
    /// with a random 12-character initial password.
    ///
    /// Errors: [`StoreError::Database`], [`StoreError::Hash`], [`StoreError::CenterExists`] if
    /// no free ID was found after many tries.
    pub async fn create_center(&self, name: &str) -> Result<NewCenter, StoreError> {
        let mut last = StoreError::CenterExists(CenterId(0));
        for _ in 0..CENTER_ID_ATTEMPTS {
            let center_id = CenterId(rand::rng().random_range(8_000_002..9_000_000));
            match self.create_center_with_id(center_id, name).await {
                Ok(()) => {
                    let admin_password = crate::core::generate_password();
                    let role = AgentRole::Admin;
                    self.create_agent(center_id, "admin", "Administrator", &admin_password, role)
                        .await?;
                    return Ok(NewCenter {
                        center_id,
                        admin_password,
                    });
                }
                Err(err @ StoreError::CenterExists(_)) => last = err,
                Err(err) => return Err(err),
            }
        }
        Err(last)
    }

    /// The center's accounts in creation order: id, username, display name, role text,
    /// status text (`active`, `disabled`, `deleted`).
    ///
    /// Errors: [`StoreError::Database`].
    pub async fn list_agents(
        &self,
        center_id: CenterId,
    ) -> Result<Vec<(AgentId, String, String, String, String)>, StoreError> {
        let rows: Vec<(i64, String, String, String, String)> = sqlx::query_as(
            "SELECT id, username, display_name, role, status FROM agents WHERE center_id = ? \
             ORDER BY id",
        )
        .bind(i64::from(center_id.0))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, u, d, r, st)| (AgentId(id), u, d, r, st))
            .collect())
    }

    /// Creates the demo center [`DEMO_CENTER_ID`] with the [`DEMO_ACCOUNTS`], all with
    /// [`DEMO_PASSWORD`]. Idempotent: what exists is left as it is.
    ///
    /// Errors: [`StoreError::Database`], [`StoreError::Hash`].
    pub async fn seed_demo(&self) -> Result<(), StoreError> {
        match self
            .create_center_with_id(DEMO_CENTER_ID, DEMO_CENTER_NAME)
            .await
        {
            Ok(()) | Err(StoreError::CenterExists(_)) => {}
            Err(err) => return Err(err),
        }
        let existing = self.usernames(DEMO_CENTER_ID).await?;
        let mut ids = Vec::new();
        for (username, display_name, role) in DEMO_ACCOUNTS {
            if !existing.iter().any(|u| u == username) {
                self.create_agent(DEMO_CENTER_ID, username, display_name, DEMO_PASSWORD, role)
                    .await?;
            }
            let (id,): (i64,) =
                sqlx::query_as("SELECT id FROM agents WHERE center_id = ? AND username = ?")
                    .bind(i64::from(DEMO_CENTER_ID.0))
                    .bind(username)
                    .fetch_one(&self.pool)
                    .await?;
            ids.push(AgentId(id));
        }
        self.seed_demo_center(&ids).await
    }

    /// Groups, product types, profiles and settings of the demo center (idempotent).
    async fn seed_demo_center(&self, ids: &[AgentId]) -> Result<(), StoreError> {
        let mut groups = Vec::new();
        for name in DEMO_GROUPS {
            groups.push(self.create_group(DEMO_CENTER_ID, name).await?);
        }
        for name in DEMO_PRODUCT_TYPES {
            self.create_product_type(DEMO_CENTER_ID, name).await?;
        }
        // DEMO_ACCOUNTS order: admin, agent1, agent2.
        if let (Some(&agent1), Some(&agent2), &[after_sales, tech]) =
            (ids.get(1), ids.get(2), &groups[..])
        {
            self.add_group_member(after_sales, agent1).await?;
            self.add_group_member(tech, agent1).await?;
            self.add_group_member(tech, agent2).await?;
            let profile = |title: &str, phone: &str| AgentProfile {
                title: title.into(),
                phone: phone.into(),
                photo: String::new(),
                max_sessions: crate::core::DEFAULT_MAX_SESSIONS,
            };
            self.set_agent_profile(agent1, &profile("售后服务工程师", "010-8000-0001"))
                .await?;
            self.set_agent_profile(agent2, &profile("技术支持工程师", "010-8000-0002"))
                .await?;
        }
        // A custom role (M4): a quality inspector reads but serves nobody.
        let roles = self.custom_roles().await?;
        if !roles
            .iter()
            .any(|(c, r)| *c == DEMO_CENTER_ID && r.name == DEMO_ROLE)
        {
            use porpoise_protocol::wire::{CustomRole, Permission, Role, RoleId};
            let op = crate::core::DirectoryOp::SaveRole {
                center_id: DEMO_CENTER_ID,
                role: CustomRole {
                    role_id: RoleId(0),
                    name: DEMO_ROLE.into(),
                    base: Role::Agent,
                    permissions: vec![
                        Permission::MonitorAgents,
                        Permission::ExportRecords,
                        Permission::SeeAuditLog,
                    ],
                },
                new: true,
            };
            if let Err(e) = self.apply_directory(&op).await? {
                return Err(StoreError::Corrupt(format!("demo role: {e}")));
            }
        }
        let settings = self.settings(DEMO_CENTER_ID).await?;
        self.save_settings(DEMO_CENTER_ID, &settings).await?;
        self.seed_demo_library(DEMO_CENTER_ID).await
    }
}
