//! Formatted texts of the work area: presence, offers, transfers, colleagues, errors.

use porpoise_protocol::wire::{
    ApiError, OfferEnd, Presence, ServiceMode, TransferOutcome, MIN_PASSWORD_CHARS,
};
use porpoise_ui::Language;

use super::{with_detail, Msg};

/// The name of a presence.
pub fn presence(lang: Language, p: Presence) -> &'static str {
    match p {
        Presence::Online => Msg::PresenceOnline,
        Presence::Busy => Msg::PresenceBusy,
        Presence::Away => Msg::PresenceAway,
        Presence::Offline => Msg::PresenceOffline,
        Presence::Exited => Msg::PresenceExited,
    }
    .text(lang)
}

/// The name of a service mode.
pub fn service_mode(lang: Language, m: ServiceMode) -> &'static str {
    match m {
        ServiceMode::Showcase => Msg::ModeShowcase,
        ServiceMode::SessionCode => Msg::ModeSessionCode,
        ServiceMode::AutoAssign => Msg::ModeAutoAssign,
    }
    .text(lang)
}

/// Why an offer was withdrawn, with the customer's name; `None` when there is nothing to tell
/// (the agent took the customer from the queue themselves, issue 15).
pub fn offer_withdrawn(lang: Language, name: &str, reason: OfferEnd) -> Option<String> {
    let why = match reason {
        OfferEnd::TimedOut => Msg::OfferTimedOut,
        OfferEnd::CustomerLeft => Msg::OfferCustomerLeft,
        OfferEnd::TakenElsewhere => Msg::OfferTakenElsewhere,
        OfferEnd::TakenByYou => return None,
    };
    Some(with_detail(lang, why, name))
}

/// "N waiting" for the count-only queue view.
pub fn waiting_count(lang: Language, n: u32) -> String {
    match lang {
        Language::ZhCn => format!("排队 {n} 人"),
        Language::En => format!("{n} waiting"),
    }
}

/// Countdown of an offer or transfer prompt, in whole seconds.
pub fn seconds_left(lang: Language, s: u64) -> String {
    match lang {
        Language::ZhCn => format!("剩余 {s} 秒"),
        Language::En => format!("{s} s left"),
    }
}

/// Body of the offer notification.
pub fn offer_body(lang: Language, name: &str, phone: &str) -> String {
    match lang {
        Language::ZhCn => format!("{name}（{phone}）请求服务"),
        Language::En => format!("{name} ({phone}) asks for service"),
    }
}

/// "FROM wants to hand over CUSTOMER".
pub fn transfer_from(lang: Language, from: &str, customer: &str) -> String {
    match lang {
        Language::ZhCn => format!("{from} 想把客户 {customer} 转接给您"),
        Language::En => format!("{from} wants to hand {customer} over to you"),
    }
}

/// Notice on the sender's side when a transfer ended.
pub fn transfer_outcome(lang: Language, customer: &str, outcome: TransferOutcome) -> String {
    match (lang, outcome) {
        (Language::ZhCn, TransferOutcome::Accepted) => format!("{customer} 已转接成功"),
        (Language::ZhCn, TransferOutcome::Rejected) => format!("对方拒绝了 {customer} 的转接"),
        (Language::ZhCn, TransferOutcome::TimedOut) => format!("{customer} 的转接无人应答"),
        (Language::ZhCn, TransferOutcome::Unavailable) => {
            format!("{customer} 的转接失败：没有可接收的客服")
        }
        (Language::En, TransferOutcome::Accepted) => format!("{customer} was transferred"),
        (Language::En, TransferOutcome::Rejected) => {
            format!("The transfer of {customer} was rejected")
        }
        (Language::En, TransferOutcome::TimedOut) => {
            format!("Nobody answered the transfer of {customer}")
        }
        (Language::En, TransferOutcome::Unavailable) => {
            format!("The transfer of {customer} failed: nobody can take it")
        }
    }
}

