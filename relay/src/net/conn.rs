//! One task per connection: the Hello on the control stream, then the control-stream reader and
//! writer and the acceptor of media streams.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use porpoise_protocol::framing::{FrameError, MAX_CONTROL_FRAME_BYTES};
use porpoise_protocol::wire::{
    CenterId, ClientMessage, HelloRole, MediaHeader, RefusedReason, ServerMessage, Welcome,
    MAX_MEDIA_HEADER_BYTES, PROTOCOL_VERSION,
};
use porpoise_quic::frame_io::{read_frame, write_frame};
use tokio::sync::mpsc;
use tokio::time::timeout;
use tracing::{debug, error, info, info_span, warn, Instrument, Span};

use super::driver::DriverMsg;
use super::gate::Gate;
use super::{spawn_in_span, CLOSE_NORMAL, CLOSE_PROTOCOL, CLOSE_REFUSED, STREAM_REFUSED};
use crate::core::{ConnId, Login, Throttled};
use crate::store::{AuthOutcome, Store};

/// Time a client has to open its control stream and send its Hello.
const HELLO_TIMEOUT: Duration = Duration::from_secs(10);
/// Time a client has to send the header of a media stream it opened.
const MEDIA_HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// Frames queued for one client's control stream before the client counts as too slow.
const OUTBOX_CAPACITY: usize = 256;
/// How long a refusal or directory answer waits to be acknowledged before the close.
const LINGER: Duration = Duration::from_secs(1);
/// Longest username written to a log line, in characters (the rest is cut).
const MAX_LOGGED_USERNAME_CHARS: usize = 64;
/// Requests one connection may make per second, sustained (token bucket, GCRA via governor).
/// Beyond [`REQUEST_BURST`] more, a request is answered `Throttled { retry_after_s }` by the
/// connection's own task, without reaching the driver: one client's loop costs the others
/// nothing (issue 14). Screen, input, files and voice go on media streams, not here.
pub const REQUESTS_PER_SECOND: u32 = 50;
/// Requests one connection may make at once above the sustained rate (a console's start-up
/// burst of lists fits easily).
pub const REQUEST_BURST: u32 = 100;
/// A connection that sends this many requests more, one after another, all answered
/// `Throttled` (it ignores `retry_after_s`), is closed with `CloseCode::Protocol`: a flood then
/// costs a new handshake, which [`crate::RelayConfig::new_connections_per_ip`] bounds.
pub const MAX_THROTTLED_IN_A_ROW: u32 = 200;

/// What a connection task needs.
pub(super) struct ConnCtx {
    pub store: Store,
    pub driver: mpsc::Sender<DriverMsg>,
    /// The relay's login throttle.
    pub gate: Gate,
}

/// Outcome of a Hello that was not refused.
enum Admit {
    Login(Box<Login>),
    Directory(Vec<String>),
}

/// Serves one incoming connection until it ends.
pub(super) async fn serve(incoming: quinn::Incoming, conn_id: ConnId, ctx: ConnCtx) {
    let remote = incoming.remote_address();
    let span = info_span!("conn", id = %conn_id, %remote, role = tracing::field::Empty);
    async move {
        let connection = match incoming.await {
            Ok(connection) => connection,
            Err(err) => return debug!("handshake failed: {err}"),
        };
        let Some((login, send, recv)) = hello(&connection, &ctx, remote).await else {
            return;
        };
        let role = match &login {
            Login::Agent { .. } => "agent",
            Login::Customer { .. } => "customer",
        };
        Span::current().record("role", role);
        info!("logged in");
        serve_logged_in(connection, conn_id, login, (send, recv), &ctx).await;
        let _ = ctx.driver.send(DriverMsg::Disconnected { conn_id }).await;
        info!("disconnected");
    }
    .instrument(span)
    .await;
}

