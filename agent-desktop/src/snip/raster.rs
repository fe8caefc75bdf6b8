//! Pure raster code of the screenshot tool (A9): RGBA images, cropping, drawing the
//! annotations (rectangle outlines, arrows, text from a coverage mask) and PNG encoding.
//!
//! Shapes are drawn with 4 samples per pixel (anti-aliased edges); a pixel's colour is blended
//! over the frame by its coverage, and every pixel stays opaque.

use porpoise_codec::CapturedFrame;

use super::{Annotation, PxPoint, PxRect, STROKE_PX, TEXT_SIZE_PX};

/// Sample offsets inside a pixel (2 × 2 grid), in px from its top-left corner.
const SAMPLES: [(f32, f32); 4] = [(0.25, 0.25), (0.75, 0.25), (0.25, 0.75), (0.75, 0.75)];
/// Arrow heads are this many times the line width long (at most the arrow's length), px/px.
const HEAD_LENGTH_PER_STROKE: f32 = 4.5;
/// Half the width of an arrow head's base over its length.
const HEAD_HALF_WIDTH_RATIO: f32 = 0.55;

/// Errors of the screenshot tool's image code.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RasterError {
    /// The pixel buffer does not hold `width × height × 4` bytes.
    #[error("a {width}×{height} px image needs {expected} bytes, got {got}")]
    SizeMismatch {
        /// Width, px.
        width: u32,
        /// Height, px.
        height: u32,
        /// Bytes needed.
        expected: usize,
        /// Bytes given.
        got: usize,
    },
    /// A crop outside the image, or of zero size.
    #[error("the region {0:?} is empty or not inside the image")]
    BadRegion(PxRect),
    /// The PNG encoder failed.
    #[error("PNG encoding failed: {0}")]
    Png(String),
}

/// An opaque RGBA image, rows top to bottom, 4 bytes per pixel.
#[derive(Clone, PartialEq, Eq)]
pub struct RgbaImage {
    width: u32,
    height: u32,
    rgba: Vec<u8>,
}

impl std::fmt::Debug for RgbaImage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RgbaImage({}×{} px)", self.width, self.height)
    }
}

impl RgbaImage {
    /// Wraps `rgba` (`width × height × 4` bytes).
    ///
    /// Errors: [`RasterError::SizeMismatch`] when the length is wrong.
    pub fn new(width: u32, height: u32, rgba: Vec<u8>) -> Result<Self, RasterError> {
        let expected = width as usize * height as usize * 4;
        if rgba.len() != expected {
            return Err(RasterError::SizeMismatch {
                width,
                height,
                expected,
                got: rgba.len(),
            });
        }
        Ok(RgbaImage {
            width,
            height,
            rgba,
        })
    }

    /// A `width × height` px image of one colour.
    pub fn filled(width: u32, height: u32, color: [u8; 4]) -> Self {
        let rgba = color
            .iter()
            .copied()
            .cycle()
            .take(width as usize * height as usize * 4)
            .collect();
        RgbaImage {
            width,
            height,
            rgba,
        }
    }

    /// The opaque RGBA copy of a captured BGRX frame.
    ///
    /// Errors: [`RasterError::SizeMismatch`] when the frame's buffer is shorter than its stride
    /// × height or its stride is shorter than a row.
    pub fn from_bgrx(frame: &CapturedFrame<'_>) -> Result<Self, RasterError> {
        let (w, h) = (frame.width as usize, frame.height as usize);
        let expected = frame.stride * h;
        if frame.stride < w * 4 || frame.bgra.len() < expected {
            return Err(RasterError::SizeMismatch {
                width: frame.width,
                height: frame.height,
                expected,
                got: frame.bgra.len(),
            });
        }
        let mut rgba = Vec::with_capacity(w * h * 4);
        for row in frame.bgra.chunks_exact(frame.stride).take(h) {
            for px in row[..w * 4].chunks_exact(4) {
                rgba.extend_from_slice(&[px[2], px[1], px[0], 255]);
            }
        }
        Self::new(frame.width, frame.height, rgba)
    }

