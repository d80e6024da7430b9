//! The event log's contract: one typed [`Event`] for every kind the store writes, the shape its
//! payload takes on the wire (`docs/batch-format.md`, payload version 1), and the chain hash.
//!
//! - Writers build an `Event`; the store turns it into a row with [`Event::kind`] and
//!   [`Event::payload`]. Readers (statistics, Today, HQ, `verify`, timelines) parse a row back
//!   with [`Event::parse`] and match on the variant, never on `payload["…"]`: renaming a field
//!   is a compile error in every consumer, not a silent zero in a report.
//! - Field names are those the log has always carried, so every event ever written parses.
//! - Pure: no I/O, no clock. The hash of a row is over its text exactly as stored.
//! - [`fold_case`] is the one rule for a case acted on at several windows: every terminal and
//!   HQ fold a case's events from every stream with it.

mod fold;
mod record;

pub use fold::{centre_order, fold_case, FoldedCase, FoldedExtension, FoldedPause, Sourced};

pub use record::{chain_hash, key_fingerprint, local_stream_id, EventRecord, GENESIS_HASH};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Why a stored row is not an event of this program.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum EventError {
    #[error("未知的事件类型“{0}”（可能由较新版本的一窗通写入，请升级程序）")]
    UnknownKind(String),
    #[error("事件“{kind}”的内容无法解读：{detail}")]
    Payload { kind: String, detail: String },
}

impl EventError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::UnknownKind(_) => "event.unknown_kind",
            Self::Payload { .. } => "event.payload",
        }
    }
}

/// A due date as a case event records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Due {
    pub date: NaiveDate,
    pub provisional: bool,
    pub calendar_version: String,
}

