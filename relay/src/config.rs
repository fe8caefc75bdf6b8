//! Relay configuration and its data directory: the SQLite file and the self-signed TLS identity.

use std::io::Write;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};

use porpoise_protocol::wire::DEFAULT_RELAY_PORT;
use porpoise_quic::tls::Fingerprint;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

use crate::core::ThrottlePolicy;

/// Certificate file in the data dir (DER).
pub const CERT_FILE: &str = "cert.der";
/// Private key file in the data dir (PKCS#8 DER, mode 0600 on unix).
pub const KEY_FILE: &str = "key.der";
/// SQLite database file in the data dir.
pub const DATABASE_FILE: &str = "relay.sqlite3";
/// Names the self-signed certificate is valid for.
pub const CERT_NAMES: [&str; 3] = ["localhost", "porpoise-relay", "127.0.0.1"];
/// Default limit of concurrent connections.
pub const DEFAULT_MAX_CONNECTIONS: usize = 10_000;

/// Configuration errors; each stops start-up with a clear message.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// No home directory to derive the default data dir from.
    #[error("cannot find a home directory for the default data dir; pass --data-dir")]
    NoHomeDir,
    /// Reading or writing a file of the data dir failed.
    #[error("{path}: {source}")]
    Io {
        /// File or directory concerned.
        path: PathBuf,
        /// Underlying error.
        source: std::io::Error,
    },
    /// Only one of cert.der and key.der exists.
    #[error("incomplete TLS identity in {0}: need both {CERT_FILE} and {KEY_FILE}, or neither")]
    IncompleteIdentity(PathBuf),
    /// Generating the self-signed certificate failed.
    #[error("cannot generate certificate: {0}")]
    Certificate(#[from] rcgen::Error),
}

/// Everything needed to run a relay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelayConfig {
    /// UDP address to listen on (port 0: any free port; see `Relay::local_addr`).
    pub listen: SocketAddr,
    /// Directory of the database and the TLS identity; created if missing.
    pub data_dir: PathBuf,
    /// Connections served at once; more are refused at the QUIC handshake.
    pub max_connections: usize,
    /// Create the demo center (idempotent) before serving.
    pub demo: bool,
    /// Limits of failed logins per account and per client address (see
    /// [`crate::core::throttle`]); the default is the documented policy.
    pub login_throttle: ThrottlePolicy,
    /// Folder of the helper binaries served over HTTPS (`porpoise-helper`,
    /// `porpoise-helper.exe`; C1, M11). `None`: downloads answer 404.
    pub helper_dir: Option<PathBuf>,
    /// `host:port` customers use to reach the relay, written into downloaded helpers. `None`:
    /// the host of each download request with the relay's port.
    pub public_addr: Option<String>,
    /// Timeouts, retries and parallelism of webhook deliveries (R17).
    pub webhooks: crate::webhooks::WebhookPolicy,
    /// How long a queued customer who disconnected keeps their ticket
    /// ([`crate::core::TICKET_GRACE`] by default).
    pub ticket_grace: std::time::Duration,
    /// Let context lookups and webhooks reach loopback, private and link-local addresses
    /// (an intranet service); off by default (see [`crate::outbound`]).
    pub allow_private_outbound: bool,
    /// Connections at once from one IPv4 address or IPv6 /64 (an office behind one NAT
    /// address holds many agents and customers); more are refused at the handshake.
    pub max_connections_per_ip: usize,
    /// Above this many live connections, a client whose address QUIC has not validated yet
    /// gets a Retry first (a stateless round trip that spoofed sources cannot answer).
    pub retry_above: usize,
    /// What anonymous customers may create per install ID and per IP (Hellos, queue entries,
    /// offline messages, chat texts and pictures; [`crate::core::quota`]).
    pub customer_quotas: crate::core::quota::CustomerQuotas,
    /// Time between two retention prunes ([`crate::retention::PRUNE_INTERVAL`], a day).
    pub prune_interval: std::time::Duration,
    /// New connections (QUIC handshakes) accepted per minute from one IPv4 address or IPv6
    /// /64, all at once from a full bucket ([`DEFAULT_NEW_CONNECTIONS_PER_IP`]); more are
    /// refused before any cryptography is done.
    pub new_connections_per_ip: u32,
}

/// Default of [`RelayConfig::new_connections_per_ip`]: 300 a minute.
pub const DEFAULT_NEW_CONNECTIONS_PER_IP: u32 = 300;

/// Default of [`RelayConfig::max_connections_per_ip`].
pub const DEFAULT_MAX_CONNECTIONS_PER_IP: usize = 256;

