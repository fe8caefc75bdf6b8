//! Remote-control fidelity end to end under a private Xvfb: synthetic egui events go through the
//! agent's own translation (`porpoise_agent::remote_input::RemoteInput`), an input stream through
//! a real relay on loopback, and the helper's own network task (`porpoise_helper::net`: the
//! consent gate in `media.rs`, `InjectorThread`, `EnigoInjector` bound to the test's display).
//! What arrives is checked with the X server: `xev` for key events (keysyms and modifier state),
//! an xterm running `cat > FILE` for text, and X queries (QueryPointer, QueryKeymap) for what is
//! still held after control stops.
//!
//! Needs `Xvfb`, `xev`, `xterm`, `xdotool` (scripts/deps.sh test packages).

use porpoise_protocol::wire::rpc;
use std::{
    io::{BufRead, BufReader},
    process::{Child, Stdio},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use anyhow::{bail, Context, Result};
use egui::{Event, Modifiers, Pos2};
use porpoise_agent::remote_input::RemoteInput;
use porpoise_helper::{
    capture::ScreenGeometry,
    input::{EnigoInjector, InputInjector},
    media::{Platform, SourceFactory},
    net::{self, NetCommand, NetEvent, NetSettings},
};
use porpoise_protocol::wire::InstallId;
use porpoise_protocol::wire::{
    ActionState, Event as RelayEvent, MediaHeader, MediaKind, RemoteAction, Request, ServiceRoute,
    SessionId,
};
use porpoise_quic::{
    client::random_id,
    screen::{InputSender, ScreenSource},
};
use porpoise_tools::{
    peer::{Peer, WAIT},
    relay::{TestRelay, DEMO_CENTER_ID, DEMO_PASSWORD},
    xvfb::{Xvfb, SCREEN},
};
use tokio::sync::mpsc;
use x11rb::{
    connection::Connection,
    protocol::xproto::{ConnectionExt as _, KeyButMask},
};

// ---------------------------------------------------------------------------------------------
// The customer: the helper's network task with a real injector on the test's X display.

struct Customer {
    commands: mpsc::Sender<NetCommand>,
    events: mpsc::UnboundedReceiver<NetEvent>,
    session: SessionId,
}

impl Customer {
    /// Starts the helper's network side, requests service and has `agent` take it.
    async fn start(relay: &TestRelay, display: &str, agent: &mut Peer) -> Result<Customer> {
        let display = display.to_owned();
        let geometry = ScreenGeometry {
            x: 0,
            y: 0,
            width: SCREEN.0,
            height: SCREEN.1,
        };
        // Only input matters here; the screen stream fails at once, which leaves control alone.
        let screen: SourceFactory = Arc::new(|| -> std::io::Result<Box<dyn ScreenSource>> {
            Err(std::io::Error::other("no screen in this test"))
        });
        let platform = Platform {
            screen,
            injector: Arc::new(move || {
                EnigoInjector::on_x11_display(&display, geometry)
                    .map(|i| Box::new(i) as Box<dyn InputInjector>)
            }),
        };
        let settings = NetSettings {
            relay_addr: relay.addr.to_string(),
            fingerprint: relay.fingerprint,
            center_id: DEMO_CENTER_ID,
            install_id: InstallId(random_id()),
        };
        let link = net::spawn(
            &tokio::runtime::Handle::current(),
            settings,
            platform,
            egui::Context::default(),
        );
        // Drain the helper's bounded event channel at once, as its UI would.
        let (tx, events) = mpsc::unbounded_channel();
        let mut from_net = link.events;
        tokio::spawn(async move {
            while let Some(e) = from_net.recv().await {
                if tx.send(e).is_err() {
                    break;
                }
            }
        });
        let mut customer = Customer {
            commands: link.commands,
            events,
            session: SessionId(0),
        };
        customer
            .wait(|e| matches!(e, NetEvent::Connected { .. }).then_some(()))
            .await?;
        let name = format!("keys customer {}", random_id() % 10_000);
        customer
            .command(NetCommand::Request(Request::RequestService(
                rpc::RequestService {
                    name: name.clone(),
                    phone: "13800000000".into(),
                    route: ServiceRoute::AutoAssign {
                        group_id: None,
                        product_type_id: None,
                    },
                },
            )))
            .await?;
        let session = agent.take_customer(&name, WAIT).await?;
        customer.session = customer
            .wait(|e| match e {
                NetEvent::Event(RelayEvent::SessionStarted(info)) => Some(info.session_id),
                _ => None,
            })
            .await?;
        assert_eq!(customer.session, session);
        Ok(customer)
    }

    async fn command(&self, c: NetCommand) -> Result<()> {
        self.commands.send(c).await.context("helper net task gone")
    }

    async fn wait<T>(&mut self, mut f: impl FnMut(&NetEvent) -> Option<T>) -> Result<T> {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let e = tokio::time::timeout_at(deadline, self.events.recv())
                .await
                .context("helper event timeout")?
                .context("helper net task ended")?;
            if let Some(t) = f(&e) {
                return Ok(t);
            }
        }
    }

    /// The agent asks for remote control; the customer consents (as the consent prompt does)
    /// and turns on injection (as the UI does on the grant).
    async fn grant_control(&mut self, agent: &mut Peer) -> Result<()> {
        let session_id = self.session;
        let action = RemoteAction::RemoteControl;
        agent.request_action(session_id, action).await?;
        self.wait(|e| match e {
            NetEvent::Event(RelayEvent::ConsentRequested { action: a, .. }) if *a == action => {
                Some(())
            }
            _ => None,
        })
        .await?;
        self.command(NetCommand::Request(Request::AnswerConsent(
            rpc::AnswerConsent {
                session_id,
                action,
                grant: true,
            },
        )))
        .await?;
        self.wait(|e| match e {
            NetEvent::Event(RelayEvent::ActionChanged {
                action: a, state, ..
            }) if *a == action && *state == ActionState::Granted => Some(()),
            _ => None,
        })
        .await?;
        self.command(NetCommand::StartSharing { session_id, action })
            .await?;
        // The agent's backlog may still hold the end of the previous grant: skip to this one.
        agent
            .wait_for(WAIT, |e| {
                matches!(
                    e,
                    RelayEvent::ActionChanged { session_id: s, action: a, state, .. }
                        if *s == session_id && *a == action && *state == ActionState::Granted
                )
                .then_some(())
            })
            .await
    }
}

