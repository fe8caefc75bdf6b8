//! Scenario tests of accounts, seats, logins, queue view, estimates, offline messages, settings
//! and tenant isolation (issue 3). Virtual clock, no sockets.

use porpoise_protocol::wire::rpc;
use porpoise_protocol::wire::{
    AgentId, ApiError, CenterSettings, Event, Presence, QueueView, RefusedReason, Request,
    Response, ServiceMode, Welcome,
};

use super::routing::{admin, answer, harness_with, offers_to, request};
use super::*;
use crate::core::{CloseReason, StoreReport};

#[test]
fn seats_limit_serving_agents_and_admins_use_none() {
    let settings = CenterSettings {
        seats: 1,
        ..CenterSettings::default()
    };
    let mut h = harness_with(settings);
    h.login(ConnId(9), admin(CENTER_A, AgentId(9)));
    let actions = h.agent(ConnId(1), CENTER_A, AgentId(10));
    let Welcome::Agent { profile, .. } = welcome(&actions, ConnId(1)) else {
        panic!("welcome");
    };
    assert_eq!(profile.presence, Presence::Online);
    let actions = h.agent(ConnId(2), CENTER_A, AgentId(11));
    let Welcome::Agent { profile, .. } = welcome(&actions, ConnId(2)) else {
        panic!("welcome");
    };
    assert_eq!(profile.presence, Presence::Offline, "no free seat");
    let actions = h.req(
        ConnId(2),
        RequestId(3),
        Request::SetPresence(rpc::SetPresence {
            presence: Presence::Busy,
            automatic: false,
        }),
    );
    assert_eq!(
        response(&actions, ConnId(2), RequestId(3)),
        Err(ApiError::NoFreeSeat { seats: 1 })
    );
    h.req(
        ConnId(1),
        RequestId(3),
        Request::SetPresence(rpc::SetPresence {
            presence: Presence::Offline,
            automatic: false,
        }),
    );
    let actions = h.req(
        ConnId(2),
        RequestId(4),
        Request::SetPresence(rpc::SetPresence {
            presence: Presence::Online,
            automatic: false,
        }),
    );
    assert_eq!(
        response(&actions, ConnId(2), RequestId(4)),
        Ok(Response::Done)
    );
    let actions = h.req(
        ConnId(9),
        RequestId(5),
        Request::SetPresence(rpc::SetPresence {
            presence: Presence::Online,
            automatic: false,
        }),
    );
    assert!(matches!(
        response(&actions, ConnId(9), RequestId(5)),
        Err(ApiError::NotPermitted { .. })
    ));
}

#[test]
fn a_second_login_is_refused_and_a_kick_frees_the_account() {
    let mut h = Harness::new();
    h.login(ConnId(9), admin(CENTER_A, AgentId(9)));
    h.agent(ConnId(1), CENTER_A, AgentId(10));
    let since = h.now.unix_ms;
    h.tick(5000);
    let actions = h.agent(ConnId(2), CENTER_A, AgentId(10));
    let refused = Action::Refuse {
        conn: ConnId(2),
        reason: RefusedReason::AlreadyLoggedIn {
            address: "10.0.0.1".into(),
            since,
        },
    };
    assert_eq!(actions, vec![refused]);
    let text = RefusedReason::AlreadyLoggedIn {
        address: "10.0.0.1".into(),
        since,
    }
    .to_string();
    assert!(
        text.starts_with("already logged in from 10.0.0.1 since"),
        "{text}"
    );
    let actions = h.req(
        ConnId(9),
        RequestId(3),
        Request::ListLogins(rpc::ListLogins),
    );
    let Ok(Response::Logins(logins)) = response(&actions, ConnId(9), RequestId(3)) else {
        panic!("no logins");
    };
    assert_eq!(logins.len(), 2);
    let actions = h.req(
        ConnId(1),
        RequestId(4),
        Request::KickLogin(rpc::KickLogin {
            agent_id: AgentId(10),
        }),
    );
    assert!(
        matches!(
            response(&actions, ConnId(1), RequestId(4)),
            Err(ApiError::NotPermitted { .. })
        ),
        "agents cannot kick"
    );
    let actions = h.req(
        ConnId(9),
        RequestId(5),
        Request::KickLogin(rpc::KickLogin {
            agent_id: AgentId(10),
        }),
    );
    assert_eq!(
        response(&actions, ConnId(9), RequestId(5)),
        Ok(Response::Done)
    );
    assert!(actions.contains(&Action::Close {
        conn: ConnId(1),
        reason: CloseReason::Kicked
    }));
    let actions = h.agent(ConnId(3), CENTER_A, AgentId(10));
    assert!(matches!(
        welcome(&actions, ConnId(3)),
        Welcome::Agent { .. }
    ));
}

