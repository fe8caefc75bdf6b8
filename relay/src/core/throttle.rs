//! Login throttling, sans-IO: failed attempts counted per account and per client address.
//!
//! [`LoginThrottle`] never reads the clock; every call takes the time as an [`Instant`]. The
//! network layer owns one behind a mutex and asks it before running argon2, so a refusal is
//! cheap. The default policy ([`ThrottlePolicy::default`]):
//!
//! - **Per account** `(center ID, username)`: after [`ACCOUNT_MAX_FAILURES`] failures within
//!   [`ACCOUNT_WINDOW`], attempts are refused for [`ACCOUNT_FIRST_LOCKOUT`]. When that lockout
//!   ends the account is on probation for one more [`ACCOUNT_WINDOW`]: a single failure starts
//!   the next lockout, twice as long, up to [`ACCOUNT_MAX_LOCKOUT`]. A successful login clears
//!   the account's record; a quiet probation forgets it.
//! - **Per client address** (an IPv4 address, or the IPv6 /[`IPV6_PREFIX_BITS`] network): after
//!   [`IP_MAX_FAILURES`] failures within [`IP_WINDOW`], attempts are refused for [`IP_LOCKOUT`].
//!   Lookups that reveal which centers exist (a directory or customer Hello naming an unknown
//!   center) count here too.
//!
//! Unknown centers and unknown usernames are failures like wrong passwords, so probing is
//! throttled. A refused attempt is not a failure (waiting out a lockout never extends it).
//! An attempt counts against both limits from [`LoginThrottle::begin`] until its verdict, so
//! parallel connections cannot run more verifications than the limit allows.
//!
//! Memory is bounded: records expire when nothing happened for a window (swept every
//! [`SWEEP_INTERVAL`]), each record holds fewer than the limit's failures, and each of the two
//! maps holds at most [`MAX_TRACKED_KEYS`] keys; when full, the least recently seen records go
//! first, records under lockout last. Usernames are kept only as a keyed 64-bit hash.

use std::collections::{HashMap, VecDeque};
use std::hash::{BuildHasher, Hash, RandomState};
use std::net::{IpAddr, Ipv6Addr};
use std::time::{Duration, Instant};

use porpoise_protocol::wire::CenterId;

/// Failures of one account within [`ACCOUNT_WINDOW`] that start a lockout.
pub const ACCOUNT_MAX_FAILURES: u32 = 5;
/// Sliding window over which an account's failures are counted; also how long probation lasts
/// after a lockout ends.
pub const ACCOUNT_WINDOW: Duration = Duration::from_secs(5 * 60);
/// First lockout of an account (30 s); each lockout during probation doubles it.
pub const ACCOUNT_FIRST_LOCKOUT: Duration = Duration::from_secs(30);
/// Longest lockout of an account (15 min).
pub const ACCOUNT_MAX_LOCKOUT: Duration = Duration::from_secs(15 * 60);
/// Failures from one client address within [`IP_WINDOW`] that start a lockout.
pub const IP_MAX_FAILURES: u32 = 20;
/// Sliding window over which a client address's failures are counted (10 min).
pub const IP_WINDOW: Duration = Duration::from_secs(10 * 60);
/// Lockout of a client address (10 min).
pub const IP_LOCKOUT: Duration = Duration::from_secs(10 * 60);
/// Most accounts, and separately most client addresses, tracked at once.
pub const MAX_TRACKED_KEYS: usize = 100_000;
/// IPv6 clients are counted per network of this prefix length, in bits (one /64 is one site).
pub const IPV6_PREFIX_BITS: u32 = 64;
/// How often expired records are swept out, in time passed to the throttle.
pub const SWEEP_INTERVAL: Duration = Duration::from_secs(60);
/// When a map is full, 1/`EVICT_FRACTION` of it is evicted at once (amortises the scan).
const EVICT_FRACTION: usize = 16;
/// Longest duration a policy may set (one year); longer ones are cut so that `Instant`
/// arithmetic cannot overflow.
const MAX_POLICY_DURATION: Duration = Duration::from_secs(365 * 24 * 60 * 60);

