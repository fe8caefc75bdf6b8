//! Where the relay's own HTTP requests may go. Context lookups (A18) and webhooks (R17) are
//! aimed by center admins, so an admin must not be able to point them at the relay's own host
//! or network (loopback, private, link-local, carrier-grade NAT, unique-local addresses…) and
//! use the relay to reach or scan it (issue 14). The relay's operator may allow such addresses
//! (`RelayConfig::allow_private_outbound`, `--allow-private-outbound`) for an intranet service.
//!
//! The check resolves the URL's host and refuses it if any address is not public; it runs on
//! the blocking pool just before the request (and gives the reason for the logs). The request
//! itself goes through [`agent`], whose resolver checks again the very addresses it connects
//! to, so a DNS answer that changes between the check and the connection (rebinding) is
//! refused too. (ureq's resolver hook is in its `unversioned` module; `Cargo.lock` pins the
//! version.)

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, ToSocketAddrs};

/// Why an outbound request was not made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OutboundRefusal {
    /// Not an `http://` or `https://` URL with a host.
    #[error("not an http(s) URL with a host")]
    BadUrl,
    /// The host did not resolve.
    #[error("the host does not resolve")]
    NoAddress,
    /// The host resolves to an address on the relay's own host or a private network.
    #[error("{0} is not a public address (the relay's operator may allow private addresses)")]
    NotPublic(IpAddr),
}

/// True if `ip` is a public unicast address (not loopback, private, link-local, shared
/// (100.64/10), unspecified, broadcast, multicast, documentation, unique-local or an
/// IPv4-mapped/compatible form of those).
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public_v4(v4);
            }
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00 // unique local fc00::/7
                || (first & 0xffc0) == 0xfe80 // link-local fe80::/10
                || (first == 0x2001 && v6.segments()[1] == 0x0db8) // documentation
                || v6 == Ipv6Addr::from(1u128)
                || (v6.segments()[..6] == [0; 6])) // IPv4-compatible ::a.b.c.d
        }
    }
}

fn is_public_v4(v4: Ipv4Addr) -> bool {
    let [a, b, ..] = v4.octets();
    !(v4.is_loopback()
        || v4.is_private()
        || v4.is_link_local()
        || v4.is_unspecified()
        || v4.is_broadcast()
        || v4.is_multicast()
        || v4.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // shared address space 100.64/10
        || (a == 192 && b == 0 && v4.octets()[2] == 0) // IETF protocol assignments
        || a >= 240) // reserved
}

/// An HTTP agent with `config` whose name resolution refuses any host with a non-public
/// address unless `allow_private` (the error is ureq's `HostNotFound`, like a name that does
/// not resolve: no difference a port scan could read).
pub fn agent(config: ureq::config::Config, allow_private: bool) -> ureq::Agent {
    ureq::Agent::with_parts(
        config,
        ureq::unversioned::transport::DefaultConnector::new(),
        PublicOnly {
            allow_private,
            inner: ureq::unversioned::resolver::DefaultResolver::default(),
        },
    )
}

/// The resolver of [`agent`].
#[derive(Debug)]
struct PublicOnly {
    allow_private: bool,
    inner: ureq::unversioned::resolver::DefaultResolver,
}

impl ureq::unversioned::resolver::Resolver for PublicOnly {
    fn resolve(
        &self,
        uri: &ureq::http::Uri,
        config: &ureq::config::Config,
        timeout: ureq::unversioned::transport::NextTimeout,
    ) -> Result<ureq::unversioned::resolver::ResolvedSocketAddrs, ureq::Error> {
        let addresses = self.inner.resolve(uri, config, timeout)?;
        if !self.allow_private && addresses.iter().any(|a| !is_public(a.ip())) {
            tracing::warn!(host = ?uri.host(), "outbound request to a non-public address refused");
            return Err(ureq::Error::HostNotFound);
        }
        Ok(addresses)
    }
}

/// Checks that `url` may be requested: with `allow_private`, any resolvable http(s) host;
/// otherwise only hosts whose every address is public. Blocking (DNS); call it on the
/// blocking pool.
///
/// Errors: [`OutboundRefusal`].
pub fn check_destination(url: &str, allow_private: bool) -> Result<(), OutboundRefusal> {
    let uri: ureq::http::Uri = url.parse().map_err(|_| OutboundRefusal::BadUrl)?;
    let default_port = match uri.scheme_str() {
        Some("https") => 443,
        Some("http") => 80,
        _ => return Err(OutboundRefusal::BadUrl),
    };
    let host = uri.host().ok_or(OutboundRefusal::BadUrl)?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if allow_private {
        return Ok(());
    }
    let port = uri.port_u16().unwrap_or(default_port);
    let addresses: Vec<IpAddr> = (host, port)
        .to_socket_addrs()
        .map_err(|_| OutboundRefusal::NoAddress)?
        .map(|a| a.ip())
        .collect();
    if addresses.is_empty() {
        return Err(OutboundRefusal::NoAddress);
    }
    match addresses.into_iter().find(|ip| !is_public(*ip)) {
        Some(ip) => Err(OutboundRefusal::NotPublic(ip)),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rebinding: whatever the check said before, the agent itself refuses a host that
    /// resolves to loopback at connection time (and allows it when the operator does).
    #[test]
    fn the_agent_refuses_private_addresses_when_it_connects() {
        let config = || {
            ureq::Agent::config_builder()
                .timeout_global(Some(std::time::Duration::from_secs(2)))
                .build()
        };
        let refused = agent(config(), false).get("http://localhost:9/").call();
        assert!(
            matches!(refused, Err(ureq::Error::HostNotFound)),
            "{refused:?}"
        );
        let allowed = agent(config(), true).get("http://127.0.0.1:9/").call();
        assert!(
            !matches!(allowed, Err(ureq::Error::HostNotFound)),
            "resolved, then the connection fails: {allowed:?}"
        );
    }

    #[test]
    fn private_and_special_addresses_are_not_public() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "224.0.0.1",
            "::1",
            "::",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::127.0.0.1",
        ] {
            assert!(!is_public(ip.parse().expect("ip")), "{ip}");
        }
        for ip in [
            "8.8.8.8",
            "1.1.1.1",
            "2606:4700:4700::1111",
            "::ffff:8.8.8.8",
        ] {
            assert!(is_public(ip.parse().expect("ip")), "{ip}");
        }
    }

    #[test]
    fn urls_to_the_relays_network_are_refused_unless_allowed() {
        for url in [
            "http://127.0.0.1:8080/x",
            "https://localhost/hook",
            "http://[::1]:9/",
            "http://169.254.169.254/latest/meta-data",
            "http://10.0.0.5/",
        ] {
            assert!(
                matches!(
                    check_destination(url, false),
                    Err(OutboundRefusal::NotPublic(_))
                ),
                "{url}"
            );
            assert_eq!(check_destination(url, true), Ok(()), "{url}");
        }
        assert_eq!(
            check_destination("ftp://example.com/", false),
            Err(OutboundRefusal::BadUrl)
        );
        assert_eq!(
            check_destination("http:///nohost", true),
            Err(OutboundRefusal::BadUrl)
        );
    }
}
