//! The branding page (M1 客户端设置, M11 下载链接): the helper's product name, icon, colours
//! and notice area, with a live preview of the helper's header, and the download links and an
//! embed snippet with Copy. Picture files are read and decoded on worker threads
//! ([`porpoise_ui::job::Job`]); decoded previews are cached as textures in egui's memory.

use std::sync::{Arc, Mutex};

use egui::{Color32, RichText};
use porpoise_protocol::wire::{
    Branding, Rgb, MAX_ICON_PNG_BYTES, MAX_ICON_PX, MAX_NOTICE_IMAGE_BYTES, MAX_NOTICE_IMAGE_PX,
};
use porpoise_ui::{job::Job, png_image::decode_png, Language};

use crate::{
    i18n::Msg,
    state::{Intent, Status},
};

/// Side of the icon in the preview header, in points (as in the helper).
const PREVIEW_ICON_SIDE: f32 = 24.0;
/// Height of the notice image in the preview, at most, in points.
const PREVIEW_NOTICE_HEIGHT: f32 = 80.0;
/// Default header colour when the center sets none (the helper's own).
const DEFAULT_PRIMARY: Color32 = Color32::from_rgb(0x2B, 0x57, 0x9A);

/// Which picture a file is loaded into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Picture {
    Icon,
    NoticeImage,
}

impl Picture {
    fn limits(self) -> (usize, u32) {
        match self {
            Picture::Icon => (MAX_ICON_PNG_BYTES, MAX_ICON_PX),
            Picture::NoticeImage => (MAX_NOTICE_IMAGE_BYTES, MAX_NOTICE_IMAGE_PX),
        }
    }
}

type LoadJob = Arc<Mutex<Option<Job<Result<Vec<u8>, String>>>>>;
type DecodeJob = Arc<Mutex<Option<Job<Option<egui::ColorImage>>>>>;

/// Reads a picture file on a worker and checks it decodes within its limits.
fn start_load(ctx: &egui::Context, which: Picture, path: String) {
    let (max_bytes, max_px) = which.limits();
    let job = Job::start("branding-load", Some(ctx), move || {
        let bytes = std::fs::read(path.trim()).map_err(|e| e.to_string())?;
        if bytes.len() > max_bytes {
            return Err(format!("{} > {max_bytes} bytes", bytes.len()));
        }
        decode_png(&bytes, max_bytes, max_px)
            .map(|_| bytes)
            .ok_or_else(|| format!("PNG, at most {max_px}×{max_px} px"))
    });
    let slot: LoadJob = Arc::new(Mutex::new(Some(job)));
    ctx.data_mut(|d| d.insert_temp(egui::Id::unique(("branding-load", which)), slot));
}

/// The loaded bytes when a load finished (`Err` text when it failed).
fn poll_load(ctx: &egui::Context, which: Picture) -> Option<Result<Vec<u8>, String>> {
    let id = egui::Id::unique(("branding-load", which));
    let slot: LoadJob = ctx.data(|d| d.get_temp(id))?;
    let mut guard = slot.lock().ok()?;
    let done = porpoise_ui::job::poll_slot(&mut guard)?;
    drop(guard);
    ctx.data_mut(|d| d.remove::<LoadJob>(id));
    Some(done.unwrap_or_else(|e| Err(e.to_string())))
}

/// The texture of a picture's bytes, decoded on a worker the first time (`None` meanwhile or
/// when it does not decode).
fn texture(ctx: &egui::Context, bytes: &[u8], which: Picture) -> Option<egui::TextureHandle> {
    if bytes.is_empty() {
        return None;
    }
    let key = egui::Id::unique(("branding-texture", which, bytes));
    if let Some(t) = ctx.data(|d| d.get_temp::<egui::TextureHandle>(key)) {
        return Some(t);
    }
    let job_key = key.with("job");
    let slot: DecodeJob = match ctx.data(|d| d.get_temp::<DecodeJob>(job_key)) {
        Some(slot) => slot,
        None => {
            let (max_bytes, max_px) = which.limits();
            let owned = bytes.to_vec();
            let job = Job::start("branding-decode", Some(ctx), move || {
                decode_png(&owned, max_bytes, max_px)
            });
            let slot: DecodeJob = Arc::new(Mutex::new(Some(job)));
            ctx.data_mut(|d| d.insert_temp(job_key, slot.clone()));
            slot
        }
    };
    let done = slot
        .lock()
        .ok()
        .and_then(|mut g| porpoise_ui::job::poll_slot(&mut g))?;
    let image = done.ok().flatten()?;
    let handle = ctx.load_texture(format!("branding-{which:?}"), image, Default::default());
    ctx.data_mut(|d| d.insert_temp(key, handle.clone()));
    Some(handle)
}

