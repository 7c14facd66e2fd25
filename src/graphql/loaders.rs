//! DataLoader keys and their batch loads: one statement per relation per request level.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use entity::{assignment, category, department, document, indicator, task};
use sea_orm::DatabaseConnection;

use crate::service::page::Page;
use crate::service::relations::{self, ScopedPageArgs, TaskScope, WorkloadRow};

/// Loads rows for one request; every key type below is batched on its own.
pub struct DbLoader {
    db: DatabaseConnection,
}

/// A new per-request loader on `db`. A batch is fetched when the request goes idle (see
/// [`super::batching`]), after `window` at the latest. Rows loaded once are kept for the rest of
/// the request: a key asked for again at a later level (a report's department after an
/// assignment's) costs no second statement.
pub fn new_loader(db: DatabaseConnection, window: std::time::Duration) -> DataLoader<DbLoader, HashMapCache> {
    DataLoader::with_cache(
        DbLoader { db },
        move |fetch| super::batching::spawn_fetch(fetch, window),
        HashMapCache::default(),
    )
    .max_batch_size(2000)
    .delay(std::time::Duration::ZERO)
}

type LoadResult<K, V> = Result<HashMap<K, V>, async_graphql::Error>;

macro_rules! by_id_loader {
    ($key:ident, $entity:ty, $model:ty) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub struct $key(pub i64);

        impl Loader<$key> for DbLoader {
            type Value = $model;
            type Error = async_graphql::Error;

            async fn load(&self, keys: &[$key]) -> LoadResult<$key, $model> {
                let ids: Vec<i64> = keys.iter().map(|k| k.0).collect();
                let rows = relations::by_ids::<$entity>(&self.db, &ids).await?;
                Ok(rows.into_iter().map(|r| ($key(r.id), r)).collect())
            }
        }
    };
}

by_id_loader!(DocumentKey, document::Entity, document::Model);
by_id_loader!(CategoryKey, category::Entity, category::Model);
by_id_loader!(TaskKey, task::Entity, task::Model);
by_id_loader!(DepartmentKey, department::Entity, department::Model);
by_id_loader!(PeriodKey, entity::reporting_period::Entity, entity::reporting_period::Model);
by_id_loader!(ReportKey, entity::report::Entity, entity::report::Model);
by_id_loader!(IndicatorKey, indicator::Entity, indicator::Model);

/// Assignments of a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AssignmentsOfTask(pub i64);

impl Loader<AssignmentsOfTask> for DbLoader {
    type Value = Arc<Vec<assignment::Model>>;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[AssignmentsOfTask]) -> LoadResult<AssignmentsOfTask, Self::Value> {
        let ids: Vec<i64> = keys.iter().map(|k| k.0).collect();
        let mut found = relations::assignments_of_tasks(&self.db, &ids).await?;
        Ok(ids.into_iter().map(|id| (AssignmentsOfTask(id), Arc::new(found.remove(&id).unwrap_or_default()))).collect())
    }
}

/// Indicators of a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct IndicatorsOfTask(pub i64);

impl Loader<IndicatorsOfTask> for DbLoader {
    type Value = Arc<Vec<indicator::Model>>;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[IndicatorsOfTask]) -> LoadResult<IndicatorsOfTask, Self::Value> {
        let ids: Vec<i64> = keys.iter().map(|k| k.0).collect();
        let mut found = relations::indicators_of_tasks(&self.db, &ids).await?;
        Ok(ids.into_iter().map(|id| (IndicatorsOfTask(id), Arc::new(found.remove(&id).unwrap_or_default()))).collect())
    }
}

/// Workload of a department.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct WorkloadOf(pub i64);

impl Loader<WorkloadOf> for DbLoader {
    type Value = WorkloadRow;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[WorkloadOf]) -> LoadResult<WorkloadOf, WorkloadRow> {
        let ids: Vec<i64> = keys.iter().map(|k| k.0).collect();
        let mut found = relations::workloads(&self.db, &ids).await?;
        Ok(ids
            .into_iter()
            .map(|id| {
                (WorkloadOf(id), found.remove(&id).unwrap_or(WorkloadRow { department_id: id, ..Default::default() }))
            })
            .collect())
    }
}

