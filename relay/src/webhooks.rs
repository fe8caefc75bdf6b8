//! The webhook delivery worker (R17): sends each center's queued events from the durable
//! outbox (`store::integrations`) to its callback URL, signed, in order, with retries.
//!
//! - **Order:** one delivery per center at a time, oldest first; a later event waits until the
//!   earlier one is delivered or given up.
//! - **Retries:** after a failed attempt (no answer, or any status but 2xx) the next comes
//!   after [`WebhookPolicy::retry_delay_ms`] (exponential from `first_retry_ms`, capped at
//!   `max_retry_ms`); after `max_attempts` the delivery is marked failed and the next event
//!   goes. A failed one can be queued again from the admin window.
//! - **Durability:** the outbox is the database; a relay restart resumes where it stopped.
//!   Delivery is at least once (an attempt cut by a stop is sent again): receivers deduplicate
//!   by the `Porpoise-Delivery` id.
//! - **Isolation:** at most `max_parallel` requests at once over all centers, each bounded by
//!   `timeout_ms`, run on tokio's blocking pool (ureq), never on the driver task; the answer's
//!   body is not read.
//!
//! Each request is a `POST` of [`envelope`] JSON with the headers `Porpoise-Event`,
//! `Porpoise-Delivery`, `Porpoise-App-Id` and `Porpoise-Signature: t=<unix ms>,v1=<hex>`, where
//! `v1` is HMAC-SHA256 keyed with the signing key's UTF-8 bytes over `"<t>.<body>"`
//! ([`signature`]).

use std::collections::HashSet;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use hmac::{Hmac, Mac};
use porpoise_protocol::wire::{
    CenterId, UnixMs, APP_ID_HEADER, DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER,
};
use sha2::Sha256;
use tokio::sync::{mpsc, Semaphore};
use tracing::{debug, info, warn};

use crate::store::{unix_ms_now, AttemptOutcome, OutboxHead, Store, DELIVERY_LOG_RETENTION_MS};

/// How often old delivery-log rows are pruned, ms.
const PRUNE_EVERY_MS: i64 = 3_600_000;
/// How long the worker waits before reading the outbox again after a database error, ms.
const DATABASE_RETRY_MS: u64 = 5_000;
/// Longest `last_error` kept for a delivery, bytes.
const MAX_ERROR_TEXT_BYTES: usize = 200;

/// Timeouts, retries and parallelism of webhook deliveries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookPolicy {
    /// Whole-request timeout of one attempt, ms.
    pub timeout_ms: u64,
    /// Wait before the first retry, ms; doubled for each further one.
    pub first_retry_ms: u64,
    /// Longest wait between attempts, ms.
    pub max_retry_ms: u64,
    /// Attempts before a delivery is marked failed.
    pub max_attempts: u32,
    /// Requests in flight at once over all centers.
    pub max_parallel: usize,
    /// Deliver to loopback and private addresses too (set from
    /// `RelayConfig::allow_private_outbound`; see [`crate::outbound`]).
    pub allow_private: bool,
}

impl Default for WebhookPolicy {
    /// 10 s per attempt; retries after 2 s, 4 s, 8 s … capped at 30 min; 16 attempts (about
    /// 3 hours); 8 requests at once.
    fn default() -> Self {
        WebhookPolicy {
            timeout_ms: 10_000,
            first_retry_ms: 2_000,
            max_retry_ms: 1_800_000,
            max_attempts: 16,
            max_parallel: 8,
            allow_private: false,
        }
    }
}

impl WebhookPolicy {
    /// Wait after the `attempts`-th failed attempt (1-based), ms.
    pub fn retry_delay_ms(&self, attempts: u32) -> u64 {
        let doublings = attempts.saturating_sub(1).min(40);
        self.first_retry_ms
            .saturating_mul(1u64 << doublings)
            .min(self.max_retry_ms)
    }

    /// When to try again after the `attempts`-th failed attempt made at `at`, or `None` when
    /// no attempt is left.
    pub fn retry_at(&self, attempts: u32, at: UnixMs) -> Option<UnixMs> {
        (attempts < self.max_attempts).then(|| {
            at.saturating_add(i64::try_from(self.retry_delay_ms(attempts)).unwrap_or(i64::MAX))
        })
    }
}

/// The JSON body of a delivery: `{"id", "event", "center_id", "app_id", "occurred_at",
/// "attempt", "data"}` (`attempt` is 1-based; `data` is the event's object).
pub fn envelope(head: &OutboxHead) -> Vec<u8> {
    let data: serde_json::Value = serde_json::from_str(&head.data).unwrap_or_default();
    serde_json::json!({
        "id": head.id,
        "event": head.event,
        "center_id": head.center_id.0,
        "app_id": head.app_id,
        "occurred_at": head.created_at,
        "attempt": head.attempts + 1,
        "data": data,
    })
    .to_string()
    .into_bytes()
}

