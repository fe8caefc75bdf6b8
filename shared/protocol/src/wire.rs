//! Wire types of the control stream and the media-stream header.
//!
//! Only this module defines what crosses the network. Every message is encoded with postcard and
//! sent as one length-delimited frame (see [`crate::framing`]). Adding a field is a protocol
//! change: bump [`PROTOCOL_VERSION`] or make the field optional at the end of a struct.

use serde::{Deserialize, Serialize};

mod records;
pub use records::*;
mod sysinfo;
pub use sysinfo::*;
mod reconnect;
pub use reconnect::*;
mod branding;
pub use branding::*;
mod survey;
pub use survey::*;
mod error;
pub use error::*;
mod directory;
pub use directory::*;
mod blocklist;
pub use blocklist::*;
mod integrations;
pub use integrations::*;
pub mod rpc;
pub use rpc::{Reply, Request, Response, Rpc};

/// Version of the control-stream protocol, sent in [`Hello`]. The relay refuses other versions
/// with [`RefusedReason::VersionMismatch`]. 4: screen frames carry a zstd reference and tile
/// runs (issue 4). 5: the agent console's records, library, files and system info (issue 5).
/// 6: chat pictures. 7: one struct per request ([`rpc`]), errors as [`ApiError`] codes.
/// 9: the center directory (accounts, groups, product types) edited from the admin window.
/// 10: integrations (app ID, signing key, webhooks) and group regions. 11: knowledge-base
/// pictures, rights pushed on change. 13: `OfferEnd::TakenByYou`.
pub const PROTOCOL_VERSION: u16 = 13;

/// ALPN protocol id negotiated in the TLS 1.3 handshake.
pub const ALPN: &[u8] = b"porpoise/1";

/// Default UDP port of the relay.
pub const DEFAULT_RELAY_PORT: u16 = 18000;

/// QUIC application close codes the relay sends when it ends a connection. Clients decide
/// on these codes (for example whether to reconnect, R13), never on the close frame's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u32)]
pub enum CloseCode {
    /// A normal close (the client said goodbye, or sent no Hello).
    Normal = 0,
    /// The client broke the protocol (malformed or oversized frame, unexpected Hello).
    Protocol = 1,
    /// The Hello was refused (a `Refused` frame came first).
    Refused = 2,
    /// The same account or helper logged in on a newer connection (R3).
    LoggedInElsewhere = 3,
    /// The relay is shutting down.
    Shutdown = 4,
    /// The client read its control stream too slowly; the relay gave up on it.
    TooSlow = 5,
    /// An admin of the center ended this login (R3 kick).
    Kicked = 6,
    /// The center does not serve this client (R16 blocklist); deliberately neutral.
    Unavailable = 7,
    /// The center's service period ended (M2 到期) while this agent was logged in.
    CenterExpired = 8,
}

impl CloseCode {
    /// Every code, in numeric order.
    pub const ALL: [CloseCode; 9] = [
        CloseCode::Normal,
        CloseCode::Protocol,
        CloseCode::Refused,
        CloseCode::LoggedInElsewhere,
        CloseCode::Shutdown,
        CloseCode::TooSlow,
        CloseCode::Kicked,
        CloseCode::Unavailable,
        CloseCode::CenterExpired,
    ];

    /// The number sent in the QUIC CONNECTION_CLOSE frame.
    pub fn code(self) -> u32 {
        self as u32
    }

    /// The code for a number received from the relay; `None` for a number it does not send.
    pub fn from_code(code: u64) -> Option<CloseCode> {
        CloseCode::ALL
            .into_iter()
            .find(|c| u64::from(c.code()) == code)
    }

    /// True when the login must not be retried: an admin kicked it, the account logged in
    /// elsewhere, or the center does not serve this client.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            CloseCode::Kicked
                | CloseCode::LoggedInElsewhere
                | CloseCode::Unavailable
                | CloseCode::CenterExpired
        )
    }
}

/// Defines an id newtype: a distinct type around its number, so ids of different things cannot
/// be mixed up. `serde(transparent)` keeps the wire format that of the bare number; `Display`,
/// `LowerHex` and `FromStr` are those of the number too (UI, logs, files, command lines).
#[macro_export]
macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident($raw:ty);) => {
        $(#[$meta])*
        #[derive(
            Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, ::serde::Serialize, ::serde::Deserialize,
        )]
        #[serde(transparent)]
        pub struct $name(pub $raw);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                std::fmt::Display::fmt(&self.0, f)
            }
        }

        impl std::fmt::LowerHex for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                std::fmt::LowerHex::fmt(&self.0, f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::num::ParseIntError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.parse().map($name)
            }
        }
    };
}
// `porpoise_quic::files::FileTransferId` uses it too (the crate needs `serde`).
pub use id_type;

id_type! {
    /// Center ID: 7 decimal digits starting with 8 (like Web1800's 800ID), e.g. `8000001`. (R1)
    CenterId(u32);
}
id_type! {
    /// Relay-assigned id of one session (customer ↔ agent conversation).
    SessionId(u64);
}
id_type! {
    /// Relay-assigned id of one queue entry (one service request of one customer).
    TicketId(u64);
}
id_type! {
    /// Client-chosen id of one request on the control stream; echoed in its
    /// [`ServerMessage::Response`].
    RequestId(u64);
}
id_type! {
    /// Client-chosen random id of a chat message; a message resent after a reconnect carries the
    /// same id and is stored only once (R13).
    MessageId(u128);
}
/// Unix time in milliseconds.
pub type UnixMs = i64;
id_type! {
    /// Relay-assigned id of an agent account (any role).
    AgentId(i64);
}
id_type! {
    /// Id of a group (分组) within a center.
    GroupId(u32);
}
id_type! {
    /// Id of a product type (产品类型) within a center.
    ProductTypeId(u32);
}
id_type! {
    /// Relay-assigned id of one offer (a routed customer proposed to one agent).
    OfferId(u64);
}
id_type! {
    /// Relay-assigned id of one transfer request.
    TransferId(u64);
}
id_type! {
    /// Relay-assigned id of one offline message (留言).
    OfflineMessageId(u64);
}
id_type! {
    /// Random id a customer's helper keeps on disk, so that a reconnecting helper resumes its
    /// open session (see [`HelloRole::Customer`]).
    InstallId(u128);
}
/// A calendar date as `yyyymmdd`, e.g. `20261001` for 1 October 2026 (in the center's time zone).
pub type DateYmd = u32;

