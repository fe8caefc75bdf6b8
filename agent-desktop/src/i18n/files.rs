//! Formatted texts of file transfer (A6): sizes, speed, time left and row states.

use porpoise_quic::{
    files::{format_bytes, format_eta, RefuseReason, Side},
    transfers::{FileTransferRow, Outcome, RowState},
};
use porpoise_ui::Language;

use super::{with_detail, Msg};

/// "1.2 MB / 5.0 MB · 800.0 KB/s · 0:05 left" for a running row.
pub fn file_progress(lang: Language, row: &FileTransferRow) -> String {
    let mut text = format!("{} / {}", format_bytes(row.done), format_bytes(row.size));
    if let Some(speed) = row.speed_bps {
        text.push_str(&format!(" · {}/s", format_bytes(speed)));
    }
    if let Some(eta) = row.eta_ms {
        let left = format_eta(eta);
        text.push_str(&match lang {
            Language::ZhCn => format!(" · 剩余 {left}"),
            Language::En => format!(" · {left} left"),
        });
    }
    text
}

/// "The file is 120.0 MB; the limit is 100.0 MB".
pub fn file_too_big(lang: Language, size: u64, max: u64) -> String {
    let (size, max) = (format_bytes(size), format_bytes(max));
    match lang {
        Language::ZhCn => format!("文件大小 {size}，超过上限 {max}"),
        Language::En => format!("The file is {size}; the limit is {max}"),
    }
}

/// The state text of a row that is not running.
pub fn file_state(lang: Language, row: &FileTransferRow) -> String {
    match &row.state {
        RowState::AwaitingAnswer => Msg::FileAsk.text(lang).into(),
        RowState::Waiting => Msg::FileWaiting.text(lang).into(),
        RowState::Running => file_progress(lang, row),
        RowState::Interrupted(_) => Msg::FileInterrupted.text(lang).into(),
        RowState::Finished(outcome) => file_outcome(lang, outcome),
    }
}

/// How a transfer ended.
pub fn file_outcome(lang: Language, outcome: &Outcome) -> String {
    match outcome {
        Outcome::Delivered { saved_as } => with_detail(lang, Msg::FileDelivered, saved_as),
        Outcome::Saved { path } => with_detail(lang, Msg::FileSaved, &path.display().to_string()),
        Outcome::Refused(RefuseReason::TooBig { size, max }) => file_too_big(lang, *size, *max),
        Outcome::Refused(RefuseReason::Declined) => Msg::FileDeclined.text(lang).into(),
        Outcome::Refused(RefuseReason::NoSpace) => Msg::FileNoSpace.text(lang).into(),
        Outcome::Refused(RefuseReason::BadName) => Msg::FileBadName.text(lang).into(),
        Outcome::Damaged => Msg::FileDamaged.text(lang).into(),
        Outcome::Cancelled(Side::Local) => Msg::FileCancelled.text(lang).into(),
        Outcome::Cancelled(Side::Remote) => Msg::FileCancelledByPeer.text(lang).into(),
        Outcome::SessionEnded => Msg::FileSessionEnded.text(lang).into(),
        Outcome::Failed(detail) => with_detail(lang, Msg::FileFailed, detail),
    }
}

/// Where sending a common file stands (A8).
pub fn common_send_state(lang: Language, state: &crate::files::CommonSendState) -> String {
    use crate::files::CommonSendState;
    use porpoise_protocol::wire::CommonFileOutcome;
    match state {
        CommonSendState::Offering => Msg::CommonFileOffering.text(lang).into(),
        CommonSendState::Refused(text) => with_detail(lang, Msg::FileFailed, text),
        CommonSendState::Done(CommonFileOutcome::Delivered { saved_as }) => {
            with_detail(lang, Msg::FileDelivered, saved_as)
        }
        CommonSendState::Done(CommonFileOutcome::Declined) => Msg::FileDeclined.text(lang).into(),
        CommonSendState::Done(CommonFileOutcome::Cancelled) => Msg::FileCancelled.text(lang).into(),
        CommonSendState::Done(CommonFileOutcome::Failed(text)) => {
            with_detail(lang, Msg::FileFailed, text)
        }
    }
}
