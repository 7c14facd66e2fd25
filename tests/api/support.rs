//! `TestApp`: a fresh database with the bundled document, the schema and the router.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU32, Ordering};

use qingdan::config::Limits;
use qingdan::service::access::Viewer;
use qingdan::{ApiSchema, AppState};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

/// Where a test's database lives.
#[derive(Debug, Clone)]
pub enum Backend {
    Sqlite,
    Postgres(String),
}

/// The PostgreSQL server of a test marked `#[ignore = "needs PostgreSQL: …"]` (a plain `cargo
/// test` lists it as ignored; CI runs it with `--include-ignored`): without
/// `QINGDAN_TEST_POSTGRES` it fails rather than passing.
pub fn postgres_url() -> String {
    match std::env::var("QINGDAN_TEST_POSTGRES") {
        Ok(url) if !url.is_empty() => url,
        _ => panic!("this test needs PostgreSQL: set QINGDAN_TEST_POSTGRES=postgres://…"),
    }
}

/// PostgreSQL as a test's backend (see [`postgres_url`]).
pub fn postgres() -> Backend {
    Backend::Postgres(postgres_url())
}

/// Two tests from one body: `NAME::sqlite`, and `NAME::postgres`, ignored unless asked for
/// (`--include-ignored`, which CI passes, with `QINGDAN_TEST_POSTGRES`), each with a fresh
/// `TestApp` bound to `$app`.
#[macro_export]
macro_rules! on_each_backend {
    ($(#[$m:meta])* async fn $name:ident($app:ident) $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            $(#[$m])*
            #[tokio::test]
            async fn sqlite() {
                let $app = $crate::support::TestApp::spawn($crate::support::Backend::Sqlite).await;
                $body
            }

            $(#[$m])*
            #[tokio::test]
            #[ignore = "needs PostgreSQL: QINGDAN_TEST_POSTGRES=postgres://… cargo test -- --include-ignored"]
            async fn postgres() {
                let $app = $crate::support::TestApp::spawn($crate::support::postgres()).await;
                $body
            }
        }
    };
}

/// A test of every backend as two tests, `NAME::sqlite` and `NAME::postgres` (ignored unless
/// asked for, like [`on_each_backend!`]), running `body(backend)`; the attributes (the test's
/// `#[tokio::test(…)]`) go on both.
#[macro_export]
macro_rules! each_backend {
    ($(#[$m:meta])* $name:ident, $body:path) => {
        mod $name {
            $(#[$m])*
            async fn sqlite() {
                $body($crate::support::Backend::Sqlite).await
            }

            $(#[$m])*
            #[ignore = "needs PostgreSQL: QINGDAN_TEST_POSTGRES=postgres://… cargo test -- --include-ignored"]
            async fn postgres() {
                $body($crate::support::postgres()).await
            }
        }
    };
}

pub struct TestApp {
    pub state: AppState,
    /// The caller of `query`/`query_with` (anonymous by default).
    pub viewer: Viewer,
    pub schema: ApiSchema,
    pub backend_name: &'static str,
    /// The URL of this test's database.
    pub database_url: String,
    _dir: Option<tempfile::TempDir>,
    pg_drop: Option<(String, String)>,
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

impl TestApp {
    /// A migrated database with the bundled document imported.
    pub async fn spawn(backend: Backend) -> Self {
        let app = Self::empty(backend).await;
        qingdan::cli::seed_if_empty(&app.state).await.expect("import the bundled document");
        app
    }

    /// A migrated, empty database.
    pub async fn empty(backend: Backend) -> Self {
        let limits = Limits::default();
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display());
                let state = AppState::connect(&url, limits).await.expect("open sqlite");
                let schema = qingdan::build_schema(Some(state.clone()));
                Self {
                    state,
                    schema,
                    viewer: Viewer::Anonymous,
                    database_url: url,
                    backend_name: "sqlite",
                    _dir: Some(dir),
                    pg_drop: None,
                }
            }
            Backend::Postgres(admin_url) => {
                let name = format!(
                    "qingdan_test_{}_{}_{}",
                    std::process::id(),
                    COUNTER.fetch_add(1, Ordering::Relaxed),
                    chrono::Utc::now().timestamp_micros() % 1_000_000
                );
                let admin = sea_orm::Database::connect(&admin_url).await.expect("connect to QINGDAN_TEST_POSTGRES");
                admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await.expect("create test database");
                admin.close().await.ok();
                let url = with_database(&admin_url, &name);
                let state = AppState::connect(&url, limits).await.expect("open postgres");
                let schema = qingdan::build_schema(Some(state.clone()));
                Self {
                    state,
                    schema,
                    viewer: Viewer::Anonymous,
                    database_url: url,
                    backend_name: "postgres",
                    _dir: None,
                    pg_drop: Some((admin_url, name)),
                }
            }
        }
    }

    /// Executes a query against the schema; returns `{data, errors}` as JSON.
    pub async fn query(&self, query: &str) -> Value {
        self.query_with(query, json!({})).await
    }

    pub async fn query_with(&self, query: &str, variables: Value) -> Value {
        self.query_as(&self.viewer, query, variables).await
    }

    /// Executes as `viewer`.
    pub async fn query_as(&self, viewer: &Viewer, query: &str, variables: Value) -> Value {
        let req = async_graphql::Request::new(query).variables(async_graphql::Variables::from_json(variables));
        match qingdan::graphql::answer(&self.schema, &self.state, req, viewer.clone()).await {
            qingdan::graphql::Answer::Json(body, _) => serde_json::from_slice(&body).expect("an answer in JSON"),
            qingdan::graphql::Answer::Executed(resp) => serde_json::to_value(&resp).expect("response as JSON"),
        }
    }

    /// Creates a token; returns its viewer and secret. `department` is a name in 天津.
    pub async fn token(&self, role: entity::TokenRole, department: Option<&str>) -> (Viewer, String) {
        let dept = match department {
            Some(name) => Some(
                qingdan::service::departments::find_by_name(self.state.primary(), name, Some("天津"))
                    .await
                    .ok()
                    .flatten()
                    .unwrap_or_else(|| panic!("no department {name}"))
                    .id,
            ),
            None => None,
        };
        let (_, secret) = qingdan::service::tokens::create(
            &self.state.writer,
            &qingdan::service::writes::Actor::cli(),
            role,
            dept,
            "test",
        )
        .await
        .expect("create token");
        let viewer = qingdan::service::tokens::authenticate(self.state.primary(), &secret).await.expect("authenticate");
        (viewer, secret)
    }

    /// `data` of a query that must succeed.
    pub async fn data(&self, query: &str) -> Value {
        let resp = self.query(query).await;
        assert!(resp.get("errors").is_none(), "[{}] unexpected errors: {resp:#}", self.backend_name);
        resp["data"].clone()
    }

    /// The `extensions.code` of the first error.
    pub async fn error_code(&self, query: &str) -> String {
        let resp = self.query(query).await;
        resp["errors"][0]["extensions"]["code"]
            .as_str()
            .unwrap_or_else(|| panic!("no error code in {resp:#}"))
            .to_owned()
    }

    /// SQL statements run so far on this app's pool.
    pub fn statements(&self) -> u64 {
        self.state.metrics.statements()
    }

    /// Runs the query and returns how many statements it ran.
    pub async fn count_statements(&self, query: &str) -> u64 {
        let before = self.statements();
        let resp = self.query(query).await;
        assert!(resp.get("errors").is_none(), "[{}] unexpected errors: {resp:#}", self.backend_name);
        self.statements() - before
    }

    /// Serves the real router on a free port.
    pub async fn serve(&self) -> SocketAddr {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let router = qingdan::build_router(self.state.clone());
        tokio::spawn(async move {
            axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>()).await.ok();
        });
        addr
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some((admin_url, name)) = self.pg_drop.take() {
            drop_database(admin_url, name);
        }
    }
}

/// Drops PostgreSQL database `name`, from a `Drop` that runs inside a test's runtime: on a
/// thread with its own.
pub fn drop_database(admin_url: String, name: String) {
    let handle = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        rt.block_on(async {
            if let Ok(admin) = sea_orm::Database::connect(&admin_url).await {
                let _ = admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await;
            }
        });
    });
    let _ = handle.join();
}

fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let base = match base.rfind('/') {
        Some(i) if base[..i].contains("//") && i > base.find("//").unwrap_or(0) + 1 => &base[..i],
        _ => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

/// Helpers of the reporting tests: a controllable clock, global ids, row counts, submissions.
impl TestApp {
    /// The same app with its clock replaced; the schema is rebuilt so that it sees the clock.
    pub fn with_clock(mut self, clock: qingdan::clock::Clock) -> Self {
        self.state = self.state.clone().with_clock(clock);
        self.schema = qingdan::build_schema(Some(self.state.clone()));
        self
    }

    /// The same app with the default response cache.
    pub fn with_response_cache(mut self) -> Self {
        self.state.limits.response_cache_bytes = Limits::default().response_cache_bytes;
        self.schema = qingdan::build_schema(Some(self.state.clone()));
        self
    }

    /// The same app without the response cache: every query executes.
    pub fn without_response_cache(mut self) -> Self {
        self.state.limits.response_cache_bytes = 0;
        self.schema = qingdan::build_schema(Some(self.state.clone()));
        self
    }

    /// Rows in `table` (a name from the migrations).
    pub async fn rows(&self, table: &str) -> i64 {
        let sql = format!("SELECT COUNT(*) AS n FROM {table}");
        let stmt = sea_orm::Statement::from_string(self.state.primary().get_database_backend(), sql);
        let row = self.state.primary().query_one_raw(stmt).await.expect("count rows").expect("a count");
        row.try_get::<i64>("", "n").expect("count as i64")
    }

    /// Global id of task `number` of the only document.
    pub async fn task_id(&self, number: i64) -> String {
        let resp = self.query_with("query($n: Int) { task(number: $n) { id } }", json!({ "n": number })).await;
        resp["data"]["task"]["id"].as_str().unwrap_or_else(|| panic!("no task {number}: {resp:#}")).to_owned()
    }

    /// Global id of the department named `name`.
    pub async fn department_id(&self, name: &str) -> String {
        let resp = self.query_with("query($n: String) { department(name: $n) { id } }", json!({ "n": name })).await;
        resp["data"]["department"]["id"].as_str().unwrap_or_else(|| panic!("no department {name}: {resp:#}")).to_owned()
    }

    /// Global id of the reporting period of `quarter` (1-4) of the only document.
    pub async fn period_id(&self, quarter: i64) -> String {
        let resp = self.query("{ reportingPeriods { id quarter } }").await;
        let periods = resp["data"]["reportingPeriods"].as_array().unwrap_or_else(|| panic!("no periods: {resp:#}"));
        let period = periods.iter().find(|p| p["quarter"] == quarter).unwrap_or_else(|| panic!("no quarter {quarter}"));
        period["id"].as_str().expect("period id").to_owned()
    }

    /// Row id of the reporting period of `quarter` (1-4) of the only document.
    pub async fn period_row_id(&self, quarter: i64) -> i64 {
        use base64::Engine as _;
        let id = self.period_id(quarter).await;
        let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(id.as_bytes()).expect("a global id");
        let text = String::from_utf8(raw).expect("utf-8");
        text.rsplit(':').next().and_then(|n| n.parse().ok()).expect("Type:id")
    }

    /// Runs `submitReport(input: $input)` as `viewer`, selecting `report { … }` fields.
    pub async fn submit(&self, viewer: &Viewer, input: Value, report_fields: &str) -> Value {
        let q = format!(
            "mutation($input: SubmitReportInput!) {{ submitReport(input: $input) {{ report {{ {report_fields} }} }} }}"
        );
        self.query_as(viewer, &q, json!({ "input": input })).await
    }
}

/// The `extensions.code` of a response's first error, or "" when it has none.
pub fn code(resp: &Value) -> &str {
    resp["errors"][0]["extensions"]["code"].as_str().unwrap_or("")
}

/// Drops a PostgreSQL database when it goes out of scope.
pub struct DropDatabase(pub String, pub String);

impl Drop for DropDatabase {
    fn drop(&mut self) {
        drop_database(self.0.clone(), self.1.clone());
    }
}