/// True if `id` is a well-formed center ID: 7 digits, first digit 8.
pub fn is_valid_center_id(id: CenterId) -> bool {
    (8_000_000..9_000_000).contains(&id.0)
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
        install_id: InstallId,
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
// A `Request` (the center settings are its largest) is decoded once per frame and moved into
// the core; boxing it would add an allocation per frame and buy nothing.
#[allow(clippy::large_enum_variant)]
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

/// Largest chat text accepted, in bytes of UTF-8.
pub const MAX_CHAT_TEXT_BYTES: usize = 16 * 1024;
/// Largest customer name or phone accepted, in bytes of UTF-8.
pub const MAX_NAME_BYTES: usize = 128;
/// Shortest password accepted when changing or resetting one, in characters.
pub const MIN_PASSWORD_CHARS: usize = 8;
/// Least time between two typing previews from one customer, in ms (R10).
pub const TYPING_PREVIEW_INTERVAL_MS: u64 = 300;
/// Digits of a session code (R5).
pub const SESSION_CODE_DIGITS: usize = 6;

/// An agent's presence (R4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Presence {
    /// Serving: gets offers and queued customers (在线).
    Online,
    /// Busy (示忙): keeps current sessions, gets no new customers.
    Busy,
    /// Away (离开): set by hand or after the agent's idle minutes; no new customers.
    Away,
    /// Logged in but offline (离线): invisible to customers, no new customers, uses no seat.
    Offline,
    /// Not logged in (退出).
    Exited,
}

impl Presence {
    /// True if the agent may be offered new customers.
    pub fn takes_customers(self) -> bool {
        self == Presence::Online
    }

    /// True if the agent occupies a seat (online, busy or away).
    pub fn uses_seat(self) -> bool {
        matches!(self, Presence::Online | Presence::Busy | Presence::Away)
    }
}

/// An account's role (M4 basics).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Role {
    /// Serves customers.
    Agent,
    /// Serves customers and leads a group.
    GroupLeader,
    /// Manages the center only; uses no seat and serves no customers.
    Admin,
    /// Manages the center and may serve.
    SuperAdmin,
}

impl Role {
    /// True if the role may serve customers (and so needs a seat when online).
    pub fn serves(self) -> bool {
        !matches!(self, Role::Admin)
    }

    /// True if the role may manage the center (logins, kicks, passwords, settings).
    pub fn manages(self) -> bool {
        matches!(self, Role::Admin | Role::SuperAdmin)
    }

    /// What the built-in role may do (M4) when the account has no custom role.
    pub fn default_permissions(self) -> &'static [Permission] {
        use Permission::*;
        match self {
            Role::Agent => &[ServeCustomers, PickFromQueue, ExportRecords],
            Role::GroupLeader => &[
                ServeCustomers,
                PickFromQueue,
                MonitorAgents,
                ManageAccounts,
                ExportRecords,
                BlockCustomers,
            ],
            Role::Admin => &[
                MonitorAgents,
                ManageAccounts,
                ManageSettings,
                ManageLibrary,
                ExportRecords,
                SeeAuditLog,
                BlockCustomers,
            ],
            Role::SuperAdmin => &GRANTABLE_PERMISSIONS,
        }
    }

    /// The role's rank in the hierarchy (M4): Agent 0, GroupLeader 1, Admin 2, SuperAdmin 3.
    pub fn rank(self) -> u8 {
        match self {
            Role::Agent => 0,
            Role::GroupLeader => 1,
            Role::Admin => 2,
            Role::SuperAdmin => 3,
        }
    }

    /// True if an account of this role may act on another account of role `target` (reset its
    /// password, end its login, edit it): a super admin may act on anyone, an admin or a group
    /// leader only on a lower role, so an admin can never touch a super admin or another admin
    /// (M4). A group leader is further limited to their own groups (checked by the relay).
    pub fn may_act_on(self, target: Role) -> bool {
        self == Role::SuperAdmin || (self != Role::Agent && target.rank() < self.rank())
    }
}

/// How customers reach agents in a center (服务模式, R5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ServiceMode {
    /// The customer picks an agent from a list (展示模式).
    Showcase,
    /// The customer types a code the agent gave them (直通号模式).
    SessionCode,
    /// The customer picks group and product type; the relay assigns (自动分配模式).
    AutoAssign,
}

/// The route a customer's service request takes; must match the center's mode.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ServiceRoute {
    /// Showcase: this agent gets the offer.
    Showcase {
        /// Agent picked.
        agent_id: AgentId,
    },
    /// Session code: straight to the agent who made the code.
    SessionCode {
        /// The digits as typed.
        code: String,
    },
    /// Auto-assign within a group and product type.
    AutoAssign {
        /// Group picked (None: any group).
        group_id: Option<GroupId>,
        /// Product type picked (None: not asked by the center).
        product_type_id: Option<ProductTypeId>,
    },
}

/// What agents see of the queue (51助理 setting, R6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum QueueView {
    /// Agents see every waiting customer and may pick any, out of order.
    PickAny,
    /// Agents see only how many wait; customers come to them by routing.
    CountOnly,
}

/// A group of agents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Group {
    /// Id.
    pub group_id: GroupId,
    /// Name shown to customers (e.g. 售后服务).
    pub name: String,
}

/// A product type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductType {
    /// Id.
    pub product_type_id: ProductTypeId,
    /// Name shown to customers.
    pub name: String,
}

/// An agent as others see them: showcase card for customers, agent list for colleagues.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentCard {
    /// Id.
    pub agent_id: AgentId,
    /// Nickname shown to customers and colleagues.
    pub nickname: String,
    /// Job title (e.g. 技术支持工程师).
    pub title: String,
    /// Work phone shown on the showcase card (may be empty).
    pub phone: String,
    /// Photo URL or data URL (may be empty).
    pub photo: String,
    /// Groups the agent belongs to.
    pub groups: Vec<GroupId>,
    /// Current presence.
    pub presence: Presence,
    /// Open sessions now.
    pub sessions: u32,
    /// Most concurrent sessions allowed.
    pub max_sessions: u32,
}

