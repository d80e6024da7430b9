//! Parsers for the personal identifiers a window takes in: resident ID numbers (GB 11643),
//! unified social credit codes (GB 32100), phone numbers and names.
//!
//! Each type has private fields and is built only through `parse` (or `FromStr`), so a value
//! that exists is valid. Input is forgiving where a clerk's keyboard is: surrounding spaces,
//! full-width digits and a lowercase `x` are accepted and normalised.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};

use crate::text::{first_bad, fold_width};

// ---------------------------------------------------------------------------------------------
// Resident ID number (居民身份证号码), GB 11643-1999
// ---------------------------------------------------------------------------------------------

/// An 18-character resident identity number with a valid region, birth date and check digit.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IdNumber(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IdNumberError {
    #[error("身份证号码不能为空")]
    Empty,
    #[error("身份证号码应为18位，现在是{0}位，请核对是否漏输或多输")]
    WrongLength(usize),
    #[error("身份证号码第{position}位“{found}”无效：前17位只能是数字，最后一位是数字或X")]
    InvalidCharacter { position: usize, found: char },
    #[error("身份证号码前6位“{0}”不是有效的行政区划代码")]
    InvalidRegion(String),
    #[error("身份证号码中的出生日期“{0}”不是有效日期")]
    InvalidBirthDate(String),
    #[error("身份证号码中的出生日期{0}晚于今天，请核对是否输错")]
    BornInFuture(NaiveDate),
    #[error("身份证号码中的出生日期{0}距今已超过{max}年，请核对是否输错", max = IdNumber::MAX_AGE)]
    ImplausibleAge(NaiveDate),
    #[error("身份证号码校验位不符：按前17位应为“{expected}”，实际是“{found}”，请核对是否输错")]
    CheckDigit { expected: char, found: char },
}

impl IdNumberError {
    /// A stable code for programs; the message is for people.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Empty => "id.empty",
            Self::WrongLength(_) => "id.length",
            Self::InvalidCharacter { .. } => "id.character",
            Self::InvalidRegion(_) => "id.region",
            Self::InvalidBirthDate(_) => "id.birth_date",
            Self::CheckDigit { .. } => "id.check_digit",
            Self::BornInFuture(_) => "id.born_in_future",
            Self::ImplausibleAge(_) => "id.implausible_age",
        }
    }
}

const ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/// The check character GB 11643 prescribes for 17 leading digits.
pub fn id_check_char(first17: &str) -> Option<char> {
    if first17.len() != 17 || !first17.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let sum: u32 = first17.bytes().zip(ID_WEIGHTS).map(|(b, w)| u32::from(b - b'0') * w).sum();
    Some(ID_CHECK[(sum % 11) as usize])
}

