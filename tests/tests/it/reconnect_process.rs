//! Reboot and reconnect (C8) at the process level: a real relay over QUIC on loopback, headless
//! peers for the agent and for the customer before the reboot, and the REAL helper binary under
//! a private Xvfb for the start after the reboot.
//!
//! The customer peer consents (the headless consent path of `tests/tests/it/consent.rs`), gets its
//! token and disconnects as a rebooting computer does. The one-time start entry the helper
//! writes is put into a private `XDG_CONFIG_HOME` (data directory with a space in its path), and
//! its `Exec` line is run as a session manager would. The test checks that the helper removed
//! the entry, that the agent sees the customer back in the same session, and that the session
//! goes on with the helper's connection (chat stored, a consent prompt reaches the helper).

use porpoise_protocol::wire::rpc;
use std::{
    io::{BufRead, BufReader},
    path::Path,
    process::{Child, Stdio},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use anyhow::{bail, Context, Result};
use porpoise_helper::reboot::{desktop_entry, Relaunch, AUTOSTART_FILE};
use porpoise_protocol::wire::{Event, ReconnectToken, RemoteAction, Request, Response, SessionId};
use porpoise_tools::{
    peer::{served_session, Peer, WAIT},
    relay::{TestRelay, DEMO_CENTER_ID, DEMO_PASSWORD},
    xvfb::Xvfb,
};

/// How long the helper process gets to start, connect and rejoin.
const HELPER_WAIT: Duration = Duration::from_secs(30);

struct KillOnDrop(Child);
impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Splits a desktop entry's `Exec` value into program and arguments the way a launcher does
/// (Desktop Entry Specification): undo the string escapes, then the double-quoting.
fn exec_argv(value: &str) -> Vec<String> {
    let unescaped = value.replace("\\\\", "\\");
    let mut args = Vec::new();
    let mut chars = unescaped.chars();
    while let Some(c) = chars.next() {
        match c {
            ' ' => {}
            '"' => {
                let mut arg = String::new();
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => arg.extend(chars.next()),
                        '"' => break,
                        '%' => {
                            chars.next();
                            arg.push('%');
                        }
                        c => arg.push(c),
                    }
                }
                args.push(arg);
            }
            other => panic!("unquoted Exec argument at {other:?}"),
        }
    }
    args
}

/// The agent asks for the reboot, the customer accepts and takes its token.
async fn token_after_consent(
    agent: &mut Peer,
    customer: &mut Peer,
    session: SessionId,
) -> Result<ReconnectToken> {
    agent.request_action(session, RemoteAction::Reboot).await?;
    customer
        .wait_for(WAIT, |e| {
            matches!(
                e,
                Event::ConsentRequested {
                    action: RemoteAction::Reboot,
                    ..
                }
            )
            .then_some(())
        })
        .await?;
    customer.answer(session, RemoteAction::Reboot, true).await?;
    let request = Request::RequestReconnectToken(rpc::RequestReconnectToken {
        session_id: session,
    });
    match customer.client.request(request).await? {
        Response::ReconnectToken(rpc::IssuedReconnectToken { token, .. }) => Ok(token),
        other => bail!("no token: {other:?}"),
    }
}

/// A running helper process with its log (stderr, `RUST_LOG=info`), killed on drop.
struct Helper {
    child: KillOnDrop,
    log: Arc<Mutex<String>>,
}

impl Helper {
    /// Runs `argv` on the Xvfb `x` with `XDG_CONFIG_HOME=xdg` and the extra `env`.
    fn start(x: &Xvfb, argv: &[String], xdg: &Path, env: &[(&str, &str)]) -> Result<Helper> {
        let mut cmd = x.command(&argv[0]);
        cmd.args(&argv[1..])
            .env("XDG_CONFIG_HOME", xdg)
            .env("RUST_LOG", "info")
            .env_remove("PORPOISE_RELAY")
            .env_remove("PORPOISE_FINGERPRINT")
            .env_remove("PORPOISE_CENTER")
            .env_remove(porpoise_helper::reboot::REBOOT_COMMAND_ENV)
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let mut child = KillOnDrop(x.spawn_owned(cmd)?);
        let log = Arc::new(Mutex::new(String::new()));
        let stderr = child.0.stderr.take().context("stderr")?;
        let sink = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Ok(mut l) = sink.lock() {
                    l.push_str(&line);
                    l.push('\n');
                }
            }
        });
        Ok(Helper { child, log })
    }

    fn log(&self) -> String {
        self.log.lock().map(|l| l.clone()).unwrap_or_default()
    }

    fn running(&mut self) -> bool {
        matches!(self.child.0.try_wait(), Ok(None))
    }
}

