//! The rows a version moves for one task: its assignments (ended, added, moved) and its targets.

use std::collections::HashMap;

use chrono::NaiveDate;
use entity::{Role, assignment, indicator};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder};

use super::state::TaskState;
use crate::error::{ApiError, ApiResult};
use crate::import::indicators::extract_indicators;

/// The assignments `want` names, in order: (department, role, position).
fn wanted_assignments(want: &TaskState, ids: &HashMap<String, i64>) -> ApiResult<Vec<(i64, Role, i32)>> {
    let mut out: Vec<(i64, Role, i32)> = Vec::new();
    for (role, names) in [(Role::Lead, &want.leads), (Role::Responsible, &want.responsible)] {
        let mut position = 0;
        for n in names {
            let id = *ids.get(n).ok_or_else(|| ApiError::not_found(format!("no department named \"{n}\"")))?;
            if !out.iter().any(|(d, r, _)| *d == id && *r == role) {
                out.push((id, role, position));
                position += 1;
            }
        }
    }
    Ok(out)
}

/// Ends the assignments the new state drops (they hold until `effective`), adds those it names
/// (from `effective`), and moves the kept ones to their new places.
pub(super) async fn reassign(
    txn: &DatabaseTransaction,
    task_id: i64,
    current: &[assignment::Model],
    want: &TaskState,
    ids: &HashMap<String, i64>,
    effective: NaiveDate,
) -> ApiResult<()> {
    let wanted = wanted_assignments(want, ids)?;
    for a in current {
        let mut update: assignment::ActiveModel = a.clone().into();
        match wanted.iter().find(|(d, r, _)| *d == a.department_id && *r == a.role) {
            Some((_, _, position)) if *position == a.position => continue,
            Some((_, _, position)) => update.position = Set(*position),
            None => update.until_on = Set(Some(effective)),
        }
        update.update(txn).await?;
    }
    let added: Vec<assignment::ActiveModel> = wanted
        .iter()
        .filter(|(d, r, _)| !current.iter().any(|a| a.department_id == *d && a.role == *r))
        .map(|(d, r, p)| assignment::ActiveModel {
            id: NotSet,
            task_id: Set(task_id),
            department_id: Set(*d),
            role: Set(*r),
            position: Set(*p),
            since_on: Set(Some(effective)),
            until_on: Set(None),
        })
        .collect();
    crate::import::load::insert_chunked(txn, added).await?;
    Ok(())
}

/// The targets of a reworded text, in place by position: ids kept where a target still is, so
/// the values reports gave for them stay attached.
pub(super) async fn reword_indicators(txn: &DatabaseTransaction, task_id: i64, content: &str) -> ApiResult<()> {
    let held = indicator::Entity::find()
        .filter(indicator::Column::TaskId.eq(task_id))
        .order_by_asc(indicator::Column::Position)
        .all(txn)
        .await?;
    let found = extract_indicators(content);
    for (position, f) in found.iter().enumerate() {
        let row = indicator::ActiveModel {
            id: held.get(position).map_or(NotSet, |h| Set(h.id)),
            task_id: Set(task_id),
            position: Set(count(position)),
            target_value: Set(f.target_value),
            unit: Set(f.unit.clone()),
            comparator: Set(f.comparator.as_str().to_owned()),
            phrase: Set(f.phrase.clone()),
            sentence: Set(f.sentence.clone()),
        };
        if held.get(position).is_some() {
            row.update(txn).await?;
        } else {
            row.insert(txn).await?;
        }
    }
    let surplus: Vec<i64> = held.iter().skip(found.len()).map(|h| h.id).collect();
    if !surplus.is_empty() {
        indicator::Entity::delete_many().filter(indicator::Column::Id.is_in(surplus)).exec(txn).await?;
    }
    Ok(())
}

pub(super) fn count(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}
