//! The customer's screen: the view in the remote window ([`stream_ui`], fit to the window with
//! its aspect ratio kept or 1:1 with scroll bars, fps and KB/frame in a corner; while remote
//! control is granted, the agent's mouse and keyboard over the focused view go to the
//! customer's computer), its image settings ([`image_settings_ui`]) and the live thumbnail in
//! the session tab ([`thumbnail_ui`]).

use egui::{Align2, Color32, CursorIcon, EventFilter, FontId, Rect, RichText, Sense};
use porpoise_codec::stream::{ImageQuality, SCALE_PERCENTS};
use porpoise_protocol::wire::SessionId;
use porpoise_ui::{
    job::{poll_slot, Job},
    Language,
};

use crate::{
    i18n::{self, Msg},
    screen::{fit_rect, quality_label, remote_px_from_ui_pt, ScreenStream, BANDWIDTH_CAPS_KBPS},
    state::{Intent, ScreenView, SessionTab},
};

/// The screen column of a session tab while the customer's screen is shown (issue 15): the
/// screen itself is in its own remote window ([`super::remote`]); here a live thumbnail that
/// brings that window forward when clicked, or what the stream is waiting for or why it ended.
pub fn thumbnail_ui(
    ui: &mut egui::Ui,
    lang: Language,
    tab: &SessionTab,
    screens: &std::collections::HashMap<SessionId, ScreenStream>,
) {
    let session_id = tab.session_id;
    match (&tab.screen, screens.get(&session_id)) {
        (ScreenView::Off, _) | (ScreenView::Streaming, None) => {
            ui.label(RichText::new(Msg::ScreenWaiting.text(lang)).weak());
        }
        (ScreenView::Ended { error }, _) => {
            let text = match error {
                Some(e) => i18n::with_detail(lang, Msg::ScreenEnded, e),
                None => Msg::ScreenEnded.text(lang).to_owned(),
            };
            ui.label(RichText::new(text).weak());
        }
        (ScreenView::Streaming, Some(stream)) => {
            ui.horizontal(|ui| {
                let [w, h] = stream.size();
                let height = super::session::THUMBNAIL_HEIGHT;
                let width = if w > 0 && h > 0 {
                    (height * w as f32 / h as f32).min(height * 3.0)
                } else {
                    height * 16.0 / 9.0
                };
                let (rect, response) =
                    ui.allocate_exact_size(egui::vec2(width, height), Sense::click());
                response.widget_info(|| {
                    egui::WidgetInfo::labeled(
                        egui::Role::Image,
                        true,
                        Msg::ScreenThumbnail.text(lang),
                    )
                });
                let painter = ui.painter_at(rect);
                painter.rect_filled(rect, 0.0, Color32::from_gray(24));
                if stream.view.texture().is_some() {
                    stream
                        .view
                        .paint(&painter, fit_rect(rect, stream.size()), None);
                }
                let response = response.on_hover_cursor(CursorIcon::PointingHand);
                if response.clicked() {
                    ui.ctx().send_viewport_cmd_to(
                        super::remote::viewport_id(session_id),
                        egui::ViewportCommand::Focus,
                    );
                }
                ui.add(
                    egui::Label::new(RichText::new(Msg::ShownInWindow.text(lang)).weak().small())
                        .wrap(),
                );
            });
        }
    }
}

/// The customer's screen in the remote window: scaled to fit the area, or at 1:1 (one
/// customer pixel per screen pixel) with scroll bars, as `stream.window` says, with the fps
/// overlay; while controlling, the agent's input over it goes to the customer as
/// [`Intent::SendInput`]. `tab` is the stream's session. With `focus_first`, the view takes the keyboard as soon as nothing
/// else in its window has it (the remote window: every key goes to the customer).
pub fn stream_ui(
    ui: &mut egui::Ui,
    lang: Language,
    tab: &SessionTab,
    stream: &mut ScreenStream,
    focus_first: bool,
    intents: &mut Vec<Intent>,
) {
    let (session_id, controlling) = (tab.session_id, tab.controlling());
    let stills = stream.view.sync(ui.ctx(), ui.input(|i| i.time));
    for still in stills {
        if stream.still_requested == Some(still.id) {
            // PNG encoding and the file write run on a worker thread (issue 12).
            let customer = tab.customer_name.clone();
            stream.saving = Some(Job::start("screenshot-save", Some(ui.ctx()), move || {
                crate::screenshot::save_png(&customer, &still)
            }));
        }
    }
    if let Some(saved) = poll_slot(&mut stream.saving) {
        stream.screenshot = Some(saved.map_err(|e| e.to_string()).and_then(|r| r));
    }
    let sense = if controlling {
        Sense::click_and_drag() | Sense::FOCUSABLE
    } else {
        Sense::hover()
    };
    let area = ui.available_rect_before_wrap();
    ui.painter_at(area)
        .rect_filled(area, 0.0, Color32::from_gray(24));
    if stream.view.texture().is_none() {
        let response = ui.allocate_rect(area, Sense::hover());
        response.widget_info(|| {
            egui::WidgetInfo::labeled(egui::Role::Image, true, Msg::CustomerScreen.text(lang))
        });
        ui.painter_at(area).text(
            area.center(),
            Align2::CENTER_CENTER,
            Msg::ScreenWaiting.text(lang),
            FontId::proportional(14.0),
            Color32::GRAY,
        );
        return;
    }
    if stream.window.actual_size {
        // 1:1: one customer pixel on one physical pixel of the agent's screen.
        let [w, h] = stream.size();
        let ppp = ui.ctx().pixels_per_point();
        let size = egui::vec2(w as f32 / ppp, h as f32 / ppp);
        egui::ScrollArea::both()
            .id_salt(("remote-scroll", session_id))
            .auto_shrink([false, false])
            .show(ui, |ui| {
                let (image_rect, response) = ui.allocate_exact_size(size, sense);
                view_ui(
                    ui,
                    lang,
                    session_id,
                    stream,
                    controlling,
                    focus_first,
                    &response,
                    image_rect,
                    intents,
                );
            });
    } else {
        let response = ui.allocate_rect(area, sense);
        let image_rect = fit_rect(area, stream.size());
        view_ui(
            ui,
            lang,
            session_id,
            stream,
            controlling,
            focus_first,
            &response,
            image_rect,
            intents,
        );
    }
}

