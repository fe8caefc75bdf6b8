//! The audit log's entries (R18): who did what at a center, when, and to what. The core emits
//! one [`StoreOp::Audit`] per audited event; the store appends it to the center's hash chain
//! (`store/audit.rs`). Entries never carry a password, token or context-endpoint secret.

use porpoise_protocol::wire::{AgentId, CenterId, CenterSettings, UnixMs};

use super::{Core, StoreOp};

/// Longest `detail` stored, in bytes (cut at a char boundary, marked with `…`).
pub const MAX_AUDIT_DETAIL_BYTES: usize = 4096;
/// Longest value shown on either side of one settings change (`field: before → after`), in
/// bytes.
const MAX_AUDIT_VALUE_BYTES: usize = 200;

/// What happened; stored as its [`AuditAction::code`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditAction {
    /// An account logged in.
    Login,
    /// A login with a wrong username or password (written by the connection task).
    LoginFailed,
    /// A manager ended someone's login.
    Kick,
    /// An account was created (console or CLI).
    AccountCreated,
    /// A manager changed an account's profile, role, groups or capacity; `detail` lists
    /// `field: before → after`.
    AccountChanged,
    /// A manager disabled an account.
    AccountDisabled,
    /// A manager reactivated a disabled account.
    AccountReactivated,
    /// A manager deleted an account.
    AccountDeleted,
    /// A manager added or changed a group; `detail` lists what changed.
    GroupSaved,
    /// A manager added or changed a product type; `detail` lists what changed.
    ProductTypeSaved,
    /// A manager reordered the groups or product types; `detail` gives the new order.
    ListReordered,
    /// A manager added or changed a custom role (M4); `detail` lists its permissions.
    RoleSaved,
    /// A customer was blocked (R16); `detail` gives the end and the reason.
    CustomerBlocked,
    /// A block was lifted (R16).
    CustomerUnblocked,
    /// A manager set someone's password.
    PasswordReset,
    /// An account changed its own password.
    PasswordChanged,
    /// A manager changed the center's settings; `detail` lists `field: before → after`.
    SettingsChanged,
    /// A manager added, changed, moved or deleted a knowledge-base node (M7); `detail` lists
    /// what.
    LibraryChanged,
    /// A manager made a new integration signing key (R17); the key is never written.
    SigningKeyRotated,
    /// A manager changed the webhook or queued a delivery again (R17); `detail` lists what.
    WebhookChanged,
    /// The customer granted a remote action (view, control, files…).
    ActionGranted,
    /// The customer refused a remote action.
    ActionRefused,
    /// A granted or requested remote action ended (by either side or the relay).
    ActionStopped,
}

impl AuditAction {
    /// The stable code stored in the `action` column (snake_case).
    pub fn code(self) -> &'static str {
        match self {
            AuditAction::Login => "login",
            AuditAction::LoginFailed => "login_failed",
            AuditAction::Kick => "kick",
            AuditAction::AccountCreated => "account_created",
            AuditAction::AccountChanged => "account_changed",
            AuditAction::AccountDisabled => "account_disabled",
            AuditAction::AccountReactivated => "account_reactivated",
            AuditAction::AccountDeleted => "account_deleted",
            AuditAction::GroupSaved => "group_saved",
            AuditAction::ProductTypeSaved => "product_type_saved",
            AuditAction::ListReordered => "list_reordered",
            AuditAction::RoleSaved => "role_saved",
            AuditAction::CustomerBlocked => "customer_blocked",
            AuditAction::CustomerUnblocked => "customer_unblocked",
            AuditAction::PasswordReset => "password_reset",
            AuditAction::PasswordChanged => "password_changed",
            AuditAction::SettingsChanged => "settings_changed",
            AuditAction::SigningKeyRotated => "signing_key_rotated",
            AuditAction::LibraryChanged => "library_changed",
            AuditAction::WebhookChanged => "webhook_changed",
            AuditAction::ActionGranted => "action_granted",
            AuditAction::ActionRefused => "action_refused",
            AuditAction::ActionStopped => "action_stopped",
        }
    }
}

/// One audit-log entry before it is chained.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// The center it happened at.
    pub center_id: CenterId,
    /// When, unix ms.
    pub at: UnixMs,
    /// Who: `agent <id> <username>`, `customer <install id>`, `relay`, or an address for a
    /// failed login.
    pub actor: String,
    /// What.
    pub action: AuditAction,
    /// To what: an account, a session and action, the settings.
    pub target: String,
    /// Details, at most [`MAX_AUDIT_DETAIL_BYTES`].
    pub detail: String,
}