/// Reads and checks the Hello. Returns the login and control stream, or `None` once the
/// connection was answered (refusal, directory) or lost.
async fn hello(
    connection: &quinn::Connection,
    ctx: &ConnCtx,
    remote: SocketAddr,
) -> Option<(Login, quinn::SendStream, quinn::RecvStream)> {
    let (send, mut recv) = match timeout(HELLO_TIMEOUT, connection.accept_bi()).await {
        Ok(Ok(streams)) => streams,
        Ok(Err(err)) => {
            debug!("closed before hello: {err}");
            return None;
        }
        Err(_) => {
            warn!("no control stream within {HELLO_TIMEOUT:?}");
            connection.close(CLOSE_PROTOCOL.into(), b"no hello");
            return None;
        }
    };
    let frame = timeout(
        HELLO_TIMEOUT,
        read_frame(&mut recv, MAX_CONTROL_FRAME_BYTES),
    )
    .await;
    let hello = match frame {
        Ok(Ok(Some(ClientMessage::Hello(hello)))) => hello,
        Ok(Ok(None)) => {
            debug!("control stream ended before hello");
            connection.close(CLOSE_NORMAL.into(), b"no hello");
            return None;
        }
        Ok(Ok(Some(ClientMessage::Request { .. }))) => {
            warn!("first frame is not a hello");
            return refuse(connection, send, RefusedReason::Malformed).await;
        }
        Ok(Err(err)) => {
            warn!("malformed hello: {err}");
            return refuse(connection, send, RefusedReason::Malformed).await;
        }
        Err(_) => {
            warn!("no hello within {HELLO_TIMEOUT:?}");
            connection.close(CLOSE_PROTOCOL.into(), b"no hello");
            return None;
        }
    };
    if hello.protocol_version != PROTOCOL_VERSION {
        let client = hello.protocol_version;
        let reason = RefusedReason::VersionMismatch {
            relay: PROTOCOL_VERSION,
            client,
        };
        return refuse(connection, send, reason).await;
    }
    match admit(hello.role, ctx, remote).await {
        Ok(Admit::Login(login)) => Some((*login, send, recv)),
        Ok(Admit::Directory(usernames)) => {
            let welcome = ServerMessage::Welcome(Welcome::Directory { usernames });
            answer_and_close(
                connection,
                send,
                &welcome,
                CLOSE_NORMAL,
                "directory answered",
            )
            .await;
            None
        }
        Err(reason) => refuse(connection, send, reason).await,
    }
}

