//! Support records, dispositions and tags (A13), visitor cards (A15) and the customer context
//! lookup (A18): the checks and tenant isolation of these agent requests.
//!
//! Who may: the serving agent of the session, while it is open, and after it ended within the
//! center's late-fill window ([`porpoise_protocol::wire::RecordPolicy::late_fill_h`]; at least
//! [`END_FORM_GRACE_MS`] so that the end-of-session form can always be saved). An agent of
//! another center, or another agent of the same center, gets `Forbidden`.
//!
//! Reads and writes go to the store in order with the other writes, as a [`RecordsOp`] carried
//! by [`StoreOp::Records`], and are answered like the library's queries
//! ([`super::StoreReport::Query`], [`Core::query_done`]). The core keeps only the facts of
//! sessions ended within [`MAX_LATE_FILL_LIMIT_H`] ([`EndedSession`], loaded from the store at
//! start-up), never the records themselves.
//!
//! The context lookup (A18) is an HTTP call made by the driver ([`Action::FetchContext`]): the
//! core only checks the session and hands over the center's endpoint and the customer.

use porpoise_protocol::wire::rpc;
use std::collections::HashMap;

use porpoise_protocol::wire::{
    check_tag_list, ApiError, CenterId, CenterSettings, ContextQuery, MessageId, Party,
    RecordPrompt, Request, RequestId, SessionId, SupportRecord, SupportRecordForm, UnixMs,
    VisitorCard, MAX_LATE_FILL_LIMIT_H,
};
use tracing::info;

use super::{
    Action, AgentId, ConnId, ConnKind, Connection, Core, InstallId, Now, Response, StoreOp,
};

/// How long after a session's end its end-of-session form may be saved even when the center
/// allows no late filling, ms (30 minutes).
pub const END_FORM_GRACE_MS: i64 = 30 * 60 * 1000;
/// Longest time an ended session is kept for late filling, ms.
const MAX_KEEP_MS: i64 = MAX_LATE_FILL_LIMIT_H as i64 * 3_600_000;

/// The facts of a recently ended session that late filling needs (loaded in the snapshot).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndedSession {
    /// Session.
    pub session_id: SessionId,
    /// Its center.
    pub center_id: CenterId,
    /// The agent who served it last.
    pub agent_id: AgentId,
    /// The customer's helper.
    pub install_id: InstallId,
    /// Customer's name as typed.
    pub customer_name: String,
    /// Customer's phone as typed.
    pub customer_phone: String,
    /// Unix ms it ended.
    pub ended_at: UnixMs,
}

/// A store read or write of this module; answered with `StoreReport::Query` carrying a
/// `Response` (see the module docs). Every variant names its center: the store filters by it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordsOp {
    /// The customer's card (or `fallback` when none is stored), tags, this session's message
    /// tags and record; answers `CustomerProfile`.
    LoadProfile {
        /// Center.
        center_id: CenterId,
        /// The customer.
        install_id: InstallId,
        /// Session whose message tags and record are read.
        session_id: SessionId,
        /// Card to answer when none is stored (name and phone from the request).
        fallback: VisitorCard,
    },
    /// Insert or replace the session's record; answers `SupportRecordSaved`.
    SaveRecord {
        /// Center.
        center_id: CenterId,
        /// The record.
        record: SupportRecord,
    },
    /// Replace a message's tags; answers `Done`, or `Invalid` if the message is not in the
    /// session.
    SetMessageTags {
        /// Center.
        center_id: CenterId,
        /// Session.
        session_id: SessionId,
        /// Message.
        message_id: MessageId,
        /// New tags.
        tags: Vec<String>,
    },
    /// Replace a customer's tags; answers `Done`.
    SetCustomerTags {
        /// Center.
        center_id: CenterId,
        /// Customer.
        install_id: InstallId,
        /// New tags.
        tags: Vec<String>,
    },
    /// Insert or replace a customer's visitor card; answers `Done`.
    SaveVisitorCard {
        /// Center.
        center_id: CenterId,
        /// Customer.
        install_id: InstallId,
        /// The card.
        card: VisitorCard,
    },
    /// The sessions `agent_id` served that ended at or after `since` (unix ms) and have no
    /// record yet; answers `PendingRecords`.
    PendingRecords {
        /// Center.
        center_id: CenterId,
        /// The agent.
        agent_id: AgentId,
        /// Start of the late-fill window, unix ms.
        since: UnixMs,
    },
    /// Store a customer's satisfaction survey (C7, `core/survey.rs`); answers `Done`, or
    /// `Conflict` when the session already has one (one per session).
    SaveSurvey {
        /// Center.
        center_id: CenterId,
        /// The answer with its session, agent and time.
        survey: porpoise_protocol::wire::SurveyResult,
    },
}

/// Recently ended sessions kept for late filling.
#[derive(Debug, Default)]
pub(super) struct Records {
    ended: HashMap<SessionId, EndedSession>,
}

