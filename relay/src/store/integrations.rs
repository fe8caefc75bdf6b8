//! Integrations (R17): the center's app ID, signing key and webhook, and the durable webhook
//! outbox (`webhook_outbox`), which is also the delivery log of the admin window.
//!
//! Events are queued by the store writer in the order the core emitted them; the delivery
//! worker (`crate::webhooks`) reads each center's oldest pending row, sends it, and records the
//! attempt here. Rows stay for [`DELIVERY_LOG_RETENTION_MS`] after they are delivered or failed.

use porpoise_protocol::wire::{
    ApiError, AppCredentials, CenterId, Conflict, DeliveryStatus, IntegrationPage, Response, Thing,
    UnixMs, WebhookDelivery, WebhookEvent, WebhookSettings, MAX_DELIVERIES_LISTED,
    MAX_PENDING_DELIVERIES_PER_CENTER,
};
use rand::distr::{Alphanumeric, SampleString};
use tracing::{error, warn};

use super::{from_db, to_db, unix_ms_now, Store, StoreError};
use crate::core::{AuditAction, AuditEntry, IntegrationOp};

/// How long delivered and failed rows stay in the delivery log, ms (30 days).
pub const DELIVERY_LOG_RETENTION_MS: i64 = 30 * 24 * 3_600_000;
/// Random characters of a signing key (after its `whsec_` prefix); 43 alphanumerics ≈ 256 bits.
pub const SIGNING_KEY_CHARS: usize = 43;
/// Random characters of an app ID (after its `ppa_` prefix).
const APP_ID_CHARS: usize = 16;

/// The oldest pending delivery of a center whose webhook is on, with what is needed to send
/// it (read by the delivery worker).
#[derive(Clone, PartialEq, Eq)]
pub struct OutboxHead {
    /// Delivery id.
    pub id: u64,
    /// Center.
    pub center_id: CenterId,
    /// Event name (`session.started`…).
    pub event: String,
    /// The event's `data` object, JSON.
    pub data: String,
    /// When it happened, unix ms.
    pub created_at: UnixMs,
    /// Attempts made so far.
    pub attempts: u32,
    /// Not before, unix ms.
    pub next_attempt_at: UnixMs,
    /// The center's app ID.
    pub app_id: String,
    /// The signing key (`Debug` hides it).
    pub signing_key: String,
    /// The callback URL.
    pub url: String,
}

impl std::fmt::Debug for OutboxHead {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OutboxHead")
            .field("id", &self.id)
            .field("center_id", &self.center_id)
            .field("event", &self.event)
            .field("attempts", &self.attempts)
            .field("next_attempt_at", &self.next_attempt_at)
            .finish_non_exhaustive()
    }
}

/// How one attempt went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttemptOutcome {
    /// The receiver answered with this HTTP status.
    Answered(u16),
    /// No answer: timeout, refused connection, TLS… (a short description).
    NoAnswer(String),
}

impl AttemptOutcome {
    /// True for a 2xx answer.
    pub fn delivered(&self) -> bool {
        matches!(self, AttemptOutcome::Answered(code) if (200..300).contains(code))
    }
}

fn parse_status(text: &str) -> Result<DeliveryStatus, StoreError> {
    match text {
        "pending" => Ok(DeliveryStatus::Pending),
        "delivered" => Ok(DeliveryStatus::Delivered),
        "failed" => Ok(DeliveryStatus::Failed),
        other => Err(StoreError::Corrupt(format!("delivery status {other:?}"))),
    }
}

