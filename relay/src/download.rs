//! Helper downloads over HTTPS (C1, M11) on the relay's port number over TCP, with the relay's
//! own certificate (so the fingerprint customers pin for QUIC also identifies this server).
//!
//! Routes, per center (`GET` or `HEAD`; anything else is 405):
//! - `/c/<center_id>/` — a small HTML page with the download links (for the center's website);
//! - `/c/<center_id>/helper/linux` — `porpoise-helper` from the helper folder;
//! - `/c/<center_id>/helper/windows` — `porpoise-helper.exe` from the helper folder.
//!
//! A helper is served as the file (without any trailer it already carried) followed by a fresh
//! signed configuration trailer ([`porpoise_quic::trailer`]): relay address, certificate
//! fingerprint, center ID and the center's branding as stored now. Unknown centers, missing
//! files and unknown paths are 404 with a plain-text reason.
//!
//! Limits against slow or abusive clients: [`MAX_HTTP_CONNECTIONS`] at once (more are closed at
//! once), [`TLS_HANDSHAKE_TIMEOUT`], [`HEADER_READ_TIMEOUT`], [`MAX_REQUEST_HEAD_BYTES`], one
//! request per connection and [`MAX_CONNECTION_DURATION`]. No error here stops the relay.

use std::convert::Infallible;
use std::io::SeekFrom;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::{Body, Frame};
use hyper::header::{
    HeaderValue, ALLOW, CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_LENGTH, CONTENT_TYPE, HOST,
};
use hyper::{Method, Request, Response, StatusCode};
use porpoise_protocol::wire::{is_valid_center_id, Branding, CenterId};
use porpoise_quic::tls::Fingerprint;
use porpoise_quic::trailer::{self, EmbeddedConfig};
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio::io::{AsyncReadExt, AsyncSeekExt};
use tokio::net::TcpListener;
use tokio::sync::{mpsc, Semaphore};
use tracing::{debug, info, warn};

use crate::store::Store;

/// File name of the Linux helper in the helper folder.
pub const LINUX_HELPER_FILE: &str = "porpoise-helper";
/// File name of the Windows helper in the helper folder.
pub const WINDOWS_HELPER_FILE: &str = "porpoise-helper.exe";
/// Most HTTPS connections served at once; further ones are closed on accept.
pub const MAX_HTTP_CONNECTIONS: usize = 256;
/// Longest a client may take for the TLS handshake.
pub const TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// Longest a client may take to send the request head (slowloris).
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Most bytes of a request head (hyper's buffer; its minimum is 8 KiB).
pub const MAX_REQUEST_HEAD_BYTES: usize = 16 * 1024;
/// Longest one connection may last, download included (a 10 MB helper over a slow line).
pub const MAX_CONNECTION_DURATION: Duration = Duration::from_secs(15 * 60);
/// Bytes read from the helper file per body chunk.
const CHUNK_BYTES: usize = 64 * 1024;
/// Body chunks buffered ahead of a slow client, per download.
const CHUNKS_AHEAD: usize = 4;

/// Which helper build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HelperOs {
    /// `porpoise-helper`.
    Linux,
    /// `porpoise-helper.exe`.
    Windows,
}

impl HelperOs {
    fn file_name(self) -> &'static str {
        match self {
            HelperOs::Linux => LINUX_HELPER_FILE,
            HelperOs::Windows => WINDOWS_HELPER_FILE,
        }
    }

    fn label(self) -> &'static str {
        match self {
            HelperOs::Linux => "Linux",
            HelperOs::Windows => "Windows",
        }
    }
}

/// The three URLs of a center (page, Linux, Windows) for a relay reached at `public_addr`
/// (`host:port`), as `porpoise-relay helper-link` prints them.
pub fn center_urls(public_addr: &str, center_id: CenterId) -> [String; 3] {
    let base = format!("https://{public_addr}/c/{center_id}");
    [
        format!("{base}/"),
        format!("{base}/helper/linux"),
        format!("{base}/helper/windows"),
    ]
}

