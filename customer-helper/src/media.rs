//! Screen sharing and input injection on the network side, gated by consent.
//!
//! Defence in depth: the relay forwards media only after consent, and this side keeps its own
//! [`Gate`] — a mirror of the relay's `ActionChanged` events on this connection. The screen is
//! captured only while the UI asked for it *and* the gate holds a granted action; agent input
//! is injected only while the UI asked for remote control *and* the gate holds it. A revoke,
//! a stop, the session's end or a lost connection stops capture and injection at once, without
//! waiting for the UI thread.

use std::{collections::BTreeSet, io, sync::Arc, time::Duration};

use porpoise_codec::CapturedFrame;
use porpoise_platform::clipboard::{sync_clipboard, LocalClipboard};
use porpoise_protocol::wire::{
    ActionState, Event, MediaHeader, MediaKind, RemoteAction, SessionId,
};
use porpoise_quic::{
    client::{Client, MediaStream},
    screen::{
        read_input, stream_screen, view_screen_with, viewer_channel, ScreenSource, ViewerEvent,
    },
};
use porpoise_ui::screen_view::ScreenFeed;
use tokio::{sync::watch, task::AbortHandle};
use tracing::{debug, info, warn};

use crate::{
    capture::{make_capture, screen_geometry, ScreenGeometry, SharedGeometry},
    input::{EnigoInjector, InjectorFactory, InjectorThread, InputInjector},
    net::{EventSink, NetEvent},
};

/// How long an input stream may wait for the grant to be seen here. The relay's grant event and
/// the forwarded input stream travel on different QUIC streams and may arrive in either order.
pub const INPUT_GRANT_WAIT: Duration = Duration::from_secs(3);

/// Makes a screen source on the capture thread.
pub type SourceFactory = Arc<dyn Fn() -> io::Result<Box<dyn ScreenSource>> + Send + Sync>;

/// The platform pieces the network side uses: screen capture and input injection. Tests pass
/// synthetic ones.
#[derive(Clone)]
pub struct Platform {
    /// Makes the screen source (called on the capture thread each time sharing starts).
    pub screen: SourceFactory,
    /// Makes the input injector (called on the injection thread each time control starts).
    pub injector: InjectorFactory,
}

impl std::fmt::Debug for Platform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Platform").finish_non_exhaustive()
    }
}

impl Platform {
    /// The real desktop: [`crate::capture::ScreenCapture`] and [`EnigoInjector`].
    ///
    /// The capture publishes the monitor it captures and the injector follows it, so input
    /// lands on the monitor the agent picked.
    pub fn native() -> Self {
        let shared: SharedGeometry = Arc::new(std::sync::Mutex::new(ScreenGeometry {
            x: 0,
            y: 0,
            width: 0,
            height: 0,
        }));
        let for_capture = shared.clone();
        Self {
            screen: Arc::new(move || {
                make_capture().map(|mut c| {
                    c.share_geometry(for_capture.clone());
                    Box::new(c) as Box<dyn ScreenSource>
                })
            }),
            injector: Arc::new(move || {
                let unset = shared.lock().map_or(true, |g| g.width == 0);
                if unset {
                    // Control without a running capture: the primary monitor.
                    let primary = screen_geometry()
                        .map_err(|e| crate::input::InjectError::Unavailable(e.to_string()))?;
                    if let Ok(mut g) = shared.lock() {
                        *g = primary;
                    }
                }
                EnigoInjector::following(shared.clone())
                    .map(|i| Box::new(i) as Box<dyn InputInjector>)
            }),
        }
    }
}

struct BoxedSource(Box<dyn ScreenSource>);

impl ScreenSource for BoxedSource {
    fn capture(&mut self, f: &mut dyn FnMut(CapturedFrame<'_>)) -> io::Result<()> {
        self.0.capture(f)
    }

    fn wait_for_change(&mut self, timeout: Duration) -> bool {
        self.0.wait_for_change(timeout)
    }

    fn monitors(&mut self) -> Vec<porpoise_codec::stream::MonitorInfo> {
        self.0.monitors()
    }

    fn select_monitor(&mut self, index: u32) -> io::Result<()> {
        self.0.select_monitor(index)
    }

    fn cursor(&mut self) -> Option<porpoise_codec::stream::CursorUpdate> {
        self.0.cursor()
    }
}

/// The relay's grants on this connection, as seen in its events.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct Gate {
    session: Option<SessionId>,
    granted: BTreeSet<RemoteAction>,
}

