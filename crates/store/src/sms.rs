//! The applicant told by SMS: consent recorded with the intake, messages queued as events for
//! HQ to send (the terminal never holds a gateway's keys), and what HQ reports of them.
//! The rules of whom, what and when are `yichuang_core::sms`'s.

use chrono::{DateTime, FixedOffset, NaiveDate};
use rusqlite::{params, Connection, OptionalExtension};
use yichuang_core::sms::{self as rules, Message, Mobile, Notice};
use yichuang_core::Phone;
use yichuang_events::{self as ev, Event};

use crate::{Centre, Result, Store, StoreError, Writer};

/// A queued message as the case page lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmsRow {
    pub queued_event: String,
    pub notice: Notice,
    pub occasion: String,
    pub phone_masked: String,
    pub text: String,
    pub status: String,
    pub status_at: Option<String>,
    pub detail: Option<String>,
}

/// What HQ reported of a message, in its signed relay answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmsReport {
    pub queued_event: String,
    pub case_number: String,
    pub status: String,
    pub at: String,
    pub detail: Option<String>,
}

/// The consent of an intake: the number it is for, checked before anything is written.
pub(crate) fn consent_phone(consent: bool, phone: Option<&Phone>) -> Result<Option<Mobile>> {
    if !consent {
        return Ok(None);
    }
    Ok(Some(Mobile::of(phone)?))
}

/// Records the consent of a case just taken in, in the intake's transaction.
pub(crate) fn record_consent(w: &Writer<'_>, case: &str, mobile: &Mobile) -> Result<()> {
    w.tx.execute("UPDATE case_file SET sms_phone = ?2 WHERE number = ?1", params![case, mobile.as_str()])?;
    w.event(case, Event::CaseSmsConsent(ev::CaseSmsConsent { given: true, phone: Some(mobile.as_str().to_owned()) }))?;
    Ok(())
}

/// Queues `notice` for `case` inside the caller's transaction, if the applicant consented and
/// it was not queued for this occasion before (here or at another window). Whether it was
/// queued.
pub(crate) fn queue(w: &Writer<'_>, centre: &Centre, case: &str, notice: Notice, occasion: &str, day: Option<NaiveDate>) -> Result<bool> {
    let row: Option<(Option<String>, String, String)> = w
        .tx
        .query_row("SELECT sms_phone, catalogue_version, item_code FROM case_file WHERE number = ?1", [case], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .optional()?;
    let Some((Some(phone), version, code)) = row else { return Ok(false) };
    let done: bool = w.tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM sms_notice WHERE case_number = ?1 AND notice = ?2 AND occasion = ?3)",
        params![case, notice.as_str(), occasion],
        |r| r.get(0),
    )?;
    if done {
        return Ok(false);
    }
    // A message that cannot be made (an item name that looks like an ID number) is not sent;
    // it never stops the act it would have told of.
    let item = crate::documents::item_from(w.tx, &version, &code)?;
    let Ok(message) = Message::new(notice, &centre.name, item.name(), day) else { return Ok(false) };
    let seq = w.event(
        case,
        Event::CaseSmsQueued(ev::CaseSmsQueued {
            notice: notice.as_str().to_owned(),
            occasion: occasion.to_owned(),
            phone: phone.clone(),
            params: message.params.clone(),
            text: message.text.clone(),
        }),
    )?;
    let id: String = w.tx.query_row("SELECT id FROM event WHERE seq = ?1", [seq], |r| r.get(0))?;
    insert_notice(w.tx, &id, case, notice, occasion, &phone, &message.text, true, &w.now_text())?;
    Ok(true)
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn insert_notice(
    conn: &Connection,
    id: &str,
    case: &str,
    notice: Notice,
    occasion: &str,
    phone: &str,
    text: &str,
    own: bool,
    at: &str,
) -> Result<bool> {
    let n = conn.execute(
        "INSERT INTO sms_notice (queued_event, case_number, notice, occasion, phone, text, own, queued_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT DO NOTHING",
        params![id, case, notice.as_str(), occasion, phone, text, own, at],
    )?;
    Ok(n == 1)
}

