//! `importDocument`: a list uploaded by another portal (GraphQL multipart request), read by the
//! same pipeline as `qingdan import`.

use async_graphql::{Context, Enum, ID, Object, SimpleObject, Upload};

use super::context::{actor, state, viewer};
use super::ids::{self, NodeType};
use super::scalars::Date;
use crate::error::ApiError;
use crate::import::ImportOutcome;
use crate::import::layout::{Options, Schedule};
use crate::service::imports::{Imported, import_upload};

/// What an import did.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum ImportResult {
    /// Checked only: nothing was written.
    Checked,
    /// Loaded as a new document.
    Imported,
    /// The same file was imported before: nothing changed.
    Unchanged,
    /// Loaded as the next version of the document it amends (`amendment`).
    Amended,
}

/// What an amending text changes (`importDocument(amends:)`): its matches and changes.
#[derive(SimpleObject)]
pub struct AmendmentReport {
    /// The version made (or, checked, that it would make); null when no task changes.
    pub version: Option<i32>,
    /// The day it takes effect.
    pub effective_on: Date,
    /// How each task of the text was matched to one in force, for those not matched by the same
    /// text and number ("12 → 13 (reworded, 84% of its character pairs kept)").
    pub matches: Vec<String>,
    /// Every change, task by task.
    pub changes: Vec<PlannedChange>,
}

/// One change an amending text makes.
#[derive(SimpleObject)]
pub struct PlannedChange {
    /// What changes.
    pub kind: super::version::ChangeKind,
    /// The task before (null for ADDED).
    pub before: Option<super::version::TaskState>,
    /// The task after (null for REMOVED).
    pub after: Option<super::version::TaskState>,
}

/// What a file holds (and, unless checked, what was loaded): the report of `qingdan import --check`.
#[derive(SimpleObject)]
pub struct ImportReport {
    /// What happened.
    pub result: ImportResult,
    /// The document loaded (or already holding this file); null when only checked.
    pub document_id: Option<ID>,
    /// The format recognised ("Word (.docx)", "Excel (.xlsx)", "PDF" …).
    pub format: String,
    /// The list's title as read.
    pub title: String,
    /// Its region (from the title).
    pub region: String,
    /// The year it is for.
    pub year: i32,
    /// The office that issued it.
    pub issuer: String,
    /// Tasks read.
    pub tasks: i32,
    /// Categories read.
    pub categories: i32,
    /// Tasks with two or more leads.
    pub co_led_tasks: i32,
    /// Departments the database does not hold yet, in first-named order.
    pub departments_new: Vec<String>,
    /// Departments the database already holds.
    pub departments_known: Vec<String>,
    /// One line per thing read but worth a look.
    pub warnings: Vec<String>,
    /// For an amending text: what it changes.
    pub amendment: Option<AmendmentReport>,
}

#[derive(Default)]
pub struct ImportMutation;

#[Object]
impl ImportMutation {
    /// Imports a responsibility list (Word, Excel, HTML, PDF or text; ADMIN), sent as a file by the
    /// GraphQL multipart request convention. With `check`, reports what it holds and writes nothing.
    async fn import_document(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The list's file.")] file: Upload,
        #[graphql(desc = "Report only; write nothing.")] check: Option<bool>,
        #[graphql(desc = "The issuing office, where no notice names it.")] issuer: Option<String>,
        #[graphql(desc = "The date of issue, where the document carries none.")] issued_on: Option<Date>,
        #[graphql(desc = "Report deadlines of the four quarters as MM-DD (default 04-10,07-10,10-10,01-10).")]
        schedule: Option<String>,
        #[graphql(desc = "The document this text amends: it becomes that document's next version.")] amends: Option<ID>,
        #[graphql(desc = "With `amends`: the day the version takes effect.")] effective_on: Option<Date>,
    ) -> async_graphql::Result<ImportReport> {
        let amends = match (amends, effective_on) {
            (Some(d), Some(day)) => Some(crate::service::imports::Amends {
                document_id: ids::decode(&d, NodeType::Document)?,
                effective_on: day.0,
            }),
            (None, None) => None,
            _ => return Err(ApiError::bad_input("pass amends and effectiveOn together").into()),
        };
        let schedule = schedule.map(|s| s.parse::<Schedule>()).transpose().map_err(ApiError::BadUserInput)?;
        let opts = Options { issuer, issued_on: issued_on.map(|d| d.0), schedule };
        let upload = file.value(ctx).map_err(|e| ApiError::BadUserInput(format!("the file could not be read: {e}")))?;
        let check = check.unwrap_or(false);
        let s = state(ctx)?;
        let done =
            import_upload(&s.writer, s.primary(), viewer(ctx), &actor(ctx), &upload.content, &opts, check, amends)
                .await?;
        Ok(report(done))
    }
}

fn count(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

fn report(done: Imported) -> ImportReport {
    let amendment = done.amended.as_ref().map(amendment_report);
    let (result, document_id) = match (done.outcome, &done.amended) {
        (_, Some(a)) if a.unchanged => (ImportResult::Unchanged, Some(a.document_id)),
        (_, Some(a)) if a.written => (ImportResult::Amended, Some(a.document_id)),
        (_, Some(_)) => (ImportResult::Checked, None),
        (None, None) => (ImportResult::Checked, None),
        (Some(ImportOutcome::Imported { document_id, .. } | ImportOutcome::Replaced { document_id, .. }), None) => {
            (ImportResult::Imported, Some(document_id))
        }
        (Some(ImportOutcome::Unchanged { document_id }), None) => (ImportResult::Unchanged, Some(document_id)),
    };
    let r = done.report;
    let d = r.read.doc;
    ImportReport {
        result,
        document_id: document_id.map(|id| ids::encode(NodeType::Document, id)),
        format: r.read.format.name().to_owned(),
        co_led_tasks: count(d.tasks.iter().filter(|t| t.leads.len() > 1).count()),
        tasks: count(d.tasks.len()),
        categories: count(d.categories.len()),
        title: d.title,
        region: d.region,
        year: d.year,
        issuer: d.issuer,
        departments_new: r.departments_new,
        departments_known: r.departments_known,
        warnings: r.read.warnings,
        amendment,
    }
}

fn amendment_report(a: &crate::service::amendments::Amended) -> AmendmentReport {
    AmendmentReport {
        version: a.version,
        effective_on: a.effective_on.into(),
        matches: a
            .matches
            .iter()
            .filter(|m| m.by != crate::service::amendments::matching::MatchedBy::SameText)
            .map(|m| m.describe())
            .collect(),
        changes: a
            .changes
            .iter()
            .map(|c| PlannedChange {
                kind: c.kind.into(),
                before: c.before.clone().map(super::version::TaskState),
                after: c.after.clone().map(super::version::TaskState),
            })
            .collect(),
    }
}
