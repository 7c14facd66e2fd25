//! The list as one immutable snapshot per list version.
//!
//! Documents, categories, tasks, departments, assignments, indicators and reporting periods
//! change only by import, and every import moves the [`ListVersion`]. So the whole list is read
//! once per version, in one read transaction, into the indexes below, and shared by every
//! request until the version moves: a request then answers each list relation from memory,
//! with no statement at all, whatever its depth or its rows. A request never sees two versions
//! of the list: it holds one `Arc<ListSnapshot>` from start to end.

mod build;
mod departments;
mod filter;
mod stats;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use chrono::NaiveDate;
use entity::{
    Role, assignment, category, department, document, document_version, indicator, reporting_period, task, task_change,
};
use sea_orm::DatabaseConnection;

pub use self::departments::DepartmentCriteria;
pub use self::filter::TaskScope;
pub use self::stats::{StatDimension, StatRow};
use super::versions::ListVersion;
use crate::error::{ApiError, ApiResult};

/// A task's position in [`ListSnapshot::tasks`] (tasks are held in id order).
type Ix = u32;

/// A department's counts of tasks by role.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Workload {
    pub lead: i64,
    pub sole_lead: i64,
    pub co_lead: i64,
    pub responsible: i64,
    pub total: i64,
}

/// What one department is part of.
#[derive(Debug, Default)]
struct DepartmentIndex {
    /// Its tasks in task order, with whether it leads and whether it is responsible there.
    tasks: Vec<(Ix, bool, bool)>,
    workload: Workload,
    /// Departments that lead tasks with it: (department, shared tasks in task order), most
    /// shared first, ties in order of the first shared task.
    co_leaders: Vec<(i64, Vec<i64>)>,
    /// Documents it has an assignment in.
    documents: Vec<i64>,
}

/// A report owed: a non-collective lead of a task, or, for a task without lead, a
/// non-collective responsible unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Owed {
    pub assignment_id: i64,
    pub task_id: i64,
    pub department_id: i64,
    /// Owed for the periods due from this day (`None`: from the list's start) …
    pub from: Option<NaiveDate>,
    /// … until the day before this one (`None`: to the list's end): a version's change of
    /// assignments or removal of the task ends it.
    pub until: Option<NaiveDate>,
}

impl Owed {
    /// Whether it is owed for a period due on `due_on`.
    pub fn owed_on(&self, due_on: NaiveDate) -> bool {
        self.from.is_none_or(|f| f <= due_on) && self.until.is_none_or(|u| due_on < u)
    }
}

/// One version of the list, with the indexes every view reads.
#[derive(Debug, Default)]
pub struct ListSnapshot {
    pub version: Option<ListVersion>,
    documents: Vec<document::Model>,
    categories: HashMap<i64, category::Model>,
    /// Category ids of each document in number order.
    categories_of_document: HashMap<i64, Vec<i64>>,
    /// Every task, removed ones included (found by id with their reports).
    tasks: Vec<task::Model>,
    task_ix: HashMap<i64, Ix>,
    /// The tasks in the list (not removed), in id order: what listings, views and aggregates
    /// read. The indexes below hold these alone.
    current: Vec<Ix>,
    task_by_number: HashMap<(i64, i32), Ix>,
    tasks_of_document: HashMap<i64, Vec<Ix>>,
    /// Every task of each document, removed ones included, in id order.
    tasks_of_document_ever: HashMap<i64, Vec<Ix>>,
    tasks_of_category: HashMap<i64, Vec<Ix>>,
    tasks_of_category_number: HashMap<i32, Vec<Ix>>,
    /// Parallel to `tasks`: the assignments in force, leads first, each role in source order
    /// (for a removed task, those it had when removed).
    assignments: Vec<Vec<assignment::Model>>,
    /// Parallel to `tasks`: indicators in text order.
    indicators: Vec<Vec<indicator::Model>>,
    indicator_at: HashMap<i64, (Ix, usize)>,
    /// Departments in id (first appearance) order.
    departments: Vec<department::Model>,
    department_ix: HashMap<i64, usize>,
    /// Department ids by name, former names (机构改革) included.
    departments_by_name: HashMap<String, Vec<i64>>,
    /// Each renamed department's former names, oldest first.
    former_names: HashMap<i64, Vec<String>>,
    of_department: HashMap<i64, DepartmentIndex>,
    periods: HashMap<i64, reporting_period::Model>,
    /// Period ids of each document in quarter order.
    periods_of_document: HashMap<i64, Vec<i64>>,
    /// Reports owed per document, in assignment id order (the order of tasks).
    owed_of_document: HashMap<i64, Vec<Owed>>,
    /// Versions of each document in number order.
    versions_of_document: HashMap<i64, Vec<document_version::Model>>,
    /// A version's document and place in `versions_of_document`.
    version_at: HashMap<i64, (i64, usize)>,
    /// Assignments versions ended, by id (they stay for the reports owed before).
    ended: HashMap<i64, assignment::Model>,
    /// Every change, in id order, and the changes of each task and version (indexes into it).
    changes: Vec<task_change::Model>,
    changes_of_task: HashMap<i64, Vec<usize>>,
    changes_of_version: HashMap<i64, Vec<usize>>,
}

