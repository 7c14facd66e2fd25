//! The floor of each operation: the same rows fetched with hand-written SQL, one statement per
//! level of the GraphQL answer, on a pool sized as the server's (`qingdan::db::connect`).
//! Every column the answer shows is decoded, as the server must; nothing is serialized.
//! Like the server, each request first looks up the bearer token.

use std::collections::BTreeSet;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use qingdan::service::sql::Sql;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, QueryResult};

use crate::driver::Request;
use crate::ops::Op;
use crate::params::Params;

/// Tasks of a page, with the categories and documents they name.
#[derive(Default)]
struct Tasks {
    ids: Vec<i64>,
    categories: BTreeSet<i64>,
    documents: BTreeSet<i64>,
}

/// The floor's connection and what its operations ask for.
#[derive(Clone)]
pub struct Floor {
    pub db: DatabaseConnection,
    pub params: Arc<Params>,
    /// SQLite has one writer: writers queue here, as in the server.
    pub write_lock: Arc<tokio::sync::Mutex<()>>,
}

impl Floor {
    pub fn new(db: DatabaseConnection, params: Arc<Params>) -> Self {
        Self { db, params, write_lock: Arc::default() }
    }

    /// A driver request running `op`'s floor; it answers the rows the GraphQL answer lists.
    pub fn request(&self, op: Op) -> Request {
        let floor = self.clone();
        Arc::new(move |seq| {
            let floor = floor.clone();
            Box::pin(async move { floor.run(op, seq).await.map_err(|e| e.to_string()) })
        })
    }

    pub async fn run(&self, op: Op, seq: u64) -> Result<u64, DbErr> {
        self.authenticate().await?;
        match op {
            Op::CoLed => self.co_led().await,
            Op::Dashboard => self.dashboard().await,
            Op::TaskPage => self.task_page().await,
            Op::TaskList => self.task_list(seq % 2 == 1).await,
            Op::StatsDoc => self.stats(Some(self.params.document_id)).await,
            Op::StatsAll => self.stats(None).await,
            Op::Overdue => self.overdue().await,
            Op::SubmitReport => self.submit(seq).await,
        }
    }

    pub fn sql(&self) -> Sql {
        Sql::new(self.db.get_database_backend())
    }

    async fn all(&self, q: Sql) -> Result<Vec<QueryResult>, DbErr> {
        self.db.query_all_raw(q.build()).await
    }

    async fn authenticate(&self) -> Result<(), DbErr> {
        let mut q = self.sql();
        q.push("SELECT id, role, department_id, label, revoked_at FROM api_token WHERE token_hash = ")
            .bind(self.params.token_hash.clone());
        for r in self.all(q).await? {
            let _: (i64, String, Option<i64>, String) = (
                r.try_get("", "id")?,
                r.try_get("", "role")?,
                r.try_get("", "department_id")?,
                r.try_get("", "label")?,
            );
            let _: Option<DateTime<Utc>> = r.try_get("", "revoked_at")?;
        }
        Ok(())
    }

    /// A page of tasks matching `pred` (over `task t`), `limit + 1` rows as a keyset page
    /// fetches, then trimmed; and their count when `count`.
    async fn tasks(
        &self,
        pred: impl Fn(&mut Sql),
        after: Option<i64>,
        limit: i64,
        count: bool,
    ) -> Result<Tasks, DbErr> {
        let mut q = self.sql();
        q.push("SELECT t.id, t.document_id, t.category_id, t.number, t.content, t.lead_count FROM task t WHERE ");
        pred(&mut q);
        if let Some(id) = after {
            q.push(" AND t.id > ").bind(id);
        }
        q.push(" ORDER BY t.id LIMIT ").bind(limit + 1);
        let mut found = Tasks::default();
        for r in self.all(q).await?.iter().take(limit as usize) {
            let _: (i32, String, i32) =
                (r.try_get("", "number")?, r.try_get("", "content")?, r.try_get("", "lead_count")?);
            found.ids.push(r.try_get::<i64>("", "id")?);
            found.categories.insert(r.try_get::<i64>("", "category_id")?);
            found.documents.insert(r.try_get::<i64>("", "document_id")?);
        }
        if count {
            let mut q = self.sql();
            q.push("SELECT COUNT(*) AS n FROM task t WHERE ");
            pred(&mut q);
            for r in self.all(q).await? {
                let _: i64 = r.try_get("", "n")?;
            }
        }
        Ok(found)
    }

