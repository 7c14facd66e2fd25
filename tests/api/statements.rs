//! The SQL statements one request runs grow with its depth, never with its rows: the list's
//! relations come from the snapshot, the reports and supervision rows from the held rows (no
//! statement once they are up to date), each relation of the audit trail and webhooks is one
//! batch per level, and every request reads the versions once.

use serde_json::json;

use crate::on_each_backend;
use crate::support::TestApp;

/// Every relation of the schema, by the query that walks it, with the statements it runs once the
/// snapshot is built and the held rows are up to date: the versions, then one per relation of the
/// audit trail or webhooks named (a report relation served from memory asks nothing). `$n` is the number of
/// parents where the query pages them; the count must not depend on it.
const RELATIONS: [(&str, &str, u64); 14] = [
    (
        "Document.categories, Document.reportingPeriods, Document.currentPeriod, Category.document, Category.tasks, ReportingPeriod.document",
        "query($n: Int) { documents { categories { number document { year } tasks(first: $n) { totalCount nodes { number } } }
            reportingPeriods { quarter document { year } } currentPeriod { quarter } } }",
        1,
    ),
    (
        "Task.category, .document, .leads, .responsibleUnits, .assignments, Assignment.department, .indicators, Indicator.task, Task.reports",
        "query($n: Int) { tasks(first: $n) { totalCount nodes { number isCoLed category { name } document { year }
            leads { name } responsibleUnits { name } assignments { role position department { name } }
            indicators { unit task { number } } reports { revision review { state } } } } }",
        // the versions (reports of the tasks: held).
        1,
    ),
    (
        "Task.light, Task.history, Indicator.latestValue, .progressPercent, .values",
        "query($n: Int, $p: ID!, $d: ID!) { tasks(filter: {documentId: $d, hasIndicators: true}, first: $n) { nodes { number
            light(periodId: $p, asOf: \"2023-06-01\") history { action at }
            indicators { latestValue progressPercent values { value period { quarter } department { name } } } } } }",
        // the versions, events of the tasks (reports, extensions and closures: held).
        2,
    ),
    (
        "Department.tasks, .coLeaders, CoLeader.department, CoLeader.tasks, .workload, .reports, .obligations, Obligation.*",
        "query($n: Int, $p: ID!) { departments(first: $n) { totalCount nodes { name kind isCollective
            workload { lead soleLead coLead responsible total }
            coLeaders { taskCount department { name } tasks { number } }
            tasks(role: LEAD, first: 3) { totalCount nodes { number } }
            reports(first: 3) { totalCount nodes { revision } }
            notices { level }
            obligations(periodId: $p, asOf: \"2023-06-01\", first: 3) { totalCount
                nodes { state light dueOn task { number } department { name } period { quarter } report { revision }
                    extensions { state } notices { level } } } } } }",
        // the versions (reports and notices of the departments, reports, extensions and notices
        // of the period, closures of the document: held).
        1,
    ),
    (
        "Task.reports with Report.revisions",
        "query($n: Int) { tasks(first: $n) { nodes { number reports { revision revisions { revision status } } } } }",
        // the versions (reports and revisions: held).
        1,
    ),
    (
        "ReportingPeriod.reports",
        "query($n: Int) { documents { reportingPeriods { reports(first: $n) { totalCount nodes { revision } } } } }",
        // the versions (reports of the periods: held).
        1,
    ),
    (
        "Report.task, .department, .period, .indicatorValues, ReportedValue.indicator, .revisions, .review, .history",
        "query($n: Int) { reports(first: $n) { nodes { revision isLate task { number } department { name } period { quarter }
            review { state comment } history { action actor }
            indicatorValues { value indicator { unit } } revisions { revision isLate review { state } indicatorValues { value } } } } }",
        // the versions, the reports' events (the page, its revisions: held).
        2,
    ),
    (
        "events, Event.task, Event.department",
        "query($n: Int) { events(first: $n) { totalCount nodes { action actorId subjectId before after
            task { number } department { name } } } }",
        // the page of events, their count (the generated documents' import events name no task or
        // department, so the list, and with it the versions, is not read).
        2,
    ),
    (
        "webhooks, webhookDeliveries, WebhookDelivery.webhook, WebhookDelivery.event",
        "query($n: Int) { webhooks { url events } webhookDeliveries(first: $n) { totalCount
            nodes { state attempts action webhook { url } event { action subjectId } } } }",
        // the webhooks, the page of deliveries, their count, their webhooks, their events (the
        // generated documents' import events, one per document, are owed to the one webhook).
        5,
    ),
    (
        "obligations, obligations(waitingFor:), obligationSummary, ObligationSummary.byDepartment, .byCategory, .department, .category",
        "query($n: Int, $p: ID!) { obligations(periodId: $p, asOf: \"2023-06-01\", first: $n) { totalCount
            nodes { state light dueOn task { number } department { name } report { revision summary } } }
            waiting: obligations(periodId: $p, asOf: \"2023-06-01\", waitingFor: REVIEW, first: $n) { totalCount nodes { task { number } } }
            obligationSummary(periodId: $p, asOf: \"2023-06-01\") { total overdue returned red pendingReview extensionsPending
                averageProgress scheduledProgress byDepartment { department { name } total red }
                byCategory { category { name document { year } } total averageProgress } } }",
        // the versions (reports and extensions of the period, closures of the document: held).
        1,
    ),
    (
        "taskStats.category, taskStats.department",
        "query($n: Int) { taskStats(groupBy: [CATEGORY, DEPARTMENT], first: $n) { category { name } department { name } taskCount } }",
        1,
    ),
    (
        "Task.closedOn, .closures, Closure.department, Department.formerNames",
        "query($n: Int) { tasks(first: $n) { nodes { number closedOn closures { state department { name formerNames } } } } }",
        // the versions (closures: held).
        1,
    ),
    (
        "Document.versions, DocumentVersion.changes, TaskChange.task, .version, Task.changes, .removedOn",
        "query($n: Int) { documents { versions { number changes { kind task { number } before { content } } } }
            tasks(first: $n, filter: {includeRemoved: true}) { nodes { removedOn changes { kind version { number } } } } }",
        // the versions: versions and changes are in the list snapshot.
        1,
    ),
    (
        "node, task, department, viewer, categories, reportingPeriods",
        "query($n: Int, $p: ID!) { node(id: $p) { id ... on ReportingPeriod { quarter document { year } } }
            departments(first: $n) { nodes { id } } categories { name document { year } }
            viewer { role department { name } } }",
        1,
    ),
];

