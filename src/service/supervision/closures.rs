//! Closure (销号, SPEC §12): a lead department of a finished task asks for it to be closed; the
//! issuing office approves (the task is closed on that day, Asia/Shanghai) or rejects it with a
//! comment. A closed task owes no report for the periods due after that day and shows no light
//! there (see [`crate::service::obligations`]); it stays in every view.

use std::collections::HashMap;

use chrono::NaiveDate;
use entity::{ClosureState, Role, TokenRole, closure, document, task};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use super::{require_supervisor, text};
use crate::error::{ApiError, ApiResult};
use crate::service::access::Viewer;
use crate::service::writer::Writer;
use crate::service::writes::{Action, Actor, Change, Write};

/// A request to close a task.
#[derive(Debug, Clone)]
pub struct Request {
    pub task_id: i64,
    /// The lead department asking: a reporter's own, or the one an admin names.
    pub department_id: Option<i64>,
    pub summary: String,
}

/// The decision on a pending request.
#[derive(Debug, Clone)]
pub struct Decision {
    pub closure_id: i64,
    pub approve: bool,
    pub comment: Option<String>,
}

/// Stores a lead department's request to close a task.
pub async fn request(writer: &Writer, viewer: &Viewer, actor: &Actor, input: Request) -> ApiResult<closure::Model> {
    let department_id = match viewer {
        Viewer::Anonymous => return Err(ApiError::Unauthenticated("requesting a closure needs a token".into())),
        Viewer::Token { role: TokenRole::Reporter, department_id: Some(own), .. } => match input.department_id {
            Some(d) if d != *own => {
                return Err(ApiError::Forbidden("a reporter asks to close its own department's tasks only".into()));
            }
            _ => *own,
        },
        Viewer::Token { role: TokenRole::Admin, .. } => input
            .department_id
            .ok_or_else(|| ApiError::bad_input("departmentId is required when an admin requests a closure"))?,
        Viewer::Token { .. } => {
            return Err(ApiError::Forbidden(
                "only a lead department of the task (or an admin) asks to close it".into(),
            ));
        }
    };
    let summary = text("summary", Some(&input.summary))?
        .ok_or_else(|| ApiError::bad_input("a closure needs a summary of what was done"))?;
    let w = writer.begin().await?;
    let (txn, now) = (w.txn(), w.now());
    lock_task(txn, input.task_id).await?;
    let task =
        task::Entity::find_by_id(input.task_id).one(txn).await?.ok_or_else(|| ApiError::not_found("no such task"))?;
    if let Some(removed) = task.removed_on {
        return Err(ApiError::bad_input(format!(
            "task {} was removed from the list on {removed}; a removed task is not closed",
            task.number
        )));
    }
    let leads = crate::service::assignments::now(txn, &task).await?;
    if !leads.iter().any(|a| a.department_id == department_id && a.role == Role::Lead) {
        let why = format!("the department is no lead of task {}: only a lead department asks to close it", task.number);
        let admin = matches!(viewer, Viewer::Token { role: TokenRole::Admin, .. });
        return Err(if admin { ApiError::BadUserInput(why) } else { ApiError::Forbidden(why) });
    }
    let open = closure::Entity::find()
        .filter(closure::Column::TaskId.eq(task.id))
        .filter(closure::Column::State.is_in([ClosureState::Pending, ClosureState::Approved]))
        .one(txn)
        .await?;
    match open.map(|c| c.state) {
        Some(ClosureState::Approved) => {
            return Err(ApiError::Conflict(format!("task {} is closed already", task.number)));
        }
        Some(_) => {
            return Err(ApiError::Conflict(format!(
                "a closure of task {} is already awaiting a decision",
                task.number
            )));
        }
        None => {}
    }
    let row = closure::ActiveModel {
        id: NotSet,
        document_id: Set(task.document_id),
        task_id: Set(task.id),
        department_id: Set(department_id),
        summary: Set(summary),
        state: Set(ClosureState::Pending),
        comment: Set(None),
        requested_at: Set(now),
        requested_by: Set(viewer.name()),
        decided_at: Set(None),
        decided_by: Set(None),
        closed_on: Set(None),
    }
    .insert(txn)
    .await?;
    let change = Change::new(Write::new(Action::ClosureRequested, row.id), None, Some(public(&row)));
    w.commit(actor, change).await?;
    Ok(row)
}

