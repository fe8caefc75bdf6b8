//! Grabbing the frozen frame of the screenshot tool (A9): one full frame of the agent's own
//! monitor, the one the console window is on, through `porpoise_shared::capture` (X11 MIT-SHM
//! on Linux, DXGI on Windows). Runs on its own thread (see [`super::tool`]); nothing is hidden
//! first, so the console itself is in the frame.

use std::time::{Duration, Instant};

use porpoise_shared::{
    capture::{ScreenCapture, ScreenGeometry},
    stream::{MonitorInfo, ScreenSource},
};

use super::raster::{RasterError, RgbaImage};

/// How long a grab waits for the platform's first frame (DXGI may have none at once).
pub const GRAB_TIMEOUT: Duration = Duration::from_secs(2);

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
    /// The display could not be opened or captured.
    #[error("screen capture failed: {0}")]
    Capture(#[from] std::io::Error),
    /// No frame came within [`GRAB_TIMEOUT`].
    #[error("no screen image within {} ms", GRAB_TIMEOUT.as_millis())]
    Timeout,
    /// The captured frame was malformed.
    #[error(transparent)]
    Frame(#[from] RasterError),
}

/// The index of the monitor containing desktop pixel `at` (the console's centre), else of the
/// primary monitor, else 0.
pub fn monitor_at(monitors: &[MonitorInfo], at: Option<(i32, i32)>) -> u32 {
    let containing = at.and_then(|(x, y)| {
        monitors
            .iter()
            .position(|m| ScreenGeometry::from(m).contains_desktop_px(x, y))
    });
    let primary = || monitors.iter().position(|m| m.primary);
    containing.or_else(primary).unwrap_or(0) as u32
}

/// Grabs one frame of the monitor containing desktop pixel `at` (the primary one if `None` or
/// on no monitor). Blocks for the capture (tens of ms; up to [`GRAB_TIMEOUT`]).
///
/// Errors: [`GrabError::Capture`] when there is no display or capture fails,
/// [`GrabError::Timeout`], [`GrabError::Frame`] for a malformed frame.
pub fn grab_monitor(at: Option<(i32, i32)>) -> Result<Frozen, GrabError> {
    let mut capture = ScreenCapture::new()?;
    let monitors = capture.monitors();
    if !monitors.is_empty() {
        capture.select_monitor(monitor_at(&monitors, at))?;
    }
    let deadline = Instant::now() + GRAB_TIMEOUT;
    loop {
        let mut image = None;
        capture.capture(&mut |frame| image = Some(RgbaImage::from_bgrx(&frame)))?;
        if let Some(image) = image {
            return Ok(Frozen {
                image: image?,
                monitor: capture.geometry(),
            });
        }
        if Instant::now() >= deadline {
            return Err(GrabError::Timeout);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn monitor(x: i32, primary: bool) -> MonitorInfo {
        MonitorInfo {
            name: format!("M{x}"),
            x,
            y: 0,
            width: 1920,
            height: 1080,
            primary,
        }
    }

    #[test]
    fn the_console_monitor_is_grabbed_else_the_primary() {
        let monitors = [monitor(0, false), monitor(1920, true)];
        assert_eq!(monitor_at(&monitors, Some((100, 100))), 0);
        assert_eq!(monitor_at(&monitors, Some((2000, 100))), 1);
        assert_eq!(
            monitor_at(&monitors, Some((-50, 100))),
            1,
            "off every monitor"
        );
        assert_eq!(monitor_at(&monitors, None), 1);
        assert_eq!(monitor_at(&[], None), 0);
    }
}
