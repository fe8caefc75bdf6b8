//! Turns the agent's egui input over the screen view into [`InputEvent`]s for the customer's
//! computer (remote control).
//!
//! Per frame at most one pointer move is sent (the last position, or the position of a button
//! event so that clicks land where they were made). Typed text goes as [`KeyEvent::Text`];
//! named keys as key down/up; Ctrl/Alt/Super + a letter, digit or punctuation key as
//! [`Key::Char`]. Modifier keys are pressed on the remote side only right before a key, button
//! or wheel event that carries them (so plain typing of capitals never leaves Shift held there)
//! and released as soon as the agent releases them.
//!
//! egui (0.37, egui-winit) turns the platform's clipboard shortcuts (Ctrl/Cmd+C/X/V, the
//! dedicated Copy/Cut/Paste keys, on Windows Ctrl+Insert, Shift+Insert, Shift+Delete) into
//! [`Event::Copy`], [`Event::Cut`] and [`Event::Paste`] / [`Event::PasteImage`] *instead of* the
//! key press. They are replayed on the remote side as Ctrl+C/X/V key presses: the agent's own
//! clipboard text is never pasted. Ctrl+V with an empty local clipboard produces no event at
//! all, only the release of V: a release of C/X/V with Ctrl/Cmd held whose press was never seen
//! is replayed as the chord too.

use std::collections::HashSet;

use egui::{Event, Modifiers, MouseWheelUnit, Pos2, Vec2};
use porpoise_protocol::input::{InputEvent, Key, KeyEvent, MouseButton, MouseEvent};

/// Wheel notches per UI point of smooth (touchpad) scrolling.
pub const NOTCHES_PER_POINT: f32 = 1.0 / 40.0;
/// Wheel notches per page of scrolling.
pub const NOTCHES_PER_PAGE: f32 = 10.0;

/// The state of remote input between frames.
#[derive(Debug, Default)]
pub struct RemoteInput {
    /// Modifiers held on the remote side.
    held: Modifiers,
    /// Last pointer position sent, in remote px.
    last_px: Option<[i32; 2]>,
    /// Fractions of wheel notches not sent yet.
    scroll: Vec2,
    /// Buttons pressed on the remote side.
    buttons: HashSet<MouseButton>,
    /// Non-modifier keys (named keys, chorded characters) pressed on the remote side.
    keys: HashSet<Key>,
    /// Character keys whose press egui reported and whose release has not come yet.
    seen_down: HashSet<char>,
    /// Clipboard chords replayed from Copy/Cut/Paste whose key release is still to come.
    chords_sent: HashSet<char>,
    /// The previous event was an Alt chord: winit also reports its key as text, which must not
    /// be typed on top of the chord.
    drop_text: bool,
}

impl RemoteInput {
    /// Translates one frame's `events`. `remote_px` maps a UI point to a remote pixel (`None`
    /// outside the image); `now_modifiers` are the modifiers held at the end of the frame.
    pub fn translate(
        &mut self,
        events: &[Event],
        remote_px: impl Fn(Pos2) -> Option<[i32; 2]>,
        now_modifiers: Modifiers,
    ) -> Vec<InputEvent> {
        let mut out = Vec::new();
        let mut pending_move: Option<[i32; 2]> = None;
        for event in events {
            let drop_text = std::mem::take(&mut self.drop_text);
            match event {
                Event::PointerMoved(pos) => pending_move = remote_px(*pos).or(pending_move),
                Event::PointerButton {
                    pos,
                    button,
                    pressed,
                    modifiers,
                } => {
                    let Some(b) = mouse_button(*button) else {
                        continue;
                    };
                    let at = remote_px(*pos);
                    if *pressed && at.is_none() {
                        continue; // a press on the letterbox bars is not for the customer
                    }
                    if !*pressed && !self.buttons.contains(&b) {
                        continue;
                    }
                    self.move_to(at.or(pending_move.take()), &mut out);
                    pending_move = None;
                    if *pressed {
                        self.hold(*modifiers, &mut out);
                        self.buttons.insert(b);
                    } else {
                        self.release_up_to(*modifiers, &mut out);
                        self.buttons.remove(&b);
                    }
                    out.push(InputEvent::Mouse(MouseEvent::Button {
                        button: b,
                        down: *pressed,
                    }));
                }
                Event::MouseWheel {
                    unit,
                    delta,
                    modifiers,
                    ..
                } => {
                    self.move_to(pending_move.take(), &mut out);
                    self.hold(*modifiers, &mut out);
                    self.wheel(*unit, *delta, &mut out);
                }
                Event::Text(text) | Event::Ime(egui::ImeEvent::Commit(text))
                    if !text.is_empty() && !drop_text =>
                {
                    out.push(InputEvent::Key(KeyEvent::Text(text.clone())))
                }
                Event::Key {
                    key,
                    pressed,
                    modifiers,
                    ..
                } => self.key(*key, *pressed, *modifiers, &mut out),
                Event::Copy => self.clipboard_chord('c', &mut out),
                Event::Cut => self.clipboard_chord('x', &mut out),
                Event::Paste(_) | Event::PasteImage(_) => self.clipboard_chord('v', &mut out),
                _ => {}
            }
        }
        self.move_to(pending_move, &mut out);
        self.release_up_to(now_modifiers, &mut out);
        out
    }

