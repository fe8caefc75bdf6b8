//! File transfer through a real relay (A6, C5): both ways, consent, the center's size limit
//! (sender, receiver and relay), hostile names, SHA-256 mismatch, and resume after a reconnect.

use porpoise_protocol::wire::rpc;
use std::{path::Path, time::Duration};

use anyhow::{bail, Context};
use porpoise_protocol::wire::InstallId;
use porpoise_protocol::wire::{
    CenterSettings, Event, HelloRole, MediaHeader, MediaKind, RemoteAction, Request, Response,
    SessionId, DEFAULT_MAX_FILE_BYTES,
};
use porpoise_quic::files::FileTransferId;
use porpoise_quic::{
    client::random_id,
    files::{
        prepare_outgoing, read_offer, receive_over, send_over, CancelSignal, FileError, FileOffer,
        OutgoingFile, RefuseReason, SenderFrame, MAX_FILE_FRAME_BYTES,
    },
    frame_io::write_frame,
    transfers::{Direction, FileTransferUpdate, FileTransfers, FileTransfersConfig, Outcome},
};
use porpoise_tools::{
    peer::{refused, served_session, Peer, WAIT},
    relay::{TestRelay, DEMO_CENTER_ID, DEMO_PASSWORD},
};

fn file_header(session_id: SessionId) -> MediaHeader {
    MediaHeader {
        session_id,
        kind: MediaKind::File,
    }
}

fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 31 % 251) as u8).collect()
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|r| {
            r.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// Sends `file` from `from` and receives it on `to` into `dir`, both through the relay.
async fn transfer(
    from: &Peer,
    to: &mut Peer,
    session: SessionId,
    file: &OutgoingFile,
    dir: &Path,
) -> anyhow::Result<(
    Result<porpoise_quic::files::Delivered, FileError>,
    Result<std::path::PathBuf, FileError>,
)> {
    let stream = from.client.open_media(file_header(session)).await?;
    let file2 = file.clone();
    let sender = tokio::spawn(async move {
        send_over(
            stream.send,
            stream.recv,
            &file2,
            CancelSignal::never(),
            |_| {},
        )
        .await
    });
    let mut incoming = to.wait_media(MediaKind::File, WAIT).await?;
    let offer = read_offer(&mut incoming.recv).await?;
    let received = receive_over(
        incoming.send,
        incoming.recv,
        &offer,
        dir,
        CancelSignal::never(),
        |_| {},
    )
    .await;
    Ok((sender.await?, received))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_go_both_ways_and_agent_files_need_consent() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let relay = TestRelay::start(&dir.path().join("relay")).await?;
    let (mut agent, mut customer, session) = served_session(
        &relay.client_config(),
        DEMO_CENTER_ID,
        DEMO_PASSWORD,
        "文件",
    )
    .await?;
    let src = dir.path().join("src");
    std::fs::create_dir_all(&src)?;
    let agent_dl = dir.path().join("agent-dl");
    let customer_dl = dir.path().join("customer-dl");

    // Before consent the relay refuses the agent's file stream.
    assert!(
        refused(&agent, file_header(session)).await?,
        "no consent yet"
    );

    // The customer sends without any grant (C5: the customer starts it).
    let data = pattern(1_500_000);
    std::fs::write(src.join("日志.log"), &data)?;
    let file = prepare_outgoing(src.join("日志.log"), DEFAULT_MAX_FILE_BYTES).await?;
    let (sent, got) = transfer(&customer, &mut agent, session, &file, &agent_dl).await?;
    assert_eq!(sent?.saved_as, "日志.log");
    assert_eq!(std::fs::read(got?)?, data);

    // After the grant the agent sends two files, the second one with a name already taken.
    agent
        .request_action(session, RemoteAction::FileTransfer)
        .await?;
    customer
        .wait_for(WAIT, |e| {
            matches!(
                e,
                Event::ConsentRequested {
                    action: RemoteAction::FileTransfer,
                    ..
                }
            )
            .then_some(())
        })
        .await?;
    customer
        .answer(session, RemoteAction::FileTransfer, true)
        .await?;
    agent
        .wait_for(WAIT, |e| match e {
            Event::ActionChanged {
                action: RemoteAction::FileTransfer,
                state: porpoise_protocol::wire::ActionState::Granted,
                ..
            } => Some(()),
            _ => None,
        })
        .await?;
    for round in 0..2 {
        let manual = pattern(70_000 + round);
        std::fs::write(src.join("manual.pdf"), &manual)?;
        let file = prepare_outgoing(src.join("manual.pdf"), DEFAULT_MAX_FILE_BYTES).await?;
        let (sent, got) = transfer(&agent, &mut customer, session, &file, &customer_dl).await?;
        let want = if round == 0 {
            "manual.pdf"
        } else {
            "manual (1).pdf"
        };
        assert_eq!(sent?.saved_as, want);
        assert_eq!(std::fs::read(got?)?, manual);
    }
    assert_eq!(files_in(&customer_dl), ["manual (1).pdf", "manual.pdf"]);

    // Stopping the action stops agent files again.
    agent.stop(session, RemoteAction::FileTransfer).await?;
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(refused(&agent, file_header(session)).await?, "stopped");
    relay.stop().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_names_stay_inside_the_download_folder() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let relay = TestRelay::start(&dir.path().join("relay")).await?;
    let (mut agent, customer, session) =
        served_session(&relay.client_config(), DEMO_CENTER_ID, DEMO_PASSWORD, "Eve").await?;
    let downloads = dir.path().join("a").join("b").join("dl");
    std::fs::create_dir_all(&downloads)?;
    for (hostile, safe) in [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\boot.ini", "boot.ini"),
        ("CON.txt", "_CON.txt"),
        ("evil\u{7}\nname?.sh", "evilname.sh"),
    ] {
        let data = hostile.as_bytes().to_vec();
        let src = dir.path().join("payload");
        std::fs::write(&src, &data)?;
        let mut file = prepare_outgoing(src, DEFAULT_MAX_FILE_BYTES).await?;
        // A hostile sender skips its own sanitising.
        file.offer.name = hostile.to_string();
        let (sent, got) = transfer(&customer, &mut agent, session, &file, &downloads).await?;
        assert_eq!(sent?.saved_as, safe);
        let path = got?;
        assert_eq!(path, downloads.join(safe), "{hostile:?}");
        assert_eq!(std::fs::read(&path)?, data);
    }
    // Nothing was written above the download folder.
    assert_eq!(files_in(&dir.path().join("a")), ["b"]);
    assert_eq!(files_in(&dir.path().join("a").join("b")), ["dl"]);
    assert!(!dir.path().join("etc").exists());

    // A name that is nothing but directories is refused.
    let stream = customer.client.open_media(file_header(session)).await?;
    let mut send = stream.send;
    let offer = FileOffer {
        transfer_id: FileTransferId(random_id()),
        name: "../..".into(),
        size: 1,
        sha256: [0; 32],
    };
    write_frame(&mut send, &SenderFrame::Offer(offer), MAX_FILE_FRAME_BYTES).await?;
    let mut incoming = agent.wait_media(MediaKind::File, WAIT).await?;
    assert!(matches!(
        read_offer(&mut incoming.recv).await,
        Err(FileError::Name(_))
    ));
    relay.stop().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sha_mismatch_fails_both_sides_and_keeps_nothing() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let relay = TestRelay::start(&dir.path().join("relay")).await?;
    let (mut agent, customer, session) =
        served_session(&relay.client_config(), DEMO_CENTER_ID, DEMO_PASSWORD, "Sha").await?;
    let src = dir.path().join("report.xlsx");
    std::fs::write(&src, pattern(300_000))?;
    let mut file = prepare_outgoing(src, DEFAULT_MAX_FILE_BYTES).await?;
    file.offer.sha256[7] ^= 0x40;
    let downloads = dir.path().join("dl");
    let (sent, got) = transfer(&customer, &mut agent, session, &file, &downloads).await?;
    assert!(matches!(sent, Err(FileError::ShaMismatch)), "{sent:?}");
    assert!(matches!(got, Err(FileError::ShaMismatch)), "{got:?}");
    assert!(
        files_in(&downloads).is_empty(),
        "{:?}",
        files_in(&downloads)
    );
    relay.stop().await;
    Ok(())
}

/// Logs in the demo admin and sets the center's file size limit.
async fn set_limit(relay: &TestRelay, max_file_bytes: u64) -> anyhow::Result<()> {
    let admin = Peer::agent(
        &relay.client_config(),
        DEMO_CENTER_ID,
        "admin",
        DEMO_PASSWORD,
    )
    .await?;
    let Response::CenterSettings(settings) = admin
        .client
        .request(Request::GetCenterSettings(rpc::GetCenterSettings))
        .await?
    else {
        bail!("no settings");
    };
    let settings = CenterSettings {
        max_file_bytes,
        ..settings
    };
    admin
        .client
        .request(Request::UpdateCenterSettings(rpc::UpdateCenterSettings(
            settings,
        )))
        .await?;
    admin.client.close("done");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_size_limit_holds_at_sender_receiver_and_relay() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let relay = TestRelay::start(&dir.path().join("relay")).await?;
    let limit = 256 * 1024;
    set_limit(&relay, limit).await?;
    let (mut agent, customer, session) =
        served_session(&relay.client_config(), DEMO_CENTER_ID, DEMO_PASSWORD, "Big").await?;
    let Response::FileTransferLimit(rpc::FileSizeLimit { max_bytes, .. }) = customer
        .client
        .request(Request::FileTransferLimit(rpc::FileTransferLimit {
            session_id: session,
        }))
        .await?
    else {
        bail!("no limit");
    };
    assert_eq!(max_bytes, limit);

    // Sender: a file over the limit is not even offered.
    let src = dir.path().join("video.mp4");
    std::fs::write(&src, pattern(limit as usize + 1))?;
    assert!(matches!(
        prepare_outgoing(src.clone(), max_bytes).await,
        Err(FileError::TooBig { .. })
    ));

    // Receiver: an offer over the limit is refused by the agent's transfers without asking.
    let downloads = dir.path().join("dl");
    let mut transfers = FileTransfers::new(FileTransfersConfig {
        download_dir: downloads.clone(),
        auto_accept: true,
        needs_grant: true,
    });
    transfers.set_client(Some(agent.client.clone()));
    let mut big = prepare_outgoing(src.clone(), u64::MAX).await?;
    big.offer.name = "video.mp4".into();
    let stream = customer.client.open_media(file_header(session)).await?;
    let sender = tokio::spawn(async move {
        send_over(
            stream.send,
            stream.recv,
            &big,
            CancelSignal::never(),
            |_| {},
        )
        .await
    });
    transfers.incoming(agent.wait_media(MediaKind::File, WAIT).await?);
    let outcome = loop {
        match tokio::time::timeout(WAIT, transfers.recv()).await? {
            FileTransferUpdate::Finished { outcome, .. } => break outcome,
            _ => continue,
        }
    };
    assert!(
        matches!(outcome, Outcome::Refused(RefuseReason::TooBig { max, .. }) if max == limit),
        "{outcome:?}"
    );
    assert!(matches!(
        sender.await?,
        Err(FileError::Refused(RefuseReason::TooBig { .. }))
    ));

    // Relay: a sender that lies about the size and streams on is cut after limit + overhead.
    let stream = customer.client.open_media(file_header(session)).await?;
    let mut send = stream.send;
    let writer = tokio::spawn(async move {
        let chunk = SenderFrame::Chunk(vec![0u8; 60_000]);
        let mut sent = 0u64;
        for _ in 0..200 {
            if write_frame(&mut send, &chunk, MAX_FILE_FRAME_BYTES)
                .await
                .is_err()
            {
                return sent;
            }
            sent += 60_000;
        }
        sent
    });
    let mut incoming = agent.wait_media(MediaKind::File, WAIT).await?;
    let mut received = 0u64;
    let mut buf = vec![0u8; 64 * 1024];
    while let Ok(Some(n)) = tokio::time::timeout(WAIT, incoming.recv.read(&mut buf)).await? {
        received += n as u64;
    }
    let cap = limit + porpoise_relay::core::FILE_STREAM_OVERHEAD_BYTES;
    assert!(received <= cap, "{received} bytes passed a cap of {cap}");
    let sent = writer.await?;
    assert!(sent < 200 * 60_000, "the writer was never stopped");
    relay.stop().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interrupted_transfer_resumes_after_a_reconnect() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let relay = TestRelay::start(&dir.path().join("relay")).await?;
    let config = relay.client_config();
    let install_id = random_id();
    let mut agent = Peer::agent(&config, DEMO_CENTER_ID, "agent1", DEMO_PASSWORD).await?;
    let customer = Peer::customer(&config, DEMO_CENTER_ID, InstallId(install_id)).await?;
    customer.request_service("Resume", "13800000000").await?;
    let session = agent.take_customer("Resume", WAIT).await?;

    let downloads = dir.path().join("dl");
    let mut transfers = FileTransfers::new(FileTransfersConfig {
        download_dir: downloads.clone(),
        auto_accept: true,
        needs_grant: true,
    });
    transfers.set_client(Some(agent.client.clone()));

    let size = 48 * 1024 * 1024;
    let data = pattern(size);
    let src = dir.path().join("install.iso");
    std::fs::write(&src, &data)?;
    let file = prepare_outgoing(src, DEFAULT_MAX_FILE_BYTES).await?;

    // First attempt: the customer's connection drops once bytes have arrived.
    let stream = customer.client.open_media(file_header(session)).await?;
    let file1 = file.clone();
    let first = tokio::spawn(async move {
        send_over(
            stream.send,
            stream.recv,
            &file1,
            CancelSignal::never(),
            |_| {},
        )
        .await
    });
    transfers.incoming(
        agent
            .wait_media(MediaKind::File, WAIT)
            .await
            .context("first stream")?,
    );
    let mut reconnected = None;
    let mut seen = Vec::new();
    loop {
        let update = match tokio::time::timeout(WAIT, transfers.recv()).await {
            Ok(u) => u,
            Err(_) => bail!("no interruption; saw {seen:?}"),
        };
        seen.push(format!("{update:?}"));
        match update {
            FileTransferUpdate::Added {
                id,
                direction,
                name,
                needs_answer,
                ..
            } => {
                assert_eq!(direction, Direction::Incoming);
                assert_eq!(name, "install.iso");
                // 48 MiB is over the center's auto-accept size: the agent clicks Accept.
                assert!(needs_answer);
                transfers.answer(id, true);
            }
            FileTransferUpdate::Progress { done, .. } => {
                if done > 0 && reconnected.is_none() {
                    customer.client.close("network lost");
                    // The helper reconnects with the same install id: the relay replaces the
                    // old connection (even if its close frame was lost) and cuts its streams.
                    let role = HelloRole::Customer {
                        center_id: DEMO_CENTER_ID,
                        install_id: InstallId(install_id),
                    };
                    reconnected = Some(Peer::connect(&config, role).await?);
                }
            }
            FileTransferUpdate::Interrupted { .. } => break,
            other => bail!("unexpected {other:?} (the transfer was too fast to interrupt?)"),
        }
    }
    let customer = reconnected.context("never reconnected")?;
    assert!(first.await?.is_err());
    let part = porpoise_quic::files::part_path(&downloads, "install.iso", file.offer.transfer_id);
    let kept = std::fs::metadata(&part).context("part file kept")?.len();
    assert!(kept > 0 && kept < size as u64, "{kept}");

    // The session resumed on the new connection; the same offer continues from the part file.
    let stream = customer.client.open_media(file_header(session)).await?;
    let file2 = file.clone();
    let second = tokio::spawn(async move {
        send_over(
            stream.send,
            stream.recv,
            &file2,
            CancelSignal::never(),
            |_| {},
        )
        .await
    });
    transfers.incoming(
        agent
            .wait_media(MediaKind::File, WAIT)
            .await
            .context("second stream")?,
    );
    let saved = loop {
        match tokio::time::timeout(WAIT, transfers.recv())
            .await
            .context("second updates")?
        {
            FileTransferUpdate::Finished {
                outcome: Outcome::Saved { path },
                ..
            } => break path,
            FileTransferUpdate::Finished { outcome, .. } => bail!("ended {outcome:?}"),
            _ => continue,
        }
    };
    let delivered = second.await??;
    assert_eq!(delivered.resumed_from, kept, "resumed from the part file");
    assert_eq!(std::fs::read(&saved)?, data);
    assert!(!part.exists());
    relay.stop().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_common_file_goes_to_the_customer_in_one_click() -> anyhow::Result<()> {
    use porpoise_protocol::wire::{ActionState, CommonFile, CommonFileOutcome};
    let dir = tempfile::tempdir()?;
    let data_dir = dir.path().join("relay");
    let relay = TestRelay::start(&data_dir).await?;
    let manual = pattern(400_000);
    std::fs::write(dir.path().join("安装说明.pdf"), &manual)?;
    porpoise_relay::common_files::add_common_file(
        &data_dir,
        DEMO_CENTER_ID,
        &dir.path().join("安装说明.pdf"),
    )?;
    let (mut agent, customer, session) = served_session(
        &relay.client_config(),
        DEMO_CENTER_ID,
        DEMO_PASSWORD,
        "Common",
    )
    .await?;
    let Response::CommonFiles(files) = agent
        .client
        .request(Request::ListCommonFiles(rpc::ListCommonFiles))
        .await?
    else {
        bail!("no list");
    };
    assert_eq!(
        files,
        [CommonFile {
            name: "安装说明.pdf".into(),
            size: manual.len() as u64
        }]
    );
    // Not before the customer allows file transfer.
    let send = Request::SendCommonFile(rpc::SendCommonFile {
        session_id: session,
        name: "安装说明.pdf".into(),
    });
    assert!(agent.client.request(send.clone()).await.is_err());
    // A path is never a common file name.
    let sneaky = Request::SendCommonFile(rpc::SendCommonFile {
        session_id: session,
        name: "../relay.db".into(),
    });
    assert!(agent.client.request(sneaky).await.is_err());

    // The customer's helper side: FileTransfers that ask, answered Accept here.
    let downloads = dir.path().join("customer-dl");
    let mut transfers = FileTransfers::new(FileTransfersConfig {
        download_dir: downloads.clone(),
        auto_accept: false,
        needs_grant: false,
    });
    transfers.set_client(Some(customer.client.clone()));
    let mut customer = customer;
    agent
        .request_action(session, RemoteAction::FileTransfer)
        .await?;
    customer
        .wait_for(WAIT, |e| {
            matches!(e, Event::ConsentRequested { .. }).then_some(())
        })
        .await?;
    customer
        .answer(session, RemoteAction::FileTransfer, true)
        .await?;
    agent
        .wait_for(WAIT, |e| match e {
            Event::ActionChanged {
                action: RemoteAction::FileTransfer,
                state: ActionState::Granted,
                ..
            } => Some(()),
            _ => None,
        })
        .await?;
    agent.client.request(send).await?;
    transfers.incoming(customer.wait_media(MediaKind::File, WAIT).await?);
    let saved = loop {
        match tokio::time::timeout(WAIT, transfers.recv()).await? {
            FileTransferUpdate::Added {
                id, needs_answer, ..
            } => {
                assert!(needs_answer, "the customer is asked");
                transfers.answer(id, true);
            }
            FileTransferUpdate::Finished {
                outcome: Outcome::Saved { path },
                ..
            } => break path,
            FileTransferUpdate::Finished { outcome, .. } => bail!("ended {outcome:?}"),
            _ => continue,
        }
    };
    assert_eq!(std::fs::read(&saved)?, manual);
    let outcome = agent
        .wait_for(WAIT, |e| match e {
            Event::CommonFileSent { outcome, .. } => Some(outcome.clone()),
            _ => None,
        })
        .await?;
    assert_eq!(
        outcome,
        CommonFileOutcome::Delivered {
            saved_as: "安装说明.pdf".into()
        }
    );
    relay.stop().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_helper_resumes_its_own_file_by_itself_after_reconnecting() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let relay = TestRelay::start(&dir.path().join("relay")).await?;
    let config = relay.client_config();
    let install_id = random_id();
    let mut agent = Peer::agent(&config, DEMO_CENTER_ID, "agent1", DEMO_PASSWORD).await?;
    let customer = Peer::customer(&config, DEMO_CENTER_ID, InstallId(install_id)).await?;
    customer.request_service("Auto", "13800000000").await?;
    let session = agent.take_customer("Auto", WAIT).await?;

    // The agent console's side: accepts incoming files within the center's limits, answers the others (runs on its own task).
    let agent_dl = dir.path().join("agent-dl");
    let mut agent_files = FileTransfers::new(FileTransfersConfig {
        download_dir: agent_dl.clone(),
        auto_accept: true,
        needs_grant: true,
    });
    agent_files.set_client(Some(agent.client.clone()));
    let (saved_tx, mut saved_rx) = tokio::sync::mpsc::channel(4);
    let agent_side = tokio::spawn(async move {
        loop {
            tokio::select! {
                m = agent.wait_media(MediaKind::File, Duration::from_secs(60)) => match m {
                    Ok(stream) => agent_files.incoming(stream),
                    Err(_) => return,
                },
                u = agent_files.recv() => match u {
                    FileTransferUpdate::Finished { outcome, .. } => {
                        let _ = saved_tx.send(outcome).await;
                    }
                    // 48 MiB is over the center's auto-accept size: the agent clicks Accept.
                    FileTransferUpdate::Added { id, needs_answer: true, .. } => {
                        agent_files.answer(id, true);
                    }
                    _ => {}
                }
            }
        }
    });

    // The helper's side sends a file, loses its connection part-way and reconnects.
    let size = 48 * 1024 * 1024;
    let data = pattern(size);
    let src = dir.path().join("capture.mp4");
    std::fs::write(&src, &data)?;
    let mut helper_files = FileTransfers::new(FileTransfersConfig {
        download_dir: dir.path().join("customer-dl"),
        auto_accept: false,
        needs_grant: false,
    });
    helper_files.set_client(Some(customer.client.clone()));
    helper_files.send(session, vec![src]);
    let mut reconnected = None;
    let mut interrupted = false;
    let delivered = loop {
        let update = tokio::time::timeout(WAIT, helper_files.recv())
            .await
            .context("helper updates")?;
        match update {
            FileTransferUpdate::Progress { done, .. } if done > 0 && reconnected.is_none() => {
                customer.client.close("network lost");
                let role = HelloRole::Customer {
                    center_id: DEMO_CENTER_ID,
                    install_id: InstallId(install_id),
                };
                let peer = Peer::connect(&config, role).await?;
                helper_files.set_client(Some(peer.client.clone()));
                reconnected = Some(peer);
            }
            FileTransferUpdate::Interrupted { .. } => interrupted = true,
            FileTransferUpdate::Finished { outcome, .. } => break outcome,
            FileTransferUpdate::NotSent { outcome, .. } => bail!("not sent: {outcome:?}"),
            _ => {}
        }
    };
    assert!(interrupted, "the first stream broke");
    assert_eq!(
        delivered,
        Outcome::Delivered {
            saved_as: "capture.mp4".into()
        }
    );
    let saved = loop {
        match tokio::time::timeout(WAIT, saved_rx.recv()).await? {
            Some(Outcome::Saved { path }) => break path,
            Some(_) => continue,
            None => bail!("agent side ended"),
        }
    };
    assert_eq!(std::fs::read(saved)?, data);
    agent_side.abort();
    relay.stop().await;
    Ok(())
}

/// The admin's auto-accept limits (issue 14): the agent's console takes a customer's file by
/// itself only up to the size and count per session the admin set; the others wait for the
/// agent's Accept or Decline (was: every file was accepted without asking).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_asks_about_files_over_the_auto_accept_limits() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let relay = TestRelay::start(&dir.path().join("relay")).await?;
    let admin = Peer::agent(
        &relay.client_config(),
        DEMO_CENTER_ID,
        "admin",
        DEMO_PASSWORD,
    )
    .await?;
    let Response::CenterSettings(settings) = admin
        .client
        .request(Request::GetCenterSettings(rpc::GetCenterSettings))
        .await?
    else {
        bail!("no settings");
    };
    let settings = CenterSettings {
        auto_accept_file_bytes: 64 * 1024,
        auto_accept_files: 1,
        ..settings
    };
    admin
        .client
        .request(Request::UpdateCenterSettings(rpc::UpdateCenterSettings(
            settings,
        )))
        .await?;
    let (mut agent, customer, session) =
        served_session(&relay.client_config(), DEMO_CENTER_ID, DEMO_PASSWORD, "Ask").await?;
    let mut transfers = FileTransfers::new(FileTransfersConfig {
        download_dir: dir.path().join("dl"),
        auto_accept: true,
        needs_grant: true,
    });
    transfers.set_client(Some(agent.client.clone()));
    let src = dir.path().join("src");
    std::fs::create_dir_all(&src)?;
    // (name, size, asked?, accept)
    let cases = [
        ("first.txt", 10_000, false, true),
        ("second.txt", 10_000, true, true),
        ("big.zip", 100_000, true, false),
    ];
    for (name, size, asked, accept) in cases {
        std::fs::write(src.join(name), pattern(size))?;
        let file = prepare_outgoing(src.join(name), DEFAULT_MAX_FILE_BYTES).await?;
        let stream = customer.client.open_media(file_header(session)).await?;
        let sender = tokio::spawn(async move {
            send_over(
                stream.send,
                stream.recv,
                &file,
                CancelSignal::never(),
                |_| {},
            )
            .await
        });
        transfers.incoming(agent.wait_media(MediaKind::File, WAIT).await?);
        let outcome = loop {
            match tokio::time::timeout(WAIT, transfers.recv()).await? {
                FileTransferUpdate::Added {
                    id, needs_answer, ..
                } => {
                    assert_eq!(needs_answer, asked, "{name}");
                    if needs_answer {
                        transfers.answer(id, accept);
                    }
                }
                FileTransferUpdate::Finished { outcome, .. } => break outcome,
                _ => {}
            }
        };
        if accept {
            assert!(
                matches!(outcome, Outcome::Saved { .. }),
                "{name}: {outcome:?}"
            );
            assert!(sender.await?.is_ok(), "{name}");
        } else {
            assert_eq!(outcome, Outcome::Refused(RefuseReason::Declined), "{name}");
            assert!(matches!(
                sender.await?,
                Err(FileError::Refused(RefuseReason::Declined))
            ));
        }
    }
    relay.stop().await;
    Ok(())
}
