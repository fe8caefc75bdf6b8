//! Agent logins and presence (R3, R4), seats (R1), the agent list and the agent's Welcome.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use porpoise_protocol::wire::{
    AgentCard, AgentWelcome, ApiError, CenterId, Event, Presence, RefusedReason, Response,
    ServerMessage, UnixMs, Welcome,
};
use tracing::info;

use super::routing::Broadcast;
use super::{
    Account, Action, AgentId, CenterInfo, ConnId, ConnKind, Connection, Core, Now, StoreOp,
    WELCOME_HISTORY_BYTES,
};

/// Least time between two `AgentsChanged` (with showcase `ServiceOptionsChanged`) or two
/// `QueueChanged` broadcasts of a large center: with 1,000 agents one broadcast is ~1,000 cards
/// or 500 queue entries to each of them.
pub const BROADCAST_INTERVAL: Duration = Duration::from_secs(1);

/// Logged-in accounts of a center above which its broadcasts are spaced by
/// [`BROADCAST_INTERVAL`].
pub const BROADCAST_DEFER_MIN_AGENTS: usize = 50;

/// Queued customers of a center above which position updates are spaced by
/// [`BROADCAST_INTERVAL`] (when the head of a long queue is served, everyone moves).
pub const BROADCAST_DEFER_MIN_QUEUE: usize = 100;

/// A logged-in account.
#[derive(Debug, Clone)]
pub(super) struct LiveAgent {
    pub conn: ConnId,
    pub presence: Presence,
    /// Client IP of the login, as text.
    pub address: String,
    /// Unix ms of the login.
    pub since: UnixMs,
    /// Since when the agent is idle for routing: login or end of its last session.
    pub idle_since: Instant,
}

impl Core {
    /// See [`Core::handle_login`].
    pub(super) fn login_agent(
        &mut self,
        now: Now,
        conn: ConnId,
        center: &CenterInfo,
        account: Account,
        address: SocketAddr,
    ) {
        self.register_center(center);
        let center_id = center.center_id;
        let agent_id = account.agent_id;
        if let Some(expired_at) = center.expires_at.filter(|at| *at <= now.unix_ms) {
            info!(%center_id, %agent_id, "login refused: the center expired");
            let reason = RefusedReason::CenterExpired { expired_at };
            self.actions.push_back(Action::Refuse { conn, reason });
            return;
        }
        if let Some(live) = self.live.get(&(center_id, agent_id)) {
            let reason = RefusedReason::AlreadyLoggedIn {
                address: live.address.clone(),
                since: live.since,
            };
            info!(%center_id, %agent_id, "second login refused: {reason}");
            self.actions.push_back(Action::Refuse { conn, reason });
            return;
        }
        let display_name = account.display_name.clone();
        let Some(state) = self.centers.get_mut(&center_id) else {
            return;
        };
        state.put_account(account);
        let serves = state
            .accounts
            .get(&agent_id)
            .is_some_and(|a| a.can(porpoise_protocol::wire::Permission::ServeCustomers));
        state.agents.insert(conn);
        let seat_free = self.seats_used(center_id) < self.seats(center_id);
        let presence = if serves && seat_free {
            Presence::Online
        } else {
            Presence::Offline
        };
        if serves && !seat_free {
            info!(%center_id, %agent_id, "no free seat: logged in Offline");
        }
        self.live.insert(
            (center_id, agent_id),
            LiveAgent {
                conn,
                presence,
                address: address.ip().to_string(),
                since: now.unix_ms,
                idle_since: now.instant,
            },
        );
        self.agents_online.insert((center_id, agent_id), conn);
        let actor = self.audit_actor(center_id, agent_id);
        self.audit(
            center_id,
            actor,
            super::AuditAction::Login,
            String::new(),
            format!("from {}", address.ip()),
        );
        let kind = ConnKind::Agent {
            agent_id,
            display_name: display_name.clone(),
        };
        self.conns.insert(
            conn,
            Connection {
                center_id,
                kind,
                address,
            },
        );
        self.welcome_agent(now, conn, center_id, agent_id, display_name);
        self.agents_changed(now, center_id);
        self.route_center(now, center_id);
    }

    /// An agent's connection is gone: presence `Exited`, its open offers go to the next agent.
    pub(super) fn agent_gone(
        &mut self,
        now: Now,
        center_id: CenterId,
        agent_id: AgentId,
        conn: ConnId,
    ) {
        let key = (center_id, agent_id);
        if self.live.get(&key).is_some_and(|l| l.conn == conn) {
            self.live.remove(&key);
        }
        self.withdraw_offers_of_agent(now, center_id, agent_id);
        self.transfers_agent_left(now, center_id, agent_id);
        self.agents_changed(now, center_id);
        self.route_center(now, center_id);
    }

