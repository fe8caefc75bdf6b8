//! Showing a screen stream in egui, for the agent console (the customer's screen) and the
//! helper (the agent's screen in a remote demo): the decode thread's hand-off buffer
//! ([`ScreenFeed`]), the texture that shows it ([`ScreenTexture`]), the cursor drawn locally, and
//! the mapping between UI points and remote pixels ([`remote_px_from_ui_pt`]).
//!
//! Flow: [`porpoise_quic::screen::view_screen_with`] decodes on its own thread and calls
//! [`ScreenFeed::push`] with each event; the UI thread calls [`ScreenTexture::sync`] once per
//! frame, which takes whatever accumulated and uploads only the changed tiles
//! (`TextureHandle::set_partial`), or the whole canvas after a key frame.
//!
//! Only compiled with the `ui` and `client` features.

use std::{
    collections::VecDeque,
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc, Mutex,
    },
};

use egui::{pos2, Color32, Pos2, Rect, TextureHandle, TextureOptions};

use porpoise_codec::{
    stream::{CursorShape, MonitorInfo},
    TileRect,
};
use porpoise_quic::screen::{ScreenUpdate, StillImage, ViewerEvent, ViewerHandle};

/// Window over which fps and KB/frame are averaged, in seconds.
pub const STATS_WINDOW_S: f64 = 1.0;

/// Largest texture side assumed until the UI reported the renderer's own, in px: the minimum
/// every OpenGL ES 2 renderer supports.
pub const FALLBACK_MAX_TEXTURE_SIDE: usize = 2048;

/// Updates decoded but not yet uploaded. Memory is bounded: once the pending tiles would
/// exceed one whole canvas they are replaced by a copy of the canvas.
#[derive(Debug, Default)]
pub struct PendingScreen {
    /// Canvas size in canvas px (width, height); 0×0 before the first key frame.
    pub size: [usize; 2],
    /// Size of the sender's screen in px (the canvas may be scaled down, A12).
    pub source_size: [usize; 2],
    /// The whole canvas (RGBA, `size[0] × size[1] × 4` bytes), set after a key frame or an
    /// overflow; apply it before `tiles`.
    pub full: Option<Vec<u8>>,
    /// Changed rectangles with their tightly packed RGBA pixels, oldest first.
    pub tiles: Vec<(TileRect, Vec<u8>)>,
    /// Bytes held in `tiles`.
    pub tile_bytes: usize,
    /// Frames decoded since the last take.
    pub frames: u32,
    /// Encoded bytes of those frames.
    pub encoded_bytes: u64,
    /// Decode time of the last frame, µs.
    pub decode_us: u32,
    /// The newest pointer position (source px) and visibility, if it changed.
    pub cursor: Option<([i32; 2], bool)>,
    /// A new cursor shape, if one arrived.
    pub cursor_shape: Option<CursorShape>,
    /// The sender's monitor list, if it arrived.
    pub monitors: Option<Vec<MonitorInfo>>,
    /// Stills that arrived (A9).
    pub stills: Vec<StillImage>,
}

/// The coalescing hand-off between the decode thread and the UI thread, plus the handle that
/// sends the viewer's settings back to the sender.
#[derive(Debug, Default)]
pub struct ScreenFeed {
    pending: Mutex<PendingScreen>,
    handle: Option<ViewerHandle>,
    /// The renderer's largest texture side in px (0: not reported yet).
    max_texture_side: AtomicUsize,
}

/// Feeds are equal only to themselves (identity), so events carrying one can derive `Eq`.
impl PartialEq for ScreenFeed {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other)
    }
}

impl Eq for ScreenFeed {}

impl ScreenFeed {
    /// A new, empty feed without a way to talk back (tests, or viewers without settings).
    pub fn new() -> Arc<Self> {
        Arc::default()
    }

    /// A new feed whose viewer settings and still requests go to `handle`.
    pub fn with_handle(handle: ViewerHandle) -> Arc<Self> {
        Arc::new(Self {
            pending: Mutex::default(),
            handle: Some(handle),
            max_texture_side: AtomicUsize::new(0),
        })
    }

    /// Sets the renderer's largest texture side, px (from `egui::InputState::max_texture_side`;
    /// [`ScreenTexture::sync`] does it each frame). A canvas with a longer side is handed over
    /// scaled down by a whole factor, so the texture always fits (a remote canvas may be up to
    /// `MAX_SCREEN_EDGE` px wide).
    pub fn set_max_texture_side(&self, side: usize) {
        self.max_texture_side.store(side, Ordering::Relaxed);
    }

