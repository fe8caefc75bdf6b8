//! File transfer (A6, C5): safe file names, the per-file stream protocol, a progress/speed
//! estimator and the async sender and receiver.
//!
//! One [`MediaKind::File`](porpoise_protocol::wire::MediaKind::File) media stream carries one file. The
//! sender writes [`SenderFrame`]s, the receiver answers with [`ReceiverFrame`]s (length-delimited
//! postcard frames, at most [`MAX_FILE_FRAME_BYTES`]):
//!
//! ```text
//! sender                                   receiver
//! Offer{id, name, size, sha256}  ───────▶
//!                                ◀───────  Accept{offset} | Refuse(reason)
//! Chunk(bytes) × n               ───────▶  (appends to "<name>.<id>.part")
//! Done                           ───────▶  verifies SHA-256, renames
//!                                ◀───────  Verified{saved_as} | Failed(reason)
//! Cancel (any time)              ◀──────▶  Cancel (any time)
//! ```
//!
//! Resume: the receiver keeps `<name>.<transfer id>.part` when a stream breaks; a new stream
//! with the same offer (same transfer id) is answered with `Accept{offset}` = the part's length
//! and the sender continues from there. A cancel deletes the part; a SHA-256 mismatch deletes it
//! and fails; a write error (disk full) keeps it.

use std::{
    collections::VecDeque,
    io::{ErrorKind, SeekFrom},
    path::{Path, PathBuf},
};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tokio::{
    io::{AsyncRead, AsyncReadExt, AsyncSeekExt, AsyncWrite, AsyncWriteExt},
    sync::watch,
};

use crate::frame_io::{read_frame, write_frame};
use porpoise_protocol::framing::FrameError;

/// Largest file payload in one [`SenderFrame::Chunk`], in bytes (64 KiB).
pub const MAX_CHUNK_BYTES: usize = 64 * 1024;
/// Largest frame on a file stream, in bytes: a full chunk plus postcard overhead; offers and
/// answers are far smaller.
pub const MAX_FILE_FRAME_BYTES: usize = MAX_CHUNK_BYTES + 1024;
/// Longest sanitised file name, in bytes of UTF-8 (common file systems allow 255; the part
/// suffix needs room).
pub const MAX_FILE_NAME_BYTES: usize = 200;
/// Highest " (n)" tried to avoid overwriting an existing file.
pub const MAX_DUPLICATE_NUMBER: u32 = 9_999;
/// Suffix of a partially received file: `<name>.<transfer id, 32 hex>.part`.
pub const PART_SUFFIX: &str = ".part";
/// Window over which [`Progress::speed_bps`] averages, in ms.
pub const SPEED_WINDOW_MS: u64 = 3_000;
/// Shortest span of samples before [`Progress`] reports a speed, in ms.
pub const MIN_SPEED_SPAN_MS: u64 = 250;
/// Most samples [`Progress`] keeps (one per chunk would be plenty; this bounds memory).
pub const MAX_PROGRESS_SAMPLES: usize = 256;
/// Bytes read at once when hashing a file, in bytes.
const HASH_BUFFER_BYTES: usize = 256 * 1024;

porpoise_protocol::id_type! {
    /// Random id of one file transfer, kept across resumes (not `wire::TransferId`: a session
    /// transfer).
    FileTransferId(u128);
}

/// What the sender proposes: one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileOffer {
    /// Random id; the same id on a later stream resumes the transfer.
    pub transfer_id: FileTransferId,
    /// File name only (no directories), already [`sanitize_name`]d by the sender; the receiver
    /// sanitises it again.
    pub name: String,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256 of the whole file.
    pub sha256: [u8; 32],
}

/// Frames from the sender of a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SenderFrame {
    /// First frame: the file.
    Offer(FileOffer),
    /// Next bytes, at most [`MAX_CHUNK_BYTES`].
    Chunk(Vec<u8>),
    /// All bytes were sent.
    Done,
    /// The sender's user cancelled.
    Cancel,
}

/// Frames from the receiver of a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReceiverFrame {
    /// Send from byte `offset` (0, or the length of the part file when resuming).
    Accept {
        /// Bytes already received.
        offset: u64,
    },
    /// The file is not wanted.
    Refuse(RefuseReason),
    /// The file arrived whole (SHA-256 checked) and is saved under this name.
    Verified {
        /// Final file name (may carry " (1)" if the name was taken).
        saved_as: String,
    },
    /// The file could not be saved.
    Failed(FailReason),
    /// The receiver's user cancelled.
    Cancel,
}

/// Why a receiver refuses an offer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum RefuseReason {
    /// Larger than the center's limit.
    #[error("the file is {size} bytes, more than the limit of {max} bytes")]
    TooBig {
        /// Offered size, bytes.
        size: u64,
        /// Limit, bytes.
        max: u64,
    },
    /// The receiver's user declined it.
    #[error("the receiver declined the file")]
    Declined,
    /// No room on the receiver's disk.
    #[error("the receiver's disk is full")]
    NoSpace,
    /// The name is unusable even after sanitising.
    #[error("the file name is not usable")]
    BadName,
}

/// Why a receiver could not save a file it accepted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum FailReason {
    /// The bytes received do not hash to the offered SHA-256; the part file was deleted.
    #[error("the file arrived damaged (SHA-256 mismatch) and was deleted")]
    ShaMismatch,
    /// The receiver's disk is full; the part file is kept for a resume.
    #[error("the receiver's disk is full")]
    DiskFull,
    /// Writing failed; the text says why.
    #[error("the receiver could not write the file: {0}")]
    Write(String),
}

/// Which end stopped a transfer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// This app's user.
    Local,
    /// The other end's user.
    Remote,
}

