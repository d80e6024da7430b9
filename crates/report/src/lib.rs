//! The statistics HQ asks for (DOMAIN rule 12), folded from the event log.
//!
//! A centre folds its own events; HQ folds the same events as they reached it. Because the
//! figures come from one function over one record, HQ's month equals the centre's month.
//!
//! Per service item: received, handled on the spot, accepted, supplement notices, refused,
//! completed, completed on time, overdue (completed late, or still running past the due date at
//! the end of the period), extensions, average working days from acceptance to completion,
//! ratings and the satisfaction rate. For the centre: inquiries and their on-time replies,
//! complaints and their on-time answers. The monthly 服务承诺兑现表 is the per-item promise
//! against what was kept.

#[cfg(feature = "testkit")]
pub mod testkit;
pub mod xlsx;

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use yichuang_core::Calendar;
use yichuang_events::Event;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReportError {
    #[error("无法生成Excel文件：{0}")]
    Xlsx(String),
}

impl ReportError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Xlsx(_) => "report.xlsx",
        }
    }
}

/// An inclusive range of days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The day the figures stand at: the period's last day, or today for a period still in
    /// progress (a case due on the 29th is not overdue on the 1st). See [`Period::as_of`].
    pub until: NaiveDate,
}

impl Period {
    pub fn day(d: NaiveDate) -> Self {
        Self { from: d, to: d, until: d }
    }

    /// The figures as they stand on `today` (passed in: this crate never reads the clock):
    /// a period still in progress counts as overdue only what is past due by today.
    pub fn as_of(mut self, today: NaiveDate) -> Self {
        self.until = self.to.min(today).max(self.from);
        self
    }
    /// The calendar month of `y`-`m`; `None` for a month that does not exist.
    pub fn month(y: i32, m: u32) -> Option<Self> {
        let from = NaiveDate::from_ymd_opt(y, m, 1)?;
        let next = if m == 12 { NaiveDate::from_ymd_opt(y + 1, 1, 1)? } else { NaiveDate::from_ymd_opt(y, m + 1, 1)? };
        let to = next.pred_opt()?;
        Some(Self { from, to, until: to })
    }
    pub fn contains(&self, d: NaiveDate) -> bool {
        self.from <= d && d <= self.to
    }
    /// `2026年11月` for a month, `2026年11月23日` for a day, else the range.
    pub fn label(&self) -> String {
        if self.from == self.to {
            format!("{}年{}月{}日", self.from.year(), self.from.month(), self.from.day())
        } else if self.from.day() == 1 && self.to.succ_opt().is_some_and(|n| n.day() == 1) && self.from.month() == self.to.month() {
            format!("{}年{}月", self.from.year(), self.from.month())
        } else {
            format!("{}至{}", self.from, self.to)
        }
    }
}

/// One service item's figures.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ItemFigures {
    pub code: String,
    pub name: String,
    /// The promised limit as the catalogue states it (`10个工作日`, `即办`).
    pub limit: String,
    pub received: u32,
    pub immediate: u32,
    pub accepted: u32,
    pub supplement_notices: u32,
    pub refused: u32,
    pub completed: u32,
    pub completed_on_time: u32,
    pub overdue: u32,
    pub extensions: u32,
    /// Working days from acceptance to completion, summed over the completed.
    pub working_days: u32,
    pub ratings: u32,
    pub satisfied: u32,
    pub bad_ratings: u32,
    /// 容缺受理: accepted with tolerable materials owed (also counted in `accepted`).
    pub tolerated: u32,
    /// Commitments judged in the period: everything owed brought by the day, or not (brought
    /// late, or the case terminated for it).
    pub commitments_kept: u32,
    pub commitments_broken: u32,
    /// 终止办理.
    pub terminated: u32,
}

