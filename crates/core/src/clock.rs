//! A case's clock: when its limit started, extensions granted, periods that do not count, and
//! the warning level it shows on a given day.
//!
//! - Supplement (补正): the limit runs again from the day the materials were completed — a new
//!   clock is started on that day ([`CaseClock::start`]).
//! - Extension (延期, 行政许可法 第42条): granted by the head with a reason; adds working days.
//! - Periods that do not count (第45条: hearing, tendering, auction, testing, inspection,
//!   quarantine, appraisal, expert review): the clock pauses and resumes; the applicant is told
//!   the expected length. While paused the due date is unknown.
//! - The 5-day rule of 第32条: a supplement notice given later than 5 working days after the
//!   materials arrived means the application counts as accepted on the day they arrived.

use chrono::{DateTime, Days, FixedOffset, NaiveDate};

use crate::calendar::{Calendar, DueDate, Limit};

/// China Standard Time, UTC+8 all year: the offset of every day the rules count.
pub const BEIJING: FixedOffset = match FixedOffset::east_opt(8 * 3600) {
    Some(o) => o,
    None => panic!("UTC+8 is a valid offset"),
};

/// The offset of Beijing time.
pub fn beijing() -> FixedOffset {
    BEIJING
}

/// The same instant on Beijing's clock, whatever offset the PC or a file gave it.
pub fn in_beijing(t: DateTime<FixedOffset>) -> DateTime<FixedOffset> {
    t.with_timezone(&beijing())
}

/// The day an instant falls on in Beijing: the day a receipt is dated and a clock counts.
pub fn beijing_day(t: DateTime<FixedOffset>) -> NaiveDate {
    in_beijing(t).date_naive()
}

/// Statutory and house limits the rules use, in working days.
pub mod limits {
    /// 行政许可法 第32条: supplement notice at once or within 5 days.
    pub const SUPPLEMENT_NOTICE: u32 = 5;
    /// 首问责任制: a reply to an inquiry within 3 working days.
    pub const INQUIRY_REPLY: u32 = 3;
    /// 首问责任制: a matter outside one's duties handed over within 1 working day.
    pub const INQUIRY_HANDOVER: u32 = 1;
    /// Default warning threshold: yellow when this many working days or fewer are left.
    pub const DEFAULT_WARNING_DAYS: u32 = 2;
    /// 行政许可法 第42条 allows 10 more working days; a centre's head may grant at most this many at once.
    pub const MAX_EXTENSION: u32 = 30;
    /// 行政许可法 第42条: a decision within 20 working days, which the head may extend by 10.
    pub const STATUTORY_DECISION: u32 = 20;
    pub const STATUTORY_EXTENSION: u32 = 10;
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ClockError {
    #[error("延期天数{0}无效：应为1至30个工作日")]
    ExtensionDays(u32),
    #[error("延期{asked}个工作日超出法定可延长的期限：本件最多还可延长{left}个工作日（行政许可法第四十二条：法定期限另加10个工作日）")]
    ExtensionBeyondLimit { asked: u32, left: u32 },
    #[error("延期须经中心负责人批准，请填写批准人")]
    MissingApprover,
    #[error("请填写原因，申请人须被告知")]
    MissingReason,
    #[error("计时已暂停（{0}），请先恢复计时")]
    AlreadyPaused(&'static str),
    #[error("计时未暂停，无需恢复")]
    NotPaused,
    #[error("日期{date}早于计时起点{start}")]
    BeforeStart { date: NaiveDate, start: NaiveDate },
    #[error("恢复日期{on}早于暂停日期{from}")]
    ResumeBeforePause { on: NaiveDate, from: NaiveDate },
}

impl ClockError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::ExtensionDays(_) => "clock.extension_days",
            Self::ExtensionBeyondLimit { .. } => "clock.extension_beyond_limit",
            Self::MissingApprover => "clock.missing_approver",
            Self::MissingReason => "clock.missing_reason",
            Self::AlreadyPaused(_) => "clock.already_paused",
            Self::NotPaused => "clock.not_paused",
            Self::BeforeStart { .. } => "clock.before_start",
            Self::ResumeBeforePause { .. } => "clock.resume_before_pause",
        }
    }
}

