//! State of the quick-reply side panel of the service window: canned responses and the
//! knowledge base (A8), the customer's service history (A11). Pure data and transitions; the
//! panel is drawn by `ui::canned` and `ui::history`.

use std::collections::{BTreeMap, HashMap};

use porpoise_protocol::wire::{
    CannedDraft, CannedResponse, CannedResponseId, CannedResponses, CannedScope, ChatMessage,
    KnowledgeBase, KnowledgeNode, KnowledgeNodeId, ServiceHistory, SessionId, TranscriptCursor,
    TranscriptPage,
};

use super::Status;

/// Something read from the relay on demand.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Loaded<T> {
    /// Not asked yet (asked when first shown).
    #[default]
    NotAsked,
    /// Asked; waiting for the relay.
    Loading,
    /// The relay's answer.
    Ready(T),
    /// The request failed; the text says why.
    Failed(String),
}

impl<T> Loaded<T> {
    /// True if it should be asked for now (never asked).
    pub fn wants_loading(&self) -> bool {
        matches!(self, Loaded::NotAsked)
    }
}

/// The tabs of the side panel.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum LibraryTab {
    /// Canned responses (常用语).
    #[default]
    Canned,
    /// Knowledge-base quick replies (知识库).
    Knowledge,
    /// The customer's service history (服务记录).
    History,
}

/// The add/edit form of a canned response.
#[derive(Debug, Clone, PartialEq)]
pub struct CannedEditor {
    /// Response being changed, or None for a new one.
    pub id: Option<CannedResponseId>,
    /// Personal, or center-wide (managing roles only; fixed once saved).
    pub scope: CannedScope,
    /// The fields as typed.
    pub draft: CannedDraft,
    /// Save state.
    pub status: Status,
}

impl CannedEditor {
    /// An empty form for a new response of `scope`.
    pub fn new(scope: CannedScope) -> Self {
        CannedEditor {
            id: None,
            scope,
            draft: CannedDraft::default(),
            status: Status::Idle,
        }
    }
}

/// The pages of one past session's transcript read so far.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Transcript {
    /// Messages, oldest first.
    pub messages: Vec<ChatMessage>,
    /// Where the next page starts; None when complete (or nothing read yet).
    pub next: Option<TranscriptCursor>,
    /// A page is on its way.
    pub loading: bool,
    /// The last page request failed.
    pub error: Option<String>,
    /// At least one page arrived.
    pub started: bool,
}

/// The service history of one session's customer.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HistoryView {
    /// The past sessions.
    pub list: Loaded<ServiceHistory>,
    /// Transcripts opened, by past session.
    pub transcripts: BTreeMap<SessionId, Transcript>,
}

/// The side panel's state, shared by every session tab (the canned responses and the knowledge
/// base are the agent's, the history is per session).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Library {
    /// The panel is shown.
    pub open: bool,
    /// The tab shown.
    pub tab: LibraryTab,
    /// Canned responses the agent may use.
    pub canned: Loaded<CannedResponses>,
    /// The center's knowledge base.
    pub knowledge: Loaded<KnowledgeBase>,
    /// Keyword typed in the search box (canned responses and knowledge base).
    pub search: String,
    /// The open add/edit form.
    pub editor: Option<CannedEditor>,
    /// A delete on its way.
    pub deleting: Option<CannedResponseId>,
    /// Last error of a delete.
    pub error: Option<String>,
    /// Service history per open session.
    pub histories: HashMap<SessionId, HistoryView>,
    /// Knowledge-base pictures asked for to send: (node, session), sent when the bytes come.
    pub picture_sends: Vec<(KnowledgeNodeId, SessionId)>,
}

/// True if every whitespace-separated term of `search` occurs (case-insensitively) in one of
/// `fields`; an empty search matches everything.
pub fn matches_search(search: &str, fields: &[&str]) -> bool {
    let fields: Vec<String> = fields.iter().map(|f| f.to_lowercase()).collect();
    search
        .split_whitespace()
        .map(str::to_lowercase)
        .all(|term| fields.iter().any(|f| f.contains(&term)))
}

/// Puts `text` into a chat draft for editing before sending: replaces a blank draft, else goes
/// on a new line after what is typed.
pub fn insert_into_draft(draft: &mut String, text: &str) {
    if draft.trim().is_empty() {
        draft.clear();
    } else if !draft.ends_with('\n') {
        draft.push('\n');
    }
    draft.push_str(text);
}

/// Canned responses grouped for display: (scope, category, responses) in the relay's order
/// (center-wide first), keeping only those matching `search`.
pub fn canned_groups<'a>(
    list: &'a CannedResponses,
    search: &str,
) -> Vec<(CannedScope, &'a str, Vec<&'a CannedResponse>)> {
    let mut groups: Vec<(CannedScope, &str, Vec<&CannedResponse>)> = Vec::new();
    for item in &list.items {
        let d = &item.draft;
        if !matches_search(search, &[&d.category, &d.title, &d.text]) {
            continue;
        }
        match groups
            .iter_mut()
            .find(|(scope, cat, _)| *scope == item.scope && *cat == d.category)
        {
            Some((_, _, items)) => items.push(item),
            None => groups.push((item.scope, &d.category, vec![item])),
        }
    }
    groups
}

