//! Webhooks (R17) from a real relay to a real HTTP receiver (hyper on loopback): an admin makes
//! the signing key and turns the webhook on; session, transfer-free session end, survey and
//! offline-message events arrive signed (HMAC-SHA256 recomputed here with the key shown once),
//! in the order they happened, and a 500 is retried; events queued while the receiver is down
//! survive a relay restart; an agent without the permission is refused by the relay.

use std::convert::Infallible;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use hmac::{Hmac, Mac};
use http_body_util::{BodyExt, Full};
use porpoise_protocol::wire::{
    rpc, ApiError, AppCredentials, Conflict, DeliveryStatus, Event, IntegrationPage, Permission,
    Request, Response, ServiceRoute, SurveyAnswer, WebhookEvent, WebhookSettings,
};
use porpoise_relay::webhooks::WebhookPolicy;
use porpoise_relay::RelayConfig;
use sha2::Sha256;

use crate::common::{agent, connect, customer, start_config, Client, Running};

/// One request the receiver got.
#[derive(Debug, Clone)]
struct Received {
    event: String,
    delivery: String,
    app_id: String,
    signature: String,
    body: Vec<u8>,
}

/// A loopback HTTP receiver: answers 500 to the first `fail_first` requests, 503 while `down`
/// is above zero, and 200 otherwise; keeps every request.
#[derive(Clone)]
struct Receiver {
    url: String,
    got: Arc<Mutex<Vec<Received>>>,
    fail_first: Arc<AtomicUsize>,
    down: Arc<AtomicUsize>,
}