/// A fresh database beside `app`'s with `documents` generated documents, reports included.
pub(crate) async fn generated(app: &TestApp, documents: usize) -> TestApp {
    let backend =
        if app.backend_name == "postgres" { crate::support::postgres() } else { crate::support::Backend::Sqlite };
    let out = TestApp::empty(backend).await;
    // A webhook, so that the imports fill the outbox (a delivery per document).
    let events =
        qingdan::service::webhooks::Subscription::Only(vec![qingdan::service::writes::Action::DocumentImported]);
    let actor = qingdan::service::writes::Actor::cli();
    qingdan::service::webhooks::add(
        &out.state.writer,
        &actor,
        "http://127.0.0.1:9/hook",
        "a-secret-of-16-chars",
        &events,
    )
    .await
    .expect("a webhook");
    let opts = qingdan::generate::GenerateOptions { documents, seed: 11, with_reports: true };
    qingdan::generate::generate(out.state.primary(), opts, |_| {}).await.expect("generate");
    // Batches go out when the request goes idle; the window is only a fallback, which a machine
    // starved by the parallel suite could hit before every sibling registered its key.
    let mut out = out;
    out.state.limits.batch_window_us = 5_000_000;
    out.without_response_cache()
}

/// Statements of `query` as `admin`, with no errors.
pub(crate) async fn statements_of(
    app: &TestApp,
    admin: &qingdan::service::access::Viewer,
    query: &str,
    vars: serde_json::Value,
) -> u64 {
    let before = app.statements();
    let resp = app.query_as(admin, query, vars).await;
    assert!(resp.get("errors").is_none(), "[{}] {query}: {resp:#}", app.backend_name);
    app.statements() - before
}

/// Reads the held rows once (the first read after start, or after the list moved, reads them
/// all), and checks what that costs: the same few statements for 1 document as for 12.
async fn hold_the_rows(app: &TestApp, admin: &qingdan::service::access::Viewer) -> u64 {
    let statements = statements_of(app, admin, "{ reports(first: 1) { nodes { id } } }", json!({})).await;
    // The versions, then in one transaction the newest event and the five tables (with the
    // transaction's own statements on PostgreSQL).
    assert!(statements <= 10, "[{}] {statements} statements to read the held rows", app.backend_name);
    statements
}

