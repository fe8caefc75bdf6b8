//! The helper's network side against a scripted fake relay on loopback QUIC: connect with a
//! pinned certificate, consent-gated screen sharing and input injection, revoke, reconnect.
//! Capture and injection are synthetic here (the Xvfb tests use the real ones).

use porpoise_protocol::wire::rpc;
use std::{
    io,
    sync::{Arc, Mutex},
    time::Duration,
};

use porpoise_codec::CapturedFrame;
use porpoise_helper::{
    input::{InjectError, InjectorFactory, InputInjector},
    media::{Platform, SourceFactory},
    net::{self, ConnectFailure, NetCommand, NetEvent, NetLink, NetSettings},
};
use porpoise_protocol::wire::{CenterId, InstallId, MessageId, SessionId};
use porpoise_protocol::{
    framing::MAX_CONTROL_FRAME_BYTES,
    input::{InputEvent, KeyEvent, MouseEvent},
    wire::{
        ActionState, ChatMessage, ClientMessage, Event, HelloRole, MediaHeader, MediaKind, Party,
        RemoteAction, Request, Response, ServerMessage, ServiceMode, ServiceOptions, SessionInfo,
        Welcome, MAX_MEDIA_HEADER_BYTES,
    },
};
use porpoise_quic::{
    frame_io::read_frame,
    frame_io::write_frame,
    screen::{view_screen, InputSender, ScreenSource},
    tls::{server_config, Fingerprint},
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::{sync::mpsc, time::timeout};

const SID: SessionId = SessionId(5);
const CENTER: CenterId = CenterId(8_000_001);
const WAIT: Duration = Duration::from_secs(10);
/// Colour of the synthetic screen, BGRX.
const BGRX: [u8; 4] = [10, 200, 30, 255];

struct SolidScreen;

impl ScreenSource for SolidScreen {
    fn capture(&mut self, f: &mut dyn FnMut(CapturedFrame<'_>)) -> io::Result<()> {
        let (w, h) = (64u32, 48u32);
        let bgra: Vec<u8> = BGRX
            .iter()
            .copied()
            .cycle()
            .take((w * h * 4) as usize)
            .collect();
        f(CapturedFrame {
            width: w,
            height: h,
            stride: w as usize * 4,
            bgra: &bgra,
        });
        Ok(())
    }
}

type Injected = Arc<Mutex<Vec<InputEvent>>>;

struct Recorder(Injected);

impl InputInjector for Recorder {
    fn inject(&mut self, ev: &InputEvent) -> Result<(), InjectError> {
        self.0.lock().expect("lock").push(ev.clone());
        Ok(())
    }
}

fn platform(injected: Injected) -> Platform {
    let screen: SourceFactory = Arc::new(|| Ok(Box::new(SolidScreen) as Box<dyn ScreenSource>));
    let injector: InjectorFactory =
        Arc::new(move || Ok(Box::new(Recorder(injected.clone())) as Box<dyn InputInjector>));
    Platform { screen, injector }
}

struct FakeRelay {
    endpoint: quinn::Endpoint,
    fingerprint: Fingerprint,
}

impl FakeRelay {
    fn start() -> Self {
        let made =
            rcgen::generate_simple_self_signed(vec!["porpoise-relay".to_owned()]).expect("cert");
        let cert = made.cert.der().to_vec();
        let fingerprint = Fingerprint::of_der(&cert);
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(made.key_pair.serialize_der()));
        let config = server_config(CertificateDer::from(cert), key).expect("server config");
        let endpoint = quinn::Endpoint::server(config, "127.0.0.1:0".parse().expect("addr"))
            .expect("endpoint");
        Self {
            endpoint,
            fingerprint,
        }
    }

    fn settings(&self, fingerprint: Fingerprint) -> NetSettings {
        NetSettings {
            relay_addr: self.endpoint.local_addr().expect("addr").to_string(),
            fingerprint,
            center_id: CENTER,
            install_id: InstallId(77),
        }
    }

    /// Accepts a helper, checks its Hello, and welcomes it into session [`SID`].
    async fn accept(&self) -> Conn {
        let incoming = timeout(WAIT, self.endpoint.accept())
            .await
            .expect("in time")
            .expect("incoming");
        let connection = incoming.await.expect("handshake");
        let (mut send, mut recv) = connection.accept_bi().await.expect("control");
        let hello: ClientMessage = read_frame(&mut recv, MAX_CONTROL_FRAME_BYTES)
            .await
            .expect("read")
            .expect("hello");
        let ClientMessage::Hello(hello) = hello else {
            panic!("{hello:?}")
        };
        assert_eq!(
            hello.role,
            HelloRole::Customer {
                center_id: CENTER,
                install_id: InstallId(77)
            }
        );
        let welcome = Welcome::Customer {
            center_name: "Acme".into(),
            session: Some(session_info()),
            queue_position: None,
            options: ServiceOptions {
                mode: ServiceMode::AutoAssign,
                groups: vec![],
                product_types: vec![],
                agents: vec![],
                open_now: true,
                closed_reply: String::new(),
                faq: Vec::new(),
            },
            branding: None,
        };
        write_frame(
            &mut send,
            &ServerMessage::Welcome(welcome),
            MAX_CONTROL_FRAME_BYTES,
        )
        .await
        .expect("welcome");
        Conn {
            connection,
            send,
            recv,
        }
    }
}

struct Conn {
    connection: quinn::Connection,
    send: quinn::SendStream,
    recv: quinn::RecvStream,
}

impl Conn {
    async fn event(&mut self, event: Event) {
        write_frame(
            &mut self.send,
            &ServerMessage::Event(event),
            MAX_CONTROL_FRAME_BYTES,
        )
        .await
        .expect("event");
    }

    async fn action(&mut self, action: RemoteAction, state: ActionState) {
        self.event(Event::ActionChanged {
            session_id: SID,
            action,
            state,
            by: Party::Customer,
        })
        .await;
    }

    async fn answer_next(&mut self, answer: impl FnOnce(&Request) -> Response) -> Request {
        let msg: ClientMessage = timeout(WAIT, read_frame(&mut self.recv, MAX_CONTROL_FRAME_BYTES))
            .await
            .expect("in time")
            .expect("read")
            .expect("request");
        let ClientMessage::Request { id, body } = msg else {
            panic!("{msg:?}")
        };
        let result = Ok(answer(&body));
        write_frame(
            &mut self.send,
            &ServerMessage::Response { id, result },
            MAX_CONTROL_FRAME_BYTES,
        )
        .await
        .expect("answer");
        body
    }

    /// Opens a media stream of `kind` as the agent's side would (through the relay).
    async fn open_media(&self, kind: MediaKind) -> (quinn::SendStream, quinn::RecvStream) {
        let (mut send, recv) = self.connection.open_bi().await.expect("open");
        let header = MediaHeader {
            session_id: SID,
            kind,
        };
        write_frame(&mut send, &header, MAX_MEDIA_HEADER_BYTES)
            .await
            .expect("header");
        (send, recv)
    }

    async fn open_input(&self) -> InputSender {
        let (mut send, _recv) = self.connection.open_bi().await.expect("open");
        let header = MediaHeader {
            session_id: SID,
            kind: MediaKind::Input,
        };
        write_frame(&mut send, &header, MAX_MEDIA_HEADER_BYTES)
            .await
            .expect("header");
        InputSender::new(send)
    }
}

fn session_info() -> SessionInfo {
    SessionInfo {
        session_id: SID,
        customer_name: "Wang".into(),
        customer_phone: "1".into(),
        agent_name: "Alice".into(),
        started_at: 0,
        messages: vec![],
    }
}

async fn next_event(link: &mut NetLink) -> NetEvent {
    timeout(WAIT, link.events.recv())
        .await
        .expect("event in time")
        .expect("net alive")
}

async fn expect_connected(link: &mut NetLink) {
    assert_eq!(next_event(link).await, NetEvent::Connecting);
    let NetEvent::Connected {
        center_name,
        session,
        ..
    } = next_event(link).await
    else {
        panic!("not connected")
    };
    assert_eq!(center_name, "Acme");
    assert_eq!(session.map(|s| s.session_id), Some(SID));
}

async fn wait_injected(injected: &Injected, n: usize) {
    for _ in 0..200 {
        if injected.lock().expect("lock").len() >= n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("only {:?} injected", injected.lock().expect("lock"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn consent_gated_media_revoke_and_reconnect() {
    let relay = FakeRelay::start();
    let injected = Injected::default();
    let mut link = net::spawn(
        &tokio::runtime::Handle::current(),
        relay.settings(relay.fingerprint),
        platform(injected.clone()),
        egui::Context::default(),
    );
    let mut conn = relay.accept().await;
    expect_connected(&mut link).await;

    // Sharing asked for without a grant is ignored: no screen stream is opened.
    link.commands
        .send(NetCommand::StartSharing {
            session_id: SID,
            action: RemoteAction::ViewDesktop,
        })
        .await
        .expect("cmd");
    assert!(
        timeout(Duration::from_millis(500), conn.connection.accept_bi())
            .await
            .is_err(),
        "no stream without a grant"
    );

    // An input stream that arrives just before the grant is accepted once the grant is seen.
    let mut input = conn.open_input().await;
    input
        .send(&InputEvent::Mouse(MouseEvent::MoveTo { x: 3, y: 4 }))
        .await
        .expect("input");
    conn.action(RemoteAction::RemoteControl, ActionState::Granted)
        .await;
    assert!(matches!(
        next_event(&mut link).await,
        NetEvent::Event(Event::ActionChanged { .. })
    ));
    link.commands
        .send(NetCommand::StartSharing {
            session_id: SID,
            action: RemoteAction::RemoteControl,
        })
        .await
        .expect("cmd");

    // The screen arrives and decodes to the synthetic colour.
    let (send, mut recv) = timeout(WAIT, conn.connection.accept_bi())
        .await
        .expect("screen in time")
        .expect("stream");
    let header: MediaHeader = read_frame(&mut recv, MAX_MEDIA_HEADER_BYTES)
        .await
        .expect("read")
        .expect("header");
    assert_eq!(
        header,
        MediaHeader {
            session_id: SID,
            kind: MediaKind::Screen
        }
    );
    let (pixel_tx, mut pixel_rx) = mpsc::unbounded_channel();
    let viewer = tokio::spawn(view_screen(send, recv, move |update| {
        let _ = pixel_tx.send(update.decoder.rgba()[..4].to_vec());
    }));
    let rgba = timeout(WAIT, pixel_rx.recv())
        .await
        .expect("frame in time")
        .expect("frame");
    assert_eq!(rgba, vec![BGRX[2], BGRX[1], BGRX[0], 255]);

    input
        .send(&InputEvent::Key(KeyEvent::Text("你好".into())))
        .await
        .expect("input");
    wait_injected(&injected, 2).await;

    // The agent stops: capture and injection end at once, without the UI's help.
    conn.action(RemoteAction::RemoteControl, ActionState::Stopped)
        .await;
    timeout(WAIT, viewer)
        .await
        .expect("screen stream ends")
        .expect("join")
        .expect("clean end");
    let _ = input
        .send(&InputEvent::Key(KeyEvent::Text("late".into())))
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let got = injected.lock().expect("lock").clone();
    assert_eq!(
        got,
        vec![
            InputEvent::Mouse(MouseEvent::MoveTo { x: 3, y: 4 }),
            InputEvent::Key(KeyEvent::Text("你好".into()))
        ]
    );

    // Requests are answered through the same bridge.
    let chat = Request::SendChat(rpc::SendChat {
        session_id: SID,
        message_id: MessageId(9),
        text: "hi".into(),
    });
    link.commands
        .send(NetCommand::Request(chat.clone()))
        .await
        .expect("cmd");
    let stored = ChatMessage {
        message_id: MessageId(9),
        from: Party::Customer,
        text: "hi".into(),
        sent_at: 1,
        image: None,
    };
    let seen = conn
        .answer_next(|_| Response::ChatStored(stored.clone()))
        .await;
    assert_eq!(seen, chat);
    loop {
        match next_event(&mut link).await {
            NetEvent::Answered { request, result } => {
                assert_eq!((request, result), (chat, Ok(Response::ChatStored(stored))));
                break;
            }
            NetEvent::Event(_) => {}
            other => panic!("{other:?}"),
        }
    }

    // The relay drops the connection: the helper reports it and reconnects by itself.
    conn.connection.close(0u32.into(), b"restart");
    loop {
        match next_event(&mut link).await {
            NetEvent::Disconnected(ConnectFailure::Lost(_)) => break,
            NetEvent::MediaEnded { .. } | NetEvent::Event(_) => {}
            other => panic!("{other:?}"),
        }
    }
    let _conn = relay.accept().await;
    expect_connected(&mut link).await;
    link.commands.send(NetCommand::Shutdown).await.expect("cmd");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn input_without_control_grant_is_dropped() {
    let relay = FakeRelay::start();
    let injected = Injected::default();
    let mut link = net::spawn(
        &tokio::runtime::Handle::current(),
        relay.settings(relay.fingerprint),
        platform(injected.clone()),
        egui::Context::default(),
    );
    let mut conn = relay.accept().await;
    expect_connected(&mut link).await;
    conn.action(RemoteAction::ViewDesktop, ActionState::Granted)
        .await;
    next_event(&mut link).await;
    link.commands
        .send(NetCommand::StartSharing {
            session_id: SID,
            action: RemoteAction::ViewDesktop,
        })
        .await
        .expect("cmd");
    let mut input = conn.open_input().await;
    input
        .send(&InputEvent::Mouse(MouseEvent::MoveTo { x: 1, y: 1 }))
        .await
        .expect("input");
    tokio::time::sleep(porpoise_helper::media::INPUT_GRANT_WAIT + Duration::from_millis(500)).await;
    let _ = input
        .send(&InputEvent::Mouse(MouseEvent::MoveTo { x: 2, y: 2 }))
        .await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(
        injected.lock().expect("lock").is_empty(),
        "view-only must not inject"
    );
    link.commands.send(NetCommand::Shutdown).await.expect("cmd");
}

/// C6: the agent's screen arrives in the helper's demo feed once the customer granted the
/// remote demo (the stream may arrive before the grant), and a revoke ends it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn remote_demo_shows_the_agents_screen_until_revoked() {
    let relay = FakeRelay::start();
    let mut link = net::spawn(
        &tokio::runtime::Handle::current(),
        relay.settings(relay.fingerprint),
        platform(Injected::default()),
        egui::Context::default(),
    );
    let mut conn = relay.accept().await;
    expect_connected(&mut link).await;
    // The stream overtakes the grant event.
    let (send, recv) = conn.open_media(MediaKind::Demo).await;
    let agent_side = tokio::spawn(porpoise_quic::screen::stream_screen(
        || Ok(SolidScreen),
        send,
        recv,
    ));
    conn.action(RemoteAction::RemoteDemo, ActionState::Granted)
        .await;
    let feed = loop {
        match next_event(&mut link).await {
            NetEvent::DemoStarted { session_id, feed } => {
                assert_eq!(session_id, SID);
                break feed;
            }
            _ => continue,
        }
    };
    let mut shown = None;
    for _ in 0..250 {
        let p = feed.take();
        if let Some(full) = p.full {
            shown = Some((p.size, full));
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let (size, rgba) = shown.expect("the agent's screen arrived");
    assert_eq!(size, [64, 48]);
    assert_eq!(&rgba[..4], &[BGRX[2], BGRX[1], BGRX[0], 255]);

    conn.action(RemoteAction::RemoteDemo, ActionState::Stopped)
        .await;
    loop {
        if let NetEvent::DemoEnded { session_id, .. } = next_event(&mut link).await {
            assert_eq!(session_id, SID);
            break;
        }
    }
    let stats = timeout(WAIT, agent_side)
        .await
        .expect("the agent's stream ends after the revoke")
        .expect("task")
        .expect("clean end");
    assert!(stats.frames >= 1);
    link.commands.send(NetCommand::Shutdown).await.expect("cmd");
}

/// A demo stream without the customer's consent is closed and never shown.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn remote_demo_without_consent_is_refused() {
    let relay = FakeRelay::start();
    let mut link = net::spawn(
        &tokio::runtime::Handle::current(),
        relay.settings(relay.fingerprint),
        platform(Injected::default()),
        egui::Context::default(),
    );
    let mut conn = relay.accept().await;
    expect_connected(&mut link).await;
    conn.action(RemoteAction::ViewDesktop, ActionState::Granted)
        .await;
    next_event(&mut link).await;
    let (send, recv) = conn.open_media(MediaKind::Demo).await;
    let agent_side = tokio::spawn(porpoise_quic::screen::stream_screen(
        || Ok(SolidScreen),
        send,
        recv,
    ));
    // After the grant wait the parked stream is dropped on the next event.
    tokio::time::sleep(porpoise_helper::media::INPUT_GRANT_WAIT + Duration::from_millis(200)).await;
    conn.action(RemoteAction::ViewDesktop, ActionState::Stopped)
        .await;
    let ended = timeout(WAIT, agent_side).await.expect("stream closed");
    assert!(ended.is_ok());
    while let Ok(Some(event)) = timeout(Duration::from_millis(300), link.events.recv()).await {
        assert!(
            !matches!(event, NetEvent::DemoStarted { .. }),
            "no demo without consent"
        );
    }
    link.commands.send(NetCommand::Shutdown).await.expect("cmd");
}

#[tokio::test]
async fn wrong_fingerprint_is_reported_as_such() {
    let relay = FakeRelay::start();
    let mut link = net::spawn(
        &tokio::runtime::Handle::current(),
        relay.settings(Fingerprint([7; 32])),
        platform(Injected::default()),
        egui::Context::default(),
    );
    let server = tokio::spawn(async move {
        if let Some(incoming) = relay.endpoint.accept().await {
            let _ = incoming.await;
        }
    });
    assert_eq!(next_event(&mut link).await, NetEvent::Connecting);
    let failure = next_event(&mut link).await;
    let NetEvent::Disconnected(failure @ ConnectFailure::FingerprintMismatch(_)) = failure else {
        panic!("{failure:?}")
    };
    assert!(failure.is_permanent());
    link.commands.send(NetCommand::Shutdown).await.expect("cmd");
    server.abort();
}

/// Typing previews (R10): a burst of changes reaches the relay as the first text at once and
/// then only the newest (trailing edge), not one request per keystroke.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn typing_previews_are_throttled_to_first_and_newest() {
    let relay = FakeRelay::start();
    let mut link = net::spawn(
        &tokio::runtime::Handle::current(),
        relay.settings(relay.fingerprint),
        platform(Injected::default()),
        egui::Context::default(),
    );
    let mut conn = relay.accept().await;
    expect_connected(&mut link).await;
    for text in ["h", "he", "hel", "hell", "hello", ""] {
        link.commands
            .send(NetCommand::TypingPreview {
                session_id: SID,
                text: text.into(),
            })
            .await
            .expect("cmd");
    }
    let first = conn.answer_next(|_| Response::Done).await;
    let second = conn.answer_next(|_| Response::Done).await;
    let preview = |text: &str| {
        Request::TypingPreview(rpc::TypingPreview {
            session_id: SID,
            text: text.into(),
        })
    };
    assert_eq!((first, second), (preview("h"), preview("")));
    // Nothing else follows, and the UI hears nothing of previews.
    let more = timeout(
        Duration::from_millis(800),
        read_frame::<ClientMessage, _>(&mut conn.recv, MAX_CONTROL_FRAME_BYTES),
    )
    .await;
    assert!(more.is_err(), "unexpected {more:?}");
    assert!(link.events.try_recv().is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn system_info_is_read_and_sent_only_after_the_grant() {
    let relay = FakeRelay::start();
    let mut link = net::spawn(
        &tokio::runtime::Handle::current(),
        relay.settings(relay.fingerprint),
        platform(Injected::default()),
        egui::Context::default(),
    );
    let mut conn = relay.accept().await;
    expect_connected(&mut link).await;
    // Asked without a grant (e.g. a confused UI): nothing is read or sent.
    let report = NetCommand::ReportSystemInfo { session_id: SID };
    link.commands.send(report.clone()).await.expect("cmd");
    let early = timeout(
        Duration::from_millis(800),
        read_frame::<ClientMessage, _>(&mut conn.recv, MAX_CONTROL_FRAME_BYTES),
    )
    .await;
    assert!(early.is_err(), "sent without a grant: {early:?}");

    conn.action(RemoteAction::SystemInfo, ActionState::Granted)
        .await;
    assert!(matches!(next_event(&mut link).await, NetEvent::Event(_)));
    link.commands.send(report).await.expect("cmd");
    let body = conn.answer_next(|_| Response::Done).await;
    let Request::ReportSystemInfo(rpc::ReportSystemInfo { session_id, info }) = body else {
        panic!("{body:?}")
    };
    assert_eq!(session_id, SID);
    assert_eq!(info.validate(), Ok(()));
    assert!(info.cpu.logical_cores >= 1 && info.memory.total_bytes > 0);
    match next_event(&mut link).await {
        NetEvent::Answered {
            request: Request::ReportSystemInfo(rpc::ReportSystemInfo { .. }),
            result: Ok(Response::Done),
        } => {}
        other => panic!("{other:?}"),
    }
    link.commands.send(NetCommand::Shutdown).await.expect("cmd");
}