/// Approves (the task is closed today) or rejects (with a comment) a pending request.
pub async fn decide(writer: &Writer, viewer: &Viewer, actor: &Actor, input: Decision) -> ApiResult<closure::Model> {
    viewer.require_reader()?;
    if matches!(viewer, Viewer::Token { role: TokenRole::Viewer | TokenRole::Reporter, .. }) {
        return Err(ApiError::Forbidden("only the issuing office's supervisors and admins decide closures".into()));
    }
    let comment = text("comment", input.comment.as_deref())?;
    if !input.approve && comment.is_none() {
        return Err(ApiError::bad_input("rejecting a closure needs a comment saying why"));
    }
    let w = writer.begin().await?;
    let (txn, now) = (w.txn(), w.now());
    let found = closure::Entity::find_by_id(input.closure_id).one(txn).await?;
    let before = found.ok_or_else(|| ApiError::not_found("no such closure"))?;
    lock_task(txn, before.task_id).await?;
    // Read again under the lock: a decision made meanwhile is seen.
    let before =
        closure::Entity::find_by_id(before.id).one(txn).await?.ok_or_else(|| ApiError::not_found("no such closure"))?;
    let task =
        task::Entity::find_by_id(before.task_id).one(txn).await?.ok_or_else(|| ApiError::not_found("no such task"))?;
    let doc = document::Entity::find_by_id(task.document_id)
        .one(txn)
        .await?
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("task {} has no document", task.id)))?;
    require_supervisor(txn, viewer, &doc).await?;
    if before.state != ClosureState::Pending {
        return Err(ApiError::Conflict("this closure was decided already".into()));
    }
    let mut active: closure::ActiveModel = before.clone().into();
    active.state = Set(if input.approve { ClosureState::Approved } else { ClosureState::Rejected });
    active.comment = Set(comment);
    active.decided_at = Set(Some(now));
    active.decided_by = Set(Some(viewer.name()));
    active.closed_on = Set(input.approve.then(|| crate::clock::shanghai_day(now)));
    let after = active.update(txn).await?;
    let change = Change::new(Write::new(Action::ClosureDecided, after.id), Some(public(&before)), Some(public(&after)));
    w.commit(actor, change).await?;
    Ok(after)
}

/// On PostgreSQL, serialises closure writes on one task (SQLite's writers already are).
async fn lock_task(db: &impl ConnectionTrait, task_id: i64) -> ApiResult<()> {
    if db.get_database_backend() != sea_orm::DbBackend::Postgres {
        return Ok(());
    }
    let stmt = sea_orm::Statement::from_sql_and_values(
        sea_orm::DbBackend::Postgres,
        "SELECT pg_advisory_xact_lock(hashtext($1))",
        [format!("closure:{task_id}").into()],
    );
    db.execute_raw(stmt).await?;
    Ok(())
}

/// What the audit trail keeps of a closure.
fn public(c: &closure::Model) -> serde_json::Value {
    serde_json::json!({
        "taskId": c.task_id, "departmentId": c.department_id, "summary": c.summary,
        "state": sea_orm::ActiveEnum::to_value(&c.state), "comment": c.comment, "closedOn": c.closed_on,
    })
}

/// The day each closed task was closed, from closures (of a document, say).
pub fn closed_days<'a>(closures: impl IntoIterator<Item = &'a closure::Model>) -> HashMap<i64, NaiveDate> {
    closures
        .into_iter()
        .filter(|c| c.state == ClosureState::Approved)
        .filter_map(|c| c.closed_on.map(|d| (c.task_id, d)))
        .collect()
}
