//! The rows held: reports with their revisions, extensions, notices and closures, each once
//! (behind an `Arc`) and indexed by the parents the API asks for them by, in id order.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use entity::{closure, extension, notice, report, report_revision};

use crate::service::versions::ListVersion;

/// A parent's rows, in id order, shared with the readers that hold them.
pub type Held<M> = Arc<Vec<Arc<M>>>;

/// A report's revisions, oldest first.
pub type Revisions = Arc<Vec<report_revision::Model>>;

/// A row with an id, for keeping parents' rows in id order.
pub trait HasId {
    fn id(&self) -> i64;
}

macro_rules! rows_have_ids {
    ($($m:path),*) => {$(impl HasId for $m { fn id(&self) -> i64 { self.id } })*};
}
rows_have_ids!(report::Model, extension::Model, notice::Model, closure::Model);

/// Rows by a parent's id.
pub struct Index<M> {
    of: HashMap<i64, Held<M>>,
}

impl<M> Default for Index<M> {
    fn default() -> Self {
        Self { of: HashMap::new() }
    }
}

impl<M: HasId + Clone> Index<M> {
    /// The rows of `parent` (none: an empty list).
    pub fn of(&self, parent: i64) -> Held<M> {
        self.of.get(&parent).cloned().unwrap_or_default()
    }

    /// The rows of `parent`, borrowed.
    pub fn get(&self, parent: i64) -> &[Arc<M>] {
        self.of.get(&parent).map_or(&[], |v| v.as_slice())
    }

    /// Puts `row` under `parent`, in place of the row with its id if there is one. A reader that
    /// holds the parent's rows keeps the list it holds.
    fn put(&mut self, parent: i64, row: &Arc<M>) {
        let rows = Arc::make_mut(self.of.entry(parent).or_default());
        match rows.binary_search_by_key(&row.id(), |r| r.id()) {
            Ok(at) => rows[at] = row.clone(),
            Err(at) => rows.insert(at, row.clone()),
        }
    }

    /// Appends `row`, read in id order, under `parent` (while loading).
    fn push(&mut self, parent: i64, row: &Arc<M>) {
        Arc::make_mut(self.of.entry(parent).or_default()).push(row.clone());
    }
}

/// Everything held, at one version of the list and one count of writes.
#[derive(Default)]
pub struct HeldRows {
    /// The list version the rows were loaded at (none before the first load).
    pub(super) list: Option<ListVersion>,
    /// The writes count (the versions' `submissions`) the rows are at least as new as.
    pub(super) submissions: i64,
    /// The newest audit event applied: the next changes are the events after it.
    pub(super) seq: i64,
    pub reports: BTreeMap<i64, Arc<report::Model>>,
    pub revisions: HashMap<i64, Revisions>,
    pub reports_of_task: Index<report::Model>,
    pub reports_of_department: Index<report::Model>,
    pub reports_of_period: Index<report::Model>,
    pub extensions: HashMap<i64, Arc<extension::Model>>,
    pub extensions_of_period: Index<extension::Model>,
    pub notices: HashMap<i64, Arc<notice::Model>>,
    pub notices_of_period: Index<notice::Model>,
    pub notices_of_department: Index<notice::Model>,
    pub closures_of_document: Index<closure::Model>,
    pub closures_of_task: Index<closure::Model>,
}

/// Rows read together: everything (a load) or what the events since the last read name.
#[derive(Default)]
pub struct Rows {
    pub reports: Vec<report::Model>,
    pub revisions: Vec<report_revision::Model>,
    pub extensions: Vec<extension::Model>,
    pub notices: Vec<notice::Model>,
    pub closures: Vec<closure::Model>,
}

impl HeldRows {
    /// Everything, read in id order, at the newest event `seq`.
    pub(super) fn loaded(rows: Rows, list: ListVersion, submissions: i64, seq: i64) -> Self {
        let mut held = Self { list: Some(list), submissions, seq, ..Self::default() };
        for r in rows.reports {
            let r = Arc::new(r);
            held.reports_of_task.push(r.task_id, &r);
            held.reports_of_department.push(r.department_id, &r);
            held.reports_of_period.push(r.period_id, &r);
            held.reports.insert(r.id, r);
        }
        held.keep_revisions(rows.revisions);
        for e in rows.extensions {
            let e = Arc::new(e);
            held.extensions_of_period.push(e.period_id, &e);
            held.extensions.insert(e.id, e);
        }
        for n in rows.notices {
            let n = Arc::new(n);
            held.notices_of_period.push(n.period_id, &n);
            held.notices_of_department.push(n.department_id, &n);
            held.notices.insert(n.id, n);
        }
        for c in rows.closures {
            let c = Arc::new(c);
            held.closures_of_document.push(c.document_id, &c);
            held.closures_of_task.push(c.task_id, &c);
        }
        held
    }

    /// Puts rows changed by the events up to `seq` in place of what was held.
    pub(super) fn apply(&mut self, rows: Rows, seq: i64) {
        for r in rows.reports {
            let r = Arc::new(r);
            self.reports_of_task.put(r.task_id, &r);
            self.reports_of_department.put(r.department_id, &r);
            self.reports_of_period.put(r.period_id, &r);
            self.revisions.remove(&r.id);
            self.reports.insert(r.id, r);
        }
        self.keep_revisions(rows.revisions);
        for e in rows.extensions {
            let e = Arc::new(e);
            self.extensions_of_period.put(e.period_id, &e);
            self.extensions.insert(e.id, e);
        }
        for n in rows.notices {
            let n = Arc::new(n);
            self.notices_of_period.put(n.period_id, &n);
            self.notices_of_department.put(n.department_id, &n);
            self.notices.insert(n.id, n);
        }
        for c in rows.closures {
            let c = Arc::new(c);
            self.closures_of_document.put(c.document_id, &c);
            self.closures_of_task.put(c.task_id, &c);
        }
        self.seq = self.seq.max(seq);
    }

    /// Revisions read in (report, revision) order, each report's list replacing what was held.
    fn keep_revisions(&mut self, revisions: Vec<report_revision::Model>) {
        let mut by: HashMap<i64, Vec<report_revision::Model>> = HashMap::new();
        for r in revisions {
            by.entry(r.report_id).or_default().push(r);
        }
        for (report, mut rows) in by {
            rows.shrink_to_fit();
            self.revisions.insert(report, Arc::new(rows));
        }
    }

    /// Revisions of `report` up to the revision its held row is at (rows and revisions agree).
    pub fn revisions_of(&self, report: i64) -> Revisions {
        let through = self.reports.get(&report).map_or(0, |r| r.revision);
        match self.revisions.get(&report) {
            Some(all) if all.last().is_none_or(|r| r.revision <= through) => all.clone(),
            Some(all) => Arc::new(all.iter().filter(|r| r.revision <= through).cloned().collect()),
            None => Revisions::default(),
        }
    }

    /// How many rows are held, by kind (reports, revisions, extensions, notices, closures).
    pub fn counts(&self) -> [usize; 5] {
        let closures = self.closures_of_task.of.values().map(|v| v.len()).sum();
        let revisions = self.revisions.values().map(|v| v.len()).sum();
        [self.reports.len(), revisions, self.extensions.len(), self.notices.len(), closures]
    }
}
