//! The bridge between the UI thread and the relay connection.
//!
//! [`spawn`] starts one task on the tokio runtime whose [`Handle`] is passed in. The UI sends
//! [`NetCommand`]s with `try_send` (never blocking) and drains [`NetEvent`]s at the start of
//! each frame; this side calls `ctx.request_repaint()` after each event. Both channels are
//! bounded. The task connects (pinning the relay's certificate), reconnects with back-off after
//! a failure, runs requests, and runs screen sharing and input injection through
//! [`crate::media`], which stops them the moment the relay or the customer withdraws consent.

use porpoise_protocol::wire::rpc;
use std::time::{Duration, Instant};

use porpoise_protocol::wire::{
    ApiError, CenterId, HelloRole, InstallId, MediaKind, RefusedReason, RemoteAction, Request,
    Response, ServiceOptions, SessionId, SessionInfo, Welcome,
};
use porpoise_quic::{
    client::{connect, Client, ClientConfig, ClientEvent, ConnectError},
    tls::Fingerprint,
};
use tokio::{runtime::Handle, sync::mpsc};
use tracing::{debug, info, info_span, warn, Instrument};

use crate::{
    media::{Media, Platform},
    typing::{Preview, TypingThrottle},
};

/// Capacity of the command channel (UI → network).
pub const COMMAND_CAPACITY: usize = 64;
/// Capacity of the event channel (network → UI).
pub const EVENT_CAPACITY: usize = 256;
/// First wait before reconnecting; doubles up to [`MAX_RECONNECT_DELAY`].
pub const MIN_RECONNECT_DELAY: Duration = Duration::from_secs(1);
/// Longest wait between reconnection attempts.
pub const MAX_RECONNECT_DELAY: Duration = Duration::from_secs(10);

/// What the UI asks the network side to do.
// Big variants (a `Request` may carry center settings) are rare and short-lived; boxing them
// would only add allocations to every command.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NetCommand {
    /// Send a request; the outcome comes back as [`NetEvent::Answered`].
    Request(Request),
    /// Share the screen of `session_id` (and, for [`RemoteAction::RemoteControl`], accept the
    /// agent's input). Ignored unless the relay has granted `action` on this connection.
    StartSharing {
        /// Session concerned.
        session_id: SessionId,
        /// Strongest granted action.
        action: RemoteAction,
    },
    /// Stop screen sharing and input injection of `session_id` now.
    StopSharing {
        /// Session concerned.
        session_id: SessionId,
    },
    /// The chat box of `session_id` now holds `text` (empty when cleared or sent). The network
    /// side sends it as [`rpc::TypingPreview`], at most every
    /// [`porpoise_protocol::wire::TYPING_PREVIEW_INTERVAL_MS`], always the newest text last
    /// (R10). Best effort: no answer comes back.
    TypingPreview {
        /// Session.
        session_id: SessionId,
        /// Unsent text.
        text: String,
    },
    /// Read this computer's system info and send it to the agent of `session_id` (A10).
    /// Ignored unless the relay has granted [`RemoteAction::SystemInfo`] on this connection;
    /// the outcome comes back as [`NetEvent::Answered`] for [`rpc::ReportSystemInfo`].
    ReportSystemInfo {
        /// Session concerned.
        session_id: SessionId,
    },
    /// File transfer (A6, C5): send, answer an offer, cancel, resume. Progress comes back as
    /// [`NetEvent::File`].
    Files(crate::files::FileCommand),
    /// Connect again now (after a failure).
    Reconnect,
    /// Close the connection and end the task.
    Shutdown,
}

