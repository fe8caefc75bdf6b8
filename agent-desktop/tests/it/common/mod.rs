//! Helpers shared by the UI flow tests.
#![allow(dead_code)]

use egui_kittest::{
    kittest::{NodeT, Queryable},
    Harness,
};
pub use porpoise_agent::{
    clock::now_unix_ms,
    net::{Call, RelaySide},
    notify::{Notifier, Recording},
    AgentApp, AgentConfig, NetChannels, NetCommand, NetEvent,
};
use porpoise_protocol::wire::rpc;
use porpoise_protocol::wire::{
    AgentCard, AgentWelcome, CenterSettings, ChatMessage, Event, Group, Offer, Party, Presence,
    ProductType, Request, Response, Role, SessionInfo,
};
use porpoise_protocol::wire::{
    AgentId, GroupId, MessageId, OfferId, ProductTypeId, SessionId, TicketId,
};
use porpoise_ui::Language;

/// The id of the logged-in test agent.
pub const ME: AgentId = AgentId(1);

/// A colleague card.
pub fn card(agent_id: AgentId, nickname: &str, presence: Presence, sessions: u32) -> AgentCard {
    AgentCard {
        agent_id,
        nickname: nickname.into(),
        title: String::new(),
        phone: String::new(),
        photo: String::new(),
        groups: vec![GroupId(1)],
        presence,
        sessions,
        max_sessions: 5,
    }
}

/// The Welcome profile of an online agent with two colleagues and one group.
pub fn profile(role: Role) -> Box<AgentWelcome> {
    Box::new(AgentWelcome {
        agent_id: ME,
        role,
        permissions: role.default_permissions().to_vec(),
        presence: Presence::Online,
        auto_away_min: None,
        queue_count: 0,
        agents: vec![
            card(ME, "Agent One", Presence::Online, 0),
            card(AgentId(2), "李四", Presence::Online, 2),
            card(AgentId(3), "王五", Presence::Offline, 0),
        ],
        groups: vec![Group {
            group_id: GroupId(1),
            name: "售后服务".into(),
        }],
        product_types: vec![ProductType {
            product_type_id: ProductTypeId(8),
            name: "打印机".into(),
        }],
        settings: CenterSettings::default(),
        offline_messages: vec![],
        offline_pending: 0,
        offers: vec![],
    })
}

pub const SESSION: SessionId = SessionId(77);

pub fn app() -> (Harness<'static, AgentApp>, RelaySide, Recording) {
    let (net, side) = NetChannels::pair();
    let (notifier, recording) = Notifier::recording();
    let app = AgentApp::new(&AgentConfig::with_language(Language::En), net, notifier);
    let harness = Harness::builder()
        .with_size([1400.0, 900.0])
        .with_max_steps(40)
        .with_context_setup(porpoise_ui::install_fonts)
        .build_ui_state(|ui, app: &mut AgentApp| app.frame_ui(ui), app);
    (harness, side, recording)
}

/// Commands sent, without the background reads (A13/A15: every tab asks `GetCustomerProfile`
/// once; a login asks `ListPendingRecords`); `all_commands` keeps them.
pub fn commands(side: &mut RelaySide) -> Vec<NetCommand> {
    all_commands(side)
        .into_iter()
        .filter(|c| {
            !matches!(
                c,
                NetCommand::Call(Call(
                    Request::GetCustomerProfile(rpc::GetCustomerProfile { .. })
                        | Request::ListPendingRecords(rpc::ListPendingRecords)
                ))
            )
        })
        .collect()
}

/// Every command sent.
pub fn all_commands(side: &mut RelaySide) -> Vec<NetCommand> {
    std::iter::from_fn(|| side.commands.try_recv().ok()).collect()
}

/// The relay requests sent through `NetCommand::Call`.
pub fn calls(side: &mut RelaySide) -> Vec<Request> {
    commands(side)
        .into_iter()
        .filter_map(|c| match c {
            NetCommand::Call(Call(body)) => Some(body),
            _ => None,
        })
        .collect()
}

pub fn send(side: &RelaySide, event: NetEvent) {
    side.events.try_send(event).expect("event channel has room");
}

pub fn relay(side: &RelaySide, event: Event) {
    send(side, NetEvent::Relay(event));
}

pub fn answer(
    side: &RelaySide,
    body: Request,
    result: Result<Response, porpoise_protocol::wire::ApiError>,
) {
    send(
        side,
        NetEvent::Answered {
            call: Call(body),
            result,
        },
    );
}

pub fn session(messages: Vec<ChatMessage>) -> SessionInfo {
    SessionInfo {
        session_id: SESSION,
        customer_name: "张三".into(),
        customer_phone: "13800000000".into(),
        agent_name: "Agent One".into(),
        started_at: now_unix_ms(),
        messages,
    }
}

pub fn message(id: u128, from: Party, text: &str) -> ChatMessage {
    ChatMessage {
        message_id: MessageId(id),
        from,
        text: text.into(),
        sent_at: now_unix_ms(),
        image: None,
    }
}

pub fn log_in(
    harness: &mut Harness<'static, AgentApp>,
    side: &RelaySide,
    role: Role,
    edit: impl FnOnce(&mut porpoise_protocol::wire::AgentWelcome),
    sessions: Vec<SessionInfo>,
) {
    harness.run();
    let mut profile = profile(role);
    edit(&mut profile);
    send(
        side,
        NetEvent::LoggedIn {
            display_name: "Agent One".into(),
            queue: vec![],
            sessions,
            profile,
        },
    );
    harness.run();
    harness.get_by_label("Logged in as Agent One");
}

pub fn offer(offer_id: u64, name: &str) -> Offer {
    Offer {
        offer_id: OfferId(offer_id),
        ticket_id: TicketId(offer_id + 100),
        customer_name: name.into(),
        customer_phone: "13900000000".into(),
        group_id: Some(GroupId(1)),
        product_type_id: None,
        expires_in_ms: 20_000,
    }
}

/// The seconds shown by the only countdown on screen.
pub fn countdown(harness: &Harness<'static, AgentApp>) -> u64 {
    let node = harness.get_by_label_contains(" s left");
    let a11y = node.accesskit_node();
    let label = a11y.value().or_else(|| a11y.label()).expect("label");
    label
        .trim_end_matches(" s left")
        .parse()
        .expect("a number of seconds")
}

/// Tells the console its window has (or lost) the keyboard focus, as the desktop would.
#[allow(dead_code)]
pub fn set_focused(harness: &mut Harness<'static, AgentApp>, focused: bool) {
    harness
        .input_mut()
        .viewports
        .entry(egui::ViewportId::ROOT)
        .or_default()
        .focused = Some(focused);
}

/// Longest a loopback test waits for the console to reach a state.
#[allow(dead_code)]
pub const LOOPBACK_WAIT: std::time::Duration = std::time::Duration::from_secs(30);

/// Runs frames until `done` holds for the app (real network task behind it), or panics naming
/// `what` after [`LOOPBACK_WAIT`].
#[allow(dead_code)]
pub fn wait_for(harness: &mut Harness<'_, AgentApp>, what: &str, done: impl Fn(&AgentApp) -> bool) {
    let start = std::time::Instant::now();
    loop {
        harness.run_steps(2);
        if done(harness.state()) {
            return;
        }
        assert!(
            start.elapsed() < LOOPBACK_WAIT,
            "timed out waiting for {what}"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}
