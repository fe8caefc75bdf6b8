//! Control streams (relay ⇄ agent console / helper / tools): a byte stream of length-prefixed
//! postcard frames, decoded as `ClientMessage` (the relay's side) or `ServerMessage` (the
//! clients' side).
//!
//! Input: one flags byte, then the stream. Bit 0 picks the direction; bits 1–7 the size of the
//! pieces the bytes arrive in (1..=128).
//!
//! Decoders: `porpoise_quic::frame_io::read_frame` (async, what the relay and clients run) and
//! `porpoise_protocol::framing::FrameDecoder::next_frame` (sans-IO, fed piece by piece).
//! Checks: no panic; both decoders give the same messages and end the same way; every decoded
//! message survives `encode_frame` → `FrameDecoder` and a postcard round trip unchanged.
#![no_main]

use std::fmt::Debug;

use libfuzzer_sys::fuzz_target;
use porpoise_fuzz::{ready, roundtrip};
use porpoise_protocol::framing::{encode_frame, FrameDecoder, FrameError, MAX_CONTROL_FRAME_BYTES};
use porpoise_protocol::wire::{ClientMessage, ServerMessage};
use porpoise_quic::frame_io::read_frame;
use serde::{de::DeserializeOwned, Serialize};

fuzz_target!(|data: &[u8]| {
    let Some((&flags, stream)) = data.split_first() else {
        return;
    };
    let piece = usize::from(flags >> 1) + 1;
    if flags & 1 == 0 {
        check::<ClientMessage>(stream, piece);
    } else {
        check::<ServerMessage>(stream, piece);
    }
});

/// How a stream of frames ended.
#[derive(Debug, PartialEq, Eq)]
enum End {
    /// Between two frames.
    Clean,
    /// Inside a frame.
    Truncated,
    TooLarge(usize),
    Malformed,
}

fn check<T>(stream: &[u8], piece: usize)
where
    T: Serialize + DeserializeOwned + PartialEq + Debug,
{
    // The async reader, as on a QUIC stream.
    let mut reader = stream;
    let mut via_async = Vec::new();
    let async_end = loop {
        match ready(read_frame::<T, _>(&mut reader, MAX_CONTROL_FRAME_BYTES)) {
            Ok(Some(msg)) => via_async.push(msg),
            Ok(None) => break End::Clean,
            Err(FrameError::Truncated) => break End::Truncated,
            Err(FrameError::TooLarge { len, max }) => {
                assert_eq!(max, MAX_CONTROL_FRAME_BYTES);
                assert!(len > max);
                break End::TooLarge(len);
            }
            Err(FrameError::Malformed(_)) => break End::Malformed,
            Err(FrameError::Io(e)) => panic!("I/O error from a byte slice: {e}"),
        }
    };

    // The sans-IO decoder, fed in pieces.
    let mut dec = FrameDecoder::new(MAX_CONTROL_FRAME_BYTES);
    let mut via_sync = Vec::new();
    let mut sync_end = None;
    'feed: for bytes in stream.chunks(piece) {
        dec.extend(bytes);
        loop {
            match dec.next_frame::<T>() {
                Ok(Some(msg)) => via_sync.push(msg),
                Ok(None) => break,
                Err(FrameError::TooLarge { len, .. }) => {
                    sync_end = Some(End::TooLarge(len));
                    break 'feed;
                }
                Err(FrameError::Malformed(_)) => {
                    sync_end = Some(End::Malformed);
                    break 'feed;
                }
                Err(e) => panic!("FrameDecoder returned {e:?}"),
            }
        }
    }
    let sync_end = sync_end.unwrap_or(if dec.buffered() == 0 {
        End::Clean
    } else {
        End::Truncated
    });
    assert_eq!(via_async, via_sync, "the two frame decoders disagree");
    assert_eq!(async_end, sync_end, "the two frame decoders end differently");

    for msg in &via_async {
        roundtrip(msg);
        let frame = encode_frame(msg, MAX_CONTROL_FRAME_BYTES)
            .expect("a decoded message must fit a frame again");
        let mut dec = FrameDecoder::new(MAX_CONTROL_FRAME_BYTES);
        dec.extend(&frame);
        let back = dec.next_frame::<T>().expect("own frame").expect("whole frame");
        assert_eq!(&back, msg);
        assert_eq!(dec.buffered(), 0);
    }
}
