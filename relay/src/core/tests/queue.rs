//! Queue, accept, welcome, role and tenant tests.

use porpoise_protocol::wire::rpc;
use porpoise_protocol::wire::{
    AgentId, ApiError, Event, MessageId, Request, Response, TicketId, Welcome, MAX_NAME_BYTES,
};

use super::*;
use crate::core::{CloseReason, TicketOutcome};

#[test]
fn queue_is_fifo_and_positions_follow() {
    let mut h = Harness::new();
    h.agent(ConnId(1), CENTER_A, AgentId(10));
    for (conn, install) in [(11, 111), (12, 112), (13, 113)] {
        h.customer(ConnId(conn), CENTER_A, InstallId(install));
    }
    let t1 = h.queue(ConnId(11), "Ann");
    let actions = h.req(
        ConnId(12),
        RequestId(1),
        Request::RequestService(rpc::RequestService {
            name: "Bob".into(),
            phone: String::new(),
            route: any_group(),
        }),
    );
    assert!(matches!(
        response(&actions, ConnId(12), RequestId(1)),
        Ok(Response::Queued(rpc::Queued { position: 2, .. }))
    ));
    let found = events_to(&actions, ConnId(1))
        .into_iter()
        .find_map(|e| match e {
            Event::QueueChanged { queue, .. } => Some(queue),
            _ => None,
        });
    let Some(queue) = found else {
        panic!("no queue event")
    };
    assert_eq!(
        queue.iter().map(|e| e.name.as_str()).collect::<Vec<_>>(),
        ["Ann", "Bob"]
    );
    h.queue(ConnId(13), "Cid");

    let actions = h.req(
        ConnId(11),
        RequestId(2),
        Request::LeaveQueue(rpc::LeaveQueue),
    );
    assert_eq!(
        response(&actions, ConnId(11), RequestId(2)),
        Ok(Response::Done)
    );
    assert_eq!(
        events_to(&actions, ConnId(12)),
        [Event::QueuePosition {
            position: 1,
            estimated_wait_s: None
        }]
    );
    assert_eq!(
        events_to(&actions, ConnId(13)),
        [Event::QueuePosition {
            position: 2,
            estimated_wait_s: None
        }]
    );
    let outcome = TicketOutcome::Left;
    assert!(persisted(&actions).contains(&StoreOp::CloseTicket {
        ticket_id: t1,
        outcome
    }));
}

#[test]
fn requesting_twice_keeps_the_place() {
    let mut h = Harness::new();
    h.customer(ConnId(11), CENTER_A, InstallId(111));
    let first = h.queue(ConnId(11), "Ann");
    assert_eq!(h.queue(ConnId(11), "Ann"), first);
    assert_eq!(h.core.queue_position(CENTER_A, InstallId(111)), Some(1));
}

#[test]
fn service_request_is_validated() {
    let mut h = Harness::new();
    h.customer(ConnId(11), CENTER_A, InstallId(111));
    for (name, phone) in [
        ("  ", "1"),
        (&*"x".repeat(MAX_NAME_BYTES + 1), "1"),
        ("Ann", &*"9".repeat(200)),
        // Issue 14: names that read as something else on the agent's screen.
        ("Ann\u{202E}nimda", "1"),
        ("Ann\u{200B}", "1"),
        ("Ann", "138\n0000"),
    ] {
        let body = Request::RequestService(rpc::RequestService {
            name: name.into(),
            phone: phone.into(),
            route: any_group(),
        });
        let actions = h.req(ConnId(11), RequestId(1), body);
        assert!(
            matches!(response(&actions, ConnId(11), RequestId(1)), Err(ref e) if e.is_bad_input()),
            "{name:?}"
        );
        assert!(persisted(&actions).is_empty());
    }
}

