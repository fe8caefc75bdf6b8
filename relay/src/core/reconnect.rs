//! Reboot and reconnect (C8; the agent's maintenance button 重启客户电脑并重连, A6).
//!
//! After the customer granted [`RemoteAction::Reboot`], the helper asks for a one-time
//! reconnect token (`rpc::RequestReconnectToken`). The core draws 256 random bits, keeps only
//! their SHA-256 (a memory dump or a debug print never shows a usable token), marks the action
//! `Stopped`, stops the session's automatic timers (the reception timeout must not end a session
//! whose customer is rebooting) and tells the agent `CustomerRebooting{until}`. The session stays
//! open: a customer's disconnect never ends a session (see `Core::handle_disconnect`).
//!
//! The wait ends in one of three ways:
//! - the helper presents the token (`rpc::RedeemReconnectToken`) at the same center within
//!   [`RECONNECT_TOKEN_TTL_MS`]: the session is bound to the presenting connection (and to its
//!   install id, which may differ from the old one), the reception timeout restarts, the agent
//!   gets `CustomerReconnected`, the helper the session (`Response::SessionStarted`);
//! - the same install id logs in again (the session resumes by install id as after any lost
//!   connection): the wait ends the same way and the token is spent;
//! - the token expires: the session ends `by: Relay`, like a reception timeout; if the customer
//!   never left (the reboot did not happen) the agent is told the customer is back instead.
//!
//! Spent tokens (used, expired, or whose session ended) are remembered for
//! [`SPENT_TOKEN_MEMORY`] so a late or repeated attempt gets a precise refusal; a token of
//! another center is refused with `WrongCenter` and never touches that center's session (the
//! tenant is checked before anything else happens). Tokens are kept in memory only: a relay
//! restart forgets them, and the helper then falls back to the request screen with the
//! relay's "unknown token" message.

use porpoise_protocol::wire::rpc;
use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use porpoise_protocol::wire::{
    ActionState, ApiError, CenterId, Event, Party, ReconnectToken, RemoteAction, Response,
    SessionId, TokenRefusal, RECONNECT_TOKEN_BYTES, RECONNECT_TOKEN_TTL_MS,
};
use rand::Rng;
use sha2::{Digest, Sha256};
use tracing::debug;

use super::deadlines::Deadlines;
use super::{ConnId, ConnKind, Connection, Core, InstallId, Now, WELCOME_HISTORY_BYTES};

/// How long a spent token is remembered for a precise refusal (`Used`, `Expired`).
pub const SPENT_TOKEN_MEMORY: Duration = Duration::from_secs(60 * 60);
/// Most spent tokens remembered; the oldest are forgotten first (then refused as `Unknown`).
pub const MAX_SPENT_TOKENS: usize = 10_000;

/// SHA-256 of a token: the only form the core keeps.
type TokenHash = [u8; 32];

fn hash(token: &ReconnectToken) -> TokenHash {
    Sha256::digest(token.0).into()
}

fn ttl() -> Duration {
    Duration::from_millis(u64::try_from(RECONNECT_TOKEN_TTL_MS).unwrap_or(0))
}

/// A token waiting for its helper.
#[derive(Debug, Clone, Copy)]
struct Waiting {
    center_id: CenterId,
    session_id: SessionId,
}

/// The reconnect tokens of the core (see the module docs).
#[derive(Debug, Default)]
pub(super) struct Reconnects {
    /// Live tokens by hash.
    live: HashMap<TokenHash, Waiting>,
    /// The live token of each waiting session (one per session; a new one replaces it).
    by_session: HashMap<SessionId, TokenHash>,
    /// Expiry of each waiting session's token.
    deadlines: Deadlines<SessionId>,
    /// Spent tokens: hash → (center, why refused now).
    spent: HashMap<TokenHash, (CenterId, TokenRefusal)>,
    /// Spent tokens in the order they were spent, with when to forget them.
    spent_order: VecDeque<(Instant, TokenHash)>,
}

impl Reconnects {
    /// When the next token expires.
    pub fn next_deadline(&self) -> Option<Instant> {
        self.deadlines.next()
    }

