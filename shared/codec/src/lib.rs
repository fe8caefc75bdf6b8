//! Porpoise codecs: the screen codec (this module), the screen stream's messages and sources
//! ([`stream`]) and the chat pictures' format checks and pixel work ([`chat_image`]). No async
//! runtime, no UI, no platform code.
//!
//! # Screen codec, second version: changed tiles, each coded flat, palette, raw or lossy
//!
//! The helper's [`ScreenEncoder`] compares each captured frame (downscaled first when the viewer
//! chose a scale below 100 %) with the previous one in [`TILE_SIZE`]×[`TILE_SIZE`] px tiles and
//! sends only the tiles that changed. Each changed tile is coded as the cheapest of:
//!
//! - [`TileKind::Flat`]: one colour, carried in the tile code itself;
//! - [`TileKind::Palette`]: at most [`PALETTE_MAX_COLORS`] colours: the palette (3 bytes B, G,
//!   R per colour) and the indices packed 1, 2, 4 or 8 bits each, rows padded to a byte;
//! - [`TileKind::Raw`]: 3 bytes B, G, R per pixel;
//! - [`TileKind::Lossy`]: a tile with many colours that keeps changing (video, photos being
//!   scrolled: changed in at least [`VIDEO_MIN_CHANGES`] of the last [`VIDEO_WINDOW`] frames),
//!   or any many-colour tile at [`ImageQuality::Low`]. All lossy tiles of a frame go into one
//!   baseline JPEG strip (see `lossy.rs`); once such a tile has stayed unchanged for
//!   [`REFINE_AFTER_FRAMES`] frames it is sent again losslessly (except at `Low`).
//!
//! - [`TileKind::Copy`]: the tile equals the previous frame (as the decoder holds it) at an
//!   offset (`dx`, `dy`): a scroll or a moved window (see `motion.rs`; searched only when at
//!   least 4 tiles changed, so a static screen or typing pays nothing);
//! - [`TileKind::CopyPatch`]: a copy (also by (0, 0)) with a few pixels replaced, for tiles
//!   that almost match (a scrolled pane's edges, new lines, a window's border).
//!
//! Copies read the canvas as it was *before* the frame and are not allowed in key frames;
//! they never read a tile last sent lossy (the decoder's pixels differ there).
//!
//! The palette, raw and patch payloads of a frame are concatenated in tile order and
//! compressed together with zstd at [`ZSTD_LEVEL`] ([`ZSTD_SMALL_LEVEL`] for payloads up to
//! [`ZSTD_SMALL_PAYLOAD`]) into [`VideoFrame::data`]; the JPEG strip is
//! [`VideoFrame::jpeg`].
//!
//! Delta frames compress their payload against a reference: the last [`REFERENCE_BYTES`] of
//! the payloads of earlier frames since the key frame, as a zstd raw-content dictionary that
//! encoder and decoder both keep. Text newly revealed by a scroll, a window's glyphs after a
//! move and re-sent edges mostly repeat what recent frames carried (recorded 1080p scroll:
//! 10.4 KB → 4.0 KB a frame). [`VideoFrame::reference`] names the frame the dictionary ends
//! with, so a decoder that missed a frame refuses the next one instead of painting garbage.
//! The tile codes travel as runs of consecutive indices with one kind (`runs.rs`). Tiles are addressed by index in the row-major tile grid of the coded
//! canvas (`⌈width / 64⌉` tiles per row); edge tiles are smaller.
//!
//! The agent's [`ScreenDecoder`] validates a whole frame (sizes, tile indices, payload length,
//! JPEG header) before it touches its RGBA canvas, then applies it and reports which rectangles
//! changed, so that only those are uploaded to the GPU texture.
//!
//! On the screen stream the helper sends [`ScreenMessage::Frame`]s and the viewer answers each
//! with [`ScreenMessage::Ack`]; the sender keeps at most [`MAX_FRAMES_IN_FLIGHT`] unacknowledged
//! frames and always encodes the newest screen state (no queue of stale frames).

pub mod chat_image;
pub mod png_chunks;
pub mod stream;

mod detect;
mod lossy;
mod motion;
mod runs;
mod scale;
mod tile;

#[cfg(test)]
mod tests;

use std::time::Instant;

use serde::{Deserialize, Serialize};

use crate::stream::{ImageQuality, SCALE_PERCENTS};

