//! Canned responses, knowledge-base quick replies (A8) and service history (A11): requests
//! answered by a store read.
//!
//! These are the core's only requests whose answer comes from the database rather than from
//! memory: old sessions and their transcripts are not in the [`super::Snapshot`], and canned
//! responses and the knowledge base may be filled by `porpoise-relay library import` while the
//! relay runs. The read path: the core checks the request and fills in the tenant (center and
//! agent from the connection, the customer from the agent's open session), then emits
//! [`StoreOp::Query`] with a token; the store writer runs it *in order with the writes* (so a
//! list after a save sees the save, and a transcript includes every acknowledged message) and
//! reports [`StoreReport::Query`]; [`Core::query_done`] answers the waiting request. A query
//! whose connection is gone by then is dropped.
//!
//! Tenant isolation is in the query itself: every statement filters by the center, personal
//! canned responses by their owner, and a past session must belong to the same customer (same
//! install id, or same non-empty phone) as the agent's open session.

use porpoise_protocol::wire::rpc;
use porpoise_protocol::wire::{
    ApiError, CannedDraft, CannedResponseId, CannedScope, CenterId, MessageId, Party, Permission,
    Request, RequestId, Response, SessionId, TranscriptCursor, MAX_CANNED_CATEGORY_BYTES,
    MAX_CANNED_TEXT_BYTES, MAX_CANNED_TITLE_BYTES,
};

use super::{AgentId, ConnId, ConnKind, Connection, Core, InstallId, StoreOp};

/// Who a customer is for the service history (A11): the helper's install id and the phone the
/// customer gave (empty if none; an empty phone never matches).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerKey {
    /// The helper's install id.
    pub install_id: InstallId,
    /// The phone as typed in the open session.
    pub phone: String,
}

/// A read (or a write whose answer is a read) run by the store writer in order with the writes;
/// answered with [`super::StoreReport::Query`]. See the module docs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreQuery {
    /// Center-wide canned responses and `agent_id`'s personal ones.
    CannedResponses {
        /// Center.
        center_id: CenterId,
        /// Agent whose personal ones are listed.
        agent_id: AgentId,
    },
    /// The bytes of a chat picture (A7, C4) of a session in `center_id`; with `customer`, only
    /// if the session is that customer's (an agent may read any session of its center).
    ChatImage {
        /// Center of the asker.
        center_id: CenterId,
        /// The asking customer's install id; `None` for an agent.
        customer: Option<InstallId>,
        /// Session of the message.
        session_id: SessionId,
        /// The message that carries the picture.
        message_id: MessageId,
    },
    /// Add or change a canned response; answers `CannedResponseSaved`. A personal one is
    /// owned by `agent_id`; a center-wide one was already checked to be allowed.
    SaveCanned {
        /// Center.
        center_id: CenterId,
        /// Agent saving (owner of a personal one).
        agent_id: AgentId,
        /// Existing response, or None to add.
        id: Option<CannedResponseId>,
        /// Personal or center-wide.
        scope: CannedScope,
        /// Checked fields (trimmed, within limits).
        draft: CannedDraft,
    },
    /// Delete a canned response: a personal one of `agent_id`, or (if `manages`) a center-wide
    /// one; answers `Done`.
    DeleteCanned {
        /// Center.
        center_id: CenterId,
        /// Agent deleting.
        agent_id: AgentId,
        /// Response.
        id: CannedResponseId,
        /// The agent may delete center-wide responses.
        manages: bool,
    },
    /// The center's knowledge base: with `today`, only what agents see that day (enabled,
    /// valid, under shown parents); `None` (admin window): every node.
    KnowledgeBase {
        /// Center.
        center_id: CenterId,
        /// The center's local date, `yyyymmdd`.
        today: Option<porpoise_protocol::wire::DateYmd>,
    },
    /// Add or change a knowledge-base node (M7); answers `KnowledgeNodeSaved`; audited.
    SaveKnowledge {
        /// Center.
        center_id: CenterId,
        /// Node, or `None` to add under `parent`.
        id: Option<porpoise_protocol::wire::KnowledgeNodeId>,
        /// Parent of a new node.
        parent: Option<porpoise_protocol::wire::KnowledgeNodeId>,
        /// Checked fields.
        draft: porpoise_protocol::wire::KnowledgeDraft,
        /// Audit actor.
        actor: String,
    },
    /// Move a node with its subtree (M7); answers `Done`; audited.
    MoveKnowledge {
        /// Center.
        center_id: CenterId,
        /// Node.
        id: porpoise_protocol::wire::KnowledgeNodeId,
        /// New parent.
        parent: Option<porpoise_protocol::wire::KnowledgeNodeId>,
        /// Place among the new siblings.
        index: u32,
        /// Audit actor.
        actor: String,
    },
    /// Delete a node with its subtree (M7); answers `Done`; audited.
    DeleteKnowledge {
        /// Center.
        center_id: CenterId,
        /// Node.
        id: porpoise_protocol::wire::KnowledgeNodeId,
        /// Audit actor.
        actor: String,
    },
    /// Set (`Some`) or remove a node's picture (M7 图片); answers `KnowledgeNodeSaved`;
    /// audited. The picture was probed ([`porpoise_codec::chat_image::probe`]).
    SetKnowledgeImage {
        /// Center.
        center_id: CenterId,
        /// Node.
        id: porpoise_protocol::wire::KnowledgeNodeId,
        /// The picture's size and bytes, or `None` to remove it.
        image: Option<(porpoise_protocol::wire::ChatImage, super::ImageBytes)>,
        /// Audit actor.
        actor: String,
    },
    /// A node's picture bytes (A8); answers `KnowledgeImageData`. With `today`, only if
    /// agents see the node that day (as in [`StoreQuery::KnowledgeBase`]).
    KnowledgeImage {
        /// Center.
        center_id: CenterId,
        /// Node.
        id: porpoise_protocol::wire::KnowledgeNodeId,
        /// The center's local date, `yyyymmdd`; `None` for a library manager.
        today: Option<porpoise_protocol::wire::DateYmd>,
    },
    /// A page of the center's audit log (R18), newest first; the asker was checked to manage.
    AuditLog {
        /// Center.
        center_id: CenterId,
        /// Only rows older than this seq.
        before_seq: Option<i64>,
        /// Rows, at most `MAX_AUDIT_PAGE`.
        limit: u32,
    },
    /// A customer's ended sessions in the center, newest first.
    ServiceHistory {
        /// Center.
        center_id: CenterId,
        /// The customer.
        customer: CustomerKey,
        /// The open session asked from (never listed).
        exclude: SessionId,
    },
    /// One transcript page of a past session of the customer.
    Transcript {
        /// Center.
        center_id: CenterId,
        /// The customer the session must belong to.
        customer: CustomerKey,
        /// The past session.
        past_session_id: SessionId,
        /// Start after this cursor.
        after: Option<TranscriptCursor>,
    },
}

