//! `porpoise-relay`: runs the relay, prints its certificate fingerprint, or creates centers.
//!
//! Lines on stdout have a stable format for scripts; logs go to stderr (`RUST_LOG`, default
//! `info`).

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use porpoise_relay::config::{load_or_create_identity, DEFAULT_MAX_CONNECTIONS};
use porpoise_relay::store::{LibraryFile, DEMO_ACCOUNTS, DEMO_GROUPS, DEMO_PRODUCT_TYPES};
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
    /// Center-wide canned responses and knowledge base (A8) before the admin UI exists.
    Library {
        #[command(subcommand)]
        action: LibraryCommand,
    },
    /// Files the center offers to every agent (常用文件, A8), kept in the data directory.
    CommonFile {
        #[command(subcommand)]
        action: CommonFileCommand,
    },
}

#[derive(Debug, Subcommand)]
enum CommonFileCommand {
    /// Copy a file into the center's common files; prints `common-file <name> <bytes>`.
    Add {
        /// Center ID.
        #[arg(long)]
        center_id: u32,
        /// The file.
        #[arg(long)]
        file: PathBuf,
    },
    /// List the center's common files, one `<bytes>\t<name>` per line.
    List {
        /// Center ID.
        #[arg(long)]
        center_id: u32,
    },
}

#[derive(Debug, Subcommand)]
enum LibraryCommand {
    /// Import center-wide canned responses and knowledge-base entries from a JSON file:
    /// `{"canned": [{"category", "title", "text"}], "knowledge": [{"title", "keywords": [..],
    /// "text", "children": [..]}]}`. Agents see them the next time they open the panel.
    Import {
        /// Center ID.
        #[arg(long)]
        center_id: u32,
        /// The JSON file.
        #[arg(long)]
        file: PathBuf,
        /// Replace the center's existing center-wide canned responses and knowledge base
        /// instead of adding to them (personal canned responses are kept).
        #[arg(long)]
        replace: bool,
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
            Some(Command::Library {
                action:
                    LibraryCommand::Import {
                        center_id,
                        file,
                        replace,
                    },
            }) => import_library(data_dir, center_id, &file, replace).await,
            Some(Command::CommonFile {
                action: CommonFileCommand::Add { center_id, file },
            }) => {
                let added =
                    porpoise_relay::common_files::add_common_file(&data_dir, center_id, &file)?;
                println!("common-file {} {}", added.name, added.size);
                Ok(())
            }
            Some(Command::CommonFile {
                action: CommonFileCommand::List { center_id },
            }) => {
                for f in porpoise_relay::common_files::list_common_files(&data_dir, center_id).await
                {
                    println!("{}\t{}", f.size, f.name);
                }
                Ok(())
            }
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

async fn import_library(
    data_dir: PathBuf,
    center_id: u32,
    file: &std::path::Path,
    replace: bool,
) -> anyhow::Result<()> {
    let json =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let library = LibraryFile::parse(&json).with_context(|| format!("in {}", file.display()))?;
    let store = Store::open(&RelayConfig::new(data_dir).database_path()).await?;
    let imported = store.import_library(center_id, &library, replace).await;
    store.close().await;
    let imported = imported?;
    println!("center {center_id}");
    println!("canned {}", imported.canned);
    println!("knowledge {}", imported.knowledge);
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
