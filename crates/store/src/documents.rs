//! Documents the window issues. Each takes the next number of its gapless series (per kind,
//! per year, per terminal) in the same transaction as the change that issues it, and freezes
//! what it says (`body`) so that a reprint (补打) prints the same text under the same number.
//! A voided document keeps its number and says why it was voided.

use chrono::{DateTime, FixedOffset, NaiveDate};
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use yichuang_core::intake::decide;
use yichuang_core::{CaseNumber, Decision, DocKind, DocumentNumber, IdNumber, LimitUnit, Requirement, ServiceItem};

use yichuang_events as ev;
use yichuang_events::Event;

use crate::error::{Result, StoreError};
use crate::{Centre, ItemFile, Staff, Store, Writer};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentRef {
    pub kind: DocKind,
    pub number: String,
    pub voided: bool,
}

/// A stored document with its frozen content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentRecord {
    pub number: String,
    pub kind: DocKind,
    pub case_number: Option<String>,
    pub inquiry_id: Option<String>,
    pub issued_at: String,
    pub issued_by: String,
    pub body: DocumentBody,
    pub voided_at: Option<String>,
    pub void_reason: Option<String>,
    pub reprints: u32,
}

/// What a document says, frozen when issued. The print crate renders this and nothing else.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct DocumentBody {
    pub kind: String,
    pub title: String,
    pub number: String,
    pub centre_code: String,
    pub centre_name: String,
    pub centre_phone: String,
    pub centre_address: String,
    pub issued_on: Option<NaiveDate>,
    pub handler_id: String,
    pub handler_name: String,
    pub case_number: Option<String>,
    pub item_code: Option<String>,
    pub item_name: Option<String>,
    pub item_kind: Option<String>,
    pub catalogue_version: Option<String>,
    pub applicant_name: Option<String>,
    /// Masked (110105********002X): documents carry the full number only where required.
    pub applicant_id_masked: Option<String>,
    pub agent_name: Option<String>,
    pub received_on: Option<NaiveDate>,
    pub accepted_on: Option<NaiveDate>,
    pub limit_text: Option<String>,
    pub due_date: Option<NaiveDate>,
    pub due_provisional: bool,
    pub calendar_version: Option<String>,
    /// Materials: the checklist (notice), received (receipt) or deficient (supplement).
    pub materials: Vec<DocMaterial>,
    /// Reasons: refusal, extension, not-approved.
    pub reasons: Vec<String>,
    pub extension_days: Option<u32>,
    pub approver: Option<String>,
    pub guide: Option<DocGuide>,
    /// Fixed sentences the document must carry (rights, the limit running again, ...).
    pub notes: Vec<String>,
    pub inquiry: Option<DocInquiry>,
    /// 容缺: the day by which the owed materials are to be brought in.
    pub owed_by: Option<NaiveDate>,
    /// The hand-over slip: who took the result.
    pub collector: Option<DocCollector>,
}

/// Who took a case's result at the counter, as checked there.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct DocCollector {
    pub name: String,
    /// 申请人本人, 代办人, or 受托人（持授权委托书）; empty when not checked.
    pub role: String,
    /// Masked (450821********3025); empty when no ID was checked.
    pub id_masked: String,
}

