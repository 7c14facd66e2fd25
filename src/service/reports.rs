//! Progress reports: submission with revisions and optimistic concurrency, and listings.

use std::collections::HashSet;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use entity::{ReportStatus, TokenRole, department, indicator, report, report_revision, reporting_period, task};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect, SqlErr};
use serde::{Deserialize, Serialize};

use super::access::Viewer;
use super::list::ListSnapshot;
use super::page::PageRequest;
use super::report_store::HeldRows;
use super::writer::Writing;
use super::writes::{Action, Actor, Change, Obligated, Write};
use crate::error::{ApiError, ApiResult};
use crate::service::writer::Writer;

/// Longest summary accepted, in characters.
pub const MAX_SUMMARY_CHARS: usize = 5000;
/// Attempts when a submission without `expectedRevision` loses a race. On PostgreSQL the row
/// lock queues updaters, so only racers creating the same report retry, once each.
const RETRIES: usize = 8;

/// A value reached for one of the task's indicators.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct IndicatorValue {
    pub indicator_id: i64,
    pub value: f64,
}

/// A validated submission.
#[derive(Debug, Clone)]
pub struct Submission {
    pub task_id: i64,
    pub period_id: i64,
    pub department_id: Option<i64>,
    pub status: ReportStatus,
    pub progress_percent: i32,
    pub summary: String,
    pub indicator_values: Vec<IndicatorValue>,
    pub expected_revision: Option<i32>,
    /// The caller's name for this submission: a retry with it writes nothing and gets the first
    /// result (see [`super::idempotency`]).
    pub idempotency_key: Option<String>,
}

/// Stores a new revision of the report of (task, department, period) and announces it.
pub async fn submit(writer: &Writer, viewer: &Viewer, actor: &Actor, input: Submission) -> ApiResult<report::Model> {
    viewer.require_reader()?;
    let department_id = submitting_department(viewer, input.department_id)?;
    validate(&input)?;
    let mut attempt = 0;
    let saved = loop {
        attempt += 1;
        let result = match writer.begin().await {
            Ok(w) => submit_once(w, viewer, actor, &input, department_id).await,
            Err(e) => Err(Outcome::from(e)),
        };
        match result {
            Err(Outcome::Lost) if input.expected_revision.is_none() && attempt < RETRIES => continue,
            Err(Outcome::Lost) => {
                return Err(ApiError::Conflict(
                    "the report changed while this submission was being stored; reload it and submit again".into(),
                ));
            }
            Err(Outcome::Failed(e)) => return Err(e),
            Ok(saved) => break saved,
        }
    };
    match saved {
        Saved::Written(saved) | Saved::Replayed(saved) => Ok(saved),
    }
}

/// What a submission came to.
enum Saved {
    /// A new revision, committed and announced.
    Written(report::Model),
    /// A retry under an idempotency key: the first submission's report, nothing written.
    Replayed(report::Model),
}

/// The department a submission is for: a reporter's own, or the one an admin names.
fn submitting_department(viewer: &Viewer, asked: Option<i64>) -> ApiResult<i64> {
    match viewer {
        Viewer::Anonymous => Err(ApiError::Unauthenticated("submitting a report needs a token".into())),
        Viewer::Token { role: TokenRole::Viewer, .. } => {
            Err(ApiError::Forbidden("a viewer token can read reports but not submit them".into()))
        }
        Viewer::Token { role: TokenRole::Reporter, department_id: Some(own), .. } => match asked {
            Some(d) if d != *own => Err(ApiError::Forbidden("a reporter submits only for its own department".into())),
            _ => Ok(*own),
        },
        Viewer::Token { role: TokenRole::Reporter, department_id: None, .. } => {
            Err(ApiError::Forbidden("this reporter token is bound to no department".into()))
        }
        Viewer::Token { role: TokenRole::Admin, .. } => {
            asked.ok_or_else(|| ApiError::bad_input("departmentId is required when an admin submits"))
        }
        Viewer::Token { role: TokenRole::Supervisor, .. } => {
            Err(ApiError::Forbidden("a supervisor reviews reports but does not submit them".into()))
        }
    }
}

