//! [`ApiError`] as people read it, in zh-CN and en: one renderer for both apps and the relay's
//! command line.

use super::Language;
use crate::wire::{
    ActionState, ApiError, Conflict, ContextFailure, Field, ImageProblem, Party, Permission,
    RefusedReason, RemoteAction, ServiceMode, Thing, TokenRefusal,
};

/// Why the relay refused a connection's Hello, as one sentence in `lang` (the login window,
/// the helper's connection status).
pub fn refused_text(lang: Language, r: &RefusedReason) -> String {
    let zh = lang == Language::ZhCn;
    match r {
        RefusedReason::VersionMismatch { relay, client } => {
            if zh {
                format!("版本不兼容：服务器的协议版本为 {relay}，本程序为 {client}，请更新程序")
            } else {
                format!(
                    "Version mismatch: the relay speaks protocol {relay}, this program {client}; \
                     please update"
                )
            }
        }
        RefusedReason::UnknownCenter(id) => {
            if zh {
                format!("支持中心 {id} 不存在")
            } else {
                format!("Unknown center ID {id}")
            }
        }
        RefusedReason::WrongPassword => lang
            .pick("用户名或密码错误", "Wrong username or password")
            .into(),
        RefusedReason::Throttled { retry_after_s } => {
            if zh {
                format!("尝试次数过多，请 {retry_after_s} 秒后再试")
            } else {
                format!("Too many failed attempts; try again in {retry_after_s} s")
            }
        }
        RefusedReason::AlreadyLoggedIn { address, .. } => {
            if zh {
                format!("该账号已在 {address} 登录")
            } else {
                format!("Already logged in from {address}")
            }
        }
        RefusedReason::Malformed => lang
            .pick("连接请求无效", "The connection request was malformed")
            .into(),
        RefusedReason::Unavailable => lang
            .pick(
                "服务器暂时不可用，请稍后再试",
                "The relay is unavailable; try again later",
            )
            .into(),
        RefusedReason::AccountDisabled => lang
            .pick(
                "该账号已被管理员停用，请联系管理员",
                "This account was disabled by an administrator; ask them to reactivate it",
            )
            .into(),
        RefusedReason::CenterExpired { .. } => lang
            .pick(
                "本支持中心的服务已到期，请联系服务商续期",
                "This support center's service period has ended; ask your provider to extend it",
            )
            .into(),
    }
}

