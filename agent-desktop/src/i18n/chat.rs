//! Texts with values for the chat tools (A7): transcript header and saved-file notices.

use porpoise_ui::Language;

/// First line of a saved transcript.
pub fn transcript_header(lang: Language, name: &str, phone: &str, started: &str) -> String {
    match lang {
        Language::ZhCn => format!("聊天记录 — 客户：{name}  电话：{phone}  开始时间：{started}"),
        Language::En => {
            format!("Chat transcript — Customer: {name}  Phone: {phone}  Started: {started}")
        }
    }
}

/// Shown after the transcript was saved.
pub fn transcript_saved(lang: Language, path: &str) -> String {
    match lang {
        Language::ZhCn => format!("聊天记录已保存：{path}"),
        Language::En => format!("Transcript saved: {path}"),
    }
}

/// Shown when the transcript could not be saved.
pub fn transcript_failed(lang: Language, error: &str) -> String {
    match lang {
        Language::ZhCn => format!("聊天记录保存失败：{error}"),
        Language::En => format!("The transcript could not be saved: {error}"),
    }
}

/// The menu of hidden tabs (A5).
pub fn hidden_tabs(lang: Language, n: usize) -> String {
    match lang {
        Language::ZhCn => format!("已隐藏 {n}"),
        Language::En => format!("Hidden: {n}"),
    }
}

/// Asks before closing the tab of an open session (A5).
pub fn confirm_close_open(lang: Language, name: &str) -> String {
    match lang {
        Language::ZhCn => format!("与 {name} 的会话仍在进行。结束会话并关闭标签吗？"),
        Language::En => format!("The session with {name} is still open. End it and close the tab?"),
    }
}

/// Title of the desktop notification of a customer's message (A3).
pub fn new_message_from(lang: Language, name: &str) -> String {
    match lang {
        Language::ZhCn => format!("{name} 发来新消息"),
        Language::En => format!("New message from {name}"),
    }
}

/// A picture could not be sent (A7): not a picture, too big, unreadable.
pub fn picture_failed(lang: Language, error: &str) -> String {
    match lang {
        Language::ZhCn => format!("图片无法发送：{error}"),
        Language::En => format!("The picture could not be sent: {error}"),
    }
}
