//! Motion search: changed tiles whose pixels equal the previous frame's at an offset (a scroll,
//! a moved window) are sent as [`super::TileKind::Copy`].
//!
//! Only run when at least [`MIN_CHANGED`] tiles changed, so a static screen or typing pays
//! nothing. Per 64-px column band that has changed tiles, each row segment of the previous
//! frame is hashed into a table of rows whose hash is unique in the column; each changed tile's
//! row hashes vote for a vertical offset. Candidates per tile, in order: the vectors that
//! worked for recent tiles (a scroll or a drag shares one vector), the column vote, and for
//! window moves a horizontal probe (a distinctive row of the tile searched in the previous
//! frame within ±[`PROBE_DX`] px and ±[`PROBE_DY`] rows). Every candidate is verified
//! bit-exactly (row hashes, then `memcmp`) and must read only pixels the decoder holds exactly
//! (no tile last sent lossy).
//!
//! When some tiles of the frame were matched, each tile left is tried against this frame's
//! vectors and (0, 0): if at most [`PATCH_PERCENT`] % of its pixels differ it becomes a
//! [`super::TileKind::CopyPatch`] (mask plus the differing pixels; raw B, G, R compressed
//! better with zstd than per-tile palettes, as raw pixels repeat across tiles).
//!
//! Measured on the recorded 1080p sequences (`porpoise-codec-bench`): scroll 153 KB → 12.9 KB
//! per frame, drag 67 KB → 5.4 KB, encode time lower than before (fewer tiles to code); with
//! the payload reference and tile runs (see the codec's module docs) 5.8 KB and 3.8 KB.

use super::{tile::Classifier, tile_rect, TileRect, TILE_SIZE};

/// Fewest changed tiles for which motion is searched.
pub(super) const MIN_CHANGED: usize = 4;
/// Largest vertical offset searched by the column vote, px (half a 1080p screen).
const MAX_DY: i32 = 540;
/// Horizontal probe range for window moves, px.
const PROBE_DX: i32 = 320;
/// Vertical probe range for window moves, px.
const PROBE_DY: i32 = 48;
/// Most horizontal probes per frame (each costs up to (2 × PROBE_DY + 1) rows × 2 × PROBE_DX).
const MAX_PROBES: usize = 4;
/// Failed probes allowed after a successful one (a second moving window is rare).
const PROBES_AFTER_HIT: usize = 2;
/// Most column tables built per frame (each hashes a whole column of the previous frame).
const MAX_TABLES: usize = 4;
/// A tile may be a copy with patches when at most this % of its pixels differ.
const PATCH_PERCENT: u32 = 60;
/// Recently successful vectors kept (most recent first).
const RECENT: usize = 4;
/// Marks an empty slot or a row hash seen more than once.
const EMPTY: u32 = u32::MAX;
const MULTI: u32 = u32::MAX - 1;

/// No copy for this tile.
pub(super) const NONE: (i16, i16) = (i16::MIN, i16::MIN);

/// Reusable scratch space of the motion search.
#[derive(Debug, Default)]
pub(super) struct Motion {
    prev_h: Vec<u64>,
    cur_h: Vec<u64>,
    keys: Vec<u64>,
    vals: Vec<u32>,
    votes: Vec<i32>,
    recent: Vec<(i16, i16)>,
    missed: Vec<u32>,
    /// Patch payloads of this frame's [`super::TileKind::CopyPatch`] tiles.
    pub patches: Vec<u8>,
    patch_px: Vec<u8>,
    classifier: Classifier,
}

/// Hash of one row segment (BGRX, a multiple of 4 bytes).
#[inline]
fn hash_row(s: &[u8]) -> u64 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut a = [
        0x243F_6A88_85A3_08D3u64,
        0x1319_8A2E_0370_7344,
        0xA409_3822_299F_31D0,
        0x082E_FA98_EC4E_6C89,
    ];
    let mut chunks = s.chunks_exact(32);
    for c in &mut chunks {
        for (l, w) in a.iter_mut().zip(c.chunks_exact(8)) {
            let mut b = [0u8; 8];
            b.copy_from_slice(w);
            *l = (*l ^ u64::from_le_bytes(b)).wrapping_mul(K);
            *l ^= *l >> 29;
        }
    }
    for (l, w) in a.iter_mut().zip(chunks.remainder().chunks(8)) {
        let mut b = [0u8; 8];
        b[..w.len()].copy_from_slice(w);
        *l = (*l ^ u64::from_le_bytes(b) ^ 0xFF).wrapping_mul(K);
        *l ^= *l >> 29;
    }
    let h = a[0] ^ a[1].rotate_left(16) ^ a[2].rotate_left(32) ^ a[3].rotate_left(48);
    (h ^ (h >> 31)).wrapping_mul(K) ^ s.len() as u64
}

