//! One still frame of a local monitor, for the screenshot tools of both apps (the agent's snip
//! tool, A9, and the helper's region screenshot, C4): the monitor containing a desktop pixel
//! (the app window's centre), grabbed once and converted to RGBA. Blocking: run it on a worker
//! (`porpoise_ui::job::Job`).

use std::{
    io,
    time::{Duration, Instant},
};

use super::{ScreenCapture, ScreenGeometry};
use porpoise_codec::stream::{MonitorInfo, ScreenSource};

/// How long a grab waits for the platform's first frame (DXGI may have none at once).
pub const GRAB_TIMEOUT: Duration = Duration::from_secs(2);

/// A grabbed frame of one monitor.
#[derive(Clone, PartialEq, Eq)]
pub struct Grabbed {
    /// `monitor.width × monitor.height` pixels, RGBA, rows top first.
    pub rgba: Vec<u8>,
    /// The monitor's place and size on the desktop, px.
    pub monitor: ScreenGeometry,
}

impl std::fmt::Debug for Grabbed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Grabbed({:?}, {} bytes)", self.monitor, self.rgba.len())
    }
}

/// Why a grab failed.
#[derive(Debug, thiserror::Error)]
pub enum GrabError {
    /// The display could not be opened or captured.
    #[error("screen capture failed: {0}")]
    Capture(#[from] io::Error),
    /// No frame came within [`GRAB_TIMEOUT`].
    #[error("no screen image within {} ms", GRAB_TIMEOUT.as_millis())]
    Timeout,
    /// The frame's stride or length does not fit its size, or its size is not the monitor's.
    #[error("malformed frame {width}×{height}")]
    Malformed {
        /// Width, px.
        width: u32,
        /// Height, px.
        height: u32,
    },
}

/// The index of the monitor containing desktop pixel `at` (the app window's centre), else of
/// the primary monitor, else 0.
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
/// on no monitor). Blocks for the capture (tens of ms; at most [`GRAB_TIMEOUT`]).
///
/// Errors: [`GrabError::Capture`] when there is no display or capture fails,
/// [`GrabError::Timeout`], [`GrabError::Malformed`].
pub fn grab_monitor(at: Option<(i32, i32)>) -> Result<Grabbed, GrabError> {
    let mut capture = ScreenCapture::new()?;
    let monitors = capture.monitors();
    if !monitors.is_empty() {
        capture.select_monitor(monitor_at(&monitors, at))?;
    }
    let deadline = Instant::now() + GRAB_TIMEOUT;
    loop {
        let mut image: Option<Result<Vec<u8>, GrabError>> = None;
        capture.capture(&mut |frame| {
            let (w, h) = (frame.width as usize, frame.height as usize);
            image = Some(
                if frame.stride < w * 4 || frame.bgra.len() < frame.stride * h {
                    Err(GrabError::Malformed {
                        width: frame.width,
                        height: frame.height,
                    })
                } else {
                    let mut rgba = Vec::with_capacity(w * h * 4);
                    for row in frame.bgra.chunks_exact(frame.stride).take(h) {
                        for px in row[..w * 4].chunks_exact(4) {
                            rgba.extend_from_slice(&[px[2], px[1], px[0], 255]);
                        }
                    }
                    Ok(rgba)
                },
            );
        })?;
        if let Some(image) = image {
            let monitor = capture.geometry();
            let rgba = image?;
            if rgba.len() != monitor.width as usize * monitor.height as usize * 4 {
                return Err(GrabError::Malformed {
                    width: monitor.width,
                    height: monitor.height,
                });
            }
            return Ok(Grabbed { rgba, monitor });
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
    fn the_window_monitor_is_grabbed_else_the_primary() {
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
