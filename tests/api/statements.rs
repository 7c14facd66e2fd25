//! The SQL statements one request runs grow with its depth, never with its rows.

use crate::on_each_backend;

const ALL_TASKS_DEEP: &str = "query($n: Int) { tasks(first: $n) { totalCount nodes { number content isCoLed
    category { number name }
    leads { name kind workload { lead soleLead coLead responsible total } }
    responsibleUnits { name isCollective }
    indicators { targetValue unit comparator phrase } } } }";

on_each_backend! {
    async fn listing_tasks_with_relations_runs_the_same_few_statements_for_10_and_129_tasks(app) {
        let app = app.without_list_cache();
        let run = |n: i64| {
            let app = &app;
            async move {
                let before = app.statements();
                let resp = app.query_with(ALL_TASKS_DEEP, serde_json::json!({ "n": n })).await;
                assert!(resp.get("errors").is_none(), "{resp:#}");
                assert_eq!(resp["data"]["tasks"]["nodes"].as_array().map(Vec::len), Some(n as usize));
                app.statements() - before
            }
        };
        let ten = run(10).await;
        let all = run(129).await;
        // tasks page, count, categories, assignments, departments, indicators, workloads.
        assert_eq!(ten, all, "[{}] statements grew with the rows", app.backend_name);
        assert_eq!(all, 7, "[{}] statements for the deep task listing", app.backend_name);
    }
}

on_each_backend! {
    async fn departments_with_their_task_pages_batch_into_one_statement_per_level(app) {
        let app = app.without_list_cache();
        let q = "{ departments(first: 60) { nodes { name tasks(role: LEAD, first: 3) { totalCount nodes { number category { name } } } coLeaders { department { name } taskCount } } } }";
        let n = app.count_statements(q).await;
        // departments page; task pages; task counts; categories; co-leaders; co-leader departments.
        assert_eq!(n, 6, "[{}]", app.backend_name);
    }
}

/// The harness's canonical reads (benches/load/ops.rs), by name, with their bound: one statement
/// per relation the query names. Siblings of one level may resolve apart (a task's assignments
/// come back before its reports), and their children then go out in two batches, so a count
/// may fall below the bound from one run to the next; a load per row would overshoot it at once.
/// The last figure is the same read again once the cache holds its rows: the versions of the list
/// and of the reports, one statement.
const CANONICAL: [(&str, &str, u64, u64); 5] = [
    (
        "co-led items",
        "query($dept: ID!) { tasks(filter: {departmentId: $dept, role: LEAD, coLed: true}, first: 100) {
            totalCount nodes { id number content category { number name } leads { name } } } }",
        // page, count, categories, assignments, departments.
        5,
        // the versions.
        1,
    ),
    (
        "dashboard",
        "query($dept: ID!) { department(id: $dept) { name kind
            workload { lead soleLead coLead responsible total } coLeaders { department { name } taskCount }
            tasks(first: 50) { totalCount pageInfo { hasNextPage endCursor } nodes { id number content category { name }
                leads { name } responsibleUnits { name } reports { revision status progressPercent submittedAt } } } } }",
        // department, workload, co-leaders, their departments, task page, count, categories,
        // leads, responsible units (one loader: once or twice), their departments (likewise), reports.
        12,
        // the versions.
        1,
    ),
    (
        "task page",
        "query($task: ID!) { node(id: $task) { id ... on Task { number content isCoLed
            category { number name } document { region year title issuer }
            assignments { role position department { id name kind } } indicators { targetValue unit comparator phrase }
            reports { revision status progressPercent summary submittedAt isLate department { name }
                period { quarter label dueOn } revisions { revision status progressPercent submittedAt } } } } }",
        // task, category, document, assignments, their departments, indicators, reports, their
        // departments, periods (for `period` and for `isLate`), revisions.
        11,
        // the versions.
        1,
    ),
    (
        "taskStats over all documents",
        "{ taskStats(groupBy: [DEPARTMENT], first: 100) {
            department { name } taskCount coLedTaskCount assignmentCount } }",
        // list version, the aggregate (kept until the list changes), departments.
        3,
        // the versions.
        1,
    ),
    (
        "overdue obligations",
        "query($period: ID!) { obligations(periodId: $period, state: OVERDUE, first: 100) {
            totalCount pageInfo { hasNextPage endCursor } nodes { state task { id number content } department { name } } } }",
        // period, page, count, tasks, departments.
        5,
        // the versions (the period's obligations are kept; their states are judged per request).
        1,
    ),
];

