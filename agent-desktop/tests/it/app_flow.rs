//! Whole-app flows with a fake network: the test holds the network side's channel ends and
//! plays the relay's part, answering `NetCommand`s with `NetEvent`s.

use crate::common;

use egui::accesskit::Role;
use egui_kittest::{kittest::Queryable, Harness};
use porpoise_agent::{
    clock::now_unix_ms,
    net::{LoginFailure, LoginFailureKind, RelaySide},
    notify::{Notifier, Recording},
    screen::ScreenFeed,
    AgentApp, AgentConfig, NetChannels, NetCommand, NetEvent,
};
use porpoise_codec::{CapturedFrame, ScreenDecoder, ScreenEncoder};
use porpoise_protocol::wire::rpc;
use porpoise_protocol::{
    input::{InputEvent, Key, KeyEvent, MouseButton, MouseEvent},
    wire::{
        ActionState, CenterId, ChatMessage, Event, MessageId, Party, QueueEntry, RemoteAction,
        SessionId, SessionInfo, TicketId,
    },
};
use porpoise_quic::screen::ScreenUpdate;
use porpoise_ui::Language;

const FINGERPRINT: &str = "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89";
const SESSION: SessionId = SessionId(77);

fn app(lang: Language) -> (Harness<'static, AgentApp>, RelaySide, Recording) {
    let (net, side) = NetChannels::pair();
    let (notifier, recording) = Notifier::recording();
    let app = AgentApp::new(&AgentConfig::with_language(lang), net, notifier);
    let harness = Harness::builder()
        .with_size([1280.0, 800.0])
        .with_max_steps(40)
        .with_context_setup(porpoise_ui::install_fonts)
        .build_ui_state(|ui, app: &mut AgentApp| app.frame_ui(ui), app);
    (harness, side, recording)
}

fn commands(side: &mut RelaySide) -> Vec<NetCommand> {
    // Without the background reads: the customer panel's profile (A13/A15, one per tab) and
    // the pending records asked at login (A13).
    std::iter::from_fn(|| side.commands.try_recv().ok())
        .filter(|c| {
            !matches!(
                c,
                NetCommand::Call(porpoise_agent::net::Call(
                    porpoise_protocol::wire::Request::GetCustomerProfile(
                        rpc::GetCustomerProfile { .. }
                    ) | porpoise_protocol::wire::Request::ListPendingRecords(
                        rpc::ListPendingRecords
                    )
                ))
            )
        })
        .collect()
}

fn send(side: &RelaySide, event: NetEvent) {
    side.events.try_send(event).expect("event channel has room");
}

fn session_info(messages: Vec<ChatMessage>) -> SessionInfo {
    SessionInfo {
        session_id: SESSION,
        customer_name: "张三".into(),
        customer_phone: "13800000000".into(),
        agent_name: "Agent One".into(),
        started_at: now_unix_ms(),
        messages,
    }
}

