//! The UI language and the texts both apps and the relay's CLI share (no egui here).

pub mod errors;

/// Language of the UI text. Chinese is the default on a Chinese system locale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Language {
    /// Simplified Chinese (zh-CN).
    ZhCn,
    /// English.
    #[default]
    En,
}

impl Language {
    /// From a BCP-47 / POSIX locale name: `zh*` gives Chinese, anything else English.
    pub fn from_locale(locale: &str) -> Self {
        if locale.to_ascii_lowercase().starts_with("zh") {
            Language::ZhCn
        } else {
            Language::En
        }
    }

    #[cfg(feature = "ui")]
    /// From `PORPOISE_LANG` if set (`zh-CN`, `en`), else the system locale.
    pub fn detect() -> Self {
        if let Ok(forced) = std::env::var("PORPOISE_LANG") {
            return Self::from_locale(&forced);
        }
        sys_locale::get_locale()
            .map(|l| Self::from_locale(&l))
            .unwrap_or_default()
    }

    /// Picks the text for this language.
    pub fn pick(self, zh_cn: &'static str, en: &'static str) -> &'static str {
        match self {
            Language::ZhCn => zh_cn,
            Language::En => en,
        }
    }
}
