//! Durable storage: SQLite through sqlx (bundled SQLite, WAL, `synchronous = FULL` so that an
//! acknowledged chat message survives a power cut), migrations from `relay/migrations`.
//!
//! The store loads the [`Snapshot`](crate::core::Snapshot) the core starts from, executes the
//! core's [`StoreOp`](crate::core::StoreOp)s, and owns accounts (argon2id passwords).

mod accounts;
mod audit;
pub mod batch;
mod blocklist;
mod branding;
mod center;
mod conversation;
mod directory;
mod integrations;
mod knowledge;
mod library;
mod library_xlsx;
mod ops;
mod records;
pub mod retention;
mod survey;

pub use audit::{AuditCheck, AuditRow};
pub use integrations::{AttemptOutcome, OutboxHead, DELIVERY_LOG_RETENTION_MS, SIGNING_KEY_CHARS};

#[cfg(test)]
mod audit_tests;
#[cfg(test)]
mod center_tests;
#[cfg(test)]
mod directory_tests;
#[cfg(test)]
mod library_tests;
#[cfg(test)]
mod survey_tests;
#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};
use std::time::Duration;

use porpoise_protocol::wire::{CenterId, ChatImage, ImageFormat, Party};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

pub use accounts::{
    AgentAccount, AgentRole, AuthOutcome, NewCenter, DEMO_ACCOUNTS, DEMO_CENTER_ID,
    DEMO_CENTER_NAME, DEMO_GROUPS, DEMO_PASSWORD, DEMO_PRODUCT_TYPES, MAX_QUEUED_HASHES,
};
pub use center::AgentProfile;
pub use library::{
    CannedEntry, ImportError, KnowledgeEntry, LibraryFile, LibraryImport, DEMO_LIBRARY_JSON,
};
pub use survey::MAX_SURVEYS_LISTED;

/// How long a write waits for a lock held by another connection before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// Connections in the pool (SQLite serialises writers anyway).
const POOL_CONNECTIONS: u32 = 4;
/// SQLite's primary result code for "database or disk is full".
const SQLITE_FULL: &str = "13";

/// Storage errors. None of them panics the relay; each is returned to the caller.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database file could not be opened or created.
    #[error("cannot open database {path}: {source}")]
    Open {
        /// Database file.
        path: PathBuf,
        /// Underlying error.
        source: sqlx::Error,
    },
    /// Applying the schema migrations failed.
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The disk (or the database's size limit) is full; nothing was written.
    #[error("database or disk is full")]
    DiskFull,
    /// Any other database failure.
    #[error("database error: {0}")]
    Database(sqlx::Error),
    /// A stored value does not fit the relay's types (e.g. a malformed 128-bit id).
    #[error("corrupt value in database: {0}")]
    Corrupt(String),
    /// A center with this ID already exists.
    #[error("center {0} already exists")]
    CenterExists(CenterId),
    /// No center with this ID exists.
    #[error("unknown center {0}")]
    UnknownCenter(CenterId),
    /// The username is already used in that center.
    #[error("username {username:?} already exists in center {center_id}")]
    UsernameTaken {
        /// Center.
        center_id: CenterId,
        /// Username asked for.
        username: String,
    },
    /// Hashing or parsing a password hash failed.
    #[error("password hashing failed: {0}")]
    Hash(String),
    /// Too many password checks are waiting for a hashing thread
    /// ([`accounts::MAX_QUEUED_HASHES`]); try again in a second.
    #[error("password hashing is busy")]
    Busy,
    /// A blocking task (password hashing) panicked or was cancelled.
    #[error("background task failed: {0}")]
    Join(#[from] tokio::task::JoinError),
}

impl From<sqlx::Error> for StoreError {
    fn from(err: sqlx::Error) -> Self {
        let full = err.as_database_error().is_some_and(|db| {
            db.code().as_deref() == Some(SQLITE_FULL) || db.message().contains("disk is full")
        });
        if full {
            StoreError::DiskFull
        } else {
            StoreError::Database(err)
        }
    }
}

/// Handle to the relay database; cheap to clone (a connection pool).
#[derive(Debug, Clone)]
pub struct Store {
    pool: SqlitePool,
    /// Serialises audit-log appends (each reads the chain's last hash, then inserts).
    audit_lock: std::sync::Arc<tokio::sync::Mutex<()>>,
    /// Wakes the webhook delivery worker when a delivery is queued (R17).
    outbox_wake: std::sync::Arc<tokio::sync::Notify>,
}

impl Store {
    /// Opens (creating if missing) the SQLite database at `path` and applies migrations.
    ///
    /// Errors: [`StoreError::Open`] if the file cannot be opened, [`StoreError::Migrate`] if the
    /// schema cannot be brought up to date.
    pub async fn open(path: &Path) -> Result<Store, StoreError> {
        Self::open_with(path, POOL_CONNECTIONS).await
    }

    async fn open_with(path: &Path, connections: u32) -> Result<Store, StoreError> {
        owner_only(path).map_err(|e| StoreError::Open {
            path: path.to_owned(),
            source: sqlx::Error::Io(e),
        })?;
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(BUSY_TIMEOUT)
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(connections)
            .connect_with(options)
            .await
            .map_err(|source| StoreError::Open {
                path: path.to_owned(),
                source,
            })?;
        sqlx::migrate!("./migrations").run(&pool).await?;
        Ok(Store {
            pool,
            audit_lock: Default::default(),
            outbox_wake: Default::default(),
        })
    }

    /// Closes all connections, waiting for running queries.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Makes the database owner-only (mode 0600 on unix) before SQLite opens it: a missing file is
/// created so, an existing one (and its `-wal` / `-shm`, which SQLite gives the database's
/// mode) is narrowed. Transcripts, pictures and password hashes are in it (issue 14).
fn owner_only(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        if !path.exists() {
            std::fs::OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(false)
                .mode(0o600)
                .open(path)?;
        }
        for suffix in ["", "-wal", "-shm"] {
            let mut name = path.as_os_str().to_owned();
            name.push(suffix);
            let file = std::path::PathBuf::from(name);
            if let Ok(meta) = std::fs::metadata(&file) {
                if meta.permissions().mode() & 0o077 != 0 {
                    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600))?;
                }
            }
        }
    }
    #[cfg(not(unix))]
    let _ = path; // Windows: the data dir's ACL (ProgramData, the service account) applies.
    Ok(())
}

