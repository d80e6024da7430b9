//! The first-inquiry register (首问登记): every inquiry is written down with who asked, what,
//! how it was disposed of and by whom; one not answered on the spot gets a reply date
//! (3 working days), one outside the responder's duties is handed over within 1 working day
//! with a slip in two copies.

use chrono::{DateTime, FixedOffset, NaiveDate};
use rusqlite::{params, OptionalExtension};
use yichuang_core::FreeText;
use yichuang_core::clock::{inquiry_handover_due, warning_for};
use yichuang_core::{Phone, Warning};

use crate::documents::{self, DocInquiry, DocumentRef};
use yichuang_events as ev;
use yichuang_events::Event;

use crate::error::{Result, StoreError};
use crate::Store;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Visit,
    Phone,
    Letter,
    Online,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Visit => "visit",
            Self::Phone => "phone",
            Self::Letter => "letter",
            Self::Online => "online",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Self::Visit => "来访",
            Self::Phone => "来电",
            Self::Letter => "来信",
            Self::Online => "网上",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Visit, Self::Phone, Self::Letter, Self::Online].into_iter().find(|c| c.as_str() == s || c.label() == s)
    }
}

/// How the first responder disposed of the inquiry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disposition {
    /// Answered on the spot (当场答复).
    Answered,
    /// The item's one-time notice was given (一次性告知).
    Notice,
    /// Outside the responder's duties: handed over to another department (移交).
    Handover,
    /// To be answered later, by the reply date (限期答复).
    Pending,
}

impl Disposition {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Answered => "answered",
            Self::Notice => "notice",
            Self::Handover => "handover",
            Self::Pending => "pending",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Self::Answered => "当场答复",
            Self::Notice => "一次性告知",
            Self::Handover => "移交办理",
            Self::Pending => "限期答复",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Answered, Self::Notice, Self::Handover, Self::Pending].into_iter().find(|d| d.as_str() == s || d.label() == s)
    }
}

#[derive(Debug, Clone)]
pub struct InquiryInput {
    pub channel: Channel,
    pub person_name: String,
    pub unit: Option<String>,
    pub phone: Option<Phone>,
    pub matter: String,
    pub item_code: Option<String>,
    pub disposition: Disposition,
    pub handed_to: Option<String>,
    /// The answer, when answered on the spot.
    pub result: Option<String>,
    pub responder: String,
    /// Multi-department and major matters have longer reply limits.
    pub scope: yichuang_core::InquiryScope,
}

#[derive(Debug, Clone)]
pub struct InquiryView {
    pub id: String,
    pub received_at: String,
    pub channel: String,
    pub person_name: String,
    pub unit: Option<String>,
    pub phone: Option<String>,
    pub matter: String,
    pub item_code: Option<String>,
    pub disposition: String,
    pub first_responder: String,
    pub reply_due: Option<NaiveDate>,
    pub reply_provisional: bool,
    pub handed_to: Option<String>,
    pub handover_due: Option<NaiveDate>,
    pub status: String,
    pub result: Option<String>,
    pub closed_at: Option<String>,
    pub warning: Option<Warning>,
    pub documents: Vec<DocumentRef>,
}

fn opt(s: &Option<String>) -> Option<String> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned)
}

