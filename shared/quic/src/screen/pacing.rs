//! Flow control, pacing and rate adaptation of a screen sender (sans-IO: times are passed in).
//!
//! - **Credits**: at most [`MAX_FRAMES_IN_FLIGHT`] frames are sent and not yet acknowledged.
//!   A frame is only captured when one may be sent, so a slow viewer or link makes the sender
//!   skip screen states, never queue them.
//! - **Frame interval**: starts at `1000 / max_fps` ms and never below
//!   [`ENCODE_DUTY_FACTOR`] × the measured encode time, so the encode thread leaves the
//!   customer's CPU some air.
//! - **Delay**: each acknowledgement gives a round-trip time; its excess over the smallest one
//!   seen is the queueing delay. Above [`CONGESTION_DELAY`] the congestion level rises (frame
//!   interval × 1.5, lower JPEG quality, see [`RateControl::quality`]); after
//!   [`RECOVERY_FRAMES`] calm acknowledgements it falls again.
//! - **Bandwidth cap**: with `max_kbps` set, the next frame waits until the bytes already sent fit
//!   the cap (a token bucket without burst), emulating a slow link.

use std::{
    collections::VecDeque,
    time::{Duration, Instant},
};

use porpoise_codec::{
    stream::{ImageQuality, StreamSettings, MAX_FPS},
    MAX_FRAMES_IN_FLIGHT,
};

/// Queueing delay above which the link counts as congested.
pub const CONGESTION_DELAY: Duration = Duration::from_millis(80);
/// Queueing delay below which an acknowledgement counts as calm.
pub const CALM_DELAY: Duration = Duration::from_millis(25);
/// Calm acknowledgements in a row before the congestion level falls by one.
pub const RECOVERY_FRAMES: u32 = 15;
/// Highest congestion level.
pub const MAX_CONGESTION: u8 = 3;
/// Longest frame interval the adaptation goes to (5 fps).
pub const MAX_FRAME_INTERVAL: Duration = Duration::from_millis(200);
/// The frame interval is at least this many times the average encode time.
pub const ENCODE_DUTY_FACTOR: f64 = 1.25;

/// Sender-side rate control of one screen stream.
#[derive(Debug)]
pub struct RateControl {
    settings: StreamSettings,
    /// Frames sent and not acknowledged: (seq, sent at).
    in_flight: VecDeque<(u64, Instant)>,
    last_frame: Option<Instant>,
    /// Earliest time the bandwidth cap allows the next frame.
    cap_ready: Option<Instant>,
    min_rtt: Option<Duration>,
    last_rtt: Option<Duration>,
    encode_avg: Option<Duration>,
    congestion: u8,
    calm: u32,
}

impl RateControl {
    /// Rate control with the viewer's `settings`.
    pub fn new(settings: StreamSettings) -> Self {
        Self {
            settings,
            in_flight: VecDeque::new(),
            last_frame: None,
            cap_ready: None,
            min_rtt: None,
            last_rtt: None,
            encode_avg: None,
            congestion: 0,
            calm: 0,
        }
    }

    /// Applies new settings from the viewer.
    pub fn set_settings(&mut self, settings: StreamSettings) {
        if settings.max_kbps == 0 {
            self.cap_ready = None;
        }
        self.settings = settings;
    }

    /// The settings in force.
    pub fn settings(&self) -> StreamSettings {
        self.settings
    }

    /// The frame interval in force now.
    pub fn interval(&self) -> Duration {
        let fps = self.settings.max_fps.clamp(1, MAX_FPS);
        let mut interval = Duration::from_secs_f64(1.0 / f64::from(fps));
        if let Some(encode) = self.encode_avg {
            interval = interval.max(encode.mul_f64(ENCODE_DUTY_FACTOR));
        }
        for _ in 0..self.congestion {
            interval = interval.mul_f64(1.5);
        }
        interval.min(MAX_FRAME_INTERVAL.max(Duration::from_secs_f64(1.0 / f64::from(fps))))
    }

    /// `None` if a frame may be captured now; otherwise how long to wait at most before asking
    /// again (an acknowledgement may come sooner: ask again then).
    pub fn wait_before_frame(&self, now: Instant) -> Option<Duration> {
        if self.in_flight.len() as u64 >= MAX_FRAMES_IN_FLIGHT {
            return Some(MAX_FRAME_INTERVAL);
        }
        let mut ready = now;
        if let Some(last) = self.last_frame {
            ready = ready.max(last + self.interval());
        }
        if let Some(cap) = self.cap_ready {
            ready = ready.max(cap);
        }
        (ready > now).then(|| ready - now)
    }

    /// Records a frame of `bytes` encoded bytes sent at `now` after `encode` time.
    pub fn on_sent(&mut self, seq: u64, bytes: usize, encode: Duration, now: Instant) {
        self.in_flight.push_back((seq, now));
        self.last_frame = Some(now);
        self.encode_avg = Some(match self.encode_avg {
            None => encode,
            Some(avg) => avg.mul_f64(0.8) + encode.mul_f64(0.2),
        });
        if self.settings.max_kbps > 0 {
            let bytes_per_s = f64::from(self.settings.max_kbps) * 1000.0 / 8.0;
            let cost = Duration::from_secs_f64(bytes as f64 / bytes_per_s);
            let from = self.cap_ready.map_or(now, |c| c.max(now));
            self.cap_ready = Some(from + cost);
        }
    }

