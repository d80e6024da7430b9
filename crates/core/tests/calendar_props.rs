#![allow(clippy::unwrap_used)]
//! Property tests for the working-day calendar and due dates on the official 2025 and 2026
//! arrangements (国办发明电〔2024〕12号 and the notice of 4 November 2025).

use chrono::{Datelike, Days, NaiveDate, Weekday};
use proptest::prelude::*;
use yichuang_core::{Calendar, CaseClock, Limit, LimitUnit, PauseKind, YearArrangement};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// (first day, last day, name) of a holiday.
type Holiday = (&'static str, &'static str, &'static str);

/// (year, days-off ranges with names, adjusted working weekends)
const OFFICIAL: &[(i32, &[Holiday], &[&str])] = &[
    (
        2025,
        &[
            ("2025-01-01", "2025-01-01", "元旦"),
            ("2025-01-28", "2025-02-04", "春节"),
            ("2025-04-04", "2025-04-06", "清明节"),
            ("2025-05-01", "2025-05-05", "劳动节"),
            ("2025-05-31", "2025-06-02", "端午节"),
            ("2025-10-01", "2025-10-08", "国庆节、中秋节"),
        ],
        &["2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11"],
    ),
    (
        2026,
        &[
            ("2026-01-01", "2026-01-03", "元旦"),
            ("2026-02-15", "2026-02-23", "春节"),
            ("2026-04-04", "2026-04-06", "清明节"),
            ("2026-05-01", "2026-05-05", "劳动节"),
            ("2026-06-19", "2026-06-21", "端午节"),
            ("2026-09-25", "2026-09-27", "中秋节"),
            ("2026-10-01", "2026-10-07", "国庆节"),
        ],
        &["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"],
    ),
];

fn days_in(a: NaiveDate, b: NaiveDate) -> impl Iterator<Item = NaiveDate> {
    a.iter_days().take_while(move |x| *x <= b)
}

fn holidays() -> Vec<NaiveDate> {
    OFFICIAL
        .iter()
        .flat_map(|(_, ranges, _)| ranges.iter().flat_map(|(a, b, _)| days_in(d(a), d(b))))
        .collect()
}

fn working_weekends() -> Vec<NaiveDate> {
    OFFICIAL.iter().flat_map(|(_, _, w)| w.iter().map(|s| d(s))).collect()
}

fn calendar() -> Calendar {
    let mut c = Calendar::weekends_only();
    for (year, ranges, work) in OFFICIAL {
        let off = ranges.iter().flat_map(|(a, b, name)| days_in(d(a), d(b)).map(|x| (x, name.to_string())));
        let y = YearArrangement::new(*year, 1, "国务院办公厅通知", off, work.iter().map(|s| d(s))).unwrap();
        c.load_year(y).unwrap();
    }
    c
}

#[test]
fn every_holiday_is_off_and_every_adjusted_weekend_works() {
    let c = calendar();
    for h in holidays() {
        assert!(!c.is_working_day(h), "{h} is a holiday");
    }
    for w in working_weekends() {
        assert!(matches!(w.weekday(), Weekday::Sat | Weekday::Sun));
        assert!(c.is_working_day(w), "{w} is an adjusted working day");
    }
    // Every other day of both years follows the weekend rule.
    let (hol, work) = (holidays(), working_weekends());
    for x in days_in(d("2025-01-01"), d("2026-12-31")) {
        if !hol.contains(&x) && !work.contains(&x) {
            let weekday = !matches!(x.weekday(), Weekday::Sat | Weekday::Sun);
            assert_eq!(c.is_working_day(x), weekday, "{x}");
        }
    }
    // 2025: 261 weekdays - 18 weekday holidays + 5 working weekends = 248.
    // 2026: 261 weekdays - 19 weekday holidays + 6 working weekends = 248.
    for (year, expected) in [(2025, 248), (2026, 248)] {
        let n = days_in(NaiveDate::from_ymd_opt(year, 1, 1).unwrap(), NaiveDate::from_ymd_opt(year, 12, 31).unwrap())
            .filter(|x| c.is_working_day(*x))
            .count();
        assert_eq!(n, expected, "{year}");
    }
}

fn any_date() -> impl Strategy<Value = NaiveDate> {
    (0u64..730).prop_map(|n| d("2025-01-01").checked_add_days(Days::new(n)).unwrap())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn working_due_dates_are_working_days_and_count_exactly(start in any_date(), n in 1u32..=60) {
        let c = calendar();
        let due = c.due(start, Limit::working(n).unwrap());
        prop_assert!(c.is_working_day(due.date()));
        prop_assert!(due.date() > start);
        prop_assert_eq!(c.working_days_between(start, due.date()), n);
        // Exactly n working days: the day before the due date leaves one short.
        prop_assert_eq!(c.working_days_between(start, due.date().pred_opt().unwrap()), n - 1);
        // No holiday is ever counted.
        for h in holidays() {
            if h > start && h <= due.date() {
                prop_assert!(!c.is_working_day(h));
            }
        }
        let in_official_years = due.date().year() <= 2026;
        prop_assert_eq!(due.provisional(), !in_official_years);
    }

    #[test]
    fn the_fast_working_day_count_equals_the_day_by_day_count(a in any_date(), len in 0u64..800, regional in 0u64..730) {
        let mut c = calendar();
        // A regional day off that may fall on a weekend, a holiday or an ordinary day.
        c.add_regional_day_off(d("2025-01-01").checked_add_days(Days::new(regional)).unwrap(), "地方假日");
        let b = a.checked_add_days(Days::new(len)).unwrap();
        prop_assert_eq!(c.working_days_between(a, b), c.working_days_between_slow(a, b));
        prop_assert_eq!(c.working_days_between(b, a), 0);
    }

    #[test]
    fn due_dates_are_monotone_in_n(start in any_date(), n in 0u32..=60, unit in prop_oneof![Just(LimitUnit::Working), Just(LimitUnit::Natural)]) {
        let c = calendar();
        let a = c.due(start, Limit::new(n, unit).unwrap()).date();
        let b = c.due(start, Limit::new(n + 1, unit).unwrap()).date();
        match unit {
            LimitUnit::Working => prop_assert!(a < b),
            LimitUnit::Natural => prop_assert!(a <= b),
        }
    }

    #[test]
    fn due_dates_are_monotone_in_the_start(start in any_date(), later in 0u64..30, n in 1u32..=30) {
        let c = calendar();
        let other = start.checked_add_days(Days::new(later)).unwrap();
        prop_assert!(c.due(start, Limit::working(n).unwrap()).date() <= c.due(other, Limit::working(n).unwrap()).date());
    }

    #[test]
    fn natural_due_dates_roll_forward_only_over_rest_days(start in any_date(), n in 1u32..=90) {
        let c = calendar();
        let due = c.due(start, Limit::natural(n).unwrap()).date();
        let plain = start.checked_add_days(Days::new(u64::from(n))).unwrap();
        prop_assert!(due >= plain);
        prop_assert!(c.is_working_day(due));
        for x in days_in(plain, due.pred_opt().unwrap()) {
            prop_assert!(!c.is_working_day(x), "{} skipped but is a working day", x);
        }
    }

    #[test]
    fn a_pause_never_brings_the_due_date_forward(start in any_date(), n in 1u32..=30, after in 0u64..10, len in 0u64..20) {
        let c = calendar();
        let mut clock = CaseClock::start(start, Limit::working(n).unwrap());
        let plain = clock.due(&c).unwrap().date();
        let from = start.checked_add_days(Days::new(after)).unwrap();
        clock.pause(PauseKind::Appraisal, from, 5).unwrap();
        clock.resume(from.checked_add_days(Days::new(len)).unwrap()).unwrap();
        let paused = clock.due(&c).unwrap().date();
        prop_assert!(paused >= plain);
        // The days skipped are exactly the working days inside the pause that fell before the due date.
        prop_assert!(c.is_working_day(paused));
    }
}
