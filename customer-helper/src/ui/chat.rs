//! Chat with the agent: history, pending messages, and the input (Enter sends, Ctrl+Enter new
//! line).

use egui::{Color32, Key, KeyboardShortcut, Modifiers, RichText, ScrollArea, TextEdit, Ui};
use porpoise_shared::wire::Party;

use crate::{
    i18n::Tr,
    state::{Session, UiAction},
};

/// Stable id of the chat input, so that focus survives frames.
pub const CHAT_INPUT_ID: &str = "porpoise_chat_input";

/// The whole chat area of a session.
pub fn chat_ui(ui: &mut Ui, session: &mut Session, tr: Tr, online: bool, out: &mut Vec<UiAction>) {
    ui.horizontal(|ui| {
        ui.strong(tr.serving(&session.agent_name));
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            if ui
                .add_enabled(online, egui::Button::new(tr.end_session()))
                .clicked()
            {
                out.push(UiAction::EndSession);
            }
        });
    });
    ui.separator();
    egui::Panel::bottom("chat_input").show(ui, |ui| input_ui(ui, session, tr, online, out));
    ScrollArea::vertical()
        .auto_shrink(false)
        .stick_to_bottom(true)
        .show(ui, |ui| {
            history_ui(ui, session, tr);
        });
}

fn history_ui(ui: &mut Ui, session: &Session, tr: Tr) {
    let mut changes = session.agent_changes.iter().peekable();
    for (i, message) in session.messages.iter().enumerate() {
        while let Some((_, agent)) = changes.next_if(|(at, _)| *at <= i) {
            system_line_ui(ui, &tr.agent_changed(agent));
        }
        let who = match message.from {
            Party::Customer => tr.you(),
            Party::Agent => session.agent_name.as_str(),
            // Greeting, automatic reply, closing message (R11): a centered system line.
            Party::Relay => {
                system_line_ui(ui, &message.text);
                continue;
            }
        };
        let color = match message.from {
            Party::Customer => Color32::from_rgb(30, 110, 60),
            _ => Color32::from_rgb(30, 80, 160),
        };
        ui.label(RichText::new(who).color(color).strong());
        ui.label(&message.text);
        ui.add_space(4.0);
    }
    for (_, agent) in changes {
        system_line_ui(ui, &tr.agent_changed(agent));
    }
    for pending in &session.pending {
        ui.label(RichText::new(format!("{} · {}", tr.you(), tr.sending())).weak());
        ui.label(RichText::new(&pending.text).weak());
        ui.add_space(4.0);
    }
}

/// A line from the relay or about the session, centered and grey.
fn system_line_ui(ui: &mut Ui, text: &str) {
    ui.vertical_centered(|ui| {
        ui.label(RichText::new(text).color(Color32::GRAY).small());
    });
    ui.add_space(4.0);
}

fn input_ui(ui: &mut Ui, session: &mut Session, tr: Tr, online: bool, out: &mut Vec<UiAction>) {
    ui.add_space(4.0);
    let label = ui.label(tr.message_label());
    let input = ui
        .add(
            TextEdit::multiline(&mut session.draft)
                .id_salt(CHAT_INPUT_ID)
                .hint_text(tr.message_hint())
                .desired_rows(2)
                .desired_width(f32::INFINITY)
                .return_key(KeyboardShortcut::new(Modifiers::CTRL, Key::Enter)),
        )
        .labelled_by(label.id);
    if input.changed() {
        out.push(UiAction::DraftChanged);
    }
    // Ctrl+Enter was taken by the text field as a new line; a plain Enter sends.
    let enter = input.has_focus() && ui.input_mut(|i| i.consume_key(Modifiers::NONE, Key::Enter));
    ui.horizontal(|ui| {
        if ui.button(tr.send()).clicked() || enter {
            out.push(UiAction::SendChat);
            input.request_focus();
        }
        if !online {
            ui.label(RichText::new(tr.offline_hint()).weak().small());
        }
    });
}
