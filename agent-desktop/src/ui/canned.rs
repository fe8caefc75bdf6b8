//! The quick-reply side panel of the service window (A8, A11): canned responses (常用语) by
//! scope and category, knowledge-base quick replies (知识库) as a tree, both searchable by
//! keyword, and the customer's service history (服务记录, `ui::history`). A click on a reply
//! puts its text into this session's chat input, to edit before sending; nothing is sent. A
//! knowledge-base picture (图片 entry) shows as a thumbnail; its Send picture sends it at once.

use egui::{Button, CollapsingHeader, RichText, ScrollArea, TextEdit};
use porpoise_protocol::wire::{
    CannedResponse, CannedScope, KnowledgeBase, KnowledgeNode, KnowledgeNodeId,
    MAX_CANNED_TEXT_BYTES, MAX_KNOWLEDGE_DEPTH,
};
use porpoise_ui::{chat_pictures::ChatPictures, Language};

use super::{history::history_ui, status_ui, KnowledgePictureKey};
use crate::{
    i18n::Msg,
    state::{
        canned_groups, knowledge_children, knowledge_matches, Intent, Library, LibraryTab, Loaded,
        SessionPhase, SessionTab, Status,
    },
};

/// Default width of the side panel, in points.
pub const QUICK_REPLY_PANEL_WIDTH: f32 = 300.0;
/// Rows of the canned-response text field in the editor.
const EDITOR_TEXT_ROWS: usize = 4;

/// Draws the side panel for `tab`: the tab selector and the selected list. Asks for a list the
/// first time it is shown. `manages`: the account may also add, edit and delete center-wide
/// canned responses (管理员可对全局常用语进行修改及删除). A clicked reply is
/// [`Intent::InsertReply`]; the keyword and the editor are edited as copies.
pub fn quick_replies_ui(
    ui: &mut egui::Ui,
    lang: Language,
    lib: &Library,
    tab: &SessionTab,
    manages: bool,
    pictures: &mut ChatPictures<KnowledgePictureKey>,
    intents: &mut Vec<Intent>,
) {
    ui.horizontal_wrapped(|ui| {
        let mut shown = lib.tab;
        for (which, msg) in [
            (LibraryTab::Canned, Msg::CannedResponses),
            (LibraryTab::Knowledge, Msg::KnowledgeBase),
            (LibraryTab::History, Msg::ServiceHistory),
        ] {
            ui.selectable_value(&mut shown, which, msg.text(lang));
        }
        if shown != lib.tab {
            intents.push(Intent::ShowLibraryTab(shown));
        }
    });
    ui.separator();
    let mut insert = None;
    match lib.tab {
        LibraryTab::Canned => {
            if lib.canned.wants_loading() {
                intents.push(Intent::LoadCanned { refresh: false });
            }
            search_ui(ui, lang, lib, LibraryTab::Canned, intents);
            insert = canned_ui(ui, lang, lib, tab.phase, manages, intents);
        }
        LibraryTab::Knowledge => {
            if lib.knowledge.wants_loading() {
                intents.push(Intent::LoadKnowledge { refresh: false });
            }
            search_ui(ui, lang, lib, LibraryTab::Knowledge, intents);
            let picked = knowledge_ui(ui, lang, lib, tab.phase, pictures);
            insert = picked.insert;
            if let Some(id) = picked.send_picture {
                intents.push(Intent::SendKnowledgePicture {
                    session_id: tab.session_id,
                    id,
                });
            }
        }
        LibraryTab::History => history_ui(ui, lang, lib, tab, intents),
    }
    if let Some(text) = insert {
        intents.push(Intent::InsertReply {
            session_id: tab.session_id,
            text,
        });
    }
}

/// The keyword box and the Refresh button (shared by canned responses and knowledge base).
fn search_ui(
    ui: &mut egui::Ui,
    lang: Language,
    lib: &Library,
    list: LibraryTab,
    intents: &mut Vec<Intent>,
) {
    ui.horizontal(|ui| {
        let label = ui.label(Msg::SearchKeyword.text(lang));
        let mut search = lib.search.clone();
        let edit = ui
            .add(TextEdit::singleline(&mut search).desired_width(140.0))
            .labelled_by(label.id);
        if edit.changed() {
            intents.push(Intent::EditSearch(search));
        }
        if ui.button(Msg::Refresh.text(lang)).clicked() {
            intents.push(match list {
                LibraryTab::Knowledge => Intent::LoadKnowledge { refresh: true },
                _ => Intent::LoadCanned { refresh: true },
            });
        }
    });
}

/// Shows a list that is not ready; returns the list when it is.
fn ready_ui<'a, T>(ui: &mut egui::Ui, lang: Language, list: &'a Loaded<T>) -> Option<&'a T> {
    match list {
        Loaded::Ready(list) => Some(list),
        Loaded::NotAsked | Loaded::Loading => {
            ui.label(RichText::new(Msg::Loading.text(lang)).weak());
            None
        }
        Loaded::Failed(error) => {
            ui.label(RichText::new(error).color(ui.visuals().error_fg_color));
            None
        }
    }
}

