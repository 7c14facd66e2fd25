//! From raw rows to categories and tasks: which rows open a category, how the table is laid
//! out, and each row's cells.
//!
//! The layout is measured on the document itself, in two passes. The category width is the
//! widest first line of a category cell ("12.深化政府采"). Then every row on one page is read
//! with only that known (content should end a sentence, department names must be complete,
//! ties to the shorter cells), and each column's width is measured on the lines that
//! reading put in it; if (nearly) every content so read ends a sentence, the second pass
//! requires it. The second pass reads every row with the whole layout.

use super::cells::{BUDGET, Column, Layout, Measure, Outcome, Reading, ends_sentence, read_row, read_row_within};
use super::names::{is_dash, split_departments};
use super::notice::preview;
use super::table::RawRow;
use super::width::width;
use super::{ParseError, ParsedCategory, ParsedTask, error};

/// A reading this costly explains the lines too badly to be trusted: one name that does
/// not end like a department (or one content without a sentence end) passes, a second
/// such flaw does not.
const MAX_COST: u32 = 10;

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
    let layout = measure_layout(&plans);
    let mut categories = Vec::new();
    let mut tasks = Vec::with_capacity(plans.len());
    for plan in &plans {
        let row = plan.row;
        let columns = plan.columns();
        let reading = match read_widening(row, &columns, layout) {
            Outcome::Read(reading) if reading.cost <= MAX_COST => reading,
            Outcome::TooComplex => {
                return Err(error(row.line, format!("task {} is too long to read ({})", row.number, span(row))));
            }
            _ => return Err(diagnose(plan, &layout)),
        };
        let mut cells = columns.iter().zip(&reading.parts);
        let category_cell = if plan.opens { cells.next() } else { None };
        if let Some((_, parts)) = category_cell {
            let text = cell_text(row, parts, false);
            let name = text.trim_start().trim_start_matches(|c: char| c.is_ascii_digit());
            let name = name.trim_start_matches(['.', '．']).trim();
            categories.push(ParsedCategory { number: plan.category, name: name.to_owned() });
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
            deadline: None,
            columns: Vec::new(),
        });
    }
    check_no_name_cut_between_cells(&tasks)?;
    Ok((categories, tasks))
}