impl ItemFigures {
    fn add(&mut self, o: &ItemFigures) {
        self.received += o.received;
        self.immediate += o.immediate;
        self.accepted += o.accepted;
        self.supplement_notices += o.supplement_notices;
        self.refused += o.refused;
        self.completed += o.completed;
        self.completed_on_time += o.completed_on_time;
        self.overdue += o.overdue;
        self.extensions += o.extensions;
        self.working_days += o.working_days;
        self.ratings += o.ratings;
        self.satisfied += o.satisfied;
        self.bad_ratings += o.bad_ratings;
        self.tolerated += o.tolerated;
        self.commitments_kept += o.commitments_kept;
        self.commitments_broken += o.commitments_broken;
        self.terminated += o.terminated;
    }
    /// Average working days to completion, one decimal.
    pub fn average_days(&self) -> Option<f64> {
        (self.completed > 0).then(|| (self.working_days as f64 / self.completed as f64 * 10.0).round() / 10.0)
    }
    /// Completed on time among completed, in per cent (the promise kept: 兑现率).
    pub fn on_time_rate(&self) -> Option<f64> {
        rate(self.completed_on_time, self.completed)
    }
    pub fn satisfaction_rate(&self) -> Option<f64> {
        rate(self.satisfied, self.ratings)
    }
}

fn rate(n: u32, of: u32) -> Option<f64> {
    (of > 0).then(|| (n as f64 * 1000.0 / of as f64).round() / 10.0)
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CentreFigures {
    pub inquiries: u32,
    /// Inquiries closed in the period (answered on the spot, by notice, or replied).
    pub inquiries_closed: u32,
    pub inquiries_on_time: u32,
    pub complaints: u32,
    pub complaints_answered: u32,
    pub complaints_on_time: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub centre: String,
    pub period: Period,
    /// One row per item with any figure, by item code.
    pub items: Vec<ItemFigures>,
    pub total: ItemFigures,
    pub centre_figures: CentreFigures,
    /// 一次一评 at the rating screen, per window and per clerk who served, by window then clerk.
    pub by_staff: Vec<StaffRatings>,
}

/// The rating screen's ratings of one clerk's services at one window in the period.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct StaffRatings {
    /// The window (terminal) where the services were given.
    pub window: String,
    pub clerk: String,
    /// The clerk's name where the report knows it (the id otherwise).
    pub name: String,
    pub ratings: u32,
    /// Per level, 非常满意 to 非常不满意.
    pub levels: [u32; 5],
    pub bad: u32,
}

impl Report {
    /// The report as `head` or a clerk may read it: the rating screen's figures per clerk are
    /// the station head's (a clerk would read from them how the last applicant rated them).
    pub fn seen_by(mut self, head: bool) -> Self {
        if !head {
            self.by_staff.clear();
        }
        self
    }
}

impl StaffRatings {
    pub fn satisfaction_rate(&self) -> Option<f64> {
        rate(self.ratings - self.bad, self.ratings)
    }
}

/// What the fold reads of an event.
pub struct Ev<'a> {
    pub at: &'a str,
    pub kind: &'a str,
    pub subject: &'a str,
    pub payload: &'a str,
}

#[derive(Debug, Clone)]
struct Track {
    item: String,
    received: NaiveDate,
    accepted_on: Option<NaiveDate>,
    due: Option<NaiveDate>,
    done: bool,
    running: bool,
    /// 一次一评: the first rating in the centre's order counts; another window's second one
    /// (two windows cut off from each other) is the head's conflict, not a second rating.
    rated: bool,
    /// 容缺: the day owed materials are due, while anything is owed.
    owed_by: Option<NaiveDate>,
    /// Taken in under 容缺: its supplements bring owed materials, never a second acceptance.
    tolerated: bool,
    /// Terminated: a later act (another window's, which the centre's fold refused) counts nothing.
    ended: bool,
}

fn date_of(at: &str) -> Option<NaiveDate> {
    at.get(..10).and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
}


const DONE: [&str; 3] = ["completed", "approved", "not_approved"];
const RUNNING: [&str; 2] = ["accepted", "forwarded"];

