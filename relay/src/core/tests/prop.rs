//! Property test: whatever the order of events, no customer is served twice or lost.

use porpoise_protocol::wire::rpc;
use std::collections::{HashMap, HashSet};

use porpoise_protocol::wire::{Request, Response, TicketId};
use proptest::prelude::*;

use super::*;

#[derive(Debug, Clone)]
enum Step {
    Queue(u8),
    Leave(u8),
    Accept { agent: u8, pick: u8 },
    Drop(u8),
    Rejoin(u8),
    End(u8),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (0u8..6).prop_map(Step::Queue),
        (0u8..6).prop_map(Step::Leave),
        (0u8..3, 0u8..8).prop_map(|(agent, pick)| Step::Accept { agent, pick }),
        (0u8..6).prop_map(Step::Drop),
        (0u8..6).prop_map(Step::Rejoin),
        (0u8..3).prop_map(Step::End),
    ]
}

proptest! {
    #[test]
    fn no_customer_served_twice_or_lost(steps in proptest::collection::vec(step(), 1..60)) {
        let mut h = Harness::new();
        let mut conn_of: HashMap<u8, ConnId> = HashMap::new();
        let mut next_conn = 100;
        for a in 0..3u8 {
            h.agent(ConnId(u64::from(a) + 1), CENTER_A, AgentId(i64::from(a) + 10));
        }
        for c in 0..6u8 {
            h.customer(ConnId(next_conn), CENTER_A, InstallId(u128::from(c)));
            conn_of.insert(c, ConnId(next_conn));
            next_conn += 1;
        }
        let mut open: HashMap<InstallId, SessionId> = HashMap::new();
        let mut served: HashSet<TicketId> = HashSet::new();
        let mut id = 0;
        for step in steps {
            id += 1;
            h.tick(10);
            match step {
                Step::Queue(c) => { h.req(conn_of[&c], RequestId(id), Request::RequestService(rpc::RequestService { name: "n".into(), phone: String::new(), route: any_group() })); }
                Step::Leave(c) => { h.req(conn_of[&c], RequestId(id), Request::LeaveQueue(rpc::LeaveQueue)); }
                Step::Drop(c) => { h.disconnect(conn_of[&c]); }
                Step::Rejoin(c) => {
                    h.customer(ConnId(next_conn), CENTER_A, InstallId(u128::from(c)));
                    conn_of.insert(c, ConnId(next_conn));
                    next_conn += 1;
                }
                Step::Accept { agent, pick } => {
                    let queue = h.core.queue_entries(CENTER_A);
                    let ticket_id = queue.get(usize::from(pick)).map_or(TicketId(9999), |e| e.ticket_id);
                    let actions = h.req(ConnId(u64::from(agent) + 1), RequestId(id), Request::AcceptCustomer(rpc::AcceptCustomer { ticket_id }));
                    if let Ok(Response::SessionStarted(info)) = response(&actions, ConnId(u64::from(agent) + 1), RequestId(id)) {
                        prop_assert!(served.insert(ticket_id), "ticket {} served twice", ticket_id);
                        let install = h.core.sessions[&info.session_id].stored.install_id;
                        prop_assert!(open.insert(install, info.session_id).is_none(), "two open sessions");
                    }
                }
                Step::End(agent) => {
                    if let Some((&install, &session_id)) = open.iter().next() {
                        let conn = h.core.sessions[&session_id].agent_conn.unwrap_or(ConnId(u64::from(agent) + 1));
                        h.req(conn, RequestId(id), Request::EndSession(rpc::EndSession { session_id }));
                        open.remove(&install);
                    }
                }
            }
            // Invariant: each customer is queued at most once, and never queued while in a session.
            let queue = &h.core.centers[&CENTER_A].queue;
            let mut seen = HashSet::new();
            for t in queue {
                prop_assert!(seen.insert(t.install_id), "queued twice");
                prop_assert!(!open.contains_key(&t.install_id), "queued while served");
                prop_assert!(!served.contains(&t.ticket_id), "served ticket still queued");
            }
        }
    }
}
