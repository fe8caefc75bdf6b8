//! Capture and injection against a real X display. Skipped (passes with a note) when DISPLAY is
//! unset or xterm/xdotool are missing; run under Xvfb, e.g.
//! `Xvfb :52 -screen 0 1920x1080x24 & DISPLAY=:52 cargo test -p porpoise-helper --test it x11_desktop`.
//!
//! Everything is in one test so that the steps do not fight over the pointer and focus.
#![cfg(target_os = "linux")]

use std::{
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use porpoise_helper::{
    capture::{make_capture, screen_geometry},
    input::{EnigoInjector, InputInjector},
};
use porpoise_protocol::input::{InputEvent, KeyEvent, MouseEvent};
use porpoise_quic::screen::ScreenSource;

fn tool_exists(name: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {name}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

struct Kill(Child);

impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Window id of the newest window with `name`, waiting up to 10 s.
fn wait_window(name: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let out = Command::new("xdotool")
            .args(["search", "--sync", "--name", name])
            .output()
            .expect("xdotool");
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        if let Some(id) = text.lines().last() {
            return id.trim().to_owned();
        }
        assert!(Instant::now() < deadline, "window {name} did not appear");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// BGRX pixel at (x, y) of one fresh capture.
fn pixel_at(x: u32, y: u32) -> [u8; 3] {
    let mut capture = make_capture().expect("capture");
    let mut px = [0u8; 3];
    // One grab is the current screen (the old scrap backend returned each frame one call late).
    capture
        .capture(&mut |f| {
            let i = y as usize * f.stride + x as usize * 4;
            px = [f.bgra[i], f.bgra[i + 1], f.bgra[i + 2]];
        })
        .expect("frame");
    px
}

#[test]
fn capture_and_inject_on_a_real_display() {
    if std::env::var_os("DISPLAY").is_none() || !tool_exists("xterm") || !tool_exists("xdotool") {
        eprintln!("skipped: needs DISPLAY, xterm and xdotool");
        return;
    }
    let geometry = screen_geometry().expect("geometry");
    assert!(geometry.width > 0 && geometry.height > 0, "{geometry:?}");

    // 1. Capture sees a red xterm at its place.
    let _red = Kill(
        Command::new("xterm")
            .args([
                "-T",
                "porpoise-red",
                "-bg",
                "#ff0000",
                "-geometry",
                "40x10+100+100",
            ])
            .spawn()
            .expect("xterm"),
    );
    wait_window("porpoise-red");
    std::thread::sleep(Duration::from_millis(500));
    let [b, g, r] = pixel_at(120, 160);
    assert!(
        r > 200 && g < 50 && b < 50,
        "expected red at (120,160), got r={r} g={g} b={b}"
    );

    // 2. Pointer moves land where asked (clamped into the screen).
    let mut injector = EnigoInjector::new().expect("enigo");
    injector
        .inject(&InputEvent::Mouse(MouseEvent::MoveTo { x: 321, y: 234 }))
        .expect("move");
    assert_eq!(pointer(), (321, 234));
    injector
        .inject(&InputEvent::Mouse(MouseEvent::MoveTo { x: 99_999, y: -5 }))
        .expect("move");
    assert_eq!(pointer(), (geometry.width as i32 - 1, 0));

    // 3. Text, including Chinese, arrives in a focused window.
    let out = tempfile::NamedTempFile::new().expect("temp");
    let path = out.path().to_string_lossy().to_string();
    let _typing = Kill(
        Command::new("xterm")
            .args([
                "-T",
                "porpoise-typing",
                "-u8",
                "-geometry",
                "60x10+600+100",
                "-e",
                "sh",
                "-c",
                &format!("stty -echo; cat > {path}"),
            ])
            .env("LC_ALL", "C.UTF-8")
            .spawn()
            .expect("xterm"),
    );
    let win = wait_window("porpoise-typing");
    std::thread::sleep(Duration::from_millis(500));
    Command::new("xdotool")
        .args(["windowfocus", "--sync", &win])
        .status()
        .expect("focus");
    injector
        .inject(&InputEvent::Key(KeyEvent::Text("hello 你好\n".into())))
        .expect("text");
    let deadline = Instant::now() + Duration::from_secs(5);
    let typed = loop {
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        if text.contains('\n') || Instant::now() > deadline {
            break text;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(typed, "hello 你好\n");
}

fn pointer() -> (i32, i32) {
    std::thread::sleep(Duration::from_millis(50));
    let out = Command::new("xdotool")
        .args(["getmouselocation", "--shell"])
        .output()
        .expect("xdotool");
    let text = String::from_utf8_lossy(&out.stdout);
    let get = |k: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("{k}=")))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(-1)
    };
    (get("X"), get("Y"))
}
