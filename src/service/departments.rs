//! Department listings and lookups.

use entity::{DepartmentKind, department};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter};

use super::page::{Page, PageRequest};
use super::sql::{Sql, like_pattern};
use crate::error::{ApiError, ApiResult};

/// Validated department filter; all given fields must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DepartmentCriteria {
    pub region: Option<String>,
    pub kind: Option<DepartmentKind>,
    pub is_collective: Option<bool>,
    pub name_contains: Option<String>,
    /// Departments assigned to some task of this document.
    pub document_id: Option<i64>,
}

impl DepartmentCriteria {
    fn write_sql(&self, q: &mut Sql) {
        q.push("1 = 1");
        if let Some(r) = &self.region {
            q.push(" AND d.region = ").bind(r.clone());
        }
        if let Some(k) = self.kind {
            q.push(" AND d.kind = ").bind(kind_str(k));
        }
        match self.is_collective {
            Some(true) => {
                q.push(" AND d.kind = 'COLLECTIVE'");
            }
            Some(false) => {
                q.push(" AND d.kind <> 'COLLECTIVE'");
            }
            None => {}
        }
        if let Some(n) = &self.name_contains {
            q.push(" AND d.name LIKE ").bind(like_pattern(n)).push(" ESCAPE '\\'");
        }
        if let Some(doc) = self.document_id {
            q.push(" AND d.id IN (SELECT a.department_id FROM assignment a JOIN task t ON t.id = a.task_id WHERE t.document_id = ")
                .bind(doc)
                .push(")");
        }
    }
}

pub fn kind_str(k: DepartmentKind) -> String {
    sea_orm::ActiveEnum::to_value(&k)
}

/// One page of departments in id (first-appearance) order.
pub async fn list(
    db: &impl ConnectionTrait,
    criteria: &DepartmentCriteria,
    page: PageRequest,
) -> ApiResult<Page<department::Model>> {
    let mut q = Sql::new(db.get_database_backend());
    q.push("SELECT d.* FROM department d WHERE ");
    criteria.write_sql(&mut q);
    let (lower, upper) = page.id_bounds();
    if let Some(id) = lower {
        q.push(" AND d.id > ").bind(id);
    }
    if let Some(id) = upper {
        q.push(" AND d.id < ").bind(id);
    }
    q.push(if page.scan_descending() { " ORDER BY d.id DESC LIMIT " } else { " ORDER BY d.id LIMIT " });
    q.bind(page.limit as i64 + 1);
    let rows = department::Model::find_by_statement(q.build()).all(db).await?;
    Ok(page.finish(rows))
}

pub async fn count(db: &impl ConnectionTrait, criteria: &DepartmentCriteria) -> ApiResult<i64> {
    let mut q = Sql::new(db.get_database_backend());
    q.push("SELECT COUNT(*) AS n FROM department d WHERE ");
    criteria.write_sql(&mut q);
    Ok(match db.query_one_raw(q.build()).await? {
        Some(r) => r.try_get::<i64>("", "n")?,
        None => 0,
    })
}

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
