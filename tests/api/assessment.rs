//! The year-end assessment (考核, SPEC §13): its counts agree with the obligations they come
//! from; equal scores share a rank; collectives are left out; closed tasks are counted; the
//! ledger workbook carries it as the sheet 考核.

use chrono::TimeZone as _;
use entity::TokenRole;
use qingdan::clock::Clock;
use serde_json::{Value, json};

use crate::on_each_backend;
use crate::support::code;

const ASSESSMENT: &str = "query($d: ID!, $a: Date) { assessment(documentId: $d, asOf: $a) {
    department { name kind } obligations submittedOnTime submittedLate overdue returned pending redLights
    extensionsApproved noticesReceived tasksClosed score rank } }";

fn n(v: &Value) -> i64 {
    v.as_i64().unwrap_or_else(|| panic!("a number: {v}"))
}

on_each_backend! {
    async fn the_assessment_agrees_with_the_obligations_ranks_ties_together_and_leaves_out_collectives(app) {
        let app = app.with_clock(Clock::fixed(chrono::Utc.with_ymd_and_hms(2023, 5, 15, 2, 0, 0).single().expect("a time")));
        let (viewer, _) = app.token(TokenRole::Viewer, None).await;
        let (reporter, _) = app.token(TokenRole::Reporter, Some("市税务局")).await;
        let (supervisor, _) = app.token(TokenRole::Supervisor, Some("市政务服务办")).await;
        let doc = app.data("{ documents { id } }").await["documents"][0]["id"].clone();
        assert_eq!(code(&app.query_with(ASSESSMENT, json!({ "d": doc })).await), "UNAUTHENTICATED");
        assert_eq!(code(&app.query_as(&viewer, ASSESSMENT, json!({ "d": "RG9jdW1lbnQ6OTk5" })).await), "NOT_FOUND");

        // Before anything is due, no one is judged: every department scores 100 and shares rank 1.
        let early = app.query_as(&viewer, ASSESSMENT, json!({ "d": doc, "a": "2023-03-01" })).await;
        let rows = early["data"]["assessment"].as_array().unwrap_or_else(|| panic!("[{}] {early:#}", app.backend_name));
        assert!(rows.len() > 10);
        assert!(rows.iter().all(|r| r["score"] == 100.0 && r["rank"] == 1), "[{}] ties share a rank", app.backend_name);

        // 市税务局 reports one task of Q1 late (it is 05-15); a task of its is closed.
        let led = app.data(r#"{ tasks(filter: {departmentName: "市税务局", role: LEAD}, first: 2) { nodes { id } } }"#).await;
        let tasks: Vec<String> = led["tasks"]["nodes"].as_array().expect("tasks").iter().map(|t| t["id"].as_str().expect("id").to_owned()).collect();
        let input = json!({ "taskId": tasks[0], "periodId": app.period_id(1).await, "status": "ON_TRACK", "progressPercent": 30, "summary": "迟报" });
        assert!(app.submit(&reporter, input, "id").await.get("errors").is_none());
        let asked = app.query_as(&reporter, "mutation($i: RequestClosureInput!) { requestClosure(input: $i) { closure { id } } }",
            json!({ "i": { "taskId": tasks[1], "summary": "已完成" } })).await;
        let closure = asked["data"]["requestClosure"]["closure"]["id"].clone();
        let approved = app.query_as(&supervisor, "mutation($i: DecideClosureInput!) { decideClosure(input: $i) { closure { state } } }",
            json!({ "i": { "closureId": closure, "approve": true } })).await;
        assert_eq!(approved["data"]["decideClosure"]["closure"]["state"], "APPROVED", "{approved:#}");

        let now = app.query_as(&viewer, ASSESSMENT, json!({ "d": doc, "a": "2023-05-15" })).await;
        let rows = now["data"]["assessment"].as_array().unwrap_or_else(|| panic!("{now:#}")).clone();
        assert!(rows.iter().all(|r| r["department"]["kind"] != "COLLECTIVE"), "collectives owe nothing and are left out");
        // Best first; equal scores share the rank of the first of them.
        for (i, r) in rows.iter().enumerate() {
            let expected = if i > 0 && rows[i - 1]["score"] == r["score"] { n(&rows[i - 1]["rank"]) } else { i as i64 + 1 };
            assert_eq!(n(&r["rank"]), expected, "[{}] row {i}", app.backend_name);
            if i > 0 {
                assert!(rows[i - 1]["score"].as_f64() >= r["score"].as_f64());
            }
        }
        let tax = rows.iter().find(|r| r["department"]["name"] == "市税务局").expect("市税务局 is assessed");
        assert_eq!(n(&tax["submittedLate"]), 1, "[{}] {tax}", app.backend_name);
        assert_eq!(n(&tax["tasksClosed"]), 1);

        // The totals agree with each period's obligationSummary at the same moment.
        let mut sums = [0i64; 5];
        for quarter in 1..=4 {
            let q = format!("{{ obligationSummary(periodId: \"{}\", asOf: \"2023-05-15\") {{ total submitted submittedLate overdue red }} }}", app.period_id(quarter).await);
            let s = app.query_as(&viewer, &q, json!({})).await;
            let s = &s["data"]["obligationSummary"];
            for (k, f) in ["total", "submitted", "submittedLate", "overdue", "red"].iter().enumerate() {
                sums[k] += n(&s[*f]);
            }
        }
        let total = |f: &str| rows.iter().map(|r| n(&r[f])).sum::<i64>();
        assert_eq!(
            [total("obligations"), total("submittedOnTime"), total("submittedLate"), total("overdue"), total("redLights")],
            sums,
            "[{}] the assessment counts what the obligations say",
            app.backend_name
        );
        // And one department's, period by period.
        let tax_id = app.department_id("市税务局").await;
        let mut owed = 0;
        for quarter in 1..=4 {
            let q = format!("{{ obligations(periodId: \"{}\", departmentId: \"{tax_id}\", asOf: \"2023-05-15\") {{ totalCount }} }}", app.period_id(quarter).await);
            owed += n(&app.query_as(&viewer, &q, json!({})).await["data"]["obligations"]["totalCount"]);
        }
        assert_eq!(n(&tax["obligations"]), owed, "[{}]", app.backend_name);

        // The ledger workbook of a token holder ends with the sheet 考核, a row per department.
        let addr = app.serve().await;
        let (_, token) = app.token(TokenRole::Viewer, None).await;
        let book = crate::ledger::get(addr, "/exports/ledger.xlsx?asOf=2023-05-15", Some(&token)).await;
        let sheets = crate::ledger::sheets(&book.body);
        let (name, table) = sheets.last().expect("sheets");
        assert_eq!(name, "考核", "[{}] {:?}", app.backend_name, sheets.iter().map(|s| &s.0).collect::<Vec<_>>());
        assert_eq!(table.len(), rows.len() + 1, "a header and a row per department");
        assert_eq!(table[0][2], "部门");
        assert_eq!(table[1][2], rows[0]["department"]["name"].as_str().expect("a name"));
        let public = crate::ledger::get(addr, "/exports/ledger.xlsx", None).await;
        assert!(crate::ledger::sheets(&public.body).iter().all(|(name, _)| name != "考核"), "no assessment without a token");
    }
}
