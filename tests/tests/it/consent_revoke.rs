//! Consent revocation stops each action within 100 ms (C5, issue 6): for every media action
//! (screen view, remote control input, remote demo, clipboard, file transfer) media flows
//! through a real relay over real QUIC, the customer revokes that one action, and the agent's
//! end of the stream is reset at once; nothing more arrives and a new stream is refused.
//!
//! The 100 ms bound is the product's promise (a functional deadline, not a benchmark); the
//! measured time is printed.

use std::{
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use porpoise_protocol::wire::{ActionState, MediaHeader, MediaKind, RemoteAction, SessionId};
use porpoise_quic::client::MediaStream;
use porpoise_tools::{
    peer::{refused, served_session, Peer, WAIT},
    relay::{TestRelay, DEMO_CENTER_ID, DEMO_PASSWORD},
};

/// The revoke-to-stop deadline the product promises (C5).
const REVOKE_DEADLINE: Duration = Duration::from_millis(100);
/// Bytes written per chunk while media flows.
const CHUNK: usize = 1024;
/// Pause between chunks (about 500 KiB/s: a live stream, not a bulk copy).
const CHUNK_PAUSE: Duration = Duration::from_millis(2);
/// Bytes the receiver must have seen before the revoke.
const FLOWING_BYTES: u64 = 8 * 1024;

/// Reads `recv` until it ends or fails, counting bytes; returns when it ended.
fn count_until_cut(
    mut recv: quinn::RecvStream,
    count: Arc<AtomicU64>,
) -> tokio::task::JoinHandle<Instant> {
    tokio::spawn(async move {
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            match recv.read(&mut buf).await {
                Ok(Some(n)) => {
                    count.fetch_add(n as u64, Ordering::SeqCst);
                }
                Ok(None) | Err(_) => return Instant::now(),
            }
        }
    })
}

/// Writes chunks until a write fails (the relay stopped the stream); returns when it failed.
fn write_until_cut(mut send: quinn::SendStream) -> tokio::task::JoinHandle<Instant> {
    tokio::spawn(async move {
        let chunk = vec![0x5a; CHUNK];
        loop {
            if send.write_all(&chunk).await.is_err() {
                return Instant::now();
            }
            tokio::time::sleep(CHUNK_PAUSE).await;
        }
    })
}

async fn grant(
    agent: &mut Peer,
    customer: &Peer,
    session: SessionId,
    action: RemoteAction,
) -> anyhow::Result<()> {
    agent.request_action(session, action).await?;
    customer.answer(session, action, true).await?;
    let outcome = agent.action_outcome(session, action, WAIT).await?;
    anyhow::ensure!(
        outcome == ActionState::Granted,
        "{action:?} ended as {outcome:?}"
    );
    Ok(())
}

