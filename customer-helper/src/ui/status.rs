//! The connection line (center name, or why the helper is not connected) and the notice line.

use egui::{RichText, Ui};

use super::ERROR_COLOR;
use crate::{
    i18n::Tr,
    net::ConnectFailure,
    state::{ConnectionState, HelperState, Notice, UiAction},
};

/// Connection state and the current notice.
pub fn status_ui(
    ui: &mut Ui,
    state: &HelperState,
    tr: Tr,
    relay_addr: &str,
    out: &mut Vec<UiAction>,
) {
    match &state.connection {
        ConnectionState::Connecting { last_failure: None } => {
            ui.label(tr.connecting());
        }
        ConnectionState::Connecting {
            last_failure: Some(failure),
        } => failure_ui(ui, failure, tr, relay_addr, None),
        ConnectionState::Online { center_name } => {
            ui.heading(center_name);
        }
        ConnectionState::Failed(failure) => failure_ui(ui, failure, tr, relay_addr, Some(out)),
    }
    if let Some(notice) = &state.notice {
        let text = match notice {
            Notice::RequestFailed(e) => tr.request_failed(&tr.request_error(e)),
            Notice::SharingFailed(reason) => tr.sharing_failed(reason),
            Notice::MessageTooLong => tr.request_failed(tr.too_long()),
            Notice::SharingStoppedByTransfer => tr.sharing_stopped_by_transfer().to_owned(),
            Notice::SystemInfoSent => tr.system_info_sent().to_owned(),
            Notice::SurveyThanks => tr.survey_thanks().to_owned(),
            Notice::Rebooting => tr.rebooting().to_owned(),
            Notice::RebootFailed(reason) => tr.reboot_failed(reason),
            Notice::ReconnectFailed(e) => tr.reconnect_failed(&tr.request_error(e)),
            Notice::PictureFailed(reason) => tr.picture_failed(reason),
            Notice::PictureRefused(e) => tr.picture_failed(&tr.request_error(e)),
            Notice::PictureInvalid(e) => {
                tr.picture_failed(&porpoise_protocol::lang::errors::api_error_text(tr.0, e))
            }
            Notice::TranscriptSaved(path) => tr.transcript_saved(path),
        };
        let color = match notice {
            Notice::SystemInfoSent
            | Notice::SurveyThanks
            | Notice::Rebooting
            | Notice::TranscriptSaved(_) => ui.visuals().text_color(),
            _ => ERROR_COLOR,
        };
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new(text).color(color));
            if ui.small_button("×").on_hover_text("OK").clicked() {
                out.push(UiAction::DismissNotice);
            }
        });
    }
}

/// Why the helper is not connected, with a Retry button when `out` is given (not while an
/// attempt is under way).
fn failure_ui(
    ui: &mut Ui,
    failure: &ConnectFailure,
    tr: Tr,
    relay_addr: &str,
    out: Option<&mut Vec<UiAction>>,
) {
    let text = match failure {
        ConnectFailure::FingerprintMismatch(_) => tr.fingerprint_mismatch().to_owned(),
        ConnectFailure::Unreachable(_) | ConnectFailure::BadAddress(_) => {
            tr.unreachable(relay_addr)
        }
        ConnectFailure::Refused { reason, .. } => {
            tr.refused(&porpoise_protocol::lang::errors::refused_text(tr.0, reason))
        }
        ConnectFailure::Lost(reason) => tr.connection_lost(reason),
    };
    ui.label(RichText::new(text).color(ERROR_COLOR).strong());
    if let Some(out) = out {
        if ui.button(tr.retry()).clicked() {
            out.push(UiAction::Retry);
        }
    }
    if !matches!(failure, ConnectFailure::Refused { .. }) {
        // The technical detail (an address, quinn's words); a refusal said it all above.
        ui.label(RichText::new(failure.to_string()).small().weak());
    }
}
