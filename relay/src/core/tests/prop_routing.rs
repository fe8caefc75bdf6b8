//! Property test of routing (issue 3): random logins, logouts, presence changes, requests,
//! picks, offer answers, countdowns, disconnects and session ends. Whatever the order: no
//! customer is lost or served by two agents, no offer goes to an ineligible agent, one offer
//! per ticket at most, and the queue keeps its order.

use porpoise_protocol::wire::rpc;
use std::collections::{HashMap, HashSet};

use porpoise_protocol::wire::{
    AgentId, Event, GroupId, Presence, Request, Response, ServerMessage, ServiceRoute, TicketId,
};
use proptest::prelude::*;

use super::*;
use crate::core::Account;

const AGENTS: [(AgentId, &[GroupId]); 3] = [
    (AgentId(10), &[GroupId(1)]),
    (AgentId(11), &[GroupId(2)]),
    (AgentId(12), &[GroupId(1), GroupId(2)]),
];
const CUSTOMERS: u8 = 5;

#[derive(Debug, Clone)]
enum Step {
    Login(u8),
    Logout(u8),
    Presence(u8, u8),
    Request(u8, u8),
    Leave(u8),
    Pick { agent: u8, pick: u8 },
    Answer { agent: u8, accept: bool },
    Timeout,
    Drop(u8),
    Rejoin(u8),
    End(u8),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (0u8..3).prop_map(Step::Login),
        (0u8..3).prop_map(Step::Logout),
        (0u8..3, 0u8..4).prop_map(|(a, p)| Step::Presence(a, p)),
        (0..CUSTOMERS, 0u8..3).prop_map(|(c, g)| Step::Request(c, g)),
        (0..CUSTOMERS).prop_map(Step::Leave),
        (0u8..3, 0u8..6).prop_map(|(agent, pick)| Step::Pick { agent, pick }),
        (0u8..3, any::<bool>()).prop_map(|(agent, accept)| Step::Answer { agent, accept }),
        Just(Step::Timeout),
        (0..CUSTOMERS).prop_map(Step::Drop),
        (0..CUSTOMERS).prop_map(Step::Rejoin),
        (0u8..3).prop_map(Step::End),
    ]
}

fn presence(p: u8) -> Presence {
    [
        Presence::Online,
        Presence::Busy,
        Presence::Away,
        Presence::Offline,
    ][usize::from(p % 4)]
}

fn account(a: u8) -> Account {
    let (id, groups) = AGENTS[usize::from(a)];
    Account {
        groups: groups.to_vec(),
        max_sessions: 2,
        ..Account::agent(CENTER_A, id, "A")
    }
}

struct World {
    h: Harness,
    agent_conn: HashMap<u8, ConnId>,
    customer_conn: HashMap<u8, ConnId>,
    next_conn: ConnId,
    created: HashSet<TicketId>,
    served: HashSet<TicketId>,
    left: HashSet<TicketId>,
    rejected: HashSet<(TicketId, AgentId)>,
    id: RequestId,
}

impl World {
    fn new() -> Self {
        let snapshot = Snapshot {
            centers: vec![center(CENTER_A)],
            groups: vec![
                (CENTER_A, super::routing::group(1, "a")),
                (CENTER_A, super::routing::group(2, "b")),
            ],
            ..Default::default()
        };
        let mut w = World {
            h: Harness::with_snapshot(snapshot),
            agent_conn: HashMap::new(),
            customer_conn: HashMap::new(),
            next_conn: ConnId(100),
            created: HashSet::new(),
            served: HashSet::new(),
            left: HashSet::new(),
            rejected: HashSet::new(),
            id: RequestId(0),
        };
        for c in 0..CUSTOMERS {
            w.rejoin(c);
        }
        w
    }

    fn conn(&mut self) -> ConnId {
        self.next_conn.0 += 1;
        self.next_conn
    }

    fn rejoin(&mut self, c: u8) -> Vec<Action> {
        let conn = self.conn();
        self.customer_conn.insert(c, conn);
        self.h.customer(conn, CENTER_A, InstallId(u128::from(c)))
    }