/// Why a transfer ended without the file delivered.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// The file name is empty or unusable.
    #[error(transparent)]
    Name(#[from] NameError),
    /// The file is larger than the limit, in bytes.
    #[error("the file is {size} bytes, more than the limit of {max} bytes")]
    TooBig {
        /// Size, bytes.
        size: u64,
        /// Limit, bytes.
        max: u64,
    },
    /// The local file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// File.
        path: PathBuf,
        /// Cause.
        source: std::io::Error,
    },
    /// The received file could not be written; the part file is kept.
    #[error("cannot write {path}: {source}")]
    Write {
        /// File.
        path: PathBuf,
        /// Cause.
        source: std::io::Error,
    },
    /// The disk is full; the part file is kept and the transfer can resume.
    #[error("the disk is full; the partial file is kept")]
    DiskFull,
    /// The receiver refused the offer.
    #[error("refused: {0}")]
    Refused(RefuseReason),
    /// The receiver could not save the file.
    #[error("{0}")]
    Failed(FailReason),
    /// The received bytes do not match the offered SHA-256; the part file was deleted.
    #[error("the file arrived damaged (SHA-256 mismatch) and was deleted")]
    ShaMismatch,
    /// A user cancelled.
    #[error("cancelled")]
    Cancelled(Side),
    /// The other end broke the protocol.
    #[error("protocol error: {0}")]
    Protocol(String),
    /// The stream broke (connection lost, relay cut it); the transfer can resume.
    #[error("the connection was interrupted: {0}")]
    Interrupted(String),
}

impl FileError {
    /// True if sending the same offer again later may finish the transfer (connection lost,
    /// disk full on the receiver).
    pub fn is_resumable(&self) -> bool {
        matches!(
            self,
            FileError::Interrupted(_)
                | FileError::DiskFull
                | FileError::Failed(FailReason::DiskFull)
                | FileError::Refused(RefuseReason::NoSpace)
        )
    }
}

impl From<FrameError> for FileError {
    fn from(e: FrameError) -> Self {
        match e {
            FrameError::Io(e) => FileError::Interrupted(e.to_string()),
            FrameError::Truncated => FileError::Interrupted("stream ended inside a frame".into()),
            other => FileError::Protocol(other.to_string()),
        }
    }
}

/// Why a file name cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    /// Nothing is left of the name after removing directories and forbidden characters.
    #[error("the file name {0:?} is empty after removing directories and forbidden characters")]
    Empty(String),
    /// Every name up to " ([`MAX_DUPLICATE_NUMBER`])" is taken.
    #[error("too many files named {0:?} already")]
    TooManyDuplicates(String),
}

pub use porpoise_protocol::lang::is_deceptive;

/// Characters Windows forbids in file names (besides control characters).
const FORBIDDEN_CHARS: &[char] = &['<', '>', ':', '"', '/', '\\', '|', '?', '*'];
/// Names Windows reserves whatever the extension (case-insensitive).
const RESERVED_NAMES: &[&str] = &[
    "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8",
    "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
];

/// Makes a file name safe to create in a download folder on Linux and Windows: keeps only the
/// last path component (both `/` and `\` separate), drops control, bidirectional /
/// zero-width ([`is_deceptive`]) and Windows-forbidden characters, leading dots (no hidden files, no `..`) and trailing dots and spaces, prefixes
/// Windows reserved names (`CON`, `NUL.txt`…) with `_`, and cuts the name to
/// [`MAX_FILE_NAME_BYTES`] keeping the extension.
///
/// Errors: [`NameError::Empty`] if nothing usable is left (e.g. `".."`, `"/"`).
pub fn sanitize_name(raw: &str) -> Result<String, NameError> {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control() && !is_deceptive(*c) && !FORBIDDEN_CHARS.contains(c))
        .collect();
    let trimmed = cleaned
        .trim_start_matches(|c: char| c == '.' || c.is_whitespace())
        .trim_end_matches(|c: char| c == '.' || c.is_whitespace());
    if trimmed.is_empty() {
        return Err(NameError::Empty(raw.chars().take(64).collect()));
    }
    // Shorten first: cutting can trim the spaces that kept a long name from reading as a
    // reserved one ("CON" + spaces + "x" → "CON"; found by the file_frame fuzz target).
    let name = if trimmed.len() > MAX_FILE_NAME_BYTES - 1 {
        shorten(trimmed, MAX_FILE_NAME_BYTES - 1)
    } else {
        trimmed.to_string()
    };
    let stem_upper = name
        .split('.')
        .next()
        .unwrap_or("")
        .trim_end()
        .to_ascii_uppercase();
    if RESERVED_NAMES.contains(&stem_upper.as_str()) {
        return Ok(format!("_{name}"));
    }
    Ok(name)
}

/// Cuts `name` to at most `max` bytes on a character boundary, keeping a short extension.
fn shorten(name: &str, max: usize) -> String {
    let (stem, ext) = split_ext(name);
    let ext = if ext.len() <= max / 4 { ext } else { "" };
    let mut cut = max - ext.len();
    while !stem.is_char_boundary(cut.min(stem.len())) {
        cut -= 1;
    }
    let stem = &stem[..cut.min(stem.len())];
    format!("{}{ext}", stem.trim_end_matches(['.', ' ']))
}

/// `("report", ".pdf")` for `"report.pdf"`; `("archive.tar", ".gz")`; `("README", "")`.
fn split_ext(name: &str) -> (&str, &str) {
    match name.rfind('.') {
        Some(i) if i > 0 => (&name[..i], &name[i..]),
        _ => (name, ""),
    }
}

/// The first of `name`, `stem (1).ext`, `stem (2).ext`… that does not exist in `dir`.
///
/// Errors: [`NameError::TooManyDuplicates`] past [`MAX_DUPLICATE_NUMBER`].
pub fn unique_path(dir: &Path, name: &str) -> Result<PathBuf, NameError> {
    let first = dir.join(name);
    if !first.exists() {
        return Ok(first);
    }
    let (stem, ext) = split_ext(name);
    (1..=MAX_DUPLICATE_NUMBER)
        .map(|n| dir.join(format!("{stem} ({n}){ext}")))
        .find(|p| !p.exists())
        .ok_or_else(|| NameError::TooManyDuplicates(name.to_string()))
}

