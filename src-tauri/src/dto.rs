//! The shapes the window sees, and the error it gets: a stable code and a Chinese message.
//! They exist only here.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use yichuang_app::forms;
use yichuang_core::{CaseState, Decision, Warning};
use yichuang_store::{CaseSummary, CatalogueEntry, IntakeRequest, Staff, Store, StoreError, SupplementRequest};

#[derive(Debug, Serialize)]
pub struct ApiError {
    pub code: String,
    pub message: String,
}

impl ApiError {
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        Self { code: code.to_owned(), message: message.into() }
    }
    pub fn internal(message: &str) -> Self {
        Self::new("internal", message)
    }
}

impl From<yichuang_app::AppError> for ApiError {
    fn from(e: yichuang_app::AppError) -> Self {
        Self::new(e.code(), e.to_string())
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        Self::new(e.code(), e.to_string())
    }
}

macro_rules! core_error {
    ($($t:ty),*) => {$(
        impl From<$t> for ApiError {
            fn from(e: $t) -> Self {
                Self::new(e.code(), e.to_string())
            }
        }
    )*};
}
core_error!(
    yichuang_core::IdNumberError,
    yichuang_core::PhoneError,
    yichuang_core::PersonNameError,
    yichuang_core::CatalogueError,
    yichuang_core::QualityError,
    yichuang_core::NumberError
);

pub type ApiResult<T> = Result<T, ApiError>;

#[derive(Debug, Serialize)]
pub struct StaffDto {
    pub id: String,
    pub name: String,
    pub role: &'static str,
}

impl From<&Staff> for StaffDto {
    fn from(s: &Staff) -> Self {
        Self { id: s.id.clone(), name: s.name.clone(), role: s.role.as_str() }
    }
}

/// A staff member as the head's staff list shows them, off duty too.
#[derive(Debug, Serialize)]
pub struct StaffRow {
    pub id: String,
    pub name: String,
    pub role: &'static str,
    pub active: bool,
}

impl From<&Staff> for StaffRow {
    fn from(s: &Staff) -> Self {
        Self { id: s.id.clone(), name: s.name.clone(), role: s.role.as_str(), active: s.active }
    }
}

/// The head's form for a new staff member.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewStaff {
    pub id: String,
    pub name: String,
    pub role: String,
    pub pin: String,
}


#[derive(Debug, Serialize)]
pub struct AppInfo {
    pub centre_name: String,
    pub centre_code: String,
    pub terminal: String,
    pub today: String,
    pub calendar_version: String,
    pub catalogue_version: Option<String>,
    pub staff: Vec<StaffDto>,
    /// The window locks after this many minutes without a key or a click.
    pub idle_lock_minutes: u32,
    /// The centre's windows have a rating screen facing the applicant.
    pub rating_screen: bool,
    /// Why the database is open for reading only (found damaged), with the way to restore.
    pub damaged: Option<String>,
    /// Who signed in last at this PC (preselected at sign-in), if still on duty.
    pub last_staff: Option<String>,
}

impl AppInfo {
    pub fn from_store(s: &Store, today: NaiveDate) -> ApiResult<Self> {
        let c = s.centre()?;
        Ok(Self {
            centre_name: c.name.clone(),
            centre_code: c.code.to_string(),
            terminal: c.terminal.to_string(),
            today: today.to_string(),
            calendar_version: s.calendar().version(),
            catalogue_version: s.catalogue_version().map(str::to_owned),
            staff: s.staff_list()?.iter().filter(|x| x.active).map(StaffDto::from).collect(),
            idle_lock_minutes: c.settings.idle_lock_minutes,
            rating_screen: c.settings.rating_screen,
            damaged: s.damaged().map(|d| yichuang_store::StoreError::Damaged(d).to_string()),
            last_staff: None,
        })
    }
}

#[derive(Debug, Serialize)]
pub struct WarningDto {
    pub level: &'static str,
    pub days: u32,
}

fn warning(w: Option<Warning>) -> Option<WarningDto> {
    w.map(|w| match w {
        Warning::Yellow { working_days_left } => WarningDto { level: "yellow", days: working_days_left },
        Warning::Red { working_days_overdue } => WarningDto { level: "red", days: working_days_overdue },
        other => WarningDto { level: other.as_str(), days: 0 },
    })
}

#[derive(Debug, Serialize)]
pub struct CaseRow {
    pub number: String,
    pub item_name: String,
    pub applicant_name: String,
    pub status: &'static str,
    pub status_label: &'static str,
    pub due_date: Option<String>,
    pub provisional: bool,
    pub warning: Option<WarningDto>,
    /// 容缺: the day owed materials are due, while anything is owed.
    pub owed_by: Option<String>,
    pub received_on: String,
}

