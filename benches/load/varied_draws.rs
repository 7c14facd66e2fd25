//! The varied mode's draws: every operation's pool of distinct requests, taken from the whole
//! dataset through plain SQL that reads the same on SQLite and PostgreSQL, ordered, then shuffled
//! with a seeded RNG, so one seed gives the same draws on both backends and to both servers.
//! Bodies are made from a pool's keys when sent (a national pool holds ~10⁵–10⁶ of them).

use std::collections::HashMap;
use std::sync::Arc;

use anyhow::Context as _;
use chrono::Datelike as _;
use rand::SeedableRng as _;
use rand::rngs::StdRng;
use rand::seq::SliceRandom as _;
use sea_orm::{ConnectionTrait, DatabaseConnection, QueryResult, Statement};
use serde_json::{Value, json};

use crate::params::global_id;
use crate::seaography_queries as sea;
use crate::varied_queries as q;

/// The varied operations, in the order they run.
pub const OPS: [&str; 9] =
    ["task_page", "dashboard", "co_led", "task_list", "stats", "overdue", "lights", "board", "reporting_day"];

/// One draw: up to three numbers (ids, a `first`, a search term's index, a day).
pub type Key = [i64; 3];
/// An existing report a writer revises: (task, department, period).
pub type Write = (i64, i64, i64);
/// Makes one body from a key.
pub type Maker = Arc<dyn Fn(&Key) -> String + Send + Sync>;

/// One operation's draws: distinct keys, shuffled; how qingdan and the peer ask for each.
pub struct Pool {
    pub op: &'static str,
    pub keys: Vec<Key>,
    pub qingdan: Maker,
    /// PostGraphile v5's query, when it can express the request.
    pub peer: Option<Maker>,
    /// Seaography 2's query, when it can express the request.
    pub seaography: Option<Maker>,
}

/// Every pool, and the writes of `reporting_day`.
pub struct Draws {
    pub pools: HashMap<&'static str, Pool>,
    /// Existing reports (task, department, period), shuffled: the writers revise them.
    pub writes: Vec<Write>,
    /// Search terms of `task_list`.
    pub search_terms: usize,
}

/// A GraphQL body, as varied.py writes it (`ensure_ascii=False`: serde_json keeps UTF-8).
pub fn body(query: &str, variables: Value) -> String {
    json!({ "query": query, "variables": variables }).to_string()
}

fn maker(f: impl Fn(&Key) -> String + Send + Sync + 'static) -> Maker {
    Arc::new(f)
}

async fn rows(db: &DatabaseConnection, sql: &str) -> anyhow::Result<Vec<QueryResult>> {
    let backend = db.get_database_backend();
    db.query_all_raw(Statement::from_string(backend, sql)).await.with_context(|| format!("draws: {sql}"))
}

async fn ids(db: &DatabaseConnection, sql: &str) -> anyhow::Result<Vec<i64>> {
    rows(db, sql).await?.iter().map(|r| r.try_get_by_index::<i64>(0).map_err(Into::into)).collect()
}

/// The most common two-Han-character words of a sample of task contents (up to 300), as
/// varied.py finds them (`re.findall("[\u4e00-\u9fff]{2}")`: non-overlapping pairs, counted
/// once per task). The sample is every task whose id is a multiple of a step (≈ 2,000 tasks;
/// all of them in small data) instead of `TABLESAMPLE SYSTEM (5)`, which SQLite lacks; ties are
/// broken by the word, so the terms do not depend on the backend.
async fn search_terms(db: &DatabaseConnection) -> anyhow::Result<Vec<String>> {
    let tasks = ids(db, "SELECT COUNT(*) FROM task").await?.first().copied().unwrap_or(0);
    let step = (tasks / 2000).clamp(1, 20);
    let pair = regex::Regex::new(r"[\x{4e00}-\x{9fff}]{2}")?;
    let mut counts: HashMap<String, u64> = HashMap::new();
    for r in rows(db, &format!("SELECT content FROM task WHERE id % {step} = 0 ORDER BY id")).await? {
        let content: String = r.try_get_by_index(0)?;
        let mut words: Vec<&str> = pair.find_iter(&content).map(|m| m.as_str()).collect();
        words.sort_unstable();
        words.dedup();
        for w in words {
            *counts.entry(w.to_owned()).or_default() += 1;
        }
    }
    let mut terms: Vec<(String, u64)> = counts.into_iter().collect();
    terms.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Ok(terms.into_iter().take(300).map(|(w, _)| w).collect())
}

