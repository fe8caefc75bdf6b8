//! Property test of transfers (R8): whatever the order of transfers, answers, timeouts,
//! disconnects and session ends, every open session has exactly one agent, the agents' view
//! (from the events they got) matches the core, and no session is lost.

use porpoise_protocol::wire::rpc;
use std::collections::{BTreeSet, HashMap};

use porpoise_protocol::wire::{
    AgentId, Event, GroupId, Request, Response, ServerMessage, ServiceRoute, SessionId, TransferId,
    TransferTarget, Welcome,
};
use proptest::prelude::*;

use super::conversation::{advance, harness, login_customer, quiet, GROUP};
use super::*;
use crate::core::Account;

const AGENTS: u8 = 3;
const CUSTOMERS: u8 = 4;

#[derive(Debug, Clone)]
enum Step {
    Transfer {
        from: u8,
        pick: u8,
        to: u8,
        group: bool,
    },
    Answer {
        agent: u8,
        pick: u8,
        accept: bool,
    },
    Wait(u16),
    Drop(u8),
    Rejoin(u8),
    End(u8),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => (0..AGENTS, 0u8..8, 0..AGENTS, any::<bool>())
            .prop_map(|(from, pick, to, group)| Step::Transfer { from, pick, to, group }),
        3 => (0..AGENTS, 0u8..8, any::<bool>())
            .prop_map(|(agent, pick, accept)| Step::Answer { agent, pick, accept }),
        2 => (0u16..25).prop_map(Step::Wait),
        1 => (0..AGENTS).prop_map(Step::Drop),
        1 => (0..AGENTS).prop_map(Step::Rejoin),
        1 => (0..CUSTOMERS).prop_map(Step::End),
    ]
}

/// What the test knows: agents' connections and what each believes it serves.
struct World {
    h: Harness,
    conn: HashMap<u8, Option<ConnId>>,
    believes: HashMap<u8, BTreeSet<SessionId>>,
    offers: HashMap<u8, Vec<TransferId>>,
    next_conn: ConnId,
}

fn agent_id(a: u8) -> i64 {
    i64::from(a) * 10 + 10
}

impl World {
    fn login(&mut self, a: u8) {
        let conn = self.next_conn;
        self.next_conn.0 += 1;
        let mut account = Account::agent(CENTER_A, AgentId(agent_id(a)), &format!("客服{a}"));
        account.groups = vec![GroupId(GROUP)];
        let login = Login::Agent {
            center: center(CENTER_A),
            account: Box::new(account),
            address: "127.0.0.1:1".parse().expect("addr"),
        };
        self.h.core.handle_login(self.h.now, conn, login);
        let actions = self.h.drain();
        let Welcome::Agent { sessions, .. } = welcome(&actions, conn) else {
            panic!("agent welcome")
        };
        self.conn.insert(a, Some(conn));
        self.believes
            .insert(a, sessions.iter().map(|s| s.session_id).collect());
        self.offers.insert(a, Vec::new());
        self.observe(&actions);
    }

    /// Updates each agent's beliefs from the messages it got.
    fn observe(&mut self, actions: &[Action]) {
        for a in 0..AGENTS {
            let Some(conn) = self.conn.get(&a).copied().flatten() else {
                continue;
            };
            for msg in sent_to(actions, conn) {
                let believes = self.believes.entry(a).or_default();
                let offers = self.offers.entry(a).or_default();
                match msg {
                    ServerMessage::Response {
                        result: Ok(Response::SessionStarted(info)),
                        ..
                    }
                    | ServerMessage::Event(Event::SessionStarted(info)) => {
                        believes.insert(info.session_id);
                    }
                    ServerMessage::Event(Event::SessionTransferredAway { session_id, .. })
                    | ServerMessage::Event(Event::SessionEnded { session_id, .. }) => {
                        believes.remove(&session_id);
                    }
                    ServerMessage::Event(Event::TransferOffered(o)) => offers.push(o.transfer_id),
                    _ => {}
                }
            }
        }
    }

    fn check(&self, open: &BTreeSet<SessionId>) {
        let core = &self.h.core;
        let actual: BTreeSet<SessionId> = core.sessions.keys().copied().collect();
        assert_eq!(&actual, open, "no session lost or ended by itself");
        for a in 0..AGENTS {
            let owned: BTreeSet<SessionId> = core
                .sessions
                .iter()
                .filter(|(_, s)| s.stored.agent_id == AgentId(agent_id(a)))
                .map(|(id, _)| *id)
                .collect();
            if let Some(conn) = self.conn[&a] {
                assert_eq!(self.believes[&a], owned, "agent {a}'s view");
                for id in &owned {
                    assert_eq!(core.sessions[id].agent_conn, Some(conn));
                }
            } else {
                assert!(owned
                    .iter()
                    .all(|id| core.sessions[id].agent_conn.is_none()));
            }
        }
        for t in core.conversation.transfers.pending.values() {
            assert!(
                core.sessions.contains_key(&t.session_id),
                "transfer of an ended session"
            );
            assert_ne!(t.to_agent, t.from_agent);
            let live = core.live.get(&(CENTER_A, t.to_agent));
            assert!(live.is_some(), "offered to an agent who left");
        }
    }
}

