//! The write of one version: read the list in force, pair it with the amended one, move the rows
//! that differ, record the version and its changes. Runs inside the caller's transaction.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use entity::{ChangeKind, Role, assignment, category, department, document, document_version, task, task_change};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder,
};

use super::matching::{self, Matched, MatchedBy, Pairing};
use super::rows::{count, reassign, reword_indicators};
use super::state::TaskState;
use super::{Amended, Amendment, MatchLine, PlannedChange, Source, TaskDecision, check_effective};
use crate::error::{ApiError, ApiResult};
use crate::import::layout::deadline::deadline as read_deadline;
use crate::import::load::{columns_json, department_ids, ensure_departments};
use crate::import::model::{ParsedDocument, TaskDeadline};
use crate::service::access::Viewer;

/// What the write did, with what its event records.
pub(super) struct Plan {
    pub amended: Amended,
    pub reason: Option<String>,
    pub sha: Option<String>,
}

/// The tasks in force: rows and states in number order.
struct InForce {
    tasks: Vec<task::Model>,
    states: Vec<TaskState>,
    /// Assignments in force per task id, leads first, each role in order.
    assignments: HashMap<i64, Vec<assignment::Model>>,
    /// Category number → id.
    category_id: HashMap<i32, i64>,
}

/// One task as the amendment wants it: its state and what only a text gives.
struct Wanted {
    state: TaskState,
    deadline: Option<TaskDeadline>,
    /// The text's other columns (`None`: keep the task's).
    columns: Option<Option<String>>,
}

