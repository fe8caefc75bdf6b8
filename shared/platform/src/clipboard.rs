//! Text clipboard sync (feature `clipboard`): the local clipboard on its own thread, and (with
//! `client`) [`sync_clipboard`], which mirrors it with the peer's over one bidirectional stream
//! while remote control is granted.
//!
//! [`LocalClipboard`] owns an [`arboard::Clipboard`] on a dedicated thread: arboard objects are
//! not `Send` on every platform, and on X11 the clipboard's content lives only as long as its
//! owner does. The thread polls the clipboard every [`CLIPBOARD_POLL_INTERVAL`] and reports a
//! change as a [`ClipboardEvent`]; text it set itself (from the peer) is not reported back, so
//! two synced clipboards never ping-pong. Only changes are reported: what the clipboard held
//! when [`LocalClipboard::new`] ran is never sent (the customer consented to sharing from now
//! on, not to what they copied before). Text over [`MAX_CLIPBOARD_BYTES`] is neither sent nor
//! accepted; it is reported as [`ClipboardEvent::TooLarge`] for the UI to show.
//!
//! On X11, text set here stays on the clipboard while the [`LocalClipboard`] lives (without a
//! clipboard manager, X11 clipboard content disappears with its owner).

use std::{
    sync::mpsc::{self, RecvTimeoutError},
    time::Duration,
};

use serde::{Deserialize, Serialize};
use tokio::sync::watch;
use tracing::{debug, warn};

use porpoise_protocol::framing::MAX_CLIPBOARD_FRAME_BYTES;

/// Largest clipboard text synced, in bytes of UTF-8.
pub const MAX_CLIPBOARD_BYTES: usize = 1024 * 1024;

// A `ClipboardMessage::Text` of MAX_CLIPBOARD_BYTES must fit one frame: 1 byte of variant index
// and at most 5 of length prefix.
const _: () = assert!(MAX_CLIPBOARD_BYTES + 6 <= MAX_CLIPBOARD_FRAME_BYTES);

/// How often the local clipboard is read to notice changes.
pub const CLIPBOARD_POLL_INTERVAL: Duration = Duration::from_millis(300);

/// One message on a clipboard stream (either direction), framed with
/// [`porpoise_protocol::framing`] at most [`MAX_CLIPBOARD_FRAME_BYTES`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ClipboardMessage {
    /// The sender's clipboard now holds this text (at most [`MAX_CLIPBOARD_BYTES`]).
    Text(String),
}

/// What the clipboard thread noticed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClipboardEvent {
    /// Someone on this computer put this (non-empty) text on the clipboard.
    Changed(String),
    /// The clipboard now holds text of `bytes` bytes, over [`MAX_CLIPBOARD_BYTES`]: not sent.
    TooLarge {
        /// Size of the text, bytes.
        bytes: usize,
    },
    /// Setting the clipboard failed (the platform's message).
    Failed(String),
}

/// Clipboard errors.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClipboardError {
    /// There is no clipboard to use (no display, or the platform refused).
    #[error("clipboard unavailable: {0}")]
    Unavailable(String),
    /// The text is over the limit; nothing was done.
    #[error("clipboard text of {bytes} bytes exceeds the limit of {MAX_CLIPBOARD_BYTES} bytes")]
    TooLarge {
        /// Size of the text, bytes.
        bytes: usize,
    },
    /// The clipboard thread has ended.
    #[error("the clipboard thread has stopped")]
    Stopped,
}

/// A receiver of [`ClipboardEvent`]s. Only the newest event is kept: a reader that falls
/// behind skips to the newest clipboard content.
#[derive(Debug, Clone)]
pub struct ClipboardEvents(watch::Receiver<Option<ClipboardEvent>>);

impl ClipboardEvents {
    /// Waits for the next event; `None` once the clipboard thread has ended.
    pub async fn next(&mut self) -> Option<ClipboardEvent> {
        loop {
            self.0.changed().await.ok()?;
            if let Some(event) = self.0.borrow_and_update().clone() {
                return Some(event);
            }
        }
    }

