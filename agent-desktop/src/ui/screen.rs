//! The customer's screen in a session tab, scaled to fit with its aspect ratio kept, with fps
//! and KB/frame in a corner; while remote control is granted, the agent's mouse and keyboard
//! over the focused view go to the customer's computer.

use egui::{pos2, Align2, Color32, CursorIcon, EventFilter, FontId, Rect, RichText, Sense};
use porpoise_shared::{ui::Language, wire::SessionId};

use super::Outbox;
use crate::{
    i18n::{self, Msg},
    net::NetCommand,
    screen::{fit_rect, remote_px_from_ui_pt, ScreenStream},
    state::{ScreenView, SessionTab},
};

/// Draws the screen area of `tab`.
pub fn screen_ui(ui: &mut egui::Ui, lang: Language, tab: &mut SessionTab, outbox: &mut Outbox) {
    let controlling = tab.controlling();
    let session_id = tab.session_id;
    match &mut tab.screen {
        ScreenView::Off => {
            ui.centered_and_justified(|ui| {
                ui.label(RichText::new(Msg::ScreenWaiting.text(lang)).weak())
            });
        }
        ScreenView::Ended { error } => {
            let text = match error {
                Some(e) => i18n::with_detail(lang, Msg::ScreenEnded, e),
                None => Msg::ScreenEnded.text(lang).to_owned(),
            };
            ui.centered_and_justified(|ui| ui.label(RichText::new(text).weak()));
        }
        ScreenView::Streaming(stream) => {
            stream_ui(ui, lang, session_id, stream, controlling, outbox)
        }
    }
}

fn stream_ui(
    ui: &mut egui::Ui,
    lang: Language,
    session_id: SessionId,
    stream: &mut ScreenStream,
    controlling: bool,
    outbox: &mut Outbox,
) {
    stream.sync_texture(ui.ctx(), ui.input(|i| i.time));
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
    let Some(texture) = stream.texture() else {
        painter.text(
            area.center(),
            Align2::CENTER_CENTER,
            Msg::ScreenWaiting.text(lang),
            FontId::proportional(14.0),
            Color32::GRAY,
        );
        return;
    };
    let image_rect = fit_rect(area, stream.size);
    let uv = Rect::from_min_max(pos2(0.0, 0.0), pos2(1.0, 1.0));
    painter.image(texture.id(), image_rect, uv, Color32::WHITE);
    stats_overlay(&painter, image_rect, stream);
    // Keep painting while frames arrive: the decode thread also asks for repaints.
    if controlling {
        control_ui(ui, lang, session_id, stream, &response, image_rect, outbox);
    } else if stream.input.holds_anything() {
        release(session_id, stream, outbox);
    }
}

/// fps and KB/frame in the top-right corner of the image.
fn stats_overlay(painter: &egui::Painter, image_rect: Rect, stream: &ScreenStream) {
    let (fps, kb) = stream.rate.rates();
    let text = i18n::screen_stats(fps, kb);
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
    outbox: &mut Outbox,
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
        ui.ctx().set_cursor_icon(CursorIcon::Crosshair);
        let (events, modifiers) = ui.input(|i| (i.events.clone(), i.modifiers));
        let size = stream.size;
        let events = stream.input.translate(
            &events,
            |p| remote_px_from_ui_pt(p, image_rect, size),
            modifiers,
        );
        outbox.extend(
            events
                .into_iter()
                .map(|event| NetCommand::Input { session_id, event }),
        );
    } else {
        if stream.input.holds_anything() {
            release(session_id, stream, outbox);
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

fn release(session_id: SessionId, stream: &mut ScreenStream, outbox: &mut Outbox) {
    let events = stream.input.release_all();
    outbox.extend(
        events
            .into_iter()
            .map(|event| NetCommand::Input { session_id, event }),
    );
}
