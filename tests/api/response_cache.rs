//! Whole answers kept across requests: a repeated query costs the versions statement only and
//! answers the same bytes; a submission through another replica, the time (obligations without
//! `asOf`), the caller, a mutation and an error each keep an answer from being given again.

use chrono::TimeZone;
use entity::TokenRole;
use serde_json::json;

use crate::on_each_backend;

const DASHBOARD: &str = r#"query($n: String!) { department(name: $n, region: "天津") {
    name workload { lead coLead total } coLeaders { department { name } taskCount }
    tasks(first: 20) { totalCount nodes { number content category { name } leads { name } responsibleUnits { name } } } } }"#;

on_each_backend! {
    async fn a_repeated_query_is_answered_from_the_response_cache_with_one_statement(app) {
        let vars = json!({ "n": "市发展改革委" });
        let before = app.statements();
        let first = app.query_with(DASHBOARD, vars.clone()).await;
        let cold = app.statements() - before;
        assert!(first.get("errors").is_none(), "[{}] {first:#}", app.backend_name);
        assert!(cold > 1, "[{}] the first answer is computed: {cold} statements", app.backend_name);

        let hits = |app: &crate::support::TestApp| {
            let text = app.state.metrics.render();
            text.lines().find_map(|l| l.strip_prefix("qingdan_response_cache_hits_total ")).map(str::to_owned)
        };
        assert_eq!(hits(&app).as_deref(), Some("0"), "[{}]", app.backend_name);
        for round in 0..3 {
            let before = app.statements();
            assert_eq!(app.query_with(DASHBOARD, vars.clone()).await, first, "[{}] round {round}", app.backend_name);
            assert_eq!(app.statements() - before, 1, "[{}] the versions, nothing else", app.backend_name);
        }
        assert_eq!(hits(&app).as_deref(), Some("3"), "[{}]", app.backend_name);

        // Other variables are another answer; the same answer without the cache.
        let other = app.query_with(DASHBOARD, json!({ "n": "市政务服务办" })).await;
        assert_ne!(other, first, "[{}]", app.backend_name);
        let uncached = app.without_response_cache();
        let before = hits(&uncached);
        assert_eq!(uncached.query_with(DASHBOARD, vars).await, first, "[{}]", uncached.backend_name);
        assert_eq!(hits(&uncached), before, "[{}] executed again", uncached.backend_name);
    }
}

on_each_backend! {
    async fn a_submission_through_another_replica_moves_the_answer_of_the_next_query(app) {
        let (admin, _) = app.token(TokenRole::Admin, None).await;
        let task = app.data("{ task(number: 29) { id leads { id } } }").await["task"].clone();
        let q = "query($t: ID!) { node(id: $t) { ... on Task { number reports { revision summary } } } }";
        let vars = json!({ "t": task["id"] });
        let empty = app.query_as(&admin, q, vars.clone()).await;
        assert_eq!(empty["data"]["node"]["reports"], json!([]), "[{}] {empty:#}", app.backend_name);
        assert_eq!(app.query_as(&admin, q, vars.clone()).await, empty, "[{}] kept", app.backend_name);

        let other = qingdan::AppState::connect(&app.database_url, qingdan::config::Limits::default())
            .await
            .expect("a second replica");
        let schema = qingdan::build_schema(Some(other.clone()));
        let submit = "mutation($input: SubmitReportInput!) { submitReport(input: $input) { report { revision } } }";
        for n in 1..=2 {
            let input = json!({ "taskId": task["id"], "departmentId": task["leads"][0]["id"],
                "periodId": app.period_id(1).await, "status": "ON_TRACK", "progressPercent": 10 * n,
                "summary": format!("第{n}次") });
            let req = async_graphql::Request::new(submit)
                .variables(async_graphql::Variables::from_json(json!({ "input": input })));
            let resp = qingdan::graphql::answer(&schema, &other, req, admin.clone()).await;
            let qingdan::graphql::Answer::Executed(resp) = resp else { panic!("a mutation's answer is never kept") };
            assert!(resp.errors.is_empty(), "[{}] {:?}", app.backend_name, resp.errors);
            let seen = app.query_as(&admin, q, vars.clone()).await;
            let want = json!([{ "revision": n, "summary": format!("第{n}次") }]);
            assert_eq!(seen["data"]["node"]["reports"], want, "[{}] seen at once", app.backend_name);
        }
    }
}

