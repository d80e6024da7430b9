//! 一次一评 at the rating screen (评价器): the service just given at this window, as the screen
//! that faces the applicant shows it, and the applicant's tap on it. Who served and where are
//! read from the service's own event, never from the screen; each service is rated once.

use chrono::{DateTime, FixedOffset, NaiveDate};
use rusqlite::{params, OptionalExtension};
use yichuang_core::quality::limits::SCREEN_RATING_MINUTES;
use yichuang_core::quality::rectification_due;
use yichuang_core::{BadReasons, Rating, Service};
use yichuang_events as ev;
use yichuang_events::Event;

use crate::error::{Result, StoreError};
use crate::Store;

/// The kinds of event that record a service at the counter.
const SERVICE_KINDS: &str = "'case.intake', 'case.supplemented', 'case.collected'";

/// A service the applicant may rate, as the rating screen shows it (the ID masked).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceToRate {
    pub service_event: String,
    pub case_number: String,
    pub service: Service,
    pub clerk: String,
    pub item_name: String,
    pub applicant_name: String,
    pub applicant_id_masked: String,
    /// The documents this service issued: (title, number).
    pub documents: Vec<(String, String)>,
    pub due_date: Option<NaiveDate>,
}

/// What the applicant's tap recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceRated {
    pub case_number: String,
    pub service: Service,
    pub rating: Rating,
    /// The rectification this bad rating opened (none when one was open already).
    pub rectification_due: Option<NaiveDate>,
}

/// The per-service ratings a case has, for its page: (service, rating, on).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceRatingRow {
    pub service: Service,
    pub rating: Rating,
    pub reasons: Vec<String>,
    pub clerk: String,
    pub on: NaiveDate,
}

impl Store {
    /// The service this window gave last, if it was on `case_number`, was given less than
    /// [`SCREEN_RATING_MINUTES`] ago and is not rated yet: what the rating screen may ask about.
    pub fn service_to_rate(&self, case_number: &str, now: DateTime<FixedOffset>) -> Result<Option<ServiceToRate>> {
        let Some(last) = latest_service(self.connection(), now)? else { return Ok(None) };
        if last.case_number != case_number {
            return Ok(None);
        }
        let today = yichuang_core::clock::beijing_day(now);
        let LastService { seq, id, clerk, service, .. } = last;
        let rated: bool =
            self.connection().query_row("SELECT EXISTS (SELECT 1 FROM service_rating WHERE service_event = ?1)", [&id], |r| r.get(0))?;
        if rated {
            return Ok(None);
        }
        let case = self.case(case_number, today)?;
        // The documents issued with the service: the document events that follow it in the same
        // change, before the next event of anything else.
        let mut stmt = self.connection().prepare(
            "SELECT e.subject FROM event e WHERE e.kind = 'document.issued' AND e.seq > ?1
               AND e.seq < coalesce((SELECT min(seq) FROM event WHERE seq > ?1 AND kind <> 'document.issued'), 9223372036854775807)
             ORDER BY e.seq",
        )?;
        let issued: Vec<String> = stmt.query_map([seq], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
        let documents = case
            .documents
            .iter()
            .filter(|d| !d.voided && issued.contains(&d.number))
            .map(|d| (d.kind.title().to_owned(), d.number.clone()))
            .collect();
        Ok(Some(ServiceToRate {
            service_event: id,
            case_number: case.number,
            service,
            clerk,
            item_name: case.item_name,
            applicant_name: case.applicant.name,
            applicant_id_masked: case.applicant.id_masked,
            documents,
            due_date: case.due_date,
        }))
    }

    /// Records the applicant's rating of the service this window gave last (less than
    /// [`SCREEN_RATING_MINUTES`] ago). A bad one opens the case's rectification for the head (or
    /// joins the one still open). Refused, with nothing written, for any other service, one
    /// already rated, or the result of a case already rated at a return visit.
    pub fn rate_service(&mut self, service_event: &str, rating: Rating, reasons: &BadReasons, now: DateTime<FixedOffset>) -> Result<ServiceRated> {
        if !rating.is_bad() && !reasons.is_empty() {
            return Err(StoreError::Rule("只有不满意的评价才选择原因".into()));
        }
        let days = self.centre()?.settings.rectification_days;
        let today = yichuang_core::clock::beijing_day(now);
        let rect = if rating.is_bad() { Some(rectification_due(&self.calendar, today, days)?) } else { None };
        // Who served, read before the change only to name its actor; everything the rating
        // depends on is read again inside it.
        let clerk = match latest_service(self.connection(), now)? {
            Some(s) if s.id == service_event => s.clerk,
            _ => return Err(not_the_latest(self.connection(), service_event)?),
        };
        self.write(&clerk, now, |w| {
            let Some(last) = latest_service(w.tx, now)?.filter(|s| s.id == service_event) else {
                return Err(not_the_latest(w.tx, service_event)?);
            };
            let service = last.service;
            let rated: bool =
                w.tx.query_row("SELECT EXISTS (SELECT 1 FROM service_rating WHERE service_event = ?1)", [service_event], |r| r.get(0))?;
            if rated {
                return Err(StoreError::Rule("这次服务已经评价过了（一次一评）".into()));
            }
            let result = matches!(service, Service::Collected | Service::Immediate);
            let visited: bool = w.tx.query_row("SELECT EXISTS (SELECT 1 FROM rating WHERE case_number = ?1)", [&last.case_number], |r| r.get(0))?;
            if result && visited {
                return Err(StoreError::Rule("该办件的办理结果已在回访中评价过（一次一评）".into()));
            }
            w.tx.execute(
                "INSERT INTO service_rating (service_event, case_number, service, rating, reasons, clerk, terminal, rated_on, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![
                    service_event,
                    last.case_number,
                    service.as_str(),
                    rating.as_str(),
                    serde_json::to_string(reasons.as_slice()).unwrap_or_else(|_| "[]".into()),
                    last.clerk,
                    last.terminal,
                    today,
                    w.now_text()
                ],
            )?;
            let opened = match &rect {
                Some(due) => open_rectification(w.tx, &last.case_number, due.date(), due.provisional(), &w.now_text())?,
                None => false,
            };
            let rectification_due = rect.as_ref().filter(|_| opened).map(|d| d.date());
            w.event(
                &last.case_number,
                Event::CaseServiceRated(ev::CaseServiceRated {
                    service_event: service_event.to_owned(),
                    service: service.as_str().to_owned(),
                    rating: rating.as_str().to_owned(),
                    bad: rating.is_bad(),
                    reasons: reasons.as_slice().iter().map(|r| (*r).to_owned()).collect(),
                    clerk: last.clerk.clone(),
                    window: last.terminal.clone(),
                    on: today,
                    rectification_due,
                }),
            )?;
            Ok(ServiceRated { case_number: last.case_number.clone(), service, rating, rectification_due })
        })
    }

