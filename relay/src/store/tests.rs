//! Store tests on a temporary SQLite file.

use porpoise_protocol::wire::{ChatMessage, InstallId, MessageId, Party, SessionId, TicketId};

use super::*;
use crate::core::{StoreOp, Ticket, TicketOutcome};

fn ticket(ticket_id: u64, install_id: u128, name: &str) -> Ticket {
    Ticket {
        ticket_id: TicketId(ticket_id),
        center_id: DEMO_CENTER_ID,
        install_id: InstallId(install_id),
        name: name.into(),
        phone: "555".into(),
        queued_at: 1000 + i64::try_from(ticket_id).expect("small"),
        group_id: None,
        product_type_id: None,
        preferred_agent: None,
        region: None,
    }
}

fn chat(message_id: u128, text: &str) -> ChatMessage {
    ChatMessage {
        message_id: MessageId(message_id),
        from: Party::Customer,
        text: text.into(),
        sent_at: 2000,
        image: None,
    }
}

async fn demo_store(dir: &tempfile::TempDir) -> Store {
    let store = Store::open(&dir.path().join("relay.sqlite3"))
        .await
        .expect("open");
    store.seed_demo().await.expect("seed");
    store
}

#[tokio::test]
async fn demo_seed_is_idempotent_and_passwords_verify() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = demo_store(&dir).await;
    store.seed_demo().await.expect("seed again");
    assert_eq!(
        store.usernames(DEMO_CENTER_ID).await.expect("names"),
        ["admin", "agent1", "agent2"]
    );
    let ok = store
        .authenticate(DEMO_CENTER_ID, "agent1", DEMO_PASSWORD)
        .await
        .expect("auth");
    let AuthOutcome::Verified(account) = ok else {
        panic!("{ok:?}")
    };
    assert_eq!(
        (account.display_name.as_str(), account.center.name.as_str()),
        ("Agent One", DEMO_CENTER_NAME)
    );
    let wrong = store
        .authenticate(DEMO_CENTER_ID, "agent1", "nope")
        .await
        .expect("auth");
    assert_eq!(wrong, AuthOutcome::WrongPassword);
    let nobody = store
        .authenticate(DEMO_CENTER_ID, "ghost", DEMO_PASSWORD)
        .await
        .expect("auth");
    assert_eq!(nobody, AuthOutcome::WrongPassword);
    let center = store
        .authenticate(CenterId(8_123_456), "agent1", DEMO_PASSWORD)
        .await
        .expect("auth");
    assert_eq!(center, AuthOutcome::UnknownCenter);
    // Stored hashes are argon2id, never the password.
    let (hash,): (String,) = sqlx::query_as("SELECT password_hash FROM agents LIMIT 1")
        .fetch_one(&store.pool)
        .await
        .expect("hash");
    assert!(hash.starts_with("$argon2id$"), "{hash}");
}

#[tokio::test]
async fn create_center_makes_an_admin_with_a_random_password() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(&dir.path().join("r.sqlite3"))
        .await
        .expect("open");
    let made = store.create_center("Acme 客服").await.expect("create");
    assert!(is_valid_center_id_like(made.center_id));
    assert_eq!(made.admin_password.len(), 12);
    let auth = store
        .authenticate(made.center_id, "admin", &made.admin_password)
        .await
        .expect("auth");
    assert!(matches!(auth, AuthOutcome::Verified(_)));
    let again = store.create_center_with_id(made.center_id, "dup").await;
    assert!(matches!(again, Err(StoreError::CenterExists(_))));
    let taken = store
        .create_agent(made.center_id, "admin", "A", "pw", AgentRole::Agent)
        .await;
    assert!(matches!(taken, Err(StoreError::UsernameTaken { .. })));
}

fn is_valid_center_id_like(id: CenterId) -> bool {
    porpoise_protocol::wire::is_valid_center_id(id)
}

