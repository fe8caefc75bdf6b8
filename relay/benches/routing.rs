//! Routing-core benchmark (issue 3): the sans-IO core alone, no sockets, no store.
//!
//! 1,000 agents (5 sessions each, two groups) log in; 10,000 customers ask for service; then a
//! steady state where agents accept offers and end sessions, each end routing the next queued
//! customer. Prints events per second per phase and the latency of one core call (request →
//! offer produced) as p50/p99. Run: `cargo bench -p porpoise-relay --bench routing`.

use porpoise_protocol::wire::rpc;
use std::collections::VecDeque;
use std::time::{Duration, Instant};

use porpoise_protocol::wire::{
    AgentId, CatalogEntry, CenterId, Event, GroupId, GroupRecord, InstallId, OfferId, Request,
    RequestId, Response, ServerMessage, ServiceRoute, SessionId,
};
use porpoise_relay::core::{Account, Action, CenterInfo, ConnId, Core, Login, Now, Snapshot};

const CENTER: CenterId = CenterId(8_000_001);
const AGENTS: u64 = 1_000;
const CUSTOMERS: u64 = 10_000;
const STEADY_ROUNDS: usize = 20_000;

struct Bench {
    core: Core,
    now: Now,
    actions: usize,
    offers: VecDeque<(ConnId, OfferId)>,
    sessions: VecDeque<(ConnId, SessionId)>,
}

impl Bench {
    fn drain(&mut self) {
        while let Some(action) = self.core.poll_action() {
            self.actions += 1;
            if let Action::Send { conn, msg } = action {
                match msg {
                    ServerMessage::Event(Event::OfferReceived(o)) => {
                        self.offers.push_back((conn, o.offer_id));
                    }
                    ServerMessage::Response {
                        result: Ok(Response::SessionStarted(info)),
                        ..
                    } => self.sessions.push_back((conn, info.session_id)),
                    _ => {}
                }
            }
        }
    }

    fn tick(&mut self) {
        self.now.instant += Duration::from_millis(1);
        self.now.unix_ms += 1;
        if self
            .core
            .poll_timeout()
            .is_some_and(|t| t <= self.now.instant)
        {
            self.core.handle_timeout(self.now);
        }
    }

    /// Runs one core call and returns its duration (including draining its actions).
    fn timed(&mut self, f: impl FnOnce(&mut Core, Now)) -> Duration {
        self.tick();
        let start = Instant::now();
        f(&mut self.core, self.now);
        self.drain();
        start.elapsed()
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(i).copied().unwrap_or_default()
}

fn report(phase: &str, mut lat: Vec<Duration>, total: Option<Duration>) {
    lat.sort();
    let n = lat.len();
    let rate = total.map_or(String::from("-"), |t| {
        format!("{:.0}", n as f64 / t.as_secs_f64())
    });
    println!(
        "{phase:<28} {n:>6} events  {rate:>9} events/s  p50 {:>7.1} µs  p99 {:>8.1} µs",
        percentile(&lat, 0.5).as_secs_f64() * 1e6,
        percentile(&lat, 0.99).as_secs_f64() * 1e6,
    );
}

fn main() {
    let snapshot = Snapshot {
        centers: vec![CenterInfo {
            center_id: CENTER,
            name: "Bench".into(),
            created_at: 0,
            expires_at: None,
        }],
        groups: vec![
            (
                CENTER,
                GroupRecord {
                    group_id: GroupId(1),
                    entry: CatalogEntry {
                        name: "售后服务".into(),
                        client_name: String::new(),
                        hidden: false,
                    },
                    regions: Vec::new(),
                },
            ),
            (
                CENTER,
                GroupRecord {
                    group_id: GroupId(2),
                    entry: CatalogEntry {
                        name: "技术支持".into(),
                        client_name: String::new(),
                        hidden: false,
                    },
                    regions: Vec::new(),
                },
            ),
        ],
        settings: vec![(
            CENTER,
            porpoise_protocol::wire::CenterSettings {
                seats: 2_000,
                ..Default::default()
            },
        )],
        ..Default::default()
    };
    let mut b = Bench {
        core: Core::new(snapshot),
        now: Now {
            instant: Instant::now(),
            unix_ms: 1_700_000_000_000,
        },
        actions: 0,
        offers: VecDeque::new(),
        sessions: VecDeque::new(),
    };
    let address = "10.0.0.1:1".parse().expect("addr");
    let center = CenterInfo {
        center_id: CENTER,
        name: "Bench".into(),
        created_at: 0,
        expires_at: None,
    };

    let start = Instant::now();
    let mut lat = Vec::new();
    for a in 1..=AGENTS {
        let mut account = Account::agent(CENTER, AgentId(a as i64), "agent");
        account.groups = match a % 3 {
            0 => vec![GroupId(1)],
            1 => vec![GroupId(2)],
            _ => vec![GroupId(1), GroupId(2)],
        };
        let login = Login::Agent {
            center: center.clone(),
            account: Box::new(account),
            address,
        };
        lat.push(b.timed(|core, now| core.handle_login(now, ConnId(a), login)));
    }
    report("agent logins", lat, Some(start.elapsed()));

    let start = Instant::now();
    let mut lat = Vec::new();
    let mut offer_lat = Vec::new();
    for c in 0..CUSTOMERS {
        let conn = ConnId(100_000 + c);
        let login = Login::Customer {
            center: center.clone(),
            install_id: InstallId(u128::from(c)),
            address,
        };
        lat.push(b.timed(|core, now| core.handle_login(now, conn, login)));
        let route = ServiceRoute::AutoAssign {
            group_id: [None, Some(GroupId(1)), Some(GroupId(2))][(c % 3) as usize],
            product_type_id: None,
        };
        let body = Request::RequestService(rpc::RequestService {
            name: "customer".into(),
            phone: "138".into(),
            route,
        });
        let offers = b.offers.len();
        let d = b.timed(|core, now| core.handle_request(now, conn, RequestId(1), body));
        if b.offers.len() > offers {
            offer_lat.push(d);
        }
        lat.push(d);
    }
    report("customer hello + request", lat, Some(start.elapsed()));
    let total = offer_lat.len();
    report("  request → offer", offer_lat, None);
    println!("  offers open after the burst: {total}");

    let start = Instant::now();
    let mut lat = Vec::new();
    let mut end_to_offer = Vec::new();
    for round in 0..STEADY_ROUNDS {
        if round % 2 == 0 {
            if let Some((conn, offer_id)) = b.offers.pop_front() {
                let body = Request::AnswerOffer(rpc::AnswerOffer {
                    offer_id,
                    accept: true,
                });
                lat.push(b.timed(|core, now| core.handle_request(now, conn, RequestId(2), body)));
                continue;
            }
        }
        if let Some((conn, session_id)) = b.sessions.pop_front() {
            let offers = b.offers.len();
            let body = Request::EndSession(rpc::EndSession { session_id });
            let d = b.timed(|core, now| core.handle_request(now, conn, RequestId(3), body));
            if b.offers.len() > offers {
                end_to_offer.push(d);
            }
            lat.push(d);
        }
    }
    report("steady accept/end", lat, Some(start.elapsed()));
    report("  session end → next offer", end_to_offer, None);
    println!("actions emitted in total: {}", b.actions);
}
