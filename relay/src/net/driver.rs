//! The driver task: owns the [`Core`], feeds it events from connection tasks and the store
//! writer, and executes its actions. Media routing checks and forward registration happen here,
//! in one task, so they are atomic with respect to cuts.

use std::collections::HashMap;
use std::time::Instant;

use porpoise_protocol::wire::{
    ApiError, CenterId, MediaHeader, MediaKind, RefusedReason, Request, RequestId, Response,
    ServerMessage, SessionId,
};
use tokio::sync::{mpsc, oneshot};
use tracing::{debug, error, info_span, warn, Instrument};

use super::context::fetch_context;
use super::media::{forward, Forward};
use super::{
    CLOSE_CENTER_EXPIRED, CLOSE_KICKED, CLOSE_LOGGED_IN_ELSEWHERE, CLOSE_REFUSED, CLOSE_SHUTDOWN,
    CLOSE_TOO_SLOW, CLOSE_UNAVAILABLE, STREAM_REFUSED,
};
use crate::core::{
    Action, CloseReason, ConnId, ConversationOp, Core, Login, Now, StoreOp, StoreReport,
};
use crate::store::{unix_ms_now, Store, StoreError};

/// How long a refused login's connection stays open so that the `Refused` frame arrives.
const REFUSE_LINGER: std::time::Duration = std::time::Duration::from_millis(500);

/// What connection tasks tell the driver.
pub(super) enum DriverMsg {
    /// A connection passed its Hello; `outbox` carries frames to its control stream.
    Login {
        conn_id: ConnId,
        connection: quinn::Connection,
        login: Box<Login>,
        outbox: mpsc::Sender<ServerMessage>,
    },
    /// A request frame.
    Request {
        conn_id: ConnId,
        id: RequestId,
        body: Box<Request>,
    },
    /// The connection is gone.
    Disconnected { conn_id: ConnId },
    /// Fresh per-center storage sums after a retention prune.
    StorageUsage(Vec<(CenterId, u64)>),
    /// A media stream with its header read.
    Media {
        conn_id: ConnId,
        header: MediaHeader,
        send: quinn::SendStream,
        recv: quinn::RecvStream,
    },
}

/// Outcome of a write the core waits for, from the store writer.
pub(super) type Persisted = StoreReport;

/// Writes pending for one center (queued or running in the store writer, or a read it started)
/// above which that center's requests are answered `Throttled { retry_after_s: 1 }` by the
/// driver before the core sees them: a flooding center (or one flooding customer of it) is shed
/// while other centers' writes go on (issue 14).
pub const MAX_CENTER_BACKLOG: usize = 512;
/// Writes pending relay-wide above which every center's requests are shed the same way.
pub const MAX_BACKLOG: usize = 8192;
/// Read-only store queries (chat pictures, canned responses, knowledge base, history,
/// transcripts, audit log) run at once beside the writer, off its queue.
pub const MAX_CONCURRENT_READS: usize = 3;

/// A store operation with the center whose request, login or disconnect caused it (`None`:
/// relay timers and store reports), for [`Backlog`] accounting.
pub(super) struct Write {
    center: Option<CenterId>,
    op: StoreOp,
}

/// Writes pending per center, shared by the driver (which adds and sheds) and the store writer
/// (which removes when a write is done).
#[derive(Debug, Default)]
pub(super) struct Backlog {
    pending: std::sync::Mutex<HashMap<Option<CenterId>, usize>>,
}

impl Backlog {
    fn add(&self, center: Option<CenterId>) {
        if let Ok(mut pending) = self.pending.lock() {
            *pending.entry(center).or_default() += 1;
        }
    }

    fn done(&self, center: Option<CenterId>) {
        if let Ok(mut pending) = self.pending.lock() {
            if let Some(n) = pending.get_mut(&center) {
                *n = n.saturating_sub(1);
                if *n == 0 {
                    pending.remove(&center);
                }
            }
        }
    }