struct Frame<'a> {
    cur: &'a [u8],
    stride: usize,
    prev: &'a [u8],
    width: u32,
    height: u32,
    cols: usize,
    /// Per tile: last sent lossy (the decoder's pixels are not exact there).
    lossy: &'a [bool],
}

impl Frame<'_> {
    /// Whether tile rect (`x`, `y`, `w`, `h`) of `cur` equals `prev` at (`x + dx`, `y + dy`),
    /// and the source lies in the canvas and reads no lossy tile.
    #[allow(clippy::too_many_arguments)]
    fn matches(&self, x: u32, y: u32, w: u32, h: u32, dx: i32, dy: i32) -> bool {
        let Some((sx, sy)) = self.source(TileRect { x, y, w, h }, dx, dy) else {
            return false;
        };
        let row = self.width as usize * 4;
        let len = w as usize * 4;
        (0..h as usize).all(|r| {
            let c = &self.cur[(y as usize + r) * self.stride + x as usize * 4..][..len];
            let p = &self.prev[(sy + r) * row + sx * 4..][..len];
            c == p
        })
    }
}

impl Frame<'_> {
    /// Source of tile `r` moved by (`dx`, `dy`) if it lies in the canvas and reads no lossy
    /// tile: (x, y) in px.
    fn source(&self, r: TileRect, dx: i32, dy: i32) -> Option<(usize, usize)> {
        let (sx, sy) = (r.x as i64 + dx as i64, r.y as i64 + dy as i64);
        if sx < 0
            || sy < 0
            || sx + r.w as i64 > self.width as i64
            || sy + r.h as i64 > self.height as i64
        {
            return None;
        }
        let (sx, sy) = (sx as usize, sy as usize);
        let t = TILE_SIZE as usize;
        for ty in sy / t..=(sy + r.h as usize - 1) / t {
            for tx in sx / t..=(sx + r.w as usize - 1) / t {
                if self.lossy[ty * self.cols + tx] {
                    return None;
                }
            }
        }
        Some((sx, sy))
    }

    /// Pixels of tile `r` that differ from the previous frame at (`dx`, `dy`), if at most
    /// `limit` and the source is valid.
    fn mismatches(&self, r: TileRect, dx: i32, dy: i32, limit: usize) -> Option<usize> {
        let (sx, sy) = self.source(r, dx, dy)?;
        let row = self.width as usize * 4;
        let len = r.w as usize * 4;
        let mut n = 0usize;
        for y in 0..r.h as usize {
            let c = &self.cur[(r.y as usize + y) * self.stride + r.x as usize * 4..][..len];
            let p = &self.prev[(sy + y) * row + sx * 4..][..len];
            if c == p {
                continue;
            }
            n += c
                .chunks_exact(4)
                .zip(p.chunks_exact(4))
                .filter(|(a, b)| {
                    let a = u32::from_le_bytes([a[0], a[1], a[2], a[3]]);
                    let b = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
                    (a ^ b) & 0x00FF_FFFF != 0
                })
                .count();
            if n > limit {
                return None;
            }
        }
        Some(n)
    }

    /// Appends the patch payload of tile `r` copied by `v` to `out` (see
    /// [`super::TileKind::CopyPatch`]): the mask, then the pixels that differ as a palette and
    /// packed indices when they have at most [`PALETTE_MAX_COLORS`] colours, else raw B, G, R.
    /// `at` gets its offset; returns the palette size (0: raw).
    fn write_patch(
        &self,
        r: TileRect,
        v: (i16, i16),
        px: &mut Vec<u8>,
        cl: &mut Classifier,
        out: &mut Vec<u8>,
        at: &mut u32,
    ) -> u16 {
        *at = out.len() as u32;
        let (sx, sy) = (
            (r.x as i64 + v.0 as i64) as usize,
            (r.y as i64 + v.1 as i64) as usize,
        );
        let row = self.width as usize * 4;
        let len = r.w as usize * 4;
        px.clear();
        for y in 0..r.h as usize {
            let c = &self.cur[(r.y as usize + y) * self.stride + r.x as usize * 4..][..len];
            let p = &self.prev[(sy + y) * row + sx * 4..][..len];
            for group in c.chunks(32).zip(p.chunks(32)) {
                let mut b = 0u8;
                for (k, (a, q)) in group
                    .0
                    .chunks_exact(4)
                    .zip(group.1.chunks_exact(4))
                    .enumerate()
                {
                    if a[..3] != q[..3] {
                        b |= 0x80 >> k;
                        px.extend_from_slice(a);
                    }
                }
                out.push(b);
            }
        }
        let n = px.len() / 4;
        // Palette-coded patches measured larger after zstd than raw ones (raw pixels repeat
        // across tiles, per-tile palette indices do not): raw unless the patch is one colour.
        cl.begin(n, 1, 1);
        cl.feed(px, 0);
        if cl.fits {
            cl.write_palette(n, out);
            cl.palette.len() as u16
        } else {
            for p in px.chunks_exact(4) {
                out.extend_from_slice(&p[..3]);
            }
            0
        }
    }
}

