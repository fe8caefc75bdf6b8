//! The system-info report (A10): a one-shot remote action. The customer's helper sends its
//! report with `rpc::ReportSystemInfo` after the customer granted
//! [`RemoteAction::SystemInfo`]; the relay forwards it to the session's agent and marks the
//! action `Stopped`, so every report needs its own consent (C5). Nothing is stored.

use porpoise_protocol::wire::{
    ActionState, ApiError, Event, Party, RemoteAction, Response, SessionId, SystemInfo,
};

use super::{ConnId, Connection, Core};

impl Core {
    /// The customer of `session_id` reports its system info. Checked in this order: the
    /// sender is the session's connected customer (else [`ApiError::UnknownSession`], the
    /// same answer for another center's session), the report keeps every cap
    /// ([`ApiError::TooLong`] and friends), the action is granted and the agent is connected
    /// ([`ApiError::Conflict`]; an absent agent uses up the grant, `by: Relay`).
    pub(super) fn report_system_info(
        &mut self,
        conn: ConnId,
        c: &Connection,
        session_id: SessionId,
        info: Box<SystemInfo>,
    ) -> Result<Option<Response>, ApiError> {
        if self.member(conn, c, session_id)? != Party::Customer {
            return Err(ApiError::NotPermitted {
                needed: porpoise_protocol::wire::Permission::Customer,
            });
        }
        info.validate().map_err(ApiError::from)?;
        let s = self
            .sessions
            .get(&session_id)
            .ok_or(ApiError::UnknownSession)?;
        let action = RemoteAction::SystemInfo;
        if s.actions.get(&action) != Some(&ActionState::Granted) {
            return Err(ApiError::Conflict(
                porpoise_protocol::wire::Conflict::NotGranted { action },
            ));
        }
        let Some(agent) = s.agent_conn else {
            self.set_action(session_id, action, ActionState::Stopped, Party::Relay);
            return Err(ApiError::peer_away(Party::Agent));
        };
        self.event(agent, Event::SystemInfoReported { session_id, info });
        self.set_action(session_id, action, ActionState::Stopped, Party::Customer);
        Ok(Some(Response::Done))
    }
}
