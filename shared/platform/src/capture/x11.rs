//! X11 backend (Linux) on x11rb: MIT-SHM grabs of the selected RandR monitor, XDamage change
//! notification, XFixes cursor shapes.
//!
//! - Capture: `ShmGetImage` of the monitor's rectangle of the root window into one shared
//!   segment sized for the whole root (created by the server with MIT-SHM 1.2
//!   `CreateSegment` and mapped here), handed to the callback without a copy. Without a usable
//!   MIT-SHM (old server, remote display) it falls back to plain `GetImage` with a warning.
//! - Change notification: a `DamageReportLevel::NonEmpty` damage on the root; every capture
//!   subtracts it first, so a `DamageNotify` means "drawn since the last capture".
//!   [`ScreenSource::wait_for_change`] sleeps in poll(2) on the connection's socket.
//! - Monitors: RandR 1.5 `GetMonitors` (primary first), or the whole root as "Screen 1".
//! - Cursor: XFixes cursor notifications say when the shape changed (`GetCursorImage` then),
//!   `QueryPointer` gives the position.

use std::{
    io,
    time::{Duration, Instant},
};

use tracing::{debug, warn};
use x11rb::{
    connection::{Connection, RequestConnection},
    errors::{ConnectionError, ReplyError},
    protocol::{
        damage, randr, shm,
        xfixes::{self, ConnectionExt as _},
        xproto::{self, ConnectionExt as _, ImageFormat, ImageOrder},
        Event,
    },
    rust_connection::RustConnection,
    NONE,
};

use super::ScreenGeometry;
use porpoise_codec::{
    stream::{CursorShape, CursorUpdate, MonitorInfo, ScreenSource, MAX_CURSOR_EDGE},
    CapturedFrame,
};

fn display_error(display: Option<&str>) -> io::Result<String> {
    if let Some(name) = display {
        return Ok(name.to_owned());
    }
    match std::env::var("DISPLAY") {
        Ok(name) if !name.is_empty() => Ok(name),
        _ => Err(io::Error::new(
            io::ErrorKind::NotFound,
            "no X display: DISPLAY is not set (screen sharing needs an X11 session; \
             on Wayland run under XWayland)",
        )),
    }
}

fn connect(display: Option<&str>) -> io::Result<(RustConnection, usize, String)> {
    let name = display_error(display)?;
    let (conn, screen) = RustConnection::connect(Some(&name)).map_err(|e| {
        io::Error::new(
            io::ErrorKind::ConnectionRefused,
            format!(
                "cannot connect to X display {name:?}: {e} (is the X server running, and does \
                 it accept this user? check DISPLAY and XAUTHORITY)"
            ),
        )
    })?;
    Ok((conn, screen, name))
}

fn x_err(what: &str, e: impl std::fmt::Display) -> io::Error {
    io::Error::other(format!("X11 {what}: {e}"))
}

fn conn_err(e: ConnectionError) -> io::Error {
    io::Error::new(io::ErrorKind::BrokenPipe, format!("X connection lost: {e}"))
}

fn reply_err(what: &str, e: ReplyError) -> io::Error {
    match e {
        ReplyError::ConnectionError(e) => conn_err(e),
        ReplyError::X11Error(e) => x_err(what, format!("{:?}", e.error_kind)),
    }
}

/// Whether an extension is present, (after) negotiating its version.
fn has_extension(conn: &RustConnection, name: &'static str) -> bool {
    conn.extension_information(name).ok().flatten().is_some()
}

