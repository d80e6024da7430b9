//! A month of generated activity at a real centre database — cases, supplements, decisions on
//! time and late, extensions, ratings good and bad, inquiries and complaints — with a ledger the
//! generator keeps of what it did, independent of the report. For tests (this crate's and HQ's);
//! compiled only with the `testkit` feature.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset, NaiveDate};
use yichuang_core::{Calendar, IdNumber, MaterialCode, PersonName, Presented, Rating};
use yichuang_store::{
    ApplicantInput, Channel, ComplaintInput, Disposition, InquiryInput, IntakeRequest, Party, RatingInput, Store, SupplementRequest,
};

use crate::{Period, Report};

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pct(&mut self, p: u64) -> bool {
        self.next() % 100 < p
    }
}

fn at(d: NaiveDate, h: u32, m: u32) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(&format!("{d}T{h:02}:{m:02}:00+08:00")).unwrap()
}

fn id_number(n: u32) -> IdNumber {
    let born = NaiveDate::from_ymd_opt(1950, 1, 1).unwrap() + chrono::Days::new(u64::from(n / 1000));
    let first17 = format!("450821{}{:03}", born.format("%Y%m%d"), n % 1000);
    IdNumber::parse(&format!("{first17}{}", yichuang_core::ids::id_check_char(&first17).unwrap())).unwrap()
}

const ITEMS: [(&str, &[&str], &[&str]); 4] = [
    ("LS-01", &["SFZ", "HKB", "SQS", "KNZM"], &["SFZ", "HKB"]),
    ("GL-01", &["SFZ", "HKB", "SQB", "SBK"], &["SFZ", "SQB"]),
    ("YL-01", &["SFZ", "HKB", "DJB"], &["SFZ"]),
    ("CJ-01", &["SFZ", "HKB", "ZP", "SQB"], &["SFZ", "HKB", "SQB"]),
];

fn presented(codes: &[&str]) -> Vec<Presented> {
    codes.iter().map(|c| Presented { material: MaterialCode::parse(c).unwrap(), pages: 1, copies: if *c == "ZP" { 3 } else { 1 } }).collect()
}

#[derive(Default, Debug)]
pub struct Ledger {
    pub items: BTreeMap<String, [u32; 13]>,
    pub inquiries: u32,
    pub inquiries_closed: u32,
    pub inquiries_on_time: u32,
    pub complaints: u32,
    pub complaints_answered: u32,
    pub complaints_on_time: u32,
}
// received, immediate, accepted, supplement, refused, completed, on_time, overdue, extensions, working_days, ratings, satisfied, bad
const RECEIVED: usize = 0;
const IMMEDIATE: usize = 1;
const ACCEPTED: usize = 2;
const SUPPLEMENT: usize = 3;
const REFUSED: usize = 4;
const COMPLETED: usize = 5;
const ON_TIME: usize = 6;
const OVERDUE: usize = 7;
const EXTENSIONS: usize = 8;
const DAYS: usize = 9;
const RATINGS: usize = 10;
const SATISFIED: usize = 11;
const BAD: usize = 12;

struct Open {
    number: String,
    item: String,
    accepted_on: Option<NaiveDate>,
    due: Option<NaiveDate>,
    missing: Vec<&'static str>,
    decide_on: Option<NaiveDate>,
}

