//! Screen capture of the local desktop, behind [`porpoise_codec::stream::ScreenSource`] (feature
//! `capture`). Used by the customer helper (sharing the customer's screen) and the agent console
//! (the remote demo: sharing the agent's own screen).
//!
//! One `cfg` switch picks the platform backend:
//!
//! - Linux: X11 through x11rb ([`ScreenCapture`] grabs the selected monitor with MIT-SHM, falls
//!   back to plain `GetImage` when the server has no usable MIT-SHM; XDamage tells
//!   [`ScreenSource::wait_for_change`] when something drew; RandR lists the monitors; XFixes
//!   reports cursor shapes);
//! - Windows: DXGI desktop duplication of the primary output through scrap (the newer trait
//!   methods use the trait's defaults there).
//!
//! Nothing here knows about the UI or the network: the end-to-end tests reuse it as a headless
//! customer.
//!
//! A [`ScreenCapture`] is not `Send` (the platform handles are thread-bound): make it on the
//! thread that uses it, e.g. pass [`make_capture`] to the screen pipeline, which calls it on its
//! encode thread.

use std::{
    io,
    sync::{Arc, Mutex},
    time::Duration,
};

use porpoise_codec::{
    stream::{CursorUpdate, MonitorInfo, ScreenSource},
    CapturedFrame,
};

pub mod grab;

#[cfg(target_os = "linux")]
#[path = "x11.rs"]
mod platform;
#[cfg(windows)]
#[path = "windows.rs"]
mod platform;

/// How long one [`ScreenSource::capture`] call retries while the platform says "no new frame yet"
/// (`WouldBlock`, Windows only) before reporting "nothing changed".
pub const CAPTURE_RETRY_TIMEOUT: Duration = Duration::from_millis(50);

/// Where the captured monitor lies on the desktop, in desktop pixels.
///
/// Remote pixel (0, 0) of the screen stream is desktop pixel (`x`, `y`); input coordinates are
/// translated with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScreenGeometry {
    /// Left edge of the monitor on the desktop, px.
    pub x: i32,
    /// Top edge of the monitor on the desktop, px.
    pub y: i32,
    /// Width, px.
    pub width: u32,
    /// Height, px.
    pub height: u32,
}

impl ScreenGeometry {
    /// Desktop pixel of remote pixel (`x`, `y`) (remote = relative to this monitor's top-left).
    pub fn desktop_px_from_remote_px(&self, x: i32, y: i32) -> (i32, i32) {
        (self.x.saturating_add(x), self.y.saturating_add(y))
    }

    /// Whether desktop pixel (`x`, `y`) lies on this monitor.
    pub fn contains_desktop_px(&self, x: i32, y: i32) -> bool {
        let (x, y) = (i64::from(x), i64::from(y));
        let (left, top) = (i64::from(self.x), i64::from(self.y));
        x >= left
            && y >= top
            && x < left + i64::from(self.width)
            && y < top + i64::from(self.height)
    }
}

impl From<&MonitorInfo> for ScreenGeometry {
    fn from(m: &MonitorInfo) -> Self {
        ScreenGeometry {
            x: m.x,
            y: m.y,
            width: m.width,
            height: m.height,
        }
    }
}

/// The captured monitor's geometry, kept current by a [`ScreenCapture`] (see
/// [`ScreenCapture::share_geometry`]) so that an input injector on another thread maps remote
/// pixels onto the monitor the viewer selected.
pub type SharedGeometry = Arc<Mutex<ScreenGeometry>>;

/// Captures one monitor of the local desktop, the primary one until
/// [`ScreenSource::select_monitor`] picks another (see the module docs). Frames are 32-bit BGRX.
pub struct ScreenCapture {
    inner: platform::Capturer,
    shared: Option<SharedGeometry>,
}

impl std::fmt::Debug for ScreenCapture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScreenCapture")
            .field("geometry", &self.inner.geometry())
            .finish_non_exhaustive()
    }
}

