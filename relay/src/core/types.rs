//! Plain data the core consumes and produces: its inputs (logins, the start-up snapshot), its
//! outputs ([`Action`], [`StoreOp`]) and the answer of [`super::Core::route_media`].

use std::net::SocketAddr;
use std::time::Instant;

use porpoise_protocol::wire::{
    AccountStatus, ApiError, CenterId, CenterSettings, ChatMessage, CustomRole, GroupId,
    GroupRecord, Handling, MediaKind, OfflineMessage, OfflineMessageId, Party, Permission,
    ProductTypeId, ProductTypeRecord, RefusedReason, Role, RoleId, ServerMessage, SessionId,
    TicketId, UnixMs,
};

/// Relay-assigned id of one client connection (unique for the life of the process).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConnId(pub u64);

impl std::fmt::Display for ConnId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(&self.0, f)
    }
}

/// The wire's ids of an agent account and of a customer's helper installation.
pub use porpoise_protocol::wire::{AgentId, InstallId};
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
    /// Registration date, unix ms (M2).
    pub created_at: UnixMs,
    /// Licence end, unix ms; `None` = none (M2, set by the operator).
    pub expires_at: Option<UnixMs>,
}

/// Default most concurrent sessions of an agent (R7).
pub const DEFAULT_MAX_SESSIONS: u32 = 5;

/// An account as the core knows it (any role; R1, R2, M4 basics).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// The account's center.
    pub center_id: CenterId,
    /// Database id.
    pub agent_id: AgentId,
    /// Login name.
    pub username: String,
    /// Role.
    pub role: Role,
    /// Nickname shown to customers and colleagues (the `display_name` column).
    pub display_name: String,
    /// Job title for the showcase card.
    pub title: String,
    /// Work phone for the showcase card.
    pub phone: String,
    /// Photo URL or data URL.
    pub photo: String,
    /// Groups the account belongs to.
    pub groups: Vec<GroupId>,
    /// Most concurrent sessions.
    pub max_sessions: u32,
    /// Auto-away minutes chosen by the agent (None: off).
    pub auto_away_min: Option<u16>,
    /// Product types the account handles (R7 second routing key); empty = all.
    pub product_types: Vec<ProductTypeId>,
    /// Gets customers by auto-assign (M13); off = queue picks, showcase and codes only.
    pub auto_assign: bool,
    /// Active, disabled or deleted (M3); only active accounts log in, serve and are listed
    /// to colleagues and customers.
    pub status: AccountStatus,
    /// When the account was made, unix ms.
    pub created_at: UnixMs,
    /// A custom role replacing the role's permissions (M4).
    pub custom_role: Option<RoleId>,
    /// What the account may do: its custom role's permissions, else its role's defaults. Kept
    /// current by the core ([`Account::resolve`]) whenever the account or a role changes.
    pub permissions: Vec<Permission>,
}

impl Account {
    /// A plain agent account with default profile (tests, fresh accounts).
    pub fn agent(center_id: CenterId, agent_id: AgentId, display_name: &str) -> Account {
        Account {
            center_id,
            agent_id,
            username: format!("user{agent_id}"),
            role: Role::Agent,
            display_name: display_name.to_owned(),
            title: String::new(),
            phone: String::new(),
            photo: String::new(),
            groups: Vec::new(),
            max_sessions: DEFAULT_MAX_SESSIONS,
            auto_away_min: None,
            product_types: Vec::new(),
            auto_assign: true,
            status: AccountStatus::Active,
            created_at: 0,
            custom_role: None,
            permissions: Role::Agent.default_permissions().to_vec(),
        }
    }

    /// True if the account is active and has permission `p` (M4).
    pub fn can(&self, p: Permission) -> bool {
        self.status == AccountStatus::Active && self.permissions.contains(&p)
    }

    /// Sets `permissions` from the custom role (found in `roles`) or the role's defaults.
    pub fn resolve(&mut self, roles: &[CustomRole]) {
        self.permissions = self
            .custom_role
            .and_then(|id| roles.iter().find(|r| r.role_id == id))
            .map_or_else(
                || self.role.default_permissions().to_vec(),
                |r| r.permissions.clone(),
            );
    }
}

