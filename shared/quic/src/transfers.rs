//! The network side of file transfer (A6, C5) for both apps: runs each file on its own
//! [`MediaKind::File`] stream with [`crate::files`], asks the user about incoming offers, keeps
//! interrupted outgoing files to resume them after a reconnect, and reports everything as
//! [`FileTransferUpdate`]s for the UI.
//!
//! It lives inside an app's network task: the task hands it incoming file streams
//! ([`FileTransfers::incoming`]), relay events ([`FileTransfers::observe`]), the current connection
//! ([`FileTransfers::set_client`]) and the UI's commands, and polls [`FileTransfers::recv`] in its
//! `select!` loop, forwarding each update to the UI.

use porpoise_protocol::wire::rpc;
use std::{
    collections::{HashMap, HashSet},
    path::PathBuf,
    time::{Duration, Instant},
};

use tokio::sync::{mpsc, oneshot};
use tracing::{debug, info, warn};

use crate::{
    client::{Client, MediaStream},
    files::{
        cancel_pair, check_offer, prepare_outgoing, read_offer, receive_over, refuse, send_over,
        CancelHandle, CancelSignal, FileError, FileTransferId, OutgoingFile, Progress,
        RefuseReason, Side,
    },
};
use porpoise_protocol::wire::{
    ActionState, ApiError, Event, MediaHeader, MediaKind, RemoteAction, SessionId,
};

/// Least time between two progress updates of one transfer.
pub const PROGRESS_INTERVAL: Duration = Duration::from_millis(200);
/// Capacity of the internal update channel; progress updates are dropped when it is full
/// (the next one carries the same totals), final ones wait.
pub const UPDATE_CAPACITY: usize = 256;
/// How long an incoming stream may take to send its offer.
pub const OFFER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Most files in one "Send files" batch.
pub const MAX_FILES_PER_BATCH: usize = 50;

/// Which way a file goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// This app sends it.
    Outgoing,
    /// This app receives it.
    Incoming,
}

/// How a transfer ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Sent and verified by the receiver, saved there under this name.
    Delivered {
        /// Name on the receiver's side.
        saved_as: String,
    },
    /// Received, verified and saved here.
    Saved {
        /// Where.
        path: PathBuf,
    },
    /// Refused before any byte moved (too big, declined, no space, bad name).
    Refused(RefuseReason),
    /// The bytes did not match the SHA-256; nothing was kept.
    Damaged,
    /// Cancelled by this side or the other.
    Cancelled(Side),
    /// The session ended.
    SessionEnded,
    /// Anything else; the text says what (English, from the error).
    Failed(String),
}

/// What the UI hears about transfers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileTransferUpdate {
    /// A transfer appeared: an outgoing file was read, or an offer arrived.
    Added {
        /// Transfer.
        id: FileTransferId,
        /// Session.
        session_id: SessionId,
        /// Way.
        direction: Direction,
        /// Sanitised file name.
        name: String,
        /// Size in bytes.
        size: u64,
        /// True for an incoming offer that waits for the user's Accept/Decline.
        needs_answer: bool,
    },
    /// Bytes moved.
    Progress {
        /// Transfer.
        id: FileTransferId,
        /// Bytes done.
        done: u64,
        /// Bytes in all.
        total: u64,
        /// Bytes per second over the last few seconds, once known.
        speed_bps: Option<u64>,
        /// Time left in ms, once known.
        eta_ms: Option<u64>,
    },
    /// The stream broke; an outgoing file resumes after a reconnect (or Resume), an incoming
    /// one when the sender offers it again.
    Interrupted {
        /// Transfer.
        id: FileTransferId,
        /// What broke.
        error: String,
    },
    /// It ended.
    Finished {
        /// Transfer.
        id: FileTransferId,
        /// How.
        outcome: Outcome,
    },
    /// A file could not even be read or offered (missing, too big, unusable name).
    NotSent {
        /// Session.
        session_id: SessionId,
        /// The path's file name as given.
        name: String,
        /// Why (refusal reason when it is over the size limit).
        outcome: Outcome,
    },
}

