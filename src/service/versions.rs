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
    /// Former names recorded (a rename changes the list without a document).
    aliases: i64,
    /// Versions of documents (an amendment changes the list without a new document).
    versions: i64,
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
         CAST(MAX(imported_at) AS TEXT) AS last_import, {submissions} AS submissions, \
         (SELECT COUNT(*) FROM department_alias) AS aliases, \
         (SELECT COUNT(*) FROM document_version) AS versions FROM document"
    );
    let row = db.query_one_raw(Statement::from_string(backend, sql)).await?;
    let row = row.ok_or_else(|| ApiError::Internal(anyhow::anyhow!("no row from an aggregate")))?;
    Ok(Versions {
        list: ListVersion {
            documents: row.try_get("", "documents")?,
            max_id: row.try_get("", "max_id")?,
            last_import: row.try_get("", "last_import")?,
            aliases: row.try_get("", "aliases")?,
            versions: row.try_get("", "versions")?,
        },
        submissions: row.try_get("", "submissions")?,
    })
}

/// One versions read shared by the requests that wait for it, each answered by a read that
/// started after it arrived: a write acknowledged before a request arrived is always seen, and
/// under load the requests that arrive while one read is in flight share the next one instead of
/// running a statement each.
#[derive(Clone)]
pub struct SharedVersions {
    inner: std::sync::Arc<Flights>,
}

struct Flights {
    db: sea_orm::DatabaseConnection,
    state: std::sync::Mutex<Flight>,
    /// The newest finished read: its number and what it gave.
    done: tokio::sync::watch::Sender<(u64, Result<Versions, Failure>)>,
}

/// Why a shared read failed, given to each of its waiters as their own error (with its code):
/// a waiter does not read again, which would double its wait on a database that does not answer.
#[derive(Clone, Debug)]
enum Failure {
    Unavailable(String),
    Other(String),
}

impl Failure {
    fn of(e: &ApiError) -> Self {
        match e {
            ApiError::Unavailable(cause) => Self::Unavailable(cause.to_string()),
            other => Self::Other(format!("{other:?}")),
        }
    }

    fn error(&self) -> ApiError {
        match self {
            Self::Unavailable(cause) => {
                ApiError::Unavailable(sea_orm::DbErr::Conn(sea_orm::RuntimeErr::Internal(cause.clone())))
            }
            Self::Other(cause) => ApiError::Internal(anyhow::anyhow!("reading the versions: {cause}")),
        }
    }
}

#[derive(Default)]
struct Flight {
    /// Reads started so far; the one in flight, if any, is the last.
    started: u64,
    in_flight: bool,
    /// The number of the read some caller waits for.
    wanted: u64,
}

impl SharedVersions {
    pub fn new(db: sea_orm::DatabaseConnection) -> Self {
        let (done, _) = tokio::sync::watch::channel((0, Err(Failure::Other("no read yet".into()))));
        Self { inner: std::sync::Arc::new(Flights { db, state: std::sync::Mutex::default(), done }) }
    }

    /// The versions as read by a statement that started after this call.
    pub async fn read(&self) -> ApiResult<Versions> {
        let need = {
            let mut flight = self.inner.state.lock().unwrap_or_else(|e| e.into_inner());
            if flight.in_flight {
                // The read in flight may have started before this request: wait for the next.
                flight.wanted = flight.started + 1;
                flight.wanted
            } else {
                flight.started += 1;
                flight.in_flight = true;
                let first = flight.started;
                tokio::spawn(self.clone().run(first));
                first
            }
        };
        let mut done = self.inner.done.subscribe();
        let shared = match done.wait_for(|(number, _)| *number >= need).await {
            Ok(finished) => finished.1.clone(),
            Err(_) => Err(Failure::Other("the shared versions read stopped".into())),
        };
        shared.map_err(|failure| failure.error())
    }

    /// Reads while callers wait for a read later than the last.
    async fn run(self, mut number: u64) {
        loop {
            let seen = versions(&self.inner.db).await.map_err(|e| Failure::of(&e));
            // The previous value is the older read, which no one waits for any more.
            let _older = self.inner.done.send_replace((number, seen));
            let mut flight = self.inner.state.lock().unwrap_or_else(|e| e.into_inner());
            if flight.wanted > number {
                flight.started += 1;
                number = flight.started;
            } else {
                flight.in_flight = false;
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_shared_read_gives_each_waiter_the_error_of_its_kind() {
        let unavailable =
            ApiError::Unavailable(sea_orm::DbErr::Conn(sea_orm::RuntimeErr::Internal("timed out".into())));
        let given = Failure::of(&unavailable).error();
        assert!(matches!(given, ApiError::Unavailable(_)), "{given:?}");
        assert_eq!(given.code(), unavailable.code());
        let other = Failure::of(&ApiError::Internal(anyhow::anyhow!("no row"))).error();
        assert!(matches!(other, ApiError::Internal(_)), "{other:?}");
    }
}
