//! The helper's chat tools (C4) with a fake network: a picture pasted with Ctrl+V is sent and
//! shown pending until stored; the agent's picture is fetched, shown and enlarged on click; a
//! refused or unreadable picture says why; dropped PNG/JPEG files go to the chat and other
//! files to file transfer; the emoji picker inserts into the draft; the region screenshot
//! sends the dragged region; Save transcript writes the file and asks before replacing it.

use crate::common;

use porpoise_protocol::wire::rpc;
use std::{path::PathBuf, sync::Arc};

use common::{harness, options, type_into, FakeNet};
use egui_kittest::{kittest::Queryable, Harness};
use porpoise_codec::chat_image;
use porpoise_helper::{
    files::FileCommand,
    net::{NetCommand, NetEvent, RequestFailure},
    region::Frozen,
    HelperApp,
};
use porpoise_platform::capture::ScreenGeometry;
use porpoise_protocol::wire::{
    ApiError, ChatMessage, Event, ImageFormat, MessageId, Party, Request, Response, ServiceMode,
    SessionId, SessionInfo,
};
use porpoise_ui::Language;

const SID: SessionId = SessionId(7);

/// A 40×30 picture with a dark band, as a screenshot would be.
fn pixels() -> (Vec<u8>, u32, u32) {
    let (w, h) = (40u32, 30u32);
    let rgba = (0..w * h)
        .flat_map(|i| {
            if i / w < 10 {
                [20, 40, 90, 255]
            } else {
                [250, 250, 250, 255]
            }
        })
        .collect();
    (rgba, w, h)
}

fn served(language: Language) -> (Harness<'static, HelperApp>, FakeNet) {
    let (mut h, mut net) = harness(language, "Wang Wei");
    let info = SessionInfo {
        session_id: SID,
        customer_name: "Wang Wei".into(),
        customer_phone: "13800000000".into(),
        agent_name: "Alice".into(),
        started_at: 0,
        messages: vec![],
    };
    net.welcome(options(ServiceMode::AutoAssign), Some(info));
    h.run();
    net.drain();
    (h, net)
}

fn sent_pictures(net: &mut FakeNet) -> Vec<(MessageId, Vec<u8>)> {
    net.requests()
        .into_iter()
        .filter_map(|r| match r {
            Request::SendChatImage(rpc::SendChatImage {
                session_id,
                message_id,
                data,
            }) if session_id == SID => Some((message_id, data)),
            _ => None,
        })
        .collect()
}

fn answer(net: &FakeNet, request: Request, result: Result<Response, RequestFailure>) {
    net.push(NetEvent::Answered { request, result });
}

fn stored(message_id: MessageId, from: Party, data: &[u8]) -> ChatMessage {
    ChatMessage {
        message_id,
        from,
        text: String::new(),
        sent_at: 1_700_000_000_000,
        image: Some(chat_image::probe(data).expect("probe")),
    }
}

#[test]
fn a_pasted_picture_is_sent_shown_pending_and_confirmed() {
    let (mut h, mut net) = served(Language::En);
    let (rgba, w, h_px) = pixels();
    let pasted = egui::ColorImage::from_rgba_unmultiplied([w as usize, h_px as usize], &rgba);
    h.event(egui::Event::PasteImage(Arc::new(pasted)));
    h.run();
    let sent = sent_pictures(&mut net);
    let [(message_id, data)] = sent.as_slice() else {
        panic!("one picture sent, got {}", sent.len())
    };
    let info = chat_image::probe(data).expect("a valid picture goes out");
    assert_eq!(
        (info.format, info.width, info.height),
        (ImageFormat::Png, w, h_px)
    );
    assert_eq!(chat_image::decode(data).expect("decodes").rgba, rgba);
    // Shown at once from its own bytes, marked pending; nothing fetched.
    h.get_by_label("You · sending…");
    h.get_by_label("Click to enlarge");
    assert!(net.drain().is_empty(), "no fetch of our own picture");
    answer(
        &net,
        Request::SendChatImage(rpc::SendChatImage {
            session_id: SID,
            message_id: *message_id,
            data: data.clone(),
        }),
        Ok(Response::ChatStored(stored(
            *message_id,
            Party::Customer,
            data,
        ))),
    );
    h.run();
    assert!(h.query_by_label("You · sending…").is_none(), "confirmed");
    h.get_by_label("Click to enlarge");
    assert!(net.drain().is_empty(), "still no fetch");
}

