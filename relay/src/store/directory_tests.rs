//! Store tests of the directory writes (issue 13): a real SQLite file, reopened.

use porpoise_protocol::wire::{
    AccountProfile, AccountStatus, ApiError, CatalogEntry, Field, ProductTypeId, Role,
};

use super::*;
use crate::core::{DirectoryChange, DirectoryOp, Secret};

fn entry(name: &str) -> CatalogEntry {
    CatalogEntry {
        name: name.into(),
        client_name: format!("{name}（客户）"),
        hidden: false,
    }
}

#[tokio::test]
async fn accounts_groups_and_product_types_are_written_and_survive_a_reopen() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("relay.sqlite3");
    let store = Store::open(&path).await.expect("open");
    let made = store.create_center("Acme").await.expect("center");
    let center_id = made.center_id;
    let save = |name: &str| DirectoryOp::SaveGroup {
        center_id,
        group_id: None,
        entry: entry(name),
        regions: Vec::new(),
    };
    let Ok(DirectoryChange::Group(vip)) = store.apply_directory(&save("VIP")).await.expect("db")
    else {
        panic!("group");
    };
    let dup = store.apply_directory(&save("VIP")).await.expect("db");
    assert_eq!(
        dup,
        Err(ApiError::Duplicate {
            field: Field::GroupName,
            value: "VIP".into()
        })
    );
    let printer = store
        .create_product_type(center_id, "打印机")
        .await
        .expect("type");
    let profile = AccountProfile {
        display_name: "李四".into(),
        role: Role::Agent,
        custom_role: None,
        title: "工程师".into(),
        phone: "010".into(),
        photo: String::new(),
        groups: vec![vip.group_id],
        product_types: vec![printer],
        max_sessions: 7,
        auto_assign: false,
    };
    let create = DirectoryOp::CreateAccount {
        center_id,
        username: "li.si".into(),
        profile: profile.clone(),
        password: Secret("first password".into()),
    };
    let Ok(DirectoryChange::Account(li)) = store.apply_directory(&create).await.expect("db") else {
        panic!("account");
    };
    assert_eq!(crate::core::profile_of(&li), profile);
    assert_eq!(li.status, AccountStatus::Active);
    let again = store.apply_directory(&create).await.expect("db");
    assert!(matches!(again, Err(ApiError::Duplicate { .. })));
    let auth = store
        .authenticate(center_id, "li.si", "first password")
        .await
        .expect("auth");
    assert!(matches!(auth, AuthOutcome::Verified(_)));
    // Disabled: the right password is told "disabled"; reactivated: logs in again.
    let status = |status| DirectoryOp::SetAccountStatus {
        center_id,
        agent_id: li.agent_id,
        status,
    };
    store
        .apply_directory(&status(AccountStatus::Disabled))
        .await
        .expect("db")
        .expect("disabled");
    let auth = store
        .authenticate(center_id, "li.si", "first password")
        .await
        .expect("auth");
    assert_eq!(auth, AuthOutcome::Disabled);
    assert!(!store
        .usernames(center_id)
        .await
        .expect("names")
        .contains(&"li.si".to_string()));
    store
        .apply_directory(&status(AccountStatus::Active))
        .await
        .expect("db")
        .expect("active");
    store.close().await;
    let store = Store::open(&path).await.expect("reopen");
    let snapshot = store.snapshot().await.expect("snapshot");
    let li_again = snapshot
        .accounts
        .iter()
        .find(|a| a.agent_id == li.agent_id)
        .expect("kept");
    assert_eq!(li_again.product_types, vec![ProductTypeId(printer.0)]);
    assert!(!li_again.auto_assign);
    assert_eq!(snapshot.groups[0].1.entry.client_name, "VIP（客户）");
    // Deleted: out of its groups, username free for a new account, history row kept.
    store
        .apply_directory(&status(AccountStatus::Deleted))
        .await
        .expect("db")
        .expect("deleted");
    let fresh = store.apply_directory(&create).await.expect("db");
    assert!(matches!(fresh, Ok(DirectoryChange::Account(a)) if a.agent_id != li.agent_id));
    let gone = store
        .account(li.agent_id)
        .await
        .expect("db")
        .expect("row kept");
    assert_eq!(gone.status, AccountStatus::Deleted);
    assert!(gone.groups.is_empty());
    // Another center's group is never joined.
    let other = store.create_center("Other").await.expect("center");
    let foreign = DirectoryOp::UpdateAccount {
        center_id: other.center_id,
        agent_id: li.agent_id,
        profile,
    };
    assert!(store.apply_directory(&foreign).await.expect("db").is_err());
}

/// R7: a group's regions and a queued ticket's region are stored and come back after a reopen.
#[tokio::test]
async fn group_regions_and_ticket_regions_survive_a_reopen() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("relay.sqlite3");
    let store = Store::open(&path).await.expect("open");
    let center_id = store.create_center("Acme").await.expect("center").center_id;
    let op = DirectoryOp::SaveGroup {
        center_id,
        group_id: None,
        entry: entry("华南"),
        regions: vec!["CN".into(), "HK".into()],
    };
    let Ok(DirectoryChange::Group(g)) = store.apply_directory(&op).await.expect("db") else {
        panic!("group");
    };
    assert_eq!(g.regions, ["CN", "HK"]);
    let ticket = crate::core::Ticket {
        ticket_id: porpoise_protocol::wire::TicketId(5),
        center_id,
        install_id: crate::core::InstallId(9),
        name: "王".into(),
        phone: String::new(),
        queued_at: 1,
        group_id: None,
        product_type_id: None,
        preferred_agent: None,
        region: Some("CN".into()),
    };
    store
        .apply(&crate::core::StoreOp::InsertTicket(ticket.clone()))
        .await
        .expect("ticket");
    store.close().await;
    let store = Store::open(&path).await.expect("reopen");
    let snapshot = store.snapshot().await.expect("snapshot");
    let group = snapshot
        .groups
        .iter()
        .find(|(_, r)| r.group_id == g.group_id)
        .expect("group");
    assert_eq!(group.1.regions, ["CN", "HK"]);
    assert_eq!(snapshot.queue, vec![ticket]);
}