/// Authenticates a role against the store, asking the login throttle first so that a
/// throttled client costs no argon2 run. Wrong passwords and unknown usernames or centers count
/// as failures (per account and per address); center lookups count per address.
async fn admit(role: HelloRole, ctx: &ConnCtx, remote: SocketAddr) -> Result<Admit, RefusedReason> {
    let ip = remote.ip();
    let store = &ctx.store;
    let unavailable = |err: crate::store::StoreError| match err {
        crate::store::StoreError::Busy => {
            warn!(%ip, "password hashing queue full; login refused for now");
            RefusedReason::Throttled { retry_after_s: 1 }
        }
        err => {
            error!("storage failed during hello: {err}");
            RefusedReason::Unavailable
        }
    };
    match role {
        HelloRole::Agent {
            center_id,
            username,
            password,
        } => {
            let pass = ctx.gate.login(ip, center_id, &username).map_err(|t| {
                let username = loggable(&username);
                let retry_after_s = t.retry_after_s();
                let scope = t.scope;
                warn!(%center_id, ?username, %ip, ?scope, retry_after_s, "login attempt throttled");
                throttled(t)
            })?;
            // On a storage error `pass` is dropped unsettled: the attempt no longer counts.
            match store
                .authenticate(center_id, &username, &password)
                .await
                .map_err(unavailable)?
            {
                AuthOutcome::Verified(account) => {
                    pass.succeed();
                    let account = *account;
                    Ok(Admit::Login(Box::new(Login::Agent {
                        center: account.center,
                        account: Box::new(account.account),
                        address: remote,
                    })))
                }
                AuthOutcome::UnknownCenter => {
                    pass.fail();
                    Err(RefusedReason::UnknownCenter(center_id))
                }
                AuthOutcome::Disabled => {
                    pass.succeed();
                    info!(%center_id, username = ?loggable(&username), "disabled account refused");
                    Err(RefusedReason::AccountDisabled)
                }
                AuthOutcome::WrongPassword => {
                    pass.fail();
                    let username = loggable(&username);
                    info!(%center_id, ?username, "wrong username or password");
                    // R18: failed logins are audited (the address and the name tried, never
                    // the password). A throttled attempt never gets here, which bounds the rows.
                    let entry = crate::core::AuditEntry::new(
                        center_id,
                        crate::store::unix_ms_now(),
                        format!("address {ip}"),
                        crate::core::AuditAction::LoginFailed,
                        format!("username {username}"),
                        String::new(),
                    );
                    if let Err(e) = store.append_audit(&entry).await {
                        warn!(%center_id, "cannot write the audit log: {e}");
                    }
                    Err(RefusedReason::WrongPassword)
                }
            }
        }
        HelloRole::Customer {
            center_id,
            install_id,
        } => {
            // A customer of an existing center is never throttled: one abuser behind a shared
            // NAT must not lock that NAT's customers out. Probing unknown centers counts
            // against the IP like a directory lookup.
            match store.center(center_id).await.map_err(unavailable)? {
                Some(center) => Ok(Admit::Login(Box::new(Login::Customer {
                    center,
                    install_id,
                    address: remote,
                }))),
                None => {
                    lookup_pass(ctx, ip, center_id, "customer")?.fail();
                    Err(RefusedReason::UnknownCenter(center_id))
                }
            }
        }
        HelloRole::Directory { center_id } => {
            let pass = lookup_pass(ctx, ip, center_id, "directory")?;
            if store
                .center(center_id)
                .await
                .map_err(unavailable)?
                .is_none()
            {
                pass.fail();
                return Err(RefusedReason::UnknownCenter(center_id));
            }
            pass.succeed();
            Ok(Admit::Directory(
                store.usernames(center_id).await.map_err(unavailable)?,
            ))
        }
    }
}

/// Admits a center lookup (which reveals whether the center exists) under the address's limit.
fn lookup_pass(
    ctx: &ConnCtx,
    ip: IpAddr,
    center_id: CenterId,
    kind: &'static str,
) -> Result<super::gate::Pass, RefusedReason> {
    ctx.gate.lookup(ip).map_err(|t| {
        warn!(%center_id, %ip, kind, retry_after_s = t.retry_after_s(), "center lookup throttled");
        throttled(t)
    })
}

fn throttled(t: Throttled) -> RefusedReason {
    RefusedReason::Throttled {
        retry_after_s: t.retry_after_s(),
    }
}

/// A username from the network as a log field: at most [`MAX_LOGGED_USERNAME_CHARS`]
/// characters (logged with `?`, so control characters are escaped).
fn loggable(username: &str) -> &str {
    match username.char_indices().nth(MAX_LOGGED_USERNAME_CHARS) {
        Some((cut, _)) => &username[..cut],
        None => username,
    }
}

/// Sends `Refused(reason)` and closes with [`CLOSE_REFUSED`]. Always `None` (for `return`).
async fn refuse<T>(
    connection: &quinn::Connection,
    send: quinn::SendStream,
    reason: RefusedReason,
) -> Option<T> {
    info!("hello refused: {reason}");
    let text = reason.to_string();
    answer_and_close(
        connection,
        send,
        &ServerMessage::Refused(reason),
        CLOSE_REFUSED,
        &text,
    )
    .await;
    None
}

