//! [`ApiError`]: why a request failed, as a code with structured fields.
//!
//! The relay never sends prose: every refusal is a variant with the numbers and names a UI
//! needs to say it in the user's language (`porpoise_ui::errors` renders zh-CN and
//! en). Text inside a variant is the user's own data (a tag they typed, the center's
//! closed-hours reply), never a message written by the relay.

use serde::{Deserialize, Serialize};

use super::{ActionState, DateYmd, Party, RemoteAction, ServiceMode, TokenRefusal};

/// A field of a request that a check refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Field {
    /// The customer's name (C2, R5).
    CustomerName,
    /// The customer's phone (C2, R5).
    CustomerPhone,
    /// A chat message's text (R13).
    ChatText,
    /// The pictures of one session (A7, C4).
    ChatPictures,
    /// The unsent text of the typing preview (R10).
    TypingPreview,
    /// A note (transfer note, offline-message handling note).
    Note,
    /// A new password.
    Password,
    /// A canned response's category (A8).
    CannedCategory,
    /// A canned response's title (A8).
    CannedTitle,
    /// A canned response's text (A8).
    CannedText,
    /// A canned response list (personal or center-wide) (A8).
    CannedResponses,
    /// A support record's subject (A13).
    RecordSubject,
    /// A support record's content (A13).
    RecordContent,
    /// Another support record or visitor card field (name, phone, product…) (A13, A15).
    RecordField,
    /// A support record's disposition (A13).
    Disposition,
    /// A customer tag (A13).
    CustomerTag,
    /// A message tag (A13).
    MessageTag,
    /// A survey's stars (C7).
    SurveyStars,
    /// A survey's comment (C7).
    SurveyComment,
    /// The offer countdown of the center's settings, in seconds (R5).
    OfferTimeout,
    /// The session-code validity of the center's settings, in seconds (R5).
    CodeValidity,
    /// The file size limit of the center's settings, in bytes (A6).
    MaxFileBytes,
    /// The late-fill window of support records, in hours (A13).
    LateFillHours,
    /// The customer context endpoint's URL (A18).
    ContextUrl,
    /// The customer context endpoint's timeout, in ms (A18).
    ContextTimeout,
    /// A text of the center's settings (replies, greetings, holidays, working hours).
    SettingsText,
    /// A common file's name (A8).
    FileName,
    /// A system-info report (A10).
    SystemInfo,
    /// The presence asked for (R4).
    Presence,
    /// The service route of a request for service (R5).
    ServiceRoute,
    /// An account's login name (M3).
    Username,
    /// An account's display name (M3).
    DisplayName,
    /// An account's job title (M13).
    AgentTitle,
    /// An account's work phone (M13).
    AgentPhone,
    /// An account's photo (M13).
    Photo,
    /// An account's most concurrent sessions (R7).
    MaxSessions,
    /// A group's name or customer-facing name (M3).
    GroupName,
    /// A product type's name or customer-facing name (M3).
    ProductTypeName,
    /// A list order (groups, product types): must name each entry exactly once.
    ListOrder,
    /// A custom role's name (M4).
    RoleName,
    /// A block's end time: must be in the future (R16).
    BlockEnd,
    /// The helper's product name (M1).
    ProductName,
    /// The helper's notice text (M1).
    NoticeText,
    /// The helper's notice link: an `https://` URL (M1).
    NoticeLink,
    /// A branding colour, `#RRGGBB` (M1).
    BrandColor,
    /// A branding picture (icon, notice image): a PNG within its size limits (M1).
    BrandImage,
    /// The webhook's callback URL (R17).
    WebhookUrl,
    /// A group's regions: two-letter country codes (R7).
    Regions,
    /// A knowledge-base node's title (M7).
    KnowledgeTitle,
    /// A knowledge-base node's reply text (M7).
    KnowledgeText,
    /// A knowledge-base node's keywords (M7).
    KnowledgeKeywords,
    /// Where a knowledge-base node goes: not under itself, not too deep (M7).
    KnowledgeParent,
    /// A knowledge-base node's validity: the end not before the start (M7).
    KnowledgeValidity,
    /// Days the center keeps transcripts and pictures (issue 14).
    RetentionDays,
    /// Files from a customer the agent's console accepts without asking: size or count.
    AutoAcceptFiles,
}