    /// Width, px.
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Height, px.
    pub fn height(&self) -> u32 {
        self.height
    }

    /// The pixels, rows top to bottom, RGBA.
    pub fn rgba(&self) -> &[u8] {
        &self.rgba
    }

    /// The pixel at (`x`, `y`), or `None` outside the image.
    pub fn pixel(&self, x: u32, y: u32) -> Option<[u8; 4]> {
        if x >= self.width || y >= self.height {
            return None;
        }
        let i = (y as usize * self.width as usize + x as usize) * 4;
        let p = &self.rgba[i..i + 4];
        Some([p[0], p[1], p[2], p[3]])
    }

    /// A copy of the pixels in `rect`.
    ///
    /// Errors: [`RasterError::BadRegion`] when `rect` is empty or not inside the image.
    pub fn crop(&self, rect: PxRect) -> Result<RgbaImage, RasterError> {
        let inside = u64::from(rect.x) + u64::from(rect.width) <= u64::from(self.width)
            && u64::from(rect.y) + u64::from(rect.height) <= u64::from(self.height);
        if rect.width == 0 || rect.height == 0 || !inside {
            return Err(RasterError::BadRegion(rect));
        }
        let row_bytes = rect.width as usize * 4;
        let mut rgba = Vec::with_capacity(row_bytes * rect.height as usize);
        for y in rect.y..rect.y + rect.height {
            let start = (y as usize * self.width as usize + rect.x as usize) * 4;
            rgba.extend_from_slice(&self.rgba[start..start + row_bytes]);
        }
        Self::new(rect.width, rect.height, rgba)
    }

    /// Blends `color` over pixel (`x`, `y`) by `coverage` (0..=1); outside the image nothing
    /// happens.
    fn blend(&mut self, x: i64, y: i64, color: [u8; 4], coverage: f32) {
        if x < 0 || y < 0 || x >= i64::from(self.width) || y >= i64::from(self.height) {
            return;
        }
        let a = coverage.clamp(0.0, 1.0) * f32::from(color[3]) / 255.0;
        if a <= 0.0 {
            return;
        }
        let i = (y as usize * self.width as usize + x as usize) * 4;
        for (dst, &src) in self.rgba[i..i + 3].iter_mut().zip(&color[..3]) {
            *dst = (f32::from(src) * a + f32::from(*dst) * (1.0 - a)).round() as u8;
        }
        self.rgba[i + 3] = 255;
    }

    /// Fills the pixels of the box `min..max` (px, continuous) by the fraction of their
    /// samples for which `inside(x, y)` holds.
    fn fill_by_samples(
        &mut self,
        min: (f32, f32),
        max: (f32, f32),
        color: [u8; 4],
        inside: impl Fn(f32, f32) -> bool,
    ) {
        let x0 = (min.0.floor() as i64).max(0);
        let y0 = (min.1.floor() as i64).max(0);
        let x1 = (max.0.ceil() as i64).min(i64::from(self.width));
        let y1 = (max.1.ceil() as i64).min(i64::from(self.height));
        for y in y0..y1 {
            for x in x0..x1 {
                let hits = SAMPLES
                    .iter()
                    .filter(|(dx, dy)| inside(x as f32 + dx, y as f32 + dy))
                    .count();
                if hits > 0 {
                    self.blend(x, y, color, hits as f32 / SAMPLES.len() as f32);
                }
            }
        }
    }
}

/// A text's coverage mask: `alpha` holds `width × height` bytes (0 = none, 255 = full), its
/// top-left pixel is the top-left of the text box.
#[derive(Clone, PartialEq, Eq)]
pub struct TextMask {
    /// Width, px.
    pub width: u32,
    /// Height, px.
    pub height: u32,
    /// Coverage per pixel, rows top to bottom.
    pub alpha: Vec<u8>,
}

impl std::fmt::Debug for TextMask {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TextMask({}×{} px)", self.width, self.height)
    }
}