    /// The newest event not seen yet, without waiting (for a UI thread).
    pub fn try_next(&mut self) -> Option<ClipboardEvent> {
        if self.0.has_changed().unwrap_or(false) {
            self.0.borrow_and_update().clone()
        } else {
            None
        }
    }
}

/// The local clipboard, served by its own thread; dropping it ends the thread.
#[derive(Debug)]
pub struct LocalClipboard {
    texts: mpsc::Sender<String>,
    events: ClipboardEvents,
}

impl LocalClipboard {
    /// Opens the clipboard on a new thread and starts watching it for changes.
    ///
    /// Errors: [`ClipboardError::Unavailable`] if the platform clipboard cannot be opened (on
    /// Linux: no X server at `$DISPLAY`).
    pub fn new() -> Result<Self, ClipboardError> {
        let (texts, text_rx) = mpsc::channel::<String>();
        let (event_tx, event_rx) = watch::channel(None);
        let (ready_tx, ready_rx) = mpsc::sync_channel(1);
        std::thread::Builder::new()
            .name("clipboard".into())
            .spawn(move || {
                let clipboard = match arboard::Clipboard::new() {
                    Ok(c) => {
                        let _ = ready_tx.send(Ok(()));
                        c
                    }
                    Err(e) => {
                        let _ = ready_tx.send(Err(ClipboardError::Unavailable(e.to_string())));
                        return;
                    }
                };
                watch_clipboard(clipboard, text_rx, event_tx);
            })
            .map_err(|e| ClipboardError::Unavailable(e.to_string()))?;
        ready_rx.recv().map_err(|_| ClipboardError::Stopped)??;
        Ok(Self {
            texts,
            events: ClipboardEvents(event_rx),
        })
    }

    /// Puts `text` on the clipboard (soon, on the clipboard thread). The change is not
    /// reported back as a [`ClipboardEvent::Changed`].
    ///
    /// Errors: [`ClipboardError::TooLarge`] over [`MAX_CLIPBOARD_BYTES`] (nothing is set),
    /// [`ClipboardError::Stopped`] if the thread has ended. A platform failure is reported
    /// later as [`ClipboardEvent::Failed`].
    pub fn set_text(&self, text: String) -> Result<(), ClipboardError> {
        if text.len() > MAX_CLIPBOARD_BYTES {
            return Err(ClipboardError::TooLarge { bytes: text.len() });
        }
        self.texts.send(text).map_err(|_| ClipboardError::Stopped)
    }

    /// Another receiver of this clipboard's events (e.g. for the UI while [`sync_clipboard`]
    /// consumes them); it sees events from now on.
    pub fn subscribe(&self) -> ClipboardEvents {
        let mut rx = self.events.0.clone();
        rx.mark_unchanged();
        ClipboardEvents(rx)
    }

    /// Waits for the next event; `None` once the clipboard thread has ended.
    pub async fn next_event(&mut self) -> Option<ClipboardEvent> {
        self.events.next().await
    }

    /// The newest event not seen yet, without waiting.
    pub fn try_next_event(&mut self) -> Option<ClipboardEvent> {
        self.events.try_next()
    }
}

/// Reads the clipboard's text; `None` if it holds none (empty, or not text).
fn read_text(clipboard: &mut arboard::Clipboard) -> Option<String> {
    match clipboard.get_text() {
        Ok(text) if !text.is_empty() => Some(text),
        Ok(_) | Err(arboard::Error::ContentNotAvailable) => None,
        Err(e) => {
            debug!(error = %e, "clipboard not readable now");
            None
        }
    }
}