/// Something a request names that does not exist (for the asker).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Thing {
    /// The center itself (gone while the connection was open).
    Center,
    /// An agent account of the center.
    Agent,
    /// A group of the center.
    Group,
    /// A product type of the center.
    ProductType,
    /// A canned response the asker may change.
    CannedResponse,
    /// A pending offline message.
    OfflineMessage,
    /// A chat message of the session.
    Message,
    /// A live login.
    Login,
    /// A transfer still waiting for an answer.
    Transfer,
    /// An offer still open to the asker.
    Offer,
    /// A common file of the center.
    CommonFile,
    /// A chat picture.
    Picture,
    /// A blocklist entry (R16).
    Block,
    /// A failed webhook delivery (R17).
    Delivery,
    /// A knowledge-base node (M7).
    KnowledgeNode,
}

/// A permission a request needs (M4). The relay checks it; a hidden button is not a check.
/// The ones in [`GRANTABLE_PERMISSIONS`] make up roles (built-in and custom, 角色权限).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Permission {
    /// Requests only a customer's helper makes.
    Customer,
    /// Requests only an agent console makes.
    Agent,
    /// Serving customers (accepting, offers, session codes, presence).
    ServeCustomers,
    /// Picking customers from the queue (the center shows agents the whole queue).
    PickFromQueue,
    /// Managing the center (settings, logins, passwords, center-wide library).
    ManageCenter,
    /// Serving this customer: the asker is the session's member.
    SessionMember,
    /// A role above the target account's (an admin cannot reset or kick an admin or a super
    /// admin), and not one's own account (own password: `ChangePassword`).
    OutrankTarget,
    /// Giving a role no higher than one's own (M4).
    RoleWithinOwn,
    /// A group leader acts only on accounts and groups of their own groups (M4).
    OwnGroupOnly,
    /// Seeing live logins and colleagues' load (M10 监控).
    MonitorAgents,
    /// Creating, changing, disabling accounts; kicks and password resets (M3).
    ManageAccounts,
    /// The center's settings, groups, product types and roles (M1, M3, M5, M6).
    ManageSettings,
    /// The center-wide canned responses and knowledge base (M7).
    ManageLibrary,
    /// Exporting records and transcripts (M8).
    ExportRecords,
    /// Reading the audit log (R18).
    SeeAuditLog,
    /// Blocking and unblocking customers (R16 黑名单).
    BlockCustomers,
}

/// The permissions a role is made of, in the order the role editor lists them (M4).
pub const GRANTABLE_PERMISSIONS: [Permission; 9] = [
    Permission::ServeCustomers,
    Permission::PickFromQueue,
    Permission::MonitorAgents,
    Permission::ManageAccounts,
    Permission::ManageSettings,
    Permission::ManageLibrary,
    Permission::ExportRecords,
    Permission::SeeAuditLog,
    Permission::BlockCustomers,
];

/// Why a request is not possible in the current state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Conflict {
    /// The other side of the session is not connected.
    PeerAway {
        /// Who is missing.
        peer: Party,
    },
    /// The action is already requested or granted.
    ActionAlready {
        /// The action.
        action: RemoteAction,
        /// Its state.
        state: ActionState,
    },
    /// The action needs the customer's consent first.
    NotGranted {
        /// The action.
        action: RemoteAction,
    },
    /// The customer cannot start this action themselves (only sharing the screen).
    NotStartable {
        /// The action.
        action: RemoteAction,
    },
    /// The customer is already in a session.
    AlreadyInSession,
    /// The helper already has another open session.
    OtherSessionOpen,
    /// The survey of this session was already answered.
    SurveyAnswered,
    /// A transfer of this session is already waiting for an answer.
    TransferPending,
    /// The agent already serves their maximum of customers.
    MaxSessions {
        /// The maximum.
        max: u32,
    },
    /// The center has too many live session codes.
    TooManyCodes,
    /// The time allowed for filling in this support record has passed (A13).
    RecordWindowClosed,
    /// The center has no signing key yet: create one before enabling the webhook (R17).
    NoSigningKey,
    /// The webhook is off or has no URL (R17).
    WebhookOff,
    /// An upload chunk does not start where the upload stands (restart from offset 0).
    UploadOutOfOrder,
    /// The center holds [`crate::wire::MAX_PENDING_OFFLINE_MESSAGES`] unhandled offline
    /// messages: no more until agents handle some (R6).
    MailboxFull,
    /// The center's stored transcripts, pictures and offline messages reached its storage
    /// quota ([`crate::wire::CenterSettings::storage_quota_bytes`]): no new messages until an
    /// admin shortens the retention or the operator raises the quota.
    StorageFull {
        /// Bytes stored now.
        used_bytes: u64,
        /// The quota, bytes.
        quota_bytes: u64,
    },
}