    /// Records that the viewer acknowledged `seq` at `now`. Acks of unknown frames are ignored.
    pub fn on_ack(&mut self, seq: u64, now: Instant) {
        let Some(pos) = self.in_flight.iter().position(|(s, _)| *s == seq) else {
            return;
        };
        let (_, sent) = self.in_flight[pos];
        // Frames are acknowledged in order; anything older was lost with a reset.
        self.in_flight.drain(..=pos);
        let rtt = now.saturating_duration_since(sent);
        self.last_rtt = Some(rtt);
        let min = self.min_rtt.map_or(rtt, |m| m.min(rtt));
        self.min_rtt = Some(min);
        let queueing = rtt - min;
        if queueing > CONGESTION_DELAY {
            self.congestion = (self.congestion + 1).min(MAX_CONGESTION);
            self.calm = 0;
        } else if queueing < CALM_DELAY {
            self.calm += 1;
            if self.calm >= RECOVERY_FRAMES && self.congestion > 0 {
                self.congestion -= 1;
                self.calm = 0;
            }
        }
    }

    /// Frames sent and not yet acknowledged.
    pub fn in_flight(&self) -> usize {
        self.in_flight.len()
    }

    /// Congestion level, 0 (none) to [`MAX_CONGESTION`].
    pub fn congestion(&self) -> u8 {
        self.congestion
    }

    /// The last round-trip time measured (send → acknowledgement, including decode).
    pub fn last_rtt(&self) -> Option<Duration> {
        self.last_rtt
    }

    /// Image quality to encode with: the agent's choice, lowered under congestion (by 15 JPEG
    /// quality points per level, not below 25; [`ImageQuality::Low`] at the top level).
    pub fn quality(&self) -> ImageQuality {
        let chosen = self.settings.quality;
        match self.congestion {
            0 => chosen,
            MAX_CONGESTION => ImageQuality::Low,
            level => {
                let q = chosen.jpeg_quality().saturating_sub(15 * level).max(25);
                ImageQuality::Custom(q)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn credits_limit_frames_in_flight() {
        let t0 = Instant::now();
        let mut rc = RateControl::new(StreamSettings::default());
        assert_eq!(rc.wait_before_frame(t0), None);
        rc.on_sent(1, 1000, ms(1), t0);
        let t1 = t0 + ms(17);
        assert_eq!(rc.wait_before_frame(t1), None);
        rc.on_sent(2, 1000, ms(1), t1);
        let t2 = t1 + ms(17);
        assert!(rc.wait_before_frame(t2).is_some(), "two frames in flight");
        rc.on_ack(1, t2);
        assert_eq!(rc.wait_before_frame(t2), None);
    }

    #[test]
    fn frame_rate_follows_max_fps_and_encode_time() {
        let t0 = Instant::now();
        let mut rc = RateControl::new(StreamSettings::default());
        assert!(rc.interval() <= ms(17));
        rc.set_settings(StreamSettings {
            max_fps: 10,
            ..StreamSettings::default()
        });
        assert_eq!(rc.interval(), ms(100));
        rc.set_settings(StreamSettings::default());
        rc.on_sent(1, 10, ms(40), t0);
        assert_eq!(rc.interval(), ms(50), "1.25 × 40 ms encode time");
    }

    #[test]
    fn bandwidth_cap_spaces_frames_by_their_size() {
        let t0 = Instant::now();
        let mut rc = RateControl::new(StreamSettings {
            max_kbps: 800, // 100,000 bytes per second
            ..StreamSettings::default()
        });
        rc.on_sent(1, 50_000, ms(1), t0);
        rc.on_ack(1, t0 + ms(5));
        let wait = rc.wait_before_frame(t0 + ms(5)).expect("must wait");
        assert_eq!(wait, ms(495), "50 kB at 100 kB/s takes 500 ms");
        assert_eq!(rc.wait_before_frame(t0 + ms(500)), None);
    }

    #[test]
    fn queueing_delay_lowers_quality_and_rate_then_recovers() {
        let mut t = Instant::now();
        let mut rc = RateControl::new(StreamSettings::default());
        let mut seq = 0;
        let mut round = |rc: &mut RateControl, t: &mut Instant, rtt: u64| {
            seq += 1;
            rc.on_sent(seq, 10_000, ms(2), *t);
            *t += ms(rtt);
            rc.on_ack(seq, *t);
        };
        round(&mut rc, &mut t, 5);
        assert_eq!(rc.quality(), ImageQuality::Balanced);
        let calm_interval = rc.interval();
        round(&mut rc, &mut t, 300);
        assert_eq!(rc.congestion(), 1);
        assert_eq!(rc.quality(), ImageQuality::Custom(60));
        assert!(rc.interval() > calm_interval);
        round(&mut rc, &mut t, 300);
        round(&mut rc, &mut t, 300);
        round(&mut rc, &mut t, 300);
        assert_eq!(rc.congestion(), MAX_CONGESTION);
        assert_eq!(rc.quality(), ImageQuality::Low);
        for _ in 0..RECOVERY_FRAMES * u32::from(MAX_CONGESTION) {
            round(&mut rc, &mut t, 5);
        }
        assert_eq!(rc.congestion(), 0);
        assert_eq!(rc.quality(), ImageQuality::Balanced);
        assert_eq!(rc.interval(), calm_interval);
    }

    #[test]
    fn unknown_acks_are_ignored() {
        let t0 = Instant::now();
        let mut rc = RateControl::new(StreamSettings::default());
        rc.on_ack(42, t0);
        assert_eq!(rc.in_flight(), 0);
        assert_eq!(rc.last_rtt(), None);
    }
}