/// Fills the login form (using the username drop-down) and logs in.
fn log_in(harness: &mut Harness<'static, AgentApp>, side: &mut RelaySide) {
    harness.run();
    harness.get_by_label("Certificate fingerprint").click();
    harness
        .get_by_label("Certificate fingerprint")
        .type_text(FINGERPRINT);
    harness.get_by_label("Center ID").click();
    harness.get_by_label("Center ID").type_text("8000001");
    harness.run();
    // The username lookup waits for the center ID to settle, then runs on the net task.
    harness.run_steps(4);
    let lookups = commands(side);
    assert!(
        matches!(
            lookups.as_slice(),
            [NetCommand::ListUsernames {
                center_id: CenterId(8_000_001),
                ..
            }]
        ),
        "{lookups:?}"
    );
    let names = Ok(vec!["agent1".to_owned(), "agent2".to_owned()]);
    send(
        side,
        NetEvent::Usernames {
            center_id: CenterId(8_000_001),
            result: names,
        },
    );
    harness.run();
    harness.get_by_label("Pick a user").click();
    harness.run();
    harness.get_by_label("agent1").click();
    harness.run();
    harness.get_by_label("Password").click();
    harness.get_by_label("Password").type_text("demo-password");
    harness.run();
    harness
        .get_by_role_and_label(Role::Button, "Log in")
        .click();
    harness.run();
    let sent = commands(side);
    match sent.as_slice() {
        [NetCommand::Login {
            relay,
            center_id,
            username,
            password,
        }] => {
            assert_eq!(relay.relay_addr, "127.0.0.1:18000");
            assert_eq!(relay.fingerprint.to_string(), FINGERPRINT);
            assert_eq!(
                (*center_id, username.as_str(), password.expose()),
                (CenterId(8_000_001), "agent1", "demo-password")
            );
        }
        other => panic!("expected a login, got {other:?}"),
    }
    assert!(harness.query_by_label("Logging in…").is_some());
    send(
        side,
        NetEvent::LoggedIn {
            display_name: "Agent One".into(),
            queue: vec![],
            sessions: vec![],
            profile: common::profile(porpoise_protocol::wire::Role::Agent),
        },
    );
    harness.run();
    harness.get_by_label("Logged in as Agent One");
}

/// Queues a customer, accepts them and returns once the tab is open.
fn accept_customer(harness: &mut Harness<'static, AgentApp>, side: &mut RelaySide) {
    let queued_at = now_unix_ms() - 65_000;
    let entry = QueueEntry {
        ticket_id: TicketId(5),
        name: "张三".into(),
        phone: "13800000000".into(),
        queued_at,
        group_id: None,
        product_type_id: None,
    };
    send(
        side,
        NetEvent::Relay(Event::QueueChanged {
            queue: vec![entry],
            count: 1,
        }),
    );
    harness.run();
    harness.get_by_label("张三");
    assert!(
        harness.query_by_label_contains("01:0").is_some(),
        "waiting time shown as mm:ss"
    );
    harness
        .get_by_role_and_label(Role::Button, "Accept")
        .click();
    harness.run();
    let sent = commands(side);
    assert!(
        matches!(
            sent.as_slice(),
            [NetCommand::Accept {
                ticket_id: TicketId(5)
            }]
        ),
        "{sent:?}"
    );
    let hello = ChatMessage {
        message_id: MessageId(1),
        from: Party::Customer,
        text: "电脑打不开了".into(),
        sent_at: now_unix_ms(),
        image: None,
    };
    send(side, NetEvent::SessionStarted(session_info(vec![hello])));
    send(
        side,
        NetEvent::Relay(Event::QueueChanged {
            queue: vec![],
            count: 0,
        }),
    );
    harness.run();
    harness.get_by_label("电脑打不开了");
    assert!(harness
        .query_by_role_and_label(Role::Button, "Accept")
        .is_none());
}

