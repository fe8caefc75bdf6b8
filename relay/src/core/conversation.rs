//! Conversation features of the core (R8–R12), gathered in one [`Conversation`] field of the
//! [`Core`]: greeting and automatic replies ([`super::automation`]), typing preview
//! ([`super::typing`]), transfers ([`super::transfer`]), agent-to-agent chat
//! ([`super::agent_chat`]) and the working-hours clock ([`super::hours`]).
//!
//! The core calls the hooks here at a few points: a session started (`session_started`), a chat
//! message was stored (`chat_stored`), a session ended (`conversation_session_ended`), an agent left
//! (`agent_left`), every request and timer (`flush_conversation`, `conversation_timeout`).

use porpoise_protocol::wire::rpc;
use std::collections::{BTreeSet, HashMap};
use std::time::{Duration, Instant};

use porpoise_protocol::wire::{
    AgentId, ApiError, CenterId, ChatMessage, Event, MediaKind, Party, Request, RequestId,
    Response, SessionId, TransferId, TransferOutcome, TransferTarget,
};
use tracing::debug;

use super::agent_chat::AgentChats;
use super::automation::{greeting_text, relay_message_id, Automation, Fired};
use super::deadlines::Deadlines;
use super::hours;
use super::transfer::Transfers;
use super::typing::{PreviewStep, PreviewThrottle};
use super::{ConnId, ConnKind, Connection, Core, Now, StoreOp};

/// What the store gives the conversation features at start-up.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConversationSnapshot {
    /// Largest transfer id ever used (0 if none).
    pub max_transfer_id: TransferId,
}

/// A durable record of the conversation features (agent chat, transfers), applied by the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConversationOp {
    /// An agent-to-agent message; report with `StoreReport::Chat{token, ..}`.
    InsertAgentChat {
        /// Token to report back.
        token: super::PersistToken,
        /// Center of both agents.
        center_id: CenterId,
        /// The message with its relay timestamp.
        message: porpoise_protocol::wire::AgentChatMessage,
    },
    /// A transfer was asked for.
    InsertTransfer {
        /// Transfer id.
        transfer_id: TransferId,
        /// Center.
        center_id: CenterId,
        /// Session handed over.
        session_id: SessionId,
        /// Sender.
        from_agent: AgentId,
        /// Receiver asked for.
        target: TransferTarget,
        /// Note for the receiver.
        note: String,
        /// Unix ms.
        at: porpoise_protocol::wire::UnixMs,
    },
    /// A transfer ended.
    ResolveTransfer {
        /// Transfer id.
        transfer_id: TransferId,
        /// Last agent offered (the receiver when accepted).
        to_agent: Option<AgentId>,
        /// Outcome.
        outcome: TransferOutcome,
        /// Unix ms.
        at: porpoise_protocol::wire::UnixMs,
    },
    /// A session now belongs to another agent.
    MoveSession {
        /// Session.
        session_id: SessionId,
        /// New agent.
        agent_id: AgentId,
    },
}

/// State of the conversation features (see the module docs).
#[derive(Debug, Default)]
pub(super) struct Conversation {
    pub automation: Automation,
    pub typing: HashMap<SessionId, PreviewThrottle>,
    pub typing_deadlines: Deadlines<SessionId>,
    pub transfers: Transfers,
    pub agent_chats: AgentChats,
    /// Sessions started during this input whose greeting goes after the start was announced.
    pub greetings: Vec<SessionId>,
    /// Sessions loaded at start-up whose reception timeout starts at the first input.
    pub loaded: Vec<SessionId>,
    /// Counter in relay-made message ids.
    pub relay_seq: u32,
    /// When each center's working hours next open or close (customers get new options then).
    pub hours_deadlines: Deadlines<CenterId>,
    /// Centers whose hours clock must be (re)computed at the next input (settings loaded or
    /// changed).
    pub hours_dirty: BTreeSet<CenterId>,
}

impl Conversation {
    /// State after a start from `snapshot`.
    pub fn new(snapshot: &ConversationSnapshot) -> Self {
        Conversation {
            transfers: Transfers::new(snapshot.max_transfer_id),
            ..Default::default()
        }
    }

