//! Lossless tile coding: colour counting, palette packing and raw BGR, and their inverses.

use super::{TileKind, TileRect, PALETTE_MAX_COLORS};

/// Slots of the open-addressing colour table (a power of two, > 2 × [`PALETTE_MAX_COLORS`]).
const TABLE_SLOTS: usize = 1024;
/// Marks an empty slot (colours are masked to 24 bits, so no colour equals it).
const EMPTY: u32 = u32::MAX;

/// Bits per palette index for a palette of `colors` entries (2..=256).
pub(super) fn index_bits(colors: usize) -> usize {
    match colors {
        0..=2 => 1,
        3..=4 => 2,
        5..=16 => 4,
        _ => 8,
    }
}

/// Bytes of one packed index row of `w` px for a palette of `colors` entries.
pub(super) fn packed_row_bytes(w: usize, colors: usize) -> usize {
    (w * index_bits(colors)).div_ceil(8)
}

/// Bytes a tile of kind `kind` and size `r` occupies in the lossless payload.
pub(super) fn payload_bytes(kind: TileKind, r: TileRect) -> usize {
    let (w, h) = (r.w as usize, r.h as usize);
    match kind {
        TileKind::Flat(_) | TileKind::Lossy | TileKind::Copy { .. } => 0,
        TileKind::Palette(n) => n as usize * 3 + h * packed_row_bytes(w, n as usize),
        TileKind::Raw => w * h * 3,
        TileKind::CopyPatch {
            patched, colors, ..
        } => {
            let (n, c) = (patched as usize, colors as usize);
            h * w.div_ceil(8)
                + if c == 0 {
                    n * 3
                } else {
                    c * 3 + packed_row_bytes(n, c)
                }
        }
    }
}

/// Reusable scratch space of the tile classifier.
#[derive(Debug)]
pub(super) struct Classifier {
    keys: Vec<u32>,
    values: Vec<u8>,
    used: Vec<usize>,
    /// Palette colours found, 24-bit B | G << 8 | R << 16.
    pub palette: Vec<u32>,
    /// One palette index per pixel of the tile, row by row.
    pub indices: Vec<u8>,
    /// Whether the tile so far has at most `limit` colours.
    pub fits: bool,
    w: usize,
    limit: usize,
    recent: [(u32, u8); 2],
}

impl Default for Classifier {
    fn default() -> Self {
        Self {
            keys: vec![EMPTY; TABLE_SLOTS],
            values: vec![0; TABLE_SLOTS],
            used: Vec::with_capacity(PALETTE_MAX_COLORS + 1),
            palette: Vec::with_capacity(PALETTE_MAX_COLORS + 1),
            indices: Vec::with_capacity(64 * 64),
            fits: true,
            w: 0,
            limit: PALETTE_MAX_COLORS,
            recent: [(EMPTY, 0); 2],
        }
    }
}

impl Classifier {
    /// Starts a tile of `w × h` px, at most `limit` colours; rows come with [`Classifier::feed`]
    /// (the encoder feeds a whole band of tiles row by row, so memory is read sequentially).
    pub fn begin(&mut self, w: usize, h: usize, limit: usize) {
        for &slot in &self.used {
            self.keys[slot] = EMPTY;
        }
        self.used.clear();
        self.palette.clear();
        self.indices.resize(w * h, 0);
        self.w = w;
        self.limit = limit.clamp(1, PALETTE_MAX_COLORS);
        self.fits = true;
        self.recent = [(EMPTY, 0); 2];
    }