/// Writes one last frame, waits (briefly) until the peer has it, then closes the connection.
async fn answer_and_close(
    connection: &quinn::Connection,
    mut send: quinn::SendStream,
    msg: &ServerMessage,
    code: u32,
    reason: &str,
) {
    if let Err(err) = write_frame(&mut send, msg, MAX_CONTROL_FRAME_BYTES).await {
        debug!("could not send final frame: {err}");
    } else if send.finish().is_ok() {
        let _ = timeout(LINGER, send.stopped()).await;
    }
    connection.close(code.into(), reason.as_bytes());
}

/// After the Welcome: registers with the driver, then serves until the connection ends.
async fn serve_logged_in(
    connection: quinn::Connection,
    conn_id: ConnId,
    login: Login,
    (send, mut recv): (quinn::SendStream, quinn::RecvStream),
    ctx: &ConnCtx,
) {
    let (outbox, outbox_rx) = mpsc::channel(OUTBOX_CAPACITY);
    let msg = DriverMsg::Login {
        conn_id,
        connection: connection.clone(),
        login: Box::new(login),
        outbox: outbox.clone(),
    };
    if ctx.driver.send(msg).await.is_err() {
        return;
    }
    spawn_in_span(write_control(send, outbox_rx));
    tokio::select! {
        () = read_control(&connection, conn_id, &mut recv, &ctx.driver, &outbox) => {}
        () = accept_media(&connection, conn_id, &ctx.driver) => {}
    }
}

/// Writes the driver's messages to the control stream until the driver drops the outbox. A
/// message too large for one frame is never dropped silently: an answer becomes
/// `ApiError::ReplyTooLarge` for its request; an event or a Welcome is logged as an error (the
/// lists they carry are budgeted so that this does not happen), and a Welcome that cannot be
/// sent closes the connection, so the client does not wait for it.
async fn write_control(mut send: quinn::SendStream, mut outbox: mpsc::Receiver<ServerMessage>) {
    while let Some(msg) = outbox.recv().await {
        match write_frame(&mut send, &msg, MAX_CONTROL_FRAME_BYTES).await {
            Ok(()) => {}
            Err(FrameError::TooLarge { len, max }) => {
                let kind = match &msg {
                    ServerMessage::Response { .. } => "answer",
                    ServerMessage::Event(_) => "event",
                    ServerMessage::Welcome(_) => "welcome",
                    _ => "message",
                };
                error!(kind, len, max, "outgoing frame over the limit");
                match msg {
                    ServerMessage::Response { id, .. } => {
                        let refusal = ServerMessage::Response {
                            id,
                            result: Err(porpoise_protocol::wire::ApiError::ReplyTooLarge {
                                bytes: len as u64,
                                max_bytes: max as u64,
                            }),
                        };
                        if let Err(err) =
                            write_frame(&mut send, &refusal, MAX_CONTROL_FRAME_BYTES).await
                        {
                            return debug!("control stream write failed: {err}");
                        }
                    }
                    ServerMessage::Welcome(_) => {
                        let _ = send.reset(CLOSE_PROTOCOL.into());
                        return;
                    }
                    _ => {}
                }
            }
            Err(err) => return debug!("control stream write failed: {err}"),
        }
    }
}

