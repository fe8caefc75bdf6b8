//! Screen codec, first version: changed tiles, lossless, zstd-compressed.
//!
//! The helper's [`ScreenEncoder`] compares each captured frame with the previous one in
//! [`TILE_SIZE`]×[`TILE_SIZE`] px tiles and sends only the tiles that changed, as 24-bit BGR pixels
//! compressed together with zstd. The agent's [`ScreenDecoder`] applies them to an RGBA canvas and
//! reports which rectangles changed, so that only those are uploaded to the GPU texture.
//!
//! On the screen stream the helper sends [`ScreenMessage::Frame`]s and the viewer answers each
//! with [`ScreenMessage::Ack`]; the sender keeps at most [`MAX_FRAMES_IN_FLIGHT`] unacknowledged
//! frames and always encodes the newest screen state (no queue of stale frames).

use serde::{Deserialize, Serialize};

/// Edge of a square tile, in px.
pub const TILE_SIZE: u32 = 64;
/// Largest screen edge accepted by the decoder, in px.
pub const MAX_SCREEN_EDGE: u32 = 8192;
/// Frames the sender may have sent but not had acknowledged.
pub const MAX_FRAMES_IN_FLIGHT: u64 = 2;
/// zstd level used for tiles: fast, still about 100:1 on a text screen.
pub const ZSTD_LEVEL: i32 = 1;
/// Bytes per pixel in the tile payload (B, G, R).
const PAYLOAD_BPP: usize = 3;

/// A rectangle in remote pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TileRect {
    /// Left edge, px.
    pub x: u32,
    /// Top edge, px.
    pub y: u32,
    /// Width, px.
    pub w: u32,
    /// Height, px.
    pub h: u32,
}

/// One encoded screen update.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VideoFrame {
    /// Sequence number, from 1, increasing by one per frame on a stream.
    pub seq: u64,
    /// Capture time in ms since the stream started.
    pub pts: u64,
    /// Screen width, px.
    pub width: u32,
    /// Screen height, px.
    pub height: u32,
    /// Key frame: `tiles` cover the whole screen and the decoder starts afresh.
    pub key: bool,
    /// Changed rectangles, in payload order.
    pub tiles: Vec<TileRect>,
    /// zstd of the tiles' pixels, row by row, 3 bytes (B, G, R) per pixel.
    pub data: Vec<u8>,
}

pub use crate::stream::ScreenMessage;

/// A captured screen image in 32-bit BGRA/BGRX (as X11 and Windows capture produce it).
#[derive(Debug, Clone, Copy)]
pub struct CapturedFrame<'a> {
    /// Width, px.
    pub width: u32,
    /// Height, px.
    pub height: u32,
    /// Bytes per row (≥ 4 × width).
    pub stride: usize,
    /// Pixels: `stride × height` bytes, 4 per pixel in B, G, R, X order.
    pub bgra: &'a [u8],
}

/// Codec errors; the decoder returns them for hostile or corrupt frames.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CodecError {
    /// Width or height is 0 or above [`MAX_SCREEN_EDGE`].
    #[error("screen size {width}x{height} px is out of range (1..={MAX_SCREEN_EDGE})")]
    BadSize {
        /// Width, px.
        width: u32,
        /// Height, px.
        height: u32,
    },
    /// A delta frame arrived before any key frame, or with another screen size.
    #[error("delta frame without a matching key frame")]
    NoKeyFrame,
    /// A tile lies outside the screen or is empty.
    #[error("tile {0:?} lies outside the screen")]
    BadTile(TileRect),
    /// The payload did not decompress to exactly the tiles' pixel count.
    #[error("tile payload is {got} bytes, tiles need {want}")]
    BadPayload {
        /// Bytes decompressed.
        got: usize,
        /// Bytes expected.
        want: usize,
    },
    /// zstd failed.
    #[error("zstd: {0}")]
    Zstd(String),
    /// The captured image is smaller than its width, height and stride say.
    #[error("captured image buffer too small")]
    ShortCapture,
}

