//! Wire types of the support record, disposition and tags (A13), the visitor card (A15) and the
//! customer context panel (A18), with the center policy that drives them (M5, M7, R17).
//!
//! Re-exported from [`crate::wire`]; only this crate defines what crosses the network.

use serde::{Deserialize, Serialize};

use super::{AgentId, ApiError, Field, MessageId, RemoteAction, SessionId, UnixMs};

/// Largest short field of a support record or visitor card (product, problem type, subject,
/// name, phone, e-mail…), in bytes of UTF-8.
pub const MAX_RECORD_FIELD_BYTES: usize = 256;
/// Largest `content` of a support record or `notes` of a visitor card, in bytes of UTF-8.
pub const MAX_RECORD_TEXT_BYTES: usize = 8 * 1024;
/// Largest tag or disposition name, in bytes of UTF-8.
pub const MAX_TAG_BYTES: usize = 64;
/// Most entries in a center's disposition or tag list, and most tags on one message or customer.
pub const MAX_TAGS: usize = 100;
/// Default time a support record may still be filled after the session ended, hours (3 days).
pub const DEFAULT_LATE_FILL_LIMIT_H: u32 = 72;
/// Longest late-fill limit a center may set, hours (30 days); the relay keeps ended sessions
/// this long for late filling.
pub const MAX_LATE_FILL_LIMIT_H: u32 = 30 * 24;
/// Default timeout of a customer-context request, ms.
pub const DEFAULT_CONTEXT_TIMEOUT_MS: u32 = 3_000;
/// Allowed customer-context timeouts, ms.
pub const CONTEXT_TIMEOUT_RANGE_MS: std::ops::RangeInclusive<u32> = 100..=10_000;
/// Largest customer-context response body the relay reads, in bytes.
pub const MAX_CONTEXT_RESPONSE_BYTES: u64 = 64 * 1024;
/// Most items of a customer-context response that are shown; more are a malformed response.
pub const MAX_CONTEXT_ITEMS: usize = 50;
/// Longest context endpoint URL, in bytes.
pub const MAX_CONTEXT_URL_BYTES: usize = 2_048;

/// When the support record form (填写支持记录) opens (M5: 服务完毕支持端是否自动弹出支持记录框).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RecordPrompt {
    /// Never opens by itself; the agent may open it from the session's Support record button.
    Off,
    /// Opens when the session ends; the agent may skip it.
    AtSessionEnd,
    /// Opens when the session ends and cannot be skipped: save it, or (if late filling is
    /// allowed) put it on the pending list with Fill later.
    RequiredAtSessionEnd,
}

/// A center's support-record policy, dispositions and tag lists (M5, M7; A13).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordPolicy {
    /// When the form opens.
    pub prompt: RecordPrompt,
    /// Hours after the session's end during which its record may still be filled or changed
    /// (允许补填支持记录); `None`: only until the session ends plus the end-of-session form.
    /// At most [`MAX_LATE_FILL_LIMIT_H`].
    pub late_fill_h: Option<u32>,
    /// Dispositions (处理结果) an agent chooses from, in display order.
    pub dispositions: Vec<String>,
    /// True if a record cannot be saved without a disposition.
    pub disposition_required: bool,
    /// Tags an agent may put on a chat message (消息标签).
    pub message_tags: Vec<String>,
    /// Tags an agent may put on a customer (客户标签).
    pub customer_tags: Vec<String>,
}

impl Default for RecordPolicy {
    /// Opens at session end, 3 days of late filling, four common dispositions (not required),
    /// a few message and customer tags.
    fn default() -> Self {
        let list = |items: &[&str]| items.iter().map(|s| (*s).to_owned()).collect();
        RecordPolicy {
            prompt: RecordPrompt::AtSessionEnd,
            late_fill_h: Some(DEFAULT_LATE_FILL_LIMIT_H),
            dispositions: list(&["已解决", "未解决", "需跟进", "转其他部门"]),
            disposition_required: false,
            message_tags: list(&["咨询", "投诉", "建议", "故障"]),
            customer_tags: list(&["VIP", "新客户", "重要客户"]),
        }
    }
}

