//! A probe X client for latency measurements: a window that shows a 16-bit frame counter as 16
//! black/white squares, redrawn every tick, and a marker square that switches between red and
//! green on each mouse button press. Draw and press times are kept (same process, same clock as
//! the viewer: [`Instant`]), and [`read_counter`] / [`read_marker`] read both back out of a
//! decoded RGBA canvas.
//!
//! Each update is a single `PutImage` request followed by a round trip (`GetInputFocus`), so a
//! capture sees either the old or the new pixels, and the recorded time is when the X server has
//! the new ones.

use std::{
    sync::{
        atomic::{AtomicBool, AtomicU32, Ordering},
        Arc, Mutex,
    },
    thread::JoinHandle,
    time::{Duration, Instant},
};

use anyhow::{Context, Result};
use x11rb::{
    connection::Connection,
    protocol::{
        xproto::{
            ConnectionExt as _, CreateGCAux, CreateWindowAux, EventMask, ImageFormat, WindowClass,
        },
        Event,
    },
    rust_connection::RustConnection,
    wrapper::ConnectionExt as _,
    COPY_DEPTH_FROM_PARENT,
};

/// Top-left corner of the probe window on the screen, px.
pub const ORIGIN: (i32, i32) = (200, 200);
/// Bits of the counter (one square each, most significant first, left to right).
pub const BITS: u32 = 16;
/// Edge of a counter square, px.
pub const SQUARE: u32 = 16;
/// Edge of the marker square, px; it lies below the counter.
pub const MARKER: u32 = 64;
/// Marker offset inside the window, px.
const MARKER_AT: (u32, u32) = (0, 32);
const WINDOW: (u32, u32) = (BITS * SQUARE, MARKER_AT.1 + MARKER);

/// Marker colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Marker {
    /// Pure red (the state after an even number of presses).
    Red,
    /// Pure green.
    Green,
}

impl Marker {
    fn pixel(self) -> [u8; 4] {
        match self {
            Marker::Red => [0, 0, 255, 0],
            Marker::Green => [0, 255, 0, 0],
        }
    }
}

/// The marker's centre on the screen, px: where to click.
pub fn marker_center() -> (i32, i32) {
    (
        ORIGIN.0 + (MARKER_AT.0 + MARKER / 2) as i32,
        ORIGIN.1 + (MARKER_AT.1 + MARKER / 2) as i32,
    )
}

/// Reads the counter from an RGBA canvas of `width` px per row; `None` if a square is neither
/// clearly black nor clearly white (not drawn yet, or garbled by a lossy codec).
pub fn read_counter(rgba: &[u8], width: u32) -> Option<u16> {
    let mut value = 0u16;
    for bit in 0..BITS {
        let x = ORIGIN.0 as u32 + bit * SQUARE + SQUARE / 2;
        let y = ORIGIN.1 as u32 + SQUARE / 2;
        let i = (y as usize * width as usize + x as usize) * 4;
        let p = rgba.get(i..i + 3)?;
        let luma = (u32::from(p[0]) * 3 + u32::from(p[1]) * 6 + u32::from(p[2])) / 10;
        let one = match luma {
            0..=63 => false,
            192..=255 => true,
            _ => return None,
        };
        value = value << 1 | u16::from(one);
    }
    Some(value)
}

/// Reads the marker colour from an RGBA canvas of `width` px per row.
pub fn read_marker(rgba: &[u8], width: u32) -> Option<Marker> {
    let (x, y) = marker_center();
    let i = (y as usize * width as usize + x as usize) * 4;
    let p = rgba.get(i..i + 3)?;
    match (p[0] > 160, p[1] > 160, p[2] > 160) {
        (true, false, false) => Some(Marker::Red),
        (false, true, false) => Some(Marker::Green),
        _ => None,
    }
}

/// Times the probe recorded.
#[derive(Debug)]
pub struct ProbeTimes {
    /// `drawn[c]`: when counter value `c` was last on the X server.
    pub drawn: Vec<Option<Instant>>,
    /// When each button press arrived, with the marker colour it switched to.
    pub presses: Vec<(Instant, Marker)>,
}

/// The running probe window; stops on drop.
pub struct Probe {
    /// Recorded times.
    pub times: Arc<Mutex<ProbeTimes>>,
    conn: Arc<RustConnection>,
    window: u32,
    stop: Arc<AtomicBool>,
    threads: Vec<JoinHandle<()>>,
}