    /// The whole factor a `w`×`h` canvas is divided by before upload (1: it fits).
    fn texture_factor(&self, w: usize, h: usize) -> usize {
        let side = match self.max_texture_side.load(Ordering::Relaxed) {
            0 => FALLBACK_MAX_TEXTURE_SIDE,
            s => s,
        };
        w.max(h).div_ceil(side.max(1)).max(1)
    }

    /// The handle to the sender, if any.
    pub fn handle(&self) -> Option<&ViewerHandle> {
        self.handle.as_ref()
    }

    /// Records one viewer event (called on the decode thread).
    pub fn push_event(&self, event: ViewerEvent<'_>) {
        match event {
            ViewerEvent::Frame(update) => self.push(&update),
            ViewerEvent::Cursor(c) => {
                if let Ok(mut p) = self.pending.lock() {
                    p.cursor = Some(([c.x, c.y], c.visible));
                    if let Some(shape) = &c.shape {
                        p.cursor_shape = Some(shape.clone());
                    }
                }
            }
            ViewerEvent::Monitors(m) => {
                if let Ok(mut p) = self.pending.lock() {
                    p.monitors = Some(m.to_vec());
                }
            }
            ViewerEvent::Still(still) => {
                if let Ok(mut p) = self.pending.lock() {
                    p.stills.push(still);
                }
            }
        }
    }

    /// Records one decoded update (called on the decode thread).
    pub fn push(&self, update: &ScreenUpdate<'_>) {
        let (w, h) = update.decoder.size();
        let (sw, sh) = update.decoder.source_size();
        let size = [w as usize, h as usize];
        let changed: usize = update
            .changed
            .iter()
            .map(|r| r.w as usize * r.h as usize * 4)
            .sum();
        let Ok(mut p) = self.pending.lock() else {
            return;
        };
        p.frames += 1;
        p.encoded_bytes += update.encoded_bytes as u64;
        p.decode_us = update.decode_us;
        p.source_size = [sw as usize, sh as usize];
        let factor = self.texture_factor(size[0], size[1]);
        if factor > 1 {
            // Larger than the renderer's textures: hand over the whole canvas, scaled down
            // (here, on the decode thread), every frame.
            let (rgba, scaled) = box_downscale(update.decoder.rgba(), size, factor);
            p.size = scaled;
            p.full = Some(rgba);
            p.tiles.clear();
            p.tile_bytes = 0;
            return;
        }
        let canvas_bytes = size[0] * size[1] * 4;
        if update.key || p.size != size || p.tile_bytes + changed > canvas_bytes {
            p.size = size;
            p.full = Some(update.decoder.rgba().to_vec());
            p.tiles.clear();
            p.tile_bytes = 0;
        } else {
            for r in update.changed {
                let px = update.decoder.rgba_of(*r);
                p.tile_bytes += px.len();
                p.tiles.push((*r, px));
            }
        }
    }

    /// Takes everything pending, leaving the feed empty (called on the UI thread).
    pub fn take(&self) -> PendingScreen {
        let Ok(mut p) = self.pending.lock() else {
            return PendingScreen::default();
        };
        let (size, source_size) = (p.size, p.source_size);
        let taken = std::mem::take(&mut *p);
        p.size = size;
        p.source_size = source_size;
        taken
    }
}

/// `rgba` (`size[0]`×`size[1]` px, RGBA) scaled down by `factor`: each output pixel is the mean
/// of a `factor`×`factor` block (edge blocks are smaller). Returns the pixels and their size.
fn box_downscale(rgba: &[u8], size: [usize; 2], factor: usize) -> (Vec<u8>, [usize; 2]) {
    let [w, h] = size;
    let out_size = [w.div_ceil(factor), h.div_ceil(factor)];
    let mut out = vec![0u8; out_size[0] * out_size[1] * 4];
    if rgba.len() < w * h * 4 {
        return (out, out_size);
    }
    for oy in 0..out_size[1] {
        let y0 = oy * factor;
        let y1 = (y0 + factor).min(h);
        for ox in 0..out_size[0] {
            let x0 = ox * factor;
            let x1 = (x0 + factor).min(w);
            let mut sum = [0u32; 4];
            for y in y0..y1 {
                for px in rgba[(y * w + x0) * 4..(y * w + x1) * 4].chunks_exact(4) {
                    for (s, v) in sum.iter_mut().zip(px) {
                        *s += u32::from(*v);
                    }
                }
            }
            let n = ((y1 - y0) * (x1 - x0)) as u32;
            let at = (oy * out_size[0] + ox) * 4;
            for (o, s) in out[at..at + 4].iter_mut().zip(sum) {
                *o = (s / n) as u8;
            }
        }
    }
    (out, out_size)
}

