//! The quick-reply side panel with a fake network (A8, A11): a canned response or knowledge-base
//! reply goes into the chat input to edit (nothing is sent), keyword search, managing personal
//! responses, and the customer's service history with its transcript.

use crate::common;

use common::*;
use egui::accesskit::Role as A11y;
use egui_kittest::kittest::Queryable;
use egui_kittest::Harness;
use porpoise_agent::AgentApp;
use porpoise_protocol::wire::rpc;
use porpoise_protocol::wire::{
    ApiError, CannedDraft, CannedResponse, CannedResponseId, CannedResponses, CannedScope,
    HistoryItem, KnowledgeBase, KnowledgeNode, KnowledgeNodeId, Party, Request, Response, Role,
    ServiceHistory, SessionId, TranscriptPage,
};

fn canned(id: i64, scope: CannedScope, category: &str, title: &str, text: &str) -> CannedResponse {
    CannedResponse {
        id: CannedResponseId(id),
        scope,
        draft: CannedDraft {
            category: category.into(),
            title: title.into(),
            text: text.into(),
        },
    }
}

fn demo_canned() -> CannedResponses {
    CannedResponses {
        items: vec![
            canned(
                1,
                CannedScope::Center,
                "问候",
                "欢迎",
                "您好，请问有什么可以帮您？",
            ),
            canned(
                2,
                CannedScope::Center,
                "售后",
                "保修政策",
                "本产品享受一年免费保修。",
            ),
            canned(
                3,
                CannedScope::Personal,
                "我的",
                "回访",
                "您好，这里是回访。",
            ),
        ],
        truncated: false,
    }
}

/// Logs in with one open session and opens the quick-reply panel on the canned responses.
fn open_panel() -> (Harness<'static, AgentApp>, RelaySide) {
    open_panel_as(Role::Agent)
}

/// [`open_panel`] for an account of `role`.
fn open_panel_as(role: Role) -> (Harness<'static, AgentApp>, RelaySide) {
    let (mut harness, mut side, _recording) = app();
    log_in(&mut harness, &side, role, |_| {}, vec![session(vec![])]);
    harness.get_by_label("Quick replies").click();
    harness.run();
    assert_eq!(
        lib_calls(&mut side),
        vec![Request::ListCannedResponses(rpc::ListCannedResponses)]
    );
    answer(
        &side,
        Request::ListCannedResponses(rpc::ListCannedResponses),
        Ok(Response::CannedResponses(demo_canned())),
    );
    harness.run();
    (harness, side)
}

/// The quick-reply panel's requests sent (other panels' requests are left out).
fn lib_calls(side: &mut RelaySide) -> Vec<Request> {
    calls(side)
        .into_iter()
        .filter(|r| {
            matches!(
                r,
                Request::ListCannedResponses(rpc::ListCannedResponses)
                    | Request::SaveCannedResponse(rpc::SaveCannedResponse { .. })
                    | Request::DeleteCannedResponse(rpc::DeleteCannedResponse { .. })
                    | Request::ListKnowledgeBase(rpc::ListKnowledgeBase)
                    | Request::ListServiceHistory(rpc::ListServiceHistory { .. })
                    | Request::ReadHistoryTranscript(rpc::ReadHistoryTranscript { .. })
            )
        })
        .collect()
}

/// Chat messages sent.
fn chats_sent(side: &mut RelaySide) -> usize {
    commands(side)
        .iter()
        .filter(|c| matches!(c, NetCommand::SendChat { .. }))
        .count()
}

fn draft(harness: &Harness<'static, AgentApp>) -> String {
    let input = harness.get_by_label("Message");
    input.value().unwrap_or_default()
}

