//! X11 screen capture ([`porpoise_platform::capture`]) against private Xvfb servers: pixels,
//! change notification, monitors and the cursor. Skipped (passes with a note) when Xvfb, xterm,
//! xdotool or ImageMagick's `import` is missing.
//!
//! Run: `cargo test -p porpoise-platform --test it x11_capture`.
#![cfg(target_os = "linux")]

use std::{
    io::{BufRead, BufReader},
    process::{Child, Command, Stdio},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use porpoise_codec::stream::{CursorUpdate, ScreenSource};
use porpoise_platform::capture::{ScreenCapture, ScreenGeometry};
use x11rb::{
    connection::Connection,
    protocol::{randr, xproto::ConnectionExt as _},
    rust_connection::RustConnection,
};

fn tool_exists(name: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {name}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn tools_missing() -> bool {
    let missing: Vec<_> = ["Xvfb", "xterm", "xdotool", "import"]
        .into_iter()
        .filter(|t| !tool_exists(t))
        .collect();
    if !missing.is_empty() {
        eprintln!("skipped: {missing:?} not installed");
    }
    !missing.is_empty()
}

/// A private Xvfb plus its clients, all killed on drop.
struct Xvfb {
    display: String,
    children: Vec<Child>,
}

impl Xvfb {
    fn start(width: u32, height: u32) -> Xvfb {
        Self::start_with(width, height, &[])
    }

    fn start_with(width: u32, height: u32, extra: &[&str]) -> Xvfb {
        let mut server = Command::new("Xvfb")
            .args(["-displayfd", "1", "-screen", "0"])
            .arg(format!("{width}x{height}x24"))
            .args(extra)
            .args(["-nolisten", "tcp", "-noreset"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("Xvfb");
        let mut line = String::new();
        BufReader::new(server.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("display number");
        let n: u32 = line.trim().parse().expect("Xvfb printed a display number");
        Xvfb {
            display: format!(":{n}"),
            children: vec![server],
        }
    }

    fn command(&self, program: &str) -> Command {
        let mut c = Command::new(program);
        c.env("DISPLAY", &self.display).stdin(Stdio::null());
        c
    }

    fn run(&self, program: &str, args: &[&str]) -> String {
        let out = self.command(program).args(args).output().expect(program);
        assert!(
            out.status.success(),
            "{program} {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Starts an xterm with title `title`, background `bg` and X geometry `geometry`, and waits
    /// until it is mapped and has drawn.
    fn xterm(&mut self, title: &str, bg: &str, geometry: &str) {
        let child = self
            .command("xterm")
            .args(["-T", title, "-bg", bg, "-fg", bg, "-geometry", geometry])
            .args(["+cm", "-e", "sleep", "600"])
            .spawn()
            .expect("xterm");
        self.children.push(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let out = self
                .command("xdotool")
                .args(["search", "--onlyvisible", "--name", title])
                .output()
                .expect("xdotool");
            if !String::from_utf8_lossy(&out.stdout).trim().is_empty() {
                break;
            }
            assert!(Instant::now() < deadline, "xterm {title} did not appear");
            std::thread::sleep(Duration::from_millis(100));
        }
        std::thread::sleep(Duration::from_millis(500));
    }

    /// The root window as RGB bytes (`import -window root`).
    fn screenshot_rgb(&self) -> Vec<u8> {
        let dir = tempfile_dir();
        let path = format!("{dir}/root.rgb");
        self.run(
            "import",
            &["-window", "root", "-depth", "8", &format!("rgb:{path}")],
        );
        let data = std::fs::read(&path).expect("screenshot");
        let _ = std::fs::remove_dir_all(&dir);
        data
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        for c in self.children.iter_mut().rev() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn tempfile_dir() -> String {
    let dir = std::env::temp_dir().join(format!(
        "porpoise-x11-capture-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir.to_string_lossy().into_owned()
}

/// One frame as tightly packed BGRX plus its size.
fn grab(capture: &mut ScreenCapture) -> (u32, u32, Vec<u8>) {
    let mut out = None;
    capture
        .capture(&mut |f| {
            let mut bytes = Vec::with_capacity(f.width as usize * f.height as usize * 4);
            for row in f.bgra.chunks(f.stride).take(f.height as usize) {
                bytes.extend_from_slice(&row[..f.width as usize * 4]);
            }
            out = Some((f.width, f.height, bytes));
        })
        .expect("capture");
    out.expect("X11 capture always delivers a frame")
}

fn rgb_at(frame: &(u32, u32, Vec<u8>), x: u32, y: u32) -> [u8; 3] {
    let i = (y * frame.0 + x) as usize * 4;
    [frame.2[i + 2], frame.2[i + 1], frame.2[i]]
}

/// Captures until `wait_for_change` reports a static screen (the xterms have settled).
fn settle(capture: &mut ScreenCapture) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        grab(capture);
        if !capture.wait_for_change(Duration::from_millis(300)) {
            return;
        }
        assert!(Instant::now() < deadline, "the screen never became static");
    }
}

#[test]
fn captured_pixels_equal_the_screen() {
    if tools_missing() {
        return;
    }
    let mut x = Xvfb::start(1920, 1080);
    x.xterm("porpoise-teal", "#1f8f7a", "40x10+100+100");
    let mut capture = ScreenCapture::with_display(&x.display).expect("capture");
    assert!(capture.uses_shared_memory(), "Xvfb has MIT-SHM");
    assert_eq!(capture.size(), (1920, 1080));
    let frame = grab(&mut capture);
    assert_eq!((frame.0, frame.1), (1920, 1080));
    assert_eq!(rgb_at(&frame, 150, 150), [0x1f, 0x8f, 0x7a]);

    let shot = x.screenshot_rgb();
    assert_eq!(shot.len(), 1920 * 1080 * 3);
    let mut differing = 0usize;
    for (px, rgb) in frame.2.chunks_exact(4).zip(shot.chunks_exact(3)) {
        if [px[2], px[1], px[0]] != [rgb[0], rgb[1], rgb[2]] {
            differing += 1;
        }
    }
    assert_eq!(differing, 0, "pixels differing from `import -window root`");
}

#[test]
fn wait_for_change_follows_drawing() {
    if tools_missing() {
        return;
    }
    let mut x = Xvfb::start(1280, 720);
    x.xterm("porpoise-first", "#202020", "40x10+10+10");
    let mut capture = ScreenCapture::with_display(&x.display).expect("capture");
    settle(&mut capture);
    // Static screen: false after the timeout, and it stays so.
    let start = Instant::now();
    assert!(!capture.wait_for_change(Duration::from_millis(200)));
    assert!(start.elapsed() >= Duration::from_millis(190));
    assert!(!capture.wait_for_change(Duration::from_millis(200)));

    // Something draws: true well before the (generous) timeout.
    x.xterm("porpoise-second", "#c03030", "30x5+300+300");
    let start = Instant::now();
    assert!(capture.wait_for_change(Duration::from_secs(10)));
    assert!(start.elapsed() < Duration::from_secs(5));
    // Still true until a capture took the change in.
    assert!(capture.wait_for_change(Duration::from_millis(10)));
    let frame = grab(&mut capture);
    assert_eq!(rgb_at(&frame, 320, 320), [0xc0, 0x30, 0x30]);

    // Drawing while blocked wakes the waiter.
    settle(&mut capture);
    let display = x.display.clone();
    let drawer = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        Command::new("xdotool")
            .env("DISPLAY", display)
            .args([
                "search",
                "--name",
                "porpoise-second",
                "windowmove",
                "600",
                "300",
            ])
            .status()
            .expect("xdotool")
    });
    let start = Instant::now();
    assert!(capture.wait_for_change(Duration::from_secs(10)));
    let woke = start.elapsed();
    assert!(drawer.join().expect("drawer").success());
    assert!(
        woke >= Duration::from_millis(250) && woke < Duration::from_secs(5),
        "woke after {woke:?}"
    );
}

/// Defines two RandR monitors side by side on a 3840×1080 root, "right" primary.
fn two_monitors(display: &str) {
    let (conn, screen) = RustConnection::connect(Some(display)).expect("connect");
    let root = conn.setup().roots[screen].root;
    randr::query_version(&conn, 1, 5)
        .expect("randr")
        .reply()
        .expect("randr 1.5");
    // Replace the automatic monitor of the one output by two monitors without outputs.
    let old = randr::get_monitors(&conn, root, false)
        .expect("get")
        .reply()
        .expect("monitors");
    for (name, x, primary) in [("porpoise-left", 0, false), ("porpoise-right", 1920, true)] {
        let atom = conn
            .intern_atom(false, name.as_bytes())
            .expect("atom")
            .reply()
            .expect("atom")
            .atom;
        randr::set_monitor(
            &conn,
            root,
            randr::MonitorInfo {
                name: atom,
                primary,
                automatic: false,
                x,
                y: 0,
                width: 1920,
                height: 1080,
                width_in_millimeters: 500,
                height_in_millimeters: 280,
                outputs: Vec::new(),
            },
        )
        .expect("set")
        .check()
        .expect("set_monitor");
    }
    for m in old.monitors {
        let _ = randr::delete_monitor(&conn, root, m.name).map(|c| c.check());
    }
    conn.flush().expect("flush");
}

#[test]
fn two_monitors_are_listed_and_selectable() {
    if tools_missing() {
        return;
    }
    let mut x = Xvfb::start(3840, 1080);
    x.xterm("porpoise-left", "#ff0000", "40x10+100+100");
    x.xterm("porpoise-right", "#0000ff", "40x10+2020+100");
    two_monitors(&x.display);

    let mut capture = ScreenCapture::with_display(&x.display).expect("capture");
    let shared = Arc::new(Mutex::new(ScreenGeometry {
        x: -1,
        y: -1,
        width: 0,
        height: 0,
    }));
    capture.share_geometry(shared.clone());
    let monitors = capture.monitors();
    let summary: Vec<_> = monitors
        .iter()
        .map(|m| (m.name.as_str(), m.x, m.y, m.width, m.height, m.primary))
        .collect();
    assert!(summary.len() >= 2, "{summary:?}");
    assert_eq!(
        summary[0],
        ("porpoise-right", 1920, 0, 1920, 1080, true),
        "{summary:?}"
    );
    assert!(
        summary.contains(&("porpoise-left", 0, 0, 1920, 1080, false)),
        "{summary:?}"
    );
    let left = summary
        .iter()
        .position(|m| m.0 == "porpoise-left")
        .expect("left") as u32;

    // Monitor 0 (primary, right half): the blue xterm at its place.
    assert_eq!(capture.size(), (1920, 1080));
    let frame = grab(&mut capture);
    assert_eq!((frame.0, frame.1), (1920, 1080));
    assert_eq!(rgb_at(&frame, 150, 150), [0, 0, 0xff]);
    assert_eq!(
        capture.geometry().desktop_px_from_remote_px(150, 150),
        (2070, 150)
    );
    assert_eq!(*shared.lock().expect("lock"), capture.geometry());

    // The left monitor: the red one.
    capture.select_monitor(left).expect("select");
    let g = capture.geometry();
    assert_eq!((g.x, g.y, g.width, g.height), (0, 0, 1920, 1080));
    assert_eq!(
        *shared.lock().expect("lock"),
        g,
        "the injector's geometry follows"
    );
    let frame = grab(&mut capture);
    assert_eq!(rgb_at(&frame, 150, 150), [0xff, 0, 0]);
    assert!(capture.select_monitor(monitors.len() as u32).is_err());

    // Back to the right half, comparing against the screenshot's right half.
    capture.select_monitor(0).expect("select");
    let frame = grab(&mut capture);
    let shot = x.screenshot_rgb();
    let mut differing = 0usize;
    for y in 0..1080usize {
        for xx in 0..1920usize {
            let s = (y * 3840 + 1920 + xx) * 3;
            let c = (y * 1920 + xx) * 4;
            if [frame.2[c + 2], frame.2[c + 1], frame.2[c]] != [shot[s], shot[s + 1], shot[s + 2]] {
                differing += 1;
            }
        }
    }
    assert_eq!(differing, 0);

    // The pointer on the left monitor is invisible on the right one, at its place on the left.
    x.run("xdotool", &["mousemove", "300", "400"]);
    let update = capture.cursor().expect("first update");
    assert!(!update.visible, "{update:?}");
    capture.select_monitor(left).expect("select");
    let update = capture.cursor().expect("update after selecting");
    assert_eq!((update.x, update.y, update.visible), (300, 400, true));
    x.run("xdotool", &["mousemove", "2000", "10"]);
    capture.select_monitor(0).expect("select");
    let update = capture.cursor().expect("update after selecting");
    assert_eq!((update.x, update.y, update.visible), (80, 10, true));
}

#[test]
fn cursor_reports_position_and_shape_once() {
    if tools_missing() {
        return;
    }
    let mut x = Xvfb::start(1280, 720);
    x.xterm("porpoise-cursor", "#ffffff", "60x20+400+300");
    let mut capture = ScreenCapture::with_display(&x.display).expect("capture");
    x.run("xdotool", &["mousemove", "100", "200"]);
    let CursorUpdate {
        x: px,
        y: py,
        visible,
        shape,
    } = capture.cursor().expect("first update");
    assert_eq!((px, py, visible), (100, 200, true));
    let shape = shape.expect("the first update carries the shape");
    shape.validate().expect("valid shape");
    assert!(
        shape.rgba.chunks_exact(4).any(|p| p[3] > 0),
        "cursor image is blank"
    );
    assert_eq!(capture.cursor(), None, "nothing moved");

    // A move: position only.
    x.run("xdotool", &["mousemove", "110", "210"]);
    let update = capture.cursor().expect("moved");
    assert_eq!((update.x, update.y, update.visible), (110, 210, true));
    assert!(update.shape.is_none());
    assert_eq!(capture.cursor(), None);

    // Into the xterm: its text cursor (a new shape), sent once.
    x.run("xdotool", &["mousemove", "600", "400"]);
    std::thread::sleep(Duration::from_millis(200));
    let update = capture.cursor().expect("moved into the xterm");
    assert_eq!((update.x, update.y), (600, 400));
    let ibeam = update.shape.expect("xterm's cursor shape");
    ibeam.validate().expect("valid");
    assert_ne!(ibeam.serial, shape.serial);
    assert_eq!(capture.cursor(), None);
}

#[test]
fn without_mit_shm_capture_falls_back_to_get_image() {
    if tools_missing() {
        return;
    }
    let mut x = Xvfb::start_with(800, 600, &["-extension", "MIT-SHM"]);
    x.xterm("porpoise-noshm", "#336699", "20x5+50+50");
    let mut capture = ScreenCapture::with_display(&x.display).expect("capture");
    assert!(!capture.uses_shared_memory());
    let frame = grab(&mut capture);
    assert_eq!((frame.0, frame.1), (800, 600));
    assert_eq!(rgb_at(&frame, 60, 60), [0x33, 0x66, 0x99]);
    let shot = x.screenshot_rgb();
    let same = frame
        .2
        .chunks_exact(4)
        .zip(shot.chunks_exact(3))
        .all(|(px, rgb)| [px[2], px[1], px[0]] == [rgb[0], rgb[1], rgb[2]]);
    assert!(same, "pixels differ from `import -window root`");
}

#[test]
fn errors_name_the_display() {
    // A display nobody serves: refused, with the name in the message.
    let err = ScreenCapture::with_display(":4093").expect_err("no server on :4093");
    assert_eq!(err.kind(), std::io::ErrorKind::ConnectionRefused, "{err}");
    assert!(err.to_string().contains(":4093"), "{err}");
}
