//! The center's branding in the helper window (C1, M1): window title and icon, theme colours,
//! a header with the product name and a notice area (text, image, link).
//!
//! Branding arrives in the download's signed trailer (so the first window is branded before
//! connecting) and again in the relay's Welcome (so a plain helper and later changes show too).
//! Images are decoded within the limits of [`porpoise_protocol::wire`]; a broken image is left
//! out, never fatal. A notice link opens in the system browser only when clicked, and only if
//! it is `https://`. The helper never fetches a URL itself.

use std::sync::Arc;

use egui::{Color32, ColorImage, RichText, TextureHandle, TextureOptions, ViewportCommand};
use porpoise_protocol::wire::{
    check_https_link, Branding, BrandingError, Rgb, MAX_ICON_PNG_BYTES, MAX_ICON_PX,
    MAX_NOTICE_IMAGE_BYTES, MAX_NOTICE_IMAGE_PX,
};

use crate::i18n::Tr;

/// Height of the notice image in the window, at most, in points.
const NOTICE_IMAGE_MAX_HEIGHT: f32 = 80.0;
/// Side of the icon in the header, in points.
const HEADER_ICON_SIDE: f32 = 24.0;

pub use porpoise_ui::png_image::decode_png;

/// The window icon of `branding`, if it has a valid one.
pub fn icon_data(branding: &Branding) -> Option<egui::IconData> {
    let image = decode_png(&branding.icon_png, MAX_ICON_PNG_BYTES, MAX_ICON_PX)?;
    let [w, h] = image.size;
    Some(egui::IconData {
        rgba: image
            .pixels
            .iter()
            .flat_map(|c| c.to_srgba_unmultiplied())
            .collect(),
        width: w as u32,
        height: h as u32,
    })
}

/// The window title: the product name, or the default title.
pub fn window_title(branding: Option<&Branding>, tr: Tr) -> String {
    branding
        .map(|b| b.product_name.trim())
        .filter(|n| !n.is_empty())
        .map_or_else(|| tr.app_title().to_owned(), str::to_owned)
}

fn color(rgb: Rgb) -> Color32 {
    Color32::from_rgb(rgb.0[0], rgb.0[1], rgb.0[2])
}

/// Text colour readable on `bg` (black or white by perceived luminance).
fn on(bg: Color32) -> Color32 {
    let l = 0.299 * f32::from(bg.r()) + 0.587 * f32::from(bg.g()) + 0.114 * f32::from(bg.b());
    if l > 150.0 {
        Color32::BLACK
    } else {
        Color32::WHITE
    }
}

/// Applies the branding colours to `ctx`'s style: buttons and selection in the primary colour,
/// links and highlights in the accent colour.
pub fn apply_theme(ctx: &egui::Context, branding: &Branding) {
    let primary = branding.primary.map(color);
    let accent = branding.accent.map(color).or(primary);
    ctx.all_styles_mut(|style| {
        let v = &mut style.visuals;
        if let Some(p) = primary {
            v.selection.bg_fill = p;
            v.selection.stroke.color = on(p);
            v.widgets.inactive.weak_bg_fill = p;
            v.widgets.inactive.bg_fill = p;
            v.widgets.inactive.fg_stroke.color = on(p);
            v.widgets.hovered.weak_bg_fill = p.gamma_multiply(0.85);
            v.widgets.hovered.bg_fill = p.gamma_multiply(0.85);
            v.widgets.hovered.fg_stroke.color = on(p);
            v.widgets.active.weak_bg_fill = p.gamma_multiply(0.7);
            v.widgets.active.bg_fill = p.gamma_multiply(0.7);
            v.widgets.active.fg_stroke.color = on(p);
        }
        if let Some(a) = accent {
            v.hyperlink_color = a;
            v.widgets.hovered.bg_stroke.color = a;
        }
    });
}

/// Opens `url` in the system browser with the `open` crate: `ShellExecuteW` on Windows (no
/// `cmd` command line, so `%VAR%`, `&` or `^` in a URL mean nothing; unverified on this Linux
/// build machine), `xdg-open` and its kin elsewhere, detached. Only `https://` URLs without
/// whitespace, control characters or quotes are opened ([`check_https_link`]); the helper does
/// not fetch anything itself.
///
/// Errors: a message (the [`BrandingError::BadLink`] text for a non-https URL, or the I/O
/// error if no opener could be started).
pub fn open_link(url: &str) -> Result<(), String> {
    check_https_link(url).map_err(|e: BrandingError| e.to_string())?;
    open::that_detached(url).map_err(|e| e.to_string())
}

/// The branding shown in the window, with its images decoded once.
pub struct ShownBranding {
    /// The branding.
    pub branding: Branding,
    icon: Option<ColorImage>,
    notice_image: Option<ColorImage>,
    icon_texture: Option<TextureHandle>,
    notice_texture: Option<TextureHandle>,
    applied: bool,
    /// The last link click's failure, shown under the notice.
    link_error: Option<String>,
    /// Links clicked (for tests: the helper hands them to the browser, never fetches them).
    pub opened_links: Vec<String>,
    /// Open clicked links with [`open_link`] (false in tests).
    pub open_in_browser: bool,
}

impl std::fmt::Debug for ShownBranding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ShownBranding")
            .field("branding", &self.branding)
            .field("opened_links", &self.opened_links)
            .finish_non_exhaustive()
    }
}

