//! Quinn glue: the endpoint, one task per connection, one driver task that owns the
//! [`Core`](crate::core::Core), one store-writer task, and media forwarding tasks.
//!
//! ```text
//! conn tasks ──DriverMsg (bounded)──▶ driver (Core) ──StoreOp (unbounded*)──▶ store writer
//!     ▲                                 │  ▲                                     │
//!     └──ServerMessage outbox (bounded)─┘  └──chat persisted (unbounded**)───────┘
//! ```
//! (*) the driver never waits for the writer: the writes each center has pending are counted
//! ([`driver::Backlog`]) and a center over [`MAX_CENTER_BACKLOG`] gets its requests answered
//! `Throttled` before the core sees them (the flooder is shed, other centers go on). The writer
//! commits the writes that arrived together in one transaction (group commit).
//! (**) at most one report per `StoreOp` in flight, so bounded like the op channel; unbounded
//! so that the writer never blocks on the driver.

mod conn;
pub use conn::{MAX_THROTTLED_IN_A_ROW, REQUESTS_PER_SECOND, REQUEST_BURST};
pub use driver::{MAX_BACKLOG, MAX_CENTER_BACKLOG, MAX_CONCURRENT_READS};
pub mod context;
mod driver;
mod gate;
mod media;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use porpoise_quic::tls::{self, Fingerprint, TlsError};
use tokio::sync::mpsc;
use tracing::{debug, info, warn, Instrument};

use crate::config::{load_or_create_identity, ConfigError, RelayConfig};
use crate::core::{ConnId, Core, ThrottlePolicy};
use crate::store::{Store, StoreError};

/// QUIC application close code: normal end (directory answered, client closed its stream).
pub const CLOSE_NORMAL: u32 = porpoise_protocol::wire::CloseCode::Normal as u32;
/// Close code: the client broke the protocol (malformed or oversized frame, unexpected Hello).
pub const CLOSE_PROTOCOL: u32 = porpoise_protocol::wire::CloseCode::Protocol as u32;
/// Close code: the Hello was refused (a `ServerMessage::Refused` frame was sent first).
pub const CLOSE_REFUSED: u32 = porpoise_protocol::wire::CloseCode::Refused as u32;
/// Close code: the same account or helper logged in on a newer connection.
pub const CLOSE_LOGGED_IN_ELSEWHERE: u32 =
    porpoise_protocol::wire::CloseCode::LoggedInElsewhere as u32;
/// Close code: the relay is shutting down.
pub const CLOSE_SHUTDOWN: u32 = porpoise_protocol::wire::CloseCode::Shutdown as u32;
/// Close code: the client did not read its control stream fast enough.
pub const CLOSE_TOO_SLOW: u32 = porpoise_protocol::wire::CloseCode::TooSlow as u32;
/// Close code: an admin of the center kicked this login (R3).
pub const CLOSE_KICKED: u32 = porpoise_protocol::wire::CloseCode::Kicked as u32;
/// Close code: the center blocked this customer (R16).
pub const CLOSE_UNAVAILABLE: u32 = porpoise_protocol::wire::CloseCode::Unavailable as u32;
/// Close code: the center's service period ended while logged in (M2).
pub const CLOSE_CENTER_EXPIRED: u32 = porpoise_protocol::wire::CloseCode::CenterExpired as u32;
/// Stream reset/stop code: the media stream was refused (no session, no consent, wrong party).
pub const STREAM_REFUSED: u32 = 1;
/// Stream reset/stop code: the media stream was cut (action stopped, session ended, peer gone).
pub const STREAM_CUT: u32 = 2;

/// How long graceful shutdown waits for connections to drain.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(3);
/// Capacity of the channel from connection tasks to the driver, in messages.
const DRIVER_CAPACITY: usize = 1024;

/// Errors that stop the relay from starting.
#[derive(Debug, thiserror::Error)]
pub enum RelayError {
    /// The data dir or TLS identity is unusable.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The database could not be opened or read.
    #[error("storage: {0}")]
    Store(#[from] StoreError),
    /// The certificate or key was rejected.
    #[error("TLS: {0}")]
    Tls(#[from] TlsError),
    /// The UDP socket could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// Address asked for.
        addr: SocketAddr,
        /// Underlying error.
        source: std::io::Error,
    },
    /// `--demo` on an address other machines reach: the demo accounts' password is public.
    #[error(
        "the demo center's password is public: --demo listens on loopback only (e.g. --listen \
         127.0.0.1:18000), not on {addr}; make a real center with `porpoise-relay center create`"
    )]
    DemoOnPublicAddress {
        /// Address asked for.
        addr: SocketAddr,
    },
}

