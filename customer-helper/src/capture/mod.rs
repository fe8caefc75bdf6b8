//! Screen capture of the customer's primary display, behind
//! [`porpoise_shared::screen::ScreenSource`].
//!
//! One `cfg` switch picks the platform backend (X11 on Linux, DXGI on Windows, both through
//! scrap). Nothing here knows about the UI or the network: the end-to-end tests reuse it as a
//! headless customer.
//!
//! A [`ScreenCapture`] is not `Send` (the platform handles are thread-bound): make it on the
//! thread that uses it, e.g. pass [`make_capture`] to
//! [`porpoise_shared::screen::stream_screen`], which calls it on its encode thread.

use std::{
    io,
    time::{Duration, Instant},
};

use porpoise_shared::{codec::CapturedFrame, screen::ScreenSource};

#[cfg(target_os = "linux")]
#[path = "x11.rs"]
mod platform;
#[cfg(windows)]
#[path = "windows.rs"]
mod platform;

/// How long one [`ScreenSource::capture`] call retries while the platform says "no new frame yet"
/// (`WouldBlock`) before reporting "nothing changed".
pub const CAPTURE_RETRY_TIMEOUT: Duration = Duration::from_millis(50);
/// Pause between two retries while the platform says `WouldBlock`.
const CAPTURE_RETRY_PAUSE: Duration = Duration::from_millis(2);

/// Where the captured display lies on the desktop, in desktop pixels.
///
/// Remote pixel (0, 0) of the screen stream is desktop pixel (`x`, `y`); input coordinates are
/// translated with it (see [`crate::input`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScreenGeometry {
    /// Left edge of the display on the desktop, px.
    pub x: i32,
    /// Top edge of the display on the desktop, px.
    pub y: i32,
    /// Width, px.
    pub width: u32,
    /// Height, px.
    pub height: u32,
}

impl ScreenGeometry {
    /// Desktop pixel of remote pixel (`x`, `y`) (remote = relative to this display's top-left).
    pub fn desktop_px_from_remote_px(&self, x: i32, y: i32) -> (i32, i32) {
        (self.x.saturating_add(x), self.y.saturating_add(y))
    }
}

/// Captures the primary display (see the module docs). Frames are 32-bit BGRX.
pub struct ScreenCapture {
    inner: platform::Capturer,
    geometry: ScreenGeometry,
}

impl std::fmt::Debug for ScreenCapture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScreenCapture")
            .field("geometry", &self.geometry)
            .finish_non_exhaustive()
    }
}

impl ScreenCapture {
    /// Opens the primary display for capture.
    ///
    /// Errors: [`io::ErrorKind::NotFound`] when there is no display (no `DISPLAY` on Linux, no
    /// output on Windows), [`io::ErrorKind::ConnectionRefused`] when the display server refuses
    /// the connection, or the platform's error; each message says what to check.
    pub fn new() -> io::Result<Self> {
        let (inner, geometry) = platform::Capturer::open()?;
        Ok(Self { inner, geometry })
    }

    /// The captured display's place and size on the desktop.
    pub fn geometry(&self) -> ScreenGeometry {
        self.geometry
    }

    /// The captured image size (width, height) in px.
    pub fn size(&self) -> (u32, u32) {
        (self.geometry.width, self.geometry.height)
    }
}

impl ScreenSource for ScreenCapture {
    /// Captures the current screen and passes it to `f`, or returns without calling `f` when the
    /// platform has no new frame within [`CAPTURE_RETRY_TIMEOUT`] (nothing changed).
    ///
    /// Errors: the platform's capture error (display gone, device lost), or
    /// [`io::ErrorKind::InvalidData`] if the frame does not have the expected size.
    fn capture(&mut self, f: &mut dyn FnMut(CapturedFrame<'_>)) -> io::Result<()> {
        let (width, height) = self.size();
        let deadline = Instant::now() + CAPTURE_RETRY_TIMEOUT;
        loop {
            let mut checked = Ok(());
            let captured = self.inner.with_frame(&mut |bgra| {
                checked = checked_frame(bgra, width, height).map(&mut *f);
            });
            match captured {
                Ok(()) => return checked,
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

/// Wraps a raw capture buffer, deriving the stride from its length.
fn checked_frame(bgra: &[u8], width: u32, height: u32) -> io::Result<CapturedFrame<'_>> {
    let rows = height.max(1) as usize;
    let stride = bgra.len() / rows;
    if height == 0 || width == 0 || stride < width as usize * 4 {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "captured {} bytes for a {width}x{height} px screen",
                bgra.len()
            ),
        ));
    }
    Ok(CapturedFrame {
        width,
        height,
        stride,
        bgra: &bgra[..stride * rows],
    })
}

/// Opens the primary display for capture; the function to hand to
/// [`porpoise_shared::screen::stream_screen`].
///
/// Errors: as [`ScreenCapture::new`].
pub fn make_capture() -> io::Result<ScreenCapture> {
    ScreenCapture::new()
}

/// The primary display's place and size on the desktop, without keeping a capture open.
///
/// Errors: as [`ScreenCapture::new`].
pub fn screen_geometry() -> io::Result<ScreenGeometry> {
    platform::geometry()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stride_is_derived_from_the_buffer() {
        let buf = vec![0u8; 8 * (2 * 4 + 8)]; // 2 px wide, 8 rows, 8 bytes padding per row
        let frame = checked_frame(&buf, 2, 8).expect("frame");
        assert_eq!(frame.stride, 16);
        assert_eq!(frame.bgra.len(), 16 * 8);
    }

    #[test]
    fn short_buffer_is_an_error() {
        let buf = vec![0u8; 10];
        let err = checked_frame(&buf, 4, 4).expect_err("too short");
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);
    }

    #[test]
    fn geometry_translates_remote_to_desktop() {
        let g = ScreenGeometry {
            x: 1920,
            y: 0,
            width: 1280,
            height: 1024,
        };
        assert_eq!(g.desktop_px_from_remote_px(10, 20), (1930, 20));
    }
}
