//! The bridge between the UI thread and the relay connection.
//!
//! The UI sends [`NetCommand`]s with `try_send` (never blocking) and drains [`NetEvent`]s at the
//! start of each frame. [`spawn`] runs the network task on a tokio runtime `Handle` passed in;
//! after each event it sends, it calls `ctx.request_repaint()`. Both channels are bounded.
//! Requests run as their own tasks so a slow answer never holds up the others; screen streams
//! are decoded on their own threads ([`porpoise_quic::screen::view_screen`]).

mod login;
mod media;
mod messages;
pub mod reconnect;

pub use login::{LoginFailure, LoginFailureKind};
pub use messages::{Call, NetCommand, NetEvent};
use porpoise_protocol::wire::rpc;
use reconnect::{Credentials, Retry};

use std::collections::HashMap;

use porpoise_protocol::{
    input::InputEvent,
    wire::{ApiError, Event, RemoteAction, SessionId, Welcome},
};
use porpoise_quic::client::{list_usernames, Client, ClientEvent, ConnectError, Disconnect};
use tokio::{runtime::Handle, sync::mpsc, task::AbortHandle};
use tracing::{debug, info, info_span, warn, Instrument};

/// Capacity of the UI → network channel.
pub const COMMAND_CAPACITY: usize = 256;
/// Capacity of the network → UI channel.
pub const EVENT_CAPACITY: usize = 256;
/// Capacity of one session's input queue; mouse moves beyond it are dropped.
pub const INPUT_CAPACITY: usize = 128;

/// The UI's ends of the two channels.
#[derive(Debug)]
pub struct NetChannels {
    /// Commands to the network side.
    pub commands: mpsc::Sender<NetCommand>,
    /// Events from the network side.
    pub events: mpsc::Receiver<NetEvent>,
}

/// The network side's ends, for a fake relay in tests.
#[derive(Debug)]
pub struct RelaySide {
    /// Commands from the UI.
    pub commands: mpsc::Receiver<NetCommand>,
    /// Events to the UI.
    pub events: mpsc::Sender<NetEvent>,
}

impl NetChannels {
    /// A connected pair of bounded channels: the UI's ends and the network side's ends.
    pub fn pair() -> (NetChannels, RelaySide) {
        let (cmd_tx, cmd_rx) = mpsc::channel(COMMAND_CAPACITY);
        let (ev_tx, ev_rx) = mpsc::channel(EVENT_CAPACITY);
        (
            NetChannels {
                commands: cmd_tx,
                events: ev_rx,
            },
            RelaySide {
                commands: cmd_rx,
                events: ev_tx,
            },
        )
    }
}

/// Starts the network task on `handle`; it ends when the UI drops its command sender.
pub fn spawn(handle: &Handle, ctx: egui::Context) -> NetChannels {
    let (ui, side) = NetChannels::pair();
    let out = UiSink {
        tx: side.events,
        ctx,
    };
    handle.spawn(run(side.commands, out).instrument(info_span!("net")));
    ui
}

/// Sends events to the UI and wakes it (not `ui::Outbox`, the commands a frame produced).
#[derive(Clone)]
struct UiSink {
    tx: mpsc::Sender<NetEvent>,
    ctx: egui::Context,
}

impl UiSink {
    async fn emit(&self, event: NetEvent) {
        if self.tx.send(event).await.is_err() {
            debug!("UI gone; event dropped");
        }
        self.ctx.request_repaint();
    }
}

type LoginResult = Result<(Client, Welcome, mpsc::Receiver<ClientEvent>), ConnectError>;

struct Net {
    out: UiSink,
    client: Option<Client>,
    events: Option<mpsc::Receiver<ClientEvent>>,
    inputs: HashMap<SessionId, mpsc::Sender<InputEvent>>,
    screens: HashMap<SessionId, AbortHandle>,
    /// The agent's own screen shown to a customer (remote demo, A6).
    demos: HashMap<SessionId, AbortHandle>,
    /// Clipboard sync tasks.
    clipboards: HashMap<SessionId, AbortHandle>,
    /// Granted remote actions per session, from the relay's events.
    granted: HashMap<SessionId, std::collections::BTreeSet<RemoteAction>>,
    login_tx: mpsc::Sender<(u64, LoginResult)>,
    /// Incremented by each Login/Logout; results of older logins are discarded.
    login_generation: u64,
    /// The current login's credentials, in memory only, to reconnect (R13).
    credentials: Option<Credentials>,
    /// Reconnecting after a lost connection.
    retry: Retry,
    /// When the connection was lost, while reconnecting.
    lost_at: Option<tokio::time::Instant>,
    /// File transfers (A6), kept across reconnects to resume them.
    transfers: porpoise_quic::transfers::FileTransfers,
}

