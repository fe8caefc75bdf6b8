//! The async client core shared by the agent console, the customer helper, the tests and the
//! load tools.
//!
//! [`connect`] opens one QUIC connection to the relay, pins its certificate, sends the
//! [`Hello`] on the control stream and waits for [`Welcome`]. The returned [`Client`] is a cheap
//! clone handle: [`Client::request`] sends a request and awaits its response;
//! [`Client::open_media`] opens a media stream. Pushed events and media streams opened by the
//! peer arrive on the [`ClientEvent`] receiver. Nothing here touches a UI.

use std::{
    collections::HashMap,
    net::{SocketAddr, ToSocketAddrs},
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, Mutex,
    },
    time::Duration,
};

use tokio::sync::{mpsc, oneshot};
use tracing::{debug, warn};

use crate::{
    frame_io::read_frame,
    frame_io::write_frame,
    tls::{client_config, Fingerprint, FingerprintMismatch},
};
use porpoise_protocol::{
    framing::{FrameError, MAX_CONTROL_FRAME_BYTES},
    wire::{
        ApiError, CenterId, ClientMessage, CloseCode, Event, Hello, HelloRole, MediaHeader,
        RefusedReason, Reply, Request, RequestId, Response, Rpc, ServerMessage, Welcome,
        MAX_MEDIA_HEADER_BYTES, PROTOCOL_VERSION,
    },
};

/// How long [`connect`] waits for the relay to answer the QUIC handshake and the Hello.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long [`Client::request`] waits for a response.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);
/// Capacity of the event channel returned by [`connect`]; the reader waits when it is full.
pub const EVENT_CHANNEL_CAPACITY: usize = 256;
/// Server name used in the TLS handshake (the certificate is pinned, so the name is not checked).
pub const TLS_SERVER_NAME: &str = "porpoise-relay";

/// Where and how to reach the relay.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// `host:port` of the relay's UDP endpoint, e.g. `127.0.0.1:18000`.
    pub relay_addr: String,
    /// Pinned SHA-256 fingerprint of the relay certificate.
    pub fingerprint: Fingerprint,
}

/// Why [`connect`] failed; each variant's message is fit to show a user.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// The relay address does not parse or resolve.
    #[error("relay address {0:?} is not a valid host:port")]
    BadAddress(String),
    /// No answer from the relay (wrong address, relay down, firewall).
    #[error("relay {addr} is unreachable: {reason}")]
    Unreachable {
        /// Address tried.
        addr: String,
        /// What failed.
        reason: String,
    },
    /// The relay's certificate is not the pinned one.
    #[error("{0} — check the fingerprint in the settings")]
    FingerprintMismatch(FingerprintMismatch),
    /// The relay refused the Hello (wrong password, unknown center…).
    #[error("{0}")]
    Refused(RefusedReason),
    /// The relay broke the protocol or the connection dropped during login.
    #[error("protocol error during login: {0}")]
    Protocol(String),
}

/// Why a media operation failed (requests fail with an [`ApiError`]).
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The connection is closed.
    #[error("connection to the relay is closed: {0}")]
    Closed(String),
    /// A frame could not be written or read.
    #[error("{0}")]
    Frame(#[from] FrameError),
}

/// Something that happened on the connection.
#[derive(Debug)]
pub enum ClientEvent {
    /// A pushed event from the relay.
    Event(Event),
    /// The peer opened a media stream, forwarded by the relay; the header was already read.
    Media(MediaStream),
    /// The connection closed. No more events follow.
    Closed(Disconnect),
}

/// Why a connection ended, as the client saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disconnect {
    /// The relay's close code, when the relay closed the connection with one it sends.
    pub code: Option<CloseCode>,
    /// What quinn or the relay said, for logs (not shown to users as is).
    pub detail: String,
}

impl Disconnect {
    /// A disconnect without a relay close code (timeout, network loss, local close).
    pub fn lost(detail: impl Into<String>) -> Disconnect {
        Disconnect {
            code: None,
            detail: detail.into(),
        }
    }

    /// True when the login must not be retried ([`CloseCode::is_final`]).
    pub fn is_final(&self) -> bool {
        self.code.is_some_and(CloseCode::is_final)
    }

