//! Canned responses, the knowledge base (A8, M7) and service-history reads (A11): the store side
//! of [`StoreQuery`], the `library import` file and the demo library.
//!
//! Every statement filters by center; personal canned responses also by owner; a past session
//! is read only if it belongs to the same customer (install id, or the same non-empty phone).

use porpoise_protocol::wire::rpc;
use porpoise_protocol::wire::{
    ApiError, CannedDraft, CannedResponse, CannedResponseId, CannedResponses, CannedScope,
    CenterId, ChatMessage, HistoryItem, KnowledgeBase, KnowledgeNode, KnowledgeNodeId, MessageId,
    Response, ServiceHistory, SessionId, TranscriptCursor, TranscriptPage, MAX_CENTER_CANNED,
    MAX_HISTORY_ITEMS, MAX_KNOWLEDGE_DEPTH, MAX_KNOWLEDGE_KEYWORDS_BYTES, MAX_KNOWLEDGE_NODES,
    MAX_KNOWLEDGE_TEXT_BYTES, MAX_KNOWLEDGE_TITLE_BYTES, MAX_LIBRARY_REPLY_BYTES,
    MAX_PERSONAL_CANNED, TRANSCRIPT_PAGE_BYTES, TRANSCRIPT_PAGE_MESSAGES,
};
use serde::Deserialize;
use tracing::error;

use super::{from_db, hex128, parse_hex128, parse_party, to_db, Store, StoreError};
use crate::core::{check_canned_draft, AgentId, CustomerKey, InstallId, StoreQuery};

/// The demo center's canned responses and knowledge base, in the `library import` format.
pub const DEMO_LIBRARY_JSON: &str = include_str!("demo_library.json");

/// Bytes counted per item besides its texts against [`MAX_LIBRARY_REPLY_BYTES`] and
/// [`TRANSCRIPT_PAGE_BYTES`] (ids, tags, lengths).
const ITEM_OVERHEAD_BYTES: usize = 32;

/// What an answer to a query is before it becomes a wire answer.
type Answer = Result<Result<Response, ApiError>, StoreError>;

/// Row of `canned_responses`: id, agent_id, category, title, text.
type CannedRow = (i64, Option<i64>, String, String, String);
/// Row of `knowledge_nodes` with its picture's size: id, parent, title, keywords, text,
/// enabled, valid_from, valid_until, then the picture's format, width, height and bytes (all
/// `NULL` without one).
type KnowledgeRow = (
    i64,
    Option<i64>,
    String,
    String,
    String,
    bool,
    Option<i64>,
    Option<i64>,
    Option<String>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
);
/// Row of the history list: id, started_at, ended_at, agent, customer name, message count,
/// disposition.
type HistoryRow = (i64, i64, i64, String, bool, String, i64, Option<String>);
/// Row of a transcript: row id, message id, party, text, sent_at.
type TranscriptRow = (
    i64,
    String,
    String,
    String,
    i64,
    Option<String>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
);

/// SQL condition "session `s` (with customer `c` and ticket `t`) is this customer's", binding
/// install id, phone, phone.
const SAME_CUSTOMER: &str = "(c.install_id = ? OR (? <> '' AND t.phone = ?))";

impl Store {
    /// Runs a [`StoreQuery`] and turns the outcome into the answer the agent gets: a database
    /// failure is logged here (without content) and answered [`ApiError::Storage`].
    pub async fn query(&self, query: &StoreQuery) -> Result<Response, ApiError> {
        match self.run_query(query).await {
            Ok(answer) => answer,
            Err(err) => {
                error!("store query failed: {err}");
                Err(ApiError::Storage)
            }
        }
    }