impl RecordPolicy {
    /// Late-fill window in ms (0 when late filling is off).
    pub fn late_fill_ms(&self) -> i64 {
        i64::from(self.late_fill_h.unwrap_or(0).min(MAX_LATE_FILL_LIMIT_H)) * 3_600_000
    }

    /// Checks the lists and limits: late fill ≤ [`MAX_LATE_FILL_LIMIT_H`], at most [`MAX_TAGS`]
    /// entries per list, each non-blank, ≤ [`MAX_TAG_BYTES`], no duplicates; a required
    /// disposition needs a non-empty list.
    ///
    /// Errors: the [`ApiError`] of the first broken rule.
    pub fn validate(&self) -> Result<(), ApiError> {
        if self.late_fill_h.is_some_and(|h| h > MAX_LATE_FILL_LIMIT_H) {
            return Err(ApiError::OutOfRange {
                field: Field::LateFillHours,
                min: 0,
                max: MAX_LATE_FILL_LIMIT_H.into(),
            });
        }
        for (field, list) in [
            (Field::Disposition, &self.dispositions),
            (Field::MessageTag, &self.message_tags),
            (Field::CustomerTag, &self.customer_tags),
        ] {
            check_tag_list(field, list)?;
        }
        if self.disposition_required && self.dispositions.is_empty() {
            return Err(ApiError::Empty {
                field: Field::Disposition,
            });
        }
        Ok(())
    }
}

/// Checks one list of tag-like names (see [`RecordPolicy::validate`]).
///
/// Errors: a text naming `what` and the broken rule.
pub fn check_tag_list(field: Field, list: &[String]) -> Result<(), ApiError> {
    if list.len() > MAX_TAGS {
        return Err(ApiError::too_many(field, MAX_TAGS));
    }
    for (i, tag) in list.iter().enumerate() {
        if tag.trim().is_empty() {
            return Err(ApiError::Empty { field });
        }
        if tag.len() > MAX_TAG_BYTES {
            return Err(ApiError::too_long(field, MAX_TAG_BYTES));
        }
        if list[..i].contains(tag) {
            return Err(ApiError::Duplicate {
                field,
                value: tag.clone(),
            });
        }
    }
    Ok(())
}

/// Where the relay asks for a customer's context (A18, R17): an HTTP(S) endpoint of the
/// center's own systems, e.g. its order database.
///
/// The relay POSTs a [`ContextQuery`] as JSON and expects a [`ContextReply`] as JSON (HTTP 200,
/// at most [`MAX_CONTEXT_RESPONSE_BYTES`]). The bearer token stays on the relay: settings sent to
/// any client carry it blanked (see [`ContextEndpoint::without_secret`]), and `Debug` redacts it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContextEndpoint {
    /// `http://` or `https://` URL, at most [`MAX_CONTEXT_URL_BYTES`].
    pub url: String,
    /// Sent as `Authorization: Bearer <token>` when not empty. In an update from an admin, an
    /// empty token with the same URL keeps the stored token.
    pub bearer_token: String,
    /// Whole-request timeout, ms, within [`CONTEXT_TIMEOUT_RANGE_MS`].
    pub timeout_ms: u32,
}

impl std::fmt::Debug for ContextEndpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let token = if self.bearer_token.is_empty() {
            "<none>"
        } else {
            "<redacted>"
        };
        f.debug_struct("ContextEndpoint")
            .field("url", &self.url)
            .field("bearer_token", &token)
            .field("timeout_ms", &self.timeout_ms)
            .finish()
    }
}

impl ContextEndpoint {
    /// The endpoint with its bearer token blanked, as clients see it.
    pub fn without_secret(&self) -> ContextEndpoint {
        ContextEndpoint {
            bearer_token: String::new(),
            ..self.clone()
        }
    }