/// The monitors of the root window: RandR 1.5 monitors clipped to the root, primary first; the
/// whole root as "Screen 1" when RandR reports none.
fn query_monitors(
    conn: &RustConnection,
    root: xproto::Window,
    root_w: u16,
    root_h: u16,
    randr_ok: bool,
) -> Vec<MonitorInfo> {
    let mut out = Vec::new();
    if randr_ok {
        match randr::get_monitors(conn, root, true).map(|c| c.reply()) {
            Ok(Ok(reply)) => {
                let names: Vec<_> = reply
                    .monitors
                    .iter()
                    .map(|m| conn.get_atom_name(m.name).ok())
                    .collect();
                for (i, (m, cookie)) in reply.monitors.iter().zip(names).enumerate() {
                    let name = cookie
                        .and_then(|c| c.reply().ok())
                        .map(|r| String::from_utf8_lossy(&r.name).into_owned())
                        .filter(|n| !n.is_empty())
                        .unwrap_or_else(|| format!("Screen {}", i + 1));
                    // Clip to the root: GetImage outside it is a BadMatch.
                    let x0 = i32::from(m.x).clamp(0, i32::from(root_w));
                    let y0 = i32::from(m.y).clamp(0, i32::from(root_h));
                    let x1 = (i32::from(m.x) + i32::from(m.width)).clamp(0, i32::from(root_w));
                    let y1 = (i32::from(m.y) + i32::from(m.height)).clamp(0, i32::from(root_h));
                    if x1 <= x0 || y1 <= y0 {
                        continue;
                    }
                    out.push(MonitorInfo {
                        name,
                        x: x0,
                        y: y0,
                        width: (x1 - x0) as u32,
                        height: (y1 - y0) as u32,
                        primary: m.primary,
                    });
                }
            }
            Ok(Err(e)) => debug!("RandR GetMonitors failed: {e}"),
            Err(e) => debug!("RandR GetMonitors failed: {e}"),
        }
    }
    if out.is_empty() {
        out.push(MonitorInfo {
            name: "Screen 1".into(),
            x: 0,
            y: 0,
            width: u32::from(root_w),
            height: u32::from(root_h),
            primary: true,
        });
    }
    // Primary first, the others in RandR's order (sort is stable).
    out.sort_by_key(|m| !m.primary);
    out
}

/// The primary monitor's geometry.
pub(super) fn primary_geometry() -> io::Result<ScreenGeometry> {
    let (conn, screen, _) = connect(None)?;
    let s = &conn.setup().roots[screen];
    let randr_ok = randr_version(&conn);
    let monitors = query_monitors(
        &conn,
        s.root,
        s.width_in_pixels,
        s.height_in_pixels,
        randr_ok,
    );
    Ok(ScreenGeometry::from(&monitors[0]))
}

/// Negotiates RandR ≥ 1.5 (GetMonitors); false without it.
fn randr_version(conn: &RustConnection) -> bool {
    if !has_extension(conn, randr::X11_EXTENSION_NAME) {
        return false;
    }
    match randr::query_version(conn, 1, 5).map(|c| c.reply()) {
        Ok(Ok(v)) => (v.major_version, v.minor_version) >= (1, 5),
        _ => false,
    }
}

/// A server-created MIT-SHM segment mapped into this process.
struct ShmSegment {
    seg: shm::Seg,
    map: memmap2::Mmap,
}

/// Creates and maps a segment of `size` bytes (MIT-SHM 1.2 `CreateSegment`; writable for the server, mapped read-only here).
fn create_shm(conn: &RustConnection, size: usize) -> Result<ShmSegment, String> {
    if !has_extension(conn, shm::X11_EXTENSION_NAME) {
        return Err("the X server has no MIT-SHM extension".into());
    }
    let version = shm::query_version(conn)
        .map_err(|e| e.to_string())?
        .reply()
        .map_err(|e| e.to_string())?;
    if (version.major_version, version.minor_version) < (1, 2) {
        return Err(format!(
            "MIT-SHM {}.{} has no CreateSegment (needs 1.2)",
            version.major_version, version.minor_version
        ));
    }
    let size32 = u32::try_from(size).map_err(|_| "screen too large for one segment".to_string())?;
    let seg = conn.generate_id().map_err(|e| e.to_string())?;
    let reply = shm::create_segment(conn, seg, size32, false)
        .map_err(|e| e.to_string())?
        .reply()
        .map_err(|e| format!("CreateSegment failed (remote display?): {e}"))?;
    let file = std::fs::File::from(reply.shm_fd);
    let map = map_segment(&file, size).map_err(|e| format!("cannot map the segment: {e}"))?;
    Ok(ShmSegment { seg, map })
}

