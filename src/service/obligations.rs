//! Obligations: who owes a report for which task in a period, and where each stands.
//!
//! For each period, every non-collective LEAD department of a task owes a report; a task
//! without any lead is owed by its non-collective responsible units. Collectives owe nothing.

use chrono::{DateTime, Utc};
use entity::reporting_period;
use sea_orm::{ConnectionTrait, FromQueryResult};

use super::page::{Page, PageRequest};
use super::sql::Sql;
use crate::clock::end_of_day;
use crate::error::ApiResult;

/// Where an obligation stands at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ObligationState {
    /// Reported before the deadline.
    Submitted,
    /// Reported after the deadline.
    SubmittedLate,
    /// Not reported yet; the deadline has not passed.
    Pending,
    /// Not reported and the deadline has passed.
    Overdue,
}

/// Which obligations of one period, as of when.
#[derive(Debug, Clone)]
pub struct ObligationQuery {
    pub period: reporting_period::Model,
    /// The moment states are judged at.
    pub as_of: DateTime<Utc>,
    pub department_id: Option<i64>,
    pub department_name: Option<String>,
    pub state: Option<ObligationState>,
}

impl ObligationQuery {
    /// End of the due day in Asia/Shanghai.
    pub fn deadline(&self) -> DateTime<Utc> {
        end_of_day(self.period.due_on)
    }

    fn overdue_now(&self) -> bool {
        self.as_of > self.deadline()
    }

    /// State of an obligation whose report was first submitted at `first` (if ever).
    pub fn state_of(&self, first: Option<DateTime<Utc>>) -> ObligationState {
        match first {
            Some(t) if t < self.as_of => {
                if t < self.deadline() {
                    ObligationState::Submitted
                } else {
                    ObligationState::SubmittedLate
                }
            }
            _ if self.overdue_now() => ObligationState::Overdue,
            _ => ObligationState::Pending,
        }
    }

    /// FROM and WHERE shared by the listing, the count and the summary.
    /// Whether an obligation is in the wanted state (the SQL of [`Self::write_state`], in memory).
    fn matches(&self, row: &ObligationRow) -> bool {
        self.state.is_none_or(|wanted| self.state_of(row.first_submitted_at) == wanted)
    }

    fn write_from_where(&self, q: &mut Sql, with_state: bool) {
        q.push(
            " FROM assignment a JOIN task t ON t.id = a.task_id JOIN department d ON d.id = a.department_id \
             LEFT JOIN report r ON r.task_id = a.task_id AND r.department_id = a.department_id AND r.period_id = ",
        )
        .bind(self.period.id);
        q.push(" WHERE t.document_id = ").bind(self.period.document_id);
        q.push(" AND d.kind <> 'COLLECTIVE' AND (a.role = 'LEAD' OR (a.role = 'RESPONSIBLE' AND t.lead_count = 0))");
        if let Some(id) = self.department_id {
            q.push(" AND a.department_id = ").bind(id);
        }
        if let Some(name) = &self.department_name {
            q.push(" AND d.name = ").bind(name.clone());
        }
        if with_state {
            if let Some(state) = self.state {
                self.write_state(q, state);
            }
        }
    }

    fn write_state(&self, q: &mut Sql, state: ObligationState) {
        match state {
            ObligationState::Submitted | ObligationState::SubmittedLate => {
                q.push(" AND r.id IS NOT NULL AND r.first_submitted_at < ").bind(self.as_of);
                q.push(if state == ObligationState::Submitted {
                    " AND r.first_submitted_at < "
                } else {
                    " AND r.first_submitted_at >= "
                });
                q.bind(self.deadline());
            }
            ObligationState::Pending | ObligationState::Overdue => {
                let wanted_overdue = state == ObligationState::Overdue;
                if wanted_overdue != self.overdue_now() {
                    q.push(" AND 1 = 0");
                }
                q.push(" AND (r.id IS NULL OR r.first_submitted_at >= ").bind(self.as_of).push(")");
            }
        }
    }
}

/// One obligation: its assignment, task, department and report (if submitted by `as_of`).
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct ObligationRow {
    pub assignment_id: i64,
    pub task_id: i64,
    pub department_id: i64,
    pub report_id: Option<i64>,
    pub first_submitted_at: Option<DateTime<Utc>>,
}