/// What the download server needs from the relay.
#[derive(Debug)]
pub(crate) struct DownloadState {
    pub store: Store,
    pub helper_dir: Option<PathBuf>,
    pub cert: CertificateDer<'static>,
    pub key: PrivateKeyDer<'static>,
    pub fingerprint: Fingerprint,
    /// `host:port` written into trailers; `None`: the request's Host with the QUIC port.
    pub public_addr: Option<String>,
    pub quic_port: u16,
}

/// The TLS configuration of the download server: the relay's certificate, HTTP/1.1.
///
/// Errors: the rustls error if the key does not match the certificate.
pub(crate) fn tls_config(
    cert: CertificateDer<'static>,
    key: PrivateKeyDer<'static>,
) -> Result<Arc<rustls::ServerConfig>, rustls::Error> {
    let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()?
    .with_no_client_auth()
    .with_single_cert(vec![cert], key)?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// Accepts HTTPS connections until `shutdown` resolves.
pub(crate) async fn serve(
    listener: TcpListener,
    tls: Arc<rustls::ServerConfig>,
    state: Arc<DownloadState>,
    shutdown: impl std::future::Future<Output = ()>,
) {
    let acceptor = tokio_rustls::TlsAcceptor::from(tls);
    let slots = Arc::new(Semaphore::new(MAX_HTTP_CONNECTIONS));
    if let Ok(addr) = listener.local_addr() {
        info!(%addr, "helper downloads served over HTTPS");
    }
    tokio::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => accepted,
        };
        let (stream, remote) = match accepted {
            Ok(pair) => pair,
            Err(e) => {
                // E.g. out of file descriptors: back off instead of spinning.
                warn!("HTTPS accept failed: {e}");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let Ok(permit) = slots.clone().try_acquire_owned() else {
            warn!(%remote, MAX_HTTP_CONNECTIONS, "HTTPS connection limit reached, closing");
            continue;
        };
        let acceptor = acceptor.clone();
        let state = state.clone();
        tokio::spawn(async move {
            let _permit = permit;
            let served = tokio::time::timeout(
                MAX_CONNECTION_DURATION,
                serve_connection(acceptor, stream, remote, state),
            );
            if served.await.is_err() {
                debug!(%remote, "HTTPS connection cut after {MAX_CONNECTION_DURATION:?}");
            }
        });
    }
}

async fn serve_connection(
    acceptor: tokio_rustls::TlsAcceptor,
    stream: tokio::net::TcpStream,
    remote: SocketAddr,
    state: Arc<DownloadState>,
) {
    let tls = match tokio::time::timeout(TLS_HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
        Ok(Ok(tls)) => tls,
        Ok(Err(e)) => {
            debug!(%remote, "HTTPS handshake failed: {e}");
            return;
        }
        Err(_) => {
            debug!(%remote, "HTTPS handshake timed out");
            return;
        }
    };
    let service = hyper::service::service_fn(move |req| {
        let state = state.clone();
        async move { Ok::<_, Infallible>(handle(&state, req).await) }
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT)
        .max_buf_size(MAX_REQUEST_HEAD_BYTES)
        .keep_alive(false);
    if let Err(e) = builder
        .serve_connection(hyper_util::rt::TokioIo::new(tls), service)
        .await
    {
        debug!(%remote, "HTTPS connection ended: {e}");
    }
}

/// A response body: a small buffer, or a helper streamed in chunks by a reader task.
pub(crate) enum DownloadBody {
    Full(Full<Bytes>),
    Stream(mpsc::Receiver<Result<Bytes, std::io::Error>>),
}

impl Body for DownloadBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
        match self.get_mut() {
            DownloadBody::Full(full) => Pin::new(full)
                .poll_frame(cx)
                .map(|f| f.map(|r| r.map_err(|never| match never {}))),
            DownloadBody::Stream(rx) => rx
                .poll_recv(cx)
                .map(|chunk| chunk.map(|r| r.map(Frame::data))),
        }
    }
}

