//! Windows backend: scrap's DXGI desktop duplication of the primary output.
//!
//! The primary output is at desktop (0, 0) by definition on Windows.

use std::io;

use super::ScreenGeometry;

/// An open DXGI capture of the primary output.
pub(super) struct Capturer(scrap::Capturer);

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
pub(super) fn geometry() -> io::Result<ScreenGeometry> {
    primary_display().map(|d| geometry_of(&d))
}

impl Capturer {
    /// Opens the primary output.
    pub(super) fn open() -> io::Result<(Self, ScreenGeometry)> {
        let display = primary_display()?;
        let geometry = geometry_of(&display);
        let inner = scrap::Capturer::new(display)?;
        Ok((Self(inner), geometry))
    }

    /// Calls `f` with the next frame (BGRA, rows may be padded), or returns `WouldBlock` when
    /// nothing changed yet.
    pub(super) fn with_frame(&mut self, f: &mut dyn FnMut(&[u8])) -> io::Result<()> {
        let frame = self.0.frame()?;
        f(&frame[..]);
        Ok(())
    }
}