    /// Runs a [`StoreQuery`]; the inner error is the agent's (bad id, limit), the outer one the
    /// database's.
    pub(super) async fn run_query(&self, query: &StoreQuery) -> Answer {
        match query {
            StoreQuery::CannedResponses {
                center_id,
                agent_id,
            } => Ok(Ok(Response::CannedResponses(
                self.canned_responses(*center_id, *agent_id).await?,
            ))),
            StoreQuery::SaveCanned {
                center_id,
                agent_id,
                id,
                scope,
                draft,
            } => {
                self.save_canned(*center_id, *agent_id, *id, *scope, draft)
                    .await
            }
            StoreQuery::DeleteCanned {
                center_id,
                agent_id,
                id,
                manages,
            } => {
                self.delete_canned(*center_id, *agent_id, *id, *manages)
                    .await
            }
            StoreQuery::KnowledgeBase { center_id, today } => Ok(Ok(Response::KnowledgeBase(
                self.knowledge_base(*center_id, *today).await?,
            ))),
            StoreQuery::SaveKnowledge {
                center_id,
                id,
                parent,
                draft,
                actor,
            } => {
                self.save_knowledge(*center_id, *id, *parent, draft, actor)
                    .await
            }
            StoreQuery::MoveKnowledge {
                center_id,
                id,
                parent,
                index,
                actor,
            } => {
                self.move_knowledge(*center_id, *id, *parent, *index, actor)
                    .await
            }
            StoreQuery::DeleteKnowledge {
                center_id,
                id,
                actor,
            } => self.delete_knowledge(*center_id, *id, actor).await,
            StoreQuery::SetKnowledgeImage {
                center_id,
                id,
                image,
                actor,
            } => {
                self.set_knowledge_image(*center_id, *id, image.as_ref(), actor)
                    .await
            }
            StoreQuery::KnowledgeImage {
                center_id,
                id,
                today,
            } => self.knowledge_image(*center_id, *id, *today).await,
            StoreQuery::AuditLog {
                center_id,
                before_seq,
                limit,
            } => Ok(Ok(Response::AuditLog(
                self.audit_page(*center_id, *before_seq, *limit)
                    .await?
                    .into_iter()
                    .map(|r| porpoise_protocol::wire::rpc::AuditRecord {
                        seq: r.seq,
                        at: r.at_ms,
                        actor: r.actor,
                        action: r.action,
                        target: r.target,
                        detail: r.detail,
                    })
                    .collect(),
            ))),
            StoreQuery::ServiceHistory {
                center_id,
                customer,
                exclude,
            } => Ok(Ok(Response::ServiceHistory(
                self.service_history(*center_id, customer, *exclude).await?,
            ))),
            StoreQuery::Transcript {
                center_id,
                customer,
                past_session_id,
                after,
            } => {
                self.transcript(*center_id, customer, *past_session_id, *after)
                    .await
            }
            StoreQuery::ChatImage {
                center_id,
                customer,
                session_id,
                message_id,
            } => {
                self.chat_image(*center_id, *customer, *session_id, *message_id)
                    .await
            }
        }
    }

    /// The bytes of a chat picture (A7, C4) of a session in `center_id`; with `customer`, only
    /// when the session is that customer's. Answers [`ApiError::UnknownSession`] otherwise.
    ///
    /// Errors: [`StoreError::Database`].
    async fn chat_image(
        &self,
        center_id: CenterId,
        customer: Option<InstallId>,
        session_id: SessionId,
        message_id: MessageId,
    ) -> Answer {
        let row: Option<(Vec<u8>,)> = sqlx::query_as(
            "SELECT i.data FROM chat_images i JOIN sessions s ON s.id = i.session_id \
             JOIN customers c ON c.id = s.customer \
             WHERE i.session_id = ? AND i.message_id = ? AND s.center_id = ? \
             AND (? IS NULL OR c.install_id = ?)",
        )
        .bind(to_db(session_id.0)?)
        .bind(hex128(message_id.0))
        .bind(i64::from(center_id.0))
        .bind(customer.map(|c| hex128(c.0)))
        .bind(customer.map(|c| hex128(c.0)))
        .fetch_optional(&self.pool)
        .await?;
        Ok(match row {
            Some((data,)) => Ok(Response::ChatImageData(rpc::ChatImageData {
                session_id,
                message_id,
                data,
            })),
            None => Err(ApiError::UnknownSession),
        })
    }

