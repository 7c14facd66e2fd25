//! Obligations: who owes which report in a period, and where each stands.

use super::scalars::Date;
use async_graphql::{Context, Enum, ID, Object};

use super::connection::{PageArgs, connection};
use super::context::{list, require_reader, state};
use super::department::Department;
use super::document::Category;
use super::ids::{self, NodeType};
use super::loaders::{ClosuresOfDocument, ExtensionsOfPeriod, NoticesOfPeriod, ReportsOfPeriod};
use super::period::ReportingPeriod;
use super::report::Report;
use super::supervision::{Extension, Light, Notice};
use super::task::Task;
use crate::clock::last_instant_of;
use crate::error::ApiError;
use crate::service::obligations::{self, GroupBy, ObligationQuery, ObligationRow, StateCounts};
use chrono::NaiveDate;
use std::collections::HashMap;

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
    /// The latest revision was returned by the issuing office and not resubmitted yet.
    Returned,
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
        Task::of(ctx, self.row.task_id).await
    }
    /// The department that owes the report.
    async fn department(&self, ctx: &Context<'_>) -> async_graphql::Result<Department> {
        Department::of(ctx, self.row.department_id).await
    }
    /// The period.
    async fn period(&self) -> ReportingPeriod {
        ReportingPeriod(self.query.period.clone())
    }
    /// Where it stands as of the query's moment.
    async fn state(&self) -> ObligationState {
        self.query.state_of(&self.row).into()
    }
    /// Its warning light as of the query's moment.
    async fn light(&self) -> Light {
        self.query.light_of(&self.row).into()
    }
    /// The due date: the period's, or the latest approved extension's.
    async fn due_on(&self) -> Date {
        self.row.due_on.into()
    }
    /// The report, when one was submitted by the query's moment.
    async fn report(&self) -> Option<Report> {
        self.query.report_seen(&self.row).cloned().map(Report::new)
    }
    /// Requests for a later due date, oldest first.
    async fn extensions(&self) -> Vec<Extension> {
        self.row.extensions.iter().cloned().map(Extension).collect()
    }
    /// Notices issued on it, oldest first.
    async fn notices(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Notice>> {
        let all = super::context::load(ctx, NoticesOfPeriod(self.query.period.id)).await?.unwrap_or_default();
        let mine = |n: &&std::sync::Arc<entity::notice::Model>| {
            n.task_id == self.row.task_id && n.department_id == self.row.department_id
        };
        Ok(all.iter().filter(mine).cloned().map(Notice).collect())
    }
}

/// Counts an obligation listing.
pub struct ObligationCount(i64);

