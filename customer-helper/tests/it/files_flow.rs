//! File transfer in the helper (A6, C5) with a fake network: consent to file transfer, an
//! incoming file with Accept/Decline, its progress bar with speed and time left, Cancel, and
//! the customer's own Send files.

use crate::common;

use porpoise_protocol::wire::rpc;
use std::path::PathBuf;

use common::{harness, options, type_into, FakeNet};
use egui_kittest::{kittest::Queryable, Harness};
use porpoise_helper::{
    files::FileCommand,
    net::{NetCommand, NetEvent},
    HelperApp,
};
use porpoise_protocol::wire::{Event, RemoteAction, Request, ServiceMode, SessionId, SessionInfo};
use porpoise_quic::files::FileTransferId;
use porpoise_quic::{
    files::Side,
    transfers::{Direction, FileTransferUpdate, Outcome, RowState},
};
use porpoise_ui::Language;

const SID: SessionId = SessionId(7);
const OFFER: FileTransferId = FileTransferId(0xABC);
const MIB: u64 = 1024 * 1024;

fn served() -> (Harness<'static, HelperApp>, FakeNet) {
    let (mut h, mut net) = harness(Language::En, "Wang Wei");
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
    assert!(net.drain().is_empty());
    (h, net)
}

fn file_commands(net: &mut FakeNet) -> Vec<FileCommand> {
    net.drain()
        .into_iter()
        .filter_map(|c| match c {
            NetCommand::Files(f) => Some(f),
            _ => None,
        })
        .collect()
}

fn offer(net: &FakeNet) {
    net.push(NetEvent::File(FileTransferUpdate::Added {
        id: OFFER,
        session_id: SID,
        direction: Direction::Incoming,
        name: "driver.exe".into(),
        size: 20 * MIB,
        needs_answer: true,
    }));
}

#[test]
fn consent_then_accept_shows_progress_and_cancel_stops_it() {
    let (mut h, mut net) = served();
    net.relay(Event::ConsentRequested {
        session_id: SID,
        action: RemoteAction::FileTransfer,
    });
    h.run();
    h.get_by_label_contains("Alice asks to send you files");
    common::wait_consent_armed(&mut h);
    h.get_by_label("Accept").click();
    h.run();
    assert!(net
        .requests()
        .contains(&Request::AnswerConsent(rpc::AnswerConsent {
            session_id: SID,
            action: RemoteAction::FileTransfer,
            grant: true,
        })));

    offer(&net);
    h.run();
    h.get_by_label("driver.exe");
    h.get_by_label("The agent wants to send you this file");
    h.get_by_label("Accept").click();
    h.run();
    assert_eq!(
        file_commands(&mut net),
        [FileCommand::Answer {
            id: OFFER,
            accept: true
        }]
    );
    assert!(h.query_by_label("Decline").is_none(), "answered once");

    net.push(NetEvent::File(FileTransferUpdate::Progress {
        id: OFFER,
        done: 5 * MIB,
        total: 20 * MIB,
        speed_bps: Some(2 * MIB),
        eta_ms: Some(7_500),
    }));
    h.run();
    h.get_by_label("5.0 MB / 20.0 MB · 2.0 MB/s · 0:08 left");
    let row = &h.state().files().list.rows()[0];
    assert_eq!(row.state, RowState::Running);
    assert!((row.fraction() - 0.25).abs() < 1e-6);

    h.get_by_label("Cancel").click();
    h.run();
    assert_eq!(file_commands(&mut net), [FileCommand::Cancel { id: OFFER }]);
    net.push(NetEvent::File(FileTransferUpdate::Finished {
        id: OFFER,
        outcome: Outcome::Cancelled(Side::Local),
    }));
    h.run();
    h.get_by_label("Cancelled");
    assert!(h.query_by_label("Cancel").is_none());
}

#[test]
fn a_declined_offer_says_so_and_the_customer_sends_its_own_files() {
    let (mut h, mut net) = served();
    offer(&net);
    h.run();
    h.get_by_label("Decline").click();
    h.run();
    assert_eq!(
        file_commands(&mut net),
        [FileCommand::Answer {
            id: OFFER,
            accept: false
        }]
    );
    net.push(NetEvent::File(FileTransferUpdate::Finished {
        id: OFFER,
        outcome: Outcome::Refused(porpoise_quic::files::RefuseReason::Declined),
    }));
    h.run();
    h.get_by_label("Declined");

    // The send box is folded until opened, so that the chat keeps its room.
    h.get_by_label("Send files from this computer").click();
    h.run();
    type_into(
        &mut h,
        "Paths of files to send, one per line; or drop files on the window",
        "/home/wang/screenshot.png",
    );
    h.get_by_label("Send files").click();
    h.run();
    assert_eq!(
        file_commands(&mut net),
        [FileCommand::Send {
            session_id: SID,
            paths: vec![PathBuf::from("/home/wang/screenshot.png")],
        }]
    );
    // Too big for the center: the row says so with both sizes.
    net.push(NetEvent::File(FileTransferUpdate::NotSent {
        session_id: SID,
        name: "video.mp4".into(),
        outcome: Outcome::Refused(porpoise_quic::files::RefuseReason::TooBig {
            size: 150 * MIB,
            max: 100 * MIB,
        }),
    }));
    h.run();
    h.get_by_label("The file is 150.0 MB; the limit is 100.0 MB");
}