fn validate(input: &Submission) -> ApiResult<()> {
    if !(0..=100).contains(&input.progress_percent) {
        return Err(ApiError::bad_input(format!("progressPercent must be 0-100, not {}", input.progress_percent)));
    }
    let chars = input.summary.trim().chars().count();
    if chars == 0 {
        return Err(ApiError::bad_input("summary must not be empty"));
    }
    if chars > MAX_SUMMARY_CHARS {
        return Err(ApiError::bad_input(format!("summary is {chars} characters; at most {MAX_SUMMARY_CHARS}")));
    }
    if let Some(e) = input.expected_revision {
        if e < 0 {
            return Err(ApiError::bad_input("expectedRevision must not be negative"));
        }
    }
    if let Some(key) = &input.idempotency_key {
        super::idempotency::check_key(key)?;
    }
    let mut seen = HashSet::new();
    for v in &input.indicator_values {
        if !v.value.is_finite() || v.value < 0.0 {
            return Err(ApiError::bad_input(format!("indicator value {} is not a non-negative number", v.value)));
        }
        if !seen.insert(v.indicator_id) {
            return Err(ApiError::bad_input("an indicator is given twice in indicatorValues"));
        }
    }
    Ok(())
}

enum Outcome {
    /// Another submission changed the report first.
    Lost,
    Failed(ApiError),
}

impl From<DbErr> for Outcome {
    fn from(e: DbErr) -> Self {
        match e.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => Self::Lost,
            _ => Self::Failed(e.into()),
        }
    }
}

impl From<ApiError> for Outcome {
    fn from(e: ApiError) -> Self {
        Self::Failed(e)
    }
}