impl Motion {
    /// Finds copy vectors for the changed tiles; `out` (one per tile, [`NONE`] when there is
    /// none) must be filled with [`NONE`]. Returns how many tiles got a vector.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn find(
        &mut self,
        cur: &[u8],
        stride: usize,
        prev: &[u8],
        width: u32,
        height: u32,
        changed: &[bool],
        lossy: &[bool],
        out: &mut [(i16, i16)],
        patch: &mut [(u16, u16)],
        patch_at: &mut [u32],
    ) -> usize {
        self.patches.clear();
        let cols = width.div_ceil(TILE_SIZE) as usize;
        let rows = height.div_ceil(TILE_SIZE) as usize;
        let f = Frame {
            cur,
            stride,
            prev,
            width,
            height,
            cols,
            lossy,
        };
        let h = height as usize;
        let t = TILE_SIZE as usize;
        let slots = (2 * h).next_power_of_two();
        self.prev_h.resize(h, 0);
        self.cur_h.resize(h, 0);
        self.recent.retain(|_| false);
        self.missed.clear();
        let mut tables = 0usize;
        let mut found = 0usize;
        let row = width as usize * 4;
        for c in 0..cols {
            if !(0..rows).any(|r| changed[r * cols + c]) {
                continue;
            }
            let x = (c * t) as u32;
            let tw = (width - x).min(TILE_SIZE);
            let (x0, len) = (x as usize * 4, tw as usize * 4);
            // The column's table of previous row hashes is built only when a tile of it needs
            // a vote (in a scroll, the first column; the others match the recent vector).
            let mut table = false;
            let mut col_hit = false;
            for r in 0..rows {
                let i = r * cols + c;
                if !changed[i] {
                    continue;
                }
                let y = (r * t) as u32;
                let th = (height - y).min(TILE_SIZE);
                let mut hit = self
                    .recent
                    .iter()
                    .copied()
                    .find(|&(dx, dy)| f.matches(x, y, tw, th, dx as i32, dy as i32));
                // Vertical votes: not while a window move is under way (its columns are
                // matched by the recent vector or the probes), and for a few columns only.
                let dragging = self.recent.first().is_some_and(|v| v.0 != 0);
                if hit.is_none() && !col_hit && !dragging && (table || tables < MAX_TABLES) {
                    if !table {
                        table = true;
                        tables += 1;
                        self.build_table(prev, row, x0, len, h, slots);
                    }
                    for yy in y as usize..(y + th) as usize {
                        self.cur_h[yy] = hash_row(&cur[yy * stride + x0..][..len]);
                    }
                    hit = self.vote(&f, x, y, tw, th, slots);
                }
                match hit {
                    Some(v) => {
                        out[i] = v;
                        found += 1;
                        col_hit = true;
                        self.remember(v);
                    }
                    None => self.missed.push(i as u32),
                }
            }
        }
        // Window moves: the tiles left, recent vectors first, then a few horizontal probes
        // spread over them (the first hit's vector usually fits the whole window).
        let n = self.missed.len();
        let mut probes = 0usize;
        let mut probes_since_hit: Option<usize> = None;
        // A prime stride spreads the probes over the tiles (a permutation unless it divides n).
        let stride = if n.is_multiple_of(7919) { 1 } else { 7919 };
        for k in 0..n {
            let i = self.missed[(k * stride) % n] as usize;
            let r = tile_rect(i as u32, cols as u32, width, height);
            let mut hit = self
                .recent
                .iter()
                .copied()
                .find(|&(dx, dy)| f.matches(r.x, r.y, r.w, r.h, dx as i32, dy as i32));
            if hit.is_none()
                && probes < MAX_PROBES
                && probes_since_hit.is_none_or(|n| n < PROBES_AFTER_HIT)
                && r.w == TILE_SIZE
                && r.h == TILE_SIZE
            {
                probes += 1;
                hit = probe(&f, r.x, r.y, r.w, r.h);
                probes_since_hit = match (hit, probes_since_hit) {
                    (Some(_), _) => Some(0),
                    (None, Some(n)) => Some(n + 1),
                    (None, None) => None,
                };
            }
            if let Some(v) = hit {
                out[i] = v;
                found += 1;
                self.remember(v);
            }
        }
        // Tiles that almost match (a scrolled pane's edge, a window's border): a copy by a
        // vector found in this frame, or none, plus the pixels that differ.
        if found > 0 {
            self.missed.sort_unstable();
            let mut vectors = self.recent.clone();
            vectors.push((0, 0));
            for k in 0..self.missed.len() {
                let i = self.missed[k] as usize;
                if out[i] != NONE {
                    continue;
                }
                let r = tile_rect(i as u32, cols as u32, width, height);
                let limit = (r.w * r.h * PATCH_PERCENT / 100) as usize;
                let mut best: Option<((i16, i16), usize)> = None;
                for &(dx, dy) in &vectors {
                    let lim = best.map_or(limit, |b| b.1.saturating_sub(1));
                    if let Some(n) = f.mismatches(r, dx as i32, dy as i32, lim) {
                        best = Some(((dx, dy), n));
                    }
                }
                if let Some((v, n)) = best {
                    out[i] = v;
                    if n > 0 {
                        let colors = f.write_patch(
                            r,
                            v,
                            &mut self.patch_px,
                            &mut self.classifier,
                            &mut self.patches,
                            &mut patch_at[i],
                        );
                        patch[i] = (n as u16, colors);
                    }
                }
            }
        }
        found
    }

    /// Hashes the previous frame's rows of one column (bytes `x0..x0 + len` of each row) into
    /// the table of unique row hashes.
    fn build_table(
        &mut self,
        prev: &[u8],
        row: usize,
        x0: usize,
        len: usize,
        h: usize,
        slots: usize,
    ) {
        self.keys.clear();
        self.keys.resize(slots, 0);
        self.vals.clear();
        self.vals.resize(slots, EMPTY);
        for y in 0..h {
            let hv = hash_row(&prev[y * row + x0..][..len]);
            self.prev_h[y] = hv;
            let mut s = (hv as usize) & (slots - 1);
            loop {
                if self.vals[s] == EMPTY {
                    self.keys[s] = hv;
                    self.vals[s] = y as u32;
                    break;
                }
                if self.keys[s] == hv {
                    self.vals[s] = MULTI;
                    break;
                }
                s = (s + 1) & (slots - 1);
            }
        }
    }

    fn remember(&mut self, v: (i16, i16)) {
        if let Some(p) = self.recent.iter().position(|&r| r == v) {
            self.recent.remove(p);
        }
        self.recent.insert(0, v);
        self.recent.truncate(RECENT);
    }

    /// Cheap pre-check of a vertical-only vector with the column's row hashes.
    #[allow(clippy::too_many_arguments)]
    fn quick(&self, f: &Frame<'_>, _x: u32, y: u32, _w: u32, h: u32, dx: i32, dy: i32) -> bool {
        if dx != 0 {
            return true;
        }
        let sy = y as i64 + dy as i64;
        if sy < 0 || sy + h as i64 > f.height as i64 {
            return false;
        }
        let sy = sy as usize;
        (0..h as usize).all(|r| self.cur_h[y as usize + r] == self.prev_h[sy + r])
    }

    /// Vertical offsets voted by the tile's rows (unique row hashes of the previous column);
    /// the two most voted are verified.
    fn vote(
        &mut self,
        f: &Frame<'_>,
        x: u32,
        y: u32,
        w: u32,
        h: u32,
        slots: usize,
    ) -> Option<(i16, i16)> {
        self.votes.clear();
        for yy in y as usize..(y + h) as usize {
            let hv = self.cur_h[yy];
            let mut s = (hv as usize) & (slots - 1);
            loop {
                let v = self.vals[s];
                if v == EMPTY {
                    break;
                }
                if self.keys[s] == hv {
                    if v != MULTI {
                        let dy = v as i32 - yy as i32;
                        if dy != 0 && dy.abs() <= MAX_DY {
                            self.votes.push(dy);
                        }
                    }
                    break;
                }
                s = (s + 1) & (slots - 1);
            }
        }
        if self.votes.is_empty() {
            return None;
        }
        self.votes.sort_unstable();
        // The two longest runs.
        let (mut best, mut second) = ((0usize, 0i32), (0usize, 0i32));
        let mut i = 0;
        while i < self.votes.len() {
            let v = self.votes[i];
            let mut j = i;
            while j < self.votes.len() && self.votes[j] == v {
                j += 1;
            }
            let n = j - i;
            if n > best.0 {
                second = best;
                best = (n, v);
            } else if n > second.0 {
                second = (n, v);
            }
            i = j;
        }
        for (n, dy) in [best, second] {
            if n > 0 && self.quick(f, x, y, w, h, 0, dy) && f.matches(x, y, w, h, 0, dy) {
                return Some((0, dy as i16));
            }
        }
        None
    }
}

