//! The abuse suite (issue 14): each test plays one attack an anonymous customer (or a hostile
//! center admin) could make against a real relay over QUIC with a temporary SQLite database,
//! and shows it bounded: the attacker gets a coded error, honest users keep working.

use crate::common;

use common::{agent, customer, start, Client, Running};
use porpoise_protocol::wire::rpc;
use porpoise_protocol::wire::{
    AgentWelcome, HelloRole, Request, Response, ServerMessage, Welcome, MAX_CHAT_TEXT_BYTES,
    OFFLINE_LIST_BYTES,
};

/// [`common::connect`], expecting a welcome.
async fn connect(relay: &Running, role: HelloRole) -> (Client, Welcome) {
    let (client, first) = common::connect(relay, role).await;
    let ServerMessage::Welcome(welcome) = first else {
        panic!("not welcome: {first:?}")
    };
    (client, welcome)
}

fn profile(welcome: Welcome) -> AgentWelcome {
    match welcome {
        Welcome::Agent { profile, .. } => profile,
        other => panic!("not an agent: {other:?}"),
    }
}

/// Center lockout (was: 17 offline messages of 16 KiB made every agent's Welcome exceed the
/// 256 KiB control frame; the relay dropped it silently and no agent of the center could log
/// in, even after a restart). Now the Welcome, the change event and the list carry the oldest
/// messages that fit `OFFLINE_LIST_BYTES` and the count; agents log in before and after a
/// restart. (The customer quotas, which stop this flood earlier, are raised here to show
/// the list bound on its own.)
#[tokio::test]
async fn offline_messages_cannot_lock_agents_out() {
    let dir = tempfile::tempdir().expect("tempdir");
    let raised = || porpoise_relay::RelayConfig {
        customer_quotas: porpoise_relay::core::quota::CustomerQuotas::default().scaled(100),
        ..porpoise_relay::RelayConfig::new(dir.path())
    };
    let relay = common::start_config(raised()).await;
    let (mut attacker, _) = connect(&relay, customer(0xBAD)).await;
    let text = "留".repeat(MAX_CHAT_TEXT_BYTES / 3);
    const LEFT: usize = 40;
    for _ in 0..LEFT {
        let left = attacker
            .request(Request::LeaveOfflineMessage(rpc::LeaveOfflineMessage {
                name: "x".repeat(64),
                contact: "y".repeat(64),
                text: text.clone(),
            }))
            .await;
        assert_eq!(left, Ok(Response::Done));
    }
    let check = |p: &AgentWelcome| {
        assert_eq!(p.offline_pending as usize, LEFT);
        let bytes: usize = p.offline_messages.iter().map(|m| m.list_bytes()).sum();
        assert!(bytes <= OFFLINE_LIST_BYTES, "{bytes}");
        assert!(!p.offline_messages.is_empty());
    };
    let (mut agent1, welcome) = connect(&relay, agent("agent1")).await;
    check(&profile(welcome));
    let listed = agent1
        .request(Request::ListOfflineMessages(rpc::ListOfflineMessages {
            include_handled: true,
        }))
        .await;
    let Ok(Response::OfflineMessages(list)) = listed else {
        panic!("{listed:?}")
    };
    assert!(!list.is_empty() && list.len() < LEFT);
    drop(agent1);
    relay.stop().await;
    let relay = common::start_config(raised()).await;
    let (_agent1, welcome) = connect(&relay, agent("agent1")).await;
    check(&profile(welcome));
}

