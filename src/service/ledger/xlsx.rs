//! The ledger as an Excel workbook: a sheet per document, the header frozen with an autofilter,
//! text wrapped, lights in their colours. Sheets are written in constant-memory mode (each row
//! goes to a temporary file as the next begins) and the workbook is put together in another
//! temporary file, so memory holds one row and one document whatever the ledger's size.

use std::collections::HashSet;
use std::io::{Seek, SeekFrom};

use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError};

use super::{Cell, PERIOD_COLUMNS, SOURCE_COLUMNS, Sheet};
use crate::error::{ApiError, ApiResult};
use crate::service::supervision::lights::Light;

/// Column widths (in characters) of the source's columns and of each period's.
const SOURCE_WIDTHS: [f64; 5] = [6.0, 18.0, 60.0, 20.0, 30.0];
const PERIOD_WIDTHS: [f64; 5] = [10.0, 8.0, 14.0, 40.0, 18.0];

/// The formats of one workbook.
struct Formats {
    header: Format,
    text: Format,
    number: Format,
    lights: [Format; 4],
}

impl Formats {
    fn new() -> Self {
        let base = Format::new().set_text_wrap().set_align(FormatAlign::Top).set_border(FormatBorder::Thin);
        let light =
            |fill: u32, font: u32| base.clone().set_background_color(Color::RGB(fill)).set_font_color(Color::RGB(font));
        Self {
            header: base.clone().set_bold().set_align(FormatAlign::Center).set_background_color(Color::RGB(0xD9E1F2)),
            number: base.clone().set_align(FormatAlign::Center),
            lights: [
                light(0xC6EFCE, 0x006100), // green
                light(0xBDD7EE, 0x1F4E78), // blue
                light(0xFFEB9C, 0x9C5700), // yellow
                light(0xFFC7CE, 0x9C0006), // red
            ],
            text: base,
        }
    }

    fn light(&self, light: Light) -> &Format {
        let i = match light {
            Light::Green => 0,
            Light::Blue => 1,
            Light::Yellow => 2,
            Light::Red => 3,
        };
        &self.lights[i]
    }
}

/// A workbook being written, a sheet at a time.
pub struct XlsxLedger {
    workbook: Workbook,
    formats: Formats,
    names: HashSet<String>,
}

impl Default for XlsxLedger {
    fn default() -> Self {
        Self { workbook: Workbook::new(), formats: Formats::new(), names: HashSet::new() }
    }
}

impl XlsxLedger {
    /// Writes `sheet` as the next worksheet.
    pub fn sheet(&mut self, sheet: &Sheet) -> ApiResult<()> {
        let name = self.unique_name(&sheet_name(&sheet.document));
        let formats = &self.formats;
        let ws = self.workbook.add_worksheet_with_constant_memory().map_err(xlsx_error)?;
        write_sheet(ws, formats, &name, sheet).map_err(xlsx_error)
    }

    /// Writes the sheet of a ledger without documents.
    pub fn empty(&mut self) -> ApiResult<()> {
        let ws = self.workbook.add_worksheet_with_constant_memory().map_err(xlsx_error)?;
        ws.set_name("台账").map_err(xlsx_error)?;
        for (c, h) in SOURCE_COLUMNS.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, *h, &self.formats.header).map_err(xlsx_error)?;
        }
        Ok(())
    }

    /// Puts the workbook together in a temporary file (deleted when closed), read from its start.
    pub fn finish(mut self) -> ApiResult<std::fs::File> {
        let mut file = tempfile::tempfile().map_err(|e| ApiError::Internal(e.into()))?;
        self.workbook.save_to_writer(&mut file).map_err(xlsx_error)?;
        file.seek(SeekFrom::Start(0)).map_err(|e| ApiError::Internal(e.into()))?;
        Ok(file)
    }

    /// `name`, or `name (2)`, `name (3)`… when a sheet has it (Excel compares names ignoring case).
    fn unique_name(&mut self, name: &str) -> String {
        let mut candidate = name.to_owned();
        let mut n = 2;
        while self.names.contains(&candidate.to_lowercase()) {
            let suffix = format!(" ({n})");
            let keep = 31 - suffix.chars().count();
            candidate = format!("{}{suffix}", name.chars().take(keep).collect::<String>());
            n += 1;
        }
        self.names.insert(candidate.to_lowercase());
        candidate
    }
}

fn write_sheet(ws: &mut Worksheet, f: &Formats, name: &str, sheet: &Sheet) -> Result<(), XlsxError> {
    ws.set_name(name)?;
    let widths = SOURCE_WIDTHS.iter().chain(sheet.quarters.iter().flat_map(|_| PERIOD_WIDTHS.iter()));
    for (c, w) in widths.enumerate() {
        ws.set_column_width(col(c), *w)?;
    }
    for (c, h) in sheet.header.iter().enumerate() {
        ws.write_string_with_format(0, col(c), h, &f.header)?;
    }
    for (i, row) in sheet.rows.iter().enumerate() {
        let r = u32::try_from(i + 1).unwrap_or(u32::MAX);
        ws.write_number_with_format(r, 0, f64::from(row.number), &f.number)?;
        for (c, text) in row.source_texts().iter().enumerate().skip(1) {
            ws.write_string_with_format(r, col(c), text, &f.text)?;
        }
        for (p, cell) in row.periods.iter().enumerate() {
            write_cell(ws, f, r, SOURCE_COLUMNS.len() + p * PERIOD_COLUMNS.len(), cell)?;
        }
    }
    ws.set_freeze_panes(1, 0)?;
    let last_col = col(sheet.header.len().saturating_sub(1));
    ws.autofilter(0, 0, u32::try_from(sheet.rows.len()).unwrap_or(u32::MAX), last_col)?;
    Ok(())
}

fn write_cell(ws: &mut Worksheet, f: &Formats, r: u32, first: usize, cell: &Cell) -> Result<(), XlsxError> {
    for (k, text) in cell.texts().iter().enumerate() {
        let format = match (k, cell.light) {
            // The state and the light take the light's colour.
            (0 | 1, Some(light)) => f.light(light),
            _ => &f.text,
        };
        ws.write_string_with_format(r, col(first + k), text, format)?;
    }
    Ok(())
}

fn col(c: usize) -> u16 {
    u16::try_from(c).unwrap_or(u16::MAX)
}

/// A worksheet name from a document: its region and year (Excel allows 31 characters, none of
/// `[]:*?/\`).
fn sheet_name(document: &entity::document::Model) -> String {
    let raw = format!("{}{}", document.region, document.year);
    let clean: String = raw.chars().filter(|c| !matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\')).collect();
    let clean = clean.trim_matches('\'');
    let name: String = clean.chars().take(31).collect();
    if name.is_empty() { format!("清单{}", document.id) } else { name }
}

fn xlsx_error(e: XlsxError) -> ApiError {
    ApiError::Internal(anyhow::anyhow!("cannot write the workbook: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_are_unique_ignoring_case_and_at_most_31_characters() {
        let mut l = XlsxLedger::default();
        assert_eq!(l.unique_name("天津2023"), "天津2023");
        assert_eq!(l.unique_name("天津2023"), "天津2023 (2)");
        assert_eq!(l.unique_name("天津2023"), "天津2023 (3)");
        let long = "长".repeat(31);
        let first = l.unique_name(&long);
        let second = l.unique_name(&long);
        assert_eq!(first.chars().count(), 31);
        assert_eq!(second.chars().count(), 31);
        assert!(second.ends_with(" (2)"));
    }
}
