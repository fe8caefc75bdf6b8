//! Sans-IO tests of chat pictures in the helper state (C4): pending until stored, resent
//! after a reconnect, refusals explained.

use porpoise_codec::chat_image;
use porpoise_protocol::wire::rpc;
use porpoise_protocol::wire::{ApiError, ChatMessage, Party, Request, Response};

use super::tests::{connected, info, requests, serving, SID};
use super::*;
use crate::net::{NetEvent, RequestFailure};

fn png() -> Vec<u8> {
    chat_image::prepare(&[120u8; 8 * 6 * 4], 8, 6).expect("png")
}

#[test]
fn a_picture_is_pending_until_stored_and_resent_after_reconnect() {
    let mut s = serving();
    let data = png();
    let mut out = Vec::new();
    s.on_ui(UiAction::SendPicture(data.clone()), &mut out);
    let sent = requests(&out);
    let [Request::SendChatImage(rpc::SendChatImage {
        session_id: SID,
        message_id,
        data: ref bytes,
    })] = sent[..]
    else {
        panic!("{sent:?}")
    };
    assert_eq!(bytes, &data);
    let pending = s.session().expect("serving").pending.clone();
    let picture = pending[0].picture.clone().expect("a picture");
    assert_eq!((picture.info.width, picture.info.height), (8, 6));
    // Lost before the answer: resent with the same id and bytes after the reconnect.
    s.on_net(
        NetEvent::Answered {
            request: sent[0].clone(),
            result: Err(RequestFailure::Connection(ApiError::Disconnected)),
        },
        &mut Vec::new(),
    );
    let mut out = Vec::new();
    s.on_net(connected(Some(info(vec![])), None), &mut out);
    assert_eq!(requests(&out), sent, "resent as it was");
    // Stored: in the history with its picture, no longer pending.
    let stored = ChatMessage {
        message_id,
        from: Party::Customer,
        text: String::new(),
        sent_at: 5,
        image: Some(picture.info),
    };
    s.on_net(
        NetEvent::Answered {
            request: sent[0].clone(),
            result: Ok(Response::ChatStored(stored.clone())),
        },
        &mut Vec::new(),
    );
    let session = s.session().expect("serving");
    assert!(session.pending.is_empty());
    assert_eq!(session.messages, [stored]);
}

#[test]
fn bad_or_refused_pictures_are_explained() {
    let mut s = serving();
    let mut out = Vec::new();
    s.on_ui(UiAction::SendPicture(b"GIF89a...".to_vec()), &mut out);
    assert!(out.is_empty(), "nothing sent");
    assert!(
        matches!(
            &s.notice,
            Some(Notice::PictureInvalid(
                porpoise_protocol::wire::ApiError::BadImage(
                    porpoise_protocol::wire::ImageProblem::UnknownFormat
                )
            ))
        ),
        "{:?}",
        s.notice
    );
    s.on_ui(UiAction::SendPicture(png()), &mut out);
    let sent = requests(&out);
    s.on_net(
        NetEvent::Answered {
            request: sent[0].clone(),
            result: Err(RequestFailure::Relay(ApiError::BadImage(
                porpoise_protocol::wire::ImageProblem::Damaged,
            ))),
        },
        &mut Vec::new(),
    );
    assert!(s.session().expect("serving").pending.is_empty());
    assert_eq!(
        s.notice,
        Some(Notice::PictureRefused(RequestFailure::Relay(
            ApiError::BadImage(porpoise_protocol::wire::ImageProblem::Damaged)
        )))
    );
    // A local failure (unreadable file, capture error) is a notice too.
    s.on_ui(
        UiAction::PictureFailed("no display".into()),
        &mut Vec::new(),
    );
    assert_eq!(s.notice, Some(Notice::PictureFailed("no display".into())));
}

#[test]
fn a_reply_of_the_wrong_type_is_a_protocol_error() {
    let mut s = serving();
    let mut out = Vec::new();
    s.on_ui(UiAction::SendPicture(png()), &mut out);
    let sent = requests(&out);
    s.on_net(
        NetEvent::Answered {
            request: sent[0].clone(),
            result: Ok(Response::Done),
        },
        &mut Vec::new(),
    );
    assert_eq!(
        s.notice,
        Some(Notice::PictureRefused(RequestFailure::Relay(
            ApiError::Protocol
        )))
    );
    assert!(s.session().expect("serving").pending.is_empty());
}
