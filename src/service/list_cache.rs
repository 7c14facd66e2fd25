//! Rows kept across requests while they are unchanged.
//!
//! Documents, categories, tasks, departments, assignments, indicators and reporting periods
//! change only by import, and every import moves the list's [`ListVersion`]. Reports change with
//! each submission, and every submission moves the submissions version (see [`versions`]). A
//! request reads both in one small statement, then reads what earlier requests fetched from
//! memory: an import or a submission through any process or replica is seen by the next request.
//! Obligations are kept as rows whose states each request judges at its own time. Revisions are
//! kept by the report's revision number: a revision, once written, never changes.

use std::hash::Hash;
use std::sync::{Arc, Mutex, PoisonError};

use entity::{assignment, category, department, document, indicator, report, report_revision, reporting_period, task};
use quick_cache::Weighter;
use quick_cache::sync::Cache;
use sea_orm::{ConnectionTrait, DbBackend, Statement};

use super::obligations::ObligationRow;
use super::page::{Page, PageRequest};
use super::relations::{ScopedPageArgs, TaskScope, WorkloadRow};
use super::task_filter::TaskPredicate;
use crate::error::{ApiError, ApiResult};

/// Which version of the list the database holds: documents change only by import (a new one,
/// or one replaced), and each import moves one of these.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListVersion {
    documents: i64,
    max_id: i64,
    last_import: Option<String>,
}

/// What the database holds now: the list's version and the count of report submissions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Versions {
    pub list: ListVersion,
    /// Moves with every committed submission (see [`versions`]).
    pub submissions: i64,
}

