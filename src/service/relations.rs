//! Batched lookups behind the DataLoaders: each runs one statement for many parents.

use std::collections::HashMap;

use entity::{assignment, indicator, task};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, Iterable, PrimaryKeyToColumn, QueryFilter, QueryOrder,
};

use super::page::{Page, PageRequest};
use super::sql::Sql;
use super::task_filter::role_str;
use crate::error::ApiResult;

/// Rows of `E` by primary key.
pub async fn by_ids<E: EntityTrait>(db: &impl ConnectionTrait, ids: &[i64]) -> ApiResult<Vec<E::Model>> {
    let Some(pk) = E::PrimaryKey::iter().next() else {
        return Ok(Vec::new());
    };
    Ok(E::find().filter(pk.into_column().is_in(ids.iter().copied())).all(db).await?)
}

/// Assignments of the given tasks, by task, in role then source order.
pub async fn assignments_of_tasks(
    db: &impl ConnectionTrait,
    task_ids: &[i64],
) -> ApiResult<HashMap<i64, Vec<assignment::Model>>> {
    let rows = assignment::Entity::find()
        .filter(assignment::Column::TaskId.is_in(task_ids.iter().copied()))
        .order_by_asc(assignment::Column::TaskId)
        .order_by_asc(assignment::Column::Role)
        .order_by_asc(assignment::Column::Position)
        .all(db)
        .await?;
    Ok(group(rows, |a| a.task_id))
}

/// Indicators of the given tasks, by task, in text order.
pub async fn indicators_of_tasks(
    db: &impl ConnectionTrait,
    task_ids: &[i64],
) -> ApiResult<HashMap<i64, Vec<indicator::Model>>> {
    let rows = indicator::Entity::find()
        .filter(indicator::Column::TaskId.is_in(task_ids.iter().copied()))
        .order_by_asc(indicator::Column::TaskId)
        .order_by_asc(indicator::Column::Position)
        .all(db)
        .await?;
    Ok(group(rows, |i| i.task_id))
}

/// A department's counts of tasks by role.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, FromQueryResult)]
pub struct WorkloadRow {
    pub department_id: i64,
    pub lead: i64,
    pub sole_lead: i64,
    pub co_lead: i64,
    pub responsible: i64,
    pub total: i64,
}

/// Workloads of the given departments in one GROUP BY.
pub async fn workloads(db: &impl ConnectionTrait, department_ids: &[i64]) -> ApiResult<HashMap<i64, WorkloadRow>> {
    let mut q = Sql::new(db.get_database_backend());
    q.push(
        "SELECT a.department_id, \
         COALESCE(SUM(CASE WHEN a.role = 'LEAD' THEN 1 ELSE 0 END), 0) AS lead, \
         COALESCE(SUM(CASE WHEN a.role = 'LEAD' AND t.lead_count = 1 THEN 1 ELSE 0 END), 0) AS sole_lead, \
         COALESCE(SUM(CASE WHEN a.role = 'LEAD' AND t.lead_count >= 2 THEN 1 ELSE 0 END), 0) AS co_lead, \
         COALESCE(SUM(CASE WHEN a.role = 'RESPONSIBLE' THEN 1 ELSE 0 END), 0) AS responsible, \
         COUNT(DISTINCT a.task_id) AS total \
         FROM assignment a JOIN task t ON t.id = a.task_id WHERE a.department_id IN ",
    )
    .bind_list(department_ids)
    .push(" GROUP BY a.department_id");
    let rows = WorkloadRow::find_by_statement(q.build()).all(db).await?;
    Ok(rows.into_iter().map(|r| (r.department_id, r)).collect())
}

#[derive(Debug, FromQueryResult)]
struct CoLeadRow {
    department_id: i64,
    other_id: i64,
    task_id: i64,
}

/// For each department: the departments that lead tasks together with it, with those tasks
/// (in task order), most shared first.
pub async fn co_leaders(
    db: &impl ConnectionTrait,
    department_ids: &[i64],
) -> ApiResult<HashMap<i64, Vec<(i64, Vec<i64>)>>> {
    let mut q = Sql::new(db.get_database_backend());
    q.push(
        "SELECT a.department_id, b.department_id AS other_id, a.task_id \
         FROM assignment a JOIN assignment b ON b.task_id = a.task_id AND b.role = 'LEAD' AND b.department_id <> a.department_id \
         WHERE a.role = 'LEAD' AND a.department_id IN ",
    )
    .bind_list(department_ids)
    .push(" ORDER BY a.department_id, a.task_id");
    let rows = CoLeadRow::find_by_statement(q.build()).all(db).await?;
    let mut out: HashMap<i64, Vec<(i64, Vec<i64>)>> = HashMap::new();
    for r in rows {
        let list = out.entry(r.department_id).or_default();
        match list.iter_mut().find(|(other, _)| *other == r.other_id) {
            Some((_, tasks)) => tasks.push(r.task_id),
            None => list.push((r.other_id, vec![r.task_id])),
        }
    }
    for list in out.values_mut() {
        // Most shared tasks first; ties in order of the first shared task.
        list.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.1.first().cmp(&b.1.first())));
    }
    Ok(out)
}

