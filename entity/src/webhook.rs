use sea_orm::entity::prelude::*;

/// A receiver of events (SPEC §9), added with `qingdan webhook add`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub url: String,
    /// The key of each delivery's HMAC-SHA256 signature (kept as given: signing needs it).
    pub secret: String,
    /// The subscribed actions between commas: ",report.submitted,notice.issued,".
    pub events: String,
    pub created_at: DateTimeUtc,
    pub removed_at: Option<DateTimeUtc>,
}

impl Model {
    /// The subscribed action names, in the order given.
    pub fn event_names(&self) -> Vec<&str> {
        self.events.split(',').filter(|s| !s.is_empty()).collect()
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
