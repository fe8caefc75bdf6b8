//! An in-process relay on `127.0.0.1:0` with the demo center, for loopback tests and benches.

use std::{
    net::SocketAddr,
    path::{Path, PathBuf},
};

use anyhow::{Context, Result};
use porpoise_protocol::wire::CenterId;
use porpoise_quic::{client::ClientConfig, tls::Fingerprint};
use porpoise_relay::{Relay, RelayConfig};
use tokio::{sync::oneshot, task::JoinHandle};

pub use porpoise_relay::{DEMO_CENTER_ID, DEMO_PASSWORD};

/// A running relay; [`TestRelay::stop`] shuts it down gracefully.
pub struct TestRelay {
    /// Bound UDP address.
    pub addr: SocketAddr,
    /// Its certificate fingerprint.
    pub fingerprint: Fingerprint,
    /// Its data directory (database and certificate).
    pub data_dir: PathBuf,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl TestRelay {
    /// Starts a relay on 127.0.0.1:0 with `data_dir`, seeding the demo center.
    pub async fn start(data_dir: &Path) -> Result<TestRelay> {
        let mut config = RelayConfig::new(data_dir);
        config.listen = "127.0.0.1:0".parse()?;
        config.demo = true;
        // Test services (context endpoints, webhook receivers) listen on 127.0.0.1.
        config.allow_private_outbound = true;
        let relay = Relay::bind(config).await.context("binding relay")?;
        let addr = relay.local_addr();
        let fingerprint = relay.fingerprint();
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            if let Err(e) = relay
                .run(async move {
                    let _ = rx.await;
                })
                .await
            {
                eprintln!("relay ended with error: {e}");
            }
        });
        Ok(TestRelay {
            addr,
            fingerprint,
            data_dir: data_dir.to_owned(),
            shutdown: Some(tx),
            task: Some(task),
        })
    }

    /// Client configuration pinned to this relay.
    pub fn client_config(&self) -> ClientConfig {
        ClientConfig {
            relay_addr: self.addr.to_string(),
            fingerprint: self.fingerprint,
        }
    }

    /// Shuts the relay down and waits until it has stopped.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for TestRelay {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

/// Creates center `center_id` with one agent account in the database under `data_dir`, before a
/// relay is started there (tenant-isolation tests need a second center).
pub async fn seed_center(
    data_dir: &Path,
    center_id: CenterId,
    name: &str,
    username: &str,
    password: &str,
) -> Result<()> {
    std::fs::create_dir_all(data_dir)?;
    let config = RelayConfig::new(data_dir);
    let store = porpoise_relay::Store::open(&config.database_path()).await?;
    store.create_center_with_id(center_id, name).await?;
    store
        .create_agent(
            center_id,
            username,
            username,
            password,
            porpoise_relay::store::AgentRole::Agent,
        )
        .await?;
    store.close().await;
    Ok(())
}
