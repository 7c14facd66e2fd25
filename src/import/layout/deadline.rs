//! Deadlines (完成时限) as written, and the last day they allow (SPEC §11): "2024年6月底前" and
//! "2024年6月" → 2024-06-30; "2024年底前", "年底前" → 12-31 of the list's year; "2024年9月30日前"
//! → 2024-09-30; "上半年" → 06-30; quarters to their last day; where a cell names several
//! dates, the latest. Ongoing forms (持续推进, 长期坚持, 每季度 …) name no date.

use chrono::{Datelike, NaiveDate};

use crate::import::model::TaskDeadline;

/// The deadline of a cell; `None` for an empty cell or a dash.
pub fn deadline(text: &str, list_year: i32) -> Option<TaskDeadline> {
    let text = text.trim();
    if text.is_empty() || text.chars().all(|c| matches!(c, '—' | '-' | '－' | '/' | '无')) {
        return None;
    }
    Some(TaskDeadline { text: text.to_owned(), date: last_day(text, list_year) })
}

fn last_of_month(year: i32, month: u32) -> Option<NaiveDate> {
    let first_next =
        if month == 12 { NaiveDate::from_ymd_opt(year + 1, 1, 1) } else { NaiveDate::from_ymd_opt(year, month + 1, 1) };
    first_next.and_then(|d| d.pred_opt())
}

/// The latest day `text` allows, if it names one.
pub fn last_day(text: &str, list_year: i32) -> Option<NaiveDate> {
    let chars: Vec<char> = text.chars().filter(|c| !c.is_whitespace()).collect();
    let mut found: Vec<NaiveDate> = Vec::new();
    let mut year = list_year;
    let mut i = 0;
    let number_at = |i: usize| -> (Option<u32>, usize) {
        let mut j = i;
        let mut n: u32 = 0;
        while let Some(d) = chars.get(j).and_then(|c| c.to_digit(10)) {
            n = n.saturating_mul(10).saturating_add(d);
            j += 1;
        }
        ((j > i).then_some(n), j)
    };
    while i < chars.len() {
        let (n, next) = number_at(i);
        let at = |k: usize| chars.get(k).copied();
        match n {
            Some(y) if next - i == 4 && (1900..=2200).contains(&y) => {
                year = y as i32;
                // 2024年底 / 2024年末; 2024-06-30, 2024.6.30, 2024/6
                match (at(next), at(next + 1)) {
                    (Some('年'), Some('底' | '末')) => found.extend(NaiveDate::from_ymd_opt(year, 12, 31)),
                    (Some('年'), _) => {}
                    (Some('-' | '.' | '/' | '．'), _) => {
                        let (m, after_m) = number_at(next + 1);
                        let day = match at(after_m) {
                            Some('-' | '.' | '/' | '．') => number_at(after_m + 1).0,
                            _ => None,
                        };
                        if let Some(m) = m.filter(|m| (1..=12).contains(m)) {
                            let date = match day {
                                Some(d) => NaiveDate::from_ymd_opt(year, m, d),
                                None => last_of_month(year, m),
                            };
                            found.extend(date);
                        }
                    }
                    _ => {
                        if next - i == 4 && at(next).is_none() && i == 0 {
                            // A bare year: the whole year.
                            found.extend(NaiveDate::from_ymd_opt(year, 12, 31));
                        }
                    }
                }
                i = next;
            }
            Some(m) if at(next) == Some('月') && (1..=12).contains(&m) => {
                let (d, after_d) = number_at(next + 1);
                let date = match d {
                    Some(d) if at(after_d) == Some('日') || at(after_d) == Some('号') => {
                        NaiveDate::from_ymd_opt(year, m, d)
                    }
                    _ => match (at(next + 1), at(next + 2)) {
                        (Some('上'), Some('旬')) => NaiveDate::from_ymd_opt(year, m, 10),
                        (Some('中'), Some('旬')) => NaiveDate::from_ymd_opt(year, m, 20),
                        _ => last_of_month(year, m),
                    },
                };
                found.extend(date);
                i = next + 1;
            }
            Some(_) => i = next,
            None => {
                let rest: String = chars
                    .get(i..i + 4)
                    .map(|s| s.iter().collect())
                    .unwrap_or_else(|| chars.get(i..).map(|s| s.iter().collect()).unwrap_or_default());
                let day = |m: u32, d: u32| NaiveDate::from_ymd_opt(year, m, d);
                let matched = [
                    ("年底", day(12, 31)),
                    ("年末", day(12, 31)),
                    ("年内", day(12, 31)),
                    ("全年", day(12, 31)),
                    ("上半年", day(6, 30)),
                    ("下半年", day(12, 31)),
                    ("一季度", day(3, 31)),
                    ("二季度", day(6, 30)),
                    ("三季度", day(9, 30)),
                    ("四季度", day(12, 31)),
                ]
                .into_iter()
                .find(|(word, _)| rest.starts_with(word));
                match matched {
                    // 每季度 is a rhythm, not a deadline.
                    Some((w, _)) if w.ends_with("季度") && i > 0 && chars.get(i - 1) == Some(&'每') => i += 1,
                    Some((w, date)) => {
                        found.extend(date);
                        i += w.chars().count();
                    }
                    None => i += 1,
                }
            }
        }
    }
    found.into_iter().filter(|d| d.year() >= 1900).max()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, day)
    }

    #[test]
    fn the_forms_of_spec_11_give_their_last_day() {
        for (text, date) in [
            ("2024年6月底前", d(2024, 6, 30)),
            ("2024年6月", d(2024, 6, 30)),
            ("2024年2月底前", d(2024, 2, 29)),
            ("2024年底前", d(2024, 12, 31)),
            ("年底前", d(2023, 12, 31)),
            ("2024年9月30日前", d(2024, 9, 30)),
            ("上半年", d(2023, 6, 30)),
            ("2024年上半年", d(2024, 6, 30)),
            ("三季度", d(2023, 9, 30)),
            ("6月底前", d(2023, 6, 30)),
            ("2024年6月底前完成试点，12月底前全面推开", d(2024, 12, 31)),
            ("2024-06-30", d(2024, 6, 30)),
            ("2024.9", d(2024, 9, 30)),
            ("持续推进", None),
            ("长期坚持", None),
            ("每季度", None),
        ] {
            assert_eq!(last_day(text, 2023), date, "{text}");
        }
    }

    #[test]
    fn an_empty_or_dashed_cell_has_no_deadline() {
        assert_eq!(deadline("  ", 2024), None);
        assert_eq!(deadline("—", 2024), None);
        assert_eq!(deadline("持续推进", 2024), Some(TaskDeadline { text: "持续推进".into(), date: None }));
    }
}