impl RelayConfig {
    /// Defaults (listen on `0.0.0.0:18000`, 10 000 connections, no demo, the default login
    /// throttle) with this data dir.
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        RelayConfig {
            listen: SocketAddr::from((Ipv4Addr::UNSPECIFIED, DEFAULT_RELAY_PORT)),
            data_dir: data_dir.into(),
            max_connections: DEFAULT_MAX_CONNECTIONS,
            demo: false,
            login_throttle: ThrottlePolicy::default(),
            helper_dir: None,
            public_addr: None,
            webhooks: crate::webhooks::WebhookPolicy::default(),
            ticket_grace: crate::core::TICKET_GRACE,
            allow_private_outbound: false,
            max_connections_per_ip: DEFAULT_MAX_CONNECTIONS_PER_IP,
            retry_above: DEFAULT_MAX_CONNECTIONS / 2,
            customer_quotas: crate::core::quota::CustomerQuotas::default(),
            prune_interval: crate::retention::PRUNE_INTERVAL,
            new_connections_per_ip: DEFAULT_NEW_CONNECTIONS_PER_IP,
        }
    }

    /// The platform's data dir for the relay (XDG on Linux, AppData on Windows).
    ///
    /// Errors: [`ConfigError::NoHomeDir`].
    pub fn default_data_dir() -> Result<PathBuf, ConfigError> {
        directories::ProjectDirs::from("com", "Porpoise", "porpoise-relay")
            .map(|dirs| dirs.data_dir().to_owned())
            .ok_or(ConfigError::NoHomeDir)
    }

    /// Path of the SQLite database.
    pub fn database_path(&self) -> PathBuf {
        self.data_dir.join(DATABASE_FILE)
    }
}

/// The relay's TLS certificate and key.
#[derive(Debug)]
pub struct Identity {
    /// Self-signed certificate (DER).
    pub cert: CertificateDer<'static>,
    /// Its private key.
    pub key: PrivateKeyDer<'static>,
    /// SHA-256 of `cert`, which clients pin.
    pub fingerprint: Fingerprint,
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> ConfigError + '_ {
    move |source| ConfigError::Io {
        path: path.to_owned(),
        source,
    }
}

/// Loads the identity from `data_dir`, or on first start creates the directory and a
/// self-signed certificate for [`CERT_NAMES`] (key file readable by the owner only).
///
/// Errors: [`ConfigError::Io`], [`ConfigError::IncompleteIdentity`], [`ConfigError::Certificate`].
pub fn load_or_create_identity(data_dir: &Path) -> Result<Identity, ConfigError> {
    create_private_dir(data_dir)?;
    let cert_path = data_dir.join(CERT_FILE);
    let key_path = data_dir.join(KEY_FILE);
    match (cert_path.exists(), key_path.exists()) {
        (true, true) => {
            let cert = std::fs::read(&cert_path).map_err(io_error(&cert_path))?;
            let key = std::fs::read(&key_path).map_err(io_error(&key_path))?;
            Ok(identity(cert, key))
        }
        (false, false) => {
            let names: Vec<String> = CERT_NAMES.iter().map(|n| (*n).to_owned()).collect();
            let made = rcgen::generate_simple_self_signed(names)?;
            let cert = made.cert.der().to_vec();
            let key = made.key_pair.serialize_der();
            write_private(&key_path, &key)?;
            std::fs::write(&cert_path, &cert).map_err(io_error(&cert_path))?;
            Ok(identity(cert, key))
        }
        _ => Err(ConfigError::IncompleteIdentity(data_dir.to_owned())),
    }
}

fn identity(cert: Vec<u8>, key: Vec<u8>) -> Identity {
    let fingerprint = Fingerprint::of_der(&cert);
    Identity {
        cert: CertificateDer::from(cert),
        key: PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key)),
        fingerprint,
    }
}

/// Creates the data dir (and missing parents) so that only the owner may enter it (mode 0700
/// on unix); an existing one that others may read is narrowed to 0700.
pub fn create_private_dir(dir: &Path) -> Result<(), ConfigError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(io_error(dir))?;
        let meta = std::fs::metadata(dir).map_err(io_error(dir))?;
        if meta.permissions().mode() & 0o077 != 0 {
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
                .map_err(io_error(dir))?;
        }
    }
    #[cfg(not(unix))]
    std::fs::create_dir_all(dir).map_err(io_error(dir))?;
    Ok(())
}

/// Writes a new file that only the owner may read (mode 0600 on unix).
fn write_private(path: &Path, bytes: &[u8]) -> Result<(), ConfigError> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).map_err(io_error(path))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(io_error(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_is_created_once_then_reused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let data = dir.path().join("nested/data");
        let first = load_or_create_identity(&data).expect("create");
        let second = load_or_create_identity(&data).expect("load");
        assert_eq!(first.fingerprint, second.fingerprint);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(data.join(KEY_FILE))
                .expect("meta")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::remove_file(data.join(KEY_FILE)).expect("rm");
        assert!(matches!(
            load_or_create_identity(&data),
            Err(ConfigError::IncompleteIdentity(_))
        ));
    }
}
