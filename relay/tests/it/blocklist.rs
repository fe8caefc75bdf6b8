//! The blocklist (R16) on a real relay over QUIC: a blocked customer connected now is cut off
//! with the neutral `Unavailable` close code and cannot come back (by install ID, or from the
//! same address); an agent without the permission is refused by the relay; a lifted block lets
//! the customer in again; blocks survive a restart; every change is audited.

use std::time::Duration;

use crate::common::{agent, connect, customer, start};
use porpoise_protocol::wire::{
    rpc, ApiError, BlockTarget, CloseCode, InstallId, Permission, RefusedReason, Request, Response,
    ServerMessage,
};
use porpoise_relay::{RelayConfig, Store, DEMO_CENTER_ID};

fn refused(first: &ServerMessage) -> bool {
    matches!(first, ServerMessage::Refused(RefusedReason::Unavailable))
}

#[tokio::test]
async fn a_blocked_customer_is_cut_off_and_stays_out_until_unblocked() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().to_path_buf();
    crate::common::seed_demo(&data).await;
    let relay = start(&data).await;

    let (mut agent1, _) = connect(&relay, agent("agent1")).await;
    let (mut admin, _) = connect(&relay, agent("admin")).await;
    let (mut spammer, first) = connect(&relay, customer(66)).await;
    assert!(matches!(first, ServerMessage::Welcome(_)));
    let asked = spammer
        .request(Request::RequestService(rpc::RequestService {
            name: "spam".into(),
            phone: String::new(),
            route: porpoise_protocol::wire::ServiceRoute::AutoAssign {
                group_id: None,
                product_type_id: None,
            },
        }))
        .await;
    assert!(matches!(asked, Ok(Response::Queued(_))), "{asked:?}");

    // A plain agent has no BlockCustomers permission: the relay refuses.
    let denied = agent1
        .request(Request::AddBlock(rpc::AddBlock {
            target: BlockTarget::Install(InstallId(66)),
            reason: "spam".into(),
            expires_at: None,
        }))
        .await;
    assert_eq!(
        denied,
        Err(ApiError::NotPermitted {
            needed: Permission::BlockCustomers
        })
    );
    let Ok(Response::Blocked(rule)) = admin
        .request(Request::AddBlock(rpc::AddBlock {
            target: BlockTarget::Install(InstallId(66)),
            reason: "发送广告".into(),
            expires_at: None,
        }))
        .await
    else {
        panic!("block");
    };
    let closed = tokio::time::timeout(Duration::from_secs(10), spammer.conn.closed())
        .await
        .expect("cut off in time");
    match closed {
        quinn::ConnectionError::ApplicationClosed(close) => assert_eq!(
            CloseCode::from_code(close.error_code.into_inner()),
            Some(CloseCode::Unavailable)
        ),
        other => panic!("{other:?}"),
    }
    let (_again, first) = connect(&relay, customer(66)).await;
    assert!(refused(&first), "{first:?}");
    let Ok(Response::Blocklist(list)) = admin.request(Request::ListBlocks(rpc::ListBlocks)).await
    else {
        panic!("list");
    };
    assert_eq!(list, vec![rule.clone()]);

    // By address: every helper from 127.0.0.1 is refused; lifting it lets them in.
    let Ok(Response::Blocked(by_ip)) = admin
        .request(Request::AddBlock(rpc::AddBlock {
            target: BlockTarget::Address("127.0.0.1".parse().expect("ip")),
            reason: String::new(),
            expires_at: Some(porpoise_relay::store::unix_ms_now() + 3_600_000),
        }))
        .await
    else {
        panic!("block by ip");
    };
    let (_other, first) = connect(&relay, customer(67)).await;
    assert!(refused(&first), "{first:?}");
    let lifted = admin
        .request(Request::RemoveBlock(rpc::RemoveBlock {
            block_id: by_ip.block_id,
        }))
        .await;
    assert_eq!(lifted, Ok(Response::Done));
    let (_other, first) = connect(&relay, customer(67)).await;
    assert!(matches!(first, ServerMessage::Welcome(_)), "{first:?}");
    drop((agent1, admin));
    relay.stop().await;

    // After a restart the install block still holds; both changes are in the audit log.
    let relay = start(&data).await;
    let (_again, first) = connect(&relay, customer(66)).await;
    assert!(refused(&first), "{first:?}");
    relay.stop().await;
    let store = Store::open(&RelayConfig::new(&data).database_path())
        .await
        .expect("open");
    let actions: Vec<String> = store
        .audit_log(DEMO_CENTER_ID, 50)
        .await
        .expect("audit")
        .into_iter()
        .map(|r| r.action)
        .collect();
    assert_eq!(
        actions.iter().filter(|a| *a == "customer_blocked").count(),
        2
    );
    assert!(actions.iter().any(|a| a == "customer_unblocked"));
    store.close().await;
}