/// How an app uses transfers.
#[derive(Debug, Clone)]
pub struct FileTransfersConfig {
    /// Where received files go.
    pub download_dir: PathBuf,
    /// Accept incoming offers without asking within the center's limits (the agent console:
    /// up to `FileSizeLimit::auto_accept_bytes` each and `auto_accept_files` per session, set
    /// by the admin; larger or later files are asked about); the helper always asks.
    pub auto_accept: bool,
    /// Outgoing files need the customer's `FileTransfer` grant (the agent): after a
    /// reconnect the grant is asked again and interrupted files resume when it comes.
    pub needs_grant: bool,
}

enum Internal {
    Update(FileTransferUpdate),
    /// The end of one incoming stream (`instance` of its [`Internal::Register`]); ignored when a
    /// newer stream of the same transfer (a resume) registered meanwhile, so that the old
    /// stream's late "interrupted" cannot drop the resumed one.
    IncomingEnded {
        id: FileTransferId,
        instance: u64,
        update: FileTransferUpdate,
    },
    Register {
        /// Incoming streams: a number unique to this stream (0 for outgoing transfers).
        instance: u64,
        id: FileTransferId,
        session_id: SessionId,
        cancel: CancelHandle,
        file: Option<OutgoingFile>,
        answer: Option<oneshot::Sender<bool>>,
        /// The connection generation the transfer runs on.
        generation: u64,
    },
}

struct Job {
    session_id: SessionId,
    cancel: CancelHandle,
    /// Outgoing: the file to resume.
    file: Option<OutgoingFile>,
    /// Incoming offer waiting for the user.
    answer: Option<oneshot::Sender<bool>>,
    interrupted: bool,
    /// The connection generation it last ran on (see [`FileTransfers::set_client`]).
    generation: u64,
    /// Incoming: the stream that registered it last.
    instance: u64,
}

/// Numbers incoming streams (see [`Internal::IncomingEnded`]).
static NEXT_INCOMING: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

/// All transfers of one app (see the module docs).
pub struct FileTransfers {
    config: FileTransfersConfig,
    client: Option<Client>,
    tx: mpsc::Sender<Internal>,
    rx: mpsc::Receiver<Internal>,
    jobs: HashMap<FileTransferId, Job>,
    /// Incoming transfers the user accepted in this run: a resumed offer is not asked again.
    accepted: HashSet<FileTransferId>,
    /// Files accepted without asking, per session (the center's `auto_accept_files`).
    auto_accepted: std::sync::Arc<std::sync::Mutex<HashMap<SessionId, u32>>>,
    /// Incremented by each new connection; an interruption reported from an older one is
    /// resumed at once on the current one.
    generation: u64,
}

impl std::fmt::Debug for FileTransfers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileTransfers")
            .field("jobs", &self.jobs.len())
            .finish_non_exhaustive()
    }
}

impl FileTransfers {
    /// No transfers yet, not connected.
    pub fn new(config: FileTransfersConfig) -> Self {
        let (tx, rx) = mpsc::channel(UPDATE_CAPACITY);
        FileTransfers {
            config,
            client: None,
            tx,
            rx,
            jobs: HashMap::new(),
            accepted: HashSet::new(),
            auto_accepted: Default::default(),
            generation: 0,
        }
    }

    /// The connection changed (`None` when lost). On a new connection interrupted outgoing
    /// files resume at once, or — when a grant is needed — after asking for it again.
    pub fn set_client(&mut self, client: Option<Client>) {
        self.client = client;
        if self.client.is_none() {
            return;
        }
        self.generation += 1;
        let sessions: HashSet<SessionId> = self
            .jobs
            .values()
            .filter(|j| j.interrupted && j.file.is_some())
            .map(|j| j.session_id)
            .collect();
        for session_id in sessions {
            if self.config.needs_grant {
                self.ask_grant(session_id);
            } else {
                self.resume(session_id);
            }
        }
    }

    fn ask_grant(&self, session_id: SessionId) {
        let Some(client) = self.client.clone() else {
            return;
        };
        tokio::spawn(async move {
            let action = RemoteAction::FileTransfer;
            let result = client.call(rpc::RequestAction { session_id, action }).await;
            if let Err(e) = result {
                debug!(%session_id, error = %e, "asking file transfer consent again failed");
            }
        });
    }