impl IdNumber {
    pub fn parse(input: &str) -> Result<Self, IdNumberError> {
        let s = fold_width(input).to_ascii_uppercase();
        if s.is_empty() {
            return Err(IdNumberError::Empty);
        }
        let len = s.chars().count();
        if let Some((position, found)) =
            first_bad(&s, |i, c| c.is_ascii_digit() || (i == 17 && c == 'X'))
        {
            // A wrong character is the more useful message even when the length is off too,
            // unless the string is simply too long to point at.
            if position <= 18 {
                return Err(IdNumberError::InvalidCharacter { position, found });
            }
        }
        if len != 18 {
            return Err(IdNumberError::WrongLength(len));
        }
        let region = &s[0..6];
        // Region codes start with 1–6 (provinces), 8 (Hong Kong, Macao, Taiwan residence
        // permits) or 9 (permanent residence of foreigners); the province part is 11..=99.
        let province: u32 = region[0..2].parse().unwrap_or(0);
        if !matches!(region.as_bytes()[0], b'1'..=b'6' | b'8' | b'9') || province < 11 {
            return Err(IdNumberError::InvalidRegion(region.to_owned()));
        }
        let birth = &s[6..14];
        let date = NaiveDate::parse_from_str(birth, "%Y%m%d")
            .ok()
            .filter(|d| d.year() >= 1850);
        if date.is_none() {
            return Err(IdNumberError::InvalidBirthDate(birth.to_owned()));
        }
        let expected = id_check_char(&s[0..17]).ok_or(IdNumberError::WrongLength(len))?;
        let found = s.as_bytes()[17] as char;
        if expected != found {
            return Err(IdNumberError::CheckDigit { expected, found });
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn birth_date(&self) -> NaiveDate {
        // Checked in `parse`.
        NaiveDate::parse_from_str(&self.0[6..14], "%Y%m%d").unwrap_or_default()
    }

    /// The oldest age taken as plausible: beyond it the number is a typing slip.
    pub const MAX_AGE: u32 = 130;

    /// The number as a person living on `today` can hold: born no later than `today` and no
    /// more than [`IdNumber::MAX_AGE`] years before it.
    pub fn living_on(self, today: NaiveDate) -> Result<Self, IdNumberError> {
        let born = self.birth_date();
        if born > today {
            return Err(IdNumberError::BornInFuture(born));
        }
        if self.age_on(today) > Self::MAX_AGE {
            return Err(IdNumberError::ImplausibleAge(born));
        }
        Ok(self)
    }

    /// The 17th digit is odd for men and even for women.
    pub fn is_male(&self) -> bool {
        (self.0.as_bytes()[16] - b'0') % 2 == 1
    }

    /// Age in whole years on `today` (passed in: this crate never reads the clock).
    pub fn age_on(&self, today: NaiveDate) -> u32 {
        today.years_since(self.birth_date()).unwrap_or(0)
    }

    /// The form shown on screens and printouts: region kept, birth date and sequence hidden,
    /// the last four kept so the applicant can recognise it: `110101********123X`.
    pub fn masked(&self) -> String {
        format!("{}********{}", &self.0[0..6], &self.0[14..18])
    }
}

impl fmt::Debug for IdNumber {
    // Never print a full ID number into a log by accident.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IdNumber({})", self.masked())
    }
}

impl fmt::Display for IdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for IdNumber {
    type Err = IdNumberError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

// ---------------------------------------------------------------------------------------------
// Unified social credit code (统一社会信用代码), GB 32100-2015
// ---------------------------------------------------------------------------------------------

/// An 18-character unified social credit code with a valid check character.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Uscc(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UsccError {
    #[error("统一社会信用代码不能为空")]
    Empty,
    #[error("统一社会信用代码应为18位，现在是{0}位")]
    WrongLength(usize),
    #[error("统一社会信用代码第{position}位“{found}”无效：只能是数字或除I、O、Z、S、V以外的大写字母")]
    InvalidCharacter { position: usize, found: char },
    #[error("统一社会信用代码第3至8位“{0}”应为6位数字的行政区划码")]
    InvalidRegion(String),
    #[error("统一社会信用代码校验位不符：应为“{expected}”，实际是“{found}”，请核对是否输错")]
    CheckCharacter { expected: char, found: char },
}

impl UsccError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Empty => "uscc.empty",
            Self::WrongLength(_) => "uscc.length",
            Self::InvalidCharacter { .. } => "uscc.character",
            Self::InvalidRegion(_) => "uscc.region",
            Self::CheckCharacter { .. } => "uscc.check",
        }
    }
}

const USCC_CHARS: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const USCC_WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

fn uscc_value(c: char) -> Option<u32> {
    USCC_CHARS.find(c).map(|i| i as u32)
}

/// The check character GB 32100 prescribes for 17 leading characters.
pub fn uscc_check_char(first17: &str) -> Option<char> {
    if first17.chars().count() != 17 {
        return None;
    }
    let mut sum = 0;
    for (c, w) in first17.chars().zip(USCC_WEIGHTS) {
        sum += uscc_value(c)? * w;
    }
    let check = (31 - sum % 31) % 31;
    USCC_CHARS.chars().nth(check as usize)
}

impl Uscc {
    pub fn parse(input: &str) -> Result<Self, UsccError> {
        let s = fold_width(input).to_ascii_uppercase();
        if s.is_empty() {
            return Err(UsccError::Empty);
        }
        if let Some((position, found)) = first_bad(&s, |_, c| uscc_value(c).is_some()) {
            if position <= 18 {
                return Err(UsccError::InvalidCharacter { position, found });
            }
        }
        let len = s.chars().count();
        if len != 18 {
            return Err(UsccError::WrongLength(len));
        }
        let region = &s[2..8];
        if !region.bytes().all(|b| b.is_ascii_digit()) {
            return Err(UsccError::InvalidRegion(region.to_owned()));
        }
        let expected = uscc_check_char(&s[0..17]).ok_or(UsccError::WrongLength(len))?;
        let found = s.as_bytes()[17] as char;
        if expected != found {
            return Err(UsccError::CheckCharacter { expected, found });
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Uscc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Uscc {
    type Err = UsccError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

// ---------------------------------------------------------------------------------------------
// Phone numbers
// ---------------------------------------------------------------------------------------------

/// A mainland mobile number (11 digits, `1[3-9]…`) or a landline with its area code
/// (`0` + 2–3 digit area code + 7–8 digit number). Stored as digits, landlines as `0771-1234567`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Phone(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PhoneError {
    #[error("电话号码不能为空")]
    Empty,
    #[error("电话号码中有无效字符“{0}”：只能是数字，可带区号连字符")]
    InvalidCharacter(char),
    #[error("手机号码应为11位数字，现在是{0}位")]
    MobileLength(usize),
    #[error("手机号码应以13至19开头，“{0}”不是有效的号段")]
    MobilePrefix(String),
    #[error("固定电话应带区号，如0771-1234567；“{0}”位数不对")]
    Landline(String),
}

impl PhoneError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Empty => "phone.empty",
            Self::InvalidCharacter(_) => "phone.character",
            Self::MobileLength(_) => "phone.mobile_length",
            Self::MobilePrefix(_) => "phone.mobile_prefix",
            Self::Landline(_) => "phone.landline",
        }
    }
}