fn events_text(events: &[WebhookEvent]) -> String {
    events
        .iter()
        .map(|e| e.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

fn parse_events(text: &str) -> Vec<WebhookEvent> {
    text.split(',').filter_map(WebhookEvent::parse).collect()
}

/// The `integrations` row of a center.
#[derive(sqlx::FromRow)]
struct Row {
    app_id: Option<String>,
    signing_key: Option<String>,
    key_created_at: Option<i64>,
    webhook_url: String,
    webhook_events: String,
    webhook_enabled: bool,
}

impl Row {
    fn webhook(&self) -> WebhookSettings {
        WebhookSettings {
            url: self.webhook_url.clone(),
            events: parse_events(&self.webhook_events),
            enabled: self.webhook_enabled,
        }
    }
}

/// A row of [`Store::outbox_heads`]'s query.
#[derive(sqlx::FromRow)]
struct HeadRow {
    id: i64,
    center_id: i64,
    event: String,
    data: String,
    created_at: i64,
    attempts: i64,
    next_attempt_at: Option<i64>,
    app_id: String,
    signing_key: String,
    webhook_url: String,
}

type DeliveryRow = (
    i64,
    String,
    i64,
    String,
    i64,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    String,
);

impl Store {
    /// Carries out an integrations request the core checked (R17); a database failure is
    /// logged and answered `Storage`.
    pub async fn apply_integration(&self, op: &IntegrationOp) -> Result<Response, ApiError> {
        match self.run_integration(op).await {
            Ok(answer) => answer,
            Err(err) => {
                error!("integrations store failed: {err}");
                Err(ApiError::Storage)
            }
        }
    }

    async fn integration_row(&self, center_id: CenterId) -> Result<Option<Row>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT app_id, signing_key, key_created_at, webhook_url, webhook_events, \
             webhook_enabled FROM integrations WHERE center_id = ?",
        )
        .bind(i64::from(center_id.0))
        .fetch_optional(&self.pool)
        .await?)
    }

    pub(super) async fn run_integration(
        &self,
        op: &IntegrationOp,
    ) -> Result<Result<Response, ApiError>, StoreError> {
        let now = unix_ms_now();
        match op {
            IntegrationOp::Get { center_id } => {
                let row = self.integration_row(*center_id).await?;
                let deliveries = self.deliveries(*center_id, MAX_DELIVERIES_LISTED).await?;
                Ok(Ok(Response::IntegrationPage(Box::new(IntegrationPage {
                    app_id: row.as_ref().and_then(|r| r.app_id.clone()),
                    key_created_at: row.as_ref().and_then(|r| r.key_created_at),
                    webhook: row.as_ref().map(Row::webhook).unwrap_or_default(),
                    deliveries,
                }))))
            }
            IntegrationOp::Rotate { center_id, actor } => {
                let center = i64::from(center_id.0);
                let existing = self.integration_row(*center_id).await?;
                let app_id = existing
                    .and_then(|r| r.app_id)
                    .unwrap_or_else(|| format!("ppa_{}", random_text(APP_ID_CHARS).to_lowercase()));
                let signing_key = format!("whsec_{}", random_text(SIGNING_KEY_CHARS));
                sqlx::query(
                    "INSERT INTO integrations (center_id, app_id, signing_key, key_created_at) \
                     VALUES (?, ?, ?, ?) ON CONFLICT (center_id) DO UPDATE SET \
                     app_id = excluded.app_id, signing_key = excluded.signing_key, \
                     key_created_at = excluded.key_created_at",
                )
                .bind(center)
                .bind(&app_id)
                .bind(&signing_key)
                .bind(now)
                .execute(&self.pool)
                .await?;
                self.append_audit(&AuditEntry::new(
                    *center_id,
                    now,
                    actor.clone(),
                    AuditAction::SigningKeyRotated,
                    app_id.clone(),
                    String::new(),
                ))
                .await?;
                Ok(Ok(Response::AppCredentials(AppCredentials {
                    app_id,
                    signing_key,
                })))
            }
            IntegrationOp::SaveWebhook {
                center_id,
                actor,
                webhook,
            } => {
                let row = self.integration_row(*center_id).await?;
                let has_key = row.as_ref().is_some_and(|r| r.signing_key.is_some());
                if webhook.enabled && !has_key {
                    return Ok(Err(ApiError::Conflict(Conflict::NoSigningKey)));
                }
                let before = row.as_ref().map(Row::webhook).unwrap_or_default();
                sqlx::query(
                    "INSERT INTO integrations (center_id, webhook_url, webhook_events, \
                     webhook_enabled) VALUES (?, ?, ?, ?) ON CONFLICT (center_id) DO UPDATE SET \
                     webhook_url = excluded.webhook_url, \
                     webhook_events = excluded.webhook_events, \
                     webhook_enabled = excluded.webhook_enabled",
                )
                .bind(i64::from(center_id.0))
                .bind(&webhook.url)
                .bind(events_text(&webhook.events))
                .bind(webhook.enabled)
                .execute(&self.pool)
                .await?;
                self.append_audit(&AuditEntry::new(
                    *center_id,
                    now,
                    actor.clone(),
                    AuditAction::WebhookChanged,
                    "webhook".into(),
                    crate::core::value_diff(&before, webhook),
                ))
                .await?;
                self.outbox_wake.notify_one();
                Ok(Ok(Response::Done))
            }
            IntegrationOp::SendTest { center_id } => {
                let Some(row) = self.integration_row(*center_id).await? else {
                    return Ok(Err(ApiError::Conflict(Conflict::NoSigningKey)));
                };
                if row.signing_key.is_none() {
                    return Ok(Err(ApiError::Conflict(Conflict::NoSigningKey)));
                }
                if !row.webhook_enabled || row.webhook_url.is_empty() {
                    return Ok(Err(ApiError::Conflict(Conflict::WebhookOff)));
                }
                let data = serde_json::json!({ "message": "Porpoise webhook test" }).to_string();
                self.enqueue_webhook(*center_id, WebhookEvent::Test, now, &data)
                    .await?;
                Ok(Ok(Response::Done))
            }
            IntegrationOp::Retry {
                center_id,
                actor,
                id,
            } => {
                let done = sqlx::query(
                    "UPDATE webhook_outbox SET status = 'pending', attempts = 0, \
                     next_attempt_at = ?, last_error = '' \
                     WHERE id = ? AND center_id = ? AND status = 'failed'",
                )
                .bind(now)
                .bind(to_db(*id)?)
                .bind(i64::from(center_id.0))
                .execute(&self.pool)
                .await?;
                if done.rows_affected() == 0 {
                    return Ok(Err(ApiError::NotFound {
                        what: Thing::Delivery,
                    }));
                }
                self.append_audit(&AuditEntry::new(
                    *center_id,
                    now,
                    actor.clone(),
                    AuditAction::WebhookChanged,
                    format!("delivery {id}"),
                    "retry".into(),
                ))
                .await?;
                self.outbox_wake.notify_one();
                Ok(Ok(Response::Done))
            }
        }
    }

    /// Queues webhook event `event` of `center_id` if its webhook is on (with a URL and a key)
    /// and subscribed to it (a `Test` always), then wakes the delivery worker. With
    /// [`MAX_PENDING_DELIVERIES_PER_CENTER`] undelivered (pending or failed) rows already, the
    /// event is dropped with a warning in the relay's log: customers' offline messages cannot
    /// grow a dead receiver's outbox without bound.
    pub(super) async fn enqueue_webhook(
        &self,
        center_id: CenterId,
        event: WebhookEvent,
        occurred_at: UnixMs,
        data: &str,
    ) -> Result<(), StoreError> {
        let Some(row) = self.integration_row(center_id).await? else {
            return Ok(());
        };
        let wanted =
            event == WebhookEvent::Test || parse_events(&row.webhook_events).contains(&event);
        if !row.webhook_enabled
            || row.webhook_url.is_empty()
            || row.signing_key.is_none()
            || !wanted
        {
            return Ok(());
        }
        let center = i64::from(center_id.0);
        let (undelivered,): (i64,) = sqlx::query_as(
            "SELECT count(*) FROM webhook_outbox WHERE center_id = ? AND status != 'delivered'",
        )
        .bind(center)
        .fetch_one(&self.pool)
        .await?;
        if usize::try_from(undelivered).unwrap_or(usize::MAX) >= MAX_PENDING_DELIVERIES_PER_CENTER {
            warn!(%center_id, event = event.as_str(), "webhook outbox full; event dropped");
            return Ok(());
        }
        sqlx::query(
            "INSERT INTO webhook_outbox (center_id, event, data, created_at, status, \
             next_attempt_at) VALUES (?, ?, ?, ?, 'pending', ?)",
        )
        .bind(center)
        .bind(event.as_str())
        .bind(data)
        .bind(occurred_at)
        .bind(occurred_at)
        .execute(&self.pool)
        .await?;
        self.outbox_wake.notify_one();
        Ok(())
    }

    /// The newest `limit` deliveries of a center, newest first.
    pub async fn deliveries(
        &self,
        center_id: CenterId,
        limit: usize,
    ) -> Result<Vec<WebhookDelivery>, StoreError> {
        let rows: Vec<DeliveryRow> = sqlx::query_as(
            "SELECT id, event, created_at, status, attempts, last_attempt_at, next_attempt_at, \
             last_status, last_error FROM webhook_outbox WHERE center_id = ? \
             ORDER BY id DESC LIMIT ?",
        )
        .bind(i64::from(center_id.0))
        .bind(i64::try_from(limit).unwrap_or(i64::MAX))
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(
                |(id, event, created_at, status, attempts, last, next, code, err)| {
                    let status = parse_status(&status)?;
                    Ok(WebhookDelivery {
                        id: from_db(id)?,
                        event: WebhookEvent::parse(&event).ok_or_else(|| {
                            StoreError::Corrupt(format!("webhook event {event:?}"))
                        })?,
                        created_at,
                        status,
                        attempts: from_db(attempts)?,
                        last_attempt_at: last,
                        next_attempt_at: if status == DeliveryStatus::Pending {
                            next
                        } else {
                            None
                        },
                        last_status: code.map(from_db).transpose()?,
                        last_error: err,
                    })
                },
            )
            .collect()
    }

    /// The oldest pending delivery of every center whose webhook is on (one per center, so
    /// that each center's events go out in order).
    pub async fn outbox_heads(&self) -> Result<Vec<OutboxHead>, StoreError> {
        let rows: Vec<HeadRow> = sqlx::query_as(
            "SELECT o.id, o.center_id, o.event, o.data, o.created_at, o.attempts, \
             o.next_attempt_at, i.app_id, i.signing_key, i.webhook_url \
             FROM webhook_outbox o JOIN integrations i ON i.center_id = o.center_id \
             WHERE o.id IN (SELECT min(id) FROM webhook_outbox WHERE status = 'pending' \
             GROUP BY center_id) \
             AND i.webhook_enabled = 1 AND i.webhook_url != '' \
             AND i.signing_key IS NOT NULL AND i.app_id IS NOT NULL",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|r| {
                Ok(OutboxHead {
                    id: from_db(r.id)?,
                    center_id: CenterId(from_db(r.center_id)?),
                    event: r.event,
                    data: r.data,
                    created_at: r.created_at,
                    attempts: from_db(r.attempts)?,
                    next_attempt_at: r.next_attempt_at.unwrap_or(r.created_at),
                    app_id: r.app_id,
                    signing_key: r.signing_key,
                    url: r.webhook_url,
                })
            })
            .collect()
    }

    /// Records an attempt at delivery `id` made at `at`: delivered on a 2xx; otherwise pending
    /// again at `retry_at`, or failed when `retry_at` is `None` (no retries left).
    pub async fn record_attempt(
        &self,
        id: u64,
        at: UnixMs,
        outcome: &AttemptOutcome,
        retry_at: Option<UnixMs>,
    ) -> Result<(), StoreError> {
        let (status, next) = if outcome.delivered() {
            ("delivered", None)
        } else if let Some(next) = retry_at {
            ("pending", Some(next))
        } else {
            ("failed", None)
        };
        let (code, err) = match outcome {
            AttemptOutcome::Answered(code) => (Some(i64::from(*code)), String::new()),
            AttemptOutcome::NoAnswer(why) => (None, why.clone()),
        };
        sqlx::query(
            "UPDATE webhook_outbox SET status = ?, attempts = attempts + 1, last_attempt_at = ?, \
             next_attempt_at = ?, last_status = ?, last_error = ? \
             WHERE id = ? AND status = 'pending'",
        )
        .bind(status)
        .bind(at)
        .bind(next)
        .bind(code)
        .bind(err)
        .bind(to_db(id)?)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Deletes delivered and failed rows older than `before` (unix ms); returns how many.
    pub async fn prune_deliveries(&self, before: UnixMs) -> Result<u64, StoreError> {
        let done =
            sqlx::query("DELETE FROM webhook_outbox WHERE status != 'pending' AND created_at < ?")
                .bind(before)
                .execute(&self.pool)
                .await?;
        Ok(done.rows_affected())
    }

    /// Woken whenever a delivery is queued or re-queued (the delivery worker waits on it).
    pub fn outbox_wake(&self) -> std::sync::Arc<tokio::sync::Notify> {
        self.outbox_wake.clone()
    }
}

