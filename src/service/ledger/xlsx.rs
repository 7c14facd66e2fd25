//! The ledger as an Excel workbook: a sheet per document, the header frozen with an autofilter,
//! text wrapped, lights in their colours, progress as percentages and times as dates (Beijing
//! time, named in the header); or, in the long shape, one sheet (明细) of a row per report owed. Sheets are written in constant-memory mode (each row
//! goes to a temporary file as the next begins) and the workbook is put together in another
//! temporary file, so memory holds one row and one document whatever the ledger's size.

use std::collections::HashSet;
use std::io::{Seek, SeekFrom};

use chrono::{Datelike as _, Timelike as _};
use rust_xlsxwriter::{Color, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError};

use super::{Cell, LONG_COLUMNS, LONG_PUBLIC_COLUMNS, PERIOD_COLUMNS, SOURCE_COLUMNS, Sheet};
use crate::error::{ApiError, ApiResult};
use crate::service::assessment::Row;
use crate::service::supervision::lights::Light;

/// Column widths (in characters) of the source's columns and of each period's.
const SOURCE_WIDTHS: [f64; 5] = [6.0, 18.0, 60.0, 20.0, 30.0];
const PERIOD_WIDTHS: [f64; 5] = [10.0, 8.0, 8.0, 40.0, 18.0];
const LONG_WIDTHS: [f64; 14] = [30.0, 8.0, 6.0, 18.0, 60.0, 20.0, 6.0, 8.0, 12.0, 10.0, 8.0, 8.0, 40.0, 18.0];

/// The formats of one workbook.
struct Formats {
    header: Format,
    text: Format,
    number: Format,
    percent: Format,
    time: Format,
    date: Format,
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
            percent: base.clone().set_align(FormatAlign::Center).set_num_format("0%"),
            time: base.clone().set_num_format("yyyy-mm-dd hh:mm"),
            date: base.clone().set_num_format("yyyy-mm-dd"),
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
    /// The long shape's one worksheet: its index, rows written and columns.
    long: Option<(usize, u32, usize)>,
}

