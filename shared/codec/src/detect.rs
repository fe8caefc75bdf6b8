//! Change detection against the previous frame, and keeping only changed tiles of it.

use super::TILE_SIZE;

/// Marks in `changed` (one flag per tile, row-major, `cols` per row) the tiles of `cur` (BGRX,
/// `stride` bytes per row) that differ from `prev` (tightly packed, `width × 4` per row).
///
/// Per 64-px band, each row is first compared whole (one sequential `memcmp`); only rows that
/// differ are compared tile by tile, and tiles already known changed are skipped.
pub(super) fn detect(
    cur: &[u8],
    stride: usize,
    prev: &[u8],
    width: u32,
    height: u32,
    changed: &mut [bool],
) {
    let row = width as usize * 4;
    let cols = width.div_ceil(TILE_SIZE) as usize;
    let tile_bytes = TILE_SIZE as usize * 4;
    for y in 0..height as usize {
        let c = &cur[y * stride..y * stride + row];
        let p = &prev[y * row..(y + 1) * row];
        if c == p {
            continue;
        }
        let band = &mut changed[(y / TILE_SIZE as usize) * cols..][..cols];
        for (t, flag) in band.iter_mut().enumerate() {
            if *flag {
                continue;
            }
            let x0 = t * tile_bytes;
            let x1 = (x0 + tile_bytes).min(row);
            if c[x0..x1] != p[x0..x1] {
                *flag = true;
            }
        }
    }
}

/// Copies the pixels of tile (`x`, `y`, `w`, `h`) from `cur` into `prev` (tightly packed).
#[allow(clippy::too_many_arguments)]
pub(super) fn keep_tile(
    cur: &[u8],
    stride: usize,
    prev: &mut [u8],
    width: u32,
    x: u32,
    y: u32,
    w: u32,
    h: u32,
) {
    let row = width as usize * 4;
    let (x0, len) = (x as usize * 4, w as usize * 4);
    for y in y as usize..(y + h) as usize {
        prev[y * row + x0..y * row + x0 + len]
            .copy_from_slice(&cur[y * stride + x0..y * stride + x0 + len]);
    }
}
