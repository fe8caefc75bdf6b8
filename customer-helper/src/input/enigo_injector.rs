//! [`InputInjector`] with enigo (X11 via x11rb on Linux, SendInput on Windows).

use enigo::{Axis, Button, Coordinate, Direction, Enigo, Keyboard, Mouse, Settings};
use porpoise_protocol::input::{InputEvent, Key, KeyEvent, MouseButton, MouseEvent};
use tracing::trace;

use super::{prepare, InjectError, InputInjector};
use crate::capture::{screen_geometry, ScreenGeometry, SharedGeometry};

/// The enigo key for a wire [`Key`]; `None` for a function key outside F1..=F12 (and Insert on
/// a platform without one).
pub fn enigo_key(key: Key) -> Option<enigo::Key> {
    use enigo::Key as E;
    Some(match key {
        Key::Enter => E::Return,
        Key::Backspace => E::Backspace,
        Key::Tab => E::Tab,
        Key::Escape => E::Escape,
        Key::Delete => E::Delete,
        Key::ArrowLeft => E::LeftArrow,
        Key::ArrowRight => E::RightArrow,
        Key::ArrowUp => E::UpArrow,
        Key::ArrowDown => E::DownArrow,
        Key::Home => E::Home,
        Key::End => E::End,
        Key::PageUp => E::PageUp,
        Key::PageDown => E::PageDown,
        Key::Space => E::Space,
        Key::Shift => E::Shift,
        Key::Control => E::Control,
        Key::Alt => E::Alt,
        Key::Meta => E::Meta,
        Key::F(n) => match n {
            1 => E::F1,
            2 => E::F2,
            3 => E::F3,
            4 => E::F4,
            5 => E::F5,
            6 => E::F6,
            7 => E::F7,
            8 => E::F8,
            9 => E::F9,
            10 => E::F10,
            11 => E::F11,
            12 => E::F12,
            _ => return None,
        },
        Key::Char(c) => E::Unicode(c.to_lowercase().next().unwrap_or(c)),
        #[cfg(any(windows, all(unix, not(target_os = "macos"))))]
        Key::Insert => E::Insert,
        #[cfg(not(any(windows, all(unix, not(target_os = "macos")))))]
        Key::Insert => return None,
    })
}

/// The enigo button for a wire [`MouseButton`].
pub fn enigo_button(button: MouseButton) -> Button {
    match button {
        MouseButton::Left => Button::Left,
        MouseButton::Right => Button::Right,
        MouseButton::Middle => Button::Middle,
    }
}

fn direction(down: bool) -> Direction {
    if down {
        Direction::Press
    } else {
        Direction::Release
    }
}

/// Injects input with enigo into the display captured by [`crate::capture`]. Not `Send` on
/// every platform: use it on one thread (see [`super::InjectorThread`]).
pub struct EnigoInjector {
    enigo: Enigo,
    geometry: ScreenGeometry,
    /// Set by the capture when the agent picks another monitor; wins over `geometry`.
    shared: Option<SharedGeometry>,
    held_keys: Vec<enigo::Key>,
    held_buttons: Vec<Button>,
}

impl std::fmt::Debug for EnigoInjector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EnigoInjector")
            .field("geometry", &self.geometry())
            .finish_non_exhaustive()
    }
}

impl EnigoInjector {
    /// Connects to the input system; pointer coordinates map onto the primary display as
    /// captured by [`crate::capture::ScreenCapture`].
    ///
    /// Errors: [`InjectError::Unavailable`] if there is no display or enigo cannot connect.
    pub fn new() -> Result<Self, InjectError> {
        let geometry = screen_geometry().map_err(|e| InjectError::Unavailable(e.to_string()))?;
        Self::with_geometry(geometry)
    }

    /// Like [`EnigoInjector::new`] with a given screen geometry (desktop px).
    ///
    /// Errors: [`InjectError::Unavailable`] if enigo cannot connect.
    pub fn with_geometry(geometry: ScreenGeometry) -> Result<Self, InjectError> {
        Self::with_settings(geometry, None)
    }

    /// Like [`EnigoInjector::new`], following the monitor the capture publishes in `shared`
    /// (see `ScreenCapture::share_geometry`): input lands on the monitor the agent sees.
    ///
    /// Errors: [`InjectError::Unavailable`] if enigo cannot connect.
    pub fn following(shared: SharedGeometry) -> Result<Self, InjectError> {
        let geometry = *shared.lock().unwrap_or_else(|e| e.into_inner());
        let mut injector = Self::with_settings(geometry, None)?;
        injector.shared = Some(shared);
        Ok(injector)
    }

    /// Like [`EnigoInjector::with_geometry`] on the X11 display `display` (e.g. `:117`) rather
    /// than `$DISPLAY`: tests run several private X servers in one process.
    ///
    /// Errors: [`InjectError::Unavailable`] if enigo cannot connect.
    pub fn on_x11_display(display: &str, geometry: ScreenGeometry) -> Result<Self, InjectError> {
        Self::with_settings(geometry, Some(display.to_owned()))
    }

