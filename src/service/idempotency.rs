//! Idempotent submissions (`SubmitReportInput.idempotencyKey`): a client whose request timed out
//! sends it again with the same key and gets the first result, and nothing is written twice.
//!
//! The key is claimed in the submission's own transaction, by a unique index on (caller, key):
//! a duplicate racing the first waits for it there (PostgreSQL) or behind it (SQLite's one
//! writer), then finds the result the first one recorded. Keys are kept 24 hours.

use chrono::{DateTime, Duration, Utc};
use entity::{idempotency_key, report, report_revision};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter};
use sha2::{Digest, Sha256};

use super::sql::Sql;
use crate::error::{ApiError, ApiResult};

/// How long a key names its submission.
pub const KEPT: Duration = Duration::hours(24);

/// Longest key accepted, in characters.
pub const MAX_KEY_CHARS: usize = 200;

/// What a key says about this submission.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// First use: write, then [`record`] the result under this row.
    Fresh(i64),
    /// Already submitted: this report at this revision is the answer.
    Replay { report_id: i64, revision: i32 },
}

/// Checks a key as given.
pub fn check_key(key: &str) -> ApiResult<()> {
    let chars = key.chars().count();
    if chars == 0 || chars > MAX_KEY_CHARS || key.chars().any(char::is_control) {
        return Err(ApiError::bad_input(format!(
            "idempotencyKey is 1 to {MAX_KEY_CHARS} printable characters (a UUID, say)"
        )));
    }
    Ok(())
}

/// The digest of a submission's input, to tell a retry from another submission under one key.
pub fn digest(input: &serde_json::Value) -> String {
    Sha256::digest(input.to_string().as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// Claims `key` for `caller` inside the submission's transaction.
pub async fn claim(
    txn: &impl ConnectionTrait,
    caller: &str,
    key: &str,
    sha256: &str,
    now: DateTime<Utc>,
) -> ApiResult<Claim> {
    let backend = txn.get_database_backend();
    // Expired keys go first, this one among them if it expired: a range of the index on
    // `created_at`, as cheap as what expired since the last submission with a key.
    let mut q = Sql::new(backend);
    q.push("DELETE FROM idempotency_key WHERE created_at < ").bind(now - KEPT);
    txn.execute_raw(q.build()).await?;

    #[derive(FromQueryResult)]
    struct Inserted {
        id: i64,
    }
    let mut q = Sql::new(backend);
    q.push("INSERT INTO idempotency_key (caller, key, request_sha256, created_at) VALUES (")
        .bind(caller)
        .push(", ")
        .bind(key)
        .push(", ")
        .bind(sha256)
        .push(", ")
        .bind(now)
        .push(") ON CONFLICT (caller, key) DO NOTHING RETURNING id");
    if let Some(row) = Inserted::find_by_statement(q.build()).one(txn).await? {
        return Ok(Claim::Fresh(row.id));
    }
    let first = idempotency_key::Entity::find()
        .filter(idempotency_key::Column::Caller.eq(caller))
        .filter(idempotency_key::Column::Key.eq(key))
        .one(txn)
        .await?
        .ok_or_else(|| {
            ApiError::Conflict("this idempotencyKey is being used by another submission; try again".into())
        })?;
    if first.request_sha256 != sha256 {
        return Err(ApiError::Conflict(
            "this idempotencyKey was used for another submission in the last 24 hours; nothing was written".into(),
        ));
    }
    match (first.report_id, first.revision) {
        (Some(report_id), Some(revision)) => Ok(Claim::Replay { report_id, revision }),
        _ => Err(ApiError::Conflict("this idempotencyKey's submission is still in progress; try again".into())),
    }
}

/// Records what the first submission under a key wrote, in its transaction.
pub async fn record(txn: &impl ConnectionTrait, claim_id: i64, report_id: i64, revision: i32) -> ApiResult<()> {
    let mut q = Sql::new(txn.get_database_backend());
    q.push("UPDATE idempotency_key SET report_id = ")
        .bind(report_id)
        .push(", revision = ")
        .bind(revision)
        .push(" WHERE id = ")
        .bind(claim_id);
    txn.execute_raw(q.build()).await?;
    Ok(())
}

/// The report as the first submission left it: its revision's content and review.
pub async fn replayed(db: &impl ConnectionTrait, report_id: i64, revision: i32) -> ApiResult<report::Model> {
    let report = report::Entity::find_by_id(report_id)
        .one(db)
        .await?
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("idempotency key names missing report {report_id}")))?;
    let rev = report_revision::Entity::find()
        .filter(report_revision::Column::ReportId.eq(report_id))
        .filter(report_revision::Column::Revision.eq(revision))
        .one(db)
        .await?
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("idempotency key names missing revision {revision}")))?;
    Ok(report::Model {
        revision: rev.revision,
        status: rev.status,
        progress_percent: rev.progress_percent,
        summary: rev.summary,
        indicator_values: rev.indicator_values,
        submitted_at: rev.submitted_at,
        submitted_by: rev.submitted_by,
        review_state: rev.review_state,
        reviewed_at: rev.reviewed_at,
        reviewed_by: rev.reviewed_by,
        review_comment: rev.review_comment,
        ..report
    })
}