/// A reply's button: its title, the text on hover; disabled once the session ended.
fn reply_button(ui: &mut egui::Ui, lang: Language, title: &str, text: &str, open: bool) -> bool {
    let hover = format!("{text}\n\n{}", Msg::ClickToInsert.text(lang));
    ui.add_enabled(open, Button::new(title).wrap())
        .on_hover_text(hover)
        .clicked()
}

/// Canned responses by scope and category, with Edit/Remove on those the agent may change
/// (personal ones; center-wide ones too if `manages`) and the editor. Returns the text to
/// insert, if one was clicked.
fn canned_ui(
    ui: &mut egui::Ui,
    lang: Language,
    lib: &Library,
    phase: SessionPhase,
    manages: bool,
    intents: &mut Vec<Intent>,
) -> Option<String> {
    let open = phase == SessionPhase::Open;
    let mut insert = None;
    let mut edit = None;
    let mut delete = None;
    if lib.editor.is_none() && ui.button(Msg::NewCannedResponse.text(lang)).clicked() {
        intents.push(Intent::NewCanned);
    }
    editor_ui(ui, lang, lib, manages, intents);
    if let Some(error) = &lib.error {
        ui.label(RichText::new(error).color(ui.visuals().error_fg_color));
    }
    let list = ready_ui(ui, lang, &lib.canned)?;
    let groups = canned_groups(list, &lib.search);
    ScrollArea::vertical()
        .id_salt("canned-list")
        .auto_shrink([false, true])
        .show(ui, |ui| {
            if list.items.is_empty() {
                ui.label(RichText::new(Msg::NoData.text(lang)).weak());
            } else if groups.is_empty() {
                ui.label(RichText::new(Msg::NothingMatches.text(lang)).weak());
            }
            for (scope, category, items) in &groups {
                let scope_text = match scope {
                    CannedScope::Center => Msg::CannedCenterWide,
                    CannedScope::Personal => Msg::CannedPersonal,
                };
                let category = if category.is_empty() {
                    Msg::Uncategorised.text(lang)
                } else {
                    category
                };
                CollapsingHeader::new(format!("{category} · {}", scope_text.text(lang)))
                    .id_salt(("canned-group", *scope, category))
                    .default_open(true)
                    .show(ui, |ui| {
                        for item in items {
                            let changes = manages || item.scope == CannedScope::Personal;
                            match canned_row_ui(ui, lang, item, open, changes) {
                                RowClick::Insert => insert = Some(item.draft.text.clone()),
                                RowClick::Edit => edit = Some((*item).clone()),
                                RowClick::Remove => delete = Some(item.id),
                                RowClick::None => {}
                            }
                        }
                    });
            }
            if list.truncated {
                ui.label(RichText::new(Msg::ListTruncated.text(lang)).weak());
            }
        });
    if let Some(item) = edit {
        intents.push(Intent::EditCanned(Box::new(item)));
    }
    if let Some(id) = delete {
        intents.push(Intent::DeleteCanned(id));
    }
    insert
}

/// What was clicked in a canned response's row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RowClick {
    /// Nothing.
    None,
    /// The reply itself: insert its text.
    Insert,
    /// Edit.
    Edit,
    /// Remove.
    Remove,
}

/// One canned response: its button, and Edit/Remove if the agent `changes` it.
fn canned_row_ui(
    ui: &mut egui::Ui,
    lang: Language,
    item: &CannedResponse,
    open: bool,
    changes: bool,
) -> RowClick {
    let mut click = RowClick::None;
    ui.horizontal_wrapped(|ui| {
        if reply_button(ui, lang, &item.draft.title, &item.draft.text, open) {
            click = RowClick::Insert;
        }
        if changes {
            if ui.small_button(Msg::Edit.text(lang)).clicked() {
                click = RowClick::Edit;
            }
            if ui.small_button(Msg::Remove.text(lang)).clicked() {
                click = RowClick::Remove;
            }
        }
    });
    click
}