    /// The earliest conversation timer.
    pub fn next_deadline(&self) -> Option<Instant> {
        [
            self.automation.next_deadline(),
            self.typing_deadlines.next(),
            self.transfers.next_deadline(),
            self.hours_deadlines.next(),
        ]
        .into_iter()
        .flatten()
        .min()
    }
}

impl Core {
    /// Handles the conversation requests (typing preview, transfers, agent chat).
    pub(super) fn conversation_request(
        &mut self,
        now: Now,
        conn: ConnId,
        id: RequestId,
        c: &Connection,
        body: Request,
    ) -> Result<Option<Response>, ApiError> {
        match (&c.kind, body) {
            (
                ConnKind::Customer { .. },
                Request::TypingPreview(rpc::TypingPreview { session_id, text }),
            ) => self.typing_preview(now, conn, c, session_id, &text),
            (
                ConnKind::Agent { agent_id, .. },
                Request::TransferSession(rpc::TransferSession {
                    session_id,
                    target,
                    note,
                }),
            ) => self.transfer_session(now, conn, c, *agent_id, session_id, target, &note),
            (
                ConnKind::Agent { agent_id, .. },
                Request::AnswerTransfer(rpc::AnswerTransfer {
                    transfer_id,
                    accept,
                }),
            ) => self.answer_transfer(now, c.center_id, *agent_id, transfer_id, accept),
            (
                ConnKind::Agent { agent_id, .. },
                Request::SendAgentChat(rpc::SendAgentChat {
                    to,
                    message_id,
                    text,
                }),
            ) => {
                let from = (c.center_id, *agent_id);
                self.send_agent_chat(now, conn, id, from, to, message_id, &text)
            }
            _ => Err(super::wrong_kind(&c.kind)),
        }
    }

    /// A session started (by accept, offer or session code): its greeting goes once the start
    /// has been announced ([`Core::flush_conversation`]); the reception timeout runs.
    pub(super) fn session_started(&mut self, now: Now, session_id: SessionId) {
        let Some(center) = self
            .sessions
            .get(&session_id)
            .and_then(|x| self.centers.get(&x.stored.center_id))
        else {
            return;
        };
        let auto = &mut self.conversation.automation;
        auto.started(session_id, now.instant, &center.settings);
        self.conversation.greetings.push(session_id);
    }

    /// A chat message of `from` was stored in `session_id`: the automatic-reply timers move.
    pub(super) fn chat_stored(&mut self, now: Now, session_id: SessionId, from: Party) {
        match from {
            Party::Customer => {
                let Some(center) = self
                    .sessions
                    .get(&session_id)
                    .and_then(|x| self.centers.get(&x.stored.center_id))
                else {
                    return;
                };
                let auto = &mut self.conversation.automation;
                auto.customer_wrote(session_id, now.instant, &center.settings);
            }
            Party::Agent => self.conversation.automation.agent_wrote(session_id),
            Party::Relay => {}
        }
    }

    /// A session ended (any way): timers, typing state and pending transfers go.
    pub(super) fn conversation_session_ended(&mut self, now: Now, session_id: SessionId) {
        self.conversation.automation.ended(session_id);
        self.conversation.typing.remove(&session_id);
        self.conversation.typing_deadlines.cancel(session_id);
        self.cancel_transfers_of_session(now, session_id);
    }

    /// Runs the work deferred to the end of an input: greetings of sessions that started,
    /// reception timeouts of sessions loaded at start-up, and the working-hours clock of centers
    /// whose settings changed.
    pub(super) fn flush_conversation(&mut self, now: Now) {
        for session_id in std::mem::take(&mut self.conversation.greetings) {
            self.send_greeting(now, session_id);
        }
        for session_id in std::mem::take(&mut self.conversation.loaded) {
            if let Some(center) = self
                .sessions
                .get(&session_id)
                .and_then(|x| self.centers.get(&x.stored.center_id))
            {
                let auto = &mut self.conversation.automation;
                auto.started(session_id, now.instant, &center.settings);
            }
        }
        for center_id in std::mem::take(&mut self.conversation.hours_dirty) {
            self.arm_hours_clock(now, center_id);
        }
    }

