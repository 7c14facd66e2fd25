//! Importing files through the database and reading them through the API.

use entity::{document, task};
use qingdan::import::layout::Options;
use qingdan::import::{ImportError, ImportOutcome, check_file, import_file};
use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait};

use super::render::{RenderRow, xlsx};
use super::truth::{Layout, render, sample};
use crate::on_each_backend;

async fn counts(db: &DatabaseConnection) -> [u64; 2] {
    [
        document::Entity::find().count(db).await.expect("count documents"),
        task::Entity::find().count(db).await.expect("count tasks"),
    ]
}

on_each_backend! {
    async fn an_excel_list_imports_beside_the_bundled_one_with_deadlines_and_other_columns(app) {
        let truth = sample(24);
        let bytes = xlsx(&render(&truth, Layout::SectionRows));
        let before = counts(app.state.primary()).await;
        let report = check_file(app.state.primary(), &bytes, &Options::default()).await.expect("check");
        assert_eq!(counts(app.state.primary()).await, before, "[{}] --check writes nothing", app.backend_name);
        assert_eq!(report.read.doc.tasks.len(), 24);
        assert_eq!(report.departments_known.len(), 0, "[{}] another region's departments are new", app.backend_name);
        let described = report.describe();
        assert!(described.contains("tasks: 24") && described.contains("other columns kept: 责任领导"), "{described}");

        let (outcome, _) = import_file(app.state.primary(), &bytes, &Options::default(), false).await.expect("import");
        let ImportOutcome::Imported { document_id, stats } = outcome else { panic!("[{}] {outcome:?}", app.backend_name) };
        assert_eq!(stats.tasks, 24);
        let again = import_file(app.state.primary(), &bytes, &Options::default(), false).await.expect("again");
        assert_eq!(again.0, ImportOutcome::Unchanged { document_id }, "[{}]", app.backend_name);

        let data = app
            .data(&format!(
                r#"{{ node(id: "{0}") {{ ... on Document {{ region }} }} tasks(first: 3, filter: {{ documentId: "{0}" }}) {{ nodes {{ number deadline {{ text date }} columns {{ label value }} }} }} }}"#,
                qingdan::graphql::ids::encode(qingdan::graphql::ids::NodeType::Document, document_id).0
            ))
            .await;
        assert_eq!(data["node"]["region"], "河北", "[{}] {data}", app.backend_name);
        let first = &data["tasks"]["nodes"][0];
        assert_eq!(first["deadline"]["text"], "2024年6月底前", "[{}] {data}", app.backend_name);
        assert_eq!(first["deadline"]["date"], "2024-06-30", "[{}] {data}", app.backend_name);
        assert_eq!(first["columns"][0]["label"], "责任领导", "[{}] {data}", app.backend_name);
        assert_eq!(first["columns"][0]["value"], "副省长甲", "[{}] {data}", app.backend_name);
        let third = &data["tasks"]["nodes"][2];
        assert_eq!(third["deadline"]["date"], serde_json::Value::Null, "[{}] 持续推进 has no date: {data}", app.backend_name);
        let bundled = app.data("{ tasks(first: 1) { nodes { deadline { text } columns { label } } } }").await;
        assert_eq!(bundled["tasks"]["nodes"][0]["deadline"], serde_json::Value::Null, "[{}] the text has no deadline column", app.backend_name);
    }
}

on_each_backend! {
    async fn a_row_that_cannot_be_read_is_named_by_sheet_row_and_column_and_nothing_is_written(app) {
        let truth = sample(12);
        let mut doc = render(&truth, Layout::CategoryColumn);
        // Task 5's 责任单位 holds a quote that never closes: no split of it can be right.
        if let Some(RenderRow::Cells(cells)) = doc.rows.get_mut(4) {
            cells[4] = "省“双随机、一公开监管联席会议".to_owned();
        }
        let before = counts(app.state.primary()).await;
        let err = import_file(app.state.primary(), &xlsx(&doc), &Options::default(), false).await.expect_err("refused");
        let message = err.to_string();
        assert!(matches!(err, ImportError::Read(_)), "[{}] {message}", app.backend_name);
        assert!(message.contains("sheet 责任清单, row ") && message.contains("column 责任单位"), "[{}] {message}", app.backend_name);
        assert_eq!(counts(app.state.primary()).await, before, "[{}] nothing written", app.backend_name);
    }
}

on_each_backend! {
    async fn a_list_without_an_issuer_needs_one_named(app) {
        let truth = sample(6);
        let mut doc = render(&truth, Layout::CategoryColumn);
        doc.before = vec![truth.title.clone()];
        let bytes = xlsx(&doc);
        let err = check_file(app.state.primary(), &bytes, &Options::default()).await.expect_err("no issuer");
        assert!(err.to_string().contains("--issuer"), "[{}] {err}", app.backend_name);
        let opts = Options { issuer: Some("河北省政务服务办".to_owned()), ..Options::default() };
        let report = check_file(app.state.primary(), &bytes, &opts).await.expect("with --issuer");
        assert_eq!(report.read.doc.issuer, "河北省政务服务办");
        assert_eq!(report.read.doc.issued_on.to_string(), "2024-01-01");
        assert!(report.read.warnings.iter().any(|w| w.contains("no date of issue")), "{:?}", report.read.warnings);
    }
}

