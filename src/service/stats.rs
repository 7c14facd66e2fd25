//! `taskStats`: task counts grouped by category, department, role and/or department kind.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use sea_orm::ConnectionTrait;

use super::list_cache::ListVersion;
use super::sql::Sql;
use super::task_filter::TaskPredicate;
use crate::error::ApiResult;

/// A dimension to group by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum StatDimension {
    Category,
    Department,
    Role,
    Kind,
}

/// One group: the keys grouped by (others `None`) and its counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatRow {
    pub category_id: Option<i64>,
    pub department_id: Option<i64>,
    pub role: Option<String>,
    pub kind: Option<String>,
    pub task_count: i64,
    pub co_led_task_count: i64,
    pub assignment_count: i64,
}

/// Counts of the tasks matching `filter`, grouped by `dims` (no dims: one total row), largest
/// groups first, at most `limit` of them.
pub async fn task_stats(
    db: &impl ConnectionTrait,
    filter: Option<&TaskPredicate>,
    dims: &[StatDimension],
    limit: u64,
) -> ApiResult<Vec<StatRow>> {
    let has = |d| dims.contains(&d);
    let by_assignment = has(StatDimension::Department) || has(StatDimension::Role) || has(StatDimension::Kind);
    let mut keys: Vec<&str> = Vec::new();
    if has(StatDimension::Category) {
        keys.push("t.category_id");
    }
    if has(StatDimension::Department) {
        keys.push("a.department_id");
    }
    if has(StatDimension::Role) {
        keys.push("a.role");
    }
    if has(StatDimension::Kind) {
        keys.push("d.kind");
    }
    let mut q = Sql::new(db.get_database_backend());
    q.push("SELECT ");
    for k in &keys {
        q.push(k).push(" AS ").push(alias(k)).push(", ");
    }
    q.push("COUNT(DISTINCT t.id) AS task_count, COUNT(DISTINCT CASE WHEN t.lead_count >= 2 THEN t.id END) AS co_led_task_count, ");
    q.push(if by_assignment {
        "COUNT(*) AS assignment_count FROM task t JOIN assignment a ON a.task_id = t.id "
    } else {
        "CAST(0 AS BIGINT) AS assignment_count FROM task t "
    });
    if has(StatDimension::Kind) {
        q.push("JOIN department d ON d.id = a.department_id ");
    }
    q.push("WHERE ");
    match filter {
        Some(f) => f.write_sql(&mut q),
        None => {
            q.push("1 = 1");
        }
    }
    if !keys.is_empty() {
        q.push(" GROUP BY ").push(&keys.join(", "));
        q.push(" ORDER BY task_count DESC, ").push(&keys.join(", "));
        q.push(" LIMIT ").push(&limit.to_string());
    }
    let rows = db.query_all_raw(q.build()).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push(StatRow {
            category_id: if has(StatDimension::Category) { r.try_get("", "category_id")? } else { None },
            department_id: if has(StatDimension::Department) { r.try_get("", "department_id")? } else { None },
            role: if has(StatDimension::Role) { r.try_get("", "role")? } else { None },
            kind: if has(StatDimension::Kind) { r.try_get("", "kind")? } else { None },
            task_count: r.try_get("", "task_count")?,
            co_led_task_count: r.try_get("", "co_led_task_count")?,
            assignment_count: r.try_get::<i64>("", "assignment_count")?,
        });
    }
    Ok(out)
}

fn alias(key: &str) -> &str {
    match key {
        "t.category_id" => "category_id",
        "a.department_id" => "department_id",
        "a.role" => "role",
        _ => "kind",
    }
}

/// Answers of `taskStats` without a filter, kept while the list is unchanged: over every
/// document they aggregate every assignment (130 ms at national scale), while the list changes
/// only on import. Each use passes the list version its request read (the one small statement
/// the list cache also relies on), so an import through any process or replica is seen at once.
#[derive(Clone, Default)]
pub struct StatsCache {
    answers: Arc<Mutex<Answers>>,
    /// Held while an answer is computed: requests that miss together wait for the first one
    /// instead of each aggregating the whole list (and holding its rows) at once.
    computing: Arc<tokio::sync::Mutex<()>>,
}

/// (dimensions, limit) → the answer and the list version it was computed on.
type Answers = HashMap<(Vec<StatDimension>, u64), (ListVersion, Arc<Vec<StatRow>>)>;

/// Distinct (dimensions, limit) answers kept; past it, the cache starts over.
const STATS_CACHE_CAPACITY: usize = 64;

impl StatsCache {
    /// Like [`task_stats`] without a filter, from the cache when the list is still at `version`.
    pub async fn unfiltered(
        &self,
        db: &impl ConnectionTrait,
        version: ListVersion,
        dims: &[StatDimension],
        limit: u64,
    ) -> ApiResult<Arc<Vec<StatRow>>> {
        let mut key_dims = dims.to_vec();
        key_dims.sort();
        key_dims.dedup();
        let key = (key_dims, limit);
        let cached = |cache: &Self| match cache.lock().get(&key) {
            Some((v, rows)) if *v == version => Some(rows.clone()),
            _ => None,
        };
        if let Some(rows) = cached(self) {
            return Ok(rows);
        }
        let _computing = self.computing.lock().await;
        if let Some(rows) = cached(self) {
            return Ok(rows);
        }
        let rows = Arc::new(task_stats(db, None, dims, limit).await?);
        let mut answers = self.lock();
        if answers.len() >= STATS_CACHE_CAPACITY {
            answers.clear();
        }
        answers.insert(key, (version, rows.clone()));
        Ok(rows)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Answers> {
        self.answers.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
