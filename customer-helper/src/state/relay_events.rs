//! How relay events, reconnects and request answers change [`HelperState`].

use porpoise_shared::wire::{
    ActionState, Event, MessageId, Request, RequestError, Response, SessionInfo,
};

use super::{Effect, HelperState, Notice, ServiceState, Session};
use crate::net::{NetCommand, RequestFailure};

impl HelperState {
    pub(super) fn resume(
        &mut self,
        session: Option<SessionInfo>,
        queue_position: Option<u32>,
        out: &mut Vec<Effect>,
    ) {
        if let Some(info) = session {
            let mut fresh = Session::from_info(info);
            if let ServiceState::Serving(old) = &self.service {
                if old.session_id == fresh.session_id {
                    fresh.draft = old.draft.clone();
                    fresh.pending = old.pending.clone();
                    let stored: Vec<MessageId> =
                        fresh.messages.iter().map(|m| m.message_id).collect();
                    fresh.pending.retain(|p| !stored.contains(&p.message_id));
                }
            }
            for p in &fresh.pending {
                out.push(Effect::Command(NetCommand::Request(Request::SendChat {
                    session_id: fresh.session_id,
                    message_id: p.message_id,
                    text: p.text.clone(),
                })));
            }
            self.service = ServiceState::Serving(fresh);
        } else if let Some(position) = queue_position {
            self.service = ServiceState::Queued { position };
        } else if matches!(
            self.service,
            ServiceState::Requesting
                | ServiceState::Queued { .. }
                | ServiceState::Leaving { .. }
                | ServiceState::Serving(_)
        ) {
            // The relay no longer knows our request or session.
            self.service = if matches!(self.service, ServiceState::Serving(_)) {
                ServiceState::Ended
            } else {
                ServiceState::Form
            };
        }
        if self.auto_request && self.service == ServiceState::Form {
            self.auto_request = false;
            self.submit_form(out);
        }
    }

    pub(super) fn on_relay_event(&mut self, event: Event, out: &mut Vec<Effect>) {
        match event {
            Event::QueuePosition { position } => {
                if matches!(
                    self.service,
                    ServiceState::Requesting | ServiceState::Queued { .. }
                ) {
                    self.service = ServiceState::Queued { position };
                }
            }
            Event::SessionStarted(info) => {
                if self.session().map(|s| s.session_id) != Some(info.session_id) {
                    self.service = ServiceState::Serving(Session::from_info(info));
                }
            }
            Event::ChatReceived {
                session_id,
                message,
            } => {
                if let Some(s) = self.session_mut(session_id) {
                    s.push_message(message);
                }
            }
            Event::ConsentRequested { session_id, action } => {
                if let Some(s) = self.session_mut(session_id) {
                    if !s.prompts.contains(&action) {
                        s.prompts.push(action);
                    }
                    s.actions.insert(action, ActionState::Requested);
                    out.push(Effect::Attention);
                }
            }
            Event::ActionChanged {
                session_id,
                action,
                state,
                ..
            } => {
                if let Some(s) = self.session_mut(session_id) {
                    s.actions.insert(action, state);
                    if state != ActionState::Requested {
                        s.prompts.retain(|a| *a != action);
                    }
                }
            }
            Event::SessionEnded { session_id, .. } => {
                if let Some(s) = self.session_mut(session_id) {
                    s.stop_all();
                    self.service = ServiceState::Ended;
                }
            }
            Event::QueueChanged { .. } => {}
        }
    }

    pub(super) fn on_answer(&mut self, request: Request, result: Result<Response, RequestFailure>) {
        match (request, result) {
            (Request::RequestService { .. }, Ok(Response::Queued { position, .. })) => {
                if self.service == ServiceState::Requesting {
                    self.service = ServiceState::Queued { position };
                }
            }
            (Request::RequestService { .. }, Err(e)) => {
                if self.service == ServiceState::Requesting {
                    self.service = ServiceState::Form;
                }
                self.notice = Some(Notice::RequestFailed(e.to_string()));
            }
            (Request::LeaveQueue, result) => {
                if let ServiceState::Leaving { position } = self.service {
                    self.service = match result {
                        Ok(_) => ServiceState::Form,
                        Err(e) => {
                            self.notice = Some(Notice::RequestFailed(e.to_string()));
                            ServiceState::Queued { position }
                        }
                    };
                }
            }
            (
                Request::SendChat {
                    session_id,
                    message_id,
                    ..
                },
                result,
            ) => match result {
                Ok(Response::ChatStored(message)) => {
                    if let Some(s) = self.session_mut(session_id) {
                        s.push_message(message);
                    }
                }
                Ok(_) => {}
                // Not delivered: stays pending and is resent after a reconnect.
                Err(RequestFailure::Connection(_))
                | Err(RequestFailure::Relay(RequestError::Storage)) => {}
                Err(e) => {
                    if let Some(s) = self.session_mut(session_id) {
                        s.pending.retain(|p| p.message_id != message_id);
                    }
                    self.notice = Some(Notice::RequestFailed(e.to_string()));
                }
            },
            (Request::EndSession { session_id }, Ok(_)) => {
                if self.session_mut(session_id).is_some() {
                    self.service = ServiceState::Ended;
                }
            }
            (_, Err(e)) => self.notice = Some(Notice::RequestFailed(e.to_string())),
            (_, Ok(_)) => {}
        }
    }
}
