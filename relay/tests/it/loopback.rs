//! Loopback tests: a real relay on 127.0.0.1:0 with a temporary data dir, raw quinn clients.

use crate::common;

use porpoise_protocol::wire::rpc;
use std::time::Duration;

use common::{connect, customer, start, start_with, Client, WAIT};
use porpoise_protocol::wire::{
    CenterId, Event, HelloRole, InstallId, MediaHeader, MediaKind, MessageId, Party, RefusedReason,
    RemoteAction, Request, Response, ServerMessage, ServiceRoute, SessionId, Welcome,
    MAX_MEDIA_HEADER_BYTES,
};
use porpoise_quic::frame_io::{read_frame, write_frame};
use porpoise_relay::core::ThrottlePolicy;
use porpoise_relay::net::{CLOSE_PROTOCOL, STREAM_CUT, STREAM_REFUSED};
use porpoise_relay::{DEMO_CENTER_ID, DEMO_CENTER_NAME, DEMO_PASSWORD};

fn agent(username: &str, password: &str) -> HelloRole {
    HelloRole::Agent {
        center_id: DEMO_CENTER_ID,
        username: username.into(),
        password: password.into(),
    }
}

impl Client {
    async fn open_media(
        &self,
        session_id: SessionId,
        kind: MediaKind,
    ) -> (quinn::SendStream, quinn::RecvStream) {
        let (mut send, recv) = self.conn.open_bi().await.expect("media stream");
        write_frame(
            &mut send,
            &MediaHeader { session_id, kind },
            MAX_MEDIA_HEADER_BYTES,
        )
        .await
        .expect("header");
        (send, recv)
    }
}

async fn read_error_code(recv: &mut quinn::RecvStream) -> Option<u64> {
    let mut buf = [0u8; 64];
    loop {
        match tokio::time::timeout(WAIT, recv.read(&mut buf))
            .await
            .expect("stream ends in time")
        {
            Ok(Some(_)) => continue,
            Ok(None) => return None,
            Err(quinn::ReadError::Reset(code)) => return Some(code.into_inner()),
            Err(other) => panic!("unexpected read error {other}"),
        }
    }
}

#[tokio::test]
async fn hello_outcomes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let relay = start(dir.path()).await;
    let (_c, answer) = connect(
        &relay,
        HelloRole::Directory {
            center_id: DEMO_CENTER_ID,
        },
    )
    .await;
    let usernames = vec!["admin".to_owned(), "agent1".into(), "agent2".into()];
    assert_eq!(
        answer,
        ServerMessage::Welcome(Welcome::Directory { usernames })
    );
    let (_c, answer) = connect(&relay, agent("agent1", "wrong")).await;
    assert_eq!(answer, ServerMessage::Refused(RefusedReason::WrongPassword));
    let (_c, answer) = connect(
        &relay,
        HelloRole::Customer {
            center_id: CenterId(8_999_999),
            install_id: InstallId(1),
        },
    )
    .await;
    assert_eq!(
        answer,
        ServerMessage::Refused(RefusedReason::UnknownCenter(CenterId(8_999_999)))
    );
    let (_c, answer) = connect(&relay, customer(1)).await;
    let ServerMessage::Welcome(Welcome::Customer {
        center_name,
        session: None,
        queue_position: None,
        ..
    }) = answer
    else {
        panic!("{answer:?}")
    };
    assert_eq!(center_name, DEMO_CENTER_NAME);
    relay.stop().await;
}

