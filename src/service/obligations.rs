//! Obligations: who owes a report for which task in a period, and where each stands.
//!
//! For each period, every non-collective LEAD department of a task owes a report; a task
//! without any lead is owed by its non-collective responsible units. Collectives owe nothing.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use entity::{ExtensionState, ReviewState, extension, report, reporting_period};

use super::list::{ListSnapshot, Owed};
use super::page::{Page, PageRequest};
use super::supervision::effective_due_on;
use super::supervision::lights::{self, Light, Reported, Thresholds};
use crate::clock::end_of_day;

/// Where an obligation stands at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ObligationState {
    /// Reported before the deadline.
    Submitted,
    /// Reported after the deadline.
    SubmittedLate,
    /// Not reported yet; the deadline has not passed.
    Pending,
    /// Not reported and the deadline has passed.
    Overdue,
    /// The latest revision was returned by the issuing office and not resubmitted yet.
    Returned,
}

/// What an obligation waits for from the issuing office at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Waiting {
    /// Its report's latest revision is not reviewed yet.
    Review,
    /// A request for a later due date is not decided yet.
    Extension,
}

/// Which obligations of one period, as of when.
#[derive(Debug, Clone)]
pub struct ObligationQuery {
    pub period: reporting_period::Model,
    /// The moment states are judged at.
    pub as_of: DateTime<Utc>,
    pub department_id: Option<i64>,
    pub department_name: Option<String>,
    pub task_id: Option<i64>,
    pub state: Option<ObligationState>,
    pub light: Option<Light>,
    pub waiting: Option<Waiting>,
    pub thresholds: Thresholds,
    /// Scheduled progress (序时进度) at the period's end, in percent.
    pub scheduled: i32,
}

impl ObligationQuery {
    /// Every obligation of `period` judged at `as_of`, with no other condition.
    pub fn of_period(
        list: &ListSnapshot,
        period: &reporting_period::Model,
        as_of: DateTime<Utc>,
        thresholds: Thresholds,
    ) -> Self {
        Self {
            scheduled: scheduled_of(list, period),
            period: period.clone(),
            as_of,
            department_id: None,
            department_name: None,
            task_id: None,
            state: None,
            light: None,
            waiting: None,
            thresholds,
        }
    }

    /// Where `row` stands at the query's moment.
    pub fn state_of(&self, row: &ObligationRow) -> ObligationState {
        match self.report_seen(row) {
            Some(r) if self.returned(r) => ObligationState::Returned,
            Some(r) => {
                if r.first_submitted_at < row.deadline() {
                    ObligationState::Submitted
                } else {
                    ObligationState::SubmittedLate
                }
            }
            None if self.as_of >= row.deadline() => ObligationState::Overdue,
            None => ObligationState::Pending,
        }
    }

    /// The warning light of `row` at the query's moment.
    pub fn light_of(&self, row: &ObligationRow) -> Light {
        let reported = self.report_seen(row).map(|r| Reported {
            progress_percent: r.progress_percent,
            status: r.status,
            returned: self.returned(r),
        });
        lights::light(&self.thresholds, self.as_of, row.due_on, self.scheduled, reported)
    }

    /// The report of `row` if it was submitted by the query's moment.
    pub fn report_seen<'a>(&self, row: &'a ObligationRow) -> Option<&'a Arc<report::Model>> {
        row.report.as_ref().filter(|r| r.first_submitted_at < self.as_of)
    }

    /// Its latest revision was returned by the query's moment.
    fn returned(&self, r: &report::Model) -> bool {
        r.review_state == ReviewState::Returned && r.reviewed_at.is_some_and(|t| t < self.as_of)
    }

    /// Whether `row` waits for `what` at the query's moment: a report submitted and not yet
    /// accepted or returned, or a request for a later due date not yet decided.
    pub fn waits_for(&self, row: &ObligationRow, what: Waiting) -> bool {
        match what {
            Waiting::Review => self.report_seen(row).is_some_and(|r| {
                r.review_state == ReviewState::PendingReview || r.reviewed_at.is_none_or(|t| t >= self.as_of)
            }),
            Waiting::Extension => row.extensions.iter().any(|e| {
                e.requested_at < self.as_of
                    && (e.state == ExtensionState::Pending || e.decided_at.is_none_or(|t| t >= self.as_of))
            }),
        }
    }

    /// Whether an obligation is in the wanted state and light, and waits for what is asked.
    fn matches(&self, row: &ObligationRow) -> bool {
        self.state.is_none_or(|wanted| self.state_of(row) == wanted)
            && self.light.is_none_or(|wanted| self.light_of(row) == wanted)
            && self.waiting.is_none_or(|what| self.waits_for(row, what))
    }
}

