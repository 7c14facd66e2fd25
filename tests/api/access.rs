//! Who may do what: roles × tasks, anonymous callers, bad tokens over HTTP, and the token CLI.

use entity::TokenRole;
use qingdan::config::Limits;
use qingdan::service::access::Viewer;
use serde_json::{Value, json};

use crate::on_each_backend;
use crate::support::{TestApp, code};

/// A Q1 submission on task `task` for `department` (or the caller's own, when `None`).
async fn submit(app: &TestApp, viewer: &Viewer, task: i64, department: Option<&str>) -> Value {
    let department_id = match department {
        Some(name) => Some(app.department_id(name).await),
        None => None,
    };
    let input = json!({ "taskId": app.task_id(task).await, "periodId": app.period_id(1).await,
        "departmentId": department_id, "status": "ON_TRACK", "progressPercent": 10, "summary": "已部署" });
    app.submit(viewer, input, "revision task { number } department { name }").await
}

/// The submitted report's (task number, department name), or the error code.
fn outcome(resp: &Value) -> Result<(i64, String), String> {
    let r = &resp["data"]["submitReport"]["report"];
    match (r["task"]["number"].as_i64(), r["department"]["name"].as_str()) {
        (Some(n), Some(d)) => Ok((n, d.to_owned())),
        _ => Err(code(resp).to_owned()),
    }
}

on_each_backend! {
    async fn a_reporter_submits_for_tasks_its_department_leads_or_shares_and_nothing_else(app) {
        let (tax, _) = app.token(TokenRole::Reporter, Some("市税务局")).await;
        let ok = |n: i64| Ok::<_, String>((n, "市税务局".to_owned()));
        assert_eq!(outcome(&submit(&app, &tax, 29, None).await), ok(29), "[{}] it leads task 29", app.backend_name);
        assert_eq!(outcome(&submit(&app, &tax, 29, Some("市税务局")).await), ok(29), "[{}] naming itself", app.backend_name);
        assert_eq!(outcome(&submit(&app, &tax, 20, None).await), ok(20), "[{}] responsible on task 20", app.backend_name);
        let forbidden = Err("FORBIDDEN".to_owned());
        assert_eq!(outcome(&submit(&app, &tax, 1, None).await), forbidden, "[{}] task 1 is not its", app.backend_name);
        assert_eq!(outcome(&submit(&app, &tax, 20, Some("市规划资源局")).await), forbidden, "[{}]", app.backend_name);
        assert_eq!(outcome(&submit(&app, &tax, 8, Some("市级有关单位")).await), forbidden, "[{}]", app.backend_name);
        assert_eq!((app.rows("report").await, app.rows("report_revision").await), (2, 3), "[{}]", app.backend_name);
    }
}

on_each_backend! {
    async fn an_admin_submits_for_any_assigned_department_but_never_for_a_collective(app) {
        let (admin, _) = app.token(TokenRole::Admin, None).await;
        let ok = |n: i64, d: &str| Ok::<_, String>((n, d.to_owned()));
        assert_eq!(outcome(&submit(&app, &admin, 8, Some("市委网信办")).await), ok(8, "市委网信办"), "[{}]", app.backend_name);
        assert_eq!(outcome(&submit(&app, &admin, 20, Some("市税务局")).await), ok(20, "市税务局"), "[{}]", app.backend_name);
        assert_eq!(outcome(&submit(&app, &admin, 83, Some("市委依法治市办")).await), ok(83, "市委依法治市办"));
        let bad = Err("BAD_USER_INPUT".to_owned());
        assert_eq!(outcome(&submit(&app, &admin, 8, None).await), bad, "[{}] no departmentId", app.backend_name);
        assert_eq!(outcome(&submit(&app, &admin, 8, Some("市级有关单位")).await), bad, "[{}] a collective", app.backend_name);
        assert_eq!(outcome(&submit(&app, &admin, 87, Some("各区人民政府")).await), bad, "[{}] a collective", app.backend_name);
        assert_eq!(outcome(&submit(&app, &admin, 29, Some("市市场监管委")).await), bad, "[{}] not assigned", app.backend_name);
        assert_eq!((app.rows("report").await, app.rows("report_revision").await), (3, 3), "[{}]", app.backend_name);
    }
}

