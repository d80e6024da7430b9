//! Cases: intake, supplement, and every later transition, each in one transaction with its
//! event and the documents it issues.

use chrono::{DateTime, FixedOffset, NaiveDate};
use rusqlite::{params, OptionalExtension};
use yichuang_core::case::SupplementOutcome;
use yichuang_core::clock::{supplement_basis, warning_for, AcceptanceBasis};
use yichuang_core::intake::decide;
use yichuang_core::{
    CaseAction, CaseClock, CaseNumber, CaseState, CaseStatus, Decision, Defect, Deficiency, DocKind,
    DueDate, Extension, IdNumber, Limit, LimitUnit, MaterialCode, PauseKind, PersonName, Phone,
    FreeText, Presented, ServiceItem, Submission, Uscc, Warning,
};

use yichuang_core::search::PinyinKeys;
use yichuang_events as ev;
use yichuang_events::{Event, EventRecord};

use crate::documents::{self, DocumentRef};
use crate::error::{Result, StoreError};
use crate::{Store, Writer};

/// Who applies: a person by resident ID number, or an organisation by credit code.
#[derive(Debug, Clone)]
pub enum Party {
    Person { id_number: IdNumber, name: PersonName },
    Organisation { uscc: Uscc, name: String },
}

#[derive(Debug, Clone)]
pub struct ApplicantInput {
    pub party: Party,
    pub phone: Option<Phone>,
}

/// An application as taken at the counter, already parsed.
#[derive(Debug, Clone)]
pub struct IntakeRequest {
    pub item: String,
    pub applicant: ApplicantInput,
    /// An agent (代办人) acting for the applicant.
    pub agent: Option<(PersonName, IdNumber, Option<Phone>)>,
    pub presented: Vec<Presented>,
    pub defects: Vec<Defect>,
    pub conditions: Vec<MaterialCode>,
    pub refusal: Option<String>,
    /// The staff id of the clerk who takes it in.
    pub clerk: String,
    /// The day the materials arrived, when earlier than today (by post or online).
    pub received_on: Option<NaiveDate>,
    /// The clerk confirmed that a returning applicant's ID number now goes with another name
    /// (改名): without it a differing name is refused, never silently written over.
    pub confirm_rename: bool,
    /// Why a second case is taken while the applicant has an open one of the same item:
    /// without it such an intake is refused, and the open case named.
    pub duplicate_reason: Option<String>,
    /// The applicant signs the 容缺 commitment (承诺书): tolerable materials may follow.
    pub commitment: bool,
    /// The applicant agrees to be told by SMS at the mobile number given (个人信息保护法
    /// 第13–14条: consent, informed and specific); without it no message is ever queued.
    pub sms_consent: bool,
}

/// Materials brought to complete an application awaiting supplement.
#[derive(Debug, Clone)]
pub struct SupplementRequest {
    pub presented: Vec<Presented>,
    pub defects: Vec<Defect>,
    pub conditions: Vec<MaterialCode>,
    pub refusal: Option<String>,
    pub clerk: String,
}

/// What the rules would decide, shown to the clerk before the intake is taken.
#[derive(Debug, Clone)]
pub struct IntakePreview {
    pub decision: Decision,
    pub outstanding: Vec<Deficiency>,
    pub deemed_accepted: bool,
    pub status: CaseStatus,
    pub due: Option<DueDate>,
    pub item_version: String,
    /// 容缺: the day the owed materials are due.
    pub owed_by: Option<NaiveDate>,
    /// The applicant's open cases of the same item (a second one needs a reason).
    pub duplicates: Vec<OpenCase>,
}

/// An open case, as a duplicate warning names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenCase {
    pub number: String,
    pub status: CaseStatus,
    pub received_on: NaiveDate,
}

struct IntakePlan {
    entry: crate::CatalogueEntry,
    submission: Submission,
    decision: Decision,
    taken: Decision,
    outstanding: Vec<Deficiency>,
    deemed: bool,
    received_on: NaiveDate,
    state: CaseState,
    clock_start: Option<NaiveDate>,
    due: Option<DueDate>,
    owed_by: Option<NaiveDate>,
}

/// What an intake or supplement produced.
#[derive(Debug, Clone)]
pub struct IntakeOutcome {
    pub case_number: CaseNumber,
    /// The decision taken: `Accepted` when deemed accepted under 第32条.
    pub decision: Decision,
    /// Materials still lacking on a case deemed accepted (recorded, not a supplement notice).
    pub outstanding: Vec<Deficiency>,
    /// 行政许可法 第32条: the notice came too late, the case counts as accepted on arrival.
    pub deemed_accepted: bool,
    pub status: CaseStatus,
    pub due: Option<DueDate>,
    pub documents: Vec<DocumentRef>,
    /// 容缺: the day the owed materials are due.
    pub owed_by: Option<NaiveDate>,
}

impl IntakeOutcome {
    /// The codes of every material on the supplement list.
    pub fn missing(&self) -> Vec<String> {
        match &self.decision {
            Decision::Supplement(list) => list.iter().map(|d| d.material.to_string()).collect(),
            _ => vec![],
        }
    }
    /// The codes of every material a 容缺 case owes.
    pub fn owed(&self) -> Vec<String> {
        match &self.decision {
            Decision::Tolerated(list) => list.iter().map(|d| d.material.to_string()).collect(),
            _ => vec![],
        }
    }
}

#[derive(Debug, Clone)]
pub struct ApplicantView {
    pub kind: &'static str,
    pub name: String,
    /// The full number: only for documents that must carry it.
    pub id_number: String,
    pub id_masked: String,
    pub phone: Option<String>,
}

#[derive(Debug, Clone)]
pub struct MaterialView {
    pub round: i64,
    pub code: String,
    pub name: String,
    pub pages: u32,
    pub copies: u32,
    pub defect: Option<String>,
    pub received_at: String,
}

#[derive(Debug, Clone)]
pub struct CaseView {
    pub number: String,
    pub item_code: String,
    pub item_name: String,
    pub item_kind: &'static str,
    pub catalogue_version: String,
    pub applicant: ApplicantView,
    pub agent_name: Option<String>,
    pub status: CaseStatus,
    pub paused: bool,
    pub decision: String,
    pub deemed_accepted: bool,
    pub received_on: NaiveDate,
    pub clock_start: Option<NaiveDate>,
    pub limit: Limit,
    pub total_limit: Limit,
    pub due_date: Option<NaiveDate>,
    pub due_provisional: bool,
    pub calendar_version: Option<String>,
    pub warning: Option<Warning>,
    pub handler: String,
    pub handler_name: String,
    pub forwarded_to: Option<String>,
    pub outcome_reason: Option<String>,
    pub collected_by: Option<String>,
    /// `applicant`, `agent` or `attorney`, when the collector's ID was checked.
    pub collector_role: Option<String>,
    pub collector_id_masked: Option<String>,
    /// The mobile number the applicant agreed to be told at, masked; none without consent.
    pub sms_phone_masked: Option<String>,
    pub completed_on: Option<NaiveDate>,
    pub created_at: String,
    /// 容缺: what the case owes now (empty when nothing), and by when (kept once set).
    pub owed: Vec<ev::Deficiency>,
    pub owed_by: Option<NaiveDate>,
    pub materials: Vec<MaterialView>,
    /// What is still missing or faulty (awaiting supplement), or was when deemed accepted.
    pub deficiencies: Vec<Deficiency>,
    pub extensions: Vec<Extension>,
    pub pauses: Vec<yichuang_core::Pause>,
    pub documents: Vec<DocumentRef>,
}

#[derive(Debug, Clone)]
pub struct CaseSummary {
    pub number: String,
    pub item_code: String,
    pub item_name: String,
    pub applicant_name: String,
    pub status: CaseStatus,
    pub paused: bool,
    pub due_date: Option<NaiveDate>,
    pub due_provisional: bool,
    pub warning: Option<Warning>,
    pub created_at: String,
    /// The day the materials arrived (to tell two cases of one person apart).
    pub received_on: NaiveDate,
    /// 容缺: the day owed materials are due, while the running case owes anything.
    pub owed_by: Option<NaiveDate>,
}

#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    pub status: Option<CaseStatus>,
    /// Running cases whose due date has passed.
    pub overdue: bool,
    /// Running cases due within this many working days from today (today included).
    pub due_within: Option<u32>,
    /// Running 容缺 cases that still owe materials, by the day they are owed by.
    pub owing: bool,
    /// Running cases whose clock is paused (第45条).
    pub paused: bool,
    /// Running cases whose clock runs, by due date (办理中).
    pub running: bool,
    /// Oldest first (Today's lists by state: those waiting longest come first).
    pub oldest_first: bool,
    /// A case number, ID number, phone number or name.
    pub query: Option<String>,
    /// At most this many rows; all when `None`.
    pub limit: Option<usize>,
}

/// The clock's extensions and pauses as stored in `case_file.clock`.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub(crate) struct ClockFile {
    extensions: Vec<ExtensionFile>,
    pauses: Vec<PauseFile>,
}

#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct ExtensionFile {
    days: u32,
    approver: String,
    reason: String,
    granted_on: NaiveDate,
}

#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct PauseFile {
    kind: String,
    from: NaiveDate,
    until: Option<NaiveDate>,
    expected_days: u32,
}

/// The mutable part of a case row.
#[derive(Debug)]
struct CaseRow {
    number: CaseNumber,
    item_code: String,
    catalogue_version: String,
    state: CaseState,
    clock_start: Option<NaiveDate>,
    limit: Limit,
    clock: ClockFile,
    owed: Vec<ev::Deficiency>,
    owed_by: Option<NaiveDate>,
}

impl CaseRow {
    fn clock(&self) -> Result<Option<CaseClock>> {
        let Some(start) = self.clock_start else { return Ok(None) };
        let mut c = CaseClock::start(start, self.limit);
        for e in &self.clock.extensions {
            c = c.with_granted(Extension::new(e.days, e.approver.clone(), e.reason.clone(), e.granted_on)?);
        }
        for p in &self.clock.pauses {
            c.pause(PauseKind::parse(&p.kind).unwrap_or(PauseKind::Appraisal), p.from, p.expected_days)?;
            if let Some(u) = p.until {
                c.resume(u)?;
            }
        }
        Ok(Some(c))
    }

