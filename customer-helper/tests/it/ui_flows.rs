//! Whole-app UI flows with egui_kittest and a fake network: the test plays the relay by sending
//! `NetEvent`s and reads the `NetCommand`s the app sends.

use crate::common;

use common::{harness, options, FakeNet};
use egui::{Key, Modifiers};
use egui_kittest::{
    kittest::{NodeT, Queryable},
    Harness,
};
use porpoise_helper::{
    net::{ConnectFailure, NetCommand, NetEvent},
    HelperApp,
};
use porpoise_protocol::wire::rpc;
use porpoise_protocol::wire::{
    ActionState, ChatMessage, Event, Party, RemoteAction, Request, Response, ServiceMode,
    ServiceRoute, SessionId, SessionInfo,
};
use porpoise_protocol::wire::{MessageId, TicketId};
use porpoise_ui::Language;

const SID: SessionId = SessionId(7);

fn session_info() -> SessionInfo {
    SessionInfo {
        session_id: SID,
        customer_name: "Wang Wei".into(),
        customer_phone: "13800000000".into(),
        agent_name: "Alice".into(),
        started_at: 0,
        messages: vec![],
    }
}

/// A harness whose customer is already being served by Alice.
fn served(language: Language) -> (Harness<'static, HelperApp>, FakeNet) {
    let (mut h, mut net) = harness(language, "Wang Wei");
    net.welcome(options(ServiceMode::AutoAssign), Some(session_info()));
    h.run();
    assert!(net.drain().is_empty());
    (h, net)
}

fn granted(action: RemoteAction) -> Event {
    Event::ActionChanged {
        session_id: SID,
        action,
        state: ActionState::Granted,
        by: Party::Customer,
    }
}

#[test]
fn accept_shares_after_the_grant_and_stop_stops() {
    let (mut h, mut net) = served(Language::En);
    net.relay(Event::ConsentRequested {
        session_id: SID,
        action: RemoteAction::ViewDesktop,
    });
    h.run();
    h.get_by_label_contains("Alice asks to view your screen");
    // A click the instant the prompt appears does nothing (issue 14: no prompt swap under the
    // cursor); a second later it grants.
    h.get_by_label("Accept").click();
    h.run();
    assert!(net.drain().is_empty(), "Accept is not armed yet");
    common::wait_consent_armed(&mut h);
    h.get_by_label("Accept").click();
    h.run();
    assert_eq!(
        net.drain(),
        vec![NetCommand::Request(Request::AnswerConsent(
            rpc::AnswerConsent {
                session_id: SID,
                action: RemoteAction::ViewDesktop,
                grant: true
            }
        ))]
    );
    assert!(
        h.query_by_label("Accept").is_none(),
        "the prompt is gone once answered"
    );
    assert!(
        h.query_by_label_contains("is viewing your screen")
            .is_none(),
        "no banner before the relay grants"
    );

    net.relay(granted(RemoteAction::ViewDesktop));
    h.run();
    h.get_by_label_contains("Alice is viewing your screen");
    assert_eq!(
        net.drain(),
        vec![NetCommand::StartSharing {
            session_id: SID,
            action: RemoteAction::ViewDesktop
        }]
    );
    assert_eq!(h.state().sharing(), Some((SID, RemoteAction::ViewDesktop)));

    h.get_by_label("Stop").click();
    h.run();
    assert_eq!(
        net.drain(),
        vec![
            NetCommand::StopSharing { session_id: SID },
            NetCommand::Request(Request::StopAction(rpc::StopAction {
                session_id: SID,
                action: RemoteAction::ViewDesktop
            })),
        ]
    );
    assert!(h
        .query_by_label_contains("is viewing your screen")
        .is_none());
    assert_eq!(h.state().sharing(), None);

    // The relay confirms; nothing more is asked of the network side.
    net.relay(Event::ActionChanged {
        session_id: SID,
        action: RemoteAction::ViewDesktop,
        state: ActionState::Stopped,
        by: Party::Customer,
    });
    h.run();
    assert!(net.drain().is_empty());
}

