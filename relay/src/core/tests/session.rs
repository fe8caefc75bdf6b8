//! Chat, consent, media routing and session-end tests.

use porpoise_protocol::wire::rpc;
use porpoise_protocol::wire::{
    ActionState, ApiError, Event, MediaHeader, MediaKind, MessageId, Party, RemoteAction, Request,
    Response, MAX_CHAT_TEXT_BYTES,
};

use super::*;
use crate::core::{MediaRefusal, MediaRoute};

const AGENT: ConnId = ConnId(1);
const CUSTOMER: ConnId = ConnId(11);

/// Center A with agent 1 serving customer 11 in a session.
fn serving() -> (Harness, SessionId) {
    let mut h = Harness::new();
    h.agent(AGENT, CENTER_A, AgentId(10));
    h.customer(CUSTOMER, CENTER_A, InstallId(111));
    let ticket = h.queue(CUSTOMER, "Ann");
    let session_id = h.accept(AGENT, ticket);
    (h, session_id)
}

fn chat(session_id: SessionId, message_id: u128, text: &str) -> Request {
    Request::SendChat(rpc::SendChat {
        session_id,
        message_id: MessageId(message_id),
        text: text.into(),
    })
}

fn header(session_id: SessionId, kind: MediaKind) -> MediaHeader {
    MediaHeader { session_id, kind }
}

#[test]
fn chat_is_acknowledged_only_after_it_is_durable() {
    let (mut h, s) = serving();
    h.tick(1000);
    let actions = h.req(AGENT, RequestId(1), chat(s, 42, "你好"));
    assert!(
        !has_response(&actions, AGENT, RequestId(1)),
        "acked before durable"
    );
    assert!(
        events_to(&actions, CUSTOMER).is_empty(),
        "delivered before durable"
    );
    assert!(matches!(
        &persisted(&actions)[..],
        [StoreOp::InsertChat { .. }]
    ));

    let done = h.persist_chats(&actions, true);
    let Ok(Response::ChatStored(stored)) = response(&done, AGENT, RequestId(1)) else {
        panic!("no ack")
    };
    assert_eq!(
        (stored.message_id, stored.from, stored.sent_at),
        (MessageId(42), Party::Agent, h.now.unix_ms)
    );
    let received = Event::ChatReceived {
        session_id: s,
        message: stored.clone(),
    };
    assert_eq!(events_to(&done, CUSTOMER), [received]);

    // Resend after a reconnect: acknowledged with the stored message, not stored or delivered again.
    h.tick(5000);
    let again = h.req(AGENT, RequestId(2), chat(s, 42, "你好"));
    assert_eq!(
        response(&again, AGENT, RequestId(2)),
        Ok(Response::ChatStored(stored))
    );
    assert!(persisted(&again).is_empty());
    assert!(events_to(&again, CUSTOMER).is_empty());
}

#[test]
fn resend_while_pending_is_stored_once_and_both_answered() {
    let (mut h, s) = serving();
    let first = h.req(CUSTOMER, RequestId(1), chat(s, 7, "help"));
    let second = h.req(CUSTOMER, RequestId(2), chat(s, 7, "help"));
    assert!(persisted(&second).is_empty());
    let done = h.persist_chats(&first, true);
    assert!(matches!(
        response(&done, CUSTOMER, RequestId(1)),
        Ok(Response::ChatStored(_))
    ));
    assert!(matches!(
        response(&done, CUSTOMER, RequestId(2)),
        Ok(Response::ChatStored(_))
    ));
    assert_eq!(events_to(&done, AGENT).len(), 1);
}

#[test]
fn storage_failure_is_reported_and_a_retry_is_stored() {
    let (mut h, s) = serving();
    let actions = h.req(CUSTOMER, RequestId(1), chat(s, 7, "help"));
    let failed = h.persist_chats(&actions, false);
    assert_eq!(
        response(&failed, CUSTOMER, RequestId(1)),
        Err(ApiError::Storage)
    );
    assert!(events_to(&failed, AGENT).is_empty());
    let retry = h.req(CUSTOMER, RequestId(2), chat(s, 7, "help"));
    assert_eq!(persisted(&retry).len(), 1);
}

