//! Uploading a common file from the admin window (常用文件, M7): the file, read by a worker,
//! goes to the relay in ordered chunks of [`COMMON_FILE_CHUNK_BYTES`], one request after the
//! answer of the previous one; the page shows the progress.

use std::sync::Arc;

use porpoise_protocol::wire::{rpc, rpc::COMMON_FILE_CHUNK_BYTES, Request};

use super::{intent::call, AdminDialog, Effect, Status, Workspace};

/// A file's bytes shared without copying; `Debug` shows the length only.
#[derive(Clone, PartialEq, Eq)]
pub struct UploadBytes(pub Arc<[u8]>);

impl std::fmt::Debug for UploadBytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "UploadBytes({} bytes)", self.0.len())
    }
}

/// The upload in progress.
#[derive(Debug, Clone)]
pub struct CommonUpload {
    /// The file's name in the center's folder.
    pub name: String,
    /// The whole file.
    pub bytes: UploadBytes,
    /// Bytes the relay acknowledged.
    pub sent: u64,
}

impl CommonUpload {
    fn total(&self) -> u64 {
        self.bytes.0.len() as u64
    }

    /// The request carrying the next chunk.
    fn next_request(&self) -> Request {
        let start = usize::try_from(self.sent)
            .unwrap_or(usize::MAX)
            .min(self.bytes.0.len());
        let end = (start + COMMON_FILE_CHUNK_BYTES).min(self.bytes.0.len());
        Request::UploadCommonFile(rpc::UploadCommonFile {
            name: self.name.clone(),
            offset: self.sent,
            total: self.total(),
            data: self.bytes.0[start..end].to_vec(),
        })
    }
}

impl Workspace {
    /// Starts uploading `bytes` as common file `name` (first chunk sent).
    pub(super) fn start_upload(&mut self, name: String, bytes: UploadBytes, out: &mut Vec<Effect>) {
        let upload = CommonUpload {
            name,
            bytes,
            sent: 0,
        };
        call(out, upload.next_request());
        self.set_upload_status(Status::Busy, Some((0, upload.total())));
        self.common_upload = Some(upload);
    }

    /// A chunk of `len` bytes was acknowledged (`Ok`) or refused: send the next one, finish,
    /// or stop with the error text.
    pub(super) fn upload_answered(
        &mut self,
        len: u64,
        result: Result<(), String>,
        done_text: String,
        out: &mut Vec<Effect>,
    ) {
        let Some(mut upload) = self.common_upload.take() else {
            return;
        };
        match result {
            Err(text) => self.set_upload_status(Status::Failed(text), None),
            Ok(()) => {
                upload.sent += len;
                if upload.sent >= upload.total() {
                    self.set_upload_status(Status::Done(done_text), None);
                    call(out, Request::ListCommonFiles(rpc::ListCommonFiles));
                } else {
                    call(out, upload.next_request());
                    self.set_upload_status(Status::Busy, Some((upload.sent, upload.total())));
                    self.common_upload = Some(upload);
                }
            }
        }
    }

    fn set_upload_status(&mut self, to: Status, shown: Option<(u64, u64)>) {
        if let Some(AdminDialog::CommonFiles {
            status, progress, ..
        }) = self.admin.as_mut()
        {
            *status = to;
            *progress = shown;
        }
    }
}
