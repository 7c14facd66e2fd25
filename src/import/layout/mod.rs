//! The layout step: a [`Source`] (any format) in, the list out. The list's table is found by
//! its header's labels ([`columns`]); rows become tasks, section rows and the category column
//! become categories, unit cells are split into roles ([`units`]), deadlines read
//! ([`deadline`]), other columns kept. A document without such a table is read as a prose
//! list ([`prose`]). Metadata comes from the text around the list ([`meta`]). Every error
//! names its place (page or sheet, row) and column.

mod columns;
pub mod deadline;
mod meta;
mod prose;
mod schedule;
mod table;
pub mod units;

pub use self::schedule::Schedule;

use std::fmt;

use chrono::NaiveDate;

use self::columns::Column;
use self::table::TableReader;
use super::model::{ParsedCategory, ParsedDocument, ParsedTask};
use super::source::{Block, Place, Row, Source, Table};

/// What the user says where the document does not.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Options {
    /// The issuing office, when no notice names it (it overrides the notice when given).
    pub issuer: Option<String>,
    /// The date of issue, when the document carries none.
    pub issued_on: Option<NaiveDate>,
    /// Report deadlines, when the notice names none (default: the 10th after each quarter).
    pub schedule: Option<Schedule>,
}

/// Text the layout step cannot read: where, in which column, and what it expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct LayoutError {
    pub place: Place,
    pub column: Option<String>,
    pub message: String,
}

impl LayoutError {
    pub fn new(place: Place, column: Option<String>, message: impl Into<String>) -> Self {
        Self { place, column, message: message.into() }
    }
}

impl fmt::Display for LayoutError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.column {
            Some(c) => write!(f, "{}, column {c}: {}", self.place, self.message),
            None => write!(f, "{}: {}", self.place, self.message),
        }
    }
}

/// The list as read, with what the reader noticed but could read anyway.
#[derive(Debug, Clone, PartialEq)]
pub struct Laid {
    pub doc: ParsedDocument,
    pub warnings: Vec<String>,
}

/// Rows above a header that may still be the title and notice (a sheet's merged title row).
const HEADER_SEARCH: usize = 15;

/// Where the list's header is: (block index, row index, roles, labels).
fn find_header(source: &Source) -> Option<(usize, usize, Vec<Column>, Vec<String>)> {
    source.blocks.iter().enumerate().find_map(|(b, block)| {
        let Block::Table(t) = block else { return None };
        (0..t.rows.len().min(HEADER_SEARCH)).find_map(|r| {
            let labels = header_labels(t, r);
            let roles = columns::assign(&labels)?;
            Some((b, r, roles, labels))
        })
    })
}

/// A header's labels; with a second header row under cells merged across ("责任单位" over
/// "牵头单位|配合单位"), the lower labels where they name something.
fn header_labels(t: &Table, r: usize) -> Vec<String> {
    let Some(row) = t.rows.get(r) else { return Vec::new() };
    let mut labels: Vec<String> = row.cells.iter().map(|c| c.text.clone()).collect();
    if let Some(next) = t.rows.get(r + 1) {
        // A two-row header has several cells above, one of them merged across ("责任单位" over
        // "牵头单位|配合单位"); a title row is one cell across the table.
        let mut origins: Vec<(usize, usize)> =
            row.cells.iter().filter(|c| !c.text.is_empty()).map(|c| c.origin).collect();
        origins.dedup();
        let merged_across = origins.len() >= 2 && row.cells.iter().enumerate().any(|(i, c)| c.origin.1 != i);
        let below_is_labels = next.cells.iter().enumerate().all(|(i, c)| {
            let upper = row.cells.get(i);
            upper.is_some_and(|u| u.origin == c.origin) || c.text.chars().count() <= 8
        });
        if merged_across && below_is_labels {
            for (i, c) in next.cells.iter().enumerate() {
                let from_above = row.cells.get(i).is_some_and(|u| u.origin == c.origin);
                if let (false, Some(l)) = (from_above || c.text.is_empty(), labels.get_mut(i)) {
                    *l = c.text.clone();
                }
            }
        }
    }
    labels
}

