//! Chat of one session (A7): history with authors and times, pending marks until the relay
//! stores a message, and the input where Enter sends and Ctrl+Enter inserts a new line.

use egui::{Key, KeyboardShortcut, Modifiers, RichText, TextEdit};
use porpoise_shared::{
    client::random_id,
    ui::Language,
    wire::{Party, MAX_CHAT_TEXT_BYTES},
};

use super::Outbox;
use crate::{
    clock, i18n,
    i18n::Msg,
    net::NetCommand,
    state::{Delivery, SessionPhase, SessionTab},
};

/// Rows of the chat input.
pub const INPUT_ROWS: usize = 3;

/// Draws the chat: input at the bottom, history above it.
pub fn chat_ui(ui: &mut egui::Ui, lang: Language, tab: &mut SessionTab, outbox: &mut Outbox) {
    egui::Panel::bottom(("chat-input", tab.session_id))
        .frame(egui::Frame::NONE.inner_margin(egui::Margin::symmetric(0, 6)))
        .show(ui, |ui| {
            typing_ui(ui, lang, tab);
            input_ui(ui, lang, tab, outbox)
        });
    egui::CentralPanel::no_frame().show(ui, |ui| history_ui(ui, lang, tab));
}

/// The customer's unsent text in grey italics (R10), while there is any.
fn typing_ui(ui: &mut egui::Ui, lang: Language, tab: &SessionTab) {
    if tab.typing.is_empty() || tab.phase != SessionPhase::Open {
        return;
    }
    let text = i18n::typing_preview(lang, &tab.customer_name, &tab.typing);
    ui.label(
        RichText::new(text)
            .italics()
            .color(ui.visuals().weak_text_color()),
    );
}

/// The message history, newest at the bottom (kept in view while new messages arrive).
fn history_ui(ui: &mut egui::Ui, lang: Language, tab: &SessionTab) {
    let now_ms = clock::now_unix_ms();
    egui::ScrollArea::vertical()
        .id_salt(("chat-history", tab.session_id))
        .auto_shrink([false, false])
        .stick_to_bottom(true)
        .show(ui, |ui| {
            let mut last_shown = None;
            for entry in &tab.chat {
                let m = &entry.message;
                if clock::starts_time_run(last_shown, m.sent_at) {
                    last_shown = Some(m.sent_at);
                    ui.vertical_centered(|ui| {
                        ui.label(
                            RichText::new(clock::message_time_text(m.sent_at, now_ms))
                                .small()
                                .weak(),
                        );
                    });
                }
                let author = i18n::author(lang, m.from, &tab.customer_name);
                let color = match m.from {
                    Party::Agent => ui.visuals().hyperlink_color,
                    Party::Customer => ui.visuals().strong_text_color(),
                    Party::Relay => ui.visuals().weak_text_color(),
                };
                ui.horizontal(|ui| {
                    ui.label(RichText::new(author).color(color).strong());
                    match &entry.delivery {
                        Delivery::Stored => {}
                        Delivery::Pending => {
                            ui.label(RichText::new(Msg::Sending.text(lang)).small().weak());
                        }
                        Delivery::Failed(error) => {
                            let text = RichText::new(Msg::NotSent.text(lang))
                                .small()
                                .color(ui.visuals().error_fg_color);
                            ui.label(text).on_hover_text(error);
                        }
                    }
                });
                let text = RichText::new(&m.text);
                let text = if entry.delivery == Delivery::Pending {
                    text.weak()
                } else {
                    text
                };
                ui.add(egui::Label::new(text).wrap().selectable(true));
                ui.add_space(4.0);
            }
        });
}

/// The input box and Send button. Enter sends; Ctrl+Enter inserts a new line.
fn input_ui(ui: &mut egui::Ui, lang: Language, tab: &mut SessionTab, outbox: &mut Outbox) {
    let open = tab.phase == SessionPhase::Open;
    let id = egui::Id::unique(("chat-input-text", tab.session_id));
    let mut send = false;
    // Take plain Enter before the text edit sees it; Ctrl+Enter reaches it as its return key.
    if open && ui.memory(|m| m.has_focus(id)) {
        send = ui.input_mut(|i| i.consume_key(Modifiers::NONE, Key::Enter));
    }
    let label = ui.label(Msg::Message.text(lang));
    let mut response = None;
    ui.add_enabled_ui(open, |ui| {
        ui.horizontal(|ui| {
            let button_width = 64.0;
            let edit = TextEdit::multiline(&mut tab.draft)
                .id(id)
                .return_key(KeyboardShortcut::new(Modifiers::COMMAND, Key::Enter))
                .desired_rows(INPUT_ROWS)
                .desired_width(ui.available_width() - button_width - ui.spacing().item_spacing.x)
                .hint_text(Msg::ChatHint.text(lang));
            response = Some(ui.add(edit).labelled_by(label.id));
            if ui
                .add_sized(
                    [button_width, 28.0],
                    egui::Button::new(Msg::Send.text(lang)),
                )
                .clicked()
            {
                send = true;
            }
        });
    });
    if !(send && open) {
        return;
    }
    let text = tab.draft.trim_end().to_owned();
    if text.trim().is_empty() {
        return;
    }
    if text.len() > MAX_CHAT_TEXT_BYTES {
        tab.notice = Some(format!("{} > {MAX_CHAT_TEXT_BYTES} bytes", text.len()));
        return;
    }
    let message_id = random_id();
    tab.push_pending(message_id, text.clone(), clock::now_unix_ms());
    tab.draft.clear();
    outbox.push(NetCommand::SendChat {
        session_id: tab.session_id,
        message_id,
        text,
    });
    if let Some(r) = response {
        r.request_focus();
    }
}