/// Applies what a report says to the message's row; whether it changed anything. A status
/// never goes back (a late `sent` after `delivered` is no news).
pub(crate) fn apply_report(conn: &Connection, queued: &str, status: &str, at: &str, detail: Option<&str>) -> Result<bool> {
    let rank = |s: &str| match s {
        "queued" => 0,
        "sent" => 1,
        _ => 2,
    };
    let Some(current) = conn.query_row("SELECT status FROM sms_notice WHERE queued_event = ?1", [queued], |r| r.get::<_, String>(0)).optional()? else {
        return Ok(false);
    };
    if rank(status) <= rank(&current) {
        return Ok(false);
    }
    conn.execute(
        "UPDATE sms_notice SET status = ?2, status_at = ?3, detail = ?4 WHERE queued_event = ?1",
        params![queued, status, at, detail],
    )?;
    Ok(true)
}

impl Store {
    /// Queues the reminders and invitations that are due on `now`'s day, in one transaction:
    /// owed materials due in two working days, a supplement notice waiting five working days,
    /// the invitation to rate a service that ended and was not rated. Each once. How many.
    /// With nothing due nothing is written (Today opens this way many times a day).
    pub fn queue_due_sms(&mut self, now: DateTime<FixedOffset>) -> Result<usize> {
        let centre = self.centre()?.clone();
        let calendar = self.calendar.clone();
        let today = yichuang_core::clock::beijing_day(now);
        if due_sms(self.connection(), &calendar, today)?.is_empty() {
            return Ok(0);
        }
        self.write("system", now, |w| {
            let mut queued = 0;
            // Read again where it is acted on.
            for (case, notice, occasion, day) in due_sms(w.tx, &calendar, today)? {
                queued += usize::from(queue(w, &centre, &case, notice, &occasion, day)?);
            }
            Ok(queued)
        })
    }

    /// The applicant withdraws their consent (个人信息保护法 第15条): nothing more is queued,
    /// and HQ sends nothing still waiting.
    pub fn withdraw_sms_consent(&mut self, case: &str, actor: &str, now: DateTime<FixedOffset>) -> Result<()> {
        let staff = self.require_staff(actor)?;
        self.write(&staff.id, now, |w| {
            let phone: Option<Option<String>> =
                w.tx.query_row("SELECT sms_phone FROM case_file WHERE number = ?1", [case], |r| r.get(0)).optional()?;
            match phone {
                None => return Err(StoreError::UnknownCase(case.to_owned())),
                Some(None) => return Err(StoreError::Rule("该办件的申请人没有同意短信通知，无需撤回".into())),
                Some(Some(_)) => {}
            }
            w.tx.execute("UPDATE case_file SET sms_phone = NULL WHERE number = ?1", [case])?;
            w.event(case, Event::CaseSmsConsent(ev::CaseSmsConsent { given: false, phone: None }))?;
            Ok(())
        })
    }

    /// The messages of a case, in the order they were queued.
    pub fn sms_of(&self, case: &str) -> Result<Vec<SmsRow>> {
        let mut stmt = self.connection().prepare(
            "SELECT queued_event, notice, occasion, phone, text, status, status_at, detail FROM sms_notice
             WHERE case_number = ?1 ORDER BY queued_at, rowid",
        )?;
        let rows = stmt.query_map([case], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, Option<String>>(6)?,
                r.get::<_, Option<String>>(7)?,
            ))
        })?;
        let mut out = vec![];
        for row in rows {
            let (queued_event, notice, occasion, phone, text, status, status_at, detail) = row?;
            let phone_masked = Phone::parse(&phone).map(|p| p.masked()).unwrap_or_else(|_| "***".into());
            out.push(SmsRow { queued_event, notice: Notice::parse(&notice)?, occasion, phone_masked, text, status, status_at, detail });
        }
        Ok(out)
    }

    /// Records what HQ reported of a message this terminal queued, as an event in its own
    /// stream (the other windows learn it from that); a report of another window's message,
    /// of one unknown here, or one that is no news, writes nothing. Whether it was recorded.
    pub fn note_sms_report(&mut self, report: &SmsReport, now: DateTime<FixedOffset>) -> Result<bool> {
        if !ev::CaseSmsReported::STATUSES.contains(&report.status.as_str()) {
            return Err(StoreError::Rule(format!("县级报告的短信状态“{}”无法识别", report.status)));
        }
        if chrono::DateTime::parse_from_rfc3339(&report.at).is_err() {
            return Err(StoreError::Rule("县级报告的短信状态时间格式不对".into()));
        }
        let detail = report.detail.as_deref().map(|d| d.chars().take(100).collect::<String>());
        self.write("system", now, |w| {
            let own: Option<(String, bool)> = w
                .tx
                .query_row("SELECT case_number, own FROM sms_notice WHERE queued_event = ?1", [&report.queued_event], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?;
            let Some((case, true)) = own else { return Ok(false) };
            if case != report.case_number {
                return Err(StoreError::Rule("县级报告的短信与办件不符".into()));
            }
            if !apply_report(w.tx, &report.queued_event, &report.status, &report.at, detail.as_deref())? {
                return Ok(false);
            }
            w.event(
                &case,
                Event::CaseSmsReported(ev::CaseSmsReported {
                    queued: report.queued_event.clone(),
                    status: report.status.clone(),
                    at: report.at.clone(),
                    detail: detail.clone(),
                }),
            )?;
            Ok(true)
        })
    }
}

