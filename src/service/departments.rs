//! Department lookups on the database (the token CLI names departments before any snapshot).

use entity::department;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};

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

/// Departments called exactly `name` (in `region`, when given).
async fn named(db: &impl ConnectionTrait, name: &str, region: Option<&str>) -> ApiResult<Vec<department::Model>> {
    let mut find = department::Entity::find().filter(department::Column::Name.eq(name));
    if let Some(r) = region {
        find = find.filter(department::Column::Region.eq(r));
    }
    Ok(find.all(db).await?)
}
