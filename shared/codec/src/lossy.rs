//! Lossy tiles: all of one frame's lossy tiles go into one baseline JPEG "strip".
//!
//! The strip is `cols × TILE_SIZE` px wide and `rows × TILE_SIZE` px high, with lossy tile `i`
//! (in frame order) at column `i % cols`, row `i / cols`, where `cols = ⌈n / MAX_STRIP_ROWS⌉`
//! and `rows = ⌈n / cols⌉`. Edge tiles are padded by repeating their last column and row.
//! Chroma is subsampled 2×2 (16-px MCUs), and 64 is a multiple of 16, so tiles do not bleed
//! into each other.

use std::io::Cursor;

use zune_jpeg::zune_core::{colorspace::ColorSpace, options::DecoderOptions};

use super::{CodecError, TileRect, MAX_STRIP_ROWS, TILE_SIZE};

/// Strip size in px (width, height) for `n` lossy tiles (n ≥ 1).
pub(super) fn strip_size(n: usize) -> (usize, usize) {
    let cols = n.div_ceil(MAX_STRIP_ROWS).max(1);
    let rows = n.div_ceil(cols);
    (cols * TILE_SIZE as usize, rows * TILE_SIZE as usize)
}

/// Top-left corner in the strip of lossy tile `i` of `n`, px.
fn slot(i: usize, n: usize) -> (usize, usize) {
    let cols = n.div_ceil(MAX_STRIP_ROWS).max(1);
    (
        (i % cols) * TILE_SIZE as usize,
        (i / cols) * TILE_SIZE as usize,
    )
}

/// Encodes tiles `rects` of a BGRX image (`stride` bytes per row) as one JPEG of `quality`.
pub(super) fn encode_strip(
    bgra: &[u8],
    stride: usize,
    rects: &[TileRect],
    quality: u8,
    strip: &mut Vec<u8>,
) -> Result<Vec<u8>, CodecError> {
    let n = rects.len();
    let (sw, sh) = strip_size(n);
    strip.clear();
    strip.resize(sw * sh * 4, 0);
    let t = TILE_SIZE as usize;
    for (i, r) in rects.iter().enumerate() {
        let (ox, oy) = slot(i, n);
        for dy in 0..t {
            let sy = r.y as usize + dy.min(r.h as usize - 1);
            let src = &bgra[sy * stride + r.x as usize * 4..][..r.w as usize * 4];
            let dst = &mut strip[((oy + dy) * sw + ox) * 4..][..t * 4];
            dst[..src.len()].copy_from_slice(src);
            let last = [
                src[src.len() - 4],
                src[src.len() - 3],
                src[src.len() - 2],
                255,
            ];
            for px in dst[src.len()..].chunks_exact_mut(4) {
                px.copy_from_slice(&last);
            }
        }
    }
    let mut out = Vec::new();
    let mut enc = jpeg_encoder::Encoder::new(&mut out, quality.clamp(1, 100));
    enc.set_sampling_factor(jpeg_encoder::SamplingFactor::F_2_2);
    enc.encode(strip, sw as u16, sh as u16, jpeg_encoder::ColorType::Bgra)
        .map_err(|e| CodecError::Jpeg(e.to_string()))?;
    Ok(out)
}

/// Decodes a strip of `n` lossy tiles to RGB (3 bytes per px, `strip_size(n)`), refusing any
/// JPEG whose header does not state exactly that size before decoding its pixels.
pub(super) fn decode_strip(jpeg: &[u8], n: usize) -> Result<Vec<u8>, CodecError> {
    let (sw, sh) = strip_size(n);
    let options = DecoderOptions::default()
        .set_max_width(sw)
        .set_max_height(sh)
        .set_strict_mode(true)
        .jpeg_set_out_colorspace(ColorSpace::RGB);
    let mut dec = zune_jpeg::JpegDecoder::new_with_options(Cursor::new(jpeg), options);
    dec.decode_headers()
        .map_err(|e| CodecError::Jpeg(e.to_string()))?;
    let (w, h) = dec
        .dimensions()
        .ok_or_else(|| CodecError::Jpeg("no dimensions".into()))?;
    if (w, h) != (sw, sh) {
        return Err(CodecError::Jpeg(format!(
            "strip is {w}x{h} px, {n} tiles need {sw}x{sh}"
        )));
    }
    let mut rgb = vec![0u8; sw * sh * 3];
    // Defence in depth: a decoder bug on hostile input must not take the viewer down.
    let result =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| dec.decode_into(&mut rgb)));
    match result {
        Ok(Ok(())) => Ok(rgb),
        Ok(Err(e)) => Err(CodecError::Jpeg(e.to_string())),
        Err(_) => Err(CodecError::Jpeg("decoder panicked".into())),
    }
}

/// Paints lossy tile `i` of `n` from a decoded RGB strip onto an RGBA canvas.
pub(super) fn paint(canvas: &mut [u8], row: usize, r: TileRect, rgb: &[u8], i: usize, n: usize) {
    let (sw, _) = strip_size(n);
    let (ox, oy) = slot(i, n);
    for dy in 0..r.h as usize {
        let s = &rgb[((oy + dy) * sw + ox) * 3..][..r.w as usize * 3];
        let start = (r.y as usize + dy) * row + r.x as usize * 4;
        for (d, s) in canvas[start..start + r.w as usize * 4]
            .chunks_exact_mut(4)
            .zip(s.chunks_exact(3))
        {
            d.copy_from_slice(&[s[0], s[1], s[2], 255]);
        }
    }
}