    /// Center-wide canned responses (first), then `agent_id`'s personal ones, each ordered by
    /// category, position and title; cut at [`MAX_LIBRARY_REPLY_BYTES`].
    ///
    /// Errors: [`StoreError::Database`].
    pub async fn canned_responses(
        &self,
        center_id: CenterId,
        agent_id: AgentId,
    ) -> Result<CannedResponses, StoreError> {
        let rows: Vec<CannedRow> = sqlx::query_as(
            "SELECT id, agent_id, category, title, text FROM canned_responses \
             WHERE center_id = ? AND (agent_id IS NULL OR agent_id = ?) \
             ORDER BY agent_id IS NOT NULL, category, position, title, id",
        )
        .bind(i64::from(center_id.0))
        .bind(agent_id.0)
        .fetch_all(&self.pool)
        .await?;
        let mut list = CannedResponses::default();
        let mut used = 0;
        for (id, owner, category, title, text) in rows {
            used += category.len() + title.len() + text.len() + ITEM_OVERHEAD_BYTES;
            if used > MAX_LIBRARY_REPLY_BYTES {
                list.truncated = true;
                break;
            }
            let scope = match owner {
                None => CannedScope::Center,
                Some(_) => CannedScope::Personal,
            };
            let draft = CannedDraft {
                category,
                title,
                text,
            };
            list.items.push(CannedResponse {
                id: CannedResponseId(id),
                scope,
                draft,
            });
        }
        Ok(list)
    }

    /// Adds or changes a canned response (fields already checked by the core). A personal one
    /// belongs to `agent_id`; a center-wide one has no owner. Answers `CannedResponseSaved`;
    /// `Invalid` when the scope is full, `Conflict` when `id` is not one of this scope's.
    async fn save_canned(
        &self,
        center_id: CenterId,
        agent_id: AgentId,
        id: Option<CannedResponseId>,
        scope: CannedScope,
        draft: &CannedDraft,
    ) -> Answer {
        let owner = match scope {
            CannedScope::Personal => Some(agent_id.0),
            CannedScope::Center => None,
        };
        let mut tx = self.pool.begin().await?;
        let id = match id {
            None => {
                let (count,): (i64,) = sqlx::query_as(
                    "SELECT COUNT(*) FROM canned_responses WHERE center_id = ? AND agent_id IS ?",
                )
                .bind(i64::from(center_id.0))
                .bind(owner)
                .fetch_one(&mut *tx)
                .await?;
                let max = match scope {
                    CannedScope::Personal => MAX_PERSONAL_CANNED,
                    CannedScope::Center => MAX_CENTER_CANNED,
                };
                if usize::try_from(count).unwrap_or(usize::MAX) >= max {
                    return Ok(Err(ApiError::too_many(
                        porpoise_protocol::wire::Field::CannedResponses,
                        max,
                    )));
                }
                let (id,): (i64,) = sqlx::query_as(
                    "INSERT INTO canned_responses (center_id, agent_id, category, title, text) \
                     VALUES (?, ?, ?, ?, ?) RETURNING id",
                )
                .bind(i64::from(center_id.0))
                .bind(owner)
                .bind(&draft.category)
                .bind(&draft.title)
                .bind(&draft.text)
                .fetch_one(&mut *tx)
                .await?;
                CannedResponseId(id)
            }
            Some(id) => {
                let done = sqlx::query(
                    "UPDATE canned_responses SET category = ?, title = ?, text = ? \
                     WHERE id = ? AND center_id = ? AND agent_id IS ?",
                )
                .bind(&draft.category)
                .bind(&draft.title)
                .bind(&draft.text)
                .bind(id.0)
                .bind(i64::from(center_id.0))
                .bind(owner)
                .execute(&mut *tx)
                .await?;
                if done.rows_affected() == 0 {
                    return Ok(Err(no_such_canned()));
                }
                id
            }
        };
        tx.commit().await?;
        let saved = CannedResponse {
            id,
            scope,
            draft: draft.clone(),
        };
        Ok(Ok(Response::CannedResponseSaved(saved)))
    }

    /// Deletes a personal canned response of `agent_id`, or a center-wide one if `manages`.
    async fn delete_canned(
        &self,
        center_id: CenterId,
        agent_id: AgentId,
        id: CannedResponseId,
        manages: bool,
    ) -> Answer {
        let done = sqlx::query(
            "DELETE FROM canned_responses WHERE id = ? AND center_id = ? \
             AND (agent_id = ? OR (? AND agent_id IS NULL))",
        )
        .bind(id.0)
        .bind(i64::from(center_id.0))
        .bind(agent_id.0)
        .bind(manages)
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 0 {
            return Ok(Err(no_such_canned()));
        }
        Ok(Ok(Response::Done))
    }