/// Texts of a table's rows above its header (a title row, a notice merged across).
fn row_texts(rows: &[Row]) -> Vec<String> {
    let mut out = Vec::new();
    for row in rows {
        let mut seen = Vec::new();
        for c in &row.cells {
            if !c.text.is_empty() && !seen.contains(&c.origin) {
                seen.push(c.origin);
                out.push(c.text.clone());
            }
        }
    }
    out
}

fn paragraph_texts<'a>(blocks: impl Iterator<Item = &'a Block>) -> Vec<String> {
    blocks
        .flat_map(|b| match b {
            Block::Paragraph(p) => vec![p.text.clone()],
            Block::Table(t) => row_texts(&t.rows),
        })
        .collect()
}

/// Lays out a source read from any format.
pub fn lay_out(source: &Source, opts: &Options) -> Result<Laid, LayoutError> {
    let Some((b, r, roles, labels)) = find_header(source) else {
        return prose::lay_out_prose(source, opts);
    };
    let mut front = paragraph_texts(source.blocks.iter().take(b));
    let header_place = match source.blocks.get(b) {
        Some(Block::Table(t)) => {
            front.extend(row_texts(t.rows.get(..r).unwrap_or_default()));
            t.rows.get(r).map(|row| row.place.clone()).unwrap_or_default()
        }
        _ => Place::default(),
    };
    let mut reader = TableReader::new(roles, labels);
    let mut back = Vec::new();
    let mut first_row = r + 1;
    for block in source.blocks.iter().skip(b) {
        match block {
            Block::Table(t)
                if !reader.ended && (t.rows.first().is_some_and(|row| row.cells.len() == reader.labels.len())) =>
            {
                for row in t.rows.iter().skip(first_row) {
                    if reader.ended {
                        back.extend(row_texts(std::slice::from_ref(row)));
                    } else {
                        reader.row(row)?;
                    }
                }
                first_row = 0;
            }
            Block::Table(t) => {
                reader.ended = true;
                back.extend(row_texts(&t.rows));
            }
            Block::Paragraph(p) => {
                // Paragraphs between continued tables ("续表") do not end the list.
                back.push(p.text.clone());
            }
        }
    }
    let first_leads = front.iter().chain(&back).chain(&reader.notes).any(|t| says_first_leads(t));
    let meta = meta::read_meta(&front, &back, &header_place, opts)?;
    reader.finish(meta, first_leads, &header_place)
}

/// "列第一位的为牵头单位", "排在第一位的为牵头单位", "第一个单位为牵头单位" …
fn says_first_leads(text: &str) -> bool {
    let t: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    (t.contains("第一位") || t.contains("第一个") || t.contains("首位")) && t.contains("牵头")
}

/// A section row's ordinal: "一、", "（一）", "(一)", "第一部分".
pub(crate) fn strip_section(text: &str) -> Option<&str> {
    const NUMERALS: &str = "一二三四五六七八九十百零";
    let t = text.trim();
    if let Some(rest) = t.strip_prefix(['（', '(']) {
        let close = rest.find(['）', ')'])?;
        let ordinal = rest.get(..close)?;
        let after = rest.get(close..)?.strip_prefix(['）', ')'])?;
        if !ordinal.is_empty() && ordinal.chars().all(|c| NUMERALS.contains(c)) {
            return Some(after.trim());
        }
        return None;
    }
    if let Some(rest) = t.strip_prefix('第') {
        let end = rest.char_indices().find(|(_, c)| !NUMERALS.contains(*c))?;
        let tail = rest.get(end.0..)?;
        for unit in ["部分", "章", "节", "类", "项"] {
            if let Some(r) = tail.strip_prefix(unit) {
                return Some(r.trim_start_matches(['、', '：', ':', ' ']).trim());
            }
        }
        return None;
    }
    let end = t.char_indices().find(|(_, c)| !NUMERALS.contains(*c))?;
    if end.0 == 0 {
        return None;
    }
    t.get(end.0..)?.strip_prefix(['、', '．', '.']).map(str::trim)
}