    fn of(error: &quinn::ConnectionError) -> Disconnect {
        let code = match error {
            quinn::ConnectionError::ApplicationClosed(close) => {
                CloseCode::from_code(close.error_code.into_inner())
            }
            _ => None,
        };
        Disconnect {
            code,
            detail: error.to_string(),
        }
    }
}

impl std::fmt::Display for Disconnect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.detail)
    }
}

/// A media stream: its header and both halves.
#[derive(Debug)]
pub struct MediaStream {
    /// Session and kind.
    pub header: MediaHeader,
    /// Our sending half.
    pub send: quinn::SendStream,
    /// Our receiving half.
    pub recv: quinn::RecvStream,
}

type Pending = Arc<Mutex<HashMap<RequestId, oneshot::Sender<Result<Response, ApiError>>>>>;

/// Handle to a live connection; clone it freely.
#[derive(Debug, Clone)]
pub struct Client {
    connection: quinn::Connection,
    outbox: mpsc::Sender<ClientMessage>,
    pending: Pending,
    next_id: Arc<AtomicU64>,
}

/// Connects, pins the certificate, says Hello and waits for Welcome, on a UDP endpoint of its own.
///
/// Returns the handle, the Welcome and the receiver of pushed events and incoming media.
/// Errors: see [`ConnectError`]; the whole exchange is bounded by [`CONNECT_TIMEOUT`].
pub async fn connect(
    config: &ClientConfig,
    role: HelloRole,
) -> Result<(Client, Welcome, mpsc::Receiver<ClientEvent>), ConnectError> {
    let addr = resolve(&config.relay_addr)?;
    let bind: SocketAddr = if addr.is_ipv6() {
        "[::]:0"
    } else {
        "0.0.0.0:0"
    }
    .parse()
    .map_err(|_| ConnectError::BadAddress(config.relay_addr.clone()))?;
    let endpoint = quinn::Endpoint::client(bind).map_err(|e| ConnectError::Unreachable {
        addr: config.relay_addr.clone(),
        reason: e.to_string(),
    })?;
    connect_on(&endpoint, config, role).await
}

/// Like [`connect`], on a shared client `endpoint` (load tools open thousands of connections on
/// one UDP socket). The endpoint is kept alive as long as the connection.
///
/// Errors: see [`ConnectError`].
pub async fn connect_on(
    endpoint: &quinn::Endpoint,
    config: &ClientConfig,
    role: HelloRole,
) -> Result<(Client, Welcome, mpsc::Receiver<ClientEvent>), ConnectError> {
    let endpoint = endpoint.clone();
    let addr = resolve(&config.relay_addr)?;
    let unreachable = |reason: String| ConnectError::Unreachable {
        addr: config.relay_addr.clone(),
        reason,
    };
    let (client_cfg, pin_check) =
        client_config(config.fingerprint).map_err(|e| ConnectError::Protocol(e.to_string()))?;
    let connecting = endpoint
        .connect_with(client_cfg, addr, TLS_SERVER_NAME)
        .map_err(|e| unreachable(e.to_string()))?;
    let handshake = async {
        let connection = connecting.await.map_err(|e| match pin_check.mismatch() {
            Some(m) => ConnectError::FingerprintMismatch(m),
            None => unreachable(e.to_string()),
        })?;
        let (mut send, mut recv) = connection
            .open_bi()
            .await
            .map_err(|e| ConnectError::Protocol(e.to_string()))?;
        let hello = ClientMessage::Hello(Hello {
            protocol_version: PROTOCOL_VERSION,
            role,
        });
        write_frame(&mut send, &hello, MAX_CONTROL_FRAME_BYTES)
            .await
            .map_err(|e| ConnectError::Protocol(e.to_string()))?;
        let first: Option<ServerMessage> = read_frame(&mut recv, MAX_CONTROL_FRAME_BYTES)
            .await
            .map_err(|e| ConnectError::Protocol(e.to_string()))?;
        match first {
            Some(ServerMessage::Welcome(w)) => Ok((connection, send, recv, w)),
            Some(ServerMessage::Refused(r)) => Err(ConnectError::Refused(r)),
            Some(other) => Err(ConnectError::Protocol(format!(
                "expected Welcome, got {other:?}"
            ))),
            None => Err(ConnectError::Protocol(
                "relay closed the control stream".into(),
            )),
        }
    };
    let (connection, send, recv, welcome) = tokio::time::timeout(CONNECT_TIMEOUT, handshake)
        .await
        .map_err(|_| unreachable(format!("no answer within {} s", CONNECT_TIMEOUT.as_secs())))??;
    let (events_tx, events_rx) = mpsc::channel(EVENT_CHANNEL_CAPACITY);
    let (outbox, outbox_rx) = mpsc::channel(EVENT_CHANNEL_CAPACITY);
    let pending: Pending = Arc::default();
    tokio::spawn(write_loop(send, outbox_rx));
    tokio::spawn(read_loop(
        recv,
        connection.clone(),
        pending.clone(),
        events_tx.clone(),
    ));
    tokio::spawn(accept_media_loop(connection.clone(), events_tx));
    // Keep the endpoint alive as long as the connection: it is dropped when the driver ends.
    tokio::spawn({
        let connection = connection.clone();
        async move {
            connection.closed().await;
            endpoint.wait_idle().await;
        }
    });
    let client = Client {
        connection,
        outbox,
        pending,
        next_id: Arc::new(AtomicU64::new(1)),
    };
    Ok((client, welcome, events_rx))
}

