//! From raw rows to categories and tasks: which rows open a category, how wide the columns
//! are, and each row's cells.
//!
//! Column widths are measured on the document itself, in two passes. The category width is
//! the widest first line of a category cell ("12.深化政府采"). Then every row is read with
//! only that width known (content must end a sentence, department names must be complete,
//! ties to the shorter lead), and each column's width is the widest line that reading put
//! in it. The second pass reads every row with all four widths.

use super::cells::{Column, Outcome, Reading, Widths, read_row};
use super::names::split_departments;
use super::notice::preview;
use super::table::RawRow;
use super::width::width;
use super::{ParseError, ParsedCategory, ParsedTask, error};

/// A reading this costly explains the lines too badly to be trusted (four broken names, or
/// content without a sentence end and two broken names): report it instead.
const MAX_COST: u32 = 24;

struct Plan<'r, 'a> {
    row: &'r RawRow<'a>,
    /// The row opens a category ("N.name" is its first line).
    opens: bool,
    category: i32,
}

impl Plan<'_, '_> {
    fn columns(&self) -> Vec<Column> {
        let mut columns = Vec::with_capacity(4);
        if self.opens {
            columns.push(Column::Category);
        }
        columns.extend([Column::Content, Column::Lead, Column::Responsible]);
        columns
    }
}

/// "12.深化政府采" → 12 (a number, a dot, then a name that does not start with a digit).
pub(super) fn category_start(text: &str) -> Option<i32> {
    let t = text.trim_start();
    let digits_len = t.bytes().take_while(u8::is_ascii_digit).count();
    let (digits, rest) = (t.get(..digits_len)?, t.get(digits_len..)?);
    let name = rest.strip_prefix(['.', '．'])?.trim_start();
    let first = name.chars().next()?;
    if digits.is_empty() || digits.len() > 3 || first.is_ascii_digit() {
        return None;
    }
    digits.parse().ok()
}

pub(super) fn read_rows(rows: &[RawRow<'_>]) -> Result<(Vec<ParsedCategory>, Vec<ParsedTask>), ParseError> {
    let plans = plan_categories(rows)?;
    let widths = estimate_widths(&plans);
    let mut categories = Vec::new();
    let mut tasks = Vec::with_capacity(plans.len());
    for plan in &plans {
        let row = plan.row;
        let columns = plan.columns();
        let reading = match read_widening(row, &columns, widths) {
            Outcome::Read(reading) if reading.cost <= MAX_COST => reading,
            Outcome::TooComplex => {
                return Err(error(row.line, format!("task {} is too long to read ({})", row.number, span(row))));
            }
            _ => return Err(diagnose(plan, &widths)),
        };
        let mut cells = columns.iter().zip(&reading.parts);
        if plan.opens {
            if let Some((_, parts)) = cells.next() {
                let text = cell_text(row, parts, false);
                let name = text.trim_start().trim_start_matches(|c: char| c.is_ascii_digit());
                let name = name.trim_start_matches(['.', '．']).trim();
                categories.push(ParsedCategory { number: plan.category, name: name.to_owned() });
            }
        }
        let mut next = |trim| cells.next().map(|(_, parts)| cell_text(row, parts, trim)).unwrap_or_default();
        let content = next(false).trim().to_owned();
        let lead = next(true);
        let responsible = next(true);
        tasks.push(ParsedTask {
            number: row.number,
            category_number: plan.category,
            content,
            leads: split_departments(&lead),
            responsible: split_departments(&responsible),
            line: row.line,
        });
    }
    Ok((categories, tasks))
}

/// Read a row; if it does not read cleanly, again with wider department lines allowed.
/// Measured widths are lower bounds: a list whose measured department lines are all short
/// (one short name each) may still hold a longer line. Each department column's allowance
/// grows by one character at a time, up to the content width; the cheapest reading wins,
/// ties to the smaller allowance (fullness is still judged against the measured width, so
/// a wider allowance never makes a reading cheaper, it only admits more readings).
fn read_widening(row: &RawRow<'_>, columns: &[Column], widths: Widths) -> Outcome {
    let first = read_row(row, columns, &widths);
    match &first {
        Outcome::Read(reading) if reading.cost == 0 => return first,
        Outcome::TooComplex => return first,
        _ => {}
    }
    let content = widths.content.unwrap_or(0);
    let steps = |w: Option<usize>| w.map_or(0, |w| content.saturating_sub(w) / 2);
    let mut best: Option<((u32, usize), Reading)> = None;
    for lead_steps in 0..=steps(widths.lead) {
        for responsible_steps in 0..=steps(widths.responsible) {
            let wider = Widths { department_allowance: (2 * lead_steps, 2 * responsible_steps), ..widths };
            match read_row(row, columns, &wider) {
                Outcome::Read(reading) => {
                    let key = (reading.cost, lead_steps + responsible_steps);
                    if best.as_ref().is_none_or(|(best_key, _)| key < *best_key) {
                        best = Some((key, reading));
                    }
                }
                Outcome::TooComplex => return Outcome::TooComplex,
                Outcome::Unreadable => {}
            }
        }
    }
    best.map_or(first, |(_, reading)| Outcome::Read(reading))
}

/// Which rows open a category: the first line is "N.name" with N one more than the last.
fn plan_categories<'r, 'a>(rows: &'r [RawRow<'a>]) -> Result<Vec<Plan<'r, 'a>>, ParseError> {
    let mut current = 0;
    let mut plans = Vec::with_capacity(rows.len());
    for row in rows {
        let Some(first) = row.segments.first().and_then(|s| s.first()) else {
            return Err(error(
                row.line,
                format!(
                    "task {} has no cells: expected content (主要内容), lead (牵头部门) and responsible (责任单位) cells after the task number",
                    row.number
                ),
            ));
        };
        let opens = match category_start(first.text) {
            Some(n) if n == current + 1 => {
                current = n;
                true
            }
            Some(n) if n != current => {
                return Err(error(
                    first.line,
                    format!(
                        "expected key-task category {} (“{}.…”) or a task of category {current}, found category {n}",
                        current + 1,
                        current + 1
                    ),
                ));
            }
            _ => false,
        };
        if current == 0 {
            return Err(error(
                first.line,
                format!(
                    "task {} has no key-task category (重点任务): expected “1.…”, found “{}”",
                    row.number,
                    preview(first.text)
                ),
            ));
        }
        plans.push(Plan { row, opens, category: current });
    }
    Ok(plans)
}

