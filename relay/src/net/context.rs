//! The customer context lookup (A18, R17): the relay POSTs a [`ContextQuery`] to the center's
//! [`ContextEndpoint`] and reads a [`ContextReply`].
//!
//! The call is blocking (ureq) and runs on tokio's blocking pool, never on the driver task. It
//! is bounded by the endpoint's timeout (the whole request), [`MAX_CONTEXT_RESPONSE_BYTES`] of
//! body and [`MAX_CONTEXT_ITEMS`] items; redirects are not followed. The bearer token is sent
//! only in the `Authorization` header and never logged.

use std::time::Duration;

use porpoise_protocol::wire::{
    ContextEndpoint, ContextItem, ContextQuery, ContextReply, MAX_CONTEXT_ITEMS,
    MAX_CONTEXT_RESPONSE_BYTES,
};

/// Why a context lookup failed; the text is shown to the agent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ContextError {
    /// The endpoint did not answer within its timeout.
    #[error("the context service did not answer within {0} ms")]
    Timeout(u32),
    /// The endpoint answered with another status than 200.
    #[error("the context service answered HTTP {0}")]
    Status(u16),
    /// The body is larger than [`MAX_CONTEXT_RESPONSE_BYTES`].
    #[error("the context service's answer is larger than {MAX_CONTEXT_RESPONSE_BYTES} bytes")]
    TooLarge,
    /// The body is not the documented JSON, or has too many items.
    #[error("the context service's answer is not valid: {0}")]
    Malformed(String),
    /// The endpoint could not be reached (DNS, connection, TLS).
    #[error("the context service cannot be reached: {0}")]
    Unreachable(String),
}

impl ContextError {
    /// The code sent to the agent (the detail stays in the relay's log).
    pub fn failure(&self) -> porpoise_protocol::wire::ContextFailure {
        use porpoise_protocol::wire::ContextFailure;
        match self {
            ContextError::Timeout(ms) => ContextFailure::Timeout { timeout_ms: *ms },
            ContextError::Status(code) => ContextFailure::Status { code: *code },
            ContextError::TooLarge => ContextFailure::TooLarge,
            ContextError::Malformed(_) => ContextFailure::Malformed,
            ContextError::Unreachable(_) => ContextFailure::Unreachable,
        }
    }
}

/// Asks `endpoint` about the customer in `query` (blocking; see the module docs). Without
/// `allow_private`, an endpoint on a loopback or private address is refused
/// ([`crate::outbound`]).
///
/// Errors: [`ContextError`] for a timeout, a non-200 status, an oversized or malformed body,
/// or an unreachable (or refused) endpoint.
pub fn fetch_context(
    endpoint: &ContextEndpoint,
    query: &ContextQuery,
    allow_private: bool,
) -> Result<Vec<ContextItem>, ContextError> {
    // A refused destination looks like any unreachable one to the agent (no port scanning
    // through the relay); the reason is in the relay's log.
    crate::outbound::check_destination(&endpoint.url, allow_private)
        .map_err(|refusal| ContextError::Unreachable(refusal.to_string()))?;
    let timeout = Duration::from_millis(u64::from(endpoint.timeout_ms));
    let config = ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .http_status_as_error(false)
        .max_redirects(0)
        .build();
    let agent = crate::outbound::agent(config, allow_private);
    let body = serde_json::to_vec(query).map_err(|e| ContextError::Malformed(e.to_string()))?;
    let mut request = agent
        .post(endpoint.url.as_str())
        .header("Content-Type", "application/json")
        .header("Accept", "application/json");
    if !endpoint.bearer_token.is_empty() {
        request = request.header("Authorization", format!("Bearer {}", endpoint.bearer_token));
    }
    let map = |e: ureq::Error| match e {
        ureq::Error::Timeout(_) => ContextError::Timeout(endpoint.timeout_ms),
        ureq::Error::BodyExceedsLimit(_) => ContextError::TooLarge,
        ureq::Error::StatusCode(code) => ContextError::Status(code),
        ureq::Error::Io(e) if e.kind() == std::io::ErrorKind::TimedOut => {
            ContextError::Timeout(endpoint.timeout_ms)
        }
        other => ContextError::Unreachable(other.to_string()),
    };
    let mut response = request.send(&body[..]).map_err(map)?;
    let status = response.status().as_u16();
    if status != 200 {
        return Err(ContextError::Status(status));
    }
    let bytes = response
        .body_mut()
        .with_config()
        .limit(MAX_CONTEXT_RESPONSE_BYTES)
        .read_to_vec()
        .map_err(map)?;
    parse_reply(&bytes)
}