#[test]
fn count_only_view_hides_the_queue_and_forbids_picking() {
    let settings = CenterSettings {
        queue_view: QueueView::CountOnly,
        ..CenterSettings::default()
    };
    let mut h = harness_with(settings);
    h.agent(ConnId(1), CENTER_A, AgentId(10));
    h.req(
        ConnId(1),
        RequestId(2),
        Request::SetPresence(rpc::SetPresence {
            presence: Presence::Busy,
            automatic: false,
        }),
    );
    h.customer(ConnId(50), CENTER_A, InstallId(7));
    let ticket_id = h.queue(ConnId(50), "Ann");
    let actions = h.req(
        ConnId(1),
        RequestId(3),
        Request::AcceptCustomer(rpc::AcceptCustomer { ticket_id }),
    );
    assert!(matches!(
        response(&actions, ConnId(1), RequestId(3)),
        Err(ApiError::NotPermitted { .. })
    ));
    let actions = h.agent(ConnId(2), CENTER_A, AgentId(11));
    let Welcome::Agent { queue, profile, .. } = welcome(&actions, ConnId(2)) else {
        panic!("welcome");
    };
    assert!(queue.is_empty());
    assert_eq!(profile.queue_count, 1);
}

#[test]
fn estimated_wait_is_mean_duration_times_position_over_online_agents() {
    let snapshot = Snapshot {
        centers: vec![center(CENTER_A)],
        recent_durations: vec![(CENTER_A, 400_000), (CENTER_A, 800_000)],
        ..Default::default()
    };
    let mut h = Harness::with_snapshot(snapshot);
    h.customer(ConnId(50), CENTER_A, InstallId(7));
    h.customer(ConnId(51), CENTER_A, InstallId(8));
    h.queue(ConnId(50), "A");
    let actions = request(&mut h, ConnId(51), any_group());
    let pos = Event::QueuePosition {
        position: 2,
        estimated_wait_s: None,
    };
    assert!(
        events_to(&actions, ConnId(51)).contains(&pos),
        "no agent online: no estimate"
    );
    h.agent(ConnId(1), CENTER_A, AgentId(10));
    h.agent(ConnId(2), CENTER_A, AgentId(11));
    let actions = h.req(
        ConnId(2),
        RequestId(3),
        Request::SetPresence(rpc::SetPresence {
            presence: Presence::Busy,
            automatic: false,
        }),
    );
    // mean 600 s × position 2 ÷ 1 online agent.
    let pos = Event::QueuePosition {
        position: 2,
        estimated_wait_s: Some(1200),
    };
    assert!(
        events_to(&actions, ConnId(51)).contains(&pos),
        "{:?}",
        events_to(&actions, ConnId(51))
    );
}