impl DocCollector {
    pub fn role_label(role: Option<&str>) -> &'static str {
        match role {
            Some("applicant") => "申请人本人",
            Some("agent") => "代办人",
            Some("attorney") => "受托人（持授权委托书）",
            _ => "",
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct DocMaterial {
    pub code: String,
    pub name: String,
    pub form: String,
    pub copies_required: u32,
    pub requirement: String,
    pub notes: String,
    pub pages: Option<u32>,
    pub copies: Option<u32>,
    pub problem: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct DocGuide {
    pub department: String,
    pub legal_basis: String,
    pub conditions: String,
    pub procedure: Vec<String>,
    pub limit_text: String,
    pub statutory_limit_text: Option<String>,
    pub fees: String,
    pub result: String,
    pub location: String,
    pub consult_phone: String,
    pub complaint_phone: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct DocInquiry {
    pub id: String,
    pub received_at: String,
    pub channel: String,
    pub person_name: String,
    pub unit: Option<String>,
    pub phone: Option<String>,
    pub matter: String,
    pub disposition: String,
    pub handed_to: Option<String>,
    pub handover_due: Option<NaiveDate>,
    pub reply_due: Option<NaiveDate>,
}

fn limit_text(item: &ServiceItem) -> String {
    let l = item.promised_limit();
    if l.days() == 0 {
        "即办（材料齐全当场办结）".to_owned()
    } else {
        match l.unit() {
            LimitUnit::Working => format!("{}个工作日", l.days()),
            LimitUnit::Natural => format!("{}日（自然日）", l.days()),
        }
    }
}

fn guide_of(item: &ServiceItem) -> DocGuide {
    let g = item.guide();
    DocGuide {
        department: g.department.clone(),
        legal_basis: g.legal_basis.clone(),
        conditions: g.conditions.clone(),
        procedure: g.procedure.clone(),
        limit_text: limit_text(item),
        statutory_limit_text: item.statutory_limit().map(|l| l.to_string()),
        fees: g.fees.clone(),
        result: g.result.clone(),
        location: g.location.clone(),
        consult_phone: g.consult_phone.clone(),
        complaint_phone: g.complaint_phone.clone(),
    }
}

fn checklist(item: &ServiceItem) -> Vec<DocMaterial> {
    item.materials()
        .iter()
        .map(|m| DocMaterial {
            code: m.code().to_string(),
            name: m.name().to_owned(),
            form: m.form().label().to_owned(),
            copies_required: m.copies(),
            requirement: match m.requirement() {
                Requirement::Required => "必需".to_owned(),
                Requirement::RequiredWhen(c) => format!("{c}的须提供"),
                Requirement::Optional => "可选".to_owned(),
            },
            notes: m.notes().to_owned(),
            ..DocMaterial::default()
        })
        .collect()
}

fn base_body(centre: &Centre, kind: DocKind, number: &DocumentNumber, staff: &Staff, today: NaiveDate) -> DocumentBody {
    DocumentBody {
        kind: kind.as_str().to_owned(),
        title: kind.title().to_owned(),
        number: number.to_string(),
        centre_code: centre.code.to_string(),
        centre_name: centre.name.clone(),
        centre_phone: centre.settings.phone.clone(),
        centre_address: centre.settings.address.clone(),
        issued_on: Some(today),
        handler_id: staff.id.clone(),
        handler_name: staff.name.clone(),
        ..DocumentBody::default()
    }
}

/// Takes the next number of `kind`'s series for this terminal and year.
fn next_document_number(w: &Writer<'_>, centre: &Centre, kind: DocKind) -> Result<DocumentNumber> {
    use chrono::Datelike;
    let year = w.today().year();
    let seq = w.next_number(&format!("doc:{}:{}:{}", w.terminal, kind.as_str(), year))?;
    Ok(DocumentNumber::new(kind, year, centre.terminal, seq)?)
}

fn insert_document(
    w: &Writer<'_>,
    number: &DocumentNumber,
    body: &DocumentBody,
    case_number: Option<&str>,
    inquiry_id: Option<&str>,
) -> Result<DocumentRef> {
    let text = serde_json::to_string(body).unwrap_or_default();
    w.tx.execute(
        "INSERT INTO document (number, kind, year, terminal, seq, case_number, inquiry_id, item_code, catalogue_version,
            issued_at, issued_by, body)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        params![
            number.to_string(),
            number.kind().as_str(),
            number.year(),
            number.terminal().to_string(),
            number.seq(),
            case_number,
            inquiry_id,
            body.item_code,
            body.catalogue_version,
            w.now_text(),
            body.handler_id,
            text
        ],
    )?;
    w.event(
        &number.to_string(),
        Event::DocumentIssued(ev::DocumentIssued {
            kind: number.kind().as_str().to_owned(),
            number: number.to_string(),
            case: case_number.map(str::to_owned),
            inquiry: inquiry_id.map(str::to_owned),
            body: serde_json::from_str::<serde_json::Value>(&text).unwrap_or_default(),
        }),
    )?;
    Ok(DocumentRef { kind: number.kind(), number: number.to_string(), voided: false })
}

pub(crate) fn item_from(conn: &Connection, version: &str, code: &str) -> Result<ServiceItem> {
    let body: String = conn.query_row(
        "SELECT body FROM catalogue_item WHERE version = ?1 AND code = ?2",
        [version, code],
        |r| r.get(0),
    )?;
    let file: ItemFile =
        serde_json::from_str(&body).map_err(|e| StoreError::BadFile { what: "服务事项目录", detail: crate::json_reason(&e) })?;
    file.to_item()
}

/// Issues a document about a case, inside the case change's transaction, reading the case as
/// that transaction sees it.
pub(crate) fn issue_for_case(
    w: &Writer<'_>,
    centre: &Centre,
    kind: DocKind,
    case: &CaseNumber,
    staff: &Staff,
) -> Result<DocumentRef> {
    let today = w.today();
    let number = next_document_number(w, centre, kind)?;
    let mut body = base_body(centre, kind, &number, staff, today);
    #[allow(clippy::type_complexity)]
    let (item_code, version, applicant_name, key, agent, received_on, clock_start, due, provisional, cal_version, reason, clock): (
        String, String, String, String, Option<String>, NaiveDate, Option<NaiveDate>, Option<NaiveDate>, bool, Option<String>, Option<String>, String,
    ) = w.tx.query_row(
        "SELECT c.item_code, c.catalogue_version, a.name, coalesce(a.id_number, a.uscc), c.agent_name, c.received_on,
                c.clock_start, c.due_date, c.due_provisional, c.calendar_version, c.outcome_reason, c.clock
         FROM case_file c JOIN applicant a ON a.id = c.applicant_id WHERE c.number = ?1",
        [case.as_str()],
        |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?, r.get(8)?,
                r.get(9)?, r.get(10)?, r.get(11)?))
        },
    )?;
    let (owed, owed_by) = crate::cases::owed_of(w.tx, case.as_str())?;
    let item = item_from(w.tx, &version, &item_code)?;
    body.case_number = Some(case.to_string());
    body.item_code = Some(item_code);
    body.item_name = Some(item.name().to_owned());
    body.item_kind = Some(item.kind().label().to_owned());
    body.catalogue_version = Some(version);
    body.applicant_name = Some(applicant_name);
    body.applicant_id_masked = Some(IdNumber::parse(&key).map(|i| i.masked()).unwrap_or(key));
    body.agent_name = agent;
    body.received_on = Some(received_on);
    body.accepted_on = clock_start;
    body.limit_text = Some(limit_text(&item));
    body.due_date = due;
    body.due_provisional = provisional;
    body.calendar_version = cal_version;