impl ListSnapshot {
    /// Every document in import order.
    pub fn documents(&self) -> &[document::Model] {
        &self.documents
    }

    pub fn document(&self, id: i64) -> Option<&document::Model> {
        self.documents.binary_search_by_key(&id, |d| d.id).ok().map(|i| &self.documents[i])
    }

    /// The document meant when a caller names none: the latest (by year, then date of issue,
    /// then import) of `region` (the caller's) when that region has one, else of all loaded.
    pub fn default_document_id(&self, region: Option<&str>) -> ApiResult<i64> {
        let latest = |docs: &mut dyn Iterator<Item = &document::Model>| {
            docs.max_by_key(|d| (d.year, d.issued_on, d.id)).map(|d| d.id)
        };
        let mine = region.and_then(|r| latest(&mut self.documents.iter().filter(|d| d.region == r)));
        mine.or_else(|| latest(&mut self.documents.iter())).ok_or_else(|| ApiError::not_found("no document is loaded"))
    }

    pub fn category(&self, id: i64) -> Option<&category::Model> {
        self.categories.get(&id)
    }

    /// Categories of one document, or of all, in document then number order.
    pub fn categories(&self, document_id: Option<i64>) -> Vec<&category::Model> {
        let docs: Vec<i64> = match document_id {
            Some(d) => vec![d],
            None => self.documents.iter().map(|d| d.id).collect(),
        };
        docs.iter()
            .flat_map(|d| self.categories_of_document.get(d).into_iter().flatten())
            .filter_map(|c| self.categories.get(c))
            .collect()
    }

    pub fn task(&self, id: i64) -> Option<&task::Model> {
        self.task_ix.get(&id).map(|i| &self.tasks[*i as usize])
    }

    pub fn task_by_number(&self, document_id: i64, number: i32) -> Option<&task::Model> {
        self.task_by_number.get(&(document_id, number)).map(|i| &self.tasks[*i as usize])
    }

    /// A task's assignments: leads first, each role in source order.
    pub fn assignments_of(&self, task_id: i64) -> &[assignment::Model] {
        self.task_ix.get(&task_id).map_or(&[], |i| &self.assignments[*i as usize])
    }

    /// A task's departments of `role`, in source order.
    pub fn departments_of(&self, task_id: i64, role: Role) -> Vec<&department::Model> {
        self.assignments_of(task_id)
            .iter()
            .filter(|a| a.role == role)
            .filter_map(|a| self.department(a.department_id))
            .collect()
    }

    pub fn indicators_of(&self, task_id: i64) -> &[indicator::Model] {
        self.task_ix.get(&task_id).map_or(&[], |i| &self.indicators[*i as usize])
    }

    pub fn indicator(&self, id: i64) -> Option<&indicator::Model> {
        self.indicator_at.get(&id).map(|(t, p)| &self.indicators[*t as usize][*p])
    }

    pub fn department(&self, id: i64) -> Option<&department::Model> {
        self.department_ix.get(&id).map(|i| &self.departments[*i])
    }

