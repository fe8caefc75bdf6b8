//! File transfer in the service window (A6) with a fake network: the File transfer consent
//! button, Send files from the path box, a transfer's progress bar with speed and time left,
//! Cancel, and how the row ends.

use crate::common;

use porpoise_protocol::wire::rpc;
use std::path::PathBuf;

use common::*;
use egui::accesskit::Role as A11y;
use egui_kittest::kittest::Queryable;
use porpoise_agent::files::FileCommand;
use porpoise_protocol::wire::{ActionState, Event, Party, RemoteAction, Role};
use porpoise_quic::{
    files::{FileTransferId, Side},
    transfers::{Direction, FileTransferUpdate, Outcome},
};

const TRANSFER: FileTransferId = FileTransferId(0xF11E);
const MIB: u64 = 1024 * 1024;

fn granted(side: &RelaySide) {
    relay(
        side,
        Event::ActionChanged {
            session_id: SESSION,
            action: RemoteAction::FileTransfer,
            state: ActionState::Granted,
            by: Party::Customer,
        },
    );
}

fn file_commands(side: &mut RelaySide) -> Vec<FileCommand> {
    commands(side)
        .into_iter()
        .filter_map(|c| match c {
            NetCommand::Files(f) => Some(f),
            _ => None,
        })
        .collect()
}

fn file(side: &RelaySide, update: FileTransferUpdate) {
    send(side, NetEvent::File(update));
}

#[test]
fn the_agent_asks_consent_then_sends_typed_paths() {
    let (mut harness, mut side, _) = app();
    log_in(
        &mut harness,
        &side,
        Role::Agent,
        |_| {},
        vec![session(vec![])],
    );
    assert!(
        harness.query_by_label("Send files").is_none(),
        "no sending before the customer agrees"
    );
    harness
        .get_by_role_and_label(A11y::Button, "File transfer")
        .click();
    harness.run();
    let sent = commands(&mut side);
    assert!(
        sent.iter().any(|c| matches!(
            c,
            NetCommand::RequestAction {
                session_id: SESSION,
                action: RemoteAction::FileTransfer
            }
        )),
        "{sent:?}"
    );
    granted(&side);
    harness.run();
    harness.get_by_label("Files allowed");
    let send_button = harness.get_by_role_and_label(A11y::Button, "Send files");
    send_button.click();
    harness.run();
    assert!(
        file_commands(&mut side).is_empty(),
        "an empty path box sends nothing"
    );
    harness
        .get_by_label("File paths, one per line; or drop files on the window")
        .focus();
    harness.run();
    harness
        .get_by_label("File paths, one per line; or drop files on the window")
        .type_text("/tmp/manual.pdf");
    harness.run();
    harness
        .get_by_role_and_label(A11y::Button, "Send files")
        .click();
    harness.run();
    assert_eq!(
        file_commands(&mut side),
        [FileCommand::Send {
            session_id: SESSION,
            paths: vec![PathBuf::from("/tmp/manual.pdf")],
        }]
    );
}

#[test]
fn progress_shows_speed_and_time_left_and_cancel_ends_the_row() {
    let (mut harness, mut side, _) = app();
    log_in(
        &mut harness,
        &side,
        Role::Agent,
        |_| {},
        vec![session(vec![])],
    );
    granted(&side);
    file(
        &side,
        FileTransferUpdate::Added {
            id: TRANSFER,
            session_id: SESSION,
            direction: Direction::Outgoing,
            name: "manual.pdf".into(),
            size: 10 * MIB,
            needs_answer: false,
        },
    );
    harness.run();
    harness.get_by_label("manual.pdf");
    harness.get_by_label("Waiting for the other side…");
    file(
        &side,
        FileTransferUpdate::Progress {
            id: TRANSFER,
            done: 4 * MIB,
            total: 10 * MIB,
            speed_bps: Some(MIB),
            eta_ms: Some(6_000),
        },
    );
    harness.run();
    harness.get_by_label("4.0 MB / 10.0 MB · 1.0 MB/s · 0:06 left");

    harness
        .get_by_role_and_label(A11y::Button, "Cancel")
        .click();
    harness.run();
    assert_eq!(
        file_commands(&mut side),
        [FileCommand::Cancel { id: TRANSFER }]
    );
    file(
        &side,
        FileTransferUpdate::Finished {
            id: TRANSFER,
            outcome: Outcome::Cancelled(Side::Local),
        },
    );
    harness.run();
    harness.get_by_label("Cancelled");
    assert!(
        harness.query_by_label("Cancel").is_none(),
        "nothing left to cancel"
    );

    // A damaged file says so; Clear finished empties the list.
    file(
        &side,
        FileTransferUpdate::Added {
            id: FileTransferId(TRANSFER.0 + 1),
            session_id: SESSION,
            direction: Direction::Incoming,
            name: "log.zip".into(),
            size: MIB,
            needs_answer: false,
        },
    );
    file(
        &side,
        FileTransferUpdate::Finished {
            id: FileTransferId(TRANSFER.0 + 1),
            outcome: Outcome::Damaged,
        },
    );
    harness.run();
    harness.get_by_label("Damaged in transit (SHA-256 mismatch); deleted");
    harness
        .get_by_role_and_label(A11y::Button, "Clear finished")
        .click();
    harness.run();
    assert!(harness.query_by_label("manual.pdf").is_none());
    assert!(harness.query_by_label("log.zip").is_none());
}

