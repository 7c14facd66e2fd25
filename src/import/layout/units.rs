//! Unit cells that name both roles (SPEC §11): "A、B牵头，C、D配合" gives leads A, B and
//! supporting units C, D; "牵头单位：A；责任单位：B"; "A（牵头）、B"; "A、B按职责分工负责" gives
//! supporting units and no lead. Names are split by §1's rules (`split_departments`: 、 and ，
//! outside quotes, "X等Y有关单位", "—").

use crate::import::parse::{looks_complete, split_departments};

/// Which role a cell's unmarked names take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Lead,
    Support,
}

/// Leads and supporting units of one cell, in source order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Units {
    pub leads: Vec<String>,
    pub support: Vec<String>,
}

impl Units {
    fn push(&mut self, role: Role, names: Vec<String>) {
        let list = match role {
            Role::Lead => &mut self.leads,
            Role::Support => &mut self.support,
        };
        for n in names {
            if !list.contains(&n) {
                list.push(n);
            }
        }
    }

    pub fn extend(&mut self, other: Units) {
        self.push(Role::Lead, other.leads);
        self.push(Role::Support, other.support);
    }

    pub fn is_empty(&self) -> bool {
        self.leads.is_empty() && self.support.is_empty()
    }
}

const LEAD_PREFIXES: [&str; 6] = ["牵头单位", "牵头部门", "牵头责任单位", "牵头", "主责单位", "主办单位"];
const SUPPORT_PREFIXES: [&str; 9] =
    ["责任单位", "责任部门", "配合单位", "配合部门", "协办单位", "参与单位", "协同单位", "协同责任单位", "配合"];
const LEAD_SUFFIXES: [&str; 3] = ["负责牵头", "牵头负责", "牵头"];
const SUPPORT_SUFFIXES: [&str; 11] = [
    "按职责分工负责",
    "按职责分工落实",
    "按职责负责",
    "分工负责",
    "分别负责",
    "共同负责",
    "配合",
    "参与",
    "协同",
    "协助",
    "负责",
];

/// Whether `text` says which role its units play (so a bracket after a prose item is units).
pub fn has_marker(text: &str) -> bool {
    LEAD_PREFIXES
        .iter()
        .chain(&SUPPORT_PREFIXES)
        .chain(&LEAD_SUFFIXES)
        .chain(&SUPPORT_SUFFIXES)
        .any(|m| text.contains(m))
}

/// A cell's lines as §1 reads them: a break after a complete name ("省发展改革委") separates
/// names, a break inside one ("省“双随机、一公开”监" / "管联席会议…") is a wrap and joins.
fn unwrap_lines(cell: &str) -> String {
    let mut out = String::with_capacity(cell.len());
    for line in cell.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let ends_clause = out.is_empty() || out.ends_with(['、', '，', ',', '；', ';', '。']);
        let last_name = out.rsplit(['、', '，', ',', '；', ';']).next().unwrap_or_default();
        if !ends_clause && (looks_complete(last_name) || marked(last_name).is_some()) {
            out.push('\n');
        }
        out.push_str(line);
    }
    out
}