/// Notice when a session moved to another agent.
pub fn transferred_away(lang: Language, customer: &str, to: &str) -> String {
    match lang {
        Language::ZhCn => format!("{customer} 已转给 {to}"),
        Language::En => format!("{customer} is now served by {to}"),
    }
}

/// The customer's unsent text under the chat (R10).
pub fn typing_preview(lang: Language, name: &str, text: &str) -> String {
    match lang {
        Language::ZhCn => format!("{name} 正在输入：{text}"),
        Language::En => format!("{name} is typing: {text}"),
    }
}

/// The name of weekday `i` (0 = Monday).
pub fn weekday(lang: Language, i: usize) -> &'static str {
    const ZH: [&str; 7] = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"];
    const EN: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    let names = match lang {
        Language::ZhCn => ZH,
        Language::En => EN,
    };
    names.get(i).copied().unwrap_or("?")
}

/// A colleague's load: open sessions of their maximum.
pub fn load(sessions: u32, max_sessions: u32) -> String {
    format!("{sessions}/{max_sessions}")
}

/// Confirmation question before kicking a login.
pub fn confirm_kick(lang: Language, username: &str) -> String {
    match lang {
        Language::ZhCn => format!("确定让 {username} 下线吗？"),
        Language::En => format!("Kick {username} off?"),
    }
}

/// Validation of a new password.
pub fn password_too_short(lang: Language) -> String {
    match lang {
        Language::ZhCn => format!("新密码至少 {MIN_PASSWORD_CHARS} 个字符"),
        Language::En => format!("The new password needs at least {MIN_PASSWORD_CHARS} characters"),
    }
}

/// Why the connection ended, in `lang`: by the relay's close code, else the detail.
pub fn disconnect_text(lang: Language, reason: &porpoise_quic::client::Disconnect) -> String {
    use porpoise_protocol::wire::CloseCode;
    let detail = match (reason.code, lang) {
        (Some(CloseCode::Kicked), Language::ZhCn) => "支持中心的管理员已将您登出".to_owned(),
        (Some(CloseCode::Kicked), Language::En) => {
            "logged out by an administrator of the center".to_owned()
        }
        (Some(CloseCode::LoggedInElsewhere), Language::ZhCn) => "该账号已在别处登录".to_owned(),
        (Some(CloseCode::LoggedInElsewhere), Language::En) => {
            "this account logged in elsewhere".to_owned()
        }
        (Some(CloseCode::CenterExpired), Language::ZhCn) => {
            "支持中心的服务期已到期，请联系管理员续费".to_owned()
        }
        (Some(CloseCode::CenterExpired), Language::En) => {
            "the center's service period has ended; ask its administrator to renew".to_owned()
        }
        (Some(CloseCode::Shutdown), Language::ZhCn) => "服务器正在关闭".to_owned(),
        (Some(CloseCode::Shutdown), Language::En) => "the relay is shutting down".to_owned(),
        _ => reason.detail.clone(),
    };
    with_detail(lang, Msg::ErrDisconnected, &detail)
}

/// A relay's refusal (or a client-side failure) as the agent reads it, in `lang`.
pub fn request_error(lang: Language, e: &ApiError) -> String {
    porpoise_protocol::lang::errors::api_error_text(lang, e)
}