/// Window moves: searches a distinctive row of the tile in the previous frame within
/// ±[`PROBE_DX`] px and ±[`PROBE_DY`] rows, verifying each position where it matches.
fn probe(f: &Frame<'_>, x: u32, y: u32, w: u32, h: u32) -> Option<(i16, i16)> {
    let len = w as usize * 4;
    // The row with the most colour changes along it (a flat row matches everywhere).
    let mut best = (0usize, 0usize);
    for r in (0..h as usize).step_by(3) {
        let s = &f.cur[(y as usize + r) * f.stride + x as usize * 4..][..len];
        let n = s
            .chunks_exact(4)
            .zip(s.chunks_exact(4).skip(1))
            .filter(|(a, b)| a[..3] != b[..3])
            .count();
        if n > best.0 {
            best = (n, r);
        }
    }
    if best.0 < 4 {
        return None;
    }
    let r = best.1;
    let key = &f.cur[(y as usize + r) * f.stride + x as usize * 4..][..len];
    // Compare first the two pixels at the row's first colour change (not background).
    let kb = key
        .chunks_exact(4)
        .zip(key.chunks_exact(4).skip(1))
        .position(|(a, b)| a[..3] != b[..3])
        .unwrap_or(0)
        * 4;
    let kb = kb.min(len - 16);
    let head = u128::from_le_bytes(key[kb..kb + 16].try_into().unwrap_or([0; 16]));
    let row = f.width as usize * 4;
    let yr = y as i32 + r as i32;
    // Nearest rows first.
    for k in 0..=2 * PROBE_DY {
        let dy = if k % 2 == 0 { k / 2 } else { -(k + 1) / 2 };
        let sy = yr + dy;
        if sy < 0 || sy >= f.height as i32 {
            continue;
        }
        let lo = (x as i32 - PROBE_DX).max(0);
        let hi = (x as i32 + PROBE_DX).min(f.width as i32 - w as i32);
        let prow = &f.prev[sy as usize * row..(sy as usize + 1) * row];
        for sx in lo..=hi {
            let at = sx as usize * 4;
            let p = &prow[at + kb..at + kb + 16];
            if u128::from_le_bytes(p.try_into().unwrap_or([0; 16])) != head {
                continue;
            }
            let dx = sx - x as i32;
            if (dx != 0 || dy != 0) && prow[at..at + len] == *key && f.matches(x, y, w, h, dx, dy) {
                return Some((dx as i16, dy as i16));
            }
        }
    }
    None
}