/// A category cell's name without its ordinal: "1.优化企业开办服务", "一、…", "（一）…" → the name.
pub(crate) fn category_name(text: &str) -> String {
    let t: String = text.chars().filter(|c| *c != '\n').collect();
    let t = t.trim();
    if let Some(rest) = strip_section(t) {
        return rest.to_owned();
    }
    let digits = t.trim_start_matches(|c: char| c.is_ascii_digit());
    if digits.len() < t.len()
        && let Some(rest) = digits.strip_prefix(['.', '．', '、', ' '])
    {
        return rest.trim().to_owned();
    }
    t.to_owned()
}

/// The list, with the metadata's warnings before the rows'. Categories without tasks (an outer
/// section over inner ones) are dropped and the rest numbered 1… in document order.
fn document(
    meta: meta::Meta,
    categories: Vec<ParsedCategory>,
    mut tasks: Vec<ParsedTask>,
    warnings: Vec<String>,
) -> Laid {
    let used: Vec<i32> =
        categories.iter().map(|c| c.number).filter(|n| tasks.iter().any(|t| t.category_number == *n)).collect();
    let number = |i: usize| i32::try_from(i + 1).unwrap_or(i32::MAX);
    let categories: Vec<ParsedCategory> = categories
        .into_iter()
        .filter(|c| used.contains(&c.number))
        .enumerate()
        .map(|(i, c)| ParsedCategory { number: number(i), name: c.name })
        .collect();
    for t in &mut tasks {
        t.category_number = used.iter().position(|n| *n == t.category_number).map_or(1, number);
    }
    let mut all = meta.warnings;
    all.extend(warnings);
    let doc = ParsedDocument {
        region: meta.region,
        title: meta.title,
        issuer: meta.issuer,
        issued_on: meta.issued_on,
        year: meta.year,
        schedule: meta.schedule,
        categories,
        tasks,
    };
    Laid { doc, warnings: all }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::source::table::GridBuilder;

    /// 序号 and 工作任务 merged down over two header rows; 责任单位 merged across 牵头单位|配合单位.
    #[test]
    fn a_two_row_header_takes_the_lower_labels_under_a_cell_merged_across() {
        let mut g = GridBuilder::default();
        g.put(0, 0, 1, 4, "天津市2024年重点任务责任分工方案");
        g.put(1, 0, 2, 1, "序号");
        g.put(1, 1, 2, 1, "工作任务");
        g.put(1, 2, 1, 2, "责任单位");
        g.put(2, 2, 1, 1, "牵头单位");
        g.put(2, 3, 1, 1, "配合单位");
        g.put(3, 0, 1, 1, "1");
        g.put(3, 1, 1, 1, "优化营商环境。");
        g.put(3, 2, 1, 1, "市发展改革委");
        g.put(3, 3, 1, 1, "市商务局、市财政局");
        let mut source = Source::default();
        source.paragraph("天津市人民政府办公厅关于印发《天津市2024年重点任务责任分工方案》的通知", Place::default());
        source.table(g.build(100).expect("a small grid"));
        let laid = lay_out(&source, &Options::default()).expect("the list reads");
        let task = laid.doc.tasks.first().expect("one task");
        assert_eq!(task.leads, ["市发展改革委"]);
        assert_eq!(task.responsible, ["市商务局", "市财政局"]);
        assert_eq!(laid.doc.categories.first().map(|c| c.name.as_str()), Some("天津市2024年重点任务责任分工方案"));
        assert_eq!(laid.doc.region, "天津");
    }

    #[test]
    fn section_ordinals_are_stripped_from_category_names() {
        assert_eq!(category_name("一、优化企业开办服务"), "优化企业开办服务");
        assert_eq!(category_name("（二）提升效能"), "提升效能");
        assert_eq!(category_name("12.深化政府采购改革"), "深化政府采购改革");
        assert_eq!(category_name("第三部分 强化要素保障"), "强化要素保障");
    }
}
