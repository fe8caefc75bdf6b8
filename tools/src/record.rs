//! Records a bench tool's results in `docs/benchmarks.md` (the tools' `--record <path>`).
//!
//! Each tool owns one section of the document, between two marker lines:
//!
//! ```text
//! <!-- bench:porpoise-codec-bench begin -->
//! … generated: command, date, commit, machine, build profile, result tables …
//! <!-- bench:porpoise-codec-bench end -->
//! ```
//!
//! [`Report::record`] replaces what is between the markers and keeps everything else byte for
//! byte; when the document has no markers for the tool, the section is appended at the end
//! under a `## <tool>` heading. The new document is written to a temporary file next to the old
//! one and renamed over it, so a reader never sees half a document.
//!
//! The markers must be whole lines (surrounding spaces allowed): a marker quoted inside a
//! sentence is text, not a marker.

use std::{
    fmt::Write as _,
    io::{self, Write as _},
    path::{Path, PathBuf},
    process::Command,
    time::SystemTime,
};

/// Why a section could not be recorded.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    /// The document could not be read (this includes a document that does not exist: the tool
    /// never creates one, so a mistyped path is an error and not a new stray file).
    #[error("reading {path}: {source}")]
    Read {
        /// The document.
        path: PathBuf,
        /// What reading reported.
        source: io::Error,
    },
    /// The new document could not be written (temporary file, write or rename).
    #[error("writing {path}: {source}")]
    Write {
        /// The document.
        path: PathBuf,
        /// What writing reported.
        source: io::Error,
    },
    /// A begin marker without an end marker after it, or an end marker without a begin marker
    /// before it. The document is left unchanged.
    #[error("the `{tool}` marker on line {line} has no matching {missing} marker")]
    Unpaired {
        /// The tool whose section it is.
        tool: String,
        /// 1-based line of the marker that was found.
        line: usize,
        /// `"begin"` or `"end"`: the marker that is missing.
        missing: &'static str,
    },
    /// The same marker appears twice: which section to replace is ambiguous.
    #[error("the `{tool}` {which} marker appears twice (lines {first} and {second})")]
    Duplicate {
        /// The tool whose section it is.
        tool: String,
        /// `"begin"` or `"end"`.
        which: &'static str,
        /// 1-based line of the first occurrence.
        first: usize,
        /// 1-based line of the second occurrence.
        second: usize,
    },
}

/// The begin marker line of `tool`'s section (without the line break).
pub fn begin_marker(tool: &str) -> String {
    format!("<!-- bench:{tool} begin -->")
}

/// The end marker line of `tool`'s section (without the line break).
pub fn end_marker(tool: &str) -> String {
    format!("<!-- bench:{tool} end -->")
}

/// Replaces the text between `tool`'s marker lines in `doc` with `block` (a line break is added
/// if `block` lacks one), or appends a `## <tool>` section holding the markers and `block` when
/// the document has neither marker. Everything outside the markers is kept byte for byte.
pub fn rewrite(doc: &str, tool: &str, block: &str) -> Result<String, RecordError> {
    let (begin, end) = (begin_marker(tool), end_marker(tool));
    // (1-based line, byte offset of the line's start, byte offset after its line break).
    let mut begin_at: Option<(usize, usize, usize)> = None;
    let mut end_at: Option<(usize, usize, usize)> = None;
    let mut offset = 0;
    for (index, line) in doc.split_inclusive('\n').enumerate() {
        let here = (index + 1, offset, offset + line.len());
        offset += line.len();
        let text = line.trim();
        for (marker, slot, which) in [(&begin, &mut begin_at, "begin"), (&end, &mut end_at, "end")]
        {
            if text == marker {
                if let Some((first, ..)) = *slot {
                    return Err(RecordError::Duplicate {
                        tool: tool.to_owned(),
                        which,
                        first,
                        second: here.0,
                    });
                }
                *slot = Some(here);
            }
        }
    }
    let mut block = block.to_owned();
    if !block.ends_with('\n') {
        block.push('\n');
    }
    match (begin_at, end_at) {
        (Some((_, _, inside)), Some((_, outside, _))) if inside <= outside => {
            Ok(format!("{}{block}{}", &doc[..inside], &doc[outside..]))
        }
        (Some(_), Some((line, ..))) | (None, Some((line, ..))) => Err(RecordError::Unpaired {
            tool: tool.to_owned(),
            line,
            missing: "begin",
        }),
        (Some((line, ..)), None) => Err(RecordError::Unpaired {
            tool: tool.to_owned(),
            line,
            missing: "end",
        }),
        (None, None) => {
            let mut out = doc.to_owned();
            if !out.is_empty() && !out.ends_with('\n') {
                out.push('\n');
            }
            if !out.is_empty() {
                out.push('\n');
            }
            let _ = write!(out, "## {tool}\n{begin}\n{block}{end}\n");
            Ok(out)
        }
    }
}

