//! Sans-IO tests of the service modes, the queue, offline messages, transfers and relay lines.

use porpoise_protocol::wire::rpc;
use porpoise_protocol::wire::{
    ActionState, ApiError, ChatMessage, Event, MessageId, Party, RemoteAction, Request, Response,
    ServiceMode, ServiceRoute,
};

use super::tests::{changed, connected, connected_to, info, options, requests, serving, SID};
use super::*;
use crate::net::{NetCommand, NetEvent, RequestFailure};

fn answer(s: &mut HelperState, request: Request, result: Result<Response, RequestFailure>) {
    s.on_net(NetEvent::Answered { request, result }, &mut Vec::new());
}

fn in_mode(mode: ServiceMode) -> HelperState {
    let mut s = HelperState::new("Wang".into(), "139".into(), false);
    s.on_net(connected_to(options(mode), None, None), &mut Vec::new());
    s
}

#[test]
fn showcase_picks_online_agents_only() {
    let mut s = in_mode(ServiceMode::Showcase);
    let mut out = Vec::new();
    s.on_ui(UiAction::PickAgent(AgentId(11)), &mut out);
    assert!(out.is_empty(), "Bob is busy");
    assert_eq!(s.form.error, Some(FormError::AgentUnavailable));
    s.on_ui(UiAction::PickAgent(AgentId(10)), &mut out);
    assert_eq!(
        requests(&out),
        vec![Request::RequestService(rpc::RequestService {
            name: "Wang".into(),
            phone: "139".into(),
            route: ServiceRoute::Showcase {
                agent_id: AgentId(10)
            },
        })]
    );
    assert_eq!(s.service, ServiceState::Requesting);
}

#[test]
fn session_code_is_checked_locally_then_by_the_relay() {
    let mut s = in_mode(ServiceMode::SessionCode);
    s.form.code = "12345".into();
    let mut out = Vec::new();
    s.on_ui(UiAction::SubmitForm, &mut out);
    assert!(out.is_empty());
    assert_eq!(s.form.error, Some(FormError::CodeLength));
    s.form.code = "123456".into();
    s.on_ui(UiAction::SubmitForm, &mut out);
    let sent = requests(&out);
    assert_eq!(
        sent,
        vec![Request::RequestService(rpc::RequestService {
            name: "Wang".into(),
            phone: "139".into(),
            route: ServiceRoute::SessionCode {
                code: "123456".into()
            },
        })]
    );
    answer(
        &mut s,
        sent[0].clone(),
        Err(RequestFailure::Relay(ApiError::BadSessionCode)),
    );
    assert_eq!(s.service, ServiceState::Form);
    assert_eq!(s.form.error, Some(FormError::BadSessionCode));
    assert_eq!(s.notice, None);
    s.on_ui(UiAction::SubmitForm, &mut Vec::new());
    answer(
        &mut s,
        sent[0].clone(),
        Err(RequestFailure::Relay(ApiError::Throttled {
            retry_after_s: 30,
        })),
    );
    assert_eq!(
        s.form.error,
        Some(FormError::Throttled { retry_after_s: 30 })
    );
}

#[test]
fn closed_answer_opens_the_message_form_prefilled() {
    let mut s = in_mode(ServiceMode::AutoAssign);
    let mut out = Vec::new();
    s.on_ui(UiAction::SubmitForm, &mut out);
    answer(
        &mut s,
        requests(&out)[0].clone(),
        Err(RequestFailure::Relay(ApiError::Closed {
            reply: "国庆放假".into(),
        })),
    );
    assert_eq!(
        s.service,
        ServiceState::Message(MessageOrigin::Closed("国庆放假".into()))
    );
    assert_eq!(
        (s.message.name.as_str(), s.message.contact.as_str()),
        ("Wang", "139")
    );
    s.message.text = "please call".into();
    let mut out = Vec::new();
    s.on_ui(UiAction::SendMessage, &mut out);
    let sent = requests(&out);
    assert_eq!(
        sent,
        vec![Request::LeaveOfflineMessage(rpc::LeaveOfflineMessage {
            name: "Wang".into(),
            contact: "139".into(),
            text: "please call".into()
        })]
    );
    answer(&mut s, sent[0].clone(), Ok(Response::Done));
    assert_eq!(s.service, ServiceState::MessageLeft);
    s.on_ui(UiAction::RequestAgain, &mut Vec::new());
    assert_eq!(s.service, ServiceState::Form);
}

#[test]
fn closed_center_takes_messages_from_the_request_screen() {
    let mut closed = options(ServiceMode::AutoAssign);
    closed.open_now = false;
    let mut s = HelperState::new("Wang".into(), String::new(), true);
    let mut out = Vec::new();
    s.on_net(connected_to(closed, None, None), &mut out);
    assert!(out.is_empty(), "auto-request does not ask a closed center");
    s.on_ui(UiAction::SubmitForm, &mut out);
    assert!(out.is_empty());
    s.message = MessageForm {
        name: "Wang".into(),
        contact: "w@x.cn".into(),
        text: "hi".into(),
        error: None,
    };
    s.on_ui(UiAction::SendMessage, &mut out);
    assert_eq!(requests(&out).len(), 1);
    assert!(matches!(
        s.service,
        ServiceState::SendingMessage(MessageOrigin::Closed(_))
    ));
    // The center opens: the live options bring the request screen back.
    s.on_net(
        NetEvent::Event(Event::ServiceOptionsChanged(options(ServiceMode::Showcase))),
        &mut Vec::new(),
    );
    assert!(s.center_open());
}

