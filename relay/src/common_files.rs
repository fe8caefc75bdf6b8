//! Common files (常用文件, A8): files a center offers to every agent. The relay keeps them in
//! `<data dir>/common-files/<center id>/<name>`; `porpoise-relay common-file add` copies one
//! in. An agent lists them and, while the customer allows file transfer, has the relay offer
//! one to the customer on a file stream the relay opens itself: the same protocol
//! (`porpoise_quic::files`) and the same Accept/Decline, SHA-256 check and resume as files
//! the agent sends from disk.

use std::path::{Path, PathBuf};

use porpoise_protocol::wire::{
    CenterId, CommonFile, CommonFileOutcome, MediaHeader, MediaKind, SessionId,
};
use porpoise_quic::files::{prepare_outgoing, sanitize_name, send_over, FileError, NameError};
use tokio::sync::oneshot;
use tracing::{info, warn};

/// Folder under the data dir holding each center's common files.
pub const COMMON_FILES_DIR: &str = "common-files";
/// Most common files listed per center.
pub const MAX_COMMON_FILES: usize = 500;

/// Why a common file could not be added.
#[derive(Debug, thiserror::Error)]
pub enum CommonFileError {
    /// The source is not a readable regular file.
    #[error("cannot read {path}: {source}")]
    Read {
        /// Source file.
        path: PathBuf,
        /// Cause.
        source: std::io::Error,
    },
    /// The name is unusable.
    #[error(transparent)]
    Name(#[from] NameError),
    /// A common file with this name exists already.
    #[error("the center already has a common file named {0:?}")]
    Exists(String),
    /// Copying failed.
    #[error("cannot store {path}: {source}")]
    Write {
        /// Destination.
        path: PathBuf,
        /// Cause.
        source: std::io::Error,
    },
}

/// The folder of `center_id`'s common files.
pub fn center_dir(data_dir: &Path, center_id: CenterId) -> PathBuf {
    data_dir.join(COMMON_FILES_DIR).join(center_id.to_string())
}

/// Copies `src` into `center_id`'s common files under its sanitised name.
///
/// Errors: [`CommonFileError`] (unreadable source, unusable name, name taken, copy failed).
pub fn add_common_file(
    data_dir: &Path,
    center_id: CenterId,
    src: &Path,
) -> Result<CommonFile, CommonFileError> {
    let read = |source| CommonFileError::Read {
        path: src.to_path_buf(),
        source,
    };
    let meta = std::fs::metadata(src).map_err(read)?;
    if !meta.is_file() {
        return Err(read(std::io::Error::other("not a regular file")));
    }
    let raw = src
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let name = sanitize_name(&raw)?;
    let dir = center_dir(data_dir, center_id);
    let write = |path: &Path, source| CommonFileError::Write {
        path: path.to_path_buf(),
        source,
    };
    std::fs::create_dir_all(&dir).map_err(|e| write(&dir, e))?;
    let dest = dir.join(&name);
    if dest.exists() {
        return Err(CommonFileError::Exists(name));
    }
    let size = std::fs::copy(src, &dest).map_err(|e| write(&dest, e))?;
    Ok(CommonFile { name, size })
}

/// Folder under a center's folder holding uploads in progress (not listed).
const PARTIAL_DIR: &str = ".partial";
/// An upload not continued for this long is abandoned: its partial file is removed when the
/// center's next upload starts.
pub const ABANDONED_UPLOAD_AFTER: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

/// Removes the center's partial uploads untouched for [`ABANDONED_UPLOAD_AFTER`].
async fn sweep_abandoned(partial_dir: &Path) {
    let Ok(mut entries) = tokio::fs::read_dir(partial_dir).await else {
        return;
    };
    while let Ok(Some(entry)) = entries.next_entry().await {
        let old = entry
            .metadata()
            .await
            .ok()
            .and_then(|m| m.modified().ok())
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age >= ABANDONED_UPLOAD_AFTER);
        if old {
            let _ = tokio::fs::remove_file(entry.path()).await;
        }
    }
}