    /// Checks the URL (http or https, a host, ≤ [`MAX_CONTEXT_URL_BYTES`], no spaces) and the
    /// timeout.
    ///
    /// Errors: [`ApiError::TooLong`], [`ApiError::Malformed`] (scheme, host, spaces) or
    /// [`ApiError::OutOfRange`] (timeout).
    pub fn validate(&self) -> Result<(), ApiError> {
        let url = self.url.trim();
        ApiError::check_len(Field::ContextUrl, url, MAX_CONTEXT_URL_BYTES)?;
        let malformed = ApiError::Malformed {
            field: Field::ContextUrl,
        };
        let rest = url
            .strip_prefix("https://")
            .or_else(|| url.strip_prefix("http://"))
            .ok_or(malformed.clone())?;
        let host = rest.split(['/', '?', '#']).next().unwrap_or("");
        if host.is_empty() || url.chars().any(char::is_whitespace) {
            return Err(malformed);
        }
        if !CONTEXT_TIMEOUT_RANGE_MS.contains(&self.timeout_ms) {
            return Err(ApiError::OutOfRange {
                field: Field::ContextTimeout,
                min: (*CONTEXT_TIMEOUT_RANGE_MS.start()).into(),
                max: (*CONTEXT_TIMEOUT_RANGE_MS.end()).into(),
            });
        }
        Ok(())
    }
}

/// What the relay POSTs (as JSON) to the center's [`ContextEndpoint`] (A18).
///
/// ```json
/// {"center_id": 8000001, "session_id": 12, "customer_name": "张三", "customer_phone": "13800000000"}
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContextQuery {
    /// The center asking.
    pub center_id: super::CenterId,
    /// The session the agent is in.
    pub session_id: SessionId,
    /// The customer's name as typed in the request.
    pub customer_name: String,
    /// The customer's phone as typed in the request.
    pub customer_phone: String,
}

/// What the center's endpoint answers (JSON, HTTP 200) (A18):
///
/// ```json
/// {"items": [{"title": "订单 202611220001", "fields": [{"label": "状态", "value": "已发货"}],
///             "text": "您的订单 202611220001 已发货。"}]}
/// ```
/// At most [`MAX_CONTEXT_ITEMS`] items; `fields` and `text` may be left out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContextReply {
    /// Items shown in the console's context panel, in the order given.
    pub items: Vec<ContextItem>,
}

/// One item of the customer context panel, e.g. one order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContextItem {
    /// Heading, e.g. the order number.
    pub title: String,
    /// Label/value lines under the heading.
    #[serde(default)]
    pub fields: Vec<ContextField>,
    /// Text the agent's Send to chat button sends (empty: no button).
    #[serde(default)]
    pub text: String,
}

/// One label/value line of a [`ContextItem`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContextField {
    /// Label, e.g. 状态.
    pub label: String,
    /// Value, e.g. 已发货.
    pub value: String,
}

/// The support record form as the agent fills it (A13): customer info, service mode, product,
/// problem type, subject, content, disposition.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupportRecordForm {
    /// Customer's name (客户信息), pre-filled from the request.
    pub customer_name: String,
    /// Customer's phone, pre-filled from the request.
    pub customer_phone: String,
    /// Remote services used besides chat (服务模式), e.g. remote control.
    pub service_modes: Vec<RemoteAction>,
    /// Product asked about (咨询产品).
    pub product: String,
    /// Problem type (问题类型).
    pub problem_type: String,
    /// Subject (主题); required.
    pub subject: String,
    /// What was done (内容); required.
    pub content: String,
    /// Disposition (处理结果) from the center's list; required when the center says so.
    pub disposition: Option<String>,
}

/// Why a [`SupportRecordForm`] cannot be saved; the console shows it next to Save.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordFormError {
    /// The subject is blank.
    #[error("the subject is required")]
    SubjectMissing,
    /// The content is blank.
    #[error("the content is required")]
    ContentMissing,
    /// The center requires a disposition and none is chosen.
    #[error("a disposition is required")]
    DispositionMissing,
    /// The disposition is not in the center's list.
    #[error("disposition '{0}' is not in the center's list")]
    UnknownDisposition(String),
    /// A field is too long.
    #[error("{field} is longer than {limit} bytes")]
    TooLong {
        /// Which field.
        field: &'static str,
        /// Its limit in bytes.
        limit: usize,
    },
}