    /// Reacts to relay events: a `FileTransfer` grant resumes interrupted files of that
    /// session; the end of a session ends its transfers.
    pub fn observe(&mut self, event: &Event) {
        match event {
            Event::ActionChanged {
                session_id,
                action: RemoteAction::FileTransfer,
                state: ActionState::Granted,
                ..
            } => self.resume(*session_id),
            Event::SessionEnded { session_id, .. } => self.session_ended(*session_id),
            _ => {}
        }
    }

    /// Starts sending `paths` to the other side of `session_id`, each file on its own stream.
    /// Files over the center's limit, unreadable ones and those past [`MAX_FILES_PER_BATCH`]
    /// are reported as [`FileTransferUpdate::NotSent`].
    pub fn send(&mut self, session_id: SessionId, paths: Vec<PathBuf>) {
        let Some(client) = self.client.clone() else {
            for path in paths {
                self.not_sent(session_id, &path, Outcome::Failed("not connected".into()));
            }
            return;
        };
        let tx = self.tx.clone();
        let generation = self.generation;
        tokio::spawn(async move {
            let max = match client.call(rpc::FileTransferLimit { session_id }).await {
                Ok(rpc::FileSizeLimit { max_bytes, .. }) => max_bytes,
                Err(e) => return fail_all(&tx, session_id, &paths, &e.to_string()).await,
            };
            for (i, path) in paths.into_iter().enumerate() {
                if i >= MAX_FILES_PER_BATCH {
                    let text = format!("at most {MAX_FILES_PER_BATCH} files at once");
                    not_sent(&tx, session_id, &path, Outcome::Failed(text)).await;
                    continue;
                }
                let file = match prepare_outgoing(path.clone(), max).await {
                    Ok(f) => f,
                    Err(FileError::TooBig { size, max }) => {
                        let outcome = Outcome::Refused(RefuseReason::TooBig { size, max });
                        not_sent(&tx, session_id, &path, outcome).await;
                        continue;
                    }
                    Err(e) => {
                        not_sent(&tx, session_id, &path, Outcome::Failed(e.to_string())).await;
                        continue;
                    }
                };
                let (cancel, signal) = cancel_pair();
                let id = file.offer.transfer_id;
                let added = FileTransferUpdate::Added {
                    id,
                    session_id,
                    direction: Direction::Outgoing,
                    name: file.offer.name.clone(),
                    size: file.offer.size,
                    needs_answer: false,
                };
                let register = Internal::Register {
                    instance: 0,
                    id,
                    session_id,
                    cancel,
                    file: Some(file.clone()),
                    answer: None,
                    generation,
                };
                if tx.send(register).await.is_err()
                    || tx.send(Internal::Update(added)).await.is_err()
                {
                    return;
                }
                tokio::spawn(run_outgoing(
                    client.clone(),
                    session_id,
                    file,
                    signal,
                    tx.clone(),
                ));
            }
        });
    }

    fn not_sent(&self, session_id: SessionId, path: &std::path::Path, outcome: Outcome) {
        let update = FileTransferUpdate::NotSent {
            session_id,
            name: display_name(path),
            outcome,
        };
        let _ = self.tx.try_send(Internal::Update(update));
    }

    /// Sends the interrupted outgoing files of `session_id` again (the receiver resumes from
    /// its part file). Does nothing while disconnected.
    pub fn resume(&mut self, session_id: SessionId) {
        let Some(client) = self.client.clone() else {
            return;
        };
        for job in self.jobs.values_mut() {
            if job.session_id != session_id || !job.interrupted {
                continue;
            }
            let Some(file) = job.file.clone() else {
                continue;
            };
            let (cancel, signal) = cancel_pair();
            job.cancel = cancel;
            job.interrupted = false;
            job.generation = self.generation;
            info!(%session_id, name = %file.offer.name, "resuming file transfer");
            tokio::spawn(run_outgoing(
                client.clone(),
                session_id,
                file,
                signal,
                self.tx.clone(),
            ));
        }
    }

    /// Handles a file stream opened by the other side.
    pub fn incoming(&mut self, stream: MediaStream) {
        if stream.header.kind != MediaKind::File {
            return;
        }
        let Some(client) = self.client.clone() else {
            return;
        };
        let dir = self.config.download_dir.clone();
        let auto = self.config.auto_accept;
        let accepted = self.accepted.clone();
        let auto = auto.then(|| self.auto_accepted.clone());
        tokio::spawn(run_incoming(
            client,
            stream,
            dir,
            auto,
            accepted,
            self.tx.clone(),
        ));
    }

