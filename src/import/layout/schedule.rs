//! `--schedule 04-10,07-10,10-10,01-10`: the report deadlines of the four quarters as month-day,
//! for lists whose notice names none. A date before the quarter's end falls in the next year
//! (the fourth quarter's report is due in January).

use std::str::FromStr;

use chrono::{Datelike, NaiveDate};

use crate::import::model::ParsedDeadline;

const LABELS: [&str; 4] = ["一季度", "二季度", "三季度", "四季度"];

/// Four month-days, one per quarter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule(pub [(u32, u32); 4]);

impl FromStr for Schedule {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let parts: Vec<&str> = s.split(',').map(str::trim).collect();
        let [a, b, c, d] = parts.as_slice() else {
            return Err(format!("expected four month-days like 04-10,07-10,10-10,01-10, got “{s}”"));
        };
        let md = |p: &str| -> Result<(u32, u32), String> {
            let (m, d) = p.split_once('-').ok_or_else(|| format!("“{p}” is not MM-DD"))?;
            let (m, d) = (
                m.parse().map_err(|_| format!("“{p}” is not MM-DD"))?,
                d.parse().map_err(|_| format!("“{p}” is not MM-DD"))?,
            );
            // 2024 is a leap year: any real month-day is valid in it.
            NaiveDate::from_ymd_opt(2024, m, d).ok_or_else(|| format!("“{p}” is not a day of the year"))?;
            Ok((m, d))
        };
        Ok(Self([md(a)?, md(b)?, md(c)?, md(d)?]))
    }
}

impl Schedule {
    /// The deadlines of a list of `year`.
    pub fn deadlines(&self, year: i32) -> Vec<ParsedDeadline> {
        self.0
            .iter()
            .zip(1u8..)
            .filter_map(|(&(m, d), q)| {
                let quarter_end = NaiveDate::from_ymd_opt(year, u32::from(q) * 3, 1)?;
                let in_year = NaiveDate::from_ymd_opt(year, m, d).or_else(|| NaiveDate::from_ymd_opt(year, m, 28))?;
                let due_on = if in_year.month() < quarter_end.month() {
                    NaiveDate::from_ymd_opt(year + 1, m, d).or_else(|| NaiveDate::from_ymd_opt(year + 1, m, 28))?
                } else {
                    in_year
                };
                let label = LABELS.get(usize::from(q - 1)).copied().unwrap_or_default().to_owned();
                Some(ParsedDeadline { quarter: q, label, due_on })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_schedule_falls_after_each_quarter() {
        let s: Schedule = "04-10,07-10,10-10,01-10".parse().expect("valid");
        let due: Vec<String> = s.deadlines(2024).iter().map(|d| d.due_on.to_string()).collect();
        assert_eq!(due, ["2024-04-10", "2024-07-10", "2024-10-10", "2025-01-10"]);
        assert!("04-10,07-10".parse::<Schedule>().is_err());
        assert!("13-10,07-10,10-10,01-10".parse::<Schedule>().is_err());
    }
}
