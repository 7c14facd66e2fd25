//! DataLoader keys and their batch loads: one statement per relation per request level, and
//! none for rows of the list that an earlier request already read (see [`ListCache`]).

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use entity::{assignment, category, department, document, indicator, task};
use sea_orm::DatabaseConnection;

use crate::service::list_cache::{CoLeaders, ListCache, ListRows, ListVersion, RowCache, Rows, list_version};
use crate::service::page::{Page, PageRequest};
use crate::service::relations::{self, ScopedPageArgs, TaskScope, WorkloadRow};
use crate::service::task_filter::TaskPredicate;
use crate::service::tasks;

/// Loads rows for one request; every key type below is batched on its own.
pub struct DbLoader {
    db: DatabaseConnection,
    /// Rows of the list shared across requests; `None` for loaders that outlive a request.
    list: Option<ListCache>,
    /// The list's version as this request first saw it, and the shared rows kept for it.
    seen: tokio::sync::OnceCell<(ListVersion, Option<Arc<ListRows>>)>,
}

impl DbLoader {
    /// The list's version, read once per request (one small statement).
    pub async fn list_version(&self) -> Result<ListVersion, async_graphql::Error> {
        if self.list.is_none() {
            // A loader without the shared rows may outlive a request: never keep a version.
            return Ok(list_version(&self.db).await?);
        }
        Ok(self.seen().await?.0.clone())
    }

    /// The shared rows of the list version this request saw; `None` when nothing is shared.
    pub async fn list_rows(&self) -> Result<Option<Arc<ListRows>>, async_graphql::Error> {
        if !self.list.as_ref().is_some_and(ListCache::is_enabled) {
            return Ok(None);
        }
        Ok(self.seen().await?.1.clone())
    }

    async fn seen(&self) -> Result<&(ListVersion, Option<Arc<ListRows>>), async_graphql::Error> {
        let seen = self
            .seen
            .get_or_try_init(|| async {
                let version = list_version(&self.db).await?;
                let rows = self.list.as_ref().and_then(|l| l.rows_at(&version));
                Ok::<_, crate::error::ApiError>((version, rows))
            })
            .await?;
        Ok(seen)
    }

    /// Looks `keys` up in the shared rows of `pick`, and fetches only the rest with `fetch`
    /// (which then enter the shared rows).
    async fn through_list<K, V, Fut>(
        &self,
        keys: &[K],
        pick: fn(&ListRows) -> &RowCache<K, V>,
        fetch: impl FnOnce(Vec<K>) -> Fut,
    ) -> LoadResult<K, V>
    where
        K: Eq + Hash + Clone,
        V: Rows + Clone,
        Fut: Future<Output = LoadResult<K, V>>,
    {
        let Some(rows) = self.list_rows().await? else {
            return fetch(keys.to_vec()).await;
        };
        let cache = pick(&rows);
        let mut out = HashMap::with_capacity(keys.len());
        let mut missing = Vec::new();
        for k in keys {
            match cache.get(k) {
                Some(v) => {
                    out.insert(k.clone(), v);
                }
                None => missing.push(k.clone()),
            }
        }
        if !missing.is_empty() {
            for (k, v) in fetch(missing).await? {
                cache.insert(k.clone(), v.clone());
                out.insert(k, v);
            }
        }
        Ok(out)
    }

    /// A page of the tasks matching `predicate`, shared with earlier requests that asked the same.
    pub async fn filtered_tasks(
        &self,
        predicate: Option<&TaskPredicate>,
        page: PageRequest,
    ) -> Result<Arc<Page<task::Model>>, async_graphql::Error> {
        let key = (predicate.cloned(), page);
        let found = self
            .through_list(
                std::slice::from_ref(&key),
                |l| &l.filtered_pages,
                |missing| async move {
                    let mut out = HashMap::with_capacity(missing.len());
                    for (predicate, page) in missing {
                        let rows = tasks::list(&self.db, predicate.as_ref(), page).await?;
                        out.insert((predicate, page), Arc::new(rows));
                    }
                    Ok(out)
                },
            )
            .await?;
        Ok(found.get(&key).cloned().unwrap_or_default())
    }

