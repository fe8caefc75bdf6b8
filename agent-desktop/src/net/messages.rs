//! The messages between the UI and the network task.

use porpoise_protocol::wire::rpc;
use std::sync::Arc;

use porpoise_protocol::{
    input::InputEvent,
    wire::{
        AgentWelcome, ApiError, CenterId, ChatMessage, Event, MessageId, QueueEntry, RemoteAction,
        Request, Response, SessionId, SessionInfo, TicketId,
    },
};
use porpoise_quic::client::{ClientConfig, Disconnect};

use super::LoginFailure;
use crate::{config::Password, screen::ScreenFeed};

/// What the UI asks the network side to do.
// `Call` carries a whole wire request (the center settings are the largest); one command per
// user action, so boxing would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum NetCommand {
    /// Fetch a center's usernames for the login drop-down (R2). Answer: [`NetEvent::Usernames`].
    ListUsernames {
        /// Relay and pinned fingerprint.
        relay: ClientConfig,
        /// Center whose usernames to list.
        center_id: CenterId,
    },
    /// Log in (closing any current connection). Answer: `LoggedIn` or `LoginFailed`.
    Login {
        /// Relay and pinned fingerprint.
        relay: ClientConfig,
        /// Center ID.
        center_id: CenterId,
        /// Username.
        username: String,
        /// Password (redacted in `Debug`).
        password: Password,
    },
    /// Close the connection and forget the credentials kept for reconnecting. No answer.
    Logout,
    /// The connection was lost (not by a kick or logout): reconnect with the credentials of
    /// the last login, with backoff, until it works, a final refusal comes or `Logout` (R13).
    /// Progress: `Reconnecting`; outcome: `LoggedIn` or `LoginFailed`.
    Reconnect,
    /// Accept a queued customer (A4). Answer: `SessionStarted` or `AcceptFailed`.
    Accept {
        /// Queue entry.
        ticket_id: TicketId,
    },
    /// Send a chat message (A7). Answer: `ChatStored` or `ChatFailed`.
    SendChat {
        /// Session.
        session_id: SessionId,
        /// Random id, also used to match the answer.
        message_id: MessageId,
        /// Text.
        text: String,
    },
    /// Ask the customer's consent for an action (A6). Outcome: `Event::ActionChanged`.
    RequestAction {
        /// Session.
        session_id: SessionId,
        /// Action.
        action: RemoteAction,
    },
    /// Stop a requested or running action. Outcome: `Event::ActionChanged`.
    StopAction {
        /// Session.
        session_id: SessionId,
        /// Action.
        action: RemoteAction,
    },
    /// End a session. Outcome: `Event::SessionEnded`.
    EndSession {
        /// Session.
        session_id: SessionId,
    },
    /// Any other relay request (presence, offers, transfers, agent chat, offline messages,
    /// settings, admin). Answer: [`NetEvent::Answered`] carrying the same request.
    Call(Call),
    /// Send an input event on the session's input stream (only while remote control is
    /// granted; dropped otherwise or when the stream is backed up).
    Input {
        /// Session.
        session_id: SessionId,
        /// The event, in remote pixels.
        event: InputEvent,
    },
    /// File transfer (A6): send, cancel, resume. Progress comes back as [`NetEvent::File`].
    Files(crate::files::FileCommand),
}

/// What the network side tells the UI.
// `Answered` carries a whole `Request` and `Response`; events are few per frame and the channel
// is bounded, so boxing would only add allocations.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum NetEvent {
    /// The usernames of `center_id`, or why they could not be listed.
    Usernames {
        /// Center asked about.
        center_id: CenterId,
        /// Usernames, sorted, or the failure.
        result: Result<Vec<String>, LoginFailure>,
    },
    /// Logged in (contents of `Welcome::Agent`).
    LoggedIn {
        /// The agent's display name.
        display_name: String,
        /// Customers waiting, oldest first.
        queue: Vec<QueueEntry>,
        /// Open sessions to restore as tabs, with history.
        sessions: Vec<SessionInfo>,
        /// Everything else of the Welcome (role, presence, colleagues, settings…).
        profile: Box<AgentWelcome>,
    },
    /// The login failed.
    LoginFailed(LoginFailure),
    /// The connection closed. The credentials are kept until `Logout` unless the close code is
    /// final ([`Disconnect::is_final`]).
    Disconnected(Disconnect),
    /// Waiting for reconnect attempt `attempt` (1-based) after a lost connection (R13).
    Reconnecting {
        /// Number of the next attempt.
        attempt: u32,
    },
    /// A pushed relay event.
    Relay(Event),
    /// An Accept succeeded.
    SessionStarted(SessionInfo),
    /// An Accept failed.
    AcceptFailed {
        /// Queue entry.
        ticket_id: TicketId,
        /// Why.
        error: ApiError,
    },
    /// A chat message is durable.
    ChatStored {
        /// Session.
        session_id: SessionId,
        /// The stored form (relay timestamp).
        message: ChatMessage,
    },
    /// A chat message was not stored.
    ChatFailed {
        /// Session.
        session_id: SessionId,
        /// Message.
        message_id: MessageId,
        /// Why.
        error: ApiError,
    },
    /// An action or end-session request failed.
    RequestFailed {
        /// Session.
        session_id: SessionId,
        /// The action concerned, if any.
        action: Option<RemoteAction>,
        /// Why.
        error: ApiError,
    },
    /// The answer to a [`NetCommand::Call`].
    Answered {
        /// The request answered (passwords redacted in `Debug`).
        call: Call,
        /// The relay's answer or why there is none.
        result: Result<Response, ApiError>,
    },
    /// The customer's screen is arriving; updates land in `feed`.
    ScreenStarted {
        /// Session.
        session_id: SessionId,
        /// Where the decode thread puts updates.
        feed: Arc<ScreenFeed>,
    },
    /// The screen stream ended.
    ScreenEnded {
        /// Session.
        session_id: SessionId,
        /// What broke it, if it did not end cleanly.
        error: Option<String>,
    },
    /// A file transfer changed (A6).
    File(porpoise_quic::transfers::FileTransferUpdate),
}

/// A relay request sent through [`NetCommand::Call`]. Its `Debug` hides passwords.
#[derive(Clone, PartialEq, Eq)]
pub struct Call(pub Request);

impl std::fmt::Debug for Call {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0 {
            Request::ChangePassword(rpc::ChangePassword { .. }) => f.write_str("Call(ChangePassword { <redacted> })"),
            Request::ResetPassword(rpc::ResetPassword { agent_id, .. }) => {
                write!(
                    f,
                    "Call(ResetPassword {{ agent_id: {agent_id}, <redacted> }})"
                )
            }
            Request::SendChatImage(rpc::SendChatImage {
                session_id,
                message_id,
                data,
            }) => write!(
                f,
                "Call(SendChatImage {{ session_id: {session_id}, message_id: {message_id:032x}, {} bytes }})",
                data.len()
            ),
            other => f.debug_tuple("Call").field(other).finish(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use porpoise_protocol::wire::AgentId;

    #[test]
    fn passwords_are_redacted() {
        let call = Call(Request::ChangePassword(rpc::ChangePassword {
            old: "old-secret".into(),
            new: "new-secret".into(),
        }));
        assert!(!format!("{call:?}").contains("secret"));
        let call = Call(Request::ResetPassword(rpc::ResetPassword {
            agent_id: AgentId(3),
            new_password: "the-secret".into(),
        }));
        assert!(!format!("{call:?}").contains("secret"));
    }
}
