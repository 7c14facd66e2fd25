//! Importing documents: idempotent, replace on request, nothing written on a parse error,
//! several regions side by side; and the `import` subcommand.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use entity::{assignment, category, department, document, indicator, reporting_period, task};
use qingdan::import::{BUNDLED_DOCUMENT, ImportError, ImportOutcome, import_text};
use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait};
use serde_json::{Value, json};

use crate::on_each_backend;
use crate::support::{Backend, TestApp};

/// The backend `app` runs on, for a second, empty database beside it.
fn backend_of(app: &TestApp) -> Backend {
    if app.backend_name == "postgres" { crate::support::postgres() } else { Backend::Sqlite }
}

/// Rows in (document, category, task, department, assignment, indicator, reporting_period).
async fn counts(db: &DatabaseConnection) -> [u64; 7] {
    [
        document::Entity::find().count(db).await.expect("count documents"),
        category::Entity::find().count(db).await.expect("count categories"),
        task::Entity::find().count(db).await.expect("count tasks"),
        department::Entity::find().count(db).await.expect("count departments"),
        assignment::Entity::find().count(db).await.expect("count assignments"),
        indicator::Entity::find().count(db).await.expect("count indicators"),
        reporting_period::Entity::find().count(db).await.expect("count periods"),
    ]
}

/// The bundled text with one line (1-based) removed.
fn without_line(n: usize) -> String {
    BUNDLED_DOCUMENT.lines().enumerate().filter(|(i, _)| i + 1 != n).map(|(_, l)| format!("{l}\n")).collect()
}

/// The first `n` lines of the bundled text.
fn first_lines(n: usize) -> String {
    BUNDLED_DOCUMENT.lines().take(n).map(|l| format!("{l}\n")).collect()
}

/// A small list of another region in the compilation's layout, without a report schedule.
pub const SHANGHAI: &str = "
# Page 158:
（三）上海
1. 上海市发展改革委关于印发上海市
2024
 年优化营商环境责
任清单的通知（2024 年2 月1 日）
各区人民政府，市政府各委、办、局：
现将《上海市2024 年优化营商环境责任清单》印发给你们，请认
真贯彻执行。
2024 年2 月1 日
（此件主动公开）
上海市2024 年优化营商环境责任清单
序号
重点任务
主要内容
牵头部门
责任单位
1
1.优化企业开
办服务
推进企业开办全程网上办理，
提升
企业开办效率。
市市场监管局
市政务服务办、市大
数据中心
2
推广电子营业执照在政务服务领
域的应用，新增应用场景50 个。
市市场监管
局、市发展改
革委
市级有关单位，各区
人民政府
3
2.提升跨境贸
易便利度
深化国际贸易单一窗口建设，
服务
企业通关便利。
市商务委
上海海关、市发展改
革委
";

on_each_backend! {
    async fn importing_the_bundled_document_again_changes_nothing(app) {
        let before = counts(app.state.primary()).await;
        assert_eq!(before[..4], [1, 25, 129, 62], "[{}] the seeded document", app.backend_name);
        let id = app.data("{ documents { id } }").await["documents"][0]["id"].clone();
        for replace in [false, true] {
            let outcome = import_text(app.state.primary(), BUNDLED_DOCUMENT, replace).await.expect("same text imports");
            let ImportOutcome::Unchanged { document_id } = outcome else {
                panic!("[{}] expected Unchanged, got {outcome:?}", app.backend_name);
            };
            assert_eq!(json!(URL_SAFE_NO_PAD.encode(format!("Document:{document_id}"))), id, "[{}]", app.backend_name);
            assert_eq!(counts(app.state.primary()).await, before, "[{}] no row added or removed", app.backend_name);
        }
    }
}

