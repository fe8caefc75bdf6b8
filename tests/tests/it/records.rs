//! Support records, tags, visitor cards (A13, A15) and the customer context panel (A18) through a
//! real relay on loopback: stored across the session's end, isolated per center, and the
//! center's context endpoint served by a tiny HTTP server on 127.0.0.1.

use porpoise_protocol::wire::rpc;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::Duration;

use porpoise_protocol::wire::{
    ApiError, CenterId, CenterSettings, ContextEndpoint, MessageId, RemoteAction, Request,
    Response, SupportRecordForm, VisitorCard,
};
use porpoise_tools::{
    peer::{served_session, Peer},
    relay::{seed_center, TestRelay, DEMO_CENTER_ID, DEMO_PASSWORD},
};

const OTHER_CENTER: CenterId = CenterId(8_000_777);

fn form() -> SupportRecordForm {
    SupportRecordForm {
        customer_name: "张三".into(),
        customer_phone: "13800000000".into(),
        service_modes: vec![RemoteAction::RemoteControl],
        product: "打印机".into(),
        problem_type: "驱动".into(),
        subject: "打印机脱机".into(),
        content: "重装驱动后恢复打印".into(),
        disposition: Some("已解决".into()),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn record_tags_and_card_survive_the_session_end_and_stay_in_their_center(
) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    seed_center(dir.path(), OTHER_CENTER, "Other", "other1", DEMO_PASSWORD).await?;
    let relay = TestRelay::start(dir.path()).await?;
    let config = relay.client_config();
    let (agent, customer, session) =
        served_session(&config, DEMO_CENTER_ID, DEMO_PASSWORD, "张三").await?;
    let said = customer
        .say(session, "我的邮箱是 zhang@example.com")
        .await?;

    let tags = Request::SetMessageTags(rpc::SetMessageTags {
        session_id: session,
        message_id: said.message_id,
        tags: vec!["故障".into()],
    });
    assert_eq!(agent.client.request(tags).await?, Response::Done);
    let unknown_message = Request::SetMessageTags(rpc::SetMessageTags {
        session_id: session,
        message_id: MessageId(1),
        tags: vec!["故障".into()],
    });
    assert!(matches!(
        agent.client.request(unknown_message).await,
        Err(ref e) if e.is_bad_input()
    ));
    let customer_tags = Request::SetCustomerTags(rpc::SetCustomerTags {
        session_id: session,
        tags: vec!["VIP".into()],
    });
    assert_eq!(agent.client.request(customer_tags).await?, Response::Done);
    let card = VisitorCard {
        name: "张总".into(),
        email: "zhang@example.com".into(),
        company: "天助网".into(),
        ..VisitorCard::default()
    };
    let save_card = Request::SaveVisitorCard(rpc::SaveVisitorCard {
        session_id: session,
        card: card.clone(),
    });
    assert_eq!(agent.client.request(save_card).await?, Response::Done);

    agent
        .client
        .request(Request::EndSession(rpc::EndSession {
            session_id: session,
        }))
        .await?;
    // The record is pending until it is filled: a restarted console lists it (A13).
    let pending = agent
        .client
        .request(Request::ListPendingRecords(rpc::ListPendingRecords))
        .await?;
    let Response::PendingRecords(items) = pending else {
        panic!("{pending:?}")
    };
    assert_eq!(
        items
            .iter()
            .map(|i| (i.session_id, i.customer_name.as_str()))
            .collect::<Vec<_>>(),
        [(session, "张三")]
    );
    // Filled after the end (late filling is allowed by default).
    let saved = agent
        .client
        .request(Request::SaveSupportRecord(rpc::SaveSupportRecord {
            session_id: session,
            form: form(),
        }))
        .await?;
    assert!(matches!(saved, Response::SupportRecordSaved(r) if r.form == form()));

    let profile = agent
        .client
        .request(Request::GetCustomerProfile(rpc::GetCustomerProfile {
            session_id: session,
        }))
        .await?;
    let Response::CustomerProfile(profile) = profile else {
        panic!("{profile:?}");
    };
    assert_eq!(profile.card, card);
    assert_eq!(profile.customer_tags, vec!["VIP".to_owned()]);
    assert_eq!(profile.message_tags.len(), 1);
    assert_eq!(profile.message_tags[0].message_id, said.message_id);
    let record = profile.record.expect("record stored");
    assert_eq!(
        agent
            .client
            .request(Request::ListPendingRecords(rpc::ListPendingRecords))
            .await?,
        Response::PendingRecords(vec![]),
        "a filled record is no longer pending"
    );
    assert_eq!(record.form.disposition.as_deref(), Some("已解决"));

    // An agent of another center is refused.
    let other = Peer::agent(&config, OTHER_CENTER, "other1", DEMO_PASSWORD).await?;
    for body in [
        Request::GetCustomerProfile(rpc::GetCustomerProfile {
            session_id: session,
        }),
        Request::SaveSupportRecord(rpc::SaveSupportRecord {
            session_id: session,
            form: form(),
        }),
    ] {
        assert!(matches!(
            other.client.request(body).await,
            Err(ApiError::NotPermitted { .. })
        ));
    }

    // After a restart the record can still be changed (ended sessions are reloaded).
    drop((agent, customer, other));
    relay.stop().await;
    let relay = TestRelay::start(dir.path()).await?;
    let agent = Peer::agent(
        &relay.client_config(),
        DEMO_CENTER_ID,
        "agent1",
        DEMO_PASSWORD,
    )
    .await?;
    let changed = SupportRecordForm {
        disposition: Some("需跟进".into()),
        ..form()
    };
    let saved = agent
        .client
        .request(Request::SaveSupportRecord(rpc::SaveSupportRecord {
            session_id: session,
            form: changed,
        }))
        .await?;
    assert!(matches!(saved, Response::SupportRecordSaved(r)
        if r.form.disposition.as_deref() == Some("需跟进")));
    relay.stop().await;
    Ok(())
}

/// Serves `count` HTTP requests on a loopback port, each answered by `reply` (status, body,
/// delay); returns the endpoint URL.
fn http_server(replies: Vec<(u16, Vec<u8>, Duration)>) -> anyhow::Result<String> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let url = format!("http://{}/customer-context", listener.local_addr()?);
    std::thread::spawn(move || {
        for (status, body, delay) in replies {
            let Ok((mut stream, _)) = listener.accept() else {
                return;
            };
            let mut head = Vec::new();
            let mut buf = [0u8; 4096];
            // Read the head and the JSON body (its length from Content-Length).
            while let Ok(n) = stream.read(&mut buf) {
                if n == 0 {
                    break;
                }
                head.extend_from_slice(&buf[..n]);
                let text = String::from_utf8_lossy(&head).to_ascii_lowercase();
                if let Some(end) = text.find("\r\n\r\n") {
                    let len = text
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length:"))
                        .and_then(|v| v.trim().parse::<usize>().ok())
                        .unwrap_or(0);
                    if head.len() >= end + 4 + len {
                        break;
                    }
                }
            }
            std::thread::sleep(delay);
            let reply = format!(
                "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\n\
                 Content-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(reply.as_bytes());
            let _ = stream.write_all(&body);
        }
    });
    Ok(url)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn context_panel_reads_the_center_endpoint_with_clear_errors() -> anyhow::Result<()> {
    let orders = r#"{"items":[{"title":"订单 202611220001","fields":[{"label":"状态","value":"已发货"}],"text":"您的订单 202611220001 已发货。"}]}"#.as_bytes();
    let url = http_server(vec![
        (200, orders.to_vec(), Duration::ZERO),
        (503, b"busy".to_vec(), Duration::ZERO),
        (200, b"<html>".to_vec(), Duration::ZERO),
        (200, b"{}".to_vec(), Duration::from_millis(1_500)),
    ])?;
    let dir = tempfile::tempdir()?;
    let relay = TestRelay::start(dir.path()).await?;
    let config = relay.client_config();
    let (agent, _customer, session) =
        served_session(&config, DEMO_CENTER_ID, DEMO_PASSWORD, "李四").await?;
    let fetch = || {
        Request::FetchCustomerContext(rpc::FetchCustomerContext {
            session_id: session,
        })
    };
    // No endpoint configured yet.
    assert!(matches!(
        agent.client.request(fetch()).await,
        Err(ApiError::ContextUnavailable(_))
    ));

    let admin = Peer::agent(&config, DEMO_CENTER_ID, "admin", DEMO_PASSWORD).await?;
    let settings = CenterSettings {
        context_endpoint: Some(Box::new(ContextEndpoint {
            url,
            bearer_token: "token-1".into(),
            timeout_ms: 500,
        })),
        ..CenterSettings::default()
    };
    admin
        .client
        .request(Request::UpdateCenterSettings(rpc::UpdateCenterSettings(
            settings,
        )))
        .await?;

    let Response::CustomerContext(items) = agent.client.request(fetch()).await? else {
        panic!("no context");
    };
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].fields[0].value, "已发货");
    assert_eq!(items[0].text, "您的订单 202611220001 已发货。");

    use porpoise_protocol::wire::ContextFailure;
    for expected in [
        ContextFailure::Status { code: 503 },
        ContextFailure::Malformed,
        ContextFailure::Timeout { timeout_ms: 500 },
    ] {
        match agent.client.request(fetch()).await {
            Err(ApiError::ContextUnavailable(failure)) => {
                assert_eq!(failure, expected);
            }
            other => panic!("expected {expected:?}, got {other:?}"),
        }
    }
    relay.stop().await;
    Ok(())
}