/// Edge of a square tile, in px. A multiple of the 16-px JPEG MCU.
pub const TILE_SIZE: u32 = 64;
/// Largest screen edge (source and canvas) accepted by the encoder and decoder, in px.
pub const MAX_SCREEN_EDGE: u32 = 8192;
/// Frames the sender may have sent but not had acknowledged.
pub const MAX_FRAMES_IN_FLIGHT: u64 = 2;
/// zstd level used for the lossless payload: fast, still about 100:1 on a text screen.
pub const ZSTD_LEVEL: i32 = 1;
/// Payloads up to this many bytes are compressed at [`ZSTD_SMALL_LEVEL`].
pub const ZSTD_SMALL_PAYLOAD: usize = 64 * 1024;
/// zstd level for small payloads: on a recorded scroll 9 % smaller than level 1 for about
/// 0.4 ms more per frame (level 9: 11 %, 0.65 ms).
pub const ZSTD_SMALL_LEVEL: i32 = 6;
/// Most bytes of earlier payloads kept as the zstd reference dictionary of the next delta
/// frame (the newest bytes; recorded 1080p scroll: 3.96 KB a frame with only the previous
/// payload, 3.85 KB with 128 KB of history).
pub const REFERENCE_BYTES: usize = 128 * 1024;
/// Most colours a palette tile may have. 256 (8-bit indices) beat 16 on anti-aliased text
/// (see `benches/codec.rs`): such tiles would otherwise be raw, 3 bytes per px before zstd.
pub const PALETTE_MAX_COLORS: usize = 256;
/// Frames of change history kept per tile to recognise video, frames (the newest included).
pub const VIDEO_WINDOW: u32 = 4;
/// A many-colour tile changed in at least this many of the last [`VIDEO_WINDOW`] frames is
/// video and is coded lossy.
pub const VIDEO_MIN_CHANGES: u32 = 3;
/// A tile last sent lossy is sent again losslessly after this many frames without change.
pub const REFINE_AFTER_FRAMES: u32 = 2;
/// Most tile rows in one column of the JPEG strip (JPEG edges are ≤ 65 535 px; 1023 × 64 px).
pub const MAX_STRIP_ROWS: usize = 1023;
/// Largest number of tiles of one frame: the tile grid of a [`MAX_SCREEN_EDGE`]² canvas.
pub const MAX_TILES: usize =
    (MAX_SCREEN_EDGE.div_ceil(TILE_SIZE) * MAX_SCREEN_EDGE.div_ceil(TILE_SIZE)) as usize;

/// A rectangle in canvas pixels.
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

/// How one tile is coded (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TileKind {
    /// One colour, B, G, R; nothing in the payload.
    Flat([u8; 3]),
    /// A palette of this many colours (2..=[`PALETTE_MAX_COLORS`]) in the lossless payload:
    /// `colours × 3` bytes B, G, R, then one row of packed indices per pixel row
    /// (`⌈w × bits / 8⌉` bytes, bits = 1, 2, 4 or 8, most significant bits first).
    Palette(u16),
    /// `w × h × 3` bytes B, G, R in the lossless payload.
    Raw,
    /// The next tile of the frame's JPEG strip.
    Lossy,
    /// The tile's pixels are those of the canvas *before this frame* at (`x + dx`, `y + dy`)
    /// (a scroll or a moved window); nothing in the payload. The source rectangle must lie in
    /// the canvas; not allowed in key frames.
    Copy {
        /// Horizontal offset of the source, px.
        dx: i16,
        /// Vertical offset of the source, px.
        dy: i16,
    },
    /// As [`TileKind::Copy`], then `patched` pixels replaced: in the lossless payload one
    /// mask row per pixel row (`⌈w / 8⌉` bytes, a set bit, most significant first, marks a
    /// replaced pixel; exactly `patched` bits set), then the replaced pixels in raster order:
    /// `patched × 3` bytes B, G, R when `colors` is 0, else a palette of `colors`
    /// (1..=[`PALETTE_MAX_COLORS`]) × 3 bytes B, G, R and the indices packed as one palette
    /// row of `patched` px (see [`TileKind::Palette`]).
    CopyPatch {
        /// Horizontal offset of the source, px.
        dx: i16,
        /// Vertical offset of the source, px.
        dy: i16,
        /// Pixels replaced (1..=w × h).
        patched: u16,
        /// Palette size of the replaced pixels, 0 for raw.
        colors: u16,
    },
}

/// One coded tile of a [`VideoFrame`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TileCode {
    /// Index in the row-major tile grid of the canvas (`⌈width / 64⌉` tiles per row).
    pub index: u32,
    /// How the tile is coded.
    pub kind: TileKind,
}

/// One encoded screen update.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VideoFrame {
    /// Sequence number, from 1, increasing by one per frame on a stream; 0 for a still.
    pub seq: u64,
    /// Capture time in ms since the stream started.
    pub pts: u64,
    /// Coded canvas width, px (the captured width × scale).
    pub width: u32,
    /// Coded canvas height, px.
    pub height: u32,
    /// Captured screen width, px: input coordinates map to `x × source_width / width`.
    pub source_width: u32,
    /// Captured screen height, px.
    pub source_height: u32,
    /// Key frame: `tiles` cover the whole canvas and the decoder starts afresh.
    pub key: bool,
    /// Changed tiles, in payload order; each index at most once. On the wire as runs of
    /// consecutive indices with one kind.
    #[serde(
        serialize_with = "runs::serialize",
        deserialize_with = "runs::deserialize"
    )]
    pub tiles: Vec<TileCode>,
    /// Sequence number of the frame whose payload ends the zstd reference dictionary that
    /// `data` was compressed with; 0 when `data` was compressed without one (key frames,
    /// stills, empty payloads).
    pub reference: u64,
    /// zstd of the palette, raw and patch payloads, in tile order.
    pub data: Vec<u8>,
    /// One baseline JPEG with the lossy tiles (empty when there are none).
    pub jpeg: Vec<u8>,
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
    /// A tile index is outside the grid, repeated, or its code is invalid.
    #[error("tile {index} is outside the grid, repeated or badly coded")]
    BadTileCode {
        /// The tile's index.
        index: u32,
    },
    /// More tiles than the canvas has.
    #[error("{got} tiles, the canvas has {max}")]
    TooManyTiles {
        /// Tiles in the frame.
        got: usize,
        /// Tiles in the canvas grid.
        max: usize,
    },
    /// The payload did not decompress to exactly the tiles' size.
    #[error("tile payload is {got} bytes, tiles need {want}")]
    BadPayload {
        /// Bytes decompressed.
        got: usize,
        /// Bytes expected.
        want: usize,
    },
    /// The frame was compressed against a reference this decoder does not hold (it missed or
    /// failed a frame since the key frame).
    #[error("frame needs reference frame {want}, the decoder holds {have}")]
    MissingReference {
        /// [`VideoFrame::reference`] of the frame.
        want: u64,
        /// Sequence number of the newest frame in the decoder's reference (0: none).
        have: u64,
    },
    /// zstd failed.
    #[error("zstd: {0}")]
    Zstd(String),
    /// The JPEG strip is corrupt or not of the size its tiles need.
    #[error("jpeg: {0}")]
    Jpeg(String),
    /// The captured image is smaller than its width, height and stride say.
    #[error("captured image buffer too small")]
    ShortCapture,
}

