//! Scripted set-up of a real center without the demo seed (issue 13, CLI parity): `center
//! create`, `agent add|list`, `group add`, `product-type add`; the new agent logs in over QUIC,
//! a customer sees the group and product type and is offered to that agent; every change is in
//! the audit log.

use std::process::Output;

use crate::common::{connect, relay_cli as relay, start};
use porpoise_protocol::wire::rpc;
use porpoise_protocol::wire::{
    CenterId, HelloRole, InstallId, Request, Response, ServerMessage, ServiceMode, ServiceRoute,
    Welcome,
};

/// The value after `key ` in the command's output.
fn field(out: &Output, key: &str) -> String {
    assert!(
        out.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{key} ")))
        .unwrap_or_else(|| panic!("no {key} in {text}"))
        .to_string()
}

fn refused(out: &Output, needle: &str) {
    assert!(!out.status.success(), "accepted");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(needle), "{needle:?} not in {err}");
}

#[tokio::test]
async fn a_center_made_from_the_cli_serves_a_customer_with_its_own_agent_and_group() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path();
    let made = relay(data, &["center", "create", "--name", "Acme"]);
    let center = field(&made, "center");
    let center_id = CenterId(center.parse().expect("center id"));
    let c = center.as_str();

    let added = relay(
        data,
        &[
            "agent",
            "add",
            "--center-id",
            c,
            "--username",
            "lilei",
            "--display-name",
            "李雷",
            "--group",
            "售后服务",
        ],
    );
    let agent_id = field(&added, "agent");
    let password = field(&added, "password");
    assert!(
        password.chars().count() >= 8,
        "generated password shown once"
    );
    refused(
        &relay(
            data,
            &["agent", "add", "--center-id", c, "--username", "lilei"],
        ),
        "lilei",
    );
    refused(
        &relay(
            data,
            &[
                "agent",
                "add",
                "--center-id",
                c,
                "--username",
                "x",
                "--password",
                "123",
            ],
        ),
        "characters",
    );
    refused(
        &relay(
            data,
            &["agent", "add", "--center-id", "8999999", "--username", "y"],
        ),
        "no center",
    );
    let product = relay(
        data,
        &["product-type", "add", "--center-id", c, "--name", "打印机"],
    );
    field(&product, "product-type");
    let list = relay(data, &["agent", "list", "--center-id", c]);
    let list = String::from_utf8_lossy(&list.stdout).into_owned();
    assert!(
        list.contains(&format!("{agent_id}\tlilei\t李雷\tagent")),
        "{list}"
    );
    assert!(list.contains("\tadmin\t"), "{list}");

    let running = start(data).await;
    let role = HelloRole::Agent {
        center_id,
        username: "lilei".into(),
        password: password.as_str().into(),
    };
    let (mut lilei, first) = connect(&running, role).await;
    let ServerMessage::Welcome(Welcome::Agent { profile, .. }) = first else {
        panic!("lilei not welcomed: {first:?}");
    };
    assert_eq!(profile.agent_id.to_string(), agent_id);
    let (mut customer, first) = connect(
        &running,
        HelloRole::Customer {
            center_id,
            install_id: InstallId(77),
        },
    )
    .await;
    let ServerMessage::Welcome(Welcome::Customer { options, .. }) = first else {
        panic!("customer not welcomed: {first:?}");
    };
    let group = options
        .groups
        .iter()
        .find(|g| g.name == "售后服务")
        .expect("the group is offered in the helper");
    let product = options
        .product_types
        .iter()
        .find(|p| p.name == "打印机")
        .expect("the product type is offered in the helper");
    assert_eq!(options.mode, ServiceMode::AutoAssign);
    let queued = customer
        .request(Request::RequestService(rpc::RequestService {
            name: "Carol".into(),
            phone: "13800000000".into(),
            route: ServiceRoute::AutoAssign {
                group_id: Some(group.group_id),
                product_type_id: Some(product.product_type_id),
            },
        }))
        .await;
    assert!(matches!(queued, Ok(Response::Queued(_))), "{queued:?}");
    let offer = lilei.offer().await;
    let accepted = lilei
        .request(Request::AnswerOffer(rpc::AnswerOffer {
            offer_id: offer.offer_id,
            accept: true,
        }))
        .await;
    assert!(accepted.is_ok(), "{accepted:?}");
    running.stop().await;

    let verify = relay(data, &["audit", "verify", "--center-id", c]);
    assert!(field(&verify, "intact").parse::<u64>().expect("rows") >= 3);
    let log = relay(data, &["audit", "list", "--center-id", c]);
    let log = String::from_utf8_lossy(&log.stdout).into_owned();
    assert!(log.contains("\tcli\taccount_created\tagent "), "{log}");
    assert!(log.contains("product-type"), "{log}");
    assert!(log.contains("\tlogin\t"), "{log}");
}