    /// Classifies pixel row `dy` of the tile (`w × 4` bytes BGRX); clears `fits` when the tile
    /// has more colours than the limit (later rows are then skipped).
    pub fn feed(&mut self, row: &[u8], dy: usize) {
        if !self.fits {
            return;
        }
        let w = self.w;
        // The two most recent colours: text alternates between background and ink.
        let [(mut c0, mut i0), (mut c1, mut i1)] = self.recent;
        let dst = &mut self.indices[dy * w..(dy + 1) * w];
        for (d, px) in dst.iter_mut().zip(row.chunks_exact(4)) {
            let c = u32::from_le_bytes([px[0], px[1], px[2], 0]);
            if c == c0 {
                *d = i0;
                continue;
            }
            if c == c1 {
                std::mem::swap(&mut c0, &mut c1);
                std::mem::swap(&mut i0, &mut i1);
                *d = i0;
                continue;
            }
            let mut slot = (c.wrapping_mul(0x9E37_79B1) >> 22) as usize & (TABLE_SLOTS - 1);
            let index = loop {
                let k = self.keys[slot];
                if k == c {
                    break self.values[slot];
                }
                if k == EMPTY {
                    if self.palette.len() == self.limit {
                        self.fits = false;
                        return;
                    }
                    let index = self.palette.len() as u8;
                    self.keys[slot] = c;
                    self.values[slot] = index;
                    self.used.push(slot);
                    self.palette.push(c);
                    break index;
                }
                slot = (slot + 1) & (TABLE_SLOTS - 1);
            };
            (c1, i1) = (c0, i0);
            (c0, i0) = (c, index);
            *d = index;
        }
        self.recent = [(c0, i0), (c1, i1)];
    }

    /// Appends the palette and the packed indices of the last successful [`Classifier::scan`]
    /// of a tile `w` px wide.
    pub fn write_palette(&self, w: usize, out: &mut Vec<u8>) {
        for &c in &self.palette {
            out.extend_from_slice(&c.to_le_bytes()[..3]);
        }
        let bits = index_bits(self.palette.len());
        if bits == 8 {
            out.extend_from_slice(&self.indices);
            return;
        }
        let per_byte = 8 / bits;
        for row in self.indices.chunks_exact(w) {
            for group in row.chunks(per_byte) {
                let mut b = 0u8;
                for (i, &v) in group.iter().enumerate() {
                    b |= v << (8 - bits * (i + 1));
                }
                out.push(b);
            }
        }
    }
}

/// Appends tile `r` of a BGRX image as raw B, G, R bytes.
pub(super) fn write_raw(bgra: &[u8], stride: usize, r: TileRect, out: &mut Vec<u8>) {
    for y in r.y..r.y + r.h {
        let start = y as usize * stride + r.x as usize * 4;
        for px in bgra[start..start + r.w as usize * 4].chunks_exact(4) {
            out.extend_from_slice(&px[..3]);
        }
    }
}

/// Paints a flat tile of colour `bgr` onto an RGBA canvas `row` bytes per row.
pub(super) fn paint_flat(canvas: &mut [u8], row: usize, r: TileRect, bgr: [u8; 3]) {
    let px = [bgr[2], bgr[1], bgr[0], 255];
    for y in r.y..r.y + r.h {
        let start = y as usize * row + r.x as usize * 4;
        for d in canvas[start..start + r.w as usize * 4].chunks_exact_mut(4) {
            d.copy_from_slice(&px);
        }
    }
}

/// Paints a raw BGR tile (`src` is exactly `w × h × 3` bytes) onto an RGBA canvas.
pub(super) fn paint_raw(canvas: &mut [u8], row: usize, r: TileRect, src: &[u8]) {
    let w = r.w as usize;
    for (y, s) in (r.y..r.y + r.h).zip(src.chunks_exact(w * 3)) {
        let start = y as usize * row + r.x as usize * 4;
        for (d, s) in canvas[start..start + w * 4]
            .chunks_exact_mut(4)
            .zip(s.chunks_exact(3))
        {
            d.copy_from_slice(&[s[2], s[1], s[0], 255]);
        }
    }
}

