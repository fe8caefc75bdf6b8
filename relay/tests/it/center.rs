//! Loopback tests of the support-center core (issue 3): the three service modes, single login
//! and kick, seats, tenant isolation and restart recovery, on a real relay over QUIC.

use crate::common;

use common::{agent, agent_in, connect, customer, start, Client, Running, WAIT};
use porpoise_protocol::wire::rpc;
use porpoise_protocol::wire::{
    AgentWelcome, ApiError, CenterId, CenterSettings, Event, HelloRole, MessageId, Offer, Presence,
    RefusedReason, Request, Response, ServerMessage, ServiceMode, ServiceOptions, ServiceRoute,
    Welcome,
};
use porpoise_relay::net::{CLOSE_KICKED, CLOSE_REFUSED};
use porpoise_relay::{RelayConfig, Store, DEMO_CENTER_ID, DEMO_PASSWORD};

const CENTER_B: u32 = 8_000_777;

/// Opens the database before the relay starts (demo seed, extra centers, seats).
async fn prepare(dir: &std::path::Path, seats: Option<u32>) {
    std::fs::create_dir_all(dir).expect("dir");
    let store = Store::open(&RelayConfig::new(dir).database_path())
        .await
        .expect("open");
    store.seed_demo().await.expect("seed");
    if let Some(seats) = seats {
        store.set_seats(DEMO_CENTER_ID, seats).await.expect("seats");
    }
    store
        .create_center_with_id(CenterId(CENTER_B), "Other center")
        .await
        .expect("center B");
    let role = porpoise_relay::store::AgentRole::Admin;
    store
        .create_agent(CenterId(CENTER_B), "boss", "Boss", DEMO_PASSWORD, role)
        .await
        .expect("B admin");
    let role = porpoise_relay::store::AgentRole::Agent;
    store
        .create_agent(CenterId(CENTER_B), "spy", "Spy", DEMO_PASSWORD, role)
        .await
        .expect("B agent");
    store.close().await;
}

/// An agent client and its profile.
async fn login(relay: &Running, role: HelloRole) -> (Client, AgentWelcome) {
    let (client, first) = connect(relay, role).await;
    let ServerMessage::Welcome(Welcome::Agent { profile, .. }) = first else {
        panic!("not welcomed: {first:?}");
    };
    (client, profile)
}

/// A customer client and its service options.
async fn helper(relay: &Running, install_id: u128) -> (Client, ServiceOptions) {
    let (client, first) = connect(relay, customer(install_id)).await;
    let ServerMessage::Welcome(Welcome::Customer { options, .. }) = first else {
        panic!("not welcomed: {first:?}");
    };
    (client, options)
}

impl Client {
    pub(crate) async fn offer(&mut self) -> Offer {
        self.event(|e| match e {
            Event::OfferReceived(o) => Some(o.clone()),
            _ => None,
        })
        .await
    }
}

fn service(route: ServiceRoute) -> Request {
    Request::RequestService(rpc::RequestService {
        name: "Carol".into(),
        phone: "13800000000".into(),
        route,
    })
}

async fn set_mode(admin: &mut Client, mode: ServiceMode) {
    let Ok(Response::CenterSettings(settings)) = admin
        .request(Request::GetCenterSettings(rpc::GetCenterSettings))
        .await
    else {
        panic!("no settings");
    };
    let settings = CenterSettings {
        service_mode: mode,
        ..settings
    };
    let done = admin
        .request(Request::UpdateCenterSettings(rpc::UpdateCenterSettings(
            settings,
        )))
        .await;
    assert_eq!(done, Ok(Response::Done));
}

