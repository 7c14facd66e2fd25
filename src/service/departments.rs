//! Department lookups on the database (the token CLI names departments before any snapshot).

use entity::{department, department_alias};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};

use super::access::Viewer;
use super::writer::Writer;
use super::writes::{Action, Actor, Change, Write};

use crate::error::{ApiError, ApiResult};

/// The department called `name` (in `region`, when given), or whose region and name make
/// `name` (天津 + 市税务局 = 天津市税务局). A name found in several regions without a region is
/// ambiguous (BAD_USER_INPUT naming the regions).
pub async fn find_by_name(
    db: &impl ConnectionTrait,
    name: &str,
    region: Option<&str>,
) -> ApiResult<Option<department::Model>> {
    let mut found = named(db, name, region).await?;
    if found.is_empty() {
        let regions: Vec<String> = department::Entity::find()
            .select_only()
            .column(department::Column::Region)
            .distinct()
            .into_tuple()
            .all(db)
            .await?;
        for r in regions.iter().filter(|r| region.is_none_or(|x| x == r.as_str())) {
            if let Some(rest) = name.strip_prefix(r.as_str()).filter(|rest| !rest.is_empty()) {
                found.extend(named(db, rest, Some(r)).await?);
            }
        }
    }
    if found.len() > 1 {
        let regions: Vec<String> = found.iter().map(|d| d.region.clone()).collect();
        return Err(ApiError::bad_input(format!(
            "department \"{name}\" exists in several regions ({}); pass region",
            regions.join(", ")
        )));
    }
    Ok(found.pop())
}

/// Departments called `name` (in `region`, when given), now or formerly (机构改革).
async fn named(db: &impl ConnectionTrait, name: &str, region: Option<&str>) -> ApiResult<Vec<department::Model>> {
    let mut find = department::Entity::find().filter(department::Column::Name.eq(name));
    if let Some(r) = region {
        find = find.filter(department::Column::Region.eq(r));
    }
    let mut found = find.all(db).await?;
    let mut former = department_alias::Entity::find().filter(department_alias::Column::Name.eq(name));
    if let Some(r) = region {
        former = former.filter(department_alias::Column::Region.eq(r));
    }
    let former: Vec<i64> = former.all(db).await?.into_iter().map(|a| a.department_id).collect();
    if !former.is_empty() {
        let renamed = department::Entity::find().filter(department::Column::Id.is_in(former)).all(db).await?;
        found.extend(renamed.into_iter().filter(|d| !found.iter().any(|f| f.id == d.id)).collect::<Vec<_>>());
    }
    Ok(found)
}

/// A rename (机构改革): the department, its new name, and the day it takes effect.
#[derive(Debug, Clone)]
pub struct Rename {
    pub department_id: i64,
    pub name: String,
    pub effective_on: chrono::NaiveDate,
}

/// Renames a department (ADMIN): its former name is kept as an alias, so imports, filters and
/// sign-ins by either name find it, and its tasks, reports and tokens stay with it.
pub async fn rename(writer: &Writer, viewer: &Viewer, actor: &Actor, input: Rename) -> ApiResult<department::Model> {
    match viewer {
        Viewer::Anonymous => return Err(ApiError::Unauthenticated("renaming a department needs a token".into())),
        Viewer::Token { role: entity::TokenRole::Admin, .. } => {}
        Viewer::Token { .. } => return Err(ApiError::Forbidden("only ADMIN tokens rename departments".into())),
    }
    let name = input.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(ApiError::bad_input("a department's name is 1 to 200 characters"));
    }
    let w = writer.begin().await?;
    let txn = w.txn();
    let before = department::Entity::find_by_id(input.department_id)
        .one(txn)
        .await?
        .ok_or_else(|| ApiError::not_found("no such department"))?;
    if before.name == name {
        return Err(ApiError::bad_input(format!("the department is called \"{name}\" already")));
    }
    let taken = !named(txn, &name, Some(&before.region)).await?.into_iter().all(|d| d.id == before.id);
    if taken {
        return Err(ApiError::Conflict(format!("another department of {} is or was called \"{name}\"", before.region)));
    }
    // Its own former name given back: that alias goes, the name comes back.
    department_alias::Entity::delete_many()
        .filter(department_alias::Column::DepartmentId.eq(before.id))
        .filter(department_alias::Column::Name.eq(&name))
        .exec(txn)
        .await?;
    department_alias::ActiveModel {
        id: NotSet,
        department_id: Set(before.id),
        region: Set(before.region.clone()),
        name: Set(before.name.clone()),
        until_on: Set(input.effective_on.pred_opt().unwrap_or(input.effective_on)),
        created_at: Set(w.now()),
    }
    .insert(txn)
    .await?;
    let mut active: department::ActiveModel = before.clone().into();
    active.name = Set(name);
    let after = active.update(txn).await?;
    let json = |d: &department::Model| serde_json::json!({ "name": d.name, "region": d.region });
    let mut after_json = json(&after);
    after_json["effectiveOn"] = serde_json::json!(input.effective_on);
    let change = Change::new(Write::new(Action::DepartmentRenamed, after.id), Some(json(&before)), Some(after_json));
    w.commit(actor, change).await?;
    Ok(after)
}
