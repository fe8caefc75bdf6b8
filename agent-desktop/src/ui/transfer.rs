//! The Transfer dialog of a session (A14/R8): an online colleague (with their load) or a group,
//! and a note for the receiver.

use egui::RichText;
use porpoise_protocol::wire::{Presence, TransferTarget};
use porpoise_ui::Language;

use super::personal::presence_color;
use crate::{
    i18n::{self, Msg},
    state::{Intent, Workspace},
};

/// Draws the dialog while open. The receiver and the note are edited as copies; changes and
/// clicks are reported as intents.
pub fn transfer_dialog_ui(
    ctx: &egui::Context,
    lang: Language,
    ws: &Workspace,
    intents: &mut Vec<Intent>,
) {
    let Some(dialog) = ws.transfer_dialog() else {
        return;
    };
    let mut open = true;
    let mut cancel = false;
    let mut send = false;
    let mut target = dialog.target;
    let mut note = dialog.note.clone();
    let me = ws.agent_id();
    egui::Window::new(Msg::TransferSession.text(lang))
        .id(egui::Id::unique("transfer-dialog"))
        .pivot(egui::Align2::CENTER_CENTER)
        .default_pos(ctx.content_rect().center())
        .collapsible(false)
        .open(&mut open)
        .show(ctx, |ui| {
            ui.strong(Msg::ToAgent.text(lang));
            let colleagues: Vec<_> = ws
                .agents()
                .iter()
                .filter(|a| a.agent_id != me)
                .filter(|a| !matches!(a.presence, Presence::Offline | Presence::Exited))
                .collect();
            if colleagues.is_empty() {
                ui.label(RichText::new(Msg::NoColleagueOnline.text(lang)).weak());
            }
            for a in colleagues {
                ui.horizontal(|ui| {
                    ui.label(RichText::new("●").color(presence_color(a.presence)));
                    let text = format!(
                        "{} · {} · {}",
                        a.nickname,
                        i18n::presence(lang, a.presence),
                        i18n::load(a.sessions, a.max_sessions)
                    );
                    ui.radio_value(&mut target, Some(TransferTarget::Agent(a.agent_id)), text);
                });
            }
            if !ws.groups().is_empty() {
                ui.separator();
                ui.strong(Msg::ToGroup.text(lang));
                for g in ws.groups() {
                    ui.radio_value(
                        &mut target,
                        Some(TransferTarget::Group(g.group_id)),
                        &g.name,
                    );
                }
            }
            ui.separator();
            let label = ui.label(Msg::Note.text(lang));
            let edit = ui
                .add(egui::TextEdit::multiline(&mut note).desired_rows(2))
                .labelled_by(label.id);
            if edit.changed() {
                intents.push(Intent::EditTransferNote(note.clone()));
            }
            super::status_ui(ui, &dialog.status);
            ui.horizontal(|ui| {
                let ready = target.is_some() && !dialog.status.busy();
                send = ui
                    .add_enabled(ready, egui::Button::new(Msg::TransferNow.text(lang)))
                    .clicked();
                cancel = ui.button(Msg::Cancel.text(lang)).clicked();
            });
        });
    if target != dialog.target {
        if let Some(target) = target {
            intents.push(Intent::PickTransferTarget(target));
        }
    }
    if send {
        intents.push(Intent::SendTransfer);
    }
    if cancel || !open {
        intents.push(Intent::CloseTransferDialog);
    }
}
