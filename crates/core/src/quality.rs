//! Service quality: complaints (投诉), return visits and ratings (回访 / 好差评), rectification
//! of bad ratings (整改), multi-department and major inquiries (首问), and the A/B rota (AB岗).
//! Pure: the calendar and the dates are passed in.

use chrono::NaiveDate;

use crate::calendar::{Calendar, DueDate, Limit};
use crate::clock::plus_days;

pub mod limits {
    /// An ordinary complaint is answered on the spot, or the same or the next working day.
    pub const COMPLAINT_ORDINARY: u32 = 1;
    /// A complex complaint, unless the centre sets otherwise (working days).
    pub const COMPLAINT_COMPLEX_DEFAULT: u32 = 15;
    /// 首问责任制: a multi-department matter is consulted within 2 working days and answered
    /// within 2 more.
    pub const INQUIRY_MULTI_CONSULT: u32 = 2;
    pub const INQUIRY_MULTI_REPLY: u32 = 4;
    /// A major matter, escalated: at most 15 working days in all.
    pub const INQUIRY_MAJOR: u32 = 15;
    /// 国办发〔2019〕51号: a bad rating is rectified within a deadline the province sets (15
    /// working days in some, 5 in others).
    pub const RECTIFICATION_DEFAULT: u32 = 15;
    /// A completed case not rated this many natural days after completion gets an invitation.
    pub const RATING_INVITATION_DAYS: u64 = 3;
    /// The rating screen takes a rating of the service just given, for this many minutes and
    /// until the window gives its next service.
    pub const SCREEN_RATING_MINUTES: i64 = 30;
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum QualityError {
    #[error("评价等级“{0}”无效：应为非常满意、满意、基本满意、不满意或非常不满意")]
    Rating(String),
    #[error("期限{0}个工作日无效：应为1至60")]
    Days(u32),
    #[error("请假结束日期早于开始日期")]
    LeaveDates,
    #[error("评价原因“{0}”不在评价器的选项中")]
    Reason(String),
    #[error("服务“{0}”不是可评价的窗口服务")]
    Service(String),
}

impl QualityError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Rating(_) => "quality.rating",
            Self::Days(_) => "quality.days",
            Self::LeaveDates => "quality.leave_dates",
            Self::Reason(_) => "quality.reason",
            Self::Service(_) => "quality.service",
        }
    }
}

/// How hard a complaint is to answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ComplaintKind {
    /// Answered on the spot, or the same or the next working day.
    Ordinary,
    /// Cannot be answered in time: the complainant is told why, and the answer comes within
    /// the centre's limit for complex complaints.
    Complex { working_days: u32 },
}

impl ComplaintKind {
    pub fn complex(working_days: u32) -> Result<Self, QualityError> {
        if !(1..=60).contains(&working_days) {
            return Err(QualityError::Days(working_days));
        }
        Ok(Self::Complex { working_days })
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ordinary => "ordinary",
            Self::Complex { .. } => "complex",
        }
    }
}

/// The date by which a complaint received on `received_on` must be answered.
pub fn complaint_due(calendar: &Calendar, received_on: NaiveDate, kind: ComplaintKind) -> DueDate {
    let days = match kind {
        ComplaintKind::Ordinary => limits::COMPLAINT_ORDINARY,
        ComplaintKind::Complex { working_days } => working_days,
    };
    calendar.due(received_on, Limit::const_working(days))
}

/// What kind of inquiry, for its reply deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InquiryScope {
    Ordinary,
    /// Needs other departments: consulted within 2 working days, answered within 2 more.
    MultiDepartment,
    /// Escalated: at most 15 working days in all.
    Major,
}

impl InquiryScope {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "ordinary" => Some(Self::Ordinary),
            "multi" => Some(Self::MultiDepartment),
            "major" => Some(Self::Major),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ordinary => "ordinary",
            Self::MultiDepartment => "multi",
            Self::Major => "major",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Self::Ordinary => "一般事项",
            Self::MultiDepartment => "涉及多部门",
            Self::Major => "重大事项",
        }
    }
}

/// The reply deadline of an inquiry of `scope` received on `received_on`.
pub fn inquiry_due(calendar: &Calendar, received_on: NaiveDate, scope: InquiryScope) -> DueDate {
    let days = match scope {
        InquiryScope::Ordinary => crate::clock::limits::INQUIRY_REPLY,
        InquiryScope::MultiDepartment => limits::INQUIRY_MULTI_REPLY,
        InquiryScope::Major => limits::INQUIRY_MAJOR,
    };
    calendar.due(received_on, Limit::const_working(days))
}

