//! Reading a library spreadsheet (.xlsx) into a [`LibraryFile`] (M7); the format is documented
//! on [`LibraryFile::from_xlsx`]. calamine does the reading; the checks are the JSON import's.

use std::io::Cursor;

use calamine::{open_workbook_from_rs, Data, Range, Reader, Xlsx};

use super::library::{CannedEntry, ImportError, KnowledgeEntry, LibraryFile};

/// Header names accepted for each column (compared trimmed and case-insensitively).
const CATEGORY: &[&str] = &["category", "分类"];
const TITLE: &[&str] = &["title", "标题"];
const TEXT: &[&str] = &["text", "内容", "回复", "回复内容"];
const PATH: &[&str] = &["path", "路径", "目录"];
const KEYWORDS: &[&str] = &["keywords", "关键词"];

/// Sheet names accepted.
const CANNED_SHEETS: &[&str] = &["canned", "常用语", "快捷回复"];
const KNOWLEDGE_SHEETS: &[&str] = &["knowledge", "知识库"];

fn sheet_error(e: impl std::fmt::Display) -> ImportError {
    ImportError::Spreadsheet(e.to_string())
}

fn named(name: &str, choices: &[&str]) -> bool {
    let n = name.trim().to_lowercase();
    choices.iter().any(|c| n == *c)
}

fn cell(row: &[Data], col: Option<usize>) -> String {
    col.and_then(|c| row.get(c))
        .map(|d| match d {
            Data::Empty => String::new(),
            other => other.to_string(),
        })
        .unwrap_or_default()
        .trim()
        .to_owned()
}

/// The column index of each wanted header in the first row; `Err` naming the sheet and a
/// missing required column.
fn columns(
    sheet: &str,
    range: &Range<Data>,
    wanted: &[(&[&str], bool)],
) -> Result<Vec<Option<usize>>, ImportError> {
    let header: Vec<String> = range
        .rows()
        .next()
        .map(|r| r.iter().map(|d| d.to_string()).collect())
        .unwrap_or_default();
    wanted
        .iter()
        .map(|(names, required)| {
            let at = header.iter().position(|h| named(h, names));
            if at.is_none() && *required {
                Err(ImportError::Spreadsheet(format!(
                    "sheet {sheet:?} has no column {:?}",
                    names[0]
                )))
            } else {
                Ok(at)
            }
        })
        .collect()
}

/// Puts `keywords` and `text` at `path` (folders made as needed) in `roots`.
fn place(roots: &mut Vec<KnowledgeEntry>, path: &[&str], keywords: Vec<String>, text: String) {
    let Some((first, rest)) = path.split_first() else {
        return;
    };
    let index = match roots.iter().position(|n| n.title == *first) {
        Some(i) => i,
        None => {
            roots.push(KnowledgeEntry {
                title: (*first).to_owned(),
                keywords: Vec::new(),
                text: String::new(),
                children: Vec::new(),
            });
            roots.len() - 1
        }
    };
    let node = &mut roots[index];
    if rest.is_empty() {
        node.keywords = keywords;
        node.text = text;
    } else {
        place(&mut node.children, rest, keywords, text);
    }
}

/// Reads the sheets (unchecked; see [`LibraryFile::from_xlsx`]).
pub(super) fn read(bytes: &[u8]) -> Result<LibraryFile, ImportError> {
    let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).map_err(sheet_error)?;
    let names = book.sheet_names().to_vec();
    let mut file = LibraryFile::default();
    if let Some(name) = names.iter().find(|n| named(n, CANNED_SHEETS)) {
        let range = book.worksheet_range(name).map_err(sheet_error)?;
        let cols = columns(
            name,
            &range,
            &[(CATEGORY, false), (TITLE, true), (TEXT, true)],
        )?;
        for row in range.rows().skip(1) {
            let (category, title, text) =
                (cell(row, cols[0]), cell(row, cols[1]), cell(row, cols[2]));
            if title.is_empty() && text.is_empty() {
                continue;
            }
            file.canned.push(CannedEntry {
                category,
                title,
                text,
            });
        }
    }
    if let Some(name) = names.iter().find(|n| named(n, KNOWLEDGE_SHEETS)) {
        let range = book.worksheet_range(name).map_err(sheet_error)?;
        let cols = columns(
            name,
            &range,
            &[(PATH, true), (KEYWORDS, false), (TEXT, false)],
        )?;
        for row in range.rows().skip(1) {
            let path = cell(row, cols[0]);
            let parts: Vec<&str> = path
                .split('/')
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .collect();
            if parts.is_empty() {
                continue;
            }
            let keywords = cell(row, cols[1])
                .split([',', '，'])
                .map(str::trim)
                .filter(|k| !k.is_empty())
                .map(str::to_owned)
                .collect();
            place(&mut file.knowledge, &parts, keywords, cell(row, cols[2]));
        }
    }
    Ok(file)
}