/// Why a chat picture was refused (A7, C4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ImageProblem {
    /// Neither PNG nor JPEG.
    UnknownFormat,
    /// The header is cut short or inconsistent.
    Damaged,
    /// Over the byte limit.
    TooLarge {
        /// Its size, bytes.
        bytes: u64,
        /// The limit, bytes.
        max_bytes: u64,
    },
    /// A side is 0 or over the side limit.
    BadSize {
        /// Width, px.
        width: u32,
        /// Height, px.
        height: u32,
        /// The largest side allowed, px.
        max_side: u32,
    },
    /// More pixels than a picture may decode to.
    TooManyPixels {
        /// Width × height, px.
        pixels: u64,
        /// The limit, px.
        max_pixels: u64,
    },
}

/// Why the customer context could not be fetched (A18).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ContextFailure {
    /// The center has no context endpoint.
    NotConfigured,
    /// No answer within the endpoint's timeout.
    Timeout {
        /// The timeout, ms.
        timeout_ms: u32,
    },
    /// The endpoint answered with an HTTP error status.
    Status {
        /// The HTTP status code.
        code: u16,
    },
    /// The answer was larger than allowed.
    TooLarge,
    /// The answer was not the expected JSON.
    Malformed,
    /// The endpoint could not be reached.
    Unreachable,
}