    fn set_clock(&mut self, c: &CaseClock) {
        self.clock = ClockFile {
            extensions: c
                .extensions()
                .iter()
                .map(|e| ExtensionFile {
                    days: e.days(),
                    approver: e.approver().to_owned(),
                    reason: e.reason().to_owned(),
                    granted_on: e.granted_on(),
                })
                .collect(),
            pauses: c
                .pauses()
                .iter()
                .map(|p| PauseFile { kind: p.kind().as_str().to_owned(), from: p.from(), until: p.until(), expected_days: p.expected_days() })
                .collect(),
        };
    }
}

fn deficiency_ev(list: &[Deficiency]) -> Vec<ev::Deficiency> {
    list.iter().map(|d| ev::Deficiency { material: d.material.to_string(), name: d.name.clone(), problem: d.problem.describe() }).collect()
}

fn due_ev(due: &Option<DueDate>) -> Option<ev::Due> {
    due.as_ref().map(|d| ev::Due { date: d.date(), provisional: d.provisional(), calendar_version: d.calendar_version().to_owned() })
}

impl Store {
    /// What the rules decide for an application, without writing anything: the clerk sees it
    /// before it is taken.
    pub fn preview_intake(&self, req: &IntakeRequest, today: NaiveDate) -> Result<IntakePreview> {
        self.require_staff(&req.clerk)?;
        let plan = self.plan_intake(req, today)?;
        Ok(IntakePreview {
            decision: plan.taken,
            outstanding: plan.outstanding,
            deemed_accepted: plan.deemed,
            status: plan.state.status(),
            due: plan.due,
            item_version: plan.entry.version,
            owed_by: plan.owed_by,
            duplicates: open_cases_of(self.connection(), &req.applicant.party, &req.item)?,
        })
    }

    /// The rules applied to an application: one computation for the preview and the intake.
    fn plan_intake(&self, req: &IntakeRequest, today: NaiveDate) -> Result<IntakePlan> {
        let entry = self.item(&req.item)?.clone();
        let item = &entry.item;
        check_parties(req, today)?;
        let submission = Submission::new(item, req.presented.clone(), req.defects.clone(), req.conditions.clone(), req.refusal.clone())?
            .with_commitment(req.commitment);
        let decision = decide(item, &submission);
        let owed_by = matches!(decision, Decision::Tolerated(_)).then(|| yichuang_core::tolerance::owed_by(&self.calendar, today, item));
        if owed_by.is_some() && self.centre()?.settings.bar_broken_commitments {
            if let Some(case) = broken_commitment(self.connection(), &req.applicant.party)? {
                return Err(StoreError::CommitmentBarred(case));
            }
        }
        let received_on = req.received_on.unwrap_or(today).min(today);
        // 第32条: a supplement notice later than 5 working days after arrival is too late.
        let deemed = matches!(decision, Decision::Supplement(_))
            && matches!(supplement_basis(&self.calendar, received_on, today), AcceptanceBasis::DeemedAccepted { .. });
        let state = if deemed { CaseState::after_intake(&Decision::Accepted) } else { CaseState::after_intake(&decision) };
        let limit = item.promised_limit();
        let (clock_start, due) = match state.status() {
            CaseStatus::Accepted => {
                let start = if deemed { received_on } else { today };
                (Some(start), Some(self.calendar.due(start, limit)))
            }
            CaseStatus::Completed => (Some(today), Some(self.calendar.due(today, Limit::working(0)?))),
            _ => (None, None),
        };
        let (taken, outstanding) = match (&decision, deemed) {
            (Decision::Supplement(list), true) => (Decision::Accepted, list.clone()),
            _ => (decision.clone(), vec![]),
        };
        Ok(IntakePlan { entry, submission, decision, taken, outstanding, deemed, received_on, state, clock_start, due, owed_by })
    }