/// Asks the relay for a center's usernames, for the login dialog's drop-down (R2).
///
/// Errors: as [`connect`]; `Refused(UnknownCenter)` if the center does not exist.
pub async fn list_usernames(
    config: &ClientConfig,
    center_id: CenterId,
) -> Result<Vec<String>, ConnectError> {
    let (client, welcome, _events) = connect(config, HelloRole::Directory { center_id }).await?;
    client.close("directory lookup done");
    match welcome {
        Welcome::Directory { usernames } => Ok(usernames),
        other => Err(ConnectError::Protocol(format!(
            "expected Directory, got {other:?}"
        ))),
    }
}

fn resolve(addr: &str) -> Result<SocketAddr, ConnectError> {
    addr.to_socket_addrs()
        .ok()
        .and_then(|mut a| a.next())
        .ok_or_else(|| ConnectError::BadAddress(addr.to_owned()))
}

impl Client {
    /// Sends the typed request `req` and waits for its reply.
    ///
    /// Errors: the relay's [`ApiError`]; [`ApiError::Timeout`] after [`REQUEST_TIMEOUT`];
    /// [`ApiError::Disconnected`] if the connection is gone; [`ApiError::Protocol`] if the relay
    /// answered with a reply of another type.
    pub async fn call<R: Rpc>(&self, req: R) -> Result<R::Reply, ApiError> {
        let response = self.request(req.into()).await?;
        R::Reply::from_response(response).map_err(|other| {
            warn!(request = R::NAME, ?other, "reply of the wrong type");
            ApiError::Protocol
        })
    }

    /// Sends an untyped wire request and waits for the wire response: for tools and protocol
    /// tests that drive the wire itself. Applications use [`Client::call`].
    ///
    /// Errors: as [`Client::call`], without the type check.
    pub async fn request(&self, body: Request) -> Result<Response, ApiError> {
        let id = RequestId(self.next_id.fetch_add(1, Ordering::Relaxed));
        let (tx, rx) = oneshot::channel();
        if let Ok(mut p) = self.pending.lock() {
            p.insert(id, tx);
        }
        if self
            .outbox
            .send(ClientMessage::Request { id, body })
            .await
            .is_err()
        {
            self.forget(id);
            return Err(ApiError::Disconnected);
        }
        match tokio::time::timeout(REQUEST_TIMEOUT, rx).await {
            Ok(Ok(result)) => result,
            Ok(Err(_)) => Err(ApiError::Disconnected),
            Err(_) => {
                self.forget(id);
                Err(ApiError::Timeout)
            }
        }
    }

