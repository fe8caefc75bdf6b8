//! The sending half of a screen stream: capture + encode on a dedicated thread, paced by
//! [`RateControl`].

use std::{
    sync::mpsc as std_mpsc,
    time::{Duration, Instant},
};

use tokio::sync::mpsc;
use tracing::{debug, trace, warn};

use super::{pacing::RateControl, ScreenError, ScreenSource, ScreenStats};
use crate::frame_io::read_frame;
use porpoise_codec::{
    stream::{ScreenMessage, StreamSettings, SCALE_PERCENTS},
    {CodecError, ScreenEncoder, VideoFrame},
};
use porpoise_protocol::framing::{FrameError, MAX_SCREEN_FRAME_BYTES};

/// How often the encode thread looks at the pointer and the viewer's messages while it waits for
/// the screen to change (≈ 120 Hz).
pub const CURSOR_POLL_INTERVAL: Duration = Duration::from_millis(8);

/// How often the sender compares the monitor list with the last one sent (monitors plugged in
/// or out, resolution changes).
pub const MONITORS_RECHECK_INTERVAL: Duration = Duration::from_secs(2);

/// What the async side tells the encode thread.
#[derive(Debug)]
enum Control {
    Ack { seq: u64, at: Instant },
    Settings(StreamSettings),
    Still(u32),
}

/// A serialized message for the stream, with what the counters need.
#[derive(Debug)]
struct Outgoing {
    bytes: Vec<u8>,
    frame: Option<bool>,
}

/// Streams the screen from the source made by `make_source` (called on the encode thread) on a
/// screen (or demo) media stream until the stream is closed (the viewer stopped, the customer
/// revoked, the relay cut it) or capture fails.
///
/// Returns the counters on a clean end. Errors: [`ScreenError::Capture`] (also when
/// `make_source` fails), [`ScreenError::Protocol`] when the viewer sends a frame, or a stream
/// error other than a close by the peer.
pub async fn stream_screen<M, S>(
    make_source: M,
    mut send: quinn::SendStream,
    mut recv: quinn::RecvStream,
) -> Result<ScreenStats, ScreenError>
where
    M: FnOnce() -> std::io::Result<S> + Send + 'static,
    S: ScreenSource,
{
    let (control_tx, control_rx) = std_mpsc::channel::<Control>();
    let (out_tx, mut out_rx) = mpsc::channel::<Result<Outgoing, ScreenError>>(8);
    std::thread::Builder::new()
        .name("screen-encode".into())
        .spawn(move || match make_source() {
            Ok(source) => EncodeLoop::new(source, control_rx, out_tx).run(),
            Err(e) => {
                let _ = out_tx.blocking_send(Err(ScreenError::Capture(e)));
            }
        })
        .map_err(ScreenError::Capture)?;
    let mut stats = ScreenStats::default();
    let viewer = async move {
        loop {
            let msg = read_frame::<ScreenMessage, _>(&mut recv, MAX_SCREEN_FRAME_BYTES).await?;
            let control = match msg {
                Some(ScreenMessage::Ack { seq, decode_us }) => {
                    trace!(seq, decode_us, "screen ack");
                    Control::Ack {
                        seq,
                        at: Instant::now(),
                    }
                }
                Some(ScreenMessage::Settings(s)) => {
                    debug!(?s, "viewer settings");
                    Control::Settings(s)
                }
                Some(ScreenMessage::StillRequest { id }) => Control::Still(id),
                Some(other) => {
                    return Err(ScreenError::Protocol(format!(
                        "the viewer sent a sender's message: {}",
                        message_name(&other)
                    )))
                }
                None => return Ok::<(), ScreenError>(()),
            };
            if control_tx.send(control).is_err() {
                return Ok(());
            }
        }
    };
    let frames = async {
        while let Some(item) = out_rx.recv().await {
            let out = item?;
            send_raw_frame(&mut send, &out.bytes).await?;
            match out.frame {
                Some(key) => {
                    stats.frames += 1;
                    stats.bytes += out.bytes.len() as u64;
                    stats.key_frames += u64::from(key);
                }
                None => stats.other_messages += 1,
            }
        }
        Ok::<(), ScreenError>(())
    };
    let outcome = tokio::select! {
        r = viewer => r,
        r = frames => r,
    };
    let _ = send.finish();
    match outcome {
        Ok(()) => Ok(stats),
        Err(ScreenError::Frame(FrameError::Io(e))) => {
            debug!(error = %e, "screen stream closed by peer");
            Ok(stats)
        }
        Err(e) => Err(e),
    }
}