    /// Every knowledge-base node of the center, siblings by position (not yet a tree).
    pub(super) async fn knowledge_nodes(
        &self,
        center_id: CenterId,
    ) -> Result<Vec<KnowledgeNode>, StoreError> {
        let rows: Vec<KnowledgeRow> = sqlx::query_as(
            "SELECT n.id, n.parent, n.title, n.keywords, n.text, n.enabled, n.valid_from, \
             n.valid_until, i.format, i.width, i.height, length(i.data) \
             FROM knowledge_nodes n LEFT JOIN knowledge_images i ON i.node_id = n.id \
             WHERE n.center_id = ? ORDER BY n.position, n.id",
        )
        .bind(i64::from(center_id.0))
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(
                |(id, parent, title, keywords, text, enabled, from, until, f, w, h, bytes)| {
                    Ok(KnowledgeNode {
                        id: KnowledgeNodeId(id),
                        parent: parent.map(KnowledgeNodeId),
                        title,
                        keywords: keywords.lines().map(str::to_owned).collect(),
                        text,
                        enabled,
                        valid_from: from.map(from_db).transpose()?,
                        valid_until: until.map(from_db).transpose()?,
                        image: super::chat_image_from_row(f, w, h, bytes)?,
                    })
                },
            )
            .collect()
    }

    /// The center's knowledge base: parents before children (depth first), siblings by
    /// position; nodes deeper than [`MAX_KNOWLEDGE_DEPTH`] are left out; cut at
    /// [`MAX_LIBRARY_REPLY_BYTES`]. With `today` (`yyyymmdd`), only nodes live that day
    /// ([`KnowledgeNode::live_on`]) whose parents are shown too; `None`: every node.
    ///
    /// Errors: [`StoreError::Database`].
    pub async fn knowledge_base(
        &self,
        center_id: CenterId,
        today: Option<porpoise_protocol::wire::DateYmd>,
    ) -> Result<KnowledgeBase, StoreError> {
        let nodes: Vec<KnowledgeNode> = self
            .knowledge_nodes(center_id)
            .await?
            .into_iter()
            .filter(|n| today.is_none_or(|d| n.live_on(d)))
            .collect();
        let mut base = KnowledgeBase::default();
        let mut used = 0;
        // Depth-first from the roots with an explicit stack: (node index, depth).
        let children = |parent: Option<KnowledgeNodeId>| {
            nodes
                .iter()
                .enumerate()
                .filter(move |(_, n)| n.parent == parent)
                .map(|(i, _)| i)
                .collect::<Vec<_>>()
        };
        let mut stack: Vec<(usize, usize)> =
            children(None).into_iter().rev().map(|i| (i, 1)).collect();
        while let Some((i, depth)) = stack.pop() {
            let node = &nodes[i];
            used += node.title.len() + node.text.len() + ITEM_OVERHEAD_BYTES;
            used += node.keywords.iter().map(String::len).sum::<usize>();
            if used > MAX_LIBRARY_REPLY_BYTES {
                base.truncated = true;
                break;
            }
            base.nodes.push(node.clone());
            if depth < MAX_KNOWLEDGE_DEPTH {
                stack.extend(
                    children(Some(node.id))
                        .into_iter()
                        .rev()
                        .map(|c| (c, depth + 1)),
                );
            }
        }
        Ok(base)
    }

