//! `reviewReport`: the issuing office accepts a report's latest revision or returns it.

use entity::{ReviewState, document, report, report_revision, task};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};

use super::{require_supervisor, text};
use crate::error::{ApiError, ApiResult};
use crate::service::access::Viewer;
use crate::service::reports::snapshot_json;
use crate::service::writer::Writer;
use crate::service::writes::{Action, Actor, Change, Obligated, Write};

/// A validated review.
#[derive(Debug, Clone)]
pub struct Review {
    pub report_id: i64,
    pub accept: bool,
    pub comment: Option<String>,
    /// The revision the reviewer read: the decision is on it, and on no later one.
    pub expected_revision: i32,
}

/// Records the decision on the report's latest revision and announces it.
pub async fn review(writer: &Writer, viewer: &Viewer, actor: &Actor, input: Review) -> ApiResult<report::Model> {
    viewer.require_reader()?;
    if matches!(viewer, Viewer::Token { role: entity::TokenRole::Viewer | entity::TokenRole::Reporter, .. }) {
        return Err(ApiError::Forbidden("only the issuing office's supervisors and admins review reports".into()));
    }
    let comment = text("comment", input.comment.as_deref())?;
    if !input.accept && comment.is_none() {
        return Err(ApiError::bad_input("returning a report needs a comment saying what falls short"));
    }
    let w = writer.begin().await?;
    let (txn, now) = (w.txn(), w.now());
    let mut find = report::Entity::find_by_id(input.report_id);
    if txn.get_database_backend() == sea_orm::DbBackend::Postgres {
        // A submission or another review of this report waits for this one.
        find = find.lock_exclusive();
    }
    let before = find.one(txn).await?.ok_or_else(|| ApiError::not_found("no such report"))?;
    let doc = document::Entity::find()
        .filter(
            document::Column::Id.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(task::Column::DocumentId)
                    .from(task::Entity)
                    .and_where(task::Column::Id.eq(before.task_id))
                    .to_owned(),
            ),
        )
        .one(txn)
        .await?
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("report {} has no document", before.id)))?;
    require_supervisor(txn, viewer, &doc).await?;
    if before.revision != input.expected_revision {
        return Err(ApiError::Conflict(format!(
            "expectedRevision is {} but the report is at revision {}; nothing was written",
            input.expected_revision, before.revision
        )));
    }
    if before.review_state != ReviewState::PendingReview {
        return Err(ApiError::Conflict(format!(
            "revision {} was already {}; a new revision is reviewed when it is submitted",
            before.revision,
            if before.review_state == ReviewState::Accepted { "accepted" } else { "returned" }
        )));
    }
    let decided = if input.accept { ReviewState::Accepted } else { ReviewState::Returned };
    let by = viewer.name();
    let updated = report::Entity::update_many()
        .col_expr(report::Column::ReviewState, Expr::value(sea_orm::ActiveEnum::to_value(&decided)))
        .col_expr(report::Column::ReviewedAt, Expr::value(now))
        .col_expr(report::Column::ReviewedBy, Expr::value(by.clone()))
        .col_expr(report::Column::ReviewComment, Expr::value(comment.clone()))
        .filter(report::Column::Id.eq(before.id))
        .filter(report::Column::Revision.eq(before.revision))
        .exec(txn)
        .await?;
    if updated.rows_affected != 1 {
        return Err(ApiError::Conflict("the report changed while it was being reviewed; reload it".into()));
    }
    report_revision::Entity::update_many()
        .col_expr(report_revision::Column::ReviewState, Expr::value(sea_orm::ActiveEnum::to_value(&decided)))
        .col_expr(report_revision::Column::ReviewedAt, Expr::value(now))
        .col_expr(report_revision::Column::ReviewedBy, Expr::value(by))
        .col_expr(report_revision::Column::ReviewComment, Expr::value(comment))
        .filter(report_revision::Column::ReportId.eq(before.id))
        .filter(report_revision::Column::Revision.eq(before.revision))
        .exec(txn)
        .await?;
    let after = report::Entity::find_by_id(before.id)
        .one(txn)
        .await?
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("report {} vanished", before.id)))?;
    let at = Obligated { task_id: after.task_id, department_id: after.department_id, period_id: after.period_id };
    let action = if input.accept { Action::ReportAccepted } else { Action::ReportReturned };
    let write = Write::new(action, after.id).on(at);
    let change = Change::new(write, Some(snapshot_json(&before)), Some(snapshot_json(&after)));
    w.commit(actor, change).await?;
    Ok(after)
}
