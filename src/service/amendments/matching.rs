//! Which task of an amended text is which task of the list in force, and what changed.
//!
//! The rule, in order (each step takes only tasks no earlier step took):
//! 1. the same text under the same number;
//! 2. the same text under another number (RENUMBERED);
//! 3. a rewording within its category (by number or by name): the text shares at least [`REWORDING_THRESHOLD`] of its
//!    character pairs (Dice's coefficient over character bigrams, punctuation and spaces left
//!    out) with a task of the same category number; the most similar pairs are matched first.
//!
//! A task of the list in force that nothing matches is REMOVED; a task of the text that matches
//! nothing is ADDED. A matched pair is REWORDED, RENUMBERED, REASSIGNED and/or RESCHEDULED as its
//! text, number (or category), departments and deadline differ.

use std::collections::{HashMap, HashSet};

use entity::ChangeKind;

use super::state::TaskState;

/// The least share of character pairs a rewording keeps (0.6: a sentence changed in a clause
/// or two; a different task of the same category shares about 0.2).
pub const REWORDING_THRESHOLD: f64 = 0.6;

/// How a task of the text was matched.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum MatchedBy {
    SameText,
    SameTextRenumbered,
    /// A rewording, with its similarity (0..=1).
    Reworded(f64),
}

/// One task of the text matched to one in force (indexes into the two lists).
#[derive(Debug, Clone, PartialEq)]
pub struct Matched {
    pub old: usize,
    pub new: usize,
    pub by: MatchedBy,
}

/// The pairing of the two lists.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Pairing {
    pub matched: Vec<Matched>,
    /// Tasks in force nothing matched.
    pub removed: Vec<usize>,
    /// Tasks of the text that match nothing.
    pub added: Vec<usize>,
}

/// Pairs the tasks in force (`old`) with those of the amended text (`new`); departments are
/// compared by `same_department` (a former name is the department it was renamed to).
pub fn pair(old: &[TaskState], new: &[TaskState]) -> Pairing {
    let mut taken_old = HashSet::new();
    let mut taken_new = HashSet::new();
    let mut matched = Vec::new();
    let mut by_text: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, t) in old.iter().enumerate() {
        by_text.entry(normal(&t.content)).or_default().push(i);
    }
    // 1 and 2: the same text, under the same number first.
    for renumbered in [false, true] {
        for (j, t) in new.iter().enumerate() {
            if taken_new.contains(&j) {
                continue;
            }
            let found = by_text
                .get(normal(&t.content))
                .into_iter()
                .flatten()
                .copied()
                .find(|i| !taken_old.contains(i) && (renumbered || old[*i].number == t.number));
            if let Some(i) = found {
                taken_old.insert(i);
                taken_new.insert(j);
                let by = if old[i].number == t.number { MatchedBy::SameText } else { MatchedBy::SameTextRenumbered };
                matched.push(Matched { old: i, new: j, by });
            }
        }
    }
    // 3: rewordings within a category, the most similar first.
    let mut candidates: Vec<(f64, i32, usize, usize)> = Vec::new();
    let grams_old: Vec<Option<HashMap<(char, char), u32>>> =
        old.iter().enumerate().map(|(i, t)| (!taken_old.contains(&i)).then(|| bigrams(&t.content))).collect();
    for (j, t) in new.iter().enumerate() {
        if taken_new.contains(&j) {
            continue;
        }
        let mine = bigrams(&t.content);
        for (i, o) in old.iter().enumerate() {
            let Some(theirs) = &grams_old[i] else { continue };
            if !same_category(o, t) {
                continue;
            }
            let score = dice(&mine, theirs);
            if score >= REWORDING_THRESHOLD {
                candidates.push((score, (o.number - t.number).abs(), i, j));
            }
        }
    }
    candidates.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)).then(a.3.cmp(&b.3)));
    for (score, _, i, j) in candidates {
        if taken_old.contains(&i) || taken_new.contains(&j) {
            continue;
        }
        taken_old.insert(i);
        taken_new.insert(j);
        matched.push(Matched { old: i, new: j, by: MatchedBy::Reworded(score) });
    }
    matched.sort_by_key(|m| m.new);
    Pairing {
        matched,
        removed: (0..old.len()).filter(|i| !taken_old.contains(i)).collect(),
        added: (0..new.len()).filter(|j| !taken_new.contains(j)).collect(),
    }
}

/// The same category: the same number, or the same (known) name.
fn same_category(a: &TaskState, b: &TaskState) -> bool {
    a.category_number == b.category_number || (!a.category_name.is_empty() && a.category_name == b.category_name)
}

/// What differs between a task in force and its match, in the order changes are recorded.
/// Departments are compared by `same`, which knows former names.
pub fn differences(before: &TaskState, after: &TaskState, same: impl Fn(&str, &str) -> bool) -> Vec<ChangeKind> {
    let same_list = |a: &[String], b: &[String]| a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same(x, y));
    let mut kinds = Vec::new();
    if normal(&before.content) != normal(&after.content) {
        kinds.push(ChangeKind::Reworded);
    }
    if before.number != after.number || before.category_number != after.category_number {
        kinds.push(ChangeKind::Renumbered);
    }
    if !same_list(&before.leads, &after.leads) || !same_list(&before.responsible, &after.responsible) {
        kinds.push(ChangeKind::Reassigned);
    }
    if before.deadline.as_deref().map(str::trim) != after.deadline.as_deref().map(str::trim) {
        kinds.push(ChangeKind::Rescheduled);
    }
    kinds
}

/// The text with surrounding space trimmed.
fn normal(text: &str) -> &str {
    text.trim()
}