#[test]
fn login_queue_accept_and_chat() {
    let (mut harness, mut side, recording) = app(Language::En);
    log_in(&mut harness, &mut side);
    // The console is behind another window: the desktop is told too (A3).
    common::set_focused(&mut harness, false);
    accept_customer(&mut harness, &mut side);
    let calls = recording.calls();
    assert!(
        calls
            .iter()
            .any(|c| c.starts_with("popup: A customer is waiting: 张三")),
        "{calls:?}"
    );
    assert!(calls.iter().any(|c| c == "chime"), "{calls:?}");
    assert!(
        calls.iter().any(|c| c == "tray: Online { queue_len: 1 }"),
        "{calls:?}"
    );

    // Enter sends; the message shows as pending until the relay stores it.
    harness.get_by_label("Message").click();
    harness.get_by_label("Message").type_text("请稍等");
    harness.key_press(egui::Key::Enter);
    harness.run();
    let sent = commands(&mut side);
    let message_id = match sent.as_slice() {
        [NetCommand::SendChat {
            session_id: SESSION,
            message_id,
            text,
        }] if text == "请稍等" => *message_id,
        other => panic!("expected SendChat, got {other:?}"),
    };
    harness.get_by_label("请稍等");
    harness.get_by_label("sending…");
    let stored = ChatMessage {
        message_id,
        from: Party::Agent,
        text: "请稍等".into(),
        sent_at: now_unix_ms(),
        image: None,
    };
    send(
        &side,
        NetEvent::ChatStored {
            session_id: SESSION,
            message: stored,
        },
    );
    harness.run();
    assert!(harness.query_by_label("sending…").is_none());

    // Ctrl+Enter inserts a new line instead of sending.
    harness.get_by_label("Message").type_text("line one");
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Enter);
    harness.run();
    assert!(commands(&mut side).is_empty());
    harness.get_by_label("Message").type_text("line two");
    harness.key_press(egui::Key::Enter);
    harness.run();
    let sent = commands(&mut side);
    assert!(
        matches!(sent.as_slice(), [NetCommand::SendChat { text, .. }] if text == "line one\nline two"),
        "{sent:?}"
    );
}

#[test]
fn view_desktop_button_follows_consent() {
    let (mut harness, mut side, _) = app(Language::En);
    log_in(&mut harness, &mut side);
    accept_customer(&mut harness, &mut side);
    harness
        .get_by_role_and_label(Role::Button, "View desktop")
        .click();
    harness.run();
    let sent = commands(&mut side);
    assert!(
        matches!(
            sent.as_slice(),
            [NetCommand::RequestAction {
                session_id: SESSION,
                action: RemoteAction::ViewDesktop
            }]
        ),
        "{sent:?}"
    );
    let changed = |state| Event::ActionChanged {
        session_id: SESSION,
        action: RemoteAction::ViewDesktop,
        state,
        by: Party::Agent,
    };
    send(&side, NetEvent::Relay(changed(ActionState::Requested)));
    harness.run();
    harness.get_by_role_and_label(Role::Button, "Stop viewing");
    harness.get_by_label("Waiting for the customer's consent…");
    send(&side, NetEvent::Relay(changed(ActionState::Refused)));
    harness.run();
    harness.get_by_label("The customer refused");
    harness.get_by_role_and_label(Role::Button, "View desktop");

    harness
        .get_by_role_and_label(Role::Button, "End session")
        .click();
    harness.run();
    let sent = commands(&mut side);
    assert!(
        matches!(
            sent.as_slice(),
            [NetCommand::EndSession {
                session_id: SESSION
            }]
        ),
        "{sent:?}"
    );
    send(
        &side,
        NetEvent::Relay(Event::SessionEnded {
            session_id: SESSION,
            by: Party::Agent,
        }),
    );
    harness.run();
    harness.get_by_label("The session has ended");
    harness
        .get_by_role_and_label(Role::Button, "Close tab")
        .click();
    harness.run();
    harness.get_by_label("Accept a customer from the queue to start a session.");
}

/// A 320×200 test screen pushed through the real encoder and decoder into a feed.
fn screen_feed() -> std::sync::Arc<ScreenFeed> {
    let (w, h) = (320u32, 200u32);
    let pixels: Vec<u8> = (0..w * h * 4).map(|i| (i % 253) as u8).collect();
    let captured = CapturedFrame {
        width: w,
        height: h,
        stride: w as usize * 4,
        bgra: &pixels,
    };
    let frame = ScreenEncoder::new()
        .encode(captured, 0, true)
        .expect("encode")
        .expect("frame");
    let mut decoder = ScreenDecoder::new();
    let changed = decoder.decode(&frame).expect("decode");
    let feed = ScreenFeed::new();
    feed.push(&ScreenUpdate {
        decoder: &decoder,
        changed: &changed,
        key: true,
        encoded_bytes: 4096,
        seq: frame.seq,
        pts: frame.pts,
        decode_us: 500,
    });
    feed
}

