//! Reconnecting after a lost connection (R13): the backoff schedule, which closes and refusals
//! are final, the credentials kept in memory for the current login only, and the network
//! task's reconnect attempts.

use std::time::Duration;

use porpoise_protocol::wire::{CenterId, HelloRole};
use porpoise_quic::client::{connect, ClientConfig};
use tokio::time::Instant;
use tracing::{debug, info};

use super::{LoginFailure, LoginFailureKind, NetEvent};
use crate::config::Password;

/// Delay before the first reconnect attempt, in ms.
pub const FIRST_DELAY_MS: u64 = 500;
/// Longest delay between two attempts (before jitter), in ms.
pub const MAX_DELAY_MS: u64 = 15_000;
/// Jitter: each delay is multiplied by a factor in `1 ± JITTER / 2`.
pub const JITTER: f64 = 0.4;

/// The delay before attempt `attempt` (1-based) without jitter: 0.5 s doubling to 15 s.
pub fn base_delay(attempt: u32) -> Duration {
    let doublings = attempt.saturating_sub(1).min(16);
    let ms = FIRST_DELAY_MS.saturating_mul(1 << doublings);
    Duration::from_millis(ms.min(MAX_DELAY_MS))
}

/// The delay before attempt `attempt` with jitter; `unit` is a random number in `[0, 1)`.
pub fn delay(attempt: u32, unit: f64) -> Duration {
    let factor = 1.0 - JITTER / 2.0 + JITTER * unit.clamp(0.0, 1.0);
    base_delay(attempt).mul_f64(factor)
}

/// A random number in `[0, 1)` for [`delay`].
pub fn jitter_unit() -> f64 {
    (porpoise_quic::client::random_id() % 1_000_000) as f64 / 1_000_000.0
}

/// How long after losing the connection an `AlreadyLoggedIn` refusal is still retried: after a
/// network blip the relay may not have noticed yet that the old connection is dead (it drops
/// it after the QUIC idle timeout), so the refusal may name this very console.
pub const STALE_LOGIN_GRACE: Duration =
    Duration::from_secs(porpoise_quic::tls::MAX_IDLE_TIMEOUT.as_secs() + 10);

/// True if a reconnect attempt that failed `since_lost` after the connection was lost must not
/// be retried: wrong credentials, unknown center, a certificate that is not the pinned one, or
/// another live login of the account once [`STALE_LOGIN_GRACE`] has passed.
pub fn failure_is_final(failure: &LoginFailure, since_lost: Duration) -> bool {
    match failure.kind {
        LoginFailureKind::WrongPassword
        | LoginFailureKind::UnknownCenter
        | LoginFailureKind::FingerprintMismatch => true,
        LoginFailureKind::AlreadyLoggedIn => since_lost >= STALE_LOGIN_GRACE,
        LoginFailureKind::Unreachable
        | LoginFailureKind::Throttled { .. }
        | LoginFailureKind::Other => false,
    }
}

/// The current login's credentials, kept in memory (never written or logged) to reconnect.
#[derive(Debug, Clone)]
pub(super) struct Credentials {
    /// Relay and pinned fingerprint.
    pub relay: ClientConfig,
    /// Center ID.
    pub center_id: CenterId,
    /// Username.
    pub username: String,
    /// Password (redacted in `Debug`).
    pub password: Password,
}

/// Where reconnecting is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Retry {
    /// Not reconnecting.
    Idle,
    /// Attempt `attempt` starts at `at`.
    Waiting {
        /// 1-based attempt number.
        attempt: u32,
        /// When it starts.
        at: Instant,
    },
    /// Attempt `attempt` is connecting.
    Connecting {
        /// 1-based attempt number.
        attempt: u32,
    },
}

impl Retry {
    /// Waits for attempt `attempt`: the backoff delay, or longer if the relay asked for it.
    pub fn wait(attempt: u32, at_least: Duration) -> Self {
        let at = Instant::now() + delay(attempt, jitter_unit()).max(at_least);
        Retry::Waiting { attempt, at }
    }
}

/// Sleeps until the next attempt is due (forever when none is waiting).
pub(super) async fn due(retry: Retry) -> u32 {
    match retry {
        Retry::Waiting { attempt, at } => {
            tokio::time::sleep_until(at).await;
            attempt
        }
        _ => std::future::pending().await,
    }
}