pub(super) async fn apply(
    txn: &DatabaseTransaction,
    a: &Amendment<'_>,
    viewer: Option<&Viewer>,
    now: DateTime<Utc>,
    actor_id: &str,
) -> ApiResult<Plan> {
    let decided = match &a.source {
        Source::Decision(d) => Some(
            task::Entity::find_by_id(d.task_id).one(txn).await?.ok_or_else(|| ApiError::not_found("no such task"))?,
        ),
        Source::Text { .. } => None,
    };
    let document_id = decided
        .as_ref()
        .map(|t| t.document_id)
        .or(a.document_id)
        .ok_or_else(|| ApiError::bad_input("name the document the text amends"))?;
    lock_document(txn, document_id).await?;
    let doc = document::Entity::find_by_id(document_id)
        .one(txn)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no document {document_id} to amend")))?;
    if let (Some(viewer), Some(_)) = (viewer, &decided) {
        crate::service::supervision::require_supervisor(txn, viewer, &doc).await?;
    }
    let latest = document_version::Entity::find()
        .filter(document_version::Column::DocumentId.eq(doc.id))
        .order_by_desc(document_version::Column::Number)
        .all(txn)
        .await?;
    let unchanged = |reason: Option<String>, sha: Option<String>| Plan {
        amended: Amended {
            document_id: doc.id,
            version: None,
            effective_on: a.effective_on,
            unchanged: true,
            matches: Vec::new(),
            changes: Vec::new(),
            written: false,
        },
        reason,
        sha,
    };
    if let Source::Text { parsed, sha } = &a.source {
        if doc.source_sha256 == *sha || latest.iter().any(|v| v.source_sha256.as_deref() == Some(*sha)) {
            return Ok(unchanged(None, Some((*sha).to_owned())));
        }
        if parsed.region != doc.region || parsed.year != doc.year {
            return Err(ApiError::bad_input(format!(
                "the text is {}'s list for {}; document {} is {}'s for {}",
                parsed.region, parsed.year, doc.id, doc.region, doc.year
            )));
        }
    }
    let (number, since) = latest.first().map_or((1, doc.issued_on), |v| (v.number, v.effective_on));
    check_effective(doc.year, since, a.effective_on)?;
    if let Some(t) = decided.as_ref().filter(|t| t.removed_on.is_some()) {
        return Err(ApiError::bad_input(format!(
            "task {} was removed from the list on {}; it cannot be amended",
            t.number,
            t.removed_on.map(|d| d.to_string()).unwrap_or_default()
        )));
    }

    // The list in force as it stood (category names included), then the text's categories.
    let mut force = in_force(txn, doc.id).await?;
    if let Source::Text { parsed, .. } = &a.source {
        ensure_categories(txn, doc.id, parsed).await?;
        let categories = category::Entity::find().filter(category::Column::DocumentId.eq(doc.id)).all(txn).await?;
        force.category_id = categories.iter().map(|c| (c.number, c.id)).collect();
    }
    // Every name the amendment uses, with the department it means (a former name included).
    let (wanted, ids, pairing) = match &a.source {
        Source::Text { parsed, .. } => {
            let wanted: Vec<Wanted> = parsed
                .tasks
                .iter()
                .map(|t| Wanted {
                    state: TaskState {
                        number: t.number,
                        category_number: t.category_number,
                        category_name: parsed
                            .categories
                            .iter()
                            .find(|c| c.number == t.category_number)
                            .map(|c| c.name.clone())
                            .unwrap_or_default(),
                        content: t.content.clone(),
                        leads: t.leads.clone(),
                        responsible: t.responsible.clone(),
                        deadline: t.deadline.as_ref().map(|d| d.text.clone()),
                    },
                    deadline: t.deadline.clone(),
                    columns: Some((!t.columns.is_empty()).then(|| columns_json(&t.columns))),
                })
                .collect();
            let (ids, _) = ensure_departments(txn, parsed).await?;
            let ids: HashMap<String, i64> = ids.into_iter().map(|(n, id)| (n.to_owned(), id)).collect();
            let states: Vec<TaskState> = wanted.iter().map(|w| w.state.clone()).collect();
            let pairing = matching::pair(&force.states, &states);
            (wanted, ids, pairing)
        }
        Source::Decision(d) => {
            let task = decided.as_ref().map(|t| t.id).unwrap_or(d.task_id);
            let at =
                force.tasks.iter().position(|t| t.id == task).ok_or_else(|| ApiError::not_found("no such task"))?;
            let (wanted, ids) = decide(txn, &doc, &force.states[at], d).await?;
            let pairing = Pairing {
                matched: vec![Matched { old: at, new: 0, by: MatchedBy::SameText }],
                removed: Vec::new(),
                added: Vec::new(),
            };
            (vec![wanted], ids, pairing)
        }
    };
    let mut ids = ids;
    for (t, list) in force.tasks.iter().zip(&force.states) {
        for (a, name) in
            force.assignments.get(&t.id).into_iter().flatten().zip(list.leads.iter().chain(&list.responsible))
        {
            ids.entry(name.clone()).or_insert(a.department_id);
        }
    }
    let same = |x: &str, y: &str| ids.get(x).is_some_and(|i| ids.get(y) == Some(i));

    // What changes.
    let mut changes: Vec<PlannedChange> = Vec::new();
    let mut moves: Vec<(usize, usize, Vec<ChangeKind>)> = Vec::new();
    for m in &pairing.matched {
        let kinds = matching::differences(&force.states[m.old], &wanted[m.new].state, same);
        if !kinds.is_empty() {
            moves.push((m.old, m.new, kinds));
        }
    }
    let matches = match &a.source {
        Source::Text { .. } => pairing
            .matched
            .iter()
            .map(|m| MatchLine { before: force.states[m.old].number, after: wanted[m.new].state.number, by: m.by })
            .collect(),
        Source::Decision(_) => Vec::new(),
    };
    let mut amended = Amended {
        document_id: doc.id,
        version: None,
        effective_on: a.effective_on,
        unchanged: false,
        matches,
        changes: Vec::new(),
        written: false,
    };
    let (reason, sha) = match &a.source {
        Source::Text { sha, .. } => (None, Some((*sha).to_owned())),
        Source::Decision(d) => (Some(d.reason.clone()), None),
    };
    if moves.is_empty() && pairing.removed.is_empty() && pairing.added.is_empty() {
        return Ok(Plan { amended, reason, sha });
    }

    // The version, then the rows it moves.
    let version = document_version::ActiveModel {
        id: NotSet,
        document_id: Set(doc.id),
        number: Set(number + 1),
        effective_on: Set(a.effective_on),
        imported_at: Set(now),
        source_sha256: Set(sha.clone()),
        reason: Set(reason.clone()),
        actor: Set(actor_id.to_owned()),
    }
    .insert(txn)
    .await?;
    let effective = a.effective_on;
    for (old, new, kinds) in moves {
        let row = &force.tasks[old];
        let want = &wanted[new];
        let category_id = *force
            .category_id
            .get(&want.state.category_number)
            .ok_or_else(|| ApiError::bad_input(format!("task {} names no category", want.state.number)))?;
        let mut update: task::ActiveModel = row.clone().into();
        update.number = Set(want.state.number);
        update.category_id = Set(category_id);
        update.content = Set(want.state.content.clone());
        update.deadline_text = Set(want.deadline.as_ref().map(|d| d.text.clone()));
        update.deadline_on = Set(want.deadline.as_ref().and_then(|d| d.date));
        if let Some(columns) = &want.columns {
            update.columns = Set(columns.clone());
        }
        update.lead_count = Set(count(want.state.leads.len()));
        update.update(txn).await?;
        if kinds.contains(&ChangeKind::Reassigned) {
            let current = force.assignments.get(&row.id).map_or(&[][..], Vec::as_slice);
            reassign(txn, row.id, current, &want.state, &ids, effective).await?;
        }
        if kinds.contains(&ChangeKind::Reworded) {
            reword_indicators(txn, row.id, &want.state.content).await?;
        }
        for kind in kinds {
            changes.push(PlannedChange {
                kind,
                task_id: row.id,
                before: Some(force.states[old].clone()),
                after: Some(want.state.clone()),
            });
        }
    }
    for old in &pairing.removed {
        let row = &force.tasks[*old];
        let mut update: task::ActiveModel = row.clone().into();
        update.removed_on = Set(Some(effective));
        update.update(txn).await?;
        changes.push(PlannedChange {
            kind: ChangeKind::Removed,
            task_id: row.id,
            before: Some(force.states[*old].clone()),
            after: None,
        });
    }
    for new in &pairing.added {
        let want = &wanted[*new];
        let id = add_task(txn, doc.id, &force, want, &ids, effective).await?;
        changes.push(PlannedChange {
            kind: ChangeKind::Added,
            task_id: id,
            before: None,
            after: Some(want.state.clone()),
        });
    }
    let rows: Vec<task_change::ActiveModel> = changes
        .iter()
        .map(|c| task_change::ActiveModel {
            id: NotSet,
            version_id: Set(version.id),
            task_id: Set(c.task_id),
            kind: Set(c.kind),
            before: Set(c.before.as_ref().map(TaskState::to_json)),
            after: Set(c.after.as_ref().map(TaskState::to_json)),
        })
        .collect();
    crate::import::load::insert_chunked(txn, rows).await?;
    amended.version = Some(version.number);
    amended.changes = changes;
    Ok(Plan { amended, reason, sha })
}

