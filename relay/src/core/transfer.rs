//! Session transfer (R8): the serving agent hands a session to a colleague or to a group.
//!
//! - **To an agent**: the receiver must be an account of the same center that serves, is logged
//!   in, not `Offline`, and under its most concurrent sessions (counting open offers and
//!   transfers). It gets `TransferOffered` with the whole history and a countdown of the
//!   center's `offer_timeout_s`.
//! - **To a group**: the receiver is chosen like an auto-assign offer (see `routing`): agents of
//!   the group that are `Online` and under their limit, longest idle first, ties by fewest
//!   sessions, then lowest id. A reject or timeout passes the transfer to the next eligible
//!   agent of the group (never the same one twice); when nobody is left the sender gets the
//!   last outcome.
//! - **Accept**: the session moves. Running remote actions stop and their media is cut (the new
//!   agent must ask consent again); the receiver gets `SessionStarted` with the whole history,
//!   the sender `SessionTransferredAway`, the customer `AgentChanged`; both agents get
//!   `TransferResolved{Accepted}`. The new owner is stored (R13).
//! - **Reject / timeout**: `TransferResolved{Rejected|TimedOut}` to sender and receiver; the
//!   session stays. A session that ends, or a receiver that leaves, resolves the transfer as
//!   `Unavailable` (group transfers first try the next agent).
//!
//! Transfers are stored (`transfers` table) but not resumed after a restart: an unanswered one
//! is simply gone, and the session stays with its agent.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use porpoise_protocol::wire::{
    ActionState, ApiError, CenterId, Event, GroupId, Party, Presence, Response, SessionId,
    TransferId, TransferOffer, TransferOutcome, TransferTarget, MAX_CHAT_TEXT_BYTES,
};
use tracing::debug;

use super::conversation::ConversationOp;
use super::deadlines::Deadlines;
use super::{AgentId, ConnId, Connection, Core, Now, StoreOp, WELCOME_HISTORY_BYTES};

/// One transfer waiting for its receiver's answer.
#[derive(Debug, Clone)]
pub(super) struct PendingTransfer {
    pub center_id: CenterId,
    pub session_id: SessionId,
    pub from_agent: AgentId,
    pub target: TransferTarget,
    pub note: String,
    /// Agent offered now.
    pub to_agent: AgentId,
    /// Agents of a group transfer that already declined or let it time out.
    pub tried: Vec<AgentId>,
}

/// Open transfers and their countdowns.
#[derive(Debug, Default)]
pub(super) struct Transfers {
    pub pending: HashMap<TransferId, PendingTransfer>,
    deadlines: Deadlines<TransferId>,
    next_id: TransferId,
}

impl Transfers {
    pub fn new(max_transfer_id: TransferId) -> Self {
        Transfers {
            next_id: TransferId(max_transfer_id.0 + 1),
            ..Default::default()
        }
    }

    pub fn next_deadline(&self) -> Option<Instant> {
        self.deadlines.next()
    }

    pub fn pop_due(&mut self, now: Instant) -> Option<TransferId> {
        self.deadlines.pop_due(now)
    }

    fn take(&mut self, transfer_id: TransferId) -> Option<PendingTransfer> {
        self.deadlines.cancel(transfer_id);
        self.pending.remove(&transfer_id)
    }

    /// Open transfers offered to `agent` in `center_id`.
    pub fn offered_to(&self, center_id: CenterId, agent: AgentId) -> usize {
        self.pending
            .values()
            .filter(|t| t.center_id == center_id && t.to_agent == agent)
            .count()
    }
}

