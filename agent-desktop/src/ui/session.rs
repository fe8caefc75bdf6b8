//! The work area: one tab per customer (A5) and the selected session's service window (A6):
//! action buttons, chat and the customer's screen.

use egui::RichText;
use porpoise_shared::{
    ui::Language,
    wire::{ActionState, Party, RemoteAction, SessionId},
};

use super::{
    canned::{quick_replies_ui, QUICK_REPLY_PANEL_WIDTH},
    chat::chat_ui,
    screen::screen_ui,
    Outbox,
};
use crate::{
    i18n::Msg,
    net::NetCommand,
    state::{Library, ScreenView, SessionPhase, SessionTab, Status, TransferDialog, Workspace},
};

/// Width of the chat column next to the screen view, in points.
pub const CHAT_WIDTH_WITH_SCREEN: f32 = 340.0;

/// Draws the tab bar and the selected session.
pub fn sessions_ui(ui: &mut egui::Ui, lang: Language, ws: &mut Workspace, outbox: &mut Outbox) {
    super::chat::set_font_size(ui.ctx(), ws.prefs.chat_font_size);
    sessions_inner_ui(ui, lang, ws, outbox);
    // The chat's text size buttons change the preference (kept by the app).
    ws.prefs.chat_font_size = super::chat::font_size(ui.ctx());
}