/// What a customer's helper needs to offer the center's service mode (C2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceOptions {
    /// The center's service mode.
    pub mode: ServiceMode,
    /// Groups (tabs in showcase, choice in auto-assign).
    pub groups: Vec<Group>,
    /// Product types (auto-assign).
    pub product_types: Vec<ProductType>,
    /// Agents (showcase only; empty otherwise). Offline agents are not listed.
    pub agents: Vec<AgentCard>,
    /// True within working hours; false means requests become offline messages.
    pub open_now: bool,
    /// The reply to show when closed (holiday text or off-hours text).
    pub closed_reply: String,
    /// The center's common questions (常见问题, M6): the helper shows them with the closed
    /// reply (pushed off hours) and behind a 常见问题 button while open.
    pub faq: Vec<FaqItem>,
}

/// One common question and its answer (常见问题, M6).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct FaqItem {
    /// The question, 1..=[`MAX_FAQ_QUESTION_BYTES`].
    pub question: String,
    /// The answer, at most [`MAX_FAQ_ANSWER_BYTES`].
    pub answer: String,
}

/// Largest encoded [`CenterSettings`], bytes (holidays, replies, lists, everything): they go
/// into every agent's Welcome and `CenterSettingsChanged`, so a center cannot lock its own
/// agents out with settings that no longer fit a control frame (issue 14).
pub const MAX_CENTER_SETTINGS_BYTES: usize = 64 * 1024;

/// Most common questions of a center (M6); with [`MAX_FAQ_ANSWER_BYTES`] they stay small
/// (≤ 26 KiB) beside the branding in a customer's Welcome frame.
pub const MAX_FAQ_ITEMS: usize = 20;
/// Longest question, in bytes.
pub const MAX_FAQ_QUESTION_BYTES: usize = 256;
/// Longest answer, in bytes.
pub const MAX_FAQ_ANSWER_BYTES: usize = 1024;

/// A timed automatic text (R11).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimedReply {
    /// Seconds of silence before the text is sent.
    pub after_s: u32,
    /// Text sent.
    pub text: String,
}

/// Opening hours of one weekday, in minutes after local midnight (`end_min` exclusive, ≤ 1440).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayHours {
    /// Opening, minutes after midnight.
    pub start_min: u16,
    /// Closing, minutes after midnight.
    pub end_min: u16,
}

/// A holiday with its own automatic reply (R12).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holiday {
    /// Date.
    pub date: DateYmd,
    /// Reply shown to customers that day.
    pub reply: String,
}

/// Working hours (R12): weekly hours, extra working days (using `extra_day_hours`), holidays.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkingHours {
    /// Minutes east of UTC of the center's clock (e.g. 480 for China).
    pub utc_offset_min: i32,
    /// Monday..Sunday; `None` = closed that weekday. All `None` with no holidays = always open.
    pub weekly: [Option<DayHours>; 7],
    /// Dates that are working days although their weekday is closed (调休).
    pub extra_working_days: Vec<DateYmd>,
    /// Hours on an extra working day.
    pub extra_day_hours: DayHours,
    /// Dates closed whatever the weekday, each with its reply.
    pub holidays: Vec<Holiday>,
    /// Reply outside working hours (not a holiday).
    pub off_hours_reply: String,
    /// The center's time zone as an IANA name (e.g. `Asia/Shanghai`, `America/New_York`),
    /// daylight saving included; empty = the fixed `utc_offset_min`. Settings stored before it
    /// existed read empty.
    #[serde(default)]
    pub time_zone: String,
}

/// A center's service settings (M5/M6 basics), changed by an admin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CenterSettings {
    /// Service mode (R5).
    pub service_mode: ServiceMode,
    /// Offer countdown, seconds (default 20).
    pub offer_timeout_s: u32,
    /// Session code validity, seconds (default 600).
    pub session_code_validity_s: u32,
    /// What agents see of the queue.
    pub queue_view: QueueView,
    /// Greeting sent when a session starts; `[Supporter Name]` becomes the agent's nickname.
    pub greeting: String,
    /// Sent when the agent has not answered the customer for `after_s` (None: off).
    pub auto_reply: Option<TimedReply>,
    /// Ends a session after `after_s` without customer messages (default 300 s) with `text`.
    pub reception_timeout: Option<TimedReply>,
    /// Working hours.
    pub working_hours: WorkingHours,
    /// Seats bought (read-only for admins; set by the operator).
    pub seats: u32,
    /// Largest file sent through file transfer, in bytes (A6; default
    /// [`DEFAULT_MAX_FILE_BYTES`]). Settings stored before this field existed read the default.
    #[serde(default = "default_max_file_bytes")]
    pub max_file_bytes: u64,
    /// Support-record form, dispositions and tags (A13, M5, M7). Missing in settings stored
    /// before it existed: the default. Boxed: it is large and rarely read.
    #[serde(default)]
    pub records: Box<RecordPolicy>,
    /// Customer context endpoint (A18, R17); `None`: no context panel. Boxed like `records`.
    #[serde(default)]
    pub context_endpoint: Option<Box<ContextEndpoint>>,
    /// Show the customer the satisfaction survey when a session ends (C7, M5 "服务完毕客户端是否
    /// 自动弹出填写满意度调查"). Settings stored before this field existed read `false`.
    #[serde(default)]
    pub auto_survey: bool,
    /// Common questions shown in the helper (常见问题, M6), at most [`MAX_FAQ_ITEMS`]; pushed
    /// with the closed reply off hours. Settings stored before this field existed read none.
    #[serde(default)]
    pub faq: Vec<FaqItem>,
    /// Days transcripts (chat texts and pictures, agent chat) and handled offline messages are
    /// kept after their session ended or they were left, within [`RETENTION_DAYS_RANGE`];
    /// `None` keeps them. The relay prunes once a day (issue 14). Settings stored before this
    /// field existed read `None`.
    #[serde(default)]
    pub retention_days: Option<u32>,
    /// The center's storage quota for transcripts, pictures and offline messages, in bytes
    /// (read-only for admins; set by the operator: `porpoise-relay center storage-quota`).
    /// Default [`DEFAULT_STORAGE_QUOTA_BYTES`].
    #[serde(default = "default_storage_quota_bytes")]
    pub storage_quota_bytes: u64,
    /// Files from a customer the agent's console accepts without asking: up to this size, in
    /// bytes (0: always ask), within [`MAX_FILE_BYTES_RANGE`]'s end. Default
    /// [`DEFAULT_AUTO_ACCEPT_FILE_BYTES`].
    #[serde(default = "default_auto_accept_file_bytes")]
    pub auto_accept_file_bytes: u64,
    /// …and at most this many per session (later ones are asked about), within
    /// [`AUTO_ACCEPT_FILES_RANGE`]. Default [`DEFAULT_AUTO_ACCEPT_FILES`].
    #[serde(default = "default_auto_accept_files")]
    pub auto_accept_files: u32,
}