/// Parses a context reply body.
///
/// Errors: [`ContextError::Malformed`] for invalid JSON, a missing `items` list or more than
/// [`MAX_CONTEXT_ITEMS`] items.
pub fn parse_reply(bytes: &[u8]) -> Result<Vec<ContextItem>, ContextError> {
    let reply: ContextReply =
        serde_json::from_slice(bytes).map_err(|e| ContextError::Malformed(e.to_string()))?;
    if reply.items.len() > MAX_CONTEXT_ITEMS {
        return Err(ContextError::Malformed(format!(
            "{} items, at most {MAX_CONTEXT_ITEMS} are allowed",
            reply.items.len()
        )));
    }
    Ok(reply.items)
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};
    use std::net::TcpListener;

    use super::*;
    use porpoise_protocol::wire::{CenterId, SessionId};

    /// Serves one HTTP request with `status` and `body` after `delay`; returns the URL and a
    /// handle giving the request's head.
    fn serve_once(
        status: u16,
        body: Vec<u8>,
        delay: Duration,
    ) -> (String, std::thread::JoinHandle<String>) {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!("http://{}/context", listener.local_addr().expect("addr"));
        let handle = std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().expect("accept");
            let mut buf = vec![0u8; 16 * 1024];
            let mut head = Vec::new();
            // The head, then the body up to its Content-Length.
            while let Ok(n) = stream.read(&mut buf) {
                if n == 0 {
                    break;
                }
                head.extend_from_slice(&buf[..n]);
                let text = String::from_utf8_lossy(&head).to_ascii_lowercase();
                if let Some(end) = text.find("\r\n\r\n") {
                    let len = text
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length:"))
                        .and_then(|v| v.trim().parse::<usize>().ok())
                        .unwrap_or(0);
                    if head.len() >= end + 4 + len {
                        break;
                    }
                }
            }
            std::thread::sleep(delay);
            let reply = format!(
                "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
                 Connection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(reply.as_bytes());
            let _ = stream.write_all(&body);
            String::from_utf8_lossy(&head).into_owned()
        });
        (url, handle)
    }

    fn endpoint(url: String, timeout_ms: u32) -> ContextEndpoint {
        ContextEndpoint {
            url,
            bearer_token: "tok-123".into(),
            timeout_ms,
        }
    }

    fn query() -> ContextQuery {
        ContextQuery {
            center_id: CenterId(8_000_001),
            session_id: SessionId(4),
            customer_name: "张三".into(),
            customer_phone: "13800000000".into(),
        }
    }

    #[test]
    fn reads_items_and_sends_token_and_customer() {
        let body = r#"{"items":[{"title":"订单 1","fields":[{"label":"状态","value":"已发货"}],
                     "text":"订单 1 已发货"},{"title":"订单 2"}]}"#;
        let (url, server) = serve_once(200, body.as_bytes().to_vec(), Duration::ZERO);
        let items = fetch_context(&endpoint(url, 3_000), &query(), true).expect("items");
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].fields[0].value, "已发货");
        assert_eq!(items[1].text, "");
        let head = server.join().expect("server");
        assert!(head.starts_with("POST /context"), "{head}");
        assert!(head.contains("Bearer tok-123"), "{head}");
        assert!(head.contains("13800000000"), "{head}");
    }

    #[test]
    fn errors_are_clear() {
        let (url, _s) = serve_once(500, b"oops".to_vec(), Duration::ZERO);
        let err = fetch_context(&endpoint(url, 3_000), &query(), true).expect_err("an error");
        assert_eq!(err, ContextError::Status(500));

        let (url, _s) = serve_once(200, b"{not json".to_vec(), Duration::ZERO);
        let err = fetch_context(&endpoint(url, 3_000), &query(), true).expect_err("an error");
        assert!(matches!(err, ContextError::Malformed(_)), "{err}");

        let mut big = br#"{"items":[{"title":""#.to_vec();
        big.resize(MAX_CONTEXT_RESPONSE_BYTES as usize + 10, b'x');
        big.extend_from_slice(br#""}]}"#);
        let (url, _s) = serve_once(200, big, Duration::ZERO);
        let err = fetch_context(&endpoint(url, 3_000), &query(), true).expect_err("an error");
        assert_eq!(err, ContextError::TooLarge);

        let (url, _s) = serve_once(200, b"{}".to_vec(), Duration::from_millis(800));
        let err = fetch_context(&endpoint(url, 200), &query(), true).expect_err("an error");
        assert_eq!(err, ContextError::Timeout(200));
    }

    #[test]
    fn too_many_items_is_malformed() {
        let items: Vec<String> = (0..=MAX_CONTEXT_ITEMS)
            .map(|i| format!(r#"{{"title":"{i}"}}"#))
            .collect();
        let body = format!(r#"{{"items":[{}]}}"#, items.join(","));
        assert!(matches!(
            parse_reply(body.as_bytes()),
            Err(ContextError::Malformed(_))
        ));
    }
}