impl Gate {
    fn allows(&self, session_id: SessionId, action: RemoteAction) -> bool {
        self.session == Some(session_id) && self.granted.contains(&action)
    }

    fn allows_screen(&self, session_id: SessionId) -> bool {
        self.session == Some(session_id)
            && (self.granted.contains(&RemoteAction::ViewDesktop)
                || self.granted.contains(&RemoteAction::RemoteControl))
    }
}

/// Media of one connection. Dropping it does not stop tasks: call [`Media::stop_all`].
pub(crate) struct Media {
    platform: Platform,
    client: Client,
    sink: EventSink,
    gate: Gate,
    screen: Option<(SessionId, AbortHandle)>,
    /// The agent's screen being shown (remote demo).
    demo: Option<(SessionId, AbortHandle)>,
    /// Clipboard sync with the agent.
    clipboard: Option<(SessionId, AbortHandle)>,
    /// Demo and clipboard streams that arrived before their grant.
    pending: Vec<(std::time::Instant, MediaStream)>,
    /// `Some(session)` while agent input for that session may be injected.
    control: watch::Sender<Option<SessionId>>,
}

impl Media {
    pub(crate) fn new(platform: Platform, client: Client, sink: EventSink) -> Self {
        Self {
            platform,
            client,
            sink,
            gate: Gate::default(),
            screen: None,
            demo: None,
            clipboard: None,
            pending: Vec::new(),
            control: watch::Sender::new(None),
        }
    }

    /// Updates the gate from a relay event and enforces it.
    pub(crate) fn observe(&mut self, event: &Event) {
        match event {
            Event::SessionStarted(info) if self.gate.session != Some(info.session_id) => {
                self.switch_session(info.session_id);
            }
            Event::ActionChanged {
                session_id,
                action,
                state,
                ..
            } => {
                if self.gate.session != Some(*session_id) {
                    self.switch_session(*session_id);
                }
                if *state == ActionState::Granted {
                    self.gate.granted.insert(*action);
                } else {
                    self.gate.granted.remove(action);
                    self.enforce();
                }
                self.start_pending();
            }
            Event::SessionEnded { session_id, .. } if self.gate.session == Some(*session_id) => {
                self.stop_all();
            }
            _ => {}
        }
    }

    /// True if the relay's events on this connection say `action` is granted in `session_id`.
    pub(crate) fn allows(&self, session_id: SessionId, action: RemoteAction) -> bool {
        self.gate.allows(session_id, action)
    }

    /// Starts (or narrows) sharing as the UI asked, if the gate agrees.
    pub(crate) fn start(&mut self, session_id: SessionId, action: RemoteAction) {
        if !self.gate.allows(session_id, action) {
            warn!(
                %session_id,
                ?action,
                "sharing asked for but not granted by the relay; ignored"
            );
            return;
        }
        let control = (action == RemoteAction::RemoteControl).then_some(session_id);
        self.control.send_replace(control);
        let running =
            matches!(&self.screen, Some((id, h)) if *id == session_id && !h.is_finished());
        if !running {
            self.stop_screen();
            self.screen = Some((session_id, self.spawn_screen(session_id)));
        }
    }

    /// Stops everything of `session_id` now; a new grant is needed to start again.
    pub(crate) fn stop(&mut self, session_id: SessionId) {
        if self.gate.session == Some(session_id) {
            self.gate.granted.clear();
        }
        self.enforce();
    }

    /// Stops everything of the previous session and follows `session_id`; streams of
    /// `session_id` already parked for their grant stay parked (the relay may forward a stream
    /// before this connection has seen the session's first event).
    fn switch_session(&mut self, session_id: SessionId) {
        let (keep, others): (Vec<_>, Vec<_>) = std::mem::take(&mut self.pending)
            .into_iter()
            .partition(|(_, s)| s.header.session_id == session_id);
        self.pending = others;
        self.stop_all();
        self.pending = keep;
        self.gate.session = Some(session_id);
    }

    /// Stops all capture and injection and forgets the grants.
    pub(crate) fn stop_all(&mut self) {
        self.gate = Gate::default();
        self.control.send_replace(None);
        self.stop_screen();
        self.stop_demo();
        self.stop_clipboard();
        for (_, stream) in self.pending.drain(..) {
            close(stream);
        }
    }