/// Draws every pool from `db`, shuffled with `seed`.
pub async fn draw(db: &DatabaseConnection, seed: u64) -> anyhow::Result<Draws> {
    let mut rng = StdRng::seed_from_u64(seed);
    let tasks = ids(db, "SELECT id FROM task ORDER BY id").await?;
    let depts = ids(db, "SELECT DISTINCT department_id FROM assignment ORDER BY department_id").await?;
    let leads = ids(
        db,
        "SELECT DISTINCT a.department_id FROM assignment a JOIN task t ON t.id = a.task_id \
         WHERE a.role = 'LEAD' AND t.lead_count >= 2 ORDER BY a.department_id",
    )
    .await?;
    let docs = ids(db, "SELECT id FROM document ORDER BY id").await?;
    let periods = ids(db, "SELECT id FROM reporting_period ORDER BY id").await?;
    let categories: Vec<i64> = rows(db, "SELECT DISTINCT number FROM category ORDER BY number")
        .await?
        .iter()
        .map(|r| r.try_get_by_index::<i32>(0).map(i64::from))
        .collect::<Result<_, _>>()?;
    let terms = Arc::new(search_terms(db).await?);

    let mut shuffled = |mut keys: Vec<Key>| {
        keys.shuffle(&mut rng);
        keys
    };
    let by = |items: &[i64], firsts: &[i64]| -> Vec<Key> {
        items.iter().flat_map(|&i| firsts.iter().map(move |&f| [i, f, 0])).collect()
    };
    let range = |from: i64, to: i64| (from..=to).collect::<Vec<i64>>();
    let mut pools = Vec::new();

    pools.push(Pool {
        op: "task_page",
        keys: shuffled(tasks.iter().map(|&t| [t, 0, 0]).collect()),
        qingdan: maker(|k| body(q::TASK_PAGE, json!({ "id": global_id("Task", k[0]) }))),
        peer: Some(maker(|k| body(q::PEER_TASK_PAGE, json!({ "id": k[0].to_string() })))),
        seaography: Some(maker(|k| body(sea::SEA_TASK_PAGE, json!({ "id": k[0] })))),
    });
    let dashboard_keys = by(&depts, &range(20, 80));
    let dashboard = maker(|k| body(q::DASHBOARD, json!({ "dept": global_id("Department", k[0]), "first": k[1] })));
    let peer_dashboard = maker(|k| body(q::PEER_DASHBOARD, json!({ "dept": k[0].to_string(), "first": k[1] })));
    let sea_dashboard = maker(|k| body(sea::SEA_DASHBOARD, json!({ "dept": k[0], "first": k[1] })));
    pools.push(Pool {
        op: "dashboard",
        keys: shuffled(dashboard_keys.clone()),
        qingdan: dashboard.clone(),
        peer: Some(peer_dashboard.clone()),
        seaography: Some(sea_dashboard.clone()),
    });
    pools.push(Pool {
        op: "co_led",
        keys: shuffled(by(&leads, &range(1, 100))),
        qingdan: maker(|k| body(q::CO_LED, json!({ "dept": global_id("Department", k[0]), "first": k[1] }))),
        peer: Some(maker(|k| body(q::PEER_CO_LED, json!({ "dept": k[0].to_string(), "first": k[1] })))),
        seaography: Some(maker(|k| body(sea::SEA_CO_LED, json!({ "dept": k[0], "first": k[1] })))),
    });
    let mut list_keys = Vec::new();
    for &c in &categories {
        for s in 0..terms.len() as i64 {
            list_keys.extend((20..=100).step_by(4).map(|f| [c, s, f]));
        }
    }
    let (t1, t2, t3) = (terms.clone(), terms.clone(), terms.clone());
    pools.push(Pool {
        op: "task_list",
        keys: shuffled(list_keys),
        qingdan: maker(move |k| {
            body(q::TASK_LIST, json!({ "category": k[0], "search": t1[k[1] as usize], "first": k[2] }))
        }),
        peer: Some(maker(move |k| {
            body(q::PEER_TASK_LIST, json!({ "category": k[0], "search": t2[k[1] as usize], "first": k[2] }))
        })),
        seaography: Some(maker(move |k| {
            body(sea::SEA_TASK_LIST, json!({ "category": k[0], "search": t3[k[1] as usize], "first": k[2] }))
        })),
    });
    pools.push(Pool {
        op: "stats",
        keys: shuffled(by(&docs, &range(1, 500))),
        qingdan: maker(|k| body(q::STATS, json!({ "doc": global_id("Document", k[0]), "first": k[1] }))),
        peer: Some(maker(|k| body(q::PEER_STATS, json!({ "doc": k[0].to_string(), "first": k[1] })))),
        // `first` is sent (every body distinct) though the query cannot use it: every assignment
        // of the document comes back, for the client to group.
        seaography: Some(maker(|k| body(sea::SEA_STATS, json!({ "doc": k[0], "first": k[1] })))),
    });
    pools.push(Pool {
        op: "overdue",
        keys: shuffled(by(&periods, &range(1, 100))),
        qingdan: maker(|k| body(q::OVERDUE, json!({ "period": global_id("ReportingPeriod", k[0]), "first": k[1] }))),
        peer: None,
        seaography: None,
    });

    // The supervising office's view: one department's obligations of one period with their
    // lights, judged on a day around the due date (no peer: PostGraphile has no lights).
    let mut lights = Vec::new();
    for r in rows(
        db,
        "SELECT DISTINCT p.id, a.department_id, p.due_on FROM assignment a JOIN task t ON t.id = a.task_id \
         JOIN reporting_period p ON p.document_id = t.document_id WHERE a.role = 'LEAD' \
         ORDER BY p.id, a.department_id",
    )
    .await?
    {
        let (period, dept): (i64, i64) = (r.try_get_by_index(0)?, r.try_get_by_index(1)?);
        let due: chrono::NaiveDate = r.try_get_by_index(2)?;
        for offset in [-6, -2, 0, 3] {
            lights.push([period, dept, i64::from(due.num_days_from_ce() + offset)]);
        }
    }
    pools.push(Pool {
        op: "lights",
        keys: shuffled(lights),
        qingdan: maker(|k| {
            let day = i32::try_from(k[2]).ok().and_then(chrono::NaiveDate::from_num_days_from_ce_opt);
            let as_of = day.map_or_else(String::new, |d| d.format("%Y-%m-%d").to_string());
            body(
                q::LIGHTS,
                json!({ "period": global_id("ReportingPeriod", k[0]), "dept": global_id("Department", k[1]), "asOf": as_of }),
            )
        }),
        peer: None,
        seaography: None,
    });
    // The supervision board's first screen (`BoardPeriod`, the page's own operation): a document's
    // period judged on a day from 20 days before its due date to 40 after (no peer: PostGraphile
    // has no obligations, lights or assessment).
    let mut board = Vec::new();
    for r in rows(db, "SELECT id, document_id, due_on FROM reporting_period ORDER BY id").await? {
        let (period, doc): (i64, i64) = (r.try_get_by_index(0)?, r.try_get_by_index(1)?);
        let due: chrono::NaiveDate = r.try_get_by_index(2)?;
        for offset in (-20..=40).step_by(2) {
            board.push([period, doc, i64::from(due.num_days_from_ce() + offset)]);
        }
    }
    let board_period = q::board_period();
    pools.push(Pool {
        op: "board",
        keys: shuffled(board),
        qingdan: maker(move |k| {
            let day = i32::try_from(k[2]).ok().and_then(chrono::NaiveDate::from_num_days_from_ce_opt);
            let as_of = day.map_or_else(String::new, |d| d.format("%Y-%m-%d").to_string());
            body(
                &board_period,
                json!({ "periodId": global_id("ReportingPeriod", k[0]), "documentId": global_id("Document", k[1]), "asOf": as_of }),
            )
        }),
        peer: None,
        seaography: None,
    });
    // Dashboards again, in another order than the `dashboard` op's (varied.py sends the very
    // same sequence, whose answers that op may have left in the answer cache).
    pools.push(Pool {
        op: "reporting_day",
        keys: shuffled(dashboard_keys),
        qingdan: dashboard,
        peer: Some(peer_dashboard),
        seaography: Some(sea_dashboard),
    });

    let mut writes = Vec::new();
    for r in rows(db, "SELECT task_id, department_id, period_id FROM report ORDER BY id").await? {
        writes.push((r.try_get_by_index(0)?, r.try_get_by_index(1)?, r.try_get_by_index(2)?));
    }
    writes.shuffle(&mut rng);
    Ok(Draws { pools: pools.into_iter().map(|p| (p.op, p)).collect(), writes, search_terms: terms.len() })
}

/// A writer's body: a revision of `share[seq % len]`, number `number` of the run (its progress
/// is `number % 101`, its summary names it, so no two bodies of a run are the same).
pub fn write_body(share: &[Write], seq: u64, number: u64) -> String {
    let (task, dept, period) = share[(seq % share.len() as u64) as usize];
    body(
        q::SUBMIT,
        json!({ "input": {
            "taskId": global_id("Task", task),
            "departmentId": global_id("Department", dept),
            "periodId": global_id("ReportingPeriod", period),
            "status": "ON_TRACK",
            "progressPercent": number % 101,
            "summary": format!("报送日第{number}次"),
        }}),
    )
}
