//! Issue 13 acceptance: a company sets up its own center in the admin window. From `center
//! create` (no demo seed), the admin (real relay over QUIC, console driven by egui_kittest)
//! adds a group, a product type and two agents; one agent logs in with the password the
//! admin set and serves a customer who chose that group; the audit log holds every change
//! and its chain verifies.

use std::time::Duration;

use crate::common::wait_for;
use egui::accesskit::Role as A11y;
use egui_kittest::{kittest::Queryable, Harness};
use porpoise_agent::{
    net,
    notify::Notifier,
    state::{AdminDialog, DirectoryPage},
    AgentApp, AgentConfig, Password,
};
use porpoise_protocol::wire::{
    rpc, CenterId, Event, HelloRole, InstallId, Request, Response, ServiceRoute, Welcome,
};
use porpoise_quic::client::{connect, ClientConfig, ClientEvent};
use porpoise_relay::{store::Store, Relay, RelayConfig};
use porpoise_ui::Language;
use tokio::sync::oneshot;

const WAIT: Duration = Duration::from_secs(30);
const GROUP: &str = "VIP 服务";
const PRODUCT: &str = "打印机";
const LILEI_PASSWORD: &str = "lilei-password-1";

fn console<'a>(
    rt: &tokio::runtime::Runtime,
    relay: &ClientConfig,
    center_id: CenterId,
    username: &str,
    password: &str,
) -> Harness<'a, AgentApp> {
    let mut config = AgentConfig::with_language(Language::En);
    config.relay_addr = relay.relay_addr.clone();
    config.fingerprint = Some(relay.fingerprint);
    config.center_id = Some(center_id);
    config.username = Some(username.into());
    config.password = Some(Password::new(password));
    config.auto_login = true;
    let channels = net::spawn(rt.handle(), egui::Context::default());
    let app = AgentApp::new(&config, channels, Notifier::recording().0);
    let mut harness = Harness::builder()
        .with_size([1500.0, 950.0])
        .with_max_steps(8)
        .with_context_setup(porpoise_ui::install_fonts)
        .build_ui_state(|ui, app: &mut AgentApp| app.frame_ui(ui), app);
    wait_for(&mut harness, "the login", |app| app.workspace().is_some());
    harness
}

/// The directory dialog's view, if open and loaded with no request pending.
fn idle_directory(app: &AgentApp) -> Option<&porpoise_agent::state::DirectoryView> {
    match app.workspace()?.admin()? {
        AdminDialog::Directory(view) if view.dir.is_some() && !view.status.busy() => Some(view),
        _ => None,
    }
}

/// Clicks the button labelled `label` (the first when several).
fn click(harness: &mut Harness<'_, AgentApp>, label: &str) {
    harness
        .query_all_by_role_and_label(A11y::Button, label)
        .next()
        .unwrap_or_else(|| panic!("no button {label:?}"))
        .click();
    harness.run_steps(2);
}

/// Types into the text box labelled `label` (column headers may carry the same words).
fn type_into(harness: &mut Harness<'_, AgentApp>, label: &str, text: &str) {
    harness
        .get_by_role_and_label(A11y::TextInput, label)
        .click();
    harness.run_steps(1);
    harness
        .get_by_role_and_label(A11y::TextInput, label)
        .type_text(text);
    harness.run_steps(2);
}

fn open_page(harness: &mut Harness<'_, AgentApp>, page: &str, which: DirectoryPage) {
    click(harness, "Admin");
    click(harness, page);
    wait_for(harness, page, |app| {
        idle_directory(app).is_some_and(|v| v.page == which)
    });
}