/// The clipboard thread: applies texts to set, polls for changes, until the
/// [`LocalClipboard`] is dropped.
fn watch_clipboard(
    mut clipboard: arboard::Clipboard,
    texts: mpsc::Receiver<String>,
    events: watch::Sender<Option<ClipboardEvent>>,
) {
    // What the clipboard held last time we looked, or what we put there ourselves.
    let mut last = read_text(&mut clipboard);
    loop {
        match texts.recv_timeout(CLIPBOARD_POLL_INTERVAL) {
            Ok(text) => match clipboard.set_text(text.as_str()) {
                Ok(()) => last = (!text.is_empty()).then_some(text),
                Err(e) => {
                    warn!(error = %e, "cannot set the clipboard");
                    events.send_replace(Some(ClipboardEvent::Failed(e.to_string())));
                }
            },
            Err(RecvTimeoutError::Timeout) => {
                let now = read_text(&mut clipboard);
                if now == last {
                    continue;
                }
                last = now;
                match &last {
                    Some(text) if text.len() > MAX_CLIPBOARD_BYTES => {
                        warn!(bytes = text.len(), "clipboard text too large to sync");
                        events.send_replace(Some(ClipboardEvent::TooLarge { bytes: text.len() }));
                    }
                    Some(text) => {
                        debug!(bytes = text.len(), "clipboard changed");
                        events.send_replace(Some(ClipboardEvent::Changed(text.clone())));
                    }
                    None => {}
                }
            }
            Err(RecvTimeoutError::Disconnected) => break,
        }
    }
    debug!("clipboard thread ends");
}

mod sync {
    use tokio::io::{AsyncRead, AsyncWrite};
    use tracing::{debug, warn};

    use super::{
        ClipboardError, ClipboardEvent, ClipboardMessage, LocalClipboard, MAX_CLIPBOARD_BYTES,
    };
    use porpoise_protocol::framing::{FrameError, MAX_CLIPBOARD_FRAME_BYTES};
    use porpoise_quic::frame_io::{read_frame, write_frame};

    /// Why [`sync_clipboard`] ended with an error.
    #[derive(Debug, thiserror::Error)]
    pub enum ClipboardSyncError {
        /// The stream failed or carried a malformed or oversized frame.
        #[error("clipboard stream: {0}")]
        Stream(#[from] FrameError),
        /// The local clipboard's thread ended.
        #[error(transparent)]
        Clipboard(#[from] ClipboardError),
    }

    /// Mirrors `clipboard` with the peer's over one bidirectional stream: local changes are
    /// sent as [`ClipboardMessage::Text`], the peer's are put on the local clipboard. Returns
    /// `Ok` when the peer finishes its side; finishes ours on the way out. Text over the limit
    /// is not sent (the UI learns it from [`LocalClipboard::subscribe`]); received text over
    /// the limit is ignored.
    ///
    /// Errors: [`ClipboardSyncError::Stream`] if the stream is reset or malformed,
    /// [`ClipboardSyncError::Clipboard`] if the clipboard thread ended.
    pub async fn sync_clipboard(
        mut send: quinn::SendStream,
        mut recv: quinn::RecvStream,
        clipboard: LocalClipboard,
    ) -> Result<(), ClipboardSyncError> {
        let result = sync_clipboard_io(&mut send, &mut recv, clipboard).await;
        if result.is_ok() {
            let _ = send.finish();
        } else {
            let _ = send.reset(0u32.into());
            let _ = recv.stop(0u32.into());
        }
        result
    }

    /// [`sync_clipboard`] over any byte streams.
    pub(crate) async fn sync_clipboard_io<W, R>(
        send: &mut W,
        recv: &mut R,
        clipboard: LocalClipboard,
    ) -> Result<(), ClipboardSyncError>
    where
        W: AsyncWrite + Unpin,
        R: AsyncRead + Unpin,
    {
        let LocalClipboard { texts, mut events } = clipboard;
        let incoming = async {
            while let Some(msg) = read_frame(recv, MAX_CLIPBOARD_FRAME_BYTES).await? {
                let ClipboardMessage::Text(text) = msg;
                if text.len() > MAX_CLIPBOARD_BYTES {
                    warn!(
                        bytes = text.len(),
                        "clipboard text from the peer too large; ignored"
                    );
                    continue;
                }
                match texts.send(text) {
                    Ok(()) => debug!("clipboard text from the peer applied"),
                    Err(_) => return Err(ClipboardError::Stopped.into()),
                }
            }
            Ok::<_, ClipboardSyncError>(())
        };
        let outgoing = async {
            loop {
                match events.next().await {
                    Some(ClipboardEvent::Changed(text)) => {
                        let msg = ClipboardMessage::Text(text);
                        write_frame(send, &msg, MAX_CLIPBOARD_FRAME_BYTES).await?;
                    }
                    Some(other) => warn!(event = ?other, "clipboard change not sent"),
                    None => return Err::<(), _>(ClipboardError::Stopped.into()),
                }
            }
        };
        // Each side runs as one future to the end: a frame is never cut in half by the other
        // side finishing first, because the loser is dropped only on the way out.
        tokio::select! {
            r = incoming => r,
            r = outgoing => r,
        }
    }
}

pub use sync::{sync_clipboard, ClipboardSyncError};

#[cfg(test)]
mod tests {
    use super::*;
    use porpoise_protocol::framing::encode_frame;

