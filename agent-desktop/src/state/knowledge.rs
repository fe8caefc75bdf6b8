//! The knowledge-base page of the admin window (知识库管理, M7): the whole tree as the relay
//! keeps it (disabled and out-of-date nodes included), the node being edited, and the requests
//! that add, change, move and delete nodes. The relay checks the permission and the tree rules.

use porpoise_protocol::wire::{
    rpc, DateYmd, KnowledgeDraft, KnowledgeNode, KnowledgeNodeId, Request,
};

use super::{intent::call, Effect, Status};

/// A node being added (`id: None`, under `parent`) or edited.
#[derive(Debug, Clone, PartialEq)]
pub struct KnowledgeEditor {
    /// The node, or `None` for a new one.
    pub id: Option<KnowledgeNodeId>,
    /// Parent of a new node.
    pub parent: Option<KnowledgeNodeId>,
    /// Title, text, enabled (keywords and dates are edited as text below).
    pub draft: KnowledgeDraft,
    /// Keywords as typed, comma- or line-separated.
    pub keywords: String,
    /// First day as typed, `YYYY-MM-DD` or empty.
    pub valid_from: String,
    /// Last day as typed, `YYYY-MM-DD` or empty.
    pub valid_until: String,
    /// Path of a picture file typed to set as the node's picture (M7 图片).
    pub picture_path: String,
    /// The node's picture as saved (size), `None` without one.
    pub image: Option<porpoise_protocol::wire::ChatImage>,
}

impl KnowledgeEditor {
    /// A new, enabled node under `parent`.
    pub fn new_node(parent: Option<KnowledgeNodeId>) -> Self {
        KnowledgeEditor {
            id: None,
            parent,
            draft: KnowledgeDraft {
                enabled: true,
                ..KnowledgeDraft::default()
            },
            keywords: String::new(),
            valid_from: String::new(),
            valid_until: String::new(),
            picture_path: String::new(),
            image: None,
        }
    }

    /// The editor of an existing node.
    pub fn of(node: &KnowledgeNode) -> Self {
        KnowledgeEditor {
            id: Some(node.id),
            parent: node.parent,
            draft: KnowledgeDraft {
                title: node.title.clone(),
                keywords: node.keywords.clone(),
                text: node.text.clone(),
                enabled: node.enabled,
                valid_from: node.valid_from,
                valid_until: node.valid_until,
            },
            keywords: node.keywords.join(", "),
            valid_from: node.valid_from.map(date_text).unwrap_or_default(),
            valid_until: node.valid_until.map(date_text).unwrap_or_default(),
            picture_path: String::new(),
            image: node.image,
        }
    }
}

/// A typed date that is not `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BadDate;

/// `YYYY-MM-DD` of a `yyyymmdd` date.
pub fn date_text(date: DateYmd) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date / 10_000,
        date / 100 % 100,
        date % 100
    )
}

/// The `yyyymmdd` of `YYYY-MM-DD` (or `YYYYMMDD`); `Ok(None)` for an empty text, `BadDate`
/// for anything else. Whether the day exists is checked by the relay (`InvalidDate`).
pub fn parse_date(text: &str) -> Result<Option<DateYmd>, BadDate> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let digits: String = t.chars().filter(|c| *c != '-' && *c != '/').collect();
    if digits.len() != 8 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(BadDate);
    }
    digits.parse().map(Some).map_err(|_| BadDate)
}

/// The knowledge-base page's state.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct KnowledgeView {
    /// Every node, parents before children, siblings in order, once loaded.
    pub nodes: Option<Vec<KnowledgeNode>>,
    /// The node picked in the tree.
    pub selected: Option<KnowledgeNodeId>,
    /// The node being added or edited.
    pub editor: Option<KnowledgeEditor>,
    /// A delete of the selected node waiting for confirmation.
    pub confirm_delete: bool,
    /// Loading or saving.
    pub status: Status,
}

