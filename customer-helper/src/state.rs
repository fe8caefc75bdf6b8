//! The helper's state and how network events and user actions change it.
//!
//! Sans-IO: [`HelperState::on_net`] and [`HelperState::on_ui`] only change the state and push
//! [`Effect`]s (commands for the network side, a request for the user's attention); the app
//! carries them out. The UI reads the state and reports clicks as [`UiAction`]s.

use std::collections::BTreeMap;

use porpoise_shared::{
    client::random_id,
    wire::{
        ActionState, ChatMessage, MessageId, RemoteAction, Request, SessionId, SessionInfo,
        MAX_CHAT_TEXT_BYTES, MAX_NAME_BYTES,
    },
};

use crate::net::{ConnectFailure, NetCommand, NetEvent};

/// State of the connection to the relay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnectionState {
    /// Trying to connect; `last_failure` is why the previous attempt failed (still shown, so
    /// that the message does not flicker while retrying).
    Connecting {
        /// The previous attempt's failure, if any.
        last_failure: Option<ConnectFailure>,
    },
    /// Connected and welcomed.
    Online {
        /// The support center's display name.
        center_name: String,
    },
    /// Not connected; the network side retries unless the failure is permanent.
    Failed(ConnectFailure),
}

/// Where the customer is in getting service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServiceState {
    /// Filling in name and phone.
    Form,
    /// The service request is on its way.
    Requesting,
    /// Waiting in the queue.
    Queued {
        /// Position, 1 = next.
        position: u32,
    },
    /// Leaving the queue.
    Leaving {
        /// Position before leaving, restored if leaving fails.
        position: u32,
    },
    /// An agent is serving the customer.
    Serving(Session),
    /// The session is over.
    Ended,
}

/// Why the request form cannot be sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormError {
    /// The name is empty.
    NameRequired,
    /// Name or phone exceeds [`MAX_NAME_BYTES`].
    TooLong,
}

/// The name and phone form.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestForm {
    /// Name as typed.
    pub name: String,
    /// Phone as typed.
    pub phone: String,
    /// Why the last submit was refused.
    pub error: Option<FormError>,
}

impl RequestForm {
    /// The trimmed (name, phone) to send.
    ///
    /// Errors: [`FormError::NameRequired`] for a blank name, [`FormError::TooLong`] past
    /// [`MAX_NAME_BYTES`].
    pub fn validate(&self) -> Result<(String, String), FormError> {
        let (name, phone) = (self.name.trim(), self.phone.trim());
        if name.is_empty() {
            return Err(FormError::NameRequired);
        }
        if name.len() > MAX_NAME_BYTES || phone.len() > MAX_NAME_BYTES {
            return Err(FormError::TooLong);
        }
        Ok((name.to_owned(), phone.to_owned()))
    }
}

/// A chat message the relay has not acknowledged yet (shown as "sending…").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingChat {
    /// Random id, reused on resend.
    pub message_id: MessageId,
    /// Text.
    pub text: String,
}

/// An open session with an agent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// Session id.
    pub session_id: SessionId,
    /// Serving agent's display name.
    pub agent_name: String,
    /// Stored messages, oldest first.
    pub messages: Vec<ChatMessage>,
    /// Sent but unacknowledged messages, oldest first.
    pub pending: Vec<PendingChat>,
    /// Chat input.
    pub draft: String,
    /// Consent prompts waiting for an answer, oldest first.
    pub prompts: Vec<RemoteAction>,
    /// Last known state of each remote action.
    pub actions: BTreeMap<RemoteAction, ActionState>,
}

impl Session {
    /// A session as the relay described it.
    pub fn from_info(info: SessionInfo) -> Self {
        Self {
            session_id: info.session_id,
            agent_name: info.agent_name,
            messages: info.messages,
            pending: Vec::new(),
            draft: String::new(),
            prompts: Vec::new(),
            actions: BTreeMap::new(),
        }
    }

    /// The strongest granted action: remote control, else view desktop, else none.
    pub fn sharing(&self) -> Option<RemoteAction> {
        [RemoteAction::RemoteControl, RemoteAction::ViewDesktop]
            .into_iter()
            .find(|a| self.actions.get(a) == Some(&ActionState::Granted))
    }

    fn granted(&self) -> Vec<RemoteAction> {
        self.actions
            .iter()
            .filter(|(_, s)| **s == ActionState::Granted)
            .map(|(a, _)| *a)
            .collect()
    }

    fn push_message(&mut self, message: ChatMessage) {
        self.pending.retain(|p| p.message_id != message.message_id);
        if !self
            .messages
            .iter()
            .any(|m| m.message_id == message.message_id)
        {
            self.messages.push(message);
        }
    }

    fn stop_all(&mut self) {
        self.prompts.clear();
        for state in self.actions.values_mut() {
            *state = ActionState::Stopped;
        }
    }
}

/// Something the user did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UiAction {
    /// Request service with the form's name and phone.
    SubmitForm,
    /// Leave the queue.
    LeaveQueue,
    /// Send the chat draft.
    SendChat,
    /// End the session.
    EndSession,
    /// Answer a consent prompt.
    Answer {
        /// Action the prompt is about.
        action: RemoteAction,
        /// Accept (true) or reject (false).
        grant: bool,
    },
    /// Stop screen sharing and remote control (the banner's Stop).
    StopSharing,
    /// Back to the form after a session.
    RequestAgain,
    /// Try to connect again now.
    Retry,
    /// Hide the notice line.
    DismissNotice,
}

/// What the app must do after a state change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Send this command to the network side.
    Command(NetCommand),
    /// Bring the window to the user's attention (a consent prompt arrived).
    Attention,
}