#[test]
fn remote_control_sends_input_and_keeps_keys_out_of_the_chat() {
    let (mut harness, mut side, _) = app(Language::En);
    log_in(&mut harness, &mut side);
    accept_customer(&mut harness, &mut side);
    let granted = Event::ActionChanged {
        session_id: SESSION,
        action: RemoteAction::RemoteControl,
        state: ActionState::Granted,
        by: Party::Customer,
    };
    send(&side, NetEvent::Relay(granted));
    send(
        &side,
        NetEvent::ScreenStarted {
            session_id: SESSION,
            feed: screen_feed(),
        },
    );
    harness.run();
    harness.get_by_role_and_label(Role::Button, "Stop control");
    let view = harness.get_by_label("Customer screen");
    view.click();
    harness.run();
    harness.event(egui::Event::Text("hi你好".into()));
    harness.key_press(egui::Key::Enter);
    harness.run();
    let inputs: Vec<InputEvent> = commands(&mut side)
        .into_iter()
        .map(|c| match c {
            NetCommand::Input {
                session_id: SESSION,
                event,
            } => event,
            other => panic!("unexpected command {other:?}"),
        })
        .collect();
    assert!(
        matches!(
            inputs.first(),
            Some(InputEvent::Mouse(MouseEvent::MoveTo { .. }))
        ),
        "{inputs:?}"
    );
    let down = InputEvent::Mouse(MouseEvent::Button {
        button: MouseButton::Left,
        down: true,
    });
    let text = InputEvent::Key(KeyEvent::Text("hi你好".into()));
    let enter = InputEvent::Key(KeyEvent::Key {
        key: Key::Enter,
        down: true,
    });
    for wanted in [&down, &text, &enter] {
        assert!(
            inputs.contains(wanted),
            "{wanted:?} missing from {inputs:?}"
        );
    }
    // The chat input did not receive the keys.
    let ws = harness.state().workspace().expect("logged in");
    assert_eq!(ws.sessions()[0].draft, "");
}

#[test]
fn chinese_ui_shows_translated_login_errors_and_restores_sessions() {
    let (mut harness, mut side, _) = app(Language::ZhCn);
    harness.run();
    harness.get_by_label("证书指纹").click();
    harness.get_by_label("证书指纹").type_text(FINGERPRINT);
    harness.get_by_label("支持中心 ID").click();
    harness.get_by_label("支持中心 ID").type_text("8000001");
    harness.get_by_label("用户名").click();
    harness.run_steps(2);
    // The lookup started when the center ID lost focus; the relay does not know the center.
    let lookups = commands(&mut side);
    assert!(
        matches!(
            lookups.as_slice(),
            [NetCommand::ListUsernames {
                center_id: CenterId(8_000_001),
                ..
            }]
        ),
        "{lookups:?}"
    );
    let unknown = LoginFailure {
        kind: LoginFailureKind::UnknownCenter,
        refusal: None,
        detail: "unknown center ID 8000001".into(),
    };
    send(
        &side,
        NetEvent::Usernames {
            center_id: CenterId(8_000_001),
            result: Err(unknown),
        },
    );
    harness.run();
    harness.get_by_label_contains("支持中心不存在");
    harness.get_by_label("用户名").click();
    harness.get_by_label("用户名").type_text("agent1");
    harness.get_by_label("密码").click();
    harness.get_by_label("密码").type_text("wrong");
    harness.get_by_role_and_label(Role::Button, "登录").click();
    harness.run();
    assert!(commands(&mut side)
        .iter()
        .any(|c| matches!(c, NetCommand::Login { .. })));
    let failure = LoginFailure {
        kind: LoginFailureKind::WrongPassword,
        refusal: None,
        detail: "wrong username or password".into(),
    };
    send(&side, NetEvent::LoginFailed(failure));
    harness.run();
    harness.get_by_label_contains("用户名或密码错误");

    harness.get_by_role_and_label(Role::Button, "登录").click();
    harness.run();
    let history = vec![ChatMessage {
        message_id: MessageId(9),
        from: Party::Customer,
        text: "还在吗？".into(),
        sent_at: now_unix_ms(),
        image: None,
    }];
    send(
        &side,
        NetEvent::LoggedIn {
            display_name: "客服一".into(),
            queue: vec![],
            sessions: vec![session_info(history)],
            profile: common::profile(porpoise_protocol::wire::Role::Agent),
        },
    );
    harness.run();
    harness.get_by_label("当前客服：客服一");
    harness.get_by_label("还在吗？");
    harness.get_by_role_and_label(Role::Button, "观看桌面");
}

