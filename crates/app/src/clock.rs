//! The time an act is recorded at: the PC's clock, in Beijing time whatever the PC's time zone
//! (`core::clock::in_beijing`). Whether that clock went back is the store's to judge against
//! the chain head; here it is only read.
//!
//! `YICHUANG_NOW` (RFC 3339) fixes the time, but only in a build for tests (a debug build): a
//! shipped binary never takes its time from the environment.

use chrono::{DateTime, FixedOffset, NaiveDate};

use crate::{AppError, AppResult};

/// The clock of a process, read once at its start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clock {
    /// The PC's clock.
    System,
    /// A fixed time (a test build's `YICHUANG_NOW`, or a test).
    Fixed(DateTime<FixedOffset>),
}

impl Clock {
    /// The clock this process runs on: the PC's, or in a test build `YICHUANG_NOW`'s time. A
    /// `YICHUANG_NOW` that is not a time is refused, never silently ignored.
    pub fn from_env() -> AppResult<Self> {
        #[cfg(debug_assertions)]
        if let Ok(s) = std::env::var("YICHUANG_NOW") {
            return Self::from_setting(Some(&s));
        }
        Ok(Clock::System)
    }

    /// The clock a `YICHUANG_NOW` value asks for (empty or absent: the PC's).
    pub fn from_setting(value: Option<&str>) -> AppResult<Self> {
        match value.map(str::trim).filter(|s| !s.is_empty()) {
            None => Ok(Clock::System),
            Some(s) => DateTime::parse_from_rfc3339(s).map(Clock::Fixed).map_err(|_| AppError::ClockSetting(s.to_owned())),
        }
    }

    /// Now, in Beijing time.
    pub fn now(&self) -> DateTime<FixedOffset> {
        let t = match self {
            Clock::System => chrono::Utc::now().fixed_offset(),
            Clock::Fixed(t) => *t,
        };
        yichuang_core::clock::in_beijing(t)
    }

    /// Today in Beijing.
    pub fn today(&self) -> NaiveDate {
        self.now().date_naive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fixed_time_is_read_in_beijing_and_a_bad_one_is_refused() {
        // 23:30 UTC on the 23rd is already the 24th in Beijing.
        let c = Clock::from_setting(Some("2026-11-23T23:30:00Z")).unwrap();
        assert_eq!(c.today(), NaiveDate::from_ymd_opt(2026, 11, 24).unwrap());
        assert_eq!(c.now().offset().local_minus_utc(), 8 * 3600);
        assert_eq!(Clock::from_setting(Some("  ")).unwrap(), Clock::System);
        assert_eq!(Clock::from_setting(None).unwrap(), Clock::System);
        let e = Clock::from_setting(Some("2026-11-23 09:00")).unwrap_err();
        assert_eq!(e.code(), "clock.setting");
        assert!(e.to_string().contains("不是RFC 3339时间"), "{e}");
    }
}
