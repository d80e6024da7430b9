//! The working-day calendar (工作日历) and due-date arithmetic.
//!
//! A day is a working day when it is an adjusted working weekend (调休上班) of an official
//! arrangement, or a Monday–Friday that is neither an official day off nor a regional day off.
//! The arrangements are data (the State Council's yearly notice, imported per year), never code.
//! A year with no arrangement loaded is computed on weekends alone and every due date resting
//! on it says so (`provisional`).
//!
//! Counting rules (行政许可法 第82条, 民法典 第201–203条):
//! - the day the clock starts does not count; counting starts on the next day;
//! - a working-day limit of N ends on the N-th working day after the start;
//! - a natural-day limit of N ends N days after the start, moved to the next working day
//!   when that day is a rest day or holiday.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use chrono::{Datelike, Days, NaiveDate, Weekday};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CalendarError {
    #[error("{year}年日历中的日期{date}不属于该年")]
    DateOutsideYear { year: i32, date: NaiveDate },
    #[error("{0}既被列为放假日又被列为调休上班日")]
    BothOffAndWorking(NaiveDate),
    #[error("调休上班日{0}不是周六或周日")]
    WorkingDayNotWeekend(NaiveDate),
    #[error("{year}年日历的版本号不能为空")]
    EmptyVersion { year: i32 },
    #[error("时限天数{0}无效：应在0至366之间")]
    LimitOutOfRange(u32),
    #[error("已载入{year}年日历版本“{loaded}”，不能用较旧的版本“{offered}”替换")]
    OlderVersion { year: i32, loaded: String, offered: String },
}

impl CalendarError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::DateOutsideYear { .. } => "calendar.date_outside_year",
            Self::BothOffAndWorking(_) => "calendar.off_and_working",
            Self::WorkingDayNotWeekend(_) => "calendar.working_not_weekend",
            Self::EmptyVersion { .. } => "calendar.empty_version",
            Self::LimitOutOfRange(_) => "calendar.limit_range",
            Self::OlderVersion { .. } => "calendar.older_version",
        }
    }
}

/// One year's official arrangement (国务院办公厅关于某年部分节假日安排的通知).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YearArrangement {
    year: i32,
    version: u32,
    source: String,
    days_off: BTreeMap<NaiveDate, String>,
    working_weekends: BTreeSet<NaiveDate>,
}

impl YearArrangement {
    /// `days_off` pairs each day with its holiday's name (元旦, 春节, ...); `version` grows
    /// with each correction HQ publishes for the year.
    pub fn new(
        year: i32,
        version: u32,
        source: impl Into<String>,
        days_off: impl IntoIterator<Item = (NaiveDate, String)>,
        working_weekends: impl IntoIterator<Item = NaiveDate>,
    ) -> Result<Self, CalendarError> {
        let days_off: BTreeMap<NaiveDate, String> = days_off.into_iter().collect();
        let working_weekends: BTreeSet<NaiveDate> = working_weekends.into_iter().collect();
        if version == 0 {
            return Err(CalendarError::EmptyVersion { year });
        }
        for &date in days_off.keys().chain(&working_weekends) {
            if date.year() != year {
                return Err(CalendarError::DateOutsideYear { year, date });
            }
        }
        if let Some(&d) = working_weekends.iter().find(|d| days_off.contains_key(d)) {
            return Err(CalendarError::BothOffAndWorking(d));
        }
        if let Some(&d) = working_weekends.iter().find(|d| !is_weekend(**d)) {
            return Err(CalendarError::WorkingDayNotWeekend(d));
        }
        Ok(Self { year, version, source: source.into(), days_off, working_weekends })
    }

    pub fn year(&self) -> i32 {
        self.year
    }
    pub fn version(&self) -> u32 {
        self.version
    }
    pub fn source(&self) -> &str {
        &self.source
    }
    pub fn days_off(&self) -> impl Iterator<Item = (NaiveDate, &str)> {
        self.days_off.iter().map(|(d, n)| (*d, n.as_str()))
    }
    pub fn working_weekends(&self) -> impl Iterator<Item = NaiveDate> + '_ {
        self.working_weekends.iter().copied()
    }
}

