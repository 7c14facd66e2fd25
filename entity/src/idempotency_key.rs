use sea_orm::entity::prelude::*;

/// A caller's name for one submission (`SubmitReportInput.idempotencyKey`), kept 24 hours.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "idempotency_key")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub caller: String,
    pub key: String,
    pub request_sha256: String,
    /// The report and revision the first submission wrote (set in its transaction).
    pub report_id: Option<i64>,
    pub revision: Option<i32>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
