//! Supervision (SPEC §8): reviews, extensions and notices, their types and mutations.

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};

use super::scalars::Date;
use entity::{extension, notice, report};

use super::context::{actor, state, viewer};
use super::department::Department;
use super::ids::{self, NodeType};
use super::period::ReportingPeriod;
use super::report::Report;
use super::task::Task;
use crate::service::supervision::{extensions, notices, review};
use crate::service::writes::Obligated;

/// A warning light (预警), judged at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "crate::service::supervision::lights::Light")]
pub enum Light {
    /// On schedule.
    Green,
    /// Not reported and due within a few days (3 by default).
    Blue,
    /// 10-30 points behind schedule (by default), or reported AT_RISK or DELAYED.
    Yellow,
    /// Overdue (nothing reported, or returned and not resubmitted), or more than 30 points
    /// behind schedule (by default).
    Red,
}

/// Where the review of a revision stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "entity::ReviewState")]
pub enum ReviewState {
    /// Submitted; the issuing office has not decided yet.
    PendingReview,
    /// Accepted by the issuing office.
    Accepted,
    /// Sent back with a comment; a resubmission is reviewed again.
    Returned,
}

/// The issuing office's decision on a revision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum ReviewDecision {
    /// Accept the revision.
    Accept,
    /// Send it back (a comment is required).
    Return,
}

/// The review of a report's latest revision.
#[derive(SimpleObject)]
pub struct ReportReview {
    /// Where it stands.
    pub state: ReviewState,
    /// When it was decided (none while pending).
    pub decided_at: Option<DateTime<Utc>>,
    /// Who decided (the token's id and label).
    pub decided_by: Option<String>,
    /// The reviewer's comment.
    pub comment: Option<String>,
}

impl ReportReview {
    /// The review of a report's latest revision.
    pub fn of(r: &report::Model) -> Self {
        Self::from_columns(r.review_state, r.reviewed_at, &r.reviewed_by, &r.review_comment)
    }

    /// The review of one revision.
    pub fn of_revision(r: &entity::report_revision::Model) -> Self {
        Self::from_columns(r.review_state, r.reviewed_at, &r.reviewed_by, &r.review_comment)
    }

    fn from_columns(
        state: entity::ReviewState,
        decided_at: Option<DateTime<Utc>>,
        decided_by: &Option<String>,
        comment: &Option<String>,
    ) -> Self {
        Self { state: state.into(), decided_at, decided_by: decided_by.clone(), comment: comment.clone() }
    }
}

/// Where a request for a later due date stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "entity::ExtensionState")]
pub enum ExtensionState {
    /// Awaiting the issuing office's decision.
    Pending,
    /// Approved: the obligation's `dueOn` is the date asked for.
    Approved,
    /// Rejected: the due date stands.
    Rejected,
}

/// The level of a supervision notice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "entity::NoticeLevel")]
pub enum NoticeLevel {
    /// A first reminder.
    Blue,
    /// A pressing one.
    Orange,
    /// The last.
    Red,
}

/// A request for a later due date of one obligation (延期申请).
pub struct Extension(pub std::sync::Arc<extension::Model>);

/// A request for a later due date of one obligation (延期申请).
#[Object]
impl Extension {
    /// Global id.
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::Extension, self.0.id)
    }
    /// The task.
    async fn task(&self, ctx: &Context<'_>) -> async_graphql::Result<Task> {
        Task::of(ctx, self.0.task_id).await
    }
    /// The obligated department.
    async fn department(&self, ctx: &Context<'_>) -> async_graphql::Result<Department> {
        Department::of(ctx, self.0.department_id).await
    }
    /// The period.
    async fn period(&self, ctx: &Context<'_>) -> async_graphql::Result<ReportingPeriod> {
        ReportingPeriod::of(ctx, self.0.period_id).await
    }
    /// The date asked for.
    async fn due_on(&self) -> Date {
        self.0.due_on.into()
    }
    /// The due date when it was asked for.
    async fn previous_due_on(&self) -> Date {
        self.0.previous_due_on.into()
    }
    /// Why.
    async fn reason(&self) -> &str {
        &self.0.reason
    }
    /// Where it stands.
    async fn state(&self) -> ExtensionState {
        self.0.state.into()
    }
    /// The decision's comment.
    async fn comment(&self) -> Option<&str> {
        self.0.comment.as_deref()
    }
    /// When it was asked for.
    async fn requested_at(&self) -> DateTime<Utc> {
        self.0.requested_at
    }
    /// Who asked.
    async fn requested_by(&self) -> &str {
        &self.0.requested_by
    }
    /// When it was decided.
    async fn decided_at(&self) -> Option<DateTime<Utc>> {
        self.0.decided_at
    }
    /// Who decided.
    async fn decided_by(&self) -> Option<&str> {
        self.0.decided_by.as_deref()
    }
}

/// A supervision notice (督办单) on one obligation.
pub struct Notice(pub std::sync::Arc<notice::Model>);

/// A supervision notice (督办单) on one obligation.
#[Object]
impl Notice {
    /// Global id.
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::Notice, self.0.id)
    }
    /// The task.
    async fn task(&self, ctx: &Context<'_>) -> async_graphql::Result<Task> {
        Task::of(ctx, self.0.task_id).await
    }
    /// The department chased.
    async fn department(&self, ctx: &Context<'_>) -> async_graphql::Result<Department> {
        Department::of(ctx, self.0.department_id).await
    }
    /// The period.
    async fn period(&self, ctx: &Context<'_>) -> async_graphql::Result<ReportingPeriod> {
        ReportingPeriod::of(ctx, self.0.period_id).await
    }
    /// Its level.
    async fn level(&self) -> NoticeLevel {
        self.0.level.into()
    }
    /// What it says.
    async fn message(&self) -> &str {
        &self.0.message
    }
    /// When it was issued.
    async fn issued_at(&self) -> DateTime<Utc> {
        self.0.issued_at
    }
    /// Who issued it.
    async fn issued_by(&self) -> &str {
        &self.0.issued_by
    }
}

