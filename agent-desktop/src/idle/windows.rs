//! Idle time on Windows via `GetLastInputInfo` (the `user-idle` crate).

use std::time::Duration;

use super::IdleSource;

/// Asks Windows on each call.
pub struct WindowsIdle;

impl IdleSource for WindowsIdle {
    fn idle_time(&mut self) -> Option<Duration> {
        user_idle::UserIdle::get_time()
            .ok()
            .map(|t| Duration::from_millis(t.as_milliseconds() as u64))
    }
}
