//! UI state of the console, as enums where it has phases. Pure data and transitions; drawing is
//! in [`crate::ui`], networking in [`crate::net`].
//!
//! Sans-IO, like the helper's state: the [`Workspace`] changes only through
//! [`Workspace::on_ui`] (an [`Intent`] from a panel, `actions.rs`) and [`Workspace::on_net`] (a
//! [`NetEvent`](crate::net::NetEvent), `net_events.rs`; typed request answers in
//! `answers.rs`), plus a few calls of the app's own (login, reconnect, preferences, clock).
//! Both push [`Effect`]s that the app carries out. Its fields are private: panels and tests
//! read them through accessors.

mod actions;
mod answers;
mod desk;
mod dialogs;
mod directory;
mod intent;
mod knowledge;
mod library;
mod net_events;
mod records;
mod resume;
mod sysinfo;
mod upload;

pub use desk::*;
pub use dialogs::*;
pub use directory::*;
pub use intent::{AdminWindow, Effect, Intent};
pub use knowledge::*;
pub use library::*;
pub use records::*;
pub use resume::*;
pub use sysinfo::*;
pub use upload::*;

use std::collections::{BTreeMap, HashSet};

use porpoise_protocol::wire::{
    ActionState, AgentCard, AgentId, CenterId, CenterSettings, ChatImage, ChatMessage, Group,
    MessageId, Party, Presence, ProductType, QueueEntry, RemoteAction, Role, SessionId,
    SessionInfo, TicketId, UnixMs,
};

use crate::{net::LoginFailure, screen::ScreenFeed};

/// Where the login window is.
#[derive(Debug, Clone, PartialEq)]
pub enum LoginState {
    /// The form is being filled in; `error` is the last failure or validation message.
    Editing {
        /// Message shown under the form.
        error: Option<LoginError>,
    },
    /// A login is under way.
    LoggingIn,
}

/// Why the login window shows an error.
#[derive(Debug, Clone, PartialEq)]
pub enum LoginError {
    /// The relay refused or could not be reached.
    Failed(LoginFailure),
    /// The connection dropped after login; the text says why.
    Disconnected(porpoise_quic::client::Disconnect),
    /// A field is invalid (a fixed, translated text).
    Invalid(crate::i18n::Msg),
}

/// The username drop-down's list for one center (R2).
#[derive(Debug, Clone, PartialEq)]
pub enum Usernames {
    /// Nothing asked yet (no valid center ID typed).
    Unknown,
    /// Asked for this center.
    Loading(CenterId),
    /// The relay's list for this center.
    Loaded(CenterId, Vec<String>),
    /// The lookup failed.
    Failed(CenterId, LoginFailure),
}

/// Delivery of one chat message written by the agent (A7, R13).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// Sent; the relay has not confirmed it is stored.
    Pending,
    /// Stored by the relay (or received from the other side).
    Stored,
    /// The relay refused it or the connection failed; the text says why.
    Failed(String),
}

/// One line of a chat history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatEntry {
    /// The message (for a pending one, `sent_at` is the local send time).
    pub message: ChatMessage,
    /// Its delivery.
    pub delivery: Delivery,
}

/// Whether a session is still going on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionPhase {
    /// Open.
    Open,
    /// Over; `by` ended it.
    Ended {
        /// Who ended it.
        by: Party,
    },
}

/// The screen part of a session tab.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum ScreenView {
    /// No screen stream.
    #[default]
    Off,
    /// A screen stream is arriving; its texture, image settings and remote-input state are the
    /// screen panel's ([`crate::ui::SessionTools::screens`]).
    Streaming,
    /// The stream ended; `error` if it broke.
    Ended {
        /// What went wrong, if anything.
        error: Option<String>,
    },
}

