//! Case numbers (办件编号) and document numbers (文书编号).
//!
//! A case number is 24 digits, unique across terminals and centres and readable by a
//! keyboard-wedge scanner (digits only):
//!
//! ```text
//! 450821102 01 20261123 0007 3
//! │         │  │        │    └ check digit (Luhn)
//! │         │  │        └ sequence of the terminal on that day
//! │         │  └ date of intake
//! │         └ terminal
//! └ centre: the township's 9-digit administrative division code
//! ```
//!
//! Document numbers run gapless per kind, per year, per terminal: `〔2026〕受字第01-0001号`
//! (ASCII form `SL-2026-01-0001`, accepted wherever a number is typed).

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;

use crate::text::fold_width;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NumberError {
    #[error("中心代码“{0}”无效：应为9位乡镇（街道）行政区划代码（如450821102），或以000结尾的12位统计用区划代码（如450821102000）")]
    CentreCode(String),
    #[error("终端号“{0}”无效：应为01至99")]
    Terminal(String),
    #[error("办件编号“{0}”无效：应为24位数字")]
    CaseNumberFormat(String),
    #[error("办件编号“{0}”校验位不符，请核对是否输错或扫描不全")]
    CaseNumberCheck(String),
    #[error("办件编号“{0}”中的日期无效")]
    CaseNumberDate(String),
    #[error("序号{0}超出范围：每个终端每天最多9999件")]
    SequenceOverflow(u32),
    #[error("文书编号“{0}”无效：应如〔2026〕受字第01-0001号或SL-2026-01-0001")]
    DocumentNumberFormat(String),
}

impl NumberError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::CentreCode(_) => "number.centre_code",
            Self::Terminal(_) => "number.terminal",
            Self::CaseNumberFormat(_) => "number.case_format",
            Self::CaseNumberCheck(_) => "number.case_check",
            Self::CaseNumberDate(_) => "number.case_date",
            Self::SequenceOverflow(_) => "number.sequence_overflow",
            Self::DocumentNumberFormat(_) => "number.document_format",
        }
    }
}

/// A township's 9-digit administrative division code (乡镇级区划代码). The 12-digit
/// 统计用区划代码 a head copies from the statistics code list (`530621100000`) is the same
/// township when its last three digits (the village part) are 000, and is kept in the 9-digit form.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CentreCode(String);

impl CentreCode {
    pub fn parse(s: &str) -> Result<Self, NumberError> {
        let s = fold_width(s);
        let digits = !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && !s.starts_with('0');
        if digits && s.len() == 9 {
            Ok(Self(s))
        } else if digits && s.len() == 12 && s.ends_with("000") {
            Ok(Self(s[..9].to_owned()))
        } else {
            Err(NumberError::CentreCode(s))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CentreCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A terminal (window PC) of a centre: 01–99.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TerminalId(u8);

impl TerminalId {
    pub fn parse(s: &str) -> Result<Self, NumberError> {
        let s = fold_width(s);
        match s.parse::<u8>() {
            Ok(n @ 1..=99) if s.len() <= 2 => Ok(Self(n)),
            _ => Err(NumberError::Terminal(s)),
        }
    }
    pub fn get(self) -> u8 {
        self.0
    }
}

impl fmt::Display for TerminalId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}", self.0)
    }
}

fn luhn_check_digit(digits: &str) -> u8 {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 0 {
                let x = d * 2;
                if x > 9 { x - 9 } else { x }
            } else {
                d
            }
        })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CaseNumber(String);

impl CaseNumber {
    pub const MAX_SEQ: u32 = 9999;

    pub fn new(centre: &CentreCode, terminal: TerminalId, date: NaiveDate, seq: u32) -> Result<Self, NumberError> {
        if seq == 0 || seq > Self::MAX_SEQ {
            return Err(NumberError::SequenceOverflow(seq));
        }
        let body = format!("{}{}{}{:04}", centre, terminal, date.format("%Y%m%d"), seq);
        let check = luhn_check_digit(&body);
        Ok(Self(format!("{body}{check}")))
    }