    /// True if `center` (or the relay) is over its backlog.
    fn over(&self, center: CenterId) -> bool {
        let Ok(pending) = self.pending.lock() else {
            return false;
        };
        let total: usize = pending.values().sum();
        pending.get(&Some(center)).copied().unwrap_or(0) >= MAX_CENTER_BACKLOG
            || total >= MAX_BACKLOG
    }
}

/// Requests never shed: they stop or end something (consent and control must always be
/// withdrawable) or leave the queue.
fn never_shed(body: &Request) -> bool {
    matches!(
        body,
        Request::StopAction(_)
            | Request::EndSession(_)
            | Request::AnswerConsent(_)
            | Request::LeaveQueue(_)
    )
}

struct ConnEntry {
    connection: quinn::Connection,
    outbox: mpsc::Sender<ServerMessage>,
}

/// See the module docs.
pub(super) struct Driver {
    core: Core,
    conns: HashMap<ConnId, ConnEntry>,
    forwards: HashMap<(SessionId, MediaKind), Vec<oneshot::Sender<()>>>,
    store: mpsc::UnboundedSender<Write>,
    /// Writes pending per center ([`MAX_CENTER_BACKLOG`]).
    backlog: std::sync::Arc<Backlog>,
    /// Center of the message being handled: the writes it causes are counted against it.
    lane: Option<CenterId>,
    /// Data directory (common files, A8).
    data_dir: std::path::PathBuf,
    /// Context lookups may reach private addresses ([`crate::outbound`]).
    allow_private_outbound: bool,
    /// Context lookups in flight, relay-wide ([`MAX_CONTEXT_LOOKUPS`]).
    context_permits: std::sync::Arc<tokio::sync::Semaphore>,
}

/// Customer context lookups (A18) in flight at once over all centers; one more is answered
/// `Throttled` at once, so lookups aimed at a slow endpoint cannot take the blocking pool.
pub const MAX_CONTEXT_LOOKUPS: usize = 16;

fn now() -> Now {
    Now {
        instant: Instant::now(),
        unix_ms: unix_ms_now(),
    }
}

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(at) => tokio::time::sleep_until(at.into()).await,
        None => std::future::pending().await,
    }
}

impl Driver {
    pub(super) fn new(
        core: Core,
        store: mpsc::UnboundedSender<Write>,
        backlog: std::sync::Arc<Backlog>,
        data_dir: std::path::PathBuf,
        allow_private_outbound: bool,
    ) -> Self {
        Driver {
            core,
            conns: HashMap::new(),
            forwards: HashMap::new(),
            store,
            backlog,
            lane: None,
            data_dir,
            allow_private_outbound,
            context_permits: std::sync::Arc::new(tokio::sync::Semaphore::new(MAX_CONTEXT_LOOKUPS)),
        }
    }

    /// Runs until every connection task and the accept loop dropped their senders.
    pub(super) async fn run(
        mut self,
        mut inbox: mpsc::Receiver<DriverMsg>,
        mut persisted: mpsc::UnboundedReceiver<Persisted>,
    ) {
        loop {
            let deadline = self.core.poll_timeout();
            tokio::select! {
                msg = inbox.recv() => match msg {
                    Some(msg) => self.handle(msg),
                    None => break,
                },
                Some(report) = persisted.recv() => {
                    self.lane = None;
                    self.core.handle_store_report(now(), report);
                }
                () = sleep_until(deadline) => {
                    self.lane = None;
                    self.core.handle_timeout(now());
                }
            }
            self.execute();
        }
        for (_, cancels) in self.forwards.drain() {
            for cancel in cancels {
                let _ = cancel.send(());
            }
        }
        debug!("driver stopped");
    }

