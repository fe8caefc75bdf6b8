//! Typed requests: one struct per request, each naming the type of its reply.
//!
//! A client sends a request struct `R` (for example [`SendChat`]) with
//! `Client::call::<R>(req)` and gets `Result<R::Reply, ApiError>` back: the reply type is fixed
//! by the [`Rpc`] impl, so neither side matches a request against a reply at run time. On the
//! wire a request travels as one variant of [`Request`] and its answer as one variant of
//! [`Response`]; [`Reply::from_response`] is the only place where a reply variant is taken apart.
//! The relay builds answers with `R::Reply::into()`.
//!
//! Requests without a payload to return have `Reply = ()` (the wire's [`Response::Done`]).
//! Errors are [`ApiError`]s: codes with structured fields, rendered by each UI in its language.

use serde::{Deserialize, Serialize};

use super::*;

/// A request the relay answers with exactly one reply of type [`Rpc::Reply`] or an
/// [`ApiError`]. Implemented by every struct of this module (see the `requests!` table at the
/// end of the file).
pub trait Rpc: Into<Request> + Clone + std::fmt::Debug + Send + 'static {
    /// What a successful answer carries (`()` when there is nothing to return).
    type Reply: Reply;
    /// The request's name, for logs and errors (e.g. `"SendChat"`).
    const NAME: &'static str;
}

/// A reply type: convertible into the wire's [`Response`] and back.
pub trait Reply: Into<Response> + std::fmt::Debug + Send + Sized + 'static {
    /// Takes the reply out of `response`; gives the response back when it is another variant
    /// (the relay broke the protocol; clients turn it into [`ApiError::Protocol`]).
    fn from_response(response: Response) -> Result<Self, Box<Response>>;
}

/// Answer to [`RequestService`]: the customer is queued.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Queued {
    /// Queue entry id.
    pub ticket_id: TicketId,
    /// Position, 1 = next.
    pub position: u32,
}

/// Answer to [`CreateSessionCode`]: a new single-use session code (直通号, R5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionCode {
    /// The 6 digits.
    pub code: String,
    /// When it stops working (unix ms).
    pub expires_at: UnixMs,
}

/// Answer to [`GetChatImage`]: the bytes of a chat picture (A7, C4).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatImageData {
    /// Session of the message.
    pub session_id: SessionId,
    /// The message that carries the picture.
    pub message_id: MessageId,
    /// The encoded picture (format and size as in the message's [`ChatImage`]).
    pub data: Vec<u8>,
}

impl std::fmt::Debug for ChatImageData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChatImageData")
            .field("session_id", &self.session_id)
            .field("message_id", &format_args!("{:032x}", self.message_id))
            .field("bytes", &self.data.len())
            .finish()
    }
}

/// Answer to [`RequestReconnectToken`]: a one-time reconnect token (C8).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedReconnectToken {
    /// The token; a secret, never logged.
    pub token: ReconnectToken,
    /// Unix ms after which it no longer works.
    pub expires_at: UnixMs,
}

/// Answer to [`FileTransferLimit`]: the center's file size limit (A6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileSizeLimit {
    /// Largest file, in bytes ([`CenterSettings::max_file_bytes`]).
    pub max_bytes: u64,
    /// An agent's console accepts incoming files up to this size without asking
    /// ([`CenterSettings::auto_accept_file_bytes`]; 0 for customers, whose helper always asks).
    pub auto_accept_bytes: u64,
    /// …and this many per session ([`CenterSettings::auto_accept_files`]; 0 for customers).
    pub auto_accept_files: u32,
}

/// Successful answers to requests, as they cross the wire. Code outside this module uses the
/// typed [`Rpc::Reply`] instead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Response {
    /// Nothing to return (`Reply = ()`).
    Done,
    /// See [`Queued`].
    Queued(Queued),
    /// A session started or was rejoined.
    SessionStarted(SessionInfo),
    /// The chat message is durable; the stored form (with relay timestamp).
    ChatStored(ChatMessage),
    /// See [`SessionCode`].
    SessionCode(SessionCode),
    /// The agent chat message is durable.
    AgentChatStored(AgentChatMessage),
    /// Offline messages.
    OfflineMessages(Vec<OfflineMessage>),
    /// Canned responses the agent may use (A8).
    CannedResponses(CannedResponses),
    /// The stored form of a saved canned response (A8).
    CannedResponseSaved(CannedResponse),
    /// The center's knowledge base (A8).
    KnowledgeBase(KnowledgeBase),
    /// A customer's past sessions (A11).
    ServiceHistory(ServiceHistory),
    /// One page of a past session's transcript (A11).
    HistoryTranscript(TranscriptPage),
    /// See [`ChatImageData`].
    ChatImageData(ChatImageData),
    /// See [`IssuedReconnectToken`].
    ReconnectToken(IssuedReconnectToken),
    /// Live logins.
    Logins(Vec<LoginInfo>),
    /// The center's settings.
    CenterSettings(CenterSettings),
    /// A customer's card, tags and record.
    CustomerProfile(CustomerProfile),
    /// The stored support record.
    SupportRecordSaved(SupportRecord),
    /// Records still to fill, oldest first, at most [`MAX_PENDING_RECORDS`].
    PendingRecords(Vec<PendingRecordItem>),
    /// The customer's context items (A18).
    CustomerContext(Vec<ContextItem>),
    /// The center's common files, by name (A8).
    CommonFiles(Vec<CommonFile>),
    /// See [`FileSizeLimit`].
    FileTransferLimit(FileSizeLimit),
    /// A page of the audit log (R18), newest first.
    AuditLog(Vec<AuditRecord>),
    /// See [`AccountDirectory`].
    AccountDirectory(Box<AccountDirectory>),
    /// See [`NewAccount`].
    NewAccount(NewAccount),
    /// The saved group.
    GroupSaved(GroupRecord),
    /// The saved product type.
    ProductTypeSaved(ProductTypeRecord),
    /// The saved custom role.
    RoleSaved(CustomRole),
    /// The live blocklist (R16).
    Blocklist(Vec<BlockRule>),
    /// The block just made.
    Blocked(BlockRule),
    /// See [`BrandingPage`].
    BrandingPage(Box<BrandingPage>),
    /// See [`IntegrationPage`].
    IntegrationPage(Box<IntegrationPage>),
    /// The knowledge-base node as saved (M7).
    KnowledgeNodeSaved(KnowledgeNode),
    /// See [`AppCredentials`] (shown once).
    AppCredentials(AppCredentials),
    /// See [`KnowledgeImageData`].
    KnowledgeImageData(KnowledgeImageData),
}

