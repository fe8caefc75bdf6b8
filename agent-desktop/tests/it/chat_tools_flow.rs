//! Chat tools and tabs of the service window (issue 5): emoji picker, chat text size, saving
//! the transcript (A7), hiding, showing and closing customer tabs (A5), and the personal
//! settings that apply at once (A17: sounds, language, text size, connection).

use crate::common;

use common::*;
use egui_kittest::kittest::{NodeT, Queryable};
use porpoise_agent::net::{NetCommand, NetEvent};
use porpoise_protocol::wire::{Event, Party, QueueEntry, Role, SessionId, SessionInfo, TicketId};

fn second_session() -> SessionInfo {
    SessionInfo {
        session_id: SessionId(SESSION.0 + 1),
        customer_name: "李四".into(),
        customer_phone: "13900000000".into(),
        agent_name: "Agent One".into(),
        started_at: porpoise_agent::clock::now_unix_ms(),
        messages: vec![],
    }
}

#[test]
fn emoji_picker_inserts_into_the_draft_and_it_is_sent_as_text() {
    let (mut harness, mut side, _) = app();
    log_in(
        &mut harness,
        &side,
        Role::Agent,
        |_| {},
        vec![session(vec![])],
    );
    harness.get_by_label("Message").click();
    harness.get_by_label("Message").type_text("好的");
    harness.run();
    harness.get_by_label("😀").click();
    harness.run();
    harness.get_by_label("👍").click();
    harness.run();
    assert!(
        harness.query_by_label("👍").is_none(),
        "the picker closes after a pick"
    );
    let draft = harness
        .get_by_label("Message")
        .accesskit_node()
        .value()
        .map(|v| v.to_string());
    assert_eq!(draft.as_deref(), Some("好的👍"));
    harness.key_press(egui::Key::Enter);
    harness.run();
    let sent: Vec<_> = commands(&mut side)
        .into_iter()
        .filter(|c| matches!(c, NetCommand::SendChat { .. }))
        .collect();
    assert!(
        matches!(sent.as_slice(), [NetCommand::SendChat { text, .. }] if text == "好的👍"),
        "{sent:?}"
    );
}

#[test]
fn text_size_buttons_change_the_kept_preference() {
    let (mut harness, side, _) = app();
    log_in(
        &mut harness,
        &side,
        Role::Agent,
        |_| {},
        vec![session(vec![])],
    );
    let before = harness.state().preferences().chat_font_size;
    harness.get_by_label("A+").click();
    harness.run();
    harness.get_by_label("A+").click();
    harness.run();
    assert_eq!(harness.state().preferences().chat_font_size, before + 2.0);
    harness.get_by_label("A−").click();
    harness.run();
    assert_eq!(harness.state().preferences().chat_font_size, before + 1.0);
}