/// A transient message for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// A request failed; the text is the reason.
    RequestFailed(String),
    /// Sharing or control ended because of a local error.
    SharingFailed(String),
    /// The chat message is too long.
    MessageTooLong,
}

/// Everything the helper window shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelperState {
    /// Connection to the relay.
    pub connection: ConnectionState,
    /// Service progress.
    pub service: ServiceState,
    /// The request form (kept for "request again").
    pub form: RequestForm,
    /// Last notice, until dismissed or replaced.
    pub notice: Option<Notice>,
    /// Request service once as soon as connected (`--auto-request`).
    pub auto_request: bool,
}

impl HelperState {
    /// Initial state with a prefilled form.
    pub fn new(name: String, phone: String, auto_request: bool) -> Self {
        Self {
            connection: ConnectionState::Connecting { last_failure: None },
            service: ServiceState::Form,
            form: RequestForm {
                name,
                phone,
                error: None,
            },
            notice: None,
            auto_request,
        }
    }

    /// The open session, if served.
    pub fn session(&self) -> Option<&Session> {
        match &self.service {
            ServiceState::Serving(s) => Some(s),
            _ => None,
        }
    }

    fn session_mut(&mut self, id: SessionId) -> Option<&mut Session> {
        match &mut self.service {
            ServiceState::Serving(s) if s.session_id == id => Some(s),
            _ => None,
        }
    }

    /// What should be shared right now: (session, strongest granted action).
    pub fn desired_sharing(&self) -> Option<(SessionId, RemoteAction)> {
        if !matches!(self.connection, ConnectionState::Online { .. }) {
            return None;
        }
        self.session()
            .and_then(|s| s.sharing().map(|a| (s.session_id, a)))
    }

    /// Applies a user action.
    pub fn on_ui(&mut self, action: UiAction, out: &mut Vec<Effect>) {
        let mut request = |r: Request| out.push(Effect::Command(NetCommand::Request(r)));
        match action {
            UiAction::SubmitForm => self.submit_form(out),
            UiAction::LeaveQueue => {
                if let ServiceState::Queued { position } = self.service {
                    self.service = ServiceState::Leaving { position };
                    request(Request::LeaveQueue);
                }
            }
            UiAction::SendChat => self.send_chat(out),
            UiAction::EndSession => {
                if let Some(s) = self.session() {
                    request(Request::EndSession {
                        session_id: s.session_id,
                    });
                }
            }
            UiAction::Answer { action, grant } => {
                if let ServiceState::Serving(s) = &mut self.service {
                    if s.prompts.contains(&action) {
                        s.prompts.retain(|a| *a != action);
                        request(Request::AnswerConsent {
                            session_id: s.session_id,
                            action,
                            grant,
                        });
                    }
                }
            }
            UiAction::StopSharing => {
                if let ServiceState::Serving(s) = &mut self.service {
                    let granted = s.granted();
                    let session_id = s.session_id;
                    for a in &granted {
                        s.actions.insert(*a, ActionState::Stopped);
                    }
                    // Stop locally first, then tell the relay.
                    out.push(Effect::Command(NetCommand::StopSharing { session_id }));
                    for action in granted {
                        out.push(Effect::Command(NetCommand::Request(Request::StopAction {
                            session_id,
                            action,
                        })));
                    }
                }
            }
            UiAction::RequestAgain => {
                if self.service == ServiceState::Ended {
                    self.service = ServiceState::Form;
                }
            }
            UiAction::Retry => out.push(Effect::Command(NetCommand::Reconnect)),
            UiAction::DismissNotice => self.notice = None,
        }
    }

    fn submit_form(&mut self, out: &mut Vec<Effect>) {
        if self.service != ServiceState::Form {
            return;
        }
        match self.form.validate() {
            Ok((name, phone)) => {
                self.form.error = None;
                self.service = ServiceState::Requesting;
                out.push(Effect::Command(NetCommand::Request(
                    Request::RequestService { name, phone },
                )));
            }
            Err(e) => self.form.error = Some(e),
        }
    }

    fn send_chat(&mut self, out: &mut Vec<Effect>) {
        let ServiceState::Serving(s) = &mut self.service else {
            return;
        };
        let text = s.draft.trim_end().to_owned();
        if text.trim().is_empty() {
            return;
        }
        if text.len() > MAX_CHAT_TEXT_BYTES {
            self.notice = Some(Notice::MessageTooLong);
            return;
        }
        s.draft.clear();
        let message_id = random_id();
        s.pending.push(PendingChat {
            message_id,
            text: text.clone(),
        });
        out.push(Effect::Command(NetCommand::Request(Request::SendChat {
            session_id: s.session_id,
            message_id,
            text,
        })));
    }

    /// Applies an event from the network side.
    pub fn on_net(&mut self, event: NetEvent, out: &mut Vec<Effect>) {
        match event {
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
            } => {
                self.connection = ConnectionState::Online { center_name };
                self.resume(session, queue_position, out);
            }
            NetEvent::Disconnected(failure) => {
                self.connection = ConnectionState::Failed(failure);
                if let ServiceState::Serving(s) = &mut self.service {
                    s.stop_all();
                }
            }
            NetEvent::Event(e) => self.on_relay_event(e, out),
            NetEvent::Answered { request, result } => self.on_answer(request, result),
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
                            out.push(Effect::Command(NetCommand::Request(Request::StopAction {
                                session_id,
                                action,
                            })));
                        }
                    }
                }
            }
        }
    }
}

mod relay_events;

#[cfg(test)]
mod tests;
