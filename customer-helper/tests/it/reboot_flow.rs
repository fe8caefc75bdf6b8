//! Reboot and reconnect (C8) in the helper window with a fake network: the consent prompt (in
//! both languages), the real one-time start entry written into a private `XDG_CONFIG_HOME`, the
//! reboot replaced by `PORPOISE_REBOOT_COMMAND`, and the start after the reboot presenting its
//! token instead of showing the request screen.

use crate::common;

use common::{options, FakeNet};
use egui_kittest::{kittest::Queryable, Harness};
use porpoise_helper::{
    app::WINDOW_SIZE,
    net::{NetEvent, NetLink, RequestFailure},
    reboot::{Relaunch, AUTOSTART_FILE, REBOOT_COMMAND_ENV},
    AppOptions, HelperApp,
};
use porpoise_protocol::wire::rpc;
use porpoise_protocol::wire::{
    ActionState, ApiError, Event, Party, ReconnectToken, RemoteAction, Request, Response,
    ServiceMode, SessionId, SessionInfo, TokenRefusal,
};
use porpoise_ui::Language;
use tokio::sync::mpsc;

const SID: SessionId = SessionId(9);
const TOKEN: ReconnectToken = ReconnectToken([0x3c; 32]);

fn session_info() -> SessionInfo {
    SessionInfo {
        session_id: SID,
        customer_name: "Wang Wei".into(),
        customer_phone: String::new(),
        agent_name: "Alice".into(),
        started_at: 0,
        messages: vec![],
    }
}

/// A helper window; `setup` configures the app (reboot, token) before the first frame.
fn harness(
    language: Language,
    setup: impl FnOnce(HelperApp) -> HelperApp,
) -> (Harness<'static, HelperApp>, FakeNet) {
    let (cmd_tx, cmd_rx) = mpsc::channel(256);
    let (ev_tx, ev_rx) = mpsc::channel(64);
    let app_options = AppOptions {
        language,
        name: "Wang Wei".into(),
        phone: String::new(),
        session_code: String::new(),
        auto_request: false,
        relay_addr: "relay.example:18000".into(),
    };
    let link = NetLink {
        commands: cmd_tx,
        events: ev_rx,
    };
    let app = setup(HelperApp::new(app_options, link));
    let harness = Harness::builder()
        .with_size(WINDOW_SIZE)
        .with_context_setup(porpoise_ui::install_fonts_compact)
        .build_ui_state(
            |ui, app: &mut HelperApp| {
                let ctx = ui.ctx().clone();
                app.poll_net(&ctx);
                app.root_ui(ui);
            },
            app,
        );
    (
        harness,
        FakeNet {
            events: ev_tx,
            commands: cmd_rx,
        },
    )
}

fn changed(state: ActionState) -> Event {
    Event::ActionChanged {
        session_id: SID,
        action: RemoteAction::Reboot,
        state,
        by: Party::Customer,
    }
}

/// Served by Alice, who asks for the reboot; the customer clicks Accept, the relay grants and
/// answers the token request.
fn accept_reboot(h: &mut Harness<'static, HelperApp>, net: &mut FakeNet) {
    net.welcome(options(ServiceMode::AutoAssign), Some(session_info()));
    h.run();
    net.drain();
    net.relay(Event::ConsentRequested {
        session_id: SID,
        action: RemoteAction::Reboot,
    });
    h.run();
    h.get_by_label_contains("Alice asks to restart your computer and reconnect");
    common::wait_consent_armed(h);
    let accept = h.get_by_label("Accept");
    accept.hover();
    h.run();
    h.get_by_label("Accept").click();
    h.run();
    assert_eq!(
        net.requests(),
        vec![Request::AnswerConsent(rpc::AnswerConsent {
            session_id: SID,
            action: RemoteAction::Reboot,
            grant: true
        })]
    );
    net.relay(changed(ActionState::Granted));
    h.run();
    assert_eq!(
        net.requests(),
        vec![Request::RequestReconnectToken(rpc::RequestReconnectToken {
            session_id: SID
        })]
    );
    net.push(NetEvent::Answered {
        request: Request::RequestReconnectToken(rpc::RequestReconnectToken { session_id: SID }),
        result: Ok(Response::ReconnectToken(rpc::IssuedReconnectToken {
            token: TOKEN,
            expires_at: 1,
        })),
    });
    h.run();
}

/// Runs frames until the reboot's outcome (it runs on a worker thread) is on screen: `text`.
fn wait_for_outcome(h: &mut Harness<'static, HelperApp>, text: &str) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while h.query_by_label_contains(text).is_none() {
        assert!(
            std::time::Instant::now() < deadline,
            "no {text:?} within 10 s"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
        h.run();
    }
}

