//! What a clerk filled in, parsed into the store's requests. One rule for a JSON file given to
//! `yichuang case intake` and for the window's 受理 form: the edges only copy their fields into
//! these shapes. The clerk is always the signed-in staff member (the window's session, the
//! CLI's `--actor`/`clerk`), passed in, never a field of the form.
//!
//! What the store judges with the state it reads (the item's rules, bounds of free text, the
//! returning applicant's name, an open duplicate) is left to the store; what needs no state
//! (an ID number's check digit, a phone, which kind of applicant) is parsed here.

use chrono::NaiveDate;
use yichuang_core::{CaseStatus, Defect, IdNumber, MaterialCode, PersonName, Phone, Presented, Uscc};
use yichuang_store::{ApplicantInput, Channel, ComplaintInput, Disposition, InquiryInput, IntakeRequest, Party, SupplementRequest};

use crate::{filled, AppError, AppResult, Choice, FieldError, Required, Who};

/// The applicant: a person (ID number) or an organisation (统一社会信用代码), exactly one.
#[derive(Debug, Clone, Default)]
pub struct ApplicantForm {
    pub name: String,
    pub id_number: String,
    pub uscc: String,
    pub phone: String,
}

/// An agent (代办人); all empty when the applicant came in person.
#[derive(Debug, Clone, Default)]
pub struct AgentForm {
    pub name: String,
    pub id_number: String,
    pub phone: String,
}

/// One material on the counter, and what is wrong with it if anything.
#[derive(Debug, Clone)]
pub struct MaterialLine {
    pub code: String,
    pub pages: u32,
    pub copies: u32,
    /// Empty: nothing is wrong with it.
    pub defect: String,
}

/// A material found faulty without being listed as brought (the command line's `defects`).
#[derive(Debug, Clone)]
pub struct DefectLine {
    pub material: String,
    pub reason: String,
}

/// An application as typed.
#[derive(Debug, Clone, Default)]
pub struct IntakeForm {
    pub item: String,
    pub applicant: ApplicantForm,
    pub agent: AgentForm,
    pub materials: Vec<MaterialLine>,
    pub defects: Vec<DefectLine>,
    /// Codes of conditional materials whose condition holds (e.g. an agent acts).
    pub conditions: Vec<String>,
    /// A refusal and its reason (empty: none).
    pub refusal: String,
    /// When the materials arrived earlier than today (post, online).
    pub received_on: Option<NaiveDate>,
    /// The clerk confirmed that the ID number now goes with this name (改名).
    pub confirm_rename: bool,
    /// Why a second open case of the same item is taken (empty: none).
    pub duplicate_reason: String,
    /// The applicant signed the 容缺 commitment (承诺书).
    pub commitment: bool,
    /// The applicant agreed to be told by SMS (个人信息保护法 第13–14条).
    pub sms_consent: bool,
}

/// A phone as typed for `who`: empty is none.
pub fn phone(text: &str, who: Who) -> AppResult<Option<Phone>> {
    filled(text).map(|p| Phone::parse(p).map_err(|e| AppError::field(who)(e.into()))).transpose()
}

/// A person's name and ID number as typed for `who` (an agent, a collector).
pub fn person(name: &str, id_number: &str, who: Who) -> AppResult<(PersonName, IdNumber)> {
    let f = AppError::field(who);
    Ok((PersonName::parse(name).map_err(|e| f(e.into()))?, IdNumber::parse(id_number).map_err(|e| f(e.into()))?))
}

fn party(a: &ApplicantForm) -> AppResult<Party> {
    match (filled(&a.id_number), filled(&a.uscc)) {
        (Some(id), None) => {
            let f = AppError::field(Who::Applicant);
            Ok(Party::Person {
                id_number: IdNumber::parse(id).map_err(|e| f(e.into()))?,
                name: PersonName::parse(&a.name).map_err(|e| f(e.into()))?,
            })
        }
        (None, Some(code)) => Ok(Party::Organisation {
            uscc: Uscc::parse(code).map_err(|e| AppError::field(Who::Organisation)(FieldError::Uscc(e)))?,
            name: a.name.trim().to_owned(),
        }),
        (None, None) if a.name.trim().is_empty() => Err(AppError::Missing(Required::Applicant)),
        _ => Err(AppError::PartyKind),
    }
}

