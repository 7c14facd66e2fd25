//! Department cells: splitting them into names, and telling a complete name from a piece
//! of one (which is how the parser knows whether a department cell goes on).

/// Separators between names in a department cell.
const SEPARATORS: [char; 3] = ['、', '，', ','];
/// Brackets inside which separators do not split (市“双随机、一公开”监管联席会议…).
const OPENING: &str = "“（《「『(";
const CLOSING: &str = "”）》」』)";

/// Endings of complete department names: 市市场监管委, 市政务服务办, 市公安局, 市大数据管理中心,
/// 市贸促会, 市工商联, 各区人民政府, 国网天津市电力公司, 天津港集团, 市高级人民法院,
/// 人民银行天津分行, 天津海关, 天津滨海国际机场, …领导小组, and kinds this list does not have
/// but others may (…厅, …署, …部, …所, …站, …队, …社, …馆, …区, …县, …镇, 大学, 党校, 市科协,
/// 有关部门, 金融机构, 有关企业).
const NAME_ENDINGS: [&str; 33] = [
    "委", "办", "局", "厅", "署", "部", "处", "室", "所", "站", "队", "社", "馆", "中心", "会", "联", "政府", "公司",
    "团", "院", "行", "海关", "机场", "组", "区", "县", "镇", "学", "校", "协", "部门", "机构", "企业",
];
/// The ending of collectives (市级有关单位, …领导小组有关成员单位), which may follow 等.
const COLLECTIVE_ENDING: &str = "单位";

/// Words that end a name but cannot be one on their own: a "name" like 分行 or 人民政府 is
/// the tail of a name broken across lines (人民银行天津 / 分行).
const BARE_TAILS: [&str; 9] =
    ["分行", "支行", "人民政府", "管理中心", "有关单位", "有关成员单位", "成员单位", "有限公司", "领导小组"];

/// Whether the cell is the "—" that means "no department".
pub(super) fn is_dash(cell: &str) -> bool {
    let t = cell.trim();
    !t.is_empty() && t.chars().all(|c| matches!(c, '—' | '―' | '–' | '-' | '－'))
}

/// Split a department cell (already joined) into names: on 、 and ， outside “…” quotes and
/// brackets; "X等Y有关单位" gives X and the collective Y; "—" gives no names. Names are
/// trimmed and kept exactly as written, in source order.
pub fn split_departments(cell: &str) -> Vec<String> {
    if is_dash(cell) {
        return Vec::new();
    }
    split_raw(cell)
        .into_iter()
        .map(str::trim)
        .filter(|name| !name.is_empty() && !is_dash(name))
        .flat_map(split_collective)
        .map(|name| name.trim().to_owned())
        .filter(|name| !name.is_empty())
        .collect()
}

/// Split on separators outside brackets, keeping empty pieces (a trailing 、 shows as a
/// final empty piece, which tells the caller the cell goes on).
pub(super) fn split_raw(cell: &str) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (i, c) in cell.char_indices() {
        if OPENING.contains(c) {
            depth += 1;
        } else if CLOSING.contains(c) {
            depth = depth.saturating_sub(1);
        } else if depth == 0 && SEPARATORS.contains(&c) {
            pieces.push(cell.get(start..i).unwrap_or_default());
            start = i + c.len_utf8();
        }
    }
    pieces.push(cell.get(start..).unwrap_or_default());
    pieces
}

/// "市大数据管理中心等市级有关单位" → ["市大数据管理中心", "市级有关单位"]. 等 only splits
/// when what follows is a collective (ends with 单位); other names containing 等 stay whole.
pub(super) fn split_collective(name: &str) -> Vec<&str> {
    let mut depth = 0usize;
    let mut first_plausible = None;
    for (i, c) in name.char_indices() {
        if OPENING.contains(c) {
            depth += 1;
        } else if CLOSING.contains(c) {
            depth = depth.saturating_sub(1);
        } else if depth == 0 && c == '等' {
            let (Some(before), Some(after)) = (name.get(..i), name.get(i + c.len_utf8()..)) else {
                continue;
            };
            if before.trim().is_empty() || !after.trim_end().ends_with(COLLECTIVE_ENDING) {
                continue;
            }
            if looks_complete(before) {
                return vec![before, after];
            }
            first_plausible.get_or_insert((before, after));
        }
    }
    match first_plausible {
        Some((before, after)) => vec![before, after],
        None => vec![name],
    }
}

/// Whether a name ends like a department (市住房城乡建设委: yes; 市住房城乡建: no). A trailing
/// parenthetical is looked through: 市政府办公厅（市政府研究室） ends with 厅.
pub fn looks_complete(name: &str) -> bool {
    let mut name = name.trim();
    let before_parenthetical = name
        .strip_suffix('）')
        .and_then(|inner| inner.rfind('（').and_then(|open| inner.get(..open)))
        .map(str::trim_end)
        .filter(|before| !before.is_empty());
    if let Some(before) = before_parenthetical {
        name = before;
    }
    name.ends_with(COLLECTIVE_ENDING) || NAME_ENDINGS.iter().any(|e| name.ends_with(e))
}

/// Whether a "name" can only be a piece of one: under three characters (院, 化局, 各区),
/// or a bare tail (分行, 人民政府, 有关成员单位, 中心). No department is called that.
pub(super) fn is_fragment(name: &str) -> bool {
    let name = name.trim();
    name.chars().count() < 3 || BARE_TAILS.contains(&name) || NAME_ENDINGS.contains(&name)
}

/// Whether a name starts like the continuation of another: with 等 or punctuation.
pub(super) fn starts_badly(name: &str) -> bool {
    let name = name.trim();
    name.starts_with('等') || name.chars().next().is_some_and(|c| CLOSING.contains(c) || "、，。；：".contains(c))
}

/// Whether every quote and bracket opened in a name is closed in it, in order.
pub fn balanced(name: &str) -> bool {
    let mut open = Vec::new();
    for c in name.chars() {
        if let Some(i) = OPENING.find(c) {
            open.push(i);
        } else if let Some(i) = CLOSING.find(c)
            && open.pop() != Some(i)
        {
            return false;
        }
    }
    open.is_empty()
}
