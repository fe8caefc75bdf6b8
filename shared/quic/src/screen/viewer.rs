//! The viewing half of a screen stream: decode on a dedicated thread, acknowledge with the
//! decode time, and send the viewer's settings and still requests.

use std::time::Instant;

use tokio::sync::mpsc;
use tracing::{debug, warn};

use super::{sender::message_name, ScreenError, ScreenStats};
use crate::{frame_io::read_frame_bytes, frame_io::write_frame};
use porpoise_codec::{
    stream::{CursorUpdate, MonitorInfo, ScreenMessage, StreamSettings},
    {ScreenDecoder, TileRect},
};
use porpoise_protocol::framing::{FrameError, MAX_SCREEN_FRAME_BYTES};

/// Messages the decode thread may hold before the reader waits (frames are also bounded by the
/// sender's credits; cursor updates are small).
const DECODE_QUEUE: usize = 32;

/// One decoded screen update.
#[derive(Debug)]
pub struct ScreenUpdate<'a> {
    /// The decoder with the whole canvas (see [`ScreenDecoder::rgba`]).
    pub decoder: &'a ScreenDecoder,
    /// Rectangles changed by this frame, in canvas px.
    pub changed: &'a [TileRect],
    /// True for a key frame (the whole canvas is new, maybe with a new size).
    pub key: bool,
    /// Encoded size of the frame in bytes.
    pub encoded_bytes: usize,
    /// Sequence number of the frame.
    pub seq: u64,
    /// Capture time of the frame, ms since the stream started (sender's clock).
    pub pts: u64,
    /// Time spent decoding it, µs.
    pub decode_us: u32,
}

/// A full-quality still of the sender's screen (answer to [`ViewerHandle::request_still`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StillImage {
    /// The request's id.
    pub id: u32,
    /// Width, px.
    pub width: u32,
    /// Height, px.
    pub height: u32,
    /// `width × height` pixels, 4 bytes each (R, G, B, A), rows top to bottom.
    pub rgba: Vec<u8>,
}

