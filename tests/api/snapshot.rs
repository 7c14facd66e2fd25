//! The list snapshot: a repeated read asks the database only for the versions, an import or a
//! submission through another process is seen by the very next read, and obligations judged from
//! the snapshot agree with the database.

use qingdan::import::{BUNDLED_DOCUMENT, import_text};
use sea_orm::ConnectionTrait;
use serde_json::json;

use crate::on_each_backend;

const CO_LED: &str = r#"{ tasks(filter: {departmentName: "市政务服务办", role: LEAD, coLed: true}) {
    totalCount nodes { number content category { number name } leads { name kind workload { lead total } } } } }"#;

const TARGETS: &str = r#"query($s: String!) { tasks(filter: {search: $s}) { totalCount
    nodes { number content indicators { targetValue unit } assignments { role department { name } } } } }"#;

on_each_backend! {
    async fn a_repeated_read_of_the_list_asks_the_database_only_for_its_version(app) {
        // Whole answers not kept: every request here executes.
        let app = app.without_response_cache();
        let before = app.statements();
        let cold = app.data(CO_LED).await;
        let cold_statements = app.statements() - before;
        let before = app.statements();
        let warm = app.data(CO_LED).await;
        assert_eq!(app.statements() - before, 1, "[{}] the version, nothing else", app.backend_name);
        assert_eq!(warm, cold, "[{}] the same answer from the snapshot", app.backend_name);
        assert_eq!(cold["tasks"]["totalCount"], 5, "[{}]", app.backend_name);
        // The first read builds the snapshot: the version, then each list table once.
        assert!(cold_statements > 1, "[{}] a cold read fetches rows", app.backend_name);
        assert!(cold_statements <= 12, "[{}] cold read: {cold_statements} statements", app.backend_name);
    }
}

on_each_backend! {
    async fn an_import_through_another_connection_is_seen_by_the_next_read(app) {
        // Rows, not whole answers: every request here executes.
        let app = app.without_response_cache();
        let targets = |term: &'static str| {
            let app = &app;
            async move { app.query_with(TARGETS, json!({ "s": term })).await["data"]["tasks"].clone() }
        };
        let old = targets("突破11000").await;
        assert_eq!(old["totalCount"], 1, "[{}] {old:#}", app.backend_name);
        assert_eq!(targets("突破11000").await, old, "[{}] kept", app.backend_name);
        let stats = app.data("{ taskStats { taskCount } }").await;
        assert_eq!(stats["taskStats"][0]["taskCount"], 129, "[{}]", app.backend_name);

        // Another process (a CLI import, a second replica) writes through its own connection.
        let other = sea_orm::Database::connect(&app.database_url).await.expect("a second connection");
        let changed = BUNDLED_DOCUMENT.replacen("国家高新技术企业突破11000 家。", "国家高新技术企业突破12000 家。", 1);
        import_text(&other, &changed, true).await.expect("replace through the other connection");
        other.close().await.ok();

        assert_eq!(targets("突破11000").await["totalCount"], 0, "[{}] the old text is gone", app.backend_name);
        let new = targets("突破12000").await;
        assert_eq!(new["totalCount"], 1, "[{}] {new:#}", app.backend_name);
        assert_eq!(new["nodes"][0]["number"], old["nodes"][0]["number"], "[{}]", app.backend_name);
        assert_eq!(new["nodes"][0]["indicators"][0]["targetValue"], 12000.0, "[{}] {new:#}", app.backend_name);
        assert_eq!(new["nodes"][0]["assignments"], old["nodes"][0]["assignments"], "[{}]", app.backend_name);
    }
}