/// A limit as catalogue items state it: a number of working days (工作日) or natural days (自然日).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Limit {
    days: u32,
    unit: LimitUnit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LimitUnit {
    Working,
    Natural,
}

impl LimitUnit {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Working => "working",
            Self::Natural => "natural",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "working" | "工作日" => Some(Self::Working),
            "natural" | "自然日" | "日" => Some(Self::Natural),
            _ => None,
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Self::Working => "个工作日",
            Self::Natural => "日",
        }
    }
}

impl Limit {
    pub const MAX_DAYS: u32 = 366;

    pub fn new(days: u32, unit: LimitUnit) -> Result<Self, CalendarError> {
        if days > Self::MAX_DAYS {
            return Err(CalendarError::LimitOutOfRange(days));
        }
        Ok(Self { days, unit })
    }
    /// For the rules' own constants; out of range is a compile-time error in a const context.
    pub const fn const_working(days: u32) -> Self {
        assert!(days <= Self::MAX_DAYS);
        Self { days, unit: LimitUnit::Working }
    }
    pub fn working(days: u32) -> Result<Self, CalendarError> {
        Self::new(days, LimitUnit::Working)
    }
    pub fn natural(days: u32) -> Result<Self, CalendarError> {
        Self::new(days, LimitUnit::Natural)
    }
    pub fn days(self) -> u32 {
        self.days
    }
    pub fn unit(self) -> LimitUnit {
        self.unit
    }
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.days, self.unit.label())
    }
}

/// A computed due date, with what it rests on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueDate {
    date: NaiveDate,
    provisional: bool,
    calendar_version: String,
}

impl DueDate {
    pub fn date(&self) -> NaiveDate {
        self.date
    }
    /// True when some day counted lies in a year with no official arrangement loaded:
    /// the date was computed on weekends alone (暂按周末计算) and may move.
    pub fn provisional(&self) -> bool {
        self.provisional
    }
    /// The calendar version the date was computed with, e.g. `2025.1+2026.1`.
    pub fn calendar_version(&self) -> &str {
        &self.calendar_version
    }
}

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

fn next_day(d: NaiveDate) -> NaiveDate {
    d.checked_add_days(Days::new(1)).unwrap_or(NaiveDate::MAX)
}

/// The set of official arrangements and regional days off in force at a centre.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Calendar {
    years: BTreeMap<i32, YearArrangement>,
    /// Days off of the centre's region (e.g. 广西“三月三”), with their names.
    regional_days_off: BTreeMap<NaiveDate, String>,
}

impl Calendar {
    /// A calendar with no official data: weekends only, every date provisional.
    pub fn weekends_only() -> Self {
        Self::default()
    }

    /// Adds or replaces a year's arrangement. A replacement must not be older than what is loaded.
    pub fn load_year(&mut self, arrangement: YearArrangement) -> Result<(), CalendarError> {
        if let Some(existing) = self.years.get(&arrangement.year) {
            if existing.version > arrangement.version {
                return Err(CalendarError::OlderVersion {
                    year: arrangement.year,
                    loaded: existing.version.to_string(),
                    offered: arrangement.version.to_string(),
                });
            }
        }
        self.years.insert(arrangement.year, arrangement);
        Ok(())
    }

    /// Adds a region's own day off (a regional holiday declared by the province).
    pub fn add_regional_day_off(&mut self, date: NaiveDate, name: impl Into<String>) {
        self.regional_days_off.insert(date, name.into());
    }

    pub fn year(&self, year: i32) -> Option<&YearArrangement> {
        self.years.get(&year)
    }

    pub fn years(&self) -> impl Iterator<Item = &YearArrangement> {
        self.years.values()
    }

    /// Whether an official arrangement is loaded for `year`.
    pub fn is_official(&self, year: i32) -> bool {
        self.years.contains_key(&year)
    }