/// A12 and A9: the screen toolbar changes quality and scale live (sent to the customer's side
/// at once), and Screenshot asks for a still and saves it as a PNG the agent is told about.
#[test]
fn screen_toolbar_changes_quality_and_scale_and_saves_a_screenshot() {
    use porpoise_codec::stream::{ImageQuality, ScreenMessage};
    use porpoise_quic::screen::{viewer_channel, StillImage, ViewerEvent};
    let shots = tempfile::tempdir().expect("dir");
    std::env::set_var(porpoise_agent::screenshot::SCREENSHOT_DIR_ENV, shots.path());
    let (mut harness, mut side, _) = app(Language::En);
    log_in(&mut harness, &mut side);
    accept_customer(&mut harness, &mut side);
    let granted = Event::ActionChanged {
        session_id: SESSION,
        action: RemoteAction::ViewDesktop,
        state: ActionState::Granted,
        by: Party::Customer,
    };
    send(&side, NetEvent::Relay(granted));
    let (handle, mut control) = viewer_channel();
    let feed = ScreenFeed::with_handle(handle);
    send(
        &side,
        NetEvent::ScreenStarted {
            session_id: SESSION,
            feed: feed.clone(),
        },
    );
    harness.run();

    harness.get_by_label("Image quality").click();
    harness.run();
    harness.get_by_label("Best").click();
    harness.run();
    let Some(ScreenMessage::Settings(s)) = control.try_next() else {
        panic!("quality change not sent")
    };
    assert_eq!(s.quality, ImageQuality::Best);

    harness.get_by_label("Scale").click();
    harness.run();
    harness.get_by_label("50 %").click();
    harness.run();
    let Some(ScreenMessage::Settings(s)) = control.try_next() else {
        panic!("scale change not sent")
    };
    assert_eq!((s.scale_percent, s.quality), (50, ImageQuality::Best));

    harness.get_by_label("Screenshot").click();
    harness.run();
    assert_eq!(
        control.try_next(),
        Some(ScreenMessage::StillRequest { id: 1 })
    );
    feed.push_event(ViewerEvent::Still(StillImage {
        id: 1,
        width: 4,
        height: 2,
        rgba: vec![200; 32],
    }));
    harness.run();
    let saved: Vec<_> = std::fs::read_dir(shots.path())
        .expect("dir")
        .map(|e| e.expect("entry").path())
        .collect();
    assert_eq!(saved.len(), 1, "{saved:?}");
    let name = saved[0]
        .file_name()
        .expect("name")
        .to_string_lossy()
        .into_owned();
    assert!(
        name.starts_with("porpoise-张三-") && name.ends_with(".png"),
        "{name}"
    );
    harness.get_by_label_contains("Screenshot saved: ");
}

