//! The floor of `submitReport`: the least a revision takes, in one transaction.

use chrono::Utc;
use qingdan::service::sql::Sql;
use sea_orm::{ConnectionTrait, DbBackend, DbErr, TransactionTrait};

use crate::floor::Floor;

impl Floor {
    /// The least a revision takes: lock the report, bump it, append the revision row.
    pub async fn submit(&self, seq: u64) -> Result<u64, DbErr> {
        let writes = &self.params.writes;
        let (task, dept, period) = writes[(seq % writes.len() as u64) as usize];
        let backend = self.db.get_database_backend();
        let _guard = if backend == DbBackend::Sqlite { Some(self.write_lock.lock().await) } else { None };
        let txn = self.db.begin().await?;
        let mut q = Sql::new(backend);
        q.push("SELECT r.id, r.revision FROM report r WHERE r.task_id = ").bind(task);
        q.push(" AND r.department_id = ").bind(dept).push(" AND r.period_id = ").bind(period);
        q.push(if backend == DbBackend::Postgres { " FOR UPDATE" } else { "" });
        let row = txn.query_one_raw(q.build()).await?.ok_or_else(|| DbErr::RecordNotFound("report".into()))?;
        let (id, revision): (i64, i32) = (row.try_get("", "id")?, row.try_get("", "revision")?);
        let (now, summary, percent) = (Utc::now(), format!("负载测试第{seq}次填报"), (seq % 101) as i32);
        let mut q = Sql::new(backend);
        q.push("UPDATE report SET revision = ").bind(revision + 1).push(", status = 'ON_TRACK', progress_percent = ");
        q.bind(percent).push(", summary = ").bind(summary.clone()).push(", submitted_at = ").bind(now);
        q.push(", submitted_by = 'load-floor' WHERE id = ").bind(id).push(" AND revision = ").bind(revision);
        txn.execute_raw(q.build()).await?;
        let mut q = Sql::new(backend);
        q.push("INSERT INTO report_revision (report_id, revision, status, progress_percent, summary, indicator_values, submitted_at, submitted_by) VALUES (")
            .bind(id)
            .push(", ")
            .bind(revision + 1)
            .push(", 'ON_TRACK', ")
            .bind(percent)
            .push(", ")
            .bind(summary)
            .push(", '[]', ")
            .bind(now)
            .push(", 'load-floor')");
        txn.execute_raw(q.build()).await?;
        txn.commit().await?;
        Ok(0)
    }
}