    /// `2025.1+2026.1`, or `weekends-only` when nothing is loaded. Regional days add `+R<n>`.
    pub fn version(&self) -> String {
        let mut parts: Vec<String> =
            self.years.values().map(|y| format!("{}.{}", y.year, y.version)).collect();
        if parts.is_empty() {
            parts.push("weekends-only".to_owned());
        }
        if !self.regional_days_off.is_empty() {
            parts.push(format!("R{}", self.regional_days_off.len()));
        }
        parts.join("+")
    }

    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        if let Some(y) = self.years.get(&d.year()) {
            if y.working_weekends.contains(&d) {
                return true;
            }
            if y.days_off.contains_key(&d) {
                return false;
            }
        }
        !is_weekend(d) && !self.regional_days_off.contains_key(&d)
    }

    /// The name of the holiday `d` belongs to, if any.
    pub fn holiday_name(&self, d: NaiveDate) -> Option<&str> {
        self.years
            .get(&d.year())
            .and_then(|y| y.days_off.get(&d))
            .or_else(|| self.regional_days_off.get(&d))
            .map(String::as_str)
    }

    /// The first working day on or after `d`.
    pub fn working_day_on_or_after(&self, mut d: NaiveDate) -> NaiveDate {
        while !self.is_working_day(d) && d < NaiveDate::MAX {
            d = next_day(d);
        }
        d
    }

    /// The due date of `limit` started on `start` (the start day itself does not count).
    pub fn due(&self, start: NaiveDate, limit: Limit) -> DueDate {
        self.due_skipping(start, limit, |_| false)
    }

    /// Like [`Calendar::due`], but days for which `skip` is true do not count at all
    /// (the clock was paused on them under 行政许可法 第45条).
    pub fn due_skipping(
        &self,
        start: NaiveDate,
        limit: Limit,
        skip: impl Fn(NaiveDate) -> bool,
    ) -> DueDate {
        let mut provisional = false;
        let mut note = |d: NaiveDate| provisional |= !self.is_official(d.year());
        let mut d = start;
        let mut left = limit.days;
        match limit.unit {
            LimitUnit::Working => {
                while left > 0 && d < NaiveDate::MAX {
                    d = next_day(d);
                    if skip(d) {
                        continue;
                    }
                    note(d);
                    if self.is_working_day(d) {
                        left -= 1;
                    }
                }
            }
            LimitUnit::Natural => {
                while left > 0 && d < NaiveDate::MAX {
                    d = next_day(d);
                    if !skip(d) {
                        left -= 1;
                    }
                }
                note(d);
                while !self.is_working_day(d) && d < NaiveDate::MAX {
                    d = next_day(d);
                    note(d);
                }
            }
        }
        DueDate { date: d, provisional, calendar_version: self.version() }
    }

    /// The number of working days in `(from, to]`: how many working days are left on `from`
    /// before the end of `to`. Zero when `to <= from`. Computed arithmetically (weekdays) and
    /// corrected by the holidays in range, so a long overdue list stays fast.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> u32 {
        use std::ops::Bound::{Excluded, Included};
        if to <= from {
            return 0;
        }
        let mut n = weekdays_up_to(to) - weekdays_up_to(from);
        let range = (Excluded(from), Included(to));
        for year in from.year()..=to.year() {
            if let Some(y) = self.years.get(&year) {
                n -= y.days_off.range(range).filter(|(d, _)| !is_weekend(**d)).count() as i64;
                n += y.working_weekends.range(range).count() as i64;
            }
        }
        n -= self
            .regional_days_off
            .range(range)
            .filter(|(d, _)| {
                !is_weekend(**d) && !self.years.get(&d.year()).is_some_and(|y| y.days_off.contains_key(d))
            })
            .count() as i64;
        u32::try_from(n).unwrap_or(0)
    }

    /// The same count, day by day: the definition the fast count is tested against.
    pub fn working_days_between_slow(&self, from: NaiveDate, to: NaiveDate) -> u32 {
        let mut n = 0;
        let mut d = from;
        while d < to {
            d = next_day(d);
            if self.is_working_day(d) {
                n += 1;
            }
        }
        n
    }
}

