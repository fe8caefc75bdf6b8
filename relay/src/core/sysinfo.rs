//! The system-info report (A10): a one-shot remote action. The customer's helper sends its
//! report with `Request::ReportSystemInfo` after the customer granted
//! [`RemoteAction::SystemInfo`]; the relay forwards it to the session's agent and marks the
//! action `Stopped`, so every report needs its own consent (C5). Nothing is stored.

use porpoise_shared::wire::{
    ActionState, Event, Party, RemoteAction, RequestError, Response, SessionId, SystemInfo,
};

use super::{ConnId, Connection, Core};

impl Core {
    /// The customer of `session_id` reports its system info. Checked in this order: the
    /// sender is the session's connected customer (else [`RequestError::UnknownSession`], the
    /// same answer for another center's session), the report keeps every cap
    /// ([`RequestError::Invalid`]), the action is granted and the agent is connected
    /// ([`RequestError::Conflict`]; an absent agent uses up the grant, `by: Relay`).
    pub(super) fn report_system_info(
        &mut self,
        conn: ConnId,
        c: &Connection,
        session_id: SessionId,
        info: Box<SystemInfo>,
    ) -> Result<Option<Response>, RequestError> {
        if self.member(conn, c, session_id)? != Party::Customer {
            return Err(RequestError::Forbidden);
        }
        info.validate()
            .map_err(|e| RequestError::Invalid(e.to_string()))?;
        let s = self
            .sessions
            .get(&session_id)
            .ok_or(RequestError::UnknownSession)?;
        let action = RemoteAction::SystemInfo;
        if s.actions.get(&action) != Some(&ActionState::Granted) {
            return Err(RequestError::Conflict(
                "system info was not granted for this report".into(),
            ));
        }
        let Some(agent) = s.agent_conn else {
            self.set_action(session_id, action, ActionState::Stopped, Party::Relay);
            return Err(RequestError::Conflict("the agent is not connected".into()));
        };
        self.event(agent, Event::SystemInfoReported { session_id, info });
        self.set_action(session_id, action, ActionState::Stopped, Party::Customer);
        Ok(Some(Response::Done))
    }
}