/// What every later step of a case records: the state it left the case in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    pub status: String,
    #[serde(default)]
    pub paused: bool,
    #[serde(default)]
    pub due: Option<Due>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Applicant {
    /// `person` or `organisation`.
    pub kind: String,
    /// The ID number or the unified social credit code.
    pub key: String,
    pub name: String,
    #[serde(default)]
    pub phone: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Agent {
    pub name: String,
    #[serde(default)]
    pub id_number: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Material {
    pub material: String,
    pub pages: u32,
    pub copies: u32,
    #[serde(default)]
    pub defect: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deficiency {
    pub material: String,
    pub name: String,
    pub problem: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LimitSpec {
    pub days: u32,
    pub unit: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseIntake {
    pub item: String,
    pub catalogue_version: String,
    pub applicant: Applicant,
    #[serde(default)]
    pub agent: Option<Agent>,
    /// `immediate`, `accepted`, `supplement`, `refused` or `tolerated`.
    pub decision: String,
    pub status: String,
    #[serde(default)]
    pub deemed_accepted: bool,
    pub received_on: NaiveDate,
    #[serde(default)]
    pub clock_start: Option<NaiveDate>,
    pub limit: LimitSpec,
    #[serde(default)]
    pub due: Option<Due>,
    #[serde(default)]
    pub materials: Vec<Material>,
    #[serde(default)]
    pub conditions: Vec<String>,
    #[serde(default)]
    pub deficiencies: Vec<Deficiency>,
    #[serde(default)]
    pub refusal: Option<String>,
    pub handler: String,
    #[serde(default)]
    pub covering_for: Option<String>,
    /// 容缺受理 (`decision` is `tolerated`; `deficiencies` lists what is owed): the day by which
    /// the owed materials are to be brought in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owed_by: Option<NaiveDate>,
    /// Taken while the applicant had open cases of the same item: those cases and the clerk's
    /// reason for a second one (a duplicate is never taken silently).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duplicate: Option<Duplicate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Duplicate {
    /// The open cases of the same applicant and item at the moment of intake.
    pub of: Vec<String>,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseSupplemented {
    pub round: i64,
    #[serde(default)]
    pub materials: Vec<Material>,
    pub decision: String,
    pub status: String,
    #[serde(default)]
    pub clock_start: Option<NaiveDate>,
    #[serde(default)]
    pub due: Option<Due>,
    #[serde(default)]
    pub deficiencies: Vec<Deficiency>,
    #[serde(default)]
    pub refusal: Option<String>,
    /// Owed 容缺 materials brought while the clock is paused (第45条): it stays paused.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub paused: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseExtended {
    pub days: u32,
    pub reason: String,
    pub approver: String,
    #[serde(default)]
    pub approver_name: String,
    #[serde(flatten)]
    pub step: Step,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CasePaused {
    pub kind: String,
    #[serde(default)]
    pub label: String,
    pub expected_days: u32,
    pub reason: String,
    #[serde(flatten)]
    pub step: Step,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseForwarded {
    pub to: String,
    #[serde(default)]
    pub reason: String,
    #[serde(flatten)]
    pub step: Step,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseDecided {
    pub approved: bool,
    #[serde(default)]
    pub reason: String,
    #[serde(flatten)]
    pub step: Step,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseCollected {
    pub by: String,
    /// The collector's ID number as checked at the counter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_number: Option<String>,
    /// `applicant`, `agent` or `attorney` (another person with a power of attorney).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    #[serde(flatten)]
    pub step: Step,
}

/// 终止办理: a 容缺 case ended because what it owed did not come by the day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseTerminated {
    pub reason: String,
    pub approver: String,
    #[serde(default)]
    pub approver_name: String,
    /// What was still owed, and by when.
    #[serde(default)]
    pub owed: Vec<Deficiency>,
    pub owed_by: NaiveDate,
    #[serde(flatten)]
    pub step: Step,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WithReason {
    #[serde(default)]
    pub reason: String,
    #[serde(flatten)]
    pub step: Step,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseRated {
    pub rating: String,
    pub bad: bool,
    pub channel: String,
    pub on: NaiveDate,
    #[serde(default)]
    pub rectification_due: Option<NaiveDate>,
}

/// The applicant's own rating of one service at the counter, tapped on the rating screen
/// (评价器), never typed by the clerk: `service_event` is the id of the event that recorded
/// the service (one rating each); `clerk` and `window` are who served and where, read from
/// that event, not from the screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseServiceRated {
    pub service_event: String,
    pub service: String,
    pub rating: String,
    pub bad: bool,
    #[serde(default)]
    pub reasons: Vec<String>,
    pub clerk: String,
    pub window: String,
    pub on: NaiveDate,
    /// The rectification this bad rating opened (none when one is already open for the case).
    #[serde(default)]
    pub rectification_due: Option<NaiveDate>,
}

/// 短信通知: the applicant's consent, given at intake or withdrawn later (个人信息保护法
/// 第13–15条), with the mobile number it is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseSmsConsent {
    pub given: bool,
    #[serde(default)]
    pub phone: Option<String>,
}

/// A message queued for HQ to send: `notice` and `occasion` (the day it is about, or `1` for
/// a once-only one) make it unique for its case; `params` are its template's, `text` what
/// they read as. HQ sends it only where the case's consent stands for `phone`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseSmsQueued {
    pub notice: String,
    pub occasion: String,
    pub phone: String,
    pub params: Vec<String>,
    pub text: String,
}

impl CaseSmsQueued {
    /// The message as the rules allow it, or why not (said in Chinese).
    pub fn checked(&self) -> Result<yichuang_core::Notice, String> {
        let notice = yichuang_core::Notice::parse(&self.notice).map_err(|e| e.to_string())?;
        // Said without the number: a refusal's reason is shown at HQ.
        let phone = yichuang_core::Phone::parse(&self.phone).map_err(|_| "短信号码不是有效的手机号码".to_owned())?;
        if !phone.is_mobile() || phone.as_str() != self.phone {
            return Err("短信号码不是有效的手机号码".into());
        }
        if yichuang_core::sms::carries_an_id(&self.text) || self.params.iter().any(|p| yichuang_core::sms::carries_an_id(p)) {
            return Err(yichuang_core::SmsError::CarriesAnId.to_string());
        }
        if self.occasion.is_empty() || self.occasion.len() > 10 || self.params.len() > 6 || self.text.chars().count() > 300 {
            return Err("短信记录的格式不对".into());
        }
        Ok(notice)
    }
}

/// What became of a queued message, as HQ reported it in its signed relay answer: `queued`
/// is the id of the `case.sms_queued` event; `status` is `sent` (the gateway took it),
/// `delivered`, `failed` or `refused` (HQ would not send it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseSmsReported {
    pub queued: String,
    pub status: String,
    pub at: String,
    #[serde(default)]
    pub detail: Option<String>,
}

impl CaseSmsReported {
    pub const STATUSES: [&'static str; 4] = ["sent", "delivered", "failed", "refused"];
    pub fn label(&self) -> &'static str {
        match self.status.as_str() {
            "sent" => "已发出",
            "delivered" => "已送达",
            "failed" => "发送失败",
            "refused" => "县级未发送",
            _ => "状态未知",
        }
    }
}

impl CaseServiceRated {
    /// The rating as the rules allow it, or why not (said in Chinese): a known service and
    /// level, `bad` as the level says, reasons from the screen's list and a rectification only
    /// for a bad one. What every reader of another window's rating checks first.
    pub fn checked(&self) -> Result<(yichuang_core::Service, yichuang_core::Rating, yichuang_core::BadReasons), String> {
        let service = yichuang_core::Service::parse(&self.service).map_err(|e| e.to_string())?;
        let rating = yichuang_core::Rating::parse(&self.rating).map_err(|e| e.to_string())?;
        let reasons = yichuang_core::BadReasons::parse(&self.reasons).map_err(|e| e.to_string())?;
        if self.bad != rating.is_bad() {
            return Err("评价记录的“差评”标记与评价等级不符".into());
        }
        if !rating.is_bad() && (!reasons.is_empty() || self.rectification_due.is_some()) {
            return Err("满意的评价不能带差评原因或整改期限".into());
        }
        Ok((service, rating, reasons))
    }

    /// The rating of the case's result (the collection, or an immediate case): one per case,
    /// whichever way it was given (here or at a return visit).
    pub fn rates_the_result(&self) -> bool {
        matches!(self.service.as_str(), "collected" | "immediate")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentIssued {
    pub kind: String,
    pub number: String,
    #[serde(default)]
    pub case: Option<String>,
    #[serde(default)]
    pub inquiry: Option<String>,
    /// The frozen body of the document (the store's `DocumentBody`), as printed.
    pub body: Value,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentVoided {
    pub reason: String,
    #[serde(default)]
    pub case: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentReprinted {
    pub reprint: i64,
    #[serde(default)]
    pub case: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InquiryRegistered {
    pub channel: String,
    /// Absent for a sensitive item (个人信息保护法 第28条): the person stays in the centre.
    #[serde(default)]
    pub person: Option<String>,
    #[serde(default)]
    pub unit: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub sensitive: bool,
    #[serde(default)]
    pub matter: Option<String>,
    #[serde(default)]
    pub item: Option<String>,
    pub disposition: String,
    #[serde(default)]
    pub handed_to: Option<String>,
    #[serde(default)]
    pub scope: Option<String>,
    #[serde(default)]
    pub reply_due: Option<NaiveDate>,
    pub status: String,
    #[serde(default)]
    pub result: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InquiryReplied {
    pub result: String,
    pub status: String,
    pub on_time: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComplaintRegistered {
    pub channel: String,
    pub confidential: bool,
    #[serde(default)]
    pub about_staff: Option<String>,
    #[serde(default)]
    pub case: Option<String>,
    pub kind: String,
    pub due: NaiveDate,
    pub received_on: NaiveDate,
    /// Who complained, how to reach them, and what about: for the centre's other windows (the
    /// head's list covers the whole centre; the confidentiality rule is applied where it is
    /// shown). Absent from complaints written before payload 1.1. Never for the county.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub complainant: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub matter: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explanation: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComplaintAnswered {
    pub result: String,
    pub via: String,
    pub on: NaiveDate,
    pub on_time: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RectificationCallback {
    pub on: NaiveDate,
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RectificationDone {
    pub on: NaiveDate,
    #[serde(default)]
    pub outcome: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostSet {
    pub name: String,
    pub a: String,
    #[serde(default)]
    pub b: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffAbsent {
    pub from: NaiveDate,
    pub to: NaiveDate,
    #[serde(default)]
    pub reason: String,
}

/// A wrong PIN at sign-in or at a head's approval; from the fifth in a row the account is
/// locked until `locked_until` (RFC 3339), doubling each time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignInFailed {
    pub attempts: u32,
    #[serde(default)]
    pub locked_until: Option<String>,
}

/// A PIN set: `changed` by its owner, `reset` by the head (`by`), or `rehashed` (an old hash
/// replaced by Argon2id at a correct sign-in). The hash itself never enters an event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PinSet {
    pub reason: String,
    pub by: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffAdded {
    pub id: String,
    pub name: String,
    pub role: String,
}

/// The station head changed a staff member's role or took them off (or back on) duty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffChanged {
    pub id: String,
    pub role: String,
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CentreInitialised {
    pub code: String,
    pub name: String,
    pub terminal: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegionalDay {
    pub date: NaiveDate,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarRegional {
    pub region: String,
    pub days: Vec<RegionalDay>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarImported {
    pub year: i32,
    pub version: u32,
    #[serde(default)]
    pub source: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogueImported {
    pub version: String,
    pub sha256: String,
    pub items: usize,
    pub published_at: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TerminalKey {
    pub key_id: String,
    pub public_key: String,
}

/// A station head trusted another window of the centre at a LAN address, having checked the
/// fingerprint of the key it proved it holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeerTrusted {
    pub url: String,
    pub terminal: String,
    pub public_key: String,
}

/// The station head's answer to a supervision notice (督办) the county sent down about a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupervisionAnswered {
    /// HQ's id of the notice.
    pub id: String,
    pub case: String,
    pub answer: String,
}

/// The station head confirmed that the PC's clock was corrected backwards: this terminal's
/// events after it may be dated before `previous`, the time of the event before it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClockConfirmed {
    pub previous: String,
    pub head: String,
}

/// The station head wrote this PC's key to a file (to open the centre's backups on another PC).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyExported {
    pub key_id: String,
    pub head: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreRestored {
    pub backup: String,
    pub backup_head: i64,
    #[serde(default)]
    pub kept_as: Option<String>,
    /// The terminal number before the restore and the new one it numbers with (since the
    /// restore took a new epoch; absent in older logs).
    #[serde(default)]
    pub terminal_before: Option<String>,
    #[serde(default)]
    pub terminal: Option<String>,
    /// The centre of the database it replaced, when the backup was another centre's and the
    /// restore was confirmed anyway.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replaced_centre: Option<String>,
}

/// The parts of an event a timeline shows ([`Event::summary`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary<'a> {
    pub decision: Option<&'a str>,
    pub status: Option<&'a str>,
    pub reason: Option<&'a str>,
    pub to: Option<&'a str>,
    pub by: Option<&'a str>,
    pub due: Option<NaiveDate>,
}

/// Every kind of event the store writes. The variant's kind string is [`Event::kind`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    CentreInitialised(CentreInitialised),
    /// The centre's settings as the store keeps them (the store owns their fields).
    CentreSettings(Map<String, Value>),
    CalendarImported(CalendarImported),
    CalendarRegional(CalendarRegional),
    CatalogueImported(CatalogueImported),
    StaffAdded(StaffAdded),
    StaffAbsent(StaffAbsent),
    SignInFailed(SignInFailed),
    PinSet(PinSet),
    PostSet(PostSet),
    TerminalKey(TerminalKey),
    TerminalKnownKey(TerminalKey),
    PeerTrusted(PeerTrusted),
    SupervisionAnswered(SupervisionAnswered),
    ClockConfirmed(ClockConfirmed),
    KeyExported(KeyExported),
    StaffChanged(StaffChanged),
    StoreRestored(StoreRestored),
    CaseIntake(Box<CaseIntake>),
    CaseSupplemented(CaseSupplemented),
    CaseExtended(CaseExtended),
    CasePaused(CasePaused),
    CaseResumed(Step),
    CaseForwarded(CaseForwarded),
    CaseDecided(CaseDecided),
    CaseReady(Step),
    CaseCollected(CaseCollected),
    CaseWithdrawn(WithReason),
    CaseArchived(Step),
    CaseRefused(WithReason),
    CaseRated(CaseRated),
    CaseServiceRated(CaseServiceRated),
    CaseTerminated(CaseTerminated),
    CaseSmsConsent(CaseSmsConsent),
    CaseSmsQueued(CaseSmsQueued),
    CaseSmsReported(CaseSmsReported),
    DocumentIssued(DocumentIssued),
    DocumentVoided(DocumentVoided),
    DocumentReprinted(DocumentReprinted),
    InquiryRegistered(InquiryRegistered),
    InquiryReplied(InquiryReplied),
    ComplaintRegistered(ComplaintRegistered),
    ComplaintNoted(Note),
    ComplaintAnswered(ComplaintAnswered),
    ComplaintClosed,
    RectificationCallback(RectificationCallback),
    RectificationDone(RectificationDone),
}

/// Every kind string, in the order of the enum (a test checks each parses and round-trips).
/// Free text as the county sees it: any run of six or more digits (or an ID's check X) is
/// starred out, so a number typed into a reason does not leave the centre.
pub fn mask_long_numbers(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let is_num = |c: char| c.is_ascii_digit() || c == 'X' || c == 'x';
        if chars[i].is_ascii_digit() {
            let mut j = i;
            while j < chars.len() && is_num(chars[j]) {
                j += 1;
            }
            if j - i >= 6 {
                out.extend(std::iter::repeat_n('*', j - i));
            } else {
                out.extend(&chars[i..j]);
            }
            i = j;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

/// An ID number as the county sees it: region and check tail, the birth date hidden
/// (`450821********3025`); an organisation's credit code is public and stays whole.
fn mask_key(kind: &str, key: &str) -> String {
    if kind != "person" || key.len() != 18 || !key.is_ascii() {
        return if kind == "person" { "*".repeat(key.chars().count()) } else { key.to_owned() };
    }
    format!("{}********{}", &key[..6], &key[14..])
}

pub const KINDS: &[&str] = &[
    "centre.initialised",
    "centre.settings",
    "calendar.imported",
    "calendar.regional",
    "catalogue.imported",
    "staff.added",
    "staff.absent",
    "staff.sign_in_failed",
    "staff.pin_set",
    "post.set",
    "terminal.key",
    "terminal.known_key",
    "peer.trusted",
    "supervision.answered",
    "clock.confirmed",
    "key.exported",
    "staff.changed",
    "store.restored",
    "case.intake",
    "case.supplemented",
    "case.extended",
    "case.paused",
    "case.resumed",
    "case.forwarded",
    "case.decided",
    "case.ready",
    "case.collected",
    "case.withdrawn",
    "case.archived",
    "case.refused",
    "case.rated",
    "case.service_rated",
    "case.terminated",
    "case.sms_consent",
    "case.sms_queued",
    "case.sms_reported",
    "document.issued",
    "document.voided",
    "document.reprinted",
    "inquiry.registered",
    "inquiry.replied",
    "complaint.registered",
    "complaint.noted",
    "complaint.answered",
    "complaint.closed",
    "rectification.callback",
    "rectification.done",
];

fn de<T: for<'de> Deserialize<'de>>(kind: &str, payload: &str) -> Result<T, EventError> {
    serde_json::from_str(payload).map_err(|e| EventError::Payload { kind: kind.to_owned(), detail: e.to_string() })
}

fn ser<T: Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

impl Event {
    /// Reads a stored row's `kind` and `payload` (the JSON text exactly as stored).
    pub fn parse(kind: &str, payload: &str) -> Result<Self, EventError> {
        Ok(match kind {
            "centre.initialised" => Self::CentreInitialised(de(kind, payload)?),
            "centre.settings" => Self::CentreSettings(de(kind, payload)?),
            "calendar.imported" => Self::CalendarImported(de(kind, payload)?),
            "calendar.regional" => Self::CalendarRegional(de(kind, payload)?),
            "catalogue.imported" => Self::CatalogueImported(de(kind, payload)?),
            "staff.added" => Self::StaffAdded(de(kind, payload)?),
            "staff.absent" => Self::StaffAbsent(de(kind, payload)?),
            "staff.sign_in_failed" => Self::SignInFailed(de(kind, payload)?),
            "staff.pin_set" => Self::PinSet(de(kind, payload)?),
            "post.set" => Self::PostSet(de(kind, payload)?),
            "terminal.key" => Self::TerminalKey(de(kind, payload)?),
            "terminal.known_key" => Self::TerminalKnownKey(de(kind, payload)?),
            "peer.trusted" => Self::PeerTrusted(de(kind, payload)?),
            "supervision.answered" => Self::SupervisionAnswered(de(kind, payload)?),
            "clock.confirmed" => Self::ClockConfirmed(de(kind, payload)?),
            "key.exported" => Self::KeyExported(de(kind, payload)?),
            "staff.changed" => Self::StaffChanged(de(kind, payload)?),
            "store.restored" => Self::StoreRestored(de(kind, payload)?),
            "case.intake" => Self::CaseIntake(Box::new(de(kind, payload)?)),
            "case.supplemented" => Self::CaseSupplemented(de(kind, payload)?),
            "case.extended" => Self::CaseExtended(de(kind, payload)?),
            "case.paused" => Self::CasePaused(de(kind, payload)?),
            "case.resumed" => Self::CaseResumed(de(kind, payload)?),
            "case.forwarded" => Self::CaseForwarded(de(kind, payload)?),
            "case.decided" => Self::CaseDecided(de(kind, payload)?),
            "case.ready" => Self::CaseReady(de(kind, payload)?),
            "case.collected" => Self::CaseCollected(de(kind, payload)?),
            "case.withdrawn" => Self::CaseWithdrawn(de(kind, payload)?),
            "case.archived" => Self::CaseArchived(de(kind, payload)?),
            "case.refused" => Self::CaseRefused(de(kind, payload)?),
            "case.rated" => Self::CaseRated(de(kind, payload)?),
            "case.service_rated" => Self::CaseServiceRated(de(kind, payload)?),
            "case.terminated" => Self::CaseTerminated(de(kind, payload)?),
            "case.sms_consent" => Self::CaseSmsConsent(de(kind, payload)?),
            "case.sms_queued" => Self::CaseSmsQueued(de(kind, payload)?),
            "case.sms_reported" => Self::CaseSmsReported(de(kind, payload)?),
            "document.issued" => Self::DocumentIssued(de(kind, payload)?),
            "document.voided" => Self::DocumentVoided(de(kind, payload)?),
            "document.reprinted" => Self::DocumentReprinted(de(kind, payload)?),
            "inquiry.registered" => Self::InquiryRegistered(de(kind, payload)?),
            "inquiry.replied" => Self::InquiryReplied(de(kind, payload)?),
            "complaint.registered" => Self::ComplaintRegistered(de(kind, payload)?),
            "complaint.noted" => Self::ComplaintNoted(de(kind, payload)?),
            "complaint.answered" => Self::ComplaintAnswered(de(kind, payload)?),
            "complaint.closed" => {
                let _: Map<String, Value> = de(kind, payload)?;
                Self::ComplaintClosed
            }
            "rectification.callback" => Self::RectificationCallback(de(kind, payload)?),
            "rectification.done" => Self::RectificationDone(de(kind, payload)?),
            other => return Err(EventError::UnknownKind(other.to_owned())),
        })
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Self::CentreInitialised(_) => "centre.initialised",
            Self::CentreSettings(_) => "centre.settings",
            Self::CalendarImported(_) => "calendar.imported",
            Self::CalendarRegional(_) => "calendar.regional",
            Self::CatalogueImported(_) => "catalogue.imported",
            Self::StaffAdded(_) => "staff.added",
            Self::StaffAbsent(_) => "staff.absent",
            Self::SignInFailed(_) => "staff.sign_in_failed",
            Self::PinSet(_) => "staff.pin_set",
            Self::PostSet(_) => "post.set",
            Self::TerminalKey(_) => "terminal.key",
            Self::TerminalKnownKey(_) => "terminal.known_key",
            Self::PeerTrusted(_) => "peer.trusted",
            Self::SupervisionAnswered(_) => "supervision.answered",
            Self::ClockConfirmed(_) => "clock.confirmed",
            Self::KeyExported(_) => "key.exported",
            Self::StaffChanged(_) => "staff.changed",
            Self::StoreRestored(_) => "store.restored",
            Self::CaseIntake(_) => "case.intake",
            Self::CaseSupplemented(_) => "case.supplemented",
            Self::CaseExtended(_) => "case.extended",
            Self::CasePaused(_) => "case.paused",
            Self::CaseResumed(_) => "case.resumed",
            Self::CaseForwarded(_) => "case.forwarded",
            Self::CaseDecided(_) => "case.decided",
            Self::CaseReady(_) => "case.ready",
            Self::CaseCollected(_) => "case.collected",
            Self::CaseWithdrawn(_) => "case.withdrawn",
            Self::CaseArchived(_) => "case.archived",
            Self::CaseRefused(_) => "case.refused",
            Self::CaseRated(_) => "case.rated",
            Self::CaseServiceRated(_) => "case.service_rated",
            Self::CaseTerminated(_) => "case.terminated",
            Self::CaseSmsConsent(_) => "case.sms_consent",
            Self::CaseSmsQueued(_) => "case.sms_queued",
            Self::CaseSmsReported(_) => "case.sms_reported",
            Self::DocumentIssued(_) => "document.issued",
            Self::DocumentVoided(_) => "document.voided",
            Self::DocumentReprinted(_) => "document.reprinted",
            Self::InquiryRegistered(_) => "inquiry.registered",
            Self::InquiryReplied(_) => "inquiry.replied",
            Self::ComplaintRegistered(_) => "complaint.registered",
            Self::ComplaintNoted(_) => "complaint.noted",
            Self::ComplaintAnswered(_) => "complaint.answered",
            Self::ComplaintClosed => "complaint.closed",
            Self::RectificationCallback(_) => "rectification.callback",
            Self::RectificationDone(_) => "rectification.done",
        }
    }

    /// The payload as it is stored and travels (a JSON object).
    pub fn payload(&self) -> Value {
        match self {
            Self::CentreInitialised(p) => ser(p),
            Self::CentreSettings(p) => Value::Object(p.clone()),
            Self::CalendarImported(p) => ser(p),
            Self::CalendarRegional(p) => ser(p),
            Self::CatalogueImported(p) => ser(p),
            Self::StaffAdded(p) => ser(p),
            Self::StaffAbsent(p) => ser(p),
            Self::SignInFailed(p) => ser(p),
            Self::PinSet(p) => ser(p),
            Self::PostSet(p) => ser(p),
            Self::TerminalKey(p) | Self::TerminalKnownKey(p) => ser(p),
            Self::PeerTrusted(p) => ser(p),
            Self::SupervisionAnswered(p) => ser(p),
            Self::ClockConfirmed(p) => ser(p),
            Self::KeyExported(p) => ser(p),
            Self::StaffChanged(p) => ser(p),
            Self::StoreRestored(p) => ser(p),
            Self::CaseIntake(p) => ser(p),
            Self::CaseSupplemented(p) => ser(p),
            Self::CaseExtended(p) => ser(p),
            Self::CasePaused(p) => ser(p),
            Self::CaseResumed(p) | Self::CaseReady(p) | Self::CaseArchived(p) => ser(p),
            Self::CaseForwarded(p) => ser(p),
            Self::CaseDecided(p) => ser(p),
            Self::CaseCollected(p) => ser(p),
            Self::CaseWithdrawn(p) | Self::CaseRefused(p) => ser(p),
            Self::CaseRated(p) => ser(p),
            Self::CaseServiceRated(p) => ser(p),
            Self::CaseTerminated(p) => ser(p),
            Self::CaseSmsConsent(p) => ser(p),
            Self::CaseSmsQueued(p) => ser(p),
            Self::CaseSmsReported(p) => ser(p),
            Self::DocumentIssued(p) => ser(p),
            Self::DocumentVoided(p) => ser(p),
            Self::DocumentReprinted(p) => ser(p),
            Self::InquiryRegistered(p) => ser(p),
            Self::InquiryReplied(p) => ser(p),
            Self::ComplaintRegistered(p) => ser(p),
            Self::ComplaintNoted(p) => ser(p),
            Self::ComplaintAnswered(p) => ser(p),
            Self::ComplaintClosed => Value::Object(Map::new()),
            Self::RectificationCallback(p) => ser(p),
            Self::RectificationDone(p) => ser(p),
        }
    }

    /// The state a case event left its case in: (status, paused, due), for the events that
    /// change it. Readers that follow a case's state read this and nothing else.
    pub fn case_state(&self) -> Option<(&str, bool, Option<&Due>)> {
        match self {
            Self::CaseIntake(p) => Some((p.status.as_str(), false, p.due.as_ref())),
            Self::CaseSupplemented(p) => Some((p.status.as_str(), p.paused, p.due.as_ref())),
            Self::CaseExtended(CaseExtended { step, .. })
            | Self::CasePaused(CasePaused { step, .. })
            | Self::CaseForwarded(CaseForwarded { step, .. })
            | Self::CaseDecided(CaseDecided { step, .. })
            | Self::CaseCollected(CaseCollected { step, .. })
            | Self::CaseWithdrawn(WithReason { step, .. })
            | Self::CaseRefused(WithReason { step, .. })
            | Self::CaseTerminated(CaseTerminated { step, .. })
            | Self::CaseResumed(step)
            | Self::CaseReady(step)
            | Self::CaseArchived(step) => Some((step.status.as_str(), step.paused, step.due.as_ref())),
            _ => None,
        }
    }

    /// The one rule of what of an event the county sees (个人信息保护法 第6条: only what the
    /// purpose needs). HQ supervises cases, deadlines, complaints and figures: it needs the
    /// item, the dates, the decisions and whom a case is about, by name and a masked ID
    /// number (to tell two people of one name apart); it does not need anyone's phone, an
    /// agent's ID number or phone, the name of who collected, or who asked at the desk.
    /// Everything HQ shows, counts or lets its staff read goes through this; the events
    /// themselves it keeps only as the centre's escrow, for the centre's own windows (the
    /// relay) and its integrity checks. Inside the centre nothing is taken out.
    pub fn for_county(&self) -> Self {
        let mut e = self.clone();
        match &mut e {
            Self::CaseIntake(p) => {
                p.applicant.key = mask_key(&p.applicant.kind, &p.applicant.key);
                p.applicant.phone = None;
                // A reason typed by the clerk may hold someone's ID or phone number.
                if let Some(d) = &mut p.duplicate {
                    d.reason = mask_long_numbers(&d.reason);
                }
                if let Some(a) = &mut p.agent {
                    a.id_number = None;
                    a.phone = None;
                }
            }
            Self::CaseCollected(p) => {
                p.by.clear();
                p.id_number = None;
            }
            // The number a message goes to is HQ's to send to (the purpose the applicant
            // agreed to), kept only in its outbox: nothing HQ shows carries it.
            Self::CaseSmsConsent(p) => p.phone = None,
            Self::CaseSmsQueued(p) => p.phone.clear(),
            Self::InquiryRegistered(p) => {
                p.person = None;
                p.phone = None;
            }
            Self::ComplaintRegistered(p) => {
                p.complainant = None;
                p.contact = None;
                if p.confidential {
                    p.matter = None;
                }
            }
            _ => {}
        }
        e
    }

    /// What a timeline shows of an event beside its kind.
    pub fn summary(&self) -> Summary<'_> {
        let mut out = Summary { due: self.case_state().and_then(|(_, _, d)| d).map(|d| d.date), ..Summary::default() };
        out.status = self.case_state().map(|(s, _, _)| s);
        match self {
            Self::CaseIntake(p) => {
                out.decision = Some(&p.decision);
                out.reason = p.duplicate.as_ref().map(|d| d.reason.as_str());
            }
            Self::CaseSupplemented(p) => out.decision = Some(&p.decision),
            Self::CaseExtended(p) => out.reason = Some(&p.reason),
            Self::CasePaused(p) => out.reason = Some(&p.reason),
            Self::CaseForwarded(p) => {
                out.to = Some(&p.to);
                out.reason = Some(&p.reason);
            }
            Self::CaseDecided(p) => out.reason = Some(&p.reason),
            Self::CaseCollected(p) => out.by = Some(&p.by),
            Self::CaseWithdrawn(p) | Self::CaseRefused(p) => out.reason = Some(&p.reason),
            Self::CaseTerminated(p) => out.reason = Some(&p.reason),
            Self::DocumentVoided(p) => out.reason = Some(&p.reason),
            _ => {}
        }
        out.reason = out.reason.filter(|r| !r.is_empty());
        out.by = out.by.filter(|b| !b.is_empty());
        out
    }

    /// The service at the counter this event recorded, which the applicant may rate on the
    /// rating screen (一次一评): an intake of any decision, a supplement, a collection.
    pub fn service(&self) -> Option<yichuang_core::Service> {
        use yichuang_core::Service;
        match self {
            Self::CaseIntake(p) => Service::of_intake(&p.decision).ok(),
            Self::CaseSupplemented(_) => Some(Service::Supplemented),
            Self::CaseCollected(_) => Some(Service::Collected),
            _ => None,
        }
    }

    /// The case this event is about, when it is about one: its subject for `case.*`, the
    /// case named in its payload for documents and complaints.
    pub fn case_named<'a>(&'a self, subject: &'a str) -> Option<&'a str> {
        match self {
            Self::CaseIntake(_)
            | Self::CaseSupplemented(_)
            | Self::CaseExtended(_)
            | Self::CasePaused(_)
            | Self::CaseResumed(_)
            | Self::CaseForwarded(_)
            | Self::CaseDecided(_)
            | Self::CaseReady(_)
            | Self::CaseCollected(_)
            | Self::CaseWithdrawn(_)
            | Self::CaseArchived(_)
            | Self::CaseRefused(_)
            | Self::CaseRated(_)
            | Self::CaseServiceRated(_)
            | Self::CaseTerminated(_)
            | Self::CaseSmsConsent(_)
            | Self::CaseSmsQueued(_)
            | Self::CaseSmsReported(_)
            | Self::RectificationCallback(_)
            | Self::RectificationDone(_) => Some(subject),
            Self::DocumentIssued(d) => d.case.as_deref(),
            Self::DocumentVoided(d) => d.case.as_deref(),
            Self::DocumentReprinted(d) => d.case.as_deref(),
            Self::ComplaintRegistered(c) => c.case.as_deref(),
            Self::SupervisionAnswered(a) => Some(&a.case),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests;
