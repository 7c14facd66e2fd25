//! What a newcomer meets on a first run of the binary: a PostgreSQL database that does not exist
//! yet is created, a failure names what failed (the JWKS, not the database) without the
//! server's internal positions, a command about to create a new SQLite file says so, and the
//! command line writes on the clock of a rehearsing server beside it.

use std::process::{Command, Output};

fn qingdan(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_qingdan")).args(args).env("RUST_LOG", "warn").output().expect("run qingdan")
}

fn text(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

#[test]
#[ignore = "needs PostgreSQL: QINGDAN_TEST_POSTGRES=postgres://… cargo test -- --include-ignored"]
fn migrate_creates_a_postgresql_database_that_does_not_exist_yet() {
    let admin = crate::support::postgres_url();
    let name = format!("qd_first_run_{}", std::process::id());
    let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
    let url = format!("{base}/{name}");
    let _drop = crate::support::DropDatabase(admin.clone(), name.clone());
    let out = qingdan(&["--database-url", &url, "migrate"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("migrations applied"), "{}", text(&out));
    let again = qingdan(&["--database-url", &url, "migrate"]);
    assert!(again.status.success(), "{}", text(&again));
}

#[test]
fn a_failure_names_what_failed_once_and_without_internal_positions() {
    let dir = tempfile::tempdir().expect("dir");
    let db = format!("sqlite://{}?mode=rwc", dir.path().join("x.db").display());
    let out = qingdan(&[
        "--database-url",
        &db,
        "serve",
        "--bind",
        "127.0.0.1:0",
        "--jwt-issuer",
        "https://sso.example",
        "--jwt-audience",
        "qingdan",
        "--jwt-jwks",
        "http://127.0.0.1:9/jwks.json",
    ]);
    assert!(!out.status.success());
    let said = text(&out);
    assert!(said.contains("JWKS") && said.contains("127.0.0.1:9"), "{said}");
    assert!(!said.contains("cannot open the database"), "{said}");

    // A database path that cannot be a file.
    let out = qingdan(&["--database-url", "sqlite:///proc/no/such/dir/x.db?mode=rwc", "migrate"]);
    let said = text(&out);
    assert!(!out.status.success());
    assert!(said.contains("cannot open the database sqlite:///proc/no/such/dir/x.db"), "{said}");
    assert!(!said.contains(" at line "), "no position in the server's source: {said}");
}

#[test]
fn a_command_about_to_create_a_new_database_file_says_so() {
    let dir = tempfile::tempdir().expect("dir");
    let db = format!("sqlite://{}?mode=rwc", dir.path().join("fresh.db").display());
    let out = qingdan(&["--database-url", &db, "token", "list"]);
    assert!(out.status.success(), "{}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("fresh.db does not exist: a new database is created there"), "{stderr}");
    let again = qingdan(&["--database-url", &db, "token", "list"]);
    assert!(!String::from_utf8_lossy(&again.stderr).contains("does not exist"), "only for a new file");
}

/// The events of the token `token` sees, newest first: (action, at).
async fn events(addr: std::net::SocketAddr, token: &str) -> Vec<(String, String)> {
    let body = serde_json::json!({ "query": "{ events(last: 20) { nodes { action at } } }" });
    let r = reqwest::Client::new().post(format!("http://{addr}/graphql")).bearer_auth(token).json(&body).send().await;
    let v: serde_json::Value = r.expect("POST").json().await.expect("JSON");
    let nodes = v["data"]["events"]["nodes"].as_array().unwrap_or_else(|| panic!("{v:#}")).clone();
    nodes
        .iter()
        .rev()
        .map(|n| (n["action"].as_str().unwrap_or("").to_owned(), n["at"].as_str().unwrap_or("").to_owned()))
        .collect()
}

#[tokio::test]
async fn beside_a_rehearsing_server_the_command_line_writes_on_its_clock_and_beside_a_real_one_on_the_system_s() {
    let dir = tempfile::tempdir().expect("dir");
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("r.db").display());
    let server =
        crate::server_process::ServerProcess::start(&url, &["--clock-start", "2023-04-05T10:00:00+08:00"], &[]).await;
    let created = qingdan(&["--database-url", &url, "token", "create", "--role", "admin", "--label", "rehearsal"]);
    assert!(created.status.success(), "{}", text(&created));
    assert!(
        text(&created).contains("rehearses with --clock-start"),
        "the command says whose clock: {}",
        text(&created)
    );
    let token = String::from_utf8_lossy(&created.stdout).lines().last().expect("the token").trim().to_owned();
    let seen = events(server.addr, &token).await;
    let (action, at) = seen.first().expect("an event");
    assert_eq!(action, "token.created");
    assert!(at.starts_with("2023-04-05"), "the token was created at the rehearsal's time: {seen:?}");
    drop(server);

    // A server without --clock-start puts the command line back on the system's clock.
    let server = crate::server_process::ServerProcess::start(&url, &[], &[]).await;
    let again = qingdan(&["--database-url", &url, "token", "create", "--role", "viewer", "--label", "after"]);
    assert!(again.status.success() && !text(&again).contains("rehearses"), "{}", text(&again));
    let seen = events(server.addr, &token).await;
    let this_year = chrono::Utc::now().format("%Y").to_string();
    assert!(seen[0].0 == "token.created" && seen[0].1.starts_with(&this_year), "{seen:?}");
}
