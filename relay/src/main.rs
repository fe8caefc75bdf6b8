//! `porpoise-relay`: runs the relay, prints its certificate fingerprint, or creates centers.
//!
//! Lines on stdout have a stable format for scripts; logs go to stderr (`RUST_LOG`, default
//! `info`).

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use porpoise_protocol::wire::CenterId;
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
    /// Most connections at once from one IPv4 address or IPv6 /64.
    #[arg(long, default_value_t = porpoise_relay::config::DEFAULT_MAX_CONNECTIONS_PER_IP)]
    max_connections_per_ip: usize,
    /// New connections accepted per minute from one IPv4 address or IPv6 /64 (more are
    /// refused before the TLS handshake).
    #[arg(long, default_value_t = porpoise_relay::config::DEFAULT_NEW_CONNECTIONS_PER_IP,
          value_parser = clap::value_parser!(u32).range(1..))]
    new_connections_per_ip: u32,
    /// Multiplies every customer quota (Hellos, queue entries, offline messages, chat texts
    /// and pictures per install ID and per IP address): raise it when many customers share one
    /// address (a carrier NAT) or for load tests.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    customer_quota_multiplier: u32,
    /// Let centers' context lookups and webhooks reach loopback, private and link-local
    /// addresses (an intranet service). Off: such destinations are refused.
    #[arg(long, env = "PORPOISE_RELAY_ALLOW_PRIVATE_OUTBOUND")]
    allow_private_outbound: bool,
    /// Folder of the helper binaries served for download over HTTPS on the same port number
    /// (TCP): `porpoise-helper` (Linux) and `porpoise-helper.exe` (Windows) (C1, M11).
    #[arg(long, env = "PORPOISE_HELPER_DIR")]
    helper_dir: Option<PathBuf>,
    /// host:port customers reach the relay at, written into downloaded helpers and printed by
    /// `helper-link` (default: the host of each download request with the relay's port).
    #[arg(long, global = true, env = "PORPOISE_RELAY_PUBLIC_ADDR")]
    public_address: Option<String>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Print the certificate fingerprint (creating the certificate if needed).
    Fingerprint,
    /// Print a center's helper download URLs (C1, M11): `page URL`, `linux URL`, `windows URL`.
    HelperLink {
        /// Center ID.
        #[arg(long)]
        center_id: CenterId,
    },
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
    /// Accounts of a center (成员管理, M2), for scripted set-up; the admin window is the other way.
    Agent {
        #[command(subcommand)]
        action: AgentCommand,
    },
    /// Add a group (分组, M3); read by the relay at its next start.
    Group {
        #[command(subcommand)]
        action: NamedCommand,
    },
    /// Add a product type (产品类型, M3); read by the relay at its next start.
    ProductType {
        #[command(subcommand)]
        action: NamedCommand,
    },
    /// Custom roles (角色权限, M4): a named set of permissions on a built-in role.
    Role {
        #[command(subcommand)]
        action: RoleCommand,
    },
    /// The center's hash-chained audit log (操作日志, R18).
    Audit {
        #[command(subcommand)]
        action: AuditCommand,
    },
}

/// `porpoise-relay role`.
#[derive(Debug, Subcommand)]
enum RoleCommand {
    /// Add a custom role; prints `role <id>`. Read by the relay at its next start; give it to
    /// accounts in the admin window.
    Add {
        /// Center ID.
        #[arg(long)]
        center_id: CenterId,
        /// Role name (unique in the center), e.g. 质检员.
        #[arg(long)]
        name: String,
        /// Built-in role it ranks as.
        #[arg(long, value_enum, default_value = "agent")]
        base: RoleArg,
        /// A permission, repeatable: serve-customers, pick-from-queue, monitor-agents,
        /// manage-accounts, manage-settings, manage-library, export-records, see-audit-log,
        /// block-customers.
        #[arg(long = "permission")]
        permissions: Vec<String>,
    },
    /// List the center's custom roles: `<id>\t<name>\t<base role>\t<permissions>`.
    List {
        /// Center ID.
        #[arg(long)]
        center_id: CenterId,
    },
}

