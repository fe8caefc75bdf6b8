//! The helper's three request screens (C2/R5), the queue with its estimated wait, offline
//! messages (C3), a closed center, transfers and relay lines — egui_kittest with a fake network.

use crate::common;

use common::{harness, harness_with, options, type_into};
use egui::accesskit::Role;
use egui_kittest::kittest::{NodeT, Queryable};
use porpoise_helper::net::{NetEvent, RequestFailure};
use porpoise_protocol::wire::rpc;
use porpoise_protocol::wire::{AgentId, GroupId, MessageId, ProductTypeId, SessionId, TicketId};
use porpoise_protocol::wire::{
    ApiError, ChatMessage, Event, Party, Request, Response, ServiceMode, ServiceRoute, SessionInfo,
};
use porpoise_ui::Language;

const SID: SessionId = SessionId(3);

#[test]
fn showcase_tabs_and_picking_an_online_agent() {
    let (mut h, mut net) = harness(Language::En, "");
    net.welcome(options(ServiceMode::Showcase), None);
    h.run();
    // Tabs: All, then each group; every agent shows on All.
    h.get_by_label("All");
    h.get_by_label("售后服务");
    h.get_by_label("技术支持");
    h.get_by_label("Ask Alice");
    h.get_by_label("Ask Carol");
    h.get_by_label("Busy");
    // The 技术支持 tab has Alice and Bob, not Carol.
    h.get_by_label("技术支持").click();
    h.run();
    h.get_by_label("Ask Alice");
    h.get_by_label("Ask Bob");
    assert!(h.query_by_label("Ask Carol").is_none());

    type_into(&mut h, "Your name", "王伟");
    type_into(&mut h, "Phone", "13800000000");
    // Bob is busy: his card is greyed and cannot be picked.
    let bob = h.get_by_label("Ask Bob");
    assert!(bob.accesskit_node().is_disabled());
    bob.click();
    h.run();
    assert!(net.requests().is_empty());

    h.get_by_label("Ask Alice").click();
    h.run();
    assert_eq!(
        net.requests(),
        vec![Request::RequestService(rpc::RequestService {
            name: "王伟".into(),
            phone: "13800000000".into(),
            route: ServiceRoute::Showcase {
                agent_id: AgentId(10)
            },
        })]
    );
    h.get_by_label("Requesting service…");
}

#[test]
fn showcase_asks_for_a_name_first_and_follows_live_presence() {
    let (mut h, mut net) = harness(Language::ZhCn, "");
    net.welcome(options(ServiceMode::Showcase), None);
    h.run();
    h.get_by_label("请 Alice 服务").click();
    h.run();
    h.get_by_label("请输入您的姓名。");
    assert!(net.requests().is_empty());
    // Alice goes busy: her card greys out live.
    let mut changed = options(ServiceMode::Showcase);
    changed.agents[0].presence = porpoise_protocol::wire::Presence::Busy;
    net.relay(Event::ServiceOptionsChanged(changed));
    h.run();
    assert!(h
        .get_by_label("请 Alice 服务")
        .accesskit_node()
        .is_disabled());
}

#[test]
fn session_code_screen_checks_length_and_shows_relay_errors() {
    let (mut h, mut net) = harness_with(Language::En, "Wang Wei", "139");
    net.welcome(options(ServiceMode::SessionCode), None);
    h.run();
    assert!(
        h.query_by_label("Ask Alice").is_none(),
        "no cards in this mode"
    );
    type_into(&mut h, "Session code", "12a3");
    assert_eq!(
        h.get_by_label("Session code").value().as_deref(),
        Some("123")
    );
    h.get_by_label("Request service").click();
    h.run();
    h.get_by_label("The session code has 6 digits.");
    assert!(net.requests().is_empty(), "refused locally");

    type_into(&mut h, "Session code", "4567");
    assert_eq!(
        h.get_by_label("Session code").value().as_deref(),
        Some("123456")
    );
    h.get_by_label("Request service").click();
    h.run();
    let request = Request::RequestService(rpc::RequestService {
        name: "Wang Wei".into(),
        phone: "139".into(),
        route: ServiceRoute::SessionCode {
            code: "123456".into(),
        },
    });
    assert_eq!(net.requests(), vec![request.clone()]);
    net.push(NetEvent::Answered {
        request: request.clone(),
        result: Err(RequestFailure::Relay(ApiError::BadSessionCode)),
    });
    h.run();
    h.get_by_label(
        "That session code is wrong or has expired. Please ask your agent for a new one.",
    );
    // Back on the form: another try gets throttled.
    h.get_by_label("Request service").click();
    h.run();
    assert_eq!(net.requests(), vec![request.clone()]);
    net.push(NetEvent::Answered {
        request,
        result: Err(RequestFailure::Relay(ApiError::Throttled {
            retry_after_s: 60,
        })),
    });
    h.run();
    h.get_by_label("Too many wrong codes. Please try again in 60 s.");
}