/// What the network side tells the UI.
#[allow(clippy::large_enum_variant)] // as for NetCommand
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NetEvent {
    /// A connection attempt started.
    Connecting,
    /// Connected and welcomed.
    Connected {
        /// The center's display name.
        center_name: String,
        /// The open session, resumed.
        session: Option<SessionInfo>,
        /// Queue position if still queued.
        queue_position: Option<u32>,
        /// How to ask for service (mode, groups, showcase agents, open now).
        options: ServiceOptions,
    },
    /// Not connected (failed or lost); reconnection follows unless it is permanent.
    Disconnected(ConnectFailure),
    /// The center's branding from the Welcome (C1, M1), sent just before `Connected`.
    Branding(Box<porpoise_protocol::wire::Branding>),
    /// A pushed relay event.
    Event(porpoise_protocol::wire::Event),
    /// The outcome of a [`NetCommand::Request`].
    Answered {
        /// The request.
        request: Request,
        /// Its outcome.
        result: Result<Response, RequestFailure>,
    },
    /// The agent's screen started arriving (remote demo granted, C6); show `feed` in a window.
    DemoStarted {
        /// Session concerned.
        session_id: SessionId,
        /// Decoded updates of the agent's screen.
        feed: std::sync::Arc<porpoise_ui::screen_view::ScreenFeed>,
    },
    /// The agent's screen stopped arriving.
    DemoEnded {
        /// Session concerned.
        session_id: SessionId,
        /// What broke it, if anything.
        error: Option<String>,
    },
    /// A file transfer changed (A6).
    File(porpoise_quic::transfers::FileTransferUpdate),
    /// A media stream ended by itself (not because the UI or the relay stopped it).
    MediaEnded {
        /// Session concerned.
        session_id: SessionId,
        /// Screen or input.
        kind: MediaKind,
        /// The local error that ended it, if any (e.g. no display to capture).
        error: Option<String>,
    },
}

/// Why the helper is not connected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConnectFailure {
    /// The relay address is malformed (permanent).
    #[error("{0}")]
    BadAddress(String),
    /// No answer from the relay.
    #[error("{0}")]
    Unreachable(String),
    /// The relay's certificate is not the pinned one (permanent).
    #[error("{0}")]
    FingerprintMismatch(String),
    /// The relay refused the Hello.
    #[error("{reason}")]
    Refused {
        /// The relay's reason (a code; the UI words it in the customer's language).
        reason: RefusedReason,
        /// True if retrying cannot help (unknown center, protocol version).
        permanent: bool,
    },
    /// An established connection was lost.
    #[error("{0}")]
    Lost(String),
}

impl ConnectFailure {
    /// True if reconnecting automatically cannot help; the user may still press Retry.
    pub fn is_permanent(&self) -> bool {
        match self {
            ConnectFailure::BadAddress(_) | ConnectFailure::FingerprintMismatch(_) => true,
            ConnectFailure::Refused { permanent, .. } => *permanent,
            ConnectFailure::Unreachable(_) | ConnectFailure::Lost(_) => false,
        }
    }
}

impl From<ConnectError> for ConnectFailure {
    fn from(e: ConnectError) -> Self {
        let text = e.to_string();
        match e {
            ConnectError::BadAddress(_) => ConnectFailure::BadAddress(text),
            ConnectError::Unreachable { .. } => ConnectFailure::Unreachable(text),
            ConnectError::FingerprintMismatch(_) => ConnectFailure::FingerprintMismatch(text),
            ConnectError::Refused(r) => ConnectFailure::Refused {
                permanent: matches!(
                    r,
                    RefusedReason::UnknownCenter(_)
                        | RefusedReason::VersionMismatch { .. }
                        | RefusedReason::Malformed
                ),
                reason: r,
            },
            ConnectError::Protocol(_) => ConnectFailure::Lost(text),
        }
    }
}

/// Why a request got no successful answer. Both variants carry the [`ApiError`] code, shown
/// to the customer in the UI's language with [`crate::i18n::Tr::request_error`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestFailure {
    /// The relay answered with an error (or with a reply of the wrong type:
    /// [`ApiError::Protocol`]).
    #[error("{0}")]
    Relay(ApiError),
    /// No answer: not connected, connection lost ([`ApiError::Disconnected`]), or timeout
    /// ([`ApiError::Timeout`]). Safe to resend later.
    #[error("{0}")]
    Connection(ApiError),
}

impl RequestFailure {
    /// The error code, whatever the cause.
    pub fn error(&self) -> &ApiError {
        match self {
            RequestFailure::Relay(e) | RequestFailure::Connection(e) => e,
        }
    }
}

impl From<ApiError> for RequestFailure {
    fn from(e: ApiError) -> Self {
        match e {
            ApiError::Disconnected | ApiError::Timeout => RequestFailure::Connection(e),
            other => RequestFailure::Relay(other),
        }
    }
}

