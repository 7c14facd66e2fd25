//! The ledger as CSV: UTF-8 with a byte order mark and CRLF line ends, so that Excel opens the
//! Chinese text as it is. One document gives the source's columns exactly; several lead with a
//! 清单 column (the document's title) and name the period columns by quarter.

use super::{LedgerQuery, PERIOD_COLUMNS, SOURCE_COLUMNS, Sheet};
use crate::error::{ApiError, ApiResult};
use crate::service::list::ListSnapshot;

/// The byte order mark that tells Excel the file is UTF-8.
pub const BOM: &str = "\u{feff}";

/// Quarters by their usual names, for a ledger of several documents.
const QUARTERS: [&str; 4] = ["一季度", "二季度", "三季度", "四季度"];

/// Writes one CSV ledger, a sheet at a time.
pub struct CsvLedger {
    /// Several documents: a 清单 column, and period columns by quarter.
    several: bool,
    /// The quarters of the period columns (several documents).
    quarters: Vec<i32>,
}

impl CsvLedger {
    /// The writer of `query`'s ledger, and its first bytes: the BOM and the header row.
    pub fn start(query: &LedgerQuery, list: &ListSnapshot) -> ApiResult<(Self, Vec<u8>)> {
        let several = query.documents.len() > 1;
        let mut quarters = Vec::new();
        let header: Vec<String> = if several {
            for d in &query.documents {
                quarters.extend(query.periods(list, *d).iter().map(|p| p.quarter));
            }
            quarters.sort_unstable();
            quarters.dedup();
            let mut h = vec!["清单".to_owned()];
            h.extend(SOURCE_COLUMNS.iter().map(|c| (*c).to_owned()));
            for q in &quarters {
                let name = usize::try_from(*q - 1)
                    .ok()
                    .and_then(|i| QUARTERS.get(i))
                    .map_or_else(|| format!("第{q}季度"), |n| (*n).to_owned());
                h.extend(PERIOD_COLUMNS.iter().map(|c| format!("{name} {c}")));
            }
            h
        } else {
            query
                .documents
                .first()
                .map(|d| query.header(list, *d))
                .unwrap_or_else(|| SOURCE_COLUMNS.iter().map(|c| (*c).to_owned()).collect())
        };
        let mut bytes = BOM.as_bytes().to_vec();
        bytes.extend(records([header])?);
        Ok((Self { several, quarters }, bytes))
    }

    /// The rows of one sheet.
    pub fn sheet(&self, sheet: &Sheet) -> ApiResult<Vec<u8>> {
        records(sheet.rows.iter().map(|row| {
            let mut out: Vec<String> = Vec::with_capacity(6 + 5 * row.periods.len());
            if self.several {
                out.push(sheet.document.title.clone());
            }
            out.extend(row.source_texts());
            if self.several {
                for q in &self.quarters {
                    match sheet.quarters.iter().position(|x| x == q).and_then(|i| row.periods.get(i)) {
                        Some(cell) => out.extend(cell.texts()),
                        None => out.extend(std::iter::repeat_n(String::new(), PERIOD_COLUMNS.len())),
                    }
                }
            } else {
                for c in &row.periods {
                    out.extend(c.texts());
                }
            }
            out
        }))
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
