//! Media streams: the `MediaHeader` that opens every media stream (read by the relay, then by
//! the peer the relay forwards the stream to), and on `Input` streams the `InputEvent` frames
//! the helper applies to the customer's desktop.
//!
//! Decoders: `porpoise_quic::frame_io::read_frame::<MediaHeader>` at
//! `MAX_MEDIA_HEADER_BYTES`, then `read_frame::<InputEvent>` at `MAX_INPUT_FRAME_BYTES`,
//! `InputEvent::validate` and `InputEvent::clamped` (as the helper's injector does).
//! Checks: no panic; postcard round trip of every decoded value; a valid event stays valid
//! once clamped and its pointer lands on the screen. (Screen and Demo streams are the
//! `screen_frame` target, File streams `file_frame`.)
#![no_main]

use libfuzzer_sys::fuzz_target;
use porpoise_fuzz::{ready, roundtrip};
use porpoise_protocol::framing::{FrameError, MAX_INPUT_FRAME_BYTES};
use porpoise_protocol::input::{InputEvent, MouseEvent};
use porpoise_protocol::wire::{MediaHeader, MediaKind, Party, MAX_MEDIA_HEADER_BYTES};
use porpoise_quic::frame_io::read_frame;

/// Screens the helper may run on (px): clamping must put the pointer on each.
const SCREENS: [(u32, u32); 3] = [(1920, 1080), (1, 1), (8192, 8192)];

fuzz_target!(|data: &[u8]| {
    let mut reader = data;
    let header = match ready(read_frame::<MediaHeader, _>(&mut reader, MAX_MEDIA_HEADER_BYTES)) {
        Ok(Some(header)) => header,
        Ok(None) => return,
        Err(FrameError::Io(e)) => panic!("I/O error from a byte slice: {e}"),
        Err(_) => return,
    };
    roundtrip(&header);
    assert!(MediaKind::ALL.contains(&header.kind));
    // Who may open it: never the relay itself, always at least one party.
    assert!(!header.kind.may_open(Party::Relay));
    assert!(header.kind.may_open(Party::Agent) || header.kind.may_open(Party::Customer));
    if header.kind != MediaKind::Input {
        return;
    }
    loop {
        let ev = match ready(read_frame::<InputEvent, _>(&mut reader, MAX_INPUT_FRAME_BYTES)) {
            Ok(Some(ev)) => ev,
            Ok(None) => return,
            Err(FrameError::Io(e)) => panic!("I/O error from a byte slice: {e}"),
            Err(_) => return,
        };
        roundtrip(&ev);
        if ev.validate().is_err() {
            continue;
        }
        for (w, h) in SCREENS {
            let clamped = ev.clone().clamped(w, h);
            assert!(clamped.validate().is_ok(), "clamping made {ev:?} invalid");
            if let InputEvent::Mouse(MouseEvent::MoveTo { x, y }) = clamped {
                assert!(x >= 0 && (x as u32) < w && y >= 0 && (y as u32) < h);
            } else {
                assert_eq!(clamped, ev, "clamping changed a non-pointer event");
            }
        }
    }
});
