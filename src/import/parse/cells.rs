//! Which lines of a row belong to which cell.
//!
//! A row's lines are its cells in column order (category?, content, lead, responsible), on
//! each page segment again for the cells that go on after a page break. Every way to cut
//! the lines into cells is a *reading*; the parser takes the cheapest one. A reading is
//! impossible when a cell is empty where it must not be, when a line is wider than its
//! column, when a category ends with 、/，or holds a 。, or when a department cell holds
//! sentence punctuation, an empty name (a trailing 、) or a name that can only be a piece of
//! one (院, 分行, 人民政府).
//! Otherwise it costs, one reason each:
//! - a line inside a cell that stops well short of the column width (printed lines are
//!   full until the last one of a cell) — [`NOT_FULL`];
//! - content that does not end a sentence — [`NO_SENTENCE_END`] (impossible instead in a
//!   list whose contents all end sentences);
//! - a department name that does not end like one (市住房城乡建) or starts with 等 or
//!   punctuation — [`BROKEN_NAME`];
//! - a quote or bracket left open or closed unopened in a cell — [`UNBALANCED`];
//! - a category that keeps a fragment which would fill the content's first line
//!   ("实施" + "《关于…") — [`CATEGORY_TAKES_FRAGMENT`];
//! - each half-width unit of a department line beyond the widest measured for its column,
//!   which only a widened reading allows (see `rows`) — [`OVER_WIDTH`].
//!
//! Ties go to the reading whose earlier cells are shorter.

use std::collections::HashMap;
use std::ops::Range;

use super::names::{balanced, is_dash, is_fragment, looks_complete, split_collective, split_raw, starts_badly};
use super::table::{Piece, RawRow};
use super::width::{SLACK, full_tolerance, joins_at_punctuation, visual_lines, width};

const NOT_FULL: u32 = 2;
const NO_SENTENCE_END: u32 = 8;
const BROKEN_NAME: u32 = 6;
const CATEGORY_TAKES_FRAGMENT: u32 = 1;
const OVER_WIDTH: u32 = 1;
const UNBALANCED: u32 = 6;
/// Cell evaluations allowed per row before giving up (rows of this layout need hundreds).
pub(super) const BUDGET: usize = 200_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Column {
    Category,
    Content,
    Lead,
    Responsible,
}

/// A column's measured width in half-width units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Measure {
    /// How wide a full line is (lines inside a cell are judged "full" against it).
    pub full: usize,
    /// The widest line seen in the column (no line may be wider, give or take [`SLACK`]).
    pub widest: usize,
}

/// How the table is laid out, as measured on the document; a width is `None` while unknown.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Layout {
    pub category: Option<Measure>,
    pub content: Option<Measure>,
    pub lead: Option<Measure>,
    pub responsible: Option<Measure>,
    /// Allowance beyond the widest measured line of the lead and responsible columns: lines
    /// up to it fit, at a cost (measured widths are lower bounds, see `rows`).
    pub department_allowance: (usize, usize),
    /// Every content cell of this list ends a sentence, so one that does not is misread.
    pub contents_end_sentences: bool,
}

impl Layout {
    pub(super) fn of(&self, column: Column) -> Option<Measure> {
        match column {
            Column::Category => self.category,
            Column::Content => self.content,
            Column::Lead => self.lead,
            Column::Responsible => self.responsible,
        }
    }

    /// The widest line a cell of `column` may hold.
    fn limit(&self, column: Column) -> Option<usize> {
        let allowance = match column {
            Column::Lead => self.department_allowance.0,
            Column::Responsible => self.department_allowance.1,
            Column::Category | Column::Content => 0,
        };
        self.of(column).map(|m| m.widest + SLACK + allowance)
    }
}

/// The chosen reading: its cost and, per column, the range of pieces in each segment.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Reading {
    pub cost: u32,
    pub parts: Vec<Vec<Range<usize>>>,
}

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Outcome {
    Read(Reading),
    Unreadable,
    TooComplex,
}

/// Find the cheapest reading of `row` as the given columns.
pub(super) fn read_row(row: &RawRow<'_>, columns: &[Column], layout: &Layout) -> Outcome {
    let mut budget = BUDGET;
    read_row_within(row, columns, layout, &mut budget)
}