/// Reads both versions in one statement (a table of one row per document, and the report
/// counter's few rows on PostgreSQL; on SQLite, whose writers are serialised, the newest revision
/// id, which every submission moves).
pub async fn versions(db: &impl ConnectionTrait) -> ApiResult<Versions> {
    let backend = db.get_database_backend();
    let submissions = match backend {
        DbBackend::Postgres => "(SELECT CAST(COALESCE(SUM(submissions), 0) AS BIGINT) FROM report_counter)",
        _ => "(SELECT COALESCE(MAX(id), 0) FROM report_revision)",
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

/// Counts cached values in rows: a task's assignment list weighs as many rows as it holds.
#[derive(Debug, Clone, Copy, Default)]
pub struct RowWeight;

/// How many rows a cached value holds.
pub trait Rows {
    fn rows(&self) -> u64;
}

impl<K, V: Rows> Weighter<K, V> for RowWeight {
    fn weight(&self, _key: &K, value: &V) -> u64 {
        // A zero weight would never be evicted; an empty list still costs its entry.
        value.rows().max(1)
    }
}

macro_rules! one_row {
    ($($t:ty),* $(,)?) => { $(impl Rows for $t { fn rows(&self) -> u64 { 1 } })* };
}
one_row!(
    document::Model,
    report::Model,
    category::Model,
    task::Model,
    department::Model,
    indicator::Model,
    reporting_period::Model,
    WorkloadRow,
    i64,
);

impl<T> Rows for Arc<Vec<T>> {
    fn rows(&self) -> u64 {
        self.len() as u64
    }
}

impl<T> Rows for Arc<Page<T>> {
    fn rows(&self) -> u64 {
        self.rows.len() as u64
    }
}

/// One relation's cache: at most the configured number of rows, least useful out first.
pub type RowCache<K, V> = Cache<K, V, RowWeight>;

fn row_cache<K: Eq + Hash + Clone, V: Rows + Clone>(capacity: u64) -> RowCache<K, V> {
    // The item estimate guides how quick_cache sizes its shards; most entries hold one row.
    let estimated = usize::try_from(capacity.min(1 << 16)).unwrap_or(1 << 16);
    Cache::with_weighter(estimated.max(16), capacity.max(1), RowWeight)
}

/// A department's co-leaders: (other department, shared tasks), most shared first.
pub type CoLeaders = Arc<Vec<(i64, Vec<i64>)>>;

/// A page of a filtered task listing, as asked for.
pub type FilteredPageKey = (Option<TaskPredicate>, PageRequest);

/// Rows of one version of the list, by relation.
pub struct ListRows {
    pub documents: RowCache<i64, document::Model>,
    pub categories: RowCache<i64, category::Model>,
    pub tasks: RowCache<i64, task::Model>,
    pub departments: RowCache<i64, department::Model>,
    pub indicators: RowCache<i64, indicator::Model>,
    pub periods: RowCache<i64, reporting_period::Model>,
    pub assignments_of_task: RowCache<i64, Arc<Vec<assignment::Model>>>,
    pub indicators_of_task: RowCache<i64, Arc<Vec<indicator::Model>>>,
    pub workloads: RowCache<i64, WorkloadRow>,
    pub co_leaders: RowCache<i64, CoLeaders>,
    pub scoped_pages: RowCache<(i64, ScopedPageArgs), Arc<Page<task::Model>>>,
    pub scoped_counts: RowCache<(i64, TaskScope, Option<bool>), i64>,
    pub filtered_pages: RowCache<FilteredPageKey, Arc<Page<task::Model>>>,
    pub filtered_counts: RowCache<Option<TaskPredicate>, i64>,
    /// Revisions 1 to N of a report, by (report, N): written once, never changed.
    pub revisions: RowCache<(i64, i32), Arc<Vec<report_revision::Model>>>,
}

impl ListRows {
    fn new(capacity: u64) -> Self {
        Self {
            documents: row_cache(capacity),
            categories: row_cache(capacity),
            tasks: row_cache(capacity),
            departments: row_cache(capacity),
            indicators: row_cache(capacity),
            periods: row_cache(capacity),
            assignments_of_task: row_cache(capacity),
            indicators_of_task: row_cache(capacity),
            workloads: row_cache(capacity),
            co_leaders: row_cache(capacity),
            scoped_pages: row_cache(capacity),
            scoped_counts: row_cache(capacity),
            filtered_pages: row_cache(capacity),
            filtered_counts: row_cache(capacity),
            revisions: row_cache(capacity),
        }
    }
}

/// Whose obligations: (period, department id, department name).
pub type ObligationKey = (i64, Option<i64>, Option<String>);

/// Reports at one count of submissions (and one list version).
pub struct ReportRows {
    pub by_id: RowCache<i64, report::Model>,
    /// Reports of a task, every period and department.
    pub of_task: RowCache<i64, Arc<Vec<report::Model>>>,
    /// Every obligation of a period (and department), whatever its state: states are judged
    /// per request, at its own `as_of`.
    pub obligations: RowCache<ObligationKey, Arc<Vec<ObligationRow>>>,
}

impl ReportRows {
    fn new(capacity: u64) -> Self {
        Self { by_id: row_cache(capacity), of_task: row_cache(capacity), obligations: row_cache(capacity) }
    }
}

/// The rows one request reads from: those of the versions it saw.
pub struct SharedRows {
    pub list: Arc<ListRows>,
    pub reports: Arc<ReportRows>,
}

/// One set of rows, valid while the database is at one version; another version starts over.
pub(crate) struct Tier<V, R> {
    current: Mutex<Option<(V, Arc<R>)>>,
}

impl<V: PartialEq + Clone, R> Tier<V, R> {
    /// The rows of `version`: those kept, or new ones from `make` (dropping another version's).
    pub(crate) fn at(&self, version: &V, make: impl FnOnce() -> R) -> Arc<R> {
        let mut current = self.current.lock().unwrap_or_else(PoisonError::into_inner);
        match &*current {
            Some((v, rows)) if v == version => rows.clone(),
            _ => {
                // Rows read after the version are at least as new as it: a write that lands
                // meanwhile moves the version again, and the next request starts over.
                let rows = Arc::new(make());
                *current = Some((version.clone(), rows.clone()));
                rows
            }
        }
    }
}

impl<V, R> Default for Tier<V, R> {
    fn default() -> Self {
        Self { current: Mutex::new(None) }
    }
}

/// The rows of the current versions, shared by every request of the process.
#[derive(Clone)]
pub struct ListCache {
    /// Rows each relation may keep; 0 turns the cache off.
    capacity: u64,
    list: Arc<Tier<ListVersion, ListRows>>,
    /// Reports depend on the list too: an import may bring reports (`generate`).
    reports: Arc<Tier<Versions, ReportRows>>,
}

impl ListCache {
    /// A cache keeping at most `capacity` rows per relation (0: nothing is kept).
    pub fn new(capacity: u64) -> Self {
        Self { capacity, list: Arc::default(), reports: Arc::default() }
    }

    /// Whether anything is kept at all.
    pub fn is_enabled(&self) -> bool {
        self.capacity > 0
    }

    /// The rows kept for `versions` (read with [`versions`] by the caller), or `None` when the
    /// cache is off.
    pub fn rows_at(&self, versions: &Versions) -> Option<SharedRows> {
        if !self.is_enabled() {
            return None;
        }
        Some(SharedRows {
            list: self.list.at(&versions.list, || ListRows::new(self.capacity)),
            reports: self.reports.at(versions, || ReportRows::new(self.capacity)),
        })
    }
}