#[test]
fn offline_messages_are_left_listed_and_handled() {
    let mut h = Harness::new();
    h.agent(ConnId(1), CENTER_A, AgentId(10));
    h.agent(ConnId(2), CENTER_B, AgentId(20));
    h.customer(ConnId(50), CENTER_A, InstallId(7));
    let body = Request::LeaveOfflineMessage(rpc::LeaveOfflineMessage {
        name: "Dan".into(),
        contact: "dan@example.com".into(),
        text: "printer broken".into(),
    });
    let actions = h.req(ConnId(50), RequestId(3), body);
    assert_eq!(
        response(&actions, ConnId(50), RequestId(3)),
        Ok(Response::Done)
    );
    let pending = events_to(&actions, ConnId(1))
        .into_iter()
        .find_map(|e| match e {
            Event::OfflineMessagesChanged { pending, count } => Some((pending, count)),
            _ => None,
        });
    let (pending, count) = pending.expect("agents told");
    assert_eq!((pending.len(), count), (1, 1));
    assert!(
        events_to(&actions, ConnId(2)).is_empty(),
        "other center sees nothing"
    );
    let id = pending[0].id;
    let actions = h.req(
        ConnId(2),
        RequestId(4),
        Request::HandleOfflineMessage(rpc::HandleOfflineMessage {
            id,
            note: "x".into(),
        }),
    );
    assert!(matches!(
        response(&actions, ConnId(2), RequestId(4)),
        Err(ref e) if e.is_bad_input()
    ));
    let actions = h.req(
        ConnId(1),
        RequestId(4),
        Request::HandleOfflineMessage(rpc::HandleOfflineMessage {
            id,
            note: "called back".into(),
        }),
    );
    assert_eq!(
        response(&actions, ConnId(1), RequestId(4)),
        Ok(Response::Done)
    );
    let actions = h.req(
        ConnId(1),
        RequestId(5),
        Request::ListOfflineMessages(rpc::ListOfflineMessages {
            include_handled: true,
        }),
    );
    let Ok(Response::OfflineMessages(all)) = response(&actions, ConnId(1), RequestId(5)) else {
        panic!("list");
    };
    let handled = all[0].handled.as_ref().expect("handled");
    assert_eq!(
        (handled.agent_id, handled.note.as_str()),
        (AgentId(10), "called back")
    );
}

#[test]
fn passwords_are_changed_through_the_store_and_resets_stay_in_the_center() {
    let mut h = Harness::new();
    h.login(ConnId(9), admin(CENTER_A, AgentId(9)));
    h.agent(ConnId(1), CENTER_A, AgentId(10));
    h.agent(ConnId(2), CENTER_B, AgentId(20));
    let actions = h.req(
        ConnId(1),
        RequestId(3),
        Request::ChangePassword(rpc::ChangePassword {
            old: "a".into(),
            new: "short".into(),
        }),
    );
    assert!(matches!(
        response(&actions, ConnId(1), RequestId(3)),
        Err(ref e) if e.is_bad_input()
    ));
    let actions = h.req(
        ConnId(1),
        RequestId(4),
        Request::ChangePassword(rpc::ChangePassword {
            old: "a".into(),
            new: "long enough".into(),
        }),
    );
    let token = match persisted(&actions).pop() {
        Some(StoreOp::SetPassword { token, .. }) => token,
        other => panic!("{other:?}"),
    };
    assert!(
        !has_response(&actions, ConnId(1), RequestId(4)),
        "answered only once stored"
    );
    let report = StoreReport::Password {
        token,
        result: Err(ApiError::WrongPassword),
    };
    h.core.handle_store_report(h.now, report);
    assert_eq!(
        response(&h.drain(), ConnId(1), RequestId(4)),
        Err(ApiError::WrongPassword)
    );
    let reset = |agent_id| {
        Request::ResetPassword(rpc::ResetPassword {
            agent_id,
            new_password: "new password".into(),
        })
    };
    let actions = h.req(ConnId(1), RequestId(5), reset(AgentId(9)));
    assert!(matches!(
        response(&actions, ConnId(1), RequestId(5)),
        Err(ApiError::NotPermitted { .. })
    ));
    let actions = h.req(ConnId(9), RequestId(6), reset(AgentId(20)));
    assert!(
        matches!(response(&actions, ConnId(9), RequestId(6)), Err(ref e) if e.is_bad_input()),
        "other center"
    );
    let actions = h.req(ConnId(9), RequestId(7), reset(AgentId(10)));
    assert!(matches!(
        persisted(&actions).pop(),
        Some(StoreOp::SetPassword {
            agent_id: AgentId(10),
            old: None,
            ..
        })
    ));
    // Issue 14: one change per account per interval (each costs two argon2 hashes); the
    // store never sees the loop.
    let change = || {
        Request::ChangePassword(rpc::ChangePassword {
            old: "a".into(),
            new: "long enough".into(),
        })
    };
    let actions = h.req(ConnId(1), RequestId(8), change());
    assert!(matches!(
        response(&actions, ConnId(1), RequestId(8)),
        Err(ApiError::Throttled {
            retry_after_s: 1..=10
        })
    ));
    assert!(persisted(&actions).is_empty());
    let actions = h.req(ConnId(9), RequestId(9), reset(AgentId(10)));
    assert!(matches!(
        response(&actions, ConnId(9), RequestId(9)),
        Err(ApiError::Throttled { .. })
    ));
    h.tick(crate::core::PASSWORD_CHANGE_INTERVAL.as_millis() as u64);
    let actions = h.req(ConnId(1), RequestId(10), change());
    assert!(matches!(
        persisted(&actions).pop(),
        Some(StoreOp::SetPassword { .. })
    ));
}