/// Maps the server's segment read-only.
#[allow(unsafe_code)]
fn map_segment(file: &std::fs::File, size: usize) -> io::Result<memmap2::Mmap> {
    // SAFETY: the file is a memfd the X server made for this connection only; nobody truncates
    // it. The server writes into it only while it serves one of our ShmGetImage requests, and we
    // read it only after that request's reply arrived and before we send the next one, so the
    // bytes do not change while a slice of them is borrowed.
    unsafe { memmap2::MmapOptions::new().len(size).map(file) }
}

/// An open X11 capture of one monitor.
pub(super) struct Capturer {
    conn: RustConnection,
    root: xproto::Window,
    root_w: u16,
    root_h: u16,
    randr_ok: bool,
    /// `None`: plain GetImage.
    shm: Option<ShmSegment>,
    /// Root damage, if the server has XDamage.
    damage: Option<damage::Damage>,
    /// Drawn since the last capture (or nothing captured yet).
    dirty: bool,
    monitors: Vec<MonitorInfo>,
    monitors_dirty: bool,
    selected: usize,
    geometry: ScreenGeometry,
    xfixes_ok: bool,
    /// XFixes announced a cursor shape we have not fetched yet.
    cursor_pending: bool,
    last_serial: Option<u32>,
    last_pointer: Option<(i32, i32, bool)>,
}

impl Capturer {
    /// Connects to `display` (or `DISPLAY`) and opens its primary monitor.
    pub(super) fn open(display: Option<&str>) -> io::Result<Self> {
        let (conn, screen, name) = connect(display)?;
        let setup = conn.setup();
        let s = &setup.roots[screen];
        let (root, root_w, root_h, depth) =
            (s.root, s.width_in_pixels, s.height_in_pixels, s.root_depth);
        let bpp = setup
            .pixmap_formats
            .iter()
            .find(|f| f.depth == depth)
            .map(|f| f.bits_per_pixel);
        if bpp != Some(32) || !(depth == 24 || depth == 32) {
            return Err(io::Error::new(
                io::ErrorKind::Unsupported,
                format!(
                    "X display {name:?} has depth {depth} at {bpp:?} bits per pixel; screen \
                     capture needs 24-bit colour stored as 32 bits per pixel"
                ),
            ));
        }
        if setup.image_byte_order != ImageOrder::LSB_FIRST {
            return Err(io::Error::new(
                io::ErrorKind::Unsupported,
                format!(
                    "X display {name:?} sends images MSB first; capture needs LSB first (BGRX)"
                ),
            ));
        }
        if root_w == 0 || root_h == 0 {
            return Err(io::Error::new(
                io::ErrorKind::NotFound,
                format!("X display {name:?} has no pixels"),
            ));
        }

        let shm = match create_shm(&conn, usize::from(root_w) * usize::from(root_h) * 4) {
            Ok(s) => Some(s),
            Err(why) => {
                warn!("screen capture without MIT-SHM ({why}): every frame is copied through the X socket, which is slower");
                None
            }
        };

        // XFixes first: XDamage needs it negotiated.
        let xfixes_ok = has_extension(&conn, xfixes::X11_EXTENSION_NAME)
            && matches!(conn.xfixes_query_version(5, 0).map(|c| c.reply()), Ok(Ok(v)) if v.major_version >= 2);
        if xfixes_ok {
            conn.xfixes_select_cursor_input(root, xfixes::CursorNotifyMask::DISPLAY_CURSOR)
                .map_err(conn_err)?;
        } else {
            warn!("X display {name:?} has no XFixes: the viewer gets no cursor shapes");
        }

        let damage = if xfixes_ok
            && has_extension(&conn, damage::X11_EXTENSION_NAME)
            && matches!(
                damage::query_version(&conn, 1, 1).map(|c| c.reply()),
                Ok(Ok(_))
            ) {
            let id = conn.generate_id().map_err(|e| x_err("id", e))?;
            damage::create(&conn, id, root, damage::ReportLevel::NON_EMPTY).map_err(conn_err)?;
            Some(id)
        } else {
            warn!("X display {name:?} has no XDamage: capturing at every tick");
            None
        };

        let randr_ok = randr_version(&conn);
        if randr_ok {
            randr::select_input(
                &conn,
                root,
                randr::NotifyMask::SCREEN_CHANGE
                    | randr::NotifyMask::CRTC_CHANGE
                    | randr::NotifyMask::OUTPUT_CHANGE,
            )
            .map_err(conn_err)?;
        }
        let monitors = query_monitors(&conn, root, root_w, root_h, randr_ok);
        let geometry = ScreenGeometry::from(&monitors[0]);
        conn.flush().map_err(conn_err)?;
        debug!(display = %name, shm = shm.is_some(), damage = damage.is_some(), ?monitors, "X11 capture open");
        Ok(Self {
            conn,
            root,
            root_w,
            root_h,
            randr_ok,
            shm,
            damage,
            dirty: true,
            monitors,
            monitors_dirty: false,
            selected: 0,
            geometry,
            xfixes_ok,
            cursor_pending: true,
            last_serial: None,
            last_pointer: None,
        })
    }

