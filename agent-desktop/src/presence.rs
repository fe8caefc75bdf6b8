//! Auto-away (R4): after the agent's chosen idle minutes without mouse or keyboard input on the
//! computer, the console sets Away by itself (`automatic: true`); on the next input it sets
//! Online again. Only an agent who is Online goes away automatically, and only an Away the
//! console set itself is undone: a presence the agent or the relay chose is left alone.

use std::time::Duration;

use porpoise_protocol::wire::Presence;

use crate::idle::IdleSource;

/// Least time between two system idle queries, in seconds of the UI clock.
pub const IDLE_POLL_S: f64 = 1.0;

/// The auto-away state machine. Pure: fed the presence, the idle time and the setting.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum AutoAway {
    /// Watching for the idle limit.
    #[default]
    Watching,
    /// The console set Away itself; input brings the agent back Online.
    SetAway,
}

impl AutoAway {
    /// One step: returns the presence to set automatically, if any. `presence` is the current
    /// presence, `idle` the time since the last input, `minutes` the setting (None: off).
    pub fn step(
        &mut self,
        presence: Presence,
        idle: Duration,
        minutes: Option<u16>,
    ) -> Option<Presence> {
        let limit = minutes.map(|m| Duration::from_secs(u64::from(m) * 60));
        match *self {
            AutoAway::Watching => {
                let limit = limit?;
                if presence == Presence::Online && idle >= limit {
                    *self = AutoAway::SetAway;
                    return Some(Presence::Away);
                }
                None
            }
            AutoAway::SetAway => {
                if presence != Presence::Away {
                    // The agent or the relay changed it meanwhile.
                    *self = AutoAway::Watching;
                    return None;
                }
                let back = match limit {
                    Some(limit) => idle < limit,
                    None => true,
                };
                if back {
                    *self = AutoAway::Watching;
                    return Some(Presence::Online);
                }
                None
            }
        }
    }
}

/// Feeds [`AutoAway`] from a system [`IdleSource`] and this window's own input.
pub struct AutoAwayWatch {
    source: Box<dyn IdleSource>,
    machine: AutoAway,
    last_input_s: f64,
    last_poll_s: f64,
    system_idle: Option<Duration>,
}

impl std::fmt::Debug for AutoAwayWatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AutoAwayWatch")
            .field("machine", &self.machine)
            .field("last_input_s", &self.last_input_s)
            .finish_non_exhaustive()
    }
}

impl AutoAwayWatch {
    /// A watch on `source`.
    pub fn new(source: Box<dyn IdleSource>) -> Self {
        AutoAwayWatch {
            source,
            machine: AutoAway::Watching,
            last_input_s: 0.0,
            last_poll_s: f64::NEG_INFINITY,
            system_idle: None,
        }
    }

    /// Records input in the console's own window at `now_s` (UI clock).
    pub fn window_input(&mut self, now_s: f64) {
        self.last_input_s = now_s;
    }

    /// The idle time at `now_s`: the shorter of the system's (when known) and the window's.
    pub fn idle(&mut self, now_s: f64) -> Duration {
        if now_s - self.last_poll_s >= IDLE_POLL_S {
            self.last_poll_s = now_s;
            self.system_idle = self.source.idle_time();
        }
        let window = Duration::from_secs_f64((now_s - self.last_input_s).max(0.0));
        match self.system_idle {
            Some(system) => system.min(window),
            None => window,
        }
    }

    /// One step at `now_s`; returns the presence to set automatically, if any.
    pub fn step(
        &mut self,
        now_s: f64,
        presence: Presence,
        minutes: Option<u16>,
    ) -> Option<Presence> {
        let idle = self.idle(now_s);
        self.machine.step(presence, idle, minutes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    const MIN: Duration = Duration::from_secs(60);

    #[test]
    fn goes_away_after_the_limit_and_back_on_input() {
        let mut m = AutoAway::default();
        assert_eq!(m.step(Presence::Online, 4 * MIN, Some(5)), None);
        assert_eq!(
            m.step(Presence::Online, 5 * MIN, Some(5)),
            Some(Presence::Away)
        );
        // While the relay has not confirmed yet, nothing more is sent.
        assert_eq!(m.step(Presence::Online, 6 * MIN, Some(5)), None);
        assert_eq!(
            m,
            AutoAway::Watching,
            "Online again by someone else: watch again"
        );
        assert_eq!(
            m.step(Presence::Online, 6 * MIN, Some(5)),
            Some(Presence::Away)
        );
        assert_eq!(m.step(Presence::Away, 7 * MIN, Some(5)), None);
        assert_eq!(
            m.step(Presence::Away, Duration::from_secs(1), Some(5)),
            Some(Presence::Online)
        );
        assert_eq!(m, AutoAway::Watching);
    }

    #[test]
    fn leaves_chosen_presences_alone() {
        let mut m = AutoAway::default();
        assert_eq!(m.step(Presence::Busy, 60 * MIN, Some(5)), None);
        assert_eq!(m.step(Presence::Away, 60 * MIN, Some(5)), None);
        assert_eq!(
            m.step(Presence::Away, Duration::ZERO, Some(5)),
            None,
            "Away by hand stays"
        );
        assert_eq!(m.step(Presence::Online, 60 * MIN, None), None, "off");
        // Away by the console, then the agent picks Busy: no automatic Online.
        assert_eq!(
            m.step(Presence::Online, 60 * MIN, Some(1)),
            Some(Presence::Away)
        );
        assert_eq!(m.step(Presence::Busy, Duration::ZERO, Some(1)), None);
        assert_eq!(m.step(Presence::Busy, Duration::ZERO, Some(1)), None);
    }

    #[test]
    fn turning_it_off_while_away_comes_back() {
        let mut m = AutoAway::default();
        assert_eq!(
            m.step(Presence::Online, 2 * MIN, Some(1)),
            Some(Presence::Away)
        );
        assert_eq!(
            m.step(Presence::Away, 2 * MIN, None),
            Some(Presence::Online)
        );
    }

    struct FakeIdle(Arc<Mutex<Option<Duration>>>);

    impl IdleSource for FakeIdle {
        fn idle_time(&mut self) -> Option<Duration> {
            *self.0.lock().expect("lock")
        }
    }

    #[test]
    fn watch_uses_the_shorter_of_system_and_window_idle() {
        let system = Arc::new(Mutex::new(None));
        let mut w = AutoAwayWatch::new(Box::new(FakeIdle(system.clone())));
        // No system idle: the window's own input counts.
        assert_eq!(w.step(59.0, Presence::Online, Some(1)), None);
        assert_eq!(
            w.step(60.0, Presence::Online, Some(1)),
            Some(Presence::Away)
        );
        w.window_input(61.0);
        assert_eq!(
            w.step(61.5, Presence::Away, Some(1)),
            Some(Presence::Online)
        );
        // System idle known: input elsewhere on the computer keeps the agent online.
        *system.lock().expect("lock") = Some(Duration::from_secs(3));
        assert_eq!(w.step(200.0, Presence::Online, Some(1)), None);
        *system.lock().expect("lock") = Some(Duration::from_secs(120));
        assert_eq!(
            w.step(201.0, Presence::Online, Some(1)),
            Some(Presence::Away)
        );
        *system.lock().expect("lock") = Some(Duration::from_millis(200));
        assert_eq!(
            w.step(201.5, Presence::Away, Some(1)),
            None,
            "polled at most once a second"
        );
        assert_eq!(
            w.step(202.0, Presence::Away, Some(1)),
            Some(Presence::Online)
        );
    }
}