/// Implements [`Reply`] for a type carried by exactly one [`Response`] variant.
macro_rules! reply {
    ($($ty:ty => $variant:ident,)*) => {$(
        impl From<$ty> for Response {
            fn from(value: $ty) -> Response {
                Response::$variant(value)
            }
        }
        impl Reply for $ty {
            fn from_response(response: Response) -> Result<Self, Box<Response>> {
                match response {
                    Response::$variant(value) => Ok(value),
                    other => Err(Box::new(other)),
                }
            }
        }
    )*};
}

reply! {
    Vec<AuditRecord> => AuditLog,
    Box<AccountDirectory> => AccountDirectory,
    NewAccount => NewAccount,
    GroupRecord => GroupSaved,
    ProductTypeRecord => ProductTypeSaved,
    CustomRole => RoleSaved,
    Vec<BlockRule> => Blocklist,
    BlockRule => Blocked,
    Box<BrandingPage> => BrandingPage,
    Box<IntegrationPage> => IntegrationPage,
    KnowledgeNode => KnowledgeNodeSaved,
    AppCredentials => AppCredentials,
    KnowledgeImageData => KnowledgeImageData,
    Queued => Queued,
    SessionInfo => SessionStarted,
    ChatMessage => ChatStored,
    SessionCode => SessionCode,
    AgentChatMessage => AgentChatStored,
    Vec<OfflineMessage> => OfflineMessages,
    CannedResponses => CannedResponses,
    CannedResponse => CannedResponseSaved,
    KnowledgeBase => KnowledgeBase,
    ServiceHistory => ServiceHistory,
    TranscriptPage => HistoryTranscript,
    ChatImageData => ChatImageData,
    IssuedReconnectToken => ReconnectToken,
    Vec<LoginInfo> => Logins,
    CenterSettings => CenterSettings,
    CustomerProfile => CustomerProfile,
    SupportRecord => SupportRecordSaved,
    Vec<PendingRecordItem> => PendingRecords,
    Vec<ContextItem> => CustomerContext,
    Vec<CommonFile> => CommonFiles,
    FileSizeLimit => FileTransferLimit,
}

impl From<()> for Response {
    fn from((): ()) -> Response {
        Response::Done
    }
}

impl Reply for () {
    fn from_response(response: Response) -> Result<Self, Box<Response>> {
        match response {
            Response::Done => Ok(()),
            other => Err(Box::new(other)),
        }
    }
}

/// [`AnswerOffer`]: accepting starts a session, rejecting answers `Done`.
impl From<Option<SessionInfo>> for Response {
    fn from(value: Option<SessionInfo>) -> Response {
        value.map_or(Response::Done, Response::SessionStarted)
    }
}

impl Reply for Option<SessionInfo> {
    fn from_response(response: Response) -> Result<Self, Box<Response>> {
        match response {
            Response::Done => Ok(None),
            Response::SessionStarted(info) => Ok(Some(info)),
            other => Err(Box::new(other)),
        }
    }
}

/// Declares [`Request`] with one variant per request struct and the [`Rpc`] impls.
macro_rules! requests {
    ($($name:ident => $reply:ty,)*) => {
        /// Requests a client may make after [`Welcome`], as they cross the wire: one variant per
        /// request struct of this module.
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        pub enum Request {
            $(
                #[doc = concat!("See [`", stringify!($name), "`].")]
                $name($name),
            )*
        }

        impl Request {
            /// The request's name, for logs and errors.
            pub fn name(&self) -> &'static str {
                match self {
                    $(Request::$name(_) => stringify!($name),)*
                }
            }
        }

        $(
            impl Rpc for $name {
                type Reply = $reply;
                const NAME: &'static str = stringify!($name);
            }
            impl From<$name> for Request {
                fn from(value: $name) -> Request {
                    Request::$name(value)
                }
            }
        )*
    };
}

/// Customer: ask for service by `route` (R5). Answer: [`Response::Queued`] (waiting for an
/// agent or an offer); the session starts with [`Event::SessionStarted`]. Off hours or with
/// nobody able to serve, the error is [`ApiError::Closed`]: offer an offline message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestService {
    /// Customer's name as typed.
    pub name: String,
    /// Customer's phone number as typed.
    pub phone: String,
    /// How the customer reaches an agent; must match the center's [`ServiceMode`].
    pub route: ServiceRoute,
}