    /// The customer's ended sessions in the center, newest first, at most
    /// [`MAX_HISTORY_ITEMS`], never `exclude`.
    ///
    /// Errors: [`StoreError::Database`], [`StoreError::Corrupt`].
    pub async fn service_history(
        &self,
        center_id: CenterId,
        customer: &CustomerKey,
        exclude: SessionId,
    ) -> Result<ServiceHistory, StoreError> {
        let sql = format!(
            "SELECT s.id, s.started_at, s.ended_at, a.display_name, a.status = 'deleted', t.name, \
                    (SELECT COUNT(*) FROM chat_messages m WHERE m.session_id = s.id), \
                    r.disposition \
             FROM sessions s JOIN customers c ON c.id = s.customer \
             JOIN tickets t ON t.id = s.ticket JOIN agents a ON a.id = s.agent_id \
             LEFT JOIN support_records r ON r.session_id = s.id AND r.center_id = s.center_id \
             WHERE s.center_id = ? AND s.ended_at IS NOT NULL AND s.id <> ? AND {SAME_CUSTOMER} \
             ORDER BY s.started_at DESC, s.id DESC LIMIT ?"
        );
        let rows: Vec<HistoryRow> = sqlx::query_as(&sql)
            .bind(i64::from(center_id.0))
            .bind(to_db(exclude.0)?)
            .bind(hex128(customer.install_id.0))
            .bind(&customer.phone)
            .bind(&customer.phone)
            .bind(to_db(MAX_HISTORY_ITEMS as u64 + 1)?)
            .fetch_all(&self.pool)
            .await?;
        let truncated = rows.len() > MAX_HISTORY_ITEMS;
        let mut items = Vec::with_capacity(rows.len().min(MAX_HISTORY_ITEMS));
        for (
            id,
            started_at,
            ended_at,
            agent_name,
            agent_deleted,
            customer_name,
            count,
            disposition,
        ) in rows.into_iter().take(MAX_HISTORY_ITEMS)
        {
            let session_id: SessionId = SessionId(from_db(id)?);
            items.push(HistoryItem {
                session_id,
                started_at,
                duration_ms: u64::try_from(ended_at - started_at).unwrap_or(0),
                agent_name,
                agent_deleted,
                customer_name,
                disposition: disposition.filter(|d| !d.trim().is_empty()),
                message_count: u32::try_from(count).unwrap_or(u32::MAX),
            });
        }
        Ok(ServiceHistory { items, truncated })
    }

    /// One page of a past session's transcript, if the session is this customer's and ended.
    async fn transcript(
        &self,
        center_id: CenterId,
        customer: &CustomerKey,
        past_session_id: SessionId,
        after: Option<TranscriptCursor>,
    ) -> Answer {
        let sql = format!(
            "SELECT s.id FROM sessions s JOIN customers c ON c.id = s.customer \
             JOIN tickets t ON t.id = s.ticket \
             WHERE s.id = ? AND s.center_id = ? AND s.ended_at IS NOT NULL AND {SAME_CUSTOMER}"
        );
        let found: Option<(i64,)> = sqlx::query_as(&sql)
            .bind(to_db(past_session_id.0)?)
            .bind(i64::from(center_id.0))
            .bind(hex128(customer.install_id.0))
            .bind(&customer.phone)
            .bind(&customer.phone)
            .fetch_optional(&self.pool)
            .await?;
        if found.is_none() {
            return Ok(Err(ApiError::UnknownSession));
        }
        let rows: Vec<TranscriptRow> = sqlx::query_as(
            "SELECT m.id, m.message_id, m.from_party, m.text, m.sent_at, \
             i.format, i.width, i.height, length(i.data) FROM chat_messages m \
             LEFT JOIN chat_images i ON i.session_id = m.session_id AND i.message_id = m.message_id \
             WHERE m.session_id = ? AND m.id > ? ORDER BY m.id LIMIT ?",
        )
        .bind(to_db(past_session_id.0)?)
        .bind(after.unwrap_or(0))
        .bind(to_db(TRANSCRIPT_PAGE_MESSAGES as u64)?)
        .fetch_all(&self.pool)
        .await?;
        let full = rows.len() == TRANSCRIPT_PAGE_MESSAGES;
        let mut page = TranscriptPage {
            past_session_id,
            messages: Vec::with_capacity(rows.len()),
            next: None,
        };
        let mut used = 0;
        let mut last = None;
        let total = rows.len();
        for (n, row) in rows.into_iter().enumerate() {
            let (row_id, message_id, from, text, sent_at, format, width, height, bytes) = row;
            used += text.len() + ITEM_OVERHEAD_BYTES;
            if used > TRANSCRIPT_PAGE_BYTES && !page.messages.is_empty() {
                page.next = last;
                return Ok(Ok(Response::HistoryTranscript(page)));
            }
            page.messages.push(ChatMessage {
                message_id: MessageId(parse_hex128(&message_id)?),
                from: parse_party(&from)?,
                text,
                sent_at,
                image: super::chat_image_from_row(format, width, height, bytes)?,
            });
            last = Some(row_id);
            if n + 1 == total && full {
                page.next = last;
            }
        }
        Ok(Ok(Response::HistoryTranscript(page)))
    }
}

