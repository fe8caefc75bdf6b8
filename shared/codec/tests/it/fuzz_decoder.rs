//! Stable mutation fuzzing of the screen decoder (the cargo-fuzz target in `fuzz/` needs
//! nightly): valid frames of every tile kind are serialised, then truncated, bit-flipped,
//! byte-overwritten and spliced a few thousand times; decoding must return a value or an
//! error, never panic, and a failed frame must leave the canvas as it was.
#![allow(clippy::unwrap_used)]

use porpoise_codec::{
    stream::ImageQuality,
    {CapturedFrame, ScreenDecoder, ScreenEncoder, ScreenMessage, TileKind},
};
use rand::{rngs::StdRng, RngExt, SeedableRng};

/// Mutations per seed frame.
const MUTATIONS: usize = 600;

fn image(w: u32, h: u32, t: u32) -> Vec<u8> {
    let mut v = Vec::with_capacity((w * h * 4) as usize);
    for y in 0..h {
        for x in 0..w {
            let px = if y < h / 3 {
                [250, 250, 250] // flat
            } else if y < 2 * h / 3 {
                if (x + y + t) % 7 < 2 {
                    [20, 20, 20]
                } else {
                    [240, 240, 240]
                } // palette
            } else {
                let f = (x + t * 3) as f32 / 9.0;
                [
                    (128.0 + 100.0 * f.sin()) as u8,
                    (y * 3 + t) as u8,
                    (x * 5 + y) as u8,
                ] // photo / raw
            };
            v.extend_from_slice(&[px[0], px[1], px[2], 255]);
        }
    }
    v
}

/// Serialised valid messages: key frames and deltas, lossless and lossy.
fn seeds() -> Vec<Vec<u8>> {
    let (w, h) = (150, 100);
    let mut out = Vec::new();
    for quality in [ImageQuality::Balanced, ImageQuality::Low] {
        let mut enc = ScreenEncoder::new();
        enc.set_settings(quality, 100);
        for t in 0..5 {
            let img = image(w, h, t);
            let f = CapturedFrame {
                width: w,
                height: h,
                stride: w as usize * 4,
                bgra: &img,
            };
            if let Some(frame) = enc.encode(f, t as u64, false).unwrap() {
                out.push(postcard::to_allocvec(&ScreenMessage::Frame(frame)).unwrap());
            }
        }
    }
    // Scrolling (copy tiles): the image scrolled up by 5 px per frame, after its key frame.
    let mut enc = ScreenEncoder::new();
    let tall = image(w, 3 * h, 0);
    for t in 0..4u32 {
        let off = ((h - 30 + t * 5) * w * 4) as usize;
        let img = &tall[off..off + (w * h * 4) as usize];
        let f = CapturedFrame {
            width: w,
            height: h,
            stride: w as usize * 4,
            bgra: img,
        };
        if let Some(frame) = enc.encode(f, t as u64, false).unwrap() {
            if t > 0 {
                assert!(frame
                    .tiles
                    .iter()
                    .any(|c| matches!(c.kind, TileKind::Copy { .. })));
            }
            out.push(postcard::to_allocvec(&ScreenMessage::Frame(frame)).unwrap());
        }
    }
    out
}

fn mutate(rng: &mut StdRng, seed: &[u8], other: &[u8]) -> Vec<u8> {
    let mut b = seed.to_vec();
    match rng.random_range(0..5) {
        0 => b.truncate(rng.random_range(0..b.len())),
        1 => {
            for _ in 0..rng.random_range(1..6) {
                let i = rng.random_range(0..b.len());
                b[i] ^= 1 << rng.random_range(0..8);
            }
        }
        2 => {
            for _ in 0..rng.random_range(1..4) {
                let i = rng.random_range(0..b.len());
                b[i] = *[0u8, 1, 0x7f, 0x80, 0xff]
                    .get(rng.random_range(0..5))
                    .unwrap();
            }
        }
        3 => {
            // Splice: the head of one frame with the tail of another.
            let i = rng.random_range(0..b.len());
            let j = rng.random_range(0..other.len());
            b.truncate(i);
            b.extend_from_slice(&other[j..]);
        }
        _ => {
            // Header fields live in the first bytes: hammer them.
            let n = b.len().min(24);
            let i = rng.random_range(0..n);
            b[i] = rng.random();
        }
    }
    b
}

#[test]
fn mutated_frames_never_panic_and_keep_the_canvas() {
    let seeds = seeds();
    assert!(seeds.len() >= 6);
    let mut rng = StdRng::seed_from_u64(0x5eed);
    let mut decoded = 0;
    for (k, seed) in seeds.iter().enumerate() {
        // A decoder that holds the key frame, so deltas are exercised too.
        let mut dec = ScreenDecoder::new();
        if let Ok(ScreenMessage::Frame(key)) = postcard::from_bytes::<ScreenMessage>(&seeds[0]) {
            dec.decode(&key).unwrap();
        }
        let other = &seeds[(k + 1) % seeds.len()];
        for _ in 0..MUTATIONS {
            let bytes = mutate(&mut rng, seed, other);
            let Ok(ScreenMessage::Frame(frame)) = postcard::from_bytes::<ScreenMessage>(&bytes)
            else {
                continue;
            };
            let before = dec.rgba().to_vec();
            match dec.decode(&frame) {
                Ok(_) => decoded += 1,
                Err(_) => assert_eq!(dec.rgba(), &before[..], "canvas changed on error"),
            }
        }
    }
    eprintln!(
        "{} seeds × {MUTATIONS} mutations, {decoded} decoded",
        seeds.len()
    );
}
