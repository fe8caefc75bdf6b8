//! Helper configuration, read once at start from the command line and the environment.
//!
//! The relay address, its certificate fingerprint and the center ID (a [`Connection`]) come, in
//! this order, from the signed configuration trailer of a helper downloaded from the relay (C1;
//! a modified trailer refuses to start, see [`plan`]), from flags or `PORPOISE_*` variables (dev
//! and tests), or from the first screen of a plain helper, prefilled with the values last
//! entered ([`REMEMBERED_FILE`]).

use std::{
    io,
    path::{Path, PathBuf},
};

use clap::Parser;
use porpoise_protocol::wire::{
    is_valid_center_id, Branding, CenterId, InstallId, DEFAULT_RELAY_PORT, MAX_NAME_BYTES,
    SESSION_CODE_DIGITS,
};
use porpoise_quic::{
    client::random_id,
    tls::Fingerprint,
    trailer::{EmbeddedConfig, TrailerError},
};
use porpoise_ui::{Language, WindowPos};

/// Name of the file in the data directory that holds the install ID.
pub const INSTALL_ID_FILE: &str = "install-id";

/// Command-line flags and environment variables of `porpoise-helper`.
#[derive(Debug, Clone, Parser)]
#[command(
    name = "porpoise-helper",
    version,
    about = "Porpoise customer helper: get help from a support center"
)]
pub struct HelperArgs {
    /// Relay address, host:port (UDP). Default: 127.0.0.1:18000 with --fingerprint/--center.
    #[arg(long, env = "PORPOISE_RELAY")]
    pub relay: Option<String>,
    /// SHA-256 fingerprint of the relay certificate (64 hex digits, colons allowed), as printed
    /// by the relay on start. Without it (and --center) a plain helper asks on its first screen.
    #[arg(long, env = "PORPOISE_FINGERPRINT")]
    pub fingerprint: Option<Fingerprint>,
    /// Center ID of the support center (7 digits starting with 8).
    #[arg(long = "center", env = "PORPOISE_CENTER")]
    pub center_id: Option<CenterId>,
    /// Customer name to prefill.
    #[arg(long, env = "PORPOISE_NAME")]
    pub name: Option<String>,
    /// Customer phone to prefill.
    #[arg(long, env = "PORPOISE_PHONE")]
    pub phone: Option<String>,
    /// Session code (6 digits) to prefill, for centers in session-code mode.
    #[arg(long, env = "PORPOISE_SESSION_CODE")]
    pub session_code: Option<String>,
    /// Request service at start with --name and --phone (no click needed): in auto-assign mode
    /// with any group, in session-code mode with --session-code; a showcase waits for a pick.
    #[arg(long, requires = "name")]
    pub auto_request: bool,
    /// Directory for the install ID (default: the platform's data directory).
    #[arg(long, env = "PORPOISE_HELPER_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// UI language: zh-CN or en (default: PORPOISE_LANG, then the system locale).
    #[arg(long)]
    pub lang: Option<String>,
    /// Top-left corner of the window, `X,Y` in points (default: where the system puts it).
    #[arg(long)]
    pub window_pos: Option<WindowPos>,
    /// Rejoin a session after a reboot (C8): the one-time token (64 hex digits) the relay gave
    /// before the reboot. Written by the helper into its one-time start entry; not for users.
    #[arg(long)]
    pub reconnect_token: Option<porpoise_protocol::wire::ReconnectToken>,
}

/// Invalid configuration; stops start-up with this message.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The center ID is not 7 digits starting with 8.
    #[error("center ID {0} is not valid: it has 7 digits and starts with 8")]
    BadCenterId(CenterId),
    /// A prefilled name or phone is too long.
    #[error("--{field} is longer than {MAX_NAME_BYTES} bytes")]
    TooLong {
        /// Which flag.
        field: &'static str,
    },
    /// The session code is not 6 digits.
    #[error("--session-code must be {SESSION_CODE_DIGITS} digits")]
    BadSessionCode,
    /// No data directory could be found and none was given.
    #[error("no data directory found for this user; pass --data-dir")]
    NoDataDir,
    /// Neither a download trailer nor --fingerprint and --center name the relay.
    #[error("no relay configured: pass --fingerprint and --center, or use a helper downloaded from your support center")]
    MissingConnection,
    /// The install ID could not be read or written.
    #[error("install ID file {path}: {source}")]
    InstallId {
        /// File concerned.
        path: PathBuf,
        /// I/O error.
        source: io::Error,
    },
}

