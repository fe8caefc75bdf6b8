//! `porpoise-bot`: a headless agent or customer on the client core, for scripts, end-to-end tests
//! and (later) load tests. Prints one JSON object per line on stdout for every event.
//!
//! Agent: log in, accept the first queued customer, chat, view the screen (saving the newest
//! decoded frame as PNG), request control and send pointer moves, clicks and text.
//! Customer: request service, grant or refuse consents, chat, stream the real screen (the
//! helper's capture) and inject input (the helper's injector).

use porpoise_protocol::wire::rpc;
use std::{
    path::PathBuf,
    sync::{Arc, Mutex},
    time::Duration,
};

use anyhow::{bail, Context, Result};
use clap::{Args, Parser, Subcommand, ValueEnum};
use porpoise_helper::capture::make_capture;
use porpoise_protocol::{
    input::{InputEvent, KeyEvent, MouseButton, MouseEvent},
    wire::{
        ActionState, CenterId, Event, InstallId, MediaHeader, MediaKind, RemoteAction, SessionId,
    },
};
use porpoise_quic::{
    client::{random_id, ClientConfig},
    screen::{read_input, stream_screen, view_screen, InputSender},
    tls::Fingerprint,
};
use porpoise_tools::{image::write_png_rgba, peer::Peer};
use serde_json::json;

#[derive(Parser, Debug)]
#[command(
    version,
    about = "Headless Porpoise agent or customer; prints JSON lines"
)]
struct Cli {
    /// Relay address host:port.
    #[arg(long, default_value = "127.0.0.1:18000", env = "PORPOISE_RELAY")]
    relay: String,
    /// Pinned relay certificate fingerprint (64 hex digits, colons allowed).
    #[arg(long, env = "PORPOISE_FINGERPRINT")]
    fingerprint: Fingerprint,
    /// Center ID.
    #[arg(long, default_value_t = CenterId(8_000_001))]
    center: CenterId,
    /// Seconds to wait for each expected event.
    #[arg(long, default_value_t = 30)]
    wait: u64,
    #[command(subcommand)]
    role: Role,
}

#[derive(Subcommand, Debug)]
enum Role {
    /// Act as an agent.
    Agent(AgentArgs),
    /// Act as a customer.
    Customer(CustomerArgs),
}

#[derive(Args, Debug)]
struct AgentArgs {
    /// Username; the password comes from PORPOISE_PASSWORD.
    #[arg(long, default_value = "agent1")]
    username: String,
    /// Chat messages to send after accepting, in order.
    #[arg(long)]
    say: Vec<String>,
    /// Request "view desktop" and save the newest decoded frame here as PNG.
    #[arg(long)]
    view_png: Option<PathBuf>,
    /// Seconds to keep viewing before saving the PNG.
    #[arg(long, default_value_t = 3)]
    view_seconds: u64,
    /// Request remote control and send these pointer moves ("X,Y" in remote px).
    #[arg(long = "move")]
    moves: Vec<String>,
    /// Click the left button after the moves.
    #[arg(long)]
    click: bool,
    /// Type this text after the moves (requires control).
    #[arg(long = "type")]
    type_text: Option<String>,
    /// End the session when done.
    #[arg(long)]
    end: bool,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Grant {
    /// Grant every consent request.
    All,
    /// Grant viewing, refuse control.
    View,
    /// Refuse everything.
    None,
}

#[derive(Args, Debug)]
struct CustomerArgs {
    /// Customer name.
    #[arg(long, default_value = "Bot Customer")]
    name: String,
    /// Customer phone.
    #[arg(long, default_value = "13800000000")]
    phone: String,
    /// How to answer consent requests.
    #[arg(long, value_enum, default_value_t = Grant::None)]
    grant: Grant,
    /// Chat messages to send once served.
    #[arg(long)]
    say: Vec<String>,
    /// Seconds to stay after being served (0 = until the session ends).
    #[arg(long, default_value_t = 0)]
    stay: u64,
}

/// The newest decoded screen: width, height (px) and RGBA pixels.
type Canvas = (u32, u32, Vec<u8>);

fn emit(value: serde_json::Value) {
    println!("{value}");
}

#[tokio::main]
async fn main() -> Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let config = ClientConfig {
        relay_addr: cli.relay.clone(),
        fingerprint: cli.fingerprint,
    };
    let wait = Duration::from_secs(cli.wait);
    match cli.role {
        Role::Agent(a) => run_agent(&config, cli.center, wait, a).await,
        Role::Customer(c) => run_customer(&config, cli.center, wait, c).await,
    }
}