/// What the last [`ScreenEncoder::encode`] did (for benchmarks and logs).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EncodeStats {
    /// Tiles coded [`TileKind::Flat`].
    pub flat: u32,
    /// Tiles coded [`TileKind::Palette`].
    pub palette: u32,
    /// Tiles coded [`TileKind::Raw`].
    pub raw: u32,
    /// Tiles coded [`TileKind::Lossy`].
    pub lossy: u32,
    /// Tiles coded [`TileKind::Copy`] or [`TileKind::CopyPatch`].
    pub copied: u32,
    /// Tiles not sent.
    pub unchanged: u32,
    /// Time spent scaling and finding changed tiles, µs.
    pub detect_us: u32,
    /// Time spent coding the changed tiles (classification, zstd, JPEG), µs.
    pub encode_us: u32,
    /// Bytes of the coded frame (`data` + `jpeg` + 6 per tile code, an estimate of the
    /// postcard size); 0 if nothing changed.
    pub bytes: u32,
}

/// Encoder state for one screen stream.
#[derive(Debug)]
pub struct ScreenEncoder {
    /// The canvas as last sent: `width × height × 4` bytes, BGRX, tightly packed.
    previous: Vec<u8>,
    width: u32,
    height: u32,
    seq: u64,
    /// Scaled streams only: the last captured source, `w × h × 4` bytes, and its size in px.
    source: Vec<u8>,
    source_size: (u32, u32),
    quality: ImageQuality,
    scale_percent: u8,
    palette_limit: usize,
    pending_key: bool,
    /// Per tile: change bits of the last frames, newest in bit 0.
    history: Vec<u8>,
    /// Per tile: last sent lossy.
    shown_lossy: Vec<bool>,
    changed: Vec<bool>,
    /// One colour counter per tile column (a band is classified row by row).
    classifiers: Vec<tile::Classifier>,
    /// Per tile column of the current band: what to do.
    todo: Vec<Todo>,
    /// False for stills: no JPEG tiles.
    lossy_ok: bool,
    /// Per tile: copy vector found by the motion search ([`motion::NONE`] if none).
    copies: Vec<(i16, i16)>,
    /// Per tile with a copy vector: pixels to patch (0: an exact copy), and where its patch
    /// payload starts in the motion search's buffer.
    patched: Vec<(u16, u16)>,
    patch_at: Vec<u32>,
    /// Per tile: changed and searched for motion (not video).
    search: Vec<bool>,
    motion: motion::Motion,
    scaler: scale::Scaler,
    payload: Vec<u8>,
    strip: Vec<u8>,
    zstd: ZstdContexts,
    stats: EncodeStats,
}

/// zstd contexts kept across frames (creating one per frame costs allocations and page faults)
/// and the reference dictionary: [`REFERENCE_GUARD`] zero bytes, then the newest
/// ≤ [`REFERENCE_BYTES`] bytes of the payloads since the key frame.
#[derive(Default)]
struct ZstdContexts {
    compressor: Option<zstd::bulk::Compressor<'static>>,
    decompressor: Option<zstd::bulk::Decompressor<'static>>,
    reference: Vec<u8>,
    /// Sequence number of the newest frame in `reference`; 0 when it is empty.
    reference_seq: u64,
}

/// Zero bytes that start the reference dictionary, so that zstd always reads it as raw
/// content (a payload starting with zstd's dictionary magic would otherwise be parsed as a
/// trained dictionary) and it is never shorter than zstd's 8-byte minimum.
const REFERENCE_GUARD: usize = 8;

impl std::fmt::Debug for ZstdContexts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ZstdContexts")
    }
}

impl ZstdContexts {
    /// Compresses `data` against the reference (if any); returns the bytes and the reference's
    /// sequence number (0: none).
    fn compress(&mut self, data: &[u8]) -> Result<(Vec<u8>, u64), CodecError> {
        let err = |e: std::io::Error| CodecError::Zstd(e.to_string());
        if self.compressor.is_none() {
            self.compressor = Some(zstd::bulk::Compressor::new(ZSTD_LEVEL).map_err(err)?);
        }
        // Small payloads (a scroll's new lines, a few tiles) are worth a stronger level.
        let level = if data.len() <= ZSTD_SMALL_PAYLOAD {
            ZSTD_SMALL_LEVEL
        } else {
            ZSTD_LEVEL
        };
        let seq = self.reference_seq;
        match &mut self.compressor {
            Some(c) => {
                c.set_dictionary(level, if seq == 0 { &[] } else { &self.reference })
                    .map_err(err)?;
                Ok((c.compress(data).map_err(err)?, seq))
            }
            None => Err(CodecError::Zstd("no context".into())),
        }
    }

