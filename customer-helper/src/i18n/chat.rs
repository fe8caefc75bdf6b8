//! Chat tool texts of the helper (C4): emoji, pictures, region screenshot, saving the
//! transcript. Chinese labels follow the product manuals (发送图片, 发送表情, 截图).

use porpoise_ui::Language;

use super::Tr;

texts! {
    /// Tooltip of the emoji button.
    send_emoji => "发送表情", "Emoji";
    /// The picture button.
    send_picture => "发送图片", "Send picture";
    /// Label of the picture path box.
    picture_path => "图片文件（PNG 或 JPEG）", "Picture file (PNG or JPEG)";
    /// Under the picture path box.
    picture_hint => "也可以按 Ctrl+V 粘贴图片，或把图片拖到窗口上。", "You can also paste a picture (Ctrl+V) or drop one on the window.";
    /// The region screenshot button.
    screenshot => "截图", "Screenshot";
    /// The screenshot button while the screen is grabbed or the region encoded.
    screenshot_busy => "正在截图…", "Taking screenshot…";
    /// Tooltip of the screenshot button.
    screenshot_hint => "截取屏幕的一部分，发送给客服人员", "Send the agent a part of your screen";
    /// Title of the full-screen selection window.
    region_title => "选择截图区域", "Select a region";
    /// Hint over the frozen screen.
    region_hint => "拖动鼠标选择区域；双击或按 Enter 发送，按 Esc 或右键取消", "Drag to select a region; double-click or Enter sends it, Esc or right-click cancels";
    /// The save-transcript button.
    save_transcript => "保存聊天记录", "Save transcript";
    /// Label of the path box of the save dialog.
    save_to => "保存到", "Save to";
    /// Save button of the dialog.
    save => "保存", "Save";
    /// Cancel button of the save dialog.
    cancel_save => "取消", "Cancel";
    /// Replace button of the overwrite question.
    replace => "替换", "Replace";
    /// Placeholder of a picture being fetched.
    picture_loading => "正在加载图片…", "Loading picture…";
    /// Prefix of a picture that cannot be shown.
    picture_unavailable => "图片无法显示", "Picture unavailable";
    /// Tooltip of a thumbnail.
    click_to_enlarge => "点击放大", "Click to enlarge";
    /// Close button of the large picture view.
    close_picture => "关闭", "Close";
    /// Transcript mark of a message the relay has not stored.
    not_sent_yet => "未发送", "not sent";
}

impl Tr {
    /// A picture was not sent, and why.
    pub fn picture_failed(self, reason: &str) -> String {
        match self.0 {
            Language::ZhCn => format!("图片未发送：{reason}"),
            Language::En => format!("Picture not sent: {reason}"),
        }
    }

    /// The transcript was saved.
    pub fn transcript_saved(self, path: &str) -> String {
        match self.0 {
            Language::ZhCn => format!("聊天记录已保存到 {path}"),
            Language::En => format!("Transcript saved to {path}"),
        }
    }

    /// Saving failed, and why.
    pub fn save_failed(self, reason: &str) -> String {
        match self.0 {
            Language::ZhCn => format!("无法保存：{reason}"),
            Language::En => format!("Could not save: {reason}"),
        }
    }

    /// The file exists: replace it?
    pub fn overwrite_question(self, path: &str) -> String {
        match self.0 {
            Language::ZhCn => format!("{path} 已存在，要替换它吗？"),
            Language::En => format!("{path} already exists. Replace it?"),
        }
    }

    /// A picture message in the transcript, `W×H` px.
    pub fn picture_line(self, width: u32, height: u32) -> String {
        match self.0 {
            Language::ZhCn => format!("[图片 {width}×{height}]"),
            Language::En => format!("[picture {width}×{height}]"),
        }
    }

    /// First line of a transcript file.
    pub fn transcript_header(self, center: &str, agent: &str) -> String {
        match self.0 {
            Language::ZhCn => format!("{center} — 与 {agent} 的聊天记录"),
            Language::En => format!("{center} — chat with {agent}"),
        }
    }
}