#[test]
fn the_agents_picture_is_fetched_shown_and_enlarged_on_click() {
    let (mut h, mut net) = served(Language::En);
    let (rgba, w, h_px) = pixels();
    let data = chat_image::prepare(&rgba, w, h_px).expect("png");
    net.relay(Event::ChatReceived {
        session_id: SID,
        message: stored(MessageId(5), Party::Agent, &data),
    });
    h.run();
    assert!(
        h.query_by_label("Click to enlarge").is_none(),
        "not there yet"
    );
    let fetch = Request::GetChatImage(rpc::GetChatImage {
        session_id: SID,
        message_id: MessageId(5),
    });
    assert_eq!(net.requests(), std::slice::from_ref(&fetch), "fetched once");
    h.run();
    assert!(net.requests().is_empty(), "not fetched again");
    answer(
        &net,
        fetch,
        Ok(Response::ChatImageData(rpc::ChatImageData {
            session_id: SID,
            message_id: MessageId(5),
            data,
        })),
    );
    h.run();
    h.get_by_label("Click to enlarge").hover();
    h.run();
    // The thumbnail, not its tooltip.
    h.get_all_by_label("Click to enlarge")
        .next()
        .expect("thumbnail")
        .click();
    h.run();
    h.get_by_label(&format!("{w} × {h_px} px"));
    h.key_press(egui::Key::Escape);
    h.run();
    assert!(
        h.query_by_label(&format!("{w} × {h_px} px")).is_none(),
        "Esc closes the large view"
    );
}

#[test]
fn a_refused_or_unreadable_picture_says_why() {
    let (mut h, mut net) = served(Language::En);
    let (rgba, w, h_px) = pixels();
    let pasted = egui::ColorImage::from_rgba_unmultiplied([w as usize, h_px as usize], &rgba);
    h.event(egui::Event::PasteImage(Arc::new(pasted)));
    h.run();
    let sent = sent_pictures(&mut net);
    answer(
        &net,
        Request::SendChatImage(rpc::SendChatImage {
            session_id: SID,
            message_id: sent[0].0,
            data: sent[0].1.clone(),
        }),
        Err(RequestFailure::Relay(ApiError::BadImage(
            porpoise_protocol::wire::ImageProblem::Damaged,
        ))),
    );
    h.run();
    h.get_by_label_contains("Picture not sent");
    assert!(
        h.query_by_label("You · sending…").is_none(),
        "no longer pending"
    );

    // A file that is not a picture, typed into the picture box.
    let dir = tempfile::tempdir().expect("tempdir");
    let bad = dir.path().join("notes.png");
    std::fs::write(&bad, "not a picture").expect("write");
    h.get_by_label("Send picture").click();
    h.run();
    // The box starts in the Pictures folder; the customer types the whole path.
    h.state_mut().chat_tools().picture_path = bad.display().to_string();
    h.run();
    h.get_by_label("Picture file (PNG or JPEG)").focus();
    h.run();
    h.key_press(egui::Key::Enter);
    h.run();
    assert!(sent_pictures(&mut net).is_empty());
    h.get_by_label_contains("not a PNG or JPEG picture");
}

/// A file dropped on the window, as the windowing layer would hand it to egui.
#[derive(Debug)]
struct Dropped(PathBuf);

