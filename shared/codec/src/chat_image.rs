//! Chat pictures (A7, C4): what the relay checks, and (feature `ui`) how the consoles encode a
//! picture to fit [`MAX_CHAT_IMAGE_BYTES`] and decode one for display.
//!
//! - [`probe`] reads only the PNG `IHDR` chunk or the JPEG start-of-frame marker: format and
//!   size, with no pixel decoding, so the relay spends no memory on hostile pictures.
//! - `prepare` (feature `ui`) turns RGBA pixels into the smallest acceptable encoding: PNG when
//!   it fits (screenshots stay sharp), else JPEG at [`JPEG_QUALITY`], scaled down by
//!   [`SHRINK_STEP`] until it fits.
//! - `decode` (feature `ui`) gives RGBA pixels, refusing pictures over [`MAX_CHAT_IMAGE_SIDE`]
//!   a side or over [`MAX_DECODE_PIXELS`] in all, from the header, before allocating anything.
//! - `fit_texture` (feature `ui`) scales decoded pixels down to a renderer's largest texture
//!   side.

use thiserror::Error;

use porpoise_protocol::wire::{ChatImage, ImageFormat, MAX_CHAT_IMAGE_BYTES, MAX_CHAT_IMAGE_SIDE};

/// JPEG quality used when a picture is re-encoded to fit (1–100).
pub const JPEG_QUALITY: u8 = 85;
/// Each scaling step multiplies both sides by this much while a picture does not fit.
pub const SHRINK_STEP: f32 = 0.75;

/// Why a chat picture cannot be sent or shown.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ChatImageError {
    /// Neither a PNG nor a JPEG.
    #[error("not a PNG or JPEG picture")]
    UnknownFormat,
    /// The header is cut short or inconsistent.
    #[error("the picture is damaged ({0})")]
    Damaged(String),
    /// Over [`MAX_CHAT_IMAGE_BYTES`].
    #[error("the picture is {bytes} bytes; the most is {MAX_CHAT_IMAGE_BYTES}")]
    TooLarge {
        /// Its size, bytes.
        bytes: usize,
    },
    /// Width × height is over [`MAX_DECODE_PIXELS`]: refused from the header, before any
    /// pixel memory is allocated.
    #[error("the picture is {width}×{height} px; the most that is decoded is {MAX_DECODE_PIXELS} px in all")]
    TooManyPixels {
        /// Width, px.
        width: u32,
        /// Height, px.
        height: u32,
    },
    /// A side is 0 or over [`MAX_CHAT_IMAGE_SIDE`].
    #[error("the picture is {width}×{height} px; each side must be 1 to {MAX_CHAT_IMAGE_SIDE} px")]
    BadSize {
        /// Width, px.
        width: u32,
        /// Height, px.
        height: u32,
    },
}

const PNG_SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n'];

/// Largest picture file a user may pick, paste or drop, in bytes; it is re-encoded to fit
/// [`MAX_CHAT_IMAGE_BYTES`] before sending.
pub const MAX_SOURCE_PICTURE_BYTES: usize = 32 * 1024 * 1024;
/// Largest side of a picture file a user may pick, in pixels (scaled to
/// [`MAX_CHAT_IMAGE_SIDE`] before sending).
pub const MAX_SOURCE_PICTURE_SIDE: u32 = 16_384;

/// Most pixels (width × height, in pixels, not bytes) any picture is decoded to; at 4 bytes a
/// pixel that is 160 MB of RGBA. 40 megapixels cover an 8K screenshot (7680 × 4320 = 33.2 Mpx)
/// and the photos of common cameras; a larger picture is refused from its header with
/// [`ChatImageError::TooManyPixels`] before anything is allocated (a 65 KB PNG may claim
/// 16384 × 16384 px, 1 GiB of RGBA).
pub const MAX_DECODE_PIXELS: u64 = 40_000_000;

/// Format and size of an encoded picture, from its header only.
///
/// Errors: [`ChatImageError::TooLarge`] over [`MAX_CHAT_IMAGE_BYTES`],
/// [`ChatImageError::UnknownFormat`], [`ChatImageError::Damaged`] for a cut or inconsistent
/// header, [`ChatImageError::BadSize`] for a side of 0 or over [`MAX_CHAT_IMAGE_SIDE`].
pub fn probe(data: &[u8]) -> Result<ChatImage, ChatImageError> {
    probe_within(data, MAX_CHAT_IMAGE_BYTES, MAX_CHAT_IMAGE_SIDE)
}