    /// How many tasks match `predicate`, shared with earlier requests that asked the same.
    pub async fn filtered_count(&self, predicate: Option<&TaskPredicate>) -> Result<i64, async_graphql::Error> {
        let key = predicate.cloned();
        let found = self
            .through_list(
                std::slice::from_ref(&key),
                |l| &l.filtered_counts,
                |missing| async move {
                    let mut out = HashMap::with_capacity(missing.len());
                    for predicate in missing {
                        let n = tasks::count(&self.db, predicate.as_ref()).await?;
                        out.insert(predicate, n);
                    }
                    Ok(out)
                },
            )
            .await?;
        Ok(found.get(&key).copied().unwrap_or(0))
    }
}

/// A new per-request loader on `db`. A batch is fetched when the request goes idle (see
/// [`super::batching`]), after `window` at the latest. Rows loaded once are kept for the rest of
/// the request: a key asked for again at a later level (a report's department after an
/// assignment's) costs no second statement. With `list`, rows of the list also come from (and
/// go to) the cache shared across requests.
pub fn new_loader(
    db: DatabaseConnection,
    window: std::time::Duration,
    list: Option<ListCache>,
) -> DataLoader<DbLoader, HashMapCache> {
    DataLoader::with_cache(
        DbLoader { db, list, seen: tokio::sync::OnceCell::new() },
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
    // Rows of the list: through the shared cache's `$rows`.
    ($key:ident, $entity:ty, $model:ty, $rows:ident) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub struct $key(pub i64);

        impl Loader<$key> for DbLoader {
            type Value = $model;
            type Error = async_graphql::Error;

            async fn load(&self, keys: &[$key]) -> LoadResult<$key, $model> {
                let ids: Vec<i64> = keys.iter().map(|k| k.0).collect();
                let found = self
                    .through_list(
                        &ids,
                        |l| &l.$rows,
                        |missing| async move {
                            let rows = relations::by_ids::<$entity>(&self.db, &missing).await?;
                            Ok(rows.into_iter().map(|r| (r.id, r)).collect())
                        },
                    )
                    .await?;
                Ok(found.into_iter().map(|(id, r)| ($key(id), r)).collect())
            }
        }
    };
}

by_id_loader!(DocumentKey, document::Entity, document::Model, documents);
by_id_loader!(CategoryKey, category::Entity, category::Model, categories);
by_id_loader!(TaskKey, task::Entity, task::Model, tasks);
by_id_loader!(DepartmentKey, department::Entity, department::Model, departments);
by_id_loader!(PeriodKey, entity::reporting_period::Entity, entity::reporting_period::Model, periods);
by_id_loader!(ReportKey, entity::report::Entity, entity::report::Model);
by_id_loader!(IndicatorKey, indicator::Entity, indicator::Model, indicators);