/// A bound relay, ready to [`run`](Relay::run).
#[derive(Debug)]
pub struct Relay {
    endpoint: quinn::Endpoint,
    store: Store,
    core: Core,
    fingerprint: Fingerprint,
    local_addr: SocketAddr,
    max_connections: usize,
    login_throttle: ThrottlePolicy,
    /// Data directory (common files live under it, A8).
    data_dir: std::path::PathBuf,
    /// The HTTPS helper download server (C1, M11), if its TCP port could be bound.
    download: Option<DownloadServer>,
    /// Webhook delivery policy (R17).
    webhooks: crate::webhooks::WebhookPolicy,
    /// Context lookups may reach private addresses ([`crate::outbound`]).
    allow_private_outbound: bool,
    /// See [`RelayConfig::max_connections_per_ip`].
    max_connections_per_ip: usize,
    /// See [`RelayConfig::retry_above`].
    retry_above: usize,
    /// See [`RelayConfig::prune_interval`].
    prune_interval: Duration,
    /// See [`RelayConfig::new_connections_per_ip`].
    new_connections_per_ip: u32,
}

/// The bound TCP listener of the helper downloads and what it serves with.
#[derive(Debug)]
struct DownloadServer {
    listener: tokio::net::TcpListener,
    tls: Arc<rustls::ServerConfig>,
    state: Arc<crate::download::DownloadState>,
}

impl Relay {
    /// Prepares the data dir (certificate, database, demo center if `config.demo`), loads the
    /// snapshot and binds the UDP socket. Must be called inside a tokio runtime.
    ///
    /// Errors: [`RelayError`] for the data dir, the database, TLS or the socket;
    /// [`RelayError::DemoOnPublicAddress`] for `demo` on a non-loopback address.
    pub async fn bind(config: RelayConfig) -> Result<Relay, RelayError> {
        if config.demo && !config.listen.ip().is_loopback() {
            return Err(RelayError::DemoOnPublicAddress {
                addr: config.listen,
            });
        }
        let identity = load_or_create_identity(&config.data_dir)?;
        let store = Store::open(&config.database_path()).await?;
        if config.demo {
            store.seed_demo().await?;
            if store
                .branding(crate::store::DEMO_CENTER_ID)
                .await?
                .is_none()
            {
                store
                    .set_branding(
                        crate::store::DEMO_CENTER_ID,
                        &crate::branding::demo_branding(),
                    )
                    .await?;
            }
        }
        let mut core = Core::new(store.snapshot().await?);
        core.set_ticket_grace(config.ticket_grace);
        core.set_customer_quotas(config.customer_quotas.clone());
        if config.helper_dir.is_some() {
            core.set_download_base(
                config
                    .public_addr
                    .as_ref()
                    .map(|a| format!("https://{a}/c")),
            );
        }
        let server_config = tls::server_config(identity.cert.clone(), identity.key.clone_key())?;
        let endpoint = quinn::Endpoint::server(server_config, config.listen).map_err(|source| {
            RelayError::Bind {
                addr: config.listen,
                source,
            }
        })?;
        let local_addr = endpoint.local_addr().map_err(|source| RelayError::Bind {
            addr: config.listen,
            source,
        })?;
        let download = bind_download(&config, &identity, &store, local_addr).await;
        Ok(Relay {
            endpoint,
            store,
            core,
            fingerprint: identity.fingerprint,
            local_addr,
            max_connections: config.max_connections,
            login_throttle: config.login_throttle,
            data_dir: config.data_dir.clone(),
            download,
            webhooks: crate::webhooks::WebhookPolicy {
                allow_private: config.allow_private_outbound,
                ..config.webhooks.clone()
            },
            allow_private_outbound: config.allow_private_outbound,
            max_connections_per_ip: config.max_connections_per_ip,
            retry_above: config.retry_above,
            prune_interval: config.prune_interval,
            new_connections_per_ip: config.new_connections_per_ip,
        })
    }

    /// The TCP address of the HTTPS helper downloads (same port number as QUIC), if bound.
    pub fn download_addr(&self) -> Option<SocketAddr> {
        self.download
            .as_ref()
            .and_then(|d| d.listener.local_addr().ok())
    }

    /// The address the relay listens on (with the real port when bound to port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// SHA-256 fingerprint of the relay's certificate, which clients pin.
    pub fn fingerprint(&self) -> Fingerprint {
        self.fingerprint
    }