// ---------------------------------------------------------------------------------------------
// The agent: egui events through RemoteInput onto an input stream.

struct Remote {
    input: RemoteInput,
    sender: InputSender,
}

impl Remote {
    async fn open(agent: &Peer, session_id: SessionId) -> Result<Remote> {
        let stream = agent
            .client
            .open_media(MediaHeader {
                session_id,
                kind: MediaKind::Input,
            })
            .await?;
        Ok(Remote {
            input: RemoteInput::default(),
            sender: InputSender::new(stream.send),
        })
    }

    /// One UI frame: `events` with `now` the modifiers held at its end. The view shows the
    /// remote screen 1:1 at the UI origin.
    async fn frame(&mut self, events: &[Event], now: Modifiers) -> Result<()> {
        let px = |p: Pos2| Some([p.x as i32, p.y as i32]);
        for ev in self.input.translate(events, px, now) {
            self.sender.send(&ev).await?;
        }
        Ok(())
    }

    /// A key pressed and released within one frame with `mods` held throughout.
    async fn tap(&mut self, key: egui::Key, mods: Modifiers) -> Result<()> {
        self.frame(
            &[key_event(key, true, mods), key_event(key, false, mods)],
            mods,
        )
        .await?;
        self.frame(&[], Modifiers::NONE).await
    }
}

fn key_event(key: egui::Key, pressed: bool, modifiers: Modifiers) -> Event {
    Event::Key {
        key,
        physical_key: None,
        pressed,
        repeat: false,
        modifiers,
    }
}

// ---------------------------------------------------------------------------------------------
// X side.

struct KillOnDrop(Child);
impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `xev` on its own window, its output collected line by line.
struct Xev {
    _child: KillOnDrop,
    log: Arc<Mutex<String>>,
    window: String,
}