#[test]
fn accept_starts_a_session_out_of_order() {
    let mut h = Harness::new();
    h.agent(ConnId(1), CENTER_A, AgentId(10));
    h.customer(ConnId(11), CENTER_A, InstallId(111));
    h.customer(ConnId(12), CENTER_A, InstallId(112));
    h.queue(ConnId(11), "Ann");
    let t2 = h.queue(ConnId(12), "Bob");
    let actions = h.req(
        ConnId(1),
        RequestId(5),
        Request::AcceptCustomer(rpc::AcceptCustomer { ticket_id: t2 }),
    );
    let Ok(Response::SessionStarted(info)) = response(&actions, ConnId(1), RequestId(5)) else {
        panic!("no session")
    };
    assert_eq!(info.customer_name, "Bob");
    assert_eq!(info.agent_name, "Agent 10");
    assert!(events_to(&actions, ConnId(12)).contains(&Event::SessionStarted(info.clone())));
    assert!(events_to(&actions, ConnId(1))
        .iter()
        .any(|e| matches!(e, Event::QueueChanged { queue, .. } if queue.len() == 1)));
    let ops = persisted(&actions);
    assert!(ops.contains(&StoreOp::CloseTicket {
        ticket_id: t2,
        outcome: TicketOutcome::Served
    }));
    assert!(ops.iter().any(|op| matches!(op, StoreOp::InsertSession { session_id, .. } if *session_id == info.session_id)));
    // Served once: a second accept of the same ticket fails.
    h.agent(ConnId(2), CENTER_A, AgentId(20));
    let actions = h.req(
        ConnId(2),
        RequestId(6),
        Request::AcceptCustomer(rpc::AcceptCustomer { ticket_id: t2 }),
    );
    assert_eq!(
        response(&actions, ConnId(2), RequestId(6)),
        Err(ApiError::UnknownTicket)
    );
    // A customer in a session cannot queue again.
    let again = Request::RequestService(rpc::RequestService {
        name: "Bob".into(),
        phone: String::new(),
        route: any_group(),
    });
    let actions = h.req(ConnId(12), RequestId(7), again);
    assert!(matches!(
        response(&actions, ConnId(12), RequestId(7)),
        Err(ApiError::Conflict(_))
    ));
}

#[test]
fn roles_are_checked() {
    let mut h = Harness::new();
    h.agent(ConnId(1), CENTER_A, AgentId(10));
    h.customer(ConnId(11), CENTER_A, InstallId(111));
    let t = h.queue(ConnId(11), "Ann");
    let forbidden = [
        (
            1,
            Request::RequestService(rpc::RequestService {
                name: "x".into(),
                phone: String::new(),
                route: any_group(),
            }),
        ),
        (1, Request::LeaveQueue(rpc::LeaveQueue)),
        (
            11,
            Request::AcceptCustomer(rpc::AcceptCustomer { ticket_id: t }),
        ),
    ];
    for (i, (conn, body)) in forbidden.into_iter().enumerate() {
        let actions = h.req(ConnId(conn), RequestId(i as u64), body);
        assert!(matches!(
            response(&actions, ConnId(conn), RequestId(i as u64)),
            Err(ApiError::NotPermitted { .. })
        ));
    }
    let session_id = h.accept(ConnId(1), t);
    let action = porpoise_protocol::wire::RemoteAction::ViewDesktop;
    let actions = h.req(
        ConnId(11),
        RequestId(20),
        Request::RequestAction(rpc::RequestAction { session_id, action }),
    );
    assert!(matches!(
        response(&actions, ConnId(11), RequestId(20)),
        Err(ApiError::NotPermitted { .. })
    ));
    let actions = h.req(
        ConnId(1),
        RequestId(21),
        Request::AnswerConsent(rpc::AnswerConsent {
            session_id,
            action,
            grant: true,
        }),
    );
    assert!(matches!(
        response(&actions, ConnId(1), RequestId(21)),
        Err(ApiError::NotPermitted { .. })
    ));
}