/// Ghost queue (was: a ticket stayed queued after its customer disconnected, and across
/// restarts; install ids are client-chosen, so one script filled the queue with ghosts). Now a
/// queued customer who goes away keeps the place only for the ticket grace (60 s by default,
/// 300 ms here), before and after a restart.
#[tokio::test]
async fn customers_who_leave_do_not_stay_in_the_queue() {
    use porpoise_protocol::wire::ServiceRoute;
    let dir = tempfile::tempdir().expect("tempdir");
    let config = || {
        let mut config = porpoise_relay::RelayConfig::new(dir.path());
        config.ticket_grace = std::time::Duration::from_millis(300);
        config
    };
    let relay = common::start_config(config()).await;
    const GHOSTS: u128 = 30;
    for i in 0..GHOSTS {
        let (mut ghost, _) = connect(&relay, customer(0x6000 + i)).await;
        let queued = ghost
            .request(Request::RequestService(rpc::RequestService {
                name: format!("ghost {i}"),
                phone: String::new(),
                route: ServiceRoute::AutoAssign {
                    group_id: None,
                    product_type_id: None,
                },
            }))
            .await;
        assert!(matches!(queued, Ok(Response::Queued(_))), "{queued:?}");
    }
    let queue_count = |welcome: Welcome| profile(welcome).queue_count;
    // The last ones may still be in their grace; after it the queue is empty.
    let (_admin, welcome) = connect(&relay, agent("admin")).await;
    assert!(queue_count(welcome) <= GHOSTS as u32);
    tokio::time::sleep(std::time::Duration::from_millis(700)).await;
    let (_admin2, welcome) = connect(&relay, agent("agent2")).await;
    assert_eq!(queue_count(welcome), 0, "ghosts left the queue");

    // Queued when the relay stops: the place is kept for the grace after the restart only.
    let (mut last, _) = connect(&relay, customer(0x7000)).await;
    let queued = last
        .request(Request::RequestService(rpc::RequestService {
            name: "restart".into(),
            phone: String::new(),
            route: ServiceRoute::AutoAssign {
                group_id: None,
                product_type_id: None,
            },
        }))
        .await;
    assert!(matches!(queued, Ok(Response::Queued(_))), "{queued:?}");
    drop((last, _admin, _admin2));
    relay.stop().await;
    let relay = common::start_config(config()).await;
    let (_agent, welcome) = connect(&relay, agent("agent1")).await;
    assert_eq!(queue_count(welcome), 1, "kept for the grace");
    tokio::time::sleep(std::time::Duration::from_millis(700)).await;
    let (_agent2, welcome) = connect(&relay, agent("agent2")).await;
    assert_eq!(queue_count(welcome), 0, "gone after it");
}

/// Files on disk (was: data dir and database created with the default umask, so any local
/// user could read transcripts, pictures and password hashes): the data dir is 0700, the
/// database and its WAL 0600, the TLS key 0600; a database left readable by an older version
/// is narrowed at start.
#[cfg(unix)]
#[tokio::test]
async fn the_data_dir_and_database_are_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("var/lib/porpoise");
    let mode =
        |p: &std::path::Path| std::fs::metadata(p).expect("meta").permissions().mode() & 0o777;
    let relay = start(&data).await;
    let (_agent, _) = connect(&relay, agent("agent1")).await;
    assert_eq!(mode(&data), 0o700);
    for file in ["relay.sqlite3", "relay.sqlite3-wal", "key.der"] {
        assert_eq!(mode(&data.join(file)), 0o600, "{file}");
    }
    relay.stop().await;
    let db = data.join("relay.sqlite3");
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let relay = start(&data).await;
    assert_eq!(mode(&db), 0o600);
    assert_eq!(mode(&data), 0o700);
    relay.stop().await;
}

/// `--demo` (whose accounts share a published password) was accepted on a public address;
/// the relay now refuses to start so, naming the way to a real center.
#[tokio::test]
async fn the_demo_center_is_refused_on_a_public_address() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut config = porpoise_relay::RelayConfig::new(dir.path());
    config.listen = "0.0.0.0:0".parse().expect("addr");
    config.demo = true;
    let refused = porpoise_relay::Relay::bind(config).await;
    match refused {
        Err(e @ porpoise_relay::RelayError::DemoOnPublicAddress { .. }) => {
            assert!(e.to_string().contains("center create"), "{e}");
        }
        other => panic!("{other:?}"),
    }
    assert!(
        !dir.path().join("relay.sqlite3").exists(),
        "nothing was created"
    );
}