impl Records {
    /// The facts of a session that ended recently (late filling, survey window), if known.
    pub(super) fn ended(&self, session_id: SessionId) -> Option<&EndedSession> {
        self.ended.get(&session_id)
    }

    pub fn new(ended: Vec<EndedSession>) -> Self {
        Records {
            ended: ended.into_iter().map(|e| (e.session_id, e)).collect(),
        }
    }
}

/// The session facts a request of this module works on.
struct Target {
    install_id: InstallId,
    customer_name: String,
    customer_phone: String,
}

/// Settings as clients see them: the context endpoint's token blanked.
pub(super) fn public_settings(settings: &CenterSettings) -> CenterSettings {
    CenterSettings {
        context_endpoint: settings
            .context_endpoint
            .as_ref()
            .map(|e| Box::new(e.without_secret())),
        ..settings.clone()
    }
}

/// Checks the record policy and the context endpoint of new settings, and keeps the stored
/// token when the admin sent the endpoint back with its token blanked (same URL, empty token).
///
/// Errors: the [`ApiError`] of the first broken rule.
pub(super) fn prepare_settings(
    new: &mut CenterSettings,
    old: &CenterSettings,
) -> Result<(), ApiError> {
    new.records.validate()?;
    if let Some(endpoint) = new.context_endpoint.as_mut() {
        endpoint.validate()?;
        endpoint.url = endpoint.url.trim().to_owned();
        if let Some(stored) = &old.context_endpoint {
            if endpoint.bearer_token.is_empty() && endpoint.url == stored.url {
                endpoint.bearer_token.clone_from(&stored.bearer_token);
            }
        }
    }
    Ok(())
}

impl Core {
    /// Handles the record, tag, card and context requests of an agent (see the module docs).
    pub(super) fn records_request(
        &mut self,
        now: Now,
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
        let policy = self
            .centers
            .get(&center_id)
            .map(|s| s.settings.records.clone())
            .unwrap_or_default();
        let op = match body {
            Request::GetCustomerProfile(rpc::GetCustomerProfile { session_id }) => {
                let t = self.record_target(now, conn, c, agent_id, session_id)?;
                RecordsOp::LoadProfile {
                    center_id,
                    install_id: t.install_id,
                    session_id,
                    fallback: VisitorCard {
                        name: t.customer_name,
                        mobile: t.customer_phone,
                        ..VisitorCard::default()
                    },
                }
            }
            Request::ListPendingRecords(rpc::ListPendingRecords) => {
                if policy.prompt == RecordPrompt::Off {
                    return Ok(Some(Response::PendingRecords(Vec::new())));
                }
                RecordsOp::PendingRecords {
                    center_id,
                    agent_id,
                    since: now.unix_ms - self.late_window_ms(center_id),
                }
            }
            Request::SaveSupportRecord(rpc::SaveSupportRecord { session_id, form }) => {
                self.record_target(now, conn, c, agent_id, session_id)?;
                let form = trimmed(form);
                form.validate(&policy).map_err(ApiError::from)?;
                info!(%center_id, %agent_id, %session_id, "support record saved");
                RecordsOp::SaveRecord {
                    center_id,
                    record: SupportRecord {
                        session_id,
                        agent_id,
                        saved_at: now.unix_ms,
                        form,
                    },
                }
            }
            Request::SetMessageTags(rpc::SetMessageTags {
                session_id,
                message_id,
                tags,
            }) => {
                self.record_target(now, conn, c, agent_id, session_id)?;
                check_tags(
                    porpoise_protocol::wire::Field::MessageTag,
                    &tags,
                    &policy.message_tags,
                )?;
                RecordsOp::SetMessageTags {
                    center_id,
                    session_id,
                    message_id,
                    tags,
                }
            }
            Request::SetCustomerTags(rpc::SetCustomerTags { session_id, tags }) => {
                let t = self.record_target(now, conn, c, agent_id, session_id)?;
                check_tags(
                    porpoise_protocol::wire::Field::CustomerTag,
                    &tags,
                    &policy.customer_tags,
                )?;
                RecordsOp::SetCustomerTags {
                    center_id,
                    install_id: t.install_id,
                    tags,
                }
            }
            Request::SaveVisitorCard(rpc::SaveVisitorCard { session_id, card }) => {
                let t = self.record_target(now, conn, c, agent_id, session_id)?;
                card.validate().map_err(ApiError::from)?;
                RecordsOp::SaveVisitorCard {
                    center_id,
                    install_id: t.install_id,
                    card,
                }
            }
            Request::FetchCustomerContext(rpc::FetchCustomerContext { session_id }) => {
                let t = self.record_target(now, conn, c, agent_id, session_id)?;
                let endpoint = self
                    .centers
                    .get(&center_id)
                    .and_then(|s| s.settings.context_endpoint.clone())
                    .ok_or({
                        ApiError::ContextUnavailable(
                            porpoise_protocol::wire::ContextFailure::NotConfigured,
                        )
                    })?;
                self.actions.push_back(Action::FetchContext {
                    conn,
                    id,
                    endpoint: *endpoint,
                    query: ContextQuery {
                        center_id,
                        session_id,
                        customer_name: t.customer_name,
                        customer_phone: t.customer_phone,
                    },
                });
                return Ok(None);
            }
            _ => {
                return Err(ApiError::NotPermitted {
                    needed: porpoise_protocol::wire::Permission::Agent,
                })
            }
        };
        let token = self.next_token;
        self.next_token += 1;
        self.pending_queries.insert(token, (conn, id));
        self.persist(StoreOp::Records { token, op });
        Ok(None)
    }