    /// The relay's database (e.g. for tests to create centers and accounts while it runs).
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Serves until `shutdown` completes, then closes every connection with
    /// [`CLOSE_SHUTDOWN`], waits briefly for them to drain, flushes pending writes and returns.
    ///
    /// Errors: none yet once bound; the `Result` is kept for future fatal conditions.
    pub async fn run(self, shutdown: impl Future<Output = ()>) -> Result<(), RelayError> {
        let Relay {
            endpoint,
            store,
            core,
            local_addr,
            max_connections,
            login_throttle,
            data_dir,
            download,
            webhooks,
            allow_private_outbound,
            max_connections_per_ip,
            retry_above,
            prune_interval,
            new_connections_per_ip,
            ..
        } = self;
        let (webhooks_stop, webhooks_stopped) = tokio::sync::oneshot::channel::<()>();
        let webhook_task = tokio::spawn(crate::webhooks::run(store.clone(), webhooks, async {
            let _ = webhooks_stopped.await;
        }));
        let (download_stop, download_stopped) = tokio::sync::oneshot::channel::<()>();
        let download_task = download.map(|d| {
            tokio::spawn(crate::download::serve(
                d.listener,
                d.tls,
                d.state,
                async move {
                    let _ = download_stopped.await;
                },
            ))
        });
        let (store_tx, store_rx) = mpsc::unbounded_channel();
        let (persisted_tx, persisted_rx) = mpsc::unbounded_channel();
        let backlog = Arc::new(driver::Backlog::default());
        let writer = tokio::spawn(driver::store_writer(
            store.clone(),
            store_rx,
            persisted_tx,
            backlog.clone(),
        ));
        let (driver_tx, driver_rx) = mpsc::channel(DRIVER_CAPACITY);
        let driver = tokio::spawn(
            driver::Driver::new(core, store_tx, backlog, data_dir, allow_private_outbound)
                .run(driver_rx, persisted_rx),
        );
        let retention_task = {
            let (store, driver_tx) = (store.clone(), driver_tx.clone());
            tokio::spawn(async move {
                let first = prune_interval.min(crate::retention::FIRST_PRUNE_AFTER);
                let mut ticks =
                    tokio::time::interval_at(tokio::time::Instant::now() + first, prune_interval);
                ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                loop {
                    ticks.tick().await;
                    if let Some(usage) = crate::retention::prune_once(&store).await {
                        let msg = driver::DriverMsg::StorageUsage(usage);
                        if driver_tx.send(msg).await.is_err() {
                            return;
                        }
                    }
                }
            })
        };
        info!(%local_addr, "relay serving");

        let gate = gate::Gate::new(login_throttle);
        let live = Arc::new(AtomicUsize::new(0));
        let per_ip: PerIp = Arc::default();
        let mut next_conn = ConnId(1);
        let handshake_rate =
            crate::core::quota::Rate::per(new_connections_per_ip.max(1), Duration::from_secs(60));
        let mut handshakes = crate::core::quota::RateTable::new(crate::core::quota::MAX_QUOTA_KEYS);
        tokio::pin!(shutdown);
        loop {
            let incoming = tokio::select! {
                () = &mut shutdown => break,
                incoming = endpoint.accept() => incoming,
            };
            let Some(incoming) = incoming else { break };
            let now_live = live.load(Ordering::Relaxed);
            if now_live >= max_connections {
                warn!(remote = %incoming.remote_address(), max_connections, "connection limit reached, refusing");
                incoming.refuse();
                continue;
            }
            if now_live >= retry_above
                && !incoming.remote_address_validated()
                && incoming.may_retry()
            {
                // Under load, an unproven source address must answer a Retry first.
                let _ = incoming.retry();
                continue;
            }
            let ip = crate::core::throttle::ip_key(incoming.remote_address().ip());
            if handshakes
                .take(std::time::Instant::now(), ip, handshake_rate)
                .is_err()
            {
                debug!(%ip, new_connections_per_ip, "new connections over the address's rate, refusing");
                incoming.refuse();
                continue;
            }
            let Some(guard) = LiveGuard::new(&live, &per_ip, ip, max_connections_per_ip) else {
                warn!(%ip, max_connections_per_ip, "too many connections from one address, refusing");
                incoming.refuse();
                continue;
            };
            let conn_id = next_conn;
            next_conn.0 += 1;
            let ctx = conn::ConnCtx {
                store: store.clone(),
                driver: driver_tx.clone(),
                gate: gate.clone(),
            };
            tokio::spawn(async move {
                let _guard = guard;
                conn::serve(incoming, conn_id, ctx).await;
            });
        }

        info!("shutting down: closing connections");
        retention_task.abort();
        let _ = retention_task.await;
        let _ = webhooks_stop.send(());
        let _ = download_stop.send(());
        if let Some(task) = download_task {
            task.abort();
        }
        endpoint.close(
            CLOSE_SHUTDOWN.into(),
            crate::core::CloseReason::Shutdown.text().as_bytes(),
        );
        drop(driver_tx);
        if tokio::time::timeout(DRAIN_TIMEOUT, endpoint.wait_idle())
            .await
            .is_err()
        {
            warn!("connections did not drain in {DRAIN_TIMEOUT:?}");
        }
        if tokio::time::timeout(DRAIN_TIMEOUT, driver).await.is_err() {
            warn!("driver did not stop in {DRAIN_TIMEOUT:?}");
        }
        // The driver has dropped the op channel: the writer flushes what is queued and ends.
        if tokio::time::timeout(DRAIN_TIMEOUT, writer).await.is_err() {
            warn!("store writer did not finish in {DRAIN_TIMEOUT:?}; some writes may be lost");
        }
        // An attempt cut here is sent again after the restart (at least once).
        webhook_task.abort();
        let _ = webhook_task.await;
        store.close().await;
        info!("relay stopped");
        Ok(())
    }
}