    /// Takes in an application: decides, numbers, records and issues its documents, all in
    /// one transaction. Bad input is refused before anything is written.
    pub fn intake(&mut self, mut req: IntakeRequest, now: DateTime<FixedOffset>) -> Result<IntakeOutcome> {
        // An organisation's name as it is kept: the event records what the table holds.
        if let Party::Organisation { name, .. } = &mut req.applicant.party {
            *name = FreeText::line("单位名称", name, FreeText::LINE)?.into_string();
        }
        let centre = self.centre()?.clone();
        let clerk = self.require_staff(&req.clerk)?;
        // B taking a case in while A is away: the case records both.
        let covering = self.covering_for(&clerk.id, yichuang_core::clock::beijing_day(now))?;
        let today = yichuang_core::clock::beijing_day(now);
        let IntakePlan { entry, submission, decision, taken, outstanding, deemed, received_on, state, clock_start, due, owed_by } =
            self.plan_intake(&req, today)?;
        let item = &entry.item;
        let limit = item.promised_limit();
        let conditions: Vec<&str> = req.conditions.iter().map(MaterialCode::as_str).collect();

        let barring = owed_by.is_some() && centre.settings.bar_broken_commitments;
        let duplicate_reason = req.duplicate_reason.as_deref().map(|r| FreeText::line("另行受理的理由", r, FreeText::REASON)).transpose()?;
        if duplicate_reason.as_ref().is_some_and(|r| r.as_str().chars().count() < 4) {
            return Err(StoreError::Rule("另行受理的理由请写明（至少4个字），如“原申请材料已退回，申请人重新申请”".into()));
        }
        // Consent is to a mobile number: checked before anything is written.
        let sms_mobile = crate::sms::consent_phone(req.sms_consent, req.applicant.phone.as_ref())?;
        self.write(&clerk.id, now, |w| {
            // The clerk's kept draft is this application: emptied in its transaction, so a
            // restart right after F9 never brings a taken application back.
            w.tx.prepare_cached("UPDATE intake_draft SET body = NULL, saved_at = ?2 WHERE staff_id = ?1 AND body IS NOT NULL")?
                .execute(params![clerk.id, w.now_text()])?;
            // Read again where it is acted on: another window may have terminated one since.
            if barring {
                if let Some(case) = broken_commitment(w.tx, &req.applicant.party)? {
                    return Err(StoreError::CommitmentBarred(case));
                }
            }
            let applicant_id = upsert_applicant(w, &req.applicant, req.confirm_rename)?;
            // The same person's open case of the same item, read where the new one is written
            // (another window may have taken one a moment ago): a second needs its reason.
            let open = open_cases_of(w.tx, &req.applicant.party, item.code().as_str())?;
            let duplicate = match (open.first(), &duplicate_reason) {
                (None, _) => None,
                (Some(first), None) => {
                    return Err(StoreError::DuplicateOpenCase { number: first.number.clone(), received_on: first.received_on, status: first.status.label() })
                }
                (Some(_), Some(reason)) => Some(ev::Duplicate { of: open.iter().map(|c| c.number.clone()).collect(), reason: reason.as_str().to_owned() }),
            };
            let seq = w.next_number(&format!("case:{}:{}", w.terminal, today.format("%Y%m%d")))?;
            if seq > CaseNumber::MAX_SEQ {
                return Err(StoreError::SequenceExhausted);
            }
            let number = CaseNumber::new(&centre.code, centre.terminal, today, seq)?;
            let (agent_name, agent_id, agent_phone) = match &req.agent {
                Some((n, i, p)) => (Some(n.as_str()), Some(i.as_str()), p.as_ref().map(Phone::as_str)),
                None => (None, None, None),
            };
            w.tx.execute(
                "INSERT INTO case_file (number, item_code, catalogue_version, applicant_id, agent_name, agent_id_number,
                    agent_phone, status, decision, deemed_accepted, received_on, clock_start, limit_days, limit_unit,
                    due_date, due_provisional, calendar_version, conditions, handler, completed_on, created_at, updated_at, covering_for)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?21, ?22)",
                params![
                    number.as_str(),
                    item.code().as_str(),
                    entry.version,
                    applicant_id,
                    agent_name,
                    agent_id,
                    agent_phone,
                    state.status().as_str(),
                    if deemed { "accepted" } else { decision.as_str() },
                    deemed,
                    received_on,
                    clock_start,
                    limit.days(),
                    limit.unit().as_str(),
                    due.as_ref().map(DueDate::date),
                    due.as_ref().is_some_and(DueDate::provisional),
                    due.as_ref().map(|d| d.calendar_version().to_owned()),
                    serde_json::to_string(&conditions).unwrap_or_default(),
                    clerk.id,
                    (state.status() == CaseStatus::Completed).then_some(today),
                    w.now_text(),
                    covering,
                ],
            )?;
            insert_materials(w, &number, 1, &submission)?;
            if let Decision::Tolerated(list) = &decision {
                w.tx.execute(
                    "UPDATE case_file SET owed = ?2, owed_by = ?3 WHERE number = ?1",
                    params![number.as_str(), serde_json::to_string(&deficiency_ev(list)).unwrap_or_default(), owed_by],
                )?;
            }
            let (applicant_kind, applicant_key, applicant_name) = party_fields(&req.applicant.party);
            w.event(
                number.as_str(),
                Event::CaseIntake(Box::new(ev::CaseIntake {
                    item: item.code().to_string(),
                    catalogue_version: entry.version.clone(),
                    applicant: ev::Applicant {
                        kind: applicant_kind.to_owned(),
                        key: applicant_key.to_owned(),
                        name: applicant_name.to_owned(),
                        phone: req.applicant.phone.as_ref().map(|p| p.as_str().to_owned()),
                    },
                    agent: agent_name.map(|n| ev::Agent {
                        name: n.to_owned(),
                        id_number: agent_id.map(str::to_owned),
                        phone: agent_phone.map(str::to_owned),
                    }),
                    decision: if deemed { "accepted".into() } else { decision.as_str().to_owned() },
                    status: state.status().as_str().to_owned(),
                    deemed_accepted: deemed,
                    received_on,
                    clock_start,
                    limit: ev::LimitSpec { days: limit.days(), unit: limit.unit().as_str().to_owned() },
                    due: due_ev(&due),
                    materials: materials_ev(&submission),
                    conditions: conditions.iter().map(|c| c.to_string()).collect(),
                    deficiencies: match &decision { Decision::Supplement(l) | Decision::Tolerated(l) => deficiency_ev(l), _ => vec![] },
                    refusal: submission.refusal().map(str::to_owned),
                    handler: clerk.id.clone(),
                    covering_for: covering.clone(),
                    owed_by,
                    duplicate,
                })),
            )?;
            if let Some(mobile) = &sms_mobile {
                crate::sms::record_consent(w, number.as_str(), mobile)?;
            }
            let kinds: &[DocKind] = match (&decision, deemed) {
                (_, true) | (Decision::Accepted, _) => &[DocKind::Receipt],
                (Decision::Immediate, _) => &[DocKind::Completion],
                (Decision::Supplement(_), _) => &[DocKind::Supplement],
                (Decision::Refused(_), _) => &[DocKind::Refusal],
                // The notice of what is owed, and the commitment the applicant signs.
                (Decision::Tolerated(_), _) => &[DocKind::Tolerance, DocKind::Commitment],
            };
            let mut docs = vec![];
            for kind in kinds {
                docs.push(documents::issue_for_case(w, &centre, *kind, &number, &clerk)?);
            }
            Ok(IntakeOutcome {
                case_number: number,
                decision: taken.clone(),
                outstanding: outstanding.clone(),
                deemed_accepted: deemed,
                status: state.status(),
                due: due.clone(),
                documents: docs,
                owed_by,
            })
        })
    }

    /// Records materials brought to complete an application awaiting supplement. When the
    /// materials are now complete the limit runs again from today (补正后重新计时).
    pub fn supplement(&mut self, number: &str, req: SupplementRequest, now: DateTime<FixedOffset>) -> Result<IntakeOutcome> {
        let centre = self.centre()?.clone();
        let clerk = self.require_staff(&req.clerk)?;
        // The item and its catalogue version never change for a case; its state, rounds and
        // held materials are read inside the write transaction, where they are acted on.
        let fixed = self.case_row(number)?;
        let item = self.item_in_version(&fixed.catalogue_version, &fixed.item_code)?;
        let later = Submission::new(&item, req.presented.clone(), req.defects.clone(), req.conditions.clone(), req.refusal.clone())?;
        let calendar = self.calendar.clone();
        let today = yichuang_core::clock::beijing_day(now);
        let own = self.own_stream()?.unwrap_or_default();
        self.write(&clerk.id, now, |w| {
            let row = read_case_row(w.tx, number)?;
            let owes = row.state.owes();
            if owes {
                // 容缺: only what is owed comes in now; the case was accepted on the rest.
                let owed: std::collections::BTreeSet<&str> = row.owed.iter().map(|d| d.material.as_str()).collect();
                let name_of = |c: &MaterialCode| item.material(c).map(|m| m.name().to_owned()).unwrap_or_else(|| c.to_string());
                for c in later.presented().iter().map(|p| &p.material).chain(later.defects().iter().map(|d| &d.material)).chain(later.conditions_met()) {
                    if !owed.contains(c.as_str()) {
                        return Err(StoreError::NotOwed(name_of(c)));
                    }
                }
                if later.refusal().is_some() {
                    return Err(StoreError::RefuseOwing);
                }
            }
            let held = held_submission(w.tx, row.number.as_str(), &item)?.with_commitment(owes);
            let merged = held.merged_with(&later);
            let decision = match decide(&item, &merged) {
                // A commitment is signed at intake only: a case awaiting supplement stays one.
                Decision::Tolerated(list) if !owes => Decision::Supplement(list),
                d => d,
            };
            let (action, status_after) = match &decision {
                Decision::Tolerated(_) => (CaseAction::Supplement(SupplementOutcome::StillOwing), row.state.status()),
                Decision::Accepted if owes => (CaseAction::Supplement(SupplementOutcome::Accepted), row.state.status()),
                _ if owes => return Err(StoreError::Rule("容缺受理的办件补交材料后不能改为其他决定".into())),
                Decision::Refused(_) => (CaseAction::Refuse, CaseStatus::Refused),
                Decision::Supplement(_) => (CaseAction::Supplement(SupplementOutcome::StillIncomplete), CaseStatus::AwaitingSupplement),
                Decision::Accepted => (CaseAction::Supplement(SupplementOutcome::Accepted), CaseStatus::Accepted),
                Decision::Immediate => (CaseAction::Supplement(SupplementOutcome::Completed), CaseStatus::Completed),
            };
            let state = row.state.apply(action)?;
            debug_assert_eq!(state.status(), status_after);
            // Materials complete after a supplement notice: the limit runs again from today
            // (补正后重新计时). Owed materials brought to a 容缺 case: its clock runs on.
            let restart = if owes { None } else { Some(today) };
            let due = match state.status() {
                _ if owes => row.clock()?.map(|c| c.due(&calendar).unwrap_or_else(|| c.expected_due(&calendar))),
                CaseStatus::Accepted => Some(calendar.due(today, row.limit)),
                CaseStatus::Completed => Some(calendar.due(today, Limit::working(0)?)),
                _ => None,
            };
            let round: i64 = w.tx.query_row(
                "SELECT coalesce(max(round), 0) + 1 FROM case_material WHERE case_number = ?1",
                [row.number.as_str()],
                |r| r.get(0),
            )?;
            insert_materials(w, &row.number, round, &later)?;
            let conditions: Vec<String> = merged.conditions_met().map(|c| c.to_string()).collect();
            let clock_start = due.as_ref().and(restart);
            w.tx.execute(
                "UPDATE case_file SET status = ?2, clock_start = coalesce(?3, clock_start), due_date = ?4,
                    due_provisional = ?5, calendar_version = coalesce(?6, calendar_version), conditions = ?7,
                    completed_on = ?8, outcome_reason = coalesce(?9, outcome_reason), updated_at = ?10
                 WHERE number = ?1",
                params![
                    row.number.as_str(),
                    state.status().as_str(),
                    clock_start,
                    due.as_ref().map(DueDate::date),
                    due.as_ref().is_some_and(DueDate::provisional),
                    due.as_ref().map(|d| d.calendar_version().to_owned()),
                    serde_json::to_string(&conditions).unwrap_or_default(),
                    (state.status() == CaseStatus::Completed).then_some(today),
                    merged.refusal(),
                    w.now_text(),
                ],
            )?;
            if owes {
                let still = match &decision { Decision::Tolerated(l) => Some(serde_json::to_string(&deficiency_ev(l)).unwrap_or_default()), _ => None };
                w.tx.execute("UPDATE case_file SET owed = ?2 WHERE number = ?1", params![row.number.as_str(), still])?;
            }
            w.event(
                row.number.as_str(),
                Event::CaseSupplemented(ev::CaseSupplemented {
                    round,
                    materials: materials_ev(&later),
                    decision: decision.as_str().to_owned(),
                    status: state.status().as_str().to_owned(),
                    clock_start,
                    due: due_ev(&due),
                    deficiencies: match &decision { Decision::Supplement(l) | Decision::Tolerated(l) => deficiency_ev(l), _ => vec![] },
                    refusal: merged.refusal().map(str::to_owned),
                    paused: state.paused(),
                }),
            )?;
            let kind = match &decision {
                Decision::Accepted if owes => None,
                Decision::Accepted => Some(DocKind::Receipt),
                Decision::Immediate => Some(DocKind::Completion),
                Decision::Supplement(_) => Some(DocKind::Supplement),
                Decision::Refused(_) => Some(DocKind::Refusal),
                // What is still owed, on a new notice with the same day.
                Decision::Tolerated(_) => Some(DocKind::Tolerance),
            };
            let documents = match kind {
                Some(kind) => vec![documents::issue_for_case(w, &centre, kind, &row.number, &clerk)?],
                None => vec![],
            };
            refold_if_shared(w, row.number.as_str(), &own)?;
            Ok(IntakeOutcome {
                case_number: row.number.clone(),
                decision: decision.clone(),
                outstanding: vec![],
                deemed_accepted: false,
                status: state.status(),
                due: due.clone(),
                documents,
                owed_by: row.owed_by.filter(|_| owes),
            })
        })
    }

    /// Extends a running case (延期): the head approves, the applicant is told why.
    pub fn extend(
        &mut self,
        number: &str,
        days: u32,
        reason: &str,
        approver: &str,
        actor: &str,
        now: DateTime<FixedOffset>,
    ) -> Result<CaseView> {
        let head = self.require_head(approver, "批准延期")?;
        let reason = FreeText::note("延期原因", reason, FreeText::REASON)?;
        let reason = reason.as_str();
        let extension = Extension::new(days, head.name.clone(), reason, yichuang_core::clock::beijing_day(now))?;
        // The item never changes for a case: its statutory limit bounds the extensions.
        let fixed = self.case_row(number)?;
        let statutory = self.item_in_version(&fixed.catalogue_version, &fixed.item_code)?.statutory_limit();
        self.transition(number, actor, now, CaseAction::Extend, Some(DocKind::Extension), |row, _| {
            let mut clock = row.clock()?.ok_or(StoreError::MissingField("受理日期"))?;
            clock.extend(extension.clone(), statutory)?;
            row.set_clock(&clock);
            Ok(Detail::Extend { days, reason: reason.trim().to_owned(), approver: head.id.clone(), approver_name: head.name.clone() })
        })
    }

    /// Pauses the clock for a procedure that does not count (行政许可法 第45条), telling the
    /// applicant how long it is expected to take.
    pub fn pause(
        &mut self,
        number: &str,
        kind: PauseKind,
        expected_days: u32,
        reason: &str,
        actor: &str,
        now: DateTime<FixedOffset>,
    ) -> Result<CaseView> {
        let reason = FreeText::note("暂停计时的原因", reason, FreeText::REASON)?.into_string();
        self.transition(number, actor, now, CaseAction::Pause, None, |row, today| {
            let mut clock = row.clock()?.ok_or(StoreError::MissingField("受理日期"))?;
            clock.pause(kind, today, expected_days)?;
            row.set_clock(&clock);
            Ok(Detail::Pause { kind: kind.as_str().to_owned(), label: kind.label().to_owned(), expected_days, reason: reason.clone() })
        })
    }

    pub fn resume(&mut self, number: &str, actor: &str, now: DateTime<FixedOffset>) -> Result<CaseView> {
        self.transition(number, actor, now, CaseAction::Resume, None, |row, today| {
            let mut clock = row.clock()?.ok_or(StoreError::MissingField("受理日期"))?;
            clock.resume(today)?;
            row.set_clock(&clock);
            Ok(Detail::Resume)
        })
    }

    /// Forwards a case to a department or the county (转办 / 上报).
    pub fn forward(&mut self, number: &str, to: &str, reason: &str, actor: &str, now: DateTime<FixedOffset>) -> Result<CaseView> {
        let to = FreeText::line("转办或上报的部门", to, FreeText::LINE)?.into_string();
        let reason = optional_text("转办原因", reason)?;
        self.transition(number, actor, now, CaseAction::Forward, None, |_, _| Ok(Detail::Forward { to, reason }))
    }

    /// Records the decision (准予 / 不予); a negative one needs its reason.
    pub fn decide(&mut self, number: &str, approved: bool, reason: &str, actor: &str, now: DateTime<FixedOffset>) -> Result<CaseView> {
        let reason = if approved { optional_text("批准意见", reason)? } else { FreeText::note("不予批准的理由", reason, FreeText::REASON)?.into_string() };
        self.transition(number, actor, now, CaseAction::Decide { approved }, None, |_, _| {
            Ok(Detail::Decide { approved, reason })
        })
    }

    /// The result is ready: issues the collection slip.
    pub fn ready(&mut self, number: &str, actor: &str, now: DateTime<FixedOffset>) -> Result<CaseView> {
        self.transition(number, actor, now, CaseAction::Ready, Some(DocKind::Collection), |_, _| Ok(Detail::Ready))
    }

    /// The result is collected, signed for by `by` (the applicant or an agent), its ID not
    /// checked. See [`Store::collect_checked`] for the hand-over with the collector's ID.
    pub fn collect(&mut self, number: &str, by: &str, actor: &str, now: DateTime<FixedOffset>) -> Result<CaseView> {
        let by = FreeText::line("领取人", by, FreeText::LINE)?.into_string();
        self.transition(number, actor, now, CaseAction::Collect, Some(DocKind::Handover), |_, _| {
            Ok(Detail::Collect { by, id_number: None, role: None })
        })
    }

    /// The result handed over to the right person: the collector's ID number is checked
    /// against the applicant's and the agent's; anyone else needs the applicant's power of
    /// attorney (`attorney`). The applicant's number with another name is refused.
    pub fn collect_checked(
        &mut self,
        number: &str,
        by: &PersonName,
        id_number: &IdNumber,
        attorney: bool,
        actor: &str,
        now: DateTime<FixedOffset>,
    ) -> Result<CaseView> {
        // Whose case it is never changes: read before the change.
        let parsed = CaseNumber::parse(number)?;
        let (applicant_key, applicant_name, agent_key, agent_name): (Option<String>, String, Option<String>, Option<String>) = self
            .connection()
            .query_row(
                "SELECT a.id_number, a.name, c.agent_id_number, c.agent_name FROM case_file c JOIN applicant a ON a.id = c.applicant_id WHERE c.number = ?1",
                [parsed.as_str()],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?
            .ok_or_else(|| StoreError::UnknownCase(parsed.to_string()))?;
        let role = if applicant_key.as_deref() == Some(id_number.as_str()) {
            if applicant_name != by.as_str() {
                return Err(StoreError::CollectorNameDiffers { given: by.as_str().to_owned(), on_file: applicant_name, whom: "申请人" });
            }
            "applicant"
        } else if agent_key.as_deref() == Some(id_number.as_str()) {
            let on_file = agent_name.unwrap_or_default();
            if on_file != by.as_str() {
                return Err(StoreError::CollectorNameDiffers { given: by.as_str().to_owned(), on_file, whom: "代办人" });
            }
            "agent"
        } else if attorney {
            "attorney"
        } else {
            return Err(StoreError::CollectorUnknown);
        };
        let detail = Detail::Collect { by: by.as_str().to_owned(), id_number: Some(id_number.as_str().to_owned()), role: Some(role) };
        self.transition(number, actor, now, CaseAction::Collect, Some(DocKind::Handover), |_, _| Ok(detail))
    }

    /// 终止办理: a 容缺 case whose owed materials did not come by the day, ended with the
    /// head's approval and a notice to the applicant.
    pub fn terminate(&mut self, number: &str, reason: &str, approver: &str, actor: &str, now: DateTime<FixedOffset>) -> Result<CaseView> {
        let head = self.require_head(approver, "终止办理")?;
        let reason = FreeText::note("终止办理的理由", reason, FreeText::REASON)?.into_string();
        self.transition(number, actor, now, CaseAction::Terminate, Some(DocKind::Termination), |row, today| {
            let owed_by = row.owed_by.ok_or(StoreError::MissingField("容缺补交期限"))?;
            if !yichuang_core::tolerance::may_terminate(owed_by, today) {
                return Err(StoreError::OwedNotDue { owed_by });
            }
            Ok(Detail::Terminate { reason, approver: head.id.clone(), approver_name: head.name.clone(), owed: row.owed.clone(), owed_by })
        })
    }

    /// The applicant withdraws the application (撤回).
    pub fn withdraw(&mut self, number: &str, reason: &str, actor: &str, now: DateTime<FixedOffset>) -> Result<CaseView> {
        let reason = FreeText::note("撤回原因", reason, FreeText::REASON)?.into_string();
        self.transition(number, actor, now, CaseAction::Withdraw, None, |_, _| Ok(Detail::Withdraw { reason }))
    }

    pub fn archive(&mut self, number: &str, actor: &str, now: DateTime<FixedOffset>) -> Result<CaseView> {
        self.transition(number, actor, now, CaseAction::Archive, None, |_, _| Ok(Detail::Archive))
    }

    /// The common path of every later transition: check the state machine, let `change` alter
    /// the clock and describe itself, recompute the due date, write row + event + document.
    fn transition(
        &mut self,
        number: &str,
        actor: &str,
        now: DateTime<FixedOffset>,
        action: CaseAction,
        document: Option<DocKind>,
        change: impl FnOnce(&mut CaseRow, NaiveDate) -> Result<Detail>,
    ) -> Result<CaseView> {
        let centre = self.centre()?.clone();
        let staff = self.require_staff(actor)?;
        let calendar = self.calendar.clone();
        let today = yichuang_core::clock::beijing_day(now);
        let own = self.own_stream()?.unwrap_or_default();
        let number = self.write(&staff.id, now, |w| {
            // The state this action depends on is read inside the write transaction: two
            // windows or two processes acting on one case at once see each other's act, so
            // two simultaneous collections record exactly one.
            let mut row = read_case_row(w.tx, number)?;
            let state = row.state.apply(action)?;
            let detail = change(&mut row, today)?;
            let label = detail.label();
            let clock = row.clock()?;
            // While paused, the date shown is the one expected if the procedure ends as the
            // applicant was told.
            let due = match &clock {
                Some(c) if state.status().clock_runs() => Some(c.due(&calendar).unwrap_or_else(|| c.expected_due(&calendar))),
                _ => None,
            };
            let keep_due = !state.status().clock_runs() && !state.paused();
            let step = ev::Step { status: state.status().as_str().to_owned(), paused: state.paused(), due: due_ev(&due) };
            let clock_text = serde_json::to_string(&row.clock).unwrap_or_default();
            let reason = detail.reason().filter(|r| !r.is_empty());
            w.tx.execute(
                "UPDATE case_file SET status = ?2, paused = ?3, clock = ?4,
                    due_date = CASE WHEN ?5 THEN due_date ELSE ?6 END,
                    due_provisional = CASE WHEN ?5 THEN due_provisional ELSE ?7 END,
                    calendar_version = coalesce(?8, calendar_version),
                    outcome_reason = CASE WHEN ?9 IN ('decide', 'withdraw', 'terminate') THEN ?10 ELSE outcome_reason END,
                    collected_by = CASE WHEN ?9 = 'collect' THEN ?11 ELSE collected_by END,
                    completed_on = CASE WHEN ?9 = 'decide' THEN ?12 ELSE completed_on END,
                    updated_at = ?13
                 WHERE number = ?1",
                params![
                    row.number.as_str(),
                    state.status().as_str(),
                    state.paused(),
                    clock_text,
                    keep_due,
                    due.as_ref().map(DueDate::date),
                    due.as_ref().is_some_and(DueDate::provisional),
                    due.as_ref().map(|d| d.calendar_version().to_owned()),
                    label,
                    reason,
                    detail.collected_by(),
                    today,
                    w.now_text(),
                ],
            )?;
            if let Detail::Collect { id_number: Some(id), role, .. } = &detail {
                w.tx.execute(
                    "UPDATE case_file SET collector_id_number = ?2, collector_role = ?3 WHERE number = ?1",
                    params![row.number.as_str(), id, role],
                )?;
            }
            if action == CaseAction::Forward {
                w.tx.execute(
                    "UPDATE case_file SET forwarded_to = ?2 WHERE number = ?1",
                    params![row.number.as_str(), detail.forwarded_to()],
                )?;
            }
            w.event(row.number.as_str(), detail.into_event(step))?;
            if let Some(doc) = document {
                documents::issue_for_case(w, &centre, doc, &row.number, &staff)?;
            }
            if action == CaseAction::Ready {
                crate::sms::queue(w, &centre, row.number.as_str(), yichuang_core::Notice::Ready, "1", None)?;
            }
            refold_if_shared(w, row.number.as_str(), &own)?;
            Ok(row.number)
        })?;
        self.case(number.as_str(), today)
    }

    fn case_row(&self, number: &str) -> Result<CaseRow> {
        read_case_row(self.connection(), number)
    }

    fn held_submission(&self, number: &CaseNumber, item: &ServiceItem) -> Result<Submission> {
        held_submission(self.connection(), number.as_str(), item)
    }

    /// Everything about one case, with its warning level on `today`.
    pub fn case(&self, number: &str, today: NaiveDate) -> Result<CaseView> {
        let row = self.case_row(number)?;
        let item = self.item_in_version(&row.catalogue_version, &row.item_code)?;
        let threshold = self.centre()?.settings.warning_days;
        let mut view = self.connection().query_row(
            "SELECT c.number, c.decision, c.deemed_accepted, c.received_on, c.due_date, c.due_provisional,
                    c.calendar_version, c.handler, s.name, c.forwarded_to, c.outcome_reason, c.collected_by,
                    c.completed_on, c.created_at, a.kind, a.name, coalesce(a.id_number, a.uscc), a.phone, c.agent_name,
                    c.collector_role, c.collector_id_number, c.sms_phone
             FROM case_file c JOIN applicant a ON a.id = c.applicant_id JOIN staff s ON s.id = c.handler
             WHERE c.number = ?1",
            [row.number.as_str()],
            |r| {
                let key: String = r.get(16)?;
                let kind: String = r.get(14)?;
                Ok(CaseView {
                    number: r.get(0)?,
                    item_code: row.item_code.clone(),
                    item_name: item.name().to_owned(),
                    item_kind: item.kind().as_str(),
                    catalogue_version: row.catalogue_version.clone(),
                    applicant: ApplicantView {
                        kind: if kind == "person" { "person" } else { "organisation" },
                        name: r.get(15)?,
                        id_masked: IdNumber::parse(&key).map(|i| i.masked()).unwrap_or_else(|_| key.clone()),
                        id_number: key,
                        phone: r.get(17)?,
                    },
                    agent_name: r.get(18)?,
                    status: row.state.status(),
                    paused: row.state.paused(),
                    decision: r.get(1)?,
                    deemed_accepted: r.get(2)?,
                    received_on: r.get(3)?,
                    clock_start: row.clock_start,
                    limit: row.limit,
                    total_limit: row.limit,
                    due_date: r.get(4)?,
                    due_provisional: r.get(5)?,
                    calendar_version: r.get(6)?,
                    warning: None,
                    handler: r.get(7)?,
                    handler_name: r.get(8)?,
                    forwarded_to: r.get(9)?,
                    outcome_reason: r.get(10)?,
                    collected_by: r.get(11)?,
                    collector_role: r.get(19)?,
                    collector_id_masked: r
                        .get::<_, Option<String>>(20)?
                        .map(|k| IdNumber::parse(&k).map(|i| i.masked()).unwrap_or(k)),
                    sms_phone_masked: r.get::<_, Option<String>>(21)?.map(|p| Phone::parse(&p).map(|p| p.masked()).unwrap_or_else(|_| "***".into())),
                    completed_on: r.get(12)?,
                    created_at: r.get(13)?,
                    owed: if row.state.owes() { row.owed.clone() } else { vec![] },
                    owed_by: row.owed_by,
                    materials: vec![],
                    deficiencies: vec![],
                    extensions: vec![],
                    pauses: vec![],
                    documents: vec![],
                })
            },
        )?;
        if let Some(clock) = row.clock()? {
            view.total_limit = clock.total_limit();
            view.extensions = clock.extensions().to_vec();
            view.pauses = clock.pauses().to_vec();
            if row.state.status().clock_runs() {
                view.warning = Some(clock.warning(&self.calendar, today, threshold));
            }
        }
        let mut stmt = self.connection().prepare(
            "SELECT round, material_code, pages, copies, defect, received_at FROM case_material
             WHERE case_number = ?1 ORDER BY round, rowid",
        )?;
        view.materials = stmt
            .query_map([row.number.as_str()], |r| {
                let code: String = r.get(1)?;
                Ok(MaterialView {
                    round: r.get(0)?,
                    name: MaterialCode::parse(&code)
                        .ok()
                        .and_then(|c| item.material(&c).map(|m| m.name().to_owned()))
                        .unwrap_or_else(|| code.clone()),
                    code,
                    pages: r.get(2)?,
                    copies: r.get(3)?,
                    defect: r.get(4)?,
                    received_at: r.get(5)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        if matches!(row.state.status(), CaseStatus::AwaitingSupplement) || view.deemed_accepted {
            if let Decision::Supplement(list) = decide(&item, &self.held_submission(&row.number, &item)?) {
                view.deficiencies = list;
            }
        }
        view.documents = self.documents_of_case(row.number.as_str())?;
        Ok(view)
    }

    /// The query [`Store::list_cases`] runs, with its arguments (its plan is checked in tests).
    pub(crate) fn case_list_sql(&self, filter: &CaseFilter, today: NaiveDate) -> Result<(String, Vec<rusqlite::types::Value>)> {
        self.case_list_sql_as(filter, today, false, false)
    }

    /// `anywhere`: a name matches anywhere in the applicant's name (秀英 in 韦秀英), which reads
    /// the applicant table through; asked only when no name starts so.
    /// `count`: the count of those rows instead of the rows.
    pub(crate) fn case_list_sql_as(&self, filter: &CaseFilter, today: NaiveDate, anywhere: bool, count: bool) -> Result<(String, Vec<rusqlite::types::Value>)> {
        let mut clauses: Vec<String> = vec![];
        let mut args: Vec<rusqlite::types::Value> = vec![];
        let mut order = if filter.oldest_first { "c.created_at, c.number" } else { "c.created_at DESC, c.number DESC" };
        // A query by the applicant reads the applicant's index first, then their cases (the
        // planner would otherwise walk every case newest first looking for them).
        let mut applicant_first = false;
        if let Some(s) = filter.status {
            clauses.push("c.status = ?".into());
            args.push(s.as_str().to_owned().into());
        }
        let running = "c.status IN ('accepted', 'forwarded') AND c.paused = 0";
        if filter.overdue {
            clauses.push(format!("{running} AND c.due_date < ?"));
            args.push(today.to_string().into());
            order = "c.due_date, c.number";
        }
        if let Some(n) = filter.due_within {
            let until = self.calendar.due(today, Limit::working(n.min(Limit::MAX_DAYS))?).date();
            clauses.push(format!("{running} AND c.due_date >= ? AND c.due_date <= ?"));
            args.push(today.to_string().into());
            args.push(until.to_string().into());
            order = "c.due_date, c.number";
        }
        if filter.owing {
            clauses.push("c.status IN ('accepted', 'forwarded') AND c.owed IS NOT NULL".into());
            order = "c.owed_by, c.number";
        }
        if filter.paused {
            clauses.push("c.status IN ('accepted', 'forwarded') AND c.paused = 1".into());
            order = "c.due_date, c.number";
        }
        if filter.running {
            clauses.push(running.into());
            order = "c.due_date, c.number";
        }
        if let Some(q) = filter.query.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            // Each form a clerk types is answered from an index (the applicant's, or the
            // case's by number), never by reading every case.
            match CaseQuery::parse(q) {
                CaseQuery::Number(n) => {
                    clauses.push("c.number = ?".into());
                    args.push(n.into());
                }
                CaseQuery::Document(d) => {
                    clauses.push("c.number IN (SELECT case_number FROM document WHERE number = ?)".into());
                    args.push(d.into());
                }
                CaseQuery::Id(id) => {
                    applicant_first = true;
                    clauses.push("a.id_number = ?".into());
                    args.push(id.into());
                }
                CaseQuery::Phone(p) => {
                    // The applicant's phone, or an agent's (who comes back to collect).
                    clauses.push(
                        "c.number IN (SELECT x.number FROM applicant y JOIN case_file x ON x.applicant_id = y.id WHERE y.phone = ?
                                      UNION SELECT number FROM case_file WHERE agent_phone = ?)"
                            .into(),
                    );
                    args.extend([p.clone().into(), p.into()]);
                }
                CaseQuery::Tail(t) => {
                    applicant_first = true;
                    clauses.push("(substr(a.id_number, -4) = ? OR substr(a.phone, -4) = ?)".into());
                    args.extend([t.clone().into(), t.into()]);
                }
                CaseQuery::Pinyin(p) => {
                    applicant_first = true;
                    // A prefix of the initials (`wxy`, `wx`) or of the full spelling (`weixiu`).
                    clauses.push("(a.name_initials GLOB ? OR a.name_pinyin GLOB ?)".into());
                    args.extend([format!("{p}*").into(), format!("{p}*").into()]);
                }
                CaseQuery::Name(n) => {
                    applicant_first = true;
                    // The name as typed, or its start (the surname and more).
                    clauses.push("a.name GLOB ?".into());
                    args.push(if anywhere { format!("*{n}*") } else { format!("{n}*") }.into());
                }
                CaseQuery::Nothing => clauses.push("0".into()),
            }
        }
        let from = if applicant_first { "applicant a CROSS JOIN case_file c ON c.applicant_id = a.id" } else { "case_file c JOIN applicant a ON a.id = c.applicant_id" };
        let filter_sql = if clauses.is_empty() { String::new() } else { format!("WHERE {}", clauses.join(" AND ")) };
        if count {
            // A count needs the applicant only when the query is about them.
            let from = if filter.query.is_some() { from } else { "case_file c" };
            return Ok((format!("SELECT count(*) FROM {from} {filter_sql}"), args));
        }
        let sql = format!(
            "SELECT c.number, c.item_code, c.catalogue_version, a.name, c.status, c.paused, c.due_date, c.due_provisional, c.created_at,
                    CASE WHEN c.owed IS NOT NULL AND c.status IN ('accepted', 'forwarded') THEN c.owed_by END, c.received_on
             FROM {from} {filter_sql} ORDER BY {order} LIMIT {}",
            filter.limit.map_or(-1, |l| l as i64)
        );
        Ok((sql, args))
    }

    /// How many cases [`Store::list_cases`] would list without its limit: counted in the
    /// index the list reads (no row is fetched, nor its applicant unless the query asks).
    pub fn count_cases(&self, filter: &CaseFilter, today: NaiveDate) -> Result<usize> {
        let count = |anywhere| -> Result<usize> {
            let (sql, args) = self.case_list_sql_as(filter, today, anywhere, true)?;
            let n: i64 = self.connection().prepare_cached(&sql)?.query_row(rusqlite::params_from_iter(args), |r| r.get(0))?;
            Ok(n as usize)
        };
        // As the list: a name found nowhere at its start is counted anywhere in the name.
        let by_name = filter.query.as_deref().is_some_and(|q| matches!(CaseQuery::parse(q), CaseQuery::Name(_)));
        match count(false)? {
            0 if by_name => count(true),
            n => Ok(n),
        }
    }

    /// Lists cases, newest first, with their warning levels on `today`.
    pub fn list_cases(&self, filter: &CaseFilter, today: NaiveDate) -> Result<Vec<CaseSummary>> {
        let threshold = self.centre()?.settings.warning_days;
        let (sql, args) = self.case_list_sql(filter, today)?;
        let mut found = self.case_rows(&sql, args, today, threshold)?;
        let by_name = filter.query.as_deref().is_some_and(|q| matches!(CaseQuery::parse(q), CaseQuery::Name(_)));
        if found.is_empty() && by_name {
            let (sql, args) = self.case_list_sql_as(filter, today, true, false)?;
            found = self.case_rows(&sql, args, today, threshold)?;
        }
        Ok(found)
    }

    fn case_rows(&self, sql: &str, args: Vec<rusqlite::types::Value>, today: NaiveDate, threshold: u32) -> Result<Vec<CaseSummary>> {
        let mut stmt = self.connection().prepare_cached(sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(args), |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, bool>(5)?,
                r.get::<_, Option<NaiveDate>>(6)?,
                r.get::<_, bool>(7)?,
                r.get::<_, String>(8)?,
                r.get::<_, Option<NaiveDate>>(9)?,
                r.get::<_, NaiveDate>(10)?,
            ))
        })?;
        let mut out = vec![];
        let mut older_names: std::collections::HashMap<(String, String), String> = Default::default();
        for row in rows {
            let (number, item_code, version, applicant_name, status, paused, due_date, due_provisional, created_at, owed_by, received_on) = row?;
            let status = CaseStatus::parse(&status).unwrap_or(CaseStatus::Archived);
            // Cases taken under an older catalogue: look each item up once per call, not per row.
            let item_name = match self.item(&item_code) {
                Ok(e) if e.version == version => e.item.name().to_owned(),
                _ => older_names
                    .entry((version.clone(), item_code.clone()))
                    .or_insert_with(|| {
                        self.item_in_version(&version, &item_code).map(|i| i.name().to_owned()).unwrap_or(item_code.clone())
                    })
                    .clone(),
            };
            let warning = match (status.clock_runs(), paused, due_date) {
                (true, true, _) => Some(Warning::Paused),
                (true, false, Some(due)) => Some(warning_for(&self.calendar, due, today, threshold)),
                _ => None,
            };
            out.push(CaseSummary {
                number,
                item_code,
                item_name,
                applicant_name,
                status,
                paused,
                due_date,
                due_provisional,
                warning,
                created_at,
                received_on,
                owed_by,
            });
        }
        Ok(out)
    }

    /// Returning applicants a clerk can pick from a short key typed at the counter: the last
    /// four or more characters of an ID number or credit code, a phone number's tail, or a name.
    /// Most recent first, at most `limit`.
    pub fn find_applicants(&self, key: &str, limit: usize) -> Result<Vec<ApplicantMatch>> {
        let key = key.trim().to_uppercase();
        if key.chars().count() < 2 {
            return Ok(vec![]);
        }
        let ascii = key.chars().all(|c| c.is_ascii_alphanumeric());
        if ascii && key.len() < 4 {
            return Ok(vec![]);
        }
        let sql = if ascii {
            "SELECT kind, coalesce(id_number, uscc), name, phone, id FROM applicant
             WHERE id_number LIKE '%' || ?1 OR uscc LIKE '%' || ?1 OR phone LIKE '%' || ?1
             ORDER BY updated_at DESC, id DESC LIMIT ?2"
        } else {
            "SELECT kind, coalesce(id_number, uscc), name, phone, id FROM applicant WHERE name = ?1
             ORDER BY updated_at DESC, id DESC LIMIT ?2"
        };
        let mut stmt = self.connection().prepare_cached(sql)?;
        let rows = stmt.query_map(params![key, limit as i64], applicant_match)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The returning applicant the clerk picked from [`Store::find_applicants`]' offer, by its
    /// id: the full ID number leaves the store for the one applicant at the counter only.
    pub fn applicant_by_id(&self, id: i64) -> Result<ApplicantMatch> {
        self.connection()
            .query_row("SELECT kind, coalesce(id_number, uscc), name, phone, id FROM applicant WHERE id = ?1", [id], applicant_match)
            .optional()?
            .ok_or_else(|| StoreError::NotFound("该申请人".into()))
    }

    /// A returning applicant, recognised by ID number or credit code.
    pub fn find_applicant(&self, key: &str) -> Result<Option<(String, Option<String>)>> {
        Ok(self
            .connection()
            .query_row("SELECT name, phone FROM applicant WHERE id_number = ?1 OR uscc = ?1", [key], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?)
    }
}

/// What one later step of a case records beyond the state it leaves (the event's own fields).
enum Detail {
    Extend { days: u32, reason: String, approver: String, approver_name: String },
    Pause { kind: String, label: String, expected_days: u32, reason: String },
    Resume,
    Forward { to: String, reason: String },
    Decide { approved: bool, reason: String },
    Ready,
    Collect { by: String, id_number: Option<String>, role: Option<&'static str> },
    Withdraw { reason: String },
    Archive,
    Terminate { reason: String, approver: String, approver_name: String, owed: Vec<ev::Deficiency>, owed_by: NaiveDate },
}

impl Detail {
    fn label(&self) -> &'static str {
        match self {
            Self::Extend { .. } => "extend",
            Self::Pause { .. } => "pause",
            Self::Resume => "resume",
            Self::Forward { .. } => "forward",
            Self::Decide { .. } => "decide",
            Self::Ready => "ready",
            Self::Collect { .. } => "collect",
            Self::Withdraw { .. } => "withdraw",
            Self::Archive => "archive",
            Self::Terminate { .. } => "terminate",
        }
    }

    fn reason(&self) -> Option<&str> {
        match self {
            Self::Extend { reason, .. } | Self::Pause { reason, .. } | Self::Forward { reason, .. } => Some(reason),
            Self::Decide { reason, .. } | Self::Withdraw { reason } | Self::Terminate { reason, .. } => Some(reason),
            _ => None,
        }
    }

    fn collected_by(&self) -> Option<&str> {
        match self {
            Self::Collect { by, .. } => Some(by),
            _ => None,
        }
    }

    fn forwarded_to(&self) -> Option<&str> {
        match self {
            Self::Forward { to, .. } => Some(to),
            _ => None,
        }
    }

    fn into_event(self, step: ev::Step) -> Event {
        match self {
            Self::Extend { days, reason, approver, approver_name } => Event::CaseExtended(ev::CaseExtended { days, reason, approver, approver_name, step }),
            Self::Pause { kind, label, expected_days, reason } => Event::CasePaused(ev::CasePaused { kind, label, expected_days, reason, step }),
            Self::Resume => Event::CaseResumed(step),
            Self::Forward { to, reason } => Event::CaseForwarded(ev::CaseForwarded { to, reason, step }),
            Self::Decide { approved, reason } => Event::CaseDecided(ev::CaseDecided { approved, reason, step }),
            Self::Ready => Event::CaseReady(step),
            Self::Collect { by, id_number, role } => Event::CaseCollected(ev::CaseCollected { by, id_number, role: role.map(str::to_owned), step }),
            Self::Withdraw { reason } => Event::CaseWithdrawn(ev::WithReason { reason, step }),
            Self::Archive => Event::CaseArchived(step),
            Self::Terminate { reason, approver, approver_name, owed, owed_by } => {
                Event::CaseTerminated(ev::CaseTerminated { reason, approver, approver_name, owed, owed_by, step })
            }
        }
    }
}

/// What a case owes now and by when, read on `conn` (inside the transaction that acts on it).
pub(crate) fn owed_of(conn: &rusqlite::Connection, number: &str) -> Result<(Vec<ev::Deficiency>, Option<NaiveDate>)> {
    let (owed, by): (Option<String>, Option<NaiveDate>) =
        conn.query_row("SELECT owed, owed_by FROM case_file WHERE number = ?1", [number], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok((owed.as_deref().map(parse_owed).unwrap_or_default(), by))
}

/// A stored owed list. One that cannot be read still owes (an unreadable entry is listed), so
/// that a damaged value never lets an owing case be approved.
fn parse_owed(text: &str) -> Vec<ev::Deficiency> {
    match serde_json::from_str::<Vec<ev::Deficiency>>(text) {
        Ok(list) if !list.is_empty() => list,
        _ => vec![ev::Deficiency { material: "?".into(), name: "（所欠材料的记录无法读取）".into(), problem: "请由中心负责人核对".into() }],
    }
}

/// The mutable part of a case, read on `conn` (inside a write transaction when it is acted on).
fn read_case_row(conn: &rusqlite::Connection, number: &str) -> Result<CaseRow> {
        let parsed = CaseNumber::parse(number)?;
    conn
            .query_row(
                "SELECT item_code, catalogue_version, status, paused, clock_start, limit_days, limit_unit, clock, owed, owed_by
                 FROM case_file WHERE number = ?1",
                [parsed.as_str()],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, bool>(3)?,
                        r.get::<_, Option<NaiveDate>>(4)?,
                        r.get::<_, u32>(5)?,
                        r.get::<_, String>(6)?,
                        r.get::<_, String>(7)?,
                        r.get::<_, Option<String>>(8)?,
                        r.get::<_, Option<NaiveDate>>(9)?,
                    ))
                },
            )
            .optional()?
            .map(|(item_code, catalogue_version, status, paused, clock_start, days, unit, clock, owed, owed_by)| {
                let status = CaseStatus::parse(&status).unwrap_or(CaseStatus::Archived);
                let owed = owed.as_deref().map(parse_owed).unwrap_or_default();
                Ok::<_, StoreError>(CaseRow {
                    number: parsed.clone(),
                    item_code,
                    catalogue_version,
                    state: CaseState::restore(status, paused).owing(!owed.is_empty()),
                    owed,
                    owed_by,
                    clock_start,
                    limit: Limit::new(days, LimitUnit::parse(&unit).unwrap_or(LimitUnit::Working))?,
                    clock: serde_json::from_str(&clock).unwrap_or_default(),
                })
            })
            .transpose()?
            .ok_or_else(|| StoreError::UnknownCase(parsed.to_string()))
}