impl ObligationCount {
    pub async fn total(&self, _ctx: &Context<'_>) -> async_graphql::Result<i64> {
        Ok(self.0)
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

/// What an obligation waits for from the issuing office.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "crate::service::obligations::Waiting")]
pub enum Waiting {
    /// Its report's latest revision is not reviewed yet.
    Review,
    /// A request for a later due date is not decided yet.
    Extension,
}

/// What a summary's groups are.
#[derive(Debug, Clone, Copy)]
enum Group {
    All,
    Department(i64),
    Category(i64),
}

/// Obligation counts of a period by state, of all its obligations or of one group of them.
pub struct ObligationSummary {
    counts: StateCounts,
    closed: i64,
    /// Scheduled progress (序时进度) at the period's end.
    scheduled: i32,
    group: Group,
    /// The obligations and query it was counted from, for its groups.
    from: Option<std::sync::Arc<Counted>>,
}

/// What a summary was counted from: the period's obligations, the query, the closed tasks.
struct Counted {
    all: Vec<ObligationRow>,
    query: ObligationQuery,
    closed: HashMap<i64, NaiveDate>,
}

impl ObligationSummary {
    async fn groups(&self, ctx: &Context<'_>, by: GroupBy) -> async_graphql::Result<Vec<ObligationSummary>> {
        let Some(from) = &self.from else { return Ok(Vec::new()) };
        let Counted { all, query, closed } = &**from;
        let list = list(ctx).await?;
        Ok(obligations::summaries_by(&list, all, query, closed, by)
            .into_iter()
            .map(|(key, counts, closed)| ObligationSummary {
                counts,
                closed,
                scheduled: query.scheduled,
                group: match by {
                    GroupBy::Department => Group::Department(key),
                    GroupBy::Category => Group::Category(key),
                },
                from: None,
            })
            .collect())
    }
}

/// Obligation counts of a period by state, of all its obligations or of one group of them.
#[Object]
impl ObligationSummary {
    /// Obligations in all.
    async fn total(&self) -> i64 {
        self.counts.total
    }
    /// Reported before the deadline.
    async fn submitted(&self) -> i64 {
        self.counts.submitted
    }
    /// Reported after the deadline.
    async fn submitted_late(&self) -> i64 {
        self.counts.submitted_late
    }
    /// Not reported; deadline not passed.
    async fn pending(&self) -> i64 {
        self.counts.pending
    }
    /// Not reported; deadline passed.
    async fn overdue(&self) -> i64 {
        self.counts.overdue
    }
    /// Returned by the issuing office, not resubmitted.
    async fn returned(&self) -> i64 {
        self.counts.returned
    }
    /// Lit GREEN.
    async fn green(&self) -> i64 {
        self.counts.green
    }
    /// Lit BLUE.
    async fn blue(&self) -> i64 {
        self.counts.blue
    }
    /// Lit YELLOW.
    async fn yellow(&self) -> i64 {
        self.counts.yellow
    }
    /// Lit RED.
    async fn red(&self) -> i64 {
        self.counts.red
    }
    /// Reports the period would be owed but for tasks closed (销号) before its due date: counted
    /// apart, in none of the above.
    async fn closed(&self) -> i64 {
        self.closed
    }
    /// Reports submitted whose latest revision waits for the issuing office's review.
    async fn pending_review(&self) -> i64 {
        self.counts.pending_review
    }
    /// Obligations with a request for a later due date waiting for a decision.
    async fn extensions_pending(&self) -> i64 {
        self.counts.extensions_pending
    }
    /// Mean progress of the reports submitted, in percent, one decimal (null without any).
    async fn average_progress(&self) -> Option<f64> {
        self.counts.average_progress()
    }
    /// Scheduled progress (序时进度) at the period's end, in percent: the share of the document's
    /// year elapsed, against which reported progress is judged.
    async fn scheduled_progress(&self) -> i32 {
        self.scheduled
    }
    /// The department of this group (null unless grouped by department).
    async fn department(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Department>> {
        match self.group {
            Group::Department(id) => Department::of(ctx, id).await.map(Some),
            _ => Ok(None),
        }
    }
    /// The category of this group (null unless grouped by category).
    async fn category(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Category>> {
        match self.group {
            Group::Category(id) => {
                let list = list(ctx).await?;
                Ok(list.category(id).cloned().map(Category))
            }
            _ => Ok(None),
        }
    }
    /// The same counts for each department that owes, in order of appearance (empty within a
    /// group).
    async fn by_department(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<ObligationSummary>> {
        self.groups(ctx, GroupBy::Department).await
    }
    /// The same counts for each category of the tasks owed, in number order (empty within a
    /// group).
    async fn by_category(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<ObligationSummary>> {
        self.groups(ctx, GroupBy::Category).await
    }
}

/// What an obligation listing asks for, besides its period and moment.
#[derive(Debug, Clone, Default)]
pub struct ObligationArgs {
    pub department_id: Option<i64>,
    pub department_name: Option<String>,
    pub task_id: Option<i64>,
    pub state: Option<ObligationState>,
    pub light: Option<Light>,
    pub waiting: Option<Waiting>,
}

/// Builds the query of `obligations`, `Department.obligations`, `obligationSummary` and
/// `Task.light`.
pub async fn obligation_query(
    ctx: &Context<'_>,
    period_id: &ID,
    as_of: Option<Date>,
    args: ObligationArgs,
) -> async_graphql::Result<ObligationQuery> {
    require_reader(ctx)?;
    let id = ids::decode(period_id, NodeType::ReportingPeriod)?;
    let list = list(ctx).await?;
    let period = list.period(id).cloned().ok_or_else(|| ApiError::not_found("no such reporting period"))?;
    if let Some(name) = args.department_name.as_deref().filter(|n| !list.has_department_named(n)) {
        return Err(ApiError::not_found(format!("no department named \"{}\"", super::ids::truncate(name))).into());
    }
    let as_of = match as_of {
        Some(day) => last_instant_of(day.0),
        None => super::context::now(ctx)?,
    };
    Ok(ObligationQuery {
        scheduled: obligations::scheduled_of(&list, &period),
        period,
        as_of,
        department_id: args.department_id,
        department_name: args.department_name,
        task_id: args.task_id,
        state: args.state.map(Into::into),
        light: args.light.map(Into::into),
        waiting: args.waiting.map(Into::into),
        thresholds: crate::settings::lights(&state(ctx)?.limits),
    })
}

/// Lists obligations for `query`.
pub async fn obligation_connection(
    ctx: &Context<'_>,
    query: ObligationQuery,
    page: PageArgs,
) -> async_graphql::Result<ObligationConnection> {
    let page = page.request(state(ctx)?.limits.max_page_size, false)?;
    let all = all_obligations(ctx, &query).await?;
    let rows = obligations::page_of(&all, &query, page);
    let count = ObligationCount(obligations::count_of(&all, &query));
    let query = std::sync::Arc::new(query);
    let page = crate::service::page::Page {
        rows: rows.rows.into_iter().map(|r| (r, query.clone())).collect(),
        has_next: rows.has_next,
        has_previous: rows.has_previous,
    };
    Ok(ObligationConnection { page, count })
}

/// Every obligation of `query`'s period (and department), whatever its state: who owes from the
/// list, what was submitted and the extensions from the period's rows (one batch each for every
/// parent of a level).
pub async fn all_obligations(ctx: &Context<'_>, query: &ObligationQuery) -> async_graphql::Result<Vec<ObligationRow>> {
    Ok(obligations_and_closed(ctx, query).await?.0)
}

/// [`all_obligations`], and the day each closed task of the query's document was closed.
async fn obligations_and_closed(
    ctx: &Context<'_>,
    query: &ObligationQuery,
) -> async_graphql::Result<(Vec<ObligationRow>, std::collections::HashMap<i64, chrono::NaiveDate>)> {
    let (reports, extensions, closed) = futures_util::try_join!(
        super::context::load(ctx, ReportsOfPeriod(query.period.id)),
        super::context::load(ctx, ExtensionsOfPeriod(query.period.id)),
        closed_tasks(ctx, query),
    )?;
    let (reports, extensions) = (reports.unwrap_or_default(), extensions.unwrap_or_default());
    Ok((obligations::all(&*list(ctx).await?, query, &reports, &extensions, &closed), closed))
}

/// The day each closed task of the query's document was closed.
async fn closed_tasks(
    ctx: &Context<'_>,
    query: &ObligationQuery,
) -> async_graphql::Result<std::collections::HashMap<i64, chrono::NaiveDate>> {
    let closures = super::context::load(ctx, ClosuresOfDocument(query.period.document_id)).await?;
    Ok(crate::service::supervision::closures::closed_days(closures.iter().flat_map(|c| c.iter()).map(|c| &**c)))
}

/// Obligation queries (token holders only).
#[derive(Default)]
pub struct ObligationQueryRoot;

/// Obligation queries (token holders only).
#[Object]
impl ObligationQueryRoot {
    /// Reports owed for a period, in task order, with where each stands as of `asOf`.
    #[allow(clippy::too_many_arguments)] // each is an argument of the GraphQL field
    async fn obligations(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The reporting period.")] period_id: ID,
        #[graphql(desc = "Judge states at the end of this day (Asia/Shanghai); default: now.")] as_of: Option<Date>,
        #[graphql(desc = "Only this department's obligations.")] department_id: Option<ID>,
        #[graphql(desc = "Only obligations of departments with this name.")] department_name: Option<String>,
        #[graphql(desc = "Only obligations in this state.")] state: Option<ObligationState>,
        #[graphql(desc = "Only obligations with this light.")] light: Option<Light>,
        #[graphql(
            desc = "Only obligations waiting for the issuing office: a review, or a decision on a later due date."
        )]
        waiting_for: Option<Waiting>,
        #[graphql(desc = "Rows from the start (default 100, at most 500).")] first: Option<i32>,
        #[graphql(desc = "Start after this cursor.")] after: Option<String>,
        #[graphql(desc = "Rows from the end.")] last: Option<i32>,
        #[graphql(desc = "End before this cursor.")] before: Option<String>,
    ) -> async_graphql::Result<ObligationConnection> {
        let department_id = department_id.map(|d| ids::decode(&d, NodeType::Department)).transpose()?;
        let args = ObligationArgs {
            department_id,
            department_name,
            state,
            light,
            waiting: waiting_for,
            ..ObligationArgs::default()
        };
        let query = obligation_query(ctx, &period_id, as_of, args).await?;
        obligation_connection(ctx, query, PageArgs::new(first, after, last, before)).await
    }

    /// Counts of a period's obligations by state and light as of `asOf`, for a dashboard.
    async fn obligation_summary(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The reporting period.")] period_id: ID,
        #[graphql(desc = "Judge states at the end of this day (Asia/Shanghai); default: now.")] as_of: Option<Date>,
        #[graphql(desc = "Only this department's obligations.")] department_id: Option<ID>,
    ) -> async_graphql::Result<ObligationSummary> {
        let department_id = department_id.map(|d| ids::decode(&d, NodeType::Department)).transpose()?;
        let args = ObligationArgs { department_id, ..ObligationArgs::default() };
        let query = obligation_query(ctx, &period_id, as_of, args).await?;
        let (all, closed) = obligations_and_closed(ctx, &query).await?;
        let counts = obligations::summary_of(&all, &query);
        let closed_count = obligations::closed_count(&*list(ctx).await?, &query, &closed);
        Ok(ObligationSummary {
            counts,
            closed: closed_count,
            scheduled: query.scheduled,
            group: Group::All,
            from: Some(std::sync::Arc::new(Counted { all, query, closed })),
        })
    }
}