#[test]
fn chat_is_validated() {
    let (mut h, s) = serving();
    let long = "x".repeat(MAX_CHAT_TEXT_BYTES + 1);
    for text in ["", " \n", long.as_str()] {
        let actions = h.req(AGENT, RequestId(1), chat(s, 1, text));
        assert!(matches!(
            response(&actions, AGENT, RequestId(1)),
            Err(ref e) if e.is_bad_input()
        ));
    }
    let actions = h.req(AGENT, RequestId(2), chat(SessionId(s.0 + 100), 1, "hi"));
    assert_eq!(
        response(&actions, AGENT, RequestId(2)),
        Err(ApiError::UnknownSession)
    );
    // Another customer of the same center is not a member.
    h.customer(ConnId(12), CENTER_A, InstallId(112));
    let actions = h.req(ConnId(12), RequestId(3), chat(s, 1, "hi"));
    assert_eq!(
        response(&actions, ConnId(12), RequestId(3)),
        Err(ApiError::UnknownSession)
    );
}

#[test]
fn consent_gates_media_and_stop_cuts_it() {
    let (mut h, s) = serving();
    let screen = header(s, MediaKind::Screen);
    let refusal = MediaRefusal::NotGranted {
        session_id: s,
        kind: MediaKind::Screen,
    };
    assert_eq!(h.core.route_media(CUSTOMER, &screen), Err(refusal.clone()));

    let action = RemoteAction::ViewDesktop;
    let actions = h.req(
        AGENT,
        RequestId(1),
        Request::RequestAction(rpc::RequestAction {
            session_id: s,
            action,
        }),
    );
    assert_eq!(response(&actions, AGENT, RequestId(1)), Ok(Response::Done));
    let changed = |state, by| Event::ActionChanged {
        session_id: s,
        action,
        state,
        by,
    };
    assert_eq!(
        events_to(&actions, CUSTOMER),
        [
            Event::ConsentRequested {
                session_id: s,
                action
            },
            changed(ActionState::Requested, Party::Agent)
        ]
    );
    assert_eq!(
        events_to(&actions, AGENT),
        [changed(ActionState::Requested, Party::Agent)]
    );
    assert_eq!(h.core.route_media(CUSTOMER, &screen), Err(refusal.clone()));

    let actions = h.req(
        CUSTOMER,
        RequestId(2),
        Request::AnswerConsent(rpc::AnswerConsent {
            session_id: s,
            action,
            grant: true,
        }),
    );
    assert_eq!(
        events_to(&actions, AGENT),
        [changed(ActionState::Granted, Party::Customer)]
    );
    let route = MediaRoute {
        session_id: s,
        kind: MediaKind::Screen,
        peer: AGENT,
    };
    assert_eq!(h.core.route_media(CUSTOMER, &screen), Ok(route));
    // Viewing does not allow input; the agent may not open a screen stream.
    let input = header(s, MediaKind::Input);
    assert!(matches!(
        h.core.route_media(AGENT, &input),
        Err(MediaRefusal::NotGranted { .. })
    ));
    assert!(matches!(
        h.core.route_media(AGENT, &screen),
        Err(MediaRefusal::WrongOpener { .. })
    ));

    let actions = h.req(
        CUSTOMER,
        RequestId(3),
        Request::StopAction(rpc::StopAction {
            session_id: s,
            action,
        }),
    );
    assert!(cuts(&actions, s, MediaKind::Screen));
    assert_eq!(
        events_to(&actions, AGENT),
        [changed(ActionState::Stopped, Party::Customer)]
    );
    assert_eq!(h.core.route_media(CUSTOMER, &screen), Err(refusal));
}

