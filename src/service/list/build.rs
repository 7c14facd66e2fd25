//! Reads one version of the list into a [`ListSnapshot`].

use std::collections::HashMap;

use chrono::NaiveDate;
use entity::{
    DepartmentKind, Role, assignment, category, department, document, document_version, indicator, reporting_period,
    task, task_change,
};
use sea_orm::{AccessMode, DatabaseConnection, EntityTrait, IsolationLevel, QueryOrder, TransactionTrait};

use super::{DepartmentIndex, Ix, ListSnapshot, Owed};
use crate::error::ApiResult;
use crate::service::versions::versions;

/// Reads every list table and its version in one read transaction, so that the rows and the
/// version they are filed under agree.
pub async fn read(db: &DatabaseConnection) -> ApiResult<ListSnapshot> {
    let isolation = match db.get_database_backend() {
        sea_orm::DbBackend::Postgres => Some(IsolationLevel::RepeatableRead),
        // A SQLite transaction reads one state of the file from its first read on.
        _ => None,
    };
    let access = match db.get_database_backend() {
        sea_orm::DbBackend::Postgres => Some(AccessMode::ReadOnly),
        _ => None,
    };
    let txn = db.begin_with_config(isolation, access).await?;
    let version = versions(&txn).await?.list;
    let documents = document::Entity::find().order_by_asc(document::Column::Id).all(&txn).await?;
    let categories = category::Entity::find()
        .order_by_asc(category::Column::DocumentId)
        .order_by_asc(category::Column::Number)
        .all(&txn)
        .await?;
    let tasks = task::Entity::find().order_by_asc(task::Column::Id).all(&txn).await?;
    let assignments = assignment::Entity::find()
        .order_by_asc(assignment::Column::TaskId)
        .order_by_asc(assignment::Column::Role)
        .order_by_asc(assignment::Column::Position)
        .all(&txn)
        .await?;
    let indicators = indicator::Entity::find()
        .order_by_asc(indicator::Column::TaskId)
        .order_by_asc(indicator::Column::Position)
        .all(&txn)
        .await?;
    let departments = department::Entity::find().order_by_asc(department::Column::Id).all(&txn).await?;
    let aliases =
        entity::department_alias::Entity::find().order_by_asc(entity::department_alias::Column::Id).all(&txn).await?;
    let periods = reporting_period::Entity::find()
        .order_by_asc(reporting_period::Column::DocumentId)
        .order_by_asc(reporting_period::Column::Quarter)
        .all(&txn)
        .await?;
    let versions = document_version::Entity::find()
        .order_by_asc(document_version::Column::DocumentId)
        .order_by_asc(document_version::Column::Number)
        .all(&txn)
        .await?;
    let changes = task_change::Entity::find().order_by_asc(task_change::Column::Id).all(&txn).await?;
    txn.commit().await?;
    let mut s = ListSnapshot { version: Some(version), ..ListSnapshot::default() };
    index_documents(&mut s, documents, categories, periods);
    index_tasks(&mut s, tasks);
    index_departments(&mut s, departments, aliases);
    let (current, ended): (Vec<_>, Vec<_>) = assignments.into_iter().partition(|a| a.until_on.is_none());
    index_assignments(&mut s, current);
    index_indicators(&mut s, indicators);
    index_owed(&mut s, &ended);
    s.ended = ended.into_iter().map(|a| (a.id, a)).collect();
    index_versions(&mut s, versions, changes);
    Ok(s)
}

fn index_documents(
    s: &mut ListSnapshot,
    documents: Vec<document::Model>,
    categories: Vec<category::Model>,
    periods: Vec<reporting_period::Model>,
) {
    s.documents = documents;
    for c in categories {
        s.categories_of_document.entry(c.document_id).or_default().push(c.id);
        s.categories.insert(c.id, c);
    }
    for p in periods {
        s.periods_of_document.entry(p.document_id).or_default().push(p.id);
        s.periods.insert(p.id, p);
    }
}

/// Every task is found by id; only the tasks in the list (not removed by a version) are in the
/// indexes that listings, views and aggregates read.
fn index_tasks(s: &mut ListSnapshot, tasks: Vec<task::Model>) {
    s.task_ix.reserve(tasks.len());
    for (i, t) in tasks.iter().enumerate() {
        let ix = i as Ix;
        s.task_ix.insert(t.id, ix);
        s.tasks_of_document_ever.entry(t.document_id).or_default().push(ix);
        if t.removed_on.is_some() {
            continue;
        }
        s.current.push(ix);
        s.task_by_number.insert((t.document_id, t.number), ix);
        s.tasks_of_document.entry(t.document_id).or_default().push(ix);
        s.tasks_of_category.entry(t.category_id).or_default().push(ix);
        if let Some(c) = s.categories.get(&t.category_id) {
            s.tasks_of_category_number.entry(c.number).or_default().push(ix);
        }
    }
    s.assignments = vec![Vec::new(); tasks.len()];
    s.indicators = vec![Vec::new(); tasks.len()];
    s.tasks = tasks;
}

fn index_departments(
    s: &mut ListSnapshot,
    departments: Vec<department::Model>,
    aliases: Vec<entity::department_alias::Model>,
) {
    for (i, d) in departments.iter().enumerate() {
        s.department_ix.insert(d.id, i);
        s.departments_by_name.entry(d.name.clone()).or_default().push(d.id);
    }
    // A former name finds the department as its name does (after it, in the name's list).
    for a in aliases {
        let ids = s.departments_by_name.entry(a.name.clone()).or_default();
        if !ids.contains(&a.department_id) {
            ids.push(a.department_id);
        }
        s.former_names.entry(a.department_id).or_default().push(a.name);
    }
    s.departments = departments;
}

