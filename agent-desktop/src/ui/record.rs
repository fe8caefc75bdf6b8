//! The support record form (填写支持记录, A13) and the list of records to fill in later.
//!
//! The form opens when a session ends if the center wants it
//! ([`RecordDesk::session_ended`](crate::state::RecordDesk::session_ended)), or from the
//! session's Support record button. Save checks the form against the center's
//! policy first ([`SupportRecordForm::validate`]): a missing subject, content or required
//! disposition blocks Save with a visible message. Fill later (when the center allows late
//! filling) keeps the draft in the pending list; Skip is offered only when the record is not
//! required.

use egui::RichText;
use porpoise_protocol::wire::{RecordFormError, RecordPolicy, RemoteAction, SupportRecordForm};
use porpoise_ui::Language;

use super::status_ui;
use crate::{
    i18n::Msg,
    state::{Intent, Workspace},
};

/// Width of the record form window, in points.
const FORM_WIDTH: f32 = 420.0;
/// Remote services listed as service modes (服务模式) on the form.
const SERVICE_MODES: [RemoteAction; 4] = [
    RemoteAction::ViewDesktop,
    RemoteAction::RemoteControl,
    RemoteAction::RemoteDemo,
    RemoteAction::FileTransfer,
];

/// The name of a remote service on the form.
fn service_name(lang: Language, action: RemoteAction) -> &'static str {
    match action {
        RemoteAction::ViewDesktop => Msg::ViewDesktop,
        RemoteAction::RemoteControl => Msg::RemoteControl,
        RemoteAction::RemoteDemo => Msg::RemoteDemo,
        RemoteAction::FileTransfer => Msg::FileTransfer,
        _ => Msg::ClipboardSync,
    }
    .text(lang)
}

/// The text of a form validation error.
pub fn form_error(lang: Language, e: &RecordFormError) -> &'static str {
    match e {
        RecordFormError::SubjectMissing => Msg::RecSubjectMissing,
        RecordFormError::ContentMissing => Msg::RecContentMissing,
        RecordFormError::DispositionMissing => Msg::RecDispositionMissing,
        RecordFormError::UnknownDisposition(_) => Msg::RecUnknownDisposition,
        RecordFormError::TooLong { .. } => Msg::RecTooLong,
    }
    .text(lang)
}

/// The session header's Support record button: opens the form of `tab`
/// ([`Intent::OpenRecord`]).
pub fn record_button_ui(
    ui: &mut egui::Ui,
    lang: Language,
    tab: &crate::state::SessionTab,
    intents: &mut Vec<Intent>,
) {
    let label = if tab.customer.record.is_some() {
        format!("{} ✔", Msg::RecSupportRecord.text(lang))
    } else {
        Msg::RecSupportRecord.text(lang).to_owned()
    };
    if ui.button(label).clicked() {
        intents.push(Intent::OpenRecord(tab.session_id));
    }
}

/// The pending list (shown above the tabs while not empty): each record with Fill in.
pub fn pending_records_ui(
    ui: &mut egui::Ui,
    lang: Language,
    ws: &Workspace,
    intents: &mut Vec<Intent>,
) {
    if ws.records().pending.is_empty() {
        return;
    }
    let mut open = None;
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new(Msg::RecPending.text(lang)).strong());
        for p in &ws.records().pending {
            ui.label(&p.form.customer_name);
            if ui
                .button(Msg::RecFillIn.text(lang))
                .on_hover_text(&p.form.customer_name)
                .clicked()
            {
                open = Some(p.session_id);
            }
        }
    });
    if let Some(session_id) = open {
        intents.push(Intent::OpenRecord(session_id));
    }
}

/// What the form's buttons asked.
enum FormAction {
    None,
    Save,
    Later,
    Skip,
}

