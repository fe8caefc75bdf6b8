//! `porpoise-abuse-bench`: issue 14's acceptance bench. Starts a real `porpoise-relay` process
//! with its default limits, serves `--pairs` honest customer/agent pairs (each customer from
//! its own loopback address), and measures their chat acknowledgements (request → `ChatStored`)
//! first without an attack and then beside one abusive client per attack. Prints a table:
//! attack, honest ack p50/p99 and the ratio to the quiet run, honest logins, what the attacker
//! got (accepted / refused with a code), relay RSS and database growth. At the end every honest
//! message must be stored exactly once. Numbers only: no assertion fails the run, but the
//! stored-once check is printed.
//!
//! `cargo run --release -p porpoise-tools --bin porpoise-abuse-bench`; with
//! `--record docs/benchmarks.md` the table also replaces this tool's section of that file.

use std::{
    collections::HashMap,
    net::{IpAddr, Ipv4Addr, SocketAddr},
    path::PathBuf,
    sync::{
        atomic::{AtomicBool, AtomicU64, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use anyhow::{bail, Context, Result};
use clap::{Parser, ValueEnum};
use porpoise_protocol::wire::{
    rpc, ApiError, CenterSettings, Event, HelloRole, InstallId, MessageId, Request, Response,
    ServiceMode, ServiceRoute, SessionId,
};
use porpoise_quic::client::{connect_on, Client, ClientConfig, ClientEvent, ConnectError};
use porpoise_relay::{store::AgentRole, RelayConfig, Store, DEMO_CENTER_ID, DEMO_PASSWORD};
use porpoise_tools::process::{percentile, RelayProcess};
use porpoise_tools::record::{Report, Table};

#[derive(Parser, Debug)]
struct Cli {
    /// Honest customer/agent pairs.
    #[arg(long, default_value_t = 100)]
    pairs: usize,
    /// Chat messages each honest customer sends per phase, one per `--interval-ms`.
    #[arg(long, default_value_t = 10)]
    messages: u64,
    /// Time between two messages of one customer, ms.
    #[arg(long, default_value_t = 1000)]
    interval_ms: u64,
    /// Attacks to run, in order (default: all).
    #[arg(long, value_delimiter = ',')]
    attacks: Vec<Attack>,
    /// Also write the table into this tool's section of this Markdown file.
    #[arg(long, value_name = "PATH")]
    record: Option<PathBuf>,
}

/// One abusive client's behaviour, from issue 14's list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Attack {
    /// `RequestService` / `LeaveQueue` in a loop on one connection.
    RequestLoop,
    /// Chat texts as fast as the connection allows, in a session.
    ChatFlood,
    /// Chat pictures sent and fetched in a loop, in a session.
    PictureFlood,
    /// New connections (fresh install IDs) as fast as possible from one address.
    HelloFlood,
    /// Offline messages of 16 KiB from fresh install IDs.
    OfflineFlood,
    /// 400 connections held open from one address.
    ConnectionFlood,
    /// Queue entries whose customers disconnect at once (ghosts).
    GhostQueue,
    /// Wrong agent passwords in a loop (argon2 on the relay).
    WrongPasswords,
}

const ALL: [Attack; 8] = [
    Attack::RequestLoop,
    Attack::ChatFlood,
    Attack::PictureFlood,
    Attack::HelloFlood,
    Attack::OfflineFlood,
    Attack::ConnectionFlood,
    Attack::GhostQueue,
    Attack::WrongPasswords,
];

const PASSWORD: &str = "abuse-bench-password";

/// The address of the attacker of attack number `n`: each attack comes from its own address,
/// so one attack's refusals do not shadow the next (honest customers use 127.0.1.x, agents
/// 127.0.0.1, login probes 127.0.0.2).
fn attacker_ip(n: usize) -> Ipv4Addr {
    Ipv4Addr::new(127, 0, 9, 1 + n as u8)
}

/// What the attacker got during a phase.
#[derive(Debug, Default)]
struct Tally {
    ok: AtomicU64,
    refused: AtomicU64,
}

impl Tally {
    fn count<T, E>(&self, r: &Result<T, E>) {
        match r {
            Ok(_) => self.ok.fetch_add(1, Ordering::Relaxed),
            Err(_) => self.refused.fetch_add(1, Ordering::Relaxed),
        };
    }
}

/// One honest pair after its session started.
struct Pair {
    customer: Client,
    session_id: SessionId,
    /// Kept so the agent stays logged in (and its event reader runs).
    _agent: Client,
}

/// One phase's results.
struct Phase {
    name: String,
    latencies: Vec<f64>,
    failed: u64,
    logins_ok: usize,
    logins_tried: usize,
    attacker_ok: u64,
    attacker_refused: u64,
    rss_kib: u64,
    disk_growth: i64,
}

fn endpoint_on(ip: Ipv4Addr) -> Result<quinn::Endpoint> {
    Ok(quinn::Endpoint::client(SocketAddr::new(IpAddr::V4(ip), 0))?)
}

async fn seed(dir: &std::path::Path, pairs: usize) -> Result<()> {
    std::fs::create_dir_all(dir)?;
    let store = Store::open(&RelayConfig::new(dir).database_path()).await?;
    store.seed_demo().await?;
    store.set_seats(DEMO_CENTER_ID, pairs as u32 + 20).await?;
    for name in (0..pairs)
        .map(|i| format!("pair{i:03}"))
        .chain(["attacked-chat", "attacked-picture", "probe"].map(String::from))
    {
        store
            .create_agent(DEMO_CENTER_ID, &name, &name, PASSWORD, AgentRole::Agent)
            .await?;
    }
    store.close().await;
    Ok(())
}

/// Auto-assign, no timers: sessions stay open for the whole run.
async fn configure(config: &ClientConfig) -> Result<()> {
    let role = HelloRole::Agent {
        center_id: DEMO_CENTER_ID,
        username: "admin".into(),
        password: DEMO_PASSWORD.into(),
    };
    let (admin, _, _events) = connect_on(&endpoint_on(Ipv4Addr::LOCALHOST)?, config, role).await?;
    let Response::CenterSettings(settings) = admin
        .request(Request::GetCenterSettings(rpc::GetCenterSettings))
        .await?
    else {
        bail!("no settings")
    };
    let settings = CenterSettings {
        service_mode: ServiceMode::AutoAssign,
        reception_timeout: None,
        auto_reply: None,
        ..settings
    };
    admin
        .request(Request::UpdateCenterSettings(rpc::UpdateCenterSettings(
            settings,
        )))
        .await?;
    admin.close("configured");
    Ok(())
}

/// Logs in `username`, accepting every offer; returns the client.
async fn agent(
    endpoint: &quinn::Endpoint,
    config: &ClientConfig,
    username: &str,
) -> Result<Client, ConnectError> {
    let role = HelloRole::Agent {
        center_id: DEMO_CENTER_ID,
        username: username.into(),
        password: PASSWORD.into(),
    };
    let (client, _, mut events) = connect_on(endpoint, config, role).await?;
    let answer = client.clone();
    tokio::spawn(async move {
        while let Some(event) = events.recv().await {
            if let ClientEvent::Event(Event::OfferReceived(offer)) = event {
                let answer = answer.clone();
                tokio::spawn(async move {
                    let accept = rpc::AnswerOffer {
                        offer_id: offer.offer_id,
                        accept: true,
                    };
                    let _ = answer.request(Request::AnswerOffer(accept)).await;
                });
            }
        }
    });
    Ok(client)
}

/// A customer from `endpoint` asks for service and waits for its session.
async fn served_customer(
    endpoint: &quinn::Endpoint,
    config: &ClientConfig,
    install_id: u128,
    name: &str,
) -> Result<(Client, SessionId)> {
    let role = HelloRole::Customer {
        center_id: DEMO_CENTER_ID,
        install_id: InstallId(install_id),
    };
    let (client, _, mut events) = connect_on(endpoint, config, role).await?;
    client
        .request(Request::RequestService(rpc::RequestService {
            name: name.into(),
            phone: String::new(),
            route: ServiceRoute::AutoAssign {
                group_id: None,
                product_type_id: None,
            },
        }))
        .await?;
    let session_id = tokio::time::timeout(Duration::from_secs(60), async {
        while let Some(event) = events.recv().await {
            if let ClientEvent::Event(Event::SessionStarted(info)) = event {
                return Some(info.session_id);
            }
        }
        None
    })
    .await?
    .context("no session")?;
    tokio::spawn(async move { while events.recv().await.is_some() {} });
    Ok((client, session_id))
}

/// Message id of honest message `n` of `phase` (unique over the run).
fn honest_id(phase: usize, n: u64) -> MessageId {
    MessageId(((phase as u128) << 32) | u128::from(n))
}

/// Every pair sends `messages` chats, one per interval; returns the ack latencies (ms, sorted)
/// and the failures.
async fn chat_round(pairs: &[Pair], phase: usize, cli: &Cli) -> (Vec<f64>, u64) {
    let mut tasks = Vec::new();
    for (i, pair) in pairs.iter().enumerate() {
        let (customer, session_id) = (pair.customer.clone(), pair.session_id);
        let (messages, interval) = (cli.messages, Duration::from_millis(cli.interval_ms));
        // Spread the pairs over the interval.
        let offset = interval * i as u32 / pairs.len().max(1) as u32;
        tasks.push(tokio::spawn(async move {
            tokio::time::sleep(offset).await;
            let mut ticks = tokio::time::interval(interval);
            let mut out = (Vec::new(), 0u64);
            for n in 0..messages {
                ticks.tick().await;
                let started = Instant::now();
                let sent = customer
                    .request(Request::SendChat(rpc::SendChat {
                        session_id,
                        message_id: honest_id(phase, n),
                        text: format!("honest message {phase}/{n}: 你好，我的打印机不能打印了"),
                    }))
                    .await;
                match sent {
                    Ok(Response::ChatStored(_)) => {
                        out.0.push(started.elapsed().as_secs_f64() * 1e3);
                    }
                    _ => out.1 += 1,
                }
            }
            out
        }));
    }
    let mut latencies = Vec::new();
    let mut failed = 0;
    for t in tasks {
        if let Ok((l, f)) = t.await {
            latencies.extend(l);
            failed += f;
        } else {
            failed += cli.messages;
        }
    }
    latencies.sort_by(f64::total_cmp);
    (latencies, failed)
}

/// A fresh agent login every second while the phase runs: (succeeded, tried).
async fn login_probes(config: ClientConfig, stop: Arc<AtomicBool>) -> (usize, usize) {
    let Ok(endpoint) = endpoint_on(Ipv4Addr::new(127, 0, 0, 2)) else {
        return (0, 0);
    };
    let (mut ok, mut tried) = (0, 0);
    while !stop.load(Ordering::Relaxed) {
        tried += 1;
        if let Ok(client) = agent(&endpoint, &config, "probe").await {
            ok += 1;
            client.close("probe done");
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    (ok, tried)
}

fn tiny_png() -> Vec<u8> {
    let mut png = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut png, 64, 64);
        encoder.set_color(png::ColorType::Rgba);
        encoder.set_depth(png::BitDepth::Eight);
        if let Ok(mut writer) = encoder.write_header() {
            let pixels: Vec<u8> = (0..64 * 64 * 4).map(|i| (i * 7 % 251) as u8).collect();
            let _ = writer.write_image_data(&pixels);
        }
    }
    png
}

fn fresh_id() -> u128 {
    porpoise_quic::client::random_id()
}

/// Runs `attack` until `stop`, counting what the attacker got.
async fn attack(
    attack: Attack,
    ip: Ipv4Addr,
    config: ClientConfig,
    stop: Arc<AtomicBool>,
    tally: Arc<Tally>,
) -> Result<()> {
    let endpoint = endpoint_on(ip)?;
    let customer = |id: u128| HelloRole::Customer {
        center_id: DEMO_CENTER_ID,
        install_id: InstallId(id),
    };
    let running = || !stop.load(Ordering::Relaxed);
    match attack {
        Attack::RequestLoop => {
            let (client, _, _events) = connect_on(&endpoint, &config, customer(fresh_id())).await?;
            while running() {
                let r = client
                    .request(Request::RequestService(rpc::RequestService {
                        name: "loop".into(),
                        phone: String::new(),
                        route: ServiceRoute::AutoAssign {
                            group_id: None,
                            product_type_id: None,
                        },
                    }))
                    .await;
                tally.count(&r);
                if r.is_ok() {
                    let _ = client.request(Request::LeaveQueue(rpc::LeaveQueue)).await;
                }
            }
        }
        Attack::ChatFlood | Attack::PictureFlood => {
            let name = if attack == Attack::ChatFlood {
                "attacked-chat"
            } else {
                "attacked-picture"
            };
            let attacked = agent(&endpoint_on(Ipv4Addr::LOCALHOST)?, &config, name).await?;
            let (client, session_id) =
                served_customer(&endpoint, &config, fresh_id(), "attacker").await?;
            let picture = tiny_png();
            let mut stored: Option<MessageId> = None;
            while running() {
                let message_id = MessageId(fresh_id());
                let r = if attack == Attack::ChatFlood {
                    client
                        .request(Request::SendChat(rpc::SendChat {
                            session_id,
                            message_id,
                            text: "x".repeat(4000),
                        }))
                        .await
                } else if let Some(message_id) = stored {
                    client
                        .request(Request::GetChatImage(rpc::GetChatImage {
                            session_id,
                            message_id,
                        }))
                        .await
                } else {
                    client
                        .request(Request::SendChatImage(rpc::SendChatImage {
                            session_id,
                            message_id,
                            data: picture.clone(),
                        }))
                        .await
                };
                if let Ok(Response::ChatStored(m)) = &r {
                    stored = Some(m.message_id);
                }
                tally.count(&r);
            }
            client.close("attack over");
            attacked.close("attack over");
        }
        Attack::HelloFlood | Attack::OfflineFlood | Attack::GhostQueue => {
            let mut workers = Vec::new();
            for _ in 0..8 {
                let (endpoint, config, stop, tally) = (
                    endpoint.clone(),
                    config.clone(),
                    stop.clone(),
                    tally.clone(),
                );
                workers.push(tokio::spawn(async move {
                    while !stop.load(Ordering::Relaxed) {
                        let role = HelloRole::Customer {
                            center_id: DEMO_CENTER_ID,
                            install_id: InstallId(fresh_id()),
                        };
                        let connected = connect_on(&endpoint, &config, role).await;
                        let Ok((client, _, _events)) = connected else {
                            tally.count(&connected.map(drop));
                            continue;
                        };
                        let r: Result<Response, ApiError> = match attack {
                            Attack::OfflineFlood => {
                                client
                                    .request(Request::LeaveOfflineMessage(
                                        rpc::LeaveOfflineMessage {
                                            name: "spam".into(),
                                            contact: "spam".into(),
                                            text: "留".repeat(5000),
                                        },
                                    ))
                                    .await
                            }
                            Attack::GhostQueue => {
                                client
                                    .request(Request::RequestService(rpc::RequestService {
                                        name: "ghost".into(),
                                        phone: String::new(),
                                        route: ServiceRoute::AutoAssign {
                                            group_id: None,
                                            product_type_id: None,
                                        },
                                    }))
                                    .await
                            }
                            _ => Ok(Response::Done),
                        };
                        tally.count(&r);
                        client.close("bye");
                    }
                }));
            }
            for w in workers {
                let _ = w.await;
            }
        }
        Attack::ConnectionFlood => {
            let mut held = Vec::new();
            for _ in 0..400 {
                if !running() {
                    break;
                }
                let r = connect_on(&endpoint, &config, customer(fresh_id())).await;
                tally.count(&r);
                if let Ok((client, _, events)) = r {
                    held.push((client, events));
                }
            }
            while running() {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
        Attack::WrongPasswords => {
            while running() {
                let role = HelloRole::Agent {
                    center_id: DEMO_CENTER_ID,
                    username: "admin".into(),
                    password: "guess".into(),
                };
                let r = connect_on(&endpoint, &config, role).await;
                tally.count(&r);
            }
        }
    }
    Ok(())
}

async fn run_phase(
    name: String,
    which: Option<Attack>,
    index: usize,
    pairs: &[Pair],
    relay: &RelayProcess,
    cli: &Cli,
) -> Phase {
    let config = relay.client_config();
    let disk_before = relay.disk_bytes();
    let stop = Arc::new(AtomicBool::new(false));
    let tally = Arc::new(Tally::default());
    let attacker = which.map(|a| {
        let (config, stop, tally) = (config.clone(), stop.clone(), tally.clone());
        tokio::spawn(async move {
            if let Err(e) = attack(a, attacker_ip(index), config, stop, tally).await {
                eprintln!("attack {a:?} stopped: {e:#}");
            }
        })
    });
    // Let the attack ramp up before measuring.
    if attacker.is_some() {
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
    let probes = tokio::spawn(login_probes(config.clone(), stop.clone()));
    let (latencies, failed) = chat_round(pairs, index, cli).await;
    let rss_kib = relay.rss_kib().unwrap_or(0);
    stop.store(true, Ordering::Relaxed);
    if let Some(a) = attacker {
        let _ = tokio::time::timeout(Duration::from_secs(10), a).await;
    }
    let (logins_ok, logins_tried) = probes.await.unwrap_or((0, 0));
    Phase {
        name,
        latencies,
        failed,
        logins_ok,
        logins_tried,
        attacker_ok: tally.ok.load(Ordering::Relaxed),
        attacker_refused: tally.refused.load(Ordering::Relaxed),
        rss_kib,
        disk_growth: relay.disk_bytes() as i64 - disk_before as i64,
    }
}

#[tokio::main]
async fn main() -> Result<()> {
    let cli = Cli::parse();
    let attacks: Vec<Attack> = if cli.attacks.is_empty() {
        ALL.to_vec()
    } else {
        cli.attacks.clone()
    };
    let dir = tempfile::tempdir()?;
    seed(dir.path(), cli.pairs).await?;
    let relay = RelayProcess::start(dir.path(), &[])?;
    let config = relay.client_config();
    configure(&config).await?;

    // Honest pairs: agents from 127.0.0.1 (an office), customers each from 127.0.1.x.
    let agents_endpoint = endpoint_on(Ipv4Addr::LOCALHOST)?;
    let mut agents = Vec::new();
    for i in 0..cli.pairs {
        agents.push(agent(&agents_endpoint, &config, &format!("pair{i:03}")).await?);
    }
    let mut pairs = Vec::new();
    for (i, agent) in agents.into_iter().enumerate() {
        let ip = Ipv4Addr::new(127, 0, 1 + (i / 250) as u8, 1 + (i % 250) as u8);
        let endpoint = endpoint_on(ip)?;
        let (customer, session_id) = served_customer(
            &endpoint,
            &config,
            0x00C0_FFEE_0000 + i as u128,
            &format!("c{i:03}"),
        )
        .await?;
        pairs.push(Pair {
            customer,
            session_id,
            _agent: agent,
        });
    }
    eprintln!("{} honest pairs in session", pairs.len());

    // A first round warms the relay up (database pages, allocator); not recorded.
    let (warm_up, _) = chat_round(&pairs, 1000, &cli).await;
    let mut phases = Vec::new();
    let quiet = run_phase("none (quiet run)".into(), None, 0, &pairs, &relay, &cli).await;
    eprintln!("quiet: p99 {:.1} ms", percentile(&quiet.latencies, 0.99));
    phases.push(quiet);
    for (n, a) in attacks.iter().enumerate() {
        let name = format!("{a:?}");
        let phase = run_phase(name, Some(*a), n + 1, &pairs, &relay, &cli).await;
        eprintln!(
            "{:?}: p99 {:.1} ms, attacker {} ok / {} refused",
            a,
            percentile(&phase.latencies, 0.99),
            phase.attacker_ok,
            phase.attacker_refused
        );
        phases.push(phase);
    }

    // Every honest message stored exactly once.
    let store = Store::open(&RelayConfig::new(dir.path()).database_path()).await?;
    let snapshot = store.snapshot().await?;
    let mut per_id: HashMap<(SessionId, MessageId), u32> = HashMap::new();
    let honest: std::collections::HashSet<SessionId> = pairs.iter().map(|p| p.session_id).collect();
    for s in snapshot
        .sessions
        .iter()
        .filter(|s| honest.contains(&s.session_id))
    {
        for m in &s.messages {
            if m.from == porpoise_protocol::wire::Party::Customer {
                *per_id.entry((s.session_id, m.message_id)).or_default() += 1;
            }
        }
    }
    store.close().await;
    let acked: u64 =
        warm_up.len() as u64 + phases.iter().map(|p| p.latencies.len() as u64).sum::<u64>();
    let stored = per_id.len() as u64;
    let twice = per_id.values().filter(|&&n| n > 1).count();
    let stored_line = format!(
        "honest messages acknowledged {acked}, stored {stored}, stored more than once {twice}"
    );

    let base_p99 = percentile(&phases[0].latencies, 0.99);
    let mut table = Table::new([
        "attack",
        "honest ack p50 ms",
        "honest ack p99 ms",
        "p99 / quiet",
        "honest failed",
        "agent logins ok",
        "attacker accepted / refused",
        "relay RSS MiB",
        "DB growth KiB",
    ]);
    for p in &phases {
        let p99 = percentile(&p.latencies, 0.99);
        table.row([
            p.name.clone(),
            format!("{:.1}", percentile(&p.latencies, 0.5)),
            format!("{p99:.1}"),
            format!("{:.2}", p99 / base_p99),
            p.failed.to_string(),
            format!("{}/{}", p.logins_ok, p.logins_tried),
            format!("{} / {}", p.attacker_ok, p.attacker_refused),
            format!("{:.1}", p.rss_kib as f64 / 1024.0),
            format!("{:.0}", p.disk_growth as f64 / 1024.0),
        ]);
    }
    let intro = format!(
        "{} honest pairs, each customer from its own loopback address, {} chat messages per \
         phase one per {} ms; one abusive client per attack from one address; relay with its \
         default limits on this machine ({} cores).",
        cli.pairs,
        cli.messages,
        cli.interval_ms,
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!("{intro}\n");
    println!("{}", table.to_markdown());
    println!("{stored_line}");
    if let Some(path) = &cli.record {
        let mut report = Report::new("porpoise-abuse-bench");
        report.text(intro);
        report.table(&table);
        report.text(stored_line);
        report.record(path)?;
    }
    drop(relay);
    Ok(())
}