    /// The department called `name`: in `region` when given. A name found in several regions
    /// means the one in `preferred` (the caller's region), else the one in the region of the
    /// latest document. A name with its region before it (天津市税务局 for 市税务局 of 天津) is
    /// found too.
    pub fn department_by_name(
        &self,
        name: &str,
        region: Option<&str>,
        preferred: Option<&str>,
    ) -> Option<&department::Model> {
        let found = self.named(name, region);
        let found = if found.is_empty() { self.named_with_region(name, region) } else { found };
        if found.len() <= 1 {
            return found.first().copied();
        }
        let latest_region =
            self.default_document_id(None).ok().and_then(|d| self.document(d)).map(|d| d.region.as_str());
        let rank = |d: &department::Model| {
            let region = Some(d.region.as_str());
            // The caller's region, then the latest document's, then the region of the department's
            // latest document.
            let latest_of_its_region =
                self.documents.iter().filter(|x| x.region == d.region).map(|x| (x.year, x.issued_on, x.id)).max();
            (region == preferred, region == latest_region, latest_of_its_region)
        };
        found.into_iter().max_by_key(|d| rank(d))
    }

    /// Departments called exactly `name` (in `region`, when given).
    fn named(&self, name: &str, region: Option<&str>) -> Vec<&department::Model> {
        self.departments_by_name
            .get(name)
            .into_iter()
            .flatten()
            .filter_map(|id| self.department(*id))
            .filter(|d| region.is_none_or(|r| d.region == r))
            .collect()
    }

    /// Departments whose region and name make `name` (天津 + 市税务局 = 天津市税务局).
    fn named_with_region(&self, name: &str, region: Option<&str>) -> Vec<&department::Model> {
        let mut regions: Vec<&str> = self.documents.iter().map(|d| d.region.as_str()).collect();
        regions.sort_unstable();
        regions.dedup();
        regions
            .into_iter()
            .filter(|r| region.is_none_or(|x| x == *r))
            .filter_map(|r| name.strip_prefix(r).filter(|rest| !rest.is_empty()).map(|rest| (r, rest)))
            .flat_map(|(r, rest)| self.named(rest, Some(r)))
            .collect()
    }

    /// A department's former names, oldest first.
    pub fn former_names(&self, department_id: i64) -> &[String] {
        self.former_names.get(&department_id).map_or(&[], Vec::as_slice)
    }

    /// Whether department `id` is called `name`, now or formerly.
    pub fn answers_to(&self, id: i64, name: &str) -> bool {
        self.department(id).is_some_and(|d| d.name == name) || self.former_names(id).iter().any(|n| n == name)
    }

    pub fn workload(&self, department_id: i64) -> Workload {
        self.of_department.get(&department_id).map(|d| d.workload).unwrap_or_default()
    }

    /// Departments that lead tasks together with this one, most shared tasks first.
    pub fn co_leaders(&self, department_id: i64) -> &[(i64, Vec<i64>)] {
        self.of_department.get(&department_id).map_or(&[], |d| &d.co_leaders)
    }

    pub fn period(&self, id: i64) -> Option<&reporting_period::Model> {
        self.periods.get(&id)
    }

    /// Reporting periods of a document in quarter order.
    pub fn periods_of(&self, document_id: i64) -> Vec<&reporting_period::Model> {
        self.periods_of_document.get(&document_id).into_iter().flatten().filter_map(|p| self.periods.get(p)).collect()
    }

