//! Support record form, disposition and tags (A13), visitor card (A15) and the customer context
//! panel (A18) with a fake network: required fields block Save with a visible message, a
//! required disposition too, Fill later keeps the draft in the pending list, tags and card go
//! to the relay, context items are sent to the chat.

use crate::common;

use common::*;
use egui::accesskit::Role as A11y;
use egui_kittest::kittest::Queryable;
use porpoise_protocol::wire::rpc;
use porpoise_protocol::wire::{
    ContextEndpoint, ContextField, ContextItem, CustomerProfile, Event, MessageId, Party,
    RecordPrompt, Request, Response, Role, SessionId, SupportRecord, VisitorCard,
};

fn empty_profile() -> CustomerProfile {
    CustomerProfile {
        card: VisitorCard {
            name: "张三".into(),
            mobile: "13800000000".into(),
            ..VisitorCard::default()
        },
        customer_tags: vec![],
        message_tags: vec![],
        record: None,
    }
}

/// Logs in with one open session whose customer wrote `text`; answers the profile request.
fn serving(
    edit: impl FnOnce(&mut porpoise_protocol::wire::AgentWelcome),
    text: &str,
) -> (
    egui_kittest::Harness<'static, porpoise_agent::AgentApp>,
    porpoise_agent::net::RelaySide,
) {
    let (mut harness, mut side, _recording) = app();
    let messages = vec![message(1, Party::Customer, text)];
    log_in(
        &mut harness,
        &side,
        Role::Agent,
        edit,
        vec![session(messages)],
    );
    harness.run();
    let asked: Vec<Request> = all_commands(&mut side)
        .into_iter()
        .filter_map(|c| match c {
            NetCommand::Call(Call(body)) => Some(body),
            _ => None,
        })
        .collect();
    assert!(
        asked.contains(&Request::GetCustomerProfile(rpc::GetCustomerProfile {
            session_id: SESSION
        })),
        "{asked:?}"
    );
    answer(
        &side,
        Request::GetCustomerProfile(rpc::GetCustomerProfile {
            session_id: SESSION,
        }),
        Ok(Response::CustomerProfile(empty_profile())),
    );
    harness.run();
    (harness, side)
}

fn saves(side: &mut porpoise_agent::net::RelaySide) -> Vec<Request> {
    calls(side)
        .into_iter()
        .filter(|r| matches!(r, Request::SaveSupportRecord(rpc::SaveSupportRecord { .. })))
        .collect()
}

#[test]
fn support_record_required_fields_and_required_disposition_block_save() {
    let (mut harness, mut side) = serving(
        |p| {
            p.settings.records.prompt = RecordPrompt::RequiredAtSessionEnd;
            p.settings.records.disposition_required = true;
        },
        "你好",
    );
    relay(
        &side,
        Event::SessionEnded {
            session_id: SESSION,
            by: Party::Customer,
        },
    );
    harness.run();
    // The form opened by itself, pre-filled, and cannot be skipped.
    harness.get_by_label("Subject *");
    assert!(harness.query_by_label("Skip").is_none());
    harness.get_by_role_and_label(A11y::Button, "Fill later");

    // Empty subject: Save is blocked with a visible message.
    harness.get_by_role_and_label(A11y::Button, "Save").click();
    harness.run();
    harness.get_by_label("The subject is required");
    assert!(saves(&mut side).is_empty());

    harness.get_by_label("Subject *").click();
    harness.get_by_label("Subject *").type_text("打印机脱机");
    harness.get_by_label("Content *").click();
    harness
        .get_by_label("Content *")
        .type_text("重装驱动后恢复");
    harness.run();
    harness.get_by_role_and_label(A11y::Button, "Save").click();
    harness.run();
    harness.get_by_label("Choose a disposition");
    assert!(saves(&mut side).is_empty());

    // Choose one from the center's list; now Save sends it.
    harness
        .get_by_role_and_label(A11y::ComboBox, "Disposition *")
        .click();
    harness.run();
    harness.get_by_label("已解决").click();
    harness.run();
    harness.get_by_role_and_label(A11y::Button, "Save").click();
    harness.run();
    let sent = saves(&mut side);
    let [Request::SaveSupportRecord(rpc::SaveSupportRecord { session_id, form })] = sent.as_slice()
    else {
        panic!("{sent:?}");
    };
    assert_eq!(*session_id, SESSION);
    assert_eq!(form.subject, "打印机脱机");
    assert_eq!(form.customer_name, "张三");
    assert_eq!(form.disposition.as_deref(), Some("已解决"));
    let record = SupportRecord {
        session_id: SESSION,
        agent_id: ME,
        saved_at: now_unix_ms(),
        form: form.clone(),
    };
    answer(
        &side,
        Request::SaveSupportRecord(rpc::SaveSupportRecord {
            session_id: SESSION,
            form: form.clone(),
        }),
        Ok(Response::SupportRecordSaved(record)),
    );
    harness.run();
    assert!(harness.query_by_label("Subject *").is_none());
    harness.get_by_label("Support record saved");
}