#[test]
fn remote_control_allows_input_and_refusal_allows_nothing() {
    let (mut h, s) = serving();
    let action = RemoteAction::RemoteControl;
    h.req(
        AGENT,
        RequestId(1),
        Request::RequestAction(rpc::RequestAction {
            session_id: s,
            action,
        }),
    );
    let actions = h.req(
        AGENT,
        RequestId(2),
        Request::RequestAction(rpc::RequestAction {
            session_id: s,
            action,
        }),
    );
    assert!(matches!(
        response(&actions, AGENT, RequestId(2)),
        Err(ApiError::Conflict(_))
    ));
    h.req(
        CUSTOMER,
        RequestId(3),
        Request::AnswerConsent(rpc::AnswerConsent {
            session_id: s,
            action,
            grant: false,
        }),
    );
    assert!(h
        .core
        .route_media(AGENT, &header(s, MediaKind::Input))
        .is_err());
    // Answering twice is a conflict.
    let actions = h.req(
        CUSTOMER,
        RequestId(4),
        Request::AnswerConsent(rpc::AnswerConsent {
            session_id: s,
            action,
            grant: true,
        }),
    );
    assert!(matches!(
        response(&actions, CUSTOMER, RequestId(4)),
        Err(ApiError::Conflict(_))
    ));

    h.req(
        AGENT,
        RequestId(5),
        Request::RequestAction(rpc::RequestAction {
            session_id: s,
            action,
        }),
    );
    h.req(
        CUSTOMER,
        RequestId(6),
        Request::AnswerConsent(rpc::AnswerConsent {
            session_id: s,
            action,
            grant: true,
        }),
    );
    assert!(h
        .core
        .route_media(AGENT, &header(s, MediaKind::Input))
        .is_ok());
    assert!(h
        .core
        .route_media(CUSTOMER, &header(s, MediaKind::Screen))
        .is_ok());
}

#[test]
fn end_session_tells_both_cuts_media_and_persists() {
    let (mut h, s) = serving();
    let action = RemoteAction::ViewDesktop;
    h.req(
        AGENT,
        RequestId(1),
        Request::RequestAction(rpc::RequestAction {
            session_id: s,
            action,
        }),
    );
    h.req(
        CUSTOMER,
        RequestId(2),
        Request::AnswerConsent(rpc::AnswerConsent {
            session_id: s,
            action,
            grant: true,
        }),
    );
    h.tick(60_000);
    let actions = h.req(
        AGENT,
        RequestId(3),
        Request::EndSession(rpc::EndSession { session_id: s }),
    );
    let ended = Event::SessionEnded {
        session_id: s,
        by: Party::Agent,
    };
    assert!(events_to(&actions, AGENT).contains(&ended));
    assert_eq!(events_to(&actions, CUSTOMER), [ended]);
    assert!(cuts(&actions, s, MediaKind::Screen) && cuts(&actions, s, MediaKind::Input));
    let end = StoreOp::EndSession {
        session_id: s,
        ended_at: h.now.unix_ms,
        by: Party::Agent,
    };
    assert!(persisted(&actions).contains(&end));
    let screen = header(s, MediaKind::Screen);
    assert_eq!(
        h.core.route_media(CUSTOMER, &screen),
        Err(MediaRefusal::UnknownSession(s))
    );
    // The customer may now ask for service again.
    h.queue(CUSTOMER, "Ann");
}

#[test]
fn disconnect_stops_actions_and_cuts_media_but_keeps_the_session() {
    let (mut h, s) = serving();
    let action = RemoteAction::ViewDesktop;
    h.req(
        AGENT,
        RequestId(1),
        Request::RequestAction(rpc::RequestAction {
            session_id: s,
            action,
        }),
    );
    h.req(
        CUSTOMER,
        RequestId(2),
        Request::AnswerConsent(rpc::AnswerConsent {
            session_id: s,
            action,
            grant: true,
        }),
    );
    let actions = h.disconnect(AGENT);
    assert!(cuts(&actions, s, MediaKind::Screen));
    let stopped = Event::ActionChanged {
        session_id: s,
        action,
        state: ActionState::Stopped,
        by: Party::Relay,
    };
    assert_eq!(events_to(&actions, CUSTOMER), [stopped]);
    assert_eq!(
        h.core.route_media(CUSTOMER, &header(s, MediaKind::Screen)),
        Err(MediaRefusal::PeerAbsent(s))
    );
    // The agent comes back: the session is there, the grant is not.
    h.agent(ConnId(2), CENTER_A, AgentId(10));
    let screen = header(s, MediaKind::Screen);
    assert!(matches!(
        h.core.route_media(CUSTOMER, &screen),
        Err(MediaRefusal::NotGranted { .. })
    ));
    let actions = h.req(ConnId(2), RequestId(3), chat(s, 9, "back"));
    assert!(matches!(
        &persisted(&actions)[..],
        [StoreOp::InsertChat { .. }]
    ));
}