/// An audit-log party or target (R18) in the UI language: the relay stores them as
/// `agent <id> <username>`, `customer <install id>`, `address <ip>`, `username <name>`,
/// `session <id> <Action>`, `relay`, `cli`, `from <ip>`; anything else is shown as it is.
pub fn audit_party(lang: Language, text: &str) -> String {
    let zh = lang == Language::ZhCn;
    let mut words = text.splitn(3, ' ');
    match (words.next(), words.next(), words.next()) {
        (Some("agent"), Some(id), name) => match name {
            // A deleted account's username is `~deleted-<id>~<old name>` (M3).
            Some(name) if name.starts_with("~deleted-") => {
                let old = name.splitn(3, '~').nth(2).unwrap_or_default();
                format!("{} (#{id})", deleted_agent(lang, old))
            }
            Some(name) => format!("{name} (#{id})"),
            None => format!("#{id}"),
        },
        (Some("customer"), Some(id), None) => {
            format!("{} {id}", if zh { "客户" } else { "customer" })
        }
        (Some("address"), Some(ip), None) => format!("IP {ip}"),
        (Some("from"), Some(ip), None) => format!("{} {ip}", if zh { "来自" } else { "from" }),
        (Some("username"), Some(name), None) => {
            format!("{} {name}", if zh { "账号" } else { "account" })
        }
        (Some("session"), Some(id), action) => {
            let action = action.unwrap_or_default();
            format!("{} {id} {action}", if zh { "会话" } else { "session" })
        }
        (Some("relay"), None, None) => if zh { "系统" } else { "relay" }.to_string(),
        (Some("cli"), None, None) => if zh { "命令行" } else { "command line" }.to_string(),
        (Some("group"), Some(id), name) => {
            let what = if zh { "分组" } else { "group" };
            format!("{what} {} (#{id})", name.unwrap_or_default())
        }
        (Some("product_type"), Some(id), name) => {
            let what = if zh { "产品类型" } else { "product type" };
            format!("{what} {} (#{id})", name.unwrap_or_default())
        }
        (Some("role"), Some(id), name) => {
            let what = if zh { "角色" } else { "role" };
            format!("{what} {} (#{id})", name.unwrap_or_default())
        }
        (Some("groups"), None, None) => if zh { "分组" } else { "groups" }.to_string(),
        (Some("product_types"), None, None) => {
            if zh { "产品类型" } else { "product types" }.to_string()
        }
        _ => text.to_string(),
    }
}

/// `已删除客服（name）` / `deleted agent (name)` (M3: history stays, attributed to a deleted
/// agent).
pub fn deleted_agent(lang: Language, name: &str) -> String {
    match (lang, name.is_empty()) {
        (Language::ZhCn, true) => "已删除客服".into(),
        (Language::ZhCn, false) => format!("已删除客服（{name}）"),
        (Language::En, true) => "deleted agent".into(),
        (Language::En, false) => format!("deleted agent ({name})"),
    }
}

/// The agent of a past session as the history shows it (a deleted account marked so).
pub fn history_agent(lang: Language, item: &porpoise_protocol::wire::HistoryItem) -> String {
    if item.agent_deleted {
        deleted_agent(lang, &item.agent_name)
    } else {
        item.agent_name.clone()
    }
}

/// An account role (M4) in the UI language (seed 002: 客服, 组长, 管理员, 超级管理员).
pub fn role(lang: Language, role: porpoise_protocol::wire::Role) -> &'static str {
    use porpoise_protocol::wire::Role;
    match role {
        Role::Agent => lang.pick("客服", "Agent"),
        Role::GroupLeader => lang.pick("组长", "Group leader"),
        Role::Admin => lang.pick("管理员", "Admin"),
        Role::SuperAdmin => lang.pick("超级管理员", "Super admin"),
    }
}

/// A permission's name in the role editor (M4, seed 002 角色权限).
pub fn permission_name(lang: Language, p: porpoise_protocol::wire::Permission) -> &'static str {
    use porpoise_protocol::wire::Permission::*;
    match p {
        ServeCustomers => lang.pick("接待客户", "Serve customers"),
        PickFromQueue => lang.pick("查看排队并接入", "See the queue and pick"),
        MonitorAgents => lang.pick("监控客服", "Monitor agents"),
        ManageAccounts => lang.pick("管理成员", "Manage accounts"),
        ManageSettings => lang.pick("管理设置", "Manage settings"),
        ManageLibrary => lang.pick("管理知识库和常用语", "Manage the library"),
        ExportRecords => lang.pick("导出记录", "Export records"),
        SeeAuditLog => lang.pick("查看操作日志", "See the audit log"),
        BlockCustomers => lang.pick("管理黑名单", "Block customers"),
        other => lang.pick(
            "其他",
            if matches!(other, Customer) {
                "Customer"
            } else {
                "Other"
            },
        ),
    }
}