/// Limits of a [`LoginThrottle`]. [`Default`] is the documented policy (see the module docs);
/// tests use smaller limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottlePolicy {
    /// Failures of one account within `account_window` that start a lockout (0 counts as 1).
    pub account_max_failures: u32,
    /// Counting window of an account's failures, and its probation after a lockout.
    pub account_window: Duration,
    /// First lockout of an account.
    pub account_first_lockout: Duration,
    /// Cap of the doubling lockouts of an account.
    pub account_max_lockout: Duration,
    /// Failures from one client address within `ip_window` that start a lockout (0 counts as 1).
    pub ip_max_failures: u32,
    /// Counting window of a client address's failures.
    pub ip_window: Duration,
    /// Lockout of a client address.
    pub ip_lockout: Duration,
    /// Most keys tracked per map (0 counts as 1).
    pub max_tracked_keys: usize,
}

impl Default for ThrottlePolicy {
    fn default() -> Self {
        ThrottlePolicy {
            account_max_failures: ACCOUNT_MAX_FAILURES,
            account_window: ACCOUNT_WINDOW,
            account_first_lockout: ACCOUNT_FIRST_LOCKOUT,
            account_max_lockout: ACCOUNT_MAX_LOCKOUT,
            ip_max_failures: IP_MAX_FAILURES,
            ip_window: IP_WINDOW,
            ip_lockout: IP_LOCKOUT,
            max_tracked_keys: MAX_TRACKED_KEYS,
        }
    }
}

/// Which limit refused an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThrottleScope {
    /// The account's.
    Account,
    /// The client address's.
    Ip,
}

/// A refused attempt: which limit, and how long until an attempt is accepted again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Throttled {
    /// The limit that refused (the longer wait if both did).
    pub scope: ThrottleScope,
    /// Time until the next attempt is accepted.
    pub retry_after: Duration,
}

impl Throttled {
    /// [`Throttled::retry_after`] in whole seconds, rounded up (at least 1), for
    /// `RefusedReason::Throttled`.
    pub fn retry_after_s(&self) -> u32 {
        let d = self.retry_after;
        let secs = d.as_secs().saturating_add(u64::from(d.subsec_nanos() > 0));
        u32::try_from(secs.max(1)).unwrap_or(u32::MAX)
    }
}

/// Key of an account: its center and a keyed hash of its username (never the text, so a long
/// username costs no memory).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AccountKey {
    center_id: CenterId,
    username_hash: u64,
}

/// One attempt as the throttle sees it; made by [`LoginThrottle::login`] or
/// [`LoginThrottle::lookup`] and passed to every call about that attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attempt {
    ip: IpAddr,
    account: Option<AccountKey>,
}

/// The client address as counted: IPv4 (also when mapped into IPv6) or the IPv6 network of
/// [`IPV6_PREFIX_BITS`].
pub fn ip_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let mask = u128::MAX << (128 - IPV6_PREFIX_BITS);
                IpAddr::V6(Ipv6Addr::from(u128::from(v6) & mask))
            }
        },
    }
}

/// How one map counts: its limit, window and lockouts.
#[derive(Debug, Clone, Copy)]
struct Rule {
    max_failures: u32,
    window: Duration,
    first_lockout: Duration,
    max_lockout: Duration,
    /// Probation after a lockout: one failure starts the next, doubled lockout.
    escalating: bool,
    /// Attempts still in flight count as failures (per account: parallel guesses on one
    /// account cannot overshoot). Not per address: an office of agents behind one NAT logs in
    /// at 9:00 all at once, and that is not an attack.
    counts_in_flight: bool,
}

impl Rule {
    /// Length of the lockout after `lockouts` earlier ones.
    fn lockout(&self, lockouts: u32) -> Duration {
        if !self.escalating {
            return self.first_lockout;
        }
        let factor = 1u32 << lockouts.min(31);
        self.first_lockout
            .saturating_mul(factor)
            .min(self.max_lockout)
    }
}

/// What the throttle remembers about one key.
#[derive(Debug)]
struct Record {
    /// Failure times within the window, oldest first; fewer than the limit.
    failures: VecDeque<Instant>,
    /// Attempts begun and not yet settled.
    pending: u32,
    /// End of the latest lockout (kept after it passed, for probation).
    locked_until: Option<Instant>,
    /// Lockouts since the record was created (or last cleared).
    lockouts: u32,
    /// Last begin or failure, for eviction order.
    last_seen: Instant,
}

