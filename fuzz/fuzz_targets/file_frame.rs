//! File streams (`porpoise_quic::files`, A6/C5): the receiver reads the sender's `SenderFrame`s
//! (first an offer, whose name it sanitises again), the sender reads the receiver's
//! `ReceiverFrame`s.
//!
//! Input: one flags byte (bit 0: which side reads), then the stream.
//! Decoders: `porpoise_quic::files::read_offer` (async), `frame_io::read_frame::<SenderFrame>` /
//! `read_frame::<ReceiverFrame>` at `MAX_FILE_FRAME_BYTES`, `files::sanitize_name` and
//! `files::check_offer`.
//! Checks: no panic; postcard round trip of every frame; an offered name, once sanitised, keeps
//! the promises of `sanitize_name`'s documentation (no directories, no control, bidi or
//! Windows-forbidden characters, no leading dot, no trailing dot or space, no bare reserved
//! Windows name, at most `MAX_FILE_NAME_BYTES`); `check_offer` refuses exactly the offers over
//! the limit.
#![no_main]

use libfuzzer_sys::fuzz_target;
use porpoise_fuzz::{ready, roundtrip};
use porpoise_protocol::framing::FrameError;
use porpoise_protocol::wire::DEFAULT_MAX_FILE_BYTES;
use porpoise_quic::files::{
    check_offer, is_deceptive, read_offer, sanitize_name, FileError, ReceiverFrame, RefuseReason,
    SenderFrame, MAX_FILE_FRAME_BYTES, MAX_FILE_NAME_BYTES,
};
use porpoise_quic::frame_io::read_frame;

const FORBIDDEN: &[char] = &['<', '>', ':', '"', '/', '\\', '|', '?', '*'];
const RESERVED: &[&str] = &[
    "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8",
    "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
];

/// The documented promises of `sanitize_name` about its result.
fn check_name(raw: &str, name: &str) {
    assert!(!name.is_empty(), "{raw:?} → empty name");
    assert!(name.len() <= MAX_FILE_NAME_BYTES, "{raw:?} → {} bytes", name.len());
    for c in name.chars() {
        assert!(
            !c.is_control() && !is_deceptive(c) && !FORBIDDEN.contains(&c),
            "{raw:?} → {name:?} keeps {c:?}"
        );
    }
    assert!(!name.starts_with('.'), "{raw:?} → {name:?}");
    assert!(!name.ends_with(['.', ' ']), "{raw:?} → {name:?}");
    let stem = name.split('.').next().unwrap_or("").trim_end().to_ascii_uppercase();
    assert!(!RESERVED.contains(&stem.as_str()), "{raw:?} → reserved {name:?}");
}

fuzz_target!(|data: &[u8]| {
    let Some((&flags, stream)) = data.split_first() else {
        return;
    };
    let mut reader = stream;
    if flags & 1 == 0 {
        // The receiver's side.
        match ready(read_offer(&mut reader)) {
            Ok(offer) => {
                roundtrip(&offer);
                check_name(&offer.name, &offer.name);
                match check_offer(&offer, DEFAULT_MAX_FILE_BYTES) {
                    Some(RefuseReason::TooBig { size, max }) => {
                        assert!(size == offer.size && size > max && max == DEFAULT_MAX_FILE_BYTES)
                    }
                    Some(other) => panic!("check_offer gave {other:?}"),
                    None => assert!(offer.size <= DEFAULT_MAX_FILE_BYTES),
                }
            }
            Err(FileError::Name(_)) | Err(FileError::Protocol(_)) | Err(FileError::Cancelled(_)) => {
                return
            }
            Err(FileError::Interrupted(_)) => return,
            Err(e) => panic!("read_offer from a byte slice gave {e:?}"),
        }
        loop {
            match ready(read_frame::<SenderFrame, _>(&mut reader, MAX_FILE_FRAME_BYTES)) {
                Ok(Some(frame)) => roundtrip(&frame),
                Ok(None) => return,
                Err(FrameError::Io(e)) => panic!("I/O error from a byte slice: {e}"),
                Err(_) => return,
            }
        }
    } else {
        // The sender's side.
        loop {
            match ready(read_frame::<ReceiverFrame, _>(&mut reader, MAX_FILE_FRAME_BYTES)) {
                Ok(Some(frame)) => {
                    roundtrip(&frame);
                    if let ReceiverFrame::Verified { saved_as } = &frame {
                        if let Ok(name) = sanitize_name(saved_as) {
                            check_name(saved_as, &name);
                        }
                    }
                }
                Ok(None) => return,
                Err(FrameError::Io(e)) => panic!("I/O error from a byte slice: {e}"),
                Err(_) => return,
            }
        }
    }
});
