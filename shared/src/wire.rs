//! Wire types of the control stream and the media-stream header.
//!
//! Only this module defines what crosses the network. Every message is encoded with postcard and
//! sent as one length-delimited frame (see [`crate::framing`]). Adding a field is a protocol
//! change: bump [`PROTOCOL_VERSION`] or make the field optional at the end of a struct.

use serde::{Deserialize, Serialize};

/// Version of the control-stream protocol, sent in [`Hello`]. The relay refuses other versions
/// with [`RefusedReason::VersionMismatch`].
pub const PROTOCOL_VERSION: u16 = 1;

/// ALPN protocol id negotiated in the TLS 1.3 handshake.
pub const ALPN: &[u8] = b"porpoise/1";

/// Default UDP port of the relay.
pub const DEFAULT_RELAY_PORT: u16 = 18000;

/// Center ID: 7 decimal digits starting with 8 (like Web1800's 800ID), e.g. `8000001`. (R1)
pub type CenterId = u32;
/// Relay-assigned id of one session (customer ↔ agent conversation).
pub type SessionId = u64;
/// Relay-assigned id of one queue entry (one service request of one customer).
pub type TicketId = u64;
/// Client-chosen id of one request on the control stream; echoed in its [`ServerMessage::Response`].
pub type RequestId = u64;
/// Client-chosen random id of a chat message; a message resent after a reconnect carries the same
/// id and is stored only once (R13).
pub type MessageId = u128;
/// Unix time in milliseconds.
pub type UnixMs = i64;

/// True if `id` is a well-formed center ID: 7 digits, first digit 8.
pub fn is_valid_center_id(id: CenterId) -> bool {
    (8_000_000..9_000_000).contains(&id)
}

/// First frame a client sends on the control stream.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hello {
    /// Must equal [`PROTOCOL_VERSION`].
    pub protocol_version: u16,
    /// Who is connecting and their credentials.
    pub role: HelloRole,
}

/// The role a connection takes, with its credentials.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum HelloRole {
    /// A support agent logging in (R2).
    Agent {
        /// Center the account belongs to.
        center_id: CenterId,
        /// Account name within the center.
        username: String,
        /// Plain password; only ever sent inside TLS and never logged.
        password: String,
    },
    /// A customer's helper. `install_id` is a random id the helper keeps on disk so that a
    /// reconnecting helper resumes its open session (R13, C8).
    Customer {
        /// Center the customer asks for help.
        center_id: CenterId,
        /// Random id of this helper installation.
        install_id: u128,
    },
    /// Unauthenticated lookup used by the login dialog: the relay answers
    /// [`Welcome::Directory`] with the center's usernames and closes (R2).
    Directory {
        /// Center whose usernames are listed.
        center_id: CenterId,
    },
}

impl std::fmt::Debug for HelloRole {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HelloRole::Agent {
                center_id,
                username,
                ..
            } => f
                .debug_struct("Agent")
                .field("center_id", center_id)
                .field("username", username)
                .field("password", &"<redacted>")
                .finish(),
            HelloRole::Customer {
                center_id,
                install_id,
            } => f
                .debug_struct("Customer")
                .field("center_id", center_id)
                .field("install_id", &format_args!("{install_id:032x}"))
                .finish(),
            HelloRole::Directory { center_id } => f
                .debug_struct("Directory")
                .field("center_id", center_id)
                .finish(),
        }
    }
}

/// Messages from a client to the relay on the control stream.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ClientMessage {
    /// Must be the first frame.
    Hello(Hello),
    /// A request; answered by exactly one [`ServerMessage::Response`] with the same id.
    Request {
        /// Client-chosen id echoed in the response.
        id: RequestId,
        /// What is asked.
        body: Request,
    },
}

/// Requests a client may make after [`Welcome`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Request {
    /// Customer: ask for service; the customer enters the queue (R6). Answer: [`Response::Queued`].
    RequestService {
        /// Customer's name as typed.
        name: String,
        /// Customer's phone number as typed.
        phone: String,
    },
    /// Customer: leave the queue before being served. Answer: [`Response::Done`].
    LeaveQueue,
    /// Agent: accept a queued customer; a session starts. Answer: [`Response::SessionStarted`].
    AcceptCustomer {
        /// Queue entry to accept.
        ticket_id: TicketId,
    },
    /// Either side: send a chat message. Answered [`Response::ChatStored`] only after the message
    /// is durable (R13).
    SendChat {
        /// Session the message belongs to.
        session_id: SessionId,
        /// Random id; a resend with the same id is acknowledged but not stored twice.
        message_id: MessageId,
        /// Text, at most [`MAX_CHAT_TEXT_BYTES`].
        text: String,
    },
    /// Agent: ask the customer's consent for a remote action (C5). Answer: [`Response::Done`];
    /// the outcome arrives as [`Event::ActionChanged`].
    RequestAction {
        /// Session concerned.
        session_id: SessionId,
        /// Action asked for.
        action: RemoteAction,
    },
    /// Customer: answer a consent prompt. Answer: [`Response::Done`].
    AnswerConsent {
        /// Session concerned.
        session_id: SessionId,
        /// Action the prompt was about.
        action: RemoteAction,
        /// True to grant, false to refuse.
        grant: bool,
    },
    /// Either side: stop a running or requested action (the customer's Stop banner, the agent's
    /// Stop button). The relay cuts its media streams at once. Answer: [`Response::Done`].
    StopAction {
        /// Session concerned.
        session_id: SessionId,
        /// Action to stop.
        action: RemoteAction,
    },
    /// Either side: end the session. Answer: [`Response::Done`].
    EndSession {
        /// Session to end.
        session_id: SessionId,
    },
}

