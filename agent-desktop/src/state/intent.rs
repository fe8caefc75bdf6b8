//! What a panel asks for ([`Intent`]) and what the app must do after a state change
//! ([`Effect`]).
//!
//! Panels read the [`Workspace`](super::Workspace) and report clicks and edits as intents;
//! [`Workspace::on_ui`](super::Workspace::on_ui) applies them and
//! [`Workspace::on_net`](super::Workspace::on_net) applies network events, both pushing effects
//! that the app carries out (commands for the network side, notifications, logging out).

use std::path::PathBuf;

use porpoise_protocol::{
    input::InputEvent,
    wire::{
        AgentId, CannedResponse, CannedResponseId, ChatImage, MessageId, OfferId, OfflineMessageId,
        Presence, QueueEntry, RemoteAction, SessionId, SupportRecordForm, TicketId,
        TranscriptCursor, TransferId, TransferTarget, VisitorCard,
    },
};
use porpoise_quic::files::FileTransferId;
use porpoise_ui::Language;

use super::{AdminDialog, CannedEditor, CustomerView, LibraryTab, ProcessColumn, SettingsDialog};
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
    /// The center's audit log (操作日志, R18).
    AuditLog,
    /// Accounts, groups, product types or account info (M2, M3, M4), on that page.
    Directory(super::DirectoryPage),
    /// The helper branding and download links (M1, M11).
    Branding,
    /// The center's blocklist (黑名单, R16).
    Blocklist,
    /// Integrations: app ID, signing key, webhook and delivery log (系统集成, R17).
    Integrations,
    /// The knowledge base (知识库管理, M7).
    Knowledge,
    /// The center's common files (常用文件, M7).
    CommonFiles,
    /// Block the customer of this session (R16).
    BlockCustomer(SessionId),
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
    /// The console sets the presence by itself: auto-away and back (R4).
    AutoPresence(Presence),
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
    /// The remote window's layout as the agent left it (size, 1:1, chat panel; issue 15).
    SetRemoteWindow(crate::prefs::RemoteWindowPrefs),
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
    /// Load the newest page of the audit log again (R18).
    RefreshAuditLog,
    /// Load the page of the audit log older than the rows shown.
    OlderAuditLog,
    /// Kick this account's login (confirmed).
    KickLogin(AgentId),
    /// Check the new password and reset the picked account's; `lang` words the error.
    ResetPassword {
        /// The UI language in use.
        lang: Language,
    },
    /// Save the center settings being edited.
    SaveCenterSettings,
    /// Load the directory again (M3).
    RefreshDirectory,
    /// Create or update the account being edited (M3).
    SaveAccount,
    /// Save the group or product type being edited (M3).
    SaveDirectoryEntry,
    /// Save the custom role being edited (M4).
    SaveRole,
    /// Save the branding being edited (M1).
    SaveBranding,
    /// Load the blocklist again (R16).
    RefreshBlocks,
    /// Upload a file read by a worker as common file `name` (M7).
    UploadCommonFile {
        /// Name in the center's folder.
        name: String,
        /// The file.
        bytes: super::UploadBytes,
    },
    /// A file chosen for upload could not be read; the text says why.
    UploadUnreadable(String),
    /// Delete a common file (confirmed; M7).
    DeleteCommonFile(String),
    /// Load the common files again.
    RefreshCommonFiles,
    /// Load the knowledge base again (M7).
    RefreshKnowledge,
    /// Save the knowledge-base node being edited; `lang` words a date typed wrong (M7).
    SaveKnowledge {
        /// The UI language.
        lang: Language,
    },
    /// Move a knowledge-base node under `parent` at `index` (M7).
    MoveKnowledge {
        /// The node.
        id: porpoise_protocol::wire::KnowledgeNodeId,
        /// New parent.
        parent: Option<porpoise_protocol::wire::KnowledgeNodeId>,
        /// Place among its new siblings.
        index: u32,
    },
    /// Delete a knowledge-base node and its subtree (confirmed; M7).
    DeleteKnowledge(porpoise_protocol::wire::KnowledgeNodeId),
    /// Set (`Some`: a PNG/JPEG already fitted to the chat limits) or remove a knowledge-base
    /// node's picture (M7 图片).
    SetKnowledgePicture {
        /// The node.
        id: porpoise_protocol::wire::KnowledgeNodeId,
        /// The picture's bytes, or `None` to remove it.
        data: Option<super::UploadBytes>,
    },
    /// A picture file for a knowledge-base node could not be read or fitted: why.
    KnowledgePictureUnreadable(String),
    /// Fetch a knowledge-base node's picture to show it (A8, M7).
    FetchKnowledgePicture(porpoise_protocol::wire::KnowledgeNodeId),
    /// Send a knowledge-base node's picture into a session's chat (A8 回复 of a 图片 entry).
    SendKnowledgePicture {
        /// The session.
        session_id: SessionId,
        /// The node.
        id: porpoise_protocol::wire::KnowledgeNodeId,
    },
    /// Load the integrations page again (R17).
    RefreshIntegration,
    /// Make a new signing key (confirmed when one exists; R17).
    RotateSigningKey,
    /// Save the webhook being edited (R17).
    SaveWebhook,
    /// Queue a test event (R17).
    SendTestWebhook,
    /// Queue a failed delivery again (R17).
    RetryDelivery(u64),
    /// Add the block being edited, ending at `expires_at` (unix ms; `None`: until lifted).
    AddBlock {
        /// The block's end.
        expires_at: Option<porpoise_protocol::wire::UnixMs>,
        /// The UI language (for a malformed target's message).
        lang: Language,
    },
    /// Lift a block (confirmed).
    RemoveBlock(porpoise_protocol::wire::BlockId),
    /// Block the customer of the open block dialog's session.
    BlockCustomer {
        /// The block's end.
        expires_at: Option<porpoise_protocol::wire::UnixMs>,
    },
    /// Move the group or product type at `index` of the page's list one place.
    MoveDirectoryEntry {
        /// Its place in the list.
        index: usize,
        /// Up (true) or down.
        up: bool,
    },
    /// Disable, reactivate or delete an account (confirmed).
    SetAccountStatus {
        /// The account.
        agent_id: AgentId,
        /// The new status.
        status: porpoise_protocol::wire::AccountStatus,
    },
    /// Close the admin window.
    CloseAdmin,
    /// Bring this tab to the front (A5).
    SelectTab(SessionId),
    /// Hide this tab's button (A5); the session goes on.
    HideTab(SessionId),
    /// Show this hidden tab's button again and bring it to the front.
    ShowTab(SessionId),
    /// Close this tab; the agent confirms first if its session is still open (A5).
    CloseTab(SessionId),
    /// Confirmed: end the session waiting for confirmation and close its tab once it ended.
    EndAndClose,
    /// Not confirmed: keep the tab waiting for confirmation.
    KeepTab,
    /// End this session (A6).
    EndSession(SessionId),
    /// Open the Transfer dialog for this session (A14).
    OpenTransferDialog(SessionId),
    /// Ask the customer's consent for a remote action (A6).
    RequestAction {
        /// The session.
        session_id: SessionId,
        /// The action.
        action: RemoteAction,
    },
    /// Stop a requested or running remote action.
    StopAction {
        /// The session.
        session_id: SessionId,
        /// The action.
        action: RemoteAction,
    },
    /// Push the satisfaction survey to the customer (C7).
    PushSurvey(SessionId),
    /// Open or close a session's system-info window (A10).
    ShowSystemInfo {
        /// The session.
        session_id: SessionId,
        /// Open (true) or closed.
        open: bool,
    },
    /// Sort a system-info report's programs by this column (again: the other way round).
    SortProcesses {
        /// The session.
        session_id: SessionId,
        /// The column header clicked.
        column: ProcessColumn,
    },
    /// A system-info report was copied to the clipboard ("Copied" is shown).
    SystemInfoCopied(SessionId),
    /// Show this text as the tab's notice, or none.
    TabNotice {
        /// The session.
        session_id: SessionId,
        /// The notice (already in the UI's language), or None to clear it.
        text: Option<String>,
    },
    /// The chat draft of a tab changed.
    EditDraft {
        /// The session.
        session_id: SessionId,
        /// The whole draft.
        text: String,
    },
    /// Send the tab's chat draft (A7): not when empty; too long is a notice.
    SendChat(SessionId),
    /// Send a picture in the chat (A7), already checked by `chat_image::probe`.
    SendPicture {
        /// The session.
        session_id: SessionId,
        /// The PNG or JPEG bytes.
        data: Vec<u8>,
        /// What the probe found.
        image: ChatImage,
    },
    /// Files were dropped on the window for this session (A6): sent while the customer allows
    /// file transfer, else a notice says why not.
    DropFiles {
        /// The session.
        session_id: SessionId,
        /// The local files.
        paths: Vec<PathBuf>,
    },
    /// The path box of a session's files strip changed.
    EditFilePaths {
        /// The session.
        session_id: SessionId,
        /// The whole text.
        text: String,
    },
    /// Send the files named in the session's path box (A6).
    SendFilePaths(SessionId),
    /// Load the center's common files (A8).
    ShowCommonFiles,
    /// Offer one common file to the session's customer (A8).
    SendCommonFile {
        /// The session.
        session_id: SessionId,
        /// The file's name.
        name: String,
    },
    /// Drop the session's finished transfers from the list.
    ClearFinishedFiles(SessionId),
    /// Send the session's interrupted files again.
    ResumeFiles(SessionId),
    /// Cancel a file transfer.
    CancelFile(FileTransferId),
    /// Accept (true) or decline an incoming file the center's limits did not let the console
    /// accept by itself (larger than, or more per session than, the admin set).
    AnswerFile(FileTransferId, bool),
    /// Fetch the bytes of a chat picture scrolled into view (A7).
    FetchPicture {
        /// The session.
        session_id: SessionId,
        /// The message carrying the picture.
        message_id: MessageId,
    },
    /// Ask for the customer's profile (card, tags, record) the first time the panel shows it.
    LoadCustomerProfile(SessionId),
    /// Ask for the customer's profile again after a failure.
    ReloadCustomerProfile(SessionId),
    /// Show the card or the context tab of the customer panel.
    ShowCustomerView {
        /// The session.
        session_id: SessionId,
        /// The tab to show.
        view: CustomerView,
    },
    /// Fold the customer panel into a strip (A15).
    HideCustomerPanel(SessionId),
    /// Unfold the customer panel (the quick replies close to make room).
    ShowCustomerPanel(SessionId),
    /// The visitor card as edited (A15).
    EditCard {
        /// The session.
        session_id: SessionId,
        /// The whole card.
        card: Box<VisitorCard>,
    },
    /// Check and save the visitor card; `lang` words the error.
    SaveCard {
        /// The session.
        session_id: SessionId,
        /// The UI language in use.
        lang: Language,
    },
    /// Set the customer's tags (A13).
    SetCustomerTags {
        /// The session.
        session_id: SessionId,
        /// Its tags from now on.
        tags: Vec<String>,
    },
    /// Ask for the customer's context the first time its tab shows (A18).
    LoadContext(SessionId),
    /// Ask for the customer's context again.
    ReloadContext(SessionId),
    /// Send one context item's text to the chat (A18).
    SendContextItem {
        /// The session.
        session_id: SessionId,
        /// Position of the item in the loaded list.
        index: usize,
    },
    /// Open the support record form of a session (A13), or its pending draft.
    OpenRecord(SessionId),
    /// The support record form as edited.
    EditRecordForm(Box<SupportRecordForm>),
    /// Check the form against the center's policy and save it; `lang` words the error.
    SaveRecord {
        /// The UI language in use.
        lang: Language,
    },
    /// Keep the form's draft in the pending list (fill it in later).
    FillRecordLater,
    /// Close the form without a record (when not required).
    SkipRecord,
    /// Show or hide the quick-reply side panel (A8).
    OpenLibrary(bool),
    /// Show one list of the quick-reply panel.
    ShowLibraryTab(LibraryTab),
    /// Load the canned responses if never asked, or again with `refresh`.
    LoadCanned {
        /// Ask again even if loaded.
        refresh: bool,
    },
    /// Load the knowledge base if never asked, or again with `refresh`.
    LoadKnowledge {
        /// Ask again even if loaded.
        refresh: bool,
    },
    /// The quick-reply keyword changed.
    EditSearch(String),
    /// Put a reply's text into the tab's chat draft to edit before sending (A8).
    InsertReply {
        /// The session.
        session_id: SessionId,
        /// The reply's text.
        text: String,
    },
    /// Open the editor for a new personal canned response.
    NewCanned,
    /// Open the editor for this canned response.
    EditCanned(Box<CannedResponse>),
    /// The canned-response editor as edited.
    EditCannedForm(Box<CannedEditor>),
    /// Check and save the editor's canned response; `lang` words the error.
    SaveCanned {
        /// The UI language in use.
        lang: Language,
    },
    /// Close the canned-response editor.
    CloseCannedEditor,
    /// Delete a canned response.
    DeleteCanned(CannedResponseId),
    /// Load the customer's service history of a session (A11) if never asked, or again.
    LoadHistory {
        /// The session.
        session_id: SessionId,
        /// Forget what was loaded and ask again.
        refresh: bool,
    },
    /// Read a page of a past session's transcript (the first one, or the one after `after`).
    ReadTranscript {
        /// The session whose history it is.
        session_id: SessionId,
        /// The past session.
        past_session_id: SessionId,
        /// Where the page starts (None: the first page).
        after: Option<TranscriptCursor>,
    },
    /// Remote input for the customer's computer (A6), already in the customer's screen px.
    SendInput {
        /// The session.
        session_id: SessionId,
        /// The events, in order.
        events: Vec<InputEvent>,
    },
    /// Set the tags of one chat message (A13).
    TagMessage {
        /// The session.
        session_id: SessionId,
        /// The message.
        message_id: MessageId,
        /// Its tags from now on.
        tags: Vec<String>,
    },
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
    /// Show this screen stream in the session's tab (the screen panel's texture and input).
    ShowScreen {
        /// The session.
        session_id: SessionId,
        /// Where the decode thread puts updates.
        feed: std::sync::Arc<crate::screen::ScreenFeed>,
    },
    /// Put the keyboard focus in a tab's chat input (after sending).
    FocusChatInput(SessionId),
    /// A knowledge-base picture's bytes arrived (or could not be fetched) (A8, M7).
    KnowledgePictureFetched {
        /// The node and its picture's size.
        key: crate::ui::KnowledgePictureKey,
        /// The bytes, or the error in the UI's language.
        result: Result<Vec<u8>, String>,
    },
    /// A chat picture's bytes arrived (or could not be fetched: the text says why) (A7).
    PictureFetched {
        /// Session and message of the picture.
        key: (SessionId, MessageId),
        /// The bytes, or the error in the UI's language.
        result: Result<Vec<u8>, String>,
    },
}

/// Pushes a relay request through [`NetCommand::Call`].
pub(crate) fn call(out: &mut Vec<Effect>, body: porpoise_protocol::wire::Request) {
    out.push(Effect::Command(NetCommand::Call(crate::net::Call(body))));
}