    // Materials held, as the rules see them.
    let submission = crate::cases::held_submission(w.tx, case.as_str(), &item)?;
    let held: std::collections::BTreeMap<String, (u32, u32, Option<String>)> = submission
        .presented()
        .iter()
        .map(|p| {
            let defect = submission.defects().iter().find(|d| d.material == p.material).map(|d| d.reason.clone());
            (p.material.to_string(), (p.pages, p.copies, defect))
        })
        .collect();

    match kind {
        DocKind::Receipt | DocKind::Completion | DocKind::Collection => {
            body.materials = item
                .materials()
                .iter()
                .filter_map(|m| {
                    let (pages, copies, defect) = held.get(m.code().as_str())?;
                    Some(DocMaterial {
                        code: m.code().to_string(),
                        name: m.name().to_owned(),
                        form: m.form().label().to_owned(),
                        copies_required: m.copies(),
                        pages: Some(*pages),
                        copies: Some(*copies),
                        problem: defect.clone(),
                        ..DocMaterial::default()
                    })
                })
                .collect();
            if kind == DocKind::Receipt {
                body.notes.push("请凭本通知书在承诺办结日期后到窗口领取办理结果，或留意窗口的领取通知。".into());
                if provisional {
                    body.notes.push("承诺办结日期跨入尚未公布节假日安排的年份，暂按周末计算，如遇法定节假日顺延。".into());
                }
                if let Decision::Supplement(list) = decide(&item, &submission) {
                    body.notes.push(format!(
                        "依据《中华人民共和国行政许可法》第三十二条，未在收到材料之日起五日内一次告知补正，自收到材料之日起即为受理。尚需补充：{}。",
                        list.iter().map(|d| d.name.as_str()).collect::<Vec<_>>().join("、")
                    ));
                }
            }
        }
        DocKind::Supplement => {
            if let Decision::Supplement(list) = decide(&item, &submission) {
                body.materials = list
                    .iter()
                    .map(|d| {
                        let m = item.material(&d.material);
                        DocMaterial {
                            code: d.material.to_string(),
                            name: d.name.clone(),
                            form: m.map(|m| m.form().label().to_owned()).unwrap_or_default(),
                            copies_required: m.map(|m| m.copies()).unwrap_or(1),
                            notes: m.map(|m| m.notes().to_owned()).unwrap_or_default(),
                            problem: Some(d.problem.describe()),
                            ..DocMaterial::default()
                        }
                    })
                    .collect();
            }
            body.notes.push("请按上列清单一次性补齐材料后到原窗口提交。".into());
            body.notes.push("补齐全部材料之日起，承诺办理时限重新计算。".into());
        }
        DocKind::Refusal => {
            body.reasons = submission_refusal(w.tx, case)?.or(reason).into_iter().collect();
            body.notes.push("如对本决定不服，可以自收到本通知书之日起六十日内依法申请行政复议，或者在六个月内依法向人民法院提起行政诉讼。".into());
        }
        DocKind::Extension => {
            let clock: serde_json::Value = serde_json::from_str(&clock).unwrap_or_default();
            if let Some(last) = clock["extensions"].as_array().and_then(|a| a.last()) {
                body.extension_days = last["days"].as_u64().map(|d| d as u32);
                body.reasons = last["reason"].as_str().map(str::to_owned).into_iter().collect();
                body.approver = last["approver"].as_str().map(str::to_owned);
            }
            body.notes.push("延期已经中心负责人批准，特此告知延期理由及新的办结日期。".into());
        }
        DocKind::Tolerance | DocKind::Commitment | DocKind::Termination => {
            body.owed_by = owed_by;
            body.materials = owed
                .iter()
                .map(|d| {
                    let m = yichuang_core::MaterialCode::parse(&d.material).ok().and_then(|c| item.material(&c).cloned());
                    DocMaterial {
                        code: d.material.clone(),
                        name: d.name.clone(),
                        form: m.as_ref().map(|m| m.form().label().to_owned()).unwrap_or_default(),
                        copies_required: m.as_ref().map(|m| m.copies()).unwrap_or(1),
                        notes: m.as_ref().map(|m| m.notes().to_owned()).unwrap_or_default(),
                        problem: Some(d.problem.clone()),
                        ..DocMaterial::default()
                    }
                })
                .collect();
            let by = owed_by.map(|d| format!("{}年{}月{}日", chrono::Datelike::year(&d), chrono::Datelike::month(&d), chrono::Datelike::day(&d))).unwrap_or_default();
            match kind {
                DocKind::Tolerance => {
                    body.notes.push(format!("请于{by}前（含当日）到本中心窗口补交上列材料。补齐后按承诺办结日期办结；材料未补齐前，本中心不作出准予的决定。"));
                    body.notes.push("逾期未补交的，本中心将终止办理，并记入您的容缺承诺履行记录。".into());
                }
                DocKind::Commitment => {
                    body.notes.push(format!("一、于{by}前（含当日）到窗口补交上列材料；"));
                    body.notes.push("二、已提交的申请材料真实、合法、有效，如有虚假，愿承担相应的法律责任；".into());
                    body.notes.push("三、如未按期补交，同意终止办理，由此产生的后果由本人承担，并记入本人容缺承诺履行记录。".into());
                }
                _ => {
                    body.reasons = reason.into_iter().collect();
                    body.approver = terminated_by(w.tx, case)?;
                    body.notes.push("您备齐全部材料后，可以重新提出申请。".into());
                    body.notes.push("如对本决定不服，可以自收到本通知书之日起六十日内依法申请行政复议，或者在六个月内依法向人民法院提起行政诉讼。".into());
                }
            }
        }
        DocKind::Handover => {
            let (name, role, id): (Option<String>, Option<String>, Option<String>) = w.tx.query_row(
                "SELECT collected_by, collector_role, collector_id_number FROM case_file WHERE number = ?1",
                [case.as_str()],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )?;
            body.collector = Some(DocCollector {
                name: name.ok_or(StoreError::MissingField("领取人"))?,
                role: DocCollector::role_label(role.as_deref()).to_owned(),
                id_masked: id.map(|i| IdNumber::parse(&i).map(|i| i.masked()).unwrap_or(i)).unwrap_or_default(),
            });
            if role.as_deref() == Some("attorney") {
                body.notes.push("领取人持申请人的授权委托书代为领取，委托书原件由本中心留存。".into());
            }
            body.notes.push("领取人已当面核对办理结果，确认无误后签字。".into());
        }
        DocKind::Notice | DocKind::InquirySlip => {}
    }
    insert_document(w, &number, &body, Some(case.as_str()), None)
}

