//! End to end under a private Xvfb (1920×1080×24): the customer side (`porpoise-bot customer`,
//! using the helper's real X11 capture and enigo injection) shares a real X screen through a real
//! relay over QUIC on loopback; the agent side decodes it and the pixels are compared with an X
//! screenshot; remote pointer moves, clicks and typed text are checked with the X server.

use std::{
    process::{Child, Command, Stdio},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use anyhow::{bail, Context, Result};
use porpoise_protocol::{
    input::{InputEvent, Key, KeyEvent, MouseButton, MouseEvent},
    wire::{MediaHeader, MediaKind, RemoteAction},
};
use porpoise_quic::screen::{view_screen, InputSender};
use porpoise_tools::{
    image::{differing_pixels, write_png_rgba},
    peer::{Peer, WAIT},
    relay::{TestRelay, DEMO_CENTER_ID, DEMO_PASSWORD},
    xvfb::{drain_stdout, Xvfb, SCREEN},
};

type Canvas = Arc<Mutex<Option<(u32, u32, Vec<u8>, Instant)>>>;

struct KillOnDrop(Child);
impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_customer_bot(x: &Xvfb, relay: &TestRelay) -> Result<KillOnDrop> {
    let child = Command::new(env!("CARGO_BIN_EXE_porpoise-bot"))
        .env("DISPLAY", &x.display)
        .args([
            "--relay",
            &relay.addr.to_string(),
            "--fingerprint",
            &relay.fingerprint.to_string(),
        ])
        .args(["customer", "--name", "X customer", "--grant", "all"])
        .stdout(Stdio::null())
        .spawn()
        .context("starting porpoise-bot")?;
    Ok(KillOnDrop(child))
}

/// Waits until no new frame arrived for `quiet`, then returns the canvas.
async fn settled_canvas(canvas: &Canvas, quiet: Duration) -> Result<(u32, u32, Vec<u8>)> {
    let start = Instant::now();
    loop {
        if let Some((w, h, rgba, at)) = canvas.lock().ok().and_then(|c| c.clone()) {
            if at.elapsed() >= quiet {
                return Ok((w, h, rgba));
            }
        }
        if start.elapsed() > WAIT * 2 {
            bail!("the screen never settled");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_screen_and_real_input_through_the_relay() -> Result<()> {
    let work = tempfile::tempdir()?;
    let mut x = Xvfb::start()?;
    let typed_file = work.path().join("typed.txt");
    // Known content: a red xterm with a marker line running `cat > FILE`, and an xev window that
    // reports clicks.
    let mut xterm = x.command("xterm");
    xterm.args([
        "-bg",
        "#ff0000",
        "-fg",
        "#ffffff",
        "-geometry",
        "80x20+100+100",
        "-T",
        "porpoise-e2e-xterm",
    ]);
    xterm.args([
        "-e",
        "sh",
        "-c",
        &format!(
            "echo PORPOISE-E2E-MARKER; exec cat > {}",
            typed_file.display()
        ),
    ]);
    x.spawn(xterm)?;
    let xterm_id = x.wait_window("porpoise-e2e-xterm", WAIT)?;
    let mut xev = x.command("stdbuf");
    xev.args([
        "-oL",
        "xev",
        "-geometry",
        "300x200+1200+100",
        "-name",
        "porpoise-e2e-xev",
    ])
    .stdout(Stdio::piped());
    let mut xev = KillOnDrop(x.spawn_owned(xev)?);
    x.wait_window("porpoise-e2e-xev", WAIT)?;

    let relay = TestRelay::start(&work.path().join("relay")).await?;
    let mut agent = Peer::agent(
        &relay.client_config(),
        DEMO_CENTER_ID,
        "agent1",
        DEMO_PASSWORD,
    )
    .await?;
    let _bot = start_customer_bot(&x, &relay)?;
    let session = agent.take_customer("X customer", WAIT).await?;

    // View desktop: decode and compare with the X server's own screenshot.
    agent
        .request_granted(session, RemoteAction::ViewDesktop, WAIT)
        .await?;
    let stream = agent.wait_media(MediaKind::Screen, WAIT).await?;
    let canvas: Canvas = Arc::default();
    let sink = canvas.clone();
    let viewer = tokio::spawn(view_screen(stream.send, stream.recv, move |u| {
        let (w, h) = u.decoder.size();
        if let Ok(mut c) = sink.lock() {
            *c = Some((w, h, u.decoder.rgba().to_vec(), Instant::now()));
        }
    }));
    let (w, h, decoded) = settled_canvas(&canvas, Duration::from_millis(800)).await?;
    assert_eq!((w, h), SCREEN);
    let (sw, sh, shot) = x.screenshot(&work.path().join("x.png"))?;
    assert_eq!((sw, sh), SCREEN);
    let out_dir = std::env::temp_dir().join("porpoise-e2e");
    std::fs::create_dir_all(&out_dir)?;
    write_png_rgba(&out_dir.join("agent-decoded.png"), w, h, &decoded)?;
    write_png_rgba(&out_dir.join("x-screenshot.png"), sw, sh, &shot)?;
    let diff = differing_pixels(&decoded, &shot);
    assert_eq!(
        diff,
        0,
        "decoded frame differs from the X screenshot in {diff} pixels (see {})",
        out_dir.display()
    );
    // The red xterm is where X put it.
    let px = |x: usize, y: usize| &decoded[(y * w as usize + x) * 4..(y * w as usize + x) * 4 + 3];
    assert_eq!(px(110 + 400, 100 + 200), [255, 0, 0]);

    // Remote control: pointer, click, text.
    agent
        .request_granted(session, RemoteAction::RemoteControl, WAIT)
        .await?;
    let input_stream = agent
        .client
        .open_media(MediaHeader {
            session_id: session,
            kind: MediaKind::Input,
        })
        .await?;
    let mut input = InputSender::new(input_stream.send);
    input
        .send(&InputEvent::Mouse(MouseEvent::MoveTo { x: 1300, y: 200 }))
        .await?;
    wait_pointer(&x, (1300, 200)).await?;
    for down in [true, false] {
        input
            .send(&InputEvent::Mouse(MouseEvent::Button {
                button: MouseButton::Left,
                down,
            }))
            .await?;
    }
    tokio::time::sleep(Duration::from_millis(700)).await;
    drop(xev.0.kill());
    let xev_log = drain_stdout(&mut xev.0, Duration::from_secs(3));
    let press = xev_log
        .split("ButtonPress event")
        .nth(1)
        .context("xev saw no ButtonPress")?;
    assert!(
        press.contains("root:(1300,200)"),
        "click landed elsewhere: {press}"
    );

    // Typing into the xterm running `cat > FILE`.
    input
        .send(&InputEvent::Mouse(MouseEvent::MoveTo { x: 300, y: 200 }))
        .await?;
    wait_pointer(&x, (300, 200)).await?;
    x.focus_window(&xterm_id)?;
    type_line(&mut input, "hello porpoise 123").await?;
    wait_file_contains(&typed_file, "hello porpoise 123\n").await?;
    type_line(&mut input, "你好").await?;
    let chinese = wait_file_contains(&typed_file, "你好\n").await.is_ok();
    eprintln!("REPORT: remote text `你好` arrived in the xterm: {chinese}");
    let content = std::fs::read_to_string(&typed_file).unwrap_or_default();
    eprintln!("REPORT: typed file content: {content:?}");

    input.finish();
    agent.stop(session, RemoteAction::RemoteControl).await?;
    agent.stop(session, RemoteAction::ViewDesktop).await?;
    let stats = tokio::time::timeout(WAIT, viewer).await???;
    eprintln!(
        "REPORT: viewer got {} frames, {} bytes",
        stats.frames, stats.bytes
    );
    relay.stop().await;
    Ok(())
}

async fn type_line(input: &mut InputSender, text: &str) -> Result<()> {
    input
        .send(&InputEvent::Key(KeyEvent::Text(text.into())))
        .await?;
    for down in [true, false] {
        input
            .send(&InputEvent::Key(KeyEvent::Key {
                key: Key::Enter,
                down,
            }))
            .await?;
    }
    Ok(())
}

async fn wait_pointer(x: &Xvfb, want: (i32, i32)) -> Result<()> {
    let start = Instant::now();
    loop {
        let at = x.pointer()?;
        if at == want {
            return Ok(());
        }
        if start.elapsed() > WAIT {
            bail!("pointer at {at:?}, expected {want:?}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn wait_file_contains(path: &std::path::Path, text: &str) -> Result<()> {
    let start = Instant::now();
    loop {
        let content = std::fs::read_to_string(path).unwrap_or_default();
        if content.contains(text) {
            return Ok(());
        }
        if start.elapsed() > Duration::from_secs(5) {
            bail!("{} holds {content:?}, expected {text:?}", path.display());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