impl Receiver {
    async fn start(fail_first: usize) -> Receiver {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let url = format!(
            "http://{}/hooks/porpoise",
            listener.local_addr().expect("addr")
        );
        let receiver = Receiver {
            url,
            got: Default::default(),
            fail_first: Arc::new(AtomicUsize::new(fail_first)),
            down: Arc::new(AtomicUsize::new(0)),
        };
        let r = receiver.clone();
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let r = r.clone();
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |req| {
                        let r = r.clone();
                        async move { Ok::<_, Infallible>(r.handle(req).await) }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        receiver
    }

    async fn handle(
        &self,
        req: hyper::Request<hyper::body::Incoming>,
    ) -> hyper::Response<Full<Bytes>> {
        let header = |name: &str| {
            req.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned()
        };
        let (event, delivery, app_id, signature) = (
            header("Porpoise-Event"),
            header("Porpoise-Delivery"),
            header("Porpoise-App-Id"),
            header("Porpoise-Signature"),
        );
        let body = req
            .into_body()
            .collect()
            .await
            .map(|b| b.to_bytes().to_vec())
            .unwrap_or_default();
        self.got.lock().expect("lock").push(Received {
            event,
            delivery,
            app_id,
            signature,
            body,
        });
        let status = if self.down.load(Ordering::SeqCst) > 0 {
            503
        } else if self
            .fail_first
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok()
        {
            500
        } else {
            200
        };
        let mut answer = hyper::Response::new(Full::new(Bytes::from_static(b"ok")));
        *answer.status_mut() = hyper::StatusCode::from_u16(status).expect("status");
        answer
    }

    fn received(&self) -> Vec<Received> {
        self.got.lock().expect("lock").clone()
    }

    /// Waits until `n` distinct deliveries arrived and the receiver is up; returns them in the
    /// order of their first attempt.
    async fn wait_delivered(&self, n: usize) -> Vec<Received> {
        for _ in 0..200 {
            let got = self.received();
            let mut seen: Vec<Received> = Vec::new();
            for r in got {
                if !seen.iter().any(|s| s.delivery == r.delivery) {
                    seen.push(r);
                }
            }
            if seen.len() >= n && self.down.load(Ordering::SeqCst) == 0 {
                return seen;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("only {:?} arrived", self.received());
    }
}

/// Checks `r`'s signature with `key` as a receiver would: HMAC-SHA256 over `"<t>.<body>"`.
fn assert_signed(r: &Received, key: &str) {
    let (t, v1) = r
        .signature
        .split_once(',')
        .and_then(|(t, v)| Some((t.strip_prefix("t=")?, v.strip_prefix("v1=")?)))
        .unwrap_or_else(|| panic!("signature header {:?}", r.signature));
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).expect("key");
    mac.update(t.as_bytes());
    mac.update(b".");
    mac.update(&r.body);
    let expected: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(v1, expected, "signature of delivery {}", r.delivery);
}

fn json(r: &Received) -> serde_json::Value {
    serde_json::from_slice(&r.body).expect("json body")
}

fn fast_policy() -> WebhookPolicy {
    WebhookPolicy {
        timeout_ms: 3_000,
        first_retry_ms: 100,
        max_retry_ms: 400,
        max_attempts: 50,
        max_parallel: 4,
        allow_private: true,
    }
}

async fn start(data: &std::path::Path) -> Running {
    let mut config = RelayConfig::new(data);
    config.webhooks = fast_policy();
    // The test receiver listens on 127.0.0.1.
    config.allow_private_outbound = true;
    start_config(config).await
}

/// The admin makes a key and turns the webhook on for every event; returns the credentials.
async fn enable(admin: &mut Client, url: &str) -> AppCredentials {
    let Ok(Response::AppCredentials(creds)) = admin
        .request(Request::RotateSigningKey(rpc::RotateSigningKey))
        .await
    else {
        panic!("rotate");
    };
    let saved = admin
        .request(Request::SaveWebhook(rpc::SaveWebhook {
            webhook: WebhookSettings {
                url: url.into(),
                events: WebhookEvent::SUBSCRIBABLE.to_vec(),
                enabled: true,
            },
        }))
        .await;
    assert_eq!(saved, Ok(Response::Done));
    creds
}

async fn page(admin: &mut Client) -> IntegrationPage {
    match admin
        .request(Request::GetIntegration(rpc::GetIntegration))
        .await
    {
        Ok(Response::IntegrationPage(page)) => *page,
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn events_arrive_signed_in_order_and_a_500_is_retried() {
    let dir = tempfile::tempdir().expect("tempdir");
    let relay = start(dir.path()).await;
    let receiver = Receiver::start(1).await;
    let (mut admin, _) = connect(&relay, agent("admin")).await;
    let (mut agent1, _) = connect(&relay, agent("agent1")).await;

    // The relay checks the permission, not only the console.
    let denied = agent1
        .request(Request::GetIntegration(rpc::GetIntegration))
        .await;
    assert_eq!(
        denied,
        Err(ApiError::NotPermitted {
            needed: Permission::ManageSettings
        })
    );
    assert_eq!(page(&mut admin).await.app_id, None);
    let early = admin
        .request(Request::SaveWebhook(rpc::SaveWebhook {
            webhook: WebhookSettings {
                url: receiver.url.clone(),
                events: vec![WebhookEvent::SessionEnded],
                enabled: true,
            },
        }))
        .await;
    assert_eq!(early, Err(ApiError::Conflict(Conflict::NoSigningKey)));
    let creds = enable(&mut admin, &receiver.url).await;
    assert!(creds.signing_key.len() > 40, "a long random key");
    let shown = page(&mut admin).await;
    assert_eq!(shown.app_id.as_deref(), Some(creds.app_id.as_str()));
    assert!(shown.webhook.enabled);

    // A session: started (refused once with 500, then retried), ended, survey answered.
    let (mut helper, _) = connect(&relay, customer(0xAB)).await;
    let queued = helper
        .request(Request::RequestService(rpc::RequestService {
            name: "王小明".into(),
            phone: "13800000000".into(),
            route: ServiceRoute::AutoAssign {
                group_id: None,
                product_type_id: None,
            },
        }))
        .await;
    let Ok(Response::Queued(rpc::Queued { ticket_id, .. })) = queued else {
        panic!("{queued:?}")
    };
    let Ok(Response::SessionStarted(info)) = agent1
        .request(Request::AcceptCustomer(rpc::AcceptCustomer { ticket_id }))
        .await
    else {
        panic!("accept");
    };
    let session_id = info.session_id;
    let ended = agent1
        .request(Request::EndSession(rpc::EndSession { session_id }))
        .await;
    assert_eq!(ended, Ok(Response::Done));
    helper
        .event(|e| matches!(e, Event::SessionEnded { .. }).then_some(()))
        .await;
    let answered = helper
        .request(Request::SubmitSurvey(rpc::SubmitSurvey {
            session_id,
            answer: SurveyAnswer {
                stars: 5,
                comment: "很快".into(),
            },
        }))
        .await;
    assert_eq!(answered, Ok(Response::Done));
    let left = helper
        .request(Request::LeaveOfflineMessage(rpc::LeaveOfflineMessage {
            name: "王小明".into(),
            contact: "13800000000".into(),
            text: "还有一个问题".into(),
        }))
        .await;
    assert_eq!(left, Ok(Response::Done));

    let delivered = receiver.wait_delivered(4).await;
    let events: Vec<&str> = delivered.iter().map(|r| r.event.as_str()).collect();
    assert_eq!(
        events,
        [
            "session.started",
            "session.ended",
            "survey.answered",
            "offline_message.left"
        ]
    );
    let all = receiver.received();
    assert_eq!(all.len(), 5, "the first attempt (500) and four deliveries");
    assert_eq!(
        all[0].delivery, all[1].delivery,
        "the 500 was retried first"
    );
    for r in &all {
        assert_signed(r, &creds.signing_key);
        assert_eq!(r.app_id, creds.app_id);
    }
    let started = json(&delivered[0]);
    assert_eq!(started["event"], "session.started");
    assert_eq!(started["data"]["session_id"], session_id.0);
    assert_eq!(started["data"]["agent"]["username"], "agent1");
    assert_eq!(started["data"]["customer"]["name"], "王小明");
    assert_eq!(json(&all[1])["attempt"], 2);
    let ended = json(&delivered[1]);
    assert_eq!(ended["data"]["ended_by"], "agent");
    assert_eq!(json(&delivered[2])["data"]["stars"], 5);
    assert_eq!(json(&delivered[3])["data"]["text"], "还有一个问题");
    let ids: Vec<u64> = delivered
        .iter()
        .map(|r| r.delivery.parse().expect("id"))
        .collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");

    // The delivery log shows it, newest first; the first one took two attempts.
    let log = page(&mut admin).await.deliveries;
    assert_eq!(log.len(), 4);
    assert!(log.iter().all(|d| d.status == DeliveryStatus::Delivered));
    assert_eq!(log[3].event, WebhookEvent::SessionStarted);
    assert_eq!(log[3].attempts, 2);
    assert_eq!(log[3].last_status, Some(200));

    // A key rotation signs the next event with the new key; the test event always goes.
    let Ok(Response::AppCredentials(rotated)) = admin
        .request(Request::RotateSigningKey(rpc::RotateSigningKey))
        .await
    else {
        panic!("rotate");
    };
    assert_eq!(rotated.app_id, creds.app_id);
    assert_ne!(rotated.signing_key, creds.signing_key);
    let test = admin
        .request(Request::SendTestWebhook(rpc::SendTestWebhook))
        .await;
    assert_eq!(test, Ok(Response::Done));
    let delivered = receiver.wait_delivered(5).await;
    assert_eq!(delivered[4].event, "test");
    assert_signed(&delivered[4], &rotated.signing_key);
    relay.stop().await;
}

#[tokio::test]
async fn queued_events_survive_a_restart_and_failed_ones_can_be_retried() {
    let dir = tempfile::tempdir().expect("tempdir");
    let receiver = Receiver::start(0).await;
    receiver.down.store(1, Ordering::SeqCst);
    let relay = start(dir.path()).await;
    let (mut admin, _) = connect(&relay, agent("admin")).await;
    let creds = enable(&mut admin, &receiver.url).await;
    for (i, text) in ["第一条", "第二条"].into_iter().enumerate() {
        let (mut helper, _) = connect(&relay, customer(0x100 + i as u128)).await;
        let left = helper
            .request(Request::LeaveOfflineMessage(rpc::LeaveOfflineMessage {
                name: format!("访客{i}"),
                contact: String::new(),
                text: text.into(),
            }))
            .await;
        assert_eq!(left, Ok(Response::Done));
    }
    // Attempts fail while the receiver is down (503), nothing is lost.
    for _ in 0..100 {
        if receiver.received().len() >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(receiver.received().len() >= 2, "attempts were made");
    let log = page(&mut admin).await.deliveries;
    assert_eq!(log.len(), 2);
    assert!(log.iter().all(|d| d.status == DeliveryStatus::Pending));
    assert_eq!(log[1].last_status, Some(503));
    drop(admin);
    relay.stop().await;

    // Back up, relay restarted: both arrive, in order.
    receiver.down.store(0, Ordering::SeqCst);
    let before = receiver.received().len();
    let relay = start(dir.path()).await;
    let delivered = receiver.wait_delivered(2).await;
    let after: Vec<Received> = receiver.received()[before..].to_vec();
    let texts: Vec<String> = after
        .iter()
        .map(|r| {
            json(r)["data"]["text"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    assert_eq!(texts, ["第一条", "第二条"]);
    for r in &delivered {
        assert_signed(r, &creds.signing_key);
    }

    relay.stop().await;

    // With two attempts allowed, a test event sent while the receiver is down is given up on;
    // the admin queues it again from the log once the receiver is back.
    let mut config = RelayConfig::new(dir.path());
    config.webhooks = WebhookPolicy {
        max_attempts: 2,
        ..fast_policy()
    };
    config.allow_private_outbound = true;
    let relay = start_config(config).await;
    let (mut admin, _) = connect(&relay, agent("admin")).await;
    let missing = admin
        .request(Request::RetryDelivery(rpc::RetryDelivery { id: 999_999 }))
        .await;
    assert!(
        matches!(missing, Err(ApiError::NotFound { .. })),
        "{missing:?}"
    );
    let delivered_id = page(&mut admin).await.deliveries[0].id;
    let not_failed = admin
        .request(Request::RetryDelivery(rpc::RetryDelivery {
            id: delivered_id,
        }))
        .await;
    assert!(
        matches!(not_failed, Err(ApiError::NotFound { .. })),
        "{not_failed:?}"
    );
    receiver.down.store(1, Ordering::SeqCst);
    let test = admin
        .request(Request::SendTestWebhook(rpc::SendTestWebhook))
        .await;
    assert_eq!(test, Ok(Response::Done));
    let mut failed = None;
    for _ in 0..100 {
        let log = page(&mut admin).await.deliveries;
        if log[0].status == DeliveryStatus::Failed {
            failed = Some(log[0].clone());
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let failed = failed.expect("given up after two attempts");
    assert_eq!((failed.event, failed.attempts), (WebhookEvent::Test, 2));
    assert_eq!(failed.last_status, Some(503));
    receiver.down.store(0, Ordering::SeqCst);
    let retried = admin
        .request(Request::RetryDelivery(rpc::RetryDelivery { id: failed.id }))
        .await;
    assert_eq!(retried, Ok(Response::Done));
    for _ in 0..100 {
        if page(&mut admin).await.deliveries[0].status == DeliveryStatus::Delivered {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let last = &page(&mut admin).await.deliveries[0];
    assert_eq!(
        (last.id, last.status),
        (failed.id, DeliveryStatus::Delivered)
    );
    relay.stop().await;
}
