//! The work area: one tab per customer (A5) and the selected session's service window (A6):
//! action buttons, chat and the customer's screen.

use egui::RichText;
use porpoise_shared::{
    ui::Language,
    wire::{ActionState, Party, RemoteAction},
};

use super::{chat::chat_ui, screen::screen_ui, Outbox};
use crate::{
    i18n::Msg,
    net::NetCommand,
    state::{ScreenView, SessionPhase, SessionTab, Status, TransferDialog, Workspace},
};

/// Width of the chat column next to the screen view, in points.
pub const CHAT_WIDTH_WITH_SCREEN: f32 = 340.0;

/// Draws the tab bar and the selected session.
pub fn sessions_ui(ui: &mut egui::Ui, lang: Language, ws: &mut Workspace, outbox: &mut Outbox) {
    if ws.sessions.is_empty() {
        ui.centered_and_justified(|ui| ui.label(RichText::new(Msg::NoSession.text(lang)).weak()));
        return;
    }
    tabs_ui(ui, ws);
    ui.separator();
    let Some(selected) = ws.selected else { return };
    let mut request = TabRequest::None;
    if let Some(tab) = ws.session_mut(selected) {
        tab.unread = 0;
        request = session_ui(ui, lang, tab, outbox);
    }
    match request {
        TabRequest::None => {}
        TabRequest::Close => ws.close_tab(selected),
        TabRequest::Transfer => {
            ws.transfer_dialog = Some(TransferDialog {
                session_id: selected,
                target: None,
                note: String::new(),
                status: Status::Idle,
            })
        }
    }
}

/// The row of customer tabs.
fn tabs_ui(ui: &mut egui::Ui, ws: &mut Workspace) {
    ui.horizontal_wrapped(|ui| {
        for tab in &ws.sessions {
            let mut text = tab.customer_name.clone();
            if tab.unread > 0 {
                text.push_str(&format!(" ({})", tab.unread));
            }
            let mut rich = RichText::new(text);
            if matches!(tab.phase, SessionPhase::Ended { .. }) {
                rich = rich.weak();
            }
            let selected = ws.selected == Some(tab.session_id);
            if ui.selectable_label(selected, rich).clicked() {
                ws.selected = Some(tab.session_id);
            }
        }
    });
}

/// What a session's header asks of the work area.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TabRequest {
    /// Nothing.
    None,
    /// Close the tab of an ended session.
    Close,
    /// Open the Transfer dialog.
    Transfer,
}

/// One session's service window; returns what the header asked for.
fn session_ui(
    ui: &mut egui::Ui,
    lang: Language,
    tab: &mut SessionTab,
    outbox: &mut Outbox,
) -> TabRequest {
    let request = header_ui(ui, lang, tab, outbox);
    if let Some(notice) = &tab.notice {
        ui.label(RichText::new(notice).color(ui.visuals().warn_fg_color));
    }
    ui.separator();
    if shows_screen(tab) {
        egui::Panel::right(("chat-column", tab.session_id))
            .resizable(true)
            .default_size(CHAT_WIDTH_WITH_SCREEN)
            .show(ui, |ui| chat_ui(ui, lang, tab, outbox));
        egui::CentralPanel::no_frame().show(ui, |ui| screen_ui(ui, lang, tab, outbox));
    } else {
        chat_ui(ui, lang, tab, outbox);
    }
    request
}

/// True if the screen area is shown: an action is requested or running, or a stream is on.
fn shows_screen(tab: &SessionTab) -> bool {
    let active = |a| matches!(tab.action(a), ActionState::Requested | ActionState::Granted);
    tab.phase == SessionPhase::Open
        && (active(RemoteAction::ViewDesktop)
            || active(RemoteAction::RemoteControl)
            || matches!(tab.screen, ScreenView::Streaming(_)))
}

/// Customer name, action buttons (View desktop / Remote control ↔ Stop), Transfer, End session;
/// returns what the agent asked of the work area.
fn header_ui(
    ui: &mut egui::Ui,
    lang: Language,
    tab: &mut SessionTab,
    outbox: &mut Outbox,
) -> TabRequest {
    let mut request = TabRequest::None;
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new(&tab.customer_name).strong().size(16.0));
        ui.label(RichText::new(&tab.customer_phone).weak());
        ui.separator();
        match tab.phase {
            SessionPhase::Open => {
                for action in [
                    RemoteAction::ViewDesktop,
                    RemoteAction::RemoteControl,
                    RemoteAction::RemoteDemo,
                ] {
                    action_button_ui(ui, lang, tab, action, outbox);
                }
                // The clipboard is synced only while controlling, so offer it then.
                if tab.action(RemoteAction::RemoteControl) == ActionState::Granted
                    || tab.action(RemoteAction::ClipboardSync) != ActionState::Stopped
                {
                    action_button_ui(ui, lang, tab, RemoteAction::ClipboardSync, outbox);
                }
                ui.separator();
                if tab.transferring {
                    ui.label(RichText::new(Msg::Transferring.text(lang)).italics());
                } else if ui.button(Msg::Transfer.text(lang)).clicked() {
                    request = TabRequest::Transfer;
                }
                if ui.button(Msg::EndSession.text(lang)).clicked() {
                    outbox.push(NetCommand::EndSession {
                        session_id: tab.session_id,
                    });
                }
            }
            SessionPhase::Ended { by } => {
                let text = match by {
                    Party::Customer => Msg::EndedByCustomer,
                    Party::Agent => Msg::EndedByAgent,
                    Party::Relay => Msg::EndedByRelay,
                };
                ui.label(RichText::new(text.text(lang)).weak());
                if ui.button(Msg::CloseTab.text(lang)).clicked() {
                    request = TabRequest::Close;
                }
            }
        }
    });
    request
}

/// One action's button and state text (A6): the button turns into Stop while requested or
/// running.
fn action_button_ui(
    ui: &mut egui::Ui,
    lang: Language,
    tab: &mut SessionTab,
    action: RemoteAction,
    outbox: &mut Outbox,
) {
    let session_id = tab.session_id;
    let state = tab.action(action);
    let (start, stop, running) = match action {
        RemoteAction::ViewDesktop => (Msg::ViewDesktop, Msg::StopViewing, Msg::Viewing),
        RemoteAction::RemoteControl => (Msg::RemoteControl, Msg::StopControl, Msg::Controlling),
        RemoteAction::RemoteDemo => (Msg::RemoteDemo, Msg::StopDemo, Msg::Demoing),
        RemoteAction::ClipboardSync => (Msg::ClipboardSync, Msg::StopClipboard, Msg::ClipboardOn),
    };
    match state {
        ActionState::Requested | ActionState::Granted => {
            if ui.button(stop.text(lang)).clicked() {
                outbox.push(NetCommand::StopAction { session_id, action });
            }
            let status = if state == ActionState::Requested {
                Msg::WaitingConsent
            } else {
                running
            };
            ui.label(RichText::new(status.text(lang)).italics());
        }
        ActionState::Refused | ActionState::Stopped => {
            if ui.button(start.text(lang)).clicked() {
                // Shown as requested at once; the relay's ActionChanged confirms or corrects it.
                tab.actions.insert(action, ActionState::Requested);
                tab.notice = None;
                outbox.push(NetCommand::RequestAction { session_id, action });
            }
            if state == ActionState::Refused {
                ui.label(
                    RichText::new(Msg::CustomerRefused.text(lang))
                        .color(ui.visuals().warn_fg_color),
                );
            }
        }
    }
}