/// An authenticated Hello, as the network layer hands it to the core.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Login {
    /// An agent whose password was verified against the store.
    Agent {
        /// The agent's center.
        center: CenterInfo,
        /// The account, freshly read from the store.
        account: Box<Account>,
        /// Client address of the connection (shown in `AlreadyLoggedIn` and `ListLogins`).
        address: SocketAddr,
    },
    /// A customer's helper for a center that exists.
    Customer {
        /// The center asked for help.
        center: CenterInfo,
        /// The helper's install id.
        install_id: InstallId,
        /// Client address (session-code throttling per IP).
        address: SocketAddr,
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
    /// Group asked for (auto-assign; None: any).
    pub group_id: Option<GroupId>,
    /// Product type asked for.
    pub product_type_id: Option<ProductTypeId>,
    /// Agent picked in the showcase: gets the first offer (see `routing`).
    pub preferred_agent: Option<AgentId>,
    /// The customer's region (country code) from their address when queued (R7); `None`:
    /// unknown.
    pub region: Option<String>,
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
    /// Every account of every center.
    pub accounts: Vec<Account>,
    /// Settings of the centers that have stored ones (others use the default).
    pub settings: Vec<(CenterId, CenterSettings)>,
    /// Groups, in display order.
    pub groups: Vec<(CenterId, GroupRecord)>,
    /// Product types, in display order.
    pub product_types: Vec<(CenterId, ProductTypeRecord)>,
    /// Custom roles of each center (M4).
    pub roles: Vec<(CenterId, CustomRole)>,
    /// Blocks in force (R16).
    pub blocks: Vec<(CenterId, porpoise_protocol::wire::BlockRule)>,
    /// Highest block id ever given.
    pub max_block_id: porpoise_protocol::wire::BlockId,
    /// Pending offline messages (oldest first) and the newest handled ones.
    pub offline_messages: Vec<(CenterId, OfflineMessage)>,
    /// Largest offline message id ever used.
    pub max_offline_message_id: OfflineMessageId,
    /// Durations of the most recent ended sessions per center, oldest first, in ms.
    pub recent_durations: Vec<(CenterId, u64)>,
    /// Session codes not used and not expired.
    pub session_codes: Vec<StoredCode>,
    /// (ticket, agent) pairs of queued tickets an agent rejected.
    pub rejections: Vec<(TicketId, AgentId)>,
    /// What transfers and agent chat start from (R8, R9).
    pub conversation: super::ConversationSnapshot,
    /// Sessions ended within the longest late-fill window, for late support records (A13).
    pub ended_sessions: Vec<super::EndedSession>,
    /// Helper branding of the centers that have one (C1, M1).
    pub brandings: Vec<(CenterId, porpoise_protocol::wire::Branding)>,
    /// Bytes of transcripts, pictures and offline messages each center stores (issue 14).
    pub storage_used: Vec<(CenterId, u64)>,
}

/// A live session code as stored (R5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCode {
    /// Center.
    pub center_id: CenterId,
    /// The digits.
    pub code: String,
    /// Agent who made it.
    pub agent_id: AgentId,
    /// Unix ms it stops working.
    pub expires_at: UnixMs,
}

/// A password, redacted in `Debug` so that a logged [`StoreOp`] never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

/// What the store reports back for writes whose outcome the core waits for.
// `Query` carries a whole wire `Response`; reports are one per request and short-lived, so an
// allocation per report would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreReport {
    /// A [`StoreOp::InsertChat`] finished.
    Chat {
        /// Its token.
        token: PersistToken,
        /// True if stored.
        ok: bool,
    },
    /// A [`StoreOp::Query`] finished (A8, A11).
    Query {
        /// Its token.
        token: PersistToken,
        /// The answer to send, or why it failed (`Storage` on a database error).
        result: Result<porpoise_protocol::wire::Response, ApiError>,
    },
    /// A [`StoreOp::Directory`] finished (M3, M4).
    Directory {
        /// Its token.
        token: PersistToken,
        /// What changed, or why not (`Duplicate` for a taken name, `Storage` on failure).
        result: Result<super::DirectoryChange, ApiError>,
    },
    /// A [`StoreOp::SetPassword`] finished.
    Password {
        /// Its token.
        token: PersistToken,
        /// `WrongPassword` if the old password did not match, `Storage` on failure.
        result: Result<(), ApiError>,
    },
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

/// `customer`, `agent` or `relay`: a party as webhook bodies name it (R17).
pub(crate) fn party_name(party: porpoise_protocol::wire::Party) -> &'static str {
    match party {
        porpoise_protocol::wire::Party::Customer => "customer",
        porpoise_protocol::wire::Party::Agent => "agent",
        porpoise_protocol::wire::Party::Relay => "relay",
    }
}