    /// Decompresses `data` (compressed against reference `reference`, 0 for none), which must
    /// hold at most `capacity` bytes (allocated up front).
    fn decompress(
        &mut self,
        data: &[u8],
        reference: u64,
        capacity: usize,
    ) -> Result<Vec<u8>, CodecError> {
        let err = |e: std::io::Error| CodecError::Zstd(e.to_string());
        if reference != 0 && reference != self.reference_seq {
            return Err(CodecError::MissingReference {
                want: reference,
                have: self.reference_seq,
            });
        }
        if self.decompressor.is_none() {
            self.decompressor = Some(zstd::bulk::Decompressor::new().map_err(err)?);
        }
        match &mut self.decompressor {
            Some(d) => {
                d.set_dictionary(if reference == 0 { &[] } else { &self.reference })
                    .map_err(err)?;
                d.decompress(data, capacity).map_err(err)
            }
            None => Err(CodecError::Zstd("no context".into())),
        }
    }

    /// Forgets the reference (key frames start afresh).
    fn reset_reference(&mut self) {
        self.reference.clear();
        self.reference_seq = 0;
    }

    /// Appends frame `seq`'s uncompressed `payload` to the reference, keeping the newest
    /// [`REFERENCE_BYTES`]; an empty payload changes nothing.
    fn remember(&mut self, seq: u64, payload: &[u8]) {
        if payload.is_empty() {
            return;
        }
        if self.reference.is_empty() {
            self.reference.resize(REFERENCE_GUARD, 0);
        }
        let tail = &payload[payload.len().saturating_sub(REFERENCE_BYTES)..];
        let keep = REFERENCE_BYTES - tail.len();
        let old = self.reference.len() - REFERENCE_GUARD;
        if old > keep {
            self.reference
                .drain(REFERENCE_GUARD..REFERENCE_GUARD + old - keep);
        }
        self.reference.extend_from_slice(tail);
        self.reference_seq = seq;
    }
}

impl Default for ScreenEncoder {
    fn default() -> Self {
        Self {
            previous: Vec::new(),
            width: 0,
            height: 0,
            seq: 0,
            source: Vec::new(),
            source_size: (0, 0),
            quality: ImageQuality::default(),
            scale_percent: 100,
            palette_limit: PALETTE_MAX_COLORS,
            pending_key: false,
            history: Vec::new(),
            shown_lossy: Vec::new(),
            changed: Vec::new(),
            classifiers: Vec::new(),
            todo: Vec::new(),
            lossy_ok: true,
            copies: Vec::new(),
            patched: Vec::new(),
            patch_at: Vec::new(),
            search: Vec::new(),
            motion: motion::Motion::default(),
            scaler: scale::Scaler::default(),
            payload: Vec::new(),
            strip: Vec::new(),
            zstd: ZstdContexts::default(),
            stats: EncodeStats::default(),
        }
    }
}

/// The nearest of [`SCALE_PERCENTS`] to `percent`.
pub fn nearest_scale(percent: u8) -> u8 {
    SCALE_PERCENTS
        .iter()
        .copied()
        .min_by_key(|&s| (s as i32 - percent as i32).abs())
        .unwrap_or(100)
}

/// Canvas edge in px for a source edge of `edge` px at `percent` %, rounded, at least 1.
pub fn scaled_edge(edge: u32, percent: u8) -> u32 {
    ((edge as u64 * percent as u64 + 50) / 100).max(1) as u32
}

/// What to do with one tile of a band.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Todo {
    /// Unchanged: not sent.
    Skip,
    /// Changed: coded, lossy allowed.
    Changed,
    /// Unchanged but last sent lossy: sent again losslessly.
    Refresh,
    /// Changed, equal to the previous frame at this offset: sent as [`TileKind::Copy`].
    Copy(i16, i16),
}

impl ScreenEncoder {
    /// A fresh encoder (Balanced quality, 100 % scale); its first frame is a key frame.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the image quality (applies from the next frame, no key frame needed) and the scale
    /// in percent of the captured size (rounded to the nearest of [`SCALE_PERCENTS`]; a new
    /// scale forces a key frame at the new canvas size).
    pub fn set_settings(&mut self, quality: ImageQuality, scale_percent: u8) {
        self.quality = quality;
        let scale = nearest_scale(scale_percent);
        if scale != self.scale_percent {
            self.scale_percent = scale;
            self.pending_key = true;
        }
    }

    /// Current settings: (quality, scale in %).
    pub fn settings(&self) -> (ImageQuality, u8) {
        (self.quality, self.scale_percent)
    }

    /// Most colours a tile may have to be coded as a palette (2..=[`PALETTE_MAX_COLORS`]);
    /// for benchmarks comparing palette sizes.
    #[doc(hidden)]
    pub fn set_palette_limit(&mut self, colors: usize) {
        self.palette_limit = colors.clamp(2, PALETTE_MAX_COLORS);
    }

    /// What the last [`ScreenEncoder::encode`] did.
    pub fn last_stats(&self) -> EncodeStats {
        self.stats
    }

