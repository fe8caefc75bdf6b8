//! Helper download from the relay (C1, M11): HTTPS on the relay's port number with its own
//! certificate (pinned here), the signed configuration trailer, and the downloaded helper
//! connecting under a private Xvfb with nothing typed and no relay/center/fingerprint flags. A
//! download with one payload byte flipped refuses to connect.
//!
//! Needs the `porpoise-helper` binary: `PORPOISE_HELPER_BIN`, else `target/debug/porpoise-helper`
//! (built here with `cargo build -p porpoise-helper --bin porpoise-helper` if missing).

use std::{
    io::{BufRead, BufReader, Cursor},
    net::SocketAddr,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use anyhow::{bail, ensure, Context, Result};
use porpoise_protocol::wire::InstallId;
use porpoise_quic::{
    client::ClientConfig,
    tls::Fingerprint,
    trailer::{self, TrailerError, FOOTER_BYTES},
};
use porpoise_relay::{branding::DEMO_PRODUCT_NAME, Relay, RelayConfig};
use porpoise_tools::{
    peer::{Peer, WAIT},
    relay::{DEMO_CENTER_ID, DEMO_PASSWORD},
    xvfb::Xvfb,
};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    sync::oneshot,
};

/// Most bytes of a response read by the test client (a debug helper is ~150 MB).
const MAX_RESPONSE_BYTES: usize = 1024 * 1024 * 1024;

/// An HTTP response as the test client read it.
struct Reply {
    status: u16,
    head: String,
    body: Vec<u8>,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim().eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// One HTTP/1.1 request over TLS that trusts exactly the certificate `pin`.
async fn https(addr: SocketAddr, pin: Fingerprint, method: &str, path: &str) -> Result<Reply> {
    https_with(addr, pin, method, path, "").await
}

/// As [`https`], with `extra` header lines (each ending in `\r\n`).
async fn https_with(
    addr: SocketAddr,
    pin: Fingerprint,
    method: &str,
    path: &str,
    extra: &str,
) -> Result<Reply> {
    let config = porpoise_quic::tls::pinned_https_config(pin)?;
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let tcp = tokio::net::TcpStream::connect(addr).await?;
    let name = rustls::pki_types::ServerName::try_from("localhost")?;
    let mut tls = connector
        .connect(name, tcp)
        .await
        .context("TLS handshake")?;
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: localhost:{}\r\nConnection: close\r\n{extra}\r\n",
        addr.port()
    );
    tls.write_all(request.as_bytes()).await?;
    let mut raw = Vec::new();
    (&mut tls)
        .take(MAX_RESPONSE_BYTES as u64)
        .read_to_end(&mut raw)
        .await
        .or_else(|e| {
            // Servers may close without close_notify after `Connection: close`.
            if e.kind() == std::io::ErrorKind::UnexpectedEof {
                Ok(0)
            } else {
                Err(e)
            }
        })?;
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .context("no end of response head")?;
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let status: u16 = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .with_context(|| format!("bad status line in {head:?}"))?;
    Ok(Reply {
        status,
        head,
        body: raw[split + 4..].to_vec(),
    })
}

/// The debug helper binary (see the module docs); also used by `reconnect_process`.
pub(crate) fn helper_binary() -> Result<PathBuf> {
    if let Ok(path) = std::env::var("PORPOISE_HELPER_BIN") {
        return Ok(PathBuf::from(path));
    }
    // target/debug/deps/it-… → target/debug/porpoise-helper
    let exe = std::env::current_exe()?;
    let debug = exe
        .parent()
        .and_then(Path::parent)
        .context("no target dir")?;
    let bin = debug.join("porpoise-helper");
    if !bin.is_file() {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = Command::new(cargo)
            .args(["build", "-p", "porpoise-helper", "--bin", "porpoise-helper"])
            .status()
            .context("building porpoise-helper")?;
        ensure!(status.success(), "cargo build -p porpoise-helper failed");
    }
    ensure!(bin.is_file(), "{} missing", bin.display());
    Ok(bin)
}

