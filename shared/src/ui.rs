//! UI support shared by the agent console and the customer helper: UI language and CJK fonts.
//!
//! Only compiled with the `ui` feature (it depends on egui, never on eframe or a platform).

use std::sync::Arc;

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

/// Position of a window's top-left corner on the desktop, in points, parsed from `X,Y`
/// (the `--window-pos` option of both apps; useful without a window manager, e.g. under Xvfb).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WindowPos(pub [f32; 2]);

impl std::str::FromStr for WindowPos {
    type Err = String;

    /// Errors: a text that is not two numbers separated by a comma.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("window position {s:?} is not X,Y (e.g. 0,0 or 1300,20)");
        let (x, y) = s.split_once(',').ok_or_else(bad)?;
        let x: f32 = x.trim().parse().map_err(|_| bad())?;
        let y: f32 = y.trim().parse().map_err(|_| bad())?;
        Ok(WindowPos([x, y]))
    }
}

/// A CJK font subset (Noto Sans SC, SIL OFL 1.1; see assets/fonts/OFL.txt) with the 3,500 most
/// common Chinese characters and CJK punctuation, bundled so that Chinese always renders.
pub static BUNDLED_CJK_FONT: &[u8] =
    include_bytes!("../../assets/fonts/NotoSansSC-Porpoise-subset.otf");

/// System fonts tried, in order, after the bundled subset (for rarer characters).
pub const SYSTEM_CJK_FONTS: &[&str] = &[
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "C:\\Windows\\Fonts\\msyh.ttc",
    "C:\\Windows\\Fonts\\simsun.ttc",
];

/// Adds the bundled CJK subset and the first system CJK font found as fallbacks after egui's
/// default fonts. Logs once which system font was used, or that none was found.
pub fn install_fonts(ctx: &egui::Context) {
    let mut fonts = egui::FontDefinitions::default();
    let mut names = vec!["porpoise-cjk".to_owned()];
    fonts.font_data.insert(
        names[0].clone(),
        Arc::new(egui::FontData::from_static(BUNDLED_CJK_FONT)),
    );
    match SYSTEM_CJK_FONTS
        .iter()
        .find_map(|p| std::fs::read(p).ok().map(|b| (p, b)))
    {
        Some((path, bytes)) => {
            tracing::info!(path, "using system CJK font as second fallback");
            names.push("system-cjk".to_owned());
            fonts.font_data.insert(
                names[1].clone(),
                Arc::new(egui::FontData::from_owned(bytes)),
            );
        }
        None => {
            tracing::info!("no system CJK font found; the bundled subset covers common Chinese")
        }
    }
    for family in [egui::FontFamily::Proportional, egui::FontFamily::Monospace] {
        let list = fonts.families.entry(family).or_default();
        list.extend(names.iter().cloned());
    }
    ctx.set_fonts(fonts);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_locales_pick_chinese() {
        assert_eq!(Language::from_locale("zh-CN"), Language::ZhCn);
        assert_eq!(Language::from_locale("zh_CN.UTF-8"), Language::ZhCn);
        assert_eq!(Language::from_locale("en-US"), Language::En);
        assert_eq!(Language::ZhCn.pick("接受", "Accept"), "接受");
    }

    #[test]
    fn window_pos_parses_x_comma_y() {
        assert_eq!(
            "1300, 20".parse::<WindowPos>(),
            Ok(WindowPos([1300.0, 20.0]))
        );
        assert!("1300".parse::<WindowPos>().is_err());
        assert!("a,b".parse::<WindowPos>().is_err());
    }
}