    fn handle(&mut self, msg: DriverMsg) {
        match msg {
            DriverMsg::Login {
                conn_id,
                connection,
                login,
                outbox,
            } => {
                self.lane = Some(match &*login {
                    Login::Agent { center, .. } | Login::Customer { center, .. } => {
                        center.center_id
                    }
                });
                self.conns.insert(conn_id, ConnEntry { connection, outbox });
                self.core.handle_login(now(), conn_id, *login);
            }
            DriverMsg::Request { conn_id, id, body } => {
                self.lane = self.core.center_of(conn_id);
                if let Some(center) = self.lane {
                    if !never_shed(&body) && self.backlog.over(center) {
                        debug!(%center, conn = %conn_id, "store backlog: request shed");
                        if let Some(entry) = self.conns.get(&conn_id) {
                            let result = Err(ApiError::Throttled { retry_after_s: 1 });
                            let _ = entry
                                .outbox
                                .try_send(ServerMessage::Response { id, result });
                        }
                        return;
                    }
                }
                self.core.handle_request(now(), conn_id, id, *body);
            }
            DriverMsg::Disconnected { conn_id } => {
                self.lane = self.core.center_of(conn_id);
                self.conns.remove(&conn_id);
                self.core.handle_disconnect(now(), conn_id);
            }
            DriverMsg::StorageUsage(usage) => {
                self.lane = None;
                self.core.set_storage_used(usage);
            }
            DriverMsg::Media {
                conn_id,
                header,
                send,
                recv,
            } => {
                self.route(conn_id, header, send, recv);
            }
        }
    }

    /// Checks a media stream with the core and, if allowed, registers and starts its forward.
    fn route(
        &mut self,
        conn_id: ConnId,
        header: MediaHeader,
        mut send: quinn::SendStream,
        mut recv: quinn::RecvStream,
    ) {
        let span =
            info_span!("media", conn = %conn_id, session = %header.session_id, kind = ?header.kind);
        let route = self.core.route_media(conn_id, &header);
        let peer = route.as_ref().ok().and_then(|r| self.conns.get(&r.peer));
        let (route, peer) = match (route, peer) {
            (Ok(route), Some(peer)) => (route, peer.connection.clone()),
            (result, _) => {
                span.in_scope(|| warn!(refusal = ?result.err(), "media stream refused"));
                let _ = send.reset(STREAM_REFUSED.into());
                let _ = recv.stop(STREAM_REFUSED.into());
                return;
            }
        };
        let byte_cap = self.core.media_byte_cap(&route);
        let (cancel_tx, cancel_rx) = oneshot::channel();
        let cancels = self
            .forwards
            .entry((route.session_id, route.kind))
            .or_default();
        cancels.retain(|c| !c.is_closed());
        cancels.push(cancel_tx);
        let job = Forward {
            peer,
            header,
            send,
            recv,
            cancel: cancel_rx,
            byte_cap,
        };
        tokio::spawn(forward(job).instrument(span));
    }

    /// Executes every pending core action, in order. Never waits: writes go to the writer's
    /// unbounded queue (bounded by shedding, see [`MAX_CENTER_BACKLOG`]).
    fn execute(&mut self) {
        while let Some(action) = self.core.poll_action() {
            match action {
                Action::Send { conn, msg } => self.send(conn, msg),
                Action::Persist(op) => self.persist(op),
                Action::CutMedia { session_id, kinds } => {
                    for kind in kinds {
                        for cancel in self
                            .forwards
                            .remove(&(session_id, kind))
                            .unwrap_or_default()
                        {
                            let _ = cancel.send(());
                        }
                    }
                }
                Action::Refuse { conn, reason } => self.refuse(conn, reason),
                Action::FetchContext {
                    conn,
                    id,
                    endpoint,
                    query,
                } => self.fetch_context(conn, id, endpoint, query),
                Action::ListCommonFiles {
                    conn,
                    id,
                    center_id,
                } => self.list_common_files(conn, id, center_id),
                Action::SendCommonFile {
                    agent,
                    customer,
                    session_id,
                    center_id,
                    name,
                    max_bytes,
                } => self.send_common_file(agent, customer, session_id, center_id, name, max_bytes),
                Action::WriteCommonFile {
                    conn,
                    id,
                    center_id,
                    upload,
                } => self.common_file_io(conn, id, move |data_dir| async move {
                    crate::common_files::write_chunk(&data_dir, center_id, conn.0, &upload).await
                }),
                Action::DeleteCommonFile {
                    conn,
                    id,
                    center_id,
                    name,
                } => self.common_file_io(conn, id, move |data_dir| async move {
                    crate::common_files::delete_common_file(&data_dir, center_id, &name).await
                }),
                Action::Close { conn, reason } => {
                    if let Some(entry) = self.conns.remove(&conn) {
                        let code = match reason {
                            CloseReason::LoggedInElsewhere => CLOSE_LOGGED_IN_ELSEWHERE,
                            CloseReason::Shutdown => CLOSE_SHUTDOWN,
                            CloseReason::Kicked => CLOSE_KICKED,
                            CloseReason::Unavailable => CLOSE_UNAVAILABLE,
                            CloseReason::CenterExpired => CLOSE_CENTER_EXPIRED,
                        };
                        entry
                            .connection
                            .close(code.into(), reason.text().as_bytes());
                    }
                }
            }
        }
    }

