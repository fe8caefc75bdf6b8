//! The helper's state and how network events and user actions change it.
//!
//! Sans-IO: [`HelperState::on_net`] and [`HelperState::on_ui`] only change the state and push
//! [`Effect`]s (commands for the network side, a request for the user's attention); the app
//! carries them out. The UI reads the state and reports clicks as [`UiAction`]s.

use porpoise_protocol::wire::{AgentId, RemoteAction, ServiceOptions, SessionId};

use crate::net::{ConnectFailure, NetCommand, RequestFailure};

mod actions;
mod answers;
mod form;
mod net_events;
mod relay_events;
mod session;
mod survey;

pub use form::{clean_code, session_code, FormError, MessageForm, RequestForm, ShowcaseTab};
pub use session::{PendingChat, PendingPicture, Session};
pub use survey::{SurveyForm, SurveyFormError, COMMENT_LIMIT};

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

/// A place in the queue (R6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueSpot {
    /// Position, 1 = next.
    pub position: u32,
    /// Estimated wait in seconds, from the relay's recent handling times (None: no data yet).
    pub estimated_wait_s: Option<u32>,
}

impl QueueSpot {
    /// A spot with no wait estimate yet.
    pub fn at(position: u32) -> Self {
        Self {
            position,
            estimated_wait_s: None,
        }
    }
}

/// Why the customer is writing an offline message (C3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MessageOrigin {
    /// From the queue (sending it also leaves the queue); the spot is kept up to date.
    Queue(QueueSpot),
    /// The relay refused the service request: the center is closed; the text is its reply.
    Closed(String),
    /// From the request screen.
    Request,
}

/// Where the customer is in getting service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServiceState {
    /// Filling in the request screen of the center's service mode (or, when the center is
    /// closed, the offline-message form with the center's reply).
    Form,
    /// The service request is on its way.
    Requesting,
    /// Waiting in the queue.
    Queued(QueueSpot),
    /// Leaving the queue; the spot is restored if leaving fails.
    Leaving(QueueSpot),
    /// Writing an offline message.
    Message(MessageOrigin),
    /// The offline message is on its way.
    SendingMessage(MessageOrigin),
    /// The offline message was stored: thanks.
    MessageLeft,
    /// An agent is serving the customer.
    Serving(Session),
    /// The session is over; `closing` is the relay's closing text (reception timeout, R11).
    Ended {
        /// Closing text to show, if the relay ended the session with one.
        closing: Option<String>,
    },
}

/// Something the user did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UiAction {
    /// Request service with the form (session-code and auto-assign screens).
    SubmitForm,
    /// Request service from this showcase agent with the form's name and phone.
    PickAgent(AgentId),
    /// Leave the queue.
    LeaveQueue,
    /// Open the offline-message form (from the queue or the request screen).
    OpenMessageForm,
    /// Close the offline-message form without sending.
    CancelMessage,
    /// Send the offline message.
    SendMessage,
    /// The chat draft changed (for the agent's typing preview, R10).
    DraftChanged,
    /// Send the chat draft.
    SendChat,
    /// Send this picture in the chat (C4): a PNG or JPEG already fitted to the chat's limits
    /// (`chat_image::fit_for_chat` or `chat_image::prepare`); refused with a notice otherwise.
    SendPicture(Vec<u8>),
    /// A picture could not be read, pasted or captured; the text is why (shown as a notice).
    PictureFailed(String),
    /// The transcript was saved to this path (C4; shown as a notice).
    TranscriptSaved(String),
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
    /// Revoke one granted action from the permissions panel (C5); the others stay.
    Revoke(RemoteAction),
    /// Share the screen without an agent request (共享我的屏幕, C5).
    ShareScreen,
    /// Send the satisfaction survey (C7).
    SubmitSurvey,
    /// Close the satisfaction survey without answering (C7).
    SkipSurvey,
    /// Back to the request screen after a session or an offline message.
    RequestAgain,
    /// Try to connect again now.
    Retry,
    /// Hide the notice line.
    DismissNotice,
}

/// What the app must do after a state change.
#[allow(clippy::large_enum_variant)] // as for NetCommand
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Send this command to the network side.
    Command(NetCommand),
    /// Bring the window to the user's attention (a consent prompt arrived).
    Attention,
    /// Register the one-time start with `token` and reboot (C8); the app reports the outcome
    /// with [`HelperState::rebooted`].
    Reboot {
        /// The relay's reconnect token (a secret; `Debug` hides it).
        token: porpoise_protocol::wire::ReconnectToken,
    },
}