/// Short name of a message for errors and logs.
pub(super) fn message_name(m: &ScreenMessage) -> &'static str {
    match m {
        ScreenMessage::Frame(_) => "Frame",
        ScreenMessage::Ack { .. } => "Ack",
        ScreenMessage::Settings(_) => "Settings",
        ScreenMessage::Cursor(_) => "Cursor",
        ScreenMessage::Monitors(_) => "Monitors",
        ScreenMessage::StillRequest { .. } => "StillRequest",
        ScreenMessage::Still { .. } => "Still",
    }
}

async fn send_raw_frame(send: &mut quinn::SendStream, payload: &[u8]) -> Result<(), FrameError> {
    let len = u32::try_from(payload.len())
        .ok()
        .filter(|l| (*l as usize) <= MAX_SCREEN_FRAME_BYTES)
        .ok_or(FrameError::TooLarge {
            len: payload.len(),
            max: MAX_SCREEN_FRAME_BYTES,
        })?;
    send.write_all(&len.to_le_bytes())
        .await
        .map_err(std::io::Error::from)?;
    send.write_all(payload)
        .await
        .map_err(std::io::Error::from)?;
    Ok(())
}

/// Rounds a requested scale to the nearest of [`SCALE_PERCENTS`].
fn nearest_scale(percent: u8) -> u8 {
    SCALE_PERCENTS
        .into_iter()
        .min_by_key(|s| s.abs_diff(percent))
        .unwrap_or(100)
}

struct EncodeLoop<S> {
    source: S,
    control: std_mpsc::Receiver<Control>,
    out: mpsc::Sender<Result<Outgoing, ScreenError>>,
    encoder: ScreenEncoder,
    rate: RateControl,
    start: Instant,
    force_key: bool,
    /// A change was seen but no frame could be sent yet.
    dirty: bool,
    applied: Option<(porpoise_codec::stream::ImageQuality, u8)>,
    /// The monitor list last sent, and when it was last compared with the source's.
    monitors_sent: Vec<porpoise_codec::stream::MonitorInfo>,
    monitors_checked: Instant,
}

/// Why the encode loop stops.
enum Stop {
    /// The stream or the viewer is gone: a clean end.
    Closed,
}

impl<S: ScreenSource> EncodeLoop<S> {
    fn new(
        source: S,
        control: std_mpsc::Receiver<Control>,
        out: mpsc::Sender<Result<Outgoing, ScreenError>>,
    ) -> Self {
        Self {
            source,
            control,
            out,
            encoder: ScreenEncoder::new(),
            rate: RateControl::new(StreamSettings::default()),
            start: Instant::now(),
            force_key: false,
            dirty: true,
            applied: None,
            monitors_sent: Vec::new(),
            monitors_checked: Instant::now(),
        }
    }

    fn run(mut self) {
        if let Err(Stop::Closed) = self.body() {
            debug!("screen encode loop ends");
        }
    }

    fn body(&mut self) -> Result<(), Stop> {
        self.send_monitors()?;
        loop {
            loop {
                match self.control.try_recv() {
                    Ok(c) => self.apply(c)?,
                    Err(std_mpsc::TryRecvError::Empty) => break,
                    Err(std_mpsc::TryRecvError::Disconnected) => return Err(Stop::Closed),
                }
            }
            if self.out.is_closed() {
                return Err(Stop::Closed);
            }
            if self.monitors_checked.elapsed() >= MONITORS_RECHECK_INTERVAL {
                self.send_monitors()?;
            }
            if let Some(cursor) = self.source.cursor() {
                self.emit(ScreenMessage::Cursor(cursor), None)?;
            }
            if let Some(wait) = self.rate.wait_before_frame(Instant::now()) {
                // Keep an eye on changes meanwhile, so the frame goes out as soon as it may.
                if !self.dirty {
                    self.dirty = self.source.wait_for_change(Duration::ZERO);
                }
                match self.control.recv_timeout(wait.min(CURSOR_POLL_INTERVAL)) {
                    Ok(c) => self.apply(c)?,
                    Err(std_mpsc::RecvTimeoutError::Timeout) => {}
                    Err(std_mpsc::RecvTimeoutError::Disconnected) => return Err(Stop::Closed),
                }
                continue;
            }
            if !self.dirty && !self.force_key {
                self.dirty = self.source.wait_for_change(CURSOR_POLL_INTERVAL);
                if !self.dirty {
                    continue;
                }
            }
            self.frame()?;
        }
    }

