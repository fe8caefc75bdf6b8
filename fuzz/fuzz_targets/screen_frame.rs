//! Screen streams (helper → agent `Screen`, agent → helper `Demo`): postcard `ScreenMessage`s as
//! the viewer (`porpoise_quic::screen::viewer`) and the sender decode them, several back to
//! back so that deltas, copies and the zstd reference after a key frame are reached.
//!
//! Decoders: `postcard::from_bytes::<porpoise_codec::ScreenMessage>` (the viewer's
//! `handle_one`), `porpoise_codec::ScreenDecoder::decode` for every `Frame` (one decoder for the
//! stream) and `Still` (a fresh decoder, as the viewer does), `CursorShape::validate` for
//! cursor shapes; `nearest_scale`, `scaled_edge` and `ImageQuality::jpeg_quality` for the
//! `Settings` a sender applies.
//! Checks: no panic; a failed frame leaves canvas and size as they were; a decoded frame sets
//! the size, stays in the canvas and reports rectangles inside it; every message survives a
//! postcard round trip (tile codes travel as runs).
//!
//! Throughput bound: frames whose canvas is over `MAX_FUZZ_PIXELS` are skipped (the decoder
//! allows `MAX_SCREEN_EDGE`² = 64 Mpx; such a key frame costs ~100 ms and would dominate the
//! run). Edges up to `MAX_SCREEN_EDGE` are still fuzzed, only the area is bounded.
#![no_main]

use libfuzzer_sys::fuzz_target;
use porpoise_codec::stream::SCALE_PERCENTS;
use porpoise_codec::{
    nearest_scale, scaled_edge, ScreenDecoder, ScreenMessage, VideoFrame, MAX_SCREEN_EDGE,
};
use porpoise_fuzz::roundtrip;

/// Largest canvas decoded here, px (512 × 512, or 8192 × 32…).
const MAX_FUZZ_PIXELS: u64 = 1 << 18;
/// Messages decoded per input.
const MAX_MESSAGES: usize = 6;

fn too_big(frame: &VideoFrame) -> bool {
    u64::from(frame.width) * u64::from(frame.height) > MAX_FUZZ_PIXELS
}

/// Decodes `frame` with `dec` and checks the decoder's promises.
fn decode(dec: &mut ScreenDecoder, frame: &VideoFrame) {
    let before = dec.rgba().to_vec();
    let size_before = dec.size();
    let source_before = dec.source_size();
    match dec.decode(frame) {
        Ok(rects) => {
            let (w, h) = (frame.width, frame.height);
            assert_eq!(dec.size(), (w, h));
            assert_eq!(dec.source_size(), (frame.source_width, frame.source_height));
            assert!((1..=MAX_SCREEN_EDGE).contains(&w) && (1..=MAX_SCREEN_EDGE).contains(&h));
            assert_eq!(dec.rgba().len(), w as usize * h as usize * 4);
            assert_eq!(rects.len(), frame.tiles.len());
            for r in &rects {
                assert!(r.w > 0 && r.h > 0 && r.x + r.w <= w && r.y + r.h <= h, "{r:?}");
            }
            if !frame.key {
                assert_eq!(size_before, (w, h), "a delta changed the canvas size");
            }
        }
        Err(_) => {
            assert_eq!(dec.size(), size_before, "size changed on error");
            assert_eq!(dec.source_size(), source_before, "source size changed on error");
            assert!(dec.rgba() == &before[..], "canvas changed on error");
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let mut dec = ScreenDecoder::new();
    let mut rest = data;
    for _ in 0..MAX_MESSAGES {
        let Ok((msg, tail)) = postcard::take_from_bytes::<ScreenMessage>(rest) else {
            return;
        };
        rest = tail;
        roundtrip(&msg);
        match &msg {
            ScreenMessage::Frame(frame) if !too_big(frame) => decode(&mut dec, frame),
            ScreenMessage::Still { frame, .. } if !too_big(frame) => {
                decode(&mut ScreenDecoder::new(), frame)
            }
            ScreenMessage::Cursor(cursor) => {
                if let Some(shape) = &cursor.shape {
                    if shape.validate().is_ok() {
                        assert!(shape.hot_x < shape.width && shape.hot_y < shape.height);
                        assert_eq!(
                            shape.rgba.len(),
                            usize::from(shape.width) * usize::from(shape.height) * 4
                        );
                    }
                }
            }
            ScreenMessage::Settings(s) => {
                let scale = nearest_scale(s.scale_percent);
                assert!(SCALE_PERCENTS.contains(&scale));
                assert!((1..=100).contains(&s.quality.jpeg_quality()));
                for edge in [1, 1080, MAX_SCREEN_EDGE] {
                    let scaled = scaled_edge(edge, scale);
                    assert!((1..=edge).contains(&scaled), "{edge} at {scale}% → {scaled}");
                }
            }
            _ => {}
        }
    }
});