/// The head who approved the termination, as its event recorded.
fn terminated_by(conn: &Connection, case: &CaseNumber) -> Result<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT json_extract(payload, '$.approver_name') FROM event WHERE subject = ?1 AND kind = 'case.terminated'
             ORDER BY seq DESC LIMIT 1",
            [case.as_str()],
            |r| r.get(0),
        )
        .optional()?
        .flatten())
}

/// The refusal reason recorded by the intake or supplement event.
fn submission_refusal(conn: &Connection, case: &CaseNumber) -> Result<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT json_extract(payload, '$.refusal') FROM event WHERE subject = ?1
               AND json_extract(payload, '$.refusal') IS NOT NULL ORDER BY seq DESC LIMIT 1",
            [case.as_str()],
            |r| r.get(0),
        )
        .optional()?
        .flatten())
}

/// Issues the one-time notice (一次性告知单) of an item, optionally for a named person and
/// tied to an inquiry; no case is created.
pub(crate) fn issue_notice(
    w: &Writer<'_>,
    centre: &Centre,
    item: &ServiceItem,
    version: &str,
    person: Option<&str>,
    inquiry_id: Option<&str>,
    staff: &Staff,
) -> Result<DocumentRef> {
    let number = next_document_number(w, centre, DocKind::Notice)?;
    let mut body = base_body(centre, DocKind::Notice, &number, staff, w.today());
    body.item_code = Some(item.code().to_string());
    body.item_name = Some(item.name().to_owned());
    body.item_kind = Some(item.kind().label().to_owned());
    body.catalogue_version = Some(version.to_owned());
    body.applicant_name = person.map(str::to_owned);
    body.limit_text = Some(limit_text(item));
    body.materials = checklist(item);
    body.guide = Some(guide_of(item));
    body.notes.push("以上为办理本事项所需的全部材料，本中心不再要求提供清单以外的材料。".into());
    body.notes.push("本告知单一次性告知，请妥善保存；对告知内容有疑问可拨打咨询电话，对服务不满意可拨打投诉电话。".into());
    insert_document(w, &number, &body, None, inquiry_id)
}