#[test]
fn canned_response_insert() {
    let (mut harness, mut side) = open_panel();
    harness.get_by_label("问候 · Center-wide");
    harness.get_by_label("我的 · Personal");
    // Typed text stays; the canned text follows it, and nothing is sent.
    harness.get_by_label("Message").click();
    harness.get_by_label("Message").type_text("张先生");
    harness.run();
    harness.get_by_role_and_label(A11y::Button, "欢迎").click();
    harness.run();
    assert_eq!(draft(&harness), "张先生\n您好，请问有什么可以帮您？");
    assert_eq!(chats_sent(&mut side), 0, "inserting sends nothing");

    // Keyword search keeps only the matches (by title, category or text).
    harness.get_by_label("Search keyword").click();
    harness.get_by_label("Search keyword").type_text("保修");
    harness.run();
    assert!(harness.query_by_label("欢迎").is_none());
    harness.get_by_role_and_label(A11y::Button, "保修政策");
    harness.get_by_label("Search keyword").type_text("传真");
    harness.run();
    harness.get_by_label("Nothing matches");
}

#[test]
fn personal_canned_responses_are_added_edited_and_deleted() {
    let (mut harness, mut side) = open_panel();
    // Only personal ones can be changed here: one Edit button for the one personal response.
    assert_eq!(harness.query_all_by_label("Edit").count(), 1);
    harness
        .get_by_role_and_label(A11y::Button, "New canned response")
        .click();
    harness.run();
    harness.get_by_role_and_label(A11y::Button, "Save").click();
    harness.run();
    harness.get_by_label("Enter a title and a text");
    assert!(lib_calls(&mut side).is_empty());
    for (field, text) in [
        ("Category", "结束"),
        ("Title", "再见"),
        ("Text", "感谢您的来电，再见！"),
    ] {
        harness.get_by_label(field).click();
        harness.run();
        harness.get_by_label(field).type_text(text);
        harness.run();
    }
    harness.get_by_role_and_label(A11y::Button, "Save").click();
    harness.run();
    let expected = CannedDraft {
        category: "结束".into(),
        title: "再见".into(),
        text: "感谢您的来电，再见！".into(),
    };
    let save = Request::SaveCannedResponse(rpc::SaveCannedResponse {
        id: None,
        scope: CannedScope::Personal,
        draft: expected.clone(),
    });
    assert_eq!(lib_calls(&mut side), vec![save.clone()]);
    let saved = CannedResponse {
        id: CannedResponseId(9),
        scope: CannedScope::Personal,
        draft: expected,
    };
    answer(&side, save, Ok(Response::CannedResponseSaved(saved)));
    harness.run();
    assert!(harness.query_by_label("Title").is_none(), "the form closed");
    harness.get_by_role_and_label(A11y::Button, "再见");

    // Editing the first personal one ("回访") fills the form with it.
    harness
        .query_all_by_label("Edit")
        .next()
        .expect("edit")
        .click();
    harness.run();
    assert_eq!(
        harness.get_by_label("Title").value().as_deref(),
        Some("回访")
    );
    harness
        .get_by_role_and_label(A11y::Button, "Cancel")
        .click();
    harness.run();

    // Deleting: the relay refuses first, then it goes.
    harness
        .query_all_by_label("Remove")
        .next()
        .expect("remove")
        .click();
    harness.run();
    let delete = Request::DeleteCannedResponse(rpc::DeleteCannedResponse {
        id: CannedResponseId(3),
    });
    assert_eq!(lib_calls(&mut side), vec![delete.clone()]);
    answer(&side, delete.clone(), Err(ApiError::Storage));
    harness.run();
    harness.get_by_label_contains("storage");
    answer(&side, delete, Ok(Response::Done));
    harness.run();
    assert!(harness.query_by_label("回访").is_none());
}

