//! DataLoader keys and their batch loads: one statement per relation per request level, and
//! none for rows that an earlier request read at the same versions (see [`ListCache`]).

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use entity::{assignment, category, department, document, indicator, task};
use sea_orm::DatabaseConnection;

use crate::service::list_cache::{CoLeaders, ListCache, ListVersion, RowCache, Rows, SharedRows, Versions, versions};
use crate::service::obligations::{self, ObligationQuery, ObligationRow};
use crate::service::page::{Page, PageRequest};
use crate::service::relations::{self, ScopedPageArgs, TaskScope, WorkloadRow};
use crate::service::task_filter::TaskPredicate;
use crate::service::tasks;

/// Loads rows for one request; every key type below is batched on its own.
pub struct DbLoader {
    db: DatabaseConnection,
    /// Rows shared across requests; `None` for loaders that outlive a request.
    list: Option<ListCache>,
    /// The versions this request first saw, and the shared rows kept for them.
    seen: tokio::sync::OnceCell<(Versions, Option<Arc<SharedRows>>)>,
    /// This request wrote: the versions it saw are behind, so it reads from the database only.
    wrote: AtomicBool,
}

impl DbLoader {
    /// The list's version, read once per request (one small statement).
    pub async fn list_version(&self) -> Result<ListVersion, async_graphql::Error> {
        if self.list.is_none() {
            // A loader without the shared rows may outlive a request: never keep a version.
            return Ok(versions(&self.db).await?.list);
        }
        Ok(self.seen().await?.0.list.clone())
    }

    /// This request reads at `versions`, which its caller has just read: no second statement
    /// asks for them. No effect once the request has read its versions.
    pub fn start_at(&self, versions: Versions) {
        let _ = self.seen.set(self.at(versions));
    }

    /// `versions` with the shared rows kept for them.
    fn at(&self, versions: Versions) -> (Versions, Option<Arc<SharedRows>>) {
        let rows = self.list.as_ref().and_then(|l| l.rows_at(&versions)).map(Arc::new);
        (versions, rows)
    }

    /// `key`'s value from the rows shared at this request's versions, without a batch; `None`
    /// when nothing is shared (or the request wrote) or the row is not kept.
    pub async fn kept<K: Kept>(&self, key: &K) -> Result<Option<K::Value>, async_graphql::Error> {
        Ok(self.shared_rows().await?.and_then(|rows| key.find(&rows)))
    }

    /// From now on this request reads from the database only: the versions it saw are behind
    /// its own write.
    pub fn after_write(&self) {
        self.wrote.store(true, Ordering::Relaxed);
    }

    /// The shared rows of the versions this request saw; `None` when nothing is shared (or the
    /// request wrote since).
    pub async fn shared_rows(&self) -> Result<Option<Arc<SharedRows>>, async_graphql::Error> {
        if !self.list.as_ref().is_some_and(ListCache::is_enabled) || self.wrote.load(Ordering::Relaxed) {
            return Ok(None);
        }
        Ok(self.seen().await?.1.clone())
    }

    async fn seen(&self) -> Result<&(Versions, Option<Arc<SharedRows>>), async_graphql::Error> {
        let seen = self
            .seen
            .get_or_try_init(|| async {
                let versions = versions(&self.db).await?;
                Ok::<_, crate::error::ApiError>(self.at(versions))
            })
            .await?;
        Ok(seen)
    }