/// Customer: leave an offline message (留言, R6/C3); allowed while queued (it also leaves the
/// queue), when nobody is online, or off hours. Answer: `()`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeaveOfflineMessage {
    /// Customer's name.
    pub name: String,
    /// Phone or e-mail to answer to.
    pub contact: String,
    /// The message, at most [`MAX_CHAT_TEXT_BYTES`].
    pub text: String,
}

/// Customer: the unsent text in the chat box, for the agent's typing preview (R10). Send at
/// most every [`TYPING_PREVIEW_INTERVAL_MS`]; never stored. Answer: `()`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TypingPreview {
    /// Session.
    pub session_id: SessionId,
    /// Current unsent text (empty when cleared), at most [`MAX_CHAT_TEXT_BYTES`].
    pub text: String,
}

/// Agent: set own presence (R4). `Offline` keeps the login but takes no customers.
/// Errors: [`ApiError::NoFreeSeat`] when going online would exceed the seats.
/// Answer: `()`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetPresence {
    /// New presence; `Exited` is not allowed (log out instead).
    pub presence: Presence,
    /// True when the console set it by itself (auto-away or back from it).
    pub automatic: bool,
}

/// Agent: answer an offer (R5 auto-assign / showcase). Accept starts the session
/// ([`Response::SessionStarted`]); reject passes the customer on (`()`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnswerOffer {
    /// Offer answered.
    pub offer_id: OfferId,
    /// True to accept.
    pub accept: bool,
}

/// Agent: get a 6-digit single-use session code (直通号, R5). Answer: [`Response::SessionCode`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateSessionCode;

/// Agent: hand a session to another agent or group (R8). Answer: `()`; the
/// outcome arrives as [`Event::TransferResolved`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransferSession {
    /// Session to hand over.
    pub session_id: SessionId,
    /// Receiver.
    pub target: TransferTarget,
    /// Optional note for the receiver.
    pub note: String,
}

/// Agent: answer an incoming transfer. Answer: `()` (on accept the session
/// arrives as [`Event::SessionStarted`] with its whole history).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnswerTransfer {
    /// Transfer answered.
    pub transfer_id: TransferId,
    /// True to accept.
    pub accept: bool,
}

/// Agent: chat with a colleague (R9). Answer: [`Response::AgentChatStored`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendAgentChat {
    /// Receiving agent.
    pub to: AgentId,
    /// Random id (a resend is stored once).
    pub message_id: MessageId,
    /// Text, at most [`MAX_CHAT_TEXT_BYTES`].
    pub text: String,
}

/// Agent: offline messages of the center. Answer: [`Response::OfflineMessages`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListOfflineMessages {
    /// Include handled ones too (newest first), else only pending (oldest first).
    pub include_handled: bool,
}

/// Agent: mark an offline message handled with a note (A4). Answer: `()`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HandleOfflineMessage {
    /// Message.
    pub id: OfflineMessageId,
    /// Handling note.
    pub note: String,
}

/// Agent: the canned responses (常用语, A8) this agent may use: the center-wide ones and
/// the agent's own personal ones. Answer: [`Response::CannedResponses`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListCannedResponses;

/// Agent: add (`id: None`) or change a canned response (A8). Personal ones only the owner
/// may change; center-wide ones only a managing role. Errors: [`ApiError::Invalid`] for
/// a field over its limit ([`MAX_CANNED_TEXT_BYTES`] …) or too many responses
/// ([`MAX_PERSONAL_CANNED`], [`MAX_CENTER_CANNED`]), [`ApiError::Forbidden`],
/// [`ApiError::Conflict`] if `id` is not one the agent may change.
/// Answer: [`Response::CannedResponseSaved`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaveCannedResponse {
    /// Response to change, or None to add one.
    pub id: Option<CannedResponseId>,
    /// Personal or center-wide (cannot be changed on an existing response).
    pub scope: CannedScope,
    /// Category, title and text.
    pub draft: CannedDraft,
}

/// Agent: delete a canned response the agent may change (A8). Answer: `()`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeleteCannedResponse {
    /// Response to delete.
    pub id: CannedResponseId,
}

/// Agent: the center's knowledge-base quick replies (知识库快捷回复, A8) as a tree: only the
/// nodes enabled and valid today (in the center's time zone) under enabled parents.
/// Answer: [`Response::KnowledgeBase`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListKnowledgeBase;

/// With [`Permission::ManageLibrary`]: the whole knowledge base, disabled and out-of-date
/// nodes included, for the admin window (M7). Answer: [`Response::KnowledgeBase`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListKnowledgeAdmin;

/// With [`Permission::ManageLibrary`]: add a node under `parent` (at the end) or change one
/// (`parent` is then ignored; see [`MoveKnowledgeNode`]). Errors: `Empty`/`TooLong {
/// KnowledgeTitle | KnowledgeText | KnowledgeKeywords }`, `InvalidDate`, `Malformed {
/// KnowledgeValidity }` (ends before it starts), `TooMany { KnowledgeTitle }` beyond
/// [`MAX_KNOWLEDGE_NODES`], `Malformed { KnowledgeParent }` deeper than
/// [`MAX_KNOWLEDGE_DEPTH`], `NotFound { KnowledgeNode }`. Answer:
/// [`Response::KnowledgeNodeSaved`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaveKnowledgeNode {
    /// Node to change, or `None` to add.
    pub id: Option<KnowledgeNodeId>,
    /// Parent of a new node (`None`: a root).
    pub parent: Option<KnowledgeNodeId>,
    /// The fields.
    pub draft: KnowledgeDraft,
}