impl egui::DroppedFile for Dropped {
    fn path(&self) -> &std::path::Path {
        &self.0
    }

    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

#[test]
fn dropped_pictures_go_to_the_chat_and_other_files_to_file_transfer() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (rgba, w, h_px) = pixels();
    let photo = dir.path().join("photo.JPG");
    std::fs::write(&photo, chat_image::prepare(&rgba, w, h_px).expect("png")).expect("write");
    let log = dir.path().join("setup.log");
    std::fs::write(&log, "log").expect("write");
    let (mut h, mut net) = served(Language::En);
    for p in [&photo, &log] {
        let file: egui::DroppedFileHandle = Arc::new(Dropped(p.clone()));
        h.input_mut().dropped_files.push(file);
    }
    h.run();
    let commands = net.drain();
    let pictures: Vec<&Request> = commands
        .iter()
        .filter_map(|c| match c {
            NetCommand::Request(r @ Request::SendChatImage(rpc::SendChatImage { .. })) => Some(r),
            _ => None,
        })
        .collect();
    assert_eq!(pictures.len(), 1, "the photo goes into the chat");
    let files: Vec<&FileCommand> = commands
        .iter()
        .filter_map(|c| match c {
            NetCommand::Files(f) => Some(f),
            _ => None,
        })
        .collect();
    assert_eq!(
        files,
        [&FileCommand::Send {
            session_id: SID,
            paths: vec![log.clone()],
        }],
        "only the log is a file transfer"
    );
}

#[test]
fn the_emoji_picker_inserts_into_the_draft() {
    let (mut h, _net) = served(Language::ZhCn);
    type_into(&mut h, "消息", "好的");
    h.get_by_label("😀").hover();
    h.run();
    h.get_by_label("😀").click();
    h.run();
    h.get_by_label("👍").click();
    h.run();
    let draft = h.state().state().session().expect("serving").draft.clone();
    assert_eq!(draft, "好的👍");
    assert!(h.query_by_label("👍").is_none(), "the picker closed");
}