impl Xev {
    fn start(x: &Xvfb, name: &str, geometry: &str, events: &[&str]) -> Result<Xev> {
        let mut cmd = x.command("stdbuf");
        cmd.args(["-oL", "xev", "-geometry", geometry, "-name", name]);
        for e in events {
            cmd.args(["-event", e]);
        }
        cmd.stdout(Stdio::piped());
        let mut child = x.spawn_owned(cmd)?;
        let out = child.stdout.take().context("xev stdout")?;
        let log = Arc::new(Mutex::new(String::new()));
        let sink = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines() {
                let Ok(line) = line else { break };
                if let Ok(mut l) = sink.lock() {
                    l.push_str(&line);
                    l.push('\n');
                }
            }
        });
        let child = KillOnDrop(child);
        let window = x.wait_window(name, WAIT)?;
        Ok(Xev {
            _child: child,
            log,
            window,
        })
    }

    fn key_events(&self) -> Vec<KeySeen> {
        parse_key_events(&self.log.lock().map(|l| l.clone()).unwrap_or_default())
    }

    /// Waits until xev has reported `n` key events (or more) and returns them.
    async fn wait_key_events(&self, n: usize) -> Vec<KeySeen> {
        let start = Instant::now();
        loop {
            let seen = self.key_events();
            if seen.len() >= n || start.elapsed() > WAIT {
                return seen;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// One KeyPress/KeyRelease as xev printed it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct KeySeen {
    press: bool,
    /// Modifier and button state before the event (X's `state`).
    state: u32,
    keysym: String,
}

fn ev(press: bool, state: u32, keysym: &str) -> KeySeen {
    KeySeen {
        press,
        state,
        keysym: keysym.into(),
    }
}

/// Parses xev's blocks: `KeyPress event, ...` then a line with
/// `state 0x4, keycode 54 (keysym 0x63, c), same_screen YES,`.
fn parse_key_events(log: &str) -> Vec<KeySeen> {
    let mut out = Vec::new();
    let mut pending: Option<bool> = None;
    for line in log.lines() {
        if line.starts_with("KeyPress event") {
            pending = Some(true);
        } else if line.starts_with("KeyRelease event") {
            pending = Some(false);
        } else if let (Some(press), Some(rest)) = (pending, line.trim().strip_prefix("state 0x")) {
            pending = None;
            let state = rest
                .split(',')
                .next()
                .and_then(|h| u32::from_str_radix(h, 16).ok());
            let keysym = line
                .split("(keysym ")
                .nth(1)
                .and_then(|s| s.split(')').next())
                .and_then(|s| s.split(", ").nth(1));
            if let (Some(state), Some(keysym)) = (state, keysym) {
                out.push(KeySeen {
                    press,
                    state,
                    keysym: keysym.to_owned(),
                });
            }
        }
    }
    out
}

/// What the X server holds: modifier/button mask and the number of keys down.
fn held(conn: &impl Connection, root: u32) -> Result<(KeyButMask, usize)> {
    let pointer = conn.query_pointer(root)?.reply()?;
    let keymap = conn.query_keymap()?.reply()?;
    let keys = keymap.keys.iter().map(|b| b.count_ones() as usize).sum();
    Ok((pointer.mask, keys))
}

async fn wait_held(
    conn: &impl Connection,
    root: u32,
    what: &str,
    ok: impl Fn(KeyButMask, usize) -> bool,
) -> Result<()> {
    let start = Instant::now();
    loop {
        let (mask, keys) = held(conn, root)?;
        if ok(mask, keys) {
            return Ok(());
        }
        if start.elapsed() > WAIT {
            bail!("{what}: X holds mask {mask:?} and {keys} keys");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn wait_file_contains(path: &std::path::Path, text: &str) -> Result<String> {
    let start = Instant::now();
    loop {
        let content = std::fs::read_to_string(path).unwrap_or_default();
        if content.contains(text) {
            return Ok(content);
        }
        if start.elapsed() > WAIT {
            bail!("{} holds {content:?}, expected {text:?}", path.display());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn setup(work: &std::path::Path) -> Result<(Xvfb, TestRelay, Peer)> {
    let x = Xvfb::start()?;
    let relay = TestRelay::start(&work.join("relay")).await?;
    let agent = Peer::agent(
        &relay.client_config(),
        DEMO_CENTER_ID,
        "agent1",
        DEMO_PASSWORD,
    )
    .await?;
    Ok((x, relay, agent))
}

/// Ctrl+Shift held over A, End and button 1 at (300, 250), as the agent's view translates it.
async fn hold_everything(remote: &mut Remote) -> Result<()> {
    let both = Modifiers::CTRL | Modifiers::SHIFT;
    let at = egui::pos2(300.0, 250.0);
    remote
        .frame(
            &[
                Event::PointerMoved(at),
                key_event(egui::Key::A, true, both),
                key_event(egui::Key::End, true, both),
                Event::PointerButton {
                    pos: at,
                    button: egui::PointerButton::Primary,
                    pressed: true,
                    modifiers: both,
                },
            ],
            both,
        )
        .await?;
    assert!(remote.input.holds_anything());
    Ok(())
}

// ---------------------------------------------------------------------------------------------

/// Ctrl+C (as egui's `Event::Copy`), Alt+Tab, Shift+Left/Right, F1, F5, F12 and Esc arrive as
/// key presses and releases with the right keysyms and modifier state; then text with Chinese
/// arrives as text in an xterm.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chords_function_keys_and_text_arrive_as_typed() -> Result<()> {
    let work = tempfile::tempdir()?;
    let (mut x, relay, mut agent) = setup(work.path()).await?;
    let xev = Xev::start(&x, "porpoise-keys-xev", "400x300+100+100", &["keyboard"])?;
    x.focus_window(&xev.window)?;

    let mut customer = Customer::start(&relay, &x.display, &mut agent).await?;
    customer.grant_control(&mut agent).await?;
    let mut remote = Remote::open(&agent, customer.session).await?;

    use egui::Key as K;
    let (ctrl, alt, shift, none) = (
        Modifiers::CTRL,
        Modifiers::ALT,
        Modifiers::SHIFT,
        Modifiers::NONE,
    );
    // Ctrl+C: egui-winit reports Event::Copy instead of the press of C.
    remote
        .frame(&[Event::Copy, key_event(K::C, false, ctrl)], ctrl)
        .await?;
    remote.frame(&[], none).await?;
    // Ctrl+V with text on the agent's clipboard: a key chord, not the agent's text.
    remote
        .frame(
            &[
                Event::Paste("agent clipboard".into()),
                key_event(K::V, false, ctrl),
            ],
            none,
        )
        .await?;
    remote.tap(K::Tab, alt).await?;
    // Shift held over two arrows.
    remote
        .frame(
            &[
                key_event(K::ArrowLeft, true, shift),
                key_event(K::ArrowLeft, false, shift),
                key_event(K::ArrowRight, true, shift),
            ],
            shift,
        )
        .await?;
    remote
        .frame(&[key_event(K::ArrowRight, false, shift)], none)
        .await?;
    for k in [K::F1, K::F5, K::F12, K::Escape] {
        remote.tap(k, none).await?;
    }

    let expected = vec![
        ev(true, 0x0, "Control_L"),
        ev(true, 0x4, "c"),
        ev(false, 0x4, "c"),
        ev(false, 0x4, "Control_L"),
        ev(true, 0x0, "Control_L"),
        ev(true, 0x4, "v"),
        ev(false, 0x4, "v"),
        ev(false, 0x4, "Control_L"),
        ev(true, 0x0, "Alt_L"),
        ev(true, 0x8, "Tab"),
        ev(false, 0x8, "Tab"),
        ev(false, 0x8, "Alt_L"),
        ev(true, 0x0, "Shift_L"),
        ev(true, 0x1, "Left"),
        ev(false, 0x1, "Left"),
        ev(true, 0x1, "Right"),
        ev(false, 0x1, "Right"),
        ev(false, 0x1, "Shift_L"),
        ev(true, 0x0, "F1"),
        ev(false, 0x0, "F1"),
        ev(true, 0x0, "F5"),
        ev(false, 0x0, "F5"),
        ev(true, 0x0, "F12"),
        ev(false, 0x0, "F12"),
        ev(true, 0x0, "Escape"),
        ev(false, 0x0, "Escape"),
    ];
    let seen = xev.wait_key_events(expected.len()).await;
    assert_eq!(seen, expected, "xev saw:\n{seen:#?}");

    // Text, including Chinese from an input method, into an xterm running `cat > FILE`.
    let typed = work.path().join("typed.txt");
    let mut xterm = x.command("xterm");
    xterm
        .env("LC_ALL", "C.UTF-8")
        .args([
            "-u8",
            "-geometry",
            "80x20+600+100",
            "-T",
            "porpoise-keys-xterm",
        ])
        .args(["-e", "sh", "-c", &format!("exec cat > {}", typed.display())]);
    x.spawn(xterm)?;
    let xterm_id = x.wait_window("porpoise-keys-xterm", WAIT)?;
    x.focus_window(&xterm_id)?;
    remote
        .frame(
            &[
                Event::Ime(egui::ImeEvent::Commit("你好".into())),
                key_event(K::Space, true, none),
                Event::Text(" ".into()),
                key_event(K::Space, false, none),
                key_event(K::P, true, none),
                Event::Text("porpoise".into()),
                key_event(K::P, false, none),
                key_event(K::Enter, true, none),
                key_event(K::Enter, false, none),
            ],
            none,
        )
        .await?;
    let content = wait_file_contains(&typed, "你好 porpoise\n").await?;
    assert_eq!(content, "你好 porpoise\n");

    remote.sender.finish();
    relay.stop().await;
    Ok(())
}

/// Shift, Ctrl, a Ctrl+Shift+A key, End and mouse button 1 held when control stops are
/// released on the customer's X server, whatever stopped it: the agent finishing its input
/// stream, the agent stopping control, the customer revoking, the connection being lost.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn held_input_is_released_whenever_control_stops() -> Result<()> {
    let work = tempfile::tempdir()?;
    let (x, relay, mut agent) = setup(work.path()).await?;
    // A window under the pointer for the button, with the keyboard focus.
    let xev = Xev::start(&x, "porpoise-held-xev", "400x300+100+100", &[])?;
    x.focus_window(&xev.window)?;
    let (conn, screen) = x11rb::connect(Some(&x.display))?;
    let root = conn.setup().roots[screen].root;
    let mut customer = Customer::start(&relay, &x.display, &mut agent).await?;
    customer.grant_control(&mut agent).await?;
    let session = customer.session;

    let all_held = KeyButMask::SHIFT | KeyButMask::CONTROL | KeyButMask::BUTTON1;
    // Ctrl, Shift, a, End down: four keys.
    let is_held = |m: KeyButMask, keys: usize| m.contains(all_held) && keys >= 4;
    let is_free = |m: KeyButMask, keys: usize| {
        !m.intersects(KeyButMask::SHIFT | KeyButMask::CONTROL | KeyButMask::BUTTON1) && keys == 0
    };

    // 1. The agent's input stream ends (the view closed, the app quit).
    let mut remote = Remote::open(&agent, session).await?;
    hold_everything(&mut remote).await?;
    wait_held(&conn, root, "holding (1)", is_held).await?;
    remote.sender.finish();
    wait_held(&conn, root, "after the input stream ended", is_free).await?;

    // 2. The agent stops control: the relay cuts the stream.
    let mut remote = Remote::open(&agent, session).await?;
    hold_everything(&mut remote).await?;
    wait_held(&conn, root, "holding (2)", is_held).await?;
    agent.stop(session, RemoteAction::RemoteControl).await?;
    wait_held(&conn, root, "after the agent stopped control", is_free).await?;

    // 3. The customer revokes (the Stop button: local stop first, then the relay).
    customer.grant_control(&mut agent).await?;
    let mut remote = Remote::open(&agent, session).await?;
    hold_everything(&mut remote).await?;
    wait_held(&conn, root, "holding (3)", is_held).await?;
    customer
        .command(NetCommand::StopSharing {
            session_id: session,
        })
        .await?;
    customer
        .command(NetCommand::Request(Request::StopAction(rpc::StopAction {
            session_id: session,
            action: RemoteAction::RemoteControl,
        })))
        .await?;
    wait_held(&conn, root, "after the customer revoked", is_free).await?;

    // 4. The connection is lost (the relay goes away).
    customer.grant_control(&mut agent).await?;
    let mut remote = Remote::open(&agent, session).await?;
    hold_everything(&mut remote).await?;
    wait_held(&conn, root, "holding (4)", is_held).await?;
    relay.stop().await;
    wait_held(&conn, root, "after the connection was lost", is_free).await?;

    // xev saw the releases too.
    let seen = xev.key_events();
    for keysym in ["Shift_L", "Control_L", "a", "End"] {
        let releases = seen
            .iter()
            .filter(|k| !k.press && k.keysym.eq_ignore_ascii_case(keysym))
            .count();
        assert!(
            releases >= 4,
            "{keysym} released {releases} times: {seen:#?}"
        );
    }
    let button_releases = xev
        .log
        .lock()
        .map(|l| l.matches("ButtonRelease event").count())
        .unwrap_or(0);
    assert!(
        button_releases >= 4,
        "{button_releases} ButtonRelease events"
    );
    Ok(())
}
