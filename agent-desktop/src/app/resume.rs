//! The console's side of reconnect-and-resume (R13): deciding whether a lost connection is
//! retried, and sending what the reconnected login must redo.

use porpoise_protocol::wire::rpc;
use porpoise_protocol::wire::Request;
use porpoise_quic::client::Disconnect;
use tracing::info;

use crate::{
    net::{Call, NetCommand},
    state::{LoginError, Resume, Workspace},
    ui::Outbox,
};

/// The connection closed for `reason`. A kick or a newer login elsewhere ends the login: the
/// returned error is shown on the login window and the network side forgets the credentials.
/// Anything else keeps the work area and asks the network side to reconnect.
pub(super) fn connection_lost(
    ws: &mut Workspace,
    reason: Disconnect,
    outbox: &mut Outbox,
) -> Option<LoginError> {
    if reason.is_final() {
        info!(%reason, code = ?reason.code, "connection ended for good");
        outbox.push(NetCommand::Logout);
        return Some(LoginError::Disconnected(reason));
    }
    info!(%reason, "connection lost; reconnecting");
    ws.connection_lost(reason.detail);
    outbox.push(NetCommand::Reconnect);
    None
}

/// Sends what the merged Welcome asks for: pending chat messages with their ids, in order,
/// then the agent's chosen presence.
pub(super) fn resend(resume: Resume, outbox: &mut Outbox) {
    for r in resume.resend {
        outbox.push(NetCommand::SendChat {
            session_id: r.session_id,
            message_id: r.message_id,
            text: r.text,
        });
    }
    if let Some(presence) = resume.presence {
        outbox.push(NetCommand::Call(Call(Request::SetPresence(
            rpc::SetPresence {
                presence,
                automatic: false,
            },
        ))));
    }
}