fn random_text(chars: usize) -> String {
    Alphanumeric.sample_string(&mut rand::rng(), chars)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A dead receiver and a flood of events: the outbox stops at its limit, new events are
    /// dropped; once rows are delivered, events queue again.
    #[tokio::test]
    async fn the_outbox_is_bounded_per_center() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(&dir.path().join("relay.sqlite3"))
            .await
            .expect("open");
        let center_id = store.create_center("Acme").await.expect("center").center_id;
        let actor = "cli".to_string();
        store
            .run_integration(&IntegrationOp::Rotate {
                center_id,
                actor: actor.clone(),
            })
            .await
            .expect("db")
            .expect("rotate");
        store
            .run_integration(&IntegrationOp::SaveWebhook {
                center_id,
                actor,
                webhook: WebhookSettings {
                    url: "http://127.0.0.1:9/hook".into(),
                    events: vec![WebhookEvent::OfflineMessageLeft],
                    enabled: true,
                },
            })
            .await
            .expect("db")
            .expect("save");
        let center = i64::from(center_id.0);
        sqlx::query(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) \
             INSERT INTO webhook_outbox (center_id, event, data, created_at, status) \
             SELECT ?, 'offline_message.left', '{}', i, CASE WHEN i % 2 = 0 THEN 'failed' \
             ELSE 'pending' END FROM n",
        )
        .bind(i64::try_from(MAX_PENDING_DELIVERIES_PER_CENTER).expect("max"))
        .bind(center)
        .execute(&store.pool)
        .await
        .expect("fill");
        let count = || async {
            let (n,): (i64,) =
                sqlx::query_as("SELECT count(*) FROM webhook_outbox WHERE center_id = ?")
                    .bind(center)
                    .fetch_one(&store.pool)
                    .await
                    .expect("count");
            n
        };
        let full = count().await;
        store
            .enqueue_webhook(center_id, WebhookEvent::OfflineMessageLeft, 1, "{}")
            .await
            .expect("enqueue");
        assert_eq!(count().await, full, "dropped at the limit");
        sqlx::query("UPDATE webhook_outbox SET status = 'delivered' WHERE id <= 10")
            .execute(&store.pool)
            .await
            .expect("deliver");
        store
            .enqueue_webhook(center_id, WebhookEvent::OfflineMessageLeft, 2, "{}")
            .await
            .expect("enqueue");
        assert_eq!(count().await, full + 1, "queued again below the limit");
    }
}
