//! Sans-IO dispatcher of the relay: connections, per-center queues, sessions, chat and consent.
//!
//! The core does no I/O and never reads the clock (the time comes in as [`Now`]). The driver in
//! `net` feeds it with `handle_*` calls, then drains [`Core::poll_action`] and executes each
//! [`Action`] (send a frame, persist a [`StoreOp`], cut media, close a connection). Media routing
//! is a pure query, [`Core::route_media`], which the driver calls in the same task that executes
//! cuts, so a check and a revoke can never interleave.
//!
//! Like quinn-proto, the core is driven with a virtual clock in tests (see `tests/`).
//!
//! [`throttle`] holds the other sans-IO piece of the relay: [`LoginThrottle`], which counts
//! failed logins per account and per client address (the network layer owns it and asks it
//! before verifying a password).

mod queue;
mod session;
pub mod throttle;
mod types;

#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};
use std::time::Instant;

use porpoise_shared::framing::MAX_CONTROL_FRAME_BYTES;
use porpoise_shared::wire::{
    ActionState, CenterId, ChatMessage, Event, MediaKind, MessageId, Party, RemoteAction, Request,
    RequestError, RequestId, Response, ServerMessage, SessionId, SessionInfo, TicketId, Welcome,
};

pub use throttle::{LoginThrottle, ThrottlePolicy, Throttled};
pub use types::{
    Action, AgentId, CenterInfo, CloseReason, ConnId, InstallId, Login, MediaRefusal, MediaRoute,
    Now, OpenSession, PersistToken, Snapshot, StoreOp, Ticket, TicketOutcome,
};

/// Total chat-text budget of the session histories in one Welcome, in bytes, so that the frame
/// stays under `MAX_CONTROL_FRAME_BYTES`; older messages beyond it are left out.
pub const WELCOME_HISTORY_BYTES: usize = MAX_CONTROL_FRAME_BYTES / 2;
/// Most queue entries sent in one `QueueChanged` or Welcome (oldest first), to bound the frame.
pub const MAX_QUEUE_ENTRIES_SENT: usize = 500;
/// Per-message overhead counted against [`WELCOME_HISTORY_BYTES`], in bytes.
const MESSAGE_OVERHEAD_BYTES: usize = 48;

/// What a logged-in connection is.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Role {
    Agent {
        agent_id: AgentId,
        display_name: String,
    },
    Customer {
        install_id: InstallId,
    },
}

#[derive(Debug, Clone)]
struct Connection {
    center_id: CenterId,
    role: Role,
}

impl Connection {
    fn party(&self) -> Party {
        match self.role {
            Role::Agent { .. } => Party::Agent,
            Role::Customer { .. } => Party::Customer,
        }
    }
}

#[derive(Debug)]
struct CenterState {
    name: String,
    queue: VecDeque<Ticket>,
    agents: BTreeSet<ConnId>,
}

/// An open session. Each party's link is `Some(conn)` while that party is connected.
#[derive(Debug)]
struct Session {
    stored: OpenSession,
    customer_conn: Option<ConnId>,
    agent_conn: Option<ConnId>,
    actions: BTreeMap<RemoteAction, ActionState>,
    message_ids: HashSet<MessageId>,
}

/// A chat message waiting for the store; every request that sent it is answered when it is.
#[derive(Debug)]
struct PendingChat {
    session_id: SessionId,
    message: ChatMessage,
    waiters: Vec<(ConnId, RequestId)>,
}

/// The relay's state machine. See the module docs.
#[derive(Debug)]
pub struct Core {
    centers: HashMap<CenterId, CenterState>,
    conns: HashMap<ConnId, Connection>,
    agents_online: HashMap<(CenterId, AgentId), ConnId>,
    customers_online: HashMap<(CenterId, InstallId), ConnId>,
    sessions: BTreeMap<SessionId, Session>,
    session_of_customer: HashMap<(CenterId, InstallId), SessionId>,
    pending_chats: HashMap<PersistToken, PendingChat>,
    next_ticket_id: TicketId,
    next_session_id: SessionId,
    next_token: PersistToken,
    actions: VecDeque<Action>,
}

impl Core {
    /// A core holding the state loaded from the store at start-up.
    pub fn new(snapshot: Snapshot) -> Self {
        let mut core = Core {
            centers: HashMap::new(),
            conns: HashMap::new(),
            agents_online: HashMap::new(),
            customers_online: HashMap::new(),
            sessions: BTreeMap::new(),
            session_of_customer: HashMap::new(),
            pending_chats: HashMap::new(),
            next_ticket_id: snapshot.max_ticket_id + 1,
            next_session_id: snapshot.max_session_id + 1,
            next_token: 1,
            actions: VecDeque::new(),
        };
        for center in snapshot.centers {
            core.register_center(&center);
        }
        for ticket in snapshot.queue {
            if let Some(center) = core.centers.get_mut(&ticket.center_id) {
                center.queue.push_back(ticket);
            }
        }
        for stored in snapshot.sessions {
            core.insert_session(stored);
        }
        core
    }

