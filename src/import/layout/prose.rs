//! Prose lists (SPEC §11): numbered items under headings (一、/（一）/第一部分), each with its
//! units in brackets after it: "1. 任务内容。（牵头单位：A；责任单位：B、C；完成时限：2024年6月底
//! 前）", or 〔…〕【…】, or "（A牵头，B配合）". Items without a bracket share the next one (several
//! sub-items under one trailing bracket); a bracket saying 下同 holds for the items after it
//! until another bracket.

use super::units::{Role, Units, has_marker, read_units};
use super::{Laid, LayoutError, Options, category_name, deadline, document, meta, strip_section};
use crate::import::model::{ParsedCategory, ParsedTask};
use crate::import::source::{Block, Place, Source};

/// The units and deadline a bracket gives.
#[derive(Debug, Clone, Default)]
struct Bracket {
    units: Units,
    deadline: Option<String>,
    same_below: bool,
}

struct Item {
    place: Place,
    category: i32,
    content: String,
    /// Sub-items ("（1）") that made this item a heading are not tasks.
    level: u8,
    bracket: Option<Bracket>,
}

/// "1." "1、" "1．" → level 1; "（1）" "(1)" "1）" → level 2: the text after the ordinal.
fn item_start(line: &str) -> Option<(u8, &str)> {
    let t = line.trim();
    if let Some(rest) = t.strip_prefix(['（', '(']) {
        let close = rest.find(['）', ')'])?;
        let n = rest.get(..close)?;
        if !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()) {
            return Some((2, rest.get(close..)?.strip_prefix(['）', ')'])?.trim()));
        }
        return None;
    }
    let digits = t.trim_start_matches(|c: char| c.is_ascii_digit());
    if digits.len() == t.len() || t.len() - digits.len() > 3 {
        return None;
    }
    if let Some(rest) = digits.strip_prefix(['.', '．', '、']) {
        // "2024.6" or "1.5倍" is not an ordinal.
        if rest.starts_with(|c: char| c.is_ascii_digit()) {
            return None;
        }
        return Some((1, rest.trim()));
    }
    digits.strip_prefix(['）', ')']).map(|rest| (2, rest.trim()))
}

/// The trailing bracket of an item, if it names units or a deadline: (text before, bracket).
fn trailing_bracket(text: &str) -> Option<(&str, Bracket)> {
    let t = text.trim_end().trim_end_matches(['。', '；', ';']);
    let (close, opens) = match t.chars().last()? {
        '）' => ('）', &['（'][..]),
        ')' => (')', &['('][..]),
        '〕' => ('〕', &['〔'][..]),
        '】' => ('】', &['【'][..]),
        ']' => (']', &['['][..]),
        _ => return None,
    };
    // The matching opening bracket, counting nested pairs.
    let body = t.strip_suffix(close)?;
    let mut depth = 0usize;
    let mut open_at = None;
    for (i, c) in body.char_indices().rev() {
        if c == close {
            depth += 1;
        } else if opens.contains(&c) {
            if depth == 0 {
                open_at = Some(i);
                break;
            }
            depth -= 1;
        }
    }
    let open_at = open_at?;
    let inner = body.get(open_at..)?.chars().skip(1).collect::<String>();
    let before = body.get(..open_at)?;
    let mut bracket = Bracket::default();
    let mut any = false;
    for part in inner.split(['；', ';']) {
        let mut part = part.trim().to_owned();
        if part.contains("下同") {
            bracket.same_below = true;
            part = part.replace("，下同", "").replace(",下同", "").replace("下同", "");
        }
        let part = part.trim().trim_end_matches(['，', '。']).to_owned();
        if let Some(d) = ["完成时限", "完成时间", "时间节点", "时限"]
            .iter()
            .find_map(|l| part.strip_prefix(l).and_then(|r| r.strip_prefix(['：', ':'])))
        {
            bracket.deadline = Some(d.trim().to_owned());
            any = true;
        } else if has_marker(&part) {
            bracket.units.extend(read_units(&part, Role::Lead, false));
            any = true;
        } else if deadline::last_day(&part, 2000).is_some() && part.ends_with('前') {
            bracket.deadline = Some(part);
            any = true;
        }
    }
    any.then_some((before, bracket))
}