fn no_such_canned() -> ApiError {
    ApiError::NotFound {
        what: porpoise_protocol::wire::Thing::CannedResponse,
    }
}

/// The `porpoise-relay library import` file (JSON): center-wide canned responses and the
/// knowledge-base tree. See `demo_library.json` for an example.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LibraryFile {
    /// Center-wide canned responses.
    #[serde(default)]
    pub canned: Vec<CannedEntry>,
    /// Root nodes of the knowledge base.
    #[serde(default)]
    pub knowledge: Vec<KnowledgeEntry>,
}

/// One canned response of a [`LibraryFile`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CannedEntry {
    /// Category (may be empty).
    #[serde(default)]
    pub category: String,
    /// Title shown on the button.
    pub title: String,
    /// The text.
    pub text: String,
}

/// One knowledge-base node of a [`LibraryFile`], with its children.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KnowledgeEntry {
    /// Title.
    pub title: String,
    /// Search keywords.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// Reply text (empty for a folder).
    #[serde(default)]
    pub text: String,
    /// Child nodes.
    #[serde(default)]
    pub children: Vec<KnowledgeEntry>,
}

/// Why a library file cannot be imported. Nothing is written when any check fails.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file is not valid JSON of the expected shape.
    #[error("cannot read the library file: {0}")]
    Parse(#[from] serde_json::Error),
    /// The spreadsheet cannot be read, or a sheet lacks a column it needs.
    #[error("cannot read the library spreadsheet: {0}")]
    Spreadsheet(String),
    /// An entry breaks a rule; `at` says which (e.g. `canned[3]`, `knowledge[0].children[2]`).
    #[error("{at}: {reason}")]
    Invalid {
        /// Where in the file.
        at: String,
        /// What is wrong.
        reason: String,
    },
    /// The center does not exist.
    #[error("unknown center {0}")]
    UnknownCenter(CenterId),
    /// The database failed; nothing was written.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for ImportError {
    fn from(err: sqlx::Error) -> Self {
        ImportError::Store(err.into())
    }
}

/// What an import wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LibraryImport {
    /// Canned responses added.
    pub canned: usize,
    /// Knowledge-base nodes added.
    pub knowledge: usize,
}

impl LibraryFile {
    /// Parses and checks a library file (limits of [`check_canned_draft`], knowledge-base
    /// title/keywords/text limits, depth and count).
    ///
    /// Errors: [`ImportError::Parse`], [`ImportError::Invalid`] naming the entry.
    pub fn parse(json: &str) -> Result<LibraryFile, ImportError> {
        let file: LibraryFile = serde_json::from_str(json)?;
        file.checked()
    }

    /// Reads and checks a library spreadsheet (.xlsx, M7): a sheet named `canned` (or 常用语)
    /// with the columns `category` (分类), `title` (标题), `text` (内容), and a sheet named
    /// `knowledge` (or 知识库) with `path` (路径: folder names and the entry's title joined by
    /// `/`), `keywords` (关键词, comma-separated) and `text` (内容). The first row names the
    /// columns (in any order, English or Chinese); empty rows are skipped; a path's folders are
    /// made once and shared. Either sheet may be missing.
    ///
    /// Errors: [`ImportError::Spreadsheet`] for a file that is not .xlsx or a sheet without
    /// its columns; [`ImportError::Invalid`] naming the sheet and row, as [`LibraryFile::parse`].
    pub fn from_xlsx(bytes: &[u8]) -> Result<LibraryFile, ImportError> {
        super::library_xlsx::read(bytes)?.checked()
    }