/// With [`Permission::ManageLibrary`]: move a node (with its subtree) under `parent` at
/// `index` among its siblings (reorder within the same parent, or move elsewhere). Errors:
/// `Malformed { KnowledgeParent }` (under itself or its own subtree, or too deep),
/// `NotFound { KnowledgeNode }`. Answer: `()`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MoveKnowledgeNode {
    /// The node.
    pub id: KnowledgeNodeId,
    /// New parent (`None`: a root).
    pub parent: Option<KnowledgeNodeId>,
    /// Place among the new siblings (0 = first; beyond the end = last).
    pub index: u32,
}

/// With [`Permission::ManageLibrary`]: delete a node and its subtree. Errors: `NotFound {
/// KnowledgeNode }`. Answer: `()`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeleteKnowledgeNode {
    /// The node.
    pub id: KnowledgeNodeId,
}

/// With [`Permission::ManageLibrary`]: set or remove a node's picture (M7 类型 图片): a PNG
/// or JPEG within the chat picture limits ([`crate::wire::MAX_CHAT_IMAGE_BYTES`],
/// [`crate::wire::MAX_CHAT_IMAGE_SIDE`] px a side), so that agents can send it into a chat as
/// it is. `data: None` removes it. Errors: `BadImage` (not a PNG/JPEG, damaged, too big),
/// `NotFound { KnowledgeNode }`. Answer: [`Response::KnowledgeNodeSaved`] (with the picture's
/// size in [`KnowledgeNode::image`]).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetKnowledgeImage {
    /// The node.
    pub id: KnowledgeNodeId,
    /// The encoded picture, or `None` to remove it.
    pub data: Option<Vec<u8>>,
}

impl std::fmt::Debug for SetKnowledgeImage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SetKnowledgeImage")
            .field("id", &self.id)
            .field("bytes", &self.data.as_ref().map(Vec::len))
            .finish()
    }
}

/// Agent: the bytes of a knowledge-base node's picture (A8, M7), to show it and to send it
/// into a chat with [`SendChatImage`]. An agent gets pictures of nodes it sees in
/// [`ListKnowledgeBase`] (enabled, valid today); with [`Permission::ManageLibrary`], of any
/// node of the center. Errors: `NotFound { KnowledgeNode }` (no such node, not visible, or
/// without a picture). Answer: [`Response::KnowledgeImageData`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GetKnowledgeImage {
    /// The node.
    pub id: KnowledgeNodeId,
}

/// Answer to [`GetKnowledgeImage`]: a knowledge-base node's picture (format and size as in
/// the node's [`KnowledgeNode::image`]).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KnowledgeImageData {
    /// The node.
    pub id: KnowledgeNodeId,
    /// The encoded PNG or JPEG.
    pub data: Vec<u8>,
}

impl std::fmt::Debug for KnowledgeImageData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KnowledgeImageData")
            .field("id", &self.id)
            .field("bytes", &self.data.len())
            .finish()
    }
}

/// Agent: the service history (服务记录, A11) of the customer of one of the agent's open
/// sessions: that customer's ended sessions in this center, newest first, at most
/// [`MAX_HISTORY_ITEMS`]. Answer: [`Response::ServiceHistory`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListServiceHistory {
    /// The agent's open session whose customer is looked up.
    pub session_id: SessionId,
}

/// Agent: one page of the transcript of a past session listed by
/// [`Request::ListServiceHistory`] (A11). Errors: [`ApiError::UnknownSession`] if
/// `past_session_id` is not a past session of the same customer in this center.
/// Answer: [`Response::HistoryTranscript`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadHistoryTranscript {
    /// The agent's open session (whose customer the history is of).
    pub session_id: SessionId,
    /// The past session to read.
    pub past_session_id: SessionId,
    /// `next` of the previous page, or None for the first page.
    pub after: Option<TranscriptCursor>,
}

/// Agent: set own auto-away minutes (A17); `None` disables. Answer: `()`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetAutoAway {
    /// Idle minutes before the console switches to Away.
    pub minutes: Option<u16>,
}

/// Any account: change own password. Errors: [`ApiError::WrongPassword`],
/// [`ApiError::Invalid`] for a new password shorter than [`MIN_PASSWORD_CHARS`].
/// Answer: `()`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangePassword {
    /// Current password.
    pub old: String,
    /// New password.
    pub new: String,
}

/// Admin: live logins of the center (R3). Answer: [`Response::Logins`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListLogins;

/// Admin: end an account's live login (R3 kick); its connection closes. Answer: `()`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KickLogin {
    /// Account to kick.
    pub agent_id: AgentId,
}

/// Admin: set another account's password. Answer: `()`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResetPassword {
    /// Account.
    pub agent_id: AgentId,
    /// New password, at least [`MIN_PASSWORD_CHARS`].
    pub new_password: String,
}

/// Admin: the center's settings. Answer: [`Response::CenterSettings`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GetCenterSettings;

/// Admin: replace the center's settings (service mode, countdowns, texts, hours).
/// Answer: `()`; agents and customers get the changes as events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpdateCenterSettings(
    /// The new value.
    pub CenterSettings,
);

/// Customer: leave the queue before being served. Answer: `()`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeaveQueue;

/// Agent: accept a queued customer; a session starts. Answer: [`Response::SessionStarted`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AcceptCustomer {
    /// Queue entry to accept.
    pub ticket_id: TicketId,
}

/// Either side: send a chat message. Answered [`Response::ChatStored`] only after the message
/// is durable (R13).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendChat {
    /// Session the message belongs to.
    pub session_id: SessionId,
    /// Random id; a resend with the same id is acknowledged but not stored twice.
    pub message_id: MessageId,
    /// Text, at most [`MAX_CHAT_TEXT_BYTES`].
    pub text: String,
}