on_each_backend! {
    async fn every_read_after_a_submission_shows_its_revision(app) {
        // Rows, not whole answers: every request here executes.
        let app = app.without_response_cache();
        let (admin, _) = app.token(entity::TokenRole::Admin, None).await;
        let task = app.data("{ task(number: 29) { id leads { id } } }").await["task"].clone();
        let input = |n: i64| json!({ "taskId": task["id"], "departmentId": task["leads"][0]["id"], "periodId": "",
            "status": "ON_TRACK", "progressPercent": n, "summary": format!("第{n}次") });
        let period = app.period_id(1).await;
        let q = "query($t: ID!) { node(id: $t) { ... on Task { reports { revision revisions { revision summary } } } } }";
        let history = |expected: i64| {
            let (app, admin, t) = (&app, &admin, task["id"].clone());
            async move {
                let before = app.statements();
                let resp = app.query_as(admin, q, json!({ "t": t })).await;
                let report = &resp["data"]["node"]["reports"][0];
                assert_eq!(report["revision"], expected, "[{}] {resp:#}", app.backend_name);
                let summaries: Vec<String> = report["revisions"].as_array().expect("revisions").iter()
                    .map(|r| r["summary"].as_str().expect("summary").to_owned()).collect();
                (summaries, app.statements() - before)
            }
        };
        for n in 1..=3 {
            let mut body = input(n);
            body["periodId"] = json!(period);
            let resp = app.submit(&admin, body, "revision").await;
            assert_eq!(resp["data"]["submitReport"]["report"]["revision"], n, "[{}] {resp:#}", app.backend_name);
            let (first, _) = history(n).await;
            let want: Vec<String> = (1..=n).map(|i| format!("第{i}次")).collect();
            assert_eq!(first, want, "[{}] after submission {n}", app.backend_name);
            let (again, statements) = history(n).await;
            assert_eq!(again, want, "[{}]", app.backend_name);
            // The versions alone: the held rows were brought up to date by the first read after
            // the submission, and the versions have not moved since.
            assert_eq!(statements, 1, "[{}] statements of a repeated read", app.backend_name);
        }
    }
}

on_each_backend! {
    async fn a_submission_through_another_replica_is_seen_by_the_next_read(app) {
        // Rows, not whole answers: every request here executes.
        let app = app.without_response_cache();
        let (admin, _) = app.token(entity::TokenRole::Admin, None).await;
        let task = app.data("{ task(number: 29) { id leads { id } } }").await["task"].clone();
        let q = "query($t: ID!) { node(id: $t) { ... on Task { reports { revision summary } } } }";
        let read = || {
            let (app, admin, t) = (&app, &admin, task["id"].clone());
            async move {
                let before = app.statements();
                let resp = app.query_as(admin, q, json!({ "t": t })).await;
                (resp["data"]["node"]["reports"].clone(), app.statements() - before)
            }
        };
        assert_eq!(read().await.0, json!([]), "[{}] no report yet", app.backend_name);
        assert_eq!(read().await, (json!([]), 1), "[{}] the versions (the reports are held)", app.backend_name);

        // A second replica on the same database takes the submission.
        let other = qingdan::AppState::connect(&app.database_url, qingdan::config::Limits::default())
            .await
            .expect("a second replica");
        let schema = qingdan::build_schema(Some(other.clone()));
        let submit = "mutation($input: SubmitReportInput!) { submitReport(input: $input) { report { revision } } }";
        let input = json!({ "taskId": task["id"], "departmentId": task["leads"][0]["id"],
            "periodId": app.period_id(1).await, "status": "ON_TRACK", "progressPercent": 10, "summary": "另一副本" });
        let req = async_graphql::Request::new(submit).variables(async_graphql::Variables::from_json(json!({ "input": input })));
        let resp = qingdan::graphql::execute(&schema, qingdan::graphql::prepare(&schema, req, &other, admin.clone())).await;
        assert!(resp.errors.is_empty(), "[{}] {:?}", app.backend_name, resp.errors);

        let (reports, _) = read().await;
        assert_eq!(reports, json!([{ "revision": 1, "summary": "另一副本" }]), "[{}] seen at once", app.backend_name);
    }
}

/// Who owes which report, straight from the tables: (task number, department name, submitted).
const OWED_SQL: &str = "SELECT t.number AS number, d.name AS name, r.first_submitted_at AS first \
    FROM assignment a JOIN task t ON t.id = a.task_id JOIN department d ON d.id = a.department_id \
    LEFT JOIN report r ON r.task_id = a.task_id AND r.department_id = a.department_id AND r.period_id = $1 \
    WHERE t.document_id = (SELECT p.document_id FROM reporting_period p WHERE p.id = $1) \
    AND d.kind <> 'COLLECTIVE' AND (a.role = 'LEAD' OR (a.role = 'RESPONSIBLE' AND t.lead_count = 0)) ORDER BY a.id";