/// Largest chat text accepted, in bytes of UTF-8.
pub const MAX_CHAT_TEXT_BYTES: usize = 16 * 1024;
/// Largest customer name or phone accepted, in bytes of UTF-8.
pub const MAX_NAME_BYTES: usize = 128;

/// A remote action on the customer's computer that needs the customer's consent (C5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum RemoteAction {
    /// The agent sees the customer's screen (观看桌面).
    ViewDesktop,
    /// The agent drives the customer's mouse and keyboard (远程控制). Implies seeing the screen.
    RemoteControl,
}

impl RemoteAction {
    /// Media streams this action allows, as (kind, direction).
    pub fn allows(self, kind: MediaKind) -> bool {
        match (self, kind) {
            (RemoteAction::ViewDesktop | RemoteAction::RemoteControl, MediaKind::Screen) => true,
            (RemoteAction::RemoteControl, MediaKind::Input) => true,
            (RemoteAction::ViewDesktop, MediaKind::Input) => false,
        }
    }
}

/// State of one remote action of a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ActionState {
    /// The agent asked; the customer has not answered yet.
    Requested,
    /// The customer granted it; media may flow.
    Granted,
    /// The customer refused it.
    Refused,
    /// It was stopped by either side, or never started.
    Stopped,
}

/// Which side of a session did something.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Party {
    /// The customer.
    Customer,
    /// The agent.
    Agent,
    /// The relay itself (e.g. on disconnect or shutdown).
    Relay,
}

/// Messages from the relay to a client on the control stream.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ServerMessage {
    /// The Hello was accepted.
    Welcome(Welcome),
    /// The Hello was refused; the relay closes the connection after this frame.
    Refused(RefusedReason),
    /// Answer to the request with the same id.
    Response {
        /// Id of the request answered.
        id: RequestId,
        /// Outcome.
        result: Result<Response, RequestError>,
    },
    /// Something happened that the client should know.
    Event(Event),
}

/// Accepted Hello.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Welcome {
    /// An agent is logged in.
    Agent {
        /// The agent's display name.
        display_name: String,
        /// Customers waiting in the center's queue, oldest first.
        queue: Vec<QueueEntry>,
        /// The agent's open sessions with their history (after a reconnect or relay restart).
        sessions: Vec<SessionInfo>,
    },
    /// A customer's helper is connected.
    Customer {
        /// Center's display name, shown in the helper's title.
        center_name: String,
        /// The customer's open session, resumed after a reconnect.
        session: Option<SessionInfo>,
        /// The customer's queue position (1 = next) if still queued.
        queue_position: Option<u32>,
    },
    /// Answer to [`HelloRole::Directory`]: the center's usernames for the login drop-down.
    Directory {
        /// Usernames, sorted.
        usernames: Vec<String>,
    },
}

/// Why a Hello was refused. Each has a clear message via `Display`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum RefusedReason {
    /// The client speaks another protocol version.
    #[error("protocol version mismatch: relay speaks {relay}, client speaks {client}")]
    VersionMismatch {
        /// Version the relay speaks.
        relay: u16,
        /// Version the client sent.
        client: u16,
    },
    /// No center with this ID exists on the relay.
    #[error("unknown center ID {0}")]
    UnknownCenter(CenterId),
    /// Username or password is wrong (deliberately not saying which).
    #[error("wrong username or password")]
    WrongPassword,
    /// Too many failed attempts; try again later.
    #[error("too many failed attempts, try again in {retry_after_s} s")]
    Throttled {
        /// Seconds until another attempt is accepted.
        retry_after_s: u32,
    },
    /// The account is already logged in elsewhere (R3).
    #[error("already logged in from {address} since {since}")]
    AlreadyLoggedIn {
        /// Remote address of the live login.
        address: String,
        /// Unix ms of that login.
        since: UnixMs,
    },
    /// The first frame was not a Hello or was malformed.
    #[error("malformed hello")]
    Malformed,
    /// The relay is shutting down or at its connection limit.
    #[error("relay unavailable: {0}")]
    Unavailable(String),
}

/// Why a request failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum RequestError {
    /// The request is not allowed for this role.
    #[error("not allowed for this role")]
    Forbidden,
    /// The session does not exist, is over, or is not yours.
    #[error("no such session")]
    UnknownSession,
    /// The queue entry is gone (served by someone else or left).
    #[error("that customer is no longer waiting")]
    UnknownTicket,
    /// A field is invalid (too long, empty…); the text says which.
    #[error("invalid request: {0}")]
    Invalid(String),
    /// The action is not in a state that allows this.
    #[error("action not possible now: {0}")]
    Conflict(String),
    /// The relay could not store the data (disk full, database error); nothing was acknowledged.
    #[error("relay storage failed, try again")]
    Storage,
}