    /// Seats bought by the center.
    pub(super) fn seats(&self, center_id: CenterId) -> u32 {
        self.centers.get(&center_id).map_or(0, |c| c.settings.seats)
    }

    /// Logged-in accounts of the center that occupy a seat (Online, Busy, Away).
    pub(super) fn seats_used(&self, center_id: CenterId) -> u32 {
        let used = self
            .live
            .iter()
            .filter(|((c, _), l)| *c == center_id && l.presence.uses_seat())
            .count();
        u32::try_from(used).unwrap_or(u32::MAX)
    }

    /// Presence of an account (`Exited` when not logged in).
    pub(super) fn presence_of(&self, center_id: CenterId, agent_id: AgentId) -> Presence {
        self.live
            .get(&(center_id, agent_id))
            .map_or(Presence::Exited, |l| l.presence)
    }

    /// Agent sets its own presence (R4). `automatic` (auto-away and back) is only logged.
    ///
    /// Errors: `Forbidden` for roles that do not serve; `Invalid` for `Exited`;
    /// `NoFreeSeat` when Online/Busy/Away would exceed the center's seats.
    pub(super) fn set_presence(
        &mut self,
        now: Now,
        center_id: CenterId,
        agent_id: AgentId,
        presence: Presence,
        automatic: bool,
    ) -> Result<Option<Response>, ApiError> {
        let serves = self
            .centers
            .get(&center_id)
            .and_then(|c| c.accounts.get(&agent_id))
            .is_some_and(|a| a.can(porpoise_protocol::wire::Permission::ServeCustomers));
        if !serves {
            return Err(ApiError::NotPermitted {
                needed: porpoise_protocol::wire::Permission::ServeCustomers,
            });
        }
        if presence == Presence::Exited {
            return Err(ApiError::Malformed {
                field: porpoise_protocol::wire::Field::Presence,
            });
        }
        let current = self.presence_of(center_id, agent_id);
        if presence.uses_seat() && !current.uses_seat() {
            let seats = self.seats(center_id);
            if self.seats_used(center_id) >= seats {
                return Err(ApiError::NoFreeSeat { seats });
            }
        }
        let live = self
            .live
            .get_mut(&(center_id, agent_id))
            .ok_or(ApiError::NotFound {
                what: porpoise_protocol::wire::Thing::Login,
            })?;
        live.presence = presence;
        info!(%center_id, %agent_id, ?presence, automatic, "presence set");
        self.agents_changed(now, center_id);
        if presence == Presence::Online {
            self.route_center(now, center_id);
        }
        Ok(Some(Response::Done))
    }

    /// Agent stores its auto-away minutes (the console detects idleness).
    pub(super) fn set_auto_away(
        &mut self,
        center_id: CenterId,
        agent_id: AgentId,
        minutes: Option<u16>,
    ) -> Result<Option<Response>, ApiError> {
        let account = self
            .centers
            .get_mut(&center_id)
            .and_then(|c| c.accounts.get_mut(&agent_id))
            .ok_or(ApiError::NotFound {
                what: porpoise_protocol::wire::Thing::Agent,
            })?;
        account.auto_away_min = minutes.filter(|m| *m > 0);
        let minutes = account.auto_away_min;
        self.persist(StoreOp::SetAutoAway { agent_id, minutes });
        Ok(Some(Response::Done))
    }

    /// Open sessions of an agent.
    pub(super) fn session_count(&self, center_id: CenterId, agent_id: AgentId) -> u32 {
        let n = self
            .sessions
            .values()
            .filter(|s| s.stored.center_id == center_id && s.stored.agent_id == agent_id)
            .count();
        u32::try_from(n).unwrap_or(u32::MAX)
    }

    /// Cards of every account of the center that serves, by id, within [`AGENT_LIST_BYTES`]
    /// ([`fit_agent_cards`]).
    pub(super) fn agent_cards(&self, center_id: CenterId) -> Vec<AgentCard> {
        let Some(center) = self.centers.get(&center_id) else {
            return Vec::new();
        };
        let mut sessions: std::collections::HashMap<AgentId, u32> = Default::default();
        for s in self.sessions.values() {
            if s.stored.center_id == center_id {
                *sessions.entry(s.stored.agent_id).or_default() += 1;
            }
        }
        let cards = center
            .accounts
            .values()
            .filter(|a| a.can(porpoise_protocol::wire::Permission::ServeCustomers))
            .map(|a| AgentCard {
                agent_id: a.agent_id,
                nickname: a.display_name.clone(),
                title: a.title.clone(),
                phone: a.phone.clone(),
                photo: a.photo.clone(),
                groups: a.groups.clone(),
                presence: self.presence_of(center_id, a.agent_id),
                sessions: sessions.get(&a.agent_id).copied().unwrap_or(0),
                max_sessions: a.max_sessions,
            })
            .collect();
        fit_agent_cards(cards, AGENT_LIST_BYTES)
    }

