//! DataLoaders of the reports, one per relation: one statement per relation per request level,
//! whatever the number of parents. (The list's relations need none: they are read from the
//! request's [`ListSnapshot`](crate::service::list::ListSnapshot).)
//!
//! Reports change with every submission, so a loader keeps nothing beyond one batch: rows are
//! never carried from before a write to after it, in a mutation or across requests.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, Loader, NoCache};
use entity::{report, report_revision};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};

use crate::error::ApiError;

/// Loads report rows for one request.
pub struct ReportLoader {
    db: DatabaseConnection,
}

/// A new loader on `db` for one request or one subscription event. A batch is fetched when the
/// request goes idle (see [`super::batching`]), after `window` at the latest.
pub fn new_loader(db: DatabaseConnection, window: std::time::Duration) -> DataLoader<ReportLoader, NoCache> {
    DataLoader::new(ReportLoader { db }, move |fetch| super::batching::spawn_fetch(fetch, window))
        .max_batch_size(2000)
        .delay(std::time::Duration::ZERO)
}

type LoadResult<K, V> = Result<HashMap<K, V>, async_graphql::Error>;

/// A report by id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ReportKey(pub i64);

impl Loader<ReportKey> for ReportLoader {
    type Value = report::Model;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[ReportKey]) -> LoadResult<ReportKey, report::Model> {
        let rows = reports_where(&self.db, report::Column::Id, keys.iter().map(|k| k.0)).await?;
        Ok(rows.into_iter().map(|r| (ReportKey(r.id), r)).collect())
    }
}

/// Reports of a parent, in id order, by the column that names the parent.
macro_rules! reports_of {
    ($(#[$doc:meta])* $key:ident, $column:expr, $parent:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub struct $key(pub i64);

        impl Loader<$key> for ReportLoader {
            type Value = Arc<Vec<report::Model>>;
            type Error = async_graphql::Error;

            async fn load(&self, keys: &[$key]) -> LoadResult<$key, Self::Value> {
                let rows = reports_where(&self.db, $column, keys.iter().map(|k| k.0)).await?;
                let mut by: HashMap<i64, Vec<report::Model>> = HashMap::new();
                for r in rows {
                    by.entry(r.$parent).or_default().push(r);
                }
                Ok(keys.iter().map(|k| (*k, Arc::new(by.remove(&k.0).unwrap_or_default()))).collect())
            }
        }
    };
}

reports_of!(
    /// Reports on a task (every period and department).
    ReportsOfTask,
    report::Column::TaskId,
    task_id
);
reports_of!(
    /// Reports by a department (every task and period).
    ReportsOfDepartment,
    report::Column::DepartmentId,
    department_id
);
reports_of!(
    /// Reports for a period (every task and department).
    ReportsOfPeriod,
    report::Column::PeriodId,
    period_id
);

async fn reports_where(
    db: &DatabaseConnection,
    column: report::Column,
    ids: impl Iterator<Item = i64>,
) -> Result<Vec<report::Model>, ApiError> {
    Ok(report::Entity::find().filter(column.is_in(ids)).order_by_asc(report::Column::Id).all(db).await?)
}

/// Revisions 1 to `through` of a report, oldest first: a submission that lands after the report
/// row was read adds revisions that this answer must not show beside the older row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RevisionsOfReport {
    pub report: i64,
    pub through: i32,
}

impl Loader<RevisionsOfReport> for ReportLoader {
    type Value = Arc<Vec<report_revision::Model>>;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[RevisionsOfReport]) -> LoadResult<RevisionsOfReport, Self::Value> {
        let rows = report_revision::Entity::find()
            .filter(report_revision::Column::ReportId.is_in(keys.iter().map(|k| k.report)))
            .order_by_asc(report_revision::Column::ReportId)
            .order_by_asc(report_revision::Column::Revision)
            .all(&self.db)
            .await
            .map_err(ApiError::from)?;
        let mut by: HashMap<i64, Vec<report_revision::Model>> = HashMap::new();
        for r in rows {
            by.entry(r.report_id).or_default().push(r);
        }
        Ok(keys
            .iter()
            .map(|k| {
                let rows =
                    by.get(&k.report).map(|all| all.iter().filter(|r| r.revision <= k.through).cloned().collect());
                (*k, Arc::new(rows.unwrap_or_default()))
            })
            .collect())
    }
}

/// Reports on a task with their revisions, oldest first, in one statement: the task page that
/// shows both runs one statement for them instead of two, and rows and revisions agree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ReportsWithRevisionsOfTask(pub i64);

