//! State of the console's dialogs: session code, transfer, personal settings and the admin
//! windows. Each dialog is `Some` while open.

use porpoise_protocol::wire::{
    AgentId, CenterSettings, LoginInfo, SessionId, TransferTarget, UnixMs, MIN_PASSWORD_CHARS,
};
use porpoise_ui::Language;

use crate::i18n::{self, Msg};

/// Where a dialog's last request is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Status {
    /// Nothing sent (or the outcome was dismissed).
    #[default]
    Idle,
    /// Sent; waiting for the relay.
    Busy,
    /// Refused or failed; the text says why.
    Failed(String),
    /// Done; the text confirms it.
    Done(String),
}

impl Status {
    /// True while waiting for the relay.
    pub fn busy(&self) -> bool {
        matches!(self, Status::Busy)
    }
}

/// The session-code dialog (A16).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionCodeDialog {
    /// Asked the relay for a code.
    Requesting,
    /// The code and when it stops working.
    Shown {
        /// The 6 digits.
        code: String,
        /// Unix ms it expires.
        expires_at: UnixMs,
    },
    /// The relay refused.
    Failed(String),
}

/// The Transfer dialog of one session (A14).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferDialog {
    /// Session to hand over.
    pub session_id: SessionId,
    /// Receiver picked.
    pub target: Option<TransferTarget>,
    /// Note for the receiver.
    pub note: String,
    /// The request.
    pub status: Status,
}

/// The personal settings dialog (A17). `Debug` hides the password fields (dialogs travel in
/// intents, which may be printed).
#[derive(Clone, PartialEq)]
pub struct SettingsDialog {
    /// Alert sounds on.
    pub sounds: bool,
    /// UI language.
    pub language: porpoise_ui::Language,
    /// Chat text size, points.
    pub chat_font_size: f32,
    /// Relay `host:port` for the next login.
    pub relay_addr: String,
    /// Relay certificate fingerprint for the next login.
    pub fingerprint: String,
    /// Why the connection settings were not taken (bad fingerprint, empty address).
    pub connection_error: Option<String>,
    /// Auto-away on.
    pub auto_away_on: bool,
    /// Auto-away minutes.
    pub auto_away_min: u16,
    /// Saving the auto-away minutes.
    pub auto_away_status: Status,
    /// Current password.
    pub old_password: String,
    /// New password.
    pub new_password: String,
    /// New password again.
    pub repeat_password: String,
    /// Changing the password.
    pub password_status: Status,
}

impl std::fmt::Debug for SettingsDialog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let hidden = |s: &String| if s.is_empty() { "" } else { "<hidden>" };
        f.debug_struct("SettingsDialog")
            .field("sounds", &self.sounds)
            .field("language", &self.language)
            .field("chat_font_size", &self.chat_font_size)
            .field("relay_addr", &self.relay_addr)
            .field("fingerprint", &self.fingerprint)
            .field("connection_error", &self.connection_error)
            .field("auto_away_on", &self.auto_away_on)
            .field("auto_away_min", &self.auto_away_min)
            .field("auto_away_status", &self.auto_away_status)
            .field("old_password", &hidden(&self.old_password))
            .field("new_password", &hidden(&self.new_password))
            .field("repeat_password", &hidden(&self.repeat_password))
            .field("password_status", &self.password_status)
            .finish()
    }
}

/// Default auto-away minutes offered when it was off.
pub const DEFAULT_AUTO_AWAY_MIN: u16 = 10;

impl SettingsDialog {
    /// The dialog for the current auto-away setting.
    pub fn new(auto_away_min: Option<u16>) -> Self {
        SettingsDialog {
            sounds: true,
            language: porpoise_ui::Language::default(),
            chat_font_size: crate::prefs::DEFAULT_CHAT_FONT_SIZE,
            relay_addr: String::new(),
            fingerprint: String::new(),
            connection_error: None,
            auto_away_on: auto_away_min.is_some(),
            auto_away_min: auto_away_min.unwrap_or(DEFAULT_AUTO_AWAY_MIN),
            auto_away_status: Status::Idle,
            old_password: String::new(),
            new_password: String::new(),
            repeat_password: String::new(),
            password_status: Status::Idle,
        }
    }