    /// The captured monitor's place and size.
    pub(super) fn geometry(&self) -> ScreenGeometry {
        self.geometry
    }

    pub(super) fn uses_shared_memory(&self) -> bool {
        self.shm.is_some()
    }

    /// Handles every event already received.
    fn drain_events(&mut self) -> io::Result<()> {
        while let Some(event) = self.conn.poll_for_event().map_err(conn_err)? {
            match event {
                Event::DamageNotify(_) => self.dirty = true,
                Event::XfixesCursorNotify(e) if Some(e.cursor_serial) != self.last_serial => {
                    self.cursor_pending = true;
                }
                Event::RandrScreenChangeNotify(_) | Event::RandrNotify(_) => {
                    self.monitors_dirty = true;
                    self.dirty = true;
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Re-reads the root size and the monitors after a RandR change, keeping the selected
    /// monitor by name when it still exists.
    fn refresh_monitors(&mut self) -> io::Result<()> {
        self.monitors_dirty = false;
        let geo = self
            .conn
            .get_geometry(self.root)
            .map_err(conn_err)?
            .reply()
            .map_err(|e| reply_err("GetGeometry", e))?;
        if (geo.width, geo.height) != (self.root_w, self.root_h) {
            self.root_w = geo.width;
            self.root_h = geo.height;
            let need = usize::from(geo.width) * usize::from(geo.height) * 4;
            if self.shm.as_ref().is_some_and(|s| s.map.len() < need) {
                if let Some(old) = self.shm.take() {
                    let _ = shm::detach(&self.conn, old.seg);
                }
                self.shm = match create_shm(&self.conn, need) {
                    Ok(s) => Some(s),
                    Err(why) => {
                        warn!("screen capture without MIT-SHM after a resize ({why})");
                        None
                    }
                };
            }
        }
        let old_name = self.monitors.get(self.selected).map(|m| m.name.clone());
        self.monitors = query_monitors(
            &self.conn,
            self.root,
            self.root_w,
            self.root_h,
            self.randr_ok,
        );
        self.selected = old_name
            .and_then(|n| self.monitors.iter().position(|m| m.name == n))
            .unwrap_or(0);
        self.geometry = ScreenGeometry::from(&self.monitors[self.selected]);
        self.last_pointer = None;
        debug!(monitors = ?self.monitors, selected = self.selected, "X11 monitors changed");
        Ok(())
    }
}

impl ScreenSource for Capturer {
    /// Grabs the selected monitor and passes it to `f` (always calls `f` on success).
    fn capture(&mut self, f: &mut dyn FnMut(CapturedFrame<'_>)) -> io::Result<()> {
        self.drain_events()?;
        if self.monitors_dirty {
            self.refresh_monitors()?;
        }
        if let Some(d) = self.damage {
            // Before the grab: whatever draws after it raises a new DamageNotify.
            damage::subtract(&self.conn, d, NONE, NONE).map_err(conn_err)?;
        }
        self.dirty = false;
        let g = self.geometry;
        let (x, y) = (g.x as i16, g.y as i16);
        let (w, h) = (g.width as u16, g.height as u16);
        let len = usize::from(w) * usize::from(h) * 4;
        match &self.shm {
            Some(seg) => {
                let reply = shm::get_image(
                    &self.conn,
                    self.root,
                    x,
                    y,
                    w,
                    h,
                    !0,
                    ImageFormat::Z_PIXMAP.into(),
                    seg.seg,
                    0,
                )
                .map_err(conn_err)?
                .reply()
                .map_err(|e| reply_err("ShmGetImage", e))?;
                if reply.size as usize != len || seg.map.len() < len {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!("ShmGetImage returned {} bytes for {w}x{h} px", reply.size),
                    ));
                }
                f(CapturedFrame {
                    width: g.width,
                    height: g.height,
                    stride: usize::from(w) * 4,
                    bgra: &seg.map[..len],
                });
            }
            None => {
                let reply = self
                    .conn
                    .get_image(ImageFormat::Z_PIXMAP, self.root, x, y, w, h, !0)
                    .map_err(conn_err)?
                    .reply()
                    .map_err(|e| reply_err("GetImage", e))?;
                if reply.data.len() < len {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!(
                            "GetImage returned {} bytes for {w}x{h} px",
                            reply.data.len()
                        ),
                    ));
                }
                f(CapturedFrame {
                    width: g.width,
                    height: g.height,
                    stride: usize::from(w) * 4,
                    bgra: &reply.data[..len],
                });
            }
        }
        Ok(())
    }

    /// Sleeps in poll(2) on the X socket until a DamageNotify (or a monitor change) arrives.
    fn wait_for_change(&mut self, timeout: Duration) -> bool {
        if self.damage.is_none() {
            std::thread::sleep(timeout);
            return true;
        }
        let deadline = Instant::now() + timeout;
        loop {
            // Errors end the wait with "changed": the next capture reports them.
            if self.conn.flush().is_err() || self.drain_events().is_err() {
                return true;
            }
            if self.dirty {
                return true;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            let stream = self.conn.stream();
            let mut fds = [rustix::event::PollFd::new(
                stream,
                rustix::event::PollFlags::IN,
            )];
            let ts = rustix::event::Timespec::try_from(left).ok();
            match rustix::event::poll(&mut fds, ts.as_ref()) {
                Ok(_) | Err(rustix::io::Errno::INTR) => {}
                Err(_) => return true,
            }
        }
    }

    fn monitors(&mut self) -> Vec<MonitorInfo> {
        if self.drain_events().is_ok() && self.monitors_dirty {
            if let Err(e) = self.refresh_monitors() {
                debug!("cannot re-read the monitors: {e}");
            }
        }
        self.monitors.clone()
    }

    fn select_monitor(&mut self, index: u32) -> io::Result<()> {
        let i = index as usize;
        let Some(m) = self.monitors.get(i) else {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("no monitor {index} (there are {})", self.monitors.len()),
            ));
        };
        self.geometry = ScreenGeometry::from(m);
        self.selected = i;
        self.dirty = true;
        self.last_pointer = None;
        Ok(())
    }

