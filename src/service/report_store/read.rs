//! The statements that bring the held rows up to date: everything at once (the first read, and
//! after the list changed), or the rows that the audit events since the last read name.

use entity::{audit_event, closure, extension, notice, report, report_revision};
use sea_orm::{
    AccessMode, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, EntityTrait,
    IsolationLevel, QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};

use futures_util::StreamExt as _;

use super::rows::{HeldRows, Rows, Streamed};
use crate::error::ApiResult;
use crate::ids::NodeType;
use crate::service::versions::ListVersion;

/// Reads in one snapshot of the database, so that the rows and the events agree.
/// (SQLite's transaction reads one snapshot from its first statement on.)
async fn snapshot(db: &DatabaseConnection) -> ApiResult<DatabaseTransaction> {
    Ok(match db.get_database_backend() {
        DbBackend::Postgres => {
            db.begin_with_config(Some(IsolationLevel::RepeatableRead), Some(AccessMode::ReadOnly)).await?
        }
        _ => db.begin().await?,
    })
}

/// Every row, streamed into held rows as it is decoded (a national list's 400,000 rows are
/// never all in memory twice), labelled with the versions the caller read before.
pub async fn everything(db: &DatabaseConnection, list: ListVersion, submissions: i64) -> ApiResult<HeldRows> {
    let txn = snapshot(db).await?;
    let mut held = HeldRows::empty_at(list, submissions, newest_event(&txn).await?);
    let reports = report::Entity::find().order_by_asc(report::Column::Id);
    stream_into(&mut held, reports.stream(&txn).await?, Streamed::Report).await?;
    let revisions = report_revision::Entity::find()
        .order_by_asc(report_revision::Column::ReportId)
        .order_by_asc(report_revision::Column::Revision);
    stream_into(&mut held, revisions.stream(&txn).await?, Streamed::Revision).await?;
    let extensions = extension::Entity::find().order_by_asc(extension::Column::Id);
    stream_into(&mut held, extensions.stream(&txn).await?, Streamed::Extension).await?;
    let notices = notice::Entity::find().order_by_asc(notice::Column::Id);
    stream_into(&mut held, notices.stream(&txn).await?, Streamed::Notice).await?;
    let closures = closure::Entity::find().order_by_asc(closure::Column::Id);
    stream_into(&mut held, closures.stream(&txn).await?, Streamed::Closure).await?;
    txn.commit().await?;
    held.finish();
    Ok(held)
}

async fn stream_into<M>(
    held: &mut HeldRows,
    rows: impl futures_util::Stream<Item = Result<M, sea_orm::DbErr>>,
    kind: fn(M) -> Streamed,
) -> ApiResult<()> {
    let mut rows = std::pin::pin!(rows);
    while let Some(row) = rows.next().await {
        held.push(kind(row?));
    }
    Ok(())
}

/// The rows that the events after `seq` name, and the newest event read. Event ids follow the
/// order of their commits (see [`crate::service::writes`]), so none can appear later below `seq`.
/// One statement for the events, then one per kind of row they name.
pub async fn since(db: &DatabaseConnection, seq: i64) -> ApiResult<(Rows, i64)> {
    let txn = snapshot(db).await?;
    let events: Vec<(i64, String)> = audit_event::Entity::find()
        .select_only()
        .column(audit_event::Column::Id)
        .column(audit_event::Column::Subject)
        .filter(audit_event::Column::Id.gt(seq))
        .order_by_asc(audit_event::Column::Id)
        .into_tuple()
        .all(&txn)
        .await?;
    let newest = events.last().map_or(seq, |(id, _)| *id);
    let named = |ty: NodeType| -> Vec<i64> {
        let mut ids: Vec<i64> = events
            .iter()
            .filter_map(|(_, s)| crate::ids::parse_subject(s).filter(|(t, _)| *t == ty).map(|(_, id)| id))
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    };
    let (reports, extensions, notices, closures) =
        (named(NodeType::Report), named(NodeType::Extension), named(NodeType::Notice), named(NodeType::Closure));
    let mut rows = Rows::default();
    if !reports.is_empty() {
        for (r, revisions) in report::Entity::find()
            .filter(report::Column::Id.is_in(reports))
            .find_with_related(report_revision::Entity)
            .order_by_asc(report::Column::Id)
            .order_by_asc(report_revision::Column::Revision)
            .all(&txn)
            .await?
        {
            rows.reports.push(r);
            rows.revisions.extend(revisions);
        }
    }
    if !extensions.is_empty() {
        rows.extensions = extension::Entity::find().filter(extension::Column::Id.is_in(extensions)).all(&txn).await?;
    }
    if !notices.is_empty() {
        rows.notices = notice::Entity::find().filter(notice::Column::Id.is_in(notices)).all(&txn).await?;
    }
    if !closures.is_empty() {
        rows.closures = closure::Entity::find().filter(closure::Column::Id.is_in(closures)).all(&txn).await?;
    }
    txn.commit().await?;
    Ok((rows, newest))
}

async fn newest_event(db: &impl ConnectionTrait) -> ApiResult<i64> {
    let newest: Option<Option<i64>> = audit_event::Entity::find()
        .select_only()
        .column_as(audit_event::Column::Id.max(), "newest")
        .into_tuple()
        .one(db)
        .await?;
    Ok(newest.flatten().unwrap_or(0))
}
