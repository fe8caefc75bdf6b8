//! Waiting: the queue position with the estimated wait, the question box, Leave queue and
//! Leave a message (R6, C3); and the screens after a session or a message.

use egui::{RichText, TextEdit, Ui};

use crate::{
    i18n::Tr,
    state::{QueueSpot, UiAction},
};

/// The queue position, the estimated wait, the question box, and the buttons.
pub fn queue_ui(
    ui: &mut Ui,
    tr: Tr,
    spot: QueueSpot,
    question: &mut String,
    out: &mut Vec<UiAction>,
) {
    ui.add_space(16.0);
    ui.vertical_centered(|ui| {
        ui.heading(tr.queue_position(spot.position));
        match spot.estimated_wait_s {
            Some(s) => ui.label(tr.estimated_wait(s)),
            None => ui.label(RichText::new(tr.wait_unknown()).weak()),
        };
        ui.label(tr.please_wait());
    });
    ui.add_space(12.0);
    let label = ui.label(tr.question_label());
    ui.add(
        TextEdit::multiline(question)
            .hint_text(tr.question_hint())
            .desired_rows(3)
            .desired_width(f32::INFINITY),
    )
    .labelled_by(label.id);
    ui.add_space(12.0);
    ui.horizontal(|ui| {
        if ui.button(tr.leave_queue()).clicked() {
            out.push(UiAction::LeaveQueue);
        }
        if ui.button(tr.leave_message()).clicked() {
            out.push(UiAction::OpenMessageForm);
        }
    });
}

/// After the session: the relay's closing text if any, thanks, and Request service again.
pub fn ended_ui(ui: &mut Ui, tr: Tr, closing: Option<&str>, out: &mut Vec<UiAction>) {
    ui.add_space(16.0);
    ui.vertical_centered(|ui| {
        if let Some(text) = closing {
            ui.label(RichText::new(text).italics());
            ui.add_space(8.0);
        }
        ui.label(tr.session_ended());
        ui.add_space(12.0);
        if ui.button(tr.request_again()).clicked() {
            out.push(UiAction::RequestAgain);
        }
    });
}

/// After an offline message was stored: thanks, and Done.
pub fn message_left_ui(ui: &mut Ui, tr: Tr, out: &mut Vec<UiAction>) {
    ui.add_space(16.0);
    ui.vertical_centered(|ui| {
        ui.heading(tr.message_left());
        ui.add_space(12.0);
        if ui.button(tr.done()).clicked() {
            out.push(UiAction::RequestAgain);
        }
    });
}