    /// Presence or load changed: queued customers get new estimates now, and the center's
    /// accounts `AgentsChanged` (in showcase mode its customers the new options); see
    /// [`Core::broadcast`] for the pacing.
    pub(super) fn agents_changed(&mut self, now: Now, center_id: CenterId) {
        self.broadcast(now, center_id, Broadcast::Positions);
        self.broadcast(now, center_id, Broadcast::Agents);
    }

    /// Sends a center-wide broadcast at once, or, in a large center (more than
    /// [`BROADCAST_DEFER_MIN_AGENTS`] logged-in accounts; for positions more than
    /// [`BROADCAST_DEFER_MIN_QUEUE`] queued customers), at most once per
    /// [`BROADCAST_INTERVAL`]: a change within the interval is sent, together with every other
    /// change meanwhile, when it ends (full lists and current positions, so nothing is lost).
    pub(super) fn broadcast(&mut self, now: Now, center_id: CenterId, kind: Broadcast) {
        let large = self.centers.get(&center_id).is_some_and(|c| match kind {
            Broadcast::Positions => c.queue.len() > BROADCAST_DEFER_MIN_QUEUE,
            Broadcast::Agents | Broadcast::Queue => c.agents.len() > BROADCAST_DEFER_MIN_AGENTS,
        });
        if large {
            let pending = self
                .routing
                .broadcasts
                .iter()
                .any(|(_, c, k)| *c == center_id && *k == kind);
            if pending {
                return;
            }
            if let Some(last) = self.routing.last_broadcast.get(&(center_id, kind)) {
                if now.instant < *last + BROADCAST_INTERVAL {
                    let due = *last + BROADCAST_INTERVAL;
                    self.routing.broadcasts.insert((due, center_id, kind));
                    return;
                }
            }
        }
        self.send_broadcast(now, center_id, kind);
    }

    /// Sends the deferred broadcasts due at `now`.
    pub(super) fn flush_broadcasts(&mut self, now: Now) {
        while let Some(&(due, center_id, kind)) = self.routing.broadcasts.first() {
            if due > now.instant {
                break;
            }
            self.routing.broadcasts.pop_first();
            self.send_broadcast(now, center_id, kind);
        }
    }

    fn send_broadcast(&mut self, now: Now, center_id: CenterId, kind: Broadcast) {
        self.routing
            .last_broadcast
            .insert((center_id, kind), now.instant);
        match kind {
            Broadcast::Agents => self.broadcast_agents(now, center_id),
            Broadcast::Positions => self.positions_changed(center_id),
            Broadcast::Queue => {
                let queue = self.queue_entries(center_id);
                let count = self
                    .centers
                    .get(&center_id)
                    .map_or(0, |c| u32::try_from(c.queue.len()).unwrap_or(u32::MAX));
                self.tell_agents(center_id, &Event::QueueChanged { queue, count });
            }
        }
    }

    fn broadcast_agents(&mut self, now: Now, center_id: CenterId) {
        let agents = self.agent_cards(center_id);
        self.tell_agents(center_id, &Event::AgentsChanged { agents });
        let showcase = self.centers.get(&center_id).is_some_and(|c| {
            c.settings.service_mode == porpoise_protocol::wire::ServiceMode::Showcase
        });
        if showcase {
            self.service_options_changed(center_id, now);
        }
    }

    fn welcome_agent(
        &mut self,
        now: Now,
        conn: ConnId,
        center_id: CenterId,
        agent_id: AgentId,
        name: String,
    ) {
        let mut ids = Vec::new();
        for (id, s) in self.sessions.iter_mut() {
            if s.stored.center_id == center_id && s.stored.agent_id == agent_id {
                s.agent_conn = Some(conn);
                ids.push(*id);
            }
        }
        for offer in self.routing.offers.values_mut() {
            if offer.center_id == center_id && offer.agent_id == agent_id {
                offer.conn = conn;
            }
        }
        let budget = WELCOME_HISTORY_BYTES / ids.len().max(1);
        let sessions = ids
            .iter()
            .filter_map(|id| self.session_info(*id, budget))
            .collect();
        let (offline_messages, offline_pending) = self.pending_offline(center_id);
        let Some(center) = self.centers.get(&center_id) else {
            return;
        };
        let account = center.accounts.get(&agent_id);
        let profile = AgentWelcome {
            agent_id,
            role: account.map_or(porpoise_protocol::wire::Role::Agent, |a| a.role),
            permissions: account.map(|a| a.permissions.clone()).unwrap_or_default(),
            presence: self.presence_of(center_id, agent_id),
            auto_away_min: account.and_then(|a| a.auto_away_min),
            queue_count: u32::try_from(center.queue.len()).unwrap_or(u32::MAX),
            agents: self.agent_cards(center_id),
            groups: super::directory::agent_groups(&center.groups),
            product_types: super::directory::agent_product_types(&center.product_types),
            settings: super::records::public_settings(&center.settings),
            offline_messages,
            offline_pending,
            offers: Vec::new(),
        };
        let offers = self.offers_of(now, center_id, agent_id);
        let welcome = Welcome::Agent {
            display_name: name,
            queue: self.queue_entries(center_id),
            sessions,
            profile: AgentWelcome { offers, ..profile },
        };
        self.send(conn, ServerMessage::Welcome(welcome));
    }
}