fn run(steps: Vec<Step>) -> World {
    let mut w = World {
        h: harness(quiet()),
        conn: HashMap::new(),
        believes: HashMap::new(),
        offers: HashMap::new(),
        next_conn: ConnId(1),
    };
    for a in 0..AGENTS {
        w.login(a);
    }
    let mut customer_conn = HashMap::new();
    let mut session_of = HashMap::new();
    for c in 0..CUSTOMERS {
        let conn = ConnId(100 + u64::from(c));
        login_customer(&mut w.h, conn, CENTER_A, u128::from(c));
        customer_conn.insert(c, conn);
        let route = ServiceRoute::AutoAssign {
            group_id: None,
            product_type_id: None,
        };
        let body = Request::RequestService(rpc::RequestService {
            name: "n".into(),
            phone: String::new(),
            route,
        });
        let actions = w.h.req(conn, RequestId(1), body);
        let Ok(Response::Queued(rpc::Queued { ticket_id, .. })) =
            response(&actions, conn, RequestId(1))
        else {
            panic!("queued")
        };
        let agent = c % AGENTS;
        let agent_conn = w.conn[&agent].expect("logged in");
        let actions = w.h.req(
            agent_conn,
            RequestId(2),
            Request::AcceptCustomer(rpc::AcceptCustomer { ticket_id }),
        );
        let Ok(Response::SessionStarted(info)) = response(&actions, agent_conn, RequestId(2))
        else {
            panic!("served")
        };
        session_of.insert(c, info.session_id);
        w.observe(&actions);
    }
    let mut open: BTreeSet<SessionId> = session_of.values().copied().collect();
    w.check(&open);
    for (i, step) in steps.into_iter().enumerate() {
        let id = 1000 + i as u64;
        let actions = match step {
            Step::Transfer {
                from,
                pick,
                to,
                group,
            } => {
                let Some(conn) = w.conn[&from] else { continue };
                let mine: Vec<SessionId> = w.believes[&from].iter().copied().collect();
                let Some(&session_id) = mine.get(usize::from(pick) % mine.len().max(1)) else {
                    continue;
                };
                let target = if group {
                    TransferTarget::Group(GroupId(GROUP))
                } else {
                    TransferTarget::Agent(AgentId(agent_id(to)))
                };
                let note = String::new();
                w.h.req(
                    conn,
                    RequestId(id),
                    Request::TransferSession(rpc::TransferSession {
                        session_id,
                        target,
                        note,
                    }),
                )
            }
            Step::Answer {
                agent,
                pick,
                accept,
            } => {
                let Some(conn) = w.conn[&agent] else { continue };
                let offers = &w.offers[&agent];
                let Some(&transfer_id) = offers.get(usize::from(pick) % offers.len().max(1)) else {
                    continue;
                };
                w.h.req(
                    conn,
                    RequestId(id),
                    Request::AnswerTransfer(rpc::AnswerTransfer {
                        transfer_id,
                        accept,
                    }),
                )
            }
            Step::Wait(s) => advance(&mut w.h, u64::from(s) * 1000),
            Step::Drop(a) => match w.conn.insert(a, None).flatten() {
                Some(conn) => w.h.disconnect(conn),
                None => continue,
            },
            Step::Rejoin(a) => {
                if w.conn[&a].is_none() {
                    w.login(a);
                }
                continue;
            }
            Step::End(c) => {
                let session_id = session_of[&c];
                let conn = customer_conn[&c];
                let actions = w.h.req(
                    conn,
                    RequestId(id),
                    Request::EndSession(rpc::EndSession { session_id }),
                );
                open.remove(&session_id);
                actions
            }
        };
        w.observe(&actions);
        w.check(&open);
    }
    w
}

#[test]
fn the_model_sees_an_accepted_transfer() {
    let w = run(vec![
        Step::Transfer {
            from: 0,
            pick: 0,
            to: 1,
            group: false,
        },
        Step::Answer {
            agent: 1,
            pick: 0,
            accept: true,
        },
        Step::Transfer {
            from: 1,
            pick: 0,
            to: 2,
            group: true,
        },
        Step::Wait(21),
    ]);
    // Customers 0 and 3 started with agent 0, 1 with agent 1, 2 with agent 2.
    assert_eq!(w.believes[&0].len(), 1);
    assert_eq!(w.believes[&1].len(), 2, "one session moved to agent 1");
}

proptest! {
    #[test]
    fn every_session_has_one_agent_whatever_the_transfers(
        steps in proptest::collection::vec(step(), 1..60)
    ) {
        run(steps);
    }
}
