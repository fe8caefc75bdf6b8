//! A3 on a real desktop stack: the real `porpoise-agent` binary, logged in under a private Xvfb
//! with its own D-Bus session, a StatusNotifierWatcher and an ALSA device that records to a WAV
//! file, shows a tray item, sends a desktop notification naming the customer and plays a sound
//! when a customer joins the queue; its window title counts the waiting customers.

use std::{
    io::{BufRead, BufReader},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use anyhow::{bail, Context, Result};
use porpoise_protocol::wire::InstallId;
use porpoise_tools::{
    peer::Peer,
    relay::{TestRelay, DEMO_CENTER_ID, DEMO_PASSWORD},
    xvfb::Xvfb,
};

struct Proc(Child);
impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The workspace's debug binaries (the test command builds them before running tests).
pub(crate) fn workspace_bin(name: &str) -> Result<PathBuf> {
    let exe = std::env::current_exe()?;
    let dir = exe.parent().and_then(Path::parent).context("target dir")?;
    let bin = dir.join(name);
    if !bin.exists() {
        bail!(
            "{} is missing: run `cargo build --workspace` first (scripts/test.sh does)",
            bin.display()
        );
    }
    Ok(bin)
}

/// Starts a private session bus; returns it and its address.
fn session_bus() -> Result<(Proc, String)> {
    let mut bus = Command::new("dbus-daemon")
        .args(["--session", "--nofork", "--print-address=1"])
        .stdout(Stdio::piped())
        .spawn()
        .context("dbus-daemon (package dbus)")?;
    let mut line = String::new();
    BufReader::new(bus.stdout.take().context("stdout")?).read_line(&mut line)?;
    Ok((Proc(bus), line.trim().to_owned()))
}

/// Collects a child's stdout lines in the background.
fn collect_lines(child: &mut Child) -> Arc<Mutex<String>> {
    let out = Arc::new(Mutex::new(String::new()));
    if let Some(stdout) = child.stdout.take() {
        let sink = out.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Ok(mut s) = sink.lock() {
                    s.push_str(&line);
                    s.push('\n');
                }
            }
        });
    }
    out
}

