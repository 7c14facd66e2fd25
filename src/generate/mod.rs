//! `qingdan generate`: a deterministic synthetic national dataset, loaded through the same
//! bulk path as the importer, with reports and revisions for the four periods.

mod reports;
pub mod rng;
mod synth;

use std::sync::Arc;
use std::time::{Duration, Instant};

use sea_orm::{ConnectionTrait as _, DatabaseConnection, DbBackend, TransactionTrait};
use tokio::sync::mpsc;

use crate::import::load::{Turnstile, load_document_in_turn};
use crate::import::model::ParsedDocument;
use crate::import::parse_document;
use crate::service::writes::{Actor, Change, Write};

/// What to generate.
#[derive(Debug, Clone, Copy)]
pub struct GenerateOptions {
    pub documents: usize,
    pub seed: u64,
    pub with_reports: bool,
}

/// Rows written and time taken.
#[derive(Debug, Clone, Copy, Default)]
pub struct GenerateStats {
    pub documents: usize,
    pub tasks: usize,
    pub rows: usize,
    pub reports: usize,
    pub elapsed: Duration,
}

impl GenerateStats {
    pub fn rows_per_second(&self) -> f64 {
        self.rows as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// Documents loaded at once: PostgreSQL spreads them over connections (its server work is
/// per connection); SQLite has one writer.
fn workers(db: &DatabaseConnection) -> usize {
    if db.get_database_backend() == DbBackend::Postgres { 3 } else { 1 }
}

/// Generates `opts.documents` documents, one transaction each; `progress` is told after each.
pub async fn generate(
    db: &DatabaseConnection,
    opts: GenerateOptions,
    mut progress: impl FnMut(&GenerateStats),
) -> anyhow::Result<GenerateStats> {
    let seed_doc = parse_document(crate::import::BUNDLED_DOCUMENT)?;
    let shape = synth::Shape::of(&seed_doc);
    let mut rng = rng::Rng::new(opts.seed);
    let started = Instant::now();
    // Documents are drawn in order from one generator, so the data depend on the seed alone.
    let docs: Vec<ParsedDocument> = (0..opts.documents).map(|i| shape.document(&mut rng, i)).collect();
    // Departments first, in one transaction: concurrent loads then only look them up and never
    // wait on each other's inserts.
    let txn = db.begin().await?;
    for doc in &docs {
        crate::import::load::ensure_departments(&txn, doc).await?;
    }
    // Departments alone are no import of a document: they commit without an event.
    txn.commit().await?;

    let writer = crate::service::writer::Writer::of_command_line(db);
    let turnstile = Arc::new(Turnstile::default());
    let (tx, mut rx) = mpsc::channel::<anyhow::Result<(usize, usize, usize)>>(64);
    let n_workers = workers(db);
    let docs = Arc::new(docs);
    let mut handles = Vec::new();
    for w in 0..n_workers {
        let (writer, docs, turnstile, tx) = (writer.clone(), docs.clone(), turnstile.clone(), tx.clone());
        handles.push(tokio::spawn(async move {
            for index in (w..docs.len()).step_by(n_workers) {
                let result = load_one(&writer, &docs[index], index, opts, &turnstile).await;
                let failed = result.is_err();
                if tx.send(result).await.is_err() || failed {
                    break;
                }
            }
        }));
    }
    drop(tx);
    let mut stats = GenerateStats::default();
    while let Some(result) = rx.recv().await {
        let (rows, tasks, reports) = result?;
        stats.documents += 1;
        stats.rows += rows;
        stats.tasks += tasks;
        stats.reports += reports;
        stats.elapsed = started.elapsed();
        progress(&stats);
    }
    for h in handles {
        h.await?;
    }
    // Planner statistics for the new rows: a bulk load leaves none (autovacuum may be off or
    // late), and without them PostgreSQL picks nested loops over whole tables.
    sea_orm::ConnectionTrait::execute_unprepared(db, "ANALYZE").await?;
    stats.elapsed = started.elapsed();
    Ok(stats)
}

/// Loads document `index` with its reports in one transaction; returns (rows, tasks, reports).
async fn load_one(
    writer: &crate::service::writer::Writer,
    doc: &ParsedDocument,
    index: usize,
    opts: GenerateOptions,
    turnstile: &Turnstile,
) -> anyhow::Result<(usize, usize, usize)> {
    let sha = format!("{:064x}", u128::from(opts.seed as u32) << 64 | index as u128);
    let w = writer.begin().await?;
    let txn = w.txn();
    if txn.get_database_backend() == DbBackend::Postgres {
        // Synthetic data: no need to wait for each commit's WAL flush (a crash loses at most
        // the last documents, never consistency).
        sea_orm::ConnectionTrait::execute_unprepared(txn, "SET LOCAL synchronous_commit = off").await?;
    }
    let (document_id, loaded) = load_document_in_turn(txn, doc, &sha, w.now(), "cli", Some((turnstile, index))).await?;
    let mut rows = loaded.rows();
    let mut reports = 0;
    if opts.with_reports {
        // Each document's reports come from a generator seeded by the document, so they do
        // not depend on which worker loads it.
        let mut doc_rng = rng::Rng::new(opts.seed.wrapping_mul(0x9E37_79B9).wrapping_add(index as u64));
        let written = reports::generate_reports(txn, &mut doc_rng, document_id, &doc.region).await?;
        rows += written.rows;
        reports = written.reports;
    }
    let change = Change::new(
        Write::new(crate::service::writes::Action::DocumentImported, document_id),
        None,
        Some(serde_json::json!({ "generated": index })),
    );
    w.commit(&Actor::cli(), change).await?;
    Ok((rows, loaded.tasks, reports))
}