    fn issue(&mut self, now: Instant, hash: TokenHash, waiting: Waiting) {
        self.forget(waiting.session_id, now, TokenRefusal::Used);
        self.live.insert(hash, waiting);
        self.by_session.insert(waiting.session_id, hash);
        self.deadlines.set(waiting.session_id, now + ttl());
    }

    /// Ends the wait of `session_id`; its token is refused from now on with `why`.
    fn forget(&mut self, session_id: SessionId, now: Instant, why: TokenRefusal) -> bool {
        let Some(hash) = self.by_session.remove(&session_id) else {
            return false;
        };
        self.deadlines.cancel(session_id);
        if let Some(w) = self.live.remove(&hash) {
            self.remember(now, hash, w.center_id, why);
        }
        true
    }

    fn remember(&mut self, now: Instant, hash: TokenHash, center_id: CenterId, why: TokenRefusal) {
        while let Some((forget_at, old)) = self.spent_order.front().copied() {
            if forget_at > now && self.spent_order.len() < MAX_SPENT_TOKENS {
                break;
            }
            self.spent_order.pop_front();
            self.spent.remove(&old);
        }
        self.spent.insert(hash, (center_id, why));
        self.spent_order.push_back((now + SPENT_TOKEN_MEMORY, hash));
    }

    /// Checks a presented token for `center_id` and, when valid, spends it.
    fn take(
        &mut self,
        now: Instant,
        hash: &TokenHash,
        center_id: CenterId,
    ) -> Result<SessionId, TokenRefusal> {
        if let Some(w) = self.live.get(hash).copied() {
            if w.center_id != center_id {
                return Err(TokenRefusal::WrongCenter);
            }
            self.forget(w.session_id, now, TokenRefusal::Used);
            return Ok(w.session_id);
        }
        match self.spent.get(hash) {
            Some((c, _)) if *c != center_id => Err(TokenRefusal::WrongCenter),
            Some((_, why)) => Err(*why),
            None => Err(TokenRefusal::Unknown),
        }
    }
}

impl Core {
    /// The customer of `session_id` asks for a reconnect token after granting the reboot (C8).
    ///
    /// Errors: `UnknownSession` unless `conn` is the session's connected customer (also for
    /// another center's session), `Conflict` unless [`RemoteAction::Reboot`] is granted.
    pub(super) fn request_reconnect_token(
        &mut self,
        now: Now,
        conn: ConnId,
        c: &Connection,
        session_id: SessionId,
    ) -> Result<Option<Response>, ApiError> {
        if self.member(conn, c, session_id)? != Party::Customer {
            return Err(ApiError::NotPermitted {
                needed: porpoise_protocol::wire::Permission::Customer,
            });
        }
        let s = self
            .sessions
            .get(&session_id)
            .ok_or(ApiError::UnknownSession)?;
        if s.actions.get(&RemoteAction::Reboot) != Some(&ActionState::Granted) {
            return Err(ApiError::Conflict(
                porpoise_protocol::wire::Conflict::NotGranted {
                    action: RemoteAction::Reboot,
                },
            ));
        }
        let agent = s.agent_conn;
        let mut bytes = [0u8; RECONNECT_TOKEN_BYTES];
        rand::rng().fill_bytes(&mut bytes);
        let token = ReconnectToken(bytes);
        let waiting = Waiting {
            center_id: c.center_id,
            session_id,
        };
        self.reconnects.issue(now.instant, hash(&token), waiting);
        // The customer is about to go away: no reception timeout or auto-reply meanwhile.
        self.conversation.automation.ended(session_id);
        self.set_action(
            session_id,
            RemoteAction::Reboot,
            ActionState::Stopped,
            Party::Customer,
        );
        let until = now.unix_ms.saturating_add(RECONNECT_TOKEN_TTL_MS);
        if let Some(agent) = agent {
            self.event(agent, Event::CustomerRebooting { session_id, until });
        }
        debug!(%session_id, "reconnect token issued");
        Ok(Some(Response::ReconnectToken(rpc::IssuedReconnectToken {
            token,
            expires_at: until,
        })))
    }