/// A line holding several items (a PDF or a web page that ran them together): cut after each
/// units bracket that the next item's ordinal or a heading follows.
fn split_items(line: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in line.char_indices() {
        if !matches!(c, '）' | ')' | '〕' | '】' | ']') {
            continue;
        }
        let end = i + c.len_utf8();
        let (Some(before), Some(after)) = (line.get(start..end), line.get(end..)) else { continue };
        let after = after.trim_start_matches(['。', '；', ';']).trim_start();
        if !after.is_empty()
            && (item_start(after).is_some() || strip_section(after).is_some())
            && trailing_bracket(before).is_some()
        {
            out.push(before);
            start = line.len() - after.len();
        }
    }
    out.push(line.get(start..).unwrap_or_default());
    out.into_iter().map(str::trim).filter(|l| !l.is_empty()).collect()
}

/// Lays out a document without a list table as a prose list.
pub fn lay_out_prose(source: &Source, opts: &Options) -> Result<Laid, LayoutError> {
    let mut lines: Vec<(String, Place)> = Vec::new();
    for block in &source.blocks {
        if let Block::Paragraph(p) = block {
            for l in p.text.lines().filter(|l| !l.trim().is_empty()) {
                for item in split_items(l.trim()) {
                    lines.push((item.to_owned(), p.place.clone()));
                }
            }
        }
    }
    let mut front: Vec<String> = Vec::new();
    let mut back: Vec<String> = Vec::new();
    let mut categories: Vec<ParsedCategory> = Vec::new();
    let mut items: Vec<Item> = Vec::new();
    for (line, place) in &lines {
        let started = !items.is_empty() || !categories.is_empty();
        if let Some((level, rest)) = item_start(line) {
            if categories.is_empty() {
                categories.push(ParsedCategory { number: 1, name: String::new() });
            }
            let (content, bracket) = match trailing_bracket(rest) {
                Some((before, b)) => (before.trim().to_owned(), Some(b)),
                None => (rest.to_owned(), None),
            };
            let category = i32::try_from(categories.len()).unwrap_or(i32::MAX);
            items.push(Item { place: place.clone(), category, content, level, bracket });
        } else if let (Some(name), false) = (strip_section(line), trailing_bracket(line).is_some()) {
            if name.chars().count() <= 40 {
                let number = i32::try_from(categories.len() + 1).unwrap_or(i32::MAX);
                categories.push(ParsedCategory { number, name: category_name(line) });
            } else if started {
                back.push(line.clone());
            } else {
                front.push(line.clone());
            }
        } else if let Some(last) = items.last_mut().filter(|i| i.bracket.is_none()) {
            // A line that goes on with the item above (a wrapped paragraph), maybe with its bracket.
            let whole = format!("{}{}", last.content, line);
            match trailing_bracket(&whole) {
                Some((before, b)) => {
                    last.content = before.trim().to_owned();
                    last.bracket = Some(b);
                }
                None if line.chars().count() > 60 || !line.ends_with(['。', '；']) => last.content = whole,
                None => back.push(line.clone()),
            }
        } else if started {
            back.push(line.clone());
        } else {
            front.push(line.clone());
        }
    }
    let place = lines.first().map(|l| l.1.clone()).unwrap_or_default();
    if items.is_empty() {
        return Err(LayoutError::new(
            place,
            None,
            "no list found: expected a table whose header names the task text (工作任务, 主要内容 …) and the units \
             (牵头单位, 责任单位 …), or numbered items with their units in brackets (“1. …（牵头单位：…）”)",
        ));
    }
    let meta = meta::read_meta(&front, &back, &place, opts)?;
    resolve(items, categories, meta)
}