fn color(rgb: Rgb) -> Color32 {
    let [r, g, b] = rgb.0;
    Color32::from_rgb(r, g, b)
}

/// Black or white, whichever reads better on `bg`.
fn on(bg: Color32) -> Color32 {
    let luma = 0.299 * f32::from(bg.r()) + 0.587 * f32::from(bg.g()) + 0.114 * f32::from(bg.b());
    if luma > 150.0 {
        Color32::BLACK
    } else {
        Color32::WHITE
    }
}

/// An optional colour: a checkbox and a picker.
fn color_ui(ui: &mut egui::Ui, label: &str, value: &mut Option<Rgb>) {
    let mut on = value.is_some();
    ui.checkbox(&mut on, label);
    match (on, value.as_mut()) {
        (true, Some(rgb)) => {
            ui.color_edit_button_srgb(&mut rgb.0);
        }
        (true, None) => *value = Some(Rgb([0x2B, 0x57, 0x9A])),
        (false, _) => *value = None,
    }
}

/// One picture: its size, a path box with Load, and Remove.
fn picture_ui(
    ui: &mut egui::Ui,
    lang: Language,
    which: Picture,
    bytes: &mut Vec<u8>,
    path: &mut String,
    problem: &mut Option<String>,
) {
    if let Some(done) = poll_load(ui.ctx(), which) {
        match done {
            Ok(loaded) => {
                *bytes = loaded;
                *problem = None;
            }
            Err(e) => *problem = Some(e),
        }
    }
    ui.horizontal(|ui| {
        if bytes.is_empty() {
            ui.label(RichText::new(Msg::NoPicture.text(lang)).weak());
        } else {
            ui.label(format!("{:.1} KB", bytes.len() as f32 / 1024.0));
            if ui.button(Msg::Remove.text(lang)).clicked() {
                bytes.clear();
            }
        }
    });
    ui.horizontal(|ui| {
        let l = ui.label(Msg::PngFile.text(lang));
        ui.add(egui::TextEdit::singleline(path).desired_width(260.0))
            .labelled_by(l.id);
        if ui
            .add_enabled(
                !path.trim().is_empty(),
                egui::Button::new(Msg::Load.text(lang)),
            )
            .clicked()
        {
            start_load(ui.ctx(), which, path.clone());
        }
    });
    if let Some(p) = problem {
        ui.label(RichText::new(p.as_str()).color(ui.visuals().warn_fg_color));
    }
}

/// The helper's header and notice area as a customer will see them.
fn preview_ui(ui: &mut egui::Ui, lang: Language, b: &Branding) {
    let ctx = ui.ctx().clone();
    let primary = b.primary.map_or(DEFAULT_PRIMARY, color);
    let accent = b.accent.map_or(ui.visuals().hyperlink_color, color);
    ui.label(RichText::new(Msg::Preview.text(lang)).strong());
    egui::Frame::new()
        .fill(ui.visuals().panel_fill)
        .stroke(ui.visuals().widgets.noninteractive.bg_stroke)
        .show(ui, |ui| {
            ui.set_width(360.0);
            egui::Frame::new()
                .fill(primary)
                .inner_margin(8.0)
                .show(ui, |ui| {
                    ui.set_width(ui.available_width());
                    ui.horizontal(|ui| {
                        if let Some(t) = texture(&ctx, &b.icon_png, Picture::Icon) {
                            ui.add(egui::Image::new(&t).fit_to_exact_size(egui::vec2(
                                PREVIEW_ICON_SIDE,
                                PREVIEW_ICON_SIDE,
                            )));
                        }
                        let name = if b.product_name.trim().is_empty() {
                            Msg::DefaultProductName.text(lang)
                        } else {
                            b.product_name.as_str()
                        };
                        ui.label(RichText::new(name).color(on(primary)).strong().size(16.0));
                    });
                });
            egui::Frame::new().inner_margin(8.0).show(ui, |ui| {
                if let Some(t) = texture(&ctx, &b.notice.image_png, Picture::NoticeImage) {
                    let size = t.size_vec2();
                    let scale = (PREVIEW_NOTICE_HEIGHT / size.y).min(1.0);
                    ui.add(egui::Image::new(&t).fit_to_exact_size(size * scale));
                }
                if !b.notice.text.trim().is_empty() {
                    ui.label(&b.notice.text);
                }
                if !b.notice.link.trim().is_empty() {
                    ui.label(RichText::new(&b.notice.link).color(accent).underline());
                }
            });
        });
}

