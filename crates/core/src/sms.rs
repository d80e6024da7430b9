//! The applicant told by SMS, on their consent.
//!
//! The rules, in one place:
//! - whom: only an applicant who agreed at intake (个人信息保护法 第13–14条: consent that is
//!   informed, specific and given freely), at a mobile number ([`Mobile`]); no consent, no
//!   message, ever;
//! - what: four notices ([`Notice`]), each from a fixed template whose parameters are the
//!   centre, the item and a date ([`Message`]); a message never carries an ID number
//!   ([`carries_an_id`] is checked where a message is made and again at HQ);
//! - when: [`Notice::Ready`] as the result is ready; [`owed_reminder_on`] two working days
//!   before owed materials are due; [`supplement_reminder_on`] five working days after a
//!   supplement notice with nothing brought in; the rating invitation the day after the
//!   service ended when the applicant did not rate it at the window;
//! - how often: once per case, notice and occasion (the day it is about).

use chrono::NaiveDate;

use crate::calendar::{Calendar, Limit};
use crate::ids::Phone;

/// A number a message can go to: a mainland mobile number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mobile(Phone);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SmsError {
    #[error("同意短信通知的，须登记申请人的手机号码")]
    NoPhone,
    #[error("短信只能发往手机号码，“{0}”是固定电话")]
    Landline(String),
    #[error("未知的短信通知类型“{0}”")]
    UnknownNotice(String),
    #[error("短信内容含有身份证号码，不得发送")]
    CarriesAnId,
}

impl SmsError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::NoPhone => "sms.no_phone",
            Self::Landline(_) => "sms.landline",
            Self::UnknownNotice(_) => "sms.notice",
            Self::CarriesAnId => "sms.carries_id",
        }
    }
}

impl Mobile {
    pub fn of(phone: Option<&Phone>) -> Result<Self, SmsError> {
        let phone = phone.ok_or(SmsError::NoPhone)?;
        if !phone.is_mobile() {
            return Err(SmsError::Landline(phone.as_str().to_owned()));
        }
        Ok(Self(phone.clone()))
    }
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
    pub fn masked(&self) -> String {
        self.0.masked()
    }
}

/// What an applicant may be told.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Notice {
    /// 办结待领取: the result is ready at the counter.
    Ready,
    /// 容缺补交提醒: owed materials are due in two working days.
    OwedDue,
    /// 补正提醒: a supplement notice is waiting for its materials.
    SupplementReminder,
    /// 评价邀请: an invitation to rate the service.
    RatingInvite,
}

impl Notice {
    pub const ALL: [Self; 4] = [Self::Ready, Self::OwedDue, Self::SupplementReminder, Self::RatingInvite];
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ready => "ready",
            Self::OwedDue => "owed_due",
            Self::SupplementReminder => "supplement_reminder",
            Self::RatingInvite => "rating_invite",
        }
    }
    pub fn parse(s: &str) -> Result<Self, SmsError> {
        Self::ALL.into_iter().find(|n| n.as_str() == s).ok_or_else(|| SmsError::UnknownNotice(s.to_owned()))
    }
    pub fn label(self) -> &'static str {
        match self {
            Self::Ready => "领取通知",
            Self::OwedDue => "容缺补交提醒",
            Self::SupplementReminder => "补正提醒",
            Self::RatingInvite => "评价邀请",
        }
    }
}

/// One message: its template's parameters, in order, and the text they make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub notice: Notice,
    pub params: Vec<String>,
    pub text: String,
}

impl Message {
    /// The message of `notice` for a case of `item` at `centre`; `day` is the day it names
    /// (owed materials due), where it names one.
    pub fn new(notice: Notice, centre: &str, item: &str, day: Option<NaiveDate>) -> Result<Self, SmsError> {
        let date = day.map(|d| d.format("%-m月%-d日").to_string()).unwrap_or_default();
        let (params, text) = match notice {
            Notice::Ready => (
                vec![item.to_owned(), centre.to_owned()],
                format!("您申请办理的“{item}”已办结，请携带本人身份证件和受理通知书到{centre}窗口领取。"),
            ),
            Notice::OwedDue => (
                vec![item.to_owned(), date.clone(), centre.to_owned()],
                format!("您容缺受理的“{item}”尚有材料未补交，请于{date}前到{centre}窗口补交，逾期将终止办理。"),
            ),
            Notice::SupplementReminder => (
                vec![item.to_owned(), centre.to_owned()],
                format!("您申请办理的“{item}”尚需补正材料，请按补正材料通知书一次性备齐后到{centre}窗口提交。"),
            ),
            Notice::RatingInvite => (
                vec![centre.to_owned(), item.to_owned()],
                format!("感谢您到{centre}办理“{item}”。欢迎对本次服务作出评价，意见可拨打12345反映。"),
            ),
        };
        if carries_an_id(&text) || params.iter().any(|p| carries_an_id(p)) {
            return Err(SmsError::CarriesAnId);
        }
        Ok(Self { notice, params, text })
    }
}

/// Whether `text` holds what could be an ID number: 15 or more digits in a row (the old
/// 15-digit form, or 18 whose last may be X), full-width digits counted as digits.
pub fn carries_an_id(text: &str) -> bool {
    let mut run = 0;
    for c in text.chars() {
        let digit = c.is_ascii_digit() || ('０'..='９').contains(&c);
        let check = matches!(c, 'X' | 'x' | 'Ｘ') && run >= 14;
        run = if digit || check { run + 1 } else { 0 };
        if run >= 15 {
            return true;
        }
    }
    false
}

