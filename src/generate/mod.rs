//! `qingdan generate`: a deterministic synthetic national dataset, loaded through the same
//! bulk path as the importer, with reports and revisions for the four periods.

mod reports;
pub mod rng;
mod synth;

use std::time::{Duration, Instant};

use sea_orm::{DatabaseConnection, TransactionTrait};

use crate::import::load::load_document;
use crate::import::parse::parse_document;

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
    let mut stats = GenerateStats::default();
    for index in 0..opts.documents {
        let doc = shape.document(&mut rng, index);
        let sha = format!("{:064x}", u128::from(opts.seed as u32) << 64 | index as u128);
        let txn = db.begin().await?;
        let (document_id, loaded) = load_document(&txn, &doc, &sha).await?;
        stats.rows += loaded.rows();
        if opts.with_reports {
            let written = reports::generate_reports(&txn, &mut rng, document_id, &doc.region).await?;
            stats.rows += written.rows;
            stats.reports += written.reports;
        }
        txn.commit().await?;
        stats.documents += 1;
        stats.tasks += loaded.tasks;
        stats.elapsed = started.elapsed();
        progress(&stats);
    }
    stats.elapsed = started.elapsed();
    Ok(stats)
}