impl SupportRecordForm {
    /// Checks the form against the center's policy: subject and content required, field
    /// lengths ([`MAX_RECORD_FIELD_BYTES`], [`MAX_RECORD_TEXT_BYTES`]), a disposition from the
    /// list, required when `policy.disposition_required`. Used by both the console (to block
    /// Save) and the relay (to refuse).
    ///
    /// Errors: the first broken rule.
    pub fn validate(&self, policy: &RecordPolicy) -> Result<(), RecordFormError> {
        for (field, value) in [
            ("customer name", &self.customer_name),
            ("customer phone", &self.customer_phone),
            ("product", &self.product),
            ("problem type", &self.problem_type),
            ("subject", &self.subject),
        ] {
            if value.len() > MAX_RECORD_FIELD_BYTES {
                let limit = MAX_RECORD_FIELD_BYTES;
                return Err(RecordFormError::TooLong { field, limit });
            }
        }
        if self.content.len() > MAX_RECORD_TEXT_BYTES {
            let limit = MAX_RECORD_TEXT_BYTES;
            return Err(RecordFormError::TooLong {
                field: "content",
                limit,
            });
        }
        if self.subject.trim().is_empty() {
            return Err(RecordFormError::SubjectMissing);
        }
        if self.content.trim().is_empty() {
            return Err(RecordFormError::ContentMissing);
        }
        match &self.disposition {
            None if policy.disposition_required => Err(RecordFormError::DispositionMissing),
            Some(d) if !policy.dispositions.contains(d) => {
                Err(RecordFormError::UnknownDisposition(d.clone()))
            }
            _ => Ok(()),
        }
    }
}

/// A saved support record (A13), one per session. Read by service history (A11) and reports
/// (M8, M9): the disposition is `form.disposition`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupportRecord {
    /// Session the record describes.
    pub session_id: SessionId,
    /// Agent who saved it last.
    pub agent_id: AgentId,
    /// Unix ms of the last save.
    pub saved_at: UnixMs,
    /// The fields.
    pub form: SupportRecordForm,
}

/// Most entries in one [`super::Response::PendingRecords`] answer (oldest first).
pub const MAX_PENDING_RECORDS: usize = 200;

/// A session the agent served whose support record is still missing and may still be filled
/// (A13 "fill later"; within the center's late-fill window). The console lists these after a
/// restart so that nothing put off is forgotten.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingRecordItem {
    /// The session.
    pub session_id: SessionId,
    /// Customer's name as typed.
    pub customer_name: String,
    /// Customer's phone as typed.
    pub customer_phone: String,
    /// Unix ms the session ended (the late-fill window counts from it).
    pub ended_at: UnixMs,
}

/// A customer's visitor card (访客名片, A15), one per customer in a center.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisitorCard {
    /// Name (姓名).
    pub name: String,
    /// Mobile number (手机).
    pub mobile: String,
    /// Landline with area code (电话).
    pub landline: String,
    /// E-mail (邮箱).
    pub email: String,
    /// QQ or WeChat id (QQ/微信).
    pub qq_wechat: String,
    /// Company (公司).
    pub company: String,
    /// Address (地址).
    pub address: String,
    /// Notes (备注), at most [`MAX_RECORD_TEXT_BYTES`].
    pub notes: String,
}

