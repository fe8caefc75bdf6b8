//! Windows backend: scrap's DXGI desktop duplication of the primary output. Monitor selection,
//! change notification and the cursor use the [`ScreenSource`] defaults (one monitor, sleep and
//! report a possible change, no cursor).
//!
//! The primary output is at desktop (0, 0) by definition on Windows.

use std::{
    io,
    time::{Duration, Instant},
};

use super::{checked_frame, ScreenGeometry, CAPTURE_RETRY_TIMEOUT};
use porpoise_codec::{stream::ScreenSource, CapturedFrame};

/// Pause between two retries while DXGI says `WouldBlock`.
const CAPTURE_RETRY_PAUSE: Duration = Duration::from_millis(2);

/// An open DXGI capture of the primary output.
pub(super) struct Capturer {
    inner: scrap::Capturer,
    geometry: ScreenGeometry,
}

fn primary_display() -> io::Result<scrap::Display> {
    scrap::Display::primary().map_err(|e| {
        io::Error::new(
            e.kind(),
            format!("no display to capture (is a desktop session active?): {e}"),
        )
    })
}

fn geometry_of(display: &scrap::Display) -> ScreenGeometry {
    ScreenGeometry {
        x: 0,
        y: 0,
        width: u32::try_from(display.width()).unwrap_or(0),
        height: u32::try_from(display.height()).unwrap_or(0),
    }
}

/// The primary output's geometry.
pub(super) fn primary_geometry() -> io::Result<ScreenGeometry> {
    primary_display().map(|d| geometry_of(&d))
}

impl Capturer {
    /// Opens the primary output (`display` names an X display and is ignored here).
    pub(super) fn open(_display: Option<&str>) -> io::Result<Self> {
        let display = primary_display()?;
        let geometry = geometry_of(&display);
        if geometry.width == 0 || geometry.height == 0 {
            return Err(io::Error::new(
                io::ErrorKind::NotFound,
                "the primary display has no pixels",
            ));
        }
        let inner = scrap::Capturer::new(display)?;
        Ok(Self { inner, geometry })
    }

    /// The captured output's place and size.
    pub(super) fn geometry(&self) -> ScreenGeometry {
        self.geometry
    }

    /// DXGI hands out GPU-mapped frames, not MIT-SHM.
    pub(super) fn uses_shared_memory(&self) -> bool {
        false
    }
}

impl ScreenSource for Capturer {
    /// Passes the next frame (BGRA, rows may be padded) to `f`, or returns without calling `f`
    /// when DXGI has no new frame within [`CAPTURE_RETRY_TIMEOUT`] (nothing changed).
    fn capture(&mut self, f: &mut dyn FnMut(CapturedFrame<'_>)) -> io::Result<()> {
        let (width, height) = (self.geometry.width, self.geometry.height);
        let deadline = Instant::now() + CAPTURE_RETRY_TIMEOUT;
        loop {
            match self.inner.frame() {
                Ok(frame) => return checked_frame(&frame[..], width, height).map(&mut *f),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    if Instant::now() >= deadline {
                        return Ok(());
                    }
                    std::thread::sleep(CAPTURE_RETRY_PAUSE);
                }
                Err(e) => return Err(e),
            }
        }
    }
}