impl Store {
    /// Registers an inquiry and issues what its disposition calls for: the one-time notice of
    /// the item asked about, or the handover slip.
    pub fn register_inquiry(&mut self, input: InquiryInput, now: DateTime<FixedOffset>) -> Result<(InquiryView, Vec<DocumentRef>)> {
        let centre = self.centre()?.clone();
        let staff = self.require_staff(&input.responder)?;
        let person = input.person_name.trim();
        if person.is_empty() {
            return Err(StoreError::MissingField("来询人姓名（不愿透露的填“匿名”）"));
        }
        FreeText::line("来询人姓名", person, 50)?;
        let matter = input.matter.trim();
        if matter.is_empty() {
            return Err(StoreError::MissingField("咨询事项"));
        }
        FreeText::note("咨询事项", matter, FreeText::NOTE)?;
        let item = match input.item_code.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
            Some(code) => Some(self.item(code)?.clone()),
            None => None,
        };
        let handed_to = opt(&input.handed_to);
        let result = opt(&input.result);
        match input.disposition {
            Disposition::Notice if item.is_none() => return Err(StoreError::MissingField("一次性告知的事项")),
            Disposition::Handover if handed_to.is_none() => return Err(StoreError::MissingField("移交的部门或人员")),
            Disposition::Answered if result.is_none() => return Err(StoreError::MissingField("答复内容")),
            _ => {}
        }
        let today = yichuang_core::clock::beijing_day(now);
        let (reply_due, handover_due, status) = match input.disposition {
            Disposition::Answered | Disposition::Notice => (None, None, "closed"),
            Disposition::Pending => (Some(yichuang_core::quality::inquiry_due(&self.calendar, today, input.scope)), None, "open"),
            Disposition::Handover => (
                Some(match input.scope {
                    yichuang_core::InquiryScope::Ordinary => {
                        self.calendar.due(inquiry_handover_due(&self.calendar, today).date(), yichuang_core::Limit::const_working(3))
                    }
                    scope => yichuang_core::quality::inquiry_due(&self.calendar, today, scope),
                }),
                Some(inquiry_handover_due(&self.calendar, today)),
                "open",
            ),
        };
        let unit = opt(&input.unit);
        let phone = input.phone.as_ref().map(|p| p.as_str().to_owned());
        let id = self.write(&staff.id, now, |w| {
            let seq = w.next_number(&format!("inquiry:{}:{}", w.terminal, today.format("%Y%m%d")))?;
            let id = format!("Q{}{}{:04}", w.terminal, today.format("%Y%m%d"), seq);
            let closed_result = match input.disposition {
                Disposition::Notice => result.clone().or_else(|| Some("已出具一次性告知单".to_owned())),
                _ => result.clone(),
            };
            w.tx.execute(
                "INSERT INTO inquiry (id, received_at, channel, person_name, unit, phone, matter, item_code, disposition,
                    first_responder, reply_due, reply_provisional, handed_to, handover_due, status, result, closed_at,
                    created_at, updated_at, scope)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?2, ?2, ?18)",
                params![
                    id,
                    w.now_text(),
                    input.channel.as_str(),
                    person,
                    unit,
                    phone,
                    matter,
                    item.as_ref().map(|e| e.item.code().to_string()),
                    input.disposition.as_str(),
                    staff.id,
                    reply_due.as_ref().map(|d| d.date()),
                    reply_due.as_ref().is_some_and(|d| d.provisional()),
                    handed_to,
                    handover_due.as_ref().map(|d| d.date()),
                    status,
                    closed_result,
                    (status == "closed").then(|| w.now_text()),
                    input.scope.as_str(),
                ],
            )?;
            // 个人信息保护法 第28条: an inquiry about a sensitive item (disability, subsistence
            // allowances) keeps the person and the matter in the centre; what travels to HQ says
            // only that it happened.
            let sensitive = item.as_ref().is_some_and(|e| e.item.is_sensitive());
            let (person_out, unit_out, phone_out, matter_out) =
                if sensitive { (None, None, None, None) } else { (Some(person), unit.as_deref(), phone.as_deref(), Some(matter)) };
            w.event(
                &id,
                Event::InquiryRegistered(ev::InquiryRegistered {
                    channel: input.channel.as_str().to_owned(),
                    person: person_out.map(|p| p.to_string()),
                    unit: unit_out.map(str::to_owned),
                    phone: phone_out.map(str::to_owned),
                    sensitive,
                    matter: matter_out.map(|m| m.to_string()),
                    item: item.as_ref().map(|e| e.item.code().to_string()),
                    disposition: input.disposition.as_str().to_owned(),
                    handed_to: handed_to.as_ref().map(|h| h.to_string()),
                    scope: Some(input.scope.as_str().to_owned()),
                    reply_due: reply_due.as_ref().map(|d| d.date()),
                    status: status.to_string(),
                    result: closed_result.map(|r| r.to_string()),
                }),
            )?;
            match input.disposition {
                Disposition::Notice => {
                    if let Some(e) = &item {
                        documents::issue_notice(w, &centre, &e.item, &e.version, Some(person), Some(&id), &staff)?;
                    }
                }
                Disposition::Handover => {
                    let slip = DocInquiry {
                        id: id.clone(),
                        received_at: w.now_text(),
                        channel: input.channel.label().to_owned(),
                        person_name: person.to_owned(),
                        unit: unit.clone(),
                        phone: phone.clone(),
                        matter: matter.to_owned(),
                        disposition: input.disposition.label().to_owned(),
                        handed_to: handed_to.clone(),
                        handover_due: handover_due.as_ref().map(|d| d.date()),
                        reply_due: reply_due.as_ref().map(|d| d.date()),
                    };
                    documents::issue_inquiry_slip(w, &centre, slip, &staff)?;
                }
                _ => {}
            }
            Ok(id)
        })?;
        let view = self.inquiry(&id, today)?;
        let docs = view.documents.clone();
        Ok((view, docs))
    }

    /// Records the reply to an open inquiry and closes it.
    pub fn reply_inquiry(&mut self, id: &str, result: &str, actor: &str, now: DateTime<FixedOffset>) -> Result<InquiryView> {
        let staff = self.require_staff(actor)?;
        let view = self.inquiry(id, yichuang_core::clock::beijing_day(now))?;
        if view.status == "closed" {
            return Err(StoreError::InquiryClosed(view.id));
        }
        if result.trim().is_empty() {
            return Err(StoreError::MissingField("答复内容"));
        }
        FreeText::note("答复内容", result, FreeText::NOTE)?;
        self.write(&staff.id, now, |w| {
            w.tx.execute(
                "UPDATE inquiry SET status = 'closed', result = ?2, closed_at = ?3, updated_at = ?3 WHERE id = ?1",
                params![view.id, result.trim(), w.now_text()],
            )?;
            let on_time = view.reply_due.is_none_or(|d| w.today() <= d);
            w.event(
                &view.id,
                Event::InquiryReplied(ev::InquiryReplied { result: result.trim().to_owned(), status: "closed".into(), on_time }),
            )?;
            Ok(())
        })?;
        self.inquiry(id, yichuang_core::clock::beijing_day(now))
    }

    pub fn inquiry(&self, id: &str, today: NaiveDate) -> Result<InquiryView> {
        let threshold = self.centre()?.settings.warning_days;
        let mut v = self
            .connection()
            .query_row(
                "SELECT id, received_at, channel, person_name, unit, phone, matter, item_code, disposition, first_responder,
                        reply_due, reply_provisional, handed_to, handover_due, status, result, closed_at
                 FROM inquiry WHERE id = ?1",
                [id.trim()],
                |r| {
                    Ok(InquiryView {
                        id: r.get(0)?,
                        received_at: r.get(1)?,
                        channel: r.get(2)?,
                        person_name: r.get(3)?,
                        unit: r.get(4)?,
                        phone: r.get(5)?,
                        matter: r.get(6)?,
                        item_code: r.get(7)?,
                        disposition: r.get(8)?,
                        first_responder: r.get(9)?,
                        reply_due: r.get(10)?,
                        reply_provisional: r.get(11)?,
                        handed_to: r.get(12)?,
                        handover_due: r.get(13)?,
                        status: r.get(14)?,
                        result: r.get(15)?,
                        closed_at: r.get(16)?,
                        warning: None,
                        documents: vec![],
                    })
                },
            )
            .optional()?
            .ok_or_else(|| StoreError::UnknownInquiry(id.trim().to_owned()))?;
        if v.status == "open" {
            v.warning = v.reply_due.map(|d| warning_for(&self.calendar, d, today, threshold));
        }
        let mut stmt = self.connection().prepare_cached("SELECT kind, number FROM document WHERE inquiry_id = ?1 ORDER BY seq")?;
        v.documents = stmt
            .query_map([&v.id], |r| {
                Ok(DocumentRef {
                    kind: yichuang_core::DocKind::parse(&r.get::<_, String>(0)?).unwrap_or(yichuang_core::DocKind::Notice),
                    number: r.get(1)?,
                    voided: false,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(v)
    }

    /// Inquiries, open ones first by reply date, then the latest closed ones.
    pub fn list_inquiries(&self, open_only: bool, today: NaiveDate) -> Result<Vec<InquiryView>> {
        let sql = if open_only {
            "SELECT id FROM inquiry WHERE status = 'open' ORDER BY reply_due, id"
        } else {
            "SELECT id FROM inquiry ORDER BY status = 'closed', reply_due, id DESC LIMIT 1000"
        };
        let mut stmt = self.connection().prepare(sql)?;
        let ids: Vec<String> = stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
        ids.iter().map(|id| self.inquiry(id, today)).collect()
    }
}
