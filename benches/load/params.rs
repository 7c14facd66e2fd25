//! Parameters of the canonical operations, picked from the data once, before any timing.

use anyhow::Context as _;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use qingdan::service::sql::Sql;
use sea_orm::{ConnectionTrait, DatabaseConnection, QueryResult, Value};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// What the operations ask for.
#[derive(Debug, Clone, Serialize)]
pub struct Params {
    /// The busiest bureau: the department with the most co-led LEAD tasks.
    pub department_id: i64,
    pub department_name: String,
    pub department_co_led: i64,
    /// A task with co-leads, indicators and reports (the richest task page).
    pub task_id: i64,
    /// Its document (taskStats over one document, obligations).
    pub document_id: i64,
    /// Category number and search term of the task list.
    pub category_number: i32,
    pub search: String,
    /// Matches of the task list; id of the last task of its first page.
    pub list_matches: i64,
    pub list_page1_last_id: Option<i64>,
    /// A reporting period of `document_id` whose deadline has passed.
    pub period_id: i64,
    /// Existing reports (task, department, period) that `submitReport` revises in turn.
    #[serde(skip)]
    pub writes: Vec<(i64, i64, i64)>,
    pub write_pool: usize,
    /// SHA-256 of the bearer token, as the server looks it up.
    #[serde(skip)]
    pub token_hash: String,
}

/// The global id of row `id` of `type_name` (base64url, no padding, of "Type:id").
pub fn global_id(type_name: &str, id: i64) -> String {
    URL_SAFE_NO_PAD.encode(format!("{type_name}:{id}"))
}

/// Rows in the database, for the report.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct DataSize {
    pub documents: i64,
    pub tasks: i64,
    pub assignments: i64,
    pub departments: i64,
    pub reports: i64,
}

pub async fn data_size(db: &DatabaseConnection) -> anyhow::Result<DataSize> {
    let mut q = Sql::new(db.get_database_backend());
    q.push(
        "SELECT (SELECT COUNT(*) FROM document) AS documents, (SELECT COUNT(*) FROM task) AS tasks, \
         (SELECT COUNT(*) FROM assignment) AS assignments, (SELECT COUNT(*) FROM department) AS departments, \
         (SELECT COUNT(*) FROM report) AS reports",
    );
    let r = one(db, q).await?;
    Ok(DataSize {
        documents: r.try_get("", "documents")?,
        tasks: r.try_get("", "tasks")?,
        assignments: r.try_get("", "assignments")?,
        departments: r.try_get("", "departments")?,
        reports: r.try_get("", "reports")?,
    })
}

pub async fn pick(db: &DatabaseConnection, search: &str, token: &str) -> anyhow::Result<Params> {
    let backend = db.get_database_backend();
    let mut q = Sql::new(backend);
    q.push(
        "SELECT a.department_id AS id, d.name AS name, COUNT(*) AS n FROM assignment a \
         JOIN task t ON t.id = a.task_id JOIN department d ON d.id = a.department_id \
         WHERE a.role = 'LEAD' AND t.lead_count >= 2 GROUP BY a.department_id, d.name \
         ORDER BY n DESC, a.department_id LIMIT 1",
    );
    let busiest = one(db, q).await.context("no co-led task: generate data first")?;

    let mut q = Sql::new(backend);
    q.push(
        "SELECT t.id, t.document_id FROM task t WHERE t.lead_count >= 2 \
         AND t.id IN (SELECT i.task_id FROM indicator i) AND t.id IN (SELECT r.task_id FROM report r) \
         ORDER BY t.id LIMIT 1",
    );
    let task = match one(db, q).await {
        Ok(r) => r,
        Err(_) => {
            let mut q = Sql::new(backend);
            q.push("SELECT t.id, t.document_id FROM task t ORDER BY t.id LIMIT 1");
            one(db, q).await?
        }
    };
    let document_id: i64 = task.try_get("", "document_id")?;

    let pattern = format!("%{search}%");
    let mut q = Sql::new(backend);
    q.push("SELECT c.number AS number, COUNT(*) AS n FROM task t JOIN category c ON c.id = t.category_id WHERE t.content LIKE ")
        .bind(pattern.clone())
        .push(" GROUP BY c.number ORDER BY n DESC, c.number LIMIT 1");
    let category = one(db, q).await.with_context(|| format!("no task contains {search:?}"))?;
    let category_number: i32 = category.try_get("", "number")?;
    let mut q = Sql::new(backend);
    q.push("SELECT t.id FROM task t WHERE t.category_id IN (SELECT c.id FROM category c WHERE c.number = ")
        .bind(category_number)
        .push(") AND t.content LIKE ")
        .bind(pattern)
        .push(" ORDER BY t.id LIMIT 100");
    let page1 = db.query_all_raw(q.build()).await?;
    let list_page1_last_id = match page1.last() {
        Some(r) => Some(r.try_get::<i64>("", "id")?),
        None => None,
    };

    let today = chrono::Utc::now().date_naive();
    let mut q = Sql::new(backend);
    q.push("SELECT p.id FROM reporting_period p WHERE p.due_on < ")
        .bind(Value::from(today))
        .push(" ORDER BY CASE WHEN p.document_id = ")
        .bind(document_id)
        .push(" THEN 0 ELSE 1 END, p.quarter DESC, p.id LIMIT 1");
    let period = one(db, q).await.context("no reporting period whose deadline has passed")?;

    let mut q = Sql::new(backend);
    // Revisions of other tasks' reports: the task page's rows stay the same from run to run,
    // and no obligation changes state (every report already exists).
    q.push("SELECT r.task_id, r.department_id, r.period_id FROM report r WHERE r.task_id <> ")
        .bind(task.try_get::<i64>("", "id")?)
        .push(" ORDER BY r.id LIMIT 2000");
    let mut writes = Vec::new();
    for r in db.query_all_raw(q.build()).await? {
        writes.push((r.try_get("", "task_id")?, r.try_get("", "department_id")?, r.try_get("", "period_id")?));
    }
    anyhow::ensure!(!writes.is_empty(), "no report to revise: generate data with reports");

    Ok(Params {
        department_id: busiest.try_get("", "id")?,
        department_name: busiest.try_get("", "name")?,
        department_co_led: busiest.try_get("", "n")?,
        task_id: task.try_get("", "id")?,
        document_id,
        category_number,
        search: search.to_owned(),
        list_matches: category.try_get("", "n")?,
        list_page1_last_id,
        period_id: period.try_get("", "id")?,
        write_pool: writes.len(),
        writes,
        token_hash: Sha256::digest(token.as_bytes()).iter().map(|b| format!("{b:02x}")).collect(),
    })
}

async fn one(db: &DatabaseConnection, q: Sql) -> anyhow::Result<QueryResult> {
    db.query_one_raw(q.build()).await?.context("the query returned no row")
}