    /// Reports owed for `period` by the assignments in force on its due date, in assignment id
    /// order (the order of tasks, then of the assignments versions added).
    pub fn owed_for<'a>(&'a self, period: &'a reporting_period::Model) -> impl Iterator<Item = &'a Owed> + 'a {
        let all = self.owed_of_document.get(&period.document_id).map_or(&[][..], Vec::as_slice);
        all.iter().filter(move |o| o.owed_on(period.due_on))
    }

    /// Assignment `id` of task `task_id`, in force or ended.
    pub fn assignment(&self, task_id: i64, id: i64) -> Option<&assignment::Model> {
        self.assignments_of(task_id).iter().find(|a| a.id == id).or_else(|| self.ended.get(&id))
    }

    /// Every task of a document, removed ones included, in id order.
    pub fn tasks_of_document_ever(&self, document_id: i64) -> Vec<&task::Model> {
        let all = self.tasks_of_document_ever.get(&document_id).map_or(&[][..], Vec::as_slice);
        all.iter().map(|ix| &self.tasks[*ix as usize]).collect()
    }

    /// The task as the version in force on `day` held it: `None` when it was not in the list that
    /// day (added by a later version, or removed by then); the state recorded by the changes that
    /// took effect after `day`, else the task as it stands.
    pub fn task_on(&self, task: &task::Model, day: NaiveDate) -> Option<TaskOn> {
        let effective = |c: &task_change::Model| self.version(c.version_id).map(|v| v.effective_on);
        let changes = self.changes_of_task(task.id);
        // The first change not yet in force on `day` says how the task stood before it.
        match changes.iter().find(|c| effective(c).is_some_and(|e| e > day)) {
            Some(c) if c.kind == entity::ChangeKind::Added => None,
            Some(c) => {
                let before = super::amendments::state::TaskState::from_json(c.before.as_deref())?;
                Some(TaskOn::Was(before))
            }
            None if task.removed_on.is_some_and(|r| r <= day) => None,
            None => Some(TaskOn::AsItStands),
        }
    }

    /// A document's versions, 1 first.
    pub fn versions_of(&self, document_id: i64) -> &[document_version::Model] {
        self.versions_of_document.get(&document_id).map_or(&[], Vec::as_slice)
    }

    pub fn version(&self, id: i64) -> Option<&document_version::Model> {
        self.version_at.get(&id).and_then(|(d, i)| self.versions_of_document.get(d).and_then(|l| l.get(*i)))
    }

    /// The changes a version made, in the order they were recorded.
    pub fn changes_of_version(&self, version_id: i64) -> Vec<&task_change::Model> {
        self.changes_of_version.get(&version_id).into_iter().flatten().map(|i| &self.changes[*i]).collect()
    }

    /// Every change made to a task, oldest first.
    pub fn changes_of_task(&self, task_id: i64) -> Vec<&task_change::Model> {
        self.changes_of_task.get(&task_id).into_iter().flatten().map(|i| &self.changes[*i]).collect()
    }

    /// Rows held, for the gauge at `/metrics`.
    pub fn rows(&self) -> usize {
        self.changes.len()
            + self.version_at.len()
            + self.documents.len()
            + self.categories.len()
            + self.tasks.len()
            + self.assignments.iter().map(Vec::len).sum::<usize>()
            + self.indicator_at.len()
            + self.departments.len()
            + self.periods.len()
    }
}

/// How a task stood on a day (see [`ListSnapshot::task_on`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaskOn {
    /// As it stands now.
    AsItStands,
    /// As a later change recorded it before.
    Was(super::amendments::state::TaskState),
}

/// The snapshot of the current list version, shared by every request of the process.
#[derive(Clone, Default)]
pub struct ListSnapshots {
    current: Arc<Mutex<Option<Arc<ListSnapshot>>>>,
    /// Held while a snapshot is built: requests that find the version moved together wait for
    /// the first build instead of each reading the whole list.
    building: Arc<tokio::sync::Mutex<()>>,
}

impl ListSnapshots {
    /// The snapshot of `version` (read by the caller with [`super::versions::versions`]): the one
    /// held, or a new one read from `db`, which replaces it. A snapshot read after `version` may
    /// be newer (an import landed in between): it is labelled with its own version, so the next
    /// request finds it current rather than building again.
    pub async fn at(&self, db: &DatabaseConnection, version: &ListVersion) -> ApiResult<Arc<ListSnapshot>> {
        if let Some(s) = self.held(version) {
            return Ok(s);
        }
        let _building = self.building.lock().await;
        if let Some(s) = self.held(version) {
            return Ok(s);
        }
        let snapshot = Arc::new(build::read(db).await?);
        *self.current.lock().unwrap_or_else(PoisonError::into_inner) = Some(snapshot.clone());
        Ok(snapshot)
    }

    fn held(&self, version: &ListVersion) -> Option<Arc<ListSnapshot>> {
        let current = self.current.lock().unwrap_or_else(PoisonError::into_inner);
        current.as_ref().filter(|s| s.version.as_ref() == Some(version)).cloned()
    }
}
