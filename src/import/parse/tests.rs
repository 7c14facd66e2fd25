//! Tests of the parser's parts. The layout quirks each run a small excerpt of the Tianjin
//! list (tasks renumbered from 1, a category line added where an excerpt starts
//! mid-category) through the whole parser, column widths measured on the excerpt itself.

mod boundaries;
mod page_breaks;
mod parts;

use super::*;
use crate::import::parse_document;

pub(super) const PREAMBLE: &str = "
# Page 140:
（二）天津
1. 天津市政务服务办关于印发天津市
2023
 年优化营商环境责
任清单的通知（2023 年1 月6 日）
各区人民政府，市政府各委、办、局：
经市人民政府同意，现将《天津市2023 年优化营商环境责任清单》印发给你们，请遵
照执行。
天津市2023 年优化营商环境责任清单
序号
重点任务
主要内容
牵头部门
责任单位
";

pub(super) const PAGE_BREAK: &str = "
# Page 141:
序号
重点任务
主要内容
牵头部门
责任单位
";

pub(super) fn tasks(rows: &str) -> Vec<ParsedTask> {
    let text = format!("{PREAMBLE}{}", rows.replace("<page break>\n", PAGE_BREAK));
    parse_document(&text).expect("the excerpt parses").tasks
}

/// (content, leads, responsible) of a task.
pub(super) fn cells(task: Option<&ParsedTask>) -> (&str, Vec<&str>, Vec<&str>) {
    let task = task.expect("the task exists");
    (
        task.content.as_str(),
        task.leads.iter().map(String::as_str).collect(),
        task.responsible.iter().map(String::as_str).collect(),
    )
}
