//! Loading a parsed document into the database: one transaction, batched inserts.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::{
    Role, assignment, category, closure, department, document, document_version, extension, indicator, notice, report,
    reporting_period, task, task_change,
};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect,
};
use sha2::{Digest, Sha256};

use super::indicators::extract_indicators;
use super::kind::department_kind;
use super::model::{ParseError, ParsedDocument};
use super::periods::periods_of;
use super::read::parse_document;
use crate::service::writer::Writer;
use crate::service::writes;

pub(crate) use super::insert::CHUNK;
pub use super::insert::insert_chunked;

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportOutcome {
    /// A new document was loaded.
    Imported { document_id: i64, stats: LoadStats },
    /// The same text was imported before: nothing changed.
    Unchanged { document_id: i64 },
    /// A document with the same region, year and title was replaced (it had no reports).
    Replaced { document_id: i64, stats: LoadStats },
}

/// Rows written by one load.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LoadStats {
    pub categories: usize,
    pub tasks: usize,
    pub departments_created: usize,
    pub assignments: usize,
    pub indicators: usize,
    pub periods: usize,
}

impl LoadStats {
    pub fn rows(&self) -> usize {
        1 + self.categories + self.tasks + self.departments_created + self.assignments + self.indicators + self.periods
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("cannot read the document: {0}")]
    Parse(ParseError),
    #[error("cannot read the document: {0}")]
    Read(super::read::ReadError),
    #[error(
        "a different text of \"{title}\" ({region}) is already imported as document {document_id}; pass --replace to replace it"
    )]
    Exists { document_id: i64, region: String, title: String },
    #[error(
        "document {document_id} has {reports} reports, extensions or notices; it cannot be replaced without losing them"
    )]
    HasReports { document_id: i64, reports: u64 },
    #[error(
        "document {document_id} has {versions} versions; it cannot be replaced without losing them: amend it (--amends {document_id} --effective DATE)"
    )]
    HasVersions { document_id: i64, versions: u64 },
    #[error("database error: {0}")]
    Db(#[from] DbErr),
}

impl From<ParseError> for ImportError {
    fn from(e: ParseError) -> Self {
        Self::Parse(e)
    }
}

/// Parses `text` (the text extraction of SPEC §1) and loads it in one transaction. The same
/// text again is a no-op; a different text of the same list fails unless `replace`, which swaps
/// it atomically.
pub async fn import_text(db: &DatabaseConnection, text: &str, replace: bool) -> Result<ImportOutcome, ImportError> {
    import_text_with(&Writer::of_command_line(db), text, replace).await
}

/// [`import_text`] through `writer` (a server's, whose clock a rehearsal sets), as the command
/// line's write.
pub async fn import_text_with(writer: &Writer, text: &str, replace: bool) -> Result<ImportOutcome, ImportError> {
    let parsed = parse_document(text)?;
    import_parsed(writer, &parsed, &hex_sha256(text.as_bytes()), replace, &writes::Actor::cli()).await
}

