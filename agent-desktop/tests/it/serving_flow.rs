//! Serving screens of the work area with a fake network (issue 3): offer popup with countdown,
//! incoming transfer prompt, Transfer dialog, typing preview and the colleagues' chat.

use crate::common;

use common::*;
use egui::accesskit::Role as A11y;
use egui_kittest::kittest::{NodeT, Queryable};
use porpoise_protocol::wire::rpc;
use porpoise_protocol::wire::{
    AgentChatMessage, AgentId, Event, MessageId, OfferEnd, OfferId, Party, ProductTypeId, Request,
    Response, Role, TransferId, TransferOffer, TransferTarget,
};

#[test]
fn offer_popup_counts_down_accepts_and_closes_when_withdrawn() {
    let (mut harness, mut side, recording) = app();
    log_in(&mut harness, &side, Role::Agent, |_| {}, vec![]);
    // The console is behind another window: the desktop is told too (A3).
    set_focused(&mut harness, false);
    let mut first_offer = offer(1, "张三");
    first_offer.product_type_id = Some(ProductTypeId(8));
    relay(&side, Event::OfferReceived(first_offer));
    harness.run();
    harness.get_by_label("New service request");
    harness.get_by_label("张三");
    harness.get_by_label("13900000000");
    harness.get_by_label("Group: 售后服务");
    harness.get_by_label_contains("打印机");
    let first = countdown(&harness);
    assert!((19..=20).contains(&first), "{first}");
    harness.run_steps(12); // 3 s at 0.25 s per frame
    let later = countdown(&harness);
    assert!(later <= first - 2, "{first} → {later}");
    let calls_made = recording.calls();
    assert!(calls_made.iter().any(|c| c == "chime"), "{calls_made:?}");
    assert!(
        calls_made
            .iter()
            .any(|c| c.starts_with("popup: New service request: 张三 (13900000000)")),
        "{calls_made:?}"
    );

    // A second offer stacks; the first is withdrawn and closes with its reason.
    relay(&side, Event::OfferReceived(offer(2, "王小明")));
    harness.run();
    assert_eq!(harness.query_all_by_label("New service request").count(), 2);
    relay(
        &side,
        Event::OfferWithdrawn {
            offer_id: OfferId(1),
            reason: OfferEnd::TimedOut,
        },
    );
    harness.run();
    assert!(harness.query_by_label("张三").is_none());
    harness.get_by_label_contains("The request timed out");

    // Accept sends AnswerOffer; the tab opens from SessionStarted.
    harness
        .get_by_role_and_label(A11y::Button, "Accept")
        .click();
    harness.run();
    assert_eq!(
        calls(&mut side),
        vec![Request::AnswerOffer(rpc::AnswerOffer {
            offer_id: OfferId(2),
            accept: true
        })]
    );
    let mut info = session(vec![message(1, Party::Customer, "你好")]);
    info.customer_name = "王小明".into();
    answer(
        &side,
        Request::AnswerOffer(rpc::AnswerOffer {
            offer_id: OfferId(2),
            accept: true,
        }),
        Ok(Response::SessionStarted(info)),
    );
    harness.run();
    assert!(harness.query_by_label("New service request").is_none());
    harness.get_by_label("你好");
    harness.get_by_role_and_label(A11y::Button, "End session");
}

#[test]
fn offer_popup_disappears_when_its_countdown_ends() {
    let (mut harness, side, _recording) = app();
    log_in(&mut harness, &side, Role::Agent, |_| {}, vec![]);
    let mut short = offer(3, "张三");
    short.expires_in_ms = 1_000;
    relay(&side, Event::OfferReceived(short));
    harness.run();
    harness.get_by_label("New service request");
    harness.run_steps(6);
    let accept = harness.get_by_role_and_label(A11y::Button, "Accept");
    assert!(
        accept.accesskit_node().is_disabled(),
        "no Accept after the countdown"
    );
    harness.run_steps(10);
    assert!(harness.query_by_label("New service request").is_none());
}

/// Issue 15: picking the offered customer from the queue yourself closes the popup without the
/// "Another agent took this customer" notice a colleague's accept gives.
#[test]
fn own_accept_closes_the_offer_without_a_taken_elsewhere_notice() {
    let (mut harness, side, _recording) = app();
    log_in(&mut harness, &side, Role::Agent, |_| {}, vec![]);
    relay(&side, Event::OfferReceived(offer(4, "张三")));
    relay(&side, Event::OfferReceived(offer(5, "李四")));
    harness.run();
    assert_eq!(harness.query_all_by_label("New service request").count(), 2);
    relay(
        &side,
        Event::OfferWithdrawn {
            offer_id: OfferId(4),
            reason: OfferEnd::TakenByYou,
        },
    );
    harness.run();
    assert!(harness.query_by_label("张三").is_none());
    assert!(harness
        .query_by_label_contains("Another agent took this customer")
        .is_none());
    relay(
        &side,
        Event::OfferWithdrawn {
            offer_id: OfferId(5),
            reason: OfferEnd::TakenElsewhere,
        },
    );
    harness.run();
    harness.get_by_label_contains("Another agent took this customer");
}

