//! Conversation features with a virtual clock: greeting, automatic replies, reception timeout,
//! typing preview, transfers, agent chat, working hours (R8–R12).

use porpoise_protocol::wire::rpc;
use std::net::SocketAddr;
use std::time::Duration;

use porpoise_protocol::wire::{
    AgentId, ApiError, CenterSettings, ChatMessage, DayHours, Event, GroupId, MessageId, Party,
    Request, Response, ServiceRoute, SessionId, TicketId, TimedReply, Welcome, WorkingHours,
    TYPING_PREVIEW_INTERVAL_MS,
};

use super::*;
use crate::core::Account;

pub(super) const A1: ConnId = ConnId(1);
pub(super) const A2: ConnId = ConnId(2);
pub(super) const A3: ConnId = ConnId(3);
pub(super) const B1: ConnId = ConnId(4);
pub(super) const CUST: ConnId = ConnId(11);
pub(super) const GROUP: u32 = 7;

pub(super) fn addr() -> SocketAddr {
    "127.0.0.1:5000".parse().expect("addr")
}

pub(super) fn account(center_id: CenterId, agent_id: i64, groups: Vec<u32>) -> Account {
    let mut a = Account::agent(center_id, AgentId(agent_id), &format!("客服{agent_id}"));
    a.groups = groups.into_iter().map(GroupId).collect();
    a
}

/// Center A with agents 10, 20, 30 (20 and 30 in group 7), center B with agent 40.
pub(super) fn harness(settings: CenterSettings) -> Harness {
    Harness::with_snapshot(snapshot(settings))
}

pub(super) fn snapshot(settings: CenterSettings) -> Snapshot {
    Snapshot {
        centers: vec![center(CENTER_A), center(CENTER_B)],
        accounts: vec![
            account(CENTER_A, 10, vec![]),
            account(CENTER_A, 20, vec![GROUP]),
            account(CENTER_A, 30, vec![GROUP]),
            account(CENTER_B, 40, vec![GROUP]),
        ],
        settings: vec![(CENTER_A, settings.clone()), (CENTER_B, settings)],
        groups: vec![(CENTER_A, super::routing::group(GROUP, "售后"))],
        ..Default::default()
    }
}

pub(super) fn quiet() -> CenterSettings {
    CenterSettings {
        greeting: String::new(),
        reception_timeout: None,
        ..CenterSettings::default()
    }
}

pub(super) fn login_agent(
    h: &mut Harness,
    conn: ConnId,
    center_id: CenterId,
    agent_id: i64,
) -> Vec<Action> {
    let login = Login::Agent {
        center: center(center_id),
        account: Box::new(account(center_id, agent_id, vec![])),
        address: addr(),
    };
    h.core.handle_login(h.now, conn, login);
    h.drain()
}

pub(super) fn login_group_agent(h: &mut Harness, conn: ConnId, agent_id: i64) -> Vec<Action> {
    let login = Login::Agent {
        center: center(CENTER_A),
        account: Box::new(account(CENTER_A, agent_id, vec![GROUP])),
        address: addr(),
    };
    h.core.handle_login(h.now, conn, login);
    h.drain()
}

pub(super) fn login_customer(
    h: &mut Harness,
    conn: ConnId,
    center_id: CenterId,
    install_id: u128,
) -> Vec<Action> {
    let login = Login::Customer {
        center: center(center_id),
        install_id: InstallId(install_id),
        address: addr(),
    };
    h.core.handle_login(h.now, conn, login);
    h.drain()
}

/// The customer asks for service (auto-assign); the agent who gets the offer accepts it.
pub(super) fn serve(h: &mut Harness, agent: ConnId, customer: ConnId) -> (SessionId, Vec<Action>) {
    let body = Request::RequestService(rpc::RequestService {
        name: "Ann".into(),
        phone: "123".into(),
        route: ServiceRoute::AutoAssign {
            group_id: None,
            product_type_id: None,
        },
    });
    let actions = h.req(customer, RequestId(800), body);
    assert!(matches!(
        response(&actions, customer, RequestId(800)),
        Ok(Response::Queued(rpc::Queued { .. }))
    ));
    let offer_id = events_to(&actions, agent)
        .into_iter()
        .find_map(|e| match e {
            Event::OfferReceived(o) => Some(o.offer_id),
            _ => None,
        })
        .expect("an offer");
    let actions = h.req(
        agent,
        RequestId(801),
        Request::AnswerOffer(rpc::AnswerOffer {
            offer_id,
            accept: true,
        }),
    );
    match response(&actions, agent, RequestId(801)) {
        Ok(Response::SessionStarted(info)) => (info.session_id, actions),
        other => panic!("not started: {other:?}"),
    }
}