#[test]
fn centers_are_isolated() {
    let mut h = Harness::new();
    h.agent(ConnId(1), CENTER_A, AgentId(10));
    let actions = h.agent(ConnId(2), CENTER_B, AgentId(20));
    assert!(
        matches!(welcome(&actions, ConnId(2)), Welcome::Agent { queue, .. } if queue.is_empty())
    );
    h.customer(ConnId(11), CENTER_A, InstallId(111));
    let body = Request::RequestService(rpc::RequestService {
        name: "Ann".into(),
        phone: String::new(),
        route: any_group(),
    });
    let actions = h.req(ConnId(11), RequestId(1), body);
    assert!(
        events_to(&actions, ConnId(2)).is_empty(),
        "center B saw A's queue"
    );
    let Ok(Response::Queued(rpc::Queued { ticket_id, .. })) =
        response(&actions, ConnId(11), RequestId(1))
    else {
        panic!()
    };
    // B's agent can neither accept A's ticket nor see or touch A's session.
    let actions = h.req(
        ConnId(2),
        RequestId(2),
        Request::AcceptCustomer(rpc::AcceptCustomer { ticket_id }),
    );
    assert_eq!(
        response(&actions, ConnId(2), RequestId(2)),
        Err(ApiError::UnknownTicket)
    );
    let session_id = h.accept(ConnId(1), ticket_id);
    let body = Request::SendChat(rpc::SendChat {
        session_id,
        message_id: MessageId(1),
        text: "hi".into(),
    });
    let actions = h.req(ConnId(2), RequestId(3), body);
    assert_eq!(
        response(&actions, ConnId(2), RequestId(3)),
        Err(ApiError::UnknownSession)
    );
    let actions = h.req(
        ConnId(2),
        RequestId(4),
        Request::EndSession(rpc::EndSession { session_id }),
    );
    assert_eq!(
        response(&actions, ConnId(2), RequestId(4)),
        Err(ApiError::UnknownSession)
    );
    // Same install id in center B is another customer: no session resumed there.
    let actions = h.customer(ConnId(12), CENTER_B, InstallId(111));
    assert!(matches!(
        welcome(&actions, ConnId(12)),
        Welcome::Customer {
            session: None,
            queue_position: None,
            ..
        }
    ));
}

#[test]
fn reconnects_resume_sessions_and_queue_places() {
    let mut h = Harness::new();
    h.agent(ConnId(1), CENTER_A, AgentId(10));
    h.customer(ConnId(11), CENTER_A, InstallId(111));
    h.customer(ConnId(12), CENTER_A, InstallId(112));
    let t = h.queue(ConnId(11), "Ann");
    h.queue(ConnId(12), "Bob");
    let session_id = h.accept(ConnId(1), t);
    // A queued customer who disconnects stays queued and gets the position back.
    h.disconnect(ConnId(12));
    let actions = h.customer(ConnId(13), CENTER_A, InstallId(112));
    assert!(matches!(
        welcome(&actions, ConnId(13)),
        Welcome::Customer {
            queue_position: Some(1),
            ..
        }
    ));
    // The customer in the session resumes it.
    h.disconnect(ConnId(11));
    let actions = h.customer(ConnId(14), CENTER_A, InstallId(111));
    let Welcome::Customer {
        session: Some(info),
        center_name,
        ..
    } = welcome(&actions, ConnId(14))
    else {
        panic!()
    };
    assert_eq!(info.session_id, session_id);
    assert_eq!(center_name, format!("Center {CENTER_A}"));
    // The agent resumes its sessions and sees the queue.
    h.disconnect(ConnId(1));
    let actions = h.agent(ConnId(2), CENTER_A, AgentId(10));
    let Welcome::Agent {
        sessions, queue, ..
    } = welcome(&actions, ConnId(2))
    else {
        panic!()
    };
    assert_eq!(
        sessions.iter().map(|s| s.session_id).collect::<Vec<_>>(),
        [session_id]
    );
    assert_eq!(queue.len(), 1);
}

#[test]
fn a_newer_helper_connection_replaces_the_older_one() {
    let mut h = Harness::new();
    h.customer(ConnId(1), CENTER_A, InstallId(111));
    let actions = h.customer(ConnId(2), CENTER_A, InstallId(111));
    assert!(actions.contains(&Action::Close {
        conn: ConnId(1),
        reason: CloseReason::LoggedInElsewhere
    }));
    // Requests from the replaced connection are ignored.
    assert!(h
        .req(
            ConnId(1),
            RequestId(1),
            Request::LeaveQueue(rpc::LeaveQueue)
        )
        .is_empty());
    assert_eq!(h.core.connection_count(), 1);
}

