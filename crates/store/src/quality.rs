//! Service quality in the store: complaints with their notes, result and feedback (closed by
//! the station head only, never shown to the person complained about); ratings of completed
//! cases, with a rectification task for a bad one; the A/B rota and absences. Every change has
//! its event.

use chrono::{DateTime, FixedOffset, NaiveDate};
use rusqlite::{params, OptionalExtension};
use yichuang_core::FreeText;
use yichuang_core::quality::{complaint_due, on_duty, rating_invitation_due, rectification_due, Absence, Duty};
use yichuang_core::{ComplaintKind, Phone, Rating};

use yichuang_events as ev;
use yichuang_events::Event;

use crate::error::{Result, StoreError};
use crate::inquiries::Channel;
use crate::Store;

#[derive(Debug, Clone)]
pub struct ComplaintInput {
    pub channel: Channel,
    pub complainant: String,
    pub contact: Option<Phone>,
    pub confidential: bool,
    pub matter: String,
    pub about_staff: Option<String>,
    pub case_number: Option<String>,
    /// `None` for an ordinary complaint; `Some(explanation)` for a complex one, with what the
    /// complainant was told about why it takes longer.
    pub complex: Option<String>,
    pub registered_by: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComplaintView {
    pub id: String,
    pub received_at: String,
    pub channel: String,
    /// “（保密）” in place of the name when the complainant asked for confidentiality and the
    /// viewer is not the head.
    pub complainant: String,
    pub contact: Option<String>,
    pub confidential: bool,
    pub matter: String,
    pub about_staff: Option<String>,
    pub case_number: Option<String>,
    pub kind: String,
    pub explanation: Option<String>,
    pub due_date: NaiveDate,
    pub status: String,
    pub result: Option<String>,
    pub feedback_on: Option<String>,
    pub feedback_via: Option<String>,
    pub notes: Vec<(String, String, String)>,
    pub overdue: bool,
}

#[derive(Debug, Clone)]
pub struct RatingInput {
    pub case_number: String,
    pub rating: Rating,
    pub comment: String,
    /// `window`, `visit` or `phone`.
    pub channel: String,
    pub recorded_by: String,
}

/// A completed case in the return-visit list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnVisit {
    pub case_number: String,
    pub item_name: String,
    pub applicant_name: String,
    pub phone: Option<String>,
    /// None for a case still running whose service was rated badly at the rating screen.
    pub completed_on: Option<NaiveDate>,
    /// Unrated 3 days after completion: invite a rating.
    pub invitation_due: bool,
    pub rating: Option<String>,
    /// The rating screen's latest bad rating of any of the case's services, as the head reads
    /// it (“评价器：受理不满意（等候时间过长）”).
    pub screen_bad: Option<String>,
    /// The rating shown is the screen's (the result rated by the applicant's tap).
    pub rated_at_screen: bool,
    /// For a bad rating: the rectification's state, due date and whether it is late.
    pub rectification: Option<(String, NaiveDate, bool)>,
    /// The call-back recorded (its day and what was said), and the rectification's outcome.
    pub callback: Option<(NaiveDate, String)>,
    pub outcome: Option<String>,
}

impl ReturnVisit {
    /// The visit as the head (`head`) or a clerk may read it: the rating screen's levels and
    /// reasons are the head's; a clerk reads that there is a bad one.
    pub fn seen_by(mut self, head: bool) -> Self {
        if !head {
            if self.rated_at_screen {
                self.rating = None;
                // What the head recorded about a rating the applicant gave at the screen is theirs.
                self.callback = None;
                self.outcome = None;
            }
            if self.screen_bad.is_some() {
                self.screen_bad = Some("评价器：有差评（详情由中心负责人查看）".into());
            }
        }
        self
    }
}

/// Who covers a post today.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DutyView {
    pub post: String,
    pub name: String,
    pub a: String,
    pub b: Option<String>,
    pub duty: Duty,
}

