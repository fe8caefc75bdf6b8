//! The files strip above a session's service window (A6): the path box and Send files (while the
//! customer allows file transfer), files dropped on the window, and the transfers list with
//! progress bar, speed, time left, Cancel and Resume.

use porpoise_protocol::wire::rpc;
use std::path::PathBuf;

use egui::RichText;
use porpoise_protocol::wire::{ActionState, RemoteAction, Request, SessionId};
use porpoise_quic::{
    files::format_bytes,
    transfers::{Direction, RowState},
};
use porpoise_ui::Language;

use super::Outbox;
use crate::{
    files::{parse_paths, FileCommand},
    files::{CommonSend, CommonSendState},
    i18n::{common_send_state, file_progress, file_state, Msg},
    net::NetCommand,
    state::{SessionPhase, Workspace},
};

/// Height of the path box, in text rows.
const PATH_BOX_ROWS: usize = 2;
/// Width of a row's progress bar, in points.
const PROGRESS_WIDTH: f32 = 160.0;
/// Tallest the transfers list grows before it scrolls, in points.
const LIST_MAX_HEIGHT: f32 = 160.0;

/// Draws the files strip of `session_id` above its service window when there is anything to
/// show, and sends files dropped on the window.
pub fn files_ui(
    ui: &mut egui::Ui,
    lang: Language,
    ws: &mut Workspace,
    session_id: SessionId,
    outbox: &mut Outbox,
) {
    let granted = ws
        .session_mut(session_id)
        .is_some_and(|t| t.action(RemoteAction::FileTransfer) == ActionState::Granted);
    let dropped: Vec<PathBuf> = ui.ctx().input(|i| {
        i.raw
            .dropped_files
            .iter()
            .map(|f| f.path().to_path_buf())
            .filter(|p| !p.as_os_str().is_empty())
            .collect()
    });
    // PNG/JPEG pictures go into the chat (A7); other files are file transfers (A6).
    let (pictures, dropped): (Vec<PathBuf>, Vec<PathBuf>) = dropped
        .into_iter()
        .partition(|p| super::chat::is_picture_path(p));
    if !pictures.is_empty() {
        if let Some(tab) = ws
            .sessions
            .iter_mut()
            .find(|t| t.session_id == session_id && t.phase == SessionPhase::Open)
        {
            for path in pictures {
                super::chat::send_picture_file(ui.ctx(), tab.session_id, &mut ws.pictures, &path);
            }
        }
    }
    let board = &mut ws.files;
    if !dropped.is_empty() {
        if granted {
            board.notice = None;
            send(outbox, session_id, dropped);
        } else {
            board.notice = Some((session_id, Msg::FilesNeedConsent));
        }
    }
    let has_rows = board.list.of_session(session_id).next().is_some();
    let notice = board
        .notice
        .filter(|(s, _)| *s == session_id)
        .map(|(_, m)| m);
    if !granted && !has_rows && notice.is_none() {
        return;
    }
    // Drawn above the service window, in the normal top-down flow, so that the chat's
    // bottom-anchored input never covers it.
    ui.group(|ui| {
        ui.set_width(ui.available_width());
        ui.label(RichText::new(Msg::FilesHeading.text(lang)).strong());
        if granted {
            let label = ui.label(RichText::new(Msg::FilePathsHint.text(lang)).weak());
            ui.horizontal(|ui| {
                let draft = board.drafts.entry(session_id).or_default();
                let edit = egui::TextEdit::multiline(draft)
                    .desired_rows(PATH_BOX_ROWS)
                    .desired_width(ui.available_width() - 120.0);
                ui.add(edit).labelled_by(label.id);
                let paths = parse_paths(draft);
                let button = egui::Button::new(Msg::SendFiles.text(lang));
                if ui.add_enabled(!paths.is_empty(), button).clicked() {
                    draft.clear();
                    send(outbox, session_id, paths);
                }
            });
        }
        if granted {
            common_files_ui(ui, lang, board, session_id, outbox);
        }
        if let Some(msg) = notice {
            ui.label(RichText::new(msg.text(lang)).color(ui.visuals().warn_fg_color));
        }
        egui::ScrollArea::vertical()
            .max_height(LIST_MAX_HEIGHT)
            .auto_shrink([false, true])
            .show(ui, |ui| {
                rows_ui(ui, lang, ws_rows(board, session_id), outbox)
            });
        let finished = board.list.of_session(session_id).any(|r| !r.is_active());
        if finished && ui.button(Msg::ClearFinished.text(lang)).clicked() {
            board.list.clear_finished(session_id);
        }
    });
}

