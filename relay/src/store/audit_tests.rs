//! Audit-log tests on a temporary SQLite file: chaining per center, concurrent appends,
//! append-only triggers, and tampering found by `verify_audit`.

use porpoise_protocol::wire::CenterId;

use super::*;
use crate::core::{AuditAction, AuditEntry};

fn entry(center: u32, at: i64, detail: &str) -> AuditEntry {
    AuditEntry::new(
        CenterId(center),
        at,
        "agent 9 admin".into(),
        AuditAction::SettingsChanged,
        "center settings".into(),
        detail.into(),
    )
}

#[tokio::test]
async fn chains_are_per_center_and_tampering_is_found() {
    let dir = tempfile::tempdir().expect("dir");
    let store = Store::open(&dir.path().join("relay.sqlite3"))
        .await
        .expect("open");
    let (a, b) = (CenterId(8_000_001), CenterId(8_000_002));
    assert_eq!(
        store.verify_audit(a).await.expect("verify"),
        AuditCheck::Intact { rows: 0 }
    );
    // Concurrent appends of one process never take the same seq.
    let mut appends = tokio::task::JoinSet::new();
    for i in 0..40 {
        let store = store.clone();
        let center = if i % 4 == 0 { b.0 } else { a.0 };
        appends.spawn(async move {
            store
                .append_audit(&entry(center, i, &format!("offer_timeout_s: 20 → {i}")))
                .await
        });
    }
    while let Some(result) = appends.join_next().await {
        result.expect("task").expect("append");
    }
    assert_eq!(
        store.verify_audit(a).await.expect("verify"),
        AuditCheck::Intact { rows: 30 }
    );
    assert_eq!(
        store.verify_audit(b).await.expect("verify"),
        AuditCheck::Intact { rows: 10 }
    );
    let newest = store.audit_log(a, 5).await.expect("list");
    assert_eq!(newest.len(), 5);
    assert_eq!(newest[0].seq, 30);
    assert_eq!(newest[0].action, "settings_changed");

    // The relay's own connection cannot change or delete a row.
    let update = sqlx::query("UPDATE audit_log SET detail = 'nothing' WHERE seq = 7")
        .execute(&store.pool)
        .await;
    assert!(update.is_err(), "append-only");
    assert!(sqlx::query("DELETE FROM audit_log WHERE seq = 7")
        .execute(&store.pool)
        .await
        .is_err());

    // Someone with the file drops the guard and edits row 7 of center A: the chain shows it.
    sqlx::query("DROP TRIGGER audit_log_no_update")
        .execute(&store.pool)
        .await
        .expect("drop");
    sqlx::query("UPDATE audit_log SET detail = 'nothing happened' WHERE center_id = ? AND seq = 7")
        .bind(i64::from(a.0))
        .execute(&store.pool)
        .await
        .expect("tamper");
    match store.verify_audit(a).await.expect("verify") {
        AuditCheck::Broken { seq: 7, why } => assert!(why.contains("edited"), "{why}"),
        other => panic!("expected row 7 broken, got {other:?}"),
    }
    assert_eq!(
        store.verify_audit(b).await.expect("verify"),
        AuditCheck::Intact { rows: 10 },
        "the other center's chain is its own"
    );

    // Deleting a row in the middle is found too.
    sqlx::query("DROP TRIGGER audit_log_no_delete")
        .execute(&store.pool)
        .await
        .expect("drop");
    sqlx::query("DELETE FROM audit_log WHERE center_id = ? AND seq = 3")
        .bind(i64::from(b.0))
        .execute(&store.pool)
        .await
        .expect("delete");
    assert!(matches!(
        store.verify_audit(b).await.expect("verify"),
        AuditCheck::Broken { seq: 3, .. }
    ));
}