/// One obligation: its assignment, task, department, effective due date and report (if one was
/// submitted).
#[derive(Debug, Clone, PartialEq)]
pub struct ObligationRow {
    pub assignment_id: i64,
    pub task_id: i64,
    pub department_id: i64,
    /// The period's due date, or the latest approved extension's.
    pub due_on: NaiveDate,
    pub report: Option<Arc<report::Model>>,
    /// Its requests for a later due date, oldest first.
    pub extensions: Vec<Arc<extension::Model>>,
}

impl ObligationRow {
    /// End of the due day in Asia/Shanghai.
    pub fn deadline(&self) -> DateTime<Utc> {
        end_of_day(self.due_on)
    }
}

/// Every obligation of the query's period (and department, and task), whatever its state, in
/// task order: who owes comes from the list, what was submitted from the period's reports, the
/// due date from its extensions. A task closed (销号) before the period's due date owes nothing
/// for it (`closed`: the day each closed task was closed; see [`closed_count`]).
pub fn all(
    list: &ListSnapshot,
    query: &ObligationQuery,
    reports: &[Arc<report::Model>],
    extensions: &[Arc<extension::Model>],
    closed: &HashMap<i64, NaiveDate>,
) -> Vec<ObligationRow> {
    let submitted: HashMap<(i64, i64), &Arc<report::Model>> =
        reports.iter().filter(|r| r.period_id == query.period.id).map(|r| ((r.task_id, r.department_id), r)).collect();
    let mut extended: HashMap<(i64, i64), Vec<&Arc<extension::Model>>> = HashMap::new();
    for e in extensions.iter().filter(|e| e.period_id == query.period.id) {
        extended.entry((e.task_id, e.department_id)).or_default().push(e);
    }
    owed(list, query)
        .filter(|o| !closed_before(closed, o.task_id, query.period.due_on))
        .map(|o| {
            let key = (o.task_id, o.department_id);
            let extensions: Vec<Arc<extension::Model>> =
                extended.get(&key).map(|es| es.iter().map(|e| (*e).clone()).collect()).unwrap_or_default();
            ObligationRow {
                assignment_id: o.assignment_id,
                task_id: o.task_id,
                department_id: o.department_id,
                due_on: effective_due_on(query.period.due_on, extensions.iter().map(|e| &**e)),
                report: submitted.get(&key).map(|r| (*r).clone()),
                extensions,
            }
        })
        .collect()
}

/// Reports the query's department(s) owe in its period by the list, closed tasks included.
fn owed<'l>(list: &'l ListSnapshot, query: &'l ObligationQuery) -> impl Iterator<Item = &'l Owed> + 'l {
    list.owed_for(&query.period)
        .filter(|o| query.department_id.is_none_or(|d| o.department_id == d))
        .filter(|o| query.task_id.is_none_or(|t| o.task_id == t))
        .filter(|o| query.department_name.as_ref().is_none_or(|n| list.answers_to(o.department_id, n)))
}

/// Whether task `task_id` was closed before a period due on `due_on`.
fn closed_before(closed: &HashMap<i64, NaiveDate>, task_id: i64, due_on: NaiveDate) -> bool {
    closed.get(&task_id).is_some_and(|day| *day < due_on)
}

/// Reports the query would owe but for closures: counted apart in a summary.
pub fn closed_count(list: &ListSnapshot, query: &ObligationQuery, closed: &HashMap<i64, NaiveDate>) -> i64 {
    owed(list, query).filter(|o| closed_before(closed, o.task_id, query.period.due_on)).count() as i64
}

/// A page of `all` in the wanted state, in task order (assignment ids follow it).
pub fn page_of(all: &[ObligationRow], query: &ObligationQuery, page: PageRequest) -> Page<ObligationRow> {
    let (lower, upper) = page.id_bounds();
    let matching = all.iter().filter(|r| {
        query.matches(r) && lower.is_none_or(|id| r.assignment_id > id) && upper.is_none_or(|id| r.assignment_id < id)
    });
    let wanted = usize::try_from(page.limit).unwrap_or(usize::MAX).saturating_add(1);
    let rows = if page.scan_descending() {
        matching.rev().take(wanted).cloned().collect()
    } else {
        matching.take(wanted).cloned().collect()
    };
    page.finish(rows)
}

