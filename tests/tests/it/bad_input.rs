//! Bad input: a client that sends a malformed or oversized frame is disconnected with a logged
//! error, while another session on the same relay carries on.

use std::{
    io::Write,
    sync::{Arc, Mutex},
    time::Duration,
};

use porpoise_protocol::{
    framing::{encode_frame, MAX_CONTROL_FRAME_BYTES},
    wire::{ClientMessage, Event, Hello, HelloRole, InstallId, PROTOCOL_VERSION},
};
use porpoise_quic::tls::client_config;
use porpoise_tools::{
    peer::{Peer, WAIT},
    relay::{TestRelay, DEMO_CENTER_ID, DEMO_PASSWORD},
};

/// Log lines written by the relay during the test.
#[derive(Clone, Default)]
struct LogBuffer(Arc<Mutex<Vec<u8>>>);

impl Write for LogBuffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if let Ok(mut b) = self.0.lock() {
            b.extend_from_slice(buf);
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl LogBuffer {
    fn text(&self) -> String {
        self.0
            .lock()
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default()
    }
}

/// Opens a raw QUIC connection and writes `bytes` on the control stream; returns the
/// connection so the test can see it being closed.
async fn raw_client(relay: &TestRelay, bytes: Vec<u8>) -> anyhow::Result<quinn::Connection> {
    let (config, _) = client_config(relay.fingerprint)?;
    let mut endpoint = quinn::Endpoint::client("127.0.0.1:0".parse()?)?;
    endpoint.set_default_client_config(config);
    let conn = endpoint.connect(relay.addr, "porpoise-relay")?.await?;
    let (mut send, _recv) = conn.open_bi().await?;
    send.write_all(&bytes).await?;
    Ok(conn)
}

fn customer_hello() -> Vec<u8> {
    let hello = ClientMessage::Hello(Hello {
        protocol_version: PROTOCOL_VERSION,
        role: HelloRole::Customer {
            center_id: DEMO_CENTER_ID,
            install_id: InstallId(42),
        },
    });
    encode_frame(&hello, MAX_CONTROL_FRAME_BYTES).expect("encode")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_and_oversized_frames_close_only_that_connection() -> anyhow::Result<()> {
    let logs = LogBuffer::default();
    let sink = logs.clone();
    tracing_subscriber::fmt()
        .with_env_filter("warn,porpoise_relay=debug")
        .with_ansi(false)
        .with_writer(move || sink.clone())
        .init();

    let dir = tempfile::tempdir()?;
    let relay = TestRelay::start(dir.path()).await?;
    let config = relay.client_config();

    // A healthy session is in progress.
    let mut agent = Peer::agent(&config, DEMO_CENTER_ID, "agent1", DEMO_PASSWORD).await?;
    let mut customer = Peer::customer(&config, DEMO_CENTER_ID, InstallId(7)).await?;
    customer.request_service("healthy", "1").await?;
    let session = agent.take_customer("healthy", WAIT).await?;
    customer
        .wait_for(WAIT, |e| {
            matches!(e, Event::SessionStarted(_)).then_some(())
        })
        .await?;

    // 1. Garbage where the Hello should be.
    let garbage = raw_client(&relay, vec![5, 0, 0, 0, 0xff, 0xfe, 0xfd, 0xfc, 0xfb]).await?;
    // 2. A valid Hello, then a frame announcing 4 GiB.
    let mut oversized = customer_hello();
    oversized.extend_from_slice(&u32::MAX.to_le_bytes());
    let oversized = raw_client(&relay, oversized).await?;
    // 3. A valid Hello, then a frame that is not a ClientMessage.
    let mut malformed = customer_hello();
    malformed.extend_from_slice(&[3, 0, 0, 0, 0xee, 0xee, 0xee]);
    let malformed = raw_client(&relay, malformed).await?;

    for (name, conn) in [
        ("garbage", garbage),
        ("oversized", oversized),
        ("malformed", malformed),
    ] {
        let reason = tokio::time::timeout(WAIT, conn.closed()).await;
        assert!(reason.is_ok(), "{name} client was not disconnected");
        eprintln!("{name}: {:?}", reason.ok());
    }

    // The healthy session carries on, both ways.
    agent.say(session, "still here?").await?;
    assert_eq!(customer.wait_chat(session, WAIT).await?.text, "still here?");
    customer.say(session, "yes").await?;
    assert_eq!(agent.wait_chat(session, WAIT).await?.text, "yes");

    tokio::time::sleep(Duration::from_millis(100)).await;
    let text = logs.text();
    assert!(
        text.contains("exceeds the limit") && text.contains("malformed"),
        "relay log must name both errors:\n{text}"
    );
    relay.stop().await;
    Ok(())
}