/// Either side: send a picture as a chat message (A7, C4). `data` is a PNG or JPEG of at most
/// [`MAX_CHAT_IMAGE_BYTES`] and [`MAX_CHAT_IMAGE_SIDE`] px a side; anything else is refused
/// with [`ApiError::BadImage`]. Answered like [`Request::SendChat`]: the stored message
/// (with its [`ChatImage`]) once durable; the other side gets [`Event::ChatReceived`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendChatImage {
    /// Session the message belongs to.
    pub session_id: SessionId,
    /// Random id; a resend with the same id is acknowledged but not stored twice.
    pub message_id: MessageId,
    /// The encoded picture.
    pub data: Vec<u8>,
}

/// Either side: the bytes of a chat picture (A7, C4): the session's customer for their own
/// sessions, an agent of the center for any of its sessions (current or in the service
/// history). Answer: [`Response::ChatImageData`]; [`ApiError::UnknownSession`] when
/// there is no such picture for the asker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GetChatImage {
    /// Session of the message.
    pub session_id: SessionId,
    /// The message that carries the picture.
    pub message_id: MessageId,
}

/// Agent: ask the customer's consent for a remote action (C5). Answer: `()`;
/// the outcome arrives as [`Event::ActionChanged`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestAction {
    /// Session concerned.
    pub session_id: SessionId,
    /// Action asked for.
    pub action: RemoteAction,
}

/// Customer: answer a consent prompt. Answer: `()`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnswerConsent {
    /// Session concerned.
    pub session_id: SessionId,
    /// Action the prompt was about.
    pub action: RemoteAction,
    /// True to grant, false to refuse.
    pub grant: bool,
}

/// Either side: stop a running or requested action (the customer's Stop banner, the agent's
/// Stop button). The relay cuts its media streams at once. Answer: `()`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StopAction {
    /// Session concerned.
    pub session_id: SessionId,
    /// Action to stop.
    pub action: RemoteAction,
}

/// Customer: start a remote action without an agent request (C5, "the customer can also
/// start actions"): only [`RemoteAction::ViewDesktop`] (共享我的屏幕; see
/// [`RemoteAction::customer_startable`]). The action becomes `Granted` at once, and the
/// agent gets [`Event::ActionChanged`] `by: Customer` as if it had asked and been granted.
/// Answer: `()`. Errors: [`ApiError::Invalid`] for another action,
/// [`ApiError::Conflict`] if the agent is not connected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StartAction {
    /// Session concerned.
    pub session_id: SessionId,
    /// Action to start.
    pub action: RemoteAction,
}

/// Agent: show the customer the satisfaction survey now (推送调查表, A6, C7).
/// Answer: `()`; the customer gets [`Event::SurveyRequested`]. Errors:
/// [`ApiError::Conflict`] if the customer is not connected or already answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushSurvey {
    /// Session concerned (the agent's open session).
    pub session_id: SessionId,
}

/// Customer: answer the satisfaction survey (C7) of their own session in their center,
/// while it is open or within [`SURVEY_WINDOW_MS`] after it ended. Stored durably before
/// the answer. Answer: `()`. Errors: [`ApiError::Invalid`] (stars,
/// comment length), [`ApiError::UnknownSession`] (not this customer's session, or too
/// old), [`ApiError::Conflict`] (already answered: one survey per session).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubmitSurvey {
    /// Session rated.
    pub session_id: SessionId,
    /// The answer.
    pub answer: SurveyAnswer,
}

/// Customer: the system-info report (A10) after the customer granted
/// [`RemoteAction::SystemInfo`]; the relay forwards it to the session's agent as
/// [`Event::SystemInfoReported`] and marks the action `Stopped` (one report per consent).
/// Errors: [`ApiError::Conflict`] if the action is not granted or the agent is not
/// connected, [`ApiError::Invalid`] if a cap of [`SystemInfo::validate`] is broken.
/// Answer: `()`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportSystemInfo {
    /// Session concerned.
    pub session_id: SessionId,
    /// The report (boxed: it is large and rare).
    pub info: Box<SystemInfo>,
}

/// Either side: the center's file-transfer size limit for this session (A6), so a sender can
/// refuse a too-large file before uploading and a receiver can refuse an offer.
/// Answer: [`Response::FileTransferLimit`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileTransferLimit {
    /// Session concerned.
    pub session_id: SessionId,
}

/// Customer: after granting [`RemoteAction::Reboot`] (C8), a one-time reconnect token for
/// this session, valid [`RECONNECT_TOKEN_TTL_MS`]. The relay keeps the session open while
/// the customer is away (no reception timeout), marks the action `Stopped` and tells the
/// agent [`Event::CustomerRebooting`]. Answer: [`Response::ReconnectToken`]. Errors:
/// [`ApiError::Conflict`] unless the reboot is granted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestReconnectToken {
    /// Session concerned.
    pub session_id: SessionId,
}

/// Customer: rejoin the session a reconnect token was issued for (C8), whatever this
/// helper's install id. Answer: [`Response::SessionStarted`] with the session (messages
/// included); the agent gets [`Event::CustomerReconnected`]. Errors:
/// [`ApiError::BadReconnectToken`] (unknown, used, expired, another center's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RedeemReconnectToken {
    /// The token from [`Response::ReconnectToken`].
    pub token: ReconnectToken,
}

/// Agent: the files the center offers to every agent (常用文件, A8).
/// Answer: [`Response::CommonFiles`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListCommonFiles;

