//! `AgentConfig`: the agent console's settings, read once at start from the command line and
//! the environment.
//!
//! The password is only ever read from the environment variable [`PASSWORD_ENV`] (never from
//! argv, where `ps` would show it) and is redacted in every `Debug` output.

use clap::Parser;
use porpoise_protocol::wire::{is_valid_center_id, CenterId, DEFAULT_RELAY_PORT};
use porpoise_quic::tls::Fingerprint;
use porpoise_ui::{Language, WindowPos};

/// Environment variable holding the agent's password (for `--auto-login` and to prefill the
/// login form).
pub const PASSWORD_ENV: &str = "PORPOISE_PASSWORD";

/// Default relay address shown in the login form.
pub fn default_relay_addr() -> String {
    format!("127.0.0.1:{DEFAULT_RELAY_PORT}")
}

/// Command-line arguments of `porpoise-agent` (each also readable from the environment).
#[derive(Debug, Clone, Parser)]
#[command(
    name = "porpoise-agent",
    version,
    about = "Porpoise agent desktop (support console)"
)]
pub struct AgentArgs {
    /// Relay address, `host:port` (UDP).
    #[arg(long, env = "PORPOISE_RELAY", default_value_t = default_relay_addr())]
    pub relay: String,
    /// SHA-256 fingerprint of the relay certificate, as the relay prints it at start.
    #[arg(long, env = "PORPOISE_FINGERPRINT")]
    pub fingerprint: Option<Fingerprint>,
    /// Center ID: 7 digits starting with 8, e.g. 8000001.
    #[arg(long, env = "PORPOISE_CENTER", value_parser = parse_center_id)]
    pub center: Option<CenterId>,
    /// Username within the center.
    #[arg(long, env = "PORPOISE_USERNAME")]
    pub username: Option<String>,
    /// Log in right away (needs --fingerprint, --center, --username and PORPOISE_PASSWORD).
    #[arg(long)]
    pub auto_login: bool,
    /// UI language: `zh-CN` or `en` (default: from PORPOISE_LANG or the system locale).
    #[arg(long, value_parser = parse_language)]
    pub lang: Option<Language>,
    /// Top-left corner of the window, `X,Y` in points (default: where the system puts it).
    #[arg(long)]
    pub window_pos: Option<WindowPos>,
}

/// A password; `Debug` never shows it.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    /// Wraps a password.
    pub fn new(text: impl Into<String>) -> Self {
        Self(text.into())
    }

    /// The password text, to put into the Hello (inside TLS) and nowhere else.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// True if empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

/// The agent console's settings.
#[derive(Debug, Clone, PartialEq)]
pub struct AgentConfig {
    /// Relay `host:port`, prefilled in the login form.
    pub relay_addr: String,
    /// Pinned relay certificate fingerprint, prefilled in the login form.
    pub fingerprint: Option<Fingerprint>,
    /// Center ID, prefilled in the login form.
    pub center_id: Option<CenterId>,
    /// Username, prefilled in the login form.
    pub username: Option<String>,
    /// Password from [`PASSWORD_ENV`].
    pub password: Option<Password>,
    /// Log in at start with the values above.
    pub auto_login: bool,
    /// UI language.
    pub language: Language,
    /// The language was chosen by `--lang` or `PORPOISE_LANG` (stored preferences do not
    /// override it).
    pub language_forced: bool,
    /// Where to open the window.
    pub window_pos: Option<WindowPos>,
}

/// Invalid settings; start-up stops with this message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// `--auto-login` was given without everything a login needs.
    #[error("--auto-login needs {0}")]
    AutoLoginIncomplete(String),
}

impl AgentConfig {
    /// Reads the command line and the environment.
    ///
    /// Errors: clap prints and exits on malformed arguments; [`ConfigError`] for combinations.
    pub fn load() -> Result<Self, ConfigError> {
        let password = std::env::var(PASSWORD_ENV)
            .ok()
            .filter(|p| !p.is_empty())
            .map(Password::new);
        Self::from_args(AgentArgs::parse(), password)
    }

