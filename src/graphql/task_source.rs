//! What a task carries from its source beyond the list model: its deadline and other columns.

use async_graphql::SimpleObject;
use chrono::NaiveDate;
use entity::task;

/// A task's deadline (完成时限): the cell as written and the last day it allows.
#[derive(SimpleObject)]
pub struct TaskDeadline {
    /// The deadline as the list words it ("2024年6月底前", "持续推进").
    pub text: String,
    /// The last day it allows; null for ongoing forms (持续推进, 长期坚持, 每季度 …).
    pub date: Option<NaiveDate>,
}

/// A column of the source list that the list model has no field for (责任领导, 备注 …).
#[derive(SimpleObject)]
pub struct SourceColumn {
    /// The column's header label as in the source.
    pub label: String,
    /// The task's cell in that column (empty when the cell is).
    pub value: String,
}

pub fn deadline(t: &task::Model) -> Option<TaskDeadline> {
    t.deadline_text.as_ref().map(|text| TaskDeadline { text: text.clone(), date: t.deadline_on })
}

/// Stored as a JSON array of [label, value] pairs by the importer; anything else reads as none.
pub fn columns(t: &task::Model) -> Vec<SourceColumn> {
    t.columns
        .as_deref()
        .and_then(|json| serde_json::from_str::<Vec<(String, String)>>(json).ok())
        .unwrap_or_default()
        .into_iter()
        .map(|(label, value)| SourceColumn { label, value })
        .collect()
}
