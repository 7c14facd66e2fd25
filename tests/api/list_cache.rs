//! Rows kept across requests: a repeated read asks the database only for the versions of the list
//! and of the reports, and an import or a submission through another process is seen by the very
//! next read.

use qingdan::import::{BUNDLED_DOCUMENT, import_text};
use serde_json::json;

use crate::on_each_backend;

const CO_LED: &str = r#"{ tasks(filter: {departmentName: "市政务服务办", role: LEAD, coLed: true}) {
    totalCount nodes { number content category { number name } leads { name kind workload { lead total } } } } }"#;

const TARGETS: &str = r#"query($s: String!) { tasks(filter: {search: $s}) { totalCount
    nodes { number content indicators { targetValue unit } assignments { role department { name } } } } }"#;

on_each_backend! {
    async fn a_repeated_read_of_the_list_asks_the_database_only_for_its_version(app) {
        // Rows, not whole answers: every request here executes.
        let app = app.without_response_cache();
        let before = app.statements();
        let cold = app.data(CO_LED).await;
        let cold_statements = app.statements() - before;
        let before = app.statements();
        let warm = app.data(CO_LED).await;
        assert_eq!(app.statements() - before, 1, "[{}] the version, nothing else", app.backend_name);
        assert_eq!(warm, cold, "[{}] the same answer from memory", app.backend_name);
        assert_eq!(cold["tasks"]["totalCount"], 5, "[{}]", app.backend_name);

        let uncached = app.without_list_cache();
        let before = uncached.statements();
        assert_eq!(uncached.data(CO_LED).await, cold, "[{}] the same answer without the cache", uncached.backend_name);
        let direct = uncached.statements() - before;
        // Sibling batches may meet or not, so the uncached count can differ by one either way.
        assert!(cold_statements <= direct + 2, "[{}] cold {cold_statements}, uncached {direct}", uncached.backend_name);
        assert!(cold_statements > 1, "[{}] a cold read fetches rows", uncached.backend_name);
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
    async fn a_cache_smaller_than_the_list_still_answers_every_row(app) {
        let q = "{ tasks(first: 129) { nodes { number category { number } leads { name } indicators { targetValue } } } }";
        let expected = app.data(q).await;
        let small = app.with_list_cache_rows(7);
        for round in 0..3 {
            assert_eq!(small.data(q).await, expected, "[{}] round {round}", small.backend_name);
        }
        let nodes = expected["tasks"]["nodes"].as_array().expect("nodes");
        assert_eq!(nodes.len(), 129, "[{}]", small.backend_name);
    }
}

on_each_backend! {
    async fn revisions_kept_by_revision_number_show_each_new_submission(app) {
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
            // The versions; the report and its revisions come from memory.
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
        assert_eq!(read().await, (json!([]), 1), "[{}] kept: only the versions are read", app.backend_name);

        // A second replica on the same database takes the submission.
        let other = qingdan::AppState::connect(&app.database_url, qingdan::config::Limits::default())
            .await
            .expect("a second replica");
        let schema = qingdan::build_schema(Some(other.clone()));
        let submit = "mutation($input: SubmitReportInput!) { submitReport(input: $input) { report { revision } } }";
        let input = json!({ "taskId": task["id"], "departmentId": task["leads"][0]["id"],
            "periodId": app.period_id(1).await, "status": "ON_TRACK", "progressPercent": 10, "summary": "另一副本" });
        let req = async_graphql::Request::new(submit).variables(async_graphql::Variables::from_json(json!({ "input": input })));
        let resp = qingdan::graphql::execute(&schema, qingdan::graphql::prepare(req, &other, admin.clone())).await;
        assert!(resp.errors.is_empty(), "[{}] {:?}", app.backend_name, resp.errors);

        let (reports, _) = read().await;
        assert_eq!(reports, json!([{ "revision": 1, "summary": "另一副本" }]), "[{}] seen at once", app.backend_name);
    }
}

on_each_backend! {
    async fn obligations_judged_in_memory_answer_as_the_database_does(app) {
        // Rows, not whole answers: every request here executes.
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
                app.state.clock.set(at(2023, 4, 20));
            }
            let Some(lead) = task["leads"][0]["id"].as_str() else { continue };
            let input = json!({ "taskId": task["id"], "departmentId": lead, "periodId": q1,
                "status": "ON_TRACK", "progressPercent": 50, "summary": "进展" });
            let resp = app.submit(&admin, input, "revision").await;
            assert!(resp.get("errors").is_none(), "[{}] {resp:#}", app.backend_name);
        }

        let uncached = qingdan::AppState::connect(
            &app.database_url,
            qingdan::config::Limits { list_cache_rows: 0, ..Default::default() },
        )
        .await
        .expect("a second, uncached state");
        let mut uncached = uncached;
        uncached.clock = app.state.clock.clone();
        let uncached_schema = qingdan::build_schema(Some(uncached.clone()));
        let q = "query($p: ID!, $s: ObligationState, $a: NaiveDate, $n: String, $first: Int, $after: String, $last: Int) {
            obligations(periodId: $p, state: $s, asOf: $a, departmentName: $n, first: $first, after: $after, last: $last) {
                totalCount pageInfo { hasNextPage hasPreviousPage endCursor }
                nodes { state task { number } department { name } report { revision } } } }";
        for state in [json!(null), json!("SUBMITTED"), json!("SUBMITTED_LATE"), json!("PENDING"), json!("OVERDUE")] {
            for as_of in [json!(null), json!("2023-04-05"), json!("2023-04-25"), json!("2030-01-01")] {
                for name in [json!(null), json!("市政务服务办")] {
                    let mut after = json!(null);
                    for round in 0..3 {
                        let vars = json!({ "p": q1, "s": state, "a": as_of, "n": name, "first": 7, "after": after });
                        let cached = app.query_as(&admin, q, vars.clone()).await;
                        let req = async_graphql::Request::new(q).variables(async_graphql::Variables::from_json(vars.clone()));
                        let req = qingdan::graphql::prepare(req, &uncached, admin.clone());
                        let direct = serde_json::to_value(qingdan::graphql::execute(&uncached_schema, req).await).expect("json");
                        assert!(cached.get("errors").is_none(), "[{}] {cached:#}", app.backend_name);
                        assert_eq!(cached, direct, "[{}] {vars} round {round}", app.backend_name);
                        after = cached["data"]["obligations"]["pageInfo"]["endCursor"].clone();
                    }
                    let vars = json!({ "p": q1, "s": state, "a": as_of, "n": name, "last": 5 });
                    let cached = app.query_as(&admin, q, vars.clone()).await;
                    let req = async_graphql::Request::new(q).variables(async_graphql::Variables::from_json(vars.clone()));
                    let req = qingdan::graphql::prepare(req, &uncached, admin.clone());
                    let direct = serde_json::to_value(qingdan::graphql::execute(&uncached_schema, req).await).expect("json");
                    assert_eq!(cached, direct, "[{}] {vars}", app.backend_name);
                }
            }
        }
        let all = app.query_as(&admin, q, json!({ "p": q1, "first": 500 })).await;
        let states: std::collections::BTreeSet<String> = all["data"]["obligations"]["nodes"].as_array().expect("nodes")
            .iter().map(|n| n["state"].as_str().expect("state").to_owned()).collect();
        assert_eq!(states.len(), 2, "[{}] on time and late at 2023-04-20: {states:?}", app.backend_name);
    }
}
