//! File transfer in the agent console (A6): the commands the UI sends, where received files
//! go, and the network side's [`FileTransfers`] set up for an agent (incoming files from the
//! customer are accepted without asking; outgoing files need the customer's `FileTransfer`
//! grant, asked again after a reconnect so interrupted files resume).

use std::path::PathBuf;

use porpoise_protocol::wire::SessionId;
pub use porpoise_quic::transfers::parse_paths;
use porpoise_quic::{
    files::{download_dir, FileTransferId},
    transfers::{FileTransfers, FileTransfersConfig},
};

/// Subfolder of the Downloads folder for received files.
pub const DOWNLOAD_SUBDIR: &str = "Porpoise";

/// File-transfer commands from the UI (inside [`crate::net::NetCommand::Files`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileCommand {
    /// Send these local files to the customer of `session_id`.
    Send {
        /// Session.
        session_id: SessionId,
        /// Local files.
        paths: Vec<PathBuf>,
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
    /// Accept or decline an incoming file that waits for the agent's answer.
    Answer {
        /// Transfer.
        id: FileTransferId,
        /// Accept (true) or decline.
        accept: bool,
    },
}

/// Where received files go: `$PORPOISE_DOWNLOAD_DIR`, else `<Downloads>/Porpoise`.
pub fn agent_download_dir() -> PathBuf {
    let dirs = directories::UserDirs::new();
    download_dir(
        dirs.as_ref()
            .and_then(|d| d.download_dir().map(PathBuf::from)),
        dirs.as_ref().map(|d| d.home_dir().to_path_buf()),
        DOWNLOAD_SUBDIR,
    )
}

/// The agent's transfers: auto-accept incoming, outgoing need the customer's grant.
pub fn agent_transfers() -> FileTransfers {
    FileTransfers::new(FileTransfersConfig {
        download_dir: agent_download_dir(),
        auto_accept: true,
        needs_grant: true,
    })
}

/// Applies `cmd` on the network side.
pub fn apply_command(transfers: &mut FileTransfers, cmd: FileCommand) {
    match cmd {
        FileCommand::Send { session_id, paths } => transfers.send(session_id, paths),
        FileCommand::Cancel { id } => transfers.cancel(id),
        FileCommand::Resume { session_id } => transfers.resume(session_id),
        FileCommand::Answer { id, accept } => transfers.answer(id, accept),
    }
}

/// The UI's file-transfer state: the transfers list, the path box per session and a notice.
#[derive(Debug, Default)]
pub struct FileBoard {
    /// Every transfer, from the network side's updates.
    pub list: porpoise_quic::transfers::FileTransferList,
    /// Text of each session's path box.
    pub drafts: std::collections::HashMap<SessionId, String>,
    /// A notice for one session (e.g. files dropped before consent).
    pub notice: Option<(SessionId, crate::i18n::Msg)>,
    /// The center's common files (A8), once loaded.
    pub common: Option<Vec<porpoise_protocol::wire::CommonFile>>,
    /// Why loading the common files failed.
    pub common_error: Option<String>,
    /// Common files sent per session, newest last, with how it went.
    pub common_sent: Vec<CommonSend>,
}

/// One common file sent to a customer (A8).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommonSend {
    /// Session.
    pub session_id: SessionId,
    /// File name.
    pub name: String,
    /// How it went so far.
    pub state: CommonSendState,
}

/// Where sending a common file stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommonSendState {
    /// Asked; the relay is offering it.
    Offering,
    /// Over.
    Done(porpoise_protocol::wire::CommonFileOutcome),
    /// The relay refused the request; the text says why (localised).
    Refused(String),
}

impl FileBoard {
    /// Records how sending common file `name` to `session_id` stands (the newest entry of
    /// that file in that session is updated, or one is added).
    pub fn common_update(&mut self, session_id: SessionId, name: &str, state: CommonSendState) {
        let entry = self.common_sent.iter_mut().rev().find(|c| {
            c.session_id == session_id && c.name == name && c.state == CommonSendState::Offering
        });
        match entry {
            Some(c) => c.state = state,
            None => self.common_sent.push(CommonSend {
                session_id,
                name: name.to_string(),
                state,
            }),
        }
    }
}