/// Forwards requests to the driver until the stream ends or breaks the protocol; requests
/// beyond the connection's rate ([`REQUESTS_PER_SECOND`], [`REQUEST_BURST`]) are answered
/// `Throttled` on `outbox` here.
async fn read_control(
    connection: &quinn::Connection,
    conn_id: ConnId,
    recv: &mut quinn::RecvStream,
    driver: &mpsc::Sender<DriverMsg>,
    outbox: &mpsc::Sender<ServerMessage>,
) {
    use governor::{clock::Clock, Quota, RateLimiter};
    use std::num::NonZeroU32;
    let quota = Quota::per_second(NonZeroU32::new(REQUESTS_PER_SECOND).unwrap_or(NonZeroU32::MIN))
        .allow_burst(NonZeroU32::new(REQUEST_BURST).unwrap_or(NonZeroU32::MIN));
    let limiter = RateLimiter::direct(quota);
    let clock = governor::clock::DefaultClock::default();
    let mut throttled: u64 = 0;
    let mut in_a_row: u32 = 0;
    loop {
        match read_frame(recv, MAX_CONTROL_FRAME_BYTES).await {
            Ok(Some(ClientMessage::Request { id, body })) => {
                if let Err(not_until) = limiter.check() {
                    throttled += 1;
                    in_a_row += 1;
                    if throttled.is_power_of_two() {
                        warn!(%conn_id, throttled, "requests over the connection's rate");
                    }
                    if in_a_row > MAX_THROTTLED_IN_A_ROW {
                        warn!(%conn_id, "requests go on regardless of Throttled; closing");
                        return connection.close(CLOSE_PROTOCOL.into(), b"request flood");
                    }
                    let wait = not_until.wait_time_from(clock.now());
                    let retry_after_s =
                        u32::try_from(wait.as_millis().div_ceil(1000).max(1)).unwrap_or(u32::MAX);
                    let refusal = ServerMessage::Response {
                        id,
                        result: Err(porpoise_protocol::wire::ApiError::Throttled { retry_after_s }),
                    };
                    if outbox.send(refusal).await.is_err() {
                        return;
                    }
                    continue;
                }
                in_a_row = 0;
                if driver
                    .send(DriverMsg::Request {
                        conn_id,
                        id,
                        body: Box::new(body),
                    })
                    .await
                    .is_err()
                {
                    return;
                }
            }
            Ok(Some(ClientMessage::Hello(_))) => {
                warn!("second hello on the control stream; closing");
                return connection.close(CLOSE_PROTOCOL.into(), b"unexpected hello");
            }
            Ok(None) => {
                debug!("control stream finished by the client");
                return connection.close(CLOSE_NORMAL.into(), b"control stream finished");
            }
            Err(FrameError::Io(err)) => return debug!("control stream ended: {err}"),
            Err(err) => {
                warn!("bad control frame, closing the connection: {err}");
                return connection.close(CLOSE_PROTOCOL.into(), b"malformed frame");
            }
        }
    }
}

/// Accepts media streams (bidirectional) and refuses unidirectional ones, until the
/// connection ends.
async fn accept_media(
    connection: &quinn::Connection,
    conn_id: ConnId,
    driver: &mpsc::Sender<DriverMsg>,
) {
    loop {
        tokio::select! {
            bi = connection.accept_bi() => {
                let Ok((send, recv)) = bi else { return };
                spawn_in_span(media_header(connection.clone(), conn_id, send, recv, driver.clone()));
            }
            uni = connection.accept_uni() => {
                let Ok(mut recv) = uni else { return };
                warn!("unidirectional stream refused");
                let _ = recv.stop(STREAM_REFUSED.into());
            }
        }
    }
}

/// Reads a media stream's header and hands the stream to the driver for routing.
async fn media_header(
    connection: quinn::Connection,
    conn_id: ConnId,
    mut send: quinn::SendStream,
    mut recv: quinn::RecvStream,
    driver: mpsc::Sender<DriverMsg>,
) {
    let header = timeout(
        MEDIA_HEADER_TIMEOUT,
        read_frame::<MediaHeader, _>(&mut recv, MAX_MEDIA_HEADER_BYTES),
    );
    match header.await {
        Ok(Ok(Some(header))) => {
            let _ = driver
                .send(DriverMsg::Media {
                    conn_id,
                    header,
                    send,
                    recv,
                })
                .await;
        }
        Ok(Err(FrameError::Io(err))) => debug!("media stream lost before its header: {err}"),
        Ok(Err(err)) => {
            warn!("bad media header, closing the connection: {err}");
            connection.close(CLOSE_PROTOCOL.into(), b"malformed media header");
        }
        Ok(Ok(None)) | Err(_) => {
            warn!("media stream without a header; refused");
            let _ = send.reset(STREAM_REFUSED.into());
            let _ = recv.stop(STREAM_REFUSED.into());
        }
    }
}
