//! Integrations (R17): the admin requests of the integrations page (app ID and signing key,
//! webhook, delivery log) and the webhook events the core emits.
//!
//! Requests are checked here (permission, URL) and carried out by the store as an
//! [`IntegrationOp`], in order with the other writes. Events are emitted as
//! [`StoreOp::Webhook`] right after the write they describe; the store queues one in the
//! center's outbox only when the center's webhook is on and subscribed to it, and the delivery
//! worker (`crate::webhooks`) sends it. The event's `data` object is documented in
//! `docs/integrations.md`.

use porpoise_protocol::wire::{
    rpc, AgentId, ApiError, CenterId, Field, Permission, Request, RequestId, Response, UnixMs,
    WebhookEvent, WebhookSettings, MAX_WEBHOOK_URL_BYTES,
};
use serde_json::{json, Value};

use super::{ConnId, Connection, Core, OpenSession, StoreOp};

/// An integrations request the core checked, for the store (R17).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IntegrationOp {
    /// Read the page (answer `IntegrationPage`).
    Get {
        /// Center.
        center_id: CenterId,
    },
    /// Make a new signing key, and the app ID if there is none (answer `AppCredentials`);
    /// audited as `signing_key_rotated`.
    Rotate {
        /// Center.
        center_id: CenterId,
        /// Audit actor.
        actor: String,
    },
    /// Replace the webhook (answer `Done`); `Conflict(NoSigningKey)` when enabling before a
    /// key exists; audited with before → after.
    SaveWebhook {
        /// Center.
        center_id: CenterId,
        /// Audit actor.
        actor: String,
        /// Checked settings.
        webhook: WebhookSettings,
    },
    /// Queue a `test` event (answer `Done`); `Conflict(NoSigningKey | WebhookOff)`.
    SendTest {
        /// Center.
        center_id: CenterId,
    },
    /// Queue failed delivery `id` again (answer `Done`); `NotFound { Delivery }`; audited.
    Retry {
        /// Center.
        center_id: CenterId,
        /// Audit actor.
        actor: String,
        /// Delivery id.
        id: u64,
    },
}

/// Checks and normalises webhook settings: the URL trimmed, `http(s)://host…` without spaces
/// and at most [`MAX_WEBHOOK_URL_BYTES`]; events deduplicated in their documented order, `Test`
/// dropped.
///
/// Errors: `TooLong { WebhookUrl }`, `Malformed { WebhookUrl }`, `Empty { WebhookUrl }` when
/// enabled without a URL.
pub fn check_webhook(webhook: WebhookSettings) -> Result<WebhookSettings, ApiError> {
    let url = webhook.url.trim().to_owned();
    if url.is_empty() {
        if webhook.enabled {
            return Err(ApiError::Empty {
                field: Field::WebhookUrl,
            });
        }
    } else {
        ApiError::check_len(Field::WebhookUrl, &url, MAX_WEBHOOK_URL_BYTES)?;
        let malformed = ApiError::Malformed {
            field: Field::WebhookUrl,
        };
        let rest = url
            .strip_prefix("https://")
            .or_else(|| url.strip_prefix("http://"))
            .ok_or(malformed.clone())?;
        let host = rest.split(['/', '?', '#']).next().unwrap_or("");
        if host.is_empty() || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(malformed);
        }
    }
    let events = WebhookEvent::SUBSCRIBABLE
        .into_iter()
        .filter(|e| webhook.events.contains(e))
        .collect();
    Ok(WebhookSettings {
        url,
        events,
        enabled: webhook.enabled,
    })
}