/// One sentence saying what went wrong, in `lang` (no trailing period in zh-CN).
pub fn api_error_text(lang: Language, e: &ApiError) -> String {
    let zh = lang == Language::ZhCn;
    let pick = |z: String, en: String| if zh { z } else { en };
    match e {
        ApiError::NotPermitted { needed } => {
            let (z, en) = permission(*needed);
            pick(format!("没有权限：需要{z}"), format!("Not permitted: needs {en}"))
        }
        ApiError::UnknownSession => pick(
            "会话不存在或已结束".into(),
            "That session does not exist or has ended".into(),
        ),
        ApiError::UnknownTicket => pick(
            "该客户已不在排队中".into(),
            "That customer is no longer waiting".into(),
        ),
        ApiError::NotFound { what } => {
            let (z, en) = thing(*what);
            pick(format!("{z}不存在"), format!("No such {en}"))
        }
        ApiError::Empty { field } => {
            let (z, en) = field_name(*field);
            pick(format!("{z}不能为空"), format!("The {en} is empty"))
        }
        ApiError::TooLong { field, max_bytes } => {
            let (z, en) = field_name(*field);
            pick(
                format!("{z}太长（最多 {max_bytes} 字节）"),
                format!("The {en} is too long (at most {max_bytes} bytes)"),
            )
        }
        ApiError::TooShort { field, min_chars } => {
            let (z, en) = field_name(*field);
            pick(
                format!("{z}至少需要 {min_chars} 个字符"),
                format!("The {en} needs at least {min_chars} characters"),
            )
        }
        ApiError::TooMany { field, max } => {
            let (z, en) = field_name(*field);
            pick(
                format!("{z}最多 {max} 个"),
                format!("At most {max} entries of {en} are allowed"),
            )
        }
        ApiError::OutOfRange { field, min, max } => {
            let (z, en) = field_name(*field);
            pick(
                format!("{z}必须在 {min} 到 {max} 之间"),
                format!("The {en} must be from {min} to {max}"),
            )
        }
        ApiError::NotInList { field, value } => {
            let (z, en) = field_name(*field);
            pick(
                format!("{z}“{value}”不在支持中心的列表中"),
                format!("{} '{value}' is not in the center's list", capital(en)),
            )
        }
        ApiError::Duplicate { field, value } => {
            let (z, en) = field_name(*field);
            pick(
                format!("{z}“{value}”重复"),
                format!("{} '{value}' is listed twice", capital(en)),
            )
        }
        ApiError::Malformed { field } => {
            let (z, en) = field_name(*field);
            pick(format!("{z}无效"), format!("The {en} is not valid"))
        }
        ApiError::WrongServiceMode { mode } => {
            let (z, en) = service_mode(*mode);
            pick(
                format!("支持中心当前的服务方式是“{z}”，请重新发起请求"),
                format!("The center now works in {en} mode; ask again"),
            )
        }
        ApiError::Conflict(c) => conflict(lang, *c),
        ApiError::Storage => pick(
            "服务器保存失败，请重试".into(),
            "Relay storage failed; try again".into(),
        ),
        ApiError::NoFreeSeat { seats } => pick(
            format!("支持中心的 {seats} 个坐席都已占用，无法上线；请联系管理员增加坐席"),
            format!(
                "All {seats} seats of the center are in use, so you cannot go online; ask an admin for more seats"
            ),
        ),
        ApiError::WrongPassword => pick(
            "当前密码不正确".into(),
            "The current password is wrong".into(),
        ),
        ApiError::BadSessionCode => pick(
            "直通号错误或已过期，请向客服索取新的直通号".into(),
            "That session code is wrong or has expired; ask the agent for a new one".into(),
        ),
        ApiError::Throttled { retry_after_s } => pick(
            format!("尝试过多，请 {retry_after_s} 秒后再试"),
            format!("Too many attempts; try again in {retry_after_s} s"),
        ),
        ApiError::Closed { reply } => reply.clone(),
        ApiError::InvalidDate { date } => {
            let (y, m, d) = (date / 10_000, date / 100 % 100, date % 100);
            pick(
                format!("{y}年{m}月{d}日不是有效日期"),
                format!("{y:04}-{m:02}-{d:02} is not a valid date"),
            )
        }
        ApiError::UnknownTimeZone { name } => pick(
            format!("未知的时区“{name}”，请使用 Asia/Shanghai 这样的名称"),
            format!("Unknown time zone \"{name}\"; use a name such as Asia/Shanghai"),
        ),
        ApiError::ReplyTooLarge { bytes, max_bytes } => pick(
            format!("回复内容过大（{bytes} 字节，最多 {max_bytes} 字节），无法发送"),
            format!("The answer is too large to send ({bytes} bytes, at most {max_bytes})"),
        ),
        ApiError::ContextUnavailable(f) => context_failure(lang, *f),
        ApiError::BadImage(p) => image_problem(lang, *p),
        ApiError::BadReconnectToken(t) => match t {
            TokenRefusal::Unknown => pick(
                "重新连接凭证无效".into(),
                "This reconnect token is not known".into(),
            ),
            TokenRefusal::Used => pick(
                "重新连接凭证已使用过".into(),
                "This reconnect token was already used".into(),
            ),
            TokenRefusal::Expired => pick(
                "重新连接凭证已过期，会话已结束".into(),
                "This reconnect token has expired; the session has ended".into(),
            ),
            TokenRefusal::WrongCenter => pick(
                "重新连接凭证属于另一个支持中心".into(),
                "This reconnect token belongs to another support center".into(),
            ),
        },
        ApiError::Timeout => pick(
            "服务器没有及时响应".into(),
            "The relay did not answer in time".into(),
        ),
        ApiError::Disconnected => pick(
            "未连接到服务器".into(),
            "Not connected to the relay".into(),
        ),
        ApiError::Protocol => pick(
            "服务器的回答无法理解（版本不一致？）".into(),
            "The relay's answer could not be understood (version mismatch?)".into(),
        ),
    }
}

