//! Sans-IO tests of the core: a virtual clock, no sockets.

mod center;
mod conversation;
mod directory;
mod files;
mod library;
mod prop;
mod prop_routing;
mod prop_transfer;
mod queue;
mod reconnect;
mod records;
mod routing;
mod session;
mod survey;
mod sysinfo;
mod transfer;

use porpoise_protocol::wire::rpc;
use std::time::{Duration, Instant};

use porpoise_protocol::wire::{
    AgentId, ApiError, CenterId, Event, MediaKind, Request, RequestId, Response, ServerMessage,
    ServiceRoute, SessionId, TicketId, Welcome,
};

use super::{Account, Action, CenterInfo, ConnId, Core, InstallId, Login, Now, Snapshot, StoreOp};

pub(super) const CENTER_A: CenterId = CenterId(8_000_001);
pub(super) const CENTER_B: CenterId = CenterId(8_000_002);

/// A core with two centers and a virtual clock.
pub(super) struct Harness {
    pub core: Core,
    pub now: Now,
}

pub(super) fn center(center_id: CenterId) -> CenterInfo {
    CenterInfo {
        center_id,
        name: format!("Center {center_id}"),
        created_at: 0,
        expires_at: None,
    }
}

impl Harness {
    pub fn new() -> Self {
        let snapshot = Snapshot {
            centers: vec![center(CENTER_A), center(CENTER_B)],
            ..Default::default()
        };
        Self::with_snapshot(snapshot)
    }

    pub fn with_snapshot(snapshot: Snapshot) -> Self {
        let now = Now {
            instant: Instant::now(),
            unix_ms: 1_700_000_000_000,
        };
        Harness {
            core: Core::new(snapshot),
            now,
        }
    }

    /// Advances the virtual clock.
    pub fn tick(&mut self, ms: u64) {
        self.now.instant += Duration::from_millis(ms);
        self.now.unix_ms += i64::try_from(ms).expect("ms");
    }

    pub fn drain(&mut self) -> Vec<Action> {
        std::iter::from_fn(|| self.core.poll_action()).collect()
    }

    pub fn agent(&mut self, conn: ConnId, center_id: CenterId, agent_id: AgentId) -> Vec<Action> {
        let account = Account::agent(center_id, agent_id, &format!("Agent {agent_id}"));
        self.login(conn, account)
    }

    /// Logs `account` in on `conn` from 10.0.0.1.
    pub fn login(&mut self, conn: ConnId, account: Account) -> Vec<Action> {
        let login = Login::Agent {
            center: center(account.center_id),
            account: Box::new(account),
            address: "10.0.0.1:5000".parse().expect("addr"),
        };
        self.core.handle_login(self.now, conn, login);
        self.drain()
    }

    /// Customer `conn` connects from `ip`.
    pub fn customer_from(
        &mut self,
        conn: ConnId,
        center_id: CenterId,
        install_id: InstallId,
        ip: &str,
    ) -> Vec<Action> {
        self.core.handle_login(
            self.now,
            conn,
            Login::Customer {
                center: center(center_id),
                install_id,
                address: std::net::SocketAddr::new(ip.parse().expect("ip"), 6000),
            },
        );
        self.drain()
    }

    pub fn customer(
        &mut self,
        conn: ConnId,
        center_id: CenterId,
        install_id: InstallId,
    ) -> Vec<Action> {
        self.customer_from(conn, center_id, install_id, "192.0.2.1")
    }

    pub fn req(&mut self, conn: ConnId, id: RequestId, body: Request) -> Vec<Action> {
        self.core.handle_request(self.now, conn, id, body);
        self.drain()
    }

    pub fn disconnect(&mut self, conn: ConnId) -> Vec<Action> {
        self.core.handle_disconnect(self.now, conn);
        self.drain()
    }

    /// Customer `conn` requests service and returns its ticket id.
    pub fn queue(&mut self, conn: ConnId, name: &str) -> TicketId {
        let body = Request::RequestService(rpc::RequestService {
            name: name.into(),
            phone: "123".into(),
            route: any_group(),
        });
        let actions = self.req(conn, RequestId(900), body);
        match response(&actions, conn, RequestId(900)) {
            Ok(Response::Queued(rpc::Queued { ticket_id, .. })) => ticket_id,
            other => panic!("not queued: {other:?}"),
        }
    }

    /// Agent `agent` accepts `ticket_id` and returns the session id.
    pub fn accept(&mut self, agent: ConnId, ticket_id: TicketId) -> SessionId {
        let actions = self.req(
            agent,
            RequestId(901),
            Request::AcceptCustomer(rpc::AcceptCustomer { ticket_id }),
        );
        match response(&actions, agent, RequestId(901)) {
            Ok(Response::SessionStarted(info)) => info.session_id,
            other => panic!("not accepted: {other:?}"),
        }
    }

    /// Runs every pending chat write to completion with `ok`; returns the resulting actions.
    pub fn persist_chats(&mut self, actions: &[Action], ok: bool) -> Vec<Action> {
        for op in persisted(actions) {
            if let StoreOp::InsertChat { token, .. } = op {
                self.core.handle_chat_persisted(self.now, token, ok);
            }
        }
        self.drain()
    }
}

/// The auto-assign route with no group and no product type.
pub(super) fn any_group() -> ServiceRoute {
    ServiceRoute::AutoAssign {
        group_id: None,
        product_type_id: None,
    }
}

/// Messages sent to `conn`.
pub(super) fn sent_to(actions: &[Action], conn: ConnId) -> Vec<ServerMessage> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Send { conn: c, msg } if *c == conn => Some(msg.clone()),
            _ => None,
        })
        .collect()
}

/// Events sent to `conn`.
pub(super) fn events_to(actions: &[Action], conn: ConnId) -> Vec<Event> {
    sent_to(actions, conn)
        .into_iter()
        .filter_map(|m| match m {
            ServerMessage::Event(e) => Some(e),
            _ => None,
        })
        .collect()
}

/// The welcome sent to `conn`.
pub(super) fn welcome(actions: &[Action], conn: ConnId) -> Welcome {
    sent_to(actions, conn)
        .into_iter()
        .find_map(|m| match m {
            ServerMessage::Welcome(w) => Some(w),
            _ => None,
        })
        .expect("a welcome")
}

/// The response to request `id` sent to `conn`.
pub(super) fn response(
    actions: &[Action],
    conn: ConnId,
    id: RequestId,
) -> Result<Response, ApiError> {
    let found = sent_to(actions, conn).into_iter().find_map(|m| match m {
        ServerMessage::Response { id: i, result } if i == id => Some(result),
        _ => None,
    });
    found.unwrap_or_else(|| panic!("no response {id} to conn {conn} in {actions:#?}"))
}

/// True if some response to request `id` went to `conn`.
pub(super) fn has_response(actions: &[Action], conn: ConnId, id: RequestId) -> bool {
    sent_to(actions, conn)
        .iter()
        .any(|m| matches!(m, ServerMessage::Response { id: i, .. } if *i == id))
}

/// Store operations emitted.
pub(super) fn persisted(actions: &[Action]) -> Vec<StoreOp> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Persist(op) => Some(op.clone()),
            _ => None,
        })
        .collect()
}

/// True if the actions cut `kind` media in `session_id`.
pub(super) fn cuts(actions: &[Action], session_id: SessionId, kind: MediaKind) -> bool {
    actions.iter().any(|a| {
        matches!(a, Action::CutMedia { session_id: s, kinds } if *s == session_id && kinds.contains(&kind))
    })
}