#[tokio::test]
async fn queue_chat_consent_and_media_over_quic() {
    let dir = tempfile::tempdir().expect("tempdir");
    let relay = start(dir.path()).await;
    let (mut agent, welcome) = connect(&relay, agent("agent1", DEMO_PASSWORD)).await;
    assert!(
        matches!(welcome, ServerMessage::Welcome(Welcome::Agent { .. })),
        "{welcome:?}"
    );
    let (mut helper, _) = connect(&relay, customer(0xC0FFEE)).await;

    let queued = helper
        .request(Request::RequestService(rpc::RequestService {
            name: "王小明".into(),
            phone: "138".into(),
            route: ServiceRoute::AutoAssign {
                group_id: None,
                product_type_id: None,
            },
        }))
        .await;
    let Ok(Response::Queued(rpc::Queued {
        ticket_id,
        position: 1,
    })) = queued
    else {
        panic!("{queued:?}")
    };
    agent
        .event(|e| matches!(e, Event::QueueChanged { queue, .. } if queue.len() == 1).then_some(()))
        .await;
    let started = agent
        .request(Request::AcceptCustomer(rpc::AcceptCustomer { ticket_id }))
        .await;
    let Ok(Response::SessionStarted(info)) = started else {
        panic!("{started:?}")
    };
    let s = info.session_id;
    helper
        .event(|e| matches!(e, Event::SessionStarted(i) if i.session_id == s).then_some(()))
        .await;

    let stored = helper
        .request(Request::SendChat(rpc::SendChat {
            session_id: s,
            message_id: MessageId(77),
            text: "屏幕黑了".into(),
        }))
        .await;
    assert!(
        matches!(stored, Ok(Response::ChatStored(ref m)) if m.message_id == MessageId(77)),
        "{stored:?}"
    );
    // (The relay's greeting is a chat message too; look at the customer's.)
    let got = agent.event(|e| match e {
        Event::ChatReceived { message, .. } if message.from == Party::Customer => {
            Some(message.text.clone())
        }
        _ => None,
    });
    assert_eq!(got.await, "屏幕黑了");

    // Before consent the screen stream is refused.
    let (_send, mut recv) = helper.open_media(s, MediaKind::Screen).await;
    assert_eq!(
        read_error_code(&mut recv).await,
        Some(u64::from(STREAM_REFUSED))
    );

    let action = RemoteAction::ViewDesktop;
    assert_eq!(
        agent
            .request(Request::RequestAction(rpc::RequestAction {
                session_id: s,
                action
            }))
            .await,
        Ok(Response::Done)
    );
    helper
        .event(|e| matches!(e, Event::ConsentRequested { .. }).then_some(()))
        .await;
    let answer = Request::AnswerConsent(rpc::AnswerConsent {
        session_id: s,
        action,
        grant: true,
    });
    assert_eq!(helper.request(answer).await, Ok(Response::Done));

    // After consent bytes flow both ways, header first.
    let (mut up, mut up_back) = helper.open_media(s, MediaKind::Screen).await;
    up.write_all(b"frame-1").await.expect("write");
    let (mut down_ack, mut down) = tokio::time::timeout(WAIT, agent.conn.accept_bi())
        .await
        .expect("in time")
        .expect("bi");
    let header: MediaHeader = read_frame(&mut down, MAX_MEDIA_HEADER_BYTES)
        .await
        .expect("header")
        .expect("some");
    assert_eq!(
        header,
        MediaHeader {
            session_id: s,
            kind: MediaKind::Screen
        }
    );
    let mut frame = [0u8; 7];
    down.read_exact(&mut frame).await.expect("payload");
    assert_eq!(&frame, b"frame-1");
    down_ack.write_all(b"ack").await.expect("ack");
    let mut ack = [0u8; 3];
    up_back.read_exact(&mut ack).await.expect("ack back");
    assert_eq!(&ack, b"ack");

    // The customer's Stop cuts the agent's stream at once.
    let stop = Request::StopAction(rpc::StopAction {
        session_id: s,
        action,
    });
    assert_eq!(helper.request(stop).await, Ok(Response::Done));
    assert_eq!(
        read_error_code(&mut down).await,
        Some(u64::from(STREAM_CUT))
    );
    assert_eq!(
        read_error_code(&mut up_back).await,
        Some(u64::from(STREAM_CUT))
    );
    relay.stop().await;
}