/// One customer being served: a tab in the work area (A5, A6).
#[derive(Debug)]
pub struct SessionTab {
    /// Session id.
    pub session_id: SessionId,
    /// Customer's name.
    pub customer_name: String,
    /// Customer's phone.
    pub customer_phone: String,
    /// Unix ms the session started.
    pub started_at: UnixMs,
    /// Chat history, oldest first.
    pub chat: Vec<ChatEntry>,
    /// Text being typed.
    pub draft: String,
    /// State of each remote action; absent means [`ActionState::Stopped`].
    pub actions: BTreeMap<RemoteAction, ActionState>,
    /// Open or ended.
    pub phase: SessionPhase,
    /// The customer's screen.
    pub screen: ScreenView,
    /// Messages from the customer not seen yet (tab not selected).
    pub unread: usize,
    /// Last error of a request about this session, shown in the tab.
    pub notice: Option<String>,
    /// The customer's unsent text (R10); empty when nothing is being typed.
    pub typing: String,
    /// A transfer of this session is waiting for its receiver.
    pub transferring: bool,
    /// The customer's last system-info report (A10), if one arrived.
    pub system_info: Option<SystemInfoView>,
    /// The agent hid this tab's button (A5); the session goes on and the tab is listed under
    /// "Hidden".
    pub hidden: bool,
    /// The agent asked to end the session and close the tab: closed once the end arrives.
    pub close_on_end: bool,
    /// Visitor card, tags and context of the customer (A13, A15, A18).
    pub customer: CustomerPanel,
    /// Reboot and reconnect (C8): whether the customer's computer is restarting.
    pub reboot: RebootWait,
    /// The satisfaction survey of this session (C7): pushed, answered.
    pub survey: SurveyStatus,
}

/// Where a session's satisfaction survey stands (C7), as the agent sees it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum SurveyStatus {
    /// Not pushed, no answer yet.
    #[default]
    None,
    /// The agent pushed it (推送调查表); the customer has not answered yet.
    Pushed,
    /// The customer answered.
    Answered(porpoise_protocol::wire::SurveyAnswer),
}

/// Where a session's reboot and reconnect stands (C8), as the agent sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RebootWait {
    /// No reboot asked, or long over.
    #[default]
    None,
    /// The customer's computer is restarting; the relay keeps the session until `until`
    /// (Unix ms, 15 minutes after the customer left), then ends it.
    Waiting {
        /// Unix ms the wait ends.
        until: UnixMs,
    },
    /// The customer came back after the reboot.
    Reconnected,
}

impl SessionTab {
    /// A tab for `info`, with its history (all of it stored).
    pub fn new(info: SessionInfo) -> Self {
        let chat = info
            .messages
            .into_iter()
            .map(|message| ChatEntry {
                message,
                delivery: Delivery::Stored,
            })
            .collect();
        SessionTab {
            session_id: info.session_id,
            customer_name: info.customer_name,
            customer_phone: info.customer_phone,
            started_at: info.started_at,
            chat,
            draft: String::new(),
            actions: BTreeMap::new(),
            phase: SessionPhase::Open,
            screen: ScreenView::Off,
            unread: 0,
            notice: None,
            typing: String::new(),
            transferring: false,
            system_info: None,
            hidden: false,
            close_on_end: false,
            customer: CustomerPanel::default(),
            reboot: RebootWait::None,
            survey: SurveyStatus::None,
        }
    }

    /// State of `action`.
    pub fn action(&self, action: RemoteAction) -> ActionState {
        self.actions
            .get(&action)
            .copied()
            .unwrap_or(ActionState::Stopped)
    }

    /// True if the agent may drive the customer's computer now.
    pub fn controlling(&self) -> bool {
        self.phase == SessionPhase::Open
            && self.action(RemoteAction::RemoteControl) == ActionState::Granted
    }

    /// Adds a message the agent just sent, pending until the relay stores it.
    pub fn push_pending(&mut self, message_id: MessageId, text: String, now_ms: UnixMs) {
        let message = ChatMessage {
            message_id,
            from: Party::Agent,
            text,
            sent_at: now_ms,
            image: None,
        };
        self.chat.push(ChatEntry {
            message,
            delivery: Delivery::Pending,
        });
    }

    /// Adds a picture the agent just sent (A7), pending until the relay stores it.
    pub fn push_pending_picture(
        &mut self,
        message_id: MessageId,
        image: ChatImage,
        now_ms: UnixMs,
    ) {
        self.chat.push(ChatEntry {
            message: ChatMessage {
                message_id,
                from: Party::Agent,
                text: String::new(),
                sent_at: now_ms,
                image: Some(image),
            },
            delivery: Delivery::Pending,
        });
    }

