//! The ledger (台账) downloads, read back: XLSX with calamine (and its XML for the frozen header
//! and the autofilter), CSV with the csv crate.

use std::io::{Cursor, Read as _};
use std::net::SocketAddr;

use calamine::{Data, Reader as _, Xlsx};
use chrono::TimeZone as _;
use entity::TokenRole;
use qingdan::clock::Clock;
use serde_json::{Value, json};

use crate::support::{Backend, TestApp};

const SOURCE: [&str; 5] = ["序号", "重点任务", "主要内容", "牵头部门", "责任单位"];

pub struct Download {
    pub status: u16,
    pub content_type: String,
    pub disposition: String,
    pub body: Vec<u8>,
}

impl Download {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|_| panic!("not JSON: {}", String::from_utf8_lossy(&self.body)))
    }
}

pub async fn get(addr: SocketAddr, path: &str, token: Option<&str>) -> Download {
    let mut req = reqwest::Client::new().get(format!("http://{addr}{path}"));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let resp = req.send().await.expect("GET");
    let h = |n: &str| resp.headers().get(n).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let (content_type, disposition) = (h("content-type"), h("content-disposition"));
    let status = resp.status().as_u16();
    Download { status, content_type, disposition, body: resp.bytes().await.expect("body").to_vec() }
}

/// Every sheet of a workbook as text rows.
pub fn sheets(bytes: &[u8]) -> Vec<(String, Vec<Vec<String>>)> {
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes.to_vec())).expect("an XLSX workbook");
    let names = book.sheet_names().to_vec();
    names
        .into_iter()
        .map(|name| {
            let range = book.worksheet_range(&name).expect("a sheet");
            let rows = range
                .rows()
                .map(|r| {
                    r.iter()
                        .map(|c| match c {
                            Data::String(s) => s.clone(),
                            Data::Float(f) => format!("{f}"),
                            Data::Int(i) => i.to_string(),
                            Data::Empty => String::new(),
                            // A date cell: days since 1899-12-30, shown to the minute.
                            Data::DateTime(d) => {
                                let epoch =
                                    chrono::NaiveDate::from_ymd_opt(1899, 12, 30).and_then(|d| d.and_hms_opt(0, 0, 0));
                                let ms = (d.as_f64() * 86_400_000.0).round() as i64;
                                let at = epoch.expect("the epoch") + chrono::Duration::milliseconds(ms);
                                at.format("%Y-%m-%d %H:%M").to_string()
                            }
                            other => other.to_string(),
                        })
                        .collect()
                })
                .collect();
            (name, rows)
        })
        .collect()
}

/// The XML of the first worksheet.
fn first_sheet_xml(bytes: &[u8]) -> String {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes.to_vec())).expect("a zip");
    let mut xml = String::new();
    zip.by_name("xl/worksheets/sheet1.xml").expect("sheet1").read_to_string(&mut xml).expect("XML");
    xml
}

pub fn csv_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    let text = std::str::from_utf8(bytes).expect("UTF-8");
    let text = text.strip_prefix('\u{feff}').expect("a byte order mark first");
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.expect("a record").iter().map(str::to_owned).collect())
        .collect()
}

/// The list as the API gives it, in the ledger's columns.
async fn api_rows(app: &TestApp) -> Vec<Vec<String>> {
    let data = app
        .data("{ tasks(first: 500) { nodes { number content category { name } leads { name } responsibleUnits { name } } } }")
        .await;
    let names = |v: &Value| {
        v.as_array()
            .expect("a list")
            .iter()
            .map(|d| d["name"].as_str().unwrap_or_default())
            .collect::<Vec<_>>()
            .join("、")
    };
    data["tasks"]["nodes"]
        .as_array()
        .expect("tasks")
        .iter()
        .map(|t| {
            vec![
                t["number"].to_string(),
                t["category"]["name"].as_str().unwrap_or_default().to_owned(),
                t["content"].as_str().unwrap_or_default().to_owned(),
                names(&t["leads"]),
                names(&t["responsibleUnits"]),
            ]
        })
        .collect()
}

crate::each_backend!(
    #[tokio::test]
    the_public_ledger_is_the_apis_129_tasks_in_the_source_columns,
    super::the_public_ledger_is_the_apis_129_tasks_in_the_source_columns_on
);

