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

mod accounts;
mod agent_chat;
mod audit;
mod automation;
mod blocklist;
mod center;
mod codes;
mod common_files;
mod conversation;
mod deadlines;
mod directory;
pub mod hours;
mod integrations;
mod library;
mod offline;
mod presence;
mod queue;
pub mod quota;
mod reconnect;
mod records;
pub mod region;
mod routing;
mod session;
mod storage;
mod survey;
mod sysinfo;
pub mod throttle;
mod transfer;
mod types;
use porpoise_protocol::wire::rpc;
use types::check_message_text;
mod typing;

#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::time::Instant;

use porpoise_protocol::framing::MAX_CONTROL_FRAME_BYTES;
use porpoise_protocol::wire::{
    ActionState, ApiError, CenterId, ChatMessage, Event, MediaKind, MessageId, OfflineMessageId,
    Party, RemoteAction, Request, RequestId, Response, ServerMessage, SessionId, SessionInfo,
    TicketId,
};

use center::CenterState;
use codes::CodeThrottle;
use presence::LiveAgent;
use routing::Routing;

pub use accounts::{check_new_password, PASSWORD_CHANGE_INTERVAL};
pub use audit::{settings_diff, value_diff, AuditAction, AuditEntry, MAX_AUDIT_DETAIL_BYTES};
pub use blocklist::BlockOp;
pub use center::{MAX_HANDLED_KEPT, RECENT_SESSIONS_FOR_ESTIMATE};
pub use codes::CodePolicy;
pub use conversation::{ConversationOp, ConversationSnapshot};
pub use directory::{
    account_record, check_entry, check_profile, check_role, check_username, generate_password,
    profile_of, DirectoryChange, DirectoryOp, GENERATED_PASSWORD_CHARS,
};
pub use integrations::{check_webhook, IntegrationOp};
pub use library::{check_canned_draft, CustomerKey, StoreQuery};
pub use records::{EndedSession, RecordsOp, END_FORM_GRACE_MS};
pub use session::FILE_STREAM_OVERHEAD_BYTES;
pub use throttle::{LoginThrottle, ThrottlePolicy, Throttled};
pub use types::{
    Account, Action, AgentId, CenterInfo, CloseReason, ConnId, ImageBytes, InstallId, Login,
    MediaRefusal, MediaRoute, Now, OpenSession, PersistToken, Secret, Snapshot, StoreOp,
    StoreReport, StoredCode, Ticket, TicketOutcome, DEFAULT_MAX_SESSIONS,
};

/// Total chat-text budget of the session histories in one Welcome, in bytes, so that the frame
/// stays under `MAX_CONTROL_FRAME_BYTES`; older messages beyond it are left out.
pub const WELCOME_HISTORY_BYTES: usize = MAX_CONTROL_FRAME_BYTES / 2;
/// Most queue entries sent in one `QueueChanged` or Welcome (oldest first), to bound the frame.
pub const MAX_QUEUE_ENTRIES_SENT: usize = 500;
/// Per-message overhead counted against [`WELCOME_HISTORY_BYTES`], in bytes.
const MESSAGE_OVERHEAD_BYTES: usize = 48;

/// What a logged-in connection is (not `wire::Role`, an account's role).
#[derive(Debug, Clone, PartialEq, Eq)]
enum ConnKind {
    Agent {
        agent_id: AgentId,
        display_name: String,
    },
    Customer {
        install_id: InstallId,
    },
}

/// The refusal of a request the connection's kind never makes: a customer asking what only
/// agents may, or the other way round.
fn wrong_kind(kind: &ConnKind) -> ApiError {
    let needed = match kind {
        ConnKind::Customer { .. } => porpoise_protocol::wire::Permission::Agent,
        ConnKind::Agent { .. } => porpoise_protocol::wire::Permission::Customer,
    };
    ApiError::NotPermitted { needed }
}

#[derive(Debug, Clone)]
struct Connection {
    center_id: CenterId,
    kind: ConnKind,
    /// Client address (customers: session-code throttling).
    address: std::net::SocketAddr,
}

