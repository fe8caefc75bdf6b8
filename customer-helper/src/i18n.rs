//! UI text of the helper in zh-CN and English (see [`Language`]).

use porpoise_shared::{ui::Language, wire::RemoteAction};

/// The helper's UI text in one language. Cheap to copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tr(pub Language);

macro_rules! texts {
    ($($(#[$doc:meta])* $name:ident => $zh:literal, $en:literal;)*) => {
        impl Tr {
            $(
                $(#[$doc])*
                pub fn $name(self) -> &'static str {
                    self.0.pick($zh, $en)
                }
            )*
        }
    };
}

texts! {
    /// Window title.
    app_title => "Porpoise 远程协助", "Porpoise helper";
    /// Window title while the screen is shared.
    app_title_sharing => "● 正在共享屏幕 — Porpoise", "● Sharing your screen — Porpoise";
    /// Shown while connecting.
    connecting => "正在连接支持中心…", "Connecting to the support center…";
    /// Retry button of a connection error.
    retry => "重试", "Retry";
    /// Label of the name field.
    name_label => "您的姓名", "Your name";
    /// Label of the phone field.
    phone_label => "电话", "Phone";
    /// The name field is empty.
    name_required => "请输入您的姓名。", "Please enter your name.";
    /// A field is too long.
    too_long => "内容过长。", "This is too long.";
    /// Request service button.
    request_service => "请求服务", "Request service";
    /// While the request is on its way.
    requesting => "正在请求服务…", "Requesting service…";
    /// Under the queue position.
    please_wait => "客服人员将很快为您服务，请稍候。", "An agent will be with you shortly.";
    /// Leave queue button.
    leave_queue => "离开队列", "Leave queue";
    /// Chat input label.
    message_label => "消息", "Message";
    /// Chat input hint.
    message_hint => "输入消息（Enter 发送，Ctrl+Enter 换行）", "Type a message (Enter sends, Ctrl+Enter new line)";
    /// Send button.
    send => "发送", "Send";
    /// A message not yet stored by the relay.
    sending => "发送中…", "sending…";
    /// The customer's own messages.
    you => "我", "You";
    /// Messages from the relay itself.
    system => "系统", "System";
    /// End session button.
    end_session => "结束会话", "End session";
    /// After the session ended.
    session_ended => "会话已结束，感谢您的耐心。", "The session has ended. Thank you for your patience.";
    /// Ask again after a session.
    request_again => "再次请求服务", "Request service again";
    /// Accept button of a consent prompt.
    accept => "接受", "Accept";
    /// Reject button of a consent prompt.
    reject => "拒绝", "Reject";
    /// Stop button of the sharing banner.
    stop => "停止", "Stop";
    /// Shown when messages cannot be sent while offline.
    offline_hint => "连接恢复后将自动发送。", "Messages will be sent when the connection is back.";
}

impl Tr {
    /// The queue position line.
    pub fn queue_position(self, position: u32) -> String {
        match self.0 {
            Language::ZhCn => format!("您在队列中排第 {position} 位"),
            Language::En => format!("You are number {position} in the queue"),
        }
    }

    /// Heading while served.
    pub fn serving(self, agent: &str) -> String {
        match self.0 {
            Language::ZhCn => format!("{agent} 正在为您服务"),
            Language::En => format!("{agent} is helping you"),
        }
    }

    /// The consent prompt's question for `action`.
    pub fn consent_question(self, agent: &str, action: RemoteAction) -> String {
        match (self.0, action) {
            (Language::ZhCn, RemoteAction::ViewDesktop) => format!(
                "{agent} 请求观看您的桌面。对方将看到您屏幕上的所有内容，但无法操作您的电脑。"
            ),
            (Language::En, RemoteAction::ViewDesktop) => format!(
                "{agent} asks to view your screen. They will see everything on your screen but cannot control your computer."
            ),
            (Language::ZhCn, RemoteAction::RemoteControl) => format!(
                "{agent} 请求远程控制您的电脑。对方将看到您的屏幕，并可以使用您的鼠标和键盘。您可以随时停止。"
            ),
            (Language::En, RemoteAction::RemoteControl) => format!(
                "{agent} asks to control your computer. They will see your screen and can use your mouse and keyboard. You can stop at any time."
            ),
        }
    }

    /// The always-visible banner while `action` runs.
    pub fn sharing_banner(self, agent: &str, action: RemoteAction) -> String {
        match (self.0, action) {
            (Language::ZhCn, RemoteAction::ViewDesktop) => format!("{agent} 正在观看您的桌面"),
            (Language::En, RemoteAction::ViewDesktop) => format!("{agent} is viewing your screen"),
            (Language::ZhCn, RemoteAction::RemoteControl) => {
                format!("{agent} 正在远程控制您的电脑")
            }
            (Language::En, RemoteAction::RemoteControl) => {
                format!("{agent} is controlling your computer")
            }
        }
    }

    /// The relay cannot be reached.
    pub fn unreachable(self, addr: &str) -> String {
        match self.0 {
            Language::ZhCn => format!("无法连接到支持服务器 {addr}。请检查网络连接，正在自动重试…"),
            Language::En => format!("Cannot reach the support server at {addr}. Check your network connection; retrying…"),
        }
    }

    /// The relay's certificate is not the pinned one.
    pub fn fingerprint_mismatch(self) -> &'static str {
        self.0.pick(
            "支持服务器的安全证书与本程序信任的证书不一致。为了您的安全，本程序不会连接。请从您的支持中心重新下载本程序。",
            "The support server's security certificate does not match the one this helper trusts. For your safety the helper will not connect. Please download the helper again from your support center.",
        )
    }

    /// The relay refused the helper.
    pub fn refused(self, reason: &str) -> String {
        match self.0 {
            Language::ZhCn => format!("支持服务器拒绝了连接：{reason}"),
            Language::En => format!("The support server refused the connection: {reason}"),
        }
    }

    /// The connection dropped.
    pub fn connection_lost(self, reason: &str) -> String {
        match self.0 {
            Language::ZhCn => format!("连接已断开（{reason}），正在重新连接…"),
            Language::En => format!("Connection lost ({reason}). Reconnecting…"),
        }
    }

    /// A request failed.
    pub fn request_failed(self, reason: &str) -> String {
        match self.0 {
            Language::ZhCn => format!("操作失败：{reason}"),
            Language::En => format!("That did not work: {reason}"),
        }
    }

    /// Screen sharing or remote control ended because of a local error.
    pub fn sharing_failed(self, reason: &str) -> String {
        match self.0 {
            Language::ZhCn => format!("屏幕共享已停止：{reason}"),
            Language::En => format!("Screen sharing stopped: {reason}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_have_text() {
        let zh = Tr(Language::ZhCn);
        let en = Tr(Language::En);
        assert_eq!(zh.accept(), "接受");
        assert_eq!(en.queue_position(3), "You are number 3 in the queue");
        assert!(zh
            .sharing_banner("李娜", RemoteAction::RemoteControl)
            .contains("李娜"));
        assert!(en
            .consent_question("Ann", RemoteAction::ViewDesktop)
            .contains("view your screen"));
    }
}