/// Writes a chat message and completes its store write.
pub(super) fn say(
    h: &mut Harness,
    conn: ConnId,
    session_id: SessionId,
    message_id: u128,
    text: &str,
) -> Vec<Action> {
    let body = Request::SendChat(rpc::SendChat {
        session_id,
        message_id: MessageId(message_id),
        text: text.into(),
    });
    let actions = h.req(conn, RequestId(700), body);
    let mut done = h.persist_chats(&actions, true);
    done.splice(0..0, actions);
    done
}

/// Jumps the virtual clock to `ms` later, firing every timer due on the way.
pub(super) fn advance(h: &mut Harness, ms: u64) -> Vec<Action> {
    let end = h.now.instant + Duration::from_millis(ms);
    let mut all = Vec::new();
    while let Some(at) = h.core.poll_timeout().filter(|at| *at <= end) {
        let step = at.saturating_duration_since(h.now.instant);
        h.tick(u64::try_from(step.as_millis()).expect("ms"));
        h.core.handle_timeout(h.now);
        all.extend(h.drain());
    }
    let rest = end.saturating_duration_since(h.now.instant);
    h.tick(u64::try_from(rest.as_millis()).expect("ms"));
    all
}

pub(super) fn relay_chats(actions: &[Action], conn: ConnId) -> Vec<ChatMessage> {
    events_to(actions, conn)
        .into_iter()
        .filter_map(|e| match e {
            Event::ChatReceived { message, .. } if message.from == Party::Relay => Some(message),
            _ => None,
        })
        .collect()
}

pub(super) fn ended(actions: &[Action], conn: ConnId) -> Option<Party> {
    events_to(actions, conn).into_iter().find_map(|e| match e {
        Event::SessionEnded { by, .. } => Some(by),
        _ => None,
    })
}

#[test]
fn greeting_names_the_agent_and_reaches_both_sides_after_the_start() {
    let mut h = harness(CenterSettings::default());
    login_agent(&mut h, A1, CENTER_A, 10);
    login_customer(&mut h, CUST, CENTER_A, 111);
    let (s, actions) = serve(&mut h, A1, CUST);
    let greeting = "您好，我是客服10，很高兴为您服务。";
    for conn in [A1, CUST] {
        let texts: Vec<String> = relay_chats(&actions, conn)
            .into_iter()
            .map(|m| m.text)
            .collect();
        assert_eq!(texts, [greeting], "conn {conn}");
    }
    // The agent learns of the session (response) before its greeting.
    let to_agent = sent_to(&actions, A1);
    let start = to_agent
        .iter()
        .position(|m| {
            matches!(
                m,
                ServerMessage::Response {
                    id: RequestId(801),
                    ..
                }
            )
        })
        .expect("response");
    let chat = to_agent
        .iter()
        .position(|m| matches!(m, ServerMessage::Event(Event::ChatReceived { .. })))
        .expect("greeting");
    assert!(start < chat);
    let stored = persisted(&actions).into_iter().any(|op| {
        matches!(op, StoreOp::InsertChat { session_id, message, .. }
            if session_id == s && message.from == Party::Relay && message.text == greeting)
    });
    assert!(stored, "the greeting is stored like chat");
}

#[test]
fn auto_reply_fires_once_after_silence_and_rearms_when_the_agent_answers() {
    let mut settings = quiet();
    settings.auto_reply = Some(TimedReply {
        after_s: 30,
        text: "客服正忙，请稍候".into(),
    });
    let mut h = harness(settings);
    login_agent(&mut h, A1, CENTER_A, 10);
    login_customer(&mut h, CUST, CENTER_A, 111);
    let (s, _) = serve(&mut h, A1, CUST);
    assert!(
        advance(&mut h, 120_000).is_empty(),
        "nothing before the customer writes"
    );
    say(&mut h, CUST, s, 1, "在吗？");
    assert!(relay_chats(&advance(&mut h, 29_999), CUST).is_empty());
    let fired = advance(&mut h, 1);
    assert_eq!(relay_chats(&fired, CUST)[0].text, "客服正忙，请稍候");
    assert_eq!(relay_chats(&fired, A1).len(), 1);
    say(&mut h, CUST, s, 2, "还在吗？");
    assert!(
        relay_chats(&advance(&mut h, 120_000), CUST).is_empty(),
        "only once"
    );
    say(&mut h, A1, s, 3, "在的");
    say(&mut h, CUST, s, 4, "好的");
    let again = advance(&mut h, 30_000);
    assert_eq!(
        relay_chats(&again, CUST).len(),
        1,
        "re-armed after the agent answered"
    );
    // An answer inside the delay cancels it.
    say(&mut h, CUST, s, 5, "?");
    h.tick(10_000);
    say(&mut h, A1, s, 6, "!");
    assert!(relay_chats(&advance(&mut h, 60_000), CUST).is_empty());
}