    /// Opens a media stream for `header` and writes the header; the relay forwards it to the
    /// peer if the customer consented, else resets it (the first write or read then fails).
    ///
    /// Errors: [`ClientError::Closed`], [`ClientError::Frame`].
    pub async fn open_media(&self, header: MediaHeader) -> Result<MediaStream, ClientError> {
        let (mut send, recv) = self
            .connection
            .open_bi()
            .await
            .map_err(|e| ClientError::Closed(e.to_string()))?;
        write_frame(&mut send, &header, MAX_MEDIA_HEADER_BYTES).await?;
        Ok(MediaStream { header, send, recv })
    }

    /// Closes the connection with `reason` (sent to the relay, for its log).
    pub fn close(&self, reason: &str) {
        self.connection.close(0u32.into(), reason.as_bytes());
    }

    /// True while the connection is open.
    pub fn is_open(&self) -> bool {
        self.connection.close_reason().is_none()
    }

    /// The relay's address.
    pub fn remote_address(&self) -> SocketAddr {
        self.connection.remote_address()
    }

    fn forget(&self, id: RequestId) {
        if let Ok(mut p) = self.pending.lock() {
            p.remove(&id);
        }
    }

    /// Why the connection ended, or `None` while it is open.
    pub fn disconnect(&self) -> Option<Disconnect> {
        self.connection.close_reason().map(|e| Disconnect::of(&e))
    }
}

async fn write_loop(mut send: quinn::SendStream, mut outbox: mpsc::Receiver<ClientMessage>) {
    while let Some(msg) = outbox.recv().await {
        if let Err(e) = write_frame(&mut send, &msg, MAX_CONTROL_FRAME_BYTES).await {
            warn!(error = %e, "control stream write failed");
            break;
        }
    }
    let _ = send.finish();
}

async fn read_loop(
    mut recv: quinn::RecvStream,
    connection: quinn::Connection,
    pending: Pending,
    events: mpsc::Sender<ClientEvent>,
) {
    let reason = loop {
        match read_frame::<ServerMessage, _>(&mut recv, MAX_CONTROL_FRAME_BYTES).await {
            Ok(Some(ServerMessage::Response { id, result })) => {
                let waiter = pending.lock().ok().and_then(|mut p| p.remove(&id));
                match waiter {
                    Some(tx) => {
                        let _ = tx.send(result);
                    }
                    None => debug!(%id, "response to a forgotten request"),
                }
            }
            Ok(Some(ServerMessage::Event(e))) => {
                if events.send(ClientEvent::Event(e)).await.is_err() {
                    break Disconnect::lost("client dropped");
                }
            }
            Ok(Some(ServerMessage::Refused(r))) => {
                break Disconnect {
                    code: Some(CloseCode::Refused),
                    detail: r.to_string(),
                }
            }
            Ok(Some(other)) => {
                warn!(?other, "unexpected message on the control stream");
            }
            Ok(None) => {
                break connection
                    .close_reason()
                    .map(|e| Disconnect::of(&e))
                    .unwrap_or_else(|| Disconnect::lost("relay ended the control stream"))
            }
            Err(e) => {
                break match connection.close_reason() {
                    Some(c) => Disconnect::of(&c),
                    None => Disconnect::lost(e.to_string()),
                }
            }
        }
    };
    if let Ok(mut p) = pending.lock() {
        p.clear();
    }
    let _ = events.send(ClientEvent::Closed(reason)).await;
}

async fn accept_media_loop(connection: quinn::Connection, events: mpsc::Sender<ClientEvent>) {
    while let Ok((send, mut recv)) = connection.accept_bi().await {
        let header = match read_frame::<MediaHeader, _>(&mut recv, MAX_MEDIA_HEADER_BYTES).await {
            Ok(Some(h)) => h,
            Ok(None) => continue,
            Err(e) => {
                warn!(error = %e, "bad media header from relay");
                continue;
            }
        };
        if events
            .send(ClientEvent::Media(MediaStream { header, send, recv }))
            .await
            .is_err()
        {
            break;
        }
    }
}

/// A random 128-bit id (chat message ids, helper install ids).
pub fn random_id() -> u128 {
    rand::random()
}