impl Record {
    fn new(now: Instant) -> Self {
        Record {
            failures: VecDeque::new(),
            pending: 0,
            locked_until: None,
            lockouts: 0,
            last_seen: now,
        }
    }

    fn is_locked(&self, now: Instant) -> bool {
        self.locked_until.is_some_and(|until| now < until)
    }

    /// True when the record says nothing any more: no attempt in flight, no failure in the
    /// window, no lockout and (for escalating rules) no probation.
    fn is_stale(&self, now: Instant, rule: &Rule) -> bool {
        let last_failure = self.failures.back().map(|t| *t + rule.window);
        let probation = if rule.escalating {
            rule.window
        } else {
            Duration::ZERO
        };
        let lock_end = self.locked_until.map(|t| t + probation);
        let expires = last_failure.max(lock_end);
        self.pending == 0 && expires.is_none_or(|at| now >= at)
    }

    /// Refuses with the wait, or accepts.
    fn check(&mut self, now: Instant, rule: &Rule) -> Result<(), Duration> {
        while self
            .failures
            .front()
            .is_some_and(|t| *t + rule.window <= now)
        {
            self.failures.pop_front();
        }
        if let Some(until) = self.locked_until {
            if now < until {
                return Err(until - now);
            }
        }
        let limit = if rule.escalating && self.lockouts > 0 {
            1
        } else {
            rule.max_failures.max(1)
        };
        let counted = u32::try_from(self.failures.len()).unwrap_or(u32::MAX);
        let in_flight = if rule.counts_in_flight {
            self.pending
        } else {
            0
        };
        if counted.saturating_add(in_flight) >= limit {
            // Attempts in flight would reach the limit: wait for the lockout they would start.
            return Err(rule.lockout(self.lockouts));
        }
        Ok(())
    }

    fn fail(&mut self, now: Instant, rule: &Rule) {
        self.pending = self.pending.saturating_sub(1);
        self.last_seen = now;
        if self.is_locked(now) {
            return;
        }
        if !rule.escalating && self.locked_until.is_some() {
            // A plain lockout that has passed leaves nothing behind.
            self.locked_until = None;
            self.lockouts = 0;
        }
        self.failures.push_back(now);
        let limit = if rule.escalating && self.lockouts > 0 {
            1
        } else {
            rule.max_failures.max(1)
        };
        if self.failures.len() >= limit as usize {
            self.locked_until = Some(now + rule.lockout(self.lockouts));
            self.lockouts = self.lockouts.saturating_add(1);
            self.failures.clear();
        }
    }
}

/// The records of one kind of key, bounded in number.
#[derive(Debug)]
struct Tracker<K> {
    rule: Rule,
    records: HashMap<K, Record>,
    max_keys: usize,
    next_sweep: Option<Instant>,
}

impl<K: Copy + Eq + Hash> Tracker<K> {
    fn new(rule: Rule, max_keys: usize) -> Self {
        Tracker {
            rule,
            records: HashMap::new(),
            max_keys: max_keys.max(1),
            next_sweep: None,
        }
    }

    /// Drops expired records every [`SWEEP_INTERVAL`].
    fn sweep(&mut self, now: Instant) {
        if self.next_sweep.is_some_and(|at| now < at) {
            return;
        }
        let rule = self.rule;
        self.records.retain(|_, r| !r.is_stale(now, &rule));
        self.next_sweep = Some(now + SWEEP_INTERVAL);
    }

    fn check(&mut self, now: Instant, key: &K) -> Result<(), Duration> {
        let rule = self.rule;
        match self.records.get_mut(key) {
            Some(r) if r.is_stale(now, &rule) => {
                self.records.remove(key);
                Ok(())
            }
            Some(r) => r.check(now, &rule),
            None => Ok(()),
        }
    }

    /// The record of `key`, created (making room first) if missing.
    fn record(&mut self, now: Instant, key: K) -> &mut Record {
        if !self.records.contains_key(&key) {
            self.make_room(now);
        }
        self.records.entry(key).or_insert_with(|| Record::new(now))
    }

