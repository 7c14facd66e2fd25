//! Reports, their revisions, the report queries and `submitReport`.

use std::sync::Arc;

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use entity::{report, report_revision};

use super::connection::{PageArgs, connection};
use super::context::{list, require_reader, required, state, viewer};
use super::department::Department;
use super::ids::{self, NodeType};
use super::loaders::RevisionsOfReport;
use super::period::ReportingPeriod;
use super::task::{Indicator, Task};
use crate::clock::end_of_day;
use crate::service::report_store::{Held, Revisions};
use crate::service::reports::{self, IndicatorValue, ReportCriteria, Submission};

/// Progress status of a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "entity::ReportStatus")]
pub enum ReportStatus {
    /// Work has not started.
    NotStarted,
    /// On track to finish in time.
    OnTrack,
    /// At risk of missing its target.
    AtRisk,
    /// Behind schedule.
    Delayed,
    /// Done.
    Completed,
}

/// A department's progress report on a task for a period; shows its latest revision. Its
/// revisions come with it when they were read in the same statement.
pub struct Report(pub Arc<report::Model>, Option<Revisions>);

impl Report {
    /// A report whose revisions are loaded when asked for.
    pub fn new(row: impl Into<Arc<report::Model>>) -> Self {
        Self(row.into(), None)
    }

    /// A report read with its revisions.
    pub fn with_revisions((row, revisions): super::loaders::ReportWithRevisions) -> Self {
        Self(row, Some(revisions))
    }

    async fn deadline(&self, ctx: &Context<'_>) -> async_graphql::Result<chrono::DateTime<chrono::Utc>> {
        let period = required(list(ctx).await?.period(self.0.period_id), "period", self.0.period_id)?;
        Ok(end_of_day(period.due_on))
    }
}

