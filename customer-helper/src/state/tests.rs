//! Sans-IO tests of the helper state: events in, state and effects out.

use porpoise_protocol::wire::rpc;
use porpoise_protocol::wire::{
    ActionState, AgentCard, ApiError, ChatMessage, Event, Group, GroupId, Party, Presence,
    RemoteAction, Request, Response, ServiceMode, ServiceOptions, ServiceRoute, SessionInfo,
    TicketId,
};

use super::*;
use crate::net::{ConnectFailure, NetCommand, NetEvent, RequestFailure};

pub(super) const SID: SessionId = SessionId(42);

pub(super) fn info(messages: Vec<ChatMessage>) -> SessionInfo {
    SessionInfo {
        session_id: SID,
        customer_name: "Wang".into(),
        customer_phone: "123".into(),
        agent_name: "Alice".into(),
        started_at: 0,
        messages,
    }
}

pub(super) fn options(mode: ServiceMode) -> ServiceOptions {
    let card = |agent_id, nickname: &str, presence| AgentCard {
        agent_id,
        nickname: nickname.into(),
        title: String::new(),
        phone: String::new(),
        photo: String::new(),
        groups: vec![GroupId(1)],
        presence,
        sessions: 0,
        max_sessions: 3,
    };
    ServiceOptions {
        mode,
        groups: vec![Group {
            group_id: GroupId(1),
            name: "售后服务".into(),
        }],
        product_types: vec![],
        agents: vec![
            card(AgentId(10), "Alice", Presence::Online),
            card(AgentId(11), "Bob", Presence::Busy),
        ],
        open_now: true,
        closed_reply: String::new(),
        faq: Vec::new(),
    }
}

pub(super) fn connected_to(
    options: ServiceOptions,
    session: Option<SessionInfo>,
    queue_position: Option<u32>,
) -> NetEvent {
    NetEvent::Connected {
        center_name: "Acme".into(),
        session,
        queue_position,
        options,
    }
}

pub(super) fn connected(session: Option<SessionInfo>, queue_position: Option<u32>) -> NetEvent {
    connected_to(options(ServiceMode::AutoAssign), session, queue_position)
}

pub(super) const ANY: ServiceRoute = ServiceRoute::AutoAssign {
    group_id: None,
    product_type_id: None,
};

pub(super) fn changed(action: RemoteAction, state: ActionState) -> NetEvent {
    NetEvent::Event(Event::ActionChanged {
        session_id: SID,
        action,
        state,
        by: Party::Customer,
    })
}

pub(super) fn serving() -> HelperState {
    let mut s = HelperState::new(String::new(), String::new(), false);
    s.on_net(connected(Some(info(vec![])), None), &mut Vec::new());
    s
}