/// Splits at top level (outside quotes and brackets) on the clause separators ，；; and line breaks.
fn clauses(cell: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (i, c) in cell.char_indices() {
        match c {
            '“' | '（' | '(' | '《' | '「' => depth += 1,
            '”' | '）' | ')' | '》' | '」' => depth = depth.saturating_sub(1),
            '，' | ',' | '；' | ';' | '\n' | '。' if depth == 0 => {
                out.push(cell.get(start..i).unwrap_or_default());
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    out.push(cell.get(start..).unwrap_or_default());
    out.into_iter().map(str::trim).filter(|c| !c.is_empty()).collect()
}

/// A clause's role and its names part, when it is marked.
fn marked(clause: &str) -> Option<(Role, &str)> {
    for (prefixes, role) in [(&LEAD_PREFIXES[..], Role::Lead), (&SUPPORT_PREFIXES[..], Role::Support)] {
        for p in prefixes {
            if let Some(rest) = clause.strip_prefix(p) {
                if let Some(rest) = rest.strip_prefix(['：', ':']) {
                    return Some((role, rest));
                }
            }
        }
    }
    let body = clause.strip_prefix('由').unwrap_or(clause);
    for (suffixes, role) in [(&LEAD_SUFFIXES[..], Role::Lead), (&SUPPORT_SUFFIXES[..], Role::Support)] {
        for s in suffixes {
            if let Some(rest) = body.strip_suffix(s) {
                if !rest.trim().is_empty() {
                    return Some((role, rest));
                }
            }
        }
    }
    None
}

/// Names of one clause: "A（牵头）" marks A as a lead whatever the clause's role.
fn names_of(text: &str, role: Role, units: &mut Units) {
    for name in split_departments(text) {
        match name.strip_suffix("（牵头）").or_else(|| name.strip_suffix("(牵头)")) {
            Some(lead) => units.push(Role::Lead, vec![lead.trim().to_owned()]),
            None => units.push(role, vec![name]),
        }
    }
}

/// Reads a unit cell whose unmarked names play `default`. With `first_leads`, the first name
/// of an unmarked cell leads ("列第一位的为牵头单位").
pub fn read_units(cell: &str, default: Role, first_leads: bool) -> Units {
    let mut units = Units::default();
    let cell = unwrap_lines(cell);
    let parts = clauses(&cell);
    if !parts.iter().any(|c| marked(c).is_some()) {
        for part in &parts {
            names_of(part, default, &mut units);
        }
        if first_leads && default == Role::Support && units.leads.is_empty() && !units.support.is_empty() {
            let first = units.support.remove(0);
            units.leads.push(first);
        }
        return units;
    }
    // Unmarked clauses take the role of the marked clause after them, else `default`.
    let mut pending: Vec<&str> = Vec::new();
    for part in parts {
        match marked(part) {
            Some((role, names)) => {
                for p in pending.drain(..) {
                    names_of(p, role, &mut units);
                }
                names_of(names, role, &mut units);
            }
            None => pending.push(part),
        }
    }
    for p in pending {
        names_of(p, default, &mut units);
    }
    units
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(cell: &str) -> (Vec<String>, Vec<String>) {
        let u = read_units(cell, Role::Support, false);
        (u.leads, u.support)
    }

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn one_cell_names_both_roles() {
        assert_eq!(
            read("市发展改革委、市商务局牵头，市财政局、市税务局配合"),
            (names(&["市发展改革委", "市商务局"]), names(&["市财政局", "市税务局"]))
        );
        assert_eq!(
            read("牵头单位：市发展改革委；责任单位：市财政局、各区人民政府"),
            (names(&["市发展改革委"]), names(&["市财政局", "各区人民政府"]))
        );
        assert_eq!(read("市市场监管局（牵头）、市税务局"), (names(&["市市场监管局"]), names(&["市税务局"])));
        assert_eq!(read("市发展改革委、市商务局按职责分工负责"), (vec![], names(&["市发展改革委", "市商务局"])));
        assert_eq!(
            read("由市公安局牵头，市大数据管理中心等市级有关单位配合"),
            (names(&["市公安局"]), names(&["市大数据管理中心", "市级有关单位"]))
        );
    }

    #[test]
    fn a_break_after_a_name_separates_and_a_break_inside_one_wraps() {
        assert_eq!(read("省发展改革委\n省商务厅"), (vec![], names(&["省发展改革委", "省商务厅"])));
        assert_eq!(
            read("省“双随机、一公开”监\n管联席会议有关成员单位"),
            (vec![], names(&["省“双随机、一公开”监管联席会议有关成员单位"]))
        );
    }

    #[test]
    fn an_unmarked_cell_plays_its_columns_role_and_quotes_hold() {
        assert_eq!(
            read("市“双随机、一公开”监管联席会议有关成员单位，市商务局"),
            (vec![], names(&["市“双随机、一公开”监管联席会议有关成员单位", "市商务局"]))
        );
        let u = read_units("市发展改革委、市商务局", Role::Support, true);
        assert_eq!((u.leads, u.support), (names(&["市发展改革委"]), names(&["市商务局"])));
        let u = read_units("市发展改革委、市商务局", Role::Lead, false);
        assert_eq!((u.leads, u.support), (names(&["市发展改革委", "市商务局"]), vec![]));
    }
}
