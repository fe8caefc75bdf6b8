//! Consent is enforced by the relay (C5, R14): no screen or input stream is forwarded before the
//! customer grants it; a revoke closes the forwarded stream at once; a stream naming another
//! center's session is refused.

use porpoise_protocol::wire::rpc;
use std::time::{Duration, Instant};

use porpoise_codec::CapturedFrame;
use porpoise_protocol::{
    input::{InputEvent, MouseEvent},
    wire::{ActionState, CenterId, Event, MediaHeader, MediaKind, RemoteAction, SessionId},
};
use porpoise_quic::screen::{read_input, stream_screen, view_screen, InputSender, ScreenSource};
use porpoise_tools::{
    peer::{refused, served_session, Peer, WAIT},
    relay::{TestRelay, DEMO_CENTER_ID, DEMO_PASSWORD},
};

/// A synthetic 320×200 screen whose colour changes every capture.
struct Synthetic(u8);

impl ScreenSource for Synthetic {
    fn capture(&mut self, f: &mut dyn FnMut(CapturedFrame<'_>)) -> std::io::Result<()> {
        self.0 = self.0.wrapping_add(1);
        let bgra = vec![self.0; 320 * 200 * 4];
        f(CapturedFrame {
            width: 320,
            height: 200,
            stride: 320 * 4,
            bgra: &bgra,
        });
        Ok(())
    }
}

async fn served(relay: &TestRelay, name: &str) -> anyhow::Result<(Peer, Peer, SessionId)> {
    served_session(&relay.client_config(), DEMO_CENTER_ID, DEMO_PASSWORD, name).await
}

async fn wait_state(
    peer: &mut Peer,
    session: SessionId,
    action: RemoteAction,
    want: ActionState,
) -> anyhow::Result<()> {
    peer.wait_for(WAIT, |e| match e {
        Event::ActionChanged {
            session_id,
            action: a,
            state,
            ..
        } if *session_id == session && *a == action && *state == want => Some(()),
        _ => None,
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn screen_flows_only_after_grant_and_stops_at_revoke() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let relay = TestRelay::start(dir.path()).await?;
    let (mut agent, mut customer, session) = served(&relay, "consent-screen").await?;

    // Before any consent: the relay refuses the customer's screen stream and forwards nothing.
    assert!(
        refused(
            &customer,
            MediaHeader {
                session_id: session,
                kind: MediaKind::Screen,
            }
        )
        .await?,
        "an ungranted screen stream must be refused"
    );
    assert!(agent
        .wait_media(MediaKind::Screen, Duration::from_millis(300))
        .await
        .is_err());

    // The agent asks; the customer refuses; still nothing flows.
    agent
        .request_action(session, RemoteAction::ViewDesktop)
        .await?;
    customer
        .wait_for(WAIT, |e| {
            matches!(
                e,
                Event::ConsentRequested {
                    action: RemoteAction::ViewDesktop,
                    ..
                }
            )
            .then_some(())
        })
        .await?;
    customer
        .answer(session, RemoteAction::ViewDesktop, false)
        .await?;
    wait_state(
        &mut agent,
        session,
        RemoteAction::ViewDesktop,
        ActionState::Refused,
    )
    .await?;
    assert!(
        refused(
            &customer,
            MediaHeader {
                session_id: session,
                kind: MediaKind::Screen,
            }
        )
        .await?,
        "a refused action's stream must be refused"
    );

    // Asked again and granted: frames reach the agent and are decoded.
    agent
        .request_action(session, RemoteAction::ViewDesktop)
        .await?;
    customer
        .wait_for(WAIT, |e| {
            matches!(e, Event::ConsentRequested { .. }).then_some(())
        })
        .await?;
    customer
        .answer(session, RemoteAction::ViewDesktop, true)
        .await?;
    wait_state(
        &mut customer,
        session,
        RemoteAction::ViewDesktop,
        ActionState::Granted,
    )
    .await?;
    let out = customer
        .client
        .open_media(MediaHeader {
            session_id: session,
            kind: MediaKind::Screen,
        })
        .await?;
    let sender = tokio::spawn(stream_screen(|| Ok(Synthetic(0)), out.send, out.recv));
    let incoming = agent.wait_media(MediaKind::Screen, WAIT).await?;
    assert_eq!(incoming.header.session_id, session);
    let (tx, mut frames) = tokio::sync::mpsc::unbounded_channel();
    let viewer = tokio::spawn(view_screen(incoming.send, incoming.recv, move |u| {
        let _ = tx.send((u.decoder.size(), u.decoder.rgba()[0]));
    }));
    for _ in 0..3 {
        let (size, _) = tokio::time::timeout(WAIT, frames.recv())
            .await?
            .expect("a decoded frame");
        assert_eq!(size, (320, 200));
    }

    // The customer revokes: the agent's stream is closed within 100 ms of the relay's answer.
    customer.stop(session, RemoteAction::ViewDesktop).await?;
    let revoked_at = Instant::now();
    let stats = tokio::time::timeout(Duration::from_millis(100), viewer).await;
    let elapsed = revoked_at.elapsed();
    assert!(
        stats.is_ok(),
        "agent's screen stream still open {elapsed:?} after revoke"
    );
    eprintln!("screen stream closed {elapsed:?} after revoke");
    let _ = tokio::time::timeout(WAIT, sender).await?;
    wait_state(
        &mut agent,
        session,
        RemoteAction::ViewDesktop,
        ActionState::Stopped,
    )
    .await?;

    // After the revoke a new stream is refused again.
    assert!(
        refused(
            &customer,
            MediaHeader {
                session_id: session,
                kind: MediaKind::Screen,
            }
        )
        .await?
    );
    relay.stop().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn input_needs_control_and_stops_with_the_session() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let relay = TestRelay::start(dir.path()).await?;
    let (mut agent, mut customer, session) = served(&relay, "consent-input").await?;
    let header = MediaHeader {
        session_id: session,
        kind: MediaKind::Input,
    };
    let click = InputEvent::Mouse(MouseEvent::MoveTo { x: 10, y: 20 });

    // Viewing is granted but control is not: input is refused.
    agent
        .request_action(session, RemoteAction::ViewDesktop)
        .await?;
    customer
        .answer(session, RemoteAction::ViewDesktop, true)
        .await?;
    wait_state(
        &mut agent,
        session,
        RemoteAction::ViewDesktop,
        ActionState::Granted,
    )
    .await?;
    assert!(
        refused(&agent, header).await?,
        "input without control must be refused"
    );
    assert!(customer
        .wait_media(MediaKind::Input, Duration::from_millis(300))
        .await
        .is_err());

    // A customer may never open an input stream, even with control granted.
    agent
        .request_action(session, RemoteAction::RemoteControl)
        .await?;
    customer
        .answer(session, RemoteAction::RemoteControl, true)
        .await?;
    wait_state(
        &mut agent,
        session,
        RemoteAction::RemoteControl,
        ActionState::Granted,
    )
    .await?;
    assert!(refused(&customer, header).await?);

    // With control granted the events arrive at the customer, in order.
    let stream = agent.client.open_media(header).await?;
    let mut input = InputSender::new(stream.send);
    input.send(&click).await?;
    let mut incoming = customer.wait_media(MediaKind::Input, WAIT).await?;
    assert_eq!(read_input(&mut incoming.recv).await?, Some(click.clone()));

    // The agent ends the session: the input stream is cut.
    agent
        .client
        .request(porpoise_protocol::wire::Request::EndSession(
            rpc::EndSession {
                session_id: session,
            },
        ))
        .await?;
    let _ = input.send(&click).await;
    let mut cut = false;
    for _ in 0..50 {
        match tokio::time::timeout(Duration::from_millis(100), read_input(&mut incoming.recv)).await
        {
            Ok(Ok(Some(_))) => continue,
            Ok(_) => {
                cut = true;
                break;
            }
            Err(_) => {}
        }
    }
    assert!(cut, "input stream must end with the session");
    relay.stop().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn streams_for_another_centers_session_are_refused() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    porpoise_tools::relay::seed_center(
        dir.path(),
        CenterId(8_000_002),
        "Other center",
        "other1",
        "other-pass",
    )
    .await?;
    let relay = TestRelay::start(dir.path()).await?;
    let (mut agent, mut customer, session) = served(&relay, "tenant").await?;
    agent
        .request_action(session, RemoteAction::RemoteControl)
        .await?;
    customer
        .answer(session, RemoteAction::RemoteControl, true)
        .await?;
    wait_state(
        &mut agent,
        session,
        RemoteAction::RemoteControl,
        ActionState::Granted,
    )
    .await?;

    // An agent of center 8000002 names center 8000001's live, granted session.
    let mut other = Peer::agent(
        &relay.client_config(),
        CenterId(8_000_002),
        "other1",
        "other-pass",
    )
    .await?;
    assert!(
        refused(
            &other,
            MediaHeader {
                session_id: session,
                kind: MediaKind::Input,
            }
        )
        .await?,
        "cross-center stream must be refused"
    );
    assert!(customer
        .wait_media(MediaKind::Input, Duration::from_millis(300))
        .await
        .is_err());
    // Nor can it accept, chat in, or stop anything of that center.
    assert!(other.say(session, "hi").await.is_err());
    assert!(other
        .stop(session, RemoteAction::RemoteControl)
        .await
        .is_err());
    assert!(other
        .pending_events()
        .all(|e| !matches!(e, Event::QueueChanged { queue, .. } if !queue.is_empty())));
    let _ = other.wait_closed(Duration::from_millis(10)).await;
    relay.stop().await;
    Ok(())
}
