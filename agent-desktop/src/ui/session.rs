//! The work area: one tab per customer (A5) and the selected session's service window (A6):
//! action buttons, chat and a live thumbnail of the customer's screen (the screen itself is in
//! its remote window, [`super::remote`]).

use egui::RichText;
use porpoise_protocol::wire::{ActionState, Party, RemoteAction, SessionId};
use porpoise_ui::Language;

use super::{
    canned::{quick_replies_ui, QUICK_REPLY_PANEL_WIDTH},
    chat::{chat_ui, ChatPlace},
    screen::thumbnail_ui,
    SessionTools,
};
use crate::{
    i18n::Msg,
    state::{Intent, Library, RebootWait, ScreenView, SessionPhase, SessionTab, Workspace},
};

/// Height of the screen thumbnail over the chat, in points.
pub const THUMBNAIL_HEIGHT: f32 = 120.0;

/// Draws the tab bar and the selected session.
pub fn sessions_ui(
    ui: &mut egui::Ui,
    lang: Language,
    ws: &Workspace,
    tools: &mut SessionTools,
    intents: &mut Vec<Intent>,
) {
    super::chat::set_font_size(ui.ctx(), ws.prefs().chat_font_size);
    sessions_inner_ui(ui, lang, ws, tools, intents);
    // Chat pictures (A7): the large view of a clicked one, and fetches for new ones.
    tools
        .pictures
        .viewer_ui(ui.ctx(), super::chat::picture_labels(lang));
    for (session_id, message_id) in tools.pictures.take_wanted() {
        intents.push(Intent::FetchPicture {
            session_id,
            message_id,
        });
    }
    // The chat's text size buttons change the preference (kept by the app).
    let size = super::chat::font_size(ui.ctx());
    if size != ws.prefs().chat_font_size {
        intents.push(Intent::SetChatFontSize(size));
    }
}

fn sessions_inner_ui(
    ui: &mut egui::Ui,
    lang: Language,
    ws: &Workspace,
    tools: &mut SessionTools,
    intents: &mut Vec<Intent>,
) {
    super::record::pending_records_ui(ui, lang, ws, intents);
    super::record::record_dialog_ui(ui, lang, ws, intents);
    if ws.sessions().is_empty() {
        ui.centered_and_justified(|ui| ui.label(RichText::new(Msg::NoSession.text(lang)).weak()));
        return;
    }
    tabs_ui(ui, lang, ws, intents);
    ui.separator();
    let Some(selected) = ws.selected() else {
        return;
    };
    super::files::files_ui(ui, lang, ws, &mut tools.pictures, selected, intents);
    super::visitor::customer_side_ui(ui, lang, ws, selected, intents);
    let rights = Rights {
        library: ws.manages(),
        block: ws.can(porpoise_protocol::wire::Permission::BlockCustomers),
    };
    if let Some(tab) = ws.session(selected) {
        session_ui(ui, lang, tab, ws.library(), tools, rights, intents);
    }
}