    /// The user's answer to an incoming offer.
    pub fn answer(&mut self, id: FileTransferId, accept: bool) {
        let Some(job) = self.jobs.get_mut(&id) else {
            return;
        };
        if let Some(tx) = job.answer.take() {
            if accept {
                self.accepted.insert(id);
            }
            let _ = tx.send(accept);
        }
    }

    /// Cancels a transfer: a running one tells the other side, an interrupted one is dropped.
    pub fn cancel(&mut self, id: FileTransferId) {
        let Some(job) = self.jobs.get_mut(&id) else {
            return;
        };
        if let Some(tx) = job.answer.take() {
            let _ = tx.send(false);
            return;
        }
        if job.interrupted {
            self.jobs.remove(&id);
            let outcome = Outcome::Cancelled(Side::Local);
            let _ = self
                .tx
                .try_send(Internal::Update(FileTransferUpdate::Finished {
                    id,
                    outcome,
                }));
        } else {
            job.cancel.cancel();
        }
    }

    /// Ends every transfer of `session_id`.
    pub fn session_ended(&mut self, session_id: SessionId) {
        let ids: Vec<FileTransferId> = self
            .jobs
            .iter()
            .filter(|(_, j)| j.session_id == session_id)
            .map(|(id, _)| *id)
            .collect();
        for id in ids {
            if let Some(job) = self.jobs.remove(&id) {
                job.cancel.cancel();
                let outcome = Outcome::SessionEnded;
                let _ = self
                    .tx
                    .try_send(Internal::Update(FileTransferUpdate::Finished {
                        id,
                        outcome,
                    }));
            }
        }
    }

    /// The next update for the UI (cancel-safe: use it in `select!`).
    pub async fn recv(&mut self) -> FileTransferUpdate {
        loop {
            // `self.tx` keeps the channel open, so `recv` never returns `None`.
            let Some(internal) = self.rx.recv().await else {
                std::future::pending::<()>().await;
                continue;
            };
            let internal = match internal {
                Internal::IncomingEnded {
                    id,
                    instance,
                    update,
                } => {
                    if self.jobs.get(&id).is_some_and(|j| j.instance != instance) {
                        continue;
                    }
                    Internal::Update(update)
                }
                other => other,
            };
            match internal {
                Internal::IncomingEnded { .. } => continue,
                Internal::Register {
                    instance,
                    id,
                    session_id,
                    cancel,
                    file,
                    answer,
                    generation,
                } => {
                    self.jobs.insert(
                        id,
                        Job {
                            session_id,
                            cancel,
                            file,
                            answer,
                            interrupted: false,
                            generation,
                            instance,
                        },
                    );
                }
                Internal::Update(update) => {
                    match &update {
                        // Already ended (session end, cancel while interrupted).
                        FileTransferUpdate::Finished { id, .. }
                            if self.jobs.remove(id).is_none() =>
                        {
                            continue
                        }
                        FileTransferUpdate::Interrupted { id, .. } => match self.jobs.get_mut(id) {
                            Some(job) if job.file.is_some() => {
                                job.interrupted = true;
                                if job.generation < self.generation && self.client.is_some() {
                                    // It broke with the old connection, reported after the new
                                    // one came up: resume now rather than wait for another.
                                    let session_id = job.session_id;
                                    self.resume(session_id);
                                    if self.config.needs_grant {
                                        self.ask_grant(session_id);
                                    }
                                }
                            }
                            // An incoming one waits for the sender's new offer.
                            Some(_) => {
                                self.jobs.remove(id);
                            }
                            None => continue,
                        },
                        _ => {}
                    }
                    return update;
                }
            }
        }
    }
}

