//! The customer's screen in a session tab, scaled to fit with its aspect ratio kept, with fps
//! and KB/frame in a corner; while remote control is granted, the agent's mouse and keyboard
//! over the focused view go to the customer's computer.

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

/// Draws the screen area of `tab` with its stream from `screens` (the texture, image settings
/// and remote-input state are the panel's own); remote input is reported as
/// [`Intent::SendInput`].
pub fn screen_ui(
    ui: &mut egui::Ui,
    lang: Language,
    tab: &SessionTab,
    screens: &mut std::collections::HashMap<SessionId, ScreenStream>,
    intents: &mut Vec<Intent>,
) {
    let controlling = tab.controlling();
    let session_id = tab.session_id;
    let label = &tab.customer_name;
    let stream = screens.get_mut(&session_id);
    match (&tab.screen, stream) {
        (ScreenView::Off, _) | (ScreenView::Streaming, None) => {
            ui.centered_and_justified(|ui| {
                ui.label(RichText::new(Msg::ScreenWaiting.text(lang)).weak())
            });
        }
        (ScreenView::Ended { error }, _) => {
            let text = match error {
                Some(e) => i18n::with_detail(lang, Msg::ScreenEnded, e),
                None => Msg::ScreenEnded.text(lang).to_owned(),
            };
            ui.centered_and_justified(|ui| ui.label(RichText::new(text).weak()));
        }
        (ScreenView::Streaming, Some(stream)) => {
            stream_ui(ui, lang, label, session_id, stream, controlling, intents)
        }
    }
}

fn stream_ui(
    ui: &mut egui::Ui,
    lang: Language,
    tab_label: &str,
    session_id: SessionId,
    stream: &mut ScreenStream,
    controlling: bool,
    intents: &mut Vec<Intent>,
) {
    let stills = stream.view.sync(ui.ctx(), ui.input(|i| i.time));
    for still in stills {
        if stream.still_requested == Some(still.id) {
            // PNG encoding and the file write run on a worker thread (issue 12).
            let customer = tab_label.to_owned();
            stream.saving = Some(Job::start("screenshot-save", Some(ui.ctx()), move || {
                crate::screenshot::save_png(&customer, &still)
            }));
        }
    }
    if let Some(saved) = poll_slot(&mut stream.saving) {
        stream.screenshot = Some(saved.map_err(|e| e.to_string()).and_then(|r| r));
    }
    toolbar_ui(ui, lang, stream);
    let sense = if controlling {
        Sense::click_and_drag() | Sense::FOCUSABLE
    } else {
        Sense::hover()
    };
    let area = ui.available_rect_before_wrap();
    let response = ui.allocate_rect(area, sense);
    response.widget_info(|| {
        egui::WidgetInfo::labeled(egui::Role::Image, true, Msg::CustomerScreen.text(lang))
    });
    let painter = ui.painter_at(area);
    painter.rect_filled(area, 0.0, Color32::from_gray(24));
    if stream.view.texture().is_none() {
        painter.text(
            area.center(),
            Align2::CENTER_CENTER,
            Msg::ScreenWaiting.text(lang),
            FontId::proportional(14.0),
            Color32::GRAY,
        );
        return;
    }
    let image_rect = fit_rect(area, stream.size());
    // While controlling, the remote cursor follows the agent's own pointer at once.
    let local_pointer = (controlling && response.has_focus())
        .then(|| response.hover_pos())
        .flatten()
        .filter(|p| image_rect.contains(*p));
    stream.view.paint(&painter, image_rect, local_pointer);
    stats_overlay(&painter, image_rect, stream);
    // Keep painting while frames arrive: the decode thread also asks for repaints.
    if controlling {
        control_ui(ui, lang, session_id, stream, &response, image_rect, intents);
    } else if stream.input.holds_anything() {
        release(session_id, stream, intents);
    }
}

/// Image quality, scale, monitor, bandwidth cap and screenshot (A9, A12).
fn toolbar_ui(ui: &mut egui::Ui, lang: Language, stream: &mut ScreenStream) {
    ui.horizontal_wrapped(|ui| {
        let mut settings = stream.settings;
        let label = ui.label(Msg::ImageQuality.text(lang));
        egui::ComboBox::from_id_salt("image-quality")
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
        egui::ComboBox::from_id_salt("image-scale")
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
            egui::ComboBox::from_id_salt("monitor")
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
        egui::ComboBox::from_id_salt("bandwidth-cap")
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
    });
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