/// Where the bytes of `offer` collect until verified: `<dir>/<name>.<id, 32 hex>.part`.
pub fn part_path(dir: &Path, name: &str, transfer_id: FileTransferId) -> PathBuf {
    dir.join(format!("{name}.{transfer_id:032x}{PART_SUFFIX}"))
}

/// Bytes done, speed over a sliding window and time left of one transfer (sans-IO: time is
/// passed in as ms on any monotonic clock).
#[derive(Debug, Clone)]
pub struct Progress {
    total: u64,
    done: u64,
    samples: VecDeque<(u64, u64)>,
}

impl Progress {
    /// A transfer of `total` bytes with `done` already there (a resume), at `now_ms`.
    pub fn new(total: u64, done: u64, now_ms: u64) -> Self {
        let mut samples = VecDeque::new();
        samples.push_back((now_ms, done));
        Progress {
            total,
            done: done.min(total),
            samples,
        }
    }

    /// Records `done` bytes at `now_ms`. Samples older than [`SPEED_WINDOW_MS`] are dropped,
    /// keeping one just outside the window as its start.
    pub fn update(&mut self, now_ms: u64, done: u64) {
        self.done = done.min(self.total);
        self.samples.push_back((now_ms, self.done));
        while self.samples.len() > 2
            && self
                .samples
                .get(1)
                .is_some_and(|(t, _)| now_ms.saturating_sub(*t) >= SPEED_WINDOW_MS)
        {
            self.samples.pop_front();
        }
        while self.samples.len() > MAX_PROGRESS_SAMPLES {
            self.samples.pop_front();
        }
    }

    /// Bytes done.
    pub fn done(&self) -> u64 {
        self.done
    }

    /// Total bytes.
    pub fn total(&self) -> u64 {
        self.total
    }

    /// Done as a fraction 0.0..=1.0 (1.0 for an empty file).
    pub fn fraction(&self) -> f32 {
        if self.total == 0 {
            1.0
        } else {
            (self.done as f64 / self.total as f64) as f32
        }
    }

    /// Bytes per second over the last [`SPEED_WINDOW_MS`]; `None` until samples span
    /// [`MIN_SPEED_SPAN_MS`].
    pub fn speed_bps(&self) -> Option<u64> {
        let (t0, d0) = *self.samples.front()?;
        let (t1, d1) = *self.samples.back()?;
        let span = t1.checked_sub(t0)?;
        if span < MIN_SPEED_SPAN_MS {
            return None;
        }
        Some(d1.saturating_sub(d0).saturating_mul(1000) / span)
    }

    /// Time left in ms at the current speed; `Some(0)` when done, `None` while the speed is
    /// unknown or zero.
    pub fn eta_ms(&self) -> Option<u64> {
        let left = self.total - self.done;
        if left == 0 {
            return Some(0);
        }
        let speed = self.speed_bps().filter(|s| *s > 0)?;
        Some(left.saturating_mul(1000).div_ceil(speed))
    }
}

/// Cancels a running transfer; dropping it does not cancel.
#[derive(Debug, Clone)]
pub struct CancelHandle(watch::Sender<bool>);

/// The transfer's side of a [`CancelHandle`].
#[derive(Debug, Clone)]
pub struct CancelSignal(watch::Receiver<bool>);

/// A linked cancel handle and signal.
pub fn cancel_pair() -> (CancelHandle, CancelSignal) {
    let (tx, rx) = watch::channel(false);
    (CancelHandle(tx), CancelSignal(rx))
}

impl CancelHandle {
    /// Asks the transfer to stop; it tells the other end and ends with
    /// [`FileError::Cancelled`]`(Side::Local)`.
    pub fn cancel(&self) {
        self.0.send_replace(true);
    }
}

impl CancelSignal {
    /// A signal that never fires.
    pub fn never() -> Self {
        let (tx, rx) = watch::channel(false);
        std::mem::forget(tx);
        CancelSignal(rx)
    }

    /// True once cancelled.
    pub fn is_cancelled(&self) -> bool {
        *self.0.borrow()
    }

    /// Resolves when cancelled (never if the handle was dropped uncancelled).
    pub async fn cancelled(&mut self) {
        if self.0.wait_for(|c| *c).await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}

/// A local file ready to offer: its name, size and SHA-256.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingFile {
    /// Local path.
    pub path: PathBuf,
    /// The offer (same transfer id on every resume).
    pub offer: FileOffer,
}

/// Reads `path` once to get its size and SHA-256 (on a blocking thread) and gives it a new
/// transfer id.
///
/// Errors: [`FileError::Read`] (missing, a directory, unreadable), [`FileError::Name`],
/// [`FileError::TooBig`] over `max_bytes`.
pub async fn prepare_outgoing(path: PathBuf, max_bytes: u64) -> Result<OutgoingFile, FileError> {
    let raw_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let name = sanitize_name(&raw_name)?;
    let read_err = |p: &Path, source| FileError::Read {
        path: p.to_path_buf(),
        source,
    };
    let meta = tokio::fs::metadata(&path)
        .await
        .map_err(|e| read_err(&path, e))?;
    if !meta.is_file() {
        let e = std::io::Error::new(ErrorKind::InvalidInput, "not a regular file");
        return Err(read_err(&path, e));
    }
    if meta.len() > max_bytes {
        return Err(FileError::TooBig {
            size: meta.len(),
            max: max_bytes,
        });
    }
    let p = path.clone();
    let (size, sha256) = tokio::task::spawn_blocking(move || hash_file(&p, None))
        .await
        .map_err(|e| read_err(&path, std::io::Error::other(e.to_string())))?
        .map_err(|e| read_err(&path, e))?;
    if size > max_bytes {
        return Err(FileError::TooBig {
            size,
            max: max_bytes,
        });
    }
    Ok(OutgoingFile {
        path,
        offer: FileOffer {
            transfer_id: FileTransferId(rand::random()),
            name,
            size,
            sha256,
        },
    })
}