/// The procedures of 行政许可法 第45条 whose time does not count towards the limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PauseKind {
    Hearing,
    Tendering,
    Auction,
    Testing,
    Inspection,
    Quarantine,
    Appraisal,
    ExpertReview,
}

impl PauseKind {
    pub const ALL: [Self; 8] = [
        Self::Hearing,
        Self::Tendering,
        Self::Auction,
        Self::Testing,
        Self::Inspection,
        Self::Quarantine,
        Self::Appraisal,
        Self::ExpertReview,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Hearing => "hearing",
            Self::Tendering => "tendering",
            Self::Auction => "auction",
            Self::Testing => "testing",
            Self::Inspection => "inspection",
            Self::Quarantine => "quarantine",
            Self::Appraisal => "appraisal",
            Self::ExpertReview => "expert_review",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Self::Hearing => "听证",
            Self::Tendering => "招标",
            Self::Auction => "拍卖",
            Self::Testing => "检验",
            Self::Inspection => "检测",
            Self::Quarantine => "检疫",
            Self::Appraisal => "鉴定",
            Self::ExpertReview => "专家评审",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s || k.label() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extension {
    days: u32,
    approver: String,
    reason: String,
    granted_on: NaiveDate,
}

impl Extension {
    pub fn new(
        days: u32,
        approver: impl Into<String>,
        reason: impl Into<String>,
        granted_on: NaiveDate,
    ) -> Result<Self, ClockError> {
        let (approver, reason) = (approver.into(), reason.into());
        if days == 0 || days > limits::MAX_EXTENSION {
            return Err(ClockError::ExtensionDays(days));
        }
        if approver.trim().is_empty() {
            return Err(ClockError::MissingApprover);
        }
        if reason.trim().is_empty() {
            return Err(ClockError::MissingReason);
        }
        Ok(Self { days, approver, reason, granted_on })
    }
    pub fn days(&self) -> u32 {
        self.days
    }
    pub fn approver(&self) -> &str {
        &self.approver
    }
    pub fn reason(&self) -> &str {
        &self.reason
    }
    pub fn granted_on(&self) -> NaiveDate {
        self.granted_on
    }
}

/// A period that does not count. Days strictly after `from` up to and including `until` are
/// skipped: the day the procedure starts still counts, as does the day after it ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pause {
    kind: PauseKind,
    from: NaiveDate,
    until: Option<NaiveDate>,
    expected_days: u32,
}

impl Pause {
    pub fn kind(&self) -> PauseKind {
        self.kind
    }
    pub fn from(&self) -> NaiveDate {
        self.from
    }
    pub fn until(&self) -> Option<NaiveDate> {
        self.until
    }
    /// The length the applicant was told in writing (第45条).
    pub fn expected_days(&self) -> u32 {
        self.expected_days
    }
    fn covers(&self, d: NaiveDate) -> bool {
        d > self.from && self.until.is_none_or(|u| d <= u)
    }
}

/// The warning level of an open case on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Warning {
    /// The clock is paused (第45条); no warning while it is.
    Paused,
    Normal,
    /// Due soon: this many working days are left after today (0 = due today).
    Yellow { working_days_left: u32 },
    /// Overdue by this many working days.
    Red { working_days_overdue: u32 },
}

impl Warning {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Paused => "paused",
            Self::Normal => "normal",
            Self::Yellow { .. } => "yellow",
            Self::Red { .. } => "red",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseClock {
    start: NaiveDate,
    limit: Limit,
    extensions: Vec<Extension>,
    pauses: Vec<Pause>,
}

impl CaseClock {
    /// A clock that starts on `start` (that day does not count).
    pub fn start(start: NaiveDate, limit: Limit) -> Self {
        Self { start, limit, extensions: vec![], pauses: vec![] }
    }