#[test]
fn settings_are_for_admins_and_broadcast() {
    let mut h = Harness::new();
    h.login(ConnId(9), admin(CENTER_A, AgentId(9)));
    h.agent(ConnId(1), CENTER_A, AgentId(10));
    h.customer(ConnId(50), CENTER_A, InstallId(7));
    let actions = h.req(
        ConnId(1),
        RequestId(3),
        Request::GetCenterSettings(rpc::GetCenterSettings),
    );
    assert!(matches!(
        response(&actions, ConnId(1), RequestId(3)),
        Err(ApiError::NotPermitted { .. })
    ));
    let settings = CenterSettings {
        service_mode: ServiceMode::Showcase,
        seats: 999,
        ..CenterSettings::default()
    };
    let actions = h.req(
        ConnId(9),
        RequestId(4),
        Request::UpdateCenterSettings(rpc::UpdateCenterSettings(settings)),
    );
    assert_eq!(
        response(&actions, ConnId(9), RequestId(4)),
        Ok(Response::Done)
    );
    let changed = events_to(&actions, ConnId(1))
        .into_iter()
        .find_map(|e| match e {
            Event::CenterSettingsChanged(s) => Some(s),
            _ => None,
        });
    assert_eq!(
        changed.expect("agents told").seats,
        10,
        "seats are not the admin's"
    );
    assert!(events_to(&actions, ConnId(50))
        .iter()
        .any(|e| matches!(e, Event::ServiceOptionsChanged(o) if o.mode == ServiceMode::Showcase)));
}

/// Issue 14: the storage quota is the operator's (an admin's value is ignored); retention and
/// the auto-accept count are checked.
#[test]
fn retention_and_auto_accept_are_checked_and_the_quota_is_not_the_admins() {
    let mut h = Harness::new();
    h.login(ConnId(9), admin(CENTER_A, AgentId(9)));
    let mut update = |id: u64, settings: CenterSettings| {
        let actions = h.req(
            ConnId(9),
            RequestId(id),
            Request::UpdateCenterSettings(rpc::UpdateCenterSettings(settings)),
        );
        response(&actions, ConnId(9), RequestId(id))
    };
    let out_of_range = |field| move |r: Result<Response, ApiError>| matches!(r, Err(ApiError::OutOfRange { field: f, .. }) if f == field);
    use porpoise_protocol::wire::Field;
    let zero_days = CenterSettings {
        retention_days: Some(0),
        ..CenterSettings::default()
    };
    assert!(out_of_range(Field::RetentionDays)(update(1, zero_days)));
    let too_many = CenterSettings {
        auto_accept_files: 1001,
        ..CenterSettings::default()
    };
    assert!(out_of_range(Field::AutoAcceptFiles)(update(2, too_many)));
    let grab = CenterSettings {
        retention_days: Some(30),
        storage_quota_bytes: u64::MAX,
        ..CenterSettings::default()
    };
    assert_eq!(update(3, grab), Ok(Response::Done));
    let actions = h.req(
        ConnId(9),
        RequestId(4),
        Request::GetCenterSettings(rpc::GetCenterSettings),
    );
    let Ok(Response::CenterSettings(now)) = response(&actions, ConnId(9), RequestId(4)) else {
        panic!("settings")
    };
    assert_eq!(now.retention_days, Some(30));
    assert_eq!(
        now.storage_quota_bytes,
        porpoise_protocol::wire::DEFAULT_STORAGE_QUOTA_BYTES
    );
}