/// The helper's validated configuration.
#[derive(Debug, Clone)]
pub struct HelperConfig {
    /// Relay address, `host:port`.
    pub relay_addr: String,
    /// Pinned relay certificate fingerprint.
    pub fingerprint: Fingerprint,
    /// Center asked for help.
    pub center_id: CenterId,
    /// Prefilled customer name.
    pub name: String,
    /// Prefilled customer phone.
    pub phone: String,
    /// Prefilled session code (empty: none).
    pub session_code: String,
    /// Request service as soon as connected.
    pub auto_request: bool,
    /// Where the install ID lives.
    pub data_dir: PathBuf,
    /// Random ID of this installation, kept in `data_dir/install-id` (resumes the session after a
    /// restart, C8).
    pub install_id: InstallId,
    /// UI language.
    pub language: Language,
    /// Where to open the window.
    pub window_pos: Option<WindowPos>,
    /// Reconnect token to present once connected (C8, `--reconnect-token`).
    pub reconnect_token: Option<porpoise_protocol::wire::ReconnectToken>,
}

impl HelperConfig {
    /// Validates `args`, resolves the data directory and loads (or creates) the install ID. The
    /// relay comes from `--relay`, `--fingerprint` and `--center`.
    ///
    /// Errors: [`ConfigError::MissingConnection`] without `--fingerprint` or `--center`; else
    /// see [`ConfigError`].
    pub fn from_args(args: HelperArgs) -> Result<Self, ConfigError> {
        let connection = Connection::from_flags(&args).ok_or(ConfigError::MissingConnection)?;
        Self::with_connection(args, connection)
    }

    /// As [`HelperConfig::from_args`], with the relay given by `connection` (from the download
    /// trailer or the first screen); the connection flags are ignored.
    ///
    /// Errors: see [`ConfigError`].
    pub fn with_connection(args: HelperArgs, connection: Connection) -> Result<Self, ConfigError> {
        if !is_valid_center_id(connection.center_id) {
            return Err(ConfigError::BadCenterId(connection.center_id));
        }
        let data_dir = data_dir_of(&args)?;
        let name = args.name.unwrap_or_default();
        let phone = args.phone.unwrap_or_default();
        if name.len() > MAX_NAME_BYTES {
            return Err(ConfigError::TooLong { field: "name" });
        }
        if phone.len() > MAX_NAME_BYTES {
            return Err(ConfigError::TooLong { field: "phone" });
        }
        let session_code = match args.session_code.as_deref() {
            Some(typed) => {
                crate::state::session_code(typed).map_err(|_| ConfigError::BadSessionCode)?
            }
            None => String::new(),
        };
        let install_id =
            load_or_create_install_id(&data_dir).map_err(|source| ConfigError::InstallId {
                path: data_dir.join(INSTALL_ID_FILE),
                source,
            })?;
        let language = args
            .lang
            .as_deref()
            .map(Language::from_locale)
            .unwrap_or_else(porpoise_ui::detect_language);
        Ok(Self {
            relay_addr: connection.relay_addr,
            fingerprint: connection.fingerprint,
            center_id: connection.center_id,
            name,
            phone,
            session_code,
            auto_request: args.auto_request,
            data_dir,
            install_id,
            language,
            window_pos: args.window_pos,
            reconnect_token: args.reconnect_token,
        })
    }
}

/// Name of the file in the data directory that remembers the relay entered on the first screen.
pub const REMEMBERED_FILE: &str = "connection.txt";
/// Most bytes read from [`REMEMBERED_FILE`].
const MAX_REMEMBERED_BYTES: u64 = 4096;
/// Most characters of a relay address typed on the first screen.
pub const MAX_RELAY_ADDR_CHARS: usize = 255;

/// Where the helper connects: relay address, pinned fingerprint, center.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connection {
    /// Relay address, `host:port`.
    pub relay_addr: String,
    /// Pinned relay certificate fingerprint.
    pub fingerprint: Fingerprint,
    /// Center asked for help.
    pub center_id: CenterId,
}

/// A field of the first screen that is not valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ConnectionError {
    /// Not `host:port` with a port number.
    #[error("the relay address must be host:port")]
    BadRelay,
    /// Not 7 digits starting with 8.
    #[error("the center ID has 7 digits and starts with 8")]
    BadCenter,
    /// Not 64 hex digits.
    #[error("the fingerprint is 64 hex digits")]
    BadFingerprint,
}

/// Checks that `addr` is `host:port` (IPv6 hosts in brackets).
pub fn is_host_port(addr: &str) -> bool {
    let addr = addr.trim();
    let Some((host, port)) = addr.rsplit_once(':') else {
        return false;
    };
    !host.is_empty()
        && addr.chars().count() <= MAX_RELAY_ADDR_CHARS
        && port.parse::<u16>().is_ok_and(|p| p > 0)
        && !host.chars().any(|c| c.is_whitespace() || c == '/')
}