#[test]
fn fill_later_keeps_the_draft_in_the_pending_list() {
    let (mut harness, mut side) = serving(|_| {}, "你好");
    relay(
        &side,
        Event::SessionEnded {
            session_id: SESSION,
            by: Party::Agent,
        },
    );
    harness.run();
    harness.get_by_label("Subject *").click();
    harness.get_by_label("Subject *").type_text("稍后再写");
    harness.run();
    harness
        .get_by_role_and_label(A11y::Button, "Fill later")
        .click();
    harness.run();
    assert!(harness.query_by_label("Subject *").is_none());
    harness.get_by_label("Support records to fill in");
    harness
        .get_by_role_and_label(A11y::Button, "Fill in")
        .click();
    harness.run();
    let subject = harness.get_by_label("Subject *");
    assert_eq!(subject.value().as_deref(), Some("稍后再写"));
    assert!(saves(&mut side).is_empty());
    // Not required here: Skip closes it.
    harness.get_by_role_and_label(A11y::Button, "Skip").click();
    harness.run();
    assert!(harness.query_by_label("Subject *").is_none());
}

#[test]
fn tags_on_the_customer_and_on_a_message() {
    let (mut harness, mut side) = serving(|_| {}, "打印机坏了");
    harness.get_by_label("VIP").click();
    harness.run();
    let sent = calls(&mut side);
    assert!(
        sent.contains(&Request::SetCustomerTags(rpc::SetCustomerTags {
            session_id: SESSION,
            tags: vec!["VIP".into()],
        })),
        "{sent:?}"
    );

    // Right-click the customer's message in the chat: the center's message tags.
    harness.get_by_label("打印机坏了").click_secondary();
    harness.run();
    harness.get_by_label("故障").click();
    harness.run();
    let sent = calls(&mut side);
    let body = Request::SetMessageTags(rpc::SetMessageTags {
        session_id: SESSION,
        message_id: MessageId(1),
        tags: vec!["故障".into()],
    });
    assert!(sent.contains(&body), "{sent:?}");
    answer(&side, body, Ok(Response::Done));
    harness.run();
    harness.get_by_label("#故障");

    // The same menu reporting to an intent list (message_context_menu) on any label; the
    // workspace turns the intent into the request.
    let panel = porpoise_agent::state::CustomerPanel::default();
    let mut intents = Vec::new();
    let allowed = vec!["投诉".to_owned(), "故障".to_owned()];
    let mut h = egui_kittest::Harness::builder()
        .with_context_setup(porpoise_ui::install_fonts)
        .build_ui(|ui| {
            let r = ui.add(egui::Label::new("打印机坏了").sense(egui::Sense::click()));
            porpoise_agent::ui::visitor::message_context_menu(
                &r,
                porpoise_ui::Language::En,
                SESSION,
                MessageId(1),
                &panel,
                &allowed,
                &mut intents,
            );
        });
    h.get_by_label("打印机坏了").click_secondary();
    h.run();
    h.get_by_label("故障").click();
    h.run();
    drop(h);
    let mut ws = porpoise_agent::state::Workspace::new("A".into(), vec![], vec![]);
    let mut effects = Vec::new();
    for intent in intents {
        ws.on_ui(intent, &mut effects);
    }
    let outbox: Vec<NetCommand> = effects
        .into_iter()
        .filter_map(|e| match e {
            porpoise_agent::state::Effect::Command(c) => Some(c),
            _ => None,
        })
        .collect();
    let tagged = outbox.iter().any(|c| {
        matches!(c, NetCommand::Call(Call(Request::SetMessageTags(rpc::SetMessageTags { message_id: MessageId(1), tags, .. })))
            if tags == &["故障".to_owned()])
    });
    assert!(tagged, "{outbox:?}");
}