    /// The same dialog showing `prefs` in `lang` (the language in use).
    pub fn with_prefs(
        mut self,
        prefs: &crate::prefs::Preferences,
        lang: porpoise_ui::Language,
    ) -> Self {
        self.sounds = prefs.sounds;
        self.language = lang;
        self.chat_font_size = prefs.chat_font_size;
        self.relay_addr = prefs
            .relay_addr
            .clone()
            .unwrap_or_else(crate::config::default_relay_addr);
        self.fingerprint = prefs.fingerprint.clone().unwrap_or_default();
        self
    }
}

/// Checks the password fields; the error text if they are not acceptable.
pub fn check_new_password(lang: Language, d: &SettingsDialog) -> Result<(), String> {
    if d.old_password.is_empty() {
        return Err(Msg::MissingPassword.text(lang).to_owned());
    }
    if d.new_password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(i18n::password_too_short(lang));
    }
    if d.new_password != d.repeat_password {
        return Err(Msg::PasswordsDiffer.text(lang).to_owned());
    }
    Ok(())
}

/// Checks the connection fields: the fingerprint as the relay prints it (normalised), or the
/// error text.
pub fn check_connection(lang: Language, d: &SettingsDialog) -> Result<String, String> {
    let addr = d.relay_addr.trim();
    if addr.is_empty() || !addr.contains(':') {
        return Err(Msg::BadRelayAddress.text(lang).to_owned());
    }
    d.fingerprint
        .trim()
        .parse::<porpoise_quic::tls::Fingerprint>()
        .map(|f| f.to_string())
        .map_err(|_| Msg::BadFingerprint.text(lang).to_owned())
}

/// The admin windows (R3, R5). `Debug` hides the new password of a reset.
#[derive(Clone, PartialEq)]
pub enum AdminDialog {
    /// Live logins with Kick buttons.
    Logins {
        /// The list, once loaded.
        logins: Option<Vec<LoginInfo>>,
        /// A kick waiting for confirmation.
        confirm_kick: Option<AgentId>,
        /// Loading or kicking.
        status: Status,
    },
    /// Reset another account's password.
    ResetPassword {
        /// Account picked.
        agent_id: Option<AgentId>,
        /// New password.
        password: String,
        /// Request.
        status: Status,
    },
    /// Edit the center's settings.
    CenterSettings {
        /// The settings being edited, once loaded.
        draft: Option<Box<CenterSettings>>,
        /// Loading or saving.
        status: Status,
    },
    /// The center's audit log (操作日志, R18), newest first.
    AuditLog {
        /// Rows loaded so far, newest first.
        rows: Option<Vec<porpoise_protocol::wire::rpc::AuditRecord>>,
        /// Only rows containing this text (who, action, target or details) are shown.
        filter: String,
        /// The last page was full: older rows may exist.
        more: bool,
        /// Loading.
        status: Status,
    },
    /// Accounts, groups, product types and account info (M2, M3, M4).
    Directory(Box<super::DirectoryView>),
    /// The helper branding and download links (M1, M11).
    Branding {
        /// The branding being edited, once loaded.
        draft: Option<Box<porpoise_protocol::wire::Branding>>,
        /// The download page, if the relay serves downloads at a public address.
        download_page: Option<String>,
        /// Paths typed for the icon and the notice image.
        paths: [String; 2],
        /// Why the last icon / notice-image file could not be used.
        problems: [Option<String>; 2],
        /// Loading or saving.
        status: Status,
    },
    /// The center's common files (常用文件, M7): upload and delete.
    CommonFiles {
        /// Path of the file to upload, as typed.
        path: String,
        /// A delete waiting for confirmation.
        confirm_delete: Option<String>,
        /// Bytes acknowledged and total while uploading.
        progress: Option<(u64, u64)>,
        /// Reading, uploading, deleting.
        status: Status,
    },
    /// The knowledge base (知识库管理, M7).
    Knowledge(Box<super::KnowledgeView>),
    /// Integrations (系统集成, R17): app ID, signing key, webhook and delivery log.
    Integrations {
        /// The page as last loaded.
        page: Option<Box<porpoise_protocol::wire::IntegrationPage>>,
        /// The webhook being edited.
        draft: porpoise_protocol::wire::WebhookSettings,
        /// A key just made, shown until the window closes (never again).
        new_key: Option<porpoise_protocol::wire::AppCredentials>,
        /// A rotation waiting for confirmation (the old key stops working).
        confirm_rotate: bool,
        /// Loading or saving.
        status: Status,
    },
    /// The blocklist (黑名单, R16).
    Blocklist {
        /// Blocks in force, once loaded.
        rows: Option<Vec<porpoise_protocol::wire::BlockRule>>,
        /// What to block: an install ID (32 hex digits) or an address.
        target: String,
        /// Why.
        reason: String,
        /// Days the block lasts; `None` = until lifted.
        days: Option<u32>,
        /// A lift waiting for confirmation.
        confirm_remove: Option<porpoise_protocol::wire::BlockId>,
        /// Loading or saving.
        status: Status,
    },
    /// Block the customer of a session (R16).
    BlockCustomer {
        /// The session.
        session_id: SessionId,
        /// The customer's name, for the title line.
        customer: String,
        /// Block the address (IPv6: its /64) instead of the helper installation.
        by_address: bool,
        /// Why.
        reason: String,
        /// Days the block lasts; `None` = until lifted.
        days: Option<u32>,
        /// Sending.
        status: Status,
    },
}

