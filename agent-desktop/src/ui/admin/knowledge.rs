//! The knowledge-base page (知识库管理, M7): the tree on the left (indented, disabled and
//! out-of-date nodes marked), the picked node's editor on the right with Up / Down, Move to and
//! Delete (confirmed), and its picture (类型 图片: thumbnail, set from a file read and fitted
//! on a worker, remove). The relay checks the permission, the fields, the picture and the
//! tree rules.

use std::sync::{Arc, Mutex};

use egui::RichText;
use porpoise_protocol::wire::{ChatImage, ImageFormat, KnowledgeNode, KnowledgeNodeId};
use porpoise_ui::{
    chat_pictures::{ChatPictures, Outgoing},
    job::Job,
    Language,
};

use crate::{
    i18n::Msg,
    state::{date_text, Intent, KnowledgeEditor, KnowledgeView, UploadBytes},
    ui::KnowledgePictureKey,
};

/// A tree row's text: the title, with `off` / validity marks.
fn row_text(lang: Language, node: &KnowledgeNode) -> String {
    let mut text = node.title.clone();
    if node.image.is_some() {
        text.push_str(&format!(" [{}]", Msg::Picture.text(lang)));
    }
    if !node.enabled {
        text.push_str(&format!(" [{}]", Msg::DisabledMark.text(lang)));
    }
    match (node.valid_from, node.valid_until) {
        (None, None) => {}
        (from, until) => text.push_str(&format!(
            " ({}–{})",
            from.map(date_text).unwrap_or_default(),
            until.map(date_text).unwrap_or_default()
        )),
    }
    text
}

fn tree_ui(ui: &mut egui::Ui, lang: Language, view: &mut KnowledgeView) {
    let depths = view.depths();
    let nodes = view.nodes.clone().unwrap_or_default();
    if nodes.is_empty() {
        ui.label(Msg::NoKnowledge.text(lang));
        return;
    }
    egui::ScrollArea::vertical()
        .id_salt("knowledge-tree")
        .max_height(380.0)
        .show(ui, |ui| {
            for (node, depth) in nodes.iter().zip(depths) {
                ui.horizontal(|ui| {
                    ui.add_space(16.0 * depth as f32);
                    let picked = view.selected == Some(node.id);
                    let mut text = RichText::new(row_text(lang, node));
                    if !node.enabled {
                        text = text.weak();
                    }
                    if ui.selectable_label(picked, text).clicked() {
                        view.selected = Some(node.id);
                        view.editor = Some(KnowledgeEditor::of(node));
                        view.confirm_delete = false;
                    }
                });
            }
        });
}

/// Up / Down / Move to / Delete of the picked node.
fn arrange_ui(
    ui: &mut egui::Ui,
    lang: Language,
    view: &mut KnowledgeView,
    id: KnowledgeNodeId,
    busy: bool,
    intents: &mut Vec<Intent>,
) {
    let Some((parent, at, count)) = view.place_of(id) else {
        return;
    };
    ui.horizontal(|ui| {
        let index = u32::try_from(at).unwrap_or(0);
        if ui
            .add_enabled(!busy && at > 0, egui::Button::new(Msg::MoveUp.text(lang)))
            .clicked()
        {
            intents.push(Intent::MoveKnowledge {
                id,
                parent,
                index: index.saturating_sub(1),
            });
        }
        if ui
            .add_enabled(
                !busy && at + 1 < count,
                egui::Button::new(Msg::MoveDown.text(lang)),
            )
            .clicked()
        {
            intents.push(Intent::MoveKnowledge {
                id,
                parent,
                index: index + 1,
            });
        }
        // Move to: the top level or any node outside the picked node's own subtree.
        let targets: Vec<(Option<KnowledgeNodeId>, String)> =
            std::iter::once((None, Msg::TopLevel.text(lang).to_owned()))
                .chain(
                    view.nodes
                        .as_deref()
                        .unwrap_or_default()
                        .iter()
                        .filter(|n| !view.within(n.id, id))
                        .map(|n| (Some(n.id), n.title.clone())),
                )
                .filter(|(t, _)| *t != parent)
                .collect();
        egui::ComboBox::new("knowledge-move", Msg::MoveTo.text(lang))
            .selected_text("…")
            .show_ui(ui, |ui| {
                for (target, title) in targets {
                    if ui.selectable_label(false, title).clicked() {
                        intents.push(Intent::MoveKnowledge {
                            id,
                            parent: target,
                            index: u32::MAX,
                        });
                    }
                }
            });
        if view.confirm_delete {
            ui.label(Msg::DeleteSubtreeWarning.text(lang));
            if ui.button(Msg::Confirm.text(lang)).clicked() {
                intents.push(Intent::DeleteKnowledge(id));
            }
            if ui.button(Msg::Cancel.text(lang)).clicked() {
                view.confirm_delete = false;
            }
        } else if ui
            .add_enabled(!busy, egui::Button::new(Msg::Remove.text(lang)))
            .clicked()
        {
            view.confirm_delete = true;
        }
    });
}

