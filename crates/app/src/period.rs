//! The period of a statistics request: a month (`2026-11`) or a day (`2026-11-23`), as the
//! figures stand today (a month in progress counts only what is overdue by today).

use chrono::NaiveDate;
use yichuang_report::Period;

use crate::{AppError, AppResult};

/// `2026-11` (a month, as of `today`) or `2026-11-23` (a day's summary).
pub fn parse(text: &str, today: NaiveDate) -> AppResult<Period> {
    let t = text.trim();
    if let Ok(day) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        return Ok(Period::day(day));
    }
    month(t, today)
}

/// A month only (`2026-11`), as of `today`.
pub fn month(text: &str, today: NaiveDate) -> AppResult<Period> {
    let t = text.trim();
    t.split_once('-')
        .filter(|(y, m)| y.len() == 4 && (1..=2).contains(&m.len()))
        .and_then(|(y, m)| Period::month(y.parse().ok()?, m.parse().ok()?))
        .map(|p| p.as_of(today))
        .ok_or_else(|| AppError::Period(t.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_month_or_a_day_and_nothing_else() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        assert_eq!(parse("2026-11", today).unwrap(), Period::month(2026, 11).unwrap().as_of(today));
        assert_eq!(parse(" 2026-11-23 ", today).unwrap(), Period::day(NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()));
        for bad in ["2026-13", "2026", "26-11", "2026-11-31", "十一月", "2026-011", ""] {
            let e = parse(bad, today).unwrap_err();
            assert_eq!(e.code(), "report.period", "{bad}");
        }
        assert!(month("2026-11-23", today).is_err());
    }
}
