//! Porpoise UI kit, shared by the agent console and the customer helper: the UI language and
//! CJK fonts (this module), chat pictures with their thumbnails and viewer
//! ([`chat_pictures`]), the remote screen's texture ([`screen_view`]), worker jobs polled per
//! frame ([`job`]) and chat transcripts as text ([`transcript`]).
//!
//! It depends on egui, never on eframe, winit or a platform.

pub mod chat_pictures;
pub mod job;
pub mod png_image;
pub mod screen_view;
pub mod transcript;

use std::sync::{Arc, OnceLock};

pub use porpoise_protocol::lang::{errors, Language};

/// The UI language: from `PORPOISE_LANG` if set (`zh-CN`, `en`), else the system locale.
pub fn detect_language() -> Language {
    if let Ok(forced) = std::env::var("PORPOISE_LANG") {
        return Language::from_locale(&forced);
    }
    sys_locale::get_locale()
        .map(|l| Language::from_locale(&l))
        .unwrap_or_default()
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

/// The bundled CJK font subset as stored in the binary: zstd level 19 (1.27 MB instead of
/// 1.87 MB; issue 6, helper footprint). Use [`bundled_cjk_font`] for the font itself.
static BUNDLED_CJK_FONT_ZST: &[u8] =
    include_bytes!("../../../assets/fonts/NotoSansSC-Porpoise-subset.otf.zst");

/// Upper bound, in bytes, of the decompressed [`bundled_cjk_font`] (the font is 1.87 MB); a
/// larger result is refused as a corrupt asset.
pub const BUNDLED_CJK_FONT_MAX_BYTES: usize = 4 << 20;

/// A CJK font subset (Noto Sans SC, SIL OFL 1.1; see assets/fonts/OFL.txt) with the 3,500 most
/// common Chinese characters, CJK punctuation, ASCII, Latin-1 and general punctuation, bundled
/// so that Chinese always renders (and embedded in the agent's PDF transcripts, A7).
///
/// Returns the OpenType (CFF) bytes, decompressed from the zstd-compressed asset on the first
/// call (about 10 ms) and kept for the life of the process (issue 6: the compressed asset saves
/// 0.6 MB of binary).
///
/// # Panics
/// If the bundled asset does not decompress (a broken build; the unit tests check it).
pub fn bundled_cjk_font() -> &'static [u8] {
    static FONT: OnceLock<Vec<u8>> = OnceLock::new();
    FONT.get_or_init(|| {
        zstd::bulk::decompress(BUNDLED_CJK_FONT_ZST, BUNDLED_CJK_FONT_MAX_BYTES)
            .expect("the bundled CJK font asset (assets/fonts/*.otf.zst) must decompress")
    })
}

/// A subset of Noto Emoji (monochrome, SIL OFL 1.1) with exactly the chat pickers' emoji (C4,
/// A7) and the few symbols (▶ ◀ ↔ ◻ ✔ ✖ ⚠) the helper shows that the CJK subset lacks; see
/// assets/fonts/README.md. 24 KB instead of egui's 1.4 MB of default and emoji fonts.
pub static BUNDLED_EMOJI_FONT: &[u8] =
    include_bytes!("../../../assets/fonts/NotoEmoji-Porpoise-subset.ttf");

/// Font name of [`bundled_cjk_font`] in egui's [`egui::FontDefinitions`].
pub const CJK_FONT_NAME: &str = "porpoise-cjk";
/// Font name of [`BUNDLED_EMOJI_FONT`] in egui's [`egui::FontDefinitions`].
pub const EMOJI_FONT_NAME: &str = "porpoise-emoji";
/// Font name of the first of [`SYSTEM_CJK_FONTS`] found, in egui's [`egui::FontDefinitions`].
pub const SYSTEM_CJK_FONT_NAME: &str = "system-cjk";

/// System fonts tried, in order, after the bundled subset (for rarer characters).
pub const SYSTEM_CJK_FONTS: &[&str] = &[
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "C:\\Windows\\Fonts\\msyh.ttc",
    "C:\\Windows\\Fonts\\simsun.ttc",
];

/// Adds the bundled CJK subset and the first system CJK font found as fallbacks after egui's
/// default fonts (the agent console). Logs once which system font was used, or that none was
/// found.
pub fn install_fonts(ctx: &egui::Context) {
    let mut fonts = egui::FontDefinitions::default();
    let mut names = vec![CJK_FONT_NAME.to_owned()];
    fonts.font_data.insert(
        names[0].clone(),
        Arc::new(egui::FontData::from_static(bundled_cjk_font())),
    );
    names.extend(add_system_cjk_font(&mut fonts));
    for family in [egui::FontFamily::Proportional, egui::FontFamily::Monospace] {
        let list = fonts.families.entry(family).or_default();
        list.extend(names.iter().cloned());
    }
    ctx.set_fonts(fonts);
}

/// Loads the first of [`SYSTEM_CJK_FONTS`] found into `fonts` as [`SYSTEM_CJK_FONT_NAME`] and
/// returns that name, or `None` when there is none. Logs which one was used.
fn add_system_cjk_font(fonts: &mut egui::FontDefinitions) -> Option<String> {
    match SYSTEM_CJK_FONTS
        .iter()
        .find_map(|p| std::fs::read(p).ok().map(|b| (p, b)))
    {
        Some((path, bytes)) => {
            tracing::info!(path, "using system CJK font as a fallback");
            fonts.font_data.insert(
                SYSTEM_CJK_FONT_NAME.to_owned(),
                Arc::new(egui::FontData::from_owned(bytes)),
            );
            Some(SYSTEM_CJK_FONT_NAME.to_owned())
        }
        None => {
            tracing::info!("no system CJK font found; the bundled subset covers common Chinese");
            None
        }
    }
}