/// Allowed values of [`CenterSettings::retention_days`] (one day to ten years).
pub const RETENTION_DAYS_RANGE: std::ops::RangeInclusive<u32> = 1..=3650;
/// Default [`CenterSettings::storage_quota_bytes`]: 10 GiB.
pub const DEFAULT_STORAGE_QUOTA_BYTES: u64 = 10 * 1024 * 1024 * 1024;
/// Default [`CenterSettings::auto_accept_file_bytes`]: 20 MiB.
pub const DEFAULT_AUTO_ACCEPT_FILE_BYTES: u64 = 20 * 1024 * 1024;
/// Default [`CenterSettings::auto_accept_files`]: 10 per session.
pub const DEFAULT_AUTO_ACCEPT_FILES: u32 = 10;
/// Allowed values of [`CenterSettings::auto_accept_files`].
pub const AUTO_ACCEPT_FILES_RANGE: std::ops::RangeInclusive<u32> = 0..=1000;

fn default_storage_quota_bytes() -> u64 {
    DEFAULT_STORAGE_QUOTA_BYTES
}

fn default_auto_accept_file_bytes() -> u64 {
    DEFAULT_AUTO_ACCEPT_FILE_BYTES
}

fn default_auto_accept_files() -> u32 {
    DEFAULT_AUTO_ACCEPT_FILES
}

/// A file the center offers to every agent (常用文件, A8), kept by the relay.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommonFile {
    /// File name (sanitised; unique within the center).
    pub name: String,
    /// Size in bytes.
    pub size: u64,
}

/// How sending a common file ended (A8).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum CommonFileOutcome {
    /// The customer accepted it and it arrived whole (SHA-256 checked).
    Delivered {
        /// Name it was saved under on the customer's computer.
        saved_as: String,
    },
    /// The customer declined it.
    Declined,
    /// Stopped (file transfer stopped, session ended, customer cancelled or disconnected).
    Cancelled,
    /// Anything else (missing file, over the size limit, damaged); the text says what.
    Failed(String),
}

/// Default file-transfer size limit, in bytes (100 MiB; the manuals name none).
pub const DEFAULT_MAX_FILE_BYTES: u64 = 100 * 1024 * 1024;
/// Allowed values of [`CenterSettings::max_file_bytes`], in bytes (1 KiB to 4 GiB).
pub const MAX_FILE_BYTES_RANGE: std::ops::RangeInclusive<u64> = 1024..=4 * 1024 * 1024 * 1024;

fn default_max_file_bytes() -> u64 {
    DEFAULT_MAX_FILE_BYTES
}

/// Default offer countdown, seconds (Web1800: 20 s).
pub const DEFAULT_OFFER_TIMEOUT_S: u32 = 20;
/// Default session-code validity, seconds (10 minutes).
pub const DEFAULT_SESSION_CODE_VALIDITY_S: u32 = 600;
/// Default reception timeout, seconds (5 minutes without customer messages).
pub const DEFAULT_RECEPTION_TIMEOUT_S: u32 = 300;

impl Default for WorkingHours {
    /// Always open (no weekly hours, no holidays), China time.
    fn default() -> Self {
        WorkingHours {
            utc_offset_min: 480,
            weekly: [None; 7],
            extra_working_days: Vec::new(),
            extra_day_hours: DayHours {
                start_min: 9 * 60,
                end_min: 18 * 60,
            },
            holidays: Vec::new(),
            off_hours_reply: String::new(),
            time_zone: String::new(),
        }
    }
}

impl Default for CenterSettings {
    /// Auto-assign, 20 s offers, 10 min codes, agents may pick any customer, greeting with
    /// `[Supporter Name]`, no timed auto-reply, 5 min reception timeout, always open, 10 seats.
    fn default() -> Self {
        CenterSettings {
            service_mode: ServiceMode::AutoAssign,
            offer_timeout_s: DEFAULT_OFFER_TIMEOUT_S,
            session_code_validity_s: DEFAULT_SESSION_CODE_VALIDITY_S,
            queue_view: QueueView::PickAny,
            greeting: "您好，我是[Supporter Name]，很高兴为您服务。".into(),
            auto_reply: None,
            reception_timeout: Some(TimedReply {
                after_s: DEFAULT_RECEPTION_TIMEOUT_S,
                text: "您长时间没有回复，本次服务已结束。如有需要请再次联系我们。".into(),
            }),
            working_hours: WorkingHours::default(),
            seats: 10,
            max_file_bytes: DEFAULT_MAX_FILE_BYTES,
            records: Box::default(),
            context_endpoint: None,
            auto_survey: false,
            faq: Vec::new(),
            retention_days: None,
            storage_quota_bytes: DEFAULT_STORAGE_QUOTA_BYTES,
            auto_accept_file_bytes: DEFAULT_AUTO_ACCEPT_FILE_BYTES,
            auto_accept_files: DEFAULT_AUTO_ACCEPT_FILES,
        }
    }
}

/// One live login (R3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginInfo {
    /// Account.
    pub agent_id: AgentId,
    /// Username.
    pub username: String,
    /// Remote address of the connection.
    pub address: String,
    /// When it logged in.
    pub since: UnixMs,
    /// Presence.
    pub presence: Presence,
    /// The account's role (the console offers Kick only for accounts the viewer outranks).
    pub role: Role,
}

/// An offline message (留言).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfflineMessage {
    /// Id.
    pub id: OfflineMessageId,
    /// Customer's name.
    pub name: String,
    /// Phone or e-mail.
    pub contact: String,
    /// The message.
    pub text: String,
    /// When it was left.
    pub left_at: UnixMs,
    /// Handling, once handled.
    pub handled: Option<Handling>,
}

/// Most unhandled offline messages a center holds (R6); one more is refused with
/// `Conflict(MailboxFull)`, so anonymous customers cannot grow a center's memory and lists
/// without bound.
pub const MAX_PENDING_OFFLINE_MESSAGES: usize = 1000;
/// Budget of one list of offline messages (Welcome, `OfflineMessagesChanged`,
/// `ListOfflineMessages`), bytes of name, contact, text and note: the messages that fit, in
/// order, are sent, and the count says how many there are in all. Keeps every such frame far
/// below the control frame limit, however many messages wait.
pub const OFFLINE_LIST_BYTES: usize = 64 * 1024;