#[test]
fn reception_timeout_closes_after_five_minutes_without_customer_messages() {
    let mut settings = quiet();
    settings.reception_timeout = CenterSettings::default().reception_timeout;
    let closing = settings.reception_timeout.clone().expect("default").text;
    let mut h = harness(settings);
    login_agent(&mut h, A1, CENTER_A, 10);
    login_customer(&mut h, CUST, CENTER_A, 111);
    let (s, _) = serve(&mut h, A1, CUST);
    assert!(advance(&mut h, 200_000).is_empty());
    say(&mut h, CUST, s, 1, "我再看看");
    say(&mut h, A1, s, 2, "好的"); // agent messages do not count
    assert!(
        advance(&mut h, 299_999).is_empty(),
        "counted from the customer's last message"
    );
    let fired = advance(&mut h, 1);
    for conn in [A1, CUST] {
        assert_eq!(relay_chats(&fired, conn)[0].text, closing);
        assert_eq!(ended(&fired, conn), Some(Party::Relay));
    }
    let ops = persisted(&fired);
    assert!(
        matches!(ops[0], StoreOp::InsertChat { .. }),
        "closing text stored first"
    );
    assert!(ops.iter().any(|op| matches!(op,
        StoreOp::EndSession { session_id, by: Party::Relay, .. } if *session_id == s)));
    let after = h.req(
        CUST,
        RequestId(9),
        Request::EndSession(rpc::EndSession { session_id: s }),
    );
    assert_eq!(
        response(&after, CUST, RequestId(9)),
        Err(ApiError::UnknownSession)
    );
    assert_eq!(h.core.poll_timeout(), None, "no timer left");
}

fn preview(session_id: SessionId, text: &str) -> Request {
    Request::TypingPreview(rpc::TypingPreview {
        session_id,
        text: text.into(),
    })
}

fn previews(actions: &[Action], conn: ConnId) -> Vec<String> {
    events_to(actions, conn)
        .into_iter()
        .filter_map(|e| match e {
            Event::TypingPreview { text, .. } => Some(text),
            _ => None,
        })
        .collect()
}

#[test]
fn typing_preview_is_throttled_keeps_the_newest_and_is_never_stored() {
    let mut h = harness(quiet());
    login_agent(&mut h, A1, CENTER_A, 10);
    login_customer(&mut h, CUST, CENTER_A, 111);
    let (s, _) = serve(&mut h, A1, CUST);
    let first = h.req(CUST, RequestId(1), preview(s, "我"));
    assert_eq!(response(&first, CUST, RequestId(1)), Ok(Response::Done));
    assert_eq!(previews(&first, A1), ["我"]);
    h.tick(100);
    assert!(previews(&h.req(CUST, RequestId(2), preview(s, "我的")), A1).is_empty());
    h.tick(100);
    assert!(previews(&h.req(CUST, RequestId(3), preview(s, "我的电脑")), A1).is_empty());
    let trailing = advance(&mut h, TYPING_PREVIEW_INTERVAL_MS);
    assert_eq!(
        previews(&trailing, A1),
        ["我的电脑"],
        "newest text on the trailing edge"
    );
    assert!(previews(&trailing, CUST).is_empty());
    let all = [first, trailing].concat();
    assert!(persisted(&all).is_empty(), "previews are never stored");

    // Only the session's customer may send them, and only up to the chat limit.
    let agent = h.req(A1, RequestId(4), preview(s, "x"));
    assert!(matches!(
        response(&agent, A1, RequestId(4)),
        Err(ApiError::NotPermitted { .. })
    ));
    login_customer(&mut h, ConnId(12), CENTER_A, 222);
    let other = h.req(ConnId(12), RequestId(5), preview(s, "x"));
    assert_eq!(
        response(&other, ConnId(12), RequestId(5)),
        Err(ApiError::UnknownSession)
    );
    let long = "字".repeat(porpoise_protocol::wire::MAX_CHAT_TEXT_BYTES);
    let too_long = h.req(CUST, RequestId(6), preview(s, &long));
    assert!(matches!(
        response(&too_long, CUST, RequestId(6)),
        Err(ref e) if e.is_bad_input()
    ));
}

