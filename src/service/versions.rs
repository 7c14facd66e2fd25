//! What the database holds now, in one small statement: the list's version and the count of
//! report submissions. Every cached answer is filed under these; every write moves one of them
//! in its own transaction ([`crate::service::writes`] is the one place that says which).

use sea_orm::{ConnectionTrait, DbBackend, Statement};

use crate::error::{ApiError, ApiResult};

/// Which version of the list the database holds: documents change only by import (a new one,
/// or one replaced), and each import moves one of these.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ListVersion {
    documents: i64,
    max_id: i64,
    last_import: Option<String>,
}

/// The list's version and the report submissions' count.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Versions {
    pub list: ListVersion,
    /// Moves with every committed write (a submission, a review, an extension, a notice, …).
    pub submissions: i64,
}

/// Reads both versions in one statement (a table of one row per document, and the write
/// counter's few rows on PostgreSQL; on SQLite, whose writers are serialised, the newest audit
/// event's id, which every write appends).
pub async fn versions(db: &impl ConnectionTrait) -> ApiResult<Versions> {
    let backend = db.get_database_backend();
    let submissions = match backend {
        DbBackend::Postgres => "(SELECT CAST(COALESCE(SUM(submissions), 0) AS BIGINT) FROM report_counter)",
        _ => "(SELECT COALESCE(MAX(id), 0) FROM audit_event)",
    };
    let sql = format!(
        "SELECT COUNT(*) AS documents, COALESCE(MAX(id), 0) AS max_id, \
         CAST(MAX(imported_at) AS TEXT) AS last_import, {submissions} AS submissions FROM document"
    );
    let row = db.query_one_raw(Statement::from_string(backend, sql)).await?;
    let row = row.ok_or_else(|| ApiError::Internal(anyhow::anyhow!("no row from an aggregate")))?;
    Ok(Versions {
        list: ListVersion {
            documents: row.try_get("", "documents")?,
            max_id: row.try_get("", "max_id")?,
            last_import: row.try_get("", "last_import")?,
        },
        submissions: row.try_get("", "submissions")?,
    })
}