async fn run_agent(
    config: &ClientConfig,
    center: CenterId,
    wait: Duration,
    args: AgentArgs,
) -> Result<()> {
    let password = std::env::var("PORPOISE_PASSWORD").context("set PORPOISE_PASSWORD")?;
    let mut peer = match Peer::agent(config, center, &args.username, &password).await {
        Ok(p) => p,
        Err(e) => {
            emit(json!({"event": "refused", "error": e.to_string()}));
            bail!("login failed: {e}");
        }
    };
    emit(json!({"event": "welcome", "role": "agent", "username": args.username}));
    let session = peer.take_customer_where(wait, |_| true).await?;
    emit(json!({"event": "accepted", "session_id": session}));
    for text in &args.say {
        let m = peer.say(session, text).await?;
        emit(json!({"event": "chat_stored", "text": m.text}));
    }
    if let Some(path) = &args.view_png {
        agent_view(
            &mut peer,
            session,
            path,
            Duration::from_secs(args.view_seconds),
            wait,
        )
        .await?;
    }
    if !args.moves.is_empty() || args.click || args.type_text.is_some() {
        agent_control(&mut peer, session, &args, wait).await?;
    }
    if args.end {
        peer.client
            .request(porpoise_protocol::wire::Request::EndSession(
                rpc::EndSession {
                    session_id: session,
                },
            ))
            .await?;
        emit(json!({"event": "ended", "session_id": session}));
    }
    peer.client.close("bot done");
    Ok(())
}

async fn wait_granted(
    peer: &mut Peer,
    session: SessionId,
    action: RemoteAction,
    wait: Duration,
) -> Result<()> {
    let state = peer.action_outcome(session, action, wait).await?;
    emit(
        json!({"event": "action", "action": format!("{action:?}"), "state": format!("{state:?}")}),
    );
    if state != ActionState::Granted {
        bail!("{action:?} was not granted: {state:?}");
    }
    Ok(())
}

async fn agent_view(
    peer: &mut Peer,
    session: SessionId,
    path: &PathBuf,
    seconds: Duration,
    wait: Duration,
) -> Result<()> {
    peer.request_action(session, RemoteAction::ViewDesktop)
        .await?;
    wait_granted(peer, session, RemoteAction::ViewDesktop, wait).await?;
    let stream = peer.wait_media(MediaKind::Screen, wait).await?;
    let latest: Arc<Mutex<Option<Canvas>>> = Arc::default();
    let sink = latest.clone();
    let viewer = tokio::spawn(view_screen(stream.send, stream.recv, move |u| {
        let (w, h) = u.decoder.size();
        emit(
            json!({"event": "frame", "seq": u.seq, "key": u.key, "bytes": u.encoded_bytes, "tiles": u.changed.len(), "width": w, "height": h}),
        );
        if let Ok(mut slot) = sink.lock() {
            *slot = Some((w, h, u.decoder.rgba().to_vec()));
        }
    }));
    tokio::time::sleep(seconds).await;
    let frame = latest.lock().ok().and_then(|s| s.clone());
    let Some((w, h, rgba)) = frame else {
        bail!("no frame decoded in {seconds:?}")
    };
    write_png_rgba(path, w, h, &rgba)?;
    emit(json!({"event": "saved_png", "path": path, "width": w, "height": h}));
    peer.stop(session, RemoteAction::ViewDesktop).await?;
    let stats = viewer.await??;
    emit(json!({"event": "view_stopped", "frames": stats.frames, "bytes": stats.bytes}));
    Ok(())
}

async fn agent_control(
    peer: &mut Peer,
    session: SessionId,
    args: &AgentArgs,
    wait: Duration,
) -> Result<()> {
    peer.request_action(session, RemoteAction::RemoteControl)
        .await?;
    wait_granted(peer, session, RemoteAction::RemoteControl, wait).await?;
    let stream = peer
        .client
        .open_media(MediaHeader {
            session_id: session,
            kind: MediaKind::Input,
        })
        .await?;
    let mut input = InputSender::new(stream.send);
    for m in &args.moves {
        let (x, y) = m.split_once(',').context("--move takes X,Y")?;
        let event = InputEvent::Mouse(MouseEvent::MoveTo {
            x: x.trim().parse()?,
            y: y.trim().parse()?,
        });
        input.send(&event).await?;
        emit(json!({"event": "sent_input", "input": format!("{event:?}")}));
    }
    if args.click {
        for down in [true, false] {
            input
                .send(&InputEvent::Mouse(MouseEvent::Button {
                    button: MouseButton::Left,
                    down,
                }))
                .await?;
        }
        emit(json!({"event": "sent_input", "input": "click"}));
    }
    if let Some(text) = &args.type_text {
        input
            .send(&InputEvent::Key(KeyEvent::Text(text.clone())))
            .await?;
        emit(json!({"event": "sent_input", "input": "text", "text": text}));
    }
    // Give the helper time to inject before the stream is stopped.
    tokio::time::sleep(Duration::from_millis(500)).await;
    input.finish();
    peer.stop(session, RemoteAction::RemoteControl).await?;
    Ok(())
}