/// The five levels of 好差评.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rating {
    VerySatisfied,
    Satisfied,
    FairlySatisfied,
    Dissatisfied,
    VeryDissatisfied,
}

impl Rating {
    pub const ALL: [Self; 5] = [Self::VerySatisfied, Self::Satisfied, Self::FairlySatisfied, Self::Dissatisfied, Self::VeryDissatisfied];

    /// Parses the code (`very_satisfied` ...) or the Chinese label.
    pub fn parse(s: &str) -> Result<Self, QualityError> {
        let s = s.trim();
        Self::ALL.into_iter().find(|r| r.as_str() == s || r.label() == s).ok_or_else(|| QualityError::Rating(s.to_owned()))
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Self::VerySatisfied => "very_satisfied",
            Self::Satisfied => "satisfied",
            Self::FairlySatisfied => "fairly_satisfied",
            Self::Dissatisfied => "dissatisfied",
            Self::VeryDissatisfied => "very_dissatisfied",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Self::VerySatisfied => "非常满意",
            Self::Satisfied => "满意",
            Self::FairlySatisfied => "基本满意",
            Self::Dissatisfied => "不满意",
            Self::VeryDissatisfied => "非常不满意",
        }
    }
    /// 不满意 or worse: a bad rating (差评), which gets a call-back and a rectification.
    pub fn is_bad(self) -> bool {
        matches!(self, Self::Dissatisfied | Self::VeryDissatisfied)
    }
    /// Counts toward the satisfaction rate (非常满意, 满意, 基本满意).
    pub fn is_satisfied(self) -> bool {
        !self.is_bad()
    }
}

/// A service at the counter that the applicant rates on the rating screen (评价器), one
/// rating per service (一次一评, 国办发〔2019〕51号): each intake, whatever its decision, each
/// supplement brought in, and the collection of the result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    /// 即办: handled on the spot.
    Immediate,
    /// 受理 (also 容缺受理): accepted, the receipt given.
    Accepted,
    /// 一次性告知: the supplement notice given.
    SupplementNotice,
    /// 不予受理: refused with the notice of reasons.
    Refused,
    /// 补正: the materials asked for brought in.
    Supplemented,
    /// 领取: the result handed over.
    Collected,
}

impl Service {
    pub const ALL: [Self; 6] =
        [Self::Immediate, Self::Accepted, Self::SupplementNotice, Self::Refused, Self::Supplemented, Self::Collected];

    /// The service an intake was, from its decision's code (`immediate`, `accepted`,
    /// `tolerated`, `supplement`, `refused`).
    pub fn of_intake(decision: &str) -> Result<Self, QualityError> {
        match decision {
            "immediate" => Ok(Self::Immediate),
            "accepted" | "tolerated" => Ok(Self::Accepted),
            "supplement" => Ok(Self::SupplementNotice),
            "refused" => Ok(Self::Refused),
            other => Err(QualityError::Service(other.to_owned())),
        }
    }
    pub fn parse(s: &str) -> Result<Self, QualityError> {
        Self::ALL.into_iter().find(|v| v.as_str() == s).ok_or_else(|| QualityError::Service(s.to_owned()))
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Immediate => "immediate",
            Self::Accepted => "accepted",
            Self::SupplementNotice => "supplement_notice",
            Self::Refused => "refused",
            Self::Supplemented => "supplemented",
            Self::Collected => "collected",
        }
    }
    /// What the rating screen calls it: “请您对本次……服务作出评价”.
    pub fn label(self) -> &'static str {
        match self {
            Self::Immediate => "即办",
            Self::Accepted => "受理",
            Self::SupplementNotice => "一次性告知",
            Self::Refused => "不予受理告知",
            Self::Supplemented => "补正材料",
            Self::Collected => "领取结果",
        }
    }
}

/// What an applicant may tap on the rating screen to say why a rating is bad: a fixed list,
/// so nothing typed by a stranger at the public screen reaches the record.
pub const BAD_REASONS: [&str; 6] = ["服务态度不好", "等候时间过长", "材料要求没有一次讲清", "办理时间过长", "要求多次跑腿", "其他问题"];

/// The reasons an applicant tapped for a bad rating: each one of [`BAD_REASONS`], each once,
/// in the list's order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BadReasons(Vec<&'static str>);