/// A relation of the list keyed by one parent id, through the shared cache's `$rows`: `$fetch`
/// maps parent ids to what it found; parents it did not find get `$default`.
macro_rules! of_parent_loader {
    ($(#[$doc:meta])* $key:ident, $value:ty, $rows:ident, $fetch:path, $default:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub struct $key(pub i64);

        impl Loader<$key> for DbLoader {
            type Value = $value;
            type Error = async_graphql::Error;

            async fn load(&self, keys: &[$key]) -> LoadResult<$key, $value> {
                let ids: Vec<i64> = keys.iter().map(|k| k.0).collect();
                let found = self
                    .through_list(&ids, |l| &l.$rows, |missing| async move {
                        let mut found = $fetch(&self.db, &missing).await?;
                        let default: fn(i64) -> $value = $default;
                        Ok(missing
                            .into_iter()
                            .map(|id| (id, found.remove(&id).map(Into::into).unwrap_or_else(|| default(id))))
                            .collect())
                    })
                    .await?;
                Ok(found.into_iter().map(|(id, v)| ($key(id), v)).collect())
            }
        }
    };
}

of_parent_loader!(
    /// Assignments of a task.
    AssignmentsOfTask,
    Arc<Vec<assignment::Model>>,
    assignments_of_task,
    relations::assignments_of_tasks,
    |_| Arc::default()
);
of_parent_loader!(
    /// Indicators of a task.
    IndicatorsOfTask,
    Arc<Vec<indicator::Model>>,
    indicators_of_task,
    relations::indicators_of_tasks,
    |_| Arc::default()
);
of_parent_loader!(
    /// Workload of a department.
    WorkloadOf,
    WorkloadRow,
    workloads,
    relations::workloads,
    |id| WorkloadRow { department_id: id, ..Default::default() }
);
of_parent_loader!(
    /// Co-leaders of a department: (other department, shared tasks), most shared first.
    CoLeadersOf,
    CoLeaders,
    co_leaders,
    relations::co_leaders,
    |_| Arc::default()
);

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
        let keys: Vec<(i64, ScopedPageArgs)> = keys.iter().map(|k| (k.parent, k.args)).collect();
        let found = self
            .through_list(
                &keys,
                |l| &l.scoped_pages,
                |missing| async move {
                    // Siblings nearly always share their arguments: one statement per distinct
                    // argument set.
                    let mut groups: HashMap<ScopedPageArgs, Vec<i64>> = HashMap::new();
                    for (parent, args) in &missing {
                        groups.entry(*args).or_default().push(*parent);
                    }
                    let mut out = HashMap::with_capacity(missing.len());
                    for (args, parents) in groups {
                        for (parent, page) in relations::scoped_task_pages(&self.db, &parents, args).await? {
                            out.insert((parent, args), Arc::new(page));
                        }
                    }
                    Ok(out)
                },
            )
            .await?;
        Ok(found.into_iter().map(|((parent, args), page)| (ScopedPage { parent, args }, page)).collect())
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
        let keys: Vec<(i64, TaskScope, Option<bool>)> = keys.iter().map(|k| (k.parent, k.scope, k.co_led)).collect();
        let found = self
            .through_list(
                &keys,
                |l| &l.scoped_counts,
                |missing| async move {
                    let mut groups: HashMap<(TaskScope, Option<bool>), Vec<i64>> = HashMap::new();
                    for (parent, scope, co_led) in &missing {
                        groups.entry((*scope, *co_led)).or_default().push(*parent);
                    }
                    let mut out = HashMap::with_capacity(missing.len());
                    for ((scope, co_led), parents) in groups {
                        let counts = relations::scoped_task_counts(&self.db, &parents, scope, co_led).await?;
                        for p in parents {
                            out.insert((p, scope, co_led), counts.get(&p).copied().unwrap_or(0));
                        }
                    }
                    Ok(out)
                },
            )
            .await?;
        Ok(found.into_iter().map(|((parent, scope, co_led), n)| (ScopedCount { parent, scope, co_led }, n)).collect())
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

/// Revisions 1 to `through` of a report, oldest first. Revisions are never changed once
/// written, so they are kept across requests under the report's revision number: a newer
/// submission makes a new key rather than a stale entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RevisionsOfReport {
    pub report: i64,
    pub through: i32,
}

impl Loader<RevisionsOfReport> for DbLoader {
    type Value = Arc<Vec<entity::report_revision::Model>>;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[RevisionsOfReport]) -> LoadResult<RevisionsOfReport, Self::Value> {
        let keys: Vec<(i64, i32)> = keys.iter().map(|k| (k.report, k.through)).collect();
        let found = self
            .through_list(
                &keys,
                |l| &l.revisions,
                |missing| async move {
                    let ids: Vec<i64> = missing.iter().map(|k| k.0).collect();
                    let mut found = crate::service::reports::revisions_of(&self.db, &ids).await?;
                    Ok(missing
                        .into_iter()
                        .map(|(report, through)| {
                            // A submission after the report row was read adds revisions past
                            // `through`; they belong to the next key.
                            let mut rows = found.remove(&report).unwrap_or_default();
                            rows.retain(|r| r.revision <= through);
                            ((report, through), Arc::new(rows))
                        })
                        .collect())
                },
            )
            .await?;
        Ok(found.into_iter().map(|((report, through), v)| (RevisionsOfReport { report, through }, v)).collect())
    }
}