type Materials = (Vec<Presented>, Vec<Defect>, Vec<MaterialCode>);

fn materials(lines: &[MaterialLine], defects: &[DefectLine], conditions: &[String]) -> AppResult<Materials> {
    let mut presented = Vec::with_capacity(lines.len());
    let mut faults = Vec::new();
    for m in lines {
        let code = MaterialCode::parse(&m.code)?;
        if let Some(reason) = filled(&m.defect) {
            faults.push(Defect { material: code.clone(), reason: reason.to_owned() });
        }
        presented.push(Presented { material: code, pages: m.pages, copies: m.copies });
    }
    for d in defects {
        faults.push(Defect { material: MaterialCode::parse(&d.material)?, reason: d.reason.clone() });
    }
    let conditions = conditions.iter().map(|c| MaterialCode::parse(c)).collect::<Result<_, _>>()?;
    Ok((presented, faults, conditions))
}

impl IntakeForm {
    /// The store's intake request, taken by `clerk`.
    pub fn into_request(self, clerk: &str) -> AppResult<IntakeRequest> {
        let item = filled(&self.item).ok_or(AppError::Missing(Required::Item))?.to_owned();
        let party = party(&self.applicant)?;
        let applicant = ApplicantInput { party, phone: phone(&self.applicant.phone, Who::Applicant)? };
        let agent = if filled(&self.agent.name).is_none() && filled(&self.agent.id_number).is_none() {
            None
        } else {
            let (name, id) = person(&self.agent.name, &self.agent.id_number, Who::Agent)?;
            Some((name, id, phone(&self.agent.phone, Who::Agent)?))
        };
        let (presented, defects, conditions) = materials(&self.materials, &self.defects, &self.conditions)?;
        Ok(IntakeRequest {
            item,
            applicant,
            agent,
            presented,
            defects,
            conditions,
            refusal: filled(&self.refusal).map(str::to_owned),
            clerk: clerk.trim().to_owned(),
            received_on: self.received_on,
            confirm_rename: self.confirm_rename,
            duplicate_reason: filled(&self.duplicate_reason).map(str::to_owned),
            commitment: self.commitment,
            sms_consent: self.sms_consent,
        })
    }

    /// The store's supplement request: only the materials brought now count.
    pub fn into_supplement(self, clerk: &str) -> AppResult<SupplementRequest> {
        supplement(&self.materials, &self.defects, &self.conditions, &self.refusal, clerk)
    }
}

/// The materials brought for a supplement (补正), taken by `clerk`.
pub fn supplement(lines: &[MaterialLine], defects: &[DefectLine], conditions: &[String], refusal: &str, clerk: &str) -> AppResult<SupplementRequest> {
    let (presented, defects, conditions) = materials(lines, defects, conditions)?;
    Ok(SupplementRequest { presented, defects, conditions, refusal: filled(refusal).map(str::to_owned), clerk: clerk.trim().to_owned() })
}

/// A first inquiry (首问登记) as typed.
#[derive(Debug, Clone, Default)]
pub struct InquiryForm {
    pub channel: String,
    pub person: String,
    pub unit: String,
    pub phone: String,
    pub matter: String,
    pub item: String,
    pub disposition: String,
    pub handed_to: String,
    pub result: String,
    /// Empty: ordinary.
    pub scope: String,
}

fn choice<T>(given: &str, choice: Choice, parse: impl FnOnce(&str) -> Option<T>) -> AppResult<T> {
    parse(given.trim()).ok_or_else(|| AppError::Choice { choice, given: given.trim().to_owned() })
}

fn some(s: &str) -> Option<String> {
    filled(s).map(str::to_owned)
}

impl InquiryForm {
    /// The inquiry, answered by `responder` (the signed-in staff member).
    pub fn into_input(self, responder: &str) -> AppResult<InquiryInput> {
        let scope = filled(&self.scope).unwrap_or("ordinary");
        Ok(InquiryInput {
            channel: choice(&self.channel, Choice::Channel, Channel::parse)?,
            person_name: self.person,
            unit: some(&self.unit),
            phone: phone(&self.phone, Who::Inquirer)?,
            matter: self.matter,
            item_code: some(&self.item),
            disposition: choice(&self.disposition, Choice::Disposition, Disposition::parse)?,
            handed_to: some(&self.handed_to),
            result: some(&self.result),
            responder: responder.trim().to_owned(),
            scope: choice(scope, Choice::Scope, yichuang_core::InquiryScope::parse)?,
        })
    }
}