#[tokio::test]
async fn auto_assign_offers_by_group_and_a_reject_passes_to_the_next() {
    let dir = tempfile::tempdir().expect("tempdir");
    prepare(dir.path(), None).await;
    let relay = start(dir.path()).await;
    let (mut a1, p1) = login(&relay, agent("agent1")).await;
    let (mut a2, p2) = login(&relay, agent("agent2")).await;
    assert_eq!(p1.presence, Presence::Online);
    assert_eq!(p1.groups.len(), 2);
    let (mut c, options) = helper(&relay, 1).await;
    assert_eq!(options.mode, ServiceMode::AutoAssign);
    assert_eq!(options.product_types.len(), 3);
    let tech = options
        .groups
        .iter()
        .find(|g| g.name == "技术支持")
        .expect("group");
    let route = ServiceRoute::AutoAssign {
        group_id: Some(tech.group_id),
        product_type_id: Some(options.product_types[0].product_type_id),
    };
    let queued = c.request(service(route)).await;
    assert!(matches!(
        queued,
        Ok(Response::Queued(rpc::Queued { position: 1, .. }))
    ));
    // agent1 logged in first: longest idle, gets the offer.
    let offer = a1.offer().await;
    assert_eq!(offer.expires_in_ms, 20_000);
    let rejected = a1
        .request(Request::AnswerOffer(rpc::AnswerOffer {
            offer_id: offer.offer_id,
            accept: false,
        }))
        .await;
    assert_eq!(rejected, Ok(Response::Done));
    let offer = a2.offer().await;
    let started = a2
        .request(Request::AnswerOffer(rpc::AnswerOffer {
            offer_id: offer.offer_id,
            accept: true,
        }))
        .await;
    assert!(matches!(started, Ok(Response::SessionStarted(_))));
    c.event(|e| matches!(e, Event::SessionStarted(_)).then_some(()))
        .await;
    let cards = a1
        .event(|e| match e {
            Event::AgentsChanged { agents } => {
                let two = agents.iter().find(|a| a.agent_id == p2.agent_id)?;
                (two.sessions == 1).then_some(())
            }
            _ => None,
        })
        .await;
    let () = cards;
    relay.stop().await;
}

#[tokio::test]
async fn showcase_lists_agents_and_the_pick_gets_the_offer() {
    let dir = tempfile::tempdir().expect("tempdir");
    prepare(dir.path(), None).await;
    let relay = start(dir.path()).await;
    let (mut admin, _) = login(&relay, agent("admin")).await;
    set_mode(&mut admin, ServiceMode::Showcase).await;
    let (_a1, _) = login(&relay, agent("agent1")).await;
    let (mut a2, p2) = login(&relay, agent("agent2")).await;
    let (mut c, options) = helper(&relay, 2).await;
    assert_eq!(options.mode, ServiceMode::Showcase);
    assert_eq!(options.agents.len(), 2, "{:?}", options.agents);
    let card = options
        .agents
        .iter()
        .find(|a| a.agent_id == p2.agent_id)
        .expect("card");
    assert_eq!(card.title, "技术支持工程师");
    let wrong = c
        .request(service(ServiceRoute::AutoAssign {
            group_id: None,
            product_type_id: None,
        }))
        .await;
    assert!(matches!(wrong, Err(ref e) if e.is_bad_input()));
    let queued = c
        .request(service(ServiceRoute::Showcase {
            agent_id: p2.agent_id,
        }))
        .await;
    assert!(matches!(queued, Ok(Response::Queued(rpc::Queued { .. }))));
    let offer = a2.offer().await;
    let started = a2
        .request(Request::AnswerOffer(rpc::AnswerOffer {
            offer_id: offer.offer_id,
            accept: true,
        }))
        .await;
    assert!(matches!(started, Ok(Response::SessionStarted(_))));
    c.event(|e| matches!(e, Event::SessionStarted(_)).then_some(()))
        .await;
    // Live presence for customers.
    a2.request(Request::SetPresence(rpc::SetPresence {
        presence: Presence::Offline,
        automatic: false,
    }))
    .await
    .expect("offline");
    c.event(|e| match e {
        Event::ServiceOptionsChanged(o) => (o.agents.len() == 1).then_some(()),
        _ => None,
    })
    .await;
    relay.stop().await;
}