/// The remote cursor as the viewer draws it.
#[derive(Default)]
pub struct RemoteCursor {
    /// Position in source px.
    pub pos: [i32; 2],
    /// Whether the sender shows it on the captured monitor.
    pub visible: bool,
    /// Hot spot within the image, px.
    pub hot: [u16; 2],
    /// Image size, px.
    pub size: [u16; 2],
    /// The shape's texture, once a shape arrived.
    pub texture: Option<TextureHandle>,
}

impl std::fmt::Debug for RemoteCursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RemoteCursor")
            .field("pos", &self.pos)
            .field("visible", &self.visible)
            .field("size", &self.size)
            .finish_non_exhaustive()
    }
}

/// The texture of one screen stream and everything needed to draw it.
pub struct ScreenTexture {
    feed: Arc<ScreenFeed>,
    texture: Option<TextureHandle>,
    name: String,
    /// Canvas size in px; 0×0 until the first key frame is uploaded.
    pub size: [usize; 2],
    /// Sender's screen size in px (input and cursor coordinates use it).
    pub source_size: [usize; 2],
    /// Frame statistics.
    pub rate: FrameRate,
    /// Decode time of the last frame, µs.
    pub decode_us: u32,
    /// The remote cursor.
    pub cursor: RemoteCursor,
    /// The sender's monitors (empty until reported).
    pub monitors: Vec<MonitorInfo>,
}

impl std::fmt::Debug for ScreenTexture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScreenTexture")
            .field("size", &self.size)
            .field("source_size", &self.source_size)
            .field("texture", &self.texture.as_ref().map(|t| t.id()))
            .finish_non_exhaustive()
    }
}

impl ScreenTexture {
    /// Shows the updates arriving in `feed`; `name` names the egui texture.
    pub fn new(feed: Arc<ScreenFeed>, name: &str) -> Self {
        Self {
            feed,
            texture: None,
            name: name.to_owned(),
            size: [0, 0],
            source_size: [0, 0],
            rate: FrameRate::default(),
            decode_us: 0,
            cursor: RemoteCursor::default(),
            monitors: Vec::new(),
        }
    }

    /// The feed (and through it the handle to the sender).
    pub fn feed(&self) -> &Arc<ScreenFeed> {
        &self.feed
    }

    /// The texture, once the first key frame arrived.
    pub fn texture(&self) -> Option<&TextureHandle> {
        self.texture.as_ref()
    }

    /// Uploads what the decode thread produced since the last call: the whole canvas after a
    /// key frame, else only the changed tiles; takes cursor and monitor updates. Returns the
    /// stills that arrived. `now_s` is the UI time in seconds.
    pub fn sync(&mut self, ctx: &egui::Context, now_s: f64) -> Vec<StillImage> {
        let max_side = ctx.input(|i| i.max_texture_side);
        self.feed.set_max_texture_side(max_side);
        let pending = self.feed.take();
        self.rate.add(now_s, pending.frames, pending.encoded_bytes);
        if pending.frames > 0 {
            self.decode_us = pending.decode_us;
        }
        if pending.source_size[0] > 0 {
            self.source_size = pending.source_size;
        }
        if let Some((pos, visible)) = pending.cursor {
            self.cursor.pos = pos;
            self.cursor.visible = visible;
        }
        if let Some(shape) = pending.cursor_shape {
            let size = [shape.width as usize, shape.height as usize];
            let image = egui::ColorImage::from_rgba_unmultiplied(size, &shape.rgba);
            self.cursor.hot = [shape.hot_x, shape.hot_y];
            self.cursor.size = [shape.width, shape.height];
            let options = TextureOptions::NEAREST;
            match &mut self.cursor.texture {
                Some(t) => t.set(image, options),
                None => {
                    let name = format!("{}-cursor", self.name);
                    self.cursor.texture = Some(ctx.load_texture(name, image, options));
                }
            }
        }
        if let Some(monitors) = pending.monitors {
            self.monitors = monitors;
        }
        let options = TextureOptions::LINEAR;
        if let Some(full) = pending.full {
            let fits = pending.size[0].max(pending.size[1]) <= max_side;
            if full.len() == pending.size[0] * pending.size[1] * 4 && pending.size[0] > 0 && fits {
                // Alpha is always 255, so the pixels are premultiplied already.
                let image = egui::ColorImage::from_rgba_premultiplied(pending.size, &full);
                match &mut self.texture {
                    Some(t) => t.set(image, options),
                    None => self.texture = Some(ctx.load_texture(&self.name, image, options)),
                }
                self.size = pending.size;
            }
        }
        if let Some(texture) = &mut self.texture {
            for (r, px) in pending.tiles {
                let tile_size = [r.w as usize, r.h as usize];
                let fits = r.x as usize + tile_size[0] <= self.size[0]
                    && r.y as usize + tile_size[1] <= self.size[1];
                if fits && px.len() == tile_size[0] * tile_size[1] * 4 {
                    let image = egui::ColorImage::from_rgba_premultiplied(tile_size, &px);
                    texture.set_partial([r.x as usize, r.y as usize], image, options);
                }
            }
        }
        pending.stills
    }

