//! Supervision by the issuing office (督查督办, SPEC §8): who may supervise what, and the
//! obligation a supervision write is about.

pub mod audit;
pub mod closures;
pub mod extensions;
pub mod lights;
pub mod notices;
pub mod progress;
pub mod review;

use chrono::NaiveDate;
use entity::{
    DepartmentKind, ExtensionState, Role, TokenRole, assignment, department, document, extension, reporting_period,
    task,
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use super::access::Viewer;
use super::writes::Obligated;
use crate::error::{ApiError, ApiResult};

/// Longest comment, reason or message accepted, in characters.
pub const MAX_TEXT_CHARS: usize = 2000;

/// Whether `office` is the issuer of `doc`: the issuer's name is the office's, or the region's
/// name before it ("天津市政务服务办" is 天津's "市政务服务办").
pub fn issued_by(doc: &document::Model, office: &department::Model) -> bool {
    office.region == doc.region
        && (doc.issuer == office.name || doc.issuer.strip_prefix(doc.region.as_str()) == Some(office.name.as_str()))
}

/// Admits `viewer` to supervise `doc`: an admin anywhere, a supervisor for the documents its
/// office issued.
pub async fn require_supervisor(db: &impl ConnectionTrait, viewer: &Viewer, doc: &document::Model) -> ApiResult<()> {
    match viewer {
        Viewer::Anonymous => Err(ApiError::Unauthenticated("supervision needs a token".into())),
        Viewer::Token { role: TokenRole::Admin, .. } => Ok(()),
        Viewer::Token { role: TokenRole::Supervisor, department_id: Some(office), .. } => {
            let office = department::Entity::find_by_id(*office).one(db).await?;
            match office {
                Some(o) if issued_by(doc, &o) => Ok(()),
                Some(o) => Err(ApiError::Forbidden(format!(
                    "{} supervises the documents it issued; this one was issued by {}",
                    o.name, doc.issuer
                ))),
                None => Err(ApiError::Forbidden("this supervisor token's office no longer exists".into())),
            }
        }
        Viewer::Token { role: TokenRole::Supervisor, department_id: None, .. } => {
            Err(ApiError::Forbidden("this supervisor token is bound to no office".into()))
        }
        Viewer::Token { .. } => {
            Err(ApiError::Forbidden("only the issuing office's supervisors and admins supervise".into()))
        }
    }
}

/// Only supervisors and admins (of any document).
pub fn require_any_supervisor(viewer: &Viewer) -> ApiResult<()> {
    match viewer {
        Viewer::Anonymous => Err(ApiError::Unauthenticated("the audit trail needs a token".into())),
        Viewer::Token { role: TokenRole::Admin | TokenRole::Supervisor, .. } => Ok(()),
        Viewer::Token { .. } => Err(ApiError::Forbidden("the audit trail is for supervisors and admins".into())),
    }
}

/// An obligation as a write finds it, inside its transaction.
pub struct Found {
    pub task: task::Model,
    pub period: reporting_period::Model,
    pub department: department::Model,
    pub document: document::Model,
}

/// Finds the obligation of (task, period, department) and checks that the department owes it
/// (a lead of the task; when the task has none, a responsible unit; never a collective).
pub async fn find_obligation(db: &impl ConnectionTrait, at: Obligated) -> ApiResult<Found> {
    let task =
        task::Entity::find_by_id(at.task_id).one(db).await?.ok_or_else(|| ApiError::not_found("no such task"))?;
    let period = reporting_period::Entity::find_by_id(at.period_id)
        .one(db)
        .await?
        .ok_or_else(|| ApiError::not_found("no such reporting period"))?;
    if period.document_id != task.document_id {
        return Err(ApiError::bad_input("the reporting period belongs to another document than the task"));
    }
    let department = department::Entity::find_by_id(at.department_id)
        .one(db)
        .await?
        .ok_or_else(|| ApiError::not_found("no such department"))?;
    let document = document::Entity::find_by_id(task.document_id)
        .one(db)
        .await?
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("task {} has no document", task.id)))?;
    let assignments = crate::service::assignments::on(db, &task, period.due_on).await?;
    let ids: Vec<i64> = assignments.iter().map(|a| a.department_id).collect();
    let kinds: std::collections::HashMap<i64, DepartmentKind> = department::Entity::find()
        .filter(department::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|d| (d.id, d.kind))
        .collect();
    let counts = |a: &&assignment::Model| kinds.get(&a.department_id).is_some_and(|k| *k != DepartmentKind::Collective);
    let leads: Vec<&assignment::Model> = assignments.iter().filter(|a| a.role == Role::Lead).filter(counts).collect();
    let owing: Vec<&assignment::Model> = if assignments.iter().any(|a| a.role == Role::Lead) {
        leads
    } else {
        assignments.iter().filter(|a| a.role == Role::Responsible).filter(counts).collect()
    };
    if !owing.iter().any(|a| a.department_id == department.id) {
        return Err(ApiError::bad_input(format!("{} owes no report on task {}", department.name, task.number)));
    }
    Ok(Found { task, period, department, document })
}

/// The obligation's due date now: the period's, or the latest approved extension's.
pub async fn current_due_on(db: &impl ConnectionTrait, found: &Found) -> ApiResult<NaiveDate> {
    let approved = extension::Entity::find()
        .filter(extension::Column::TaskId.eq(found.task.id))
        .filter(extension::Column::PeriodId.eq(found.period.id))
        .filter(extension::Column::DepartmentId.eq(found.department.id))
        .filter(extension::Column::State.eq(sea_orm::ActiveEnum::to_value(&ExtensionState::Approved)))
        .all(db)
        .await?;
    Ok(effective_due_on(found.period.due_on, approved.iter()))
}

/// The due date after the approved extensions among `extensions`: the latest date approved.
pub fn effective_due_on<'a>(
    period_due: NaiveDate,
    extensions: impl Iterator<Item = &'a extension::Model>,
) -> NaiveDate {
    extensions.filter(|e| e.state == ExtensionState::Approved).map(|e| e.due_on).fold(period_due, NaiveDate::max)
}

/// A required text: trimmed, not empty, at most [`MAX_TEXT_CHARS`].
pub fn text(what: &str, value: Option<&str>) -> ApiResult<Option<String>> {
    let Some(v) = value.map(str::trim).filter(|v| !v.is_empty()) else { return Ok(None) };
    let n = v.chars().count();
    if n > MAX_TEXT_CHARS {
        return Err(ApiError::bad_input(format!("{what} is {n} characters; at most {MAX_TEXT_CHARS}")));
    }
    Ok(Some(v.to_owned()))
}

/// On PostgreSQL, serialises writes of one kind on one obligation (SQLite's writers already are).
pub async fn lock_obligation(db: &impl ConnectionTrait, kind: &str, at: Obligated) -> ApiResult<()> {
    if db.get_database_backend() != sea_orm::DbBackend::Postgres {
        return Ok(());
    }
    let key = format!("{kind}:{}:{}:{}", at.task_id, at.department_id, at.period_id);
    let stmt = sea_orm::Statement::from_sql_and_values(
        sea_orm::DbBackend::Postgres,
        "SELECT pg_advisory_xact_lock(hashtext($1))",
        [key.into()],
    );
    db.execute_raw(stmt).await?;
    Ok(())
}