    fn ticket_of(&self, c: u8) -> Option<TicketId> {
        self.h.core.centers[&CENTER_A]
            .queue
            .iter()
            .find(|t| t.install_id == InstallId(u128::from(c)))
            .map(|t| t.ticket_id)
    }

    fn run(&mut self, step: Step) -> Vec<Action> {
        self.id.0 += 1;
        let id = self.id;
        self.h.tick(500);
        match step {
            Step::Login(a) => {
                let conn = self.conn();
                let actions = self.h.login(conn, account(a));
                if actions.iter().any(|x| matches!(x, Action::Send { conn: c, msg: ServerMessage::Welcome(_) } if *c == conn)) {
                    self.agent_conn.insert(a, conn);
                }
                actions
            }
            Step::Logout(a) => match self.agent_conn.remove(&a) {
                Some(conn) => self.h.disconnect(conn),
                None => Vec::new(),
            },
            Step::Presence(a, p) => match self.agent_conn.get(&a).copied() {
                Some(conn) => self.h.req(
                    conn,
                    id,
                    Request::SetPresence(rpc::SetPresence {
                        presence: presence(p),
                        automatic: false,
                    }),
                ),
                None => Vec::new(),
            },
            Step::Request(c, g) => {
                let conn = self.customer_conn[&c];
                let group_id = (g > 0).then_some(GroupId(u32::from(g)));
                let route = ServiceRoute::AutoAssign {
                    group_id,
                    product_type_id: None,
                };
                let body = Request::RequestService(rpc::RequestService {
                    name: "n".into(),
                    phone: String::new(),
                    route,
                });
                let actions = self.h.req(conn, id, body);
                if has_response(&actions, conn, id) {
                    if let Ok(Response::Queued(rpc::Queued { ticket_id, .. })) =
                        response(&actions, conn, id)
                    {
                        self.created.insert(ticket_id);
                    }
                }
                actions
            }
            Step::Leave(c) => {
                let ticket = self.ticket_of(c);
                let actions = self.h.req(
                    self.customer_conn[&c],
                    id,
                    Request::LeaveQueue(rpc::LeaveQueue),
                );
                if let Some(t) = ticket {
                    self.left.insert(t);
                }
                actions
            }
            Step::Pick { agent, pick } => {
                let Some(conn) = self.agent_conn.get(&agent).copied() else {
                    return Vec::new();
                };
                let queue = self.h.core.queue_entries(CENTER_A);
                let ticket_id = queue
                    .get(usize::from(pick))
                    .map_or(TicketId(9999), |e| e.ticket_id);
                self.h.req(
                    conn,
                    id,
                    Request::AcceptCustomer(rpc::AcceptCustomer { ticket_id }),
                )
            }
            Step::Answer { agent, accept } => {
                let Some(conn) = self.agent_conn.get(&agent).copied() else {
                    return Vec::new();
                };
                let agent_id = AGENTS[usize::from(agent)].0;
                let open = self
                    .h
                    .core
                    .routing
                    .offers
                    .iter()
                    .find(|(_, o)| o.agent_id == agent_id)
                    .map(|(offer_id, o)| (*offer_id, o.offer.ticket_id));
                let Some((offer_id, ticket_id)) = open else {
                    return Vec::new();
                };
                if !accept {
                    self.rejected.insert((ticket_id, agent_id));
                }
                self.h.req(
                    conn,
                    id,
                    Request::AnswerOffer(rpc::AnswerOffer { offer_id, accept }),
                )
            }
            Step::Timeout => match self.h.core.poll_timeout() {
                Some(at) => {
                    while self.h.now.instant < at {
                        self.h.tick(1000);
                    }
                    self.h.core.handle_timeout(self.h.now);
                    let actions = self.h.drain();
                    // A dropped customer who did not come back within the grace leaves.
                    for op in persisted(&actions) {
                        if let StoreOp::CloseTicket {
                            ticket_id,
                            outcome: crate::core::TicketOutcome::Left,
                        } = op
                        {
                            self.left.insert(ticket_id);
                        }
                    }
                    actions
                }
                None => Vec::new(),
            },
            Step::Drop(c) => self.h.disconnect(self.customer_conn[&c]),
            Step::Rejoin(c) => self.rejoin(c),
            Step::End(a) => {
                let Some(conn) = self.agent_conn.get(&a).copied() else {
                    return Vec::new();
                };
                let agent_id = AGENTS[usize::from(a)].0;
                let session = self
                    .h
                    .core
                    .sessions
                    .iter()
                    .find(|(_, s)| s.stored.agent_id == agent_id)
                    .map(|(id, _)| *id);
                match session {
                    Some(session_id) => self.h.req(
                        conn,
                        id,
                        Request::EndSession(rpc::EndSession { session_id }),
                    ),
                    None => Vec::new(),
                }
            }
        }
    }

