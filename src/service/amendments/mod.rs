//! The list through its year (SPEC §12): an amended text, or a decision on one task, makes the
//! next version of a document. Tasks kept keep their ids, reports and revisions; each difference
//! is a change recorded with the task before and after; assignments a version ends or adds hold
//! until or from its effective date, so reports due before it stay owed by the old ones.
//!
//! One write per version, through [`Writer`]: the version, its changes and the rows it moves
//! commit together with one `list.amended` event, and the new version row moves the list's
//! version ([`crate::service::versions`]), so no answer mixes two versions. A check runs the
//! same write and rolls it back.

mod apply;
pub mod matching;
mod rows;
pub mod state;

use std::fmt::Write as _;

use chrono::{Datelike, NaiveDate};
use entity::ChangeKind;

use self::matching::MatchedBy;
use self::state::TaskState;
use crate::error::{ApiError, ApiResult};
use crate::import::model::ParsedDocument;
use crate::service::access::Viewer;
use crate::service::writer::Writer;
use crate::service::writes::Actor;

/// What makes the next version.
#[derive(Debug, Clone)]
pub enum Source<'a> {
    /// An amended text of the document, read by the import pipeline; `sha` names its bytes.
    Text { parsed: &'a ParsedDocument, sha: &'a str },
    /// A decision on one task: new leads, responsible units and/or deadline, with its reason.
    Decision(TaskDecision),
}

/// `amendTask`'s input, validated.
#[derive(Debug, Clone, Default)]
pub struct TaskDecision {
    pub task_id: i64,
    /// New lead departments by name, in order (`None`: unchanged).
    pub leads: Option<Vec<String>>,
    pub responsible: Option<Vec<String>>,
    /// New deadline as written (`Some("")`: none).
    pub deadline: Option<String>,
    pub reason: String,
}

/// An amendment: of which document (a decision names its task instead), from when, from what.
#[derive(Debug, Clone)]
pub struct Amendment<'a> {
    pub document_id: Option<i64>,
    pub effective_on: NaiveDate,
    pub source: Source<'a>,
}

/// One change planned or made.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedChange {
    pub kind: ChangeKind,
    /// The task (for an ADDED one, its new id; a check rolls it back).
    pub task_id: i64,
    pub before: Option<TaskState>,
    pub after: Option<TaskState>,
}

/// How a task of the amended text was matched: (number in force, number in the text, how).
#[derive(Debug, Clone, PartialEq)]
pub struct MatchLine {
    pub before: i32,
    pub after: i32,
    pub by: MatchedBy,
}

impl MatchLine {
    /// "12 → 13 (reworded, 84% of its character pairs kept)".
    pub fn describe(&self) -> String {
        let how = match self.by {
            MatchedBy::SameText => "same text".to_owned(),
            MatchedBy::SameTextRenumbered => "same text, another number".to_owned(),
            MatchedBy::Reworded(s) => format!("reworded, {:.0}% of its character pairs kept", s * 100.0),
        };
        format!("{} → {} ({how})", self.before, self.after)
    }
}

/// What an amendment did (or, checked, would do).
#[derive(Debug, Clone, PartialEq)]
pub struct Amended {
    pub document_id: i64,
    /// The version made (or that a check would make); `None` when nothing changed.
    pub version: Option<i32>,
    pub effective_on: NaiveDate,
    /// The same text is already a version of the document: nothing written.
    pub unchanged: bool,
    pub matches: Vec<MatchLine>,
    pub changes: Vec<PlannedChange>,
    /// Written (false for a check).
    pub written: bool,
}

impl Amended {
    /// As `qingdan import --amends` prints it.
    pub fn describe(&self) -> String {
        let mut out = String::new();
        if self.unchanged {
            let _ = writeln!(out, "unchanged: this text is already a version of document {}", self.document_id);
            return out;
        }
        let renamed = self.matches.iter().filter(|m| !matches!(m.by, MatchedBy::SameText)).collect::<Vec<_>>();
        let same = self.matches.len() - renamed.len();
        let _ = writeln!(out, "matched: {} tasks ({same} by the same text and number)", self.matches.len());
        for m in renamed {
            let _ = writeln!(out, "  {}", m.describe());
        }
        let _ = writeln!(out, "changes: {}", self.changes.len());
        for c in &self.changes {
            let _ = writeln!(out, "  {}", describe_change(c));
        }
        match (self.version, self.written) {
            (None, _) => {
                let _ = writeln!(out, "no task changes: nothing written");
            }
            (Some(v), true) => {
                let _ = writeln!(
                    out,
                    "amended document {}: version {v}, in force from {}",
                    self.document_id, self.effective_on
                );
            }
            (Some(v), false) => {
                let _ = writeln!(
                    out,
                    "would make version {v} of document {}, in force from {}",
                    self.document_id, self.effective_on
                );
            }
        }
        out
    }
}