/// A report with every revision read beside it.
pub type ReportWithRevisions = (report::Model, Arc<Vec<report_revision::Model>>);

impl Loader<ReportsWithRevisionsOfTask> for ReportLoader {
    type Value = Arc<Vec<ReportWithRevisions>>;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[ReportsWithRevisionsOfTask]) -> LoadResult<ReportsWithRevisionsOfTask, Self::Value> {
        let rows = report::Entity::find()
            .filter(report::Column::TaskId.is_in(keys.iter().map(|k| k.0)))
            .find_with_related(report_revision::Entity)
            .order_by_asc(report::Column::Id)
            .order_by_asc(report_revision::Column::Revision)
            .all(&self.db)
            .await
            .map_err(ApiError::from)?;
        let mut by: HashMap<i64, Vec<ReportWithRevisions>> = HashMap::new();
        for (r, revisions) in rows {
            by.entry(r.task_id).or_default().push((r, Arc::new(revisions)));
        }
        Ok(keys.iter().map(|k| (*k, Arc::new(by.remove(&k.0).unwrap_or_default()))).collect())
    }
}

/// Supervision rows of a parent (extensions, notices, events), in id order, by the column that
/// names the parent: one statement per relation per level.
macro_rules! rows_of {
    ($(#[$doc:meta])* $key:ident($ty:ty), $entity:ident, $column:expr, $parent:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub struct $key(pub $ty);

        impl Loader<$key> for ReportLoader {
            type Value = Arc<Vec<entity::$entity::Model>>;
            type Error = async_graphql::Error;

            async fn load(&self, keys: &[$key]) -> LoadResult<$key, Self::Value> {
                let rows = entity::$entity::Entity::find()
                    .filter($column.is_in(keys.iter().map(|k| k.0.clone())))
                    .order_by_asc(entity::$entity::Column::Id)
                    .all(&self.db)
                    .await
                    .map_err(ApiError::from)?;
                let mut by: HashMap<$ty, Vec<entity::$entity::Model>> = HashMap::new();
                let parent: fn(&entity::$entity::Model) -> Option<$ty> = $parent;
                for r in rows {
                    if let Some(p) = parent(&r) {
                        by.entry(p).or_default().push(r);
                    }
                }
                Ok(keys.iter().map(|k| (k.clone(), Arc::new(by.remove(&k.0).unwrap_or_default()))).collect())
            }
        }
    };
}

rows_of!(
    /// Extensions of a period (every task and department).
    ExtensionsOfPeriod(i64),
    extension,
    entity::extension::Column::PeriodId,
    |r| Some(r.period_id)
);
rows_of!(
    /// Closures (销号) of a document's tasks, oldest first.
    ClosuresOfDocument(i64),
    closure,
    entity::closure::Column::DocumentId,
    |r| Some(r.document_id)
);
rows_of!(
    /// Closures (销号) of a task, oldest first.
    ClosuresOfTask(i64),
    closure,
    entity::closure::Column::TaskId,
    |r| Some(r.task_id)
);
rows_of!(
    /// Notices of a period (every task and department).
    NoticesOfPeriod(i64),
    notice,
    entity::notice::Column::PeriodId,
    |r| Some(r.period_id)
);
rows_of!(
    /// Notices to a department.
    NoticesOfDepartment(i64),
    notice,
    entity::notice::Column::DepartmentId,
    |r| Some(r.department_id)
);
rows_of!(
    /// Events about one subject (a report, an extension, …), oldest first.
    EventsOfSubject(String),
    audit_event,
    entity::audit_event::Column::Subject,
    |r| Some(r.subject.clone())
);
rows_of!(
    /// Events about one task (its reports, extensions and notices), oldest first.
    EventsOfTask(i64),
    audit_event,
    entity::audit_event::Column::TaskId,
    |r| r.task_id
);
rows_of!(
    /// Extensions by id (`node`).
    ExtensionKey(i64),
    extension,
    entity::extension::Column::Id,
    |r| Some(r.id)
);
rows_of!(
    /// Notices by id (`node`).
    NoticeKey(i64),
    notice,
    entity::notice::Column::Id,
    |r| Some(r.id)
);
rows_of!(
    /// Events by id (`node`, subscriptions).
    EventKey(i64),
    audit_event,
    entity::audit_event::Column::Id,
    |r| Some(r.id)
);
rows_of!(
    /// Webhooks by id (a delivery's webhook).
    WebhookKey(i64),
    webhook,
    entity::webhook::Column::Id,
    |r| Some(r.id)
);