impl Connection {
    fn party(&self) -> Party {
        match self.kind {
            ConnKind::Agent { .. } => Party::Agent,
            ConnKind::Customer { .. } => Party::Customer,
        }
    }
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
    /// Presence and login facts of each logged-in account (R3, R4).
    live: HashMap<(CenterId, AgentId), LiveAgent>,
    /// Open offers and their countdowns (R5).
    routing: Routing,
    /// Wrong session codes per IP and per center (R5).
    code_throttle: CodeThrottle,
    customers_online: HashMap<(CenterId, InstallId), ConnId>,
    sessions: BTreeMap<SessionId, Session>,
    session_of_customer: HashMap<(CenterId, InstallId), SessionId>,
    pending_chats: HashMap<PersistToken, PendingChat>,
    next_ticket_id: TicketId,
    next_session_id: SessionId,
    next_offline_id: OfflineMessageId,
    next_token: PersistToken,
    /// Password changes waiting for the store: token → (conn, request id).
    pending_passwords: HashMap<PersistToken, (ConnId, RequestId)>,
    /// Store queries waiting for their answer (A8, A11): token → (conn, request id).
    pending_queries: HashMap<PersistToken, (ConnId, RequestId)>,
    /// `https://HOST:PORT/c` when the relay serves helper downloads at a public address (M11).
    download_base: Option<String>,
    /// Last blocklist id given (R16).
    next_block_id: porpoise_protocol::wire::BlockId,
    /// Directory writes waiting for the store (M3, M4).
    pending_directory: HashMap<PersistToken, directory::PendingDirectory>,
    /// Recently ended sessions for late support records (A13).
    records: records::Records,
    actions: VecDeque<Action>,
    /// Transfers, agent chat, typing preview, automatic replies, hours clock (R8–R12).
    conversation: conversation::Conversation,
    /// Reconnect tokens of customers rebooting (C8).
    reconnects: reconnect::Reconnects,
    /// Satisfaction surveys asked and answered (C7).
    surveys: survey::Surveys,
    /// Wall-clock time of the event being handled, unix ms (stamps audit entries).
    clock_ms: porpoise_protocol::wire::UnixMs,
    /// How long a queued customer who disconnected keeps their ticket ([`TICKET_GRACE`]).
    ticket_grace: std::time::Duration,
    /// Tickets whose customer is away: they leave the queue at the deadline unless the
    /// customer (same install id) comes back.
    ghost_tickets: deadlines::Deadlines<(CenterId, InstallId)>,
    /// Tickets loaded at start-up, put on the clock at the first input (no clock before).
    unclaimed_tickets: Vec<(CenterId, InstallId)>,
    /// When each account last had its own password change, or (`true`) a reset by an admin,
    /// accepted ([`PASSWORD_CHANGE_INTERVAL`], [`accounts::RESET_INTERVAL`]).
    password_changes: HashMap<(CenterId, AgentId, bool), Instant>,
    /// What anonymous customers may create, per install ID and per IP (issue 14).
    quotas: quota::Quotas,
    /// Bytes of transcripts, pictures and offline messages each center stores ([`storage`]).
    storage_used: HashMap<CenterId, u64>,
}

/// How long a queued customer who disconnected (or was queued when the relay stopped) keeps
/// their place: long enough for the helper's reconnect, short enough that scripts cannot fill
/// a queue with customers who are gone (issue 14).
pub const TICKET_GRACE: std::time::Duration = std::time::Duration::from_secs(60);