impl Connection {
    /// Validates what was typed on the first screen (spaces around values ignored).
    ///
    /// Errors: the first field that is not valid, as [`ConnectionError`].
    pub fn parse(relay: &str, center: &str, fingerprint: &str) -> Result<Self, ConnectionError> {
        let relay_addr = relay.trim();
        if !is_host_port(relay_addr) {
            return Err(ConnectionError::BadRelay);
        }
        let center_id = center
            .trim()
            .parse::<CenterId>()
            .ok()
            .filter(|c| is_valid_center_id(*c))
            .ok_or(ConnectionError::BadCenter)?;
        let fingerprint = fingerprint
            .trim()
            .parse::<Fingerprint>()
            .map_err(|_| ConnectionError::BadFingerprint)?;
        Ok(Connection {
            relay_addr: relay_addr.to_owned(),
            fingerprint,
            center_id,
        })
    }

    /// From `--fingerprint` and `--center` (and `--relay`, default `127.0.0.1:18000`).
    pub fn from_flags(args: &HelperArgs) -> Option<Self> {
        Some(Connection {
            relay_addr: args
                .relay
                .clone()
                .unwrap_or_else(|| format!("127.0.0.1:{DEFAULT_RELAY_PORT}")),
            fingerprint: args.fingerprint?,
            center_id: args.center_id?,
        })
    }

    /// From a verified download trailer.
    pub fn from_trailer(embedded: &EmbeddedConfig) -> Self {
        Connection {
            relay_addr: embedded.relay_addr.clone(),
            fingerprint: embedded.fingerprint(),
            center_id: embedded.center_id,
        }
    }

    /// Writes the connection to `dir/connection.txt` (`relay=`, `center=`, `fingerprint=` lines).
    ///
    /// Errors: the I/O error.
    pub fn remember(&self, dir: &Path) -> io::Result<()> {
        std::fs::create_dir_all(dir)?;
        let tmp = dir.join(format!("{REMEMBERED_FILE}.tmp"));
        std::fs::write(
            &tmp,
            format!(
                "relay={}\ncenter={}\nfingerprint={}\n",
                self.relay_addr, self.center_id, self.fingerprint
            ),
        )?;
        std::fs::rename(&tmp, dir.join(REMEMBERED_FILE))
    }
}

/// The first screen's fields as last entered (`relay`, `center`, `fingerprint`), empty strings
/// where nothing is remembered. Never fails: an unreadable file is ignored.
pub fn remembered(dir: &Path) -> [String; 3] {
    let mut out = [String::new(), String::new(), String::new()];
    let path = dir.join(REMEMBERED_FILE);
    let text = std::fs::File::open(&path).and_then(|f| {
        let mut s = String::new();
        io::Read::read_to_string(&mut io::Read::take(f, MAX_REMEMBERED_BYTES), &mut s)?;
        Ok(s)
    });
    if let Ok(text) = text {
        for line in text.lines() {
            match line.split_once('=') {
                Some(("relay", v)) => out[0] = v.trim().to_owned(),
                Some(("center", v)) => out[1] = v.trim().to_owned(),
                Some(("fingerprint", v)) => out[2] = v.trim().to_owned(),
                _ => {}
            }
        }
    }
    out
}

/// How the helper starts (C1).
#[derive(Debug)]
pub enum Start {
    /// Connect now: from a verified download trailer (with its branding) or from flags.
    Ready {
        /// The configuration.
        config: Box<HelperConfig>,
        /// The branding of the download trailer, shown before connecting.
        branding: Option<Branding>,
    },
    /// A plain helper without flags: ask on the first screen, prefilled with `prefill`
    /// (`relay`, `center`, `fingerprint`: flags first, then the remembered values).
    Setup {
        /// The flags, to build the configuration once the screen is filled in.
        args: Box<HelperArgs>,
        /// Prefilled fields.
        prefill: [String; 3],
        /// Where the values entered are remembered.
        data_dir: PathBuf,
    },
    /// The download trailer is present but does not verify: refuse to connect.
    Refused {
        /// Why, for the log and the detail line.
        reason: String,
    },
}

fn data_dir_of(args: &HelperArgs) -> Result<PathBuf, ConfigError> {
    match &args.data_dir {
        Some(dir) => Ok(dir.clone()),
        None => default_data_dir().ok_or(ConfigError::NoDataDir),
    }
}

