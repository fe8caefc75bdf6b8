//! Work-area state beyond the queue and the tabs: offers and transfer prompts with their
//! countdowns, colleagues and their chat, offline messages, short notices.
//!
//! Countdowns are kept as deadlines on the UI clock (`egui` input time, seconds), so that they
//! tick with frames and tests can step them.

use std::collections::BTreeMap;

use porpoise_protocol::wire::{
    AgentChatMessage, AgentId, AgentWelcome, GroupId, Offer, OfflineMessage, OfflineMessageId,
    Permission, Presence, ProductTypeId, QueueEntry, SessionInfo, TransferOffer,
};

use super::{Delivery, Workspace};

/// How long a notice stays on screen, in seconds.
pub const NOTICE_S: f64 = 8.0;
/// How long an offer or transfer prompt stays (greyed out) after its countdown ended, waiting
/// for the relay to say why, in seconds.
pub const PROMPT_GRACE_S: f64 = 2.0;

/// Seconds left until `deadline_s` at `now_s` (never negative).
pub fn remaining_s(deadline_s: f64, now_s: f64) -> f64 {
    (deadline_s - now_s).max(0.0)
}

/// An offer shown in the offer popup (A3/R5).
#[derive(Debug, Clone, PartialEq)]
pub struct OfferPrompt {
    /// The offer.
    pub offer: Offer,
    /// When its countdown ends, on the UI clock (s).
    pub deadline_s: f64,
    /// Length of the whole countdown (s).
    pub total_s: f64,
    /// True once Accept or Reject was clicked and the answer is on its way.
    pub answering: bool,
}

/// An incoming transfer shown in the transfer prompt (A14/R8).
#[derive(Debug, Clone, PartialEq)]
pub struct TransferPrompt {
    /// The transfer with the session's whole history.
    pub offer: TransferOffer,
    /// When its countdown ends, on the UI clock (s).
    pub deadline_s: f64,
    /// Length of the whole countdown (s).
    pub total_s: f64,
    /// True once answered.
    pub answering: bool,
}

/// A short message shown over the work area for [`NOTICE_S`].
#[derive(Debug, Clone, PartialEq)]
pub struct Notice {
    /// Text.
    pub text: String,
    /// When it disappears, on the UI clock (s).
    pub until_s: f64,
}

/// One line of a chat with a colleague.
#[derive(Debug, Clone, PartialEq)]
pub struct AgentChatLine {
    /// The message (`sent_at` is local until stored).
    pub message: AgentChatMessage,
    /// Its delivery.
    pub delivery: Delivery,
}

/// The chat with one colleague (R9).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AgentChat {
    /// Messages, oldest first.
    pub lines: Vec<AgentChatLine>,
    /// Text being typed.
    pub draft: String,
    /// Messages from the colleague not seen yet.
    pub unread: usize,
}

impl AgentChat {
    /// Records a stored or received message; returns true if it is new.
    pub fn store(&mut self, message: AgentChatMessage) -> bool {
        match self
            .lines
            .iter_mut()
            .find(|l| l.message.message_id == message.message_id)
        {
            Some(line) => {
                line.message = message;
                line.delivery = Delivery::Stored;
                false
            }
            None => {
                self.lines.push(AgentChatLine {
                    message,
                    delivery: Delivery::Stored,
                });
                true
            }
        }
    }
}

/// Chats with colleagues, by colleague.
pub type AgentChats = BTreeMap<AgentId, AgentChat>;

/// The offline-message list of the task list (A4).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OfflineBox {
    /// Pending messages, oldest first (as many as the relay sends in one list).
    pub pending: Vec<OfflineMessage>,
    /// How many are pending in all (may exceed `pending.len()`).
    pub pending_count: u32,
    /// Every message with handled ones (newest first), while `show_handled` is on.
    pub all: Vec<OfflineMessage>,
    /// The "show handled" toggle.
    pub show_handled: bool,
    /// The message whose details are shown.
    pub selected: Option<OfflineMessageId>,
    /// Handling note being typed for the selected message.
    pub note: String,
    /// A message whose Mark handled is under way.
    pub handling: Option<OfflineMessageId>,
    /// Last error.
    pub error: Option<String>,
}

impl OfflineBox {
    /// The list shown: pending only, or everything when `show_handled`.
    pub fn shown(&self) -> &[OfflineMessage] {
        if self.show_handled {
            &self.all
        } else {
            &self.pending
        }
    }

    /// The selected message, if it is in the shown list.
    pub fn selected_message(&self) -> Option<&OfflineMessage> {
        let id = self.selected?;
        self.shown().iter().find(|m| m.id == id)
    }
}

impl Workspace {
    /// A workspace from the whole Welcome; `now_s` is the UI clock (s) for offer countdowns.
    pub fn from_welcome(
        display_name: String,
        queue: Vec<QueueEntry>,
        sessions: Vec<SessionInfo>,
        profile: AgentWelcome,
        now_s: f64,
    ) -> Self {
        let mut ws = Workspace::new(display_name, queue, sessions);
        ws.agent_id = profile.agent_id;
        ws.role = Some(profile.role);
        ws.permissions.clone_from(&profile.permissions);
        ws.presence = Some(profile.presence);
        ws.auto_away_min = profile.auto_away_min;
        ws.queue_count = profile.queue_count;
        ws.agents = profile.agents;
        ws.groups = profile.groups;
        ws.product_types = profile.product_types;
        ws.settings = profile.settings;
        ws.offline.pending = profile.offline_messages;
        ws.offline.pending_count = profile.offline_pending;
        for offer in profile.offers {
            ws.add_offer(offer, now_s);
        }
        ws
    }