    /// Position from QueryPointer every call; the shape from GetCursorImage only after XFixes
    /// announced a new one.
    fn cursor(&mut self) -> Option<CursorUpdate> {
        self.drain_events().ok()?;
        let mut shape = None;
        if self.xfixes_ok && self.cursor_pending {
            self.cursor_pending = false;
            match self.conn.xfixes_get_cursor_image().map(|c| c.reply()) {
                Ok(Ok(img)) if Some(img.cursor_serial) != self.last_serial => {
                    self.last_serial = Some(img.cursor_serial);
                    shape = cursor_shape(&img);
                }
                Ok(Ok(_)) => {}
                Ok(Err(e)) => debug!("XFixesGetCursorImage failed: {e}"),
                Err(e) => debug!("XFixesGetCursorImage failed: {e}"),
            }
        }
        let p = self.conn.query_pointer(self.root).ok()?.reply().ok()?;
        let (x, y) = (i32::from(p.root_x), i32::from(p.root_y));
        let visible = p.same_screen && self.geometry.contains_desktop_px(x, y);
        let pos = (x - self.geometry.x, y - self.geometry.y, visible);
        if shape.is_none() && self.last_pointer == Some(pos) {
            return None;
        }
        self.last_pointer = Some(pos);
        Some(CursorUpdate {
            x: pos.0,
            y: pos.1,
            visible,
            shape,
        })
    }
}