#[test]
fn message_from_the_queue_takes_the_question_and_cancel_returns() {
    let mut s = in_mode(ServiceMode::AutoAssign);
    s.service = ServiceState::Queued(QueueSpot::at(3));
    s.question = "My printer is offline".into();
    s.on_ui(UiAction::OpenMessageForm, &mut Vec::new());
    assert_eq!(s.message.text, "My printer is offline");
    // The queue moves on while the form is open.
    s.on_net(
        NetEvent::Event(Event::QueuePosition {
            position: 2,
            estimated_wait_s: Some(120),
        }),
        &mut Vec::new(),
    );
    s.on_ui(UiAction::CancelMessage, &mut Vec::new());
    assert_eq!(
        s.service,
        ServiceState::Queued(QueueSpot {
            position: 2,
            estimated_wait_s: Some(120)
        })
    );
}

#[test]
fn question_typed_while_waiting_is_sent_when_served() {
    let mut s = in_mode(ServiceMode::AutoAssign);
    s.service = ServiceState::Queued(QueueSpot::at(1));
    s.question = " Hello? ".into();
    let mut out = Vec::new();
    s.on_net(
        NetEvent::Event(Event::SessionStarted(info(vec![]))),
        &mut out,
    );
    let sent = requests(&out);
    let [Request::SendChat(rpc::SendChat { text, .. })] = sent.as_slice() else {
        panic!("{out:?}")
    };
    assert_eq!(text, "Hello?");
    assert!(s.question.is_empty());
    assert_eq!(s.session().map(|x| x.pending.len()), Some(1));
}

#[test]
fn transfer_renames_the_agent_and_stops_sharing() {
    let mut s = serving();
    s.on_net(
        changed(RemoteAction::ViewDesktop, ActionState::Granted),
        &mut Vec::new(),
    );
    let mut out = Vec::new();
    s.on_net(
        NetEvent::Event(Event::AgentChanged {
            session_id: SID,
            agent_name: "Bob".into(),
        }),
        &mut out,
    );
    let session = s.session().expect("serving");
    assert_eq!(session.agent_name, "Bob");
    assert_eq!(session.agent_changes, vec![(0, "Bob".into())]);
    assert_eq!(s.desired_sharing(), None);
    assert!(out.contains(&Effect::Command(NetCommand::StopSharing {
        session_id: SID
    })));
    assert_eq!(
        requests(&out),
        vec![Request::StopAction(rpc::StopAction {
            session_id: SID,
            action: RemoteAction::ViewDesktop
        })]
    );
    assert_eq!(s.notice, Some(Notice::SharingStoppedByTransfer));
}

#[test]
fn reception_timeout_shows_the_closing_text() {
    let mut s = serving();
    s.on_net(
        NetEvent::Event(Event::ChatReceived {
            session_id: SID,
            message: ChatMessage {
                message_id: MessageId(5),
                from: Party::Relay,
                text: "您长时间没有回复，本次服务已结束。".into(),
                sent_at: 9,
                image: None,
            },
        }),
        &mut Vec::new(),
    );
    s.on_net(
        NetEvent::Event(Event::SessionEnded {
            session_id: SID,
            by: Party::Relay,
        }),
        &mut Vec::new(),
    );
    assert_eq!(
        s.service,
        ServiceState::Ended {
            closing: Some("您长时间没有回复，本次服务已结束。".into())
        }
    );
    s.on_ui(UiAction::RequestAgain, &mut Vec::new());
    assert_eq!(s.service, ServiceState::Form);
}

#[test]
fn draft_changes_and_sends_ask_for_previews() {
    let mut s = serving();
    if let ServiceState::Serving(session) = &mut s.service {
        session.draft = "hel".into();
    }
    let mut out = Vec::new();
    s.on_ui(UiAction::DraftChanged, &mut out);
    assert_eq!(
        out,
        vec![Effect::Command(NetCommand::TypingPreview {
            session_id: SID,
            text: "hel".into()
        })]
    );
    let mut out = Vec::new();
    s.on_ui(UiAction::SendChat, &mut out);
    assert_eq!(
        out.last(),
        Some(&Effect::Command(NetCommand::TypingPreview {
            session_id: SID,
            text: String::new()
        }))
    );
    // Not served: no preview.
    let mut s = HelperState::new(String::new(), String::new(), false);
    s.on_net(connected(None, None), &mut Vec::new());
    let mut out = Vec::new();
    s.on_ui(UiAction::DraftChanged, &mut out);
    assert!(out.is_empty());
}

#[test]
fn auto_request_waits_for_a_pick_in_showcase() {
    let mut s = HelperState::new("Wang".into(), String::new(), true);
    let mut out = Vec::new();
    s.on_net(
        connected_to(options(ServiceMode::Showcase), None, None),
        &mut out,
    );
    assert!(out.is_empty());
    assert_eq!(
        (s.service.clone(), s.form.error),
        (ServiceState::Form, None)
    );
}

#[test]
fn auto_request_uses_a_prefilled_session_code() {
    let mut s = HelperState::new("Wang".into(), String::new(), true);
    s.form.code = "654321".into();
    let mut out = Vec::new();
    s.on_net(
        connected_to(options(ServiceMode::SessionCode), None, None),
        &mut out,
    );
    assert_eq!(
        requests(&out),
        vec![Request::RequestService(rpc::RequestService {
            name: "Wang".into(),
            phone: String::new(),
            route: ServiceRoute::SessionCode {
                code: "654321".into()
            },
        })]
    );
}