    /// Records a stored message: confirms a pending one with the same id, or appends it.
    /// Returns true if it was new (not a confirmation or a duplicate).
    pub fn store(&mut self, message: ChatMessage) -> bool {
        match self
            .chat
            .iter_mut()
            .find(|e| e.message.message_id == message.message_id)
        {
            Some(entry) => {
                entry.message = message;
                entry.delivery = Delivery::Stored;
                false
            }
            None => {
                self.chat.push(ChatEntry {
                    message,
                    delivery: Delivery::Stored,
                });
                true
            }
        }
    }

    /// Marks a pending message as failed.
    pub fn fail(&mut self, message_id: MessageId, error: String) {
        if let Some(entry) = self
            .chat
            .iter_mut()
            .find(|e| e.message.message_id == message_id)
        {
            entry.delivery = Delivery::Failed(error);
        }
    }
}

/// The logged-in work area: queue and sessions.
#[derive(Debug, Default)]
pub struct Workspace {
    /// The agent's display name.
    display_name: String,
    /// Customers waiting, oldest first (A4).
    queue: Vec<QueueEntry>,
    /// Every ticket ever shown, to notify only about new ones (A3).
    seen_tickets: HashSet<TicketId>,
    /// Tickets whose Accept is under way.
    accepting: HashSet<TicketId>,
    /// Last queue error (e.g. someone else accepted the customer first).
    queue_notice: Option<String>,
    /// Open tabs, in the order they opened (A5).
    sessions: Vec<SessionTab>,
    /// The tab shown.
    selected: Option<SessionId>,
    /// The account's id.
    agent_id: AgentId,
    /// The account's role (an `Admin` serves nobody: no presence, no Accept).
    role: Option<Role>,
    /// What the account may do (M4), from the Welcome.
    permissions: Vec<porpoise_protocol::wire::Permission>,
    /// Own presence as the relay last confirmed it (R4).
    presence: Option<Presence>,
    /// A presence change on its way, and whether the console made it by itself.
    presence_change: Option<(Presence, bool)>,
    /// Last presence error (e.g. no free seat).
    presence_error: Option<String>,
    /// Auto-away minutes (None: off).
    auto_away_min: Option<u16>,
    /// Waiting customers in total (also in `CountOnly` view).
    queue_count: u32,
    /// Colleagues with presence and load.
    agents: Vec<AgentCard>,
    /// The center's groups.
    groups: Vec<Group>,
    /// The center's product types.
    product_types: Vec<ProductType>,
    /// The center's settings.
    settings: CenterSettings,
    /// Open offers, oldest first (A3).
    offers: Vec<OfferPrompt>,
    /// Incoming transfers, oldest first (A14).
    transfers: Vec<TransferPrompt>,
    /// Short notices (offer withdrawn, transfer outcome…).
    notices: Vec<Notice>,
    /// Chats with colleagues.
    agent_chats: AgentChats,
    /// The colleague whose chat window is open.
    open_chat: Option<AgentId>,
    /// Offline messages (A4).
    offline: OfflineBox,
    /// The session-code dialog.
    session_code: Option<SessionCodeDialog>,
    /// The Transfer dialog.
    transfer_dialog: Option<TransferDialog>,
    /// The personal settings dialog.
    settings_dialog: Option<SettingsDialog>,
    /// The open admin window.
    admin: Option<AdminDialog>,
    /// A common file being uploaded from the admin window (M7).
    common_upload: Option<CommonUpload>,
    /// The connection to the relay (R13).
    link: Link,
    /// While reconnecting: the presence the agent had, to restore after the Welcome.
    wanted_presence: Option<Presence>,
    /// File transfers of all sessions (A6).
    files: crate::files::FileBoard,
    /// Support record form and pending records (A13).
    records: RecordDesk,
    /// The tab whose Close waits for the agent to confirm ending its open session (A5).
    confirm_close: Option<SessionId>,
    /// This agent's preferences (A17); the settings dialog edits them, the app applies and
    /// keeps them when they change.
    prefs: crate::prefs::Preferences,
    /// The quick-reply side panel: canned responses, knowledge base, service history (A8, A11).
    library: Library,
}