/// A write the driver must make durable, in the order emitted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreOp {
    /// Append an entry to the center's hash-chained audit log (R18).
    Audit(super::AuditEntry),
    /// A blocklist write (R16).
    Block(super::BlockOp),
    /// Replace a center's helper branding (M1).
    SaveBranding {
        /// Center.
        center_id: CenterId,
        /// The checked branding.
        branding: Box<porpoise_protocol::wire::Branding>,
    },
    /// Record a new queue entry (and create or update the customer).
    InsertTicket(Ticket),
    /// An agent rejected the offer of a queued ticket: never offer it to them again, also after
    /// a restart (R5).
    RecordRejection {
        /// Queue entry.
        ticket_id: TicketId,
        /// Agent who rejected it.
        agent_id: AgentId,
    },
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
    /// Change a password: verify `old` first (if given), then store an argon2id hash of `new`;
    /// report with [`StoreReport::Password`]. Only within `center_id`.
    SetPassword {
        /// Token to report back.
        token: PersistToken,
        /// Center of the account.
        center_id: CenterId,
        /// Account.
        agent_id: AgentId,
        /// Current password (own change) or None (admin reset).
        old: Option<Secret>,
        /// New password.
        new: Secret,
    },
    /// An agent's auto-away minutes.
    SetAutoAway {
        /// Account.
        agent_id: AgentId,
        /// Minutes (None: off).
        minutes: Option<u16>,
    },
    /// Replace a center's settings.
    SaveSettings {
        /// Center.
        center_id: CenterId,
        /// New settings.
        settings: Box<CenterSettings>,
    },
    /// A customer left an offline message.
    InsertOfflineMessage {
        /// Center.
        center_id: CenterId,
        /// The message (not handled).
        message: OfflineMessage,
    },
    /// An offline message was handled.
    HandleOfflineMessage {
        /// Message.
        id: OfflineMessageId,
        /// How.
        handling: Handling,
    },
    /// A new session code.
    InsertSessionCode(StoredCode),
    /// A session code was used (it stops working).
    UseSessionCode {
        /// Center.
        center_id: CenterId,
        /// The digits.
        code: String,
    },
    /// A conversation write (agent chat, transfers, session owner; R8, R9). An
    /// [`super::ConversationOp::InsertAgentChat`] is reported like a chat message
    /// ([`StoreReport::Chat`] with its token).
    Conversation(super::ConversationOp),
    /// A read for an agent's request (canned responses, knowledge base, service history; A8,
    /// A11), run in order with the writes; report the answer with [`StoreReport::Query`].
    Query {
        /// Token to report back.
        token: PersistToken,
        /// What to read.
        query: super::StoreQuery,
    },
    /// An account, group or product-type change from the admin window (M3, M4), checked by
    /// the core; report what the database now holds with [`StoreReport::Directory`].
    Directory {
        /// Token to report back.
        token: PersistToken,
        /// What to change.
        op: super::DirectoryOp,
    },
    /// A support-record, tag or visitor-card read or write (A13, A15), run in order with the
    /// other writes; report the answer with [`StoreReport::Query`].
    Records {
        /// Token to report back.
        token: PersistToken,
        /// What to do.
        op: super::RecordsOp,
    },
    /// An integrations-page request (R17), run in order with the other writes; report the
    /// answer with [`StoreReport::Query`].
    Integration {
        /// Token to report back.
        token: PersistToken,
        /// What to do.
        op: super::IntegrationOp,
    },
    /// A webhook event (R17): queue it in the center's outbox if its webhook is on and
    /// subscribed to `event`, then wake the delivery worker.
    Webhook {
        /// Center.
        center_id: CenterId,
        /// What happened.
        event: porpoise_protocol::wire::WebhookEvent,
        /// When, unix ms.
        occurred_at: UnixMs,
        /// The event's `data` object, JSON.
        data: String,
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
        /// The picture's bytes when `message.image` is set (A7, C4), stored with the message
        /// in one transaction.
        image: Option<ImageBytes>,
    },
}

/// The encoded bytes of a chat picture, shared without copying; `Debug` shows only the length
/// so that logs never carry a customer's pictures.
#[derive(Clone, PartialEq, Eq)]
pub struct ImageBytes(pub std::sync::Arc<[u8]>);

impl std::fmt::Debug for ImageBytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ImageBytes({} bytes)", self.0.len())
    }
}