/// Context endpoint SSRF (was: any center admin could point the context lookup at loopback or
/// private addresses and read the distinct error texts as a port scanner). Now such an
/// endpoint is refused before any connection (the agent sees the same `Unreachable` as for any
/// failed connection), unless the relay's operator allows private addresses.
#[tokio::test]
async fn the_context_lookup_cannot_reach_the_relays_network() {
    use porpoise_protocol::wire::{
        ApiError, CenterSettings, ContextEndpoint, ContextFailure, ServiceMode, ServiceRoute,
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let relay = start(dir.path()).await;
    // A service on the relay's loopback that must never be reached.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.set_nonblocking(true).expect("nonblocking");
    let url = format!("http://{}/internal", listener.local_addr().expect("addr"));
    let (mut admin, _) = connect(&relay, agent("admin")).await;
    let Ok(Response::CenterSettings(settings)) = admin
        .request(Request::GetCenterSettings(rpc::GetCenterSettings))
        .await
    else {
        panic!("settings")
    };
    let settings = CenterSettings {
        service_mode: ServiceMode::AutoAssign,
        context_endpoint: Some(Box::new(ContextEndpoint {
            url,
            bearer_token: String::new(),
            timeout_ms: 2_000,
        })),
        ..settings
    };
    let saved = admin
        .request(Request::UpdateCenterSettings(rpc::UpdateCenterSettings(
            settings,
        )))
        .await;
    assert_eq!(saved, Ok(Response::Done));
    let (mut agent1, _) = connect(&relay, agent("agent1")).await;
    let (mut helper, _) = connect(&relay, customer(0x55F)).await;
    let queued = helper
        .request(Request::RequestService(rpc::RequestService {
            name: "客户".into(),
            phone: String::new(),
            route: ServiceRoute::AutoAssign {
                group_id: None,
                product_type_id: None,
            },
        }))
        .await;
    let Ok(Response::Queued(rpc::Queued { ticket_id, .. })) = queued else {
        panic!("{queued:?}")
    };
    let started = agent1
        .request(Request::AcceptCustomer(rpc::AcceptCustomer { ticket_id }))
        .await;
    let Ok(Response::SessionStarted(info)) = started else {
        panic!("{started:?}")
    };
    let answer = agent1
        .request(Request::FetchCustomerContext(rpc::FetchCustomerContext {
            session_id: info.session_id,
        }))
        .await;
    assert_eq!(
        answer,
        Err(ApiError::ContextUnavailable(ContextFailure::Unreachable))
    );
    assert!(
        listener.accept().is_err(),
        "the loopback service was never connected to"
    );
}

/// One client's request loop (was: a `RequestService`/`LeaveQueue` or `GetChatImage` loop from
/// one anonymous client delayed every center's acks): each connection has a token bucket
/// (`REQUESTS_PER_SECOND`, `REQUEST_BURST`); beyond it requests are answered `Throttled` by
/// the connection's own task, and another client is served at once meanwhile.
#[tokio::test]
async fn a_request_loop_is_throttled_per_connection() {
    use porpoise_protocol::wire::ApiError;
    use porpoise_relay::net::{REQUESTS_PER_SECOND, REQUEST_BURST};
    let dir = tempfile::tempdir().expect("tempdir");
    let relay = start(dir.path()).await;
    let (mut flooder, _) = connect(&relay, customer(0xF100D)).await;
    let (mut honest, _) = connect(&relay, customer(0x900D)).await;
    let ask = || Request::LeaveQueue(rpc::LeaveQueue);
    let started = std::time::Instant::now();
    let mut throttled = 0;
    let mut answered = 0;
    let mut retry = 0;
    let total = (REQUEST_BURST * 2) as usize;
    for _ in 0..total {
        match flooder.request(ask()).await {
            Err(ApiError::Throttled { retry_after_s }) => {
                throttled += 1;
                retry = retry_after_s;
            }
            _ => answered += 1,
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    let allowed = REQUEST_BURST as f64 + REQUESTS_PER_SECOND as f64 * elapsed + 1.0;
    assert!(throttled > 0, "the loop was throttled");
    assert!(
        (answered as f64) <= allowed,
        "{answered} answered in {elapsed} s"
    );
    assert!(retry >= 1);
    // The other client is untouched.
    assert!(!matches!(
        honest.request(ask()).await,
        Err(ApiError::Throttled { .. })
    ));
}

/// A client that ignores `Throttled` and floods on is closed (`CloseCode::Protocol`) after
/// `MAX_THROTTLED_IN_A_ROW` refusals in a row, so each flood costs a new handshake; new
/// handshakes per address are bounded too (`RelayConfig::new_connections_per_ip`), refused
/// before any cryptography, while another address connects.
#[tokio::test]
async fn a_flood_past_throttled_is_closed_and_handshakes_per_address_are_bounded() {
    use porpoise_protocol::framing::MAX_CONTROL_FRAME_BYTES;
    use porpoise_protocol::wire::{ClientMessage, CloseCode, RequestId};
    use porpoise_quic::frame_io::write_frame;
    use porpoise_relay::net::{MAX_THROTTLED_IN_A_ROW, REQUEST_BURST};
    let dir = tempfile::tempdir().expect("tempdir");
    let relay = common::start_config(porpoise_relay::RelayConfig {
        new_connections_per_ip: 5,
        ..porpoise_relay::RelayConfig::new(dir.path())
    })
    .await;
    let (mut flooder, _) = connect(&relay, customer(0xF100D)).await;
    // Pipelined: far more than the burst plus the limit, without reading the answers.
    let flood = REQUEST_BURST + 2 * MAX_THROTTLED_IN_A_ROW;
    let mut closed = None;
    for n in 0..u64::from(flood) {
        let msg = ClientMessage::Request {
            id: RequestId(n + 1),
            body: Request::LeaveQueue(rpc::LeaveQueue),
        };
        if write_frame(&mut flooder.send, &msg, MAX_CONTROL_FRAME_BYTES)
            .await
            .is_err()
        {
            break;
        }
    }
    let reason = tokio::time::timeout(std::time::Duration::from_secs(10), flooder.conn.closed())
        .await
        .expect("closed in time");
    if let quinn::ConnectionError::ApplicationClosed(close) = reason {
        closed = Some(close.error_code.into_inner());
    }
    assert_eq!(closed, Some(u64::from(CloseCode::Protocol.code())));

    // Handshakes: the flooder and the first connection used 1; 4 more, then refused.
    let fingerprint = relay.fingerprint();
    for n in 0..4 {
        let ok = common::try_handshake(relay.addr(), fingerprint).await;
        assert!(ok.is_ok(), "handshake {n}: {ok:?}");
    }
    assert!(common::try_handshake(relay.addr(), fingerprint)
        .await
        .is_err());
    // Another address is not affected.
    let other = common::try_handshake_from(
        "127.0.0.2:0".parse().expect("addr"),
        relay.addr(),
        fingerprint,
    )
    .await;
    assert!(other.is_ok(), "{other:?}");
}

/// Slots (was: 10 000 connection slots, no per-IP cap, no address validation): one address
/// holds at most `max_connections_per_ip` connections (more are refused at the handshake,
/// another address is unaffected by them), and above `retry_above` live connections a new
/// client must answer a QUIC Retry first, which a real client does transparently.
#[tokio::test]
async fn one_address_cannot_take_every_slot_and_retry_guards_under_load() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut config = porpoise_relay::RelayConfig::new(dir.path());
    config.max_connections_per_ip = 3;
    config.retry_above = 0; // every unvalidated client gets a Retry
    let relay = common::start_config(config).await;
    let mut held = Vec::new();
    for i in 0..3u128 {
        let (client, first) = common::connect(&relay, customer(0xA000 + i)).await;
        assert!(matches!(first, ServerMessage::Welcome(_)), "{first:?}");
        held.push(client);
    }
    let refused = tokio::spawn({
        let addr = relay.addr();
        let fingerprint = relay.fingerprint();
        async move { common::try_handshake(addr, fingerprint).await }
    })
    .await
    .expect("join");
    assert!(
        refused.is_err(),
        "a fourth connection from 127.0.0.1 is refused"
    );
    drop(held.pop());
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let (_again, first) = common::connect(&relay, customer(0xA100)).await;
    assert!(
        matches!(first, ServerMessage::Welcome(_)),
        "a slot freed: {first:?}"
    );
}

/// A tiny valid PNG (4×4, grey).
fn tiny_png() -> Vec<u8> {
    let mut png = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut png, 4, 4);
        encoder.set_color(png::ColorType::Grayscale);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().expect("header");
        writer.write_image_data(&[128; 16]).expect("data");
    }
    png
}