    /// Encodes `frame`; `None` if nothing changed since the previous one.
    ///
    /// `pts` is the capture time in ms. A key frame is produced for the first frame, after a
    /// size or scale change, or when `force_key`.
    /// Errors: [`CodecError::BadSize`], [`CodecError::ShortCapture`], [`CodecError::Zstd`],
    /// [`CodecError::Jpeg`].
    pub fn encode(
        &mut self,
        frame: CapturedFrame<'_>,
        pts: u64,
        force_key: bool,
    ) -> Result<Option<VideoFrame>, CodecError> {
        let t0 = Instant::now();
        check_capture(&frame)?;
        let scale = self.scale_percent;
        let (cw, ch) = (
            scaled_edge(frame.width, scale),
            scaled_edge(frame.height, scale),
        );
        if scale == 100 {
            return self.encode_canvas(
                frame,
                frame.bgra,
                frame.stride,
                (cw, ch),
                pts,
                force_key,
                t0,
            );
        }
        // Scaled: find out on the source whether anything changed before paying for the scaling.
        let source_same = self.keep_source(&frame);
        if source_same
            && !force_key
            && !self.pending_key
            && (cw, ch) == (self.width, self.height)
            && !self.previous.is_empty()
            && !self.shown_lossy.contains(&true)
        {
            for h in &mut self.history {
                *h <<= 1;
            }
            self.stats = EncodeStats {
                unchanged: self.history.len() as u32,
                detect_us: t0.elapsed().as_micros() as u32,
                ..EncodeStats::default()
            };
            return Ok(None);
        }
        self.scaler
            .scale(frame.bgra, frame.stride, frame.width, frame.height, cw, ch);
        let scaled = std::mem::take(&mut self.scaler.out);
        let result = self.encode_canvas(
            frame,
            &scaled,
            cw as usize * 4,
            (cw, ch),
            pts,
            force_key,
            t0,
        );
        self.scaler.out = scaled;
        result
    }

    /// Updates the copy of the last captured source (scaled streams only), copying only rows
    /// that changed; true if none did.
    fn keep_source(&mut self, frame: &CapturedFrame<'_>) -> bool {
        let row = frame.width as usize * 4;
        let len = row * frame.height as usize;
        let mut same = self.source_size == (frame.width, frame.height) && self.source.len() == len;
        if !same {
            self.source.clear();
            self.source.resize(len, 0);
            self.source_size = (frame.width, frame.height);
        }
        for (y, prev) in self.source.chunks_exact_mut(row).enumerate() {
            let cur = &frame.bgra[y * frame.stride..y * frame.stride + row];
            if cur != prev {
                prev.copy_from_slice(cur);
                same = false;
            }
        }
        same
    }