impl Workspace {
    /// A workspace from the Welcome: queue and restored sessions, without a profile (tests).
    pub fn new(display_name: String, queue: Vec<QueueEntry>, sessions: Vec<SessionInfo>) -> Self {
        let seen_tickets = queue.iter().map(|q| q.ticket_id).collect();
        let sessions: Vec<SessionTab> = sessions.into_iter().map(SessionTab::new).collect();
        let selected = sessions.first().map(|s| s.session_id);
        Workspace {
            display_name,
            queue_count: queue.len() as u32,
            queue,
            seen_tickets,
            sessions,
            selected,
            ..Default::default()
        }
    }

    /// Replaces the queue; returns the entries not seen before (to notify about).
    fn set_queue(&mut self, queue: Vec<QueueEntry>) -> Vec<QueueEntry> {
        let fresh: Vec<QueueEntry> = queue
            .iter()
            .filter(|q| self.seen_tickets.insert(q.ticket_id))
            .cloned()
            .collect();
        self.accepting
            .retain(|t| queue.iter().any(|q| q.ticket_id == *t));
        self.queue = queue;
        fresh
    }

    /// Opens (or re-opens) the tab of a started session and selects it.
    fn open_session(&mut self, info: SessionInfo) {
        let id = info.session_id;
        match self.sessions.iter_mut().find(|s| s.session_id == id) {
            Some(tab) => {
                tab.hidden = false;
                for m in info.messages {
                    tab.store(m);
                }
            }
            None => self.sessions.push(SessionTab::new(info)),
        }
        self.selected = Some(id);
    }

    /// The tab of `id`.
    fn session_mut(&mut self, id: SessionId) -> Option<&mut SessionTab> {
        self.sessions.iter_mut().find(|s| s.session_id == id)
    }

    /// Closes the tab of `id`, selecting a neighbour.
    fn close_tab(&mut self, id: SessionId) {
        let Some(i) = self.sessions.iter().position(|s| s.session_id == id) else {
            return;
        };
        self.sessions.remove(i);
        self.library.histories.remove(&id);
        if self.confirm_close == Some(id) {
            self.confirm_close = None;
        }
        if self.selected == Some(id) {
            self.selected = self.next_visible(i);
        }
    }

    /// Hides the button of tab `id` (A5); the next visible tab is selected if it was.
    fn hide_tab(&mut self, id: SessionId) {
        let Some(i) = self.sessions.iter().position(|s| s.session_id == id) else {
            return;
        };
        self.sessions[i].hidden = true;
        if self.selected == Some(id) {
            self.selected = self.next_visible(i);
        }
    }

    /// Shows the button of tab `id` again and selects it.
    fn show_tab(&mut self, id: SessionId) {
        if let Some(tab) = self.session_mut(id) {
            tab.hidden = false;
            self.selected = Some(id);
        }
    }

    /// What holds after every change: the tab in front has no unread messages, tabs whose
    /// session the agent ended with Close go once the end has arrived (A5), a Close waiting
    /// for confirmation is about a tab that is still there, and every tab knows the center's
    /// message tags (A13).
    fn settle(&mut self) {
        let tags = &self.settings.records.message_tags;
        for tab in &mut self.sessions {
            if tab.customer.tag_list != *tags {
                tab.customer.tag_list.clone_from(tags);
            }
        }
        let done: Vec<SessionId> = self
            .sessions
            .iter()
            .filter(|t| t.close_on_end && matches!(t.phase, SessionPhase::Ended { .. }))
            .map(|t| t.session_id)
            .collect();
        for id in done {
            self.close_tab(id);
        }
        if let Some(id) = self.selected {
            if let Some(tab) = self.session_mut(id) {
                tab.unread = 0;
            }
        }
        if let Some(id) = self.confirm_close {
            if !self.sessions.iter().any(|t| t.session_id == id) {
                self.confirm_close = None;
            }
        }
    }