    pub fn started_on(&self) -> NaiveDate {
        self.start
    }
    pub fn limit(&self) -> Limit {
        self.limit
    }
    pub fn extensions(&self) -> &[Extension] {
        &self.extensions
    }
    pub fn pauses(&self) -> &[Pause] {
        &self.pauses
    }

    /// The limit with every extension added. Extensions are granted in working days; on a
    /// natural-day item they add natural days, so the unit of the item is kept.
    pub fn total_limit(&self) -> Limit {
        let extra: u32 = self.extensions.iter().map(Extension::days).sum();
        let days = (self.limit.days() + extra).min(Limit::MAX_DAYS);
        Limit::new(days, self.limit.unit()).unwrap_or(self.limit)
    }

    pub fn is_paused(&self) -> bool {
        self.pauses.last().is_some_and(|p| p.until.is_none())
    }

    /// How many working days of extension the law leaves a case of an item whose statutory
    /// limit is `statutory` (第42条: the statutory limit, 20 working days where the catalogue
    /// names none, plus 10), counted from the promised limit the clock started with.
    pub fn extension_allowance(&self, statutory: Option<Limit>) -> u32 {
        let base = match statutory {
            Some(s) if s.unit() == self.limit.unit() => s.days(),
            _ => self.limit.days().max(limits::STATUTORY_DECISION),
        };
        (base + limits::STATUTORY_EXTENSION).saturating_sub(self.limit.days())
    }

    /// An extension granted earlier, as recorded: rebuilding a clock from its records does not
    /// judge again what was decided under the rules of the day.
    pub fn with_granted(mut self, extension: Extension) -> Self {
        self.extensions.push(extension);
        self
    }

    /// Grants an extension within what the law leaves (see [`CaseClock::extension_allowance`]).
    pub fn extend(&mut self, extension: Extension, statutory: Option<Limit>) -> Result<(), ClockError> {
        if extension.granted_on < self.start {
            return Err(ClockError::BeforeStart { date: extension.granted_on, start: self.start });
        }
        let granted: u32 = self.extensions.iter().map(Extension::days).sum();
        let left = self.extension_allowance(statutory).saturating_sub(granted);
        if extension.days > left {
            return Err(ClockError::ExtensionBeyondLimit { asked: extension.days, left });
        }
        self.extensions.push(extension);
        Ok(())
    }

    pub fn pause(
        &mut self,
        kind: PauseKind,
        from: NaiveDate,
        expected_days: u32,
    ) -> Result<(), ClockError> {
        if let Some(p) = self.pauses.last().filter(|p| p.until.is_none()) {
            return Err(ClockError::AlreadyPaused(p.kind.label()));
        }
        let earliest = self.pauses.last().and_then(|p| p.until).unwrap_or(self.start).max(self.start);
        if from < earliest {
            return Err(ClockError::BeforeStart { date: from, start: earliest });
        }
        self.pauses.push(Pause { kind, from, until: None, expected_days });
        Ok(())
    }

    pub fn resume(&mut self, on: NaiveDate) -> Result<(), ClockError> {
        let pause = self.pauses.last_mut().filter(|p| p.until.is_none()).ok_or(ClockError::NotPaused)?;
        if on < pause.from {
            return Err(ClockError::ResumeBeforePause { on, from: pause.from });
        }
        pause.until = Some(on);
        Ok(())
    }

    /// The due date, or `None` while the clock is paused (it depends on when it resumes).
    pub fn due(&self, calendar: &Calendar) -> Option<DueDate> {
        if self.is_paused() {
            return None;
        }
        let pauses = &self.pauses;
        Some(calendar.due_skipping(self.start, self.total_limit(), |d| {
            pauses.iter().any(|p| p.covers(d))
        }))
    }

