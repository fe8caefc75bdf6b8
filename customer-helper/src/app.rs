//! The eframe app: drains network events, draws the window, carries out effects.
//!
//! [`HelperApp`] owns only the UI's ends of the network channels, so tests construct it with
//! channel ends of their own and play the relay (see `tests/ui_flows.rs`).

use porpoise_protocol::wire::rpc;
use std::{collections::VecDeque, time::Duration};

use egui::{UserAttentionType, ViewportCommand, WindowLevel};
use porpoise_protocol::wire::{RemoteAction, SessionId};
use porpoise_ui::Language;
use tokio::sync::mpsc::error::{TryRecvError, TrySendError};
use tracing::warn;

use crate::{
    i18n::Tr,
    net::{NetCommand, NetEvent, NetLink},
    state::{Effect, HelperState, UiAction},
    ui::{
        demo::{demo_viewport, DemoWindow},
        window_ui,
    },
};

/// Default inner size of the helper window, in points.
pub const WINDOW_SIZE: [f32; 2] = [440.0, 680.0];
/// Most network events handled in one frame; the rest wait for the next frame.
const MAX_EVENTS_PER_FRAME: usize = 256;
/// Retry delay for commands that did not fit in the full command channel.
const OUTBOX_RETRY: Duration = Duration::from_millis(50);

/// What the app needs besides the network channels.
#[derive(Debug, Clone)]
pub struct AppOptions {
    /// UI language.
    pub language: Language,
    /// Prefilled name.
    pub name: String,
    /// Prefilled phone.
    pub phone: String,
    /// Prefilled session code (empty: none).
    pub session_code: String,
    /// Request service once connected.
    pub auto_request: bool,
    /// Relay address, for error messages.
    pub relay_addr: String,
}

/// The helper app.
#[derive(Debug)]
pub struct HelperApp {
    state: HelperState,
    tr: Tr,
    relay_addr: String,
    net: NetLink,
    /// Commands not yet accepted by the (full) command channel, oldest first.
    outbox: VecDeque<NetCommand>,
    /// What the network side was last asked to share.
    sharing: Option<(SessionId, RemoteAction)>,
    effects: Vec<Effect>,
    /// The agent's screen in its own window while a remote demo runs (C6).
    demo: Option<DemoWindow>,
    /// The center's branding (C1, M1), from the download trailer then from the relay.
    branding: Option<crate::branding::ShownBranding>,
    /// File transfers (A6, C5).
    files: crate::files::HelperFiles,
    /// The chat's pictures, region screenshot and save dialog (C4).
    chat: crate::ui::ChatTools,
    /// How to start again after a reboot (C8); `None`: rebooting is not available.
    relaunch: Option<crate::reboot::Relaunch>,
    /// Registering the start after the reboot and running the reboot command, on a worker
    /// (it writes a file and waits for a process); the outcome goes to the state.
    rebooting: Option<porpoise_ui::job::Job<Result<(), String>>>,
}

impl HelperApp {
    /// A helper window talking to the network side through `net`.
    pub fn new(options: AppOptions, net: NetLink) -> Self {
        let mut state = HelperState::new(options.name, options.phone, options.auto_request);
        state.form.code = options.session_code;
        Self {
            state,
            tr: Tr(options.language),
            relay_addr: options.relay_addr,
            net,
            outbox: VecDeque::new(),
            sharing: None,
            effects: Vec::new(),
            demo: None,
            branding: None,
            files: crate::files::HelperFiles::default(),
            chat: crate::ui::ChatTools::default(),
            relaunch: None,
            rebooting: None,
        }
    }

    /// Enables reboot and reconnect (C8): after the customer's consent the helper registers
    /// `relaunch` to start once after the next login, then reboots.
    pub fn with_reboot(mut self, relaunch: Option<crate::reboot::Relaunch>) -> Self {
        self.relaunch = relaunch;
        self
    }

    /// Presents `token` once connected to rejoin the session left for a reboot (C8,
    /// `--reconnect-token`), instead of showing the request screen.
    pub fn with_reconnect_token(
        mut self,
        token: Option<porpoise_protocol::wire::ReconnectToken>,
    ) -> Self {
        self.state.reconnect_token = token;
        self
    }

    /// Shows `branding` (C1, M1): title, icon, colours, header and notice area. Replaces the
    /// branding shown before (the relay's Welcome updates the download's).
    pub fn set_branding(&mut self, branding: porpoise_protocol::wire::Branding) {
        if self
            .branding
            .as_ref()
            .is_some_and(|b| b.branding == branding)
        {
            return;
        }
        let open_in_browser = self.branding.as_ref().is_none_or(|b| b.open_in_browser);
        let mut shown = crate::branding::ShownBranding::new(branding);
        shown.open_in_browser = open_in_browser;
        self.branding = Some(shown);
    }

    /// The branding shown, if any (for tests: clicked notice links are in `opened_links`).
    pub fn branding(&self) -> Option<&crate::branding::ShownBranding> {
        self.branding.as_ref()
    }

    /// Tests: record clicked notice links without starting a browser.
    pub fn set_open_links_in_browser(&mut self, open: bool) {
        if let Some(b) = &mut self.branding {
            b.open_in_browser = open;
        }
    }