/// A page of obligations in task order (assignment ids follow it).
pub async fn list(
    db: &impl ConnectionTrait,
    query: &ObligationQuery,
    page: PageRequest,
) -> ApiResult<Page<ObligationRow>> {
    let mut q = Sql::new(db.get_database_backend());
    q.push("SELECT a.id AS assignment_id, a.task_id, a.department_id, r.id AS report_id, r.first_submitted_at");
    query.write_from_where(&mut q, true);
    let (lower, upper) = page.id_bounds();
    if let Some(id) = lower {
        q.push(" AND a.id > ").bind(id);
    }
    if let Some(id) = upper {
        q.push(" AND a.id < ").bind(id);
    }
    q.push(if page.scan_descending() { " ORDER BY a.id DESC LIMIT " } else { " ORDER BY a.id LIMIT " });
    q.bind(page.limit as i64 + 1);
    Ok(page.finish(ObligationRow::find_by_statement(q.build()).all(db).await?))
}

/// Every obligation of the query's period and department, whatever its state, by assignment
/// id: what [`page_of`] and [`count_of`] judge in memory, at any `as_of`.
pub async fn all(db: &impl ConnectionTrait, query: &ObligationQuery) -> ApiResult<Vec<ObligationRow>> {
    let mut q = Sql::new(db.get_database_backend());
    q.push("SELECT a.id AS assignment_id, a.task_id, a.department_id, r.id AS report_id, r.first_submitted_at");
    query.write_from_where(&mut q, false);
    q.push(" ORDER BY a.id");
    Ok(ObligationRow::find_by_statement(q.build()).all(db).await?)
}

/// Like [`list`], over the rows [`all`] fetched.
pub fn page_of(all: &[ObligationRow], query: &ObligationQuery, page: PageRequest) -> Page<ObligationRow> {
    let (lower, upper) = page.id_bounds();
    let matching = all.iter().filter(|r| {
        query.matches(r) && lower.is_none_or(|id| r.assignment_id > id) && upper.is_none_or(|id| r.assignment_id < id)
    });
    let wanted = usize::try_from(page.limit).unwrap_or(usize::MAX).saturating_add(1);
    let rows = if page.scan_descending() {
        matching.rev().take(wanted).cloned().collect()
    } else {
        matching.take(wanted).cloned().collect()
    };
    page.finish(rows)
}

/// Like [`count`], over the rows [`all`] fetched.
pub fn count_of(all: &[ObligationRow], query: &ObligationQuery) -> i64 {
    all.iter().filter(|r| query.matches(r)).count() as i64
}

pub async fn count(db: &impl ConnectionTrait, query: &ObligationQuery) -> ApiResult<i64> {
    let mut q = Sql::new(db.get_database_backend());
    q.push("SELECT COUNT(*) AS n");
    query.write_from_where(&mut q, true);
    Ok(match db.query_one_raw(q.build()).await? {
        Some(r) => r.try_get::<i64>("", "n")?,
        None => 0,
    })
}

/// Counts by state, in one statement.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StateCounts {
    pub total: i64,
    pub submitted: i64,
    pub submitted_late: i64,
    pub pending: i64,
    pub overdue: i64,
}

pub async fn summary(db: &impl ConnectionTrait, query: &ObligationQuery) -> ApiResult<StateCounts> {
    let mut q = Sql::new(db.get_database_backend());
    q.push("SELECT COUNT(*) AS total, COALESCE(SUM(CASE WHEN r.first_submitted_at < ").bind(query.as_of);
    q.push(" AND r.first_submitted_at < ").bind(query.deadline()).push(" THEN 1 ELSE 0 END), 0) AS submitted, ");
    q.push("COALESCE(SUM(CASE WHEN r.first_submitted_at < ").bind(query.as_of);
    q.push(" AND r.first_submitted_at >= ").bind(query.deadline()).push(" THEN 1 ELSE 0 END), 0) AS submitted_late");
    query.write_from_where(&mut q, false);
    let row = db.query_one_raw(q.build()).await?;
    let (total, submitted, submitted_late) = match row {
        Some(r) => (
            r.try_get::<i64>("", "total")?,
            r.try_get::<i64>("", "submitted")?,
            r.try_get::<i64>("", "submitted_late")?,
        ),
        None => (0, 0, 0),
    };
    let open = total - submitted - submitted_late;
    let (pending, overdue) = if query.overdue_now() { (0, open) } else { (open, 0) };
    Ok(StateCounts { total, submitted, submitted_late, pending, overdue })
}