    /// Builds the config from parsed arguments and the password (if any).
    ///
    /// Errors: [`ConfigError::AutoLoginIncomplete`] naming what is missing.
    pub fn from_args(args: AgentArgs, password: Option<Password>) -> Result<Self, ConfigError> {
        let config = AgentConfig {
            relay_addr: args.relay,
            fingerprint: args.fingerprint,
            center_id: args.center,
            username: args.username.filter(|u| !u.is_empty()),
            password,
            auto_login: args.auto_login,
            language_forced: args.lang.is_some() || std::env::var_os("PORPOISE_LANG").is_some(),
            language: args.lang.unwrap_or_else(porpoise_ui::detect_language),
            window_pos: args.window_pos,
        };
        if config.auto_login {
            let mut missing = Vec::new();
            if config.fingerprint.is_none() {
                missing.push("--fingerprint");
            }
            if config.center_id.is_none() {
                missing.push("--center");
            }
            if config.username.is_none() {
                missing.push("--username");
            }
            if config.password.is_none() {
                missing.push(PASSWORD_ENV);
            }
            if !missing.is_empty() {
                return Err(ConfigError::AutoLoginIncomplete(missing.join(", ")));
            }
        }
        Ok(config)
    }

    /// A config with defaults and no prefilled login, in `language` (for tests and tools).
    pub fn with_language(language: Language) -> Self {
        AgentConfig {
            relay_addr: default_relay_addr(),
            fingerprint: None,
            center_id: None,
            username: None,
            password: None,
            auto_login: false,
            language,
            language_forced: false,
            window_pos: None,
        }
    }
}

fn parse_center_id(text: &str) -> Result<CenterId, String> {
    match text.trim().parse::<CenterId>() {
        Ok(id) if is_valid_center_id(id) => Ok(id),
        _ => Err(format!(
            "{text:?} is not a center ID (7 digits starting with 8)"
        )),
    }
}

/// Parses `--lang`: `zh-CN` (also `zh`, `zh_CN`) or `en` (also `en-US`…).
fn parse_language(text: &str) -> Result<Language, String> {
    let lower = text.to_ascii_lowercase();
    if lower.starts_with("zh") || lower.starts_with("en") {
        Ok(Language::from_locale(&lower))
    } else {
        Err(format!("unsupported language {text:?}: use zh-CN or en"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(extra: &[&str]) -> AgentArgs {
        let mut argv = vec!["porpoise-agent"];
        argv.extend_from_slice(extra);
        AgentArgs::try_parse_from(argv).expect("parse")
    }

    #[test]
    fn defaults_and_language() {
        let a = args(&["--lang", "zh-CN"]);
        assert_eq!(a.relay, "127.0.0.1:18000");
        let c = AgentConfig::from_args(a, None).expect("config");
        assert_eq!(c.language, Language::ZhCn);
        assert!(AgentArgs::try_parse_from(["x", "--lang", "fr"]).is_err());
        assert!(AgentArgs::try_parse_from(["x", "--center", "1234"]).is_err());
        assert!(AgentArgs::try_parse_from(["x", "--fingerprint", "zz"]).is_err());
    }

    #[test]
    fn auto_login_needs_everything_and_password_is_redacted() {
        let err = AgentConfig::from_args(args(&["--auto-login", "--center", "8000001"]), None);
        let text = err.expect_err("incomplete").to_string();
        assert!(
            text.contains("--fingerprint") && text.contains(PASSWORD_ENV),
            "{text}"
        );
        let fp = "AB".repeat(32);
        let a = args(&[
            "--auto-login",
            "--center",
            "8000001",
            "--username",
            "agent1",
            "--fingerprint",
            &fp,
        ]);
        let c = AgentConfig::from_args(a, Some(Password::new("s3cret-pw"))).expect("complete");
        assert!(!format!("{c:?}").contains("s3cret"));
    }
}