/// The row of customer tabs; clicks are reported as intents (Close asks first while the
/// session is open, see [`confirm_close_ui`]).
fn tabs_ui(ui: &mut egui::Ui, lang: Language, ws: &Workspace, intents: &mut Vec<Intent>) {
    let mut action: Option<(TabAction, SessionId)> = None;
    ui.horizontal_wrapped(|ui| {
        for tab in ws.sessions().iter().filter(|t| !t.hidden) {
            let id = tab.session_id;
            let mut rich = RichText::new(&tab.customer_name);
            if matches!(tab.phase, SessionPhase::Ended { .. }) {
                rich = rich.weak();
            }
            let selected = ws.selected() == Some(id);
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
        let hidden: Vec<&SessionTab> = ws.sessions().iter().filter(|t| t.hidden).collect();
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
        Some((TabAction::Select, id)) => intents.push(Intent::SelectTab(id)),
        Some((TabAction::Hide, id)) => intents.push(Intent::HideTab(id)),
        Some((TabAction::Show, id)) => intents.push(Intent::ShowTab(id)),
        Some((TabAction::Close, id)) => intents.push(Intent::CloseTab(id)),
    }
    confirm_close_ui(ui.ctx(), lang, ws, intents);
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
fn confirm_close_ui(
    ctx: &egui::Context,
    lang: Language,
    ws: &Workspace,
    intents: &mut Vec<Intent>,
) {
    let Some(id) = ws.confirm_close() else { return };
    let Some(tab) = ws.sessions().iter().find(|t| t.session_id == id) else {
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
        Some(true) => intents.push(Intent::EndAndClose),
        Some(false) => intents.push(Intent::KeepTab),
        None => {}
    }
}

/// What the account may do in a session window beyond serving (M4).
#[derive(Debug, Clone, Copy)]
struct Rights {
    /// Edit center-wide canned responses (M7).
    library: bool,
    /// Block the customer (R16).
    block: bool,
}

/// One session's service window.
fn session_ui(
    ui: &mut egui::Ui,
    lang: Language,
    tab: &SessionTab,
    library: &Library,
    tools: &mut SessionTools,
    rights: Rights,
    intents: &mut Vec<Intent>,
) {
    let manages = rights.library;
    header_ui(ui, lang, tab, intents);
    super::sysinfo::system_info_window(ui.ctx(), lang, tab, intents);
    if let Some(notice) = &tab.notice {
        ui.label(RichText::new(notice).color(ui.visuals().warn_fg_color));
    }
    ui.horizontal(|ui| {
        let mut open = library.open;
        if ui
            .toggle_value(&mut open, Msg::QuickReplies.text(lang))
            .changed()
        {
            intents.push(Intent::OpenLibrary(open));
        }
        if tab.phase == SessionPhase::Open {
            if let Some(shot) = super::snip::snip_button(ui, lang, &mut tools.snip) {
                send_screenshot(ui.ctx(), tab, &mut tools.pictures, shot);
            }
            if rights.block && ui.button(Msg::BlockCustomer.text(lang)).clicked() {
                intents.push(Intent::OpenAdmin(crate::state::AdminWindow::BlockCustomer(
                    tab.session_id,
                )));
            }
        }
    });
    ui.separator();
    if library.open {
        egui::Panel::right(("quick-replies", tab.session_id))
            .resizable(true)
            .default_size(QUICK_REPLY_PANEL_WIDTH)
            .show(ui, |ui| {
                quick_replies_ui(
                    ui,
                    lang,
                    library,
                    tab,
                    manages,
                    &mut tools.knowledge_pictures,
                    intents,
                )
            });
    }
    if shows_screen(tab) {
        // The screen itself is in its own window (issue 15); the tab keeps a live thumbnail.
        egui::Panel::top(("screen-thumbnail", tab.session_id))
            .frame(egui::Frame::NONE.inner_margin(egui::Margin::symmetric(0, 4)))
            .show(ui, |ui| thumbnail_ui(ui, lang, tab, &tools.screens));
    }
    chat_ui(ui, lang, tab, ChatPlace::Tab, tools, intents);
}

/// A9: the agent's screenshot goes into the chat as a picture (A7), like a pasted one: fitted
/// on a worker thread, then sent by [`super::chat::send_prepared`].
fn send_screenshot(
    ctx: &egui::Context,
    tab: &SessionTab,
    pictures: &mut porpoise_ui::chat_pictures::ChatPictures,
    shot: crate::snip::SnipResult,
) {
    // The snip is a PNG; a very large or busy one is re-encoded to fit the chat.
    let source = porpoise_ui::chat_pictures::Outgoing::Encoded(shot.png);
    pictures.prepare_to_send(ctx, tab.session_id, source);
}

/// True if the screen area is shown: an action is requested or running, or a stream is on.
fn shows_screen(tab: &SessionTab) -> bool {
    let active = |a| matches!(tab.action(a), ActionState::Requested | ActionState::Granted);
    tab.phase == SessionPhase::Open
        && (active(RemoteAction::ViewDesktop)
            || active(RemoteAction::RemoteControl)
            || tab.screen == ScreenView::Streaming)
}

/// Customer name, action buttons (View desktop / Remote control ↔ Stop), Transfer, End session;
/// clicks are reported as intents.
fn header_ui(ui: &mut egui::Ui, lang: Language, tab: &SessionTab, intents: &mut Vec<Intent>) {
    let session_id = tab.session_id;
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
                    RemoteAction::Reboot,
                ] {
                    action_button_ui(ui, lang, tab, action, intents);
                }
                reboot_status_ui(ui, lang, tab);
                super::sysinfo::show_button_ui(ui, lang, tab, intents);
                survey_ui(ui, lang, tab, intents);
                // The clipboard is synced only while controlling, so offer it then.
                if tab.action(RemoteAction::RemoteControl) == ActionState::Granted
                    || tab.action(RemoteAction::ClipboardSync) != ActionState::Stopped
                {
                    action_button_ui(ui, lang, tab, RemoteAction::ClipboardSync, intents);
                }
                ui.separator();
                if tab.transferring {
                    ui.label(RichText::new(Msg::Transferring.text(lang)).italics());
                } else if ui.button(Msg::Transfer.text(lang)).clicked() {
                    intents.push(Intent::OpenTransferDialog(session_id));
                }
                if ui.button(Msg::EndSession.text(lang)).clicked() {
                    intents.push(Intent::EndSession(session_id));
                }
            }
            SessionPhase::Ended { by } => {
                let text = match by {
                    Party::Customer => Msg::EndedByCustomer,
                    Party::Agent => Msg::EndedByAgent,
                    Party::Relay if matches!(tab.reboot, RebootWait::Waiting { .. }) => {
                        Msg::RebootTimedOut
                    }
                    Party::Relay => Msg::EndedByRelay,
                };
                ui.label(RichText::new(text.text(lang)).weak());
                survey_ui(ui, lang, tab, intents);
                if ui.button(Msg::CloseTab.text(lang)).clicked() {
                    // The session is over: closed without asking.
                    intents.push(Intent::CloseTab(session_id));
                }
            }
        }
    });
}