    /// Ensures there is room for one more key: drops expired records, then if still full the
    /// least recently seen ones, records under lockout last.
    fn make_room(&mut self, now: Instant) {
        if self.records.len() < self.max_keys {
            return;
        }
        let rule = self.rule;
        self.records.retain(|_, r| !r.is_stale(now, &rule));
        self.next_sweep = Some(now + SWEEP_INTERVAL);
        if self.records.len() < self.max_keys {
            return;
        }
        let excess = self.records.len() + 1 - self.max_keys;
        let batch = excess
            .max(self.max_keys / EVICT_FRACTION)
            .min(self.records.len());
        let mut order: Vec<((bool, Instant), K)> = self
            .records
            .iter()
            .map(|(k, r)| ((r.is_locked(now), r.last_seen), *k))
            .collect();
        order.select_nth_unstable_by_key(batch - 1, |(rank, _)| *rank);
        for (_, key) in &order[..batch] {
            self.records.remove(key);
        }
    }

    fn begin(&mut self, now: Instant, key: K) {
        let record = self.record(now, key);
        record.pending = record.pending.saturating_add(1);
        record.last_seen = now;
    }

    fn fail(&mut self, now: Instant, key: K) {
        let rule = self.rule;
        self.record(now, key).fail(now, &rule);
    }

    fn release(&mut self, key: &K) {
        if let Some(r) = self.records.get_mut(key) {
            r.pending = r.pending.saturating_sub(1);
        }
    }
}

/// Counts failed logins per account and per client address and refuses attempts over the
/// limits. See the module docs for the policy.
///
/// Use: [`LoginThrottle::begin`] before verifying anything; then exactly one of
/// [`LoginThrottle::fail`], [`LoginThrottle::succeed`] or [`LoginThrottle::abandon`] (no verdict,
/// e.g. a storage error).
#[derive(Debug)]
pub struct LoginThrottle {
    accounts: Tracker<AccountKey>,
    ips: Tracker<IpAddr>,
    hasher: RandomState,
}

impl LoginThrottle {
    /// An empty throttle with these limits.
    pub fn new(policy: ThrottlePolicy) -> Self {
        let cap = |d: Duration| d.min(MAX_POLICY_DURATION);
        let accounts = Rule {
            max_failures: policy.account_max_failures,
            window: cap(policy.account_window),
            first_lockout: cap(policy.account_first_lockout),
            max_lockout: cap(policy.account_max_lockout),
            escalating: true,
            counts_in_flight: true,
        };
        let ips = Rule {
            max_failures: policy.ip_max_failures,
            window: cap(policy.ip_window),
            first_lockout: cap(policy.ip_lockout),
            max_lockout: cap(policy.ip_lockout),
            escalating: false,
            counts_in_flight: false,
        };
        LoginThrottle {
            accounts: Tracker::new(accounts, policy.max_tracked_keys),
            ips: Tracker::new(ips, policy.max_tracked_keys),
            hasher: RandomState::new(),
        }
    }

    /// An agent login from `ip` to `username` of `center_id`: counts for the account and the
    /// address.
    pub fn login(&self, ip: IpAddr, center_id: CenterId, username: &str) -> Attempt {
        let account = AccountKey {
            center_id,
            username_hash: self.hasher.hash_one(username),
        };
        Attempt {
            ip: ip_key(ip),
            account: Some(account),
        }
    }

    /// A center lookup from `ip` (directory or customer Hello): counts for the address only.
    pub fn lookup(&self, ip: IpAddr) -> Attempt {
        Attempt {
            ip: ip_key(ip),
            account: None,
        }
    }

    /// Accepts the attempt (it counts as in flight until settled) or refuses it with the wait
    /// (the longer one if both limits refuse). A refused attempt is not counted.
    ///
    /// Errors: [`Throttled`] while the account or the address is locked out, or while the
    /// attempts in flight would reach its limit.
    pub fn begin(&mut self, now: Instant, attempt: Attempt) -> Result<(), Throttled> {
        self.accounts.sweep(now);
        self.ips.sweep(now);
        let account = match &attempt.account {
            Some(key) => self.accounts.check(now, key).err(),
            None => None,
        };
        let ip = self.ips.check(now, &attempt.ip).err();
        let refusal = match (account, ip) {
            (None, None) => None,
            (Some(a), Some(i)) if i > a => Some((ThrottleScope::Ip, i)),
            (Some(a), _) => Some((ThrottleScope::Account, a)),
            (None, Some(i)) => Some((ThrottleScope::Ip, i)),
        };
        if let Some((scope, retry_after)) = refusal {
            return Err(Throttled { scope, retry_after });
        }
        if let Some(key) = attempt.account {
            self.accounts.begin(now, key);
        }
        self.ips.begin(now, attempt.ip);
        Ok(())
    }

