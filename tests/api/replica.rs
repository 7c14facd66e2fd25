//! On a real streaming replica (`scripts/pg-replica.sh start`, then `QINGDAN_TEST_REPLICA_PRIMARY`
//! and `QINGDAN_TEST_REPLICA`): queries read from the standby, while a mutation's payload and a
//! subscription's come from the primary and carry the revision just written, however far the
//! standby lags. Replay is paused on the standby to make the lag certain.

use std::net::SocketAddr;
use std::time::Duration;

use entity::TokenRole;
use qingdan::AppState;
use qingdan::config::Limits;
use sea_orm::ConnectionTrait as _;
use serde_json::{Value, json};

use crate::subscriptions::{SUBSCRIPTION, init, open, recv, subscribe};

fn with_database(url: &str, name: &str) -> String {
    url.rsplit_once('/').map(|(base, _)| format!("{base}/{name}")).expect("a database URL")
}

async fn until(what: &str, mut check: impl AsyncFnMut() -> bool) {
    for _ in 0..200 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{what}: not within 10 s");
}

async fn post(addr: SocketAddr, token: &str, query: &str, variables: Value) -> Value {
    reqwest::Client::new()
        .post(format!("http://{addr}/graphql"))
        .bearer_auth(token)
        .json(&json!({ "query": query, "variables": variables }))
        .send()
        .await
        .expect("POST")
        .json()
        .await
        .expect("JSON")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a streaming replica: eval \"$(bash scripts/pg-replica.sh start | sed 's/^/export /')\"; cargo test --test api replica:: -- --include-ignored"]
async fn reads_go_to_the_standby_and_writes_payloads_come_from_the_primary() {
    let (Ok(primary), Ok(standby)) =
        (std::env::var("QINGDAN_TEST_REPLICA_PRIMARY"), std::env::var("QINGDAN_TEST_REPLICA"))
    else {
        panic!(
            "QINGDAN_TEST_REPLICA_PRIMARY and QINGDAN_TEST_REPLICA name the primary and the standby (scripts/pg-replica.sh start)"
        );
    };
    let name = format!("qingdan_replica_{}", std::process::id());
    let admin = sea_orm::Database::connect(&primary).await.expect("the primary");
    admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await.expect("create the database");
    let _drop = crate::support::DropDatabase(primary.clone(), name.clone());
    let standby_admin = sea_orm::Database::connect(&standby).await.expect("the standby");
    let exists = format!("SELECT 1 FROM pg_database WHERE datname = '{name}'");
    until("the database reaches the standby", async || {
        standby_admin
            .query_one_raw(sea_orm::Statement::from_string(sea_orm::DbBackend::Postgres, exists.clone()))
            .await
            .ok()
            .flatten()
            .is_some()
    })
    .await;

    let (primary_url, standby_url) = (with_database(&primary, &name), with_database(&standby, &name));
    let state =
        AppState::connect_with_replica(&primary_url, Some(&standby_url), Limits::default()).await.expect("connect");
    qingdan::cli::seed_if_empty(&state).await.expect("import the bundled document");
    let read = sea_orm::Database::connect(&standby_url).await.expect("the standby's database");
    until("the list reaches the standby", async || {
        read.query_one_raw(sea_orm::Statement::from_string(
            sea_orm::DbBackend::Postgres,
            "SELECT count(*) AS n FROM task",
        ))
        .await
        .ok()
        .flatten()
        .and_then(|r| r.try_get::<i64>("", "n").ok())
            == Some(129)
    })
    .await;
    let (_, token) = {
        let db = state.primary();
        let dept =
            qingdan::service::departments::find_by_name(db, "市税务局", None).await.expect("find").expect("市税务局");
        let actor = qingdan::service::writes::Actor::cli();
        let (row, secret) =
            qingdan::service::tokens::create(&state.writer, &actor, TokenRole::Reporter, Some(dept.id), "replica")
                .await
                .expect("a token");
        (row, secret)
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let router = qingdan::build_router(state.clone());
    tokio::spawn(async move {
        axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>()).await.ok();
    });
    let ids = post(addr, &token, "{ task(number: 29) { id } reportingPeriods { id quarter } }", json!({})).await;
    let task = ids["data"]["task"]["id"].clone();
    let period = ids["data"]["reportingPeriods"]
        .as_array()
        .expect("periods")
        .iter()
        .find(|p| p["quarter"] == 1)
        .expect("Q1")["id"]
        .clone();

    let mut ws = open(addr, None).await.expect("a WebSocket");
    assert_eq!(init(&mut ws, Some(&token)).await, Some(json!({ "type": "connection_ack" })));
    subscribe(&mut ws, "1", SUBSCRIPTION, json!({ "p": period })).await;

    // The standby stops replaying: from now on it lags the primary for certain.
    standby_admin.execute_unprepared("SELECT pg_wal_replay_pause()").await.expect("pause replay");
    let submit = "mutation($input: SubmitReportInput!) { submitReport(input: $input) { report { revision revisions { revision } } } }";
    let input = json!({ "taskId": task, "periodId": period, "status": "ON_TRACK", "progressPercent": 50, "summary": "经复制验证" });
    let resp = post(addr, &token, submit, json!({ "input": input })).await;
    assert_eq!(resp["data"]["submitReport"]["report"]["revision"], 1, "{resp:#}");
    assert_eq!(
        resp["data"]["submitReport"]["report"]["revisions"],
        json!([{ "revision": 1 }]),
        "the payload reads from the primary"
    );

    let pushed = recv(&mut ws).await.expect("the subscription's message");
    assert_eq!(pushed["payload"]["data"]["reportSubmitted"]["revision"], 1, "{pushed:#}");

    // A query is a read: it comes from the standby, which has not replayed the write yet, so the
    // task's audit trail (read from the database) has no event of it. Its reports come from the
    // rows this process holds, which are never older than what it has read: the payload above
    // brought the submission in from the primary, so the report shows.
    let reports = "query($t: ID!) { node(id: $t) { ... on Task { reports { revision } history { action } } } }";
    let lagging = post(addr, &token, reports, json!({ "t": task })).await;
    assert_eq!(lagging["data"]["node"]["history"], json!([]), "reads are the standby's: {lagging:#}");
    assert_eq!(lagging["data"]["node"]["reports"], json!([{ "revision": 1 }]), "held rows: {lagging:#}");

    standby_admin.execute_unprepared("SELECT pg_wal_replay_resume()").await.expect("resume replay");
    until("the event reaches the standby's readers", async || {
        post(addr, &token, reports, json!({ "t": task })).await["data"]["node"]["history"]
            == json!([{ "action": "report.submitted" }])
    })
    .await;
}
