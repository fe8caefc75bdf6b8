//! What travels on a screen stream besides the codec's frames, and the [`ScreenSource`] trait.
//!
//! A screen stream (media kind `Screen`, helper → agent, or `Demo`, agent → helper for the
//! remote demo, A6/C6) carries framed postcard [`ScreenMessage`]s both ways:
//!
//! - sender → viewer: [`ScreenMessage::Frame`], [`ScreenMessage::Cursor`],
//!   [`ScreenMessage::Monitors`], [`ScreenMessage::Still`];
//! - viewer → sender: [`ScreenMessage::Ack`] (one per decoded frame, with its decode time),
//!   [`ScreenMessage::Settings`] (image quality and scale, A12; monitor; bandwidth cap) and
//!   [`ScreenMessage::StillRequest`] (a full-quality screenshot, A9).

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::{CapturedFrame, VideoFrame};

/// Image quality chosen by the agent (A12 图像质量). It sets the JPEG quality of tiles coded
/// lossy (photo and video regions); text and UI tiles stay lossless at every setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum ImageQuality {
    /// Best picture: lossy tiles at JPEG quality 90.
    Best,
    /// The default: lossy tiles at JPEG quality 75.
    #[default]
    Balanced,
    /// Least bandwidth: lossy tiles at JPEG quality 45, and more tiles are coded lossy.
    Low,
    /// A JPEG quality chosen by the agent, 1..=100 (values outside are clamped).
    Custom(u8),
}

impl ImageQuality {
    /// JPEG quality (1..=100) of lossy tiles at this setting.
    pub fn jpeg_quality(self) -> u8 {
        match self {
            ImageQuality::Best => 90,
            ImageQuality::Balanced => 75,
            ImageQuality::Low => 45,
            ImageQuality::Custom(q) => q.clamp(1, 100),
        }
    }
}

/// Scales the agent may choose (A12 缩放), in percent of the customer's screen size.
pub const SCALE_PERCENTS: [u8; 3] = [100, 75, 50];

/// Largest bandwidth cap, kbit/s; larger values mean "no cap".
pub const MAX_BANDWIDTH_CAP_KBPS: u32 = 1_000_000;

/// The viewer's wishes for a screen stream; sent whenever the agent changes one, and applied by
/// the sender before its next frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreamSettings {
    /// Image quality (A12).
    pub quality: ImageQuality,
    /// Scale in percent of the source size: one of [`SCALE_PERCENTS`] (others are rounded to
    /// the nearest of them by the sender).
    pub scale_percent: u8,
    /// Index into the sender's [`ScreenMessage::Monitors`] list; 0 is the primary monitor.
    pub monitor: u32,
    /// Upper bound of the stream's bandwidth in kbit/s, 0 for none. The sender paces frames to
    /// it (skipping frames, never queueing them); tests use it to emulate a slow link.
    pub max_kbps: u32,
    /// Highest frame rate the viewer wants, fps (1..=[`MAX_FPS`]).
    pub max_fps: u8,
}

impl Default for StreamSettings {
    fn default() -> Self {
        Self {
            quality: ImageQuality::Balanced,
            scale_percent: 100,
            monitor: 0,
            max_kbps: 0,
            max_fps: MAX_FPS,
        }
    }
}

/// Highest frame rate a sender produces, fps.
pub const MAX_FPS: u8 = 60;

/// One monitor of the sender's desktop, as reported in [`ScreenMessage::Monitors`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonitorInfo {
    /// Output name from the system (e.g. `HDMI-1`), or `Screen N`.
    pub name: String,
    /// Left edge on the desktop, px.
    pub x: i32,
    /// Top edge on the desktop, px.
    pub y: i32,
    /// Width, px.
    pub width: u32,
    /// Height, px.
    pub height: u32,
    /// The system's primary monitor.
    pub primary: bool,
}

/// Largest cursor image edge accepted, px.
pub const MAX_CURSOR_EDGE: u16 = 256;

/// A cursor image (shape), sent once per new shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CursorShape {
    /// Identifies the shape; a later [`CursorUpdate`] without a shape keeps the last one.
    pub serial: u32,
    /// Width, px (1..=[`MAX_CURSOR_EDGE`]).
    pub width: u16,
    /// Height, px (1..=[`MAX_CURSOR_EDGE`]).
    pub height: u16,
    /// Hot spot x within the image, px.
    pub hot_x: u16,
    /// Hot spot y within the image, px.
    pub hot_y: u16,
    /// `width × height` pixels, 4 bytes each: R, G, B, A (straight alpha).
    pub rgba: Vec<u8>,
}

