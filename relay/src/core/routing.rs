//! Routing of queued customers to agents by offers with a countdown (R5 auto-assign and
//! showcase, R7).
//!
//! **Strategy.** Queued tickets are routed oldest first (queue order is kept). For each ticket
//! without an open offer, the eligible agents are those that are logged in, `Online`, of a role
//! that serves, active, with auto-assign on (M13), with `load = sessions + open offers <
//! max_sessions`, in the ticket's group (any group when the ticket names none), handling the
//! ticket's product type (the second key: an agent with no product types listed handles all),
//! and that have not rejected this ticket. **Region routing:** when the ticket names no group
//! and the customer's region (country of their address, `core/region.rs`) is listed by some
//! groups, agents of those groups come first; others get it only when none of them is
//! eligible. Among them the
//! relay picks the **longest idle** (an agent is idle while its load is 0, since login or since
//! its last session ended; idle agents come before busy ones), ties (and busy agents) by
//! **fewest sessions** (open offers count), then **lowest account id**. Agents whose offer of
//! this ticket timed out are picked only when nobody else is eligible.
//!
//! **Showcase.** The agent the customer picked gets the first offer if eligible; once that
//! agent rejects it, lets it time out, or cannot take it (not Online, full), the preference is
//! dropped and the ticket is routed by the strategy above like any queued ticket.
//!
//! Exactly one offer per ticket is open at a time; an agent may hold several. An offered ticket
//! stays in the queue (agents in `PickAny` view see it; picking it withdraws the offer with
//! `TakenElsewhere`). Offers are not durable: after a restart their tickets are simply queued and
//! routed again. A pass runs whenever an agent may have become eligible (login, Online, a
//! session ended, an offer ended) or a ticket arrived.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::time::{Duration, Instant};

use porpoise_protocol::wire::{
    ApiError, CenterId, Event, Offer, OfferEnd, OfferId, Presence, Response, TicketId,
};
use tracing::debug;

use super::{AgentId, ConnId, Core, Now, StoreOp};

/// Open offers, their countdowns and who declined which ticket.
#[derive(Debug, Default)]
pub(super) struct Routing {
    pub offers: BTreeMap<OfferId, OpenOffer>,
    pub by_ticket: HashMap<TicketId, OfferId>,
    deadlines: BTreeSet<(Instant, OfferId)>,
    /// Agents that rejected a ticket: never offered it again.
    pub rejected: HashMap<TicketId, HashSet<AgentId>>,
    /// Agents whose offer of a ticket timed out: offered it again only as a last resort.
    pub timed_out: HashMap<TicketId, HashSet<AgentId>>,
    next_offer_id: OfferId,
    /// Deferred broadcasts (see `presence::BROADCAST_INTERVAL`).
    pub broadcasts: BTreeSet<(Instant, CenterId, Broadcast)>,
    /// Open offers per center (to skip a pass when every queued ticket has one).
    pub per_center: HashMap<CenterId, usize>,
    /// When each center's broadcast of each kind was last sent.
    pub last_broadcast: HashMap<(CenterId, Broadcast), Instant>,
}

/// A center-wide broadcast that large centers send at most once per interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(super) enum Broadcast {
    /// `AgentsChanged` to agents (and showcase `ServiceOptionsChanged` to customers).
    Agents,
    /// `QueueChanged` to agents.
    Queue,
    /// `QueuePosition` to each queued customer whose position or estimate changed.
    Positions,
}

/// One open offer.
#[derive(Debug, Clone)]
pub(super) struct OpenOffer {
    pub center_id: CenterId,
    pub agent_id: AgentId,
    pub conn: ConnId,
    pub deadline: Instant,
    /// The wire offer (its `expires_in_ms` is recomputed when re-sent).
    pub offer: Offer,
}