impl Probe {
    /// Opens the window on `display` and starts the counter, one value per `tick`.
    ///
    /// Errors: the X connection or a request failed.
    pub fn start(display: &str, tick: Duration) -> Result<Probe> {
        let (conn, screen_num) =
            x11rb::connect(Some(display)).with_context(|| format!("connecting to {display}"))?;
        let conn = Arc::new(conn);
        let screen = conn.setup().roots[screen_num].clone();
        let window = conn.generate_id()?;
        conn.create_window(
            COPY_DEPTH_FROM_PARENT,
            window,
            screen.root,
            ORIGIN.0 as i16,
            ORIGIN.1 as i16,
            WINDOW.0 as u16,
            WINDOW.1 as u16,
            0,
            WindowClass::INPUT_OUTPUT,
            0,
            &CreateWindowAux::new()
                .background_pixel(screen.black_pixel)
                .override_redirect(1)
                .event_mask(EventMask::BUTTON_PRESS | EventMask::EXPOSURE),
        )?;
        conn.map_window(window)?;
        let gc = conn.generate_id()?;
        conn.create_gc(gc, window, &CreateGCAux::new())?;
        conn.sync()?;
        let depth = screen.root_depth;
        let times = Arc::new(Mutex::new(ProbeTimes {
            drawn: vec![None; 1 << BITS],
            presses: Vec::new(),
        }));
        let stop = Arc::new(AtomicBool::new(false));
        // 0 = red, 1 = green.
        let marker = Arc::new(AtomicU32::new(0));
        let draw_marker = {
            let conn = conn.clone();
            move |m: Marker| -> Result<()> {
                let img: Vec<u8> = std::iter::repeat_n(m.pixel(), (MARKER * MARKER) as usize)
                    .flatten()
                    .collect();
                conn.put_image(
                    ImageFormat::Z_PIXMAP,
                    window,
                    gc,
                    MARKER as u16,
                    MARKER as u16,
                    MARKER_AT.0 as i16,
                    MARKER_AT.1 as i16,
                    0,
                    depth,
                    &img,
                )?;
                conn.sync()?;
                Ok(())
            }
        };
        draw_marker(Marker::Red)?;
        let mut threads = Vec::new();
        {
            let (conn, times, stop) = (conn.clone(), times.clone(), stop.clone());
            threads.push(
                std::thread::Builder::new()
                    .name("probe-counter".into())
                    .spawn(move || {
                        let start = Instant::now();
                        let mut value: u16 = 0;
                        let mut n: u32 = 0;
                        while !stop.load(Ordering::Relaxed) {
                            value = value.wrapping_add(1);
                            let mut img = Vec::with_capacity((WINDOW.0 * SQUARE * 4) as usize);
                            for _row in 0..SQUARE {
                                for bit in 0..BITS {
                                    let on = value >> (BITS - 1 - bit) & 1 == 1;
                                    let px = if on { [255, 255, 255, 0] } else { [0, 0, 0, 0] };
                                    for _ in 0..SQUARE {
                                        img.extend_from_slice(&px);
                                    }
                                }
                            }
                            let ok = conn
                                .put_image(
                                    ImageFormat::Z_PIXMAP,
                                    window,
                                    gc,
                                    WINDOW.0 as u16,
                                    SQUARE as u16,
                                    0,
                                    0,
                                    0,
                                    depth,
                                    &img,
                                )
                                .is_ok()
                                && conn.sync().is_ok();
                            if !ok {
                                return;
                            }
                            let now = Instant::now();
                            if let Ok(mut t) = times.lock() {
                                t.drawn[value as usize] = Some(now);
                            }
                            n += 1;
                            let next = start + tick * n;
                            std::thread::sleep(next.saturating_duration_since(Instant::now()));
                        }
                    })?,
            );
        }
        {
            let (conn, times, stop) = (conn.clone(), times.clone(), stop.clone());
            threads.push(
                std::thread::Builder::new()
                    .name("probe-events".into())
                    .spawn(move || {
                        while !stop.load(Ordering::Relaxed) {
                            let Ok(event) = conn.wait_for_event() else {
                                return;
                            };
                            let current = || {
                                if marker.load(Ordering::Relaxed) == 0 {
                                    Marker::Red
                                } else {
                                    Marker::Green
                                }
                            };
                            match event {
                                Event::ButtonPress(_) => {
                                    marker.fetch_xor(1, Ordering::Relaxed);
                                    let m = current();
                                    if draw_marker(m).is_err() {
                                        return;
                                    }
                                    if let Ok(mut t) = times.lock() {
                                        t.presses.push((Instant::now(), m));
                                    }
                                }
                                Event::Expose(_) if draw_marker(current()).is_err() => return,
                                _ => {}
                            }
                        }
                    })?,
            );
        }
        Ok(Probe {
            times,
            conn,
            window,
            stop,
            threads,
        })
    }

    /// When counter value `c` was drawn (its latest drawing).
    pub fn drawn(&self, c: u16) -> Option<Instant> {
        self.times.lock().ok()?.drawn[c as usize]
    }
}

impl Drop for Probe {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        let _ = self.conn.destroy_window(self.window);
        let _ = self.conn.sync();
        // The counter thread stops at its next tick; the event thread may be blocked waiting
        // for an event and ends with the process.
        if let Some(counter) = self.threads.drain(..).next() {
            let _ = counter.join();
        }
    }
}