    /// Releases everything held on the remote side (the view lost focus or control ended).
    pub fn release_all(&mut self) -> Vec<InputEvent> {
        let mut out = Vec::new();
        for key in self.keys.drain() {
            out.push(InputEvent::Key(KeyEvent::Key { key, down: false }));
        }
        for button in self.buttons.drain() {
            out.push(InputEvent::Mouse(MouseEvent::Button {
                button,
                down: false,
            }));
        }
        self.release_up_to(Modifiers::NONE, &mut out);
        self.last_px = None;
        self.seen_down.clear();
        self.chords_sent.clear();
        self.drop_text = false;
        out
    }

    /// True if anything is held on the remote side.
    pub fn holds_anything(&self) -> bool {
        !self.buttons.is_empty() || !self.keys.is_empty() || !self.held.is_none()
    }

    fn move_to(&mut self, px: Option<[i32; 2]>, out: &mut Vec<InputEvent>) {
        if let Some([x, y]) = px {
            if self.last_px != Some([x, y]) {
                self.last_px = Some([x, y]);
                out.push(InputEvent::Mouse(MouseEvent::MoveTo { x, y }));
            }
        }
    }

    fn press(&mut self, key: Key, modifiers: Modifiers, out: &mut Vec<InputEvent>) {
        self.hold(modifiers, out);
        // A repeated press (auto-repeat) is sent again, as a keyboard would.
        self.keys.insert(key);
        out.push(InputEvent::Key(KeyEvent::Key { key, down: true }));
    }

    fn release(&mut self, key: Key, modifiers: Modifiers, out: &mut Vec<InputEvent>) {
        // Only keys pressed remotely are released: a release whose press went elsewhere (before
        // the view had focus) is not for the customer.
        if self.keys.remove(&key) {
            self.release_up_to(modifiers, out);
            out.push(InputEvent::Key(KeyEvent::Key { key, down: false }));
        }
    }

    fn key(
        &mut self,
        key: egui::Key,
        pressed: bool,
        modifiers: Modifiers,
        out: &mut Vec<InputEvent>,
    ) {
        match mapped_key(key) {
            Some(Mapped::Named(k)) if pressed => self.press(k, modifiers, out),
            Some(Mapped::Named(k)) => self.release(k, modifiers, out),
            Some(Mapped::Char(c)) => {
                let remote = if c == ' ' { Key::Space } else { Key::Char(c) };
                let chorded = modifiers.ctrl || modifiers.alt || modifiers.mac_cmd;
                if pressed {
                    self.seen_down.insert(c);
                    if chorded {
                        self.press(remote, modifiers, out);
                        // winit reports Alt+letter as text too (Ctrl/Cmd chords it does not).
                        self.drop_text = modifiers.alt && !modifiers.ctrl && !modifiers.mac_cmd;
                    } else {
                        // Typed from the `Event::Text` that follows; modifiers the agent no
                        // longer holds (after Shift+arrows, say) must not change it remotely.
                        self.release_up_to(modifiers, out);
                    }
                    return;
                }
                let seen = self.seen_down.remove(&c);
                if self.keys.contains(&remote) {
                    self.release(remote, modifiers, out);
                } else if self.chords_sent.remove(&c) {
                    // The release of a clipboard shortcut already replayed.
                } else if !seen
                    && matches!(c, 'c' | 'x' | 'v')
                    && (modifiers.command || modifiers.ctrl || modifiers.mac_cmd)
                {
                    // egui swallowed the press (Ctrl+V with nothing to paste locally).
                    self.clipboard_chord(c, out);
                    self.chords_sent.remove(&c);
                }
            }
            None => {}
        }
    }