/// Character pairs of the text's letters and digits (punctuation and spaces left out), counted.
fn bigrams(text: &str) -> HashMap<(char, char), u32> {
    let chars: Vec<char> = text.chars().filter(|c| c.is_alphanumeric()).collect();
    let mut out = HashMap::new();
    for w in chars.windows(2) {
        *out.entry((w[0], w[1])).or_insert(0) += 1;
    }
    out
}

/// Dice's coefficient of two bigram multisets: 2·|A∩B| / (|A|+|B|).
fn dice(a: &HashMap<(char, char), u32>, b: &HashMap<(char, char), u32>) -> f64 {
    let total: u32 = a.values().sum::<u32>() + b.values().sum::<u32>();
    if total == 0 {
        return 0.0;
    }
    let shared: u32 = a.iter().map(|(k, n)| (*n).min(b.get(k).copied().unwrap_or(0))).sum();
    f64::from(2 * shared) / f64::from(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(number: i32, category: i32, content: &str, leads: &[&str]) -> TaskState {
        TaskState {
            number,
            category_number: category,
            category_name: format!("类别{category}"),
            content: content.into(),
            leads: leads.iter().map(|s| (*s).to_owned()).collect(),
            responsible: Vec::new(),
            deadline: None,
        }
    }

    const A: &str = "深化“一网通办”改革，推动高频政务服务事项实现全程网办，网办率达到90%以上。";
    const A2: &str = "深化“一网通办”改革，推动高频政务服务事项实现全程网上办理，网办率达到95%以上。";
    const B: &str = "优化企业开办流程，将企业开办时间压缩至1个工作日以内。";
    const C: &str = "建立健全涉企收费目录清单制度，严禁违规收费。";
    const D: &str = "推进工程建设项目审批制度改革，审批时限压减至40个工作日。";

    #[test]
    fn same_text_same_number_is_kept_without_change() {
        let old = [t(1, 1, A, &["市政务服务办"]), t(2, 1, B, &["市市场监管委"])];
        let p = pair(&old, &old);
        assert_eq!(p.matched.len(), 2);
        assert!(p.matched.iter().all(|m| m.by == MatchedBy::SameText));
        assert!(p.removed.is_empty() && p.added.is_empty());
        assert!(differences(&old[0], &old[0], |a, b| a == b).is_empty());
    }

    #[test]
    fn every_kind_of_change_is_found() {
        let old = [t(1, 1, A, &["市政务服务办"]), t(2, 1, B, &["市市场监管委"]), t(3, 2, C, &["市发展改革委"])];
        let mut moved = t(3, 1, B, &["市市场监管委", "市政务服务办"]);
        moved.deadline = Some("2023年6月底前".into());
        // A reworded and renumbered at once; B renumbered, reassigned and rescheduled; C removed;
        // D added.
        let new = [moved, t(2, 1, A2, &["市政务服务办"]), t(1, 2, D, &["市住房城乡建设委"])];
        let p = pair(&old, &new);
        assert_eq!(p.removed, vec![2]);
        assert_eq!(p.added, vec![2]);
        let a = p.matched.iter().find(|m| m.old == 0).expect("A matched");
        assert_eq!(a.new, 1);
        assert!(matches!(a.by, MatchedBy::Reworded(s) if (REWORDING_THRESHOLD..1.0).contains(&s)), "{a:?}");
        assert_eq!(differences(&old[0], &new[1], |a, b| a == b), vec![ChangeKind::Reworded, ChangeKind::Renumbered]);
        let b = p.matched.iter().find(|m| m.old == 1).expect("B matched");
        assert_eq!((b.new, b.by), (0, MatchedBy::SameTextRenumbered));
        assert_eq!(
            differences(&old[1], &new[0], |a, b| a == b),
            vec![ChangeKind::Renumbered, ChangeKind::Reassigned, ChangeKind::Rescheduled]
        );
    }

    #[test]
    fn a_rewording_is_matched_within_its_category_only() {
        let old = [t(1, 1, A, &["甲"])];
        let new = [t(1, 2, A2, &["甲"])];
        let p = pair(&old, &new);
        assert!(p.matched.is_empty());
        assert_eq!((p.removed, p.added), (vec![0], vec![0]));
    }

    #[test]
    fn a_rewording_is_found_in_its_category_renumbered_by_one_inserted_before() {
        let old = [t(1, 1, A, &["甲"])];
        let mut moved = t(2, 2, A2, &["甲"]);
        moved.category_name = old[0].category_name.clone();
        let p = pair(&old, &[moved.clone()]);
        assert_eq!(p.matched.len(), 1, "{p:?}");
        assert_eq!(differences(&old[0], &moved, |a, b| a == b), vec![ChangeKind::Reworded, ChangeKind::Renumbered]);
    }

    #[test]
    fn a_different_task_of_the_category_is_not_a_rewording() {
        assert!(dice(&bigrams(B), &bigrams(C)) < REWORDING_THRESHOLD);
        assert!(dice(&bigrams(A), &bigrams(A2)) >= REWORDING_THRESHOLD);
        let p = pair(&[t(1, 1, B, &["甲"])], &[t(1, 1, C, &["甲"])]);
        assert!(p.matched.is_empty());
    }

    #[test]
    fn a_former_name_is_the_same_department() {
        let before = t(1, 1, A, &["市工商局"]);
        let after = t(1, 1, A, &["市市场监管委"]);
        assert!(differences(&before, &after, |a, b| a == b || (a == "市工商局" && b == "市市场监管委")).is_empty());
    }
}