/// A message due: its case, notice, occasion, and the day it names.
type Due = (String, Notice, String, Option<NaiveDate>);

/// What is due on `today` and not yet queued.
fn due_sms(conn: &Connection, calendar: &yichuang_core::Calendar, today: NaiveDate) -> Result<Vec<Due>> {
    let mut due = vec![];
    let owing = collect(
        conn,
        "SELECT number, owed_by FROM case_file WHERE sms_phone IS NOT NULL AND owed IS NOT NULL AND owed_by IS NOT NULL
           AND status IN ('accepted', 'forwarded')",
    )?;
    for (case, owed_by) in owing {
        if rules::owed_reminder_due(calendar, owed_by, today) {
            due.push((case, Notice::OwedDue, owed_by.to_string(), Some(owed_by)));
        }
    }
    let waiting = collect(
        conn,
        "SELECT c.number, max(substr(d.issued_at, 1, 10)) FROM case_file c JOIN document d ON d.case_number = c.number
         WHERE c.sms_phone IS NOT NULL AND c.status = 'awaiting_supplement' AND d.kind = 'supplement' AND d.voided_at IS NULL
         GROUP BY c.number",
    )?;
    for (case, notice_day) in waiting {
        if rules::supplement_reminder_on(calendar, notice_day) <= today {
            due.push((case, Notice::SupplementReminder, notice_day.to_string(), None));
        }
    }
    // A service ended: handled on the spot, or collected; not rated at the window for its
    // result, nor at a return visit.
    let ended = collect(
        conn,
        "SELECT c.number, coalesce(CASE WHEN c.status = 'completed' THEN c.completed_on END, substr(c.updated_at, 1, 10))
         FROM case_file c
         WHERE c.sms_phone IS NOT NULL AND c.status IN ('completed', 'collected')
           AND NOT EXISTS (SELECT 1 FROM rating r WHERE r.case_number = c.number)
           AND NOT EXISTS (SELECT 1 FROM service_rating s WHERE s.case_number = c.number AND s.service IN ('immediate', 'collected'))",
    )?;
    for (case, day) in ended {
        if rules::rating_invite_due(day, today) {
            due.push((case, Notice::RatingInvite, "1".to_owned(), None));
        }
    }
    let mut stmt = conn.prepare_cached("SELECT EXISTS (SELECT 1 FROM sms_notice WHERE case_number = ?1 AND notice = ?2 AND occasion = ?3)")?;
    let mut out = vec![];
    for d in due {
        if !stmt.query_row(params![d.0, d.1.as_str(), d.2], |r| r.get::<_, bool>(0))? {
            out.push(d);
        }
    }
    Ok(out)
}

fn collect(conn: &Connection, sql: &str) -> Result<Vec<(String, NaiveDate)>> {
    let mut stmt = conn.prepare(sql)?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
    let mut out = vec![];
    for row in rows {
        let (case, day) = row?;
        if let Ok(day) = day.parse() {
            out.push((case, day));
        }
    }
    Ok(out)
}
