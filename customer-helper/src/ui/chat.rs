//! Chat with the agent: history (text and picture thumbnails), pending messages, the tool row
//! (发送表情 emoji, 发送图片 picture, 截图 region screenshot, 保存聊天记录 save transcript; C4)
//! and the input (Enter sends, Ctrl+Enter new line). A picture pasted with Ctrl+V or a PNG/JPEG
//! file dropped on the window is sent as a chat picture; other dropped files go to file
//! transfer ([`super::files`]).

use std::path::PathBuf;

use egui::{Color32, Key, KeyboardShortcut, Modifiers, RichText, ScrollArea, TextEdit, Ui};
use porpoise_codec::chat_image;
use porpoise_protocol::wire::Party;
use porpoise_ui::{
    chat_pictures::{ChatPictures, Outgoing, PictureLabels},
    job::{poll_slot, Job},
};

use crate::{
    i18n::Tr,
    region::RegionShot,
    state::{Session, UiAction},
    transcript,
};

/// Stable id of the chat input, so that focus survives frames.
pub const CHAT_INPUT_ID: &str = "porpoise_chat_input";
/// The emoji offered by the picker: single code points, all in egui's bundled monochrome
/// emoji fonts (the same list as the agent console's); a missing one fails the UI tests.
pub const EMOJI: &[&str] = &[
    "😀", "😃", "😄", "😁", "😆", "😊", "😉", "😍", "😘", "😋", "😜", "😂", "😅", "😭", "😢", "😞",
    "😔", "😡", "😮", "😱", "😳", "😴", "😎", "😇", "👍", "👎", "👌", "🙏", "👏", "💪", "👋", "👀",
    "❤", "💔", "🎉", "🌹", "🎁", "☕", "✅", "❌", "❓", "❗", "⭐", "💯", "🔥", "💡", "📞", "📧",
    "📱", "📎", "📅", "🕐", "💻", "🔧",
];
/// Emoji per row of the picker.
pub const EMOJI_PER_ROW: usize = 8;
/// Width of the picture and transcript path boxes, points.
pub const PATH_BOX_WIDTH: f32 = 300.0;

/// The chat's tools and their state, kept by the app across frames (C4).
#[derive(Debug, Default)]
pub struct ChatTools {
    /// Fetched and sent pictures, decoded, with the click-to-enlarge view.
    pub pictures: ChatPictures,
    /// The picture path box (prefilled with the Pictures or Desktop folder when opened).
    pub picture_path: String,
    /// The region screenshot (grab, select, encode).
    pub region: RegionShot,
    /// The save-transcript dialog, while open.
    pub save: Option<SaveDialog>,
    /// The transcript being written on a worker thread: the file and the outcome.
    pub saving: Option<Job<(PathBuf, Result<(), transcript::SaveError>)>>,
}

/// The save-transcript dialog (C4).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SaveDialog {
    /// The path box.
    pub path: String,
    /// The file exists: the dialog asks whether to replace it.
    pub confirm_overwrite: bool,
    /// Why the last save failed.
    pub error: Option<String>,
}

/// The words of the picture widgets.
pub fn picture_labels(tr: Tr) -> PictureLabels<'static> {
    PictureLabels {
        loading: tr.picture_loading(),
        failed: tr.picture_unavailable(),
        enlarge: tr.click_to_enlarge(),
        close: tr.close_picture(),
    }
}

pub use chat_image::{is_picture_path, read_picture_file};

/// The folder the picture path box starts in: Pictures, else Desktop, else home.
pub fn default_picture_dir() -> Option<PathBuf> {
    let dirs = directories::UserDirs::new()?;
    Some(
        dirs.picture_dir()
            .or(dirs.desktop_dir())
            .unwrap_or(dirs.home_dir())
            .to_path_buf(),
    )
}