impl OfflineMessage {
    /// Its weight against [`OFFLINE_LIST_BYTES`]: the texts' bytes plus 64 for the fixed
    /// fields.
    pub fn list_bytes(&self) -> usize {
        64 + self.name.len()
            + self.contact.len()
            + self.text.len()
            + self.handled.as_ref().map_or(0, |h| h.note.len())
    }
}

/// How an offline message was handled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Handling {
    /// Agent who handled it.
    pub agent_id: AgentId,
    /// Note.
    pub note: String,
    /// When.
    pub at: UnixMs,
}

id_type! {
    /// Relay-assigned id of a canned response (常用语, A8).
    CannedResponseId(i64);
}
id_type! {
    /// Relay-assigned id of a knowledge-base node (知识库, A8).
    KnowledgeNodeId(i64);
}
/// Where the next transcript page starts (opaque to clients; A11).
pub type TranscriptCursor = i64;

/// Longest canned-response category, in bytes of UTF-8 (A8).
pub const MAX_CANNED_CATEGORY_BYTES: usize = 64;
/// Longest canned-response title (its keyword, shown on the button), in bytes of UTF-8 (A8).
pub const MAX_CANNED_TITLE_BYTES: usize = 128;
/// Longest canned-response text, in bytes of UTF-8 (A8).
pub const MAX_CANNED_TEXT_BYTES: usize = 4 * 1024;
/// Most personal canned responses per agent (A8).
pub const MAX_PERSONAL_CANNED: usize = 200;
/// Most center-wide canned responses per center (A8, M7).
pub const MAX_CENTER_CANNED: usize = 500;
/// Most knowledge-base nodes per center (A8, M7).
pub const MAX_KNOWLEDGE_NODES: usize = 2000;
/// Longest knowledge-base title, in bytes of UTF-8.
pub const MAX_KNOWLEDGE_TITLE_BYTES: usize = 128;
/// Longest knowledge-base keyword list (all keywords joined), in bytes of UTF-8.
pub const MAX_KNOWLEDGE_KEYWORDS_BYTES: usize = 256;
/// Longest knowledge-base reply text, in bytes of UTF-8.
pub const MAX_KNOWLEDGE_TEXT_BYTES: usize = 4 * 1024;
/// Deepest knowledge-base tree (a root node has depth 1).
pub const MAX_KNOWLEDGE_DEPTH: usize = 8;
/// Text budget of one canned-response or knowledge-base reply, in bytes; items beyond it are
/// left out and the reply says `truncated` (keeps the frame under the control-frame limit).
pub const MAX_LIBRARY_REPLY_BYTES: usize = 192 * 1024;
/// Most past sessions in one service-history reply (A11).
pub const MAX_HISTORY_ITEMS: usize = 50;
/// Most messages in one transcript page (A11).
pub const TRANSCRIPT_PAGE_MESSAGES: usize = 100;
/// Text budget of one transcript page, in bytes (a page always holds at least one message).
pub const TRANSCRIPT_PAGE_BYTES: usize = 128 * 1024;

/// Whose a canned response is (A8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CannedScope {
    /// The agent's own (个人常用语), managed in the console.
    Personal,
    /// The whole center's (全局常用语), managed by admins.
    Center,
}

/// The editable fields of a canned response (A8).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CannedDraft {
    /// Category (分类), e.g. 问候; may be empty (uncategorised). ≤ [`MAX_CANNED_CATEGORY_BYTES`].
    pub category: String,
    /// Short title or keyword shown on the button. ≤ [`MAX_CANNED_TITLE_BYTES`], not blank.
    pub title: String,
    /// The text put into the chat input. ≤ [`MAX_CANNED_TEXT_BYTES`], not blank.
    pub text: String,
}

/// A stored canned response (A8).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CannedResponse {
    /// Id.
    pub id: CannedResponseId,
    /// Personal or center-wide.
    pub scope: CannedScope,
    /// Category, title and text.
    pub draft: CannedDraft,
}

/// The canned responses an agent may use: center-wide first, then personal, each by category
/// and title.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CannedResponses {
    /// The responses.
    pub items: Vec<CannedResponse>,
    /// True if some were left out to stay within [`MAX_LIBRARY_REPLY_BYTES`].
    pub truncated: bool,
}

/// One node of the knowledge-base tree (A8): a folder (empty `text`) or a quick reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KnowledgeNode {
    /// Id.
    pub id: KnowledgeNodeId,
    /// Parent node, None for a root.
    pub parent: Option<KnowledgeNodeId>,
    /// Title shown in the tree.
    pub title: String,
    /// Search keywords (关键词).
    pub keywords: Vec<String>,
    /// Reply text put into the chat input; empty for a pure folder.
    pub text: String,
    /// Off: agents do not see it (nor its children); the admin window still does (M7 启用).
    pub enabled: bool,
    /// First day agents see it, in the center's time zone (M7 有效期); `None`: no start.
    pub valid_from: Option<DateYmd>,
    /// Last day agents see it; `None`: no end.
    pub valid_until: Option<DateYmd>,
    /// The node's picture (M7 类型 图片), sent into the chat as a chat picture; its bytes
    /// come with [`rpc::GetKnowledgeImage`] and are set with [`rpc::SetKnowledgeImage`].
    pub image: Option<ChatImage>,
}

impl KnowledgeNode {
    /// True if agents see it on `today` (enabled and within its validity).
    pub fn live_on(&self, today: DateYmd) -> bool {
        self.enabled
            && self.valid_from.is_none_or(|d| d <= today)
            && self.valid_until.is_none_or(|d| today <= d)
    }
}

/// A knowledge-base node's fields as the admin window edits them (M7).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct KnowledgeDraft {
    /// Title, 1..=[`MAX_KNOWLEDGE_TITLE_BYTES`].
    pub title: String,
    /// Keywords, together at most [`MAX_KNOWLEDGE_KEYWORDS_BYTES`].
    pub keywords: Vec<String>,
    /// Reply text (empty for a folder), at most [`MAX_KNOWLEDGE_TEXT_BYTES`].
    pub text: String,
    /// Shown to agents.
    pub enabled: bool,
    /// First day shown.
    pub valid_from: Option<DateYmd>,
    /// Last day shown (not before `valid_from`).
    pub valid_until: Option<DateYmd>,
}