    /// The session `conn`'s agent may work on: its open session, or one it served that ended
    /// within the late-fill window.
    ///
    /// Errors: `UnknownSession` if no such session is known; `Forbidden` if it is another
    /// center's or another agent's; `Conflict` once the window has passed.
    fn record_target(
        &self,
        now: Now,
        conn: ConnId,
        c: &Connection,
        agent_id: AgentId,
        session_id: SessionId,
    ) -> Result<Target, ApiError> {
        if let Some(s) = self.sessions.get(&session_id) {
            if s.stored.center_id != c.center_id || s.stored.agent_id != agent_id {
                return Err(ApiError::NotPermitted {
                    needed: porpoise_protocol::wire::Permission::SessionMember,
                });
            }
            if self.member(conn, c, session_id)? != Party::Agent {
                return Err(ApiError::UnknownSession);
            }
            return Ok(Target {
                install_id: s.stored.install_id,
                customer_name: s.stored.customer_name.clone(),
                customer_phone: s.stored.customer_phone.clone(),
            });
        }
        let e = self
            .records
            .ended
            .get(&session_id)
            .ok_or(ApiError::UnknownSession)?;
        if e.center_id != c.center_id || e.agent_id != agent_id {
            return Err(ApiError::NotPermitted {
                needed: porpoise_protocol::wire::Permission::SessionMember,
            });
        }
        if now.unix_ms > e.ended_at.saturating_add(self.late_window_ms(e.center_id)) {
            return Err(ApiError::Conflict(
                porpoise_protocol::wire::Conflict::RecordWindowClosed,
            ));
        }
        Ok(Target {
            install_id: e.install_id,
            customer_name: e.customer_name.clone(),
            customer_phone: e.customer_phone.clone(),
        })
    }

    /// How long after its end a session of `center_id` may still be worked on, ms.
    fn late_window_ms(&self, center_id: CenterId) -> i64 {
        let late = self
            .centers
            .get(&center_id)
            .map_or(0, |c| c.settings.records.late_fill_ms());
        late.max(END_FORM_GRACE_MS)
    }

    /// A session ended: keep its facts for late filling, and forget those past every window.
    pub(super) fn records_session_ended(&mut self, now: Now, stored: &super::OpenSession) {
        let ended = EndedSession {
            session_id: stored.session_id,
            center_id: stored.center_id,
            agent_id: stored.agent_id,
            install_id: stored.install_id,
            customer_name: stored.customer_name.clone(),
            customer_phone: stored.customer_phone.clone(),
            ended_at: now.unix_ms,
        };
        let windows: HashMap<CenterId, i64> = self
            .centers
            .keys()
            // Kept at least as long as its customer may answer the survey (C7).
            .map(|id| {
                let window = self.late_window_ms(*id);
                (*id, window.max(porpoise_protocol::wire::SURVEY_WINDOW_MS))
            })
            .collect();
        self.records.ended.retain(|_, e| {
            let window = windows.get(&e.center_id).copied().unwrap_or(MAX_KEEP_MS);
            now.unix_ms <= e.ended_at.saturating_add(window)
        });
        self.records.ended.insert(stored.session_id, ended);
    }
}

/// The form with surrounding blanks removed from its text fields.
fn trimmed(form: SupportRecordForm) -> SupportRecordForm {
    let t = |s: String| s.trim().to_owned();
    SupportRecordForm {
        customer_name: t(form.customer_name),
        customer_phone: t(form.customer_phone),
        service_modes: form.service_modes,
        product: t(form.product),
        problem_type: t(form.problem_type),
        subject: t(form.subject),
        content: form.content.trim_end().to_owned(),
        disposition: form.disposition,
    }
}

/// Checks tags against the center's list: each listed, none twice, at most `MAX_TAGS`.
///
/// Errors: [`ApiError::NotInList`] and the list errors of [`check_tag_list`].
fn check_tags(
    field: porpoise_protocol::wire::Field,
    tags: &[String],
    allowed: &[String],
) -> Result<(), ApiError> {
    check_tag_list(field, tags)?;
    if let Some(unknown) = tags.iter().find(|t| !allowed.contains(t)) {
        return Err(ApiError::NotInList {
            field,
            value: unknown.clone(),
        });
    }
    Ok(())
}