fn sessions_inner_ui(ui: &mut egui::Ui, lang: Language, ws: &mut Workspace, outbox: &mut Outbox) {
    super::record::pending_records_ui(ui, lang, ws);
    super::record::record_dialog_ui(ui, lang, ws, outbox);
    if ws.sessions.is_empty() {
        ui.centered_and_justified(|ui| ui.label(RichText::new(Msg::NoSession.text(lang)).weak()));
        return;
    }
    tabs_ui(ui, lang, ws, outbox);
    ui.separator();
    let Some(selected) = ws.selected else { return };
    let mut request = TabRequest::None;
    super::files::files_ui(ui, lang, ws, selected, outbox);
    super::visitor::customer_side_ui(ui, lang, ws, selected, outbox);
    if let Some(tab) = ws.sessions.iter_mut().find(|s| s.session_id == selected) {
        tab.unread = 0;
        let manages = ws.role.is_some_and(|r| r.manages());
        request = session_ui(
            ui,
            lang,
            tab,
            &mut ws.library,
            &mut ws.snip,
            manages,
            outbox,
        );
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
fn tabs_ui(ui: &mut egui::Ui, lang: Language, ws: &mut Workspace, outbox: &mut Outbox) {
    // Tabs whose session the agent ended with Close go once the end has arrived.
    let done: Vec<_> = ws
        .sessions
        .iter()
        .filter(|t| t.close_on_end && matches!(t.phase, SessionPhase::Ended { .. }))
        .map(|t| t.session_id)
        .collect();
    for id in done {
        ws.close_tab(id);
    }
    let mut action: Option<(TabAction, SessionId)> = None;
    ui.horizontal_wrapped(|ui| {
        for tab in ws.sessions.iter().filter(|t| !t.hidden) {
            let id = tab.session_id;
            let mut rich = RichText::new(&tab.customer_name);
            if matches!(tab.phase, SessionPhase::Ended { .. }) {
                rich = rich.weak();
            }
            let selected = ws.selected == Some(id);
            egui::Frame::group(ui.style())
                .inner_margin(egui::Margin::symmetric(4, 2))
                .show(ui, |ui| {
                    ui.horizontal(|ui| {
                        if ui.selectable_label(selected, rich).clicked() {
                            action = Some((TabAction::Select, id));
                        }
                        unread_badge(ui, tab.unread);
                        let hide = ui.small_button("–").on_hover_text(Msg::HideTab.text(lang));
                        if hide.clicked() {
                            action = Some((TabAction::Hide, id));
                        }
                        let close = ui.small_button("×").on_hover_text(Msg::CloseTab.text(lang));
                        if close.clicked() {
                            action = Some((TabAction::Close, id));
                        }
                    });
                });
        }
        let hidden: Vec<&SessionTab> = ws.sessions.iter().filter(|t| t.hidden).collect();
        if !hidden.is_empty() {
            let unread: usize = hidden.iter().map(|t| t.unread).sum();
            let mut title = crate::i18n::hidden_tabs(lang, hidden.len());
            if unread > 0 {
                title.push_str(&format!(" ({unread})"));
            }
            ui.menu_button(title, |ui| {
                for tab in hidden {
                    let mut text = tab.customer_name.clone();
                    if tab.unread > 0 {
                        text.push_str(&format!(" ({})", tab.unread));
                    }
                    if ui.button(text).clicked() {
                        action = Some((TabAction::Show, tab.session_id));
                        ui.close();
                    }
                }
            });
        }
    });
    match action {
        None => {}
        Some((TabAction::Select, id)) => ws.selected = Some(id),
        Some((TabAction::Hide, id)) => ws.hide_tab(id),
        Some((TabAction::Show, id)) => ws.show_tab(id),
        Some((TabAction::Close, id)) => {
            let open = ws
                .sessions
                .iter()
                .any(|t| t.session_id == id && t.phase == SessionPhase::Open);
            if open {
                ws.confirm_close = Some(id);
            } else {
                ws.close_tab(id);
            }
        }
    }
    confirm_close_ui(ui.ctx(), lang, ws, outbox);
}

/// What the agent did to one tab button.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TabAction {
    Select,
    Hide,
    Show,
    Close,
}

/// A red badge with the number of unread customer messages (nothing when 0).
fn unread_badge(ui: &mut egui::Ui, unread: usize) {
    if unread == 0 {
        return;
    }
    let text = if unread > 99 {
        "99+".to_owned()
    } else {
        unread.to_string()
    };
    egui::Frame::new()
        .fill(egui::Color32::from_rgb(0xD9, 0x30, 0x25))
        .corner_radius(8.0)
        .inner_margin(egui::Margin::symmetric(5, 0))
        .show(ui, |ui| {
            ui.label(
                RichText::new(text)
                    .small()
                    .color(egui::Color32::WHITE)
                    .strong(),
            );
        });
}

/// Asks before closing the tab of a session that is still open (A5): End and close, or keep it.
fn confirm_close_ui(ctx: &egui::Context, lang: Language, ws: &mut Workspace, outbox: &mut Outbox) {
    let Some(id) = ws.confirm_close else { return };
    let Some(tab) = ws.sessions.iter_mut().find(|t| t.session_id == id) else {
        ws.confirm_close = None;
        return;
    };
    let mut answer = None;
    egui::Window::new(Msg::CloseTab.text(lang))
        .id(egui::Id::unique("confirm-close-tab"))
        .collapsible(false)
        .resizable(false)
        .pivot(egui::Align2::CENTER_CENTER)
        .default_pos(ctx.content_rect().center())
        .show(ctx, |ui| {
            ui.label(crate::i18n::confirm_close_open(lang, &tab.customer_name));
            ui.horizontal(|ui| {
                if ui.button(Msg::EndAndClose.text(lang)).clicked() {
                    answer = Some(true);
                }
                if ui.button(Msg::Cancel.text(lang)).clicked() {
                    answer = Some(false);
                }
            });
        });
    match answer {
        Some(true) => {
            tab.close_on_end = true;
            outbox.push(NetCommand::EndSession { session_id: id });
            ws.confirm_close = None;
        }
        Some(false) => ws.confirm_close = None,
        None => {}
    }
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
    library: &mut Library,
    snip: &mut crate::snip::SnipTool,
    manages: bool,
    outbox: &mut Outbox,
) -> TabRequest {
    let request = header_ui(ui, lang, tab, outbox);
    super::sysinfo::system_info_window(ui.ctx(), lang, tab);
    if let Some(notice) = &tab.notice {
        ui.label(RichText::new(notice).color(ui.visuals().warn_fg_color));
    }
    ui.horizontal(|ui| {
        ui.toggle_value(&mut library.open, Msg::QuickReplies.text(lang));
        if tab.phase == SessionPhase::Open {
            if let Some(shot) = super::snip::snip_button(ui, lang, snip) {
                send_screenshot(lang, tab, &shot, outbox);
            }
        }
    });
    ui.separator();
    if library.open {
        egui::Panel::right(("quick-replies", tab.session_id))
            .resizable(true)
            .default_size(QUICK_REPLY_PANEL_WIDTH)
            .show(ui, |ui| {
                quick_replies_ui(ui, lang, library, tab, manages, outbox)
            });
    }
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

/// A9: the agent's screenshot is saved as a PNG (screenshot folder) and sent to the customer as
/// a file (the customer's file-transfer consent is asked if it is not granted yet).
fn send_screenshot(
    lang: Language,
    tab: &mut SessionTab,
    shot: &crate::snip::SnipResult,
    outbox: &mut Outbox,
) {
    match crate::screenshot::save_png_bytes(&tab.customer_name, &shot.png) {
        Ok(path) => {
            tab.notice = Some(crate::i18n::screenshot_sending(
                lang,
                &path.display().to_string(),
            ));
            outbox.push(NetCommand::Files(crate::files::FileCommand::Send {
                session_id: tab.session_id,
                paths: vec![path],
            }));
        }
        Err(e) => tab.notice = Some(crate::i18n::transcript_failed(lang, &e)),
    }
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
                    RemoteAction::FileTransfer,
                    RemoteAction::SystemInfo,
                ] {
                    action_button_ui(ui, lang, tab, action, outbox);
                }
                super::sysinfo::show_button_ui(ui, lang, tab);
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
        RemoteAction::FileTransfer => (
            Msg::FileTransfer,
            Msg::StopFileTransfer,
            Msg::FileTransferOn,
        ),
        RemoteAction::SystemInfo => (
            Msg::SystemInfo,
            Msg::StopSystemInfo,
            Msg::SystemInfoCollecting,
        ),
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

#[cfg(test)]
mod snip_tests {
    use porpoise_shared::wire::SessionInfo;

    use super::*;

    #[test]
    fn a_screenshot_is_saved_and_sent_to_the_customer_as_a_file() {
        let dir = tempfile_dir();
        // Only this test sets the variable.
        std::env::set_var(crate::screenshot::SCREENSHOT_DIR_ENV, &dir);
        let mut tab = SessionTab::new(SessionInfo {
            session_id: 5,
            customer_name: "张三".into(),
            customer_phone: String::new(),
            agent_name: "A".into(),
            started_at: 0,
            messages: vec![],
        });
        let shot = crate::snip::SnipResult {
            png: b"\x89PNG fake".to_vec(),
            width: 1,
            height: 1,
        };
        let mut outbox = Vec::new();
        send_screenshot(Language::En, &mut tab, &shot, &mut outbox);
        let [NetCommand::Files(crate::files::FileCommand::Send {
            session_id: 5,
            paths,
        })] = outbox.as_slice()
        else {
            panic!("{outbox:?}")
        };
        assert_eq!(std::fs::read(&paths[0]).expect("saved"), shot.png);
        assert!(tab.notice.as_deref().is_some_and(|n| n.contains("sending")));
        let _ = std::fs::remove_dir_all(dir);
    }

    fn tempfile_dir() -> std::path::PathBuf {
        std::env::temp_dir().join(format!("porpoise-snip-send-{}", std::process::id()))
    }
}