fn display_name(path: &std::path::Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

async fn not_sent(
    tx: &mpsc::Sender<Internal>,
    session_id: SessionId,
    path: &std::path::Path,
    outcome: Outcome,
) {
    let update = FileTransferUpdate::NotSent {
        session_id,
        name: display_name(path),
        outcome,
    };
    let _ = tx.send(Internal::Update(update)).await;
}

async fn fail_all(
    tx: &mpsc::Sender<Internal>,
    session_id: SessionId,
    paths: &[PathBuf],
    error: &str,
) {
    for path in paths {
        not_sent(tx, session_id, path, Outcome::Failed(error.to_string())).await;
    }
}

/// Progress reporting of one transfer, at most every [`PROGRESS_INTERVAL`].
struct Reporter {
    id: FileTransferId,
    progress: Option<Progress>,
    start: Instant,
    last: Option<Instant>,
    total: u64,
    tx: mpsc::Sender<Internal>,
}

impl Reporter {
    fn new(id: FileTransferId, total: u64, tx: mpsc::Sender<Internal>) -> Self {
        Reporter {
            id,
            progress: None,
            start: Instant::now(),
            last: None,
            total,
            tx,
        }
    }

    fn report(&mut self, done: u64) {
        let now = Instant::now();
        let ms = u64::try_from(now.duration_since(self.start).as_millis()).unwrap_or(u64::MAX);
        let progress = self
            .progress
            .get_or_insert_with(|| Progress::new(self.total, done, ms));
        progress.update(ms, done);
        let due = self
            .last
            .is_none_or(|at| now.duration_since(at) >= PROGRESS_INTERVAL);
        if !due && done < self.total {
            return;
        }
        self.last = Some(now);
        let update = FileTransferUpdate::Progress {
            id: self.id,
            done: progress.done(),
            total: self.total,
            speed_bps: progress.speed_bps(),
            eta_ms: progress.eta_ms(),
        };
        // A dropped progress update is replaced by the next one.
        let _ = self.tx.try_send(Internal::Update(update));
    }
}

fn ended(id: FileTransferId, result: Result<Outcome, FileError>) -> FileTransferUpdate {
    match result {
        Ok(outcome) => FileTransferUpdate::Finished { id, outcome },
        Err(e) if e.is_resumable() => FileTransferUpdate::Interrupted {
            id,
            error: e.to_string(),
        },
        Err(e) => FileTransferUpdate::Finished {
            id,
            outcome: outcome_of(e),
        },
    }
}

fn outcome_of(e: FileError) -> Outcome {
    match e {
        FileError::Refused(reason) => Outcome::Refused(reason),
        FileError::TooBig { size, max } => Outcome::Refused(RefuseReason::TooBig { size, max }),
        FileError::ShaMismatch | FileError::Failed(crate::files::FailReason::ShaMismatch) => {
            Outcome::Damaged
        }
        FileError::Cancelled(side) => Outcome::Cancelled(side),
        other => Outcome::Failed(other.to_string()),
    }
}

async fn run_outgoing(
    client: Client,
    session_id: SessionId,
    file: OutgoingFile,
    cancel: CancelSignal,
    tx: mpsc::Sender<Internal>,
) {
    let id = file.offer.transfer_id;
    let mut reporter = Reporter::new(id, file.offer.size, tx.clone());
    let header = MediaHeader {
        session_id,
        kind: MediaKind::File,
    };
    let result = match client.open_media(header).await {
        Ok(MediaStream { send, recv, .. }) => {
            send_over(send, recv, &file, cancel, |done| reporter.report(done)).await
        }
        Err(e) => Err(FileError::Interrupted(e.to_string())),
    };
    if let Err(e) = &result {
        warn!(%session_id, name = %file.offer.name, error = %e, "file not delivered");
    }
    let result = result.map(|d| Outcome::Delivered {
        saved_as: d.saved_as,
    });
    let _ = tx.send(Internal::Update(ended(id, result))).await;
}

/// True if an offer of `size` bytes may be accepted without asking: within the center's size
/// and per-session count (the count is taken).
fn take_auto_accept(
    counts: &std::sync::Mutex<HashMap<SessionId, u32>>,
    session_id: SessionId,
    size: u64,
    limit: &rpc::FileSizeLimit,
) -> bool {
    if size > limit.auto_accept_bytes {
        return false;
    }
    let Ok(mut counts) = counts.lock() else {
        return false;
    };
    let taken = counts.entry(session_id).or_default();
    if *taken >= limit.auto_accept_files {
        return false;
    }
    *taken += 1;
    true
}

async fn run_incoming(
    client: Client,
    stream: MediaStream,
    dir: PathBuf,
    auto_accept: Option<std::sync::Arc<std::sync::Mutex<HashMap<SessionId, u32>>>>,
    accepted: HashSet<FileTransferId>,
    tx: mpsc::Sender<Internal>,
) {
    let MediaStream {
        header,
        mut send,
        mut recv,
    } = stream;
    let session_id = header.session_id;
    let offer = match tokio::time::timeout(OFFER_READ_TIMEOUT, read_offer(&mut recv)).await {
        Ok(Ok(offer)) => offer,
        Ok(Err(FileError::Name(e))) => {
            warn!(%session_id, error = %e, "incoming file with an unusable name; refused");
            let _ = refuse(&mut send, RefuseReason::BadName).await;
            let _ = send.finish();
            return;
        }
        Ok(Err(e)) => {
            warn!(%session_id, error = %e, "incoming file stream without a valid offer");
            let _ = send.reset(0u32.into());
            return;
        }
        Err(_) => {
            warn!(%session_id, "incoming file stream sent no offer in time");
            let _ = send.reset(0u32.into());
            return;
        }
    };
    let id = offer.transfer_id;
    let limit = match client.call(rpc::FileTransferLimit { session_id }).await {
        Ok(limit) => limit,
        Err(ApiError::UnknownSession) => {
            let _ = send.reset(0u32.into());
            return;
        }
        Err(e) => {
            debug!(error = %e, "no file limit from the relay; the stream is dropped");
            let _ = send.reset(0u32.into());
            return;
        }
    };
    let max = limit.max_bytes;
    let needs_answer = !accepted.contains(&id)
        && !auto_accept
            .is_some_and(|counts| take_auto_accept(&counts, session_id, offer.size, &limit));
    let (cancel, signal) = cancel_pair();
    let (answer_tx, answer_rx) = oneshot::channel();
    let instance = NEXT_INCOMING.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let register = Internal::Register {
        instance,
        id,
        session_id,
        cancel,
        file: None,
        answer: needs_answer.then_some(answer_tx),
        generation: 0,
    };
    let added = FileTransferUpdate::Added {
        id,
        session_id,
        direction: Direction::Incoming,
        name: offer.name.clone(),
        size: offer.size,
        needs_answer,
    };
    if tx.send(register).await.is_err() || tx.send(Internal::Update(added)).await.is_err() {
        return;
    }
    if let Some(reason) = check_offer(&offer, max) {
        let _ = refuse(&mut send, reason.clone()).await;
        let _ = send.finish();
        let finished = FileTransferUpdate::Finished {
            id,
            outcome: Outcome::Refused(reason),
        };
        let _ = tx.send(Internal::Update(finished)).await;
        return;
    }
    if needs_answer {
        // A cancel from the sender meanwhile is read as the first frame after Accept.
        let accept = answer_rx.await.unwrap_or(false);
        if !accept {
            let _ = refuse(&mut send, RefuseReason::Declined).await;
            let _ = send.finish();
            let finished = FileTransferUpdate::Finished {
                id,
                outcome: Outcome::Refused(RefuseReason::Declined),
            };
            let _ = tx.send(Internal::Update(finished)).await;
            return;
        }
    }
    let mut reporter = Reporter::new(id, offer.size, tx.clone());
    let result = receive_over(send, recv, &offer, &dir, signal, |done| {
        reporter.report(done)
    })
    .await;
    match &result {
        Ok(path) => info!(%session_id, path = %path.display(), "file received"),
        Err(e) => warn!(%session_id, name = %offer.name, error = %e, "file not received"),
    }
    let result = result.map(|path| Outcome::Saved { path });
    let update = ended(id, result);
    let _ = tx
        .send(Internal::IncomingEnded {
            id,
            instance,
            update,
        })
        .await;
}

/// Paths typed in a path box, one per line (blank lines and surrounding quotes ignored).
pub fn parse_paths(text: &str) -> Vec<PathBuf> {
    text.lines()
        .map(|l| l.trim().trim_matches(['"', '\'']).trim())
        .filter(|l| !l.is_empty())
        .map(PathBuf::from)
        .collect()
}

/// Most finished rows a [`FileTransferList`] keeps (oldest dropped first).
pub const MAX_FINISHED_ROWS: usize = 100;

/// Where a transfer row stands, for the UI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowState {
    /// An incoming offer waits for this user's Accept/Decline.
    AwaitingAnswer,
    /// Offered or accepted; no byte has moved yet.
    Waiting,
    /// Bytes are moving.
    Running,
    /// The stream broke; see [`FileTransferUpdate::Interrupted`].
    Interrupted(String),
    /// Over.
    Finished(Outcome),
}

