//! Obligations: who owes which report in a period, and where each stands.

use async_graphql::{Context, Enum, ID, Object, SimpleObject};
use chrono::NaiveDate;

use super::connection::{PageArgs, connection};
use super::context::{load_required, loader, require_reader, state};
use super::department::Department;
use super::ids::{self, NodeType};
use super::loaders::{DepartmentKey, PeriodKey, ReportKey, TaskKey};
use super::period::ReportingPeriod;
use super::report::Report;
use super::task::Task;
use crate::clock::end_of_day;
use crate::error::ApiError;
use crate::service::obligations::{self, ObligationQuery, ObligationRow};

/// Where an obligation stands at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "crate::service::obligations::ObligationState")]
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

/// A report a department owes on a task for a period.
pub struct Obligation {
    row: ObligationRow,
    query: std::sync::Arc<ObligationQuery>,
}

/// A report a department owes on a task for a period.
#[Object]
impl Obligation {
    /// The task.
    async fn task(&self, ctx: &Context<'_>) -> async_graphql::Result<Task> {
        load_required(ctx, TaskKey(self.row.task_id)).await.map(Task)
    }
    /// The department that owes the report.
    async fn department(&self, ctx: &Context<'_>) -> async_graphql::Result<Department> {
        load_required(ctx, DepartmentKey(self.row.department_id)).await.map(Department)
    }
    /// The period.
    async fn period(&self) -> ReportingPeriod {
        ReportingPeriod(self.query.period.clone())
    }
    /// Where it stands as of the query's moment.
    async fn state(&self) -> ObligationState {
        self.query.state_of(self.submitted_at()).into()
    }
    /// The report, when one was submitted by the query's moment.
    async fn report(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Report>> {
        match (self.row.report_id, self.submitted_at()) {
            (Some(id), Some(_)) => Ok(super::context::load(ctx, ReportKey(id)).await?.map(Report)),
            _ => Ok(None),
        }
    }
}

impl Obligation {
    fn submitted_at(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        self.row.first_submitted_at.filter(|t| *t < self.query.as_of)
    }
}

/// Counts an obligation listing.
pub struct ObligationCount(std::sync::Arc<ObligationQuery>);

impl ObligationCount {
    pub async fn total(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
        match loader(ctx)?.loader().obligation_rows(&self.0).await? {
            Some(all) => Ok(obligations::count_of(&all, &self.0)),
            None => Ok(obligations::count(&state(ctx)?.read_db, &self.0).await?),
        }
    }
}

connection!(
    ObligationConnection,
    ObligationEdge,
    Obligation,
    (ObligationRow, std::sync::Arc<ObligationQuery>),
    |(row, query)| Obligation { row, query },
    |r: &(ObligationRow, std::sync::Arc<ObligationQuery>)| r.0.assignment_id,
    ObligationCount,
    "obligations"
);

/// Obligation counts of a period by state.
#[derive(Debug, Clone, Copy, SimpleObject)]
pub struct ObligationSummary {
    /// Obligations in all.
    pub total: i64,
    /// Reported before the deadline.
    pub submitted: i64,
    /// Reported after the deadline.
    pub submitted_late: i64,
    /// Not reported; deadline not passed.
    pub pending: i64,
    /// Not reported; deadline passed.
    pub overdue: i64,
}

/// Builds the query of `obligations`, `Department.obligations` and `obligationSummary`.
pub async fn obligation_query(
    ctx: &Context<'_>,
    period_id: &ID,
    as_of: Option<NaiveDate>,
    department_id: Option<i64>,
    department_name: Option<String>,
    state_filter: Option<ObligationState>,
) -> async_graphql::Result<ObligationQuery> {
    require_reader(ctx)?;
    let id = ids::decode(period_id, NodeType::ReportingPeriod)?;
    let period = super::context::load(ctx, PeriodKey(id))
        .await?
        .ok_or_else(|| ApiError::not_found("no such reporting period"))?;
    let as_of = match as_of {
        Some(day) => end_of_day(day),
        None => super::context::now(ctx)?,
    };
    Ok(ObligationQuery { period, as_of, department_id, department_name, state: state_filter.map(Into::into) })
}

/// Lists obligations for `query`.
pub async fn obligation_connection(
    ctx: &Context<'_>,
    query: ObligationQuery,
    page: PageArgs,
) -> async_graphql::Result<ObligationConnection> {
    let s = state(ctx)?;
    let page = page.request(s.limits.max_page_size, false)?;
    let rows = match loader(ctx)?.loader().obligation_rows(&query).await? {
        Some(all) => obligations::page_of(&all, &query, page),
        None => obligations::list(&s.read_db, &query, page).await?,
    };
    let query = std::sync::Arc::new(query);
    let page = crate::service::page::Page {
        rows: rows.rows.into_iter().map(|r| (r, query.clone())).collect(),
        has_next: rows.has_next,
        has_previous: rows.has_previous,
    };
    Ok(ObligationConnection { page, count: ObligationCount(query) })
}

/// Obligation queries (token holders only).
#[derive(Default)]
pub struct ObligationQueryRoot;

/// Obligation queries (token holders only).
#[Object]
impl ObligationQueryRoot {
    /// Reports owed for a period, in task order, with where each stands as of `asOf`.
    async fn obligations(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The reporting period.")] period_id: ID,
        #[graphql(desc = "Judge states at the end of this day (Asia/Shanghai); default: now.")] as_of: Option<
            NaiveDate,
        >,
        #[graphql(desc = "Only this department's obligations.")] department_id: Option<ID>,
        #[graphql(desc = "Only obligations of departments with this name.")] department_name: Option<String>,
        #[graphql(desc = "Only obligations in this state.")] state: Option<ObligationState>,
        #[graphql(desc = "Rows from the start (default 100, at most 500).")] first: Option<i32>,
        #[graphql(desc = "Start after this cursor.")] after: Option<String>,
        #[graphql(desc = "Rows from the end.")] last: Option<i32>,
        #[graphql(desc = "End before this cursor.")] before: Option<String>,
    ) -> async_graphql::Result<ObligationConnection> {
        let dept = department_id.map(|d| ids::decode(&d, NodeType::Department)).transpose()?;
        let query = obligation_query(ctx, &period_id, as_of, dept, department_name, state).await?;
        obligation_connection(ctx, query, PageArgs::new(first, after, last, before)).await
    }

    /// Counts of a period's obligations by state as of `asOf`, for a dashboard.
    async fn obligation_summary(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The reporting period.")] period_id: ID,
        #[graphql(desc = "Judge states at the end of this day (Asia/Shanghai); default: now.")] as_of: Option<
            NaiveDate,
        >,
        #[graphql(desc = "Only this department's obligations.")] department_id: Option<ID>,
    ) -> async_graphql::Result<ObligationSummary> {
        let dept = department_id.map(|d| ids::decode(&d, NodeType::Department)).transpose()?;
        let query = obligation_query(ctx, &period_id, as_of, dept, None, None).await?;
        let c = obligations::summary(&state(ctx)?.read_db, &query).await?;
        Ok(ObligationSummary {
            total: c.total,
            submitted: c.submitted,
            submitted_late: c.submitted_late,
            pending: c.pending,
            overdue: c.overdue,
        })
    }
}