/// How many of `all` are in the wanted state.
pub fn count_of(all: &[ObligationRow], query: &ObligationQuery) -> i64 {
    all.iter().filter(|r| query.matches(r)).count() as i64
}

/// Counts by state and light.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StateCounts {
    pub total: i64,
    pub submitted: i64,
    pub submitted_late: i64,
    pub pending: i64,
    pub overdue: i64,
    pub returned: i64,
    pub green: i64,
    pub blue: i64,
    pub yellow: i64,
    pub red: i64,
    /// Reports waiting for review.
    pub pending_review: i64,
    /// Requests for a later due date waiting for a decision.
    pub extensions_pending: i64,
    /// Reports seen, and the sum of their progress in percent.
    pub reported: i64,
    pub progress_sum: i64,
}

impl StateCounts {
    /// The mean progress of the reports seen, in percent (none without reports).
    pub fn average_progress(&self) -> Option<f64> {
        (self.reported > 0).then(|| (self.progress_sum as f64 / self.reported as f64 * 10.0).round() / 10.0)
    }
}

/// Counts of `rows` by state and light, with what waits for the issuing office and the progress
/// reported.
pub fn summary_of<'r>(rows: impl IntoIterator<Item = &'r ObligationRow>, query: &ObligationQuery) -> StateCounts {
    let mut c = StateCounts::default();
    for row in rows {
        c.total += 1;
        if let Some(r) = query.report_seen(row) {
            c.reported += 1;
            c.progress_sum += i64::from(r.progress_percent);
        }
        c.pending_review += i64::from(query.waits_for(row, Waiting::Review));
        c.extensions_pending += i64::from(query.waits_for(row, Waiting::Extension));
        match query.state_of(row) {
            ObligationState::Submitted => c.submitted += 1,
            ObligationState::SubmittedLate => c.submitted_late += 1,
            ObligationState::Pending => c.pending += 1,
            ObligationState::Overdue => c.overdue += 1,
            ObligationState::Returned => c.returned += 1,
        }
        match query.light_of(row) {
            Light::Green => c.green += 1,
            Light::Blue => c.blue += 1,
            Light::Yellow => c.yellow += 1,
            Light::Red => c.red += 1,
        }
    }
    c
}

/// The worst light among `rows` (GREEN for none).
pub fn worst_light(all: &[ObligationRow], query: &ObligationQuery) -> Light {
    all.iter().map(|r| query.light_of(r)).max().unwrap_or(Light::Green)
}

/// Scheduled progress at the end of `period`, from the periods of its document in `list`.
pub fn scheduled_of(list: &ListSnapshot, period: &reporting_period::Model) -> i32 {
    lights::scheduled_progress(period, &list.periods_of(period.document_id))
}

/// What a summary is grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupBy {
    /// The department that owes.
    Department,
    /// The task's category.
    Category,
}

/// Counts per group (department or category id), in id order (a document's departments in order
/// of appearance, its categories in number order), with the closed obligations of each.
pub fn summaries_by(
    list: &ListSnapshot,
    all: &[ObligationRow],
    query: &ObligationQuery,
    closed: &HashMap<i64, NaiveDate>,
    by: GroupBy,
) -> Vec<(i64, StateCounts, i64)> {
    let key = |task_id: i64, department_id: i64| match by {
        GroupBy::Department => Some(department_id),
        GroupBy::Category => list.task(task_id).map(|t| t.category_id),
    };
    let mut rows: std::collections::BTreeMap<i64, Vec<&ObligationRow>> = std::collections::BTreeMap::new();
    for row in all {
        if let Some(k) = key(row.task_id, row.department_id) {
            rows.entry(k).or_default().push(row);
        }
    }
    let mut closed_of: HashMap<i64, i64> = HashMap::new();
    for o in owed(list, query).filter(|o| closed_before(closed, o.task_id, query.period.due_on)) {
        if let Some(k) = key(o.task_id, o.department_id) {
            *closed_of.entry(k).or_default() += 1;
            rows.entry(k).or_default();
        }
    }
    rows.into_iter().map(|(k, rows)| (k, summary_of(rows, query), closed_of.get(&k).copied().unwrap_or(0))).collect()
}
