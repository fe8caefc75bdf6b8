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

    /// An admin uploads a chunk of a common file or deletes one (M7): permission, name and
    /// sizes are checked here; the driver writes the folder.
    ///
    /// Errors: `NotPermitted { ManageLibrary }`, `Malformed { FileName }`, `OutOfRange {
    /// MaxFileBytes }`.
    pub(super) fn manage_common_file(
        &mut self,
        conn: ConnId,
        id: RequestId,
        c: &Connection,
        agent_id: super::AgentId,
        body: porpoise_protocol::wire::Request,
    ) -> Result<Option<Response>, ApiError> {
        use porpoise_protocol::wire::{rpc, Field, Request};
        self.require(
            c.center_id,
            agent_id,
            porpoise_protocol::wire::Permission::ManageLibrary,
        )?;
        let name = match &body {
            Request::UploadCommonFile(u) => u.name.clone(),
            Request::DeleteCommonFile(d) => d.name.clone(),
            _ => return Err(ApiError::Protocol),
        };
        if sanitize_name(&name).ok().as_deref() != Some(name.as_str()) {
            return Err(ApiError::Malformed {
                field: Field::FileName,
            });
        }
        let center_id = c.center_id;
        match body {
            Request::UploadCommonFile(upload) => {
                let max = self
                    .centers
                    .get(&center_id)
                    .map_or(0, |center| center.settings.max_file_bytes);
                let len = upload.data.len() as u64;
                let fits = upload.total <= max
                    && upload.data.len() <= rpc::COMMON_FILE_CHUNK_BYTES
                    && upload
                        .offset
                        .checked_add(len)
                        .is_some_and(|end| end <= upload.total);
                if !fits {
                    return Err(ApiError::OutOfRange {
                        field: Field::MaxFileBytes,
                        min: 0,
                        max,
                    });
                }
                if upload.offset == 0 {
                    let detail = format!("upload started, {} bytes", upload.total);
                    self.audit_common_file(center_id, agent_id, &name, detail);
                }
                self.actions.push_back(Action::WriteCommonFile {
                    conn,
                    id,
                    center_id,
                    upload: Box::new(upload),
                });
            }
            Request::DeleteCommonFile(_) => {
                self.audit_common_file(center_id, agent_id, &name, "deleted".into());
                self.actions.push_back(Action::DeleteCommonFile {
                    conn,
                    id,
                    center_id,
                    name,
                });
            }
            _ => return Err(ApiError::Protocol),
        }
        Ok(None)
    }

    /// Audits a common-file change by `agent_id` (M7, R18).
    fn audit_common_file(
        &mut self,
        center_id: porpoise_protocol::wire::CenterId,
        agent_id: super::AgentId,
        name: &str,
        detail: String,
    ) {
        let actor = self.audit_actor(center_id, agent_id);
        self.audit(
            center_id,
            actor,
            super::AuditAction::LibraryChanged,
            format!("common file {name}"),
            detail,
        );
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
