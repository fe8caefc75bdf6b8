//! Media streams of the network task: the customer's screen (decoded off the UI thread into a
//! [`ScreenFeed`]) and the agent's input stream while remote control is granted.

use porpoise_platform::clipboard::{sync_clipboard, LocalClipboard};
use porpoise_protocol::{
    input::InputEvent,
    wire::{MediaHeader, MediaKind, RemoteAction, SessionId},
};
use porpoise_quic::{
    client::MediaStream,
    screen::{stream_screen, view_screen_with, viewer_channel, InputSender, ViewerEvent},
};
use tokio::sync::mpsc;
use tracing::{debug, info, info_span, warn, Instrument};

use super::{Net, NetEvent, INPUT_CAPACITY};
use crate::screen::ScreenFeed;

impl Net {
    /// A media stream opened by the customer's side arrived.
    pub(super) fn on_media(&mut self, media: MediaStream) {
        if media.header.kind == MediaKind::File {
            return self.transfers.incoming(media);
        }
        let MediaStream { header, send, recv } = media;
        let session_id = header.session_id;
        if header.kind != MediaKind::Screen {
            warn!(%session_id, kind = ?header.kind, "unexpected media stream from the relay; ignored");
            return;
        }
        let (handle, control) = viewer_channel();
        let feed = ScreenFeed::with_handle(handle);
        let on_event = {
            let feed = feed.clone();
            let ctx = self.out.ctx.clone();
            move |event: ViewerEvent<'_>| {
                feed.push_event(event);
                ctx.request_repaint();
            }
        };
        let out = self.out.clone();
        let task = tokio::spawn(
            async move {
                info!("screen stream started");
                out.emit(NetEvent::ScreenStarted { session_id, feed }).await;
                let error = match view_screen_with(send, recv, control, on_event).await {
                    Ok(stats) => {
                        info!(
                            frames = stats.frames,
                            bytes = stats.bytes,
                            "screen stream ended"
                        );
                        None
                    }
                    Err(e) => {
                        warn!(error = %e, "screen stream failed");
                        Some(e.to_string())
                    }
                };
                out.emit(NetEvent::ScreenEnded { session_id, error }).await;
            }
            .instrument(info_span!("screen", %session_id)),
        );
        if let Some(previous) = self.screens.insert(session_id, task.abort_handle()) {
            previous.abort();
        }
    }

    /// Shows the agent's own screen to the customer of `session_id` (remote demo granted),
    /// unless already running.
    pub(super) fn open_demo(&mut self, session_id: SessionId) {
        self.open_outgoing(
            session_id,
            RemoteAction::RemoteDemo,
            |send, recv| async move {
                stream_screen(porpoise_platform::capture::make_capture, send, recv)
                    .await
                    .map(|stats| info!(frames = stats.frames, "remote demo ended"))
                    .map_err(|e| e.to_string())
            },
        );
    }

    /// Syncs the clipboard with the customer of `session_id` (clipboard sync and remote control
    /// granted), unless already running.
    pub(super) fn open_clipboard(&mut self, session_id: SessionId) {
        self.open_outgoing(
            session_id,
            RemoteAction::ClipboardSync,
            |send, recv| async move {
                let local = LocalClipboard::new().map_err(|e| e.to_string())?;
                sync_clipboard(send, recv, local)
                    .await
                    .map_err(|e| e.to_string())
            },
        );
    }

    /// Opens the media stream that `action` allows for `session_id` and runs `run` on it,
    /// unless one is running; a failure is reported as [`NetEvent::RequestFailed`].
    fn open_outgoing<F, Fut>(&mut self, session_id: SessionId, action: RemoteAction, run: F)
    where
        F: FnOnce(quinn::SendStream, quinn::RecvStream) -> Fut + Send + 'static,
        Fut: std::future::Future<Output = Result<(), String>> + Send,
    {
        let (kind, tasks) = match action {
            RemoteAction::RemoteDemo => (MediaKind::Demo, &mut self.demos),
            RemoteAction::ClipboardSync => (MediaKind::Clipboard, &mut self.clipboards),
            _ => return,
        };
        let Some(client) = self.client.clone() else {
            return;
        };
        if tasks.get(&session_id).is_some_and(|t| !t.is_finished()) {
            return;
        }
        let out = self.out.clone();
        let task = tokio::spawn(
            async move {
                let header = MediaHeader { session_id, kind };
                let result = match client.open_media(header).await {
                    Ok(MediaStream { send, recv, .. }) => run(send, recv).await,
                    Err(e) => Err(e.to_string()),
                };
                if let Err(error) = result {
                    warn!(%error, ?action, "media stream failed");
                    let error = porpoise_protocol::wire::ApiError::Disconnected;
                    let action = Some(action);
                    out.emit(NetEvent::RequestFailed {
                        session_id,
                        action,
                        error,
                    })
                    .await;
                }
            }
            .instrument(info_span!("media", %session_id, ?kind)),
        );
        tasks.insert(session_id, task.abort_handle());
    }

    /// Opens the input stream of `session_id` (remote control was granted) unless open.
    pub(super) fn open_input(&mut self, session_id: SessionId) {
        let Some(client) = self.client.clone() else {
            return;
        };
        if self
            .inputs
            .get(&session_id)
            .is_some_and(|tx| !tx.is_closed())
        {
            return;
        }
        let (tx, rx) = mpsc::channel(INPUT_CAPACITY);
        self.inputs.insert(session_id, tx);
        let out = self.out.clone();
        tokio::spawn(
            async move {
                let header = MediaHeader {
                    session_id,
                    kind: MediaKind::Input,
                };
                match client.open_media(header).await {
                    Ok(stream) => write_input(InputSender::new(stream.send), rx).await,
                    Err(e) => {
                        warn!(error = %e, "could not open the input stream");
                        let error = porpoise_protocol::wire::ApiError::Disconnected;
                        let action = Some(RemoteAction::RemoteControl);
                        out.emit(NetEvent::RequestFailed {
                            session_id,
                            action,
                            error,
                        })
                        .await;
                    }
                }
            }
            .instrument(info_span!("input", %session_id)),
        );
    }
}

/// Writes queued input events until the queue closes (control stopped) or the relay cuts the
/// stream.
async fn write_input(mut sender: InputSender, mut events: mpsc::Receiver<InputEvent>) {
    info!("input stream open");
    while let Some(event) = events.recv().await {
        if let Err(e) = sender.send(&event).await {
            debug!(error = %e, "input stream closed by the relay");
            return;
        }
    }
    sender.finish();
    info!("input stream finished");
}