on_each_backend! {
    async fn a_changed_text_of_the_same_list_needs_replace_and_then_swaps_it_whole(app) {
        let before = counts(app.state.primary()).await;
        let by_category = "{ taskStats(groupBy: [CATEGORY]) { category { id } } documents { categories { id } } }";
        let category_ids = |d: &Value| {
            let mut stats: Vec<String> = d["taskStats"].as_array().expect("groups").iter().map(|g| g["category"]["id"].to_string()).collect();
            let mut listed: Vec<String> = d["documents"][0]["categories"].as_array().expect("categories").iter().map(|c| c["id"].to_string()).collect();
            stats.sort();
            listed.sort();
            (stats, listed)
        };
        let (stats, listed) = category_ids(&app.data(by_category).await);
        assert_eq!(stats, listed, "[{}]", app.backend_name);
        let changed = BUNDLED_DOCUMENT.replacen("国家高新技术企业突破11000 家。", "国家高新技术企业突破12000 家。", 1);
        assert_ne!(changed, BUNDLED_DOCUMENT);

        let err = import_text(app.state.primary(), &changed, false).await.expect_err("an existing list is not overwritten");
        assert!(matches!(err, ImportError::Exists { .. }), "[{}] {err:?}", app.backend_name);
        assert!(err.to_string().contains("replace"), "[{}] says how to proceed: {err}", app.backend_name);
        assert_eq!(counts(app.state.primary()).await, before, "[{}]", app.backend_name);

        let outcome = import_text(app.state.primary(), &changed, true).await.expect("replace");
        assert!(matches!(outcome, ImportOutcome::Replaced { .. }), "[{}] {outcome:?}", app.backend_name);
        assert_eq!(counts(app.state.primary()).await, before, "[{}] same shape, same row counts", app.backend_name);
        let t = app.data("{ documents { id } task(number: 67) { content indicators { targetValue } } }").await;
        assert_eq!(t["documents"].as_array().map(Vec::len), Some(1), "[{}]", app.backend_name);
        assert!(t["task"]["content"].as_str().expect("content").starts_with("国家高新技术企业突破12000 家。"), "{t:#}");
        let targets = t["task"]["indicators"].as_array().expect("indicators");
        assert!(targets.iter().any(|i| i["targetValue"] == 12000.0), "[{}] {t:#}", app.backend_name);
        assert!(!targets.iter().any(|i| i["targetValue"] == 11000.0), "[{}] {t:#}", app.backend_name);
        let co_led = app.data(r#"{ tasks(filter: {departmentName: "市政务服务办", role: LEAD, coLed: true}) { totalCount } }"#).await;
        assert_eq!(co_led["tasks"]["totalCount"], 5, "[{}] assignments came back", app.backend_name);
        let (stats, after) = category_ids(&app.data(by_category).await);
        assert_eq!(stats, after, "[{}] taskStats names the new categories", app.backend_name);
        assert_ne!(after, listed, "[{}] the categories were replaced", app.backend_name);
    }
}

/// Broken variants of the bundled text: (what, text, line of the error, words of the message).
fn broken_texts() -> Vec<(&'static str, String, usize, Vec<&'static str>)> {
    vec![
        // The "58" row moves up to line 709 once line 703 ("57") is gone.
        ("task number 57 removed", without_line(703), 709, vec!["57", "58"]),
        ("cut after the first line of task 57's content", first_lines(704), 703, vec!["57"]),
        ("garbage", "hello world\n这不是清单\n".to_owned(), 1, vec![]),
        ("empty", "\n \n".to_owned(), 1, vec![]),
        ("the notice without its table", first_lines(26), 26, vec![]),
    ]
}

on_each_backend! {
    async fn a_broken_text_fails_with_its_line_and_writes_nothing(app) {
        let empty = TestApp::empty(backend_of(&app)).await;
        let seeded = counts(app.state.primary()).await;
        for (what, text, line, words) in broken_texts() {
            for (db, expected) in [(app.state.primary(), seeded), (empty.state.primary(), [0; 7])] {
                let err = import_text(db, &text, false).await.expect_err(what);
                let ImportError::Parse(parse) = &err else {
                    panic!("[{}] {what}: expected a parse error, got {err:?}", app.backend_name);
                };
                let message = err.to_string();
                assert_eq!(parse.line, line, "[{}] {what}: {message}", app.backend_name);
                assert!(message.contains(&format!("line {}", parse.line)), "[{}] {what}: {message}", app.backend_name);
                for w in &words {
                    assert!(message.contains(w), "[{}] {what}: {message} should name {w}", app.backend_name);
                }
                assert_eq!(counts(db).await, expected, "[{}] {what}: nothing written", app.backend_name);
            }
        }
    }
}

on_each_backend! {
    async fn a_text_cut_inside_the_last_row_is_refused_rather_than_guessed(app) {
        // Cut after task 57's lead cell "市住房城乡建/设委、市发展/改革委": its responsible
        // cell is missing, and the only way to find two cells is to break 市发展改革委.
        let before = counts(app.state.primary()).await;
        let empty = TestApp::empty(backend_of(&app)).await;
        let outcome = import_text(empty.state.primary(), &first_lines(708), false).await;
        let names = empty.data("{ departments(first: 500) { nodes { name } } }").await;
        assert!(matches!(outcome, Err(ImportError::Parse(_))), "[{}] {outcome:?}; departments: {names}", app.backend_name);
        assert_eq!(counts(app.state.primary()).await, before);
    }
}

on_each_backend! {
    async fn a_second_regions_list_imports_beside_the_first(app) {
        let total = "{ taskStats { taskCount } }";
        assert_eq!(app.data(total).await["taskStats"][0]["taskCount"], 129, "[{}]", app.backend_name);
        let outcome = import_text(app.state.primary(), SHANGHAI, false).await.expect("the Shanghai list imports");
        assert_eq!(app.data(total).await["taskStats"][0]["taskCount"], 132, "[{}] counts follow the import", app.backend_name);
        assert!(matches!(outcome, ImportOutcome::Imported { .. }), "[{}] {outcome:?}", app.backend_name);
        let [documents, categories, tasks, departments, ..] = counts(app.state.primary()).await;
        assert_eq!([documents, categories, tasks, departments], [2, 27, 132, 70], "[{}]", app.backend_name);

        let d = app.data("{ documents { id region year title issuer issuedOn } }").await;
        let sh = &d["documents"][1];
        assert_eq!(d["documents"][0]["region"], "天津", "[{}] import order", app.backend_name);
        assert_eq!(
            [&sh["region"], &sh["year"], &sh["title"], &sh["issuer"], &sh["issuedOn"]],
            [&json!("上海"), &json!(2024), &json!("上海市2024年优化营商环境责任清单"), &json!("上海市发展改革委"), &json!("2024-02-01")],
            "[{}]",
            app.backend_name
        );

        // A name in several regions means the latest document's region's department (the
        // caller's region's, for a token bound to a department); a name may carry its region.
        let q = r#"{ latest: department(name: "市发展改革委") { region } full: department(name: "天津市发展改革委") { name region } }"#;
        let d = app.data(q).await;
        assert_eq!(d["latest"], json!({ "region": "上海" }), "[{}]", app.backend_name);
        assert_eq!(d["full"], json!({ "name": "市发展改革委", "region": "天津" }), "[{}]", app.backend_name);
        let (tianjin, _) = app.token(entity::TokenRole::Reporter, Some("市税务局")).await;
        let q = r#"{ department(name: "市发展改革委") { region } task(number: 1) { document { region } } reportingPeriods { year } }"#;
        let mine = app.query_as(&tianjin, q, json!({})).await;
        assert_eq!(mine["data"]["department"]["region"], "天津", "[{}] {mine:#}", app.backend_name);
        assert_eq!(mine["data"]["task"]["document"]["region"], "天津", "[{}] {mine:#}", app.backend_name);
        assert_eq!(mine["data"]["reportingPeriods"][0]["year"], 2023, "[{}] {mine:#}", app.backend_name);
        let q = r#"{ sh: department(name: "市发展改革委", region: "上海") { region kind workload { lead responsible total } }
            tj: department(name: "市发展改革委", region: "天津") { region workload { total } }
            departments(filter: {region: "上海"}) { totalCount nodes { name } } }"#;
        let d = app.data(q).await;
        assert_eq!(d["sh"], json!({ "region": "上海", "kind": "GOVERNMENT_AGENCY", "workload": { "lead": 1, "responsible": 1, "total": 2 } }));
        assert_eq!(d["tj"], json!({ "region": "天津", "workload": { "total": 25 } }), "[{}]", app.backend_name);
        let names: Vec<&str> = d["departments"]["nodes"].as_array().expect("nodes").iter().map(|n| n["name"].as_str().expect("name")).collect();
        assert_eq!(names, ["市市场监管局", "市政务服务办", "市大数据中心", "市发展改革委", "市级有关单位", "各区人民政府", "市商务委", "上海海关"]);

        // Anonymous: the latest document (上海 2024).
        let d = app.data("{ task(number: 1) { document { region year } } reportingPeriods { year } }").await;
        assert_eq!(d["task"]["document"], json!({ "region": "上海", "year": 2024 }), "[{}]", app.backend_name);
        assert_eq!(d["reportingPeriods"][0]["year"], 2024, "[{}]", app.backend_name);
        let q = "query($doc: ID) { task(number: 2, documentId: $doc) { content category { number name } leads { name region }
            responsibleUnits { name kind } indicators { targetValue unit } }
            reportingPeriods(documentId: $doc) { year quarter label startsOn endsOn dueOn } }";
        let resp = app.query_with(q, json!({ "doc": sh["id"] })).await;
        assert!(resp.get("errors").is_none(), "[{}] {resp:#}", app.backend_name);
        let t = &resp["data"]["task"];
        assert_eq!(t["content"], "推广电子营业执照在政务服务领域的应用，新增应用场景50 个。");
        assert_eq!(t["category"], json!({ "number": 1, "name": "优化企业开办服务" }));
        assert_eq!(t["leads"], json!([{ "name": "市市场监管局", "region": "上海" }, { "name": "市发展改革委", "region": "上海" }]));
        assert_eq!(t["responsibleUnits"], json!([{ "name": "市级有关单位", "kind": "COLLECTIVE" }, { "name": "各区人民政府", "kind": "COLLECTIVE" }]));
        assert_eq!(t["indicators"], json!([{ "targetValue": 50.0, "unit": "个" }]), "[{}]", app.backend_name);
        let periods: Vec<[&str; 2]> = resp["data"]["reportingPeriods"].as_array().expect("periods").iter()
            .map(|p| [p["label"].as_str().expect("label"), p["dueOn"].as_str().expect("due")]).collect();
        assert_eq!(periods, [["一季度", "2024-04-10"], ["二季度", "2024-07-10"], ["三季度", "2024-10-10"], ["四季度", "2025-01-10"]]);
        assert_eq!(resp["data"]["reportingPeriods"][3]["endsOn"], "2024-12-31");
    }
}

