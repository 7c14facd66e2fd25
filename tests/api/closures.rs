//! Closure (销号, SPEC §12): a lead department asks, the issuing office decides; a task closed
//! owes no report for the periods due after the day it was closed, is counted apart in the
//! summary, and stays in every view. Every refusal has its code.

use chrono::TimeZone as _;
use entity::TokenRole;
use qingdan::clock::Clock;
use serde_json::{Value, json};

use crate::on_each_backend;
use crate::support::{TestApp, code};

const REQUEST: &str = "mutation($i: RequestClosureInput!) { requestClosure(input: $i) {
    closure { id state summary comment requestedAt decidedAt closedOn department { name } task { number } } } }";
const DECIDE: &str = "mutation($i: DecideClosureInput!) { decideClosure(input: $i) {
    closure { id state comment decidedAt closedOn } } }";

/// A task 市税务局 leads, and one it does not lead.
async fn tasks(app: &TestApp) -> (i64, i64) {
    let led =
        app.data(r#"{ tasks(filter: {departmentName: "市税务局", role: LEAD}, first: 1) { nodes { number } } }"#).await;
    let other =
        app.data(r#"{ tasks(filter: {not: {departmentName: "市税务局"}}, first: 1) { nodes { number } } }"#).await;
    let n = |d: &Value, k: &str| d[k]["nodes"][0]["number"].as_i64().expect("a task");
    (n(&led, "tasks"), n(&other, "tasks"))
}

/// A 2023-05-15 clock: after the first quarter's due date (04-10), before the second's (07-10).
fn may_15() -> Clock {
    Clock::fixed(chrono::Utc.with_ymd_and_hms(2023, 5, 15, 2, 0, 0).single().expect("a time"))
}

on_each_backend! {
    async fn a_lead_department_asks_the_office_approves_and_the_task_owes_nothing_after(app) {
        let app = app.with_clock(may_15());
        let (led, _) = tasks(&app).await;
        let (reporter, _) = app.token(TokenRole::Reporter, Some("市税务局")).await;
        let (supervisor, _) = app.token(TokenRole::Supervisor, Some("市政务服务办")).await;
        let (viewer, _) = app.token(TokenRole::Viewer, None).await;
        let task = app.task_id(led).await;
        let (q1, q2) = (app.period_id(1).await, app.period_id(2).await);
        let owed = "query($p: ID!, $t: ID!) { task: node(id: $t) { ... on Task { closedOn } }
            obligations(periodId: $p, asOf: \"2023-05-16\", first: 500) { totalCount nodes { task { number } } }
            obligationSummary(periodId: $p, asOf: \"2023-05-16\") { total closed } }";
        let before = app.query_as(&viewer, owed, json!({ "p": q2, "t": task })).await;
        let before_total = before["data"]["obligationSummary"]["total"].as_i64().expect("a total");

        let asked = app.query_as(&reporter, REQUEST, json!({ "i": { "taskId": task, "summary": "已全部完成" } })).await;
        let c = &asked["data"]["requestClosure"]["closure"];
        assert_eq!(c["state"], "PENDING", "[{}] {asked:#}", app.backend_name);
        assert_eq!((c["department"]["name"].as_str(), c["task"]["number"].as_i64()), (Some("市税务局"), Some(led)));
        assert!(c["decidedAt"].is_null() && c["closedOn"].is_null());
        let id = c["id"].as_str().expect("an id").to_owned();
        let again = app.query_as(&reporter, REQUEST, json!({ "i": { "taskId": task, "summary": "再次申请" } })).await;
        assert_eq!(code(&again), "CONFLICT", "[{}] one pending request per task: {again:#}", app.backend_name);

        let decided = app.query_as(&supervisor, DECIDE, json!({ "i": { "closureId": id, "approve": true } })).await;
        let c = &decided["data"]["decideClosure"]["closure"];
        assert_eq!((c["state"].as_str(), c["closedOn"].as_str()), (Some("APPROVED"), Some("2023-05-15")), "{decided:#}");
        let twice = app.query_as(&supervisor, DECIDE, json!({ "i": { "closureId": id, "approve": false, "comment": "x" } })).await;
        assert_eq!(code(&twice), "CONFLICT", "[{}] decided already", app.backend_name);
        let closed_again = app.query_as(&reporter, REQUEST, json!({ "i": { "taskId": task, "summary": "又一次" } })).await;
        assert_eq!(code(&closed_again), "CONFLICT", "[{}] closed already", app.backend_name);

        // The second quarter, due after the closure: the task owes nothing, counted apart.
        let after = app.query_as(&viewer, owed, json!({ "p": q2, "t": task })).await;
        assert_eq!(after["data"]["task"]["closedOn"], "2023-05-15", "[{}] {after:#}", app.backend_name);
        let numbers: Vec<i64> = after["data"]["obligations"]["nodes"].as_array().expect("nodes").iter()
            .filter_map(|n| n["task"]["number"].as_i64()).collect();
        assert!(!numbers.contains(&led), "[{}] a closed task owes no later report", app.backend_name);
        let summary = &after["data"]["obligationSummary"];
        let closed = summary["closed"].as_i64().expect("closed");
        assert!(closed >= 1, "{summary}");
        assert_eq!(summary["total"].as_i64().expect("total") + closed, before_total, "[{}] counted apart", app.backend_name);
        assert_eq!(before["data"]["obligationSummary"]["closed"], 0);
        // The first quarter, due before it: still owed.
        let q1_owed = app.query_as(&viewer, owed, json!({ "p": q1, "t": task })).await;
        let numbers: Vec<i64> = q1_owed["data"]["obligations"]["nodes"].as_array().expect("nodes").iter()
            .filter_map(|n| n["task"]["number"].as_i64()).collect();
        assert!(numbers.contains(&led), "[{}] earlier periods stay owed", app.backend_name);
        assert_eq!(q1_owed["data"]["obligationSummary"]["closed"], 0);

        // It stays in every view, with its history.
        let seen = app.query(&format!("{{ task(number: {led}) {{ number closedOn }} tasks {{ totalCount }} }}")).await;
        assert_eq!(seen["data"]["task"]["closedOn"], "2023-05-15", "{seen:#}");
        assert_eq!(seen["data"]["tasks"]["totalCount"], 129);
        let trail = app.query_as(&supervisor, "{ events(first: 100) { nodes { action } } }", json!({})).await;
        let actions: Vec<&str> = trail["data"]["events"]["nodes"].as_array().expect("events").iter()
            .filter_map(|e| e["action"].as_str()).filter(|a| a.starts_with("closure.")).collect();
        assert_eq!(actions, ["closure.requested", "closure.decided"], "[{}]", app.backend_name);
        let list = app.query_as(&viewer, &format!("{{ task(number: {led}) {{ closures {{ state summary }} }} }}"), json!({})).await;
        assert_eq!(list["data"]["task"]["closures"], json!([{ "state": "APPROVED", "summary": "已全部完成" }]));
    }
}

on_each_backend! {
    async fn every_refusal_has_its_code_and_a_rejection_keeps_the_task_open(app) {
        let app = app.with_clock(may_15());
        let (led, other) = tasks(&app).await;
        let (reporter, _) = app.token(TokenRole::Reporter, Some("市税务局")).await;
        let (supervisor, _) = app.token(TokenRole::Supervisor, Some("市政务服务办")).await;
        let (viewer, _) = app.token(TokenRole::Viewer, None).await;
        let (admin, _) = app.token(TokenRole::Admin, None).await;
        let task = app.task_id(led).await;
        let input = |t: &str, s: &str| json!({ "i": { "taskId": t, "summary": s } });

        let anonymous = app.query_with(REQUEST, input(&task, "完成")).await;
        assert_eq!(code(&anonymous), "UNAUTHENTICATED", "{anonymous:#}");
        assert_eq!(code(&app.query_as(&viewer, REQUEST, input(&task, "完成")).await), "FORBIDDEN");
        let not_lead = app.query_as(&reporter, REQUEST, input(&app.task_id(other).await, "完成")).await;
        assert_eq!(code(&not_lead), "FORBIDDEN", "[{}] not a lead of that task: {not_lead:#}", app.backend_name);
        assert_eq!(code(&app.query_as(&reporter, REQUEST, input(&task, "  ")).await), "BAD_USER_INPUT");
        let missing = app.query_as(&reporter, REQUEST, input("VGFzazo5OTk5OQ", "完成")).await;
        assert_eq!(code(&missing), "NOT_FOUND", "{missing:#}");
        let admin_unnamed = app.query_as(&admin, REQUEST, input(&task, "完成")).await;
        assert_eq!(code(&admin_unnamed), "BAD_USER_INPUT", "an admin names the department: {admin_unnamed:#}");

        let asked = app.query_as(&reporter, REQUEST, input(&task, "完成")).await;
        let id = asked["data"]["requestClosure"]["closure"]["id"].as_str().expect("an id").to_owned();
        let decide = |approve: bool, comment: Option<&str>| json!({ "i": { "closureId": id, "approve": approve, "comment": comment } });
        assert_eq!(code(&app.query_as(&reporter, DECIDE, decide(true, None)).await), "FORBIDDEN");
        assert_eq!(code(&app.query_as(&viewer, DECIDE, decide(true, None)).await), "FORBIDDEN");
        assert_eq!(code(&app.query_with(DECIDE, decide(true, None)).await), "UNAUTHENTICATED");
        let no_comment = app.query_as(&supervisor, DECIDE, decide(false, None)).await;
        assert_eq!(code(&no_comment), "BAD_USER_INPUT", "a rejection says why: {no_comment:#}");
        let unknown = app.query_as(&supervisor, DECIDE, json!({ "i": { "closureId": "Q2xvc3VyZTo5OTk", "approve": true } })).await;
        assert_eq!(code(&unknown), "NOT_FOUND", "{unknown:#}");

        let rejected = app.query_as(&supervisor, DECIDE, decide(false, Some("材料不全"))).await;
        let c = &rejected["data"]["decideClosure"]["closure"];
        assert_eq!((c["state"].as_str(), c["comment"].as_str()), (Some("REJECTED"), Some("材料不全")), "{rejected:#}");
        assert!(c["closedOn"].is_null());
        let open = app.data(&format!("{{ task(number: {led}) {{ closedOn }} }}")).await;
        assert!(open["task"]["closedOn"].is_null(), "[{}] a rejection keeps the task open", app.backend_name);
        let again = app.query_as(&reporter, REQUEST, input(&task, "补充材料后再申请")).await;
        assert_eq!(again["data"]["requestClosure"]["closure"]["state"], "PENDING", "{again:#}");
    }
}