/// Size and SHA-256 of `path`, or of its first `limit` bytes.
fn hash_file(path: &Path, limit: Option<u64>) -> std::io::Result<(u64, [u8; 32])> {
    use std::io::Read;
    let file = std::fs::File::open(path)?;
    let mut reader = file.take(limit.unwrap_or(u64::MAX));
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; HASH_BUFFER_BYTES];
    let mut total = 0u64;
    loop {
        let n = reader.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        total += n as u64;
    }
    Ok((total, hasher.finalize().into()))
}

/// How a send ended well.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivered {
    /// Name the receiver saved it under.
    pub saved_as: String,
    /// Where this stream started (> 0 when it resumed an earlier one), bytes.
    pub resumed_from: u64,
}

/// Sends `file` over one file stream: offer, wait for the answer, chunks from the accepted
/// offset, `Done`, wait for the verdict. `progress(done_bytes)` is called after the answer and
/// after each chunk. A cancel tells the receiver and ends with `Cancelled(Local)`.
///
/// Errors: [`FileError::Refused`], [`FileError::Failed`], [`FileError::Cancelled`],
/// [`FileError::Read`] (the file changed or vanished), [`FileError::Interrupted`] (resumable),
/// [`FileError::Protocol`].
pub async fn send_file<W, R>(
    send: &mut W,
    recv: &mut R,
    file: &OutgoingFile,
    mut cancel: CancelSignal,
    mut progress: impl FnMut(u64),
) -> Result<Delivered, FileError>
where
    W: AsyncWrite + Unpin,
    R: AsyncRead + Unpin,
{
    let offer = &file.offer;
    write_frame(
        send,
        &SenderFrame::Offer(offer.clone()),
        MAX_FILE_FRAME_BYTES,
    )
    .await?;
    let answer = tokio::select! {
        a = read_frame::<ReceiverFrame, _>(recv, MAX_FILE_FRAME_BYTES) => a?,
        _ = cancel.cancelled() => return cancel_send(send).await,
    };
    let offset = match answer {
        Some(ReceiverFrame::Accept { offset }) if offset <= offer.size => offset,
        Some(ReceiverFrame::Accept { offset }) => {
            return Err(FileError::Protocol(format!(
                "receiver asked to resume at {offset} of {} bytes",
                offer.size
            )))
        }
        Some(ReceiverFrame::Refuse(reason)) => return Err(FileError::Refused(reason)),
        Some(ReceiverFrame::Cancel) => return Err(FileError::Cancelled(Side::Remote)),
        Some(other) => return Err(FileError::Protocol(format!("unexpected {other:?}"))),
        None => {
            return Err(FileError::Interrupted(
                "the receiver closed the stream".into(),
            ))
        }
    };
    progress(offset);
    let read_err = |source| FileError::Read {
        path: file.path.clone(),
        source,
    };
    let mut local = tokio::fs::File::open(&file.path).await.map_err(read_err)?;
    local
        .seek(SeekFrom::Start(offset))
        .await
        .map_err(read_err)?;
    // The verdict (or a cancel from the receiver) is read by one future for the whole
    // transfer, so a frame is never torn between two reads.
    let verdict = read_frame::<ReceiverFrame, _>(recv, MAX_FILE_FRAME_BYTES);
    tokio::pin!(verdict);
    let chunks = async {
        let mut done = offset;
        let mut buf = vec![0u8; MAX_CHUNK_BYTES];
        while done < offer.size {
            let want = usize::try_from(offer.size - done)
                .unwrap_or(MAX_CHUNK_BYTES)
                .min(MAX_CHUNK_BYTES);
            let n = local.read(&mut buf[..want]).await.map_err(read_err)?;
            if n == 0 {
                let e = std::io::Error::new(ErrorKind::UnexpectedEof, "the file got shorter");
                return Err(read_err(e));
            }
            write_frame(
                send,
                &SenderFrame::Chunk(buf[..n].to_vec()),
                MAX_FILE_FRAME_BYTES,
            )
            .await?;
            done += n as u64;
            progress(done);
        }
        write_frame(send, &SenderFrame::Done, MAX_FILE_FRAME_BYTES).await?;
        Ok::<(), FileError>(())
    };
    let early = tokio::select! {
        r = chunks => { r?; None }
        v = &mut verdict => Some(v),
        _ = cancel.cancelled() => return cancel_send(send).await,
    };
    let verdict = match early {
        Some(v) => v?,
        None => tokio::select! {
            v = &mut verdict => v?,
            _ = cancel.cancelled() => return cancel_send(send).await,
        },
    };
    match verdict {
        Some(ReceiverFrame::Verified { saved_as }) => Ok(Delivered {
            saved_as,
            resumed_from: offset,
        }),
        Some(ReceiverFrame::Failed(FailReason::ShaMismatch)) => Err(FileError::ShaMismatch),
        Some(ReceiverFrame::Failed(reason)) => Err(FileError::Failed(reason)),
        Some(ReceiverFrame::Cancel) => Err(FileError::Cancelled(Side::Remote)),
        Some(other) => Err(FileError::Protocol(format!("unexpected {other:?}"))),
        None => Err(FileError::Interrupted(
            "the receiver closed the stream before confirming".into(),
        )),
    }
}

/// Tells the receiver the sender cancelled (best effort).
async fn cancel_send<W: AsyncWrite + Unpin, T>(send: &mut W) -> Result<T, FileError> {
    let _ = write_frame(send, &SenderFrame::Cancel, MAX_FILE_FRAME_BYTES).await;
    let _ = send.flush().await;
    Err(FileError::Cancelled(Side::Local))
}

/// Reads the first frame of an incoming file stream and checks it: the name is sanitised again
/// (the sender is not trusted) and an empty name is an error.
///
/// Errors: [`FileError::Protocol`] if the first frame is not an offer,
/// [`FileError::Interrupted`], [`FileError::Name`].
pub async fn read_offer<R: AsyncRead + Unpin>(recv: &mut R) -> Result<FileOffer, FileError> {
    match read_frame::<SenderFrame, _>(recv, MAX_FILE_FRAME_BYTES).await? {
        Some(SenderFrame::Offer(mut offer)) => {
            offer.name = sanitize_name(&offer.name)?;
            Ok(offer)
        }
        Some(SenderFrame::Cancel) => Err(FileError::Cancelled(Side::Remote)),
        Some(other) => Err(FileError::Protocol(format!(
            "expected an offer, got {}",
            frame_name(&other)
        ))),
        None => Err(FileError::Interrupted(
            "the sender closed the stream".into(),
        )),
    }
}