/// Decides how to start from the flags and the result of reading the executable's trailer:
/// a valid trailer wins over flags; an invalid one refuses; none falls back to the flags, then
/// to the first screen.
///
/// Errors: [`ConfigError`] for bad flags or an unusable data directory.
pub fn plan(
    args: HelperArgs,
    trailer: Result<EmbeddedConfig, TrailerError>,
) -> Result<Start, ConfigError> {
    match trailer {
        Ok(embedded) => {
            let connection = Connection::from_trailer(&embedded);
            let config = HelperConfig::with_connection(args, connection)?;
            Ok(Start::Ready {
                config: Box::new(config),
                branding: embedded.branding,
            })
        }
        Err(TrailerError::NoTrailer) => {
            if Connection::from_flags(&args).is_some() {
                return Ok(Start::Ready {
                    config: Box::new(HelperConfig::from_args(args)?),
                    branding: None,
                });
            }
            let data_dir = data_dir_of(&args)?;
            let mut prefill = remembered(&data_dir);
            if let Some(relay) = &args.relay {
                prefill[0] = relay.clone();
            }
            if let Some(center) = args.center_id {
                prefill[1] = center.to_string();
            }
            if let Some(fp) = args.fingerprint {
                prefill[2] = fp.to_string();
            }
            Ok(Start::Setup {
                args: Box::new(args),
                prefill,
                data_dir,
            })
        }
        Err(other) => Ok(Start::Refused {
            reason: other.to_string(),
        }),
    }
}

/// The platform's per-user data directory for the helper (XDG on Linux, AppData on Windows).
pub fn default_data_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "Porpoise", "porpoise-helper")
        .map(|d| d.data_dir().to_path_buf())
}

/// Reads the install ID from `dir/install-id`, or creates the directory and a new random ID
/// there. A corrupt file is replaced by a new ID.
///
/// Errors: the I/O error if the directory or file cannot be created or written.
pub fn load_or_create_install_id(dir: &Path) -> io::Result<InstallId> {
    let path = dir.join(INSTALL_ID_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => match u128::from_str_radix(text.trim(), 16) {
            Ok(id) => return Ok(InstallId(id)),
            Err(_) => {
                tracing::warn!(path = %path.display(), "install ID file is corrupt; making a new one")
            }
        },
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    std::fs::create_dir_all(dir)?;
    let id = InstallId(random_id());
    let tmp = dir.join(format!("{INSTALL_ID_FILE}.tmp"));
    std::fs::write(&tmp, format!("{id:032x}\n"))?;
    std::fs::rename(&tmp, &path)?;
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FP: &str = "00112233445566778899AABBCCDDEEFF00112233445566778899AABBCCDDEEFF";

    #[test]
    fn install_id_is_created_once_and_kept() {
        let dir = tempfile::tempdir().expect("tempdir");
        let sub = dir.path().join("nested");
        let first = load_or_create_install_id(&sub).expect("create");
        let again = load_or_create_install_id(&sub).expect("read");
        assert_eq!(first, again);
        std::fs::write(sub.join(INSTALL_ID_FILE), "garbage").expect("write");
        let replaced = load_or_create_install_id(&sub).expect("replace");
        assert_ne!(replaced, first);
    }

    #[test]
    fn flags_parse_with_defaults() {
        let dir = tempfile::tempdir().expect("tempdir");
        let data = dir.path().to_string_lossy().to_string();
        let args = HelperArgs::try_parse_from([
            "porpoise-helper",
            "--fingerprint",
            FP,
            "--center",
            "8000001",
            "--name",
            "王伟",
            "--auto-request",
            "--data-dir",
            &data,
            "--lang",
            "zh-CN",
        ])
        .expect("parse");
        let config = HelperConfig::from_args(args).expect("valid");
        assert_eq!(config.relay_addr, "127.0.0.1:18000");
        assert_eq!(config.center_id, CenterId(8_000_001));
        assert_eq!(config.name, "王伟");
        assert!(config.auto_request);
        assert_eq!(config.language, Language::ZhCn);
    }

    #[test]
    fn bad_values_are_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let data = dir.path().to_string_lossy().to_string();
        let bad_center = HelperArgs::try_parse_from([
            "porpoise-helper",
            "--fingerprint",
            FP,
            "--center",
            "1234",
            "--data-dir",
            &data,
        ])
        .expect("parse");
        assert!(matches!(
            HelperConfig::from_args(bad_center),
            Err(ConfigError::BadCenterId(CenterId(1234)))
        ));
        let code = |c: &str| {
            let args = HelperArgs::try_parse_from([
                "porpoise-helper",
                "--fingerprint",
                FP,
                "--center",
                "8000001",
                "--session-code",
                c,
                "--data-dir",
                &data,
            ])
            .expect("parse");
            HelperConfig::from_args(args).map(|c| c.session_code)
        };
        assert!(matches!(code("12345"), Err(ConfigError::BadSessionCode)));
        assert_eq!(code("123 456").ok().as_deref(), Some("123456"));
        assert!(HelperArgs::try_parse_from([
            "porpoise-helper",
            "--fingerprint",
            "abc",
            "--center",
            "8000001"
        ])
        .is_err());
        // --auto-request needs a name.
        assert!(HelperArgs::try_parse_from([
            "porpoise-helper",
            "--fingerprint",
            FP,
            "--center",
            "8000001",
            "--auto-request"
        ])
        .is_err());
    }
}
