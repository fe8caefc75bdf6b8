//! Quotas on what anonymous customers may create (issue 14): helper logins (Hellos), queue
//! entries, offline messages, chat messages and chat pictures, each counted per helper install
//! ID (within its center) and per client IP address (IPv6 per /64, [`super::throttle::ip_key`]).
//!
//! Each quota is a token bucket (GCRA: one "theoretical arrival time" per key) driven by the
//! core's [`Now`](super::Now), so it is deterministic in tests. Over a quota the request is
//! answered `ApiError::Throttled { retry_after_s }` (a Hello: `RefusedReason::Throttled`);
//! nothing is created. The per-connection request rate (`net::REQUESTS_PER_SECOND`) limits one
//! connection; these limits hold across reconnects and across the connections of one address.
//! (`governor` keeps its own clock, which the clock-free core cannot use, hence this small
//! bucket here; the connection tasks do use governor.)

use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::time::{Duration, Instant};

use porpoise_protocol::wire::{CenterId, InstallId};

/// Buckets tracked per quota; when full, idle buckets are dropped, and if every bucket is busy
/// a new key is refused (fail closed) until one empties.
pub const MAX_QUOTA_KEYS: usize = 100_000;

/// A token bucket: `burst` at once, then one per `every`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    /// Requests allowed at once from a full bucket.
    pub burst: u32,
    /// Time to earn one more.
    pub every: Duration,
}

impl Rate {
    /// `count` per `period`, all of them at once from a full bucket.
    pub const fn per(count: u32, period: Duration) -> Rate {
        Rate {
            burst: count,
            every: Duration::from_nanos(period.as_nanos() as u64 / count as u64),
        }
    }
}

/// What a customer creates, each with its own buckets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QuotaKind {
    /// A helper login (Hello).
    Hello,
    /// A queue entry (`RequestService`).
    Ticket,
    /// An offline message (`LeaveOfflineMessage`).
    OfflineMessage,
    /// A chat text (`SendChat`).
    Chat,
    /// A chat picture (`SendChatImage`).
    Picture,
}

/// Per-install and per-IP rates of every [`QuotaKind`]. NAT puts whole offices behind one
/// address, so the per-IP rates are ten times the per-install ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerQuotas {
    /// Hellos per install ID: [`HELLOS_PER_INSTALL`].
    pub hello_install: Rate,
    /// Hellos per IP: [`HELLOS_PER_IP`].
    pub hello_ip: Rate,
    /// Queue entries per install ID: [`TICKETS_PER_INSTALL`].
    pub ticket_install: Rate,
    /// Queue entries per IP: [`TICKETS_PER_IP`].
    pub ticket_ip: Rate,
    /// Offline messages per install ID: [`OFFLINE_MESSAGES_PER_INSTALL`].
    pub offline_install: Rate,
    /// Offline messages per IP: [`OFFLINE_MESSAGES_PER_IP`].
    pub offline_ip: Rate,
    /// Chat texts per install ID: [`CHATS_PER_INSTALL`].
    pub chat_install: Rate,
    /// Chat texts per IP: [`CHATS_PER_IP`].
    pub chat_ip: Rate,
    /// Chat pictures per install ID: [`PICTURES_PER_INSTALL`].
    pub picture_install: Rate,
    /// Chat pictures per IP: [`PICTURES_PER_IP`].
    pub picture_ip: Rate,
}

const MINUTE: Duration = Duration::from_secs(60);
const HOUR: Duration = Duration::from_secs(3600);

/// Helper logins per install ID: 20 a minute (the helper reconnects after 1 s, 2 s, 4 s…).
pub const HELLOS_PER_INSTALL: Rate = Rate::per(20, MINUTE);
/// Helper logins per IP address (IPv6 /64): 200 a minute.
pub const HELLOS_PER_IP: Rate = Rate::per(200, MINUTE);
/// Queue entries per install ID: 6 a minute.
pub const TICKETS_PER_INSTALL: Rate = Rate::per(6, MINUTE);
/// Queue entries per IP address: 60 a minute.
pub const TICKETS_PER_IP: Rate = Rate::per(60, MINUTE);
/// Offline messages per install ID: 5 an hour.
pub const OFFLINE_MESSAGES_PER_INSTALL: Rate = Rate::per(5, HOUR);
/// Offline messages per IP address: 50 an hour.
pub const OFFLINE_MESSAGES_PER_IP: Rate = Rate::per(50, HOUR);
/// Customer chat texts per install ID: 60 a minute (a fast typist sends ~10).
pub const CHATS_PER_INSTALL: Rate = Rate::per(60, MINUTE);
/// Customer chat texts per IP address: 600 a minute.
pub const CHATS_PER_IP: Rate = Rate::per(600, MINUTE);
/// Customer chat pictures per install ID: 10 a minute.
pub const PICTURES_PER_INSTALL: Rate = Rate::per(10, MINUTE);
/// Customer chat pictures per IP address: 100 a minute.
pub const PICTURES_PER_IP: Rate = Rate::per(100, MINUTE);