/// The customer helper's fonts (issue 6, footprint), built from scratch without egui's default
/// fonts: [`bundled_cjk_font`] (Chinese, ASCII, Latin-1, punctuation) then
/// [`BUNDLED_EMOJI_FONT`], for both the Proportional and the Monospace family. With
/// `system_cjk_fallback`, the first of [`SYSTEM_CJK_FONTS`] found is added last, for rare Chinese
/// characters outside the subset (typed names, addresses).
pub fn compact_font_definitions(system_cjk_fallback: bool) -> egui::FontDefinitions {
    let mut fonts = egui::FontDefinitions::empty();
    fonts.font_data.insert(
        CJK_FONT_NAME.to_owned(),
        Arc::new(egui::FontData::from_static(bundled_cjk_font())),
    );
    fonts.font_data.insert(
        EMOJI_FONT_NAME.to_owned(),
        Arc::new(egui::FontData::from_static(BUNDLED_EMOJI_FONT)),
    );
    let mut names = vec![CJK_FONT_NAME.to_owned(), EMOJI_FONT_NAME.to_owned()];
    if system_cjk_fallback {
        names.extend(add_system_cjk_font(&mut fonts));
    }
    for family in [egui::FontFamily::Proportional, egui::FontFamily::Monospace] {
        fonts.families.insert(family, names.clone());
    }
    fonts
}

/// Installs [`compact_font_definitions`] without the system fallback: exactly the two bundled
/// subsets, so that UI tests (egui_kittest panics on a missing glyph) check what every customer
/// sees. The helper itself uses [`install_fonts_compact_with_system_fallback`].
pub fn install_fonts_compact(ctx: &egui::Context) {
    ctx.set_fonts(compact_font_definitions(false));
}

/// Installs [`compact_font_definitions`] with the system CJK fallback: the customer helper's
/// fonts at run time (issue 6).
pub fn install_fonts_compact_with_system_fallback(ctx: &egui::Context) {
    ctx.set_fonts(compact_font_definitions(true));
}

/// Inserts `text` into `draft`, the text of the [`egui::TextEdit`] with id `id`, at its cursor
/// (at the end when it has none), moves the cursor after it and asks for the input's focus on
/// the next frame (a click in a menu would take it away now); the input takes it with
/// [`take_focus_request`].
pub fn insert_at_cursor(ctx: &egui::Context, id: egui::Id, draft: &mut String, text: &str) {
    let mut state = egui::text_edit::TextEditState::load(ctx, id).unwrap_or_default();
    let chars = draft.chars().count();
    let at = state
        .cursor
        .char_range()
        .map_or(chars, |r| usize::from(r.primary.index).min(chars));
    let byte = draft.char_indices().nth(at).map_or(draft.len(), |(b, _)| b);
    draft.insert_str(byte, text);
    let after = egui::text::CCursor::new(at + text.chars().count());
    state
        .cursor
        .set_char_range(Some(egui::text::CCursorRange::one(after)));
    state.store(ctx, id);
    ctx.data_mut(|d| d.insert_temp(focus_next_id(id), true));
}

/// True once after [`insert_at_cursor`] on input `id`: the input should request the focus.
pub fn take_focus_request(ctx: &egui::Context, id: egui::Id) -> bool {
    ctx.data_mut(|d| d.remove_temp::<bool>(focus_next_id(id))) == Some(true)
}

fn focus_next_id(input: egui::Id) -> egui::Id {
    input.with("focus-next")
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

    fn compact_fonts() -> egui::epaint::text::Fonts {
        egui::epaint::text::Fonts::new(Default::default(), compact_font_definitions(false))
    }

    #[test]
    fn decompressed_cjk_font_has_chinese_and_latin() {
        let font = bundled_cjk_font();
        assert!(font.starts_with(b"OTTO"), "an OpenType CFF font");
        let mut fonts = egui::epaint::text::Fonts::new(Default::default(), {
            let mut defs = egui::FontDefinitions::empty();
            defs.font_data.insert(
                CJK_FONT_NAME.to_owned(),
                Arc::new(egui::FontData::from_static(font)),
            );
            defs.families.insert(
                egui::FontFamily::Proportional,
                vec![CJK_FONT_NAME.to_owned()],
            );
            defs
        });
        let id = egui::FontId::proportional(14.0);
        assert!(fonts.has_glyphs(&id, "你好 Hello"));
        assert!(
            !fonts.has_glyph(&id, '😀'),
            "emoji come from the emoji subset"
        );
    }

    #[test]
    fn compact_fonts_cover_chinese_latin_emoji_and_symbols_in_both_families() {
        let mut fonts = compact_fonts();
        for id in [
            egui::FontId::proportional(14.0),
            egui::FontId::monospace(14.0),
        ] {
            assert!(fonts.has_glyphs(&id, "你好 Hello, café «»…—"));
            assert!(fonts.has_glyphs(&id, "😀👍❤☕✅🔧▶◀↔◻"));
        }
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