/// A Markdown table: a header row and rows of cells, all kept as text.
#[derive(Debug, Clone, Default)]
pub struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with these column names and no rows.
    pub fn new<S: Into<String>>(header: impl IntoIterator<Item = S>) -> Table {
        Table {
            header: header.into_iter().map(Into::into).collect(),
            rows: Vec::new(),
        }
    }

    /// Adds a row (missing cells are left empty, extra cells are kept).
    pub fn row<S: Into<String>>(&mut self, cells: impl IntoIterator<Item = S>) -> &mut Table {
        self.rows.push(cells.into_iter().map(Into::into).collect());
        self
    }

    /// The table in GitHub Markdown, ending with a line break. `|` in cells is escaped and line
    /// breaks become spaces.
    pub fn to_markdown(&self) -> String {
        let columns = self
            .rows
            .iter()
            .map(Vec::len)
            .chain([self.header.len()])
            .max()
            .unwrap_or(0);
        let line = |cells: &[String]| {
            let mut out = String::from("|");
            for i in 0..columns {
                let cell = cells.get(i).map_or("", String::as_str);
                let cell = cell.replace('|', "\\|").replace(['\r', '\n'], " ");
                let _ = write!(out, " {} |", cell.trim());
            }
            out.push('\n');
            out
        };
        let mut out = line(&self.header);
        out.push('|');
        out.push_str(&"---|".repeat(columns));
        out.push('\n');
        for row in &self.rows {
            out.push_str(&line(row));
        }
        out
    }
}

/// One run's results as Markdown blocks (paragraphs and tables), recorded with
/// [`Report::record`].
#[derive(Debug, Clone)]
pub struct Report {
    tool: String,
    blocks: Vec<String>,
}

impl Report {
    /// An empty report for `tool` (the binary's name, which names its section).
    pub fn new(tool: &str) -> Report {
        Report {
            tool: tool.to_owned(),
            blocks: Vec::new(),
        }
    }

    /// Adds a paragraph of Markdown text.
    pub fn text(&mut self, markdown: impl Into<String>) -> &mut Report {
        self.blocks.push(markdown.into());
        self
    }

    /// Adds a table.
    pub fn table(&mut self, table: &Table) -> &mut Report {
        self.blocks.push(table.to_markdown());
        self
    }

    /// The generated block for `info`: what goes between the markers.
    pub fn render(&self, info: &RunInfo) -> String {
        let mut out = format!(
            "Written by `{tool} --record`:\na new run replaces everything between the markers.\n\n",
            tool = self.tool
        );
        let _ = writeln!(out, "- command: `{}`", info.command);
        let _ = writeln!(out, "- date: {}", info.date);
        let _ = writeln!(out, "- commit: {}", info.commit);
        let _ = writeln!(out, "- machine: {}", info.machine);
        let _ = writeln!(out, "- build: {}", info.profile);
        if info.profile != "release" {
            out.push_str(
                "\n**Warning: debug build.** These numbers say nothing about the product;\n\
                 run the tool from a release build to record meaningful ones.\n",
            );
        }
        for block in &self.blocks {
            out.push('\n');
            out.push_str(block.trim_end_matches('\n'));
            out.push('\n');
        }
        out
    }

    /// Rewrites this tool's section of the Markdown document at `path` with this report and a
    /// fresh [`RunInfo`] (see the module docs). The document must exist.
    pub fn record(&self, path: &Path) -> Result<(), RecordError> {
        let info = RunInfo::collect(path);
        let doc = std::fs::read_to_string(path).map_err(|source| RecordError::Read {
            path: path.to_owned(),
            source,
        })?;
        let new = rewrite(&doc, &self.tool, &self.render(&info))?;
        write_atomically(path, new.as_bytes()).map_err(|source| RecordError::Write {
            path: path.to_owned(),
            source,
        })
    }
}

