//! The rows the parser reads out of a document: plain data, no database.

use chrono::NaiveDate;

/// A whole responsibility list as read from its text.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedDocument {
    /// Region from the compilation's section heading ("（二）天津" → "天津").
    pub region: String,
    /// Title of the list itself ("天津市2023年优化营商环境责任清单"), spaces of the PDF removed.
    pub title: String,
    /// Issuing office ("天津市政务服务办"), read from the notice title.
    pub issuer: String,
    /// Date of the notice.
    pub issued_on: NaiveDate,
    /// The year the list is for (from its title).
    pub year: i32,
    /// Report deadlines named in the notice, in order; empty when the notice names none.
    pub schedule: Vec<ParsedDeadline>,
    /// Categories in document order.
    pub categories: Vec<ParsedCategory>,
    /// Tasks in document order, numbered 1..=N.
    pub tasks: Vec<ParsedTask>,
}

/// One report deadline from the notice ("2023 年4 月10 日 … 一季度").
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedDeadline {
    /// 1..=4.
    pub quarter: u8,
    /// Label as the notice words it: "一季度", "二季度（半年）", "三季度", "四季度（全年）".
    pub label: String,
    pub due_on: NaiveDate,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ParsedCategory {
    pub number: i32,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ParsedTask {
    pub number: i32,
    pub category_number: i32,
    /// Task text with the PDF line breaks removed.
    pub content: String,
    /// Lead departments (牵头部门) in source order; empty for "—".
    pub leads: Vec<String>,
    /// Responsible units (责任单位) in source order; empty for "—".
    pub responsible: Vec<String>,
    /// 1-based line of the task number in the source text (the row, for a table read from a
    /// file: see [`crate::import::source::table::Place`]).
    pub line: usize,
    /// The deadline cell (完成时限) as written and the last day it allows; `None` when the list
    /// has no deadline column or the cell is empty.
    pub deadline: Option<TaskDeadline>,
    /// Columns of the source the list model has no field for (责任领导, 预期目标, 备注 …), as
    /// (label as in the header, value), in column order.
    pub columns: Vec<(String, String)>,
}

/// A task's deadline: the text of its cell and, where the text names one, the last day it allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskDeadline {
    pub text: String,
    pub date: Option<NaiveDate>,
}

/// Text the parser cannot read: where and what it expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct ParseError {
    pub line: usize,
    pub message: String,
}