impl Core {
    /// The integrations page's requests (R17), all needing [`Permission::ManageSettings`].
    ///
    /// Errors: `NotPermitted { ManageSettings }`; [`check_webhook`]'s.
    pub(super) fn integration_request(
        &mut self,
        conn: ConnId,
        id: RequestId,
        c: &Connection,
        agent_id: AgentId,
        body: Request,
    ) -> Result<Option<Response>, ApiError> {
        let center_id = c.center_id;
        self.require(center_id, agent_id, Permission::ManageSettings)?;
        let actor = self.audit_actor(center_id, agent_id);
        let op = match body {
            Request::GetIntegration(rpc::GetIntegration) => IntegrationOp::Get { center_id },
            Request::RotateSigningKey(rpc::RotateSigningKey) => {
                IntegrationOp::Rotate { center_id, actor }
            }
            Request::SaveWebhook(rpc::SaveWebhook { webhook }) => IntegrationOp::SaveWebhook {
                center_id,
                actor,
                webhook: check_webhook(webhook)?,
            },
            Request::SendTestWebhook(rpc::SendTestWebhook) => IntegrationOp::SendTest { center_id },
            Request::RetryDelivery(rpc::RetryDelivery { id }) => IntegrationOp::Retry {
                center_id,
                actor,
                id,
            },
            _ => return Err(ApiError::Protocol),
        };
        let token = self.next_token;
        self.next_token += 1;
        self.pending_queries.insert(token, (conn, id));
        self.persist(StoreOp::Integration { token, op });
        Ok(None)
    }

    /// Emits webhook event `event` of `center_id` that happened at `at` (unix ms) with its
    /// `data` object; the store queues it only if the center's webhook wants it.
    pub(super) fn webhook(
        &mut self,
        center_id: CenterId,
        event: WebhookEvent,
        at: UnixMs,
        data: Value,
    ) {
        self.persist(StoreOp::Webhook {
            center_id,
            event,
            occurred_at: at,
            data: data.to_string(),
        });
    }

    /// `{"id": …, "name": …}` of an account of `center_id`.
    pub(super) fn webhook_agent(&self, center_id: CenterId, agent_id: AgentId) -> Value {
        let account = self
            .centers
            .get(&center_id)
            .and_then(|c| c.accounts.get(&agent_id));
        json!({
            "id": agent_id.0,
            "username": account.map(|a| a.username.as_str()).unwrap_or_default(),
            "display_name": account.map(|a| a.display_name.as_str()).unwrap_or_default(),
        })
    }

    /// The `session.started` / `session.ended` data of a session.
    pub(super) fn webhook_session(&self, s: &OpenSession) -> Value {
        json!({
            "session_id": s.session_id.0,
            "ticket_id": s.ticket_id.0,
            "agent": self.webhook_agent(s.center_id, s.agent_id),
            "customer": {
                "install_id": format!("{:032x}", s.install_id.0),
                "name": s.customer_name,
                "phone": s.customer_phone,
            },
            "started_at": s.started_at,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hook(url: &str, enabled: bool) -> WebhookSettings {
        WebhookSettings {
            url: url.into(),
            events: vec![
                WebhookEvent::SurveyAnswered,
                WebhookEvent::Test,
                WebhookEvent::SessionStarted,
                WebhookEvent::SurveyAnswered,
            ],
            enabled,
        }
    }

    #[test]
    fn webhook_urls_are_checked_and_events_normalised() {
        let ok = check_webhook(hook("  https://crm.example.com/hook?x=1 ", true)).expect("ok");
        assert_eq!(ok.url, "https://crm.example.com/hook?x=1");
        assert_eq!(
            ok.events,
            vec![WebhookEvent::SessionStarted, WebhookEvent::SurveyAnswered]
        );
        let malformed = Err(ApiError::Malformed {
            field: Field::WebhookUrl,
        });
        assert_eq!(check_webhook(hook("ftp://x", true)), malformed);
        assert_eq!(check_webhook(hook("https:///path", true)), malformed);
        assert_eq!(check_webhook(hook("https://a b", true)), malformed);
        assert_eq!(
            check_webhook(hook("", true)),
            Err(ApiError::Empty {
                field: Field::WebhookUrl
            })
        );
        assert!(check_webhook(hook("", false)).is_ok());
        let long = format!("https://x/{}", "a".repeat(MAX_WEBHOOK_URL_BYTES));
        assert!(matches!(
            check_webhook(hook(&long, true)),
            Err(ApiError::TooLong {
                field: Field::WebhookUrl,
                ..
            })
        ));
    }
}
