use sea_orm::entity::prelude::*;

/// One responsibility list (a region's list for a year).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "document")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub region: String,
    pub year: i32,
    pub title: String,
    pub issuer: String,
    pub issued_on: Date,
    /// SHA-256 of the source text, hex: importing the same text twice is a no-op.
    #[sea_orm(unique)]
    pub source_sha256: String,
    pub imported_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