fn index_assignments(s: &mut ListSnapshot, assignments: Vec<assignment::Model>) {
    for a in assignments {
        if let Some(ix) = s.task_ix.get(&a.task_id) {
            s.assignments[*ix as usize].push(a);
        }
    }
    let mut of_department: HashMap<i64, DepartmentIndex> = HashMap::new();
    for (ix, list) in s.assignments.iter().enumerate() {
        let task = &s.tasks[ix];
        if task.removed_on.is_some() {
            continue;
        }
        for a in list {
            let d = of_department.entry(a.department_id).or_default();
            let lead = a.role == Role::Lead;
            match d.tasks.last_mut() {
                Some(last) if last.0 == ix as Ix => {
                    last.1 |= lead;
                    last.2 |= !lead;
                }
                _ => {
                    d.tasks.push((ix as Ix, lead, !lead));
                    d.workload.total += 1;
                    if d.documents.last() != Some(&task.document_id) && !d.documents.contains(&task.document_id) {
                        d.documents.push(task.document_id);
                    }
                }
            }
            if lead {
                d.workload.lead += 1;
                if task.lead_count >= 2 {
                    d.workload.co_lead += 1;
                } else {
                    d.workload.sole_lead += 1;
                }
            } else {
                d.workload.responsible += 1;
            }
        }
        // Every pair of leads of a co-led task shares it.
        let leads: Vec<i64> = list.iter().filter(|a| a.role == Role::Lead).map(|a| a.department_id).collect();
        if leads.len() >= 2 {
            for &me in &leads {
                let d = of_department.entry(me).or_default();
                for &other in leads.iter().filter(|o| **o != me) {
                    match d.co_leaders.iter_mut().find(|(o, _)| *o == other) {
                        Some((_, shared)) => shared.push(task.id),
                        None => d.co_leaders.push((other, vec![task.id])),
                    }
                }
            }
        }
    }
    for d in of_department.values_mut() {
        d.co_leaders.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.1.first().cmp(&b.1.first())));
    }
    s.of_department = of_department;
}

fn index_indicators(s: &mut ListSnapshot, indicators: Vec<indicator::Model>) {
    for i in indicators {
        if let Some(ix) = s.task_ix.get(&i.task_id) {
            let list = &mut s.indicators[*ix as usize];
            s.indicator_at.insert(i.id, (*ix, list.len()));
            list.push(i);
        }
    }
}

/// Who owes reports: every non-collective lead; for a task without lead, its non-collective
/// responsible units. A task changed by versions owes by the assignments in force on each
/// period's due date: its dates of change cut its year into spans, each owed by the assignments
/// that hold through it; a removed task owes nothing due from its removal on.
fn index_owed(s: &mut ListSnapshot, ended: &[assignment::Model]) {
    let mut ended_of: HashMap<i64, Vec<&assignment::Model>> = HashMap::new();
    for a in ended {
        ended_of.entry(a.task_id).or_default().push(a);
    }
    let mut owed: HashMap<i64, Vec<Owed>> = HashMap::new();
    for (ix, list) in s.assignments.iter().enumerate() {
        let task = &s.tasks[ix];
        let all: Vec<&assignment::Model> =
            list.iter().chain(ended_of.get(&task.id).into_iter().flatten().copied()).collect();
        let mut cuts: Vec<NaiveDate> =
            all.iter().flat_map(|a| [a.since_on, a.until_on]).chain([task.removed_on]).flatten().collect();
        cuts.sort_unstable();
        cuts.dedup();
        // Spans [from, until): before the first cut, between cuts, after the last.
        let starts = std::iter::once(None).chain(cuts.iter().copied().map(Some));
        let ends = cuts.iter().copied().map(Some).chain(std::iter::once(None));
        for (from, until) in starts.zip(ends) {
            if task.removed_on.is_some_and(|r| from.is_some_and(|f| f >= r)) {
                break;
            }
            let holding: Vec<&&assignment::Model> = all.iter().filter(|a| holds(a, from)).collect();
            let has_lead = holding.iter().any(|a| a.role == Role::Lead);
            for a in holding {
                let collective = s.department(a.department_id).is_none_or(|d| d.kind == DepartmentKind::Collective);
                let owes = a.role == Role::Lead || !has_lead;
                if owes && !collective {
                    owed.entry(task.document_id).or_default().push(Owed {
                        assignment_id: a.id,
                        task_id: task.id,
                        department_id: a.department_id,
                        from,
                        until,
                    });
                }
            }
        }
    }
    for list in owed.values_mut() {
        list.sort_by_key(|o| (o.assignment_id, o.from));
    }
    s.owed_of_document = owed;
}

/// Whether `a` holds through the span starting at `from` (`None`: the list's start).
fn holds(a: &assignment::Model, from: Option<NaiveDate>) -> bool {
    let started = match (a.since_on, from) {
        (None, _) => true,
        (Some(since), Some(from)) => since <= from,
        (Some(_), None) => false,
    };
    started && a.until_on.is_none_or(|until| from.is_none_or(|f| f < until))
}

fn index_versions(s: &mut ListSnapshot, versions: Vec<document_version::Model>, changes: Vec<task_change::Model>) {
    for v in versions {
        s.versions_of_document.entry(v.document_id).or_default().push(v);
    }
    let mut version_at: HashMap<i64, (i64, usize)> = HashMap::new();
    for (doc, list) in &s.versions_of_document {
        for (i, v) in list.iter().enumerate() {
            version_at.insert(v.id, (*doc, i));
        }
    }
    for (i, c) in changes.iter().enumerate() {
        s.changes_of_task.entry(c.task_id).or_default().push(i);
        s.changes_of_version.entry(c.version_id).or_default().push(i);
    }
    s.version_at = version_at;
    s.changes = changes;
}