/// A fresh database beside `app`'s with `documents` generated documents, reports included.
async fn generated(app: &crate::support::TestApp, documents: usize) -> crate::support::TestApp {
    let backend = crate::support::backends()
        .into_iter()
        .find(|b| matches!(b, crate::support::Backend::Postgres(_)) == (app.backend_name == "postgres"))
        .expect("the backend");
    let out = crate::support::TestApp::empty(backend).await;
    let opts = qingdan::generate::GenerateOptions { documents, seed: 11, with_reports: true };
    qingdan::generate::generate(&out.state.db, opts, |_| {}).await.expect("generate");
    out
}

/// Statements of each canonical read on `app`, with the busiest co-leading bureau, the first
/// task and the first document's last period.
async fn canonical_statements(app: &crate::support::TestApp) -> Vec<(&'static str, u64)> {
    let (admin, _) = app.token(entity::TokenRole::Admin, None).await;
    let q = "{ departments(first: 500) { nodes { id tasks(role: LEAD, coLed: true) { totalCount } } }
        tasks(first: 1) { nodes { id } } documents { reportingPeriods { id } } }";
    let picks = app.query_as(&admin, q, serde_json::json!({})).await;
    let data = &picks["data"];
    let dept = data["departments"]["nodes"]
        .as_array()
        .expect("departments")
        .iter()
        .max_by_key(|d| d["tasks"]["totalCount"].as_i64().unwrap_or(0))
        .expect("a department")["id"]
        .clone();
    let task = data["tasks"]["nodes"][0]["id"].clone();
    let period =
        data["documents"][0]["reportingPeriods"].as_array().and_then(|p| p.last()).expect("a period")["id"].clone();
    let vars = serde_json::json!({ "dept": dept, "task": task, "period": period });
    let mut out = Vec::new();
    for (name, query, _, _) in CANONICAL {
        let before = app.statements();
        let resp = app.query_as(&admin, query, vars.clone()).await;
        assert!(resp.get("errors").is_none(), "[{}] {name}: {resp:#}", app.backend_name);
        out.push((name, app.statements() - before));
    }
    out
}

on_each_backend! {
    async fn the_canonical_reads_stay_within_their_bound_on_one_document_and_on_twelve(app) {
        let one = canonical_statements(&generated(&app, 1).await.without_list_cache()).await;
        let twelve = canonical_statements(&generated(&app, 12).await.without_list_cache()).await;
        eprintln!("[{}] statements on one document: {one:?}; on twelve: {twelve:?}", app.backend_name);
        for (counts, size) in [(&one, "one document"), (&twelve, "twelve documents")] {
            for ((name, n), (_, _, bound, _)) in counts.iter().zip(CANONICAL) {
                assert!(*n <= bound, "[{}] {name} on {size}: {n} statements, the bound is {bound}", app.backend_name);
            }
        }
    }
}

on_each_backend! {
    async fn the_canonical_reads_again_ask_the_database_only_for_the_versions(app) {
        // Rows kept (every request executes), then whole answers kept as well.
        for answers in [false, true] {
            let cached = generated(&app, 12).await;
            let cached = if answers { cached } else { cached.without_response_cache() };
            let cold = canonical_statements(&cached).await;
            let warm = canonical_statements(&cached).await;
            eprintln!("[{}] answers kept {answers}: statements cold: {cold:?}; warm: {warm:?}", app.backend_name);
            for (((name, cold), (_, warm)), (_, _, bound, expected)) in cold.iter().zip(&warm).zip(CANONICAL) {
                // Cold, the versions are one statement more than the bound of the uncached read.
                let at = format!("[{}] {name}, answers kept {answers}", app.backend_name);
                assert!(*cold <= bound + 1, "{at}: cold {cold} statements, the bound is {bound} + 1");
                assert_eq!(*warm, expected, "{at}: warm");
            }
        }
    }
}
