//! `GET /exports/ledger.xlsx` and `GET /exports/ledger.csv`: the ledger (台账) to download.
//!
//! The parameters are checked before anything is written (400 with a code for a bad one, 404
//! for an unknown id). A CSV streams as each document's rows are made; a workbook is put
//! together in a temporary file and then streamed. At most two ledgers are made at once per
//! process; others wait their turn.

use std::net::SocketAddr;
use std::sync::Arc;

use async_graphql::ID;
use axum::body::{Body, Bytes};
use axum::extract::{Query, State};
use axum::http::{Extensions, HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};

use super::HttpState;
use super::auth::viewer_from_headers;
use super::negotiation::MediaType;
use super::reply;
use crate::error::ApiError;
use crate::ids::{self, NodeType};
use crate::service::access::Viewer;
use crate::service::assessment;
use crate::service::ledger::csv::CsvLedger;
use crate::service::ledger::xlsx::XlsxLedger;
use crate::service::ledger::{self, LedgerParams, LedgerQuery, Shape};
use crate::service::list::ListSnapshot;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const CSV: &str = "text/csv; charset=utf-8";

/// `GET /exports/ledger.xlsx`.
pub async fn xlsx(
    State(state): State<HttpState>,
    Query(raw): Query<Vec<(String, String)>>,
    headers: HeaderMap,
    extensions: Extensions,
) -> Response {
    let peer = super::client::of(&extensions);
    let Prepared { query, list, versions, turn: _turn, etag, policy } =
        match prepare(&state, &raw, &headers, peer, "xlsx").await {
            Ok(p) => p,
            Err(response) => return response,
        };
    let filename = filename(&list, &query, "xlsx");
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Part>(2);
    let (shape, with_reports) = (query.shape, query.with_reports);
    let writer = tokio::task::spawn_blocking(move || {
        let mut book = XlsxLedger::default();
        let mut sheets = 0;
        while let Some(part) = rx.blocking_recv() {
            match (part, shape) {
                (Part::Ledger(sheet), Shape::Wide) => book.sheet(&sheet)?,
                (Part::Ledger(sheet), Shape::Long) => book.long(&sheet, with_reports)?,
                (Part::Assessment(rows), _) => book.assessment(&rows)?,
            }
            sheets += 1;
        }
        if sheets == 0 {
            book.empty()?;
        }
        book.finish()
    });
    let source = ledger::Source { store: &state.app.reports, db: state.app.replica(), versions: &versions };
    for document_id in &query.documents {
        let sheet = match ledger::sheet(&source, &list, &query, *document_id).await {
            Ok(s) => s,
            Err(e) => return failed(e),
        };
        if tx.send(Part::Ledger(sheet)).await.is_err() {
            break;
        }
    }
    // A token holder's ledger (the wide shape, as offices keep it) ends with the assessment (考核)
    // of its documents, one sheet.
    if with_reports && shape == Shape::Wide {
        let weights = crate::settings::assessment(&state.app.limits);
        let mut rows = Vec::new();
        for document_id in &query.documents {
            let assessed = state.app.reports.read(state.app.replica(), &versions, |held| {
                assessment::assess(held, &list, *document_id, query.as_of, query.thresholds, &weights)
            });
            let title = list.document(*document_id).map(|d| d.title.clone()).unwrap_or_default();
            match assessed.await {
                Ok(found) => rows.extend(found.into_iter().map(|r| {
                    (title.clone(), list.department(r.department_id).map(|d| d.name.clone()).unwrap_or_default(), r)
                })),
                Err(e) => return failed(e),
            }
        }
        let _ = tx.send(Part::Assessment(rows)).await;
    }
    drop(tx);
    let file = match writer.await {
        Ok(Ok(file)) => tokio::fs::File::from_std(file),
        Ok(Err(e)) => return failed(e),
        Err(e) => return failed(ApiError::Internal(anyhow::anyhow!("the workbook writer stopped: {e}"))),
    };
    let length = file.metadata().await.map(|m| m.len()).ok();
    let mut response = download(XLSX, &filename, Body::from_stream(tokio_util::io::ReaderStream::new(file)));
    if let Some(n) = length {
        response.headers_mut().insert(header::CONTENT_LENGTH, HeaderValue::from(n));
    }
    policy.apply(&mut response, Some(&etag));
    response
}

