//! Input model: what the agent's mouse and keyboard do to the customer's computer.
//!
//! Events travel on the input media stream (agent → relay → helper) as framed postcard
//! [`InputEvent`]s, at most [`crate::framing::MAX_INPUT_FRAME_BYTES`] each. Coordinates are in
//! remote pixels: (0, 0) is the top-left pixel of the customer's captured screen.

use serde::{Deserialize, Serialize};

/// A mouse button.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MouseButton {
    /// Primary (left) button.
    Left,
    /// Secondary (right) button.
    Right,
    /// Middle button / wheel click.
    Middle,
}

/// A mouse event in remote pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MouseEvent {
    /// Move the pointer to absolute remote pixel (x, y).
    MoveTo {
        /// Remote x in px.
        x: i32,
        /// Remote y in px.
        y: i32,
    },
    /// Press or release a button at the current pointer position.
    Button {
        /// Which button.
        button: MouseButton,
        /// True = press, false = release.
        down: bool,
    },
    /// Scroll by whole wheel notches: positive `dy` scrolls down, positive `dx` right.
    Scroll {
        /// Horizontal notches.
        dx: i32,
        /// Vertical notches.
        dy: i32,
    },
}

/// A named (non-text) key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Key {
    /// Enter / Return.
    Enter,
    /// Backspace.
    Backspace,
    /// Tab.
    Tab,
    /// Escape.
    Escape,
    /// Delete (forward).
    Delete,
    /// Arrow left.
    ArrowLeft,
    /// Arrow right.
    ArrowRight,
    /// Arrow up.
    ArrowUp,
    /// Arrow down.
    ArrowDown,
    /// Home.
    Home,
    /// End.
    End,
    /// Page up.
    PageUp,
    /// Page down.
    PageDown,
    /// Space bar.
    Space,
    /// Shift modifier.
    Shift,
    /// Control modifier.
    Control,
    /// Alt modifier.
    Alt,
    /// Super / Windows / Command modifier.
    Meta,
    /// Function key F1..F12 (value 1..=12).
    F(u8),
    /// A letter, digit or ASCII punctuation key pressed with a modifier (e.g. the `c` of
    /// Ctrl+C), lower case. Typed text travels as [`KeyEvent::Text`] instead.
    Char(char),
    /// Insert. (Added after `Char`: variants are encoded by index, so new ones go last.)
    Insert,
}

/// A keyboard event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum KeyEvent {
    /// Press or release a named key.
    Key {
        /// Which key.
        key: Key,
        /// True = press, false = release.
        down: bool,
    },
    /// Type text as if entered on the keyboard (any Unicode, including IME results like `你好`).
    Text(String),
}

/// One input event on the input stream.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum InputEvent {
    /// Mouse.
    Mouse(MouseEvent),
    /// Keyboard.
    Key(KeyEvent),
}

/// Largest text of one [`KeyEvent::Text`], in bytes.
pub const MAX_INPUT_TEXT_BYTES: usize = 4096;

impl InputEvent {
    /// Checks an event received from the network against the screen it applies to.
    ///
    /// Errors: a text that is too long, or a function key out of 1..=12. Coordinates outside
    /// the screen are clamped by [`InputEvent::clamped`] rather than refused.
    pub fn validate(&self) -> Result<(), String> {
        match self {
            InputEvent::Key(KeyEvent::Text(t)) if t.len() > MAX_INPUT_TEXT_BYTES => Err(format!(
                "text of {} bytes exceeds {MAX_INPUT_TEXT_BYTES}",
                t.len()
            )),
            InputEvent::Key(KeyEvent::Key { key: Key::F(n), .. }) if !(1..=12).contains(n) => {
                Err(format!("no function key F{n}"))
            }
            _ => Ok(()),
        }
    }

    /// The event with pointer coordinates clamped into a `width`×`height` px screen.
    pub fn clamped(self, width: u32, height: u32) -> Self {
        match self {
            InputEvent::Mouse(MouseEvent::MoveTo { x, y }) => {
                InputEvent::Mouse(MouseEvent::MoveTo {
                    x: x.clamp(0, width.saturating_sub(1) as i32),
                    y: y.clamp(0, height.saturating_sub(1) as i32),
                })
            }
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clamps_pointer_into_screen() {
        let e = InputEvent::Mouse(MouseEvent::MoveTo { x: -5, y: 5000 }).clamped(1920, 1080);
        assert_eq!(e, InputEvent::Mouse(MouseEvent::MoveTo { x: 0, y: 1079 }));
    }

    #[test]
    fn refuses_huge_text_and_bad_fkey() {
        assert!(InputEvent::Key(KeyEvent::Text("x".repeat(5000)))
            .validate()
            .is_err());
        assert!(InputEvent::Key(KeyEvent::Key {
            key: Key::F(13),
            down: true
        })
        .validate()
        .is_err());
        assert!(InputEvent::Key(KeyEvent::Text("你好".into()))
            .validate()
            .is_ok());
    }

    #[test]
    fn key_encoding_is_stable_and_insert_comes_last() {
        // Variants are encoded by index: adding one must not move the others.
        let enc = |k: Key| postcard::to_allocvec(&k).expect("encode");
        assert_eq!(enc(Key::Enter), vec![0]);
        assert_eq!(enc(Key::Char('c')), vec![19, 1, b'c']);
        assert_eq!(enc(Key::Insert), vec![20]);
        let back: Key = postcard::from_bytes(&enc(Key::Insert)).expect("decode");
        assert_eq!(back, Key::Insert);
    }
}
