//! Issue 15, the remote window end to end with real processes: the `porpoise-agent` binary on one
//! Xvfb (the agent's desktop), the `porpoise-helper` binary on another (the customer's, a plain
//! blue root window), a relay on loopback. The agent accepts the offer and asks for control with
//! real clicks, the customer clicks Accept in the helper's prompt, the customer's screen opens in
//! its own window on the agent's desktop, and real clicks (xdotool) in that window land at the
//! right pixel of the customer's X screen, at fit scale and at 1:1 (checked with the customer's
//! X server's pointer).
//!
//! Where the agent's buttons are is taken from the layout of a 1280×800 console at (0, 0)
//! without a window manager (as `scripts/demo.sh` shows it); the customer's screen inside the
//! remote window is found in a screenshot by its colour.

use std::{
    io::{BufRead, BufReader},
    path::Path,
    process::{Child, Command, Stdio},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use anyhow::{bail, Context, Result};
use porpoise_tools::{
    relay::{TestRelay, DEMO_CENTER_ID, DEMO_PASSWORD},
    xvfb::{Xvfb, SCREEN},
};

const WAIT: Duration = Duration::from_secs(40);
/// The customer's desktop colour (`xsetroot -solid`).
const ROOT_RGB: [u8; 3] = [0x33, 0x66, 0xCC];
/// The offer popup's Accept button in the 1280×800 console at (0, 0), px.
const OFFER_ACCEPT: (u32, u32) = (760, 214);
/// The session header's Remote control button for a customer named 张三 / 13800138000, px.
const REMOTE_CONTROL: (u32, u32) = (634, 81);
/// The remote window's "Actual size 1:1" toolbar button, px from the window's top-left.
const ACTUAL_SIZE: (u32, u32) = (174, 12);

struct KillOnDrop(Child, Arc<Mutex<String>>);
impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl KillOnDrop {
    /// Starts `cmd` with its stderr collected.
    fn spawn(x: &Xvfb, mut cmd: Command) -> Result<KillOnDrop> {
        cmd.stdout(Stdio::null()).stderr(Stdio::piped());
        let mut child = x.spawn_owned(cmd)?;
        let log = Arc::new(Mutex::new(String::new()));
        let stderr = child.stderr.take().context("stderr")?;
        let sink = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Ok(mut l) = sink.lock() {
                    l.push_str(&line);
                    l.push('\n');
                }
            }
        });
        Ok(KillOnDrop(child, log))
    }

    fn log(&self) -> String {
        self.1.lock().map(|l| l.clone()).unwrap_or_default()
    }
}

/// The bounding box (min x, min y, max x, max y) of the pixels of `rgb` (±16 per channel) in
/// the screenshot, within `area` (x, y, w, h).
fn colour_box(
    shot: &(u32, u32, Vec<u8>),
    rgb: [u8; 3],
    area: (u32, u32, u32, u32),
) -> Option<(u32, u32, u32, u32)> {
    let (w, h, rgba) = shot;
    let (ax, ay, aw, ah) = area;
    let mut found: Option<(u32, u32, u32, u32)> = None;
    for y in ay..(ay + ah).min(*h) {
        for x in ax..(ax + aw).min(*w) {
            let i = ((y * w + x) * 4) as usize;
            let close = (0..3).all(|c| rgba[i + c].abs_diff(rgb[c]) <= 16);
            if close {
                found = Some(match found {
                    None => (x, y, x, y),
                    Some((a, b, c, d)) => (a.min(x), b.min(y), c.max(x), d.max(y)),
                });
            }
        }
    }
    found
}

/// Where the helper's green consent Accept button is on the customer's screen.
fn consent_accept(x: &Xvfb, shot: &Path) -> Result<Option<(u32, u32)>> {
    let full = x.screenshot(shot)?;
    Ok(colour_box(&full, [30, 120, 60], (0, 0, full.0, full.1))
        .map(|(a, b, c, d)| ((a + c) / 2, (b + d) / 2)))
}

