//! Screenshot of a region of the customer's own screen for the chat (C4 截图).
//!
//! The customer presses the chat's Screenshot button: one frame of the monitor the helper is on
//! is grabbed on its own thread ([`grab_monitor`], through the same `porpoise_platform::capture`
//! as screen sharing), shown frozen in a full-screen always-on-top window
//! ([`crate::ui::region`]) where the customer drags a rectangle; Esc or a right-click cancels,
//! a double-click or Enter takes it. The region is cropped ([`crop`]) and encoded for the chat
//! with `chat_image::prepare` on another thread, then waits in [`RegionShot::take_result`]
//! until the chat sends it as a picture. No annotation tools (the agent console has those:
//! `agent-desktop/src/snip.rs`).
//!
//! [`RegionSelect`] is the pure selection state machine over [`RegionInput`]s in frame pixels
//! (x right, y down), unit-tested without a screen.

use porpoise_codec::chat_image;
use porpoise_ui::job::{Job, JobError};

/// A drag must span at least this many px in both directions to select a region; a smaller
/// drag (a click) keeps the previous selection.
pub const MIN_REGION_PX: u32 = 4;

/// A rectangle of frame pixels: columns `x..x + width`, rows `y..y + height`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PxRect {
    /// Left column, px.
    pub x: u32,
    /// Top row, px.
    pub y: u32,
    /// Width, px.
    pub width: u32,
    /// Height, px.
    pub height: u32,
}

impl PxRect {
    /// The rectangle between two pointer positions `a` and `b` (pixel corners, any order),
    /// clamped to a `bounds` (width, height) px frame.
    pub fn spanning(a: (i32, i32), b: (i32, i32), bounds: (u32, u32)) -> Self {
        let clamp = |v: i32, max: u32| v.clamp(0, max.min(i32::MAX as u32) as i32) as u32;
        let (ax, ay) = (clamp(a.0, bounds.0), clamp(a.1, bounds.1));
        let (bx, by) = (clamp(b.0, bounds.0), clamp(b.1, bounds.1));
        Self {
            x: ax.min(bx),
            y: ay.min(by),
            width: ax.abs_diff(bx),
            height: ay.abs_diff(by),
        }
    }
}

/// What the customer did on the frozen frame, in frame pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegionInput {
    /// The left button went down at a pixel (a drag may follow).
    Press(i32, i32),
    /// The pointer moved to a pixel with the left button down.
    Drag(i32, i32),
    /// The left button went up at a pixel.
    Release(i32, i32),
    /// A double-click (anywhere): take the selection.
    DoubleClick,
    /// Enter: take the selection.
    Enter,
    /// Esc: cancel.
    Escape,
    /// A right-click: cancel.
    SecondaryClick,
}

/// What the caller should do after an input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegionStep {
    /// Keep the window open.
    Stay,
    /// Take this region and close.
    Take(PxRect),
    /// Close without taking anything.
    Cancel,
}

/// The region selection over a frozen `size` px frame (see the module docs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionSelect {
    size: (u32, u32),
    anchor: Option<(i32, i32)>,
    dragging: Option<PxRect>,
    selection: Option<PxRect>,
}

impl RegionSelect {
    /// Nothing selected yet on a `width × height` px frame.
    pub fn new(width: u32, height: u32) -> Self {
        Self {
            size: (width, height),
            anchor: None,
            dragging: None,
            selection: None,
        }
    }

    /// The frame's size, px.
    pub fn size(&self) -> (u32, u32) {
        self.size
    }

    /// What to show: the rectangle being dragged, else the last selection.
    pub fn current(&self) -> Option<PxRect> {
        self.dragging.or(self.selection)
    }

    /// The selection that Enter or a double-click would take.
    pub fn selection(&self) -> Option<PxRect> {
        self.selection
    }

    /// Applies one input.
    pub fn apply(&mut self, input: RegionInput) -> RegionStep {
        match input {
            RegionInput::Press(x, y) => {
                self.anchor = Some((x, y));
                self.dragging = None;
            }
            RegionInput::Drag(x, y) => {
                if let Some(a) = self.anchor {
                    self.dragging = Some(PxRect::spanning(a, (x, y), self.size));
                }
            }
            RegionInput::Release(x, y) => {
                if let Some(a) = self.anchor.take() {
                    let r = PxRect::spanning(a, (x, y), self.size);
                    if r.width >= MIN_REGION_PX && r.height >= MIN_REGION_PX {
                        self.selection = Some(r);
                    }
                }
                self.dragging = None;
            }
            RegionInput::DoubleClick | RegionInput::Enter => {
                self.anchor = None;
                self.dragging = None;
                if let Some(r) = self.selection {
                    return RegionStep::Take(r);
                }
            }
            RegionInput::Escape | RegionInput::SecondaryClick => return RegionStep::Cancel,
        }
        RegionStep::Stay
    }
}