    async fn categories(&self, ids: &BTreeSet<i64>) -> Result<(), DbErr> {
        let ids: Vec<i64> = ids.iter().copied().collect();
        let mut q = self.sql();
        q.push("SELECT c.id, c.number, c.name FROM category c WHERE c.id IN ").bind_list(&ids);
        for r in self.all(q).await? {
            let _: (i64, i32, String) = (r.try_get("", "id")?, r.try_get("", "number")?, r.try_get("", "name")?);
        }
        Ok(())
    }

    /// Assignments of the tasks (of one role, when given): rows and the departments named.
    async fn assignments(&self, task_ids: &[i64], role: Option<&str>) -> Result<(u64, BTreeSet<i64>), DbErr> {
        let mut q = self.sql();
        q.push("SELECT a.task_id, a.department_id, a.role, a.position FROM assignment a WHERE a.task_id IN ")
            .bind_list(task_ids);
        if let Some(role) = role {
            q.push(" AND a.role = ").bind(role);
        }
        q.push(" ORDER BY a.task_id, a.role, a.position");
        let rows = self.all(q).await?;
        let mut departments = BTreeSet::new();
        for r in &rows {
            let _: (i64, String, i32) = (r.try_get("", "task_id")?, r.try_get("", "role")?, r.try_get("", "position")?);
            departments.insert(r.try_get::<i64>("", "department_id")?);
        }
        Ok((rows.len() as u64, departments))
    }

    async fn departments(&self, ids: &BTreeSet<i64>) -> Result<(), DbErr> {
        let ids: Vec<i64> = ids.iter().copied().collect();
        let mut q = self.sql();
        q.push("SELECT d.id, d.name, d.region, d.kind FROM department d WHERE d.id IN ").bind_list(&ids);
        for r in self.all(q).await? {
            let _: (i64, String, String, String) =
                (r.try_get("", "id")?, r.try_get("", "name")?, r.try_get("", "region")?, r.try_get("", "kind")?);
        }
        Ok(())
    }

    fn lead_of(&self, q: &mut Sql, role: Option<&str>) {
        q.push("t.id IN (SELECT a.task_id FROM assignment a WHERE a.department_id = ").bind(self.params.department_id);
        if let Some(role) = role {
            q.push(" AND a.role = ").bind(role);
        }
        q.push(")");
    }

    async fn co_led(&self) -> Result<u64, DbErr> {
        let pred = |q: &mut Sql| {
            self.lead_of(q, Some("LEAD"));
            q.push(" AND t.lead_count >= 2");
        };
        let tasks = self.tasks(pred, None, 100, true).await?;
        self.categories(&tasks.categories).await?;
        let (leads, departments) = self.assignments(&tasks.ids, Some("LEAD")).await?;
        self.departments(&departments).await?;
        Ok(tasks.ids.len() as u64 + leads)
    }

    async fn dashboard(&self) -> Result<u64, DbErr> {
        let dept = self.params.department_id;
        self.departments(&BTreeSet::from([dept])).await?;
        let mut q = self.sql();
        q.push(
            "SELECT COALESCE(SUM(CASE WHEN a.role = 'LEAD' THEN 1 ELSE 0 END), 0) AS lead, \
             COALESCE(SUM(CASE WHEN a.role = 'LEAD' AND t.lead_count = 1 THEN 1 ELSE 0 END), 0) AS sole_lead, \
             COALESCE(SUM(CASE WHEN a.role = 'LEAD' AND t.lead_count >= 2 THEN 1 ELSE 0 END), 0) AS co_lead, \
             COALESCE(SUM(CASE WHEN a.role = 'RESPONSIBLE' THEN 1 ELSE 0 END), 0) AS responsible, \
             COUNT(DISTINCT a.task_id) AS total FROM assignment a JOIN task t ON t.id = a.task_id WHERE a.department_id = ",
        )
        .bind(dept);
        for r in self.all(q).await? {
            let _: [i64; 5] = [
                r.try_get("", "lead")?,
                r.try_get("", "sole_lead")?,
                r.try_get("", "co_lead")?,
                r.try_get("", "responsible")?,
                r.try_get("", "total")?,
            ];
        }
        let mut q = self.sql();
        q.push(
            "SELECT b.department_id AS other_id, COUNT(*) AS n FROM assignment a JOIN assignment b \
             ON b.task_id = a.task_id AND b.role = 'LEAD' AND b.department_id <> a.department_id \
             WHERE a.role = 'LEAD' AND a.department_id = ",
        )
        .bind(dept)
        .push(" GROUP BY b.department_id ORDER BY n DESC, MIN(a.task_id)");
        let mut co_leaders = BTreeSet::new();
        for r in self.all(q).await? {
            let _: i64 = r.try_get("", "n")?;
            co_leaders.insert(r.try_get::<i64>("", "other_id")?);
        }
        self.departments(&co_leaders).await?;
        let tasks = self.tasks(|q| self.lead_of(q, None), None, 50, true).await?;
        self.categories(&tasks.categories).await?;
        let (assignments, departments) = self.assignments(&tasks.ids, None).await?;
        self.departments(&departments).await?;
        let mut q = self.sql();
        q.push("SELECT r.task_id, r.revision, r.status, r.progress_percent, r.submitted_at FROM report r WHERE r.task_id IN ")
            .bind_list(&tasks.ids)
            .push(" ORDER BY r.id");
        let reports = self.all(q).await?;
        for r in &reports {
            let _: (i64, i32, String, i32, DateTime<Utc>) = (
                r.try_get("", "task_id")?,
                r.try_get("", "revision")?,
                r.try_get("", "status")?,
                r.try_get("", "progress_percent")?,
                r.try_get("", "submitted_at")?,
            );
        }
        Ok(co_leaders.len() as u64 + tasks.ids.len() as u64 + assignments + reports.len() as u64)
    }