impl super::Net {
    /// Connects with the kept credentials as a new login generation; the result comes back
    /// through `login_tx`.
    pub(super) fn connect(&mut self) {
        let Some(creds) = self.credentials.clone() else {
            return;
        };
        self.login_generation += 1;
        let generation = self.login_generation;
        let tx = self.login_tx.clone();
        let role = HelloRole::Agent {
            center_id: creds.center_id,
            username: creds.username,
            password: creds.password.expose().to_owned(),
        };
        tokio::spawn(async move {
            let result = connect(&creds.relay, role).await;
            let _ = tx.send((generation, result)).await;
        });
    }

    /// Starts reconnect attempt `attempt`.
    pub(super) fn start_attempt(&mut self, attempt: u32) {
        info!(attempt, "reconnecting to the relay");
        self.retry = Retry::Connecting { attempt };
        self.connect();
    }

    /// A reconnect attempt failed: gives up on a final refusal, else waits for the next one.
    pub(super) async fn attempt_failed(&mut self, attempt: u32, failure: LoginFailure) {
        let since_lost = self.lost_at.map(|t| t.elapsed()).unwrap_or_default();
        if failure_is_final(&failure, since_lost) {
            info!(attempt, error = %failure.detail, "reconnect refused; giving up");
            self.retry = Retry::Idle;
            self.credentials = None;
            self.out.emit(NetEvent::LoginFailed(failure)).await;
            return;
        }
        debug!(attempt, error = %failure.detail, "reconnect attempt failed");
        let at_least = match failure.kind {
            LoginFailureKind::Throttled { retry_after_s } => {
                Duration::from_secs(retry_after_s.into())
            }
            _ => Duration::ZERO,
        };
        let next = attempt.saturating_add(1);
        self.retry = Retry::wait(next, at_least);
        self.out
            .emit(NetEvent::Reconnecting { attempt: next })
            .await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_half_a_second_to_fifteen() {
        let ms: Vec<u128> = (1..=8).map(|a| base_delay(a).as_millis()).collect();
        assert_eq!(ms, [500, 1000, 2000, 4000, 8000, 15000, 15000, 15000]);
        assert_eq!(base_delay(u32::MAX).as_millis(), 15_000);
        assert_eq!(base_delay(0).as_millis(), 500);
    }

    #[test]
    fn jitter_stays_within_twenty_percent() {
        assert_eq!(delay(1, 0.0).as_millis(), 400);
        assert_eq!(delay(1, 0.5).as_millis(), 500);
        assert_eq!(delay(1, 1.0).as_millis(), 600);
        assert_eq!(delay(6, 1.0).as_millis(), 18_000);
        for _ in 0..100 {
            let d = delay(3, jitter_unit()).as_millis();
            assert!((1600..=2400).contains(&d), "{d}");
        }
    }

    #[test]
    fn kicks_and_refusals_are_final() {
        use porpoise_protocol::wire::CloseCode;
        use porpoise_quic::client::Disconnect;
        let closed = |code| Disconnect {
            code: Some(code),
            detail: "closed by peer".into(),
        };
        assert!(closed(CloseCode::Kicked).is_final());
        assert!(closed(CloseCode::LoggedInElsewhere).is_final());
        assert!(closed(CloseCode::CenterExpired).is_final());
        assert!(crate::i18n::disconnect_text(
            porpoise_ui::Language::ZhCn,
            &closed(CloseCode::CenterExpired)
        )
        .contains("服务期已到期"));
        assert!(!closed(CloseCode::Shutdown).is_final());
        assert!(!Disconnect::lost("timed out").is_final());
        assert_eq!(CloseCode::from_code(6), Some(CloseCode::Kicked));
        assert_eq!(CloseCode::from_code(99), None);
        let failure = |kind| LoginFailure {
            kind,
            refusal: None,
            detail: String::new(),
        };
        let (soon, late) = (Duration::from_secs(1), STALE_LOGIN_GRACE);
        assert!(failure_is_final(
            &failure(LoginFailureKind::WrongPassword),
            soon
        ));
        // The relay may still hold the dead connection until its idle timeout.
        let twice = failure(LoginFailureKind::AlreadyLoggedIn);
        assert!(!failure_is_final(&twice, soon));
        assert!(failure_is_final(&twice, late));
        assert!(!failure_is_final(
            &failure(LoginFailureKind::Unreachable),
            late
        ));
        let throttled = LoginFailureKind::Throttled { retry_after_s: 3 };
        assert!(!failure_is_final(&failure(throttled), late));
    }
}
