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

    /// Gives back what the loading's growth left unused.
    fn shrink(&mut self) {
        for rows in self.of.values_mut() {
            Arc::make_mut(rows).shrink_to_fit();
        }
        self.of.shrink_to_fit();
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
    /// The revisions before each report's latest, oldest first: the latest is the report's own
    /// row (which keeps its review too), so it is not held twice.
    earlier: HashMap<i64, Revisions>,
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

/// One row of a full read.
pub enum Streamed {
    Report(report::Model),
    Revision(report_revision::Model),
    Extension(extension::Model),
    Notice(notice::Model),
    Closure(closure::Model),
}

/// Rows the events since the last read name.
#[derive(Default)]
pub struct Rows {
    pub reports: Vec<report::Model>,
    pub revisions: Vec<report_revision::Model>,
    pub extensions: Vec<extension::Model>,
    pub notices: Vec<notice::Model>,
    pub closures: Vec<closure::Model>,
}

impl HeldRows {
    /// Nothing yet, for rows read at the newest event `seq` (see [`Self::push`]).
    pub(super) fn empty_at(list: ListVersion, submissions: i64, seq: i64) -> Self {
        Self { list: Some(list), submissions, seq, ..Self::default() }
    }

    /// Takes one row of a full read, each kind read in id order (revisions in report and revision
    /// order), as it streams in: no list of every row is ever built beside the held ones.
    pub(super) fn push(&mut self, row: Streamed) {
        match row {
            Streamed::Report(r) => {
                let r = Arc::new(r);
                self.reports_of_task.push(r.task_id, &r);
                self.reports_of_department.push(r.department_id, &r);
                self.reports_of_period.push(r.period_id, &r);
                self.reports.insert(r.id, r);
            }
            Streamed::Revision(r) if !self.is_earlier(&r) => {}
            Streamed::Revision(r) => match self.earlier.get_mut(&r.report_id) {
                Some(list) => Arc::make_mut(list).push(r),
                None => {
                    self.earlier.insert(r.report_id, Arc::new(vec![r]));
                }
            },
            Streamed::Extension(e) => {
                let e = Arc::new(e);
                self.extensions_of_period.push(e.period_id, &e);
                self.extensions.insert(e.id, e);
            }
            Streamed::Notice(n) => {
                let n = Arc::new(n);
                self.notices_of_period.push(n.period_id, &n);
                self.notices_of_department.push(n.department_id, &n);
                self.notices.insert(n.id, n);
            }
            Streamed::Closure(c) => {
                let c = Arc::new(c);
                self.closures_of_document.push(c.document_id, &c);
                self.closures_of_task.push(c.task_id, &c);
            }
        }
    }

    /// Ends a full read: gives back what growing the lists left unused.
    pub(super) fn finish(&mut self) {
        for list in self.earlier.values_mut() {
            Arc::make_mut(list).shrink_to_fit();
        }
        self.earlier.shrink_to_fit();
        self.reports_of_task.shrink();
        self.reports_of_department.shrink();
        self.reports_of_period.shrink();
        self.extensions_of_period.shrink();
        self.notices_of_period.shrink();
        self.notices_of_department.shrink();
        self.closures_of_document.shrink();
        self.closures_of_task.shrink();
    }

    /// Puts rows changed by the events up to `seq` in place of what was held.
    pub(super) fn apply(&mut self, rows: Rows, seq: i64) {
        for r in rows.reports {
            let r = Arc::new(r);
            self.reports_of_task.put(r.task_id, &r);
            self.reports_of_department.put(r.department_id, &r);
            self.reports_of_period.put(r.period_id, &r);
            self.earlier.remove(&r.id);
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

    /// Revisions read in (report, revision) order with their reports, each report's earlier
    /// ones replacing what was held.
    fn keep_revisions(&mut self, revisions: Vec<report_revision::Model>) {
        let mut by: HashMap<i64, Vec<report_revision::Model>> = HashMap::new();
        for r in revisions.into_iter().filter(|r| self.is_earlier(r)) {
            by.entry(r.report_id).or_default().push(r);
        }
        for (report, mut rows) in by {
            rows.shrink_to_fit();
            self.earlier.insert(report, Arc::new(rows));
        }
    }

    /// Whether `r` comes before its held report's latest revision.
    fn is_earlier(&self, r: &report_revision::Model) -> bool {
        self.reports.get(&r.report_id).is_some_and(|report| r.revision < report.revision)
    }

    /// Every revision of `report` up to the one its held row is at, oldest first (rows and
    /// revisions agree): the earlier ones held, and the latest made from the row.
    pub fn revisions_of(&self, report: i64) -> Revisions {
        let Some(row) = self.reports.get(&report) else { return Revisions::default() };
        let earlier = self.earlier.get(&report).map_or(&[][..], |e| e.as_slice());
        let mut all: Vec<report_revision::Model> =
            earlier.iter().filter(|r| r.revision < row.revision).cloned().collect();
        all.push(latest_revision(row));
        Arc::new(all)
    }

    /// How many rows are held, by kind (reports, revisions, extensions, notices, closures).
    pub fn counts(&self) -> [usize; 5] {
        let closures = self.closures_of_task.of.values().map(|v| v.len()).sum();
        let revisions = self.reports.len() + self.earlier.values().map(|v| v.len()).sum::<usize>();
        [self.reports.len(), revisions, self.extensions.len(), self.notices.len(), closures]
    }
}

/// A report's latest revision, as its row keeps it (the revision's own row id is not kept: the
/// API never shows it).
fn latest_revision(r: &report::Model) -> report_revision::Model {
    report_revision::Model {
        id: 0,
        report_id: r.id,
        revision: r.revision,
        status: r.status,
        progress_percent: r.progress_percent,
        summary: r.summary.clone(),
        indicator_values: r.indicator_values.clone(),
        submitted_at: r.submitted_at,
        submitted_by: r.submitted_by.clone(),
        review_state: r.review_state,
        reviewed_at: r.reviewed_at,
        reviewed_by: r.reviewed_by.clone(),
        review_comment: r.review_comment.clone(),
    }
}