#[tokio::test]
async fn malformed_frame_closes_only_that_connection() {
    let dir = tempfile::tempdir().expect("tempdir");
    let relay = start(dir.path()).await;
    let (mut good, _) = connect(&relay, customer(1)).await;
    let (mut bad, _) = connect(&relay, customer(2)).await;
    bad.send
        .write_all(&[3, 0, 0, 0, 0xff, 0xff, 0xff])
        .await
        .expect("garbage");
    let closed = tokio::time::timeout(WAIT, bad.conn.closed())
        .await
        .expect("closed in time");
    assert!(
        matches!(closed, quinn::ConnectionError::ApplicationClosed(ref c) if c.error_code == CLOSE_PROTOCOL.into()),
        "{closed:?}"
    );
    let (oversized, _) = connect(&relay, customer(3)).await;
    let mut send = oversized.send;
    send.write_all(&u32::MAX.to_le_bytes())
        .await
        .expect("prefix");
    let closed = tokio::time::timeout(WAIT, oversized.conn.closed())
        .await
        .expect("closed in time");
    assert!(
        matches!(closed, quinn::ConnectionError::ApplicationClosed(_)),
        "{closed:?}"
    );
    let queued = good
        .request(Request::RequestService(rpc::RequestService {
            name: "Ann".into(),
            phone: String::new(),
            route: ServiceRoute::AutoAssign {
                group_id: None,
                product_type_id: None,
            },
        }))
        .await;
    assert!(
        matches!(queued, Ok(Response::Queued(rpc::Queued { .. }))),
        "{queued:?}"
    );
    relay.stop().await;
}

#[tokio::test]
async fn sessions_and_history_survive_a_restart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let relay = start(dir.path()).await;
    let (mut agent1, _) = connect(&relay, agent("agent1", DEMO_PASSWORD)).await;
    let (mut helper, _) = connect(&relay, customer(42)).await;
    let Ok(Response::Queued(rpc::Queued { ticket_id, .. })) = helper
        .request(Request::RequestService(rpc::RequestService {
            name: "Ann".into(),
            phone: String::new(),
            route: ServiceRoute::AutoAssign {
                group_id: None,
                product_type_id: None,
            },
        }))
        .await
    else {
        panic!("not queued")
    };
    let Ok(Response::SessionStarted(info)) = agent1
        .request(Request::AcceptCustomer(rpc::AcceptCustomer { ticket_id }))
        .await
    else {
        panic!("not started")
    };
    let chat = Request::SendChat(rpc::SendChat {
        session_id: info.session_id,
        message_id: MessageId(9),
        text: "hello".into(),
    });
    assert!(matches!(
        agent1.request(chat).await,
        Ok(Response::ChatStored(_))
    ));
    let (_waiting, _) = connect(&relay, customer(43)).await;
    let mut waiting = _waiting;
    waiting
        .request(Request::RequestService(rpc::RequestService {
            name: "Bob".into(),
            phone: String::new(),
            route: ServiceRoute::AutoAssign {
                group_id: None,
                product_type_id: None,
            },
        }))
        .await
        .expect("queued");
    relay.stop().await;

    let relay = start(dir.path()).await;
    let (_agent, welcome) = connect(&relay, agent("agent1", DEMO_PASSWORD)).await;
    let ServerMessage::Welcome(Welcome::Agent {
        sessions, queue, ..
    }) = welcome
    else {
        panic!("{welcome:?}")
    };
    assert_eq!(sessions.len(), 1);
    assert_eq!(
        sessions[0]
            .messages
            .iter()
            .filter(|m| m.from != Party::Relay)
            .map(|m| m.text.as_str())
            .collect::<Vec<_>>(),
        ["hello"]
    );
    assert_eq!(
        queue.iter().map(|e| e.name.as_str()).collect::<Vec<_>>(),
        ["Bob"]
    );
    let (_helper, welcome) = connect(&relay, customer(42)).await;
    assert!(matches!(
        welcome,
        ServerMessage::Welcome(Welcome::Customer {
            session: Some(_),
            ..
        })
    ));
    relay.stop().await;
}

/// The `retry_after_s` of a `Throttled` refusal, or a panic naming what came instead.
fn throttled(answer: &ServerMessage) -> u32 {
    match answer {
        ServerMessage::Refused(reason @ RefusedReason::Throttled { retry_after_s }) => {
            assert_eq!(
                reason.to_string(),
                format!("too many failed attempts, try again in {retry_after_s} s")
            );
            *retry_after_s
        }
        other => panic!("expected Throttled, got {other:?}"),
    }
}