/// Budget of the agent cards in a Welcome, `AgentsChanged` or the showcase options (issue 14):
/// 2000 accounts with 16 KiB photos would be 32 MiB, far over a 256 KiB control frame.
pub const AGENT_LIST_BYTES: usize = 128 * 1024;

/// A card's weight against [`AGENT_LIST_BYTES`]: its texts and photo plus 64 bytes.
fn card_bytes(card: &AgentCard) -> usize {
    64 + card.nickname.len()
        + card.title.len()
        + card.phone.len()
        + card.photo.len()
        + 4 * card.groups.len()
}

/// Fits `cards` (in their order) into `budget` bytes: first photos are left out, offline
/// agents' before others' (the console shows initials instead); then offline agents' cards,
/// then the last cards. Nothing changes when they fit.
pub(crate) fn fit_agent_cards(mut cards: Vec<AgentCard>, budget: usize) -> Vec<AgentCard> {
    let mut total: usize = cards.iter().map(card_bytes).sum();
    if total <= budget {
        return cards;
    }
    let offline = |c: &AgentCard| c.presence == Presence::Offline;
    let mut order: Vec<usize> = (0..cards.len()).collect();
    order.sort_by_key(|&i| (!offline(&cards[i]), std::cmp::Reverse(i)));
    for i in order {
        if total <= budget {
            break;
        }
        total -= cards[i].photo.len();
        cards[i].photo.clear();
    }
    while total > budget {
        let i = cards
            .iter()
            .rposition(offline)
            .unwrap_or(cards.len().saturating_sub(1));
        if cards.is_empty() {
            break;
        }
        total -= card_bytes(&cards.remove(i));
    }
    tracing::debug!(
        cards = cards.len(),
        "agent cards over their budget: photos or cards left out"
    );
    cards
}

#[cfg(test)]
mod card_budget_tests {
    use super::*;
    use porpoise_protocol::wire::AgentId;

    fn card(id: i64, presence: Presence, photo: usize) -> AgentCard {
        AgentCard {
            agent_id: AgentId(id),
            nickname: format!("客服{id}"),
            title: String::new(),
            phone: String::new(),
            photo: "p".repeat(photo),
            groups: Vec::new(),
            presence,
            sessions: 0,
            max_sessions: 5,
        }
    }

    #[test]
    fn cards_that_fit_are_untouched() {
        let cards: Vec<AgentCard> = (0..10).map(|i| card(i, Presence::Online, 1000)).collect();
        assert_eq!(fit_agent_cards(cards.clone(), AGENT_LIST_BYTES), cards);
    }

    /// 2000 accounts with 16 KiB photos (32 MiB) fit the budget: photos go first (offline
    /// agents' first), then offline agents' cards; every online agent stays listed.
    #[test]
    fn a_huge_center_fits_its_budget_and_keeps_online_agents() {
        let cards: Vec<AgentCard> = (0..2000)
            .map(|i| {
                let presence = if i % 2 == 0 {
                    Presence::Online
                } else {
                    Presence::Offline
                };
                card(i, presence, porpoise_protocol::wire::MAX_PHOTO_BYTES)
            })
            .collect();
        let fitted = fit_agent_cards(cards, AGENT_LIST_BYTES);
        let total: usize = fitted.iter().map(card_bytes).sum();
        assert!(total <= AGENT_LIST_BYTES, "{total}");
        let online = fitted
            .iter()
            .filter(|c| c.presence == Presence::Online)
            .count();
        assert_eq!(online, 1000);
        assert!(
            fitted.windows(2).all(|w| w[0].agent_id < w[1].agent_id),
            "order kept"
        );
        // A center with a few photos keeps them.
        let few: Vec<AgentCard> = (0..5)
            .map(|i| {
                card(
                    i,
                    Presence::Offline,
                    porpoise_protocol::wire::MAX_PHOTO_BYTES,
                )
            })
            .collect();
        assert!(fit_agent_cards(few, AGENT_LIST_BYTES)
            .iter()
            .all(|c| !c.photo.is_empty()));
    }
}
