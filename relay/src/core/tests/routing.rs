//! Scenario tests of the support-center core (issue 3): offers and their countdown, routing
//! strategy, presence, seats, single login and kick, session codes, queue view, estimates,
//! offline messages, settings, tenant isolation. Virtual clock, no sockets.

use porpoise_protocol::wire::rpc;
use porpoise_protocol::wire::{
    AgentId, ApiError, CenterSettings, Event, GroupId, OfferEnd, OfferId, Presence, Request,
    Response, Role, ServiceMode, ServiceRoute, Welcome,
};

use super::*;
use crate::core::Account;

/// Harness whose center A has `settings` and groups 1 and 2.
pub(super) fn harness_with(settings: CenterSettings) -> Harness {
    let snapshot = Snapshot {
        centers: vec![center(CENTER_A), center(CENTER_B)],
        settings: vec![(CENTER_A, settings)],
        groups: vec![
            (CENTER_A, group(1, "售后服务")),
            (CENTER_A, group(2, "技术支持")),
        ],
        ..Default::default()
    };
    Harness::with_snapshot(snapshot)
}

pub(super) fn group(id: u32, name: &str) -> porpoise_protocol::wire::GroupRecord {
    porpoise_protocol::wire::GroupRecord {
        group_id: GroupId(id),
        entry: porpoise_protocol::wire::CatalogEntry {
            name: name.into(),
            client_name: String::new(),
            hidden: false,
        },
        regions: Vec::new(),
    }
}

pub(super) fn mode(service_mode: ServiceMode) -> CenterSettings {
    CenterSettings {
        service_mode,
        ..CenterSettings::default()
    }
}

pub(super) fn admin(center_id: CenterId, agent_id: AgentId) -> Account {
    Account {
        role: Role::Admin,
        ..Account::agent(center_id, agent_id, "Admin")
    }
}

/// Offers sent to `conn`.
pub(super) fn offers_to(actions: &[Action], conn: ConnId) -> Vec<porpoise_protocol::wire::Offer> {
    events_to(actions, conn)
        .into_iter()
        .filter_map(|e| match e {
            Event::OfferReceived(o) => Some(o),
            _ => None,
        })
        .collect()
}

pub(super) fn request(h: &mut Harness, conn: ConnId, route: ServiceRoute) -> Vec<Action> {
    let body = Request::RequestService(rpc::RequestService {
        name: "Carol".into(),
        phone: "138".into(),
        route,
    });
    h.req(conn, RequestId(900), body)
}

pub(super) fn answer(
    h: &mut Harness,
    conn: ConnId,
    offer_id: OfferId,
    accept: bool,
) -> Vec<Action> {
    h.req(
        conn,
        RequestId(902),
        Request::AnswerOffer(rpc::AnswerOffer { offer_id, accept }),
    )
}

pub(super) fn fire(h: &mut Harness) -> Vec<Action> {
    let at = h.core.poll_timeout().expect("a timer");
    while h.now.instant < at {
        h.tick(100);
    }
    h.core.handle_timeout(h.now);
    h.drain()
}

#[test]
fn offer_goes_to_the_longest_idle_agent_and_expires_after_20_s_to_the_next() {
    let mut h = Harness::new();
    h.agent(ConnId(1), CENTER_A, AgentId(10));
    h.tick(1000);
    h.agent(ConnId(2), CENTER_A, AgentId(11));
    h.customer(ConnId(50), CENTER_A, InstallId(7));
    let actions = request(&mut h, ConnId(50), any_group());
    assert!(matches!(
        response(&actions, ConnId(50), RequestId(900)),
        Ok(Response::Queued(rpc::Queued { position: 1, .. }))
    ));
    let offer = offers_to(&actions, ConnId(1))
        .pop()
        .expect("offer to the longest idle agent");
    assert_eq!(offer.expires_in_ms, 20_000);
    assert!(offers_to(&actions, ConnId(2)).is_empty());
    h.tick(19_900);
    h.core.handle_timeout(h.now);
    assert!(h.drain().is_empty(), "nothing before 20 s");
    h.tick(100);
    h.core.handle_timeout(h.now);
    let actions = h.drain();
    let withdrawn = Event::OfferWithdrawn {
        offer_id: offer.offer_id,
        reason: OfferEnd::TimedOut,
    };
    assert!(events_to(&actions, ConnId(1)).contains(&withdrawn));
    assert_eq!(
        offers_to(&actions, ConnId(2)).len(),
        1,
        "next agent gets it"
    );
    let next = offers_to(&actions, ConnId(2))[0].offer_id;
    let actions = answer(&mut h, ConnId(2), next, true);
    assert!(matches!(
        response(&actions, ConnId(2), RequestId(902)),
        Ok(Response::SessionStarted(_))
    ));
    assert!(events_to(&actions, ConnId(50))
        .iter()
        .any(|e| matches!(e, Event::SessionStarted(_))));
}

