//! Closure (销号): `requestClosure`, `decideClosure`, the `Closure` type, and `Task.closedOn` /
//! `Task.closures` (see [`crate::service::supervision::closures`]).

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::closure;

use super::context::{actor, state, viewer};
use super::department::Department;
use super::ids::{self, NodeType};
use super::scalars::Date;
use super::task::Task;
use crate::service::supervision::closures;

/// Where a request to close a task stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "entity::ClosureState")]
pub enum ClosureState {
    /// Awaiting the issuing office's decision.
    Pending,
    /// Approved: the task is closed (`closedOn`) and owes no report for periods due after.
    Approved,
    /// Rejected, with a comment: the task stays open.
    Rejected,
}

/// A lead department's request to close a finished task (销号), and its decision.
pub struct Closure(pub std::sync::Arc<closure::Model>);

/// A lead department's request to close a finished task (销号), and its decision.
#[Object]
impl Closure {
    /// Global id.
    async fn id(&self) -> ID {
        ids::encode(NodeType::Closure, self.0.id)
    }
    /// The task.
    async fn task(&self, ctx: &Context<'_>) -> async_graphql::Result<Task> {
        Task::of(ctx, self.0.task_id).await
    }
    /// The lead department that asked.
    async fn department(&self, ctx: &Context<'_>) -> async_graphql::Result<Department> {
        Department::of(ctx, self.0.department_id).await
    }
    /// Where it stands.
    async fn state(&self) -> ClosureState {
        self.0.state.into()
    }
    /// What was done.
    async fn summary(&self) -> &str {
        &self.0.summary
    }
    /// The decision's comment (required for a rejection).
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
    /// The day the task was closed (Asia/Shanghai), when approved.
    async fn closed_on(&self) -> Option<Date> {
        self.0.closed_on.map(Into::into)
    }
}

/// Asks for a finished task to be closed.
#[derive(Debug, Clone, InputObject)]
pub struct RequestClosureInput {
    /// The task.
    pub task_id: ID,
    /// The lead department asking: a reporter's own (default), or the one an admin names.
    pub department_id: Option<ID>,
    /// What was done.
    pub summary: String,
}

/// Approves or rejects a pending request.
#[derive(Debug, Clone, InputObject)]
pub struct DecideClosureInput {
    /// The request.
    pub closure_id: ID,
    /// Approve (the task is closed today) or reject.
    pub approve: bool,
    /// Why; required for a rejection.
    pub comment: Option<String>,
}

/// The request, as stored.
#[derive(SimpleObject)]
pub struct ClosurePayload {
    /// The closure.
    pub closure: Closure,
}

/// Closure mutations.
#[derive(Default)]
pub struct ClosureMutation;

/// Closure mutations.
#[Object]
impl ClosureMutation {
    /// Asks for a finished task to be closed (a lead department of the task, admins).
    async fn request_closure(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The request.")] input: RequestClosureInput,
    ) -> async_graphql::Result<ClosurePayload> {
        let request = closures::Request {
            task_id: ids::decode(&input.task_id, NodeType::Task)?,
            department_id: input.department_id.as_ref().map(|d| ids::decode(d, NodeType::Department)).transpose()?,
            summary: input.summary,
        };
        let saved = closures::request(&state(ctx)?.writer, viewer(ctx), &actor(ctx), request).await?;
        Ok(ClosurePayload { closure: Closure(saved.into()) })
    }

    /// Approves (the task is closed today) or rejects (with a comment) a pending request (the
    /// issuing office's supervisors, admins).
    async fn decide_closure(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The decision.")] input: DecideClosureInput,
    ) -> async_graphql::Result<ClosurePayload> {
        let decision = closures::Decision {
            closure_id: ids::decode(&input.closure_id, NodeType::Closure)?,
            approve: input.approve,
            comment: input.comment,
        };
        let saved = closures::decide(&state(ctx)?.writer, viewer(ctx), &actor(ctx), decision).await?;
        Ok(ClosurePayload { closure: Closure(saved.into()) })
    }
}

/// A task's closures, oldest first (held rows).
pub async fn of_task(
    ctx: &Context<'_>,
    task_id: i64,
) -> async_graphql::Result<crate::service::report_store::Held<closure::Model>> {
    Ok(super::context::load(ctx, super::loaders::ClosuresOfTask(task_id)).await?.unwrap_or_default())
}