/// Why a request failed: a code with structured fields, never English prose. Rendered for
/// people by `porpoise_ui::errors::api_error_text` (zh-CN and en).
///
/// The last three variants never cross the wire: the client core makes them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum ApiError {
    /// The asker lacks a permission (or the role that has it).
    #[error("not permitted: needs {needed:?}")]
    NotPermitted {
        /// What is needed.
        needed: Permission,
    },
    /// The session does not exist, is over, or is not the asker's.
    #[error("no such session")]
    UnknownSession,
    /// The queue entry is gone (served by someone else or left).
    #[error("that customer is no longer waiting")]
    UnknownTicket,
    /// Something the request names does not exist for the asker.
    #[error("no such {what:?}")]
    NotFound {
        /// What is missing.
        what: Thing,
    },
    /// A required field is blank.
    #[error("{field:?} is empty")]
    Empty {
        /// The field.
        field: Field,
    },
    /// A field is longer than its limit.
    #[error("{field:?} is longer than {max_bytes} bytes")]
    TooLong {
        /// The field.
        field: Field,
        /// The limit, bytes of UTF-8.
        max_bytes: u32,
    },
    /// A field is shorter than its minimum.
    #[error("{field:?} needs at least {min_chars} characters")]
    TooShort {
        /// The field.
        field: Field,
        /// The minimum, characters.
        min_chars: u32,
    },
    /// A list has more entries than its limit.
    #[error("at most {max} {field:?}")]
    TooMany {
        /// The list.
        field: Field,
        /// The limit, entries.
        max: u32,
    },
    /// A number is outside its range.
    #[error("{field:?} must be {min}..={max}")]
    OutOfRange {
        /// The field.
        field: Field,
        /// Smallest allowed value (unit as the field's).
        min: u64,
        /// Largest allowed value.
        max: u64,
    },
    /// A value is not in the center's list (tags, dispositions).
    #[error("{field:?} {value:?} is not in the center's list")]
    NotInList {
        /// The field.
        field: Field,
        /// The value given (the user's own text).
        value: String,
    },
    /// A value is listed twice.
    #[error("{field:?} {value:?} is listed twice")]
    Duplicate {
        /// The field.
        field: Field,
        /// The value given (the user's own text).
        value: String,
    },
    /// A field's value is malformed or not allowed here (e.g. an `Exited` presence, a
    /// non-https URL, a file name with a path).
    #[error("{field:?} is not valid")]
    Malformed {
        /// The field.
        field: Field,
    },
    /// The request used another service route than the center's mode (R5).
    #[error("this center works in {mode:?} mode")]
    WrongServiceMode {
        /// The center's mode.
        mode: ServiceMode,
    },
    /// The request is not possible in the current state.
    #[error("not possible now: {0:?}")]
    Conflict(Conflict),
    /// The relay could not store the data (disk full, database error); nothing was acknowledged.
    #[error("relay storage failed, try again")]
    Storage,
    /// Going online would use more seats than the center bought (R1).
    #[error("all {seats} seats of the center are in use")]
    NoFreeSeat {
        /// Seats bought.
        seats: u32,
    },
    /// The current password given was wrong.
    #[error("the current password is wrong")]
    WrongPassword,
    /// The session code is wrong, used or expired.
    #[error("that session code is wrong or has expired")]
    BadSessionCode,
    /// Too many attempts; wait.
    #[error("too many attempts, try again in {retry_after_s} s")]
    Throttled {
        /// Seconds to wait.
        retry_after_s: u32,
    },
    /// Nobody can serve now (off hours, holiday, nobody online): `reply` is the center's own
    /// configured reply; leave an offline message instead.
    #[error("closed: {reply}")]
    Closed {
        /// The center's reply text (the center's own words).
        reply: String,
    },
    /// The customer context could not be fetched (A18).
    #[error("customer context unavailable: {0:?}")]
    ContextUnavailable(ContextFailure),
    /// A chat picture was refused (A7, C4).
    #[error("picture refused: {0:?}")]
    BadImage(ImageProblem),
    /// A reconnect token was refused (C8).
    #[error("{0}")]
    BadReconnectToken(TokenRefusal),
    /// Client side: the relay did not answer in time.
    #[error("the relay did not answer in time")]
    Timeout,
    /// Client side: there is no connection to the relay (closed, lost, not logged in).
    #[error("not connected to the relay")]
    Disconnected,
    /// Client side: the relay answered with a reply of the wrong type, or a frame could not be
    /// written.
    #[error("protocol error")]
    Protocol,
    /// A date that does not exist in the calendar (e.g. 2027-02-31) (R12).
    #[error("{date} is not a date")]
    InvalidDate {
        /// The date given, `yyyymmdd`.
        date: DateYmd,
    },
    /// The answer would not fit one control frame, so the relay sent this instead (it never
    /// drops a frame silently).
    #[error("the answer is too large to send ({bytes} bytes, at most {max_bytes})")]
    ReplyTooLarge {
        /// Size of the encoded answer, bytes.
        bytes: u64,
        /// The frame limit, bytes.
        max_bytes: u64,
    },
    /// A time zone name the relay does not know (R12); IANA names such as `Asia/Shanghai`.
    #[error("unknown time zone {name:?}")]
    UnknownTimeZone {
        /// The name given.
        name: String,
    },
}

impl ApiError {
    /// True when the request itself was wrong (a field blank, too long, out of range, not in a
    /// list, malformed, naming something that does not exist): fix the input, not the state.
    pub fn is_bad_input(&self) -> bool {
        matches!(
            self,
            ApiError::Empty { .. }
                | ApiError::TooLong { .. }
                | ApiError::TooShort { .. }
                | ApiError::TooMany { .. }
                | ApiError::OutOfRange { .. }
                | ApiError::NotInList { .. }
                | ApiError::Duplicate { .. }
                | ApiError::Malformed { .. }
                | ApiError::NotFound { .. }
                | ApiError::WrongServiceMode { .. }
        )
    }

    /// Shorthand for [`ApiError::Conflict`] with [`Conflict::PeerAway`].
    pub fn peer_away(peer: Party) -> ApiError {
        ApiError::Conflict(Conflict::PeerAway { peer })
    }

