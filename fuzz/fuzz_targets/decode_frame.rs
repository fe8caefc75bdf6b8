//! Fuzzes the screen decoder: the input is a postcard `ScreenMessage` (as it arrives on a
//! screen stream); every `Frame` in it is decoded by one decoder, and a `Still` by a fresh one.
//! Decoding must return a value or an error, never panic, and leave the canvas unchanged on
//! error.
#![no_main]

use libfuzzer_sys::fuzz_target;
use porpoise_codec::{ScreenDecoder, ScreenMessage};

fuzz_target!(|data: &[u8]| {
    let mut dec = ScreenDecoder::new();
    let mut rest = data;
    // Several messages back to back, so deltas after a key frame are reached.
    for _ in 0..4 {
        let Ok((msg, tail)) = postcard::take_from_bytes::<ScreenMessage>(rest) else {
            return;
        };
        rest = tail;
        match msg {
            ScreenMessage::Frame(frame) => {
                let before = dec.rgba().to_vec();
                if dec.decode(&frame).is_err() {
                    assert_eq!(dec.rgba(), &before[..]);
                }
            }
            ScreenMessage::Still { frame, .. } => {
                let _ = ScreenDecoder::new().decode(&frame);
            }
            _ => {}
        }
    }
});