async fn submit_once(
    w: Writing,
    viewer: &Viewer,
    actor: &Actor,
    input: &Submission,
    department_id: i64,
) -> Result<Saved, Outcome> {
    let (txn, now) = (w.txn(), w.now());
    let task =
        task::Entity::find_by_id(input.task_id).one(txn).await?.ok_or_else(|| ApiError::not_found("no such task"))?;
    let period = reporting_period::Entity::find_by_id(input.period_id)
        .one(txn)
        .await?
        .ok_or_else(|| ApiError::not_found("no such reporting period"))?;
    if period.document_id != task.document_id {
        return Err(ApiError::bad_input("the reporting period belongs to another document than the task").into());
    }
    let dept = department::Entity::find_by_id(department_id)
        .one(txn)
        .await?
        .ok_or_else(|| ApiError::not_found("no such department"))?;
    let is_admin = matches!(viewer, Viewer::Token { role: TokenRole::Admin, .. });
    let refuse = |msg: String| if is_admin { ApiError::BadUserInput(msg) } else { ApiError::Forbidden(msg) };
    if dept.kind == entity::DepartmentKind::Collective {
        return Err(refuse(format!("{} is a collective placeholder: collectives never report", dept.name)).into());
    }
    // Assigned on the period's due date: a version's change of departments holds from its
    // effective date on.
    let assigned = crate::service::assignments::on(txn, &task, period.due_on).await?;
    if !assigned.iter().any(|a| a.department_id == dept.id) {
        if let Some(removed) = task.removed_on.filter(|r| *r <= period.due_on) {
            return Err(ApiError::bad_input(format!(
                "task {} was removed from the list on {removed}: nothing is owed on it for {}",
                task.number, period.label
            ))
            .into());
        }
        return Err(
            refuse(format!("{} is not assigned to task {} for {}", dept.name, task.number, period.label)).into()
        );
    }
    let allowed: HashSet<i64> = indicator::Entity::find()
        .filter(indicator::Column::TaskId.eq(task.id))
        .all(txn)
        .await?
        .into_iter()
        .map(|i| i.id)
        .collect();
    if let Some(v) = input.indicator_values.iter().find(|v| !allowed.contains(&v.indicator_id)) {
        let id = crate::ids::encode(crate::ids::NodeType::Indicator, v.indicator_id);
        return Err(ApiError::bad_input(format!(
            "indicator {} is not an indicator of task {}",
            id.as_str(),
            task.number
        ))
        .into());
    }
    let values = serde_json::to_string(&input.indicator_values).map_err(|e| ApiError::Internal(e.into()))?;
    let claim = match &input.idempotency_key {
        None => None,
        Some(key) => {
            let sha256 = super::idempotency::digest(&serde_json::json!({
                "task": task.id, "period": period.id, "department": dept.id,
                "status": sea_orm::ActiveEnum::to_value(&input.status), "progress": input.progress_percent,
                "summary": input.summary.trim(), "indicators": values, "expected": input.expected_revision,
            }));
            match super::idempotency::claim(txn, &actor.id, key, &sha256, now).await? {
                super::idempotency::Claim::Fresh(id) => Some(id),
                super::idempotency::Claim::Replay { report_id, revision } => {
                    let first = super::idempotency::replayed(txn, report_id, revision).await?;
                    w.rollback().await?;
                    return Ok(Saved::Replayed(first));
                }
            }
        }
    };
    let mut find = report::Entity::find()
        .filter(report::Column::TaskId.eq(task.id))
        .filter(report::Column::DepartmentId.eq(dept.id))
        .filter(report::Column::PeriodId.eq(period.id));
    if txn.get_database_backend() == sea_orm::DbBackend::Postgres {
        // Concurrent submissions on one report wait for each other here instead of failing;
        // SQLite needs no lock, its writers are already serialised.
        find = find.lock_exclusive();
    }
    let existing = find.one(txn).await?;
    let current = existing.as_ref().map_or(0, |r| r.revision);
    if let Some(expected) = input.expected_revision {
        if expected != current {
            return Err(ApiError::Conflict(format!(
                "expectedRevision is {expected} but the report is at revision {current}; nothing was written"
            ))
            .into());
        }
    }
    let by = viewer.name();
    let before = existing.as_ref().map(snapshot_json);
    let saved = match existing {
        None => {
            report::ActiveModel {
                id: NotSet,
                task_id: Set(task.id),
                department_id: Set(dept.id),
                period_id: Set(period.id),
                revision: Set(1),
                status: Set(input.status),
                progress_percent: Set(input.progress_percent),
                summary: Set(input.summary.trim().to_owned()),
                indicator_values: Set(values.clone()),
                submitted_at: Set(now),
                submitted_by: Set(by.clone()),
                first_submitted_at: Set(now),
                review_state: Set(entity::ReviewState::PendingReview),
                reviewed_at: Set(None),
                reviewed_by: Set(None),
                review_comment: Set(None),
            }
            .insert(txn)
            .await?
        }
        Some(r) => {
            // Optimistic lock: the update only applies if nobody moved the revision since we
            // read it; on PostgreSQL a concurrent writer waits here, then matches no row.
            let updated = report::Entity::update_many()
                .col_expr(report::Column::Revision, Expr::value(r.revision + 1))
                .col_expr(report::Column::Status, Expr::value(sea_orm::ActiveEnum::to_value(&input.status)))
                .col_expr(report::Column::ProgressPercent, Expr::value(input.progress_percent))
                .col_expr(report::Column::Summary, Expr::value(input.summary.trim().to_owned()))
                .col_expr(report::Column::IndicatorValues, Expr::value(values.clone()))
                .col_expr(report::Column::SubmittedAt, Expr::value(now))
                .col_expr(report::Column::SubmittedBy, Expr::value(by.clone()))
                // A new revision awaits its own review.
                .col_expr(
                    report::Column::ReviewState,
                    Expr::value(sea_orm::ActiveEnum::to_value(&entity::ReviewState::PendingReview)),
                )
                .col_expr(report::Column::ReviewedAt, Expr::value(Option::<DateTime<Utc>>::None))
                .col_expr(report::Column::ReviewedBy, Expr::value(Option::<String>::None))
                .col_expr(report::Column::ReviewComment, Expr::value(Option::<String>::None))
                .filter(report::Column::Id.eq(r.id))
                .filter(report::Column::Revision.eq(r.revision))
                .exec(txn)
                .await?;
            if updated.rows_affected != 1 {
                return Err(Outcome::Lost);
            }
            report::Entity::find_by_id(r.id).one(txn).await?.ok_or(Outcome::Lost)?
        }
    };
    report_revision::ActiveModel {
        id: NotSet,
        report_id: Set(saved.id),
        revision: Set(saved.revision),
        status: Set(input.status),
        progress_percent: Set(input.progress_percent),
        summary: Set(input.summary.trim().to_owned()),
        indicator_values: Set(values),
        submitted_at: Set(now),
        submitted_by: Set(by),
        review_state: Set(entity::ReviewState::PendingReview),
        reviewed_at: Set(None),
        reviewed_by: Set(None),
        review_comment: Set(None),
    }
    .insert(txn)
    .await?;
    if let Some(id) = claim {
        super::idempotency::record(txn, id, saved.id, saved.revision).await?;
    }
    let at = Obligated { task_id: task.id, department_id: dept.id, period_id: period.id };
    let change = Change::new(Write::new(Action::ReportSubmitted, saved.id).on(at), before, Some(snapshot_json(&saved)));
    w.commit(actor, change).await?;
    Ok(Saved::Written(saved))
}

