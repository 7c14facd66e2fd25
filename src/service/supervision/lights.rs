//! Warning lights (预警, SPEC §8): how far an obligation is from where the schedule says it
//! should be, judged at a moment.
//!
//! | light  | when (first rule that holds, in this order) |
//! | ------ | ------------------------------------------- |
//! | RED    | past the due day with no report, or its report returned and not resubmitted; or the report more than `red_points` behind schedule |
//! | YELLOW | the report `yellow_points` to `red_points` behind schedule, or its status AT_RISK or DELAYED |
//! | BLUE   | no report (or returned) and the due day within `due_soon_days` days (the due day itself included) |
//! | GREEN  | otherwise |
//!
//! Days are Asia/Shanghai days: the due day ends at its midnight. A COMPLETED report counts as
//! 100 %. The schedule (序时进度) of a period is the share of the document's year elapsed at the
//! period's end, from the periods' own dates.

use chrono::{DateTime, NaiveDate, Utc};
use entity::{ReportStatus, reporting_period};

use crate::clock::{end_of_day, shanghai_day};

/// A warning light, from best to worst.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Light {
    Green,
    Blue,
    Yellow,
    Red,
}

/// The thresholds of the lights (flags of `serve`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Thresholds {
    /// BLUE when not reported and due within this many days.
    pub due_soon_days: i64,
    /// YELLOW from this many points behind schedule.
    pub yellow_points: i32,
    /// RED beyond this many points behind schedule.
    pub red_points: i32,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self { due_soon_days: 3, yellow_points: 10, red_points: 30 }
    }
}

/// The report of an obligation as the light sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reported {
    pub progress_percent: i32,
    pub status: ReportStatus,
    /// Its latest revision was returned (and not resubmitted).
    pub returned: bool,
}

/// The light of an obligation due on `due_on` (the effective date, after extensions), with
/// `report` as seen at `as_of`, in a period whose schedule is `scheduled` percent.
pub fn light(
    t: &Thresholds,
    as_of: DateTime<Utc>,
    due_on: NaiveDate,
    scheduled: i32,
    report: Option<Reported>,
) -> Light {
    let overdue = as_of >= end_of_day(due_on);
    match report {
        Some(r) if !r.returned => {
            let progress = if r.status == ReportStatus::Completed { 100 } else { r.progress_percent };
            let behind = scheduled - progress;
            if behind > t.red_points {
                Light::Red
            } else if behind >= t.yellow_points || matches!(r.status, ReportStatus::AtRisk | ReportStatus::Delayed) {
                Light::Yellow
            } else {
                Light::Green
            }
        }
        // Nothing reported, or what was reported fell short.
        _ if overdue => Light::Red,
        _ if (due_on - shanghai_day(as_of)).num_days() <= t.due_soon_days => Light::Blue,
        _ => Light::Green,
    }
}

