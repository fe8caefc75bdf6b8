//! Saving the chat transcript to a file the customer picks (C4 保存聊天记录).
//!
//! The chat's Save button opens a small dialog ([`crate::ui::chat`]) with a path box prefilled
//! by [`default_path`]: `Documents/<center>-<YYYY-MM-DD>.txt` (the home folder when there is no
//! Documents folder). The file is UTF-8 text ([`transcript_text`]): a header line, then one
//! block per message, `[YYYY-MM-DD HH:MM:SS] author: text` in local time, continuation lines
//! indented by two spaces, picture messages as `[图片 W×H]` / `[picture W×H]`, and unsent
//! messages marked. [`save`] refuses to replace an existing file unless asked to.

use std::{
    io::Write as _,
    path::{Path, PathBuf},
};

use porpoise_protocol::wire::{Party, UnixMs};
use porpoise_ui::transcript::{local_date, push_message, text_file_bytes};

pub use porpoise_ui::transcript::{local_time, MAX_NAME_CHARS};

use crate::{i18n::Tr, state::Session};

/// Why the transcript was not saved.
#[derive(Debug, thiserror::Error)]
pub enum SaveError {
    /// The path box is empty.
    #[error("no file name given")]
    NoPath,
    /// A file is there already and replacing it was not confirmed.
    #[error("{} already exists", .0.display())]
    Exists(PathBuf),
    /// The path names a folder.
    #[error("{} is a folder", .0.display())]
    IsFolder(PathBuf),
    /// Creating or writing the file failed (the system's reason).
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The system's error.
        source: std::io::Error,
    },
}

/// `name` reduced to what is safe in a file name ([`porpoise_ui::transcript::file_safe`]);
/// `transcript` when nothing is left.
pub fn file_safe(name: &str) -> String {
    porpoise_ui::transcript::file_safe(name, "transcript")
}

/// The folder the dialog proposes: Documents, else the home folder, else the current folder.
pub fn default_dir() -> PathBuf {
    let dirs = directories::UserDirs::new();
    match dirs.as_ref().and_then(|d| d.document_dir()) {
        Some(docs) => docs.to_path_buf(),
        None => dirs.map_or_else(|| PathBuf::from("."), |d| d.home_dir().to_path_buf()),
    }
}

/// The proposed file: `<dir>/<center>-<YYYY-MM-DD>.txt` with today's local date at `now_ms`.
pub fn default_path(dir: &Path, center: &str, now_ms: UnixMs) -> PathBuf {
    let date = local_date(now_ms);
    dir.join(format!("{}-{date}.txt", file_safe(center)))
}

/// The transcript of `session` as text (see the module docs); `center` names the support
/// center in the header.
pub fn transcript_text(tr: Tr, center: &str, session: &Session) -> String {
    let mut out = tr.transcript_header(center, &session.agent_name);
    out.push_str("\n\n");
    for m in &session.messages {
        let author = match m.from {
            Party::Customer => tr.you(),
            Party::Agent => session.agent_name.as_str(),
            Party::Relay => tr.system(),
        };
        let text = match &m.image {
            Some(info) => tr.picture_line(info.width, info.height),
            None => m.text.clone(),
        };
        push_message(&mut out, Some(m.sent_at), author, None, &text);
    }
    for p in &session.pending {
        let text = match &p.picture {
            Some(pic) => tr.picture_line(pic.info.width, pic.info.height),
            None => p.text.clone(),
        };
        push_message(&mut out, None, tr.you(), Some(tr.not_sent_yet()), &text);
    }
    out
}

/// Writes `text` to `path` as UTF-8 (with a BOM so that Windows Notepad shows Chinese).
/// An existing file is replaced only when `overwrite` is true.
///
/// Errors: [`SaveError::NoPath`], [`SaveError::Exists`] (ask, then call again with
/// `overwrite`), [`SaveError::IsFolder`], [`SaveError::Io`] (missing folder, no permission).
pub fn save(path: &Path, text: &str, overwrite: bool) -> Result<(), SaveError> {
    if path.as_os_str().is_empty() {
        return Err(SaveError::NoPath);
    }
    if path.is_dir() {
        return Err(SaveError::IsFolder(path.to_path_buf()));
    }
    let io = |source| SaveError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut options = std::fs::OpenOptions::new();
    options.write(true);
    if overwrite {
        options.create(true).truncate(true);
    } else {
        options.create_new(true);
    }
    let mut file = options.open(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            SaveError::Exists(path.to_path_buf())
        } else {
            io(e)
        }
    })?;
    file.write_all(&text_file_bytes(text)).map_err(io)?;
    file.flush().map_err(io)
}

#[cfg(test)]
mod tests {
    use porpoise_protocol::wire::{ChatImage, ChatMessage, ImageFormat, SessionInfo};
    use porpoise_ui::Language;

    use super::*;
    use porpoise_protocol::wire::{MessageId, SessionId};

    fn session() -> Session {
        let msg = |id, from, text: &str, image| ChatMessage {
            message_id: id,
            from,
            text: text.into(),
            sent_at: 1_700_000_000_000,
            image,
        };
        Session::from_info(SessionInfo {
            session_id: SessionId(7),
            customer_name: "王伟".into(),
            customer_phone: String::new(),
            agent_name: "李娜".into(),
            started_at: 1_700_000_000_000,
            messages: vec![
                msg(MessageId(1), Party::Customer, "打印机坏了\n第二行", None),
                msg(
                    MessageId(2),
                    Party::Agent,
                    "",
                    Some(ChatImage {
                        format: ImageFormat::Png,
                        width: 640,
                        height: 480,
                        bytes: 1000,
                    }),
                ),
            ],
        })
    }

    #[test]
    fn the_text_has_times_authors_and_picture_lines() {
        let text = transcript_text(Tr(Language::ZhCn), "Acme 支持", &session());
        let time = local_time(1_700_000_000_000);
        assert!(text.starts_with("Acme 支持"), "{text}");
        assert!(
            text.contains(&format!("[{time}] 我: 打印机坏了\n  第二行\n")),
            "{text}"
        );
        assert!(
            text.contains(&format!("[{time}] 李娜: [图片 640×480]\n")),
            "{text}"
        );
        let en = transcript_text(Tr(Language::En), "Acme", &session());
        assert!(en.contains("李娜: [picture 640×480]"), "{en}");
        assert!(en.contains("You: 打印机坏了"), "{en}");
    }

    #[test]
    fn saving_refuses_to_overwrite_unless_asked() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = default_path(dir.path(), "Acme/Support: 北京", 1_700_000_000_000);
        let name = path.file_name().and_then(|n| n.to_str()).expect("name");
        assert!(name.starts_with("Acme-Support-北京-20"), "{name}");
        assert!(name.ends_with(".txt"));
        save(&path, "一\n", false).expect("first save");
        assert!(matches!(
            save(&path, "二\n", false),
            Err(SaveError::Exists(_))
        ));
        assert_eq!(
            std::fs::read_to_string(&path).expect("read"),
            "\u{feff}一\n"
        );
        save(&path, "二\n", true).expect("overwrite");
        assert_eq!(
            std::fs::read_to_string(&path).expect("read"),
            "\u{feff}二\n"
        );
        assert!(matches!(
            save(dir.path(), "x", true),
            Err(SaveError::IsFolder(_))
        ));
        let missing = dir.path().join("no/such/folder/x.txt");
        assert!(matches!(
            save(&missing, "x", false),
            Err(SaveError::Io { .. })
        ));
        assert!(matches!(
            save(Path::new(""), "x", false),
            Err(SaveError::NoPath)
        ));
    }
}