#[test]
fn ties_in_idle_time_go_to_fewest_sessions_then_lowest_id() {
    let mut h = Harness::new();
    h.agent(ConnId(2), CENTER_A, AgentId(12));
    h.agent(ConnId(1), CENTER_A, AgentId(11));
    h.customer(ConnId(50), CENTER_A, InstallId(7));
    let actions = request(&mut h, ConnId(50), any_group());
    assert_eq!(
        offers_to(&actions, ConnId(1)).len(),
        1,
        "lowest id wins a tie"
    );
}

#[test]
fn a_rejecting_agent_is_never_offered_the_same_customer_again() {
    let mut h = Harness::new();
    h.agent(ConnId(1), CENTER_A, AgentId(10));
    h.customer(ConnId(50), CENTER_A, InstallId(7));
    let actions = request(&mut h, ConnId(50), any_group());
    let offer = offers_to(&actions, ConnId(1)).pop().expect("offer");
    let actions = answer(&mut h, ConnId(1), offer.offer_id, false);
    assert_eq!(
        response(&actions, ConnId(1), RequestId(902)),
        Ok(Response::Done)
    );
    assert!(offers_to(&actions, ConnId(1)).is_empty());
    assert_eq!(h.core.poll_timeout(), None, "no offer open");
    // Presence toggles and time do not bring it back.
    h.req(
        ConnId(1),
        RequestId(3),
        Request::SetPresence(rpc::SetPresence {
            presence: Presence::Busy,
            automatic: false,
        }),
    );
    let actions = h.req(
        ConnId(1),
        RequestId(4),
        Request::SetPresence(rpc::SetPresence {
            presence: Presence::Online,
            automatic: false,
        }),
    );
    assert!(offers_to(&actions, ConnId(1)).is_empty());
    // A new agent gets it.
    let actions = h.agent(ConnId(2), CENTER_A, AgentId(11));
    assert_eq!(offers_to(&actions, ConnId(2)).len(), 1);
    assert_eq!(
        h.core.queue_position(CENTER_A, InstallId(7)),
        Some(1),
        "still queued meanwhile"
    );
}

#[test]
fn nobody_eligible_queues_and_offers_when_an_agent_comes_online() {
    let mut h = Harness::new();
    h.agent(ConnId(1), CENTER_A, AgentId(10));
    h.req(
        ConnId(1),
        RequestId(3),
        Request::SetPresence(rpc::SetPresence {
            presence: Presence::Away,
            automatic: true,
        }),
    );
    h.customer(ConnId(50), CENTER_A, InstallId(7));
    let actions = request(&mut h, ConnId(50), any_group());
    assert!(offers_to(&actions, ConnId(1)).is_empty());
    assert_eq!(h.core.poll_timeout(), None);
    let actions = h.req(
        ConnId(1),
        RequestId(4),
        Request::SetPresence(rpc::SetPresence {
            presence: Presence::Online,
            automatic: true,
        }),
    );
    assert_eq!(offers_to(&actions, ConnId(1)).len(), 1);
}