/// Issue 15: the customer's screen opens in its own window (fit to window, then 1:1 with the
/// customer's pixels, remembered for the next window), the tab keeps a live thumbnail, the
/// toolbar sends key combinations the agent's desktop would take, opens the chat beside the
/// screen and stops; a second customer's screen gets a second window.
#[test]
fn remote_window_fits_goes_one_to_one_sends_keys_and_stops() {
    let (mut harness, mut side, _) = app(Language::En);
    log_in(&mut harness, &mut side);
    accept_customer(&mut harness, &mut side);
    let granted = |session_id, action| {
        NetEvent::Relay(Event::ActionChanged {
            session_id,
            action,
            state: ActionState::Granted,
            by: Party::Customer,
        })
    };
    send(&side, granted(SESSION, RemoteAction::RemoteControl));
    send(
        &side,
        NetEvent::ScreenStarted {
            session_id: SESSION,
            feed: screen_feed(),
        },
    );
    harness.run();
    harness.get_by_label_contains("张三 — Remote control is on");
    harness.get_by_label("Customer screen thumbnail");
    harness.get_by_label_contains("in its own window");
    // Fit to window: the view fills the window, far larger than the 320×200 screen.
    let fit = harness.get_by_label("Customer screen").rect();
    assert!(fit.width() > 400.0, "{fit:?}");

    harness.get_by_label("Actual size 1:1").click();
    harness.run();
    let one = harness.get_by_label("Customer screen").rect();
    assert_eq!((one.width(), one.height()), (320.0, 200.0), "{one:?}");
    let prefs = harness
        .state()
        .workspace()
        .expect("in")
        .prefs()
        .remote_window;
    assert!(prefs.actual_size, "remembered for the next window");

    harness.get_by_label("Send keys").click();
    harness.run();
    harness.get_by_label("Ctrl+Alt+Del").click();
    harness.run();
    let inputs: Vec<InputEvent> = commands(&mut side)
        .into_iter()
        .filter_map(|c| match c {
            NetCommand::Input {
                session_id: SESSION,
                event,
            } => Some(event),
            _ => None,
        })
        .filter(|e| matches!(e, InputEvent::Key(_)))
        .collect();
    let key = |key, down| InputEvent::Key(KeyEvent::Key { key, down });
    assert_eq!(
        inputs,
        vec![
            key(Key::Control, true),
            key(Key::Alt, true),
            key(Key::Delete, true),
            key(Key::Delete, false),
            key(Key::Alt, false),
            key(Key::Control, false),
        ]
    );

    // The chat beside the screen: a second message box appears, in the window.
    assert_eq!(harness.query_all_by_label("Message").count(), 1);
    harness.get_by_role_and_label(Role::Button, "Chat").click();
    harness.run();
    assert_eq!(harness.query_all_by_label("Message").count(), 2);
    assert!(
        harness
            .state()
            .workspace()
            .expect("in")
            .prefs()
            .remote_window
            .chat_open
    );

    // A second customer's screen opens a second window.
    let mut second = session_info(vec![]);
    second.session_id = SessionId(78);
    second.customer_name = "李四".into();
    send(&side, NetEvent::SessionStarted(second));
    send(&side, granted(SessionId(78), RemoteAction::ViewDesktop));
    send(
        &side,
        NetEvent::ScreenStarted {
            session_id: SessionId(78),
            feed: screen_feed(),
        },
    );
    harness.run();
    harness.get_by_label_contains("张三 — Remote control is on");
    harness.get_by_label_contains("李四 — Viewing the desktop");
    assert_eq!(harness.query_all_by_label("Customer screen").count(), 2);
    let _ = commands(&mut side);

    // Stop in each window stops what that window shows.
    let stops: Vec<_> = harness
        .query_all_by_role_and_label(Role::Button, "Stop")
        .collect();
    assert_eq!(stops.len(), 2);
    for stop in stops {
        stop.click_accesskit();
    }
    harness.run();
    let sent = commands(&mut side);
    for (session_id, action) in [
        (SESSION, RemoteAction::RemoteControl),
        (SessionId(78), RemoteAction::ViewDesktop),
    ] {
        assert!(
            sent.iter().any(|c| matches!(
                c,
                NetCommand::StopAction { session_id: s, action: a } if *s == session_id && *a == action
            )),
            "{sent:?}"
        );
    }
}