// Short-lived, one at a time: the size of a `NetCommand::Call` does not matter here.
#[allow(clippy::large_enum_variant)]
enum Step {
    Command(Option<NetCommand>),
    Login(Option<(u64, LoginResult)>),
    Client(Option<ClientEvent>),
    Retry(u32),
    File(porpoise_quic::transfers::FileTransferUpdate),
}

async fn run(mut commands: mpsc::Receiver<NetCommand>, out: UiSink) {
    let (login_tx, mut login_rx) = mpsc::channel(2);
    let mut net = Net {
        out,
        client: None,
        events: None,
        inputs: HashMap::new(),
        screens: HashMap::new(),
        demos: HashMap::new(),
        clipboards: HashMap::new(),
        granted: HashMap::new(),
        login_tx,
        login_generation: 0,
        credentials: None,
        retry: Retry::Idle,
        lost_at: None,
        transfers: crate::files::agent_transfers(),
    };
    loop {
        let step = tokio::select! {
            c = commands.recv() => Step::Command(c),
            l = login_rx.recv() => Step::Login(l),
            e = next_client_event(&mut net.events) => Step::Client(e),
            a = reconnect::due(net.retry) => Step::Retry(a),
            u = net.transfers.recv() => Step::File(u),
        };
        match step {
            Step::Command(None) => break,
            Step::Command(Some(cmd)) => net.on_command(cmd).await,
            Step::Login(Some((generation, result))) => net.on_login(generation, result).await,
            Step::Login(None) => {}
            Step::Client(Some(ClientEvent::Event(e))) => net.on_event(e).await,
            Step::Client(Some(ClientEvent::Media(m))) => net.on_media(m),
            Step::Client(Some(ClientEvent::Closed(reason))) => net.on_closed(reason).await,
            Step::Retry(attempt) => net.start_attempt(attempt),
            Step::File(update) => net.out.emit(NetEvent::File(update)).await,
            Step::Client(None) => net.on_closed(Disconnect::lost("connection closed")).await,
        }
    }
    net.disconnect("agent console closed");
    info!("network task ended");
}

async fn next_client_event(
    events: &mut Option<mpsc::Receiver<ClientEvent>>,
) -> Option<ClientEvent> {
    match events {
        Some(rx) => rx.recv().await,
        None => std::future::pending().await,
    }
}

impl Net {
    async fn on_command(&mut self, cmd: NetCommand) {
        match cmd {
            NetCommand::ListUsernames { relay, center_id } => {
                let out = self.out.clone();
                tokio::spawn(async move {
                    let result = list_usernames(&relay, center_id)
                        .await
                        .map_err(|e| LoginFailure::from(&e));
                    out.emit(NetEvent::Usernames { center_id, result }).await;
                });
            }
            NetCommand::Login {
                relay,
                center_id,
                username,
                password,
            } => {
                self.disconnect("logging in again");
                info!(relay = %relay.relay_addr, %center_id, %username, "logging in");
                self.retry = Retry::Idle;
                self.credentials = Some(Credentials {
                    relay,
                    center_id,
                    username,
                    password,
                });
                self.connect();
            }
            NetCommand::Logout => {
                self.login_generation += 1;
                self.credentials = None;
                self.retry = Retry::Idle;
                self.disconnect("logged out");
            }
            NetCommand::Reconnect => {
                if self.credentials.is_some() && self.client.is_none() && self.retry == Retry::Idle
                {
                    self.retry = Retry::wait(1, std::time::Duration::ZERO);
                    self.out.emit(NetEvent::Reconnecting { attempt: 1 }).await;
                }
            }
            NetCommand::Input { session_id, event } => match self.inputs.get(&session_id) {
                Some(tx) => {
                    if tx.try_send(event).is_err() {
                        tracing::trace!(%session_id, "input queue full or closed; event dropped");
                    }
                }
                None => tracing::trace!(%session_id, "no input stream; event dropped"),
            },
            NetCommand::Call(call) => self.call(call).await,
            NetCommand::Files(cmd) => crate::files::apply_command(&mut self.transfers, cmd),
            other => self.request(other).await,
        }
    }

