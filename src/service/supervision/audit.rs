//! The audit trail (留痕) as the API reads it: `events(filter:)`. Events are written only by
//! [`crate::service::writes::commit`]; nothing changes or deletes one.

use chrono::{DateTime, Utc};
use entity::audit_event;
use sea_orm::{ConnectionTrait, FromQueryResult};

use crate::error::ApiResult;
use crate::service::page::{Page, PageRequest};
use crate::service::sql::Sql;

/// Which events; all given conditions hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventCriteria {
    /// As stored: `Report:12`.
    pub subject: Option<String>,
    pub action: Option<String>,
    pub actor_id: Option<String>,
    /// From this instant on (inclusive).
    pub from: Option<DateTime<Utc>>,
    /// Before this instant.
    pub to: Option<DateTime<Utc>>,
    pub task_id: Option<i64>,
    pub department_id: Option<i64>,
    pub period_id: Option<i64>,
}

impl EventCriteria {
    fn write_sql(&self, q: &mut Sql) {
        q.push("1 = 1");
        if let Some(v) = &self.subject {
            q.push(" AND e.subject = ").bind(v.clone());
        }
        if let Some(v) = &self.action {
            q.push(" AND e.action = ").bind(v.clone());
        }
        if let Some(v) = &self.actor_id {
            q.push(" AND e.actor_id = ").bind(v.clone());
        }
        if let Some(v) = self.from {
            q.push(" AND e.at >= ").bind(v);
        }
        if let Some(v) = self.to {
            q.push(" AND e.at < ").bind(v);
        }
        if let Some(v) = self.task_id {
            q.push(" AND e.task_id = ").bind(v);
        }
        if let Some(v) = self.department_id {
            q.push(" AND e.department_id = ").bind(v);
        }
        if let Some(v) = self.period_id {
            q.push(" AND e.period_id = ").bind(v);
        }
    }
}

/// One page of events in the order they were appended.
pub async fn list(
    db: &impl ConnectionTrait,
    criteria: &EventCriteria,
    page: PageRequest,
) -> ApiResult<Page<audit_event::Model>> {
    let mut q = Sql::new(db.get_database_backend());
    q.push("SELECT e.* FROM audit_event e WHERE ");
    criteria.write_sql(&mut q);
    let (lower, upper) = page.id_bounds();
    if let Some(id) = lower {
        q.push(" AND e.id > ").bind(id);
    }
    if let Some(id) = upper {
        q.push(" AND e.id < ").bind(id);
    }
    q.push(if page.scan_descending() { " ORDER BY e.id DESC LIMIT " } else { " ORDER BY e.id LIMIT " });
    q.bind(page.limit as i64 + 1);
    Ok(page.finish(audit_event::Model::find_by_statement(q.build()).all(db).await?))
}

/// How many events match.
pub async fn count(db: &impl ConnectionTrait, criteria: &EventCriteria) -> ApiResult<i64> {
    let mut q = Sql::new(db.get_database_backend());
    q.push("SELECT COUNT(*) AS n FROM audit_event e WHERE ");
    criteria.write_sql(&mut q);
    Ok(match db.query_one_raw(q.build()).await? {
        Some(r) => r.try_get::<i64>("", "n")?,
        None => 0,
    })
}
