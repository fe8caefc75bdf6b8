//! Account requests (R2, R3): change and reset passwords (argon2id in the store, reported back),
//! list live logins, kick a login.

use porpoise_protocol::wire::{
    ApiError, CenterId, LoginInfo, RequestId, Response, MIN_PASSWORD_CHARS,
};
use tracing::info;

use super::{
    Action, AgentId, CloseReason, ConnId, Core, Now, PersistToken, Secret, StoreOp, StoreReport,
};

/// Longest password accepted, in bytes (argon2 input stays small).
pub const MAX_PASSWORD_BYTES: usize = 256;

/// The rule for every new password, from the console or the CLI: at least
/// `MIN_PASSWORD_CHARS` characters, at most [`MAX_PASSWORD_BYTES`] bytes.
///
/// Errors: `TooShort { Password }`, `TooLong { Password }`.
pub fn check_new_password(new: &str) -> Result<(), ApiError> {
    if new.chars().count() < MIN_PASSWORD_CHARS {
        return Err(ApiError::TooShort {
            field: porpoise_protocol::wire::Field::Password,
            min_chars: MIN_PASSWORD_CHARS as u32,
        });
    }
    if new.len() > MAX_PASSWORD_BYTES {
        return Err(ApiError::too_long(
            porpoise_protocol::wire::Field::Password,
            MAX_PASSWORD_BYTES,
        ));
    }
    Ok(())
}

/// Shortest time between two password changes (or resets) by one account: see
/// `Core::password_budget`.
pub const PASSWORD_CHANGE_INTERVAL: std::time::Duration = std::time::Duration::from_secs(10);
/// Shortest time between two password resets of one account (an admin resetting several
/// accounts in a row is normal; a loop on one is not).
pub const RESET_INTERVAL: std::time::Duration = std::time::Duration::from_secs(1);

impl Core {
    /// One own password change per account per [`PASSWORD_CHANGE_INTERVAL`], one reset of an
    /// account per [`RESET_INTERVAL`] (`key`: center, account, is a reset): each costs argon2id
    /// hashes on the relay's few hashing threads, so a loop of them from one login must not
    /// take the hashing (and every center's logins) for itself (issue 14).
    ///
    /// Errors: `Throttled { retry_after_s }` within the interval.
    fn password_budget(
        &mut self,
        now: Now,
        key: (CenterId, AgentId, bool),
        interval: std::time::Duration,
    ) -> Result<(), ApiError> {
        if let Some(last) = self.password_changes.get(&key) {
            let next = *last + interval;
            if now.instant < next {
                let wait = next - now.instant;
                return Err(ApiError::Throttled {
                    retry_after_s: u32::try_from(wait.as_millis().div_ceil(1000))
                        .unwrap_or(u32::MAX),
                });
            }
        }
        if self.password_changes.len() >= 100_000 {
            let horizon = PASSWORD_CHANGE_INTERVAL;
            self.password_changes
                .retain(|_, t| now.instant.saturating_duration_since(*t) < horizon);
        }
        self.password_changes.insert(key, now.instant);
        Ok(())
    }