    /// Fires the conversation timers due at `now`.
    pub(super) fn conversation_timeout(&mut self, now: Now) {
        while let Some(fired) = self.conversation.automation.pop_due(now.instant) {
            match fired {
                Fired::AutoReply(session_id) => {
                    let text = self
                        .settings_of_session(session_id)
                        .and_then(|s| s.auto_reply)
                        .map(|r| r.text);
                    if let Some(text) = text.filter(|t| !t.trim().is_empty()) {
                        self.relay_say(now, session_id, text);
                    }
                }
                Fired::ReceptionTimeout(session_id) => self.reception_timeout(now, session_id),
            }
        }
        while let Some(session_id) = self.conversation.typing_deadlines.pop_due(now.instant) {
            self.flush_typing(now, session_id);
        }
        while let Some(transfer_id) = self.conversation.transfers.pop_due(now.instant) {
            self.transfer_timed_out(now, transfer_id);
        }
        while let Some(center_id) = self.conversation.hours_deadlines.pop_due(now.instant) {
            let expired = self
                .centers
                .get(&center_id)
                .and_then(|c| c.expires_at)
                .is_some_and(|at| at <= now.unix_ms);
            if expired {
                self.center_expired(now, center_id);
                continue;
            }
            debug!(%center_id, "working hours open or close");
            self.service_options_changed(center_id, now);
            self.arm_hours_clock(now, center_id);
        }
        self.flush_conversation(now);
    }

    /// After a start from a snapshot: every center's hours clock and every open session's
    /// reception timeout start at the first input (the core has no clock before).
    pub(super) fn conversation_loaded(&mut self) {
        let centers: Vec<CenterId> = self.centers.keys().copied().collect();
        self.conversation.hours_dirty.extend(centers);
        self.conversation.loaded = self.sessions.keys().copied().collect();
    }

    /// Marks a center's hours clock for recomputation (its settings were loaded or changed).
    pub(super) fn hours_changed(&mut self, center_id: CenterId) {
        self.conversation.hours_dirty.insert(center_id);
    }

    /// Sets the center's clock to its next working-hours change or, if sooner, the end of its
    /// service period (M2), when its logins are cut ([`Core::center_expired`]).
    fn arm_hours_clock(&mut self, now: Now, center_id: CenterId) {
        let next = self.centers.get(&center_id).and_then(|c| {
            let hours = hours::next_change(&c.settings.working_hours, now.unix_ms);
            let expiry = c.expires_at.filter(|at| *at > now.unix_ms);
            hours.into_iter().chain(expiry).min()
        });
        match next {
            Some(at) => {
                let ms = u64::try_from(at.saturating_sub(now.unix_ms)).unwrap_or(0);
                let deadline = now.instant + Duration::from_millis(ms);
                self.conversation.hours_deadlines.set(center_id, deadline);
            }
            None => self.conversation.hours_deadlines.cancel(center_id),
        }
    }

    fn settings_of_session(
        &self,
        session_id: SessionId,
    ) -> Option<porpoise_protocol::wire::CenterSettings> {
        let center_id = self.sessions.get(&session_id)?.stored.center_id;
        Some(self.centers.get(&center_id)?.settings.clone())
    }

    fn send_greeting(&mut self, now: Now, session_id: SessionId) {
        let Some(s) = self.sessions.get(&session_id) else {
            return;
        };
        let nickname = s.stored.agent_name.clone();
        let template = self
            .centers
            .get(&s.stored.center_id)
            .map(|c| c.settings.greeting.clone())
            .unwrap_or_default();
        if let Some(text) = greeting_text(&template, &nickname) {
            self.relay_say(now, session_id, text);
        }
    }