#[test]
fn reject_shares_nothing() {
    let (mut h, mut net) = served(Language::En);
    net.relay(Event::ConsentRequested {
        session_id: SID,
        action: RemoteAction::RemoteControl,
    });
    h.run();
    h.get_by_label_contains("Alice asks to control your computer");
    h.get_by_label("Reject").click();
    h.run();
    assert_eq!(
        net.drain(),
        vec![NetCommand::Request(Request::AnswerConsent(
            rpc::AnswerConsent {
                session_id: SID,
                action: RemoteAction::RemoteControl,
                grant: false
            }
        ))]
    );
    net.relay(Event::ActionChanged {
        session_id: SID,
        action: RemoteAction::RemoteControl,
        state: ActionState::Refused,
        by: Party::Customer,
    });
    h.run();
    assert!(net.drain().is_empty(), "no StartSharing after a refusal");
    assert!(h
        .query_by_label_contains("controlling your computer")
        .is_none());
    assert!(h.query_by_label("Stop").is_none());
    assert_eq!(h.state().sharing(), None);
}

#[test]
fn agent_revoke_removes_the_banner_and_stops_sharing() {
    let (mut h, mut net) = served(Language::En);
    net.relay(Event::ConsentRequested {
        session_id: SID,
        action: RemoteAction::RemoteControl,
    });
    h.run();
    common::wait_consent_armed(&mut h);
    h.get_by_label("Accept").click();
    h.run();
    net.relay(granted(RemoteAction::RemoteControl));
    h.run();
    h.get_by_label_contains("Alice is controlling your computer");
    net.drain();
    net.relay(Event::ActionChanged {
        session_id: SID,
        action: RemoteAction::RemoteControl,
        state: ActionState::Stopped,
        by: Party::Agent,
    });
    h.run();
    assert_eq!(
        net.drain(),
        vec![NetCommand::StopSharing { session_id: SID }]
    );
    assert!(h
        .query_by_label_contains("controlling your computer")
        .is_none());
}

#[test]
fn request_service_then_queue_position_then_leave() {
    let (mut h, mut net) = harness(Language::En, "");
    net.welcome(options(ServiceMode::AutoAssign), None);
    h.run();
    h.get_by_label("Acme Support");

    // An empty name is refused with a message.
    h.get_by_label("Request service").click();
    h.run();
    h.get_by_label("Please enter your name.");
    assert!(net.drain().is_empty());

    h.get_by_label("Your name").focus();
    h.run();
    h.get_by_label("Your name").type_text("王伟");
    h.run();
    h.get_by_label("Phone").focus();
    h.run();
    h.get_by_label("Phone").type_text("13800000000");
    h.run();
    h.get_by_label("Request service").click();
    h.run();
    let request = Request::RequestService(rpc::RequestService {
        name: "王伟".into(),
        phone: "13800000000".into(),
        route: ServiceRoute::AutoAssign {
            group_id: None,
            product_type_id: None,
        },
    });
    assert_eq!(net.drain(), vec![NetCommand::Request(request.clone())]);
    h.get_by_label("Requesting service…");

    net.push(NetEvent::Answered {
        request,
        result: Ok(Response::Queued(rpc::Queued {
            ticket_id: TicketId(11),
            position: 3,
        })),
    });
    h.run();
    h.get_by_label("You are number 3 in the queue");
    h.get_by_label("Estimating the wait…");
    net.relay(Event::QueuePosition {
        position: 1,
        estimated_wait_s: Some(150),
    });
    h.run();
    h.get_by_label("You are number 1 in the queue");
    h.get_by_label("Estimated wait: about 3 min");

    h.get_by_label("Leave queue").click();
    h.run();
    assert_eq!(
        net.drain(),
        vec![NetCommand::Request(Request::LeaveQueue(rpc::LeaveQueue))]
    );
    net.push(NetEvent::Answered {
        request: Request::LeaveQueue(rpc::LeaveQueue),
        result: Ok(Response::Done),
    });
    h.run();
    h.get_by_label("Request service");
}