/// Issues the inquiry slip (首问登记及移交单) of an inquiry.
pub(crate) fn issue_inquiry_slip(w: &Writer<'_>, centre: &Centre, inquiry: DocInquiry, staff: &Staff) -> Result<DocumentRef> {
    let number = next_document_number(w, centre, DocKind::InquirySlip)?;
    let mut body = base_body(centre, DocKind::InquirySlip, &number, staff, w.today());
    body.applicant_name = Some(inquiry.person_name.clone());
    body.notes.push("本单一式两联，移交方与接收方各执一联。接收部门应在三个工作日内答复。".into());
    let id = inquiry.id.clone();
    body.inquiry = Some(inquiry);
    insert_document(w, &number, &body, None, Some(&id))
}

impl Store {
    /// Prints the one-time notice of an item without creating a case.
    pub fn issue_notice(
        &mut self,
        item_code: &str,
        person: Option<&str>,
        actor: &str,
        now: DateTime<FixedOffset>,
    ) -> Result<DocumentRef> {
        let centre = self.centre()?.clone();
        let staff = self.require_staff(actor)?;
        let entry = self.item(item_code)?.clone();
        let person = person.map(str::trim).filter(|p| !p.is_empty());
        self.write(actor, now, |w| issue_notice(w, &centre, &entry.item, &entry.version, person, None, &staff))
    }