impl Phone {
    pub fn parse(input: &str) -> Result<Self, PhoneError> {
        let folded = fold_width(input);
        if folded.is_empty() {
            return Err(PhoneError::Empty);
        }
        if let Some(bad) = folded
            .chars()
            .find(|c| !(c.is_ascii_digit() || matches!(c, ' ' | '-' | '+' | '(' | ')')))
        {
            return Err(PhoneError::InvalidCharacter(bad));
        }
        let mut digits: String = folded.chars().filter(char::is_ascii_digit).collect();
        if folded.starts_with('+') || (digits.starts_with("86") && digits.len() == 13) {
            digits = digits.strip_prefix("86").unwrap_or(&digits).to_owned();
        }
        if digits.starts_with('0') {
            return Self::landline(&folded, &digits);
        }
        if digits.len() != 11 {
            return Err(PhoneError::MobileLength(digits.len()));
        }
        if !(digits.starts_with('1') && matches!(digits.as_bytes()[1], b'3'..=b'9')) {
            return Err(PhoneError::MobilePrefix(digits[0..3].to_owned()));
        }
        Ok(Self(digits))
    }

    fn landline(folded: &str, digits: &str) -> Result<Self, PhoneError> {
        // Area codes: 010 and 02x are three digits long, all others four (0771, 0898, ...).
        let area_len = if digits.starts_with("01") || digits.starts_with("02") { 3 } else { 4 };
        let local_len = digits.len().saturating_sub(area_len);
        if !(7..=8).contains(&local_len) {
            return Err(PhoneError::Landline(folded.to_owned()));
        }
        Ok(Self(format!("{}-{}", &digits[..area_len], &digits[area_len..])))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_mobile(&self) -> bool {
        !self.0.starts_with('0')
    }

    /// `138****5678` for mobiles; landlines are public numbers and shown whole.
    pub fn masked(&self) -> String {
        if self.is_mobile() {
            format!("{}****{}", &self.0[0..3], &self.0[7..11])
        } else {
            self.0.clone()
        }
    }
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Phone {
    type Err = PhoneError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

// ---------------------------------------------------------------------------------------------
// Names
// ---------------------------------------------------------------------------------------------

/// A person's name as on the ID card: Chinese characters including rare ones (CJK extensions
/// A–H), the middle dot of minority and foreign names (`阿依古丽·买买提`), or Latin letters
/// with spaces. The middle-dot look-alikes typed by input methods are folded to U+00B7.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PersonName(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PersonNameError {
    #[error("姓名不能为空")]
    Empty,
    #[error("姓名过长（{0}个字），最多50个字")]
    TooLong(usize),
    #[error("姓名中有无效字符“{0}”：只能是汉字、间隔号·或外文字母")]
    InvalidCharacter(char),
    #[error("姓名中的间隔号·不能在开头、结尾或连续出现")]
    MisplacedDot,
    #[error("姓名中不能混用汉字和外文字母")]
    MixedScripts,
}

impl PersonNameError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Empty => "name.empty",
            Self::TooLong(_) => "name.too_long",
            Self::InvalidCharacter(_) => "name.character",
            Self::MisplacedDot => "name.dot",
            Self::MixedScripts => "name.mixed",
        }
    }
}

fn is_han(c: char) -> bool {
    matches!(c as u32,
        0x3400..=0x4DBF      // Extension A
        | 0x4E00..=0x9FFF    // URO
        | 0xF900..=0xFAFF    // compatibility ideographs
        | 0x20000..=0x2EBEF  // Extensions B–F and I
        | 0x2F800..=0x2FA1F  // compatibility supplement
        | 0x30000..=0x323AF  // Extensions G, H
        | 0x3007             // 〇
    )
}