impl Core {
    /// A core holding the state loaded from the store at start-up.
    pub fn new(mut snapshot: Snapshot) -> Self {
        let mut core = Core {
            clock_ms: 0,
            centers: HashMap::new(),
            conns: HashMap::new(),
            agents_online: HashMap::new(),
            live: HashMap::new(),
            routing: Routing::default(),
            code_throttle: CodeThrottle::new(CodePolicy::default()),
            customers_online: HashMap::new(),
            sessions: BTreeMap::new(),
            session_of_customer: HashMap::new(),
            pending_chats: HashMap::new(),
            next_ticket_id: TicketId(snapshot.max_ticket_id.0 + 1),
            next_session_id: SessionId(snapshot.max_session_id.0 + 1),
            next_offline_id: OfflineMessageId(snapshot.max_offline_message_id.0 + 1),
            next_token: 1,
            pending_passwords: HashMap::new(),
            pending_queries: HashMap::new(),
            pending_directory: HashMap::new(),
            next_block_id: snapshot.max_block_id,
            download_base: None,
            records: records::Records::new(std::mem::take(&mut snapshot.ended_sessions)),
            actions: VecDeque::new(),
            conversation: conversation::Conversation::new(&snapshot.conversation),
            reconnects: Default::default(),
            surveys: Default::default(),
            ticket_grace: TICKET_GRACE,
            ghost_tickets: Default::default(),
            unclaimed_tickets: Vec::new(),
            password_changes: HashMap::new(),
            quotas: quota::Quotas::default(),
            storage_used: std::mem::take(&mut snapshot.storage_used)
                .into_iter()
                .collect(),
        };
        for center in &snapshot.centers {
            core.register_center(center);
        }
        core.load_center_data(&mut snapshot);
        for (ticket_id, agent_id) in std::mem::take(&mut snapshot.rejections) {
            core.routing
                .rejected
                .entry(ticket_id)
                .or_default()
                .insert(agent_id);
        }
        for ticket in std::mem::take(&mut snapshot.queue) {
            if let Some(center) = core.centers.get_mut(&ticket.center_id) {
                core.unclaimed_tickets
                    .push((ticket.center_id, ticket.install_id));
                center.queue.push_back(ticket);
            }
        }
        for stored in std::mem::take(&mut snapshot.sessions) {
            core.insert_session(stored);
        }
        core.conversation_loaded();
        core
    }

    /// Next action for the driver, in the order they must be executed.
    pub fn poll_action(&mut self) -> Option<Action> {
        self.actions.pop_front()
    }