    /// Starts the work area of a fresh login with the app's preferences: says why the agent is
    /// Offline when every seat is taken (R1) and asks for the records put off before the
    /// console closed (A13). `lang` words the texts.
    pub fn start(
        &mut self,
        prefs: crate::prefs::Preferences,
        lang: porpoise_ui::Language,
        out: &mut Vec<super::Effect>,
    ) {
        self.prefs = prefs;
        if let Some(seats) = self.seats_full() {
            // Logged in Offline because every seat is taken (R1): say why.
            let full = porpoise_protocol::wire::ApiError::NoFreeSeat { seats };
            self.presence_error = Some(crate::i18n::request_error(lang, &full));
        }
        if self.serves() {
            // Records put off before the console closed are still to fill (A13).
            super::intent::call(
                out,
                porpoise_protocol::wire::Request::ListPendingRecords(
                    porpoise_protocol::wire::rpc::ListPendingRecords,
                ),
            );
        }
        self.settle();
    }

    /// Uses `prefs` (the app's, after it took and sanitised the settings dialog's changes).
    pub fn use_prefs(&mut self, prefs: crate::prefs::Preferences) {
        self.prefs = prefs;
    }

    /// A chat message could not be handed to the network side: marked as not sent.
    pub fn chat_not_sent(
        &mut self,
        session_id: porpoise_protocol::wire::SessionId,
        message_id: porpoise_protocol::wire::MessageId,
        error: String,
    ) {
        if let Some(tab) = self.session_mut(session_id) {
            tab.fail(message_id, error);
        }
    }

    /// `Some(seats)` when this serving account is Offline because colleagues already use every
    /// seat the center bought (R1), so the console can say why it cannot go online.
    pub fn seats_full(&self) -> Option<u32> {
        let seats = self.settings.seats;
        let used = self
            .agents
            .iter()
            .filter(|a| a.agent_id != self.agent_id && a.presence.uses_seat())
            .count();
        (self.serves() && self.presence == Some(Presence::Offline) && used >= seats as usize)
            .then_some(seats)
    }

    /// True if this account serves customers (not an `Admin`, nor a custom role without it).
    pub fn serves(&self) -> bool {
        self.role.is_none() || self.can(Permission::ServeCustomers)
    }

    /// True if this account may edit the center-wide library (M7).
    pub fn manages(&self) -> bool {
        self.can(Permission::ManageLibrary)
    }

    /// The account as the directory pages see it (M4).
    pub fn viewer(&self) -> super::Viewer {
        super::Viewer {
            agent_id: Some(self.agent_id),
            role: self.role,
            groups: self
                .agents
                .iter()
                .find(|a| a.agent_id == self.agent_id)
                .map(|a| a.groups.clone())
                .unwrap_or_default(),
            permissions: self.permissions.clone(),
        }
    }

    /// True if the account has permission `p` (M4); the relay checks it again.
    pub fn can(&self, p: Permission) -> bool {
        self.permissions.contains(&p)
    }

    /// Shows an offer (replacing one with the same id).
    pub(super) fn add_offer(&mut self, offer: Offer, now_s: f64) {
        self.offers.retain(|o| o.offer.offer_id != offer.offer_id);
        let deadline_s = now_s + offer.expires_in_ms as f64 / 1000.0;
        self.offers.push(OfferPrompt {
            deadline_s,
            total_s: offer.expires_in_ms as f64 / 1000.0,
            offer,
            answering: false,
        });
    }

    /// Shows a notice for [`NOTICE_S`].
    pub(super) fn notify(&mut self, text: String, now_s: f64) {
        self.notices.push(Notice {
            text,
            until_s: now_s + NOTICE_S,
        });
    }

    /// Drops expired notices, and offers and transfer prompts [`PROMPT_GRACE_S`] after their
    /// countdown ended (the relay's withdrawal, with its reason, normally comes first).
    pub fn expire(&mut self, now_s: f64) {
        self.notices.retain(|n| n.until_s > now_s);
        self.offers
            .retain(|o| o.deadline_s + PROMPT_GRACE_S > now_s);
        self.transfers
            .retain(|t| t.deadline_s + PROMPT_GRACE_S > now_s);
    }

    /// A group's name.
    pub fn group_name(&self, id: GroupId) -> Option<&str> {
        self.groups
            .iter()
            .find(|g| g.group_id == id)
            .map(|g| g.name.as_str())
    }

    /// The name of a product type of the center.
    pub fn product_type_name(&self, id: ProductTypeId) -> Option<&str> {
        self.product_types
            .iter()
            .find(|p| p.product_type_id == id)
            .map(|p| p.name.as_str())
    }

    /// A colleague's nickname.
    pub fn agent_name(&self, id: AgentId) -> Option<&str> {
        self.agents
            .iter()
            .find(|a| a.agent_id == id)
            .map(|a| a.nickname.as_str())
    }
}