    pub fn parse(input: &str) -> Result<Self, NumberError> {
        let s: String = fold_width(input).chars().filter(|c| !matches!(c, ' ' | '-')).collect();
        if s.len() != 24 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(NumberError::CaseNumberFormat(s));
        }
        if luhn_check_digit(&s[..23]) != s.as_bytes()[23] - b'0' {
            return Err(NumberError::CaseNumberCheck(s));
        }
        CentreCode::parse(&s[0..9]).map_err(|_| NumberError::CaseNumberFormat(s.clone()))?;
        TerminalId::parse(&s[9..11]).map_err(|_| NumberError::CaseNumberFormat(s.clone()))?;
        if NaiveDate::parse_from_str(&s[11..19], "%Y%m%d").is_err() {
            return Err(NumberError::CaseNumberDate(s));
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
    pub fn centre(&self) -> &str {
        &self.0[0..9]
    }
    pub fn terminal(&self) -> TerminalId {
        TerminalId(self.0[9..11].parse().unwrap_or(1))
    }
    pub fn date(&self) -> NaiveDate {
        NaiveDate::parse_from_str(&self.0[11..19], "%Y%m%d").unwrap_or_default()
    }
    pub fn seq(&self) -> u32 {
        self.0[19..23].parse().unwrap_or(0)
    }
}

impl fmt::Display for CaseNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for CaseNumber {
    type Err = NumberError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// The kinds of document the window issues, each with its own number series.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DocKind {
    /// 一次性告知单
    Notice,
    /// 受理通知书 / 收件回执
    Receipt,
    /// 补正材料通知书
    Supplement,
    /// 不予受理通知书
    Refusal,
    /// 延期办理告知书
    Extension,
    /// 办结通知单 (handled on the spot)
    Completion,
    /// 领取通知单 (ready for collection)
    Collection,
    /// 首问登记及移交单
    InquirySlip,
    /// 容缺受理通知书
    Tolerance,
    /// 容缺受理承诺书 (signed by the applicant; a stub stays with the centre)
    Commitment,
    /// 终止办理通知书
    Termination,
    /// 办理结果领取单: who took the result, their ID masked, signed for at the counter
    Handover,
}

impl DocKind {
    pub const ALL: [Self; 12] = [
        Self::Notice,
        Self::Receipt,
        Self::Supplement,
        Self::Refusal,
        Self::Extension,
        Self::Completion,
        Self::Collection,
        Self::InquirySlip,
        Self::Tolerance,
        Self::Commitment,
        Self::Termination,
        Self::Handover,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Notice => "notice",
            Self::Receipt => "receipt",
            Self::Supplement => "supplement",
            Self::Refusal => "refusal",
            Self::Extension => "extension",
            Self::Completion => "completion",
            Self::Collection => "collection",
            Self::InquirySlip => "inquiry_slip",
            Self::Tolerance => "tolerance",
            Self::Commitment => "commitment",
            Self::Termination => "termination",
            Self::Handover => "handover",
        }
    }
    /// The character in the number: 〔2026〕受字第01-0001号.
    pub fn character(self) -> &'static str {
        match self {
            Self::Notice => "告",
            Self::Receipt => "受",
            Self::Supplement => "补",
            Self::Refusal => "不受",
            Self::Extension => "延",
            Self::Completion => "结",
            Self::Collection => "领",
            Self::InquirySlip => "问",
            Self::Tolerance => "容",
            Self::Commitment => "诺",
            Self::Termination => "终",
            Self::Handover => "交",
        }
    }
    /// The ASCII prefix: SL-2026-01-0001.
    pub fn ascii(self) -> &'static str {
        match self {
            Self::Notice => "GZ",
            Self::Receipt => "SL",
            Self::Supplement => "BZ",
            Self::Refusal => "BS",
            Self::Extension => "YQ",
            Self::Completion => "BJ",
            Self::Collection => "LQ",
            Self::InquirySlip => "SW",
            Self::Tolerance => "RQ",
            Self::Commitment => "CN",
            Self::Termination => "ZZ",
            Self::Handover => "JF",
        }
    }
    pub fn title(self) -> &'static str {
        match self {
            Self::Notice => "一次性告知单",
            Self::Receipt => "受理通知书",
            Self::Supplement => "补正材料通知书",
            Self::Refusal => "不予受理通知书",
            Self::Extension => "延期办理告知书",
            Self::Completion => "办结通知单",
            Self::Collection => "领取通知单",
            Self::InquirySlip => "首问登记及移交单",
            Self::Tolerance => "容缺受理通知书",
            Self::Commitment => "容缺受理承诺书",
            Self::Termination => "终止办理通知书",
            Self::Handover => "办理结果领取单",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s || k.ascii() == s || k.character() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DocumentNumber {
    kind: DocKind,
    year: i32,
    terminal: TerminalId,
    seq: u32,
}

impl DocumentNumber {
    pub fn new(kind: DocKind, year: i32, terminal: TerminalId, seq: u32) -> Result<Self, NumberError> {
        if seq == 0 || seq > 999_999 {
            return Err(NumberError::SequenceOverflow(seq));
        }
        Ok(Self { kind, year, terminal, seq })
    }

    /// Parses `〔2026〕受字第01-0001号` (also with 〔〕 typed as [] or ()) or `SL-2026-01-0001`.
    pub fn parse(input: &str) -> Result<Self, NumberError> {
        let s = fold_width(input);
        let bad = || NumberError::DocumentNumberFormat(s.clone());
        let (kind, year, rest) = if let Some((prefix, rest)) = s.split_once('-').filter(|(p, _)| p.is_ascii()) {
            let kind = DocKind::parse(prefix).ok_or_else(bad)?;
            let (year, rest) = rest.split_once('-').ok_or_else(bad)?;
            (kind, year.to_owned(), rest.to_owned())
        } else {
            let t = s.replace(['〔', '[', '(', '［'], "").replacen(['〕', ']', ')', '］'], "|", 1);
            let (year, rest) = t.split_once('|').ok_or_else(bad)?;
            let (kind, rest) = rest.split_once("字第").ok_or_else(bad)?;
            let rest = rest.strip_suffix('号').ok_or_else(bad)?;
            (DocKind::parse(kind).ok_or_else(bad)?, year.to_owned(), rest.to_owned())
        };
        let (terminal, seq) = rest.split_once('-').ok_or_else(bad)?;
        let year: i32 = year.parse().ok().filter(|y| (2000..=2999).contains(y)).ok_or_else(bad)?;
        let terminal = TerminalId::parse(terminal).map_err(|_| bad())?;
        let seq: u32 = seq.parse().map_err(|_| bad())?;
        Self::new(kind, year, terminal, seq).map_err(|_| bad())
    }

    pub fn kind(&self) -> DocKind {
        self.kind
    }
    pub fn year(&self) -> i32 {
        self.year
    }
    pub fn terminal(&self) -> TerminalId {
        self.terminal
    }
    pub fn seq(&self) -> u32 {
        self.seq
    }
    /// `SL-2026-01-0001`: for file names, QR codes and scripts.
    pub fn ascii(&self) -> String {
        format!("{}-{}-{}-{:04}", self.kind.ascii(), self.year, self.terminal, self.seq)
    }
}

impl fmt::Display for DocumentNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "〔{}〕{}字第{}-{:04}号", self.year, self.kind.character(), self.terminal, self.seq)
    }
}