/// Co-leaders of a department: (other department, shared tasks), most shared first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CoLeadersOf(pub i64);

impl Loader<CoLeadersOf> for DbLoader {
    type Value = Arc<Vec<(i64, Vec<i64>)>>;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[CoLeadersOf]) -> LoadResult<CoLeadersOf, Self::Value> {
        let ids: Vec<i64> = keys.iter().map(|k| k.0).collect();
        let mut found = relations::co_leaders(&self.db, &ids).await?;
        Ok(ids.into_iter().map(|id| (CoLeadersOf(id), Arc::new(found.remove(&id).unwrap_or_default()))).collect())
    }
}

/// A page of a parent's tasks (a category's, or a department's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ScopedPage {
    pub parent: i64,
    pub args: ScopedPageArgs,
}

impl Loader<ScopedPage> for DbLoader {
    type Value = Arc<Page<task::Model>>;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[ScopedPage]) -> LoadResult<ScopedPage, Self::Value> {
        // Siblings nearly always share their arguments: one statement per distinct argument set.
        let mut groups: HashMap<ScopedPageArgs, Vec<i64>> = HashMap::new();
        for k in keys {
            groups.entry(k.args).or_default().push(k.parent);
        }
        let mut out = HashMap::with_capacity(keys.len());
        for (args, parents) in groups {
            for (parent, page) in relations::scoped_task_pages(&self.db, &parents, args).await? {
                out.insert(ScopedPage { parent, args }, Arc::new(page));
            }
        }
        Ok(out)
    }
}

/// Size of a parent's whole task listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ScopedCount {
    pub parent: i64,
    pub scope: TaskScope,
    pub co_led: Option<bool>,
}

impl Loader<ScopedCount> for DbLoader {
    type Value = i64;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[ScopedCount]) -> LoadResult<ScopedCount, i64> {
        let mut groups: HashMap<(TaskScope, Option<bool>), Vec<i64>> = HashMap::new();
        for k in keys {
            groups.entry((k.scope, k.co_led)).or_default().push(k.parent);
        }
        let mut out = HashMap::with_capacity(keys.len());
        for ((scope, co_led), parents) in groups {
            let counts = relations::scoped_task_counts(&self.db, &parents, scope, co_led).await?;
            for p in parents {
                out.insert(ScopedCount { parent: p, scope, co_led }, counts.get(&p).copied().unwrap_or(0));
            }
        }
        Ok(out)
    }
}

/// Reports of a task (every period and department).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ReportsOfTask(pub i64);

impl Loader<ReportsOfTask> for DbLoader {
    type Value = Arc<Vec<entity::report::Model>>;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[ReportsOfTask]) -> LoadResult<ReportsOfTask, Self::Value> {
        let ids: Vec<i64> = keys.iter().map(|k| k.0).collect();
        let mut found = crate::service::reports::of_tasks(&self.db, &ids).await?;
        Ok(ids.into_iter().map(|id| (ReportsOfTask(id), Arc::new(found.remove(&id).unwrap_or_default()))).collect())
    }
}

/// Revisions of a report, oldest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RevisionsOfReport(pub i64);

impl Loader<RevisionsOfReport> for DbLoader {
    type Value = Arc<Vec<entity::report_revision::Model>>;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[RevisionsOfReport]) -> LoadResult<RevisionsOfReport, Self::Value> {
        let ids: Vec<i64> = keys.iter().map(|k| k.0).collect();
        let mut found = crate::service::reports::revisions_of(&self.db, &ids).await?;
        Ok(ids.into_iter().map(|id| (RevisionsOfReport(id), Arc::new(found.remove(&id).unwrap_or_default()))).collect())
    }
}