/// Loads a list read by any reader in one write, recorded as `actor`'s; `sha` identifies its
/// source bytes.
pub(crate) async fn import_parsed(
    writer: &Writer,
    parsed: &ParsedDocument,
    sha: &str,
    replace: bool,
    actor: &writes::Actor,
) -> Result<ImportOutcome, ImportError> {
    let w = writer.begin().await?;
    let txn = w.txn();
    if let Some(existing) = document::Entity::find().filter(document::Column::SourceSha256.eq(sha)).one(txn).await? {
        return Ok(ImportOutcome::Unchanged { document_id: existing.id });
    }
    let same_list = document::Entity::find()
        .filter(document::Column::Region.eq(&parsed.region))
        .filter(document::Column::Year.eq(parsed.year))
        .filter(document::Column::Title.eq(&parsed.title))
        .one(txn)
        .await?;
    let replaced = match same_list {
        Some(old) if !replace => {
            return Err(ImportError::Exists { document_id: old.id, region: old.region, title: old.title });
        }
        Some(old) => {
            let reports = report::Entity::find()
                .filter(
                    report::Column::TaskId.in_subquery(
                        sea_orm::sea_query::Query::select()
                            .column(task::Column::Id)
                            .from(task::Entity)
                            .and_where(task::Column::DocumentId.eq(old.id))
                            .to_owned(),
                    ),
                )
                .count(txn)
                .await?;
            // Extensions and notices are supervision records as much as reports are.
            let periods = sea_orm::sea_query::Query::select()
                .column(reporting_period::Column::Id)
                .from(reporting_period::Entity)
                .and_where(reporting_period::Column::DocumentId.eq(old.id))
                .to_owned();
            let reports = reports
                + extension::Entity::find()
                    .filter(extension::Column::PeriodId.in_subquery(periods.clone()))
                    .count(txn)
                    .await?
                + notice::Entity::find().filter(notice::Column::PeriodId.in_subquery(periods)).count(txn).await?
                + closure::Entity::find().filter(closure::Column::DocumentId.eq(old.id)).count(txn).await?;
            if reports > 0 {
                return Err(ImportError::HasReports { document_id: old.id, reports });
            }
            let versions = document_version::Entity::find()
                .filter(document_version::Column::DocumentId.eq(old.id))
                .count(txn)
                .await?;
            if versions > 1 {
                return Err(ImportError::HasVersions { document_id: old.id, versions });
            }
            delete_document(txn, old.id).await?;
            true
        }
        None => false,
    };
    let (document_id, stats) = load_document(txn, parsed, sha, w.now(), &actor.id).await?;
    let after = serde_json::json!({
        "region": parsed.region, "year": parsed.year, "title": parsed.title,
        "tasks": stats.tasks, "replaced": replaced, "sourceSha256": sha,
    });
    let change =
        writes::Change::new(writes::Write::new(writes::Action::DocumentImported, document_id), None, Some(after));
    w.commit(actor, change).await?;
    Ok(if replaced {
        ImportOutcome::Replaced { document_id, stats }
    } else {
        ImportOutcome::Imported { document_id, stats }
    })
}

/// Removes a document and everything under it (children first, so no backend relies on cascades).
async fn delete_document(txn: &impl ConnectionTrait, id: i64) -> Result<(), DbErr> {
    let tasks = sea_orm::sea_query::Query::select()
        .column(task::Column::Id)
        .from(task::Entity)
        .and_where(task::Column::DocumentId.eq(id))
        .to_owned();
    indicator::Entity::delete_many().filter(indicator::Column::TaskId.in_subquery(tasks.clone())).exec(txn).await?;
    task_change::Entity::delete_many().filter(task_change::Column::TaskId.in_subquery(tasks.clone())).exec(txn).await?;
    document_version::Entity::delete_many().filter(document_version::Column::DocumentId.eq(id)).exec(txn).await?;
    assignment::Entity::delete_many().filter(assignment::Column::TaskId.in_subquery(tasks)).exec(txn).await?;
    task::Entity::delete_many().filter(task::Column::DocumentId.eq(id)).exec(txn).await?;
    category::Entity::delete_many().filter(category::Column::DocumentId.eq(id)).exec(txn).await?;
    reporting_period::Entity::delete_many().filter(reporting_period::Column::DocumentId.eq(id)).exec(txn).await?;
    document::Entity::delete_by_id(id).exec(txn).await?;
    Ok(())
}

/// Writes one parsed document with batched inserts on `txn`; the caller owns the transaction.
/// Shared by the importer and the synthetic-data generator.
pub async fn load_document(
    txn: &impl ConnectionTrait,
    doc: &ParsedDocument,
    source_sha256: &str,
    imported_at: DateTime<Utc>,
    actor_id: &str,
) -> Result<(i64, LoadStats), DbErr> {
    load_document_in_turn(txn, doc, source_sha256, imported_at, actor_id, None).await
}

/// Orders concurrent loads: load `i` inserts its document and tasks only after load `i - 1`
/// did, so ids still follow (document, number) order, which keyset pagination relies on.
#[derive(Debug)]
pub struct Turnstile(tokio::sync::watch::Sender<usize>);

impl Default for Turnstile {
    fn default() -> Self {
        Self(tokio::sync::watch::channel(0).0)
    }
}

impl Turnstile {
    async fn wait(&self, turn: usize) {
        let mut rx = self.0.subscribe();
        let _ = rx.wait_for(|next| *next == turn).await;
    }

    /// Lets load `turn + 1` go; a second call for the same turn does nothing.
    fn pass(&self, turn: usize) {
        self.0.send_if_modified(|next| {
            let mine = *next == turn;
            if mine {
                *next = turn + 1;
            }
            mine
        });
    }
}

