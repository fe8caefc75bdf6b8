//! The eframe application: drains network events, draws the login window or the work area,
//! and sends the commands the panels produced.

mod resume;

use porpoise_protocol::wire::Presence;
use porpoise_ui::Language;
use tokio::{runtime::Handle, sync::mpsc::error::TrySendError};
use tracing::{debug, warn};

use crate::{
    config::AgentConfig,
    i18n,
    idle::{self, IdleSource},
    net::{self, NetChannels, NetCommand, NetEvent},
    notify::{Notifier, TrayStatus},
    prefs::Preferences,
    presence::AutoAwayWatch,
    state::{Effect, Intent, LoginError, LoginState, Usernames, Workspace},
    ui::{login::LoginForm, Outbox, SessionTools},
};

/// While auto-away is on, the console wakes at least this often to check the idle time, in s.
pub const AUTO_AWAY_CHECK_S: f32 = 5.0;

/// Where the console is.
#[derive(Debug)]
pub enum Phase {
    /// The login window.
    Login(LoginState),
    /// Logged in.
    Working(Box<Workspace>),
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
    /// Effects of state changes, kept to reuse the allocation.
    effects: Vec<Effect>,
    /// The chats' own widget state (pictures, screenshot tool, transcripts being written).
    tools: SessionTools,
    /// The chat input to focus at the end of the frame.
    focus_chat: Option<porpoise_protocol::wire::SessionId>,
    title: Option<String>,
    away: AutoAwayWatch,
    prefs: Preferences,
    /// The window had the keyboard focus in the last frame.
    focused: bool,
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
            effects: Vec::new(),
            tools: SessionTools::default(),
            focus_chat: None,
            title: None,
            away: AutoAwayWatch::new(Box::new(idle::Unknown)),
            prefs: Preferences::default(),
            focused: true,
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
        porpoise_ui::install_fonts(&cc.egui_ctx);
        let prefs = Preferences::load(cc.storage);
        let mut config = config.clone();
        prefs.apply_to(&mut config);
        let net = net::spawn(handle, cc.egui_ctx.clone());
        let notifier = Notifier::system(handle, &cc.egui_ctx, config.language);
        Self::new(&config, net, notifier)
            .with_idle_source(idle::system_idle())
            .with_preferences(prefs)
    }

    /// Uses `prefs` (sounds, chat font size; the language and login values were already applied
    /// to the config this app was made from).
    pub fn with_preferences(mut self, prefs: Preferences) -> Self {
        self.notifier.set_sounds(prefs.sounds);
        self.prefs = prefs;
        self
    }

    /// The preferences as they are now.
    pub fn preferences(&self) -> &Preferences {
        &self.prefs
    }

    /// The UI language.
    pub fn language(&self) -> Language {
        self.lang
    }

    /// Takes the preferences the settings dialog changed (A17): language at once, sounds from
    /// the next alert; the relay address and fingerprint are used at the next login.
    fn follow_preferences(&mut self) {
        let Phase::Working(ws) = &mut self.phase else {
            return;
        };
        if *ws.prefs() == self.prefs {
            return;
        }
        let prefs = ws.prefs().clone().sanitized();
        if let Some(lang) = prefs.language() {
            self.lang = lang;
        }
        self.notifier.set_sounds(prefs.sounds);
        if let Some(relay) = &prefs.relay_addr {
            self.form.relay = relay.clone();
        }
        if let Some(fingerprint) = &prefs.fingerprint {
            self.form.fingerprint = fingerprint.clone();
        }
        ws.use_prefs(prefs.clone());
        self.prefs = prefs;
    }

    /// Uses `source` for the system-wide idle time of auto-away (the default knows only this
    /// window's input).
    pub fn with_idle_source(mut self, source: Box<dyn IdleSource>) -> Self {
        self.away = AutoAwayWatch::new(source);
        self
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
        let now_s = ui.input(|i| i.time);
        let prompts = |phase: &Phase| match phase {
            Phase::Working(ws) => ws.offers().len() + ws.transfers().len(),
            Phase::Login(_) => 0,
        };
        let before = prompts(&self.phase);
        self.focused = ui.input(|i| i.viewport().focused.unwrap_or(true));
        while let Ok(event) = self.net.events.try_recv() {
            self.apply(event, now_s);
        }
        if prompts(&self.phase) > before {
            // An offer or transfer waits with a countdown: ask the desktop to flash the window.
            ui.ctx()
                .send_viewport_cmd(egui::ViewportCommand::RequestUserAttention(
                    egui::UserAttentionType::Critical,
                ));
        }
        if let Phase::Working(ws) = &mut self.phase {
            ws.expire(now_s);
            let mut intents = Vec::new();
            auto_away(ui, &mut self.away, ws, now_s, &mut intents);
            self.on_intents(intents);
        }
        let lang = self.lang;
        match &mut self.phase {
            Phase::Login(state) => {
                egui::CentralPanel::default().show(ui, |ui| {
                    crate::ui::login::login_ui(ui, lang, &mut self.form, state, &mut self.outbox);
                });
            }
            Phase::Working(ws) => {
                // The screenshot tool (A9): Ctrl+Alt+A, and its window while it is open.
                self.tools.forget_screens(ws);
                crate::ui::snip::snip_shortcut(ui.ctx(), &mut self.tools.snip);
                crate::ui::snip::snip_viewport(ui.ctx(), lang, &mut self.tools.snip);
                let mut intents = Vec::new();
                crate::ui::desk::working_ui(ui, lang, ws, &mut self.tools, now_s, &mut intents);
                self.on_intents(intents);
            }
        }
        if let Some(session_id) = self.focus_chat.take() {
            let id = crate::ui::chat::input_id(session_id, crate::ui::chat::ChatPlace::Tab);
            ui.ctx().memory_mut(|m| m.request_focus(id));
        }
        self.follow_preferences();
        self.flush_outbox();
        self.update_title(ui.ctx());
    }

    /// Applies the intents a frame's panels reported, in order, and carries out their effects.
    fn on_intents(&mut self, intents: Vec<Intent>) {
        let mut effects = std::mem::take(&mut self.effects);
        for intent in intents {
            let Phase::Working(ws) = &mut self.phase else {
                break; // logged out by an earlier intent
            };
            ws.on_ui(intent, &mut effects);
            self.carry_out(&mut effects);
        }
        self.effects = effects;
    }

    /// Carries out the effects of a state change (and empties `effects`).
    fn carry_out(&mut self, effects: &mut Vec<Effect>) {
        for effect in effects.drain(..) {
            match effect {
                Effect::Command(cmd) => {
                    crate::ui::chat::show_sent_picture(&mut self.tools.pictures, &cmd);
                    self.outbox.push(cmd)
                }
                Effect::FocusChatInput(session_id) => self.focus_chat = Some(session_id),
                Effect::ShowScreen { session_id, feed } => self.tools.show_screen(session_id, feed),
                Effect::KnowledgePictureFetched { key, result } => match result {
                    Ok(data) => self.tools.knowledge_pictures.insert(key, &data),
                    Err(e) => self.tools.knowledge_pictures.failed(key, e),
                },
                Effect::PictureFetched { key, result } => match result {
                    Ok(data) => self.tools.pictures.insert(key, &data),
                    Err(e) => self.tools.pictures.failed(key, e),
                },
                Effect::CustomerQueued { entry, queue_len } => {
                    self.notifier
                        .customer_queued(self.lang, &entry, queue_len, self.focused)
                }
                Effect::Alert { title, body } => self.notifier.alert(&title, &body, self.focused),
                Effect::CustomerMessage {
                    customer_name,
                    text,
                } => self
                    .notifier
                    .customer_message(self.lang, &customer_name, &text, self.focused),
                Effect::LogOut => {
                    self.outbox.push(NetCommand::Logout);
                    self.phase = Phase::Login(LoginState::Editing { error: None });
                }
            }
        }
    }

    fn flush_outbox(&mut self) {
        if let Phase::Working(ws) = &self.phase {
            if ws.reconnecting() {
                // Kept pending and resent with the same id after reconnecting (R13).
                self.outbox
                    .retain(|c| !matches!(c, NetCommand::SendChat { .. }));
            }
        }
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
                        ws.chat_not_sent(*session_id, *message_id, "network busy".into());
                    }
                }
                Err(TrySendError::Closed(_)) => debug!("network task gone; command dropped"),
            }
        }
    }

    fn update_title(&mut self, ctx: &egui::Context) {
        let (queue_len, status) = match &self.phase {
            Phase::Working(ws) => (
                Some(ws.queue_count() as usize),
                TrayStatus::Online {
                    queue_len: ws.queue_count() as usize,
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
    fn apply(&mut self, event: NetEvent, now_s: f64) {
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
                profile,
            } => match &mut self.phase {
                Phase::Working(ws) => {
                    let resume = ws.resume(display_name, queue, sessions, *profile, now_s);
                    resume::resend(resume, &mut self.outbox);
                }
                Phase::Login(_) => {
                    let mut ws =
                        Workspace::from_welcome(display_name, queue, sessions, *profile, now_s);
                    // The login worked: prefill these next time (A1).
                    self.prefs.relay_addr = Some(self.form.relay.trim().to_owned());
                    self.prefs.fingerprint = Some(self.form.fingerprint.trim().to_owned());
                    self.prefs.center_id = self.form.center.trim().parse().ok();
                    self.prefs.username = Some(self.form.username.trim().to_owned());
                    self.prefs.language = Some(crate::prefs::language_code(self.lang).to_owned());
                    let mut effects = std::mem::take(&mut self.effects);
                    ws.start(self.prefs.clone(), self.lang, &mut effects);
                    self.tools = SessionTools::default();
                    self.phase = Phase::Working(Box::new(ws));
                    self.carry_out(&mut effects);
                    self.effects = effects;
                }
            },
            NetEvent::LoginFailed(failure) => {
                let reconnecting = match &self.phase {
                    Phase::Working(ws) => ws.reconnecting(),
                    Phase::Login(state) => *state == LoginState::LoggingIn,
                };
                if reconnecting {
                    self.phase = Phase::Login(LoginState::Editing {
                        error: Some(LoginError::Failed(failure)),
                    });
                }
            }
            NetEvent::Disconnected(reason) => {
                if let Phase::Working(ws) = &mut self.phase {
                    if let Some(error) = resume::connection_lost(ws, reason, &mut self.outbox) {
                        self.phase = Phase::Login(LoginState::Editing { error: Some(error) });
                    }
                }
            }
            NetEvent::Reconnecting { attempt } => {
                if let Phase::Working(ws) = &mut self.phase {
                    ws.reconnect_attempt(attempt);
                }
            }
            other => {
                let Phase::Working(ws) = &mut self.phase else {
                    debug!(event = ?other, "event while logged out; ignored");
                    return;
                };
                let mut effects = std::mem::take(&mut self.effects);
                ws.on_net(other, self.lang, now_s, &mut effects);
                self.carry_out(&mut effects);
                self.effects = effects;
            }
        }
    }
}

impl eframe::App for AgentApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.frame_ui(ui);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        self.prefs.save(storage);
    }
}

/// Auto-away (R4): records this window's input and sets Away / Online by itself when the
/// agent's idle minutes pass or input comes back. Not while a presence change is on its way.
fn auto_away(
    ui: &egui::Ui,
    away: &mut AutoAwayWatch,
    ws: &Workspace,
    now_s: f64,
    intents: &mut Vec<Intent>,
) {
    let active = ui.input(|i| {
        i.events.iter().any(|e| {
            matches!(
                e,
                egui::Event::Key { .. }
                    | egui::Event::Text(_)
                    | egui::Event::PointerButton { .. }
                    | egui::Event::PointerMoved(_)
                    | egui::Event::MouseWheel { .. }
            )
        })
    });
    if active {
        away.window_input(now_s);
    }
    let (Some(presence), None, false) = (ws.presence(), ws.presence_change(), ws.reconnecting())
    else {
        return;
    };
    if !ws.serves() || ws.auto_away_min().is_none() && presence != Presence::Away {
        return;
    }
    ui.ctx()
        .request_repaint_after(std::time::Duration::from_secs_f32(AUTO_AWAY_CHECK_S));
    if let Some(to) = away.step(now_s, presence, ws.auto_away_min()) {
        intents.push(Intent::AutoPresence(to));
    }
}