#[test]
fn snapshot_restores_queue_sessions_and_ids() {
    use crate::core::{OpenSession, Ticket};
    let ticket = Ticket {
        ticket_id: TicketId(7),
        center_id: CENTER_A,
        install_id: InstallId(112),
        name: "Bob".into(),
        phone: String::new(),
        queued_at: 5,
        group_id: None,
        product_type_id: None,
        preferred_agent: None,
        region: None,
    };
    let session = OpenSession {
        session_id: SessionId(3),
        center_id: CENTER_A,
        ticket_id: TicketId(6),
        install_id: InstallId(111),
        customer_name: "Ann".into(),
        customer_phone: String::new(),
        agent_id: AgentId(10),
        agent_name: "Agent 10".into(),
        started_at: 6,
        messages: Vec::new(),
    };
    let snapshot = Snapshot {
        centers: vec![center(CENTER_A)],
        queue: vec![ticket],
        sessions: vec![session],
        max_ticket_id: TicketId(7),
        max_session_id: SessionId(3),
        ..Default::default()
    };
    let mut h = Harness::with_snapshot(snapshot);
    let actions = h.agent(ConnId(1), CENTER_A, AgentId(10));
    let Welcome::Agent {
        sessions, queue, ..
    } = welcome(&actions, ConnId(1))
    else {
        panic!()
    };
    assert_eq!((sessions.len(), queue.len()), (1, 1));
    h.customer(ConnId(12), CENTER_A, InstallId(113));
    assert_eq!(h.queue(ConnId(12), "Cid"), TicketId(8));
    assert_eq!(h.accept(ConnId(1), TicketId(7)), SessionId(4));
}

/// Issue 14 (ghost queue): a queued customer who disconnects keeps the place for
/// `TICKET_GRACE` (a helper reconnecting in time keeps it, and the clock restarts at its next
/// disconnect); one who does not come back leaves the queue, closed as `Left`. Tickets loaded
/// at start-up without their customer go the same way.
#[test]
fn a_ticket_leaves_the_queue_when_its_customer_does_not_come_back() {
    use crate::core::{Ticket, TICKET_GRACE};
    let grace_ms = TICKET_GRACE.as_millis() as u64;
    let mut h = Harness::new();
    h.agent(ConnId(1), CENTER_A, AgentId(10));
    h.customer(ConnId(11), CENTER_A, InstallId(111));
    let ticket_id = h.queue(ConnId(11), "Ann");
    h.disconnect(ConnId(11));
    h.tick(grace_ms - 1_000);
    h.core.handle_timeout(h.now);
    assert_eq!(h.core.centers[&CENTER_A].queue.len(), 1, "still in grace");
    // Back in time, then away again: a fresh grace.
    h.customer(ConnId(12), CENTER_A, InstallId(111));
    h.disconnect(ConnId(12));
    h.tick(grace_ms - 1_000);
    h.core.handle_timeout(h.now);
    assert_eq!(h.core.centers[&CENTER_A].queue.len(), 1);
    h.tick(2_000);
    assert!(h.core.poll_timeout().is_some_and(|t| t <= h.now.instant));
    h.core.handle_timeout(h.now);
    let actions = h.drain();
    assert!(h.core.centers[&CENTER_A].queue.is_empty());
    assert!(persisted(&actions).iter().any(|op| matches!(
        op,
        StoreOp::CloseTicket { ticket_id: t, outcome: TicketOutcome::Left } if *t == ticket_id
    )));
    assert!(events_to(&actions, ConnId(1))
        .iter()
        .any(|e| matches!(e, Event::QueueChanged { count: 0, .. })));

    // After a restart: the stored ticket is on the clock from the first input.
    let snapshot = Snapshot {
        centers: vec![center(CENTER_A)],
        queue: vec![Ticket {
            ticket_id: TicketId(7),
            center_id: CENTER_A,
            install_id: InstallId(222),
            name: "Bob".into(),
            phone: String::new(),
            queued_at: 0,
            group_id: None,
            product_type_id: None,
            preferred_agent: None,
            region: None,
        }],
        ..Default::default()
    };
    let mut h = Harness::with_snapshot(snapshot);
    h.agent(ConnId(1), CENTER_A, AgentId(10));
    h.tick(grace_ms + 1);
    h.core.handle_timeout(h.now);
    assert!(h.core.centers[&CENTER_A].queue.is_empty());
}