#[test]
fn auto_assign_pickers_send_the_chosen_ids() {
    let (mut h, mut net) = harness_with(Language::En, "Wang Wei", "139");
    net.welcome(options(ServiceMode::AutoAssign), None);
    h.run();
    h.get_by_role_and_label(Role::ComboBox, "Service group")
        .click();
    h.run();
    h.get_by_role_and_label(Role::Button, "技术支持").click();
    h.run();
    h.get_by_role_and_label(Role::ComboBox, "Product type")
        .click();
    h.run();
    h.get_by_role_and_label(Role::Button, "Router").click();
    h.run();
    h.get_by_label("Request service").click();
    h.run();
    assert_eq!(
        net.requests(),
        vec![Request::RequestService(rpc::RequestService {
            name: "Wang Wei".into(),
            phone: "139".into(),
            route: ServiceRoute::AutoAssign {
                group_id: Some(GroupId(2)),
                product_type_id: Some(ProductTypeId(8)),
            },
        })]
    );
}

#[test]
fn auto_assign_hides_product_type_when_the_center_has_none() {
    let (mut h, net) = harness(Language::En, "");
    let mut no_products = options(ServiceMode::AutoAssign);
    no_products.product_types.clear();
    net.welcome(no_products, None);
    h.run();
    h.get_by_role_and_label(Role::ComboBox, "Service group");
    assert!(h.query_by_label("Product type").is_none());
}

#[test]
fn leave_a_message_from_the_queue_sends_the_typed_question() {
    let (mut h, mut net) = harness_with(Language::En, "Wang Wei", "139");
    net.welcome(options(ServiceMode::AutoAssign), None);
    h.run();
    h.get_by_label("Request service").click();
    h.run();
    let request = net.requests().remove(0);
    net.push(NetEvent::Answered {
        request,
        result: Ok(Response::Queued(rpc::Queued {
            ticket_id: TicketId(4),
            position: 5,
        })),
    });
    net.relay(Event::QueuePosition {
        position: 5,
        estimated_wait_s: Some(600),
    });
    h.run();
    h.get_by_label("You are number 5 in the queue");
    h.get_by_label("Estimated wait: about 10 min");
    type_into(&mut h, "Your question", "The printer says E05");

    h.get_by_label("Leave a message").click();
    h.run();
    h.get_by_label("Leave us a message");
    assert_eq!(
        h.get_by_label("Your message").value().as_deref(),
        Some("The printer says E05")
    );
    assert_eq!(
        h.get_by_label("Phone or e-mail").value().as_deref(),
        Some("139")
    );
    type_into(&mut h, "Your message", " since Monday");
    h.get_by_label("Send message").click();
    h.run();
    let sent = net.requests();
    assert_eq!(
        sent,
        vec![Request::LeaveOfflineMessage(rpc::LeaveOfflineMessage {
            name: "Wang Wei".into(),
            contact: "139".into(),
            text: "The printer says E05 since Monday".into(),
        })]
    );
    h.get_by_label("Sending your message…");
    net.push(NetEvent::Answered {
        request: sent[0].clone(),
        result: Ok(Response::Done),
    });
    h.run();
    h.get_by_label("Thank you for your message! We will get back to you soon.");
    h.get_by_label("Done").click();
    h.run();
    h.get_by_label("Request service");
}