    /// The relay writes `text` into the session: stored like chat (`InsertChat`, R13) and
    /// delivered to both connected sides at once.
    pub(super) fn relay_say(&mut self, now: Now, session_id: SessionId, text: String) {
        self.conversation.relay_seq = self.conversation.relay_seq.wrapping_add(1);
        let seq = self.conversation.relay_seq;
        let token = self.next_token;
        self.next_token += 1;
        let Some(s) = self.sessions.get_mut(&session_id) else {
            return;
        };
        let message = ChatMessage {
            message_id: relay_message_id(session_id, now.unix_ms, seq),
            from: Party::Relay,
            text,
            sent_at: now.unix_ms,
            image: None,
        };
        s.message_ids.insert(message.message_id);
        s.stored.messages.push(message.clone());
        let parties: Vec<ConnId> = [s.agent_conn, s.customer_conn]
            .into_iter()
            .flatten()
            .collect();
        self.persist(StoreOp::InsertChat {
            token,
            session_id,
            message: message.clone(),
            image: None,
        });
        for conn in parties {
            let event = Event::ChatReceived {
                session_id,
                message: message.clone(),
            };
            self.event(conn, event);
        }
    }

    /// No customer message for the reception timeout: closing text, then the relay ends it.
    fn reception_timeout(&mut self, now: Now, session_id: SessionId) {
        let text = self
            .settings_of_session(session_id)
            .and_then(|s| s.reception_timeout)
            .map(|r| r.text);
        debug!(%session_id, "reception timeout");
        if let Some(text) = text.filter(|t| !t.trim().is_empty()) {
            self.relay_say(now, session_id, text);
        }
        self.end_session_by_relay(now, session_id);
    }

    /// The relay ends a session (reception timeout): like `EndSession` from either side, with
    /// `by: Relay`.
    pub(super) fn end_session_by_relay(&mut self, now: Now, session_id: SessionId) {
        let Some(s) = self.sessions.remove(&session_id) else {
            return;
        };
        let by = Party::Relay;
        self.session_of_customer
            .remove(&(s.stored.center_id, s.stored.install_id));
        self.cut_media(session_id, MediaKind::ALL.to_vec());
        for party in [s.agent_conn, s.customer_conn].into_iter().flatten() {
            self.event(party, Event::SessionEnded { session_id, by });
        }
        self.persist(StoreOp::EndSession {
            session_id,
            ended_at: now.unix_ms,
            by,
        });
        self.session_ended(now, &s.stored, by);
    }

    /// Customer's unsent text for the agent (R10), throttled per session; never stored.
    ///
    /// Errors: `UnknownSession` if `conn` is not the session's customer; `Invalid` beyond
    /// `MAX_CHAT_TEXT_BYTES`.
    fn typing_preview(
        &mut self,
        now: Now,
        conn: ConnId,
        c: &Connection,
        session_id: SessionId,
        text: &str,
    ) -> Result<Option<Response>, ApiError> {
        if self.member(conn, c, session_id)? != Party::Customer {
            return Err(ApiError::UnknownSession);
        }
        if text.len() > porpoise_protocol::wire::MAX_CHAT_TEXT_BYTES {
            return Err(ApiError::too_long(
                porpoise_protocol::wire::Field::TypingPreview,
                porpoise_protocol::wire::MAX_CHAT_TEXT_BYTES,
            ));
        }
        let throttle = self.conversation.typing.entry(session_id).or_default();
        match throttle.offer(now.instant, text.to_owned()) {
            PreviewStep::Deliver(text) => self.deliver_preview(session_id, text),
            PreviewStep::Held => {
                if let Some(at) = throttle.deadline() {
                    self.conversation.typing_deadlines.set(session_id, at);
                }
            }
        }
        Ok(Some(Response::Done))
    }

    fn flush_typing(&mut self, now: Now, session_id: SessionId) {
        let Some(throttle) = self.conversation.typing.get_mut(&session_id) else {
            return;
        };
        if let Some(text) = throttle.take_due(now.instant) {
            self.deliver_preview(session_id, text);
        }
    }

    fn deliver_preview(&mut self, session_id: SessionId, text: String) {
        if let Some(agent) = self.sessions.get(&session_id).and_then(|s| s.agent_conn) {
            self.event(agent, Event::TypingPreview { session_id, text });
        }
    }
}
