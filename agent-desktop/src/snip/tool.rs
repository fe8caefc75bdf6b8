//! The screenshot tool's life cycle (A9): grab a frame (own thread) → select and annotate
//! ([`Snip`]) → render and encode a PNG (own thread) → a [`SnipResult`] that waits in the
//! [`SnipTool`] until the chat takes it with [`SnipTool::take_result`].
//!
//! The UI thread only polls the worker [`Job`]s ([`SnipTool::poll`]); they request a repaint
//! when they are done.

use porpoise_ui::job::{Job, JobError};

use super::{
    grab::{grab_monitor, Frozen, GrabError},
    raster::{encode_png, render, RasterError, TextMask, TextRasterizer},
    Annotation, Snip, TEXT_SIZE_PX,
};

/// A taken screenshot.
#[derive(Clone, PartialEq, Eq)]
pub struct SnipResult {
    /// The PNG file's bytes (8-bit RGBA).
    pub png: Vec<u8>,
    /// Width, px.
    pub width: u32,
    /// Height, px.
    pub height: u32,
}

impl std::fmt::Debug for SnipResult {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "SnipResult({}×{} px, {} bytes of PNG)",
            self.width,
            self.height,
            self.png.len()
        )
    }
}

/// The open tool: the frozen frame, the selection state and the frame's texture once uploaded.
pub struct OpenSnip {
    /// The frozen frame.
    pub frozen: Frozen,
    /// Selection and annotations.
    pub snip: Snip,
    /// The frame as a texture (uploaded by the UI on first use).
    pub texture: Option<egui::TextureHandle>,
}

impl std::fmt::Debug for OpenSnip {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenSnip")
            .field("frozen", &self.frozen)
            .field("snip", &self.snip)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Default)]
enum ToolPhase {
    #[default]
    Closed,
    Grabbing(Job<Result<Frozen, GrabError>>),
    Open(Box<OpenSnip>),
    Encoding(Job<Result<SnipResult, RasterError>>),
}

/// The screenshot tool of the console (one per work area, `Workspace::snip`).
///
/// Start it with [`SnipTool::start`] (the chat's button, [`crate::ui::snip::snip_button`], or
/// the shortcut [`crate::ui::snip::SNIP_SHORTCUT`]); [`crate::ui::snip::snip_viewport`] shows it
/// each frame. The taken image waits in [`SnipTool::take_result`] (a newer one replaces it).
#[derive(Debug, Default)]
pub struct SnipTool {
    phase: ToolPhase,
    result: Option<SnipResult>,
    error: Option<String>,
}

impl SnipTool {
    /// Whether the tool is grabbing, open or encoding (a second start is ignored then).
    pub fn is_active(&self) -> bool {
        !matches!(self.phase, ToolPhase::Closed)
    }

    /// Grabs a frame of the monitor containing desktop pixel `at` (the console's centre) on a
    /// new thread, then opens the selection. Ignored while active.
    pub fn start(&mut self, ctx: &egui::Context, at: Option<(i32, i32)>) {
        if self.is_active() {
            return;
        }
        self.error = None;
        let job = Job::start("snip-grab", Some(ctx), move || grab_monitor(at));
        self.phase = ToolPhase::Grabbing(job);
    }

    /// Opens the selection on `frozen` at once (tests, or a frame grabbed elsewhere).
    pub fn open_with(&mut self, frozen: Frozen) {
        let snip = Snip::new(frozen.image.width(), frozen.image.height());
        self.error = None;
        self.phase = ToolPhase::Open(Box::new(OpenSnip {
            frozen,
            snip,
            texture: None,
        }));
    }

    /// Collects what the worker threads finished. Call once per frame.
    pub fn poll(&mut self) {
        let stopped = |e: JobError, what: &str| match e {
            JobError::Stopped => format!("the {what} thread stopped"),
            e => e.to_string(),
        };
        match &mut self.phase {
            ToolPhase::Grabbing(job) => match job.poll() {
                Some(Ok(Ok(frozen))) => self.open_with(frozen),
                Some(Ok(Err(e))) => self.fail(e.to_string()),
                Some(Err(e)) => self.fail(stopped(e, "capture")),
                None => {}
            },
            ToolPhase::Encoding(job) => match job.poll() {
                Some(Ok(Ok(result))) => {
                    self.result = Some(result);
                    self.phase = ToolPhase::Closed;
                }
                Some(Ok(Err(e))) => self.fail(e.to_string()),
                Some(Err(e)) => self.fail(stopped(e, "encoder")),
                None => {}
            },
            ToolPhase::Closed | ToolPhase::Open(_) => {}
        }
    }

    fn fail(&mut self, error: String) {
        tracing::warn!(%error, "screenshot failed");
        self.error = Some(error);
        self.phase = ToolPhase::Closed;
    }

    /// The open selection, if the tool is open.
    pub fn open_mut(&mut self) -> Option<&mut OpenSnip> {
        match &mut self.phase {
            ToolPhase::Open(open) => Some(open),
            _ => None,
        }
    }

    /// Whether the frame is still being grabbed.
    pub fn is_grabbing(&self) -> bool {
        matches!(self.phase, ToolPhase::Grabbing(_))
    }

    /// Closes the tool without taking anything.
    pub fn close(&mut self) {
        self.phase = ToolPhase::Closed;
    }

    /// After [`super::Step::Take`]: renders the taken region with its annotations and encodes
    /// it on a new thread (texts are turned into masks here with `text`, on the UI thread);
    /// `ctx` is repainted when done. Does nothing unless the tool is open with a region taken.
    pub fn finish(&mut self, ctx: &egui::Context, text: &dyn TextRasterizer) {
        let ToolPhase::Open(open) = std::mem::take(&mut self.phase) else {
            return;
        };
        let Some((rect, annotations)) = open.snip.taken() else {
            self.phase = ToolPhase::Open(open);
            return;
        };
        let masks = Masks::of(annotations, text);
        let annotations = annotations.to_vec();
        let frame = open.frozen.image;
        let job = Job::start("snip-encode", Some(ctx), move || {
            render(&frame, rect, &annotations, &masks).and_then(|image| {
                Ok(SnipResult {
                    png: encode_png(&image)?,
                    width: image.width(),
                    height: image.height(),
                })
            })
        });
        self.phase = ToolPhase::Encoding(job);
    }

    /// The taken screenshot, once (the chat attaches it to the message being written).
    pub fn take_result(&mut self) -> Option<SnipResult> {
        self.result.take()
    }

    /// Why the last grab or encoding failed (no display, capture error).
    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }
}

/// Text masks made on the UI thread for the encoder thread.
struct Masks(Vec<(String, TextMask)>);

impl Masks {
    fn of(annotations: &[Annotation], text: &dyn TextRasterizer) -> Self {
        let mut masks: Vec<(String, TextMask)> = Vec::new();
        for a in annotations {
            if let Annotation::Text { text: t, .. } = a {
                if masks.iter().all(|(s, _)| s != t) {
                    if let Some(mask) = text.mask(t, TEXT_SIZE_PX) {
                        masks.push((t.clone(), mask));
                    }
                }
            }
        }
        Masks(masks)
    }
}

impl TextRasterizer for Masks {
    fn mask(&self, text: &str, _size_px: f32) -> Option<TextMask> {
        self.0
            .iter()
            .find(|(t, _)| t == text)
            .map(|(_, m)| m.clone())
    }
}