    #[test]
    fn a_full_size_text_fits_one_frame() {
        for text in [
            "x".repeat(MAX_CLIPBOARD_BYTES),
            "你".repeat(MAX_CLIPBOARD_BYTES / 3),
        ] {
            let msg = ClipboardMessage::Text(text);
            assert!(encode_frame(&msg, MAX_CLIPBOARD_FRAME_BYTES).is_ok());
        }
    }

    /// The local clipboard against a real X server, checked with `xclip` (packages `xvfb`,
    /// `xclip`). One test: arboard keeps one X connection per process, bound to `$DISPLAY`.
    #[cfg(target_os = "linux")]
    mod x11 {
        use std::{
            io::{BufRead, BufReader, Write},
            process::{Child, Command, Stdio},
            time::{Duration, Instant},
        };

        use super::super::*;

        /// Long enough for any number of polls; the waits end as soon as the condition holds.
        const WAIT: Duration = Duration::from_secs(10);

        struct Xvfb(Child, String);

        impl Drop for Xvfb {
            fn drop(&mut self) {
                let _ = self.0.kill();
                let _ = self.0.wait();
            }
        }

        fn start_xvfb() -> Xvfb {
            let mut server = Command::new("Xvfb")
                .args(["-displayfd", "1", "-screen", "0", "640x480x24"])
                .args(["-nolisten", "tcp", "-noreset"])
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .expect("cannot start Xvfb: install the xvfb package");
            let mut line = String::new();
            BufReader::new(server.stdout.take().expect("stdout"))
                .read_line(&mut line)
                .expect("display number");
            let display = format!(":{}", line.trim());
            Xvfb(server, display)
        }

        fn xclip_out(display: &str) -> String {
            let out = Command::new("xclip")
                .args(["-o", "-selection", "clipboard"])
                .env("DISPLAY", display)
                .output()
                .expect("cannot run xclip: install the xclip package");
            String::from_utf8_lossy(&out.stdout).into_owned()
        }

        /// `xclip -i`: xclip takes the clipboard and serves it in the background until another
        /// client takes it or the X server ends.
        fn xclip_in(display: &str, text: &str) {
            let mut child = Command::new("xclip")
                .args(["-i", "-selection", "clipboard"])
                .env("DISPLAY", display)
                .stdin(Stdio::piped())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("cannot run xclip: install the xclip package");
            child
                .stdin
                .take()
                .expect("stdin")
                .write_all(text.as_bytes())
                .expect("write to xclip");
            // The foreground xclip exits once it owns the selection (its fork serves it).
            child.wait().expect("xclip");
        }

