//! Notifications when a customer queues (A3): tray icon, desktop popup and sound.
//!
//! Each is behind a trait ([`Tray`], [`Popup`], [`Sound`]) with the platform code in its own
//! module and one `cfg` per OS. Every method returns at once: the work runs on the tokio
//! runtime or a dedicated thread. A machine without a tray host, notification daemon or sound
//! card logs that once and carries on.

pub mod popup;
pub mod sound;
pub mod tray;

use std::sync::{Arc, Mutex};

use porpoise_protocol::wire::QueueEntry;
use porpoise_ui::Language;
use tokio::runtime::Handle;

use crate::i18n::{self, Msg};

/// What the tray icon shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrayStatus {
    /// Not logged in.
    Offline,
    /// Logged in, with this many customers waiting.
    Online {
        /// Customers in the queue.
        queue_len: usize,
    },
}

/// The tray icon (status and a Show / Quit menu).
pub trait Tray: Send {
    /// Shows `status`. Must not block.
    fn set_status(&self, status: TrayStatus);
}

/// Desktop notifications (popups / balloons).
pub trait Popup: Send {
    /// Shows a notification. Must not block.
    fn show(&self, title: &str, body: &str);
}

/// Notification sounds.
pub trait Sound: Send {
    /// Plays the short queue chime. Must not block.
    fn play_chime(&self);
}

/// Characters of a message shown in its desktop notification.
pub const MESSAGE_PREVIEW_CHARS: usize = 80;

/// The three notifiers together, as the app uses them.
pub struct Notifier {
    tray: Box<dyn Tray>,
    popup: Box<dyn Popup>,
    sound: Box<dyn Sound>,
    /// Sounds on (A17 setting); popups and the tray are not affected.
    sounds: bool,
    status: Option<TrayStatus>,
}

impl std::fmt::Debug for Notifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Notifier")
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

impl Notifier {
    /// Combines three notifiers.
    pub fn new(tray: Box<dyn Tray>, popup: Box<dyn Popup>, sound: Box<dyn Sound>) -> Self {
        Notifier {
            tray,
            popup,
            sound,
            sounds: true,
            status: None,
        }
    }

    /// Turns the alert sounds on or off (A17).
    pub fn set_sounds(&mut self, on: bool) {
        self.sounds = on;
    }

    fn chime(&self) {
        if self.sounds {
            self.sound.play_chime();
        }
    }

    /// The platform's notifiers; background work runs on `handle`, and the tray's Show / Quit
    /// act on the window through `ctx`.
    pub fn system(handle: &Handle, ctx: &egui::Context, lang: Language) -> Self {
        Notifier::new(
            tray::system_tray(handle, ctx.clone(), lang),
            popup::system_popup(handle),
            sound::system_sound(),
        )
    }

    /// Notifiers that do nothing.
    pub fn silent() -> Self {
        Notifier::new(Box::new(Silent), Box::new(Silent), Box::new(Silent))
    }

    /// Notifiers that record what they were asked to do (for tests).
    pub fn recording() -> (Self, Recording) {
        let r = Recording::default();
        (
            Notifier::new(
                Box::new(r.clone()),
                Box::new(r.clone()),
                Box::new(r.clone()),
            ),
            r,
        )
    }

    /// A customer joined the queue (A3): chime, and a desktop popup when the console is not
    /// `focused` (in front, the queue list and the window title show it).
    pub fn customer_queued(
        &mut self,
        lang: Language,
        entry: &QueueEntry,
        queue_len: usize,
        focused: bool,
    ) {
        if !focused {
            let body = i18n::queued_body(lang, &entry.name, &entry.phone, queue_len);
            self.popup.show(Msg::CustomerQueued.text(lang), &body);
        }
        self.chime();
    }

    /// Something needs the agent now (an offer, a transfer; the console shows its own prompt
    /// with the countdown) (A3): chime, and a desktop popup when the console is not `focused`.
    pub fn alert(&mut self, title: &str, body: &str, focused: bool) {
        if !focused {
            self.popup.show(title, body);
        }
        self.chime();
    }

    /// A customer wrote in a tab that is not in front (A3): chime, and a desktop popup with the
    /// start of the text when the console is not `focused`.
    pub fn customer_message(&mut self, lang: Language, name: &str, text: &str, focused: bool) {
        if !focused {
            let body: String = text.chars().take(MESSAGE_PREVIEW_CHARS).collect();
            self.popup.show(&i18n::new_message_from(lang, name), &body);
        }
        self.chime();
    }

    /// Updates the tray if `status` changed.
    pub fn set_status(&mut self, status: TrayStatus) {
        if self.status != Some(status) {
            self.status = Some(status);
            self.tray.set_status(status);
        }
    }
}

/// A notifier that does nothing (platforms without an implementation, `Notifier::silent`).
#[derive(Debug, Clone, Copy, Default)]
pub struct Silent;

impl Tray for Silent {
    fn set_status(&self, _status: TrayStatus) {}
}

impl Popup for Silent {
    fn show(&self, _title: &str, _body: &str) {}
}

impl Sound for Silent {
    fn play_chime(&self) {}
}

/// A notifier that records calls, as text lines like `popup: TITLE: BODY`, `chime`,
/// `tray: Online { queue_len: 1 }`.
#[derive(Debug, Clone, Default)]
pub struct Recording(Arc<Mutex<Vec<String>>>);

impl Recording {
    /// The calls so far.
    pub fn calls(&self) -> Vec<String> {
        self.0.lock().map(|c| c.clone()).unwrap_or_default()
    }

    fn record(&self, line: String) {
        if let Ok(mut c) = self.0.lock() {
            c.push(line);
        }
    }
}

impl Tray for Recording {
    fn set_status(&self, status: TrayStatus) {
        self.record(format!("tray: {status:?}"));
    }
}

impl Popup for Recording {
    fn show(&self, title: &str, body: &str) {
        self.record(format!("popup: {title}: {body}"));
    }
}

impl Sound for Recording {
    fn play_chime(&self) {
        self.record("chime".into());
    }
}

/// Logs a notifier failure at `warn` the first time and at `debug` afterwards.
#[derive(Debug, Default)]
pub(crate) struct LogOnce(std::sync::atomic::AtomicBool);

impl LogOnce {
    pub(crate) fn failed(&self, what: &str, error: &dyn std::fmt::Display) {
        if !self.0.swap(true, std::sync::atomic::Ordering::Relaxed) {
            tracing::warn!(%error, "{what} unavailable; continuing without it (logged once)");
        } else {
            tracing::debug!(%error, "{what} failed again");
        }
    }
}