/// The record form window, while one is open. The form is edited as a copy
/// ([`Intent::EditRecordForm`]); the buttons have their own intents.
pub fn record_dialog_ui(
    ui: &mut egui::Ui,
    lang: Language,
    ws: &Workspace,
    intents: &mut Vec<Intent>,
) {
    let policy = &ws.settings().records;
    let products: Vec<String> = ws.product_types().iter().map(|p| p.name.clone()).collect();
    let Some(dialog) = ws.records().dialog.as_ref() else {
        return;
    };
    let mut form = dialog.form.clone();
    let mut action = FormAction::None;
    egui::Window::new(Msg::RecSupportRecord.text(lang))
        .id(egui::Id::unique(("support-record", dialog.session_id)))
        .collapsible(false)
        .resizable(true)
        .default_width(FORM_WIDTH)
        .show(ui.ctx(), |ui| {
            fields_ui(ui, lang, &mut form, policy, &products);
            ui.separator();
            status_ui(ui, &dialog.status);
            ui.horizontal(|ui| {
                let busy = dialog.status.busy();
                if ui
                    .add_enabled(!busy, egui::Button::new(Msg::Save.text(lang)))
                    .clicked()
                {
                    action = FormAction::Save;
                }
                if policy.late_fill_h.is_some() && ui.button(Msg::RecFillLater.text(lang)).clicked()
                {
                    action = FormAction::Later;
                }
                if !dialog.required && ui.button(Msg::RecSkip.text(lang)).clicked() {
                    action = FormAction::Skip;
                }
            });
        });
    // The edited form first: the buttons act on it.
    if form != dialog.form {
        intents.push(Intent::EditRecordForm(Box::new(form)));
    }
    match action {
        FormAction::None => {}
        FormAction::Save => intents.push(Intent::SaveRecord { lang }),
        FormAction::Later => intents.push(Intent::FillRecordLater),
        FormAction::Skip => intents.push(Intent::SkipRecord),
    }
}

/// The form's fields.
fn fields_ui(
    ui: &mut egui::Ui,
    lang: Language,
    form: &mut SupportRecordForm,
    policy: &RecordPolicy,
    products: &[String],
) {
    egui::Grid::new("support-record-fields")
        .num_columns(2)
        .show(ui, |ui| {
            let l = ui.label(Msg::RecCustomer.text(lang));
            ui.horizontal(|ui| {
                ui.add(egui::TextEdit::singleline(&mut form.customer_name).desired_width(120.0))
                    .labelled_by(l.id);
                ui.add(egui::TextEdit::singleline(&mut form.customer_phone).desired_width(120.0))
                    .labelled_by(l.id);
            });
            ui.end_row();
            ui.label(Msg::RecServiceMode.text(lang));
            ui.horizontal_wrapped(|ui| {
                for action in SERVICE_MODES {
                    let mut on = form.service_modes.contains(&action);
                    if ui.checkbox(&mut on, service_name(lang, action)).changed() {
                        form.service_modes.retain(|a| *a != action);
                        if on {
                            form.service_modes.push(action);
                        }
                    }
                }
            });
            ui.end_row();
            let l = ui.label(Msg::RecProduct.text(lang));
            ui.horizontal(|ui| {
                ui.text_edit_singleline(&mut form.product).labelled_by(l.id);
                if !products.is_empty() {
                    egui::ComboBox::from_id_salt("record-product")
                        .selected_text("▼")
                        .width(24.0)
                        .show_ui(ui, |ui| {
                            for p in products {
                                if ui.selectable_label(form.product == *p, p).clicked() {
                                    form.product.clone_from(p);
                                }
                            }
                        })
                        .response
                        .labelled_by(l.id);
                }
            });
            ui.end_row();
            let l = ui.label(Msg::RecProblemType.text(lang));
            ui.text_edit_singleline(&mut form.problem_type)
                .labelled_by(l.id);
            ui.end_row();
            let l = ui.label(format!("{} *", Msg::RecSubject.text(lang)));
            ui.text_edit_singleline(&mut form.subject).labelled_by(l.id);
            ui.end_row();
            let l = ui.label(format!("{} *", Msg::RecContent.text(lang)));
            ui.add(egui::TextEdit::multiline(&mut form.content).desired_rows(5))
                .labelled_by(l.id);
            ui.end_row();
            let mark = if policy.disposition_required {
                " *"
            } else {
                ""
            };
            let l = ui.label(format!("{}{mark}", Msg::RecDisposition.text(lang)));
            let shown = form
                .disposition
                .clone()
                .unwrap_or_else(|| Msg::RecNoDisposition.text(lang).to_owned());
            egui::ComboBox::from_id_salt("record-disposition")
                .selected_text(shown)
                .show_ui(ui, |ui| {
                    ui.selectable_value(
                        &mut form.disposition,
                        None,
                        Msg::RecNoDisposition.text(lang),
                    );
                    for d in &policy.dispositions {
                        ui.selectable_value(&mut form.disposition, Some(d.clone()), d);
                    }
                })
                .response
                .labelled_by(l.id);
            ui.end_row();
        });
}