/// Whose tasks a scoped page lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TaskScope {
    /// Tasks of a category.
    Category,
    /// Tasks a department is assigned to, optionally in one role.
    Department { role: Option<entity::Role> },
}

/// Arguments shared by sibling scoped pages, so one statement serves them all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ScopedPageArgs {
    pub scope: TaskScope,
    pub co_led: Option<bool>,
    pub page: PageRequest,
}

/// For many parents at once, a page of their tasks each: a window function numbers each
/// parent's rows, so the statement count does not grow with the parents.
pub async fn scoped_task_pages(
    db: &impl ConnectionTrait,
    parent_ids: &[i64],
    args: ScopedPageArgs,
) -> ApiResult<HashMap<i64, Page<task::Model>>> {
    let mut q = Sql::new(db.get_database_backend());
    let dir = if args.page.scan_descending() { "DESC" } else { "ASC" };
    q.push("SELECT s.* FROM (SELECT t.*, ");
    write_scope_from(&mut q, parent_ids, args, dir);
    q.push(") s WHERE s.rn <= ").bind(args.page.limit as i64 + 1);
    q.push(" ORDER BY s.scope_id, s.rn");
    let rows = db.query_all_raw(q.build()).await?;
    let mut grouped: HashMap<i64, Vec<task::Model>> = HashMap::new();
    for row in rows {
        let scope: i64 = row.try_get("", "scope_id")?;
        grouped.entry(scope).or_default().push(task::Model::from_query_result(&row, "")?);
    }
    Ok(parent_ids.iter().map(|id| (*id, args.page.finish(grouped.remove(id).unwrap_or_default()))).collect())
}

fn write_scope_from(q: &mut Sql, parent_ids: &[i64], args: ScopedPageArgs, dir: &str) {
    match args.scope {
        TaskScope::Category => {
            q.push("t.category_id AS scope_id, ROW_NUMBER() OVER (PARTITION BY t.category_id ORDER BY t.id ");
            q.push(dir).push(") AS rn FROM task t WHERE t.category_id IN ").bind_list(parent_ids);
        }
        TaskScope::Department { role } => {
            q.push("x.department_id AS scope_id, ROW_NUMBER() OVER (PARTITION BY x.department_id ORDER BY t.id ");
            q.push(dir).push(") AS rn FROM task t JOIN (SELECT DISTINCT a.department_id, a.task_id FROM assignment a WHERE a.department_id IN ");
            q.bind_list(parent_ids);
            if let Some(role) = role {
                q.push(" AND a.role = ").bind(role_str(role));
            }
            q.push(") x ON x.task_id = t.id WHERE 1 = 1");
        }
    }
    match args.co_led {
        Some(true) => {
            q.push(" AND t.lead_count >= 2");
        }
        Some(false) => {
            q.push(" AND t.lead_count < 2");
        }
        None => {}
    }
    let (lower, upper) = args.page.id_bounds();
    if let Some(id) = lower {
        q.push(" AND t.id > ").bind(id);
    }
    if let Some(id) = upper {
        q.push(" AND t.id < ").bind(id);
    }
}

/// Total tasks per parent for a scope (the `totalCount` of scoped connections).
pub async fn scoped_task_counts(
    db: &impl ConnectionTrait,
    parent_ids: &[i64],
    scope: TaskScope,
    co_led: Option<bool>,
) -> ApiResult<HashMap<i64, i64>> {
    let mut q = Sql::new(db.get_database_backend());
    match scope {
        TaskScope::Category => {
            q.push("SELECT t.category_id AS scope_id, COUNT(*) AS n FROM task t WHERE t.category_id IN ")
                .bind_list(parent_ids);
        }
        TaskScope::Department { role } => {
            q.push("SELECT x.department_id AS scope_id, COUNT(*) AS n FROM task t JOIN (SELECT DISTINCT a.department_id, a.task_id FROM assignment a WHERE a.department_id IN ");
            q.bind_list(parent_ids);
            if let Some(role) = role {
                q.push(" AND a.role = ").bind(role_str(role));
            }
            q.push(") x ON x.task_id = t.id WHERE 1 = 1");
        }
    }
    match co_led {
        Some(true) => {
            q.push(" AND t.lead_count >= 2");
        }
        Some(false) => {
            q.push(" AND t.lead_count < 2");
        }
        None => {}
    }
    q.push(" GROUP BY scope_id");
    let rows = db.query_all_raw(q.build()).await?;
    let mut out = HashMap::new();
    for r in rows {
        out.insert(r.try_get::<i64>("", "scope_id")?, r.try_get::<i64>("", "n")?);
    }
    Ok(out)
}

fn group<T>(rows: Vec<T>, key: impl Fn(&T) -> i64) -> HashMap<i64, Vec<T>> {
    let mut out: HashMap<i64, Vec<T>> = HashMap::new();
    for r in rows {
        out.entry(key(&r)).or_default().push(r);
    }
    out
}