/// Paints the screen into `image_rect` (inside `response`'s rect) and handles control.
#[allow(clippy::too_many_arguments)]
fn view_ui(
    ui: &mut egui::Ui,
    lang: Language,
    session_id: SessionId,
    stream: &mut ScreenStream,
    controlling: bool,
    focus_first: bool,
    response: &egui::Response,
    image_rect: Rect,
    intents: &mut Vec<Intent>,
) {
    response.widget_info(|| {
        egui::WidgetInfo::labeled(egui::Role::Image, true, Msg::CustomerScreen.text(lang))
    });
    if controlling && focus_first && ui.memory(|m| m.focused().is_none()) {
        response.request_focus();
    }
    let painter = ui.painter_at(response.rect);
    // While controlling, the remote cursor follows the agent's own pointer at once.
    let local_pointer = (controlling && response.has_focus())
        .then(|| response.hover_pos())
        .flatten()
        .filter(|p| image_rect.contains(*p));
    stream.view.paint(&painter, image_rect, local_pointer);
    stats_overlay(&painter, image_rect.intersect(response.rect), stream);
    // Keep painting while frames arrive: the decode thread also asks for repaints.
    if controlling {
        control_ui(ui, lang, session_id, stream, response, image_rect, intents);
    } else if stream.input.holds_anything() {
        release(session_id, stream, intents);
    }
}

/// Image quality, scale, monitor, bandwidth cap and screenshot (A9, A12), laid out in the
/// caller's row (the remote window's toolbar).
pub fn image_settings_ui(
    ui: &mut egui::Ui,
    lang: Language,
    session_id: SessionId,
    stream: &mut ScreenStream,
) {
    {
        let mut settings = stream.settings;
        let label = ui.label(Msg::ImageQuality.text(lang));
        egui::ComboBox::from_id_salt(("image-quality", session_id))
            .selected_text(quality_label(lang, settings.quality))
            .show_ui(ui, |ui| {
                for q in [
                    ImageQuality::Best,
                    ImageQuality::Balanced,
                    ImageQuality::Low,
                    ImageQuality::Custom(settings.quality.jpeg_quality()),
                ] {
                    let selected =
                        std::mem::discriminant(&settings.quality) == std::mem::discriminant(&q);
                    let label = match q {
                        ImageQuality::Custom(_) => Msg::QualityCustom.text(lang).to_owned(),
                        q => quality_label(lang, q),
                    };
                    if ui.selectable_label(selected, label).clicked() {
                        settings.quality = q;
                    }
                }
            })
            .response
            .labelled_by(label.id);
        if let ImageQuality::Custom(mut q) = settings.quality {
            let slider = egui::Slider::new(&mut q, 10..=100).text("JPEG");
            if ui.add(slider).changed() {
                settings.quality = ImageQuality::Custom(q);
            }
        }
        ui.separator();
        let label = ui.label(Msg::Scale.text(lang));
        egui::ComboBox::from_id_salt(("image-scale", session_id))
            .selected_text(format!("{} %", settings.scale_percent))
            .show_ui(ui, |ui| {
                for scale in SCALE_PERCENTS {
                    ui.selectable_value(&mut settings.scale_percent, scale, format!("{scale} %"));
                }
            })
            .response
            .labelled_by(label.id);
        if stream.view.monitors.len() > 1 {
            ui.separator();
            let label = ui.label(Msg::Monitor.text(lang));
            let name = |i: u32| {
                stream.view.monitors.get(i as usize).map_or_else(
                    || format!("{}", i + 1),
                    |m| format!("{} · {}×{}", m.name, m.width, m.height),
                )
            };
            egui::ComboBox::from_id_salt(("monitor", session_id))
                .selected_text(name(settings.monitor))
                .show_ui(ui, |ui| {
                    for i in 0..stream.view.monitors.len() as u32 {
                        ui.selectable_value(&mut settings.monitor, i, name(i));
                    }
                })
                .response
                .labelled_by(label.id);
        }
        ui.separator();
        let label = ui.label(Msg::BandwidthCap.text(lang));
        let cap_label = |kbps: u32| match kbps {
            0 => Msg::NoCap.text(lang).to_owned(),
            k if k >= 1000 => format!("{} Mbit/s", k / 1000),
            k => format!("{k} kbit/s"),
        };
        egui::ComboBox::from_id_salt(("bandwidth-cap", session_id))
            .selected_text(cap_label(settings.max_kbps))
            .show_ui(ui, |ui| {
                for cap in BANDWIDTH_CAPS_KBPS {
                    ui.selectable_value(&mut settings.max_kbps, cap, cap_label(cap));
                }
            })
            .response
            .labelled_by(label.id);
        if settings != stream.settings {
            stream.change_settings(|s| *s = settings);
        }
        ui.separator();
        if ui.button(Msg::Screenshot.text(lang)).clicked() {
            stream.screenshot = None;
            stream.request_still();
        }
        match &stream.screenshot {
            Some(Ok(path)) => {
                ui.label(
                    RichText::new(format!(
                        "{}{}",
                        Msg::ScreenshotSaved.text(lang),
                        path.display()
                    ))
                    .weak(),
                );
            }
            Some(Err(e)) => {
                ui.label(
                    RichText::new(format!("{}{e}", Msg::ScreenshotFailed.text(lang)))
                        .color(ui.visuals().warn_fg_color),
                );
            }
            None => {}
        }
    }
}

