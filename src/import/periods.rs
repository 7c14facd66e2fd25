//! Reporting periods of a document: the notice's schedule, or the standard four quarters.

use chrono::{Datelike, NaiveDate};

use super::model::ParsedDocument;

/// A period ready to be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeriodRow {
    pub year: i32,
    pub quarter: i32,
    pub label: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub due_on: NaiveDate,
}

const DEFAULT_LABELS: [&str; 4] = ["一季度", "二季度", "三季度", "四季度"];

/// The periods of `doc`: one per quarter of its year, due on the notice's dates where it names
/// them and otherwise on the 10th of the month after the quarter.
pub fn periods_of(doc: &ParsedDocument) -> Vec<PeriodRow> {
    (1..=4u8)
        .filter_map(|q| {
            let (starts_on, ends_on) = quarter_bounds(doc.year, q)?;
            let named = doc.schedule.iter().find(|d| d.quarter == q);
            let due_on = match named {
                Some(d) => d.due_on,
                None => ends_on.succ_opt()?.with_day(10)?,
            };
            let label = named.map_or(DEFAULT_LABELS[usize::from(q - 1)].to_owned(), |d| d.label.clone());
            Some(PeriodRow { year: doc.year, quarter: i32::from(q), label, starts_on, ends_on, due_on })
        })
        .collect()
}

fn quarter_bounds(year: i32, q: u8) -> Option<(NaiveDate, NaiveDate)> {
    let first_month = u32::from(q - 1) * 3 + 1;
    let start = NaiveDate::from_ymd_opt(year, first_month, 1)?;
    let next = if q == 4 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)?
    } else {
        NaiveDate::from_ymd_opt(year, first_month + 3, 1)?
    };
    Some((start, next.pred_opt()?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::model::ParsedDeadline;

    fn doc(schedule: Vec<ParsedDeadline>) -> ParsedDocument {
        ParsedDocument {
            region: "天津".into(),
            title: "t".into(),
            issuer: "i".into(),
            issued_on: NaiveDate::from_ymd_opt(2023, 1, 6).unwrap_or_default(),
            year: 2023,
            schedule,
            categories: vec![],
            tasks: vec![],
        }
    }

    #[test]
    fn a_notice_without_schedule_gets_the_standard_quarters() {
        let p = periods_of(&doc(vec![]));
        let due: Vec<String> = p.iter().map(|p| p.due_on.to_string()).collect();
        assert_eq!(due, ["2023-04-10", "2023-07-10", "2023-10-10", "2024-01-10"]);
        assert_eq!(p[3].starts_on.to_string(), "2023-10-01");
        assert_eq!(p[3].ends_on.to_string(), "2023-12-31");
        assert_eq!(p[0].label, "一季度");
    }

    #[test]
    fn the_notice_schedule_wins() {
        let d = NaiveDate::from_ymd_opt(2023, 4, 15).unwrap_or_default();
        let p = periods_of(&doc(vec![ParsedDeadline { quarter: 1, label: "一季度".into(), due_on: d }]));
        assert_eq!(p[0].due_on, d);
        assert_eq!(p[1].due_on.to_string(), "2023-07-10");
    }
}