    /// Runs a [`NetCommand::Call`] as its own task; the answer comes back as `Answered`.
    async fn call(&mut self, call: Call) {
        let Some(client) = self.client.clone() else {
            let result = Err(ApiError::Disconnected);
            self.out.emit(NetEvent::Answered { call, result }).await;
            return;
        };
        let out = self.out.clone();
        tokio::spawn(async move {
            let result = client.request(call.0.clone()).await;
            if let Err(e) = &result {
                debug!(?call, error = %e, "call failed");
            }
            out.emit(NetEvent::Answered { call, result }).await;
        });
    }

    /// Runs a request command as its own task.
    async fn request(&mut self, cmd: NetCommand) {
        let Some(client) = self.client.clone() else {
            if self.credentials.is_some() && matches!(cmd, NetCommand::SendChat { .. }) {
                debug!("chat while reconnecting; it stays pending and is resent after login");
                return;
            }
            if let Some(event) = failure_event(&cmd, ApiError::Disconnected) {
                self.out.emit(event).await;
            }
            return;
        };
        if !matches!(
            cmd,
            NetCommand::Accept { .. }
                | NetCommand::SendChat { .. }
                | NetCommand::RequestAction { .. }
                | NetCommand::StopAction { .. }
                | NetCommand::EndSession { .. }
        ) {
            return;
        }
        let out = self.out.clone();
        tokio::spawn(async move {
            // Each reply arrives typed by its request (`Rpc::Reply`).
            let result = match &cmd {
                NetCommand::Accept { ticket_id } => client
                    .call(rpc::AcceptCustomer {
                        ticket_id: *ticket_id,
                    })
                    .await
                    .map(|info| Some(NetEvent::SessionStarted(info))),
                NetCommand::SendChat {
                    session_id,
                    message_id,
                    text,
                } => client
                    .call(rpc::SendChat {
                        session_id: *session_id,
                        message_id: *message_id,
                        text: text.clone(),
                    })
                    .await
                    .map(|message| {
                        Some(NetEvent::ChatStored {
                            session_id: *session_id,
                            message,
                        })
                    }),
                NetCommand::RequestAction { session_id, action } => client
                    .call(rpc::RequestAction {
                        session_id: *session_id,
                        action: *action,
                    })
                    .await
                    .map(|()| None),
                NetCommand::StopAction { session_id, action } => client
                    .call(rpc::StopAction {
                        session_id: *session_id,
                        action: *action,
                    })
                    .await
                    .map(|()| None),
                NetCommand::EndSession { session_id } => client
                    .call(rpc::EndSession {
                        session_id: *session_id,
                    })
                    .await
                    .map(|()| None),
                _ => return,
            };
            let event = match result {
                Ok(event) => event,
                Err(ApiError::Disconnected) if matches!(cmd, NetCommand::SendChat { .. }) => {
                    // Stays pending: resent with the same id after reconnecting (R13).
                    debug!("chat in flight when the connection closed");
                    None
                }
                Err(e) => {
                    debug!(?cmd, error = %e, "request failed");
                    failure_event(&cmd, e)
                }
            };
            if let Some(event) = event {
                out.emit(event).await;
            }
        });
    }