fn wait_until(what: &str, timeout: Duration, mut check: impl FnMut() -> bool) -> Result<()> {
    let start = Instant::now();
    while !check() {
        if start.elapsed() > timeout {
            bail!("{what} did not happen within {timeout:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Ok(())
}

/// Largest absolute 16-bit sample in a WAV written by ALSA's file plugin (0 if none yet).
fn loudest_sample(wav: &Path) -> i32 {
    let bytes = std::fs::read(wav).unwrap_or_default();
    bytes
        .get(44..)
        .unwrap_or_default()
        .chunks_exact(2)
        .map(|s| i32::from(i16::from_le_bytes([s[0], s[1]])).abs())
        .max()
        .unwrap_or(0)
}

fn bus_names(bus: &str) -> String {
    Command::new("dbus-send")
        .arg(format!("--bus={bus}"))
        .args([
            "--print-reply",
            "--dest=org.freedesktop.DBus",
            "/org/freedesktop/DBus",
        ])
        .arg("org.freedesktop.DBus.ListNames")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default()
}

fn registered_tray_items(bus: &str) -> String {
    Command::new("dbus-send")
        .arg(format!("--bus={bus}"))
        .args(["--print-reply", "--dest=org.kde.StatusNotifierWatcher"])
        .args([
            "/StatusNotifierWatcher",
            "org.freedesktop.DBus.Properties.Get",
        ])
        .args([
            "string:org.kde.StatusNotifierWatcher",
            "string:RegisteredStatusNotifierItems",
        ])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn customer_in_queue_gives_tray_popup_and_sound() -> Result<()> {
    let agent_bin = workspace_bin("porpoise-agent")?;
    let work = tempfile::tempdir()?;
    let x = Xvfb::start()?;
    let (_bus, bus) = session_bus()?;
    let _watcher = Proc(
        Command::new("status-notifier-watcher")
            .env("DBUS_SESSION_BUS_ADDRESS", &bus)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("status-notifier-watcher (package haskell-status-notifier-item-utils)")?,
    );
    wait_until(
        "the StatusNotifierWatcher on the bus",
        Duration::from_secs(10),
        || bus_names(&bus).contains("org.kde.StatusNotifierWatcher"),
    )?;
    let mut monitor = Command::new("stdbuf")
        .args([
            "-oL",
            "dbus-monitor",
            "--address",
            &bus,
            "interface='org.freedesktop.Notifications',member='Notify'",
        ])
        .stdout(Stdio::piped())
        .spawn()
        .context("dbus-monitor")?;
    let notifications = collect_lines(&mut monitor);
    let _monitor = Proc(monitor);

    // Sound goes to a WAV file instead of a sound card.
    let wav = work.path().join("played.wav");
    let asound = work.path().join("asound.conf");
    std::fs::write(
        &asound,
        format!(
            "pcm.!default {{ type plug; slave {{ pcm \"tofile\"; format S16_LE; rate 48000; channels 2 }} }}\n\
             pcm.tofile {{ type file; slave.pcm \"null\"; file \"{}\"; format \"wav\" }}\n",
            wav.display()
        ),
    )?;
    let runtime_dir = work.path().join("xdg");
    std::fs::create_dir(&runtime_dir)?;
    std::fs::set_permissions(
        &runtime_dir,
        std::os::unix::fs::PermissionsExt::from_mode(0o700),
    )?;

    let relay = TestRelay::start(&work.path().join("relay")).await?;
    let _agent = Proc(
        Command::new(agent_bin)
            .env("DISPLAY", &x.display)
            .env("DBUS_SESSION_BUS_ADDRESS", &bus)
            .env("XDG_RUNTIME_DIR", &runtime_dir)
            .env(
                "ALSA_CONFIG_PATH",
                format!("/usr/share/alsa/alsa.conf:{}", asound.display()),
            )
            .env("PORPOISE_PASSWORD", DEMO_PASSWORD)
            .args([
                "--relay",
                &relay.addr.to_string(),
                "--fingerprint",
                &relay.fingerprint.to_string(),
            ])
            .args([
                "--center",
                &DEMO_CENTER_ID.to_string(),
                "--username",
                "agent1",
                "--auto-login",
                "--lang",
                "en",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?,
    );
    wait_until("the tray item registering", Duration::from_secs(20), || {
        registered_tray_items(&bus).contains("StatusNotifierItem")
    })?;
    wait_until("the agent window", Duration::from_secs(20), || {
        x.run("xdotool", &["search", "--name", "Porpoise agent console"])
            .is_ok()
    })?;
    // Let the console finish logging in before the customer arrives.
    tokio::time::sleep(Duration::from_secs(2)).await;

    assert!(loudest_sample(&wav) < 1000, "no chime before anyone queues");
    assert!(!notifications
        .lock()
        .map(|n| n.contains("Notify"))
        .unwrap_or(true));
    let customer = Peer::customer(&relay.client_config(), DEMO_CENTER_ID, InstallId(99)).await?;
    customer
        .request_service("Alert Test 王五", "13900000000")
        .await?;

    let seen = || {
        notifications
            .lock()
            .map(|n| n.contains("Alert Test"))
            .unwrap_or(false)
    };
    wait_until(
        "a desktop notification naming the customer",
        Duration::from_secs(15),
        seen,
    )?;
    wait_until(
        "the window title counting 1 waiting",
        Duration::from_secs(10),
        || x.run("xdotool", &["search", "--name", "1 waiting"]).is_ok(),
    )?;
    wait_until(
        "the chime being played (audible samples)",
        Duration::from_secs(10),
        || loudest_sample(&wav) > 1000,
    )?;
    eprintln!(
        "REPORT: loudest played sample {} of 32767",
        loudest_sample(&wav)
    );
    drop(customer);
    relay.stop().await;
    Ok(())
}