fn frame_name(frame: &SenderFrame) -> &'static str {
    match frame {
        SenderFrame::Offer(_) => "an offer",
        SenderFrame::Chunk(_) => "a chunk",
        SenderFrame::Done => "the end",
        SenderFrame::Cancel => "a cancel",
    }
}

/// Refuses an offer read by [`read_offer`] and finishes nothing (the caller drops the stream).
///
/// Errors: [`FileError::Interrupted`] if the answer cannot be written.
pub async fn refuse<W: AsyncWrite + Unpin>(
    send: &mut W,
    reason: RefuseReason,
) -> Result<(), FileError> {
    write_frame(send, &ReceiverFrame::Refuse(reason), MAX_FILE_FRAME_BYTES).await?;
    send.flush()
        .await
        .map_err(|e| FileError::Interrupted(e.to_string()))
}

/// Checks an offer against the size limit before asking anyone: `Some(reason)` to refuse.
pub fn check_offer(offer: &FileOffer, max_bytes: u64) -> Option<RefuseReason> {
    (offer.size > max_bytes).then_some(RefuseReason::TooBig {
        size: offer.size,
        max: max_bytes,
    })
}

/// Length of the part file kept for `offer` in `dir` (0 if none, or if it is longer than the
/// offer, in which case it is useless and removed).
pub fn resume_offset(dir: &Path, offer: &FileOffer) -> u64 {
    let part = part_path(dir, &offer.name, offer.transfer_id);
    match std::fs::metadata(&part) {
        Ok(m) if m.len() <= offer.size => m.len(),
        Ok(_) => {
            let _ = std::fs::remove_file(&part);
            0
        }
        Err(_) => 0,
    }
}

/// Receives the file of an accepted `offer` (checked with [`check_offer`] and accepted by the
/// user) into `dir`: answers `Accept{offset}` with the length of an existing part file, appends
/// chunks to it, verifies the SHA-256 and renames it to a name that does not exist yet.
/// `progress(done_bytes)` is called after each chunk. Returns the saved file's path.
///
/// A broken stream keeps the part file (resumable); a cancel from either side deletes it; a
/// SHA-256 mismatch deletes it and answers `Failed(ShaMismatch)`; a write error keeps it and
/// answers `Failed(DiskFull | Write)`.
///
/// Errors: [`FileError::ShaMismatch`], [`FileError::DiskFull`], [`FileError::Write`],
/// [`FileError::Cancelled`], [`FileError::Interrupted`], [`FileError::Protocol`] (more bytes
/// than offered, chunks over the limit), [`FileError::Name`].
pub async fn receive_file<W, R>(
    send: &mut W,
    recv: &mut R,
    offer: &FileOffer,
    dir: &Path,
    mut cancel: CancelSignal,
    mut progress: impl FnMut(u64),
) -> Result<PathBuf, FileError>
where
    W: AsyncWrite + Unpin,
    R: AsyncRead + Unpin,
{
    let name = sanitize_name(&offer.name)?;
    let part = part_path(dir, &name, offer.transfer_id);
    let write_err = |source: std::io::Error| match source.kind() {
        ErrorKind::StorageFull | ErrorKind::QuotaExceeded => FileError::DiskFull,
        _ => FileError::Write {
            path: part.clone(),
            source,
        },
    };
    tokio::fs::create_dir_all(dir)
        .await
        .map_err(|source| FileError::Write {
            path: dir.to_path_buf(),
            source,
        })?;
    let offset = resume_offset(dir, offer);
    let (offset, mut hasher) = if offset > 0 {
        let p = part.clone();
        let prefix = tokio::task::spawn_blocking(move || prefix_hasher(&p, offset))
            .await
            .map_err(|e| FileError::Write {
                path: part.clone(),
                source: std::io::Error::other(e.to_string()),
            })?;
        match prefix {
            Ok(h) => (offset, h),
            Err(_) => (0, Sha256::new()),
        }
    } else {
        (0, Sha256::new())
    };
    let mut out = tokio::fs::OpenOptions::new()
        .create(true)
        .write(true)
        .truncate(false)
        .open(&part)
        .await
        .map_err(write_err)?;
    out.set_len(offset).await.map_err(write_err)?;
    out.seek(SeekFrom::Start(offset)).await.map_err(write_err)?;
    write_frame(
        send,
        &ReceiverFrame::Accept { offset },
        MAX_FILE_FRAME_BYTES,
    )
    .await?;
    progress(offset);
    let mut done = offset;
    loop {
        let frame = tokio::select! {
            f = read_frame::<SenderFrame, _>(recv, MAX_FILE_FRAME_BYTES) => f,
            _ = cancel.cancelled() => {
                drop(out);
                let _ = tokio::fs::remove_file(&part).await;
                let _ = write_frame(send, &ReceiverFrame::Cancel, MAX_FILE_FRAME_BYTES).await;
                let _ = send.flush().await;
                return Err(FileError::Cancelled(Side::Local));
            }
        };
        let frame = match frame {
            Ok(f) => f,
            Err(e) => {
                let _ = out.flush().await;
                return Err(e.into());
            }
        };
        match frame {
            Some(SenderFrame::Chunk(bytes)) => {
                let len = bytes.len() as u64;
                if bytes.len() > MAX_CHUNK_BYTES || done + len > offer.size {
                    let _ = out.flush().await;
                    return Err(FileError::Protocol(format!(
                        "the sender sent more than the {} bytes it offered",
                        offer.size
                    )));
                }
                let written = async {
                    out.write_all(&bytes).await?;
                    out.flush().await
                };
                if let Err(e) = written.await {
                    let err = write_err(e);
                    let reason = match &err {
                        FileError::DiskFull => FailReason::DiskFull,
                        other => FailReason::Write(other.to_string()),
                    };
                    let _ = write_frame(send, &ReceiverFrame::Failed(reason), MAX_FILE_FRAME_BYTES)
                        .await;
                    return Err(err);
                }
                hasher.update(&bytes);
                done += len;
                progress(done);
            }
            Some(SenderFrame::Done) => break,
            Some(SenderFrame::Cancel) => {
                drop(out);
                let _ = tokio::fs::remove_file(&part).await;
                return Err(FileError::Cancelled(Side::Remote));
            }
            Some(SenderFrame::Offer(_)) => {
                let _ = out.flush().await;
                return Err(FileError::Protocol("a second offer on one stream".into()));
            }
            None => {
                let _ = out.flush().await;
                return Err(FileError::Interrupted(
                    "the sender closed the stream early".into(),
                ));
            }
        }
    }
    out.sync_all().await.map_err(write_err)?;
    drop(out);
    let digest: [u8; 32] = hasher.finalize().into();
    if done != offer.size || digest != offer.sha256 {
        let _ = tokio::fs::remove_file(&part).await;
        let _ = write_frame(
            send,
            &ReceiverFrame::Failed(FailReason::ShaMismatch),
            MAX_FILE_FRAME_BYTES,
        )
        .await;
        let _ = send.flush().await;
        return Err(FileError::ShaMismatch);
    }
    let saved = finish_part(&part, dir, &name).map_err(|e| match e {
        FinishError::Name(n) => FileError::Name(n),
        FinishError::Io(source) => FileError::Write {
            path: part.clone(),
            source,
        },
    })?;
    let saved_as = saved
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    write_frame(
        send,
        &ReceiverFrame::Verified { saved_as },
        MAX_FILE_FRAME_BYTES,
    )
    .await?;
    let _ = send.flush().await;
    Ok(saved)
}

