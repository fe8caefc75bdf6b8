//! The knowledge-base page (知识库管理, M7): the tree on the left (indented, disabled and
//! out-of-date nodes marked), the picked node's editor on the right with Up / Down, Move to and
//! Delete (confirmed). The relay checks the permission, the fields and the tree rules.

use egui::RichText;
use porpoise_protocol::wire::{KnowledgeNode, KnowledgeNodeId};
use porpoise_ui::Language;

use crate::{
    i18n::Msg,
    state::{date_text, Intent, KnowledgeEditor, KnowledgeView},
};

/// A tree row's text: the title, with `off` / validity marks.
fn row_text(lang: Language, node: &KnowledgeNode) -> String {
    let mut text = node.title.clone();
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

fn editor_ui(
    ui: &mut egui::Ui,
    lang: Language,
    editor: &mut KnowledgeEditor,
    busy: bool,
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
}

/// The whole page (see the module docs).
pub fn knowledge_ui(
    ui: &mut egui::Ui,
    lang: Language,
    view: &mut KnowledgeView,
    intents: &mut Vec<Intent>,
) {
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
            editor_ui(ui, lang, editor, busy, intents);
        }
    });
}