impl AuditEntry {
    /// An entry with `detail` cut to [`MAX_AUDIT_DETAIL_BYTES`].
    pub fn new(
        center_id: CenterId,
        at: UnixMs,
        actor: String,
        action: AuditAction,
        target: String,
        detail: String,
    ) -> Self {
        AuditEntry {
            center_id,
            at,
            actor,
            action,
            target,
            detail: cut(detail, MAX_AUDIT_DETAIL_BYTES),
        }
    }
}

fn cut(mut s: String, max: usize) -> String {
    if s.len() > max {
        let mut end = max.saturating_sub('…'.len_utf8());
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
        s.push('…');
    }
    s
}

/// `field: before → after` for each top-level setting that differs, one per line, from the
/// public (secret-free) form of both settings.
pub fn settings_diff(before: &CenterSettings, after: &CenterSettings) -> String {
    value_diff(
        &super::records::public_settings(before),
        &super::records::public_settings(after),
    )
}

/// `field: before → after` for each top-level field of two serialisable records that differs
/// (`before` may be `None` for a new record: every field is listed as `field: → value`).
/// Callers pass only secret-free values.
pub fn value_diff<T: serde::Serialize>(before: &T, after: &T) -> String {
    let (before, after) = (
        serde_json::to_value(before).unwrap_or_default(),
        serde_json::to_value(after).unwrap_or_default(),
    );
    let (Some(b), Some(a)) = (before.as_object(), after.as_object()) else {
        return String::new();
    };
    let mut lines = Vec::new();
    for (field, new) in a {
        let old = b.get(field).cloned().unwrap_or_default();
        if &old != new {
            lines.push(format!(
                "{field}: {} → {}",
                cut(old.to_string(), MAX_AUDIT_VALUE_BYTES),
                cut(new.to_string(), MAX_AUDIT_VALUE_BYTES)
            ));
        }
    }
    lines.join("\n")
}

impl Core {
    /// `agent <id> <username>` for an account of the center, `agent <id>` if unknown.
    pub(super) fn audit_actor(&self, center_id: CenterId, agent_id: AgentId) -> String {
        match self
            .centers
            .get(&center_id)
            .and_then(|c| c.accounts.get(&agent_id))
        {
            Some(a) => format!("agent {agent_id} {}", a.username),
            None => format!("agent {agent_id}"),
        }
    }

    /// Audits `actor` doing `action` to the account `target` of the same center.
    pub(super) fn audit_on_account(
        &mut self,
        center_id: CenterId,
        actor: AgentId,
        action: AuditAction,
        target: AgentId,
    ) {
        let (actor, target) = (
            self.audit_actor(center_id, actor),
            self.audit_actor(center_id, target),
        );
        self.audit(center_id, actor, action, target, String::new());
    }

    /// Emits one audit entry, stamped with the time of the event being handled.
    pub(super) fn audit(
        &mut self,
        center_id: CenterId,
        actor: String,
        action: AuditAction,
        target: String,
        detail: String,
    ) {
        let at = self.clock_ms;
        self.persist(StoreOp::Audit(AuditEntry::new(
            center_id, at, actor, action, target, detail,
        )));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn details_are_cut_at_a_char_boundary() {
        let long = "汉".repeat(MAX_AUDIT_DETAIL_BYTES);
        let e = AuditEntry::new(
            CenterId(8_000_001),
            0,
            "relay".into(),
            AuditAction::Kick,
            String::new(),
            long,
        );
        assert!(e.detail.len() <= MAX_AUDIT_DETAIL_BYTES);
        assert!(e.detail.ends_with('…'));
    }

    #[test]
    fn a_settings_diff_names_only_what_changed() {
        let before = CenterSettings::default();
        let after = CenterSettings {
            offer_timeout_s: before.offer_timeout_s + 5,
            ..before.clone()
        };
        let diff = settings_diff(&before, &after);
        assert_eq!(
            diff,
            format!(
                "offer_timeout_s: {} → {}",
                before.offer_timeout_s, after.offer_timeout_s
            )
        );
        assert_eq!(settings_diff(&before, &before), "");
    }
}