fn probe_within(data: &[u8], max_bytes: usize, max_side: u32) -> Result<ChatImage, ChatImageError> {
    if data.len() > max_bytes {
        return Err(ChatImageError::TooLarge { bytes: data.len() });
    }
    let (format, width, height) = if data.starts_with(&PNG_SIGNATURE) {
        let (w, h) = png_size(data)?;
        (ImageFormat::Png, w, h)
    } else if data.starts_with(&[0xff, 0xd8]) {
        let (w, h) = jpeg_size(data)?;
        (ImageFormat::Jpeg, w, h)
    } else {
        return Err(ChatImageError::UnknownFormat);
    };
    if width == 0 || height == 0 || width > max_side || height > max_side {
        return Err(ChatImageError::BadSize { width, height });
    }
    Ok(ChatImage {
        format,
        width,
        height,
        bytes: data.len() as u32,
    })
}

fn be32(b: &[u8]) -> u32 {
    u32::from_be_bytes([b[0], b[1], b[2], b[3]])
}

/// Width and height from the `IHDR` chunk, which must come first.
fn png_size(data: &[u8]) -> Result<(u32, u32), ChatImageError> {
    // signature (8) + length (4) + "IHDR" (4) + width (4) + height (4)
    let ihdr = data
        .get(8..24)
        .ok_or_else(|| ChatImageError::Damaged("PNG header cut short".into()))?;
    if be32(&ihdr[0..4]) != 13 || &ihdr[4..8] != b"IHDR" {
        return Err(ChatImageError::Damaged("PNG without IHDR first".into()));
    }
    Ok((be32(&ihdr[8..12]), be32(&ihdr[12..16])))
}

/// Width and height from the first start-of-frame marker (SOF0–SOF15 except DHT, JPG, DAC).
fn jpeg_size(data: &[u8]) -> Result<(u32, u32), ChatImageError> {
    let cut = || ChatImageError::Damaged("JPEG ends before its frame header".into());
    let mut at = 2;
    loop {
        // Markers may be padded with any number of 0xff bytes.
        while data.get(at) == Some(&0xff) && data.get(at + 1) == Some(&0xff) {
            at += 1;
        }
        let (Some(&0xff), Some(&marker)) = (data.get(at), data.get(at + 1)) else {
            return Err(if at >= data.len() {
                cut()
            } else {
                ChatImageError::Damaged("JPEG marker expected".into())
            });
        };
        at += 2;
        match marker {
            // Standalone markers carry no length.
            0x01 | 0xd0..=0xd7 => continue,
            0xd9 | 0xda => {
                return Err(ChatImageError::Damaged(
                    "JPEG without a frame header".into(),
                ))
            }
            _ => {}
        }
        let len = data.get(at..at + 2).ok_or_else(cut)?;
        let len = usize::from(u16::from_be_bytes([len[0], len[1]]));
        if len < 2 {
            return Err(ChatImageError::Damaged(
                "JPEG segment length under 2".into(),
            ));
        }
        let is_sof = matches!(marker, 0xc0..=0xcf) && !matches!(marker, 0xc4 | 0xc8 | 0xcc);
        if is_sof {
            // length (2) + precision (1) + height (2) + width (2) + components (1 + 3 each)
            let sof = data.get(at..at + 8).ok_or_else(cut)?;
            let height = u32::from(u16::from_be_bytes([sof[3], sof[4]]));
            let width = u32::from(u16::from_be_bytes([sof[5], sof[6]]));
            let components = usize::from(sof[7]);
            if len != 8 + 3 * components {
                return Err(ChatImageError::Damaged(
                    "JPEG frame header length differs from its components".into(),
                ));
            }
            let specs = data.get(at + 8..at + len).ok_or_else(cut)?;
            check_jpeg_sampling(specs)?;
            return Ok((width, height));
        }
        at += len;
    }
}