fn check_channel(c: &str) -> Result<()> {
    if ["window", "visit", "phone"].contains(&c) {
        Ok(())
    } else {
        Err(StoreError::MissingField("评价渠道（窗口、回访或电话）"))
    }
}

impl Store {
    pub fn register_complaint(&mut self, input: ComplaintInput, now: DateTime<FixedOffset>) -> Result<ComplaintView> {
        let staff = self.require_staff(&input.registered_by)?;
        let complainant = input.complainant.trim();
        if complainant.is_empty() {
            return Err(StoreError::MissingField("投诉人（不愿透露的填“匿名”）"));
        }
        FreeText::line("投诉人", complainant, 50)?;
        let matter = input.matter.trim();
        if matter.is_empty() {
            return Err(StoreError::MissingField("投诉事项"));
        }
        FreeText::note("投诉事项", matter, FreeText::NOTE)?;
        if let Some(who) = &input.about_staff {
            self.staff(who)?;
        }
        if let Some(n) = &input.case_number {
            self.case_row_exists(n)?;
        }
        let settings = self.centre()?.settings.clone();
        let kind = match &input.complex {
            None => ComplaintKind::Ordinary,
            Some(e) if e.trim().is_empty() => return Err(StoreError::MissingField("复杂投诉须写明向投诉人所作的说明")),
            Some(_) => ComplaintKind::complex(settings.complaint_complex_days)?,
        };
        let today = yichuang_core::clock::beijing_day(now);
        let due = complaint_due(&self.calendar, today, kind);
        let id = self.write(&staff.id, now, |w| {
            let seq = w.next_number(&format!("complaint:{}:{}", w.terminal, today.format("%Y%m%d")))?;
            let id = format!("C{}{}{:04}", w.terminal, today.format("%Y%m%d"), seq);
            w.tx.execute(
                "INSERT INTO complaint (id, received_at, channel, complainant, contact, confidential, matter, about_staff,
                    case_number, kind, explanation, due_date, due_provisional, registered_by, status, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, 'open', ?2)",
                params![
                    id,
                    w.now_text(),
                    input.channel.as_str(),
                    complainant,
                    input.contact.as_ref().map(Phone::as_str),
                    input.confidential,
                    matter,
                    input.about_staff,
                    input.case_number,
                    kind.as_str(),
                    input.complex.as_deref().map(str::trim),
                    due.date(),
                    due.provisional(),
                    staff.id,
                ],
            )?;
            w.event(
                &id,
                Event::ComplaintRegistered(ev::ComplaintRegistered {
                    channel: input.channel.as_str().to_owned(),
                    confidential: input.confidential,
                    about_staff: input.about_staff.clone(),
                    case: input.case_number.clone(),
                    kind: kind.as_str().to_owned(),
                    due: due.date(),
                    received_on: today,
                    complainant: Some(complainant.to_owned()),
                    contact: input.contact.as_ref().map(|c| c.as_str().to_owned()),
                    matter: Some(matter.to_owned()),
                    explanation: input.complex.as_deref().map(|e| e.trim().to_owned()),
                }),
            )?;
            Ok(id)
        })?;
        self.complaint(&id, &staff.id, today)
    }

    /// An investigation note.
    pub fn add_complaint_note(&mut self, id: &str, note: &str, actor: &str, now: DateTime<FixedOffset>) -> Result<ComplaintView> {
        let staff = self.require_staff(actor)?;
        let c = self.complaint(id, actor, yichuang_core::clock::beijing_day(now))?;
        if c.status == "closed" {
            return Err(StoreError::Rule("投诉已办结，不能再添加记录".into()));
        }
        if !note.trim().is_empty() {
            FreeText::note("处理记录", note, FreeText::NOTE)?;
        }
        if note.trim().is_empty() {
            return Err(StoreError::MissingField("调查记录"));
        }
        self.write(&staff.id, now, |w| {
            w.tx.execute(
                "INSERT INTO complaint_note (complaint_id, at, actor, note) VALUES (?1, ?2, ?3, ?4)",
                params![id, w.now_text(), staff.id, note.trim()],
            )?;
            w.event(id, Event::ComplaintNoted(ev::Note { note: note.trim().to_owned() }))?;
            Ok(())
        })?;
        self.complaint(id, actor, yichuang_core::clock::beijing_day(now))
    }

    /// The result, and how and when the complainant was told (反馈).
    pub fn answer_complaint(&mut self, id: &str, result: &str, via: &str, actor: &str, now: DateTime<FixedOffset>) -> Result<ComplaintView> {
        let staff = self.require_staff(actor)?;
        let c = self.complaint(id, actor, yichuang_core::clock::beijing_day(now))?;
        if c.status != "open" {
            return Err(StoreError::Rule("该投诉已答复".into()));
        }
        if !result.trim().is_empty() && !via.trim().is_empty() {
            FreeText::note("答复内容", result, FreeText::NOTE)?;
            FreeText::line("答复方式", via, 50)?;
        }
        if result.trim().is_empty() || via.trim().is_empty() {
            return Err(StoreError::MissingField("处理结果和反馈方式"));
        }
        let today = yichuang_core::clock::beijing_day(now);
        let on_time = today <= c.due_date;
        self.write(&staff.id, now, |w| {
            w.tx.execute(
                "UPDATE complaint SET status = 'answered', result = ?2, feedback_on = ?3, feedback_via = ?4, updated_at = ?5 WHERE id = ?1",
                params![id, result.trim(), today, via.trim(), w.now_text()],
            )?;
            w.event(
                id,
                Event::ComplaintAnswered(ev::ComplaintAnswered { result: result.trim().to_owned(), via: via.trim().to_owned(), on: today, on_time }),
            )?;
            Ok(())
        })?;
        self.complaint(id, actor, today)
    }

    /// Closes an answered complaint: the station head only.
    pub fn close_complaint(&mut self, id: &str, actor: &str, now: DateTime<FixedOffset>) -> Result<ComplaintView> {
        let head = self.require_head(actor, "办结投诉")?;
        let c = self.complaint(id, actor, yichuang_core::clock::beijing_day(now))?;
        if c.status != "answered" {
            return Err(StoreError::Rule("投诉须先答复并反馈投诉人，才能办结".into()));
        }
        self.write(&head.id, now, |w| {
            w.tx.execute(
                "UPDATE complaint SET status = 'closed', closed_by = ?2, closed_at = ?3, updated_at = ?3 WHERE id = ?1",
                params![id, head.id, w.now_text()],
            )?;
            w.event(id, Event::ComplaintClosed)?;
            Ok(())
        })?;
        self.complaint(id, actor, yichuang_core::clock::beijing_day(now))
    }

    /// One complaint as `viewer` may see it: not at all when it is about them.
    pub fn complaint(&self, id: &str, viewer: &str, today: NaiveDate) -> Result<ComplaintView> {
        let v = self.read_complaint(id, viewer, today)?.ok_or_else(|| StoreError::NotFound(format!("投诉{id}")))?;
        Ok(v)
    }

    /// The complaints `viewer` may see, open ones first.
    pub fn list_complaints(&self, viewer: &str, open_only: bool, today: NaiveDate) -> Result<Vec<ComplaintView>> {
        let ids: Vec<String> = {
            let mut stmt = self.connection().prepare(
                "SELECT id FROM complaint WHERE (?1 = 0 OR status != 'closed') ORDER BY status = 'closed', due_date, id",
            )?;
            let rows = stmt.query_map([open_only], |r| r.get(0))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        let mut out = vec![];
        for id in ids {
            if let Some(v) = self.read_complaint(&id, viewer, today)? {
                out.push(v);
            }
        }
        Ok(out)
    }

    fn read_complaint(&self, id: &str, viewer: &str, today: NaiveDate) -> Result<Option<ComplaintView>> {
        let is_head = self.staff(viewer).map(|s| s.role == crate::Role::Head).unwrap_or(false);
        let row = self
            .connection()
            .query_row(
                "SELECT id, received_at, channel, complainant, contact, confidential, matter, about_staff, case_number, kind,
                        explanation, due_date, status, result, feedback_on, feedback_via
                 FROM complaint WHERE id = ?1",
                [id],
                |r| {
                    Ok(ComplaintView {
                        id: r.get(0)?,
                        received_at: r.get(1)?,
                        channel: r.get(2)?,
                        complainant: r.get(3)?,
                        contact: r.get(4)?,
                        confidential: r.get(5)?,
                        matter: r.get(6)?,
                        about_staff: r.get(7)?,
                        case_number: r.get(8)?,
                        kind: r.get(9)?,
                        explanation: r.get(10)?,
                        due_date: r.get(11)?,
                        status: r.get(12)?,
                        result: r.get(13)?,
                        feedback_on: r.get(14)?,
                        feedback_via: r.get(15)?,
                        notes: vec![],
                        overdue: false,
                    })
                },
            )
            .optional()?;
        let Some(mut v) = row else { return Ok(None) };
        // A complaint about a person is never shown to that person.
        if v.about_staff.as_deref() == Some(viewer) {
            return Ok(None);
        }
        if v.confidential && !is_head {
            v.complainant = "（保密）".into();
            v.contact = None;
        }
        v.overdue = v.status == "open" && today > v.due_date;
        let mut stmt = self.connection().prepare("SELECT at, actor, note FROM complaint_note WHERE complaint_id = ?1 ORDER BY id")?;
        v.notes = stmt.query_map([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect::<rusqlite::Result<_>>()?;
        Ok(Some(v))
    }

    fn case_row_exists(&self, number: &str) -> Result<()> {
        let found: bool = self.connection().query_row("SELECT EXISTS (SELECT 1 FROM case_file WHERE number = ?1)", [number], |r| r.get(0))?;
        if found {
            Ok(())
        } else {
            Err(StoreError::NotFound(format!("办件{number}")))
        }
    }

    /// Records a completed case's rating; a bad one opens a rectification for the head.
    pub fn record_rating(&mut self, input: RatingInput, now: DateTime<FixedOffset>) -> Result<ReturnVisit> {
        let staff = self.require_staff(&input.recorded_by)?;
        check_channel(&input.channel)?;
        if input.channel == "window" && self.centre()?.settings.rating_screen {
            return Err(StoreError::Rule("本中心窗口配有评价器：在窗口的评价由申请人在评价器上点选，工作人员不能代为录入".into()));
        }
        let completed: Option<Option<NaiveDate>> = self
            .connection()
            .query_row("SELECT completed_on FROM case_file WHERE number = ?1", [&input.case_number], |r| r.get(0))
            .optional()?;
        let Some(completed) = completed else { return Err(StoreError::NotFound(format!("办件{}", input.case_number))) };
        if completed.is_none() {
            return Err(StoreError::Rule("办件尚未办结，办结后才能评价".into()));
        }
        let already: bool =
            self.connection().query_row("SELECT EXISTS (SELECT 1 FROM rating WHERE case_number = ?1)", [&input.case_number], |r| r.get(0))?;
        if already {
            return Err(StoreError::Rule("该办件已评价过，每件只评一次".into()));
        }

        if input.rating.is_bad() && input.comment.trim().is_empty() {
            return Err(StoreError::MissingField("差评须记录申请人的意见"));
        }
        let today = yichuang_core::clock::beijing_day(now);
        let days = self.centre()?.settings.rectification_days;
        let rect = if input.rating.is_bad() {
            Some(rectification_due(&self.calendar, today, days)?)
        } else {
            None
        };
        self.write(&staff.id, now, |w| {
            // Read inside the change: the screen's rating of the result is the case's rating.
            let at_screen: bool = w.tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM service_rating WHERE case_number = ?1 AND service IN ('collected', 'immediate'))",
                [&input.case_number],
                |r| r.get(0),
            )?;
            if at_screen {
                return Err(StoreError::Rule("申请人已在评价器上对办理结果作出评价，每件只评一次".into()));
            }
            // A rating screen's bad rating may have opened the case's rectification already.
            let opened = match &rect {
                Some(due) => crate::service_rating::open_rectification(w.tx, &input.case_number, due.date(), due.provisional(), &w.now_text())?,
                None => false,
            };
            w.tx.execute(
                "INSERT INTO rating (case_number, rating, comment, channel, rated_on, recorded_by, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![input.case_number, input.rating.as_str(), input.comment.trim(), input.channel, today, staff.id, w.now_text()],
            )?;
            w.event(
                &input.case_number,
                Event::CaseRated(ev::CaseRated {
                    rating: input.rating.as_str().to_owned(),
                    bad: input.rating.is_bad(),
                    channel: input.channel.to_string(),
                    on: today,
                    rectification_due: opened.then(|| rect.as_ref().map(|d| d.date())).flatten(),
                }),
            )?;
            Ok(())
        })?;
        self.return_visit(&input.case_number, today)
    }

    /// The call-back to a bad rating, and then the rectification's outcome (the head).
    pub fn rectify(&mut self, case_number: &str, callback: Option<&str>, outcome: Option<&str>, actor: &str, now: DateTime<FixedOffset>) -> Result<ReturnVisit> {
        let today = yichuang_core::clock::beijing_day(now);
        let status: Option<String> = self
            .connection()
            .query_row("SELECT status FROM rectification WHERE case_number = ?1", [case_number], |r| r.get(0))
            .optional()?;
        match status.as_deref() {
            None => return Err(StoreError::NotFound(format!("办件{case_number}的整改"))),
            Some("done") => return Err(StoreError::Rule("整改已完成".into())),
            _ => {}
        }
        let staff = if outcome.is_some() { self.require_head(actor, "完成差评整改")? } else { self.require_staff(actor)? };
        self.write(&staff.id, now, |w| {
            if let Some(note) = callback.map(str::trim).filter(|n| !n.is_empty()) {
                w.tx.execute(
                    "UPDATE rectification SET callback_on = ?2, callback_note = ?3, updated_at = ?4 WHERE case_number = ?1",
                    params![case_number, today, note, w.now_text()],
                )?;
                w.event(case_number, Event::RectificationCallback(ev::RectificationCallback { on: today, note: note.to_string() }))?;
            }
            if let Some(o) = outcome.map(str::trim).filter(|n| !n.is_empty()) {
                w.tx.execute(
                    "UPDATE rectification SET outcome = ?2, done_on = ?3, done_by = ?4, status = 'done', updated_at = ?5 WHERE case_number = ?1",
                    params![case_number, o, today, staff.id, w.now_text()],
                )?;
                w.event(case_number, Event::RectificationDone(ev::RectificationDone { on: today, outcome: o.to_string() }))?;
            }
            Ok(())
        })?;
        self.return_visit(case_number, today)
    }

    fn return_visit(&self, number: &str, today: NaiveDate) -> Result<ReturnVisit> {
        self.return_visits(today, Some(number))?.pop().ok_or_else(|| StoreError::NotFound(format!("办件{number}")))
    }

    /// The return-visit list as `viewer` may see it: the rating screen's levels and reasons
    /// are the head's to read (the applicant rated the clerk; the clerk is told that a rating
    /// came in, not which); a clerk sees that there is one and the rectification.
    pub fn return_visits_seen_by(&self, today: NaiveDate, viewer: &str) -> Result<Vec<ReturnVisit>> {
        let head = self.staff(viewer)?.role == crate::Role::Head;
        Ok(self.return_visits(today, None)?.into_iter().map(|v| v.seen_by(head)).collect())
    }

    /// The rectifications finished, newest first, with their call-backs and outcomes (as the
    /// viewer may read them): what was done about each bad rating stays to be read.
    pub fn finished_rectifications_seen_by(&self, today: NaiveDate, viewer: &str) -> Result<Vec<ReturnVisit>> {
        let head = self.staff(viewer)?.role == crate::Role::Head;
        let mut stmt = self.connection().prepare("SELECT case_number FROM rectification WHERE status = 'done' ORDER BY done_on DESC, case_number LIMIT 500")?;
        let numbers: Vec<String> = stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
        let mut out = vec![];
        for n in numbers {
            out.extend(self.return_visits(today, Some(&n))?.into_iter().map(|v| v.seen_by(head)));
        }
        Ok(out)
    }

    /// Completed cases for return visits: unrated ones (with an invitation once 3 days have
    /// passed), and bad ratings with their rectification. `only` narrows to one case.
    pub fn return_visits(&self, today: NaiveDate, only: Option<&str>) -> Result<Vec<ReturnVisit>> {
        let mut stmt = self.connection().prepare(
            // A case is listed once completed (to invite its rating, then for a bad one), or while a
            // rectification is open whatever its state (a rating screen's bad rating of an intake).
            // The rating screen's rating of the result (the collection, an immediate case) is its
            // rating for the return visit too.
            "SELECT c.number, coalesce(i.name, c.item_code), a.name, a.phone, c.completed_on,
                    coalesce(r.rating, (SELECT s.rating FROM service_rating s WHERE s.case_number = c.number
                                        AND s.service IN ('collected', 'immediate') ORDER BY s.rowid DESC LIMIT 1)),
                    x.status, x.due_date,
                    r.rating IS NOT NULL OR EXISTS (SELECT 1 FROM service_rating s WHERE s.case_number = c.number AND s.service IN ('collected', 'immediate')),
                    r.rating IS NULL,
                    (SELECT s.rating || '|' || s.service || '|' || s.reasons FROM service_rating s
                     WHERE s.case_number = c.number AND s.rating IN ('dissatisfied', 'very_dissatisfied') ORDER BY s.rowid DESC LIMIT 1),
                    x.callback_on, x.callback_note, x.outcome
             FROM case_file c JOIN applicant a ON a.id = c.applicant_id
             LEFT JOIN catalogue_item i ON i.version = c.catalogue_version AND i.code = c.item_code
             LEFT JOIN rating r ON r.case_number = c.number
             LEFT JOIN rectification x ON x.case_number = c.number
             WHERE (c.completed_on IS NOT NULL OR x.status IS NOT NULL) AND (?1 IS NULL OR c.number = ?1)
               AND (?1 IS NOT NULL OR x.status = 'open'
                    OR (c.completed_on IS NOT NULL AND r.rating IS NULL
                        AND NOT EXISTS (SELECT 1 FROM service_rating s WHERE s.case_number = c.number AND s.service IN ('collected', 'immediate'))))
             ORDER BY coalesce(c.completed_on, x.due_date) DESC, c.number LIMIT 500",
        )?;
        let rows = stmt.query_map(params![only], |r| {
            let completed_on: Option<NaiveDate> = r.get(4)?;
            let rating: Option<String> = r.get(5)?;
            let rated: bool = r.get(8)?;
            // The rating screen's latest bad rating, for the head's rectification: level, service, reasons.
            let from_screen: bool = r.get(9)?;
            let screen_bad = r.get::<_, Option<String>>(10)?.and_then(|t| {
                let mut p = t.splitn(3, '|');
                let (level, service, reasons) = (p.next()?, p.next()?, p.next()?);
                let level = Rating::parse(level).ok()?.label();
                let service = yichuang_core::Service::parse(service).ok()?.label();
                let reasons: Vec<String> = serde_json::from_str(reasons).unwrap_or_default();
                Some(if reasons.is_empty() { format!("评价器：{service}{level}") } else { format!("评价器：{service}{level}（{}）", reasons.join("、")) })
            });
            let rect: Option<(String, NaiveDate)> = match (r.get::<_, Option<String>>(6)?, r.get::<_, Option<NaiveDate>>(7)?) {
                (Some(s), Some(d)) => Some((s, d)),
                _ => None,
            };
            Ok(ReturnVisit {
                case_number: r.get(0)?,
                item_name: r.get(1)?,
                applicant_name: r.get(2)?,
                phone: r.get(3)?,
                completed_on,
                invitation_due: !rated && completed_on.is_some_and(|c| rating_invitation_due(c, today)),
                rated_at_screen: from_screen && rating.is_some(),
                rating,
                screen_bad,
                rectification: rect.map(|(s, d)| (s.clone(), d, s == "open" && today > d)),
                callback: match (r.get::<_, Option<NaiveDate>>(11)?, r.get::<_, Option<String>>(12)?) {
                    (Some(on), Some(note)) => Some((on, note)),
                    _ => None,
                },
                outcome: r.get(13)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Sets up a post with its A and B staff (the head).
    pub fn set_post(&mut self, code: &str, name: &str, a: &str, b: Option<&str>, actor: &str, now: DateTime<FixedOffset>) -> Result<()> {
        let head = self.require_head(actor, "设置AB岗")?;
        let (code, name) = (code.trim(), name.trim());
        if code.is_empty() || name.is_empty() {
            return Err(StoreError::MissingField("窗口岗位的编号和名称"));
        }
        self.require_staff(a)?;
        if let Some(b) = b {
            self.require_staff(b)?;
            if b == a {
                return Err(StoreError::Rule("A岗与B岗不能是同一人".into()));
            }
        }
        self.write(&head.id, now, |w| {
            w.tx.execute(
                "INSERT INTO post (code, name, a_staff, b_staff, updated_at) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (code) DO UPDATE SET name = excluded.name, a_staff = excluded.a_staff, b_staff = excluded.b_staff, updated_at = excluded.updated_at",
                params![code, name, a, b, w.now_text()],
            )?;
            w.event(code, Event::PostSet(ev::PostSet { name: name.to_string(), a: a.to_string(), b: b.map(|b| b.to_string()) }))?;
            Ok(())
        })
    }

    /// Registers leave, a meeting or training.
    pub fn record_absence(&mut self, staff: &str, from: NaiveDate, to: NaiveDate, reason: &str, actor: &str, now: DateTime<FixedOffset>) -> Result<()> {
        let recorder = self.require_staff(actor)?;
        self.require_staff(staff)?;
        Absence::new(staff, from, to)?;
        if !reason.trim().is_empty() {
            FreeText::note("缺岗原因", reason, FreeText::REASON)?;
        }
        if reason.trim().is_empty() {
            return Err(StoreError::MissingField("请假或外出事由"));
        }
        self.write(&recorder.id, now, |w| {
            w.tx.execute(
                "INSERT INTO absence (staff, from_date, to_date, reason, recorded_by, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![staff, from, to, reason.trim(), recorder.id, w.now_text()],
            )?;
            w.event(staff, Event::StaffAbsent(ev::StaffAbsent { from, to, reason: reason.trim().to_owned() }))?;
            Ok(())
        })
    }

    fn absences_on(&self, day: NaiveDate) -> Result<Vec<Absence>> {
        let mut stmt = self.connection().prepare("SELECT staff, from_date, to_date FROM absence WHERE from_date <= ?1 AND to_date >= ?1")?;
        let rows = stmt.query_map([day], |r| Ok(Absence { staff: r.get(0)?, from: r.get(1)?, to: r.get(2)? }))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Who covers each post on `day`.
    pub fn duty(&self, day: NaiveDate) -> Result<Vec<DutyView>> {
        let away = self.absences_on(day)?;
        let mut stmt = self.connection().prepare("SELECT code, name, a_staff, b_staff FROM post ORDER BY code")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, Option<String>>(3)?)))?;
        let mut out = vec![];
        for row in rows {
            let (post, name, a, b) = row?;
            let duty = on_duty(&a, b.as_deref().unwrap_or(""), day, &away);
            out.push(DutyView { post, name, a, b, duty });
        }
        Ok(out)
    }

    /// The A whom `clerk` covers today as B, if any (recorded on the case).
    pub(crate) fn covering_for(&self, clerk: &str, day: NaiveDate) -> Result<Option<String>> {
        Ok(self.duty(day)?.into_iter().find_map(|d| match d.duty {
            Duty::B { b, for_a } if b == clerk => Some(for_a),
            _ => None,
        }))
    }
}