/// The answer to a request of type `R` taken out of the wire [`Response`], typed by the
/// request's [`rpc::Rpc`] impl: a reply of another type is [`ApiError::Protocol`]. The only
/// place where the helper takes a [`Response`] apart.
pub fn typed_reply<R: rpc::Rpc>(
    result: Result<Response, RequestFailure>,
) -> Result<R::Reply, RequestFailure> {
    use rpc::Reply as _;
    result.and_then(|r| {
        R::Reply::from_response(r).map_err(|other| {
            tracing::debug!(request = R::NAME, ?other, "reply of the wrong type");
            RequestFailure::Relay(ApiError::Protocol)
        })
    })
}

/// Where and as whom to connect.
#[derive(Debug, Clone)]
pub struct NetSettings {
    /// Relay `host:port`.
    pub relay_addr: String,
    /// Pinned relay certificate fingerprint.
    pub fingerprint: Fingerprint,
    /// Center asked for help.
    pub center_id: CenterId,
    /// This installation's random id.
    pub install_id: InstallId,
}

/// The UI's ends of the two channels.
#[derive(Debug)]
pub struct NetLink {
    /// Commands to the network side (use `try_send`).
    pub commands: mpsc::Sender<NetCommand>,
    /// Events from the network side (use `try_recv`).
    pub events: mpsc::Receiver<NetEvent>,
}

/// Sends events to the UI and wakes it.
#[derive(Debug, Clone)]
pub(crate) struct EventSink {
    tx: mpsc::Sender<NetEvent>,
    ctx: egui::Context,
}

impl EventSink {
    /// Sends `event` (waiting if the UI is behind) and requests a repaint.
    /// Returns false once the UI is gone.
    pub(crate) async fn emit(&self, event: NetEvent) -> bool {
        let ok = self.tx.send(event).await.is_ok();
        self.ctx.request_repaint();
        ok
    }
}

/// Starts the network task on `runtime`; `ctx` is repainted after each event.
pub fn spawn(
    runtime: &Handle,
    settings: NetSettings,
    platform: Platform,
    ctx: egui::Context,
) -> NetLink {
    let (commands, command_rx) = mpsc::channel(COMMAND_CAPACITY);
    let (event_tx, events) = mpsc::channel(EVENT_CAPACITY);
    let sink = EventSink { tx: event_tx, ctx };
    let span =
        info_span!("helper_net", relay = %settings.relay_addr, center_id = %settings.center_id);
    runtime.spawn(run(settings, platform, command_rx, sink).instrument(span));
    NetLink { commands, events }
}

/// What ended a connected period.
enum Ending {
    Shutdown,
    Lost(String),
}

async fn run(
    settings: NetSettings,
    platform: Platform,
    mut commands: mpsc::Receiver<NetCommand>,
    sink: EventSink,
) {
    let config = ClientConfig {
        relay_addr: settings.relay_addr.clone(),
        fingerprint: settings.fingerprint,
    };
    let role = HelloRole::Customer {
        center_id: settings.center_id,
        install_id: settings.install_id,
    };
    let mut delay = MIN_RECONNECT_DELAY;
    // Kept across reconnects: interrupted files resume on the next connection.
    let mut transfers = crate::files::helper_transfers();
    loop {
        if !sink.emit(NetEvent::Connecting).await {
            return;
        }
        let failure = match connect(&config, role.clone()).await {
            Ok((
                client,
                Welcome::Customer {
                    center_name,
                    session,
                    queue_position,
                    options,
                    branding,
                },
                client_events,
            )) => {
                info!(%center_name, "connected");
                delay = MIN_RECONNECT_DELAY;
                if let Some(branding) = branding {
                    sink.emit(NetEvent::Branding(Box::new(branding))).await;
                }
                sink.emit(NetEvent::Connected {
                    center_name,
                    session,
                    queue_position,
                    options,
                })
                .await;
                let ending = connected(
                    &client,
                    client_events,
                    &mut commands,
                    &platform,
                    &sink,
                    &mut transfers,
                )
                .await;
                match ending {
                    Ending::Shutdown => return,
                    Ending::Lost(reason) => ConnectFailure::Lost(reason),
                }
            }
            Ok((client, other, _)) => {
                client.close("unexpected welcome");
                ConnectFailure::Lost(format!("unexpected welcome {other:?}"))
            }
            Err(e) => ConnectFailure::from(e),
        };
        warn!(error = %failure, "not connected");
        let permanent = failure.is_permanent();
        if !sink.emit(NetEvent::Disconnected(failure)).await {
            return;
        }
        let retry = (!permanent).then_some(delay);
        if !wait_before_retry(&mut commands, &sink, retry, &mut transfers).await {
            return;
        }
        delay = (delay * 2).min(MAX_RECONNECT_DELAY);
    }
}

