//! The list's table read row by row: repeated headers skipped, section rows and the category
//! column opening categories, task rows with their units, deadline and other columns, rows
//! split by a page joined to the task above; then numbers and roles settled.

use super::columns::{self, Column};
use super::units::{self, Role, read_units};
use super::{Laid, LayoutError, category_name, deadline, document, meta, strip_section};
use crate::import::model::{ParsedCategory, ParsedTask};
use crate::import::source::{Place, Row};

fn is_header_row(row: &Row, labels: &[String]) -> bool {
    let norm = |s: &str| -> String { s.chars().filter(|c| !c.is_whitespace()).collect() };
    row.cells.len() == labels.len()
        && row.cells.iter().zip(labels).filter(|(c, l)| !c.text.is_empty() && norm(&c.text) == norm(l)).count() >= 2
}

/// A cell's lines joined as §1 joins them: a line break inserts nothing.
fn joined(text: &str) -> String {
    text.lines().map(str::trim).collect()
}

/// The rows of the list's table, read one by one.
pub(super) struct TableReader {
    roles: Vec<Column>,
    pub(super) labels: Vec<String>,
    categories: Vec<ParsedCategory>,
    rows: Vec<TaskRow>,
    pub(super) notes: Vec<String>,
    pub(super) ended: bool,
    /// The category column's origin last seen, so a merged cell read again is the same category.
    last_category_origin: Option<(usize, usize)>,
}

/// A task row before numbering and unit roles are settled.
struct TaskRow {
    place: Place,
    source_number: Option<String>,
    category: i32,
    content: String,
    /// (column label, cell) of each lead column.
    lead_cells: Vec<(String, String)>,
    /// (column label, cell) of each supporting-units column.
    support_cells: Vec<(String, String)>,
    deadline: Option<String>,
    columns: Vec<(String, String)>,
}

impl TableReader {
    pub(super) fn new(roles: Vec<Column>, labels: Vec<String>) -> Self {
        Self {
            roles,
            labels,
            categories: Vec::new(),
            rows: Vec::new(),
            notes: Vec::new(),
            ended: false,
            last_category_origin: None,
        }
    }

    fn label(&self, i: usize) -> String {
        self.labels.get(i).map(|l| columns::normalize(l)).unwrap_or_default()
    }

    fn start_category(&mut self, name: String) {
        let number = i32::try_from(self.categories.len()).unwrap_or(i32::MAX - 1) + 1;
        self.categories.push(ParsedCategory { number, name });
    }

    fn cell_of(&self, row: &Row, role: Column) -> Option<(usize, String)> {
        let i = self.roles.iter().position(|r| *r == role)?;
        Some((i, row.cells.get(i).map(|c| c.text.clone()).unwrap_or_default()))
    }

    pub(super) fn row(&mut self, row: &Row) -> Result<(), LayoutError> {
        if row.cells.iter().all(|c| c.text.is_empty()) || is_header_row(row, &self.labels) {
            return Ok(());
        }
        let filled: Vec<&crate::import::source::Cell> = row.cells.iter().filter(|c| !c.text.is_empty()).collect();
        let one_cell = filled.windows(2).all(|w| w.first().map(|c| c.origin) == w.get(1).map(|c| c.origin));
        let text = self.cell_of(row, Column::Text).map(|(_, t)| t).unwrap_or_default();
        let first_text = filled.first().map(|c| c.text.trim()).unwrap_or_default();
        // Notes under the table end it: "注：…", "备注：…", "说明：…".
        if one_cell && ["注：", "注:", "备注", "说明：", "说明:"].iter().any(|p| first_text.starts_with(p)) {
            self.notes.push(first_text.to_owned());
            self.ended = true;
            return Ok(());
        }
        let spans = row.cells.iter().filter(|c| filled.first().is_some_and(|f| f.origin == c.origin)).count();
        // A task number, not a section's text typed in the number column (a sheet without merges).
        let numbered = self
            .cell_of(row, Column::Number)
            .is_some_and(|(_, n)| n.trim().trim_end_matches(['.', '．', '、']).parse::<u32>().is_ok());
        let unit_cells = row
            .cells
            .iter()
            .zip(&self.roles)
            .any(|(c, r)| matches!(r, Column::Lead | Column::Support) && !c.text.is_empty());
        let section_like = strip_section(first_text).is_some() && !numbered && !unit_cells;
        if one_cell && (spans >= 2 || section_like) {
            self.start_category(category_name(first_text));
            self.last_category_origin = None;
            return Ok(());
        }
        if let Some((i, cat)) = self.cell_of(row, Column::Category) {
            let origin = row.cells.get(i).map(|c| c.origin);
            if !cat.is_empty() && origin != self.last_category_origin {
                let name = category_name(&cat);
                if self.categories.last().is_none_or(|c| c.name != name) {
                    self.start_category(name);
                }
                self.last_category_origin = origin;
            }
        }
        if text.trim().is_empty() {
            return self.continuation(row);
        }
        if self.categories.is_empty() {
            // Named after the document once its title is known (see `finish`).
            self.start_category(String::new());
        }
        let mut task = TaskRow {
            place: row.place.clone(),
            source_number: None,
            category: i32::try_from(self.categories.len()).unwrap_or(i32::MAX),
            content: joined(&text),
            lead_cells: Vec::new(),
            support_cells: Vec::new(),
            deadline: None,
            columns: Vec::new(),
        };
        for (i, role) in self.roles.iter().enumerate() {
            let value = row.cells.get(i).map(|c| c.text.trim().to_owned()).unwrap_or_default();
            match role {
                Column::Number => task.source_number = (!value.is_empty()).then_some(value),
                Column::Lead => task.lead_cells.push((self.label(i), value)),
                Column::Support => task.support_cells.push((self.label(i), value)),
                Column::Deadline => task.deadline = (!value.is_empty()).then(|| joined(&value)),
                Column::Other => task.columns.push((self.label(i), value)),
                Column::Category | Column::Text => {}
            }
        }
        self.rows.push(task);
        Ok(())
    }

