//! How connection changes change [`HelperState`]; request answers go to their typed handler
//! ([`super::answers`]).

use porpoise_protocol::wire::rpc;
use porpoise_protocol::wire::{
    ActionState, ApiError, MessageId, Request, ServiceMode, ServiceOptions, SessionInfo,
};

use super::{
    ConnectionState, Effect, FormError, HelperState, MessageOrigin, Notice, QueueSpot,
    ServiceState, Session,
};
use crate::net::{NetCommand, NetEvent, RequestFailure};

impl HelperState {
    /// Applies an event from the network side.
    pub fn on_net(&mut self, event: NetEvent, out: &mut Vec<Effect>) {
        match event {
            // The app shows the remote demo window itself.
            NetEvent::DemoStarted { .. } | NetEvent::DemoEnded { .. } | NetEvent::File(_) => {}
            // The app shows the branding itself (C1, M1).
            NetEvent::Branding(_) => {}
            NetEvent::Connecting => {
                let last_failure = match std::mem::replace(
                    &mut self.connection,
                    ConnectionState::Connecting { last_failure: None },
                ) {
                    ConnectionState::Failed(f) => Some(f),
                    ConnectionState::Connecting { last_failure } => last_failure,
                    ConnectionState::Online { .. } => None,
                };
                self.connection = ConnectionState::Connecting { last_failure };
            }
            NetEvent::Connected {
                center_name,
                session,
                queue_position,
                options,
            } => {
                self.connection = ConnectionState::Online { center_name };
                self.set_options(options);
                if session.is_some() {
                    // Back in the session by install id: the token is not needed (C8).
                    self.reconnect_token = None;
                } else if let Some(token) = self.reconnect_token.take() {
                    // C8: rejoin the session left for a reboot instead of the request screen.
                    self.service = ServiceState::Requesting;
                    let request =
                        Request::RedeemReconnectToken(rpc::RedeemReconnectToken { token });
                    out.push(Effect::Command(NetCommand::Request(request)));
                    return;
                }
                self.resume(session, queue_position, out);
            }
            NetEvent::Disconnected(failure) => {
                self.connection = ConnectionState::Failed(failure);
                if let ServiceState::Serving(s) = &mut self.service {
                    s.stop_all();
                }
            }
            NetEvent::Event(e) => self.on_relay_event(e, out),
            NetEvent::Answered { request, result } => self.apply_answer(request, result, out),
            NetEvent::MediaEnded {
                session_id, error, ..
            } => {
                if let Some(error) = error {
                    self.notice = Some(Notice::SharingFailed(error));
                    // Capture or injection failed here: tell the relay the action is over.
                    if let Some(s) = self.session_mut(session_id) {
                        let granted = s.granted();
                        for a in &granted {
                            s.actions.insert(*a, ActionState::Stopped);
                        }
                        for action in granted {
                            out.push(Effect::Command(NetCommand::Request(Request::StopAction(
                                rpc::StopAction { session_id, action },
                            ))));
                        }
                    }
                }
            }
        }
    }

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
                out.push(Effect::Command(NetCommand::Request(
                    p.request(fresh.session_id),
                )));
            }
            self.service = ServiceState::Serving(fresh);
        } else if let Some(position) = queue_position {
            let spot = match &self.service {
                ServiceState::Queued(old) | ServiceState::Leaving(old) => {
                    QueueSpot { position, ..*old }
                }
                _ => QueueSpot::at(position),
            };
            // Writing a message from the queue stays open; it still leaves the queue when sent.
            if let ServiceState::Message(MessageOrigin::Queue(old)) = &mut self.service {
                *old = spot;
            } else {
                self.service = ServiceState::Queued(spot);
            }
        } else {
            // The relay no longer knows our request or session.
            match &mut self.service {
                ServiceState::Requesting | ServiceState::Queued(_) | ServiceState::Leaving(_) => {
                    self.service = ServiceState::Form;
                }
                ServiceState::Serving(_) => {
                    self.service = ServiceState::Ended { closing: None };
                }
                ServiceState::Message(origin) => {
                    if matches!(origin, MessageOrigin::Queue(_)) {
                        *origin = MessageOrigin::Request;
                    }
                }
                ServiceState::Form
                | ServiceState::SendingMessage(_)
                | ServiceState::MessageLeft
                | ServiceState::Ended { .. } => {}
            }
        }
        if self.auto_request && self.service == ServiceState::Form {
            self.auto_request = false;
            // Only where no choice is needed: auto-assign (any group), or a code already typed.
            let unattended = self.options.as_ref().is_some_and(|o| match o.mode {
                ServiceMode::AutoAssign => true,
                ServiceMode::SessionCode => super::session_code(&self.form.code).is_ok(),
                ServiceMode::Showcase => false,
            });
            if unattended {
                self.submit_form(None, out);
            }
        }
    }

    /// New service options (Welcome or [`porpoise_protocol::wire::Event::ServiceOptionsChanged`]).
    pub(super) fn set_options(&mut self, options: ServiceOptions) {
        self.form.adapt_to(&options);
        let closing = !options.open_now && self.center_open();
        if closing && self.service == ServiceState::Form {
            // The closed screen shows the message form: start it from what is known.
            self.message.prefill(&self.form, &self.question);
        }
        self.options = Some(options);
    }

    /// A refused service request: the form shows code errors, a closed center opens the
    /// offline-message form with its reply, anything else is a notice.
    pub(super) fn request_refused(&mut self, e: RequestFailure) {
        match e {
            RequestFailure::Relay(ApiError::BadSessionCode) => {
                self.form_refused(FormError::BadSessionCode)
            }
            RequestFailure::Relay(ApiError::Throttled { retry_after_s }) => {
                self.form_refused(FormError::Throttled { retry_after_s })
            }
            RequestFailure::Relay(ApiError::Closed { reply }) => {
                if self.service == ServiceState::Requesting {
                    self.message.prefill(&self.form, &self.question);
                    self.service = ServiceState::Message(MessageOrigin::Closed(reply));
                }
            }
            other => {
                if self.service == ServiceState::Requesting {
                    self.service = ServiceState::Form;
                }
                self.notice = Some(Notice::RequestFailed(other));
            }
        }
    }
}