/// Successful answers to requests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Response {
    /// Nothing to return.
    Done,
    /// The customer is queued.
    Queued {
        /// Queue entry id.
        ticket_id: TicketId,
        /// Position, 1 = next.
        position: u32,
    },
    /// A session started (answer to AcceptCustomer).
    SessionStarted(SessionInfo),
    /// The chat message is durable; `message` is the stored form (with relay timestamp).
    ChatStored(ChatMessage),
}

/// One waiting customer as the agent sees it (A4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueEntry {
    /// Queue entry id, used to accept.
    pub ticket_id: TicketId,
    /// Customer's name.
    pub name: String,
    /// Customer's phone.
    pub phone: String,
    /// When the customer started waiting (unix ms).
    pub queued_at: UnixMs,
}

/// A session with its history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionInfo {
    /// Session id.
    pub session_id: SessionId,
    /// Customer's name.
    pub customer_name: String,
    /// Customer's phone.
    pub customer_phone: String,
    /// Serving agent's display name.
    pub agent_name: String,
    /// Unix ms the session started.
    pub started_at: UnixMs,
    /// Chat history, oldest first.
    pub messages: Vec<ChatMessage>,
}

/// One stored chat message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatMessage {
    /// Client-chosen id (see [`MessageId`]).
    pub message_id: MessageId,
    /// Who wrote it.
    pub from: Party,
    /// Text.
    pub text: String,
    /// Unix ms the relay stored it.
    pub sent_at: UnixMs,
}

/// Pushed events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Event {
    /// Agent: the center's queue changed; the full queue, oldest first.
    QueueChanged {
        /// Waiting customers.
        queue: Vec<QueueEntry>,
    },
    /// Customer: the queue position changed (1 = next).
    QueuePosition {
        /// New position.
        position: u32,
    },
    /// Customer: an agent accepted; the session started.
    SessionStarted(SessionInfo),
    /// Either side: a chat message from the other side (or the relay).
    ChatReceived {
        /// Session.
        session_id: SessionId,
        /// Stored message.
        message: ChatMessage,
    },
    /// Customer: the agent asks for consent to a remote action (C5).
    ConsentRequested {
        /// Session.
        session_id: SessionId,
        /// What the agent asks for.
        action: RemoteAction,
    },
    /// Both sides: a remote action changed state.
    ActionChanged {
        /// Session.
        session_id: SessionId,
        /// Action.
        action: RemoteAction,
        /// New state.
        state: ActionState,
        /// Who caused the change.
        by: Party,
    },
    /// Both sides: the session is over.
    SessionEnded {
        /// Session.
        session_id: SessionId,
        /// Who ended it.
        by: Party,
    },
}

/// Kind of a media stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MediaKind {
    /// Screen frames from helper to agent; acknowledgements flow back on the same stream.
    Screen,
    /// Input events from agent to helper.
    Input,
}

impl MediaKind {
    /// Which party opens streams of this kind.
    pub fn opener(self) -> Party {
        match self {
            MediaKind::Screen => Party::Customer,
            MediaKind::Input => Party::Agent,
        }
    }
}

/// First frame on every media stream (a bidirectional QUIC stream). The relay checks the session
/// and consent, opens a matching stream to the peer, writes the same header there, and then
/// copies bytes both ways without decoding them (R14).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediaHeader {
    /// Session the stream belongs to.
    pub session_id: SessionId,
    /// What the stream carries.
    pub kind: MediaKind,
}

/// Largest media header frame, in bytes.
pub const MAX_MEDIA_HEADER_BYTES: usize = 64;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hello_is_small_and_roundtrips() {
        let hello = ClientMessage::Hello(Hello {
            protocol_version: PROTOCOL_VERSION,
            role: HelloRole::Directory {
                center_id: 8_000_001,
            },
        });
        let bytes = postcard::to_allocvec(&hello).expect("encode");
        assert!(bytes.len() < 16, "{} bytes", bytes.len());
        let back: ClientMessage = postcard::from_bytes(&bytes).expect("decode");
        assert_eq!(back, hello);
    }

    #[test]
    fn password_is_redacted_in_debug() {
        let role = HelloRole::Agent {
            center_id: 8_000_001,
            username: "agent1".into(),
            password: "hunter2-secret".into(),
        };
        let text = format!("{role:?}");
        assert!(!text.contains("hunter2"), "{text}");
        assert!(text.contains("agent1"));
    }

    #[test]
    fn center_id_shape() {
        assert!(is_valid_center_id(8_000_001));
        assert!(!is_valid_center_id(7_999_999));
        assert!(!is_valid_center_id(80_000_001));
    }

    #[test]
    fn view_does_not_allow_input() {
        assert!(RemoteAction::ViewDesktop.allows(MediaKind::Screen));
        assert!(!RemoteAction::ViewDesktop.allows(MediaKind::Input));
        assert!(RemoteAction::RemoteControl.allows(MediaKind::Input));
    }
}