/// Knowledge-base nodes that match `search` by title, keywords or text (replies and pictures
/// only, not folders), in tree order.
pub fn knowledge_matches<'a>(base: &'a KnowledgeBase, search: &str) -> Vec<&'a KnowledgeNode> {
    base.nodes
        .iter()
        .filter(|n| !n.text.is_empty() || n.image.is_some())
        .filter(|n| {
            let mut fields: Vec<&str> = vec![&n.title, &n.text];
            fields.extend(n.keywords.iter().map(String::as_str));
            matches_search(search, &fields)
        })
        .collect()
}

/// Children of `parent` (None: the roots), in display order.
pub fn knowledge_children(
    base: &KnowledgeBase,
    parent: Option<KnowledgeNodeId>,
) -> Vec<&KnowledgeNode> {
    base.nodes.iter().filter(|n| n.parent == parent).collect()
}

impl Library {
    /// Records a saved canned response: replaces the old version or adds it; closes the form.
    pub fn saved(&mut self, saved: CannedResponse) {
        if let Loaded::Ready(list) = &mut self.canned {
            match list.items.iter_mut().find(|c| c.id == saved.id) {
                Some(old) => *old = saved,
                None => list.items.push(saved),
            }
        }
        self.editor = None;
    }

    /// Records a deleted canned response.
    pub fn deleted(&mut self, id: CannedResponseId) {
        if let Loaded::Ready(list) = &mut self.canned {
            list.items.retain(|c| c.id != id);
        }
        self.deleting = None;
        self.error = None;
    }

    /// The history view of `session_id` (created empty).
    pub fn history_mut(&mut self, session_id: SessionId) -> &mut HistoryView {
        self.histories.entry(session_id).or_default()
    }

    /// Adds a transcript page (or its failure) to the history of `session_id`.
    pub fn transcript_page(
        &mut self,
        session_id: SessionId,
        past_session_id: SessionId,
        page: Result<TranscriptPage, String>,
    ) {
        let t = self
            .history_mut(session_id)
            .transcripts
            .entry(past_session_id)
            .or_default();
        t.loading = false;
        match page {
            Ok(page) => {
                t.messages.extend(page.messages);
                t.next = page.next;
                t.error = None;
                t.started = true;
            }
            Err(error) => t.error = Some(error),
        }
    }

    /// Forgets the history of sessions no longer open in a tab.
    pub fn retain_sessions(&mut self, open: &[SessionId]) {
        self.histories.retain(|id, _| open.contains(id));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canned(id: i64, scope: CannedScope, category: &str, title: &str) -> CannedResponse {
        CannedResponse {
            id: CannedResponseId(id),
            scope,
            draft: CannedDraft {
                category: category.into(),
                title: title.into(),
                text: format!("{title} text"),
            },
        }
    }

    #[test]
    fn search_needs_every_term_somewhere_ignoring_case() {
        assert!(matches_search("", &["x"]));
        assert!(matches_search("  ", &[]));
        assert!(matches_search("print JAM", &["Printer", "paper jam"]));
        assert!(!matches_search("print fax", &["Printer", "paper jam"]));
        assert!(matches_search("脱机", &["打印机脱机"]));
    }

    #[test]
    fn inserting_keeps_what_is_typed() {
        let mut draft = String::from("  ");
        insert_into_draft(&mut draft, "您好");
        assert_eq!(draft, "您好");
        insert_into_draft(&mut draft, "请稍等");
        assert_eq!(draft, "您好\n请稍等");
    }

    #[test]
    fn groups_keep_scope_and_category_order_and_filter() {
        let list = CannedResponses {
            items: vec![
                canned(1, CannedScope::Center, "问候", "欢迎"),
                canned(2, CannedScope::Center, "售后", "保修"),
                canned(3, CannedScope::Center, "问候", "再见"),
                canned(4, CannedScope::Personal, "问候", "我的"),
            ],
            truncated: false,
        };
        let groups = canned_groups(&list, "");
        let shape: Vec<(CannedScope, &str, usize)> =
            groups.iter().map(|(s, c, i)| (*s, *c, i.len())).collect();
        assert_eq!(
            shape,
            [
                (CannedScope::Center, "问候", 2),
                (CannedScope::Center, "售后", 1),
                (CannedScope::Personal, "问候", 1)
            ]
        );
        let found = canned_groups(&list, "保修");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].2[0].id, CannedResponseId(2));
    }

    #[test]
    fn saving_and_deleting_update_the_list() {
        let mut lib = Library {
            canned: Loaded::Ready(CannedResponses::default()),
            editor: Some(CannedEditor::new(CannedScope::Personal)),
            ..Library::default()
        };
        lib.saved(canned(5, CannedScope::Personal, "", "a"));
        lib.saved(canned(5, CannedScope::Personal, "", "b"));
        let Loaded::Ready(list) = &lib.canned else {
            panic!()
        };
        assert_eq!(list.items.len(), 1);
        assert_eq!(list.items[0].draft.title, "b");
        assert!(lib.editor.is_none());
        lib.deleted(CannedResponseId(5));
        let Loaded::Ready(list) = &lib.canned else {
            panic!()
        };
        assert!(list.items.is_empty());
    }
}
