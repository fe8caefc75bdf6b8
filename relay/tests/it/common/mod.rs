//! Scaffolding shared by the loopback tests: a real relay on 127.0.0.1:0 with a temporary data
//! dir, and raw quinn clients that speak the control protocol.

use std::net::SocketAddr;
use std::time::Duration;

use porpoise_protocol::framing::MAX_CONTROL_FRAME_BYTES;
use porpoise_protocol::wire::{
    ApiError, CenterId, ClientMessage, Event, Hello, HelloRole, InstallId, Request, RequestId,
    Response, ServerMessage, PROTOCOL_VERSION,
};
use porpoise_quic::frame_io::{read_frame, write_frame};
use porpoise_quic::tls::{client_config, Fingerprint};
use porpoise_relay::core::ThrottlePolicy;
use porpoise_relay::{Relay, RelayConfig, DEMO_CENTER_ID, DEMO_PASSWORD};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub const WAIT: Duration = Duration::from_secs(10);

/// Seeds the demo center into a fresh data directory (as `--demo` would), without a relay.
#[allow(dead_code)]
pub async fn seed_demo(data: &std::path::Path) {
    let store = porpoise_relay::Store::open(&RelayConfig::new(data).database_path())
        .await
        .expect("open");
    store.seed_demo().await.expect("seed");
    store.close().await;
}

pub struct Running {
    addr: SocketAddr,
    fingerprint: Fingerprint,
    stop: oneshot::Sender<()>,
    task: JoinHandle<Result<(), porpoise_relay::RelayError>>,
}

/// A demo relay with the default login throttle.
pub async fn start(data_dir: &std::path::Path) -> Running {
    start_with(data_dir, ThrottlePolicy::default()).await
}

pub async fn start_with(data_dir: &std::path::Path, login_throttle: ThrottlePolicy) -> Running {
    let mut config = RelayConfig::new(data_dir);
    config.login_throttle = login_throttle;
    start_config(config).await
}

/// A demo relay on 127.0.0.1:0 with `config`'s other settings.
pub async fn start_config(mut config: RelayConfig) -> Running {
    config.listen = "127.0.0.1:0".parse().expect("addr");
    config.demo = true;
    let relay = Relay::bind(config).await.expect("bind");
    let (stop, stopped) = oneshot::channel::<()>();
    let (addr, fingerprint) = (relay.local_addr(), relay.fingerprint());
    let task = tokio::spawn(relay.run(async move {
        let _ = stopped.await;
    }));
    Running {
        addr,
        fingerprint,
        stop,
        task,
    }
}

impl Running {
    /// The relay's QUIC address.
    #[allow(dead_code)]
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The relay's certificate fingerprint.
    #[allow(dead_code)]
    pub fn fingerprint(&self) -> Fingerprint {
        self.fingerprint
    }

    pub async fn stop(self) {
        let _ = self.stop.send(());
        let result = tokio::time::timeout(WAIT, self.task)
            .await
            .expect("relay stops in time");
        result.expect("join").expect("relay run");
    }
}

pub struct Client {
    _endpoint: quinn::Endpoint,
    #[allow(dead_code)]
    pub conn: quinn::Connection,
    #[allow(dead_code)]
    pub send: quinn::SendStream,
    recv: quinn::RecvStream,
    events: Vec<Event>,
    next_id: u64,
}

/// An agent of `center_id` with the demo password.
#[allow(dead_code)]
pub fn agent_in(center_id: CenterId, username: &str) -> HelloRole {
    HelloRole::Agent {
        center_id,
        username: username.into(),
        password: DEMO_PASSWORD.into(),
    }
}

/// An agent of the demo center with the demo password.
#[allow(dead_code)]
pub fn agent(username: &str) -> HelloRole {
    agent_in(DEMO_CENTER_ID, username)
}

pub fn customer(install_id: u128) -> HelloRole {
    HelloRole::Customer {
        center_id: DEMO_CENTER_ID,
        install_id: InstallId(install_id),
    }
}

