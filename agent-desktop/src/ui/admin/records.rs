//! The part of the center settings editor for support records (M5: auto popup, late filling),
//! dispositions and tags (M7) and the customer context endpoint (R17, A18). A fuller admin
//! center comes later; this is enough to set them.

use porpoise_protocol::wire::{
    CenterSettings, ContextEndpoint, RecordPrompt, CONTEXT_TIMEOUT_RANGE_MS,
    DEFAULT_CONTEXT_TIMEOUT_MS, DEFAULT_LATE_FILL_LIMIT_H, MAX_LATE_FILL_LIMIT_H,
};
use porpoise_ui::Language;

use crate::i18n::Msg;

/// Draws the record policy and the context endpoint of `draft`.
pub fn records_settings_ui(ui: &mut egui::Ui, lang: Language, draft: &mut CenterSettings) {
    ui.strong(Msg::AdmRecords.text(lang));
    let policy = &mut draft.records;
    egui::Grid::new("record-settings")
        .num_columns(2)
        .show(ui, |ui| {
            ui.label(Msg::AdmRecordPrompt.text(lang));
            ui.horizontal(|ui| {
                for (p, m) in [
                    (RecordPrompt::Off, Msg::AdmPromptOff),
                    (RecordPrompt::AtSessionEnd, Msg::AdmPromptAtEnd),
                    (RecordPrompt::RequiredAtSessionEnd, Msg::AdmPromptRequired),
                ] {
                    ui.radio_value(&mut policy.prompt, p, m.text(lang));
                }
            });
            ui.end_row();
            let mut late = policy.late_fill_h.is_some();
            let check = ui.checkbox(&mut late, Msg::AdmLateFill.text(lang));
            match (late, policy.late_fill_h.as_mut()) {
                (true, Some(h)) => {
                    ui.add(egui::DragValue::new(h).range(1..=MAX_LATE_FILL_LIMIT_H))
                        .labelled_by(check.id);
                }
                (true, None) => {
                    policy.late_fill_h = Some(DEFAULT_LATE_FILL_LIMIT_H);
                    ui.label("");
                }
                (false, _) => {
                    policy.late_fill_h = None;
                    ui.label("");
                }
            }
            ui.end_row();
            ui.label("");
            ui.checkbox(
                &mut policy.disposition_required,
                Msg::AdmDispositionRequired.text(lang),
            );
            ui.end_row();
            list_ui(ui, lang, Msg::AdmDispositions, &mut policy.dispositions);
            list_ui(ui, lang, Msg::AdmMessageTags, &mut policy.message_tags);
            list_ui(ui, lang, Msg::AdmCustomerTags, &mut policy.customer_tags);
        });
    endpoint_ui(ui, lang, &mut draft.context_endpoint);
}

/// A list edited as lines of text; blank lines are dropped when the editor loses focus.
fn list_ui(ui: &mut egui::Ui, lang: Language, label: Msg, list: &mut Vec<String>) {
    let l = ui.label(label.text(lang));
    let mut text = list.join("\n");
    let r = ui
        .add(
            egui::TextEdit::multiline(&mut text)
                .desired_rows(3)
                .hint_text(Msg::AdmOnePerLine.text(lang)),
        )
        .labelled_by(l.id);
    if r.changed() {
        *list = text.split('\n').map(str::to_owned).collect();
    }
    if r.lost_focus() {
        list.retain(|t| !t.trim().is_empty());
        for t in list.iter_mut() {
            *t = t.trim().to_owned();
        }
    }
    ui.end_row();
}

/// The context endpoint: on/off, URL, token (never shown: the relay sends it blanked), timeout.
fn endpoint_ui(ui: &mut egui::Ui, lang: Language, endpoint: &mut Option<Box<ContextEndpoint>>) {
    let mut on = endpoint.is_some();
    ui.checkbox(&mut on, Msg::AdmContextEndpoint.text(lang));
    match (on, endpoint.as_mut()) {
        (true, Some(e)) => {
            egui::Grid::new("context-endpoint")
                .num_columns(2)
                .show(ui, |ui| {
                    let l = ui.label(Msg::AdmContextUrl.text(lang));
                    ui.add(egui::TextEdit::singleline(&mut e.url).desired_width(320.0))
                        .labelled_by(l.id);
                    ui.end_row();
                    let l = ui.label(Msg::AdmContextToken.text(lang));
                    ui.add(egui::TextEdit::singleline(&mut e.bearer_token).password(true))
                        .labelled_by(l.id);
                    ui.end_row();
                    let l = ui.label(Msg::AdmContextTimeout.text(lang));
                    ui.add(egui::DragValue::new(&mut e.timeout_ms).range(CONTEXT_TIMEOUT_RANGE_MS))
                        .labelled_by(l.id);
                    ui.end_row();
                });
        }
        (true, None) => {
            *endpoint = Some(Box::new(ContextEndpoint {
                url: "https://".into(),
                bearer_token: String::new(),
                timeout_ms: DEFAULT_CONTEXT_TIMEOUT_MS,
            }))
        }
        (false, _) => *endpoint = None,
    }
}