/// The center's knowledge base: nodes with parents before children, siblings in display order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KnowledgeBase {
    /// The nodes.
    pub nodes: Vec<KnowledgeNode>,
    /// True if some were left out to stay within [`MAX_LIBRARY_REPLY_BYTES`].
    pub truncated: bool,
}

/// One past session of a customer (A11).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryItem {
    /// The past session.
    pub session_id: SessionId,
    /// When it started (unix ms).
    pub started_at: UnixMs,
    /// How long it lasted, in ms.
    pub duration_ms: u64,
    /// Nickname of the agent who served it last.
    pub agent_name: String,
    /// The account was deleted since (M3): consoles show it as a deleted agent.
    pub agent_deleted: bool,
    /// Customer's name as typed then.
    pub customer_name: String,
    /// Disposition (处理结果) of its support record, if one was filled (A13).
    pub disposition: Option<String>,
    /// Chat messages stored.
    pub message_count: u32,
}

/// A customer's past sessions, newest first (A11).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceHistory {
    /// The sessions, at most [`MAX_HISTORY_ITEMS`].
    pub items: Vec<HistoryItem>,
    /// True if older sessions were left out.
    pub truncated: bool,
}

/// One page of a past session's transcript (A11).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TranscriptPage {
    /// The past session.
    pub past_session_id: SessionId,
    /// Messages, oldest first.
    pub messages: Vec<ChatMessage>,
    /// Cursor of the next page, None at the end.
    pub next: Option<TranscriptCursor>,
}

/// A routed customer proposed to one agent, with a countdown (请求服务接入框).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Offer {
    /// Id.
    pub offer_id: OfferId,
    /// Queue entry offered.
    pub ticket_id: TicketId,
    /// Customer's name.
    pub customer_name: String,
    /// Customer's phone.
    pub customer_phone: String,
    /// Group asked for.
    pub group_id: Option<GroupId>,
    /// Product type asked for.
    pub product_type_id: Option<ProductTypeId>,
    /// Countdown, ms from when the event was sent.
    pub expires_in_ms: u64,
}

/// Why an offer is gone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum OfferEnd {
    /// The countdown ran out; the customer goes to the next agent.
    TimedOut,
    /// The customer left.
    CustomerLeft,
    /// Another agent took the customer.
    TakenElsewhere,
    /// The offer's own agent took the customer another way (picked it from the queue while the
    /// offer was open): the prompt closes without a notice (issue 15).
    TakenByYou,
}

/// Receiver of a transfer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TransferTarget {
    /// A colleague, who gets an accept/reject prompt.
    Agent(AgentId),
    /// A group, routed by its rules.
    Group(GroupId),
}

/// An incoming transfer prompt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransferOffer {
    /// Id.
    pub transfer_id: TransferId,
    /// Agent handing over.
    pub from_agent: AgentId,
    /// The session with its whole history.
    pub session: SessionInfo,
    /// Note from the sender.
    pub note: String,
    /// Countdown, ms from when the event was sent.
    pub expires_in_ms: u64,
}

/// How a transfer ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TransferOutcome {
    /// The receiver accepted; the session moved.
    Accepted,
    /// The receiver refused; the session stays.
    Rejected,
    /// Nobody answered in time; the session stays.
    TimedOut,
    /// No eligible receiver (offline, full, group empty).
    Unavailable,
}

/// A message between agents (R9).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentChatMessage {
    /// Random id.
    pub message_id: MessageId,
    /// Sender.
    pub from: AgentId,
    /// Receiver.
    pub to: AgentId,
    /// Text.
    pub text: String,
    /// When the relay stored it.
    pub sent_at: UnixMs,
}

/// A remote action on the customer's computer that needs the customer's consent (C5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum RemoteAction {
    /// The agent sees the customer's screen (观看桌面).
    ViewDesktop,
    /// The agent drives the customer's mouse and keyboard (远程控制). Implies seeing the screen.
    RemoteControl,
    /// The agent shows its own screen to the customer (远程演示, A6/C6).
    RemoteDemo,
    /// Text clipboard synced both ways; media flows only while remote control is granted too.
    ClipboardSync,
    /// The agent sends files to the customer (文件传输, A6/C5); the customer still accepts or
    /// declines each file. Files the customer sends need no grant (the customer starts them).
    FileTransfer,
    /// The helper reports the computer's OS, CPU, memory, disks, network adapters and running
    /// programs once (系统信息, A10); a new report needs a new consent. Allows no media stream.
    SystemInfo,
    /// The helper reboots the computer and rejoins this session after the next login
    /// (重启客户电脑并重连, A6/C8), with a one-time token. One-shot; allows no media stream.
    Reboot,
}

impl RemoteAction {
    /// Whether the customer may start this action without an agent request
    /// ([`rpc::StartAction`], C5): only sharing the screen (共享我的屏幕). Files the
    /// customer sends need no action at all.
    pub fn customer_startable(self) -> bool {
        matches!(self, RemoteAction::ViewDesktop)
    }

    /// Media streams this action allows, as (kind, direction).
    ///
    /// Clipboard streams also need [`RemoteAction::RemoteControl`] granted; the relay checks
    /// that (see `MediaKind::ALL`).
    pub fn allows(self, kind: MediaKind) -> bool {
        matches!(
            (self, kind),
            (
                RemoteAction::ViewDesktop | RemoteAction::RemoteControl,
                MediaKind::Screen
            ) | (RemoteAction::RemoteControl, MediaKind::Input)
                | (RemoteAction::RemoteDemo, MediaKind::Demo)
                | (RemoteAction::ClipboardSync, MediaKind::Clipboard)
                | (RemoteAction::FileTransfer, MediaKind::File)
        )
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
        result: Result<Response, ApiError>,
    },
    /// Something happened that the client should know.
    Event(Event),
}

