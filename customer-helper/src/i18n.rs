//! UI text of the helper in zh-CN and English (see [`Language`]).

use porpoise_protocol::wire::RemoteAction;
use porpoise_ui::Language;

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

mod chat;
mod files;
mod setup;
mod survey;

texts! {
    /// Window title.
    app_title => "Porpoise 远程协助", "Porpoise helper";
    /// Window title while the screen is shared.
    app_title_sharing => "● 正在共享屏幕 — Porpoise", "● Sharing your screen — Porpoise";
    /// Title of the remote demo window (C6).
    demo_title => "客服人员的屏幕 — Porpoise", "Agent's screen — Porpoise";
    /// Remote demo window before the first frame.
    demo_waiting => "正在等待客服人员的屏幕…", "Waiting for the agent's screen…";
    /// Remote demo ended.
    demo_ended => "演示已结束。", "The demo has ended.";
    /// Remote demo window: fit the window.
    demo_fit => "适应窗口", "Fit to window";
    /// Remote demo window: actual size.
    demo_actual_size => "实际大小", "Actual size";
    /// Remote demo window: close.
    demo_close => "关闭", "Close";
    /// Label of the agent's screen image.
    demo_image => "客服人员的屏幕", "Agent's screen";
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
    /// Showcase: the tab with every agent.
    all_agents => "全部", "All";
    /// Showcase: heading above the cards.
    pick_agent_heading => "请选择客服人员", "Choose an agent";
    /// Showcase: nobody to show in this tab.
    no_agents => "此分组暂无客服人员在线。", "No agent of this group is online.";
    /// Presence: online.
    presence_online => "在线", "Online";
    /// Presence: busy.
    presence_busy => "忙碌", "Busy";
    /// Presence: away.
    presence_away => "离开", "Away";
    /// Presence: offline.
    presence_offline => "离线", "Offline";
    /// Hover text of a card that cannot be picked.
    agent_unavailable_hint => "该客服人员暂时无法接待新客户，请选择其他在线的客服人员。", "This agent cannot take new customers right now; please choose an online agent.";
    /// A picked agent cannot take customers.
    agent_unavailable => "该客服人员暂时无法接待，请选择在线的客服人员。", "That agent cannot take customers now; please choose an online agent.";
    /// Session code field label.
    code_label => "直通号", "Session code";
    /// Session code hint.
    code_hint => "请输入客服人员提供的 6 位数字", "The 6 digits your agent gave you";
    /// Session code of the wrong length.
    code_length => "直通号为 6 位数字。", "The session code has 6 digits.";
    /// The relay refused the code.
    bad_session_code => "直通号错误或已过期，请向客服人员索取新的直通号。", "That session code is wrong or has expired. Please ask your agent for a new one.";
    /// Auto-assign: group picker label.
    group_label => "服务分组", "Service group";
    /// Auto-assign: product type picker label.
    product_label => "产品类型", "Product type";
    /// Auto-assign: any group.
    any_group => "任意分组", "Any group";
    /// Auto-assign: no product type picked.
    any_product => "未选择", "Not specified";
    /// Estimated wait not known yet.
    wait_unknown => "正在估算等待时间…", "Estimating the wait…";
    /// Label of the question box while waiting.
    question_label => "您的问题", "Your question";
    /// Hint of the question box while waiting.
    question_hint => "可先输入问题，客服人员接入后将自动发送", "Type your question now; it is sent when an agent answers";
    /// Leave a message button.
    leave_message => "留言", "Leave a message";
    /// Heading of the offline-message form.
    message_heading => "给我们留言", "Leave us a message";
    /// Under the heading of the offline-message form.
    message_intro => "请留下您的联系方式和问题，我们会尽快与您联系。", "Leave your contact details and your question; we will get back to you soon.";
    /// Contact field label.
    contact_label => "电话或电子邮箱", "Phone or e-mail";
    /// Message text label.
    message_text_label => "留言内容", "Your message";
    /// Send the offline message.
    send_message => "提交留言", "Send message";
    /// Back without sending.
    cancel => "返回", "Back";
    /// While the offline message is on its way.
    sending_message => "正在提交留言…", "Sending your message…";
    /// After the offline message was stored.
    message_left => "感谢您的留言！我们会尽快与您联系。", "Thank you for your message! We will get back to you soon.";
    /// Back to the request screen after a message.
    done => "完成", "Done";
    /// Contact is empty.
    contact_required => "请留下电话或电子邮箱。", "Please leave a phone number or an e-mail address.";
    /// Message is empty.
    text_required => "请输入留言内容。", "Please write your message.";
    /// Header of the center's common questions (M6).
    faq_title => "常见问题", "Common questions";
    /// The center's reply when it is closed and set none.
    closed_default => "现在是非工作时间，请留言，我们会尽快与您联系。", "We are closed right now. Leave a message and we will get back to you.";
    /// Sharing stopped because of a transfer.
    sharing_stopped_by_transfer => "会话已转给其他客服人员，屏幕共享已停止。如需继续，新的客服人员会再次征求您的同意。", "Another agent took over, so screen sharing stopped. The new agent will ask for your consent again if needed.";
    /// The system-info report reached the agent (A10).
    system_info_sent => "已将您电脑的系统信息发送给客服人员。", "Your computer's system information was sent to the agent.";
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

    /// Estimated wait, rounded up to whole minutes.
    pub fn estimated_wait(self, seconds: u32) -> String {
        let minutes = seconds.div_ceil(60).max(1);
        match self.0 {
            Language::ZhCn => format!("预计等待约 {minutes} 分钟"),
            Language::En => format!("Estimated wait: about {minutes} min"),
        }
    }

    /// Too many wrong session codes.
    pub fn throttled(self, retry_after_s: u32) -> String {
        match self.0 {
            Language::ZhCn => format!("错误次数过多，请在 {retry_after_s} 秒后重试。"),
            Language::En => format!("Too many wrong codes. Please try again in {retry_after_s} s."),
        }
    }

    /// The button of a showcase card.
    pub fn ask_agent(self, nickname: &str) -> String {
        match self.0 {
            Language::ZhCn => format!("请 {nickname} 服务"),
            Language::En => format!("Ask {nickname}"),
        }
    }

    /// System line of a transfer (R8).
    pub fn agent_changed(self, agent: &str) -> String {
        match self.0 {
            Language::ZhCn => format!("会话已转接，现在由 {agent} 为您服务"),
            Language::En => format!("Your session was transferred; {agent} is helping you now"),
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
            (Language::ZhCn, RemoteAction::RemoteDemo) => format!(
                "{agent} 想向您演示其屏幕。您将在一个窗口中看到对方的桌面；对方看不到您的屏幕。"
            ),
            (Language::En, RemoteAction::RemoteDemo) => format!(
                "{agent} wants to show you their screen. You will see their desktop in a window; they cannot see yours."
            ),
            (Language::ZhCn, RemoteAction::ClipboardSync) => format!(
                "{agent} 请求同步剪贴板。远程控制期间，您复制的文字会发送给对方，对方复制的文字会放入您的剪贴板。"
            ),
            (Language::En, RemoteAction::ClipboardSync) => format!(
                "{agent} asks to share the clipboard. While they control your computer, text you copy is sent to them and text they copy lands in your clipboard."
            ),
            (Language::ZhCn, RemoteAction::FileTransfer) => format!(
                "{agent} 请求向您发送文件。每个文件到达前您都可以选择接收或拒绝。"
            ),
            (Language::En, RemoteAction::FileTransfer) => format!(
                "{agent} asks to send you files. You can accept or decline each file before it arrives."
            ),
            (Language::ZhCn, RemoteAction::SystemInfo) => format!(
                "{agent} 请求查看您电脑的系统信息：操作系统、CPU、内存、磁盘、网卡和正在运行的程序，用于诊断电脑问题。只发送一次，不包含您的文件内容。"
            ),
            (Language::En, RemoteAction::SystemInfo) => format!(
                "{agent} asks to see your computer's system information: operating system, CPU, memory, disks, network adapters and running programs, to diagnose problems. It is sent once and contains none of your files."
            ),
            (Language::ZhCn, RemoteAction::Reboot) => format!(
                "{agent} 请求重启您的电脑并重连。请先保存您正在编辑的文件。电脑将立即重启，您登录后本程序会自动启动一次，回到与 {agent} 的同一会话（15 分钟内有效）。"
            ),
            (Language::En, RemoteAction::Reboot) => format!(
                "{agent} asks to restart your computer and reconnect. Save your open work first. The computer restarts at once; after you log in, this program starts by itself once and returns to the same session with {agent} (within 15 minutes)."
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
            (Language::ZhCn, RemoteAction::RemoteDemo) => format!("{agent} 正在向您演示其屏幕"),
            (Language::En, RemoteAction::RemoteDemo) => {
                format!("{agent} is showing you their screen")
            }
            (Language::ZhCn, RemoteAction::ClipboardSync) => {
                format!("剪贴板正在与 {agent} 同步")
            }
            (Language::En, RemoteAction::ClipboardSync) => {
                format!("The clipboard is shared with {agent}")
            }
            (Language::ZhCn, RemoteAction::FileTransfer) => {
                format!("{agent} 可以向您发送文件")
            }
            (Language::En, RemoteAction::FileTransfer) => {
                format!("{agent} may send you files")
            }
            (Language::ZhCn, RemoteAction::SystemInfo) => {
                format!("正在向 {agent} 发送系统信息")
            }
            (Language::En, RemoteAction::SystemInfo) => {
                format!("Sending system information to {agent}")
            }
            (Language::ZhCn, RemoteAction::Reboot) => format!("正在准备重启电脑（{agent}）"),
            (Language::En, RemoteAction::Reboot) => {
                format!("Preparing to restart the computer ({agent})")
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

    /// The computer is restarting for reboot and reconnect (C8).
    pub fn rebooting(self) -> &'static str {
        self.0.pick(
            "电脑正在重启。登录后本程序会自动启动并回到当前会话。",
            "The computer is restarting. After you log in, this program starts by itself and returns to this session.",
        )
    }

    /// The reboot did not happen (C8).
    pub fn reboot_failed(self, reason: &str) -> String {
        match self.0 {
            Language::ZhCn => format!("无法重启电脑：{reason}"),
            Language::En => format!("Could not restart the computer: {reason}"),
        }
    }

    /// This helper cannot reboot (no way to start itself again) (C8).
    pub fn reboot_unavailable(self) -> &'static str {
        self.0.pick(
            "本程序无法在重启后自动启动",
            "this program cannot start by itself after a restart",
        )
    }

    /// Rejoining the session after a reboot failed; the request screen is shown (C8).
    pub fn reconnect_failed(self, reason: &str) -> String {
        match self.0 {
            Language::ZhCn => format!("无法回到重启前的会话（{reason}）。如需帮助，请重新提交服务请求。"),
            Language::En => format!("Could not return to the session from before the restart ({reason}). Please request service again if you still need help."),
        }
    }

    /// Why a request failed (the relay's [`porpoise_protocol::wire::ApiError`] code), in this
    /// language.
    pub fn request_error(self, failure: &crate::net::RequestFailure) -> String {
        porpoise_protocol::lang::errors::api_error_text(self.0, failure.error())
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
        assert_eq!(en.estimated_wait(61), "Estimated wait: about 2 min");
        assert_eq!(zh.estimated_wait(0), "预计等待约 1 分钟");
        assert!(zh
            .sharing_banner("李娜", RemoteAction::RemoteControl)
            .contains("李娜"));
        assert!(en
            .consent_question("Ann", RemoteAction::ViewDesktop)
            .contains("view your screen"));
    }
}