/// The pixels of `rect` out of an RGBA frame of `width × height` px (rows top first), clamped
/// to the frame. Returns the cropped RGBA and its size; an empty rectangle gives no pixels.
pub fn crop(rgba: &[u8], width: u32, height: u32, rect: PxRect) -> (Vec<u8>, u32, u32) {
    let x0 = rect.x.min(width);
    let y0 = rect.y.min(height);
    let x1 = rect.x.saturating_add(rect.width).min(width);
    let y1 = rect.y.saturating_add(rect.height).min(height);
    let (w, h) = (x1 - x0, y1 - y0);
    let stride = width as usize * 4;
    let mut out = Vec::with_capacity(w as usize * h as usize * 4);
    for row in y0..y1 {
        let start = row as usize * stride + x0 as usize * 4;
        match rgba.get(start..start + w as usize * 4) {
            Some(px) => out.extend_from_slice(px),
            None => return (Vec::new(), 0, 0),
        }
    }
    (out, w, h)
}

/// A frozen frame of one monitor: RGBA pixels and where the monitor lies on the desktop.
pub use porpoise_platform::capture::grab::Grabbed as Frozen;
pub use porpoise_platform::capture::grab::{monitor_at, GRAB_TIMEOUT};

/// Grabs one frame of the monitor containing desktop pixel `at` (the helper window's centre).
/// Blocks for the capture (tens of ms, at most [`GRAB_TIMEOUT`]).
///
/// Errors: the shared grab's error as text (no display, capture failure, timeout, malformed
/// frame).
pub fn grab_monitor(at: Option<(i32, i32)>) -> Result<Frozen, String> {
    porpoise_platform::capture::grab::grab_monitor(at).map_err(|e| e.to_string())
}

/// The open selection window: the frozen frame, the selection and the frame's texture.
pub struct OpenRegion {
    /// The frozen frame.
    pub frozen: Frozen,
    /// The selection.
    pub select: RegionSelect,
    /// The frame as a texture (uploaded by the UI on first use).
    pub texture: Option<egui::TextureHandle>,
}

impl std::fmt::Debug for OpenRegion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenRegion")
            .field("frozen", &self.frozen)
            .field("select", &self.select)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Default)]
enum Phase {
    #[default]
    Closed,
    Grabbing(Job<Result<Frozen, String>>),
    Open(Box<OpenRegion>),
    Encoding(Job<Result<Vec<u8>, String>>),
}

/// The region screenshot's life cycle: grab (own thread) → select → crop and encode (own
/// thread) → bytes for the chat in [`RegionShot::take_result`]. One per helper window.
#[derive(Debug, Default)]
pub struct RegionShot {
    phase: Phase,
    result: Option<Vec<u8>>,
    error: Option<String>,
}

impl RegionShot {
    /// Whether the tool is grabbing, open or encoding (a second start is ignored then).
    pub fn is_active(&self) -> bool {
        !matches!(self.phase, Phase::Closed)
    }

    /// Whether a frame is being grabbed or the region encoded (the button says so).
    pub fn is_busy(&self) -> bool {
        matches!(self.phase, Phase::Grabbing(_) | Phase::Encoding(_))
    }

    /// Grabs a frame of the monitor containing desktop pixel `at` on a new thread, then opens
    /// the selection. Ignored while active.
    pub fn start(&mut self, ctx: &egui::Context, at: Option<(i32, i32)>) {
        if self.is_active() {
            return;
        }
        self.error = None;
        let job = Job::start("region-grab", Some(ctx), move || grab_monitor(at));
        self.phase = Phase::Grabbing(job);
    }

    /// Opens the selection on `frozen` at once (tests, or a frame grabbed elsewhere).
    pub fn open_with(&mut self, frozen: Frozen) {
        let select = RegionSelect::new(frozen.monitor.width, frozen.monitor.height);
        self.error = None;
        self.phase = Phase::Open(Box::new(OpenRegion {
            frozen,
            select,
            texture: None,
        }));
    }

    /// The open selection window, if open.
    pub fn open_mut(&mut self) -> Option<&mut OpenRegion> {
        match &mut self.phase {
            Phase::Open(open) => Some(open),
            _ => None,
        }
    }

    /// Collects what the worker threads finished. Call once per frame.
    pub fn poll(&mut self) {
        let stopped = |e: JobError, what: &str| match e {
            JobError::Stopped => format!("the {what} thread stopped"),
            e => e.to_string(),
        };
        let done = match &mut self.phase {
            Phase::Grabbing(job) => match job.poll() {
                Some(Ok(Ok(frozen))) => {
                    self.open_with(frozen);
                    return;
                }
                Some(Ok(Err(e))) => Some(Err(e)),
                Some(Err(e)) => Some(Err(stopped(e, "capture"))),
                None => None,
            },
            Phase::Encoding(job) => match job.poll() {
                Some(Ok(r)) => Some(r),
                Some(Err(e)) => Some(Err(stopped(e, "encoder"))),
                None => None,
            },
            Phase::Closed | Phase::Open(_) => None,
        };
        match done {
            Some(Ok(bytes)) => {
                self.result = Some(bytes);
                self.phase = Phase::Closed;
            }
            Some(Err(e)) => {
                tracing::warn!(error = %e, "region screenshot failed");
                self.error = Some(e);
                self.phase = Phase::Closed;
            }
            None => {}
        }
    }