    /// The attempt failed (wrong password, unknown username or center): counts a failure for
    /// the account and the address, which may start a lockout.
    pub fn fail(&mut self, now: Instant, attempt: Attempt) {
        if let Some(key) = attempt.account {
            self.accounts.fail(now, key);
        }
        self.ips.fail(now, attempt.ip);
    }

    /// The attempt succeeded: the account's record is cleared; the address's earlier failures
    /// still count.
    pub fn succeed(&mut self, attempt: Attempt) {
        if let Some(key) = &attempt.account {
            self.accounts.records.remove(key);
        }
        self.ips.release(&attempt.ip);
    }

    /// The attempt ended without a verdict (storage error, connection task gone): it no longer
    /// counts.
    pub fn abandon(&mut self, attempt: Attempt) {
        if let Some(key) = &attempt.account {
            self.accounts.release(key);
        }
        self.ips.release(&attempt.ip);
    }

    /// Keys tracked now: (accounts, client addresses).
    pub fn tracked_keys(&self) -> (usize, usize) {
        (self.accounts.records.len(), self.ips.records.len())
    }
}

#[cfg(test)]
mod tests {
    use std::net::Ipv4Addr;

    use super::*;

    const CENTER: CenterId = CenterId(8_000_001);

    fn ip(last: u8) -> IpAddr {
        IpAddr::V4(Ipv4Addr::new(192, 0, 2, last))
    }

    fn secs(s: u64) -> Duration {
        Duration::from_secs(s)
    }

    /// A throttle with the default policy and a virtual clock.
    struct Clock {
        throttle: LoginThrottle,
        now: Instant,
    }

    impl Clock {
        fn new(policy: ThrottlePolicy) -> Self {
            Clock {
                throttle: LoginThrottle::new(policy),
                now: Instant::now(),
            }
        }

        fn tick(&mut self, d: Duration) {
            self.now += d;
        }

        fn login(&self, from: IpAddr, username: &str) -> Attempt {
            self.throttle.login(from, CENTER, username)
        }

        /// Begins and, if accepted, fails the attempt.
        fn try_fail(&mut self, attempt: Attempt) -> Result<(), Throttled> {
            self.throttle.begin(self.now, attempt)?;
            self.throttle.fail(self.now, attempt);
            Ok(())
        }

        /// Begins and, if accepted, succeeds the attempt.
        fn try_succeed(&mut self, attempt: Attempt) -> Result<(), Throttled> {
            self.throttle.begin(self.now, attempt)?;
            self.throttle.succeed(attempt);
            Ok(())
        }
    }

    #[test]
    fn five_failures_lock_the_account_for_the_first_backoff() {
        let mut c = Clock::new(ThrottlePolicy::default());
        let a = c.login(ip(1), "agent1");
        for _ in 0..ACCOUNT_MAX_FAILURES {
            c.try_fail(a).expect("under the limit");
            c.tick(secs(1));
        }
        // The fifth failure was 1 s ago: 29 s left of 30.
        let refused = c.throttle.begin(c.now, a).expect_err("locked");
        assert_eq!(refused.scope, ThrottleScope::Account);
        assert_eq!(refused.retry_after, secs(29));
        assert_eq!(refused.retry_after_s(), 29);
        // The right password does not help during the lockout, and refusals are not counted.
        assert!(c.try_succeed(a).is_err());
        // Other accounts from the same address are fine.
        c.try_succeed(c.login(ip(1), "agent2"))
            .expect("other account");
    }

    #[test]
    fn after_the_backoff_one_attempt_then_doubled_backoff_capped() {
        let mut c = Clock::new(ThrottlePolicy::default());
        let a = c.login(ip(1), "agent1");
        for _ in 0..ACCOUNT_MAX_FAILURES {
            c.try_fail(a).expect("under the limit");
        }
        let mut expected = ACCOUNT_FIRST_LOCKOUT;
        for _ in 0..8 {
            let refused = c.throttle.begin(c.now, a).expect_err("locked");
            assert_eq!(refused.retry_after, expected);
            c.tick(expected);
            // One attempt at a time on probation; its failure starts the next lockout.
            c.throttle
                .begin(c.now, a)
                .expect("one attempt after the backoff");
            assert!(c.throttle.begin(c.now, a).is_err(), "only one in flight");
            c.throttle.fail(c.now, a);
            expected = (expected * 2).min(ACCOUNT_MAX_LOCKOUT);
        }
        assert_eq!(expected, ACCOUNT_MAX_LOCKOUT);
        let refused = c.throttle.begin(c.now, a).expect_err("locked");
        assert_eq!(refused.retry_after, ACCOUNT_MAX_LOCKOUT);
    }