/// The XFixes cursor image (ARGB, premultiplied) as a straight-alpha RGBA [`CursorShape`];
/// `None` when empty or larger than [`MAX_CURSOR_EDGE`].
fn cursor_shape(img: &xfixes::GetCursorImageReply) -> Option<CursorShape> {
    let (w, h) = (img.width, img.height);
    if w == 0 || h == 0 || w > MAX_CURSOR_EDGE || h > MAX_CURSOR_EDGE {
        debug!("cursor {w}x{h} px not sent");
        return None;
    }
    let n = usize::from(w) * usize::from(h);
    if img.cursor_image.len() < n {
        return None;
    }
    let mut rgba = Vec::with_capacity(n * 4);
    for &p in &img.cursor_image[..n] {
        rgba.extend_from_slice(&unpremultiply(p));
    }
    Some(CursorShape {
        serial: img.cursor_serial,
        width: w,
        height: h,
        hot_x: img.xhot.min(w - 1),
        hot_y: img.yhot.min(h - 1),
        rgba,
    })
}

/// One premultiplied ARGB pixel as straight RGBA.
fn unpremultiply(p: u32) -> [u8; 4] {
    let a = (p >> 24) as u8;
    if a == 0 {
        return [0, 0, 0, 0];
    }
    let un = |c: u32| -> u8 {
        let c = c & 0xff;
        ((c * 255 + u32::from(a) / 2) / u32::from(a)).min(255) as u8
    };
    [un(p >> 16), un(p >> 8), un(p), a]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn premultiplied_argb_becomes_straight_rgba() {
        assert_eq!(unpremultiply(0xff10_2030), [0x10, 0x20, 0x30, 0xff]);
        assert_eq!(unpremultiply(0x0000_0000), [0, 0, 0, 0]);
        assert_eq!(unpremultiply(0x8080_0000), [255, 0, 0, 0x80]);
        // Bad input (colour above alpha) is clamped.
        assert_eq!(unpremultiply(0x10ff_ffff), [255, 255, 255, 0x10]);
    }

    #[test]
    fn cursor_shape_is_valid_and_capped() {
        let mut img = xfixes::GetCursorImageReply {
            sequence: 0,
            length: 0,
            x: 0,
            y: 0,
            width: 2,
            height: 3,
            xhot: 5,
            yhot: 1,
            cursor_serial: 7,
            cursor_image: vec![0xff00_0000; 6],
        };
        let shape = cursor_shape(&img).expect("shape");
        shape.validate().expect("valid");
        assert_eq!((shape.hot_x, shape.hot_y, shape.serial), (1, 1, 7));
        img.width = MAX_CURSOR_EDGE + 1;
        assert!(cursor_shape(&img).is_none());
    }
}