/// [`load_document`], taking its turn at `turn` when loads run concurrently.
pub async fn load_document_in_turn(
    txn: &impl ConnectionTrait,
    doc: &ParsedDocument,
    source_sha256: &str,
    imported_at: DateTime<Utc>,
    actor_id: &str,
    turn: Option<(&Turnstile, usize)>,
) -> Result<(i64, LoadStats), DbErr> {
    if let Some((t, i)) = turn {
        t.wait(i).await;
    }
    let result = load_head_and_rest(txn, doc, source_sha256, imported_at, actor_id, turn).await;
    if let Some((t, i)) = turn {
        t.pass(i);
    }
    result
}

async fn load_head_and_rest(
    txn: &impl ConnectionTrait,
    doc: &ParsedDocument,
    source_sha256: &str,
    imported_at: DateTime<Utc>,
    actor_id: &str,
    turn: Option<(&Turnstile, usize)>,
) -> Result<(i64, LoadStats), DbErr> {
    let mut stats = LoadStats::default();
    let document_id = document::Entity::insert(document::ActiveModel {
        id: NotSet,
        region: Set(doc.region.clone()),
        year: Set(doc.year),
        title: Set(doc.title.clone()),
        issuer: Set(doc.issuer.clone()),
        issued_on: Set(doc.issued_on),
        source_sha256: Set(source_sha256.to_owned()),
        imported_at: Set(imported_at),
    })
    .exec(txn)
    .await?
    .last_insert_id;
    // The list as first loaded is its version 1, in force from its date of issue.
    document_version::Entity::insert(document_version::ActiveModel {
        id: NotSet,
        document_id: Set(document_id),
        number: Set(1),
        effective_on: Set(doc.issued_on),
        imported_at: Set(imported_at),
        source_sha256: Set(Some(source_sha256.to_owned())),
        reason: Set(None),
        actor: Set(actor_id.to_owned()),
    })
    .exec(txn)
    .await?;

    let periods = periods_of(doc);
    stats.periods = periods.len();
    // Rows are collected before the insert: an iterator with a closure held across `.await`
    // would keep the future from being `Send`.
    let period_rows: Vec<reporting_period::ActiveModel> = periods
        .into_iter()
        .map(|p| reporting_period::ActiveModel {
            id: NotSet,
            document_id: Set(document_id),
            year: Set(p.year),
            quarter: Set(p.quarter),
            label: Set(p.label),
            starts_on: Set(p.starts_on),
            ends_on: Set(p.ends_on),
            due_on: Set(p.due_on),
        })
        .collect();
    insert_chunked(txn, period_rows).await?;

    stats.categories = doc.categories.len();
    let category_rows: Vec<category::ActiveModel> = doc
        .categories
        .iter()
        .map(|c| category::ActiveModel {
            id: NotSet,
            document_id: Set(document_id),
            number: Set(c.number),
            name: Set(c.name.clone()),
        })
        .collect();
    insert_chunked(txn, category_rows).await?;
    let category_ids: HashMap<i32, i64> = category::Entity::find()
        .select_only()
        .columns([category::Column::Number, category::Column::Id])
        .filter(category::Column::DocumentId.eq(document_id))
        .into_tuple::<(i32, i64)>()
        .all(txn)
        .await?
        .into_iter()
        .collect();

    let (department_ids, created) = ensure_departments(txn, doc).await?;
    stats.departments_created = created;

    stats.tasks = doc.tasks.len();
    let mut task_rows = Vec::with_capacity(doc.tasks.len());
    for t in &doc.tasks {
        let category_id = *category_ids
            .get(&t.category_number)
            .ok_or_else(|| DbErr::Custom(format!("task {} names unknown category {}", t.number, t.category_number)))?;
        task_rows.push(task::ActiveModel {
            id: NotSet,
            document_id: Set(document_id),
            category_id: Set(category_id),
            number: Set(t.number),
            content: Set(t.content.clone()),
            lead_count: Set(i32::try_from(t.leads.len()).unwrap_or(i32::MAX)),
            deadline_text: Set(t.deadline.as_ref().map(|d| d.text.clone())),
            deadline_on: Set(t.deadline.as_ref().and_then(|d| d.date)),
            columns: Set((!t.columns.is_empty()).then(|| columns_json(&t.columns))),
            removed_on: Set(None),
        });
    }
    // Inserted in number order: task ids then follow (document, number) order, which keyset
    // pagination relies on.
    let inserted = insert_chunked(txn, task_rows).await;
    if let Some((t, i)) = turn {
        // Pass even on failure, so the other loads are not left waiting.
        t.pass(i);
    }
    inserted?;
    let task_ids: HashMap<i32, i64> = task::Entity::find()
        .select_only()
        .columns([task::Column::Number, task::Column::Id])
        .filter(task::Column::DocumentId.eq(document_id))
        .into_tuple::<(i32, i64)>()
        .all(txn)
        .await?
        .into_iter()
        .collect();

    let mut assignments = Vec::new();
    let mut indicators = Vec::new();
    for t in &doc.tasks {
        let task_id = task_ids[&t.number];
        for (role, names) in [(Role::Lead, &t.leads), (Role::Responsible, &t.responsible)] {
            for (position, name) in names.iter().enumerate() {
                assignments.push(assignment::ActiveModel {
                    id: NotSet,
                    task_id: Set(task_id),
                    department_id: Set(department_ids[name.as_str()]),
                    role: Set(role),
                    position: Set(position as i32),
                    since_on: Set(None),
                    until_on: Set(None),
                });
            }
        }
        for (position, found) in extract_indicators(&t.content).into_iter().enumerate() {
            indicators.push(indicator::ActiveModel {
                id: NotSet,
                task_id: Set(task_id),
                position: Set(position as i32),
                target_value: Set(found.target_value),
                unit: Set(found.unit),
                comparator: Set(found.comparator.as_str().to_owned()),
                phrase: Set(found.phrase),
                sentence: Set(found.sentence),
            });
        }
    }
    stats.assignments = assignments.len();
    stats.indicators = indicators.len();
    insert_chunked(txn, assignments).await?;
    insert_chunked(txn, indicators).await?;
    Ok((document_id, stats))
}