/// A relay on 127.0.0.1:0 with the demo center (and its demo branding) serving `helper_dir`.
struct Running {
    quic: SocketAddr,
    https: SocketAddr,
    fingerprint: Fingerprint,
    stop: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

impl Running {
    async fn start(data_dir: &Path, helper_dir: &Path) -> Result<Running> {
        let mut config = RelayConfig::new(data_dir);
        config.listen = "127.0.0.1:0".parse()?;
        config.demo = true;
        config.helper_dir = Some(helper_dir.to_owned());
        let relay = Relay::bind(config).await?;
        let quic = relay.local_addr();
        let https = relay
            .download_addr()
            .context("the relay could not bind its download port")?;
        ensure!(https.port() == quic.port(), "downloads on another port");
        let fingerprint = relay.fingerprint();
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let _ = relay
                .run(async move {
                    let _ = rx.await;
                })
                .await;
        });
        Ok(Running {
            quic,
            https,
            fingerprint,
            stop: Some(tx),
            task,
        })
    }

    fn client_config(&self) -> ClientConfig {
        ClientConfig {
            relay_addr: self.quic.to_string(),
            fingerprint: self.fingerprint,
        }
    }

    async fn stop(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        let _ = tokio::time::timeout(Duration::from_secs(10), &mut self.task).await;
    }
}

fn link_helper(helper_dir: &Path) -> Result<()> {
    std::fs::create_dir_all(helper_dir)?;
    std::os::unix::fs::symlink(helper_binary()?, helper_dir.join("porpoise-helper"))?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn download_routes_and_errors() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let helpers = dir.path().join("helpers");
    // A stand-in Linux helper; no Windows helper at all.
    std::fs::create_dir_all(&helpers)?;
    std::fs::write(helpers.join("porpoise-helper"), b"\x7fELF stand-in helper")?;
    let relay = Running::start(&dir.path().join("data"), &helpers).await?;
    let (addr, pin) = (relay.https, relay.fingerprint);

    let page = https(addr, pin, "GET", &format!("/c/{DEMO_CENTER_ID}/")).await?;
    assert_eq!(page.status, 200);
    assert!(page
        .header("content-type")
        .is_some_and(|t| t.starts_with("text/html")));
    let html = page.text();
    assert!(html.contains("海豚远程协助"), "{html}");
    assert!(html.contains("href=\"helper/linux\""), "{html}");
    assert!(
        !html.contains("helper/windows"),
        "no Windows helper to offer: {html}"
    );

    let linux = https(
        addr,
        pin,
        "GET",
        &format!("/c/{DEMO_CENTER_ID}/helper/linux"),
    )
    .await?;
    assert_eq!(linux.status, 200);
    assert!(linux.body.starts_with(b"\x7fELF stand-in helper"));
    let disposition = linux.header("content-disposition").context("disposition")?;
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    assert!(
        disposition.contains(&DEMO_CENTER_ID.to_string()),
        "{disposition}"
    );
    assert_eq!(
        linux.header("content-length"),
        Some(linux.body.len().to_string().as_str())
    );
    let embedded = trailer::read(&mut Cursor::new(&linux.body))?;
    assert_eq!(embedded.center_id, DEMO_CENTER_ID);
    assert_eq!(embedded.fingerprint(), pin);
    assert_eq!(
        embedded.relay_addr,
        format!("localhost:{}", relay.quic.port())
    );

    let head = https(
        addr,
        pin,
        "HEAD",
        &format!("/c/{DEMO_CENTER_ID}/helper/linux"),
    )
    .await?;
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    assert_eq!(
        head.header("content-length"),
        Some(linux.body.len().to_string().as_str())
    );

    let windows = https(
        addr,
        pin,
        "GET",
        &format!("/c/{DEMO_CENTER_ID}/helper/windows"),
    )
    .await?;
    assert_eq!(windows.status, 404);
    assert!(
        windows.text().contains("porpoise-helper.exe is missing"),
        "{}",
        windows.text()
    );

    let unknown = https(addr, pin, "GET", "/c/8999999/helper/linux").await?;
    assert_eq!(unknown.status, 404);
    assert!(unknown.text().contains("unknown center 8999999"));
    let not_an_id = https(addr, pin, "GET", "/c/1234/").await?;
    assert_eq!(not_an_id.status, 404);
    let other_path = https(addr, pin, "GET", "/etc/passwd").await?;
    assert_eq!(other_path.status, 404);
    assert!(other_path.text().contains("/c/<center ID>/"));

    let post = https(
        addr,
        pin,
        "POST",
        &format!("/c/{DEMO_CENTER_ID}/helper/linux"),
    )
    .await?;
    assert_eq!(post.status, 405);
    assert_eq!(post.header("allow"), Some("GET, HEAD"));

    // A connection that never sends anything does not hold up others (slowloris: it is closed
    // after the handshake timeout), and an oversized request head is refused.
    let idle = tokio::net::TcpStream::connect(addr).await?;
    let again = https(addr, pin, "GET", &format!("/c/{DEMO_CENTER_ID}/")).await?;
    assert_eq!(again.status, 200);
    drop(idle);
    let huge = format!(
        "X-Filler: {}\r\n",
        "a".repeat(porpoise_relay::download::MAX_REQUEST_HEAD_BYTES)
    );
    let refused = https_with(addr, pin, "GET", &format!("/c/{DEMO_CENTER_ID}/"), &huge).await?;
    assert_eq!(refused.status, 431, "{}", refused.head);

    // A client that pins another fingerprint does not get past the handshake.
    let wrong = Fingerprint([7; 32]);
    assert!(https(addr, wrong, "GET", "/").await.is_err());

    // The relay still serves QUIC after all of that, and a plain helper's Welcome carries the
    // center's branding too (C1, M1).
    let customer =
        Peer::customer(&relay.client_config(), DEMO_CENTER_ID, InstallId(0xB4A9D)).await?;
    match &customer.welcome {
        porpoise_protocol::wire::Welcome::Customer { branding, .. } => assert_eq!(
            branding.as_ref().map(|b| b.product_name.as_str()),
            Some(DEMO_PRODUCT_NAME)
        ),
        other => panic!("not a customer welcome: {other:?}"),
    }
    relay.stop().await;
    Ok(())
}