#[test]
fn knowledge_base_reply_is_found_by_keyword_and_inserted() {
    let (mut harness, mut side) = open_panel();
    harness.get_by_label("Knowledge base").click();
    harness.run();
    assert_eq!(
        lib_calls(&mut side),
        vec![Request::ListKnowledgeBase(rpc::ListKnowledgeBase)]
    );
    let node = |id, parent, title: &str, keywords: &[&str], text: &str| KnowledgeNode {
        id,
        parent,
        title: title.into(),
        keywords: keywords.iter().map(|k| (*k).to_owned()).collect(),
        text: text.into(),
        enabled: true,
        valid_from: None,
        valid_until: None,
        image: None,
    };
    let base = KnowledgeBase {
        nodes: vec![
            node(KnowledgeNodeId(1), None, "打印机", &[], ""),
            node(
                KnowledgeNodeId(2),
                Some(KnowledgeNodeId(1)),
                "打印机脱机",
                &["offline"],
                "请取消勾选脱机使用打印机。",
            ),
            node(KnowledgeNodeId(3), None, "电脑", &[], ""),
            node(
                KnowledgeNodeId(4),
                Some(KnowledgeNodeId(3)),
                "无法上网",
                &["network"],
                "请重启路由器。",
            ),
        ],
        truncated: false,
    };
    answer(
        &side,
        Request::ListKnowledgeBase(rpc::ListKnowledgeBase),
        Ok(Response::KnowledgeBase(base)),
    );
    harness.run();
    // The tree: folders with their replies.
    harness.get_by_label("打印机");
    harness.get_by_role_and_label(A11y::Button, "打印机脱机");
    // A keyword that is only in the keywords list finds the reply.
    harness.get_by_label("Search keyword").click();
    harness.get_by_label("Search keyword").type_text("network");
    harness.run();
    assert!(harness.query_by_label("打印机脱机").is_none());
    harness
        .get_by_role_and_label(A11y::Button, "无法上网")
        .click();
    harness.run();
    assert_eq!(draft(&harness), "请重启路由器。");
    assert_eq!(chats_sent(&mut side), 0);
}

/// A8 / M7 图片: a picture entry shows its thumbnail (fetched once) and Send picture sends the
/// picture's bytes into this session's chat as they are.
#[test]
fn knowledge_base_picture_is_shown_and_sent_into_the_chat() {
    use porpoise_protocol::wire::{ChatImage, ImageFormat};
    let (mut harness, mut side) = open_panel();
    harness.get_by_label("Knowledge base").click();
    harness.run();
    let _list = lib_calls(&mut side);
    let mut png = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut png, 24, 16);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().expect("header");
        writer.write_image_data(&[30; 24 * 16 * 3]).expect("data");
    }
    let info = ChatImage {
        format: ImageFormat::Png,
        width: 24,
        height: 16,
        bytes: png.len() as u32,
    };
    let base = KnowledgeBase {
        nodes: vec![KnowledgeNode {
            id: KnowledgeNodeId(7),
            parent: None,
            title: "会员充值示例图".into(),
            keywords: vec!["充值".into()],
            text: String::new(),
            enabled: true,
            valid_from: None,
            valid_until: None,
            image: Some(info),
        }],
        truncated: false,
    };
    answer(
        &side,
        Request::ListKnowledgeBase(rpc::ListKnowledgeBase),
        Ok(Response::KnowledgeBase(base)),
    );
    harness.run();
    harness.run();
    harness.get_by_label("会员充值示例图");
    let get = Request::GetKnowledgeImage(rpc::GetKnowledgeImage {
        id: KnowledgeNodeId(7),
    });
    assert_eq!(
        calls(&mut side),
        vec![get.clone()],
        "the thumbnail is fetched"
    );
    answer(
        &side,
        get.clone(),
        Ok(Response::KnowledgeImageData(rpc::KnowledgeImageData {
            id: KnowledgeNodeId(7),
            data: png.clone(),
        })),
    );
    for _ in 0..50 {
        harness.run();
        if harness.query_by_label("Loading picture…").is_none() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(harness.query_by_label("Loading picture…").is_none());
    assert!(calls(&mut side).is_empty(), "fetched once");
    harness
        .get_by_role_and_label(A11y::Button, "Send picture")
        .click();
    harness.run();
    assert_eq!(calls(&mut side), vec![get.clone()]);
    answer(
        &side,
        get,
        Ok(Response::KnowledgeImageData(rpc::KnowledgeImageData {
            id: KnowledgeNodeId(7),
            data: png.clone(),
        })),
    );
    harness.run();
    let sent = calls(&mut side);
    let [Request::SendChatImage(rpc::SendChatImage {
        session_id, data, ..
    })] = sent.as_slice()
    else {
        panic!("{sent:?}");
    };
    assert_eq!(*session_id, SESSION);
    assert_eq!(data, &png);
}