on_each_backend! {
    async fn obligations_as_of_now_follow_the_clock_and_are_never_kept(app) {
        let at = |y, m, d| chrono::Utc.with_ymd_and_hms(y, m, d, 2, 0, 0).single().expect("a time");
        let app = app.with_clock(qingdan::clock::Clock::fixed(at(2023, 4, 3)));
        let (admin, _) = app.token(TokenRole::Admin, None).await;
        let q = r#"query($p: ID!) { obligations(periodId: $p, departmentName: "市政务服务办", first: 1) {
            totalCount nodes { state } } }"#;
        let vars = json!({ "p": app.period_id(1).await });
        let state = |resp: serde_json::Value| resp["data"]["obligations"]["nodes"][0]["state"].clone();
        assert_eq!(state(app.query_as(&admin, q, vars.clone()).await), "PENDING", "[{}]", app.backend_name);
        assert_eq!(state(app.query_as(&admin, q, vars.clone()).await), "PENDING", "[{}]", app.backend_name);
        // The Q1 deadline (2023-04-10, end of day in Shanghai) passes; nothing was written.
        app.state.write_clock().set(at(2023, 4, 11));
        assert_eq!(state(app.query_as(&admin, q, vars.clone()).await), "OVERDUE", "[{}]", app.backend_name);

        // With `asOf` the answer does not depend on the time: it is kept.
        let q_as_of = r#"query($p: ID!) { obligations(periodId: $p, departmentName: "市政务服务办", first: 1,
            asOf: "2023-04-05") { nodes { state } } }"#;
        assert_eq!(state(app.query_as(&admin, q_as_of, vars.clone()).await), "PENDING", "[{}]", app.backend_name);
        let before = app.statements();
        assert_eq!(state(app.query_as(&admin, q_as_of, vars.clone()).await), "PENDING", "[{}]", app.backend_name);
        assert_eq!(app.statements() - before, 1, "[{}] kept", app.backend_name);
    }
}

on_each_backend! {
    async fn an_answer_is_kept_for_its_caller_only(app) {
        let (tax, _) = app.token(TokenRole::Reporter, Some("市税务局")).await;
        let (admin, _) = app.token(TokenRole::Admin, None).await;
        let q = "{ viewer { role department { name } } task(number: 29) { reports { revision } } }";
        let as_tax = app.query_as(&tax, q, json!({})).await;
        assert_eq!(as_tax["data"]["viewer"]["department"]["name"], "市税务局", "[{}] {as_tax:#}", app.backend_name);
        let as_admin = app.query_as(&admin, q, json!({})).await;
        assert_eq!(as_admin["data"]["viewer"]["role"], "ADMIN", "[{}] {as_admin:#}", app.backend_name);
        assert_eq!(app.query_as(&tax, q, json!({})).await, as_tax, "[{}]", app.backend_name);

        // Anonymous callers get no reports: an error, computed every time, never kept.
        let anonymous = qingdan::service::access::Viewer::Anonymous;
        let q = "{ task(number: 29) { number reports { revision } } }";
        let misses = |app: &crate::support::TestApp| {
            let text = app.state.metrics.render();
            text.lines().find_map(|l| l.strip_prefix("qingdan_response_cache_misses_total ")).map(str::to_owned)
        };
        for _ in 0..2 {
            let before = misses(&app);
            let resp = app.query_as(&anonymous, q, json!({})).await;
            assert_eq!(crate::support::code(&resp), "UNAUTHENTICATED", "[{}] {resp:#}", app.backend_name);
            assert_ne!(misses(&app), before, "[{}] executed again", app.backend_name);
        }
        let resp = app.query_as(&admin, q, json!({})).await;
        assert_eq!(resp["data"]["task"]["reports"], json!([]), "[{}] {resp:#}", app.backend_name);
    }
}

on_each_backend! {
    async fn the_same_mutation_twice_writes_twice(app) {
        let (admin, _) = app.token(TokenRole::Admin, None).await;
        let task = app.data("{ task(number: 29) { id leads { id } } }").await["task"].clone();
        let input = json!({ "taskId": task["id"], "departmentId": task["leads"][0]["id"],
            "periodId": app.period_id(1).await, "status": "ON_TRACK", "progressPercent": 10, "summary": "同一请求" });
        let first = app.submit(&admin, input.clone(), "revision").await;
        let second = app.submit(&admin, input, "revision").await;
        assert_eq!(first["data"]["submitReport"]["report"]["revision"], 1, "[{}] {first:#}", app.backend_name);
        assert_eq!(second["data"]["submitReport"]["report"]["revision"], 2, "[{}] {second:#}", app.backend_name);
        assert_eq!(app.rows("report_revision").await, 2, "[{}]", app.backend_name);
    }
}