    /// Next action for the driver, in the order they must be executed.
    pub fn poll_action(&mut self) -> Option<Action> {
        self.actions.pop_front()
    }

    /// When the core next wants [`Core::handle_timeout`]; `None` while no timer runs (offers
    /// with countdowns will use this).
    pub fn poll_timeout(&self) -> Option<Instant> {
        None
    }

    /// Fires timers due at `now`. Nothing is timed yet.
    pub fn handle_timeout(&mut self, _now: Now) {}

    /// A connection passed its Hello: registers it and sends its Welcome. A newer login of the
    /// same agent account or helper install replaces the older connection, which is closed with
    /// [`CloseReason::LoggedInElsewhere`].
    pub fn handle_login(&mut self, now: Now, conn: ConnId, login: Login) {
        match login {
            Login::Agent {
                center,
                agent_id,
                display_name,
            } => {
                self.register_center(&center);
                let key = (center.center_id, agent_id);
                if let Some(old) = self.agents_online.insert(key, conn) {
                    self.kick(now, old);
                }
                let role = Role::Agent {
                    agent_id,
                    display_name: display_name.clone(),
                };
                self.conns.insert(
                    conn,
                    Connection {
                        center_id: center.center_id,
                        role,
                    },
                );
                if let Some(state) = self.centers.get_mut(&center.center_id) {
                    state.agents.insert(conn);
                }
                self.welcome_agent(conn, center.center_id, agent_id, display_name);
            }
            Login::Customer { center, install_id } => {
                self.register_center(&center);
                let key = (center.center_id, install_id);
                if let Some(old) = self.customers_online.insert(key, conn) {
                    self.kick(now, old);
                }
                let role = Role::Customer { install_id };
                self.conns.insert(
                    conn,
                    Connection {
                        center_id: center.center_id,
                        role,
                    },
                );
                self.welcome_customer(conn, center, install_id);
            }
        }
    }

    /// A connection is gone (closed, lost or kicked). Its sessions stay open for a reconnect,
    /// but their running actions stop and their media is cut. A queued customer stays queued.
    pub fn handle_disconnect(&mut self, now: Now, conn: ConnId) {
        let Some(c) = self.conns.remove(&conn) else {
            return;
        };
        match &c.role {
            Role::Agent { agent_id, .. } => {
                let key = (c.center_id, *agent_id);
                if self.agents_online.get(&key) == Some(&conn) {
                    self.agents_online.remove(&key);
                }
                if let Some(state) = self.centers.get_mut(&c.center_id) {
                    state.agents.remove(&conn);
                }
            }
            Role::Customer { install_id } => {
                let key = (c.center_id, *install_id);
                if self.customers_online.get(&key) == Some(&conn) {
                    self.customers_online.remove(&key);
                }
            }
        }
        let ids: Vec<SessionId> = self
            .sessions
            .iter()
            .filter(|(_, s)| s.agent_conn == Some(conn) || s.customer_conn == Some(conn))
            .map(|(id, _)| *id)
            .collect();
        for session_id in ids {
            self.detach(now, session_id, conn);
        }
    }

    /// A request from a logged-in connection. Answers (now or, for chat, once durable) with
    /// exactly one `Response` carrying `id`. Requests from unknown connections are ignored.
    pub fn handle_request(&mut self, now: Now, conn: ConnId, id: RequestId, body: Request) {
        let Some(c) = self.conns.get(&conn).cloned() else {
            return;
        };
        let result = match (&c.role, body) {
            (Role::Customer { install_id }, Request::RequestService { name, phone }) => {
                self.request_service(now, &c, *install_id, name, phone)
            }
            (Role::Customer { install_id }, Request::LeaveQueue) => {
                self.leave_queue(c.center_id, *install_id)
            }
            (
                Role::Agent {
                    agent_id,
                    display_name,
                },
                Request::AcceptCustomer { ticket_id },
            ) => {
                let agent = (*agent_id, display_name.clone());
                self.accept_customer(now, conn, c.center_id, agent, ticket_id)
            }
            (
                _,
                Request::SendChat {
                    session_id,
                    message_id,
                    text,
                },
            ) => self.send_chat(now, conn, id, &c, session_id, message_id, text),
            (Role::Agent { .. }, Request::RequestAction { session_id, action }) => {
                self.request_action(conn, &c, session_id, action)
            }
            (
                Role::Customer { .. },
                Request::AnswerConsent {
                    session_id,
                    action,
                    grant,
                },
            ) => self.answer_consent(conn, &c, session_id, action, grant),
            (_, Request::StopAction { session_id, action }) => {
                self.stop_action(conn, &c, session_id, action)
            }
            (_, Request::EndSession { session_id }) => self.end_session(now, conn, &c, session_id),
            _ => Err(RequestError::Forbidden),
        };
        match result {
            Ok(Some(response)) => self.respond(conn, id, Ok(response)),
            Ok(None) => {}
            Err(err) => self.respond(conn, id, Err(err)),
        }
    }

