//! The ledger as an analyst reads it: progress as numbers (a percentage cell in XLSX), times
//! with their zone, a co-led task's departments each in its own row of the long shape
//! (`?shape=long`: one row per report owed), and the same columns whether one document is
//! loaded or several.

use std::io::{Cursor, Read as _};

use chrono::TimeZone as _;
use entity::TokenRole;
use qingdan::clock::Clock;
use serde_json::{Value, json};

use crate::ledger::{csv_rows, get, sheets};
use crate::support::{Backend, TestApp};

const LONG: [&str; 14] = [
    "清单",
    "地区",
    "序号",
    "重点任务",
    "主要内容",
    "部门",
    "角色",
    "季度",
    "报送期限",
    "状态",
    "预警",
    "进度",
    "报送情况",
    "报送时间（UTC+8）",
];

/// A co-led task: its number and its lead departments' names.
async fn co_led(app: &TestApp) -> (i64, Vec<String>) {
    let d = app.data("{ tasks(filter: {coLed: true}, first: 1) { nodes { number leads { name } } } }").await;
    let t = &d["tasks"]["nodes"][0];
    let leads = t["leads"].as_array().expect("leads").iter().map(|l| l["name"].as_str().expect("a name").to_owned());
    (t["number"].as_i64().expect("a number"), leads.collect())
}

crate::each_backend!(
    #[tokio::test]
    the_long_shape_has_a_row_per_report_owed_with_numbers_and_zoned_times,
    super::the_long_shape_has_a_row_per_report_owed_with_numbers_and_zoned_times_on
);

async fn the_long_shape_has_a_row_per_report_owed_with_numbers_and_zoned_times_on(backend: Backend) {
    let at = chrono::Utc.with_ymd_and_hms(2023, 4, 5, 2, 0, 0).single().expect("a time");
    let app = TestApp::spawn(backend).await.with_clock(Clock::fixed(at));
    let (number, leads) = co_led(&app).await;
    let task = app.task_id(number).await;
    let period = app.period_id(1).await;
    for (lead, progress) in leads.iter().zip([15, 60]) {
        let (reporter, _) = app.token(TokenRole::Reporter, Some(lead)).await;
        let input = json!({ "taskId": task, "periodId": period, "status": "ON_TRACK",
            "progressPercent": progress, "summary": format!("{lead}进展") });
        assert!(app.submit(&reporter, input, "revision").await.get("errors").is_none());
    }
    let (_, viewer) = app.token(TokenRole::Viewer, None).await;
    // The ledger is made an hour later.
    app.state.write_clock().set(at + chrono::Duration::hours(1));
    let addr = app.serve().await;

    // Wide: the lowest progress as a number, each summary named, the latest time.
    let c = get(addr, &format!("/exports/ledger.csv?periodId={period}"), Some(&viewer)).await;
    let rows = csv_rows(&c.body);
    let row = rows.iter().find(|r| r[0] == number.to_string()).expect("the co-led task");
    assert_eq!(row[7], "15", "[{}] {row:?}", app.backend_name);
    assert!(row[8].contains(&format!("{}：{}进展", leads[0], leads[0])) && row[8].contains(&leads[1]), "{row:?}");
    assert_eq!(row[9], "2023-04-05T10:00:00+08:00");

    // Long: one row per report owed, as many as the period's obligations.
    let c = get(addr, &format!("/exports/ledger.csv?shape=long&periodId={period}"), Some(&viewer)).await;
    assert_eq!(c.status, 200);
    let rows = csv_rows(&c.body);
    assert_eq!(rows[0], LONG);
    let q = "query($p: ID!) { obligations(periodId: $p, first: 1) { totalCount } }";
    let owed = app.query_as(&app.token(TokenRole::Viewer, None).await.0, q, json!({ "p": period })).await;
    assert_eq!(rows.len() as i64 - 1, owed["data"]["obligations"]["totalCount"].as_i64().expect("a count"));
    let mine: Vec<&Vec<String>> = rows.iter().filter(|r| r[2] == number.to_string()).collect();
    assert_eq!(mine.len(), 2, "[{}] a row per lead: {mine:?}", app.backend_name);
    for (r, (lead, progress)) in mine.iter().zip(leads.iter().zip(["15", "60"])) {
        assert_eq!(
            [&r[0], &r[1], &r[5], &r[6], &r[7], &r[8], &r[9], &r[11], &r[13]],
            [
                "天津市2023年优化营商环境责任清单",
                "天津",
                lead,
                "牵头",
                "一季度",
                "2023-04-10",
                "已报送",
                progress,
                "2023-04-05T10:00:00+08:00"
            ],
            "[{}]",
            app.backend_name
        );
    }

    // The same as a workbook: one sheet, percentages and dates as typed cells.
    let x = get(addr, &format!("/exports/ledger.xlsx?shape=long&periodId={period}"), Some(&viewer)).await;
    let book = sheets(&x.body);
    assert_eq!(book.len(), 1);
    assert_eq!(book[0].0, "明细");
    assert_eq!(book[0].1.len(), rows.len(), "[{}] the CSV's rows", app.backend_name);
    let cells = &book[0].1;
    let first = cells.iter().find(|r| r[2] == number.to_string()).expect("the co-led task");
    assert_eq!([&first[11], &first[13]], ["0.15", "2023-04-05 10:00"], "[{}]", app.backend_name);
    let styles = zipped(&x.body, "xl/styles.xml");
    assert!(styles.contains(r#"formatCode="0%""#), "a percent format");
}

/// A file of a workbook.
fn zipped(bytes: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes.to_vec())).expect("a zip");
    let mut xml = String::new();
    zip.by_name(name).expect("the part").read_to_string(&mut xml).expect("XML");
    xml
}