/// A hasher fed with the first `len` bytes of `part`.
fn prefix_hasher(part: &Path, len: u64) -> std::io::Result<Sha256> {
    use std::io::Read;
    let file = std::fs::File::open(part)?;
    let mut reader = file.take(len);
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; HASH_BUFFER_BYTES];
    let mut total = 0u64;
    loop {
        let n = reader.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        total += n as u64;
    }
    if total != len {
        return Err(std::io::Error::new(
            ErrorKind::UnexpectedEof,
            "part file shorter than expected",
        ));
    }
    Ok(hasher)
}

enum FinishError {
    Name(NameError),
    Io(std::io::Error),
}

/// Moves a verified part file to the first free name, never overwriting: a hard link fails if
/// the name exists (another file may appear between the check and the move); file systems
/// without hard links fall back to check-then-rename.
fn finish_part(part: &Path, dir: &Path, name: &str) -> Result<PathBuf, FinishError> {
    for _ in 0..=MAX_DUPLICATE_NUMBER {
        let target = unique_path(dir, name).map_err(FinishError::Name)?;
        match std::fs::hard_link(part, &target) {
            Ok(()) => {
                let _ = std::fs::remove_file(part);
                return Ok(target);
            }
            Err(e) if e.kind() == ErrorKind::AlreadyExists => continue,
            Err(_) => {
                std::fs::rename(part, &target).map_err(FinishError::Io)?;
                return Ok(target);
            }
        }
    }
    Err(FinishError::Name(NameError::TooManyDuplicates(
        name.to_string(),
    )))
}

/// Sends `file` over a QUIC media stream (see [`send_file`]) and closes the stream: finished
/// on success, reset otherwise.
///
/// Errors: as [`send_file`].
pub async fn send_over(
    mut send: quinn::SendStream,
    mut recv: quinn::RecvStream,
    file: &OutgoingFile,
    cancel: CancelSignal,
    progress: impl FnMut(u64),
) -> Result<Delivered, FileError> {
    let result = send_file(&mut send, &mut recv, file, cancel, progress).await;
    close_stream(send, recv);
    result
}

/// Receives into `dir` over a QUIC media stream whose offer was read (see [`receive_file`])
/// and closes the stream.
///
/// Errors: as [`receive_file`].
pub async fn receive_over(
    mut send: quinn::SendStream,
    mut recv: quinn::RecvStream,
    offer: &FileOffer,
    dir: &Path,
    cancel: CancelSignal,
    progress: impl FnMut(u64),
) -> Result<PathBuf, FileError> {
    let result = receive_file(&mut send, &mut recv, offer, dir, cancel, progress).await;
    close_stream(send, recv);
    result
}

/// Finishes the stream (the last frame, a verdict or a cancel, still arrives) and stops
/// reading.
fn close_stream(mut send: quinn::SendStream, mut recv: quinn::RecvStream) {
    let _ = send.finish();
    let _ = recv.stop(0u32.into());
    // Keep the send half alive until the peer has read the last frame.
    tokio::spawn(async move {
        let _ = send.stopped().await;
    });
}