#[tokio::test]
async fn repeated_wrong_passwords_lock_the_account_only() {
    let dir = tempfile::tempdir().expect("tempdir");
    let relay = start(dir.path()).await; // the default policy: 5 failures, then 30 s
    for _ in 0..5 {
        let (_c, answer) = connect(&relay, agent("agent1", "wrong")).await;
        assert_eq!(answer, ServerMessage::Refused(RefusedReason::WrongPassword));
    }
    let (_c, answer) = connect(&relay, agent("agent1", "wrong")).await;
    let wait = throttled(&answer);
    assert!((25..=30).contains(&wait), "{wait}");
    // Refused before the password is checked: the right one does not help during the backoff.
    let (_c, answer) = connect(&relay, agent("agent1", DEMO_PASSWORD)).await;
    assert!(throttled(&answer) <= wait);
    // Another account from the same address (every test client is 127.0.0.1) still logs in.
    let (_c, answer) = connect(&relay, agent("agent2", DEMO_PASSWORD)).await;
    assert!(
        matches!(answer, ServerMessage::Welcome(Welcome::Agent { .. })),
        "{answer:?}"
    );
    relay.stop().await;
}

#[tokio::test]
async fn the_account_opens_again_after_the_backoff() {
    let dir = tempfile::tempdir().expect("tempdir");
    let policy = ThrottlePolicy {
        account_max_failures: 2,
        account_first_lockout: Duration::from_secs(1),
        ..ThrottlePolicy::default()
    };
    let relay = start_with(dir.path(), policy).await;
    for _ in 0..2 {
        let (_c, answer) = connect(&relay, agent("agent1", "wrong")).await;
        assert_eq!(answer, ServerMessage::Refused(RefusedReason::WrongPassword));
    }
    let (_c, answer) = connect(&relay, agent("agent1", DEMO_PASSWORD)).await;
    let wait = throttled(&answer);
    assert_eq!(wait, 1);
    tokio::time::sleep(Duration::from_secs(wait.into())).await;
    let (_c, answer) = connect(&relay, agent("agent1", DEMO_PASSWORD)).await;
    assert!(
        matches!(answer, ServerMessage::Welcome(Welcome::Agent { .. })),
        "{answer:?}"
    );
    relay.stop().await;
}

#[tokio::test]
async fn probing_unknown_centers_locks_the_address() {
    let dir = tempfile::tempdir().expect("tempdir");
    let policy = ThrottlePolicy {
        ip_max_failures: 3,
        ..ThrottlePolicy::default()
    };
    let relay = start_with(dir.path(), policy).await;
    for center_id in [8_999_997, 8_999_998] {
        let (_c, answer) = connect(
            &relay,
            HelloRole::Directory {
                center_id: CenterId(center_id),
            },
        )
        .await;
        assert_eq!(
            answer,
            ServerMessage::Refused(RefusedReason::UnknownCenter(CenterId(center_id)))
        );
    }
    let unknown = HelloRole::Customer {
        center_id: CenterId(8_999_999),
        install_id: InstallId(7),
    };
    let (_c, answer) = connect(&relay, unknown).await;
    assert_eq!(
        answer,
        ServerMessage::Refused(RefusedReason::UnknownCenter(CenterId(8_999_999)))
    );
    // The address is locked for 10 minutes for lookups and logins, known center or not.
    let directory = HelloRole::Directory {
        center_id: DEMO_CENTER_ID,
    };
    let (_c, answer) = connect(&relay, directory).await;
    let wait = throttled(&answer);
    assert!((595..=600).contains(&wait), "{wait}");
    let (_c, answer) = connect(&relay, agent("agent2", DEMO_PASSWORD)).await;
    throttled(&answer);
    // Customers of an existing center still get help: one prober behind a shared NAT must not
    // lock out everyone else there.
    let (_c, answer) = connect(&relay, customer(1)).await;
    assert!(
        matches!(answer, ServerMessage::Welcome(_)),
        "customer refused: {answer:?}"
    );
    // Probing further unknown centers as a customer stays throttled.
    let (_c, answer) = connect(
        &relay,
        HelloRole::Customer {
            center_id: CenterId(8_999_996),
            install_id: InstallId(8),
        },
    )
    .await;
    throttled(&answer);
    relay.stop().await;
}