/// The whole chat area of a session. `center` names the support center (transcript file name).
pub fn chat_ui(
    ui: &mut Ui,
    session: &mut Session,
    tools: &mut ChatTools,
    tr: Tr,
    online: bool,
    center: &str,
    out: &mut Vec<UiAction>,
) {
    incoming_pictures(ui, session, tools, out);
    ui.horizontal(|ui| {
        ui.strong(tr.serving(&session.agent_name));
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            if ui
                .add_enabled(online, egui::Button::new(tr.end_session()))
                .clicked()
            {
                out.push(UiAction::EndSession);
            }
        });
    });
    ui.separator();
    egui::Panel::bottom("chat_input").show(ui, |ui| {
        tools_ui(ui, session, tools, tr, center, out);
        input_ui(ui, session, tr, online, out)
    });
    ScrollArea::vertical()
        .auto_shrink(false)
        // Never taller than the room left: a short window must not overlap the input.
        .min_scrolled_height(0.0)
        .stick_to_bottom(true)
        .show(ui, |ui| {
            history_ui(ui, session, &mut tools.pictures, tr);
        });
    save_dialog_ui(ui.ctx(), session, tools, tr, center, out);
}

/// Pictures pasted (Ctrl+V) or dropped (PNG/JPEG files) are encoded for the chat on worker
/// threads; those done, and a region screenshot taken, become [`UiAction::SendPicture`]s;
/// failures become [`UiAction::PictureFailed`].
fn incoming_pictures(ui: &Ui, session: &Session, tools: &mut ChatTools, out: &mut Vec<UiAction>) {
    let (pasted, dropped) = ui.input(|i| {
        let pasted: Vec<std::sync::Arc<egui::ColorImage>> = i
            .events
            .iter()
            .filter_map(|e| match e {
                egui::Event::PasteImage(image) => Some(image.clone()),
                _ => None,
            })
            .collect();
        let dropped: Vec<PathBuf> = i
            .raw
            .dropped_files
            .iter()
            .map(|f| f.path().to_path_buf())
            .filter(|p| is_picture_path(p))
            .collect();
        (pasted, dropped)
    });
    for image in pasted {
        let [w, h] = image.size;
        let (w, h) = (
            u32::try_from(w).unwrap_or(u32::MAX),
            u32::try_from(h).unwrap_or(u32::MAX),
        );
        let source = Outgoing::Pixels {
            rgba: image.as_raw().to_vec(),
            width: w,
            height: h,
        };
        tools
            .pictures
            .prepare_to_send(ui.ctx(), session.session_id, source);
    }
    for path in dropped {
        tools
            .pictures
            .prepare_to_send(ui.ctx(), session.session_id, Outgoing::File(path));
    }
    for prepared in tools.pictures.take_prepared(session.session_id) {
        out.push(match prepared {
            Ok(data) => UiAction::SendPicture(data),
            Err(e) => UiAction::PictureFailed(e),
        });
    }
    if let Some(data) = tools.region.take_result() {
        out.push(UiAction::SendPicture(data));
    }
}

fn history_ui(ui: &mut Ui, session: &Session, pictures: &mut ChatPictures, tr: Tr) {
    let mut changes = session.agent_changes.iter().peekable();
    for (i, message) in session.messages.iter().enumerate() {
        while let Some((_, agent)) = changes.next_if(|(at, _)| *at <= i) {
            system_line_ui(ui, &tr.agent_changed(agent));
        }
        let who = match message.from {
            Party::Customer => tr.you(),
            Party::Agent => session.agent_name.as_str(),
            // Greeting, automatic reply, closing message (R11): a centered system line.
            Party::Relay => {
                system_line_ui(ui, &message.text);
                continue;
            }
        };
        let color = match message.from {
            Party::Customer => Color32::from_rgb(30, 110, 60),
            _ => Color32::from_rgb(30, 80, 160),
        };
        ui.label(RichText::new(who).color(color).strong());
        match &message.image {
            Some(info) => {
                let key = (session.session_id, message.message_id);
                pictures.thumbnail_ui(ui, key, info, picture_labels(tr));
            }
            None => {
                ui.label(&message.text);
            }
        }
        ui.add_space(4.0);
    }
    for (_, agent) in changes {
        system_line_ui(ui, &tr.agent_changed(agent));
    }
    for pending in &session.pending {
        ui.label(RichText::new(format!("{} · {}", tr.you(), tr.sending())).weak());
        match &pending.picture {
            Some(picture) => {
                let key = (session.session_id, pending.message_id);
                pictures.thumbnail_ui(ui, key, &picture.info, picture_labels(tr));
            }
            None => {
                ui.label(RichText::new(&pending.text).weak());
            }
        }
        ui.add_space(4.0);
    }
}