    /// Takes `rect` of the open frame: crops and encodes it on a new thread (the window closes
    /// at once).
    pub fn take(&mut self, ctx: &egui::Context, rect: PxRect) {
        let Phase::Open(open) = std::mem::take(&mut self.phase) else {
            return;
        };
        let job = Job::start("region-encode", Some(ctx), move || {
            let g = open.frozen.monitor;
            let (rgba, w, h) = crop(&open.frozen.rgba, g.width, g.height, rect);
            chat_image::prepare(&rgba, w, h).map_err(|e| e.to_string())
        });
        self.phase = Phase::Encoding(job);
    }

    /// Closes the window without taking anything.
    pub fn close(&mut self) {
        self.phase = Phase::Closed;
    }

    /// The last failure (grab or encode), shown beside the button until the next start.
    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }

    /// The encoded picture of a taken region (PNG, or JPEG when too big), once.
    pub fn take_result(&mut self) -> Option<Vec<u8>> {
        self.result.take()
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use porpoise_platform::capture::ScreenGeometry;

    use super::*;

    #[test]
    fn a_drag_selects_and_enter_or_double_click_takes_it() {
        let mut s = RegionSelect::new(100, 50);
        assert_eq!(
            s.apply(RegionInput::Enter),
            RegionStep::Stay,
            "nothing to take"
        );
        s.apply(RegionInput::Press(80, 40));
        s.apply(RegionInput::Drag(10, 5));
        let dragged = PxRect {
            x: 10,
            y: 5,
            width: 70,
            height: 35,
        };
        assert_eq!(s.current(), Some(dragged), "shown while dragging");
        assert_eq!(s.selection(), None);
        s.apply(RegionInput::Release(10, 5));
        assert_eq!(s.selection(), Some(dragged));
        assert_eq!(s.apply(RegionInput::DoubleClick), RegionStep::Take(dragged));
        assert_eq!(s.apply(RegionInput::Enter), RegionStep::Take(dragged));
    }

    #[test]
    fn drags_are_clamped_and_tiny_drags_keep_the_selection() {
        let mut s = RegionSelect::new(100, 50);
        s.apply(RegionInput::Press(-20, -20));
        s.apply(RegionInput::Release(500, 500));
        let whole = PxRect {
            x: 0,
            y: 0,
            width: 100,
            height: 50,
        };
        assert_eq!(s.selection(), Some(whole));
        s.apply(RegionInput::Press(30, 30));
        s.apply(RegionInput::Release(32, 40));
        assert_eq!(s.selection(), Some(whole), "a 2 px wide drag is a click");
        assert_eq!(s.apply(RegionInput::Escape), RegionStep::Cancel);
        assert_eq!(s.apply(RegionInput::SecondaryClick), RegionStep::Cancel);
    }

    #[test]
    fn crop_copies_exactly_the_region() {
        // 4×3 frame where each pixel's red is its x and green its y.
        let mut rgba = Vec::new();
        for y in 0..3u8 {
            for x in 0..4u8 {
                rgba.extend_from_slice(&[x, y, 0, 255]);
            }
        }
        let rect = PxRect {
            x: 1,
            y: 1,
            width: 2,
            height: 2,
        };
        let (out, w, h) = crop(&rgba, 4, 3, rect);
        assert_eq!((w, h), (2, 2));
        assert_eq!(
            out,
            [1, 1, 0, 255, 2, 1, 0, 255, 1, 2, 0, 255, 2, 2, 0, 255].to_vec()
        );
        let past = PxRect {
            x: 3,
            y: 2,
            width: 10,
            height: 10,
        };
        assert_eq!(crop(&rgba, 4, 3, past), (vec![3, 2, 0, 255], 1, 1));
    }

    #[test]
    fn the_taken_region_is_a_chat_picture_of_its_size() {
        let frozen = Frozen {
            rgba: vec![90; 64 * 32 * 4],
            monitor: ScreenGeometry {
                x: 0,
                y: 0,
                width: 64,
                height: 32,
            },
        };
        let mut shot = RegionShot::default();
        shot.open_with(frozen);
        let ctx = egui::Context::default();
        let rect = PxRect {
            x: 8,
            y: 4,
            width: 20,
            height: 10,
        };
        shot.take(&ctx, rect);
        let deadline = Instant::now() + Duration::from_secs(10);
        let bytes = loop {
            shot.poll();
            if let Some(b) = shot.take_result() {
                break b;
            }
            assert!(Instant::now() < deadline, "encoding never finished");
            std::thread::sleep(Duration::from_millis(5));
        };
        let info = chat_image::probe(&bytes).expect("valid chat picture");
        assert_eq!((info.width, info.height), (20, 10));
        assert!(!shot.is_active());
    }
}