/// Where the consent prompt's green Accept button is on the screen, px (its fill colour is
/// unique in the helper window).
fn accept_button(x: &Xvfb, shot: &Path) -> Result<Option<(u32, u32)>> {
    const FILL: [u8; 3] = [30, 120, 60];
    let (w, _h, rgba) = x.screenshot(shot)?;
    let mut found: Option<(u32, u32, u32, u32)> = None;
    for (i, px) in rgba.chunks_exact(4).enumerate() {
        if px[..3] == FILL {
            let (px_x, px_y) = ((i as u32) % w, (i as u32) / w);
            found = Some(match found {
                None => (px_x, px_y, px_x, px_y),
                Some((a, b, c, d)) => (a.min(px_x), b.min(px_y), c.max(px_x), d.max(px_y)),
            });
        }
    }
    Ok(found.map(|(a, b, c, d)| ((a + c) / 2, (b + d) / 2)))
}

fn wait_gone(path: &Path, timeout: Duration) -> bool {
    let start = Instant::now();
    while path.exists() {
        if start.elapsed() > timeout {
            return false;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    true
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_helper_started_after_login_rejoins_the_same_session() -> Result<()> {
    let work = tempfile::tempdir()?;
    let x = Xvfb::start()?;
    let relay = TestRelay::start(&work.path().join("relay")).await?;
    let config = relay.client_config();
    let (mut agent, mut customer, session) =
        served_session(&config, DEMO_CENTER_ID, DEMO_PASSWORD, "重启客户").await?;
    agent.say(session, "请重启电脑").await?;
    let token = token_after_consent(&mut agent, &mut customer, session).await?;
    agent
        .wait_for(WAIT, |e| {
            matches!(e, Event::CustomerRebooting { session_id, .. } if *session_id == session)
                .then_some(())
        })
        .await?;
    // The computer goes down.
    drop(customer);

    // The one-time start the helper registered before the reboot.
    let xdg = work.path().join("xdg config");
    let data_dir = work.path().join("helper data");
    let relaunch = Relaunch {
        exe: crate::helper_download::helper_binary()?,
        args: vec![
            "--relay".into(),
            relay.addr.to_string().into(),
            "--fingerprint".into(),
            relay.fingerprint.to_string().into(),
            "--center".into(),
            DEMO_CENTER_ID.to_string().into(),
            "--data-dir".into(),
            data_dir.clone().into_os_string(),
            "--lang".into(),
            "en".into(),
        ],
    };
    let entry = xdg.join("autostart").join(AUTOSTART_FILE);
    std::fs::create_dir_all(entry.parent().context("parent")?)?;
    std::fs::write(&entry, desktop_entry(&relaunch, &token)?)?;

    // The session manager runs its Exec line after the login.
    let text = std::fs::read_to_string(&entry)?;
    let exec = text
        .lines()
        .find_map(|l| l.strip_prefix("Exec="))
        .context("no Exec line")?;
    let argv = exec_argv(exec);
    assert_eq!(argv[argv.len() - 2], "--reconnect-token");
    assert!(argv.iter().any(|a| a == data_dir.to_str().unwrap_or("")));
    let helper = Helper::start(&x, &argv, &xdg, &[])?;
    let logged = || helper.log();

    // One-time: the entry is gone before anything else happens.
    assert!(
        wait_gone(&entry, HELPER_WAIT),
        "autostart entry still there\n{}",
        logged()
    );
    // The agent sees the customer back in the same session, without a click.
    let back = agent
        .wait_for(HELPER_WAIT, |e| {
            matches!(e, Event::CustomerReconnected { session_id } if *session_id == session)
                .then_some(())
        })
        .await;
    if back.is_err() {
        bail!("the agent never saw the customer back\n{}", logged());
    }
    // The helper itself says it is back in the session (its log line, read as it comes).
    let start = Instant::now();
    while !logged().contains("rejoined the session after the reboot") {
        if start.elapsed() > HELPER_WAIT {
            bail!("the helper never said it rejoined\n{}", logged());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        logged().contains(&format!("session_id={session}")),
        "{}",
        logged()
    );
    assert!(
        !logged().contains(&token.to_hex()),
        "the token must never be logged\n{}",
        logged()
    );
    // The session goes on with the helper's connection: chat is stored, and a new consent
    // prompt is delivered (the relay refuses it while the customer is not connected).
    agent.say(session, "欢迎回来").await?;
    agent
        .request_action(session, RemoteAction::ViewDesktop)
        .await
        .with_context(|| format!("the helper is not in the session\n{}", logged()))?;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let shot = std::env::temp_dir().join("porpoise-e2e");
    std::fs::create_dir_all(&shot)?;
    if let Err(e) = x.screenshot(&shot.join("helper-reconnected.png")) {
        eprintln!("no screenshot: {e}");
    }
    let log_now = logged();
    let mut helper = helper;
    assert!(helper.running(), "the helper exited\n{log_now}");
    drop(helper);
    relay.stop().await;
    Ok(())
}

/// The whole flow with the real helper on both sides of the reboot: the customer clicks Accept
/// in the helper's window, the helper writes its autostart entry and runs the reboot command
/// (here it only leaves a mark; the test then kills the helper as the shutdown would), and the
/// entry's `Exec` line, run as after the login, brings the customer back to the same session.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_click_reboots_and_the_next_login_rejoins() -> Result<()> {
    let work = tempfile::tempdir()?;
    let x = Xvfb::start()?;
    let relay = TestRelay::start(&work.path().join("relay")).await?;
    let config = relay.client_config();
    let mut agent = Peer::agent(&config, DEMO_CENTER_ID, "agent1", DEMO_PASSWORD).await?;
    let xdg = work.path().join("xdg config");
    let data_dir = work.path().join("helper data");
    let marker = work.path().join("rebooted");
    let argv: Vec<String> = vec![
        crate::helper_download::helper_binary()?
            .to_string_lossy()
            .into_owned(),
        "--relay".into(),
        relay.addr.to_string(),
        "--fingerprint".into(),
        relay.fingerprint.to_string(),
        "--center".into(),
        DEMO_CENTER_ID.to_string(),
        "--data-dir".into(),
        data_dir.to_string_lossy().into_owned(),
        "--lang".into(),
        "en".into(),
        "--window-pos".into(),
        "0,0".into(),
        "--name".into(),
        "Reboot Customer".into(),
        "--auto-request".into(),
    ];
    let reboot = format!("touch '{}'", marker.display());
    let mut first = Helper::start(
        &x,
        &argv,
        &xdg,
        &[(porpoise_helper::reboot::REBOOT_COMMAND_ENV, reboot.as_str())],
    )?;
    let session = agent
        .take_customer("Reboot Customer", HELPER_WAIT)
        .await
        .with_context(|| format!("the helper never asked for service\n{}", first.log()))?;
    agent.say(session, "请重启电脑").await?;
    agent.request_action(session, RemoteAction::Reboot).await?;

    // The customer reads the prompt and clicks Accept (hover first, as a person does).
    let shot = work.path().join("screen.png");
    let start = Instant::now();
    let (bx, by) = loop {
        if let Some(at) = accept_button(&x, &shot)? {
            break at;
        }
        if start.elapsed() > HELPER_WAIT {
            bail!("no consent prompt on the screen\n{}", first.log());
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    x.run("xdotool", &["mousemove", &bx.to_string(), &by.to_string()])?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    x.run("xdotool", &["click", "1"])?;
    agent
        .wait_for(HELPER_WAIT, |e| {
            matches!(e, Event::CustomerRebooting { session_id, .. } if *session_id == session)
                .then_some(())
        })
        .await
        .with_context(|| format!("no reboot after the click\n{}", first.log()))?;
    let start = Instant::now();
    while !marker.exists() {
        if start.elapsed() > HELPER_WAIT {
            bail!("the reboot command never ran\n{}", first.log());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let entry = xdg.join("autostart").join(AUTOSTART_FILE);
    let text = std::fs::read_to_string(&entry).context("no autostart entry")?;
    assert!(text.contains("X-GNOME-Autostart-enabled=true"), "{text}");
    let first_log = first.log();
    assert!(first.running(), "{first_log}");
    // The computer goes down.
    drop(first);

    // After the login the session manager runs the entry's Exec line.
    let exec = text
        .lines()
        .find_map(|l| l.strip_prefix("Exec="))
        .context("no Exec line")?;
    let next = exec_argv(exec);
    assert_eq!(next[0], argv[0]);
    assert_eq!(next[next.len() - 2], "--reconnect-token");
    assert!(
        next.contains(&data_dir.to_string_lossy().into_owned()),
        "{next:?}"
    );
    let second = Helper::start(&x, &next, &xdg, &[])?;
    assert!(
        wait_gone(&entry, HELPER_WAIT),
        "entry kept\n{}",
        second.log()
    );
    agent
        .wait_for(HELPER_WAIT, |e| {
            matches!(e, Event::CustomerReconnected { session_id } if *session_id == session)
                .then_some(())
        })
        .await
        .with_context(|| format!("the customer never came back\n{}", second.log()))?;
    agent.say(session, "欢迎回来").await?;
    agent
        .request_action(session, RemoteAction::ViewDesktop)
        .await
        .with_context(|| format!("the helper is not in the session\n{}", second.log()))?;
    let log = second.log();
    assert!(!log.contains(&next[next.len() - 1]), "token logged\n{log}");
    let out = std::env::temp_dir().join("porpoise-e2e");
    std::fs::create_dir_all(&out)?;
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let _ = x.screenshot(&out.join("helper-after-real-reboot.png"));
    drop(second);
    relay.stop().await;
    Ok(())
}
