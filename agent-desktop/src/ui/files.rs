//! The files strip above a session's service window (A6): the path box and Send files (while the
//! customer allows file transfer), files dropped on the window, and the transfers list with
//! progress bar, speed, time left, Cancel and Resume.

use std::path::PathBuf;

use egui::RichText;
use porpoise_protocol::wire::{ActionState, RemoteAction, SessionId};
use porpoise_quic::{
    files::format_bytes,
    transfers::{Direction, RowState},
};
use porpoise_ui::{chat_pictures::ChatPictures, Language};

use crate::{
    files::parse_paths,
    i18n::{common_send_state, file_progress, file_state, Msg},
    state::{Intent, SessionPhase, Workspace},
};

/// Height of the path box, in text rows.
const PATH_BOX_ROWS: usize = 2;
/// Width of a row's progress bar, in points.
const PROGRESS_WIDTH: f32 = 160.0;
/// Tallest the transfers list grows before it scrolls, in points.
const LIST_MAX_HEIGHT: f32 = 160.0;

/// Draws the files strip of `session_id` above its service window when there is anything to
/// show, and sends files dropped on the window ([`Intent::DropFiles`]; dropped pictures go
/// into the chat). The path box is edited as a copy; clicks are reported as intents.
pub fn files_ui(
    ui: &mut egui::Ui,
    lang: Language,
    ws: &Workspace,
    pictures: &mut ChatPictures,
    session_id: SessionId,
    intents: &mut Vec<Intent>,
) {
    let granted = ws
        .session(session_id)
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
    let (dropped_pictures, dropped): (Vec<PathBuf>, Vec<PathBuf>) = dropped
        .into_iter()
        .partition(|p| super::chat::is_picture_path(p));
    let open = ws
        .session(session_id)
        .is_some_and(|t| t.phase == SessionPhase::Open);
    if open {
        for path in dropped_pictures {
            super::chat::send_picture_file(ui.ctx(), session_id, pictures, &path);
        }
    }
    let board = ws.files();
    if !dropped.is_empty() {
        intents.push(Intent::DropFiles {
            session_id,
            paths: dropped,
        });
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
                let mut draft = board.drafts.get(&session_id).cloned().unwrap_or_default();
                let edit = egui::TextEdit::multiline(&mut draft)
                    .desired_rows(PATH_BOX_ROWS)
                    .desired_width(ui.available_width() - 120.0);
                if ui.add(edit).labelled_by(label.id).changed() {
                    intents.push(Intent::EditFilePaths {
                        session_id,
                        text: draft.clone(),
                    });
                }
                let paths = parse_paths(&draft);
                let button = egui::Button::new(Msg::SendFiles.text(lang));
                if ui.add_enabled(!paths.is_empty(), button).clicked() {
                    intents.push(Intent::SendFilePaths(session_id));
                }
            });
        }
        if granted {
            common_files_ui(ui, lang, board, session_id, intents);
        }
        if let Some(msg) = notice {
            ui.label(RichText::new(msg.text(lang)).color(ui.visuals().warn_fg_color));
        }
        egui::ScrollArea::vertical()
            .max_height(LIST_MAX_HEIGHT)
            .auto_shrink([false, true])
            .show(ui, |ui| {
                rows_ui(ui, lang, ws_rows(board, session_id), intents)
            });
        let finished = board.list.of_session(session_id).any(|r| !r.is_active());
        if finished && ui.button(Msg::ClearFinished.text(lang)).clicked() {
            intents.push(Intent::ClearFinishedFiles(session_id));
        }
    });
}

/// The center's common files (A8): loaded on demand, one click offers one to the customer;
/// below, how the ones sent in this session went.
fn common_files_ui(
    ui: &mut egui::Ui,
    lang: Language,
    board: &crate::files::FileBoard,
    session_id: SessionId,
    intents: &mut Vec<Intent>,
) {
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new(Msg::CommonFiles.text(lang)).weak());
        match &board.common {
            None => {
                if ui.button(Msg::ShowCommonFiles.text(lang)).clicked() {
                    intents.push(Intent::ShowCommonFiles);
                }
            }
            Some(files) if files.is_empty() => {
                ui.label(RichText::new(Msg::NoCommonFiles.text(lang)).italics());
            }
            Some(files) => {
                for f in files {
                    ui.label(format!("{} ({})", f.name, format_bytes(f.size)));
                    if ui.button(Msg::SendToCustomer.text(lang)).clicked() {
                        intents.push(Intent::SendCommonFile {
                            session_id,
                            name: f.name.clone(),
                        });
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

fn rows_ui(
    ui: &mut egui::Ui,
    lang: Language,
    rows: Vec<porpoise_quic::transfers::FileTransferRow>,
    intents: &mut Vec<Intent>,
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
                    intents.push(Intent::ResumeFiles(row.session_id));
                }
            }
            if row.state == RowState::AwaitingAnswer {
                if ui.button(Msg::AcceptFile.text(lang)).clicked() {
                    intents.push(Intent::AnswerFile(row.id, true));
                }
                if ui.button(Msg::DeclineFile.text(lang)).clicked() {
                    intents.push(Intent::AnswerFile(row.id, false));
                }
            } else if row.is_active() && ui.button(Msg::CancelFileTransfer.text(lang)).clicked() {
                intents.push(Intent::CancelFile(row.id));
            }
        });
    }
}