#[test]
fn an_agent_of_another_center_reaches_nothing() {
    let mut h = Harness::new();
    h.agent(ConnId(1), CENTER_A, AgentId(10));
    h.login(ConnId(8), admin(CENTER_B, AgentId(8)));
    h.agent(ConnId(2), CENTER_B, AgentId(20));
    h.customer(ConnId(50), CENTER_A, InstallId(7));
    let actions = request(&mut h, ConnId(50), any_group());
    let offer = offers_to(&actions, ConnId(1)).pop().expect("offer");
    assert!(offers_to(&actions, ConnId(2)).is_empty());
    let actions = answer(&mut h, ConnId(2), offer.offer_id, true);
    assert_eq!(
        response(&actions, ConnId(2), RequestId(902)),
        Err(ApiError::UnknownTicket)
    );
    let actions = h.req(
        ConnId(2),
        RequestId(3),
        Request::AcceptCustomer(rpc::AcceptCustomer {
            ticket_id: offer.ticket_id,
        }),
    );
    assert_eq!(
        response(&actions, ConnId(2), RequestId(3)),
        Err(ApiError::UnknownTicket)
    );
    let actions = h.req(
        ConnId(8),
        RequestId(4),
        Request::KickLogin(rpc::KickLogin {
            agent_id: AgentId(10),
        }),
    );
    assert!(matches!(
        response(&actions, ConnId(8), RequestId(4)),
        Err(ref e) if e.is_bad_input()
    ));
    let actions = h.req(
        ConnId(8),
        RequestId(5),
        Request::ListLogins(rpc::ListLogins),
    );
    let Ok(Response::Logins(logins)) = response(&actions, ConnId(8), RequestId(5)) else {
        panic!("logins");
    };
    assert!(logins.iter().all(|l| l.agent_id != AgentId(10)));
    let actions = answer(&mut h, ConnId(1), offer.offer_id, true);
    let Ok(Response::SessionStarted(info)) = response(&actions, ConnId(1), RequestId(902)) else {
        panic!("session");
    };
    let actions = h.req(
        ConnId(2),
        RequestId(6),
        Request::EndSession(rpc::EndSession {
            session_id: info.session_id,
        }),
    );
    assert_eq!(
        response(&actions, ConnId(2), RequestId(6)),
        Err(ApiError::UnknownSession)
    );
}