/// [`read_row`], spending at most `budget` cell evaluations (what is left stays in it).
pub(super) fn read_row_within(row: &RawRow<'_>, columns: &[Column], layout: &Layout, budget: &mut usize) -> Outcome {
    let mut solver = Solver { segments: &row.segments, columns, layout, memo: HashMap::new(), budget: *budget };
    let start = vec![0; row.segments.len()];
    let best = solver.best(0, &start);
    *budget = solver.budget;
    if solver.budget == 0 {
        return Outcome::TooComplex;
    }
    let Some(cost) = best else { return Outcome::Unreadable };
    let mut parts = Vec::with_capacity(columns.len());
    let mut position = start;
    for c in 0..columns.len() {
        let Some(Some((_, ends))) = solver.memo.get(&(c, position.clone())) else {
            return Outcome::Unreadable;
        };
        parts.push(position.iter().zip(ends).map(|(&s, &e)| s..e).collect());
        position = ends.clone();
    }
    Outcome::Read(Reading { cost, parts })
}

type Memo = HashMap<(usize, Vec<usize>), Option<(u32, Vec<usize>)>>;

struct Solver<'r, 'a> {
    segments: &'r [Vec<Piece<'a>>],
    columns: &'r [Column],
    layout: &'r Layout,
    /// (column index, where it starts in each segment) → best (cost from here, its ends).
    memo: Memo,
    budget: usize,
}

impl Solver<'_, '_> {
    /// Cheapest cost of reading columns `c..` from positions `start`.
    fn best(&mut self, c: usize, start: &[usize]) -> Option<u32> {
        let key = (c, start.to_vec());
        if let Some(known) = self.memo.get(&key) {
            return known.as_ref().map(|(cost, _)| *cost);
        }
        let found = self.search(c, start);
        let cost = found.as_ref().map(|(cost, _)| *cost);
        self.memo.insert(key, found);
        cost
    }

    fn search(&mut self, c: usize, start: &[usize]) -> Option<(u32, Vec<usize>)> {
        let column = *self.columns.get(c)?;
        let lens: Vec<usize> = self.segments.iter().map(Vec::len).collect();
        let is_last = c + 1 == self.columns.len();
        let later = self.columns.len() - c - 1;
        // A line wider than the column is a wall the cell cannot extend past.
        let limit = self.layout.limit(column);
        let reach: Vec<usize> = self
            .segments
            .iter()
            .zip(start)
            .map(|(segment, &s)| {
                let wall = segment.iter().skip(s).position(|p| limit.is_some_and(|l| width(p.text) > l));
                wall.map_or(segment.len(), |i| s + i)
            })
            .collect();
        if is_last && reach != lens {
            return None;
        }
        // The last column takes whatever is left; the others try every end, shortest first.
        let mut ends = if is_last { lens.clone() } else { start.to_vec() };
        let mut best: Option<(u32, Vec<usize>)> = None;
        loop {
            if self.budget == 0 {
                return None;
            }
            self.budget -= 1;
            let room_for_later = ends.first().zip(lens.first()).is_some_and(|(e, n)| e + later <= *n);
            let valid = room_for_later && self.valid_part(column, start, &ends, &lens);
            if let Some(cost) = valid.then(|| self.cell_cost(column, start, &ends)).flatten() {
                let boundary = if column == Column::Category { self.category_boundary(&ends) } else { 0 };
                let rest = if is_last { Some(0) } else { self.best(c + 1, &ends) };
                if let Some(rest) = rest {
                    let total = cost + boundary + rest;
                    if best.as_ref().is_none_or(|(b, _)| total < *b) {
                        best = Some((total, ends.clone()));
                    }
                }
            }
            if is_last || !advance(&mut ends, start, &reach) {
                return best;
            }
        }
    }

    /// Structure: every cell starts on the row's first page; a cell has lines on a later
    /// page only if it had lines on the page before; a source line cut after its 。 may only
    /// be shared between the content and the cell after it.
    fn valid_part(&self, column: Column, start: &[usize], ends: &[usize], lens: &[usize]) -> bool {
        let non_empty: Vec<bool> = start.iter().zip(ends).map(|(s, e)| e > s).collect();
        if non_empty.first() != Some(&true) {
            return false;
        }
        if non_empty.windows(2).any(|w| matches!(w, [false, true])) {
            return false;
        }
        self.segments.iter().enumerate().all(|(j, segment)| {
            let (Some(&s), Some(&e), Some(&n)) = (start.get(j), ends.get(j), lens.get(j)) else {
                return false;
            };
            let glued_cut = e > s && e < n && segment.get(e - 1).is_some_and(|p| p.glued);
            !glued_cut || column == Column::Content
        })
    }