impl BadReasons {
    pub fn parse<S: AsRef<str>>(tapped: &[S]) -> Result<Self, QualityError> {
        let mut seen = [false; BAD_REASONS.len()];
        for t in tapped {
            let t = t.as_ref().trim();
            let i = BAD_REASONS.iter().position(|r| *r == t).ok_or_else(|| QualityError::Reason(t.chars().take(20).collect()))?;
            seen[i] = true;
        }
        Ok(Self(BAD_REASONS.iter().zip(seen).filter(|(_, s)| *s).map(|(r, _)| *r).collect()))
    }
    pub fn as_slice(&self) -> &[&'static str] {
        &self.0
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// The note a rectification starts from: the reasons, or that none was given.
    pub fn note(&self) -> String {
        if self.0.is_empty() {
            "申请人未选择原因".to_owned()
        } else {
            self.0.join("、")
        }
    }
}

/// The rectification deadline of a bad rating given on `rated_on` (`days` working days, the
/// centre's setting).
pub fn rectification_due(calendar: &Calendar, rated_on: NaiveDate, days: u32) -> Result<DueDate, QualityError> {
    if !(1..=60).contains(&days) {
        return Err(QualityError::Days(days));
    }
    Ok(calendar.due(rated_on, Limit::const_working(days)))
}

/// Whether a case completed on `completed_on`, still unrated on `today`, is due an invitation
/// to rate it.
pub fn rating_invitation_due(completed_on: NaiveDate, today: NaiveDate) -> bool {
    today >= plus_days(completed_on, limits::RATING_INVITATION_DAYS)
}

/// Days a staff member is away: leave, a meeting, training.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Absence {
    pub staff: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Absence {
    pub fn new(staff: &str, from: NaiveDate, to: NaiveDate) -> Result<Self, QualityError> {
        if to < from {
            return Err(QualityError::LeaveDates);
        }
        Ok(Self { staff: staff.to_owned(), from, to })
    }
    pub fn covers(&self, staff: &str, day: NaiveDate) -> bool {
        self.staff == staff && self.from <= day && day <= self.to
    }
}

/// Who covers a post on a day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Duty {
    /// A is there.
    A(String),
    /// A is away; B covers.
    B { b: String, for_a: String },
    /// Neither is there: a warning, no window may be left unstaffed.
    Unstaffed,
}