    async fn task_page(&self) -> Result<u64, DbErr> {
        let id = self.params.task_id;
        let by_id = |q: &mut Sql| {
            q.push("t.id = ").bind(id);
        };
        let tasks = self.tasks(by_id, None, 1, false).await?;
        let documents: Vec<i64> = tasks.documents.iter().copied().collect();
        let mut q = self.sql();
        q.push("SELECT d.region, d.year, d.title, d.issuer FROM document d WHERE d.id IN ").bind_list(&documents);
        for r in self.all(q).await? {
            let _: (String, i32, String, String) =
                (r.try_get("", "region")?, r.try_get("", "year")?, r.try_get("", "title")?, r.try_get("", "issuer")?);
        }
        self.categories(&tasks.categories).await?;
        let (assignments, mut departments) = self.assignments(&tasks.ids, None).await?;
        let mut q = self.sql();
        q.push("SELECT i.target_value, i.unit, i.comparator, i.phrase FROM indicator i WHERE i.task_id = ")
            .bind(id)
            .push(" ORDER BY i.position");
        let indicators = self.all(q).await?;
        for r in &indicators {
            let _: (f64, String, String, String) = (
                r.try_get("", "target_value")?,
                r.try_get("", "unit")?,
                r.try_get("", "comparator")?,
                r.try_get("", "phrase")?,
            );
        }
        let mut q = self.sql();
        q.push(
            "SELECT r.id, r.department_id, r.period_id, r.revision, r.status, r.progress_percent, r.summary, \
             r.submitted_at, r.first_submitted_at FROM report r WHERE r.task_id = ",
        )
        .bind(id)
        .push(" ORDER BY r.id");
        let reports = self.all(q).await?;
        let (mut report_ids, mut periods) = (Vec::new(), Vec::new());
        for r in &reports {
            let _: (i32, String, i32, String, DateTime<Utc>, DateTime<Utc>) = (
                r.try_get("", "revision")?,
                r.try_get("", "status")?,
                r.try_get("", "progress_percent")?,
                r.try_get("", "summary")?,
                r.try_get("", "submitted_at")?,
                r.try_get("", "first_submitted_at")?,
            );
            report_ids.push(r.try_get::<i64>("", "id")?);
            periods.push(r.try_get::<i64>("", "period_id")?);
            departments.insert(r.try_get::<i64>("", "department_id")?);
        }
        self.departments(&departments).await?;
        let mut q = self.sql();
        q.push("SELECT p.id, p.quarter, p.label, p.due_on FROM reporting_period p WHERE p.id IN ").bind_list(&periods);
        for r in self.all(q).await? {
            let _: (i32, String, NaiveDate) =
                (r.try_get("", "quarter")?, r.try_get("", "label")?, r.try_get("", "due_on")?);
        }
        let mut q = self.sql();
        q.push("SELECT v.report_id, v.revision, v.status, v.progress_percent, v.submitted_at FROM report_revision v WHERE v.report_id IN ")
            .bind_list(&report_ids)
            .push(" ORDER BY v.report_id, v.revision");
        let revisions = self.all(q).await?;
        for r in &revisions {
            let _: (i32, String, i32, DateTime<Utc>) = (
                r.try_get("", "revision")?,
                r.try_get("", "status")?,
                r.try_get("", "progress_percent")?,
                r.try_get("", "submitted_at")?,
            );
        }
        Ok(assignments + indicators.len() as u64 + reports.len() as u64 + revisions.len() as u64)
    }