async fn the_public_ledger_is_the_apis_129_tasks_in_the_source_columns_on(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let addr = app.serve().await;
    let want = api_rows(&app).await;
    assert_eq!(want.len(), 129);

    let x = get(addr, "/exports/ledger.xlsx", None).await;
    assert_eq!(x.status, 200, "[{}]", app.backend_name);
    assert_eq!(x.content_type, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    assert!(x.disposition.starts_with("attachment; filename=\"ledger.xlsx\"; filename*=UTF-8''"), "{}", x.disposition);
    let encoded: String = "天津市2023年优化营商环境责任清单-台账.xlsx"
        .bytes()
        .map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect();
    assert!(x.disposition.ends_with(&encoded), "{}", x.disposition);
    let book = sheets(&x.body);
    assert_eq!(book.len(), 1, "a sheet per document");
    let (name, rows) = &book[0];
    assert_eq!(name, "天津2023");
    assert_eq!(rows[0], SOURCE, "no period columns without a token");
    assert_eq!(&rows[1..], want.as_slice(), "[{}] the rows are the API's", app.backend_name);
    let xml = first_sheet_xml(&x.body);
    assert!(xml.contains(r#"ySplit="1""#) && xml.contains(r#"state="frozen""#), "a frozen header");
    assert!(xml.contains(r#"<autoFilter ref="A1:E130""#), "an autofilter over the table");

    let c = get(addr, "/exports/ledger.csv", None).await;
    assert_eq!(c.status, 200);
    assert_eq!(c.content_type, "text/csv; charset=utf-8");
    assert!(c.body.starts_with("\u{feff}序号,重点任务".as_bytes()), "BOM, then the header");
    let title = "天津市2023年优化营商环境责任清单";
    let text = String::from_utf8(c.body.clone()).expect("UTF-8");
    assert_eq!(text.matches("\r\n").count(), text.matches('\n').count() - embedded_newlines(&text), "CRLF line ends");
    let rows = csv_rows(&c.body);
    assert_eq!(rows[0][..5], SOURCE);
    assert_eq!(rows[0][5..], ["清单"], "the document's title last, for one document or several");
    let source: Vec<Vec<String>> = rows[1..].iter().map(|r| r[..5].to_vec()).collect();
    assert_eq!(source, want, "[{}] the CSV's rows are the API's", app.backend_name);
    assert!(rows[1..].iter().all(|r| r[5] == title), "[{}]", app.backend_name);
}

/// Line feeds inside quoted cells (a cell of several lines).
fn embedded_newlines(text: &str) -> usize {
    let mut quoted = false;
    let mut n = 0;
    for c in text.chars() {
        match c {
            '"' => quoted = !quoted,
            '\n' if quoted => n += 1,
            _ => {}
        }
    }
    n
}

crate::each_backend!(
    #[tokio::test]
    a_token_holder_gets_each_periods_state_light_progress_and_submission,
    super::a_token_holder_gets_each_periods_state_light_progress_and_submission_on
);

async fn a_token_holder_gets_each_periods_state_light_progress_and_submission_on(backend: Backend) {
    let at = chrono::Utc.with_ymd_and_hms(2023, 4, 5, 2, 0, 0).single().expect("a time");
    let app = TestApp::spawn(backend).await.with_clock(Clock::fixed(at));
    let (tax, _) = app.token(TokenRole::Reporter, Some("市税务局")).await;
    let (_, viewer) = app.token(TokenRole::Viewer, None).await;
    let input = json!({ "taskId": app.task_id(29).await, "periodId": app.period_id(1).await,
        "status": "ON_TRACK", "progressPercent": 40, "summary": "已完成系统改造" });
    let resp = app.submit(&tax, input, "revision").await;
    assert!(resp.get("errors").is_none(), "{resp:#}");
    // The ledger is made an hour later.
    app.state.write_clock().set(at + chrono::Duration::hours(1));
    let addr = app.serve().await;

    let x = get(addr, "/exports/ledger.xlsx", Some(&viewer)).await;
    assert_eq!(x.status, 200, "[{}]", app.backend_name);
    let book = sheets(&x.body);
    let rows = &book[0].1;
    let header = &rows[0];
    assert_eq!(header.len(), 5 + 4 * 5, "{header:?}");
    assert_eq!(&header[..5], SOURCE);
    assert_eq!(
        header[5..10],
        ["一季度 状态", "一季度 预警", "一季度 进度", "一季度 报送情况", "一季度 报送时间（UTC+8）"]
    );
    assert!(header[10].starts_with("二季度"), "{header:?}");
    let row = rows.iter().find(|r| r[0] == "29").expect("task 29");
    assert_eq!(row[5..10], ["已报送", "绿灯", "0.4", "已完成系统改造", "2023-04-05 10:00"], "[{}]", app.backend_name);
    // Another task's obligation for the first quarter: due on 2023-04-10, unreported, within
    // three days it is BLUE; on 04-05 it is GREEN and pending.
    let other = rows.iter().find(|r| r[0] == "30").expect("task 30");
    assert_eq!(other[5..7], ["未报送", "绿灯"], "{other:?}");
    assert_eq!(other[7], "");

    // The same as CSV; judged at another day with asOf.
    let c = get(addr, "/exports/ledger.csv?asOf=2023-04-11", Some(&viewer)).await;
    let rows = csv_rows(&c.body);
    assert_eq!(rows[0][..25], *header);
    let other = rows.iter().find(|r| r[0] == "30").expect("task 30");
    assert_eq!(other[5..7], ["逾期未报", "红灯"], "{other:?}");
    let row = rows.iter().find(|r| r[0] == "29").expect("task 29");
    assert_eq!(row[5..10], ["已报送", "绿灯", "40", "已完成系统改造", "2023-04-05T10:00:00+08:00"]);

    // One period, one department: that department's tasks and obligations only.
    let path = format!(
        "/exports/ledger.csv?periodId={}&departmentId={}",
        app.period_id(1).await,
        app.department_id("市税务局").await
    );
    let c = get(addr, &path, Some(&viewer)).await;
    assert_eq!(c.status, 200);
    assert!(
        c.disposition.contains("%E5%B8%82%E7%A8%8E%E5%8A%A1%E5%B1%80"),
        "the department in the name: {}",
        c.disposition
    );
    let rows = csv_rows(&c.body);
    assert_eq!(rows[0].len(), 11);
    let tax_tasks = app
        .data(&format!(
            "{{ department(id: \"{}\") {{ tasks(first: 500) {{ nodes {{ number }} }} }} }}",
            app.department_id("市税务局").await
        ))
        .await;
    let want: Vec<String> = tax_tasks["department"]["tasks"]["nodes"]
        .as_array()
        .expect("tasks")
        .iter()
        .map(|t| t["number"].to_string())
        .collect();
    let got: Vec<String> = rows[1..].iter().map(|r| r[0].clone()).collect();
    assert_eq!(got, want, "[{}]", app.backend_name);
}

#[tokio::test]
async fn bad_parameters_are_400_and_unknown_ids_404_with_a_code() {
    let app = TestApp::spawn(crate::support::Backend::Sqlite).await;
    let addr = app.serve().await;
    let task = app.task_id(1).await;
    for (path, status, code) in [
        ("/exports/ledger.csv?documentId=nonsense", 400, "BAD_USER_INPUT"),
        (&format!("/exports/ledger.xlsx?documentId={task}") as &str, 400, "BAD_USER_INPUT"),
        ("/exports/ledger.csv?categoryNumber=first", 400, "BAD_USER_INPUT"),
        ("/exports/ledger.csv?categoryNumber=0", 400, "BAD_USER_INPUT"),
        ("/exports/ledger.csv?asOf=yesterday", 400, "BAD_USER_INPUT"),
        ("/exports/ledger.csv?shape=tall", 400, "BAD_USER_INPUT"),
        ("/exports/ledger.csv?categoryNumber=1&categoryNumber=2", 400, "BAD_USER_INPUT"),
        ("/exports/ledger.xlsx?documentId=RG9jdW1lbnQ6OTk5", 404, "NOT_FOUND"),
        ("/exports/ledger.csv?departmentId=RGVwYXJ0bWVudDo5OTk5OQ", 404, "NOT_FOUND"),
        ("/exports/ledger.csv?periodId=UmVwb3J0aW5nUGVyaW9kOjk5OQ", 404, "NOT_FOUND"),
    ] {
        let d = get(addr, path, None).await;
        assert_eq!(d.status, status, "{path}");
        assert_eq!(d.json()["errors"][0]["extensions"]["code"], code, "{path}");
    }
    // A parameter the ledger does not take (a cache-buster) is ignored.
    let d = get(addr, "/exports/ledger.csv?_=1733300000&format=pdf", None).await;
    assert_eq!(d.status, 200);
    let d = get(addr, "/exports/ledger.csv", Some("qd_not-a-token")).await;
    assert_eq!(d.status, 401);
    assert_eq!(d.json()["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");

    // A category: its tasks only.
    let d = get(addr, "/exports/ledger.csv?categoryNumber=2", None).await;
    let rows = csv_rows(&d.body);
    let want = app.data("{ categories { number name tasks(first: 100) { totalCount } } }").await;
    let second =
        want["categories"].as_array().expect("categories").iter().find(|c| c["number"] == 2).expect("category 2");
    assert_eq!(rows.len() as i64 - 1, second["tasks"]["totalCount"].as_i64().expect("a count"));
    assert!(rows[1..].iter().all(|r| r[1] == second["name"].as_str().unwrap_or_default()));
}

#[tokio::test]
async fn a_ledger_of_several_documents_has_a_sheet_each_and_a_csv_with_their_titles() {
    let app = TestApp::empty(crate::support::Backend::Sqlite).await;
    let opts = qingdan::generate::GenerateOptions { documents: 3, seed: 7, with_reports: true };
    qingdan::generate::generate(app.state.primary(), opts, |_| {}).await.expect("generate three documents");
    let (_, viewer) = app.token(TokenRole::Viewer, None).await;
    let addr = app.serve().await;
    let data = app.data("{ documents { title } tasks(first: 1) { totalCount } }").await;
    let docs = data["documents"].as_array().expect("documents").clone();
    assert_eq!(docs.len(), 3);
    let total = data["tasks"]["totalCount"].as_i64().expect("a count");

    let x = get(addr, "/exports/ledger.xlsx", Some(&viewer)).await;
    assert_eq!(x.status, 200);
    assert!(x.disposition.contains("ledger.xlsx"));
    let mut book = sheets(&x.body);
    // A token holder's workbook ends with the assessment (考核) of the documents.
    let (last, assessed) = book.pop().expect("sheets");
    assert_eq!(last, "考核");
    let titles: std::collections::HashSet<&str> = assessed[1..].iter().map(|r| r[0].as_str()).collect();
    assert_eq!(titles.len(), 3, "every document assessed");
    assert_eq!(book.len(), 3, "a sheet per document");
    let names: std::collections::HashSet<_> = book.iter().map(|(n, _)| n.to_lowercase()).collect();
    assert_eq!(names.len(), 3, "unique sheet names: {:?}", book.iter().map(|(n, _)| n).collect::<Vec<_>>());
    assert_eq!(book.iter().map(|(_, rows)| rows.len() as i64 - 1).sum::<i64>(), total);
    assert!(
        book.iter().any(|(_, rows)| rows.iter().skip(1).any(|r| r[5] == "已报送" || r[5] == "逾期报送")),
        "reports show"
    );

    let c = get(addr, "/exports/ledger.csv", Some(&viewer)).await;
    let rows = csv_rows(&c.body);
    assert_eq!(rows[0][..5], SOURCE);
    assert_eq!(rows[0][5], "一季度 状态");
    assert_eq!(rows[0].last().map(String::as_str), Some("清单"));
    assert_eq!(rows.len() as i64 - 1, total);
    let titles: std::collections::HashSet<_> = rows[1..].iter().filter_map(|r| r.last().cloned()).collect();
    let want: std::collections::HashSet<_> =
        docs.iter().map(|d| d["title"].as_str().unwrap_or_default().to_owned()).collect();
    assert_eq!(titles, want);
    assert!(rows.iter().all(|r| r.len() == rows[0].len()), "every record as wide as the header");
}