#[test]
fn incoming_transfer_prompt_shows_history_and_accepts() {
    let (mut harness, mut side, recording) = app();
    log_in(&mut harness, &side, Role::Agent, |_| {}, vec![]);
    let history = vec![
        message(1, Party::Customer, "打印机坏了"),
        message(2, Party::Agent, "我帮您转给专家"),
    ];
    relay(
        &side,
        Event::TransferOffered(TransferOffer {
            transfer_id: TransferId(9),
            from_agent: AgentId(2),
            session: session(history.clone()),
            note: "需要硬件专家".into(),
            expires_in_ms: 30_000,
        }),
    );
    harness.run();
    harness.get_by_label("Transfer request");
    harness.get_by_label("李四 wants to hand 张三 over to you");
    harness.get_by_label("Note: 需要硬件专家");
    assert!((29..=30).contains(&countdown(&harness)));
    assert!(recording.calls().iter().any(|c| c == "chime"));
    harness.get_by_label("Show the history").click();
    harness.run();
    harness.get_by_label("张三: 打印机坏了");
    harness
        .get_by_role_and_label(A11y::Button, "Accept")
        .click();
    harness.run();
    assert_eq!(
        calls(&mut side),
        vec![Request::AnswerTransfer(rpc::AnswerTransfer {
            transfer_id: TransferId(9),
            accept: true
        })]
    );
    answer(
        &side,
        Request::AnswerTransfer(rpc::AnswerTransfer {
            transfer_id: TransferId(9),
            accept: true,
        }),
        Ok(Response::Done),
    );
    relay(&side, Event::SessionStarted(session(history)));
    harness.run();
    assert!(harness.query_by_label("Transfer request").is_none());
    harness.get_by_label("打印机坏了");
    harness.get_by_label("我帮您转给专家");
}

#[test]
fn typing_preview_appears_and_clears_on_the_message() {
    let (mut harness, side, _recording) = app();
    log_in(
        &mut harness,
        &side,
        Role::Agent,
        |_| {},
        vec![session(vec![])],
    );
    relay(
        &side,
        Event::TypingPreview {
            session_id: SESSION,
            text: "我的电脑".into(),
        },
    );
    harness.run();
    harness.get_by_label("张三 is typing: 我的电脑");
    relay(
        &side,
        Event::ChatReceived {
            session_id: SESSION,
            message: message(5, Party::Customer, "我的电脑蓝屏了"),
        },
    );
    harness.run();
    assert!(harness.query_by_label_contains("is typing").is_none());
    harness.get_by_label("我的电脑蓝屏了");
}

#[test]
fn transfer_dialog_sends_transfer_session_and_closes_the_tab_when_moved() {
    let (mut harness, mut side, _recording) = app();
    log_in(
        &mut harness,
        &side,
        Role::Agent,
        |_| {},
        vec![session(vec![])],
    );
    harness
        .get_by_role_and_label(A11y::Button, "Transfer")
        .click();
    harness.run();
    harness.get_by_label("Transfer session");
    assert!(
        harness.query_by_label_contains("王五").is_none()
            || harness.query_all_by_label_contains("王五").count() == 1,
        "offline colleagues are not offered"
    );
    harness.get_by_label_contains("李四 · Online · 2/5").click();
    harness.run();
    harness
        .get_by_role_and_label(A11y::Button, "Transfer now")
        .click();
    harness.run();
    let sent = calls(&mut side);
    assert_eq!(
        sent,
        vec![Request::TransferSession(rpc::TransferSession {
            session_id: SESSION,
            target: TransferTarget::Agent(AgentId(2)),
            note: String::new()
        })]
    );
    answer(&side, sent[0].clone(), Ok(Response::Done));
    relay(
        &side,
        Event::SessionTransferredAway {
            session_id: SESSION,
            to_agent_name: "李四".into(),
        },
    );
    harness.run();
    harness.get_by_label("张三 is now served by 李四");
    assert!(harness
        .query_by_role_and_label(A11y::Button, "End session")
        .is_none());
}

#[test]
fn colleague_chat_with_unread_badge() {
    let (mut harness, mut side, _recording) = app();
    log_in(&mut harness, &side, Role::Agent, |_| {}, vec![]);
    relay(
        &side,
        Event::AgentChatReceived(AgentChatMessage {
            message_id: MessageId(1),
            from: AgentId(2),
            to: ME,
            text: "帮我看一下".into(),
            sent_at: now_unix_ms(),
        }),
    );
    harness.run();
    harness.get_by_label("李四 (1)").click();
    harness.run();
    harness.get_by_label("李四: 帮我看一下");
    assert!(harness.query_by_label("李四 (1)").is_none());
    harness.get_by_label("Message").click();
    harness.get_by_label("Message").type_text("好的");
    harness.run();
    harness.get_by_role_and_label(A11y::Button, "Send").click();
    harness.run();
    let sent = calls(&mut side);
    assert!(
        matches!(sent.as_slice(), [Request::SendAgentChat(rpc::SendAgentChat { to: AgentId(2), text, .. })] if text == "好的"),
        "{sent:?}"
    );
}