    async fn task_list(&self, second_page: bool) -> Result<u64, DbErr> {
        let p = &self.params;
        // The category's tasks first, through ix_task_category (as an array on PostgreSQL, so
        // that its planner does not run the text match over every task first).
        let pred = |q: &mut Sql| {
            if q.backend() == sea_orm::DbBackend::Postgres {
                q.push("t.category_id = ANY(ARRAY(SELECT c.id FROM category c WHERE c.number = ")
                    .bind(p.category_number);
                q.push("))");
            } else {
                q.push("t.category_id IN (SELECT c.id FROM category c WHERE c.number = ").bind(p.category_number);
                q.push(")");
            }
            q.push(" AND t.content LIKE ").bind(format!("%{}%", p.search)).push(" ESCAPE '\\'");
        };
        let after = if second_page { p.list_page1_last_id } else { None };
        let tasks = self.tasks(pred, after, 100, true).await?;
        self.categories(&tasks.categories).await?;
        let (leads, departments) = self.assignments(&tasks.ids, Some("LEAD")).await?;
        self.departments(&departments).await?;
        Ok(tasks.ids.len() as u64 + leads)
    }

    async fn stats(&self, document: Option<i64>) -> Result<u64, DbErr> {
        let mut q = self.sql();
        q.push(
            "SELECT a.department_id, COUNT(DISTINCT t.id) AS task_count, \
             COUNT(DISTINCT CASE WHEN t.lead_count >= 2 THEN t.id END) AS co_led_task_count, \
             COUNT(*) AS assignment_count FROM task t JOIN assignment a ON a.task_id = t.id",
        );
        if let Some(doc) = document {
            q.push(" WHERE t.document_id = ").bind(doc);
        }
        q.push(" GROUP BY a.department_id ORDER BY task_count DESC, a.department_id");
        if document.is_none() {
            q.push(&format!(" LIMIT {}", crate::ops::STATS_ALL_TOP));
        }
        let groups = self.all(q).await?;
        let mut departments = BTreeSet::new();
        for r in &groups {
            let _: [i64; 3] =
                [r.try_get("", "task_count")?, r.try_get("", "co_led_task_count")?, r.try_get("", "assignment_count")?];
            departments.insert(r.try_get::<i64>("", "department_id")?);
        }
        self.departments(&departments).await?;
        Ok(groups.len() as u64)
    }

    async fn overdue(&self) -> Result<u64, DbErr> {
        let mut q = self.sql();
        q.push("SELECT p.id, p.document_id, p.due_on FROM reporting_period p WHERE p.id = ")
            .bind(self.params.period_id);
        let Some(period) = self.all(q).await?.into_iter().next() else { return Ok(0) };
        let document: i64 = period.try_get("", "document_id")?;
        let due: NaiveDate = period.try_get("", "due_on")?;
        let now = Utc::now();
        let passed = now > qingdan::clock::end_of_day(due);
        let from_where = |q: &mut Sql| {
            q.push(
                " FROM assignment a JOIN task t ON t.id = a.task_id JOIN department d ON d.id = a.department_id \
                 LEFT JOIN report r ON r.task_id = a.task_id AND r.department_id = a.department_id AND r.period_id = ",
            )
            .bind(self.params.period_id);
            q.push(" WHERE t.document_id = ").bind(document);
            q.push(
                " AND d.kind <> 'COLLECTIVE' AND (a.role = 'LEAD' OR (a.role = 'RESPONSIBLE' AND t.lead_count = 0))",
            );
            q.push(if passed { "" } else { " AND 1 = 0" });
            q.push(" AND (r.id IS NULL OR r.first_submitted_at >= ").bind(now).push(")");
        };
        let mut q = self.sql();
        q.push("SELECT a.id, a.task_id, a.department_id");
        from_where(&mut q);
        q.push(" ORDER BY a.id LIMIT ").bind(101);
        let (mut tasks, mut departments) = (Vec::new(), BTreeSet::new());
        for r in self.all(q).await?.iter().take(100) {
            tasks.push(r.try_get::<i64>("", "task_id")?);
            departments.insert(r.try_get::<i64>("", "department_id")?);
        }
        let mut q = self.sql();
        q.push("SELECT COUNT(*) AS n");
        from_where(&mut q);
        for r in self.all(q).await? {
            let _: i64 = r.try_get("", "n")?;
        }
        let mut q = self.sql();
        q.push("SELECT t.id, t.number, t.content FROM task t WHERE t.id IN ").bind_list(&tasks);
        for r in self.all(q).await? {
            let _: (i32, String) = (r.try_get("", "number")?, r.try_get("", "content")?);
        }
        self.departments(&departments).await?;
        Ok(tasks.len() as u64)
    }
}