/// One transfer as the UI shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileTransferRow {
    /// Transfer (random for rows of files that were never offered).
    pub id: FileTransferId,
    /// Session.
    pub session_id: SessionId,
    /// Way.
    pub direction: Direction,
    /// File name.
    pub name: String,
    /// Size, bytes.
    pub size: u64,
    /// Bytes done.
    pub done: u64,
    /// Bytes per second, once known.
    pub speed_bps: Option<u64>,
    /// Time left in ms, once known.
    pub eta_ms: Option<u64>,
    /// Where it stands.
    pub state: RowState,
}

impl FileTransferRow {
    /// Done as 0.0..=1.0.
    pub fn fraction(&self) -> f32 {
        if self.size == 0 {
            1.0
        } else {
            (self.done as f64 / self.size as f64).clamp(0.0, 1.0) as f32
        }
    }

    /// True while it can still be cancelled.
    pub fn is_active(&self) -> bool {
        !matches!(self.state, RowState::Finished(_))
    }
}

/// The transfers shown in an app, kept from [`FileTransferUpdate`]s (UI-side, no I/O).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileTransferList {
    rows: Vec<FileTransferRow>,
}

impl FileTransferList {
    /// Applies one update from the network side.
    pub fn apply(&mut self, update: FileTransferUpdate) {
        match update {
            FileTransferUpdate::Added {
                id,
                session_id,
                direction,
                name,
                size,
                needs_answer,
            } => {
                let state = if needs_answer {
                    RowState::AwaitingAnswer
                } else {
                    RowState::Waiting
                };
                match self.rows.iter_mut().find(|r| r.id == id) {
                    // A resumed offer reuses its row.
                    Some(row) => row.state = state,
                    None => self.rows.push(FileTransferRow {
                        id,
                        session_id,
                        direction,
                        name,
                        size,
                        done: 0,
                        speed_bps: None,
                        eta_ms: None,
                        state,
                    }),
                }
            }
            FileTransferUpdate::Progress {
                id,
                done,
                total,
                speed_bps,
                eta_ms,
            } => {
                if let Some(row) = self.row_mut(id) {
                    if row.is_active() {
                        row.done = done;
                        row.size = total;
                        row.speed_bps = speed_bps;
                        row.eta_ms = eta_ms;
                        row.state = RowState::Running;
                    }
                }
            }
            FileTransferUpdate::Interrupted { id, error } => {
                if let Some(row) = self.row_mut(id) {
                    row.state = RowState::Interrupted(error);
                    row.speed_bps = None;
                    row.eta_ms = None;
                }
            }
            FileTransferUpdate::Finished { id, outcome } => {
                if let Some(row) = self.row_mut(id) {
                    if matches!(outcome, Outcome::Delivered { .. } | Outcome::Saved { .. }) {
                        row.done = row.size;
                    }
                    row.state = RowState::Finished(outcome);
                    row.speed_bps = None;
                    row.eta_ms = None;
                }
            }
            FileTransferUpdate::NotSent {
                session_id,
                name,
                outcome,
            } => self.rows.push(FileTransferRow {
                id: FileTransferId(rand::random()),
                session_id,
                direction: Direction::Outgoing,
                name,
                size: 0,
                done: 0,
                speed_bps: None,
                eta_ms: None,
                state: RowState::Finished(outcome),
            }),
        }
        self.trim();
    }

