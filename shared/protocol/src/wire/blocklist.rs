//! The center's blocklist (R16, 黑名单): customers blocked by helper install ID or by address
//! (an IPv6 address is blocked as its /64 network, where one home or phone moves within).

use std::net::{IpAddr, Ipv6Addr};

use serde::{Deserialize, Serialize};

use super::{InstallId, SessionId, UnixMs};

super::id_type! {
    /// Relay-assigned id of a blocklist entry.
    BlockId(u64);
}

/// Longest reason of a block, in bytes.
pub const MAX_BLOCK_REASON_BYTES: usize = 512;
/// Most live blocks in one center.
pub const MAX_BLOCKS_PER_CENTER: usize = 10_000;
/// Bits of an IPv6 address that a block covers (its /64 network).
pub const IPV6_BLOCK_PREFIX_BITS: u32 = 64;

/// What a block matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum BlockTarget {
    /// One helper installation.
    Install(InstallId),
    /// An IPv4 address, or an IPv6 /64 network (stored with its host bits zero, see
    /// [`BlockTarget::address`]).
    Address(IpAddr),
}

impl BlockTarget {
    /// The target for a client address: IPv4 as it is, IPv6 as its /64 network (an
    /// IPv4-mapped IPv6 address counts as the IPv4 address).
    pub fn address(ip: IpAddr) -> BlockTarget {
        BlockTarget::Address(block_network(ip))
    }

    /// True if a client with `install_id` connecting from `ip` is matched.
    pub fn matches(&self, install_id: InstallId, ip: IpAddr) -> bool {
        match self {
            BlockTarget::Install(id) => *id == install_id,
            BlockTarget::Address(net) => *net == block_network(ip),
        }
    }
}

impl std::fmt::Display for BlockTarget {
    /// `install <32 hex digits>`, `203.0.113.9` or `2001:db8:1:2::/64`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BlockTarget::Install(id) => write!(f, "install {:032x}", id.0),
            BlockTarget::Address(IpAddr::V4(v4)) => write!(f, "{v4}"),
            BlockTarget::Address(IpAddr::V6(v6)) => {
                write!(f, "{v6}/{IPV6_BLOCK_PREFIX_BITS}")
            }
        }
    }
}

/// The network a block on `ip` covers: IPv4 unchanged, IPv6 with the low 64 bits cleared.
pub fn block_network(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(v4) => IpAddr::V4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let bits = u128::from(v6) & !((1u128 << (128 - IPV6_BLOCK_PREFIX_BITS)) - 1);
                IpAddr::V6(Ipv6Addr::from(bits))
            }
        },
    }
}

/// One blocklist entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockRule {
    /// Id.
    pub block_id: BlockId,
    /// What it matches.
    pub target: BlockTarget,
    /// Why (the center's own words).
    pub reason: String,
    /// When it was made, unix ms.
    pub created_at: UnixMs,
    /// When it ends, unix ms; `None` = until removed.
    pub expires_at: Option<UnixMs>,
    /// Who made it (display name).
    pub created_by: String,
}

impl BlockRule {
    /// True if the rule is in force at `now_ms`.
    pub fn live(&self, now_ms: UnixMs) -> bool {
        self.expires_at.is_none_or(|end| end > now_ms)
    }
}

/// How an agent blocks the customer of a session (R16: from the session tab).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum BlockBy {
    /// The customer's helper installation.
    Install,
    /// The address the customer connects from (IPv6: its /64).
    Address,
}

/// Where a session's customer is blocked from: the session and how.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionBlock {
    /// The session whose customer is blocked.
    pub session_id: SessionId,
    /// By installation or by address.
    pub by: BlockBy,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_blocks_cover_the_64_and_mapped_ipv4_counts_as_ipv4() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().expect("ip");
        let b: IpAddr = "2001:db8:1:2:ffff::9".parse().expect("ip");
        let c: IpAddr = "2001:db8:1:3::1".parse().expect("ip");
        let t = BlockTarget::address(a);
        assert!(t.matches(InstallId(1), b));
        assert!(!t.matches(InstallId(1), c));
        assert_eq!(t.to_string(), "2001:db8:1:2::/64");
        let v4: IpAddr = "203.0.113.9".parse().expect("ip");
        let mapped: IpAddr = "::ffff:203.0.113.9".parse().expect("ip");
        assert!(BlockTarget::address(v4).matches(InstallId(1), mapped));
        assert!(BlockTarget::Install(InstallId(7)).matches(InstallId(7), v4));
    }
}