    pub fn document(&self, number: &str) -> Result<DocumentRecord> {
        let parsed = DocumentNumber::parse(number)?;
        self.connection()
            .query_row(
                "SELECT number, kind, case_number, inquiry_id, issued_at, issued_by, body, voided_at, void_reason, reprints
                 FROM document WHERE number = ?1",
                [parsed.to_string()],
                |r| {
                    Ok(DocumentRecord {
                        number: r.get(0)?,
                        kind: DocKind::parse(&r.get::<_, String>(1)?).unwrap_or(DocKind::Notice),
                        case_number: r.get(2)?,
                        inquiry_id: r.get(3)?,
                        issued_at: r.get(4)?,
                        issued_by: r.get(5)?,
                        body: serde_json::from_str(&r.get::<_, String>(6)?).unwrap_or_default(),
                        voided_at: r.get(7)?,
                        void_reason: r.get(8)?,
                        reprints: r.get(9)?,
                    })
                },
            )
            .optional()?
            .ok_or_else(|| StoreError::UnknownDocument(parsed.to_string()))
    }

    pub fn documents_of_case(&self, case: &str) -> Result<Vec<DocumentRef>> {
        let mut stmt = self.connection().prepare_cached(
            "SELECT kind, number, voided_at IS NOT NULL FROM document WHERE case_number = ?1 ORDER BY issued_at, kind, seq",
        )?;
        let rows = stmt
            .query_map([case], |r| {
                Ok(DocumentRef {
                    kind: DocKind::parse(&r.get::<_, String>(0)?).unwrap_or(DocKind::Notice),
                    number: r.get(1)?,
                    voided: r.get(2)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    /// Voids a document (head only). It keeps its number; the reason is recorded.
    pub fn void_document(&mut self, number: &str, reason: &str, actor: &str, now: DateTime<FixedOffset>) -> Result<DocumentRecord> {
        let head = self.require_head(actor, "作废文书")?;
        let doc = self.document(number)?;
        if doc.voided_at.is_some() {
            return Err(StoreError::AlreadyVoided(doc.number));
        }
        if reason.trim().is_empty() {
            return Err(StoreError::MissingField("作废原因"));
        }
        yichuang_core::FreeText::note("作废原因", reason, yichuang_core::FreeText::REASON)?;
        self.write(&head.id, now, |w| {
            w.tx.execute(
                "UPDATE document SET voided_at = ?2, void_reason = ?3, voided_by = ?4 WHERE number = ?1",
                params![doc.number, w.now_text(), reason.trim(), head.id],
            )?;
            w.event(&doc.number, Event::DocumentVoided(ev::DocumentVoided { reason: reason.trim().to_owned(), case: doc.case_number.clone() }))?;
            Ok(())
        })?;
        self.document(&doc.number)
    }

    /// Records a reprint (补打): same number, same content, marked as a reprint when printed.
    pub fn reprint_document(&mut self, number: &str, actor: &str, now: DateTime<FixedOffset>) -> Result<DocumentRecord> {
        let staff = self.require_staff(actor)?;
        let doc = self.document(number)?;
        if doc.voided_at.is_some() {
            return Err(StoreError::AlreadyVoided(doc.number));
        }
        self.write(&staff.id, now, |w| {
            w.tx.execute("UPDATE document SET reprints = reprints + 1 WHERE number = ?1", [&doc.number])?;
            w.event(&doc.number, Event::DocumentReprinted(ev::DocumentReprinted { reprint: i64::from(doc.reprints) + 1, case: doc.case_number.clone() }))?;
            Ok(())
        })?;
        self.document(&doc.number)
    }
}