#[test]
fn chat_enter_sends_ctrl_enter_breaks_line_and_pending_until_stored() {
    let (mut h, mut net) = served(Language::En);
    h.get_by_label("Message").focus();
    h.run();
    h.get_by_label("Message").type_text("line one");
    h.run();
    h.key_press_modifiers(Modifiers::CTRL, Key::Enter);
    h.run();
    h.get_by_label("Message").type_text("line two");
    h.run();
    let typed = net.drain();
    assert!(
        typed
            .iter()
            .all(|c| matches!(c, NetCommand::TypingPreview { .. })),
        "Ctrl+Enter does not send: {typed:?}"
    );
    // The agent's typing preview (R10) follows the box; the network side throttles it.
    assert_eq!(
        typed.last(),
        Some(&NetCommand::TypingPreview {
            session_id: SID,
            text: "line one\nline two".into()
        })
    );
    h.key_press(Key::Enter);
    h.run();
    let mut sent = net.drain();
    // Sending empties the box: the preview is cleared.
    assert_eq!(
        sent.pop(),
        Some(NetCommand::TypingPreview {
            session_id: SID,
            text: String::new()
        })
    );
    let [NetCommand::Request(Request::SendChat(rpc::SendChat {
        session_id,
        message_id,
        text,
    }))] = sent.as_slice()
    else {
        panic!("expected one SendChat, got {sent:?}");
    };
    assert_eq!((*session_id, text.as_str()), (SID, "line one\nline two"));
    h.get_by_label("You · sending…");

    let stored = ChatMessage {
        message_id: *message_id,
        from: Party::Customer,
        text: text.clone(),
        sent_at: 1,
        image: None,
    };
    net.push(NetEvent::Answered {
        request: sent_request(&sent),
        result: Ok(Response::ChatStored(stored)),
    });
    net.relay(Event::ChatReceived {
        session_id: SID,
        message: ChatMessage {
            message_id: MessageId(99),
            from: Party::Agent,
            text: "How can I help?".into(),
            sent_at: 2,
            image: None,
        },
    });
    h.run();
    assert!(h.query_by_label("You · sending…").is_none());
    h.get_by_label("line one\nline two");
    h.get_by_label("How can I help?");
}

fn sent_request(sent: &[NetCommand]) -> Request {
    match &sent[0] {
        NetCommand::Request(r) => r.clone(),
        other => panic!("{other:?}"),
    }
}

#[test]
fn chinese_consent_prompt_and_banner_render() {
    let (mut h, mut net) = served(Language::ZhCn);
    net.relay(Event::ConsentRequested {
        session_id: SID,
        action: RemoteAction::RemoteControl,
    });
    h.run();
    h.get_by_label_contains("Alice 请求远程控制您的电脑");
    h.get_by_label("接受").click();
    h.run();
    net.relay(granted(RemoteAction::RemoteControl));
    h.run();
    h.get_by_label_contains("Alice 正在远程控制您的电脑");
    h.get_by_label("停止");
    let commands = net.drain();
    assert!(commands.contains(&NetCommand::StartSharing {
        session_id: SID,
        action: RemoteAction::RemoteControl
    }));
}

#[test]
fn connection_problems_are_explained() {
    let (mut h, net) = harness(Language::En, "");
    net.push(NetEvent::Disconnected(ConnectFailure::FingerprintMismatch(
        "certificate fingerprint mismatch".into(),
    )));
    h.run();
    h.get_by_label_contains("security certificate does not match");
    h.get_by_label("Retry");
    // While the next attempt runs, the reason stays on screen.
    net.push(NetEvent::Connecting);
    h.run();
    h.get_by_label_contains("security certificate does not match");
    net.push(NetEvent::Disconnected(ConnectFailure::Unreachable(
        "relay relay.example:18000 is unreachable".into(),
    )));
    h.run();
    h.get_by_label_contains("Cannot reach the support server at relay.example:18000");
}

/// A refusal is a code from the relay: the Chinese helper words it in Chinese, with no English
/// detail under it.
#[test]
fn a_refusal_reads_in_the_customers_language() {
    let (mut h, net) = harness(Language::ZhCn, "");
    net.push(NetEvent::Disconnected(ConnectFailure::Refused {
        reason: porpoise_protocol::wire::RefusedReason::UnknownCenter(
            porpoise_protocol::wire::CenterId(8_000_009),
        ),
        permanent: true,
    }));
    h.run();
    h.get_by_label("支持服务器拒绝了连接：支持中心 8000009 不存在");
    assert!(h.query_by_label_contains("unknown center").is_none());
}