/// Encoder state for one screen stream.
#[derive(Debug, Default)]
pub struct ScreenEncoder {
    previous: Vec<u8>,
    width: u32,
    height: u32,
    seq: u64,
    payload: Vec<u8>,
}

impl ScreenEncoder {
    /// A fresh encoder; its first frame is a key frame.
    pub fn new() -> Self {
        Self::default()
    }

    /// Encodes `frame`; `None` if nothing changed since the previous one.
    ///
    /// A key frame is produced for the first frame, after a size change, or when `force_key`.
    /// Errors: [`CodecError::BadSize`], [`CodecError::ShortCapture`], [`CodecError::Zstd`].
    pub fn encode(
        &mut self,
        frame: CapturedFrame<'_>,
        pts: u64,
        force_key: bool,
    ) -> Result<Option<VideoFrame>, CodecError> {
        let (width, height) = (frame.width, frame.height);
        check_size(width, height)?;
        let row = width as usize * 4;
        if frame.stride < row || frame.bgra.len() < frame.stride * (height as usize - 1) + row {
            return Err(CodecError::ShortCapture);
        }
        let key =
            force_key || width != self.width || height != self.height || self.previous.is_empty();
        let mut tiles = Vec::new();
        self.payload.clear();
        for ty in (0..height).step_by(TILE_SIZE as usize) {
            for tx in (0..width).step_by(TILE_SIZE as usize) {
                let rect = TileRect {
                    x: tx,
                    y: ty,
                    w: TILE_SIZE.min(width - tx),
                    h: TILE_SIZE.min(height - ty),
                };
                if key || self.tile_changed(&frame, rect) {
                    tiles.push(rect);
                    append_bgr(&mut self.payload, &frame, rect);
                }
            }
        }
        self.store_previous(&frame);
        if tiles.is_empty() {
            return Ok(None);
        }
        let data = zstd::bulk::compress(&self.payload, ZSTD_LEVEL)
            .map_err(|e| CodecError::Zstd(e.to_string()))?;
        self.seq += 1;
        Ok(Some(VideoFrame {
            seq: self.seq,
            pts,
            width,
            height,
            key,
            tiles,
            data,
        }))
    }

    fn tile_changed(&self, frame: &CapturedFrame<'_>, r: TileRect) -> bool {
        let prev_stride = self.width as usize * 4;
        let (x0, x1) = (r.x as usize * 4, (r.x + r.w) as usize * 4);
        (r.y..r.y + r.h).any(|y| {
            let y = y as usize;
            let cur = &frame.bgra[y * frame.stride + x0..y * frame.stride + x1];
            let prev = &self.previous[y * prev_stride + x0..y * prev_stride + x1];
            cur != prev
        })
    }

    fn store_previous(&mut self, frame: &CapturedFrame<'_>) {
        let row = frame.width as usize * 4;
        self.previous.resize(row * frame.height as usize, 0);
        for y in 0..frame.height as usize {
            self.previous[y * row..(y + 1) * row]
                .copy_from_slice(&frame.bgra[y * frame.stride..y * frame.stride + row]);
        }
        self.width = frame.width;
        self.height = frame.height;
    }
}

fn check_size(width: u32, height: u32) -> Result<(), CodecError> {
    if width == 0 || height == 0 || width > MAX_SCREEN_EDGE || height > MAX_SCREEN_EDGE {
        return Err(CodecError::BadSize { width, height });
    }
    Ok(())
}

fn append_bgr(out: &mut Vec<u8>, frame: &CapturedFrame<'_>, r: TileRect) {
    for y in r.y..r.y + r.h {
        let start = y as usize * frame.stride + r.x as usize * 4;
        let row = &frame.bgra[start..start + r.w as usize * 4];
        for px in row.chunks_exact(4) {
            out.extend_from_slice(&px[..3]);
        }
    }
}

/// Decoder state for one screen stream: an RGBA canvas of the remote screen.
#[derive(Debug, Default)]
pub struct ScreenDecoder {
    rgba: Vec<u8>,
    width: u32,
    height: u32,
}

impl ScreenDecoder {
    /// A decoder waiting for its first key frame.
    pub fn new() -> Self {
        Self::default()
    }

