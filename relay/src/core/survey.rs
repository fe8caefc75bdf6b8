//! Satisfaction survey (C7) and customer-started actions (C5): the checks of
//! [`rpc::SubmitSurvey`], [`rpc::PushSurvey`] and [`rpc::StartAction`].
//!
//! Who may answer: the session's customer (same center, same install id), while the session is
//! open or within [`SURVEY_WINDOW_MS`] after it ended (ended sessions come from the records
//! module's [`super::EndedSession`] facts, kept at least that long). One answer per session:
//! the store refuses a second one (`surveys.session_id` is the key), so this holds across
//! restarts; the core also remembers sessions answered while open so that the automatic survey
//! at the end is not asked again. The answer is stored through the records path
//! ([`RecordsOp::SaveSurvey`]) and acknowledged only once durable; then the serving agent, if
//! connected, gets [`Event::SurveySubmitted`].
//!
//! [`rpc::SubmitSurvey`]: porpoise_protocol::wire::rpc::SubmitSurvey
//! [`rpc::PushSurvey`]: porpoise_protocol::wire::rpc::PushSurvey
//! [`rpc::StartAction`]: porpoise_protocol::wire::rpc::StartAction

use std::collections::{HashMap, HashSet};

use porpoise_protocol::wire::{
    ActionState, ApiError, CenterId, Event, Party, RemoteAction, SessionId, SurveyAnswer,
    SurveyResult, UnixMs, WebhookEvent, SURVEY_WINDOW_MS,
};
use tracing::info;

use super::{
    AgentId, ConnId, Connection, Core, InstallId, Now, PersistToken, RecordsOp, RequestId,
    Response, StoreOp,
};

/// Survey state of the core.
#[derive(Debug, Default)]
pub(super) struct Surveys {
    /// Open sessions whose customer already answered (no automatic survey at their end).
    answered_open: HashSet<SessionId>,
    /// Answers waiting for the store: token → (center, session, agent, answer, time), to tell
    /// the agent and the center's webhook (R17).
    pending: HashMap<PersistToken, (CenterId, SessionId, AgentId, SurveyAnswer, UnixMs)>,
}

impl Core {
    /// The customer starts an action without an agent request (C5): only screen sharing.
    pub(super) fn start_action(
        &mut self,
        conn: ConnId,
        c: &Connection,
        session_id: SessionId,
        action: RemoteAction,
    ) -> Result<Option<Response>, ApiError> {
        if self.member(conn, c, session_id)? != Party::Customer {
            return Err(ApiError::NotPermitted {
                needed: porpoise_protocol::wire::Permission::Customer,
            });
        }
        if !action.customer_startable() {
            return Err(ApiError::Conflict(
                porpoise_protocol::wire::Conflict::NotStartable { action },
            ));
        }
        let s = self
            .sessions
            .get(&session_id)
            .ok_or(ApiError::UnknownSession)?;
        if s.agent_conn.is_none() {
            return Err(ApiError::peer_away(Party::Agent));
        }
        if s.state_of(action) != ActionState::Granted {
            info!(%session_id, ?action, "customer started an action");
            self.set_action(session_id, action, ActionState::Granted, Party::Customer);
        }
        Ok(Some(Response::Done))
    }

    /// The agent shows the customer the survey now (推送调查表, A6).
    pub(super) fn push_survey(
        &mut self,
        conn: ConnId,
        c: &Connection,
        session_id: SessionId,
    ) -> Result<Option<Response>, ApiError> {
        if self.member(conn, c, session_id)? != Party::Agent {
            return Err(ApiError::NotPermitted {
                needed: porpoise_protocol::wire::Permission::SessionMember,
            });
        }
        if self.surveys.answered_open.contains(&session_id) {
            return Err(ApiError::Conflict(
                porpoise_protocol::wire::Conflict::SurveyAnswered,
            ));
        }
        let customer = self
            .sessions
            .get(&session_id)
            .and_then(|s| s.customer_conn)
            .ok_or_else(|| ApiError::peer_away(Party::Customer))?;
        self.event(customer, Event::SurveyRequested { session_id });
        Ok(Some(Response::Done))
    }

    /// The customer answers the survey of their own session (see the module docs).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn submit_survey(
        &mut self,
        now: Now,
        conn: ConnId,
        id: RequestId,
        c: &Connection,
        install_id: InstallId,
        session_id: SessionId,
        answer: SurveyAnswer,
    ) -> Result<Option<Response>, ApiError> {
        let answer = SurveyAnswer {
            comment: answer.comment.trim().to_owned(),
            ..answer
        };
        answer.validate().map_err(ApiError::from)?;
        let agent_id = if let Some(s) = self.sessions.get(&session_id) {
            if s.stored.center_id != c.center_id || s.stored.install_id != install_id {
                return Err(ApiError::UnknownSession);
            }
            if self.surveys.answered_open.contains(&session_id) {
                return Err(ApiError::Conflict(
                    porpoise_protocol::wire::Conflict::SurveyAnswered,
                ));
            }
            self.surveys.answered_open.insert(session_id);
            s.stored.agent_id
        } else {
            let e = self
                .records
                .ended(session_id)
                .filter(|e| e.center_id == c.center_id && e.install_id == install_id)
                .ok_or(ApiError::UnknownSession)?;
            if now.unix_ms > e.ended_at.saturating_add(SURVEY_WINDOW_MS) {
                return Err(ApiError::UnknownSession);
            }
            e.agent_id
        };
        info!(
            center_id = %c.center_id,
            %session_id,
            stars = answer.stars,
            "survey answered"
        );
        let token = self.next_token;
        self.next_token += 1;
        self.pending_queries.insert(token, (conn, id));
        self.surveys.pending.insert(
            token,
            (
                c.center_id,
                session_id,
                agent_id,
                answer.clone(),
                now.unix_ms,
            ),
        );
        self.persist(StoreOp::Records {
            token,
            op: RecordsOp::SaveSurvey {
                center_id: c.center_id,
                survey: SurveyResult {
                    session_id,
                    agent_id,
                    answer,
                    submitted_at: now.unix_ms,
                },
            },
        });
        Ok(None)
    }

    /// A store answer arrived: if it is a stored survey, tell the serving agent.
    pub(super) fn survey_stored(
        &mut self,
        token: PersistToken,
        result: &Result<Response, ApiError>,
    ) {
        let Some((center_id, session_id, agent_id, answer, at)) =
            self.surveys.pending.remove(&token)
        else {
            return;
        };
        if result.is_err() {
            return;
        }
        let data = serde_json::json!({
            "session_id": session_id.0,
            "agent": self.webhook_agent(center_id, agent_id),
            "stars": answer.stars,
            "comment": answer.comment,
            "submitted_at": at,
        });
        self.webhook(center_id, WebhookEvent::SurveyAnswered, at, data);
        if let Some(&agent_conn) = self.agents_online.get(&(center_id, agent_id)) {
            self.event(agent_conn, Event::SurveySubmitted { session_id, answer });
        }
    }

    /// A session ended: ask its customer the survey when the center wants it and it was not
    /// answered yet.
    pub(super) fn survey_session_ended(&mut self, stored: &super::OpenSession) {
        let answered = self.surveys.answered_open.remove(&stored.session_id);
        let auto = self
            .centers
            .get(&stored.center_id)
            .is_some_and(|c| c.settings.auto_survey);
        if !auto || answered {
            return;
        }
        if let Some(&customer) = self
            .customers_online
            .get(&(stored.center_id, stored.install_id))
        {
            self.event(
                customer,
                Event::SurveyRequested {
                    session_id: stored.session_id,
                },
            );
        }
    }
}
