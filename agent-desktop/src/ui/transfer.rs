//! The Transfer dialog of a session (A14/R8): an online colleague (with their load) or a group,
//! and a note for the receiver.

use egui::RichText;
use porpoise_protocol::wire::rpc;
use porpoise_protocol::wire::{Presence, Request, TransferTarget};
use porpoise_ui::Language;

use super::{personal::presence_color, Outbox};
use crate::{
    i18n::{self, Msg},
    state::{Status, Workspace},
};

/// Draws the dialog while open.
pub fn transfer_dialog_ui(
    ctx: &egui::Context,
    lang: Language,
    ws: &mut Workspace,
    outbox: &mut Outbox,
) {
    let Some(dialog) = ws.transfer_dialog.as_mut() else {
        return;
    };
    let mut open = true;
    let mut cancel = false;
    let mut send = None;
    let me = ws.agent_id;
    egui::Window::new(Msg::TransferSession.text(lang))
        .id(egui::Id::unique("transfer-dialog"))
        .pivot(egui::Align2::CENTER_CENTER)
        .default_pos(ctx.content_rect().center())
        .collapsible(false)
        .open(&mut open)
        .show(ctx, |ui| {
            ui.strong(Msg::ToAgent.text(lang));
            let colleagues: Vec<_> = ws
                .agents
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
                    ui.radio_value(
                        &mut dialog.target,
                        Some(TransferTarget::Agent(a.agent_id)),
                        text,
                    );
                });
            }
            if !ws.groups.is_empty() {
                ui.separator();
                ui.strong(Msg::ToGroup.text(lang));
                for g in &ws.groups {
                    ui.radio_value(
                        &mut dialog.target,
                        Some(TransferTarget::Group(g.group_id)),
                        &g.name,
                    );
                }
            }
            ui.separator();
            let label = ui.label(Msg::Note.text(lang));
            ui.add(egui::TextEdit::multiline(&mut dialog.note).desired_rows(2))
                .labelled_by(label.id);
            super::status_ui(ui, &dialog.status);
            ui.horizontal(|ui| {
                let ready = dialog.target.is_some() && !dialog.status.busy();
                if ui
                    .add_enabled(ready, egui::Button::new(Msg::TransferNow.text(lang)))
                    .clicked()
                {
                    send = dialog.target;
                }
                cancel = ui.button(Msg::Cancel.text(lang)).clicked();
            });
        });
    if let Some(target) = send {
        dialog.status = Status::Busy;
        super::call(
            outbox,
            Request::TransferSession(rpc::TransferSession {
                session_id: dialog.session_id,
                target,
                note: dialog.note.trim().to_owned(),
            }),
        );
    }
    if cancel || !open {
        ws.transfer_dialog = None;
    }
}