/// What the audit trail keeps of a report: its latest revision and review.
pub fn snapshot_json(r: &report::Model) -> serde_json::Value {
    serde_json::json!({
        "revision": r.revision,
        "status": sea_orm::ActiveEnum::to_value(&r.status),
        "progressPercent": r.progress_percent,
        "summary": r.summary,
        "indicatorValues": indicator_values(&r.indicator_values),
        "submittedAt": r.submitted_at,
        "reviewState": sea_orm::ActiveEnum::to_value(&r.review_state),
        "reviewComment": r.review_comment,
    })
}

/// Reads stored indicator values.
pub fn indicator_values(json: &str) -> Vec<IndicatorValue> {
    serde_json::from_str(json).unwrap_or_default()
}

/// Validated report filter; all given fields must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportCriteria {
    pub task_id: Option<i64>,
    pub department_id: Option<i64>,
    pub period_id: Option<i64>,
    pub document_id: Option<i64>,
    pub status: Option<ReportStatus>,
}

impl ReportCriteria {
    /// The periods of the document asked for (none: any period).
    pub fn periods(&self, list: &ListSnapshot) -> Option<HashSet<i64>> {
        self.document_id.map(|d| list.periods_of(d).iter().map(|p| p.id).collect())
    }

    /// Whether `r` meets every condition; `periods` are the document's (from [`Self::periods`]).
    fn holds(&self, r: &report::Model, periods: Option<&HashSet<i64>>) -> bool {
        self.task_id.is_none_or(|v| r.task_id == v)
            && self.department_id.is_none_or(|v| r.department_id == v)
            && self.period_id.is_none_or(|v| r.period_id == v)
            && periods.is_none_or(|p| p.contains(&r.period_id))
            && self.status.is_none_or(|s| r.status == s)
    }
}

/// The held reports matching `criteria`, in id order, from the narrowest index that applies.
pub fn matching<'a>(
    held: &'a HeldRows,
    criteria: &'a ReportCriteria,
    periods: Option<&'a HashSet<i64>>,
) -> impl DoubleEndedIterator<Item = &'a Arc<report::Model>> + 'a {
    let indexed: Option<&'a [Arc<report::Model>]> = match criteria {
        ReportCriteria { task_id: Some(t), .. } => Some(held.reports_of_task.get(*t)),
        ReportCriteria { period_id: Some(p), .. } => Some(held.reports_of_period.get(*p)),
        ReportCriteria { department_id: Some(d), .. } => Some(held.reports_of_department.get(*d)),
        _ => None,
    };
    let all = match indexed {
        Some(_) => None,
        None => Some(held.reports.values()),
    };
    indexed.into_iter().flatten().chain(all.into_iter().flatten()).filter(move |r| criteria.holds(r, periods))
}

/// The `limit + 1` rows of `page` among `rows` (in id order), in scan order, for
/// [`PageRequest::finish`].
pub fn page_of<'a, M>(rows: impl DoubleEndedIterator<Item = &'a Arc<M>>, page: &PageRequest) -> Vec<Arc<M>>
where
    M: super::report_store::HasId + 'a,
{
    let (lower, upper) = page.id_bounds();
    let in_page = |r: &&Arc<M>| lower.is_none_or(|l| r.id() > l) && upper.is_none_or(|u| r.id() < u);
    let wanted = usize::try_from(page.limit).unwrap_or(usize::MAX).saturating_add(1);
    if page.scan_descending() {
        rows.rev().filter(in_page).take(wanted).cloned().collect()
    } else {
        rows.filter(in_page).take(wanted).cloned().collect()
    }
}
