//! The list through its year: `Document.versions`, `Task.changes`, the `DocumentVersion`,
//! `TaskChange` and `TaskState` types, and `amendTask` (see [`crate::service::amendments`]).
//! Versions and changes are read from the list snapshot: an answer shows one version throughout.

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{document_version, task_change};

use super::context::{actor, list, required, state, viewer};
use super::ids::{self, NodeType};
use super::scalars::Date;
use super::task::Task;
use crate::service::amendments::{self, TaskDecision, state::TaskState as State};

/// What a version changed in a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "entity::ChangeKind")]
pub enum ChangeKind {
    /// A task the version adds.
    Added,
    /// A task the version drops: it stays reachable with its reports (`Task.removedOn`).
    Removed,
    /// Its text changed.
    Reworded,
    /// Its number (or category) changed.
    Renumbered,
    /// Its lead departments or responsible units changed.
    Reassigned,
    /// Its deadline changed.
    Rescheduled,
}

/// One version of a document: 1 is the list as first imported; each amended text or decision
/// that changes tasks makes the next.
pub struct DocumentVersion(pub document_version::Model);

/// One version of a document: 1 is the list as first imported; each amended text or decision
/// that changes tasks makes the next.
#[Object]
impl DocumentVersion {
    /// 1, 2, … within the document.
    async fn number(&self) -> i32 {
        self.0.number
    }
    /// The day it takes effect: reports due from that day on follow it.
    async fn effective_on(&self) -> Date {
        self.0.effective_on.into()
    }
    /// When it was recorded.
    async fn imported_at(&self) -> DateTime<Utc> {
        self.0.imported_at
    }
    /// SHA-256 of the text it was read from; null for a decision (`amendTask`).
    async fn source_sha256(&self) -> Option<&str> {
        self.0.source_sha256.as_deref()
    }
    /// Why (a decision's reason); null for a text.
    async fn reason(&self) -> Option<&str> {
        self.0.reason.as_deref()
    }
    /// What it changed, task by task (none for version 1).
    async fn changes(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<TaskChange>> {
        Ok(list(ctx).await?.changes_of_version(self.0.id).into_iter().cloned().map(TaskChange).collect())
    }
}

/// One change a version made to one task.
pub struct TaskChange(pub task_change::Model);

/// One change a version made to one task.
#[Object]
impl TaskChange {
    /// What changed.
    async fn kind(&self) -> ChangeKind {
        self.0.kind.into()
    }
    /// The task (a removed one included).
    async fn task(&self, ctx: &Context<'_>) -> async_graphql::Result<Task> {
        Task::of(ctx, self.0.task_id).await
    }
    /// The version that made it.
    async fn version(&self, ctx: &Context<'_>) -> async_graphql::Result<DocumentVersion> {
        let list = list(ctx).await?;
        required(list.version(self.0.version_id), "version", self.0.version_id).map(DocumentVersion)
    }
    /// The task before (null for ADDED).
    async fn before(&self) -> Option<TaskState> {
        State::from_json(self.0.before.as_deref()).map(TaskState)
    }
    /// The task after (null for REMOVED).
    async fn after(&self) -> Option<TaskState> {
        State::from_json(self.0.after.as_deref()).map(TaskState)
    }
}

/// A task as one version held it.
pub struct TaskState(pub State);

/// A task as one version held it.
#[Object]
impl TaskState {
    /// Its number.
    async fn number(&self) -> i32 {
        self.0.number
    }
    /// The number of its category.
    async fn category_number(&self) -> i32 {
        self.0.category_number
    }
    /// Its text.
    async fn content(&self) -> &str {
        &self.0.content
    }
    /// Lead departments, by the names the version used, in order.
    async fn lead_names(&self) -> &[String] {
        &self.0.leads
    }
    /// Responsible units, by the names the version used, in order.
    async fn responsible_names(&self) -> &[String] {
        &self.0.responsible
    }
    /// The deadline as written.
    async fn deadline(&self) -> Option<&str> {
        self.0.deadline.as_deref()
    }
}

/// A decision on one task (调整): new departments and/or deadline, from a day, with its reason.
#[derive(Debug, Clone, InputObject)]
pub struct AmendTaskInput {
    /// The task.
    pub task_id: ID,
    /// Its lead departments from `effectiveOn`, by name, in order (omitted: unchanged).
    pub leads: Option<Vec<String>>,
    /// Its responsible units from `effectiveOn` (omitted: unchanged).
    pub responsible: Option<Vec<String>>,
    /// Its deadline as written (完成时限; "" for none; omitted: unchanged).
    pub deadline: Option<String>,
    /// Why: the decision's reference or words.
    pub reason: String,
    /// The day it takes effect: reports due from that day on are owed by the new departments,
    /// those due before by the old. Within the list's year, not before its latest version's.
    pub effective_on: Date,
}

/// The amended task and the version the decision made.
#[derive(SimpleObject)]
pub struct AmendTaskPayload {
    /// The task as it now stands.
    pub task: Task,
    /// The version made.
    pub version: i32,
    /// What it changed.
    pub changes: Vec<ChangeKind>,
}

/// Amendments by decision.
#[derive(Default)]
pub struct VersionMutation;

/// Amendments by decision.
#[Object]
impl VersionMutation {
    /// Moves a task to other departments or another deadline by decision (SUPERVISOR of its
    /// document's issuing office, or ADMIN): the next version of its document, with one change per
    /// kind. Refused, nothing written: a removed task, an unknown department, an effective date
    /// outside the list's year or before its latest version's, nothing that changes.
    async fn amend_task(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The task, what changes, why and from when.")] input: AmendTaskInput,
    ) -> async_graphql::Result<AmendTaskPayload> {
        let task_id = ids::decode(&input.task_id, NodeType::Task)?;
        let decision = TaskDecision {
            task_id,
            leads: input.leads,
            responsible: input.responsible,
            deadline: input.deadline,
            reason: input.reason,
        };
        let s = state(ctx)?;
        let done = amendments::amend_task(&s.writer, viewer(ctx), &actor(ctx), decision, input.effective_on.0).await?;
        let Some(version) = done.version else {
            return Err(crate::error::ApiError::bad_input("the amendment changes nothing in the task").into());
        };
        let changes = done.changes.iter().map(|c| c.kind.into()).collect();
        // A mutation reads the list as it is after the write: the version just made.
        let task = Task::of(ctx, task_id).await?;
        Ok(AmendTaskPayload { task, version, changes })
    }
}

/// `Document.versions`.
pub async fn versions_of(ctx: &Context<'_>, document_id: i64) -> async_graphql::Result<Vec<DocumentVersion>> {
    Ok(list(ctx).await?.versions_of(document_id).iter().cloned().map(DocumentVersion).collect())
}

/// `Task.changes`.
pub async fn changes_of(ctx: &Context<'_>, task_id: i64) -> async_graphql::Result<Vec<TaskChange>> {
    Ok(list(ctx).await?.changes_of_task(task_id).into_iter().cloned().map(TaskChange).collect())
}