/// Current unix time in milliseconds (the store may read the clock; the core may not).
pub fn unix_ms_now() -> i64 {
    let since = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
    since.map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// 128-bit ids are stored as 32 lowercase hex digits.
fn hex128(id: u128) -> String {
    format!("{id:032x}")
}

fn parse_hex128(text: &str) -> Result<u128, StoreError> {
    u128::from_str_radix(text, 16).map_err(|_| StoreError::Corrupt(format!("128-bit id {text:?}")))
}

fn party_text(party: Party) -> &'static str {
    match party {
        Party::Customer => "customer",
        Party::Agent => "agent",
        Party::Relay => "relay",
    }
}

fn parse_party(text: &str) -> Result<Party, StoreError> {
    match text {
        "customer" => Ok(Party::Customer),
        "agent" => Ok(Party::Agent),
        "relay" => Ok(Party::Relay),
        other => Err(StoreError::Corrupt(format!("party {other:?}"))),
    }
}

fn image_format_text(format: ImageFormat) -> &'static str {
    match format {
        ImageFormat::Png => "png",
        ImageFormat::Jpeg => "jpeg",
    }
}

/// The [`ChatImage`] of a message from the `LEFT JOIN chat_images` columns (format, width,
/// height, `length(data)`); all `NULL` for a text message.
fn chat_image_from_row(
    format: Option<String>,
    width: Option<i64>,
    height: Option<i64>,
    bytes: Option<i64>,
) -> Result<Option<ChatImage>, StoreError> {
    let (Some(format), Some(width), Some(height), Some(bytes)) = (format, width, height, bytes)
    else {
        return Ok(None);
    };
    let format = match format.as_str() {
        "png" => ImageFormat::Png,
        "jpeg" => ImageFormat::Jpeg,
        other => return Err(StoreError::Corrupt(format!("image format {other:?}"))),
    };
    Ok(Some(ChatImage {
        format,
        width: from_db(width)?,
        height: from_db(height)?,
        bytes: from_db(bytes)?,
    }))
}

/// Converts a relay id (u64) to SQLite's i64.
fn to_db(id: u64) -> Result<i64, StoreError> {
    i64::try_from(id).map_err(|_| StoreError::Corrupt(format!("id {id} exceeds i64")))
}

/// Converts a SQLite integer back to a relay id (u64) or center ID (u32).
fn from_db<T: TryFrom<i64>>(value: i64) -> Result<T, StoreError> {
    T::try_from(value).map_err(|_| StoreError::Corrupt(format!("integer {value} out of range")))
}
