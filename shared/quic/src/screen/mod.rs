//! The screen and input pipelines on top of media streams.
//!
//! Sender (helper, or the agent in a remote demo): [`stream_screen`] runs capture + encode on a
//! dedicated thread; [`pacing::RateControl`] keeps at most [`MAX_FRAMES_IN_FLIGHT`](porpoise_codec::MAX_FRAMES_IN_FLIGHT) frames
//! unacknowledged, adapts frame rate and quality to the measured delay and applies the viewer's
//! [`StreamSettings`](porpoise_codec::stream::StreamSettings); the screen is captured only when it may have changed and a frame may be
//! sent, so the newest screen state is always what goes out. Cursor updates travel apart from
//! the image.
//! Viewer (agent, or the helper in a remote demo): [`view_screen_with`] reads the stream, decodes
//! on a dedicated thread (never on the UI thread), hands [`ViewerEvent`]s to a callback and
//! acknowledges each frame with its decode time; a [`ViewerHandle`] sends settings and still
//! requests.
//! Input: [`InputSender`] writes [`InputEvent`]s; [`read_input`] reads them.

mod sender;
mod viewer;

pub mod pacing;

pub use sender::{stream_screen, CURSOR_POLL_INTERVAL, MONITORS_RECHECK_INTERVAL};
pub use viewer::{
    view_screen, view_screen_with, viewer_channel, ScreenUpdate, StillImage, ViewerControl,
    ViewerEvent, ViewerHandle,
};

use crate::{frame_io::read_frame, frame_io::write_frame};
use porpoise_codec::CodecError;
use porpoise_protocol::{
    framing::{FrameError, MAX_INPUT_FRAME_BYTES},
    input::InputEvent,
};

pub use porpoise_codec::stream::ScreenSource;

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
    /// Other messages sent or received (cursor, monitors, stills).
    pub other_messages: u64,
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