    /// Runs a customer context lookup (A18) on the blocking pool and answers request `id` on
    /// `conn` directly (the answer needs nothing from the core).
    fn fetch_context(
        &mut self,
        conn: ConnId,
        id: RequestId,
        endpoint: porpoise_protocol::wire::ContextEndpoint,
        query: porpoise_protocol::wire::ContextQuery,
    ) {
        let Some(entry) = self.conns.get(&conn) else {
            return;
        };
        let outbox = entry.outbox.clone();
        let Ok(permit) = self.context_permits.clone().try_acquire_owned() else {
            let result = Err(ApiError::Throttled { retry_after_s: 1 });
            let _ = outbox.try_send(ServerMessage::Response { id, result });
            return;
        };
        let allow_private = self.allow_private_outbound;
        let span = info_span!("context", %conn, session = %query.session_id);
        tokio::spawn(
            async move {
                let job = tokio::task::spawn_blocking(move || {
                    let _permit = permit;
                    fetch_context(&endpoint, &query, allow_private)
                })
                .await;
                let result = match job {
                    Ok(Ok(items)) => Ok(Response::CustomerContext(items)),
                    Ok(Err(e)) => {
                        warn!("customer context lookup failed: {e}");
                        Err(ApiError::ContextUnavailable(e.failure()))
                    }
                    Err(e) => {
                        warn!(error = %e, "context lookup task failed");
                        Err(ApiError::ContextUnavailable(
                            porpoise_protocol::wire::ContextFailure::Unreachable,
                        ))
                    }
                };
                let _ = outbox.send(ServerMessage::Response { id, result }).await;
            }
            .instrument(span),
        );
    }

    /// Answers request `id` on `conn` with the center's common files (A8).
    /// Runs a common-file write off the driver task and answers request `id` on `conn` with
    /// `Done` or the error.
    fn common_file_io<F, Fut>(&mut self, conn: ConnId, id: RequestId, io: F)
    where
        F: FnOnce(std::path::PathBuf) -> Fut + Send + 'static,
        Fut: std::future::Future<Output = Result<(), ApiError>> + Send + 'static,
    {
        let Some(entry) = self.conns.get(&conn) else {
            return;
        };
        let outbox = entry.outbox.clone();
        let data_dir = self.data_dir.clone();
        tokio::spawn(async move {
            let result = io(data_dir).await.map(|()| Response::Done);
            let _ = outbox.send(ServerMessage::Response { id, result }).await;
        });
    }

    fn list_common_files(&mut self, conn: ConnId, id: RequestId, center_id: CenterId) {
        let Some(entry) = self.conns.get(&conn) else {
            return;
        };
        let outbox = entry.outbox.clone();
        let data_dir = self.data_dir.clone();
        tokio::spawn(async move {
            let files = crate::common_files::list_common_files(&data_dir, center_id).await;
            let result = Ok(Response::CommonFiles(files));
            let _ = outbox.send(ServerMessage::Response { id, result }).await;
        });
    }