    /// The size input and cursor coordinates refer to: the source size once known, else the
    /// canvas size.
    pub fn input_size(&self) -> [usize; 2] {
        if self.source_size[0] > 0 && self.source_size[1] > 0 {
            self.source_size
        } else {
            self.size
        }
    }

    /// Paints the image into `image_rect` and the remote cursor on it; `local_pointer` (UI
    /// points) draws the cursor there instead (the agent's own pointer while controlling, so
    /// it moves without waiting for the sender).
    pub fn paint(&self, painter: &egui::Painter, image_rect: Rect, local_pointer: Option<Pos2>) {
        let Some(texture) = &self.texture else {
            return;
        };
        let uv = Rect::from_min_max(pos2(0.0, 0.0), pos2(1.0, 1.0));
        painter.image(texture.id(), image_rect, uv, Color32::WHITE);
        let Some(cursor) = &self.cursor.texture else {
            return;
        };
        let size = self.input_size();
        let at = match local_pointer {
            Some(p) => p,
            None if self.cursor.visible => {
                let sx = image_rect.width() / size[0].max(1) as f32;
                let sy = image_rect.height() / size[1].max(1) as f32;
                pos2(
                    image_rect.min.x + self.cursor.pos[0] as f32 * sx,
                    image_rect.min.y + self.cursor.pos[1] as f32 * sy,
                )
            }
            None => return,
        };
        // The cursor keeps its size in screen px scaled like the image.
        let scale = image_rect.width() / size[0].max(1) as f32;
        let scale = scale.clamp(0.5, 2.0);
        let min = at
            - egui::vec2(
                f32::from(self.cursor.hot[0]) * scale,
                f32::from(self.cursor.hot[1]) * scale,
            );
        let rect = Rect::from_min_size(
            min,
            egui::vec2(
                f32::from(self.cursor.size[0]) * scale,
                f32::from(self.cursor.size[1]) * scale,
            ),
        );
        if image_rect.intersects(rect) {
            painter
                .with_clip_rect(image_rect)
                .image(cursor.id(), rect, uv, Color32::WHITE);
        }
    }
}

/// Frames per second and bytes per frame over the last [`STATS_WINDOW_S`].
#[derive(Debug, Default)]
pub struct FrameRate {
    samples: VecDeque<(f64, u32, u64)>,
}

impl FrameRate {
    /// Adds `frames` frames of `bytes` encoded bytes seen at UI time `now_s` (seconds).
    pub fn add(&mut self, now_s: f64, frames: u32, bytes: u64) {
        if frames > 0 {
            self.samples.push_back((now_s, frames, bytes));
        }
        while self
            .samples
            .front()
            .is_some_and(|(t, ..)| now_s - t > STATS_WINDOW_S)
        {
            self.samples.pop_front();
        }
    }

    /// (frames per second, KB per frame) over the window.
    pub fn rates(&self) -> (f32, f32) {
        let frames: u32 = self.samples.iter().map(|s| s.1).sum();
        let bytes: u64 = self.samples.iter().map(|s| s.2).sum();
        if frames == 0 {
            return (0.0, 0.0);
        }
        (
            frames as f32 / STATS_WINDOW_S as f32,
            bytes as f32 / frames as f32 / 1024.0,
        )
    }
}

