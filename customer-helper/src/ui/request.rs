//! Requesting service: the name and phone form, the queue position, and the end of a session.

use egui::{Color32, RichText, TextEdit, Ui};

use crate::{
    i18n::Tr,
    state::{FormError, RequestForm, UiAction},
};

/// Name and phone fields and the Request service button.
pub fn form_ui(ui: &mut Ui, form: &mut RequestForm, tr: Tr, out: &mut Vec<UiAction>) {
    ui.add_space(8.0);
    let name_label = ui.label(tr.name_label());
    ui.add(TextEdit::singleline(&mut form.name).desired_width(f32::INFINITY))
        .labelled_by(name_label.id);
    ui.add_space(4.0);
    let phone_label = ui.label(tr.phone_label());
    let phone = ui
        .add(TextEdit::singleline(&mut form.phone).desired_width(f32::INFINITY))
        .labelled_by(phone_label.id);
    let submitted_by_enter = phone.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
    if let Some(error) = form.error {
        let text = match error {
            FormError::NameRequired => tr.name_required(),
            FormError::TooLong => tr.too_long(),
        };
        ui.label(RichText::new(text).color(Color32::from_rgb(200, 40, 40)));
    }
    ui.add_space(8.0);
    if ui
        .button(RichText::new(tr.request_service()).strong())
        .clicked()
        || submitted_by_enter
    {
        out.push(UiAction::SubmitForm);
    }
}

/// The queue position and Leave queue.
pub fn queue_ui(ui: &mut Ui, tr: Tr, position: u32, out: &mut Vec<UiAction>) {
    ui.add_space(16.0);
    ui.vertical_centered(|ui| {
        ui.heading(tr.queue_position(position));
        ui.label(tr.please_wait());
        ui.add_space(12.0);
        if ui.button(tr.leave_queue()).clicked() {
            out.push(UiAction::LeaveQueue);
        }
    });
}

/// After the session: thanks, and Request service again.
pub fn ended_ui(ui: &mut Ui, tr: Tr, out: &mut Vec<UiAction>) {
    ui.add_space(16.0);
    ui.vertical_centered(|ui| {
        ui.label(tr.session_ended());
        ui.add_space(12.0);
        if ui.button(tr.request_again()).clicked() {
            out.push(UiAction::RequestAgain);
        }
    });
}