#[test]
fn service_history_lists_earlier_sessions_and_reads_a_transcript() {
    let (mut harness, mut side) = open_panel();
    harness.get_by_label("Service history").click();
    harness.run();
    let list = Request::ListServiceHistory(rpc::ListServiceHistory {
        session_id: SESSION,
    });
    assert_eq!(lib_calls(&mut side), vec![list.clone()]);
    let item = HistoryItem {
        session_id: SessionId(5),
        started_at: 1_700_000_000_000,
        duration_ms: 125_000,
        agent_name: "李四".into(),
        agent_deleted: false,
        customer_name: "张三".into(),
        disposition: Some("已解决".into()),
        message_count: 2,
    };
    let history = ServiceHistory {
        items: vec![item],
        truncated: false,
    };
    answer(&side, list, Ok(Response::ServiceHistory(history)));
    harness.run();
    harness.get_by_label_contains("已解决").click();
    harness.run();
    harness.get_by_label("Agent 李四 · 02:05 · 2 messages");
    let read = Request::ReadHistoryTranscript(rpc::ReadHistoryTranscript {
        session_id: SESSION,
        past_session_id: SessionId(5),
        after: None,
    });
    assert_eq!(lib_calls(&mut side), vec![read.clone()]);
    let page = TranscriptPage {
        past_session_id: SessionId(5),
        messages: vec![message(1, Party::Customer, "打印机又坏了")],
        next: Some(41),
    };
    answer(&side, read, Ok(Response::HistoryTranscript(page)));
    harness.run();
    harness.get_by_label("打印机又坏了");
    harness
        .get_by_role_and_label(A11y::Button, "Load more")
        .click();
    harness.run();
    let more = Request::ReadHistoryTranscript(rpc::ReadHistoryTranscript {
        session_id: SESSION,
        past_session_id: SessionId(5),
        after: Some(41),
    });
    assert_eq!(lib_calls(&mut side), vec![more.clone()]);
    let page = TranscriptPage {
        past_session_id: SessionId(5),
        messages: vec![message(2, Party::Agent, "已经远程修好了")],
        next: None,
    };
    answer(&side, more, Ok(Response::HistoryTranscript(page)));
    harness.run();
    harness.get_by_label("打印机又坏了");
    harness.get_by_label("已经远程修好了");
    assert!(harness.query_by_label("Load more").is_none());
}

#[test]
fn a_managing_account_also_manages_center_wide_responses() {
    let (mut harness, mut side) = open_panel_as(Role::SuperAdmin);
    assert_eq!(harness.query_all_by_label("Edit").count(), 3);
    harness
        .get_by_role_and_label(A11y::Button, "New canned response")
        .click();
    harness.run();
    harness.get_by_label("Center-wide").click();
    harness.run();
    for (field, text) in [("Title", "节日问候"), ("Text", "祝您节日快乐！")] {
        harness.get_by_label(field).click();
        harness.run();
        harness.get_by_label(field).type_text(text);
        harness.run();
    }
    harness.get_by_role_and_label(A11y::Button, "Save").click();
    harness.run();
    let sent = lib_calls(&mut side);
    assert!(
        matches!(
            sent.as_slice(),
            [Request::SaveCannedResponse(rpc::SaveCannedResponse {
                id: None,
                scope: CannedScope::Center,
                ..
            })]
        ),
        "{sent:?}"
    );
}