#[tokio::test]
async fn session_code_reaches_the_agent_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    prepare(dir.path(), None).await;
    let relay = start(dir.path()).await;
    let (mut admin, _) = login(&relay, agent("admin")).await;
    set_mode(&mut admin, ServiceMode::SessionCode).await;
    let (mut a1, _) = login(&relay, agent("agent1")).await;
    let Ok(Response::SessionCode(rpc::SessionCode { code, .. })) = a1
        .request(Request::CreateSessionCode(rpc::CreateSessionCode))
        .await
    else {
        panic!("no code");
    };
    let (mut c, _) = helper(&relay, 3).await;
    let queued = c
        .request(service(ServiceRoute::SessionCode { code: code.clone() }))
        .await;
    assert!(matches!(
        queued,
        Ok(Response::Queued(rpc::Queued { position: 0, .. }))
    ));
    c.event(|e| matches!(e, Event::SessionStarted(_)).then_some(()))
        .await;
    let (mut other, _) = helper(&relay, 4).await;
    let reused = other
        .request(service(ServiceRoute::SessionCode { code }))
        .await;
    assert_eq!(reused, Err(ApiError::BadSessionCode));
    relay.stop().await;
}

#[tokio::test]
async fn a_second_login_is_refused_and_an_admin_kick_frees_the_account() {
    let dir = tempfile::tempdir().expect("tempdir");
    prepare(dir.path(), None).await;
    let relay = start(dir.path()).await;
    let (first, p1) = login(&relay, agent("agent1")).await;
    let (second, answer) = connect(&relay, agent("agent1")).await;
    let ServerMessage::Refused(reason) = answer else {
        panic!("not refused: {answer:?}");
    };
    assert!(matches!(reason, RefusedReason::AlreadyLoggedIn { .. }));
    assert!(
        reason
            .to_string()
            .starts_with("already logged in from 127.0.0.1 since"),
        "{reason}"
    );
    let closed = tokio::time::timeout(WAIT, second.conn.closed())
        .await
        .expect("closed");
    assert!(
        matches!(closed, quinn::ConnectionError::ApplicationClosed(c) if c.error_code.into_inner() == u64::from(CLOSE_REFUSED))
    );
    let (mut admin, _) = login(&relay, agent("admin")).await;
    let Ok(Response::Logins(logins)) = admin.request(Request::ListLogins(rpc::ListLogins)).await
    else {
        panic!("no logins");
    };
    assert!(logins
        .iter()
        .any(|l| l.agent_id == p1.agent_id && l.address == "127.0.0.1"));
    let kicked = admin
        .request(Request::KickLogin(rpc::KickLogin {
            agent_id: p1.agent_id,
        }))
        .await;
    assert_eq!(kicked, Ok(Response::Done));
    let closed = tokio::time::timeout(WAIT, first.conn.closed())
        .await
        .expect("closed");
    let quinn::ConnectionError::ApplicationClosed(close) = closed else {
        panic!("{closed:?}");
    };
    assert_eq!(close.error_code.into_inner(), u64::from(CLOSE_KICKED));
    assert!(String::from_utf8_lossy(&close.reason).contains("administrator"));
    let (_again, profile) = login(&relay, agent("agent1")).await;
    assert_eq!(profile.agent_id, p1.agent_id);
    relay.stop().await;
}

#[tokio::test]
async fn agents_beyond_the_seats_stay_offline() {
    let dir = tempfile::tempdir().expect("tempdir");
    prepare(dir.path(), Some(1)).await;
    let relay = start(dir.path()).await;
    let (_admin, admin_profile) = login(&relay, agent("admin")).await;
    assert_eq!(
        admin_profile.presence,
        Presence::Offline,
        "admins use no seat"
    );
    let (_a1, p1) = login(&relay, agent("agent1")).await;
    assert_eq!(p1.presence, Presence::Online);
    let (mut a2, p2) = login(&relay, agent("agent2")).await;
    assert_eq!(p2.presence, Presence::Offline);
    let refused = a2
        .request(Request::SetPresence(rpc::SetPresence {
            presence: Presence::Online,
            automatic: false,
        }))
        .await;
    let Err(err) = refused else {
        panic!("went online beyond the seats");
    };
    assert_eq!(err, ApiError::NoFreeSeat { seats: 1 });
    assert!(err.to_string().contains("all 1 seats"));
    relay.stop().await;
}