    async fn on_login(&mut self, generation: u64, result: LoginResult) {
        if generation != self.login_generation {
            if let Ok((client, ..)) = result {
                client.close("superseded login");
            }
            return;
        }
        let attempt = match self.retry {
            Retry::Connecting { attempt } => Some(attempt),
            _ => None,
        };
        self.retry = Retry::Idle;
        if let (Err(e), Some(attempt)) = (&result, attempt) {
            self.attempt_failed(attempt, LoginFailure::from(e)).await;
            return;
        }
        match result {
            Ok((
                client,
                Welcome::Agent {
                    display_name,
                    queue,
                    sessions,
                    profile,
                },
                events,
            )) => {
                info!(%display_name, queued = queue.len(), sessions = sessions.len(), "logged in");
                self.transfers.set_client(Some(client.clone()));
                self.client = Some(client);
                self.events = Some(events);
                self.out
                    .emit(NetEvent::LoggedIn {
                        display_name,
                        queue,
                        sessions,
                        profile: Box::new(profile),
                    })
                    .await;
            }
            Ok((client, other, _)) => {
                client.close("unexpected welcome");
                let detail = format!("unexpected welcome {other:?}");
                let failure = LoginFailure {
                    kind: LoginFailureKind::Other,
                    refusal: None,
                    detail,
                };
                self.out.emit(NetEvent::LoginFailed(failure)).await;
            }
            Err(e) => {
                info!(error = %e, "login failed");
                self.out
                    .emit(NetEvent::LoginFailed(LoginFailure::from(&e)))
                    .await;
            }
        }
    }

    async fn on_event(&mut self, event: Event) {
        self.transfers.observe(&event);
        match &event {
            Event::ActionChanged {
                session_id,
                action,
                state,
                ..
            } => {
                let granted = self.granted.entry(*session_id).or_default();
                if *state == porpoise_protocol::wire::ActionState::Granted {
                    granted.insert(*action);
                } else {
                    granted.remove(action);
                }
                let (control, demo, clipboard) = (
                    granted.contains(&RemoteAction::RemoteControl),
                    granted.contains(&RemoteAction::RemoteDemo),
                    granted.contains(&RemoteAction::ClipboardSync),
                );
                if control {
                    self.open_input(*session_id);
                } else {
                    self.inputs.remove(session_id);
                }
                if demo {
                    self.open_demo(*session_id);
                } else if let Some(task) = self.demos.remove(session_id) {
                    task.abort();
                }
                if control && clipboard {
                    self.open_clipboard(*session_id);
                } else if let Some(task) = self.clipboards.remove(session_id) {
                    task.abort();
                }
            }
            Event::SessionEnded { session_id, .. } => {
                self.stop_media(*session_id);
            }
            _ => {}
        }
        self.out.emit(NetEvent::Relay(event)).await;
    }

    async fn on_closed(&mut self, reason: Disconnect) {
        warn!(%reason, code = ?reason.code, "connection to the relay closed");
        self.disconnect("closed");
        if reason.is_final() {
            self.credentials = None;
        } else {
            self.lost_at = Some(tokio::time::Instant::now());
        }
        self.out.emit(NetEvent::Disconnected(reason)).await;
    }

    /// Closes the connection (if any) and everything that runs on it.
    fn disconnect(&mut self, reason: &str) {
        if let Some(client) = self.client.take() {
            client.close(reason);
        }
        self.transfers.set_client(None);
        self.events = None;
        let sessions: Vec<SessionId> = self
            .screens
            .keys()
            .chain(self.demos.keys())
            .chain(self.clipboards.keys())
            .chain(self.inputs.keys())
            .copied()
            .collect();
        for session_id in sessions {
            self.stop_media(session_id);
        }
        self.granted.clear();
    }

    /// Stops every media task of `session_id`.
    fn stop_media(&mut self, session_id: SessionId) {
        self.inputs.remove(&session_id);
        self.granted.remove(&session_id);
        for tasks in [&mut self.screens, &mut self.demos, &mut self.clipboards] {
            if let Some(task) = tasks.remove(&session_id) {
                task.abort();
            }
        }
    }
}

/// The event reporting that `cmd` failed with `error`.
fn failure_event(cmd: &NetCommand, error: ApiError) -> Option<NetEvent> {
    Some(match *cmd {
        NetCommand::Accept { ticket_id } => NetEvent::AcceptFailed { ticket_id, error },
        NetCommand::SendChat {
            session_id,
            message_id,
            ..
        } => NetEvent::ChatFailed {
            session_id,
            message_id,
            error,
        },
        NetCommand::RequestAction { session_id, action }
        | NetCommand::StopAction { session_id, action } => NetEvent::RequestFailed {
            session_id,
            action: Some(action),
            error,
        },
        NetCommand::EndSession { session_id } => NetEvent::RequestFailed {
            session_id,
            action: None,
            error,
        },
        _ => return None,
    })
}