/// Why the relay closes a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloseReason {
    /// The same account or helper logged in on a newer connection.
    LoggedInElsewhere,
    /// The relay is shutting down.
    Shutdown,
    /// An admin of the center ended this login (R3 kick).
    Kicked,
    /// The center blocked this customer (R16); the client is told nothing more.
    Unavailable,
    /// The center's service period ended (M2) while the agent was logged in.
    CenterExpired,
}

impl CloseReason {
    /// Human-readable reason sent in the QUIC close frame.
    pub fn text(self) -> &'static str {
        match self {
            CloseReason::LoggedInElsewhere => "logged in elsewhere",
            CloseReason::Shutdown => "relay shutting down",
            CloseReason::Kicked => "logged out by an administrator of the center",
            CloseReason::Unavailable => "service unavailable",
            CloseReason::CenterExpired => "the center's service period has ended",
        }
    }
}

/// Something the driver must do, polled with [`super::Core::poll_action`].
// `Send` dominates the size (a Welcome carries the agent's whole profile); boxing it would cost
// an allocation per frame for the common small events.
#[allow(clippy::large_enum_variant)]
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
    /// Refuse a login: send `ServerMessage::Refused(reason)`, then close the connection (the
    /// connection was never logged in to the core).
    Refuse {
        /// Connection.
        conn: ConnId,
        /// Why.
        reason: RefusedReason,
    },
    /// Ask the center's context endpoint about a customer (A18) off the driver task and answer
    /// request `id` on `conn` with `Response::CustomerContext` or
    /// `ApiError::ContextUnavailable`.
    FetchContext {
        /// Connection of the asking agent.
        conn: ConnId,
        /// Request to answer.
        id: porpoise_protocol::wire::RequestId,
        /// The center's endpoint (with its token).
        endpoint: porpoise_protocol::wire::ContextEndpoint,
        /// What is sent.
        query: porpoise_protocol::wire::ContextQuery,
    },
    /// Answer request `id` on `conn` with the center's common files (A8), read from its folder.
    ListCommonFiles {
        /// Connection of the asking agent.
        conn: ConnId,
        /// Request to answer.
        id: porpoise_protocol::wire::RequestId,
        /// Center whose files to list.
        center_id: CenterId,
    },
    /// Offer common file `name` of `center_id` to the customer on a relay-opened file stream
    /// (A8); cut with the session's other file streams; the outcome goes to `agent` as
    /// `Event::CommonFileSent`.
    SendCommonFile {
        /// The sending agent's connection.
        agent: ConnId,
        /// The customer's connection.
        customer: ConnId,
        /// Session.
        session_id: SessionId,
        /// Center owning the file.
        center_id: CenterId,
        /// File name within the center's folder.
        name: String,
        /// The center's size limit, bytes.
        max_bytes: u64,
    },
    /// Write a chunk of a common file upload (M7) in the center's folder, then answer request
    /// `id` on `conn` with `()` or the error (see `rpc::UploadCommonFile`).
    WriteCommonFile {
        /// The uploading admin's connection.
        conn: ConnId,
        /// Request to answer.
        id: porpoise_protocol::wire::RequestId,
        /// Center.
        center_id: CenterId,
        /// The checked chunk.
        upload: Box<porpoise_protocol::wire::rpc::UploadCommonFile>,
    },
    /// Delete common file `name` of `center_id` and answer request `id` on `conn` (M7).
    DeleteCommonFile {
        /// The admin's connection.
        conn: ConnId,
        /// Request to answer.
        id: porpoise_protocol::wire::RequestId,
        /// Center.
        center_id: CenterId,
        /// Checked name.
        name: String,
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

/// Checks the text of a chat, agent-chat or offline message: not blank, at most
/// `MAX_CHAT_TEXT_BYTES` bytes of UTF-8.
///
/// Errors: [`ApiError::Empty`] or [`ApiError::TooLong`] saying which rule the text breaks.
pub(super) fn check_message_text(text: &str) -> Result<(), ApiError> {
    use porpoise_protocol::wire::MAX_CHAT_TEXT_BYTES;
    if text.trim().is_empty() {
        return Err(ApiError::Empty {
            field: porpoise_protocol::wire::Field::ChatText,
        });
    }
    if text.len() > MAX_CHAT_TEXT_BYTES {
        return Err(ApiError::too_long(
            porpoise_protocol::wire::Field::ChatText,
            MAX_CHAT_TEXT_BYTES,
        ));
    }
    Ok(())
}
