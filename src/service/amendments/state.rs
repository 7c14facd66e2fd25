//! A task as one version holds it: what a change records before and after.

use serde::{Deserialize, Serialize};

/// A task's number, category, text, departments and deadline at one version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskState {
    pub number: i32,
    pub category_number: i32,
    /// The category's name (empty where unknown): a rewording is looked for within a category
    /// found by number or by name, so a category inserted before it does not hide it.
    #[serde(default)]
    pub category_name: String,
    pub content: String,
    /// Lead departments in source order, by the names the version used.
    pub leads: Vec<String>,
    /// Responsible units in source order.
    pub responsible: Vec<String>,
    /// The deadline cell as written.
    pub deadline: Option<String>,
}

impl TaskState {
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The state a change recorded; `None` for a missing or unreadable one.
    pub fn from_json(text: Option<&str>) -> Option<Self> {
        text.and_then(|t| serde_json::from_str(t).ok())
    }
}
