use sea_orm::entity::prelude::*;

/// The clock of a rehearsal (`serve --clock-start`): at most one row, id 1, while a rehearsing
/// server last started on this database; the command line's writes read it.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "rehearsal")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i64,
    /// The rehearsal's time minus the system's, in milliseconds.
    pub shift_ms: i64,
    /// When the server recorded it (system time).
    pub recorded_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
