//! A preview of the work area without a relay: a scripted fake network logs in, queues
//! customers, offers one, hands over a session and chats, so the issue-3 screens can be looked
//! at (and screenshotted) by hand. `PORPOISE_LANG=en` for English; `PREVIEW_ROLE=admin` for an
//! admin account.
//!
//! Run: `cargo run -p porpoise-agent --example desk_preview`

use porpoise_protocol::wire::rpc;
use std::time::Duration;

use porpoise_agent::{notify::Notifier, AgentApp, AgentConfig, NetChannels, NetCommand, NetEvent};
use porpoise_protocol::wire::{
    AgentCard, AgentWelcome, CenterSettings, ChatMessage, Event, Group, LoginInfo, Offer,
    OfflineMessage, Party, Presence, ProductType, QueueEntry, Request, Response, Role, SessionInfo,
    TransferOffer,
};
use porpoise_protocol::wire::{
    AgentId, GroupId, MessageId, OfferId, OfflineMessageId, ProductTypeId, SessionId, TicketId,
    TransferId,
};
use porpoise_ui::Language;

fn card(agent_id: i64, nickname: &str, presence: Presence, sessions: u32) -> AgentCard {
    AgentCard {
        agent_id: AgentId(agent_id),
        nickname: nickname.into(),
        title: "技术支持工程师".into(),
        phone: String::new(),
        photo: String::new(),
        groups: vec![GroupId(1)],
        presence,
        sessions,
        max_sessions: 5,
    }
}

fn now_ms() -> i64 {
    porpoise_agent::clock::now_unix_ms()
}

fn session(id: u64, name: &str, texts: &[(&str, Party)]) -> SessionInfo {
    SessionInfo {
        session_id: SessionId(id),
        customer_name: name.into(),
        customer_phone: "13800000000".into(),
        agent_name: "客服一".into(),
        started_at: now_ms() - 120_000,
        messages: texts
            .iter()
            .enumerate()
            .map(|(i, (text, from))| ChatMessage {
                message_id: MessageId(i as u128 + id as u128 * 100),
                from: *from,
                text: (*text).into(),
                sent_at: now_ms() - 60_000,
                image: None,
            })
            .collect(),
    }
}

fn script(role: Role) -> Vec<(u64, NetEvent)> {
    let profile = AgentWelcome {
        agent_id: AgentId(1),
        role,
        permissions: role.default_permissions().to_vec(),
        presence: if role.serves() {
            Presence::Online
        } else {
            Presence::Offline
        },
        auto_away_min: Some(10),
        queue_count: 2,
        agents: vec![
            card(1, "客服一", Presence::Online, 1),
            card(2, "李四", Presence::Online, 2),
            card(3, "王五", Presence::Busy, 5),
            card(4, "赵敏", Presence::Away, 0),
            card(5, "周杰", Presence::Offline, 0),
        ],
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
        product_types: vec![ProductType {
            product_type_id: ProductTypeId(8),
            name: "打印机".into(),
        }],
        settings: CenterSettings::default(),
        offline_messages: vec![OfflineMessage {
            id: OfflineMessageId(1),
            name: "赵六".into(),
            contact: "zhao@example.com".into(),
            text: "打印机无法连接，请回电话。".into(),
            left_at: now_ms() - 3_600_000,
            handled: None,
        }],
        offline_pending: 1,
        offers: vec![],
    };
    let queue = |n: u64| QueueEntry {
        ticket_id: TicketId(n),
        name: format!("客户{n}"),
        phone: "13900000000".into(),
        queued_at: now_ms() - 65_000 * n as i64,
        group_id: Some(GroupId(1)),
        product_type_id: None,
    };
    let history = [
        ("电脑开不了机", Party::Customer),
        ("请稍等，我帮您转给专家", Party::Agent),
    ];
    vec![
        (
            0,
            NetEvent::LoggedIn {
                display_name: "客服一".into(),
                queue: vec![queue(1), queue(2)],
                sessions: vec![session(
                    7,
                    "张三",
                    &[("你好，我的打印机坏了", Party::Customer)],
                )],
                profile: Box::new(profile),
            },
        ),
        (
            500,
            NetEvent::Relay(Event::TypingPreview {
                session_id: SessionId(7),
                text: "型号是 HP 1020".into(),
            }),
        ),
        (
            800,
            NetEvent::Relay(Event::OfferReceived(Offer {
                offer_id: OfferId(1),
                ticket_id: TicketId(3),
                customer_name: "王小明".into(),
                customer_phone: "13700000000".into(),
                group_id: Some(GroupId(1)),
                product_type_id: None,
                expires_in_ms: 20_000,
            })),
        ),
        (
            1000,
            NetEvent::Relay(Event::TransferOffered(TransferOffer {
                transfer_id: TransferId(1),
                from_agent: AgentId(2),
                session: session(8, "钱七", &history),
                note: "需要硬件专家".into(),
                expires_in_ms: 30_000,
            })),
        ),
        (
            1200,
            NetEvent::Relay(Event::AgentChatReceived(
                porpoise_protocol::wire::AgentChatMessage {
                    message_id: MessageId(1),
                    from: AgentId(3),
                    to: AgentId(1),
                    text: "能帮我看一下 8 号会话吗？".into(),
                    sent_at: now_ms(),
                },
            )),
        ),
    ]
}