impl Default for CustomerQuotas {
    fn default() -> Self {
        CustomerQuotas {
            hello_install: HELLOS_PER_INSTALL,
            hello_ip: HELLOS_PER_IP,
            ticket_install: TICKETS_PER_INSTALL,
            ticket_ip: TICKETS_PER_IP,
            offline_install: OFFLINE_MESSAGES_PER_INSTALL,
            offline_ip: OFFLINE_MESSAGES_PER_IP,
            chat_install: CHATS_PER_INSTALL,
            chat_ip: CHATS_PER_IP,
            picture_install: PICTURES_PER_INSTALL,
            picture_ip: PICTURES_PER_IP,
        }
    }
}

impl Rate {
    /// `factor` times as many: the burst and the refill rate multiplied.
    pub fn scaled(self, factor: u32) -> Rate {
        Rate {
            burst: self.burst.saturating_mul(factor.max(1)),
            every: self.every / factor.max(1),
        }
    }
}

impl CustomerQuotas {
    /// Every rate multiplied by `factor` (`--customer-quota-multiplier`).
    pub fn scaled(&self, factor: u32) -> CustomerQuotas {
        CustomerQuotas {
            hello_install: self.hello_install.scaled(factor),
            hello_ip: self.hello_ip.scaled(factor),
            ticket_install: self.ticket_install.scaled(factor),
            ticket_ip: self.ticket_ip.scaled(factor),
            offline_install: self.offline_install.scaled(factor),
            offline_ip: self.offline_ip.scaled(factor),
            chat_install: self.chat_install.scaled(factor),
            chat_ip: self.chat_ip.scaled(factor),
            picture_install: self.picture_install.scaled(factor),
            picture_ip: self.picture_ip.scaled(factor),
        }
    }

    fn rates(&self, kind: QuotaKind) -> (Rate, Rate) {
        match kind {
            QuotaKind::Hello => (self.hello_install, self.hello_ip),
            QuotaKind::Ticket => (self.ticket_install, self.ticket_ip),
            QuotaKind::OfflineMessage => (self.offline_install, self.offline_ip),
            QuotaKind::Chat => (self.chat_install, self.chat_ip),
            QuotaKind::Picture => (self.picture_install, self.picture_ip),
        }
    }
}

/// Whose bucket: a helper installation in a center, or an address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Key {
    Install(QuotaKind, CenterId, InstallId),
    Ip(QuotaKind, IpAddr),
}

/// Keyed GCRA buckets: per key the time at which the bucket would be full again. Also used
/// by the accept loop for new connections per address.
#[derive(Debug)]
pub struct RateTable<K> {
    full_at: HashMap<K, Instant>,
    max_keys: usize,
}

impl<K: Copy + Eq + Hash> RateTable<K> {
    /// An empty table tracking at most `max_keys` keys (idle ones are dropped when full; a new
    /// key while all are busy is refused).
    pub fn new(max_keys: usize) -> Self {
        RateTable {
            full_at: HashMap::new(),
            max_keys,
        }
    }

    /// Takes one token of `key`'s bucket at `rate`; `Err(wait)` when it is empty.
    pub fn take(&mut self, now: Instant, key: K, rate: Rate) -> Result<(), Duration> {
        let window = rate.every * rate.burst;
        let full_at = self.full_at.get(&key).copied().unwrap_or(now).max(now);
        let next = full_at + rate.every;
        if next > now + window {
            return Err(next - (now + window));
        }
        if !self.full_at.contains_key(&key) && self.full_at.len() >= self.max_keys {
            self.full_at.retain(|_, at| *at > now);
            if self.full_at.len() >= self.max_keys {
                return Err(rate.every);
            }
        }
        self.full_at.insert(key, next);
        Ok(())
    }
}

/// The customers' quotas (see the module docs).
#[derive(Debug)]
pub struct Quotas {
    policy: CustomerQuotas,
    buckets: RateTable<Key>,
}

impl Default for Quotas {
    fn default() -> Self {
        Quotas::new(CustomerQuotas::default(), MAX_QUOTA_KEYS)
    }
}

impl Quotas {
    /// Quotas with these rates, tracking at most `max_keys` buckets.
    pub fn new(policy: CustomerQuotas, max_keys: usize) -> Self {
        Quotas {
            policy,
            buckets: RateTable::new(max_keys),
        }
    }