/// Folds `events` (in each terminal's order) into the report for `period`. Events after the
/// period are ignored, so a report of a past month never changes. `catalogue` gives each item's
/// name and promised limit.
pub fn fold<'a>(
    centre: &str,
    events: impl IntoIterator<Item = Ev<'a>>,
    calendar: &Calendar,
    period: Period,
    catalogue: &HashMap<String, (String, String)>,
) -> Report {
    let mut items: BTreeMap<String, ItemFigures> = BTreeMap::new();
    let mut cases: HashMap<String, Track> = HashMap::new();
    let mut c = CentreFigures::default();
    let mut by_staff: BTreeMap<(String, String), StaffRatings> = BTreeMap::new();
    let mut rated_services: std::collections::HashSet<String> = std::collections::HashSet::new();
    for e in events {
        let Some(day) = date_of(e.at) else { continue };
        if day > period.to {
            continue;
        }
        let inside = day >= period.from;
        // Only the kinds that count are parsed.
        let relevant = e.kind.starts_with("case.") || e.kind.starts_with("inquiry.") || e.kind.starts_with("complaint.");
        if !relevant || (!inside && !e.kind.starts_with("case.")) {
            continue;
        }
        // Unreadable events are `verify`'s to report; the figures count what can be read.
        let Ok(event) = Event::parse(e.kind, e.payload) else { continue };
        let state = event.case_state();
        let status = state.map(|(s, _, _)| s).unwrap_or("");
        let due = state.and_then(|(_, _, d)| d).map(|d| d.date);
        match &event {
            Event::CaseIntake(p) => {
                let decision = p.decision.as_str();
                let mut t = Track {
                    item: p.item.clone(),
                    received: day,
                    accepted_on: matches!(decision, "accepted" | "tolerated").then_some(day),
                    due,
                    done: false,
                    running: RUNNING.contains(&status),
                    rated: false,
                    owed_by: p.owed_by.filter(|_| decision == "tolerated" && !p.deficiencies.is_empty()),
                    tolerated: decision == "tolerated",
                    ended: false,
                };
                let f = items.entry(p.item.clone()).or_default();
                if inside {
                    f.received += 1;
                    match decision {
                        "immediate" => f.immediate += 1,
                        "accepted" => f.accepted += 1,
                        "tolerated" => {
                            f.accepted += 1;
                            f.tolerated += 1;
                        }
                        "supplement" => f.supplement_notices += 1,
                        _ => f.refused += 1,
                    }
                }
                if DONE.contains(&status) {
                    t.done = true;
                    if inside {
                        f.completed += 1;
                        f.completed_on_time += 1;
                    }
                }
                cases.insert(e.subject.to_owned(), t);
            }
            Event::InquiryRegistered(p) => {
                c.inquiries += 1;
                if p.status == "closed" {
                    c.inquiries_closed += 1;
                    c.inquiries_on_time += 1;
                }
            }
            Event::InquiryReplied(p) => {
                c.inquiries_closed += 1;
                if p.on_time {
                    c.inquiries_on_time += 1;
                }
            }
            Event::ComplaintRegistered(_) => c.complaints += 1,
            Event::ComplaintAnswered(p) => {
                c.complaints_answered += 1;
                if p.on_time {
                    c.complaints_on_time += 1;
                }
            }
            _ if e.kind.starts_with("case.") => {
                let Some(t) = cases.get_mut(e.subject) else { continue };
                // A terminated case is final; an act recorded after it at another window lost.
                if t.ended || (matches!(event, Event::CaseTerminated(_)) && t.owed_by.is_none()) {
                    continue;
                }
                let f = items.entry(t.item.clone()).or_default();
                if let Some(d) = due {
                    t.due = Some(d);
                }
                match &event {
                    // Owed materials brought to a 容缺 case: the commitment is judged once, when
                    // the last of them comes; the case was accepted at intake. Still owing
                    // some: it stands open.
                    Event::CaseSupplemented(p) if t.tolerated && p.decision != "tolerated" => {
                        if let Some(by) = t.owed_by.take() {
                            if inside {
                                if day <= by {
                                    f.commitments_kept += 1;
                                } else {
                                    f.commitments_broken += 1;
                                }
                            }
                        }
                    }
                    Event::CaseSupplemented(_) if t.tolerated => {}
                    Event::CaseTerminated(_) => {
                        t.owed_by = None;
                        t.ended = true;
                        if inside {
                            f.terminated += 1;
                            f.commitments_broken += 1;
                        }
                    }
                    Event::CaseSupplemented(_) => {
                        if DONE.contains(&status) {
                            // An immediate item completed when the last material came.
                            t.accepted_on = Some(day);
                        } else if status == "accepted" {
                            t.accepted_on = Some(day);
                            if inside {
                                f.accepted += 1;
                            }
                        } else if inside && status == "awaiting_supplement" {
                            f.supplement_notices += 1;
                        }
                    }
                    Event::CaseExtended(_) if inside => f.extensions += 1,
                    // 一次一评: every service rated at the screen counts, for its item and for
                    // the window and clerk who gave it.
                    Event::CaseServiceRated(r) => {
                        // Each service once (a stream heard twice, or a forged second rating
                        // of it, counts nothing); the result of a case once, however it was rated.
                        let Ok((_, level, _)) = r.checked() else { continue };
                        if !rated_services.insert(r.service_event.clone()) || (r.rates_the_result() && std::mem::replace(&mut t.rated, true)) {
                            continue;
                        }
                        if !inside {
                            continue;
                        }
                        f.ratings += 1;
                        if level.is_bad() {
                            f.bad_ratings += 1;
                        } else {
                            f.satisfied += 1;
                        }
                        let s = by_staff.entry((r.window.clone(), r.clerk.clone())).or_insert_with(|| StaffRatings {
                            window: r.window.clone(),
                            clerk: r.clerk.clone(),
                            name: r.clerk.clone(),
                            ..StaffRatings::default()
                        });
                        s.ratings += 1;
                        s.levels[yichuang_core::Rating::ALL.iter().position(|l| *l == level).unwrap_or(0)] += 1;
                        if level.is_bad() {
                            s.bad += 1;
                        }
                    }
                    Event::CaseRated(r) if !t.rated => {
                        t.rated = true;
                        if inside {
                            f.ratings += 1;
                            if r.bad {
                                f.bad_ratings += 1;
                            } else {
                                f.satisfied += 1;
                            }
                        }
                    }
                    _ => {}
                }
                if !status.is_empty() {
                    t.running = RUNNING.contains(&status);
                }
                if DONE.contains(&status) && !t.done {
                    t.done = true;
                    if inside {
                        f.completed += 1;
                        if t.due.is_none_or(|due| day <= due) {
                            f.completed_on_time += 1;
                        } else {
                            f.overdue += 1;
                        }
                        let from = t.accepted_on.unwrap_or(t.received);
                        f.working_days += calendar.working_days_between(from, day);
                    }
                }
            }
            _ => {}
        }
    }
    // Still running at the end of the period, past the due date: overdue.
    for t in cases.values() {
        if !t.done && t.running && t.due.is_some_and(|d| d < period.until) {
            items.entry(t.item.clone()).or_default().overdue += 1;
        }
    }
    let mut total = ItemFigures { code: String::new(), name: "合计".into(), ..Default::default() };
    let items: Vec<ItemFigures> = items
        .into_iter()
        .filter(|(_, f)| *f != ItemFigures::default())
        .map(|(code, mut f)| {
            let (name, limit) = catalogue.get(&code).cloned().unwrap_or_else(|| (code.clone(), String::new()));
            f.name = name;
            f.limit = limit;
            f.code = code;
            total.add(&f);
            f
        })
        .collect();
    Report { centre: centre.to_owned(), period, items, total, centre_figures: c, by_staff: by_staff.into_values().collect() }
}