    /// Offers a common file to the customer on a relay-opened file stream, registered with the
    /// session's file forwards so that stopping file transfer or ending the session cuts it;
    /// the outcome goes to the agent (A8).
    fn send_common_file(
        &mut self,
        agent: ConnId,
        customer: ConnId,
        session_id: SessionId,
        center_id: CenterId,
        name: String,
        max_bytes: u64,
    ) {
        let (Some(peer), Some(agent_entry)) = (self.conns.get(&customer), self.conns.get(&agent))
        else {
            return;
        };
        let peer = peer.connection.clone();
        let outbox = agent_entry.outbox.clone();
        let (cut_tx, cut_rx) = oneshot::channel();
        let cancels = self
            .forwards
            .entry((session_id, MediaKind::File))
            .or_default();
        cancels.retain(|c| !c.is_closed());
        cancels.push(cut_tx);
        let data_dir = self.data_dir.clone();
        let span = info_span!("common_file", session = %session_id, %name);
        tokio::spawn(
            async move {
                let outcome = crate::common_files::offer_common_file(
                    peer,
                    data_dir,
                    center_id,
                    session_id,
                    name.clone(),
                    max_bytes,
                    cut_rx,
                )
                .await;
                let event = porpoise_protocol::wire::Event::CommonFileSent {
                    session_id,
                    name,
                    outcome,
                };
                let _ = outbox.send(ServerMessage::Event(event)).await;
            }
            .instrument(span),
        );
    }

    /// Sends `Refused(reason)` and closes the connection once the frame had time to leave.
    fn refuse(&mut self, conn: ConnId, reason: RefusedReason) {
        let Some(entry) = self.conns.remove(&conn) else {
            return;
        };
        let text = reason.to_string();
        let _ = entry.outbox.try_send(ServerMessage::Refused(reason));
        let connection = entry.connection;
        tokio::spawn(async move {
            tokio::time::sleep(REFUSE_LINGER).await;
            connection.close(CLOSE_REFUSED.into(), text.as_bytes());
        });
    }

    fn send(&mut self, conn: ConnId, msg: ServerMessage) {
        let Some(entry) = self.conns.get(&conn) else {
            return;
        };
        match entry.outbox.try_send(msg) {
            Ok(()) | Err(mpsc::error::TrySendError::Closed(_)) => {}
            Err(mpsc::error::TrySendError::Full(_)) => {
                warn!(%conn, "client does not read its control stream; closing");
                entry
                    .connection
                    .close(CLOSE_TOO_SLOW.into(), b"control stream backlog");
                self.conns.remove(&conn);
            }
        }
    }

    fn persist(&mut self, op: StoreOp) {
        let center = self.lane;
        self.backlog.add(center);
        if let Err(mpsc::error::SendError(Write { op, .. })) = self.store.send(Write { center, op })
        {
            self.backlog.done(center);
            error!("store writer is gone; write dropped");
            if let Some(report) = report_of(&op, &Err(StoreError::DiskFull)) {
                self.core.handle_store_report(now(), report);
            }
        }
    }
}