/// Agent: send one of the center's common files to the customer of `session_id` through
/// the file-transfer path (A8, A6): needs [`RemoteAction::FileTransfer`] granted; the
/// customer accepts or declines it like any file. Answer: `()` once the relay
/// started offering it; the outcome arrives as [`Event::CommonFileSent`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendCommonFile {
    /// Session.
    pub session_id: SessionId,
    /// The file's name, as listed by [`Request::ListCommonFiles`].
    pub name: String,
}

/// Largest chunk of [`UploadCommonFile`], in bytes (fits a control frame with room).
pub const COMMON_FILE_CHUNK_BYTES: usize = 128 * 1024;

/// With [`Permission::ManageLibrary`]: one chunk of a common file uploaded from the admin
/// window (常用文件, M7). Chunks go in order; `offset` 0 starts (or restarts) the upload; the
/// chunk that reaches `total` makes the file appear in the list. Errors: `Malformed {
/// FileName }` (a name with directories or forbidden characters), `OutOfRange { MaxFileBytes
/// }` (`total` over the center's file limit, or a chunk beyond `total` or larger than
/// [`COMMON_FILE_CHUNK_BYTES`]), `Duplicate { FileName }` (the center has a file of that
/// name), `TooMany { FileName }` (the center has the most common files), `Conflict(
/// UploadOutOfOrder)` (the offset is not where the upload stands), `Storage`. Answer: `()`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadCommonFile {
    /// The file's name (no directories; the relay refuses names it would change).
    pub name: String,
    /// Where `data` starts in the file, bytes.
    pub offset: u64,
    /// The whole file's size, bytes.
    pub total: u64,
    /// The chunk.
    pub data: Vec<u8>,
}

/// With [`Permission::ManageLibrary`]: delete a common file (M7). Errors: `NotFound {
/// CommonFile }`. Answer: `()`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeleteCommonFile {
    /// The file's name.
    pub name: String,
}

/// Either side: end the session. Answer: `()`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndSession {
    /// Session to end.
    pub session_id: SessionId,
}

/// Agent: the customer's visitor card, tags, this session's message tags and support record
/// (A13, A15). Allowed in the agent's open sessions and, within the center's late-fill
/// window, in ended ones. Answer: [`Response::CustomerProfile`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GetCustomerProfile {
    /// Session.
    pub session_id: SessionId,
}

/// Agent: the sessions this agent served whose support record is still missing, within the
/// center's late-fill window (A13). Answer: [`Response::PendingRecords`] (empty when the
/// center asks for no records).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListPendingRecords;

/// Agent: save the session's support record (A13); replaces an earlier one. Allowed while
/// the session is open and within the late-fill window after it ended. Errors:
/// [`ApiError::Invalid`] with the [`RecordFormError`] text. Answer:
/// [`Response::SupportRecordSaved`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaveSupportRecord {
    /// Session.
    pub session_id: SessionId,
    /// The fields.
    pub form: SupportRecordForm,
}

/// Agent: replace the tags of one chat message of the session (A13); tags from the center's
/// message-tag list. Answer: `()`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetMessageTags {
    /// Session.
    pub session_id: SessionId,
    /// Message (must be in the session).
    pub message_id: MessageId,
    /// New tags (empty: none).
    pub tags: Vec<String>,
}

/// Agent: replace the session customer's tags (A13); tags from the center's customer-tag
/// list. Answer: `()`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetCustomerTags {
    /// Session.
    pub session_id: SessionId,
    /// New tags.
    pub tags: Vec<String>,
}

/// Agent: save the session customer's visitor card (A15). Answer: `()`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaveVisitorCard {
    /// Session.
    pub session_id: SessionId,
    /// The card.
    pub card: VisitorCard,
}

/// Agent: ask the center's context endpoint about the session's customer (A18); the relay
/// makes the HTTP call. Errors: [`ApiError::ContextUnavailable`] (no endpoint, timeout,
/// HTTP error, oversized or malformed answer). Answer: [`Response::CustomerContext`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FetchCustomerContext {
    /// Session (open).
    pub session_id: SessionId,
}

/// Most audit rows in one [`ListAuditLog`] answer.
pub const MAX_AUDIT_PAGE: u32 = 200;

/// One row of the center's audit log (操作日志, R18).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRecord {
    /// Position in the center's hash chain, from 1.
    pub seq: i64,
    /// When, unix ms.
    pub at: UnixMs,
    /// Who: `agent <id> <username>`, `customer <install id>`, `relay`, `cli`, `address <ip>`.
    pub actor: String,
    /// What: a stable snake_case code (`login`, `login_failed`, `kick`, `password_reset`,
    /// `settings_changed`, `action_granted`…); consoles translate the known ones.
    pub action: String,
    /// To what.
    pub target: String,
    /// Details (settings: `field: before → after` per line).
    pub detail: String,
}

/// Manager: a page of the center's audit log (R18), newest first: rows with `seq` below
/// `before_seq` (all when `None`), at most `limit` (capped at [`MAX_AUDIT_PAGE`]).
/// Errors: [`ApiError::NotPermitted`] for a non-manager. Answer: [`Response::AuditLog`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListAuditLog {
    /// Only rows older than this one.
    pub before_seq: Option<i64>,
    /// Rows wanted.
    pub limit: u32,
}

/// Admin or group leader: the center's directory for the admin window (M2, M3, M4): every
/// account (a group leader: those of their own groups), groups, product types and the account
/// info page. Errors: [`ApiError::NotPermitted`] for an agent. Answer:
/// [`Response::AccountDirectory`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListAccounts;

