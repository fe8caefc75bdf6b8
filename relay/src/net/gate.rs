//! The login throttle shared by the connection tasks: the sans-IO
//! [`LoginThrottle`](crate::core::LoginThrottle) behind a mutex (held only for a few map
//! operations, never across an `await`), read with the clock here, and a guard that settles
//! each admitted attempt exactly once.

use std::net::IpAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Instant;

use porpoise_protocol::wire::CenterId;

use crate::core::throttle::Attempt;
use crate::core::{LoginThrottle, ThrottlePolicy, Throttled};

/// One throttle for the whole relay, cloned into every connection task.
#[derive(Debug, Clone)]
pub(super) struct Gate(Arc<Mutex<LoginThrottle>>);

impl Gate {
    pub(super) fn new(policy: ThrottlePolicy) -> Self {
        Gate(Arc::new(Mutex::new(LoginThrottle::new(policy))))
    }

    /// The throttle; a panic while it was held left it consistent enough to keep counting.
    fn lock(&self) -> MutexGuard<'_, LoginThrottle> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// An agent login from `ip`: admitted (settle it with the guard) or refused.
    ///
    /// Errors: [`Throttled`] over the account's or the address's limit.
    pub(super) fn login(
        &self,
        ip: IpAddr,
        center_id: CenterId,
        username: &str,
    ) -> Result<Pass, Throttled> {
        let mut throttle = self.lock();
        let attempt = throttle.login(ip, center_id, username);
        self.begin(&mut throttle, attempt)
    }

    /// A center lookup (directory, customer Hello) from `ip`.
    ///
    /// Errors: [`Throttled`] over the address's limit.
    pub(super) fn lookup(&self, ip: IpAddr) -> Result<Pass, Throttled> {
        let mut throttle = self.lock();
        let attempt = throttle.lookup(ip);
        self.begin(&mut throttle, attempt)
    }

    fn begin(&self, throttle: &mut LoginThrottle, attempt: Attempt) -> Result<Pass, Throttled> {
        throttle.begin(Instant::now(), attempt)?;
        Ok(Pass {
            gate: self.clone(),
            attempt,
            settled: false,
        })
    }
}

/// An admitted attempt. Settle it with [`Pass::succeed`] or [`Pass::fail`]; dropped unsettled
/// (storage error, task gone) it is abandoned and no longer counts.
#[derive(Debug)]
pub(super) struct Pass {
    gate: Gate,
    attempt: Attempt,
    settled: bool,
}

impl Pass {
    /// The credentials or center were right.
    pub(super) fn succeed(mut self) {
        self.settled = true;
        self.gate.lock().succeed(self.attempt);
    }

    /// Wrong password, unknown username or unknown center: counts as a failure.
    pub(super) fn fail(mut self) {
        self.settled = true;
        self.gate.lock().fail(Instant::now(), self.attempt);
    }
}

impl Drop for Pass {
    fn drop(&mut self) {
        if !self.settled {
            self.gate.lock().abandon(self.attempt);
        }
    }
}
