use sea_orm::entity::prelude::*;

/// A department's former name (机构改革): imports, filters and sign-ins find it by it.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "department_alias")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub department_id: i64,
    pub region: String,
    /// The former name.
    pub name: String,
    /// The last day it was the department's name.
    pub until_on: Date,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