/// A helper process whose stderr is collected.
struct Helper {
    child: Child,
    log: Arc<Mutex<String>>,
}

impl Helper {
    fn start(x: &Xvfb, exe: &Path, work: &Path, name: &str) -> Result<Helper> {
        let runtime = work.join("xdg-runtime");
        std::fs::create_dir_all(&runtime)?;
        std::fs::set_permissions(
            &runtime,
            std::os::unix::fs::PermissionsExt::from_mode(0o700),
        )?;
        let mut cmd = x.command(exe.to_str().context("path")?);
        for (key, _) in std::env::vars() {
            if key.starts_with("PORPOISE_") {
                cmd.env_remove(key);
            }
        }
        // No --relay, --center or --fingerprint: everything comes from the trailer.
        cmd.env("XDG_RUNTIME_DIR", &runtime)
            .env("HOME", work)
            .env("PORPOISE_NAME", name)
            .env("RUST_LOG", "info")
            .args(["--auto-request", "--lang", "en", "--data-dir"])
            .arg(work.join("helper-data"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().context("starting the downloaded helper")?;
        let stderr = child.stderr.take().context("stderr")?;
        let log = Arc::new(Mutex::new(String::new()));
        let sink = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Ok(mut l) = sink.lock() {
                    l.push_str(&line);
                    l.push('\n');
                }
            }
        });
        Ok(Helper { child, log })
    }

    fn log(&self) -> String {
        self.log.lock().map(|l| l.clone()).unwrap_or_default()
    }

    async fn wait_log(&self, needle: &str, timeout: Duration) -> Result<String> {
        let start = Instant::now();
        loop {
            let log = self.log();
            if log.contains(needle) {
                return Ok(log);
            }
            if start.elapsed() > timeout {
                bail!("helper never logged {needle:?}; log:\n{log}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Drop for Helper {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn save_executable(path: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes)?;
    std::fs::set_permissions(path, std::os::unix::fs::PermissionsExt::from_mode(0o755))?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn downloaded_helper_connects_with_nothing_typed_and_a_tampered_one_refuses() -> Result<()> {
    let work = tempfile::tempdir()?;
    let helpers = work.path().join("helpers");
    link_helper(&helpers)?;
    let relay = Running::start(&work.path().join("data"), &helpers).await?;
    let mut agent = Peer::agent(
        &relay.client_config(),
        DEMO_CENTER_ID,
        "agent1",
        DEMO_PASSWORD,
    )
    .await?;

    let download = https(
        relay.https,
        relay.fingerprint,
        "GET",
        &format!("/c/{DEMO_CENTER_ID}/helper/linux"),
    )
    .await?;
    assert_eq!(download.status, 200, "{}", download.head);
    let embedded = trailer::read(&mut Cursor::new(&download.body))?;
    assert_eq!(embedded.fingerprint(), relay.fingerprint);
    assert_eq!(
        embedded.branding.as_ref().map(|b| b.product_name.as_str()),
        Some(DEMO_PRODUCT_NAME)
    );
    let exe = work.path().join("download/porpoise-helper");
    std::fs::create_dir_all(exe.parent().context("parent")?)?;
    save_executable(&exe, &download.body)?;

    // Tampered: one payload byte flipped → refused, never connects.
    let body_len = {
        let footer = &download.body[download.body.len() - FOOTER_BYTES..];
        let n = |i: usize| {
            u32::from_le_bytes([footer[i], footer[i + 1], footer[i + 2], footer[i + 3]]) as usize
        };
        (n(0), n(4), n(8))
    };
    let payload_start = download.body.len() - FOOTER_BYTES - body_len.2 - body_len.1 - body_len.0;
    let mut tampered = download.body.clone();
    tampered[payload_start + 3] ^= 0x01;
    assert!(matches!(
        trailer::read(&mut Cursor::new(&tampered)),
        Err(TrailerError::BadSignature | TrailerError::BadPayload(_))
    ));
    let bad_exe = work.path().join("tampered/porpoise-helper");
    std::fs::create_dir_all(bad_exe.parent().context("parent")?)?;
    save_executable(&bad_exe, &tampered)?;

    let x = Xvfb::start()?;
    let bad_work = work.path().join("bad-home");
    std::fs::create_dir_all(&bad_work)?;
    let bad = Helper::start(&x, &bad_exe, &bad_work, "Tampered Customer")?;
    let log = bad.wait_log("refusing to connect", WAIT).await?;
    assert!(log.contains("modified"), "{log}");
    assert!(!log.contains("connected"), "{log}");

    let good_work = work.path().join("good-home");
    std::fs::create_dir_all(&good_work)?;
    let good = Helper::start(&x, &exe, &good_work, "Downloaded Customer")?;
    agent
        .wait_queued("Downloaded Customer", WAIT * 2)
        .await
        .with_context(|| format!("helper log:\n{}", good.log()))?;
    // The first window carries the center's product name.
    x.wait_window("Porpoise Demo", WAIT)?;
    let log = good.log();
    assert!(log.contains("signed trailer"), "{log}");
    // The tampered helper never reached the queue.
    assert!(
        !agent
            .pending_events()
            .any(|e| format!("{e:?}").contains("Tampered Customer")),
        "the tampered helper reached the relay"
    );
    drop(bad);
    if let Ok(path) = std::env::var("PORPOISE_SCREENSHOT") {
        tokio::time::sleep(Duration::from_secs(2)).await;
        x.screenshot(Path::new(&path))?;
    }
    drop(good);
    relay.stop().await;
    Ok(())
}

/// Every file under `root`, relative to it.
fn files_under(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(rel) = path.strip_prefix(root) {
                out.push(rel.to_path_buf());
            }
        }
    }
    out.sort();
    out
}

/// Issue 6 footprint: the downloaded helper, started as a customer would (no flags, no data
/// directory), served, chatting and receiving a picture, writes only inside its own data and
/// config directories and the runtime/temp directories; nothing in the working directory or
/// elsewhere in the home directory, and it needs no administrator rights (it runs as this
/// user with a home it owns).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_served_helper_writes_only_its_own_directories() -> Result<()> {
    let work = tempfile::tempdir()?;
    let helpers = work.path().join("helpers");
    link_helper(&helpers)?;
    let relay = Running::start(&work.path().join("data"), &helpers).await?;
    let mut agent = Peer::agent(
        &relay.client_config(),
        DEMO_CENTER_ID,
        "agent1",
        DEMO_PASSWORD,
    )
    .await?;
    let download = https(
        relay.https,
        relay.fingerprint,
        "GET",
        &format!("/c/{DEMO_CENTER_ID}/helper/linux"),
    )
    .await?;
    ensure!(download.status == 200, "{}", download.head);
    let exe = work.path().join("download/porpoise-helper");
    std::fs::create_dir_all(exe.parent().context("parent")?)?;
    save_executable(&exe, &download.body)?;

    let home = work.path().join("home");
    let cwd = work.path().join("cwd");
    let tmp = work.path().join("tmp");
    let runtime = work.path().join("runtime");
    for d in [&home, &cwd, &tmp, &runtime] {
        std::fs::create_dir_all(d)?;
    }
    std::fs::set_permissions(
        &runtime,
        std::os::unix::fs::PermissionsExt::from_mode(0o700),
    )?;
    let x = Xvfb::start()?;
    let mut cmd = x.command(exe.to_str().context("path")?);
    for (key, _) in std::env::vars() {
        if key.starts_with("PORPOISE_") || key.starts_with("XDG_") {
            cmd.env_remove(key);
        }
    }
    cmd.current_dir(&cwd)
        .env("HOME", &home)
        .env("TMPDIR", &tmp)
        .env("XDG_RUNTIME_DIR", &runtime)
        .env("PORPOISE_NAME", "Tidy Customer")
        .env("RUST_LOG", "info")
        .args(["--auto-request", "--lang", "en"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let mut child = cmd.spawn().context("starting the helper")?;
    let result = async {
        let session = agent.take_customer("Tidy Customer", WAIT * 2).await?;
        agent.say(session, "你好").await?;
        let picture = porpoise_codec::chat_image::prepare(&[40u8; 16 * 16 * 4], 16, 16)?;
        agent.send_picture(session, picture).await?;
        // Time for the helper to fetch and show the picture and write whatever it writes.
        tokio::time::sleep(Duration::from_secs(2)).await;
        Ok::<(), anyhow::Error>(())
    }
    .await;
    let _ = child.kill();
    let _ = child.wait();
    result?;

    assert!(
        files_under(&cwd).is_empty(),
        "wrote into the working directory: {:?}",
        files_under(&cwd)
    );
    let written = files_under(&home);
    let own = |p: &PathBuf| {
        p.starts_with(".local/share/porpoise-helper")
            || p.starts_with(".config/porpoise-helper")
            || p.starts_with(".cache/porpoise-helper")
    };
    let stray: Vec<&PathBuf> = written.iter().filter(|p| !own(p)).collect();
    assert!(
        stray.is_empty(),
        "files outside the helper's own directories: {stray:?}"
    );
    assert!(
        written.iter().any(|p| p.ends_with("install-id")),
        "the install id is kept in the helper's data directory: {written:?}"
    );
    relay.stop().await;
    Ok(())
}