/// Sampling factors the pictures' JPEG decoder is given (`specs`: 3 bytes per component, id,
/// H<<4|V, table): 1, 3 or 4 components; the first with H and V of 1 or 2 (4:4:4, 4:2:2,
/// 4:2:0, 4:4:0 as cameras, phones and screenshot tools write them); every other 1×1 or the
/// same as the first. zune-jpeg 0.5.15 panics on some other layouts (a chroma component
/// sampled more than luma; found by the `chat_image` fuzz target, reproducers in
/// `fuzz/artifacts/chat_image/`), which would end a helper built with `panic = "abort"`, so
/// the relay refuses them in [`probe`] before any app decodes them.
fn check_jpeg_sampling(specs: &[u8]) -> Result<(), ChatImageError> {
    let unsupported = |why: &str| ChatImageError::Damaged(format!("JPEG {why}"));
    if !matches!(specs.len() / 3, 1 | 3 | 4) {
        return Err(unsupported("with other than 1, 3 or 4 colour components"));
    }
    let factors = |c: &[u8]| (c[1] >> 4, c[1] & 0x0f);
    let first = factors(&specs[0..3]);
    if !(1..=2).contains(&first.0) || !(1..=2).contains(&first.1) {
        return Err(unsupported("sampling factors not supported"));
    }
    for c in specs.chunks_exact(3).skip(1) {
        let f = factors(c);
        if f != (1, 1) && f != first {
            return Err(unsupported("sampling factors not supported"));
        }
    }
    Ok(())
}

#[cfg(feature = "pictures")]
pub use pixels::{decode, fit_for_chat, fit_texture, prepare, read_picture_file, Decoded};

/// True if `path` names a picture the chats send inline (PNG or JPEG by extension) rather than
/// as a file transfer (A7, C4).
pub fn is_picture_path(path: &std::path::Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| matches!(e.to_ascii_lowercase().as_str(), "png" | "jpg" | "jpeg"))
}

#[cfg(feature = "pictures")]
mod pixels {
    use std::io::Cursor;

    use zune_jpeg::zune_core::{colorspace::ColorSpace, options::DecoderOptions};

    use super::{
        probe, probe_within, ChatImage, ChatImageError, JPEG_QUALITY, MAX_DECODE_PIXELS,
        MAX_SOURCE_PICTURE_BYTES, MAX_SOURCE_PICTURE_SIDE, SHRINK_STEP,
    };
    use porpoise_protocol::wire::{ImageFormat, MAX_CHAT_IMAGE_BYTES, MAX_CHAT_IMAGE_SIDE};