fn applicant_match(r: &rusqlite::Row<'_>) -> rusqlite::Result<ApplicantMatch> {
    Ok(ApplicantMatch { organisation: r.get::<_, String>(0)? == "organisation", key: r.get(1)?, name: r.get(2)?, phone: r.get(3)?, id: r.get(4)? })
}

/// A returning applicant found by [`Store::find_applicants`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplicantMatch {
    /// The applicant's row, by which the clerk's pick is taken ([`Store::applicant_by_id`]).
    pub id: i64,
    pub organisation: bool,
    /// The full ID number or credit code.
    pub key: String,
    pub name: String,
    pub phone: Option<String>,
}

/// Everything the centre holds of a case: its materials rounds merged in order (what a later
/// round brings replaces the earlier copy and its defect), with the conditions met.
pub(crate) fn held_submission(conn: &rusqlite::Connection, number: &str, item: &ServiceItem) -> Result<Submission> {
    let conditions: String = conn.query_row("SELECT conditions FROM case_file WHERE number = ?1", [number], |r| r.get(0))?;
    let conditions: Vec<String> = serde_json::from_str(&conditions).unwrap_or_default();
    let conditions = conditions.iter().map(|c| MaterialCode::parse(c)).collect::<Result<Vec<_>, _>>()?;
    let mut rounds: std::collections::BTreeMap<i64, (Vec<Presented>, Vec<Defect>)> = Default::default();
    let mut stmt = conn.prepare_cached(
        "SELECT round, material_code, pages, copies, defect FROM case_material WHERE case_number = ?1 ORDER BY round, rowid",
    )?;
    let rows = stmt.query_map([number], |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, u32>(2)?, r.get::<_, u32>(3)?, r.get::<_, Option<String>>(4)?))
    })?;
    for row in rows {
        let (round, code, pages, copies, defect) = row?;
        let material = MaterialCode::parse(&code)?;
        let (presented, defects) = rounds.entry(round).or_default();
        if let Some(reason) = defect {
            defects.push(Defect { material: material.clone(), reason });
        }
        presented.push(Presented { material, pages, copies });
    }
    let mut held = Submission::new(item, vec![], vec![], conditions, None)?;
    for (presented, defects) in rounds.into_values() {
        held = held.merged_with(&Submission::new(item, presented, defects, [], None)?);
    }
    Ok(held)
}