impl From<&CaseSummary> for CaseRow {
    fn from(c: &CaseSummary) -> Self {
        Self {
            number: c.number.clone(),
            item_name: c.item_name.clone(),
            applicant_name: c.applicant_name.clone(),
            status: c.status.as_str(),
            status_label: c.status.label(),
            due_date: c.due_date.map(|d| d.to_string()),
            provisional: c.due_provisional,
            warning: warning(c.warning),
            owed_by: c.owed_by.map(|d| d.to_string()),
            received_on: c.received_on.to_string(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct BoardDto {
    pub today: String,
    /// Running cases, soonest due first (办理中).
    pub in_progress: Vec<CaseRow>,
    pub overdue: Vec<CaseRow>,
    pub due_soon: Vec<CaseRow>,
    pub paused: Vec<CaseRow>,
    pub awaiting_supplement: Vec<CaseRow>,
    pub ready_for_collection: Vec<CaseRow>,
    /// 容缺 cases still owing materials.
    pub owing: Vec<CaseRow>,
    pub open_inquiries: usize,
    pub received: u32,
    pub completed: u32,
    pub supplement_notices: u32,
    pub refused: u32,
    /// The county's supervision notices (督办) no window has answered yet.
    pub supervisions: Vec<SupervisionDto>,
    /// What waits for the station head (empty for a clerk).
    pub head_queue: Vec<QueueDto>,
    /// How many each list holds (each shows its first rows only).
    pub totals: BoardTotals,
}

#[derive(Debug, Serialize)]
pub struct BoardTotals {
    pub in_progress: usize,
    pub overdue: usize,
    pub due_soon: usize,
    pub paused: usize,
    pub awaiting_supplement: usize,
    pub ready_for_collection: usize,
    pub owing: usize,
}

/// A row of the head's queue on Today.
#[derive(Debug, Serialize)]
pub struct QueueDto {
    pub kind: &'static str,
    pub label: &'static str,
    pub key: String,
    pub case_number: Option<String>,
    pub text: String,
    pub due: Option<String>,
    pub late: bool,
}

impl From<&yichuang_store::QueueItem> for QueueDto {
    fn from(q: &yichuang_store::QueueItem) -> Self {
        Self {
            kind: q.kind.as_str(),
            label: q.kind.label(),
            key: q.key.clone(),
            case_number: q.case_number.clone(),
            text: q.text.clone(),
            due: q.due.map(|d| d.to_string()),
            late: q.late,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct SupervisionDto {
    pub id: String,
    pub case_number: String,
    pub text: String,
    pub deadline: String,
    pub issued_by: String,
    /// Past its deadline.
    pub late: bool,
}

impl SupervisionDto {
    pub fn new(s: &yichuang_store::Supervision, today: chrono::NaiveDate) -> Self {
        let n = &s.notice;
        Self {
            id: n.id.clone(),
            case_number: n.case_number.clone(),
            text: n.text.clone(),
            deadline: n.deadline.to_string(),
            issued_by: n.issued_by.clone(),
            late: n.deadline < today,
        }
    }
}

impl BoardDto {
    /// The lists of the whole centre, and today's figures, which are the day's report.
    pub fn new(b: &yichuang_store::TodayBoard, c: &yichuang_report::ItemFigures, supervisions: Vec<SupervisionDto>, head_queue: Vec<QueueDto>) -> Self {
        let rows = |v: &[CaseSummary]| v.iter().map(CaseRow::from).collect();
        Self {
            today: b.today.to_string(),
            in_progress: rows(&b.in_progress),
            overdue: rows(&b.overdue),
            due_soon: rows(&b.due_soon),
            paused: rows(&b.paused),
            awaiting_supplement: rows(&b.awaiting_supplement),
            ready_for_collection: rows(&b.ready_for_collection),
            owing: rows(&b.owing),
            open_inquiries: b.open_inquiries.len(),
            received: c.received,
            completed: c.completed,
            supplement_notices: c.supplement_notices,
            refused: c.refused,
            supervisions,
            head_queue,
            totals: BoardTotals {
                in_progress: b.counts.in_progress,
                overdue: b.counts.overdue,
                due_soon: b.counts.due_soon,
                paused: b.counts.paused,
                awaiting_supplement: b.counts.awaiting_supplement,
                ready_for_collection: b.counts.ready_for_collection,
                owing: b.counts.owing,
            },
        }
    }
}

#[derive(Debug, Serialize)]
pub struct MaterialDto {
    pub code: String,
    pub name: String,
    pub form: &'static str,
    pub copies: u32,
    pub required: bool,
    pub required_when: Option<String>,
    pub notes: String,
    /// A 容缺材料: may follow on the applicant's commitment.
    pub tolerable: bool,
}

#[derive(Debug, Serialize)]
pub struct ItemDto {
    pub code: String,
    pub name: String,
    pub initials: String,
    pub kind: &'static str,
    pub kind_label: &'static str,
    pub limit: String,
    pub department: String,
    /// Whether 容缺受理 applies to the item at all, and the owed materials' period.
    pub tolerable: bool,
    pub tolerance_days: u32,
    pub materials: Vec<MaterialDto>,
}

impl From<&CatalogueEntry> for ItemDto {
    fn from(e: &CatalogueEntry) -> Self {
        let i = &e.item;
        Self {
            code: i.code().to_string(),
            name: i.name().to_owned(),
            initials: e.initials.clone(),
            kind: i.kind().as_str(),
            kind_label: i.kind().label(),
            limit: if i.promised_limit().days() == 0 { "即办".into() } else { i.promised_limit().to_string() },
            department: i.guide().department.clone(),
            tolerable: i.has_tolerable(),
            tolerance_days: i.tolerance_days(),
            materials: i
                .materials()
                .iter()
                .map(|m| MaterialDto {
                    code: m.code().to_string(),
                    name: m.name().to_owned(),
                    form: m.form().label(),
                    copies: m.copies(),
                    required: m.is_required(),
                    required_when: match m.requirement() {
                        yichuang_core::Requirement::RequiredWhen(c) => Some(c.clone()),
                        _ => None,
                    },
                    notes: m.notes().to_owned(),
                    tolerable: m.is_tolerable(),
                })
                .collect(),
        }
    }
}

/// The ID number as typed: valid or why not, masked, and a returning applicant's details.
#[derive(Debug, Serialize)]
pub struct IdCheck {
    pub ok: bool,
    pub message: Option<String>,
    pub masked: Option<String>,
    pub returning_name: Option<String>,
    pub returning_phone: Option<String>,
}

impl IdCheck {
    pub fn check(s: &Store, value: &str) -> ApiResult<Self> {
        Ok(match forms::look_up_id(s, value)? {
            forms::IdLookup::Invalid(e) => Self { ok: false, message: Some(e.to_string()), masked: None, returning_name: None, returning_phone: None },
            forms::IdLookup::Valid { id, on_file } => Self {
                ok: true,
                message: None,
                masked: Some(id.masked()),
                returning_name: on_file.as_ref().map(|(n, _)| n.clone()),
                returning_phone: on_file.and_then(|(_, p)| p),
            },
        })
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MaterialInput {
    pub code: String,
    pub pages: u32,
    pub copies: u32,
    #[serde(default)]
    pub defect: Option<String>,
}

/// The New application form.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IntakeForm {
    pub item: String,
    pub name: String,
    pub id_number: String,
    #[serde(default)]
    pub phone: Option<String>,
    pub materials: Vec<MaterialInput>,
    #[serde(default)]
    pub conditions: Vec<String>,
    #[serde(default)]
    pub refuse: Option<String>,
    /// An agent (代办人): name, ID number, phone; all empty when the applicant came in person.
    #[serde(default)]
    pub agent_name: String,
    #[serde(default)]
    pub agent_id_number: String,
    #[serde(default)]
    pub agent_phone: String,
    /// The clerk confirmed that the applicant's ID number now goes with this name (改名).
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

fn lines(materials: Vec<MaterialInput>) -> Vec<forms::MaterialLine> {
    materials.into_iter().map(|m| forms::MaterialLine { code: m.code, pages: m.pages, copies: m.copies, defect: m.defect.unwrap_or_default() }).collect()
}

/// The materials brought for a supplement, taken by `clerk` (the signed-in staff member).
pub fn supplement_request(materials: Vec<MaterialInput>, clerk: &str) -> ApiResult<SupplementRequest> {
    Ok(forms::supplement(&lines(materials), &[], &[], "", clerk)?)
}

impl IntakeForm {
    /// The request, taken by `clerk`: the signed-in staff member, never a field of the page.
    pub fn into_request(self, clerk: &str) -> ApiResult<IntakeRequest> {
        let form = forms::IntakeForm {
            item: self.item,
            applicant: forms::ApplicantForm { name: self.name, id_number: self.id_number, uscc: String::new(), phone: self.phone.unwrap_or_default() },
            agent: forms::AgentForm { name: self.agent_name, id_number: self.agent_id_number, phone: self.agent_phone },
            materials: lines(self.materials),
            defects: vec![],
            conditions: self.conditions,
            refusal: self.refuse.unwrap_or_default(),
            received_on: None,
            confirm_rename: self.confirm_rename,
            duplicate_reason: self.duplicate_reason.unwrap_or_default(),
            commitment: self.commitment,
            sms_consent: self.sms_consent,
        };
        Ok(form.into_request(clerk)?)
    }
}

#[derive(Debug, Serialize)]
pub struct DeficiencyDto {
    pub code: String,
    pub name: String,
    pub problem: String,
    /// Copies the catalogue asks for (0 where not looked up).
    #[serde(skip_serializing_if = "is_zero")]
    pub copies: u32,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

fn deficiencies(d: &Decision) -> Vec<DeficiencyDto> {
    match d {
        Decision::Supplement(l) | Decision::Tolerated(l) => l
            .iter()
            .map(|x| DeficiencyDto { code: x.material.to_string(), name: x.name.clone(), problem: x.problem.describe(), copies: 0 })
            .collect(),
        _ => vec![],
    }
}

#[derive(Debug, Serialize)]
pub struct PreviewDto {
    pub decision: &'static str,
    pub due_date: Option<String>,
    pub provisional: bool,
    /// What is missing (supplement) or owed (tolerated).
    pub deficiencies: Vec<DeficiencyDto>,
    pub owed_by: Option<String>,
    /// The applicant's open cases of the same item: shown before F9, a second needs a reason.
    pub duplicates: Vec<OpenCaseDto>,
}

#[derive(Debug, Serialize)]
pub struct OpenCaseDto {
    pub number: String,
    pub status_label: &'static str,
    pub received_on: String,
}

impl From<&yichuang_store::IntakePreview> for PreviewDto {
    fn from(p: &yichuang_store::IntakePreview) -> Self {
        Self {
            decision: p.decision.as_str(),
            due_date: p.due.as_ref().map(|d| d.date().to_string()),
            provisional: p.due.as_ref().is_some_and(|d| d.provisional()),
            deficiencies: deficiencies(&p.decision),
            owed_by: p.owed_by.map(|d| d.to_string()),
            duplicates: p
                .duplicates
                .iter()
                .map(|c| OpenCaseDto { number: c.number.clone(), status_label: c.status.label(), received_on: c.received_on.to_string() })
                .collect(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct DocDto {
    pub kind: &'static str,
    pub title: &'static str,
    pub number: String,
    pub voided: bool,
}

impl From<&yichuang_store::DocumentRef> for DocDto {
    fn from(d: &yichuang_store::DocumentRef) -> Self {
        Self { kind: d.kind.as_str(), title: d.kind.title(), number: d.number.clone(), voided: d.voided }
    }
}

#[derive(Debug, Serialize)]
pub struct OutcomeDto {
    pub case_number: String,
    pub decision: &'static str,
    pub due_date: Option<String>,
    pub provisional: bool,
    pub deficiencies: Vec<DeficiencyDto>,
    pub owed_by: Option<String>,
    pub documents: Vec<DocDto>,
}

impl From<&yichuang_store::IntakeOutcome> for OutcomeDto {
    fn from(o: &yichuang_store::IntakeOutcome) -> Self {
        Self {
            case_number: o.case_number.to_string(),
            decision: o.decision.as_str(),
            due_date: o.due.as_ref().map(|d| d.date().to_string()),
            provisional: o.due.as_ref().is_some_and(|d| d.provisional()),
            deficiencies: deficiencies(&o.decision),
            owed_by: o.owed_by.map(|d| d.to_string()),
            documents: o.documents.iter().map(DocDto::from).collect(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct TimelineEntry {
    pub at: String,
    pub actor: String,
    pub what: String,
    /// Where this record stands with HQ (待上传, 县级已收到, 县级拒收), or which of the
    /// centre's other windows wrote it (02号窗口).
    pub sync: String,
}

#[derive(Debug, Serialize)]
pub struct ActionDto {
    pub key: &'static str,
    pub label: &'static str,
}

/// Everything the case page shows, and the actions the state machine allows now.
#[derive(Debug, Serialize)]
pub struct CaseDetail {
    pub number: String,
    pub item_name: String,
    pub applicant_name: String,
    pub id_masked: String,
    pub status: &'static str,
    pub status_label: &'static str,
    pub due_date: Option<String>,
    pub provisional: bool,
    pub warning: Option<WarningDto>,
    pub handler_name: String,
    pub deficiencies: Vec<DeficiencyDto>,
    /// 容缺: what the case owes now, and by when.
    pub owed: Vec<DeficiencyDto>,
    pub owed_by: Option<String>,
    /// Whether the owed materials' day has passed (the head may terminate the case).
    pub owed_overdue: bool,
    /// Who collected, as checked (申请人本人, 代办人, 持委托书代领) with the masked ID.
    pub collected: Option<String>,
    /// The number the applicant agreed to be told at by SMS, masked; none without consent.
    pub sms_phone: Option<String>,
    pub documents: Vec<DocDto>,
    pub timeline: Vec<TimelineEntry>,
    pub actions: Vec<ActionDto>,
}

fn event_label(kind: &str) -> &'static str {
    match kind {
        "case.intake" => "收件",
        "case.supplemented" => "补正材料",
        "case.extended" => "延期",
        "case.paused" => "暂停计时",
        "case.resumed" => "恢复计时",
        "case.forwarded" => "上报/转办",
        "case.decided" => "作出决定",
        "case.ready" => "通知领取",
        "case.collected" => "领取",
        "case.withdrawn" => "撤回",
        "case.archived" => "归档",
        "case.terminated" => "终止办理",
        "case.sms_consent" => "短信通知",
        "case.sms_queued" => "短信",
        "case.sms_reported" => "短信",
        "document.reprinted" => "补打文书",
        "document.voided" => "作废文书",
        _ => "其他",
    }
}

impl CaseDetail {
    pub fn load(s: &Store, number: &str, today: NaiveDate) -> ApiResult<Self> {
        let v = s.case(number, today)?;
        let item = s.item_in_version(&v.catalogue_version, &v.item_code)?;
        let staff_name = |id: &str| s.staff(id).map(|x| x.name).unwrap_or_else(|_| id.to_owned());
        // The case's own events, and what happened to its documents (reprints, voids).
        let mut events = s.events_of(&v.number)?;
        for d in &v.documents {
            events.extend(s.events_of(&d.number)?.into_iter().filter(|e| e.kind != "document.issued"));
        }
        events.sort_by_key(|e| e.seq);
        let describe = |e: &yichuang_store::EventRecord| {
            let mut what = event_label(&e.kind).to_owned();
            match e.event() {
                Ok(event) => {
                    let s = event.summary();
                    if let Some(d) = s.decision {
                        what.push_str(match d {
                            "immediate" => "：当场办结",
                            "accepted" => "：受理",
                            "supplement" => "：需补正",
                            "tolerated" => "：容缺受理",
                            _ => "：不予受理",
                        });
                    }
                    if let Some(r) = s.reason {
                        what.push_str(&format!("（{r}）"));
                    }
                    if let Some(to) = s.to {
                        what.push_str(&format!("，转至{to}"));
                    }
                    if let Some(by) = s.by {
                        what.push_str(&format!("，领取人{by}"));
                    }
                    if let Some(due) = s.due {
                        what.push_str(&format!("，承诺办结{due}"));
                    }
                    match &event {
                        yichuang_events::Event::CaseSmsConsent(c) if c.given => {
                            let masked = c.phone.as_deref().and_then(|p| yichuang_core::Phone::parse(p).ok()).map(|p| p.masked()).unwrap_or_default();
                            what.push_str(&format!("：申请人同意接收短信通知（{masked}）"));
                        }
                        yichuang_events::Event::CaseSmsConsent(_) => what.push_str("：申请人撤回短信通知的同意"),
                        yichuang_events::Event::CaseSmsQueued(q) => {
                            let label = yichuang_core::Notice::parse(&q.notice).map(|n| n.label()).unwrap_or("通知");
                            what.push_str(&format!("{label}已排队，待县级发送"));
                        }
                        yichuang_events::Event::CaseSmsReported(r) => {
                            what.push_str(r.label());
                            if let Some(d) = r.detail.as_deref().filter(|d| !d.is_empty()) {
                                what.push_str(&format!("（{d}）"));
                            }
                        }
                        _ => {}
                    }
                }
                Err(err) => what.push_str(&format!("（{err}）")),
            }
            what
        };
        let lost = |what: String, lost: bool| if lost { format!("{what}【与其他窗口冲突，未采用，待负责人处理】") } else { what };
        let at = |e: &yichuang_store::EventRecord| e.at.get(..16).unwrap_or(&e.at).replace('T', " ");
        // In the centre's one order: the instant, then the terminal, then its seq.
        let when = |e: &yichuang_store::EventRecord| chrono::DateTime::parse_from_rfc3339(&e.at).map(|t| t.timestamp_micros()).unwrap_or(i64::MAX);
        let own_terminal = s.centre()?.terminal.to_string();
        let mut timeline: Vec<((i64, String, i64), TimelineEntry)> = events
            .iter()
            .map(|e| {
                let sync = match s.event_sync(e.seq) {
                    Ok(yichuang_store::EventSync::Acknowledged) => "县级已收到",
                    Ok(yichuang_store::EventSync::Rejected) => "县级拒收",
                    _ => "待上传",
                };
                let what = lost(describe(e), s.own_act_lost(e.seq).unwrap_or(false));
                ((when(e), own_terminal.clone(), e.seq), TimelineEntry { at: at(e), actor: staff_name(&e.actor), what, sync: sync.to_owned() })
            })
            .collect();
        // What the centre's other windows did with the case.
        for (terminal, e, was_lost) in s.peer_events_of(&v.number)? {
            let entry = TimelineEntry { at: at(&e), actor: staff_name(&e.actor), what: lost(describe(&e), was_lost), sync: format!("{terminal}号窗口") };
            timeline.push(((when(&e), terminal, e.seq), entry));
        }
        timeline.sort_by(|a, b| a.0.cmp(&b.0));
        let timeline: Vec<TimelineEntry> = timeline.into_iter().map(|(_, t)| t).collect();
        let actions = CaseState::restore(v.status, v.paused)
            .owing(!v.owed.is_empty())
            .allowed_actions()
            .into_iter()
            .filter_map(|a| {
                let key = match a {
                    yichuang_core::CaseAction::Supplement(_) => "supplement",
                    yichuang_core::CaseAction::Extend => "extend",
                    yichuang_core::CaseAction::Decide { .. } => "decide",
                    yichuang_core::CaseAction::Ready => "ready",
                    yichuang_core::CaseAction::Collect => "collect",
                    yichuang_core::CaseAction::Forward => "forward",
                    yichuang_core::CaseAction::Pause => "pause",
                    yichuang_core::CaseAction::Resume => "resume",
                    yichuang_core::CaseAction::Withdraw => "withdraw",
                    // Only once the owed materials' day has passed.
                    yichuang_core::CaseAction::Terminate if v.owed_by.is_some_and(|d| yichuang_core::tolerance::may_terminate(d, today)) => "terminate",
                    _ => return None,
                };
                Some(ActionDto { key, label: a.label() })
            })
            .collect();
        Ok(Self {
            item_name: v.item_name.clone(),
            applicant_name: v.applicant.name.clone(),
            id_masked: v.applicant.id_masked.clone(),
            status: v.status.as_str(),
            status_label: v.status.label(),
            due_date: v.due_date.map(|d| d.to_string()),
            provisional: v.due_provisional,
            warning: warning(v.warning),
            handler_name: v.handler_name.clone(),
            deficiencies: v
                .deficiencies
                .iter()
                .map(|d| DeficiencyDto {
                    code: d.material.to_string(),
                    name: d.name.clone(),
                    problem: d.problem.describe(),
                    copies: item.material(&d.material).map(|m| m.copies()).unwrap_or(1),
                })
                .collect(),
            owed: v
                .owed
                .iter()
                .map(|d| DeficiencyDto {
                    code: d.material.clone(),
                    name: d.name.clone(),
                    problem: d.problem.clone(),
                    copies: yichuang_core::MaterialCode::parse(&d.material).ok().and_then(|c| item.material(&c).map(|m| m.copies())).unwrap_or(1),
                })
                .collect(),
            owed_by: v.owed_by.filter(|_| !v.owed.is_empty()).map(|d| d.to_string()),
            owed_overdue: !v.owed.is_empty() && v.owed_by.is_some_and(|d| yichuang_core::tolerance::may_terminate(d, today)),
            sms_phone: v.sms_phone_masked.clone(),
            collected: v.collected_by.as_ref().map(|by| {
                let role = match v.collector_role.as_deref() {
                    Some("applicant") => "申请人本人",
                    Some("agent") => "代办人",
                    Some("attorney") => "持委托书代领",
                    _ => "",
                };
                match (&v.collector_id_masked, role) {
                    (Some(id), r) if !r.is_empty() => format!("{by}（{r}，{id}）"),
                    _ => by.clone(),
                }
            }),
            documents: v.documents.iter().map(DocDto::from).collect(),
            timeline,
            actions,
            number: v.number,
        })
    }
}

/// The inquiry register's form.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InquiryForm {
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
}

impl InquiryForm {
    /// The inquiry, registered by `clerk`: the signed-in staff member.
    pub fn into_input(self, clerk: &str) -> ApiResult<yichuang_store::InquiryInput> {
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
        Ok(form.into_input(clerk)?)
    }
}

#[derive(Debug, Serialize)]
pub struct InquiryDto {
    pub id: String,
    pub received_at: String,
    pub channel: String,
    pub person: String,
    pub matter: String,
    pub disposition: String,
    pub handed_to: Option<String>,
    pub reply_due: Option<String>,
    pub status: String,
    pub result: Option<String>,
    pub warning: Option<WarningDto>,
    pub documents: Vec<String>,
}

impl From<&yichuang_store::InquiryView> for InquiryDto {
    fn from(v: &yichuang_store::InquiryView) -> Self {
        Self {
            id: v.id.clone(),
            received_at: v.received_at.get(..16).unwrap_or(&v.received_at).replace('T', " "),
            channel: yichuang_store::Channel::parse(&v.channel).map(|c| c.label().to_owned()).unwrap_or_else(|| v.channel.clone()),
            person: v.person_name.clone(),
            matter: v.matter.clone(),
            disposition: yichuang_store::Disposition::parse(&v.disposition).map(|d| d.label().to_owned()).unwrap_or_else(|| v.disposition.clone()),
            handed_to: v.handed_to.clone(),
            reply_due: v.reply_due.map(|d| d.to_string()),
            status: v.status.clone(),
            result: v.result.clone(),
            warning: warning(v.warning),
            documents: v.documents.iter().map(|d| d.number.clone()).collect(),
        }
    }
}

impl From<yichuang_print::PrintError> for ApiError {
    fn from(e: yichuang_print::PrintError) -> Self {
        Self::new(e.code(), e.to_string())
    }
}


#[derive(Debug, Serialize)]
pub struct SetupStatus {
    pub configured: bool,
    pub db: String,
}

/// The first-start form.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SetupForm {
    pub centre_code: String,
    pub centre_name: String,
    pub terminal: String,
    pub head_id: String,
    pub head_name: String,
    pub head_pin: String,
    #[serde(default)]
    pub clerk_id: String,
    #[serde(default)]
    pub clerk_name: String,
    #[serde(default)]
    pub clerk_pin: String,
    #[serde(default)]
    pub printer: String,
    pub stub_copies: bool,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub address: String,
}

impl SetupForm {
    /// Everything checked before anything is written (the use-case layer's rule).
    pub fn parse(self) -> ApiResult<yichuang_app::setup::CentreSetup> {
        let form = yichuang_app::setup::SetupForm {
            centre_code: self.centre_code,
            centre_name: self.centre_name,
            terminal: self.terminal,
            head_id: self.head_id,
            head_name: self.head_name,
            head_pin: self.head_pin,
            clerk_id: self.clerk_id,
            clerk_name: self.clerk_name,
            clerk_pin: self.clerk_pin,
            printer: self.printer,
            stub_copies: self.stub_copies,
            phone: self.phone,
            address: self.address,
        };
        Ok(form.parse()?)
    }
}

/// A returning applicant offered while the clerk types.
#[derive(Debug, Serialize)]
pub struct ApplicantHit {
    /// What the page sends back when the clerk picks this one ([`PickedApplicant`]).
    pub pick: i64,
    pub masked: String,
    pub name: String,
    /// The phone number's first three and last four digits only.
    pub phone: Option<String>,
    pub organisation: bool,
}

impl From<&yichuang_store::ApplicantMatch> for ApplicantHit {
    fn from(m: &yichuang_store::ApplicantMatch) -> Self {
        Self { pick: m.id, masked: forms::masked_key(&m.key), name: m.name.clone(), phone: m.phone.as_deref().map(forms::masked_phone), organisation: m.organisation }
    }
}

/// The one returning applicant the clerk picked: in full, to fill the form.
#[derive(Debug, Serialize)]
pub struct PickedApplicant {
    pub key: String,
    pub name: String,
    pub phone: Option<String>,
}

impl From<yichuang_store::ApplicantMatch> for PickedApplicant {
    fn from(m: yichuang_store::ApplicantMatch) -> Self {
        Self { key: m.key, name: m.name, phone: m.phone }
    }
}

#[derive(Debug, Serialize)]
pub struct Printed {
    pub message: String,
    pub file: String,
    /// `queued` (on a printer), `opened` (in the desktop's viewer) or `saved` (only kept): the
    /// window shows only the first as done.
    pub status: &'static str,
    pub job: Option<String>,
}

impl From<yichuang_print::Delivered> for Printed {
    fn from(d: yichuang_print::Delivered) -> Self {
        let mut message = d.message();
        if !d.unencodable.is_empty() {
            message.push_str(&format!("；注意：小票打印机无法印出“{}”，请在设置中改用GB18030或位图", d.unencodable.iter().collect::<String>()));
        }
        use yichuang_print::printer::Sent;
        let (status, job) = match &d.sent {
            Sent::Queued { job, .. } => ("queued", job.clone()),
            Sent::Opened(_) => ("opened", None),
            Sent::Saved(_) => ("saved", None),
        };
        Self { message, file: d.file.display().to_string(), status, job }
    }
}

#[derive(Debug, Serialize)]
pub struct SettingsDto {
    pub centre_code: String,
    pub centre_name: String,
    pub terminal: String,
    pub warning_days: u32,
    pub stub_copies: bool,
    pub deemed_approval: bool,
    pub phone: String,
    pub address: String,
    pub printer: String,
    pub slip_printer: String,
    pub slip_encoding: String,
    pub hq_public_key: String,
    pub peer_listen: String,
    /// The county's root certificate (PEM), and its fingerprint to compare by phone.
    pub hq_ca: String,
    pub hq_ca_fingerprint: Option<String>,
    pub idle_lock_minutes: u32,
    pub bar_broken_commitments: bool,
    pub rating_screen: bool,
    pub card_reader_lib: String,
    pub card_reader_port: u32,
}

impl From<&yichuang_store::Centre> for SettingsDto {
    fn from(c: &yichuang_store::Centre) -> Self {
        let s = &c.settings;
        Self {
            centre_code: c.code.to_string(),
            centre_name: c.name.clone(),
            terminal: c.terminal.to_string(),
            warning_days: s.warning_days,
            stub_copies: s.stub_copies,
            deemed_approval: s.deemed_approval,
            phone: s.phone.clone(),
            address: s.address.clone(),
            printer: s.printer.clone(),
            slip_printer: s.slip_printer.clone(),
            slip_encoding: s.slip_encoding.clone(),
            hq_public_key: s.hq_public_key.clone(),
            peer_listen: s.peer_listen.clone(),
            hq_ca: s.hq_ca.clone(),
            hq_ca_fingerprint: (!s.hq_ca.is_empty()).then(|| yichuang_store::pem_certificate(&s.hq_ca).ok()).flatten(),
            idle_lock_minutes: s.idle_lock_minutes,
            bar_broken_commitments: s.bar_broken_commitments,
            rating_screen: s.rating_screen,
            card_reader_lib: s.card_reader_lib.clone(),
            card_reader_port: s.card_reader_port,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SettingsForm {
    pub warning_days: u32,
    pub stub_copies: bool,
    pub phone: String,
    pub address: String,
    pub printer: String,
    pub slip_printer: String,
    pub slip_encoding: String,
    #[serde(default)]
    pub hq_public_key: String,
    #[serde(default)]
    pub peer_listen: String,
    /// Absent: the root stays as it is.
    #[serde(default)]
    pub hq_ca: Option<String>,
    /// Absent: as it is.
    #[serde(default)]
    pub idle_lock_minutes: Option<u32>,
    /// 容缺 not offered to an applicant with a broken commitment (absent: unchanged).
    #[serde(default)]
    pub bar_broken_commitments: Option<bool>,
    /// The rating screen facing the applicant (absent: unchanged).
    #[serde(default)]
    pub rating_screen: Option<bool>,
    /// The ID-card reader's vendor library and port (absent: unchanged).
    #[serde(default)]
    pub card_reader_lib: Option<String>,
    #[serde(default)]
    pub card_reader_port: Option<u32>,
}

impl SettingsForm {
    /// The form's values over the stored settings; the store judges them (one rule for the
    /// window and the command line).
    pub fn into_change(self) -> yichuang_app::settings::SettingsChange {
        yichuang_app::settings::SettingsChange {
            warning_days: Some(self.warning_days),
            stub_copies: Some(self.stub_copies),
            phone: Some(self.phone),
            address: Some(self.address),
            printer: Some(self.printer),
            slip_printer: Some(self.slip_printer),
            slip_encoding: Some(self.slip_encoding),
            hq_public_key: Some(self.hq_public_key),
            peer_listen: Some(self.peer_listen),
            hq_ca: self.hq_ca,
            idle_lock_minutes: self.idle_lock_minutes,
            bar_broken_commitments: self.bar_broken_commitments,
            rating_screen: self.rating_screen,
            card_reader_lib: self.card_reader_lib,
            card_reader_port: self.card_reader_port,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct PrinterDto {
    pub name: String,
    pub is_default: bool,
}

impl From<yichuang_print::printer::Printer> for PrinterDto {
    fn from(p: yichuang_print::printer::Printer) -> Self {
        Self { name: p.name, is_default: p.is_default }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Progress {
    pub done: i64,
    pub total: i64,
}

/// A backup file, checked.
#[derive(Debug, Serialize)]
pub struct BackupDto {
    pub name: String,
    pub path: String,
    pub bytes: u64,
    pub events: i64,
    pub ok: bool,
}

impl BackupDto {
    pub fn read(path: &std::path::Path) -> ApiResult<Self> {
        let bytes = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        let (events, ok) = match yichuang_store::check_backup(path) {
            Ok(r) => (r.events, r.fault.is_none()),
            Err(_) => (0, false),
        };
        Ok(Self {
            name: path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
            path: path.display().to_string(),
            bytes,
            events,
            ok,
        })
    }

    /// The backups in `dir`, newest first.
    pub fn list(dir: &std::path::Path) -> ApiResult<Vec<Self>> {
        let Ok(entries) = std::fs::read_dir(dir) else { return Ok(vec![]) };
        let mut paths: Vec<_> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "db"))
            .collect();
        paths.sort();
        paths.reverse();
        paths.iter().map(|p| Self::read(p)).collect()
    }
}

/// What the verify screen shows of a scanned or typed QR code: the verdict in the clerk's
/// words, and what the genuine document says (to compare with the paper), when it is held here.
#[derive(Debug, Serialize)]
pub struct VerifyDto {
    /// `genuine`, `voided`, `forged`, `unknown_terminal` or `malformed`.
    pub verdict: &'static str,
    pub message: String,
    pub document: Option<VerifiedDoc>,
}

#[derive(Debug, Serialize)]
pub struct VerifiedDoc {
    pub number: String,
    pub title: String,
    pub applicant: Option<String>,
    pub id_masked: Option<String>,
    pub item: Option<String>,
    pub issued_on: Option<NaiveDate>,
    pub due_date: Option<NaiveDate>,
    pub reasons: Vec<String>,
}

impl VerifyDto {
    pub fn from_verdict(v: yichuang_store::QrVerdict) -> Self {
        use yichuang_store::QrVerdict as Q;
        match v {
            Q::Genuine { document, key_id, held, voided, binds_content, .. } => {
                let doc = held.map(|d| VerifiedDoc {
                    number: d.number.clone(),
                    title: d.body.title.clone(),
                    applicant: d.body.applicant_name.clone(),
                    id_masked: d.body.applicant_id_masked.clone(),
                    item: d.body.item_name.clone(),
                    issued_on: d.body.issued_on,
                    due_date: d.body.due_date,
                    reasons: d.body.reasons.clone(),
                });
                let old = if binds_content { "" } else { "（旧版二维码，只核验编号，未核验内容）" };
                match voided {
                    Some(r) => Self { verdict: "voided", message: format!("{document}是真实文书，但已作废：{r}"), document: doc },
                    None if doc.is_some() => {
                        Self { verdict: "genuine", message: format!("真实：{document}，由终端{key_id}签发，请与纸面逐项核对下列内容{old}"), document: doc }
                    }
                    None => Self { verdict: "genuine", message: format!("真实：{document}，由终端{key_id}签发（本机没有该文书的记录，签名由已知终端公钥核验）{old}"), document: None },
                }
            }
            Q::ContentDiffers { document } => {
                Self { verdict: "forged", message: format!("伪造：这是{document}的真实二维码，但文书内容与它签发时不同"), document: None }
            }
            Q::Forged => Self { verdict: "forged", message: "伪造：二维码的签名不符，二维码被改动或伪造".into(), document: None },
            Q::UnknownKey { key_id } => {
                Self { verdict: "unknown_terminal", message: format!("无法核验：本机不知道终端{key_id}的公钥，请先与县级同步"), document: None }
            }
            Q::Malformed => Self { verdict: "malformed", message: "这不是一窗通文书的二维码".into(), document: None },
        }
    }
}

#[derive(Debug, Serialize)]
pub struct RestoreDto {
    pub events: i64,
    pub kept_as: Option<String>,
    /// The terminal number the restored database numbers with from now on.
    pub terminal: String,
}

impl From<yichuang_sync::SyncError> for ApiError {
    fn from(e: yichuang_sync::SyncError) -> Self {
        Self::new(e.code(), e.to_string())
    }
}

#[derive(Debug, Serialize)]
pub struct RejectionDto {
    pub seq: i64,
    pub what: String,
    pub reason: String,
}

#[derive(Debug, Serialize)]
pub struct SyncStatusDto {
    pub enrolled: bool,
    pub terminal_uid: Option<String>,
    pub hq_url: Option<String>,
    pub pending: i64,
    pub acked_seq: i64,
    pub last_ack_at: Option<String>,
    pub rejections: Vec<RejectionDto>,
    /// The centre's other windows this one holds, and when and how each was last heard from.
    pub peers: Vec<PeerDto>,
    /// Acts on a case that lost to another window's, for the head.
    pub conflicts: Vec<ConflictDto>,
    /// The windows this one pulls from on the LAN.
    pub windows: Vec<WindowDto>,
    /// This window's own key and fingerprint, for the other window's head to compare.
    pub own_key: Option<String>,
    pub own_fingerprint: Option<String>,
    /// Where this window serves the others (empty: it does not).
    pub peer_listen: String,
}

#[derive(Debug, Serialize)]
pub struct WindowDto {
    pub url: String,
    pub terminal: String,
    pub fingerprint: String,
    pub last_ok_at: Option<String>,
    pub last_error: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct PeerDto {
    pub terminal: String,
    pub held_seq: i64,
    pub last_heard_at: Option<String>,
    /// 县级转来, 文件, 局域网
    pub via: &'static str,
    pub fingerprint: String,
}

#[derive(Debug, Serialize)]
pub struct ConflictDto {
    pub case_number: String,
    pub what: String,
    pub reason: String,
}

impl SyncStatusDto {
    pub fn load(s: &Store) -> Result<Self, StoreError> {
        let st = s.sync_status()?;
        Ok(Self {
            enrolled: st.enrolled,
            terminal_uid: st.terminal_uid,
            hq_url: st.hq_url,
            pending: st.pending,
            acked_seq: st.acked_seq,
            last_ack_at: st.last_ack_at.map(|t| t.get(..16).unwrap_or(&t).replace('T', " ")),
            rejections: s
                .rejections()?
                .into_iter()
                .map(|r| RejectionDto { seq: r.seq, what: format!("{} {}", event_label(&r.kind), r.subject), reason: r.reason })
                .collect(),
            peers: s
                .peer_streams()?
                .into_iter()
                .map(|p| PeerDto {
                    terminal: p.terminal,
                    held_seq: p.held_seq,
                    last_heard_at: p.last_heard_at.map(|t| t.get(..16).unwrap_or(&t).replace('T', " ")),
                    via: match p.last_via.as_deref() {
                        Some("hq") => "县级转来",
                        Some("lan") => "局域网",
                        _ => "文件",
                    },
                    fingerprint: p.fingerprint,
                })
                .collect(),
            conflicts: s
                .conflicts()?
                .into_iter()
                .map(|c| ConflictDto {
                    case_number: c.case_number,
                    what: format!("{}（{}）", event_label(&c.kind), if c.stream.is_empty() { "本窗口".to_owned() } else { c.stream }),
                    reason: c.reason,
                })
                .collect(),
            windows: s
                .peer_endpoints()?
                .into_iter()
                .map(|w| WindowDto {
                    url: w.url,
                    terminal: w.terminal,
                    fingerprint: w.fingerprint,
                    last_ok_at: w.last_ok_at.map(|t| t.get(..16).unwrap_or(&t).replace('T', " ")),
                    last_error: w.last_error,
                })
                .collect(),
            own_fingerprint: s.terminal_public_key()?.map(|k| yichuang_sync::key_fingerprint(&k)),
            own_key: s.terminal_public_key()?,
            peer_listen: s.centre()?.settings.peer_listen.clone(),
        })
    }
}

#[derive(Debug, Serialize)]
pub struct SyncDone {
    pub enrolled: bool,
    pub sent: i64,
    pub repeated: i64,
    pub rejected: usize,
    pub applied: Vec<String>,
    pub held_seq: i64,
    /// Events of the centre's other terminals taken in, and the streams refused with why.
    pub relayed: usize,
    pub relay_refused: Vec<String>,
    /// Why HQ could not be reached this round, when it could not.
    pub hq_error: Option<String>,
    /// Each window on the LAN: what came, or why nothing did.
    pub lan: Vec<LanDto>,
}

#[derive(Debug, Serialize)]
pub struct LanDto {
    pub terminal: String,
    pub new: usize,
    pub error: Option<String>,
}

impl From<yichuang_sync::lan::Round> for SyncDone {
    fn from(round: yichuang_sync::lan::Round) -> Self {
        let lan = round.lan.into_iter().map(|l| LanDto { terminal: l.terminal, new: l.new, error: l.error }).collect();
        let mut done = Self {
            enrolled: round.hq.is_some(),
            sent: 0,
            repeated: 0,
            rejected: 0,
            applied: vec![],
            held_seq: 0,
            relayed: 0,
            relay_refused: vec![],
            hq_error: None,
            lan,
        };
        match round.hq {
            Some(Ok(r)) => {
                done.sent = r.sent;
                done.repeated = r.repeated;
                done.rejected = r.rejected.len();
                done.applied = r.applied;
                done.held_seq = r.held_seq;
                done.relayed = r.relayed;
                done.relay_refused = r.relay_refused;
            }
            Some(Err(e)) => done.hq_error = Some(e.to_string()),
            None => {}
        }
        done
    }
}

/// A folder a file can go to or come from, with its 一窗通 files (newest first).
#[derive(Debug, Serialize)]
pub struct FolderDto {
    pub path: String,
    pub label: String,
    pub files: Vec<FileDto>,
}

#[derive(Debug, Serialize)]
pub struct FileDto {
    pub name: String,
    pub path: String,
    pub bytes: u64,
    pub modified: String,
}

impl FolderDto {
    /// This window's own exchange folder (created), then every mounted USB stick.
    fn folders(own: &std::path::Path) -> Vec<(std::path::PathBuf, String)> {
        let _ = yichuang_store::files::private_dir(own);
        let mut out = vec![(own.to_owned(), "本机交换文件夹".to_owned())];
        let mut sticks = vec![];
        for root in ["/media", "/run/media"] {
            for user in std::fs::read_dir(root).into_iter().flatten().flatten() {
                for stick in std::fs::read_dir(user.path()).into_iter().flatten().flatten() {
                    if stick.path().is_dir() {
                        sticks.push(stick.path());
                    }
                }
            }
        }
        if cfg!(windows) {
            for letter in b'D'..=b'Z' {
                let p = std::path::PathBuf::from(format!("{}:\\", letter as char));
                if p.is_dir() {
                    sticks.push(p);
                }
            }
        }
        for p in sticks {
            let name = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| p.display().to_string());
            out.push((p, format!("U盘 {name}")));
        }
        out
    }

    pub fn list(own: &std::path::Path) -> Vec<Self> {
        Self::folders(own)
            .into_iter()
            .map(|(p, label)| {
                let mut files: Vec<(std::time::SystemTime, FileDto)> = std::fs::read_dir(&p)
                    .into_iter()
                    .flatten()
                    .flatten()
                    .filter(|e| e.path().extension().is_some_and(|x| x == "json") && e.path().is_file())
                    .filter_map(|e| {
                        let m = e.metadata().ok()?;
                        let at = m.modified().ok()?;
                        let local: chrono::DateTime<chrono::Local> = at.into();
                        Some((
                            at,
                            FileDto {
                                name: e.file_name().to_string_lossy().into_owned(),
                                path: e.path().display().to_string(),
                                bytes: m.len(),
                                modified: local.format("%Y-%m-%d %H:%M").to_string(),
                            },
                        ))
                    })
                    .collect();
                files.sort_by_key(|f| std::cmp::Reverse(f.0));
                files.truncate(200);
                Self { path: p.display().to_string(), label, files: files.into_iter().map(|(_, f)| f).collect() }
            })
            .collect()
    }

    /// `folder` as the page sent it, taken only when it is one of the folders listed.
    pub fn checked(own: &std::path::Path, folder: &str) -> ApiResult<std::path::PathBuf> {
        Self::folders(own)
            .into_iter()
            .map(|(p, _)| p)
            .find(|p| p.display().to_string() == folder)
            .ok_or_else(|| ApiError::new("transfer.folder", "只能使用本机交换文件夹或已插入的U盘"))
    }

    /// A file directly inside one of the folders listed, and nothing else.
    pub fn checked_file(own: &std::path::Path, path: &str) -> ApiResult<std::path::PathBuf> {
        let p = std::path::PathBuf::from(path);
        let parent = p.parent().map(|d| d.display().to_string()).unwrap_or_default();
        let dir = Self::checked(own, &parent)?;
        let name = p.file_name().ok_or_else(|| ApiError::new("transfer.file", "没有这个文件"))?;
        let file = dir.join(name);
        if !file.is_file() {
            return Err(ApiError::new("transfer.file", format!("文件“{}”不存在", name.to_string_lossy())));
        }
        Ok(file)
    }
}

#[derive(Debug, Serialize)]
pub struct ExportDto {
    pub path: String,
    pub from: i64,
    pub to: i64,
    pub count: usize,
    pub readers: usize,
}

impl ExportDto {
    /// `day` (today's file for HQ), `pending` (all HQ lacks) or `peers` (this window's stream).
    pub fn write(s: &Store, kind: &str, dir: &std::path::Path, to: &str, now: chrono::DateTime<chrono::FixedOffset>) -> ApiResult<Self> {
        let batch = match kind {
            "day" => yichuang_sync::export::export_day(s, now.date_naive(), now)?,
            "pending" => yichuang_sync::export::export_pending(s, now)?,
            "peers" => yichuang_sync::export::export_for_peers(s, now)?,
            _ => return Err(ApiError::new("transfer.kind", "未知的导出类型")),
        };
        let extra: Vec<String> = to.split_whitespace().map(str::to_owned).collect();
        let recipients = yichuang_sync::export::recipients(s, kind == "peers", &extra)?;
        let sealed = yichuang_sync::export::seal_batch(&batch, &recipients)?;
        let c = s.centre()?;
        let what = match kind {
            "peers" => "给其他窗口",
            _ => "给县级",
        };
        let file = dir.join(format!("一窗通-{}-{}号窗口-{}-{what}.json", c.code, c.terminal, now.format("%Y%m%d-%H%M%S")));
        yichuang_sync::export::write_bytes(&sealed.to_bytes(), &file)?;
        Ok(Self { path: file.display().to_string(), from: batch.from_seq, to: batch.to_seq, count: batch.manifest.count, readers: sealed.recipients.len() })
    }
}

#[derive(Debug, Serialize)]
pub struct ImportDto {
    pub message: String,
}

impl From<yichuang_sync::transfer::Imported> for ImportDto {
    fn from(i: yichuang_sync::transfer::Imported) -> Self {
        let message = match i {
            yichuang_sync::transfer::Imported::Peer(r) => format!(
                "已导入{}号窗口的记录：新收{}条，重复{}条，冲突{}条{}",
                r.terminal,
                r.new,
                r.repeated,
                r.conflicts,
                if r.accepted { "（已认可该窗口的密钥）" } else { "" }
            ),
            yichuang_sync::transfer::Imported::Document(what) => format!("已采用县级下发的{what}（县级签名核验无误）"),
        };
        Self { message }
    }
}

impl From<yichuang_report::ReportError> for ApiError {
    fn from(e: yichuang_report::ReportError) -> Self {
        Self::new(e.code(), e.to_string())
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ComplaintForm {
    pub channel: String,
    pub complainant: String,
    #[serde(default)]
    pub contact: String,
    #[serde(default)]
    pub confidential: bool,
    pub matter: String,
    #[serde(default)]
    pub about_staff: String,
    #[serde(default)]
    pub case_number: String,
    #[serde(default)]
    pub complex: bool,
    #[serde(default)]
    pub explanation: String,
}

impl ComplaintForm {
    pub fn into_input(self, clerk: &str) -> ApiResult<yichuang_store::ComplaintInput> {
        let form = forms::ComplaintForm {
            channel: self.channel,
            complainant: self.complainant,
            contact: self.contact,
            confidential: self.confidential,
            matter: self.matter,
            about_staff: self.about_staff,
            case_number: self.case_number,
            complex: self.complex,
            explanation: self.explanation,
        };
        Ok(form.into_input(clerk)?)
    }
}

#[derive(Debug, Serialize)]
pub struct ComplaintDto {
    pub id: String,
    pub received_at: String,
    pub complainant: String,
    pub contact: Option<String>,
    pub matter: String,
    pub kind: String,
    pub due_date: String,
    pub status: String,
    pub status_label: &'static str,
    pub result: Option<String>,
    pub feedback: Option<String>,
    pub notes: Vec<String>,
    pub overdue: bool,
}

impl From<&yichuang_store::ComplaintView> for ComplaintDto {
    fn from(v: &yichuang_store::ComplaintView) -> Self {
        Self {
            id: v.id.clone(),
            received_at: v.received_at.get(..16).unwrap_or(&v.received_at).replace('T', " "),
            complainant: v.complainant.clone(),
            contact: v.contact.clone(),
            matter: v.matter.clone(),
            kind: if v.kind == "complex" { "复杂".into() } else { "一般".into() },
            due_date: v.due_date.to_string(),
            status: v.status.clone(),
            status_label: match v.status.as_str() {
                "open" => "待答复",
                "answered" => "已答复",
                _ => "已办结",
            },
            result: v.result.clone(),
            feedback: v.feedback_on.as_ref().map(|d| format!("{d} {}", v.feedback_via.clone().unwrap_or_default())),
            notes: v.notes.iter().map(|(at, _, n)| format!("{} {n}", at.get(..16).unwrap_or(at).replace('T', " "))).collect(),
            overdue: v.overdue,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct VisitDto {
    pub case_number: String,
    pub item_name: String,
    pub applicant_name: String,
    pub phone: Option<String>,
    pub completed_on: String,
    pub invitation_due: bool,
    pub rating: Option<&'static str>,
    /// The rating screen's latest bad rating, with its service and reasons.
    pub screen_bad: Option<String>,
    /// Not completed yet (listed for a rectification the screen's bad rating opened).
    pub running: bool,
    pub rectification: Option<String>,
    pub rectification_status: Option<String>,
    pub rectification_late: bool,
    /// The call-back recorded (“2026-11-25：…”), and the rectification's outcome.
    pub callback: Option<String>,
    pub outcome: Option<String>,
}

impl From<&yichuang_store::ReturnVisit> for VisitDto {
    fn from(v: &yichuang_store::ReturnVisit) -> Self {
        Self {
            case_number: v.case_number.clone(),
            item_name: v.item_name.clone(),
            applicant_name: v.applicant_name.clone(),
            phone: v.phone.clone(),
            completed_on: v.completed_on.map(|d| d.to_string()).unwrap_or_else(|| "办理中".into()),
            invitation_due: v.invitation_due,
            rating: v.rating.as_deref().and_then(|r| yichuang_core::Rating::parse(r).ok()).map(|r| r.label()),
            screen_bad: v.screen_bad.clone(),
            running: v.completed_on.is_none(),
            rectification: v.rectification.as_ref().map(|(_, d, _)| d.to_string()),
            rectification_status: v.rectification.as_ref().map(|(s, _, _)| s.clone()),
            rectification_late: v.rectification.as_ref().is_some_and(|(_, _, late)| *late),
            callback: v.callback.as_ref().map(|(on, note)| format!("{on}：{note}")),
            outcome: v.outcome.clone(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct DutyDto {
    pub post: String,
    pub name: String,
    pub a: String,
    pub b: Option<String>,
    /// Who is on duty, in words: “李梅”, “张磊（B岗，代李梅）”, or empty when nobody is.
    pub on_duty: String,
    pub covered_by_b: bool,
    pub unstaffed: bool,
}

impl DutyDto {
    pub fn new(d: &yichuang_store::DutyView, name: &dyn Fn(&str) -> String) -> Self {
        let (on_duty, covered_by_b, unstaffed) = match &d.duty {
            yichuang_core::Duty::A(a) => (name(a), false, false),
            yichuang_core::Duty::B { b, for_a } => (format!("{}（B岗，代{}）", name(b), name(for_a)), true, false),
            yichuang_core::Duty::Unstaffed => (String::new(), false, true),
        };
        Self { post: d.post.clone(), name: d.name.clone(), a: name(&d.a), b: d.b.as_deref().map(name), on_duty, covered_by_b, unstaffed }
    }
}

/// What the rating screen shows: never a full ID number, never who rated how.
#[derive(Debug, Serialize)]
pub struct ScreenDto {
    /// `closed` (no one signed in at this window), `idle`, `serving` or `rate`.
    pub mode: &'static str,
    pub centre: String,
    pub window: String,
    pub clerk_name: Option<String>,
    pub clerk_id: Option<String>,
    /// The item being taken in.
    pub item: Option<String>,
    pub rate: Option<RateDto>,
    /// The five levels of 好差评: (code, label), best first.
    pub levels: Vec<LevelDto>,
    /// What a bad rating may say, to tap.
    pub reasons: Vec<&'static str>,
}

#[derive(Debug, Serialize)]
pub struct LevelDto {
    pub code: &'static str,
    pub label: &'static str,
    pub bad: bool,
}

#[derive(Debug, Serialize)]
pub struct RateDto {
    pub service_event: String,
    pub case_number: String,
    pub service: &'static str,
    pub item_name: String,
    pub applicant_name: String,
    pub id_masked: String,
    pub documents: Vec<ScreenDocument>,
    pub due_date: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct ScreenDocument {
    pub title: String,
    pub number: String,
}

impl ScreenDto {
    /// The welcome between applicants, or “closed” with no one signed in.
    pub fn welcome(c: &yichuang_store::Centre, clerk: Option<&yichuang_store::Staff>) -> Self {
        Self {
            mode: if clerk.is_some() { "idle" } else { "closed" },
            centre: c.name.clone(),
            window: c.terminal.to_string(),
            clerk_name: clerk.map(|s| s.name.clone()),
            clerk_id: clerk.map(|s| s.id.clone()),
            item: None,
            rate: None,
            levels: yichuang_core::Rating::ALL.iter().map(|r| LevelDto { code: r.as_str(), label: r.label(), bad: r.is_bad() }).collect(),
            reasons: yichuang_core::quality::BAD_REASONS.to_vec(),
        }
    }
    pub fn serving(mut self, item: Option<String>) -> Self {
        if self.mode == "idle" && item.is_some() {
            self.mode = "serving";
            self.item = item;
        }
        self
    }
    pub fn rating(mut self, s: &yichuang_store::ServiceToRate) -> Self {
        self.mode = "rate";
        self.rate = Some(RateDto {
            service_event: s.service_event.clone(),
            case_number: s.case_number.clone(),
            service: s.service.label(),
            item_name: s.item_name.clone(),
            applicant_name: s.applicant_name.clone(),
            id_masked: s.applicant_id_masked.clone(),
            documents: s.documents.iter().map(|(title, number)| ScreenDocument { title: title.clone(), number: number.clone() }).collect(),
            due_date: s.due_date.map(|d| d.to_string()),
        });
        self
    }
}

/// A card as the reader gave it, to fill a form: the name exactly as on the card.
#[derive(Debug, Serialize)]
pub struct CardDto {
    pub kind: &'static str,
    pub name: Option<String>,
    pub english_name: Option<String>,
    pub sex: &'static str,
    pub birth: String,
    pub address: Option<String>,
    pub id_number: String,
    pub valid_to: Option<String>,
}

impl From<&yichuang_core::card::Card> for CardDto {
    fn from(c: &yichuang_core::card::Card) -> Self {
        Self {
            kind: c.kind.label(),
            name: c.name.as_ref().map(|n| n.as_str().to_owned()),
            english_name: c.english_name.clone(),
            sex: if c.male { "男" } else { "女" },
            birth: c.birth.to_string(),
            address: c.address.clone(),
            id_number: c.id_number.as_str().to_owned(),
            valid_to: c.valid_to.map(|d| d.to_string()),
        }
    }
}

impl From<yichuang_cardreader::ReadError> for ApiError {
    fn from(e: yichuang_cardreader::ReadError) -> Self {
        Self::new(e.code(), e.to_string())
    }
}

impl From<yichuang_core::card::CardError> for ApiError {
    fn from(e: yichuang_core::card::CardError) -> Self {
        Self::new(e.code(), e.to_string())
    }
}
