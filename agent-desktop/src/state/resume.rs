//! Keeping the work area through a lost connection (R13): what changes when the connection
//! drops, and merging the Welcome of the reconnected login into the tabs on screen.

use porpoise_protocol::wire::{
    AgentWelcome, MessageId, Party, Presence, QueueEntry, SessionId, SessionInfo,
};

use super::{ChatEntry, Delivery, ScreenView, SessionPhase, SessionTab, Workspace};

/// Why a pending message of a session that ended during the outage was not sent.
pub const SESSION_GONE: &str = "the session ended while the connection was lost";

/// The connection to the relay, as the work area shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Link {
    /// Logged in and connected.
    #[default]
    Up,
    /// The connection was lost; the network side is reconnecting.
    Reconnecting {
        /// Number of the next (or running) attempt, 1-based.
        attempt: u32,
        /// Why the connection closed.
        reason: String,
    },
}

/// A chat message to send again with the same id after reconnecting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resend {
    /// Session.
    pub session_id: SessionId,
    /// The message's id, unchanged so that the relay stores it once.
    pub message_id: MessageId,
    /// Text.
    pub text: String,
}

/// What to send once the reconnected login's Welcome is merged.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Resume {
    /// Pending chat messages, in the order they were written.
    pub resend: Vec<Resend>,
    /// The presence the agent had chosen, if the Welcome's differs.
    pub presence: Option<Presence>,
}

impl Workspace {
    /// True while the connection is lost.
    pub fn reconnecting(&self) -> bool {
        matches!(self.link, Link::Reconnecting { .. })
    }

    /// The connection dropped for `reason` and will be retried: screens and remote actions
    /// stop (the relay cut the media), prompts that can no longer be answered go away.
    pub fn connection_lost(&mut self, reason: String) {
        if let Link::Up = self.link {
            self.wanted_presence = self.presence_change.map(|(p, _)| p).or(self.presence);
        }
        self.link = Link::Reconnecting { attempt: 1, reason };
        self.presence_change = None;
        self.accepting.clear();
        self.offers.clear();
        self.transfers.clear();
        for tab in &mut self.sessions {
            tab.actions.clear();
            tab.screen = ScreenView::Off;
            tab.typing.clear();
        }
    }

    /// The network side started reconnect attempt `attempt` (1-based).
    pub fn reconnect_attempt(&mut self, attempt: u32) {
        if let Link::Reconnecting { attempt: a, .. } = &mut self.link {
            *a = attempt;
        }
    }

    /// Merges the Welcome of a reconnected login: open sessions update their tabs (the
    /// relay's history replaces the local one, pending messages stay at the end), tabs of
    /// sessions no longer open are marked ended, the rest is refreshed from the profile.
    /// Returns the messages to resend and the presence to restore.
    pub fn resume(
        &mut self,
        display_name: String,
        queue: Vec<QueueEntry>,
        sessions: Vec<SessionInfo>,
        profile: AgentWelcome,
        now_s: f64,
    ) -> Resume {
        let mut resume = Resume::default();
        let ids: Vec<SessionId> = sessions.iter().map(|s| s.session_id).collect();
        for info in sessions {
            match self
                .sessions
                .iter_mut()
                .find(|t| t.session_id == info.session_id)
            {
                Some(tab) => resume.resend.extend(tab.restore(info)),
                None => self.sessions.push(SessionTab::new(info)),
            }
        }
        for tab in &mut self.sessions {
            if !ids.contains(&tab.session_id) && tab.phase == SessionPhase::Open {
                tab.phase = SessionPhase::Ended { by: Party::Relay };
                tab.transferring = false;
                for entry in &mut tab.chat {
                    if entry.delivery == Delivery::Pending {
                        entry.delivery = Delivery::Failed(SESSION_GONE.into());
                    }
                }
            }
        }
        if self.selected.is_none() {
            self.selected = self.sessions.first().map(|s| s.session_id);
        }
        self.display_name = display_name;
        self.set_queue(queue);
        let wanted = self.wanted_presence.take();
        resume.presence = wanted.filter(|w| profile.role.serves() && *w != profile.presence);
        self.agent_id = profile.agent_id;
        self.role = Some(profile.role);
        self.permissions.clone_from(&profile.permissions);
        self.presence = Some(profile.presence);
        self.presence_error = None;
        self.presence_change = resume.presence.map(|p| (p, false));
        self.auto_away_min = profile.auto_away_min;
        self.queue_count = profile.queue_count;
        self.agents = profile.agents;
        self.groups = profile.groups;
        self.product_types = profile.product_types;
        self.settings = profile.settings;
        self.offline.pending = profile.offline_messages;
        self.offline.pending_count = profile.offline_pending;
        self.offers.clear();
        for offer in profile.offers {
            self.add_offer(offer, now_s);
        }
        self.link = Link::Up;
        self.settle();
        resume
    }
}