/// What a clerk typed in 办件查询, by its form.
#[derive(Debug, Clone, PartialEq, Eq)]
enum CaseQuery {
    Number(String),
    /// A document's number, in either form, as the table keeps it (`〔2026〕受字第01-0003号`).
    Document(String),
    Id(String),
    Phone(String),
    /// The last four characters of an ID number or a phone number.
    Tail(String),
    /// Pinyin of a name, lower-case letters.
    Pinyin(String),
    Name(String),
    /// Nothing that can name a case (only marks): no rows.
    Nothing,
}

impl CaseQuery {
    fn parse(q: &str) -> Self {
        let q = q.trim();
        if let Ok(n) = CaseNumber::parse(q) {
            return Self::Number(n.to_string());
        }
        // `sl-2026-01-0003` as typed is `SL-2026-01-0003`.
        if let Ok(d) = yichuang_core::DocumentNumber::parse(&q.to_uppercase()) {
            return Self::Document(d.to_string());
        }
        if let Ok(id) = IdNumber::parse(q) {
            return Self::Id(id.to_string());
        }
        if let Ok(p) = Phone::parse(q) {
            return Self::Phone(p.to_string());
        }
        let upper = q.to_uppercase();
        if upper.len() == 4 && upper.chars().take(3).all(|c| c.is_ascii_digit()) && upper.ends_with(|c: char| c.is_ascii_digit() || c == 'X') {
            return Self::Tail(upper);
        }
        let letters = yichuang_core::search::normalise(q);
        if !letters.is_empty() && letters.chars().all(|c| c.is_ascii_lowercase()) {
            return Self::Pinyin(letters);
        }
        // GLOB's own marks cannot be part of a name.
        let name: String = q.chars().filter(|c| !matches!(c, '*' | '?' | '[' | ']')).collect();
        if name.trim().is_empty() { Self::Nothing } else { Self::Name(name.trim().to_owned()) }
    }
}