impl Core {
    /// The session's agent asks to hand it over. See the module docs.
    ///
    /// Errors: `UnknownSession` if `conn` is not the session's agent; `Invalid` for a note
    /// beyond `MAX_CHAT_TEXT_BYTES`; `Conflict` while another transfer of the session waits.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn transfer_session(
        &mut self,
        now: Now,
        conn: ConnId,
        c: &Connection,
        agent_id: AgentId,
        session_id: SessionId,
        target: TransferTarget,
        note: &str,
    ) -> Result<Option<Response>, ApiError> {
        if self.member(conn, c, session_id)? != Party::Agent {
            return Err(ApiError::UnknownSession);
        }
        if note.len() > MAX_CHAT_TEXT_BYTES {
            return Err(ApiError::too_long(
                porpoise_protocol::wire::Field::Note,
                MAX_CHAT_TEXT_BYTES,
            ));
        }
        let transfers = &mut self.conversation.transfers;
        if transfers
            .pending
            .values()
            .any(|t| t.session_id == session_id)
        {
            return Err(ApiError::Conflict(
                porpoise_protocol::wire::Conflict::TransferPending,
            ));
        }
        let transfer_id = transfers.next_id;
        transfers.next_id.0 += 1;
        let center_id = c.center_id;
        self.persist(StoreOp::Conversation(ConversationOp::InsertTransfer {
            transfer_id,
            center_id,
            session_id,
            from_agent: agent_id,
            target,
            note: note.to_owned(),
            at: now.unix_ms,
        }));
        let pending = PendingTransfer {
            center_id,
            session_id,
            from_agent: agent_id,
            target,
            note: note.to_owned(),
            to_agent: agent_id,
            tried: Vec::new(),
        };
        debug!(
            %center_id,
            %session_id,
            %transfer_id,
            ?target,
            "transfer asked"
        );
        self.offer_transfer(now, transfer_id, pending, TransferOutcome::Unavailable);
        Ok(Some(Response::Done))
    }

    /// Offers `pending` to the next eligible receiver, or resolves it with `fallback` for the
    /// sender when there is none.
    fn offer_transfer(
        &mut self,
        now: Now,
        transfer_id: TransferId,
        mut pending: PendingTransfer,
        fallback: TransferOutcome,
    ) {
        let receiver = match pending.target {
            TransferTarget::Agent(to) if pending.tried.is_empty() => self
                .can_receive(pending.center_id, to, pending.from_agent, false)
                .then_some(to),
            TransferTarget::Agent(_) => None,
            TransferTarget::Group(group) => self.pick_in_group(&pending, group),
        };
        let to_conn = receiver.and_then(|to| Some((to, self.live_conn(pending.center_id, to)?)));
        let info = self.session_info(pending.session_id, WELCOME_HISTORY_BYTES);
        let (Some((to, to_conn)), Some(info)) = (to_conn, info) else {
            let to_agent = (!pending.tried.is_empty()).then_some(pending.to_agent);
            self.resolve_transfer(now, transfer_id, &pending, to_agent, fallback, false);
            return;
        };
        let timeout_s = self
            .centers
            .get(&pending.center_id)
            .map_or(porpoise_protocol::wire::DEFAULT_OFFER_TIMEOUT_S, |c| {
                c.settings.offer_timeout_s
            });
        let expires_in_ms = u64::from(timeout_s) * 1000;
        pending.to_agent = to;
        let offer = TransferOffer {
            transfer_id,
            from_agent: pending.from_agent,
            session: info,
            note: pending.note.clone(),
            expires_in_ms,
        };
        let deadline = now.instant + Duration::from_millis(expires_in_ms);
        let transfers = &mut self.conversation.transfers;
        transfers.deadlines.set(transfer_id, deadline);
        transfers.pending.insert(transfer_id, pending);
        self.event(to_conn, Event::TransferOffered(offer));
    }

    /// True if `agent` may receive a transfer from `from` now: an account of `center_id` that
    /// serves, logged in and not `Offline` (in a group transfer: `Online`), under its limit.
    fn can_receive(&self, center_id: CenterId, agent: AgentId, from: AgentId, group: bool) -> bool {
        let Some(account) = self
            .centers
            .get(&center_id)
            .and_then(|c| c.accounts.get(&agent))
        else {
            return false;
        };
        let presence = self.presence_of(center_id, agent);
        let present = if group {
            presence == Presence::Online
        } else {
            presence.uses_seat()
        };
        let load = self.session_count(center_id, agent)
            + u32::try_from(self.conversation.transfers.offered_to(center_id, agent))
                .unwrap_or(u32::MAX);
        agent != from
            && account.can(porpoise_protocol::wire::Permission::ServeCustomers)
            && present
            && load < account.max_sessions
    }

    /// The best receiver in `group` not tried yet (routing's strategy: longest idle, fewest
    /// sessions, lowest id).
    fn pick_in_group(&self, pending: &PendingTransfer, group: GroupId) -> Option<AgentId> {
        let center = self.centers.get(&pending.center_id)?;
        center
            .accounts
            .values()
            .filter(|a| a.groups.contains(&group) && !pending.tried.contains(&a.agent_id))
            .filter(|a| self.can_receive(pending.center_id, a.agent_id, pending.from_agent, true))
            .filter_map(|a| {
                let live = self.live.get(&(pending.center_id, a.agent_id))?;
                let sessions = self.session_count(pending.center_id, a.agent_id);
                Some((live.idle_since, sessions, a.agent_id))
            })
            .min()
            .map(|(_, _, id)| id)
    }

    fn live_conn(&self, center_id: CenterId, agent: AgentId) -> Option<ConnId> {
        self.live.get(&(center_id, agent)).map(|l| l.conn)
    }

    /// The receiver answers. Errors: `Conflict` if the transfer is gone or is not offered to
    /// this agent (other centers' transfers are indistinguishable from gone ones).
    pub(super) fn answer_transfer(
        &mut self,
        now: Now,
        center_id: CenterId,
        agent_id: AgentId,
        transfer_id: TransferId,
        accept: bool,
    ) -> Result<Option<Response>, ApiError> {
        let mine = self
            .conversation
            .transfers
            .pending
            .get(&transfer_id)
            .is_some_and(|t| t.center_id == center_id && t.to_agent == agent_id);
        let pending = mine
            .then(|| self.conversation.transfers.take(transfer_id))
            .flatten()
            .ok_or(ApiError::NotFound {
                what: porpoise_protocol::wire::Thing::Transfer,
            })?;
        if accept {
            self.move_session(now, transfer_id, &pending);
        } else {
            self.pass_on(now, transfer_id, pending, TransferOutcome::Rejected);
        }
        Ok(Some(Response::Done))
    }

    /// The receiver declined, let it time out, or left: a group transfer tries the next agent;
    /// otherwise the transfer ends with `outcome`.
    fn pass_on(
        &mut self,
        now: Now,
        transfer_id: TransferId,
        mut pending: PendingTransfer,
        outcome: TransferOutcome,
    ) {
        if let TransferTarget::Group(_) = pending.target {
            if let Some(conn) = self.live_conn(pending.center_id, pending.to_agent) {
                let session_id = pending.session_id;
                let event = Event::TransferResolved {
                    transfer_id,
                    session_id,
                    outcome,
                };
                self.event(conn, event);
            }
            pending.tried.push(pending.to_agent);
            self.offer_transfer(now, transfer_id, pending, outcome);
            return;
        }
        let to = Some(pending.to_agent);
        self.resolve_transfer(now, transfer_id, &pending, to, outcome, true);
    }

    pub(super) fn transfer_timed_out(&mut self, now: Now, transfer_id: TransferId) {
        if let Some(pending) = self.conversation.transfers.take(transfer_id) {
            self.pass_on(now, transfer_id, pending, TransferOutcome::TimedOut);
        }
    }

    /// Ends a transfer: stored, and `TransferResolved` to the sender (and to the receiver when
    /// `tell_receiver`).
    fn resolve_transfer(
        &mut self,
        now: Now,
        transfer_id: TransferId,
        pending: &PendingTransfer,
        to_agent: Option<AgentId>,
        outcome: TransferOutcome,
        tell_receiver: bool,
    ) {
        debug!(%transfer_id, ?outcome, "transfer resolved");
        self.persist(StoreOp::Conversation(ConversationOp::ResolveTransfer {
            transfer_id,
            to_agent,
            outcome,
            at: now.unix_ms,
        }));
        let event = Event::TransferResolved {
            transfer_id,
            session_id: pending.session_id,
            outcome,
        };
        let sender = self.live_conn(pending.center_id, pending.from_agent);
        let receiver = to_agent
            .filter(|_| tell_receiver)
            .and_then(|a| self.live_conn(pending.center_id, a));
        for conn in [sender, receiver].into_iter().flatten() {
            self.event(conn, event.clone());
        }
    }

    /// Accepted: the session moves to the receiver (see the module docs).
    fn move_session(&mut self, now: Now, transfer_id: TransferId, pending: &PendingTransfer) {
        let (center_id, session_id, to) = (pending.center_id, pending.session_id, pending.to_agent);
        let to_name = self
            .centers
            .get(&center_id)
            .and_then(|c| c.accounts.get(&to))
            .map(|a| a.display_name.clone())
            .unwrap_or_default();
        let running: Vec<_> = self
            .sessions
            .get(&session_id)
            .map(|s| {
                s.actions
                    .iter()
                    .filter(|(_, st)| matches!(st, ActionState::Requested | ActionState::Granted))
                    .map(|(a, _)| *a)
                    .collect()
            })
            .unwrap_or_default();
        for action in running {
            self.set_action(session_id, action, ActionState::Stopped, Party::Relay);
        }
        let to_conn = self.live_conn(center_id, to);
        let Some(s) = self.sessions.get_mut(&session_id) else {
            return;
        };
        let old_conn = s.agent_conn;
        let from = s.stored.agent_id;
        s.stored.agent_id = to;
        s.stored.agent_name.clone_from(&to_name);
        s.agent_conn = to_conn;
        let customer = s.customer_conn;
        self.persist(StoreOp::Conversation(ConversationOp::MoveSession {
            session_id,
            agent_id: to,
        }));
        let data = serde_json::json!({
            "session_id": session_id.0,
            "from_agent": self.webhook_agent(center_id, from),
            "to_agent": self.webhook_agent(center_id, to),
            "transferred_at": now.unix_ms,
        });
        self.webhook(
            center_id,
            porpoise_protocol::wire::WebhookEvent::SessionTransferred,
            now.unix_ms,
            data,
        );
        self.resolve_transfer(
            now,
            transfer_id,
            pending,
            Some(to),
            TransferOutcome::Accepted,
            true,
        );
        if let Some(old) = old_conn {
            let to_agent_name = to_name.clone();
            self.event(
                old,
                Event::SessionTransferredAway {
                    session_id,
                    to_agent_name,
                },
            );
        }
        if let (Some(conn), Some(info)) = (
            to_conn,
            self.session_info(session_id, WELCOME_HISTORY_BYTES),
        ) {
            self.event(conn, Event::SessionStarted(info));
        }
        if let Some(conn) = customer {
            let agent_name = to_name;
            self.event(
                conn,
                Event::AgentChanged {
                    session_id,
                    agent_name,
                },
            );
        }
        self.conversation.automation.agent_wrote(session_id);
        self.agents_changed(now, center_id);
        self.route_center(now, center_id);
    }

    /// The session ended: its waiting transfer ends `Unavailable` for both agents.
    pub(super) fn cancel_transfers_of_session(&mut self, now: Now, session_id: SessionId) {
        let ids: Vec<TransferId> = self
            .conversation
            .transfers
            .pending
            .iter()
            .filter(|(_, t)| t.session_id == session_id)
            .map(|(id, _)| *id)
            .collect();
        for id in ids {
            if let Some(p) = self.conversation.transfers.take(id) {
                let to = Some(p.to_agent);
                self.resolve_transfer(now, id, &p, to, TransferOutcome::Unavailable, true);
            }
        }
    }

    /// An agent logged out: transfers offered to it pass on; its own stay (the session stays
    /// its own until accepted).
    pub(super) fn transfers_agent_left(&mut self, now: Now, center_id: CenterId, agent: AgentId) {
        let ids: Vec<TransferId> = self
            .conversation
            .transfers
            .pending
            .iter()
            .filter(|(_, t)| t.center_id == center_id && t.to_agent == agent)
            .map(|(id, _)| *id)
            .collect();
        for id in ids {
            if let Some(p) = self.conversation.transfers.take(id) {
                self.pass_on(now, id, p, TransferOutcome::Unavailable);
            }
        }
    }
}