fn text(status: StatusCode, body: impl Into<String>) -> Response<DownloadBody> {
    let mut resp = Response::new(DownloadBody::Full(Full::new(Bytes::from(body.into()))));
    *resp.status_mut() = status;
    resp.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    resp
}

enum Route {
    Page(CenterId),
    Helper(CenterId, HelperOs),
}

fn route(path: &str) -> Option<Route> {
    let rest = path.strip_prefix("/c/")?;
    let mut parts = rest.splitn(2, '/');
    let center_id: CenterId = parts.next()?.parse().ok()?;
    match parts.next().unwrap_or("") {
        "" => Some(Route::Page(center_id)),
        "helper/linux" => Some(Route::Helper(center_id, HelperOs::Linux)),
        "helper/windows" => Some(Route::Helper(center_id, HelperOs::Windows)),
        _ => None,
    }
}

/// Answers one request; every failure is a response, never a panic or an error.
pub(crate) async fn handle<B>(state: &DownloadState, req: Request<B>) -> Response<DownloadBody> {
    let head_only = req.method() == Method::HEAD;
    if req.method() != Method::GET && !head_only {
        let mut resp = text(
            StatusCode::METHOD_NOT_ALLOWED,
            "only GET and HEAD are served\n",
        );
        resp.headers_mut()
            .insert(ALLOW, HeaderValue::from_static("GET, HEAD"));
        return resp;
    }
    let Some(route) = route(req.uri().path()) else {
        return text(
            StatusCode::NOT_FOUND,
            "not found: helper downloads are at /c/<center ID>/\n",
        );
    };
    let center_id = match route {
        Route::Page(id) | Route::Helper(id, _) => id,
    };
    let center = if is_valid_center_id(center_id) {
        state.store.center(center_id).await
    } else {
        Ok(None)
    };
    let center = match center {
        Ok(Some(c)) => c,
        Ok(None) => {
            return text(
                StatusCode::NOT_FOUND,
                format!("unknown center {center_id}\n"),
            )
        }
        Err(e) => {
            warn!(%center_id, "helper download: {e}");
            return text(StatusCode::INTERNAL_SERVER_ERROR, "storage error\n");
        }
    };
    let branding = match state.store.branding(center_id).await {
        Ok(b) => b,
        Err(e) => {
            warn!(%center_id, "helper download: branding unreadable: {e}");
            None
        }
    };
    let mut resp = match route {
        Route::Page(_) => page(state, center_id, &center.name, branding.as_ref()),
        Route::Helper(_, os) => {
            let host = req
                .headers()
                .get(HOST)
                .and_then(|h| h.to_str().ok())
                .map(str::to_owned);
            helper(state, center_id, os, branding, host.as_deref(), head_only).await
        }
    };
    if head_only {
        *resp.body_mut() = DownloadBody::Full(Full::new(Bytes::new()));
    }
    resp
}

fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn page(
    state: &DownloadState,
    center_id: CenterId,
    center_name: &str,
    branding: Option<&Branding>,
) -> Response<DownloadBody> {
    let title = branding
        .map(|b| b.product_name.as_str())
        .filter(|n| !n.is_empty())
        .unwrap_or(center_name);
    let color = branding
        .and_then(|b| b.primary)
        .map_or_else(|| "#2A6FDB".to_owned(), |c| c.to_string());
    let available = |os: HelperOs| {
        state
            .helper_dir
            .as_ref()
            .is_some_and(|d| d.join(os.file_name()).is_file())
    };
    let mut links = String::new();
    for os in [HelperOs::Windows, HelperOs::Linux] {
        let path = match os {
            HelperOs::Linux => "linux",
            HelperOs::Windows => "windows",
        };
        if available(os) {
            links.push_str(&format!(
                "<li><a href=\"helper/{path}\">下载 {label} 版 · Download for {label}</a></li>\n",
                label = os.label()
            ));
        }
    }
    if links.is_empty() {
        links.push_str("<li>暂无可下载的客户端 · No helper available yet</li>\n");
    }
    let body = format!(
        "<!doctype html>\n<html><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width\">\
         <title>{title}</title>\
         <style>body{{font-family:sans-serif;max-width:36em;margin:3em auto;padding:0 1em}}\
         h1{{color:{color}}}a{{color:{color}}}</style></head>\n<body>\
         <h1>{title}</h1>\n<p>{center} ({center_id})</p>\n\
         <p>下载并运行客户端，即可联系客服，无需安装或设置。<br>\
         Download and run the helper to reach support: nothing to install or configure.</p>\n\
         <ul>\n{links}</ul>\n<p><small>证书指纹 · Certificate fingerprint: <code>{fp}</code>\
         </small></p>\n</body></html>\n",
        title = html_escape(title),
        center = html_escape(center_name),
        fp = state.fingerprint,
    );
    let mut resp = Response::new(DownloadBody::Full(Full::new(Bytes::from(body))));
    resp.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    resp
}

/// `host:port` of the relay for the trailer: the configured public address, else the host the
/// customer used to reach this server with the relay's QUIC port.
fn relay_addr(state: &DownloadState, host: Option<&str>) -> Option<String> {
    if let Some(addr) = &state.public_addr {
        return Some(addr.clone());
    }
    let host = host?;
    let ok = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']');
    if host.is_empty() || host.len() > 255 || !host.chars().all(ok) {
        return None;
    }
    let name = if let Some(end) = host.find(']') {
        &host[..=end]
    } else {
        host.rsplit_once(':').map_or(host, |(h, _)| h)
    };
    Some(format!("{name}:{}", state.quic_port))
}

/// ASCII-only fallback and RFC 5987 UTF-8 file name for Content-Disposition.
fn disposition(product_name: &str, center_id: CenterId, os: HelperOs) -> String {
    let ext = match os {
        HelperOs::Linux => "",
        HelperOs::Windows => ".exe",
    };
    let base: String = product_name
        .chars()
        .filter(|c| {
            !c.is_control() && !matches!(c, '/' | '\\' | '"' | ':' | '*' | '?' | '<' | '>' | '|')
        })
        .collect::<String>()
        .trim()
        .replace(' ', "-");
    let base = if base.is_empty() {
        "porpoise-helper".to_owned()
    } else {
        base
    };
    let utf8 = format!("{base}-{center_id}{ext}");
    let mut encoded = String::new();
    for b in utf8.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_') {
            encoded.push(b as char);
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    format!("attachment; filename=\"porpoise-helper-{center_id}{ext}\"; filename*=UTF-8''{encoded}")
}

async fn helper(
    state: &DownloadState,
    center_id: CenterId,
    os: HelperOs,
    branding: Option<Branding>,
    host: Option<&str>,
    head_only: bool,
) -> Response<DownloadBody> {
    let missing = || {
        text(
            StatusCode::NOT_FOUND,
            format!(
                "this relay offers no {} helper: {} is missing from its helper folder\n",
                os.label(),
                os.file_name()
            ),
        )
    };
    let Some(dir) = &state.helper_dir else {
        return missing();
    };
    let path = dir.join(os.file_name());
    let Some(relay_addr) = relay_addr(state, host) else {
        return text(
            StatusCode::BAD_REQUEST,
            "a Host header naming the relay is required\n",
        );
    };
    let product_name = branding
        .as_ref()
        .map(|b| b.product_name.clone())
        .unwrap_or_default();
    let config = EmbeddedConfig {
        relay_addr,
        fingerprint: state.fingerprint.0,
        center_id,
        branding,
    };
    let trailer = match trailer::build(&config, &state.cert, &state.key) {
        Ok(t) => t,
        Err(e) => {
            warn!(%center_id, "cannot build the configuration trailer: {e}");
            return text(StatusCode::INTERNAL_SERVER_ERROR, format!("{e}\n"));
        }
    };
    let (file, content_len) = match open_helper(&path).await {
        Ok(Some(pair)) => pair,
        Ok(None) => return missing(),
        Err(e) => {
            warn!(path = %path.display(), "cannot read the helper: {e}");
            return text(
                StatusCode::INTERNAL_SERVER_ERROR,
                "cannot read the helper file\n",
            );
        }
    };
    let total = content_len + trailer.len() as u64;
    let body = if head_only {
        DownloadBody::Full(Full::new(Bytes::new()))
    } else {
        let (tx, rx) = mpsc::channel(CHUNKS_AHEAD);
        tokio::spawn(stream_file(file, content_len, trailer, tx));
        DownloadBody::Stream(rx)
    };
    info!(%center_id, os = os.label(), bytes = total, "helper download");
    let mut resp = Response::new(body);
    let headers = resp.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    headers.insert(CONTENT_LENGTH, HeaderValue::from(total));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(v) = HeaderValue::from_str(&disposition(&product_name, center_id, os)) {
        headers.insert(CONTENT_DISPOSITION, v);
    }
    resp
}