/// Generates November 2026 at a centre (`per_day` applications each working day) and returns
/// the store and the generator's own ledger. `setup` runs once the centre exists.
pub fn november(dir: &std::path::Path, per_day: u32, setup: &mut dyn FnMut(&mut Store)) -> (Store, Ledger) {
    let mut s = Store::open(dir.join("centre.db")).unwrap();
    let t0 = at(NaiveDate::from_ymd_opt(2026, 10, 30).unwrap(), 8, 0);
    s.initialise(yichuang_core::CentreCode::parse("450821102").unwrap(), "示范镇便民服务中心", yichuang_core::TerminalId::parse("01").unwrap(), t0).unwrap();
    s.load_demo(t0).unwrap();
    // E.g. enrolment with HQ, before the month's work.
    setup(&mut s);
    let cal: Calendar = s.calendar().clone();
    let month = Period::month(2026, 11).unwrap();
    let mut rng = Rng(0x9e3779b97f4a7c15);
    let mut l = Ledger::default();
    let mut open: Vec<Open> = vec![];
    let mut done: Vec<(String, String, NaiveDate)> = vec![];
    let mut n = 0u32;
    let mut open_inquiries: Vec<(String, NaiveDate)> = vec![];
    let mut open_complaints: Vec<(String, NaiveDate)> = vec![];
    let mut day = month.from;
    while day <= month.to {
        if !cal.is_working_day(day) {
            day = day.succ_opt().unwrap();
            continue;
        }
        // Morning: today's decisions and supplements of earlier cases.
        let mut minute = 0;
        let mut tick = || {
            minute += 1;
            at(day, 8 + minute / 60, minute % 60)
        };
        let mut still = vec![];
        for mut c in open.drain(..) {
            let led = l.items.get_mut(&c.item).unwrap();
            if !c.missing.is_empty() && rng.pct(40) {
                let o = s
                    .supplement(&c.number, SupplementRequest { presented: presented(&c.missing), defects: vec![], conditions: vec![], refusal: None, clerk: "demo".into() }, tick())
                    .unwrap();
                c.missing.clear();
                if o.status == yichuang_core::CaseStatus::Completed {
                    led[COMPLETED] += 1;
                    led[ON_TIME] += 1;
                    done.push((c.number.clone(), c.item.clone(), day));
                    continue;
                }
                led[ACCEPTED] += 1;
                c.accepted_on = Some(day);
                c.due = o.due.as_ref().map(|d| d.date());
                // Decide some days later: sometimes after the due date.
                let late = rng.pct(15);
                let after = if late { cal.working_days_between(day, c.due.unwrap()) + 2 } else { (rng.next() % 5) as u32 + 1 };
                c.decide_on = Some(cal.due(day, yichuang_core::Limit::const_working(after)).date());
                still.push(c);
                continue;
            }
            if let (true, Some(accepted_on), true) = (c.missing.is_empty(), c.accepted_on, c.decide_on == Some(day)) {
                if rng.pct(10) {
                    s.extend(&c.number, 5, "需补充调查", "head", "demo", tick()).unwrap();
                    led[EXTENSIONS] += 1;
                    let v = s.case(&c.number, day).unwrap();
                    c.due = v.due_date;
                    c.decide_on = Some(cal.due(day, yichuang_core::Limit::const_working(2)).date());
                    still.push(c);
                    continue;
                }
                s.decide(&c.number, true, "", "demo", tick()).unwrap();
                led[COMPLETED] += 1;
                led[DAYS] += cal.working_days_between(accepted_on, day);
                if day <= c.due.unwrap() {
                    led[ON_TIME] += 1;
                } else {
                    led[OVERDUE] += 1;
                }
                done.push((c.number.clone(), c.item.clone(), day));
                continue;
            }
            still.push(c);
        }
        open = still;
        // Ratings of what was completed two days ago or more.
        let mut keep = vec![];
        for (number, item, completed) in done.drain(..) {
            if cal.working_days_between(completed, day) >= 2 && rng.pct(50) {
                let r = Rating::ALL[(rng.next() % 5) as usize];
                s.record_rating(
                    RatingInput { case_number: number.clone(), rating: r, comment: if r.is_bad() { "等候太久".into() } else { String::new() }, channel: "visit".into(), recorded_by: "demo".into() },
                    tick(),
                )
                .unwrap();
                let led = l.items.get_mut(&item).unwrap();
                led[RATINGS] += 1;
                if r.is_bad() {
                    led[BAD] += 1;
                } else {
                    led[SATISFIED] += 1;
                }
            } else {
                keep.push((number, item, completed));
            }
        }
        done = keep;
        // Today's applications.
        for _ in 0..per_day {
            n += 1;
            let (item, all, some) = ITEMS[(rng.next() % 4) as usize];
            let led = l.items.entry(item.into()).or_default();
            led[RECEIVED] += 1;
            let refuse = rng.pct(4);
            let complete = rng.pct(70);
            let mats = if complete { all } else { some };
            let req = IntakeRequest {
                item: item.into(),
                applicant: ApplicantInput { party: Party::Person { id_number: id_number(n), name: PersonName::parse("韦秀英").unwrap() }, phone: None },
                agent: None,
                presented: presented(mats),
                defects: vec![],
                conditions: vec![],
                refusal: refuse.then(|| "不属于本中心受理范围".to_owned()),
                clerk: "demo".into(),
                received_on: None,
                confirm_rename: false,
                duplicate_reason: None,
                commitment: false,
                sms_consent: false,
            };
            let o = s.intake(req, tick()).unwrap();
            let number = o.case_number.to_string();
            match o.decision {
                yichuang_core::Decision::Refused(_) => led[REFUSED] += 1,
                yichuang_core::Decision::Tolerated(_) => unreachable!("the simulation never signs a commitment"),
                yichuang_core::Decision::Immediate => {
                    led[IMMEDIATE] += 1;
                    led[COMPLETED] += 1;
                    led[ON_TIME] += 1;
                    done.push((number, item.into(), day));
                }
                yichuang_core::Decision::Accepted => {
                    led[ACCEPTED] += 1;
                    let due = o.due.as_ref().map(|d| d.date());
                    let late = rng.pct(15);
                    let after = if late { cal.working_days_between(day, due.unwrap()) + 2 } else { (rng.next() % 8) as u32 + 1 };
                    let decide_on = Some(cal.due(day, yichuang_core::Limit::const_working(after)).date());
                    open.push(Open { number, item: item.into(), accepted_on: Some(day), due, missing: vec![], decide_on });
                }
                yichuang_core::Decision::Supplement(_) => {
                    led[SUPPLEMENT] += 1;
                    let missing: Vec<&'static str> = all.iter().filter(|m| !mats.contains(m)).copied().collect();
                    open.push(Open { number, item: item.into(), accepted_on: None, due: None, missing, decide_on: None });
                }
            }
        }
        // Inquiries: some answered at once, some replied later (on time or not).
        for k in 0..per_day / 10 {
            let pending = rng.pct(50);
            let (v, _) = s
                .register_inquiry(
                    InquiryInput {
                        channel: Channel::Visit,
                        person_name: "来询人".into(),
                        unit: None,
                        phone: None,
                        matter: format!("咨询第{k}件"),
                        item_code: None,
                        disposition: if pending { Disposition::Pending } else { Disposition::Answered },
                        handed_to: None,
                        result: (!pending).then(|| "当场答复".to_owned()),
                        responder: "demo".into(),
                        scope: yichuang_core::InquiryScope::Ordinary,
                    },
                    tick(),
                )
                .unwrap();
            l.inquiries += 1;
            if pending {
                open_inquiries.push((v.id, v.reply_due.unwrap()));
            } else {
                l.inquiries_closed += 1;
                l.inquiries_on_time += 1;
            }
        }
        let mut keep = vec![];
        for (id, due) in open_inquiries.drain(..) {
            if rng.pct(35) {
                s.reply_inquiry(&id, "已答复", "demo", tick()).unwrap();
                l.inquiries_closed += 1;
                if day <= due {
                    l.inquiries_on_time += 1;
                }
            } else {
                keep.push((id, due));
            }
        }
        open_inquiries = keep;
        // Complaints: a few a week, answered on time or late.
        if rng.pct(30) {
            let c = s
                .register_complaint(
                    ComplaintInput {
                        channel: Channel::Phone,
                        complainant: "投诉人".into(),
                        contact: None,
                        confidential: false,
                        matter: "办事等候时间长".into(),
                        about_staff: None,
                        case_number: None,
                        complex: None,
                        registered_by: "demo".into(),
                    },
                    tick(),
                )
                .unwrap();
            l.complaints += 1;
            open_complaints.push((c.id, c.due_date));
        }
        let mut keep = vec![];
        for (id, due) in open_complaints.drain(..) {
            if rng.pct(50) {
                s.answer_complaint(&id, "已改进", "电话", "demo", tick()).unwrap();
                l.complaints_answered += 1;
                if day <= due {
                    l.complaints_on_time += 1;
                }
            } else {
                keep.push((id, due));
            }
        }
        open_complaints = keep;
        day = day.succ_opt().unwrap();
    }
    // Still running at month end and past due: overdue.
    for c in &open {
        if c.accepted_on.is_some() && c.due.is_some_and(|d| d < month.to) {
            l.items.get_mut(&c.item).unwrap()[OVERDUE] += 1;
        }
    }
    // December's work must not change November.
    let dec = at(NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(), 9, 0);
    if let Some(c) = open.iter().find(|c| c.accepted_on.is_some()) {
        s.decide(&c.number, true, "", "demo", dec).unwrap();
    }
    (s, l)
}

