//! An open session with an agent: chat history, pending messages, consent prompts, actions.

use porpoise_protocol::wire::rpc;
use std::collections::BTreeMap;

use porpoise_protocol::wire::{
    ActionState, ChatImage, ChatMessage, MessageId, RemoteAction, SessionId, SessionInfo,
};

/// A chat message the relay has not acknowledged yet (shown as "sending…").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingChat {
    /// Random id, reused on resend.
    pub message_id: MessageId,
    /// Text (empty for a picture).
    pub text: String,
    /// The picture this message carries (C4), kept until stored so that it can be resent.
    pub picture: Option<PendingPicture>,
}

/// A chat picture on its way (C4): what the relay will store and the encoded bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct PendingPicture {
    /// Format and size, from `chat_image::probe`.
    pub info: ChatImage,
    /// The encoded PNG or JPEG (at most `MAX_CHAT_IMAGE_BYTES`).
    pub data: Vec<u8>,
}

impl std::fmt::Debug for PendingPicture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "PendingPicture({:?}, {} bytes)",
            self.info,
            self.data.len()
        )
    }
}

impl PendingChat {
    /// The request that sends (or resends) this message in `session_id`.
    pub fn request(&self, session_id: SessionId) -> porpoise_protocol::wire::Request {
        use porpoise_protocol::wire::Request;
        match &self.picture {
            Some(p) => Request::SendChatImage(rpc::SendChatImage {
                session_id,
                message_id: self.message_id,
                data: p.data.clone(),
            }),
            None => Request::SendChat(rpc::SendChat {
                session_id,
                message_id: self.message_id,
                text: self.text.clone(),
            }),
        }
    }
}

/// An open session with an agent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// Session id.
    pub session_id: SessionId,
    /// Serving agent's display name.
    pub agent_name: String,
    /// Stored messages, oldest first.
    pub messages: Vec<ChatMessage>,
    /// Sent but unacknowledged messages, oldest first.
    pub pending: Vec<PendingChat>,
    /// Chat input.
    pub draft: String,
    /// Consent prompts waiting for an answer, oldest first.
    pub prompts: Vec<RemoteAction>,
    /// Last known state of each remote action.
    pub actions: BTreeMap<RemoteAction, ActionState>,
    /// Transfers seen while open (R8): (number of messages before it, new agent's nickname),
    /// shown as system lines in the chat.
    pub agent_changes: Vec<(usize, String)>,
}

impl Session {
    /// A session as the relay described it.
    pub fn from_info(info: SessionInfo) -> Self {
        Self {
            session_id: info.session_id,
            agent_name: info.agent_name,
            messages: info.messages,
            pending: Vec::new(),
            draft: String::new(),
            prompts: Vec::new(),
            actions: BTreeMap::new(),
            agent_changes: Vec::new(),
        }
    }

    /// The strongest granted action: remote control, else view desktop, else none.
    pub fn sharing(&self) -> Option<RemoteAction> {
        [RemoteAction::RemoteControl, RemoteAction::ViewDesktop]
            .into_iter()
            .find(|a| self.actions.get(a) == Some(&ActionState::Granted))
    }

    pub(super) fn granted(&self) -> Vec<RemoteAction> {
        self.actions
            .iter()
            .filter(|(_, s)| **s == ActionState::Granted)
            .map(|(a, _)| *a)
            .collect()
    }

    pub(super) fn push_message(&mut self, message: ChatMessage) {
        self.pending.retain(|p| p.message_id != message.message_id);
        if !self
            .messages
            .iter()
            .any(|m| m.message_id == message.message_id)
        {
            self.messages.push(message);
        }
    }

    pub(super) fn stop_all(&mut self) {
        self.prompts.clear();
        for state in self.actions.values_mut() {
            *state = ActionState::Stopped;
        }
    }

    /// Another agent now serves the session (R8): the header changes and a system line shows.
    pub(super) fn change_agent(&mut self, agent_name: String) {
        self.agent_name = agent_name.clone();
        self.agent_changes.push((self.messages.len(), agent_name));
    }

    /// The closing text if the last message came from the relay (e.g. reception timeout, R11).
    pub fn closing_text(&self) -> Option<String> {
        self.messages
            .last()
            .filter(|m| m.from == porpoise_protocol::wire::Party::Relay)
            .map(|m| m.text.clone())
    }
}