/// Binds the HTTPS helper download server on the QUIC port number over TCP. A failure is
/// logged and leaves the relay without downloads rather than stopping it.
async fn bind_download(
    config: &RelayConfig,
    identity: &crate::config::Identity,
    store: &Store,
    quic_addr: SocketAddr,
) -> Option<DownloadServer> {
    let addr = SocketAddr::new(config.listen.ip(), quic_addr.port());
    let tls = match crate::download::tls_config(identity.cert.clone(), identity.key.clone_key()) {
        Ok(tls) => tls,
        Err(e) => {
            warn!("helper downloads off: TLS: {e}");
            return None;
        }
    };
    let listener = match tokio::net::TcpListener::bind(addr).await {
        Ok(l) => l,
        Err(e) => {
            warn!(%addr, "helper downloads off: cannot listen on TCP: {e}");
            return None;
        }
    };
    Some(DownloadServer {
        listener,
        tls,
        state: Arc::new(crate::download::DownloadState {
            store: store.clone(),
            helper_dir: config.helper_dir.clone(),
            cert: identity.cert.clone(),
            key: identity.key.clone_key(),
            fingerprint: identity.fingerprint,
            public_addr: config.public_addr.clone(),
            quic_port: quic_addr.port(),
        }),
    })
}

/// Binds and serves until `shutdown` completes: [`Relay::bind`] then [`Relay::run`].
///
/// Errors: see [`Relay::bind`].
pub async fn run(
    config: RelayConfig,
    shutdown: impl Future<Output = ()>,
) -> Result<(), RelayError> {
    Relay::bind(config).await?.run(shutdown).await
}

/// Counts a live connection until dropped.
/// Live connections per client address (IPv4, or IPv6 /64).
type PerIp = Arc<std::sync::Mutex<std::collections::HashMap<std::net::IpAddr, usize>>>;

/// Counts one live connection (relay-wide and for its address) until dropped.
struct LiveGuard {
    live: Arc<AtomicUsize>,
    per_ip: PerIp,
    ip: std::net::IpAddr,
}

impl LiveGuard {
    /// `None` when `ip` already has `max_per_ip` live connections.
    fn new(
        live: &Arc<AtomicUsize>,
        per_ip: &PerIp,
        ip: std::net::IpAddr,
        max_per_ip: usize,
    ) -> Option<Self> {
        {
            let mut counts = per_ip.lock().unwrap_or_else(|p| p.into_inner());
            let count = counts.entry(ip).or_insert(0);
            if *count >= max_per_ip {
                return None;
            }
            *count += 1;
        }
        live.fetch_add(1, Ordering::Relaxed);
        Some(LiveGuard {
            live: live.clone(),
            per_ip: per_ip.clone(),
            ip,
        })
    }
}

impl Drop for LiveGuard {
    fn drop(&mut self) {
        self.live.fetch_sub(1, Ordering::Relaxed);
        let mut counts = self.per_ip.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(count) = counts.get_mut(&self.ip) {
            *count -= 1;
            if *count == 0 {
                counts.remove(&self.ip);
            }
        }
    }
}

/// Shorthand used by the tasks: the instrumented spawn.
fn spawn_in_span<F>(fut: F)
where
    F: Future<Output = ()> + Send + 'static,
{
    tokio::spawn(fut.in_current_span());
}