impl VisitorCard {
    /// Checks the field lengths: notes ≤ [`MAX_RECORD_TEXT_BYTES`], others ≤
    /// [`MAX_RECORD_FIELD_BYTES`].
    ///
    /// Errors: [`RecordFormError::TooLong`] naming the field.
    pub fn validate(&self) -> Result<(), RecordFormError> {
        for (field, value) in [
            ("name", &self.name),
            ("mobile", &self.mobile),
            ("landline", &self.landline),
            ("e-mail", &self.email),
            ("QQ/WeChat", &self.qq_wechat),
            ("company", &self.company),
            ("address", &self.address),
        ] {
            if value.len() > MAX_RECORD_FIELD_BYTES {
                let limit = MAX_RECORD_FIELD_BYTES;
                return Err(RecordFormError::TooLong { field, limit });
            }
        }
        if self.notes.len() > MAX_RECORD_TEXT_BYTES {
            let limit = MAX_RECORD_TEXT_BYTES;
            return Err(RecordFormError::TooLong {
                field: "notes",
                limit,
            });
        }
        Ok(())
    }
}

/// The tags of one chat message (A13).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageTags {
    /// Message.
    pub message_id: MessageId,
    /// Its tags, from the center's message-tag list.
    pub tags: Vec<String>,
}

/// What the console shows about a session's customer (A13, A15): answer to
/// `rpc::GetCustomerProfile`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerProfile {
    /// The visitor card; a customer without one gets their request's name and phone.
    pub card: VisitorCard,
    /// The customer's tags.
    pub customer_tags: Vec<String>,
    /// Tags on this session's messages.
    pub message_tags: Vec<MessageTags>,
    /// This session's support record, if saved.
    pub record: Option<SupportRecord>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filled() -> SupportRecordForm {
        SupportRecordForm {
            subject: "打印机无法连接".into(),
            content: "重新安装驱动后恢复".into(),
            ..SupportRecordForm::default()
        }
    }

    #[test]
    fn subject_content_and_disposition_rules() {
        let mut policy = RecordPolicy::default();
        assert_eq!(filled().validate(&policy), Ok(()));
        let blank = SupportRecordForm {
            subject: " ".into(),
            ..filled()
        };
        assert_eq!(
            blank.validate(&policy),
            Err(RecordFormError::SubjectMissing)
        );
        policy.disposition_required = true;
        assert_eq!(
            filled().validate(&policy),
            Err(RecordFormError::DispositionMissing)
        );
        let chosen = SupportRecordForm {
            disposition: Some("已解决".into()),
            ..filled()
        };
        assert_eq!(chosen.validate(&policy), Ok(()));
        let unknown = SupportRecordForm {
            disposition: Some("随便".into()),
            ..filled()
        };
        assert!(matches!(
            unknown.validate(&policy),
            Err(RecordFormError::UnknownDisposition(_))
        ));
    }

    #[test]
    fn policy_lists_are_checked() {
        let mut policy = RecordPolicy::default();
        assert_eq!(policy.validate(), Ok(()));
        policy.message_tags.push("咨询".into());
        assert!(matches!(
            policy.validate(),
            Err(ApiError::Duplicate {
                field: Field::MessageTag,
                ..
            })
        ));
        policy = RecordPolicy {
            dispositions: vec![],
            disposition_required: true,
            ..RecordPolicy::default()
        };
        assert!(policy.validate().is_err());
        policy = RecordPolicy {
            late_fill_h: Some(MAX_LATE_FILL_LIMIT_H + 1),
            ..RecordPolicy::default()
        };
        assert!(policy.validate().is_err());
    }

    #[test]
    fn endpoint_token_is_redacted_and_blanked() {
        let endpoint = ContextEndpoint {
            url: "https://erp.example.com/porpoise/context".into(),
            bearer_token: "s3cret-token".into(),
            timeout_ms: DEFAULT_CONTEXT_TIMEOUT_MS,
        };
        assert!(!format!("{endpoint:?}").contains("s3cret"));
        assert!(endpoint.without_secret().bearer_token.is_empty());
        assert_eq!(endpoint.validate(), Ok(()));
        let bad = ContextEndpoint {
            url: "ftp://x".into(),
            ..endpoint.clone()
        };
        assert!(bad.validate().is_err());
        let slow = ContextEndpoint {
            timeout_ms: 60_000,
            ..endpoint
        };
        assert!(slow.validate().is_err());
    }
}