    fn checked(mut self) -> Result<LibraryFile, ImportError> {
        let file = &mut self;
        for (i, entry) in file.canned.iter_mut().enumerate() {
            let draft = CannedDraft {
                category: std::mem::take(&mut entry.category),
                title: std::mem::take(&mut entry.title),
                text: std::mem::take(&mut entry.text),
            };
            let draft =
                check_canned_draft(draft).map_err(|e| invalid(format!("canned[{i}]"), e))?;
            entry.category = draft.category;
            entry.title = draft.title;
            entry.text = draft.text;
        }
        if file.canned.len() > MAX_CENTER_CANNED {
            let reason = format!("more than {MAX_CENTER_CANNED} canned responses");
            return Err(ImportError::Invalid {
                at: "canned".into(),
                reason,
            });
        }
        let mut count = 0;
        for (i, node) in file.knowledge.iter_mut().enumerate() {
            check_knowledge(node, &format!("knowledge[{i}]"), 1, &mut count)?;
        }
        Ok(self)
    }
}

fn invalid(at: String, err: ApiError) -> ImportError {
    let reason = porpoise_protocol::lang::errors::api_error_text(
        porpoise_protocol::lang::Language::En,
        &err,
    );
    ImportError::Invalid { at, reason }
}

/// Trims and checks one knowledge-base entry and its children.
fn check_knowledge(
    node: &mut KnowledgeEntry,
    at: &str,
    depth: usize,
    count: &mut usize,
) -> Result<(), ImportError> {
    let fail = |reason: String| ImportError::Invalid {
        at: at.to_owned(),
        reason,
    };
    *count += 1;
    if *count > MAX_KNOWLEDGE_NODES {
        return Err(fail(format!(
            "more than {MAX_KNOWLEDGE_NODES} knowledge-base nodes"
        )));
    }
    if depth > MAX_KNOWLEDGE_DEPTH {
        return Err(fail(format!("deeper than {MAX_KNOWLEDGE_DEPTH} levels")));
    }
    node.title = node.title.trim().to_owned();
    node.text = node.text.trim().to_owned();
    node.keywords = node
        .keywords
        .iter()
        .flat_map(|k| k.lines())
        .map(|k| k.trim().to_owned())
        .filter(|k| !k.is_empty())
        .collect();
    if node.title.is_empty() {
        return Err(fail("the title is empty".into()));
    }
    if node.title.len() > MAX_KNOWLEDGE_TITLE_BYTES {
        return Err(fail(format!(
            "the title is longer than {MAX_KNOWLEDGE_TITLE_BYTES} bytes"
        )));
    }
    if node.text.len() > MAX_KNOWLEDGE_TEXT_BYTES {
        return Err(fail(format!(
            "the text is longer than {MAX_KNOWLEDGE_TEXT_BYTES} bytes"
        )));
    }
    if node.keywords.join("\n").len() > MAX_KNOWLEDGE_KEYWORDS_BYTES {
        let reason = format!("the keywords are longer than {MAX_KNOWLEDGE_KEYWORDS_BYTES} bytes");
        return Err(fail(reason));
    }
    for (i, child) in node.children.iter_mut().enumerate() {
        check_knowledge(child, &format!("{at}.children[{i}]"), depth + 1, count)?;
    }
    Ok(())
}

