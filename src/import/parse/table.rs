//! Cutting the table into rows. A row starts at a line holding only the next task number;
//! a page break (a "# Page N:" marker and the repeated header) cuts a row into segments,
//! because after the break each unfinished cell continues in column order. Lines keep
//! their text as written; a line holding "…。" followed by more text is cut after the 。
//! into pieces "glued" together, since the extraction sometimes runs the end of the content
//! and the lead cell into one line ("持续推进全市数据共享开放工作。市委网信办").

use super::names::{is_dash, looks_complete, split_raw};
use super::notice::preview;
use super::{ParseError, error};

/// The column titles of the table, in order.
pub(super) const HEADER: [&str; 5] = ["序号", "重点任务", "主要内容", "牵头部门", "责任单位"];

/// A row longer than this many pieces is not a row of this layout: stop rather than try
/// every way to cut it.
const MAX_ROW_PIECES: usize = 200;

/// A piece of a source line.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Piece<'a> {
    pub text: &'a str,
    /// 1-based source line.
    pub line: usize,
    /// The next piece comes from the same source line.
    pub glued: bool,
}

/// A table row: its task number and its pieces, per page segment (none empty).
#[derive(Debug, Clone, PartialEq)]
pub(super) struct RawRow<'a> {
    pub number: i32,
    /// 1-based line of the task number.
    pub line: usize,
    pub segments: Vec<Vec<Piece<'a>>>,
}

pub(super) fn is_page_marker(line: &str) -> bool {
    line.trim().strip_prefix('#').is_some_and(|rest| rest.trim_start().starts_with("Page"))
}

/// If the table header starts at line index `start` (in one line or several), the index of
/// the line after it.
pub(super) fn header_at(lines: &[&str], start: usize) -> Option<usize> {
    let full = HEADER.concat();
    let mut seen = String::new();
    for (i, line) in lines.iter().enumerate().skip(start) {
        let compact: String = line.chars().filter(|c| !c.is_whitespace()).collect();
        if compact.is_empty() {
            return None;
        }
        seen.push_str(&compact);
        if seen == full {
            return Some(i + 1);
        }
        if !full.starts_with(&seen) {
            return None;
        }
    }
    None
}

/// The first table header at or after line index `from`: (its first line, the line after it).
pub(super) fn find_header(lines: &[&str], from: usize) -> Option<(usize, usize)> {
    (from..lines.len()).find_map(|i| header_at(lines, i).map(|end| (i, end)))
}

/// A task-number line: only ASCII digits.
fn task_number(line: &str) -> Option<i32> {
    let t = line.trim();
    if t.is_empty() || t.len() > 4 || !t.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    t.parse().ok()
}

/// Whether a piece can be the last line of a row (so that a number after it is a task
/// number, not a number inside a sentence): a finished sentence, "—", or a complete name.
fn ends_a_row(text: &str) -> bool {
    let t = text.trim();
    is_dash(t) || t.ends_with('。') || split_raw(t).last().is_some_and(|name| looks_complete(name))
}

/// Cut a source line after each 。 that has more text behind it.
fn pieces_of(text: &str, line: usize) -> Vec<Piece<'_>> {
    let mut pieces = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find('。') {
        let cut = at + '。'.len_utf8();
        let (head, tail) = (rest.get(..cut).unwrap_or_default(), rest.get(cut..).unwrap_or_default());
        if tail.trim().is_empty() {
            break;
        }
        pieces.push(Piece { text: head, line, glued: true });
        rest = tail;
    }
    pieces.push(Piece { text: rest, line, glued: false });
    pieces
}

/// Cut the table (from line index `start`, just after the header) into rows numbered
/// 1, 2, 3 … without gaps.
pub(super) fn split_rows<'a>(lines: &[&'a str], start: usize) -> Result<Vec<RawRow<'a>>, ParseError> {
    let mut rows: Vec<RawRow<'a>> = Vec::new();
    let mut i = start;
    while let Some(line) = lines.get(i) {
        let line_no = i + 1;
        i += 1;
        if line.trim().is_empty() {
            continue;
        }
        // A page break: a marker and/or the repeated header. The current row goes on in a
        // new segment.
        let header_end = if is_page_marker(line) {
            let next = (i..lines.len()).find(|&j| lines.get(j).is_some_and(|l| !l.trim().is_empty()));
            next.and_then(|j| header_at(lines, j))
        } else {
            header_at(lines, i - 1)
        };
        if is_page_marker(line) || header_end.is_some() {
            if let Some(end) = header_end {
                i = end;
            }
            let open_row = rows.last_mut().filter(|row| row.segments.last().is_some_and(|s| !s.is_empty()));
            if let Some(row) = open_row {
                row.segments.push(Vec::new());
            }
            continue;
        }
        // A header word alone is a header the extraction broke, not text of a cell.
        let compact: String = line.chars().filter(|c| !c.is_whitespace()).collect();
        if HEADER.contains(&compact.as_str()) {
            return Err(error(
                line_no,
                format!("broken table header: expected {} on consecutive lines, found “{compact}”", HEADER.join(" ")),
            ));
        }
        let expected = rows.last().map_or(1, |r| r.number + 1);
        match task_number(line) {
            Some(n) if n == expected => {
                rows.push(RawRow { number: n, line: line_no, segments: vec![Vec::new()] });
                continue;
            }
            // Another number where a row could end is a task number out of sequence; far
            // off (a year, a quantity), it is text.
            Some(n) if n < expected + 100 => {
                let last_piece = rows.last().and_then(|r| r.segments.iter().flatten().last());
                if last_piece.is_none_or(|p| ends_a_row(p.text)) {
                    return Err(error(line_no, format!("expected task number {expected}, found {n}")));
                }
            }
            _ => {}
        }
        let Some(row) = rows.last_mut() else {
            return Err(error(line_no, format!("expected task number 1, found “{}”", preview(line))));
        };
        let count: usize = row.segments.iter().map(Vec::len).sum();
        if count >= MAX_ROW_PIECES {
            return Err(error(
                row.line,
                format!(
                    "task {} runs on for more than {MAX_ROW_PIECES} lines: expected task number {} long before line {line_no}",
                    row.number,
                    row.number + 1
                ),
            ));
        }
        if let Some(segment) = row.segments.last_mut() {
            segment.extend(pieces_of(line, line_no));
        }
    }
    for row in &mut rows {
        row.segments.retain(|s| !s.is_empty());
    }
    if rows.is_empty() {
        return Err(error(start.max(1), "no task rows after the table header: expected task number 1"));
    }
    Ok(rows)
}
