use sea_orm::entity::prelude::*;

/// One numbered task (主要内容) of a document.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "task")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub document_id: i64,
    pub category_id: i64,
    pub number: i32,
    pub content: String,
    /// Number of LEAD assignments, kept with the task so "co-led" is an indexed predicate.
    pub lead_count: i32,
    /// The deadline cell as written (完成时限); null when the list has no deadline column.
    pub deadline_text: Option<String>,
    /// The last day the deadline allows; null for ongoing forms (持续推进) or no deadline.
    pub deadline_on: Option<Date>,
    /// Source columns the model has no field for, as a JSON array of [label, value] pairs.
    pub columns: Option<String>,
    /// The day a version dropped the task (it owes nothing due from then on); null while it is
    /// in the list.
    pub removed_on: Option<Date>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "super::document::Entity", from = "Column::DocumentId", to = "super::document::Column::Id")]
    Document,
    #[sea_orm(belongs_to = "super::category::Entity", from = "Column::CategoryId", to = "super::category::Column::Id")]
    Category,
}

impl Related<super::category::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Category.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