/// Folder for received files: `$PORPOISE_DOWNLOAD_DIR` if set, else `<Downloads>/<sub>`
/// (`sub` empty for none), else `<home>/Downloads/<sub>`.
pub fn download_dir(downloads: Option<PathBuf>, home: Option<PathBuf>, sub: &str) -> PathBuf {
    if let Some(dir) = std::env::var_os("PORPOISE_DOWNLOAD_DIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    let base = downloads
        .or_else(|| home.map(|h| h.join("Downloads")))
        .unwrap_or_else(|| PathBuf::from("."));
    if sub.is_empty() {
        base
    } else {
        base.join(sub)
    }
}

pub use porpoise_protocol::lang::format_bytes;

/// "1:05" / "1:02:03" for a time left in ms (rounded up to whole seconds).
pub fn format_eta(ms: u64) -> String {
    let s = ms.div_ceil(1000);
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60)
    } else {
        format!("{}:{:02}", s / 60, s % 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_names_lose_their_directories() {
        assert_eq!(
            sanitize_name("../../etc/passwd").expect("test step"),
            "passwd"
        );
        assert_eq!(
            sanitize_name("..\\..\\Windows\\win.ini").expect("test step"),
            "win.ini"
        );
        assert_eq!(
            sanitize_name("/abs/path/report.pdf").expect("test step"),
            "report.pdf"
        );
        assert!(matches!(sanitize_name(".."), Err(NameError::Empty(_))));
        assert!(matches!(sanitize_name("dir/"), Err(NameError::Empty(_))));
        assert!(matches!(sanitize_name(""), Err(NameError::Empty(_))));
        assert_eq!(sanitize_name(".bashrc").expect("test step"), "bashrc");
    }

    /// Issue 14: a right-to-left override would show `invoice\u{202E}fdp.exe` as
    /// `invoiceexe.pdf`; bidi controls and zero-width characters are dropped.
    #[test]
    fn bidi_and_invisible_characters_are_dropped() {
        assert_eq!(
            sanitize_name("invoice\u{202E}fdp.exe").expect("test step"),
            "invoicefdp.exe"
        );
        assert_eq!(
            sanitize_name("\u{FEFF}re\u{200B}port\u{2066}.pdf\u{2069}").expect("test step"),
            "report.pdf"
        );
        assert!(matches!(
            sanitize_name("\u{202E}\u{200F}"),
            Err(NameError::Empty(_))
        ));
        assert_eq!(
            sanitize_name("עברית.txt").expect("test step"),
            "עברית.txt",
            "right-to-left letters themselves stay"
        );
    }

    #[test]
    fn forbidden_and_control_characters_are_dropped() {
        assert_eq!(
            sanitize_name("a<b>c:d\"e|f?g*h.txt").expect("test step"),
            "abcdefgh.txt"
        );
        assert_eq!(
            sanitize_name("bad\u{0}name\n.txt").expect("test step"),
            "badname.txt"
        );
        assert_eq!(
            sanitize_name("trailing. . ").expect("test step"),
            "trailing"
        );
        assert_eq!(
            sanitize_name("报告 2026.docx").expect("test step"),
            "报告 2026.docx"
        );
    }

    #[test]
    fn windows_reserved_names_are_prefixed() {
        assert_eq!(sanitize_name("CON").expect("test step"), "_CON");
        assert_eq!(sanitize_name("nul.txt").expect("test step"), "_nul.txt");
        assert_eq!(
            sanitize_name("com1.tar.gz").expect("test step"),
            "_com1.tar.gz"
        );
        assert_eq!(
            sanitize_name("console.txt").expect("test step"),
            "console.txt"
        );
        // Found by the file_frame fuzz target: cutting a long name used to trim the spaces
        // that kept it from reading as a reserved one.
        let long = format!("CON{}x", " ".repeat(197));
        assert_eq!(sanitize_name(&long).expect("test step"), "_CON");
        let long = format!("CON{}x.txt", " ".repeat(250));
        assert_eq!(sanitize_name(&long).expect("test step"), "_CON.txt");
    }

    #[test]
    fn long_names_are_cut_on_a_char_boundary_keeping_the_extension() {
        let long = format!("{}.pdf", "文".repeat(100));
        let name = sanitize_name(&long).expect("test step");
        assert!(name.len() <= MAX_FILE_NAME_BYTES, "{}", name.len());
        assert!(name.ends_with(".pdf"));
        assert!(name.starts_with('文'));
    }

    #[test]
    fn existing_files_are_never_overwritten() {
        let dir = temp_dir("unique");
        std::fs::write(dir.join("a.txt"), b"1").expect("test step");
        std::fs::write(dir.join("a (1).txt"), b"2").expect("test step");
        assert_eq!(
            unique_path(&dir, "a.txt").expect("test step"),
            dir.join("a (2).txt")
        );
        assert_eq!(unique_path(&dir, "b").expect("test step"), dir.join("b"));
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn speed_is_averaged_over_the_window_and_gives_time_left() {
        let mut p = Progress::new(10_000_000, 0, 0);
        assert_eq!(p.speed_bps(), None);
        assert_eq!(p.eta_ms(), None);
        p.update(100, 100_000);
        assert_eq!(p.speed_bps(), None, "too short a span");
        for i in 2..=10u64 {
            p.update(i * 100, i * 100_000);
        }
        // 1 MB per second.
        assert_eq!(p.speed_bps(), Some(1_000_000));
        assert_eq!(p.eta_ms(), Some(9_000));
        // After a stall longer than the window the old fast samples are gone.
        p.update(5_000, 1_000_000);
        p.update(8_100, 1_000_000);
        assert_eq!(p.speed_bps(), Some(0));
        assert_eq!(p.eta_ms(), None);
        p.update(9_000, 10_000_000);
        assert_eq!(p.eta_ms(), Some(0));
        assert!((p.fraction() - 1.0).abs() < f32::EPSILON);
    }

    #[test]
    fn a_resumed_transfer_starts_part_way() {
        let p = Progress::new(1000, 400, 0);
        assert_eq!(p.done(), 400);
        assert!((p.fraction() - 0.4).abs() < 1e-6);
        assert_eq!(Progress::new(0, 0, 0).fraction(), 1.0);
    }

    #[test]
    fn sizes_and_times_read_well() {
        assert_eq!(format_bytes(512), "512 B");
        assert_eq!(format_bytes(1536), "1.5 KB");
        assert_eq!(format_bytes(100 * 1024 * 1024), "100.0 MB");
        assert_eq!(format_eta(65_000), "1:05");
        assert_eq!(format_eta(3_723_000), "1:02:03");
        assert_eq!(format_eta(1), "0:01");
    }

    fn temp_dir(tag: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "porpoise-files-{tag}-{}-{:x}",
            std::process::id(),
            rand::random::<u64>()
        ));
        std::fs::create_dir_all(&dir).expect("test step");
        dir
    }

    fn outgoing(dir: &Path, name: &str, data: &[u8]) -> OutgoingFile {
        let path = dir.join(name);
        std::fs::write(&path, data).expect("test step");
        OutgoingFile {
            path,
            offer: FileOffer {
                transfer_id: FileTransferId(rand::random()),
                name: name.to_string(),
                size: data.len() as u64,
                sha256: Sha256::digest(data).into(),
            },
        }
    }

    /// Runs a sender and a receiver over in-memory pipes.
    async fn transfer(
        file: &OutgoingFile,
        into: &Path,
    ) -> (Result<Delivered, FileError>, Result<PathBuf, FileError>) {
        let (mut a_send, mut b_recv) = tokio::io::duplex(256 * 1024);
        let (mut b_send, mut a_recv) = tokio::io::duplex(256 * 1024);
        let sender = send_file(
            &mut a_send,
            &mut a_recv,
            file,
            CancelSignal::never(),
            |_| {},
        );
        let receiver = async {
            let offer = read_offer(&mut b_recv).await?;
            receive_file(
                &mut b_send,
                &mut b_recv,
                &offer,
                into,
                CancelSignal::never(),
                |_| {},
            )
            .await
        };
        tokio::join!(sender, receiver)
    }

    #[tokio::test]
    async fn a_file_arrives_whole_and_a_second_copy_gets_a_new_name() {
        let src = temp_dir("src");
        let dst = temp_dir("dst");
        let data: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
        let file = outgoing(&src, "data.bin", &data);
        let (sent, got) = transfer(&file, &dst).await;
        assert_eq!(sent.expect("test step").saved_as, "data.bin");
        assert_eq!(
            std::fs::read(got.expect("test step")).expect("test step"),
            data
        );
        let again = outgoing(&src, "data.bin", &data);
        let (sent, _) = transfer(&again, &dst).await;
        assert_eq!(sent.expect("test step").saved_as, "data (1).bin");
        let _ = std::fs::remove_dir_all(src);
        let _ = std::fs::remove_dir_all(dst);
    }

    #[tokio::test]
    async fn a_wrong_hash_deletes_the_part_and_fails_both_ends() {
        let src = temp_dir("src");
        let dst = temp_dir("dst");
        let mut file = outgoing(&src, "x.txt", b"hello world");
        file.offer.sha256[0] ^= 1;
        let (sent, got) = transfer(&file, &dst).await;
        assert!(matches!(sent, Err(FileError::ShaMismatch)), "{sent:?}");
        assert!(matches!(got, Err(FileError::ShaMismatch)), "{got:?}");
        assert_eq!(
            std::fs::read_dir(&dst).expect("test step").count(),
            0,
            "nothing left"
        );
        let _ = std::fs::remove_dir_all(src);
        let _ = std::fs::remove_dir_all(dst);
    }

    #[tokio::test]
    async fn a_kept_part_file_is_resumed_from_its_length() {
        let src = temp_dir("src");
        let dst = temp_dir("dst");
        let data: Vec<u8> = (0..200_000u32).map(|i| (i % 7) as u8).collect();
        let file = outgoing(&src, "r.bin", &data);
        let part = part_path(&dst, "r.bin", file.offer.transfer_id);
        std::fs::write(&part, &data[..70_000]).expect("test step");
        let (sent, got) = transfer(&file, &dst).await;
        assert_eq!(sent.expect("test step").resumed_from, 70_000);
        assert_eq!(
            std::fs::read(got.expect("test step")).expect("test step"),
            data
        );
        assert!(!part.exists());
        let _ = std::fs::remove_dir_all(src);
        let _ = std::fs::remove_dir_all(dst);
    }

    #[tokio::test]
    async fn a_sender_cannot_push_more_than_it_offered() {
        let dst = temp_dir("dst");
        let (mut a_send, mut b_recv) = tokio::io::duplex(256 * 1024);
        let (mut b_send, _a_recv) = tokio::io::duplex(256 * 1024);
        let offer = FileOffer {
            transfer_id: FileTransferId(1),
            name: "small.txt".into(),
            size: 3,
            sha256: [0; 32],
        };
        write_frame(
            &mut a_send,
            &SenderFrame::Offer(offer),
            MAX_FILE_FRAME_BYTES,
        )
        .await
        .expect("test step");
        write_frame(
            &mut a_send,
            &SenderFrame::Chunk(vec![1; 10]),
            MAX_FILE_FRAME_BYTES,
        )
        .await
        .expect("test step");
        let offer = read_offer(&mut b_recv).await.expect("test step");
        let got = receive_file(
            &mut b_send,
            &mut b_recv,
            &offer,
            &dst,
            CancelSignal::never(),
            |_| {},
        )
        .await;
        assert!(matches!(got, Err(FileError::Protocol(_))), "{got:?}");
        let _ = std::fs::remove_dir_all(dst);
    }

    #[tokio::test]
    async fn a_receiver_cancel_stops_the_sender_and_removes_the_part() {
        let src = temp_dir("src");
        let dst = temp_dir("dst");
        let data = vec![9u8; 2_000_000];
        let file = outgoing(&src, "big.bin", &data);
        // A small pipe makes the sender wait for the receiver.
        let (mut a_send, mut b_recv) = tokio::io::duplex(8 * 1024);
        let (mut b_send, mut a_recv) = tokio::io::duplex(8 * 1024);
        let (handle, signal) = cancel_pair();
        let sender = send_file(
            &mut a_send,
            &mut a_recv,
            &file,
            CancelSignal::never(),
            |_| {},
        );
        let receiver = async {
            let offer = read_offer(&mut b_recv).await?;
            receive_file(&mut b_send, &mut b_recv, &offer, &dst, signal, |done| {
                if done > 200_000 {
                    handle.cancel();
                }
            })
            .await
        };
        let (sent, got) = tokio::join!(sender, receiver);
        assert!(
            matches!(got, Err(FileError::Cancelled(Side::Local))),
            "{got:?}"
        );
        assert!(
            matches!(sent, Err(FileError::Cancelled(Side::Remote))),
            "{sent:?}"
        );
        assert_eq!(std::fs::read_dir(&dst).expect("test step").count(), 0);
        let _ = std::fs::remove_dir_all(src);
        let _ = std::fs::remove_dir_all(dst);
    }
}