    /// A clipboard shortcut egui turned into a Copy/Cut/Paste event: replay it as Ctrl+`c`
    /// (egui raises these for exactly Ctrl, or Cmd on a Mac, which is Ctrl on the customer's
    /// side).
    fn clipboard_chord(&mut self, c: char, out: &mut Vec<InputEvent>) {
        self.hold(Modifiers::CTRL, out);
        for down in [true, false] {
            out.push(InputEvent::Key(KeyEvent::Key {
                key: Key::Char(c),
                down,
            }));
        }
        self.keys.remove(&Key::Char(c));
        self.chords_sent.insert(c);
    }

    fn wheel(&mut self, unit: MouseWheelUnit, delta: Vec2, out: &mut Vec<InputEvent>) {
        let notches = match unit {
            MouseWheelUnit::Line => delta,
            MouseWheelUnit::Point => delta * NOTCHES_PER_POINT,
            MouseWheelUnit::Page => delta * NOTCHES_PER_PAGE,
        };
        // egui: positive y moves the content down (scrolls up); the input model's positive dy
        // scrolls down.
        self.scroll -= notches;
        let (dx, dy) = (self.scroll.x.trunc(), self.scroll.y.trunc());
        self.scroll -= egui::vec2(dx, dy);
        if dx != 0.0 || dy != 0.0 {
            out.push(InputEvent::Mouse(MouseEvent::Scroll {
                dx: dx as i32,
                dy: dy as i32,
            }));
        }
    }

    /// Presses or releases remote modifiers so that they equal `want`.
    fn hold(&mut self, want: Modifiers, out: &mut Vec<InputEvent>) {
        for (key, held, wanted) in modifier_bits(self.held, want) {
            if held != wanted {
                out.push(InputEvent::Key(KeyEvent::Key { key, down: wanted }));
            }
        }
        self.held = Modifiers {
            command: false,
            ..want
        };
    }

    /// Releases remote modifiers the agent no longer holds (never presses any).
    fn release_up_to(&mut self, now: Modifiers, out: &mut Vec<InputEvent>) {
        let keep = Modifiers {
            alt: self.held.alt && now.alt,
            ctrl: self.held.ctrl && now.ctrl,
            shift: self.held.shift && now.shift,
            mac_cmd: self.held.mac_cmd && now.mac_cmd,
            command: false,
        };
        self.hold(keep, out);
    }
}

fn modifier_bits(held: Modifiers, want: Modifiers) -> [(Key, bool, bool); 4] {
    [
        (Key::Control, held.ctrl, want.ctrl),
        (Key::Shift, held.shift, want.shift),
        (Key::Alt, held.alt, want.alt),
        (Key::Meta, held.mac_cmd, want.mac_cmd),
    ]
}

fn mouse_button(b: egui::PointerButton) -> Option<MouseButton> {
    match b {
        egui::PointerButton::Primary => Some(MouseButton::Left),
        egui::PointerButton::Secondary => Some(MouseButton::Right),
        egui::PointerButton::Middle => Some(MouseButton::Middle),
        _ => None,
    }
}

/// An egui key as the input model knows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mapped {
    /// A named key.
    Named(Key),
    /// A letter or digit (lower case), ASCII punctuation or space, sent only with
    /// Ctrl/Alt/Super (typed text arrives as `Event::Text`).
    Char(char),
}