impl Routing {
    /// Earliest offer countdown or deferred broadcast.
    pub fn next_deadline(&self) -> Option<Instant> {
        let offer = self.deadlines.first().map(|(at, _)| *at);
        let broadcast = self.broadcasts.first().map(|(at, _, _)| *at);
        match (offer, broadcast) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    fn remove(&mut self, offer_id: OfferId) -> Option<OpenOffer> {
        let open = self.offers.remove(&offer_id)?;
        self.by_ticket.remove(&open.offer.ticket_id);
        if let Some(n) = self.per_center.get_mut(&open.center_id) {
            *n = n.saturating_sub(1);
        }
        self.deadlines.remove(&(open.deadline, offer_id));
        Some(open)
    }

    /// Forgets everything about a ticket that left the queue.
    pub fn forget_ticket(&mut self, ticket_id: TicketId) {
        self.rejected.remove(&ticket_id);
        self.timed_out.remove(&ticket_id);
    }
}

/// An agent that may get an offer in this pass.
struct Candidate<'a> {
    agent_id: AgentId,
    conn: ConnId,
    /// Since when the agent is idle; `None` while it has sessions or offers.
    idle_since: Option<Instant>,
    load: u32,
    max: u32,
    groups: &'a [porpoise_protocol::wire::GroupId],
    /// Product types handled; empty = all.
    product_types: &'a [porpoise_protocol::wire::ProductTypeId],
    /// Gets offers by the strategy (M13); off = only as the customer's showcase choice.
    auto_assign: bool,
}

impl Core {
    /// Offers every queued ticket without an open offer to the best eligible agent (see the
    /// module docs), oldest ticket first.
    pub(super) fn route_center(&mut self, now: Now, center_id: CenterId) {
        for (index, agent_id, conn) in self.plan_offers(center_id) {
            self.make_offer(now, center_id, index, agent_id, conn);
        }
    }

    /// The offers a routing pass makes: (queue index, agent, agent's connection). Pure.
    fn plan_offers(&self, center_id: CenterId) -> Vec<(usize, AgentId, ConnId)> {
        let mut cands = self.candidates(center_id);
        let mut picks = Vec::new();
        let Some(center) = self.centers.get(&center_id) else {
            return picks;
        };
        for (index, t) in center.queue.iter().enumerate() {
            if cands.is_empty() {
                break;
            }
            if self.routing.by_ticket.contains_key(&t.ticket_id) {
                continue;
            }
            let rejected = self.routing.rejected.get(&t.ticket_id);
            let timed_out = self.routing.timed_out.get(&t.ticket_id);
            // Region routing (R7): without a group asked for, agents of the groups that list
            // the customer's region come first.
            let regional: Vec<porpoise_protocol::wire::GroupId> = match (&t.region, t.group_id) {
                (Some(region), None) => center
                    .groups
                    .iter()
                    .filter(|g| g.regions.contains(region))
                    .map(|g| g.group_id)
                    .collect(),
                _ => Vec::new(),
            };
            let elsewhere = |c: &Candidate| {
                !regional.is_empty() && !c.groups.iter().any(|g| regional.contains(g))
            };
            let fits = |c: &Candidate| {
                t.group_id.is_none_or(|g| c.groups.contains(&g))
                    && t.product_type_id
                        .is_none_or(|p| c.product_types.is_empty() || c.product_types.contains(&p))
                    && !rejected.is_some_and(|r| r.contains(&c.agent_id))
            };
            let auto = |c: &&Candidate| c.auto_assign;
            let fresh = |c: &Candidate| !timed_out.is_some_and(|x| x.contains(&c.agent_id));
            let key = |c: &&Candidate| {
                (
                    elsewhere(c),
                    c.idle_since.is_none(),
                    c.idle_since,
                    c.load,
                    c.agent_id,
                )
            };
            let pick = t
                .preferred_agent
                .and_then(|p| {
                    cands
                        .iter()
                        .position(|c| c.agent_id == p && fits(c) && fresh(c))
                })
                .or_else(|| {
                    let best = cands
                        .iter()
                        .filter(auto)
                        .filter(|c| fits(c) && fresh(c))
                        .min_by_key(key);
                    let best = best.or_else(|| {
                        cands
                            .iter()
                            .filter(auto)
                            .filter(|c| fits(c))
                            .min_by_key(key)
                    });
                    best.and_then(|b| cands.iter().position(|c| c.agent_id == b.agent_id))
                });
            let Some(i) = pick else { continue };
            picks.push((index, cands[i].agent_id, cands[i].conn));
            cands[i].load += 1;
            cands[i].idle_since = None;
            if cands[i].load >= cands[i].max {
                cands.swap_remove(i);
            }
        }
        picks
    }