    fn cell_cost(&self, column: Column, start: &[usize], ends: &[usize]) -> Option<u32> {
        let parts: Vec<&[Piece<'_>]> = self
            .segments
            .iter()
            .zip(start.iter().zip(ends))
            .filter_map(|(segment, (&s, &e))| segment.get(s..e))
            .filter(|part| !part.is_empty())
            .collect();
        let column_width = self.layout.of(column);
        let limit = self.layout.limit(column);
        let mut lines = Vec::new();
        for part in &parts {
            let n = part.len();
            let fragments = part.iter().enumerate().map(|(i, p)| (p.text, p.glued && i + 1 < n));
            lines.extend(visual_lines(fragments, limit));
        }
        if limit.is_some_and(|l| lines.iter().any(|&w| w > l)) {
            return None;
        }
        let mut cost = 0;
        if let Some(measure) = column_width {
            for &line in &lines {
                // Only possible with a department allowance: allowed, not free.
                let over = line.saturating_sub(measure.widest + SLACK);
                cost += OVER_WIDTH * u32::try_from(over).unwrap_or(u32::MAX / 8);
            }
            // The category column is exempt from fullness: its names are broken by hand
            // ("18.加强知识产" / "权创造、" / "保护和" / "运用").
            if column != Column::Category {
                let inner = lines.len().saturating_sub(1);
                for &line in lines.iter().take(inner) {
                    if line + full_tolerance(measure.full) < measure.full {
                        cost += NOT_FULL;
                    }
                }
            }
        }
        let pieces = parts.iter().flat_map(|part| part.iter());
        match column {
            Column::Category => {
                let text: String = pieces.map(|p| p.text).collect();
                let t = text.trim_end();
                if t.ends_with(['、', '，', ',']) || t.contains('。') {
                    return None;
                }
            }
            Column::Content => {
                let text: String = pieces.map(|p| p.text).collect();
                if text.trim().is_empty() || is_dash(&text) {
                    return None;
                }
                if !balanced(&text) {
                    cost += UNBALANCED;
                }
                if !ends_sentence(&text) {
                    if self.layout.contents_end_sentences {
                        return None;
                    }
                    cost += NO_SENTENCE_END;
                }
            }
            Column::Lead | Column::Responsible => {
                let texts: Vec<&str> = pieces.map(|p| p.text.trim()).collect();
                cost += department_cost(&texts)?;
            }
        }
        Some(cost)
    }

    /// A category that ends with a fragment which, with the next line, fills a content line
    /// ("实施" + "《关于加强…") has probably taken the content's first words.
    fn category_boundary(&self, ends: &[usize]) -> u32 {
        let (Some(Measure { full: w, .. }), Some(segment), Some(&e)) =
            (self.layout.content, self.segments.first(), ends.first())
        else {
            return 0;
        };
        let (Some(last), Some(next)) = (e.checked_sub(1).and_then(|i| segment.get(i)), segment.get(e)) else {
            return 0;
        };
        let joined = width(last.text) + width(next.text);
        let fills = joined + full_tolerance(w) >= w && joined <= w + SLACK;
        if fills && joins_at_punctuation(last.text, next.text) { CATEGORY_TAKES_FRAGMENT } else { 0 }
    }
}

/// Next combination of ends, segment 0 changing slowest, each from its start up to its reach.
fn advance(ends: &mut [usize], start: &[usize], reach: &[usize]) -> bool {
    for j in (0..ends.len()).rev() {
        let (Some(e), Some(&n)) = (ends.get(j).copied(), reach.get(j)) else { return false };
        if e < n {
            if let Some(slot) = ends.get_mut(j) {
                *slot = e + 1;
            }
            for k in j + 1..ends.len() {
                if let (Some(slot), Some(&s)) = (ends.get_mut(k), start.get(k)) {
                    *slot = s;
                }
            }
            return true;
        }
    }
    false
}

/// Content ends a sentence: 。 (or ！？；), possibly inside closing quotes or brackets.
pub(super) fn ends_sentence(text: &str) -> bool {
    text.trim_end().trim_end_matches(|c: char| "”’）)》」』".contains(c)).ends_with(['。', '！', '？', '；'])
}

/// Cost of a department cell given its lines (trimmed); `None` when it cannot be one.
fn department_cost(lines: &[&str]) -> Option<u32> {
    if lines.iter().any(|l| is_dash(l)) {
        // "—" is a cell of its own.
        return (lines.len() == 1).then_some(0);
    }
    let joined = lines.concat();
    if joined.contains(['。', '；', '！', '？']) {
        return None;
    }
    let mut cost = 0;
    for raw in split_raw(&joined) {
        let name = raw.trim();
        // A cell ending with 、 or holding 、、 has lost a name.
        if name.is_empty() {
            return None;
        }
        if !balanced(name) {
            cost += UNBALANCED;
        }
        for part in split_collective(name) {
            if is_fragment(part) {
                return None;
            }
            if !looks_complete(part) {
                cost += BROKEN_NAME;
            }
            if starts_badly(part) {
                cost += BROKEN_NAME;
            }
        }
    }
    Some(cost)
}