/// A picture file being read and fitted to the chat limits on a worker, for node `.0`.
type PictureJob = Arc<Mutex<Option<(KnowledgeNodeId, Job<Result<Vec<u8>, String>>)>>>;

fn picture_job_id() -> egui::Id {
    egui::Id::unique("knowledge-picture-read")
}

/// Reads the picture at `path` and fits it to the chat's limits on a worker (PNG kept when it
/// fits, else re-encoded and scaled down).
fn start_picture_read(ctx: &egui::Context, id: KnowledgeNodeId, path: &str) {
    let source = Outgoing::File(std::path::PathBuf::from(path.trim()));
    let job = Job::start("knowledge-picture-read", Some(ctx), move || source.encode());
    let slot: PictureJob = Arc::new(Mutex::new(Some((id, job))));
    ctx.data_mut(|d| d.insert_temp(picture_job_id(), slot));
}

/// The picture read's outcome once it finished: the intent to send.
fn poll_picture_read(ctx: &egui::Context) -> Option<Intent> {
    let slot: PictureJob = ctx.data(|d| d.get_temp(picture_job_id()))?;
    let mut guard = slot.lock().ok()?;
    let (id, job) = guard.as_mut()?;
    let id = *id;
    let done = job.poll()?;
    *guard = None;
    drop(guard);
    ctx.data_mut(|d| d.remove::<PictureJob>(picture_job_id()));
    Some(match done.map_err(|e| e.to_string()).and_then(|r| r) {
        Ok(bytes) => Intent::SetKnowledgePicture {
            id,
            data: Some(UploadBytes(bytes.into())),
        },
        Err(why) => Intent::KnowledgePictureUnreadable(why),
    })
}

/// `PNG 320 × 200 px, 7.0 KB`.
fn picture_text(info: &ChatImage) -> String {
    let format = match info.format {
        ImageFormat::Png => "PNG",
        ImageFormat::Jpeg => "JPEG",
    };
    format!(
        "{format} {} × {} px, {:.1} KB",
        info.width,
        info.height,
        f64::from(info.bytes) / 1024.0
    )
}

/// The entry's picture (M7 类型 图片): thumbnail and size, a file path with Set picture, and
/// Remove picture. A new entry gets one after its first save.
fn picture_ui(
    ui: &mut egui::Ui,
    lang: Language,
    editor: &mut KnowledgeEditor,
    busy: bool,
    pictures: &mut ChatPictures<KnowledgePictureKey>,
    intents: &mut Vec<Intent>,
) {
    ui.separator();
    ui.strong(Msg::Picture.text(lang));
    let Some(id) = editor.id else {
        ui.label(RichText::new(Msg::PictureAfterSave.text(lang)).weak());
        return;
    };
    match editor.image {
        Some(info) => {
            pictures.thumbnail_ui(ui, (id, info), &info, crate::ui::chat::picture_labels(lang));
            ui.label(RichText::new(picture_text(&info)).small().weak());
        }
        None => {
            ui.label(Msg::NoPicture.text(lang));
        }
    }
    let reading = ui
        .ctx()
        .data(|d| d.get_temp::<PictureJob>(picture_job_id()).is_some());
    ui.horizontal(|ui| {
        let l = ui.label(Msg::PicturePath.text(lang));
        ui.add(egui::TextEdit::singleline(&mut editor.picture_path).desired_width(220.0))
            .labelled_by(l.id);
    });
    ui.horizontal(|ui| {
        if ui
            .add_enabled(
                !busy && !reading && !editor.picture_path.trim().is_empty(),
                egui::Button::new(Msg::SetPicture.text(lang)),
            )
            .clicked()
        {
            start_picture_read(ui.ctx(), id, &editor.picture_path);
        }
        if ui
            .add_enabled(
                !busy && editor.image.is_some(),
                egui::Button::new(Msg::RemovePicture.text(lang)),
            )
            .clicked()
        {
            intents.push(Intent::SetKnowledgePicture { id, data: None });
        }
    });
    ui.label(
        RichText::new(Msg::KnowledgePictureHelp.text(lang))
            .small()
            .weak(),
    );
}