    /// A customer presents a reconnect token (C8) and rejoins its session.
    ///
    /// Errors: `BadReconnectToken(Unknown | Used | Expired | WrongCenter)`; `Conflict` if this
    /// install id already has another open session (the token stays valid).
    pub(super) fn redeem_reconnect_token(
        &mut self,
        now: Now,
        conn: ConnId,
        c: &Connection,
        token: &ReconnectToken,
    ) -> Result<Option<Response>, ApiError> {
        let ConnKind::Customer { install_id } = c.kind else {
            return Err(ApiError::NotPermitted {
                needed: porpoise_protocol::wire::Permission::Customer,
            });
        };
        let hash = hash(token);
        // Look before spending: a conflict must leave the token usable.
        if let Some(w) = self.reconnects.live.get(&hash).copied() {
            let other = self.session_of_customer.get(&(c.center_id, install_id));
            if w.center_id == c.center_id && other.is_some_and(|id| *id != w.session_id) {
                return Err(ApiError::Conflict(
                    porpoise_protocol::wire::Conflict::OtherSessionOpen,
                ));
            }
        }
        let session_id = self
            .reconnects
            .take(now.instant, &hash, c.center_id)
            .map_err(ApiError::BadReconnectToken)?;
        let Some(s) = self.sessions.get_mut(&session_id) else {
            return Err(ApiError::BadReconnectToken(TokenRefusal::Expired));
        };
        let old_key = (s.stored.center_id, s.stored.install_id);
        let old_conn = s.customer_conn.filter(|old| *old != conn);
        s.stored.install_id = install_id;
        s.customer_conn = Some(conn);
        if old_key.1 != install_id {
            self.session_of_customer.remove(&old_key);
            self.session_of_customer
                .insert((c.center_id, install_id), session_id);
        }
        if let Some(old) = old_conn {
            // The helper that asked for the token is still connected (it never rebooted):
            // the session now belongs to the connection that presented the token.
            self.kick(now, old);
        }
        self.customer_back(now, session_id);
        debug!(%session_id, "reconnect token redeemed");
        let info = self
            .session_info(session_id, WELCOME_HISTORY_BYTES)
            .ok_or(ApiError::UnknownSession)?;
        Ok(Some(Response::SessionStarted(info)))
    }

    /// A customer logged in (its Welcome was sent): if its session waited for a reboot, the
    /// wait is over and the token is spent.
    pub(super) fn reconnect_after_login(
        &mut self,
        now: Now,
        center_id: CenterId,
        install_id: InstallId,
    ) {
        let Some(session_id) = self
            .session_of_customer
            .get(&(center_id, install_id))
            .copied()
        else {
            return;
        };
        if self
            .reconnects
            .forget(session_id, now.instant, TokenRefusal::Used)
        {
            self.customer_back(now, session_id);
        }
    }

    /// The rebooting customer of `session_id` is back: timers run again, the agent is told.
    fn customer_back(&mut self, now: Now, session_id: SessionId) {
        let Some(s) = self.sessions.get(&session_id) else {
            return;
        };
        let agent = s.agent_conn;
        if let Some(center) = self.centers.get(&s.stored.center_id) {
            let auto = &mut self.conversation.automation;
            auto.started(session_id, now.instant, &center.settings);
        }
        if let Some(agent) = agent {
            self.event(agent, Event::CustomerReconnected { session_id });
        }
    }

    /// Expires the reconnect tokens due at `now`: a session whose customer is still away ends
    /// `by: Relay`; one whose customer never left goes on.
    pub(super) fn expire_reconnects(&mut self, now: Now) {
        while let Some(session_id) = self.reconnects.deadlines.pop_due(now.instant) {
            // The deadline is gone; `forget` spends the token as expired.
            self.reconnects
                .forget(session_id, now.instant, TokenRefusal::Expired);
            let present = self
                .sessions
                .get(&session_id)
                .map(|s| s.customer_conn.is_some());
            debug!(%session_id, "reconnect token expired");
            match present {
                Some(true) => self.customer_back(now, session_id),
                Some(false) => self.end_session_by_relay(now, session_id),
                None => {}
            }
        }
    }

    /// A session ended (any way): its reconnect token, if any, is spent.
    pub(super) fn reconnect_session_ended(&mut self, now: Now, session_id: SessionId) {
        self.reconnects
            .forget(session_id, now.instant, TokenRefusal::Expired);
    }
}