#[test]
fn media_cannot_cross_centers_or_sessions() {
    let (mut h, s) = serving();
    let action = RemoteAction::RemoteControl;
    h.req(
        AGENT,
        RequestId(1),
        Request::RequestAction(rpc::RequestAction {
            session_id: s,
            action,
        }),
    );
    h.req(
        CUSTOMER,
        RequestId(2),
        Request::AnswerConsent(rpc::AnswerConsent {
            session_id: s,
            action,
            grant: true,
        }),
    );
    h.agent(ConnId(2), CENTER_B, AgentId(10)); // same agent id, other center
    assert_eq!(
        h.core.route_media(ConnId(2), &header(s, MediaKind::Input)),
        Err(MediaRefusal::OtherCenter(s))
    );
    h.agent(ConnId(3), CENTER_A, AgentId(30)); // same center, not in the session
    assert_eq!(
        h.core.route_media(ConnId(3), &header(s, MediaKind::Input)),
        Err(MediaRefusal::NotInSession(s))
    );
    assert_eq!(
        h.core.route_media(ConnId(99), &header(s, MediaKind::Input)),
        Err(MediaRefusal::NotLoggedIn)
    );
    // B's agent can't request actions on A's session either.
    let actions = h.req(
        ConnId(2),
        RequestId(3),
        Request::RequestAction(rpc::RequestAction {
            session_id: s,
            action: RemoteAction::ViewDesktop,
        }),
    );
    assert_eq!(
        response(&actions, ConnId(2), RequestId(3)),
        Err(ApiError::UnknownSession)
    );
}

/// A 2×1 PNG header: signature and IHDR (the relay reads no further).
fn tiny_png() -> Vec<u8> {
    let mut v = vec![
        0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n', 0, 0, 0, 13,
    ];
    v.extend_from_slice(b"IHDR");
    v.extend_from_slice(&2u32.to_be_bytes());
    v.extend_from_slice(&1u32.to_be_bytes());
    v.extend_from_slice(&[8, 6, 0, 0, 0, 0, 0, 0, 0]);
    v
}

#[test]
fn chat_picture_is_stored_with_its_bytes_and_delivered_as_a_reference() {
    use porpoise_protocol::wire::{ChatImage, ImageFormat};
    let (mut h, s) = serving();
    let data = tiny_png();
    let actions = h.req(
        CUSTOMER,
        RequestId(1),
        Request::SendChatImage(rpc::SendChatImage {
            session_id: s,
            message_id: MessageId(77),
            data: data.clone(),
        }),
    );
    let expected = ChatImage {
        format: ImageFormat::Png,
        width: 2,
        height: 1,
        bytes: data.len() as u32,
    };
    match &persisted(&actions)[..] {
        [StoreOp::InsertChat {
            message,
            image: Some(bytes),
            ..
        }] => {
            assert_eq!(message.image, Some(expected));
            assert_eq!(message.text, "");
            assert_eq!(&bytes.0[..], &data[..]);
        }
        other => panic!("not stored with its bytes: {other:?}"),
    }
    let done = h.persist_chats(&actions, true);
    let Ok(Response::ChatStored(stored)) = response(&done, CUSTOMER, RequestId(1)) else {
        panic!("no ack")
    };
    assert_eq!(stored.image, Some(expected));
    // The agent gets the reference, not the bytes, and fetches them through the store.
    assert_eq!(
        events_to(&done, AGENT),
        [Event::ChatReceived {
            session_id: s,
            message: stored,
        }]
    );
    let fetch = h.req(
        AGENT,
        RequestId(2),
        Request::GetChatImage(rpc::GetChatImage {
            session_id: s,
            message_id: MessageId(77),
        }),
    );
    assert!(matches!(
        &persisted(&fetch)[..],
        [StoreOp::Query {
            query: crate::core::StoreQuery::ChatImage {
                center_id: CENTER_A,
                customer: None,
                session_id,
                message_id: MessageId(77),
            },
            ..
        }] if *session_id == s
    ));
    let fetch = h.req(
        CUSTOMER,
        RequestId(3),
        Request::GetChatImage(rpc::GetChatImage {
            session_id: s,
            message_id: MessageId(77),
        }),
    );
    assert!(matches!(
        &persisted(&fetch)[..],
        [StoreOp::Query {
            query: crate::core::StoreQuery::ChatImage {
                customer: Some(InstallId(111)),
                ..
            },
            ..
        }]
    ));
}