fn canned_answer(request: &Request) -> Response {
    match request {
        Request::GetCenterSettings(rpc::GetCenterSettings) => {
            Response::CenterSettings(CenterSettings::default())
        }
        Request::ListLogins(rpc::ListLogins) => Response::Logins(vec![LoginInfo {
            agent_id: AgentId(2),
            username: "lisi".into(),
            address: "10.0.0.5:50123".into(),
            since: now_ms() - 3_600_000,
            presence: Presence::Online,
            role: Role::Agent,
        }]),
        Request::CreateSessionCode(rpc::CreateSessionCode) => {
            Response::SessionCode(rpc::SessionCode {
                code: "493817".into(),
                expires_at: now_ms() + 600_000,
            })
        }
        _ => Response::Done,
    }
}

fn main() -> eframe::Result<()> {
    let lang = match std::env::var("PORPOISE_LANG").as_deref() {
        Ok("en") => Language::En,
        _ => Language::ZhCn,
    };
    let role = match std::env::var("PREVIEW_ROLE").as_deref() {
        Ok("admin") => Role::Admin,
        _ => Role::Agent,
    };
    let (net, mut side) = NetChannels::pair();
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default().with_inner_size([1400.0, 860.0]),
        ..Default::default()
    };
    eframe::run_native(
        "porpoise-desk-preview",
        options,
        Box::new(move |cc| {
            porpoise_ui::install_fonts(&cc.egui_ctx);
            let ctx = cc.egui_ctx.clone();
            std::thread::spawn(move || {
                let mut at = 0;
                for (when, event) in script(role) {
                    std::thread::sleep(Duration::from_millis(when - at));
                    at = when;
                    let _ = side.events.try_send(event);
                    ctx.request_repaint();
                }
                // Answer calls like a friendly relay: settings, logins, a code, else Done.
                loop {
                    while let Ok(cmd) = side.commands.try_recv() {
                        eprintln!("command: {cmd:?}");
                        if let NetCommand::Call(call) = cmd {
                            let result = Ok(canned_answer(&call.0));
                            let _ = side.events.try_send(NetEvent::Answered { call, result });
                            ctx.request_repaint();
                        }
                    }
                    std::thread::sleep(Duration::from_millis(100));
                }
            });
            let config = AgentConfig::with_language(lang);
            Ok(Box::new(AgentApp::new(&config, net, Notifier::silent())))
        }),
    )
}
