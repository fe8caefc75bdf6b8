//! Length-delimited postcard frames.
//!
//! A frame is a 4-byte little-endian length `n` followed by `n` bytes of postcard. Every reader
//! states its maximum frame size; a larger announced length is an error before any allocation.
//! This crate has the sans-IO part ([`encode_frame`], [`FrameDecoder`]); reading and writing
//! frames on async streams is `porpoise_quic::frame_io`.

use serde::{de::DeserializeOwned, Serialize};

/// Largest control-stream frame, in bytes (payload, without the 4-byte length).
pub const MAX_CONTROL_FRAME_BYTES: usize = 256 * 1024;

/// Largest screen-stream frame (one encoded `porpoise_codec::VideoFrame`), in bytes.
pub const MAX_SCREEN_FRAME_BYTES: usize = 32 * 1024 * 1024;

/// Largest input-stream frame (one [`crate::input::InputEvent`]), in bytes.
pub const MAX_INPUT_FRAME_BYTES: usize = 8 * 1024;

/// Largest clipboard-stream frame (one `clipboard::ClipboardMessage`, whose text is at most
/// `clipboard::MAX_CLIPBOARD_BYTES` = 1 MiB), in bytes: the text plus a small envelope.
pub const MAX_CLIPBOARD_FRAME_BYTES: usize = 1024 * 1024 + 64;

/// Bytes of the length prefix.
pub const LENGTH_PREFIX_BYTES: usize = 4;

/// Framing errors. Any of them closes the stream (and for the control stream, the connection).
#[derive(Debug, thiserror::Error)]
pub enum FrameError {
    /// The announced length exceeds the reader's maximum.
    #[error("frame of {len} bytes exceeds the limit of {max} bytes")]
    TooLarge {
        /// Announced length.
        len: usize,
        /// Limit in force.
        max: usize,
    },
    /// The payload is not a valid postcard encoding of the expected type.
    #[error("malformed frame: {0}")]
    Malformed(#[from] postcard::Error),
    /// The stream ended in the middle of a frame.
    #[error("stream ended inside a frame")]
    Truncated,
    /// The underlying stream failed.
    #[error("stream error: {0}")]
    Io(#[from] std::io::Error),
}

/// Encodes `msg` as one frame (length prefix + postcard).
///
/// Errors: [`FrameError::TooLarge`] if the encoding exceeds `max` bytes.
pub fn encode_frame<T: Serialize>(msg: &T, max: usize) -> Result<Vec<u8>, FrameError> {
    let mut out = postcard::to_extend(msg, vec![0u8; LENGTH_PREFIX_BYTES])?;
    let len = out.len() - LENGTH_PREFIX_BYTES;
    if len > max {
        return Err(FrameError::TooLarge { len, max });
    }
    out[..LENGTH_PREFIX_BYTES].copy_from_slice(&(len as u32).to_le_bytes());
    Ok(out)
}

/// Incremental decoder for a byte stream of frames.
#[derive(Debug)]
pub struct FrameDecoder {
    buf: Vec<u8>,
    max: usize,
}

impl FrameDecoder {
    /// A decoder accepting frames of at most `max` payload bytes.
    pub fn new(max: usize) -> Self {
        Self {
            buf: Vec::new(),
            max,
        }
    }

    /// Appends received bytes.
    pub fn extend(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// Returns the next complete frame, `Ok(None)` if more bytes are needed.
    ///
    /// Errors: [`FrameError::TooLarge`] as soon as the prefix announces too much;
    /// [`FrameError::Malformed`] if the payload does not decode. After an error the stream must
    /// be closed.
    pub fn next_frame<T: DeserializeOwned>(&mut self) -> Result<Option<T>, FrameError> {
        if self.buf.len() < LENGTH_PREFIX_BYTES {
            return Ok(None);
        }
        let len = frame_len(&self.buf[..LENGTH_PREFIX_BYTES]);
        if len > self.max {
            return Err(FrameError::TooLarge { len, max: self.max });
        }
        if self.buf.len() < LENGTH_PREFIX_BYTES + len {
            return Ok(None);
        }
        let msg = postcard::from_bytes(&self.buf[LENGTH_PREFIX_BYTES..LENGTH_PREFIX_BYTES + len])?;
        self.buf.drain(..LENGTH_PREFIX_BYTES + len);
        Ok(Some(msg))
    }

    /// Bytes buffered but not yet decoded.
    pub fn buffered(&self) -> usize {
        self.buf.len()
    }
}

/// The payload length a frame's [`LENGTH_PREFIX_BYTES`]-byte prefix announces, in bytes
/// (little-endian `u32`). Panics if `prefix` is not exactly that long.
pub fn frame_len(prefix: &[u8]) -> usize {
    let mut b = [0u8; LENGTH_PREFIX_BYTES];
    b.copy_from_slice(prefix);
    u32::from_le_bytes(b) as usize
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::{CenterId, ClientMessage, Hello, HelloRole, PROTOCOL_VERSION};

    fn hello() -> ClientMessage {
        ClientMessage::Hello(Hello {
            protocol_version: PROTOCOL_VERSION,
            role: HelloRole::Directory {
                center_id: CenterId(8_000_001),
            },
        })
    }

    #[test]
    fn roundtrip_in_pieces() {
        let bytes = encode_frame(&hello(), MAX_CONTROL_FRAME_BYTES).expect("encode");
        let mut dec = FrameDecoder::new(MAX_CONTROL_FRAME_BYTES);
        for b in &bytes[..bytes.len() - 1] {
            dec.extend(std::slice::from_ref(b));
            assert!(dec
                .next_frame::<ClientMessage>()
                .expect("partial")
                .is_none());
        }
        dec.extend(&bytes[bytes.len() - 1..]);
        assert_eq!(
            dec.next_frame::<ClientMessage>().expect("full"),
            Some(hello())
        );
        assert_eq!(dec.buffered(), 0);
    }

    #[test]
    fn oversized_prefix_is_refused_before_payload() {
        let mut dec = FrameDecoder::new(1024);
        dec.extend(&u32::MAX.to_le_bytes());
        match dec.next_frame::<ClientMessage>() {
            Err(FrameError::TooLarge { len, max }) => {
                assert_eq!(len, u32::MAX as usize);
                assert_eq!(max, 1024);
            }
            other => panic!("expected TooLarge, got {other:?}"),
        }
    }

    #[test]
    fn garbage_payload_is_malformed() {
        let mut dec = FrameDecoder::new(1024);
        dec.extend(&[3, 0, 0, 0, 0xff, 0xff, 0xff]);
        assert!(matches!(
            dec.next_frame::<ClientMessage>(),
            Err(FrameError::Malformed(_))
        ));
    }

    #[test]
    fn encode_refuses_too_large() {
        let big = vec![7u8; 2000];
        assert!(matches!(
            encode_frame(&big, 1000),
            Err(FrameError::TooLarge { .. })
        ));
    }
}

#[cfg(test)]
mod hostile {
    use super::*;
    use crate::wire::{ClientMessage, ServerMessage};
    use proptest::prelude::*;

    proptest! {
        /// Arbitrary bytes on a control stream give frames or an error, never a panic.
        #[test]
        fn arbitrary_control_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..1024)) {
            let mut client = FrameDecoder::new(MAX_CONTROL_FRAME_BYTES);
            client.extend(&bytes);
            while let Ok(Some(_)) = client.next_frame::<ClientMessage>() {}
            let mut server = FrameDecoder::new(MAX_CONTROL_FRAME_BYTES);
            server.extend(&bytes);
            while let Ok(Some(_)) = server.next_frame::<ServerMessage>() {}
        }
    }
}