impl Default for XlsxLedger {
    fn default() -> Self {
        Self { workbook: Workbook::new(), formats: Formats::new(), names: HashSet::new(), long: None }
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

    /// Appends `sheet`'s rows to the long shape's one worksheet (明细): a row per report owed
    /// with `with_reports`, else per task and assigned department.
    pub fn long(&mut self, sheet: &Sheet, with_reports: bool) -> ApiResult<()> {
        let columns = if with_reports { LONG_COLUMNS.len() } else { LONG_PUBLIC_COLUMNS };
        let (index, mut r, _) = match self.long {
            Some(l) => l,
            None => {
                let ws = self.workbook.add_worksheet_with_constant_memory().map_err(xlsx_error)?;
                start_long(ws, &self.formats, columns).map_err(xlsx_error)?;
                let index = self.workbook.worksheets().len() - 1;
                (index, 0, columns)
            }
        };
        let f = &self.formats;
        let ws = self.workbook.worksheet_from_index(index).map_err(xlsx_error)?;
        for row in &sheet.rows {
            let task = |ws: &mut Worksheet, r: u32, department: &str, role| -> Result<(), XlsxError> {
                ws.write_string_with_format(r, 0, &sheet.document.title, &f.text)?;
                ws.write_string_with_format(r, 1, &sheet.document.region, &f.text)?;
                ws.write_number_with_format(r, 2, f64::from(row.number), &f.number)?;
                ws.write_string_with_format(r, 3, &row.category, &f.text)?;
                ws.write_string_with_format(r, 4, &row.content, &f.text)?;
                ws.write_string_with_format(r, 5, department, &f.text)?;
                ws.write_string_with_format(r, 6, super::role_label(role), &f.text)?;
                Ok(())
            };
            if with_reports {
                for o in row.periods.iter().flat_map(|c| &c.owed) {
                    r += 1;
                    task(ws, r, &o.department, o.role).map_err(xlsx_error)?;
                    write_owed(ws, f, r, o).map_err(xlsx_error)?;
                }
            } else {
                for (department, role) in &row.assigned {
                    r += 1;
                    task(ws, r, department, Some(*role)).map_err(xlsx_error)?;
                }
            }
        }
        ws.autofilter(0, 0, r, col(columns - 1)).map_err(xlsx_error)?;
        self.long = Some((index, r, columns));
        Ok(())
    }

    /// Writes the assessment (考核) as a sheet: (document title, department, row), a document's
    /// departments best first.
    pub fn assessment(&mut self, rows: &[(String, String, Row)]) -> ApiResult<()> {
        let name = self.unique_name("考核");
        let f = &self.formats;
        let ws = self.workbook.add_worksheet_with_constant_memory().map_err(xlsx_error)?;
        write_assessment(ws, f, &name, rows).map_err(xlsx_error)
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

/// The assessment sheet's columns.
pub const ASSESSMENT_COLUMNS: [&str; 14] = [
    "清单",
    "排名",
    "部门",
    "应报",
    "按时报送",
    "逾期报送",
    "逾期未报",
    "退回",
    "未到期",
    "红灯",
    "延期获批",
    "督办单",
    "销号",
    "得分",
];

fn write_assessment(
    ws: &mut Worksheet,
    f: &Formats,
    name: &str,
    rows: &[(String, String, Row)],
) -> Result<(), XlsxError> {
    ws.set_name(name)?;
    ws.set_column_width(0, 30.0)?;
    ws.set_column_width(2, 24.0)?;
    for (c, h) in ASSESSMENT_COLUMNS.iter().enumerate() {
        ws.write_string_with_format(0, col(c), *h, &f.header)?;
    }
    ws.set_freeze_panes(1, 0)?;
    for (i, (title, department, r)) in rows.iter().enumerate() {
        let at = i as u32 + 1;
        ws.write_string_with_format(at, 0, title, &f.text)?;
        ws.write_number_with_format(at, 1, r.rank as f64, &f.number)?;
        ws.write_string_with_format(at, 2, department, &f.text)?;
        let counts = [
            r.obligations,
            r.submitted_on_time,
            r.submitted_late,
            r.overdue,
            r.returned,
            r.pending,
            r.red_lights,
            r.extensions_approved,
            r.notices_received,
            r.tasks_closed,
        ];
        for (c, n) in counts.iter().enumerate() {
            ws.write_number_with_format(at, col(c + 3), *n as f64, &f.number)?;
        }
        ws.write_number_with_format(at, 13, r.score, &f.number)?;
    }
    ws.autofilter(0, 0, rows.len() as u32, col(ASSESSMENT_COLUMNS.len() - 1))?;
    Ok(())
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
    let [state, light, _, summary, _] = cell.texts();
    // The state and the light take the light's colour.
    let coloured = cell.light.map_or(&f.text, |l| f.light(l));
    ws.write_string_with_format(r, col(first), &state, coloured)?;
    ws.write_string_with_format(r, col(first + 1), &light, coloured)?;
    write_progress(ws, f, r, col(first + 2), cell.progress)?;
    ws.write_string_with_format(r, col(first + 3), &summary, &f.text)?;
    write_time(ws, f, r, col(first + 4), cell.submitted_at)
}

/// The long shape's columns from 季度 on.
fn write_owed(ws: &mut Worksheet, f: &Formats, r: u32, o: &super::Owed) -> Result<(), XlsxError> {
    let coloured = f.light(o.light);
    ws.write_string_with_format(r, 7, super::quarter_name(o.quarter), &f.text)?;
    match ExcelDateTime::from_ymd(o.due_on.year_ce().1 as u16, o.due_on.month() as u8, o.due_on.day() as u8) {
        Ok(d) => ws.write_datetime_with_format(r, 8, d, &f.date)?,
        Err(_) => ws.write_string_with_format(r, 8, o.due_on.to_string(), &f.text)?,
    };
    ws.write_string_with_format(r, 9, super::state_label(o.state), coloured)?;
    ws.write_string_with_format(r, 10, super::light_label(o.light), coloured)?;
    write_progress(ws, f, r, 11, o.progress)?;
    ws.write_string_with_format(r, 12, &o.summary, &f.text)?;
    write_time(ws, f, r, 13, o.submitted_at)
}

/// Progress as a percentage cell (0.4 shown as 40%), blank when nothing was reported.
fn write_progress(ws: &mut Worksheet, f: &Formats, r: u32, c: u16, progress: Option<i32>) -> Result<(), XlsxError> {
    match progress {
        Some(p) => ws.write_number_with_format(r, c, f64::from(p) / 100.0, &f.percent).map(|_| ()),
        None => ws.write_blank(r, c, &f.text).map(|_| ()),
    }
}

/// A time as a date cell in Beijing time (the header names the zone), blank without one.
fn write_time(
    ws: &mut Worksheet,
    f: &Formats,
    r: u32,
    c: u16,
    at: Option<chrono::DateTime<chrono::Utc>>,
) -> Result<(), XlsxError> {
    let Some(at) = at else { return ws.write_blank(r, c, &f.text).map(|_| ()) };
    let local = super::shanghai_local(at);
    let (d, t) = (local.date(), local.time());
    let cell = ExcelDateTime::from_ymd(d.year_ce().1 as u16, d.month() as u8, d.day() as u8)
        .and_then(|x| x.and_hms(t.hour() as u16, t.minute() as u8, t.second()));
    match cell {
        Ok(x) => ws.write_datetime_with_format(r, c, x, &f.time).map(|_| ()),
        Err(_) => ws.write_string_with_format(r, c, super::shanghai_time(at), &f.text).map(|_| ()),
    }
}

/// The long shape's worksheet: its name, header and widths.
fn start_long(ws: &mut Worksheet, f: &Formats, columns: usize) -> Result<(), XlsxError> {
    ws.set_name("明细")?;
    for (c, (h, w)) in LONG_COLUMNS.iter().zip(LONG_WIDTHS).take(columns).enumerate() {
        ws.set_column_width(col(c), w)?;
        ws.write_string_with_format(0, col(c), *h, &f.header)?;
    }
    ws.set_freeze_panes(1, 0)?;
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