/// A complaint (投诉) as typed.
#[derive(Debug, Clone, Default)]
pub struct ComplaintForm {
    pub channel: String,
    pub complainant: String,
    pub contact: String,
    pub confidential: bool,
    pub matter: String,
    pub about_staff: String,
    pub case_number: String,
    pub complex: bool,
    pub explanation: String,
}

impl ComplaintForm {
    /// The complaint, registered by `clerk`.
    pub fn into_input(self, clerk: &str) -> AppResult<ComplaintInput> {
        Ok(ComplaintInput {
            channel: choice(&self.channel, Choice::ComplaintChannel, Channel::parse)?,
            complainant: self.complainant,
            contact: phone(&self.contact, Who::Complainant)?,
            confidential: self.confidential,
            matter: self.matter,
            about_staff: some(&self.about_staff),
            case_number: some(&self.case_number),
            complex: self.complex.then_some(self.explanation),
            registered_by: clerk.trim().to_owned(),
        })
    }
}

/// A staff role as either edge names it (`clerk`/`head`).
pub fn role(text: &str) -> AppResult<yichuang_store::Role> {
    choice(text, Choice::Role, yichuang_store::Role::parse)
}

/// A case state as a list filter; empty: every state.
pub fn status(text: &str) -> AppResult<Option<CaseStatus>> {
    filled(text).map(|s| choice(s, Choice::Status, CaseStatus::parse)).transpose()
}

/// An ID number as it is typed at the counter: why it is wrong, or the number and, when the
/// centre has seen it before, the name and phone on file (the clerk is offered them).
#[derive(Debug)]
pub enum IdLookup {
    Invalid(yichuang_core::IdNumberError),
    Valid { id: IdNumber, on_file: Option<(String, Option<String>)> },
}

pub fn look_up_id(store: &yichuang_store::Store, typed: &str) -> AppResult<IdLookup> {
    Ok(match IdNumber::parse(typed) {
        Err(e) => IdLookup::Invalid(e),
        Ok(id) => {
            let on_file = store.find_applicant(id.as_str())?;
            IdLookup::Valid { id, on_file }
        }
    })
}

/// An applicant's key (ID number or credit code) as an offer shows it to the page: an ID number
/// by its own masking (`450821********3025`), a credit code by its first two and last four.
pub fn masked_key(key: &str) -> String {
    if let Ok(id) = IdNumber::parse(key) {
        return id.masked();
    }
    let c: Vec<char> = key.chars().collect();
    if c.len() > 6 {
        format!("{}{}{}", c[..2].iter().collect::<String>(), "*".repeat(c.len() - 6), c[c.len() - 4..].iter().collect::<String>())
    } else {
        "*".repeat(c.len())
    }
}

/// A phone number as an offer shows it: `138****5678`.
pub fn masked_phone(p: &str) -> String {
    let chars: Vec<char> = p.chars().collect();
    if chars.len() <= 7 {
        return "*".repeat(chars.len());
    }
    let (head, tail) = (&chars[..3], &chars[chars.len() - 4..]);
    format!("{}{}{}", head.iter().collect::<String>(), "*".repeat(chars.len() - 7), tail.iter().collect::<String>())
}

/// The kinds of value `yichuang validate KIND VALUE` checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    Id,
    Uscc,
    Phone,
    Name,
}

impl ValueKind {
    pub fn parse(text: &str) -> Self {
        match text.trim() {
            "id" => ValueKind::Id,
            "uscc" => ValueKind::Uscc,
            "phone" => ValueKind::Phone,
            _ => ValueKind::Name,
        }
    }
}

