//! UI texts in zh-CN and en. Every text shown to the agent comes from here.
//!
//! [`Msg`] names a fixed text; [`Msg::text`] picks it for a [`Language`]. Texts with values in
//! them have their own functions below.

mod chat;
mod desk;
mod files;
mod library;
mod survey;

pub use chat::*;
pub use desk::*;
pub use files::*;
pub use library::*;
pub use survey::*;

use porpoise_protocol::wire::Party;
use porpoise_ui::Language;

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
    /// Service window button (A6 填表): show the customer the satisfaction survey now (C7).
    PushSurvey => "推送调查表", "Push survey";
    /// After the survey was pushed, until the customer answers.
    SurveyPushed => "已推送满意度调查", "Survey sent to the customer";
    /// Admin settings row (M5): the helper shows the survey when a session ends (C7).
    AutoSurvey => "满意度调查", "Satisfaction survey";
    /// Admin settings checkbox (M5), from the manual's wording.
    AutoSurveyOn => "服务完毕客户端自动弹出满意度调查", "Show the survey to the customer when the session ends";
    /// Support record form title and header button (A13).
    RecSupportRecord => "支持记录", "Support record";
    /// Record form field (customer info).
    RecCustomer => "客户信息", "Customer";
    /// Record form field.
    RecServiceMode => "服务模式", "Service mode";
    /// Record form field.
    RecProduct => "咨询产品", "Product";
    /// Record form field.
    RecProblemType => "问题类型", "Problem type";
    /// Record form field.
    RecSubject => "主题", "Subject";
    /// Record form field.
    RecContent => "内容", "Content";
    /// Record form field.
    RecDisposition => "处理结果", "Disposition";
    /// No disposition chosen.
    RecNoDisposition => "（未选择）", "(none)";
    /// Record form: put it on the pending list.
    RecFillLater => "稍后补填", "Fill later";
    /// Record form: close without saving (when allowed).
    RecSkip => "不填写", "Skip";
    /// Heading of the pending record list.
    RecPending => "待补填的支持记录", "Support records to fill in";
    /// Button of a pending record.
    RecFillIn => "补填", "Fill in";
    /// Record saved.
    RecSaved => "支持记录已保存", "Support record saved";
    /// Shown when the record of a session is saved.
    RecAlreadySaved => "已填写支持记录", "Support record filled in";
    /// Validation: subject.
    RecSubjectMissing => "请填写主题", "The subject is required";
    /// Validation: content.
    RecContentMissing => "请填写内容", "The content is required";
    /// Validation: disposition.
    RecDispositionMissing => "请选择处理结果", "Choose a disposition";
    /// Validation: disposition not in the list.
    RecUnknownDisposition => "处理结果不在支持中心的列表中", "That disposition is not in the center's list";
    /// Validation: a field is too long.
    RecTooLong => "内容过长", "A field is too long";
    /// Header button: show or hide the customer panel.
    CustPanel => "客户资料", "Customer info";
    /// Customer panel tab (A15).
    CardTitle => "访客名片", "Visitor card";
    /// Card field.
    CardMobile => "手机", "Mobile";
    /// Card field.
    CardLandline => "电话", "Landline";
    /// Card field.
    CardEmail => "邮箱", "E-mail";
    /// Card field.
    CardQqWechat => "QQ/微信", "QQ/WeChat";
    /// Card field.
    CardCompany => "公司", "Company";
    /// Card field.
    CardAddress => "地址", "Address";
    /// Card field.
    CardNotes => "备注", "Notes";
    /// Heading of the contacts found in the customer's messages.
    CardFound => "从消息中收集到", "Found in messages";
    /// Card saved.
    CardSaved => "名片已保存", "Card saved";
    /// Card save button.
    CardSave => "保存名片", "Save card";
    /// Customer tags heading (A13).
    TagsCustomer => "客户标签", "Customer tags";
    /// Message context menu heading (A13).
    TagsMessage => "消息标签", "Message tags";
    /// Customer context tab (A18; the 832 manual's order panel).
    CtxTitle => "客户订单", "Orders & context";
    /// Button of a context item.
    CtxSendToChat => "发送", "Send to chat";
    /// No items.
    CtxEmpty => "没有相关信息", "Nothing found for this customer";
    /// Admin settings heading (M5, M7).
    AdmRecords => "支持记录、处理结果与标签", "Support records, dispositions and tags";
    /// Admin: record prompt choice.
    AdmRecordPrompt => "服务完毕弹出支持记录框", "Support record form at session end";
    /// Admin: prompt off.
    AdmPromptOff => "不弹出", "Off";
    /// Admin: prompt at end.
    AdmPromptAtEnd => "弹出", "Open";
    /// Admin: prompt required.
    AdmPromptRequired => "弹出且必须填写", "Open, required";
    /// Admin: late filling allowed.
    AdmLateFill => "允许补填支持记录（小时）", "Allow late filling (hours)";
    /// Admin: disposition required.
    AdmDispositionRequired => "必须选择处理结果", "Disposition required";
    /// Admin: list editor hint.
    AdmOnePerLine => "每行一项", "One per line";
    /// Admin: dispositions list.
    AdmDispositions => "处理结果", "Dispositions";
    /// Admin: message tags list.
    AdmMessageTags => "消息标签", "Message tags";
    /// Admin: customer tags list.
    AdmCustomerTags => "客户标签", "Customer tags";
    /// Admin: context endpoint (A18, R17).
    AdmContextEndpoint => "客户资料接口（HTTP）", "Customer context endpoint (HTTP)";
    /// Admin: endpoint URL.
    AdmContextUrl => "接口地址", "URL";
    /// Admin: bearer token (write-only).
    AdmContextToken => "访问令牌（留空则不变）", "Bearer token (empty: unchanged)";
    /// Admin: timeout.
    AdmContextTimeout => "超时（毫秒）", "Timeout (ms)";
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
    /// Action button (A6 远程演示).
    RemoteDemo => "远程演示", "Show my screen";
    /// Remote demo requested or running.
    StopDemo => "停止演示", "Stop showing";
    /// Action state.
    Demoing => "客户正在观看您的屏幕", "The customer sees your screen";
    /// Action button: clipboard sync (needs remote control).
    ClipboardSync => "同步剪贴板", "Share clipboard";
    /// Clipboard sync requested or running.
    StopClipboard => "停止同步剪贴板", "Stop clipboard";
    /// Action state.
    ClipboardOn => "剪贴板同步中", "Clipboard shared";
    /// Action button (A6): ask the customer to allow files.
    FileTransfer => "文件传输", "File transfer";
    /// Stop button of file transfer.
    StopFileTransfer => "停止文件传输", "Stop file transfer";
    /// State of file transfer while granted.
    FileTransferOn => "可以发送文件", "Files allowed";
    /// Maintenance button (A6/A10) and title of the report window.
    SystemInfo => "系统信息", "System info";
    /// System info requested: withdraw the request.
    StopSystemInfo => "取消检测", "Cancel";
    /// System info granted, report on its way.
    SystemInfoCollecting => "正在检测客户电脑…", "Reading the customer's computer…";
    /// Maintenance button (A6, C8): restart the customer's computer and rejoin the session.
    Reboot => "重启客户电脑并重连", "Reboot and reconnect";
    /// Reboot requested: withdraw the request.
    StopReboot => "取消重启", "Cancel reboot";
    /// Reboot granted, the helper is preparing it.
    RebootPreparing => "客户已同意，正在重启…", "Accepted; restarting…";
    /// The customer's computer is restarting (C8).
    CustomerRebooting => "客户电脑正在重启，最多等待 15 分钟", "The customer's computer is restarting; waiting up to 15 min";
    /// The customer is back after the reboot (C8).
    CustomerReconnected => "客户已重新连接", "The customer reconnected";
    /// The session ended because the customer did not come back within 15 minutes (C8).
    RebootTimedOut => "客户重启后 15 分钟内未重新连接，会话已结束", "The customer did not reconnect within 15 min after the restart; the session has ended";
    /// Report window: show it again.
    SysShowReport => "查看系统信息", "Show system info";
    /// Report window: copy as plain text.
    SysCopy => "复制", "Copy";
    /// Report window: copied.
    SysCopied => "已复制到剪贴板", "Copied to the clipboard";
    /// Report section.
    SysOs => "操作系统", "Operating system";
    /// Report section.
    SysCpu => "处理器 (CPU)", "CPU";
    /// Report section.
    SysMemory => "内存", "Memory";
    /// Report section.
    SysDisks => "磁盘", "Disks";
    /// Report section.
    SysNetwork => "网卡", "Network adapters";
    /// Report section.
    SysProcesses => "进程", "Running programs";
    /// Report field.
    SysHostname => "计算机名", "Computer name";
    /// Report field.
    SysKernel => "内核版本", "Kernel";
    /// Report field.
    SysArch => "体系结构", "Architecture";
    /// Report field.
    SysUptime => "已运行", "Up for";
    /// Report field.
    SysCollectedAt => "检测时间", "Collected at";
    /// Report field.
    SysCores => "核心数", "Cores";
    /// Report field.
    SysFrequency => "频率", "Frequency";
    /// Report field.
    SysUsage => "使用率", "Usage";
    /// Report field.
    SysTotal => "总量", "Total";
    /// Report field.
    SysUsed => "已用", "Used";
    /// Report field.
    SysSwap => "虚拟内存", "Swap";
    /// Disk column.
    SysMount => "挂载点", "Mounted at";
    /// Disk column.
    SysFileSystem => "文件系统", "File system";
    /// Disk column.
    SysFree => "可用", "Free";
    /// Disk column.
    SysRemovable => "可移动", "Removable";
    /// Column: name.
    SysName => "名称", "Name";
    /// Network column.
    SysMac => "MAC 地址", "MAC address";
    /// Network column.
    SysAddresses => "IP 地址", "IP addresses";
    /// Network column.
    SysReceived => "已接收", "Received";
    /// Network column.
    SysSent => "已发送", "Sent";
    /// Process column.
    SysPid => "进程号", "PID";
    /// Yes.
    SysYes => "是", "yes";
    /// No.
    SysNo => "否", "no";
    /// Unknown value.
    SysUnknown => "未知", "unknown";
    /// Heading of the files strip of a session (A6).
    FilesHeading => "文件", "Files";
    /// Button: send the files listed in the path box.
    SendFiles => "发送文件", "Send files";
    /// Hint of the path box.
    FilePathsHint => "文件路径，每行一个；也可以把文件拖到窗口上", "File paths, one per line; or drop files on the window";
    /// Shown when files are dropped before the customer allowed file transfer.
    FilesNeedConsent => "请先点击“文件传输”并等待客户同意", "Click File transfer first and wait for the customer to agree";
    /// Button: cancel a file transfer.
    CancelFileTransfer => "取消", "Cancel";
    /// Button: accept an incoming file the console did not accept by itself.
    AcceptFile => "接收", "Accept";
    /// Button: decline an incoming file.
    DeclineFile => "拒绝", "Decline";
    /// State of an incoming file over the center's auto-accept limits.
    FileAsk => "客户发来文件，是否接收？", "The customer sends a file: accept it?";
    /// Button: send an interrupted file again.
    ResumeFileTransfer => "继续", "Resume";
    /// Button: remove finished rows.
    ClearFinished => "清除已完成", "Clear finished";
    /// Direction of a row.
    FileSending => "发送", "Sending";
    /// Direction of a row.
    FileReceiving => "接收", "Receiving";
    /// Row state: no byte moved yet.
    FileWaiting => "等待对方接收…", "Waiting for the other side…";
    /// Row state: the stream broke.
    FileInterrupted => "连接中断，重新连接后继续", "Interrupted; continues after reconnecting";
    /// Row state: delivered and verified.
    FileDelivered => "已送达（已校验）", "Delivered (verified)";
    /// Row state: received and verified.
    FileSaved => "已保存（已校验）", "Saved (verified)";
    /// Row state.
    FileDeclined => "对方拒绝了此文件", "The other side declined it";
    /// Row state.
    FileNoSpace => "对方磁盘空间不足", "The other side's disk is full";
    /// Row state.
    FileBadName => "文件名无法使用", "The file name is unusable";
    /// Row state: SHA-256 mismatch.
    FileDamaged => "文件传输中损坏（SHA-256 不符），已删除", "Damaged in transit (SHA-256 mismatch); deleted";
    /// Row state.
    FileCancelled => "已取消", "Cancelled";
    /// Row state.
    FileCancelledByPeer => "对方已取消", "Cancelled by the other side";
    /// Row state.
    FileSessionEnded => "会话已结束", "The session ended";
    /// Row state prefix of other failures.
    FileFailed => "失败", "Failed";
    /// Heading of the center's common files (A8).
    CommonFiles => "常用文件", "Common files";
    /// Button: load the center's common files.
    ShowCommonFiles => "显示常用文件", "Show common files";
    /// The center has none.
    NoCommonFiles => "支持中心还没有常用文件", "The center has no common files yet";
    /// Button: send a common file to the customer.
    SendToCustomer => "发送给客户", "Send to customer";
    /// A common file is being offered.
    CommonFileOffering => "正在发送给客户…", "Offering it to the customer…";
    /// Admin settings: the file transfer size limit (A6).
    FileLimitMb => "文件传输上限（MB）", "File transfer limit (MB)";
    /// Settings row: keep transcripts a number of days (issue 14).
    RetentionLabel => "记录保留", "Keep transcripts";
    /// Checkbox of the retention row.
    RetentionOn => "到期自动删除聊天记录、图片和已处理留言", "Delete chat, pictures and handled messages after";
    /// Unit after the retention days.
    RetentionDaysUnit => "天（会话结束后）", "days (after the session ended)";
    /// Settings row: files from customers accepted without asking.
    AutoAcceptLabel => "自动接收客户文件", "Accept customer files without asking";
    /// Unit of the auto-accept size.
    AutoAcceptSizeUnit => "MB 以内", "MB at most";
    /// Unit of the auto-accept count.
    AutoAcceptCountUnit => "个/会话（其余需坐席确认）", "per session (others are asked)";
    /// Settings row: the storage quota (read-only, set by the operator).
    StorageQuota => "存储配额", "Storage quota";
    /// Account info row: storage used of the quota.
    StorageUsed => "已用存储", "Storage used";
    /// Screen toolbar: image quality (A12).
    ImageQuality => "图像质量", "Image quality";
    /// Quality choice.
    QualityBest => "最佳", "Best";
    /// Quality choice.
    QualityBalanced => "均衡", "Balanced";
    /// Quality choice.
    QualityLow => "流畅", "Low bandwidth";
    /// Quality choice.
    QualityCustom => "自定义", "Custom";
    /// Screen toolbar: scale (A12).
    Scale => "缩放", "Scale";
    /// Screen toolbar: monitor picker.
    Monitor => "显示器", "Monitor";
    /// Screen toolbar: bandwidth cap.
    BandwidthCap => "带宽上限", "Bandwidth cap";
    /// Bandwidth cap off.
    NoCap => "不限", "No cap";
    /// Screen toolbar: take a screenshot (A9).
    Screenshot => "截图", "Screenshot";
    /// Screenshot saved.
    ScreenshotSaved => "截图已保存：", "Screenshot saved: ";
    /// Screenshot failed.
    ScreenshotFailed => "截图保存失败：", "Could not save the screenshot: ";
    /// Screenshot tool (A9): button in the chat area.
    SnipButton => "截图发送", "Snip & send";
    /// Screenshot tool: tooltip of the button.
    SnipButtonHint => "截取屏幕区域（Ctrl+Alt+A）", "Capture a region of your screen (Ctrl+Alt+A)";
    /// Screenshot tool: title of the full-screen window.
    SnipTitle => "截图", "Screenshot";
    /// Screenshot tool: shown before a region is selected.
    SnipDragHint => "按住鼠标左键拖动选择区域，在选区内双击完成截图；按 Esc 键或单击右键退出截图",
        "Drag to select a region, double-click inside it to take it; Esc or right-click cancels";
    /// Screenshot tool: shown while the frame is grabbed.
    SnipGrabbing => "正在截取屏幕…", "Capturing the screen…";
    /// Screenshot tool: prefix of an error.
    SnipFailed => "截图失败：", "Screenshot failed: ";
    /// Screenshot tool: edit toolbar.
    SnipRectangle => "矩形", "Rectangle";
    /// Screenshot tool: edit toolbar.
    SnipArrow => "箭头", "Arrow";
    /// Screenshot tool: edit toolbar.
    SnipText => "文字", "Text";
    /// Screenshot tool: edit toolbar.
    SnipUndo => "撤销", "Undo";
    /// Screenshot tool: edit toolbar.
    SnipCancel => "退出截图", "Cancel";
    /// Screenshot tool: edit toolbar.
    SnipDone => "完成", "Done";
    /// Screenshot tool: colour swatch.
    ColorRed => "红色", "Red";
    /// Screenshot tool: colour swatch.
    ColorYellow => "黄色", "Yellow";
    /// Screenshot tool: colour swatch.
    ColorGreen => "绿色", "Green";
    /// Screenshot tool: colour swatch.
    ColorBlue => "蓝色", "Blue";
    /// Screenshot tool: colour swatch.
    ColorBlack => "黑色", "Black";
    /// Screenshot tool: colour swatch.
    ColorWhite => "白色", "White";
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
    /// Chat toolbar: emoji picker button tooltip (A7).
    Emoji => "表情", "Emoji";
    /// Chat toolbar: send a picture (A7).
    Picture => "图片", "Picture";
    /// Picture menu: what the path box is for.
    PicturePath => "图片文件 (PNG/JPEG) 路径：", "Picture file (PNG/JPEG):";
    /// Picture menu: send the picked file.
    SendPicture => "发送图片", "Send picture";
    /// Picture menu: the other ways to send one.
    PictureHint => "也可以粘贴 (Ctrl+V) 或拖入图片", "You can also paste (Ctrl+V) or drop a picture";
    /// Placeholder while a chat picture loads.
    PictureLoading => "图片加载中…", "Loading picture…";
    /// A chat picture that cannot be shown.
    PictureFailed => "图片无法显示", "Picture unavailable";
    /// Tooltip of a chat picture.
    ClickToEnlarge => "点击查看大图", "Click to enlarge";
    /// A picture message in a notification or transcript.
    PictureMessage => "[图片]", "[picture]";
    /// Chat toolbar: smaller chat text (A7).
    SmallerText => "缩小字体", "Smaller text";
    /// Chat toolbar: larger chat text (A7).
    LargerText => "放大字体", "Larger text";
    /// Chat toolbar: save the transcript to a file (A7).
    SaveTranscript => "保存聊天记录", "Save transcript";
    /// Save transcript menu: as a text file.
    AsText => "文本文件 (.txt)", "Text file (.txt)";
    /// Save transcript menu: as a PDF.
    AsPdf => "PDF 文件 (.pdf)", "PDF file (.pdf)";
    /// Tab button: hide this customer's tab (A5).
    HideTab => "隐藏", "Hide";
    /// Close-tab confirmation: end the open session and close its tab (A5).
    EndAndClose => "结束会话并关闭", "End session and close";
    /// Screen view.
    ScreenWaiting => "等待客户的屏幕画面…", "Waiting for the customer's screen…";
    /// Screen view.
    ScreenEnded => "屏幕共享已结束", "Screen sharing has ended";
    /// Screen view while controlling.
    ControlHint => "点击画面后，鼠标和键盘操作会发送到客户电脑", "Click the screen to send mouse and keyboard to the customer";
    /// Label of the screen view.
    CustomerScreen => "客户屏幕", "Customer screen";
    /// Label of the live thumbnail in the session tab while the screen is in its own window.
    ScreenThumbnail => "客户屏幕缩略图", "Customer screen thumbnail";
    /// Under the thumbnail (issue 15).
    ShownInWindow => "客户屏幕显示在单独的窗口中，点击缩略图切换到该窗口", "The customer's screen is in its own window: click the thumbnail to bring it forward";
    /// Remote window toolbar: scale the screen to the window (issue 15).
    FitToWindow => "适应窗口", "Fit to window";
    /// Remote window toolbar: one customer pixel per screen pixel, with scroll bars.
    ActualSize => "原始大小 1:1", "Actual size 1:1";
    /// Remote window toolbar (F11).
    FullScreen => "全屏 (F11)", "Full screen (F11)";
    /// Remote window toolbar in full screen (F11).
    ExitFullScreen => "退出全屏 (F11)", "Exit full screen (F11)";
    /// Remote window toolbar: menu of key combinations sent to the customer.
    SendKeys => "发送组合键", "Send keys";
    /// Send keys menu: the Windows (Super) key.
    WinKey => "Win 键", "Win key";
    /// Remote window toolbar: show or hide the chat panel.
    ChatPanel => "聊天", "Chat";
    /// Remote window toolbar: stop viewing / controlling (closes the window).
    StopRemote => "停止", "Stop";
    /// Notification title.
    CustomerQueued => "新客户排队", "A customer is waiting";
    /// Tray menu.
    TrayShow => "显示窗口", "Show";
    /// Tray menu.
    TrayQuit => "退出", "Quit";
    /// Tray tooltip while logged out.
    TrayOffline => "未登录", "Not logged in";
    /// Presence (R4).
    PresenceOnline => "在线", "Online";
    /// Presence.
    PresenceBusy => "示忙", "Busy";
    /// Presence.
    PresenceAway => "离开", "Away";
    /// Presence.
    PresenceOffline => "离线", "Offline";
    /// Presence.
    PresenceExited => "退出", "Exited";
    /// Label of the presence selector.
    Status => "状态", "Status";
    /// Personal settings button and title (A17).
    Settings => "个人设置", "Settings";
    /// Settings: auto-away toggle.
    AutoAway => "无操作时自动离开", "Auto-away when idle";
    /// Settings: unit after the auto-away minutes.
    AfterMinutes => "分钟后", "minutes";
    /// Settings: alert sounds toggle (A17).
    SoundsOn => "提示音", "Alert sounds";
    /// Settings: language picker label (A17).
    LanguageLabel => "界面语言", "Language";
    /// Settings: chat text size (A7, A17).
    ChatFontSize => "聊天字体大小", "Chat text size";
    /// Settings: heading of the relay address and fingerprint (A17).
    ConnectionSettings => "服务器连接", "Connection";
    /// Settings: keeps the connection fields for the next login.
    SaveForNextLogin => "保存（下次登录生效）", "Save (used at next login)";
    /// Settings: the connection fields were kept.
    UsedAtNextLogin => "下次登录时使用", "Used at the next login";
    /// Settings: the relay address is not host:port.
    BadRelayAddress => "服务器地址应为 主机:端口", "The relay address must be host:port";
    /// Settings: the fingerprint is not 64 hex digits.
    BadFingerprint => "证书指纹应为 64 位十六进制数字", "The fingerprint must be 64 hex digits";
    /// Save button.
    Save => "保存", "Save";
    /// Saved confirmation.
    Saved => "已保存", "Saved";
    /// Close button.
    Close => "关闭", "Close";
    /// Cancel button.
    Cancel => "取消", "Cancel";
    /// Settings: password section and button.
    ChangePassword => "修改密码", "Change password";
    /// Settings field.
    OldPassword => "当前密码", "Current password";
    /// Settings field.
    NewPassword => "新密码", "New password";
    /// Settings field.
    RepeatPassword => "重复新密码", "Repeat new password";
    /// Settings validation.
    PasswordsDiffer => "两次输入的新密码不一致", "The new passwords differ";
    /// Settings confirmation.
    PasswordChanged => "密码已修改", "Password changed";
    /// Offer popup title (A3).
    OfferTitle => "新的服务请求", "New service request";
    /// Reject button.
    Reject => "拒绝", "Reject";
    /// Field label.
    Group => "分组", "Group";
    /// Field label.
    ProductType => "产品类型", "Product type";
    /// Offer withdrawn.
    OfferTimedOut => "服务请求已超时，已转给其他客服", "The request timed out and went to another agent";
    /// Offer withdrawn.
    OfferCustomerLeft => "客户已离开", "The customer left";
    /// Offer withdrawn.
    OfferTakenElsewhere => "其他客服已接入该客户", "Another agent took this customer";
    /// Session-code button (A16).
    GetSessionCode => "获取直通号", "Get session code";
    /// Session-code dialog title.
    SessionCode => "直通号", "Session code";
    /// Session-code dialog hint.
    SessionCodeHint => "请把直通号告诉客户，客户在助手中输入后即可直接接入", "Give this code to the customer; typed into the helper, it reaches you directly";
    /// Copy button.
    Copy => "复制", "Copy";
    /// Copy confirmation.
    Copied => "已复制", "Copied";
    /// Session code expired.
    CodeExpired => "直通号已过期", "The code has expired";
    /// Ask for another code.
    NewCode => "重新获取", "New code";
    /// Loading text.
    Loading => "加载中…", "Loading…";
    /// Task list: offline messages heading (A4).
    OfflineMessages => "留言", "Offline messages";
    /// No offline messages.
    NoOfflineMessages => "暂无留言", "No offline messages";
    /// Toggle.
    ShowHandled => "显示已处理", "Show handled";
    /// Field label.
    Contact => "联系方式", "Contact";
    /// Field label.
    LeftAt => "留言时间", "Left at";
    /// Field label.
    HandlingNote => "处理说明", "Handling note";
    /// Button.
    MarkHandled => "标记已处理", "Mark handled";
    /// Offline message state.
    Handled => "已处理", "Handled";
    /// Transfer button (A14).
    Transfer => "转接", "Transfer";
    /// A transfer waits for its receiver.
    Transferring => "转接中…", "Transferring…";
    /// Transfer dialog's send button.
    TransferNow => "确定转接", "Transfer now";
    /// Transfer dialog title.
    TransferSession => "转接会话", "Transfer session";
    /// Transfer dialog section.
    ToAgent => "转给同事", "To a colleague";
    /// Transfer dialog section.
    ToGroup => "转给分组", "To a group";
    /// Field label.
    Note => "备注", "Note";
    /// Nobody to transfer to.
    NoColleagueOnline => "没有可接收的同事", "No colleague can take it";
    /// Incoming transfer prompt title.
    TransferRequest => "转接请求", "Transfer request";
    /// Transfer prompt: history toggle.
    ShowHistory => "查看聊天记录", "Show the history";
    /// Colleagues panel heading (R9).
    Colleagues => "同事", "Colleagues";
    /// Admin menu (R3, R5).
    Admin => "管理", "Admin";
    /// Admin window.
    LiveLogins => "在线登录", "Live logins";
    /// Button.
    Kick => "踢下线", "Kick";
    /// Confirm button.
    Confirm => "确认", "Confirm";
    /// Column.
    Account => "账号", "Account";
    /// Column.
    Address => "地址", "Address";
    /// Column.
    Since => "登录时间", "Since";
    /// Button.
    Refresh => "刷新", "Refresh";
    /// Admin window (R18).
    AuditLog => "操作日志", "Audit log";
    /// Admin window page (M3, seed 000 组成员管理).
    Accounts => "成员管理", "Accounts";
    /// Admin window page (M3).
    Groups => "分组管理", "Groups";
    /// Admin window page (M3).
    ProductTypes => "产品类型", "Product types";
    /// Working-hours field (R12): IANA time zone.
    TimeZone => "时区（如 Asia/Shanghai，留空＝固定偏移）", "Time zone (e.g. Asia/Shanghai; empty = fixed offset)";
    /// Working-hours section (R12, seed 002 调休).
    ExtraWorkingDays => "额外工作日（调休）", "Extra working days";
    /// Hours on an extra working day.
    ExtraDayHours => "工作时间", "Hours";
    /// Admin window (M1, seed 000 客户端设置).
    BrandingTitle => "客户端设置", "Helper branding";
    /// Branding field.
    ProductName => "产品名称", "Product name";
    /// Branding field.
    Colors => "颜色", "Colours";
    /// Branding colour.
    PrimaryColor => "主色（标题栏、按钮）", "Primary (header, buttons)";
    /// Branding colour.
    AccentColor => "强调色（链接）", "Accent (links)";
    /// Branding field.
    Icon => "图标", "Icon";
    /// Branding field.
    NoticeTextLabel => "公告文字", "Notice text";
    /// Branding field.
    NoticeLinkLabel => "公告链接（https://）", "Notice link (https://)";
    /// Branding field.
    NoticeImage => "公告图片", "Notice image";
    /// No picture set.
    NoPicture => "（无）", "(none)";
    /// Path of a PNG file to load.
    PngFile => "PNG 文件", "PNG file";
    /// Button: read the file.
    Load => "载入", "Load";
    /// Heading of the live preview.
    Preview => "客户端预览", "Preview in the helper";
    /// Product name shown when none is set.
    DefaultProductName => "Porpoise 远程协助", "Porpoise remote support";
    /// Heading (M11).
    DownloadLinks => "下载链接与网页嵌入代码", "Download links and embed snippet";
    /// Without a public download address.
    NoDownloads => "未开启客户端下载：启动服务器时加上 --helper-dir 和 --public-address", "Downloads are off: start the relay with --helper-dir and --public-address";
    /// Link row.
    DownloadPage => "下载页", "Download page";
    /// Link row.
    HelperLinux => "Linux 客户端", "Linux helper";
    /// Link row.
    HelperWindows => "Windows 客户端", "Windows helper";
    /// Link row.
    EmbedSnippet => "网页嵌入代码", "Embed snippet";
    /// Text of the embedded link.
    GetHelp => "在线客服", "Get help";
    /// Admin window (M7, seed 000 常用文件).
    CommonFilesAdmin => "常用文件", "Common files";
    /// Button: upload the file at the typed path.
    Upload => "上传", "Upload";
    /// Status after an upload.
    Uploaded => "已上传", "Uploaded";
    /// Field: the file to upload.
    FileToUpload => "要上传的文件路径", "File to upload (path)";
    /// Help line.
    CommonFilesHelp => "客服可在会话中把常用文件发给客户（需客户同意文件传输）。", "Agents send these to customers in a session (once the customer allows file transfer).";
    /// Settings section (M6 常见问题).
    FaqTitle => "常见问题", "Common questions";
    /// Help of the section.
    FaqHelp => "显示在客户端；非工作时间随休息提示一起推送给客户。", "Shown in the helper; pushed with the closed reply off hours.";
    /// Field label.
    FaqQuestion => "问题", "Question";
    /// Field label.
    FaqAnswer => "答案", "Answer";
    /// Button.
    AddFaq => "添加常见问题", "Add a question";
    /// Account field (M13): the photo on the showcase card.
    PhotoLabel => "头像", "Photo";
    /// Admin window (M7, seed 002 知识库).
    KnowledgeAdmin => "知识库管理", "Knowledge base";
    /// Button (M7).
    NewTopNode => "新建顶级条目", "New top-level entry";
    /// Button (M7).
    NewChildNode => "新建子条目", "New child entry";
    /// Field (M7).
    KnowledgeTitleLabel => "标题", "Title";
    /// Field (M7).
    KeywordsLabel => "关键词（逗号分隔）", "Keywords (comma-separated)";
    /// Field (M7).
    ReplyTextLabel => "回复内容（留空为目录）", "Reply text (empty for a folder)";
    /// Switch (M7 启用).
    EnabledLabel => "启用", "Enabled";
    /// Field (M7 有效期).
    ValidFrom => "生效日期（YYYY-MM-DD）", "Valid from (YYYY-MM-DD)";
    /// Field (M7).
    ValidUntil => "失效日期（YYYY-MM-DD）", "Valid until (YYYY-MM-DD)";
    /// Validation of a typed date.
    BadDate => "日期格式应为 YYYY-MM-DD", "Type dates as YYYY-MM-DD";
    /// Move target (M7).
    MoveTo => "移动到", "Move to";
    /// Move target: the top level.
    TopLevel => "（顶级）", "(top level)";
    /// Tree marker of a disabled node.
    DisabledMark => "已停用", "off";
    /// Empty tree.
    NoKnowledge => "知识库为空", "The knowledge base is empty";
    /// Delete confirmation (M7).
    DeleteSubtreeWarning => "将同时删除其下所有子条目。", "Its child entries are deleted too.";
    /// Button (M7 图片): set the typed file as the entry's picture.
    SetPicture => "设为图片", "Set picture";
    /// Button (M7): remove the entry's picture.
    RemovePicture => "删除图片", "Remove picture";
    /// Help under the picture of a knowledge-base entry (M7 类型 图片).
    KnowledgePictureHelp => "客服在知识库中点【发送图片】即把图片发给客户；较大的图片会自动缩小。", "Agents send it to the customer with Send picture in the knowledge base; large pictures are scaled down to fit.";
    /// Tooltip of a knowledge-base picture's Send picture (A8).
    SendsAtOnce => "立即发送给客户", "Sends it to the customer at once";
    /// A new entry gets its picture after the first save (M7).
    PictureAfterSave => "保存后可添加图片", "Save the entry first to add a picture";
    /// Group field (R7 region routing).
    RegionsLabel => "优先服务地区", "Regions served first";
    /// Groups list column (R7).
    RegionsColumn => "地区", "Regions";
    /// Help under the regions field (R7).
    RegionsHelp => "填两位国家/地区代码（如 CN, HK），用逗号分隔；来自这些地区且未选分组的访客优先分配给本组。", "Two-letter country codes (e.g. CN, HK), comma-separated; customers from there who pick no group go to this group first.";
    /// Admin window (R17): app ID, signing key, webhook.
    Integrations => "系统集成", "Integrations";
    /// Field (R17).
    AppId => "应用ID", "App ID";
    /// Field (R17).
    SigningKey => "签名密钥", "Signing key";
    /// No key yet.
    NoSigningKey => "尚未生成", "None yet";
    /// Key facts: when it was made.
    KeyCreatedAt => "生成于", "Created";
    /// Button: the first key.
    CreateKey => "生成密钥", "Create key";
    /// Button: a new key.
    RotateKey => "重新生成密钥", "Rotate key";
    /// Confirmation of a rotation.
    RotateWarning => "旧密钥将立即失效，接收方需换用新密钥。", "The old key stops working at once; the receiver must switch to the new one.";
    /// Shown with a new key.
    KeyShownOnce => "请立即复制保存：关闭本窗口后不再显示。", "Copy it now: it is not shown again after this window closes.";
    /// Status after a key was made.
    KeyCreated => "已生成新密钥", "New key created";
    /// Field (R17).
    WebhookUrlLabel => "回调地址", "Webhook URL";
    /// Field (R17).
    WebhookEvents => "推送事件", "Events";
    /// Switch (R17).
    WebhookEnabled => "启用回调", "Webhook on";
    /// Event (R17).
    EventSessionStarted => "会话开始", "Session started";
    /// Event (R17).
    EventSessionEnded => "会话结束", "Session ended";
    /// Event (R17).
    EventSessionTransferred => "会话转接", "Session transferred";
    /// Event (R17).
    EventOfflineMessage => "访客留言", "Offline message left";
    /// Event (R17).
    EventSurveyAnswered => "满意度评价", "Survey answered";
    /// Event (R17).
    EventTest => "测试", "Test";
    /// Button (R17).
    SendTestEvent => "发送测试事件", "Send test event";
    /// Status after the test button.
    TestEventQueued => "测试事件已加入推送队列", "Test event queued";
    /// Status after Retry.
    DeliveryQueued => "已重新加入推送队列", "Queued again";
    /// Heading (R17).
    DeliveryLog => "推送记录", "Delivery log";
    /// Column.
    DeliveryEvent => "事件", "Event";
    /// Column.
    DeliveryStatusColumn => "状态", "Status";
    /// Column.
    Attempts => "尝试次数", "Attempts";
    /// Column: HTTP status or the failure.
    LastResult => "最近结果", "Last result";
    /// Delivery status.
    DeliveryPending => "等待推送", "Pending";
    /// Delivery status.
    DeliveryDelivered => "已送达", "Delivered";
    /// Delivery status.
    DeliveryFailed => "失败", "Failed";
    /// Button: queue a failed delivery again.
    Retry => "重试", "Retry";
    /// Empty log.
    NoDeliveries => "暂无推送", "Nothing sent yet";
    /// How receivers check signatures.
    SignatureHelp => "每次推送以 POST 发送 JSON，请求头 Porpoise-Signature: t=<毫秒时间>,v1=<HMAC-SHA256(密钥, \"t.请求体\") 的十六进制>；同一事件重试时 Porpoise-Delivery 不变。", "Each delivery is a JSON POST with Porpoise-Signature: t=<unix ms>,v1=<hex HMAC-SHA256(key, \"t.body\")>; a retried event keeps its Porpoise-Delivery id.";
    /// Admin window (R16, seed 002 黑名单).
    Blocklist => "黑名单", "Blocklist";
    /// Session tab button (R16).
    BlockCustomer => "加入黑名单", "Block customer";
    /// Field: install ID or address to block.
    BlockTargetLabel => "安装ID（32位）或 IP 地址", "Install ID (32 hex digits) or IP address";
    /// Validation of the block target.
    BadBlockTarget => "请输入 32 位安装ID 或 IP 地址", "Type a 32-digit install ID or an IP address";
    /// Field.
    BlockReason => "原因", "Reason";
    /// Field: how long a block lasts.
    BlockDuration => "期限", "Duration";
    /// Duration choice.
    Forever => "永久", "Until lifted";
    /// Block by address instead of installation.
    BlockByAddress => "按 IP 地址拉黑（IPv6 按 /64 网段）", "Block the address (IPv6: its /64)";
    /// Button.
    Block => "拉黑", "Block";
    /// Button.
    Unblock => "解除", "Unblock";
    /// Column: what a block matches.
    BlockTargetColumn => "对象", "Blocked";
    /// Column.
    BlockedBy => "操作人", "By";
    /// Column.
    Until => "截止", "Until";
    /// Done after blocking from a session.
    CustomerBlocked => "已加入黑名单，客户已断开", "Blocked; the customer was disconnected";
    /// Admin window page (M4, seed 002 角色权限).
    Roles => "角色权限", "Roles";
    /// Button: a new custom role.
    NewRole => "添加角色", "New role";
    /// Field of the role editor.
    RoleNameLabel => "角色名称", "Role name";
    /// Field: the built-in role a custom role stands on.
    BaseRole => "基础角色", "Based on";
    /// Column / field: what a role may do.
    PermissionsLabel => "权限", "Permissions";
    /// Account editor: no custom role.
    NoCustomRole => "（默认权限）", "(role's defaults)";
    /// Account editor: the custom role.
    CustomRoleLabel => "自定义角色", "Custom role";
    /// Admin window page (M2).
    AccountInfo => "账户信息", "Account info";
    /// Column and field: an account's groups.
    GroupsField => "分组", "Groups";
    /// Button: a new account.
    NewAccount => "添加成员", "New account";
    /// Button: a new group.
    NewGroup => "添加分组", "New group";
    /// Button: a new product type.
    NewProductType => "添加产品类型", "New product type";
    /// Field.
    DisplayName => "昵称", "Display name";
    /// Field.
    JobTitle => "职位", "Job title";
    /// Field.
    RoleLabel => "角色", "Role";
    /// Field (R7).
    MaxSessionsLabel => "最大接待数", "Most sessions";
    /// Field (M13).
    AutoAssignLabel => "参与自动分配", "Gets auto-assigned customers";
    /// Field: product types an agent handles; none ticked = all.
    HandlesProducts => "负责的产品类型（不选＝全部）", "Product types handled (none = all)";
    /// Field: initial password of a new account.
    InitialPassword => "初始密码（留空自动生成）", "Initial password (empty = generate)";
    /// Shown once after a new account got a generated password.
    InitialPasswordOnce => "初始密码（只显示这一次，请转告本人）：", "Initial password (shown only this once; pass it on):";
    /// Button: disable an account (M3).
    Disable => "停用", "Disable";
    /// Button: reactivate a disabled account (M3).
    Reactivate => "激活", "Reactivate";
    /// Button: delete an account for good (M3).
    DeleteAccount => "彻底删除", "Delete";
    /// Warning before deleting an account.
    DeleteWarning => "删除后无法恢复；历史记录保留，显示为“已删除的客服”。", "This cannot be undone; the history stays, shown as a deleted agent.";
    /// Account status.
    StatusActive => "正常", "Active";
    /// Account status.
    StatusDisabled => "已停用", "Disabled";
    /// Account status.
    StatusDeleted => "已删除", "Deleted";
    /// Toggle.
    ShowInactive => "显示已停用成员", "Show disabled accounts";
    /// Column: the name customers see.
    ClientNameColumn => "客户端显示", "Customers see";
    /// Field of the group editor.
    GroupNameLabel => "分组名称", "Group name";
    /// Field of the product-type editor.
    ProductTypeNameLabel => "产品类型名称", "Product type name";
    /// Field: name customers see.
    ClientName => "客户端显示名称", "Name customers see";
    /// Field.
    HiddenFromCustomers => "对客户隐藏", "Hidden from customers";
    /// Column.
    Members => "成员", "Members";
    /// Value: shown to customers.
    Shown => "显示", "Shown";
    /// Value: hidden from customers.
    Hidden => "隐藏", "Hidden";
    /// Button.
    MoveUp => "上移", "Up";
    /// Button.
    MoveDown => "下移", "Down";
    /// Account info (seed 000 账户信息).
    CenterIdLabel => "800ID 号", "Center ID";
    /// Account info.
    CenterName => "名称", "Name";
    /// Account info.
    RegisteredAt => "注册时间", "Registered";
    /// Account info.
    SeatsBought => "购买席位数", "Seats bought";
    /// Account info.
    SeatsUsed => "在用席位", "Seats in use";
    /// Account info.
    OnlineNow => "当前在线", "Logged in now";
    /// Account info.
    ActiveAccounts => "有效账号", "Active accounts";
    /// Account info.
    ExpiresAt => "到期时间", "Expires";
    /// Account info: no end date.
    NoExpiry => "长期有效", "No end date";
    /// Account info: status while valid.
    LicenceValid => "正常", "Valid";
    /// Account info: status after the end date.
    LicenceExpired => "已到期", "Expired";
    /// Text box over a list: only matching rows are shown.
    Filter => "筛选", "Filter";
    /// Audit-log columns.
    When => "时间", "When";
    /// Audit-log column.
    Who => "操作人", "Who";
    /// Audit-log column.
    WhatDone => "操作", "Action";
    /// Audit-log column.
    Target => "对象", "Target";
    /// Audit-log column.
    Details => "详情", "Details";
    /// Admin window.
    ResetPassword => "重置密码", "Reset password";
    /// Admin window.
    ServiceSettings => "服务设置", "Service settings";
    /// Settings field.
    ServiceMode => "服务模式", "Service mode";
    /// Service mode.
    ModeShowcase => "展示模式", "Showcase";
    /// Service mode.
    ModeSessionCode => "直通号模式", "Session code mode";
    /// Service mode.
    ModeAutoAssign => "自动分配模式", "Auto-assign";
    /// Settings field.
    OfferTimeout => "接入倒计时（秒）", "Offer countdown (s)";
    /// Settings field.
    CodeValidity => "直通号有效期（秒）", "Session code validity (s)";
    /// Settings field.
    QueueViewLabel => "客服看到的队列", "Queue shown to agents";
    /// Queue view.
    PickAny => "全部客户，可任选接入", "Every customer; pick any";
    /// Queue view.
    CountOnly => "只显示排队人数", "Only the count";
    /// Settings field.
    Greeting => "欢迎语", "Greeting";
    /// Settings field.
    AutoReply => "客服未回复时自动回复", "Automatic reply when the agent is silent";
    /// Settings field.
    ReceptionTimeout => "接待超时（客户无消息）", "Reception timeout (no customer message)";
    /// Settings field unit.
    AfterSeconds => "秒后", "after (s)";
    /// Settings field.
    OffHoursReply => "非工作时间自动回复", "Off-hours reply";
    /// Settings field.
    WorkingHours => "工作时间", "Working hours";
    /// Settings field.
    Holidays => "节假日", "Holidays";
    /// Button.
    Add => "添加", "Add";
    /// Button.
    Remove => "删除", "Remove";
    /// Seats (read-only).
    Seats => "坐席数", "Seats";
    /// Generic request error prefix.
    ErrRequest => "操作失败", "Request failed";
    /// Request error.
    ErrForbidden => "无权执行此操作", "Not allowed for this account";
    /// Request error.
    ErrOldPassword => "当前密码错误", "The current password is wrong";
    /// Session header toggle of the quick-reply side panel (A8, A11).
    QuickReplies => "常用语/知识库", "Quick replies";
    /// Side panel tab (A8).
    CannedResponses => "常用语", "Canned responses";
    /// Side panel tab (A8).
    KnowledgeBase => "知识库", "Knowledge base";
    /// Side panel tab (A11).
    ServiceHistory => "服务记录", "Service history";
    /// Label of the keyword search box (A8).
    SearchKeyword => "搜索关键词", "Search keyword";
    /// Heading of the center-wide canned responses.
    CannedCenterWide => "全局常用语", "Center-wide";
    /// Heading of the agent's own canned responses.
    CannedPersonal => "个人常用语", "Personal";
    /// Category of canned responses without one.
    Uncategorised => "未分类", "Uncategorised";
    /// Button: add a personal canned response.
    NewCannedResponse => "新建常用语", "New canned response";
    /// Canned-response editor field.
    CannedCategory => "分类", "Category";
    /// Canned-response editor field.
    CannedTitle => "标题", "Title";
    /// Canned-response editor field.
    CannedText => "内容", "Text";
    /// Button: change a personal canned response.
    Edit => "编辑", "Edit";
    /// Tooltip of a canned response or knowledge-base reply.
    ClickToInsert => "点击放入输入框，编辑后再发送", "Click to put it into the message box";
    /// Empty list.
    NoData => "暂无数据", "Nothing here yet";
    /// Search without a match.
    NothingMatches => "没有匹配的结果", "Nothing matches";
    /// The relay cut a long list.
    ListTruncated => "列表过长，部分条目未显示", "The list is long; some entries are not shown";
    /// Service history without earlier sessions.
    NoHistory => "该客户没有以往的服务记录", "No earlier sessions of this customer";
    /// Older sessions left out of the service history.
    HistoryTruncated => "仅显示最近的服务记录", "Only the most recent sessions are shown";
    /// Button: next transcript page.
    LoadMore => "加载更多", "Load more";
    /// History field.
    Disposition => "处理结果", "Disposition";
    /// Canned-response editor error.
    TitleAndTextRequired => "请填写标题和内容", "Enter a title and a text";
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

/// The banner over the work area while the connection is lost (R13).
pub fn reconnecting(lang: Language, attempt: u32) -> String {
    match lang {
        Language::ZhCn => format!("连接已断开，正在重连…(第 {attempt} 次)"),
        Language::En => format!("Connection lost — reconnecting… (attempt {attempt})"),
    }
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
            reconnecting(Language::ZhCn, 2),
            "连接已断开，正在重连…(第 2 次)"
        );
        assert_eq!(
            with_detail(Language::ZhCn, Msg::ErrUnreachable, "x"),
            "无法连接服务器：x"
        );
        assert_eq!(author(Language::En, Party::Agent, "Ann"), "Me");
        assert_eq!(author(Language::En, Party::Customer, "Ann"), "Ann");
        assert!(queued_body(Language::ZhCn, "张三", "138", 1).contains("张三"));
    }
}