/// A role given on the command line (M4).
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum RoleArg {
    /// Serves customers.
    Agent,
    /// Serves customers and leads a group.
    GroupLeader,
    /// Manages the center; uses no seat.
    Admin,
    /// Manages the center and admins.
    SuperAdmin,
}

#[derive(Debug, Subcommand)]
enum AgentCommand {
    /// Create an account; prints `agent <id>`, `username <name>` and, when generated, the
    /// initial password once (`password <p>`). Usable at once, also while the relay runs.
    Add {
        /// Center ID.
        #[arg(long)]
        center_id: CenterId,
        /// Login name (unique in the center).
        #[arg(long)]
        username: String,
        /// Name shown to customers and colleagues; the username if not given.
        #[arg(long)]
        display_name: Option<String>,
        /// Role.
        #[arg(long, value_enum, default_value = "agent")]
        role: RoleArg,
        /// Groups to join, by name (created if missing); repeatable.
        #[arg(long = "group")]
        groups: Vec<String>,
        /// Initial password; generated and printed once if not given. Prefer the generated one:
        /// a password on a command line is visible to other users of the machine.
        #[arg(long)]
        password: Option<String>,
    },
    /// List the center's accounts: `<id>\t<username>\t<display name>\t<role>\t<status>`.
    List {
        /// Center ID.
        #[arg(long)]
        center_id: CenterId,
    },
    /// Disable an account: it cannot log in (a running relay ends its login at the next
    /// start; use the admin window to end it at once). Its history stays.
    Disable {
        /// Center ID.
        #[arg(long)]
        center_id: CenterId,
        /// Login name.
        #[arg(long)]
        username: String,
    },
    /// Reactivate a disabled account.
    Enable {
        /// Center ID.
        #[arg(long)]
        center_id: CenterId,
        /// Login name.
        #[arg(long)]
        username: String,
    },
}

