//! The screen and input pipelines on top of media streams.
//!
//! Sender (helper): [`stream_screen`] runs capture + encode on a dedicated thread, keeps at most
//! [`MAX_FRAMES_IN_FLIGHT`] frames unacknowledged and always encodes the newest screen state.
//! Viewer (agent): [`view_screen`] reads frames, decodes them on a dedicated thread (never on the
//! UI thread) and hands each decoded update to a callback, then acknowledges it.
//! Input: [`InputSender`] writes [`InputEvent`]s; [`read_input`] reads them.

use std::{
    sync::mpsc as std_mpsc,
    time::{Duration, Instant},
};

use tokio::sync::mpsc;
use tracing::{debug, trace};

use crate::{
    codec::{
        CodecError, ScreenDecoder, ScreenEncoder, ScreenMessage, TileRect,
        MAX_FRAMES_IN_FLIGHT,
    },
    framing::{
        read_frame, read_frame_bytes, write_frame, FrameError, MAX_INPUT_FRAME_BYTES,
        MAX_SCREEN_FRAME_BYTES,
    },
    input::InputEvent,
};

/// Shortest time between two captures (caps the frame rate at 30 fps).
pub const MIN_FRAME_INTERVAL: Duration = Duration::from_millis(33);
/// Every this many ms without a change the sender still checks the screen.
pub const IDLE_POLL_INTERVAL: Duration = Duration::from_millis(15);

pub use crate::stream::ScreenSource;