    /// When the core next wants [`Core::handle_timeout`] (the earliest offer countdown or
    /// conversation timer); `None` while no timer runs.
    pub fn poll_timeout(&self) -> Option<Instant> {
        let conversation = [
            self.conversation.next_deadline(),
            self.reconnects.next_deadline(),
            self.ghost_tickets.next(),
        ]
        .into_iter()
        .flatten()
        .min();
        match (self.routing.next_deadline(), conversation) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Fires timers due at `now`: expired offers pass their customer to the next agent;
    /// transfer countdowns, automatic replies, typing previews and working-hours changes.
    pub fn handle_timeout(&mut self, now: Now) {
        self.clock_ms = now.unix_ms;
        self.arm_unclaimed_tickets(now);
        while let Some((center_id, install_id)) = self.ghost_tickets.pop_due(now.instant) {
            if !self.customers_online.contains_key(&(center_id, install_id)) {
                tracing::info!(%center_id, "queued customer did not come back: ticket leaves");
                self.remove_from_queue(now, center_id, install_id);
            }
        }
        self.expire_offers(now);
        self.conversation_timeout(now);
        self.expire_reconnects(now);
    }

    /// A connection passed its Hello: registers it and sends its Welcome.
    ///
    /// Agents (R3): a second login of an account that is logged in is refused with
    /// `RefusedReason::AlreadyLoggedIn{address, since}` ([`Action::Refuse`]); the live login is
    /// untouched (an admin may kick it). A serving agent starts `Online` when a seat is free,
    /// else `Offline` (R1). Customers: a newer connection of the same install id replaces the
    /// older one (reconnect-resume), which is closed with [`CloseReason::LoggedInElsewhere`].
    pub fn handle_login(&mut self, now: Now, conn: ConnId, login: Login) {
        self.clock_ms = now.unix_ms;
        self.arm_unclaimed_tickets(now);
        match login {
            Login::Agent {
                center,
                account,
                address,
            } => self.login_agent(now, conn, &center, *account, address),
            Login::Customer {
                center,
                install_id,
                address,
            } => {
                self.register_center(&center);
                let expired = center.expires_at.is_some_and(|at| at <= now.unix_ms);
                if expired || self.is_blocked(center.center_id, install_id, address.ip()) {
                    // R16: neutral, so the blocked customer learns nothing to work around; an
                    // expired center (M2) serves nobody either.
                    tracing::info!(center_id = %center.center_id, expired, "customer refused");
                    self.actions.push_back(Action::Refuse {
                        conn,
                        reason: porpoise_protocol::wire::RefusedReason::Unavailable,
                    });
                    return;
                }
                let quota = self.quotas.take(
                    now.instant,
                    quota::QuotaKind::Hello,
                    center.center_id,
                    install_id,
                    address.ip(),
                );
                if let Err(retry_after_s) = quota {
                    tracing::info!(center_id = %center.center_id, "customer Hello over quota");
                    self.actions.push_back(Action::Refuse {
                        conn,
                        reason: porpoise_protocol::wire::RefusedReason::Throttled { retry_after_s },
                    });
                    return;
                }
                let key = (center.center_id, install_id);
                self.ghost_tickets.cancel(key);
                if let Some(old) = self.customers_online.insert(key, conn) {
                    self.kick(now, old);
                }
                let kind = ConnKind::Customer { install_id };
                let connection = Connection {
                    center_id: center.center_id,
                    kind,
                    address,
                };
                self.conns.insert(conn, connection);
                if let Some(state) = self.centers.get_mut(&center.center_id) {
                    state.customers.insert(conn);
                }
                let center_id = center.center_id;
                self.welcome_customer(now, conn, center, install_id);
                self.reconnect_after_login(now, center_id, install_id);
            }
        }
        self.flush_conversation(now);
    }

    /// A connection is gone (closed, lost or kicked). Its sessions stay open for a reconnect,
    /// but their running actions stop and their media is cut. A queued customer stays queued.
    pub fn handle_disconnect(&mut self, now: Now, conn: ConnId) {
        self.clock_ms = now.unix_ms;
        let Some(c) = self.conns.remove(&conn) else {
            return;
        };
        match &c.kind {
            ConnKind::Agent { agent_id, .. } => {
                let key = (c.center_id, *agent_id);
                if self.agents_online.get(&key) == Some(&conn) {
                    self.agents_online.remove(&key);
                }
                if let Some(state) = self.centers.get_mut(&c.center_id) {
                    state.agents.remove(&conn);
                }
                self.agent_gone(now, c.center_id, *agent_id, conn);
            }
            ConnKind::Customer { install_id } => {
                let key = (c.center_id, *install_id);
                if self.customers_online.get(&key) == Some(&conn) {
                    self.customers_online.remove(&key);
                    let queued = self.centers.get(&c.center_id).is_some_and(|center| {
                        center.queue.iter().any(|t| t.install_id == *install_id)
                    });
                    if queued {
                        self.ghost_tickets.set(key, now.instant + self.ticket_grace);
                    }
                }
                if let Some(state) = self.centers.get_mut(&c.center_id) {
                    state.customers.remove(&conn);
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
        self.clock_ms = now.unix_ms;
        self.arm_unclaimed_tickets(now);
        let Some(c) = self.conns.get(&conn).cloned() else {
            return;
        };
        if let (ConnKind::Customer { install_id }, Some(kind)) = (&c.kind, quota_kind(&body)) {
            let ip = c.address.ip();
            if let Err(retry_after_s) =
                self.quotas
                    .take(now.instant, kind, c.center_id, *install_id, ip)
            {
                tracing::debug!(center_id = %c.center_id, ?kind, "customer over quota");
                self.respond(conn, id, Err(ApiError::Throttled { retry_after_s }));
                return;
            }
        }
        let result = match (&c.kind, body) {
            (
                ConnKind::Customer { install_id },
                Request::RequestService(rpc::RequestService { name, phone, route }),
            ) => self.request_service(now, conn, id, &c, *install_id, (name, phone), route),
            (ConnKind::Customer { install_id }, Request::LeaveQueue(rpc::LeaveQueue)) => {
                self.leave_queue(now, c.center_id, *install_id)
            }
            (
                ConnKind::Customer { install_id },
                Request::LeaveOfflineMessage(rpc::LeaveOfflineMessage {
                    name,
                    contact,
                    text,
                }),
            ) => self.leave_offline_message(now, &c, *install_id, name, contact, text),
            (
                ConnKind::Agent { agent_id, .. },
                Request::AcceptCustomer(rpc::AcceptCustomer { ticket_id }),
            ) => self.accept_customer(now, conn, c.center_id, *agent_id, ticket_id),
            (
                ConnKind::Agent { agent_id, .. },
                Request::AnswerOffer(rpc::AnswerOffer { offer_id, accept }),
            ) => self.answer_offer(now, conn, c.center_id, *agent_id, offer_id, accept),
            (
                ConnKind::Agent { agent_id, .. },
                Request::SetPresence(rpc::SetPresence {
                    presence,
                    automatic,
                }),
            ) => self.set_presence(now, c.center_id, *agent_id, presence, automatic),
            (
                ConnKind::Agent { agent_id, .. },
                Request::SetAutoAway(rpc::SetAutoAway { minutes }),
            ) => self.set_auto_away(c.center_id, *agent_id, minutes),
            (
                ConnKind::Agent { agent_id, .. },
                Request::CreateSessionCode(rpc::CreateSessionCode),
            ) => self.create_session_code(now, c.center_id, *agent_id),
            (
                ConnKind::Agent { agent_id, .. },
                Request::ChangePassword(rpc::ChangePassword { old, new }),
            ) => self.change_password(now, conn, id, c.center_id, *agent_id, Some(old), new),
            (
                ConnKind::Agent { agent_id, .. },
                Request::ResetPassword(rpc::ResetPassword {
                    agent_id: target,
                    new_password,
                }),
            ) => self.reset_password(now, conn, id, c.center_id, *agent_id, target, new_password),
            (ConnKind::Agent { agent_id, .. }, Request::ListLogins(rpc::ListLogins)) => {
                self.list_logins(c.center_id, *agent_id)
            }
            (
                ConnKind::Agent { agent_id, .. },
                Request::KickLogin(rpc::KickLogin { agent_id: target }),
            ) => self.kick_login(now, c.center_id, *agent_id, target),
            (
                ConnKind::Agent { agent_id, .. },
                Request::GetCenterSettings(rpc::GetCenterSettings),
            ) => self.get_settings(c.center_id, *agent_id),
            (
                ConnKind::Agent { agent_id, .. },
                Request::UpdateCenterSettings(rpc::UpdateCenterSettings(settings)),
            ) => self.update_settings(now, c.center_id, *agent_id, settings),
            (
                ConnKind::Agent { .. },
                Request::ListOfflineMessages(rpc::ListOfflineMessages { include_handled }),
            ) => Ok(Some(
                self.list_offline_messages(c.center_id, include_handled),
            )),
            (
                ConnKind::Agent { agent_id, .. },
                Request::HandleOfflineMessage(rpc::HandleOfflineMessage { id: msg, note }),
            ) => self.handle_offline_message(now, c.center_id, *agent_id, msg, note),
            (
                _,
                Request::SendChat(rpc::SendChat {
                    session_id,
                    message_id,
                    text,
                }),
            ) => self.send_chat(now, conn, id, &c, session_id, message_id, text, None),
            (
                _,
                Request::SendChatImage(rpc::SendChatImage {
                    session_id,
                    message_id,
                    data,
                }),
            ) => self.send_chat(
                now,
                conn,
                id,
                &c,
                session_id,
                message_id,
                String::new(),
                Some(data),
            ),
            (
                _,
                Request::GetChatImage(rpc::GetChatImage {
                    session_id,
                    message_id,
                }),
            ) => self.get_chat_image(conn, id, &c, session_id, message_id),
            (
                ConnKind::Agent { .. },
                Request::RequestAction(rpc::RequestAction { session_id, action }),
            ) => self.request_action(conn, &c, session_id, action),
            (
                ConnKind::Customer { .. },
                Request::AnswerConsent(rpc::AnswerConsent {
                    session_id,
                    action,
                    grant,
                }),
            ) => self.answer_consent(conn, &c, session_id, action, grant),
            (_, Request::StopAction(rpc::StopAction { session_id, action })) => {
                self.stop_action(conn, &c, session_id, action)
            }
            (
                ConnKind::Customer { .. },
                Request::StartAction(rpc::StartAction { session_id, action }),
            ) => self.start_action(conn, &c, session_id, action),
            (ConnKind::Agent { .. }, Request::PushSurvey(rpc::PushSurvey { session_id })) => {
                self.push_survey(conn, &c, session_id)
            }
            (
                ConnKind::Customer { install_id },
                Request::SubmitSurvey(rpc::SubmitSurvey { session_id, answer }),
            ) => self.submit_survey(now, conn, id, &c, *install_id, session_id, answer),
            (_, Request::EndSession(rpc::EndSession { session_id })) => {
                self.end_session(now, conn, &c, session_id)
            }
            (
                ConnKind::Customer { .. },
                Request::ReportSystemInfo(rpc::ReportSystemInfo { session_id, info }),
            ) => self.report_system_info(conn, &c, session_id, info),
            (
                ConnKind::Customer { .. },
                Request::RequestReconnectToken(rpc::RequestReconnectToken { session_id }),
            ) => self.request_reconnect_token(now, conn, &c, session_id),
            (
                ConnKind::Customer { .. },
                Request::RedeemReconnectToken(rpc::RedeemReconnectToken { token }),
            ) => self.redeem_reconnect_token(now, conn, &c, &token),
            (_, Request::FileTransferLimit(rpc::FileTransferLimit { session_id })) => {
                self.file_transfer_limit(conn, &c, session_id)
            }
            (
                ConnKind::Agent { agent_id, .. },
                body @ (Request::UploadCommonFile(rpc::UploadCommonFile { .. })
                | Request::DeleteCommonFile(rpc::DeleteCommonFile { .. })),
            ) => self.manage_common_file(conn, id, &c, *agent_id, body),
            (ConnKind::Agent { .. }, Request::ListCommonFiles(rpc::ListCommonFiles)) => {
                self.list_common_files(conn, id, &c)
            }
            (
                ConnKind::Agent { .. },
                Request::SendCommonFile(rpc::SendCommonFile { session_id, name }),
            ) => self.send_common_file(conn, &c, session_id, name),
            (
                _,
                body @ (Request::TypingPreview(rpc::TypingPreview { .. })
                | Request::TransferSession(rpc::TransferSession { .. })
                | Request::AnswerTransfer(rpc::AnswerTransfer { .. })
                | Request::SendAgentChat(rpc::SendAgentChat { .. })),
            ) => self.conversation_request(now, conn, id, &c, body),
            (
                ConnKind::Agent { .. },
                body @ (Request::ListCannedResponses(rpc::ListCannedResponses)
                | Request::SaveCannedResponse(rpc::SaveCannedResponse { .. })
                | Request::DeleteCannedResponse(rpc::DeleteCannedResponse { .. })
                | Request::ListKnowledgeBase(rpc::ListKnowledgeBase)
                | Request::ListKnowledgeAdmin(rpc::ListKnowledgeAdmin)
                | Request::SaveKnowledgeNode(rpc::SaveKnowledgeNode { .. })
                | Request::MoveKnowledgeNode(rpc::MoveKnowledgeNode { .. })
                | Request::DeleteKnowledgeNode(rpc::DeleteKnowledgeNode { .. })
                | Request::SetKnowledgeImage(rpc::SetKnowledgeImage { .. })
                | Request::GetKnowledgeImage(rpc::GetKnowledgeImage { .. })
                | Request::ListAuditLog(rpc::ListAuditLog { .. })
                | Request::ListServiceHistory(rpc::ListServiceHistory { .. })
                | Request::ReadHistoryTranscript(rpc::ReadHistoryTranscript { .. })),
            ) => self.library_request(conn, id, &c, body),
            (
                ConnKind::Agent { .. },
                body @ (Request::ListAccounts(rpc::ListAccounts)
                | Request::CreateAccount(rpc::CreateAccount { .. })
                | Request::UpdateAccount(rpc::UpdateAccount { .. })
                | Request::SetAccountStatus(rpc::SetAccountStatus { .. })
                | Request::SaveGroup(rpc::SaveGroup { .. })
                | Request::SaveProductType(rpc::SaveProductType { .. })
                | Request::ReorderGroups(rpc::ReorderGroups { .. })
                | Request::ReorderProductTypes(rpc::ReorderProductTypes { .. })
                | Request::SaveRole(rpc::SaveRole { .. })),
            ) => self.directory_request(conn, id, &c, body),
            (
                ConnKind::Agent { .. },
                body @ (Request::ListBlocks(rpc::ListBlocks)
                | Request::AddBlock(rpc::AddBlock { .. })
                | Request::BlockCustomer(rpc::BlockCustomer { .. })
                | Request::RemoveBlock(rpc::RemoveBlock { .. })),
            ) => self.blocklist_request(now, &c, body),
            (ConnKind::Agent { agent_id, .. }, Request::GetBranding(rpc::GetBranding)) => {
                self.get_branding(c.center_id, *agent_id)
            }
            (
                ConnKind::Agent { agent_id, .. },
                Request::SaveBranding(rpc::SaveBranding { branding }),
            ) => self.save_branding(c.center_id, *agent_id, branding),
            (
                ConnKind::Agent { agent_id, .. },
                body @ (Request::GetIntegration(rpc::GetIntegration)
                | Request::RotateSigningKey(rpc::RotateSigningKey)
                | Request::SaveWebhook(rpc::SaveWebhook { .. })
                | Request::SendTestWebhook(rpc::SendTestWebhook)
                | Request::RetryDelivery(rpc::RetryDelivery { .. })),
            ) => self.integration_request(conn, id, &c, *agent_id, body),
            (
                ConnKind::Agent { .. },
                body @ (Request::GetCustomerProfile(rpc::GetCustomerProfile { .. })
                | Request::ListPendingRecords(rpc::ListPendingRecords)
                | Request::SaveSupportRecord(rpc::SaveSupportRecord { .. })
                | Request::SetMessageTags(rpc::SetMessageTags { .. })
                | Request::SetCustomerTags(rpc::SetCustomerTags { .. })
                | Request::SaveVisitorCard(rpc::SaveVisitorCard { .. })
                | Request::FetchCustomerContext(rpc::FetchCustomerContext { .. })),
            ) => self.records_request(now, conn, id, &c, body),
            _ => Err(wrong_kind(&c.kind)),
        };
        match result {
            Ok(Some(response)) => self.respond(conn, id, Ok(response)),
            Ok(None) => {}
            Err(err) => self.respond(conn, id, Err(err)),
        }
        self.flush_conversation(now);
    }

    /// Where customers download the helper: `https://HOST:PORT/c` (the center ID and `/`
    /// follow), shown on the admin window's branding page (M11).
    pub fn set_download_base(&mut self, base: Option<String>) {
        self.download_base = base;
    }

    /// The center of a live connection (the driver sheds a flooding center's requests).
    pub fn center_of(&self, conn: ConnId) -> Option<CenterId> {
        self.conns.get(&conn).map(|c| c.center_id)
    }

    /// Number of live (logged-in) connections.
    pub fn connection_count(&self) -> usize {
        self.conns.len()
    }

    /// The customers' quotas (default [`quota::CustomerQuotas::default`]; tests and the load
    /// tool change them).
    pub fn set_customer_quotas(&mut self, policy: quota::CustomerQuotas) {
        self.quotas = quota::Quotas::new(policy, quota::MAX_QUOTA_KEYS);
    }

    /// How long a queued customer who disconnected keeps the ticket (default
    /// [`TICKET_GRACE`]; tests shorten it).
    pub fn set_ticket_grace(&mut self, grace: std::time::Duration) {
        self.ticket_grace = grace;
    }

    /// Puts the tickets loaded at start-up on the grace clock (their customers are not
    /// connected yet); done at the first input, when the core first knows the time.
    fn arm_unclaimed_tickets(&mut self, now: Now) {
        for key in std::mem::take(&mut self.unclaimed_tickets) {
            if !self.customers_online.contains_key(&key) {
                self.ghost_tickets.set(key, now.instant + self.ticket_grace);
            }
        }
    }

    /// Keeps the center's name and service period as the database has them at this login; a
    /// new or changed period re-arms the center's clock (its logins end when it passes).
    fn register_center(&mut self, center: &CenterInfo) {
        let mut fresh = false;
        let state = self.centers.entry(center.center_id).or_insert_with(|| {
            fresh = true;
            CenterState::new(center)
        });
        state.name.clone_from(&center.name);
        if fresh || state.expires_at != center.expires_at {
            state.expires_at = center.expires_at;
            self.hours_changed(center.center_id);
        }
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
        self.cut_media(session_id, MediaKind::ALL.to_vec());
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

    fn respond(&mut self, conn: ConnId, id: RequestId, result: Result<Response, ApiError>) {
        self.send(conn, ServerMessage::Response { id, result });
    }

    fn persist(&mut self, op: StoreOp) {
        self.actions.push_back(Action::Persist(op));
    }
}

/// The customer quota a request is counted against, if any (issue 14).
fn quota_kind(body: &Request) -> Option<quota::QuotaKind> {
    match body {
        Request::RequestService(_) => Some(quota::QuotaKind::Ticket),
        Request::LeaveOfflineMessage(_) => Some(quota::QuotaKind::OfflineMessage),
        Request::SendChat(_) => Some(quota::QuotaKind::Chat),
        Request::SendChatImage(_) => Some(quota::QuotaKind::Picture),
        _ => None,
    }
}