/// Monday to Friday 9:00–18:00 China time; a holiday on Thursday 2023-11-16.
fn office_hours() -> WorkingHours {
    let day = Some(DayHours {
        start_min: 9 * 60,
        end_min: 18 * 60,
    });
    WorkingHours {
        weekly: [day, day, day, day, day, None, None],
        holidays: vec![porpoise_protocol::wire::Holiday {
            date: 20_231_116,
            reply: "今日放假".into(),
        }],
        off_hours_reply: "下班了，请留言".into(),
        ..WorkingHours::default()
    }
}

#[test]
fn off_hours_requests_are_refused_with_the_reply_and_customers_hear_the_opening() {
    let mut settings = quiet();
    settings.working_hours = office_hours();
    let mut h = harness(settings);
    // The harness starts at 2023-11-14 22:13:20 UTC = Wednesday 06:13:20 in China.
    login_agent(&mut h, A1, CENTER_A, 10);
    let hello = login_customer(&mut h, CUST, CENTER_A, 111);
    let Welcome::Customer { options, .. } = welcome(&hello, CUST) else {
        panic!("welcome")
    };
    assert!(!options.open_now);
    assert_eq!(options.closed_reply, "下班了，请留言");
    let body = Request::RequestService(rpc::RequestService {
        name: "Ann".into(),
        phone: "1".into(),
        route: ServiceRoute::AutoAssign {
            group_id: None,
            product_type_id: None,
        },
    });
    let refused = h.req(CUST, RequestId(1), body.clone());
    assert_eq!(
        response(&refused, CUST, RequestId(1)),
        Err(ApiError::Closed {
            reply: "下班了，请留言".into()
        })
    );

    // 09:00 opens: 2 h 46 min 40 s later the customer gets new options.
    let opening = advance(&mut h, 2 * 3_600_000 + 46 * 60_000 + 40_000);
    let open = events_to(&opening, CUST).into_iter().find_map(|e| match e {
        Event::ServiceOptionsChanged(o) => Some(o),
        _ => None,
    });
    assert!(open.expect("options at opening").open_now);
    let served = h.req(CUST, RequestId(2), body);
    assert!(matches!(
        response(&served, CUST, RequestId(2)),
        Ok(Response::Queued(rpc::Queued { .. }))
    ));
    // Thursday is a holiday: at midnight the options change to the holiday reply.
    let holiday = advance(&mut h, 15 * 3_600_000);
    let closed = events_to(&holiday, CUST)
        .into_iter()
        .filter_map(|e| match e {
            Event::ServiceOptionsChanged(o) => Some(o),
            _ => None,
        });
    let replies: Vec<String> = closed.map(|o| o.closed_reply).collect();
    assert_eq!(replies, ["下班了，请留言", "今日放假"]);
}

#[test]
fn reception_timeout_restarts_for_sessions_loaded_after_a_restart() {
    let stored = crate::core::OpenSession {
        session_id: SessionId(5),
        center_id: CENTER_A,
        ticket_id: TicketId(3),
        install_id: InstallId(111),
        customer_name: "Ann".into(),
        customer_phone: String::new(),
        agent_id: AgentId(10),
        agent_name: "客服10".into(),
        started_at: 0,
        messages: Vec::new(),
    };
    let snapshot = Snapshot {
        sessions: vec![stored],
        max_session_id: SessionId(5),
        ..snapshot(CenterSettings::default())
    };
    let mut h = Harness::with_snapshot(snapshot);
    assert_eq!(
        h.core.poll_timeout(),
        None,
        "no clock before the first input"
    );
    login_customer(&mut h, CUST, CENTER_A, 111);
    login_agent(&mut h, A1, CENTER_A, 10);
    let fired = advance(&mut h, 300_000);
    assert_eq!(ended(&fired, CUST), Some(Party::Relay));
    assert_eq!(ended(&fired, A1), Some(Party::Relay));
}