/// The satisfaction survey (C7): 推送调查表 while open and not yet answered; the customer's
/// answer once it arrived.
fn survey_ui(ui: &mut egui::Ui, lang: Language, tab: &SessionTab, intents: &mut Vec<Intent>) {
    match &tab.survey {
        crate::state::SurveyStatus::Answered(answer) => {
            ui.label(RichText::new(crate::i18n::survey_result(lang, answer)).strong());
        }
        crate::state::SurveyStatus::Pushed => {
            ui.label(RichText::new(Msg::SurveyPushed.text(lang)).italics());
        }
        crate::state::SurveyStatus::None if tab.phase == SessionPhase::Open => {
            if ui.button(Msg::PushSurvey.text(lang)).clicked() {
                intents.push(Intent::PushSurvey(tab.session_id));
            }
        }
        crate::state::SurveyStatus::None => {}
    }
}

/// The customer's reboot (C8): restarting (the relay waits up to 15 min) or back.
fn reboot_status_ui(ui: &mut egui::Ui, lang: Language, tab: &SessionTab) {
    match tab.reboot {
        RebootWait::None => {}
        RebootWait::Waiting { .. } => {
            ui.label(
                RichText::new(Msg::CustomerRebooting.text(lang)).color(ui.visuals().warn_fg_color),
            );
        }
        RebootWait::Reconnected => {
            ui.label(RichText::new(Msg::CustomerReconnected.text(lang)).italics());
        }
    }
}