/// M4: an admin never acts on an equal or higher role, nor on their own account; a super admin
/// acts on anyone else. Checked by the relay whatever the console shows.
#[test]
fn an_admin_cannot_reset_or_kick_a_super_admin_an_admin_or_themself() {
    use porpoise_protocol::wire::{Permission, Role};
    let mut h = Harness::new();
    let role = |agent_id, role| Account {
        role,
        ..Account::agent(CENTER_A, agent_id, "Someone")
    };
    h.login(ConnId(7), role(AgentId(7), Role::SuperAdmin));
    h.login(ConnId(8), admin(CENTER_A, AgentId(8)));
    h.login(ConnId(9), admin(CENTER_A, AgentId(9)));
    h.login(ConnId(11), role(AgentId(11), Role::GroupLeader));
    h.agent(ConnId(10), CENTER_A, AgentId(10));
    let reset = |agent_id| {
        Request::ResetPassword(rpc::ResetPassword {
            agent_id: AgentId(agent_id),
            new_password: "new password".into(),
        })
    };
    let kick = |agent_id| {
        Request::KickLogin(rpc::KickLogin {
            agent_id: AgentId(agent_id),
        })
    };
    let outranked = Err(ApiError::NotPermitted {
        needed: Permission::OutrankTarget,
    });
    let mut id = 100;
    let mut ask = |h: &mut Harness, conn: u64, body: Request| {
        id += 1;
        let actions = h.req(ConnId(conn), RequestId(id), body);
        let answer = if has_response(&actions, ConnId(conn), RequestId(id)) {
            Some(response(&actions, ConnId(conn), RequestId(id)))
        } else {
            None
        };
        (answer, persisted(&actions))
    };
    for target in [7, 8, 9] {
        let (answer, stored) = ask(&mut h, 9, reset(target));
        assert_eq!(answer, Some(outranked.clone()), "admin resets {target}");
        assert!(stored.is_empty());
        let (answer, _) = ask(&mut h, 9, kick(target));
        assert_eq!(answer, Some(outranked.clone()), "admin kicks {target}");
    }
    // Lower roles: the reset goes to the store (answered once stored).
    for target in [10, 11] {
        let (answer, stored) = ask(&mut h, 9, reset(target));
        assert_eq!(answer, None, "answered after the store");
        assert!(
            matches!(stored.last(), Some(StoreOp::SetPassword { agent_id, old: None, .. }) if agent_id.0 == target),
            "{stored:?}"
        );
    }
    // The super admin may reset and kick an admin, but not through ResetPassword on themself.
    let (_, stored) = ask(&mut h, 7, reset(9));
    assert!(matches!(
        stored.last(),
        Some(StoreOp::SetPassword {
            agent_id: AgentId(9),
            ..
        })
    ));
    let (answer, _) = ask(&mut h, 7, reset(7));
    assert_eq!(answer, Some(outranked.clone()));
    let (answer, stored) = ask(&mut h, 7, kick(8));
    assert_eq!(answer, Some(Ok(Response::Done)));
    assert!(
        stored.iter().any(|op| matches!(op, StoreOp::Audit(e)
            if e.action == crate::core::AuditAction::Kick && e.target.starts_with("agent 8 "))),
        "the kick is audited (R18): {stored:?}"
    );
    // An agent is no manager at all.
    let (answer, _) = ask(&mut h, 10, kick(11));
    assert_eq!(
        answer,
        Some(Err(ApiError::NotPermitted {
            needed: Permission::ManageAccounts
        }))
    );
}

/// R6 bound: a center holds at most `MAX_PENDING_OFFLINE_MESSAGES` unhandled messages; one
/// more gets `Conflict(MailboxFull)` and nothing is stored; handling one makes room.
#[test]
fn a_full_offline_mailbox_refuses_with_a_code() {
    use porpoise_protocol::wire::{Conflict, OfflineMessage, OfflineMessageId};
    let mut h = Harness::new();
    h.agent(ConnId(1), CENTER_A, AgentId(10));
    h.customer(ConnId(50), CENTER_A, InstallId(7));
    let full: Vec<OfflineMessage> = (0..porpoise_protocol::wire::MAX_PENDING_OFFLINE_MESSAGES)
        .map(|i| OfflineMessage {
            id: OfflineMessageId(10_000 + i as u64),
            name: "x".into(),
            contact: String::new(),
            text: "t".into(),
            left_at: 0,
            handled: None,
        })
        .collect();
    h.core
        .centers
        .get_mut(&CENTER_A)
        .expect("center")
        .offline
        .clone_from(&full);
    let leave = || {
        Request::LeaveOfflineMessage(rpc::LeaveOfflineMessage {
            name: "Dan".into(),
            contact: String::new(),
            text: "one more".into(),
        })
    };
    let actions = h.req(ConnId(50), RequestId(3), leave());
    assert_eq!(
        response(&actions, ConnId(50), RequestId(3)),
        Err(ApiError::Conflict(Conflict::MailboxFull))
    );
    assert!(persisted(&actions).is_empty(), "nothing stored");
    let actions = h.req(
        ConnId(1),
        RequestId(4),
        Request::HandleOfflineMessage(rpc::HandleOfflineMessage {
            id: full[0].id,
            note: String::new(),
        }),
    );
    assert_eq!(
        response(&actions, ConnId(1), RequestId(4)),
        Ok(Response::Done)
    );
    let actions = h.req(ConnId(50), RequestId(5), leave());
    assert_eq!(
        response(&actions, ConnId(50), RequestId(5)),
        Ok(Response::Done)
    );
}