impl Store {
    /// Imports a checked library file into a center in one transaction: center-wide canned
    /// responses and knowledge-base nodes are added after the existing ones, or replace them
    /// when `replace` (personal canned responses are never touched).
    ///
    /// Errors: [`ImportError::UnknownCenter`], [`ImportError::Invalid`] when the center would
    /// hold more than [`MAX_CENTER_CANNED`] / [`MAX_KNOWLEDGE_NODES`], [`ImportError::Store`].
    pub async fn import_library(
        &self,
        center_id: CenterId,
        file: &LibraryFile,
        replace: bool,
    ) -> Result<LibraryImport, ImportError> {
        if self.center(center_id).await?.is_none() {
            return Err(ImportError::UnknownCenter(center_id));
        }
        let center = i64::from(center_id.0);
        let mut tx = self.pool.begin().await?;
        if replace {
            sqlx::query("DELETE FROM canned_responses WHERE center_id = ? AND agent_id IS NULL")
                .bind(center)
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM knowledge_nodes WHERE center_id = ?")
                .bind(center)
                .execute(&mut *tx)
                .await?;
        }
        let (canned_before, nodes_before): (i64, i64) = sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM canned_responses WHERE center_id = ?1 \
                     AND agent_id IS NULL), \
                    (SELECT COUNT(*) FROM knowledge_nodes WHERE center_id = ?1)",
        )
        .bind(center)
        .fetch_one(&mut *tx)
        .await?;
        let nodes_in_file = count_nodes(&file.knowledge);
        let over = |before: i64, adding: usize, max: usize| {
            usize::try_from(before)
                .unwrap_or(usize::MAX)
                .saturating_add(adding)
                > max
        };
        if over(canned_before, file.canned.len(), MAX_CENTER_CANNED) {
            let reason = format!("the center would have more than {MAX_CENTER_CANNED}");
            return Err(ImportError::Invalid {
                at: "canned".into(),
                reason,
            });
        }
        if over(nodes_before, nodes_in_file, MAX_KNOWLEDGE_NODES) {
            let reason = format!("the center would have more than {MAX_KNOWLEDGE_NODES} nodes");
            return Err(ImportError::Invalid {
                at: "knowledge".into(),
                reason,
            });
        }
        for (position, entry) in file.canned.iter().enumerate() {
            sqlx::query(
                "INSERT INTO canned_responses (center_id, agent_id, category, title, text, \
                 position) VALUES (?, NULL, ?, ?, ?, ?)",
            )
            .bind(center)
            .bind(&entry.category)
            .bind(&entry.title)
            .bind(&entry.text)
            .bind(to_db(position as u64)?)
            .execute(&mut *tx)
            .await?;
        }
        // Breadth of the tree with an explicit stack: (entry, parent id, position).
        let mut stack: Vec<(&KnowledgeEntry, Option<i64>, usize)> = file
            .knowledge
            .iter()
            .enumerate()
            .map(|(i, e)| (e, None, i + usize::try_from(nodes_before).unwrap_or(0)))
            .collect();
        while let Some((entry, parent, position)) = stack.pop() {
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO knowledge_nodes (center_id, parent, title, keywords, text, position) \
                 VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
            )
            .bind(center)
            .bind(parent)
            .bind(&entry.title)
            .bind(entry.keywords.join("\n"))
            .bind(&entry.text)
            .bind(to_db(position as u64)?)
            .fetch_one(&mut *tx)
            .await?;
            stack.extend(
                entry
                    .children
                    .iter()
                    .enumerate()
                    .map(|(i, c)| (c, Some(id), i)),
            );
        }
        tx.commit().await?;
        Ok(LibraryImport {
            canned: file.canned.len(),
            knowledge: nodes_in_file,
        })
    }

    /// Gives the demo center the demo library ([`DEMO_LIBRARY_JSON`]) unless it already has
    /// center-wide canned responses or knowledge-base nodes (idempotent).
    pub(super) async fn seed_demo_library(&self, center_id: CenterId) -> Result<(), StoreError> {
        let (canned, nodes): (i64, i64) = sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM canned_responses WHERE center_id = ?1 \
                     AND agent_id IS NULL), \
                    (SELECT COUNT(*) FROM knowledge_nodes WHERE center_id = ?1)",
        )
        .bind(i64::from(center_id.0))
        .fetch_one(&self.pool)
        .await?;
        if canned > 0 || nodes > 0 {
            return Ok(());
        }
        let file = LibraryFile::parse(DEMO_LIBRARY_JSON)
            .map_err(|e| StoreError::Corrupt(format!("demo library: {e}")))?;
        match self.import_library(center_id, &file, false).await {
            Ok(_) => Ok(()),
            Err(ImportError::Store(err)) => Err(err),
            Err(other) => Err(StoreError::Corrupt(format!("demo library: {other}"))),
        }
    }
}

/// Nodes in a forest of entries.
fn count_nodes(entries: &[KnowledgeEntry]) -> usize {
    entries.iter().map(|e| 1 + count_nodes(&e.children)).sum()
}
