//! Grabbing the frozen frame of the screenshot tool (A9): one full frame of the agent's own
//! monitor, the one the console window is on, through the shared
//! [`porpoise_platform::capture::grab`] (X11 MIT-SHM on Linux, DXGI on Windows). Runs on its own
//! thread (see [`super::tool`]); nothing is hidden first, so the console itself is in the frame.

use porpoise_platform::capture::{grab, ScreenGeometry};

use super::raster::{RasterError, RgbaImage};

pub use porpoise_platform::capture::grab::{monitor_at, GRAB_TIMEOUT};

/// A frozen frame and where it lies on the desktop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frozen {
    /// The monitor's pixels.
    pub image: RgbaImage,
    /// The monitor's place and size on the desktop, px.
    pub monitor: ScreenGeometry,
}

/// Why a grab failed.
#[derive(Debug, thiserror::Error)]
pub enum GrabError {
    /// The display could not be captured, or no (well-formed) frame came in time.
    #[error(transparent)]
    Grab(#[from] grab::GrabError),
    /// The captured frame was malformed.
    #[error(transparent)]
    Frame(#[from] RasterError),
}

/// Grabs one frame of the monitor containing desktop pixel `at` (the primary one if `None` or
/// on no monitor). Blocks for the capture (tens of ms; up to [`GRAB_TIMEOUT`]).
///
/// Errors: [`GrabError::Grab`] (no display, capture failure, timeout), [`GrabError::Frame`].
pub fn grab_monitor(at: Option<(i32, i32)>) -> Result<Frozen, GrabError> {
    let grab::Grabbed { rgba, monitor } = grab::grab_monitor(at)?;
    let image = RgbaImage::new(monitor.width, monitor.height, rgba)?;
    Ok(Frozen { image, monitor })
}
