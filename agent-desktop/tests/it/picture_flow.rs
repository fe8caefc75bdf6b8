//! Chat pictures in the agent console (A7): paste with Ctrl+V, pick a file, drop one on the
//! window, the customer's pictures fetched and shown inline, click to enlarge, errors shown.

use crate::common;

use porpoise_protocol::wire::rpc;
use std::sync::Arc;

use common::*;
use egui_kittest::kittest::Queryable;
use porpoise_codec::chat_image;
use porpoise_protocol::wire::{
    ApiError, Event, ImageFormat, MessageId, Party, Request, Response, Role,
};

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

fn sent_pictures(side: &mut RelaySide) -> Vec<(MessageId, Vec<u8>)> {
    calls(side)
        .into_iter()
        .filter_map(|r| match r {
            Request::SendChatImage(rpc::SendChatImage {
                session_id,
                message_id,
                data,
            }) if session_id == SESSION => Some((message_id, data)),
            _ => None,
        })
        .collect()
}

#[test]
fn a_pasted_picture_is_sent_shown_at_once_and_confirmed() {
    let (mut harness, mut side, _) = app();
    log_in(
        &mut harness,
        &side,
        Role::Agent,
        |_| {},
        vec![session(vec![])],
    );
    let (rgba, w, h) = pixels();
    let pasted = egui::ColorImage::from_rgba_unmultiplied([w as usize, h as usize], &rgba);
    harness.event(egui::Event::PasteImage(Arc::new(pasted)));
    harness.run();
    let sent = sent_pictures(&mut side);
    let [(message_id, data)] = sent.as_slice() else {
        panic!("one picture sent, got {}", sent.len())
    };
    let info = chat_image::probe(data).expect("a valid picture goes out");
    assert_eq!(
        (info.format, info.width, info.height),
        (ImageFormat::Png, w, h)
    );
    assert_eq!(chat_image::decode(data).expect("decodes").rgba, rgba);
    // Shown at once (from its own bytes) as pending, no fetch needed.
    harness.get_by_label("sending…");
    harness.get_by_label("Click to enlarge");
    assert!(!calls(&mut side)
        .iter()
        .any(|r| matches!(r, Request::GetChatImage(rpc::GetChatImage { .. }))));
    let stored = porpoise_protocol::wire::ChatMessage {
        message_id: *message_id,
        from: Party::Agent,
        text: String::new(),
        sent_at: porpoise_agent::clock::now_unix_ms(),
        image: Some(info),
    };
    answer(
        &side,
        Request::SendChatImage(rpc::SendChatImage {
            session_id: SESSION,
            message_id: *message_id,
            data: data.clone(),
        }),
        Ok(Response::ChatStored(stored)),
    );
    harness.run();
    assert!(harness.query_by_label("sending…").is_none(), "confirmed");
}

#[test]
fn the_customers_picture_is_fetched_shown_and_enlarged_on_click() {
    let (mut harness, mut side, _) = app();
    log_in(
        &mut harness,
        &side,
        Role::Agent,
        |_| {},
        vec![session(vec![])],
    );
    let (rgba, w, h) = pixels();
    let data = chat_image::prepare(&rgba, w, h).expect("png");
    let info = chat_image::probe(&data).expect("probe");
    let mut message = message(5, Party::Customer, "");
    message.image = Some(info);
    relay(
        &side,
        Event::ChatReceived {
            session_id: SESSION,
            message,
        },
    );
    harness.run();
    harness.get_by_label("Loading picture…");
    let fetches: Vec<_> = calls(&mut side)
        .into_iter()
        .filter(|r| matches!(r, Request::GetChatImage(rpc::GetChatImage { .. })))
        .collect();
    assert_eq!(
        fetches,
        [Request::GetChatImage(rpc::GetChatImage {
            session_id: SESSION,
            message_id: MessageId(5)
        })],
        "fetched once"
    );
    answer(
        &side,
        fetches[0].clone(),
        Ok(Response::ChatImageData(rpc::ChatImageData {
            session_id: SESSION,
            message_id: MessageId(5),
            data,
        })),
    );
    harness.run();
    assert!(harness.query_by_label("Loading picture…").is_none());
    harness.get_by_label("Click to enlarge").hover();
    harness.run();
    // The tooltip repeats the label: click the picture, the first node.
    harness
        .get_all_by_label("Click to enlarge")
        .next()
        .expect("thumbnail")
        .click();
    harness.run();
    harness.get_by_label(&format!("{w} × {h} px"));
    harness.key_press(egui::Key::Escape);
    harness.run();
    assert!(
        harness.query_by_label(&format!("{w} × {h} px")).is_none(),
        "Esc closes"
    );
}

#[test]
fn a_picture_file_is_sent_from_the_picture_menu_and_a_bad_one_explained() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (rgba, w, h) = pixels();
    let good = dir.path().join("截图.png");
    std::fs::write(&good, chat_image::prepare(&rgba, w, h).expect("png")).expect("write");
    let bad = dir.path().join("notes.png");
    std::fs::write(&bad, "not a picture").expect("write");

    for (path, ok) in [(&bad, false), (&good, true)] {
        let (mut harness, mut side, _) = app();
        log_in(
            &mut harness,
            &side,
            Role::Agent,
            |_| {},
            vec![session(vec![])],
        );
        harness.get_by_label("Picture").hover();
        harness.run();
        harness.get_by_label("Picture").click();
        harness.run();
        let input = harness.get_by_label("Picture file (PNG/JPEG):");
        input.hover();
        input.click();
        harness.run();
        harness
            .get_by_label("Picture file (PNG/JPEG):")
            .type_text(&path.display().to_string());
        harness.run();
        harness.get_by_label("Send picture").click();
        harness.run();
        let sent = sent_pictures(&mut side);
        if ok {
            assert_eq!(sent.len(), 1, "the good file is sent");
            assert!(
                harness.query_by_label("Send picture").is_none(),
                "the picture row closes after a send"
            );
        } else {
            assert!(sent.is_empty());
            harness.get_by_label_contains("not a PNG or JPEG picture");
        }
    }
}

#[test]
fn dropped_pictures_go_to_the_chat_and_a_refusal_is_shown() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (rgba, w, h) = pixels();
    let good = dir.path().join("photo.JPG");
    std::fs::write(&good, chat_image::prepare(&rgba, w, h).expect("png")).expect("write");
    let (mut harness, mut side, _) = app();
    log_in(
        &mut harness,
        &side,
        Role::Agent,
        |_| {},
        vec![session(vec![])],
    );
    let file: egui::DroppedFileHandle = Arc::new(Dropped(good.clone()));
    harness.input_mut().dropped_files.push(file);
    harness.run();
    let sent = sent_pictures(&mut side);
    assert_eq!(sent.len(), 1, "a dropped picture goes into the chat");
    // The relay refuses it: the message is marked and the reason shown on hover.
    answer(
        &side,
        Request::SendChatImage(rpc::SendChatImage {
            session_id: SESSION,
            message_id: sent[0].0,
            data: sent[0].1.clone(),
        }),
        Err(ApiError::BadImage(
            porpoise_protocol::wire::ImageProblem::Damaged,
        )),
    );
    harness.run();
    harness.get_by_label("not sent");
}

#[derive(Debug)]
struct Dropped(std::path::PathBuf);

impl egui::DroppedFile for Dropped {
    fn path(&self) -> &std::path::Path {
        &self.0
    }

    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}