    /// A row with no task text: the rest of the task above (a row split by a page break).
    fn continuation(&mut self, row: &Row) -> Result<(), LayoutError> {
        let text_label = self.roles.iter().position(|r| *r == Column::Text).map(|i| self.label(i));
        let Some(last) = self.rows.last_mut() else {
            return Err(LayoutError::new(row.place.clone(), text_label, "a row without task text before any task"));
        };
        let (mut lead, mut support) = (0, 0);
        // Cells merged down from the rows above belong to them, not to this row.
        let own_row = row.cells.iter().map(|c| c.origin.0).max().unwrap_or(0);
        for (i, role) in self.roles.iter().enumerate() {
            let value = row.cells.get(i).filter(|c| c.origin.0 == own_row).map(|c| c.text.trim()).unwrap_or_default();
            if value.is_empty() {
                lead += usize::from(*role == Column::Lead);
                support += usize::from(*role == Column::Support);
                continue;
            }
            match role {
                Column::Lead => {
                    if let Some((_, c)) = last.lead_cells.get_mut(lead) {
                        c.push_str(value);
                    }
                }
                Column::Support => {
                    if let Some((_, c)) = last.support_cells.get_mut(support) {
                        c.push_str(value);
                    }
                }
                Column::Number => {
                    return Err(LayoutError::new(
                        row.place.clone(),
                        text_label,
                        format!("task {value} has no task text"),
                    ));
                }
                _ => {}
            }
            lead += usize::from(*role == Column::Lead);
            support += usize::from(*role == Column::Support);
        }
        Ok(())
    }

    pub(super) fn finish(self, meta: meta::Meta, first_leads: bool, header: &Place) -> Result<Laid, LayoutError> {
        let mut warnings = Vec::new();
        if self.rows.is_empty() {
            return Err(LayoutError::new(header.clone(), None, "the table has a header but no task rows under it"));
        }
        let mut categories = self.categories;
        for c in categories.iter_mut().filter(|c| c.name.is_empty()) {
            c.name = meta.title.clone();
        }
        // Source numbers are kept when they count up; otherwise (restarting per section,
        // "1-1", missing) tasks are numbered in document order and the source's kept as a column.
        let numbers: Vec<Option<i32>> = self
            .rows
            .iter()
            .map(|t| t.source_number.as_deref().and_then(|n| n.trim().trim_end_matches(['.', '．', '、']).parse().ok()))
            .collect();
        let increasing =
            numbers.iter().all(Option::is_some) && numbers.windows(2).all(|w| matches!(w, [Some(a), Some(b)] if a < b));
        let number_label = self
            .roles
            .iter()
            .position(|r| *r == Column::Number)
            .and_then(|i| self.labels.get(i))
            .map(|l| columns::normalize(l));
        if !increasing && number_label.is_some() {
            warnings.push("the task numbers do not count up through the list (they restart per section or are not plain numbers): tasks are numbered 1… in document order and the source's number is kept as a column".to_owned());
        }
        let has_lead_column = self.roles.contains(&Column::Lead);
        let mut tasks = Vec::with_capacity(self.rows.len());
        for (i, (row, number)) in self.rows.into_iter().zip(numbers).enumerate() {
            let number = if increasing { number.unwrap_or(0) } else { i32::try_from(i + 1).unwrap_or(i32::MAX) };
            let mut units = units::Units::default();
            let cells = row
                .lead_cells
                .iter()
                .map(|c| (c, Role::Lead))
                .chain(row.support_cells.iter().map(|c| (c, Role::Support)));
            for ((label, cell), role) in cells {
                let read = read_units(cell, role, role == Role::Support && first_leads && !has_lead_column);
                check_names(&read, &row.place, label)?;
                units.extend(read);
            }
            let mut columns = row.columns;
            if let (false, Some(label), Some(source)) = (increasing, &number_label, &row.source_number) {
                columns.insert(0, (label.clone(), source.clone()));
            }
            tasks.push(ParsedTask {
                number,
                category_number: row.category,
                content: row.content,
                leads: units.leads,
                responsible: units.support,
                line: row.place.row,
                deadline: row.deadline.as_deref().and_then(|d| deadline::deadline(d, meta.year)),
                columns,
            });
        }
        Ok(document(meta, categories, tasks, warnings))
    }
}

/// Names a unit cell cannot hold: a quote or bracket left open (“双随机、一公开 without its
/// close), or a name so long that a column is out of place.
fn check_names(units: &units::Units, place: &Place, label: &str) -> Result<(), LayoutError> {
    for name in units.leads.iter().chain(&units.support) {
        let problem = if !crate::import::parse::balanced(name) {
            "opens a quote or bracket it does not close"
        } else if name.chars().count() > 60 {
            "is longer than 60 characters (is a column out of place?)"
        } else {
            continue;
        };
        return Err(LayoutError::new(
            place.clone(),
            Some(label.to_owned()),
            format!("the unit “{}” {problem}", crate::import::parse::notice::preview(name)),
        ));
    }
    Ok(())
}