/// M2: a center past its service period refuses its agents (with the reason) and its
/// customers (neutral), at once and with the relay running; `--never` lifts it.
#[tokio::test]
async fn an_expired_center_refuses_logins_until_extended() {
    use porpoise_protocol::wire::RefusedReason;
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path();
    let made = relay(data, &["center", "create", "--name", "Acme"]);
    let center = field(&made, "center");
    let center_id = CenterId(center.parse().expect("center id"));
    let admin_password = field(&made, "password");
    let relay_running = start(data).await;
    let admin = || HelloRole::Agent {
        center_id,
        username: "admin".into(),
        password: admin_password.clone(),
    };
    let customer = || HelloRole::Customer {
        center_id,
        install_id: InstallId(77),
    };
    refused(
        &relay(
            data,
            &[
                "center",
                "expiry",
                "--center-id",
                &center,
                "--until",
                "2026-02-30",
            ],
        ),
        "not a date",
    );
    let set = relay(
        data,
        &[
            "center",
            "expiry",
            "--center-id",
            &center,
            "--until",
            "2020-01-31",
        ],
    );
    assert_eq!(
        field(&set, "expires_at"),
        "1580515200000",
        "midnight after the last day, UTC"
    );
    let (_a, first) = connect(&relay_running, admin()).await;
    assert_eq!(
        first,
        ServerMessage::Refused(RefusedReason::CenterExpired {
            expired_at: 1_580_515_200_000
        })
    );
    let (_c, first) = connect(&relay_running, customer()).await;
    assert_eq!(first, ServerMessage::Refused(RefusedReason::Unavailable));

    let lifted = relay(
        data,
        &["center", "expiry", "--center-id", &center, "--never"],
    );
    assert_eq!(field(&lifted, "expires_at"), "never");
    let (_a, first) = connect(&relay_running, admin()).await;
    assert!(
        matches!(first, ServerMessage::Welcome(Welcome::Agent { .. })),
        "{first:?}"
    );
    let (_c, first) = connect(&relay_running, customer()).await;
    assert!(matches!(first, ServerMessage::Welcome(_)), "{first:?}");
    relay_running.stop().await;
}

/// M4 CLI parity: `role add` makes a custom role through the same checks as the admin window
/// (an unknown permission is refused), `role list` shows it, the audit log has it.
#[tokio::test]
async fn custom_roles_are_scripted_from_the_cli() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path();
    let center = field(
        &relay(data, &["center", "create", "--name", "Acme"]),
        "center",
    );
    let c = center.as_str();
    refused(
        &relay(
            data,
            &[
                "role",
                "add",
                "--center-id",
                c,
                "--name",
                "X",
                "--permission",
                "fly",
            ],
        ),
        "unknown permission",
    );
    refused(
        &relay(data, &["role", "add", "--center-id", c, "--name", " "]),
        "",
    );
    let added = relay(
        data,
        &[
            "role",
            "add",
            "--center-id",
            c,
            "--name",
            "质检员",
            "--base",
            "group-leader",
            "--permission",
            "monitor-agents",
            "--permission",
            "see_audit_log",
        ],
    );
    let id = field(&added, "role");
    let list = relay(data, &["role", "list", "--center-id", c]);
    assert!(list.status.success());
    let text = String::from_utf8_lossy(&list.stdout);
    assert_eq!(
        text.trim(),
        format!("{id}\t质检员\tGroupLeader\tMonitorAgents,SeeAuditLog")
    );
    let log = relay(data, &["audit", "list", "--center-id", c]);
    assert!(String::from_utf8_lossy(&log.stdout).contains("role_saved"));
}