fn estimate_widths(plans: &[Plan<'_, '_>]) -> Widths {
    let category = plans
        .iter()
        .filter(|p| p.opens)
        .filter_map(|p| p.row.segments.first().and_then(|s| s.first()))
        .map(|piece| width(piece.text))
        .max();
    let first_pass = Widths { category, ..Widths::default() };
    // Rows on one page are read well without widths; across a page break the unfinished
    // cells make that reading loose, so those rows are measured only when there is nothing else.
    let one_page: Vec<&Plan<'_, '_>> = plans.iter().filter(|p| p.row.segments.len() == 1).collect();
    let sample: Vec<&Plan<'_, '_>> = if one_page.is_empty() { plans.iter().collect() } else { one_page };
    let mut widths = first_pass;
    let (mut content, mut lead, mut responsible) = (None, None, None);
    for plan in sample {
        let columns = plan.columns();
        let Outcome::Read(reading) = read_row(plan.row, &columns, &first_pass) else { continue };
        for (column, parts) in columns.iter().zip(&reading.parts) {
            let slot = match column {
                Column::Content => &mut content,
                Column::Lead => &mut lead,
                Column::Responsible => &mut responsible,
                Column::Category => continue,
            };
            // "—" says nothing about how wide its column is.
            if cell_text(plan.row, parts, true).trim() == "—" {
                continue;
            }
            let widest = line_widths(plan.row, parts).into_iter().max();
            *slot = (*slot).max(widest);
        }
    }
    widths.content = content;
    widths.lead = lead;
    widths.responsible = responsible;
    widths
}

/// Widths of the source lines (pieces of one line together) in a cell.
fn line_widths(row: &RawRow<'_>, parts: &[std::ops::Range<usize>]) -> Vec<usize> {
    let mut widths = Vec::new();
    for (segment, range) in row.segments.iter().zip(parts) {
        let mut acc = 0;
        let pieces = segment.get(range.clone()).unwrap_or_default();
        for (i, piece) in pieces.iter().enumerate() {
            acc += width(piece.text);
            if !(piece.glued && i + 1 < pieces.len()) {
                widths.push(acc);
                acc = 0;
            }
        }
    }
    widths
}

/// The text of a cell: its pieces joined without line breaks (department pieces trimmed,
/// since a space at a line end is not part of a name).
fn cell_text(row: &RawRow<'_>, parts: &[std::ops::Range<usize>], trim: bool) -> String {
    let mut text = String::new();
    for (segment, range) in row.segments.iter().zip(parts) {
        for piece in segment.get(range.clone()).unwrap_or_default() {
            text.push_str(if trim { piece.text.trim() } else { piece.text });
        }
    }
    text
}

fn span(row: &RawRow<'_>) -> String {
    let lines = row.segments.iter().flatten().map(|p| p.line);
    let (first, last) = (lines.clone().min().unwrap_or(row.line), lines.max().unwrap_or(row.line));
    if first == last { format!("line {first}") } else { format!("lines {first}-{last}") }
}

/// Why a row has no acceptable reading, as precisely as can be told.
fn diagnose(plan: &Plan<'_, '_>, widths: &Widths) -> ParseError {
    let row = plan.row;
    let mut columns = plan.columns();
    let reads = |columns: &[Column]| matches!(read_row(row, columns, widths), Outcome::Read(Reading { cost, .. }) if cost <= MAX_COST);
    columns.retain(|c| *c != Column::Lead);
    if reads(&columns) {
        return error(
            row.line,
            format!(
                "task {} has no lead-department cell (牵头部门): after its content there is only one department cell ({})",
                row.number,
                span(row)
            ),
        );
    }
    columns.retain(|c| *c != Column::Responsible);
    if reads(&columns) {
        return error(
            row.line,
            format!(
                "task {} has no department cells: expected lead (牵头部门) and responsible (责任单位) cells after its content ({})",
                row.number,
                span(row)
            ),
        );
    }
    error(
        row.line,
        format!(
            "task {} ({}) cannot be read as {}content (主要内容), lead (牵头部门) and responsible (责任单位) cells: expected content ending with 。 and cells of department names",
            row.number,
            span(row),
            if plan.opens { "key-task category (重点任务), " } else { "" }
        ),
    )
}

/// The column widths measured on a table (for tests).
#[cfg(test)]
pub(super) fn measured_widths(rows: &[RawRow<'_>]) -> Result<Widths, ParseError> {
    Ok(estimate_widths(&plan_categories(rows)?))
}