/// Admin or group leader: create an account (M3). The role may not be above the creator's; a
/// group leader creates agents of their own groups only. Without `password` the relay makes a
/// 12-character one and answers it once. Errors: `Empty`/`TooLong`/`Malformed { Username }`,
/// `Duplicate { Username }`, `TooShort { Password }`, `NotFound { Group | ProductType }`,
/// `NotPermitted { RoleWithinOwn | OwnGroupOnly | ManageCenter }`, `TooMany`. Answer:
/// [`Response::NewAccount`].
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateAccount {
    /// Login name: letters, digits, `.`, `_`, `-`, `@` (at most [`MAX_USERNAME_BYTES`]).
    pub username: String,
    /// Profile.
    pub profile: AccountProfile,
    /// Initial password (at least [`MIN_PASSWORD_CHARS`]); `None` = generate one.
    pub password: Option<String>,
}

impl std::fmt::Debug for CreateAccount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CreateAccount")
            .field("username", &self.username)
            .field("profile", &self.profile)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

/// Admin or group leader: change an account's profile, role, groups and capacity (M3, M4).
/// The actor must outrank the account (not their own) and may not give a role above their own.
/// Errors as [`CreateAccount`], plus `NotPermitted { OutrankTarget }`. Answer: `()`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpdateAccount {
    /// Account.
    pub agent_id: AgentId,
    /// New profile.
    pub profile: AccountProfile,
}

/// Admin or group leader: disable, reactivate or delete an account (M3). Disabling or deleting
/// ends its login and frees its seat; its sessions end; its history stays. A deleted account
/// cannot be reactivated. Errors: `NotPermitted { OutrankTarget | OwnGroupOnly }`,
/// `NotFound { Agent }`. Answer: `()`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetAccountStatus {
    /// Account.
    pub agent_id: AgentId,
    /// New status.
    pub status: AccountStatus,
}

/// Admin: add (`group_id: None`) or change a group (M3 分组管理). Errors: `Empty`/`TooLong
/// { GroupName }`, `Duplicate { GroupName }`, `NotFound { Group }`, `TooMany`. Answer:
/// [`Response::GroupSaved`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaveGroup {
    /// Group to change; `None` adds one at the end.
    pub group_id: Option<GroupId>,
    /// Names and visibility.
    pub entry: CatalogEntry,
    /// Regions served first (see [`GroupRecord::regions`]); `Malformed { Regions }` for a code
    /// that is not two letters, `TooMany { Regions }` beyond [`MAX_REGIONS_PER_GROUP`].
    pub regions: Vec<String>,
}

/// Admin: add or change a product type (M3). Errors as [`SaveGroup`] with
/// `ProductTypeName`/`ProductType`. Answer: [`Response::ProductTypeSaved`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaveProductType {
    /// Product type to change; `None` adds one at the end.
    pub product_type_id: Option<ProductTypeId>,
    /// Names and visibility.
    pub entry: CatalogEntry,
}

/// Admin: put the center's groups in this order (the helper shows them so). Errors:
/// `Malformed { ListOrder }` unless every group is named exactly once. Answer: `()`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReorderGroups {
    /// Every group of the center, in the new order.
    pub order: Vec<GroupId>,
}

/// Admin: put the center's product types in this order. Errors as [`ReorderGroups`].
/// Answer: `()`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReorderProductTypes {
    /// Every product type of the center, in the new order.
    pub order: Vec<ProductTypeId>,
}

/// Admin: add (`new`) or change a custom role (M4 角色权限). Nobody makes a role
/// with a permission they lack themselves or on a base above their own. Accounts holding the
/// role get the new permissions at once. Errors: `Empty`/`TooLong { RoleName }`,
/// `Duplicate { RoleName }`, `NotPermitted { ManageSettings | RoleWithinOwn }`, `TooMany`.
/// Answer: [`Response::RoleSaved`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaveRole {
    /// The role (its `role_id` is ignored when `new`; the answer carries the relay's).
    pub role: CustomRole,
    /// True to add.
    pub new: bool,
}

/// With [`Permission::BlockCustomers`]: the center's blocks in force, newest first (R16).
/// Answer: [`Response::Blocklist`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListBlocks;

/// With [`Permission::BlockCustomers`]: block a customer (R16). A matching customer
/// connected now is disconnected ([`CloseCode::Unavailable`]), their session ends and their
/// queue entry goes; later Hellos get a neutral [`RefusedReason::Unavailable`]. Errors:
/// `TooLong { Note }`, `Malformed { BlockEnd }` for an end in the past, `TooMany`. Answer:
/// [`Response::Blocked`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddBlock {
    /// What to block.
    pub target: BlockTarget,
    /// Why (at most [`MAX_BLOCK_REASON_BYTES`]).
    pub reason: String,
    /// When it ends, unix ms; `None` = until removed.
    pub expires_at: Option<UnixMs>,
}

/// With [`Permission::BlockCustomers`]: block the customer of one's own session (R16, from the
/// session tab), by installation or address. Errors as [`AddBlock`], plus `UnknownSession`,
/// `Conflict(PeerAway)` to block by address a customer who is not connected. Answer:
/// [`Response::Blocked`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockCustomer {
    /// Whose customer, and how.
    pub block: SessionBlock,
    /// Why.
    pub reason: String,
    /// When it ends, unix ms; `None` = until removed.
    pub expires_at: Option<UnixMs>,
}