        async fn wait_xclip(display: &str, want: &str) {
            let start = Instant::now();
            loop {
                let got = xclip_out(display);
                if got == want {
                    return;
                }
                assert!(
                    start.elapsed() < WAIT,
                    "clipboard holds {got:.80?}, expected {want:.80?}"
                );
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }

        async fn next(events: &mut ClipboardEvents) -> ClipboardEvent {
            tokio::time::timeout(WAIT, events.next())
                .await
                .expect("no clipboard event in time")
                .expect("clipboard thread ended")
        }

        #[tokio::test]
        async fn local_clipboard_under_xvfb() {
            let x = start_xvfb();
            let display = x.1.clone();
            // The only test in this binary that opens an X connection.
            std::env::set_var("DISPLAY", &display);
            xclip_in(&display, "before the session");
            let clipboard = LocalClipboard::new().expect("clipboard");
            let mut events = clipboard.subscribe();

            // What was there before is not reported.
            tokio::time::sleep(CLIPBOARD_POLL_INTERVAL * 3).await;
            assert_eq!(events.try_next(), None);

            // set_text: another X client reads it; it is not reported back (no echo).
            clipboard
                .set_text("from the agent 你好".into())
                .expect("set");
            wait_xclip(&display, "from the agent 你好").await;
            tokio::time::sleep(CLIPBOARD_POLL_INTERVAL * 3).await;
            assert_eq!(events.try_next(), None);

            // A copy in another X client is reported.
            xclip_in(&display, "copied on the desktop 谢谢");
            assert_eq!(
                next(&mut events).await,
                ClipboardEvent::Changed("copied on the desktop 谢谢".into())
            );

            // Over the limit: refused to set, reported (not sent) when copied locally.
            let huge = "y".repeat(MAX_CLIPBOARD_BYTES + 1);
            assert_eq!(
                clipboard.set_text(huge.clone()),
                Err(ClipboardError::TooLarge { bytes: huge.len() })
            );
            xclip_in(&display, &huge);
            assert_eq!(
                next(&mut events).await,
                ClipboardEvent::TooLarge { bytes: huge.len() }
            );

            {
                sync_over_a_stream(&display, clipboard, &mut events).await;
                sync_over_quic(&display).await;
            }
            drop(x);
        }

        /// `sync_clipboard`'s loop over an in-memory stream, the test playing the peer.
        async fn sync_over_a_stream(
            display: &str,
            clipboard: LocalClipboard,
            events: &mut ClipboardEvents,
        ) {
            use porpoise_protocol::framing::MAX_CLIPBOARD_FRAME_BYTES;
            use porpoise_quic::frame_io::{read_frame, write_frame};

            let (ours, theirs) = tokio::io::duplex(4 * MAX_CLIPBOARD_FRAME_BYTES);
            let sync = tokio::spawn(async move {
                let (mut recv, mut send) = tokio::io::split(ours);
                sync::sync_clipboard_io(&mut send, &mut recv, clipboard).await
            });
            let (mut peer_recv, mut peer_send) = tokio::io::split(theirs);
            // A local copy goes to the peer.
            xclip_in(display, "local copy");
            let got = tokio::time::timeout(
                WAIT,
                read_frame::<ClipboardMessage, _>(&mut peer_recv, MAX_CLIPBOARD_FRAME_BYTES),
            )
            .await
            .expect("in time")
            .expect("frame");
            assert_eq!(got, Some(ClipboardMessage::Text("local copy".into())));

            // The peer's text lands on the local clipboard and is not echoed back.
            let remote = ClipboardMessage::Text("remote text 远程".into());
            write_frame(&mut peer_send, &remote, MAX_CLIPBOARD_FRAME_BYTES)
                .await
                .expect("write");
            wait_xclip(display, "remote text 远程").await;
            // The UI's receiver saw the local copy, and nothing since.
            assert_eq!(
                events.try_next(),
                Some(ClipboardEvent::Changed("local copy".into()))
            );
            let echo = tokio::time::timeout(
                CLIPBOARD_POLL_INTERVAL * 3,
                read_frame::<ClipboardMessage, _>(&mut peer_recv, MAX_CLIPBOARD_FRAME_BYTES),
            )
            .await;
            assert!(echo.is_err(), "echoed: {echo:?}");

            // Too large from the peer: ignored, the clipboard keeps its text.
            let huge = ClipboardMessage::Text("z".repeat(MAX_CLIPBOARD_BYTES + 1));
            write_frame(&mut peer_send, &huge, MAX_CLIPBOARD_FRAME_BYTES)
                .await
                .expect("write");

            // The peer finishes its side: the sync ends cleanly.
            tokio::io::AsyncWriteExt::shutdown(&mut peer_send)
                .await
                .expect("shutdown");
            let result = tokio::time::timeout(WAIT, sync)
                .await
                .expect("sync ended")
                .expect("join");
            assert!(result.is_ok(), "{result:?}");
            assert_eq!(xclip_out(display), "remote text 远程");
        }

        /// [`sync_clipboard`] itself between two loopback QUIC endpoints.
        async fn sync_over_quic(display: &str) {
            use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

            use porpoise_protocol::framing::MAX_CLIPBOARD_FRAME_BYTES;
            use porpoise_quic::frame_io::{read_frame, write_frame};
            use porpoise_quic::tls::{client_config, server_config, Fingerprint};

            let made = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()])
                .expect("certificate");
            let cert = made.cert.der().to_vec();
            let pin = Fingerprint::of_der(&cert);
            let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(made.key_pair.serialize_der()));
            let any: std::net::SocketAddr = "127.0.0.1:0".parse().expect("addr");
            let server = quinn::Endpoint::server(
                server_config(CertificateDer::from(cert), key).expect("server config"),
                any,
            )
            .expect("server endpoint");
            let addr = server.local_addr().expect("local addr");
            let mut client = quinn::Endpoint::client(any).expect("client endpoint");
            client.set_default_client_config(client_config(pin).expect("client config").0);
            let accepted = tokio::spawn(async move {
                let conn = server
                    .accept()
                    .await
                    .expect("incoming")
                    .await
                    .expect("server handshake");
                let (send, recv) = conn.accept_bi().await.expect("stream");
                (server, conn, send, recv)
            });
            let conn = client
                .connect(addr, "localhost")
                .expect("connect")
                .await
                .expect("client handshake");
            let (mut peer_send, mut peer_recv) = conn.open_bi().await.expect("open stream");
            // A stream reaches the other side with its first bytes.
            let first = ClipboardMessage::Text("over quic".into());
            write_frame(&mut peer_send, &first, MAX_CLIPBOARD_FRAME_BYTES)
                .await
                .expect("write");
            let (_server, _conn, send, recv) = accepted.await.expect("accepted");
            let clipboard = LocalClipboard::new().expect("clipboard");
            let sync = tokio::spawn(sync_clipboard(send, recv, clipboard));
            wait_xclip(display, "over quic").await;

            xclip_in(display, "copied for the peer");
            let got = tokio::time::timeout(
                WAIT,
                read_frame::<ClipboardMessage, _>(&mut peer_recv, MAX_CLIPBOARD_FRAME_BYTES),
            )
            .await
            .expect("in time")
            .expect("frame");
            assert_eq!(
                got,
                Some(ClipboardMessage::Text("copied for the peer".into()))
            );

            // The peer finishes: the sync ends cleanly and finishes its side too.
            peer_send.finish().expect("finish");
            let result = tokio::time::timeout(WAIT, sync)
                .await
                .expect("sync ended")
                .expect("join");
            assert!(result.is_ok(), "{result:?}");
            let end = tokio::time::timeout(
                WAIT,
                read_frame::<ClipboardMessage, _>(&mut peer_recv, MAX_CLIPBOARD_FRAME_BYTES),
            )
            .await
            .expect("in time")
            .expect("clean end");
            assert_eq!(end, None);
            conn.close(0u32.into(), b"done");
        }
    }
}
