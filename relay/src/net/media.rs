//! Media forwarding: one task per forwarded stream pair, copying bytes both ways without
//! decoding them, until both sides finish or the driver cuts it.

use porpoise_protocol::wire::{MediaHeader, MAX_MEDIA_HEADER_BYTES};
use porpoise_quic::frame_io::write_frame;
use quinn::{ClosedStream, ReadError, RecvStream, SendStream, WriteError};
use tokio::sync::oneshot;
use tracing::{debug, trace};

use super::STREAM_CUT;

/// Largest chunk read at once, in bytes.
const CHUNK_BYTES: usize = 256 * 1024;

/// A media stream accepted by the driver, to connect to a new stream on `peer`.
pub(super) struct Forward {
    pub peer: quinn::Connection,
    pub header: MediaHeader,
    pub send: SendStream,
    pub recv: RecvStream,
    /// Fires (or is dropped) when the driver cuts this forward.
    pub cancel: oneshot::Receiver<()>,
    /// Most bytes forwarded from the opener to the peer (file streams, A6); more cuts both.
    pub byte_cap: Option<u64>,
}

#[derive(Debug, thiserror::Error)]
enum PipeError {
    #[error("read: {0}")]
    Read(#[from] ReadError),
    #[error("write: {0}")]
    Write(#[from] WriteError),
    #[error("finish: {0}")]
    Closed(#[from] ClosedStream),
    #[error("more than {0} bytes on a capped stream")]
    OverCap(u64),
}

/// Copies `from` into `to` chunk by chunk, then finishes `to`. Returns the bytes copied.
/// With a `cap`, more than `cap` bytes end the copy with [`PipeError::OverCap`] (nothing
/// beyond the cap is forwarded).
async fn pipe(
    from: &mut RecvStream,
    to: &mut SendStream,
    cap: Option<u64>,
) -> Result<u64, PipeError> {
    let mut total = 0u64;
    while let Some(chunk) = from.read_chunk(CHUNK_BYTES, true).await? {
        total += chunk.bytes.len() as u64;
        if let Some(cap) = cap.filter(|cap| total > *cap) {
            return Err(PipeError::OverCap(cap));
        }
        trace!(bytes = chunk.bytes.len(), "forwarded chunk");
        to.write_chunk(chunk.bytes).await?;
    }
    to.finish()?;
    Ok(total)
}

/// Resets the send side and stops the receive side, so the peer sees the stream end at once.
fn cut(send: &mut SendStream, recv: &mut RecvStream) {
    let _ = send.reset(STREAM_CUT.into());
    let _ = recv.stop(STREAM_CUT.into());
}

/// Opens the peer's stream, writes the header there and copies both ways.
pub(super) async fn forward(job: Forward) {
    let Forward {
        peer,
        header,
        mut send,
        mut recv,
        mut cancel,
        byte_cap,
    } = job;
    let opened = tokio::select! {
        _ = &mut cancel => None,
        opened = peer.open_bi() => opened.ok(),
    };
    let Some((mut peer_send, mut peer_recv)) = opened else {
        debug!("media cut before the peer stream opened");
        return cut(&mut send, &mut recv);
    };
    let copy = async {
        write_frame(&mut peer_send, &header, MAX_MEDIA_HEADER_BYTES)
            .await
            .map_err(|e| debug!("writing media header to the peer failed: {e}"))
            .ok()?;
        let both = tokio::try_join!(
            pipe(&mut recv, &mut peer_send, byte_cap),
            pipe(&mut peer_recv, &mut send, None)
        );
        both.map_err(|e| debug!("media stream ended with an error: {e}"))
            .ok()
    };
    let outcome = tokio::select! {
        _ = &mut cancel => None,
        done = copy => done,
    };
    match outcome {
        Some((up, down)) => debug!(up, down, "media stream finished"),
        None => {
            debug!("media stream cut");
            cut(&mut send, &mut recv);
            cut(&mut peer_send, &mut peer_recv);
        }
    }
}