/// What the viewer's callback receives, in stream order.
#[derive(Debug)]
pub enum ViewerEvent<'a> {
    /// A decoded frame.
    Frame(ScreenUpdate<'a>),
    /// The pointer moved or changed shape (the shape is already validated).
    Cursor(&'a CursorUpdate),
    /// The sender's monitors.
    Monitors(&'a [MonitorInfo]),
    /// A still arrived.
    Still(StillImage),
}

/// Sends the viewer's wishes to the sender; cheap to clone. Calls after the stream ended do
/// nothing and return false.
#[derive(Debug, Clone)]
pub struct ViewerHandle {
    tx: mpsc::UnboundedSender<ScreenMessage>,
}

impl ViewerHandle {
    /// Asks the sender to use `settings` from its next frame on.
    pub fn set_settings(&self, settings: StreamSettings) -> bool {
        self.tx.send(ScreenMessage::Settings(settings)).is_ok()
    }

    /// Asks for a full-quality still; it arrives as [`ViewerEvent::Still`] with this `id`.
    pub fn request_still(&self, id: u32) -> bool {
        self.tx.send(ScreenMessage::StillRequest { id }).is_ok()
    }
}

/// The receiving end of a [`ViewerHandle`], passed to [`view_screen_with`].
#[derive(Debug)]
pub struct ViewerControl {
    rx: mpsc::UnboundedReceiver<ScreenMessage>,
}

impl ViewerControl {
    /// The next message the handle sent, if any (for tests and diagnostics; a running
    /// [`view_screen_with`] consumes them itself).
    pub fn try_next(&mut self) -> Option<ScreenMessage> {
        self.rx.try_recv().ok()
    }
}

/// A handle for the UI and the control end for [`view_screen_with`].
pub fn viewer_channel() -> (ViewerHandle, ViewerControl) {
    let (tx, rx) = mpsc::unbounded_channel();
    (ViewerHandle { tx }, ViewerControl { rx })
}

/// Like [`view_screen_with`] for viewers that only want frames.
///
/// Errors: as [`view_screen_with`].
pub async fn view_screen<F>(
    send: quinn::SendStream,
    recv: quinn::RecvStream,
    mut on_update: F,
) -> Result<ScreenStats, ScreenError>
where
    F: FnMut(ScreenUpdate<'_>) + Send + 'static,
{
    let (_handle, control) = viewer_channel();
    view_screen_with(send, recv, control, move |event| {
        if let ViewerEvent::Frame(update) = event {
            on_update(update);
        }
    })
    .await
}

/// Reads a screen stream, decodes frames on a dedicated thread and calls `on_event` there for
/// each message, then acknowledges each frame with its decode time. Messages from `control`
/// (settings, still requests) are sent to the sender. Ends when the stream closes.
///
/// Returns the counters. Errors: a corrupt frame ([`ScreenError::Codec`]), a message that only
/// a viewer may send ([`ScreenError::Protocol`]), or a framing error other than the stream
/// being closed.
pub async fn view_screen_with<F>(
    mut send: quinn::SendStream,
    mut recv: quinn::RecvStream,
    mut control: ViewerControl,
    mut on_event: F,
) -> Result<ScreenStats, ScreenError>
where
    F: FnMut(ViewerEvent<'_>) + Send + 'static,
{
    let (bytes_tx, mut bytes_rx) = mpsc::channel::<Vec<u8>>(DECODE_QUEUE);
    let (ack_tx, mut ack_rx) = mpsc::unbounded_channel::<Result<ScreenMessage, ScreenError>>();
    std::thread::Builder::new()
        .name("screen-decode".into())
        .spawn(move || {
            let mut decoder = ScreenDecoder::new();
            while let Some(bytes) = bytes_rx.blocking_recv() {
                let result = handle_one(&mut decoder, &bytes, &mut on_event);
                let failed = result.is_err();
                let sent = match result {
                    Ok(Some(ack)) => ack_tx.send(Ok(ack)).is_ok(),
                    Ok(None) => true,
                    Err(e) => ack_tx.send(Err(e)).is_ok(),
                };
                if !sent || failed {
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
            // The variant index is the first byte of a postcard enum: 0 is `Frame`.
            if bytes.first() == Some(&0) {
                stats.frames += 1;
                stats.bytes += bytes.len() as u64;
            } else {
                stats.other_messages += 1;
            }
            bytes_tx
                .send(bytes)
                .await
                .map_err(|_| ScreenError::Protocol("decoder stopped".into()))?;
        }
    };
    let writer = async {
        loop {
            let msg = tokio::select! {
                ack = ack_rx.recv() => match ack {
                    Some(ack) => ack?,
                    None => return Ok::<(), ScreenError>(()),
                },
                wish = control.rx.recv() => match wish {
                    Some(wish) => wish,
                    // The UI dropped its handle: keep acknowledging frames.
                    None => std::future::pending().await,
                },
            };
            write_frame(&mut send, &msg, MAX_SCREEN_FRAME_BYTES).await?;
        }
    };
    let outcome = tokio::select! {
        r = reader => r,
        r = writer => r,
    };
    let _ = send.finish();
    match outcome {
        Ok(()) | Err(ScreenError::Frame(FrameError::Io(_))) => Ok(stats),
        Err(e) => Err(e),
    }
}

/// Decodes one message and calls `on_event`; returns the acknowledgement to send, if any.
fn handle_one<F: FnMut(ViewerEvent<'_>)>(
    decoder: &mut ScreenDecoder,
    bytes: &[u8],
    on_event: &mut F,
) -> Result<Option<ScreenMessage>, ScreenError> {
    match postcard::from_bytes::<ScreenMessage>(bytes)? {
        ScreenMessage::Frame(frame) => {
            let began = Instant::now();
            let changed = decoder.decode(&frame)?;
            let decode_us = u32::try_from(began.elapsed().as_micros()).unwrap_or(u32::MAX);
            on_event(ViewerEvent::Frame(ScreenUpdate {
                decoder,
                changed: &changed,
                key: frame.key,
                encoded_bytes: bytes.len(),
                seq: frame.seq,
                pts: frame.pts,
                decode_us,
            }));
            Ok(Some(ScreenMessage::Ack {
                seq: frame.seq,
                decode_us,
            }))
        }
        ScreenMessage::Cursor(mut cursor) => {
            if let Some(Err(e)) = cursor.shape.as_ref().map(|s| s.validate()) {
                warn!(error = %e, "cursor shape dropped");
                cursor.shape = None;
            }
            on_event(ViewerEvent::Cursor(&cursor));
            Ok(None)
        }
        ScreenMessage::Monitors(monitors) => {
            on_event(ViewerEvent::Monitors(&monitors));
            Ok(None)
        }
        ScreenMessage::Still { id, frame } => {
            let mut still = ScreenDecoder::new();
            match still.decode(&frame) {
                Ok(_) if frame.key => {
                    let (width, height) = still.size();
                    on_event(ViewerEvent::Still(StillImage {
                        id,
                        width,
                        height,
                        rgba: still.rgba().to_vec(),
                    }));
                }
                Ok(_) => warn!(id, "still is not a key frame; dropped"),
                Err(e) => warn!(id, error = %e, "still could not be decoded; dropped"),
            }
            Ok(None)
        }
        other => {
            debug!(msg = message_name(&other), "viewer got a viewer's message");
            Err(ScreenError::Protocol(format!(
                "the sender sent a viewer's message: {}",
                message_name(&other)
            )))
        }
    }
}
