//! System-wide idle time: how long since the last mouse or keyboard input anywhere on the
//! agent's computer (R4 auto-away).
//!
//! [`IdleSource`] is the trait; [`system_idle`] picks the platform's source, one `cfg` per OS:
//! X11 through the MIT-SCREEN-SAVER extension (`x11rb`, pure Rust, no crash without a display),
//! Windows through `GetLastInputInfo` (the `user-idle` crate). Elsewhere, or when the platform
//! cannot tell (Wayland without X11, no display), the console falls back to input in its own
//! window (see [`crate::presence::AutoAwayWatch`]).

#[cfg(target_os = "windows")]
mod windows;
#[cfg(target_os = "linux")]
mod x11;

use std::time::Duration;

/// Something that knows how long the user has been idle.
pub trait IdleSource: Send {
    /// Time since the last user input on the whole computer, or `None` if unknown (the caller
    /// then uses its own window's input).
    fn idle_time(&mut self) -> Option<Duration>;
}

/// A source that never knows (the fallback, and tests that use only the window's input).
#[derive(Debug, Default)]
pub struct Unknown;

impl IdleSource for Unknown {
    fn idle_time(&mut self) -> Option<Duration> {
        None
    }
}

/// The platform's idle source.
pub fn system_idle() -> Box<dyn IdleSource> {
    #[cfg(target_os = "linux")]
    {
        Box::new(x11::X11Idle::default())
    }
    #[cfg(target_os = "windows")]
    {
        Box::new(windows::WindowsIdle)
    }
    #[cfg(not(any(target_os = "linux", target_os = "windows")))]
    {
        Box::new(Unknown)
    }
}
