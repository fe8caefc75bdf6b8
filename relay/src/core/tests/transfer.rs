//! Transfers (R8) and agent-to-agent chat (R9) with a virtual clock.

use porpoise_protocol::wire::rpc;
use porpoise_protocol::wire::{
    ActionState, AgentId, ApiError, Event, GroupId, MediaKind, MessageId, Party, RemoteAction,
    Request, Response, SessionId, TransferOffer, TransferOutcome, TransferTarget, Welcome,
};

use super::conversation::*;
use super::*;
use crate::core::ConversationOp;

fn transfer(session_id: SessionId, target: TransferTarget) -> Request {
    Request::TransferSession(rpc::TransferSession {
        session_id,
        target,
        note: "请协助".into(),
    })
}

fn offered(actions: &[Action], conn: ConnId) -> Option<TransferOffer> {
    events_to(actions, conn).into_iter().find_map(|e| match e {
        Event::TransferOffered(o) => Some(o),
        _ => None,
    })
}

fn resolved(actions: &[Action], conn: ConnId) -> Option<TransferOutcome> {
    events_to(actions, conn).into_iter().find_map(|e| match e {
        Event::TransferResolved { outcome, .. } => Some(outcome),
        _ => None,
    })
}

#[test]
fn transfer_accepted_moves_the_session_with_history_and_stops_remote_actions() {
    let mut h = harness(quiet());
    login_agent(&mut h, A1, CENTER_A, 10);
    login_customer(&mut h, CUST, CENTER_A, 111);
    let (s, _) = serve(&mut h, A1, CUST);
    login_agent(&mut h, A2, CENTER_A, 20);
    say(&mut h, CUST, s, 1, "打印机坏了");
    h.req(
        A1,
        RequestId(2),
        Request::RequestAction(rpc::RequestAction {
            session_id: s,
            action: RemoteAction::ViewDesktop,
        }),
    );
    let grant = Request::AnswerConsent(rpc::AnswerConsent {
        session_id: s,
        action: RemoteAction::ViewDesktop,
        grant: true,
    });
    h.req(CUST, RequestId(3), grant);

    let asked = h.req(
        A1,
        RequestId(4),
        transfer(s, TransferTarget::Agent(AgentId(20))),
    );
    assert_eq!(response(&asked, A1, RequestId(4)), Ok(Response::Done));
    let offer = offered(&asked, A2).expect("offer to agent 20");
    assert_eq!(offer.expires_in_ms, 20_000, "the center's offer countdown");
    assert_eq!(
        (offer.from_agent, offer.note.as_str()),
        (AgentId(10), "请协助")
    );
    assert_eq!(offer.session.messages[0].text, "打印机坏了");

    let accepted = h.req(
        A2,
        RequestId(5),
        Request::AnswerTransfer(rpc::AnswerTransfer {
            transfer_id: offer.transfer_id,
            accept: true,
        }),
    );
    assert_eq!(response(&accepted, A2, RequestId(5)), Ok(Response::Done));
    let started = events_to(&accepted, A2).into_iter().find_map(|e| match e {
        Event::SessionStarted(info) => Some(info),
        _ => None,
    });
    let started = started.expect("receiver gets the session");
    assert_eq!(
        (started.session_id, started.agent_name.as_str()),
        (s, "客服20")
    );
    assert_eq!(started.messages.len(), 1, "whole history");
    assert!(
        events_to(&accepted, A1).contains(&Event::SessionTransferredAway {
            session_id: s,
            to_agent_name: "客服20".into()
        })
    );
    assert!(events_to(&accepted, CUST).contains(&Event::AgentChanged {
        session_id: s,
        agent_name: "客服20".into()
    }));
    assert_eq!(resolved(&accepted, A1), Some(TransferOutcome::Accepted));
    assert_eq!(resolved(&accepted, A2), Some(TransferOutcome::Accepted));
    assert!(
        cuts(&accepted, s, MediaKind::Screen),
        "media of the old agent is cut"
    );
    assert!(events_to(&accepted, CUST).contains(&Event::ActionChanged {
        session_id: s,
        action: RemoteAction::ViewDesktop,
        state: ActionState::Stopped,
        by: Party::Relay,
    }));
    assert!(persisted(&accepted).iter().any(|op| matches!(op,
        StoreOp::Conversation(ConversationOp::MoveSession { session_id, agent_id: AgentId(20) }) if *session_id == s)));
    // R17: a `session.transferred` webhook event names both agents, after the move.
    let ops = persisted(&accepted);
    let moved = ops
        .iter()
        .position(|op| {
            matches!(
                op,
                StoreOp::Conversation(ConversationOp::MoveSession { .. })
            )
        })
        .expect("moved");
    let (at, data) = ops
        .iter()
        .enumerate()
        .find_map(|(i, op)| match op {
            StoreOp::Webhook {
                event: porpoise_protocol::wire::WebhookEvent::SessionTransferred,
                data,
                ..
            } => Some((i, data.clone())),
            _ => None,
        })
        .expect("webhook event");
    assert!(at > moved, "emitted after the write it describes");
    let data: serde_json::Value = serde_json::from_str(&data).expect("json");
    assert_eq!(data["session_id"], s.0);
    assert_eq!(data["from_agent"]["id"], 10);
    assert_eq!(data["to_agent"]["id"], 20);
    assert_eq!(data["to_agent"]["display_name"], "客服20");

    // The new agent serves; the old one is out.
    let old = h.req(
        A1,
        RequestId(6),
        Request::SendChat(rpc::SendChat {
            session_id: s,
            message_id: MessageId(9),
            text: "x".into(),
        }),
    );
    assert_eq!(
        response(&old, A1, RequestId(6)),
        Err(ApiError::UnknownSession)
    );
    let chat = say(&mut h, A2, s, 10, "我来帮您");
    assert!(matches!(
        response(&chat, A2, RequestId(700)),
        Ok(Response::ChatStored(_))
    ));
    assert!(events_to(&chat, CUST)
        .iter()
        .any(|e| matches!(e, Event::ChatReceived { .. })));
    // After a reconnect the session is the new agent's.
    h.disconnect(A2);
    let back = login_agent(&mut h, A2, CENTER_A, 20);
    let Welcome::Agent { sessions, .. } = welcome(&back, A2) else {
        panic!("agent welcome")
    };
    assert_eq!(sessions.len(), 1);
}

