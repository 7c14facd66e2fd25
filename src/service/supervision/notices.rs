//! Notices (督办单): the issuing office chases an obligation, each notice at a higher level than
//! the last (BLUE → ORANGE → RED).

use entity::{NoticeLevel, notice};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use super::{find_obligation, lock_obligation, require_supervisor, text};
use crate::error::{ApiError, ApiResult};
use crate::service::access::Viewer;
use crate::service::writer::Writer;
use crate::service::writes::{Action, Actor, Change, Obligated, Write};

/// A validated notice.
#[derive(Debug, Clone)]
pub struct Issue {
    pub at: Obligated,
    pub level: NoticeLevel,
    pub message: String,
}

/// Issues a notice on an obligation.
pub async fn issue(writer: &Writer, viewer: &Viewer, actor: &Actor, input: Issue) -> ApiResult<notice::Model> {
    viewer.require_reader()?;
    let message =
        text("message", Some(&input.message))?.ok_or_else(|| ApiError::bad_input("a notice needs a message"))?;
    let w = writer.begin().await?;
    let (txn, now) = (w.txn(), w.now());
    lock_obligation(txn, "notice", input.at).await?;
    let found = find_obligation(txn, input.at).await?;
    require_supervisor(txn, viewer, &found.document).await?;
    let last = notice::Entity::find()
        .filter(notice::Column::TaskId.eq(input.at.task_id))
        .filter(notice::Column::PeriodId.eq(input.at.period_id))
        .filter(notice::Column::DepartmentId.eq(input.at.department_id))
        .order_by_desc(notice::Column::Rank)
        .one(txn)
        .await?;
    if let Some(last) = last
        && last.rank >= input.level.rank()
    {
        return Err(ApiError::bad_input(format!(
            "a {} notice was already issued on this obligation: a further notice is at a higher level",
            sea_orm::ActiveEnum::to_value(&last.level)
        )));
    }
    let row = notice::ActiveModel {
        id: NotSet,
        task_id: Set(input.at.task_id),
        period_id: Set(input.at.period_id),
        department_id: Set(input.at.department_id),
        level: Set(input.level),
        rank: Set(input.level.rank()),
        message: Set(message),
        issued_at: Set(now),
        issued_by: Set(viewer.name()),
    }
    .insert(txn)
    .await?;
    let after = serde_json::json!({
        "level": sea_orm::ActiveEnum::to_value(&row.level), "message": row.message,
    });
    let change = Change::new(Write::new(Action::NoticeIssued, row.id).on(input.at), None, Some(after));
    w.commit(actor, change).await?;
    Ok(row)
}
