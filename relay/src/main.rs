//! `porpoise-relay`: runs the relay, prints its certificate fingerprint, or creates centers.
//!
//! Lines on stdout have a stable format for scripts; logs go to stderr (`RUST_LOG`, default
//! `info`).

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use porpoise_relay::config::{load_or_create_identity, DEFAULT_MAX_CONNECTIONS};
use porpoise_relay::store::{DEMO_ACCOUNTS, DEMO_GROUPS, DEMO_PRODUCT_TYPES};
use porpoise_relay::{Relay, RelayConfig, Store, DEMO_CENTER_ID, DEMO_PASSWORD};
use tracing_subscriber::EnvFilter;

/// Porpoise relay server.
#[derive(Debug, Parser)]
#[command(name = "porpoise-relay", version, about)]
struct Cli {
    /// Data directory (database, certificate). Default: the platform's data dir.
    #[arg(long, global = true, env = "PORPOISE_RELAY_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// UDP address to listen on.
    #[arg(long, default_value = "0.0.0.0:18000", env = "PORPOISE_RELAY_LISTEN")]
    listen: SocketAddr,
    /// Create the demo center (8000001, password `porpoise-demo`) before serving.
    #[arg(long)]
    demo: bool,
    /// Most connections served at once.
    #[arg(long, default_value_t = DEFAULT_MAX_CONNECTIONS)]
    max_connections: usize,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Print the certificate fingerprint (creating the certificate if needed).
    Fingerprint,
    /// Manage support centers.
    Center {
        #[command(subcommand)]
        action: CenterCommand,
    },
}

#[derive(Debug, Subcommand)]
enum CenterCommand {
    /// Create a center with an `admin` account, or (with --demo) the demo center.
    Create {
        /// Center display name.
        #[arg(long, required_unless_present = "demo", conflicts_with = "demo")]
        name: Option<String>,
        /// Create the demo center (idempotent).
        #[arg(long)]
        demo: bool,
    },
    /// Set the seats a center bought (read at the relay's next start).
    Seats {
        /// Center ID.
        #[arg(long)]
        center_id: u32,
        /// Seats: agents that may be Online, Busy or Away at once.
        #[arg(long)]
        seats: u32,
    },
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let data_dir = match cli.data_dir.clone() {
        Some(dir) => dir,
        None => RelayConfig::default_data_dir()?,
    };
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    runtime.block_on(async move {
        match cli.command {
            None => serve(cli.listen, data_dir, cli.demo, cli.max_connections).await,
            Some(Command::Fingerprint) => {
                let identity = load_or_create_identity(&data_dir)?;
                println!("{}", identity.fingerprint);
                Ok(())
            }
            Some(Command::Center {
                action: CenterCommand::Create { name, demo },
            }) => create_center(data_dir, name, demo).await,
            Some(Command::Center {
                action: CenterCommand::Seats { center_id, seats },
            }) => set_seats(data_dir, center_id, seats).await,
        }
    })
}

async fn serve(
    listen: SocketAddr,
    data_dir: PathBuf,
    demo: bool,
    max_connections: usize,
) -> anyhow::Result<()> {
    let config = RelayConfig {
        listen,
        max_connections,
        demo,
        ..RelayConfig::new(data_dir)
    };
    let relay = Relay::bind(config)
        .await
        .context("cannot start the relay")?;
    println!("listening on {}", relay.local_addr());
    println!("fingerprint {}", relay.fingerprint());
    if demo {
        tracing::info!(
            center = DEMO_CENTER_ID,
            password = DEMO_PASSWORD,
            "demo center ready"
        );
    }
    relay.run(shutdown_signal()).await?;
    Ok(())
}

async fn create_center(data_dir: PathBuf, name: Option<String>, demo: bool) -> anyhow::Result<()> {
    std::fs::create_dir_all(&data_dir)
        .with_context(|| format!("cannot create {}", data_dir.display()))?;
    let store = Store::open(&RelayConfig::new(data_dir).database_path()).await?;
    if demo {
        store.seed_demo().await?;
        let names: Vec<&str> = DEMO_ACCOUNTS.iter().map(|(u, _, _)| *u).collect();
        println!("center {DEMO_CENTER_ID}");
        println!("usernames {}", names.join(" "));
        println!("password {DEMO_PASSWORD}");
        println!("groups {}", DEMO_GROUPS.join(" "));
        println!("product-types {}", DEMO_PRODUCT_TYPES.join(" "));
    } else {
        let name = name.context("--name is required")?;
        anyhow::ensure!(!name.trim().is_empty(), "the center name must not be empty");
        let made = store.create_center(name.trim()).await?;
        println!("center {}", made.center_id);
        println!("username admin");
        println!("password {}", made.admin_password);
    }
    store.close().await;
    Ok(())
}

async fn set_seats(data_dir: PathBuf, center_id: u32, seats: u32) -> anyhow::Result<()> {
    let store = Store::open(&RelayConfig::new(data_dir).database_path()).await?;
    anyhow::ensure!(
        store.center(center_id).await?.is_some(),
        "no center {center_id} in this database"
    );
    store.set_seats(center_id, seats).await?;
    println!("center {center_id}");
    println!("seats {seats}");
    store.close().await;
    Ok(())
}

/// Completes on Ctrl+C, or SIGTERM on unix (systemd stop).
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(err) => {
                tracing::warn!("cannot listen for SIGTERM: {err}");
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
    tracing::info!("shutdown requested");
}
