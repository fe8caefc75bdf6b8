//! Common files (常用文件, A8): the core decides who may list and send them; the driver does
//! the I/O (`net/common_files.rs`: reading the center's folder, offering the file to the
//! customer on a relay-opened file stream).

use porpoise_protocol::wire::{ApiError, MediaKind, Party, RequestId, Response, SessionId};
use porpoise_quic::files::sanitize_name;

use super::{Action, ConnId, Connection, Core};

impl Core {
    /// An agent lists the center's common files: answered by the driver.
    pub(super) fn list_common_files(
        &mut self,
        conn: ConnId,
        id: RequestId,
        c: &Connection,
    ) -> Result<Option<Response>, ApiError> {
        self.actions.push_back(Action::ListCommonFiles {
            conn,
            id,
            center_id: c.center_id,
        });
        Ok(None)
    }

    /// The session's agent sends common file `name` to its customer.
    ///
    /// Errors: `UnknownSession`; `Invalid` for a name with directories or forbidden
    /// characters; `Conflict` when the customer is not connected or has not allowed file
    /// transfer.
    pub(super) fn send_common_file(
        &mut self,
        conn: ConnId,
        c: &Connection,
        session_id: SessionId,
        name: String,
    ) -> Result<Option<Response>, ApiError> {
        if self.member(conn, c, session_id)? != Party::Agent {
            return Err(ApiError::NotPermitted {
                needed: porpoise_protocol::wire::Permission::SessionMember,
            });
        }
        if sanitize_name(&name).ok().as_deref() != Some(name.as_str()) {
            return Err(ApiError::Malformed {
                field: porpoise_protocol::wire::Field::FileName,
            });
        }
        let s = self
            .sessions
            .get(&session_id)
            .ok_or(ApiError::UnknownSession)?;
        let customer = s
            .customer_conn
            .ok_or_else(|| ApiError::peer_away(Party::Customer))?;
        if !s.allows_media(MediaKind::File) {
            return Err(ApiError::Conflict(
                porpoise_protocol::wire::Conflict::NotGranted {
                    action: porpoise_protocol::wire::RemoteAction::FileTransfer,
                },
            ));
        }
        let center_id = s.stored.center_id;
        let max_bytes = self
            .centers
            .get(&center_id)
            .map(|center| center.settings.max_file_bytes)
            .ok_or(ApiError::UnknownSession)?;
        self.actions.push_back(Action::SendCommonFile {
            agent: conn,
            customer,
            session_id,
            center_id,
            name,
            max_bytes,
        });
        Ok(Some(Response::Done))
    }
}