/// The task a decision makes of `before`, and the departments its names mean.
async fn decide(
    txn: &DatabaseTransaction,
    doc: &document::Model,
    before: &TaskState,
    d: &TaskDecision,
) -> ApiResult<(Wanted, HashMap<String, i64>)> {
    let clean = |list: &Option<Vec<String>>, was: &[String]| -> Vec<String> {
        match list {
            Some(names) => {
                let mut out: Vec<String> = Vec::new();
                for n in names.iter().map(|n| n.trim()).filter(|n| !n.is_empty()) {
                    if !out.iter().any(|o| o == n) {
                        out.push(n.to_owned());
                    }
                }
                out
            }
            None => was.to_vec(),
        }
    };
    let leads = clean(&d.leads, &before.leads);
    let responsible = clean(&d.responsible, &before.responsible);
    if leads.is_empty() && responsible.is_empty() {
        return Err(ApiError::bad_input("a task needs a lead department or a responsible unit"));
    }
    let names: Vec<&str> = leads.iter().chain(&responsible).map(String::as_str).collect();
    let ids = department_ids(txn, &doc.region, &names).await?;
    if let Some(unknown) = names.iter().find(|n| !ids.contains_key(**n)) {
        return Err(ApiError::not_found(format!(
            "no department named \"{unknown}\" in {}; a new department comes with an amended list",
            doc.region
        )));
    }
    let deadline = match &d.deadline {
        Some(text) => read_deadline(text, doc.year),
        None => before.deadline.as_ref().map(|t| TaskDeadline { text: t.clone(), date: None }),
    };
    // Keep the stored day when the deadline is not decided on.
    let deadline = match (&d.deadline, deadline) {
        (None, Some(t)) => Some(TaskDeadline { date: read_deadline(&t.text, doc.year).and_then(|x| x.date), ..t }),
        (_, other) => other,
    };
    let state = TaskState { leads, responsible, deadline: deadline.as_ref().map(|t| t.text.clone()), ..before.clone() };
    Ok((Wanted { state, deadline, columns: None }, ids))
}