    /// The ratings a case's services were given at the rating screen, in order.
    pub fn service_ratings(&self, case_number: &str) -> Result<Vec<ServiceRatingRow>> {
        let mut stmt = self.connection().prepare(
            "SELECT service, rating, reasons, clerk, rated_on FROM service_rating WHERE case_number = ?1 ORDER BY rowid",
        )?;
        let rows = stmt.query_map([case_number], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, String>(3)?, r.get::<_, NaiveDate>(4)?))
        })?;
        let mut out = vec![];
        for row in rows {
            let (service, rating, reasons, clerk, on) = row?;
            out.push(ServiceRatingRow {
                service: Service::parse(&service)?,
                rating: Rating::parse(&rating)?,
                reasons: serde_json::from_str(&reasons).map_err(|_| StoreError::Rule(format!("办件{case_number}的评价原因无法读取")))?,
                clerk,
                on,
            });
        }
        Ok(out)
    }
}

/// Opens the case's rectification for a bad rating, or opens again one that was done; one
/// still open takes the new rating as it is. Says whether it opened one.
pub(crate) fn open_rectification(tx: &rusqlite::Connection, case_number: &str, due: NaiveDate, provisional: bool, now: &str) -> Result<bool> {
    // A rectification done before this rating opens again for a new round (the last round's
    // call-back and outcome stay in its events); one done after it (another window's, heard
    // late) stays done, so that every window ends alike whatever order the events came in.
    let n = tx.execute(
        "INSERT INTO rectification (case_number, due_date, due_provisional, status, updated_at) VALUES (?1, ?2, ?3, 'open', ?4)
         ON CONFLICT (case_number) DO UPDATE SET due_date = excluded.due_date, due_provisional = excluded.due_provisional,
             status = 'open', callback_on = NULL, callback_note = NULL, outcome = NULL, done_on = NULL, done_by = NULL,
             updated_at = excluded.updated_at
         WHERE rectification.status = 'done' AND rectification.updated_at < excluded.updated_at",
        params![case_number, due, provisional, now],
    )?;
    Ok(n > 0)
}

/// The service this terminal gave last (its newest intake, supplement or collection event),
/// when it was given less than [`SCREEN_RATING_MINUTES`] before `now`.
struct LastService {
    seq: i64,
    id: String,
    case_number: String,
    clerk: String,
    terminal: String,
    service: Service,
}

fn latest_service(conn: &rusqlite::Connection, now: DateTime<FixedOffset>) -> Result<Option<LastService>> {
    let row = conn
        .query_row(
            &format!("SELECT {} FROM event WHERE kind IN ({SERVICE_KINDS}) ORDER BY seq DESC LIMIT 1", crate::events::EVENT_COLUMNS),
            [],
            crate::events::read_row,
        )
        .optional()?;
    let Some(yichuang_events::EventRecord { seq, id, subject: case_number, actor: clerk, terminal, kind, payload, at, .. }) = row else { return Ok(None) };
    let Ok(at) = DateTime::parse_from_rfc3339(&at) else { return Ok(None) };
    if now.signed_duration_since(at) > chrono::Duration::minutes(SCREEN_RATING_MINUTES) {
        return Ok(None);
    }
    let Some(service) = Event::parse(&kind, &payload).ok().and_then(|e| e.service()) else { return Ok(None) };
    Ok(Some(LastService { seq, id, case_number, clerk, terminal, service }))
}

/// Why `service_event` cannot be rated at the screen now.
fn not_the_latest(conn: &rusqlite::Connection, service_event: &str) -> Result<StoreError> {
    let known: Option<String> = conn.query_row("SELECT kind FROM event WHERE id = ?1", [service_event], |r| r.get(0)).optional()?;
    Ok(match known {
        None => StoreError::NotFound("要评价的这次服务".into()),
        Some(k) if !SERVICE_KINDS.contains(&format!("'{k}'")) => StoreError::Rule("这条记录不是窗口服务，不能评价".into()),
        Some(_) => StoreError::Rule(format!("只能评价本窗口刚办理、{SCREEN_RATING_MINUTES}分钟内的那次服务：这次服务之后本窗口已办理了下一位，或已超过时间")),
    })
}