#[test]
fn a_full_agent_gets_the_next_customer_when_a_session_ends() {
    let mut h = Harness::new();
    let account = Account {
        max_sessions: 1,
        ..Account::agent(CENTER_A, AgentId(10), "Agent 10")
    };
    h.login(ConnId(1), account);
    h.customer(ConnId(50), CENTER_A, InstallId(7));
    h.customer(ConnId(51), CENTER_A, InstallId(8));
    let actions = request(&mut h, ConnId(50), any_group());
    let offer = offers_to(&actions, ConnId(1)).pop().expect("offer");
    let actions = answer(&mut h, ConnId(1), offer.offer_id, true);
    let Ok(Response::SessionStarted(info)) = response(&actions, ConnId(1), RequestId(902)) else {
        panic!("no session");
    };
    let actions = request(&mut h, ConnId(51), any_group());
    assert!(offers_to(&actions, ConnId(1)).is_empty(), "at max_sessions");
    let actions = h.req(
        ConnId(1),
        RequestId(5),
        Request::EndSession(rpc::EndSession {
            session_id: info.session_id,
        }),
    );
    assert_eq!(offers_to(&actions, ConnId(1)).len(), 1);
}

#[test]
fn group_routing_only_offers_members_and_customer_leaving_withdraws() {
    let mut h = harness_with(mode(ServiceMode::AutoAssign));
    h.agent(ConnId(1), CENTER_A, AgentId(10));
    let member = Account {
        groups: vec![GroupId(2)],
        ..Account::agent(CENTER_A, AgentId(11), "Tech")
    };
    h.tick(10);
    h.login(ConnId(2), member);
    h.customer(ConnId(50), CENTER_A, InstallId(7));
    let route = ServiceRoute::AutoAssign {
        group_id: Some(GroupId(2)),
        product_type_id: None,
    };
    let actions = request(&mut h, ConnId(50), route);
    assert!(
        offers_to(&actions, ConnId(1)).is_empty(),
        "not in the group"
    );
    let offer = offers_to(&actions, ConnId(2))
        .pop()
        .expect("member gets it");
    let actions = h.req(
        ConnId(50),
        RequestId(3),
        Request::LeaveQueue(rpc::LeaveQueue),
    );
    let gone = Event::OfferWithdrawn {
        offer_id: offer.offer_id,
        reason: OfferEnd::CustomerLeft,
    };
    assert!(events_to(&actions, ConnId(2)).contains(&gone));
    let bad = ServiceRoute::AutoAssign {
        group_id: Some(GroupId(99)),
        product_type_id: None,
    };
    let actions = request(&mut h, ConnId(50), bad);
    assert!(matches!(
        response(&actions, ConnId(50), RequestId(900)),
        Err(ref e) if e.is_bad_input()
    ));
}

/// R7 region routing: group 2 lists CN; a customer from a Chinese address who names no group
/// is offered to group 2's agent first even though another agent was idle longer; a customer
/// from elsewhere goes by the usual strategy; with group 2's agent full, the CN customer still
/// gets the other agent rather than waiting.
#[test]
fn region_routing_offers_a_regions_customers_to_its_group_first() {
    let mut snapshot_group = group(2, "中国区");
    snapshot_group.regions = vec!["CN".into()];
    let snapshot = Snapshot {
        centers: vec![center(CENTER_A)],
        settings: vec![(CENTER_A, mode(ServiceMode::AutoAssign))],
        groups: vec![(CENTER_A, group(1, "Global")), (CENTER_A, snapshot_group)],
        ..Default::default()
    };
    let mut h = Harness::with_snapshot(snapshot);
    h.agent(ConnId(1), CENTER_A, AgentId(10)); // idle longest, no group
    h.tick(1_000);
    let china = Account {
        groups: vec![GroupId(2)],
        max_sessions: 1,
        ..Account::agent(CENTER_A, AgentId(11), "李雷")
    };
    h.login(ConnId(2), china);
    h.customer_from(ConnId(50), CENTER_A, InstallId(7), "114.114.114.114");
    let actions = request(&mut h, ConnId(50), any_group());
    assert!(offers_to(&actions, ConnId(1)).is_empty(), "{actions:?}");
    let offer = offers_to(&actions, ConnId(2))
        .pop()
        .expect("the CN group first");
    answer(&mut h, ConnId(2), offer.offer_id, true);

    // From the US: the usual strategy (agent 10, idle longest).
    h.customer_from(ConnId(51), CENTER_A, InstallId(8), "8.8.8.8");
    let actions = request(&mut h, ConnId(51), any_group());
    let offer = offers_to(&actions, ConnId(1))
        .pop()
        .expect("the usual pick");
    answer(&mut h, ConnId(1), offer.offer_id, true);

    // Another CN customer while the CN agent is full: the other agent serves rather than
    // nobody.
    h.customer_from(ConnId(52), CENTER_A, InstallId(9), "::ffff:114.114.114.114");
    let actions = request(&mut h, ConnId(52), any_group());
    assert_eq!(
        offers_to(&actions, ConnId(1)).len(),
        1,
        "fallback: {actions:?}"
    );
}