impl StoreQuery {
    /// True for a query that only reads: the store writer runs it beside later writes
    /// instead of in their queue (issue 14: a picture-fetch loop cannot hold up chat acks).
    pub fn is_read_only(&self) -> bool {
        matches!(
            self,
            StoreQuery::CannedResponses { .. }
                | StoreQuery::ChatImage { .. }
                | StoreQuery::KnowledgeBase { .. }
                | StoreQuery::KnowledgeImage { .. }
                | StoreQuery::AuditLog { .. }
                | StoreQuery::ServiceHistory { .. }
                | StoreQuery::Transcript { .. }
        )
    }
}

/// Checks and trims a knowledge-base node's fields (M7): keywords split on lines and commas,
/// trimmed, empty ones dropped; dates must exist and the end may not come before the start.
///
/// Errors: `Empty { KnowledgeTitle }`, `TooLong { KnowledgeTitle | KnowledgeText |
/// KnowledgeKeywords }`, `InvalidDate`, `Malformed { KnowledgeValidity }`.
pub fn check_knowledge_draft(
    draft: porpoise_protocol::wire::KnowledgeDraft,
) -> Result<porpoise_protocol::wire::KnowledgeDraft, ApiError> {
    use porpoise_protocol::wire::{
        Field, MAX_KNOWLEDGE_KEYWORDS_BYTES, MAX_KNOWLEDGE_TEXT_BYTES, MAX_KNOWLEDGE_TITLE_BYTES,
    };
    let title = draft.title.trim().to_owned();
    if title.is_empty() {
        return Err(ApiError::Empty {
            field: Field::KnowledgeTitle,
        });
    }
    if title.len() > MAX_KNOWLEDGE_TITLE_BYTES {
        return Err(ApiError::too_long(
            Field::KnowledgeTitle,
            MAX_KNOWLEDGE_TITLE_BYTES,
        ));
    }
    let text = draft.text.trim().to_owned();
    if text.len() > MAX_KNOWLEDGE_TEXT_BYTES {
        return Err(ApiError::too_long(
            Field::KnowledgeText,
            MAX_KNOWLEDGE_TEXT_BYTES,
        ));
    }
    let keywords: Vec<String> = draft
        .keywords
        .iter()
        .flat_map(|k| k.split(['\n', ',', '，']))
        .map(|k| k.trim().to_owned())
        .filter(|k| !k.is_empty())
        .collect();
    if keywords.join("\n").len() > MAX_KNOWLEDGE_KEYWORDS_BYTES {
        return Err(ApiError::too_long(
            Field::KnowledgeKeywords,
            MAX_KNOWLEDGE_KEYWORDS_BYTES,
        ));
    }
    for date in [draft.valid_from, draft.valid_until].into_iter().flatten() {
        if super::hours::date_of(date).is_none() {
            return Err(ApiError::InvalidDate { date });
        }
    }
    if let (Some(from), Some(until)) = (draft.valid_from, draft.valid_until) {
        if until < from {
            return Err(ApiError::Malformed {
                field: Field::KnowledgeValidity,
            });
        }
    }
    Ok(porpoise_protocol::wire::KnowledgeDraft {
        title,
        keywords,
        text,
        ..draft
    })
}