impl ScreenCapture {
    /// Opens the primary monitor of the local display for capture (`DISPLAY` on Linux).
    ///
    /// Errors: [`io::ErrorKind::NotFound`] when there is no display (no `DISPLAY` on Linux, no
    /// output on Windows), [`io::ErrorKind::ConnectionRefused`] when the display server refuses
    /// the connection, [`io::ErrorKind::Unsupported`] for a pixel format other than 32-bit
    /// BGRX, or the platform's error; each message says what to check.
    pub fn new() -> io::Result<Self> {
        Ok(Self {
            inner: platform::Capturer::open(None)?,
            shared: None,
        })
    }

    /// Opens the primary monitor of X display `display` (e.g. `:1`), ignoring `DISPLAY`.
    ///
    /// Errors: as [`ScreenCapture::new`].
    #[cfg(target_os = "linux")]
    pub fn with_display(display: &str) -> io::Result<Self> {
        Ok(Self {
            inner: platform::Capturer::open(Some(display))?,
            shared: None,
        })
    }

    /// The captured monitor's place and size on the desktop.
    pub fn geometry(&self) -> ScreenGeometry {
        self.inner.geometry()
    }

    /// The captured image size (width, height) in px.
    pub fn size(&self) -> (u32, u32) {
        let g = self.inner.geometry();
        (g.width, g.height)
    }

    /// Writes the captured monitor's geometry into `shared` now and whenever it changes
    /// (monitor selected, monitors rearranged), for the input injector.
    pub fn share_geometry(&mut self, shared: SharedGeometry) {
        self.shared = Some(shared);
        self.publish_geometry();
    }

    fn publish_geometry(&self) {
        if let Some(shared) = &self.shared {
            let g = self.inner.geometry();
            let mut current = shared.lock().unwrap_or_else(|e| e.into_inner());
            if *current != g {
                *current = g;
            }
        }
    }

    /// Whether frames come through shared memory (X11 MIT-SHM); false when capture fell back to
    /// copying every frame through the socket (slower), and on Windows.
    pub fn uses_shared_memory(&self) -> bool {
        self.inner.uses_shared_memory()
    }
}

impl ScreenSource for ScreenCapture {
    /// Captures the selected monitor and passes it to `f`. On Windows it returns without
    /// calling `f` when DXGI has no new frame within [`CAPTURE_RETRY_TIMEOUT`].
    ///
    /// Errors: the platform's capture error (display gone, device lost), or
    /// [`io::ErrorKind::InvalidData`] if the frame does not have the expected size.
    fn capture(&mut self, f: &mut dyn FnMut(CapturedFrame<'_>)) -> io::Result<()> {
        let result = self.inner.capture(f);
        self.publish_geometry();
        result
    }

    fn wait_for_change(&mut self, timeout: Duration) -> bool {
        self.inner.wait_for_change(timeout)
    }

    fn monitors(&mut self) -> Vec<MonitorInfo> {
        self.inner.monitors()
    }

    fn select_monitor(&mut self, index: u32) -> io::Result<()> {
        let result = self.inner.select_monitor(index);
        self.publish_geometry();
        result
    }

    fn cursor(&mut self) -> Option<CursorUpdate> {
        self.inner.cursor()
    }
}

/// Wraps a raw capture buffer, deriving the stride from its length.
#[cfg_attr(not(windows), allow(dead_code))]
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

/// Opens the primary monitor for capture; the function to hand to the screen pipeline.
///
/// Errors: as [`ScreenCapture::new`].
pub fn make_capture() -> io::Result<ScreenCapture> {
    ScreenCapture::new()
}

/// The primary monitor's place and size on the desktop, without keeping a capture open.
///
/// Errors: as [`ScreenCapture::new`].
pub fn screen_geometry() -> io::Result<ScreenGeometry> {
    platform::primary_geometry()
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
        assert!(g.contains_desktop_px(1920, 0));
        assert!(!g.contains_desktop_px(1919, 0));
        assert!(!g.contains_desktop_px(3200, 0));
    }
}
