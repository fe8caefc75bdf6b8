//! File transfer texts of the helper (A6, C5).

use porpoise_quic::{
    files::{format_bytes, format_eta, RefuseReason, Side},
    transfers::{FileTransferRow, Outcome, RowState},
};
use porpoise_ui::Language;

use super::Tr;

texts! {
    /// Heading of the files area.
    files_heading => "文件", "Files";
    /// Button: send the files in the path box.
    send_files => "发送文件", "Send files";
    /// The folded send box's header (C5: the customer may send files without being asked).
    send_files_heading => "从这台电脑发送文件", "Send files from this computer";
    /// Hint and label of the path box.
    file_paths_hint => "要发送的文件路径，每行一个；也可以把文件拖到窗口上", "Paths of files to send, one per line; or drop files on the window";
    /// Accept an incoming file.
    accept_file => "接收", "Accept";
    /// Decline an incoming file.
    decline_file => "拒绝", "Decline";
    /// Cancel a transfer.
    cancel_transfer => "取消", "Cancel";
    /// Send an interrupted file again.
    resume_transfer => "继续", "Resume";
    /// Remove finished rows.
    clear_finished => "清除已完成", "Clear finished";
    /// Direction of a row.
    file_sending => "发送", "Sending";
    /// Direction of a row.
    file_receiving => "接收", "Receiving";
    /// Row state: no byte moved yet.
    file_waiting => "等待对方接收…", "Waiting for the other side…";
    /// Row state: waiting for this user's answer.
    file_offered => "客服人员想发送此文件给您", "The agent wants to send you this file";
    /// Row state.
    file_interrupted => "连接中断，重新连接后继续", "Interrupted; continues after reconnecting";
    /// Row state.
    file_delivered => "已送达（已校验）", "Delivered (verified)";
    /// Row state.
    file_saved => "已保存（已校验）", "Saved (verified)";
    /// Row state.
    file_declined => "已拒绝", "Declined";
    /// Row state.
    file_no_space => "磁盘空间不足", "The disk is full";
    /// Row state.
    file_bad_name => "文件名无法使用", "The file name is unusable";
    /// Row state.
    file_damaged => "文件传输中损坏（SHA-256 不符），已删除", "Damaged in transit (SHA-256 mismatch); deleted";
    /// Row state.
    file_cancelled => "已取消", "Cancelled";
    /// Row state.
    file_cancelled_by_peer => "对方已取消", "Cancelled by the other side";
    /// Row state.
    file_session_ended => "会话已结束", "The session ended";
    /// Row state prefix of other failures.
    file_failed => "失败", "Failed";
}

impl Tr {
    /// "1.2 MB / 5.0 MB · 800.0 KB/s · 0:05 left".
    pub fn file_progress(self, row: &FileTransferRow) -> String {
        let mut text = format!("{} / {}", format_bytes(row.done), format_bytes(row.size));
        if let Some(speed) = row.speed_bps {
            text.push_str(&format!(" · {}/s", format_bytes(speed)));
        }
        if let Some(eta) = row.eta_ms {
            let left = format_eta(eta);
            text.push_str(&match self.0 {
                Language::ZhCn => format!(" · 剩余 {left}"),
                Language::En => format!(" · {left} left"),
            });
        }
        text
    }

    /// "The file is 120.0 MB; the limit is 100.0 MB".
    pub fn file_too_big(self, size: u64, max: u64) -> String {
        let (size, max) = (format_bytes(size), format_bytes(max));
        match self.0 {
            Language::ZhCn => format!("文件大小 {size}，超过上限 {max}"),
            Language::En => format!("The file is {size}; the limit is {max}"),
        }
    }

    /// The state text of a row.
    pub fn file_state(self, row: &FileTransferRow) -> String {
        match &row.state {
            RowState::AwaitingAnswer => self.file_offered().into(),
            RowState::Waiting => self.file_waiting().into(),
            RowState::Running => self.file_progress(row),
            RowState::Interrupted(_) => self.file_interrupted().into(),
            RowState::Finished(outcome) => self.file_outcome(outcome),
        }
    }

    fn detail(self, prefix: &str, detail: &str) -> String {
        format!("{prefix}{}{detail}", self.0.pick("：", ": "))
    }

    /// How a transfer ended.
    pub fn file_outcome(self, outcome: &Outcome) -> String {
        match outcome {
            Outcome::Delivered { saved_as } => self.detail(self.file_delivered(), saved_as),
            Outcome::Saved { path } => self.detail(self.file_saved(), &path.display().to_string()),
            Outcome::Refused(RefuseReason::TooBig { size, max }) => self.file_too_big(*size, *max),
            Outcome::Refused(RefuseReason::Declined) => self.file_declined().into(),
            Outcome::Refused(RefuseReason::NoSpace) => self.file_no_space().into(),
            Outcome::Refused(RefuseReason::BadName) => self.file_bad_name().into(),
            Outcome::Damaged => self.file_damaged().into(),
            Outcome::Cancelled(Side::Local) => self.file_cancelled().into(),
            Outcome::Cancelled(Side::Remote) => self.file_cancelled_by_peer().into(),
            Outcome::SessionEnded => self.file_session_ended().into(),
            Outcome::Failed(detail) => self.detail(self.file_failed(), detail),
        }
    }
}
