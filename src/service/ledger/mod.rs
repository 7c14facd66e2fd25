//! The ledger (台账, SPEC §9): the list in the source's own columns, with each period's
//! progress beside it for token holders, as XLSX ([`xlsx`]) or CSV ([`csv`]).
//!
//! A ledger is made one document (one sheet) at a time: its tasks come from the list snapshot,
//! its reports and extensions in two statements per document, so memory holds one document's
//! rows whatever the number of documents, and the writers stream them out.

pub mod csv;
pub mod xlsx;

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::{document, extension, report, reporting_period};
use std::sync::Arc;

use sea_orm::DatabaseConnection;

use super::list::{ListSnapshot, TaskOn};
use super::obligations::{self, ObligationQuery, ObligationRow, ObligationState};
use super::report_store::ReportStore;
use super::supervision::lights::{Light, Thresholds};
use super::versions::Versions;
use crate::error::{ApiError, ApiResult};

/// The columns of the source, in its order and with its names.
pub const SOURCE_COLUMNS: [&str; 5] = ["序号", "重点任务", "主要内容", "牵头部门", "责任单位"];

/// The columns each period adds for a token holder, after the quarter's name ("一季度 状态").
/// 进度 is a number (the lowest progress reported, in percent), 报送时间 a time in Beijing time
/// (the latest submission).
pub const PERIOD_COLUMNS: [&str; 5] = ["状态", "预警", "进度", "报送情况", "报送时间（UTC+8）"];

/// Quarters by their usual names: period columns are named by quarter whatever the document
/// calls its periods, so that a ledger's columns are the same for one document or several.
pub const QUARTERS: [&str; 4] = ["一季度", "二季度", "三季度", "四季度"];

/// The columns of the long shape (one row per report owed: task × department × period), and,
/// for a caller without a token, the first seven (one row per task × assigned department).
pub const LONG_COLUMNS: [&str; 14] = [
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

/// The long shape's columns for a caller without a token.
pub const LONG_PUBLIC_COLUMNS: usize = 7;

/// The two shapes of a ledger.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Shape {
    /// The source's rows and columns, each period's beside them (for offices).
    #[default]
    Wide,
    /// One row per report owed, tidy for pandas and R.
    Long,
}

/// How the source joins several departments in one cell.
const JOIN: &str = "、";

/// What a ledger holds, checked against the list.
#[derive(Debug, Clone)]
pub struct LedgerQuery {
    /// The documents, one sheet each, in id order.
    pub documents: Vec<i64>,
    /// One period only (default: every period of each document).
    pub period_id: Option<i64>,
    /// Tasks this department is assigned to, and its own obligations only.
    pub department_id: Option<i64>,
    /// Tasks of categories with this number.
    pub category_number: Option<i32>,
    /// The period columns (token holders only).
    pub with_reports: bool,
    pub shape: Shape,
    /// The moment states and lights are judged at.
    pub as_of: DateTime<Utc>,
    pub thresholds: Thresholds,
}

/// A ledger request as given, ids already decoded.
#[derive(Debug, Clone, Default)]
pub struct LedgerParams {
    pub document_id: Option<i64>,
    pub period_id: Option<i64>,
    pub department_id: Option<i64>,
    pub category_number: Option<i32>,
    pub shape: Shape,
}

impl LedgerQuery {
    /// Checks `params` against `list`: unknown ids are NOT_FOUND, a period of another document
    /// than the one asked for is BAD_USER_INPUT.
    pub fn resolve(
        list: &ListSnapshot,
        params: &LedgerParams,
        with_reports: bool,
        as_of: DateTime<Utc>,
        thresholds: Thresholds,
    ) -> ApiResult<Self> {
        if let Some(id) = params.document_id
            && list.document(id).is_none()
        {
            return Err(ApiError::NotFound(format!("no document {id}")));
        }
        if let Some(id) = params.department_id
            && list.department(id).is_none()
        {
            return Err(ApiError::NotFound(format!("no department {id}")));
        }
        if let Some(n) = params.category_number
            && n < 1
        {
            return Err(ApiError::bad_input("categoryNumber is a category's number, 1 or more"));
        }
        let mut document_id = params.document_id;
        if let Some(id) = params.period_id {
            let period = list.period(id).ok_or_else(|| ApiError::NotFound(format!("no reporting period {id}")))?;
            match document_id {
                Some(d) if d != period.document_id => {
                    return Err(ApiError::bad_input(format!("reporting period {id} is not a period of document {d}")));
                }
                _ => document_id = Some(period.document_id),
            }
        }
        let documents = match document_id {
            Some(d) => vec![d],
            None => list.documents().iter().map(|d| d.id).collect(),
        };
        Ok(Self {
            documents,
            period_id: params.period_id,
            department_id: params.department_id,
            category_number: params.category_number,
            with_reports,
            shape: params.shape,
            as_of,
            thresholds,
        })
    }