/// Opens the helper and measures it without a trailer it may already carry. `None`: no file.
async fn open_helper(path: &Path) -> std::io::Result<Option<(tokio::fs::File, u64)>> {
    let std_file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let (std_file, len) = tokio::task::spawn_blocking(move || {
        let mut f = std_file;
        let len = trailer::content_len(&mut f)?;
        Ok::<_, std::io::Error>((f, len))
    })
    .await
    .map_err(std::io::Error::other)??;
    let mut file = tokio::fs::File::from_std(std_file);
    file.seek(SeekFrom::Start(0)).await?;
    Ok(Some((file, len)))
}

/// Sends `len` bytes of `file` then `trailer` in chunks; stops when the client goes away.
async fn stream_file(
    mut file: tokio::fs::File,
    len: u64,
    trailer: Vec<u8>,
    tx: mpsc::Sender<Result<Bytes, std::io::Error>>,
) {
    let mut left = len;
    while left > 0 {
        let want = usize::try_from(left).map_or(CHUNK_BYTES, |l| l.min(CHUNK_BYTES));
        let mut buf = vec![0u8; want];
        if let Err(e) = file.read_exact(&mut buf).await {
            let _ = tx.send(Err(e)).await;
            return;
        }
        left -= want as u64;
        if tx.send(Ok(Bytes::from(buf))).await.is_err() {
            return;
        }
    }
    let _ = tx.send(Ok(Bytes::from(trailer))).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes() {
        assert!(matches!(
            route("/c/8000001/"),
            Some(Route::Page(CenterId(8_000_001)))
        ));
        assert!(matches!(
            route("/c/8000001"),
            Some(Route::Page(CenterId(8_000_001)))
        ));
        assert!(matches!(
            route("/c/8000001/helper/windows"),
            Some(Route::Helper(CenterId(8_000_001), HelperOs::Windows))
        ));
        assert!(route("/c/8000001/helper/mac").is_none());
        assert!(route("/c/abc/").is_none());
        assert!(route("/").is_none());
        assert!(route("/c/8000001/../../etc/passwd").is_none());
    }

    #[test]
    fn file_names_are_branded_and_safe() {
        let d = disposition("海豚 远程/协助", CenterId(8_000_001), HelperOs::Windows);
        assert!(
            d.starts_with("attachment; filename=\"porpoise-helper-8000001.exe\""),
            "{d}"
        );
        assert!(d.contains("filename*=UTF-8''%E6%B5%B7"), "{d}");
        assert!(!d.contains('/'));
        assert!(d.ends_with("-8000001.exe"), "{d}");
        let plain = disposition("", CenterId(8_000_001), HelperOs::Linux);
        assert!(plain.ends_with("UTF-8''porpoise-helper-8000001"), "{plain}");
    }
}