on_each_backend! {
    async fn reading_the_held_rows_costs_the_same_few_statements_whatever_their_number(app) {
        let one = generated(&app, 1).await;
        let twelve = generated(&app, 12).await;
        let (a1, _) = one.token(entity::TokenRole::Admin, None).await;
        let (a12, _) = twelve.token(entity::TokenRole::Admin, None).await;
        // A token moves the writes count, so each read of the list here is its first.
        one.query_as(&a1, "{ documents { id } }", json!({})).await;
        twelve.query_as(&a12, "{ documents { id } }", json!({})).await;
        assert_eq!(hold_the_rows(&one, &a1).await, hold_the_rows(&twelve, &a12).await, "[{}] grew with the rows", app.backend_name);
        let q = "{ reports(first: 3) { totalCount nodes { revision revisions { revision } } } }";
        assert_eq!(statements_of(&twelve, &a12, q, json!({})).await, 1, "[{}] up to date: the versions", app.backend_name);
        // A write: the next read brings the held rows up to date by what it changed alone.
        let periods = twelve.query_as(&a12, "{ documents { reportingPeriods { id } } }", json!({})).await;
        let p = periods["data"]["documents"][0]["reportingPeriods"][0]["id"].clone();
        let pick = twelve.query_as(&a12, "query($p: ID!) { obligations(periodId: $p, first: 1) { nodes { task { id } department { id } period { id } } } }", json!({ "p": p })).await;
        let o = &pick["data"]["obligations"]["nodes"][0];
        let input = json!({ "taskId": o["task"]["id"], "periodId": o["period"]["id"], "departmentId": o["department"]["id"],
            "status": "ON_TRACK", "progressPercent": 10, "summary": "进展顺利" });
        let done = twelve.submit(&a12, input, "id").await;
        assert!(done.get("errors").is_none(), "[{}] {done:#}", app.backend_name);
        let after = statements_of(&twelve, &a12, q, json!({})).await;
        // The versions, then in one transaction the events since and the report with its revisions.
        assert!((2..=5).contains(&after), "[{}] {after} statements to bring the held rows up to date", app.backend_name);
        assert_eq!(statements_of(&twelve, &a12, q, json!({})).await, 1, "[{}] up to date again", app.backend_name);
    }
}

on_each_backend! {
    async fn every_relation_runs_the_same_statements_for_5_parents_and_for_40(app) {
        let app = generated(&app, 12).await;
        let (admin, _) = app.token(entity::TokenRole::Admin, None).await;
        let first = app.query_as(&admin, "{ documents { id reportingPeriods { id } } }", json!({})).await;
        let period = first["data"]["documents"][0]["reportingPeriods"][0]["id"].clone();
        let document = first["data"]["documents"][0]["id"].clone();
        // Versions with changes: three tasks rescheduled by decision.
        let tasks = app.query_as(&admin, "{ tasks(first: 3) { nodes { id document { year } } } }", json!({})).await;
        for t in tasks["data"]["tasks"]["nodes"].as_array().expect("tasks") {
            let input = json!({ "i": { "taskId": t["id"], "deadline": "年底前", "reason": "调整",
                "effectiveOn": format!("{}-06-01", t["document"]["year"]) } });
            let r = app.query_as(&admin, "mutation($i: AmendTaskInput!) { amendTask(input: $i) { version } }", input).await;
            assert!(r.get("errors").is_none(), "[{}] {r:#}", app.backend_name);
        }
        hold_the_rows(&app, &admin).await;
        for (relations, query, expected) in RELATIONS {
            let mut seen = Vec::new();
            for n in [5, 40] {
                let vars = json!({ "n": n, "p": period, "d": document });
                seen.push(statements_of(&app, &admin, query, vars).await);
            }
            eprintln!("[{}] {relations}: {seen:?}", app.backend_name);
            assert_eq!(seen, vec![expected, expected], "[{}] {relations} for 5 and 40 parents", app.backend_name);
        }
    }
}