impl FromStr for DocumentNumber {
    type Err = NumberError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ymd(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn case_numbers_round_trip_and_catch_typos() {
        let centre = CentreCode::parse("450821102").unwrap();
        let t = TerminalId::parse("1").unwrap();
        let n = CaseNumber::new(&centre, t, ymd("2026-11-23"), 7).unwrap();
        assert_eq!(n.as_str().len(), 24);
        assert!(n.as_str().starts_with("45082110201202611230007"));
        assert_eq!(CaseNumber::parse(n.as_str()).unwrap(), n);
        assert_eq!(CaseNumber::parse(&format!(" {} ", n)).unwrap(), n);
        assert_eq!((n.centre(), n.terminal(), n.date(), n.seq()), ("450821102", t, ymd("2026-11-23"), 7));
        // Every single-digit substitution is caught by the check digit.
        for i in 0..24 {
            let mut b = n.as_str().as_bytes().to_vec();
            b[i] = if b[i] == b'9' { b'0' } else { b[i] + 1 };
            let typo = String::from_utf8(b).unwrap();
            assert!(CaseNumber::parse(&typo).is_err(), "{typo}");
        }
        assert_eq!(CaseNumber::parse("123").unwrap_err().code(), "number.case_format");
        assert_eq!(CaseNumber::new(&centre, t, ymd("2026-11-23"), 10_000).unwrap_err().code(), "number.sequence_overflow");
    }

    #[test]
    fn centre_codes_and_terminals() {
        assert!(CentreCode::parse("450821102").is_ok());
        assert_eq!(CentreCode::parse("45082110").unwrap_err().code(), "number.centre_code");
        assert_eq!(CentreCode::parse("050821102").unwrap_err().code(), "number.centre_code");
        // The statistics code list's 12 digits name the same township, kept in one form.
        assert_eq!(CentreCode::parse("530621100000").unwrap().as_str(), "530621100");
        assert_eq!(CentreCode::parse("５３０６２１１００００ ０").unwrap_err().code(), "number.centre_code");
        assert_eq!(CentreCode::parse("530621100201").unwrap_err().code(), "number.centre_code", "a village, not the township");
        assert_eq!(CentreCode::parse("5306211000").unwrap_err().code(), "number.centre_code");
        assert_eq!(TerminalId::parse("01").unwrap().to_string(), "01");
        assert_eq!(TerminalId::parse("99").unwrap().get(), 99);
        assert_eq!(TerminalId::parse("0").unwrap_err().code(), "number.terminal");
        assert_eq!(TerminalId::parse("100").unwrap_err().code(), "number.terminal");
        assert_eq!(TerminalId::parse("A1").unwrap_err().code(), "number.terminal");
    }

    #[test]
    fn document_numbers() {
        let t = TerminalId::parse("01").unwrap();
        let n = DocumentNumber::new(DocKind::Receipt, 2026, t, 1).unwrap();
        assert_eq!(n.to_string(), "〔2026〕受字第01-0001号");
        assert_eq!(n.ascii(), "SL-2026-01-0001");
        for s in ["〔2026〕受字第01-0001号", "[2026]受字第01-0001号", "SL-2026-01-0001", " SL-2026-1-1 "] {
            assert_eq!(DocumentNumber::parse(s).unwrap(), n, "{s}");
        }
        let r = DocumentNumber::new(DocKind::Refusal, 2026, t, 12).unwrap();
        assert_eq!(DocumentNumber::parse(&r.to_string()).unwrap(), r);
        for bad in ["", "SL-2026", "XX-2026-01-0001", "〔2026〕甲字第01-0001号", "SL-2026-00-0001", "SL-2026-01-0"] {
            assert_eq!(DocumentNumber::parse(bad).unwrap_err().code(), "number.document_format", "{bad}");
        }
        for k in DocKind::ALL {
            assert_eq!(DocKind::parse(k.as_str()), Some(k));
            let n = DocumentNumber::new(k, 2026, t, 42).unwrap();
            assert_eq!(DocumentNumber::parse(&n.to_string()).unwrap(), n);
        }
    }
}