/// Writes one chunk of an upload from the admin window (M7): offset 0 (re)creates the partial
/// file `<center>/.partial/<uploader>-<name>`; a later chunk must start at its current length;
/// the chunk reaching `total` moves it into the center's folder. `uploader` keeps two admins'
/// uploads of one name apart (their connection ids).
///
/// Errors: `Duplicate { FileName }` (a common file of that name exists), `TooMany { FileName
/// }` (at [`MAX_COMMON_FILES`]), `Conflict(UploadOutOfOrder)`, `Storage` (disk).
pub async fn write_chunk(
    data_dir: &Path,
    center_id: CenterId,
    uploader: u64,
    upload: &porpoise_protocol::wire::rpc::UploadCommonFile,
) -> Result<(), porpoise_protocol::wire::ApiError> {
    use porpoise_protocol::wire::{ApiError, Conflict, Field};
    use tokio::io::AsyncWriteExt;
    let storage = |e: std::io::Error| {
        warn!(%center_id, "common file upload failed: {e}");
        ApiError::Storage
    };
    let dir = center_dir(data_dir, center_id);
    let final_path = dir.join(&upload.name);
    if tokio::fs::try_exists(&final_path).await.unwrap_or(false) {
        return Err(ApiError::Duplicate {
            field: Field::FileName,
            value: upload.name.clone(),
        });
    }
    let partial_dir = dir.join(PARTIAL_DIR);
    let partial = partial_dir.join(format!("{uploader}-{}", upload.name));
    let mut file = if upload.offset == 0 {
        if list_common_files(data_dir, center_id).await.len() >= MAX_COMMON_FILES {
            return Err(ApiError::TooMany {
                field: Field::FileName,
                max: MAX_COMMON_FILES as u32,
            });
        }
        tokio::fs::create_dir_all(&partial_dir)
            .await
            .map_err(storage)?;
        sweep_abandoned(&partial_dir).await;
        tokio::fs::File::create(&partial).await.map_err(storage)?
    } else {
        let len = tokio::fs::metadata(&partial).await.map(|m| m.len()).ok();
        if len != Some(upload.offset) {
            return Err(ApiError::Conflict(Conflict::UploadOutOfOrder));
        }
        tokio::fs::OpenOptions::new()
            .append(true)
            .open(&partial)
            .await
            .map_err(storage)?
    };
    file.write_all(&upload.data).await.map_err(storage)?;
    file.flush().await.map_err(storage)?;
    if upload.offset + upload.data.len() as u64 == upload.total {
        file.sync_all().await.map_err(storage)?;
        drop(file);
        tokio::fs::rename(&partial, &final_path)
            .await
            .map_err(storage)?;
        info!(%center_id, name = %upload.name, bytes = upload.total, "common file uploaded");
    }
    Ok(())
}

/// Deletes common file `name` of `center_id` (M7).
///
/// Errors: `NotFound { CommonFile }`, `Storage`.
pub async fn delete_common_file(
    data_dir: &Path,
    center_id: CenterId,
    name: &str,
) -> Result<(), porpoise_protocol::wire::ApiError> {
    use porpoise_protocol::wire::{ApiError, Thing};
    let path = center_dir(data_dir, center_id).join(name);
    match tokio::fs::metadata(&path).await {
        Ok(m) if m.is_file() => {}
        _ => {
            return Err(ApiError::NotFound {
                what: Thing::CommonFile,
            })
        }
    }
    tokio::fs::remove_file(&path).await.map_err(|e| {
        warn!(%center_id, "cannot delete a common file: {e}");
        ApiError::Storage
    })
}

/// The common files of `center_id`, sorted by name (regular files only, at most
/// [`MAX_COMMON_FILES`]); an absent folder is an empty list.
pub async fn list_common_files(data_dir: &Path, center_id: CenterId) -> Vec<CommonFile> {
    let dir = center_dir(data_dir, center_id);
    let Ok(mut entries) = tokio::fs::read_dir(&dir).await else {
        return Vec::new();
    };
    let mut files = Vec::new();
    while let Ok(Some(entry)) = entries.next_entry().await {
        let Ok(meta) = entry.metadata().await else {
            continue;
        };
        let name = entry.file_name().to_string_lossy().into_owned();
        if meta.is_file() && sanitize_name(&name).ok().as_deref() == Some(name.as_str()) {
            files.push(CommonFile {
                name,
                size: meta.len(),
            });
        }
    }
    files.sort_by(|a, b| a.name.cmp(&b.name));
    files.truncate(MAX_COMMON_FILES);
    files
}

