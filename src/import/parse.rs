//! The reader of the PDF text extraction of SPEC §1: its text in, the notice's metadata and
//! the table's cells out ([`Extraction`]), which the layout step maps onto the list like any
//! other format's (`import::parse_document`). Pure — no I/O, no database — and it returns a
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

use super::model::{ParseError, ParsedCategory, ParsedDeadline, ParsedTask};
use super::source::table::{GridBuilder, Place, Source};

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

/// The text extraction of SPEC §1 as its reader sees it: the metadata its notice gives (read by
/// the notice's own rules) and the table rebuilt as cells, for the layout step.
#[derive(Debug, Clone, PartialEq)]
pub struct Extraction {
    /// From the compilation's section heading ("（二）天津" → 天津).
    pub region: String,
    pub title: String,
    pub year: i32,
    pub issuer: String,
    pub issued_on: chrono::NaiveDate,
    pub schedule: Vec<ParsedDeadline>,
    /// The notice and title as paragraphs, the table as rows of cells (each row's place is the
    /// line of its task number).
    pub source: Source,
}

/// The labels of the table of SPEC §1, as the layout step reads them.
const LABELS: [&str; 5] = ["序号", "重点任务", "主要内容", "牵头部门", "责任单位"];

/// Reads the text extraction of SPEC §1 into its metadata and cells; an error names the line.
pub fn read_extraction(text: &str) -> Result<Extraction, ParseError> {
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
    let mut source = Source::default();
    let notice_text: String = notice_lines.iter().filter(|l| !table::is_page_marker(l)).map(|l| l.trim()).collect();
    source.paragraph(notice_text, Place::new("line", heading.index + 2));
    source.paragraph(title.clone(), Place::new("line", title_line));
    let mut grid = GridBuilder::default();
    for (col, label) in LABELS.iter().enumerate() {
        grid.put(0, col, 1, 1, *label);
    }
    grid.place(0, Place::new("line", header_start + 1));
    let units = |names: &[String]| if names.is_empty() { "—".to_owned() } else { names.join("、") };
    for (i, task) in tasks.iter().enumerate() {
        let row = i + 1;
        let opens = tasks.get(i.wrapping_sub(1)).is_none_or(|before| before.category_number != task.category_number);
        let category = categories
            .iter()
            .find(|c| opens && c.number == task.category_number)
            .map(|c| format!("{}.{}", c.number, c.name))
            .unwrap_or_default();
        let cells =
            [task.number.to_string(), category, task.content.clone(), units(&task.leads), units(&task.responsible)];
        for (col, text) in cells.into_iter().enumerate() {
            grid.put(row, col, 1, 1, text);
        }
        grid.place(row, Place::new("line", task.line));
    }
    let table =
        grid.build(crate::import::source::MAX_CELLS).ok_or_else(|| error(lines.len(), "the table is too large"))?;
    source.table(table);
    Ok(Extraction {
        region: heading.region,
        title,
        year,
        issuer: notice.issuer,
        issued_on: notice.issued_on,
        schedule: notice.schedule,
        source,
    })
}
