//! Reconnect-and-resume against the real relay (R13): the console (real network task, UI driven
//! by egui_kittest) keeps its session through a relay restart, and a chat message written while
//! the relay is down is stored exactly once after the console reconnects by itself.

use porpoise_protocol::wire::rpc;
use std::{net::SocketAddr, time::Duration};

use crate::common::wait_for;
use egui::accesskit::Role as A11y;
use egui_kittest::{kittest::Queryable, Harness};
use porpoise_agent::{
    net,
    notify::Notifier,
    state::{Delivery, Link},
    AgentApp, AgentConfig, Password,
};
use porpoise_protocol::wire::{HelloRole, InstallId, Request, Response, ServiceRoute, Welcome};
use porpoise_quic::{
    client::{connect, ClientConfig},
    tls::Fingerprint,
};
use porpoise_relay::{Relay, RelayConfig, DEMO_CENTER_ID, DEMO_PASSWORD};
use porpoise_ui::Language;
use tokio::{runtime::Runtime, sync::oneshot, task::JoinHandle};

const WAIT: Duration = Duration::from_secs(30);
const INSTALL_ID: InstallId = InstallId(4242);
const OUTAGE_TEXT: &str = "written while the relay was down";

struct Running {
    stop: oneshot::Sender<()>,
    task: JoinHandle<Result<(), porpoise_relay::RelayError>>,
}

async fn start(dir: &std::path::Path, listen: SocketAddr) -> (Running, SocketAddr, Fingerprint) {
    let mut config = RelayConfig::new(dir);
    config.listen = listen;
    config.demo = true;
    let relay = Relay::bind(config).await.expect("bind");
    let (addr, fingerprint) = (relay.local_addr(), relay.fingerprint());
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(relay.run(async move {
        let _ = stopped.await;
    }));
    (Running { stop, task }, addr, fingerprint)
}

impl Running {
    async fn stop(self) {
        let _ = self.stop.send(());
        let stopped = tokio::time::timeout(WAIT, self.task).await;
        stopped.expect("relay stops").expect("join").expect("run");
    }
}

fn customer_history(rt: &Runtime, relay: &ClientConfig) -> Vec<String> {
    let role = HelloRole::Customer {
        center_id: DEMO_CENTER_ID,
        install_id: INSTALL_ID,
    };
    let (_client, welcome, _) = rt
        .block_on(connect(relay, role))
        .expect("customer connects");
    match welcome {
        Welcome::Customer {
            session: Some(info),
            ..
        } => info.messages.into_iter().map(|m| m.text).collect(),
        other => panic!("no session in {other:?}"),
    }
}

#[test]
fn the_console_reconnects_after_a_relay_restart_and_stores_outage_chat_once() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let dir = tempfile::tempdir().expect("tempdir");
    let any: SocketAddr = "127.0.0.1:0".parse().expect("addr");
    let (relay, addr, fingerprint) = rt.block_on(start(dir.path(), any));
    let client_config = ClientConfig {
        relay_addr: addr.to_string(),
        fingerprint,
    };

    // A customer waits in the queue.
    let role = HelloRole::Customer {
        center_id: DEMO_CENTER_ID,
        install_id: INSTALL_ID,
    };
    let (customer, _, _customer_events) = rt
        .block_on(connect(&client_config, role))
        .expect("customer connects");
    let ask = Request::RequestService(rpc::RequestService {
        name: "Ann".into(),
        phone: String::new(),
        route: ServiceRoute::AutoAssign {
            group_id: None,
            product_type_id: None,
        },
    });
    let queued = rt.block_on(customer.request(ask));
    assert!(
        matches!(queued, Ok(Response::Queued(rpc::Queued { .. }))),
        "{queued:?}"
    );

    // The console logs in by itself and accepts her.
    let mut config = AgentConfig::with_language(Language::En);
    config.relay_addr = addr.to_string();
    config.fingerprint = Some(fingerprint);
    config.center_id = Some(DEMO_CENTER_ID);
    config.username = Some("agent1".into());
    config.password = Some(Password::new(DEMO_PASSWORD));
    config.auto_login = true;
    let channels = net::spawn(rt.handle(), egui::Context::default());
    let app = AgentApp::new(&config, channels, Notifier::recording().0);
    let mut harness = Harness::builder()
        .with_size([1400.0, 900.0])
        .with_max_steps(8)
        .with_context_setup(porpoise_ui::install_fonts)
        .build_ui_state(|ui, app: &mut AgentApp| app.frame_ui(ui), app);
    wait_for(&mut harness, "the queue", |app| {
        app.workspace().is_some_and(|ws| !ws.queue().is_empty())
    });
    // In the queue, and in the offer popup when the center offers customers to agents.
    let accept = harness
        .query_all_by_role_and_label(A11y::Button, "Accept")
        .next();
    accept.expect("an Accept button").click();
    wait_for(&mut harness, "the session", |app| {
        app.workspace().is_some_and(|ws| !ws.sessions().is_empty())
    });

    // The relay restarts; the console keeps the tab and reconnects by itself.
    rt.block_on(relay.stop());
    drop(customer);
    wait_for(&mut harness, "the lost connection", |app| {
        app.workspace().is_some_and(|ws| ws.reconnecting())
    });
    harness.get_by_label_contains("Connection lost — reconnecting…");
    harness.get_by_label("Message").click();
    harness.get_by_label("Message").type_text(OUTAGE_TEXT);
    harness.key_press(egui::Key::Enter);
    harness.run_steps(2);
    let (relay, _, _) = rt.block_on(start(dir.path(), addr));
    wait_for(&mut harness, "the reconnect and the stored chat", |app| {
        app.workspace().is_some_and(|ws| {
            *ws.link() == Link::Up
                && ws.sessions()[0]
                    .chat
                    .iter()
                    .any(|e| e.message.text == OUTAGE_TEXT && e.delivery == Delivery::Stored)
        })
    });
    assert!(harness.query_by_label_contains("Connection lost").is_none());

    let history = customer_history(&rt, &client_config);
    let stored = history.iter().filter(|t| *t == OUTAGE_TEXT).count();
    assert_eq!(stored, 1, "{history:?}");
    drop(harness);
    rt.block_on(relay.stop());
}