/// A department's progress report on a task for a period; shows its latest revision.
#[Object]
impl Report {
    /// Global id.
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::Report, self.0.id)
    }
    /// The task reported on.
    async fn task(&self, ctx: &Context<'_>) -> async_graphql::Result<Task> {
        Task::of(ctx, self.0.task_id).await
    }
    /// The reporting department.
    async fn department(&self, ctx: &Context<'_>) -> async_graphql::Result<Department> {
        Department::of(ctx, self.0.department_id).await
    }
    /// The period reported for.
    async fn period(&self, ctx: &Context<'_>) -> async_graphql::Result<ReportingPeriod> {
        ReportingPeriod::of(ctx, self.0.period_id).await
    }
    /// Number of the latest revision (1, 2, …).
    async fn revision(&self) -> i32 {
        self.0.revision
    }
    /// Status in the latest revision.
    async fn status(&self) -> ReportStatus {
        self.0.status.into()
    }
    /// Progress in percent (0-100) in the latest revision.
    async fn progress_percent(&self) -> i32 {
        self.0.progress_percent
    }
    /// Summary of the latest revision.
    async fn summary(&self) -> &str {
        &self.0.summary
    }
    /// Values reached for the task's indicators, in the latest revision.
    async fn indicator_values(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<ReportedValue>> {
        reported_values(ctx, &self.0.indicator_values).await
    }
    /// When the latest revision was submitted.
    async fn submitted_at(&self) -> chrono::DateTime<chrono::Utc> {
        self.0.submitted_at
    }
    /// Who submitted the latest revision (the token's id and label).
    async fn submitted_by(&self) -> &str {
        &self.0.submitted_by
    }
    /// When the first revision was submitted: on time or late is judged on it.
    async fn first_submitted_at(&self) -> chrono::DateTime<chrono::Utc> {
        self.0.first_submitted_at
    }
    /// The first revision came after the deadline (end of the due day, Asia/Shanghai).
    async fn is_late(&self, ctx: &Context<'_>) -> async_graphql::Result<bool> {
        Ok(self.0.first_submitted_at >= self.deadline(ctx).await?)
    }
    /// The issuing office's review of the latest revision.
    async fn review(&self) -> super::supervision::ReportReview {
        super::supervision::ReportReview::of(&self.0)
    }
    /// Its audit trail: each submission and review, oldest first.
    async fn history(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<super::audit::Event>> {
        let key = super::loaders::EventsOfSubject(ids::subject(NodeType::Report, self.0.id));
        super::audit::history(ctx, key).await
    }
    /// Every revision, oldest first.
    async fn revisions(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<ReportRevision>> {
        let rows = match &self.1 {
            Some(read_with_it) => read_with_it.clone(),
            None => {
                let key = RevisionsOfReport { report: self.0.id, through: self.0.revision };
                super::context::load(ctx, key).await?.unwrap_or_default()
            }
        };
        let deadline = self.deadline(ctx).await?;
        Ok(rows.iter().cloned().map(|r| ReportRevision(r, deadline)).collect())
    }
}

/// One submission of a report.
pub struct ReportRevision(report_revision::Model, chrono::DateTime<chrono::Utc>);

/// One submission of a report.
#[Object]
impl ReportRevision {
    /// Revision number (1, 2, …).
    async fn revision(&self) -> i32 {
        self.0.revision
    }
    /// Status given.
    async fn status(&self) -> ReportStatus {
        self.0.status.into()
    }
    /// Progress given, in percent.
    async fn progress_percent(&self) -> i32 {
        self.0.progress_percent
    }
    /// Summary given.
    async fn summary(&self) -> &str {
        &self.0.summary
    }
    /// Indicator values given.
    async fn indicator_values(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<ReportedValue>> {
        reported_values(ctx, &self.0.indicator_values).await
    }
    /// When it was submitted.
    async fn submitted_at(&self) -> chrono::DateTime<chrono::Utc> {
        self.0.submitted_at
    }
    /// Who submitted it.
    async fn submitted_by(&self) -> &str {
        &self.0.submitted_by
    }
    /// It came after the deadline.
    async fn is_late(&self) -> bool {
        self.0.submitted_at >= self.1
    }
    /// The issuing office's review of this revision.
    async fn review(&self) -> super::supervision::ReportReview {
        super::supervision::ReportReview::of_revision(&self.0)
    }
}

/// A value reached for an indicator.
#[derive(SimpleObject)]
pub struct ReportedValue {
    /// The indicator.
    indicator: Indicator,
    /// The value reached.
    value: f64,
}

async fn reported_values(ctx: &Context<'_>, json: &str) -> async_graphql::Result<Vec<ReportedValue>> {
    let values = reports::indicator_values(json);
    let list = list(ctx).await?;
    Ok(values
        .iter()
        .filter_map(|v| {
            list.indicator(v.indicator_id).map(|i| ReportedValue { indicator: Indicator(i.clone()), value: v.value })
        })
        .collect())
}

/// Counts a report listing.
pub enum ReportCount {
    /// Reports matching a filter, counted when asked for.
    Matching(ReportCriteria),
    /// A parent's reports, already loaded.
    Known(i64),
}

impl ReportCount {
    pub async fn total(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
        match self {
            Self::Matching(criteria) => {
                let periods = criteria.periods(&*list(ctx).await?);
                let reading = super::context::reading(ctx)?;
                Ok(reading.held(|held| reports::matching(held, criteria, periods.as_ref()).count() as i64).await?)
            }
            Self::Known(n) => Ok(*n),
        }
    }
}

connection!(
    ReportConnection,
    ReportEdge,
    Report,
    Arc<report::Model>,
    Report::new,
    |r: &Arc<report::Model>| r.id,
    ReportCount,
    "reports"
);

/// Conditions on reports; all given fields must hold.
#[derive(Debug, Clone, Default, InputObject)]
pub struct ReportFilter {
    /// Reports on this task.
    pub task_id: Option<ID>,
    /// Reports by this department.
    pub department_id: Option<ID>,
    /// Reports for this period.
    pub period_id: Option<ID>,
    /// Reports on tasks of this document.
    pub document_id: Option<ID>,
    /// Reports whose latest status is this.
    pub status: Option<ReportStatus>,
}

impl ReportFilter {
    pub fn criteria(&self) -> async_graphql::Result<ReportCriteria> {
        let dec = |id: &Option<ID>, t| id.as_ref().map(|id| ids::decode(id, t)).transpose();
        Ok(ReportCriteria {
            task_id: dec(&self.task_id, NodeType::Task)?,
            department_id: dec(&self.department_id, NodeType::Department)?,
            period_id: dec(&self.period_id, NodeType::ReportingPeriod)?,
            document_id: dec(&self.document_id, NodeType::Document)?,
            status: self.status.map(Into::into),
        })
    }
}

/// A page of a parent's reports (a department's, a period's) that pass `keep`: every parent of
/// a level is loaded in one batch, then paged in memory.
pub async fn reports_of<K>(
    ctx: &Context<'_>,
    key: K,
    keep: impl Fn(&report::Model) -> bool,
    page: PageArgs,
) -> async_graphql::Result<ReportConnection>
where
    K: Send + Sync + std::hash::Hash + Eq + Clone + 'static,
    super::loaders::ReportLoader:
        async_graphql::dataloader::Loader<K, Value = Held<report::Model>, Error = async_graphql::Error>,
{
    require_reader(ctx)?;
    let page = page.request(state(ctx)?.limits.max_page_size, false)?;
    let all = super::context::load(ctx, key).await?.unwrap_or_default();
    let count = all.iter().filter(|r| keep(r)).count() as i64;
    let rows = reports::page_of(all.iter().filter(|r| keep(r)), &page);
    Ok(ReportConnection { page: page.finish(rows), count: ReportCount::Known(count) })
}

/// Lists reports matching `criteria` (for `reports`).
pub async fn report_connection(
    ctx: &Context<'_>,
    criteria: ReportCriteria,
    page: PageArgs,
) -> async_graphql::Result<ReportConnection> {
    require_reader(ctx)?;
    let s = state(ctx)?;
    let page = page.request(s.limits.max_page_size, false)?;
    let periods = criteria.periods(&*list(ctx).await?);
    let reading = super::context::reading(ctx)?;
    let rows =
        reading.held(|held| reports::page_of(reports::matching(held, &criteria, periods.as_ref()), &page)).await?;
    Ok(ReportConnection { page: page.finish(rows), count: ReportCount::Matching(criteria) })
}

/// Report queries (token holders only).
#[derive(Default)]
pub struct ReportQuery;

/// Report queries (token holders only).
#[Object]
impl ReportQuery {
    /// Reports matching `filter`, in submission order of their first revision.
    async fn reports(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Conditions the reports meet.")] filter: Option<ReportFilter>,
        #[graphql(desc = "Rows from the start (default 100, at most 500).")] first: Option<i32>,
        #[graphql(desc = "Start after this cursor.")] after: Option<String>,
        #[graphql(desc = "Rows from the end.")] last: Option<i32>,
        #[graphql(desc = "End before this cursor.")] before: Option<String>,
    ) -> async_graphql::Result<ReportConnection> {
        let criteria = filter.unwrap_or_default().criteria()?;
        report_connection(ctx, criteria, PageArgs::new(first, after, last, before)).await
    }
}

/// A value reached for an indicator, as submitted.
#[derive(Debug, Clone, InputObject)]
pub struct IndicatorValueInput {
    /// The indicator (one of the task's `indicators`).
    pub indicator_id: ID,
    /// The value reached (non-negative).
    pub value: f64,
}

/// A progress report to submit.
#[derive(Debug, Clone, InputObject)]
pub struct SubmitReportInput {
    /// The task reported on.
    pub task_id: ID,
    /// The period reported for.
    pub period_id: ID,
    /// The reporting department: a reporter's own by default; required for an admin.
    pub department_id: Option<ID>,
    /// Progress status.
    pub status: ReportStatus,
    /// Progress in percent, 0-100.
    pub progress_percent: i32,
    /// What was done (at most 5000 characters).
    pub summary: String,
    /// Values reached for the task's indicators.
    pub indicator_values: Option<Vec<IndicatorValueInput>>,
    /// The revision the caller last saw (0 for none): a mismatch is a CONFLICT and writes nothing.
    pub expected_revision: Option<i32>,
    /// The caller's name for this submission (a UUID, say; at most 200 characters). Sent again
    /// within 24 hours by the same caller, it writes nothing and returns the first result; with
    /// a different input it is a CONFLICT.
    pub idempotency_key: Option<String>,
}

/// What `submitReport` returns.
#[derive(SimpleObject)]
pub struct SubmitReportPayload {
    /// The report, at its new revision (for a repeated idempotency key, as the first submission
    /// left it).
    pub report: Report,
}

/// Mutations on reports.
#[derive(Default)]
pub struct ReportMutation;

/// Mutations on reports.
#[Object]
impl ReportMutation {
    /// Submits a new revision of a report (reporters for their department's tasks, admins for any).
    async fn submit_report(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The report to submit.")] input: SubmitReportInput,
    ) -> async_graphql::Result<SubmitReportPayload> {
        let s = state(ctx)?;
        let values = input
            .indicator_values
            .unwrap_or_default()
            .iter()
            .map(|v| {
                Ok(IndicatorValue { indicator_id: ids::decode(&v.indicator_id, NodeType::Indicator)?, value: v.value })
            })
            .collect::<Result<Vec<_>, crate::error::ApiError>>()?;
        let submission = Submission {
            task_id: ids::decode(&input.task_id, NodeType::Task)?,
            period_id: ids::decode(&input.period_id, NodeType::ReportingPeriod)?,
            department_id: input.department_id.as_ref().map(|d| ids::decode(d, NodeType::Department)).transpose()?,
            status: input.status.into(),
            progress_percent: input.progress_percent,
            summary: input.summary,
            indicator_values: values,
            expected_revision: input.expected_revision,
            idempotency_key: input.idempotency_key,
        };
        let saved = reports::submit(&s.writer, viewer(ctx), &super::context::actor(ctx), submission).await?;
        // The payload reads from the primary, through loaders that keep nothing from before
        // the write (see `graphql::prepare`).
        Ok(SubmitReportPayload { report: Report::new(saved) })
    }
}