impl ShownBranding {
    /// Decodes the images of `branding` (a broken one is left out).
    pub fn new(branding: Branding) -> Self {
        let icon = decode_png(&branding.icon_png, MAX_ICON_PNG_BYTES, MAX_ICON_PX);
        let notice_image = decode_png(
            &branding.notice.image_png,
            MAX_NOTICE_IMAGE_BYTES,
            MAX_NOTICE_IMAGE_PX,
        );
        ShownBranding {
            branding,
            icon,
            notice_image,
            icon_texture: None,
            notice_texture: None,
            applied: false,
            link_error: None,
            opened_links: Vec::new(),
            open_in_browser: true,
        }
    }

    /// Sets title, icon and theme once (call every frame; does nothing after the first).
    pub fn apply(&mut self, ctx: &egui::Context, tr: Tr) {
        if self.applied {
            return;
        }
        self.applied = true;
        apply_theme(ctx, &self.branding);
        ctx.send_viewport_cmd(ViewportCommand::Title(window_title(
            Some(&self.branding),
            tr,
        )));
        if let Some(icon) = icon_data(&self.branding) {
            ctx.send_viewport_cmd(ViewportCommand::Icon(Some(Arc::new(icon))));
        }
    }

    /// The header: icon and product name on the primary colour. Nothing without a name.
    pub fn header_ui(&mut self, ui: &mut egui::Ui) {
        let name = self.branding.product_name.trim().to_owned();
        if name.is_empty() {
            return;
        }
        let fill = self.branding.primary.map_or(ui.visuals().panel_fill, color);
        let text_color = on(fill);
        if self.icon_texture.is_none() {
            if let Some(icon) = self.icon.take() {
                self.icon_texture = Some(ui.ctx().load_texture(
                    "brand-icon",
                    icon,
                    TextureOptions::LINEAR,
                ));
            }
        }
        let frame = egui::Frame::new()
            .fill(fill)
            .inner_margin(egui::Margin::symmetric(10, 8));
        egui::Panel::top("brand_header")
            .frame(frame)
            .show(ui, |ui| {
                ui.horizontal(|ui| {
                    if let Some(t) = &self.icon_texture {
                        ui.add(
                            egui::Image::new(t)
                                .fit_to_exact_size(egui::vec2(HEADER_ICON_SIDE, HEADER_ICON_SIDE)),
                        );
                    }
                    ui.label(RichText::new(name).strong().size(18.0).color(text_color));
                });
            });
    }

    /// The notice area at the bottom of the window: image, text and link. Nothing if empty.
    /// `compact` (during a session, when the chat needs the room): one line of text and the
    /// link, no image.
    pub fn notice_ui(&mut self, ui: &mut egui::Ui, tr: Tr, compact: bool) {
        if self.branding.notice.is_empty() {
            return;
        }
        if self.notice_texture.is_none() {
            if let Some(image) = self.notice_image.take() {
                self.notice_texture = Some(ui.ctx().load_texture(
                    "brand-notice",
                    image,
                    TextureOptions::LINEAR,
                ));
            }
        }
        let accent = self
            .branding
            .accent
            .or(self.branding.primary)
            .map_or(ui.visuals().widgets.noninteractive.bg_stroke.color, color);
        let frame = egui::Frame::new()
            .fill(ui.visuals().faint_bg_color)
            .stroke(egui::Stroke::new(1.0, accent))
            .inner_margin(egui::Margin::same(8));
        egui::Panel::bottom("brand_notice")
            .frame(frame)
            .show(ui, |ui| {
                if !compact {
                    ui.label(RichText::new(tr.notice_heading()).small().weak());
                }
                if let Some(t) = self.notice_texture.as_ref().filter(|_| !compact) {
                    let size = t.size_vec2();
                    let scale = (ui.available_width() / size.x)
                        .min(NOTICE_IMAGE_MAX_HEIGHT / size.y)
                        .min(1.0);
                    ui.add(
                        egui::Image::new(t)
                            .fit_to_exact_size(size * scale)
                            .alt_text(tr.notice_image()),
                    );
                }
                let text = self.branding.notice.text.trim();
                if !text.is_empty() {
                    if compact {
                        ui.add(egui::Label::new(text).truncate());
                    } else {
                        ui.label(text);
                    }
                }
                let link = self.branding.notice.link.clone();
                if !link.is_empty() && check_https_link(&link).is_ok() {
                    let clicked = ui.link(tr.notice_link()).on_hover_text(&link).clicked();
                    if clicked {
                        self.opened_links.push(link.clone());
                        self.link_error = if self.open_in_browser {
                            open_link(&link).err()
                        } else {
                            None
                        };
                    }
                }
                if let Some(err) = &self.link_error {
                    ui.colored_label(ui.visuals().error_fg_color, tr.link_failed(err));
                }
            });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use porpoise_ui::Language;

    #[test]
    fn title_falls_back_to_the_default() {
        let tr = Tr(Language::En);
        assert_eq!(window_title(None, tr), tr.app_title());
        let mut b = Branding::default();
        assert_eq!(window_title(Some(&b), tr), tr.app_title());
        b.product_name = "Acme Help".into();
        assert_eq!(window_title(Some(&b), tr), "Acme Help");
    }

    #[test]
    fn non_https_links_are_never_opened() {
        assert!(open_link("http://example.com").is_err());
        assert!(open_link("file:///etc/passwd").is_err());
    }

    #[test]
    fn broken_images_are_left_out() {
        assert!(decode_png(b"not a png", MAX_ICON_PNG_BYTES, MAX_ICON_PX).is_none());
        let b = Branding {
            icon_png: b"\x89PNG\r\n\x1a\nbroken".to_vec(),
            ..Branding::default()
        };
        assert!(icon_data(&b).is_none());
    }
}
