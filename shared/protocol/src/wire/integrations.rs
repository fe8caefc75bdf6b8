//! Integrations (R17): the center's app ID and signing key, and webhooks — the relay POSTs a
//! signed JSON event to the center's callback URL when a session starts, ends or is
//! transferred, an offline message is left or a survey is answered.
//!
//! Deliveries go through a durable outbox in the relay's database: each center's events are
//! delivered one at a time in the order they happened, retried with exponential backoff, and
//! survive a relay restart. The receiver checks the `Porpoise-Signature` header (see
//! `docs/integrations.md`).

use serde::{Deserialize, Serialize};

use super::UnixMs;

/// Longest webhook URL, in bytes.
pub const MAX_WEBHOOK_URL_BYTES: usize = 1024;
/// Most deliveries one [`IntegrationPage`] lists (newest first).
pub const MAX_DELIVERIES_LISTED: usize = 200;
/// Most undelivered (pending or failed) events one center's outbox holds; beyond it new
/// events are dropped (a warning in the relay's log), so a dead receiver and a flood of
/// customers' offline messages cannot fill the relay's disk.
pub const MAX_PENDING_DELIVERIES_PER_CENTER: usize = 10_000;
/// The HTTP header carrying `t=<unix ms>,v1=<hex HMAC-SHA256(key, "<t>.<body>")>`.
pub const SIGNATURE_HEADER: &str = "Porpoise-Signature";
/// The HTTP header carrying the event's name (e.g. `session.ended`).
pub const EVENT_HEADER: &str = "Porpoise-Event";
/// The HTTP header carrying the delivery id (the same on every retry of one event).
pub const DELIVERY_HEADER: &str = "Porpoise-Delivery";
/// The HTTP header carrying the center's app ID.
pub const APP_ID_HEADER: &str = "Porpoise-App-Id";

/// What a webhook is sent for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum WebhookEvent {
    /// An agent started serving a customer (`session.started`).
    SessionStarted,
    /// A session ended (`session.ended`).
    SessionEnded,
    /// A session moved to another agent (`session.transferred`).
    SessionTransferred,
    /// A customer left an offline message (`offline_message.left`).
    OfflineMessageLeft,
    /// A customer answered the satisfaction survey (`survey.answered`).
    SurveyAnswered,
    /// An administrator pressed "Send test event" (`test`); always sent when the webhook is
    /// enabled.
    Test,
}

impl WebhookEvent {
    /// Every event a center may subscribe to (not [`WebhookEvent::Test`]).
    pub const SUBSCRIBABLE: [WebhookEvent; 5] = [
        WebhookEvent::SessionStarted,
        WebhookEvent::SessionEnded,
        WebhookEvent::SessionTransferred,
        WebhookEvent::OfflineMessageLeft,
        WebhookEvent::SurveyAnswered,
    ];

    /// The name in the JSON body, the `Porpoise-Event` header and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            WebhookEvent::SessionStarted => "session.started",
            WebhookEvent::SessionEnded => "session.ended",
            WebhookEvent::SessionTransferred => "session.transferred",
            WebhookEvent::OfflineMessageLeft => "offline_message.left",
            WebhookEvent::SurveyAnswered => "survey.answered",
            WebhookEvent::Test => "test",
        }
    }

    /// The event named `name` ([`WebhookEvent::as_str`]), if any.
    pub fn parse(name: &str) -> Option<WebhookEvent> {
        WebhookEvent::SUBSCRIBABLE
            .into_iter()
            .chain([WebhookEvent::Test])
            .find(|e| e.as_str() == name)
    }
}

/// The center's webhook (callback URL) and the events it receives.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct WebhookSettings {
    /// `https://…` (or `http://…`), at most [`MAX_WEBHOOK_URL_BYTES`]; empty when none.
    pub url: String,
    /// Events sent (a subset of [`WebhookEvent::SUBSCRIBABLE`]).
    pub events: Vec<WebhookEvent>,
    /// Off: nothing is queued (events that happen meanwhile are not sent later).
    pub enabled: bool,
}

/// Where one delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DeliveryStatus {
    /// Waiting for its first attempt or a retry.
    Pending,
    /// The receiver answered 2xx.
    Delivered,
    /// Given up after the last retry, or the outbox was full; "Retry" queues it again.
    Failed,
}

/// One event in the delivery log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookDelivery {
    /// Delivery id (the `Porpoise-Delivery` header; increasing in the center's event order).
    pub id: u64,
    /// What happened.
    pub event: WebhookEvent,
    /// When it happened, unix ms.
    pub created_at: UnixMs,
    /// Where it stands.
    pub status: DeliveryStatus,
    /// Attempts made so far.
    pub attempts: u32,
    /// Last attempt, unix ms.
    pub last_attempt_at: Option<UnixMs>,
    /// Next attempt while pending, unix ms.
    pub next_attempt_at: Option<UnixMs>,
    /// HTTP status of the last answer, if one came.
    pub last_status: Option<u16>,
    /// Why the last attempt failed (timeout, refused connection…), empty if it did not; never
    /// the receiver's body.
    pub last_error: String,
}

/// Answer to [`super::rpc::GetIntegration`] (管理中心 › 集成).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntegrationPage {
    /// The center's app ID, once a signing key was created.
    pub app_id: Option<String>,
    /// When the current signing key was made, unix ms (the key itself is shown only once).
    pub key_created_at: Option<UnixMs>,
    /// The webhook.
    pub webhook: WebhookSettings,
    /// The newest deliveries, at most [`MAX_DELIVERIES_LISTED`].
    pub deliveries: Vec<WebhookDelivery>,
}

/// A new signing key, shown once (answer to [`super::rpc::RotateSigningKey`]); `Debug` hides
/// the key.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppCredentials {
    /// The center's app ID (unchanged by a rotation).
    pub app_id: String,
    /// The HMAC-SHA256 key the receiver verifies signatures with (its UTF-8 bytes are the key).
    pub signing_key: String,
}

impl std::fmt::Debug for AppCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppCredentials")
            .field("app_id", &self.app_id)
            .field("signing_key", &"<redacted>")
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_names_round_trip() {
        for e in WebhookEvent::SUBSCRIBABLE
            .into_iter()
            .chain([WebhookEvent::Test])
        {
            assert_eq!(WebhookEvent::parse(e.as_str()), Some(e));
        }
        assert_eq!(WebhookEvent::parse("session.Started"), None);
    }

    #[test]
    fn credentials_debug_hides_the_key() {
        let c = AppCredentials {
            app_id: "ppa_1".into(),
            signing_key: "secret-key".into(),
        };
        assert!(!format!("{c:?}").contains("secret-key"));
    }
}
