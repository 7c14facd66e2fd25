//! Importing a file of any format: read it, report what it holds (`--check`), load it.

use std::fmt::Write as _;

use sea_orm::DatabaseConnection;

use super::layout::Options;
use super::load::{ImportError, ImportOutcome, department_ids, hex_sha256, import_parsed, named_departments};
use super::read::{ReadDocument, read_document};
use crate::service::writer::Writer;
use crate::service::writes::Actor;

/// What a file holds, as `qingdan import --check` and `importDocument(check: true)` report it.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckReport {
    pub read: ReadDocument,
    /// SHA-256 of the file's bytes: the same file imported again changes nothing.
    pub source_sha256: String,
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

/// Reads `bytes` and reports what an import would write; writes nothing. The reading (CPU work
/// and the run-time helpers, up to minutes for a PDF or a legacy Word file) runs on a blocking
/// thread, never on the async workers.
pub async fn check_file(db: &DatabaseConnection, bytes: &[u8], opts: &Options) -> Result<CheckReport, ImportError> {
    let (owned, opts) = (bytes.to_vec(), opts.clone());
    let read = tokio::task::spawn_blocking(move || read_document(&owned, &opts))
        .await
        .map_err(|e| ImportError::Db(sea_orm::DbErr::Custom(format!("the reader stopped: {e}"))))?
        .map_err(ImportError::Read)?;
    let names = named_departments(&read.doc);
    let known = department_ids(db, &read.doc.region, &names).await?;
    let (known_names, new_names): (Vec<&str>, Vec<&str>) = names.iter().partition(|n| known.contains_key(**n));
    let departments_known = known_names.into_iter().map(str::to_owned).collect();
    let departments_new = new_names.into_iter().map(str::to_owned).collect();
    Ok(CheckReport { source_sha256: hex_sha256(bytes), read, departments_new, departments_known })
}

/// Loads a checked file in one write, recorded as `actor`'s. Reading comes first
/// ([`check_file`]), so the write's turn is held for the load alone.
pub async fn import_checked(
    writer: &Writer,
    report: &CheckReport,
    replace: bool,
    actor: &Actor,
) -> Result<ImportOutcome, ImportError> {
    import_parsed(writer, &report.read.doc, &report.source_sha256, replace, actor).await
}

/// Reads `bytes` (any format) and loads the list in one transaction from the command line;
/// the report says what it held.
pub async fn import_file(
    db: &DatabaseConnection,
    bytes: &[u8],
    opts: &Options,
    replace: bool,
) -> Result<(ImportOutcome, CheckReport), ImportError> {
    let report = check_file(db, bytes, opts).await?;
    let outcome = import_checked(&Writer::of_command_line(db), &report, replace, &Actor::cli()).await?;
    Ok((outcome, report))
}
