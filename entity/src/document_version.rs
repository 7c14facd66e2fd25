use sea_orm::entity::prelude::*;

/// One version of a document (SPEC §12): 1 is the list as first imported; each amendment (a new
/// text) or decision (`amendTask`) that changes its tasks makes the next.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "document_version")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub document_id: i64,
    /// 1, 2, … within the document.
    pub number: i32,
    /// The day the version takes effect: reports due from it on follow it.
    pub effective_on: Date,
    pub imported_at: DateTimeUtc,
    /// SHA-256 of the amending text; null for a decision without a text.
    pub source_sha256: Option<String>,
    /// Why (a decision's reason); null for a text.
    pub reason: Option<String>,
    /// Who made it, as the audit trail names actors.
    pub actor: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
