//! Colleagues (A2 right side, R9): presence dots and load, and a small chat window per
//! colleague with an unread badge.

use egui::{Key, RichText};
use porpoise_ui::Language;

use super::personal::presence_color;
use crate::{
    i18n::{self, Msg},
    state::{Delivery, Intent, Workspace},
};

/// The colleague list; clicking one reports [`Intent::OpenAgentChat`].
pub fn agents_ui(ui: &mut egui::Ui, lang: Language, ws: &Workspace, intents: &mut Vec<Intent>) {
    ui.heading(Msg::Colleagues.text(lang));
    ui.separator();
    let me = ws.agent_id();
    egui::ScrollArea::vertical().show(ui, |ui| {
        for a in ws.agents().iter().filter(|a| a.agent_id != me) {
            ui.horizontal(|ui| {
                ui.label(RichText::new("●").color(presence_color(a.presence)))
                    .on_hover_text(i18n::presence(lang, a.presence));
                let unread = ws.agent_chat(a.agent_id).map_or(0, |c| c.unread);
                let mut text = a.nickname.clone();
                if unread > 0 {
                    text.push_str(&format!(" ({unread})"));
                }
                let rich = if unread > 0 {
                    RichText::new(text).strong()
                } else {
                    RichText::new(text)
                };
                if ui
                    .selectable_label(ws.open_chat() == Some(a.agent_id), rich)
                    .clicked()
                {
                    intents.push(Intent::OpenAgentChat(a.agent_id));
                }
                ui.label(RichText::new(i18n::load(a.sessions, a.max_sessions)).weak());
            });
        }
    });
}

/// The chat window with the open colleague. The draft is edited as a copy; a change is
/// reported as [`Intent::EditAgentChatDraft`], Send (or Enter) as [`Intent::SendAgentChat`].
pub fn agent_chat_ui(
    ctx: &egui::Context,
    lang: Language,
    ws: &Workspace,
    intents: &mut Vec<Intent>,
) {
    let Some(peer) = ws.open_chat() else { return };
    let name = ws.agent_name(peer).unwrap_or("?").to_owned();
    let me = ws.agent_id();
    let empty = crate::state::AgentChat::default();
    let chat = ws.agent_chat(peer).unwrap_or(&empty);
    let mut draft = chat.draft.clone();
    let mut open = true;
    egui::Window::new(&name)
        .id(egui::Id::unique(("agent-chat", peer)))
        .default_size([300.0, 320.0])
        .pivot(egui::Align2::RIGHT_TOP)
        .default_pos(ctx.content_rect().right_top() + egui::vec2(-240.0, 180.0))
        .open(&mut open)
        .show(ctx, |ui| {
            egui::ScrollArea::vertical()
                .auto_shrink([false, false])
                .max_height(220.0)
                .stick_to_bottom(true)
                .show(ui, |ui| {
                    for line in &chat.lines {
                        let author = if line.message.from == me {
                            Msg::Me.text(lang)
                        } else {
                            &name
                        };
                        let mut text = format!("{author}: {}", line.message.text);
                        match &line.delivery {
                            Delivery::Pending => {
                                text.push_str(&format!(" ({})", Msg::Sending.text(lang)))
                            }
                            Delivery::Failed(e) => {
                                text.push_str(&format!(" ({}: {e})", Msg::NotSent.text(lang)))
                            }
                            Delivery::Stored => {}
                        }
                        ui.label(text);
                    }
                });
            let label = ui.label(Msg::Message.text(lang));
            let edit = ui
                .add(egui::TextEdit::singleline(&mut draft).desired_width(f32::INFINITY))
                .labelled_by(label.id);
            if edit.changed() {
                intents.push(Intent::EditAgentChatDraft(draft.clone()));
            }
            let enter = edit.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter));
            if ui.button(Msg::Send.text(lang)).clicked() || enter {
                intents.push(Intent::SendAgentChat);
            }
        });
    if !open {
        intents.push(Intent::CloseAgentChat);
    }
}