/// The add/edit form of a canned response; a managing account may make a new one center-wide.
/// Edited as a copy ([`Intent::EditCannedForm`]).
fn editor_ui(
    ui: &mut egui::Ui,
    lang: Language,
    lib: &Library,
    manages: bool,
    intents: &mut Vec<Intent>,
) {
    let Some(shown) = lib.editor.as_ref() else {
        return;
    };
    let mut copy = shown.clone();
    let editor = &mut copy;
    let mut close = false;
    let mut save = false;
    egui::Frame::group(ui.style()).show(ui, |ui| {
        if manages && editor.id.is_none() {
            let mut center = editor.scope == CannedScope::Center;
            ui.checkbox(&mut center, Msg::CannedCenterWide.text(lang));
            editor.scope = if center {
                CannedScope::Center
            } else {
                CannedScope::Personal
            };
        }
        let d = &mut editor.draft;
        let label = ui.label(Msg::CannedCategory.text(lang));
        ui.add(TextEdit::singleline(&mut d.category))
            .labelled_by(label.id);
        let label = ui.label(Msg::CannedTitle.text(lang));
        ui.add(TextEdit::singleline(&mut d.title))
            .labelled_by(label.id);
        let label = ui.label(Msg::CannedText.text(lang));
        ui.add(
            TextEdit::multiline(&mut d.text)
                .desired_rows(EDITOR_TEXT_ROWS)
                .char_limit(MAX_CANNED_TEXT_BYTES / 4),
        )
        .labelled_by(label.id);
        ui.horizontal(|ui| {
            let busy = editor.status == Status::Busy;
            save = ui
                .add_enabled(!busy, Button::new(Msg::Save.text(lang)))
                .clicked();
            if ui.button(Msg::Cancel.text(lang)).clicked() {
                close = true;
            }
        });
        status_ui(ui, &editor.status);
    });
    // The edited fields first: the buttons act on them.
    if copy != *shown {
        intents.push(Intent::EditCannedForm(Box::new(copy)));
    }
    if save {
        intents.push(Intent::SaveCanned { lang });
    }
    if close {
        intents.push(Intent::CloseCannedEditor);
    }
}

/// What the agent picked in the knowledge base: a reply text to insert, a picture to send.
#[derive(Default)]
struct Picked {
    insert: Option<String>,
    send_picture: Option<KnowledgeNodeId>,
}

/// The knowledge base: a tree, or the matching entries while a keyword is typed.
fn knowledge_ui(
    ui: &mut egui::Ui,
    lang: Language,
    lib: &Library,
    phase: SessionPhase,
    pictures: &mut ChatPictures<KnowledgePictureKey>,
) -> Picked {
    let open = phase == SessionPhase::Open;
    let mut picked = Picked::default();
    let Some(base) = ready_ui(ui, lang, &lib.knowledge) else {
        return picked;
    };
    ScrollArea::vertical()
        .id_salt("knowledge-list")
        .auto_shrink([false, true])
        .show(ui, |ui| {
            if base.nodes.is_empty() {
                ui.label(RichText::new(Msg::NoData.text(lang)).weak());
            } else if lib.search.trim().is_empty() {
                for root in knowledge_children(base, None) {
                    knowledge_node_ui(ui, lang, base, root, 1, open, pictures, &mut picked);
                }
            } else {
                let found = knowledge_matches(base, &lib.search);
                if found.is_empty() {
                    ui.label(RichText::new(Msg::NothingMatches.text(lang)).weak());
                }
                for node in found {
                    entry_ui(ui, lang, node, open, pictures, &mut picked);
                }
            }
            if base.truncated {
                ui.label(RichText::new(Msg::ListTruncated.text(lang)).weak());
            }
        });
    picked
}

/// One entry's own content: its reply button (text entries) and its picture with Send picture
/// (图片 entries; the picture is sent into the chat as it is).
fn entry_ui(
    ui: &mut egui::Ui,
    lang: Language,
    node: &KnowledgeNode,
    open: bool,
    pictures: &mut ChatPictures<KnowledgePictureKey>,
    picked: &mut Picked,
) {
    if !node.text.is_empty() && reply_button(ui, lang, &node.title, &node.text, open) {
        picked.insert = Some(node.text.clone());
    }
    if let Some(info) = node.image {
        if node.text.is_empty() {
            ui.label(&node.title);
        }
        pictures.thumbnail_ui(
            ui,
            (node.id, info),
            &info,
            super::chat::picture_labels(lang),
        );
        if ui
            .add_enabled(open, Button::new(Msg::SendPicture.text(lang)))
            .on_hover_text(Msg::SendsAtOnce.text(lang))
            .clicked()
        {
            picked.send_picture = Some(node.id);
        }
    }
}

/// One node of the tree: its entry for a leaf, a collapsible folder otherwise (with its own
/// entry first if it has one).
#[allow(clippy::too_many_arguments)]
fn knowledge_node_ui(
    ui: &mut egui::Ui,
    lang: Language,
    base: &KnowledgeBase,
    node: &KnowledgeNode,
    depth: usize,
    open: bool,
    pictures: &mut ChatPictures<KnowledgePictureKey>,
    picked: &mut Picked,
) {
    let children = knowledge_children(base, Some(node.id));
    if children.is_empty() || depth >= MAX_KNOWLEDGE_DEPTH {
        entry_ui(ui, lang, node, open, pictures, picked);
        return;
    }
    CollapsingHeader::new(&node.title)
        .id_salt(("knowledge", node.id))
        .default_open(depth == 1)
        .show(ui, |ui| {
            entry_ui(ui, lang, node, open, pictures, picked);
            for child in children {
                knowledge_node_ui(ui, lang, base, child, depth + 1, open, pictures, picked);
            }
        });
}
