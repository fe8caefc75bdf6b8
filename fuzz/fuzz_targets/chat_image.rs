//! Chat pictures (A7, C4): PNG or JPEG bytes from the other party, checked by the relay and
//! decoded by the agent console and the helper.
//!
//! Decoders: `porpoise_codec::chat_image::probe` (the relay: header only) and
//! `chat_image::decode` (the apps: refuses from the header anything over
//! `MAX_CHAT_IMAGE_SIDE` a side or `MAX_DECODE_PIXELS` in all, then decodes with `png` /
//! `zune-jpeg`), then `chat_image::fit_texture` as the chat view does.
//! Checks: no panic (a panic inside zune-jpeg is caught by the product in debug builds, but
//! ends the helper's `panic = "abort"` release build, so it counts here); `decode` never
//! accepts what `probe` refuses and agrees with its size; `rgba` holds exactly w × h pixels;
//! `probe`'s `ChatImage` survives a postcard round trip; `fit_texture` respects its side.
#![no_main]

use libfuzzer_sys::fuzz_target;
use porpoise_codec::chat_image::{self, ChatImageError};
use porpoise_fuzz::roundtrip;
use porpoise_protocol::wire::{ImageFormat, MAX_CHAT_IMAGE_BYTES, MAX_CHAT_IMAGE_SIDE};

/// Texture side to fit decoded pictures into (a small one so that scaling runs).
const TEXTURE_SIDE: usize = 48;

fuzz_target!(|data: &[u8]| {
    let probed = chat_image::probe(data);
    if let Ok(info) = &probed {
        roundtrip(info);
        assert!(data.len() <= MAX_CHAT_IMAGE_BYTES);
        assert_eq!(info.bytes as usize, data.len());
        assert!((1..=MAX_CHAT_IMAGE_SIDE).contains(&info.width));
        assert!((1..=MAX_CHAT_IMAGE_SIDE).contains(&info.height));
        match info.format {
            ImageFormat::Png => assert!(data.starts_with(b"\x89PNG\r\n\x1a\n")),
            ImageFormat::Jpeg => assert!(data.starts_with(&[0xff, 0xd8])),
        }
    }
    match (probed, chat_image::decode(data)) {
        (Err(e), Ok(d)) => panic!("probe refused ({e}) what decode gave {}×{}", d.width, d.height),
        (Err(p), Err(d)) => assert_eq!(p, d, "decode refused differently from probe"),
        (Ok(_), Err(ChatImageError::TooManyPixels { .. } | ChatImageError::Damaged(_))) => {}
        (Ok(_), Err(e)) => panic!("probe accepted what decode refused with {e}"),
        (Ok(info), Ok(d)) => {
            assert_eq!((d.width, d.height), (info.width, info.height));
            assert_eq!(d.rgba.len(), d.width as usize * d.height as usize * 4);
            let fitted = chat_image::fit_texture(d, TEXTURE_SIDE);
            assert!(fitted.width >= 1 && fitted.height >= 1);
            assert!(fitted.width as usize <= TEXTURE_SIDE && fitted.height as usize <= TEXTURE_SIDE);
            assert_eq!(fitted.rgba.len(), fitted.width as usize * fitted.height as usize * 4);
        }
    }
});