#[tokio::test]
async fn without_a_token_the_long_shape_lists_each_task_and_assigned_department() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let addr = app.serve().await;
    let d = app.data("{ tasks(first: 500) { nodes { number assignments { role department { name } } } } }").await;
    let want: Vec<[String; 3]> = d["tasks"]["nodes"]
        .as_array()
        .expect("tasks")
        .iter()
        .flat_map(|t| {
            t["assignments"].as_array().expect("assignments").iter().map(|a: &Value| {
                let role = if a["role"] == "LEAD" { "牵头" } else { "责任" };
                [t["number"].to_string(), a["department"]["name"].as_str().expect("a name").to_owned(), role.to_owned()]
            })
        })
        .collect();
    let rows = csv_rows(&get(addr, "/exports/ledger.csv?shape=long", None).await.body);
    assert_eq!(rows[0], LONG[..7]);
    let got: Vec<[String; 3]> = rows[1..].iter().map(|r| [r[2].clone(), r[5].clone(), r[6].clone()]).collect();
    assert_eq!(got, want);
}

#[tokio::test]
async fn the_columns_are_the_same_for_one_document_or_several() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let (_, viewer) = app.token(TokenRole::Viewer, None).await;
    let addr = app.serve().await;
    let header = |body: &[u8]| csv_rows(body).remove(0);
    let alone = header(&get(addr, "/exports/ledger.csv", Some(&viewer)).await.body);
    let tianjin = app.data("{ documents { id } }").await["documents"][0]["id"].as_str().expect("an id").to_owned();
    qingdan::import::import_text(app.state.primary(), crate::importing::SHANGHAI, false)
        .await
        .expect("a second document");
    let both = header(&get(addr, "/exports/ledger.csv", Some(&viewer)).await.body);
    let one_of_two = header(&get(addr, &format!("/exports/ledger.csv?documentId={tianjin}"), Some(&viewer)).await.body);
    assert_eq!(alone, both);
    assert_eq!(alone, one_of_two);
    assert_eq!(alone[5], "一季度 状态", "quarters by name, not by the document's labels ({alone:?})");
    assert!(alone.contains(&"二季度 进度".to_owned()), "{alone:?}");
}