/// Scheduled progress (序时进度) at the end of `period`, in percent: the share of the year that
/// the document's periods span (first start to last end) elapsed when this one ends.
pub fn scheduled_progress(period: &reporting_period::Model, periods: &[&reporting_period::Model]) -> i32 {
    let start = periods.iter().map(|p| p.starts_on).min().unwrap_or(period.starts_on);
    let end = periods.iter().map(|p| p.ends_on).max().unwrap_or(period.ends_on);
    let span = (end - start).num_days() + 1;
    let elapsed = (period.ends_on - start).num_days() + 1;
    if span <= 0 {
        return 100;
    }
    ((elapsed.clamp(0, span) as f64 / span as f64) * 100.0).round() as i32
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use chrono_tz::Asia::Shanghai;

    use super::*;

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2023, m, d).unwrap_or_default()
    }

    /// An instant in Asia/Shanghai.
    fn at(m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Shanghai.with_ymd_and_hms(2023, m, d, h, min, 0).single().map(|t| t.with_timezone(&Utc)).unwrap_or_default()
    }

    fn reported(progress: i32, status: ReportStatus) -> Option<Reported> {
        Some(Reported { progress_percent: progress, status, returned: false })
    }

    #[test]
    fn every_rule_across_its_boundary() {
        use Light::*;
        use ReportStatus::*;
        let t = Thresholds::default();
        let due = day(4, 10);
        let returned = Some(Reported { progress_percent: 90, status: OnTrack, returned: true });
        // (case, as of, report, schedule, light)
        type Row = (&'static str, DateTime<Utc>, Option<Reported>, i32, Light);
        let table: Vec<Row> = vec![
            // BLUE: nothing reported and due within 3 days, the due day included.
            ("4 days before, 23:59", at(4, 6, 23, 59), None, 25, Green),
            ("3 days before, 00:00", at(4, 7, 0, 0), None, 25, Blue),
            ("due day, 23:59", at(4, 10, 23, 59), None, 25, Blue),
            // RED: overdue from midnight after the due day.
            ("day after, 00:00", at(4, 11, 0, 0), None, 25, Red),
            ("returned, due day 23:59", at(4, 10, 23, 59), returned, 25, Blue),
            ("returned, day after 00:00", at(4, 11, 0, 0), returned, 25, Red),
            ("returned, a week before", at(4, 3, 12, 0), returned, 25, Green),
            // Points behind schedule (25 at Q1): 9 green, 10 and 30 yellow, 31 red.
            ("9 behind", at(4, 11, 0, 0), reported(16, OnTrack), 25, Green),
            ("10 behind", at(4, 11, 0, 0), reported(15, OnTrack), 25, Yellow),
            ("30 behind", at(4, 1, 0, 0), reported(45, OnTrack), 75, Yellow),
            ("31 behind", at(4, 1, 0, 0), reported(44, OnTrack), 75, Red),
            ("ahead", at(4, 1, 0, 0), reported(90, OnTrack), 75, Green),
            // Status rules.
            ("at risk, on schedule", at(4, 1, 0, 0), reported(25, AtRisk), 25, Yellow),
            ("delayed, on schedule", at(4, 1, 0, 0), reported(25, Delayed), 25, Yellow),
            ("delayed and 31 behind", at(4, 1, 0, 0), reported(0, Delayed), 31, Red),
            ("completed at 0 %", at(4, 1, 0, 0), reported(0, Completed), 100, Green),
            // A report on time is judged on progress even after the due day.
            ("reported, day after", at(4, 11, 0, 0), reported(25, OnTrack), 25, Green),
        ];
        for (case, as_of, report, scheduled, want) in table {
            assert_eq!(light(&t, as_of, due, scheduled, report), want, "{case}");
        }
    }

    #[test]
    fn thresholds_are_settings() {
        let t = Thresholds { due_soon_days: 1, yellow_points: 5, red_points: 20 };
        let due = day(4, 10);
        assert_eq!(light(&t, at(4, 8, 23, 59), due, 25, None), Light::Green);
        assert_eq!(light(&t, at(4, 9, 0, 0), due, 25, None), Light::Blue);
        assert_eq!(light(&t, at(4, 1, 0, 0), due, 25, reported(20, ReportStatus::OnTrack)), Light::Yellow);
        assert_eq!(light(&t, at(4, 1, 0, 0), due, 25, reported(4, ReportStatus::OnTrack)), Light::Red);
    }

    #[test]
    fn the_schedule_comes_from_the_periods_own_dates() {
        let q = |n: i32, s: (u32, u32), e: (u32, u32)| reporting_period::Model {
            id: i64::from(n),
            document_id: 1,
            year: 2023,
            quarter: n,
            label: format!("Q{n}"),
            starts_on: day(s.0, s.1),
            ends_on: day(e.0, e.1),
            due_on: day(e.0, e.1),
        };
        let ps = [q(1, (1, 1), (3, 31)), q(2, (4, 1), (6, 30)), q(3, (7, 1), (9, 30)), q(4, (10, 1), (12, 31))];
        let all: Vec<&reporting_period::Model> = ps.iter().collect();
        let got: Vec<i32> = ps.iter().map(|p| scheduled_progress(p, &all)).collect();
        assert_eq!(got, vec![25, 50, 75, 100]);
    }
}