/// Accepted Hello.
// Sent once per login: the agent's variant being larger than the others costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Welcome {
    /// An agent is logged in.
    Agent {
        /// The agent's display name.
        display_name: String,
        /// Customers waiting in the center's queue, oldest first (empty in `CountOnly` view).
        queue: Vec<QueueEntry>,
        /// The agent's open sessions with their history (after a reconnect or relay restart).
        sessions: Vec<SessionInfo>,
        /// Everything else an agent console needs at login.
        profile: AgentWelcome,
    },
    /// A customer's helper is connected.
    Customer {
        /// Center's display name, shown in the helper's title.
        center_name: String,
        /// The customer's open session, resumed after a reconnect.
        session: Option<SessionInfo>,
        /// The customer's queue position (1 = next) if still queued.
        queue_position: Option<u32>,
        /// How to ask for service in this center.
        options: ServiceOptions,
        /// The center's helper branding (C1, M1); `None`: the default look.
        branding: Option<Branding>,
    },
    /// Answer to [`HelloRole::Directory`]: the center's usernames for the login drop-down.
    Directory {
        /// Usernames, sorted.
        usernames: Vec<String>,
    },
}

/// The parts of an agent's Welcome beyond queue and sessions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentWelcome {
    /// The account's id.
    pub agent_id: AgentId,
    /// The account's role.
    pub role: Role,
    /// What the account may do (its custom role's permissions, else the role's defaults).
    pub permissions: Vec<Permission>,
    /// Presence after login (Online for serving roles when a seat is free, else Offline).
    pub presence: Presence,
    /// Auto-away minutes (None: off).
    pub auto_away_min: Option<u16>,
    /// Waiting customers in total (also in `CountOnly` view).
    pub queue_count: u32,
    /// The center's colleagues with their presence (R4, R9).
    pub agents: Vec<AgentCard>,
    /// The center's groups.
    pub groups: Vec<Group>,
    /// The center's product types (to name them in offers).
    pub product_types: Vec<ProductType>,
    /// The center's settings (read-only unless the role manages).
    pub settings: CenterSettings,
    /// Pending offline messages, oldest first, as many as fit [`OFFLINE_LIST_BYTES`].
    pub offline_messages: Vec<OfflineMessage>,
    /// How many offline messages are pending in all.
    pub offline_pending: u32,
    /// Offers open to this agent (after a reconnect).
    pub offers: Vec<Offer>,
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
    /// The relay is shutting down, at its connection limit or cannot read its storage.
    #[error("relay unavailable")]
    Unavailable,
    /// The account was disabled or deleted by an administrator of the center (M3).
    #[error("this account is disabled")]
    AccountDisabled,
    /// The center's service period ended (M2 到期时间); the operator extends it with
    /// `porpoise-relay center expiry`. Customers of the center get [`RefusedReason::Unavailable`].
    #[error("the center's service period ended")]
    CenterExpired {
        /// When it ended, unix ms.
        expired_at: UnixMs,
    },
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
    /// Group asked for.
    pub group_id: Option<GroupId>,
    /// Product type asked for.
    pub product_type_id: Option<ProductTypeId>,
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
    /// The picture this message carries (A7, C4), `None` for plain text. Its bytes are fetched
    /// with [`rpc::GetChatImage`]; `text` is then empty.
    pub image: Option<ChatImage>,
}

/// Most chat messages one open session keeps (both sides; the relay's own greeting and replies
/// included); one more from a person is refused with `TooMany { ChatText }` (issue 14: a
/// session's memory and storage are bounded).
pub const MAX_MESSAGES_PER_SESSION: usize = 5_000;
/// Most pictures in one session (both sides); one more is refused with
/// `TooMany { ChatPictures }` (at most 100 × 192 KiB ≈ 19 MiB stored per session).
pub const MAX_PICTURES_PER_SESSION: usize = 100;

/// Largest chat picture, in bytes of the encoded PNG or JPEG (A7, C4). Clients re-encode and
/// scale down bigger pictures (see `chat_image::prepare`) so that one always fits a control frame.
pub const MAX_CHAT_IMAGE_BYTES: usize = 192 * 1024;
/// Largest side of a chat picture, in pixels; the relay refuses bigger ones.
pub const MAX_CHAT_IMAGE_SIDE: u32 = 8192;

/// Encoding of a chat picture.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ImageFormat {
    /// PNG (screenshots, pasted pictures that fit).
    Png,
    /// Baseline or progressive JPEG (photos, pictures re-encoded to fit).
    Jpeg,
}

/// What a chat message's picture is, as checked by the relay from the bytes themselves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ChatImage {
    /// Encoding.
    pub format: ImageFormat,
    /// Width, px (1..=[`MAX_CHAT_IMAGE_SIDE`]).
    pub width: u32,
    /// Height, px (1..=[`MAX_CHAT_IMAGE_SIDE`]).
    pub height: u32,
    /// Encoded size, bytes (≤ [`MAX_CHAT_IMAGE_BYTES`]).
    pub bytes: u32,
}