/// The day `n` working days before `day` (the day itself not counted).
fn working_days_before(calendar: &Calendar, day: NaiveDate, n: u32) -> NaiveDate {
    let mut d = day;
    let mut left = n;
    while left > 0 {
        d = d.pred_opt().unwrap_or(d);
        if calendar.is_working_day(d) {
            left -= 1;
        }
    }
    d
}

/// The day the reminder of owed materials goes: two working days before they are due.
pub fn owed_reminder_on(calendar: &Calendar, owed_by: NaiveDate) -> NaiveDate {
    working_days_before(calendar, owed_by, 2)
}

/// Whether the owed-materials reminder is due on `today`: from its day until the last day.
pub fn owed_reminder_due(calendar: &Calendar, owed_by: NaiveDate, today: NaiveDate) -> bool {
    owed_reminder_on(calendar, owed_by) <= today && today <= owed_by
}

/// The day the supplement reminder goes: five working days after the notice.
pub fn supplement_reminder_on(calendar: &Calendar, notice_day: NaiveDate) -> NaiveDate {
    calendar.due(notice_day, Limit::const_working(5)).date()
}

/// Whether the rating invitation is due on `today` for a service that ended on `ended`: from
/// the next day, for a week (an invitation weeks later would be noise).
pub fn rating_invite_due(ended: NaiveDate, today: NaiveDate) -> bool {
    let days = (today - ended).num_days();
    (1..=7).contains(&days)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::YearArrangement;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn calendar_2026() -> Calendar {
        // A test arrangement: 10-01 to 10-07 off, Sunday 09-20 and Saturday 10-10 worked.
        let mut c = Calendar::weekends_only();
        let off: Vec<(NaiveDate, String)> = (1..=7).map(|i| (d(&format!("2026-10-0{i}")), "国庆节".to_owned())).collect();
        c.load_year(YearArrangement::new(2026, 1, "test", off, vec![d("2026-09-20"), d("2026-10-10")]).unwrap()).unwrap();
        c
    }

    #[test]
    fn only_a_mobile_number_takes_a_message() {
        assert_eq!(Mobile::of(None).unwrap_err(), SmsError::NoPhone);
        let landline = Phone::parse("0775-7801234").unwrap();
        assert_eq!(Mobile::of(Some(&landline)).unwrap_err().code(), "sms.landline");
        let m = Mobile::of(Some(&Phone::parse("138 0775 9876").unwrap())).unwrap();
        assert_eq!((m.as_str(), m.masked().as_str()), ("13807759876", "138****9876"));
    }

    #[test]
    fn no_message_carries_an_id_number() {
        for notice in Notice::ALL {
            let m = Message::new(notice, "示范镇便民服务中心", "残疾人证申领", Some(d("2026-12-03"))).unwrap();
            assert!(!carries_an_id(&m.text), "{}", m.text);
            assert_eq!(Notice::parse(notice.as_str()).unwrap(), notice);
        }
        let owed = Message::new(Notice::OwedDue, "示范镇便民服务中心", "残疾人证申领", Some(d("2026-12-03"))).unwrap();
        assert!(owed.text.contains("12月3日前"), "{}", owed.text);
        assert_eq!(owed.params, ["残疾人证申领", "12月3日", "示范镇便民服务中心"]);
        // An item name that smuggles a number in is refused.
        let e = Message::new(Notice::Ready, "示范镇便民服务中心", "450821196804053025号的证", None).unwrap_err();
        assert_eq!(e, SmsError::CarriesAnId);
        assert!(carries_an_id("号码45082119680405302X"));
        assert!(carries_an_id("４５０８２１１９６８０４０５３０２"), "full-width digits");
        assert!(!carries_an_id("电话0775-7801234，编号2026-0001"));
        assert!(!carries_an_id("4508211968040"), "13 digits is no ID");
    }

    /// The owed reminder goes two working days ahead, across a holiday; the supplement
    /// reminder five working days after the notice; the invitation for a week.
    #[test]
    fn reminders_fall_on_working_days_across_holidays() {
        let c = calendar_2026();
        // Due Thursday 12-03: reminded Tuesday 12-01.
        assert_eq!(owed_reminder_on(&c, d("2026-12-03")), d("2026-12-01"));
        // Due Monday 12-07: reminded Thursday 12-03 (the weekend does not count).
        assert_eq!(owed_reminder_on(&c, d("2026-12-07")), d("2026-12-03"));
        // Due Friday 10-09 after the holiday: 10-08, then back over 10-01..07 to 09-30.
        assert_eq!(owed_reminder_on(&c, d("2026-10-09")), d("2026-09-30"));
        assert!(owed_reminder_due(&c, d("2026-12-03"), d("2026-12-02")));
        assert!(!owed_reminder_due(&c, d("2026-12-03"), d("2026-11-30")), "too early");
        assert!(!owed_reminder_due(&c, d("2026-12-03"), d("2026-12-04")), "the day has passed");
        // A notice on Monday 11-23: reminded Monday 11-30.
        assert_eq!(supplement_reminder_on(&c, d("2026-11-23")), d("2026-11-30"));
        assert!(!rating_invite_due(d("2026-11-23"), d("2026-11-23")), "not the same day");
        assert!(rating_invite_due(d("2026-11-23"), d("2026-11-24")));
        assert!(!rating_invite_due(d("2026-11-23"), d("2026-12-01")), "a week at most");
    }
}
