//! Idle time on X11 via the MIT-SCREEN-SAVER extension.

use std::time::Duration;

use tracing::info;
use x11rb::{
    connection::Connection as _, protocol::screensaver::ConnectionExt as _,
    rust_connection::RustConnection,
};

use super::IdleSource;

/// One X connection, opened on first use; after a failure the source stays unknown.
#[derive(Default)]
pub struct X11Idle {
    state: State,
}

#[derive(Default)]
enum State {
    #[default]
    Unopened,
    Open {
        conn: Box<RustConnection>,
        root: u32,
    },
    Failed,
}

impl X11Idle {
    fn open() -> Result<(RustConnection, u32), String> {
        let (conn, screen) = x11rb::connect(None).map_err(|e| e.to_string())?;
        let root = conn
            .setup()
            .roots
            .get(screen)
            .map(|s| s.root)
            .ok_or("no X screen")?;
        Ok((conn, root))
    }
}

impl IdleSource for X11Idle {
    fn idle_time(&mut self) -> Option<Duration> {
        if matches!(self.state, State::Unopened) {
            self.state = match Self::open() {
                Ok((conn, root)) => State::Open {
                    conn: Box::new(conn),
                    root,
                },
                Err(e) => {
                    info!(error = %e, "no X11 idle time; auto-away watches this window only");
                    State::Failed
                }
            };
        }
        let State::Open { conn, root } = &self.state else {
            return None;
        };
        match conn
            .screensaver_query_info(*root)
            .map_err(|e| e.to_string())
            .and_then(|c| c.reply().map_err(|e| e.to_string()))
        {
            Ok(info) => Some(Duration::from_millis(info.ms_since_user_input.into())),
            Err(e) => {
                info!(error = %e, "X11 idle query failed; auto-away watches this window only");
                self.state = State::Failed;
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_panics_with_or_without_a_display() {
        let mut idle = X11Idle::default();
        let first = idle.idle_time();
        let second = idle.idle_time();
        assert_eq!(first.is_some(), second.is_some(), "{first:?} {second:?}");
    }
}