/// Checks and trims a canned response's fields.
///
/// Errors: [`ApiError::Empty`] or [`ApiError::TooLong`] naming the field.
pub fn check_canned_draft(draft: CannedDraft) -> Result<CannedDraft, ApiError> {
    let field =
        |name: porpoise_protocol::wire::Field, value: String, max: usize, required: bool| {
            let value = value.trim().to_owned();
            if required && value.is_empty() {
                return Err(ApiError::Empty { field: name });
            }
            if value.len() > max {
                return Err(ApiError::too_long(name, max));
            }
            Ok(value)
        };
    Ok(CannedDraft {
        category: field(
            porpoise_protocol::wire::Field::CannedCategory,
            draft.category,
            MAX_CANNED_CATEGORY_BYTES,
            false,
        )?,
        title: field(
            porpoise_protocol::wire::Field::CannedTitle,
            draft.title,
            MAX_CANNED_TITLE_BYTES,
            true,
        )?,
        text: field(
            porpoise_protocol::wire::Field::CannedText,
            draft.text,
            MAX_CANNED_TEXT_BYTES,
            true,
        )?,
    })
}

impl Core {
    /// Handles the canned-response, knowledge-base and history requests of an agent: checks
    /// them and emits the store query; the answer follows with [`Core::query_done`].
    pub(super) fn library_request(
        &mut self,
        conn: ConnId,
        id: RequestId,
        c: &Connection,
        body: Request,
    ) -> Result<Option<Response>, ApiError> {
        let ConnKind::Agent { agent_id, .. } = c.kind else {
            return Err(ApiError::NotPermitted {
                needed: porpoise_protocol::wire::Permission::Agent,
            });
        };
        let center_id = c.center_id;
        let query = match body {
            Request::ListCannedResponses(rpc::ListCannedResponses) => StoreQuery::CannedResponses {
                center_id,
                agent_id,
            },
            Request::SaveCannedResponse(rpc::SaveCannedResponse {
                id: canned,
                scope,
                draft,
            }) => {
                if scope == CannedScope::Center {
                    self.require(center_id, agent_id, Permission::ManageLibrary)?;
                }
                StoreQuery::SaveCanned {
                    center_id,
                    agent_id,
                    id: canned,
                    scope,
                    draft: check_canned_draft(draft)?,
                }
            }
            Request::DeleteCannedResponse(rpc::DeleteCannedResponse { id: canned }) => {
                StoreQuery::DeleteCanned {
                    center_id,
                    agent_id,
                    id: canned,
                    manages: self
                        .require(center_id, agent_id, Permission::ManageLibrary)
                        .is_ok(),
                }
            }
            Request::ListKnowledgeBase(rpc::ListKnowledgeBase) => StoreQuery::KnowledgeBase {
                center_id,
                today: Some(self.center_today(center_id)),
            },
            Request::GetKnowledgeImage(rpc::GetKnowledgeImage { id: node }) => {
                let manages = self
                    .require(center_id, agent_id, Permission::ManageLibrary)
                    .is_ok();
                StoreQuery::KnowledgeImage {
                    center_id,
                    id: node,
                    today: (!manages).then(|| self.center_today(center_id)),
                }
            }
            Request::SetKnowledgeImage(rpc::SetKnowledgeImage { id: node, data }) => {
                self.require(center_id, agent_id, Permission::ManageLibrary)?;
                let image = match data {
                    None => None,
                    Some(data) => {
                        let info =
                            porpoise_codec::chat_image::probe(&data).map_err(ApiError::from)?;
                        Some((info, super::ImageBytes(data.into())))
                    }
                };
                StoreQuery::SetKnowledgeImage {
                    center_id,
                    id: node,
                    image,
                    actor: self.audit_actor(center_id, agent_id),
                }
            }
            Request::ListKnowledgeAdmin(rpc::ListKnowledgeAdmin) => {
                self.require(center_id, agent_id, Permission::ManageLibrary)?;
                StoreQuery::KnowledgeBase {
                    center_id,
                    today: None,
                }
            }
            Request::SaveKnowledgeNode(rpc::SaveKnowledgeNode {
                id: node,
                parent,
                draft,
            }) => {
                self.require(center_id, agent_id, Permission::ManageLibrary)?;
                StoreQuery::SaveKnowledge {
                    center_id,
                    id: node,
                    parent,
                    draft: check_knowledge_draft(draft)?,
                    actor: self.audit_actor(center_id, agent_id),
                }
            }
            Request::MoveKnowledgeNode(rpc::MoveKnowledgeNode {
                id: node,
                parent,
                index,
            }) => {
                self.require(center_id, agent_id, Permission::ManageLibrary)?;
                if Some(node) == parent {
                    return Err(ApiError::Malformed {
                        field: porpoise_protocol::wire::Field::KnowledgeParent,
                    });
                }
                StoreQuery::MoveKnowledge {
                    center_id,
                    id: node,
                    parent,
                    index,
                    actor: self.audit_actor(center_id, agent_id),
                }
            }
            Request::DeleteKnowledgeNode(rpc::DeleteKnowledgeNode { id: node }) => {
                self.require(center_id, agent_id, Permission::ManageLibrary)?;
                StoreQuery::DeleteKnowledge {
                    center_id,
                    id: node,
                    actor: self.audit_actor(center_id, agent_id),
                }
            }
            Request::ListAuditLog(rpc::ListAuditLog { before_seq, limit }) => {
                self.require(center_id, agent_id, Permission::SeeAuditLog)?;
                StoreQuery::AuditLog {
                    center_id,
                    before_seq,
                    limit: limit.clamp(1, rpc::MAX_AUDIT_PAGE),
                }
            }
            Request::ListServiceHistory(rpc::ListServiceHistory { session_id }) => {
                StoreQuery::ServiceHistory {
                    center_id,
                    customer: self.customer_of(conn, c, session_id)?,
                    exclude: session_id,
                }
            }
            Request::ReadHistoryTranscript(rpc::ReadHistoryTranscript {
                session_id,
                past_session_id,
                after,
            }) => StoreQuery::Transcript {
                center_id,
                customer: self.customer_of(conn, c, session_id)?,
                past_session_id,
                after,
            },
            _ => {
                return Err(ApiError::NotPermitted {
                    needed: porpoise_protocol::wire::Permission::Agent,
                })
            }
        };
        let token = self.next_token;
        self.next_token += 1;
        self.pending_queries.insert(token, (conn, id));
        self.persist(StoreOp::Query { token, query });
        Ok(None)
    }