impl KnowledgeView {
    /// Opens the page and asks for the tree.
    pub fn loading(out: &mut Vec<Effect>) -> Self {
        call(out, Request::ListKnowledgeAdmin(rpc::ListKnowledgeAdmin));
        KnowledgeView {
            status: Status::Busy,
            ..KnowledgeView::default()
        }
    }

    /// Levels above each node (a root is 0), in `nodes` order.
    pub fn depths(&self) -> Vec<usize> {
        let nodes = self.nodes.as_deref().unwrap_or_default();
        let mut depth: std::collections::HashMap<KnowledgeNodeId, usize> = Default::default();
        nodes
            .iter()
            .map(|n| {
                let d = n.parent.and_then(|p| depth.get(&p)).map_or(0, |d| d + 1);
                depth.insert(n.id, d);
                d
            })
            .collect()
    }

    /// The selected node's siblings (ids, in order) and its place among them.
    pub fn place_of(&self, id: KnowledgeNodeId) -> Option<(Option<KnowledgeNodeId>, usize, usize)> {
        let nodes = self.nodes.as_deref()?;
        let parent = nodes.iter().find(|n| n.id == id)?.parent;
        let siblings: Vec<KnowledgeNodeId> = nodes
            .iter()
            .filter(|n| n.parent == parent)
            .map(|n| n.id)
            .collect();
        let at = siblings.iter().position(|s| *s == id)?;
        Some((parent, at, siblings.len()))
    }

    /// True if `candidate` is `id` or in its subtree.
    pub fn within(&self, candidate: KnowledgeNodeId, id: KnowledgeNodeId) -> bool {
        let nodes = self.nodes.as_deref().unwrap_or_default();
        let mut at = Some(candidate);
        let mut steps = 0;
        while let Some(node) = at {
            if node == id || steps > nodes.len() {
                return true;
            }
            steps += 1;
            at = nodes.iter().find(|n| n.id == node).and_then(|n| n.parent);
        }
        false
    }

    /// Sends the editor's save; `BadDate` (nothing sent) when a date is not `YYYY-MM-DD`.
    pub fn save(&mut self, out: &mut Vec<Effect>) -> Result<(), BadDate> {
        let Some(editor) = self.editor.as_mut() else {
            return Ok(());
        };
        let from = parse_date(&editor.valid_from)?;
        let until = parse_date(&editor.valid_until)?;
        let draft = KnowledgeDraft {
            keywords: editor
                .keywords
                .split([',', '，', '\n'])
                .map(str::trim)
                .filter(|k| !k.is_empty())
                .map(str::to_owned)
                .collect(),
            valid_from: from,
            valid_until: until,
            ..editor.draft.clone()
        };
        self.status = Status::Busy;
        call(
            out,
            Request::SaveKnowledgeNode(rpc::SaveKnowledgeNode {
                id: editor.id,
                parent: editor.parent,
                draft,
            }),
        );
        Ok(())
    }

    /// Moves `id` under `parent` at `index` among its new siblings.
    pub fn move_node(
        &mut self,
        id: KnowledgeNodeId,
        parent: Option<KnowledgeNodeId>,
        index: u32,
        out: &mut Vec<Effect>,
    ) {
        self.status = Status::Busy;
        call(
            out,
            Request::MoveKnowledgeNode(rpc::MoveKnowledgeNode { id, parent, index }),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_typed_as_iso_days() {
        assert_eq!(parse_date(""), Ok(None));
        assert_eq!(parse_date(" 2027-01-31 "), Ok(Some(20_270_131)));
        assert_eq!(parse_date("20270131"), Ok(Some(20_270_131)));
        assert_eq!(parse_date("2027-1-31"), Err(BadDate));
        assert_eq!(parse_date("tomorrow"), Err(BadDate));
        assert_eq!(date_text(20_270_131), "2027-01-31");
    }
}