#[test]
fn an_admin_sets_up_a_new_center_in_the_admin_window_and_an_agent_serves_a_customer() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let data = tempfile::tempdir().expect("tempdir");
    let config = RelayConfig::new(data.path());
    // `porpoise-relay center create --name Acme`.
    let made = rt.block_on(async {
        let store = Store::open(&config.database_path()).await.expect("store");
        let made = store.create_center("Acme").await.expect("center create");
        store.close().await;
        made
    });
    let center_id = made.center_id;
    let mut config = config;
    config.listen = "127.0.0.1:0".parse().expect("addr");
    let relay = rt.block_on(Relay::bind(config)).expect("bind");
    let client = ClientConfig {
        relay_addr: relay.local_addr().to_string(),
        fingerprint: relay.fingerprint(),
    };
    let (stop, stopped) = oneshot::channel::<()>();
    let task = rt.spawn(relay.run(async move {
        let _ = stopped.await;
    }));

    let mut admin = console(&rt, &client, center_id, "admin", &made.admin_password);

    // 分组管理: a group.
    open_page(&mut admin, "Groups", DirectoryPage::Groups);
    click(&mut admin, "New group");
    type_into(&mut admin, "Group name", GROUP);
    type_into(&mut admin, "Name customers see", "VIP");
    type_into(&mut admin, "Regions served first", "cn, hk");
    click(&mut admin, "Save");
    wait_for(&mut admin, "the group", |app| {
        idle_directory(app).is_some_and(|v| v.dir.as_ref().is_some_and(|d| d.groups.len() == 1))
    });
    // 产品类型: a product type, on its tab.
    click(&mut admin, "Product types");
    click(&mut admin, "New product type");
    type_into(&mut admin, "Product type name", PRODUCT);
    click(&mut admin, "Save");
    wait_for(&mut admin, "the product type", |app| {
        idle_directory(app)
            .is_some_and(|v| v.dir.as_ref().is_some_and(|d| d.product_types.len() == 1))
    });
    // 成员管理: two agents of the group, one with a password set, one generated.
    click(&mut admin, "Accounts");
    for (username, name, password) in [
        ("lilei", "李雷", Some(LILEI_PASSWORD)),
        ("hanmeimei", "韩梅梅", None),
    ] {
        click(&mut admin, "New account");
        type_into(&mut admin, "Username", username);
        type_into(&mut admin, "Display name", name);
        admin.get_by_role_and_label(A11y::CheckBox, GROUP).click();
        admin.run_steps(2);
        if let Some(p) = password {
            let field = "Initial password (empty = generate)";
            admin
                .get_by_role_and_label(A11y::PasswordInput, field)
                .click();
            admin.run_steps(1);
            admin
                .get_by_role_and_label(A11y::PasswordInput, field)
                .type_text(p);
            admin.run_steps(2);
        }
        click(&mut admin, "Save");
        wait_for(&mut admin, username, |app| {
            idle_directory(app).is_some_and(|v| {
                v.dir
                    .as_ref()
                    .is_some_and(|d| d.accounts.iter().any(|a| a.username == username))
            })
        });
    }
    let generated = idle_directory(admin.state())
        .and_then(|v| v.created.clone())
        .expect("the generated password is shown once");
    assert_eq!(generated.0, "hanmeimei");
    admin.get_by_label_contains(&generated.1);
    let dir = idle_directory(admin.state())
        .and_then(|v| v.dir.clone())
        .expect("directory");
    let group_id = dir.groups[0].group_id;
    assert_eq!(
        dir.groups[0].regions,
        ["CN", "HK"],
        "R7: checked and upper-cased"
    );
    assert!(dir
        .accounts
        .iter()
        .filter(|a| a.username != "admin")
        .all(|a| a.profile.groups == vec![group_id]));

    // 李雷 logs in with the password the admin set and is offered a customer of the group.
    let mut lilei = console(&rt, &client, center_id, "lilei", LILEI_PASSWORD);
    let (customer, welcome, mut events) = rt
        .block_on(connect(
            &client,
            HelloRole::Customer {
                center_id,
                install_id: InstallId(77),
            },
        ))
        .expect("customer connects");
    let Welcome::Customer { options, .. } = welcome else {
        panic!("{welcome:?}");
    };
    let shown: Vec<&str> = options.groups.iter().map(|g| g.name.as_str()).collect();
    assert_eq!(shown, ["VIP"], "the customer-facing name");
    assert_eq!(options.product_types.len(), 1);
    let queued = rt.block_on(
        customer.request(Request::RequestService(rpc::RequestService {
            name: "王先生".into(),
            phone: "139".into(),
            route: ServiceRoute::AutoAssign {
                group_id: Some(group_id),
                product_type_id: Some(options.product_types[0].product_type_id),
            },
        })),
    );
    assert!(matches!(queued, Ok(Response::Queued(_))), "{queued:?}");
    wait_for(&mut lilei, "the offer", |app| {
        app.workspace().is_some_and(|ws| !ws.offers().is_empty())
    });
    click(&mut lilei, "Accept");
    wait_for(&mut lilei, "the session", |app| {
        app.workspace().is_some_and(|ws| !ws.sessions().is_empty())
    });
    let started = rt.block_on(async {
        tokio::time::timeout(WAIT, async {
            while let Some(msg) = events.recv().await {
                if let ClientEvent::Event(Event::SessionStarted(info)) = msg {
                    return Some(info);
                }
            }
            None
        })
        .await
    });
    let info = started.expect("in time").expect("session started");
    assert_eq!(info.agent_name, "李雷");

    drop((lilei, admin, customer));
    let _ = stop.send(());
    rt.block_on(async {
        let _ = tokio::time::timeout(WAIT, task).await;
    });
    // Every change is in the audit log, whose chain verifies.
    rt.block_on(async {
        let store = Store::open(&RelayConfig::new(data.path()).database_path())
            .await
            .expect("store");
        let actions: Vec<String> = store
            .audit_log(center_id, 100)
            .await
            .expect("audit")
            .into_iter()
            .map(|r| r.action)
            .collect();
        for needed in [
            "group_saved",
            "product_type_saved",
            "account_created",
            "login",
        ] {
            assert!(
                actions.iter().any(|a| a == needed),
                "{needed} in {actions:?}"
            );
        }
        assert_eq!(
            actions.iter().filter(|a| *a == "account_created").count(),
            2
        );
        assert!(matches!(
            store.verify_audit(center_id).await.expect("verify"),
            porpoise_relay::store::AuditCheck::Intact { .. }
        ));
        store.close().await;
    });
}