    /// The periods of `document_id` this ledger shows.
    pub fn periods<'a>(&self, list: &'a ListSnapshot, document_id: i64) -> Vec<&'a reporting_period::Model> {
        if !self.with_reports {
            return Vec::new();
        }
        list.periods_of(document_id).into_iter().filter(|p| self.period_id.is_none_or(|id| p.id == id)).collect()
    }

    /// The header row of `document_id`'s sheet.
    pub fn header(&self, list: &ListSnapshot, document_id: i64) -> Vec<String> {
        let mut header: Vec<String> = SOURCE_COLUMNS.iter().map(|c| (*c).to_owned()).collect();
        for p in self.periods(list, document_id) {
            header.extend(period_columns(p.quarter));
        }
        header
    }
}

/// The name of quarter `q` (一季度…四季度).
pub fn quarter_name(q: i32) -> String {
    usize::try_from(q - 1).ok().and_then(|i| QUARTERS.get(i)).map_or_else(|| format!("第{q}季度"), |n| (*n).to_owned())
}

/// The period columns of quarter `q`.
pub fn period_columns(q: i32) -> impl Iterator<Item = String> {
    let name = quarter_name(q);
    PERIOD_COLUMNS.iter().map(move |c| format!("{name} {c}"))
}

/// One row: a task in the source's columns, and its cells for each period shown.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub number: i32,
    pub category: String,
    pub content: String,
    pub leads: String,
    pub responsible: String,
    /// Every assignment: the department's name and its role, leads first.
    pub assigned: Vec<(String, entity::Role)>,
    pub periods: Vec<Cell>,
}

/// Where a task stands in one period.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Cell {
    /// The worst state of its obligations (none when nobody owes a report).
    pub state: Option<ObligationState>,
    /// The worst light.
    pub light: Option<Light>,
    /// The lowest progress reported, in percent.
    pub progress: Option<i32>,
    /// Each report's summary (named by department when several owe).
    pub summary: String,
    /// The latest submission.
    pub submitted_at: Option<DateTime<Utc>>,
    /// Each report owed, in task order of the departments.
    pub owed: Vec<Owed>,
}

/// One department's report owed in one period: a row of the long shape.
#[derive(Debug, Clone, PartialEq)]
pub struct Owed {
    pub department: String,
    pub role: Option<entity::Role>,
    pub quarter: i32,
    pub due_on: chrono::NaiveDate,
    pub state: ObligationState,
    pub light: Light,
    pub progress: Option<i32>,
    pub summary: String,
    pub submitted_at: Option<DateTime<Utc>>,
}

/// One document's sheet.
#[derive(Debug, Clone)]
pub struct Sheet {
    pub document: document::Model,
    pub header: Vec<String>,
    /// The quarter of each period shown, in the order of [`Row::periods`].
    pub quarters: Vec<i32>,
    pub rows: Vec<Row>,
}

/// Where a ledger reads the reports, extensions and closures: the held rows, at the versions its
/// list was read at.
pub struct Source<'a> {
    pub store: &'a ReportStore,
    pub db: &'a DatabaseConnection,
    pub versions: &'a Versions,
}