/// Pushed events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Event {
    /// Agent: the center's queue changed; the full queue, oldest first (empty in `CountOnly`).
    QueueChanged {
        /// Waiting customers.
        queue: Vec<QueueEntry>,
        /// How many wait in total.
        count: u32,
    },
    /// Customer: the queue position changed (1 = next).
    QueuePosition {
        /// New position.
        position: u32,
        /// Estimated wait from recent handling times, seconds (None: no data yet).
        estimated_wait_s: Option<u32>,
    },
    /// Customer: the center's service options changed (mode, showcase presence, hours).
    ServiceOptionsChanged(ServiceOptions),
    /// Agent: colleagues' presence or load changed; the full list.
    AgentsChanged {
        /// Every account of the center that serves.
        agents: Vec<AgentCard>,
    },
    /// Agent: own presence changed (by the relay, e.g. seat lost, or another device).
    PresenceChanged {
        /// New presence.
        presence: Presence,
    },
    /// Agent: a customer is offered, with a countdown.
    OfferReceived(Offer),
    /// Agent: an offer is gone.
    OfferWithdrawn {
        /// Offer.
        offer_id: OfferId,
        /// Why.
        reason: OfferEnd,
    },
    /// Agent: a colleague wants to hand over a session.
    TransferOffered(TransferOffer),
    /// Agent (sender and receiver): a transfer ended.
    TransferResolved {
        /// Transfer.
        transfer_id: TransferId,
        /// Session concerned.
        session_id: SessionId,
        /// Outcome.
        outcome: TransferOutcome,
    },
    /// Agent: a session was transferred away from this agent (it leaves the console).
    SessionTransferredAway {
        /// Session.
        session_id: SessionId,
        /// New agent's nickname.
        to_agent_name: String,
    },
    /// Customer: another agent now serves the session.
    AgentChanged {
        /// Session.
        session_id: SessionId,
        /// New agent's nickname.
        agent_name: String,
    },
    /// Agent: a colleague's message.
    AgentChatReceived(AgentChatMessage),
    /// Agent: the customer's unsent text (R10).
    TypingPreview {
        /// Session.
        session_id: SessionId,
        /// Current unsent text.
        text: String,
    },
    /// Agent: the pending offline messages changed; the full pending list, oldest first.
    OfflineMessagesChanged {
        /// Pending messages, oldest first, as many as fit [`OFFLINE_LIST_BYTES`].
        pending: Vec<OfflineMessage>,
        /// How many are pending in all.
        count: u32,
    },
    /// Agent: the center's settings changed.
    CenterSettingsChanged(Box<CenterSettings>),
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
    /// Customer: show the satisfaction survey for this session (C7): after the session ended
    /// when the center's `auto_survey` is on, or pushed by the agent during the session.
    SurveyRequested {
        /// Session to rate.
        session_id: SessionId,
    },
    /// Agent: the customer answered the satisfaction survey of a session it served (C7).
    SurveySubmitted {
        /// Session rated.
        session_id: SessionId,
        /// The answer.
        answer: SurveyAnswer,
    },
    /// Agent: the customer's system-info report (A10), once per granted
    /// [`RemoteAction::SystemInfo`].
    SystemInfoReported {
        /// Session.
        session_id: SessionId,
        /// The report (boxed: it is large and rare).
        info: Box<SystemInfo>,
    },
    /// Agent: how sending a common file ([`rpc::SendCommonFile`]) ended (A8).
    CommonFileSent {
        /// Session.
        session_id: SessionId,
        /// The common file's name.
        name: String,
        /// Outcome.
        outcome: CommonFileOutcome,
    },
    /// Agent: the customer's computer is rebooting (C8); the session stays open until
    /// `until` (Unix ms), then ends `by: Relay` unless the customer is back.
    CustomerRebooting {
        /// Session.
        session_id: SessionId,
        /// Unix ms the wait ends.
        until: UnixMs,
    },
    /// Agent: the customer is back after a reboot (C8); chat and actions work again.
    CustomerReconnected {
        /// Session.
        session_id: SessionId,
    },
    /// Both sides: the session is over.
    SessionEnded {
        /// Session.
        session_id: SessionId,
        /// Who ended it.
        by: Party,
    },
    /// Agent: an admin changed this account's role or its custom role's permissions (M4);
    /// the console's menus follow at once. The relay already checks requests by these.
    RightsChanged {
        /// The account's role now.
        role: Role,
        /// What the account may do now.
        permissions: Vec<Permission>,
    },
    /// Agent: the center's groups or product types changed (M3); the full lists in order.
    DirectoryChanged {
        /// Groups (agents see hidden ones too).
        groups: Vec<Group>,
        /// Product types.
        product_types: Vec<ProductType>,
    },
}

/// Kind of a media stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MediaKind {
    /// Screen frames from helper to agent; acknowledgements flow back on the same stream.
    Screen,
    /// Input events from agent to helper.
    Input,
    /// The agent's screen shown to the customer (remote demo): frames agent → helper, acks back.
    Demo,
    /// Clipboard text both ways (`porpoise_platform::clipboard`), opened by the agent.
    Clipboard,
    /// One file (`porpoise_quic::files`, A6/C5), opened by its sender: the agent only while
    /// [`RemoteAction::FileTransfer`] is granted, the customer whenever the session is open.
    File,
}

impl MediaKind {
    /// Every kind.
    pub const ALL: [MediaKind; 5] = [
        MediaKind::Screen,
        MediaKind::Input,
        MediaKind::Demo,
        MediaKind::Clipboard,
        MediaKind::File,
    ];

    /// Whether `party` may open streams of this kind: screens come from the customer, input,
    /// demo and clipboard from the agent, files from either side.
    pub fn may_open(self, party: Party) -> bool {
        match self {
            MediaKind::Screen => party == Party::Customer,
            MediaKind::Input | MediaKind::Demo | MediaKind::Clipboard => party == Party::Agent,
            MediaKind::File => matches!(party, Party::Agent | Party::Customer),
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
                center_id: CenterId(8_000_001),
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
            center_id: CenterId(8_000_001),
            username: "agent1".into(),
            password: "hunter2-secret".into(),
        };
        let text = format!("{role:?}");
        assert!(!text.contains("hunter2"), "{text}");
        assert!(text.contains("agent1"));
    }

    #[test]
    fn center_id_shape() {
        assert!(is_valid_center_id(CenterId(8_000_001)));
        assert!(!is_valid_center_id(CenterId(7_999_999)));
        assert!(!is_valid_center_id(CenterId(80_000_001)));
    }

    #[test]
    fn ids_are_their_numbers_on_the_wire_and_in_text() {
        fn bytes<T: Serialize>(value: &T) -> Vec<u8> {
            postcard::to_allocvec(value).expect("encode")
        }
        assert_eq!(bytes(&SessionId(300)), bytes(&300u64));
        assert_eq!(bytes(&CenterId(8_000_001)), bytes(&8_000_001u32));
        assert_eq!(bytes(&AgentId(-5)), bytes(&-5i64));
        assert_eq!(bytes(&MessageId(u128::MAX)), bytes(&u128::MAX));
        let role = HelloRole::Customer {
            center_id: CenterId(8_000_001),
            install_id: InstallId(0xABC),
        };
        let back: HelloRole =
            postcard::from_bytes(&postcard::to_allocvec(&role).expect("encode")).expect("decode");
        assert_eq!(back, role);
        assert_eq!(SessionId(42).to_string(), "42");
        assert_eq!(
            format!("{:032x}", MessageId(0xAB)),
            format!("{:032x}", 0xABu128)
        );
        assert_eq!("8000001".parse(), Ok(CenterId(8_000_001)));
        assert!("x".parse::<CenterId>().is_err());
    }

    #[test]
    fn view_does_not_allow_input() {
        assert!(RemoteAction::ViewDesktop.allows(MediaKind::Screen));
        assert!(!RemoteAction::ViewDesktop.allows(MediaKind::Input));
        assert!(RemoteAction::RemoteControl.allows(MediaKind::Input));
    }
}