#[tokio::test]
async fn snapshot_after_restart_has_queue_sessions_and_messages() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = demo_store(&dir).await;
    let AuthOutcome::Verified(agent) = store
        .authenticate(DEMO_CENTER_ID, "agent1", DEMO_PASSWORD)
        .await
        .expect("auth")
    else {
        panic!("demo agent")
    };
    let ops = [
        StoreOp::InsertTicket(ticket(1, 0xAA, "Ann")),
        StoreOp::InsertTicket(ticket(2, 0xBB, "Bob")),
        StoreOp::InsertTicket(ticket(3, u128::MAX, "Cid")),
        StoreOp::CloseTicket {
            ticket_id: TicketId(1),
            outcome: TicketOutcome::Served,
        },
        StoreOp::InsertSession {
            session_id: SessionId(1),
            center_id: DEMO_CENTER_ID,
            ticket_id: TicketId(1),
            install_id: InstallId(0xAA),
            agent_id: agent.agent_id,
            started_at: 1500,
        },
        StoreOp::InsertChat {
            token: 1,
            session_id: SessionId(1),
            message: chat(u128::MAX, "你好"),
            image: None,
        },
        StoreOp::InsertChat {
            token: 2,
            session_id: SessionId(1),
            message: chat(u128::MAX, "duplicate"),
            image: None,
        },
        StoreOp::InsertChat {
            token: 3,
            session_id: SessionId(1),
            message: chat(5, "second"),
            image: None,
        },
        StoreOp::CloseTicket {
            ticket_id: TicketId(3),
            outcome: TicketOutcome::Left,
        },
    ];
    for op in &ops {
        store.apply(op).await.expect("apply");
    }
    store.close().await;

    let store = Store::open(&dir.path().join("relay.sqlite3"))
        .await
        .expect("reopen");
    let snap = store.snapshot().await.expect("snapshot");
    assert_eq!(
        (snap.max_ticket_id, snap.max_session_id),
        (TicketId(3), SessionId(1))
    );
    assert_eq!(snap.queue, [ticket(2, 0xBB, "Bob")]);
    let [session] = &snap.sessions[..] else {
        panic!("{:?}", snap.sessions)
    };
    assert_eq!(
        (session.install_id, session.customer_name.as_str()),
        (InstallId(0xAA), "Ann")
    );
    assert_eq!(session.agent_name, "Agent One");
    assert_eq!(
        session.messages,
        [chat(u128::MAX, "你好"), chat(5, "second")]
    );

    let end = StoreOp::EndSession {
        session_id: SessionId(1),
        ended_at: 3000,
        by: Party::Customer,
    };
    store.apply(&end).await.expect("end");
    assert!(store
        .snapshot()
        .await
        .expect("snapshot")
        .sessions
        .is_empty());
}

#[tokio::test]
async fn a_full_database_is_a_clear_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("full.sqlite3");
    let store = Store::open_with(&path, 1).await.expect("open");
    store.seed_demo().await.expect("seed");
    store
        .apply(&StoreOp::InsertTicket(ticket(1, 1, "Ann")))
        .await
        .expect("ticket");
    let (pages,): (i64,) = sqlx::query_as("PRAGMA page_count")
        .fetch_one(&store.pool)
        .await
        .expect("pages");
    sqlx::query(&format!("PRAGMA max_page_count = {pages}"))
        .execute(&store.pool)
        .await
        .expect("limit");
    let big = Ticket {
        name: "x".repeat(100_000),
        ..ticket(2, 2, "")
    };
    let err = store
        .apply(&StoreOp::InsertTicket(big))
        .await
        .expect_err("disk full");
    assert!(matches!(err, StoreError::DiskFull), "{err:?}");
    assert_eq!(err.to_string(), "database or disk is full");
}

/// Group commit: the writes of one group land together, a failing write in the middle leaves
/// nothing of itself behind and does not undo its neighbours, and the same snapshot results as
/// from writes applied one by one.
#[tokio::test]
async fn a_group_commits_every_write_but_the_failing_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = demo_store(&dir).await;
    let AuthOutcome::Verified(agent) = store
        .authenticate(DEMO_CENTER_ID, "agent1", DEMO_PASSWORD)
        .await
        .expect("auth")
    else {
        panic!("demo agent")
    };
    let session = |id: u64, install: u128| StoreOp::InsertSession {
        session_id: SessionId(id),
        center_id: DEMO_CENTER_ID,
        ticket_id: TicketId(1),
        install_id: InstallId(install),
        agent_id: agent.agent_id,
        started_at: 1500,
    };
    let insert = |token: u64, id: u128, text: &str| StoreOp::InsertChat {
        token,
        session_id: SessionId(1),
        message: chat(id, text),
        image: None,
    };
    let ops = [
        StoreOp::InsertTicket(ticket(1, 0xAA, "Ann")),
        session(1, 0xAA),
        insert(1, 1, "one"),
        // No customer 0xCC: this write fails on its own.
        session(2, 0xCC),
        insert(2, 2, "two"),
        insert(3, 2, "duplicate id: kept once"),
    ];
    assert!(ops.iter().all(batch::batchable));
    let refs: Vec<&StoreOp> = ops.iter().collect();
    let results = store.apply_group(&refs).await.expect("group");
    let failed: Vec<usize> = (0..results.len())
        .filter(|&i| results[i].is_err())
        .collect();
    assert_eq!(failed, [3]);
    // Not groupable: refused by the group, never half-applied.
    let audit = StoreOp::SetAutoAway {
        agent_id: agent.agent_id,
        minutes: Some(5),
    };
    assert!(!batch::batchable(&audit));
    let results = store.apply_group(&[&audit]).await.expect("group");
    assert!(matches!(results[..], [Err(StoreError::Corrupt(_))]));

    store.close().await;
    let store = Store::open(&dir.path().join("relay.sqlite3"))
        .await
        .expect("reopen");
    let snap = store.snapshot().await.expect("snapshot");
    let [open] = &snap.sessions[..] else {
        panic!("{:?}", snap.sessions)
    };
    assert_eq!(open.session_id, SessionId(1));
    assert_eq!(open.messages, [chat(1, "one"), chat(2, "two")]);
}
