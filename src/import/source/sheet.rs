//! Spreadsheets through calamine: XLSX cell by cell (a streaming reader, so memory follows the
//! cells present, not the sheet's claimed dimensions), legacy XLS, WPS and OpenDocument sheets
//! as ranges. Every sheet becomes a table; merged ranges span their cells. Numbers are
//! written as typed (1, not 1.0); dates as ISO dates (2024-06-30).

use std::collections::HashMap;
use std::io::Cursor;

use calamine::{Data, DataRef, Dimensions, Reader};
use chrono::{Duration, NaiveDate};

use super::table::{GridBuilder, Place, Source, SourceError};
use super::{MAX_CELLS, zipped};

fn unreadable(what: &str, e: impl std::fmt::Display) -> SourceError {
    SourceError::Unreadable(format!("not a readable {what}: {e}"))
}

/// Runs a calamine read, turning its panics into an error: calamine 0.30 indexes some tables
/// of a malformed workbook without checking (a shared-string index past the table panics in
/// `xlsx/cells_reader.rs`), and a file must never take the importer down.
fn guarded(what: &str, read: impl FnOnce() -> Result<Source, SourceError>) -> Result<Source, SourceError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(read))
        .unwrap_or_else(|_| Err(SourceError::Unreadable(format!("not a readable {what}: the file is malformed"))))
}

pub fn read_xlsx(bytes: &[u8]) -> Result<Source, SourceError> {
    zipped::check_inflation(bytes)?;
    guarded("Excel workbook", || read_xlsx_sheets(bytes))
}

fn read_xlsx_sheets(bytes: &[u8]) -> Result<Source, SourceError> {
    let mut book = calamine::Xlsx::new(Cursor::new(bytes)).map_err(|e| unreadable("Excel workbook", e))?;
    let mut source = Source::default();
    for name in book.sheet_names() {
        let merges = match book.worksheet_merge_cells(&name) {
            Some(m) => m.map_err(|e| unreadable("Excel sheet", e))?,
            None => Vec::new(),
        };
        let mut reader = book.worksheet_cells_reader(&name).map_err(|e| unreadable("Excel sheet", e))?;
        let mut cells = Vec::new();
        while let Some(cell) = reader.next_cell().map_err(|e| unreadable("Excel sheet", e))? {
            let text = ref_text(cell.get_value());
            if !text.is_empty() {
                cells.push((cell.get_position(), text));
                if cells.len() > MAX_CELLS {
                    return Err(too_many(&name));
                }
            }
        }
        source.table(grid(&name, cells, &merges)?);
    }
    Ok(source)
}

pub fn read_xls(bytes: &[u8]) -> Result<Source, SourceError> {
    if bytes.starts_with(b"PK") {
        zipped::check_inflation(bytes)?;
    }
    guarded("spreadsheet", || read_xls_sheets(bytes))
}

fn read_xls_sheets(bytes: &[u8]) -> Result<Source, SourceError> {
    let mut book =
        calamine::open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|e| unreadable("spreadsheet", e))?;
    let mut source = Source::default();
    for name in book.sheet_names() {
        let merges = match &book {
            calamine::Sheets::Xls(xls) => xls.worksheet_merge_cells(&name).unwrap_or_default(),
            _ => Vec::new(),
        };
        let range = book.worksheet_range(&name).map_err(|e| unreadable("spreadsheet sheet", e))?;
        let (top, left) = range.start().unwrap_or((0, 0));
        let mut cells = Vec::new();
        for (r, c, value) in range.used_cells() {
            let text = data_text(value);
            if !text.is_empty() {
                let (Ok(r), Ok(c)) = (u32::try_from(r), u32::try_from(c)) else { continue };
                cells.push(((top + r, left + c), text));
                if cells.len() > MAX_CELLS {
                    return Err(too_many(&name));
                }
            }
        }
        source.table(grid(&name, cells, &merges)?);
    }
    Ok(source)
}

fn too_many(sheet: &str) -> SourceError {
    SourceError::TooLarge(format!("sheet {sheet} has more than {MAX_CELLS} cells"))
}

/// The sheet's cells on a grid, rows and columns counted from the first used ones.
fn grid(sheet: &str, cells: Vec<((u32, u32), String)>, merges: &[Dimensions]) -> Result<super::Table, SourceError> {
    let top = cells.iter().map(|((r, _), _)| *r).min().unwrap_or(0);
    let left = cells.iter().map(|((_, c), _)| *c).min().unwrap_or(0);
    let spans: HashMap<(u32, u32), (u32, u32)> = merges
        .iter()
        .map(|d| (d.start, (d.end.0.saturating_sub(d.start.0) + 1, d.end.1.saturating_sub(d.start.1) + 1)))
        .collect();
    let mut g = GridBuilder::default();
    let mut rows_seen = std::collections::BTreeSet::new();
    for ((r, c), text) in cells {
        let (rows, cols) = spans.get(&(r, c)).copied().unwrap_or((1, 1));
        let (row, col) = ((r - top) as usize, (c - left) as usize);
        rows_seen.insert((row, r));
        g.put(row, col, rows as usize, cols as usize, text);
    }
    for (row, r) in rows_seen {
        g.place(row, Place::new(format!("sheet {sheet}"), r as usize + 1));
    }
    g.build(MAX_CELLS).ok_or_else(|| too_many(sheet))
}

fn number_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 { format!("{}", f as i64) } else { format!("{f}") }
}

/// Excel's serial day number as a date (day 0 is 1899-12-30 in the 1900 system).
fn serial_date(serial: f64) -> String {
    NaiveDate::from_ymd_opt(1899, 12, 30)
        .and_then(|epoch| epoch.checked_add_signed(Duration::days(serial.floor() as i64)))
        .map_or_else(|| number_text(serial), |d| d.to_string())
}

fn ref_text(v: &DataRef<'_>) -> String {
    match v {
        DataRef::Int(n) => n.to_string(),
        DataRef::Float(f) => number_text(*f),
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.trim().to_owned(),
        DataRef::SharedString(s) => s.trim().to_owned(),
        DataRef::Bool(b) => b.to_string(),
        DataRef::DateTime(d) => serial_date(d.as_f64()),
        DataRef::Error(_) | DataRef::Empty => String::new(),
    }
}

fn data_text(v: &Data) -> String {
    match v {
        Data::Int(n) => n.to_string(),
        Data::Float(f) => number_text(*f),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.trim().to_owned(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => serial_date(d.as_f64()),
        Data::Error(_) | Data::Empty => String::new(),
    }
}