#[test]
fn the_route_must_match_the_mode() {
    let mut h = harness_with(mode(ServiceMode::SessionCode));
    h.customer(ConnId(50), CENTER_A, InstallId(7));
    let actions = request(&mut h, ConnId(50), any_group());
    assert_eq!(
        response(&actions, ConnId(50), RequestId(900)),
        Err(ApiError::WrongServiceMode {
            mode: ServiceMode::SessionCode
        })
    );
}

#[test]
fn showcase_pick_gets_the_first_offer_then_normal_routing() {
    let mut h = harness_with(mode(ServiceMode::Showcase));
    h.agent(ConnId(1), CENTER_A, AgentId(10));
    h.tick(10);
    h.agent(ConnId(2), CENTER_A, AgentId(11));
    let actions = h.customer(ConnId(50), CENTER_A, InstallId(7));
    let Welcome::Customer { options, .. } = welcome(&actions, ConnId(50)) else {
        panic!("welcome");
    };
    assert_eq!(options.mode, ServiceMode::Showcase);
    assert_eq!(options.agents.len(), 2);
    let actions = request(
        &mut h,
        ConnId(50),
        ServiceRoute::Showcase {
            agent_id: AgentId(11),
        },
    );
    let offer = offers_to(&actions, ConnId(2))
        .pop()
        .expect("picked agent first");
    assert!(offers_to(&actions, ConnId(1)).is_empty());
    let actions = answer(&mut h, ConnId(2), offer.offer_id, false);
    assert_eq!(
        offers_to(&actions, ConnId(1)).len(),
        1,
        "re-routed normally"
    );
    // Presence is live for customers.
    let actions = h.req(
        ConnId(1),
        RequestId(3),
        Request::SetPresence(rpc::SetPresence {
            presence: Presence::Offline,
            automatic: false,
        }),
    );
    let options = events_to(&actions, ConnId(50))
        .into_iter()
        .find_map(|e| match e {
            Event::ServiceOptionsChanged(o) => Some(o),
            _ => None,
        });
    assert_eq!(
        options.expect("options").agents.len(),
        1,
        "offline agents are hidden"
    );
}

#[test]
fn session_code_is_single_use_expires_and_reaches_the_agent_directly() {
    let mut h = harness_with(mode(ServiceMode::SessionCode));
    h.agent(ConnId(1), CENTER_A, AgentId(10));
    h.customer(ConnId(50), CENTER_A, InstallId(7));
    h.customer(ConnId(51), CENTER_A, InstallId(8));
    let make = |h: &mut Harness| {
        let actions = h.req(
            ConnId(1),
            RequestId(20),
            Request::CreateSessionCode(rpc::CreateSessionCode),
        );
        match response(&actions, ConnId(1), RequestId(20)) {
            Ok(Response::SessionCode(rpc::SessionCode { code, expires_at })) => {
                assert_eq!(code.len(), 6);
                assert_eq!(expires_at, h.now.unix_ms + 600_000);
                code
            }
            other => panic!("{other:?}"),
        }
    };
    let code = make(&mut h);
    let actions = request(
        &mut h,
        ConnId(50),
        ServiceRoute::SessionCode { code: code.clone() },
    );
    assert!(matches!(
        response(&actions, ConnId(50), RequestId(900)),
        Ok(Response::Queued(rpc::Queued { position: 0, .. }))
    ));
    assert!(events_to(&actions, ConnId(50))
        .iter()
        .any(|e| matches!(e, Event::SessionStarted(_))));
    assert!(events_to(&actions, ConnId(1))
        .iter()
        .any(|e| matches!(e, Event::AgentsChanged { .. })));
    let actions = request(&mut h, ConnId(51), ServiceRoute::SessionCode { code });
    assert_eq!(
        response(&actions, ConnId(51), RequestId(900)),
        Err(ApiError::BadSessionCode)
    );
    let code = make(&mut h);
    h.tick(600_000);
    let actions = request(&mut h, ConnId(51), ServiceRoute::SessionCode { code });
    assert_eq!(
        response(&actions, ConnId(51), RequestId(900)),
        Err(ApiError::BadSessionCode)
    );
}