/// Errors of the screen and input pipelines.
#[derive(Debug, thiserror::Error)]
pub enum ScreenError {
    /// Framing or stream failure (includes the relay cutting the stream on revoke).
    #[error("{0}")]
    Frame(#[from] FrameError),
    /// A frame could not be encoded or decoded.
    #[error("{0}")]
    Codec(#[from] CodecError),
    /// Screen capture failed.
    #[error("screen capture failed: {0}")]
    Capture(std::io::Error),
    /// The peer sent something that does not belong on this stream.
    #[error("protocol: {0}")]
    Protocol(String),
    /// A postcard encoding failed.
    #[error("encode: {0}")]
    Encode(#[from] postcard::Error),
}

/// Counters of one screen stream, for logs, the bot and benchmarks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScreenStats {
    /// Frames sent or decoded.
    pub frames: u64,
    /// Encoded bytes sent or received.
    pub bytes: u64,
    /// Key frames among them.
    pub key_frames: u64,
}

/// Streams the screen from the source made by `make_source` (called on the encode thread) on a
/// screen media stream until the stream is closed (the agent stopped viewing, the customer
/// revoked, the relay cut it) or capture fails.
///
/// Returns the counters on a clean end. Errors: [`ScreenError::Capture`] (also when
/// `make_source` fails), or a stream error other than a close by the peer.
pub async fn stream_screen<M, S>(
    make_source: M,
    mut send: quinn::SendStream,
    mut recv: quinn::RecvStream,
) -> Result<ScreenStats, ScreenError>
where
    M: FnOnce() -> std::io::Result<S> + Send + 'static,
    S: ScreenSource,
{
    let (credit_tx, credit_rx) = std_mpsc::channel::<()>();
    let (frame_tx, mut frame_rx) = mpsc::channel::<Result<(Vec<u8>, bool), ScreenError>>(1);
    for _ in 0..MAX_FRAMES_IN_FLIGHT {
        let _ = credit_tx.send(());
    }
    std::thread::Builder::new()
        .name("screen-encode".into())
        .spawn(move || match make_source() {
            Ok(source) => encode_loop(source, credit_rx, frame_tx),
            Err(e) => {
                let _ = frame_tx.blocking_send(Err(ScreenError::Capture(e)));
            }
        })
        .map_err(ScreenError::Capture)?;
    let mut stats = ScreenStats::default();
    let acks = async move {
        loop {
            match read_frame::<ScreenMessage, _>(&mut recv, MAX_SCREEN_FRAME_BYTES).await? {
                Some(ScreenMessage::Ack { seq, .. }) => {
                    trace!(seq, "screen ack");
                    if credit_tx.send(()).is_err() {
                        return Ok::<(), ScreenError>(());
                    }
                }
                Some(ScreenMessage::Frame(_)) => {
                    return Err(ScreenError::Protocol("frame sent to the sender".into()))
                }
                Some(_) => {}
                None => return Ok(()),
            }
        }
    };
    let frames = async {
        while let Some(item) = frame_rx.recv().await {
            let (bytes, key) = item?;
            send_raw_frame(&mut send, &bytes).await?;
            stats.frames += 1;
            stats.bytes += bytes.len() as u64;
            stats.key_frames += u64::from(key);
        }
        Ok::<(), ScreenError>(())
    };
    let outcome = tokio::select! {
        r = acks => r,
        r = frames => r,
    };
    let _ = send.finish();
    match outcome {
        Ok(()) => Ok(stats),
        Err(ScreenError::Frame(FrameError::Io(e))) => {
            debug!(error = %e, "screen stream closed by peer");
            Ok(stats)
        }
        Err(e) => Err(e),
    }
}

async fn send_raw_frame(send: &mut quinn::SendStream, payload: &[u8]) -> Result<(), FrameError> {
    let len = u32::try_from(payload.len()).map_err(|_| FrameError::TooLarge {
        len: payload.len(),
        max: MAX_SCREEN_FRAME_BYTES,
    })?;
    send.write_all(&len.to_le_bytes())
        .await
        .map_err(std::io::Error::from)?;
    send.write_all(payload)
        .await
        .map_err(std::io::Error::from)?;
    Ok(())
}

fn encode_loop<S: ScreenSource>(
    mut source: S,
    credits: std_mpsc::Receiver<()>,
    frames: mpsc::Sender<Result<(Vec<u8>, bool), ScreenError>>,
) {
    let mut encoder = ScreenEncoder::new();
    let start = Instant::now();
    let mut last = start - MIN_FRAME_INTERVAL;
    // Wait for a credit, then capture until something changed: the frame sent is always the
    // newest screen state.
    while credits.recv().is_ok() {
        loop {
            let wait = MIN_FRAME_INTERVAL.saturating_sub(last.elapsed());
            if !wait.is_zero() {
                std::thread::sleep(wait);
            }
            last = Instant::now();
            let pts = start.elapsed().as_millis() as u64;
            let mut encoded: Option<Result<Option<crate::codec::VideoFrame>, CodecError>> = None;
            let captured =
                source.capture(&mut |frame| encoded = Some(encoder.encode(frame, pts, false)));
            let result = match (captured, encoded) {
                (Err(e), _) => Err(ScreenError::Capture(e)),
                (Ok(()), None) => Ok(None),
                (Ok(()), Some(r)) => r.map_err(ScreenError::from),
            };
            let item = match result {
                Ok(None) => {
                    if frames.is_closed() {
                        return;
                    }
                    std::thread::sleep(IDLE_POLL_INTERVAL);
                    continue;
                }
                Ok(Some(frame)) => {
                    let key = frame.key;
                    postcard::to_allocvec(&ScreenMessage::Frame(frame))
                        .map(|b| (b, key))
                        .map_err(ScreenError::from)
                }
                Err(e) => Err(e),
            };
            let failed = item.is_err();
            if frames.blocking_send(item).is_err() || failed {
                return;
            }
            break;
        }
    }
}

/// One decoded screen update handed to the viewer's callback.
#[derive(Debug)]
pub struct ScreenUpdate<'a> {
    /// The decoder with the whole canvas (see [`ScreenDecoder::rgba`]).
    pub decoder: &'a ScreenDecoder,
    /// Rectangles changed by this frame.
    pub changed: &'a [TileRect],
    /// True for a key frame (the whole canvas is new, maybe with a new size).
    pub key: bool,
    /// Encoded size of the frame in bytes.
    pub encoded_bytes: usize,
    /// Sequence number of the frame.
    pub seq: u64,
}

/// Reads a screen stream, decodes frames on a dedicated thread and calls `on_update` there for
/// each, then acknowledges the frame. Ends when the stream closes.
///
/// Returns the counters. Errors: a corrupt frame ([`ScreenError::Codec`]) or a framing error
/// other than the stream being closed.
pub async fn view_screen<F>(
    mut send: quinn::SendStream,
    mut recv: quinn::RecvStream,
    mut on_update: F,
) -> Result<ScreenStats, ScreenError>
where
    F: FnMut(ScreenUpdate<'_>) + Send + 'static,
{
    let (bytes_tx, mut bytes_rx) = mpsc::channel::<Vec<u8>>(MAX_FRAMES_IN_FLIGHT as usize);
    let (ack_tx, mut ack_rx) = mpsc::unbounded_channel::<Result<u64, ScreenError>>();
    std::thread::Builder::new()
        .name("screen-decode".into())
        .spawn(move || {
            let mut decoder = ScreenDecoder::new();
            while let Some(bytes) = bytes_rx.blocking_recv() {
                let result = decode_one(&mut decoder, &bytes, &mut on_update);
                let failed = result.is_err();
                if ack_tx.send(result).is_err() || failed {
                    return;
                }
            }
        })
        .map_err(ScreenError::Capture)?;
    let mut stats = ScreenStats::default();
    let reader = async {
        loop {
            let Some(bytes) = read_frame_bytes(&mut recv, MAX_SCREEN_FRAME_BYTES).await? else {
                return Ok::<(), ScreenError>(());
            };
            stats.frames += 1;
            stats.bytes += bytes.len() as u64;
            // The bounded channel only fills if the sender ignores flow control.
            bytes_tx
                .send(bytes)
                .await
                .map_err(|_| ScreenError::Protocol("decoder stopped".into()))?;
        }
    };
    let acker = async {
        while let Some(result) = ack_rx.recv().await {
            let seq = result?;
            write_frame(
                &mut send,
                &ScreenMessage::Ack { seq, decode_us: 0 },
                MAX_SCREEN_FRAME_BYTES,
            )
            .await?;
        }
        Ok::<(), ScreenError>(())
    };
    let outcome = tokio::select! {
        r = reader => r,
        r = acker => r,
    };
    let _ = send.finish();
    match outcome {
        Ok(()) | Err(ScreenError::Frame(FrameError::Io(_))) => Ok(stats),
        Err(e) => Err(e),
    }
}

fn decode_one<F: FnMut(ScreenUpdate<'_>)>(
    decoder: &mut ScreenDecoder,
    bytes: &[u8],
    on_update: &mut F,
) -> Result<u64, ScreenError> {
    let frame = match postcard::from_bytes::<ScreenMessage>(bytes)? {
        ScreenMessage::Frame(f) => f,
        other => {
            return Err(ScreenError::Protocol(format!(
                "unexpected message for the viewer: {other:?}"
            )))
        }
    };
    let changed = decoder.decode(&frame)?;
    on_update(ScreenUpdate {
        decoder,
        changed: &changed,
        key: frame.key,
        encoded_bytes: bytes.len(),
        seq: frame.seq,
    });
    Ok(frame.seq)
}

/// Writes input events on an input media stream.
#[derive(Debug)]
pub struct InputSender {
    send: quinn::SendStream,
}

impl InputSender {
    /// Wraps the sending half of an input stream (the receiving half is unused).
    pub fn new(send: quinn::SendStream) -> Self {
        Self { send }
    }

    /// Sends one event.
    ///
    /// Errors: [`FrameError::Io`] once the relay cut the stream (control revoked or stopped).
    pub async fn send(&mut self, event: &InputEvent) -> Result<(), FrameError> {
        write_frame(&mut self.send, event, MAX_INPUT_FRAME_BYTES).await
    }

    /// Ends the stream cleanly.
    pub fn finish(mut self) {
        let _ = self.send.finish();
    }
}

/// Reads the next input event; `Ok(None)` when the stream ended.
///
/// Errors: framing errors (a malformed or oversize event ends the stream).
pub async fn read_input(recv: &mut quinn::RecvStream) -> Result<Option<InputEvent>, FrameError> {
    read_frame(recv, MAX_INPUT_FRAME_BYTES).await
}