#[test]
fn save_transcript_writes_the_conversation_and_shows_where() {
    let dir = tempfile::tempdir().expect("dir");
    // Only this test reads the variable.
    std::env::set_var(porpoise_agent::transcript::EXPORT_DIR_ENV, dir.path());
    let (mut harness, side, _) = app();
    log_in(
        &mut harness,
        &side,
        Role::Agent,
        |_| {},
        vec![session(vec![
            message(1, Party::Customer, "电脑开不了机"),
            message(2, Party::Agent, "请长按电源键十秒"),
        ])],
    );
    harness.get_by_label("Save transcript").click();
    harness.run();
    harness.get_by_label("Text file (.txt)").click();
    harness.run();
    harness.get_by_label_contains("Transcript saved:");
    let files: Vec<_> = std::fs::read_dir(dir.path())
        .expect("read dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let text = std::fs::read_to_string(&files[0]).expect("read");
    assert!(
        text.contains("电脑开不了机") && text.contains("请长按电源键十秒"),
        "{text}"
    );
    assert!(text.contains("张三: 电脑开不了机"), "{text}");
    // And as PDF, next to it.
    harness.get_by_label("Save transcript").click();
    harness.run();
    harness.get_by_label("PDF file (.pdf)").click();
    harness.run();
    let pdfs: Vec<_> = std::fs::read_dir(dir.path())
        .expect("read dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "pdf"))
        .collect();
    assert_eq!(pdfs.len(), 1, "{pdfs:?}");
    assert!(std::fs::read(&pdfs[0]).expect("pdf").starts_with(b"%PDF-"));
}

#[test]
fn hidden_tabs_keep_counting_unread_messages_and_come_back() {
    let (mut harness, side, _) = app();
    log_in(
        &mut harness,
        &side,
        Role::Agent,
        |_| {},
        vec![session(vec![]), second_session()],
    );
    // Hide 李四's tab: its button goes into the Hidden menu.
    let hide_buttons = harness.get_all_by_label("–").count();
    assert_eq!(hide_buttons, 2);
    harness
        .get_all_by_label("–")
        .nth(1)
        .expect("second")
        .click();
    harness.run();
    harness.get_by_label("Hidden: 1");
    assert_eq!(harness.get_all_by_label("–").count(), 1);
    // A message to the hidden tab is counted on the menu.
    relay(
        &side,
        Event::ChatReceived {
            session_id: SessionId(SESSION.0 + 1),
            message: message(9, Party::Customer, "在吗"),
        },
    );
    harness.run();
    harness.get_by_label("Hidden: 1 (1)");
    harness.get_by_label("Hidden: 1 (1)").click();
    harness.run();
    harness.get_by_label("李四 (1)").click();
    harness.run();
    assert!(harness.query_by_label_contains("Hidden:").is_none());
    // Shown and selected: the message is read.
    harness.get_by_label("在吗");
    assert_eq!(harness.get_all_by_label("–").count(), 2);
}

#[test]
fn closing_an_open_session_asks_first_and_ends_it() {
    let (mut harness, mut side, _) = app();
    log_in(
        &mut harness,
        &side,
        Role::Agent,
        |_| {},
        vec![session(vec![])],
    );
    harness.get_by_label("×").click();
    harness.run();
    harness.get_by_label_contains("is still open");
    harness.get_by_label("Cancel").click();
    harness.run();
    assert!(harness.query_by_label_contains("is still open").is_none());
    let sent = commands(&mut side);
    assert!(
        !sent
            .iter()
            .any(|c| matches!(c, NetCommand::EndSession { .. })),
        "Cancel ends nothing: {sent:?}"
    );
    harness.get_by_label("×").click();
    harness.run();
    harness.get_by_label("End session and close").click();
    harness.run();
    let sent = commands(&mut side);
    assert!(
        sent.iter().any(|c| matches!(
            c,
            NetCommand::EndSession {
                session_id: SESSION
            }
        )),
        "{sent:?}"
    );
    // The tab stays until the end arrives, then goes.
    harness.get_by_label("×");
    send(
        &side,
        NetEvent::Relay(Event::SessionEnded {
            session_id: SESSION,
            by: Party::Agent,
        }),
    );
    harness.run();
    assert!(harness.query_by_label("×").is_none(), "tab closed");
}

#[test]
fn settings_turn_sounds_off_and_switch_the_language_at_once() {
    let (mut harness, side, recording) = app();
    log_in(&mut harness, &side, Role::Agent, |_| {}, vec![]);
    harness.get_by_label("Settings").click();
    harness.run();
    harness.get_by_label("Alert sounds").click();
    harness.run();
    assert!(!harness.state().preferences().sounds);
    set_focused(&mut harness, false);
    relay(
        &side,
        Event::QueueChanged {
            queue: vec![QueueEntry {
                ticket_id: TicketId(5),
                name: "王五".into(),
                phone: "13700000000".into(),
                queued_at: porpoise_agent::clock::now_unix_ms(),
                group_id: None,
                product_type_id: None,
            }],
            count: 1,
        },
    );
    harness.run();
    let calls = recording.calls();
    assert!(calls.iter().any(|c| c.starts_with("popup:")), "{calls:?}");
    assert!(
        !calls.iter().any(|c| c == "chime"),
        "sounds are off: {calls:?}"
    );

    // A bad fingerprint is refused with a reason; a good one is kept for the next login.
    harness.get_by_label("Certificate fingerprint").click();
    harness
        .get_by_label("Certificate fingerprint")
        .type_text("xyz");
    harness.get_by_label("Save (used at next login)").click();
    harness.run();
    harness.get_by_label("The fingerprint must be 64 hex digits");

    harness.get_by_label("Language").click();
    harness.run();
    harness.get_by_label("简体中文").click();
    harness.run();
    harness.run();
    assert!(harness.get_all_by_label("个人设置").count() >= 1);
    assert_eq!(harness.state().language(), porpoise_ui::Language::ZhCn);
}

#[test]
fn a_message_in_a_tab_not_in_front_chimes() {
    let (mut harness, side, recording) = app();
    log_in(
        &mut harness,
        &side,
        Role::Agent,
        |_| {},
        vec![session(vec![]), second_session()],
    );
    let chimes = |r: &porpoise_agent::notify::Recording| {
        r.calls().iter().filter(|c| c.as_str() == "chime").count()
    };
    // The first tab is in front: its messages only show.
    relay(
        &side,
        Event::ChatReceived {
            session_id: SESSION,
            message: message(1, Party::Customer, "你好"),
        },
    );
    harness.run();
    assert_eq!(chimes(&recording), 0);
    relay(
        &side,
        Event::ChatReceived {
            session_id: SessionId(SESSION.0 + 1),
            message: message(2, Party::Customer, "有人吗"),
        },
    );
    harness.run();
    assert_eq!(chimes(&recording), 1);
    assert!(harness.get_all_by_label("1").count() >= 1, "unread badge");
}

#[test]
fn quick_replies_fold_the_customer_panel_in_a_narrow_work_area() {
    let (mut harness, side, _) = app();
    log_in(
        &mut harness,
        &side,
        Role::Agent,
        |_| {},
        vec![session(vec![])],
    );
    assert!(
        harness.query_by_label("« Customer info").is_none(),
        "panel open"
    );
    harness.get_by_label("Quick replies").click();
    harness.run();
    // 1400 px window: queue, colleagues, quick replies and the card would leave no chat.
    harness.get_by_label("« Customer info").click();
    harness.run();
    assert!(
        harness.query_by_label("« Customer info").is_none(),
        "unfolding the card closes the quick replies"
    );
    harness.get_by_label("Message");
}

#[test]
fn a_focused_console_chimes_without_desktop_popups() {
    let (mut harness, side, recording) = app();
    log_in(&mut harness, &side, Role::Agent, |_| {}, vec![]);
    set_focused(&mut harness, true);
    relay(&side, Event::OfferReceived(offer(3, "赵六")));
    harness.run();
    harness.get_by_label("New service request");
    let calls = recording.calls();
    assert!(calls.iter().any(|c| c == "chime"), "{calls:?}");
    assert!(!calls.iter().any(|c| c.starts_with("popup:")), "{calls:?}");
}
