//! The table model every reader produces: a document as blocks of paragraphs and tables,
//! merged cells resolved, each row knowing where it came from. Plain data, no I/O.

use std::fmt;

/// Where a row or paragraph came from, for error messages: "page 3, row 7", "sheet 任务, row 12".
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Place {
    /// The part of the document: "page 3", "sheet 任务清单", "table 2", "line 40".
    pub part: String,
    /// 1-based row within that part (0 for a paragraph, which is named by its part alone).
    pub row: usize,
}

impl Place {
    pub fn new(part: impl Into<String>, row: usize) -> Self {
        Self { part: part.into(), row }
    }
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.part.is_empty(), self.row) {
            (true, 0) => f.write_str("the document"),
            // The text extraction names its lines.
            (false, row) if self.part == "line" => write!(f, "line {row}"),
            (true, row) => write!(f, "row {row}"),
            (false, 0) => f.write_str(&self.part),
            (false, row) => write!(f, "{}, row {row}", self.part),
        }
    }
}

/// One cell of a table row, after merged cells are resolved: every grid position a merged cell
/// covers holds its text, and `origin` names the merged cell's top-left (row, column) within
/// the table, so a reader of the model can tell a section row spanning the table (one origin
/// across the row) or a category merged down its tasks (one origin down the column).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Cell {
    /// The cell's text: lines joined as the format gives them (a line break inside a cell
    /// becomes "\n"), leading and trailing white space trimmed.
    pub text: String,
    /// (row, column) of the merged cell this position belongs to; its own position if unmerged.
    pub origin: (usize, usize),
}

/// One row of a table; `cells` are the grid's columns, the same number in every row of a table.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Row {
    pub cells: Vec<Cell>,
    pub place: Place,
}

/// A table: rows of cells on one grid.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Table {
    pub rows: Vec<Row>,
}

/// A paragraph of text outside any table (title, notice, a prose list's items).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Paragraph {
    pub text: String,
    pub place: Place,
}

/// A piece of a document in reading order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    Paragraph(Paragraph),
    Table(Table),
}

/// A document as a reader saw it: paragraphs and tables in reading order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Source {
    pub blocks: Vec<Block>,
}

impl Source {
    pub fn paragraph(&mut self, text: impl Into<String>, place: Place) {
        let text = text.into();
        let text = text.trim();
        if !text.is_empty() {
            self.blocks.push(Block::Paragraph(Paragraph { text: text.to_owned(), place }));
        }
    }

    pub fn table(&mut self, table: Table) {
        if !table.rows.is_empty() {
            self.blocks.push(Block::Table(table));
        }
    }
}

/// Builds a [`Table`] from cells placed on a grid with their spans (DOCX `gridSpan`/`vMerge`,
/// HTML `colspan`/`rowspan`, spreadsheet merged ranges, PDF cells rebuilt from ruling lines).
#[derive(Debug, Default)]
pub struct GridBuilder {
    /// (row, column, rows spanned, columns spanned, text), in any order.
    cells: Vec<(usize, usize, usize, usize, String)>,
    places: Vec<Place>,
}

impl GridBuilder {
    /// Places a cell covering `rows` × `cols` positions from (`row`, `col`).
    pub fn put(&mut self, row: usize, col: usize, rows: usize, cols: usize, text: impl Into<String>) {
        self.cells.push((row, col, rows.max(1), cols.max(1), text.into()));
    }

    /// Names where grid row `row` came from (rows not named get the part of the row before).
    pub fn place(&mut self, row: usize, place: Place) {
        if self.places.len() <= row {
            self.places.resize(row + 1, Place::default());
        }
        if let Some(p) = self.places.get_mut(row) {
            *p = place;
        }
    }

    /// The table; positions no cell covers are empty, rows wholly empty are dropped. At most
    /// `max_cells` grid positions (the caller's bound), else `None`.
    pub fn build(self, max_cells: usize) -> Option<Table> {
        let height = self.cells.iter().map(|c| c.0 + c.2).max().unwrap_or(0);
        let width = self.cells.iter().map(|c| c.1 + c.3).max().unwrap_or(0);
        if height.checked_mul(width)? > max_cells {
            return None;
        }
        let mut grid: Vec<Vec<Cell>> =
            (0..height).map(|r| (0..width).map(|c| Cell { text: String::new(), origin: (r, c) }).collect()).collect();
        for (row, col, rows, cols, text) in self.cells {
            let text = text.trim().to_owned();
            for r in row..row + rows {
                for c in col..col + cols {
                    if let Some(cell) = grid.get_mut(r).and_then(|cells| cells.get_mut(c)) {
                        *cell = Cell { text: text.clone(), origin: (row, col) };
                    }
                }
            }
        }
        let mut last = Place::default();
        let rows = grid
            .into_iter()
            .enumerate()
            .filter_map(|(i, cells)| {
                let place = match self.places.get(i) {
                    Some(p) if !p.part.is_empty() => p.clone(),
                    _ => Place::new(last.part.clone(), i + 1),
                };
                last = place.clone();
                cells.iter().any(|c| !c.text.is_empty()).then_some(Row { cells, place })
            })
            .collect();
        Some(Table { rows })
    }
}

/// Why a file could not be read into a [`Source`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SourceError {
    /// The bytes are not a document of the format they claim (or of any known format).
    #[error("{0}")]
    Unreadable(String),
    /// A bound on size, inflation, cells or time was reached: the file is refused.
    #[error("{0}")]
    TooLarge(String),
    /// The format needs a program that is not installed.
    #[error("{what} needs `{program}`, which is not installed (Debian/Ubuntu: apt-get install {package})")]
    MissingHelper { what: String, program: String, package: String },
}
