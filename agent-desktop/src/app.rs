//! The eframe application: drains network events, draws the login window or the work area,
//! and sends the commands the panels produced.

use porpoise_shared::{
    ui::Language,
    wire::{ActionState, Event, Party, RemoteAction},
};
use tokio::{runtime::Handle, sync::mpsc::error::TrySendError};
use tracing::{debug, warn};

use crate::{
    clock,
    config::AgentConfig,
    i18n::{self, Msg},
    net::{self, NetChannels, NetCommand, NetEvent},
    notify::{Notifier, TrayStatus},
    state::{LoginError, LoginState, ScreenView, SessionPhase, Usernames, Workspace},
    ui::{login::LoginForm, Outbox},
};

/// Default width of the queue panel, in points.
pub const QUEUE_PANEL_WIDTH: f32 = 330.0;

/// Where the console is.
#[derive(Debug)]
pub enum Phase {
    /// The login window.
    Login(LoginState),
    /// Logged in.
    Working(Workspace),
}

/// The agent console.
#[derive(Debug)]
pub struct AgentApp {
    lang: Language,
    net: NetChannels,
    notifier: Notifier,
    form: LoginForm,
    phase: Phase,
    outbox: Outbox,
    title: Option<String>,
}

impl AgentApp {
    /// The console talking through `net` (the real network task or a test's fake relay) and
    /// notifying through `notifier`. With `config.auto_login`, the login is sent at once.
    pub fn new(config: &AgentConfig, net: NetChannels, notifier: Notifier) -> Self {
        let mut app = AgentApp {
            lang: config.language,
            net,
            notifier,
            form: LoginForm::from_config(config),
            phase: Phase::Login(LoginState::Editing { error: None }),
            outbox: Vec::new(),
            title: None,
        };
        if config.auto_login {
            match app.form.login_command() {
                Ok(cmd) => {
                    app.outbox.push(cmd);
                    app.phase = Phase::Login(LoginState::LoggingIn);
                }
                Err(msg) => {
                    app.phase = Phase::Login(LoginState::Editing {
                        error: Some(LoginError::Invalid(msg)),
                    })
                }
            }
        }
        app
    }

    /// The real console: installs the fonts, starts the network task on `handle` and the
    /// platform notifiers.
    pub fn start(cc: &eframe::CreationContext<'_>, config: &AgentConfig, handle: &Handle) -> Self {
        porpoise_shared::ui::install_fonts(&cc.egui_ctx);
        let net = net::spawn(handle, cc.egui_ctx.clone());
        let notifier = Notifier::system(handle, &cc.egui_ctx, config.language);
        Self::new(config, net, notifier)
    }

    /// Where the console is.
    pub fn phase(&self) -> &Phase {
        &self.phase
    }

    /// The login form.
    pub fn login_form(&self) -> &LoginForm {
        &self.form
    }

    /// The work area, when logged in.
    pub fn workspace(&self) -> Option<&Workspace> {
        match &self.phase {
            Phase::Working(ws) => Some(ws),
            Phase::Login(_) => None,
        }
    }

    /// One frame: network events, then the UI, then the commands it produced.
    pub fn frame_ui(&mut self, ui: &mut egui::Ui) {
        while let Ok(event) = self.net.events.try_recv() {
            self.apply(event);
        }
        let lang = self.lang;
        match &mut self.phase {
            Phase::Login(state) => {
                egui::CentralPanel::default().show(ui, |ui| {
                    crate::ui::login::login_ui(ui, lang, &mut self.form, state, &mut self.outbox);
                });
            }
            Phase::Working(ws) => {
                if working_ui(ui, lang, ws, &mut self.outbox) {
                    self.outbox.push(NetCommand::Logout);
                    self.phase = Phase::Login(LoginState::Editing { error: None });
                }
            }
        }
        self.flush_outbox();
        self.update_title(ui.ctx());
    }

    fn flush_outbox(&mut self) {
        for cmd in self.outbox.drain(..) {
            match self.net.commands.try_send(cmd) {
                Ok(()) => {}
                Err(TrySendError::Full(cmd)) => {
                    warn!("network busy; a command was dropped");
                    if let (
                        NetCommand::SendChat {
                            session_id,
                            message_id,
                            ..
                        },
                        Phase::Working(ws),
                    ) = (&cmd, &mut self.phase)
                    {
                        if let Some(tab) = ws.session_mut(*session_id) {
                            tab.fail(*message_id, "network busy".into());
                        }
                    }
                }
                Err(TrySendError::Closed(_)) => debug!("network task gone; command dropped"),
            }
        }
    }

    fn update_title(&mut self, ctx: &egui::Context) {
        let (queue_len, status) = match &self.phase {
            Phase::Working(ws) => (
                Some(ws.queue.len()),
                TrayStatus::Online {
                    queue_len: ws.queue.len(),
                },
            ),
            Phase::Login(_) => (None, TrayStatus::Offline),
        };
        let title = i18n::window_title(self.lang, queue_len);
        if self.title.as_ref() != Some(&title) {
            ctx.send_viewport_cmd(egui::ViewportCommand::Title(title.clone()));
            self.title = Some(title);
        }
        self.notifier.set_status(status);
    }

