//! The year-end assessment (考核, SPEC §13): per department, what it owed over a document's
//! periods and how it stood by a day, scored 0–100 and ranked. Computed from the same
//! obligations, states and lights the API serves (`service::obligations`), so the two never
//! disagree. The formula is in docs/guide/supervision.md.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::{DepartmentKind, ExtensionState, Role, reporting_period};

use super::list::ListSnapshot;
use super::obligations::{self, ObligationQuery, ObligationState};
use super::report_store::HeldRows;
use super::supervision::lights::{Light, Thresholds};

/// The weights of the score (`--assessment-*`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Weights {
    /// What a report submitted late earns, against 1 for one on time.
    pub late: f64,
    /// What a report returned for rework (and not resubmitted) earns.
    pub returned: f64,
    /// Points off per obligation with a red light.
    pub red_light: f64,
    /// Points off per notice (督办单) received.
    pub notice: f64,
    /// Points added per task it leads that was closed (销号).
    pub closed: f64,
}

impl Default for Weights {
    fn default() -> Self {
        Self { late: 0.6, returned: 0.3, red_light: 2.0, notice: 1.0, closed: 1.0 }
    }
}

/// One department's row.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub department_id: i64,
    /// Reports it owed over the document's periods.
    pub obligations: i64,
    pub submitted_on_time: i64,
    pub submitted_late: i64,
    pub overdue: i64,
    pub returned: i64,
    /// Obligations not yet due and not reported: not judged.
    pub pending: i64,
    pub red_lights: i64,
    pub extensions_approved: i64,
    pub notices_received: i64,
    /// Tasks it leads that were closed by the day.
    pub tasks_closed: i64,
    /// 0–100, one decimal.
    pub score: f64,
    /// 1 for the highest score; equal scores share a rank (1, 2, 2, 4).
    pub rank: i64,
}

/// The score of `r` by `w`: the share of judged obligations met (on time 1, late `w.late`,
/// returned `w.returned`, overdue 0) times 100, less `w.red_light` per red light and `w.notice`
/// per notice, plus `w.closed` per closed task; 100 when nothing was judged yet; within 0–100.
pub fn score(r: &Row, w: &Weights) -> f64 {
    let judged = r.submitted_on_time + r.submitted_late + r.overdue + r.returned;
    let met = if judged == 0 {
        100.0
    } else {
        100.0 * (r.submitted_on_time as f64 + w.late * r.submitted_late as f64 + w.returned * r.returned as f64)
            / judged as f64
    };
    let s = met - w.red_light * r.red_lights as f64 - w.notice * r.notices_received as f64
        + w.closed * r.tasks_closed as f64;
    (s.clamp(0.0, 100.0) * 10.0).round() / 10.0
}

