//! Task listings: filtered, keyset-paginated, counted on demand.

use entity::task;
use sea_orm::{ConnectionTrait, FromQueryResult};

use super::page::{Page, PageRequest};
use super::sql::Sql;
use super::task_filter::TaskPredicate;
use crate::error::ApiResult;

/// One page of the tasks matching `filter`, in (document, number) order — the order of task
/// ids, since every document's tasks are inserted in number order.
pub async fn list(
    db: &impl ConnectionTrait,
    filter: Option<&TaskPredicate>,
    page: PageRequest,
) -> ApiResult<Page<task::Model>> {
    let mut q = Sql::new(db.get_database_backend());
    q.push("SELECT t.* FROM task t WHERE ");
    write_where(&mut q, filter, page);
    q.push(if page.scan_descending() { " ORDER BY t.id DESC LIMIT " } else { " ORDER BY t.id LIMIT " });
    q.bind(page.limit as i64 + 1);
    let rows = task::Model::find_by_statement(q.build()).all(db).await?;
    Ok(page.finish(rows))
}

/// How many tasks match `filter`.
pub async fn count(db: &impl ConnectionTrait, filter: Option<&TaskPredicate>) -> ApiResult<i64> {
    let mut q = Sql::new(db.get_database_backend());
    q.push("SELECT COUNT(*) AS n FROM task t WHERE ");
    match filter {
        Some(f) => f.write_sql(&mut q),
        None => {
            q.push("1 = 1");
        }
    }
    let row = db.query_one_raw(q.build()).await?;
    Ok(match row {
        Some(r) => r.try_get::<i64>("", "n")?,
        None => 0,
    })
}

fn write_where(q: &mut Sql, filter: Option<&TaskPredicate>, page: PageRequest) {
    match filter {
        Some(f) => f.write_sql(q),
        None => {
            q.push("1 = 1");
        }
    }
    let (lower, upper) = page.id_bounds();
    if let Some(id) = lower {
        q.push(" AND t.id > ").bind(id);
    }
    if let Some(id) = upper {
        q.push(" AND t.id < ").bind(id);
    }
}
