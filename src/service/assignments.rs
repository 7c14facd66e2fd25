//! Which assignments hold when: a version (SPEC §12) ends some and adds others from its
//! effective date, and a removed task holds none from the day it was removed. The reads that
//! check who owes a report, or who leads a task now, ask here; the list snapshot applies the
//! same rule to every period at once (`list::build`).

use chrono::NaiveDate;
use entity::{assignment, task};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};

/// Whether `a` of `task` holds on `day`.
pub fn holds_on(task: &task::Model, a: &assignment::Model, day: NaiveDate) -> bool {
    task.removed_on.is_none_or(|r| day < r) && a.since_on.is_none_or(|s| s <= day) && a.until_on.is_none_or(|u| day < u)
}

/// The assignments of `task` that hold on `day` (the due date of a period), leads first.
pub async fn on(
    db: &impl ConnectionTrait,
    task: &task::Model,
    day: NaiveDate,
) -> Result<Vec<assignment::Model>, DbErr> {
    let all = assignment::Entity::find()
        .filter(assignment::Column::TaskId.eq(task.id))
        .order_by_asc(assignment::Column::Role)
        .order_by_asc(assignment::Column::Position)
        .all(db)
        .await?;
    Ok(all.into_iter().filter(|a| holds_on(task, a, day)).collect())
}

/// The assignments of `task` in the list as it stands: none for a removed task.
pub async fn now(db: &impl ConnectionTrait, task: &task::Model) -> Result<Vec<assignment::Model>, DbErr> {
    if task.removed_on.is_some() {
        return Ok(Vec::new());
    }
    assignment::Entity::find()
        .filter(assignment::Column::TaskId.eq(task.id))
        .filter(assignment::Column::UntilOn.is_null())
        .order_by_asc(assignment::Column::Role)
        .order_by_asc(assignment::Column::Position)
        .all(db)
        .await
}