#[test]
fn visitor_card_offers_contacts_from_messages() {
    let (mut harness, mut side) = serving(|_| {}, "我的邮箱 zhang@example.com，手机13912345678");
    harness
        .get_by_role_and_label(A11y::Button, "E-mail: zhang@example.com")
        .click();
    harness.run();
    harness
        .get_by_role_and_label(A11y::Button, "Mobile: 13912345678")
        .click();
    harness.run();
    // Filled: the offers are gone.
    assert!(harness.query_by_label("Mobile: 13912345678").is_none());
    harness
        .get_by_role_and_label(A11y::Button, "Save card")
        .click();
    harness.run();
    let sent = calls(&mut side);
    let card = sent.iter().find_map(|r| match r {
        Request::SaveVisitorCard(rpc::SaveVisitorCard { card, .. }) => Some(card.clone()),
        _ => None,
    });
    let card = card.expect("card saved");
    assert_eq!(card.email, "zhang@example.com");
    assert_eq!(card.mobile, "13912345678");
    assert_eq!(card.name, "张三");
}

#[test]
fn context_items_are_sent_to_the_chat() {
    let (mut harness, mut side) = serving(
        |p| {
            p.settings.context_endpoint = Some(Box::new(ContextEndpoint {
                url: "https://erp.example.com/ctx".into(),
                bearer_token: String::new(),
                timeout_ms: 3_000,
            }))
        },
        "我的订单呢",
    );
    harness.get_by_label("Orders & context").click();
    harness.run();
    let sent = calls(&mut side);
    assert!(
        sent.contains(&Request::FetchCustomerContext(rpc::FetchCustomerContext {
            session_id: SESSION
        })),
        "{sent:?}"
    );
    let items = vec![ContextItem {
        title: "订单 202611220001".into(),
        fields: vec![ContextField {
            label: "状态".into(),
            value: "已发货".into(),
        }],
        text: "您的订单 202611220001 已发货。".into(),
    }];
    answer(
        &side,
        Request::FetchCustomerContext(rpc::FetchCustomerContext {
            session_id: SESSION,
        }),
        Ok(Response::CustomerContext(items)),
    );
    harness.run();
    harness.get_by_label("订单 202611220001");
    harness.get_by_label("状态：已发货");
    harness
        .get_by_role_and_label(A11y::Button, "Send to chat")
        .click();
    harness.run();
    let sent = commands(&mut side);
    assert!(
        sent.iter()
            .any(|c| matches!(c, NetCommand::SendChat { text, .. }
            if text == "您的订单 202611220001 已发货。")),
        "{sent:?}"
    );
}

#[test]
fn records_put_off_before_a_restart_are_listed_again_after_login() {
    use porpoise_protocol::wire::PendingRecordItem;
    let (mut harness, mut side, _recording) = app();
    log_in(&mut harness, &side, Role::Agent, |_| {}, vec![]);
    let asked: Vec<Request> = all_commands(&mut side)
        .into_iter()
        .filter_map(|c| match c {
            NetCommand::Call(Call(body)) => Some(body),
            _ => None,
        })
        .collect();
    assert!(
        asked.contains(&Request::ListPendingRecords(rpc::ListPendingRecords)),
        "{asked:?}"
    );
    answer(
        &side,
        Request::ListPendingRecords(rpc::ListPendingRecords),
        Ok(Response::PendingRecords(vec![PendingRecordItem {
            session_id: SessionId(41),
            customer_name: "赵六".into(),
            customer_phone: "13700000000".into(),
            ended_at: 1_000,
        }])),
    );
    harness.run();
    harness.get_by_label("Support records to fill in");
    harness.get_by_label("赵六");
    harness
        .get_by_role_and_label(A11y::Button, "Fill in")
        .click();
    harness.run();
    harness.get_by_label("Subject *").click();
    harness.get_by_label("Subject *").type_text("补填");
    harness.get_by_label("Content *").click();
    harness.get_by_label("Content *").type_text("已电话回访");
    harness.run();
    harness.get_by_role_and_label(A11y::Button, "Save").click();
    harness.run();
    let saved = saves(&mut side);
    let [Request::SaveSupportRecord(rpc::SaveSupportRecord { session_id, form })] =
        saved.as_slice()
    else {
        panic!("one save: {saved:?}")
    };
    assert_eq!(*session_id, SessionId(41));
    assert_eq!(
        (
            form.customer_name.as_str(),
            form.customer_phone.as_str(),
            form.subject.as_str()
        ),
        ("赵六", "13700000000", "补填")
    );
}