    /// Starts parked demo and clipboard streams whose grant has arrived; drops those that
    /// waited longer than [`INPUT_GRANT_WAIT`].
    fn start_pending(&mut self) {
        for (since, stream) in std::mem::take(&mut self.pending) {
            let session_id = stream.header.session_id;
            let action = match stream.header.kind {
                MediaKind::Demo => RemoteAction::RemoteDemo,
                _ => RemoteAction::ClipboardSync,
            };
            if !self.gate.allows(session_id, action) {
                if since.elapsed() < INPUT_GRANT_WAIT {
                    self.pending.push((since, stream));
                } else {
                    warn!(%session_id, ?action, "media stream without consent; refused");
                    close(stream);
                }
                continue;
            }
            if action == RemoteAction::RemoteDemo {
                let task = tokio::spawn(run_demo(stream, self.sink.clone()));
                if let Some((_, old)) = self.demo.replace((session_id, task.abort_handle())) {
                    old.abort();
                }
            } else {
                let control = self.control.subscribe();
                let task = tokio::spawn(run_clipboard(stream, control));
                if let Some((_, old)) = self.clipboard.replace((session_id, task.abort_handle())) {
                    old.abort();
                }
            }
        }
    }

    fn stop_demo(&mut self) {
        if let Some((session_id, task)) = self.demo.take() {
            info!(%session_id, "remote demo stops");
            task.abort();
            let sink = self.sink.clone();
            tokio::spawn(async move {
                sink.emit(NetEvent::DemoEnded {
                    session_id,
                    error: None,
                })
                .await;
            });
        }
    }

    fn stop_clipboard(&mut self) {
        if let Some((session_id, task)) = self.clipboard.take() {
            info!(%session_id, "clipboard sync stops");
            task.abort();
        }
    }

    fn enforce(&mut self) {
        let control_ok = match *self.control.borrow() {
            Some(id) => self.gate.allows(id, RemoteAction::RemoteControl),
            None => true,
        };
        if !control_ok {
            self.control.send_replace(None);
        }
        if let Some((id, _)) = &self.screen {
            if !self.gate.allows_screen(*id) {
                self.stop_screen();
            }
        }
        if let Some((id, _)) = &self.demo {
            if !self.gate.allows(*id, RemoteAction::RemoteDemo) {
                self.stop_demo();
            }
        }
        if let Some((id, _)) = &self.clipboard {
            if !self.gate.allows(*id, RemoteAction::ClipboardSync)
                || !self.gate.allows(*id, RemoteAction::RemoteControl)
            {
                self.stop_clipboard();
            }
        }
    }

    fn stop_screen(&mut self) {
        if let Some((session_id, handle)) = self.screen.take() {
            info!(%session_id, "screen sharing stops");
            handle.abort();
        }
    }

    fn spawn_screen(&self, session_id: SessionId) -> AbortHandle {
        info!(%session_id, "screen sharing starts");
        let (client, sink, factory) = (
            self.client.clone(),
            self.sink.clone(),
            self.platform.screen.clone(),
        );
        tokio::spawn(async move {
            let header = MediaHeader {
                session_id,
                kind: MediaKind::Screen,
            };
            let result = match client.open_media(header).await {
                Ok(MediaStream { send, recv, .. }) => {
                    let make = move || factory().map(BoxedSource);
                    stream_screen(make, send, recv)
                        .await
                        .map(|stats| debug!(?stats, "screen stream ended"))
                        .map_err(|e| e.to_string())
                }
                Err(e) => Err(e.to_string()),
            };
            if let Err(e) = &result {
                warn!(%session_id, error = %e, "screen sharing failed");
            }
            sink.emit(NetEvent::MediaEnded {
                session_id,
                kind: MediaKind::Screen,
                error: result.err(),
            })
            .await;
        })
        .abort_handle()
    }

    /// Handles a media stream the relay forwarded from the agent.
    pub(crate) fn incoming(&mut self, stream: MediaStream) {
        match stream.header.kind {
            MediaKind::Input => {
                let control = self.control.subscribe();
                tokio::spawn(run_input(
                    stream,
                    control,
                    self.platform.injector.clone(),
                    self.sink.clone(),
                ));
            }
            MediaKind::Demo | MediaKind::Clipboard => {
                // The grant event and the stream may arrive in either order.
                self.pending.push((std::time::Instant::now(), stream));
                self.start_pending();
            }
            MediaKind::Screen => {
                warn!(?stream.header, "the agent opened a screen stream; refused");
                close(stream);
            }
            MediaKind::File => {
                // The network task hands file streams to `porpoise_quic::transfers`.
                warn!(?stream.header, "file stream reached the screen/input gate; refused");
                close(stream);
            }
        }
    }
}