/// Makes the sheet of `document_id`: the list from `list`, reports, extensions and closures from
/// the held rows (copied out of them: no statement when they are up to date).
pub async fn sheet(
    source: &Source<'_>,
    list: &ListSnapshot,
    query: &LedgerQuery,
    document_id: i64,
) -> ApiResult<Sheet> {
    let document =
        list.document(document_id).cloned().ok_or_else(|| ApiError::NotFound(format!("no document {document_id}")))?;
    let periods = query.periods(list, document_id);
    let mut owed: Vec<(ObligationQuery, HashMap<i64, Vec<ObligationRow>>)> = Vec::new();
    if !periods.is_empty() {
        let mine = |d: i64| query.department_id.is_none_or(|wanted| wanted == d);
        let (reports, extensions, closed) = source
            .store
            .read(source.db, source.versions, |held| {
                let reports: Vec<Arc<report::Model>> = periods
                    .iter()
                    .flat_map(|p| held.reports_of_period.get(p.id))
                    .filter(|r| mine(r.department_id))
                    .cloned()
                    .collect();
                let extensions: Vec<Arc<extension::Model>> = periods
                    .iter()
                    .flat_map(|p| held.extensions_of_period.get(p.id))
                    .filter(|e| mine(e.department_id))
                    .cloned()
                    .collect();
                let closures = held.closures_of_document.get(document_id);
                (reports, extensions, super::supervision::closures::closed_days(closures.iter().map(|c| &**c)))
            })
            .await?;
        for period in &periods {
            let q = ObligationQuery {
                department_id: query.department_id,
                ..ObligationQuery::of_period(list, period, query.as_of, query.thresholds)
            };
            let mut by_task: HashMap<i64, Vec<ObligationRow>> = HashMap::new();
            for row in obligations::all(list, &q, &reports, &extensions, &closed) {
                by_task.entry(row.task_id).or_default().push(row);
            }
            owed.push((q, by_task));
        }
    }

    // The list in force on the latest day asked about: the last period's due date, else today.
    let day = periods.iter().map(|p| p.due_on).max().unwrap_or_else(|| crate::clock::shanghai_day(query.as_of));
    let category_name = |number: i32| {
        list.categories(Some(document_id)).into_iter().find(|c| c.number == number).map(|c| c.name.clone())
    };
    let rows = list
        .tasks_of_document_ever(document_id)
        .into_iter()
        .filter_map(|t| Some((t, list.task_on(t, day)?)))
        .map(|(t, on)| {
            let (number, category_number, content, assigned) = match on {
                TaskOn::AsItStands => (
                    t.number,
                    list.category(t.category_id).map_or(0, |c| c.number),
                    t.content.clone(),
                    list.assignments_of(t.id)
                        .iter()
                        .filter_map(|a| list.department(a.department_id).map(|d| (d.name.clone(), a.role)))
                        .collect::<Vec<_>>(),
                ),
                TaskOn::Was(state) => {
                    let assigned = state
                        .leads
                        .iter()
                        .map(|n| (n.clone(), entity::Role::Lead))
                        .chain(state.responsible.iter().map(|n| (n.clone(), entity::Role::Responsible)))
                        .collect();
                    (state.number, state.category_number, state.content, assigned)
                }
            };
            (t, number, category_number, content, assigned)
        })
        .filter(|(_, _, category, _, _)| query.category_number.is_none_or(|n| n == *category))
        .filter(|(t, _, _, _, assigned)| {
            query.department_id.is_none_or(|d| {
                assigned.iter().any(|(name, _)| list.answers_to(d, name))
                    || owed.iter().any(|(_, by_task)| by_task.contains_key(&t.id))
            })
        })
        .map(|(t, number, category_number, content, assigned)| {
            let names = |role| {
                assigned.iter().filter(|(_, r)| *r == role).map(|(n, _)| n.as_str()).collect::<Vec<_>>().join(JOIN)
            };
            Row {
                number,
                category: category_name(category_number).unwrap_or_default(),
                content,
                leads: names(entity::Role::Lead),
                responsible: names(entity::Role::Responsible),
                periods: owed
                    .iter()
                    .map(|(q, by_task)| cell(list, q, by_task.get(&t.id).map_or(&[], Vec::as_slice)))
                    .collect(),
                assigned,
            }
        })
        .collect::<Vec<_>>();
    let mut rows = rows;
    rows.sort_by_key(|r| r.number);
    let quarters = periods.iter().map(|p| p.quarter).collect();
    Ok(Sheet { header: query.header(list, document_id), quarters, document, rows })
}