    /// Applies one network event to the state.
    fn apply(&mut self, event: NetEvent) {
        match event {
            NetEvent::Usernames { center_id, result } => {
                if self.form.usernames == Usernames::Loading(center_id) {
                    self.form.usernames = match result {
                        Ok(names) => Usernames::Loaded(center_id, names),
                        Err(failure) => {
                            self.form.forget_lookup();
                            Usernames::Failed(center_id, failure)
                        }
                    };
                }
            }
            NetEvent::LoggedIn {
                display_name,
                queue,
                sessions,
            } => {
                self.phase = Phase::Working(Workspace::new(display_name, queue, sessions));
            }
            NetEvent::LoginFailed(failure) => {
                if matches!(self.phase, Phase::Login(LoginState::LoggingIn)) {
                    self.phase = Phase::Login(LoginState::Editing {
                        error: Some(LoginError::Failed(failure)),
                    });
                }
            }
            NetEvent::Disconnected(reason) => {
                if matches!(self.phase, Phase::Working(_)) {
                    let error = Some(LoginError::Disconnected(reason));
                    self.phase = Phase::Login(LoginState::Editing { error });
                }
            }
            other => {
                let Phase::Working(ws) = &mut self.phase else {
                    debug!(event = ?other, "event while logged out; ignored");
                    return;
                };
                apply_to_workspace(ws, other, self.lang, &mut self.notifier);
            }
        }
    }
}

impl eframe::App for AgentApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.frame_ui(ui);
    }
}

/// The logged-in layout: top bar, queue on the left, sessions in the middle. Returns true if
/// the agent logged out.
fn working_ui(ui: &mut egui::Ui, lang: Language, ws: &mut Workspace, outbox: &mut Outbox) -> bool {
    let mut logout = false;
    egui::Panel::top("top-bar").show(ui, |ui| {
        ui.horizontal(|ui| {
            ui.strong(Msg::AppName.text(lang));
            ui.separator();
            ui.label(i18n::logged_in_as(lang, &ws.display_name));
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                logout = ui.button(Msg::LogOut.text(lang)).clicked();
            });
        });
    });
    egui::Panel::left("queue-panel")
        .resizable(true)
        .default_size(QUEUE_PANEL_WIDTH)
        .show(ui, |ui| {
            crate::ui::queue::queue_ui(ui, lang, ws, clock::now_unix_ms(), outbox);
        });
    egui::CentralPanel::default().show(ui, |ui| {
        crate::ui::session::sessions_ui(ui, lang, ws, outbox);
    });
    logout
}

/// Applies a network event about the queue or a session.
fn apply_to_workspace(
    ws: &mut Workspace,
    event: NetEvent,
    lang: Language,
    notifier: &mut Notifier,
) {
    match event {
        NetEvent::Relay(e) => apply_relay_event(ws, e, lang, notifier),
        NetEvent::SessionStarted(info) => ws.open_session(info),
        NetEvent::AcceptFailed { ticket_id, error } => {
            ws.accepting.remove(&ticket_id);
            ws.queue_notice = Some(error);
        }
        NetEvent::ChatStored {
            session_id,
            message,
        } => {
            if let Some(tab) = ws.session_mut(session_id) {
                tab.store(message);
            }
        }
        NetEvent::ChatFailed {
            session_id,
            message_id,
            error,
        } => {
            if let Some(tab) = ws.session_mut(session_id) {
                tab.fail(message_id, error);
            }
        }
        NetEvent::RequestFailed {
            session_id,
            action,
            error,
        } => {
            if let Some(tab) = ws.session_mut(session_id) {
                if let Some(a) = action {
                    if tab.action(a) == ActionState::Requested {
                        tab.actions.insert(a, ActionState::Stopped);
                    }
                }
                tab.notice = Some(error);
            }
        }
        NetEvent::ScreenStarted { session_id, feed } => ws.start_screen(session_id, feed),
        NetEvent::ScreenEnded { session_id, error } => {
            if let Some(tab) = ws.session_mut(session_id) {
                tab.screen = ScreenView::Ended { error };
            }
        }
        other => debug!(event = ?other, "unexpected event in the work area"),
    }
}

fn apply_relay_event(ws: &mut Workspace, event: Event, lang: Language, notifier: &mut Notifier) {
    match event {
        Event::QueueChanged { queue } => {
            let fresh = ws.set_queue(queue);
            let len = ws.queue.len();
            for entry in &fresh {
                notifier.customer_queued(lang, entry, len);
            }
        }
        Event::ChatReceived {
            session_id,
            message,
        } => {
            let selected = ws.selected == Some(session_id);
            if let Some(tab) = ws.session_mut(session_id) {
                let from_customer = message.from == Party::Customer;
                if tab.store(message) && from_customer && !selected {
                    tab.unread += 1;
                }
            }
        }
        Event::ActionChanged {
            session_id,
            action,
            state,
            by,
        } => {
            if let Some(tab) = ws.session_mut(session_id) {
                debug!(session_id, ?action, ?state, ?by, "action changed");
                tab.actions.insert(action, state);
                let viewing = [RemoteAction::ViewDesktop, RemoteAction::RemoteControl]
                    .iter()
                    .any(|a| tab.action(*a) == ActionState::Granted);
                if !viewing && matches!(tab.screen, ScreenView::Ended { .. }) {
                    tab.screen = ScreenView::Off;
                }
            }
        }
        Event::SessionEnded { session_id, by } => {
            if let Some(tab) = ws.session_mut(session_id) {
                tab.phase = SessionPhase::Ended { by };
                tab.actions.clear();
                tab.screen = ScreenView::Off;
            }
        }
        Event::QueuePosition { .. } | Event::SessionStarted(_) | Event::ConsentRequested { .. } => {
            debug!("customer-side event ignored");
        }
    }
}
