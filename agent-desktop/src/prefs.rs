//! The agent's own preferences, kept between runs (A2 window and layout, A17 settings).
//!
//! eframe keeps them (with the window's size and position and egui's panel sizes, its
//! `persistence` feature) in `app.ron` under the platform's data directory for the app id
//! `porpoise-agent` (Linux: `~/.local/share/porpoise-agent/`). The password is never stored.
//! Values from the command line or the environment win over stored ones (see
//! [`Preferences::apply_to`]).

use porpoise_protocol::wire::CenterId;
use porpoise_ui::Language;
use serde::{Deserialize, Serialize};

use crate::config::{default_relay_addr, AgentConfig};

/// Key of the preferences in eframe's storage.
pub const STORAGE_KEY: &str = "porpoise-agent-preferences";
/// Smallest chat font size, points.
pub const MIN_CHAT_FONT_SIZE: f32 = 11.0;
/// Largest chat font size, points.
pub const MAX_CHAT_FONT_SIZE: f32 = 24.0;
/// Chat font size of a new install, points.
pub const DEFAULT_CHAT_FONT_SIZE: f32 = 14.0;

/// Preferences of this agent on this computer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Preferences {
    /// Play a sound with alerts (A3, A17).
    pub sounds: bool,
    /// Chat text size, points ([`MIN_CHAT_FONT_SIZE`]..=[`MAX_CHAT_FONT_SIZE`], A7).
    pub chat_font_size: f32,
    /// UI language code: `zh-CN` or `en`; None follows the system.
    pub language: Option<String>,
    /// Relay `host:port` used at the next login (A17); None: the built-in default.
    pub relay_addr: Option<String>,
    /// Pinned relay certificate fingerprint (64 hex digits, colons allowed) (A17).
    pub fingerprint: Option<String>,
    /// Center ID remembered by "Remember me" (A1).
    pub center_id: Option<CenterId>,
    /// Username remembered by "Remember me" (A1).
    pub username: Option<String>,
    /// Layout of the remote window (A6, A12, issue 15).
    pub remote_window: RemoteWindowPrefs,
}

/// Smallest remote window the console opens or remembers, points.
pub const MIN_REMOTE_WINDOW: [f32; 2] = [480.0, 320.0];
/// Largest remembered remote window size, points (beyond any monitor).
pub const MAX_REMOTE_WINDOW: f32 = 16_384.0;

/// How the agent left the remote window (issue 15): kept between runs for this agent on this
/// computer, used for the next customer's window.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct RemoteWindowPrefs {
    /// Inner size of the remote window as last resized, points; None: chosen from the monitor
    /// and the customer's screen size.
    pub size: Option<[f32; 2]>,
    /// 1:1 (one customer pixel per screen pixel, with scrolling) instead of fit to window.
    pub actual_size: bool,
    /// The chat side panel is open.
    pub chat_open: bool,
}

impl RemoteWindowPrefs {
    /// The same with a size outside [`MIN_REMOTE_WINDOW`]..=[`MAX_REMOTE_WINDOW`] (or not
    /// finite) forgotten.
    pub fn sanitized(mut self) -> Self {
        self.size = self.size.filter(|[w, h]| {
            let ok = |v: f32, min: f32| v.is_finite() && (min..=MAX_REMOTE_WINDOW).contains(&v);
            ok(*w, MIN_REMOTE_WINDOW[0]) && ok(*h, MIN_REMOTE_WINDOW[1])
        });
        self
    }
}

impl Default for Preferences {
    fn default() -> Self {
        Preferences {
            sounds: true,
            chat_font_size: DEFAULT_CHAT_FONT_SIZE,
            language: None,
            relay_addr: None,
            fingerprint: None,
            center_id: None,
            username: None,
            remote_window: RemoteWindowPrefs::default(),
        }
    }
}

/// Code of `lang` as stored.
pub fn language_code(lang: Language) -> &'static str {
    match lang {
        Language::ZhCn => "zh-CN",
        Language::En => "en",
    }
}

impl Preferences {
    /// Reads the preferences from eframe's storage (defaults when absent or unreadable).
    pub fn load(storage: Option<&dyn eframe::Storage>) -> Self {
        storage
            .and_then(|s| eframe::get_value::<Preferences>(s, STORAGE_KEY))
            .unwrap_or_default()
            .sanitized()
    }