/// Brackets to items (shared, 下同), headings with sub-items out, numbers in document order.
fn resolve(items: Vec<Item>, mut categories: Vec<ParsedCategory>, meta: meta::Meta) -> Result<Laid, LayoutError> {
    let mut warnings = Vec::new();
    // An item without a bracket followed by deeper items is their heading, not a task.
    let heads: Vec<bool> = items
        .iter()
        .enumerate()
        .map(|(i, it)| it.bracket.is_none() && items.get(i + 1).is_some_and(|next| next.level > it.level))
        .collect();
    let mut assigned: Vec<Option<Bracket>> = vec![None; items.len()];
    let mut pending: Vec<usize> = Vec::new();
    let mut carried: Option<Bracket> = None;
    for (i, item) in items.iter().enumerate() {
        if heads.get(i).copied().unwrap_or(false) {
            continue;
        }
        match &item.bracket {
            Some(b) => {
                for p in pending.drain(..) {
                    if let Some(slot) = assigned.get_mut(p) {
                        *slot = Some(b.clone());
                    }
                }
                carried = b.same_below.then(|| b.clone());
                if let Some(slot) = assigned.get_mut(i) {
                    *slot = Some(b.clone());
                }
            }
            None => match &carried {
                Some(b) => {
                    if let Some(slot) = assigned.get_mut(i) {
                        *slot = Some(b.clone());
                    }
                }
                None => pending.push(i),
            },
        }
    }
    for p in &pending {
        if let Some(item) = items.get(*p) {
            warnings.push(format!("{}: item “{}” names no units", item.place, preview(&item.content)));
        }
    }
    for c in categories.iter_mut().filter(|c| c.name.is_empty()) {
        c.name = meta.title.clone();
    }
    let mut tasks = Vec::new();
    for (i, item) in items.into_iter().enumerate() {
        if heads.get(i).copied().unwrap_or(false) {
            continue;
        }
        let bracket = assigned.get(i).cloned().flatten().unwrap_or_default();
        tasks.push(ParsedTask {
            number: i32::try_from(tasks.len() + 1).unwrap_or(i32::MAX),
            category_number: item.category,
            content: item.content,
            leads: bracket.units.leads,
            responsible: bracket.units.support,
            line: item.place.row,
            deadline: bracket.deadline.as_deref().and_then(|d| deadline::deadline(d, meta.year)),
            columns: Vec::new(),
        });
    }
    Ok(document(meta, categories, tasks, warnings))
}

fn preview(text: &str) -> String {
    crate::import::parse::notice::preview(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_run_together_are_cut_after_their_brackets() {
        let line = "1. 任务甲。（牵头单位：省商务厅）2. 任务乙（含线上）。（省税务局牵头）二、强化保障";
        assert_eq!(
            split_items(line),
            ["1. 任务甲。（牵头单位：省商务厅）", "2. 任务乙（含线上）。（省税务局牵头）", "二、强化保障"]
        );
    }

    #[test]
    fn a_bracket_gives_units_and_deadline() {
        let (before, b) = trailing_bracket(
            "推行企业开办全程网办。（牵头单位：市市场监管局；责任单位：市税务局、市公安局；完成时限：2024年6月底前）",
        )
        .expect("a bracket");
        assert_eq!(before, "推行企业开办全程网办。");
        assert_eq!(b.units.leads, vec!["市市场监管局"]);
        assert_eq!(b.units.support, vec!["市税务局", "市公安局"]);
        assert_eq!(b.deadline.as_deref(), Some("2024年6月底前"));
        let (_, b) = trailing_bracket("优化服务〔市发展改革委牵头，市商务局配合〕").expect("a bracket");
        assert_eq!((b.units.leads, b.units.support), (vec!["市发展改革委".to_owned()], vec!["市商务局".to_owned()]));
        assert!(trailing_bracket("提升服务水平（含线上线下）").is_none());
    }
}