/// One action's button and state text (A6): the button turns into Stop while requested or
/// running.
pub(super) fn action_button_ui(
    ui: &mut egui::Ui,
    lang: Language,
    tab: &SessionTab,
    action: RemoteAction,
    intents: &mut Vec<Intent>,
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
        RemoteAction::Reboot => (Msg::Reboot, Msg::StopReboot, Msg::RebootPreparing),
    };
    match state {
        ActionState::Requested | ActionState::Granted => {
            if ui.button(stop.text(lang)).clicked() {
                intents.push(Intent::StopAction { session_id, action });
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
                intents.push(Intent::RequestAction { session_id, action });
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
    use porpoise_protocol::wire::{rpc, SessionId, SessionInfo};
    use porpoise_ui::chat_pictures::ChatPictures;

    use super::*;
    use crate::{
        net::NetCommand,
        state::Effect,
        ui::chat::{send_prepared, show_sent_picture},
    };

    /// Sends what finished preparing as the app would: intents applied, commands carried out.
    fn send_ready(ws: &mut Workspace, pictures: &mut ChatPictures) -> Vec<NetCommand> {
        let mut intents = Vec::new();
        let tab = ws.session(SessionId(5)).expect("tab");
        send_prepared(Language::En, tab, pictures, &mut intents);
        let mut effects = Vec::new();
        for intent in intents {
            ws.on_ui(intent, &mut effects);
        }
        let mut outbox = Vec::new();
        for effect in effects {
            if let Effect::Command(cmd) = effect {
                show_sent_picture(pictures, &cmd);
                outbox.push(cmd);
            }
        }
        outbox
    }

    #[test]
    fn a_screenshot_goes_into_the_chat_as_a_picture() {
        let mut ws = Workspace::new(
            "A".into(),
            vec![],
            vec![SessionInfo {
                session_id: SessionId(5),
                customer_name: "张三".into(),
                customer_phone: String::new(),
                agent_name: "A".into(),
                started_at: 0,
                messages: vec![],
            }],
        );
        let rgba = vec![90u8; 12 * 8 * 4];
        let png = porpoise_codec::chat_image::prepare(&rgba, 12, 8).expect("png");
        let shot = crate::snip::SnipResult {
            png: png.clone(),
            width: 12,
            height: 8,
        };
        let mut pictures: ChatPictures = ChatPictures::default();
        let ctx = egui::Context::default();
        let wait = std::time::Duration::from_secs(30);
        send_screenshot(
            &ctx,
            ws.session(SessionId(5)).expect("tab"),
            &mut pictures,
            shot,
        );
        pictures.wait_idle(wait);
        let outbox = send_ready(&mut ws, &mut pictures);
        pictures.wait_idle(wait);
        let [NetCommand::Call(crate::net::Call(porpoise_protocol::wire::Request::SendChatImage(
            rpc::SendChatImage {
                session_id: SessionId(5),
                message_id,
                data,
            },
        )))] = outbox.as_slice()
        else {
            panic!("{outbox:?}")
        };
        assert_eq!(data, &png);
        assert!(
            pictures.is_ready((SessionId(5), *message_id)),
            "shown at once"
        );
        let entry = ws
            .session(SessionId(5))
            .expect("tab")
            .chat
            .last()
            .expect("pending picture");
        assert_eq!(
            entry.message.image.map(|i| (i.width, i.height)),
            Some((12, 8))
        );

        // A broken snip is explained, not sent.
        let broken = crate::snip::SnipResult {
            png: b"\x89PNG fake".to_vec(),
            width: 1,
            height: 1,
        };
        send_screenshot(
            &ctx,
            ws.session(SessionId(5)).expect("tab"),
            &mut pictures,
            broken,
        );
        pictures.wait_idle(wait);
        let outbox = send_ready(&mut ws, &mut pictures);
        assert!(outbox.is_empty());
        assert!(ws
            .session(SessionId(5))
            .expect("tab")
            .notice
            .as_deref()
            .is_some_and(|n| n.contains("could not be sent")));
    }
}