fn editor_ui(
    ui: &mut egui::Ui,
    lang: Language,
    editor: &mut KnowledgeEditor,
    busy: bool,
    pictures: &mut ChatPictures<KnowledgePictureKey>,
    intents: &mut Vec<Intent>,
) {
    egui::Grid::new("knowledge-editor")
        .num_columns(2)
        .show(ui, |ui| {
            let l = ui.label(Msg::KnowledgeTitleLabel.text(lang));
            ui.add(egui::TextEdit::singleline(&mut editor.draft.title).desired_width(320.0))
                .labelled_by(l.id);
            ui.end_row();
            let l = ui.label(Msg::KeywordsLabel.text(lang));
            ui.add(egui::TextEdit::singleline(&mut editor.keywords).desired_width(320.0))
                .labelled_by(l.id);
            ui.end_row();
            let l = ui.label(Msg::ReplyTextLabel.text(lang));
            ui.add(
                egui::TextEdit::multiline(&mut editor.draft.text)
                    .desired_rows(5)
                    .desired_width(320.0),
            )
            .labelled_by(l.id);
            ui.end_row();
            ui.label("");
            ui.checkbox(&mut editor.draft.enabled, Msg::EnabledLabel.text(lang));
            ui.end_row();
            let l = ui.label(Msg::ValidFrom.text(lang));
            ui.add(egui::TextEdit::singleline(&mut editor.valid_from).desired_width(120.0))
                .labelled_by(l.id);
            ui.end_row();
            let l = ui.label(Msg::ValidUntil.text(lang));
            ui.add(egui::TextEdit::singleline(&mut editor.valid_until).desired_width(120.0))
                .labelled_by(l.id);
            ui.end_row();
        });
    let ready = !editor.draft.title.trim().is_empty() && !busy;
    if ui
        .add_enabled(ready, egui::Button::new(Msg::Save.text(lang)))
        .clicked()
    {
        intents.push(Intent::SaveKnowledge { lang });
    }
    picture_ui(ui, lang, editor, busy, pictures, intents);
}

/// The whole page (see the module docs).
pub fn knowledge_ui(
    ui: &mut egui::Ui,
    lang: Language,
    view: &mut KnowledgeView,
    pictures: &mut ChatPictures<KnowledgePictureKey>,
    intents: &mut Vec<Intent>,
) {
    if let Some(intent) = poll_picture_read(ui.ctx()) {
        intents.push(intent);
    }
    // Tree and editor side by side need room.
    ui.set_min_width(860.0);
    let busy = view.status.busy();
    ui.horizontal(|ui| {
        if ui
            .add_enabled(!busy, egui::Button::new(Msg::NewTopNode.text(lang)))
            .clicked()
        {
            view.editor = Some(KnowledgeEditor::new_node(None));
            view.confirm_delete = false;
        }
        if ui
            .add_enabled(
                !busy && view.selected.is_some(),
                egui::Button::new(Msg::NewChildNode.text(lang)),
            )
            .clicked()
        {
            view.editor = Some(KnowledgeEditor::new_node(view.selected));
            view.confirm_delete = false;
        }
        if ui.button(Msg::Refresh.text(lang)).clicked() {
            intents.push(Intent::RefreshKnowledge);
        }
    });
    super::super::status_ui(ui, &view.status);
    ui.separator();
    if view.nodes.is_none() {
        return;
    }
    ui.columns(2, |cols| {
        tree_ui(&mut cols[0], lang, view);
        let ui = &mut cols[1];
        if let Some(id) = view.editor.as_ref().and_then(|e| e.id) {
            arrange_ui(ui, lang, view, id, busy, intents);
            ui.separator();
        }
        if let Some(editor) = view.editor.as_mut() {
            editor_ui(ui, lang, editor, busy, pictures, intents);
        }
    });
}
