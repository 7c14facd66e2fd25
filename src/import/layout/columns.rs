//! A table's columns, recognised by their header labels (SPEC §11), never by position.

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    Number,
    Category,
    Text,
    Lead,
    Support,
    Deadline,
    /// Any other column (责任领导, 预期目标, 备注 …): kept as `Task.columns`.
    Other,
}

const NUMBER: [&str; 3] = ["序号", "编号", "序"];
const CATEGORY: [&str; 10] =
    ["重点任务", "任务类别", "主要任务", "重点领域", "类别", "领域", "任务分类", "重点工作", "工作类别", "分类"];
const TEXT: [&str; 16] = [
    "主要内容",
    "具体措施",
    "工作措施",
    "改革措施",
    "工作任务",
    "任务内容",
    "具体任务",
    "工作内容",
    "主要措施",
    "具体内容",
    "改革举措",
    "任务措施",
    "重点举措",
    "具体工作",
    "措施",
    "任务",
];
const LEAD: [&str; 4] = ["牵头部门", "牵头单位", "牵头责任单位", "牵头"];
const SUPPORT: [&str; 10] = [
    "责任单位",
    "配合单位",
    "协办单位",
    "协同责任单位",
    "参与单位",
    "配合部门",
    "责任部门",
    "协同单位",
    "协同部门",
    "参与部门",
];
const DEADLINE: [&str; 6] = ["完成时限", "时间节点", "完成时间", "时限", "完成期限", "时间要求"];

/// A label without white space or a trailing remark in brackets ("牵头单位（部门）" → 牵头单位).
pub fn normalize(label: &str) -> String {
    let compact: String = label.chars().filter(|c| !c.is_whitespace()).collect();
    let mut s = compact.as_str();
    for (open, close) in [('（', '）'), ('(', ')')] {
        if let Some(inner) = s.strip_suffix(close)
            && let Some(i) = inner.rfind(open)
            && i > 0
        {
            s = inner.get(..i).unwrap_or(s);
        }
    }
    s.trim_end_matches(['：', ':']).to_owned()
}

/// The role a label names, if any. A category label is only a candidate: it holds the task
/// text when no other column does (see [`assign`]).
fn role_of(label: &str) -> Option<Column> {
    let l = normalize(label);
    if l.is_empty() || l.chars().count() > 12 {
        return None;
    }
    let is = |set: &[&str]| set.contains(&l.as_str());
    let person = l.contains("领导") || l.contains("责任人") || l.contains("联系人");
    if is(&NUMBER) {
        Some(Column::Number)
    } else if person {
        None
    } else if is(&LEAD) || l.contains("牵头") || l == "主责单位" || l == "主要责任单位" || l == "主责部门"
    {
        Some(Column::Lead)
    } else if is(&SUPPORT)
        || l.contains("配合")
        || l.contains("协办")
        || l.contains("协同")
        || l.ends_with("责任单位")
        || l.ends_with("责任部门")
    {
        Some(Column::Support)
    } else if is(&DEADLINE) || l.contains("时限") || l.contains("期限") || l.ends_with("完成时间") {
        Some(Column::Deadline)
    } else if is(&CATEGORY) {
        Some(Column::Category)
    } else if is(&TEXT) || ["措施", "任务", "举措", "事项", "内容"].iter().any(|e| l.ends_with(e)) {
        Some(Column::Text)
    } else {
        None
    }
}

/// The roles of a header row's labels, or `None` when the row is not a list's header: it must
/// name the task text and at least one unit column.
pub fn assign(labels: &[String]) -> Option<Vec<Column>> {
    let mut roles: Vec<Option<Column>> = labels.iter().map(|l| role_of(l)).collect();
    if !roles.contains(&Some(Column::Text)) {
        // "序号|重点任务|牵头单位|责任单位": the category label holds the text.
        let first_category = roles.iter().position(|r| *r == Some(Column::Category))?;
        if let Some(r) = roles.get_mut(first_category) {
            *r = Some(Column::Text);
        }
    }
    // One column per role except Other; a second text column is another column.
    let mut seen = Vec::new();
    for r in roles.iter_mut() {
        if let Some(role) = *r {
            if role != Column::Support && seen.contains(&role) {
                *r = Some(Column::Other);
            }
            seen.push(role);
        }
    }
    let has_units = seen.iter().any(|r| matches!(r, Column::Lead | Column::Support));
    let named = labels.iter().filter(|l| !l.trim().is_empty()).count();
    (seen.contains(&Column::Text) && has_units && named >= 2)
        .then(|| roles.into_iter().map(|r| r.unwrap_or(Column::Other)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use Column::*;

    fn roles(labels: &[&str]) -> Option<Vec<Column>> {
        assign(&labels.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>())
    }

    #[test]
    fn the_column_sets_seen_on_government_sites_are_recognised() {
        assert_eq!(
            roles(&["序号", "重点任务", "改革措施", "牵头单位", "责任单位"]),
            Some(vec![Number, Category, Text, Lead, Support])
        );
        assert_eq!(roles(&["类别", "任务内容", "牵头领导", "责任单位"]), Some(vec![Category, Text, Other, Support]));
        assert_eq!(
            roles(&["序号", "工作任务", "牵头领导", "牵头单位", "配合单位"]),
            Some(vec![Number, Text, Other, Lead, Support])
        );
        assert_eq!(
            roles(&["序号", "重点任务", "牵头单位", "配合单位", "完成时限"]),
            Some(vec![Number, Text, Lead, Support, Deadline])
        );
        assert_eq!(
            roles(&["序 号", "主要内容", "牵头部门（单位）", "责任单位", "备注"]),
            Some(vec![Number, Text, Lead, Support, Other])
        );
    }

    #[test]
    fn a_row_of_data_is_not_a_header() {
        assert_eq!(roles(&["1", "推行企业开办全程网办", "市市场监管局", "市税务局"]), None);
        assert_eq!(roles(&["河北省2024年优化营商环境责任清单"]), None);
    }
}