/// Copyable download links and an embed snippet (M11).
fn links_ui(ui: &mut egui::Ui, lang: Language, page: Option<&str>) {
    ui.label(RichText::new(Msg::DownloadLinks.text(lang)).strong());
    let Some(page) = page else {
        ui.label(RichText::new(Msg::NoDownloads.text(lang)).weak());
        return;
    };
    let snippet = format!(
        "<a href=\"{page}\" target=\"_blank\" rel=\"noopener\">{}</a>",
        Msg::GetHelp.text(lang)
    );
    let rows = [
        (Msg::DownloadPage, page.to_owned()),
        (Msg::HelperLinux, format!("{page}helper/linux")),
        (Msg::HelperWindows, format!("{page}helper/windows")),
        (Msg::EmbedSnippet, snippet),
    ];
    egui::Grid::new("download-links")
        .num_columns(3)
        .show(ui, |ui| {
            for (label, text) in rows {
                ui.label(label.text(lang));
                ui.label(RichText::new(&text).monospace());
                if ui.button(Msg::Copy.text(lang)).clicked() {
                    ui.ctx().copy_text(text);
                }
                ui.end_row();
            }
        });
}

/// The branding page on the admin window's copy of the draft; Save reports
/// [`Intent::SaveBranding`].
#[allow(clippy::too_many_arguments)]
pub fn branding_ui(
    ui: &mut egui::Ui,
    lang: Language,
    draft: &mut Branding,
    download_page: Option<&str>,
    paths: &mut [String; 2],
    problems: &mut [Option<String>; 2],
    status: &Status,
    intents: &mut Vec<Intent>,
) {
    egui::ScrollArea::vertical()
        .max_height(560.0)
        .show(ui, |ui| {
            branding_body(ui, lang, draft, download_page, paths, problems)
        });
    ui.separator();
    super::super::status_ui(ui, status);
    if ui
        .add_enabled(!status.busy(), egui::Button::new(Msg::Save.text(lang)))
        .clicked()
    {
        intents.push(Intent::SaveBranding);
    }
}

/// The fields, the preview beside them and the links below.
fn branding_body(
    ui: &mut egui::Ui,
    lang: Language,
    draft: &mut Branding,
    download_page: Option<&str>,
    paths: &mut [String; 2],
    problems: &mut [Option<String>; 2],
) {
    ui.horizontal_top(|ui| {
        ui.vertical(|ui| {
            egui::Grid::new("branding-fields")
                .num_columns(2)
                .show(ui, |ui| {
                    let l = ui.label(Msg::ProductName.text(lang));
                    ui.text_edit_singleline(&mut draft.product_name)
                        .labelled_by(l.id);
                    ui.end_row();
                    ui.label(Msg::Colors.text(lang));
                    ui.vertical(|ui| {
                        color_ui(ui, Msg::PrimaryColor.text(lang), &mut draft.primary);
                        color_ui(ui, Msg::AccentColor.text(lang), &mut draft.accent);
                    });
                    ui.end_row();
                    ui.label(Msg::Icon.text(lang));
                    ui.vertical(|ui| {
                        let [icon_path, _] = paths;
                        let [icon_problem, _] = problems;
                        picture_ui(
                            ui,
                            lang,
                            Picture::Icon,
                            &mut draft.icon_png,
                            icon_path,
                            icon_problem,
                        );
                    });
                    ui.end_row();
                    let l = ui.label(Msg::NoticeTextLabel.text(lang));
                    ui.add(egui::TextEdit::multiline(&mut draft.notice.text).desired_rows(2))
                        .labelled_by(l.id);
                    ui.end_row();
                    let l = ui.label(Msg::NoticeLinkLabel.text(lang));
                    ui.text_edit_singleline(&mut draft.notice.link)
                        .labelled_by(l.id);
                    ui.end_row();
                    ui.label(Msg::NoticeImage.text(lang));
                    ui.vertical(|ui| {
                        let [_, image_path] = paths;
                        let [_, image_problem] = problems;
                        picture_ui(
                            ui,
                            lang,
                            Picture::NoticeImage,
                            &mut draft.notice.image_png,
                            image_path,
                            image_problem,
                        );
                    });
                    ui.end_row();
                });
        });
        ui.add_space(12.0);
        ui.vertical(|ui| preview_ui(ui, lang, draft));
    });
    ui.separator();
    links_ui(ui, lang, download_page);
}
