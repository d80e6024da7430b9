//! The command line's wire shapes: the JSON files it reads and the JSON it prints. They exist
//! only here, at the boundary; the crates below know nothing of them.

use anyhow::{anyhow, Result};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use yichuang_app::forms;
use yichuang_core::{Decision, Warning};
use yichuang_store::{
    CaseSummary, CaseView, CatalogueEntry, DocumentRef, IntakeOutcome, IntakeRequest, InquiryView,
    SupplementRequest,
};

/// `case intake FILE` / `case supplement NUMBER FILE`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IntakeFile {
    #[serde(default)]
    pub item: Option<String>,
    #[serde(default)]
    pub applicant: Option<ApplicantFile>,
    #[serde(default)]
    pub agent: Option<AgentFile>,
    #[serde(default)]
    pub materials: Vec<MaterialFile>,
    #[serde(default)]
    pub defects: Vec<DefectFile>,
    /// Codes of conditional materials whose condition holds (e.g. an agent acts).
    #[serde(default)]
    pub conditions: Vec<String>,
    /// A refusal and its reason.
    #[serde(default)]
    pub refuse: Option<String>,
    pub clerk: String,
    /// When the materials arrived earlier than today (post, online).
    #[serde(default)]
    pub received_on: Option<NaiveDate>,
    /// The applicant's ID number is on file under another name and the clerk confirmed the
    /// change of name (改名).
    #[serde(default)]
    pub confirm_rename: bool,
    /// The applicant has an open case of the same item and the clerk takes a second one
    /// for this reason (recorded with the intake).
    #[serde(default)]
    pub duplicate_reason: Option<String>,
    /// The applicant signed the 容缺 commitment (承诺书): tolerable materials may follow.
    #[serde(default)]
    pub commitment: bool,
    /// The applicant agreed to be told by SMS at their mobile number (个人信息保护法 第13–14条).
    #[serde(default)]
    pub sms_consent: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApplicantFile {
    pub name: String,
    #[serde(default)]
    pub id_number: Option<String>,
    #[serde(default)]
    pub uscc: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgentFile {
    pub name: String,
    pub id_number: String,
    #[serde(default)]
    pub phone: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MaterialFile {
    pub material: String,
    pub pages: u32,
    #[serde(default = "one")]
    pub copies: u32,
}

fn one() -> u32 {
    1
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DefectFile {
    pub material: String,
    pub reason: String,
}

impl IntakeFile {
    pub fn parse(text: &str) -> Result<Self> {
        serde_json::from_str(text).map_err(|e| anyhow!("受理文件格式有误：{}", yichuang_store::json_reason(&e)))
    }

    /// The file's fields in the use-case layer's form (one rule for the file and the window).
    fn form(self) -> (forms::IntakeForm, String) {
        let a = self.applicant.unwrap_or(ApplicantFile { name: String::new(), id_number: None, uscc: None, phone: None });
        let agent = self.agent.map(|g| forms::AgentForm { name: g.name, id_number: g.id_number, phone: g.phone.unwrap_or_default() });
        let form = forms::IntakeForm {
            item: self.item.unwrap_or_default(),
            applicant: forms::ApplicantForm {
                name: a.name,
                id_number: a.id_number.unwrap_or_default(),
                uscc: a.uscc.unwrap_or_default(),
                phone: a.phone.unwrap_or_default(),
            },
            agent: agent.unwrap_or_default(),
            materials: self.materials.into_iter().map(|m| forms::MaterialLine { code: m.material, pages: m.pages, copies: m.copies, defect: String::new() }).collect(),
            defects: self.defects.into_iter().map(|d| forms::DefectLine { material: d.material, reason: d.reason }).collect(),
            conditions: self.conditions,
            refusal: self.refuse.unwrap_or_default(),
            received_on: self.received_on,
            confirm_rename: self.confirm_rename,
            duplicate_reason: self.duplicate_reason.unwrap_or_default(),
            commitment: self.commitment,
            sms_consent: self.sms_consent,
        };
        (form, self.clerk)
    }

    /// Builds the store's intake request, taken by the file's `clerk`.
    pub fn into_request(self) -> Result<IntakeRequest> {
        let (form, clerk) = self.form();
        Ok(form.into_request(&clerk)?)
    }

    /// Builds the store's supplement request: only the materials brought now count.
    pub fn into_supplement(self) -> Result<SupplementRequest> {
        let (form, clerk) = self.form();
        Ok(form.into_supplement(&clerk)?)
    }
}

/// `inquiry add FILE`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InquiryFile {
    pub channel: String,
    pub person: String,
    #[serde(default)]
    pub unit: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    pub matter: String,
    #[serde(default)]
    pub item: Option<String>,
    pub disposition: String,
    #[serde(default)]
    pub handed_to: Option<String>,
    #[serde(default)]
    pub result: Option<String>,
    #[serde(default)]
    pub scope: Option<String>,
    pub responder: String,
}

impl InquiryFile {
    pub fn into_input(self) -> Result<yichuang_store::InquiryInput> {
        let form = forms::InquiryForm {
            channel: self.channel,
            person: self.person,
            unit: self.unit.unwrap_or_default(),
            phone: self.phone.unwrap_or_default(),
            matter: self.matter,
            item: self.item.unwrap_or_default(),
            disposition: self.disposition,
            handed_to: self.handed_to.unwrap_or_default(),
            result: self.result.unwrap_or_default(),
            scope: self.scope.unwrap_or_default(),
        };
        Ok(form.into_input(&self.responder)?)
    }
}

#[derive(Debug, Serialize)]
pub struct DocOut {
    pub kind: &'static str,
    pub number: String,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub voided: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pdf: Option<String>,
}

impl From<&DocumentRef> for DocOut {
    fn from(d: &DocumentRef) -> Self {
        Self { kind: d.kind.as_str(), number: d.number.clone(), voided: d.voided, pdf: None }
    }
}

pub fn intake_json(o: &IntakeOutcome) -> Value {
    json!({
        "case_number": o.case_number.as_str(),
        "decision": o.decision.as_str(),
        "status": o.status.as_str(),
        "deemed_accepted": o.deemed_accepted,
        "due_date": o.due.as_ref().map(|d| d.date().to_string()),
        "due_provisional": o.due.as_ref().is_some_and(|d| d.provisional()),
        "calendar_version": o.due.as_ref().map(|d| d.calendar_version().to_owned()),
        "missing": o.missing(),
        "deficiencies": match &o.decision {
            Decision::Supplement(l) => l.iter().map(|d| json!({"material": d.material.as_str(), "name": d.name, "problem": d.problem.describe()})).collect::<Vec<_>>(),
            _ => vec![],
        },
        "outstanding": o.outstanding.iter().map(|d| json!({"material": d.material.as_str(), "name": d.name, "problem": d.problem.describe()})).collect::<Vec<_>>(),
        "refusal": match &o.decision { Decision::Refused(r) => Some(r.clone()), _ => None },
        "owed": o.owed(),
        "owed_by": o.owed_by.map(|d| d.to_string()),
        "owed_detail": match &o.decision {
            Decision::Tolerated(l) => l.iter().map(|d| json!({"material": d.material.as_str(), "name": d.name, "problem": d.problem.describe()})).collect::<Vec<_>>(),
            _ => vec![],
        },
        "documents": o.documents.iter().map(DocOut::from).collect::<Vec<_>>(),
    })
}

pub fn warning_json(w: Option<Warning>) -> Value {
    match w {
        None => Value::Null,
        Some(Warning::Yellow { working_days_left }) => json!({"level": "yellow", "working_days_left": working_days_left}),
        Some(Warning::Red { working_days_overdue }) => json!({"level": "red", "working_days_overdue": working_days_overdue}),
        Some(w) => json!({"level": w.as_str()}),
    }
}

pub fn warning_label(w: Option<Warning>) -> String {
    match w {
        None => String::new(),
        Some(Warning::Paused) => "暂停计时".into(),
        Some(Warning::Normal) => "正常".into(),
        Some(Warning::Yellow { working_days_left: 0 }) => "黄牌：今日到期".into(),
        Some(Warning::Yellow { working_days_left }) => format!("黄牌：剩{working_days_left}个工作日"),
        Some(Warning::Red { working_days_overdue }) => format!("红牌：已超期{working_days_overdue}个工作日"),
    }
}

/// A case's messages: the number masked, never whole.
pub fn sms_json(rows: &[yichuang_store::SmsRow]) -> Value {
    Value::Array(
        rows.iter()
            .map(|m| {
                json!({"notice": m.notice.as_str(), "occasion": m.occasion, "phone": m.phone_masked, "text": m.text,
                       "status": m.status, "status_at": m.status_at, "detail": m.detail})
            })
            .collect(),
    )
}

pub fn case_json(v: &CaseView) -> Value {
    json!({
        "case_number": v.number,
        "item": {"code": v.item_code, "name": v.item_name, "kind": v.item_kind},
        "catalogue_version": v.catalogue_version,
        "applicant": {"kind": v.applicant.kind, "name": v.applicant.name, "id_masked": v.applicant.id_masked, "phone": v.applicant.phone},
        "agent_name": v.agent_name,
        "status": v.status.as_str(),
        "status_label": v.status.label(),
        "paused": v.paused,
        "decision": v.decision,
        "deemed_accepted": v.deemed_accepted,
        "received_on": v.received_on.to_string(),
        "clock_start": v.clock_start.map(|d| d.to_string()),
        "limit": {"days": v.limit.days(), "unit": v.limit.unit().as_str()},
        "total_limit": {"days": v.total_limit.days(), "unit": v.total_limit.unit().as_str()},
        "due_date": v.due_date.map(|d| d.to_string()),
        "due_provisional": v.due_provisional,
        "calendar_version": v.calendar_version,
        "warning": warning_json(v.warning),
        "handler": {"id": v.handler, "name": v.handler_name},
        "forwarded_to": v.forwarded_to,
        "outcome_reason": v.outcome_reason,
        "collected_by": v.collected_by,
        "collector_role": v.collector_role,
        "collector_id_masked": v.collector_id_masked,
        "owed": v.owed.iter().map(|d| d.material.as_str()).collect::<Vec<_>>(),
        "owed_detail": v.owed.iter().map(|d| json!({"material": d.material, "name": d.name, "problem": d.problem})).collect::<Vec<_>>(),
        "owed_by": v.owed_by.map(|d| d.to_string()),
        "completed_on": v.completed_on.map(|d| d.to_string()),
        "created_at": v.created_at,
        "materials": v.materials.iter().map(|m| json!({"round": m.round, "material": m.code, "name": m.name, "pages": m.pages, "copies": m.copies, "defect": m.defect})).collect::<Vec<_>>(),
        "missing": v.deficiencies.iter().map(|d| d.material.as_str()).collect::<Vec<_>>(),
        "deficiencies": v.deficiencies.iter().map(|d| json!({"material": d.material.as_str(), "name": d.name, "problem": d.problem.describe()})).collect::<Vec<_>>(),
        "extensions": v.extensions.iter().map(|e| json!({"days": e.days(), "approver": e.approver(), "reason": e.reason(), "granted_on": e.granted_on().to_string()})).collect::<Vec<_>>(),
        "pauses": v.pauses.iter().map(|p| json!({"kind": p.kind().as_str(), "from": p.from().to_string(), "until": p.until().map(|d| d.to_string()), "expected_days": p.expected_days()})).collect::<Vec<_>>(),
        "documents": v.documents.iter().map(DocOut::from).collect::<Vec<_>>(),
    })
}

pub fn summary_json(s: &CaseSummary) -> Value {
    json!({
        "case_number": s.number,
        "item": s.item_code,
        "item_name": s.item_name,
        "applicant_name": s.applicant_name,
        "status": s.status.as_str(),
        "paused": s.paused,
        "due_date": s.due_date.map(|d| d.to_string()),
        "due_provisional": s.due_provisional,
        "warning": warning_json(s.warning),
        "created_at": s.created_at,
        "owed_by": s.owed_by.map(|d| d.to_string()),
    })
}

pub fn item_json(e: &CatalogueEntry) -> Value {
    let i = &e.item;
    let g = i.guide();
    json!({
        "code": i.code().as_str(),
        "name": i.name(),
        "initials": e.initials,
        "kind": i.kind().as_str(),
        "limit_days": i.promised_limit().days(),
        "limit_unit": i.promised_limit().unit().as_str(),
        "statutory_limit": i.statutory_limit().map(|l| json!({"days": l.days(), "unit": l.unit().as_str()})),
        "department": g.department,
        "legal_basis": g.legal_basis,
        "conditions": g.conditions,
        "procedure": g.procedure,
        "fees": g.fees,
        "result": g.result,
        "consult_phone": g.consult_phone,
        "complaint_phone": g.complaint_phone,
        "sensitive": i.is_sensitive(),
        "tolerance_days": i.tolerance_days(),
        "version": e.version,
        "materials": i.materials().iter().map(|m| json!({
            "code": m.code().as_str(),
            "name": m.name(),
            "form": m.form().as_str(),
            "copies": m.copies(),
            "required": m.is_required(),
            "required_when": match m.requirement() { yichuang_core::Requirement::RequiredWhen(c) => Some(c.clone()), _ => None },
            "notes": m.notes(),
            "tolerable": m.is_tolerable(),
        })).collect::<Vec<_>>(),
    })
}

pub fn inquiry_json(v: &InquiryView) -> Value {
    json!({
        "id": v.id,
        "received_at": v.received_at,
        "channel": v.channel,
        "person": v.person_name,
        "unit": v.unit,
        "phone": v.phone,
        "matter": v.matter,
        "item": v.item_code,
        "disposition": v.disposition,
        "first_responder": v.first_responder,
        "reply_due": v.reply_due.map(|d| d.to_string()),
        "reply_provisional": v.reply_provisional,
        "handed_to": v.handed_to,
        "handover_due": v.handover_due.map(|d| d.to_string()),
        "status": v.status,
        "result": v.result,
        "warning": warning_json(v.warning),
        "documents": v.documents.iter().map(DocOut::from).collect::<Vec<_>>(),
    })
}

pub fn preview_json(p: &yichuang_store::IntakePreview) -> Value {
    json!({
        "decision": p.decision.as_str(),
        "status": p.status.as_str(),
        "deemed_accepted": p.deemed_accepted,
        "duplicates": p.duplicates.iter().map(|c| json!({"number": c.number, "status": c.status.as_str(), "received_on": c.received_on})).collect::<Vec<_>>(),
        "due_date": p.due.as_ref().map(|d| d.date().to_string()),
        "due_provisional": p.due.as_ref().is_some_and(|d| d.provisional()),
        "missing": match &p.decision {
            Decision::Supplement(l) => l.iter().map(|d| d.material.as_str().to_owned()).collect::<Vec<_>>(),
            _ => vec![],
        },
        "deficiencies": match &p.decision {
            Decision::Supplement(l) => l.iter().map(|d| json!({"material": d.material.as_str(), "name": d.name, "problem": d.problem.describe()})).collect::<Vec<_>>(),
            _ => vec![],
        },
        "outstanding": p.outstanding.iter().map(|d| json!({"material": d.material.as_str(), "name": d.name, "problem": d.problem.describe()})).collect::<Vec<_>>(),
        "owed": match &p.decision {
            Decision::Tolerated(l) => l.iter().map(|d| d.material.as_str().to_owned()).collect::<Vec<_>>(),
            _ => vec![],
        },
        "owed_by": p.owed_by.map(|d| d.to_string()),
        "catalogue_version": p.item_version,
    })
}

pub fn board_json(b: &yichuang_store::TodayBoard, c: &yichuang_report::ItemFigures, centre: &yichuang_report::CentreFigures) -> Value {
    json!({
        "today": b.today.to_string(),
        "in_progress": b.in_progress.iter().map(summary_json).collect::<Vec<_>>(),
        "overdue": b.overdue.iter().map(summary_json).collect::<Vec<_>>(),
        "due_soon": b.due_soon.iter().map(summary_json).collect::<Vec<_>>(),
        "paused": b.paused.iter().map(summary_json).collect::<Vec<_>>(),
        "awaiting_supplement": b.awaiting_supplement.iter().map(summary_json).collect::<Vec<_>>(),
        "ready_for_collection": b.ready_for_collection.iter().map(summary_json).collect::<Vec<_>>(),
        "owing": b.owing.iter().map(summary_json).collect::<Vec<_>>(),
        "open_inquiries": b.open_inquiries.iter().map(inquiry_json).collect::<Vec<_>>(),
        "totals": {"in_progress": b.counts.in_progress, "overdue": b.counts.overdue, "due_soon": b.counts.due_soon,
                   "paused": b.counts.paused, "awaiting_supplement": b.counts.awaiting_supplement,
                   "ready_for_collection": b.counts.ready_for_collection, "owing": b.counts.owing},
        "counts": {"received": c.received, "immediate": c.immediate, "accepted": c.accepted,
                   "supplement_notices": c.supplement_notices, "refused": c.refused, "completed": c.completed,
                   "completed_on_time": c.completed_on_time, "inquiries": centre.inquiries, "complaints": centre.complaints},
    })
}

/// A card as the reader gave it: the name exactly as on the card, the full number (it fills the
/// form the clerk checks against the card in hand).
pub fn card_json(c: &yichuang_core::card::Card) -> Value {
    json!({
        "kind": c.kind.label(),
        "name": c.name.as_ref().map(|n| n.as_str()),
        "english_name": c.english_name,
        "sex": if c.male { "男" } else { "女" },
        "birth": c.birth.to_string(),
        "address": c.address,
        "id_number": c.id_number.as_str(),
        "valid_to": c.valid_to.map(|d| d.to_string()),
    })
}
