//! Saving a session's chat transcript as a text file or a PDF (A7 "save/export transcript").
//!
//! Files go to `$PORPOISE_EXPORT_DIR` if set, else the user's Documents folder under
//! `Porpoise/`, else `~/Porpoise transcripts`; names are
//! `porpoise-<customer>-<session id>-<unix ms>.txt` (UTF-8 with a BOM so that Windows Notepad
//! shows Chinese correctly, CRLF line ends on Windows). Messages not yet stored by the relay are
//! marked, so the file never claims more than was delivered. The PDF (`.pdf`, same name
//! otherwise) holds the same lines; see [`pdf`].

pub mod pdf;

use std::path::{Path, PathBuf};

use porpoise_ui::{
    job::Job,
    transcript::{file_safe, push_message, text_file_bytes},
    Language,
};

pub use porpoise_ui::transcript::local_time;

use crate::{
    i18n,
    state::{Delivery, SessionTab},
};

/// Environment variable that overrides the export folder.
pub const EXPORT_DIR_ENV: &str = "PORPOISE_EXPORT_DIR";

/// The folder transcripts are saved in (see the module docs).
pub fn export_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os(EXPORT_DIR_ENV) {
        return PathBuf::from(dir);
    }
    let dirs = directories::UserDirs::new();
    match dirs.as_ref().and_then(|d| d.document_dir()) {
        Some(docs) => docs.join("Porpoise"),
        None => dirs.map_or_else(
            || std::env::temp_dir().join("porpoise-transcripts"),
            |d| d.home_dir().join("Porpoise transcripts"),
        ),
    }
}

/// The transcript of `tab` as text: a header (customer, phone, start), then one block per
/// message: `[time] author: text`, continuation lines indented by two spaces.
pub fn transcript_text(lang: Language, tab: &SessionTab) -> String {
    let mut out = String::new();
    out.push_str(&i18n::transcript_header(
        lang,
        &tab.customer_name,
        &tab.customer_phone,
        &local_time(tab.started_at),
    ));
    out.push_str("\n\n");
    for entry in &tab.chat {
        let m = &entry.message;
        let author = i18n::author(lang, m.from, &tab.customer_name);
        let mark = match &entry.delivery {
            Delivery::Stored => None,
            Delivery::Pending => Some(i18n::Msg::Sending.text(lang)),
            Delivery::Failed(_) => Some(i18n::Msg::NotSent.text(lang)),
        };
        let picture;
        let text = match &m.image {
            // PDF and text transcripts name the picture; its bytes stay in the relay.
            Some(info) => {
                picture = format!(
                    "{} {}×{}",
                    i18n::Msg::PictureMessage.text(lang),
                    info.width,
                    info.height
                );
                &picture
            }
            None => &m.text,
        };
        push_message(&mut out, Some(m.sent_at), &author, mark, text);
    }
    out
}

/// The transcript of `tab` as PDF lines: the header as a title, each message's `[time] author:`
/// line in grey and its text indented under it.
pub fn transcript_pdf_lines(lang: Language, tab: &SessionTab) -> Vec<pdf::PdfLine> {
    let text = transcript_text(lang, tab);
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let (size, indent, grey) = if i == 0 {
            (pdf::TITLE_PT, 0.0, 0.0)
        } else if let Some(rest) = line.strip_prefix("  ") {
            out.push(pdf::PdfLine {
                text: rest.to_owned(),
                size: pdf::BODY_PT,
                indent: pdf::INDENT_PT,
                grey: 0.0,
            });
            continue;
        } else {
            (pdf::BODY_PT, 0.0, 0.0)
        };
        // "[time] author: first line" → the header in grey, the text indented below it.
        match line
            .split_once(": ")
            .filter(|_| i > 0 && line.starts_with('['))
        {
            Some((head, body)) => {
                out.push(pdf::PdfLine {
                    text: format!("{head}:"),
                    size,
                    indent,
                    grey: 0.4,
                });
                out.push(pdf::PdfLine {
                    text: body.to_owned(),
                    size,
                    indent: pdf::INDENT_PT,
                    grey,
                });
            }
            None => out.push(pdf::PdfLine {
                text: line.to_owned(),
                size,
                indent,
                grey,
            }),
        }
    }
    out
}

/// The kind of transcript file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// UTF-8 text (`.txt`).
    Text,
    /// PDF (`.pdf`), see [`pdf`].
    Pdf,
}

/// Starts writing the transcript of `tab` in `format` to [`export_dir`] on a worker thread
/// (the text is laid out here; rendering the PDF and writing the file happen there); `ctx` is
/// repainted when done. The job gives the file's path.
///
/// Errors (of the job): a message naming the folder or file when it cannot be made or written
/// (full disk, no permission), or the PDF could not be made (a broken font).
pub fn start_saving(
    ctx: &egui::Context,
    lang: Language,
    tab: &SessionTab,
    format: Format,
) -> Job<Result<PathBuf, String>> {
    let name = FileName::of(tab);
    match format {
        Format::Text => {
            let text = transcript_text(lang, tab);
            Job::start("transcript-save", Some(ctx), move || {
                save_text_as(&export_dir(), &name, &text)
            })
        }
        Format::Pdf => {
            let title = i18n::transcript_header(lang, &tab.customer_name, &tab.customer_phone, "");
            let lines = transcript_pdf_lines(lang, tab);
            Job::start("transcript-save", Some(ctx), move || {
                let bytes = pdf::render(title.trim_end(), &lines).map_err(|e| e.to_string())?;
                save_bytes_as(&export_dir(), &name, "pdf", &bytes)
            })
        }
    }
}