#[test]
fn transfer_rejected_or_timed_out_leaves_the_session() {
    let mut h = harness(quiet());
    login_agent(&mut h, A1, CENTER_A, 10);
    login_customer(&mut h, CUST, CENTER_A, 111);
    let (s, _) = serve(&mut h, A1, CUST);
    login_agent(&mut h, A2, CENTER_A, 20);

    let asked = h.req(
        A1,
        RequestId(1),
        transfer(s, TransferTarget::Agent(AgentId(20))),
    );
    let offer = offered(&asked, A2).expect("offer");
    let busy = h.req(
        A1,
        RequestId(2),
        transfer(s, TransferTarget::Agent(AgentId(20))),
    );
    assert!(matches!(
        response(&busy, A1, RequestId(2)),
        Err(ApiError::Conflict(_))
    ));
    let no = h.req(
        A2,
        RequestId(3),
        Request::AnswerTransfer(rpc::AnswerTransfer {
            transfer_id: offer.transfer_id,
            accept: false,
        }),
    );
    assert_eq!(resolved(&no, A1), Some(TransferOutcome::Rejected));
    assert_eq!(resolved(&no, A2), Some(TransferOutcome::Rejected));
    assert!(events_to(&no, CUST).is_empty());
    let late = h.req(
        A2,
        RequestId(4),
        Request::AnswerTransfer(rpc::AnswerTransfer {
            transfer_id: offer.transfer_id,
            accept: true,
        }),
    );
    assert!(matches!(
        response(&late, A2, RequestId(4)),
        Err(ApiError::NotFound {
            what: porpoise_protocol::wire::Thing::Transfer
        })
    ));

    let asked = h.req(
        A1,
        RequestId(5),
        transfer(s, TransferTarget::Agent(AgentId(20))),
    );
    assert!(offered(&asked, A2).is_some());
    assert!(advance(&mut h, 19_999).is_empty());
    let timeout = advance(&mut h, 1);
    assert_eq!(resolved(&timeout, A1), Some(TransferOutcome::TimedOut));
    assert_eq!(resolved(&timeout, A2), Some(TransferOutcome::TimedOut));
    let still = say(&mut h, A1, s, 1, "我还在");
    assert!(matches!(
        response(&still, A1, RequestId(700)),
        Ok(Response::ChatStored(_))
    ));
}

