//! Chat transcript formatting shared by the agent console (A7) and the customer helper (C4):
//! local times, the `[time] author (mark): text` block of one message with continuation lines
//! indented by two spaces, file-name-safe names, and the bytes of a text file (UTF-8 with a BOM
//! so that Windows Notepad shows Chinese, CRLF line ends on Windows).
//!
//! Each app keeps its own header, author names and file locations; only the format is here.

use chrono::{Local, TimeZone as _};

use porpoise_protocol::wire::UnixMs;

/// Longest part of a file name taken from a person's or center's name, in characters.
pub const MAX_NAME_CHARS: usize = 40;

/// Local date and time of `ms` (Unix milliseconds) as `YYYY-MM-DD HH:MM:SS`; the number itself
/// when it is out of range.
pub fn local_time(ms: UnixMs) -> String {
    local_format(ms, "%Y-%m-%d %H:%M:%S")
}

/// Local date of `ms` (Unix milliseconds) as `YYYY-MM-DD`; the number itself when it is out of
/// range.
pub fn local_date(ms: UnixMs) -> String {
    local_format(ms, "%Y-%m-%d")
}

fn local_format(ms: UnixMs, format: &str) -> String {
    Local
        .timestamp_millis_opt(ms)
        .single()
        .map(|t| t.format(format).to_string())
        .unwrap_or_else(|| ms.to_string())
}

/// Appends one message to a transcript: `[time] author`, ` (mark)` if any, `:`, the text's
/// first line after a space, each further line on its own line indented by two spaces, then a
/// line end. Without `at` (not yet stored) the time is left out.
pub fn push_message(
    out: &mut String,
    at: Option<UnixMs>,
    author: &str,
    mark: Option<&str>,
    text: &str,
) {
    match at {
        Some(ms) => out.push_str(&format!("[{}] {author}", local_time(ms))),
        None => out.push_str(author),
    }
    if let Some(mark) = mark {
        out.push_str(&format!(" ({mark})"));
    }
    out.push(':');
    let mut lines = text.lines();
    if let Some(first) = lines.next() {
        out.push(' ');
        out.push_str(first);
    }
    for line in lines {
        out.push_str("\n  ");
        out.push_str(line);
    }
    out.push('\n');
}

/// `name` reduced to what is safe in a file name on Windows and Linux: letters and digits (any
/// script, so Chinese stays), single `-` for runs of anything else, no `-` at either end, at
/// most [`MAX_NAME_CHARS`] characters of `name` considered; `fallback` when nothing is left.
pub fn file_safe(name: &str, fallback: &str) -> String {
    let mut out = String::new();
    for c in name.chars().take(MAX_NAME_CHARS) {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-');
    if out.is_empty() {
        fallback.into()
    } else {
        out.to_owned()
    }
}

/// The bytes of a transcript text file: a UTF-8 byte order mark, then `text` with CRLF line
/// ends on Windows (LF elsewhere).
pub fn text_file_bytes(text: &str) -> Vec<u8> {
    let body = if cfg!(windows) {
        text.replace('\n', "\r\n")
    } else {
        text.to_owned()
    };
    let mut bytes = "\u{feff}".as_bytes().to_vec();
    bytes.extend_from_slice(body.as_bytes());
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_file_safe() {
        assert_eq!(file_safe("张三 / ../etc", "customer"), "张三-etc");
        assert_eq!(file_safe("../", "customer"), "customer");
        assert_eq!(file_safe("Ann", "customer"), "Ann");
        assert_eq!(
            file_safe("Acme/Support: 北京", "transcript"),
            "Acme-Support-北京"
        );
        assert_eq!(file_safe("", "transcript"), "transcript");
    }

    #[test]
    fn messages_are_blocks_with_indented_continuations() {
        let mut out = String::new();
        push_message(&mut out, Some(0), "Ann", None, "one\ntwo");
        push_message(&mut out, None, "You", Some("not sent"), "three");
        assert_eq!(
            out,
            format!(
                "[{}] Ann: one\n  two\nYou (not sent): three\n",
                local_time(0)
            )
        );
        let bytes = text_file_bytes("a\n");
        assert_eq!(&bytes[..3], "\u{feff}".as_bytes());
    }
}