/// Turns a line of text into a coverage mask `size_px` high (the UI uses egui's fonts, see
/// [`crate::ui::snip::EguiText`]). `None` when the text has nothing to draw.
pub trait TextRasterizer {
    /// The mask of `text` at a font size of `size_px`.
    fn mask(&self, text: &str, size_px: f32) -> Option<TextMask>;
}

/// Draws the outline of `rect`, `stroke_px` wide, inside it.
pub fn draw_rectangle(image: &mut RgbaImage, rect: PxRect, stroke_px: f32, color: [u8; 4]) {
    let (x0, y0) = (rect.x as f32, rect.y as f32);
    let (x1, y1) = (x0 + rect.width as f32, y0 + rect.height as f32);
    let s = stroke_px.max(1.0);
    image.fill_by_samples((x0, y0), (x1, y1), color, |x, y| {
        x < x0 + s || x > x1 - s || y < y0 + s || y > y1 - s
    });
}

/// Where an arrow's parts lie, in continuous px (pixel (x, y) covers `x..x + 1`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ArrowGeometry {
    /// Centre of the tail pixel: where the line starts.
    pub tail: (f32, f32),
    /// Where the line ends (inside the head).
    pub shaft_end: (f32, f32),
    /// The head: apex, then the two corners of its base.
    pub head: [(f32, f32); 3],
    /// Half the line width, px.
    pub half_width: f32,
}

/// The parts of an arrow from the centre of pixel `from` to pixel `to` drawn `stroke_px` wide;
/// `None` when both are the same pixel. Shared by the rasteriser and the on-screen preview.
pub fn arrow_geometry(from: PxPoint, to: PxPoint, stroke_px: f32) -> Option<ArrowGeometry> {
    let tail = (from.x as f32 + 0.5, from.y as f32 + 0.5);
    let tip = (to.x as f32 + 0.5, to.y as f32 + 0.5);
    let (dx, dy) = (tip.0 - tail.0, tip.1 - tail.1);
    let len = dx.hypot(dy);
    if len < f32::EPSILON {
        return None;
    }
    let (ux, uy) = (dx / len, dy / len);
    let head_len = (stroke_px * HEAD_LENGTH_PER_STROKE).min(len);
    let head_half = head_len * HEAD_HALF_WIDTH_RATIO;
    // The apex reaches half a pixel beyond the tip pixel's centre, so the tip pixel is covered.
    let apex = (tip.0 + ux * 0.5, tip.1 + uy * 0.5);
    let base = (apex.0 - ux * head_len, apex.1 - uy * head_len);
    Some(ArrowGeometry {
        tail,
        // The line stops inside the head so that its round end does not poke out of the tip.
        shaft_end: (base.0 + ux * head_len * 0.5, base.1 + uy * head_len * 0.5),
        head: [
            apex,
            (base.0 - uy * head_half, base.1 + ux * head_half),
            (base.0 + uy * head_half, base.1 - ux * head_half),
        ],
        half_width: stroke_px.max(1.0) / 2.0,
    })
}

/// Draws an arrow from the centre of pixel `from` to the centre of pixel `to`: a line
/// `stroke_px` wide and a filled head at `to` (see [`arrow_geometry`]).
pub fn draw_arrow(
    image: &mut RgbaImage,
    from: PxPoint,
    to: PxPoint,
    stroke_px: f32,
    color: [u8; 4],
) {
    let Some(g) = arrow_geometry(from, to, stroke_px) else {
        return;
    };
    let xs = g.head.iter().map(|p| p.0).chain([g.tail.0]);
    let ys = g.head.iter().map(|p| p.1).chain([g.tail.1]);
    let pad = g.half_width + 1.0;
    let min = (
        xs.clone().fold(f32::MAX, f32::min) - pad,
        ys.clone().fold(f32::MAX, f32::min) - pad,
    );
    let max = (
        xs.fold(f32::MIN, f32::max) + pad,
        ys.fold(f32::MIN, f32::max) + pad,
    );
    image.fill_by_samples(min, max, color, |x, y| {
        distance_to_segment((x, y), g.tail, g.shaft_end) <= g.half_width
            || in_triangle((x, y), g.head)
    });
}

