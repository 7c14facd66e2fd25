//! Word documents (DOCX): `word/document.xml` read as a stream. Paragraphs outside tables are
//! paragraphs; tables become grids with `gridSpan` (columns) and `vMerge` (rows) resolved.
//! A table nested in a cell gives its text to that cell. Entities are never expanded (quick-xml
//! reads no DTD), so an entity bomb or an external entity is inert text.

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use super::table::{GridBuilder, Place, Source, SourceError};
use super::{MAX_CELLS, zipped};

pub fn read_docx(bytes: &[u8]) -> Result<Source, SourceError> {
    let xml = zipped::part(bytes, "word/document.xml")?;
    read_document_xml(&xml)
}

/// A cell being read: where it starts, how far it spans and its text.
#[derive(Debug)]
struct PendingCell {
    row: usize,
    col: usize,
    rows: usize,
    cols: usize,
    text: String,
}

#[derive(Debug, Default)]
struct TableState {
    cells: Vec<PendingCell>,
    row: Option<usize>,
    col: usize,
    /// The cell open in this table: (grid span, continues a vertical merge).
    cell: Option<(usize, bool, String)>,
}

#[derive(Debug, Default)]
struct State {
    source: Source,
    /// Tables open, outermost first; only the outermost makes a grid.
    tables: Vec<TableState>,
    paragraph: String,
    in_text: bool,
    paragraphs: usize,
    tables_read: usize,
}

fn attr(e: &BytesStart<'_>, name: &[u8]) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == name)
        .map(|a| String::from_utf8_lossy(&a.value).into_owned())
}

pub fn read_document_xml(xml: &str) -> Result<Source, SourceError> {
    let mut reader = Reader::from_str(xml);
    let mut s = State::default();
    loop {
        let event = reader
            .read_event()
            .map_err(|e| SourceError::Unreadable(format!("word/document.xml is not well-formed XML: {e}")))?;
        match event {
            Event::Start(e) => s.start(&e, false)?,
            Event::Empty(e) => s.start(&e, true)?,
            Event::End(e) => s.end(e.local_name().as_ref())?,
            Event::Text(t) if s.in_text => {
                let text = t.unescape().map_or_else(|_| String::from_utf8_lossy(&t).into_owned(), |c| c.into_owned());
                s.paragraph.push_str(&text);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(s.source)
}

impl State {
    fn start(&mut self, e: &BytesStart<'_>, empty: bool) -> Result<(), SourceError> {
        let outer = self.tables.len() == 1;
        match e.local_name().as_ref() {
            b"tbl" if !empty => self.tables.push(TableState::default()),
            b"tr" if outer && !empty => {
                if let Some(t) = self.tables.last_mut() {
                    t.row = Some(t.row.map_or(0, |r| r + 1));
                    t.col = 0;
                }
            }
            b"gridBefore" if outer => {
                let n = attr(e, b"val").and_then(|v| v.parse::<usize>().ok()).unwrap_or(0);
                if let Some(t) = self.tables.last_mut() {
                    t.col += n.min(64);
                }
            }
            b"tc" if outer && !empty => {
                if let Some(t) = self.tables.last_mut() {
                    t.cell = Some((1, false, String::new()));
                }
            }
            b"gridSpan" if outer => {
                let n = attr(e, b"val").and_then(|v| v.parse::<usize>().ok()).unwrap_or(1).clamp(1, 64);
                if let Some((span, _, _)) = self.tables.last_mut().and_then(|t| t.cell.as_mut()) {
                    *span = n;
                }
            }
            b"vMerge" if outer => {
                let continues = attr(e, b"val").is_none_or(|v| v == "continue");
                if let Some((_, c, _)) = self.tables.last_mut().and_then(|t| t.cell.as_mut()) {
                    *c = continues;
                }
            }
            b"t" if !empty => self.in_text = true,
            b"tab" => self.paragraph.push(' '),
            b"br" | b"cr" => self.paragraph.push('\n'),
            _ => {}
        }
        Ok(())
    }

    fn end(&mut self, name: &[u8]) -> Result<(), SourceError> {
        match name {
            b"t" => self.in_text = false,
            b"p" => {
                let text = std::mem::take(&mut self.paragraph);
                let outside = self.tables.is_empty();
                match self.tables.last_mut().and_then(|t| t.cell.as_mut()) {
                    Some((_, _, cell)) => {
                        if !cell.is_empty() && !text.trim().is_empty() {
                            cell.push('\n');
                        }
                        cell.push_str(text.trim());
                    }
                    None if outside => {
                        self.paragraphs += 1;
                        self.source.paragraph(text, Place::new(format!("paragraph {}", self.paragraphs), 0));
                    }
                    None => {}
                }
            }
            b"tc" if self.tables.len() == 1 => {
                if let Some(t) = self.tables.last_mut() {
                    t.close_cell();
                }
            }
            b"tbl" => {
                let Some(done) = self.tables.pop() else { return Ok(()) };
                let outside = self.tables.is_empty();
                match self.tables.last_mut().and_then(|t| t.cell.as_mut()) {
                    // A nested table gives its text to the cell that holds it.
                    Some((_, _, cell)) => {
                        for c in done.cells.iter().filter(|c| !c.text.is_empty()) {
                            if !cell.is_empty() {
                                cell.push('\n');
                            }
                            cell.push_str(&c.text);
                        }
                    }
                    None if outside => {
                        self.tables_read += 1;
                        let part = format!("table {}", self.tables_read);
                        let mut grid = GridBuilder::default();
                        let rows = done.row.map_or(0, |r| r + 1);
                        for r in 0..rows {
                            grid.place(r, Place::new(part.clone(), r + 1));
                        }
                        for c in done.cells {
                            grid.put(c.row, c.col, c.rows, c.cols, c.text);
                        }
                        let table = grid.build(MAX_CELLS).ok_or_else(|| {
                            SourceError::TooLarge(format!("{part} covers more than {MAX_CELLS} cells"))
                        })?;
                        self.source.table(table);
                    }
                    None => {}
                }
            }
            _ => {}
        }
        Ok(())
    }
}

impl TableState {
    fn close_cell(&mut self) {
        let Some((span, continues, text)) = self.cell.take() else { return };
        let row = self.row.unwrap_or(0);
        let col = self.col;
        self.col += span;
        if continues {
            // The cell above at this grid column, when it reaches down to the row before.
            if let Some(above) =
                self.cells.iter_mut().rev().find(|c| c.col == col && c.row + c.rows == row && c.cols == span)
            {
                above.rows += 1;
                return;
            }
        }
        self.cells.push(PendingCell { row, col, rows: 1, cols: span, text });
    }
}