/// Grants `needs` then `action`, lets `kind` media flow from its opener, revokes `action` from
/// the customer's side and checks the agent's end is cut within [`REVOKE_DEADLINE`].
async fn revoke_stops(
    name: &str,
    action: RemoteAction,
    kind: MediaKind,
    needs: &[RemoteAction],
) -> anyhow::Result<Duration> {
    let dir = tempfile::tempdir()?;
    let relay = TestRelay::start(dir.path()).await?;
    let (mut agent, mut customer, session) =
        served_session(&relay.client_config(), DEMO_CENTER_ID, DEMO_PASSWORD, name).await?;
    for a in needs.iter().chain([&action]) {
        grant(&mut agent, &customer, session, *a).await?;
    }
    let header = MediaHeader {
        session_id: session,
        kind,
    };
    // The screen goes customer → agent; everything else here is opened by the agent.
    let customer_opens = kind == MediaKind::Screen;
    let (opened, incoming): (MediaStream, MediaStream) = if customer_opens {
        let opened = customer.client.open_media(header).await?;
        (opened, agent.wait_media(kind, WAIT).await?)
    } else {
        let opened = agent.client.open_media(header).await?;
        (opened, customer.wait_media(kind, WAIT).await?)
    };
    let MediaStream {
        send: opener_send,
        recv: opener_recv,
        ..
    } = opened;
    let writer = write_until_cut(opener_send);
    let (received, opener_seen) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let receiver_end = count_until_cut(incoming.recv, received.clone());
    let opener_end = count_until_cut(opener_recv, opener_seen);
    let _receiver_send = incoming.send;

    // Media flows.
    let started = Instant::now();
    while received.load(Ordering::SeqCst) < FLOWING_BYTES {
        anyhow::ensure!(started.elapsed() < WAIT, "{kind:?} media never flowed");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }

    // The customer revokes this one action (the permissions panel's 撤销).
    let revoked_at = Instant::now();
    customer.stop(session, action).await?;
    let answered = revoked_at.elapsed();

    // The agent's end: its receiving half is reset (screen: the data it was reading; the
    // others: the half the relay writes to) and, when it sends, its writes are refused.
    let (agent_recv_end, agent_send_end) = if customer_opens {
        (receiver_end, None)
    } else {
        (opener_end, Some(writer))
    };
    let agent_cut = tokio::time::timeout(WAIT, agent_recv_end).await??;
    let elapsed = agent_cut.saturating_duration_since(revoked_at);
    let send_elapsed = match agent_send_end {
        Some(w) => Some(
            tokio::time::timeout(WAIT, w)
                .await??
                .saturating_duration_since(revoked_at),
        ),
        None => None,
    };
    eprintln!(
        "{action:?} ({kind:?}): relay answered the revoke after {answered:?}; agent's stream \
         reset after {elapsed:?}; agent's writes refused after {send_elapsed:?}"
    );
    assert!(
        elapsed < REVOKE_DEADLINE,
        "{action:?}: the agent's stream was still open {elapsed:?} after the revoke"
    );
    if let Some(send_elapsed) = send_elapsed {
        assert!(
            send_elapsed < REVOKE_DEADLINE,
            "{action:?}: the agent could still send {send_elapsed:?} after the revoke"
        );
    }

    // No further data: the count stays put, and a new stream is refused with nothing arriving.
    let after = received.load(Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        received.load(Ordering::SeqCst),
        after,
        "{kind:?} data after the revoke"
    );
    let opener = if customer_opens { &customer } else { &agent };
    assert!(
        refused(opener, header).await?,
        "a new {kind:?} stream must be refused"
    );
    let receiver = if customer_opens {
        &mut agent
    } else {
        &mut customer
    };
    assert!(receiver
        .wait_media(kind, Duration::from_millis(200))
        .await
        .is_err());

    // Revoking one action leaves the others granted (clipboard needs control: still there).
    for a in needs {
        let header = MediaHeader {
            session_id: session,
            kind: MediaKind::Input,
        };
        if *a == RemoteAction::RemoteControl {
            let mut input = agent.client.open_media(header).await?;
            input.send.write_all(&[0; 8]).await?;
            customer.wait_media(MediaKind::Input, WAIT).await?;
        }
    }
    relay.stop().await;
    Ok(elapsed)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoking_screen_view_stops_it_within_100_ms() -> anyhow::Result<()> {
    revoke_stops(
        "revoke-view",
        RemoteAction::ViewDesktop,
        MediaKind::Screen,
        &[],
    )
    .await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoking_remote_control_stops_input_within_100_ms() -> anyhow::Result<()> {
    revoke_stops(
        "revoke-control",
        RemoteAction::RemoteControl,
        MediaKind::Input,
        &[],
    )
    .await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoking_remote_demo_stops_it_within_100_ms() -> anyhow::Result<()> {
    revoke_stops(
        "revoke-demo",
        RemoteAction::RemoteDemo,
        MediaKind::Demo,
        &[],
    )
    .await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoking_clipboard_stops_it_within_100_ms_and_control_stays() -> anyhow::Result<()> {
    revoke_stops(
        "revoke-clipboard",
        RemoteAction::ClipboardSync,
        MediaKind::Clipboard,
        &[RemoteAction::RemoteControl],
    )
    .await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoking_file_transfer_stops_it_within_100_ms() -> anyhow::Result<()> {
    revoke_stops(
        "revoke-files",
        RemoteAction::FileTransfer,
        MediaKind::File,
        &[],
    )
    .await?;
    Ok(())
}