/// The rectangle, in UI points, where a `remote_size` px screen is drawn inside `available`:
/// scaled to fit while keeping the aspect ratio, centred (letterboxed).
pub fn fit_rect(available: Rect, remote_size: [usize; 2]) -> Rect {
    let [w, h] = remote_size;
    if w == 0 || h == 0 || available.width() <= 0.0 || available.height() <= 0.0 {
        return Rect::from_center_size(available.center(), egui::Vec2::ZERO);
    }
    let (aw, ah, w, h) = (
        available.width() as f64,
        available.height() as f64,
        w as f64,
        h as f64,
    );
    // The limiting side fills the area exactly; the other keeps the aspect ratio.
    let size = if aw * h <= ah * w {
        (aw, h * aw / w)
    } else {
        (w * ah / h, ah)
    };
    Rect::from_center_size(available.center(), egui::vec2(size.0 as f32, size.1 as f32))
}

/// Maps a UI point to the remote pixel under it, given where the screen is drawn
/// (`image_rect`, UI points, from [`fit_rect`], so it includes the letterbox offset) and the
/// remote screen size in px. `None` if the point is outside the image (on the letterbox bars).
pub fn remote_px_from_ui_pt(
    pos: Pos2,
    image_rect: Rect,
    remote_size: [usize; 2],
) -> Option<[i32; 2]> {
    let [w, h] = remote_size;
    if w == 0
        || h == 0
        || image_rect.width() <= 0.0
        || image_rect.height() <= 0.0
        || !image_rect.contains(pos)
    {
        return None;
    }
    // f64 and a nudge of 1/1000 px keep points exactly on a pixel edge on the right pixel.
    let to_px = |offset: f32, extent: f32, n: usize| {
        let px = (offset as f64 * n as f64 / extent as f64 + 1e-3).floor() as i32;
        px.clamp(0, n as i32 - 1)
    };
    Some([
        to_px(pos.x - image_rect.min.x, image_rect.width(), w),
        to_px(pos.y - image_rect.min.y, image_rect.height(), h),
    ])
}