/// A task's cell in one period, from its obligations there.
fn cell(list: &ListSnapshot, q: &ObligationQuery, rows: &[ObligationRow]) -> Cell {
    if rows.is_empty() {
        return Cell::default();
    }
    let owed: Vec<Owed> = rows
        .iter()
        .map(|row| {
            let seen = q.report_seen(row);
            Owed {
                department: list.department(row.department_id).map(|d| d.name.clone()).unwrap_or_default(),
                role: list.assignment(row.task_id, row.assignment_id).map(|a| a.role),
                quarter: q.period.quarter,
                due_on: row.due_on,
                state: q.state_of(row),
                light: q.light_of(row),
                progress: seen.map(|r| r.progress_percent),
                summary: seen.map(|r| r.summary.clone()).unwrap_or_default(),
                submitted_at: seen.map(|r| r.submitted_at),
            }
        })
        .collect();
    // Several departments owe: each summary line names its department.
    let named = owed.len() > 1;
    let summary = owed
        .iter()
        .filter(|o| o.submitted_at.is_some())
        .map(|o| if named { format!("{}：{}", o.department, o.summary) } else { o.summary.clone() })
        .collect::<Vec<_>>()
        .join("\n");
    Cell {
        state: owed.iter().map(|o| o.state).max_by_key(|s| severity(*s)),
        light: owed.iter().map(|o| o.light).max(),
        progress: owed.iter().filter_map(|o| o.progress).min(),
        summary,
        submitted_at: owed.iter().filter_map(|o| o.submitted_at).max(),
        owed,
    }
}

/// Worse states sort higher.
fn severity(state: ObligationState) -> u8 {
    match state {
        ObligationState::Submitted => 0,
        ObligationState::SubmittedLate => 1,
        ObligationState::Pending => 2,
        ObligationState::Returned => 3,
        ObligationState::Overdue => 4,
    }
}

/// The state as the ledger words it.
pub fn state_label(state: ObligationState) -> &'static str {
    match state {
        ObligationState::Submitted => "已报送",
        ObligationState::SubmittedLate => "逾期报送",
        ObligationState::Pending => "未报送",
        ObligationState::Overdue => "逾期未报",
        ObligationState::Returned => "已退回",
    }
}

/// The light as the ledger words it.
pub fn light_label(light: Light) -> &'static str {
    match light {
        Light::Green => "绿灯",
        Light::Blue => "蓝灯",
        Light::Yellow => "黄灯",
        Light::Red => "红灯",
    }
}

/// A time in Beijing time, with its offset (RFC 3339): `2023-04-08T10:30:00+08:00`.
pub fn shanghai_time(at: DateTime<Utc>) -> String {
    at.with_timezone(&chrono_tz::Asia::Shanghai).format("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

/// A time in Beijing time, without zone, for a spreadsheet's date cell.
pub fn shanghai_local(at: DateTime<Utc>) -> chrono::NaiveDateTime {
    at.with_timezone(&chrono_tz::Asia::Shanghai).naive_local()
}

/// The role as the ledger words it.
pub fn role_label(role: Option<entity::Role>) -> &'static str {
    match role {
        Some(entity::Role::Lead) => "牵头",
        Some(entity::Role::Responsible) => "责任",
        None => "",
    }
}

impl Row {
    /// The source's columns as text.
    pub fn source_texts(&self) -> [String; 5] {
        [
            self.number.to_string(),
            self.category.clone(),
            self.content.clone(),
            self.leads.clone(),
            self.responsible.clone(),
        ]
    }
}

impl Cell {
    /// The period's columns as text (progress in percent, a time with its offset).
    pub fn texts(&self) -> [String; 5] {
        [
            self.state.map(state_label).unwrap_or_default().to_owned(),
            self.light.map(light_label).unwrap_or_default().to_owned(),
            self.progress.map(|p| p.to_string()).unwrap_or_default(),
            self.summary.clone(),
            self.submitted_at.map(shanghai_time).unwrap_or_default(),
        ]
    }
}

impl Owed {
    /// The long shape's columns from 季度 on, as text.
    pub fn texts(&self) -> [String; 7] {
        [
            quarter_name(self.quarter),
            self.due_on.to_string(),
            state_label(self.state).to_owned(),
            light_label(self.light).to_owned(),
            self.progress.map(|p| p.to_string()).unwrap_or_default(),
            self.summary.clone(),
            self.submitted_at.map(shanghai_time).unwrap_or_default(),
        ]
    }
}