fn describe_change(c: &PlannedChange) -> String {
    let number = |s: &Option<TaskState>| s.as_ref().map(|s| s.number);
    let cut = |t: &str| {
        let s: String = t.chars().take(24).collect();
        if t.chars().count() > 24 { format!("{s}…") } else { s }
    };
    match (c.kind, &c.before, &c.after) {
        (ChangeKind::Added, _, Some(a)) => format!("ADDED {}: {}", a.number, cut(&a.content)),
        (ChangeKind::Removed, Some(b), _) => format!("REMOVED {}: {}", b.number, cut(&b.content)),
        (ChangeKind::Reworded, Some(b), Some(a)) => {
            let was = if b.number == a.number { String::new() } else { format!(" (was {})", b.number) };
            format!("REWORDED {}{was}: {}", a.number, cut(&a.content))
        }
        (ChangeKind::Renumbered, Some(b), Some(a)) => format!(
            "RENUMBERED {} → {}{}",
            b.number,
            a.number,
            if b.category_number == a.category_number {
                String::new()
            } else {
                format!(" (category {} → {})", b.category_number, a.category_number)
            }
        ),
        (ChangeKind::Reassigned, Some(b), Some(a)) => format!(
            "REASSIGNED {}: leads {} → {}; responsible {} → {}",
            a.number,
            names(&b.leads),
            names(&a.leads),
            names(&b.responsible),
            names(&a.responsible)
        ),
        (ChangeKind::Rescheduled, Some(b), Some(a)) => format!(
            "RESCHEDULED {}: {} → {}",
            a.number,
            b.deadline.as_deref().unwrap_or("—"),
            a.deadline.as_deref().unwrap_or("—")
        ),
        (kind, _, _) => format!("{kind:?} {:?}", number(&c.after).or(number(&c.before))),
    }
}

fn names(list: &[String]) -> String {
    if list.is_empty() { "—".to_owned() } else { list.join("、") }
}

/// Makes the next version of a document (or, with `check`, works it out and writes nothing).
/// Refused, nothing written: an unknown document or task, a text of another region or year, an
/// effective date outside the list's year or before its latest version's, a removed task.
/// A decision is the issuing office's: `viewer` (none from the command line) must supervise the
/// task's document.
pub async fn amend(
    writer: &Writer,
    amendment: Amendment<'_>,
    viewer: Option<&Viewer>,
    actor: &Actor,
    check: bool,
) -> ApiResult<Amended> {
    let w = writer.begin().await?;
    let plan = apply::apply(w.txn(), &amendment, viewer, w.now(), &actor.id).await?;
    let (Some(version), false) = (plan.amended.version, check) else {
        // A check, or nothing to change: dropping the write rolls it back.
        return Ok(plan.amended);
    };
    let mut counts = serde_json::Map::new();
    for c in &plan.amended.changes {
        let key = format!("{:?}", c.kind).to_uppercase();
        let n = counts.get(&key).and_then(serde_json::Value::as_i64).unwrap_or(0);
        counts.insert(key, (n + 1).into());
    }
    let after = serde_json::json!({
        "version": version,
        "effectiveOn": amendment.effective_on.to_string(),
        "changes": counts,
        "reason": plan.reason,
        "sourceSha256": plan.sha,
    });
    let before = serde_json::json!({ "version": version - 1 });
    let change = crate::service::writes::Change::new(
        crate::service::writes::Write::new(crate::service::writes::Action::ListAmended, plan.amended.document_id),
        Some(before),
        Some(after),
    );
    w.commit(actor, change).await?;
    Ok(Amended { written: true, ..plan.amended })
}

/// `amendTask`: a decision of the issuing office (SUPERVISOR or ADMIN) on one task.
pub async fn amend_task(
    writer: &Writer,
    viewer: &Viewer,
    actor: &Actor,
    decision: TaskDecision,
    effective_on: NaiveDate,
) -> ApiResult<Amended> {
    if decision.leads.is_none() && decision.responsible.is_none() && decision.deadline.is_none() {
        return Err(ApiError::bad_input("an amendment changes leads, responsible units or the deadline; none given"));
    }
    let reason = crate::service::supervision::text("reason", Some(&decision.reason))?
        .ok_or_else(|| ApiError::bad_input("an amendment needs a reason"))?;
    let decision = TaskDecision { reason, ..decision };
    let amendment = Amendment { document_id: None, effective_on, source: Source::Decision(decision) };
    amend(writer, amendment, Some(viewer), actor, false).await
}

/// The effective date checks: within the list's year, not before the latest version.
fn check_effective(year: i32, latest: NaiveDate, effective_on: NaiveDate) -> ApiResult<()> {
    if effective_on.year() != year {
        return Err(ApiError::bad_input(format!(
            "the effective date {effective_on} is outside the list's year {year}"
        )));
    }
    if effective_on < latest {
        return Err(ApiError::bad_input(format!(
            "the effective date {effective_on} is before the latest version's ({latest})"
        )));
    }
    Ok(())
}