impl std::fmt::Debug for AdminDialog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AdminDialog::Logins {
                logins,
                confirm_kick,
                status,
            } => f
                .debug_struct("Logins")
                .field("logins", logins)
                .field("confirm_kick", confirm_kick)
                .field("status", status)
                .finish(),
            AdminDialog::ResetPassword {
                agent_id,
                password,
                status,
            } => f
                .debug_struct("ResetPassword")
                .field("agent_id", agent_id)
                .field(
                    "password",
                    &if password.is_empty() { "" } else { "<hidden>" },
                )
                .field("status", status)
                .finish(),
            AdminDialog::CenterSettings { draft, status } => f
                .debug_struct("CenterSettings")
                .field("draft", draft)
                .field("status", status)
                .finish(),
            AdminDialog::AuditLog {
                rows,
                filter,
                more,
                status,
            } => f
                .debug_struct("AuditLog")
                .field("rows", &rows.as_ref().map(Vec::len))
                .field("filter", filter)
                .field("more", more)
                .field("status", status)
                .finish(),
            AdminDialog::Directory(view) => view.fmt(f),
            AdminDialog::Branding { draft, status, .. } => f
                .debug_struct("Branding")
                .field(
                    "product_name",
                    &draft.as_ref().map(|d| d.product_name.clone()),
                )
                .field("status", status)
                .finish(),
            AdminDialog::CommonFiles {
                progress, status, ..
            } => f
                .debug_struct("CommonFiles")
                .field("progress", progress)
                .field("status", status)
                .finish(),
            AdminDialog::Knowledge(view) => f
                .debug_struct("Knowledge")
                .field("nodes", &view.nodes.as_ref().map(Vec::len))
                .field("selected", &view.selected)
                .field("status", &view.status)
                .finish(),
            AdminDialog::Integrations {
                page,
                new_key,
                status,
                ..
            } => f
                .debug_struct("Integrations")
                .field("app_id", &page.as_ref().and_then(|p| p.app_id.clone()))
                .field("new_key", &new_key.is_some())
                .field("status", status)
                .finish(),
            AdminDialog::Blocklist { rows, status, .. } => f
                .debug_struct("Blocklist")
                .field("rows", &rows.as_ref().map(Vec::len))
                .field("status", status)
                .finish(),
            AdminDialog::BlockCustomer {
                session_id,
                by_address,
                status,
                ..
            } => f
                .debug_struct("BlockCustomer")
                .field("session_id", session_id)
                .field("by_address", by_address)
                .field("status", status)
                .finish(),
        }
    }
}

#[cfg(test)]
mod debug_tests {
    use super::*;

    #[test]
    fn debug_never_prints_a_password() {
        let mut settings = SettingsDialog::new(None);
        settings.old_password = "old-secret".into();
        settings.new_password = "new-secret".into();
        settings.repeat_password = "new-secret".into();
        let reset = AdminDialog::ResetPassword {
            agent_id: None,
            password: "reset-secret".into(),
            status: Status::Idle,
        };
        let printed = format!("{settings:?} {reset:?}");
        assert!(!printed.contains("secret"), "{printed}");
        assert!(printed.contains("<hidden>"));
    }
}