    /// The current state (for tests and diagnostics).
    pub fn state(&self) -> &HelperState {
        &self.state
    }

    /// What the network side was last asked to share: (session, strongest granted action).
    pub fn sharing(&self) -> Option<(SessionId, RemoteAction)> {
        self.sharing
    }

    /// Applies pending network events and flushes commands. Never blocks. Call once per frame,
    /// also while the window is hidden (eframe's `App::logic`).
    pub fn poll_net(&mut self, ctx: &egui::Context) {
        if let Some(done) = porpoise_ui::job::poll_slot(&mut self.rebooting) {
            self.state
                .rebooted(done.unwrap_or_else(|e| Err(e.to_string())));
            ctx.request_repaint();
        }
        for _ in 0..MAX_EVENTS_PER_FRAME {
            match self.net.events.try_recv() {
                Ok(NetEvent::DemoStarted { session_id, feed }) => {
                    self.demo = Some(DemoWindow::new(session_id, feed));
                    ctx.request_repaint();
                }
                Ok(NetEvent::File(update)) => {
                    let offer = matches!(
                        update,
                        porpoise_quic::transfers::FileTransferUpdate::Added {
                            needs_answer: true,
                            ..
                        }
                    );
                    self.files.list.apply(update);
                    if offer {
                        // An incoming file waits for the customer's answer.
                        self.carry_out(ctx, &mut vec![Effect::Attention]);
                    }
                    ctx.request_repaint();
                }
                Ok(NetEvent::Branding(branding)) => {
                    self.set_branding(*branding);
                    ctx.request_repaint();
                }
                // Chat picture bytes (C4) go to the picture cache, not the state.
                Ok(NetEvent::Answered {
                    request:
                        porpoise_protocol::wire::Request::GetChatImage(rpc::GetChatImage {
                            session_id,
                            message_id,
                        }),
                    result,
                }) => {
                    let key = (session_id, message_id);
                    match crate::net::typed_reply::<rpc::GetChatImage>(result) {
                        Ok(rpc::ChatImageData { data, .. }) => {
                            self.chat.pictures.insert(key, &data)
                        }
                        Err(e) => self.chat.pictures.failed(key, self.tr.request_error(&e)),
                    }
                    ctx.request_repaint();
                }
                Ok(NetEvent::DemoEnded { session_id, error }) => {
                    if let Some(demo) = self.demo.as_mut().filter(|d| d.session_id == session_id) {
                        demo.ended = Some(error);
                    }
                    ctx.request_repaint();
                }
                Ok(event) => {
                    let mut effects = std::mem::take(&mut self.effects);
                    self.state.on_net(event, &mut effects);
                    self.carry_out(ctx, &mut effects);
                    self.effects = effects;
                }
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => break,
            }
        }
        self.reconcile_sharing(ctx);
        self.flush(ctx);
    }

    /// The file transfers shown (for tests and diagnostics).
    pub fn files(&self) -> &crate::files::HelperFiles {
        &self.files
    }

    /// The chat's pictures, region screenshot and save dialog (C4), for tests and diagnostics.
    pub fn chat_tools(&mut self) -> &mut crate::ui::ChatTools {
        &mut self.chat
    }

    /// The remote demo window's state, while one is open.
    pub fn demo(&self) -> Option<&DemoWindow> {
        self.demo.as_ref()
    }

    /// Draws the window and handles its clicks.
    pub fn root_ui(&mut self, ui: &mut egui::Ui) {
        if let Some(demo) = &mut self.demo {
            demo_viewport(ui.ctx(), self.tr, demo);
            if demo.closed {
                self.demo = None;
            }
        }
        let session = self.state.session().map(|s| s.session_id).filter(|_| {
            matches!(
                self.state.connection,
                crate::state::ConnectionState::Online { .. }
            )
        });
        if let Some(branding) = &mut self.branding {
            branding.apply(ui.ctx(), self.tr);
            branding.header_ui(ui);
            // During a session the chat needs the room: the notice shrinks to one line.
            branding.notice_ui(ui, self.tr, session.is_some());
        }
        let mut file_commands = Vec::new();
        crate::ui::files::files_ui(ui, self.tr, session, &mut self.files, &mut file_commands);
        if !file_commands.is_empty() {
            self.outbox
                .extend(file_commands.into_iter().map(NetCommand::Files));
            self.flush(&ui.ctx().clone());
        }
        crate::ui::region::region_viewport(ui.ctx(), self.tr, &mut self.chat.region);
        let mut actions = Vec::new();
        window_ui(
            ui,
            &mut self.state,
            &mut self.chat,
            self.tr,
            &self.relay_addr,
            &mut actions,
        );
        let ctx = ui.ctx().clone();
        self.chat
            .pictures
            .viewer_ui(&ctx, crate::ui::chat::picture_labels(self.tr));
        for action in actions {
            self.on_ui(&ctx, action);
        }
        // Pictures scrolled into view for the first time: fetch their bytes (C4).
        let wanted = self.chat.pictures.take_wanted();
        if !wanted.is_empty() {
            self.outbox
                .extend(wanted.into_iter().map(|(session_id, message_id)| {
                    NetCommand::Request(porpoise_protocol::wire::Request::GetChatImage(
                        rpc::GetChatImage {
                            session_id,
                            message_id,
                        },
                    ))
                }));
            self.flush(&ctx);
        }
    }