#[test]
fn closed_center_shows_its_reply_and_the_message_form() {
    let (mut h, mut net) = harness_with(Language::ZhCn, "王伟", "");
    let mut closed = options(ServiceMode::Showcase);
    closed.open_now = false;
    closed.closed_reply = "国庆假期休息，10 月 8 日恢复服务。".into();
    closed.faq = vec![porpoise_protocol::wire::FaqItem {
        question: "如何申请退货？".into(),
        answer: "在订单页点击“申请售后”。".into(),
    }];
    net.welcome(closed, None);
    h.run();
    h.get_by_label("国庆假期休息，10 月 8 日恢复服务。");
    // M6: off hours the common questions are pushed, open; an answer unfolds on a click.
    h.get_by_label("常见问题");
    h.get_by_label("如何申请退货？").click();
    h.run();
    h.get_by_label("在订单页点击“申请售后”。");
    assert!(
        h.query_by_label("请 Alice 服务").is_none(),
        "no request screen"
    );
    h.get_by_label("提交留言").click();
    h.run();
    h.get_by_label("请留下电话或电子邮箱。");
    assert!(net.requests().is_empty());
    type_into(&mut h, "电话或电子邮箱", "wang@example.cn");
    type_into(&mut h, "留言内容", "请回电");
    h.get_by_label("提交留言").click();
    h.run();
    assert_eq!(
        net.requests(),
        vec![Request::LeaveOfflineMessage(rpc::LeaveOfflineMessage {
            name: "王伟".into(),
            contact: "wang@example.cn".into(),
            text: "请回电".into(),
        })]
    );
}

#[test]
fn closed_answer_to_a_request_offers_the_message_form() {
    let (mut h, mut net) = harness_with(Language::En, "Wang Wei", "139");
    net.welcome(options(ServiceMode::AutoAssign), None);
    h.run();
    h.get_by_label("Request service").click();
    h.run();
    let request = net.requests().remove(0);
    net.push(NetEvent::Answered {
        request,
        result: Err(RequestFailure::Relay(ApiError::Closed {
            reply: "Nobody is online, sorry.".into(),
        })),
    });
    h.run();
    h.get_by_label("Nobody is online, sorry.");
    h.get_by_label("Leave us a message");
    h.get_by_label("Back").click();
    h.run();
    h.get_by_label("Request service");
}

fn relay_line(id: u128, text: &str) -> Event {
    Event::ChatReceived {
        session_id: SID,
        message: ChatMessage {
            message_id: MessageId(id),
            from: Party::Relay,
            text: text.into(),
            sent_at: id as i64,
            image: None,
        },
    }
}

#[test]
fn greeting_transfer_and_reception_timeout() {
    let (mut h, net) = harness(Language::En, "Wang Wei");
    let info = SessionInfo {
        session_id: SID,
        customer_name: "Wang Wei".into(),
        customer_phone: String::new(),
        agent_name: "Alice".into(),
        started_at: 0,
        messages: vec![],
    };
    net.welcome(options(ServiceMode::AutoAssign), Some(info));
    net.relay(relay_line(1, "Hello, I am Alice. Glad to help."));
    h.run();
    h.get_by_label("Alice is helping you");
    h.get_by_label("Hello, I am Alice. Glad to help.");
    assert!(
        h.query_by_label("System").is_none(),
        "a centered line, no sender"
    );

    net.relay(Event::AgentChanged {
        session_id: SID,
        agent_name: "Bob".into(),
    });
    h.run();
    h.get_by_label("Bob is helping you");
    h.get_by_label("Your session was transferred; Bob is helping you now");

    net.relay(relay_line(
        2,
        "No reply for a while; this session is closed.",
    ));
    net.relay(Event::SessionEnded {
        session_id: SID,
        by: Party::Relay,
    });
    h.run();
    h.get_by_label("No reply for a while; this session is closed.");
    h.get_by_label("Request service again").click();
    h.run();
    h.get_by_label("Request service");
}