/// Runs `qingdan --database-url sqlite://<dir>/x.db?mode=rwc import <file>`.
fn cli_import(dir: &std::path::Path, file: &std::path::Path) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_qingdan"))
        .arg("--database-url")
        .arg(format!("sqlite://{}?mode=rwc", dir.join("x.db").display()))
        .arg("import")
        .arg(file)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run the qingdan binary")
}

#[test]
fn the_import_command_imports_a_file_once_and_then_reports_it_unchanged() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/tianjin-2023-responsibility-list.txt");
    let first = cli_import(dir.path(), &file);
    let stdout = String::from_utf8_lossy(&first.stdout);
    assert!(first.status.success(), "{first:?}");
    assert!(stdout.contains("imported") && stdout.contains("129 tasks"), "{stdout}");
    let second = cli_import(dir.path(), &file);
    assert!(second.status.success(), "{second:?}");
    assert!(String::from_utf8_lossy(&second.stdout).contains("unchanged"), "{second:?}");
}

#[test]
fn the_import_command_fails_on_a_broken_file_naming_the_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("broken.txt");
    std::fs::write(&file, without_line(703)).expect("write the broken file");
    let out = cli_import(dir.path(), &file);
    assert!(!out.status.success(), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("line 709") && stderr.contains("57"), "{stderr}");
    assert_eq!(stderr.matches("line 709").count(), 1, "the cause is said once: {stderr}");
    assert!(String::from_utf8_lossy(&out.stdout).is_empty(), "{out:?}");
}