    /// Writes the preferences to eframe's storage.
    pub fn save(&self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, STORAGE_KEY, self);
    }

    /// The same preferences with out-of-range values replaced by defaults.
    pub fn sanitized(mut self) -> Self {
        if !self.chat_font_size.is_finite() {
            self.chat_font_size = DEFAULT_CHAT_FONT_SIZE;
        }
        self.chat_font_size = self
            .chat_font_size
            .clamp(MIN_CHAT_FONT_SIZE, MAX_CHAT_FONT_SIZE);
        self.remote_window = self.remote_window.sanitized();
        self
    }

    /// The stored language, if any.
    pub fn language(&self) -> Option<Language> {
        self.language.as_deref().map(Language::from_locale)
    }

    /// Fills what the command line and the environment left open: the language (unless
    /// `PORPOISE_LANG` or `--lang` chose one), the relay address (when it is still the
    /// built-in default), the fingerprint, center ID and username.
    pub fn apply_to(&self, config: &mut AgentConfig) {
        if !config.language_forced {
            if let Some(lang) = self.language() {
                config.language = lang;
            }
        }
        if config.relay_addr == default_relay_addr() {
            if let Some(addr) = self.relay_addr.as_ref().filter(|a| !a.trim().is_empty()) {
                config.relay_addr = addr.trim().to_owned();
            }
        }
        if config.fingerprint.is_none() {
            config.fingerprint = self
                .fingerprint
                .as_deref()
                .and_then(|f| f.trim().parse().ok());
        }
        if config.center_id.is_none() {
            config.center_id = self.center_id;
        }
        if config.username.is_none() {
            config.username = self.username.clone().filter(|u| !u.is_empty());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_fills_only_what_the_command_line_left_open() {
        let prefs = Preferences {
            sounds: false,
            chat_font_size: 18.0,
            language: Some("zh-CN".into()),
            relay_addr: Some("support.example.com:18000".into()),
            fingerprint: Some("AB".repeat(32)),
            center_id: Some(CenterId(8000007)),
            username: Some("alice".into()),
            remote_window: RemoteWindowPrefs {
                size: Some([1600.0, 900.0]),
                actual_size: true,
                chat_open: true,
            },
        };
        let text = ron::to_string(&prefs).expect("ron");
        let back: Preferences = ron::from_str(&text).expect("ron");
        assert_eq!(back, prefs);

        let mut config = AgentConfig::with_language(Language::En);
        prefs.apply_to(&mut config);
        assert_eq!(config.language, Language::ZhCn);
        assert_eq!(config.relay_addr, "support.example.com:18000");
        assert!(config.fingerprint.is_some());
        assert_eq!(config.center_id, Some(CenterId(8000007)));
        assert_eq!(config.username.as_deref(), Some("alice"));

        // The command line wins.
        let mut config = AgentConfig::with_language(Language::En);
        config.relay_addr = "10.0.0.1:1".into();
        config.username = Some("bob".into());
        config.language_forced = true;
        prefs.apply_to(&mut config);
        assert_eq!(config.relay_addr, "10.0.0.1:1");
        assert_eq!(config.username.as_deref(), Some("bob"));
        assert_eq!(config.language, Language::En);
    }

    #[test]
    fn old_or_damaged_values_fall_back_to_defaults() {
        // A file from an older version without most fields.
        let back: Preferences = ron::from_str("(sounds: false)").expect("ron");
        assert!(!back.sounds);
        assert_eq!(back.chat_font_size, DEFAULT_CHAT_FONT_SIZE);
        let odd = Preferences {
            chat_font_size: 400.0,
            ..Preferences::default()
        }
        .sanitized();
        assert_eq!(odd.chat_font_size, MAX_CHAT_FONT_SIZE);
        let nan = Preferences {
            chat_font_size: f32::NAN,
            ..Preferences::default()
        }
        .sanitized();
        assert_eq!(nan.chat_font_size, DEFAULT_CHAT_FONT_SIZE);
        for size in [[100.0, 900.0], [f32::INFINITY, 900.0], [1600.0, 1e9]] {
            let layout = RemoteWindowPrefs {
                size: Some(size),
                ..RemoteWindowPrefs::default()
            };
            let prefs = Preferences {
                remote_window: layout,
                ..Preferences::default()
            }
            .sanitized();
            assert_eq!(prefs.remote_window.size, None, "{size:?}");
        }
    }
}