/// What a transcript's file name is made of.
struct FileName {
    customer: String,
    session_id: porpoise_protocol::wire::SessionId,
}

impl FileName {
    fn of(tab: &SessionTab) -> Self {
        Self {
            customer: tab.customer_name.clone(),
            session_id: tab.session_id,
        }
    }
}

#[cfg(test)]
fn save_text_in(dir: &Path, tab: &SessionTab, text: &str) -> Result<PathBuf, String> {
    save_text_as(dir, &FileName::of(tab), text)
}

fn save_text_as(dir: &Path, name: &FileName, text: &str) -> Result<PathBuf, String> {
    save_bytes_as(dir, name, "txt", &text_file_bytes(text))
}

#[cfg(test)]
fn save_bytes_in(dir: &Path, tab: &SessionTab, ext: &str, bytes: &[u8]) -> Result<PathBuf, String> {
    save_bytes_as(dir, &FileName::of(tab), ext, bytes)
}

fn save_bytes_as(dir: &Path, name: &FileName, ext: &str, bytes: &[u8]) -> Result<PathBuf, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let ms = crate::clock::now_unix_ms();
    let path = dir.join(format!(
        "porpoise-{}-{}-{ms}.{ext}",
        file_safe(&name.customer, "customer"),
        name.session_id
    ));
    std::fs::write(&path, bytes).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use porpoise_protocol::wire::{ChatMessage, MessageId, Party, SessionId, SessionInfo};

    use super::*;

    fn tab() -> SessionTab {
        let message = |id: u128, from, text: &str, at| ChatMessage {
            message_id: MessageId(id),
            from,
            text: text.into(),
            sent_at: at,
            image: None,
        };
        let mut tab = SessionTab::new(SessionInfo {
            session_id: SessionId(42),
            customer_name: "张三".into(),
            customer_phone: "13800138000".into(),
            agent_name: "Alice".into(),
            started_at: 1_700_000_000_000,
            messages: vec![
                message(1, Party::Customer, "打印机不能用了", 1_700_000_001_000),
                message(2, Party::Agent, "您好，请稍等\n我看一下", 1_700_000_002_000),
            ],
        });
        tab.push_pending(MessageId(3), "还在吗？".into(), 1_700_000_003_000);
        tab
    }

    #[test]
    fn transcript_lists_every_message_with_author_and_time() {
        let text = transcript_text(Language::ZhCn, &tab());
        assert!(text.contains("张三"), "{text}");
        assert!(text.contains("13800138000"), "{text}");
        assert!(text.contains("打印机不能用了"), "{text}");
        assert!(text.contains("您好，请稍等\n  我看一下"), "{text}");
        assert!(text.contains(&local_time(1_700_000_001_000)), "{text}");
        let pending = text
            .lines()
            .find(|l| l.contains("还在吗"))
            .expect("pending line");
        assert!(
            pending.contains(i18n::Msg::Sending.text(Language::ZhCn)),
            "{pending}"
        );
        let en = transcript_text(Language::En, &tab());
        assert!(en.contains("Phone"), "{en}");
    }

    /// The PDF reads back (poppler's pdftotext, installed by `scripts/deps.sh test`) with the
    /// Chinese and Latin text of the conversation.
    #[test]
    fn pdf_transcript_reads_back_as_the_conversation() {
        let dir = std::env::temp_dir().join(format!("porpoise-pdf-{}", std::process::id()));
        let t = tab();
        let lines = transcript_pdf_lines(Language::ZhCn, &t);
        let bytes = pdf::render("t", &lines).expect("pdf");
        let path = save_bytes_in(&dir, &t, "pdf", &bytes).expect("saved");
        let out = std::process::Command::new("pdftotext")
            .args(["-enc", "UTF-8"])
            .arg(&path)
            .arg("-")
            .output()
            .expect("pdftotext (poppler-utils) runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8(out.stdout).expect("utf8");
        for want in [
            "打印机不能用了",
            "您好，请稍等",
            "我看一下",
            "13800138000",
            "张三",
        ] {
            assert!(text.contains(want), "{want:?} missing from:\n{text}");
        }
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn saving_writes_utf8_with_bom_and_errors_name_the_folder() {
        let dir = std::env::temp_dir().join(format!("porpoise-transcript-{}", std::process::id()));
        let t = tab();
        let path = save_text_in(&dir, &t, &transcript_text(Language::ZhCn, &t)).expect("saved");
        let name = path.file_name().and_then(|n| n.to_str()).expect("name");
        assert!(
            name.starts_with("porpoise-张三-42-") && name.ends_with(".txt"),
            "{name}"
        );
        let bytes = std::fs::read(&path).expect("read");
        assert_eq!(&bytes[..3], "\u{feff}".as_bytes());
        assert!(String::from_utf8(bytes)
            .expect("utf8")
            .contains("打印机不能用了"));
        // A file where the folder should be: the error names it.
        let blocker = dir.join("blocker");
        std::fs::write(&blocker, b"x").expect("file");
        let err = save_text_in(&blocker.join("sub"), &t, "x").expect_err("cannot make folder");
        assert!(err.contains("blocker"), "{err}");
        let _ = std::fs::remove_dir_all(dir);
    }
}