    /// Number of live (logged-in) connections.
    pub fn connection_count(&self) -> usize {
        self.conns.len()
    }

    fn register_center(&mut self, center: &CenterInfo) {
        self.centers
            .entry(center.center_id)
            .and_modify(|s| s.name.clone_from(&center.name))
            .or_insert_with(|| CenterState {
                name: center.name.clone(),
                queue: VecDeque::new(),
                agents: BTreeSet::new(),
            });
    }

    fn insert_session(&mut self, stored: OpenSession) {
        let session_id = stored.session_id;
        self.session_of_customer
            .insert((stored.center_id, stored.install_id), session_id);
        let message_ids = stored.messages.iter().map(|m| m.message_id).collect();
        let session = Session {
            stored,
            customer_conn: None,
            agent_conn: None,
            actions: BTreeMap::new(),
            message_ids,
        };
        self.sessions.insert(session_id, session);
    }

    fn kick(&mut self, now: Now, old: ConnId) {
        self.handle_disconnect(now, old);
        self.actions.push_back(Action::Close {
            conn: old,
            reason: CloseReason::LoggedInElsewhere,
        });
    }

    fn welcome_agent(
        &mut self,
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
        let budget = WELCOME_HISTORY_BYTES / ids.len().max(1);
        let sessions = ids
            .iter()
            .filter_map(|id| self.session_info(*id, budget))
            .collect();
        let welcome = Welcome::Agent {
            display_name: name,
            queue: self.queue_entries(center_id),
            sessions,
        };
        self.send(conn, ServerMessage::Welcome(welcome));
    }

    fn welcome_customer(&mut self, conn: ConnId, center: CenterInfo, install_id: InstallId) {
        let key = (center.center_id, install_id);
        let session_id = self.session_of_customer.get(&key).copied();
        if let Some(s) = session_id.and_then(|id| self.sessions.get_mut(&id)) {
            s.customer_conn = Some(conn);
        }
        let session = session_id.and_then(|id| self.session_info(id, WELCOME_HISTORY_BYTES));
        let queue_position = self.queue_position(center.center_id, install_id);
        let welcome = Welcome::Customer {
            center_name: center.name,
            session,
            queue_position,
        };
        self.send(conn, ServerMessage::Welcome(welcome));
    }

    /// The session as the wire shows it, with the newest messages that fit in `budget` bytes.
    fn session_info(&self, session_id: SessionId, budget: usize) -> Option<SessionInfo> {
        let s = &self.sessions.get(&session_id)?.stored;
        let mut used = 0;
        let keep = s
            .messages
            .iter()
            .rev()
            .take_while(|m| {
                used += m.text.len() + MESSAGE_OVERHEAD_BYTES;
                used <= budget
            })
            .count();
        Some(SessionInfo {
            session_id,
            customer_name: s.customer_name.clone(),
            customer_phone: s.customer_phone.clone(),
            agent_name: s.agent_name.clone(),
            started_at: s.started_at,
            messages: s.messages[s.messages.len() - keep..].to_vec(),
        })
    }

    /// Stops every running action of a session and unlinks `conn` from it.
    fn detach(&mut self, _now: Now, session_id: SessionId, conn: ConnId) {
        let Some(s) = self.sessions.get_mut(&session_id) else {
            return;
        };
        if s.agent_conn == Some(conn) {
            s.agent_conn = None;
        }
        if s.customer_conn == Some(conn) {
            s.customer_conn = None;
        }
        let running: Vec<RemoteAction> = s
            .actions
            .iter()
            .filter(|(_, st)| matches!(st, ActionState::Requested | ActionState::Granted))
            .map(|(a, _)| *a)
            .collect();
        for action in running {
            self.set_action(session_id, action, ActionState::Stopped, Party::Relay);
        }
        self.cut_media(session_id, vec![MediaKind::Screen, MediaKind::Input]);
    }

    fn cut_media(&mut self, session_id: SessionId, kinds: Vec<MediaKind>) {
        if !kinds.is_empty() {
            self.actions
                .push_back(Action::CutMedia { session_id, kinds });
        }
    }

    fn send(&mut self, conn: ConnId, msg: ServerMessage) {
        self.actions.push_back(Action::Send { conn, msg });
    }

    fn event(&mut self, conn: ConnId, event: Event) {
        self.send(conn, ServerMessage::Event(event));
    }

    fn respond(&mut self, conn: ConnId, id: RequestId, result: Result<Response, RequestError>) {
        self.send(conn, ServerMessage::Response { id, result });
    }

    fn persist(&mut self, op: StoreOp) {
        self.actions.push_back(Action::Persist(op));
    }
}