    /// Applies one user action as if clicked.
    pub fn on_ui(&mut self, ctx: &egui::Context, action: UiAction) {
        let mut effects = std::mem::take(&mut self.effects);
        self.state.on_ui(action, &mut effects);
        // A Stop click already queued StopSharing: record it so reconciling does not repeat it.
        if effects
            .iter()
            .any(|e| matches!(e, Effect::Command(NetCommand::StopSharing { .. })))
        {
            self.sharing = None;
            self.set_on_top(ctx, false);
        }
        self.carry_out(ctx, &mut effects);
        self.effects = effects;
        self.reconcile_sharing(ctx);
        self.flush(ctx);
        ctx.request_repaint();
    }

    fn carry_out(&mut self, ctx: &egui::Context, effects: &mut Vec<Effect>) {
        for effect in effects.drain(..) {
            match effect {
                Effect::Command(cmd @ NetCommand::TypingPreview { .. }) => {
                    // Only the newest unsent preview matters.
                    self.outbox
                        .retain(|c| !matches!(c, NetCommand::TypingPreview { .. }));
                    self.outbox.push_back(cmd);
                }
                Effect::Command(cmd) => {
                    // A picture the customer sends shows at once from its own bytes (C4).
                    if let NetCommand::Request(porpoise_protocol::wire::Request::SendChatImage(
                        rpc::SendChatImage {
                            session_id,
                            message_id,
                            data,
                        },
                    )) = &cmd
                    {
                        let key = (*session_id, *message_id);
                        if !self.chat.pictures.is_ready(key) {
                            self.chat.pictures.insert(key, data);
                        }
                    }
                    self.outbox.push_back(cmd)
                }
                Effect::Reboot { token } => match self.relaunch.clone() {
                    Some(relaunch) => {
                        self.rebooting = Some(porpoise_ui::job::Job::start(
                            "reboot",
                            Some(ctx),
                            move || {
                                crate::reboot::reboot_and_reconnect(&relaunch, &token)
                                    .map_err(|e| e.to_string())
                            },
                        ));
                    }
                    None => {
                        self.state
                            .rebooted(Err(self.tr.reboot_unavailable().to_owned()));
                        ctx.request_repaint();
                    }
                },
                Effect::Attention => {
                    ctx.send_viewport_cmd(ViewportCommand::Minimized(false));
                    ctx.send_viewport_cmd(ViewportCommand::Focus);
                    ctx.send_viewport_cmd(ViewportCommand::RequestUserAttention(
                        UserAttentionType::Critical,
                    ));
                }
            }
        }
    }

    /// Asks the network side to share exactly what the state says is granted.
    fn reconcile_sharing(&mut self, ctx: &egui::Context) {
        let desired = self.state.desired_sharing();
        if desired == self.sharing {
            return;
        }
        match (desired, self.sharing) {
            (Some((session_id, action)), _) => {
                self.outbox
                    .push_back(NetCommand::StartSharing { session_id, action });
                self.set_on_top(ctx, true);
            }
            (None, Some((session_id, _))) => {
                self.outbox
                    .push_back(NetCommand::StopSharing { session_id });
                self.set_on_top(ctx, false);
            }
            (None, None) => {}
        }
        self.sharing = desired;
    }

    /// While sharing, the window stays above others and says so in its title.
    fn set_on_top(&self, ctx: &egui::Context, on_top: bool) {
        let (level, title) = if on_top {
            (WindowLevel::AlwaysOnTop, self.tr.app_title_sharing())
        } else {
            (WindowLevel::Normal, self.tr.app_title())
        };
        let title = match (on_top, &self.branding) {
            (false, Some(b)) => crate::branding::window_title(Some(&b.branding), self.tr),
            _ => title.to_owned(),
        };
        ctx.send_viewport_cmd(ViewportCommand::WindowLevel(level));
        ctx.send_viewport_cmd(ViewportCommand::Title(title));
    }

    fn flush(&mut self, ctx: &egui::Context) {
        while let Some(cmd) = self.outbox.pop_front() {
            match self.net.commands.try_send(cmd) {
                Ok(()) => {}
                Err(TrySendError::Full(cmd)) => {
                    self.outbox.push_front(cmd);
                    ctx.request_repaint_after(OUTBOX_RETRY);
                    return;
                }
                Err(TrySendError::Closed(cmd)) => {
                    warn!(?cmd, "network side is gone; command dropped");
                    self.outbox.clear();
                    return;
                }
            }
        }
    }
}

impl eframe::App for HelperApp {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        self.poll_net(ctx);
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.root_ui(ui);
    }

    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        if let Some((session_id, _)) = self.sharing.take() {
            let _ = self
                .net
                .commands
                .try_send(NetCommand::StopSharing { session_id });
        }
        let _ = self.net.commands.try_send(NetCommand::Shutdown);
    }
}