    fn with_settings(
        geometry: ScreenGeometry,
        x11_display: Option<String>,
    ) -> Result<Self, InjectError> {
        let settings = Settings {
            release_keys_when_dropped: true,
            // enigo's default (12 ms) is passed to XTest as a delay before each event: it
            // added 12 ms to every click's input-to-pixel latency.
            linux_delay: 0,
            x11_display,
            ..Settings::default()
        };
        let enigo = Enigo::new(&settings).map_err(|e| InjectError::Unavailable(e.to_string()))?;
        Ok(Self {
            enigo,
            geometry,
            shared: None,
            held_keys: Vec::new(),
            held_buttons: Vec::new(),
        })
    }

    /// The screen the coordinates refer to.
    pub fn geometry(&self) -> ScreenGeometry {
        match &self.shared {
            Some(shared) => *shared.lock().unwrap_or_else(|e| e.into_inner()),
            None => self.geometry,
        }
    }

    fn mouse(&mut self, ev: MouseEvent) -> enigo::InputResult<()> {
        match ev {
            MouseEvent::MoveTo { x, y } => {
                let (dx, dy) = self.geometry().desktop_px_from_remote_px(x, y);
                self.enigo.move_mouse(dx, dy, Coordinate::Abs)
            }
            MouseEvent::Button { button, down } => {
                let b = enigo_button(button);
                self.enigo.button(b, direction(down))?;
                self.held_buttons.retain(|h| *h != b);
                if down {
                    self.held_buttons.push(b);
                }
                Ok(())
            }
            MouseEvent::Scroll { dx, dy } => {
                if dx != 0 {
                    self.enigo.scroll(dx, Axis::Horizontal)?;
                }
                if dy != 0 {
                    self.enigo.scroll(dy, Axis::Vertical)?;
                }
                Ok(())
            }
        }
    }

    fn key(&mut self, ev: &KeyEvent) -> Result<(), InjectError> {
        match ev {
            KeyEvent::Text(text) => self.enigo.text(text).map_err(platform),
            KeyEvent::Key { key, down } => {
                let k = enigo_key(*key)
                    .ok_or_else(|| InjectError::Invalid(format!("no key {key:?}")))?;
                self.enigo.key(k, direction(*down)).map_err(platform)?;
                self.held_keys.retain(|h| *h != k);
                if *down {
                    self.held_keys.push(k);
                }
                Ok(())
            }
        }
    }
}

fn platform(e: enigo::InputError) -> InjectError {
    InjectError::Platform(e.to_string())
}

impl InputInjector for EnigoInjector {
    fn inject(&mut self, ev: &InputEvent) -> Result<(), InjectError> {
        let ev = prepare(ev, self.geometry())?;
        trace!(?ev, "inject");
        match &ev {
            InputEvent::Mouse(m) => self.mouse(*m).map_err(platform),
            InputEvent::Key(k) => self.key(k),
        }
    }

    fn release_all(&mut self) {
        for b in std::mem::take(&mut self.held_buttons).into_iter().rev() {
            let _ = self.enigo.button(b, Direction::Release);
        }
        for k in std::mem::take(&mut self.held_keys).into_iter().rev() {
            let _ = self.enigo.key(k, Direction::Release);
        }
    }
}

impl Drop for EnigoInjector {
    fn drop(&mut self) {
        self.release_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_named_key_maps() {
        use enigo::Key as E;
        let cases = [
            (Key::Enter, E::Return),
            (Key::Backspace, E::Backspace),
            (Key::Tab, E::Tab),
            (Key::Escape, E::Escape),
            (Key::Delete, E::Delete),
            (Key::ArrowLeft, E::LeftArrow),
            (Key::ArrowRight, E::RightArrow),
            (Key::ArrowUp, E::UpArrow),
            (Key::ArrowDown, E::DownArrow),
            (Key::Home, E::Home),
            (Key::End, E::End),
            (Key::PageUp, E::PageUp),
            (Key::PageDown, E::PageDown),
            (Key::Space, E::Space),
            (Key::Shift, E::Shift),
            (Key::Control, E::Control),
            (Key::Alt, E::Alt),
            (Key::Meta, E::Meta),
            (Key::Char('c'), E::Unicode('c')),
            (Key::Char('C'), E::Unicode('c')),
            (Key::Char('7'), E::Unicode('7')),
            (Key::Char('-'), E::Unicode('-')),
            (Key::Insert, E::Insert),
        ];
        for (key, expected) in cases {
            assert_eq!(enigo_key(key), Some(expected), "{key:?}");
        }
    }

    #[test]
    fn function_keys_map_in_range_only() {
        let expected = [
            enigo::Key::F1,
            enigo::Key::F2,
            enigo::Key::F3,
            enigo::Key::F4,
            enigo::Key::F5,
            enigo::Key::F6,
            enigo::Key::F7,
            enigo::Key::F8,
            enigo::Key::F9,
            enigo::Key::F10,
            enigo::Key::F11,
            enigo::Key::F12,
        ];
        for (n, e) in (1u8..=12).zip(expected) {
            assert_eq!(enigo_key(Key::F(n)), Some(e));
        }
        assert_eq!(enigo_key(Key::F(0)), None);
        assert_eq!(enigo_key(Key::F(13)), None);
    }

    #[test]
    fn every_button_maps() {
        assert_eq!(enigo_button(MouseButton::Left), Button::Left);
        assert_eq!(enigo_button(MouseButton::Right), Button::Right);
        assert_eq!(enigo_button(MouseButton::Middle), Button::Middle);
    }
}
