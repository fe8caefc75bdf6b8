//! `porpoise-load`: a routing load test on loopback. Starts a real `porpoise-relay` process
//! (so its memory can be read), logs in N agents that accept every offer, connects M customers
//! that ask for service by auto-assign, and prints: customer-request-to-offer latency p50/p99,
//! how many were offered and how many stayed queued, requests per second, and the relay's
//! resident memory per connected client. Numbers only; no assertions.
//!
//! `cargo run --release -p porpoise-tools --bin porpoise-load -- --agents 1000 --customers 10000`;
//! with `--record docs/benchmarks.md` the numbers also replace this tool's section of that file.

use porpoise_protocol::wire::rpc;
use std::{
    collections::HashMap,
    path::{Path, PathBuf},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use anyhow::Result;
use clap::Parser;
use porpoise_protocol::wire::{Event, HelloRole, InstallId, Request, ServiceRoute};
use porpoise_quic::client::{connect_on, ClientConfig, ClientEvent};
use porpoise_relay::{store::AgentRole, RelayConfig, Store, DEMO_CENTER_ID};
use porpoise_tools::process::{percentile, rss_kib, RelayProcess};
use porpoise_tools::record::{Report, Table};
use tokio::sync::Semaphore;

#[derive(Parser, Debug)]
struct Cli {
    /// Agents logged in (each accepts every offer up to its session limit).
    #[arg(long, default_value_t = 1000)]
    agents: usize,
    /// Customers asking for service.
    #[arg(long, default_value_t = 10_000)]
    customers: usize,
    /// Connections opened at once (logins run argon2 on the relay).
    #[arg(long, default_value_t = 32)]
    concurrency: usize,
    /// Client UDP sockets the connections are spread over.
    #[arg(long, default_value_t = 16)]
    sockets: usize,
    /// Seconds to wait for offers after the last request.
    #[arg(long, default_value_t = 10)]
    settle: u64,
    /// Also write the results into this tool's section of this Markdown file (between its
    /// `<!-- bench:porpoise-load -->` markers), conventionally `docs/benchmarks.md`.
    #[arg(long, value_name = "PATH")]
    record: Option<PathBuf>,
}

/// The load test's results, filled in phase by phase; each phase prints its line from here and
/// `--record` writes the whole.
#[derive(Debug, Default)]
struct Summary {
    agents: usize,
    customers: usize,
    login_secs: f64,
    login_failures: usize,
    request_secs: f64,
    request_failures: usize,
    /// Request → offer, ms, sorted.
    latencies: Vec<f64>,
    queued: usize,
    clients: u64,
    rss_idle_kib: u64,
    rss_loaded_kib: u64,
    /// WARN and ERROR lines of the relay's log.
    warnings: Vec<String>,
}

impl Summary {
    fn logins(&self) -> String {
        format!(
            "{} agents logged in in {:.1} s ({} failed)",
            self.agents - self.login_failures,
            self.login_secs,
            self.login_failures
        )
    }

    fn requests(&self) -> String {
        format!(
            "{} customers requested service in {:.1} s ({:.0} requests/s), {} failed",
            self.customers,
            self.request_secs,
            self.customers as f64 / self.request_secs,
            self.request_failures
        )
    }

    fn latency(&self) -> String {
        format!(
            "p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
            percentile(&self.latencies, 0.5),
            percentile(&self.latencies, 0.99),
            self.latencies.last().copied().unwrap_or(f64::NAN),
        )
    }

    fn memory(&self) -> String {
        format!(
            "relay RSS idle {:.1} MiB, with {} clients {:.1} MiB = {:.1} KiB per client",
            self.rss_idle_kib as f64 / 1024.0,
            self.clients,
            self.rss_loaded_kib as f64 / 1024.0,
            (self.rss_loaded_kib.saturating_sub(self.rss_idle_kib)) as f64 / self.clients as f64
        )
    }

    /// A relay log line as printed (at most 300 characters).
    fn warning(line: &str) -> String {
        line.chars().take(300).collect()
    }

    /// Writes the same numbers into the load tool's section of `path`.
    fn record(&self, path: &Path, cli: &Cli) -> Result<()> {
        let mut table = Table::new(["measurement", "value"]);
        table
            .row(["agent logins".to_owned(), self.logins()])
            .row([
                "customer requests (auto-assign)".to_owned(),
                self.requests(),
            ])
            .row([
                format!(
                    "request-to-offer latency over {} offered customers",
                    self.latencies.len()
                ),
                self.latency(),
            ])
            .row([
                format!("still queued after {} s", cli.settle),
                self.queued.to_string(),
            ])
            .row(["relay memory".to_owned(), self.memory()])
            .row([
                "relay warnings/errors logged".to_owned(),
                self.warnings.len().to_string(),
            ]);
        let mut report = Report::new("porpoise-load");
        report.text(format!(
            "{} agents, {} customers, {} connections at once over {} sockets:",
            cli.agents, cli.customers, cli.concurrency, cli.sockets
        ));
        report.table(&table);
        if !self.warnings.is_empty() {
            let first: Vec<String> = self
                .warnings
                .iter()
                .take(5)
                .map(|w| Self::warning(w))
                .collect();
            report.text(format!(
                "First relay warnings/errors:\n\n```text\n{}\n```",
                first.join("\n")
            ));
        }
        report.record(path)?;
        Ok(())
    }
}

const PASSWORD: &str = "load-test-password";

type Stamps = Arc<Mutex<HashMap<String, Instant>>>;

async fn seed(dir: &std::path::Path, agents: usize) -> Result<()> {
    let config = RelayConfig::new(dir);
    std::fs::create_dir_all(dir)?;
    let store = Store::open(&config.database_path()).await?;
    store.seed_demo().await?;
    store.set_seats(DEMO_CENTER_ID, agents as u32 + 10).await?;
    let started = Instant::now();
    for i in 0..agents {
        let name = format!("load{i:04}");
        store
            .create_agent(DEMO_CENTER_ID, &name, &name, PASSWORD, AgentRole::Agent)
            .await?;
    }
    eprintln!(
        "seeded {agents} accounts in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    store.close().await;
    Ok(())
}

#[tokio::main]
async fn main() -> Result<()> {
    let cli = Cli::parse();
    let mut summary = Summary {
        agents: cli.agents,
        customers: cli.customers,
        clients: (cli.agents + cli.customers) as u64,
        ..Summary::default()
    };
    let dir = tempfile::tempdir()?;
    seed(dir.path(), cli.agents).await?;
    // Every simulated client comes from 127.0.0.1.
    let relay = RelayProcess::start(
        dir.path(),
        &[
            "--max-connections",
            "100000",
            "--max-connections-per-ip",
            "100000",
            "--customer-quota-multiplier",
            "1000",
            "--new-connections-per-ip",
            "1000000",
        ],
    )?;
    let pid = relay.child.id();
    tokio::time::sleep(Duration::from_millis(300)).await;
    summary.rss_idle_kib = rss_kib(pid)?;
    let config = ClientConfig {
        relay_addr: relay.addr.clone(),
        fingerprint: relay.fingerprint,
    };
    let endpoints: Vec<quinn::Endpoint> = (0..cli.sockets)
        .map(|_| quinn::Endpoint::client("127.0.0.1:0".parse().expect("addr")))
        .collect::<Result<_, _>>()?;
    let gate = Arc::new(Semaphore::new(cli.concurrency));
    let offered: Stamps = Arc::default();
    let mut keep = Vec::new();

    let started = Instant::now();
    let mut logins = Vec::new();
    for i in 0..cli.agents {
        let (endpoint, config, gate, offered) = (
            endpoints[i % cli.sockets].clone(),
            config.clone(),
            gate.clone(),
            offered.clone(),
        );
        logins.push(tokio::spawn(async move {
            let permit = gate.acquire_owned().await?;
            let role = HelloRole::Agent {
                center_id: DEMO_CENTER_ID,
                username: format!("load{i:04}"),
                password: PASSWORD.into(),
            };
            let (client, _welcome, mut events) = connect_on(&endpoint, &config, role).await?;
            drop(permit);
            let agent = client.clone();
            tokio::spawn(async move {
                while let Some(event) = events.recv().await {
                    match event {
                        ClientEvent::Event(Event::OfferReceived(offer)) => {
                            if let Ok(mut o) = offered.lock() {
                                o.entry(offer.customer_name.clone())
                                    .or_insert_with(Instant::now);
                            }
                            let agent = agent.clone();
                            tokio::spawn(async move {
                                let _ = agent
                                    .request(Request::AnswerOffer(rpc::AnswerOffer {
                                        offer_id: offer.offer_id,
                                        accept: true,
                                    }))
                                    .await;
                            });
                        }
                        ClientEvent::Closed(_) => break,
                        _ => {}
                    }
                }
            });
            anyhow::Ok(client)
        }));
    }
    let mut login_failures = 0;
    for l in logins {
        match l.await? {
            Ok(client) => keep.push(client),
            Err(e) => {
                login_failures += 1;
                if login_failures <= 3 {
                    eprintln!("agent login failed: {e:#}");
                }
            }
        }
    }
    summary.login_secs = started.elapsed().as_secs_f64();
    summary.login_failures = login_failures;
    println!("load: {}", summary.logins());

    let requested: Stamps = Arc::default();
    let started = Instant::now();
    let mut customers = Vec::new();
    for i in 0..cli.customers {
        let (endpoint, config, gate, requested) = (
            endpoints[i % cli.sockets].clone(),
            config.clone(),
            gate.clone(),
            requested.clone(),
        );
        customers.push(tokio::spawn(async move {
            let permit = gate.acquire_owned().await?;
            let role = HelloRole::Customer {
                center_id: DEMO_CENTER_ID,
                install_id: InstallId(1_000_000 + i as u128),
            };
            let (client, _welcome, mut events) = connect_on(&endpoint, &config, role).await?;
            drop(permit);
            // Read every event (queue positions…) like a real helper, so the relay never sees a
            // slow client.
            tokio::spawn(async move { while events.recv().await.is_some() {} });
            let name = format!("customer{i:05}");
            let route = ServiceRoute::AutoAssign {
                group_id: None,
                product_type_id: None,
            };
            if let Ok(mut r) = requested.lock() {
                r.insert(name.clone(), Instant::now());
            }
            client
                .request(Request::RequestService(rpc::RequestService {
                    name,
                    phone: "13800000000".into(),
                    route,
                }))
                .await?;
            anyhow::Ok(client)
        }));
    }
    let mut failed = 0;
    for c in customers {
        match c.await? {
            Ok(client) => keep.push(client),
            Err(e) => {
                failed += 1;
                if failed <= 3 {
                    eprintln!("customer failed: {e:#}");
                }
            }
        }
    }
    summary.request_secs = started.elapsed().as_secs_f64();
    summary.request_failures = failed;
    println!("load: {}", summary.requests());
    tokio::time::sleep(Duration::from_secs(cli.settle)).await;

    summary.rss_loaded_kib = rss_kib(pid)?;
    let (offers, requests) = (
        offered.lock().map(|o| o.clone()).unwrap_or_default(),
        requested.lock().map(|r| r.clone()).unwrap_or_default(),
    );
    let mut latencies: Vec<f64> = offers
        .iter()
        .filter_map(|(name, at)| {
            requests
                .get(name)
                .map(|r| at.saturating_duration_since(*r).as_secs_f64() * 1e3)
        })
        .collect();
    latencies.sort_by(f64::total_cmp);
    summary.queued = requests.len().saturating_sub(latencies.len());
    summary.latencies = latencies;
    println!(
        "load: request-to-offer latency over {} offered customers: {}; {} still queued",
        summary.latencies.len(),
        summary.latency(),
        summary.queued
    );
    println!("load: {}", summary.memory());
    let log = std::fs::read_to_string(dir.path().join("relay.log")).unwrap_or_default();
    summary.warnings = log
        .lines()
        .filter(|l| l.contains("WARN") || l.contains("ERROR"))
        .map(str::to_owned)
        .collect();
    println!(
        "load: relay logged {} warnings/errors",
        summary.warnings.len()
    );
    for w in summary.warnings.iter().take(5) {
        println!("  {}", Summary::warning(w));
    }
    for c in &keep {
        c.close("load test done");
    }
    drop(relay);
    if let Some(path) = &cli.record {
        summary.record(path, &cli)?;
        eprintln!("recorded in {}", path.display());
    }
    Ok(())
}