/// The document's tasks in force, their assignments in force and department names.
async fn in_force(txn: &DatabaseTransaction, document_id: i64) -> ApiResult<InForce> {
    let categories = category::Entity::find().filter(category::Column::DocumentId.eq(document_id)).all(txn).await?;
    let category_of: HashMap<i64, &category::Model> = categories.iter().map(|c| (c.id, c)).collect();
    let category_id: HashMap<i32, i64> = categories.iter().map(|c| (c.number, c.id)).collect();
    let tasks = task::Entity::find()
        .filter(task::Column::DocumentId.eq(document_id))
        .filter(task::Column::RemovedOn.is_null())
        .order_by_asc(task::Column::Number)
        .order_by_asc(task::Column::Id)
        .all(txn)
        .await?;
    let mut assignments: HashMap<i64, Vec<assignment::Model>> = HashMap::new();
    let ids: Vec<i64> = tasks.iter().map(|t| t.id).collect();
    for chunk in ids.chunks(crate::import::load::CHUNK) {
        let rows = assignment::Entity::find()
            .filter(assignment::Column::TaskId.is_in(chunk.iter().copied()))
            .filter(assignment::Column::UntilOn.is_null())
            .order_by_asc(assignment::Column::TaskId)
            .order_by_asc(assignment::Column::Role)
            .order_by_asc(assignment::Column::Position)
            .all(txn)
            .await?;
        for a in rows {
            assignments.entry(a.task_id).or_default().push(a);
        }
    }
    let department_ids: HashSet<i64> = assignments.values().flatten().map(|a| a.department_id).collect();
    let mut names: HashMap<i64, String> = HashMap::new();
    let wanted: Vec<i64> = department_ids.into_iter().collect();
    for chunk in wanted.chunks(crate::import::load::CHUNK) {
        for d in department::Entity::find().filter(department::Column::Id.is_in(chunk.iter().copied())).all(txn).await?
        {
            names.insert(d.id, d.name);
        }
    }
    let states = tasks
        .iter()
        .map(|t| {
            let of = |role: Role| -> Vec<String> {
                assignments
                    .get(&t.id)
                    .into_iter()
                    .flatten()
                    .filter(|a| a.role == role)
                    .map(|a| names.get(&a.department_id).cloned().unwrap_or_default())
                    .collect()
            };
            TaskState {
                number: t.number,
                category_number: category_of.get(&t.category_id).map_or(0, |c| c.number),
                category_name: category_of.get(&t.category_id).map(|c| c.name.clone()).unwrap_or_default(),
                content: t.content.clone(),
                leads: of(Role::Lead),
                responsible: of(Role::Responsible),
                deadline: t.deadline_text.clone(),
            }
        })
        .collect();
    Ok(InForce { tasks, states, assignments, category_id })
}

/// Adds the categories the amended text names that the document lacks, and takes the text's
/// names for those it has.
async fn ensure_categories(txn: &DatabaseTransaction, document_id: i64, parsed: &ParsedDocument) -> ApiResult<()> {
    let held = category::Entity::find().filter(category::Column::DocumentId.eq(document_id)).all(txn).await?;
    for c in &parsed.categories {
        match held.iter().find(|h| h.number == c.number) {
            Some(h) if h.name == c.name => {}
            Some(h) => {
                let mut update: category::ActiveModel = h.clone().into();
                update.name = Set(c.name.clone());
                update.update(txn).await?;
            }
            None => {
                category::ActiveModel {
                    id: NotSet,
                    document_id: Set(document_id),
                    number: Set(c.number),
                    name: Set(c.name.clone()),
                }
                .insert(txn)
                .await?;
            }
        }
    }
    Ok(())
}

/// Inserts a task the amendment adds, with its assignments (from `effective`) and targets.
async fn add_task(
    txn: &DatabaseTransaction,
    document_id: i64,
    force: &InForce,
    want: &Wanted,
    ids: &HashMap<String, i64>,
    effective: NaiveDate,
) -> ApiResult<i64> {
    let category_id = match force.category_id.get(&want.state.category_number) {
        Some(id) => *id,
        None => {
            category::Entity::find()
                .filter(category::Column::DocumentId.eq(document_id))
                .filter(category::Column::Number.eq(want.state.category_number))
                .one(txn)
                .await?
                .ok_or_else(|| ApiError::bad_input(format!("task {} names no category", want.state.number)))?
                .id
        }
    };
    let row = task::ActiveModel {
        id: NotSet,
        document_id: Set(document_id),
        category_id: Set(category_id),
        number: Set(want.state.number),
        content: Set(want.state.content.clone()),
        lead_count: Set(count(want.state.leads.len())),
        deadline_text: Set(want.deadline.as_ref().map(|d| d.text.clone())),
        deadline_on: Set(want.deadline.as_ref().and_then(|d| d.date)),
        columns: Set(want.columns.clone().flatten()),
        removed_on: Set(None),
    }
    .insert(txn)
    .await?;
    reassign(txn, row.id, &[], &want.state, ids, effective).await?;
    reword_indicators(txn, row.id, &row.content).await?;
    Ok(row.id)
}

/// On PostgreSQL, one amendment of a document at a time (SQLite's writers already are).
async fn lock_document(db: &impl ConnectionTrait, document_id: i64) -> ApiResult<()> {
    if db.get_database_backend() != sea_orm::DbBackend::Postgres {
        return Ok(());
    }
    let stmt = sea_orm::Statement::from_sql_and_values(
        sea_orm::DbBackend::Postgres,
        "SELECT pg_advisory_xact_lock(hashtext($1))",
        [format!("amend:{document_id}").into()],
    );
    db.execute_raw(stmt).await?;
    Ok(())
}