/// A line from the relay or about the session, centered and grey.
fn system_line_ui(ui: &mut Ui, text: &str) {
    ui.vertical_centered(|ui| {
        ui.label(RichText::new(text).color(Color32::GRAY).small());
    });
    ui.add_space(4.0);
}

/// The id of the chat input's text edit.
pub fn input_id() -> egui::Id {
    egui::Id::unique(CHAT_INPUT_ID)
}

/// Inserts `text` into `draft` at the chat input's cursor (at the end when it has none),
/// moves the cursor after it and focuses the input on the next frame.
pub fn insert_at_cursor(ctx: &egui::Context, draft: &mut String, text: &str) {
    porpoise_ui::insert_at_cursor(ctx, input_id(), draft, text);
}

/// The tool row over the input.
fn tools_ui(
    ui: &mut Ui,
    session: &mut Session,
    tools: &mut ChatTools,
    tr: Tr,
    center: &str,
    out: &mut Vec<UiAction>,
) {
    ui.horizontal_wrapped(|ui| {
        ui.menu_button("😀", |ui| {
            egui::Grid::new("emoji-grid").show(ui, |ui| {
                for (i, e) in EMOJI.iter().enumerate() {
                    let button = egui::Button::new(RichText::new(*e).size(20.0)).frame(false);
                    if ui.add(button).clicked() {
                        insert_at_cursor(ui.ctx(), &mut session.draft, e);
                        out.push(UiAction::DraftChanged);
                        ui.close();
                    }
                    if i % EMOJI_PER_ROW == EMOJI_PER_ROW - 1 {
                        ui.end_row();
                    }
                }
            });
        })
        .response
        .on_hover_text(tr.send_emoji());
        let picture = ui.menu_button(tr.send_picture(), |ui| {
            picture_menu_ui(ui, session, tools, tr)
        });
        if picture.response.clicked() && tools.picture_path.is_empty() {
            if let Some(dir) = default_picture_dir() {
                tools.picture_path = format!("{}{}", dir.display(), std::path::MAIN_SEPARATOR);
            }
        }
        let label = if tools.region.is_busy() {
            tr.screenshot_busy()
        } else {
            tr.screenshot()
        };
        let shot = ui
            .add_enabled(!tools.region.is_active(), egui::Button::new(label))
            .on_hover_text(tr.screenshot_hint());
        if shot.clicked() {
            tools
                .region
                .start(ui.ctx(), super::region::window_center_px(ui.ctx()));
        }
        if ui.button(tr.save_transcript()).clicked() {
            let now_ms = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
            let path = transcript::default_path(&transcript::default_dir(), center, now_ms);
            tools.save = Some(SaveDialog {
                path: path.display().to_string(),
                ..SaveDialog::default()
            });
        }
    });
    if let Some(error) = tools.region.error() {
        ui.label(RichText::new(tr.picture_failed(error)).color(super::ERROR_COLOR));
    }
}

/// The picture menu: a path box with Send (the file is read and encoded on a worker thread).
fn picture_menu_ui(ui: &mut Ui, session: &Session, tools: &mut ChatTools, tr: Tr) {
    let label = ui.label(tr.picture_path());
    let mut send = false;
    ui.horizontal(|ui| {
        let edit = ui
            .add(TextEdit::singleline(&mut tools.picture_path).desired_width(PATH_BOX_WIDTH))
            .labelled_by(label.id);
        send = edit.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter));
        send |= ui
            .add_enabled(
                !tools.picture_path.trim().is_empty(),
                egui::Button::new(tr.send()),
            )
            .clicked();
    });
    ui.label(RichText::new(tr.picture_hint()).small().weak());
    let path = tools.picture_path.trim();
    if send && !path.is_empty() {
        let source = Outgoing::File(PathBuf::from(path));
        tools
            .pictures
            .prepare_to_send(ui.ctx(), session.session_id, source);
        tools.picture_path.clear();
        ui.close();
    }
}