/// Applies store operations in order; reports chat writes back to the driver.
///
/// Takes what has arrived (at most [`crate::store::batch::MAX_GROUP_WRITES`]) and commits
/// consecutive hot-path writes in one transaction (group commit, one fsync). Read-only queries
/// run as their own tasks after the writes before them committed (at most
/// [`MAX_CONCURRENT_READS`] at once); password changes run as their own tasks too, so argon2
/// never holds up the writes behind them.
pub(super) async fn store_writer(
    store: Store,
    mut ops: mpsc::UnboundedReceiver<Write>,
    persisted: mpsc::UnboundedSender<Persisted>,
    backlog: std::sync::Arc<Backlog>,
) {
    let reads = std::sync::Arc::new(tokio::sync::Semaphore::new(MAX_CONCURRENT_READS));
    let mut arrived = Vec::with_capacity(crate::store::batch::MAX_GROUP_WRITES);
    while ops
        .recv_many(&mut arrived, crate::store::batch::MAX_GROUP_WRITES)
        .await
        > 0
    {
        let mut rest = arrived.drain(..).peekable();
        while let Some(first) = rest.next() {
            if crate::store::batch::batchable(&first.op) {
                let mut group = vec![first];
                while let Some(next) = rest.next_if(|w| crate::store::batch::batchable(&w.op)) {
                    group.push(next);
                }
                commit_group(&store, &group, &persisted).await;
                for write in group {
                    backlog.done(write.center);
                }
                continue;
            }
            let Write { center, op } = first;
            match op {
                StoreOp::Query { token, query } if query.is_read_only() => {
                    let (store, persisted, backlog, reads) = (
                        store.clone(),
                        persisted.clone(),
                        backlog.clone(),
                        reads.clone(),
                    );
                    tokio::spawn(async move {
                        let _permit = reads.acquire_owned().await;
                        let result = store.query(&query).await;
                        let _ = persisted.send(StoreReport::Query { token, result });
                        backlog.done(center);
                    });
                }
                StoreOp::SetPassword {
                    token,
                    center_id,
                    agent_id,
                    old,
                    new,
                } => {
                    let (store, persisted, backlog) =
                        (store.clone(), persisted.clone(), backlog.clone());
                    tokio::spawn(async move {
                        let old = old.as_ref().map(|s| s.0.as_str());
                        let result = match store
                            .set_password(center_id, agent_id, old, &new.0)
                            .await
                        {
                            Ok(inner) => inner,
                            Err(StoreError::Busy) => Err(ApiError::Throttled { retry_after_s: 1 }),
                            Err(err) => {
                                error!("store write failed (set password): {err}");
                                Err(ApiError::Storage)
                            }
                        };
                        let _ = persisted.send(StoreReport::Password { token, result });
                        backlog.done(center);
                    });
                }
                op => {
                    apply_one(&store, &op, &persisted).await;
                    backlog.done(center);
                }
            }
        }
    }
    debug!("store writer stopped");
}

/// Commits a group of [`crate::store::batch::batchable`] writes in one transaction and
/// reports each (after the commit).
async fn commit_group(
    store: &Store,
    group: &[Write],
    persisted: &mpsc::UnboundedSender<Persisted>,
) {
    let ops: Vec<&StoreOp> = group.iter().map(|w| &w.op).collect();
    let results = match store.apply_group(&ops).await {
        Ok(results) => results,
        Err(err) => {
            error!(writes = ops.len(), "store group commit failed: {err}");
            ops.iter().map(|_| Err(StoreError::DiskFull)).collect()
        }
    };
    for (op, result) in ops.into_iter().zip(results) {
        let result = result.map(Ok);
        if let Err(err) = &result {
            error!(op = op_name(op), "store write failed: {err}");
        }
        if let Some(report) = report_of(op, &result) {
            let _ = persisted.send(report);
        }
    }
}

/// Runs one write that is not grouped, in order, and reports it.
async fn apply_one(store: &Store, op: &StoreOp, persisted: &mpsc::UnboundedSender<Persisted>) {
    if let StoreOp::Records { token, op } = op {
        let result = store.apply_records(op).await;
        let _ = persisted.send(StoreReport::Query {
            token: *token,
            result,
        });
        return;
    }
    if let StoreOp::Directory { token, op: change } = op {
        let result = match store.apply_directory(change).await {
            Ok(inner) => inner,
            Err(err) => {
                error!(op = op_name(op), "store write failed: {err}");
                Err(ApiError::Storage)
            }
        };
        let _ = persisted.send(StoreReport::Directory {
            token: *token,
            result,
        });
        return;
    }
    if let StoreOp::Integration { token, op } = op {
        let result = store.apply_integration(op).await;
        let _ = persisted.send(StoreReport::Query {
            token: *token,
            result,
        });
        return;
    }
    if let StoreOp::Query { token, query } = op {
        let result = store.query(query).await;
        let _ = persisted.send(StoreReport::Query {
            token: *token,
            result,
        });
        return;
    }
    let result = store.apply(op).await.map(Ok);
    if let Err(err) = &result {
        error!(op = op_name(op), "store write failed: {err}");
    }
    if let Some(report) = report_of(op, &result) {
        let _ = persisted.send(report);
    }
}