#[test]
fn a_common_file_is_sent_with_one_click_and_its_outcome_shown() {
    use porpoise_protocol::wire::{CommonFile, CommonFileOutcome, Request, Response};
    let (mut harness, mut side, _) = app();
    log_in(
        &mut harness,
        &side,
        Role::Agent,
        |_| {},
        vec![session(vec![])],
    );
    granted(&side);
    harness.run();
    harness
        .get_by_role_and_label(A11y::Button, "Show common files")
        .click();
    harness.run();
    // Other panels may load their own data meanwhile; only ours matter here.
    let made = calls(&mut side);
    assert!(
        made.contains(&Request::ListCommonFiles(rpc::ListCommonFiles)),
        "{made:?}"
    );
    answer(
        &side,
        Request::ListCommonFiles(rpc::ListCommonFiles),
        Ok(Response::CommonFiles(vec![CommonFile {
            name: "安装说明.pdf".into(),
            size: 3 * MIB,
        }])),
    );
    harness.run();
    harness.get_by_label("安装说明.pdf (3.0 MB)");
    harness
        .get_by_role_and_label(A11y::Button, "Send to customer")
        .click();
    harness.run();
    let made = calls(&mut side);
    assert!(
        made.contains(&Request::SendCommonFile(rpc::SendCommonFile {
            session_id: SESSION,
            name: "安装说明.pdf".into()
        })),
        "{made:?}"
    );
    harness.get_by_label("Offering it to the customer…");
    relay(
        &side,
        Event::CommonFileSent {
            session_id: SESSION,
            name: "安装说明.pdf".into(),
            outcome: CommonFileOutcome::Declined,
        },
    );
    harness.run();
    harness.get_by_label("The other side declined it");
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

fn drop_files(harness: &mut egui_kittest::Harness<'static, AgentApp>, paths: &[&str]) {
    for p in paths {
        let file: egui::DroppedFileHandle = std::sync::Arc::new(Dropped(PathBuf::from(p)));
        harness.input_mut().dropped_files.push(file);
    }
    harness.run();
}

#[test]
fn dropped_files_are_sent_only_after_consent() {
    let (mut harness, mut side, _) = app();
    log_in(
        &mut harness,
        &side,
        Role::Agent,
        |_| {},
        vec![session(vec![])],
    );
    drop_files(&mut harness, &["/tmp/a.log"]);
    assert!(
        file_commands(&mut side).is_empty(),
        "nothing sent without consent"
    );
    harness.get_by_label("Click File transfer first and wait for the customer to agree");
    granted(&side);
    harness.run();
    drop_files(&mut harness, &["/tmp/a.log", "/tmp/b.zip"]);
    assert_eq!(
        file_commands(&mut side),
        [FileCommand::Send {
            session_id: SESSION,
            paths: vec![PathBuf::from("/tmp/a.log"), PathBuf::from("/tmp/b.zip")],
        }]
    );
}

/// Issue 14: a customer's file over the center's auto-accept limits waits for the agent:
/// the row asks, Accept answers it (Decline the next one).
#[test]
fn a_file_over_the_auto_accept_limits_waits_for_accept_or_decline() {
    let (mut harness, mut side, _) = app();
    log_in(
        &mut harness,
        &side,
        Role::Agent,
        |_| {},
        vec![session(vec![])],
    );
    for (n, name) in [(0, "setup.iso"), (1, "photos.zip")] {
        file(
            &side,
            FileTransferUpdate::Added {
                id: FileTransferId(TRANSFER.0 + n),
                session_id: SESSION,
                direction: Direction::Incoming,
                name: name.into(),
                size: 700 * MIB,
                needs_answer: true,
            },
        );
    }
    harness.run();
    assert_eq!(
        harness
            .query_all_by_label("The customer sends a file: accept it?")
            .count(),
        2
    );
    harness
        .query_all_by_role_and_label(A11y::Button, "Accept")
        .next()
        .expect("accept")
        .click();
    harness.run();
    harness
        .query_all_by_role_and_label(A11y::Button, "Decline")
        .next()
        .expect("decline")
        .click();
    harness.run();
    let answers = file_commands(&mut side);
    assert_eq!(answers.len(), 2, "{answers:?}");
    assert!(answers
        .iter()
        .any(|c| matches!(c, FileCommand::Answer { accept: true, .. })));
    assert!(answers
        .iter()
        .any(|c| matches!(c, FileCommand::Answer { accept: false, .. })));
}
