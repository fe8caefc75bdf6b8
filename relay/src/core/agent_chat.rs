//! Agent-to-agent chat (R9): colleagues of one center write to each other. A message is stored
//! before the sender gets `AgentChatStored` and the receiver (if logged in) `AgentChatReceived`;
//! a resend with the same message id is answered with the stored message and neither stored nor
//! delivered again. Accounts of other centers are indistinguishable from unknown ones.

use std::collections::{HashMap, VecDeque};

use porpoise_protocol::wire::{
    AgentChatMessage, ApiError, CenterId, Event, MessageId, RequestId, Response,
};

use super::conversation::ConversationOp;
use super::{AgentId, ConnId, Core, Now, PersistToken, StoreOp};

/// Stored agent-chat ids remembered for resends (oldest forgotten first); beyond that the
/// database's unique key still stores a resend once.
pub const MAX_REMEMBERED_AGENT_CHATS: usize = 10_000;

/// (center, sender, message id).
type ChatKey = (CenterId, AgentId, MessageId);

/// An agent-chat message waiting for the store.
#[derive(Debug)]
struct PendingAgentChat {
    center_id: CenterId,
    message: AgentChatMessage,
    waiters: Vec<(ConnId, RequestId)>,
}

/// Agent chat waiting for the store, and the recently stored ids.
#[derive(Debug, Default)]
pub(super) struct AgentChats {
    pending: HashMap<PersistToken, PendingAgentChat>,
    stored: HashMap<ChatKey, AgentChatMessage>,
    order: VecDeque<ChatKey>,
}

impl AgentChats {
    fn remember(&mut self, key: ChatKey, message: AgentChatMessage) {
        if self.stored.insert(key, message).is_none() {
            self.order.push_back(key);
        }
        while self.order.len() > MAX_REMEMBERED_AGENT_CHATS {
            if let Some(old) = self.order.pop_front() {
                self.stored.remove(&old);
            }
        }
    }

    /// True if `token` is an agent-chat write.
    pub fn owns(&self, token: PersistToken) -> bool {
        self.pending.contains_key(&token)
    }
}

impl Core {
    /// Agent `from` writes to colleague `to`. Answered once durable
    /// ([`Core::agent_chat_persisted`]).
    ///
    /// Errors: `Invalid` for an empty or too long text, for oneself, or for an account that is
    /// not in the sender's center.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn send_agent_chat(
        &mut self,
        now: Now,
        conn: ConnId,
        id: RequestId,
        (center_id, from): (CenterId, AgentId),
        to: AgentId,
        message_id: MessageId,
        text: &str,
    ) -> Result<Option<Response>, ApiError> {
        super::check_message_text(text)?;
        let colleague = self
            .centers
            .get(&center_id)
            .is_some_and(|c| c.accounts.contains_key(&to));
        if to == from || !colleague {
            return Err(ApiError::NotFound {
                what: porpoise_protocol::wire::Thing::Agent,
            });
        }
        let key = (center_id, from, message_id);
        let chats = &mut self.conversation.agent_chats;
        if let Some(stored) = chats.stored.get(&key) {
            return Ok(Some(Response::AgentChatStored(stored.clone())));
        }
        let waiting = chats.pending.values_mut().find(|p| {
            p.center_id == center_id && p.message.from == from && p.message.message_id == message_id
        });
        if let Some(pending) = waiting {
            pending.waiters.push((conn, id));
            return Ok(None);
        }
        let token = self.next_token;
        self.next_token += 1;
        let message = AgentChatMessage {
            message_id,
            from,
            to,
            text: text.to_owned(),
            sent_at: now.unix_ms,
        };
        self.conversation.agent_chats.pending.insert(
            token,
            PendingAgentChat {
                center_id,
                message: message.clone(),
                waiters: vec![(conn, id)],
            },
        );
        self.persist(StoreOp::Conversation(ConversationOp::InsertAgentChat {
            token,
            center_id,
            message,
        }));
        Ok(None)
    }

    /// The store finished an agent-chat write: the senders get `AgentChatStored` (or
    /// `Storage`), the receiver `AgentChatReceived`. Unknown tokens are ignored.
    pub(super) fn agent_chat_persisted(&mut self, token: PersistToken, ok: bool) {
        let Some(pending) = self.conversation.agent_chats.pending.remove(&token) else {
            return;
        };
        let PendingAgentChat {
            center_id,
            message,
            waiters,
        } = pending;
        if !ok {
            for (conn, id) in waiters {
                self.respond(conn, id, Err(ApiError::Storage));
            }
            return;
        }
        let key = (center_id, message.from, message.message_id);
        self.conversation.agent_chats.remember(key, message.clone());
        for (conn, id) in waiters {
            self.respond(conn, id, Ok(Response::AgentChatStored(message.clone())));
        }
        if let Some(live) = self.live.get(&(center_id, message.to)) {
            let conn = live.conn;
            self.event(conn, Event::AgentChatReceived(message));
        }
    }
}
