use sea_orm::entity::prelude::*;

/// One entry of the audit trail (留痕): appended by every write in its own transaction, never
/// changed or deleted (on PostgreSQL a trigger refuses it).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_event")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub at: DateTimeUtc,
    /// The token's id, or `cli` for the command line.
    pub actor_id: String,
    /// The token's id and label, as submissions record it.
    pub actor: String,
    /// The actor's role (VIEWER, REPORTER, ADMIN, SUPERVISOR, or CLI).
    pub role: String,
    /// What happened: `report.submitted`, `report.returned`, `token.created`, …
    pub action: String,
    /// What it happened to, as its type and row: `Report:12` (the API encodes it as a global id
    /// when it is read).
    pub subject: String,
    pub task_id: Option<i64>,
    pub department_id: Option<i64>,
    pub period_id: Option<i64>,
    /// JSON of the subject before (none for a creation).
    pub before: Option<String>,
    /// JSON of the subject after.
    pub after: Option<String>,
    pub request_id: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