pub(super) fn requests(effects: &[Effect]) -> Vec<Request> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Command(NetCommand::Request(r)) => Some(r.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn auto_request_submits_once_when_connected() {
    let mut s = HelperState::new("Wang".into(), " 123 ".into(), true);
    let mut out = Vec::new();
    s.on_net(connected(None, None), &mut out);
    assert_eq!(
        requests(&out),
        vec![Request::RequestService(rpc::RequestService {
            name: "Wang".into(),
            phone: "123".into(),
            route: ANY,
        })]
    );
    assert_eq!(s.service, ServiceState::Requesting);
    // A later reconnect with the request forgotten does not ask again by itself.
    s.on_net(
        NetEvent::Disconnected(ConnectFailure::Lost("x".into())),
        &mut Vec::new(),
    );
    let mut out = Vec::new();
    s.on_net(connected(None, None), &mut out);
    assert!(requests(&out).is_empty());
    assert_eq!(s.service, ServiceState::Form);
}

#[test]
fn blank_name_is_refused() {
    let mut s = HelperState::new("  ".into(), String::new(), false);
    s.on_net(connected(None, None), &mut Vec::new());
    let mut out = Vec::new();
    s.on_ui(UiAction::SubmitForm, &mut out);
    assert!(out.is_empty());
    assert_eq!(s.form.error, Some(FormError::NameRequired));
    assert_eq!(s.service, ServiceState::Form);
}

#[test]
fn queued_answer_and_position_updates() {
    let mut s = HelperState::new("Wang".into(), String::new(), false);
    s.on_net(connected(None, None), &mut Vec::new());
    s.on_ui(UiAction::SubmitForm, &mut Vec::new());
    let request = Request::RequestService(rpc::RequestService {
        name: "Wang".into(),
        phone: String::new(),
        route: ANY,
    });
    s.on_net(
        NetEvent::Answered {
            request,
            result: Ok(Response::Queued(rpc::Queued {
                ticket_id: TicketId(1),
                position: 4,
            })),
        },
        &mut Vec::new(),
    );
    assert_eq!(s.service, ServiceState::Queued(QueueSpot::at(4)));
    s.on_net(
        NetEvent::Event(Event::QueuePosition {
            position: 2,
            estimated_wait_s: Some(90),
        }),
        &mut Vec::new(),
    );
    assert_eq!(
        s.service,
        ServiceState::Queued(QueueSpot {
            position: 2,
            estimated_wait_s: Some(90)
        })
    );
    s.on_net(
        NetEvent::Event(Event::SessionStarted(info(vec![]))),
        &mut Vec::new(),
    );
    assert_eq!(s.session().map(|x| x.agent_name.as_str()), Some("Alice"));
}

#[test]
fn grant_then_revoke_by_the_agent_stops_sharing() {
    let mut s = serving();
    let mut out = Vec::new();
    s.on_net(
        NetEvent::Event(Event::ConsentRequested {
            session_id: SID,
            action: RemoteAction::RemoteControl,
        }),
        &mut out,
    );
    assert_eq!(out, vec![Effect::Attention]);
    s.on_ui(
        UiAction::Answer {
            action: RemoteAction::RemoteControl,
            grant: true,
        },
        &mut Vec::new(),
    );
    assert_eq!(
        s.desired_sharing(),
        None,
        "nothing is shared before the relay confirms"
    );
    s.on_net(
        changed(RemoteAction::RemoteControl, ActionState::Granted),
        &mut Vec::new(),
    );
    assert_eq!(
        s.desired_sharing(),
        Some((SID, RemoteAction::RemoteControl))
    );
    s.on_net(
        changed(RemoteAction::ViewDesktop, ActionState::Granted),
        &mut Vec::new(),
    );
    assert_eq!(
        s.desired_sharing(),
        Some((SID, RemoteAction::RemoteControl))
    );
    s.on_net(
        changed(RemoteAction::RemoteControl, ActionState::Stopped),
        &mut Vec::new(),
    );
    assert_eq!(s.desired_sharing(), Some((SID, RemoteAction::ViewDesktop)));
    s.on_net(
        NetEvent::Event(Event::SessionEnded {
            session_id: SID,
            by: Party::Agent,
        }),
        &mut Vec::new(),
    );
    assert_eq!(s.desired_sharing(), None);
    assert_eq!(s.service, ServiceState::Ended { closing: None });
}

#[test]
fn stop_click_stops_locally_then_tells_the_relay() {
    let mut s = serving();
    s.on_net(
        changed(RemoteAction::ViewDesktop, ActionState::Granted),
        &mut Vec::new(),
    );
    s.on_net(
        changed(RemoteAction::RemoteControl, ActionState::Granted),
        &mut Vec::new(),
    );
    let mut out = Vec::new();
    s.on_ui(UiAction::StopSharing, &mut out);
    assert_eq!(
        out[0],
        Effect::Command(NetCommand::StopSharing { session_id: SID })
    );
    let stops = requests(&out);
    assert_eq!(stops.len(), 2);
    assert!(stops.contains(&Request::StopAction(rpc::StopAction {
        session_id: SID,
        action: RemoteAction::ViewDesktop
    })));
    assert!(stops.contains(&Request::StopAction(rpc::StopAction {
        session_id: SID,
        action: RemoteAction::RemoteControl
    })));
    assert_eq!(s.desired_sharing(), None);
}

#[test]
fn disconnect_stops_sharing() {
    let mut s = serving();
    s.on_net(
        changed(RemoteAction::ViewDesktop, ActionState::Granted),
        &mut Vec::new(),
    );
    s.on_net(
        NetEvent::Disconnected(ConnectFailure::Lost("gone".into())),
        &mut Vec::new(),
    );
    assert_eq!(s.desired_sharing(), None);
}

#[test]
fn capture_failure_reports_and_stops_the_action() {
    let mut s = serving();
    s.on_net(
        changed(RemoteAction::ViewDesktop, ActionState::Granted),
        &mut Vec::new(),
    );
    let mut out = Vec::new();
    let ended = NetEvent::MediaEnded {
        session_id: SID,
        kind: porpoise_protocol::wire::MediaKind::Screen,
        error: Some("no X display".into()),
    };
    s.on_net(ended, &mut out);
    assert_eq!(
        requests(&out),
        vec![Request::StopAction(rpc::StopAction {
            session_id: SID,
            action: RemoteAction::ViewDesktop
        })]
    );
    assert_eq!(s.notice, Some(Notice::SharingFailed("no X display".into())));
    assert_eq!(s.desired_sharing(), None);
}

#[test]
fn chat_is_pending_until_stored_and_resent_after_reconnect() {
    let mut s = serving();
    if let ServiceState::Serving(session) = &mut s.service {
        session.draft = "hello\n".into();
    }
    let mut out = Vec::new();
    s.on_ui(UiAction::SendChat, &mut out);
    let sent = requests(&out);
    let Request::SendChat(rpc::SendChat {
        message_id,
        ref text,
        ..
    }) = sent[0]
    else {
        panic!("{sent:?}")
    };
    assert_eq!(text, "hello");
    assert_eq!(s.session().map(|x| x.pending.len()), Some(1));
    // The connection drops before the answer: the message stays pending…
    s.on_net(
        NetEvent::Answered {
            request: sent[0].clone(),
            result: Err(RequestFailure::Connection(ApiError::Disconnected)),
        },
        &mut Vec::new(),
    );
    assert_eq!(s.session().map(|x| x.pending.len()), Some(1));
    // …and is resent with the same id after the reconnect.
    let mut out = Vec::new();
    s.on_net(connected(Some(info(vec![])), None), &mut out);
    assert_eq!(requests(&out), sent);
    let stored = ChatMessage {
        message_id,
        from: Party::Customer,
        text: "hello".into(),
        sent_at: 1,
        image: None,
    };
    s.on_net(
        NetEvent::Answered {
            request: sent[0].clone(),
            result: Ok(Response::ChatStored(stored.clone())),
        },
        &mut Vec::new(),
    );
    let session = s.session().expect("serving");
    assert!(session.pending.is_empty());
    assert_eq!(session.messages, vec![stored.clone()]);
    // A message already in the resumed history is not resent.
    if let ServiceState::Serving(session) = &mut s.service {
        session.pending.push(PendingChat {
            message_id,
            text: "hello".into(),
            picture: None,
        });
    }
    let mut out = Vec::new();
    s.on_net(connected(Some(info(vec![stored])), None), &mut out);
    assert!(requests(&out).is_empty());
}

#[test]
fn events_of_other_sessions_are_ignored() {
    let mut s = serving();
    let mut out = Vec::new();
    s.on_net(
        NetEvent::Event(Event::ConsentRequested {
            session_id: SessionId(SID.0 + 1),
            action: RemoteAction::ViewDesktop,
        }),
        &mut out,
    );
    s.on_net(
        NetEvent::Event(Event::ActionChanged {
            session_id: SessionId(SID.0 + 1),
            action: RemoteAction::ViewDesktop,
            state: ActionState::Granted,
            by: Party::Customer,
        }),
        &mut out,
    );
    assert!(out.is_empty());
    assert_eq!(s.desired_sharing(), None);
    assert!(s.session().is_some_and(|x| x.prompts.is_empty()));
}

#[test]
fn system_info_is_read_only_after_the_grant_and_once() {
    let mut s = serving();
    let report = Effect::Command(NetCommand::ReportSystemInfo { session_id: SID });
    let mut out = Vec::new();
    s.on_net(
        NetEvent::Event(Event::ConsentRequested {
            session_id: SID,
            action: RemoteAction::SystemInfo,
        }),
        &mut out,
    );
    assert_eq!(out, vec![Effect::Attention], "a prompt, nothing read yet");
    assert_eq!(
        s.session().map(|x| x.prompts.clone()),
        Some(vec![RemoteAction::SystemInfo])
    );
    let mut out = Vec::new();
    s.on_ui(
        UiAction::Answer {
            action: RemoteAction::SystemInfo,
            grant: true,
        },
        &mut out,
    );
    assert!(!out.contains(&report), "not before the relay confirms");
    let mut out = Vec::new();
    s.on_net(
        changed(RemoteAction::SystemInfo, ActionState::Granted),
        &mut out,
    );
    assert_eq!(out, vec![report.clone()]);
    assert_eq!(s.desired_sharing(), None, "the screen is not shared for it");
    // The relay ends the action once the report is through; nothing more is read.
    let mut out = Vec::new();
    s.on_net(
        changed(RemoteAction::SystemInfo, ActionState::Stopped),
        &mut out,
    );
    assert!(out.is_empty());
    let request = Request::ReportSystemInfo(rpc::ReportSystemInfo {
        session_id: SID,
        info: Box::new(porpoise_protocol::wire::SystemInfo {
            collected_at: 0,
            os: Default::default(),
            cpu: Default::default(),
            memory: Default::default(),
            disks: vec![],
            adapters: vec![],
            processes: vec![],
            process_count: 0,
        }),
    });
    s.on_net(
        NetEvent::Answered {
            request: request.clone(),
            result: Ok(Response::Done),
        },
        &mut Vec::new(),
    );
    assert_eq!(s.notice, Some(Notice::SystemInfoSent));
    // A refused or failed report says why.
    s.on_net(
        NetEvent::Answered {
            request,
            result: Err(RequestFailure::Connection(ApiError::Disconnected)),
        },
        &mut Vec::new(),
    );
    assert!(matches!(s.notice, Some(Notice::RequestFailed(_))));
    // Refusing never reads anything.
    let mut out = Vec::new();
    s.on_net(
        changed(RemoteAction::SystemInfo, ActionState::Refused),
        &mut out,
    );
    assert!(out.is_empty());
}