/// An item's promised limit as printed: `即办` for items handled on the spot.
pub fn limit_label(item: &yichuang_core::ServiceItem) -> String {
    let l = item.promised_limit();
    if l.days() == 0 {
        "即办".into()
    } else {
        l.to_string()
    }
}

/// The report of `period` from a centre's own database.
/// Today's figures at the centre for the Today screen: the day's report (the whole centre,
/// every window's events), so that Today and 统计 can never disagree.
pub fn day_figures(store: &yichuang_store::Store, day: chrono::NaiveDate) -> Result<(ItemFigures, CentreFigures), yichuang_store::StoreError> {
    let r = from_store(store, Period::day(day))?;
    Ok((r.total, r.centre_figures))
}

pub fn from_store(store: &yichuang_store::Store, period: Period) -> Result<Report, yichuang_store::StoreError> {
    let centre = store.centre()?.name.clone();
    let names: HashMap<String, (String, String)> =
        store.catalogue()?.iter().map(|e| (e.item.code().to_string(), (e.item.name().to_owned(), limit_label(&e.item)))).collect();
    // The whole centre (the other terminals' events too), but only what the period needs:
    // never the whole history in memory.
    let events = store.events_for_period(period.from, period.to)?;
    let mut report = fold(
        &centre,
        events.iter().map(|e| Ev { at: &e.at, kind: &e.kind, subject: &e.subject, payload: &e.payload }),
        store.calendar(),
        period,
        &names,
    );
    let staff: HashMap<String, String> = store.staff_list()?.into_iter().map(|s| (s.id, s.name)).collect();
    for r in &mut report.by_staff {
        if let Some(name) = staff.get(&r.clerk) {
            r.name.clone_from(name);
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_know_their_days_and_labels() {
        let m = Period::month(2026, 2).unwrap();
        assert_eq!((m.from.to_string(), m.to.to_string()), ("2026-02-01".into(), "2026-02-28".into()));
        assert_eq!(Period::month(2026, 12).unwrap().to.to_string(), "2026-12-31");
        assert!(Period::month(2026, 13).is_none());
        assert_eq!(m.label(), "2026年2月");
        assert_eq!(Period::day(m.from).label(), "2026年2月1日");
    }

    #[test]
    fn rates_are_per_cent_with_one_decimal_and_absent_without_a_base() {
        let f = ItemFigures { completed: 3, completed_on_time: 2, working_days: 10, ratings: 0, ..Default::default() };
        assert_eq!(f.on_time_rate(), Some(66.7));
        assert_eq!(f.average_days(), Some(3.3));
        assert_eq!(f.satisfaction_rate(), None);
    }

    #[test]
    fn a_case_rated_at_two_windows_cut_off_counts_one_rating() {
        let intake = r#"{"item":"CJ-01","catalogue_version":"2026.11","applicant":{"kind":"person","key":"450821196804053025","name":"李秀英","phone":null},"agent":null,"decision":"supplement","status":"awaiting_supplement","deemed_accepted":false,"received_on":"2026-11-23","clock_start":null,"limit":{"days":20,"unit":"working"},"due":null,"materials":[],"conditions":[],"deficiencies":[],"refusal":null,"handler":"demo","covering_for":null}"#;
        let good = r#"{"rating":"very_satisfied","bad":false,"channel":"window","on":"2026-11-24"}"#;
        let bad = r#"{"rating":"very_dissatisfied","bad":true,"channel":"window","on":"2026-11-24","rectification_due":"2026-12-15"}"#;
        let n = "450821102012026112300001";
        let events = [
            Ev { at: "2026-11-23T09:00:00+08:00", kind: "case.intake", subject: n, payload: intake },
            Ev { at: "2026-11-24T09:00:00+08:00", kind: "case.rated", subject: n, payload: good },
            Ev { at: "2026-11-24T09:05:00+08:00", kind: "case.rated", subject: n, payload: bad },
        ];
        let r = fold("示范镇", events, &Calendar::weekends_only(), Period::month(2026, 11).unwrap(), &HashMap::new());
        assert_eq!((r.total.ratings, r.total.satisfied, r.total.bad_ratings), (1, 1, 0), "一次一评: the first in the centre's order");
    }

    /// 一次一评 at the screen: each service rated counts once for its item and for the window
    /// and clerk who gave it (read from the rating, as the service's event said).
    #[test]
    fn the_screen_s_ratings_count_per_service_per_window_and_per_clerk() {
        let intake = r#"{"item":"CJ-01","catalogue_version":"2026.11","applicant":{"kind":"person","key":"450821196804053025","name":"李秀英","phone":null},"agent":null,"decision":"supplement","status":"awaiting_supplement","deemed_accepted":false,"received_on":"2026-11-23","clock_start":null,"limit":{"days":20,"unit":"working"},"due":null,"materials":[],"conditions":[],"deficiencies":[],"refusal":null,"handler":"demo","covering_for":null}"#;
        let rated = |svc: &str, level: &str, bad: bool, clerk: &str, window: &str| {
            format!(r#"{{"service_event":"{window}-{svc}","service":"{svc}","rating":"{level}","bad":{bad},"reasons":[],"clerk":"{clerk}","window":"{window}","on":"2026-11-24"}}"#)
        };
        let n = "450821102012026112300001";
        let (a, b, c, d) = (
            rated("supplement_notice", "very_satisfied", false, "demo", "01"),
            rated("supplemented", "dissatisfied", true, "demo", "01"),
            rated("collected", "satisfied", false, "b1", "02"),
            rated("collected", "satisfied", false, "b1", "02"),
        );
        let events = [
            Ev { at: "2026-11-23T09:00:00+08:00", kind: "case.intake", subject: n, payload: intake },
            Ev { at: "2026-11-23T09:01:00+08:00", kind: "case.service_rated", subject: n, payload: &a },
            Ev { at: "2026-11-24T09:00:00+08:00", kind: "case.service_rated", subject: n, payload: &b },
            Ev { at: "2026-11-24T10:00:00+08:00", kind: "case.service_rated", subject: n, payload: &c },
            // The same service's rating again (a stream heard twice, a forged copy): nothing.
            Ev { at: "2026-11-24T10:01:00+08:00", kind: "case.service_rated", subject: n, payload: &c },
            // The result was rated at the screen: a return visit's rating of it is not a second.
            Ev { at: "2026-11-25T10:00:00+08:00", kind: "case.rated", subject: n, payload: r#"{"rating":"very_dissatisfied","bad":true,"channel":"visit","on":"2026-11-25"}"# },
            // A rating the rules do not allow (bad, yet marked not bad): nothing.
            Ev { at: "2026-11-25T11:00:00+08:00", kind: "case.service_rated", subject: n, payload: &rated("accepted", "very_dissatisfied", false, "demo", "01") },
            // December's is not November's.
            Ev { at: "2026-12-01T10:00:00+08:00", kind: "case.service_rated", subject: n, payload: &d },
        ];
        let r = fold("示范镇", events, &Calendar::weekends_only(), Period::month(2026, 11).unwrap(), &HashMap::new());
        assert_eq!((r.total.ratings, r.total.satisfied, r.total.bad_ratings), (3, 2, 1));
        let rows: Vec<_> = r.by_staff.iter().map(|s| (s.window.as_str(), s.clerk.as_str(), s.ratings, s.levels, s.bad)).collect();
        assert_eq!(rows, [("01", "demo", 2, [1, 0, 0, 1, 0], 1), ("02", "b1", 1, [0, 1, 0, 0, 0], 0)]);
        assert_eq!(r.by_staff[0].satisfaction_rate(), Some(50.0));
    }

    /// 容缺 acts from two windows cut off from each other: the commitment is judged once, a
    /// termination recorded after the owed photo came counts nothing, and an act recorded after
    /// a termination counts nothing either.
    #[test]
    fn a_commitment_is_judged_once_whatever_two_windows_recorded() {
        let intake = r#"{"item":"CJ-01","catalogue_version":"2026.11","applicant":{"kind":"person","key":"450821196804053025","name":"李秀英","phone":null},"agent":null,"decision":"tolerated","status":"accepted","deemed_accepted":false,"received_on":"2026-11-23","clock_start":"2026-11-23","limit":{"days":20,"unit":"working"},"due":{"date":"2026-12-21","provisional":false,"calendar_version":"2026.1"},"materials":[],"conditions":[],"deficiencies":[{"material":"ZP","name":"照片","problem":"未提交"}],"refusal":null,"handler":"demo","covering_for":null,"owed_by":"2026-11-30"}"#;
        let cleared = r#"{"round":2,"materials":[],"decision":"accepted","status":"accepted","clock_start":null,"due":{"date":"2026-12-21","provisional":false,"calendar_version":"2026.1"},"deficiencies":[],"refusal":null}"#;
        let terminated = r#"{"reason":"逾期","approver":"head","approver_name":"王建国","owed":[],"owed_by":"2026-11-30","status":"terminated","paused":false,"due":null}"#;
        let n = "450821102012026112300001";
        let fold_of = |events: Vec<Ev<'_>>| fold("示范镇", events, &Calendar::weekends_only(), Period::month(2026, 12).unwrap(), &HashMap::new()).total;
        let at = |d: &'static str, kind: &'static str, payload: &'static str| Ev { at: d, kind, subject: n, payload };
        // Cleared on 1 Dec (late) at one window, terminated on 2 Dec at the other (it lost).
        let t = fold_of(vec![
            at("2026-11-23T09:00:00+08:00", "case.intake", intake),
            at("2026-12-01T09:00:00+08:00", "case.supplemented", cleared),
            at("2026-12-02T09:00:00+08:00", "case.terminated", terminated),
        ]);
        assert_eq!((t.commitments_kept, t.commitments_broken, t.terminated, t.accepted), (0, 1, 0, 0));
        // Terminated first; the photo another window took afterwards counts as nothing.
        let t = fold_of(vec![
            at("2026-11-23T09:00:00+08:00", "case.intake", intake),
            at("2026-12-01T09:00:00+08:00", "case.terminated", terminated),
            at("2026-12-01T10:00:00+08:00", "case.supplemented", cleared),
        ]);
        assert_eq!((t.commitments_kept, t.commitments_broken, t.terminated, t.accepted, t.overdue), (0, 1, 1, 0, 0));
    }

    #[test]
    fn a_month_in_progress_counts_overdue_only_what_is_past_due_today() {
        let intake = r#"{"item":"CJ-01","catalogue_version":"2026.11","applicant":{"kind":"person","key":"450821196804053025","name":"李秀英","phone":null},"agent":null,"decision":"accepted","status":"accepted","deemed_accepted":false,"received_on":"2026-12-01","clock_start":"2026-12-01","limit":{"days":20,"unit":"working"},"due":{"date":"2026-12-29","provisional":false,"calendar_version":"2026.1"},"materials":[],"conditions":[],"deficiencies":[],"refusal":null,"handler":"demo","covering_for":null}"#;
        let n = "450821102012026120100001";
        let events = || [Ev { at: "2026-12-01T09:00:00+08:00", kind: "case.intake", subject: n, payload: intake }];
        let month = Period::month(2026, 12).unwrap();
        let on = |d: u32| {
            let p = month.as_of(NaiveDate::from_ymd_opt(2026, 12, d).unwrap());
            fold("示范镇", events(), &Calendar::weekends_only(), p, &HashMap::new()).total.overdue
        };
        assert_eq!(on(1), 0, "on 1 December a case due on the 29th is not overdue");
        assert_eq!(on(29), 0);
        assert_eq!(on(30), 1);
        assert_eq!(fold("示范镇", events(), &Calendar::weekends_only(), month, &HashMap::new()).total.overdue, 1, "the month once over");
        assert_eq!(month.as_of(NaiveDate::from_ymd_opt(2027, 3, 1).unwrap()).until, month.to);
        assert_eq!(month.as_of(NaiveDate::from_ymd_opt(2026, 12, 5).unwrap()).label(), "2026年12月");
    }
}