/// The report the core waits for after `op` (None if it waits for none).
fn report_of(
    op: &StoreOp,
    result: &Result<Result<(), ApiError>, StoreError>,
) -> Option<StoreReport> {
    match op {
        StoreOp::InsertChat { token, .. }
        | StoreOp::Conversation(ConversationOp::InsertAgentChat { token, .. }) => {
            Some(StoreReport::Chat {
                token: *token,
                ok: matches!(result, Ok(Ok(()))),
            })
        }
        StoreOp::Query { token, .. }
        | StoreOp::Records { token, .. }
        | StoreOp::Integration { token, .. } => Some(StoreReport::Query {
            token: *token,
            result: Err(ApiError::Storage),
        }),
        StoreOp::SetPassword { token, .. } => Some(StoreReport::Password {
            token: *token,
            result: match result {
                Ok(inner) => inner.clone(),
                Err(_) => Err(ApiError::Storage),
            },
        }),
        _ => None,
    }
}

/// Name of an operation for logs (never its content: chat text stays out of logs).
fn op_name(op: &StoreOp) -> &'static str {
    match op {
        StoreOp::InsertTicket(_) => "insert ticket",
        StoreOp::Audit(_) => "audit log",
        StoreOp::Block(_) => "blocklist",
        StoreOp::SaveBranding { .. } => "save branding",
        StoreOp::Integration { .. } => "integrations",
        StoreOp::Webhook { .. } => "webhook event",
        StoreOp::RecordRejection { .. } => "record rejection",
        StoreOp::CloseTicket { .. } => "close ticket",
        StoreOp::InsertSession { .. } => "insert session",
        StoreOp::EndSession { .. } => "end session",
        StoreOp::InsertChat { .. } => "insert chat",
        StoreOp::Query { .. } => "query",
        StoreOp::Directory { .. } => "account, group or product type",
        StoreOp::Records { .. } => "support record, tags or visitor card",
        StoreOp::SetPassword { .. } => "set password",
        StoreOp::SetAutoAway { .. } => "set auto-away",
        StoreOp::SaveSettings { .. } => "save settings",
        StoreOp::InsertOfflineMessage { .. } => "insert offline message",
        StoreOp::HandleOfflineMessage { .. } => "handle offline message",
        StoreOp::InsertSessionCode(_) => "insert session code",
        StoreOp::UseSessionCode { .. } => "use session code",
        StoreOp::Conversation(ConversationOp::InsertAgentChat { .. }) => "insert agent chat",
        StoreOp::Conversation(ConversationOp::InsertTransfer { .. }) => "insert transfer",
        StoreOp::Conversation(ConversationOp::ResolveTransfer { .. }) => "resolve transfer",
        StoreOp::Conversation(ConversationOp::MoveSession { .. }) => "move session",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_center_over_its_backlog_is_shed_and_others_are_not() {
        let backlog = Backlog::default();
        let (flooder, other) = (CenterId(8_000_001), CenterId(8_000_002));
        for _ in 0..MAX_CENTER_BACKLOG - 1 {
            backlog.add(Some(flooder));
        }
        backlog.add(None);
        assert!(!backlog.over(flooder));
        backlog.add(Some(flooder));
        assert!(backlog.over(flooder));
        assert!(!backlog.over(other), "another center is not shed");
        backlog.done(Some(flooder));
        assert!(!backlog.over(flooder), "a finished write frees the place");
        for _ in 0..MAX_BACKLOG {
            backlog.add(None);
        }
        assert!(backlog.over(other), "relay-wide backlog sheds everyone");
    }

    #[test]
    fn stopping_and_leaving_are_never_shed() {
        use porpoise_protocol::wire::rpc;
        let s = SessionId(1);
        assert!(never_shed(&Request::EndSession(rpc::EndSession {
            session_id: s
        })));
        assert!(never_shed(&Request::LeaveQueue(rpc::LeaveQueue)));
        assert!(!never_shed(&Request::GetChatImage(rpc::GetChatImage {
            session_id: s,
            message_id: porpoise_protocol::wire::MessageId(1),
        })));
    }
}
