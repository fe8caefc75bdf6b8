//! The customer's region for region routing (R7): the ISO 3166-1 alpha-2 country of their
//! address, from the `iptocc` table embedded in the relay (the five RIRs' delegated statistics;
//! no network lookup, no data file to install). Pure: a table lookup, no I/O.
//!
//! An IPv4-mapped IPv6 address counts as its IPv4 address. Loopback, private, link-local and
//! other unallocated addresses have no region.

use std::net::IpAddr;

/// The region of a client at `ip`, upper case (`CN`), or `None` when unknown.
pub fn region_of(ip: IpAddr) -> Option<String> {
    let ip = match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
        v4 => v4,
    };
    iptocc::country_code(ip).map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn well_known_addresses_have_their_registry_country() {
        let at = |s: &str| region_of(s.parse().expect("ip"));
        // 114.114.114.114: APNIC → CN; 8.8.8.8: ARIN → US; 193.0.0.0/21: RIPE NCC, NL.
        assert_eq!(at("114.114.114.114").as_deref(), Some("CN"));
        assert_eq!(at("8.8.8.8").as_deref(), Some("US"));
        assert_eq!(at("::ffff:114.114.114.114").as_deref(), Some("CN"));
        assert_eq!(at("193.0.6.139").as_deref(), Some("NL"));
        assert_eq!(at("2001:da8::1").as_deref(), Some("CN"), "CERNET IPv6");
        for local in ["127.0.0.1", "10.1.2.3", "192.168.1.1", "::1", "fe80::1"] {
            assert_eq!(at(local), None, "{local}");
        }
    }
}