#[derive(Debug, Subcommand)]
enum NamedCommand {
    /// Add one (idempotent: an existing name is kept); prints `<kind> <id>`.
    Add {
        /// Center ID.
        #[arg(long)]
        center_id: CenterId,
        /// Name shown to customers in the helper.
        #[arg(long)]
        name: String,
    },
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Walk the center's chain from its first row: prints `intact <rows>` and exits 0, or
    /// `broken at row <seq>: <why>` and exits 1.
    Verify {
        /// Center ID.
        #[arg(long)]
        center_id: CenterId,
    },
    /// Print the newest rows, newest first: `<seq>\t<time UTC>\t<actor>\t<action>\t<target>\t<detail>`.
    List {
        /// Center ID.
        #[arg(long)]
        center_id: CenterId,
        /// Rows to print.
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
}

#[derive(Debug, Subcommand)]
enum CommonFileCommand {
    /// Copy a file into the center's common files; prints `common-file <name> <bytes>`.
    Add {
        /// Center ID.
        #[arg(long)]
        center_id: CenterId,
        /// The file.
        #[arg(long)]
        file: PathBuf,
    },
    /// List the center's common files, one `<bytes>\t<name>` per line.
    List {
        /// Center ID.
        #[arg(long)]
        center_id: CenterId,
    },
}

#[derive(Debug, Subcommand)]
enum LibraryCommand {
    /// Import center-wide canned responses and knowledge-base entries from a JSON file:
    /// `{"canned": [{"category", "title", "text"}], "knowledge": [{"title", "keywords": [..],
    /// "text", "children": [..]}]}`, or from an .xlsx workbook with a `canned` sheet (category,
    /// title, text) and a `knowledge` sheet (path `folder/…/title`, keywords, text). Agents see
    /// them the next time they open the panel.
    Import {
        /// Center ID.
        #[arg(long)]
        center_id: CenterId,
        /// The JSON or .xlsx file.
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
    /// Set the helper branding of a center (C1, M1); options not given keep their value.
    /// Downloads use it at once; connected helpers get it at the relay's next start.
    Branding(BrandingArgs),
    /// Set the seats a center bought (read at the relay's next start).
    Seats {
        /// Center ID.
        #[arg(long)]
        center_id: CenterId,
        /// Seats: agents that may be Online, Busy or Away at once.
        #[arg(long)]
        seats: u32,
    },
    /// Set a center's storage quota for transcripts, chat pictures and offline messages (read
    /// at the relay's next start). Over it, new messages are refused with "storage full".
    StorageQuota {
        /// Center ID.
        #[arg(long)]
        center_id: CenterId,
        /// Quota in MiB (default for new centers: 10240).
        #[arg(long, value_parser = clap::value_parser!(u64).range(1..=64 * 1024 * 1024))]
        mib: u64,
    },
    /// Set the end of a center's service period (M2): from then on its agents cannot log in
    /// and its customers get "service unavailable". Takes effect for new logins at once.
    Expiry {
        /// Center ID.
        #[arg(long)]
        center_id: CenterId,
        /// Last day of service, YYYY-MM-DD (the period ends at the following midnight UTC).
        #[arg(long, conflicts_with = "never")]
        until: Option<String>,
        /// No end.
        #[arg(long)]
        never: bool,
    },
}

/// `porpoise-relay center branding`.
#[derive(Debug, clap::Args)]
struct BrandingArgs {
    /// Center ID.
    #[arg(long)]
    center_id: CenterId,
    /// Product name: the helper's window title.
    #[arg(long)]
    product_name: Option<String>,
    /// Window icon, a PNG file (at most 32 KiB, 256×256 px).
    #[arg(long)]
    icon: Option<PathBuf>,
    /// Primary colour, #RRGGBB (header, buttons, selection).
    #[arg(long)]
    color: Option<String>,
    /// Accent colour, #RRGGBB (links, highlights).
    #[arg(long)]
    accent: Option<String>,
    /// Notice text.
    #[arg(long)]
    notice_text: Option<String>,
    /// Notice image, a PNG file (at most 96 KiB, 1024×1024 px).
    #[arg(long)]
    notice_image: Option<PathBuf>,
    /// Notice link, an https:// URL opened in the customer's browser on click.
    #[arg(long)]
    notice_link: Option<String>,
    /// Remove the branding first (alone: back to the default look).
    #[arg(long)]
    clear: bool,
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
            None => {
                let config = RelayConfig {
                    listen: cli.listen,
                    max_connections: cli.max_connections,
                    max_connections_per_ip: cli.max_connections_per_ip,
                    retry_above: cli.max_connections / 2,
                    new_connections_per_ip: cli.new_connections_per_ip,
                    customer_quotas: porpoise_relay::core::quota::CustomerQuotas::default()
                        .scaled(cli.customer_quota_multiplier),
                    demo: cli.demo,
                    allow_private_outbound: cli.allow_private_outbound,
                    helper_dir: cli.helper_dir,
                    public_addr: cli.public_address,
                    ..RelayConfig::new(data_dir)
                };
                serve(config).await
            }
            Some(Command::HelperLink { center_id }) => {
                let addr = cli
                    .public_address
                    .unwrap_or_else(|| format!("localhost:{}", cli.listen.port()));
                let [page, linux, windows] =
                    porpoise_relay::download::center_urls(&addr, center_id);
                println!("page {page}");
                println!("linux {linux}");
                println!("windows {windows}");
                Ok(())
            }
            Some(Command::Center {
                action: CenterCommand::Branding(args),
            }) => set_branding(data_dir, args).await,
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
            Some(Command::Center {
                action: CenterCommand::StorageQuota { center_id, mib },
            }) => set_storage_quota(data_dir, center_id, mib).await,
            Some(Command::Center {
                action:
                    CenterCommand::Expiry {
                        center_id,
                        until,
                        never,
                    },
            }) => set_expiry(data_dir, center_id, until, never).await,
            Some(Command::Library {
                action:
                    LibraryCommand::Import {
                        center_id,
                        file,
                        replace,
                    },
            }) => import_library(data_dir, center_id, &file, replace).await,
            Some(Command::Audit { action }) => audit(data_dir, action).await,
            Some(Command::Agent { action }) => agent_command(data_dir, action).await,
            Some(Command::Group {
                action: NamedCommand::Add { center_id, name },
            }) => add_named(data_dir, center_id, "group", &name).await,
            Some(Command::Role { action }) => role_command(data_dir, action).await,
            Some(Command::ProductType {
                action: NamedCommand::Add { center_id, name },
            }) => add_named(data_dir, center_id, "product-type", &name).await,
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

async fn serve(config: RelayConfig) -> anyhow::Result<()> {
    let demo = config.demo;
    let relay = Relay::bind(config)
        .await
        .context("cannot start the relay")?;
    println!("listening on {}", relay.local_addr());
    println!("fingerprint {}", relay.fingerprint());
    if let Some(addr) = relay.download_addr() {
        println!("downloads https://{addr}/c/<center ID>/");
    }
    if demo {
        tracing::info!(
            center = %DEMO_CENTER_ID,
            password = DEMO_PASSWORD,
            "demo center ready"
        );
    }
    relay.run(shutdown_signal()).await?;
    Ok(())
}

async fn create_center(data_dir: PathBuf, name: Option<String>, demo: bool) -> anyhow::Result<()> {
    porpoise_relay::config::create_private_dir(&data_dir)
        .with_context(|| format!("cannot create {}", data_dir.display()))?;
    let store = Store::open(&RelayConfig::new(data_dir).database_path()).await?;
    if demo {
        store.seed_demo().await?;
        if store.branding(DEMO_CENTER_ID).await?.is_none() {
            store
                .set_branding(DEMO_CENTER_ID, &porpoise_relay::branding::demo_branding())
                .await?;
        }
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

/// Reads a PNG given to `center branding`, refusing files over `max` bytes before reading.
fn read_png(path: &std::path::Path, max: usize) -> anyhow::Result<Vec<u8>> {
    let len = std::fs::metadata(path)
        .with_context(|| format!("cannot read {}", path.display()))?
        .len();
    anyhow::ensure!(
        len <= max as u64,
        "{} is {len} bytes; at most {max} bytes are allowed",
        path.display()
    );
    std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))
}

async fn set_branding(data_dir: PathBuf, args: BrandingArgs) -> anyhow::Result<()> {
    use porpoise_protocol::wire::{Rgb, MAX_ICON_PNG_BYTES, MAX_NOTICE_IMAGE_BYTES};
    let store = Store::open(&RelayConfig::new(data_dir).database_path()).await?;
    let result = async {
        anyhow::ensure!(
            store.center(args.center_id).await?.is_some(),
            "no center {} in this database",
            args.center_id
        );
        let mut branding = if args.clear {
            Default::default()
        } else {
            store.branding(args.center_id).await?.unwrap_or_default()
        };
        if let Some(name) = args.product_name {
            branding.product_name = name.trim().to_owned();
        }
        if let Some(path) = &args.icon {
            branding.icon_png = read_png(path, MAX_ICON_PNG_BYTES)?;
        }
        if let Some(c) = &args.color {
            branding.primary = Some(Rgb::parse(c)?);
        }
        if let Some(c) = &args.accent {
            branding.accent = Some(Rgb::parse(c)?);
        }
        if let Some(text) = args.notice_text {
            branding.notice.text = text.trim().to_owned();
        }
        if let Some(path) = &args.notice_image {
            branding.notice.image_png = read_png(path, MAX_NOTICE_IMAGE_BYTES)?;
        }
        if let Some(link) = args.notice_link {
            branding.notice.link = link.trim().to_owned();
        }
        porpoise_relay::branding::validate(&branding)?;
        store.set_branding(args.center_id, &branding).await?;
        println!("center {}", args.center_id);
        println!("product-name {}", branding.product_name);
        println!("icon-bytes {}", branding.icon_png.len());
        let color = |c: Option<Rgb>| c.map_or_else(|| "-".to_owned(), |c| c.to_string());
        println!("color {}", color(branding.primary));
        println!("accent {}", color(branding.accent));
        println!("notice-text {}", branding.notice.text);
        println!("notice-image-bytes {}", branding.notice.image_png.len());
        println!("notice-link {}", branding.notice.link);
        Ok(())
    }
    .await;
    store.close().await;
    result
}

async fn set_expiry(
    data_dir: PathBuf,
    center_id: CenterId,
    until: Option<String>,
    never: bool,
) -> anyhow::Result<()> {
    anyhow::ensure!(
        until.is_some() || never,
        "give --until YYYY-MM-DD or --never"
    );
    let expires_at = match until {
        Some(day) => {
            let date: jiff::civil::Date = day
                .trim()
                .parse()
                .with_context(|| format!("{day:?} is not a date YYYY-MM-DD"))?;
            let end = date
                .tomorrow()
                .context("date out of range")?
                .to_zoned(jiff::tz::TimeZone::UTC)?
                .timestamp()
                .as_millisecond();
            Some(end)
        }
        None => None,
    };
    let store = Store::open(&RelayConfig::new(data_dir).database_path()).await?;
    anyhow::ensure!(
        store.center(center_id).await?.is_some(),
        "no center {center_id} in this database"
    );
    store.set_expiry(center_id, expires_at).await?;
    println!("center {center_id}");
    match expires_at {
        Some(at) => println!("expires_at {at}"),
        None => println!("expires_at never"),
    }
    store.close().await;
    Ok(())
}

async fn set_seats(data_dir: PathBuf, center_id: CenterId, seats: u32) -> anyhow::Result<()> {
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

async fn set_storage_quota(data_dir: PathBuf, center_id: CenterId, mib: u64) -> anyhow::Result<()> {
    let store = Store::open(&RelayConfig::new(data_dir).database_path()).await?;
    anyhow::ensure!(
        store.center(center_id).await?.is_some(),
        "no center {center_id} in this database"
    );
    store
        .set_storage_quota(center_id, mib * 1024 * 1024)
        .await?;
    println!("center {center_id}");
    println!("storage quota {mib} MiB");
    store.close().await;
    Ok(())
}

/// Longest username or display name accepted from the command line, in characters.
const MAX_NAME_CHARS: usize = 64;

fn check_name(what: &str, name: &str) -> anyhow::Result<()> {
    anyhow::ensure!(!name.trim().is_empty(), "the {what} must not be empty");
    anyhow::ensure!(
        name.chars().count() <= MAX_NAME_CHARS,
        "the {what} is longer than {MAX_NAME_CHARS} characters"
    );
    anyhow::ensure!(
        !name.chars().any(char::is_control),
        "the {what} must not contain control characters"
    );
    Ok(())
}

async fn open_center(data_dir: PathBuf, center_id: CenterId) -> anyhow::Result<Store> {
    let store = Store::open(&RelayConfig::new(data_dir).database_path()).await?;
    anyhow::ensure!(
        store.center(center_id).await?.is_some(),
        "no center {center_id} in this database"
    );
    Ok(store)
}

/// Writes a CLI change to the center's audit log (R18) as actor `cli`.
async fn audit_cli(
    store: &Store,
    center_id: CenterId,
    action: porpoise_relay::core::AuditAction,
    target: String,
    detail: String,
) -> anyhow::Result<()> {
    let entry = porpoise_relay::core::AuditEntry::new(
        center_id,
        porpoise_relay::store::unix_ms_now(),
        "cli".into(),
        action,
        target,
        detail,
    );
    store.append_audit(&entry).await?;
    Ok(())
}

/// The grantable permission named `name` (`manage-library`, any case, dashes optional).
fn permission_arg(name: &str) -> anyhow::Result<porpoise_protocol::wire::Permission> {
    use porpoise_protocol::wire::GRANTABLE_PERMISSIONS;
    let wanted = name.replace(['-', '_'], "").to_lowercase();
    GRANTABLE_PERMISSIONS
        .iter()
        .copied()
        .find(|p| format!("{p:?}").to_lowercase() == wanted)
        .with_context(|| format!("unknown permission {name:?}"))
}

async fn role_command(data_dir: PathBuf, action: RoleCommand) -> anyhow::Result<()> {
    use porpoise_protocol::wire::{CustomRole, Role, RoleId};
    use porpoise_relay::core::{check_role, DirectoryChange, DirectoryOp};
    let store = Store::open(&RelayConfig::new(data_dir).database_path()).await?;
    let result = async {
        match action {
            RoleCommand::Add {
                center_id,
                name,
                base,
                permissions,
            } => {
                anyhow::ensure!(
                    store.center(center_id).await?.is_some(),
                    "no center {center_id} in this database"
                );
                let role = CustomRole {
                    role_id: RoleId(0),
                    name,
                    base: match base {
                        RoleArg::Agent => Role::Agent,
                        RoleArg::GroupLeader => Role::GroupLeader,
                        RoleArg::Admin => Role::Admin,
                        RoleArg::SuperAdmin => Role::SuperAdmin,
                    },
                    permissions: permissions
                        .iter()
                        .map(|p| permission_arg(p))
                        .collect::<anyhow::Result<_>>()?,
                };
                let role = check_role(role).map_err(|e| anyhow::anyhow!("{e}"))?;
                let op = DirectoryOp::SaveRole {
                    center_id,
                    role,
                    new: true,
                };
                match store.apply_directory(&op).await? {
                    Ok(DirectoryChange::Role(saved)) => {
                        let permissions: Vec<String> =
                            saved.permissions.iter().map(|p| format!("{p:?}")).collect();
                        audit_cli(
                            &store,
                            center_id,
                            porpoise_relay::core::AuditAction::RoleSaved,
                            format!("role {} {}", saved.role_id.0, saved.name),
                            format!("base {:?}; {}", saved.base, permissions.join(", ")),
                        )
                        .await?;
                        println!("role {}", saved.role_id.0);
                        Ok(())
                    }
                    Ok(other) => anyhow::bail!("unexpected answer {other:?}"),
                    Err(e) => anyhow::bail!("{e}"),
                }
            }
            RoleCommand::List { center_id } => {
                for role in store.roles_of(center_id).await? {
                    let permissions: Vec<String> =
                        role.permissions.iter().map(|p| format!("{p:?}")).collect();
                    println!(
                        "{}\t{}\t{:?}\t{}",
                        role.role_id.0,
                        role.name,
                        role.base,
                        permissions.join(",")
                    );
                }
                Ok(())
            }
        }
    }
    .await;
    store.close().await;
    result
}

async fn agent_command(data_dir: PathBuf, action: AgentCommand) -> anyhow::Result<()> {
    use porpoise_relay::store::AgentRole;
    match action {
        AgentCommand::Add {
            center_id,
            username,
            display_name,
            role,
            groups,
            password,
        } => {
            let en = |e: porpoise_protocol::wire::ApiError| {
                anyhow::anyhow!(
                    "{}",
                    porpoise_protocol::lang::errors::api_error_text(
                        porpoise_protocol::lang::Language::En,
                        &e
                    )
                )
            };
            let username = porpoise_relay::core::check_username(&username).map_err(en)?;
            let generated = password.is_none();
            let password = password.unwrap_or_else(porpoise_relay::core::generate_password);
            porpoise_relay::core::check_new_password(&password).map_err(en)?;
            let store = open_center(data_dir, center_id).await?;
            let mut group_ids = Vec::new();
            for g in &groups {
                check_name("group name", g)?;
                group_ids.push(store.create_group(center_id, g.trim()).await?);
            }
            let role = porpoise_protocol::wire::Role::from(match role {
                RoleArg::Agent => AgentRole::Agent,
                RoleArg::GroupLeader => AgentRole::GroupLeader,
                RoleArg::Admin => AgentRole::Admin,
                RoleArg::SuperAdmin => AgentRole::SuperAdmin,
            });
            // The same checks as the admin window's CreateAccount.
            let profile = porpoise_relay::core::check_profile(
                porpoise_protocol::wire::AccountProfile {
                    display_name: display_name.unwrap_or_else(|| username.clone()),
                    role,
                    custom_role: None,
                    title: String::new(),
                    phone: String::new(),
                    photo: String::new(),
                    groups: group_ids.clone(),
                    product_types: Vec::new(),
                    max_sessions: porpoise_relay::core::DEFAULT_MAX_SESSIONS,
                    auto_assign: true,
                },
                &group_ids,
                &[],
            )
            .map_err(en)?;
            let agent_id = store
                .create_account(center_id, &username, profile, &password)
                .await?;
            audit_cli(
                &store,
                center_id,
                porpoise_relay::core::AuditAction::AccountCreated,
                format!("agent {agent_id} {username}"),
                format!("role: {role:?}; groups: {}", groups.join(", ")),
            )
            .await?;
            println!("agent {agent_id}");
            println!("username {username}");
            if generated {
                println!("password {password}");
            }
            store.close().await;
            Ok(())
        }
        AgentCommand::List { center_id } => {
            let store = open_center(data_dir, center_id).await?;
            for (id, username, display, role, status) in store.list_agents(center_id).await? {
                println!("{id}\t{username}\t{display}\t{role}\t{status}");
            }
            store.close().await;
            Ok(())
        }
        AgentCommand::Disable {
            ref center_id,
            ref username,
        }
        | AgentCommand::Enable {
            ref center_id,
            ref username,
        } => {
            use porpoise_protocol::wire::AccountStatus;
            let (center_id, username) = (*center_id, username.clone());
            let (status, action) = if matches!(action, AgentCommand::Disable { .. }) {
                (
                    AccountStatus::Disabled,
                    porpoise_relay::core::AuditAction::AccountDisabled,
                )
            } else {
                (
                    AccountStatus::Active,
                    porpoise_relay::core::AuditAction::AccountReactivated,
                )
            };
            let store = open_center(data_dir, center_id).await?;
            let found = store
                .list_agents(center_id)
                .await?
                .into_iter()
                .find(|a| a.1 == username.trim());
            let Some((agent_id, username, ..)) = found else {
                anyhow::bail!("no account {username:?} in center {center_id}");
            };
            store
                .set_account_status(center_id, agent_id, status)
                .await?;
            audit_cli(
                &store,
                center_id,
                action,
                format!("agent {agent_id} {username}"),
                String::new(),
            )
            .await?;
            println!(
                "agent {agent_id} {}",
                if status == AccountStatus::Active {
                    "active"
                } else {
                    "disabled"
                }
            );
            store.close().await;
            Ok(())
        }
    }
}

async fn add_named(
    data_dir: PathBuf,
    center_id: CenterId,
    kind: &str,
    name: &str,
) -> anyhow::Result<()> {
    let name = name.trim();
    check_name(&format!("{kind} name"), name)?;
    let store = open_center(data_dir, center_id).await?;
    let id = if kind == "group" {
        store.create_group(center_id, name).await?.0
    } else {
        store.create_product_type(center_id, name).await?.0
    };
    let action = if kind == "group" {
        porpoise_relay::core::AuditAction::GroupSaved
    } else {
        porpoise_relay::core::AuditAction::ProductTypeSaved
    };
    audit_cli(
        &store,
        center_id,
        action,
        format!("{kind} {id}"),
        format!("added {name:?}"),
    )
    .await?;
    println!("{kind} {id}");
    store.close().await;
    Ok(())
}

async fn audit(data_dir: PathBuf, action: AuditCommand) -> anyhow::Result<()> {
    let store = Store::open(&RelayConfig::new(data_dir).database_path()).await?;
    let center_id = match &action {
        AuditCommand::Verify { center_id } | AuditCommand::List { center_id, .. } => *center_id,
    };
    anyhow::ensure!(
        store.center(center_id).await?.is_some(),
        "no center {center_id} in this database"
    );
    let result = match action {
        AuditCommand::Verify { .. } => match store.verify_audit(center_id).await? {
            porpoise_relay::store::AuditCheck::Intact { rows } => {
                println!("intact {rows}");
                Ok(())
            }
            porpoise_relay::store::AuditCheck::Broken { seq, why } => {
                println!("broken at row {seq}: {why}");
                store.close().await;
                std::process::exit(1);
            }
        },
        AuditCommand::List { limit, .. } => {
            for row in store.audit_log(center_id, limit).await? {
                let at = chrono::DateTime::from_timestamp_millis(row.at_ms)
                    .map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
                    .unwrap_or_default();
                println!(
                    "{}\t{at}\t{}\t{}\t{}\t{}",
                    row.seq,
                    row.actor,
                    row.action,
                    row.target,
                    row.detail.replace('\n', "; ")
                );
            }
            Ok(())
        }
    };
    store.close().await;
    result
}

async fn import_library(
    data_dir: PathBuf,
    center_id: CenterId,
    file: &std::path::Path,
    replace: bool,
) -> anyhow::Result<()> {
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let xlsx = file
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
    let library = if xlsx {
        LibraryFile::from_xlsx(&bytes)
    } else {
        let json = String::from_utf8(bytes)
            .with_context(|| format!("{} is not UTF-8 text", file.display()))?;
        LibraryFile::parse(&json)
    }
    .with_context(|| format!("in {}", file.display()))?;
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