    /// Counts one `kind` by install `install` of `center_id` from address `ip`. Both buckets
    /// must have a token; `Err(retry_after_s)` (at least 1 s) if either is empty, and then
    /// neither is charged.
    pub fn take(
        &mut self,
        now: Instant,
        kind: QuotaKind,
        center_id: CenterId,
        install: InstallId,
        ip: IpAddr,
    ) -> Result<(), u32> {
        let (per_install, per_ip) = self.policy.rates(kind);
        let ip_key = Key::Ip(kind, super::throttle::ip_key(ip));
        let install_key = Key::Install(kind, center_id, install);
        let saved = self.buckets.full_at.get(&install_key).copied();
        self.buckets
            .take(now, install_key, per_install)
            .and_then(|()| {
                self.buckets.take(now, ip_key, per_ip).inspect_err(|_| {
                    // Refund the install's token: nothing was created.
                    match saved {
                        Some(at) => self.buckets.full_at.insert(install_key, at),
                        None => self.buckets.full_at.remove(&install_key),
                    };
                })
            })
            .map_err(|wait| u32::try_from(wait.as_secs() + 1).unwrap_or(u32::MAX))
    }

    /// Buckets tracked now (for tests and metrics).
    pub fn tracked(&self) -> usize {
        self.buckets.full_at.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(last: u8) -> IpAddr {
        IpAddr::from([192, 0, 2, last])
    }

    #[test]
    fn a_burst_then_one_per_interval() {
        let mut q = Quotas::default();
        let t0 = Instant::now();
        let (c, i) = (CenterId(1), InstallId(7));
        for n in 0..TICKETS_PER_INSTALL.burst {
            assert_eq!(
                q.take(t0, QuotaKind::Ticket, c, i, ip(1)),
                Ok(()),
                "ticket {n}"
            );
        }
        let wait = q
            .take(t0, QuotaKind::Ticket, c, i, ip(1))
            .expect_err("over the burst");
        assert_eq!(wait, 11, "one ticket per 10 s, rounded up");
        // Another install, another kind and another center are not charged.
        assert_eq!(
            q.take(t0, QuotaKind::Ticket, c, InstallId(8), ip(1)),
            Ok(())
        );
        assert_eq!(q.take(t0, QuotaKind::Chat, c, i, ip(1)), Ok(()));
        assert_eq!(q.take(t0, QuotaKind::Ticket, CenterId(2), i, ip(1)), Ok(()));
        // After one interval one more is allowed, not two.
        let later = t0 + TICKETS_PER_INSTALL.every;
        assert_eq!(q.take(later, QuotaKind::Ticket, c, i, ip(1)), Ok(()));
        assert!(q.take(later, QuotaKind::Ticket, c, i, ip(1)).is_err());
    }

    #[test]
    fn the_address_is_counted_across_installs_and_an_ipv6_slash_64_is_one_address() {
        let mut q = Quotas::default();
        let t0 = Instant::now();
        let base: u128 = 0x2001_0db8_0000_0001_0000_0000_0000_0000;
        for n in 0..TICKETS_PER_IP.burst {
            let addr = IpAddr::from((base + u128::from(n)).to_be_bytes());
            let got = q.take(
                t0,
                QuotaKind::Ticket,
                CenterId(1),
                InstallId(n.into()),
                addr,
            );
            assert_eq!(got, Ok(()), "install {n}");
        }
        let addr = IpAddr::from((base + 0xffff).to_be_bytes());
        let over = q.take(t0, QuotaKind::Ticket, CenterId(1), InstallId(999), addr);
        assert!(
            over.is_err(),
            "a new install from the same /64 is over the IP quota"
        );
        // Refunded: the install that was refused by the IP bucket still has its own tokens.
        let other_net = IpAddr::from((base + (1 << 64)).to_be_bytes());
        for _ in 0..TICKETS_PER_INSTALL.burst {
            let got = q.take(
                t0,
                QuotaKind::Ticket,
                CenterId(1),
                InstallId(999),
                other_net,
            );
            assert_eq!(got, Ok(()));
        }
    }

    #[test]
    fn a_full_table_drops_idle_buckets_and_refuses_new_keys_while_all_are_busy() {
        let rate = Rate::per(1, Duration::from_secs(10));
        let policy = CustomerQuotas {
            chat_install: rate,
            chat_ip: Rate::per(1000, Duration::from_secs(1)),
            ..CustomerQuotas::default()
        };
        let mut q = Quotas::new(policy, 4);
        let t0 = Instant::now();
        for n in 0..3 {
            assert_eq!(
                q.take(t0, QuotaKind::Chat, CenterId(1), InstallId(n), ip(1)),
                Ok(())
            );
        }
        assert_eq!(q.tracked(), 4, "three installs and one address");
        assert!(q
            .take(t0, QuotaKind::Chat, CenterId(1), InstallId(3), ip(1))
            .is_err());
        let later = t0 + Duration::from_secs(11);
        assert_eq!(
            q.take(later, QuotaKind::Chat, CenterId(1), InstallId(3), ip(1)),
            Ok(())
        );
        assert!(q.tracked() <= 4);
    }
}