    fn apply(&mut self, control: Control) -> Result<(), Stop> {
        match control {
            Control::Ack { seq, at } => self.rate.on_ack(seq, at),
            Control::Settings(mut s) => {
                s.scale_percent = nearest_scale(s.scale_percent);
                let old = self.rate.settings();
                if s.monitor != old.monitor {
                    match self.source.select_monitor(s.monitor) {
                        Ok(()) => {
                            self.force_key = true;
                            self.dirty = true;
                        }
                        Err(e) => {
                            warn!(monitor = s.monitor, error = %e, "monitor not selected");
                            s.monitor = old.monitor;
                        }
                    }
                }
                self.rate.set_settings(s);
                self.dirty = true;
            }
            Control::Still(id) => self.still(id)?,
        }
        Ok(())
    }

    /// Sends the monitor list if it differs from the last one sent.
    fn send_monitors(&mut self) -> Result<(), Stop> {
        self.monitors_checked = Instant::now();
        let monitors = self.source.monitors();
        if monitors.is_empty() || monitors == self.monitors_sent {
            return Ok(());
        }
        self.monitors_sent = monitors.clone();
        self.emit(ScreenMessage::Monitors(monitors), None)
    }

    /// Serializes and hands `msg` to the async side; `frame` is `Some(key)` for frames.
    fn emit(&mut self, msg: ScreenMessage, frame: Option<bool>) -> Result<(), Stop> {
        let item = postcard::to_allocvec(&msg)
            .map(|bytes| Outgoing { bytes, frame })
            .map_err(ScreenError::from);
        let failed = item.is_err();
        if self.out.blocking_send(item).is_err() || failed {
            return Err(Stop::Closed);
        }
        Ok(())
    }

    fn fail(&mut self, e: ScreenError) -> Stop {
        let _ = self.out.blocking_send(Err(e));
        Stop::Closed
    }

    fn frame(&mut self) -> Result<(), Stop> {
        let quality = self.rate.quality();
        let scale = self.rate.settings().scale_percent;
        if self.applied != Some((quality, scale)) {
            self.encoder.set_settings(quality, scale);
            self.applied = Some((quality, scale));
        }
        let pts = self.start.elapsed().as_millis() as u64;
        let began = Instant::now();
        let force_key = std::mem::take(&mut self.force_key);
        let mut encoded: Option<Result<Option<VideoFrame>, CodecError>> = None;
        let encoder = &mut self.encoder;
        let captured = self
            .source
            .capture(&mut |frame| encoded = Some(encoder.encode(frame, pts, force_key)));
        let frame = match (captured, encoded) {
            (Err(e), _) => return Err(self.fail(ScreenError::Capture(e))),
            (Ok(()), None) | (Ok(()), Some(Ok(None))) => {
                // Nothing new on the screen after all.
                self.force_key |= force_key;
                self.dirty = false;
                return Ok(());
            }
            (Ok(()), Some(Err(e))) => return Err(self.fail(e.into())),
            (Ok(()), Some(Ok(Some(frame)))) => frame,
        };
        self.dirty = false;
        let (seq, key) = (frame.seq, frame.key);
        let bytes =
            postcard::to_allocvec(&ScreenMessage::Frame(frame)).map_err(|e| self.fail(e.into()))?;
        let size = bytes.len();
        let encode = began.elapsed();
        if self
            .out
            .blocking_send(Ok(Outgoing {
                bytes,
                frame: Some(key),
            }))
            .is_err()
        {
            return Err(Stop::Closed);
        }
        self.rate.on_sent(seq, size, encode, Instant::now());
        Ok(())
    }

    fn still(&mut self, id: u32) -> Result<(), Stop> {
        let pts = self.start.elapsed().as_millis() as u64;
        let mut encoded: Option<Result<VideoFrame, CodecError>> = None;
        let encoder = &mut self.encoder;
        let captured = self
            .source
            .capture(&mut |frame| encoded = Some(encoder.encode_still(frame, pts)));
        match (captured, encoded) {
            (Err(e), _) => Err(self.fail(ScreenError::Capture(e))),
            (Ok(()), Some(Ok(frame))) => self.emit(ScreenMessage::Still { id, frame }, None),
            (Ok(()), Some(Err(e))) => Err(self.fail(e.into())),
            (Ok(()), None) => {
                warn!(id, "no image for the still: the capture had nothing new");
                Ok(())
            }
        }
    }
}
