//! The common-files page (常用文件, M7): the center's files with Delete (confirmed), and an
//! upload from a typed path — read on a worker, sent in chunks with a progress bar. The relay
//! checks the permission, the name and the size.

use std::sync::{Arc, Mutex};

use egui::RichText;
use porpoise_protocol::wire::CommonFile;
use porpoise_ui::{job::Job, Language};

use crate::{
    i18n::Msg,
    state::{Intent, Status, UploadBytes},
};

/// Largest file the console reads for an upload, bytes; the relay applies the center's own
/// (smaller) file limit to the first chunk.
const MAX_UPLOAD_READ_BYTES: u64 = 512 * 1024 * 1024;

type ReadJob = Arc<Mutex<Option<Job<Result<(String, UploadBytes), String>>>>>;

fn read_job_id() -> egui::Id {
    egui::Id::unique("common-file-read")
}

/// Reads the file at `path` on a worker: its name and bytes.
fn start_read(ctx: &egui::Context, path: String) {
    let job = Job::start("common-file-read", Some(ctx), move || {
        let path = std::path::PathBuf::from(path.trim());
        let meta = std::fs::metadata(&path).map_err(|e| e.to_string())?;
        if !meta.is_file() {
            return Err(format!("{} is not a file", path.display()));
        }
        if meta.len() > MAX_UPLOAD_READ_BYTES {
            return Err(format!("{} > {MAX_UPLOAD_READ_BYTES} bytes", meta.len()));
        }
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let bytes = std::fs::read(&path).map_err(|e| e.to_string())?;
        Ok((name, UploadBytes(bytes.into())))
    });
    let slot: ReadJob = Arc::new(Mutex::new(Some(job)));
    ctx.data_mut(|d| d.insert_temp(read_job_id(), slot));
}

/// The read job's outcome once it finished.
fn poll_read(ctx: &egui::Context) -> Option<Result<(String, UploadBytes), String>> {
    let slot: ReadJob = ctx.data(|d| d.get_temp(read_job_id()))?;
    let done = slot
        .lock()
        .ok()
        .and_then(|mut g| porpoise_ui::job::poll_slot(&mut g))?;
    ctx.data_mut(|d| d.remove::<ReadJob>(read_job_id()));
    Some(done.unwrap_or_else(|e| Err(e.to_string())))
}

/// `12.3 KB` / `4.5 MB`.
fn size_text(bytes: u64) -> String {
    if bytes < 1024 * 1024 {
        format!("{:.1} KB", bytes as f64 / 1024.0)
    } else {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    }
}

/// The whole page (see the module docs).
#[allow(clippy::too_many_arguments)]
pub fn common_files_ui(
    ui: &mut egui::Ui,
    lang: Language,
    files: Option<&[CommonFile]>,
    path: &mut String,
    confirm_delete: &mut Option<String>,
    progress: Option<(u64, u64)>,
    status: &Status,
    intents: &mut Vec<Intent>,
) {
    let ctx = ui.ctx().clone();
    match poll_read(&ctx) {
        Some(Ok((name, bytes))) => intents.push(Intent::UploadCommonFile { name, bytes }),
        Some(Err(why)) => intents.push(Intent::UploadUnreadable(why)),
        None => {}
    }
    ui.label(
        RichText::new(Msg::CommonFilesHelp.text(lang))
            .small()
            .weak(),
    );
    let busy = status.busy();
    ui.horizontal(|ui| {
        let l = ui.label(Msg::FileToUpload.text(lang));
        ui.add(egui::TextEdit::singleline(path).desired_width(300.0))
            .labelled_by(l.id);
        if ui
            .add_enabled(
                !busy && !path.trim().is_empty(),
                egui::Button::new(Msg::Upload.text(lang)),
            )
            .clicked()
        {
            start_read(&ctx, path.clone());
        }
        if ui.button(Msg::Refresh.text(lang)).clicked() {
            intents.push(Intent::RefreshCommonFiles);
        }
    });
    if let Some((sent, total)) = progress {
        let fraction = if total == 0 {
            1.0
        } else {
            sent as f32 / total as f32
        };
        ui.add(egui::ProgressBar::new(fraction).text(format!(
            "{} / {}",
            size_text(sent),
            size_text(total)
        )));
    }
    super::super::status_ui(ui, status);
    ui.separator();
    let Some(files) = files else { return };
    if files.is_empty() {
        ui.label(Msg::NoCommonFiles.text(lang));
        return;
    }
    egui::ScrollArea::vertical()
        .max_height(360.0)
        .show(ui, |ui| {
            egui::Grid::new("common-files")
                .num_columns(3)
                .striped(true)
                .show(ui, |ui| {
                    for f in files {
                        ui.label(&f.name);
                        ui.label(size_text(f.size));
                        ui.horizontal(|ui| {
                            if confirm_delete.as_deref() == Some(f.name.as_str()) {
                                if ui.button(Msg::Confirm.text(lang)).clicked() {
                                    intents.push(Intent::DeleteCommonFile(f.name.clone()));
                                }
                                if ui.button(Msg::Cancel.text(lang)).clicked() {
                                    *confirm_delete = None;
                                }
                            } else if ui
                                .add_enabled(!busy, egui::Button::new(Msg::Remove.text(lang)))
                                .clicked()
                            {
                                *confirm_delete = Some(f.name.clone());
                            }
                        });
                        ui.end_row();
                    }
                });
        });
}