    /// The visible tab nearest to position `i` (after it first), if any.
    fn next_visible(&self, i: usize) -> Option<SessionId> {
        let visible = |t: &&SessionTab| !t.hidden;
        self.sessions[i.min(self.sessions.len())..]
            .iter()
            .find(visible)
            .or_else(|| {
                self.sessions[..i.min(self.sessions.len())]
                    .iter()
                    .rev()
                    .find(visible)
            })
            .map(|t| t.session_id)
    }

    /// Starts showing a screen stream in the tab of `id`: the app shows `feed`
    /// ([`Effect::ShowScreen`]).
    fn start_screen(
        &mut self,
        id: SessionId,
        feed: std::sync::Arc<ScreenFeed>,
        out: &mut Vec<Effect>,
    ) {
        if let Some(tab) = self.session_mut(id) {
            tab.screen = ScreenView::Streaming;
            out.push(Effect::ShowScreen {
                session_id: id,
                feed,
            });
        }
    }
}

/// Read access for the panels and tests; changes go through [`Workspace::on_ui`] and
/// [`Workspace::on_net`].
impl Workspace {
    /// The agent's display name.
    pub fn display_name(&self) -> &str {
        &self.display_name
    }

    /// Customers waiting, oldest first (A4).
    pub fn queue(&self) -> &[QueueEntry] {
        &self.queue
    }

    /// True while the Accept of `ticket_id` is under way.
    pub fn accepting(&self, ticket_id: TicketId) -> bool {
        self.accepting.contains(&ticket_id)
    }

    /// Last queue error (e.g. someone else accepted the customer first).
    pub fn queue_notice(&self) -> Option<&str> {
        self.queue_notice.as_deref()
    }

    /// Open tabs, in the order they opened (A5).
    pub fn sessions(&self) -> &[SessionTab] {
        &self.sessions
    }

    /// The tab of `id`.
    pub fn session(&self, id: SessionId) -> Option<&SessionTab> {
        self.sessions.iter().find(|s| s.session_id == id)
    }

    /// The tab shown.
    pub fn selected(&self) -> Option<SessionId> {
        self.selected
    }

    /// The account's id.
    pub fn agent_id(&self) -> AgentId {
        self.agent_id
    }

    /// The account's role (an `Admin` serves nobody: no presence, no Accept).
    pub fn role(&self) -> Option<Role> {
        self.role
    }

    /// Own presence as the relay last confirmed it (R4).
    pub fn presence(&self) -> Option<Presence> {
        self.presence
    }

    /// A presence change on its way, and whether the console made it by itself.
    pub fn presence_change(&self) -> Option<(Presence, bool)> {
        self.presence_change
    }

    /// Last presence error (e.g. no free seat).
    pub fn presence_error(&self) -> Option<&str> {
        self.presence_error.as_deref()
    }

    /// Auto-away minutes (None: off).
    pub fn auto_away_min(&self) -> Option<u16> {
        self.auto_away_min
    }

    /// Waiting customers in total (also in `CountOnly` view).
    pub fn queue_count(&self) -> u32 {
        self.queue_count
    }

    /// Colleagues with presence and load.
    pub fn agents(&self) -> &[AgentCard] {
        &self.agents
    }

    /// The center's groups.
    pub fn groups(&self) -> &[Group] {
        &self.groups
    }

    /// The center's product types.
    pub fn product_types(&self) -> &[ProductType] {
        &self.product_types
    }

    /// The center's common files as last listed (`None` before the first answer).
    pub fn common_files(&self) -> Option<&[porpoise_protocol::wire::CommonFile]> {
        self.files.common.as_deref()
    }

    /// The center's settings.
    pub fn settings(&self) -> &CenterSettings {
        &self.settings
    }

    /// Open offers, oldest first (A3).
    pub fn offers(&self) -> &[OfferPrompt] {
        &self.offers
    }

    /// Incoming transfers, oldest first (A14).
    pub fn transfers(&self) -> &[TransferPrompt] {
        &self.transfers
    }

    /// Short notices (offer withdrawn, transfer outcome…).
    pub fn notices(&self) -> &[Notice] {
        &self.notices
    }

    /// The chat with a colleague, if there is one (R9).
    pub fn agent_chat(&self, peer: AgentId) -> Option<&AgentChat> {
        self.agent_chats.get(&peer)
    }