#[tokio::test]
async fn an_agent_of_another_center_can_see_or_reach_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    prepare(dir.path(), None).await;
    let relay = start(dir.path()).await;
    let (mut a1, p1) = login(&relay, agent("agent1")).await;
    let (mut c, _) = helper(&relay, 5).await;
    c.request(service(ServiceRoute::AutoAssign {
        group_id: None,
        product_type_id: None,
    }))
    .await
    .expect("queued");
    let offer = a1.offer().await;
    let Ok(Response::SessionStarted(session)) = a1
        .request(Request::AnswerOffer(rpc::AnswerOffer {
            offer_id: offer.offer_id,
            accept: true,
        }))
        .await
    else {
        panic!("no session");
    };
    let (mut c2, _) = helper(&relay, 6).await;
    a1.request(Request::SetPresence(rpc::SetPresence {
        presence: Presence::Busy,
        automatic: false,
    }))
    .await
    .expect("busy");
    let Ok(Response::Queued(rpc::Queued { ticket_id, .. })) = c2
        .request(service(ServiceRoute::AutoAssign {
            group_id: None,
            product_type_id: None,
        }))
        .await
    else {
        panic!("not queued");
    };
    let (mut c3, _) = helper(&relay, 11).await;
    c3.request(Request::LeaveOfflineMessage(rpc::LeaveOfflineMessage {
        name: "Dan".into(),
        contact: "d@example.com".into(),
        text: "call me".into(),
    }))
    .await
    .expect("left");
    let Ok(Response::OfflineMessages(messages)) = a1
        .request(Request::ListOfflineMessages(rpc::ListOfflineMessages {
            include_handled: false,
        }))
        .await
    else {
        panic!("list");
    };
    let message_id = messages[0].id;

    let (spy_client, first) = connect(&relay, agent_in(CenterId(CENTER_B), "boss")).await;
    let ServerMessage::Welcome(Welcome::Agent {
        queue,
        sessions,
        profile,
        ..
    }) = first
    else {
        panic!("{first:?}");
    };
    let mut spy = spy_client;
    assert!(queue.is_empty() && sessions.is_empty() && profile.offline_messages.is_empty());
    assert!(profile.agents.iter().all(|a| a.agent_id != p1.agent_id));
    let attempts = [
        (
            Request::AcceptCustomer(rpc::AcceptCustomer { ticket_id }),
            Err(ApiError::UnknownTicket),
        ),
        (
            Request::AnswerOffer(rpc::AnswerOffer {
                offer_id: offer.offer_id,
                accept: true,
            }),
            Err(ApiError::UnknownTicket),
        ),
        (
            Request::EndSession(rpc::EndSession {
                session_id: session.session_id,
            }),
            Err(ApiError::UnknownSession),
        ),
        (
            Request::SendChat(rpc::SendChat {
                session_id: session.session_id,
                message_id: MessageId(1),
                text: "x".into(),
            }),
            Err(ApiError::UnknownSession),
        ),
    ];
    let (mut serving_spy, _) = login(&relay, agent_in(CenterId(CENTER_B), "spy")).await;
    for (body, expected) in attempts {
        assert_eq!(
            serving_spy.request(body.clone()).await,
            expected,
            "{body:?}"
        );
    }
    for body in [
        Request::KickLogin(rpc::KickLogin {
            agent_id: p1.agent_id,
        }),
        Request::ResetPassword(rpc::ResetPassword {
            agent_id: p1.agent_id,
            new_password: "stolen password".into(),
        }),
        Request::HandleOfflineMessage(rpc::HandleOfflineMessage {
            id: message_id,
            note: "x".into(),
        }),
    ] {
        let answer = spy.request(body.clone()).await;
        assert!(
            matches!(answer, Err(ref e) if e.is_bad_input()),
            "{body:?}: {answer:?}"
        );
    }
    let Ok(Response::OfflineMessages(none)) = spy
        .request(Request::ListOfflineMessages(rpc::ListOfflineMessages {
            include_handled: true,
        }))
        .await
    else {
        panic!("list");
    };
    assert!(none.is_empty());
    let Ok(Response::Logins(logins)) = spy.request(Request::ListLogins(rpc::ListLogins)).await
    else {
        panic!("logins");
    };
    assert!(logins.iter().all(|l| l.agent_id != p1.agent_id));
    // agent1 still works and its password was not changed.
    drop(a1);
    relay.stop().await;
}