fn capital(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

fn field_name(f: Field) -> (&'static str, &'static str) {
    match f {
        Field::CustomerName => ("姓名", "name"),
        Field::CustomerPhone => ("电话", "phone number"),
        Field::ChatText => ("消息", "message"),
        Field::ChatPictures => ("本次会话的图片", "pictures in this session"),
        Field::TypingPreview => ("输入预览", "typing preview"),
        Field::Note => ("备注", "note"),
        Field::Password => ("新密码", "new password"),
        Field::CannedCategory => ("分类", "category"),
        Field::CannedTitle => ("标题", "title"),
        Field::CannedText => ("内容", "text"),
        Field::CannedResponses => ("常用语", "canned responses"),
        Field::RecordSubject => ("主题", "subject"),
        Field::RecordContent => ("内容", "content"),
        Field::RecordField => ("字段", "field"),
        Field::Disposition => ("处理结果", "disposition"),
        Field::CustomerTag => ("客户标签", "customer tag"),
        Field::MessageTag => ("消息标签", "message tag"),
        Field::SurveyStars => ("满意度", "rating"),
        Field::SurveyComment => ("评价", "comment"),
        Field::OfferTimeout => ("分配倒计时（秒）", "offer countdown (s)"),
        Field::CodeValidity => ("直通号有效期（秒）", "session code validity (s)"),
        Field::MaxFileBytes => ("文件大小上限（字节）", "file size limit (bytes)"),
        Field::LateFillHours => ("补填时限（小时）", "late-fill window (hours)"),
        Field::ContextUrl => ("客户信息接口地址", "context endpoint URL"),
        Field::ContextTimeout => ("客户信息接口超时（毫秒）", "context endpoint timeout (ms)"),
        Field::SettingsText => ("设置中的文字", "settings text"),
        Field::FileName => ("文件名", "file name"),
        Field::SystemInfo => ("系统信息报告", "system info report"),
        Field::Presence => ("状态", "presence"),
        Field::ServiceRoute => ("服务方式", "service route"),
        Field::Username => ("用户名", "username"),
        Field::DisplayName => ("昵称", "display name"),
        Field::AgentTitle => ("职位", "job title"),
        Field::AgentPhone => ("电话", "phone"),
        Field::Photo => ("头像", "photo"),
        Field::MaxSessions => ("最大接待数", "most concurrent sessions"),
        Field::GroupName => ("分组名称", "group name"),
        Field::ProductTypeName => ("产品类型名称", "product type name"),
        Field::ListOrder => ("排列顺序", "list order"),
        Field::RoleName => ("角色名称", "role name"),
        Field::BlockEnd => ("黑名单截止时间", "block end"),
        Field::ProductName => ("产品名称", "product name"),
        Field::NoticeText => ("公告文字", "notice text"),
        Field::NoticeLink => ("公告链接（须为 https://）", "notice link (https:// only)"),
        Field::KnowledgeTitle => ("知识库标题", "knowledge-base title"),
        Field::KnowledgeText => ("知识库回复内容", "knowledge-base reply text"),
        Field::KnowledgeKeywords => ("关键词", "keywords"),
        Field::KnowledgeParent => (
            "上级目录（不能移到自身之下，层级不超过 8 层）",
            "parent folder (not under itself, at most 8 levels)",
        ),
        Field::KnowledgeValidity => (
            "有效期（结束不能早于开始）",
            "validity (the end not before the start)",
        ),
        Field::RetentionDays => ("记录保留天数", "days to keep transcripts"),
        Field::AutoAcceptFiles => ("自动接收客户文件", "files accepted without asking"),
        Field::Regions => (
            "服务地区（两位国家/地区代码，如 CN、HK）",
            "regions (two-letter country codes such as CN, HK)",
        ),
        Field::WebhookUrl => (
            "回调地址（须为 http:// 或 https://）",
            "webhook URL (http:// or https://)",
        ),
        Field::BrandColor => ("颜色", "colour"),
        Field::BrandImage => ("图片（PNG，大小受限）", "picture (PNG within its limits)"),
    }
}

fn thing(t: Thing) -> (&'static str, &'static str) {
    match t {
        Thing::Center => ("该支持中心", "center"),
        Thing::Agent => ("该客服", "agent"),
        Thing::Group => ("该分组", "group"),
        Thing::ProductType => ("该产品类型", "product type"),
        Thing::CannedResponse => ("该常用语", "canned response of yours"),
        Thing::OfflineMessage => ("该待处理留言", "pending offline message"),
        Thing::Message => ("该消息", "message in this session"),
        Thing::Login => ("该账号的登录", "login of that account"),
        Thing::Transfer => ("该转接", "waiting transfer"),
        Thing::Offer => ("该分配", "open offer"),
        Thing::CommonFile => ("该常用文件", "common file"),
        Thing::Picture => ("该图片", "picture"),
        Thing::Block => ("该黑名单记录", "blocklist entry"),
        Thing::Delivery => ("该失败的推送", "failed delivery"),
        Thing::KnowledgeNode => ("该知识库条目", "knowledge-base entry"),
    }
}

fn permission(p: Permission) -> (&'static str, &'static str) {
    match p {
        Permission::Customer => ("客户身份", "a customer"),
        Permission::Agent => ("客服身份", "an agent account"),
        Permission::ServeCustomers => ("接待客户的权限", "the permission to serve customers"),
        Permission::PickFromQueue => (
            "从排队中接待的权限",
            "the permission to pick from the queue",
        ),
        Permission::ManageCenter => ("管理支持中心的权限", "the permission to manage the center"),
        Permission::SessionMember => ("该会话的接待客服", "serving this session"),
        Permission::OutrankTarget => (
            "高于对方账号的角色（不能操作自己或同级、更高级的账号）",
            "a role above that account's (not your own, an equal or a higher one)",
        ),
        Permission::RoleWithinOwn => (
            "不高于自己的角色（不能授予比自己更高的角色）",
            "a role no higher than your own (you cannot give a higher one)",
        ),
        Permission::MonitorAgents => ("监控客服的权限", "the permission to monitor agents"),
        Permission::ManageAccounts => ("管理成员的权限", "the permission to manage accounts"),
        Permission::ManageSettings => ("管理设置的权限", "the permission to manage settings"),
        Permission::ManageLibrary => ("管理知识库的权限", "the permission to manage the library"),
        Permission::ExportRecords => ("导出记录的权限", "the permission to export records"),
        Permission::SeeAuditLog => ("查看操作日志的权限", "the permission to see the audit log"),
        Permission::BlockCustomers => ("管理黑名单的权限", "the permission to block customers"),
        Permission::OwnGroupOnly => (
            "本组的管理权限（组长只能管理自己分组的成员）",
            "your own group (a group leader manages only their own groups)",
        ),
    }
}

fn service_mode(m: ServiceMode) -> (&'static str, &'static str) {
    match m {
        ServiceMode::Showcase => ("客服展示", "showcase"),
        ServiceMode::SessionCode => ("直通号", "session code"),
        ServiceMode::AutoAssign => ("自动分配", "auto-assign"),
    }
}

fn action_name(a: RemoteAction) -> (&'static str, &'static str) {
    match a {
        RemoteAction::ViewDesktop => ("查看桌面", "viewing the desktop"),
        RemoteAction::RemoteControl => ("远程控制", "remote control"),
        RemoteAction::FileTransfer => ("文件传输", "file transfer"),
        RemoteAction::ClipboardSync => ("共享剪贴板", "the shared clipboard"),
        RemoteAction::SystemInfo => ("系统信息", "system info"),
        RemoteAction::Reboot => ("重启", "reboot"),
        RemoteAction::RemoteDemo => ("远程演示", "remote demo"),
    }
}

fn conflict(lang: Language, c: Conflict) -> String {
    let zh = lang == Language::ZhCn;
    let pick = |z: String, en: String| if zh { z } else { en };
    match c {
        Conflict::PeerAway { peer } => match peer {
            Party::Customer => pick("客户不在线".into(), "The customer is not connected".into()),
            Party::Agent => pick("客服不在线".into(), "The agent is not connected".into()),
            Party::Relay => pick(
                "对方不在线".into(),
                "The other side is not connected".into(),
            ),
        },
        Conflict::ActionAlready { action, state } => {
            let (z, en) = action_name(action);
            match state {
                ActionState::Granted => pick(
                    format!("{z}已获同意"),
                    format!("{} is already granted", capital(en)),
                ),
                _ => pick(
                    format!("已在请求{z}"),
                    format!("{} is already requested", capital(en)),
                ),
            }
        }
        Conflict::NotGranted { action } => {
            let (z, en) = action_name(action);
            pick(
                format!("客户尚未同意{z}"),
                format!("The customer has not allowed {en}"),
            )
        }
        Conflict::NotStartable { action } => {
            let (z, en) = action_name(action);
            pick(
                format!("客户不能主动发起{z}"),
                format!("The customer cannot start {en}"),
            )
        }
        Conflict::AlreadyInSession => pick("已在会话中".into(), "Already in a session".into()),
        Conflict::OtherSessionOpen => pick(
            "本程序已有另一个进行中的会话".into(),
            "This helper already has another open session".into(),
        ),
        Conflict::SurveyAnswered => pick(
            "已经评价过本次服务".into(),
            "This session's survey was already answered".into(),
        ),
        Conflict::TransferPending => pick(
            "该会话的转接正在等待回复".into(),
            "A transfer of this session is waiting for an answer".into(),
        ),
        Conflict::MaxSessions { max } => pick(
            format!("您已同时接待 {max} 位客户（上限）"),
            format!("You already serve {max} customers (your maximum)"),
        ),
        Conflict::TooManyCodes => pick(
            "支持中心有效的直通号过多，请稍后再试".into(),
            "Too many live session codes in this center; try again later".into(),
        ),
        Conflict::RecordWindowClosed => pick(
            "已超过补填该服务记录的时限".into(),
            "The time allowed for filling in this support record has passed".into(),
        ),
        Conflict::NoSigningKey => pick(
            "请先生成签名密钥，再启用回调".into(),
            "Create a signing key before enabling the webhook".into(),
        ),
        Conflict::StorageFull {
            used_bytes,
            quota_bytes,
        } => pick(
            format!(
                "支持中心的存储空间已满（已用 {} / 配额 {}），暂时无法保存新消息。请管理员缩短记录保留天数，或联系运营方扩容",
                crate::lang::format_bytes(used_bytes),
                crate::lang::format_bytes(quota_bytes)
            ),
            format!(
                "The center's storage is full ({} of {} used); new messages cannot be stored. An admin can shorten how long transcripts are kept, or the operator can raise the quota",
                crate::lang::format_bytes(used_bytes),
                crate::lang::format_bytes(quota_bytes)
            ),
        ),
        Conflict::MailboxFull => pick(
            "支持中心暂时无法接收更多留言，请稍后再试".into(),
            "The center cannot take more messages right now; try again later".into(),
        ),
        Conflict::UploadOutOfOrder => pick(
            "上传中断，请重新上传".into(),
            "The upload was interrupted; upload the file again".into(),
        ),
        Conflict::WebhookOff => pick(
            "回调未启用或未填写回调地址".into(),
            "The webhook is off or has no URL".into(),
        ),
    }
}

fn context_failure(lang: Language, f: ContextFailure) -> String {
    let zh = lang == Language::ZhCn;
    let pick = |z: String, en: String| if zh { z } else { en };
    match f {
        ContextFailure::NotConfigured => pick(
            "支持中心没有配置客户信息接口".into(),
            "The center has no customer context endpoint".into(),
        ),
        ContextFailure::Timeout { timeout_ms } => pick(
            format!("客户信息接口在 {timeout_ms} 毫秒内没有响应"),
            format!("The customer context endpoint did not answer within {timeout_ms} ms"),
        ),
        ContextFailure::Status { code } => pick(
            format!("客户信息接口返回 HTTP {code}"),
            format!("The customer context endpoint answered HTTP {code}"),
        ),
        ContextFailure::TooLarge => pick(
            "客户信息接口的回答过大".into(),
            "The customer context answer is too large".into(),
        ),
        ContextFailure::Malformed => pick(
            "客户信息接口的回答格式不正确".into(),
            "The customer context answer is malformed".into(),
        ),
        ContextFailure::Unreachable => pick(
            "无法连接客户信息接口".into(),
            "The customer context endpoint cannot be reached".into(),
        ),
    }
}

fn image_problem(lang: Language, p: ImageProblem) -> String {
    let zh = lang == Language::ZhCn;
    let pick = |z: String, en: String| if zh { z } else { en };
    match p {
        ImageProblem::UnknownFormat => pick(
            "图片不是 PNG 或 JPEG 格式".into(),
            "The picture is not a PNG or JPEG".into(),
        ),
        ImageProblem::Damaged => pick("图片已损坏".into(), "The picture is damaged".into()),
        ImageProblem::TooLarge { bytes, max_bytes } => pick(
            format!("图片有 {bytes} 字节，最多 {max_bytes} 字节"),
            format!("The picture is {bytes} bytes; the most is {max_bytes}"),
        ),
        ImageProblem::BadSize {
            width,
            height,
            max_side,
        } => pick(
            format!("图片尺寸 {width}×{height}，每边须为 1 到 {max_side} 像素"),
            format!("The picture is {width}×{height} px; each side must be 1 to {max_side} px"),
        ),
        ImageProblem::TooManyPixels { pixels, max_pixels } => pick(
            format!("图片有 {pixels} 像素，最多 {max_pixels} 像素"),
            format!("The picture has {pixels} pixels; the most is {max_pixels}"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_english_reaches_the_chinese_console() {
        let errors = [
            ApiError::too_long(Field::ChatText, 16384),
            ApiError::NotPermitted {
                needed: Permission::ManageCenter,
            },
            ApiError::Conflict(Conflict::MaxSessions { max: 5 }),
            ApiError::NoFreeSeat { seats: 3 },
            ApiError::BadImage(ImageProblem::UnknownFormat),
            ApiError::ContextUnavailable(ContextFailure::Status { code: 502 }),
        ];
        for e in &errors {
            let zh = api_error_text(Language::ZhCn, e);
            assert!(
                !zh.chars().any(|c| c.is_ascii_alphabetic()
                    && c != 'P'
                    && c != 'N'
                    && c != 'G'
                    && c != 'J'
                    && c != 'E'
                    && c != 'H'
                    && c != 'T'),
                "{zh}"
            );
            let en = api_error_text(Language::En, e);
            assert!(en.is_ascii() || en.contains('×'), "{en}");
        }
        assert_eq!(
            api_error_text(Language::ZhCn, &ApiError::too_long(Field::ChatText, 16384)),
            "消息太长（最多 16384 字节）"
        );
        assert!(
            api_error_text(Language::En, &ApiError::NoFreeSeat { seats: 3 })
                .starts_with("All 3 seats")
        );
    }

    #[test]
    fn every_refusal_reads_in_chinese_without_english() {
        let reasons = [
            RefusedReason::VersionMismatch {
                relay: 7,
                client: 6,
            },
            RefusedReason::UnknownCenter(crate::wire::CenterId(8_000_009)),
            RefusedReason::WrongPassword,
            RefusedReason::Throttled { retry_after_s: 30 },
            RefusedReason::AlreadyLoggedIn {
                address: "10.0.0.2".into(),
                since: 0,
            },
            RefusedReason::Malformed,
            RefusedReason::Unavailable,
            RefusedReason::AccountDisabled,
            RefusedReason::CenterExpired { expired_at: 0 },
        ];
        for r in &reasons {
            let zh = refused_text(Language::ZhCn, r);
            assert!(!zh.chars().any(|c| c.is_ascii_alphabetic()), "{zh}");
            let en = refused_text(Language::En, r);
            assert!(en.starts_with(|c: char| c.is_ascii_uppercase()), "{en}");
        }
        assert_eq!(
            refused_text(Language::ZhCn, &reasons[1]),
            "支持中心 8000009 不存在"
        );
    }
}
