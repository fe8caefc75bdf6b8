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

    /// Picks the text for this language.
    pub fn pick(self, zh_cn: &'static str, en: &'static str) -> &'static str {
        match self {
            Language::ZhCn => zh_cn,
            Language::En => en,
        }
    }
}

/// "1.5 MB"-style size for the UI (binary units shown as KB/MB/GB, one decimal).
pub fn format_bytes(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KB", "MB", "GB", "TB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}