/// With [`Permission::BlockCustomers`]: lift a block. Errors: `NotFound { Block }`.
/// Answer: `()`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemoveBlock {
    /// The block.
    pub block_id: BlockId,
}

/// Answer to [`GetBranding`]: the helper branding and where customers download the helper.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BrandingPage {
    /// The center's branding (M1).
    pub branding: Branding,
    /// The download page, `https://HOST:PORT/c/<center>/`, when the relay serves downloads
    /// at a public address (M11); `None` otherwise.
    pub download_page: Option<String>,
}

/// With [`Permission::ManageSettings`]: the branding page (M1, M11). Answer:
/// [`Response::BrandingPage`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GetBranding;

/// With [`Permission::ManageSettings`]: replace the helper branding (M1). Checked like the CLI
/// (text and byte limits, PNG pictures decoded within their pixel limits, https link).
/// Customers get it in their next Welcome and download. Errors: `TooLong { ProductName |
/// NoticeText | BrandImage }`, `Malformed { BrandColor | NoticeLink | BrandImage }`. Answer:
/// `()`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaveBranding {
    /// The new branding.
    pub branding: Branding,
}

/// With [`Permission::ManageSettings`]: the integrations page (R17): app ID, webhook and the
/// newest deliveries. Answer: [`Response::IntegrationPage`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GetIntegration;

/// With [`Permission::ManageSettings`]: make a new signing key (and the app ID on the first
/// call); the old key stops signing at once. The key is in the answer only, never again.
/// Answer: [`Response::AppCredentials`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RotateSigningKey;

/// With [`Permission::ManageSettings`]: replace the webhook settings. Errors: `TooLong {
/// WebhookUrl }`, `Malformed { WebhookUrl }` (not `http(s)://host…`), `Empty { WebhookUrl }`
/// when enabled without a URL, `Conflict(NoSigningKey)` when enabled before a key exists.
/// Answer: `()`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaveWebhook {
    /// The new settings.
    pub webhook: WebhookSettings,
}

/// With [`Permission::ManageSettings`]: queue a `test` event for the enabled webhook. Errors:
/// `Conflict(NoSigningKey)`, `Conflict(WebhookOff)`. Answer: `()`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendTestWebhook;

/// With [`Permission::ManageSettings`]: queue a failed delivery again (attempts start over).
/// Errors: `NotFound { Delivery }` (no failed delivery of the center has this id). Answer:
/// `()`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetryDelivery {
    /// Delivery id.
    pub id: u64,
}

requests! {
    RequestService => Queued,
    LeaveOfflineMessage => (),
    TypingPreview => (),
    SetPresence => (),
    AnswerOffer => Option<SessionInfo>,
    CreateSessionCode => SessionCode,
    TransferSession => (),
    AnswerTransfer => (),
    SendAgentChat => AgentChatMessage,
    ListOfflineMessages => Vec<OfflineMessage>,
    HandleOfflineMessage => (),
    ListCannedResponses => CannedResponses,
    SaveCannedResponse => CannedResponse,
    DeleteCannedResponse => (),
    ListKnowledgeBase => KnowledgeBase,
    ListServiceHistory => ServiceHistory,
    ReadHistoryTranscript => TranscriptPage,
    SetAutoAway => (),
    ChangePassword => (),
    ListLogins => Vec<LoginInfo>,
    KickLogin => (),
    ResetPassword => (),
    GetCenterSettings => CenterSettings,
    UpdateCenterSettings => (),
    LeaveQueue => (),
    AcceptCustomer => SessionInfo,
    SendChat => ChatMessage,
    SendChatImage => ChatMessage,
    GetChatImage => ChatImageData,
    RequestAction => (),
    AnswerConsent => (),
    StopAction => (),
    StartAction => (),
    PushSurvey => (),
    SubmitSurvey => (),
    ReportSystemInfo => (),
    FileTransferLimit => FileSizeLimit,
    RequestReconnectToken => IssuedReconnectToken,
    RedeemReconnectToken => SessionInfo,
    ListCommonFiles => Vec<CommonFile>,
    SendCommonFile => (),
    EndSession => (),
    GetCustomerProfile => CustomerProfile,
    ListPendingRecords => Vec<PendingRecordItem>,
    SaveSupportRecord => SupportRecord,
    SetMessageTags => (),
    SetCustomerTags => (),
    SaveVisitorCard => (),
    FetchCustomerContext => Vec<ContextItem>,
    ListAuditLog => Vec<AuditRecord>,
    ListAccounts => Box<AccountDirectory>,
    CreateAccount => NewAccount,
    UpdateAccount => (),
    SetAccountStatus => (),
    SaveGroup => GroupRecord,
    SaveProductType => ProductTypeRecord,
    ReorderGroups => (),
    ReorderProductTypes => (),
    SaveRole => CustomRole,
    ListBlocks => Vec<BlockRule>,
    AddBlock => BlockRule,
    BlockCustomer => BlockRule,
    RemoveBlock => (),
    GetBranding => Box<BrandingPage>,
    SaveBranding => (),
    GetIntegration => Box<IntegrationPage>,
    RotateSigningKey => AppCredentials,
    SaveWebhook => (),
    SendTestWebhook => (),
    RetryDelivery => (),
    ListKnowledgeAdmin => KnowledgeBase,
    SaveKnowledgeNode => KnowledgeNode,
    MoveKnowledgeNode => (),
    DeleteKnowledgeNode => (),
    SetKnowledgeImage => KnowledgeNode,
    GetKnowledgeImage => KnowledgeImageData,
    UploadCommonFile => (),
    DeleteCommonFile => (),
}