#[test]
fn hostile_or_oversized_pictures_are_refused_with_a_reason() {
    let (mut h, s) = serving();
    let send = |data: Vec<u8>| {
        Request::SendChatImage(rpc::SendChatImage {
            session_id: s,
            message_id: MessageId(5),
            data,
        })
    };
    for (data, why) in [
        (b"GIF89a".to_vec(), "UnknownFormat"),
        (tiny_png()[..12].to_vec(), "Damaged"),
        (
            vec![0u8; porpoise_protocol::wire::MAX_CHAT_IMAGE_BYTES + 1],
            "TooLarge",
        ),
    ] {
        let actions = h.req(AGENT, RequestId(1), send(data));
        match response(&actions, AGENT, RequestId(1)) {
            Err(ApiError::BadImage(problem)) => {
                assert!(format!("{problem:?}").starts_with(why), "{problem:?}")
            }
            other => panic!("expected BadImage({why}), got {other:?}"),
        }
        assert!(persisted(&actions).is_empty());
    }
    // Outsiders cannot post into the session.
    h.customer(ConnId(12), CENTER_A, InstallId(222));
    let actions = h.req(ConnId(12), RequestId(2), send(tiny_png()));
    assert_eq!(
        response(&actions, ConnId(12), RequestId(2)),
        Err(ApiError::UnknownSession)
    );
}

/// Issue 14: a session keeps at most `MAX_MESSAGES_PER_SESSION` messages and
/// `MAX_PICTURES_PER_SESSION` pictures; one more is refused with a code and nothing is
/// stored.
#[test]
fn a_session_bounds_its_messages_and_pictures() {
    use porpoise_protocol::wire::{
        ChatImage, ChatMessage, Field, ImageFormat, Party, MAX_MESSAGES_PER_SESSION,
        MAX_PICTURES_PER_SESSION,
    };
    let (mut h, s) = serving();
    let picture = ChatImage {
        format: ImageFormat::Png,
        width: 2,
        height: 1,
        bytes: 30,
    };
    let message = |i: usize, image: Option<ChatImage>| ChatMessage {
        message_id: MessageId(10_000 + i as u128),
        from: Party::Customer,
        text: String::new(),
        sent_at: 0,
        image,
    };
    let session = h.core.sessions.get_mut(&s).expect("session");
    session.stored.messages = (0..MAX_PICTURES_PER_SESSION)
        .map(|i| message(i, Some(picture)))
        .collect();
    let image = |id: u128| {
        Request::SendChatImage(rpc::SendChatImage {
            session_id: s,
            message_id: MessageId(id),
            data: tiny_png(),
        })
    };
    let actions = h.req(CUSTOMER, RequestId(1), image(1));
    assert_eq!(
        response(&actions, CUSTOMER, RequestId(1)),
        Err(ApiError::too_many(
            Field::ChatPictures,
            MAX_PICTURES_PER_SESSION
        ))
    );
    assert!(persisted(&actions).is_empty());
    // Text still goes until the message bound.
    let text = |id: u128| {
        Request::SendChat(rpc::SendChat {
            session_id: s,
            message_id: MessageId(id),
            text: "还在吗".into(),
        })
    };
    let actions = h.req(CUSTOMER, RequestId(2), text(2));
    assert!(!persisted(&actions).is_empty());
    let session = h.core.sessions.get_mut(&s).expect("session");
    session.stored.messages = (0..MAX_MESSAGES_PER_SESSION)
        .map(|i| message(i, None))
        .collect();
    let actions = h.req(CUSTOMER, RequestId(3), text(3));
    assert_eq!(
        response(&actions, CUSTOMER, RequestId(3)),
        Err(ApiError::too_many(
            Field::ChatText,
            MAX_MESSAGES_PER_SESSION
        ))
    );
    assert!(persisted(&actions).is_empty());
}
