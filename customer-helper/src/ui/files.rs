//! The helper's files area (A6, C5): incoming files with Accept/Decline, the customer's own
//! "Send files" (path box or files dropped on the window), and each transfer's progress bar,
//! speed, time left, Cancel and Resume.

use std::path::PathBuf;

use egui::{RichText, Ui};
use porpoise_protocol::wire::SessionId;
use porpoise_quic::transfers::{parse_paths, Direction, FileTransferRow, RowState};

use crate::{files::FileCommand, files::HelperFiles, i18n::Tr};

/// Height of the path box, in text rows.
const PATH_BOX_ROWS: usize = 2;
/// Width of a row's progress bar, in points.
const PROGRESS_WIDTH: f32 = 140.0;
/// Tallest the list grows before it scrolls, in points.
const LIST_MAX_HEIGHT: f32 = 180.0;

/// Draws the files area at the bottom of the window while a session is open (`session`) or
/// transfers are listed; sends files dropped on the window during a session.
pub fn files_ui(
    ui: &mut Ui,
    tr: Tr,
    session: Option<SessionId>,
    files: &mut HelperFiles,
    out: &mut Vec<FileCommand>,
) {
    if let Some(session_id) = session {
        let dropped: Vec<PathBuf> = ui.ctx().input(|i| {
            i.raw
                .dropped_files
                .iter()
                .map(|f| f.path().to_path_buf())
                // PNG and JPEG files are sent as chat pictures instead (C4, `super::chat`).
                .filter(|p| !p.as_os_str().is_empty() && !super::chat::is_picture_path(p))
                .collect()
        });
        if !dropped.is_empty() {
            out.push(FileCommand::Send {
                session_id,
                paths: dropped,
            });
        }
    }
    if session.is_none() && files.list.rows().is_empty() {
        return;
    }
    egui::Panel::bottom("files").show(ui, |ui| {
        ui.horizontal(|ui| {
            ui.label(RichText::new(tr.files_heading()).strong());
            let finished: Vec<SessionId> = files
                .list
                .rows()
                .iter()
                .filter(|r| !r.is_active())
                .map(|r| r.session_id)
                .collect();
            if !finished.is_empty() && ui.button(tr.clear_finished()).clicked() {
                for s in finished {
                    files.list.clear_finished(s);
                }
            }
        });
        if let Some(session_id) = session {
            // Folded until used, so that the chat keeps its room (dropping files still works).
            egui::CollapsingHeader::new(tr.send_files_heading())
                .id_salt("helper-files-send")
                .default_open(false)
                .show(ui, |ui| {
                    let label = ui.label(RichText::new(tr.file_paths_hint()).weak());
                    ui.horizontal(|ui| {
                        let edit = egui::TextEdit::multiline(&mut files.draft)
                            .desired_rows(PATH_BOX_ROWS)
                            .desired_width(ui.available_width() - 90.0);
                        ui.add(edit).labelled_by(label.id);
                        let paths = parse_paths(&files.draft);
                        let button = egui::Button::new(tr.send_files());
                        if ui.add_enabled(!paths.is_empty(), button).clicked() {
                            files.draft.clear();
                            out.push(FileCommand::Send { session_id, paths });
                        }
                    });
                });
        }
        let rows: Vec<FileTransferRow> = files.list.rows().to_vec();
        egui::ScrollArea::vertical()
            .max_height(LIST_MAX_HEIGHT)
            .auto_shrink([false, true])
            .show(ui, |ui| {
                for row in rows.iter().rev() {
                    row_ui(ui, tr, row, files, out);
                }
            });
    });
}

fn row_ui(
    ui: &mut Ui,
    tr: Tr,
    row: &FileTransferRow,
    files: &mut HelperFiles,
    out: &mut Vec<FileCommand>,
) {
    ui.horizontal_wrapped(|ui| {
        let way = match row.direction {
            Direction::Outgoing => tr.file_sending(),
            Direction::Incoming => tr.file_receiving(),
        };
        ui.label(RichText::new(way).weak());
        ui.label(RichText::new(&row.name).strong());
        ui.add(egui::ProgressBar::new(row.fraction()).desired_width(PROGRESS_WIDTH));
        ui.label(tr.file_state(row));
        match &row.state {
            RowState::AwaitingAnswer => {
                if ui.button(tr.accept_file()).clicked() {
                    files.list.answered(row.id);
                    out.push(FileCommand::Answer {
                        id: row.id,
                        accept: true,
                    });
                }
                if ui.button(tr.decline_file()).clicked() {
                    files.list.answered(row.id);
                    out.push(FileCommand::Answer {
                        id: row.id,
                        accept: false,
                    });
                }
            }
            RowState::Interrupted(_) if row.direction == Direction::Outgoing => {
                if ui.button(tr.resume_transfer()).clicked() {
                    out.push(FileCommand::Resume {
                        session_id: row.session_id,
                    });
                }
                if ui.button(tr.cancel_transfer()).clicked() {
                    out.push(FileCommand::Cancel { id: row.id });
                }
            }
            _ if row.is_active() && ui.button(tr.cancel_transfer()).clicked() => {
                out.push(FileCommand::Cancel { id: row.id });
            }
            _ => {}
        }
    });
}