#[test]
fn transfer_to_unreachable_agents_is_unavailable_whatever_the_id() {
    let mut h = harness(quiet());
    login_agent(&mut h, A1, CENTER_A, 10);
    login_agent(&mut h, B1, CENTER_B, 40);
    login_customer(&mut h, CUST, CENTER_A, 111);
    let (s, _) = serve(&mut h, A1, CUST);
    // Agent 20 is not logged in; 40 is in center B; 99 does not exist; 10 is oneself.
    for (i, to) in [20, 40, 99, 10].into_iter().enumerate() {
        let id = 10 + i as u64;
        let actions = h.req(
            A1,
            RequestId(id),
            transfer(s, TransferTarget::Agent(AgentId(to))),
        );
        assert_eq!(response(&actions, A1, RequestId(id)), Ok(Response::Done));
        assert_eq!(
            resolved(&actions, A1),
            Some(TransferOutcome::Unavailable),
            "agent {to}"
        );
        assert!(events_to(&actions, B1).is_empty(), "center B hears nothing");
    }
    // An agent of center B cannot transfer center A's session.
    let foreign = h.req(
        B1,
        RequestId(20),
        transfer(s, TransferTarget::Agent(AgentId(40))),
    );
    assert_eq!(
        response(&foreign, B1, RequestId(20)),
        Err(ApiError::UnknownSession)
    );
    // An Offline colleague cannot receive.
    login_agent(&mut h, A2, CENTER_A, 20);
    let offline = Request::SetPresence(rpc::SetPresence {
        presence: porpoise_protocol::wire::Presence::Offline,
        automatic: false,
    });
    h.req(A2, RequestId(21), offline);
    let actions = h.req(
        A1,
        RequestId(22),
        transfer(s, TransferTarget::Agent(AgentId(20))),
    );
    assert_eq!(resolved(&actions, A1), Some(TransferOutcome::Unavailable));
}

#[test]
fn transfer_to_a_group_passes_on_until_someone_accepts() {
    let mut h = harness(quiet());
    login_agent(&mut h, A1, CENTER_A, 10);
    login_customer(&mut h, CUST, CENTER_A, 111);
    let (s, _) = serve(&mut h, A1, CUST);
    login_group_agent(&mut h, A2, 20);
    h.tick(1000);
    login_group_agent(&mut h, A3, 30);

    let asked = h.req(
        A1,
        RequestId(1),
        transfer(s, TransferTarget::Group(GroupId(GROUP))),
    );
    let first = offered(&asked, A2).expect("longest idle agent of the group first");
    assert!(offered(&asked, A3).is_none());
    let no = h.req(
        A2,
        RequestId(2),
        Request::AnswerTransfer(rpc::AnswerTransfer {
            transfer_id: first.transfer_id,
            accept: false,
        }),
    );
    assert_eq!(resolved(&no, A2), Some(TransferOutcome::Rejected));
    assert_eq!(resolved(&no, A1), None, "the sender waits for the group");
    let second = offered(&no, A3).expect("next agent of the group");
    assert_eq!(second.transfer_id, first.transfer_id);
    let yes = h.req(
        A3,
        RequestId(3),
        Request::AnswerTransfer(rpc::AnswerTransfer {
            transfer_id: second.transfer_id,
            accept: true,
        }),
    );
    assert_eq!(resolved(&yes, A1), Some(TransferOutcome::Accepted));
    assert!(events_to(&yes, CUST).contains(&Event::AgentChanged {
        session_id: s,
        agent_name: "客服30".into()
    }));

    // Back to the group: 20 times out, nobody else is left (30 serves it now).
    let again = h.req(
        A3,
        RequestId(4),
        transfer(s, TransferTarget::Group(GroupId(GROUP))),
    );
    assert!(offered(&again, A2).is_some());
    let timeout = advance(&mut h, 20_000);
    assert_eq!(resolved(&timeout, A3), Some(TransferOutcome::TimedOut));
    // An empty or foreign group is unavailable at once.
    let none = h.req(
        A3,
        RequestId(5),
        transfer(s, TransferTarget::Group(GroupId(99))),
    );
    assert_eq!(resolved(&none, A3), Some(TransferOutcome::Unavailable));
}