/// An audit-log action code (R18) in the UI language; an unknown code is shown as it is.
pub fn audit_action(lang: Language, code: &str) -> String {
    let (zh, en) = match code {
        "login" => ("登录", "Login"),
        "login_failed" => ("登录失败", "Failed login"),
        "kick" => ("踢下线", "Kick"),
        "password_reset" => ("重置密码", "Password reset"),
        "password_changed" => ("修改密码", "Password changed"),
        "settings_changed" => ("修改设置", "Settings changed"),
        "signing_key_rotated" => ("重新生成签名密钥", "Signing key rotated"),
        "library_changed" => ("修改知识库", "Knowledge base changed"),
        "webhook_changed" => ("修改回调", "Webhook changed"),
        "account_created" => ("新建账号", "Account created"),
        "account_changed" => ("修改账号", "Account changed"),
        "account_disabled" => ("停用账号", "Account disabled"),
        "account_reactivated" => ("激活账号", "Account reactivated"),
        "account_deleted" => ("删除账号", "Account deleted"),
        "group_saved" => ("保存分组", "Group saved"),
        "product_type_saved" => ("保存产品类型", "Product type saved"),
        "list_reordered" => ("调整排序", "List reordered"),
        "role_saved" => ("保存角色", "Role saved"),
        "action_granted" => ("客户同意远程操作", "Remote action granted"),
        "action_refused" => ("客户拒绝远程操作", "Remote action refused"),
        "action_stopped" => ("远程操作结束", "Remote action stopped"),
        other => return other.to_string(),
    };
    match lang {
        Language::ZhCn => zh,
        Language::En => en,
    }
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_rendered_without_english_in_chinese() {
        let e = ApiError::NoFreeSeat { seats: 3 };
        assert!(request_error(Language::ZhCn, &e).contains("3 个坐席"));
        assert!(request_error(Language::En, &e).starts_with("All 3 seats"));
        let e = ApiError::too_long(porpoise_protocol::wire::Field::ChatText, 16384);
        assert_eq!(
            request_error(Language::En, &e),
            "The message is too long (at most 16384 bytes)"
        );
        assert_eq!(
            request_error(Language::ZhCn, &e),
            "消息太长（最多 16384 字节）"
        );
    }
}

#[cfg(test)]
mod deleted_tests {
    use super::*;

    #[test]
    fn a_deleted_account_is_shown_as_a_deleted_agent() {
        assert_eq!(
            audit_party(Language::ZhCn, "agent 7 ~deleted-7~lilei"),
            "已删除客服（lilei） (#7)"
        );
        assert_eq!(
            audit_party(Language::En, "agent 7 ~deleted-7~lilei"),
            "deleted agent (lilei) (#7)"
        );
        assert_eq!(audit_party(Language::En, "agent 7 lilei"), "lilei (#7)");
    }
}

/// Under the offline list when more wait than one list carries: "the oldest N of M".
pub fn oldest_of(lang: Language, shown: usize, count: u32) -> String {
    match lang {
        Language::ZhCn => format!("显示最早的 {shown} 条，共 {count} 条；处理后显示后续留言"),
        Language::En => {
            format!("Showing the oldest {shown} of {count}; more appear as these are handled")
        }
    }
}

/// Title of a customer's remote window (issue 15): the customer and whether the agent views or
/// controls.
pub fn remote_window_title(lang: Language, customer: &str, controlling: bool) -> String {
    let what = if controlling {
        Msg::Controlling
    } else {
        Msg::Viewing
    };
    format!("{customer} — {} · Porpoise", what.text(lang))
}