on_each_backend! {
    async fn building_the_snapshot_reads_each_list_table_once_whatever_its_size(app) {
        let one = generated(&app, 1).await;
        let twelve = generated(&app, 12).await;
        let q = "{ tasks(first: 1) { nodes { number } } }";
        // Nothing has read the list yet: the first read builds the snapshot.
        let (small, large) = (one.count_statements(q).await, twelve.count_statements(q).await);
        // The versions, then in one transaction the versions again and the seven list tables
        // (with the transaction's own statements on PostgreSQL).
        assert_eq!(small, large, "[{}] building grew with the rows", app.backend_name);
        assert!(small <= 12, "[{}] {small} statements to build the snapshot", app.backend_name);
        assert_eq!(twelve.count_statements(q).await, 1, "[{}] a warm read: the versions", app.backend_name);
    }
}

/// The harness's canonical reads (benches/load/ops.rs), by name, with their statements once the
/// snapshot is built; the same reads again, answered whole from the response cache, read the
/// versions alone.
const CANONICAL: [(&str, &str, u64); 6] = [
    (
        "co-led items",
        "query($dept: ID!) { tasks(filter: {departmentId: $dept, role: LEAD, coLed: true}, first: 100) {
            totalCount nodes { id number content category { number name } leads { name } } } }",
        1,
    ),
    (
        "dashboard",
        "query($dept: ID!) { department(id: $dept) { name kind
            workload { lead soleLead coLead responsible total } coLeaders { department { name } taskCount }
            tasks(first: 50) { totalCount pageInfo { hasNextPage endCursor } nodes { id number content category { name }
                leads { name } responsibleUnits { name } reports { revision status progressPercent submittedAt } } } } }",
        // the versions (the reports of the tasks: held).
        1,
    ),
    (
        "task page",
        "query($task: ID!) { node(id: $task) { id ... on Task { number content isCoLed
            category { number name } document { region year title issuer }
            assignments { role position department { id name kind } } indicators { targetValue unit comparator phrase }
            reports { revision status progressPercent summary submittedAt isLate department { name }
                period { quarter label dueOn } revisions { revision status progressPercent submittedAt } } } } }",
        // the versions (the reports with their revisions: held).
        1,
    ),
    (
        "taskStats over all documents",
        "{ taskStats(groupBy: [DEPARTMENT], first: 100) {
            department { name } taskCount coLedTaskCount assignmentCount } }",
        1,
    ),
    (
        "overdue obligations",
        "query($period: ID!) { obligations(periodId: $period, state: OVERDUE, asOf: \"2024-06-01\", first: 100) {
            totalCount pageInfo { hasNextPage endCursor } nodes { state task { id number content } department { name } } } }",
        // the versions (the reports and extensions of the period, the closures of the document: held).
        1,
    ),
    (
        "a department's lights",
        "query($period: ID!, $dept: ID!) { obligations(periodId: $period, departmentId: $dept, asOf: \"2023-04-08\", first: 100) {
            totalCount nodes { state light dueOn task { number content } report { progressPercent review { state } } } }
            obligationSummary(periodId: $period, departmentId: $dept, asOf: \"2023-04-08\") { green blue yellow red } }",
        // the versions (held, as above).
        1,
    ),
];

on_each_backend! {
    async fn the_canonical_reads_run_their_few_statements_and_again_only_the_versions(app) {
        let rows = generated(&app, 12).await;
        let (admin, _) = rows.token(entity::TokenRole::Admin, None).await;
        let q = "{ departments(first: 500) { nodes { id tasks(role: LEAD, coLed: true) { totalCount } } }
            tasks(first: 1) { nodes { id } } documents { reportingPeriods { id } } }";
        let picks = rows.query_as(&admin, q, json!({})).await;
        let data = &picks["data"];
        let dept = data["departments"]["nodes"].as_array().expect("departments").iter()
            .max_by_key(|d| d["tasks"]["totalCount"].as_i64().unwrap_or(0)).expect("a department")["id"].clone();
        let vars = json!({ "dept": dept, "task": data["tasks"]["nodes"][0]["id"], "period": data["documents"][0]["reportingPeriods"][0]["id"] });
        hold_the_rows(&rows, &admin).await;
        for (name, query, expected) in CANONICAL {
            assert_eq!(statements_of(&rows, &admin, query, vars.clone()).await, expected, "[{}] {name}", rows.backend_name);
        }
        let answers = rows.with_response_cache();
        for (name, query, _) in CANONICAL {
            statements_of(&answers, &admin, query, vars.clone()).await;
            assert_eq!(statements_of(&answers, &admin, query, vars.clone()).await, 1, "[{}] {name} again", answers.backend_name);
        }
    }
}