    /// Shorthand for [`ApiError::TooLong`] with a `usize` limit.
    pub fn too_long(field: Field, max_bytes: usize) -> ApiError {
        ApiError::TooLong {
            field,
            max_bytes: u32::try_from(max_bytes).unwrap_or(u32::MAX),
        }
    }

    /// Shorthand for [`ApiError::TooMany`] with a `usize` limit.
    pub fn too_many(field: Field, max: usize) -> ApiError {
        ApiError::TooMany {
            field,
            max: u32::try_from(max).unwrap_or(u32::MAX),
        }
    }

    /// Checks a required text field: not blank, at most `max_bytes` bytes.
    ///
    /// Errors: [`ApiError::Empty`], [`ApiError::TooLong`].
    pub fn check_text(field: Field, value: &str, max_bytes: usize) -> Result<(), ApiError> {
        if value.trim().is_empty() {
            return Err(ApiError::Empty { field });
        }
        ApiError::check_len(field, value, max_bytes)
    }

    /// Checks an optional text field: at most `max_bytes` bytes.
    ///
    /// Errors: [`ApiError::TooLong`].
    pub fn check_len(field: Field, value: &str, max_bytes: usize) -> Result<(), ApiError> {
        if value.len() > max_bytes {
            return Err(ApiError::too_long(field, max_bytes));
        }
        Ok(())
    }
}

impl From<super::RecordFormError> for ApiError {
    fn from(e: super::RecordFormError) -> ApiError {
        use super::RecordFormError as R;
        match e {
            R::SubjectMissing => ApiError::Empty {
                field: Field::RecordSubject,
            },
            R::ContentMissing => ApiError::Empty {
                field: Field::RecordContent,
            },
            R::DispositionMissing => ApiError::Empty {
                field: Field::Disposition,
            },
            R::UnknownDisposition(value) => ApiError::NotInList {
                field: Field::Disposition,
                value,
            },
            R::TooLong { field, limit } => {
                let field = match field {
                    "subject" => Field::RecordSubject,
                    "content" => Field::RecordContent,
                    _ => Field::RecordField,
                };
                ApiError::too_long(field, limit)
            }
        }
    }
}

impl From<super::SurveyError> for ApiError {
    fn from(e: super::SurveyError) -> ApiError {
        match e {
            super::SurveyError::Stars(_) => ApiError::OutOfRange {
                field: Field::SurveyStars,
                min: super::MIN_SURVEY_STARS.into(),
                max: super::MAX_SURVEY_STARS.into(),
            },
            super::SurveyError::CommentTooLong(_) => ApiError::TooLong {
                field: Field::SurveyComment,
                max_bytes: u32::try_from(super::MAX_SURVEY_COMMENT_CHARS).unwrap_or(u32::MAX),
            },
        }
    }
}

impl From<super::SystemInfoError> for ApiError {
    fn from(_: super::SystemInfoError) -> ApiError {
        ApiError::Malformed {
            field: Field::SystemInfo,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_round_trip_through_postcard() {
        let errors = [
            ApiError::too_long(Field::ChatText, 16 * 1024),
            ApiError::Throttled { retry_after_s: 30 },
            ApiError::NotPermitted {
                needed: Permission::ManageCenter,
            },
            ApiError::Conflict(Conflict::ActionAlready {
                action: RemoteAction::ViewDesktop,
                state: ActionState::Granted,
            }),
            ApiError::BadImage(ImageProblem::TooManyPixels {
                pixels: 1 << 28,
                max_pixels: 1 << 25,
            }),
        ];
        for e in errors {
            let bytes = postcard::to_stdvec(&e).expect("encode");
            let back: ApiError = postcard::from_bytes(&bytes).expect("decode");
            assert_eq!(back, e);
        }
    }

    #[test]
    fn text_checks_name_the_field_and_limit() {
        assert_eq!(
            ApiError::check_text(Field::CustomerName, "  ", 10),
            Err(ApiError::Empty {
                field: Field::CustomerName
            })
        );
        assert_eq!(
            ApiError::check_text(Field::CustomerName, "abcdefghijk", 10),
            Err(ApiError::TooLong {
                field: Field::CustomerName,
                max_bytes: 10
            })
        );
        assert_eq!(ApiError::check_len(Field::Note, "", 10), Ok(()));
    }
}
