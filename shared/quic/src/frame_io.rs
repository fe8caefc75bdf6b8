//! Frames ([`porpoise_protocol::framing`]) read from and written to async streams (QUIC
//! streams, or any tokio `AsyncRead`/`AsyncWrite`): the only part of the framing that needs an
//! async runtime.

use porpoise_protocol::framing::{encode_frame, frame_len, FrameError, LENGTH_PREFIX_BYTES};
use serde::{de::DeserializeOwned, Serialize};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// Reads one frame of at most `max` payload bytes.
///
/// Returns `Ok(None)` on a clean end of stream between frames.
/// Errors: [`FrameError::TooLarge`] before allocating, [`FrameError::Truncated`] on an end of
/// stream inside a frame, [`FrameError::Malformed`], [`FrameError::Io`].
pub async fn read_frame<T, R>(reader: &mut R, max: usize) -> Result<Option<T>, FrameError>
where
    T: DeserializeOwned,
    R: AsyncRead + Unpin,
{
    match read_frame_bytes(reader, max).await? {
        Some(bytes) => Ok(Some(postcard::from_bytes(&bytes)?)),
        None => Ok(None),
    }
}

/// Reads one frame's raw payload (for forwarding or decoding elsewhere).
///
/// Same errors as [`read_frame`] except `Malformed`.
pub async fn read_frame_bytes<R>(reader: &mut R, max: usize) -> Result<Option<Vec<u8>>, FrameError>
where
    R: AsyncRead + Unpin,
{
    let mut prefix = [0u8; LENGTH_PREFIX_BYTES];
    let mut got = 0;
    while got < LENGTH_PREFIX_BYTES {
        let n = reader.read(&mut prefix[got..]).await?;
        if n == 0 {
            return if got == 0 {
                Ok(None)
            } else {
                Err(FrameError::Truncated)
            };
        }
        got += n;
    }
    let len = frame_len(&prefix);
    if len > max {
        return Err(FrameError::TooLarge { len, max });
    }
    let mut payload = vec![0u8; len];
    reader.read_exact(&mut payload).await.map_err(|e| {
        if e.kind() == std::io::ErrorKind::UnexpectedEof {
            FrameError::Truncated
        } else {
            FrameError::Io(e)
        }
    })?;
    Ok(Some(payload))
}

/// Writes `msg` as one frame.
///
/// Errors: [`FrameError::TooLarge`] if the encoding exceeds `max`; [`FrameError::Io`].
pub async fn write_frame<T, W>(writer: &mut W, msg: &T, max: usize) -> Result<(), FrameError>
where
    T: Serialize,
    W: AsyncWrite + Unpin,
{
    let bytes = encode_frame(msg, max)?;
    writer.write_all(&bytes).await?;
    Ok(())
}
