//! Importing a file of any format: read it, report what it holds (`--check`), load it.

use std::fmt::Write as _;

use sea_orm::DatabaseConnection;

use super::layout::Options;
use super::load::{ImportError, ImportOutcome, department_ids, hex_sha256, import_parsed};
use super::read::{ReadDocument, read_document};
use crate::service::writes::Actor;

/// What a file holds, as `qingdan import --check` and `importDocument(check: true)` report it.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckReport {
    pub read: ReadDocument,
    /// Departments the list names that the database does not hold yet, in first-named order.
    pub departments_new: Vec<String>,
    /// Departments the list names that the database already holds (same region and name).
    pub departments_known: Vec<String>,
}

impl CheckReport {
    /// The report as printed by `qingdan import --check`.
    pub fn describe(&self) -> String {
        let d = &self.read.doc;
        let mut out = String::new();
        let deadlines = d.tasks.iter().filter(|t| t.deadline.is_some()).count();
        let co_led = d.tasks.iter().filter(|t| t.leads.len() > 1).count();
        let _ = writeln!(out, "format: {}", self.read.format.name());
        let _ = writeln!(out, "list: {} ({} {}), issued by {} on {}", d.title, d.region, d.year, d.issuer, d.issued_on);
        let _ = writeln!(out, "tasks: {} ({co_led} co-led, {deadlines} with a deadline)", d.tasks.len());
        let _ = writeln!(out, "categories: {}", d.categories.len());
        for c in &d.categories {
            let n = d.tasks.iter().filter(|t| t.category_number == c.number).count();
            let _ = writeln!(out, "  {}. {} ({n} tasks)", c.number, c.name);
        }
        let labels: Vec<&str> =
            d.tasks.first().map(|t| t.columns.iter().map(|(l, _)| l.as_str()).collect()).unwrap_or_default();
        if !labels.is_empty() {
            let _ = writeln!(out, "other columns kept: {}", labels.join(", "));
        }
        let _ =
            writeln!(out, "departments: {} new, {} known", self.departments_new.len(), self.departments_known.len());
        if !self.departments_new.is_empty() {
            let _ = writeln!(out, "  new: {}", self.departments_new.join("、"));
        }
        let periods = super::periods::periods_of(d);
        let due: Vec<String> = periods.iter().map(|p| format!("{} due {}", p.label, p.due_on)).collect();
        let _ = writeln!(out, "reporting periods: {}", due.join(", "));
        for w in &self.read.warnings {
            let _ = writeln!(out, "warning: {w}");
        }
        out
    }
}

/// Reads `bytes` and reports what an import would write; writes nothing.
pub async fn check_file(db: &DatabaseConnection, bytes: &[u8], opts: &Options) -> Result<CheckReport, ImportError> {
    let read = read_document(bytes, opts).map_err(ImportError::Read)?;
    report(db, read).await
}

async fn report(db: &DatabaseConnection, read: ReadDocument) -> Result<CheckReport, ImportError> {
    let mut names: Vec<&str> = Vec::new();
    for t in &read.doc.tasks {
        for n in t.leads.iter().chain(&t.responsible) {
            if !names.contains(&n.as_str()) {
                names.push(n);
            }
        }
    }
    let known = department_ids(db, &read.doc.region, &names).await?;
    let (known_names, new_names): (Vec<&str>, Vec<&str>) = names.iter().partition(|n| known.contains_key(**n));
    let departments_known = known_names.into_iter().map(str::to_owned).collect();
    let departments_new = new_names.into_iter().map(str::to_owned).collect();
    Ok(CheckReport { read, departments_new, departments_known })
}

/// Reads `bytes` (any format) and loads the list in one transaction from the command line;
/// the report says what it held.
pub async fn import_file(
    db: &DatabaseConnection,
    bytes: &[u8],
    opts: &Options,
    replace: bool,
) -> Result<(ImportOutcome, CheckReport), ImportError> {
    import_file_as(db, bytes, opts, replace, &Actor::cli(), chrono::Utc::now()).await
}

/// [`import_file`] recorded as `actor`'s write at `now` (an upload through the API).
pub async fn import_file_as(
    db: &DatabaseConnection,
    bytes: &[u8],
    opts: &Options,
    replace: bool,
    actor: &Actor,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(ImportOutcome, CheckReport), ImportError> {
    let read = read_document(bytes, opts).map_err(ImportError::Read)?;
    let report = report(db, read).await?;
    let outcome = import_parsed(db, &report.read.doc, &hex_sha256(bytes), replace, actor, now).await?;
    Ok((outcome, report))
}