#[test]
fn wrong_session_codes_are_throttled_per_ip() {
    let mut h = harness_with(mode(ServiceMode::SessionCode));
    h.agent(ConnId(1), CENTER_A, AgentId(10));
    h.customer_from(ConnId(50), CENTER_A, InstallId(7), "198.51.100.1");
    h.customer_from(ConnId(51), CENTER_A, InstallId(8), "198.51.100.2");
    for _ in 0..crate::core::codes::IP_MAX_WRONG {
        let actions = request(
            &mut h,
            ConnId(50),
            ServiceRoute::SessionCode {
                code: "000000".into(),
            },
        );
        assert_eq!(
            response(&actions, ConnId(50), RequestId(900)),
            Err(ApiError::BadSessionCode)
        );
    }
    let actions = h.req(
        ConnId(1),
        RequestId(20),
        Request::CreateSessionCode(rpc::CreateSessionCode),
    );
    let Ok(Response::SessionCode(rpc::SessionCode { code, .. })) =
        response(&actions, ConnId(1), RequestId(20))
    else {
        panic!("no code");
    };
    let actions = request(
        &mut h,
        ConnId(50),
        ServiceRoute::SessionCode { code: code.clone() },
    );
    assert!(matches!(
        response(&actions, ConnId(50), RequestId(900)),
        Err(ApiError::Throttled { retry_after_s: 600 })
    ));
    let actions = request(&mut h, ConnId(51), ServiceRoute::SessionCode { code });
    assert!(
        matches!(
            response(&actions, ConnId(51), RequestId(900)),
            Ok(Response::Queued(rpc::Queued { .. }))
        ),
        "other IP ok"
    );
}

#[test]
fn wrong_session_codes_are_throttled_per_center() {
    let mut h = harness_with(mode(ServiceMode::SessionCode));
    let policy = crate::core::CodePolicy {
        center_max_wrong: 3,
        ..Default::default()
    };
    h.core.set_code_policy(policy);
    for i in 0..3u8 {
        let conn = 50 + u64::from(i);
        h.customer_from(
            ConnId(conn),
            CENTER_A,
            InstallId(u128::from(i)),
            &format!("198.51.100.{i}"),
        );
        let actions = request(
            &mut h,
            ConnId(conn),
            ServiceRoute::SessionCode { code: "1".into() },
        );
        assert_eq!(
            response(&actions, ConnId(conn), RequestId(900)),
            Err(ApiError::BadSessionCode)
        );
    }
    h.customer_from(ConnId(60), CENTER_A, InstallId(60), "203.0.113.9");
    let actions = request(
        &mut h,
        ConnId(60),
        ServiceRoute::SessionCode { code: "1".into() },
    );
    assert!(matches!(
        response(&actions, ConnId(60), RequestId(900)),
        Err(ApiError::Throttled { .. })
    ));
}

/// Issue 14: wrong session codes are counted per IPv6 /64, not per address (a client owning a
/// /64 has 2^64 addresses); another /64 still has its own budget.
#[test]
fn wrong_session_codes_are_throttled_per_ipv6_network() {
    let mut h = harness_with(mode(ServiceMode::SessionCode));
    let policy = crate::core::CodePolicy {
        ip_max_wrong: 2,
        ..Default::default()
    };
    h.core.set_code_policy(policy);
    let try_code = |h: &mut Harness, conn: u64, ip: &str| {
        h.customer_from(ConnId(conn), CENTER_A, InstallId(u128::from(conn)), ip);
        let actions = request(
            h,
            ConnId(conn),
            ServiceRoute::SessionCode { code: "1".into() },
        );
        response(&actions, ConnId(conn), RequestId(900))
    };
    assert_eq!(
        try_code(&mut h, 50, "2001:db8:1:2::1"),
        Err(ApiError::BadSessionCode)
    );
    assert_eq!(
        try_code(&mut h, 51, "2001:db8:1:2::2"),
        Err(ApiError::BadSessionCode)
    );
    assert!(matches!(
        try_code(&mut h, 52, "2001:db8:1:2:ffff::9"),
        Err(ApiError::Throttled { .. })
    ));
    assert_eq!(
        try_code(&mut h, 53, "2001:db8:1:3::1"),
        Err(ApiError::BadSessionCode)
    );
}

