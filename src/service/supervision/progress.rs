//! Indicator progress: the values reported for a task's indicators, and how far the latest is
//! toward the target.

use chrono::{DateTime, Utc};
use entity::report;

use crate::service::reports::indicator_values;

/// A value reported for one indicator in one report.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportedValue {
    pub value: f64,
    pub period_id: i64,
    pub department_id: i64,
    pub report_id: i64,
    pub submitted_at: DateTime<Utc>,
}

/// The values reported for `indicator_id` in `reports` (a task's), oldest submission first.
pub fn values_of(indicator_id: i64, reports: &[std::sync::Arc<report::Model>]) -> Vec<ReportedValue> {
    let mut out: Vec<ReportedValue> = reports
        .iter()
        .flat_map(|r| {
            indicator_values(&r.indicator_values).into_iter().filter(|v| v.indicator_id == indicator_id).map(|v| {
                ReportedValue {
                    value: v.value,
                    period_id: r.period_id,
                    department_id: r.department_id,
                    report_id: r.id,
                    submitted_at: r.submitted_at,
                }
            })
        })
        .collect();
    out.sort_by_key(|v| (v.submitted_at, v.report_id));
    out
}

/// Percent of the target reached by `value`, 0-100, by comparator: AT_LEAST grows toward the
/// target; AT_MOST is 100 within it and falls by the share it is exceeded; EXACTLY falls by the
/// share it misses, either way.
pub fn progress_percent(comparator: &str, target: f64, value: f64) -> f64 {
    let pct = match comparator {
        "AT_MOST" if value <= target => 100.0,
        "AT_MOST" if target <= 0.0 => 0.0,
        "AT_MOST" => 100.0 - (value - target) / target * 100.0,
        "EXACTLY" if target <= 0.0 => {
            if value == 0.0 {
                100.0
            } else {
                0.0
            }
        }
        "EXACTLY" => 100.0 - (value - target).abs() / target * 100.0,
        _ if target <= 0.0 => 100.0,
        _ => value / target * 100.0,
    };
    (pct.clamp(0.0, 100.0) * 10.0).round() / 10.0
}

#[cfg(test)]
mod tests {
    use super::progress_percent;

    #[test]
    fn progress_follows_the_comparator() {
        assert_eq!(progress_percent("AT_LEAST", 11000.0, 5500.0), 50.0);
        assert_eq!(progress_percent("AT_LEAST", 11000.0, 12000.0), 100.0);
        assert_eq!(progress_percent("AT_MOST", 5.0, 3.0), 100.0);
        assert_eq!(progress_percent("AT_MOST", 5.0, 6.0), 80.0);
        assert_eq!(progress_percent("AT_MOST", 5.0, 20.0), 0.0);
        assert_eq!(progress_percent("EXACTLY", 50.0, 40.0), 80.0);
        assert_eq!(progress_percent("EXACTLY", 50.0, 60.0), 80.0);
        assert_eq!(progress_percent("EXACTLY", 50.0, 50.0), 100.0);
        assert_eq!(progress_percent("AT_LEAST", 3.0, 1.0), 33.3);
    }
}
