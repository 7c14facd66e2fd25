//! The document parser: the text of a responsibility list (a PDF text extraction, see
//! SPEC §1) in, [`ParsedDocument`] out. Pure — no I/O, no database — and it returns a
//! [`ParseError`] (line, what was expected) rather than panicking on any input.
//!
//! The text is read top-down:
//! 1. `notice`: the region heading ("（二）天津"), the notice title (issuer before 关于,
//!    date in brackets) and the reporting schedule in the notice body;
//! 2. the list title (the line before the table header: title and year);
//! 3. `table`: task-number lines and page breaks cut the table into rows of page segments;
//! 4. `rows` / `cells`: each row's lines are assigned to its cells by the cheapest
//!    reading under a small cost model (column widths measured on the document, sentence
//!    ends, complete department names), and department cells are split by `names`.
//!
//! Nothing is specific to one region or list: the region, issuer, year, schedule, number of
//! rows and categories, column widths and department names all come from the text.

mod cells;
mod names;
pub(crate) mod notice;
mod rows;
mod table;
mod width;

#[cfg(test)]
mod tests;

pub use names::{balanced, looks_complete, split_departments};

use super::model::{ParseError, ParsedCategory, ParsedDeadline, ParsedDocument, ParsedTask};

fn error(line: usize, message: impl Into<String>) -> ParseError {
    ParseError { line, message: message.into() }
}

/// Whether `text` is a PDF text extraction in the layout of SPEC §1: a compilation's region
/// heading ("（二）天津") followed somewhere by that table's header (序号 重点任务 主要内容 牵头部门
/// 责任单位, in one line or broken over several). Other texts go through the table pipeline.
pub fn is_extraction(text: &str) -> bool {
    let lines: Vec<&str> = text.lines().collect();
    notice::find_region_heading(&lines).is_some_and(|h| table::find_header(&lines, h.index + 1).is_some())
}

/// Parse the whole text of one responsibility list.
pub fn parse_document(text: &str) -> Result<ParsedDocument, ParseError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(error(
            1,
            "the text is empty: expected a responsibility list (region heading, notice, list title, table)",
        ));
    }
    let lines: Vec<&str> = text.lines().collect();
    let Some(heading) = notice::find_region_heading(&lines) else {
        let first = lines.iter().position(|l| !l.trim().is_empty() && !table::is_page_marker(l)).unwrap_or(0);
        return Err(error(
            first + 1,
            format!(
                "expected the compilation's region heading (e.g. “（二）天津”), found “{}”",
                notice::preview(lines.get(first).copied().unwrap_or_default())
            ),
        ));
    };
    let Some((header_start, header_end)) = table::find_header(&lines, heading.index + 1) else {
        return Err(error(lines.len(), format!("no table header ({}) found", table::HEADER.join(" "))));
    };

    // The list title is the last line of text before the header.
    let title_index = (heading.index + 1..header_start)
        .rev()
        .find(|&i| lines.get(i).is_some_and(|l| !l.trim().is_empty() && !table::is_page_marker(l)));
    let title_line = title_index.map_or(header_start + 1, |i| i + 1);
    let title: String = title_index
        .and_then(|i| lines.get(i))
        .map(|l| l.chars().filter(|c| !c.is_whitespace()).collect())
        .unwrap_or_default();
    let Some(year) = notice::year_of_title(&title) else {
        return Err(error(
            title_line,
            format!(
                "expected the list title with its year (e.g. “天津市2023 年优化营商环境责任清单”) before the table header, found “{}”",
                notice::preview(&title)
            ),
        ));
    };
    let notice_lines = lines.get(heading.index + 1..title_line - 1).unwrap_or_default();
    if notice_lines.iter().all(|l| l.trim().is_empty() || table::is_page_marker(l)) {
        return Err(error(
            heading.index + 2,
            "expected the notice (“…关于印发…的通知（date）”) between the region heading and the list title",
        ));
    }
    let notice = notice::read_notice(notice_lines, heading.index + 1, year)?;

    let raw_rows = table::split_rows(&lines, header_end)?;
    let (categories, tasks) = rows::read_rows(&raw_rows)?;
    Ok(ParsedDocument {
        region: heading.region,
        title,
        issuer: notice.issuer,
        issued_on: notice.issued_on,
        year,
        schedule: notice.schedule,
        categories,
        tasks,
    })
}