#[test]
fn the_chinese_prompt_names_the_agent_and_warns_to_save_work() {
    let (mut h, mut net) = harness(Language::ZhCn, |app| app);
    net.welcome(options(ServiceMode::AutoAssign), Some(session_info()));
    h.run();
    net.drain();
    net.relay(Event::ConsentRequested {
        session_id: SID,
        action: RemoteAction::Reboot,
    });
    h.run();
    h.get_by_label_contains("Alice 请求重启您的电脑并重连");
    h.get_by_label_contains("请先保存您正在编辑的文件");
    // Reject: nothing is registered, no token is asked for.
    let reject = h.get_by_label("拒绝");
    reject.hover();
    h.run();
    h.get_by_label("拒绝").click();
    h.run();
    assert_eq!(
        net.requests(),
        vec![Request::AnswerConsent(rpc::AnswerConsent {
            session_id: SID,
            action: RemoteAction::Reboot,
            grant: false
        })]
    );
}

/// One test for everything that changes the process environment (XDG_CONFIG_HOME, the reboot
/// command), so nothing else in this binary runs while it is changed.
#[test]
fn accepting_registers_the_one_time_start_and_reboots() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config_home = dir.path().join("config home");
    let marker = dir.path().join("rebooted");
    std::env::set_var("XDG_CONFIG_HOME", &config_home);
    std::env::set_var(REBOOT_COMMAND_ENV, format!("touch '{}'", marker.display()));
    let relaunch = Relaunch {
        exe: dir.path().join("My Helper/porpoise-helper"),
        args: vec!["--center".into(), "8000001".into()],
    };
    let entry = config_home.join("autostart").join(AUTOSTART_FILE);

    let with_reboot = relaunch.clone();
    let (mut h, mut net) = harness(Language::En, move |app| app.with_reboot(Some(with_reboot)));
    accept_reboot(&mut h, &mut net);
    wait_for_outcome(&mut h, "The computer is restarting");
    assert!(marker.exists(), "the reboot command ran");
    let text = std::fs::read_to_string(&entry).expect("autostart entry");
    let exe = dir.path().join("My Helper/porpoise-helper");
    assert!(
        text.contains(&format!(
            "Exec=\"{}\" \"--center\" \"8000001\" \"--reconnect-token\" \"{}\"\n",
            exe.display(),
            TOKEN.to_hex()
        )),
        "{text}"
    );
    assert!(text.contains("X-GNOME-Autostart-enabled=true"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&entry)
            .expect("meta")
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "the token is readable by the owner only");
    }
    h.get_by_label_contains("The computer is restarting");

    // A reboot that fails leaves nothing registered and says why.
    std::fs::remove_file(&entry).expect("remove");
    std::env::set_var(REBOOT_COMMAND_ENV, "exit 3");
    let (mut h, mut net) = harness(Language::En, move |app| app.with_reboot(Some(relaunch)));
    accept_reboot(&mut h, &mut net);
    wait_for_outcome(&mut h, "Could not restart the computer");
    assert!(
        !entry.exists(),
        "no start after a reboot that did not happen"
    );
    h.get_by_label_contains("Could not restart the computer");

    std::env::remove_var(REBOOT_COMMAND_ENV);
    std::env::remove_var("XDG_CONFIG_HOME");
}

#[test]
fn the_start_after_the_reboot_presents_the_token_and_rejoins() {
    let (mut h, mut net) = harness(Language::En, |app| app.with_reconnect_token(Some(TOKEN)));
    net.welcome(options(ServiceMode::AutoAssign), None);
    h.run();
    assert_eq!(
        net.requests(),
        vec![Request::RedeemReconnectToken(rpc::RedeemReconnectToken {
            token: TOKEN
        })]
    );
    assert_eq!(
        h.state().state().service,
        porpoise_helper::state::ServiceState::Requesting,
        "no request screen while the token is checked"
    );
    net.push(NetEvent::Answered {
        request: Request::RedeemReconnectToken(rpc::RedeemReconnectToken { token: TOKEN }),
        result: Ok(Response::SessionStarted(session_info())),
    });
    h.run();
    assert_eq!(h.state().state().session().map(|s| s.session_id), Some(SID));
    h.get_by_label_contains("Alice");
}

#[test]
fn an_expired_token_shows_the_request_screen_with_the_reason() {
    let (mut h, mut net) = harness(Language::En, |app| app.with_reconnect_token(Some(TOKEN)));
    net.welcome(options(ServiceMode::AutoAssign), None);
    h.run();
    net.drain();
    net.push(NetEvent::Answered {
        request: Request::RedeemReconnectToken(rpc::RedeemReconnectToken { token: TOKEN }),
        result: Err(RequestFailure::Relay(ApiError::BadReconnectToken(
            TokenRefusal::Expired,
        ))),
    });
    h.run();
    h.get_by_label_contains("Could not return to the session from before the restart");
    // The relay's reason, as lang::errors words it in the UI's language.
    h.get_by_label_contains("This reconnect token has expired");
    assert!(h.state().state().session().is_none());
}