    /// The due date had the clock resumed on the day the applicant was told it would:
    /// what a paused case shows as its expected date.
    pub fn expected_due(&self, calendar: &Calendar) -> DueDate {
        let mut clock = self.clone();
        if let Some(p) = clock.pauses.last_mut().filter(|p| p.until.is_none()) {
            let told = calendar.due(p.from, Limit::working(p.expected_days).unwrap_or(self.limit));
            p.until = Some(told.date());
        }
        clock.due(calendar).unwrap_or_else(|| calendar.due(self.start, self.limit))
    }

    /// The warning level on `today`: red once the due date has passed, yellow when
    /// `threshold` working days or fewer are left.
    pub fn warning(&self, calendar: &Calendar, today: NaiveDate, threshold: u32) -> Warning {
        match self.due(calendar) {
            None => Warning::Paused,
            Some(due) => warning_for(calendar, due.date(), today, threshold),
        }
    }
}

/// The warning level for any deadline (cases, inquiries, complaints).
pub fn warning_for(calendar: &Calendar, due: NaiveDate, today: NaiveDate, threshold: u32) -> Warning {
    if today > due {
        Warning::Red { working_days_overdue: calendar.working_days_between(due, today).max(1) }
    } else {
        let left = calendar.working_days_between(today, due);
        if left <= threshold {
            Warning::Yellow { working_days_left: left }
        } else {
            Warning::Normal
        }
    }
}

/// Where the clock of an application that needed a supplement starts, under 第32条.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AcceptanceBasis {
    /// The notice was given in time: the case waits for the supplement.
    AwaitSupplement { notice_deadline: NaiveDate },
    /// The notice came too late: the application counts as accepted on the day the
    /// materials arrived, and its clock runs from then.
    DeemedAccepted { received_on: NaiveDate, notice_deadline: NaiveDate },
}

/// Applies 行政许可法 第32条 to materials received on `received_on` and a supplement notice
/// that would be given on `notice_on`.
pub fn supplement_basis(calendar: &Calendar, received_on: NaiveDate, notice_on: NaiveDate) -> AcceptanceBasis {
    let notice_deadline = calendar.due(received_on, Limit::const_working(limits::SUPPLEMENT_NOTICE)).date();
    if notice_on > notice_deadline {
        AcceptanceBasis::DeemedAccepted { received_on, notice_deadline }
    } else {
        AcceptanceBasis::AwaitSupplement { notice_deadline }
    }
}

/// The reply date promised for an inquiry taken on `received_on` (首问责任制: 3 working days).
pub fn inquiry_reply_due(calendar: &Calendar, received_on: NaiveDate) -> DueDate {
    calendar.due(received_on, Limit::const_working(limits::INQUIRY_REPLY))
}

/// The date by which a matter must be handed over (1 working day).
pub fn inquiry_handover_due(calendar: &Calendar, received_on: NaiveDate) -> DueDate {
    calendar.due(received_on, Limit::const_working(limits::INQUIRY_HANDOVER))
}