on_each_backend! {
    async fn a_viewer_token_reads_reports_and_obligations_but_cannot_submit(app) {
        let (admin, _) = app.token(TokenRole::Admin, None).await;
        let (viewer, _) = app.token(TokenRole::Viewer, None).await;
        assert!(outcome(&submit(&app, &admin, 29, Some("市税务局")).await).is_ok());
        assert_eq!(outcome(&submit(&app, &viewer, 30, Some("市税务局")).await), Err("FORBIDDEN".to_owned()));
        assert_eq!(outcome(&submit(&app, &viewer, 30, None).await), Err("FORBIDDEN".to_owned()));
        let q = "query($p: ID!) { reports { totalCount nodes { task { number } } }
            obligations(periodId: $p, departmentName: \"市税务局\") { totalCount }
            obligationSummary(periodId: $p) { total }
            task(number: 29) { reports { revision } } }";
        let resp = app.query_as(&viewer, q, json!({ "p": app.period_id(1).await })).await;
        assert!(resp.get("errors").is_none(), "[{}] {resp:#}", app.backend_name);
        assert_eq!(resp["data"]["reports"]["nodes"], json!([{ "task": { "number": 29 } }]));
        assert_eq!(resp["data"]["obligations"]["totalCount"], 2);
        assert_eq!(resp["data"]["task"]["reports"], json!([{ "revision": 1 }]));
        assert_eq!((app.rows("report").await, app.rows("report_revision").await), (1, 1), "[{}]", app.backend_name);
    }
}

on_each_backend! {
    async fn without_a_token_reports_are_unauthenticated_while_the_public_list_is_open(app) {
        let (admin, _) = app.token(TokenRole::Admin, None).await;
        let made = submit(&app, &admin, 29, Some("市税务局")).await;
        assert!(outcome(&made).is_ok(), "{made:#}");
        let ids = app.query_as(&admin, "{ reports { nodes { id } } }", json!({})).await;
        let r = ids["data"]["reports"]["nodes"][0]["id"].as_str().expect("a report id").to_owned();
        let p = app.period_id(1).await;
        let anon = Viewer::Anonymous;
        for q in [
            "{ reports { totalCount } }".to_owned(),
            format!("{{ obligations(periodId: \"{p}\") {{ totalCount }} }}"),
            format!("{{ obligationSummary(periodId: \"{p}\") {{ total }} }}"),
            "{ task(number: 29) { number reports { revision } } }".to_owned(),
            "{ department(name: \"市税务局\") { reports { totalCount } } }".to_owned(),
            format!("{{ department(name: \"市税务局\") {{ obligations(periodId: \"{p}\") {{ totalCount }} }} }}"),
            "{ reportingPeriods { reports { totalCount } } }".to_owned(),
            format!("{{ node(id: \"{r}\") {{ id }} }}"),
        ] {
            let resp = app.query_as(&anon, &q, json!({})).await;
            assert_eq!(code(&resp), "UNAUTHENTICATED", "[{}] {q}: {resp:#}", app.backend_name);
        }
        assert_eq!(app.error_code("{ reports { totalCount } }").await, "UNAUTHENTICATED", "[{}]", app.backend_name);
        let resp = submit(&app, &anon, 30, Some("市税务局")).await;
        assert_eq!(code(&resp), "UNAUTHENTICATED", "[{}] {resp:#}", app.backend_name);
        let public = app.data("{ tasks { totalCount } departments { totalCount } viewer { role department { name } } }").await;
        assert_eq!(public["tasks"]["totalCount"], 129);
        assert!(public["departments"]["totalCount"].as_i64().is_some_and(|n| n > 50), "{public:#}");
        assert_eq!(public["viewer"], json!({ "role": "ANONYMOUS", "department": null }));
        assert_eq!((app.rows("report").await, app.rows("report_revision").await), (1, 1), "[{}]", app.backend_name);
        let stats = app.query("{ taskStats { taskCount } byRole: taskStats(groupBy: [ROLE]) { role taskCount } }").await;
        assert!(stats.get("errors").is_none(), "[{}] taskStats: {stats:#}", app.backend_name);
        assert_eq!(stats["data"]["taskStats"], json!([{ "taskCount": 129 }]), "[{}]", app.backend_name);
    }
}

