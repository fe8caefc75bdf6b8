//! Wire form of a frame's tile codes: runs of consecutive tile indices that share one
//! [`TileKind`].
//!
//! A scroll or a moved window sends hundreds of [`TileKind::Copy`] tiles with one vector, one
//! run per tile row; a plain list of [`TileCode`]s cost about 5 bytes a tile (930 bytes a
//! frame on the recorded 1080p scroll), runs cost about 5 bytes a run. In memory
//! [`super::VideoFrame::tiles`] stays a list of [`TileCode`]s; only serde sees runs.
//!
//! Each run is `(delta, count, kind)`: the run's first index is the index after the previous
//! run's last tile (0 for the first run) plus `delta` (signed, so any order survives a round
//! trip; the decoder refuses repeats itself), and it covers `count` (≥ 1) consecutive indices.
//! Deserialising refuses empty runs, indices outside `u32` and more than [`MAX_TILES`] tiles
//! before allocating for them.

use serde::{de::Error as _, Deserialize, Deserializer, Serialize, Serializer};

use super::{TileCode, TileKind, MAX_TILES};

#[derive(Serialize, Deserialize)]
struct Run {
    delta: i64,
    count: u32,
    kind: TileKind,
}

/// Serialises `tiles` as runs (serde `serialize_with`).
pub(super) fn serialize<S: Serializer>(tiles: &[TileCode], s: S) -> Result<S::Ok, S::Error> {
    let mut runs: Vec<Run> = Vec::new();
    let mut next = 0i64;
    for t in tiles {
        let index = i64::from(t.index);
        match runs.last_mut() {
            Some(run) if index == next && t.kind == run.kind && run.count < u32::MAX => {
                run.count += 1;
            }
            _ => runs.push(Run {
                delta: index - next,
                count: 1,
                kind: t.kind,
            }),
        }
        next = index + 1;
    }
    runs.serialize(s)
}

/// Expands runs back into tile codes (serde `deserialize_with`). Errors on an empty run, an
/// index outside `u32`, or more than [`MAX_TILES`] tiles in all.
pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<TileCode>, D::Error> {
    let runs = Vec::<Run>::deserialize(d)?;
    let mut tiles = Vec::new();
    let mut next = 0i64;
    for run in runs {
        let start = next
            .checked_add(run.delta)
            .filter(|s| (0..=i64::from(u32::MAX)).contains(s))
            .ok_or_else(|| D::Error::custom("tile index out of range"))?;
        let end = start + i64::from(run.count);
        if run.count == 0 || end > i64::from(u32::MAX) + 1 {
            return Err(D::Error::custom("empty or out-of-range tile run"));
        }
        if tiles.len() + run.count as usize > MAX_TILES {
            return Err(D::Error::custom(format!(
                "more than {MAX_TILES} tiles in one frame"
            )));
        }
        tiles.extend((start..end).map(|index| TileCode {
            index: index as u32,
            kind: run.kind,
        }));
        next = end;
    }
    Ok(tiles)
}