/// The GraphQL multipart request convention: operations, map, one file.
async fn upload(addr: std::net::SocketAddr, token: Option<&str>, check: bool, bytes: Vec<u8>) -> serde_json::Value {
    let operations = serde_json::json!({
        "query": "mutation($file: Upload!, $check: Boolean) { importDocument(file: $file, check: $check) { result documentId format region tasks categories departmentsNew warnings } }",
        "variables": { "file": null, "check": check },
    });
    let form = reqwest::multipart::Form::new()
        .text("operations", operations.to_string())
        .text("map", r#"{"0": ["variables.file"]}"#)
        .part("0", reqwest::multipart::Part::bytes(bytes).file_name("list.xlsx"));
    let mut request = reqwest::Client::new().post(format!("http://{addr}/graphql")).multipart(form);
    if let Some(t) = token {
        request = request.bearer_auth(t);
    }
    request.send().await.expect("upload").json().await.expect("a JSON answer")
}

on_each_backend! {
    async fn another_portal_uploads_a_list_as_admin_by_the_multipart_convention(app) {
        let truth = sample(10);
        let bytes = xlsx(&render(&truth, Layout::CategoryColumn));
        let addr = app.serve().await;
        let before = counts(app.state.primary()).await;
        let anonymous = upload(addr, None, false, bytes.clone()).await;
        assert_eq!(crate::support::code(&anonymous), "UNAUTHENTICATED", "[{}] {anonymous}", app.backend_name);
        let (_, reporter) = app.token(entity::TokenRole::Reporter, Some("市税务局")).await;
        let refused = upload(addr, Some(&reporter), false, bytes.clone()).await;
        assert_eq!(crate::support::code(&refused), "FORBIDDEN", "[{}] {refused}", app.backend_name);
        let (admin_viewer, admin) = app.token(entity::TokenRole::Admin, None).await;
        let checked = upload(addr, Some(&admin), true, bytes.clone()).await;
        let report = &checked["data"]["importDocument"];
        assert_eq!(report["result"], "CHECKED", "[{}] {checked}", app.backend_name);
        assert_eq!(report["format"], "Excel (.xlsx)");
        assert_eq!(report["tasks"], 10);
        assert_eq!(counts(app.state.primary()).await, before, "[{}] a check writes nothing", app.backend_name);
        let imported = upload(addr, Some(&admin), false, bytes.clone()).await;
        assert_eq!(imported["data"]["importDocument"]["result"], "IMPORTED", "[{}] {imported}", app.backend_name);
        assert_eq!(counts(app.state.primary()).await, [before[0] + 1, before[1] + 10], "[{}]", app.backend_name);
        let events = app.query_as(&admin_viewer, "{ events(first: 500) { nodes { action role } } }", serde_json::json!({})).await;
        let imports: Vec<&serde_json::Value> = events["data"]["events"]["nodes"]
            .as_array()
            .map(|n| n.iter().filter(|e| e["action"] == "document.imported").collect())
            .unwrap_or_default();
        assert_eq!(imports.last().map(|e| e["role"].clone()), Some("ADMIN".into()), "[{}] audited as the admin's write: {events}", app.backend_name);
        let too_large = vec![b' '; qingdan::import::source::MAX_FILE_BYTES + (512 << 10)];
        let form = reqwest::multipart::Form::new()
            .text("operations", r#"{"query": "mutation($f: Upload!) { importDocument(file: $f) { result } }", "variables": {"f": null}}"#)
            .text("map", r#"{"0": ["variables.f"]}"#)
            .part("0", reqwest::multipart::Part::bytes(too_large).file_name("big.xlsx"));
        let status = reqwest::Client::new()
            .post(format!("http://{addr}/graphql"))
            .bearer_auth(&admin)
            .multipart(form)
            .send()
            .await
            .map(|r| r.status().as_u16());
        // The server refuses by the declared length, before reading the body (it may close the
        // connection while the client still sends).
        assert!(status.as_ref().map_or(true, |s| *s == 413), "[{}] {status:?}", app.backend_name);
        let garbage = upload(addr, Some(&admin), false, b"\x00\x01 not a list".to_vec()).await;
        assert_eq!(crate::support::code(&garbage), "BAD_USER_INPUT", "[{}] {garbage}", app.backend_name);
        assert_eq!(counts(app.state.primary()).await, [before[0] + 1, before[1] + 10], "[{}] nothing more written", app.backend_name);
    }
}