    /// Checks every offer sent in `actions` and the invariants of the state after them.
    fn check(&mut self, actions: &[Action]) -> Result<(), TestCaseError> {
        let core = &self.h.core;
        for a in actions {
            if let Action::Send {
                conn,
                msg: ServerMessage::Event(Event::OfferReceived(offer)),
            } = a
            {
                let (key, live) =
                    core.live
                        .iter()
                        .find(|(_, l)| l.conn == *conn)
                        .ok_or_else(|| {
                            TestCaseError::fail("offer to a connection that is not logged in")
                        })?;
                let agent_id = key.1;
                prop_assert_eq!(
                    live.presence,
                    Presence::Online,
                    "offer to a non-Online agent"
                );
                prop_assert!(
                    !self.rejected.contains(&(offer.ticket_id, agent_id)),
                    "re-offered after a reject"
                );
                let groups = AGENTS
                    .iter()
                    .find(|(id, _)| *id == agent_id)
                    .map(|(_, g)| *g)
                    .unwrap_or(&[]);
                if let Some(g) = offer.group_id {
                    prop_assert!(groups.contains(&g), "offer outside the agent's group");
                }
                let load = core.session_count(CENTER_A, agent_id) as usize
                    + core
                        .routing
                        .offers
                        .values()
                        .filter(|o| o.agent_id == agent_id)
                        .count();
                prop_assert!(load <= 2, "offer beyond max_sessions");
            }
            if let Action::Send {
                conn,
                msg:
                    ServerMessage::Response {
                        result: Ok(Response::SessionStarted(info)),
                        ..
                    },
            } = a
            {
                let ticket = core
                    .sessions
                    .get(&info.session_id)
                    .map(|s| s.stored.ticket_id);
                if let Some(ticket) = ticket {
                    prop_assert!(
                        self.served.insert(ticket),
                        "ticket {} served twice (conn {})",
                        ticket,
                        conn
                    );
                }
            }
        }
        for s in core.sessions.values() {
            self.served.insert(s.stored.ticket_id);
        }
        let queue = &core.centers[&CENTER_A].queue;
        let mut installs = HashSet::new();
        let mut last = TicketId(0);
        for t in queue {
            prop_assert!(installs.insert(t.install_id), "queued twice");
            prop_assert!(
                !core
                    .session_of_customer
                    .contains_key(&(CENTER_A, t.install_id)),
                "queued while served"
            );
            prop_assert!(
                !self.served.contains(&t.ticket_id),
                "served ticket still queued"
            );
            prop_assert!(t.ticket_id > last, "queue order broken");
            last = t.ticket_id;
        }
        let queued: HashSet<TicketId> = queue.iter().map(|t| t.ticket_id).collect();
        for t in &self.created {
            prop_assert!(
                queued.contains(t) || self.served.contains(t) || self.left.contains(t),
                "ticket {} lost",
                t
            );
        }
        let mut offered = HashSet::new();
        for o in core.routing.offers.values() {
            prop_assert!(
                offered.insert(o.offer.ticket_id),
                "two offers for one ticket"
            );
            prop_assert!(
                queued.contains(&o.offer.ticket_id),
                "offer of a ticket not queued"
            );
        }
        prop_assert_eq!(offered.len(), core.routing.by_ticket.len());
        Ok(())
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]
    #[test]
    fn routing_never_loses_or_doubles_customers(steps in proptest::collection::vec(step(), 1..80)) {
        let mut w = World::new();
        for step in steps {
            let actions = w.run(step);
            w.check(&actions)?;
        }
    }
}
