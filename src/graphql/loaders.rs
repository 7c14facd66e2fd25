//! DataLoaders of the reports and the supervision rows, one per relation. Reports, revisions,
//! extensions, notices and closures come from the process's
//! [`ReportStore`](crate::service::report_store::ReportStore), brought up to the versions the
//! request reads (no statement when they have not moved); the audit trail and webhooks, one
//! statement per relation per level, whatever the number of parents. (The list's relations are
//! read from the request's [`ListSnapshot`](crate::service::list::ListSnapshot).)
//!
//! A loader keeps nothing beyond one batch: in a mutation each batch reads the versions again,
//! so rows are never carried from before a write to after it.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, Loader, NoCache};
use entity::report;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use super::context::Seen;
use crate::error::ApiError;
use crate::service::report_store::{Held, HeldRows, ReportStore, Revisions};

/// Loads rows for one request: reports and supervision rows from the process's
/// [`ReportStore`], brought up to the versions the request reads; events and webhooks from the
/// database.
pub struct ReportLoader {
    seen: Arc<Seen>,
    store: ReportStore,
}

/// A new loader for one request or one subscription event. A batch is fetched when the request
/// goes idle (see [`super::batching`]), after `window` at the latest.
pub fn new_loader(
    seen: Arc<Seen>,
    store: ReportStore,
    window: std::time::Duration,
) -> DataLoader<ReportLoader, NoCache> {
    DataLoader::new(ReportLoader { seen, store }, move |fetch| super::batching::spawn_fetch(fetch, window))
        .max_batch_size(2000)
        .delay(std::time::Duration::ZERO)
}

impl ReportLoader {
    /// Runs `f` on the held rows, at least as new as the versions this request reads.
    async fn held<T>(&self, f: impl FnOnce(&HeldRows) -> T) -> Result<T, async_graphql::Error> {
        let versions = self.seen.versions().await?;
        Ok(self.store.read(self.seen.db(), &versions, f).await?)
    }
}

type LoadResult<K, V> = Result<HashMap<K, V>, async_graphql::Error>;

/// Held rows of a parent, in id order, from one of the held indexes.
macro_rules! held_of {
    ($(#[$doc:meta])* $key:ident, $model:path, $index:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub struct $key(pub i64);

        impl Loader<$key> for ReportLoader {
            type Value = Held<$model>;
            type Error = async_graphql::Error;

            async fn load(&self, keys: &[$key]) -> LoadResult<$key, Self::Value> {
                self.held(|rows| keys.iter().map(|k| (*k, rows.$index.of(k.0))).collect()).await
            }
        }
    };
}

held_of!(
    /// Reports on a task (every period and department).
    ReportsOfTask,
    report::Model,
    reports_of_task
);
held_of!(
    /// Reports by a department (every task and period).
    ReportsOfDepartment,
    report::Model,
    reports_of_department
);
held_of!(
    /// Reports for a period (every task and department).
    ReportsOfPeriod,
    report::Model,
    reports_of_period
);
held_of!(
    /// Extensions of a period (every task and department).
    ExtensionsOfPeriod,
    entity::extension::Model,
    extensions_of_period
);
held_of!(
    /// Closures (销号) of a document's tasks, oldest first.
    ClosuresOfDocument,
    entity::closure::Model,
    closures_of_document
);
held_of!(
    /// Closures (销号) of a task, oldest first.
    ClosuresOfTask,
    entity::closure::Model,
    closures_of_task
);
held_of!(
    /// Notices of a period (every task and department).
    NoticesOfPeriod,
    entity::notice::Model,
    notices_of_period
);
held_of!(
    /// Notices to a department.
    NoticesOfDepartment,
    entity::notice::Model,
    notices_of_department
);

/// Held rows by id.
macro_rules! held_by_id {
    ($(#[$doc:meta])* $key:ident, $model:path, $map:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub struct $key(pub i64);

        impl Loader<$key> for ReportLoader {
            type Value = Arc<$model>;
            type Error = async_graphql::Error;

            async fn load(&self, keys: &[$key]) -> LoadResult<$key, Self::Value> {
                self.held(|rows| keys.iter().filter_map(|k| Some((*k, rows.$map.get(&k.0)?.clone()))).collect()).await
            }
        }
    };
}

held_by_id!(
    /// A report by id.
    ReportKey,
    report::Model,
    reports
);
held_by_id!(
    /// Extensions by id (`node`).
    ExtensionKey,
    entity::extension::Model,
    extensions
);
held_by_id!(
    /// Notices by id (`node`).
    NoticeKey,
    entity::notice::Model,
    notices
);

/// Revisions 1 to `through` of a report, oldest first: an answer that shows a report at
/// revision `through` shows no later revision beside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RevisionsOfReport {
    pub report: i64,
    pub through: i32,
}

impl Loader<RevisionsOfReport> for ReportLoader {
    type Value = Revisions;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[RevisionsOfReport]) -> LoadResult<RevisionsOfReport, Self::Value> {
        self.held(|rows| {
            keys.iter()
                .map(|k| {
                    let all = rows.revisions_of(k.report);
                    let upto = if all.last().is_none_or(|r| r.revision <= k.through) {
                        all
                    } else {
                        Arc::new(all.iter().filter(|r| r.revision <= k.through).cloned().collect())
                    };
                    (*k, upto)
                })
                .collect()
        })
        .await
    }
}

/// Reports on a task with their revisions, oldest first, from one read of the held rows: rows
/// and revisions agree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ReportsWithRevisionsOfTask(pub i64);

/// A report with every revision read beside it.
pub type ReportWithRevisions = (Arc<report::Model>, Revisions);

impl Loader<ReportsWithRevisionsOfTask> for ReportLoader {
    type Value = Arc<Vec<ReportWithRevisions>>;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[ReportsWithRevisionsOfTask]) -> LoadResult<ReportsWithRevisionsOfTask, Self::Value> {
        self.held(|rows| {
            keys.iter()
                .map(|k| {
                    let of = rows.reports_of_task.of(k.0);
                    let with = of.iter().map(|r| (r.clone(), rows.revisions_of(r.id))).collect();
                    (*k, Arc::new(with))
                })
                .collect()
        })
        .await
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
                    .all(self.seen.db())
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