/// Maps an egui key; `None` for keys the input model does not carry.
pub fn mapped_key(key: egui::Key) -> Option<Mapped> {
    use egui::Key as E;
    let named = match key {
        E::Enter => Key::Enter,
        E::Backspace => Key::Backspace,
        E::Tab => Key::Tab,
        E::Escape => Key::Escape,
        E::Delete => Key::Delete,
        E::Insert => Key::Insert,
        E::ArrowLeft => Key::ArrowLeft,
        E::ArrowRight => Key::ArrowRight,
        E::ArrowUp => Key::ArrowUp,
        E::ArrowDown => Key::ArrowDown,
        E::Home => Key::Home,
        E::End => Key::End,
        E::PageUp => Key::PageUp,
        E::PageDown => Key::PageDown,
        E::F1 => Key::F(1),
        E::F2 => Key::F(2),
        E::F3 => Key::F(3),
        E::F4 => Key::F(4),
        E::F5 => Key::F(5),
        E::F6 => Key::F(6),
        E::F7 => Key::F(7),
        E::F8 => Key::F(8),
        E::F9 => Key::F(9),
        E::F10 => Key::F(10),
        E::F11 => Key::F(11),
        E::F12 => Key::F(12),
        E::Space => return Some(Mapped::Char(' ')),
        // Punctuation for shortcuts such as Ctrl+Minus or Ctrl+/ (egui's names are words).
        E::Minus => return Some(Mapped::Char('-')),
        E::Equals => return Some(Mapped::Char('=')),
        E::Plus => return Some(Mapped::Char('+')),
        E::Comma => return Some(Mapped::Char(',')),
        E::Period => return Some(Mapped::Char('.')),
        E::Slash => return Some(Mapped::Char('/')),
        E::Backslash => return Some(Mapped::Char('\\')),
        E::Semicolon => return Some(Mapped::Char(';')),
        E::Quote => return Some(Mapped::Char('\'')),
        E::Backtick => return Some(Mapped::Char('`')),
        E::OpenBracket => return Some(Mapped::Char('[')),
        E::CloseBracket => return Some(Mapped::Char(']')),
        other => {
            let name = other.name();
            let mut chars = name.chars();
            return match (chars.next(), chars.next()) {
                (Some(c), None) if c.is_ascii_alphanumeric() => {
                    Some(Mapped::Char(c.to_ascii_lowercase()))
                }
                _ => None,
            };
        }
    };
    Some(Mapped::Named(named))
}

/// A key combination the remote window's Send keys menu sends (issue 15): keys the agent's own
/// desktop would take for itself (Ctrl+Alt+Del, the Windows key, Alt+Tab).
///
/// What the customer's computer does with them is up to its OS: X11 desktops get the keys as
/// typed; Windows never lets a program fake the secure attention sequence (Ctrl+Alt+Del), so
/// there it reaches the focused program as ordinary keys (unverified on Windows).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyCombo {
    /// Ctrl+Alt+Del.
    CtrlAltDel,
    /// The Windows (Super) key alone: opens the start menu.
    Win,
    /// Alt+Tab: switches to the previous window.
    AltTab,
}

impl KeyCombo {
    /// Every combination, in menu order.
    pub const ALL: [KeyCombo; 3] = [KeyCombo::CtrlAltDel, KeyCombo::Win, KeyCombo::AltTab];

