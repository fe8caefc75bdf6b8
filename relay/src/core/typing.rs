//! Typing preview throttle (R10): the customer's unsent text reaches the agent at most once per
//! [`TYPING_PREVIEW_INTERVAL_MS`] per session. Extra previews inside the interval are not
//! dropped blindly: the newest one waits for a trailing-edge deadline, so the agent always ends
//! up seeing the text the customer stopped at. Previews are never stored.

use std::time::{Duration, Instant};

use porpoise_protocol::wire::TYPING_PREVIEW_INTERVAL_MS;

/// Least time between two previews delivered to the agent of one session.
pub const TYPING_PREVIEW_INTERVAL: Duration = Duration::from_millis(TYPING_PREVIEW_INTERVAL_MS);

/// What to do with a preview that just arrived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PreviewStep {
    /// Deliver this text now.
    Deliver(String),
    /// Held until the trailing-edge deadline (a newer preview replaces it).
    Held,
}

/// Throttle state of one session.
#[derive(Debug, Clone, Default)]
pub struct PreviewThrottle {
    /// When the last preview was delivered.
    last_sent: Option<Instant>,
    /// The newest text held back, with when it may be delivered.
    held: Option<(Instant, String)>,
}

impl PreviewThrottle {
    /// A preview arrived at `now`.
    pub fn offer(&mut self, now: Instant, text: String) -> PreviewStep {
        match self.last_sent {
            Some(last) if now.saturating_duration_since(last) < TYPING_PREVIEW_INTERVAL => {
                self.held = Some((last + TYPING_PREVIEW_INTERVAL, text));
                PreviewStep::Held
            }
            _ => {
                self.last_sent = Some(now);
                self.held = None;
                PreviewStep::Deliver(text)
            }
        }
    }

    /// When a held preview is due, if any.
    pub fn deadline(&self) -> Option<Instant> {
        self.held.as_ref().map(|(at, _)| *at)
    }

    /// The held preview if it is due at `now`; it counts as delivered at its deadline.
    pub fn take_due(&mut self, now: Instant) -> Option<String> {
        match &self.held {
            Some((at, _)) if *at <= now => {
                let (at, text) = self.held.take()?;
                self.last_sent = Some(at);
                Some(text)
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_goes_at_once_then_newest_on_trailing_edge() {
        let t0 = Instant::now();
        let ms = |n: u64| t0 + Duration::from_millis(n);
        let mut th = PreviewThrottle::default();
        assert_eq!(th.offer(t0, "h".into()), PreviewStep::Deliver("h".into()));
        assert_eq!(th.offer(ms(50), "he".into()), PreviewStep::Held);
        assert_eq!(th.offer(ms(100), "hel".into()), PreviewStep::Held);
        assert_eq!(th.deadline(), Some(ms(300)));
        assert_eq!(th.take_due(ms(299)), None);
        assert_eq!(th.take_due(ms(300)), Some("hel".into()));
        assert_eq!(th.deadline(), None);
        // Right after the trailing edge the next one is held again.
        assert_eq!(th.offer(ms(310), "hell".into()), PreviewStep::Held);
        assert_eq!(th.deadline(), Some(ms(600)));
        assert_eq!(th.take_due(ms(700)), Some("hell".into()));
        // After a quiet interval a preview goes at once.
        assert_eq!(
            th.offer(ms(1000), "hello".into()),
            PreviewStep::Deliver("hello".into())
        );
    }
}