/// Geometry of window `id`: (x, y, width, height), px.
fn geometry(x: &Xvfb, id: &str) -> Result<(u32, u32, u32, u32)> {
    let out = x.run("xdotool", &["getwindowgeometry", "--shell", id])?;
    let field = |k: &str| -> Result<u32> {
        out.lines()
            .find_map(|l| l.strip_prefix(k))
            .and_then(|v| v.trim().parse::<i64>().ok())
            .map(|v| v.max(0) as u32)
            .with_context(|| format!("no {k} in {out:?}"))
    };
    Ok((
        field("X=")?,
        field("Y=")?,
        field("WIDTH=")?,
        field("HEIGHT=")?,
    ))
}

/// Moves the pointer to (`px`, `py`) on `x`, waits as a person's hand would, clicks.
async fn click(x: &Xvfb, px: u32, py: u32) -> Result<()> {
    x.run("xdotool", &["mousemove", &px.to_string(), &py.to_string()])?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    x.run("xdotool", &["click", "1"])?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    Ok(())
}

/// Waits until the remote window shows the customer's screen as `wanted` says; the screen's
/// box in it.
async fn screen_in_window(
    agent_x: &Xvfb,
    window: (u32, u32, u32, u32),
    shot: &Path,
    wanted: impl Fn((u32, u32, u32, u32)) -> bool,
) -> Result<(u32, u32, u32, u32)> {
    let start = Instant::now();
    loop {
        let full = agent_x.screenshot(shot)?;
        if let Some(b) = colour_box(&full, ROOT_RGB, window) {
            if wanted(b) {
                return Ok(b);
            }
        }
        if start.elapsed() > WAIT {
            bail!(
                "the customer's screen never showed in the remote window (see {})",
                shot.display()
            );
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clicks_in_the_remote_window_land_on_the_customers_pixel_fit_and_one_to_one() -> Result<()>
{
    let work = tempfile::tempdir()?;
    let agent_x = Xvfb::start()?;
    let customer_x = Xvfb::start()?;
    customer_x.run("xsetroot", &["-solid", "#3366CC"])?;
    let relay = TestRelay::start(&work.path().join("relay")).await?;
    let out = std::env::temp_dir().join("porpoise-e2e");
    std::fs::create_dir_all(&out)?;

    // The agent: a fresh profile (no remembered remote-window layout), English.
    let home = work.path().join("agent home");
    std::fs::create_dir_all(&home)?;
    let mut cmd = agent_x.command(
        crate::agent_alerts::workspace_bin("porpoise-agent")?
            .to_str()
            .context("path")?,
    );
    cmd.env("HOME", &home)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("PORPOISE_PASSWORD", DEMO_PASSWORD)
        .env("RUST_LOG", "info")
        .args(["--relay", &relay.addr.to_string()])
        .args(["--fingerprint", &relay.fingerprint.to_string()])
        .args(["--center", &DEMO_CENTER_ID.to_string()])
        .args(["--username", "agent1", "--auto-login", "--lang", "en"])
        .args(["--window-pos", "0,0"]);
    let agent = KillOnDrop::spawn(&agent_x, cmd)?;
    agent_x
        .wait_window("Porpoise agent console .* 0 waiting", WAIT)
        .with_context(|| format!("the console never logged in\n{}", agent.log()))?;

    // The customer: the helper asks for service as 张三, its window off to the right.
    let mut cmd = customer_x.command(
        crate::helper_download::helper_binary()?
            .to_str()
            .context("path")?,
    );
    cmd.env("XDG_CONFIG_HOME", work.path().join("helper config"))
        .env("RUST_LOG", "info")
        .args(["--relay", &relay.addr.to_string()])
        .args(["--fingerprint", &relay.fingerprint.to_string()])
        .args(["--center", &DEMO_CENTER_ID.to_string()])
        .args([
            "--data-dir",
            work.path().join("helper").to_str().context("path")?,
        ])
        .args(["--lang", "en", "--window-pos", "1300,0"])
        .args(["--name", "张三", "--phone", "13800138000", "--auto-request"]);
    let helper = KillOnDrop::spawn(&customer_x, cmd)?;

    // The offer pops up (the title counts the waiting customer); the agent accepts it.
    agent_x
        .wait_window("Porpoise agent console .* 1 waiting", WAIT)
        .with_context(|| format!("the customer never queued\n{}", helper.log()))?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    click(&agent_x, OFFER_ACCEPT.0, OFFER_ACCEPT.1).await?;
    agent_x
        .wait_window("Porpoise agent console .* 0 waiting", WAIT)
        .context("the offer was not accepted")?;
    // The session tab opens with the relay's answer, a moment after the queue empties.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    click(&agent_x, REMOTE_CONTROL.0, REMOTE_CONTROL.1).await?;

    // The customer reads the prompt and clicks Accept.
    let shot = out.join("remote-window-customer.png");
    let start = Instant::now();
    let (bx, by) = loop {
        if let Some(at) = consent_accept(&customer_x, &shot)? {
            break at;
        }
        if start.elapsed() > WAIT {
            bail!(
                "no consent prompt on the customer's screen\n{}",
                helper.log()
            );
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    click(&customer_x, bx, by).await?;

    // The screen opens in its own window; the agent clicks into it (the window manager would
    // give it the keyboard; there is none here).
    let window_id = agent_x
        .wait_window("Remote control is on", WAIT)
        .with_context(|| format!("no remote window\n{}", agent.log()))?;
    agent_x.focus_window(&window_id)?;
    let window = geometry(&agent_x, &window_id)?;
    let shot = out.join("remote-window-fit.png");
    let (x0, y0, x1, _) =
        screen_in_window(&agent_x, window, &shot, |b| b.2 - b.0 + 1 >= window.2 / 2).await?;
    let scale = (x1 - x0 + 1) as f64 / f64::from(SCREEN.0);
    assert!(scale < 1.0, "fit scales a 1920 px screen down: {scale}");

    // Targets on the customer's bare desktop (not on the helper's window at the right).
    let targets = [(300u32, 700u32), (1000, 200), (40, 1000)];
    for (tx, ty) in targets {
        let ax = x0 + (f64::from(tx) * scale).round() as u32;
        let ay = y0 + (f64::from(ty) * scale).round() as u32;
        click(&agent_x, ax, ay).await?;
        let (cx, cy) = customer_x.pointer()?;
        // One agent pixel covers 1/scale customer pixels.
        let tolerance = (1.0 / scale).ceil() as i32 + 1;
        assert!(
            (cx - tx as i32).abs() <= tolerance && (cy - ty as i32).abs() <= tolerance,
            "fit: clicked for ({tx}, {ty}) at agent ({ax}, {ay}), scale {scale:.3}; the \
             customer's pointer is at ({cx}, {cy})"
        );
    }

    // 1:1: one customer pixel per agent pixel, from the top-left of the view.
    click(&agent_x, window.0 + ACTUAL_SIZE.0, window.1 + ACTUAL_SIZE.1).await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let shot = out.join("remote-window-1to1.png");
    // At 1:1 the 1920 px screen fills the narrower window from its left edge.
    let (x0, y0, _, _) = screen_in_window(&agent_x, window, &shot, |b| {
        b.0 <= window.0 + 2 && b.2 + 24 >= window.0 + window.2
    })
    .await?;
    for (tx, ty) in [(300u32, 500u32), (1000, 200), (5, 5)] {
        click(&agent_x, x0 + tx, y0 + ty).await?;
        let (cx, cy) = customer_x.pointer()?;
        assert!(
            (cx - tx as i32).abs() <= 1 && (cy - ty as i32).abs() <= 1,
            "1:1: clicked for ({tx}, {ty}) at agent ({}, {}); the customer's pointer is at \
             ({cx}, {cy})",
            x0 + tx,
            y0 + ty
        );
    }
    drop(helper);
    drop(agent);
    Ok(())
}