    /// Encodes the canvas `bgra` (`stride` bytes per row, `cw × ch` px) of captured `frame`.
    #[allow(clippy::too_many_arguments)]
    fn encode_canvas(
        &mut self,
        frame: CapturedFrame<'_>,
        bgra: &[u8],
        stride: usize,
        (cw, ch): (u32, u32),
        pts: u64,
        force_key: bool,
        t0: Instant,
    ) -> Result<Option<VideoFrame>, CodecError> {
        let key = force_key
            || self.pending_key
            || cw != self.width
            || ch != self.height
            || self.previous.is_empty();
        let tiles = grid_len(cw, ch);
        if key {
            self.width = cw;
            self.height = ch;
            self.previous.clear();
            self.previous.resize(cw as usize * ch as usize * 4, 0);
            self.history.clear();
            self.history.resize(tiles, 0);
            self.shown_lossy.clear();
            self.shown_lossy.resize(tiles, false);
            self.changed.clear();
            self.changed.resize(tiles, true);
            self.pending_key = false;
            self.zstd.reset_reference();
        } else {
            self.changed.fill(false);
            detect::detect(bgra, stride, &self.previous, cw, ch, &mut self.changed);
        }
        // Scrolls and moved windows: only when many tiles changed (never on a static screen).
        self.copies.clear();
        self.copies.resize(tiles, motion::NONE);
        self.patched.clear();
        self.patched.resize(tiles, (0, 0));
        self.patch_at.resize(tiles, 0);
        // Tiles coded (not copied) in each of the last 3 frames are video: not searched.
        self.search.clear();
        self.search.extend(
            self.changed
                .iter()
                .zip(&self.history)
                .map(|(&c, &h)| c && h & 0b111 != 0b111),
        );
        if !key && self.search.iter().filter(|&&c| c).count() >= motion::MIN_CHANGED {
            self.motion.find(
                bgra,
                stride,
                &self.previous,
                cw,
                ch,
                &self.search,
                &self.shown_lossy,
                &mut self.copies,
                &mut self.patched,
                &mut self.patch_at,
            );
        }
        let detect_us = t0.elapsed().as_micros() as u32;
        let t1 = Instant::now();
        let refine = !matches!(self.quality, ImageQuality::Low);
        let lossy_ok = self.lossy_ok;
        self.todo.resize(cols_of(cw), Todo::Skip);
        let mut codes = Vec::new();
        let mut lossy_rects = Vec::new();
        let mut stats = EncodeStats {
            detect_us,
            ..EncodeStats::default()
        };
        self.payload.clear();
        let cols = cw.div_ceil(TILE_SIZE) as usize;
        if self.classifiers.len() < cols {
            self.classifiers
                .resize_with(cols, tile::Classifier::default);
        }
        let tile_bytes = TILE_SIZE as usize * 4;
        for band in 0..ch.div_ceil(TILE_SIZE) as usize {
            let first = band * cols;
            // Which tiles of the band to code: changed, or lossy and now still (refinement).
            let mut any = false;
            for c in 0..cols {
                let i = first + c;
                let changed = self.changed[i];
                let copy = self.copies[i];
                // A copied tile is exact and cheap: it does not count towards "video".
                let moved = changed && copy != motion::NONE;
                self.history[i] = (self.history[i] << 1) | (changed && !moved) as u8;
                let refresh = !changed
                    && refine
                    && self.shown_lossy[i]
                    && self.history[i] & ((1 << REFINE_AFTER_FRAMES) - 1) == 0;
                self.todo[c] = if moved {
                    Todo::Copy(copy.0, copy.1)
                } else if changed {
                    Todo::Changed
                } else if refresh {
                    Todo::Refresh
                } else {
                    Todo::Skip
                };
                any |= self.todo[c] != Todo::Skip;
            }
            if !any {
                stats.unchanged += cols as u32;
                continue;
            }
            // Count colours band-wide, row by row (sequential memory access).
            let y0 = band * TILE_SIZE as usize;
            let bh = (ch as usize - y0).min(TILE_SIZE as usize);
            for c in 0..cols {
                if matches!(self.todo[c], Todo::Changed | Todo::Refresh) {
                    let tw = (cw as usize - c * TILE_SIZE as usize).min(TILE_SIZE as usize);
                    self.classifiers[c].begin(tw, bh, self.palette_limit);
                }
            }
            for dy in 0..bh {
                let row = &bgra[(y0 + dy) * stride..(y0 + dy) * stride + cw as usize * 4];
                for (c, (todo, cl)) in self.todo[..cols]
                    .iter()
                    .zip(&mut self.classifiers)
                    .enumerate()
                {
                    if matches!(*todo, Todo::Changed | Todo::Refresh) {
                        let x0 = c * tile_bytes;
                        cl.feed(&row[x0..(x0 + tile_bytes).min(row.len())], dy);
                    }
                }
            }
            for c in 0..cols {
                let i = first + c;
                let todo = self.todo[c];
                if todo == Todo::Skip {
                    stats.unchanged += 1;
                    continue;
                }
                let r = tile_rect(i as u32, cols as u32, cw, ch);
                let cl = &self.classifiers[c];
                let video =
                    (self.history[i] & ((1 << VIDEO_WINDOW) - 1)).count_ones() >= VIDEO_MIN_CHANGES;
                let kind = if let Todo::Copy(dx, dy) = todo {
                    match self.patched[i] {
                        (0, _) => TileKind::Copy { dx, dy },
                        (patched, colors) => {
                            let kind = TileKind::CopyPatch {
                                dx,
                                dy,
                                patched,
                                colors,
                            };
                            let at = self.patch_at[i] as usize;
                            let n = tile::payload_bytes(kind, r);
                            self.payload
                                .extend_from_slice(&self.motion.patches[at..at + n]);
                            kind
                        }
                    }
                } else if cl.fits && cl.palette.len() == 1 {
                    let b = cl.palette[0].to_le_bytes();
                    TileKind::Flat([b[0], b[1], b[2]])
                } else if cl.fits {
                    cl.write_palette(r.w as usize, &mut self.payload);
                    TileKind::Palette(cl.palette.len() as u16)
                } else if todo == Todo::Changed
                    && lossy_ok
                    && (video || matches!(self.quality, ImageQuality::Low))
                {
                    TileKind::Lossy
                } else {
                    tile::write_raw(bgra, stride, r, &mut self.payload);
                    TileKind::Raw
                };
                match kind {
                    TileKind::Flat(_) => stats.flat += 1,
                    TileKind::Palette(_) => stats.palette += 1,
                    TileKind::Raw => stats.raw += 1,
                    TileKind::Lossy => {
                        stats.lossy += 1;
                        lossy_rects.push(r);
                    }
                    TileKind::Copy { .. } | TileKind::CopyPatch { .. } => stats.copied += 1,
                }
                self.shown_lossy[i] = kind == TileKind::Lossy;
                codes.push(TileCode {
                    index: i as u32,
                    kind,
                });
                if matches!(todo, Todo::Changed | Todo::Copy(..)) {
                    detect::keep_tile(bgra, stride, &mut self.previous, cw, r.x, r.y, r.w, r.h);
                }
            }
        }
        if codes.is_empty() {
            stats.encode_us = t1.elapsed().as_micros() as u32;
            self.stats = stats;
            return Ok(None);
        }
        let (data, reference) = self.compress_payload()?;
        let jpeg = if lossy_rects.is_empty() {
            Vec::new()
        } else {
            lossy::encode_strip(
                bgra,
                stride,
                &lossy_rects,
                self.quality.jpeg_quality(),
                &mut self.strip,
            )?
        };
        stats.encode_us = t1.elapsed().as_micros() as u32;
        stats.bytes = (data.len() + jpeg.len() + codes.len() * 6) as u32;
        self.stats = stats;
        self.seq += 1;
        self.zstd.remember(self.seq, &self.payload);
        Ok(Some(VideoFrame {
            seq: self.seq,
            pts,
            width: cw,
            height: ch,
            source_width: frame.width,
            source_height: frame.height,
            key,
            tiles: codes,
            reference,
            data,
            jpeg,
        }))
    }

