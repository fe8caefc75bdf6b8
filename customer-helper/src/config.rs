//! Helper configuration, read once at start from the command line and the environment.
//!
//! The relay address, its certificate fingerprint and the center ID will be baked into helpers
//! downloaded from the relay (C1); until then they come from flags or `PORPOISE_*` variables.

use std::{
    io,
    path::{Path, PathBuf},
};

use clap::Parser;
use porpoise_shared::{
    client::random_id,
    tls::Fingerprint,
    ui::{Language, WindowPos},
    wire::{is_valid_center_id, CenterId, DEFAULT_RELAY_PORT, MAX_NAME_BYTES, SESSION_CODE_DIGITS},
};

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
    /// Relay address, host:port (UDP).
    #[arg(long, env = "PORPOISE_RELAY", default_value_t = format!("127.0.0.1:{DEFAULT_RELAY_PORT}"))]
    pub relay: String,
    /// SHA-256 fingerprint of the relay certificate (64 hex digits, colons allowed), as printed
    /// by the relay on start.
    #[arg(long, env = "PORPOISE_FINGERPRINT")]
    pub fingerprint: Fingerprint,
    /// Center ID of the support center (7 digits starting with 8).
    #[arg(long = "center", env = "PORPOISE_CENTER")]
    pub center_id: CenterId,
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
    pub install_id: u128,
    /// UI language.
    pub language: Language,
    /// Where to open the window.
    pub window_pos: Option<WindowPos>,
}

impl HelperConfig {
    /// Validates `args`, resolves the data directory and loads (or creates) the install ID.
    ///
    /// Errors: see [`ConfigError`].
    pub fn from_args(args: HelperArgs) -> Result<Self, ConfigError> {
        if !is_valid_center_id(args.center_id) {
            return Err(ConfigError::BadCenterId(args.center_id));
        }
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
        let data_dir = match args.data_dir {
            Some(dir) => dir,
            None => default_data_dir().ok_or(ConfigError::NoDataDir)?,
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
            .unwrap_or_else(Language::detect);
        Ok(Self {
            relay_addr: args.relay,
            fingerprint: args.fingerprint,
            center_id: args.center_id,
            name,
            phone,
            session_code,
            auto_request: args.auto_request,
            data_dir,
            install_id,
            language,
            window_pos: args.window_pos,
        })
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
pub fn load_or_create_install_id(dir: &Path) -> io::Result<u128> {
    let path = dir.join(INSTALL_ID_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => match u128::from_str_radix(text.trim(), 16) {
            Ok(id) => return Ok(id),
            Err(_) => {
                tracing::warn!(path = %path.display(), "install ID file is corrupt; making a new one")
            }
        },
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    std::fs::create_dir_all(dir)?;
    let id = random_id();
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
        assert_eq!(config.center_id, 8_000_001);
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
            Err(ConfigError::BadCenterId(1234))
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
