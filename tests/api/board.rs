//! The supervising office's board (SPEC §13): the page and its pinned assets over the real
//! router, its operations (read from the file the page is made of) trusted under
//! `--trusted-documents`, the summary it shows agreeing with the listings it acts on, and its
//! first screen's statements. The page itself runs in headless Chromium in
//! `.ci/browser-check.sh`.

use std::collections::BTreeMap;

use chrono::TimeZone as _;
use entity::TokenRole;
use qingdan::clock::Clock;
use serde_json::{Value, json};

use crate::on_each_backend;
use crate::support::{Backend, TestApp, code};

/// The board's operations, as the page sends them.
fn operations() -> BTreeMap<String, String> {
    serde_json::from_str(include_str!("../../assets/board/operations.json")).expect("name → operation")
}

fn op(name: &str) -> String {
    operations().remove(name).unwrap_or_else(|| panic!("the board has an operation {name}"))
}

fn n(v: &Value) -> i64 {
    v.as_i64().unwrap_or_else(|| panic!("a number: {v}"))
}

async fn post(addr: std::net::SocketAddr, token: Option<&str>, body: Value) -> (u16, Value) {
    let mut request = reqwest::Client::new().post(format!("http://{addr}/graphql")).json(&body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let r = request.send().await.expect("POST");
    (r.status().as_u16(), r.json().await.expect("JSON"))
}

#[tokio::test]
async fn the_board_and_its_pinned_assets_are_served_and_its_operations_run_under_trusted_documents() {
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("trusted.json");
    let only = "{ documents { id } }";
    std::fs::write(&file, json!({ qingdan::http::persisted::digest(only): only }).to_string()).expect("write");
    let mut app = TestApp::spawn(Backend::Sqlite).await;
    app.state.limits.trusted_documents = Some(file);
    let (_, admin) = app.token(TokenRole::Admin, None).await;
    let addr = app.serve().await;
    let client = reqwest::Client::new();

    // The page: Chinese, the test ids, its operations, a policy of this server alone.
    let page = client.get(format!("http://{addr}/board")).send().await.expect("GET /board");
    assert_eq!(page.status(), 200);
    let policy = page.headers()["content-security-policy"].to_str().expect("ASCII").to_owned();
    assert!(policy.contains("script-src 'self'") && policy.contains("default-src 'none'"), "{policy}");
    let html = page.text().await.expect("text");
    assert!(html.contains("lang=\"zh-CN\"") && html.contains("督查督办看板"));
    for testid in [
        "token-input",
        "sign-in",
        "document-select",
        "period-select",
        "tile-total",
        "tile-submitted",
        "tile-late",
        "tile-overdue",
        "tile-returned",
        "tile-pending-review",
        "tile-extensions",
        "event-feed",
        "chart-lights",
        "chart-progress",
        "chart-assessment",
    ] {
        assert!(html.contains(&format!("data-testid=\"{testid}\"")), "the page has {testid}");
    }
    assert!(!html.contains("http://") && !html.contains("https://"), "nothing from elsewhere");
    // Its scripts and style come from this server, cached for a year; ECharts is the pinned file.
    let sources: Vec<&str> = html.split(['"']).filter(|s| s.starts_with("/assets/board-")).collect();
    assert_eq!(sources.len(), 3, "{sources:?}");
    for src in &sources {
        let r = client.get(format!("http://{addr}{src}")).send().await.expect("an asset");
        assert_eq!(r.status(), 200, "{src}");
        assert!(r.headers()["cache-control"].to_str().expect("ASCII").contains("immutable"));
        let bytes = r.bytes().await.expect("bytes");
        if src.ends_with("echarts.min.js") {
            let sums = include_str!("../../assets/board/SHA256SUMS");
            assert!(sums.starts_with(&qingdan::http::persisted::digest_bytes(&bytes)), "the pinned ECharts");
        }
    }
    let stale = client.get(format!("http://{addr}/assets/board-000000000000/board.js")).send().await.expect("GET");
    assert_eq!(stale.status(), 404, "another version's path finds nothing");

    // Under --trusted-documents the board's operations run besides the file's; others are refused.
    let (status, body) = post(addr, Some(&admin), json!({ "query": op("BoardStart") })).await;
    assert_eq!(status, 200, "{body:#}");
    assert_eq!(body["data"]["viewer"]["role"], "ADMIN", "{body:#}");
    let doc = body["data"]["documents"][0].clone();
    assert_eq!(doc["currentPeriod"]["id"], doc["reportingPeriods"][3]["id"], "past its year: the last period");
    let vars = json!({ "documentId": doc["id"], "periodId": doc["reportingPeriods"][0]["id"] });
    let (status, body) = post(addr, Some(&admin), json!({ "query": op("BoardPeriod"), "variables": vars })).await;
    assert_eq!(status, 200);
    assert!(body.get("errors").is_none() && n(&body["data"]["summary"]["total"]) > 100, "{body:#}");
    let (_, body) = post(addr, Some(&admin), json!({ "query": only })).await;
    assert!(body["data"]["documents"].is_array(), "the file's own: {body:#}");
    let (status, body) = post(addr, Some(&admin), json!({ "query": "{ documents { title } }" })).await;
    assert_eq!((status, code(&body)), (400, "PERSISTED_QUERY_NOT_ALLOWED"), "{body:#}");
}

on_each_backend! {
    async fn the_boards_summary_agrees_with_its_queues_and_groups(app) {
        // From April 5th on (a running clock: what was just written is seen): Q1 is due on the
        // 10th, so requests for a later date can still be made.
        let app = app.with_clock(Clock::starting_at(chrono::Utc.with_ymd_and_hms(2023, 4, 5, 2, 0, 0).single().expect("a time")));
        let (admin, _) = app.token(TokenRole::Admin, None).await;
        let (supervisor, _) = app.token(TokenRole::Supervisor, Some("市政务服务办")).await;
        let doc = app.data("{ documents { id } }").await["documents"][0]["id"].clone();
        let period = app.period_id(1).await;
        let owed = app.query_as(&admin, "query($p: ID!) { obligations(periodId: $p, first: 8) {
            nodes { task { id } department { id } } } }", json!({ "p": period })).await;
        let owed = owed["data"]["obligations"]["nodes"].as_array().expect("obligations").clone();

        // Six reports (progress 10, 20, …, 60), the first accepted; one request for a later date.
        let mut reports = Vec::new();
        for (i, o) in owed.iter().take(6).enumerate() {
            let input = json!({ "taskId": o["task"]["id"], "periodId": period, "departmentId": o["department"]["id"],
                "status": "ON_TRACK", "progressPercent": 10 * (i + 1), "summary": "进展" });
            let r = app.submit(&admin, input, "id revision").await;
            reports.push(r["data"]["submitReport"]["report"].clone());
        }
        let accepted = app.query_as(&supervisor, &op("BoardReview"), json!({ "input": {
            "reportId": reports[0]["id"], "decision": "ACCEPT", "expectedRevision": 1 } })).await;
        assert_eq!(accepted["data"]["reviewReport"]["report"]["review"]["state"], "ACCEPTED", "{accepted:#}");
        let asked = app.query_as(&admin, "mutation($i: RequestExtensionInput!) { requestExtension(input: $i) { extension { id } } }",
            json!({ "i": { "taskId": owed[7]["task"]["id"], "periodId": period, "departmentId": owed[7]["department"]["id"],
                "dueOn": "2023-04-20", "reason": "会签" } })).await;
        assert!(asked.get("errors").is_none(), "{asked:#}");

        let board = app.query_as(&supervisor, &op("BoardPeriod"), json!({ "documentId": doc, "periodId": period })).await;
        let data = &board["data"];
        assert!(board.get("errors").is_none(), "[{}] {board:#}", app.backend_name);
        let s = &data["summary"];
        // The tiles' numbers are the listings the queues show.
        assert_eq!(n(&s["pendingReview"]), 5, "[{}] six submitted, one accepted", app.backend_name);
        assert_eq!(n(&data["reviews"]["totalCount"]), 5);
        let queued: Vec<&Value> = data["reviews"]["nodes"].as_array().expect("nodes").iter().map(|o| &o["report"]["id"]).collect();
        assert!(!queued.contains(&&reports[0]["id"]) && queued.contains(&&reports[1]["id"]), "the accepted report left the queue");
        assert_eq!(n(&s["extensionsPending"]), 1);
        assert_eq!(n(&data["extensions"]["totalCount"]), 1);
        assert_eq!(data["extensions"]["nodes"][0]["extensions"][0]["state"], "PENDING");
        assert_eq!(n(&data["overdue"]["totalCount"]), n(&s["overdue"]));
        assert_eq!(s["averageProgress"], 35.0, "[{}] the mean of 10…60", app.backend_name);
        assert_eq!(n(&s["scheduledProgress"]), 25, "Q1 ends a quarter into the year");
        // Each grouping partitions the period's obligations.
        for (groups, key) in [("byDepartment", "department"), ("byCategory", "category")] {
            let rows = s[groups].as_array().unwrap_or_else(|| panic!("{groups}: {s:#}"));
            assert!(rows.iter().all(|r| r[key]["id"].is_string()), "every {groups} row names its {key}");
            for field in ["total", "green", "blue", "yellow", "red"] {
                if groups == "byCategory" && field != "total" {
                    continue;
                }
                let sum: i64 = rows.iter().map(|r| n(&r[field])).sum();
                assert_eq!(sum, n(&s[field]), "[{}] {groups} sums {field}", app.backend_name);
            }
        }
        // The ranking the chart shows is the assessment.
        assert!(!data["assessment"].as_array().expect("rows").is_empty());

        // A decision from the queue leaves it, and the tile follows.
        let decided = app.query_as(&supervisor, &op("BoardDecideExtension"), json!({ "input": {
            "extensionId": data["extensions"]["nodes"][0]["extensions"][0]["id"], "approve": true } })).await;
        assert_eq!(decided["data"]["decideExtension"]["extension"]["state"], "APPROVED", "{decided:#}");
        let after = app.query_as(&supervisor, &op("BoardPeriod"), json!({ "documentId": doc, "periodId": period })).await;
        assert_eq!(n(&after["data"]["summary"]["extensionsPending"]), 0);
        assert_eq!(n(&after["data"]["extensions"]["totalCount"]), 0);

        // A reporter reads the board (the page shows it no actions) but cannot act from it.
        let (reporter, _) = app.token(TokenRole::Reporter, Some("市税务局")).await;
        let read = app.query_as(&reporter, &op("BoardPeriod"), json!({ "documentId": doc, "periodId": period })).await;
        assert!(read.get("errors").is_none(), "{read:#}");
        let refused = app.query_as(&reporter, &op("BoardReview"), json!({ "input": {
            "reportId": reports[1]["id"], "decision": "ACCEPT", "expectedRevision": 1 } })).await;
        assert_eq!(code(&refused), "FORBIDDEN", "{refused:#}");

        // The department page.
        let dept = &s["byDepartment"][0]["department"]["id"];
        let page = app.query_as(&supervisor, &op("BoardDepartment"), json!({ "departmentId": dept, "periodId": period })).await;
        assert!(page.get("errors").is_none(), "{page:#}");
        assert_eq!(n(&page["data"]["department"]["obligations"]["totalCount"]), n(&s["byDepartment"][0]["total"]));
    }
}

on_each_backend! {
    async fn the_boards_first_screen_runs_a_few_statements_whatever_the_size_of_the_list(app) {
        let rows = crate::statements::generated(&app, 12).await;
        let (admin, _) = rows.token(TokenRole::Admin, None).await;
        let start = rows.query_as(&admin, &op("BoardStart"), json!({})).await;
        assert!(start.get("errors").is_none(), "{start:#}");
        let doc = &start["data"]["documents"][0];
        let vars = json!({ "documentId": doc["id"], "periodId": doc["reportingPeriods"][0]["id"] });
        assert_eq!(crate::statements::statements_of(&rows, &admin, &op("BoardStart"), json!({})).await, 1, "[{}] the versions", rows.backend_name);
        // The first read of the held rows reads them all; then the versions alone: the reports,
        // extensions and notices of the period and the closures of the document (summary,
        // queues, lights) and the assessment's of the whole document are held.
        crate::statements::statements_of(&rows, &admin, &op("BoardPeriod"), vars.clone()).await;
        assert_eq!(crate::statements::statements_of(&rows, &admin, &op("BoardPeriod"), vars).await, 1, "[{}] BoardPeriod", rows.backend_name);
    }
}