impl SessionTab {
    /// Takes the relay's view of this open session; returns the agent's messages still
    /// pending (not in the relay's history), which stay at the end of the chat.
    fn restore(&mut self, info: SessionInfo) -> Vec<Resend> {
        let stored: Vec<MessageId> = info.messages.iter().map(|m| m.message_id).collect();
        let pending: Vec<ChatEntry> = self
            .chat
            .drain(..)
            .filter(|e| e.delivery == Delivery::Pending && !stored.contains(&e.message.message_id))
            .collect();
        let resend = pending
            .iter()
            .map(|e| Resend {
                session_id: self.session_id,
                message_id: e.message.message_id,
                text: e.message.text.clone(),
            })
            .collect();
        self.chat = info
            .messages
            .into_iter()
            .map(|message| ChatEntry {
                message,
                delivery: Delivery::Stored,
            })
            .chain(pending)
            .collect();
        self.customer_name = info.customer_name;
        self.customer_phone = info.customer_phone;
        self.started_at = info.started_at;
        self.phase = SessionPhase::Open;
        self.actions.clear();
        self.screen = ScreenView::Off;
        self.transferring = false;
        resend
    }
}

#[cfg(test)]
mod tests {
    use porpoise_protocol::wire::{AgentId, ChatMessage, RemoteAction};

    use super::*;

    fn info(session_id: SessionId, messages: Vec<ChatMessage>) -> SessionInfo {
        SessionInfo {
            session_id,
            customer_name: "Ann".into(),
            customer_phone: "1".into(),
            agent_name: "A".into(),
            started_at: 0,
            messages,
        }
    }

    fn msg(message_id: MessageId, from: Party, text: &str) -> ChatMessage {
        ChatMessage {
            message_id,
            from,
            text: text.into(),
            sent_at: 1,
            image: None,
        }
    }

    #[test]
    fn resume_keeps_unstored_messages_pending_in_order_and_ends_closed_sessions() {
        let mut ws = Workspace::new(
            "A".into(),
            vec![],
            vec![info(SessionId(1), vec![]), info(SessionId(2), vec![])],
        );
        ws.presence = Some(Presence::Busy);
        let tab = ws.session_mut(SessionId(1)).expect("tab");
        tab.push_pending(MessageId(10), "stored before the drop".into(), 0);
        tab.push_pending(MessageId(11), "lost".into(), 0);
        tab.actions.insert(
            RemoteAction::ViewDesktop,
            porpoise_protocol::wire::ActionState::Granted,
        );
        ws.session_mut(SessionId(2))
            .expect("tab")
            .push_pending(MessageId(20), "x".into(), 0);
        ws.connection_lost("timed out".into());
        assert!(ws.reconnecting());
        assert!(ws.sessions[0].actions.is_empty());
        ws.session_mut(SessionId(1))
            .expect("tab")
            .push_pending(MessageId(12), "during".into(), 0);

        let history = vec![
            msg(MessageId(10), Party::Agent, "stored before the drop"),
            msg(MessageId(5), Party::Customer, "meanwhile"),
        ];
        let profile = AgentWelcome {
            presence: Presence::Online,
            ..test_profile()
        };
        let resume = ws.resume(
            "A".into(),
            vec![],
            vec![info(SessionId(1), history)],
            profile,
            0.0,
        );
        let ids: Vec<MessageId> = resume.resend.iter().map(|r| r.message_id).collect();
        assert_eq!(ids, [MessageId(11), MessageId(12)]);
        assert_eq!(resume.presence, Some(Presence::Busy));
        assert_eq!(ws.presence_change, Some((Presence::Busy, false)));
        assert_eq!(ws.link, Link::Up);
        let texts: Vec<&str> = ws.sessions[0]
            .chat
            .iter()
            .map(|e| e.message.text.as_str())
            .collect();
        assert_eq!(
            texts,
            ["stored before the drop", "meanwhile", "lost", "during"]
        );
        assert_eq!(
            ws.sessions[1].phase,
            SessionPhase::Ended { by: Party::Relay }
        );
        assert_eq!(
            ws.sessions[1].chat[0].delivery,
            Delivery::Failed(SESSION_GONE.into())
        );
    }

    fn test_profile() -> AgentWelcome {
        AgentWelcome {
            agent_id: AgentId(1),
            role: porpoise_protocol::wire::Role::Agent,
            permissions: porpoise_protocol::wire::Role::Agent
                .default_permissions()
                .to_vec(),
            presence: Presence::Online,
            auto_away_min: None,
            queue_count: 0,
            agents: vec![],
            groups: vec![],
            product_types: vec![],
            settings: Default::default(),
            offline_messages: vec![],
            offline_pending: 0,
            offers: vec![],
        }
    }
}