/// Blends `color` through `mask`, its top-left at pixel `at`.
pub fn draw_text(image: &mut RgbaImage, at: PxPoint, mask: &TextMask, color: [u8; 4]) {
    for (row, line) in mask
        .alpha
        .chunks_exact(mask.width.max(1) as usize)
        .take(mask.height as usize)
        .enumerate()
    {
        for (col, &a) in line.iter().enumerate() {
            if a > 0 {
                let x = i64::from(at.x) + col as i64;
                let y = i64::from(at.y) + row as i64;
                image.blend(x, y, color, f32::from(a) / 255.0);
            }
        }
    }
}

/// The image the agent takes: `rect` of `frame` with `annotations` (in `frame`'s pixels)
/// drawn on it, clipped to the region.
///
/// Errors: [`RasterError::BadRegion`] when `rect` is empty or outside `frame`.
pub fn render(
    frame: &RgbaImage,
    rect: PxRect,
    annotations: &[Annotation],
    text: &dyn TextRasterizer,
) -> Result<RgbaImage, RasterError> {
    let mut out = frame.crop(rect)?;
    let shift = |p: PxPoint| PxPoint::new(p.x - rect.x as i32, p.y - rect.y as i32);
    for a in annotations {
        match a {
            Annotation::Rectangle { rect: r, color } => {
                let p = shift(PxPoint::new(r.x as i32, r.y as i32));
                // Shapes are inside the selection, but stay safe if they are not.
                let local = PxRect::spanning(
                    p,
                    PxPoint::new(p.x + r.width as i32, p.y + r.height as i32),
                    (out.width, out.height),
                );
                draw_rectangle(&mut out, local, STROKE_PX, color.rgba());
            }
            Annotation::Arrow { from, to, color } => {
                draw_arrow(&mut out, shift(*from), shift(*to), STROKE_PX, color.rgba());
            }
            Annotation::Text { at, text: t, color } => {
                if let Some(mask) = text.mask(t, TEXT_SIZE_PX) {
                    draw_text(&mut out, shift(*at), &mask, color.rgba());
                }
            }
        }
    }
    Ok(out)
}

/// The image as PNG bytes (8-bit RGBA).
///
/// Errors: [`RasterError::Png`] if the encoder fails (it does not for valid images).
pub fn encode_png(image: &RgbaImage) -> Result<Vec<u8>, RasterError> {
    let mut out = Vec::new();
    let png_err = |e: png::EncodingError| RasterError::Png(e.to_string());
    {
        let mut encoder = png::Encoder::new(&mut out, image.width, image.height);
        encoder.set_color(png::ColorType::Rgba);
        encoder.set_depth(png::BitDepth::Eight);
        encoder.set_compression(png::Compression::Fast);
        let mut writer = encoder.write_header().map_err(png_err)?;
        writer.write_image_data(&image.rgba).map_err(png_err)?;
        writer.finish().map_err(png_err)?;
    }
    Ok(out)
}

fn distance_to_segment(p: (f32, f32), a: (f32, f32), b: (f32, f32)) -> f32 {
    let (abx, aby) = (b.0 - a.0, b.1 - a.1);
    let (apx, apy) = (p.0 - a.0, p.1 - a.1);
    let len2 = abx * abx + aby * aby;
    let t = if len2 > 0.0 {
        ((apx * abx + apy * aby) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    (p.0 - (a.0 + t * abx)).hypot(p.1 - (a.1 + t * aby))
}

fn in_triangle(p: (f32, f32), [a, b, c]: [(f32, f32); 3]) -> bool {
    let edge = |u: (f32, f32), v: (f32, f32)| (v.0 - u.0) * (p.1 - u.1) - (v.1 - u.1) * (p.0 - u.0);
    let (d1, d2, d3) = (edge(a, b), edge(b, c), edge(c, a));
    let negative = d1 < 0.0 || d2 < 0.0 || d3 < 0.0;
    let positive = d1 > 0.0 || d2 > 0.0 || d3 > 0.0;
    !(negative && positive)
}

#[cfg(test)]
mod tests;