/// `d` plus `n` natural days (saturating), for code that must not panic.
pub fn plus_days(d: NaiveDate, n: u64) -> NaiveDate {
    d.checked_add_days(Days::new(n)).unwrap_or(NaiveDate::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_day_is_beijing_s_whatever_offset_the_time_came_with() {
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap();
        // 23:30 in London on 30 Nov is 07:30 on 1 Dec in Beijing.
        assert_eq!(beijing_day(at("2026-11-30T23:30:00+00:00")), NaiveDate::from_ymd_opt(2026, 12, 1).unwrap());
        assert_eq!(beijing_day(at("2026-12-01T00:30:00+08:00")), NaiveDate::from_ymd_opt(2026, 12, 1).unwrap());
        assert_eq!(beijing_day(at("2026-12-01T10:00:00-10:00")), NaiveDate::from_ymd_opt(2026, 12, 2).unwrap());
        assert_eq!(in_beijing(at("2026-11-30T23:30:00+00:00")).to_rfc3339(), "2026-12-01T07:30:00+08:00");
    }
    use crate::calendar::tests::{cal_2026, ymd};

    #[test]
    fn extensions_add_working_days_and_need_approver_and_reason() {
        let c = cal_2026();
        let mut clock = CaseClock::start(ymd("2026-09-21"), Limit::working(5).unwrap());
        assert_eq!(clock.due(&c).unwrap().date(), ymd("2026-09-29"));
        assert_eq!(Extension::new(0, "王站长", "x", ymd("2026-09-22")).unwrap_err().code(), "clock.extension_days");
        assert_eq!(Extension::new(5, " ", "x", ymd("2026-09-22")).unwrap_err().code(), "clock.missing_approver");
        assert_eq!(Extension::new(5, "王站长", "", ymd("2026-09-22")).unwrap_err().code(), "clock.missing_reason");
        let before = Extension::new(5, "王站长", "需实地核查", ymd("2026-09-20")).unwrap();
        assert_eq!(clock.extend(before, None).unwrap_err().code(), "clock.before_start");
        clock.extend(Extension::new(5, "王站长", "需实地核查", ymd("2026-09-28")).unwrap(), None).unwrap();
        // 5 more after 29 Sep: 30 Sep, 8, 9, 10 (a working Saturday) and 12 Oct.
        assert_eq!(clock.total_limit(), Limit::working(10).unwrap());
        assert_eq!(clock.due(&c).unwrap().date(), ymd("2026-10-12"));
    }

    #[test]
    fn extensions_stop_at_the_statutory_limit_plus_ten_working_days() {
        let on = ymd("2026-09-22");
        let ext = |days| Extension::new(days, "王站长", "需实地核查", on).unwrap();
        // A 20-day item (第42条's own 20): 10 more, in one grant or several, and no more.
        let mut clock = CaseClock::start(ymd("2026-09-21"), Limit::working(20).unwrap());
        assert_eq!(clock.extension_allowance(None), 10);
        assert_eq!(clock.extend(ext(30), None).unwrap_err(), ClockError::ExtensionBeyondLimit { asked: 30, left: 10 });
        clock.extend(ext(6), None).unwrap();
        clock.extend(ext(4), None).unwrap();
        assert_eq!(clock.extend(ext(1), None).unwrap_err().code(), "clock.extension_beyond_limit");
        assert_eq!(clock.total_limit(), Limit::working(30).unwrap());
        // A 5-day promise on a 20-day statutory item: up to 30 in all.
        let mut short = CaseClock::start(ymd("2026-09-21"), Limit::working(5).unwrap());
        assert_eq!(short.extension_allowance(Some(Limit::working(20).unwrap())), 25);
        short.extend(ext(25), Some(Limit::working(20).unwrap())).unwrap();
        // The catalogue's statutory limit is the law's word where it says otherwise (60 + 10).
        let long = CaseClock::start(ymd("2026-09-21"), Limit::working(45).unwrap());
        assert_eq!(long.extension_allowance(Some(Limit::working(60).unwrap())), 25);
        assert_eq!(long.extension_allowance(None), 10);
        // Three 30-day extensions in a row, as once accepted: the first is already refused.
        let mut three = CaseClock::start(ymd("2026-09-21"), Limit::working(10).unwrap());
        assert!(three.extend(ext(30), None).is_err());
        // A clock rebuilt from records keeps what was granted.
        let rebuilt = CaseClock::start(ymd("2026-09-21"), Limit::working(10).unwrap()).with_granted(ext(30)).with_granted(ext(30));
        assert_eq!(rebuilt.total_limit(), Limit::working(70).unwrap());
    }

    #[test]
    fn pauses_do_not_count_and_resume() {
        let c = cal_2026();
        let mut clock = CaseClock::start(ymd("2026-11-02"), Limit::working(5).unwrap());
        assert_eq!(clock.due(&c).unwrap().date(), ymd("2026-11-09"));
        // Sent for appraisal on Wednesday 4 Nov (2 working days used), told it takes 5 working days.
        clock.pause(PauseKind::Appraisal, ymd("2026-11-04"), 5).unwrap();
        assert!(clock.is_paused());
        assert_eq!(clock.due(&c), None);
        assert_eq!(clock.warning(&c, ymd("2026-11-20"), 2), Warning::Paused);
        assert_eq!(clock.pause(PauseKind::Testing, ymd("2026-11-05"), 1).unwrap_err().code(), "clock.already_paused");
        // Expected: resumes 11 Nov, then 3 more working days: 12, 13, 16 Nov.
        assert_eq!(clock.expected_due(&c).date(), ymd("2026-11-16"));
        assert_eq!(clock.resume(ymd("2026-11-03")).unwrap_err().code(), "clock.resume_before_pause");
        clock.resume(ymd("2026-11-13")).unwrap();
        assert_eq!(clock.resume(ymd("2026-11-13")).unwrap_err().code(), "clock.not_paused");
        // 3 working days left after Friday 13 Nov: 16, 17, 18.
        assert_eq!(clock.due(&c).unwrap().date(), ymd("2026-11-18"));
        assert_eq!(clock.pause(PauseKind::Hearing, ymd("2026-11-12"), 1).unwrap_err().code(), "clock.before_start");
    }

    #[test]
    fn warnings() {
        let c = cal_2026();
        let clock = CaseClock::start(ymd("2026-11-16"), Limit::working(5).unwrap()); // due Mon 23 Nov
        assert_eq!(clock.warning(&c, ymd("2026-11-17"), 2), Warning::Normal);
        assert_eq!(clock.warning(&c, ymd("2026-11-19"), 2), Warning::Yellow { working_days_left: 2 });
        assert_eq!(clock.warning(&c, ymd("2026-11-21"), 2), Warning::Yellow { working_days_left: 1 });
        assert_eq!(clock.warning(&c, ymd("2026-11-23"), 2), Warning::Yellow { working_days_left: 0 });
        assert_eq!(clock.warning(&c, ymd("2026-11-24"), 2), Warning::Red { working_days_overdue: 1 });
        assert_eq!(clock.warning(&c, ymd("2026-11-28"), 2), Warning::Red { working_days_overdue: 4 });
        assert_eq!(clock.warning(&c, ymd("2026-11-19"), 0), Warning::Normal);
    }

    #[test]
    fn supplement_notice_five_day_rule() {
        let c = cal_2026();
        // Materials arrived Monday 28 Sep; 5 working days: 29, 30 Sep, 8, 9, 10 Oct.
        let got = supplement_basis(&c, ymd("2026-09-28"), ymd("2026-09-28"));
        assert_eq!(got, AcceptanceBasis::AwaitSupplement { notice_deadline: ymd("2026-10-10") });
        let got = supplement_basis(&c, ymd("2026-09-28"), ymd("2026-10-10"));
        assert!(matches!(got, AcceptanceBasis::AwaitSupplement { .. }));
        let got = supplement_basis(&c, ymd("2026-09-28"), ymd("2026-10-12"));
        assert_eq!(
            got,
            AcceptanceBasis::DeemedAccepted { received_on: ymd("2026-09-28"), notice_deadline: ymd("2026-10-10") }
        );
    }

    #[test]
    fn inquiry_deadlines() {
        let c = cal_2026();
        assert_eq!(inquiry_reply_due(&c, ymd("2026-09-30")).date(), ymd("2026-10-10"));
        assert_eq!(inquiry_handover_due(&c, ymd("2026-11-20")).date(), ymd("2026-11-23"));
    }
}
