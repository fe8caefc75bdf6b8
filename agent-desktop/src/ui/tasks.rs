//! Offline messages in the task list (A4): pending ones with name, contact, time and text; a
//! handling note and Mark handled; a toggle that lists handled ones too.

use egui::RichText;
use porpoise_protocol::wire::rpc;
use porpoise_protocol::wire::{Request, UnixMs};
use porpoise_ui::Language;

use super::Outbox;
use crate::{
    clock,
    i18n::{self, Msg},
    state::Workspace,
};

/// Draws the offline-message list and the selected message's details.
pub fn offline_ui(
    ui: &mut egui::Ui,
    lang: Language,
    ws: &mut Workspace,
    now_ms: UnixMs,
    outbox: &mut Outbox,
) {
    let ob = &mut ws.offline;
    ui.horizontal(|ui| {
        ui.heading(format!(
            "{} ({})",
            Msg::OfflineMessages.text(lang),
            ob.pending.len()
        ));
        if ui
            .checkbox(&mut ob.show_handled, Msg::ShowHandled.text(lang))
            .changed()
            && ob.show_handled
        {
            super::call(
                outbox,
                Request::ListOfflineMessages(rpc::ListOfflineMessages {
                    include_handled: true,
                }),
            );
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
        if ob.selected != Some(id) {
            ob.note.clear();
        }
        ob.selected = Some(id);
    }
    let Some(m) = ob.selected_message().cloned() else {
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
            ui.add(egui::TextEdit::multiline(&mut ob.note).desired_rows(2))
                .labelled_by(label.id);
            let busy = ob.handling == Some(m.id);
            if ui
                .add_enabled(!busy, egui::Button::new(Msg::MarkHandled.text(lang)))
                .clicked()
            {
                ob.handling = Some(m.id);
                ob.error = None;
                let note = ob.note.trim().to_owned();
                super::call(
                    outbox,
                    Request::HandleOfflineMessage(rpc::HandleOfflineMessage { id: m.id, note }),
                );
            }
        }
    }
}