/// Whether `value` is a valid value of `kind`, by the same parser an intake uses.
pub fn check_value(kind: ValueKind, value: &str) -> Result<(), FieldError> {
    match kind {
        ValueKind::Id => IdNumber::parse(value).map(drop).map_err(FieldError::Id),
        ValueKind::Uscc => Uscc::parse(value).map(drop).map_err(FieldError::Uscc),
        ValueKind::Phone => Phone::parse(value).map(drop).map_err(FieldError::Phone),
        ValueKind::Name => PersonName::parse(value).map(drop).map_err(FieldError::Name),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> IntakeForm {
        IntakeForm {
            item: " GL-01 ".into(),
            applicant: ApplicantForm { name: "韦秀英".into(), id_number: "450821196804053025".into(), ..Default::default() },
            materials: vec![MaterialLine { code: "GL-01-M1".into(), pages: 1, copies: 1, defect: " ".into() }],
            ..Default::default()
        }
    }

    #[test]
    fn an_application_is_parsed_once_for_both_edges() {
        let req = form().into_request(" demo ").unwrap();
        assert_eq!((req.item.as_str(), req.clerk.as_str()), ("GL-01", "demo"));
        assert!(req.agent.is_none() && req.defects.is_empty() && req.refusal.is_none() && req.duplicate_reason.is_none());
        // A material's fault goes with it; a blank one is none.
        let mut f = form();
        f.materials[0].defect = "复印件不清晰".into();
        f.defects.push(DefectLine { material: "GL-01-M2".into(), reason: "缺少盖章".into() });
        let req = f.into_request("demo").unwrap();
        assert_eq!(req.defects.iter().map(|d| d.reason.as_str()).collect::<Vec<_>>(), ["复印件不清晰", "缺少盖章"]);
    }

    #[test]
    fn an_agent_is_parsed_with_the_applicant_and_a_bad_one_is_named() {
        let mut f = form();
        f.agent = AgentForm { name: "韦建华".into(), id_number: "11010519491231002X".into(), phone: "13907751234".into() };
        let (name, id, phone) = f.clone().into_request("demo").unwrap().agent.unwrap();
        assert_eq!((name.as_str(), id.as_str(), phone.unwrap().as_str()), ("韦建华", "11010519491231002X", "13907751234"));
        f.agent.id_number = "110105194912310021".into();
        let e = f.into_request("demo").unwrap_err();
        assert!(e.to_string().starts_with("代办人身份证号码校验位不符"), "{e}");
        assert_eq!(e.code(), "id.check_digit");
    }

    #[test]
    fn the_applicant_is_a_person_or_an_organisation_and_says_which_value_is_wrong() {
        let mut f = form();
        f.applicant.uscc = "91450821MA5K000001".into();
        assert_eq!(f.clone().into_request("demo").unwrap_err().code(), "intake.party");
        f.applicant.id_number.clear();
        f.applicant.uscc = "9145082100000000XX".into();
        assert!(f.clone().into_request("demo").unwrap_err().to_string().starts_with("申请单位统一社会信用代码"));
        let mut f = form();
        f.applicant.name = " ".into();
        assert!(f.into_request("demo").unwrap_err().to_string().starts_with("申请人姓名不能为空"));
        let mut f = form();
        f.applicant = ApplicantForm::default();
        assert_eq!(f.into_request("demo").unwrap_err().to_string(), "请填写申请人");
        let mut f = form();
        f.item = "  ".into();
        assert_eq!(f.into_request("demo").unwrap_err().code(), "input.missing");
        let mut f = form();
        f.applicant.phone = "1390775".into();
        assert!(f.into_request("demo").unwrap_err().to_string().starts_with("申请人手机号码应为11位数字"));
    }

    #[test]
    fn an_offer_shows_numbers_masked() {
        assert_eq!(masked_key("450821196804053025"), IdNumber::parse("450821196804053025").unwrap().masked());
        assert!(!masked_key("450821196804053025").contains("19680405"));
        assert_eq!(masked_key("91450821MA5K0000X1"), "91************00X1");
        assert_eq!(masked_key("12345"), "*****");
        assert_eq!(masked_phone("13807759876"), "138****9876");
        assert_eq!(masked_phone("1234567"), "*******");
    }

    #[test]
    fn a_choice_outside_its_list_is_refused_with_the_list() {
        let f = InquiryForm { channel: "fax".into(), person: "匿名".into(), matter: "问低保".into(), disposition: "answered".into(), ..Default::default() };
        let e = f.clone().into_input("demo").unwrap_err();
        assert!(e.to_string().starts_with("“fax”无效：来询方式应为"), "{e}");
        let ok = InquiryForm { channel: "phone".into(), ..f }.into_input("demo").unwrap();
        assert_eq!(ok.scope, yichuang_core::InquiryScope::parse("ordinary").unwrap());
        assert!(role("boss").is_err() && role("head").is_ok());
        assert_eq!(status("").unwrap(), None);
        assert!(status("lost").is_err());
    }
}