    /// The colleague whose chat window is open.
    pub fn open_chat(&self) -> Option<AgentId> {
        self.open_chat
    }

    /// Offline messages (A4).
    pub fn offline(&self) -> &OfflineBox {
        &self.offline
    }

    /// The session-code dialog, while open (A16).
    pub fn session_code(&self) -> Option<&SessionCodeDialog> {
        self.session_code.as_ref()
    }

    /// The Transfer dialog, while open (A14).
    pub fn transfer_dialog(&self) -> Option<&TransferDialog> {
        self.transfer_dialog.as_ref()
    }

    /// The personal settings dialog, while open (A17).
    pub fn settings_dialog(&self) -> Option<&SettingsDialog> {
        self.settings_dialog.as_ref()
    }

    /// The open admin window (R3, R5).
    pub fn admin(&self) -> Option<&AdminDialog> {
        self.admin.as_ref()
    }

    /// The connection to the relay (R13).
    pub fn link(&self) -> &Link {
        &self.link
    }

    /// File transfers of all sessions (A6).
    pub fn files(&self) -> &crate::files::FileBoard {
        &self.files
    }

    /// Support record form and pending records (A13).
    pub fn records(&self) -> &RecordDesk {
        &self.records
    }

    /// The tab whose Close waits for the agent to confirm ending its open session (A5).
    pub fn confirm_close(&self) -> Option<SessionId> {
        self.confirm_close
    }

    /// This agent's preferences (A17) as the settings dialog left them.
    pub fn prefs(&self) -> &crate::prefs::Preferences {
        &self.prefs
    }

    /// The quick-reply side panel: canned responses, knowledge base, service history (A8, A11).
    pub fn library(&self) -> &Library {
        &self.library
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(ticket_id: TicketId, name: &str) -> QueueEntry {
        QueueEntry {
            ticket_id,
            name: name.into(),
            phone: "1".into(),
            queued_at: 0,
            group_id: None,
            product_type_id: None,
        }
    }

    fn info(session_id: SessionId) -> SessionInfo {
        SessionInfo {
            session_id,
            customer_name: "Ann".into(),
            customer_phone: "1".into(),
            agent_name: "A".into(),
            started_at: 0,
            messages: vec![],
        }
    }

    #[test]
    fn only_new_tickets_notify() {
        let mut w = Workspace::new("A".into(), vec![entry(TicketId(1), "a")], vec![]);
        assert!(w.set_queue(vec![entry(TicketId(1), "a")]).is_empty());
        let fresh = w.set_queue(vec![entry(TicketId(1), "a"), entry(TicketId(2), "b")]);
        assert_eq!(fresh, vec![entry(TicketId(2), "b")]);
        // Leaving and coming back with the same ticket does not notify twice.
        w.set_queue(vec![]);
        assert!(w.set_queue(vec![entry(TicketId(2), "b")]).is_empty());
    }

    #[test]
    fn pending_messages_are_confirmed_by_id() {
        let mut tab = SessionTab::new(info(SessionId(7)));
        tab.push_pending(MessageId(42), "hi".into(), 5);
        assert_eq!(tab.chat[0].delivery, Delivery::Pending);
        let stored = ChatMessage {
            message_id: MessageId(42),
            from: Party::Agent,
            text: "hi".into(),
            sent_at: 9,
            image: None,
        };
        assert!(!tab.store(stored.clone()));
        assert_eq!(tab.chat.len(), 1);
        assert_eq!(tab.chat[0].delivery, Delivery::Stored);
        assert_eq!(tab.chat[0].message.sent_at, 9);
        assert!(!tab.store(stored), "duplicates are dropped");
    }

    #[test]
    fn closing_a_tab_selects_a_neighbour() {
        let mut w = Workspace::new(
            "A".into(),
            vec![],
            vec![info(SessionId(1)), info(SessionId(2)), info(SessionId(3))],
        );
        w.selected = Some(SessionId(3));
        w.close_tab(SessionId(3));
        assert_eq!(w.selected, Some(SessionId(2)));
        w.close_tab(SessionId(1));
        assert_eq!(w.selected, Some(SessionId(2)));
        w.close_tab(SessionId(2));
        assert_eq!(w.selected, None);
    }
}