/// Waits `delay` (forever if `None`) or until Reconnect; answers requests meanwhile.
/// Returns false on Shutdown.
async fn wait_before_retry(
    commands: &mut mpsc::Receiver<NetCommand>,
    sink: &EventSink,
    delay: Option<Duration>,
    transfers: &mut porpoise_quic::transfers::FileTransfers,
) -> bool {
    let sleep = async {
        match delay {
            Some(d) => tokio::time::sleep(d).await,
            None => std::future::pending().await,
        }
    };
    tokio::pin!(sleep);
    loop {
        tokio::select! {
            () = &mut sleep => return true,
            update = transfers.recv() => {
                sink.emit(NetEvent::File(update)).await;
            }
            cmd = commands.recv() => match cmd {
                None | Some(NetCommand::Shutdown) => return false,
                Some(NetCommand::Reconnect) => return true,
                Some(NetCommand::Files(cmd)) => crate::files::apply_command(transfers, cmd),
                Some(NetCommand::Request(request)) => {
                    let result = Err(RequestFailure::Connection(ApiError::Disconnected));
                    sink.emit(NetEvent::Answered { request, result }).await;
                }
                Some(
                    NetCommand::StartSharing { .. }
                    | NetCommand::StopSharing { .. }
                    | NetCommand::ReportSystemInfo { .. }
                    | NetCommand::TypingPreview { .. },
                ) => {}
            },
        }
    }
}

async fn connected(
    client: &Client,
    mut client_events: mpsc::Receiver<ClientEvent>,
    commands: &mut mpsc::Receiver<NetCommand>,
    platform: &Platform,
    sink: &EventSink,
    transfers: &mut porpoise_quic::transfers::FileTransfers,
) -> Ending {
    let mut media = Media::new(platform.clone(), client.clone(), sink.clone());
    transfers.set_client(Some(client.clone()));
    let chat = spawn_chat_pump(client.clone(), sink.clone());
    let mut typing = TypingThrottle::default();
    let ending = loop {
        let typing_due = typing.poll_timeout();
        tokio::select! {
            () = sleep_until_some(typing_due) => {
                if let Some(preview) = typing.poll(Instant::now()) {
                    spawn_preview(client.clone(), preview);
                }
            }
            cmd = commands.recv() => match cmd {
                None | Some(NetCommand::Shutdown) => {
                    client.close("helper closed");
                    break Ending::Shutdown;
                }
                Some(NetCommand::Request(request @ Request::SendChat(rpc::SendChat { .. }))) => {
                    if chat.send(request).await.is_err() {
                        warn!("chat pump stopped");
                    }
                }
                Some(NetCommand::Request(request)) => spawn_request(client.clone(), sink.clone(), request),
                Some(NetCommand::StartSharing { session_id, action }) => media.start(session_id, action),
                Some(NetCommand::StopSharing { session_id }) => media.stop(session_id),
                Some(NetCommand::ReportSystemInfo { session_id }) => {
                    if media.allows(session_id, RemoteAction::SystemInfo) {
                        spawn_system_info(client.clone(), sink.clone(), session_id);
                    } else {
                        warn!(%session_id, "system info not granted; nothing read");
                    }
                }
                Some(NetCommand::TypingPreview { session_id, text }) => {
                    if let Some(preview) = typing.update(Instant::now(), session_id, text) {
                        spawn_preview(client.clone(), preview);
                    }
                }
                Some(NetCommand::Files(cmd)) => crate::files::apply_command(transfers, cmd),
                Some(NetCommand::Reconnect) => {}
            },
            update = transfers.recv() => {
                if !sink.emit(NetEvent::File(update)).await {
                    client.close("helper closed");
                    break Ending::Shutdown;
                }
            }
            ev = client_events.recv() => match ev {
                Some(ClientEvent::Event(event)) => {
                    // Media reacts first: a revoke stops capture and injection before the UI hears of it.
                    media.observe(&event);
                    transfers.observe(&event);
                    if !sink.emit(NetEvent::Event(event)).await {
                        client.close("helper closed");
                        break Ending::Shutdown;
                    }
                }
                Some(ClientEvent::Media(stream)) if stream.header.kind == MediaKind::File => {
                    transfers.incoming(stream);
                }
                Some(ClientEvent::Media(stream)) => media.incoming(stream),
                Some(ClientEvent::Closed(reason)) => break Ending::Lost(reason.detail),
                None => break Ending::Lost("connection ended".into()),
            },
        }
    };
    media.stop_all();
    transfers.set_client(None);
    ending
}