/// `GET /exports/ledger.csv`.
pub async fn csv(
    State(state): State<HttpState>,
    Query(raw): Query<Vec<(String, String)>>,
    headers: HeaderMap,
    extensions: Extensions,
) -> Response {
    let peer = super::client::of(&extensions);
    let Prepared { query, list, versions, turn, etag, policy } =
        match prepare(&state, &raw, &headers, peer, "csv").await {
            Ok(p) => p,
            Err(response) => return response,
        };
    let (writer, head) = match CsvLedger::start(&query, &list) {
        Ok(w) => w,
        Err(e) => return failed(e),
    };
    let filename = filename(&list, &query, "csv");
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(2);
    let (db, store) = (state.app.replica().clone(), state.app.reports.clone());
    tokio::spawn(async move {
        let _turn = turn;
        let source = ledger::Source { store: &store, db: &db, versions: &versions };
        if tx.send(Ok(Bytes::from(head))).await.is_err() {
            return;
        }
        for document_id in &query.documents {
            let chunk = match ledger::sheet(&source, &list, &query, *document_id).await.and_then(|s| writer.sheet(&s)) {
                Ok(bytes) => Ok(Bytes::from(bytes)),
                Err(e) => {
                    // The status is sent: the download breaks off, so that no one takes a part for
                    // the whole.
                    tracing::error!(error = ?e, "a CSV ledger broke off");
                    Err(std::io::Error::other("the ledger could not be completed"))
                }
            };
            let stop = chunk.is_err();
            if tx.send(chunk).await.is_err() || stop {
                return;
            }
        }
    });
    let mut response = download(CSV, &filename, Body::from_stream(tokio_stream::wrappers::ReceiverStream::new(rx)));
    policy.apply(&mut response, Some(&etag));
    response
}

/// What the workbook's writer is sent, in order.
enum Part {
    Ledger(ledger::Sheet),
    /// (document title, department, row), each document's best first.
    Assessment(Vec<(String, String, assessment::Row)>),
}

/// What a ledger is made from.
struct Prepared {
    query: LedgerQuery,
    list: Arc<ListSnapshot>,
    /// The versions the list was read at (the assessment's rows are read at them too).
    versions: crate::service::versions::Versions,
    turn: tokio::sync::OwnedSemaphorePermit,
    /// The ledger's validator: its parameters, whether it shows reports, the versions and the
    /// day it is judged at.
    etag: String,
    policy: super::caching::Policy,
}

/// The caller, the rate limit, the parameters and a turn to make a ledger; or the response
/// refusing it, or `304 Not Modified` when the caller holds this ledger already.
async fn prepare(
    state: &HttpState,
    raw: &[(String, String)],
    headers: &HeaderMap,
    peer: Option<SocketAddr>,
    format: &str,
) -> Result<Prepared, Response> {
    let viewer =
        viewer_from_headers(&state.app, headers).await.map_err(|e| reply::unauthenticated(MediaType::Json, e))?;
    state.limiter.check(&viewer, peer).map_err(|refused| reply::too_many(MediaType::Json, refused))?;
    let (params, as_of) = parse(raw).map_err(failed)?;
    let db = state.app.replica();
    let versions = crate::service::versions::versions(db).await.map_err(failed)?;
    let list = state.app.snapshots.at(db, &versions.list).await.map_err(failed)?;
    let with_reports = matches!(viewer, Viewer::Token { .. });
    let now = state.app.clock().now();
    let day = as_of.unwrap_or_else(|| now.with_timezone(&chrono_tz::Asia::Shanghai).date_naive());
    let as_of = as_of.map_or(now, crate::clock::last_instant_of);
    let query = LedgerQuery::resolve(&list, &params, with_reports, as_of, crate::settings::lights(&state.app.limits))
        .map_err(failed)?;
    let policy = super::caching::Policy { anonymous: !with_reports, max_age: state.app.limits.http_max_age_secs };
    let etag = {
        use sha2::{Digest, Sha256};
        let what = format!("{format}\0{params:?}\0{with_reports}\0{versions:?}\0{day}");
        let hex: String = Sha256::digest(what.as_bytes()).iter().take(12).map(|b| format!("{b:02x}")).collect();
        format!("W/\"{hex}\"")
    };
    if super::caching::matches(headers, &etag) {
        return Err(policy.not_modified(&etag));
    }
    let turn = state
        .exports
        .clone()
        .acquire_owned()
        .await
        .map_err(|_| failed(ApiError::Internal(anyhow::anyhow!("the export queue is closed"))))?;
    Ok(Prepared { query, list, versions, turn, etag, policy })
}