    /// Applies `frame` and returns the rectangles that changed.
    ///
    /// Errors: [`CodecError`] for frames that are corrupt or do not fit the canvas; the canvas is
    /// left unchanged then.
    pub fn decode(&mut self, frame: &VideoFrame) -> Result<Vec<TileRect>, CodecError> {
        check_size(frame.width, frame.height)?;
        if !frame.key && (frame.width != self.width || frame.height != self.height) {
            return Err(CodecError::NoKeyFrame);
        }
        let mut want = 0usize;
        for t in &frame.tiles {
            if t.w == 0
                || t.h == 0
                || t.x.saturating_add(t.w) > frame.width
                || t.y.saturating_add(t.h) > frame.height
            {
                return Err(CodecError::BadTile(*t));
            }
            want += t.w as usize * t.h as usize * PAYLOAD_BPP;
        }
        let max = frame.width as usize * frame.height as usize * PAYLOAD_BPP;
        if want > max {
            return Err(CodecError::BadPayload { got: 0, want });
        }
        let payload = zstd::bulk::decompress(&frame.data, want)
            .map_err(|e| CodecError::Zstd(e.to_string()))?;
        if payload.len() != want {
            return Err(CodecError::BadPayload {
                got: payload.len(),
                want,
            });
        }
        if frame.key {
            self.width = frame.width;
            self.height = frame.height;
            self.rgba = vec![0; frame.width as usize * frame.height as usize * 4];
        }
        let row = self.width as usize * 4;
        let mut src = payload.chunks_exact(PAYLOAD_BPP);
        for t in &frame.tiles {
            for y in t.y..t.y + t.h {
                let start = y as usize * row + t.x as usize * 4;
                for px in self.rgba[start..start + t.w as usize * 4].chunks_exact_mut(4) {
                    if let Some(bgr) = src.next() {
                        px.copy_from_slice(&[bgr[2], bgr[1], bgr[0], 255]);
                    }
                }
            }
        }
        Ok(frame.tiles.clone())
    }

    /// Canvas size in px (0×0 before the first key frame).
    pub fn size(&self) -> (u32, u32) {
        (self.width, self.height)
    }

    /// The canvas: `width × height` pixels, 4 bytes each (R, G, B, A), rows top to bottom.
    pub fn rgba(&self) -> &[u8] {
        &self.rgba
    }

