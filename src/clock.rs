//! The clock: system time, or a fixed instant for tests of deadlines.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Asia::Shanghai;

/// Where "now" comes from.
#[derive(Clone, Default)]
pub struct Clock(Source);

#[derive(Clone, Default)]
enum Source {
    #[default]
    System,
    /// Stopped at an instant (tests), movable with [`Clock::set`].
    Fixed(Arc<Mutex<DateTime<Utc>>>),
    /// The system clock moved by a constant (a rehearsal on a past list: `serve --clock-start`).
    Shifted(chrono::Duration),
}

impl Clock {
    /// A clock stopped at `at`, movable with [`Clock::set`].
    pub fn fixed(at: DateTime<Utc>) -> Self {
        Self(Source::Fixed(Arc::new(Mutex::new(at))))
    }

    /// A running clock that reads `start` now.
    pub fn starting_at(start: DateTime<Utc>) -> Self {
        Self(Source::Shifted(start - Utc::now()))
    }

    /// A running clock `by` ahead of the system's (behind, when negative).
    pub fn shifted(by: chrono::Duration) -> Self {
        Self(Source::Shifted(by))
    }

    /// How far a rehearsal's clock is from the system's (none for the system's or a fixed clock).
    pub fn shift(&self) -> Option<chrono::Duration> {
        match &self.0 {
            Source::Shifted(by) => Some(*by),
            _ => None,
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        match &self.0 {
            Source::Fixed(t) => t.lock().map(|t| *t).unwrap_or_else(|e| *e.into_inner()),
            Source::Shifted(by) => Utc::now() + *by,
            Source::System => Utc::now(),
        }
    }

    /// Moves a fixed clock; no effect on the others.
    pub fn set(&self, at: DateTime<Utc>) {
        if let Source::Fixed(t) = &self.0 {
            match t.lock() {
                Ok(mut g) => *g = at,
                Err(e) => *e.into_inner() = at,
            }
        }
    }

    /// Today in Asia/Shanghai.
    pub fn today(&self) -> NaiveDate {
        self.now().with_timezone(&Shanghai).date_naive()
    }
}

/// The first instant after `day` ends in Asia/Shanghai: deadlines are the end of their day.
pub fn end_of_day(day: NaiveDate) -> DateTime<Utc> {
    let next = day.succ_opt().unwrap_or(day).and_hms_opt(0, 0, 0).unwrap_or_default();
    // Shanghai has had no DST since 1991: the local midnight is never ambiguous.
    Shanghai
        .from_local_datetime(&next)
        .earliest()
        .map_or_else(|| Utc.from_utc_datetime(&next), |t| t.with_timezone(&Utc))
}

/// The last instant of `day` in Asia/Shanghai (a microsecond, the databases' precision, before
/// [`end_of_day`]): what "as of this day" means.
pub fn last_instant_of(day: NaiveDate) -> DateTime<Utc> {
    end_of_day(day) - chrono::Duration::microseconds(1)
}

/// The day of `at` in Asia/Shanghai.
pub fn shanghai_day(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&Shanghai).date_naive()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deadline_ends_at_midnight_shanghai() {
        let d = NaiveDate::from_ymd_opt(2023, 4, 10).unwrap_or_default();
        assert_eq!(end_of_day(d).to_rfc3339(), "2023-04-10T16:00:00+00:00");
    }
}
