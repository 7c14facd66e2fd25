//! Documents, categories and reporting periods.

use entity::{category, document, reporting_period, task};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::error::{ApiError, ApiResult};

pub async fn all(db: &impl ConnectionTrait) -> ApiResult<Vec<document::Model>> {
    Ok(document::Entity::find().order_by_asc(document::Column::Id).all(db).await?)
}

/// Categories of one document, or of all, in document then number order.
pub async fn categories(db: &impl ConnectionTrait, document_id: Option<i64>) -> ApiResult<Vec<category::Model>> {
    let mut find = category::Entity::find();
    if let Some(id) = document_id {
        find = find.filter(category::Column::DocumentId.eq(id));
    }
    Ok(find.order_by_asc(category::Column::DocumentId).order_by_asc(category::Column::Number).all(db).await?)
}

pub async fn periods(db: &impl ConnectionTrait, document_id: i64) -> ApiResult<Vec<reporting_period::Model>> {
    Ok(reporting_period::Entity::find()
        .filter(reporting_period::Column::DocumentId.eq(document_id))
        .order_by_asc(reporting_period::Column::Quarter)
        .all(db)
        .await?)
}

/// The document meant when a caller names none: the only one loaded.
pub async fn sole_document_id(db: &impl ConnectionTrait) -> ApiResult<i64> {
    let ids: Vec<i64> =
        document::Entity::find().select_only().column(document::Column::Id).limit(2).into_tuple().all(db).await?;
    match ids.as_slice() {
        [id] => Ok(*id),
        [] => Err(ApiError::not_found("no document is loaded")),
        _ => Err(ApiError::bad_input("several documents are loaded; pass documentId")),
    }
}

/// Task `number` of a document.
pub async fn task_by_number(
    db: &impl ConnectionTrait,
    document_id: i64,
    number: i32,
) -> ApiResult<Option<task::Model>> {
    Ok(task::Entity::find()
        .filter(task::Column::DocumentId.eq(document_id))
        .filter(task::Column::Number.eq(number))
        .one(db)
        .await?)
}
