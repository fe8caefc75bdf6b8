//! The offline-message form (留言, C3): from the queue, the request screen, or when the
//! center is closed (with the center's reply above it).

use egui::{Color32, RichText, TextEdit, Ui};

use super::request::error_ui;
use crate::{
    i18n::Tr,
    state::{MessageForm, UiAction},
};

/// Background of the closed center's reply.
const REPLY_FILL: Color32 = Color32::from_rgb(235, 242, 252);

/// The form: name, phone or e-mail, message; Send message and, if `back`, Back.
pub fn message_form_ui(
    ui: &mut Ui,
    form: &mut MessageForm,
    tr: Tr,
    back: bool,
    out: &mut Vec<UiAction>,
) {
    ui.heading(tr.message_heading());
    ui.label(RichText::new(tr.message_intro()).weak());
    ui.add_space(4.0);
    let name_label = ui.label(tr.name_label());
    ui.add(TextEdit::singleline(&mut form.name).desired_width(f32::INFINITY))
        .labelled_by(name_label.id);
    let contact_label = ui.label(tr.contact_label());
    ui.add(TextEdit::singleline(&mut form.contact).desired_width(f32::INFINITY))
        .labelled_by(contact_label.id);
    let text_label = ui.label(tr.message_text_label());
    ui.add(
        TextEdit::multiline(&mut form.text)
            .desired_rows(5)
            .desired_width(f32::INFINITY),
    )
    .labelled_by(text_label.id);
    error_ui(ui, tr, form.error);
    ui.add_space(8.0);
    ui.horizontal(|ui| {
        if ui
            .button(RichText::new(tr.send_message()).strong())
            .clicked()
        {
            out.push(UiAction::SendMessage);
        }
        if back && ui.button(tr.cancel()).clicked() {
            out.push(UiAction::CancelMessage);
        }
    });
}

/// The center's reply when it is closed (holiday or off hours), then the form.
pub fn closed_ui(
    ui: &mut Ui,
    form: &mut MessageForm,
    reply: &str,
    tr: Tr,
    out: &mut Vec<UiAction>,
) {
    reply_ui(ui, reply, tr);
    message_form_ui(ui, form, tr, false, out);
}

/// The center's reply in a box (its default text when the center set none).
pub fn reply_ui(ui: &mut Ui, reply: &str, tr: Tr) {
    let text = if reply.trim().is_empty() {
        tr.closed_default()
    } else {
        reply
    };
    egui::Frame::new()
        .fill(REPLY_FILL)
        .inner_margin(8)
        .corner_radius(6)
        .show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.label(RichText::new(text).color(Color32::from_rgb(20, 40, 80)));
        });
    ui.add_space(6.0);
}