impl CursorShape {
    /// Checks the sizes; a viewer drops shapes that fail.
    ///
    /// Errors: a message naming the bad field.
    pub fn validate(&self) -> Result<(), String> {
        if self.width == 0
            || self.height == 0
            || self.width > MAX_CURSOR_EDGE
            || self.height > MAX_CURSOR_EDGE
        {
            return Err(format!(
                "cursor {}x{} px is out of range (1..={MAX_CURSOR_EDGE})",
                self.width, self.height
            ));
        }
        if self.rgba.len() != self.width as usize * self.height as usize * 4 {
            return Err(format!(
                "cursor image is {} bytes, {}x{} needs {}",
                self.rgba.len(),
                self.width,
                self.height,
                self.width as usize * self.height as usize * 4
            ));
        }
        if self.hot_x >= self.width || self.hot_y >= self.height {
            return Err("cursor hot spot lies outside the image".into());
        }
        Ok(())
    }
}

/// Pointer position and, when it changed, shape, sent apart from the image so the viewer can
/// draw the cursor without waiting for a frame.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CursorUpdate {
    /// Pointer x in source px, relative to the captured monitor's top-left.
    pub x: i32,
    /// Pointer y in source px, relative to the captured monitor's top-left.
    pub y: i32,
    /// False when the pointer is hidden or outside the captured monitor.
    pub visible: bool,
    /// A new shape, or `None` to keep the previous one.
    pub shape: Option<CursorShape>,
}

/// Messages on a screen stream (see the module docs for directions).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ScreenMessage {
    /// A screen update.
    Frame(VideoFrame),
    /// The viewer decoded the frame with this sequence number.
    Ack {
        /// Sequence number acknowledged.
        seq: u64,
        /// Time the viewer spent decoding it, µs.
        decode_us: u32,
    },
    /// The viewer's settings; applied from the next frame on.
    Settings(StreamSettings),
    /// Pointer position and shape.
    Cursor(CursorUpdate),
    /// The sender's monitors (sent at the start and when they change).
    Monitors(Vec<MonitorInfo>),
    /// The viewer asks for a full-quality still of the current screen (A9).
    StillRequest {
        /// Echoed in the answer.
        id: u32,
    },
    /// The answer to [`ScreenMessage::StillRequest`]: a lossless key frame at 100 % scale, to
    /// be decoded with a fresh decoder.
    Still {
        /// The request's id.
        id: u32,
        /// The image.
        frame: VideoFrame,
    },
}

/// A source of screen images (the helper's X11/Windows capture, the agent's own screen for a
/// remote demo, or a synthetic one in tests). It lives on the encode thread only, so it need
/// not be `Send`; pipelines take a function that makes it there.
pub trait ScreenSource {
    /// Captures the current screen (the selected monitor) and passes it to `f`; may return
    /// without calling `f` when nothing changed.
    ///
    /// Errors: an I/O error if capture failed; the stream is ended then.
    fn capture(&mut self, f: &mut dyn FnMut(CapturedFrame<'_>)) -> std::io::Result<()>;

    /// Blocks up to `timeout` until the screen may have changed since the last capture; true if
    /// it may have. Sources without change notification sleep and return true.
    fn wait_for_change(&mut self, timeout: Duration) -> bool {
        std::thread::sleep(timeout);
        true
    }

    /// The monitors that can be captured; empty if the source has only one unnamed screen.
    fn monitors(&mut self) -> Vec<MonitorInfo> {
        Vec::new()
    }

    /// Captures monitor `index` of [`ScreenSource::monitors`] from now on.
    ///
    /// Errors: [`std::io::ErrorKind::InvalidInput`] for an index out of range.
    fn select_monitor(&mut self, index: u32) -> std::io::Result<()> {
        if index == 0 {
            Ok(())
        } else {
            Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("no monitor {index}"),
            ))
        }
    }

    /// The pointer, if it moved or changed shape since the last call (shape only when new).
    fn cursor(&mut self) -> Option<CursorUpdate> {
        None
    }
}
