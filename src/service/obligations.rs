//! Obligations: who owes a report for which task in a period, and where each stands.
//!
//! For each period, every non-collective LEAD department of a task owes a report; a task
//! without any lead is owed by its non-collective responsible units. Collectives owe nothing.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::{report, reporting_period};

use super::list::ListSnapshot;
use super::page::{Page, PageRequest};
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
}

/// Which obligations of one period, as of when.
#[derive(Debug, Clone)]
pub struct ObligationQuery {
    pub period: reporting_period::Model,
    /// The moment states are judged at.
    pub as_of: DateTime<Utc>,
    pub department_id: Option<i64>,
    pub department_name: Option<String>,
    pub state: Option<ObligationState>,
}

impl ObligationQuery {
    /// End of the due day in Asia/Shanghai.
    pub fn deadline(&self) -> DateTime<Utc> {
        end_of_day(self.period.due_on)
    }

    fn overdue_now(&self) -> bool {
        self.as_of > self.deadline()
    }

    /// State of an obligation whose report was first submitted at `first` (if ever).
    pub fn state_of(&self, first: Option<DateTime<Utc>>) -> ObligationState {
        match first {
            Some(t) if t < self.as_of => {
                if t < self.deadline() {
                    ObligationState::Submitted
                } else {
                    ObligationState::SubmittedLate
                }
            }
            _ if self.overdue_now() => ObligationState::Overdue,
            _ => ObligationState::Pending,
        }
    }

    /// Whether an obligation is in the wanted state.
    fn matches(&self, row: &ObligationRow) -> bool {
        self.state.is_none_or(|wanted| self.state_of(row.first_submitted_at()) == wanted)
    }
}

/// One obligation: its assignment, task, department and report (if one was submitted).
#[derive(Debug, Clone, PartialEq)]
pub struct ObligationRow {
    pub assignment_id: i64,
    pub task_id: i64,
    pub department_id: i64,
    pub report: Option<report::Model>,
}

impl ObligationRow {
    /// When its report was first submitted, if ever.
    pub fn first_submitted_at(&self) -> Option<DateTime<Utc>> {
        self.report.as_ref().map(|r| r.first_submitted_at)
    }
}

/// Every obligation of the query's period (and department), whatever its state, in task order:
/// who owes comes from the list, what was submitted from the period's reports.
pub fn all(list: &ListSnapshot, query: &ObligationQuery, reports: &[report::Model]) -> Vec<ObligationRow> {
    let submitted: HashMap<(i64, i64), &report::Model> =
        reports.iter().filter(|r| r.period_id == query.period.id).map(|r| ((r.task_id, r.department_id), r)).collect();
    list.owed_of_document(query.period.document_id)
        .iter()
        .filter(|o| query.department_id.is_none_or(|d| o.department_id == d))
        .filter(|o| {
            query
                .department_name
                .as_ref()
                .is_none_or(|n| list.department(o.department_id).is_some_and(|d| d.name == *n))
        })
        .map(|o| {
            let report = submitted.get(&(o.task_id, o.department_id));
            ObligationRow {
                assignment_id: o.assignment_id,
                task_id: o.task_id,
                department_id: o.department_id,
                report: report.map(|r| (*r).clone()),
            }
        })
        .collect()
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

/// Counts by state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StateCounts {
    pub total: i64,
    pub submitted: i64,
    pub submitted_late: i64,
    pub pending: i64,
    pub overdue: i64,
}

pub fn summary_of(all: &[ObligationRow], query: &ObligationQuery) -> StateCounts {
    let mut c = StateCounts { total: all.len() as i64, ..StateCounts::default() };
    for row in all {
        match query.state_of(row.first_submitted_at()) {
            ObligationState::Submitted => c.submitted += 1,
            ObligationState::SubmittedLate => c.submitted_late += 1,
            ObligationState::Pending => c.pending += 1,
            ObligationState::Overdue => c.overdue += 1,
        }
    }
    c
}
