//! X11 backend (Linux): scrap's XCB shared-memory capture of the primary RandR monitor.

use std::{io, rc::Rc};

use scrap::x11::{Display, Server};

use super::ScreenGeometry;

/// An open X11 capture of one monitor.
pub(super) struct Capturer(scrap::x11::Capturer);

fn display_name() -> io::Result<String> {
    match std::env::var("DISPLAY") {
        Ok(name) if !name.is_empty() => Ok(name),
        _ => Err(io::Error::new(
            io::ErrorKind::NotFound,
            "no X display: DISPLAY is not set (screen sharing needs an X11 session; \
             on Wayland run the helper under XWayland)",
        )),
    }
}

fn primary_display() -> io::Result<Display> {
    let name = display_name()?;
    let server = Server::default().map_err(|e| {
        io::Error::new(
            io::ErrorKind::ConnectionRefused,
            format!("cannot connect to X display {name:?}: {e:?}"),
        )
    })?;
    let mut displays = Server::displays(Rc::new(server)).peekable();
    let first = displays.peek().map(|d| d.rect());
    let mut fallback = None;
    for display in displays {
        if display.is_default() {
            return Ok(display);
        }
        fallback.get_or_insert(display);
    }
    fallback.ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::NotFound,
            format!("X display {name:?} has no monitor to capture (first: {first:?})"),
        )
    })
}

fn geometry_of(display: &Display) -> ScreenGeometry {
    let rect = display.rect();
    ScreenGeometry {
        x: i32::from(rect.x),
        y: i32::from(rect.y),
        width: u32::from(rect.w),
        height: u32::from(rect.h),
    }
}

/// The primary monitor's geometry.
pub(super) fn geometry() -> io::Result<ScreenGeometry> {
    primary_display().map(|d| geometry_of(&d))
}

impl Capturer {
    /// Opens the primary monitor.
    pub(super) fn open() -> io::Result<(Self, ScreenGeometry)> {
        let display = primary_display()?;
        let geometry = geometry_of(&display);
        if geometry.width == 0 || geometry.height == 0 {
            return Err(io::Error::new(
                io::ErrorKind::NotFound,
                "the X monitor has no pixels",
            ));
        }
        let inner = scrap::x11::Capturer::new(display)?;
        Ok((Self(inner), geometry))
    }

    /// Calls `f` with the newest complete image, `4 × width × height` bytes of BGRX. X11
    /// capture never says `WouldBlock`.
    pub(super) fn with_frame(&mut self, f: &mut dyn FnMut(&[u8])) -> io::Result<()> {
        f(self.0.frame());
        Ok(())
    }
}