/// The applicant's open cases of `item` at this centre (any window's), oldest first.
fn open_cases_of(conn: &rusqlite::Connection, party: &Party, item: &str) -> Result<Vec<OpenCase>> {
    let (kind, key, _) = party_fields(party);
    let col = if kind == "person" { "id_number" } else { "uscc" };
    // A case refused on its merits (不予批准) is over for this purpose: applying again is the way on.
    let open: Vec<String> =
        CaseStatus::ALL.into_iter().filter(|s| s.is_open() && *s != CaseStatus::NotApproved).map(|s| format!("'{}'", s.as_str())).collect();
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT c.number, c.status, c.received_on FROM applicant a JOIN case_file c ON c.applicant_id = a.id
         WHERE a.{col} = ?1 AND c.item_code = ?2 AND c.status IN ({}) ORDER BY c.created_at, c.number",
        open.join(", ")
    ))?;
    let rows = stmt.query_map(params![key, item], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, NaiveDate>(2)?)))?;
    let mut out = vec![];
    for row in rows {
        let (number, status, received_on) = row?;
        // Only the open statuses were asked for: each parses.
        if let Some(status) = CaseStatus::parse(&status) {
            out.push(OpenCase { number, status, received_on });
        }
    }
    Ok(out)
}

/// A case of this applicant terminated for materials owed (a broken 容缺 commitment), if any:
/// terminated, or archived since (its event says so), at this window or another.
fn broken_commitment(conn: &rusqlite::Connection, party: &Party) -> Result<Option<String>> {
    let (kind, key, _) = party_fields(party);
    let col = if kind == "person" { "id_number" } else { "uscc" };
    Ok(conn
        .query_row(
            &format!(
                "SELECT c.number FROM case_file c JOIN applicant a ON a.id = c.applicant_id
                 WHERE a.{col} = ?1 AND (c.status = 'terminated'
                    OR EXISTS (SELECT 1 FROM event e WHERE e.subject = c.number AND e.kind = 'case.terminated')
                    OR EXISTS (SELECT 1 FROM peer_event p WHERE p.subject = c.number AND p.kind = 'case.terminated'))
                 ORDER BY c.created_at LIMIT 1"
            ),
            [key],
            |r| r.get(0),
        )
        .optional()?)
}

