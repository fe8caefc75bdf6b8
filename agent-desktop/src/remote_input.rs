//! Turns the agent's egui input over the screen view into [`InputEvent`]s for the customer's
//! computer (remote control).
//!
//! Per frame at most one pointer move is sent (the last position, or the position of a button
//! event so that clicks land where they were made). Typed text goes as [`KeyEvent::Text`];
//! named keys as key down/up; Ctrl/Alt/Super + a letter or digit as [`Key::Char`]. Modifier
//! keys are pressed on the remote side only right before a key, button or wheel event that
//! carries them (so plain typing of capitals never leaves Shift held there) and released as
//! soon as the agent releases them.

use std::collections::HashSet;

use egui::{Event, Modifiers, MouseWheelUnit, Pos2, Vec2};
use porpoise_shared::input::{InputEvent, Key, KeyEvent, MouseButton, MouseEvent};

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
    /// Character keys pressed on the remote side.
    chars: HashSet<char>,
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
                    self.hold(*modifiers, &mut out);
                    if *pressed {
                        self.buttons.insert(b);
                    } else {
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
                Event::Text(text) if !text.is_empty() => {
                    out.push(InputEvent::Key(KeyEvent::Text(text.clone())))
                }
                Event::Ime(egui::ImeEvent::Commit(text)) if !text.is_empty() => {
                    out.push(InputEvent::Key(KeyEvent::Text(text.clone())));
                }
                Event::Key {
                    key,
                    pressed,
                    modifiers,
                    ..
                } => self.key(*key, *pressed, *modifiers, &mut out),
                Event::Copy => self.chord(now_modifiers, 'c', &mut out),
                Event::Cut => self.chord(now_modifiers, 'x', &mut out),
                Event::Paste(_) => self.chord(now_modifiers, 'v', &mut out),
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
        for c in self.chars.drain() {
            let key = if c == ' ' { Key::Space } else { Key::Char(c) };
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
        out
    }

    /// True if anything is held on the remote side.
    pub fn holds_anything(&self) -> bool {
        !self.buttons.is_empty() || !self.chars.is_empty() || !self.held.is_none()
    }

    fn move_to(&mut self, px: Option<[i32; 2]>, out: &mut Vec<InputEvent>) {
        if let Some([x, y]) = px {
            if self.last_px != Some([x, y]) {
                self.last_px = Some([x, y]);
                out.push(InputEvent::Mouse(MouseEvent::MoveTo { x, y }));
            }
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
            Some(Mapped::Named(k)) => {
                self.hold(modifiers, out);
                out.push(InputEvent::Key(KeyEvent::Key {
                    key: k,
                    down: pressed,
                }));
            }
            Some(Mapped::Char(c)) => {
                let chorded = modifiers.ctrl || modifiers.alt || modifiers.mac_cmd;
                let remote = if c == ' ' { Key::Space } else { Key::Char(c) };
                if pressed && chorded {
                    self.hold(modifiers, out);
                    self.chars.insert(c);
                    out.push(InputEvent::Key(KeyEvent::Key {
                        key: remote,
                        down: true,
                    }));
                } else if !pressed && self.chars.remove(&c) {
                    out.push(InputEvent::Key(KeyEvent::Key {
                        key: remote,
                        down: false,
                    }));
                }
                // Unchorded letters arrive as `Event::Text` too; they are typed from that.
            }
            None => {}
        }
    }

    /// A clipboard shortcut egui turned into a Copy/Cut/Paste event: replay it as Ctrl+`c`.
    fn chord(&mut self, modifiers: Modifiers, c: char, out: &mut Vec<InputEvent>) {
        let modifiers = Modifiers {
            ctrl: true,
            ..modifiers
        };
        self.hold(modifiers, out);
        out.push(InputEvent::Key(KeyEvent::Key {
            key: Key::Char(c),
            down: true,
        }));
        out.push(InputEvent::Key(KeyEvent::Key {
            key: Key::Char(c),
            down: false,
        }));
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
    /// A letter or digit (lower case) or space, sent only with Ctrl/Alt/Super (typed text
    /// arrives as `Event::Text`).
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
}