#[test]
fn the_region_screenshot_sends_the_dragged_region_and_esc_cancels() {
    let (mut h, mut net) = served(Language::En);
    let frozen = || Frozen {
        rgba: (0..200 * 100)
            .flat_map(|i| [(i % 200) as u8, (i / 200) as u8, 128, 255])
            .collect(),
        monitor: ScreenGeometry {
            x: 0,
            y: 0,
            width: 200,
            height: 100,
        },
    };
    // Esc closes without sending.
    h.state_mut().chat_tools().region.open_with(frozen());
    h.run();
    h.key_press(egui::Key::Escape);
    h.run();
    assert!(!h.state_mut().chat_tools().region.is_active());
    assert!(sent_pictures(&mut net).is_empty());

    // A drag over the frozen screen, then Enter.
    h.state_mut().chat_tools().region.open_with(frozen());
    h.run();
    // The selection window is embedded in tests (a window titled like the real one).
    let window = h.get_by_label("Select a region").rect();
    let center = egui::pos2(
        (window.min.x + window.max.x) / 2.0,
        (window.min.y + window.max.y) / 2.0,
    );
    let (from, to) = (
        center - egui::vec2(40.0, 15.0),
        center + egui::vec2(40.0, 15.0),
    );
    h.event(egui::Event::PointerMoved(from));
    h.event(egui::Event::PointerButton {
        pos: from,
        button: egui::PointerButton::Primary,
        pressed: true,
        modifiers: egui::Modifiers::NONE,
    });
    h.run();
    for step in 1..=5 {
        h.event(egui::Event::PointerMoved(
            from + (to - from) * step as f32 / 5.0,
        ));
        h.run();
    }
    h.event(egui::Event::PointerButton {
        pos: to,
        button: egui::PointerButton::Primary,
        pressed: false,
        modifiers: egui::Modifiers::NONE,
    });
    h.run();
    let selected = h
        .state_mut()
        .chat_tools()
        .region
        .open_mut()
        .and_then(|o| o.select.selection());
    assert!(selected.is_some(), "the drag selected a region");
    h.key_press(egui::Key::Enter);
    h.run();
    let mut sent = Vec::new();
    for _ in 0..1000 {
        h.run();
        sent = sent_pictures(&mut net);
        if !sent.is_empty() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let [(_, data)] = sent.as_slice() else {
        panic!("one screenshot sent, got {}", sent.len())
    };
    let info = chat_image::probe(data).expect("valid picture");
    assert!(
        info.width > 4 && info.width < 200 && info.height > 4 && info.height < 100,
        "a part of the screen: {info:?}"
    );
    h.get_by_label("You · sending…");
}

#[test]
fn save_transcript_writes_the_file_and_asks_before_replacing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("chat.txt");
    let (mut h, net) = served(Language::ZhCn);
    net.relay(Event::ChatReceived {
        session_id: SID,
        message: ChatMessage {
            message_id: MessageId(1),
            from: Party::Agent,
            text: "您好，请问有什么可以帮您？".into(),
            sent_at: 1_700_000_000_000,
            image: None,
        },
    });
    let (rgba, w, h_px) = pixels();
    let data = chat_image::prepare(&rgba, w, h_px).expect("png");
    net.relay(Event::ChatReceived {
        session_id: SID,
        message: stored(MessageId(2), Party::Customer, &data),
    });
    h.run();
    h.get_by_label("保存聊天记录").click();
    h.run();
    let prefilled = h
        .state_mut()
        .chat_tools()
        .save
        .clone()
        .expect("dialog open")
        .path;
    assert!(prefilled.contains("Acme-Support-"), "{prefilled}");
    assert!(prefilled.ends_with(".txt"), "{prefilled}");
    h.state_mut().chat_tools().save.as_mut().expect("open").path = path.display().to_string();
    h.run();
    h.get_by_label("保存").click();
    h.run();
    let text = std::fs::read_to_string(&path).expect("saved");
    assert!(text.contains("Alice: 您好，请问有什么可以帮您？"), "{text}");
    assert!(text.contains("我: [图片 40×30]"), "{text}");
    h.get_by_label_contains("聊天记录已保存到");
    assert!(h.state_mut().chat_tools().save.is_none(), "closed");

    // Again to the same file: asked first, replaced on confirmation.
    std::fs::write(&path, "old").expect("write");
    h.get_by_label("保存聊天记录").click();
    h.run();
    h.state_mut().chat_tools().save.as_mut().expect("open").path = path.display().to_string();
    h.run();
    h.get_by_label("保存").click();
    h.run();
    h.get_by_label_contains("已存在，要替换它吗？");
    assert_eq!(
        std::fs::read_to_string(&path).expect("read"),
        "old",
        "not yet"
    );
    h.get_by_label("替换").click();
    h.run();
    assert!(std::fs::read_to_string(&path)
        .expect("read")
        .contains("Alice: 您好"));
}

#[test]
fn a_relay_error_is_shown_in_the_customers_language() {
    let (mut h, net) = served(Language::ZhCn);
    let error = ApiError::too_long(porpoise_protocol::wire::Field::ChatText, 16384);
    answer(
        &net,
        Request::SendChat(rpc::SendChat {
            session_id: SID,
            message_id: MessageId(99),
            text: "你好".repeat(4000),
        }),
        Err(RequestFailure::Relay(error.clone())),
    );
    h.run();
    let expected = format!(
        "操作失败：{}",
        porpoise_protocol::lang::errors::api_error_text(Language::ZhCn, &error)
    );
    // The notice line says exactly this, and nothing in English.
    h.get_by_label(&expected);
    let shown = expected;
    assert!(shown.contains("16384"), "{shown}");
    assert!(
        !shown.chars().any(|c| c.is_ascii_alphabetic()),
        "no English words: {shown}"
    );
}