async fn run_customer(
    config: &ClientConfig,
    center: CenterId,
    wait: Duration,
    args: CustomerArgs,
) -> Result<()> {
    let mut peer = Peer::customer(config, center, InstallId(random_id())).await?;
    emit(json!({"event": "welcome", "role": "customer"}));
    let (ticket, position) = peer.request_service(&args.name, &args.phone).await?;
    emit(json!({"event": "queued", "ticket_id": ticket, "position": position}));
    let session = peer
        .wait_for(wait * 10, |e| match e {
            Event::SessionStarted(info) => Some(info.clone()),
            _ => None,
        })
        .await?;
    emit(json!({"event": "served", "session_id": session.session_id, "agent": session.agent_name}));
    for text in &args.say {
        peer.say(session.session_id, text).await?;
    }
    let stay =
        (args.stay > 0).then(|| tokio::time::Instant::now() + Duration::from_secs(args.stay));
    customer_loop(&mut peer, session.session_id, args.grant, stay).await
}

async fn customer_loop(
    peer: &mut Peer,
    session: SessionId,
    grant: Grant,
    until: Option<tokio::time::Instant>,
) -> Result<()> {
    let mut screen: Option<tokio::task::JoinHandle<()>> = None;
    let mut granted = std::collections::BTreeSet::new();
    loop {
        if until.is_some_and(|t| tokio::time::Instant::now() >= t) {
            return Ok(());
        }
        let event = peer
            .wait_for(Duration::from_millis(200), |e| Some(e.clone()))
            .await;
        let Ok(event) = event else {
            // Input streams arrive as media; serve them while control is granted.
            if let Ok(stream) = peer
                .wait_media(MediaKind::Input, Duration::from_millis(1))
                .await
            {
                // The relay forwards input only under a grant; the bot checks too, like the helper.
                if granted.contains(&RemoteAction::RemoteControl) {
                    tokio::spawn(inject_stream(stream.recv));
                }
            }
            if !peer.client.is_open() {
                return Ok(());
            }
            continue;
        };
        emit(json!({"event": "event", "detail": format!("{event:?}")}));
        match event {
            Event::ConsentRequested { session_id, action } if session_id == session => {
                let yes = matches!(
                    (grant, action),
                    (Grant::All, _) | (Grant::View, RemoteAction::ViewDesktop)
                );
                peer.answer(session, action, yes).await?;
                emit(json!({"event": "consent", "action": format!("{action:?}"), "grant": yes}));
            }
            Event::ActionChanged {
                session_id,
                action,
                state,
                ..
            } if session_id == session => {
                // Viewing and control both show the screen; it stops when neither is granted.
                if state == ActionState::Granted {
                    granted.insert(action);
                } else {
                    granted.remove(&action);
                }
                if !granted.is_empty() && screen.is_none() {
                    let header = MediaHeader {
                        session_id: session,
                        kind: MediaKind::Screen,
                    };
                    let stream = peer.client.open_media(header).await?;
                    screen = Some(tokio::spawn(async move {
                        let result = stream_screen(make_capture, stream.send, stream.recv).await;
                        emit(
                            json!({"event": "screen_stream_ended", "result": format!("{result:?}")}),
                        );
                    }));
                } else if granted.is_empty() {
                    if let Some(h) = screen.take() {
                        h.abort();
                    }
                }
            }
            Event::ChatReceived { message, .. } => emit(
                json!({"event": "chat", "from": format!("{:?}", message.from), "text": message.text}),
            ),
            Event::SessionEnded { session_id, .. } if session_id == session => return Ok(()),
            _ => {}
        }
    }
}

async fn inject_stream(mut recv: quinn::RecvStream) {
    let mut injector = match porpoise_helper::input::EnigoInjector::new() {
        Ok(i) => i,
        Err(e) => {
            emit(json!({"event": "inject_error", "error": e.to_string()}));
            return;
        }
    };
    use porpoise_helper::input::InputInjector;
    loop {
        match read_input(&mut recv).await {
            Ok(Some(event)) => {
                let result = injector.inject(&event);
                emit(
                    json!({"event": "injected", "input": format!("{event:?}"), "ok": result.is_ok()}),
                );
            }
            Ok(None) | Err(_) => return,
        }
    }
}