    /// Encodes `frame` as a lossless key frame at 100 % scale with `seq` 0, decodable by a
    /// fresh [`ScreenDecoder`]; the stream's state (previous frame, settings, sequence, stats)
    /// is not touched. `pts` is in ms.
    ///
    /// Errors: as [`ScreenEncoder::encode`].
    pub fn encode_still(
        &mut self,
        frame: CapturedFrame<'_>,
        pts: u64,
    ) -> Result<VideoFrame, CodecError> {
        // A fresh encoder has no change history, so no tile qualifies as video.
        let mut still = ScreenEncoder {
            palette_limit: self.palette_limit,
            lossy_ok: false,
            ..ScreenEncoder::default()
        };
        let mut f = still
            .encode(frame, pts, true)?
            .ok_or(CodecError::ShortCapture)?;
        debug_assert!(f.jpeg.is_empty());
        f.seq = 0;
        Ok(f)
    }

    /// The frame's compressed payload and its reference (see [`VideoFrame::reference`]).
    fn compress_payload(&mut self) -> Result<(Vec<u8>, u64), CodecError> {
        if self.payload.is_empty() {
            return Ok((Vec::new(), 0));
        }
        self.zstd.compress(&self.payload)
    }
}

fn check_size(width: u32, height: u32) -> Result<(), CodecError> {
    if width == 0 || height == 0 || width > MAX_SCREEN_EDGE || height > MAX_SCREEN_EDGE {
        return Err(CodecError::BadSize { width, height });
    }
    Ok(())
}

fn check_capture(frame: &CapturedFrame<'_>) -> Result<(), CodecError> {
    check_size(frame.width, frame.height)?;
    let row = frame.width as usize * 4;
    let need = frame
        .stride
        .checked_mul(frame.height as usize - 1)
        .and_then(|n| n.checked_add(row));
    match need {
        Some(need) if frame.stride >= row && frame.bgra.len() >= need => Ok(()),
        _ => Err(CodecError::ShortCapture),
    }
}

/// Tile columns of a canvas `width` px wide.
fn cols_of(width: u32) -> usize {
    width.div_ceil(TILE_SIZE) as usize
}

/// Tiles in the grid of a `width × height` px canvas.
fn grid_len(width: u32, height: u32) -> usize {
    width.div_ceil(TILE_SIZE) as usize * height.div_ceil(TILE_SIZE) as usize
}

/// Rectangle of tile `index` in a grid of `cols` tiles per row over a `width × height` canvas.
fn tile_rect(index: u32, cols: u32, width: u32, height: u32) -> TileRect {
    let (x, y) = ((index % cols) * TILE_SIZE, (index / cols) * TILE_SIZE);
    TileRect {
        x,
        y,
        w: TILE_SIZE.min(width - x),
        h: TILE_SIZE.min(height - y),
    }
}

/// The source rectangle of a copy of tile `r` by (`dx`, `dy`), if it lies in the
/// `width × height` canvas.
fn copy_source(r: TileRect, dx: i16, dy: i16, width: u32, height: u32) -> Option<TileRect> {
    let (x, y) = (r.x as i64 + dx as i64, r.y as i64 + dy as i64);
    if x < 0 || y < 0 || x + r.w as i64 > width as i64 || y + r.h as i64 > height as i64 {
        return None;
    }
    Some(TileRect {
        x: x as u32,
        y: y as u32,
        w: r.w,
        h: r.h,
    })
}

/// Decoder state for one screen stream: an RGBA canvas of the remote screen.
#[derive(Debug, Default)]
pub struct ScreenDecoder {
    rgba: Vec<u8>,
    width: u32,
    height: u32,
    source_width: u32,
    source_height: u32,
    zstd: ZstdContexts,
}

impl ScreenDecoder {
    /// A decoder waiting for its first key frame.
    pub fn new() -> Self {
        Self::default()
    }