#[tokio::test]
async fn queue_order_offline_messages_and_settings_survive_a_restart() {
    let dir = tempfile::tempdir().expect("tempdir");
    prepare(dir.path(), None).await;
    let relay = start(dir.path()).await;
    let (mut admin, _) = login(&relay, agent("admin")).await;
    let Ok(Response::CenterSettings(settings)) = admin
        .request(Request::GetCenterSettings(rpc::GetCenterSettings))
        .await
    else {
        panic!("settings");
    };
    let changed = CenterSettings {
        offer_timeout_s: 30,
        ..settings
    };
    admin
        .request(Request::UpdateCenterSettings(rpc::UpdateCenterSettings(
            changed,
        )))
        .await
        .expect("update");
    let route = || ServiceRoute::AutoAssign {
        group_id: None,
        product_type_id: None,
    };
    let mut tickets = Vec::new();
    for install in [7u128, 8] {
        let (mut c, _) = helper(&relay, install).await;
        let Ok(Response::Queued(rpc::Queued { ticket_id, .. })) = c.request(service(route())).await
        else {
            panic!("not queued");
        };
        tickets.push(ticket_id);
    }
    let (mut c9, _) = helper(&relay, 9).await;
    c9.request(Request::LeaveOfflineMessage(rpc::LeaveOfflineMessage {
        name: "Eve".into(),
        contact: "e@example.com".into(),
        text: "after hours".into(),
    }))
    .await
    .expect("left");
    drop(admin);
    relay.stop().await;

    let relay = start(dir.path()).await;
    let (c8, first) = connect(&relay, customer(8)).await;
    let ServerMessage::Welcome(Welcome::Customer { queue_position, .. }) = first else {
        panic!("{first:?}");
    };
    assert_eq!(queue_position, Some(2));
    let (_a1, first) = connect(&relay, agent("agent1")).await;
    let ServerMessage::Welcome(Welcome::Agent { queue, profile, .. }) = first else {
        panic!("{first:?}");
    };
    assert_eq!(
        queue.iter().map(|e| e.ticket_id).collect::<Vec<_>>(),
        tickets
    );
    assert_eq!(profile.offline_messages.len(), 1);
    assert_eq!(profile.settings.offer_timeout_s, 30);
    drop(c8);
    relay.stop().await;
}

#[tokio::test]
async fn nobody_online_queues_and_the_offer_follows_when_an_agent_logs_in() {
    let dir = tempfile::tempdir().expect("tempdir");
    prepare(dir.path(), None).await;
    let relay = start(dir.path()).await;
    let (mut c, _) = helper(&relay, 10).await;
    c.request(service(ServiceRoute::AutoAssign {
        group_id: None,
        product_type_id: None,
    }))
    .await
    .expect("queued");
    let (mut a2, _) = login(&relay, agent("agent2")).await;
    let offer = a2.offer().await;
    assert_eq!(offer.customer_name, "Carol");
    relay.stop().await;
}

/// M6: the admin's common questions reach connected helpers at once (ServiceOptionsChanged)
/// and new ones in their Welcome.
#[tokio::test]
async fn common_questions_reach_the_helpers() {
    let dir = tempfile::tempdir().expect("tempdir");
    prepare(dir.path(), None).await;
    let relay = start(dir.path()).await;
    let (mut admin, _) = login(&relay, agent("admin")).await;
    let (mut waiting, options) = helper(&relay, 0xFA0).await;
    assert!(options.faq.is_empty());
    let Ok(Response::CenterSettings(mut settings)) = admin
        .request(Request::GetCenterSettings(rpc::GetCenterSettings))
        .await
    else {
        panic!("settings");
    };
    let faq = vec![porpoise_protocol::wire::FaqItem {
        question: "如何申请退货？".into(),
        answer: "在订单页点击申请售后。".into(),
    }];
    settings.faq = faq.clone();
    let saved = admin
        .request(Request::UpdateCenterSettings(rpc::UpdateCenterSettings(
            settings,
        )))
        .await;
    assert_eq!(saved, Ok(Response::Done));
    let pushed = waiting
        .event(|e| match e {
            Event::ServiceOptionsChanged(o) if !o.faq.is_empty() => Some(o.faq.clone()),
            _ => None,
        })
        .await;
    assert_eq!(pushed, faq);
    let (_late, options) = helper(&relay, 0xFA1).await;
    assert_eq!(options.faq, faq);
    relay.stop().await;
}