    /// A decoded picture: `rgba` holds `width × height` pixels, 4 bytes each, rows top first.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct Decoded {
        /// Width, px.
        pub width: u32,
        /// Height, px.
        pub height: u32,
        /// Unpremultiplied RGBA8.
        pub rgba: Vec<u8>,
    }

    /// Decodes a chat picture to RGBA. Checks it with [`probe`] first, so nothing over
    /// [`MAX_CHAT_IMAGE_SIDE`] a side or [`MAX_DECODE_PIXELS`] in all is ever decoded.
    ///
    /// Errors: as [`probe`], [`ChatImageError::TooManyPixels`], and [`ChatImageError::Damaged`]
    /// when the pixel data is broken.
    pub fn decode(data: &[u8]) -> Result<Decoded, ChatImageError> {
        decode_checked(data, probe(data)?)
    }

    /// A picture file (PNG or JPEG, as picked, pasted or dropped by the user) ready to send:
    /// the same bytes when they already fit [`probe`], else decoded and re-encoded with
    /// [`prepare`].
    ///
    /// Errors: [`ChatImageError::TooLarge`] over [`MAX_SOURCE_PICTURE_BYTES`],
    /// [`ChatImageError::BadSize`] over [`MAX_SOURCE_PICTURE_SIDE`], and those of [`probe`]
    /// and [`decode`] (not a PNG/JPEG, damaged).
    pub fn fit_for_chat(data: &[u8]) -> Result<Vec<u8>, ChatImageError> {
        if probe(data).is_ok() {
            return Ok(data.to_vec());
        }
        let info = probe_within(data, MAX_SOURCE_PICTURE_BYTES, MAX_SOURCE_PICTURE_SIDE)?;
        let decoded = decode_checked(data, info)?;
        prepare(&decoded.rgba, decoded.width, decoded.height)
    }

    /// Reads the picture file at `path` (picked or dropped by the user) and fits it to the
    /// chat's limits with [`fit_for_chat`].
    ///
    /// Errors (as text naming the file): unreadable, over [`MAX_SOURCE_PICTURE_BYTES`], not a
    /// PNG/JPEG, damaged.
    pub fn read_picture_file(path: &std::path::Path) -> Result<Vec<u8>, String> {
        let named = |e: &dyn std::fmt::Display| format!("{}: {e}", path.display());
        let size = std::fs::metadata(path).map_err(|e| named(&e))?.len();
        if size > MAX_SOURCE_PICTURE_BYTES as u64 {
            let e = ChatImageError::TooLarge {
                bytes: usize::try_from(size).unwrap_or(usize::MAX),
            };
            return Err(named(&e));
        }
        let raw = std::fs::read(path).map_err(|e| named(&e))?;
        fit_for_chat(&raw).map_err(|e| named(&e))
    }

    /// Errors: [`ChatImageError::TooManyPixels`] over [`MAX_DECODE_PIXELS`], checked from the
    /// header's size in `info` before anything is allocated.
    fn check_pixels(info: &ChatImage) -> Result<(), ChatImageError> {
        if u64::from(info.width) * u64::from(info.height) > MAX_DECODE_PIXELS {
            return Err(ChatImageError::TooManyPixels {
                width: info.width,
                height: info.height,
            });
        }
        Ok(())
    }

    fn decode_checked(data: &[u8], info: ChatImage) -> Result<Decoded, ChatImageError> {
        check_pixels(&info)?;
        let damaged = |e: String| ChatImageError::Damaged(e);
        let rgba = match info.format {
            ImageFormat::Png => {
                crate::png_chunks::check(data).map_err(damaged)?;
                let mut decoder = png::Decoder::new_with_limits(
                    Cursor::new(data),
                    png::Limits {
                        bytes: info.width as usize * info.height as usize * 8 + 4096,
                    },
                );
                decoder.set_transformations(png::Transformations::normalize_to_color8());
                let mut reader = decoder.read_info().map_err(|e| damaged(e.to_string()))?;
                let size = reader
                    .output_buffer_size()
                    .ok_or_else(|| damaged("too large to decode".to_owned()))?;
                let mut buf = vec![0; size];
                let frame = reader
                    .next_frame(&mut buf)
                    .map_err(|e| damaged(e.to_string()))?;
                buf.truncate(frame.buffer_size());
                to_rgba(&buf, frame.color_type, info.width, info.height)?
            }
            ImageFormat::Jpeg => {
                let options = DecoderOptions::default()
                    .set_max_width(info.width as usize)
                    .set_max_height(info.height as usize)
                    .jpeg_set_out_colorspace(ColorSpace::RGBA);
                let mut dec = zune_jpeg::JpegDecoder::new_with_options(Cursor::new(data), options);
                // Defence in depth: a decoder bug on hostile input must not take the app down.
                let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    dec.decode().map_err(|e| e.to_string())
                }));
                let rgba = match result {
                    Ok(r) => r.map_err(damaged)?,
                    Err(_) => return Err(damaged("JPEG decoder failed".into())),
                };
                if rgba.len() != info.width as usize * info.height as usize * 4 {
                    return Err(damaged("JPEG size differs from its header".into()));
                }
                rgba
            }
        };
        Ok(Decoded {
            width: info.width,
            height: info.height,
            rgba,
        })
    }

    fn to_rgba(
        buf: &[u8],
        color: png::ColorType,
        width: u32,
        height: u32,
    ) -> Result<Vec<u8>, ChatImageError> {
        let px = width as usize * height as usize;
        let channels = match color {
            png::ColorType::Grayscale => 1,
            png::ColorType::GrayscaleAlpha => 2,
            png::ColorType::Rgb => 3,
            png::ColorType::Rgba => 4,
            png::ColorType::Indexed => {
                return Err(ChatImageError::Damaged("PNG palette not expanded".into()))
            }
        };
        if buf.len() < px * channels {
            return Err(ChatImageError::Damaged("PNG pixel data cut short".into()));
        }
        let mut out = Vec::with_capacity(px * 4);
        for p in buf[..px * channels].chunks_exact(channels) {
            match channels {
                1 => out.extend_from_slice(&[p[0], p[0], p[0], 255]),
                2 => out.extend_from_slice(&[p[0], p[0], p[0], p[1]]),
                3 => out.extend_from_slice(&[p[0], p[1], p[2], 255]),
                _ => out.extend_from_slice(p),
            }
        }
        Ok(out)
    }

    /// `decoded` scaled down (area-averaged, aspect kept) so that neither side exceeds
    /// `max_side` px, the renderer's largest texture side (egui: `ctx.input(|i|
    /// i.max_texture_side)`); unchanged when it already fits. A `max_side` of 0 counts as 1.
    pub fn fit_texture(decoded: Decoded, max_side: usize) -> Decoded {
        let max_side = u32::try_from(max_side.max(1)).unwrap_or(u32::MAX);
        let longest = decoded.width.max(decoded.height);
        if longest <= max_side {
            return decoded;
        }
        let scale = max_side as f32 / longest as f32;
        let (rgba, width, height) = shrink(&decoded.rgba, decoded.width, decoded.height, scale);
        // Rounding may leave a side one px over: clamp by cropping the last column or row.
        if width > max_side || height > max_side {
            let (w, h) = (width.min(max_side), height.min(max_side));
            let mut out = Vec::with_capacity(w as usize * h as usize * 4);
            for row in rgba.chunks_exact(width as usize * 4).take(h as usize) {
                out.extend_from_slice(&row[..w as usize * 4]);
            }
            return Decoded {
                width: w,
                height: h,
                rgba: out,
            };
        }
        Decoded {
            width,
            height,
            rgba,
        }
    }

    /// Encodes RGBA pixels (`width × height`, 4 bytes each) for the chat: a PNG when it fits
    /// [`MAX_CHAT_IMAGE_BYTES`] and [`MAX_CHAT_IMAGE_SIDE`], else a JPEG at [`JPEG_QUALITY`]
    /// (on white where transparent), scaled by [`SHRINK_STEP`] until it fits.
    ///
    /// Errors: [`ChatImageError::BadSize`] for an empty picture or a buffer of the wrong length.
    pub fn prepare(rgba: &[u8], width: u32, height: u32) -> Result<Vec<u8>, ChatImageError> {
        if width == 0 || height == 0 || rgba.len() != width as usize * height as usize * 4 {
            return Err(ChatImageError::BadSize { width, height });
        }
        let mut current = (rgba.to_vec(), width, height);
        let longest = width.max(height);
        if longest > MAX_CHAT_IMAGE_SIDE {
            let scale = MAX_CHAT_IMAGE_SIDE as f32 / longest as f32;
            current = shrink(rgba, width, height, scale);
        }
        if let Some(png) = encode_png(&current.0, current.1, current.2) {
            if png.len() <= MAX_CHAT_IMAGE_BYTES {
                return Ok(png);
            }
        }
        loop {
            let (pixels, w, h) = &current;
            let jpeg = encode_jpeg(pixels, *w, *h);
            if jpeg.len() <= MAX_CHAT_IMAGE_BYTES || (*w <= 16 && *h <= 16) {
                return Ok(jpeg);
            }
            current = shrink(pixels, *w, *h, SHRINK_STEP);
        }
    }

    fn encode_png(rgba: &[u8], width: u32, height: u32) -> Option<Vec<u8>> {
        let mut out = Vec::new();
        let mut enc = png::Encoder::new(&mut out, width, height);
        enc.set_color(png::ColorType::Rgba);
        enc.set_depth(png::BitDepth::Eight);
        enc.set_compression(png::Compression::High);
        let mut writer = enc.write_header().ok()?;
        writer.write_image_data(rgba).ok()?;
        writer.finish().ok()?;
        Some(out)
    }

    fn encode_jpeg(rgba: &[u8], width: u32, height: u32) -> Vec<u8> {
        // JPEG has no alpha: composite on white, as a chat bubble would show it.
        let rgb: Vec<u8> = rgba
            .chunks_exact(4)
            .flat_map(|p| {
                let a = u32::from(p[3]);
                let over = |c: u8| ((u32::from(c) * a + 255 * (255 - a)) / 255) as u8;
                [over(p[0]), over(p[1]), over(p[2])]
            })
            .collect();
        let mut out = Vec::new();
        let enc = jpeg_encoder::Encoder::new(&mut out, JPEG_QUALITY);
        // Sides are ≤ MAX_CHAT_IMAGE_SIDE (8192) < u16::MAX here.
        match enc.encode(
            &rgb,
            width as u16,
            height as u16,
            jpeg_encoder::ColorType::Rgb,
        ) {
            Ok(()) => out,
            Err(_) => Vec::new(),
        }
    }

    /// Area-averaged downscale by `scale` (< 1); sides never go under 1 px.
    fn shrink(rgba: &[u8], width: u32, height: u32, scale: f32) -> (Vec<u8>, u32, u32) {
        let nw = ((width as f32 * scale) as u32).max(1);
        let nh = ((height as f32 * scale) as u32).max(1);
        let mut out = vec![0u8; nw as usize * nh as usize * 4];
        for y in 0..nh {
            let y0 = (y as u64 * height as u64 / nh as u64) as u32;
            let y1 = (((y + 1) as u64 * height as u64).div_ceil(nh as u64) as u32).max(y0 + 1);
            for x in 0..nw {
                let x0 = (x as u64 * width as u64 / nw as u64) as u32;
                let x1 = (((x + 1) as u64 * width as u64).div_ceil(nw as u64) as u32).max(x0 + 1);
                let mut sum = [0u32; 4];
                for sy in y0..y1.min(height) {
                    let row = &rgba[(sy as usize * width as usize + x0 as usize) * 4..]
                        [..(x1.min(width) - x0) as usize * 4];
                    for p in row.chunks_exact(4) {
                        for c in 0..4 {
                            sum[c] += u32::from(p[c]);
                        }
                    }
                }
                let n = (y1.min(height) - y0) * (x1.min(width) - x0);
                let o = (y as usize * nw as usize + x as usize) * 4;
                for c in 0..4 {
                    out[o + c] = (sum[c] / n.max(1)) as u8;
                }
            }
        }
        (out, nw, nh)
    }
}