#[test]
fn ending_a_session_withdraws_its_transfer() {
    let mut h = harness(quiet());
    login_agent(&mut h, A1, CENTER_A, 10);
    login_customer(&mut h, CUST, CENTER_A, 111);
    let (s, _) = serve(&mut h, A1, CUST);
    login_agent(&mut h, A2, CENTER_A, 20);
    let asked = h.req(
        A1,
        RequestId(1),
        transfer(s, TransferTarget::Agent(AgentId(20))),
    );
    assert!(offered(&asked, A2).is_some());
    let end = h.req(
        CUST,
        RequestId(2),
        Request::EndSession(rpc::EndSession { session_id: s }),
    );
    assert_eq!(resolved(&end, A2), Some(TransferOutcome::Unavailable));
    assert_eq!(h.core.poll_timeout(), None);
}

fn agent_chat(to: i64, message_id: u128, text: &str) -> Request {
    Request::SendAgentChat(rpc::SendAgentChat {
        to: AgentId(to),
        message_id: MessageId(message_id),
        text: text.into(),
    })
}

/// Completes every agent-chat store write of `actions` with `ok`.
fn persist_agent_chats(h: &mut Harness, actions: &[Action], ok: bool) -> Vec<Action> {
    for op in persisted(actions) {
        if let StoreOp::Conversation(ConversationOp::InsertAgentChat { token, .. }) = op {
            h.core.handle_chat_persisted(h.now, token, ok);
        }
    }
    h.drain()
}

#[test]
fn agent_chat_is_stored_before_delivery_once_per_id_and_stays_in_its_center() {
    let mut h = harness(quiet());
    login_agent(&mut h, A1, CENTER_A, 10);
    login_agent(&mut h, A2, CENTER_A, 20);
    login_agent(&mut h, B1, CENTER_B, 40);
    let sent = h.req(A1, RequestId(1), agent_chat(20, 77, "帮我看下这个客户"));
    assert!(
        !has_response(&sent, A1, RequestId(1)),
        "acked before durable"
    );
    assert!(events_to(&sent, A2).is_empty());
    let again = h.req(A1, RequestId(2), agent_chat(20, 77, "帮我看下这个客户"));
    assert!(
        persisted(&again).is_empty(),
        "a resend while pending is stored once"
    );
    let done = persist_agent_chats(&mut h, &sent, true);
    let Ok(Response::AgentChatStored(stored)) = response(&done, A1, RequestId(1)) else {
        panic!("no ack")
    };
    assert_eq!(
        response(&done, A1, RequestId(2)),
        Ok(Response::AgentChatStored(stored.clone()))
    );
    assert_eq!(
        (stored.from, stored.to, stored.sent_at),
        (AgentId(10), AgentId(20), h.now.unix_ms)
    );
    assert_eq!(
        events_to(&done, A2),
        [Event::AgentChatReceived(stored.clone())]
    );

    let resend = h.req(A1, RequestId(3), agent_chat(20, 77, "帮我看下这个客户"));
    assert_eq!(
        response(&resend, A1, RequestId(3)),
        Ok(Response::AgentChatStored(stored))
    );
    assert!(persisted(&resend).is_empty() && events_to(&resend, A2).is_empty());

    // Center B's agent is unknown to center A, exactly like a missing id.
    let foreign = h.req(A1, RequestId(4), agent_chat(40, 78, "hi"));
    let missing = h.req(A1, RequestId(5), agent_chat(99, 79, "hi"));
    assert_eq!(
        response(&foreign, A1, RequestId(4)),
        response(&missing, A1, RequestId(5))
    );
    assert!(matches!(
        response(&foreign, A1, RequestId(4)),
        Err(ref e) if e.is_bad_input()
    ));
    assert!(events_to(&foreign, B1).is_empty());
    let to_self = h.req(A1, RequestId(6), agent_chat(10, 80, "hi"));
    assert!(matches!(
        response(&to_self, A1, RequestId(6)),
        Err(ref e) if e.is_bad_input()
    ));
    // A failed write is reported and not delivered.
    let failing = h.req(A1, RequestId(7), agent_chat(20, 81, "hi"));
    let failed = persist_agent_chats(&mut h, &failing, false);
    assert_eq!(response(&failed, A1, RequestId(7)), Err(ApiError::Storage));
    assert!(events_to(&failed, A2).is_empty());
    // Customers may not use it.
    login_customer(&mut h, CUST, CENTER_A, 111);
    let customer = h.req(CUST, RequestId(8), agent_chat(10, 82, "hi"));
    assert!(matches!(
        response(&customer, CUST, RequestId(8)),
        Err(ApiError::NotPermitted { .. })
    ));
}