/// The inverse of [`remote_px_from_ui_pt`]: the UI point at the centre of remote pixel `px`.
pub fn ui_pt_from_remote_px(px: [i32; 2], image_rect: Rect, remote_size: [usize; 2]) -> Pos2 {
    let sx = image_rect.width() / remote_size[0].max(1) as f32;
    let sy = image_rect.height() / remote_size[1].max(1) as f32;
    pos2(
        image_rect.min.x + (px[0] as f32 + 0.5) * sx,
        image_rect.min.y + (px[1] as f32 + 0.5) * sy,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use porpoise_codec::{CapturedFrame, ScreenDecoder, ScreenEncoder};

    #[test]
    fn letterbox_keeps_aspect_and_centres() {
        // A 1920×1080 screen in a 1000×1000 area: 1000×562.5, bars of 218.75 above and below.
        let area = Rect::from_min_size(pos2(100.0, 50.0), egui::vec2(1000.0, 1000.0));
        let r = fit_rect(area, [1920, 1080]);
        assert!((r.width() - 1000.0).abs() < 1e-3 && (r.height() - 562.5).abs() < 1e-3);
        assert!((r.min.y - (50.0 + 218.75)).abs() < 1e-3 && (r.min.x - 100.0).abs() < 1e-3);
    }

    #[test]
    fn ui_points_map_to_remote_pixels_with_letterbox_offset() {
        let area = Rect::from_min_size(pos2(100.0, 50.0), egui::vec2(1000.0, 1000.0));
        let size = [1920, 1080];
        let r = fit_rect(area, size);
        assert_eq!(remote_px_from_ui_pt(r.min, r, size), Some([0, 0]));
        assert_eq!(remote_px_from_ui_pt(r.center(), r, size), Some([960, 540]));
        assert_eq!(remote_px_from_ui_pt(r.max, r, size), Some([1919, 1079]));
        // On the letterbox bar above the image: nothing.
        assert_eq!(remote_px_from_ui_pt(pos2(600.0, 60.0), r, size), None);
        // Scale 1000/1920: UI x = 100 + 500 maps to remote 960.
        assert_eq!(
            remote_px_from_ui_pt(pos2(600.0, r.min.y + 1.0), r, size),
            Some([960, 1])
        );
        for px in [[0, 0], [17, 901], [1919, 1079], [1000, 3]] {
            assert_eq!(
                remote_px_from_ui_pt(ui_pt_from_remote_px(px, r, size), r, size),
                Some(px)
            );
        }
    }

    fn frame(seed: u8, w: u32, h: u32) -> Vec<u8> {
        (0..w * h * 4)
            .map(|i| {
                if i % 4 == 3 {
                    255
                } else {
                    (i / 4 % 251) as u8 ^ seed
                }
            })
            .collect()
    }

    #[test]
    fn feed_coalesces_and_stays_bounded() {
        let (w, h) = (200, 130);
        let mut enc = ScreenEncoder::new();
        let mut dec = ScreenDecoder::new();
        let feed = ScreenFeed::new();
        let mut push = |pixels: &[u8], key: bool| {
            let captured = CapturedFrame {
                width: w,
                height: h,
                stride: w as usize * 4,
                bgra: pixels,
            };
            let vf = enc
                .encode(captured, 0, key)
                .expect("encode")
                .expect("a change");
            let changed = dec.decode(&vf).expect("decode");
            feed.push(&ScreenUpdate {
                decoder: &dec,
                changed: &changed,
                key: vf.key,
                encoded_bytes: 10,
                seq: vf.seq,
                pts: 0,
                decode_us: 1,
            });
        };
        push(&frame(0, w, h), true);
        let mut small = frame(0, w, h);
        small[0] ^= 0xff; // one pixel in the first tile
        push(&small, false);
        let p = feed.take();
        assert_eq!(p.size, [200, 130]);
        assert_eq!(p.full.as_ref().map(Vec::len), Some(200 * 130 * 4));
        assert_eq!(p.tiles.len(), 1);
        assert_eq!(p.frames, 2);
        // Many whole-screen changes never hold more than one canvas of tiles.
        for seed in 1..20 {
            push(&frame(seed, w, h), false);
            let p = feed.pending.lock().expect("lock");
            assert!(p.tile_bytes <= 200 * 130 * 4);
        }
        let p = feed.take();
        assert_eq!(p.frames, 19);
        assert!(feed.take().full.is_none());
    }

    #[test]
    fn a_canvas_larger_than_the_renderer_allows_is_handed_over_scaled_down() {
        let (w, h) = (200u32, 130u32);
        let mut enc = ScreenEncoder::new();
        let mut dec = ScreenDecoder::new();
        let feed = ScreenFeed::new();
        feed.set_max_texture_side(64);
        // BGRA in, so a B, G, R = 10, 20, 30 screen decodes to RGBA 30, 20, 10.
        let bgra: Vec<u8> = (0..w * h).flat_map(|_| [10u8, 20, 30, 255]).collect();
        let captured = CapturedFrame {
            width: w,
            height: h,
            stride: w as usize * 4,
            bgra: &bgra,
        };
        let vf = enc
            .encode(captured, 0, true)
            .expect("encode")
            .expect("a frame");
        let changed = dec.decode(&vf).expect("decode");
        feed.push(&ScreenUpdate {
            decoder: &dec,
            changed: &changed,
            key: vf.key,
            encoded_bytes: 10,
            seq: vf.seq,
            pts: 0,
            decode_us: 1,
        });
        let p = feed.take();
        // 200 px over a 64 px limit: a factor of 4, rounded up at the edges.
        assert_eq!(p.size, [50, 33]);
        assert_eq!(p.source_size, [200, 130]);
        let full = p.full.expect("the whole scaled canvas");
        assert_eq!(full.len(), 50 * 33 * 4);
        assert!(full.chunks_exact(4).all(|px| px == [30, 20, 10, 255]));
        assert!(p.tiles.is_empty());
    }

    #[test]
    fn box_downscale_averages_blocks_and_keeps_edges() {
        // 3×1 px: a 2×1 block (0 and 100 → 50) and an edge block of one pixel (200).
        let rgba = [0, 0, 0, 255, 100, 100, 100, 255, 200, 200, 200, 255];
        let (out, size) = box_downscale(&rgba, [3, 1], 2);
        assert_eq!(size, [2, 1]);
        assert_eq!(out, vec![50, 50, 50, 255, 200, 200, 200, 255]);
    }
}
