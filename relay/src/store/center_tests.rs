//! Store tests of the center data (issue 3): demo seed, profiles, settings, offline messages,
//! session codes and passwords survive a reopen.

use porpoise_protocol::wire::{
    ApiError, CenterSettings, Handling, OfflineMessage, OfflineMessageId, Role, ServiceMode,
};

use super::*;
use crate::core::{Secret, StoreOp, StoredCode};

async fn demo_store(dir: &tempfile::TempDir) -> Store {
    let store = Store::open(&dir.path().join("relay.sqlite3"))
        .await
        .expect("open");
    store.seed_demo().await.expect("seed");
    store
}

#[tokio::test]
async fn demo_seed_has_groups_products_profiles_and_roles() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = demo_store(&dir).await;
    store.seed_demo().await.expect("idempotent");
    let snapshot = store.snapshot().await.expect("snapshot");
    let groups: Vec<&str> = snapshot
        .groups
        .iter()
        .map(|(_, g)| g.entry.name.as_str())
        .collect();
    assert_eq!(groups, DEMO_GROUPS);
    assert_eq!(snapshot.product_types.len(), DEMO_PRODUCT_TYPES.len());
    let by_name = |name: &str| {
        snapshot
            .accounts
            .iter()
            .find(|a| a.username == name)
            .expect("account")
            .clone()
    };
    let (admin, agent1, agent2) = (by_name("admin"), by_name("agent1"), by_name("agent2"));
    assert_eq!(admin.role, Role::Admin);
    assert_eq!(agent1.groups.len(), 2);
    assert_eq!(agent2.groups.len(), 1);
    assert_eq!(agent2.title, "技术支持工程师");
    assert_eq!(agent1.max_sessions, crate::core::DEFAULT_MAX_SESSIONS);
    let settings = &snapshot.settings[0].1;
    assert_eq!(settings.seats, 10);
}

#[tokio::test]
async fn center_writes_survive_a_reopen() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = demo_store(&dir).await;
    let agent1 = store
        .snapshot()
        .await
        .expect("snapshot")
        .accounts
        .iter()
        .find(|a| a.username == "agent1")
        .expect("agent1")
        .agent_id;
    let settings = CenterSettings {
        service_mode: ServiceMode::Showcase,
        ..CenterSettings::default()
    };
    let message = OfflineMessage {
        id: OfflineMessageId(1),
        name: "Dan".into(),
        contact: "dan@example.com".into(),
        text: "help".into(),
        left_at: 5,
        handled: None,
    };
    let far = unix_ms_now() + 600_000;
    let ops = [
        StoreOp::SaveSettings {
            center_id: DEMO_CENTER_ID,
            settings: Box::new(settings.clone()),
        },
        StoreOp::SetAutoAway {
            agent_id: agent1,
            minutes: Some(7),
        },
        StoreOp::InsertOfflineMessage {
            center_id: DEMO_CENTER_ID,
            message: message.clone(),
        },
        StoreOp::InsertOfflineMessage {
            center_id: DEMO_CENTER_ID,
            message: OfflineMessage {
                id: OfflineMessageId(2),
                ..message.clone()
            },
        },
        StoreOp::HandleOfflineMessage {
            id: OfflineMessageId(1),
            handling: Handling {
                agent_id: agent1,
                note: "called".into(),
                at: 9,
            },
        },
        StoreOp::InsertSessionCode(StoredCode {
            center_id: DEMO_CENTER_ID,
            code: "123456".into(),
            agent_id: agent1,
            expires_at: far,
        }),
        StoreOp::InsertSessionCode(StoredCode {
            center_id: DEMO_CENTER_ID,
            code: "654321".into(),
            agent_id: agent1,
            expires_at: far,
        }),
        StoreOp::UseSessionCode {
            center_id: DEMO_CENTER_ID,
            code: "654321".into(),
        },
        StoreOp::SetPassword {
            token: 1,
            center_id: DEMO_CENTER_ID,
            agent_id: agent1,
            old: None,
            new: Secret("brand new secret".into()),
        },
    ];
    for op in &ops {
        store.apply(op).await.expect("apply");
    }
    store.close().await;
    let store = Store::open(&dir.path().join("relay.sqlite3"))
        .await
        .expect("reopen");
    let snapshot = store.snapshot().await.expect("snapshot");
    assert_eq!(snapshot.settings, vec![(DEMO_CENTER_ID, settings)]);
    let account = snapshot
        .accounts
        .iter()
        .find(|a| a.agent_id == agent1)
        .expect("agent1");
    assert_eq!(account.auto_away_min, Some(7));
    let offline: Vec<_> = snapshot.offline_messages.iter().map(|(_, m)| m).collect();
    assert_eq!(offline.len(), 2);
    assert_eq!(offline[0].id, OfflineMessageId(2), "pending first");
    assert_eq!(offline[1].handled.as_ref().expect("handled").note, "called");
    assert_eq!(snapshot.max_offline_message_id, OfflineMessageId(2));
    let codes: Vec<&str> = snapshot
        .session_codes
        .iter()
        .map(|c| c.code.as_str())
        .collect();
    assert_eq!(codes, ["123456"], "used codes are gone");
    let auth = store
        .authenticate(DEMO_CENTER_ID, "agent1", "brand new secret")
        .await
        .expect("auth");
    assert!(matches!(auth, AuthOutcome::Verified(_)));
    let wrong = store
        .set_password(DEMO_CENTER_ID, agent1, Some("not it"), "whatever123")
        .await
        .expect("db");
    assert_eq!(wrong, Err(ApiError::WrongPassword));
    let other_center = store
        .set_password(CenterId(8_000_002), agent1, None, "whatever123")
        .await
        .expect("db");
    assert!(matches!(other_center, Err(ref e) if e.is_bad_input()));
}