/// A transient message for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// A request failed: the relay's error, shown in the UI's language.
    RequestFailed(RequestFailure),
    /// Sharing or control ended because of a local error.
    SharingFailed(String),
    /// The chat message is too long.
    MessageTooLong,
    /// A chat picture was not sent (C4): not a picture, too big or unreadable here; the text
    /// is why.
    PictureFailed(String),
    /// The relay refused a chat picture or could not store it (C4): its error, shown in the
    /// UI's language.
    PictureRefused(RequestFailure),
    /// A chat picture failed the local check before sending (C4): the same code the relay
    /// would give (`ApiError::BadImage`), shown in the UI's language.
    PictureInvalid(porpoise_protocol::wire::ApiError),
    /// The chat transcript was saved to this path (C4). Not an error.
    TranscriptSaved(String),
    /// Screen sharing stopped because another agent took over the session (consent was given
    /// to the previous agent).
    SharingStoppedByTransfer,
    /// The system-info report reached the agent (A10); not an error.
    SystemInfoSent,
    /// The satisfaction survey was stored (C7); not an error.
    SurveyThanks,
    /// The computer is restarting; the helper comes back by itself (C8). Not an error.
    Rebooting,
    /// The reboot did not happen; the text is why (C8).
    RebootFailed(String),
    /// Rejoining the session after a reboot failed (token used, expired, unknown, another
    /// center's): the relay's error, shown in the UI's language (C8). The request screen is
    /// shown.
    ReconnectFailed(RequestFailure),
}

/// Everything the helper window shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelperState {
    /// Connection to the relay.
    pub connection: ConnectionState,
    /// Service progress.
    pub service: ServiceState,
    /// How to ask for service in this center (from the Welcome, updated live).
    pub options: Option<ServiceOptions>,
    /// The request form (kept for "request again").
    pub form: RequestForm,
    /// The offline-message form.
    pub message: MessageForm,
    /// The question typed while waiting in the queue: sent as the first chat message when an
    /// agent answers, or prefilled into an offline message (C3).
    pub question: String,
    /// Last notice, until dismissed or replaced.
    pub notice: Option<Notice>,
    /// Request service once as soon as connected (`--auto-request`).
    pub auto_request: bool,
    /// Token to present once connected, to rejoin the session left for a reboot (C8).
    pub reconnect_token: Option<porpoise_protocol::wire::ReconnectToken>,
    /// The satisfaction survey being answered (C7), shown instead of the main area; kept apart
    /// from `service` because it outlives the session.
    pub survey: Option<SurveyForm>,
}

impl HelperState {
    /// Initial state with a prefilled form.
    pub fn new(name: String, phone: String, auto_request: bool) -> Self {
        Self {
            connection: ConnectionState::Connecting { last_failure: None },
            service: ServiceState::Form,
            options: None,
            form: RequestForm {
                name,
                phone,
                ..RequestForm::default()
            },
            message: MessageForm::default(),
            question: String::new(),
            notice: None,
            auto_request,
            reconnect_token: None,
            survey: None,
        }
    }

    /// The app carried out [`Effect::Reboot`]: `Ok` once the reboot is under way, else why
    /// it failed (C8).
    pub fn rebooted(&mut self, result: Result<(), String>) {
        self.notice = Some(match result {
            Ok(()) => Notice::Rebooting,
            Err(why) => Notice::RebootFailed(why),
        });
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

    /// True when connected and the center takes requests now (else the request screen shows
    /// the center's reply and the offline-message form).
    pub fn center_open(&self) -> bool {
        self.options.as_ref().is_none_or(|o| o.open_now)
    }

    /// What should be shared right now: (session, strongest granted action).
    pub fn desired_sharing(&self) -> Option<(SessionId, RemoteAction)> {
        if !matches!(self.connection, ConnectionState::Online { .. }) {
            return None;
        }
        self.session()
            .and_then(|s| s.sharing().map(|a| (s.session_id, a)))
    }
}

#[cfg(test)]
mod chat_tests;
#[cfg(test)]
mod mode_tests;
#[cfg(test)]
mod reboot_tests;
#[cfg(test)]
mod tests;