/// A text cut inside a row (or a cell boundary found in the wrong place) can leave a name torn
/// in two across the lead and responsible cells: "市发展" | "改革委". When the lead cell ends in
/// a name that does not look complete and, joined with the first responsible name, it makes a
/// name the document uses elsewhere, the reading is refused rather than guessed.
fn check_no_name_cut_between_cells(tasks: &[ParsedTask]) -> Result<(), ParseError> {
    let known: std::collections::HashSet<&str> =
        tasks.iter().flat_map(|t| t.leads.iter().chain(&t.responsible)).map(String::as_str).collect();
    for t in tasks {
        let cells = [&t.leads, &t.responsible];
        let mut names = cells.iter().flat_map(|c| c.iter()).peekable();
        while let Some(a) = names.next() {
            let Some(b) = names.peek() else { break };
            let joined = format!("{a}{b}");
            if !super::names::looks_complete(a) && known.contains(joined.as_str()) {
                return Err(error(
                    t.line,
                    format!(
                        "task {}: \"{a}\" and \"{b}\" read as two departments, but \"{joined}\" is one; the row looks cut off",
                        t.number
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// Read a row; if it does not read cleanly, again with wider department lines allowed.
/// Measured widths are lower bounds: a list whose measured department lines are all short
/// (one short name each) may still hold a longer line. Each department column's allowance
/// grows by one character at a time, up to the content width; the cheapest reading wins,
/// ties to the smaller allowance. A line beyond the measured width costs (`OVER_WIDTH` per
/// half-width unit), so this only changes readings the measured widths cannot explain well.
fn read_widening(row: &RawRow<'_>, columns: &[Column], layout: Layout) -> Outcome {
    let first = read_row(row, columns, &layout);
    match &first {
        Outcome::Read(reading) if reading.cost == 0 => return first,
        Outcome::TooComplex => return first,
        _ => {}
    }
    let content = layout.content.map_or(0, |m| m.full);
    let steps = |m: Option<Measure>| m.map_or(0, |m| content.saturating_sub(m.widest) / 2);
    let mut budget = BUDGET;
    let mut best: Option<((u32, usize), Reading)> = None;
    'widen: for lead_steps in 0..=steps(layout.lead) {
        for responsible_steps in 0..=steps(layout.responsible) {
            if lead_steps + responsible_steps == 0 {
                continue;
            }
            let wider = Layout { department_allowance: (2 * lead_steps, 2 * responsible_steps), ..layout };
            match read_row_within(row, columns, &wider, &mut budget) {
                Outcome::Read(reading) => {
                    let key = (reading.cost, lead_steps + responsible_steps);
                    if best.as_ref().is_none_or(|(best_key, _)| key < *best_key) {
                        best = Some((key, reading));
                    }
                }
                // Out of patience: keep what was found.
                Outcome::TooComplex => break 'widen,
                Outcome::Unreadable => {}
            }
        }
    }
    match (first, best) {
        (Outcome::Read(reading), Some((key, wider))) => {
            Outcome::Read(if key.0 < reading.cost { wider } else { reading })
        }
        (Outcome::Read(reading), None) => Outcome::Read(reading),
        (_, Some((_, wider))) => Outcome::Read(wider),
        (first, None) => first,
    }
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

fn measure_layout(plans: &[Plan<'_, '_>]) -> Layout {
    let category = plans
        .iter()
        .filter(|p| p.opens)
        .filter_map(|p| p.row.segments.first().and_then(|s| s.first()))
        .map(|piece| width(piece.text))
        .max()
        .map(|w| Measure { full: w, widest: w });
    let first_pass = Layout { category, ..Layout::default() };
    // Rows on one page are read well without widths; across a page break the unfinished
    // cells make that reading loose, so those rows are measured only when there is nothing else.
    let one_page: Vec<&Plan<'_, '_>> = plans.iter().filter(|p| p.row.segments.len() == 1).collect();
    let sample: Vec<&Plan<'_, '_>> = if one_page.is_empty() { plans.iter().collect() } else { one_page };
    let mut seen: [Vec<usize>; 3] = Default::default();
    let (mut contents, mut sentences) = (0, 0);
    for plan in sample {
        let columns = plan.columns();
        let Outcome::Read(reading) = read_row(plan.row, &columns, &first_pass) else { continue };
        for (column, parts) in columns.iter().zip(&reading.parts) {
            if *column == Column::Content {
                contents += 1;
                sentences += usize::from(ends_sentence(&cell_text(plan.row, parts, false)));
            }
            let slot = match column {
                Column::Content => &mut seen[0],
                Column::Lead => &mut seen[1],
                Column::Responsible => &mut seen[2],
                Column::Category => continue,
            };
            // "—" says nothing about how wide its column is.
            if is_dash(&cell_text(plan.row, parts, true)) {
                continue;
            }
            slot.extend(line_widths(plan.row, parts));
        }
    }
    let [content, lead, responsible] = seen.map(measure);
    // A list whose contents end sentences (19 in 20 or more, as read in the first pass, which
    // may misread one) requires it: a row that cannot be read so is misread, not unpunctuated.
    let contents_end_sentences = contents > 0 && sentences * 20 >= contents * 19;
    Layout { content, lead, responsible, contents_end_sentences, ..first_pass }
}

/// A column's measure from the widths of its lines. "Full" is what one line in ten reaches:
/// most lines are wrapped, hence full. "Widest" is the widest line that is not an outlier,
/// wider than all others by more than two characters: a single misread line (a content
/// line taken for a department in the first pass, two lines run together) must not open
/// the column to everything. Under ten lines, nothing is called an outlier. A genuine
/// outlier is still read, at a cost, by widening (see [`read_widening`]).
fn measure(mut lines: Vec<usize>) -> Option<Measure> {
    lines.sort_unstable();
    let mut widest = lines.last().copied()?;
    if lines.len() >= 10 {
        for pair in lines.windows(2).rev() {
            if let [narrower, wider] = pair {
                widest = *narrower;
                if *wider <= narrower + 4 {
                    widest = *wider;
                    break;
                }
            }
        }
    }
    let rank = (lines.len() * 9).div_ceil(10).saturating_sub(1);
    let full = lines.get(rank).copied().unwrap_or(widest).min(widest);
    Some(Measure { full, widest })
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
fn diagnose(plan: &Plan<'_, '_>, layout: &Layout) -> ParseError {
    let row = plan.row;
    let mut columns = plan.columns();
    let reads = |columns: &[Column]| {
        let outcome = read_row(row, columns, layout);
        matches!(outcome, Outcome::Read(Reading { cost, .. }) if cost <= MAX_COST)
    };
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

/// The layout measured on a table (for tests).
#[cfg(test)]
pub(super) fn measured_layout(rows: &[RawRow<'_>]) -> Result<Layout, ParseError> {
    Ok(measure_layout(&plan_categories(rows)?))
}
