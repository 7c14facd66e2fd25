//! Synthetic reports with revisions for a generated document's obligations.

use std::collections::HashMap;

use chrono::Duration;
use entity::{
    DepartmentKind, ReportStatus, Role, assignment, department, report, report_revision, reporting_period, task,
};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect};

use super::rng::Rng;
use crate::clock::end_of_day;
use crate::import::load::insert_chunked;

/// Share of obligations that have a report.
const REPORTED: f64 = 0.8;
const STATUSES: [ReportStatus; 5] = [
    ReportStatus::NotStarted,
    ReportStatus::OnTrack,
    ReportStatus::AtRisk,
    ReportStatus::Delayed,
    ReportStatus::Completed,
];

pub struct Written {
    pub reports: usize,
    pub rows: usize,
}

pub async fn generate_reports(
    txn: &impl ConnectionTrait,
    rng: &mut Rng,
    document_id: i64,
    region: &str,
) -> Result<Written, DbErr> {
    let periods =
        reporting_period::Entity::find().filter(reporting_period::Column::DocumentId.eq(document_id)).all(txn).await?;
    let tasks: HashMap<i64, i32> = task::Entity::find()
        .select_only()
        .columns([task::Column::Id, task::Column::LeadCount])
        .filter(task::Column::DocumentId.eq(document_id))
        .into_tuple::<(i64, i32)>()
        .all(txn)
        .await?
        .into_iter()
        .collect();
    let collectives: Vec<i64> = department::Entity::find()
        .select_only()
        .column(department::Column::Id)
        .filter(department::Column::Region.eq(region))
        .filter(department::Column::Kind.eq(DepartmentKind::Collective))
        .into_tuple()
        .all(txn)
        .await?;
    let task_ids: Vec<i64> = tasks.keys().copied().collect();
    let mut assignments: Vec<(i64, i64, Role)> = Vec::new();
    for chunk in task_ids.chunks(500) {
        let rows: Vec<(i64, i64, Role)> = assignment::Entity::find()
            .select_only()
            .columns([assignment::Column::TaskId, assignment::Column::DepartmentId, assignment::Column::Role])
            .filter(assignment::Column::TaskId.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(txn)
            .await?;
        assignments.extend(rows);
    }
    assignments.sort_unstable_by_key(|(t, d, _)| (*t, *d));
    // The obligation rule of the service: non-collective leads, or responsible units of a task
    // without lead.
    let owed: Vec<(i64, i64)> = assignments
        .iter()
        .filter(|(t, d, role)| {
            !collectives.contains(d) && (*role == Role::Lead || tasks.get(t).copied().unwrap_or(0) == 0)
        })
        .map(|(t, d, _)| (*t, *d))
        .collect();

    let mut reports = Vec::new();
    let mut revisions_wanted = Vec::new();
    for p in &periods {
        let deadline = end_of_day(p.due_on);
        for &(task_id, department_id) in &owed {
            if !rng.chance(REPORTED) {
                continue;
            }
            // Most reports come in the fortnight before the deadline; some a few days late.
            let offset = Duration::hours(rng.range(0, 24 * 18) as i64 - 24 * 14);
            let first = deadline + offset;
            let revisions = 1 + usize::from(rng.chance(0.25)) + usize::from(rng.chance(0.05));
            let last = first + Duration::hours(6 * (revisions as i64 - 1));
            let status = *rng.pick(&STATUSES);
            let (progress, summary) = (rng.range(0, 100) as i32, format!("第{}季度工作进展", p.quarter));
            reports.push(report::ActiveModel {
                id: NotSet,
                task_id: Set(task_id),
                department_id: Set(department_id),
                period_id: Set(p.id),
                revision: Set(revisions as i32),
                status: Set(status),
                progress_percent: Set(progress),
                summary: Set(summary.clone()),
                indicator_values: Set("[]".into()),
                submitted_at: Set(last),
                submitted_by: Set("generated".into()),
                first_submitted_at: Set(first),
                review_state: Set(entity::ReviewState::PendingReview),
                reviewed_at: Set(None),
                reviewed_by: Set(None),
                review_comment: Set(None),
            });
            revisions_wanted.push(((task_id, department_id, p.id), revisions, first, status, progress, summary));
        }
    }
    let n_reports = reports.len();
    insert_chunked(txn, reports).await?;
    let period_ids: Vec<i64> = periods.iter().map(|p| p.id).collect();
    let ids: HashMap<(i64, i64, i64), i64> = report::Entity::find()
        .select_only()
        .columns([report::Column::Id, report::Column::TaskId, report::Column::DepartmentId, report::Column::PeriodId])
        .filter(report::Column::PeriodId.is_in(period_ids))
        .into_tuple::<(i64, i64, i64, i64)>()
        .all(txn)
        .await?
        .into_iter()
        .map(|(id, t, d, p)| ((t, d, p), id))
        .collect();
    let mut revisions = Vec::new();
    for (key, n, first, status, progress, summary) in revisions_wanted {
        let Some(report_id) = ids.get(&key) else { continue };
        for r in 1..=n {
            // The latest revision is what the report's row shows, as a submission writes them.
            let (progress, summary) =
                if r == n { (progress, summary.clone()) } else { ((r * 30).min(100) as i32, format!("修订{r}")) };
            revisions.push(report_revision::ActiveModel {
                id: NotSet,
                report_id: Set(*report_id),
                revision: Set(r as i32),
                status: Set(status),
                progress_percent: Set(progress),
                summary: Set(summary),
                indicator_values: Set("[]".into()),
                submitted_at: Set(first + Duration::hours(6 * (r as i64 - 1))),
                submitted_by: Set("generated".into()),
                review_state: Set(entity::ReviewState::PendingReview),
                reviewed_at: Set(None),
                reviewed_by: Set(None),
                review_comment: Set(None),
            });
        }
    }
    let n_revisions = revisions.len();
    insert_chunked(txn, revisions).await?;
    Ok(Written { reports: n_reports, rows: n_reports + n_revisions })
}
