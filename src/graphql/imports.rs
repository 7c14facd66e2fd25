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
    ) -> async_graphql::Result<ImportReport> {
        let schedule = schedule.map(|s| s.parse::<Schedule>()).transpose().map_err(ApiError::BadUserInput)?;
        let opts = Options { issuer, issued_on: issued_on.map(|d| d.0), schedule };
        let upload = file.value(ctx).map_err(|e| ApiError::BadUserInput(format!("the file could not be read: {e}")))?;
        let check = check.unwrap_or(false);
        let done = import_upload(state(ctx)?, viewer(ctx), &actor(ctx), &upload.content, &opts, check).await?;
        Ok(report(done))
    }
}

fn count(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

fn report(done: Imported) -> ImportReport {
    let (result, document_id) = match done.outcome {
        None => (ImportResult::Checked, None),
        Some(ImportOutcome::Imported { document_id, .. } | ImportOutcome::Replaced { document_id, .. }) => {
            (ImportResult::Imported, Some(document_id))
        }
        Some(ImportOutcome::Unchanged { document_id }) => (ImportResult::Unchanged, Some(document_id)),
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
    }
}
