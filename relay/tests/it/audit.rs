//! The audit log (R18) on a real relay over QUIC: logins, a failed login, a kick, a password
//! reset and a settings change are written with who and what; `porpoise-relay audit verify`
//! passes, and finds a row edited in the SQLite file.

use crate::common::{agent, connect, start};
use porpoise_protocol::wire::rpc;
use porpoise_protocol::wire::{HelloRole, Request, Response, ServerMessage, Welcome};
use porpoise_relay::{RelayConfig, DEMO_CENTER_ID};

fn audit_cli(data: &std::path::Path, args: &[&str]) -> (bool, String) {
    let center = DEMO_CENTER_ID.to_string();
    let all: Vec<&str> = ["audit"]
        .into_iter()
        .chain(args.iter().copied())
        .chain(["--center-id", center.as_str()])
        .collect();
    let out = crate::common::relay_cli(data, &all);
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[tokio::test]
async fn admin_actions_and_failed_logins_are_chained_and_tampering_is_caught() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().to_path_buf();
    crate::common::seed_demo(&data).await;
    let relay = start(&data).await;

    let (_agent1, first) = connect(&relay, agent("agent1")).await;
    let ServerMessage::Welcome(Welcome::Agent { profile, .. }) = first else {
        panic!("agent1 not welcomed: {first:?}");
    };
    let wrong = HelloRole::Agent {
        center_id: DEMO_CENTER_ID,
        username: "agent2".into(),
        password: "not-the-password".into(),
    };
    let (_refused, answer) = connect(&relay, wrong).await;
    assert!(matches!(answer, ServerMessage::Refused(_)), "{answer:?}");
    let (mut admin, first) = connect(&relay, agent("admin")).await;
    assert!(matches!(first, ServerMessage::Welcome(_)));
    let kicked = admin
        .request(Request::KickLogin(rpc::KickLogin {
            agent_id: profile.agent_id,
        }))
        .await;
    assert_eq!(kicked, Ok(Response::Done));
    let Ok(Response::CenterSettings(mut settings)) = admin
        .request(Request::GetCenterSettings(rpc::GetCenterSettings))
        .await
    else {
        panic!("settings");
    };
    let before = settings.offer_timeout_s;
    settings.offer_timeout_s = before + 7;
    let changed = admin
        .request(Request::UpdateCenterSettings(rpc::UpdateCenterSettings(
            settings,
        )))
        .await;
    assert_eq!(changed, Ok(Response::Done));
    // The admin window's page: newest first, through the relay, managers only.
    let Ok(Response::AuditLog(page)) = admin
        .request(Request::ListAuditLog(rpc::ListAuditLog {
            before_seq: None,
            limit: 2,
        }))
        .await
    else {
        panic!("no audit page");
    };
    assert_eq!(page.len(), 2);
    assert_eq!(page[0].action, "settings_changed");
    assert!(page[0].seq > page[1].seq);
    let Ok(Response::AuditLog(older)) = admin
        .request(Request::ListAuditLog(rpc::ListAuditLog {
            before_seq: Some(page[1].seq),
            limit: 200,
        }))
        .await
    else {
        panic!("no older page");
    };
    assert!(older.iter().all(|r| r.seq < page[1].seq));
    assert!(older.iter().any(|r| r.action == "login_failed"));
    let (mut agent2, _) = connect(&relay, agent("agent2")).await;
    let refused = agent2
        .request(Request::ListAuditLog(rpc::ListAuditLog {
            before_seq: None,
            limit: 10,
        }))
        .await;
    assert!(
        matches!(
            refused,
            Err(porpoise_protocol::wire::ApiError::NotPermitted { .. })
        ),
        "{refused:?}"
    );
    relay.stop().await;

    let (ok, out) = audit_cli(&data, &["verify"]);
    assert!(ok, "{out}");
    let rows: u64 = out
        .trim()
        .strip_prefix("intact ")
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{out}"));
    assert!(rows >= 5, "{out}");
    let (ok, list) = audit_cli(&data, &["list"]);
    assert!(ok);
    let has = |action: &str, needle: &str| {
        list.lines()
            .any(|l| l.split('\t').nth(3) == Some(action) && l.contains(needle))
    };
    assert!(has("login", "agent1"), "{list}");
    assert!(has("login_failed", "username agent2"), "{list}");
    assert!(!list.contains("not-the-password"), "no password in the log");
    assert!(has("kick", "admin"), "{list}");
    assert!(
        has(
            "settings_changed",
            &format!("offer_timeout_s: {before} → {}", before + 7)
        ),
        "{list}"
    );

    // Someone with the database file edits the kick row.
    let url = format!(
        "sqlite://{}",
        RelayConfig::new(&data).database_path().display()
    );
    let pool = sqlx::SqlitePool::connect(&url).await.expect("connect");
    sqlx::query("DROP TRIGGER audit_log_no_update")
        .execute(&pool)
        .await
        .expect("drop");
    sqlx::query("UPDATE audit_log SET actor = 'agent 0 nobody' WHERE action = 'kick'")
        .execute(&pool)
        .await
        .expect("tamper");
    pool.close().await;
    let (ok, out) = audit_cli(&data, &["verify"]);
    assert!(!ok, "tampering not caught: {out}");
    assert!(out.starts_with("broken at row "), "{out}");
    assert!(out.contains("edited"), "{out}");
}