/// A decision on a report's latest revision.
#[derive(Debug, Clone, InputObject)]
pub struct ReviewReportInput {
    /// The report.
    pub report_id: ID,
    /// Accept or return.
    pub decision: ReviewDecision,
    /// What falls short (required to return; at most 2000 characters).
    pub comment: Option<String>,
    /// The revision reviewed: a report at another revision is a CONFLICT and nothing is written.
    pub expected_revision: i32,
}

/// What `reviewReport` returns.
#[derive(SimpleObject)]
pub struct ReviewReportPayload {
    /// The report with its review.
    pub report: Report,
}

/// A request for a later due date.
#[derive(Debug, Clone, InputObject)]
pub struct RequestExtensionInput {
    /// The task.
    pub task_id: ID,
    /// The period.
    pub period_id: ID,
    /// The obligated department: a reporter's own by default; required for an admin.
    pub department_id: Option<ID>,
    /// The date asked for: later than the current due date.
    pub due_on: Date,
    /// Why (at most 2000 characters).
    pub reason: String,
}

/// A decision on a request for a later due date.
#[derive(Debug, Clone, InputObject)]
pub struct DecideExtensionInput {
    /// The request.
    pub extension_id: ID,
    /// Approve (the due date moves) or reject.
    pub approve: bool,
    /// A comment (required to reject).
    pub comment: Option<String>,
}

/// What `requestExtension` and `decideExtension` return.
#[derive(SimpleObject)]
pub struct ExtensionPayload {
    /// The request.
    pub extension: Extension,
}

/// A notice to issue.
#[derive(Debug, Clone, InputObject)]
pub struct IssueNoticeInput {
    /// The task.
    pub task_id: ID,
    /// The period.
    pub period_id: ID,
    /// The department chased (one that owes the report).
    pub department_id: ID,
    /// Higher than any earlier notice on this obligation.
    pub level: NoticeLevel,
    /// What it says (at most 2000 characters).
    pub message: String,
}

/// What `issueNotice` returns.
#[derive(SimpleObject)]
pub struct IssueNoticePayload {
    /// The notice.
    pub notice: Notice,
}

/// Supervision mutations.
#[derive(Default)]
pub struct SupervisionMutation;

/// Supervision mutations.
#[Object]
impl SupervisionMutation {
    /// Accepts or returns a report's latest revision (the issuing office's supervisors, admins).
    async fn review_report(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The decision.")] input: ReviewReportInput,
    ) -> async_graphql::Result<ReviewReportPayload> {
        let review = review::Review {
            report_id: ids::decode(&input.report_id, NodeType::Report)?,
            accept: input.decision == ReviewDecision::Accept,
            comment: input.comment,
            expected_revision: input.expected_revision,
        };
        let saved = review::review(&state(ctx)?.writer, viewer(ctx), &actor(ctx), review).await?;
        Ok(ReviewReportPayload { report: Report::new(saved) })
    }

    /// Asks for a later due date, before the current one passes (the obligated department, admins).
    async fn request_extension(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The request.")] input: RequestExtensionInput,
    ) -> async_graphql::Result<ExtensionPayload> {
        let request = extensions::Request {
            task_id: ids::decode(&input.task_id, NodeType::Task)?,
            period_id: ids::decode(&input.period_id, NodeType::ReportingPeriod)?,
            department_id: input.department_id.as_ref().map(|d| ids::decode(d, NodeType::Department)).transpose()?,
            due_on: input.due_on.0,
            reason: input.reason,
        };
        let saved = extensions::request(&state(ctx)?.writer, viewer(ctx), &actor(ctx), request).await?;
        Ok(ExtensionPayload { extension: Extension(saved.into()) })
    }

    /// Approves or rejects a pending request (the issuing office's supervisors, admins).
    async fn decide_extension(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The decision.")] input: DecideExtensionInput,
    ) -> async_graphql::Result<ExtensionPayload> {
        let decision = extensions::Decision {
            extension_id: ids::decode(&input.extension_id, NodeType::Extension)?,
            approve: input.approve,
            comment: input.comment,
        };
        let saved = extensions::decide(&state(ctx)?.writer, viewer(ctx), &actor(ctx), decision).await?;
        Ok(ExtensionPayload { extension: Extension(saved.into()) })
    }

    /// Issues a notice on an obligation, above any earlier one (the issuing office's supervisors,
    /// admins).
    async fn issue_notice(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The notice.")] input: IssueNoticeInput,
    ) -> async_graphql::Result<IssueNoticePayload> {
        let issue = notices::Issue {
            at: Obligated {
                task_id: ids::decode(&input.task_id, NodeType::Task)?,
                department_id: ids::decode(&input.department_id, NodeType::Department)?,
                period_id: ids::decode(&input.period_id, NodeType::ReportingPeriod)?,
            },
            level: input.level.into(),
            message: input.message,
        };
        let saved = notices::issue(&state(ctx)?.writer, viewer(ctx), &actor(ctx), issue).await?;
        Ok(IssueNoticePayload { notice: Notice(saved.into()) })
    }
}
