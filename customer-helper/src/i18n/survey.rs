//! Texts of the permissions panel (C5) and the satisfaction survey (C7). Chinese wording from
//! the manuals (满意度调查, 非常满意 … 非常不满意, 撤销).

use porpoise_protocol::wire::RemoteAction;
use porpoise_ui::Language;

use super::Tr;

texts! {
    /// Heading of the permissions panel (C5).
    permissions_heading => "已授权", "Permissions granted";
    /// The permissions panel when nothing is granted.
    permissions_none => "客服人员目前没有任何权限。", "The agent has no permissions now.";
    /// Revoke button of one permission.
    revoke => "撤销", "Revoke";
    /// Button to share the screen without an agent request (C5).
    share_my_screen => "共享我的屏幕", "Share my screen";
    /// Heading of the satisfaction survey (C7).
    survey_title => "满意度调查", "Satisfaction survey";
    /// Question of the survey.
    survey_question => "您对本次服务满意吗？", "How satisfied are you with this service?";
    /// Label of the survey comment field.
    survey_comment => "意见或建议（可选）", "Comments (optional)";
    /// Submit button of the survey.
    survey_submit => "提交", "Submit";
    /// Skip button of the survey.
    survey_skip => "跳过", "Skip";
    /// Submit pressed without choosing stars.
    survey_pick_stars => "请选择满意程度。", "Please choose a rating.";
    /// While the answer is on its way.
    survey_sending => "正在提交…", "Submitting…";
    /// After the answer was stored.
    survey_thanks => "感谢您的评价！", "Thank you for your feedback!";
}

impl Tr {
    /// Name of a remote action in the permissions panel (C5).
    pub fn action_name(self, action: RemoteAction) -> &'static str {
        let (zh, en) = match action {
            RemoteAction::ViewDesktop => ("观看桌面", "View your screen"),
            RemoteAction::RemoteControl => ("远程控制", "Control your computer"),
            RemoteAction::RemoteDemo => ("远程演示", "Show you their screen"),
            RemoteAction::ClipboardSync => ("剪贴板同步", "Clipboard sync"),
            RemoteAction::FileTransfer => ("文件传输", "Send you files"),
            RemoteAction::SystemInfo => ("系统信息", "Read system information"),
            RemoteAction::Reboot => ("重启并重连", "Restart and reconnect"),
        };
        self.0.pick(zh, en)
    }

    /// Label of a survey level, 1 (非常不满意) to 5 (非常满意) stars; `None` outside.
    pub fn survey_level(self, stars: u8) -> Option<&'static str> {
        let (zh, en) = match stars {
            1 => ("非常不满意", "Very dissatisfied"),
            2 => ("不满意", "Dissatisfied"),
            3 => ("一般", "Neutral"),
            4 => ("满意", "Satisfied"),
            5 => ("非常满意", "Very satisfied"),
            _ => return None,
        };
        Some(self.0.pick(zh, en))
    }

    /// The comment is longer than the limit.
    pub fn survey_comment_too_long(self, max: usize) -> String {
        match self.0 {
            Language::ZhCn => format!("意见最多 {max} 个字。"),
            Language::En => format!("At most {max} characters."),
        }
    }
}

impl Tr {
    /// Revoke button of one permission: "撤销 观看桌面".
    pub fn revoke_action(self, action: RemoteAction) -> String {
        match self.0 {
            Language::ZhCn => format!("撤销 {}", self.action_name(action)),
            Language::En => format!("Revoke: {}", self.action_name(action)),
        }
    }
}
