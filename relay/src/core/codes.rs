//! Session codes (直通号, R5): 6 random digits, single-use, valid `session_code_validity_s`;
//! wrong codes throttled per client address and per center, sans-IO with the time passed in.
//!
//! Throttle policy ([`CodePolicy::default`]): per client IP, [`IP_MAX_WRONG`] wrong codes within
//! [`CODE_WINDOW`] lock that IP for [`IP_LOCKOUT`]; per center, [`CENTER_MAX_WRONG`] wrong codes
//! within [`CODE_WINDOW`] lock code entry for the whole center for [`CENTER_LOCKOUT`] (this
//! bounds a distributed guesser: at most 60 guesses a minute against a million codes). A locked
//! attempt is answered `Throttled{retry_after_s}` and does not count.

use porpoise_protocol::wire::rpc;
use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::time::{Duration, Instant};

use porpoise_protocol::wire::{ApiError, CenterId, Response, SESSION_CODE_DIGITS};
use rand::RngExt;
use tracing::{info, warn};

use super::{AgentId, Connection, Core, Now, StoreOp, StoredCode};

/// Wrong codes from one IP within [`CODE_WINDOW`] that lock it.
pub const IP_MAX_WRONG: usize = 5;
/// Lockout of an IP after too many wrong codes.
pub const IP_LOCKOUT: Duration = Duration::from_secs(10 * 60);
/// Wrong codes for one center within [`CODE_WINDOW`] that lock code entry in that center.
pub const CENTER_MAX_WRONG: usize = 60;
/// Lockout of a center's code entry.
pub const CENTER_LOCKOUT: Duration = Duration::from_secs(60);
/// Window over which wrong codes are counted.
pub const CODE_WINDOW: Duration = Duration::from_secs(60);
/// Most live session codes of one center (keeps the code space sparse: 1 in 100 guesses).
pub const MAX_LIVE_CODES: usize = 10_000;
/// Most IPs tracked; beyond it the records with no lockout are dropped.
pub const MAX_TRACKED_IPS: usize = 100_000;

/// Limits of the wrong-code throttle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodePolicy {
    /// See [`IP_MAX_WRONG`].
    pub ip_max_wrong: usize,
    /// See [`IP_LOCKOUT`].
    pub ip_lockout: Duration,
    /// See [`CENTER_MAX_WRONG`].
    pub center_max_wrong: usize,
    /// See [`CENTER_LOCKOUT`].
    pub center_lockout: Duration,
    /// See [`CODE_WINDOW`].
    pub window: Duration,
}

impl Default for CodePolicy {
    fn default() -> Self {
        CodePolicy {
            ip_max_wrong: IP_MAX_WRONG,
            ip_lockout: IP_LOCKOUT,
            center_max_wrong: CENTER_MAX_WRONG,
            center_lockout: CENTER_LOCKOUT,
            window: CODE_WINDOW,
        }
    }
}

#[derive(Debug, Default)]
struct Record {
    wrong: VecDeque<Instant>,
    locked_until: Option<Instant>,
}

impl Record {
    fn check(&self, now: Instant) -> Result<(), ApiError> {
        match self.locked_until {
            Some(until) if until > now => {
                let left = until.duration_since(now).as_secs_f64().ceil();
                Err(ApiError::Throttled {
                    retry_after_s: left.clamp(1.0, f64::from(u32::MAX)) as u32,
                })
            }
            _ => Ok(()),
        }
    }

    fn fail(&mut self, now: Instant, window: Duration, max: usize, lockout: Duration) {
        while self
            .wrong
            .front()
            .is_some_and(|t| now.duration_since(*t) > window)
        {
            self.wrong.pop_front();
        }
        self.wrong.push_back(now);
        if self.wrong.len() >= max.max(1) {
            self.wrong.clear();
            self.locked_until = Some(now + lockout);
        }
    }
}

/// Wrong session codes per IP and per center. See the module docs.
#[derive(Debug)]
pub(super) struct CodeThrottle {
    policy: CodePolicy,
    ips: HashMap<IpAddr, Record>,
    centers: HashMap<CenterId, Record>,
}

impl CodeThrottle {
    pub fn new(policy: CodePolicy) -> Self {
        CodeThrottle {
            policy,
            ips: HashMap::new(),
            centers: HashMap::new(),
        }
    }

    pub fn set_policy(&mut self, policy: CodePolicy) {
        self.policy = policy;
    }