    /// A chat picture's bytes (A7, C4): read from the store in order with the writes, so a
    /// picture acknowledged as stored is always found. Either role may ask; the query limits a
    /// customer to their own sessions and everybody to their own center.
    pub(super) fn get_chat_image(
        &mut self,
        conn: ConnId,
        id: RequestId,
        c: &Connection,
        session_id: SessionId,
        message_id: MessageId,
    ) -> Result<Option<Response>, ApiError> {
        let customer = match c.kind {
            ConnKind::Customer { install_id } => Some(install_id),
            ConnKind::Agent { .. } => None,
        };
        let query = StoreQuery::ChatImage {
            center_id: c.center_id,
            customer,
            session_id,
            message_id,
        };
        let token = self.next_token;
        self.next_token += 1;
        self.pending_queries.insert(token, (conn, id));
        self.persist(StoreOp::Query { token, query });
        Ok(None)
    }

    /// The center's local date (`yyyymmdd`) now, for what agents see of the library.
    fn center_today(&self, center_id: CenterId) -> porpoise_protocol::wire::DateYmd {
        self.centers.get(&center_id).map_or(0, |c| {
            super::hours::local_date(&c.settings.working_hours, self.clock_ms)
        })
    }

    /// The customer of `session_id`, which must be an open session of this agent connection.
    ///
    /// Errors: [`ApiError::UnknownSession`] otherwise.
    fn customer_of(
        &self,
        conn: ConnId,
        c: &Connection,
        session_id: SessionId,
    ) -> Result<CustomerKey, ApiError> {
        if self.member(conn, c, session_id)? != Party::Agent {
            return Err(ApiError::UnknownSession);
        }
        let s = self
            .sessions
            .get(&session_id)
            .ok_or(ApiError::UnknownSession)?;
        Ok(CustomerKey {
            install_id: s.stored.install_id,
            phone: s.stored.customer_phone.trim().to_owned(),
        })
    }

    /// The store answered a [`StoreOp::Query`]: answers the request that asked for it, if its
    /// connection is still there.
    pub(super) fn query_done(
        &mut self,
        token: super::PersistToken,
        result: Result<Response, ApiError>,
    ) {
        self.survey_stored(token, &result);
        if let Some((conn, id)) = self.pending_queries.remove(&token) {
            if self.conns.contains_key(&conn) {
                self.respond(conn, id, result);
            }
        }
    }
}
