//! Desktop notifications (A3): freedesktop notifications over D-Bus on Linux (notify-rust),
//! nothing elsewhere yet.

use tokio::runtime::Handle;

use super::Popup;

/// How long a popup stays up, in ms.
pub const POPUP_TIMEOUT_MS: i32 = 8_000;

/// The platform's notifications; each is sent from a task on `handle`. Without a session bus
/// or a notification daemon the failure is logged once.
#[cfg(target_os = "linux")]
pub fn system_popup(handle: &Handle) -> Box<dyn Popup> {
    Box::new(linux::DbusPopup {
        handle: handle.clone(),
        failures: std::sync::Arc::default(),
    })
}

/// The platform's notifications: not implemented on this OS yet (logs that once).
#[cfg(not(target_os = "linux"))]
pub fn system_popup(_handle: &Handle) -> Box<dyn Popup> {
    tracing::info!("desktop notifications not implemented on this OS yet");
    Box::new(crate::notify::Silent)
}

#[cfg(target_os = "linux")]
mod linux {
    use std::sync::Arc;

    use tokio::runtime::Handle;

    use super::{Popup, POPUP_TIMEOUT_MS};
    use crate::notify::LogOnce;

    pub(super) struct DbusPopup {
        pub(super) handle: Handle,
        pub(super) failures: Arc<LogOnce>,
    }

    impl Popup for DbusPopup {
        fn show(&self, title: &str, body: &str) {
            let mut n = notify_rust::Notification::new();
            n.appname("Porpoise")
                .summary(title)
                .body(body)
                .icon("dialog-information")
                .timeout(notify_rust::Timeout::Milliseconds(POPUP_TIMEOUT_MS as u32));
            let failures = self.failures.clone();
            self.handle.spawn(async move {
                match n.show_async().await {
                    Ok(_) => tracing::debug!("notification shown"),
                    Err(e) => failures.failed("desktop notifications", &e),
                }
            });
        }
    }
}