    /// Copies the pixels of `r` out of the canvas as tightly packed RGBA.
    pub fn rgba_of(&self, r: TileRect) -> Vec<u8> {
        let row = self.width as usize * 4;
        let mut out = Vec::with_capacity(r.w as usize * r.h as usize * 4);
        for y in r.y..(r.y + r.h).min(self.height) {
            let start = y as usize * row + r.x as usize * 4;
            out.extend_from_slice(&self.rgba[start..start + r.w as usize * 4]);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn screen(width: u32, height: u32, seed: u8) -> Vec<u8> {
        (0..width * height * 4)
            .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
            .collect()
    }

    fn cap(bgra: &[u8], width: u32, height: u32) -> CapturedFrame<'_> {
        CapturedFrame {
            width,
            height,
            stride: width as usize * 4,
            bgra,
        }
    }

    fn assert_same(dec: &ScreenDecoder, bgra: &[u8]) {
        for (d, s) in dec.rgba().chunks_exact(4).zip(bgra.chunks_exact(4)) {
            assert_eq!([d[0], d[1], d[2]], [s[2], s[1], s[0]]);
        }
    }

    #[test]
    fn key_then_delta_is_lossless_and_sends_only_changed_tiles() {
        let (w, h) = (200, 130);
        let mut enc = ScreenEncoder::new();
        let mut dec = ScreenDecoder::new();
        let a = screen(w, h, 1);
        let f1 = enc
            .encode(cap(&a, w, h), 0, false)
            .expect("encode")
            .expect("key");
        assert!(f1.key);
        assert_eq!(f1.tiles.len(), 4 * 3);
        dec.decode(&f1).expect("decode");
        assert_same(&dec, &a);

        assert_eq!(enc.encode(cap(&a, w, h), 1, false).expect("encode"), None);

        let mut b = a.clone();
        let i = (70 * w as usize + 150) * 4; // pixel (150, 70): tile (2, 1)
        b[i] ^= 0xff;
        let f2 = enc
            .encode(cap(&b, w, h), 2, false)
            .expect("encode")
            .expect("delta");
        assert!(!f2.key);
        assert_eq!(
            f2.tiles,
            vec![TileRect {
                x: 128,
                y: 64,
                w: 64,
                h: 64
            }]
        );
        assert_eq!(dec.decode(&f2).expect("decode"), f2.tiles);
        assert_same(&dec, &b);
    }

    #[test]
    fn delta_before_key_is_refused() {
        let mut dec = ScreenDecoder::new();
        let frame = VideoFrame {
            seq: 1,
            pts: 0,
            width: 10,
            height: 10,
            key: false,
            tiles: vec![],
            data: vec![],
        };
        assert_eq!(dec.decode(&frame), Err(CodecError::NoKeyFrame));
    }

    #[test]
    fn hostile_tiles_and_payloads_are_refused() {
        let mut dec = ScreenDecoder::new();
        let outside = VideoFrame {
            seq: 1,
            pts: 0,
            width: 10,
            height: 10,
            key: true,
            tiles: vec![TileRect {
                x: 5,
                y: 5,
                w: 10,
                h: 1,
            }],
            data: vec![],
        };
        assert!(matches!(dec.decode(&outside), Err(CodecError::BadTile(_))));
        let short = VideoFrame {
            tiles: vec![TileRect {
                x: 0,
                y: 0,
                w: 10,
                h: 10,
            }],
            data: zstd::bulk::compress(&[0u8; 5], 1).expect("zstd"),
            ..outside.clone()
        };
        assert!(matches!(
            dec.decode(&short),
            Err(CodecError::BadPayload { .. })
        ));
        let huge = VideoFrame {
            width: 100_000,
            ..outside
        };
        assert!(matches!(dec.decode(&huge), Err(CodecError::BadSize { .. })));
    }

    #[test]
    fn stride_padding_is_ignored() {
        let (w, h) = (3, 2);
        let stride = 16;
        let mut bgra = vec![0xAAu8; stride * h as usize];
        for y in 0..h as usize {
            for x in 0..w as usize {
                bgra[y * stride + x * 4..y * stride + x * 4 + 4].copy_from_slice(&[1, 2, 3, 0]);
            }
        }
        let mut enc = ScreenEncoder::new();
        let f = enc
            .encode(
                CapturedFrame {
                    width: w,
                    height: h,
                    stride,
                    bgra: &bgra,
                },
                0,
                false,
            )
            .expect("encode")
            .expect("key");
        let mut dec = ScreenDecoder::new();
        dec.decode(&f).expect("decode");
        assert!(dec.rgba().chunks_exact(4).all(|p| p == [3, 2, 1, 255]));
    }
}

#[cfg(test)]
mod hostile {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Whatever bytes arrive on a screen stream, decoding returns a value or an error; it
        /// never panics or allocates beyond the screen limit.
        #[test]
        fn arbitrary_frames_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let mut dec = ScreenDecoder::new();
            if let Ok(ScreenMessage::Frame(f)) = postcard::from_bytes::<ScreenMessage>(&bytes) {
                let _ = dec.decode(&f);
            }
        }

        #[test]
        fn arbitrary_tiles_never_panic(
            key in any::<bool>(),
            width in 0u32..300, height in 0u32..300,
            tiles in proptest::collection::vec((0u32..400, 0u32..400, 0u32..400, 0u32..400), 0..6),
            payload in proptest::collection::vec(any::<u8>(), 0..64),
        ) {
            let mut dec = ScreenDecoder::new();
            let tiles = tiles.into_iter().map(|(x, y, w, h)| TileRect { x, y, w, h }).collect();
            let data = zstd::bulk::compress(&payload, 1).unwrap_or_default();
            let _ = dec.decode(&VideoFrame { seq: 1, pts: 0, width, height, key, tiles, data });
        }
    }
}