#[test]
fn a_kicked_agents_offers_go_to_the_next_agent() {
    let mut h = Harness::new();
    h.login(ConnId(9), admin(CENTER_A, AgentId(9)));
    h.agent(ConnId(1), CENTER_A, AgentId(10));
    h.customer(ConnId(50), CENTER_A, InstallId(7));
    request(&mut h, ConnId(50), any_group());
    h.tick(10);
    h.agent(ConnId(2), CENTER_A, AgentId(11));
    let actions = h.req(
        ConnId(9),
        RequestId(3),
        Request::KickLogin(rpc::KickLogin {
            agent_id: AgentId(10),
        }),
    );
    assert_eq!(offers_to(&actions, ConnId(2)).len(), 1);
    let actions = fire(&mut h);
    assert!(events_to(&actions, ConnId(2)).iter().any(|e| matches!(
        e,
        Event::OfferWithdrawn {
            reason: OfferEnd::TimedOut,
            ..
        }
    )));
}

/// Issue 15: an agent who picks the customer from the queue while that customer's offer is on
/// their own screen gets `TakenByYou` (the console closes the prompt silently), never the
/// "another agent took this customer" of a colleague's accept.
#[test]
fn picking_your_own_offered_customer_from_the_queue_is_not_taken_elsewhere() {
    let mut h = Harness::new();
    h.agent(ConnId(1), CENTER_A, AgentId(10));
    h.tick(1000);
    h.agent(ConnId(2), CENTER_A, AgentId(11));
    h.customer(ConnId(50), CENTER_A, InstallId(7));
    let actions = request(&mut h, ConnId(50), any_group());
    let offer = offers_to(&actions, ConnId(1)).pop().expect("offer");
    let Ok(Response::Queued(rpc::Queued { ticket_id, .. })) =
        response(&actions, ConnId(50), RequestId(900))
    else {
        panic!("not queued")
    };
    let actions = h.req(
        ConnId(1),
        RequestId(5),
        Request::AcceptCustomer(rpc::AcceptCustomer { ticket_id }),
    );
    let mine = Event::OfferWithdrawn {
        offer_id: offer.offer_id,
        reason: OfferEnd::TakenByYou,
    };
    assert!(events_to(&actions, ConnId(1)).contains(&mine));

    // A colleague's accept still reads as taken elsewhere.
    h.customer(ConnId(51), CENTER_A, InstallId(8));
    let actions = request(&mut h, ConnId(51), any_group());
    let offer = offers_to(&actions, ConnId(2)).pop().expect("offer");
    let Ok(Response::Queued(rpc::Queued { ticket_id, .. })) =
        response(&actions, ConnId(51), RequestId(900))
    else {
        panic!("not queued")
    };
    let actions = h.req(
        ConnId(1),
        RequestId(6),
        Request::AcceptCustomer(rpc::AcceptCustomer { ticket_id }),
    );
    let theirs = Event::OfferWithdrawn {
        offer_id: offer.offer_id,
        reason: OfferEnd::TakenElsewhere,
    };
    assert!(events_to(&actions, ConnId(2)).contains(&theirs));
}

#[test]
fn offers_spread_over_idle_agents_before_busy_ones_get_more() {
    let mut h = Harness::new();
    h.agent(ConnId(1), CENTER_A, AgentId(10));
    h.tick(10);
    h.agent(ConnId(2), CENTER_A, AgentId(11));
    for (conn, install) in [(50, 7), (51, 8), (52, 9)] {
        h.customer(ConnId(conn), CENTER_A, InstallId(install));
    }
    let first = request(&mut h, ConnId(50), any_group());
    let second = request(&mut h, ConnId(51), any_group());
    assert_eq!(offers_to(&first, ConnId(1)).len(), 1, "longest idle first");
    assert_eq!(
        offers_to(&second, ConnId(2)).len(),
        1,
        "then the other idle agent"
    );
    let third = request(&mut h, ConnId(52), any_group());
    assert_eq!(
        offers_to(&third, ConnId(1)).len(),
        1,
        "busy agents by fewest sessions, lowest id"
    );
}