/// Writes `bytes` to a temporary file in `path`'s directory and renames it over `path`.
fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut file = tempfile::NamedTempFile::new_in(dir)?;
    if let Ok(meta) = std::fs::metadata(path) {
        file.as_file().set_permissions(meta.permissions())?;
    }
    file.write_all(bytes)?;
    file.as_file().sync_all()?;
    file.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Where and how a run happened, as written at the top of a recorded section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunInfo {
    /// The command line: the program's file name and its arguments (quoted when needed).
    pub command: String,
    /// UTC date and time, `YYYY-MM-DD HH:MM UTC`.
    pub date: String,
    /// `git rev-parse --short HEAD` in the document's directory, with `-dirty` when
    /// `git status --porcelain` lists anything; `unknown (no git)` without git.
    pub commit: String,
    /// CPU model (from `/proc/cpuinfo`), logical CPU count, architecture and OS.
    pub machine: String,
    /// `release` or `debug` (the profile this code was built with).
    pub profile: String,
}

impl RunInfo {
    /// Collects the run's description now; `doc` locates the git repository.
    pub fn collect(doc: &Path) -> RunInfo {
        RunInfo {
            command: command_line(std::env::args()),
            date: utc_date(SystemTime::now()),
            commit: git_commit(doc).unwrap_or_else(|| "unknown (no git)".to_owned()),
            machine: machine(),
            profile: if cfg!(debug_assertions) {
                "debug"
            } else {
                "release"
            }
            .to_owned(),
        }
    }
}

/// The program's file name followed by its arguments, each quoted for a POSIX shell when it
/// holds anything but plain characters.
pub fn command_line(args: impl IntoIterator<Item = String>) -> String {
    let mut args = args.into_iter();
    let program = args
        .next()
        .map(|p| {
            Path::new(&p)
                .file_name()
                .map_or(p.clone(), |n| n.to_string_lossy().into_owned())
        })
        .unwrap_or_default();
    let mut out = program;
    for arg in args {
        out.push(' ');
        let plain = !arg.is_empty()
            && arg
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_./:=,+@%".contains(c));
        if plain {
            out.push_str(&arg);
        } else {
            let _ = write!(out, "'{}'", arg.replace('\'', r"'\''"));
        }
    }
    out
}

/// `time` as `YYYY-MM-DD HH:MM UTC` (the proleptic Gregorian calendar; times before 1970 are
/// shown as 1970-01-01 00:00).
pub fn utc_date(time: SystemTime) -> String {
    let secs = time
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let days = (secs / 86_400) as i64;
    let (hour, minute) = ((secs % 86_400) / 3600, (secs % 3600) / 60);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02} {hour:02}:{minute:02} UTC")
}

/// The short commit of the repository holding `doc`, `-dirty` when it has changes; `None`
/// without git or outside a repository.
fn git_commit(doc: &Path) -> Option<String> {
    let dir = match doc.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(args)
            .output()
            .ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
    };
    let commit = git(&["rev-parse", "--short", "HEAD"])?.trim().to_owned();
    if commit.is_empty() {
        return None;
    }
    let dirty = git(&["status", "--porcelain"]).is_some_and(|s| !s.trim().is_empty());
    Some(if dirty {
        format!("{commit}-dirty")
    } else {
        commit
    })
}

/// "CPU model, N logical CPUs, arch os".
fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|text| cpu_model(&text))
        .unwrap_or_else(|| "unknown CPU".to_owned());
    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    format!(
        "{cpu}, {cores} logical CPUs, {} {}",
        std::env::consts::ARCH,
        std::env::consts::OS
    )
}