/// C6 and C5: the remote demo is asked for like any remote action; once the agent's screen
/// arrives it shows in its own (scalable) window, which says when the demo ended.
#[test]
fn remote_demo_asks_first_then_shows_the_agents_screen() {
    use porpoise_codec::{CapturedFrame, ScreenDecoder, ScreenEncoder};
    use porpoise_quic::screen::ScreenUpdate;
    use porpoise_ui::screen_view::ScreenFeed;
    let (mut h, mut net) = served(Language::En);
    net.relay(Event::ConsentRequested {
        session_id: SID,
        action: RemoteAction::RemoteDemo,
    });
    h.run();
    h.get_by_label_contains("Alice wants to show you their screen");
    common::wait_consent_armed(&mut h);
    h.get_by_label("Accept").click();
    h.run();
    assert_eq!(
        net.drain(),
        vec![NetCommand::Request(Request::AnswerConsent(
            rpc::AnswerConsent {
                session_id: SID,
                action: RemoteAction::RemoteDemo,
                grant: true
            }
        ))]
    );
    net.relay(granted(RemoteAction::RemoteDemo));
    h.run();
    assert!(
        net.drain().is_empty(),
        "a demo shares nothing of the customer's screen"
    );

    let feed = ScreenFeed::new();
    net.push(NetEvent::DemoStarted {
        session_id: SID,
        feed: feed.clone(),
    });
    h.run();
    h.get_by_label_contains("Waiting for the agent's screen");
    let (w, h_px) = (96u32, 64u32);
    let bgra = vec![90u8; (w * h_px * 4) as usize];
    let frame = ScreenEncoder::new()
        .encode(
            CapturedFrame {
                width: w,
                height: h_px,
                stride: w as usize * 4,
                bgra: &bgra,
            },
            0,
            true,
        )
        .expect("encode")
        .expect("frame");
    let mut decoder = ScreenDecoder::new();
    let changed = decoder.decode(&frame).expect("decode");
    feed.push(&ScreenUpdate {
        decoder: &decoder,
        changed: &changed,
        key: true,
        encoded_bytes: 100,
        seq: 1,
        pts: 0,
        decode_us: 10,
    });
    h.run();
    h.get_by_label("Agent's screen");
    h.get_by_label("Actual size").click();
    h.run();
    h.get_by_label("Agent's screen");
    net.push(NetEvent::DemoEnded {
        session_id: SID,
        error: None,
    });
    h.run();
    h.get_by_label_contains("The demo has ended.");
    h.get_by_label("Close").click();
    h.run();
    assert!(h.query_by_label("Agent's screen").is_none());
}

/// Issue 14 (consent prompt swap): when the prompts change under the customer's cursor (here a
/// second request arrives), Accept is off again for `CONSENT_ARM_S`; Reject always works.
#[test]
fn a_changed_prompt_is_not_granted_by_a_click_meant_for_the_old_one() {
    let (mut h, mut net) = served(Language::En);
    net.relay(Event::ConsentRequested {
        session_id: SID,
        action: RemoteAction::ViewDesktop,
    });
    h.run();
    common::wait_consent_armed(&mut h);
    net.relay(Event::ConsentRequested {
        session_id: SID,
        action: RemoteAction::RemoteControl,
    });
    h.run();
    h.get_by_label_contains("Alice asks to control your computer");
    for accept in h.query_all_by_label("Accept") {
        assert!(
            accept.accesskit_node().is_disabled(),
            "Accept is off after a change"
        );
    }
    h.query_all_by_label("Accept")
        .last()
        .expect("accept")
        .click();
    h.run();
    let sent = net.drain();
    assert!(
        sent.is_empty(),
        "nothing granted right after the change: {sent:?}"
    );
    h.query_all_by_label("Reject")
        .next()
        .expect("reject")
        .click();
    h.run();
    assert_eq!(net.drain().len(), 1, "Reject answers at once");
}