on_each_backend! {
    async fn obligations_from_the_snapshot_agree_with_the_tables(app) {
        let app = app.without_response_cache();
        use chrono::TimeZone;
        let at = |y, m, d| chrono::Utc.with_ymd_and_hms(y, m, d, 2, 0, 0).single().expect("a time");
        let app = app.with_clock(qingdan::clock::Clock::fixed(at(2023, 4, 3)));
        let (admin, _) = app.token(entity::TokenRole::Admin, None).await;
        let q1 = app.period_id(1).await;
        let tasks = app.data("{ tasks(first: 12) { nodes { id leads { id } } } }").await["tasks"]["nodes"].clone();
        // Tasks 1-4 report on time, 5-8 late, the rest not at all.
        for (i, task) in tasks.as_array().expect("tasks").iter().take(8).enumerate() {
            if i == 4 {
                app.state.write_clock().set(at(2023, 4, 20));
            }
            let Some(lead) = task["leads"][0]["id"].as_str() else { continue };
            let input = json!({ "taskId": task["id"], "departmentId": lead, "periodId": q1,
                "status": "ON_TRACK", "progressPercent": 50, "summary": "进展" });
            let resp = app.submit(&admin, input, "revision").await;
            assert!(resp.get("errors").is_none(), "[{}] {resp:#}", app.backend_name);
        }
        let period_id = app.period_row_id(1).await;
        let sql = if app.backend_name == "postgres" { OWED_SQL.to_owned() } else { OWED_SQL.replace("$1", "?") };
        let values: Vec<sea_orm::Value> = if app.backend_name == "postgres" { vec![period_id.into()] } else { vec![period_id.into(), period_id.into()] };
        let rows = app.state.primary().query_all_raw(sea_orm::Statement::from_sql_and_values(app.state.primary().get_database_backend(), sql, values)).await.expect("owed");
        let deadline = chrono::Utc.with_ymd_and_hms(2023, 4, 10, 16, 0, 0).single().expect("deadline");
        let q = "query($p: ID!, $a: Date, $first: Int, $after: String) {
            obligations(periodId: $p, asOf: $a, first: $first, after: $after) {
                totalCount pageInfo { hasNextPage endCursor } nodes { state task { number } department { name } } } }";
        for (as_of, end) in [("2023-04-05", at(2023, 4, 5) + chrono::Duration::hours(14)), ("2023-04-25", at(2023, 4, 25) + chrono::Duration::hours(14))] {
            let mut expected = Vec::new();
            for r in &rows {
                let first: Option<chrono::DateTime<chrono::Utc>> = r.try_get("", "first").expect("first");
                let state = match first {
                    Some(t) if t < end => if t < deadline { "SUBMITTED" } else { "SUBMITTED_LATE" },
                    _ if end > deadline => "OVERDUE",
                    _ => "PENDING",
                };
                let number: i32 = r.try_get("", "number").expect("number");
                let name: String = r.try_get("", "name").expect("name");
                expected.push(json!({ "state": state, "task": { "number": number }, "department": { "name": name } }));
            }
            // Paged by 7, the pages together are the tables' answer.
            let mut seen = Vec::new();
            let mut after = json!(null);
            loop {
                let resp = app.query_as(&admin, q, json!({ "p": q1, "a": as_of, "first": 7, "after": after })).await;
                let c = &resp["data"]["obligations"];
                assert_eq!(c["totalCount"], expected.len(), "[{}] {as_of}: {resp:#}", app.backend_name);
                seen.extend(c["nodes"].as_array().expect("nodes").iter().cloned());
                if c["pageInfo"]["hasNextPage"] != json!(true) { break; }
                after = c["pageInfo"]["endCursor"].clone();
            }
            assert_eq!(seen, expected, "[{}] as of {as_of}", app.backend_name);
        }
    }
}
