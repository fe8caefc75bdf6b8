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

/// True for invisible characters that change how a name reads: bidirectional controls
/// (U+202E makes `invoice<U+202E>fdp.exe` read as `invoiceexe.pdf`), marks,
/// isolates, zero-width characters and the byte-order mark. Such characters are dropped from
/// received file names and refused in customer names (issue 14).
pub fn is_deceptive(c: char) -> bool {
    matches!(
        c,
        '\u{061C}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2069}'
            | '\u{FEFF}'
            | '\u{FFF9}'..='\u{FFFB}'
    )
}