    /// Looks `keys` up in the shared rows of `pick`, and fetches only the rest with `fetch`
    /// (which then enter the shared rows).
    async fn through_shared<K, V, Fut>(
        &self,
        keys: &[K],
        pick: fn(&SharedRows) -> &RowCache<K, V>,
        fetch: impl FnOnce(Vec<K>) -> Fut,
    ) -> LoadResult<K, V>
    where
        K: Eq + Hash + Clone,
        V: Rows + Clone,
        Fut: Future<Output = LoadResult<K, V>>,
    {
        let Some(rows) = self.shared_rows().await? else {
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

    /// Like [`Self::through_shared`] for one key that is not batched with others.
    async fn one_through_shared<K, V, Fut>(
        &self,
        key: K,
        pick: fn(&SharedRows) -> &RowCache<K, V>,
        fetch: impl FnOnce(K) -> Fut,
    ) -> Result<V, async_graphql::Error>
    where
        K: Eq + Hash + Clone,
        V: Rows + Clone,
        Fut: Future<Output = Result<V, crate::error::ApiError>>,
    {
        let Some(rows) = self.shared_rows().await? else {
            return Ok(fetch(key).await?);
        };
        let cache = pick(&rows);
        if let Some(v) = cache.get(&key) {
            return Ok(v);
        }
        let v = fetch(key.clone()).await?;
        cache.insert(key, v.clone());
        Ok(v)
    }

    /// A page of the tasks matching `predicate`, shared with earlier requests that asked the same.
    pub async fn filtered_tasks(
        &self,
        predicate: Option<&TaskPredicate>,
        page: PageRequest,
    ) -> Result<Arc<Page<task::Model>>, async_graphql::Error> {
        self.one_through_shared(
            (predicate.cloned(), page),
            |s| &s.list.filtered_pages,
            |(p, page)| async move { Ok(Arc::new(tasks::list(&self.db, p.as_ref(), page).await?)) },
        )
        .await
    }

    /// Every obligation of the query's period and department, shared with earlier requests at the
    /// same versions; `None` when nothing is shared (then page and count in SQL).
    pub async fn obligation_rows(
        &self,
        query: &ObligationQuery,
    ) -> Result<Option<Arc<Vec<ObligationRow>>>, async_graphql::Error> {
        if self.shared_rows().await?.is_none() {
            return Ok(None);
        }
        let key = (query.period.id, query.department_id, query.department_name.clone());
        let rows = self
            .one_through_shared(
                key,
                |s| &s.reports.obligations,
                |_| async move { Ok(Arc::new(obligations::all(&self.db, query).await?)) },
            )
            .await?;
        Ok(Some(rows))
    }

    /// How many tasks match `predicate`, shared with earlier requests that asked the same.
    pub async fn filtered_count(&self, predicate: Option<&TaskPredicate>) -> Result<i64, async_graphql::Error> {
        self.one_through_shared(
            predicate.cloned(),
            |s| &s.list.filtered_counts,
            |p| async move { tasks::count(&self.db, p.as_ref()).await },
        )
        .await
    }
}

/// A new per-request loader on `db`. A batch is fetched when the request goes idle (see
/// [`super::batching`]), after `window` at the latest. Rows loaded once are kept for the rest of
/// the request: a key asked for again at a later level (a report's department after an
/// assignment's) costs no second statement. With `list`, rows of the list, reports and
/// obligations also come from (and go to) the cache shared across requests.
pub fn new_loader(
    db: DatabaseConnection,
    window: std::time::Duration,
    list: Option<ListCache>,
) -> DataLoader<DbLoader, HashMapCache> {
    DataLoader::with_cache(
        DbLoader { db, list, seen: tokio::sync::OnceCell::new(), wrote: AtomicBool::new(false) },
        move |fetch| super::batching::spawn_fetch(fetch, window),
        HashMapCache::default(),
    )
    .max_batch_size(2000)
    .delay(std::time::Duration::ZERO)
}

type LoadResult<K, V> = Result<HashMap<K, V>, async_graphql::Error>;

/// A key whose value the shared rows may hold: a resolver takes it from there at once, without
/// queueing it for a batch and waiting for the request to go idle (see [`DbLoader::kept`]).
pub trait Kept {
    type Value;
    fn find(&self, rows: &SharedRows) -> Option<Self::Value>;
}

macro_rules! by_id_loader {
    // Through the shared cache's `$rows`.
    ($key:ident, $entity:ty, $model:ty, $($rows:ident).+) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub struct $key(pub i64);

        impl Kept for $key {
            type Value = $model;
            fn find(&self, rows: &SharedRows) -> Option<$model> {
                rows.$($rows).+.get(&self.0)
            }
        }

        impl Loader<$key> for DbLoader {
            type Value = $model;
            type Error = async_graphql::Error;

            async fn load(&self, keys: &[$key]) -> LoadResult<$key, $model> {
                let ids: Vec<i64> = keys.iter().map(|k| k.0).collect();
                let found = self
                    .through_shared(
                        &ids,
                        |s| &s.$($rows).+,
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

by_id_loader!(DocumentKey, document::Entity, document::Model, list.documents);
by_id_loader!(CategoryKey, category::Entity, category::Model, list.categories);
by_id_loader!(TaskKey, task::Entity, task::Model, list.tasks);
by_id_loader!(DepartmentKey, department::Entity, department::Model, list.departments);
by_id_loader!(PeriodKey, entity::reporting_period::Entity, entity::reporting_period::Model, list.periods);
by_id_loader!(ReportKey, entity::report::Entity, entity::report::Model, reports.by_id);
by_id_loader!(IndicatorKey, indicator::Entity, indicator::Model, list.indicators);

/// A relation of the list keyed by one parent id, through the shared cache's `$rows`: `$fetch`
/// maps parent ids to what it found; parents it did not find get `$default`.
macro_rules! of_parent_loader {
    ($(#[$doc:meta])* $key:ident, $value:ty, $($rows:ident).+, $fetch:path, $default:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub struct $key(pub i64);

        impl Kept for $key {
            type Value = $value;
            fn find(&self, rows: &SharedRows) -> Option<$value> {
                rows.$($rows).+.get(&self.0)
            }
        }

        impl Loader<$key> for DbLoader {
            type Value = $value;
            type Error = async_graphql::Error;

            async fn load(&self, keys: &[$key]) -> LoadResult<$key, $value> {
                let ids: Vec<i64> = keys.iter().map(|k| k.0).collect();
                let found = self
                    .through_shared(&ids, |s| &s.$($rows).+, |missing| async move {
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
    list.assignments_of_task,
    relations::assignments_of_tasks,
    |_| Arc::default()
);
of_parent_loader!(
    /// Indicators of a task.
    IndicatorsOfTask,
    Arc<Vec<indicator::Model>>,
    list.indicators_of_task,
    relations::indicators_of_tasks,
    |_| Arc::default()
);
of_parent_loader!(
    /// Workload of a department.
    WorkloadOf,
    WorkloadRow,
    list.workloads,
    relations::workloads,
    |id| WorkloadRow { department_id: id, ..Default::default() }
);
of_parent_loader!(
    /// Co-leaders of a department: (other department, shared tasks), most shared first.
    CoLeadersOf,
    CoLeaders,
    list.co_leaders,
    relations::co_leaders,
    |_| Arc::default()
);

/// A page of a parent's tasks (a category's, or a department's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ScopedPage {
    pub parent: i64,
    pub args: ScopedPageArgs,
}

impl Kept for ScopedPage {
    type Value = Arc<Page<task::Model>>;
    fn find(&self, rows: &SharedRows) -> Option<Self::Value> {
        rows.list.scoped_pages.get(&(self.parent, self.args))
    }
}

impl Loader<ScopedPage> for DbLoader {
    type Value = Arc<Page<task::Model>>;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[ScopedPage]) -> LoadResult<ScopedPage, Self::Value> {
        let keys: Vec<(i64, ScopedPageArgs)> = keys.iter().map(|k| (k.parent, k.args)).collect();
        let found = self
            .through_shared(
                &keys,
                |s| &s.list.scoped_pages,
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

impl Kept for ScopedCount {
    type Value = i64;
    fn find(&self, rows: &SharedRows) -> Option<i64> {
        rows.list.scoped_counts.get(&(self.parent, self.scope, self.co_led))
    }
}

impl Loader<ScopedCount> for DbLoader {
    type Value = i64;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[ScopedCount]) -> LoadResult<ScopedCount, i64> {
        let keys: Vec<(i64, TaskScope, Option<bool>)> = keys.iter().map(|k| (k.parent, k.scope, k.co_led)).collect();
        let found = self
            .through_shared(
                &keys,
                |s| &s.list.scoped_counts,
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

of_parent_loader!(
    /// Reports of a task (every period and department).
    ReportsOfTask,
    Arc<Vec<entity::report::Model>>,
    reports.of_task,
    crate::service::reports::of_tasks,
    |_| Arc::default()
);

/// Revisions 1 to `through` of a report, oldest first. Revisions are never changed once
/// written, so they are kept across requests under the report's revision number: a newer
/// submission makes a new key rather than a stale entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RevisionsOfReport {
    pub report: i64,
    pub through: i32,
}

impl Kept for RevisionsOfReport {
    type Value = Arc<Vec<entity::report_revision::Model>>;
    fn find(&self, rows: &SharedRows) -> Option<Self::Value> {
        rows.list.revisions.get(&(self.report, self.through))
    }
}

impl Loader<RevisionsOfReport> for DbLoader {
    type Value = Arc<Vec<entity::report_revision::Model>>;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[RevisionsOfReport]) -> LoadResult<RevisionsOfReport, Self::Value> {
        let keys: Vec<(i64, i32)> = keys.iter().map(|k| (k.report, k.through)).collect();
        let found = self
            .through_shared(
                &keys,
                |s| &s.list.revisions,
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