/// Offers common file `name` of `center_id` to the customer on `peer` (a new file stream of
/// `session_id`) and returns the outcome; `cut` stops it (file transfer stopped, session over).
pub async fn offer_common_file(
    peer: quinn::Connection,
    data_dir: PathBuf,
    center_id: CenterId,
    session_id: SessionId,
    name: String,
    max_bytes: u64,
    cut: oneshot::Receiver<()>,
) -> CommonFileOutcome {
    let path = center_dir(&data_dir, center_id).join(&name);
    let file = match prepare_outgoing(path, max_bytes).await {
        Ok(f) => f,
        Err(e) => return CommonFileOutcome::Failed(e.to_string()),
    };
    let (mut send, recv) = match peer.open_bi().await {
        Ok(pair) => pair,
        Err(e) => return CommonFileOutcome::Failed(e.to_string()),
    };
    let header = MediaHeader {
        session_id,
        kind: MediaKind::File,
    };
    if let Err(e) = porpoise_quic::frame_io::write_frame(
        &mut send,
        &header,
        porpoise_protocol::wire::MAX_MEDIA_HEADER_BYTES,
    )
    .await
    {
        return CommonFileOutcome::Failed(e.to_string());
    }
    let (cancel, signal) = porpoise_quic::files::cancel_pair();
    tokio::spawn(async move {
        if cut.await.is_ok() {
            cancel.cancel();
        }
    });
    let outcome = match send_over(send, recv, &file, signal, |_| {}).await {
        Ok(d) => CommonFileOutcome::Delivered {
            saved_as: d.saved_as,
        },
        Err(FileError::Refused(porpoise_quic::files::RefuseReason::Declined)) => {
            CommonFileOutcome::Declined
        }
        Err(FileError::Cancelled(_) | FileError::Interrupted(_)) => CommonFileOutcome::Cancelled,
        Err(e) => CommonFileOutcome::Failed(e.to_string()),
    };
    match &outcome {
        CommonFileOutcome::Delivered { .. } => info!(%session_id, %name, "common file delivered"),
        other => warn!(%session_id, %name, ?other, "common file not delivered"),
    }
    outcome
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An upload left a day ago is swept when the next one starts; a recent one is kept.
    #[tokio::test]
    async fn abandoned_partial_uploads_are_swept() {
        let dir = tempfile::tempdir().expect("tempdir");
        let center = CenterId(8_000_001);
        let partial = center_dir(dir.path(), center).join(PARTIAL_DIR);
        std::fs::create_dir_all(&partial).expect("dir");
        let old = partial.join("7-old.bin");
        let recent = partial.join("8-recent.bin");
        std::fs::write(&old, b"x").expect("old");
        std::fs::write(&recent, b"y").expect("recent");
        let day_ago = std::time::SystemTime::now() - ABANDONED_UPLOAD_AFTER;
        std::fs::File::options()
            .write(true)
            .open(&old)
            .expect("open")
            .set_modified(day_ago)
            .expect("mtime");
        let upload = porpoise_protocol::wire::rpc::UploadCommonFile {
            name: "new.txt".into(),
            offset: 0,
            total: 3,
            data: b"abc".to_vec(),
        };
        write_chunk(dir.path(), center, 9, &upload)
            .await
            .expect("upload");
        assert!(!old.exists(), "swept");
        assert!(recent.exists(), "kept");
        let listed = list_common_files(dir.path(), center).await;
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].name, "new.txt");
    }

    #[test]
    fn added_files_are_listed_by_sanitised_name_and_never_replaced() {
        let dir = std::env::temp_dir().join(format!("porpoise-common-{:x}", rand::random::<u64>()));
        let src = dir.join("src");
        std::fs::create_dir_all(&src).expect("test step");
        std::fs::write(src.join("说明书.pdf"), b"manual").expect("test step");
        let added =
            add_common_file(&dir, CenterId(8_000_001), &src.join("说明书.pdf")).expect("test step");
        assert_eq!(
            added,
            CommonFile {
                name: "说明书.pdf".into(),
                size: 6
            }
        );
        assert!(matches!(
            add_common_file(&dir, CenterId(8_000_001), &src.join("说明书.pdf")),
            Err(CommonFileError::Exists(_))
        ));
        assert!(matches!(
            add_common_file(&dir, CenterId(8_000_001), &src.join("missing.txt")),
            Err(CommonFileError::Read { .. })
        ));
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("test step");
        assert_eq!(
            rt.block_on(list_common_files(&dir, CenterId(8_000_001))),
            [added]
        );
        assert!(
            rt.block_on(list_common_files(&dir, CenterId(8_000_002)))
                .is_empty(),
            "per center"
        );
        let _ = std::fs::remove_dir_all(dir);
    }
}