/// The `Porpoise-Signature` value for `body` sent at `t` (unix ms): `t=<t>,v1=<hex>` with
/// HMAC-SHA256(`key`, `"<t>.<body>"`).
pub fn signature(key: &str, t: UnixMs, body: &[u8]) -> String {
    format!("t={t},v1={}", sign_hex(key, t, body))
}

/// Hex HMAC-SHA256 of `"<t>.<body>"` keyed with `key`'s bytes (what a receiver recomputes).
pub fn sign_hex(key: &str, t: UnixMs, body: &[u8]) -> String {
    // HMAC takes keys of any length; `new_from_slice` cannot fail for it.
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).expect("HMAC takes any key");
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("{:x}", mac.finalize().into_bytes())
}

/// Runs until `stop` completes (see the module docs).
pub async fn run(store: Store, policy: WebhookPolicy, stop: impl Future<Output = ()>) {
    tokio::pin!(stop);
    let wake = store.outbox_wake();
    let permits = Arc::new(Semaphore::new(policy.max_parallel.max(1)));
    let mut in_flight: HashSet<CenterId> = HashSet::new();
    let (done_tx, mut done_rx) = mpsc::unbounded_channel::<CenterId>();
    let mut last_prune: UnixMs = 0;
    loop {
        let now = unix_ms_now();
        if now.saturating_sub(last_prune) >= PRUNE_EVERY_MS {
            last_prune = now;
            match store
                .prune_deliveries(now - DELIVERY_LOG_RETENTION_MS)
                .await
            {
                Ok(0) => {}
                Ok(n) => debug!(rows = n, "pruned old webhook deliveries"),
                Err(e) => warn!("cannot prune webhook deliveries: {e}"),
            }
        }
        let mut wait_ms: Option<u64> = None;
        match store.outbox_heads().await {
            Ok(heads) => {
                for head in heads {
                    if in_flight.contains(&head.center_id) {
                        continue;
                    }
                    if head.next_attempt_at > now {
                        let ms = u64::try_from(head.next_attempt_at - now).unwrap_or(0);
                        wait_ms = Some(wait_ms.map_or(ms, |w| w.min(ms)));
                        continue;
                    }
                    in_flight.insert(head.center_id);
                    tokio::spawn(attempt(
                        store.clone(),
                        policy.clone(),
                        head,
                        permits.clone(),
                        done_tx.clone(),
                    ));
                }
            }
            Err(e) => {
                warn!("cannot read the webhook outbox: {e}");
                wait_ms = Some(DATABASE_RETRY_MS);
            }
        }
        let sleep = async {
            match wait_ms {
                Some(ms) => tokio::time::sleep(Duration::from_millis(ms)).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            () = &mut stop => break,
            () = wake.notified() => {}
            Some(center) = done_rx.recv() => {
                in_flight.remove(&center);
            }
            () = sleep => {}
        }
    }
    debug!("webhook worker stopped");
}

/// One attempt at `head`: send, record, free the center's slot.
async fn attempt(
    store: Store,
    policy: WebhookPolicy,
    head: OutboxHead,
    permits: Arc<Semaphore>,
    done: mpsc::UnboundedSender<CenterId>,
) {
    let center_id = head.center_id;
    {
        let _permit = permits.acquire_owned().await;
        let sent_at = unix_ms_now();
        let body = envelope(&head);
        let headers = [
            (EVENT_HEADER, head.event.clone()),
            (DELIVERY_HEADER, head.id.to_string()),
            (APP_ID_HEADER, head.app_id.clone()),
            (
                SIGNATURE_HEADER,
                signature(&head.signing_key, sent_at, &body),
            ),
        ];
        let url = head.url.clone();
        let timeout = Duration::from_millis(policy.timeout_ms);
        let allow_private = policy.allow_private;
        let outcome =
            tokio::task::spawn_blocking(move || {
                match crate::outbound::check_destination(&url, allow_private) {
                    Ok(()) => post(&url, &headers, &body, timeout, allow_private),
                    Err(refusal) => AttemptOutcome::NoAnswer(format!("not sent: {refusal}")),
                }
            })
            .await
            .unwrap_or_else(|e| AttemptOutcome::NoAnswer(format!("worker failed: {e}")));
        let attempts = head.attempts + 1;
        let retry_at = if outcome.delivered() {
            None
        } else {
            policy.retry_at(attempts, sent_at)
        };
        match &outcome {
            o if o.delivered() => {
                debug!(%center_id, id = head.id, event = %head.event, "webhook delivered");
            }
            o => info!(
                %center_id,
                id = head.id,
                event = %head.event,
                attempts,
                outcome = ?o,
                gives_up = retry_at.is_none(),
                "webhook attempt failed"
            ),
        }
        if let Err(e) = store
            .record_attempt(head.id, sent_at, &outcome, retry_at)
            .await
        {
            warn!(%center_id, id = head.id, "cannot record a webhook attempt: {e}");
        }
    }
    let _ = done.send(center_id);
}

/// POSTs `body` (blocking); the answer's status, or why none came. Redirects are not followed;
/// a host that resolves to a private address at connection time is refused
/// ([`crate::outbound::agent`]) unless `allow_private`.
fn post(
    url: &str,
    headers: &[(&str, String)],
    body: &[u8],
    timeout: Duration,
    allow_private: bool,
) -> AttemptOutcome {
    let config = ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .http_status_as_error(false)
        .max_redirects(0)
        .user_agent(concat!("Porpoise-Webhook/", env!("CARGO_PKG_VERSION")))
        .build();
    let agent = crate::outbound::agent(config, allow_private);
    let mut request = agent.post(url).header("Content-Type", "application/json");
    for (name, value) in headers {
        request = request.header(*name, value.as_str());
    }
    match request.send(body) {
        Ok(response) => AttemptOutcome::Answered(response.status().as_u16()),
        Err(ureq::Error::Timeout(_)) => AttemptOutcome::NoAnswer("timeout".into()),
        Err(ureq::Error::Io(e)) if e.kind() == std::io::ErrorKind::TimedOut => {
            AttemptOutcome::NoAnswer("timeout".into())
        }
        Err(e) => {
            let mut text = e.to_string();
            if text.len() > MAX_ERROR_TEXT_BYTES {
                let mut end = MAX_ERROR_TEXT_BYTES;
                while !text.is_char_boundary(end) {
                    end -= 1;
                }
                text.truncate(end);
            }
            AttemptOutcome::NoAnswer(text)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_double_up_to_the_cap_then_stop() {
        let p = WebhookPolicy::default();
        assert_eq!(p.retry_delay_ms(1), 2_000);
        assert_eq!(p.retry_delay_ms(2), 4_000);
        assert_eq!(p.retry_delay_ms(10), 1_024_000);
        assert_eq!(p.retry_delay_ms(11), 1_800_000);
        assert_eq!(p.retry_delay_ms(u32::MAX), 1_800_000);
        assert_eq!(p.retry_at(1, 1_000), Some(3_000));
        assert_eq!(p.retry_at(15, 0), Some(1_800_000));
        assert_eq!(p.retry_at(16, 0), None);
        let total: u64 = (1..16).map(|n| p.retry_delay_ms(n)).sum();
        assert!((2 * 3_600_000..4 * 3_600_000).contains(&total), "{total}");
    }

    #[test]
    fn signature_is_hmac_sha256_of_time_dot_body() {
        // RFC 4231 test case 2 checks the HMAC itself: key "Jefe".
        let mac = {
            let mut m = Hmac::<Sha256>::new_from_slice(b"Jefe").expect("key");
            m.update(b"what do ya want for nothing?");
            format!("{:x}", m.finalize().into_bytes())
        };
        assert_eq!(
            mac,
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        let s = signature("whsec_k", 1_700_000_000_000, b"{}");
        assert_eq!(
            s,
            format!(
                "t=1700000000000,v1={}",
                sign_hex("whsec_k", 1_700_000_000_000, b"{}")
            )
        );
        assert_ne!(sign_hex("whsec_k", 1, b"{}"), sign_hex("whsec_k", 2, b"{}"));
        assert_ne!(sign_hex("whsec_k", 1, b"{}"), sign_hex("whsec_x", 1, b"{}"));
    }

    #[test]
    fn the_envelope_carries_the_event_and_its_data() {
        let head = OutboxHead {
            id: 7,
            center_id: CenterId(8_000_001),
            event: "session.ended".into(),
            data: r#"{"session_id":3}"#.into(),
            created_at: 42,
            attempts: 2,
            next_attempt_at: 42,
            app_id: "ppa_x".into(),
            signing_key: "k".into(),
            url: "http://x".into(),
        };
        let v: serde_json::Value = serde_json::from_slice(&envelope(&head)).expect("json");
        assert_eq!(v["id"], 7);
        assert_eq!(v["event"], "session.ended");
        assert_eq!(v["attempt"], 3);
        assert_eq!(v["data"]["session_id"], 3);
        assert_eq!(v["center_id"], 8_000_001);
    }
}