    /// Any account changes its own password; answered once the store verified `old` and stored
    /// the new hash ([`Core::handle_store_report`]).
    ///
    /// Errors: `Invalid` for a short new password; later `WrongPassword` or `Storage`.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn change_password(
        &mut self,
        now: Now,
        conn: ConnId,
        id: RequestId,
        center_id: CenterId,
        agent_id: AgentId,
        old: Option<String>,
        new: String,
    ) -> Result<Option<Response>, ApiError> {
        check_new_password(&new)?;
        if old.as_ref().is_some_and(|o| o.len() > MAX_PASSWORD_BYTES) {
            return Err(ApiError::WrongPassword);
        }
        self.password_budget(now, (center_id, agent_id, false), PASSWORD_CHANGE_INTERVAL)?;
        let actor = self.audit_actor(center_id, agent_id);
        self.audit(
            center_id,
            actor,
            super::AuditAction::PasswordChanged,
            String::new(),
            String::new(),
        );
        self.set_password(conn, id, center_id, agent_id, old, new);
        Ok(None)
    }

    /// Admin sets the password of an account of its own center.
    ///
    /// Errors: `Forbidden` if the caller does not manage; `Invalid` for an account not in this
    /// center (indistinguishable from one that does not exist) or a short password.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn reset_password(
        &mut self,
        now: Now,
        conn: ConnId,
        id: RequestId,
        center_id: CenterId,
        admin: AgentId,
        target: AgentId,
        new: String,
    ) -> Result<Option<Response>, ApiError> {
        self.may_act_on(center_id, admin, target)?;
        check_new_password(&new)?;
        self.password_budget(now, (center_id, target, true), RESET_INTERVAL)?;
        info!(%center_id, %admin, %target, "password reset by admin");
        self.audit_on_account(center_id, admin, super::AuditAction::PasswordReset, target);
        self.set_password(conn, id, center_id, target, None, new);
        Ok(None)
    }

    fn set_password(
        &mut self,
        conn: ConnId,
        id: RequestId,
        center_id: CenterId,
        agent_id: AgentId,
        old: Option<String>,
        new: String,
    ) {
        let token = self.next_token;
        self.next_token += 1;
        self.pending_passwords.insert(token, (conn, id));
        self.persist(StoreOp::SetPassword {
            token,
            center_id,
            agent_id,
            old: old.map(Secret),
            new: Secret(new),
        });
    }

    /// The store finished a write the core waits for (chat message, password change).
    pub fn handle_store_report(&mut self, now: Now, report: StoreReport) {
        self.clock_ms = now.unix_ms;
        match report {
            StoreReport::Chat { token, ok } => self.handle_chat_persisted(now, token, ok),
            StoreReport::Password { token, result } => self.password_done(token, result),
            StoreReport::Query { token, result } => self.query_done(token, result),
            StoreReport::Directory { token, result } => self.directory_done(now, token, result),
        }
    }

    fn password_done(&mut self, token: PersistToken, result: Result<(), ApiError>) {
        if let Some((conn, id)) = self.pending_passwords.remove(&token) {
            self.respond(conn, id, result.map(|()| Response::Done));
        }
    }

    /// Admin: live logins of its own center.
    ///
    /// Errors: `Forbidden` if the caller does not manage.
    pub(super) fn list_logins(
        &self,
        center_id: CenterId,
        admin: AgentId,
    ) -> Result<Option<Response>, ApiError> {
        self.require(
            center_id,
            admin,
            porpoise_protocol::wire::Permission::MonitorAgents,
        )?;
        let center = self.centers.get(&center_id).ok_or(ApiError::NotFound {
            what: porpoise_protocol::wire::Thing::Center,
        })?;
        let mut logins: Vec<LoginInfo> = self
            .live
            .iter()
            .filter(|((c, _), _)| *c == center_id)
            .map(|((_, agent_id), l)| {
                let account = center.accounts.get(agent_id);
                LoginInfo {
                    agent_id: *agent_id,
                    username: account.map(|a| a.username.clone()).unwrap_or_default(),
                    address: l.address.clone(),
                    since: l.since,
                    presence: l.presence,
                    role: account.map_or(porpoise_protocol::wire::Role::Agent, |a| a.role),
                }
            })
            .collect();
        logins.sort_by_key(|l| l.agent_id);
        Ok(Some(Response::Logins(logins)))
    }

    /// Admin ends the live login of an account of its own center: the connection closes with
    /// [`CloseReason::Kicked`] and the account may log in again at once.
    ///
    /// Errors: `Forbidden` if the caller does not manage; `Invalid` if that account of this
    /// center is not logged in (accounts of other centers look the same).
    pub(super) fn kick_login(
        &mut self,
        now: Now,
        center_id: CenterId,
        admin: AgentId,
        target: AgentId,
    ) -> Result<Option<Response>, ApiError> {
        self.may_act_on(center_id, admin, target)?;
        let conn =
            self.live
                .get(&(center_id, target))
                .map(|l| l.conn)
                .ok_or(ApiError::NotFound {
                    what: porpoise_protocol::wire::Thing::Login,
                })?;
        info!(%center_id, %admin, %target, "login kicked");
        self.audit_on_account(center_id, admin, super::AuditAction::Kick, target);
        self.handle_disconnect(now, conn);
        self.actions.push_back(Action::Close {
            conn,
            reason: CloseReason::Kicked,
        });
        Ok(Some(Response::Done))
    }
}