    /// Agents of the center that may get an offer now, with their load.
    fn candidates(&self, center_id: CenterId) -> Vec<Candidate<'_>> {
        let Some(center) = self.centers.get(&center_id) else {
            return Vec::new();
        };
        let offered = self
            .routing
            .per_center
            .get(&center_id)
            .copied()
            .unwrap_or(0);
        if center.queue.len() <= offered {
            return Vec::new();
        }
        let mut sessions: HashMap<AgentId, u32> = HashMap::new();
        for s in self.sessions.values() {
            if s.stored.center_id == center_id {
                *sessions.entry(s.stored.agent_id).or_default() += 1;
            }
        }
        let mut offers: HashMap<AgentId, u32> = HashMap::new();
        for o in self.routing.offers.values() {
            if o.center_id == center_id {
                *offers.entry(o.agent_id).or_default() += 1;
            }
        }
        self.live
            .iter()
            .filter(|((c, _), l)| *c == center_id && l.presence == Presence::Online)
            .filter_map(|((_, agent_id), l)| {
                let account = center.accounts.get(agent_id)?;
                let s = sessions.get(agent_id).copied().unwrap_or(0);
                let load = s + offers.get(agent_id).copied().unwrap_or(0);
                let serves = account.can(porpoise_protocol::wire::Permission::ServeCustomers);
                (serves && load < account.max_sessions).then(|| Candidate {
                    agent_id: *agent_id,
                    conn: l.conn,
                    idle_since: (load == 0).then_some(l.idle_since),
                    load,
                    max: account.max_sessions,
                    groups: &account.groups,
                    product_types: &account.product_types,
                    auto_assign: account.auto_assign,
                })
            })
            .collect()
    }

    /// Offers the ticket at `index` of the center's queue to `agent_id`.
    fn make_offer(
        &mut self,
        now: Now,
        center_id: CenterId,
        index: usize,
        agent_id: AgentId,
        conn: ConnId,
    ) {
        let Some(center) = self.centers.get(&center_id) else {
            return;
        };
        let Some(ticket) = center.queue.get(index) else {
            return;
        };
        let ticket_id = ticket.ticket_id;
        let timeout_ms = u64::from(center.settings.offer_timeout_s) * 1000;
        self.routing.next_offer_id.0 += 1;
        let offer_id = self.routing.next_offer_id;
        let offer = Offer {
            offer_id,
            ticket_id,
            customer_name: ticket.name.clone(),
            customer_phone: ticket.phone.clone(),
            group_id: ticket.group_id,
            product_type_id: ticket.product_type_id,
            expires_in_ms: timeout_ms,
        };
        let deadline = now.instant + Duration::from_millis(timeout_ms);
        debug!(%center_id, %ticket_id, %agent_id, %offer_id, "offer");
        self.routing.offers.insert(
            offer_id,
            OpenOffer {
                center_id,
                agent_id,
                conn,
                deadline,
                offer: offer.clone(),
            },
        );
        self.routing.by_ticket.insert(ticket_id, offer_id);
        *self.routing.per_center.entry(center_id).or_default() += 1;
        self.routing.deadlines.insert((deadline, offer_id));
        self.event(conn, Event::OfferReceived(offer));
    }

    /// Agent answers an offer. Accept starts the session; reject passes the customer on and
    /// this agent is never offered the same ticket again.
    ///
    /// Errors: `UnknownTicket` if the offer is gone or is not this agent's (offers of other
    /// centers are indistinguishable from gone ones).
    pub(super) fn answer_offer(
        &mut self,
        now: Now,
        conn: ConnId,
        center_id: CenterId,
        agent_id: AgentId,
        offer_id: OfferId,
        accept: bool,
    ) -> Result<Option<Response>, ApiError> {
        let mine = self
            .routing
            .offers
            .get(&offer_id)
            .is_some_and(|o| o.center_id == center_id && o.agent_id == agent_id);
        if !mine {
            return Err(ApiError::UnknownTicket);
        }
        let open = self
            .routing
            .remove(offer_id)
            .ok_or(ApiError::UnknownTicket)?;
        let ticket_id = open.offer.ticket_id;
        if accept {
            let info = self.start_session(now, center_id, ticket_id, agent_id, Some(conn))?;
            return Ok(Some(Response::SessionStarted(info)));
        }
        self.routing
            .rejected
            .entry(ticket_id)
            .or_default()
            .insert(agent_id);
        self.persist(StoreOp::RecordRejection {
            ticket_id,
            agent_id,
        });
        self.clear_preference(center_id, ticket_id);
        self.route_center(now, center_id);
        Ok(Some(Response::Done))
    }

    /// Fires routing timers due at `now`: offer countdowns (`OfferWithdrawn{TimedOut}` to the
    /// agent, the customer goes to the next agent) and deferred agent-list broadcasts.
    pub(super) fn expire_offers(&mut self, now: Now) {
        self.flush_broadcasts(now);
        let mut centers = BTreeSet::new();
        while let Some(&(at, offer_id)) = self.routing.deadlines.first() {
            if at > now.instant {
                break;
            }
            let Some(open) = self.routing.remove(offer_id) else {
                self.routing.deadlines.pop_first();
                continue;
            };
            let ticket_id = open.offer.ticket_id;
            debug!(
                %offer_id,
                %ticket_id,
                agent_id = %open.agent_id,
                "offer timed out"
            );
            self.routing
                .timed_out
                .entry(ticket_id)
                .or_default()
                .insert(open.agent_id);
            self.clear_preference(open.center_id, ticket_id);
            let reason = OfferEnd::TimedOut;
            self.event(open.conn, Event::OfferWithdrawn { offer_id, reason });
            centers.insert(open.center_id);
        }
        for center_id in centers {
            self.route_center(now, center_id);
        }
    }

    /// Withdraws the open offer of a ticket (if any), telling its agent why.
    pub(super) fn withdraw_ticket_offer(&mut self, ticket_id: TicketId, reason: OfferEnd) {
        self.withdraw_ticket_offer_for(ticket_id, reason, None);
    }

    /// As [`Self::withdraw_ticket_offer`], for a ticket `taker` just took: if the open offer
    /// was `taker`'s own, the reason becomes `TakenByYou` (its console closes the prompt
    /// without telling the agent a colleague took the customer).
    pub(super) fn withdraw_ticket_offer_for(
        &mut self,
        ticket_id: TicketId,
        reason: OfferEnd,
        taker: Option<AgentId>,
    ) {
        let Some(offer_id) = self.routing.by_ticket.get(&ticket_id).copied() else {
            return;
        };
        if let Some(open) = self.routing.remove(offer_id) {
            let reason = if taker == Some(open.agent_id) {
                OfferEnd::TakenByYou
            } else {
                reason
            };
            self.event(open.conn, Event::OfferWithdrawn { offer_id, reason });
        }
    }

    /// Drops the open offers of an agent that left (no event: its connection is gone).
    pub(super) fn withdraw_offers_of_agent(
        &mut self,
        _now: Now,
        center_id: CenterId,
        agent_id: AgentId,
    ) {
        let ids: Vec<OfferId> = self
            .routing
            .offers
            .iter()
            .filter(|(_, o)| o.center_id == center_id && o.agent_id == agent_id)
            .map(|(id, _)| *id)
            .collect();
        for id in ids {
            self.routing.remove(id);
        }
    }

    /// Offers open to an agent, with their remaining countdown.
    pub(super) fn offers_of(&self, now: Now, center_id: CenterId, agent_id: AgentId) -> Vec<Offer> {
        self.routing
            .offers
            .values()
            .filter(|o| o.center_id == center_id && o.agent_id == agent_id)
            .map(|o| {
                let left = o.deadline.saturating_duration_since(now.instant);
                let expires_in_ms = u64::try_from(left.as_millis()).unwrap_or(u64::MAX);
                Offer {
                    expires_in_ms,
                    ..o.offer.clone()
                }
            })
            .collect()
    }

    fn clear_preference(&mut self, center_id: CenterId, ticket_id: TicketId) {
        if let Some(center) = self.centers.get_mut(&center_id) {
            if let Some(t) = center.queue.iter_mut().find(|t| t.ticket_id == ticket_id) {
                t.preferred_agent = None;
            }
        }
    }
}
