//! Plain data the core consumes and produces: its inputs (logins, the start-up snapshot), its
//! outputs ([`Action`], [`StoreOp`]) and the answer of [`super::Core::route_media`].

use std::time::Instant;

use porpoise_shared::wire::{
    CenterId, ChatMessage, MediaKind, Party, ServerMessage, SessionId, TicketId, UnixMs,
};

/// Relay-assigned id of one client connection (unique for the life of the process).
pub type ConnId = u64;
/// Database id of an agent account.
pub type AgentId = i64;
/// Random id a customer's helper keeps on disk (see `HelloRole::Customer`).
pub type InstallId = u128;
/// Token matching a [`StoreOp::InsertChat`] to its [`super::Core::handle_chat_persisted`] report.
pub type PersistToken = u64;

/// The current time, passed into every `handle_*` call: the core never reads a clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Now {
    /// Monotonic time, for timers.
    pub instant: Instant,
    /// Wall-clock time in unix milliseconds, for timestamps that are stored or sent.
    pub unix_ms: UnixMs,
}

/// A support center as the core knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CenterInfo {
    /// Center ID (7 digits, first digit 8).
    pub center_id: CenterId,
    /// Display name.
    pub name: String,
}

/// An authenticated Hello, as the network layer hands it to the core.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Login {
    /// An agent whose password was verified against the store.
    Agent {
        /// The agent's center.
        center: CenterInfo,
        /// Database id of the account.
        agent_id: AgentId,
        /// Name shown to customers and in the console.
        display_name: String,
    },
    /// A customer's helper for a center that exists.
    Customer {
        /// The center asked for help.
        center: CenterInfo,
        /// The helper's install id.
        install_id: InstallId,
    },
}

/// A customer waiting in a center's queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ticket {
    /// Queue entry id.
    pub ticket_id: TicketId,
    /// Center whose queue it is in.
    pub center_id: CenterId,
    /// The customer's helper.
    pub install_id: InstallId,
    /// Name as typed by the customer.
    pub name: String,
    /// Phone as typed by the customer.
    pub phone: String,
    /// When the customer started waiting (unix ms).
    pub queued_at: UnixMs,
}

/// An open session as stored (used in [`Snapshot`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenSession {
    /// Session id.
    pub session_id: SessionId,
    /// The session's center.
    pub center_id: CenterId,
    /// Queue entry the session came from.
    pub ticket_id: TicketId,
    /// The customer's helper.
    pub install_id: InstallId,
    /// Customer's name.
    pub customer_name: String,
    /// Customer's phone.
    pub customer_phone: String,
    /// Serving agent's account.
    pub agent_id: AgentId,
    /// Serving agent's display name.
    pub agent_name: String,
    /// When the session started (unix ms).
    pub started_at: UnixMs,
    /// Chat history, oldest first.
    pub messages: Vec<ChatMessage>,
}

/// Everything the core needs from the store at start-up.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Snapshot {
    /// All centers.
    pub centers: Vec<CenterInfo>,
    /// Waiting customers of all centers, oldest first.
    pub queue: Vec<Ticket>,
    /// Sessions not yet ended, with their messages.
    pub sessions: Vec<OpenSession>,
    /// Largest ticket id ever used (0 if none).
    pub max_ticket_id: TicketId,
    /// Largest session id ever used (0 if none).
    pub max_session_id: SessionId,
}

/// How a queue entry left the queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TicketOutcome {
    /// An agent accepted it.
    Served,
    /// The customer left the queue.
    Left,
}

impl TicketOutcome {
    /// The text stored in the `tickets.state` column.
    pub fn as_str(self) -> &'static str {
        match self {
            TicketOutcome::Served => "served",
            TicketOutcome::Left => "left",
        }
    }
}

/// A write the driver must make durable, in the order emitted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreOp {
    /// Record a new queue entry (and create or update the customer).
    InsertTicket(Ticket),
    /// A queue entry left the queue.
    CloseTicket {
        /// Queue entry.
        ticket_id: TicketId,
        /// Why it left.
        outcome: TicketOutcome,
    },
    /// A session started.
    InsertSession {
        /// Session id.
        session_id: SessionId,
        /// Center.
        center_id: CenterId,
        /// Queue entry served.
        ticket_id: TicketId,
        /// Customer's helper.
        install_id: InstallId,
        /// Serving agent.
        agent_id: AgentId,
        /// Start time (unix ms).
        started_at: UnixMs,
    },
    /// A session ended.
    EndSession {
        /// Session id.
        session_id: SessionId,
        /// End time (unix ms).
        ended_at: UnixMs,
        /// Who ended it.
        by: Party,
    },
    /// Store a chat message; report the outcome with
    /// [`super::Core::handle_chat_persisted`]`(token, …)`.
    InsertChat {
        /// Token to report back.
        token: PersistToken,
        /// Session the message belongs to.
        session_id: SessionId,
        /// The message with its relay timestamp.
        message: ChatMessage,
    },
}

/// Why the relay closes a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloseReason {
    /// The same account or helper logged in on a newer connection.
    LoggedInElsewhere,
    /// The relay is shutting down.
    Shutdown,
}

impl CloseReason {
    /// Human-readable reason sent in the QUIC close frame.
    pub fn text(self) -> &'static str {
        match self {
            CloseReason::LoggedInElsewhere => "logged in elsewhere",
            CloseReason::Shutdown => "relay shutting down",
        }
    }
}

/// Something the driver must do, polled with [`super::Core::poll_action`].
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Send a message on a connection's control stream.
    Send {
        /// Target connection.
        conn: ConnId,
        /// Message to send.
        msg: ServerMessage,
    },
    /// Make a write durable (in emission order).
    Persist(StoreOp),
    /// Reset all forwarded media streams of these kinds in this session, at once.
    CutMedia {
        /// Session concerned.
        session_id: SessionId,
        /// Kinds to cut (never empty).
        kinds: Vec<MediaKind>,
    },
    /// Close a connection.
    Close {
        /// Connection to close.
        conn: ConnId,
        /// Why.
        reason: CloseReason,
    },
}

/// Where an accepted media stream goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MediaRoute {
    /// Session the stream belongs to.
    pub session_id: SessionId,
    /// Kind of stream.
    pub kind: MediaKind,
    /// The peer's connection, on which the matching stream is opened.
    pub peer: ConnId,
}

/// Why a media stream is not forwarded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MediaRefusal {
    /// The opening connection has not logged in.
    #[error("connection is not logged in")]
    NotLoggedIn,
    /// This party may not open streams of this kind (see `MediaKind::opener`).
    #[error("{party:?} may not open {kind:?} streams")]
    WrongOpener {
        /// Party that tried.
        party: Party,
        /// Kind of stream.
        kind: MediaKind,
    },
    /// No open session has this id.
    #[error("no open session {0}")]
    UnknownSession(SessionId),
    /// The session belongs to another center.
    #[error("session {0} belongs to another center")]
    OtherCenter(SessionId),
    /// The connection is not a party of the session.
    #[error("connection is not a party of session {0}")]
    NotInSession(SessionId),
    /// The other party of the session is not connected.
    #[error("the peer of session {0} is not connected")]
    PeerAbsent(SessionId),
    /// No granted remote action allows this kind of stream.
    #[error("no granted action allows {kind:?} in session {session_id}")]
    NotGranted {
        /// Session concerned.
        session_id: SessionId,
        /// Kind of stream.
        kind: MediaKind,
    },
}