/// Quotas per install ID and per address (was: a script could loop `RequestService` /
/// `LeaveQueue`, chat and send pictures as fast as the connection allowed, and reconnect at
/// will). Now each kind is counted per install ID and per IP; over it the customer gets
/// `Throttled { retry_after_s }` (a Hello: `Refused(Throttled)`), nothing is created, and other
/// customers from the same address and the agent go on.
#[tokio::test]
async fn customer_quotas_answer_throttled_and_spare_others() {
    use porpoise_protocol::wire::{ApiError, MessageId, RefusedReason, ServiceRoute};
    use porpoise_relay::core::quota::{
        CHATS_PER_INSTALL, HELLOS_PER_INSTALL, PICTURES_PER_INSTALL, TICKETS_PER_INSTALL,
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let relay = start(dir.path()).await;
    crate::conversation::configure(&relay, |_| {}).await;
    let route = ServiceRoute::AutoAssign {
        group_id: None,
        product_type_id: None,
    };
    let ask = || {
        Request::RequestService(rpc::RequestService {
            name: "脚本".into(),
            phone: String::new(),
            route: route.clone(),
        })
    };

    // Tickets: a RequestService / LeaveQueue loop of one install.
    let (mut looper, _) = connect(&relay, customer(0x10)).await;
    let mut queued = 0;
    let retry = loop {
        match looper.request(ask()).await {
            Ok(Response::Queued(_)) => {
                queued += 1;
                let left = looper.request(Request::LeaveQueue(rpc::LeaveQueue)).await;
                assert_eq!(left, Ok(Response::Done));
            }
            Err(ApiError::Throttled { retry_after_s }) => break retry_after_s,
            other => panic!("{other:?}"),
        }
        assert!(queued <= TICKETS_PER_INSTALL.burst, "never throttled");
    };
    assert_eq!(queued, TICKETS_PER_INSTALL.burst);
    assert!((1..=60).contains(&retry), "{retry}");

    // Another customer from the same address is served; it chats up to its quota.
    let (mut agent1, _) = connect(&relay, agent("agent1")).await;
    let (mut honest, _) = connect(&relay, customer(0x11)).await;
    let session_id = crate::conversation::serve(&mut agent1, &mut honest)
        .await
        .session_id;
    let chat = |n: u128| {
        Request::SendChat(rpc::SendChat {
            session_id,
            message_id: MessageId(n),
            text: format!("消息 {n}"),
        })
    };
    for n in 0..u128::from(CHATS_PER_INSTALL.burst) {
        let sent = honest.request(chat(n)).await;
        assert!(matches!(sent, Ok(Response::ChatStored(_))), "{n}: {sent:?}");
    }
    let over = honest.request(chat(10_000)).await;
    assert!(matches!(over, Err(ApiError::Throttled { .. })), "{over:?}");
    // Agents are not counted.
    let from_agent = agent1.request(chat(20_000)).await;
    assert!(
        matches!(from_agent, Ok(Response::ChatStored(_))),
        "{from_agent:?}"
    );

    // Pictures: their own, smaller quota.
    for n in 0..u128::from(PICTURES_PER_INSTALL.burst) {
        let sent = honest
            .request(Request::SendChatImage(rpc::SendChatImage {
                session_id,
                message_id: MessageId(30_000 + n),
                data: tiny_png(),
            }))
            .await;
        assert!(matches!(sent, Ok(Response::ChatStored(_))), "{n}: {sent:?}");
    }
    let over = honest
        .request(Request::SendChatImage(rpc::SendChatImage {
            session_id,
            message_id: MessageId(40_000),
            data: tiny_png(),
        }))
        .await;
    assert!(matches!(over, Err(ApiError::Throttled { .. })), "{over:?}");

    // Hellos: one install reconnecting in a loop.
    for n in 0..HELLOS_PER_INSTALL.burst {
        let (_client, first) = common::connect(&relay, customer(0x12)).await;
        assert!(matches!(first, ServerMessage::Welcome(_)), "{n}: {first:?}");
    }
    let (_client, first) = common::connect(&relay, customer(0x12)).await;
    assert!(
        matches!(
            first,
            ServerMessage::Refused(RefusedReason::Throttled { retry_after_s }) if retry_after_s >= 1
        ),
        "{first:?}"
    );
    // …while another install from the same address logs in.
    let (_other, first) = common::connect(&relay, customer(0x13)).await;
    assert!(matches!(first, ServerMessage::Welcome(_)), "{first:?}");

    // Nothing over a quota was stored: the customer's messages are exactly the allowed ones.
    drop((looper, honest, agent1));
    relay.stop().await;
    let db = porpoise_relay::RelayConfig::new(dir.path()).database_path();
    let url = format!("sqlite://{}", db.display());
    let pool = sqlx::SqlitePool::connect(&url).await.expect("connect");
    let (stored,): (i64,) = sqlx::query_as(
        "SELECT count(*) FROM chat_messages WHERE session_id = ? AND from_party = 'customer'",
    )
    .bind(i64::try_from(session_id.0).expect("id"))
    .fetch_one(&pool)
    .await
    .expect("count");
    assert_eq!(
        stored,
        i64::from(CHATS_PER_INSTALL.burst + PICTURES_PER_INSTALL.burst)
    );
}

/// Storage per center (was: chat and pictures went into SQLite forever, without bound). The
/// operator's quota stops new messages with `Conflict(StorageFull)`; the admin's retention
/// period lets the daily prune delete old transcripts (here every 300 ms), which frees the
/// quota; sessions themselves stay.
#[tokio::test]
async fn the_storage_quota_stops_new_messages_and_retention_frees_it() {
    use porpoise_protocol::wire::{ApiError, Conflict, MessageId};
    let dir = tempfile::tempdir().expect("tempdir");
    common::seed_demo(dir.path()).await;
    let db = porpoise_relay::RelayConfig::new(dir.path()).database_path();
    let store = porpoise_relay::Store::open(&db).await.expect("store");
    const QUOTA: u64 = 4096;
    store
        .set_storage_quota(porpoise_relay::DEMO_CENTER_ID, QUOTA)
        .await
        .expect("quota");
    store.close().await;
    let config = || porpoise_relay::RelayConfig {
        prune_interval: std::time::Duration::from_millis(300),
        ..porpoise_relay::RelayConfig::new(dir.path())
    };
    let relay = common::start_config(config()).await;
    crate::conversation::configure(&relay, |s| s.retention_days = Some(1)).await;
    let (mut agent1, _) = connect(&relay, agent("agent1")).await;
    let (mut helper, _) = connect(&relay, customer(0x20)).await;
    let session_id = crate::conversation::serve(&mut agent1, &mut helper)
        .await
        .session_id;
    let text = "x".repeat(1000);
    let mut stored = 0;
    let refusal = loop {
        let sent = helper
            .request(Request::SendChat(rpc::SendChat {
                session_id,
                message_id: MessageId(stored + 1),
                text: text.clone(),
            }))
            .await;
        match sent {
            Ok(Response::ChatStored(_)) => stored += 1,
            Err(e) => break e,
            other => panic!("{other:?}"),
        }
        assert!(stored < 10, "never refused");
    };
    assert_eq!(stored, 4);
    assert_eq!(
        refusal,
        ApiError::Conflict(Conflict::StorageFull {
            used_bytes: 4000,
            quota_bytes: QUOTA
        })
    );
    let ended = agent1
        .request(Request::EndSession(rpc::EndSession { session_id }))
        .await;
    assert_eq!(ended, Ok(Response::Done));
    drop((agent1, helper));
    relay.stop().await;

    // Two days later (the session's end moved back), the prune deletes its chat.
    let url = format!("sqlite://{}", db.display());
    let pool = sqlx::SqlitePool::connect(&url).await.expect("connect");
    sqlx::query("UPDATE sessions SET ended_at = ended_at - 2 * 86400000 WHERE id = ?")
        .bind(i64::try_from(session_id.0).expect("id"))
        .execute(&pool)
        .await
        .expect("age");
    pool.close().await;
    let relay = common::start_config(config()).await;
    let (mut admin, _) = connect(&relay, agent("admin")).await;
    let mut used = u64::MAX;
    for _ in 0..50 {
        let Ok(Response::AccountDirectory(dir)) = admin
            .request(Request::ListAccounts(rpc::ListAccounts))
            .await
        else {
            panic!("directory")
        };
        assert_eq!(dir.center.storage_quota_bytes, QUOTA);
        used = dir.center.storage_used_bytes;
        if used == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(used, 0, "the prune freed the center's storage");
    let pool = sqlx::SqlitePool::connect(&url).await.expect("connect");
    let (messages, sessions): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM chat_messages WHERE session_id = ?1), \
                (SELECT count(*) FROM sessions WHERE id = ?1)",
    )
    .bind(i64::try_from(session_id.0).expect("id"))
    .fetch_one(&pool)
    .await
    .expect("count");
    assert_eq!((messages, sessions), (0, 1));

    // The customer can chat again.
    let (mut agent1, _) = connect(&relay, agent("agent1")).await;
    let (mut helper, _) = connect(&relay, customer(0x21)).await;
    let session_id = crate::conversation::serve(&mut agent1, &mut helper)
        .await
        .session_id;
    let sent = helper
        .request(Request::SendChat(rpc::SendChat {
            session_id,
            message_id: MessageId(1),
            text,
        }))
        .await;
    assert!(matches!(sent, Ok(Response::ChatStored(_))), "{sent:?}");
}