/// The parameters: global ids, a category number, a date and a shape. Others (a cache-buster
/// such as `_`) are ignored.
fn parse(raw: &[(String, String)]) -> Result<(LedgerParams, Option<NaiveDate>), ApiError> {
    let mut params = LedgerParams::default();
    let mut as_of = None;
    let mut seen: Vec<&str> = Vec::new();
    for (key, value) in raw {
        let known =
            matches!(key.as_str(), "documentId" | "periodId" | "departmentId" | "categoryNumber" | "asOf" | "shape");
        if !known {
            continue;
        }
        if seen.contains(&key.as_str()) {
            return Err(ApiError::bad_input(format!("parameter {} is given twice", ids::truncate(key))));
        }
        seen.push(key);
        let id = |t| ids::decode(&ID(value.clone()), t).map(Some);
        match key.as_str() {
            "documentId" => params.document_id = id(NodeType::Document)?,
            "periodId" => params.period_id = id(NodeType::ReportingPeriod)?,
            "departmentId" => params.department_id = id(NodeType::Department)?,
            "categoryNumber" => {
                params.category_number = Some(value.trim().parse().map_err(|_| {
                    ApiError::bad_input(format!("categoryNumber is a whole number, not \"{}\"", ids::truncate(value)))
                })?);
            }
            "asOf" => {
                as_of = Some(NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d").map_err(|_| {
                    ApiError::bad_input(format!("asOf is a date (YYYY-MM-DD), not \"{}\"", ids::truncate(value)))
                })?);
            }
            _ => {
                params.shape = match value.trim() {
                    "wide" => Shape::Wide,
                    "long" => Shape::Long,
                    other => {
                        return Err(ApiError::bad_input(format!(
                            "shape is wide (the source's rows) or long (a row per report owed), not \"{}\"",
                            ids::truncate(other)
                        )));
                    }
                };
            }
        }
    }
    Ok((params, as_of))
}

/// A refusal or failure as JSON with its code.
fn failed(e: ApiError) -> Response {
    let status = match &e {
        ApiError::BadUserInput(_) => StatusCode::BAD_REQUEST,
        ApiError::NotFound(_) => StatusCode::NOT_FOUND,
        ApiError::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
        ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
        ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    };
    if status == StatusCode::INTERNAL_SERVER_ERROR {
        tracing::error!(error = ?e, "a ledger failed");
        return reply::error(MediaType::Json, status, "INTERNAL", "internal error");
    }
    reply::error(MediaType::Json, status, e.code(), e.message())
}

/// A download: its type and its name (RFC 6266 with an RFC 5987 UTF-8 name).
fn download(content_type: &'static str, filename: &str, body: Body) -> Response {
    // Clients that do not read `filename*` get the English name with the extension.
    let extension = filename.rsplit('.').next().unwrap_or("csv");
    let disposition = format!(
        "attachment; filename=\"ledger.{extension}\"; filename*=UTF-8''{}",
        utf8_percent_encode(filename, NON_ALPHANUMERIC)
    );
    let mut response = (StatusCode::OK, body).into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    response
}

/// `天津市2023年优化营商环境责任清单-台账.xlsx`, with the department and period when one is asked
/// for; `责任清单台账.xlsx` for several documents.
fn filename(list: &ListSnapshot, query: &LedgerQuery, extension: &str) -> String {
    let mut name = match query.documents.as_slice() {
        [one] => list.document(*one).map_or_else(|| "责任清单".to_owned(), |d| d.title.clone()) + "-台账",
        _ => "责任清单台账".to_owned(),
    };
    if let Some(d) = query.department_id.and_then(|d| list.department(d)) {
        name = format!("{name}-{}", d.name);
    }
    if let Some(p) = query.period_id.and_then(|p| list.period(p)) {
        name = format!("{name}-{}", p.label);
    }
    let clean: String = name.chars().filter(|c| !c.is_control() && !matches!(c, '/' | '\\' | '"')).collect();
    format!("{clean}.{extension}")
}