    #[test]
    fn success_clears_the_account() {
        let mut c = Clock::new(ThrottlePolicy::default());
        let a = c.login(ip(1), "agent1");
        for _ in 0..ACCOUNT_MAX_FAILURES - 1 {
            c.try_fail(a).expect("under the limit");
        }
        c.try_succeed(a).expect("fifth attempt allowed");
        for _ in 0..ACCOUNT_MAX_FAILURES {
            c.try_fail(a).expect("counter was cleared");
        }
        assert!(c.throttle.begin(c.now, a).is_err());
        // After a lockout and a success on probation, the account starts afresh.
        c.tick(ACCOUNT_FIRST_LOCKOUT);
        c.try_succeed(a).expect("after the backoff");
        for _ in 0..ACCOUNT_MAX_FAILURES {
            c.try_fail(a).expect("probation was cleared too");
        }
    }

    #[test]
    fn failures_slide_out_of_the_window_and_probation_ends() {
        let mut c = Clock::new(ThrottlePolicy::default());
        let a = c.login(ip(1), "agent1");
        for _ in 0..ACCOUNT_MAX_FAILURES - 1 {
            c.try_fail(a).expect("under the limit");
        }
        c.tick(ACCOUNT_WINDOW);
        for _ in 0..ACCOUNT_MAX_FAILURES - 1 {
            c.try_fail(a).expect("old failures expired");
        }
        c.try_fail(a).expect("fifth");
        c.tick(ACCOUNT_FIRST_LOCKOUT + ACCOUNT_WINDOW);
        for _ in 0..ACCOUNT_MAX_FAILURES {
            c.try_fail(a).expect("a quiet probation is forgotten");
        }
        let refused = c.throttle.begin(c.now, a).expect_err("locked");
        assert_eq!(refused.retry_after, ACCOUNT_FIRST_LOCKOUT);
    }

    #[test]
    fn the_address_is_limited_across_usernames_and_lookups() {
        let mut c = Clock::new(ThrottlePolicy::default());
        for i in 0..IP_MAX_FAILURES - 1 {
            c.try_fail(c.login(ip(1), &format!("user{i}")))
                .expect("under the limit");
        }
        // Unknown-center lookups count against the address too.
        let lookup = c.throttle.lookup(ip(1));
        c.try_fail(lookup).expect("twentieth");
        c.tick(secs(10));
        let refused = c
            .try_succeed(c.login(ip(1), "fresh"))
            .expect_err("address locked");
        assert_eq!(refused.scope, ThrottleScope::Ip);
        assert_eq!(refused.retry_after, IP_LOCKOUT - secs(10));
        assert!(c.throttle.begin(c.now, lookup).is_err());
        c.try_succeed(c.login(ip(2), "fresh"))
            .expect("another address");
        c.tick(IP_LOCKOUT - secs(10));
        c.try_succeed(c.login(ip(1), "fresh"))
            .expect("after the lockout");
        // No probation per address: a new failure starts counting from one.
        for i in 0..IP_MAX_FAILURES - 1 {
            c.try_fail(c.login(ip(1), &format!("again{i}")))
                .expect("under the limit");
        }
    }

    #[test]
    fn the_longer_wait_wins_when_both_limits_refuse() {
        let policy = ThrottlePolicy {
            ip_max_failures: ACCOUNT_MAX_FAILURES,
            ..ThrottlePolicy::default()
        };
        let mut c = Clock::new(policy);
        let a = c.login(ip(1), "agent1");
        for _ in 0..ACCOUNT_MAX_FAILURES {
            c.try_fail(a).expect("under the limits");
        }
        let refused = c.throttle.begin(c.now, a).expect_err("locked");
        assert_eq!(refused.scope, ThrottleScope::Ip);
        assert_eq!(refused.retry_after, IP_LOCKOUT);
    }