/// The wire error a refused picture becomes (`ApiError::BadImage`).
impl From<ChatImageError> for porpoise_protocol::wire::ApiError {
    fn from(e: ChatImageError) -> porpoise_protocol::wire::ApiError {
        use ChatImageError as E;
        porpoise_protocol::wire::ApiError::BadImage(match e {
            E::UnknownFormat => porpoise_protocol::wire::ImageProblem::UnknownFormat,
            E::Damaged(_) => porpoise_protocol::wire::ImageProblem::Damaged,
            E::TooLarge { bytes } => porpoise_protocol::wire::ImageProblem::TooLarge {
                bytes: bytes as u64,
                max_bytes: porpoise_protocol::wire::MAX_CHAT_IMAGE_BYTES as u64,
            },
            E::TooManyPixels { width, height } => {
                porpoise_protocol::wire::ImageProblem::TooManyPixels {
                    pixels: u64::from(width) * u64::from(height),
                    max_pixels: MAX_DECODE_PIXELS,
                }
            }
            E::BadSize { width, height } => porpoise_protocol::wire::ImageProblem::BadSize {
                width,
                height,
                max_side: porpoise_protocol::wire::MAX_CHAT_IMAGE_SIDE,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A chat picture with a palette png 0.18.1 panics on (the `branding` fuzz target's find)
    /// is damaged, not a crash of the receiving app.
    #[cfg(feature = "pictures")]
    #[test]
    fn a_palette_the_png_crate_panics_on_is_damaged() {
        let input =
            include_bytes!("../../../fuzz/artifacts/branding/palette-28-bytes-valid-crc.png");
        assert!(matches!(decode(input), Err(ChatImageError::Damaged(_))));
    }

    fn jpeg_header(width: u16, height: u16) -> Vec<u8> {
        let mut v = vec![0xff, 0xd8];
        // An APP0 segment first, then padding, then SOF2 (progressive).
        v.extend_from_slice(&[0xff, 0xe0, 0x00, 0x04, 0x00, 0x00]);
        v.extend_from_slice(&[0xff, 0xff, 0xc2, 0x00, 0x11, 0x08]);
        v.extend_from_slice(&height.to_be_bytes());
        v.extend_from_slice(&width.to_be_bytes());
        // Three components, 4:2:0.
        v.extend_from_slice(&[3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
        v
    }

    /// The `chat_image` fuzz target's finds: zune-jpeg 0.5.15 panicked on a chroma component
    /// sampled 4×1 under a 2×2 luma. `probe` (the relay) refuses the layout, so no app decodes
    /// it; common layouts still pass.
    #[test]
    fn jpeg_sampling_layouts_the_decoder_panics_on_are_refused() {
        let input = include_bytes!(
            "../../../fuzz/artifacts/chat_image/crash-56f99ee7ee3560710ae65b4db4bf44eeaf571a5c"
        );
        assert!(matches!(probe(input), Err(ChatImageError::Damaged(_))));
        let with = |specs: &[u8]| {
            let mut v = jpeg_header(64, 64);
            let sof = v.len() - 10;
            v.truncate(sof);
            v[sof - 7..sof - 5].copy_from_slice(&(8 + specs.len() as u16).to_be_bytes());
            v.push((specs.len() / 3) as u8);
            v.extend_from_slice(specs);
            v
        };
        for (specs, ok) in [
            (&[1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1][..], true),
            (&[1, 0x21, 0, 2, 0x11, 1, 3, 0x11, 1][..], true),
            (&[1, 0x11, 0, 2, 0x11, 1, 3, 0x11, 1][..], true),
            (&[1, 0x22, 0, 2, 0x22, 1, 3, 0x22, 1][..], true),
            (&[1, 0x11, 0][..], true),
            (&[1, 0x22, 0, 2, 0x11, 1, 3, 0x41, 1][..], false),
            (&[1, 0x11, 0, 2, 0x22, 1, 3, 0x11, 1][..], false),
            (&[1, 0x44, 0, 2, 0x11, 1, 3, 0x11, 1][..], false),
            (&[1, 0x11, 0, 2, 0x11, 1][..], false),
        ] {
            assert_eq!(probe(&with(specs)).is_ok(), ok, "{specs:?}");
        }
    }

    #[test]
    fn probe_reads_jpeg_frame_header_after_other_segments() {
        let info = probe(&jpeg_header(640, 480)).expect("jpeg");
        assert_eq!(
            (info.format, info.width, info.height),
            (ImageFormat::Jpeg, 640, 480)
        );
    }

    #[test]
    fn probe_refuses_hostile_headers() {
        assert_eq!(probe(b"GIF89a...."), Err(ChatImageError::UnknownFormat));
        assert!(matches!(
            probe(&PNG_SIGNATURE),
            Err(ChatImageError::Damaged(_))
        ));
        assert!(matches!(
            probe(&[0xff, 0xd8, 0xff]),
            Err(ChatImageError::Damaged(_))
        ));
        // A segment length pointing past the end, a length under 2, scan before frame.
        assert!(matches!(
            probe(&[0xff, 0xd8, 0xff, 0xe0, 0xff, 0xff]),
            Err(ChatImageError::Damaged(_))
        ));
        assert!(matches!(
            probe(&[0xff, 0xd8, 0xff, 0xe0, 0x00, 0x01]),
            Err(ChatImageError::Damaged(_))
        ));
        assert!(matches!(
            probe(&[0xff, 0xd8, 0xff, 0xda, 0x00, 0x02]),
            Err(ChatImageError::Damaged(_))
        ));
        assert_eq!(
            probe(&jpeg_header(0, 10)),
            Err(ChatImageError::BadSize {
                width: 0,
                height: 10
            })
        );
        assert_eq!(
            probe(&jpeg_header(9000, 10)),
            Err(ChatImageError::BadSize {
                width: 9000,
                height: 10
            })
        );
        let big = vec![0u8; MAX_CHAT_IMAGE_BYTES + 1];
        assert_eq!(
            probe(&big),
            Err(ChatImageError::TooLarge {
                bytes: MAX_CHAT_IMAGE_BYTES + 1
            })
        );
    }

    #[cfg(feature = "pictures")]
    #[test]
    fn screenshot_stays_png_and_round_trips_exactly() {
        // A flat UI-like picture compresses well: it must stay a lossless PNG.
        let (w, h) = (400u32, 300u32);
        let rgba: Vec<u8> = (0..w * h)
            .flat_map(|i| {
                if (i / w) % 20 < 2 {
                    [30, 30, 30, 255]
                } else {
                    [250, 250, 245, 255]
                }
            })
            .collect();
        let data = prepare(&rgba, w, h).expect("prepare");
        let info = probe(&data).expect("probe");
        assert_eq!(
            (info.format, info.width, info.height),
            (ImageFormat::Png, w, h)
        );
        assert_eq!(decode(&data).expect("decode").rgba, rgba);
    }

    #[cfg(feature = "pictures")]
    #[test]
    fn noisy_photo_is_reencoded_to_fit() {
        // Noise does not compress: 1600×1200 RGBA is 7.7 MB raw; it must come out ≤ the limit.
        let (w, h) = (1600u32, 1200u32);
        let mut seed = 1u32;
        let rgba: Vec<u8> = (0..w * h * 4)
            .map(|_| {
                seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                (seed >> 16) as u8
            })
            .collect();
        let data = prepare(&rgba, w, h).expect("prepare");
        assert!(data.len() <= MAX_CHAT_IMAGE_BYTES, "{} bytes", data.len());
        let info = probe(&data).expect("probe");
        assert_eq!(info.format, ImageFormat::Jpeg);
        assert!(info.width < w && info.height < h);
        let aspect = info.width as f32 / info.height as f32;
        assert!((aspect - 4.0 / 3.0).abs() < 0.02, "aspect {aspect}");
        let decoded = decode(&data).expect("decode");
        assert_eq!(decoded.rgba.len(), (info.width * info.height * 4) as usize);
    }

    #[cfg(feature = "pictures")]
    #[test]
    fn big_picture_files_are_scaled_to_fit_and_small_ones_kept() {
        let small = prepare(&[9u8; 8 * 8 * 4], 8, 8).expect("small");
        assert_eq!(fit_for_chat(&small).expect("kept"), small);
        // 9000 px wide: over the chat's side limit, within the source limit.
        let (w, h) = (9000u32, 20u32);
        let wide = {
            let mut out = Vec::new();
            let mut enc = png::Encoder::new(&mut out, w, h);
            enc.set_color(png::ColorType::Rgb);
            let mut writer = enc.write_header().expect("header");
            writer
                .write_image_data(&vec![77u8; (w * h * 3) as usize])
                .expect("data");
            writer.finish().expect("finish");
            out
        };
        let sent = fit_for_chat(&wide).expect("fits");
        let info = probe(&sent).expect("probe");
        assert!(info.width <= MAX_CHAT_IMAGE_SIDE, "{info:?}");
        assert_eq!(
            fit_for_chat(b"BM bitmap"),
            Err(ChatImageError::UnknownFormat)
        );
    }

    /// A PNG header claiming `width × height` px, with no pixel data: a few dozen bytes.
    fn png_claiming(width: u32, height: u32) -> Vec<u8> {
        let mut v = PNG_SIGNATURE.to_vec();
        v.extend_from_slice(&13u32.to_be_bytes());
        v.extend_from_slice(b"IHDR");
        v.extend_from_slice(&width.to_be_bytes());
        v.extend_from_slice(&height.to_be_bytes());
        // depth 8, RGBA, deflate, no filter, no interlace; a CRC; then nothing.
        v.extend_from_slice(&[8, 6, 0, 0, 0, 0, 0, 0, 0]);
        v
    }

    #[cfg(feature = "pictures")]
    #[test]
    fn a_tiny_png_claiming_huge_pixels_is_refused_before_allocating() {
        let tiny = png_claiming(16_384, 16_384);
        assert!(tiny.len() < 64);
        // As a file a user picked (within the source side limit, so only the pixel limit
        // refuses it) and as a received chat picture (over the side limit).
        assert_eq!(
            fit_for_chat(&tiny),
            Err(ChatImageError::TooManyPixels {
                width: 16_384,
                height: 16_384
            })
        );
        assert!(matches!(decode(&tiny), Err(ChatImageError::BadSize { .. })));
        // Within every side limit but over the pixel limit: 8192 × 8192 = 67 Mpx (256 MiB).
        let square = png_claiming(8192, 8192);
        assert_eq!(
            decode(&square),
            Err(ChatImageError::TooManyPixels {
                width: 8192,
                height: 8192
            })
        );
        // The check is on the header alone: no decoder runs (a decoder would call this data
        // damaged, as it has no pixel data at all).
        assert!(matches!(
            decode(&png_claiming(64, 64)),
            Err(ChatImageError::Damaged(_))
        ));
    }

    #[cfg(feature = "pictures")]
    #[test]
    fn textures_are_scaled_to_the_renderers_largest_side() {
        let (w, h) = (300u32, 120u32);
        let decoded = Decoded {
            width: w,
            height: h,
            rgba: vec![40; (w * h * 4) as usize],
        };
        let small = fit_texture(decoded.clone(), 4096);
        assert_eq!(small, decoded, "fits already");
        let fitted = fit_texture(decoded, 100);
        assert_eq!((fitted.width, fitted.height), (100, 40));
        assert_eq!(fitted.rgba.len(), 100 * 40 * 4);
        assert!(fitted.rgba.iter().all(|&b| b == 40));
    }

    #[cfg(feature = "pictures")]
    #[test]
    fn broken_pixels_are_an_error_not_a_crash() {
        let (w, h) = (64u32, 64u32);
        let rgba = vec![128u8; (w * h * 4) as usize];
        let mut data = prepare(&rgba, w, h).expect("prepare");
        let n = data.len();
        data.truncate(n - 20);
        assert!(matches!(decode(&data), Err(ChatImageError::Damaged(_))));
    }
}
