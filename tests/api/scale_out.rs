//! Two server processes on one PostgreSQL database: a report submitted through one reaches
//! the subscribers of the other (LISTEN/NOTIFY).

use entity::TokenRole;
use serde_json::json;

use crate::server_process::ServerProcess;
use crate::subscriptions::{SUBSCRIPTION, init, open, recv, submit, subscribe};
use crate::support::TestApp;

async fn replica(database_url: &str) -> ServerProcess {
    ServerProcess::start(database_url, &[], &[]).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: QINGDAN_TEST_POSTGRES=postgres://… cargo test -- --include-ignored"]
async fn a_report_submitted_through_one_replica_reaches_subscribers_of_another() {
    let app = TestApp::spawn(crate::support::postgres()).await;
    let (_, token) = app.token(TokenRole::Admin, None).await;
    let a = replica(&app.database_url).await;
    let b = replica(&app.database_url).await;

    let mut ws = open(a.addr, None).await.expect("open a WebSocket on replica A");
    assert_eq!(init(&mut ws, Some(&token)).await, Some(json!({ "type": "connection_ack" })));
    subscribe(&mut ws, "1", SUBSCRIPTION, json!({ "p": app.period_id(1).await })).await;

    let revision = submit(&app, b.addr, &token, 29, "市税务局").await;
    assert_eq!(revision, 1);
    let msg = recv(&mut ws).await.expect("a message on replica A");
    assert_eq!(msg["type"], "next", "{msg:#}");
    let report = &msg["payload"]["data"]["reportSubmitted"];
    assert_eq!(report["task"]["number"], 29);
    assert_eq!(report["department"]["name"], "市税务局");
    assert_eq!(report["revision"], 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: QINGDAN_TEST_POSTGRES=postgres://… cargo test -- --include-ignored"]
async fn a_review_through_one_replica_reaches_supervision_subscribers_of_another() {
    let app = TestApp::spawn(crate::support::postgres()).await;
    let (_, admin) = app.token(TokenRole::Admin, None).await;
    let (_, supervisor) = app.token(TokenRole::Supervisor, Some("市政务服务办")).await;
    let a = replica(&app.database_url).await;
    let b = replica(&app.database_url).await;

    let mut ws = open(a.addr, None).await.expect("open a WebSocket on replica A");
    assert_eq!(init(&mut ws, Some(&supervisor)).await, Some(json!({ "type": "connection_ack" })));
    let q = "subscription($p: ID) { supervisionEvents(periodId: $p) { action subjectId department { name } } }";
    subscribe(&mut ws, "1", q, json!({ "p": app.period_id(1).await })).await;

    submit(&app, b.addr, &admin, 29, "市税务局").await;
    let first = recv(&mut ws).await.expect("the submission on replica A");
    assert_eq!(first["payload"]["data"]["supervisionEvents"]["action"], "report.submitted", "{first:#}");
    let report = first["payload"]["data"]["supervisionEvents"]["subjectId"].clone();
    let review = "mutation($input: ReviewReportInput!) { reviewReport(input: $input) { report { review { state } } } }";
    let input = json!({ "reportId": report, "decision": "RETURN", "comment": "请补充数据", "expectedRevision": 1 });
    let resp: serde_json::Value = reqwest::Client::new()
        .post(format!("http://{}/graphql", b.addr))
        .bearer_auth(&supervisor)
        .json(&json!({ "query": review, "variables": { "input": input } }))
        .send()
        .await
        .expect("POST /graphql")
        .json()
        .await
        .expect("JSON");
    assert_eq!(resp["data"]["reviewReport"]["report"]["review"]["state"], "RETURNED", "{resp:#}");
    let second = recv(&mut ws).await.expect("the review on replica A");
    let event = &second["payload"]["data"]["supervisionEvents"];
    assert_eq!(event["action"], "report.returned", "{second:#}");
    assert_eq!(event["subjectId"], report);
    assert_eq!(event["department"]["name"], "市税务局");
}