    #[test]
    fn attempts_in_flight_cannot_overshoot_the_limit() {
        let mut c = Clock::new(ThrottlePolicy::default());
        let a = c.login(ip(1), "agent1");
        for _ in 0..ACCOUNT_MAX_FAILURES {
            c.throttle.begin(c.now, a).expect("in flight");
        }
        let refused = c.throttle.begin(c.now, a).expect_err("limit reached");
        assert_eq!(refused.retry_after, ACCOUNT_FIRST_LOCKOUT);
        for _ in 0..ACCOUNT_MAX_FAILURES {
            c.throttle.abandon(a);
        }
        c.try_fail(a).expect("abandoned attempts no longer count");
    }

    #[test]
    fn many_parallel_logins_from_one_address_are_not_throttled() {
        let mut c = Clock::new(ThrottlePolicy::default());
        let passes: Vec<_> = (0..IP_MAX_FAILURES * 5)
            .map(|i| {
                let a = c.login(ip(1), &format!("agent{i}"));
                c.throttle
                    .begin(c.now, a)
                    .expect("an office logging in at once")
            })
            .collect();
        assert_eq!(passes.len() as u32, IP_MAX_FAILURES * 5);
    }

    #[test]
    fn memory_stays_bounded_and_lockouts_survive_a_spray() {
        let policy = ThrottlePolicy {
            max_tracked_keys: 100,
            ..ThrottlePolicy::default()
        };
        let mut c = Clock::new(policy);
        let victim = c.login(ip(1), "agent1");
        for _ in 0..ACCOUNT_MAX_FAILURES {
            c.try_fail(victim).expect("under the limit");
        }
        for i in 0..5_000u32 {
            let [_, x, y, z] = i.to_be_bytes();
            let from = IpAddr::V4(Ipv4Addr::new(10, x, y, z));
            let _ = c.try_fail(c.login(from, &format!("spray{i}")));
            let (accounts, ips) = c.throttle.tracked_keys();
            assert!(accounts <= 100 && ips <= 100, "{accounts} {ips}");
        }
        assert!(
            c.throttle.begin(c.now, victim).is_err(),
            "a locked account is evicted last"
        );
        // Once the windows have passed, a sweep forgets everything idle.
        c.tick(IP_WINDOW + ACCOUNT_MAX_LOCKOUT);
        c.try_succeed(c.login(ip(9), "someone")).expect("allowed");
        assert_eq!(c.throttle.tracked_keys(), (0, 1));
    }

    #[test]
    fn long_usernames_are_hashed_and_ipv6_counts_per_network() {
        let mut c = Clock::new(ThrottlePolicy::default());
        let long = "x".repeat(100_000);
        let a = c.login(ip(1), &long);
        assert_eq!(a, c.login(ip(1), &long));
        assert_ne!(a, c.login(ip(1), "x"));
        let v6 = |s: &str| s.parse::<IpAddr>().expect("ip");
        assert_eq!(
            c.throttle.lookup(v6("2001:db8:1:2:aaaa::1")),
            c.throttle.lookup(v6("2001:db8:1:2:bbbb::2"))
        );
        assert_ne!(
            c.throttle.lookup(v6("2001:db8:1:2::1")),
            c.throttle.lookup(v6("2001:db8:1:3::1"))
        );
        assert_eq!(
            c.throttle.lookup(v6("::ffff:192.0.2.1")),
            c.throttle.lookup(ip(1))
        );
        for _ in 0..ACCOUNT_MAX_FAILURES {
            c.try_fail(a).expect("under the limit");
        }
        assert!(c.throttle.begin(c.now, a).is_err());
    }

    #[test]
    fn retry_after_rounds_up_to_whole_seconds() {
        let wait = |retry_after| Throttled {
            scope: ThrottleScope::Account,
            retry_after,
        };
        assert_eq!(wait(Duration::from_millis(1)).retry_after_s(), 1);
        assert_eq!(wait(Duration::ZERO).retry_after_s(), 1);
        assert_eq!(wait(Duration::from_millis(29_001)).retry_after_s(), 30);
        assert_eq!(wait(secs(30)).retry_after_s(), 30);
        assert_eq!(wait(Duration::MAX).retry_after_s(), u32::MAX);
    }
}