/// An applicant's search keys: a person's name with its surname read as a surname.
fn name_keys(kind: &str, name: &str) -> PinyinKeys {
    if kind == "person" { PinyinKeys::of_person(name) } else { PinyinKeys::of(name) }
}

/// The pinyin keys of every applicant held before the pinyin columns existed (migration 17).
pub(crate) fn fill_name_pinyin(tx: &rusqlite::Connection) -> Result<()> {
    let mut stmt = tx.prepare("SELECT id, name, kind FROM applicant")?;
    let rows: Vec<(i64, String, String)> = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect::<rusqlite::Result<_>>()?;
    let mut set = tx.prepare("UPDATE applicant SET name_pinyin = ?2, name_initials = ?3 WHERE id = ?1")?;
    for (id, name, kind) in rows {
        let py = name_keys(&kind, &name);
        set.execute(params![id, py.full, py.initials])?;
    }
    Ok(())
}

fn party_fields(p: &Party) -> (&'static str, &str, &str) {
    match p {
        Party::Person { id_number, name } => ("person", id_number.as_str(), name.as_str()),
        Party::Organisation { uscc, name } => ("organisation", uscc.as_str(), name.as_str()),
    }
}

/// The people on an application as a person living today can be: each ID number born by today
/// and of a plausible age, an agent who is not the applicant, an organisation's name one line.
fn check_parties(req: &IntakeRequest, today: NaiveDate) -> Result<()> {
    match &req.applicant.party {
        Party::Person { id_number, .. } => {
            id_number.clone().living_on(today)?;
        }
        Party::Organisation { name, .. } => {
            FreeText::line("单位名称", name, FreeText::LINE)?;
        }
    }
    if let Some((_, agent_id, _)) = &req.agent {
        agent_id.clone().living_on(today).map_err(StoreError::from)?;
        if matches!(&req.applicant.party, Party::Person { id_number, .. } if id_number == agent_id) {
            return Err(StoreError::AgentIsApplicant);
        }
    }
    Ok(())
}

/// A reason a form may leave empty: empty stays empty, anything typed is free text.
pub(crate) fn optional_text(field: &'static str, input: &str) -> Result<String> {
    if input.trim().is_empty() {
        return Ok(String::new());
    }
    Ok(FreeText::note(field, input, FreeText::REASON)?.into_string())
}

/// Inserts a new applicant or refreshes a returning one (by ID number or credit code),
/// returning its row id. Idempotent by the unique keys: never check-then-insert.
fn upsert_applicant(w: &Writer<'_>, a: &ApplicantInput, confirm_rename: bool) -> Result<i64> {
    let phone = a.phone.as_ref().map(Phone::as_str);
    let now = w.now_text();
    if let (Party::Person { id_number, name }, false) = (&a.party, confirm_rename) {
        // Read inside the write: the name on file is what this transaction would replace.
        let on_file: Option<String> = w
            .tx
            .query_row("SELECT name FROM applicant WHERE id_number = ?1", [id_number.as_str()], |r| r.get(0))
            .optional()?;
        if let Some(on_file) = on_file.filter(|n| n != name.as_str()) {
            return Err(StoreError::ApplicantNameDiffers { id_masked: id_number.masked(), on_file, given: name.to_string() });
        }
    }
    if let Party::Organisation { name, .. } = &a.party {
        if name.trim().is_empty() {
            return Err(StoreError::MissingField("单位名称"));
        }
    }
    let (kind, key, name) = party_fields(&a.party);
    let key_col = if kind == "person" { "id_number" } else { "uscc" };
    let name = name.trim();
    let py = name_keys(kind, name);
    let id = w.tx.query_row(
        &format!(
            "INSERT INTO applicant (kind, {key_col}, name, phone, created_at, updated_at, name_pinyin, name_initials)
             VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6, ?7)
             ON CONFLICT ({key_col}) DO UPDATE SET name = excluded.name, phone = coalesce(excluded.phone, phone),
                updated_at = excluded.updated_at, name_pinyin = excluded.name_pinyin, name_initials = excluded.name_initials
             RETURNING id"
        ),
        params![kind, key, name, phone, now, py.full, py.initials],
        |r| r.get(0),
    )?;
    Ok(id)
}