/// Who is on duty at a post with `a` and `b` on `day`.
pub fn on_duty(a: &str, b: &str, day: NaiveDate, absences: &[Absence]) -> Duty {
    let away = |s: &str| absences.iter().any(|x| x.covers(s, day));
    if !away(a) {
        Duty::A(a.to_owned())
    } else if !b.is_empty() && !away(b) {
        Duty::B { b: b.to_owned(), for_a: a.to_owned() }
    } else {
        Duty::Unstaffed
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::YearArrangement;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn cal() -> Calendar {
        let mut c = Calendar::weekends_only();
        // 2026 National Day: off 1–7 Oct, work Sun 20 Sep and Sat 10 Oct.
        let off: Vec<(NaiveDate, String)> = (1..=7).map(|n| (d(&format!("2026-10-0{n}")), "国庆节".to_owned())).collect();
        c.load_year(YearArrangement::new(2026, 1, "test", off, vec![d("2026-09-20"), d("2026-10-10")]).unwrap()).unwrap();
        c
    }

    #[test]
    fn an_ordinary_complaint_is_due_the_next_working_day_across_holidays() {
        let c = cal();
        // Monday → Tuesday; Friday → Monday; the eve of National Day → Friday 9 Oct.
        assert_eq!(complaint_due(&c, d("2026-11-23"), ComplaintKind::Ordinary).date(), d("2026-11-24"));
        assert_eq!(complaint_due(&c, d("2026-11-27"), ComplaintKind::Ordinary).date(), d("2026-11-30"));
        assert_eq!(complaint_due(&c, d("2026-09-30"), ComplaintKind::Ordinary).date(), d("2026-10-08"));
        // On a Saturday worked by adjustment, the next working day is Monday.
        assert_eq!(complaint_due(&c, d("2026-10-10"), ComplaintKind::Ordinary).date(), d("2026-10-12"));
    }

    #[test]
    fn a_complex_complaint_takes_the_centres_limit_within_bounds() {
        let c = cal();
        assert_eq!(complaint_due(&c, d("2026-11-23"), ComplaintKind::complex(15).unwrap()).date(), d("2026-12-14"));
        assert_eq!(ComplaintKind::complex(0).unwrap_err(), QualityError::Days(0));
        assert!(ComplaintKind::complex(61).is_err());
    }

    #[test]
    fn inquiries_of_each_scope_have_their_limit() {
        let c = cal();
        assert_eq!(inquiry_due(&c, d("2026-11-23"), InquiryScope::Ordinary).date(), d("2026-11-26"));
        assert_eq!(inquiry_due(&c, d("2026-11-23"), InquiryScope::MultiDepartment).date(), d("2026-11-27"));
        assert_eq!(inquiry_due(&c, d("2026-11-23"), InquiryScope::Major).date(), d("2026-12-14"));
        assert_eq!(inquiry_due(&c, d("2026-09-29"), InquiryScope::MultiDepartment).date(), d("2026-10-10"));
    }

    #[test]
    fn ratings_parse_and_the_bottom_two_are_bad() {
        for r in Rating::ALL {
            assert_eq!(Rating::parse(r.label()).unwrap(), r);
            assert_eq!(Rating::parse(r.as_str()).unwrap(), r);
        }
        let bad: Vec<_> = Rating::ALL.into_iter().filter(|r| r.is_bad()).map(Rating::label).collect();
        assert_eq!(bad, ["不满意", "非常不满意"]);
        assert!(Rating::parse("还行").unwrap_err().to_string().contains("评价等级"));
    }

    #[test]
    fn rectification_runs_in_working_days_and_the_invitation_after_three_days() {
        let c = cal();
        assert_eq!(rectification_due(&c, d("2026-11-23"), 15).unwrap().date(), d("2026-12-14"));
        assert_eq!(rectification_due(&c, d("2026-11-23"), 5).unwrap().date(), d("2026-11-30"));
        // Across National Day, ending on the Saturday worked by adjustment.
        assert_eq!(rectification_due(&c, d("2026-09-28"), 5).unwrap().date(), d("2026-10-10"));
        assert!(rectification_due(&c, d("2026-11-23"), 0).is_err());
        assert!(!rating_invitation_due(d("2026-11-20"), d("2026-11-22")));
        assert!(rating_invitation_due(d("2026-11-20"), d("2026-11-23")));
    }

    #[test]
    fn b_covers_when_a_is_away_and_a_post_with_neither_is_flagged() {
        let leave = vec![Absence::new("a1", d("2026-11-23"), d("2026-11-25")).unwrap()];
        assert_eq!(on_duty("a1", "b1", d("2026-11-22"), &leave), Duty::A("a1".into()));
        assert_eq!(on_duty("a1", "b1", d("2026-11-24"), &leave), Duty::B { b: "b1".into(), for_a: "a1".into() });
        let both = vec![leave[0].clone(), Absence::new("b1", d("2026-11-24"), d("2026-11-24")).unwrap()];
        assert_eq!(on_duty("a1", "b1", d("2026-11-24"), &both), Duty::Unstaffed);
        assert_eq!(on_duty("a1", "", d("2026-11-24"), &leave), Duty::Unstaffed);
        assert_eq!(Absence::new("a1", d("2026-11-25"), d("2026-11-23")).unwrap_err(), QualityError::LeaveDates);
    }

    /// 一次一评: which intake decisions are which service, and what a stranger's tap may say.
    #[test]
    fn every_service_at_the_counter_is_rated_and_only_the_listed_reasons_are_taken() {
        for (decision, service) in [
            ("immediate", Service::Immediate),
            ("accepted", Service::Accepted),
            ("tolerated", Service::Accepted),
            ("supplement", Service::SupplementNotice),
            ("refused", Service::Refused),
        ] {
            assert_eq!(Service::of_intake(decision).unwrap(), service, "{decision}");
        }
        assert_eq!(Service::of_intake("approved").unwrap_err().code(), "quality.service");
        for s in Service::ALL {
            assert_eq!(Service::parse(s.as_str()).unwrap(), s);
        }
        let r = BadReasons::parse(&["等候时间过长", "服务态度不好", "等候时间过长"]).unwrap();
        assert_eq!(r.as_slice(), ["服务态度不好", "等候时间过长"], "once each, in the list's order");
        assert_eq!(r.note(), "服务态度不好、等候时间过长");
        assert_eq!(BadReasons::parse::<&str>(&[]).unwrap().note(), "申请人未选择原因");
        let e = BadReasons::parse(&["<script>alert(1)</script>"]).unwrap_err();
        assert_eq!(e.code(), "quality.reason");
    }
}