fn spawn_request(client: Client, sink: EventSink, request: Request) {
    tokio::spawn(async move {
        let result = client
            .request(request.clone())
            .await
            .map_err(RequestFailure::from);
        sink.emit(NetEvent::Answered { request, result }).await;
    });
}

/// Reads the system info on a blocking thread (only now, after the grant) and sends it (A10).
/// If reading fails, the action is stopped so the agent is not left waiting.
fn spawn_system_info(client: Client, sink: EventSink, session_id: SessionId) {
    tokio::spawn(async move {
        let request = match tokio::task::spawn_blocking(crate::sysinfo::collect).await {
            Ok(info) => Request::ReportSystemInfo(rpc::ReportSystemInfo {
                session_id,
                info: Box::new(info),
            }),
            Err(e) => {
                warn!(error = %e, "reading the system info failed");
                Request::StopAction(rpc::StopAction {
                    session_id,
                    action: RemoteAction::SystemInfo,
                })
            }
        };
        let result = client
            .request(request.clone())
            .await
            .map_err(RequestFailure::from);
        sink.emit(NetEvent::Answered { request, result }).await;
    });
}

/// Sleeps until `deadline`, or forever without one.
async fn sleep_until_some(deadline: Option<Instant>) {
    match deadline {
        Some(at) => tokio::time::sleep_until(at.into()).await,
        None => std::future::pending().await,
    }
}

/// Sends a typing preview without waiting for it; a failure is logged, never shown (R10).
fn spawn_preview(client: Client, (session_id, text): Preview) {
    tokio::spawn(async move {
        if let Err(e) = client
            .request(Request::TypingPreview(rpc::TypingPreview {
                session_id,
                text,
            }))
            .await
        {
            debug!(error = %e, "typing preview not delivered");
        }
    });
}

/// Chat messages are sent one after the other, each after the previous one is stored, so that
/// they are stored in the order typed.
fn spawn_chat_pump(client: Client, sink: EventSink) -> mpsc::Sender<Request> {
    let (tx, mut rx) = mpsc::channel::<Request>(COMMAND_CAPACITY);
    tokio::spawn(async move {
        while let Some(request) = rx.recv().await {
            let result = client
                .request(request.clone())
                .await
                .map_err(RequestFailure::from);
            if !sink.emit(NetEvent::Answered { request, result }).await {
                break;
            }
        }
    });
    tx
}

#[cfg(test)]
mod tests {
    use porpoise_protocol::wire::RefusedReason;
    use porpoise_quic::{client::ConnectError, tls::FingerprintMismatch};

    use super::*;

    #[test]
    fn failures_classify() {
        let fp = Fingerprint([1; 32]);
        let mismatch =
            ConnectFailure::from(ConnectError::FingerprintMismatch(FingerprintMismatch {
                expected: fp,
                presented: Fingerprint([2; 32]),
            }));
        assert!(mismatch.is_permanent());
        let unreachable = ConnectFailure::from(ConnectError::Unreachable {
            addr: "x:1".into(),
            reason: "timeout".into(),
        });
        assert!(!unreachable.is_permanent());
        let unknown = ConnectFailure::from(ConnectError::Refused(RefusedReason::UnknownCenter(
            CenterId(8_000_009),
        )));
        assert!(unknown.is_permanent());
        let busy = ConnectFailure::from(ConnectError::Refused(RefusedReason::Unavailable));
        assert!(!busy.is_permanent());
    }
}