/// The assessment of `document_id` as of `as_of`: one row per non-collective department with
/// obligations, best first (ties by department id), from the held reports, extensions, notices
/// and closures of the document's periods.
pub fn assess(
    held: &HeldRows,
    list: &ListSnapshot,
    document_id: i64,
    as_of: DateTime<Utc>,
    thresholds: Thresholds,
    weights: &Weights,
) -> Vec<Row> {
    let periods: Vec<&reporting_period::Model> = list.periods_of(document_id);
    let closed =
        super::supervision::closures::closed_days(held.closures_of_document.get(document_id).iter().map(|c| &**c));
    let mut rows: HashMap<i64, Row> = HashMap::new();
    for period in &periods {
        let query = ObligationQuery::of_period(list, period, as_of, thresholds);
        let (reports, extensions) = (held.reports_of_period.get(period.id), held.extensions_of_period.get(period.id));
        for o in obligations::all(list, &query, reports, extensions, &closed) {
            let r = entry(&mut rows, o.department_id);
            r.obligations += 1;
            match query.state_of(&o) {
                ObligationState::Submitted => r.submitted_on_time += 1,
                ObligationState::SubmittedLate => r.submitted_late += 1,
                ObligationState::Overdue => r.overdue += 1,
                ObligationState::Returned => r.returned += 1,
                ObligationState::Pending => r.pending += 1,
            }
            if query.light_of(&o) == Light::Red {
                r.red_lights += 1;
            }
        }
    }
    let extensions = periods.iter().flat_map(|p| held.extensions_of_period.get(p.id));
    let notices = periods.iter().flat_map(|p| held.notices_of_period.get(p.id));
    for e in extensions {
        if e.state == ExtensionState::Approved
            && e.decided_at.is_some_and(|t| t < as_of)
            && let Some(r) = rows.get_mut(&e.department_id)
        {
            r.extensions_approved += 1;
        }
    }
    for n in notices.filter(|n| n.issued_at < as_of) {
        if let Some(r) = rows.get_mut(&n.department_id) {
            r.notices_received += 1;
        }
    }
    let day = crate::clock::shanghai_day(as_of);
    for (task, closed_on) in &closed {
        if *closed_on > day {
            continue;
        }
        for a in list.assignments_of(*task).iter().filter(|a| a.role == Role::Lead) {
            if let Some(r) = rows.get_mut(&a.department_id) {
                r.tasks_closed += 1;
            }
        }
    }
    let mut out: Vec<Row> = rows
        .into_values()
        .filter(|r| list.department(r.department_id).is_some_and(|d| d.kind != DepartmentKind::Collective))
        .map(|mut r| {
            r.score = score(&r, weights);
            r
        })
        .collect();
    rank(&mut out);
    out
}

fn entry(rows: &mut HashMap<i64, Row>, department_id: i64) -> &mut Row {
    rows.entry(department_id).or_insert_with(|| Row {
        department_id,
        obligations: 0,
        submitted_on_time: 0,
        submitted_late: 0,
        overdue: 0,
        returned: 0,
        pending: 0,
        red_lights: 0,
        extensions_approved: 0,
        notices_received: 0,
        tasks_closed: 0,
        score: 0.0,
        rank: 0,
    })
}

/// Sorts best first and ranks: equal scores share the rank of the first of them.
fn rank(rows: &mut [Row]) {
    rows.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.department_id.cmp(&b.department_id)));
    let mut previous: Option<(f64, i64)> = None;
    for (i, r) in rows.iter_mut().enumerate() {
        r.rank = match previous {
            Some((score, rank)) if score == r.score => rank,
            _ => i as i64 + 1,
        };
        previous = Some((r.score, r.rank));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: i64, on_time: i64, late: i64, overdue: i64) -> Row {
        Row {
            department_id: id,
            obligations: on_time + late + overdue,
            submitted_on_time: on_time,
            submitted_late: late,
            overdue,
            returned: 0,
            pending: 0,
            red_lights: 0,
            extensions_approved: 0,
            notices_received: 0,
            tasks_closed: 0,
            score: 0.0,
            rank: 0,
        }
    }

    #[test]
    fn the_score_follows_the_formula() {
        let w = Weights::default();
        assert_eq!(score(&row(1, 4, 0, 0), &w), 100.0);
        assert_eq!(score(&row(1, 2, 2, 0), &w), 80.0);
        assert_eq!(score(&row(1, 1, 0, 1), &w), 50.0);
        assert_eq!(score(&row(1, 0, 0, 0), &w), 100.0, "nothing judged yet");
        let mut r = row(1, 1, 0, 1);
        r.red_lights = 1;
        r.notices_received = 2;
        r.tasks_closed = 1;
        assert_eq!(score(&r, &w), 47.0);
        r.red_lights = 40;
        assert_eq!(score(&r, &w), 0.0, "never below 0");
    }

    #[test]
    fn equal_scores_share_a_rank() {
        let mut rows = vec![row(3, 1, 0, 1), row(1, 4, 0, 0), row(2, 4, 0, 0), row(4, 0, 0, 1)];
        for r in &mut rows {
            r.score = score(r, &Weights::default());
        }
        rank(&mut rows);
        let ranks: Vec<(i64, i64)> = rows.iter().map(|r| (r.department_id, r.rank)).collect();
        assert_eq!(ranks, vec![(1, 1), (2, 1), (3, 3), (4, 4)]);
    }
}
