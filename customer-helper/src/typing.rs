//! Throttle of the typing preview (R10), sans-IO: time is passed in.
//!
//! The UI reports every change of the chat box; the network task sends at most one
//! `TypingPreview` per [`TYPING_PREVIEW_INTERVAL_MS`] per connection. The newest text is always
//! sent in the end (trailing edge), so the agent never keeps seeing a stale text, and an empty
//! text (box cleared or message sent) clears the preview.

use std::time::{Duration, Instant};

use porpoise_protocol::wire::{SessionId, TYPING_PREVIEW_INTERVAL_MS};

/// Least time between two previews.
pub const TYPING_PREVIEW_INTERVAL: Duration = Duration::from_millis(TYPING_PREVIEW_INTERVAL_MS);

/// One preview to send: (session, text).
pub type Preview = (SessionId, String);

/// Decides when the typing preview is sent.
#[derive(Debug, Clone)]
pub struct TypingThrottle {
    interval: Duration,
    /// When the last preview was sent.
    last_sent_at: Option<Instant>,
    /// The last preview sent (to skip repeats).
    last_sent: Option<Preview>,
    /// The newest text not sent yet.
    pending: Option<Preview>,
}

impl Default for TypingThrottle {
    fn default() -> Self {
        Self::new(TYPING_PREVIEW_INTERVAL)
    }
}

impl TypingThrottle {
    /// A throttle sending at most once per `interval`.
    pub fn new(interval: Duration) -> Self {
        Self {
            interval,
            last_sent_at: None,
            last_sent: None,
            pending: None,
        }
    }

    /// The chat box of `session_id` now holds `text`. Returns the preview to send now, if the
    /// interval since the last one has passed; otherwise it is kept for [`Self::poll`].
    pub fn update(&mut self, now: Instant, session_id: SessionId, text: String) -> Option<Preview> {
        let preview = (session_id, text);
        if self.pending.is_none() && self.last_sent.as_ref() == Some(&preview) {
            return None;
        }
        self.pending = Some(preview);
        self.poll(now)
    }

    /// The pending preview, if it is due at `now`.
    pub fn poll(&mut self, now: Instant) -> Option<Preview> {
        self.pending.as_ref()?;
        if let Some(at) = self.last_sent_at {
            if now < at + self.interval {
                return None;
            }
        }
        let preview = self.pending.take()?;
        if self.last_sent.as_ref() == Some(&preview) {
            return None;
        }
        self.last_sent_at = Some(now);
        self.last_sent = Some(preview.clone());
        Some(preview)
    }

    /// When the pending preview is due (`None`: nothing pending). A change with nothing sent
    /// before is sent by [`Self::update`] at once, so a pending preview always has a deadline.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.pending.as_ref()?;
        self.last_sent_at.map(|at| at + self.interval)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    #[test]
    fn first_preview_goes_at_once_then_trailing_edge() {
        let t0 = Instant::now();
        let mut th = TypingThrottle::default();
        assert_eq!(
            th.update(t0, SessionId(1), "h".into()),
            Some((SessionId(1), "h".into()))
        );
        // Keystrokes within the interval are held; only the newest is kept.
        assert_eq!(th.update(t0 + 50 * MS, SessionId(1), "he".into()), None);
        assert_eq!(th.update(t0 + 120 * MS, SessionId(1), "hel".into()), None);
        assert_eq!(th.poll_timeout(), Some(t0 + 300 * MS));
        assert_eq!(th.poll(t0 + 299 * MS), None);
        assert_eq!(th.poll(t0 + 300 * MS), Some((SessionId(1), "hel".into())));
        assert_eq!(th.poll_timeout(), None);
        // Quiet for longer than the interval: the next change goes at once.
        assert_eq!(
            th.update(t0 + 700 * MS, SessionId(1), "hell".into()),
            Some((SessionId(1), "hell".into()))
        );
    }

    #[test]
    fn at_most_one_per_interval_under_fast_typing() {
        let t0 = Instant::now();
        let mut th = TypingThrottle::default();
        let mut sent = Vec::new();
        let mut text = String::new();
        // A keystroke every 20 ms for 2 s, polling every 10 ms as a timer would.
        for tick in 0..=200u32 {
            let now = t0 + 10 * tick * MS;
            if tick % 2 == 0 {
                text.push('x');
                sent.extend(th.update(now, SessionId(9), text.clone()).map(|p| (now, p)));
            }
            sent.extend(th.poll(now).map(|p| (now, p)));
        }
        let end = t0 + 3000 * MS;
        sent.extend(th.poll(end).map(|p| (end, p)));
        for pair in sent.windows(2) {
            assert!(pair[1].0 - pair[0].0 >= TYPING_PREVIEW_INTERVAL, "{pair:?}");
        }
        assert!(sent.len() <= 8, "{} previews in 2 s", sent.len());
        assert_eq!(
            sent.last().map(|(_, p)| p.1.len()),
            Some(101),
            "newest text last"
        );
    }

    #[test]
    fn cleared_text_is_sent_and_repeats_are_skipped() {
        let t0 = Instant::now();
        let mut th = TypingThrottle::default();
        assert!(th.update(t0, SessionId(1), "hi".into()).is_some());
        assert_eq!(th.update(t0 + 10 * MS, SessionId(1), String::new()), None);
        assert_eq!(th.poll(t0 + 300 * MS), Some((SessionId(1), String::new())));
        // The same empty text again is not resent.
        assert_eq!(th.update(t0 + 900 * MS, SessionId(1), String::new()), None);
        assert_eq!(th.poll_timeout(), None);
        // Typed and deleted within one interval: back to what the agent already sees.
        assert!(th
            .update(t0 + 1000 * MS, SessionId(1), "a".into())
            .is_some());
        assert_eq!(th.update(t0 + 1010 * MS, SessionId(1), "ab".into()), None);
        assert_eq!(th.update(t0 + 1020 * MS, SessionId(1), "a".into()), None);
        assert_eq!(th.poll(t0 + 1300 * MS), None);
        assert_eq!(th.poll_timeout(), None);
    }
}
