//! Loopback: a real relay on 127.0.0.1:0 with a temporary SQLite file; headless agents and
//! customers on the client core. Login errors, queue, accept, chat both ways, durability across
//! a relay restart, idempotent resend, session end.

use porpoise_protocol::wire::rpc;
use std::time::Duration;

use porpoise_protocol::wire::{
    CenterId, Event, InstallId, MessageId, Party, RefusedReason, Request, Response, Welcome,
};
use porpoise_quic::{
    client::{list_usernames, random_id, ClientConfig, ConnectError},
    tls::Fingerprint,
};
use porpoise_tools::{
    peer::{Peer, WAIT},
    relay::{TestRelay, DEMO_CENTER_ID, DEMO_PASSWORD},
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_errors_are_clear() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let relay = TestRelay::start(dir.path()).await?;
    let config = relay.client_config();

    let names = list_usernames(&config, DEMO_CENTER_ID).await?;
    assert!(
        names.contains(&"agent1".to_string()) && names.contains(&"agent2".to_string()),
        "{names:?}"
    );

    let wrong = Peer::agent(&config, DEMO_CENTER_ID, "agent1", "not-the-password").await;
    match wrong {
        Err(ConnectError::Refused(RefusedReason::WrongPassword)) => {}
        other => panic!("expected WrongPassword, got {:?}", other.err()),
    }
    let err = Peer::agent(&config, DEMO_CENTER_ID, "agent1", "nope")
        .await
        .err()
        .map(|e| e.to_string());
    assert_eq!(err.as_deref(), Some("wrong username or password"));

    match Peer::agent(&config, CenterId(8_999_999), "agent1", DEMO_PASSWORD).await {
        Err(ConnectError::Refused(RefusedReason::UnknownCenter(CenterId(8_999_999)))) => {}
        other => panic!("expected UnknownCenter, got {:?}", other.err()),
    }
    match list_usernames(&config, CenterId(8_999_999)).await {
        Err(ConnectError::Refused(RefusedReason::UnknownCenter(_))) => {}
        other => panic!("expected UnknownCenter, got {other:?}"),
    }

    let pinned_wrong = ClientConfig {
        fingerprint: Fingerprint([7; 32]),
        ..config.clone()
    };
    match Peer::agent(&pinned_wrong, DEMO_CENTER_ID, "agent1", DEMO_PASSWORD).await {
        Err(ConnectError::FingerprintMismatch(m)) => assert_eq!(m.presented, relay.fingerprint),
        other => panic!("expected FingerprintMismatch, got {:?}", other.err()),
    }

    // Nothing listens on this port: the relay is unreachable.
    let socket = std::net::UdpSocket::bind("127.0.0.1:0")?;
    let dead = ClientConfig {
        relay_addr: socket.local_addr()?.to_string(),
        ..config.clone()
    };
    drop(socket);
    match Peer::agent(&dead, DEMO_CENTER_ID, "agent1", DEMO_PASSWORD).await {
        Err(e @ ConnectError::Unreachable { .. }) => {
            assert!(e.to_string().contains("unreachable"), "{e}")
        }
        other => panic!("expected Unreachable, got {:?}", other.err()),
    }
    match Peer::agent(
        &ClientConfig {
            relay_addr: "no port here".into(),
            ..config
        },
        DEMO_CENTER_ID,
        "a",
        "b",
    )
    .await
    {
        Err(ConnectError::BadAddress(_)) => {}
        other => panic!("expected BadAddress, got {:?}", other.err()),
    }

    relay.stop().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn customer_gets_served_and_history_survives_restart() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let relay = TestRelay::start(dir.path()).await?;
    let config = relay.client_config();
    let install_id = random_id();

    let mut agent = Peer::agent(&config, DEMO_CENTER_ID, "agent1", DEMO_PASSWORD).await?;
    let mut customer = Peer::customer(&config, DEMO_CENTER_ID, InstallId(install_id)).await?;
    let (ticket, position) = customer.request_service("张三", "13800138000").await?;
    assert_eq!(position, 1);

    // The center auto-assigns: agent1, online and idle, gets an offer with name and phone.
    let offer = agent
        .wait_for(WAIT, |e| match e {
            Event::OfferReceived(o) if o.ticket_id == ticket => Some(o.clone()),
            _ => None,
        })
        .await?;
    assert_eq!(
        (offer.customer_name.as_str(), offer.customer_phone.as_str()),
        ("张三", "13800138000")
    );
    assert!(
        offer.expires_in_ms > 0 && offer.expires_in_ms <= 20_000,
        "{offer:?}"
    );
    let session = match agent
        .client
        .request(Request::AnswerOffer(rpc::AnswerOffer {
            offer_id: offer.offer_id,
            accept: true,
        }))
        .await?
    {
        Response::SessionStarted(info) => info.session_id,
        other => panic!("expected SessionStarted, got {other:?}"),
    };
    let started = customer
        .wait_for(WAIT, |e| match e {
            Event::SessionStarted(info) => Some(info.clone()),
            _ => None,
        })
        .await?;
    assert_eq!(started.session_id, session);
    // Both sides get the greeting with the agent's name in it.
    let greeting = customer.wait_relay_message(session, WAIT).await?;
    assert!(
        greeting.text.contains("Agent One") && !greeting.text.contains("[Supporter Name]"),
        "{greeting:?}"
    );

    // Chat both ways, in order.
    let script = [
        (Party::Customer, "你好，我的打印机不工作了"),
        (Party::Agent, "您好！我来帮您看看。"),
        (Party::Customer, "It says 'paper jam'"),
        (Party::Agent, "Please open the front cover."),
        (Party::Customer, "好的"),
    ];
    for (from, text) in script {
        let (sender, receiver) = match from {
            Party::Agent => (&agent, &mut customer),
            _ => (&customer, &mut agent),
        };
        let stored = sender.say(session, text).await?;
        assert_eq!((stored.from, stored.text.as_str()), (from, text));
        let got = receiver.wait_chat(session, WAIT).await?;
        assert_eq!((got.from, got.text.as_str()), (from, text));
    }

    // A resend with the same id after a reconnect is acknowledged but stored once.
    let resend_id = random_id();
    customer
        .say_with_id(session, MessageId(resend_id), "resent once")
        .await?;
    agent.wait_chat(session, WAIT).await?;

    agent.client.close("test restart");
    customer.client.close("test restart");
    relay.stop().await;

    let relay = TestRelay::start(dir.path()).await?;
    let config = relay.client_config();
    let agent = Peer::agent(&config, DEMO_CENTER_ID, "agent1", DEMO_PASSWORD).await?;
    let Welcome::Agent { sessions, .. } = &agent.welcome else {
        panic!("not an agent welcome")
    };
    let restored = sessions
        .iter()
        .find(|s| s.session_id == session)
        .expect("open session restored");
    let texts: Vec<&str> = restored
        .messages
        .iter()
        .filter(|m| m.from != Party::Relay)
        .map(|m| m.text.as_str())
        .collect();
    let mut expected: Vec<&str> = script.iter().map(|(_, t)| *t).collect();
    expected.push("resent once");
    assert_eq!(texts, expected);

    let mut customer = Peer::customer(&config, DEMO_CENTER_ID, InstallId(install_id)).await?;
    let Welcome::Customer {
        session: Some(resumed),
        ..
    } = &customer.welcome
    else {
        panic!("customer did not resume: {:?}", customer.welcome)
    };
    assert_eq!(resumed.session_id, session);
    assert_eq!(
        resumed
            .messages
            .iter()
            .filter(|m| m.from != Party::Relay)
            .count(),
        expected.len()
    );

    let again = customer
        .say_with_id(session, MessageId(resend_id), "resent once")
        .await?;
    assert_eq!(again.message_id, MessageId(resend_id));
    let mut agent = agent;
    customer.say(session, "after restart").await?;
    let next = agent.wait_chat(session, WAIT).await?;
    assert_eq!(
        next.text, "after restart",
        "the duplicate must not be delivered again"
    );

    // The customer ends the session; both sides hear it.
    customer
        .client
        .request(Request::EndSession(rpc::EndSession {
            session_id: session,
        }))
        .await?;
    for peer in [&mut agent, &mut customer] {
        let by = peer
            .wait_for(WAIT, |e| match e {
                Event::SessionEnded { session_id, by } if *session_id == session => Some(*by),
                _ => None,
            })
            .await?;
        assert_eq!(by, Party::Customer);
    }
    // Chat in an ended session is refused.
    assert!(agent.say(session, "too late").await.is_err());

    agent.client.close("done");
    customer.client.close("done");
    tokio::time::sleep(Duration::from_millis(50)).await;
    relay.stop().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_who_rejected_is_not_offered_again_even_after_a_restart() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let relay = TestRelay::start(dir.path()).await?;
    let config = relay.client_config();
    let mut agent1 = Peer::agent(&config, DEMO_CENTER_ID, "agent1", DEMO_PASSWORD).await?;
    let customer = Peer::customer(&config, DEMO_CENTER_ID, InstallId(random_id())).await?;
    let (ticket, _) = customer.request_service("李四", "13700000000").await?;
    let offer = agent1
        .wait_for(WAIT, |e| match e {
            Event::OfferReceived(o) if o.ticket_id == ticket => Some(o.offer_id),
            _ => None,
        })
        .await?;
    agent1
        .client
        .request(Request::AnswerOffer(rpc::AnswerOffer {
            offer_id: offer,
            accept: false,
        }))
        .await?;
    agent1.client.close("restart");
    customer.client.close("restart");
    relay.stop().await;

    let relay = TestRelay::start(dir.path()).await?;
    let config = relay.client_config();
    let mut agent1 = Peer::agent(&config, DEMO_CENTER_ID, "agent1", DEMO_PASSWORD).await?;
    let offered_again = agent1
        .wait_for(Duration::from_millis(800), |e| {
            matches!(e, Event::OfferReceived(o) if o.ticket_id == ticket).then_some(())
        })
        .await;
    assert!(
        offered_again.is_err(),
        "agent1 rejected 李四 and must not get the offer again"
    );
    let mut agent2 = Peer::agent(&config, DEMO_CENTER_ID, "agent2", DEMO_PASSWORD).await?;
    agent2
        .wait_for(WAIT, |e| {
            matches!(e, Event::OfferReceived(o) if o.ticket_id == ticket).then_some(())
        })
        .await?;
    relay.stop().await;
    Ok(())
}
