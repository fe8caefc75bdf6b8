//! The request screen of the center's service mode (C2): name and phone, then a showcase of
//! agents, a session-code field, or the group and product-type pickers.

use egui::{ComboBox, RichText, TextEdit, Ui};
use porpoise_protocol::wire::{ServiceMode, ServiceOptions, SESSION_CODE_DIGITS};

use super::{message::closed_ui, showcase::showcase_ui, ERROR_COLOR};
use crate::{
    i18n::Tr,
    state::{clean_code, FormError, HelperState, RequestForm, UiAction},
};

/// The request screen: the center's mode, or its closed reply with the message form.
pub fn request_ui(ui: &mut Ui, state: &mut HelperState, tr: Tr, out: &mut Vec<UiAction>) {
    let Some(options) = &state.options else {
        // Not welcomed yet: the fields can be filled in already.
        name_phone_ui(ui, &mut state.form, tr);
        return;
    };
    if !options.open_now {
        let reply = options.closed_reply.clone();
        let faq = options.faq.clone();
        // M6: off hours the common questions are pushed with the closed reply, open.
        faq_ui(ui, &faq, tr, true);
        closed_ui(ui, &mut state.message, &reply, tr, out);
        return;
    }
    faq_ui(ui, &options.faq, tr, false);
    match options.mode {
        ServiceMode::Showcase => showcase_ui(ui, &mut state.form, options, tr, out),
        ServiceMode::SessionCode => code_ui(ui, &mut state.form, tr, out),
        ServiceMode::AutoAssign => auto_assign_ui(ui, &mut state.form, options, tr, out),
    }
}

/// The center's common questions (常见问题, M6), each a collapsible answer; `open` shows the
/// list unfolded (off hours), otherwise behind one 常见问题 header. Nothing when there are none.
pub(super) fn faq_ui(ui: &mut Ui, faq: &[porpoise_protocol::wire::FaqItem], tr: Tr, open: bool) {
    if faq.is_empty() {
        return;
    }
    egui::CollapsingHeader::new(RichText::new(tr.faq_title()).strong())
        .id_salt("helper-faq")
        .default_open(open)
        .show(ui, |ui| {
            for (i, item) in faq.iter().enumerate() {
                egui::CollapsingHeader::new(&item.question)
                    .id_salt(("helper-faq-item", i))
                    .show(ui, |ui| {
                        ui.label(&item.answer);
                    });
            }
        });
    ui.add_space(4.0);
}

/// Name and phone fields; returns true when Enter was pressed in the last one.
pub(super) fn name_phone_ui(ui: &mut Ui, form: &mut RequestForm, tr: Tr) -> bool {
    ui.add_space(4.0);
    let name_label = ui.label(tr.name_label());
    ui.add(TextEdit::singleline(&mut form.name).desired_width(f32::INFINITY))
        .labelled_by(name_label.id);
    ui.add_space(4.0);
    let phone_label = ui.label(tr.phone_label());
    let phone = ui
        .add(TextEdit::singleline(&mut form.phone).desired_width(f32::INFINITY))
        .labelled_by(phone_label.id);
    phone.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter))
}

/// The text of a form error.
pub(super) fn form_error_text(tr: Tr, error: FormError) -> String {
    match error {
        FormError::NameRequired => tr.name_required().to_owned(),
        FormError::TooLong => tr.too_long().to_owned(),
        FormError::CodeLength => tr.code_length().to_owned(),
        FormError::AgentUnavailable => tr.agent_unavailable().to_owned(),
        FormError::BadSessionCode => tr.bad_session_code().to_owned(),
        FormError::Throttled { retry_after_s } => tr.throttled(retry_after_s),
        FormError::ContactRequired => tr.contact_required().to_owned(),
        FormError::TextRequired => tr.text_required().to_owned(),
    }
}

/// The form's error line, if any.
pub(super) fn error_ui(ui: &mut Ui, tr: Tr, error: Option<FormError>) {
    if let Some(error) = error {
        ui.label(RichText::new(form_error_text(tr, error)).color(ERROR_COLOR));
    }
}

/// Request service and, beside it, Leave a message.
fn submit_row_ui(ui: &mut Ui, tr: Tr, enter: bool, out: &mut Vec<UiAction>) {
    ui.add_space(8.0);
    ui.horizontal(|ui| {
        if ui
            .button(RichText::new(tr.request_service()).strong())
            .clicked()
            || enter
        {
            out.push(UiAction::SubmitForm);
        }
        if ui.button(tr.leave_message()).clicked() {
            out.push(UiAction::OpenMessageForm);
        }
    });
}

/// Session-code mode (直通号): the 6 digits the agent gave, name and phone.
fn code_ui(ui: &mut Ui, form: &mut RequestForm, tr: Tr, out: &mut Vec<UiAction>) {
    ui.add_space(4.0);
    let code_label = ui.label(tr.code_label());
    let code = ui
        .add(
            TextEdit::singleline(&mut form.code)
                .char_limit(SESSION_CODE_DIGITS)
                .hint_text(tr.code_hint())
                .font(egui::TextStyle::Heading)
                .desired_width(f32::INFINITY),
        )
        .labelled_by(code_label.id);
    if code.changed() {
        clean_code(&mut form.code);
    }
    let enter = name_phone_ui(ui, form, tr);
    error_ui(ui, tr, form.error);
    submit_row_ui(ui, tr, enter, out);
}

/// Auto-assign mode: group and product type (hidden when the center has none), name and phone.
fn auto_assign_ui(
    ui: &mut Ui,
    form: &mut RequestForm,
    options: &ServiceOptions,
    tr: Tr,
    out: &mut Vec<UiAction>,
) {
    ui.add_space(4.0);
    if !options.groups.is_empty() {
        let selected = options
            .groups
            .iter()
            .find(|g| Some(g.group_id) == form.group)
            .map_or(tr.any_group(), |g| g.name.as_str());
        let label = ui.label(tr.group_label());
        ComboBox::from_id_salt("porpoise_group")
            .selected_text(selected)
            .width(ui.available_width())
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut form.group, None, tr.any_group());
                for g in &options.groups {
                    ui.selectable_value(&mut form.group, Some(g.group_id), &g.name);
                }
            })
            .response
            .labelled_by(label.id);
    }
    if !options.product_types.is_empty() {
        let selected = options
            .product_types
            .iter()
            .find(|p| Some(p.product_type_id) == form.product_type)
            .map_or(tr.any_product(), |p| p.name.as_str());
        ui.add_space(4.0);
        let label = ui.label(tr.product_label());
        ComboBox::from_id_salt("porpoise_product_type")
            .selected_text(selected)
            .width(ui.available_width())
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut form.product_type, None, tr.any_product());
                for p in &options.product_types {
                    ui.selectable_value(&mut form.product_type, Some(p.product_type_id), &p.name);
                }
            })
            .response
            .labelled_by(label.id);
    }
    let enter = name_phone_ui(ui, form, tr);
    error_ui(ui, tr, form.error);
    submit_row_ui(ui, tr, enter, out);
}