    /// Applies `frame` and returns the rectangles that changed, in canvas px.
    ///
    /// The whole frame is validated (and its payload and JPEG decoded) before the canvas is
    /// touched, so on error the canvas is unchanged. Memory used is bounded by the frame's own
    /// canvas size (≤ [`MAX_SCREEN_EDGE`]²).
    /// Errors: [`CodecError`] for frames that are corrupt or do not fit the canvas.
    pub fn decode(&mut self, frame: &VideoFrame) -> Result<Vec<TileRect>, CodecError> {
        let (w, h) = (frame.width, frame.height);
        check_size(w, h)?;
        check_size(frame.source_width, frame.source_height)?;
        if !frame.key && (w != self.width || h != self.height) {
            return Err(CodecError::NoKeyFrame);
        }
        let grid = grid_len(w, h);
        if frame.tiles.len() > grid {
            return Err(CodecError::TooManyTiles {
                got: frame.tiles.len(),
                max: grid,
            });
        }
        let cols = w.div_ceil(TILE_SIZE);
        let mut seen = vec![0u64; grid.div_ceil(64)];
        let mut want = 0usize;
        let mut lossy_count = 0usize;
        let mut copy_bytes = 0usize;
        let mut rects = Vec::with_capacity(frame.tiles.len());
        for t in &frame.tiles {
            let i = t.index as usize;
            if i >= grid || seen[i / 64] & (1 << (i % 64)) != 0 {
                return Err(CodecError::BadTileCode { index: t.index });
            }
            seen[i / 64] |= 1 << (i % 64);
            let r = tile_rect(t.index, cols, w, h);
            match t.kind {
                TileKind::Palette(n) if !(2..=PALETTE_MAX_COLORS as u16).contains(&n) => {
                    return Err(CodecError::BadTileCode { index: t.index });
                }
                TileKind::Lossy => lossy_count += 1,
                TileKind::Copy { dx, dy } | TileKind::CopyPatch { dx, dy, .. } => {
                    let ok_patch = match t.kind {
                        TileKind::CopyPatch {
                            patched, colors, ..
                        } => {
                            (1..=r.w * r.h).contains(&(patched as u32))
                                && colors as usize <= PALETTE_MAX_COLORS
                        }
                        _ => true,
                    };
                    if frame.key || copy_source(r, dx, dy, w, h).is_none() || !ok_patch {
                        return Err(CodecError::BadTileCode { index: t.index });
                    }
                    copy_bytes += r.w as usize * r.h as usize * 4;
                }
                _ => {}
            }
            want += tile::payload_bytes(t.kind, r);
            rects.push(r);
        }
        if frame.key && frame.tiles.len() != grid {
            return Err(CodecError::TooManyTiles {
                got: frame.tiles.len(),
                max: grid,
            });
        }
        let payload = if want == 0 {
            Vec::new()
        } else {
            if frame.key && frame.reference != 0 {
                return Err(CodecError::MissingReference {
                    want: frame.reference,
                    have: 0,
                });
            }
            let reference = if frame.key { 0 } else { frame.reference };
            let p = self.zstd.decompress(&frame.data, reference, want)?;
            if p.len() != want {
                return Err(CodecError::BadPayload { got: p.len(), want });
            }
            p
        };
        // Patch masks must mark exactly the pixels they carry.
        let mut at = 0usize;
        for (t, &r) in frame.tiles.iter().zip(&rects) {
            let n = tile::payload_bytes(t.kind, r);
            if let TileKind::CopyPatch { patched, .. } = t.kind {
                if tile::mask_count(r, &payload[at..at + n]) != patched as usize {
                    return Err(CodecError::BadTileCode { index: t.index });
                }
            }
            at += n;
        }
        let strip = if lossy_count == 0 {
            Vec::new()
        } else {
            lossy::decode_strip(&frame.jpeg, lossy_count)?
        };
        if frame.key {
            self.width = w;
            self.height = h;
            self.rgba = vec![0; w as usize * h as usize * 4];
            self.zstd.reset_reference();
        }
        self.zstd.remember(frame.seq, &payload);
        self.source_width = frame.source_width;
        self.source_height = frame.source_height;
        let row = w as usize * 4;
        // Copies read the canvas as it was before this frame: gather their sources first.
        let mut copied = Vec::with_capacity(copy_bytes);
        if copy_bytes > 0 {
            for (t, &r) in frame.tiles.iter().zip(&rects) {
                if let TileKind::Copy { dx, dy } | TileKind::CopyPatch { dx, dy, .. } = t.kind {
                    if let Some(s) = copy_source(r, dx, dy, w, h) {
                        for y in s.y..s.y + s.h {
                            let start = y as usize * row + s.x as usize * 4;
                            copied.extend_from_slice(&self.rgba[start..start + s.w as usize * 4]);
                        }
                    }
                }
            }
        }
        let mut copy_at = 0usize;
        let mut at = 0usize;
        let mut lossy_i = 0usize;
        for (t, &r) in frame.tiles.iter().zip(&rects) {
            let n = tile::payload_bytes(t.kind, r);
            let src = &payload[at..at + n];
            at += n;
            match t.kind {
                TileKind::Flat(bgr) => tile::paint_flat(&mut self.rgba, row, r, bgr),
                TileKind::Palette(c) => {
                    tile::paint_palette(&mut self.rgba, row, r, c as usize, src)
                }
                TileKind::Raw => tile::paint_raw(&mut self.rgba, row, r, src),
                TileKind::Lossy => {
                    lossy::paint(&mut self.rgba, row, r, &strip, lossy_i, lossy_count);
                    lossy_i += 1;
                }
                TileKind::Copy { .. } | TileKind::CopyPatch { .. } => {
                    let n = r.w as usize * r.h as usize * 4;
                    tile::paint_rgba(&mut self.rgba, row, r, &copied[copy_at..copy_at + n]);
                    copy_at += n;
                    if let TileKind::CopyPatch {
                        patched, colors, ..
                    } = t.kind
                    {
                        tile::paint_patch(
                            &mut self.rgba,
                            row,
                            r,
                            patched as usize,
                            colors as usize,
                            src,
                        );
                    }
                }
            }
        }
        Ok(rects)
    }

    /// Canvas size in px (0×0 before the first key frame).
    pub fn size(&self) -> (u32, u32) {
        (self.width, self.height)
    }

    /// Captured screen size in px behind the canvas (0×0 before the first key frame); the
    /// viewer maps canvas px to screen px with it.
    pub fn source_size(&self) -> (u32, u32) {
        (self.source_width, self.source_height)
    }

    /// The canvas: `width × height` pixels, 4 bytes each (R, G, B, A), rows top to bottom.
    pub fn rgba(&self) -> &[u8] {
        &self.rgba
    }

    /// Copies the pixels of `r` (clipped to the canvas) out of the canvas as tightly packed
    /// RGBA, `w × 4` bytes per row.
    pub fn rgba_of(&self, r: TileRect) -> Vec<u8> {
        let row = self.width as usize * 4;
        let x0 = r.x.min(self.width);
        let x1 = r.x.saturating_add(r.w).min(self.width);
        let mut out = Vec::with_capacity((x1 - x0) as usize * r.h as usize * 4);
        for y in r.y..r.y.saturating_add(r.h).min(self.height) {
            let start = y as usize * row;
            out.extend_from_slice(&self.rgba[start + x0 as usize * 4..start + x1 as usize * 4]);
        }
        out
    }
}