/// The save-transcript dialog while open: path box, Save/Cancel, the overwrite question and
/// the error of the last attempt.
fn save_dialog_ui(
    ctx: &egui::Context,
    session: &Session,
    tools: &mut ChatTools,
    tr: Tr,
    center: &str,
    out: &mut Vec<UiAction>,
) {
    if let Some(done) = poll_slot(&mut tools.saving) {
        saved(tools, done, out);
    }
    let Some(dialog) = &mut tools.save else {
        return;
    };
    let mut close = false;
    let mut save_with = None;
    let modal = egui::Modal::new(egui::Id::unique("save-transcript")).show(ctx, |ui| {
        ui.heading(tr.save_transcript());
        let label = ui.label(tr.save_to());
        let edit = ui
            .add(TextEdit::singleline(&mut dialog.path).desired_width(PATH_BOX_WIDTH))
            .labelled_by(label.id);
        if edit.changed() {
            dialog.confirm_overwrite = false;
            dialog.error = None;
        }
        if let Some(error) = &dialog.error {
            ui.label(RichText::new(tr.save_failed(error)).color(super::ERROR_COLOR));
        }
        if dialog.confirm_overwrite {
            ui.label(tr.overwrite_question(dialog.path.trim()));
        }
        ui.horizontal(|ui| {
            if dialog.confirm_overwrite {
                if ui.button(tr.replace()).clicked() {
                    save_with = Some(true);
                }
            } else if ui.button(tr.save()).clicked()
                || (edit.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter)))
            {
                save_with = Some(false);
            }
            if ui.button(tr.cancel_save()).clicked() {
                close = true;
            }
        });
    });
    if modal.should_close() {
        close = true;
    }
    if let (Some(overwrite), None) = (save_with, &tools.saving) {
        // The text is laid out here; the file is written on a worker thread.
        let path = PathBuf::from(dialog.path.trim());
        let text = transcript::transcript_text(tr, center, session);
        tools.saving = Some(Job::start("transcript-save", Some(ctx), move || {
            let result = transcript::save(&path, &text, overwrite);
            (path, result)
        }));
    }
    if close {
        tools.save = None;
        tools.saving = None;
    }
}

/// The outcome of a transcript write: closes the dialog, asks before replacing, or shows the
/// error.
fn saved(
    tools: &mut ChatTools,
    done: Result<(PathBuf, Result<(), transcript::SaveError>), porpoise_ui::job::JobError>,
    out: &mut Vec<UiAction>,
) {
    let Some(dialog) = &mut tools.save else {
        return;
    };
    match done {
        Ok((path, Ok(()))) => {
            out.push(UiAction::TranscriptSaved(path.display().to_string()));
            tools.save = None;
        }
        Ok((_, Err(transcript::SaveError::Exists(_)))) => dialog.confirm_overwrite = true,
        Ok((_, Err(e))) => {
            dialog.confirm_overwrite = false;
            dialog.error = Some(e.to_string());
        }
        Err(e) => {
            dialog.confirm_overwrite = false;
            dialog.error = Some(e.to_string());
        }
    }
}

fn input_ui(ui: &mut Ui, session: &mut Session, tr: Tr, online: bool, out: &mut Vec<UiAction>) {
    ui.add_space(4.0);
    let label = ui.label(tr.message_label());
    let input = ui
        .add(
            TextEdit::multiline(&mut session.draft)
                .id(input_id())
                .hint_text(tr.message_hint())
                .desired_rows(2)
                .desired_width(f32::INFINITY)
                .return_key(KeyboardShortcut::new(Modifiers::CTRL, Key::Enter)),
        )
        .labelled_by(label.id);
    if porpoise_ui::take_focus_request(ui.ctx(), input_id()) {
        input.request_focus();
    }
    if input.changed() {
        out.push(UiAction::DraftChanged);
    }
    // Ctrl+Enter was taken by the text field as a new line; a plain Enter sends.
    let enter = input.has_focus() && ui.input_mut(|i| i.consume_key(Modifiers::NONE, Key::Enter));
    ui.horizontal(|ui| {
        if ui.button(tr.send()).clicked() || enter {
            out.push(UiAction::SendChat);
            input.request_focus();
        }
        if !online {
            ui.label(RichText::new(tr.offline_hint()).weak().small());
        }
    });
}
