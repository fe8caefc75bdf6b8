//! File transfer in the helper (A6, C5): the commands the UI sends, where received files go,
//! the network side's [`FileTransfers`] set up for a customer (each incoming file is accepted or
//! declined by the customer; files the customer sends need no grant and resume by themselves
//! after a reconnect), and the UI's list of transfers.

use std::path::PathBuf;

use porpoise_protocol::wire::SessionId;
use porpoise_quic::{
    files::{download_dir, FileTransferId},
    transfers::{FileTransferList, FileTransfers, FileTransfersConfig},
};

/// File-transfer commands from the UI (inside [`crate::net::NetCommand::Files`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileCommand {
    /// Send these local files to the agent of `session_id` (C5: the customer starts it).
    Send {
        /// Session.
        session_id: SessionId,
        /// Local files.
        paths: Vec<PathBuf>,
    },
    /// Accept or decline an incoming file.
    Answer {
        /// Transfer.
        id: FileTransferId,
        /// True to accept.
        accept: bool,
    },
    /// Cancel a transfer.
    Cancel {
        /// Transfer.
        id: FileTransferId,
    },
    /// Send the interrupted files of `session_id` again.
    Resume {
        /// Session.
        session_id: SessionId,
    },
}

/// Where received files go: `$PORPOISE_DOWNLOAD_DIR`, else the Downloads folder.
pub fn helper_download_dir() -> PathBuf {
    let dirs = directories::UserDirs::new();
    download_dir(
        dirs.as_ref()
            .and_then(|d| d.download_dir().map(PathBuf::from)),
        dirs.as_ref().map(|d| d.home_dir().to_path_buf()),
        "",
    )
}

/// The customer's transfers: ask before receiving, send without a grant.
pub fn helper_transfers() -> FileTransfers {
    FileTransfers::new(FileTransfersConfig {
        download_dir: helper_download_dir(),
        auto_accept: false,
        needs_grant: false,
    })
}

/// Applies `cmd` on the network side.
pub fn apply_command(transfers: &mut FileTransfers, cmd: FileCommand) {
    match cmd {
        FileCommand::Send { session_id, paths } => transfers.send(session_id, paths),
        FileCommand::Answer { id, accept } => transfers.answer(id, accept),
        FileCommand::Cancel { id } => transfers.cancel(id),
        FileCommand::Resume { session_id } => transfers.resume(session_id),
    }
}

/// The UI's file-transfer state.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct HelperFiles {
    /// Every transfer, from the network side's updates.
    pub list: FileTransferList,
    /// Text of the path box.
    pub draft: String,
}