on_each_backend! {
    async fn viewer_tells_each_token_its_role_and_department(app) {
        let q = "{ viewer { role department { name } } }";
        for (role, dept, want) in [
            (TokenRole::Viewer, None, json!({ "role": "VIEWER", "department": null })),
            (TokenRole::Admin, None, json!({ "role": "ADMIN", "department": null })),
            (TokenRole::Reporter, Some("市税务局"), json!({ "role": "REPORTER", "department": { "name": "市税务局" } })),
            (TokenRole::Reporter, Some("市科技局"), json!({ "role": "REPORTER", "department": { "name": "市科技局" } })),
        ] {
            let (viewer, _) = app.token(role, dept).await;
            let resp = app.query_as(&viewer, q, json!({})).await;
            assert_eq!(resp["data"]["viewer"], want, "[{}] {resp:#}", app.backend_name);
        }
        assert_eq!(app.data(q).await["viewer"], json!({ "role": "ANONYMOUS", "department": null }));
    }
}

/// POSTs `query` with the raw Authorization header `auth`; returns the status and the body.
async fn post(addr: std::net::SocketAddr, auth: Option<reqwest::header::HeaderValue>, query: &str) -> (u16, Value) {
    let mut req = reqwest::Client::new().post(format!("http://{addr}/graphql")).json(&json!({ "query": query }));
    if let Some(v) = auth {
        req = req.header(reqwest::header::AUTHORIZATION, v);
    }
    let resp = req.send().await.expect("send");
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

on_each_backend! {
    async fn over_http_a_wrong_revoked_or_malformed_token_is_401_and_never_a_5xx(app) {
        let mut app = app;
        // Verified tokens are trusted this long without a lookup: a revocation takes effect
        // within it.
        app.state.limits.token_cache_ms = 300;
        let addr = app.serve().await;
        let (viewer, secret) = app.token(TokenRole::Reporter, Some("市税务局")).await;
        let q = "{ viewer { role } }";
        let hv = |s: &str| Some(reqwest::header::HeaderValue::from_str(s).expect("a header value"));
        let (status, body) = post(addr, hv(&format!("Bearer {secret}")), q).await;
        assert_eq!((status, body["data"]["viewer"]["role"].clone()), (200, json!("REPORTER")), "[{}] {body:#}", app.backend_name);
        let (status, body) = post(addr, None, q).await;
        assert_eq!((status, body["data"]["viewer"]["role"].clone()), (200, json!("ANONYMOUS")), "[{}]", app.backend_name);
        let mut wrong = secret.clone();
        wrong.pop();
        wrong.push(if secret.ends_with('A') { 'B' } else { 'A' });
        let bad_values = [
            hv(&format!("Bearer {wrong}")),
            hv("Bearer qd_nonsense"),
            hv("Bearer "),
            hv(&format!("Basic {secret}")),
            hv(&secret),
            hv(&format!("Bearer {secret} extra")),
            hv(&format!("Bearer {}", "x".repeat(5000))),
            Some(reqwest::header::HeaderValue::from_bytes(b"Bearer \xff\xfe").expect("opaque bytes")),
        ];
        for value in bad_values {
            let (status, body) = post(addr, value.clone(), q).await;
            assert_eq!(status, 401, "[{}] {value:?}: {body:#}", app.backend_name);
            assert_eq!(code(&body), "UNAUTHENTICATED", "[{}] {value:?}: {body:#}", app.backend_name);
        }
        let Viewer::Token { id, .. } = viewer else { panic!("a token viewer") };
        assert!(qingdan::service::tokens::revoke(&app.state.writer, &qingdan::service::writes::Actor::cli(), id)
            .await
            .expect("revoke"));
        let revoked = std::time::Instant::now();
        loop {
            let (status, body) = post(addr, hv(&format!("Bearer {secret}")), q).await;
            if status == 401 {
                assert_eq!(code(&body), "UNAUTHENTICATED", "[{}] revoked: {body:#}", app.backend_name);
                break;
            }
            assert_eq!(status, 200, "[{}] {body:#}", app.backend_name);
            let waited = revoked.elapsed();
            assert!(waited < std::time::Duration::from_millis(1300), "[{}] still accepted {waited:?} after revocation", app.backend_name);
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }
}

/// Runs the CLI on the database at `url`; returns (success, stdout, stderr).
async fn cli(url: &str, args: &[&str]) -> (bool, String, String) {
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_qingdan"))
        .arg("--database-url")
        .arg(url)
        .args(args)
        .output()
        .await
        .expect("run qingdan");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test]
async fn the_token_cli_creates_lists_and_revokes_tokens_and_refuses_collectives() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("t.db").display());
    let create = ["token", "create", "--role", "reporter", "--department", "市税务局", "--label", "x"];
    let (ok, stdout, stderr) = cli(&url, &create).await;
    assert!(ok, "{stdout}\n{stderr}");
    let secret = stdout.lines().last().expect("a last line").trim().to_owned();
    assert!(secret.starts_with("qd_") && !secret.contains(' '), "the token alone on the last line: {stdout}");

    let state = qingdan::AppState::connect(&url, Limits::default()).await.expect("open the CLI's database");
    let viewer =
        qingdan::service::tokens::authenticate(state.primary(), &secret).await.expect("the secret authenticates");
    let Viewer::Token { id, role, .. } = viewer else { panic!("a token viewer") };
    assert_eq!(role, TokenRole::Reporter);

    let (ok, listing, _) = cli(&url, &["token", "list"]).await;
    assert!(ok && listing.contains("市税务局") && listing.contains("REPORTER"), "{listing}");
    assert!(!listing.contains(&secret) && !listing.contains(&secret[3..]), "the listing shows no secret: {listing}");
    let row = listing.lines().find(|l| l.split_whitespace().next() == Some(&id.to_string())).expect("the token's row");
    assert!(row.contains("active") && row.trim_end().ends_with('x'), "{row}");

    let (ok, out, err) = cli(&url, &["token", "revoke", &id.to_string()]).await;
    assert!(ok, "{out}\n{err}");
    assert!(qingdan::service::tokens::authenticate(state.primary(), &secret).await.is_err(), "revoked");
    let (_, listing, _) = cli(&url, &["token", "list"]).await;
    assert!(
        listing.lines().any(|l| l.split_whitespace().next() == Some(&id.to_string()) && l.contains("revoked")),
        "{listing}"
    );

    let tokens_before = qingdan::service::tokens::list(state.primary()).await.expect("list").len();
    for args in [
        &["token", "create", "--role", "reporter", "--label", "y"][..],
        &["token", "create", "--role", "reporter", "--department", "市级有关单位"][..],
        &["token", "create", "--role", "viewer", "--department", "各区人民政府"][..],
        &["token", "create", "--role", "reporter", "--department", "不存在的局"][..],
        &["token", "revoke", "9999"][..],
        &["token", "create", "--role", "supervisor"][..],
    ] {
        let (ok, out, err) = cli(&url, args).await;
        assert!(!ok, "{args:?} must fail: {out}");
        assert!(!err.trim().is_empty() && !out.contains("qd_"), "{args:?}: a message and no secret: {out}\n{err}");
    }
    assert_eq!(qingdan::service::tokens::list(state.primary()).await.expect("list").len(), tokens_before);

    let supervisor = ["token", "create", "--role", "supervisor", "--department", "市政务服务办", "--label", "督查"];
    let (ok, stdout, stderr) = cli(&url, &supervisor).await;
    assert!(ok, "{stdout}\n{stderr}");
    let secret = stdout.lines().last().expect("a last line").trim().to_owned();
    let viewer =
        qingdan::service::tokens::authenticate(state.primary(), &secret).await.expect("the secret authenticates");
    assert!(matches!(viewer, Viewer::Token { role: TokenRole::Supervisor, department_id: Some(_), .. }), "{viewer:?}");

    // The command line's writes are in the audit trail: created, revoked, created.
    use sea_orm::{EntityTrait as _, QueryOrder as _};
    let trail = entity::audit_event::Entity::find()
        .order_by_asc(entity::audit_event::Column::Id)
        .all(state.primary())
        .await
        .expect("the trail");
    let tokens: Vec<(&str, &str)> = trail
        .iter()
        .filter(|e| e.action.starts_with("token."))
        .map(|e| (e.action.as_str(), e.actor_id.as_str()))
        .collect();
    assert_eq!(tokens, [("token.created", "cli"), ("token.revoked", "cli"), ("token.created", "cli")]);
    assert!(trail.iter().all(|e| !e.after.as_deref().unwrap_or("").contains("qd_")), "no secret in the trail");
}