/// The first `model name` (x86) or `Model`/`Hardware` (ARM) value in `/proc/cpuinfo` text.
fn cpu_model(cpuinfo: &str) -> Option<String> {
    ["model name", "Model", "Hardware"].iter().find_map(|key| {
        cpuinfo.lines().find_map(|line| {
            let (k, v) = line.split_once(':')?;
            (k.trim() == *key && !v.trim().is_empty())
                .then(|| v.split_whitespace().collect::<Vec<_>>().join(" "))
        })
    })
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    const DOC: &str = "# Benchmarks\n\nIntro.\n\n## a\nhistory of a\n<!-- bench:a begin -->\nold a\nmore old a\n<!-- bench:a end -->\n\n## b\n<!-- bench:b begin -->\nold b\n<!-- bench:b end -->\ntrailer\n";

    #[test]
    fn replaces_only_the_text_between_the_markers() {
        let new = rewrite(DOC, "a", "new a").expect("rewrite");
        assert_eq!(new, DOC.replace("old a\nmore old a\n", "new a\n"));
    }

    #[test]
    fn keeps_everything_outside_byte_for_byte() {
        // CRLF line ends, no line break at the end, trailing spaces around the markers.
        let doc = "head\r\n  <!-- bench:a begin -->  \r\nold\r\n<!-- bench:a end -->\r\ntail";
        let new = rewrite(doc, "a", "new\n").expect("rewrite");
        assert_eq!(
            new,
            "head\r\n  <!-- bench:a begin -->  \r\nnew\n<!-- bench:a end -->\r\ntail"
        );
        // Rewriting again with the same block changes nothing.
        assert_eq!(rewrite(&new, "a", "new\n").expect("again"), new);
    }

    #[test]
    fn two_sections_are_replaced_independently() {
        let once = rewrite(DOC, "b", "new b\n").expect("b");
        let twice = rewrite(&once, "a", "new a\n").expect("a");
        assert_eq!(
            twice,
            DOC.replace("old a\nmore old a\n", "new a\n")
                .replace("old b\n", "new b\n")
        );
        // The same result in the other order.
        let other = rewrite(&rewrite(DOC, "a", "new a\n").expect("a"), "b", "new b\n").expect("b");
        assert_eq!(twice, other);
    }

    #[test]
    fn a_missing_section_is_appended_at_the_end() {
        let new = rewrite(DOC, "c", "c's block\n").expect("rewrite");
        assert_eq!(
            new,
            format!("{DOC}\n## c\n<!-- bench:c begin -->\nc's block\n<!-- bench:c end -->\n")
        );
        // A document without a final line break gets one first.
        let new = rewrite("text", "c", "x").expect("rewrite");
        assert_eq!(
            new,
            "text\n\n## c\n<!-- bench:c begin -->\nx\n<!-- bench:c end -->\n"
        );
        // Recording again replaces the appended section instead of appending a second one.
        assert_eq!(
            rewrite(&new, "c", "y").expect("again"),
            new.replace("\nx\n", "\ny\n")
        );
    }

    #[test]
    fn markers_quoted_in_text_and_prefixed_names_are_not_markers() {
        let doc = "Sections live between `<!-- bench:a begin -->` and `<!-- bench:a end -->`.\n\
                   <!-- bench:ab begin -->\nab\n<!-- bench:ab end -->\n";
        let new = rewrite(doc, "a", "a\n").expect("rewrite");
        assert!(new.starts_with(doc), "{new}");
        assert!(new.ends_with("## a\n<!-- bench:a begin -->\na\n<!-- bench:a end -->\n"));
    }

    #[test]
    fn unpaired_or_duplicate_markers_are_errors() {
        let unpaired = |doc: &str| match rewrite(doc, "a", "x") {
            Err(RecordError::Unpaired { line, missing, .. }) => (line, missing),
            other => panic!("{other:?}"),
        };
        assert_eq!(unpaired("x\n<!-- bench:a begin -->\ny\n"), (2, "end"));
        assert_eq!(unpaired("<!-- bench:a end -->\n"), (1, "begin"));
        assert_eq!(
            unpaired("<!-- bench:a end -->\n<!-- bench:a begin -->\n"),
            (1, "begin")
        );
        let doc = "<!-- bench:a begin -->\n<!-- bench:a end -->\n<!-- bench:a begin -->\n";
        assert!(matches!(
            rewrite(doc, "a", "x"),
            Err(RecordError::Duplicate {
                which: "begin",
                first: 1,
                second: 3,
                ..
            })
        ));
    }

    #[test]
    fn tables_render_as_markdown() {
        let mut t = Table::new(["seq", "bytes"]);
        t.row(["scroll", "5.8 KB"]).row(["a|b\nc"]);
        assert_eq!(
            t.to_markdown(),
            "| seq | bytes |\n|---|---|\n| scroll | 5.8 KB |\n| a\\|b c |  |\n"
        );
    }

    #[test]
    fn render_lists_the_run_and_warns_about_debug_builds() {
        let mut report = Report::new("porpoise-x");
        report
            .text("Some text.")
            .table(Table::new(["a"]).row(["1"]));
        let mut info = RunInfo {
            command: "porpoise-x --record docs/benchmarks.md".into(),
            date: "2026-12-07 10:00 UTC".into(),
            commit: "abc1234-dirty".into(),
            machine: "Some CPU, 2 logical CPUs, x86_64 linux".into(),
            profile: "release".into(),
        };
        let text = report.render(&info);
        assert_eq!(
            text,
            "Written by `porpoise-x --record`:\n\
             a new run replaces everything between the markers.\n\
             \n\
             - command: `porpoise-x --record docs/benchmarks.md`\n\
             - date: 2026-12-07 10:00 UTC\n\
             - commit: abc1234-dirty\n\
             - machine: Some CPU, 2 logical CPUs, x86_64 linux\n\
             - build: release\n\
             \n\
             Some text.\n\
             \n\
             | a |\n|---|\n| 1 |\n"
        );
        info.profile = "debug".into();
        assert!(report.render(&info).contains("**Warning: debug build.**"));
    }

    #[test]
    fn record_rewrites_the_file_in_place() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("benchmarks.md");
        std::fs::write(&path, DOC).expect("write");
        let mut report = Report::new("b");
        report.text("fresh");
        report.record(&path).expect("record");
        let new = std::fs::read_to_string(&path).expect("read");
        let (head, rest) = DOC.split_once("old b\n").expect("split");
        assert!(new.starts_with(head) && new.ends_with(rest), "{new}");
        assert!(new.contains("\nfresh\n<!-- bench:b end -->"), "{new}");
        // Nothing else is left in the directory (the temporary file was renamed).
        assert_eq!(std::fs::read_dir(dir.path()).expect("ls").count(), 1);
        // A missing document is an error, not a new file.
        let missing = dir.path().join("missing.md");
        assert!(matches!(
            report.record(&missing),
            Err(RecordError::Read { .. })
        ));
        assert!(!missing.exists());
    }

    #[test]
    fn dates_are_utc_calendar_dates() {
        let at = |secs: u64| utc_date(SystemTime::UNIX_EPOCH + Duration::from_secs(secs));
        assert_eq!(at(0), "1970-01-01 00:00 UTC");
        assert_eq!(at(951_782_400), "2000-02-29 00:00 UTC");
        assert_eq!(at(1_798_675_260), "2026-12-31 00:01 UTC");
        assert_eq!(at(1_799_711_999), "2027-01-11 23:59 UTC");
    }

    #[test]
    fn command_lines_use_the_program_name_and_quote_odd_arguments() {
        let args = [
            "/work/main/target/release/porpoise-codec-bench",
            "--frames",
            "90",
            "--record",
            "docs/benchmarks.md",
            "a b",
            "it's",
        ];
        assert_eq!(
            command_line(args.map(String::from)),
            "porpoise-codec-bench --frames 90 --record docs/benchmarks.md 'a b' 'it'\\''s'"
        );
    }

    #[test]
    fn cpu_model_comes_from_cpuinfo() {
        let x86 = "processor\t: 0\nvendor_id\t: GenuineIntel\nmodel\t\t: 85\nmodel name\t: Intel(R) Xeon(R)   CPU @ 2.20GHz\n";
        assert_eq!(
            cpu_model(x86).as_deref(),
            Some("Intel(R) Xeon(R) CPU @ 2.20GHz")
        );
        let arm =
            "processor\t: 0\nBogoMIPS\t: 108.00\n\nModel\t\t: Raspberry Pi 4 Model B Rev 1.4\n";
        assert_eq!(
            cpu_model(arm).as_deref(),
            Some("Raspberry Pi 4 Model B Rev 1.4")
        );
        assert_eq!(cpu_model(""), None);
    }
}