/// Asserts every figure of `report` against the ledger.
pub fn check(report: &Report, l: &Ledger) {
    let mut total = [0u32; 13];
    for (code, led) in &l.items {
        let f = report.items.iter().find(|f| &f.code == code).unwrap_or_else(|| panic!("no row for {code}"));
        let got = [
            f.received, f.immediate, f.accepted, f.supplement_notices, f.refused, f.completed, f.completed_on_time, f.overdue, f.extensions,
            f.working_days, f.ratings, f.satisfied, f.bad_ratings,
        ];
        assert_eq!(&got, led, "{code}: received, immediate, accepted, supplement, refused, completed, on_time, overdue, extensions, days, ratings, satisfied, bad");
        for i in 0..13 {
            total[i] += led[i];
        }
    }
    assert_eq!(report.total.received, total[RECEIVED]);
    assert_eq!(report.total.completed, total[COMPLETED]);
    assert_eq!(report.total.overdue, total[OVERDUE]);
    let c = &report.centre_figures;
    assert_eq!(
        (c.inquiries, c.inquiries_closed, c.inquiries_on_time, c.complaints, c.complaints_answered, c.complaints_on_time),
        (l.inquiries, l.inquiries_closed, l.inquiries_on_time, l.complaints, l.complaints_answered, l.complaints_on_time)
    );
}