/// The center's common files (A8): loaded on demand, one click offers one to the customer;
/// below, how the ones sent in this session went.
fn common_files_ui(
    ui: &mut egui::Ui,
    lang: Language,
    board: &mut crate::files::FileBoard,
    session_id: SessionId,
    outbox: &mut Outbox,
) {
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new(Msg::CommonFiles.text(lang)).weak());
        match &board.common {
            None => {
                if ui.button(Msg::ShowCommonFiles.text(lang)).clicked() {
                    super::call(outbox, Request::ListCommonFiles(rpc::ListCommonFiles));
                }
            }
            Some(files) if files.is_empty() => {
                ui.label(RichText::new(Msg::NoCommonFiles.text(lang)).italics());
            }
            Some(files) => {
                for f in files.clone() {
                    ui.label(format!("{} ({})", f.name, format_bytes(f.size)));
                    if ui.button(Msg::SendToCustomer.text(lang)).clicked() {
                        board.common_sent.push(CommonSend {
                            session_id,
                            name: f.name.clone(),
                            state: CommonSendState::Offering,
                        });
                        super::call(
                            outbox,
                            Request::SendCommonFile(rpc::SendCommonFile {
                                session_id,
                                name: f.name,
                            }),
                        );
                    }
                }
            }
        }
        if let Some(error) = &board.common_error {
            ui.label(RichText::new(error).color(ui.visuals().warn_fg_color));
        }
    });
    for sent in board
        .common_sent
        .iter()
        .filter(|c| c.session_id == session_id)
    {
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new(Msg::CommonFiles.text(lang)).weak());
            ui.label(&sent.name);
            ui.label(common_send_state(lang, &sent.state));
        });
    }
}

fn ws_rows(
    board: &crate::files::FileBoard,
    session_id: SessionId,
) -> Vec<porpoise_quic::transfers::FileTransferRow> {
    board.list.of_session(session_id).cloned().collect()
}

fn send(outbox: &mut Outbox, session_id: SessionId, paths: Vec<PathBuf>) {
    outbox.push(NetCommand::Files(FileCommand::Send { session_id, paths }));
}

fn rows_ui(
    ui: &mut egui::Ui,
    lang: Language,
    rows: Vec<porpoise_quic::transfers::FileTransferRow>,
    outbox: &mut Outbox,
) {
    for row in rows.iter().rev() {
        ui.horizontal(|ui| {
            let way = match row.direction {
                Direction::Outgoing => Msg::FileSending,
                Direction::Incoming => Msg::FileReceiving,
            };
            ui.label(RichText::new(way.text(lang)).weak());
            ui.label(&row.name);
            let bar = egui::ProgressBar::new(row.fraction()).desired_width(PROGRESS_WIDTH);
            ui.add(bar);
            let text = match row.state {
                RowState::Running => file_progress(lang, row),
                _ => file_state(lang, row),
            };
            ui.label(text);
            if let RowState::Interrupted(_) = row.state {
                if row.direction == Direction::Outgoing
                    && ui.button(Msg::ResumeFileTransfer.text(lang)).clicked()
                {
                    outbox.push(NetCommand::Files(FileCommand::Resume {
                        session_id: row.session_id,
                    }));
                }
            }
            if row.is_active() && ui.button(Msg::CancelFileTransfer.text(lang)).clicked() {
                outbox.push(NetCommand::Files(FileCommand::Cancel { id: row.id }));
            }
        });
    }
}