/// Paints a palette tile of `colors` entries (`src` is exactly [`payload_bytes`] long) onto an
/// RGBA canvas. Indices beyond the palette paint black (only hostile input has them).
pub(super) fn paint_palette(canvas: &mut [u8], row: usize, r: TileRect, colors: usize, src: &[u8]) {
    let mut table = [[0u8, 0, 0, 255]; 256];
    let (pal, packed) = src.split_at(colors * 3);
    for (t, c) in table.iter_mut().zip(pal.chunks_exact(3)) {
        *t = [c[2], c[1], c[0], 255];
    }
    let w = r.w as usize;
    let bits = index_bits(colors);
    let per_byte = 8 / bits;
    let mask = ((1u16 << bits) - 1) as u8;
    let row_bytes = packed_row_bytes(w, colors);
    for (y, s) in (r.y..r.y + r.h).zip(packed.chunks_exact(row_bytes)) {
        let start = y as usize * row + r.x as usize * 4;
        let dst = &mut canvas[start..start + w * 4];
        if bits == 8 {
            for (d, &i) in dst.chunks_exact_mut(4).zip(s) {
                d.copy_from_slice(&table[i as usize]);
            }
            continue;
        }
        for (group, &b) in dst.chunks_mut(4 * per_byte).zip(s) {
            for (i, d) in group.chunks_exact_mut(4).enumerate() {
                let v = (b >> (8 - bits * (i + 1))) & mask;
                d.copy_from_slice(&table[v as usize]);
            }
        }
    }
}

/// Paints tightly packed RGBA pixels (`src` is exactly `w × h × 4` bytes) onto an RGBA canvas.
pub(super) fn paint_rgba(canvas: &mut [u8], row: usize, r: TileRect, src: &[u8]) {
    let len = r.w as usize * 4;
    for (y, s) in (r.y..r.y + r.h).zip(src.chunks_exact(len)) {
        let start = y as usize * row + r.x as usize * 4;
        canvas[start..start + len].copy_from_slice(s);
    }
}

/// Set bits of a patch mask (the first `h × ⌈w / 8⌉` bytes of `src`), ignoring the padding
/// bits beyond `w` in each row.
pub(super) fn mask_count(r: TileRect, src: &[u8]) -> usize {
    let (w, h) = (r.w as usize, r.h as usize);
    let rb = w.div_ceil(8);
    let pad = (rb * 8 - w) as u32;
    let last_mask = (0xFFu16 << pad) as u8;
    src[..h * rb]
        .chunks_exact(rb)
        .map(|row| {
            let (last, head) = row.split_last().unwrap_or((&0, &[]));
            head.iter().map(|b| b.count_ones() as usize).sum::<usize>()
                + (last & last_mask).count_ones() as usize
        })
        .sum()
}

/// Overwrites the `patched` pixels marked in a patch (`src`: mask rows, then raw B, G, R or
/// a palette of `colors` and packed indices; validated with [`mask_count`]) onto an RGBA
/// canvas. Indices beyond the palette paint black (only hostile input has them).
pub(super) fn paint_patch(
    canvas: &mut [u8],
    row: usize,
    r: TileRect,
    patched: usize,
    colors: usize,
    src: &[u8],
) {
    let (w, h) = (r.w as usize, r.h as usize);
    let rb = w.div_ceil(8);
    let (mask, px) = src.split_at(h * rb);
    let mut table = [[0u8, 0, 0, 255]; 256];
    let (bits, packed) = if colors == 0 {
        (0, px)
    } else {
        let (pal, packed) = px.split_at(colors * 3);
        for (t, c) in table.iter_mut().zip(pal.chunks_exact(3)) {
            *t = [c[2], c[1], c[0], 255];
        }
        (index_bits(colors), packed)
    };
    let mut k = 0usize;
    for (y, m) in (r.y as usize..).zip(mask.chunks_exact(rb)) {
        let start = y * row + r.x as usize * 4;
        for x in 0..w {
            if m[x / 8] & (0x80 >> (x % 8)) == 0 || k >= patched {
                continue;
            }
            let v = if bits == 0 {
                let s = &packed[k * 3..k * 3 + 3];
                [s[2], s[1], s[0], 255]
            } else {
                let bit = k * bits;
                let i = (packed[bit / 8] >> (8 - bits - bit % 8)) & ((1u16 << bits) - 1) as u8;
                table[i as usize]
            };
            canvas[start + x * 4..start + x * 4 + 4].copy_from_slice(&v);
            k += 1;
        }
    }
}