/// fps, KB/frame and decode time in the top-right corner of the image.
fn stats_overlay(painter: &egui::Painter, image_rect: Rect, stream: &ScreenStream) {
    let (fps, kb) = stream.view.rate.rates();
    let text = format!(
        "{} · {:.1} ms",
        i18n::screen_stats(fps, kb),
        f64::from(stream.view.decode_us) / 1000.0
    );
    let font = FontId::monospace(10.0);
    let galley = painter.layout_no_wrap(text, font, Color32::from_gray(230));
    let pos = image_rect.right_top() + egui::vec2(-galley.size().x - 6.0, 4.0);
    let bg = Rect::from_min_size(pos, galley.size()).expand(2.0);
    painter.rect_filled(bg, 2.0, Color32::from_black_alpha(150));
    painter.galley(pos, galley, Color32::WHITE);
}

/// Remote control: focus on click, then forward input while focused and hovered.
fn control_ui(
    ui: &mut egui::Ui,
    lang: Language,
    session_id: SessionId,
    stream: &mut ScreenStream,
    response: &egui::Response,
    image_rect: Rect,
    intents: &mut Vec<Intent>,
) {
    // A quick click can press and release within one frame: `clicked` catches that case.
    let pressed =
        response.is_pointer_button_down_on() || response.clicked() || response.drag_started();
    if pressed && !response.has_focus() {
        response.request_focus();
    }
    // Tab, arrows and Escape go to the customer, not to egui's focus navigation.
    let filter = EventFilter {
        tab: true,
        horizontal_arrows: true,
        vertical_arrows: true,
        escape: true,
    };
    ui.memory_mut(|m| m.set_focus_lock_filter(response.id, filter));
    let active = response.has_focus() && response.contains_pointer();
    if active {
        // The remote cursor is drawn at the pointer; hide the local one unless no shape came.
        let icon = if stream.view.cursor.texture.is_some() {
            CursorIcon::None
        } else {
            CursorIcon::Crosshair
        };
        ui.ctx().set_cursor_icon(icon);
        let (events, modifiers) = ui.input(|i| (i.events.clone(), i.modifiers));
        // Input goes in the customer's screen px, whatever the scale of the image.
        let size = stream.view.input_size();
        let events = stream.input.translate(
            &events,
            |p| remote_px_from_ui_pt(p, image_rect, size),
            modifiers,
        );
        if !events.is_empty() {
            intents.push(Intent::SendInput { session_id, events });
        }
    } else {
        if stream.input.holds_anything() {
            release(session_id, stream, intents);
        }
        let hint = Msg::ControlHint.text(lang);
        let pos = image_rect.center_bottom() - egui::vec2(0.0, 12.0);
        let painter = ui.painter_at(image_rect);
        let galley =
            painter.layout_no_wrap(hint.to_owned(), FontId::proportional(13.0), Color32::WHITE);
        let bg = Rect::from_center_size(pos, galley.size()).expand(6.0);
        painter.rect_filled(bg, 4.0, Color32::from_black_alpha(170));
        painter.galley(bg.min + egui::vec2(6.0, 6.0), galley, Color32::WHITE);
    }
}

fn release(session_id: SessionId, stream: &mut ScreenStream, intents: &mut Vec<Intent>) {
    let events = stream.input.release_all();
    if !events.is_empty() {
        intents.push(Intent::SendInput { session_id, events });
    }
}
