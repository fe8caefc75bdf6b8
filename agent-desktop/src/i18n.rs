//! UI texts in zh-CN and en. Every text shown to the agent comes from here.
//!
//! [`Msg`] names a fixed text; [`Msg::text`] picks it for a [`Language`]. Texts with values in
//! them have their own functions below.

use porpoise_shared::{ui::Language, wire::Party};

macro_rules! messages {
    ($($(#[$doc:meta])* $name:ident => $zh:literal, $en:literal;)*) => {
        /// A fixed UI text.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Msg {
            $($(#[$doc])* $name,)*
        }

        impl Msg {
            /// Every text, for tests.
            pub const ALL: &'static [Msg] = &[$(Msg::$name,)*];

            /// The text in `lang`.
            pub fn text(self, lang: Language) -> &'static str {
                match self {
                    $(Msg::$name => lang.pick($zh, $en),)*
                }
            }
        }
    };
}

messages! {
    /// Product name in titles.
    AppName => "Porpoise 客服工作台", "Porpoise agent console";
    /// Heading of the login window.
    LoginTitle => "客服登录", "Agent login";
    /// Login field.
    RelayAddress => "服务器地址", "Relay address";
    /// Login field.
    Fingerprint => "证书指纹", "Certificate fingerprint";
    /// Login field.
    CenterId => "支持中心 ID", "Center ID";
    /// Login field.
    Username => "用户名", "Username";
    /// Login field.
    Password => "密码", "Password";
    /// Login button.
    LogIn => "登录", "Log in";
    /// Shown while logging in.
    LoggingIn => "正在登录…", "Logging in…";
    /// Username drop-down button.
    PickUsername => "选择用户", "Pick a user";
    /// Shown while the username list loads.
    LoadingUsernames => "正在获取用户列表…", "Loading usernames…";
    /// Login error prefix.
    ErrWrongPassword => "用户名或密码错误", "Wrong username or password";
    /// Login error prefix.
    ErrUnknownCenter => "支持中心不存在", "Unknown center";
    /// Login error prefix.
    ErrUnreachable => "无法连接服务器", "Relay unreachable";
    /// Login error prefix.
    ErrFingerprint => "证书指纹不匹配", "Certificate fingerprint mismatch";
    /// Login error prefix.
    ErrAlreadyLoggedIn => "该账号已在别处登录", "Already logged in elsewhere";
    /// Login error prefix.
    ErrLogin => "登录失败", "Login failed";
    /// Shown on the login window after the connection dropped.
    ErrDisconnected => "与服务器的连接已断开", "Disconnected from the relay";
    /// Form validation.
    InvalidFingerprint => "证书指纹应为 64 位十六进制数字", "The fingerprint must be 64 hex digits";
    /// Form validation.
    InvalidCenter => "支持中心 ID 为 8 开头的 7 位数字", "A center ID is 7 digits starting with 8";
    /// Form validation.
    MissingUsername => "请输入用户名", "Enter a username";
    /// Form validation.
    MissingPassword => "请输入密码", "Enter the password";
    /// Queue panel heading.
    Queue => "排队队列", "Queue";
    /// Empty queue.
    QueueEmpty => "暂无排队客户", "No customers waiting";
    /// Queue column.
    Name => "姓名", "Name";
    /// Queue column.
    Phone => "电话", "Phone";
    /// Queue column.
    Waited => "等待时间", "Waiting";
    /// Accept button.
    Accept => "接受", "Accept";
    /// Work area without a session.
    NoSession => "从左侧队列接受客户后，会话会在这里打开。", "Accept a customer from the queue to start a session.";
    /// Log-out button.
    LogOut => "退出登录", "Log out";
    /// Action button (A6).
    ViewDesktop => "观看桌面", "View desktop";
    /// Action button (A6).
    RemoteControl => "远程控制", "Remote control";
    /// View desktop requested or running.
    StopViewing => "停止观看", "Stop viewing";
    /// Remote control requested or running.
    StopControl => "停止控制", "Stop control";
    /// End-session button.
    EndSession => "结束会话", "End session";
    /// Close the tab of an ended session.
    CloseTab => "关闭标签", "Close tab";
    /// Action state.
    WaitingConsent => "等待客户同意…", "Waiting for the customer's consent…";
    /// Action state.
    CustomerRefused => "客户拒绝了请求", "The customer refused";
    /// Action state.
    Viewing => "正在观看桌面", "Viewing the desktop";
    /// Action state.
    Controlling => "正在远程控制", "Remote control is on";
    /// Session state.
    EndedByCustomer => "客户已结束会话", "The customer ended the session";
    /// Session state.
    EndedByAgent => "会话已结束", "The session has ended";
    /// Session state.
    EndedByRelay => "服务器结束了会话", "The relay ended the session";
    /// Chat author: the agent.
    Me => "我", "Me";
    /// Chat author: the relay.
    System => "系统", "System";
    /// Pending chat message.
    Sending => "发送中…", "sending…";
    /// Failed chat message.
    NotSent => "未发送", "not sent";
    /// Label of the chat input.
    Message => "消息", "Message";
    /// Send button.
    Send => "发送", "Send";
    /// Chat input hint.
    ChatHint => "Enter 发送，Ctrl+Enter 换行", "Enter sends, Ctrl+Enter adds a line";
    /// Screen view.
    ScreenWaiting => "等待客户的屏幕画面…", "Waiting for the customer's screen…";
    /// Screen view.
    ScreenEnded => "屏幕共享已结束", "Screen sharing has ended";
    /// Screen view while controlling.
    ControlHint => "点击画面后，鼠标和键盘操作会发送到客户电脑", "Click the screen to send mouse and keyboard to the customer";
    /// Label of the screen view.
    CustomerScreen => "客户屏幕", "Customer screen";
    /// Notification title.
    CustomerQueued => "新客户排队", "A customer is waiting";
    /// Tray menu.
    TrayShow => "显示窗口", "Show";
    /// Tray menu.
    TrayQuit => "退出", "Quit";
    /// Tray tooltip while logged out.
    TrayOffline => "未登录", "Not logged in";
}

/// Window title with the number of waiting customers (A3).
pub fn window_title(lang: Language, queue_len: Option<usize>) -> String {
    let app = Msg::AppName.text(lang);
    match queue_len {
        None => app.to_owned(),
        Some(n) => match lang {
            Language::ZhCn => format!("{app} — 排队 {n} 人"),
            Language::En => format!("{app} — {n} waiting"),
        },
    }
}

/// Queue heading with its length.
pub fn queue_heading(lang: Language, queue_len: usize) -> String {
    match lang {
        Language::ZhCn => format!("排队队列（{queue_len}）"),
        Language::En => format!("Queue ({queue_len})"),
    }
}

/// "Logged in as NAME".
pub fn logged_in_as(lang: Language, name: &str) -> String {
    match lang {
        Language::ZhCn => format!("当前客服：{name}"),
        Language::En => format!("Logged in as {name}"),
    }
}

/// Body of the "customer queued" notification.
pub fn queued_body(lang: Language, name: &str, phone: &str, queue_len: usize) -> String {
    match lang {
        Language::ZhCn => format!("{name}（{phone}）正在排队，共 {queue_len} 人等待"),
        Language::En => format!("{name} ({phone}) is waiting; {queue_len} in the queue"),
    }
}

/// Login refused after too many failed attempts, with the relay's wait in seconds.
pub fn throttled(lang: Language, retry_after_s: u32) -> String {
    match lang {
        Language::ZhCn => format!("登录尝试过多，请 {retry_after_s} 秒后再试"),
        Language::En => format!("Too many failed login attempts; try again in {retry_after_s} s"),
    }
}

/// Author label of a chat message.
pub fn author(lang: Language, from: Party, customer_name: &str) -> String {
    match from {
        Party::Customer => customer_name.to_owned(),
        Party::Agent => Msg::Me.text(lang).to_owned(),
        Party::Relay => Msg::System.text(lang).to_owned(),
    }
}

/// "PREFIX: detail" with a translated prefix and the untranslated technical detail.
pub fn with_detail(lang: Language, prefix: Msg, detail: &str) -> String {
    let sep = lang.pick("：", ": ");
    format!("{}{sep}{detail}", prefix.text(lang))
}

/// Screen statistics overlay: frames per second and KB per frame.
pub fn screen_stats(fps: f32, kb_per_frame: f32) -> String {
    format!("{fps:.0} fps · {kb_per_frame:.1} KB/frame")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_text_exists_in_both_languages() {
        for msg in Msg::ALL {
            let zh = msg.text(Language::ZhCn);
            let en = msg.text(Language::En);
            assert!(!zh.is_empty() && !en.is_empty(), "{msg:?}");
            assert_ne!(zh, en, "{msg:?} is not translated");
            assert!(
                zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                "{msg:?}: {zh}"
            );
            assert!(
                !en.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                "{msg:?}: {en}"
            );
        }
    }

    #[test]
    fn formatted_texts() {
        assert_eq!(
            window_title(Language::En, Some(3)),
            "Porpoise agent console — 3 waiting"
        );
        assert_eq!(
            window_title(Language::ZhCn, Some(2)),
            "Porpoise 客服工作台 — 排队 2 人"
        );
        assert_eq!(window_title(Language::En, None), "Porpoise agent console");
        assert_eq!(
            with_detail(Language::ZhCn, Msg::ErrUnreachable, "x"),
            "无法连接服务器：x"
        );
        assert_eq!(author(Language::En, Party::Agent, "Ann"), "Me");
        assert_eq!(author(Language::En, Party::Customer, "Ann"), "Ann");
        assert!(queued_body(Language::ZhCn, "张三", "138", 1).contains("张三"));
    }
}
