//! Offline messages in the task list (A4): pending ones with name, contact, time and text; a
//! handling note and Mark handled; a toggle that lists handled ones too.

use egui::RichText;
use porpoise_protocol::wire::UnixMs;
use porpoise_ui::Language;

use crate::{
    clock,
    i18n::{self, Msg},
    state::{Intent, Workspace},
};

/// Draws the offline-message list and the selected message's details. The toggle and the note
/// are edited as copies; changes and clicks are reported as intents.
pub fn offline_ui(
    ui: &mut egui::Ui,
    lang: Language,
    ws: &Workspace,
    now_ms: UnixMs,
    intents: &mut Vec<Intent>,
) {
    let ob = ws.offline();
    ui.horizontal(|ui| {
        ui.heading(format!(
            "{} ({})",
            Msg::OfflineMessages.text(lang),
            ob.pending_count
                .max(u32::try_from(ob.pending.len()).unwrap_or(u32::MAX))
        ));
        let mut show_handled = ob.show_handled;
        if ui
            .checkbox(&mut show_handled, Msg::ShowHandled.text(lang))
            .changed()
        {
            intents.push(Intent::ShowHandledOffline(show_handled));
        }
    });
    ui.separator();
    if let Some(error) = &ob.error {
        ui.label(RichText::new(error).color(ui.visuals().error_fg_color));
    }
    if ob.shown().is_empty() {
        ui.label(RichText::new(Msg::NoOfflineMessages.text(lang)).weak());
        return;
    }
    let shown = ob.pending.len();
    if !ob.show_handled && (shown as u64) < u64::from(ob.pending_count) {
        ui.label(
            RichText::new(crate::i18n::oldest_of(lang, shown, ob.pending_count))
                .small()
                .weak(),
        );
    }
    let mut pick = None;
    egui::ScrollArea::vertical()
        .id_salt("offline-list")
        .max_height(180.0)
        .show(ui, |ui| {
            for m in ob.shown() {
                let mut text = format!(
                    "{} · {} · {}",
                    m.name,
                    m.contact,
                    clock::message_time_text(m.left_at, now_ms)
                );
                if m.handled.is_some() {
                    text.push_str(&format!(" · {}", Msg::Handled.text(lang)));
                }
                if ui
                    .selectable_label(ob.selected == Some(m.id), text)
                    .clicked()
                {
                    pick = Some(m.id);
                }
            }
        });
    if let Some(id) = pick {
        intents.push(Intent::SelectOffline(id));
    }
    let Some(m) = ob.selected_message() else {
        return;
    };
    ui.separator();
    egui::Grid::new("offline-details")
        .num_columns(2)
        .show(ui, |ui| {
            ui.label(Msg::Name.text(lang));
            ui.label(&m.name);
            ui.end_row();
            ui.label(Msg::Contact.text(lang));
            ui.label(&m.contact);
            ui.end_row();
            ui.label(Msg::LeftAt.text(lang));
            ui.label(clock::message_time_text(m.left_at, now_ms));
            ui.end_row();
        });
    ui.label(RichText::new(&m.text).strong());
    match &m.handled {
        Some(h) => {
            ui.label(i18n::with_detail(lang, Msg::HandlingNote, &h.note));
        }
        None => {
            let label = ui.label(Msg::HandlingNote.text(lang));
            let mut note = ob.note.clone();
            let edit = ui
                .add(egui::TextEdit::multiline(&mut note).desired_rows(2))
                .labelled_by(label.id);
            if edit.changed() {
                intents.push(Intent::EditOfflineNote(note));
            }
            let busy = ob.handling == Some(m.id);
            if ui
                .add_enabled(!busy, egui::Button::new(Msg::MarkHandled.text(lang)))
                .clicked()
            {
                intents.push(Intent::MarkOfflineHandled(m.id));
            }
        }
    }
}