fn insert_materials(w: &Writer<'_>, number: &CaseNumber, round: i64, s: &Submission) -> Result<()> {
    let mut stmt = w.tx.prepare_cached(
        "INSERT INTO case_material (case_number, round, material_code, pages, copies, defect, received_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for p in s.presented() {
        let defect = s.defects().iter().find(|d| d.material == p.material).map(|d| d.reason.as_str());
        stmt.execute(params![number.as_str(), round, p.material.as_str(), p.pages, p.copies, defect, w.now_text()])?;
    }
    Ok(())
}

fn materials_ev(s: &Submission) -> Vec<ev::Material> {
    s.presented()
        .iter()
        .map(|p| {
            let defect = s.defects().iter().find(|d| d.material == p.material).map(|d| d.reason.clone());
            ev::Material { material: p.material.to_string(), pages: p.pages, copies: p.copies, defect }
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Cases the centre's other terminals act on
// ---------------------------------------------------------------------------------------------

/// Every event about case `number` in this database: its own log's and the peers'.
pub(crate) fn case_events(conn: &rusqlite::Connection, number: &str, own_stream: &str) -> Result<Vec<ev::Sourced>> {
    let mut out = vec![];
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT '' AS stream, {} FROM event WHERE subject = ?1 AND kind LIKE 'case.%'
         UNION ALL
         SELECT stream, {} FROM peer_event WHERE subject = ?1 AND kind LIKE 'case.%'",
        crate::events::EVENT_COLUMNS,
        crate::events::EVENT_COLUMNS
    ))?;
    let rows = stmt.query_map([number], |r| {
        Ok(ev::Sourced {
            stream: r.get(0)?,
            record: crate::events::read_row_at(r, 1)?,
        })
    })?;
    for r in rows {
        out.push(r?);
    }
    ev::centre_order(&mut out, own_stream);
    Ok(out)
}

/// A case the centre's other windows acted on too is re-folded after this window's own act,
/// so that the act takes its place in the centre's order (another window's clock may be ahead).
fn refold_if_shared(w: &Writer<'_>, number: &str, own_stream: &str) -> Result<()> {
    let shared: bool = w
        .tx
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM peer_event WHERE subject = ?1 AND kind LIKE 'case.%')")?
        .query_row([number], |r| r.get(0))?;
    if shared {
        refold_case(w, number, own_stream)?;
    }
    Ok(())
}

/// Writes what the fold of case `number` over every stream makes of it, and lists the acts
/// that lost. Run inside the transaction that brought another terminal's event about it.
pub(crate) fn refold_case(w: &Writer<'_>, number: &str, own_stream: &str) -> Result<()> {
    let events = case_events(w.tx, number, own_stream)?;
    let Some(f) = ev::fold_case(&events).map_err(|e| StoreError::Rule(e.to_string()))? else { return Ok(()) };
    let clock = ClockFile {
        extensions: f
            .extensions
            .iter()
            .map(|e| ExtensionFile { days: e.days, approver: e.approver.clone(), reason: e.reason.clone(), granted_on: e.granted_on })
            .collect(),
        pauses: f.pauses.iter().map(|p| PauseFile { kind: p.kind.clone(), from: p.from, until: p.until, expected_days: p.expected_days }).collect(),
    };
    w.tx.prepare_cached(
        "UPDATE case_file SET status = ?2, paused = ?3, clock = ?4, clock_start = ?5, due_date = ?6,
            due_provisional = ?7, calendar_version = coalesce(?8, calendar_version), outcome_reason = ?9,
            collected_by = ?10, completed_on = ?11, forwarded_to = ?12, updated_at = ?13,
            owed = ?14, owed_by = coalesce(?15, owed_by), collector_id_number = ?16, collector_role = ?17
         WHERE number = ?1",
    )?
    .execute(params![
            number,
            f.status,
            f.paused,
            serde_json::to_string(&clock).unwrap_or_default(),
            f.clock_start,
            f.due.as_ref().map(|d| d.date),
            f.due.as_ref().is_some_and(|d| d.provisional),
            f.due.as_ref().map(|d| d.calendar_version.clone()),
            f.outcome_reason,
            f.collected_by,
            f.completed_on,
            f.forwarded_to,
            f.updated_at,
            (!f.owed.is_empty()).then(|| serde_json::to_string(&f.owed).unwrap_or_default()),
            f.owed_by,
            f.collector_id_number,
            f.collector_role,
        ])?;
    // The list of losing acts is the fold's, as of every event held now: an act that lost only
    // because what it followed (another window's) had not arrived yet is cleared once it has.
    w.tx.prepare_cached("UPDATE case_conflict SET cleared_at = ?2 WHERE case_number = ?1 AND cleared_at IS NULL")?
        .execute(params![number, w.now_text()])?;
    for (stream, seq, kind, reason) in &f.losers {
        w.tx.prepare_cached(
            "INSERT INTO case_conflict (case_number, stream, seq, kind, reason, found_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (stream, seq) DO UPDATE SET cleared_at = NULL, reason = excluded.reason",
        )?
        .execute(params![number, stream, seq, kind, reason, w.now_text()])?;
    }
    Ok(())
}

/// A case another terminal of the centre took in: its row, applicant and first materials,
/// from its intake event. `None`, or why it could not be (kept as a conflict).
pub(crate) fn project_foreign_intake(w: &Writer<'_>, rec: &EventRecord, p: &ev::CaseIntake) -> Result<Option<String>> {
    let exists: bool = w.tx.prepare_cached("SELECT EXISTS (SELECT 1 FROM case_file WHERE number = ?1)")?.query_row([&rec.subject], |r| r.get(0))?;
    if exists {
        return Ok(Some(format!("办件编号{}已有收件记录（编号重复）", rec.subject)));
    }
    let has_item: bool = w
        .tx
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM catalogue_item WHERE version = ?1 AND code = ?2)")?
        .query_row([&p.catalogue_version, &p.item], |r| r.get(0))?;
    if !has_item {
        return Ok(Some(format!("本机没有事项目录{}中的事项{}，请先导入该版本目录", p.catalogue_version, p.item)));
    }
    // A returning applicant keeps the name this centre holds; a new one is added.
    let (kind_col, key_col) = if p.applicant.kind == "person" { ("person", "id_number") } else { ("organisation", "uscc") };
    let py = name_keys(&p.applicant.kind, &p.applicant.name);
    w.tx.prepare_cached(&format!(
        "INSERT INTO applicant (kind, {key_col}, name, phone, created_at, updated_at, name_pinyin, name_initials)
         VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6, ?7)
         ON CONFLICT ({key_col}) DO NOTHING"
    ))?
    .execute(params![kind_col, p.applicant.key, p.applicant.name, p.applicant.phone, rec.at, py.full, py.initials])?;
    let applicant_id: i64 =
        w.tx.prepare_cached(&format!("SELECT id FROM applicant WHERE {key_col} = ?1"))?.query_row([&p.applicant.key], |r| r.get(0))?;
    crate::peers::ensure_staff(w, &p.handler)?;
    if let Some(b) = &p.covering_for {
        crate::peers::ensure_staff(w, b)?;
    }
    w.tx.prepare_cached(
        "INSERT INTO case_file (number, item_code, catalogue_version, applicant_id, agent_name, agent_id_number,
            agent_phone, status, decision, deemed_accepted, received_on, clock_start, limit_days, limit_unit,
            due_date, due_provisional, calendar_version, conditions, handler, completed_on, created_at, updated_at, covering_for)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?21, ?22)",
    )?
    .execute(params![
            rec.subject,
            p.item,
            p.catalogue_version,
            applicant_id,
            p.agent.as_ref().map(|a| a.name.clone()),
            p.agent.as_ref().and_then(|a| a.id_number.clone()),
            p.agent.as_ref().and_then(|a| a.phone.clone()),
            p.status,
            p.decision,
            p.deemed_accepted,
            p.received_on,
            p.clock_start,
            p.limit.days,
            p.limit.unit,
            p.due.as_ref().map(|d| d.date),
            p.due.as_ref().is_some_and(|d| d.provisional),
            p.due.as_ref().map(|d| d.calendar_version.clone()),
            serde_json::to_string(&p.conditions).unwrap_or_default(),
            p.handler,
            (p.status == "completed").then(|| rec.at.get(..10).unwrap_or_default().to_owned()),
            rec.at,
            p.covering_for,
        ])?;
    if p.decision == "tolerated" && !p.deficiencies.is_empty() {
        w.tx.prepare_cached("UPDATE case_file SET owed = ?2, owed_by = ?3 WHERE number = ?1")?.execute(params![
            rec.subject,
            serde_json::to_string(&p.deficiencies).unwrap_or_default(),
            p.owed_by
        ])?;
    }
    insert_foreign_materials(w, &rec.subject, 1, &p.materials, &rec.at)?;
    Ok(None)
}

pub(crate) fn insert_foreign_materials(w: &Writer<'_>, number: &str, round: i64, materials: &[ev::Material], at: &str) -> Result<()> {
    let mut stmt = w.tx.prepare_cached(
        "INSERT INTO case_material (case_number, round, material_code, pages, copies, defect, received_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for m in materials {
        stmt.execute(params![number, round, m.material, m.pages, m.copies, m.defect, at])?;
    }
    Ok(())
}