const MIDDLE_DOT: char = '\u{00B7}';

impl PersonName {
    pub fn parse(input: &str) -> Result<Self, PersonNameError> {
        let s: String = input
            .trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}')
            .chars()
            .map(|c| match c {
                // ・ (katakana middle dot), ‧ (hyphenation point), • (bullet), ∙, ．, ⋅
                '\u{30FB}' | '\u{2027}' | '\u{2022}' | '\u{2219}' | '\u{FF0E}' | '\u{22C5}'
                | '\u{FF65}' => MIDDLE_DOT,
                '\u{3000}' => ' ',
                other => other,
            })
            .collect();
        if s.is_empty() {
            return Err(PersonNameError::Empty);
        }
        let len = s.chars().count();
        if len > 50 {
            return Err(PersonNameError::TooLong(len));
        }
        if let Some(bad) =
            s.chars().find(|&c| !(is_han(c) || c == MIDDLE_DOT || c.is_ascii_alphabetic() || c == ' '))
        {
            return Err(PersonNameError::InvalidCharacter(bad));
        }
        if s.starts_with(MIDDLE_DOT) || s.ends_with(MIDDLE_DOT) || s.contains("··") {
            return Err(PersonNameError::MisplacedDot);
        }
        let has_han = s.chars().any(is_han);
        if has_han && s.chars().any(|c| c.is_ascii_alphabetic() || c == ' ') {
            return Err(PersonNameError::MixedScripts);
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PersonName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for PersonName {
    type Err = PersonNameError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One table per parser: input, and either the normalised value or the error code.
    fn check_id(input: &str, expected: Result<&str, &str>) {
        let got = IdNumber::parse(input).map(|v| v.as_str().to_owned()).map_err(|e| e.code());
        assert_eq!(got, expected.map(str::to_owned), "input {input:?}");
    }

    #[test]
    fn id_numbers() {
        // Check digits computed by hand with the GB 11643 weights.
        check_id("11010519491231002X", Ok("11010519491231002X"));
        check_id("11010519491231002x", Ok("11010519491231002X"));
        check_id(" １１０１０５１９４９１２３１００２Ｘ ", Ok("11010519491231002X"));
        check_id("440524188001010014", Ok("440524188001010014"));
        check_id("110101199003070016", Err("id.check_digit"));
        check_id("110101199003070011", Ok("110101199003070011"));
        check_id("110101199003070012", Err("id.check_digit"));
        check_id("", Err("id.empty"));
        check_id("   ", Err("id.empty"));
        check_id("11010519491231002", Err("id.length"));
        check_id("11010519491231002X1", Err("id.length"));
        check_id("1101051949123100X2", Err("id.character"));
        check_id("11010519491231A02X", Err("id.character"));
        check_id("110105194902300023", Err("id.birth_date"));
        check_id("110105194913010020", Err("id.birth_date"));
        check_id("010105194912310023", Err("id.region"));
        check_id("710105194912310023", Err("id.region"));
    }

    #[test]
    fn an_id_number_must_belong_to_someone_living_today() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let with = |first17: &str| IdNumber::parse(&format!("{first17}{}", id_check_char(first17).unwrap())).unwrap();
        assert!(with("45082119850312001").living_on(today).is_ok());
        assert!(with("45082120261201001").living_on(today).is_ok(), "born today");
        assert_eq!(with("45082120261202001").living_on(today).unwrap_err().code(), "id.born_in_future");
        assert_eq!(with("45082120990101001").living_on(today).unwrap_err().code(), "id.born_in_future");
        assert_eq!(with("45082118500101001").living_on(today).unwrap_err().code(), "id.implausible_age");
        assert!(with("45082118961201001").living_on(today).is_ok(), "130 years old today");
        assert_eq!(with("45082118951130001").living_on(today).unwrap_err().to_string(), "身份证号码中的出生日期1895-11-30距今已超过130年，请核对是否输错");
    }

    #[test]
    fn id_number_check_digit_covers_every_remainder() {
        // Every one of the 11 check characters, including X, occurs and is accepted.
        let mut seen = std::collections::BTreeSet::new();
        for seq in 0..200u32 {
            let first17 = format!("45082119850312{:03}", seq);
            let check = id_check_char(&first17).unwrap();
            seen.insert(check);
            let id = IdNumber::parse(&format!("{first17}{check}")).unwrap();
            assert_eq!(id.birth_date(), NaiveDate::from_ymd_opt(1985, 3, 12).unwrap());
        }
        assert_eq!(seen.len(), 11);
    }

    #[test]
    fn id_number_is_masked_for_display_and_debug() {
        let id = IdNumber::parse("11010519491231002X").unwrap();
        assert_eq!(id.masked(), "110105********002X");
        assert_eq!(format!("{id:?}"), "IdNumber(110105********002X)");
        assert!(!id.is_male());
        assert_eq!(id.age_on(NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()), 76);
    }

    #[test]
    fn id_errors_speak_chinese() {
        let e = IdNumber::parse("110101199003070016").unwrap_err();
        assert_eq!(e.to_string(), "身份证号码校验位不符：按前17位应为“1”，实际是“6”，请核对是否输错");
        assert_eq!(IdNumber::parse("1101").unwrap_err().to_string(), "身份证号码应为18位，现在是4位，请核对是否漏输或多输");
    }

    fn check_uscc(input: &str, expected: Result<&str, &str>) {
        let got = Uscc::parse(input).map(|v| v.as_str().to_owned()).map_err(|e| e.code());
        assert_eq!(got, expected.map(str::to_owned), "input {input:?}");
    }

    #[test]
    fn unified_social_credit_codes() {
        check_uscc("91350100M000100Y43", Ok("91350100M000100Y43"));
        check_uscc("91350100m000100y43", Ok("91350100M000100Y43"));
        check_uscc("91350100M000100Y44", Err("uscc.check"));
        check_uscc("91350100M000100Y4", Err("uscc.length"));
        check_uscc("91350100I000100Y43", Err("uscc.character"));
        check_uscc("9135O100M000100Y43", Err("uscc.character"));
        check_uscc("91A50100M000100Y43", Err("uscc.region"));
        check_uscc("", Err("uscc.empty"));
        // A code whose check value is 0 (31 - sum%31 == 31).
        let first17 = "12100000000000000";
        let c = uscc_check_char(first17).unwrap();
        check_uscc(&format!("{first17}{c}"), Ok(&format!("{first17}{c}")));
    }

    fn check_phone(input: &str, expected: Result<&str, &str>) {
        let got = Phone::parse(input).map(|v| v.as_str().to_owned()).map_err(|e| e.code());
        assert_eq!(got, expected.map(str::to_owned), "input {input:?}");
    }

    #[test]
    fn phones() {
        check_phone("13800138000", Ok("13800138000"));
        check_phone("138 0013 8000", Ok("13800138000"));
        check_phone("+86 138-0013-8000", Ok("13800138000"));
        check_phone("8613800138000", Ok("13800138000"));
        check_phone("１３８００１３８０００", Ok("13800138000"));
        check_phone("19912345678", Ok("19912345678"));
        check_phone("0771-5881234", Ok("0771-5881234"));
        check_phone("01088881234", Ok("010-88881234"));
        check_phone("1380013800", Err("phone.mobile_length"));
        check_phone("138001380001", Err("phone.mobile_length"));
        check_phone("12800138000", Err("phone.mobile_prefix"));
        check_phone("23800138000", Err("phone.mobile_prefix"));
        check_phone("1380013800a", Err("phone.character"));
        check_phone("0771-58812", Err("phone.landline"));
        check_phone("", Err("phone.empty"));
        assert_eq!(Phone::parse("13800138000").unwrap().masked(), "138****8000");
    }

    fn check_name(input: &str, expected: Result<&str, &str>) {
        let got = PersonName::parse(input).map(|v| v.as_str().to_owned()).map_err(|e| e.code());
        assert_eq!(got, expected.map(str::to_owned), "input {input:?}");
    }

    #[test]
    fn names() {
        check_name("张三", Ok("张三"));
        check_name("  李 ", Ok("李"));
        check_name("阿依古丽·买买提", Ok("阿依古丽·买买提"));
        check_name("阿依古丽・买买提", Ok("阿依古丽·买买提"));
        check_name("阿依古丽•买买提", Ok("阿依古丽·买买提"));
        check_name("𠀾𪚥", Ok("𠀾𪚥")); // rare characters from extension B
        check_name("王〇", Ok("王〇"));
        check_name("John Smith", Ok("John Smith"));
        check_name("", Err("name.empty"));
        check_name("张三3", Err("name.character"));
        check_name("张,三", Err("name.character"));
        check_name("·张三", Err("name.dot"));
        check_name("张三·", Err("name.dot"));
        check_name("张··三", Err("name.dot"));
        check_name("张John", Err("name.mixed"));
        check_name(&"张".repeat(51), Err("name.too_long"));
    }
}