    /// The events of the combination: modifiers pressed first, everything released in reverse
    /// order, nothing left held.
    pub fn events(self) -> Vec<InputEvent> {
        let keys: &[Key] = match self {
            KeyCombo::CtrlAltDel => &[Key::Control, Key::Alt, Key::Delete],
            KeyCombo::Win => &[Key::Meta],
            KeyCombo::AltTab => &[Key::Alt, Key::Tab],
        };
        let press = |key: Key, down: bool| InputEvent::Key(KeyEvent::Key { key, down });
        keys.iter()
            .map(|k| press(*k, true))
            .chain(keys.iter().rev().map(|k| press(*k, false)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use egui::pos2;

    fn px(p: Pos2) -> Option<[i32; 2]> {
        (p.x >= 0.0 && p.y >= 0.0).then_some([p.x as i32 * 2, p.y as i32 * 2])
    }

    fn key(key: egui::Key, pressed: bool, modifiers: Modifiers) -> Event {
        Event::Key {
            key,
            physical_key: None,
            pressed,
            repeat: false,
            modifiers,
        }
    }

    #[test]
    fn key_combos_press_in_order_and_release_everything() {
        let k = |key: Key, down: bool| InputEvent::Key(KeyEvent::Key { key, down });
        assert_eq!(
            KeyCombo::CtrlAltDel.events(),
            vec![
                k(Key::Control, true),
                k(Key::Alt, true),
                k(Key::Delete, true),
                k(Key::Delete, false),
                k(Key::Alt, false),
                k(Key::Control, false),
            ]
        );
        assert_eq!(
            KeyCombo::Win.events(),
            vec![k(Key::Meta, true), k(Key::Meta, false)]
        );
        for combo in KeyCombo::ALL {
            let events = combo.events();
            let downs = events
                .iter()
                .filter(|e| matches!(e, InputEvent::Key(KeyEvent::Key { down: true, .. })))
                .count();
            assert_eq!(downs * 2, events.len(), "{combo:?}");
        }
    }

    #[test]
    fn moves_coalesce_and_clicks_land_where_made() {
        let mut r = RemoteInput::default();
        let events = [
            Event::PointerMoved(pos2(1.0, 1.0)),
            Event::PointerMoved(pos2(2.0, 2.0)),
            Event::PointerButton {
                pos: pos2(3.0, 3.0),
                button: egui::PointerButton::Primary,
                pressed: true,
                modifiers: Modifiers::NONE,
            },
            Event::PointerMoved(pos2(4.0, 4.0)),
            Event::PointerMoved(pos2(5.0, 5.0)),
        ];
        let out = r.translate(&events, px, Modifiers::NONE);
        assert_eq!(
            out,
            vec![
                InputEvent::Mouse(MouseEvent::MoveTo { x: 6, y: 6 }),
                InputEvent::Mouse(MouseEvent::Button {
                    button: MouseButton::Left,
                    down: true
                }),
                InputEvent::Mouse(MouseEvent::MoveTo { x: 10, y: 10 }),
            ]
        );
        // A press outside the image is not sent; the held button is released on blur.
        let outside = [Event::PointerButton {
            pos: pos2(-1.0, 0.0),
            button: egui::PointerButton::Secondary,
            pressed: true,
            modifiers: Modifiers::NONE,
        }];
        assert!(r.translate(&outside, px, Modifiers::NONE).is_empty());
        assert_eq!(
            r.release_all(),
            vec![InputEvent::Mouse(MouseEvent::Button {
                button: MouseButton::Left,
                down: false
            })]
        );
    }

    #[test]
    fn text_named_keys_and_ctrl_letters() {
        let mut r = RemoteInput::default();
        let events = [
            key(egui::Key::A, true, Modifiers::SHIFT),
            Event::Text("A你好".into()),
            key(egui::Key::A, false, Modifiers::SHIFT),
            key(egui::Key::Enter, true, Modifiers::NONE),
            key(egui::Key::Enter, false, Modifiers::NONE),
            key(egui::Key::C, true, Modifiers::CTRL),
            key(egui::Key::C, false, Modifiers::CTRL),
        ];
        let out = r.translate(&events, px, Modifiers::NONE);
        let k = |key, down| InputEvent::Key(KeyEvent::Key { key, down });
        assert_eq!(
            out,
            vec![
                InputEvent::Key(KeyEvent::Text("A你好".into())),
                k(Key::Enter, true),
                k(Key::Enter, false),
                k(Key::Control, true),
                k(Key::Char('c'), true),
                k(Key::Char('c'), false),
                k(Key::Control, false),
            ]
        );
        assert!(!r.holds_anything());
    }

    #[test]
    fn wheel_lines_and_points_become_notches() {
        let mut r = RemoteInput::default();
        let wheel = |unit, y| Event::MouseWheel {
            unit,
            delta: egui::vec2(0.0, y),
            phase: egui::TouchPhase::Move,
            source: egui::MouseWheelSource::Unknown,
            modifiers: Modifiers::NONE,
        };
        let out = r.translate(&[wheel(MouseWheelUnit::Line, -2.0)], px, Modifiers::NONE);
        assert_eq!(
            out,
            vec![InputEvent::Mouse(MouseEvent::Scroll { dx: 0, dy: 2 })]
        );
        assert!(r
            .translate(&[wheel(MouseWheelUnit::Point, 20.0)], px, Modifiers::NONE)
            .is_empty());
        let out = r.translate(&[wheel(MouseWheelUnit::Point, 20.0)], px, Modifiers::NONE);
        assert_eq!(
            out,
            vec![InputEvent::Mouse(MouseEvent::Scroll { dx: 0, dy: -1 })]
        );
        assert_eq!(mapped_key(egui::Key::Num7), Some(Mapped::Char('7')));
        assert_eq!(mapped_key(egui::Key::F12), Some(Mapped::Named(Key::F(12))));
    }

    fn k(key: Key, down: bool) -> InputEvent {
        InputEvent::Key(KeyEvent::Key { key, down })
    }

    fn button(button: egui::PointerButton, x: f32, y: f32, pressed: bool) -> Event {
        Event::PointerButton {
            pos: pos2(x, y),
            button,
            pressed,
            modifiers: Modifiers::NONE,
        }
    }

    fn left(down: bool) -> InputEvent {
        InputEvent::Mouse(MouseEvent::Button {
            button: MouseButton::Left,
            down,
        })
    }

    #[test]
    fn clipboard_shortcuts_are_replayed_as_ctrl_keys_not_pasted() {
        let mut r = RemoteInput::default();
        // Ctrl+C: egui-winit gives Copy instead of the press, then the release of C.
        let out = r.translate(
            &[Event::Copy, key(egui::Key::C, false, Modifiers::CTRL)],
            px,
            Modifiers::CTRL,
        );
        assert_eq!(
            out,
            vec![
                k(Key::Control, true),
                k(Key::Char('c'), true),
                k(Key::Char('c'), false)
            ]
        );
        // Ctrl+V with text on the agent's clipboard: a Ctrl+V, never the agent's text.
        let out = r.translate(
            &[
                Event::Paste("agent secret".into()),
                key(egui::Key::V, false, Modifiers::CTRL),
            ],
            px,
            Modifiers::CTRL,
        );
        assert_eq!(out, vec![k(Key::Char('v'), true), k(Key::Char('v'), false)]);
        assert!(!out
            .iter()
            .any(|e| matches!(e, InputEvent::Key(KeyEvent::Text(_)))));
        // Ctrl+X, then the agent lets go of Ctrl.
        let out = r.translate(
            &[Event::Cut, key(egui::Key::X, false, Modifiers::CTRL)],
            px,
            Modifiers::NONE,
        );
        assert_eq!(
            out,
            vec![
                k(Key::Char('x'), true),
                k(Key::Char('x'), false),
                k(Key::Control, false)
            ]
        );
        // Ctrl+V with nothing on the agent's clipboard: egui reports only the release.
        let out = r.translate(
            &[key(egui::Key::V, false, Modifiers::CTRL)],
            px,
            Modifiers::NONE,
        );
        assert_eq!(
            out,
            vec![
                k(Key::Control, true),
                k(Key::Char('v'), true),
                k(Key::Char('v'), false),
                k(Key::Control, false)
            ]
        );
        // A plain v typed is text, and its release is no shortcut.
        let out = r.translate(
            &[
                key(egui::Key::V, true, Modifiers::NONE),
                Event::Text("v".into()),
                key(egui::Key::V, false, Modifiers::NONE),
            ],
            px,
            Modifiers::NONE,
        );
        assert_eq!(out, vec![InputEvent::Key(KeyEvent::Text("v".into()))]);
        // Ctrl+Shift+C (a terminal's copy) is not a clipboard event in egui: an ordinary chord.
        let cs = Modifiers::CTRL | Modifiers::SHIFT;
        let out = r.translate(
            &[key(egui::Key::C, true, cs), key(egui::Key::C, false, cs)],
            px,
            Modifiers::NONE,
        );
        assert_eq!(
            out,
            vec![
                k(Key::Control, true),
                k(Key::Shift, true),
                k(Key::Char('c'), true),
                k(Key::Char('c'), false),
                k(Key::Control, false),
                k(Key::Shift, false),
            ]
        );
        assert!(!r.holds_anything());
    }

    #[test]
    fn alt_tab_holds_alt_across_frames() {
        let mut r = RemoteInput::default();
        let out = r.translate(
            &[
                key(egui::Key::Tab, true, Modifiers::ALT),
                key(egui::Key::Tab, false, Modifiers::ALT),
            ],
            px,
            Modifiers::ALT,
        );
        assert_eq!(
            out,
            vec![k(Key::Alt, true), k(Key::Tab, true), k(Key::Tab, false)]
        );
        let out = r.translate(
            &[
                key(egui::Key::Tab, true, Modifiers::ALT),
                key(egui::Key::Tab, false, Modifiers::ALT),
            ],
            px,
            Modifiers::ALT,
        );
        assert_eq!(out, vec![k(Key::Tab, true), k(Key::Tab, false)]);
        assert_eq!(
            r.translate(&[], px, Modifiers::NONE),
            vec![k(Key::Alt, false)]
        );
        // Alt+F: winit reports an "f" text too, which must not be typed.
        let out = r.translate(
            &[
                key(egui::Key::F, true, Modifiers::ALT),
                Event::Text("f".into()),
                key(egui::Key::F, false, Modifiers::ALT),
            ],
            px,
            Modifiers::NONE,
        );
        assert_eq!(
            out,
            vec![
                k(Key::Alt, true),
                k(Key::Char('f'), true),
                k(Key::Char('f'), false),
                k(Key::Alt, false)
            ]
        );
    }

    #[test]
    fn shift_is_held_remotely_while_arrows_are_pressed() {
        let mut r = RemoteInput::default();
        let out = r.translate(
            &[
                key(egui::Key::ArrowLeft, true, Modifiers::SHIFT),
                key(egui::Key::ArrowLeft, false, Modifiers::SHIFT),
                key(egui::Key::ArrowRight, true, Modifiers::SHIFT),
            ],
            px,
            Modifiers::SHIFT,
        );
        assert_eq!(
            out,
            vec![
                k(Key::Shift, true),
                k(Key::ArrowLeft, true),
                k(Key::ArrowLeft, false),
                k(Key::ArrowRight, true),
            ]
        );
        assert!(r.holds_anything());
        // Shift let go first, then the arrow; then plain typing: Shift is up before the text.
        let out = r.translate(
            &[
                key(egui::Key::ArrowRight, false, Modifiers::NONE),
                key(egui::Key::A, true, Modifiers::NONE),
                Event::Text("a".into()),
            ],
            px,
            Modifiers::NONE,
        );
        assert_eq!(
            out,
            vec![
                k(Key::Shift, false),
                k(Key::ArrowRight, false),
                InputEvent::Key(KeyEvent::Text("a".into())),
            ]
        );
        assert!(!r.holds_anything());
    }

    #[test]
    fn function_and_editing_keys_are_named_keys() {
        use egui::Key as E;
        let cases = [
            (E::F1, Key::F(1)),
            (E::F5, Key::F(5)),
            (E::F12, Key::F(12)),
            (E::Escape, Key::Escape),
            (E::Home, Key::Home),
            (E::End, Key::End),
            (E::PageUp, Key::PageUp),
            (E::PageDown, Key::PageDown),
            (E::Delete, Key::Delete),
            (E::Insert, Key::Insert),
            (E::Backspace, Key::Backspace),
            (E::ArrowUp, Key::ArrowUp),
            (E::ArrowDown, Key::ArrowDown),
        ];
        let mut r = RemoteInput::default();
        for (egui_key, remote) in cases {
            let out = r.translate(
                &[
                    key(egui_key, true, Modifiers::NONE),
                    key(egui_key, false, Modifiers::NONE),
                ],
                px,
                Modifiers::NONE,
            );
            assert_eq!(out, vec![k(remote, true), k(remote, false)], "{egui_key:?}");
        }
        for n in 1..=12u8 {
            let egui_key = egui::Key::from_name(&format!("F{n}")).expect("F key");
            assert_eq!(mapped_key(egui_key), Some(Mapped::Named(Key::F(n))));
        }
        assert_eq!(mapped_key(E::Minus), Some(Mapped::Char('-')));
        // A release whose press went elsewhere is not sent.
        assert!(r
            .translate(
                &[key(E::Escape, false, Modifiers::NONE)],
                px,
                Modifiers::NONE
            )
            .is_empty());
    }

    #[test]
    fn double_click_is_two_press_release_pairs() {
        let mut r = RemoteInput::default();
        let p = egui::PointerButton::Primary;
        let out = r.translate(
            &[
                Event::PointerMoved(pos2(10.0, 10.0)),
                button(p, 10.0, 10.0, true),
                button(p, 10.0, 10.0, false),
                button(p, 10.0, 10.0, true),
                button(p, 10.0, 10.0, false),
            ],
            px,
            Modifiers::NONE,
        );
        assert_eq!(
            out,
            vec![
                InputEvent::Mouse(MouseEvent::MoveTo { x: 20, y: 20 }),
                left(true),
                left(false),
                left(true),
                left(false),
            ]
        );
    }

    #[test]
    fn drag_is_press_moves_release() {
        let mut r = RemoteInput::default();
        let p = egui::PointerButton::Primary;
        let shift_press = Event::PointerButton {
            pos: pos2(10.0, 10.0),
            button: p,
            pressed: true,
            modifiers: Modifiers::SHIFT,
        };
        let mut out = r.translate(&[shift_press], px, Modifiers::SHIFT);
        out.extend(r.translate(
            &[Event::PointerMoved(pos2(15.0, 12.0))],
            px,
            Modifiers::SHIFT,
        ));
        out.extend(r.translate(
            &[
                Event::PointerMoved(pos2(20.0, 14.0)),
                Event::PointerButton {
                    pos: pos2(30.0, 15.0),
                    button: p,
                    pressed: false,
                    modifiers: Modifiers::SHIFT,
                },
            ],
            px,
            Modifiers::NONE,
        ));
        assert_eq!(
            out,
            vec![
                InputEvent::Mouse(MouseEvent::MoveTo { x: 20, y: 20 }),
                k(Key::Shift, true),
                left(true),
                InputEvent::Mouse(MouseEvent::MoveTo { x: 30, y: 24 }),
                InputEvent::Mouse(MouseEvent::MoveTo { x: 60, y: 30 }),
                left(false),
                k(Key::Shift, false),
            ]
        );
    }

    #[test]
    fn release_all_lets_go_of_keys_buttons_and_modifiers() {
        let mut r = RemoteInput::default();
        let both = Modifiers::CTRL | Modifiers::SHIFT;
        r.translate(
            &[
                key(egui::Key::ArrowDown, true, Modifiers::SHIFT),
                key(egui::Key::A, true, both),
                Event::PointerButton {
                    pos: pos2(1.0, 1.0),
                    button: egui::PointerButton::Secondary,
                    pressed: true,
                    modifiers: both,
                },
            ],
            px,
            Modifiers::CTRL | Modifiers::SHIFT,
        );
        assert!(r.holds_anything());
        let mut out = r.release_all();
        assert!(!r.holds_anything());
        // Keys (in any order) first, then buttons, then modifiers.
        let keys: HashSet<_> = out.drain(..2).map(|e| format!("{e:?}")).collect();
        assert_eq!(
            keys,
            [k(Key::ArrowDown, false), k(Key::Char('a'), false)]
                .iter()
                .map(|e| format!("{e:?}"))
                .collect()
        );
        assert_eq!(
            out,
            vec![
                InputEvent::Mouse(MouseEvent::Button {
                    button: MouseButton::Right,
                    down: false
                }),
                k(Key::Control, false),
                k(Key::Shift, false),
            ]
        );
        assert!(r.release_all().is_empty());
    }
}