    /// IPv6 clients are counted per /64 (one site), like failed logins: a client that owns a
    /// /64 cannot get a fresh budget per address.
    fn check(&self, now: Instant, ip: IpAddr, center_id: CenterId) -> Result<(), ApiError> {
        let ip = super::throttle::ip_key(ip);
        if let Some(r) = self.ips.get(&ip) {
            r.check(now)?;
        }
        if let Some(r) = self.centers.get(&center_id) {
            r.check(now)?;
        }
        Ok(())
    }

    fn fail(&mut self, now: Instant, ip: IpAddr, center_id: CenterId) {
        let ip = super::throttle::ip_key(ip);
        let p = self.policy;
        if self.ips.len() >= MAX_TRACKED_IPS {
            self.ips
                .retain(|_, r| r.locked_until.is_some_and(|u| u > now));
        }
        let ip_record = self.ips.entry(ip).or_default();
        ip_record.fail(now, p.window, p.ip_max_wrong, p.ip_lockout);
        let center = self.centers.entry(center_id).or_default();
        center.fail(now, p.window, p.center_max_wrong, p.center_lockout);
    }
}

impl Core {
    /// Replaces the wrong-code throttle's limits (tests and configuration).
    pub fn set_code_policy(&mut self, policy: CodePolicy) {
        self.code_throttle.set_policy(policy);
    }

    /// Agent asks for a session code: 6 random digits, unique among the center's live codes,
    /// single-use, valid for the center's `session_code_validity_s`.
    ///
    /// Errors: `Forbidden` for roles that do not serve; `Conflict` with [`MAX_LIVE_CODES`]
    /// live codes in the center.
    pub(super) fn create_session_code(
        &mut self,
        now: Now,
        center_id: CenterId,
        agent_id: AgentId,
    ) -> Result<Option<Response>, ApiError> {
        let center = self.centers.get_mut(&center_id).ok_or(ApiError::NotFound {
            what: porpoise_protocol::wire::Thing::Center,
        })?;
        let serves = center
            .accounts
            .get(&agent_id)
            .is_some_and(|a| a.can(porpoise_protocol::wire::Permission::ServeCustomers));
        if !serves {
            return Err(ApiError::NotPermitted {
                needed: porpoise_protocol::wire::Permission::ServeCustomers,
            });
        }
        center.codes.retain(|_, c| c.expires_at > now.unix_ms);
        if center.codes.len() >= MAX_LIVE_CODES {
            return Err(ApiError::Conflict(
                porpoise_protocol::wire::Conflict::TooManyCodes,
            ));
        }
        let mut rng = rand::rng();
        let limit = 10u32.pow(SESSION_CODE_DIGITS as u32);
        let code = loop {
            let digits = format!(
                "{:0width$}",
                rng.random_range(0..limit),
                width = SESSION_CODE_DIGITS
            );
            if !center.codes.contains_key(&digits) {
                break digits;
            }
        };
        let validity_ms = i64::from(center.settings.session_code_validity_s) * 1000;
        let stored = StoredCode {
            center_id,
            code: code.clone(),
            agent_id,
            expires_at: now.unix_ms + validity_ms,
        };
        center.codes.insert(code.clone(), stored.clone());
        info!(%center_id, %agent_id, "session code created");
        self.persist(StoreOp::InsertSessionCode(stored.clone()));
        Ok(Some(Response::SessionCode(rpc::SessionCode {
            code,
            expires_at: stored.expires_at,
        })))
    }

    /// Checks and uses a customer's code; returns the agent who made it.
    ///
    /// Errors: `Throttled` while the IP or center is locked; `BadSessionCode` for a wrong,
    /// used or expired code (counted as a failure).
    pub(super) fn redeem_code(
        &mut self,
        now: Now,
        c: &Connection,
        code: &str,
    ) -> Result<AgentId, ApiError> {
        let ip = c.address.ip();
        let center_id = c.center_id;
        self.code_throttle.check(now.instant, ip, center_id)?;
        let code = code.trim();
        let found = self
            .centers
            .get_mut(&center_id)
            .and_then(|center| center.codes.remove(code));
        match found {
            Some(stored) if stored.expires_at > now.unix_ms => {
                self.persist(StoreOp::UseSessionCode {
                    center_id,
                    code: stored.code,
                });
                Ok(stored.agent_id)
            }
            _ => {
                warn!(%center_id, %ip, "wrong session code");
                self.code_throttle.fail(now.instant, ip, center_id);
                Err(ApiError::BadSessionCode)
            }
        }
    }
}