    fn row_mut(&mut self, id: FileTransferId) -> Option<&mut FileTransferRow> {
        self.rows.iter_mut().find(|r| r.id == id)
    }

    fn trim(&mut self) {
        let finished = self.rows.iter().filter(|r| !r.is_active()).count();
        let mut extra = finished.saturating_sub(MAX_FINISHED_ROWS);
        self.rows.retain(|r| {
            if extra > 0 && !r.is_active() {
                extra -= 1;
                false
            } else {
                true
            }
        });
    }

    /// The user answered an offer: it waits for bytes (accepted) or for the refusal's echo.
    pub fn answered(&mut self, id: FileTransferId) {
        if let Some(row) = self.row_mut(id) {
            if row.state == RowState::AwaitingAnswer {
                row.state = RowState::Waiting;
            }
        }
    }

    /// Rows of `session_id`, oldest first.
    pub fn of_session(&self, session_id: SessionId) -> impl Iterator<Item = &FileTransferRow> {
        self.rows.iter().filter(move |r| r.session_id == session_id)
    }

    /// Every row, oldest first.
    pub fn rows(&self) -> &[FileTransferRow] {
        &self.rows
    }

    /// Removes the finished rows of `session_id` (the "Clear" button).
    pub fn clear_finished(&mut self, session_id: SessionId) {
        self.rows
            .retain(|r| r.session_id != session_id || r.is_active());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn added(id: FileTransferId, needs_answer: bool) -> FileTransferUpdate {
        FileTransferUpdate::Added {
            id,
            session_id: SessionId(7),
            direction: Direction::Incoming,
            name: "a.txt".into(),
            size: 1000,
            needs_answer,
        }
    }

    #[test]
    fn a_row_follows_offer_progress_interruption_resume_and_end() {
        let mut list = FileTransferList::default();
        list.apply(added(FileTransferId(1), true));
        assert_eq!(list.rows()[0].state, RowState::AwaitingAnswer);
        list.answered(FileTransferId(1));
        assert_eq!(list.rows()[0].state, RowState::Waiting);
        list.apply(FileTransferUpdate::Progress {
            id: FileTransferId(1),
            done: 400,
            total: 1000,
            speed_bps: Some(200),
            eta_ms: Some(3000),
        });
        assert_eq!(list.rows()[0].state, RowState::Running);
        assert!((list.rows()[0].fraction() - 0.4).abs() < 1e-6);
        list.apply(FileTransferUpdate::Interrupted {
            id: FileTransferId(1),
            error: "lost".into(),
        });
        assert!(matches!(list.rows()[0].state, RowState::Interrupted(_)));
        // The resumed offer reuses the row and keeps the bytes done.
        list.apply(added(FileTransferId(1), false));
        assert_eq!(list.rows().len(), 1);
        assert_eq!(list.rows()[0].done, 400);
        list.apply(FileTransferUpdate::Finished {
            id: FileTransferId(1),
            outcome: Outcome::Saved {
                path: "/tmp/a.txt".into(),
            },
        });
        assert_eq!(list.rows()[0].done, 1000);
        assert!(!list.rows()[0].is_active());
        // A late progress update does not revive a finished row.
        list.apply(FileTransferUpdate::Progress {
            id: FileTransferId(1),
            done: 500,
            total: 1000,
            speed_bps: None,
            eta_ms: None,
        });
        assert!(!list.rows()[0].is_active());
        list.clear_finished(SessionId(7));
        assert!(list.rows().is_empty());
    }

    #[test]
    fn typed_paths_are_one_per_line_without_quotes() {
        let paths = parse_paths("  /tmp/a.txt \n\n\"/home/me/My File.pdf\"\n'C:\\x.doc'\n");
        assert_eq!(
            paths,
            [
                PathBuf::from("/tmp/a.txt"),
                PathBuf::from("/home/me/My File.pdf"),
                PathBuf::from("C:\\x.doc")
            ]
        );
    }

    #[test]
    fn finished_rows_are_bounded() {
        let mut list = FileTransferList::default();
        list.apply(added(FileTransferId(0), false));
        for id in 1..=(MAX_FINISHED_ROWS as u128 + 5) {
            list.apply(added(FileTransferId(id), false));
            list.apply(FileTransferUpdate::Finished {
                id: FileTransferId(id),
                outcome: Outcome::Cancelled(Side::Local),
            });
        }
        assert_eq!(list.rows().len(), MAX_FINISHED_ROWS + 1);
        assert!(list.rows()[0].is_active(), "running rows are never dropped");
    }
}