/// Mondays to Fridays from 0001-01-01 (a Monday) up to and including `d`.
fn weekdays_up_to(d: NaiveDate) -> i64 {
    let k = i64::from(d.num_days_from_ce()) - 1;
    k.div_euclid(7) * 5 + (k.rem_euclid(7) + 1).min(5)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn ymd(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn range(a: &str, b: &str, name: &str) -> Vec<(NaiveDate, String)> {
        let (mut d, end) = (ymd(a), ymd(b));
        let mut v = vec![];
        while d <= end {
            v.push((d, name.to_owned()));
            d = next_day(d);
        }
        v
    }

    /// The official arrangement of 2026 as in DOMAIN.md, built by hand here so that the
    /// core's tests do not depend on the shipped asset files (the store tests those).
    pub(crate) fn cal_2026() -> Calendar {
        let mut off = vec![];
        off.extend(range("2026-01-01", "2026-01-03", "元旦"));
        off.extend(range("2026-02-15", "2026-02-23", "春节"));
        off.extend(range("2026-04-04", "2026-04-06", "清明节"));
        off.extend(range("2026-05-01", "2026-05-05", "劳动节"));
        off.extend(range("2026-06-19", "2026-06-21", "端午节"));
        off.extend(range("2026-09-25", "2026-09-27", "中秋节"));
        off.extend(range("2026-10-01", "2026-10-07", "国庆节"));
        let work = ["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"]
            .map(ymd);
        let y = YearArrangement::new(2026, 1, "国务院办公厅通知", off, work).unwrap();
        let mut c = Calendar::weekends_only();
        c.load_year(y).unwrap();
        c
    }

    #[test]
    fn working_days() {
        let c = cal_2026();
        assert!(c.is_working_day(ymd("2026-01-04"))); // Sunday, adjusted working day
        assert!(!c.is_working_day(ymd("2026-01-02"))); // Friday, 元旦
        assert!(c.is_working_day(ymd("2026-02-14"))); // Saturday before Spring Festival
        assert!(!c.is_working_day(ymd("2026-02-16"))); // Monday, 春节
        assert!(!c.is_working_day(ymd("2026-11-21"))); // ordinary Saturday
        assert!(c.is_working_day(ymd("2026-11-23"))); // ordinary Monday
        assert_eq!(c.holiday_name(ymd("2026-10-03")), Some("国庆节"));
        assert_eq!(c.version(), "2026.1");
    }

    /// (start, days, unit, expected due, provisional) — checked by hand against a printed calendar.
    #[test]
    fn due_date_table() {
        let c = cal_2026();
        let cases = [
            // An ordinary week: Monday + 5 working days is the next Monday.
            ("2026-11-23", 5, LimitUnit::Working, "2026-11-30", false),
            ("2026-11-23", 0, LimitUnit::Working, "2026-11-23", false),
            ("2026-11-23", 1, LimitUnit::Working, "2026-11-24", false),
            // Friday acceptance: the weekend does not count.
            ("2026-11-20", 1, LimitUnit::Working, "2026-11-23", false),
            // Spring Festival: Fri 13 Feb, Sat 14 Feb works, 15–23 off.
            ("2026-02-13", 1, LimitUnit::Working, "2026-02-14", false),
            ("2026-02-13", 2, LimitUnit::Working, "2026-02-24", false),
            ("2026-02-12", 5, LimitUnit::Working, "2026-02-26", false),
            // Sat 28 Feb works.
            ("2026-02-26", 2, LimitUnit::Working, "2026-02-28", false),
            // National Day: Sun 20 Sep works; 25–27 Sep and 1–7 Oct off; Sat 10 Oct works.
            ("2026-09-18", 1, LimitUnit::Working, "2026-09-20", false),
            ("2026-09-24", 1, LimitUnit::Working, "2026-09-28", false),
            ("2026-09-29", 2, LimitUnit::Working, "2026-10-08", false),
            ("2026-09-30", 3, LimitUnit::Working, "2026-10-10", false),
            ("2026-09-30", 20, LimitUnit::Working, "2026-11-03", false),
            // Natural days ending on a holiday move to the next working day (民法典 第203条).
            ("2026-09-21", 10, LimitUnit::Natural, "2026-10-08", false),
            ("2026-11-20", 1, LimitUnit::Natural, "2026-11-23", false),
            ("2026-11-23", 30, LimitUnit::Natural, "2026-12-23", false),
            // Into 2027, with no official arrangement loaded: weekends only, provisional.
            ("2026-12-28", 5, LimitUnit::Working, "2027-01-04", true),
            ("2026-12-25", 3, LimitUnit::Working, "2026-12-30", false),
            ("2026-12-20", 15, LimitUnit::Natural, "2027-01-04", true),
        ];
        for (start, days, unit, expected, provisional) in cases {
            let due = c.due(ymd(start), Limit::new(days, unit).unwrap());
            assert_eq!(
                (due.date(), due.provisional()),
                (ymd(expected), provisional),
                "{start} + {days} {unit:?}"
            );
            assert_eq!(due.calendar_version(), "2026.1");
        }
    }

    #[test]
    fn regional_days_off_count_as_holidays() {
        let mut c = cal_2026();
        // A region's own days off (illustrative dates for 广西“三月三”), carried as data.
        c.add_regional_day_off(ymd("2026-04-20"), "三月三");
        c.add_regional_day_off(ymd("2026-04-21"), "三月三");
        assert!(!c.is_working_day(ymd("2026-04-20")));
        let due = c.due(ymd("2026-04-17"), Limit::working(2).unwrap());
        assert_eq!(due.date(), ymd("2026-04-23"));
        assert_eq!(due.calendar_version(), "2026.1+R2");
        assert_eq!(c.holiday_name(ymd("2026-04-21")), Some("三月三"));
    }

    #[test]
    fn arrangements_are_checked_when_built() {
        let e = YearArrangement::new(2026, 1, "", vec![(ymd("2025-12-31"), "x".into())], vec![]);
        assert_eq!(e.unwrap_err().code(), "calendar.date_outside_year");
        let e = YearArrangement::new(2026, 1, "", vec![], vec![ymd("2026-01-05")]);
        assert_eq!(e.unwrap_err().code(), "calendar.working_not_weekend");
        let e = YearArrangement::new(2026, 1, "", vec![(ymd("2026-01-04"), "x".into())], vec![ymd("2026-01-04")]);
        assert_eq!(e.unwrap_err().code(), "calendar.off_and_working");
        assert_eq!(Limit::working(367).unwrap_err().code(), "calendar.limit_range");
        let mut c = cal_2026();
        let older = YearArrangement::new(2026, 0, "", vec![], vec![]);
        assert!(older.is_err());
        let newer = YearArrangement::new(2026, 2, "更正", vec![], vec![]).unwrap();
        c.load_year(newer).unwrap();
        let old = YearArrangement::new(2026, 1, "", vec![], vec![]).unwrap();
        assert_eq!(c.load_year(old).unwrap_err().code(), "calendar.older_version");
    }

    #[test]
    fn working_days_between_counts_the_half_open_interval() {
        let c = cal_2026();
        assert_eq!(c.working_days_between(ymd("2026-11-23"), ymd("2026-11-23")), 0);
        assert_eq!(c.working_days_between(ymd("2026-11-23"), ymd("2026-11-24")), 1);
        assert_eq!(c.working_days_between(ymd("2026-11-20"), ymd("2026-11-23")), 1);
        assert_eq!(c.working_days_between(ymd("2026-11-24"), ymd("2026-11-23")), 0);
        assert_eq!(c.working_days_between(ymd("2026-09-30"), ymd("2026-10-10")), 3);
    }
}
