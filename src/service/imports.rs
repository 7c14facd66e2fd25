//! Imports from other portals (`importDocument`): an admin's upload, read by the same pipeline
//! as `qingdan import`, checked or loaded under the writer lock at the write clock.

use crate::error::{ApiError, ApiResult};
use crate::import::layout::Options;
use crate::import::source::SourceError;
use crate::import::{CheckReport, ImportError, ImportOutcome, ReadError, check_file, import_checked};
use crate::service::access::Viewer;
use crate::service::amendments::{Amended, Amendment, Source, amend};
use crate::service::writer::Writer;
use crate::service::writes::Actor;

/// What an upload did: `None` outcome for a check (or an amendment).
pub struct Imported {
    pub outcome: Option<ImportOutcome>,
    pub report: CheckReport,
    /// What an amending text did (or, checked, would do).
    pub amended: Option<Amended>,
}

/// Which document an uploaded text amends, from when.
#[derive(Debug, Clone, Copy)]
pub struct Amends {
    pub document_id: i64,
    pub effective_on: chrono::NaiveDate,
}

pub async fn import_upload(
    writer: &Writer,
    db: &sea_orm::DatabaseConnection,
    viewer: &Viewer,
    actor: &Actor,
    bytes: &[u8],
    opts: &Options,
    check: bool,
    amends: Option<Amends>,
) -> ApiResult<Imported> {
    viewer.require_admin()?;
    // Read outside the writer lock: a PDF or a legacy Word file may take its helper's whole
    // time bound, and the other writes need not wait for that.
    let report = check_file(db, bytes, opts).await.map_err(api_error)?;
    if let Some(a) = amends {
        let source = Source::Text { parsed: &report.read.doc, sha: &report.source_sha256 };
        let amendment = Amendment { document_id: Some(a.document_id), effective_on: a.effective_on, source };
        let amended = amend(writer, amendment, Some(viewer), actor, check).await?;
        return Ok(Imported { outcome: None, report, amended: Some(amended) });
    }
    if check {
        return Ok(Imported { outcome: None, report, amended: None });
    }
    let outcome = import_checked(writer, &report, false, actor).await.map_err(api_error)?;
    Ok(Imported { outcome: Some(outcome), report, amended: None })
}

fn api_error(e: ImportError) -> ApiError {
    match e {
        ImportError::Read(ReadError::Source(SourceError::TooLarge(m))) => {
            ApiError::LimitExceeded(format!("cannot read the document: {m}"))
        }
        ImportError::Db(e) => ApiError::from(e),
        e => ApiError::BadUserInput(e.to_string()),
    }
}