fn close(mut stream: MediaStream) {
    let _ = stream.recv.stop(0u32.into());
    let _ = stream.send.reset(0u32.into());
}

/// Shows the agent's screen of one demo stream until it ends.
async fn run_demo(stream: MediaStream, sink: EventSink) {
    let session_id = stream.header.session_id;
    let (handle, control) = viewer_channel();
    let feed = ScreenFeed::with_handle(handle);
    sink.emit(NetEvent::DemoStarted {
        session_id,
        feed: feed.clone(),
    })
    .await;
    info!(%session_id, "remote demo starts");
    let on_event = move |event: ViewerEvent<'_>| feed.push_event(event);
    let error = view_screen_with(stream.send, stream.recv, control, on_event)
        .await
        .err()
        .map(|e| e.to_string());
    if let Some(e) = &error {
        warn!(%session_id, error = %e, "remote demo stream failed");
    }
    sink.emit(NetEvent::DemoEnded { session_id, error }).await;
}

/// Waits at most [`INPUT_GRANT_WAIT`] for remote control of `session_id` to be granted here
/// (the grant event and a stream may arrive in either order); true if it is.
async fn control_granted(
    control: &mut watch::Receiver<Option<SessionId>>,
    session_id: SessionId,
) -> bool {
    tokio::time::timeout(
        INPUT_GRANT_WAIT,
        control.wait_for(|c| *c == Some(session_id)),
    )
    .await
    .is_ok_and(|r| r.is_ok())
}

/// Syncs the clipboard on one clipboard stream while remote control of its session is on.
async fn run_clipboard(stream: MediaStream, mut control: watch::Receiver<Option<SessionId>>) {
    let session_id = stream.header.session_id;
    if !control_granted(&mut control, session_id).await {
        warn!(
            %session_id,
            "clipboard stream without remote control; dropped"
        );
        close(stream);
        return;
    }
    let local = match LocalClipboard::new() {
        Ok(local) => local,
        Err(e) => {
            warn!(%session_id, error = %e, "no clipboard");
            close(stream);
            return;
        }
    };
    info!(%session_id, "clipboard sync starts");
    tokio::select! {
        r = sync_clipboard(stream.send, stream.recv, local) => {
            if let Err(e) = r {
                debug!(%session_id, error = %e, "clipboard sync ended");
            }
        }
        _ = control.wait_for(|c| *c != Some(session_id)) => {}
    }
    info!(%session_id, "clipboard sync stops");
}

/// Injects the events of one input stream while control of its session is allowed.
async fn run_input(
    mut stream: MediaStream,
    mut control: watch::Receiver<Option<SessionId>>,
    factory: InjectorFactory,
    sink: EventSink,
) {
    let session_id = stream.header.session_id;
    if !control_granted(&mut control, session_id).await {
        warn!(
            %session_id,
            "input stream without remote-control consent; dropped"
        );
        close(stream);
        return;
    }
    let injector = match InjectorThread::spawn(factory).await {
        Ok(i) => i,
        Err(e) => {
            warn!(%session_id, error = %e, "cannot inject input");
            close(stream);
            sink.emit(NetEvent::MediaEnded {
                session_id,
                kind: MediaKind::Input,
                error: Some(e.to_string()),
            })
            .await;
            return;
        }
    };
    info!(%session_id, "remote control starts");
    loop {
        tokio::select! {
            read = read_input(&mut stream.recv) => match read {
                Ok(Some(event)) => {
                    if *control.borrow() != Some(session_id) || injector.send(event).await.is_err() {
                        break;
                    }
                }
                Ok(None) => break,
                Err(e) => {
                    debug!(%session_id, error = %e, "input stream ended");
                    break;
                }
            },
            changed = control.changed() => {
                if changed.is_err() || *control.borrow() != Some(session_id) {
                    break;
                }
            }
        }
    }
    info!(%session_id, "remote control stops");
    injector.stop();
    close(stream);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gate_needs_the_same_session_and_a_grant() {
        let mut gate = Gate::default();
        assert!(!gate.allows_screen(SessionId(1)));
        gate.session = Some(SessionId(1));
        gate.granted.insert(RemoteAction::ViewDesktop);
        assert!(gate.allows_screen(SessionId(1)));
        assert!(!gate.allows_screen(SessionId(2)));
        assert!(gate.allows(SessionId(1), RemoteAction::ViewDesktop));
        assert!(!gate.allows(SessionId(1), RemoteAction::RemoteControl));
    }
}
