//! Department lookups on the database (the token CLI names departments before any snapshot).

use entity::department;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::error::{ApiError, ApiResult};

/// The department called `name` (in `region`, when given). A name found in several regions
/// without a region is ambiguous.
pub async fn find_by_name(
    db: &impl ConnectionTrait,
    name: &str,
    region: Option<&str>,
) -> ApiResult<Option<department::Model>> {
    let mut find = department::Entity::find().filter(department::Column::Name.eq(name));
    if let Some(r) = region {
        find = find.filter(department::Column::Region.eq(r));
    }
    let mut found = find.all(db).await?;
    if found.len() > 1 {
        let regions: Vec<String> = found.iter().map(|d| d.region.clone()).collect();
        return Err(ApiError::bad_input(format!(
            "department \"{name}\" exists in several regions ({}); pass region",
            regions.join(", ")
        )));
    }
    Ok(found.pop())
}