/// Every department the document names, once each, in first-named order.
pub(crate) fn named_departments(doc: &ParsedDocument) -> Vec<&str> {
    let mut names: Vec<&str> = Vec::new();
    for t in &doc.tasks {
        for n in t.leads.iter().chain(&t.responsible) {
            if !names.contains(&n.as_str()) {
                names.push(n);
            }
        }
    }
    names
}

/// Finds or creates every department the document names; returns name → id and how many
/// were created.
pub async fn ensure_departments<'a>(
    txn: &impl ConnectionTrait,
    doc: &'a ParsedDocument,
) -> Result<(HashMap<&'a str, i64>, usize), DbErr> {
    let names = named_departments(doc);
    let existing = department_ids(txn, &doc.region, &names).await?;
    let missing: Vec<&str> = names.iter().copied().filter(|n| !existing.contains_key(*n)).collect();
    let created = missing.len();
    for chunk in missing.chunks(CHUNK) {
        department::Entity::insert_many(chunk.iter().map(|n| department::ActiveModel {
            id: NotSet,
            region: Set(doc.region.clone()),
            name: Set((*n).to_owned()),
            kind: Set(department_kind(n)),
        }))
        .on_conflict(
            OnConflict::columns([department::Column::Region, department::Column::Name]).do_nothing().to_owned(),
        )
        .exec_without_returning(txn)
        .await?;
    }
    let all = if created == 0 { existing } else { department_ids(txn, &doc.region, &names).await? };
    let map = names.into_iter().filter_map(|n| all.get(n).map(|id| (n, *id))).collect();
    Ok((map, created))
}

pub(crate) async fn department_ids(
    txn: &impl ConnectionTrait,
    region: &str,
    names: &[&str],
) -> Result<HashMap<String, i64>, DbErr> {
    let mut out = HashMap::new();
    for chunk in names.chunks(CHUNK) {
        let rows: Vec<(String, i64)> = department::Entity::find()
            .select_only()
            .columns([department::Column::Name, department::Column::Id])
            .filter(department::Column::Region.eq(region))
            .filter(department::Column::Name.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(txn)
            .await?;
        out.extend(rows);
        // A former name (机构改革) finds the renamed department.
        let former: Vec<(String, i64)> = entity::department_alias::Entity::find()
            .select_only()
            .columns([entity::department_alias::Column::Name, entity::department_alias::Column::DepartmentId])
            .filter(entity::department_alias::Column::Region.eq(region))
            .filter(entity::department_alias::Column::Name.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(txn)
            .await?;
        for (name, id) in former {
            out.entry(name).or_insert(id);
        }
    }
    Ok(out)
}

pub(crate) fn hex_sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// A task's other columns as stored: a JSON array of [label, value] pairs.
pub(crate) fn columns_json(columns: &[(String, String)]) -> String {
    serde_json::Value::Array(columns.iter().map(|(l, v)| serde_json::json!([l, v])).collect()).to_string()
}
