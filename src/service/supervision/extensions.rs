//! Extensions (延期申请): an obligated department asks for a later due date before its current
//! one passes; the issuing office approves or rejects. An approved date moves the obligation's
//! `dueOn`, and every state and light judged from it.

use chrono::NaiveDate;
use entity::{ExtensionState, TokenRole, extension};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter};

use super::{current_due_on, find_obligation, lock_obligation, require_supervisor, text};
use crate::clock::end_of_day;
use crate::error::{ApiError, ApiResult};
use crate::service::access::Viewer;
use crate::service::writer::Writer;
use crate::service::writes::{Action, Actor, Change, Obligated, Write};

/// A validated request.
#[derive(Debug, Clone)]
pub struct Request {
    pub task_id: i64,
    pub period_id: i64,
    /// A reporter's own by default; required for an admin.
    pub department_id: Option<i64>,
    pub due_on: NaiveDate,
    pub reason: String,
}

/// A validated decision.
#[derive(Debug, Clone)]
pub struct Decision {
    pub extension_id: i64,
    pub approve: bool,
    pub comment: Option<String>,
}

/// The department a request is for: a reporter's own, or the one an admin names.
fn requesting_department(viewer: &Viewer, asked: Option<i64>) -> ApiResult<i64> {
    match viewer {
        Viewer::Anonymous => Err(ApiError::Unauthenticated("requesting an extension needs a token".into())),
        Viewer::Token { role: TokenRole::Reporter, department_id: Some(own), .. } => match asked {
            Some(d) if d != *own => {
                Err(ApiError::Forbidden("a reporter asks for extensions of its own department only".into()))
            }
            _ => Ok(*own),
        },
        Viewer::Token { role: TokenRole::Admin, .. } => {
            asked.ok_or_else(|| ApiError::bad_input("departmentId is required when an admin requests an extension"))
        }
        Viewer::Token { .. } => {
            Err(ApiError::Forbidden("only the obligated department (or an admin) requests an extension".into()))
        }
    }
}

fn public(e: &extension::Model) -> serde_json::Value {
    serde_json::json!({
        "dueOn": e.due_on, "previousDueOn": e.previous_due_on, "reason": e.reason,
        "state": sea_orm::ActiveEnum::to_value(&e.state), "comment": e.comment,
    })
}

/// Stores a request for a later due date.
pub async fn request(writer: &Writer, viewer: &Viewer, actor: &Actor, input: Request) -> ApiResult<extension::Model> {
    let department_id = requesting_department(viewer, input.department_id)?;
    let reason =
        text("reason", Some(&input.reason))?.ok_or_else(|| ApiError::bad_input("an extension needs a reason"))?;
    let w = writer.begin().await?;
    let (txn, now) = (w.txn(), w.now());
    let at = Obligated { task_id: input.task_id, department_id, period_id: input.period_id };
    lock_obligation(txn, "extension", at).await?;
    let found = find_obligation(txn, at).await?;
    let due = current_due_on(txn, &found).await?;
    if now >= end_of_day(due) {
        return Err(ApiError::bad_input(format!(
            "the obligation was due on {due}: an extension is requested before the due date passes"
        )));
    }
    if input.due_on <= due {
        return Err(ApiError::bad_input(format!(
            "dueOn {} is not later than the current due date {due}",
            input.due_on
        )));
    }
    let pending = extension::Entity::find()
        .filter(extension::Column::TaskId.eq(at.task_id))
        .filter(extension::Column::PeriodId.eq(at.period_id))
        .filter(extension::Column::DepartmentId.eq(at.department_id))
        .filter(extension::Column::State.eq(sea_orm::ActiveEnum::to_value(&ExtensionState::Pending)))
        .one(txn)
        .await?;
    if pending.is_some() {
        return Err(ApiError::Conflict("an extension of this obligation is already awaiting a decision".into()));
    }
    let row = extension::ActiveModel {
        id: NotSet,
        task_id: Set(at.task_id),
        period_id: Set(at.period_id),
        department_id: Set(at.department_id),
        previous_due_on: Set(due),
        due_on: Set(input.due_on),
        reason: Set(reason),
        state: Set(ExtensionState::Pending),
        comment: Set(None),
        requested_at: Set(now),
        requested_by: Set(viewer.name()),
        decided_at: Set(None),
        decided_by: Set(None),
    }
    .insert(txn)
    .await?;
    let change = Change::new(Write::new(Action::ExtensionRequested, row.id).on(at), None, Some(public(&row)));
    w.commit(actor, change).await?;
    Ok(row)
}

/// Approves or rejects a pending request.
pub async fn decide(writer: &Writer, viewer: &Viewer, actor: &Actor, input: Decision) -> ApiResult<extension::Model> {
    viewer.require_reader()?;
    let comment = text("comment", input.comment.as_deref())?;
    if !input.approve && comment.is_none() {
        return Err(ApiError::bad_input("rejecting an extension needs a comment saying why"));
    }
    let w = writer.begin().await?;
    let (txn, now) = (w.txn(), w.now());
    let before = extension::Entity::find_by_id(input.extension_id)
        .one(txn)
        .await?
        .ok_or_else(|| ApiError::not_found("no such extension"))?;
    let at = Obligated { task_id: before.task_id, department_id: before.department_id, period_id: before.period_id };
    let found = find_obligation(txn, at).await?;
    require_supervisor(txn, viewer, &found.document).await?;
    if before.state != ExtensionState::Pending {
        return Err(ApiError::Conflict("this extension was already decided".into()));
    }
    let decided = if input.approve { ExtensionState::Approved } else { ExtensionState::Rejected };
    let updated = extension::Entity::update_many()
        .col_expr(extension::Column::State, Expr::value(sea_orm::ActiveEnum::to_value(&decided)))
        .col_expr(extension::Column::Comment, Expr::value(comment))
        .col_expr(extension::Column::DecidedAt, Expr::value(now))
        .col_expr(extension::Column::DecidedBy, Expr::value(viewer.name()))
        .filter(extension::Column::Id.eq(before.id))
        .filter(extension::Column::State.eq(sea_orm::ActiveEnum::to_value(&ExtensionState::Pending)))
        .exec(txn)
        .await?;
    if updated.rows_affected != 1 {
        return Err(ApiError::Conflict("this extension was decided meanwhile".into()));
    }
    let after = extension::Entity::find_by_id(before.id)
        .one(txn)
        .await?
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("extension {} vanished", before.id)))?;
    let change =
        Change::new(Write::new(Action::ExtensionDecided, after.id).on(at), Some(public(&before)), Some(public(&after)));
    w.commit(actor, change).await?;
    Ok(after)
}
