//! What a panel asks for ([`Intent`]) and what the app must do after a state change
//! ([`Effect`]).
//!
//! Panels read the [`Workspace`](super::Workspace) and report clicks and edits as intents;
//! [`Workspace::on_ui`](super::Workspace::on_ui) applies them and
//! [`Workspace::on_net`](super::Workspace::on_net) applies network events, both pushing effects
//! that the app carries out (commands for the network side, notifications, logging out).

use porpoise_shared::{
    ui::Language,
    wire::{
        AgentId, OfferId, OfflineMessageId, Presence, QueueEntry, TicketId, TransferId,
        TransferTarget,
    },
};

use super::{AdminDialog, SettingsDialog};
use crate::net::NetCommand;

/// One of the admin windows to open (R3, R5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdminWindow {
    /// Live logins with Kick buttons.
    Logins,
    /// Reset another account's password.
    ResetPassword,
    /// The center's settings.
    CenterSettings,
}

/// Something the agent did in a panel: a wish the workspace may grant.
#[derive(Debug, Clone, PartialEq)]
pub enum Intent {
    /// Log out (the app goes back to the login window).
    LogOut,
    /// Accept a waiting customer from the queue (A4).
    Accept {
        /// The queue entry.
        ticket_id: TicketId,
    },
    /// Set the agent's own presence by hand (R4).
    SetPresence(Presence),
    /// Answer an offer (A3/R5).
    AnswerOffer {
        /// The offer.
        offer_id: OfferId,
        /// Accept (true) or reject (false).
        accept: bool,
    },
    /// Answer an incoming transfer (A14/R8).
    AnswerTransfer {
        /// The transfer.
        transfer_id: TransferId,
        /// Accept (true) or reject (false).
        accept: bool,
    },
    /// Open the personal settings dialog (A17), shown in `lang` (the language in use).
    OpenSettings {
        /// The UI language in use.
        lang: Language,
    },
    /// Ask the relay for a new session code and show the dialog (A16).
    RequestSessionCode,
    /// Close the session-code dialog.
    CloseSessionCode,
    /// Open an admin window (R3, R5).
    OpenAdmin(AdminWindow),
    /// Open the chat window with a colleague (R9); its unread count is cleared.
    OpenAgentChat(AgentId),
    /// Close the colleague chat window.
    CloseAgentChat,
    /// The draft of the open colleague chat changed.
    EditAgentChatDraft(String),
    /// Send the draft of the open colleague chat.
    SendAgentChat,
    /// List handled offline messages too (A4), or only pending ones.
    ShowHandledOffline(bool),
    /// Show the details of one offline message.
    SelectOffline(OfflineMessageId),
    /// The handling note of the selected offline message changed.
    EditOfflineNote(String),
    /// Mark an offline message handled with the note typed.
    MarkOfflineHandled(OfflineMessageId),
    /// Pick the receiver in the Transfer dialog (A14).
    PickTransferTarget(TransferTarget),
    /// The Transfer dialog's note changed.
    EditTransferNote(String),
    /// Send the transfer of the Transfer dialog to the receiver picked.
    SendTransfer,
    /// Close the Transfer dialog.
    CloseTransferDialog,
    /// The settings dialog's fields as edited (A17).
    EditSettings(Box<SettingsDialog>),
    /// Alert sounds on or off (applies at once).
    SetSounds(bool),
    /// The UI language (applies at once).
    SetLanguage(Language),
    /// The chat text size in points (applies at once).
    SetChatFontSize(f32),
    /// Save the auto-away minutes (R4).
    SaveAutoAway,
    /// Check the connection fields and keep them for the next login; `lang` words the error.
    SaveConnection {
        /// The UI language in use.
        lang: Language,
    },
    /// Check the password fields and change the password; `lang` words the error.
    ChangePassword {
        /// The UI language in use.
        lang: Language,
    },
    /// Close the settings dialog.
    CloseSettings,
    /// The open admin window's fields as edited (R3, R5).
    EditAdmin(Box<AdminDialog>),
    /// Load the live logins again.
    RefreshLogins,
    /// Kick this account's login (confirmed).
    KickLogin(AgentId),
    /// Check the new password and reset the picked account's; `lang` words the error.
    ResetPassword {
        /// The UI language in use.
        lang: Language,
    },
    /// Save the center settings being edited.
    SaveCenterSettings,
    /// Close the admin window.
    CloseAdmin,
}

/// What the app must do after a state change.
#[allow(clippy::large_enum_variant)] // as for NetCommand
#[derive(Debug)]
pub enum Effect {
    /// Send this command to the network side.
    Command(NetCommand),
    /// A new customer joined the queue (A3): chime, popup when the console is not focused.
    CustomerQueued {
        /// The queue entry.
        entry: QueueEntry,
        /// Customers waiting now.
        queue_len: usize,
    },
    /// Something needs the agent now (an offer, a transfer) (A3).
    Alert {
        /// Popup title.
        title: String,
        /// Popup body.
        body: String,
    },
    /// A customer wrote in a tab that is not in front (A3).
    CustomerMessage {
        /// The customer's name.
        customer_name: String,
        /// The message's text (or a picture's placeholder).
        text: String,
    },
    /// The agent logged out: the app shows the login window.
    LogOut,
}

/// Pushes a relay request through [`NetCommand::Call`].
pub(crate) fn call(out: &mut Vec<Effect>, body: porpoise_shared::wire::Request) {
    out.push(Effect::Command(NetCommand::Call(crate::net::Call(body))));
}
