//! The fake network of the UI tests: the test plays the relay by sending `NetEvent`s and reads
//! the `NetCommand`s the app sends.

#![allow(dead_code)]

use egui_kittest::Harness;
use porpoise_helper::{
    app::WINDOW_SIZE,
    net::{NetCommand, NetEvent, NetLink},
    AppOptions, HelperApp,
};
use porpoise_protocol::wire::{
    AgentCard, Event, Group, Presence, ProductType, Request, ServiceMode, ServiceOptions,
    SessionInfo,
};
use porpoise_protocol::wire::{AgentId, GroupId, ProductTypeId};
use porpoise_ui::Language;
use tokio::sync::mpsc;

/// The test's ends of the channels: it plays the relay and the network task.
pub struct FakeNet {
    pub events: mpsc::Sender<NetEvent>,
    pub commands: mpsc::Receiver<NetCommand>,
}

impl FakeNet {
    pub fn push(&self, event: NetEvent) {
        self.events.try_send(event).expect("event channel has room");
    }

    pub fn relay(&self, event: Event) {
        self.push(NetEvent::Event(event));
    }

    pub fn drain(&mut self) -> Vec<NetCommand> {
        std::iter::from_fn(|| self.commands.try_recv().ok()).collect()
    }

    /// The requests among the drained commands (typing previews and sharing left out).
    pub fn requests(&mut self) -> Vec<Request> {
        self.drain()
            .into_iter()
            .filter_map(|c| match c {
                NetCommand::Request(r) => Some(r),
                _ => None,
            })
            .collect()
    }

    /// The relay welcomes the helper with `options`.
    pub fn welcome(&self, options: ServiceOptions, session: Option<SessionInfo>) {
        self.push(NetEvent::Connected {
            center_name: "Acme Support".into(),
            session,
            queue_position: None,
            options,
        });
    }
}

pub fn harness(language: Language, name: &str) -> (Harness<'static, HelperApp>, FakeNet) {
    harness_with(language, name, "")
}

pub fn harness_with(
    language: Language,
    name: &str,
    phone: &str,
) -> (Harness<'static, HelperApp>, FakeNet) {
    let (cmd_tx, cmd_rx) = mpsc::channel(256);
    let (ev_tx, ev_rx) = mpsc::channel(64);
    let options = AppOptions {
        language,
        name: name.into(),
        phone: phone.into(),
        session_code: String::new(),
        auto_request: false,
        relay_addr: "relay.example:18000".into(),
    };
    let app = HelperApp::new(
        options,
        NetLink {
            commands: cmd_tx,
            events: ev_rx,
        },
    );
    // Worker jobs (pictures, files) finish between frames: collecting one takes a few more
    // steps than egui_kittest's default 4 when the machine is busy.
    let harness = Harness::builder()
        .with_size(WINDOW_SIZE)
        .with_max_steps(40)
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

pub fn card(agent_id: i64, nickname: &str, groups: Vec<u32>, presence: Presence) -> AgentCard {
    AgentCard {
        agent_id: AgentId(agent_id),
        nickname: nickname.into(),
        title: "技术支持工程师".into(),
        phone: "010-8000".into(),
        photo: String::new(),
        groups: groups.into_iter().map(GroupId).collect(),
        presence,
        sessions: 0,
        max_sessions: 3,
    }
}

/// Two groups (售后服务 = 1, 技术支持 = 2), two product types, three agents: Alice (online,
/// both groups), Bob (busy, group 2), Carol (online, group 1).
pub fn options(mode: ServiceMode) -> ServiceOptions {
    ServiceOptions {
        mode,
        groups: vec![
            Group {
                group_id: GroupId(1),
                name: "售后服务".into(),
            },
            Group {
                group_id: GroupId(2),
                name: "技术支持".into(),
            },
        ],
        product_types: vec![
            ProductType {
                product_type_id: ProductTypeId(7),
                name: "Printer".into(),
            },
            ProductType {
                product_type_id: ProductTypeId(8),
                name: "Router".into(),
            },
        ],
        agents: vec![
            card(10, "Alice", vec![1, 2], Presence::Online),
            card(11, "Bob", vec![2], Presence::Busy),
            card(12, "Carol", vec![1], Presence::Online),
        ],
        open_now: true,
        closed_reply: String::new(),
        faq: Vec::new(),
    }
}

/// Types `text` into the field labelled `label`.
pub fn type_into(h: &mut Harness<'static, HelperApp>, label: &str, text: &str) {
    use egui_kittest::kittest::Queryable;
    h.get_by_label(label).focus();
    h.run();
    h.get_by_label(label).type_text(text);
    h.run();
}

/// Lets the consent prompts on screen arm: Accept works only `CONSENT_ARM_S` after they
/// appeared or changed (each harness step is 0.25 s of UI time).
pub fn wait_consent_armed(h: &mut Harness<'static, HelperApp>) {
    let steps = (porpoise_helper::ui::CONSENT_ARM_S / 0.25).ceil() as usize + 1;
    for _ in 0..steps {
        h.step();
    }
    h.run();
}