/// M7: an admin uploads a common file in chunks from the admin window's protocol; it appears
/// in every agent's list; a chunk out of order, a name with a directory, a duplicate and a
/// plain agent are refused; it can be deleted.
#[tokio::test]
async fn an_admin_uploads_and_deletes_a_common_file() {
    use porpoise_protocol::wire::{Conflict, Field, Permission, Thing};
    let dir = tempfile::tempdir().expect("tempdir");
    prepare(dir.path(), None).await;
    let relay = start(dir.path()).await;
    let (mut admin, _) = login(&relay, agent("admin")).await;
    let (mut agent1, _) = login(&relay, agent("agent1")).await;
    let content: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    let chunk = |offset: usize, end: usize| {
        Request::UploadCommonFile(rpc::UploadCommonFile {
            name: "说明书.pdf".into(),
            offset: offset as u64,
            total: content.len() as u64,
            data: content[offset..end].to_vec(),
        })
    };
    let denied = agent1.request(chunk(0, 1000)).await;
    assert_eq!(
        denied,
        Err(ApiError::NotPermitted {
            needed: Permission::ManageLibrary
        })
    );
    let sneaky = admin
        .request(Request::UploadCommonFile(rpc::UploadCommonFile {
            name: "../x.pdf".into(),
            offset: 0,
            total: 1,
            data: vec![1],
        }))
        .await;
    assert_eq!(
        sneaky,
        Err(ApiError::Malformed {
            field: Field::FileName
        })
    );
    let split = rpc::COMMON_FILE_CHUNK_BYTES;
    assert_eq!(admin.request(chunk(0, split)).await, Ok(Response::Done));
    assert_eq!(
        admin.request(chunk(split + 1, content.len())).await,
        Err(ApiError::Conflict(Conflict::UploadOutOfOrder))
    );
    let listed = |files: &[porpoise_protocol::wire::CommonFile]| {
        files
            .iter()
            .map(|f| (f.name.clone(), f.size))
            .collect::<Vec<_>>()
    };
    let Ok(Response::CommonFiles(files)) = agent1
        .request(Request::ListCommonFiles(rpc::ListCommonFiles))
        .await
    else {
        panic!("list");
    };
    assert!(
        listed(&files).is_empty(),
        "not listed before the last chunk"
    );
    assert_eq!(
        admin.request(chunk(split, content.len())).await,
        Ok(Response::Done)
    );
    let Ok(Response::CommonFiles(files)) = agent1
        .request(Request::ListCommonFiles(rpc::ListCommonFiles))
        .await
    else {
        panic!("list");
    };
    assert_eq!(listed(&files), [("说明书.pdf".to_string(), 200_000)]);
    let stored = std::fs::read(
        porpoise_relay::common_files::center_dir(dir.path(), DEMO_CENTER_ID).join("说明书.pdf"),
    )
    .expect("stored");
    assert_eq!(stored, content);
    assert!(matches!(
        admin.request(chunk(0, 10)).await,
        Err(ApiError::Duplicate { .. })
    ));
    let delete = || {
        Request::DeleteCommonFile(rpc::DeleteCommonFile {
            name: "说明书.pdf".into(),
        })
    };
    assert_eq!(admin.request(delete()).await, Ok(Response::Done));
    assert_eq!(
        admin.request(delete()).await,
        Err(ApiError::NotFound {
            what: Thing::CommonFile
        })
    );
    relay.stop().await;
}
