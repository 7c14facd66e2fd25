//! The ledger as CSV: UTF-8 with a byte order mark and CRLF line ends, so that Excel opens the
//! Chinese text as it is.
//!
//! The wide shape has the source's columns, then each quarter's, then 清单 (the document's
//! title): the same columns for one document or several. The long shape has a row per report
//! owed (per task and assigned department, without a token), in [`LONG_COLUMNS`].

use super::{LONG_COLUMNS, LONG_PUBLIC_COLUMNS, LedgerQuery, PERIOD_COLUMNS, SOURCE_COLUMNS, Shape, Sheet};
use crate::error::{ApiError, ApiResult};
use crate::service::list::ListSnapshot;

/// The byte order mark that tells Excel the file is UTF-8.
pub const BOM: &str = "\u{feff}";

/// Writes one CSV ledger, a sheet at a time.
pub struct CsvLedger {
    shape: Shape,
    with_reports: bool,
    /// The quarters of the period columns (wide shape).
    quarters: Vec<i32>,
}

impl CsvLedger {
    /// The writer of `query`'s ledger, and its first bytes: the BOM and the header row.
    pub fn start(query: &LedgerQuery, list: &ListSnapshot) -> ApiResult<(Self, Vec<u8>)> {
        let mut quarters = Vec::new();
        for d in &query.documents {
            quarters.extend(query.periods(list, *d).iter().map(|p| p.quarter));
        }
        quarters.sort_unstable();
        quarters.dedup();
        let header: Vec<String> = match query.shape {
            Shape::Wide => {
                let mut h: Vec<String> = SOURCE_COLUMNS.iter().map(|c| (*c).to_owned()).collect();
                h.extend(quarters.iter().flat_map(|q| super::period_columns(*q)));
                h.push("清单".to_owned());
                h
            }
            Shape::Long => {
                let n = if query.with_reports { LONG_COLUMNS.len() } else { LONG_PUBLIC_COLUMNS };
                LONG_COLUMNS[..n].iter().map(|c| (*c).to_owned()).collect()
            }
        };
        let mut bytes = BOM.as_bytes().to_vec();
        bytes.extend(records([header])?);
        Ok((Self { shape: query.shape, with_reports: query.with_reports, quarters }, bytes))
    }

    /// The rows of one sheet.
    pub fn sheet(&self, sheet: &Sheet) -> ApiResult<Vec<u8>> {
        match self.shape {
            Shape::Wide => records(sheet.rows.iter().map(|row| {
                let mut out: Vec<String> = Vec::with_capacity(6 + 5 * self.quarters.len());
                out.extend(row.source_texts());
                for q in &self.quarters {
                    match sheet.quarters.iter().position(|x| x == q).and_then(|i| row.periods.get(i)) {
                        Some(cell) => out.extend(cell.texts()),
                        None => out.extend(std::iter::repeat_n(String::new(), PERIOD_COLUMNS.len())),
                    }
                }
                out.push(sheet.document.title.clone());
                out
            })),
            Shape::Long => {
                let task = |row: &super::Row, department: &str, role: Option<entity::Role>| {
                    vec![
                        sheet.document.title.clone(),
                        sheet.document.region.clone(),
                        row.number.to_string(),
                        row.category.clone(),
                        row.content.clone(),
                        department.to_owned(),
                        super::role_label(role).to_owned(),
                    ]
                };
                if self.with_reports {
                    records(sheet.rows.iter().flat_map(|row| {
                        row.periods.iter().flat_map(|c| &c.owed).map(move |o| {
                            let mut out = task(row, &o.department, o.role);
                            out.extend(o.texts());
                            out
                        })
                    }))
                } else {
                    records(
                        sheet
                            .rows
                            .iter()
                            .flat_map(|row| row.assigned.iter().map(move |(d, role)| task(row, d, Some(*role)))),
                    )
                }
            }
        }
    }
}

/// CSV records with CRLF line ends.
fn records<R, I>(rows: R) -> ApiResult<Vec<u8>>
where
    R: IntoIterator<Item = I>,
    I: IntoIterator<Item = String>,
{
    let mut w = ::csv::WriterBuilder::new().terminator(::csv::Terminator::CRLF).from_writer(Vec::new());
    for row in rows {
        w.write_record(row).map_err(|e| ApiError::Internal(e.into()))?;
    }
    w.into_inner().map_err(|e| ApiError::Internal(anyhow::anyhow!("cannot finish a CSV record: {e}")))
}
