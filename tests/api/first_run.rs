//! What a newcomer meets on a first run of the binary: a PostgreSQL database that does not exist
//! yet is created, a failure names what failed (the JWKS, not the database) without the
//! server's internal positions, and a command about to create a new SQLite file says so.

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