/// Only the QUIC handshake with the relay at `addr`; the error text when it is refused.
#[allow(dead_code)]
pub async fn try_handshake(addr: SocketAddr, fingerprint: Fingerprint) -> Result<(), String> {
    try_handshake_from("127.0.0.1:0".parse().expect("addr"), addr, fingerprint).await
}

/// [`try_handshake`] from a client socket bound to `local` (another loopback address).
#[allow(dead_code)]
pub async fn try_handshake_from(
    local: SocketAddr,
    addr: SocketAddr,
    fingerprint: Fingerprint,
) -> Result<(), String> {
    let (config, _pin) = client_config(fingerprint).map_err(|e| e.to_string())?;
    let mut endpoint = quinn::Endpoint::client(local).map_err(|e| e.to_string())?;
    endpoint.set_default_client_config(config);
    let connecting = endpoint
        .connect(addr, "localhost")
        .map_err(|e| e.to_string())?;
    tokio::time::timeout(WAIT, connecting)
        .await
        .map_err(|_| "handshake timed out".to_owned())?
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// Connects, opens the control stream, says Hello and returns the relay's first answer.
pub async fn connect(relay: &Running, role: HelloRole) -> (Client, ServerMessage) {
    let (config, _pin) = client_config(relay.fingerprint).expect("client config");
    let mut endpoint =
        quinn::Endpoint::client("127.0.0.1:0".parse().expect("addr")).expect("endpoint");
    endpoint.set_default_client_config(config);
    let conn = endpoint
        .connect(relay.addr, "localhost")
        .expect("connect")
        .await
        .expect("handshake");
    let (mut send, mut recv) = conn.open_bi().await.expect("control stream");
    let hello = ClientMessage::Hello(Hello {
        protocol_version: PROTOCOL_VERSION,
        role,
    });
    write_frame(&mut send, &hello, MAX_CONTROL_FRAME_BYTES)
        .await
        .expect("hello");
    let first = tokio::time::timeout(WAIT, read_frame(&mut recv, MAX_CONTROL_FRAME_BYTES))
        .await
        .expect("answer in time")
        .expect("frame")
        .expect("not eof");
    let client = Client {
        _endpoint: endpoint,
        conn,
        send,
        recv,
        events: Vec::new(),
        next_id: 1,
    };
    (client, first)
}

impl Client {
    async fn read(&mut self) -> ServerMessage {
        tokio::time::timeout(WAIT, read_frame(&mut self.recv, MAX_CONTROL_FRAME_BYTES))
            .await
            .expect("frame in time")
            .expect("frame")
            .expect("not eof")
    }

    pub async fn request(&mut self, body: Request) -> Result<Response, ApiError> {
        let id = self.next_id;
        self.next_id += 1;
        let msg = ClientMessage::Request {
            id: RequestId(id),
            body,
        };
        write_frame(&mut self.send, &msg, MAX_CONTROL_FRAME_BYTES)
            .await
            .expect("request");
        loop {
            match self.read().await {
                ServerMessage::Response { id: got, result } if got == RequestId(id) => {
                    return result
                }
                ServerMessage::Event(event) => self.events.push(event),
                other => panic!("unexpected {other:?}"),
            }
        }
    }

    /// The first event (already received or next) that `pick` accepts.
    pub async fn event<T>(&mut self, pick: impl Fn(&Event) -> Option<T>) -> T {
        if let Some(i) = self.events.iter().position(|e| pick(e).is_some()) {
            return pick(&self.events.remove(i)).expect("picked");
        }
        loop {
            match self.read().await {
                ServerMessage::Event(event) => match pick(&event) {
                    Some(found) => return found,
                    None => self.events.push(event),
                },
                other => panic!("unexpected {other:?}"),
            }
        }
    }
}

/// Runs the `porpoise-relay` binary on the data directory `data` with `args`, as an operator
/// would (no public address from the environment, warnings only).
#[allow(dead_code)]
pub fn relay_cli(data: &std::path::Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_porpoise-relay"))
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .env_remove("PORPOISE_RELAY_PUBLIC_ADDR")
        .env("RUST_LOG", "warn")
        .output()
        .expect("run porpoise-relay")
}
