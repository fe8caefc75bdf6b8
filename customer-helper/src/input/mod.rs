//! Input injection: the agent's mouse and keyboard events applied to the customer's desktop.
//!
//! [`InputInjector`] is the platform trait; [`EnigoInjector`] implements it with enigo (X11 on
//! Linux, SendInput on Windows — enigo holds the per-OS code). Platform injectors are often not
//! `Send`, so [`InjectorThread`] runs one on a dedicated thread fed by a bounded channel.
//! Nothing here knows about the UI, the network or consent: the caller decides *whether* to
//! inject (the helper only does while remote control is granted); the end-to-end tests reuse
//! this module as a headless customer.

mod enigo_injector;
mod thread;

pub use enigo_injector::{enigo_button, enigo_key, EnigoInjector};
pub use thread::{InjectorFactory, InjectorThread, INJECT_QUEUE_CAPACITY};

use porpoise_protocol::input::{InputEvent, Key, KeyEvent};

use crate::capture::ScreenGeometry;

/// Why an event was not injected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InjectError {
    /// The event is malformed (text too long, unknown function key, control character); it was
    /// dropped and nothing was injected.
    #[error("invalid input event: {0}")]
    Invalid(String),
    /// The input system cannot be reached (no display, no permission).
    #[error("input injection unavailable: {0}")]
    Unavailable(String),
    /// The platform refused the simulated input.
    #[error("input injection failed: {0}")]
    Platform(String),
    /// The injector thread has stopped (it failed to start, or was stopped).
    #[error("the input injector has stopped")]
    Stopped,
}

/// Applies input events to the local desktop.
pub trait InputInjector {
    /// Injects one event. Pointer coordinates are remote pixels of the captured screen.
    ///
    /// Errors: [`InjectError::Invalid`] for an event that fails [`prepare`] (nothing is
    /// injected), [`InjectError::Platform`] if the platform refused it.
    fn inject(&mut self, ev: &InputEvent) -> Result<(), InjectError>;

    /// Releases every key and mouse button this injector still holds down, so that a revoke in
    /// the middle of Ctrl+drag leaves nothing pressed. The default does nothing.
    fn release_all(&mut self) {}
}

/// Checks an event from the network and clamps its pointer coordinates into the screen.
///
/// Returns the event to inject, in remote pixels of a `geometry.width`×`geometry.height` screen.
/// Errors: [`InjectError::Invalid`] if [`InputEvent::validate`] refuses it or a
/// [`Key::Char`] is a control character.
pub fn prepare(ev: &InputEvent, geometry: ScreenGeometry) -> Result<InputEvent, InjectError> {
    ev.validate().map_err(InjectError::Invalid)?;
    if let InputEvent::Key(KeyEvent::Key {
        key: Key::Char(c), ..
    }) = ev
    {
        if c.is_control() {
            return Err(InjectError::Invalid(format!(
                "control character {c:?} as a key"
            )));
        }
    }
    if let InputEvent::Key(KeyEvent::Text(text)) = ev {
        if text.contains('\0') {
            return Err(InjectError::Invalid("text contains NUL".into()));
        }
    }
    Ok(ev.clone().clamped(geometry.width, geometry.height))
}

#[cfg(test)]
mod tests {
    use porpoise_protocol::input::{MouseButton, MouseEvent};

    use super::*;

    const SCREEN: ScreenGeometry = ScreenGeometry {
        x: 100,
        y: 50,
        width: 1920,
        height: 1080,
    };

    #[test]
    fn pointer_is_clamped_into_the_screen() {
        let ev = InputEvent::Mouse(MouseEvent::MoveTo { x: 5000, y: -3 });
        assert_eq!(
            prepare(&ev, SCREEN),
            Ok(InputEvent::Mouse(MouseEvent::MoveTo { x: 1919, y: 0 }))
        );
        let inside = InputEvent::Mouse(MouseEvent::MoveTo { x: 10, y: 20 });
        assert_eq!(prepare(&inside, SCREEN), Ok(inside));
    }

    #[test]
    fn other_events_pass_unchanged() {
        for ev in [
            InputEvent::Mouse(MouseEvent::Button {
                button: MouseButton::Right,
                down: true,
            }),
            InputEvent::Mouse(MouseEvent::Scroll { dx: -1, dy: 3 }),
            InputEvent::Key(KeyEvent::Text("你好".into())),
            InputEvent::Key(KeyEvent::Key {
                key: Key::Char('c'),
                down: true,
            }),
        ] {
            assert_eq!(prepare(&ev, SCREEN), Ok(ev));
        }
    }

    #[test]
    fn invalid_events_are_refused() {
        let bad = [
            InputEvent::Key(KeyEvent::Key {
                key: Key::F(0),
                down: true,
            }),
            InputEvent::Key(KeyEvent::Key {
                key: Key::F(13),
                down: true,
            }),
            InputEvent::Key(KeyEvent::Key {
                key: Key::Char('\u{7}'),
                down: true,
            }),
            InputEvent::Key(KeyEvent::Text("a\0b".into())),
            InputEvent::Key(KeyEvent::Text("x".repeat(5000))),
        ];
        for ev in bad {
            assert!(
                matches!(prepare(&ev, SCREEN), Err(InjectError::Invalid(_))),
                "{ev:?}"
            );
        }
    }
}
