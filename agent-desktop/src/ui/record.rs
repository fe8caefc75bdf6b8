//! The support record form (填写支持记录, A13) and the list of records to fill in later.
//!
//! The form opens when a session ends if the center wants it ([`RecordDesk::session_ended`]),
//! or from the session's Support record button. Save checks the form against the center's
//! policy first ([`SupportRecordForm::validate`]): a missing subject, content or required
//! disposition blocks Save with a visible message. Fill later (when the center allows late
//! filling) keeps the draft in the pending list; Skip is offered only when the record is not
//! required.

use egui::RichText;
use porpoise_shared::wire::rpc;
use porpoise_shared::{
    ui::Language,
    wire::{RecordFormError, RecordPolicy, RemoteAction, Request, SupportRecordForm},
};

use super::{call, status_ui, Outbox};
use crate::{
    clock,
    i18n::Msg,
    state::{form_for, RecordDesk, Status, Workspace},
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

/// The session header's Support record button: opens the form of `session_id`.
pub fn record_button_ui(
    ui: &mut egui::Ui,
    lang: Language,
    desk: &mut RecordDesk,
    tab: &crate::state::SessionTab,
) {
    let label = if tab.customer.record.is_some() {
        format!("{} ✔", Msg::RecSupportRecord.text(lang))
    } else {
        Msg::RecSupportRecord.text(lang).to_owned()
    };
    if ui.button(label).clicked() {
        desk.open(tab.session_id, form_for(tab), clock::now_unix_ms());
    }
}

/// The pending list (shown above the tabs while not empty): each record with Fill in.
pub fn pending_records_ui(ui: &mut egui::Ui, lang: Language, ws: &mut Workspace) {
    if ws.records.pending.is_empty() {
        return;
    }
    let mut open = None;
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new(Msg::RecPending.text(lang)).strong());
        for p in &ws.records.pending {
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
        let fresh = ws
            .sessions
            .iter()
            .find(|t| t.session_id == session_id)
            .map(form_for)
            .unwrap_or_default();
        ws.records.open(session_id, fresh, clock::now_unix_ms());
    }
}

/// What the form's buttons asked.
enum FormAction {
    None,
    Save,
    Later,
    Skip,
}

/// The record form window, while one is open.
pub fn record_dialog_ui(
    ui: &mut egui::Ui,
    lang: Language,
    ws: &mut Workspace,
    outbox: &mut Outbox,
) {
    let policy = ws.settings().records.clone();
    let products: Vec<String> = ws.product_types().iter().map(|p| p.name.clone()).collect();
    let Some(dialog) = ws.records.dialog.as_mut() else {
        return;
    };
    let mut action = FormAction::None;
    egui::Window::new(Msg::RecSupportRecord.text(lang))
        .id(egui::Id::unique(("support-record", dialog.session_id)))
        .collapsible(false)
        .resizable(true)
        .default_width(FORM_WIDTH)
        .show(ui.ctx(), |ui| {
            fields_ui(ui, lang, &mut dialog.form, &policy, &products);
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
    match action {
        FormAction::None => {}
        FormAction::Save => match dialog.form.validate(&policy) {
            Err(e) => dialog.status = Status::Failed(form_error(lang, &e).to_owned()),
            Ok(()) => {
                dialog.status = Status::Busy;
                call(
                    outbox,
                    Request::SaveSupportRecord(rpc::SaveSupportRecord {
                        session_id: dialog.session_id,
                        form: dialog.form.clone(),
                    }),
                );
            }
        },
        FormAction::Later => ws.records.fill_later(clock::now_unix_ms()),
        FormAction::Skip => ws.records.dialog = None,
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
