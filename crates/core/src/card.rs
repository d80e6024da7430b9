//! What an identity-card reader (二代身份证阅读器) hands over, parsed: the 256 bytes of a card's
//! text (文字信息) as the reader's library returns them, or the burst of characters a
//! keyboard-emulation reader types. Nothing here talks to a device; the bytes come in from a
//! helper process (`crates/cardreader`) and are trusted no more than anything typed.
//!
//! The text is UCS-2 little-endian (surrogate pairs decoded, so a name with an Extension B
//! character comes out as on the card), space-padded, in one of these layouts, told apart by
//! the card-type mark in bytes 248–249:
//!
//! | card | mark | fields (bytes) |
//! |---|---|---|
//! | 居民身份证 | space | name 0–30, sex 30–32, nation 32–36, birth 36–52, address 52–122, number 122–158, issuer 158–188, valid 188–204 / 204–220 |
//! | 港澳台居民居住证 | `J` | as the resident card (number starting 81, 82 or 83) |
//! | 外国人永久居留身份证 (2017) | `I` | English name 0–120, sex 120–122, number 122–152 (15 characters), nationality 152–158, Chinese name 158–188, valid 188–204 / 204–220, birth 220–236 |
//! | 外国人永久居留身份证 (2023) | `Y` | Chinese name 0–30, sex 30–32, birth 36–52, English name 52–122, number 122–158 (18, starting 9), valid 188–204 / 204–220 |

use chrono::NaiveDate;

use crate::ids::{IdNumber, IdNumberError, PersonName, PersonNameError};

/// The size of a card's text block.
pub const TEXT_LEN: usize = 256;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CardKind {
    /// 居民身份证.
    Resident,
    /// 港澳台居民居住证.
    ResidencePermit,
    /// 外国人永久居留身份证, 2023 version (an 18-character number).
    ForeignPermanent,
    /// 外国人永久居留身份证, 2017 version (a 15-character number, not an identity number).
    ForeignPermanent2017,
}

impl CardKind {
    pub fn label(self) -> &'static str {
        match self {
            Self::Resident => "居民身份证",
            Self::ResidencePermit => "港澳台居民居住证",
            Self::ForeignPermanent | Self::ForeignPermanent2017 => "外国人永久居留身份证",
        }
    }
}

/// A card as read: the name exactly as the card holds it, the number checked (GB 11643).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Card {
    pub kind: CardKind,
    /// Always there from a card's text block; a keyboard reader may type the number alone.
    pub name: Option<PersonName>,
    /// The English name of a foreigner's card.
    pub english_name: Option<String>,
    /// `true` for 男.
    pub male: bool,
    pub birth: NaiveDate,
    pub address: Option<String>,
    pub id_number: IdNumber,
    /// The last day the card is valid (`None`: 长期).
    pub valid_to: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CardError {
    #[error("读卡器送来的信息长度为{0}字节，不是身份证的256字节文字信息，请重新放卡")]
    Length(usize),
    #[error("读卡器送来的文字信息无法解读（不是有效的UCS-2文字），请重新放卡")]
    Encoding,
    #[error("卡上的证件类型“{0}”无法识别，请手工录入")]
    UnknownKind(String),
    #[error("卡上的{field}“{value}”无效")]
    Field { field: &'static str, value: String },
    #[error("卡上的姓名无效：{0}")]
    Name(#[from] PersonNameError),
    #[error("卡上的证件号码无效：{0}")]
    Number(#[from] IdNumberError),
    #[error("卡上证件号码的出生日期、性别或证件类别与卡上所记不符，请核对证件")]
    Mismatch,
    #[error("2017年版外国人永久居留身份证的号码“{0}”为15位，不是18位证件号码，请按证件手工录入")]
    OldForeignNumber(String),
    #[error("读卡器输入的内容中没有有效的18位证件号码")]
    NoNumber,
}

impl CardError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Length(_) => "card.length",
            Self::Encoding => "card.encoding",
            Self::UnknownKind(_) => "card.kind",
            Self::Field { .. } => "card.field",
            Self::Name(_) => "card.name",
            Self::Number(_) => "card.number",
            Self::Mismatch => "card.mismatch",
            Self::OldForeignNumber(_) => "card.old_foreign",
            Self::NoNumber => "card.no_number",
        }
    }
}

/// UCS-2/UTF-16 little-endian, surrogate pairs joined, padding (spaces, NULs) trimmed.
fn text(bytes: &[u8]) -> Result<String, CardError> {
    let units: Vec<u16> = bytes.chunks_exact(2).map(|p| u16::from_le_bytes([p[0], p[1]])).collect();
    let s = char::decode_utf16(units).collect::<Result<String, _>>().map_err(|_| CardError::Encoding)?;
    Ok(s.trim_matches(|c: char| c == ' ' || c == '\0' || c == '\u{3000}').to_owned())
}

fn date(field: &'static str, s: &str) -> Result<NaiveDate, CardError> {
    NaiveDate::parse_from_str(s, "%Y%m%d").map_err(|_| CardError::Field { field, value: s.chars().take(16).collect() })
}

/// A card's validity end: a date, or 长期 (no end).
fn valid_to(s: &str) -> Result<Option<NaiveDate>, CardError> {
    if s == "长期" || s.is_empty() {
        Ok(None)
    } else {
        date("有效期限", s).map(Some)
    }
}

fn sex(s: &str) -> Result<bool, CardError> {
    match s {
        "1" => Ok(true),
        "2" => Ok(false),
        other => Err(CardError::Field { field: "性别代码", value: other.chars().take(4).collect() }),
    }
}

/// The number's birth date and sex must be the card's (a card that disagrees with itself is
/// misread or forged).
fn agree(id: &IdNumber, birth: NaiveDate, male: bool) -> Result<(), CardError> {
    if id.birth_date() != birth || id.is_male() != male {
        return Err(CardError::Mismatch);
    }
    Ok(())
}

impl Card {
    /// A card's 256-byte text block, as the reader's library returns it.
    pub fn from_text_block(b: &[u8]) -> Result<Self, CardError> {
        if b.len() != TEXT_LEN {
            return Err(CardError::Length(b.len()));
        }
        let mark = text(&b[248..250])?;
        match mark.as_str() {
            "" | "J" => {
                let name = PersonName::parse(&text(&b[0..30])?)?;
                let male = sex(&text(&b[30..32])?)?;
                let birth = date("出生日期", &text(&b[36..52])?)?;
                let address = Some(text(&b[52..122])?).filter(|a| !a.is_empty());
                let id_number = IdNumber::parse(&text(&b[122..158])?)?;
                agree(&id_number, birth, male)?;
                let kind = if mark == "J" { CardKind::ResidencePermit } else { CardKind::Resident };
                if kind_of(&id_number) != kind {
                    return Err(CardError::Mismatch);
                }
                Ok(Self { kind, name: Some(name), english_name: None, male, birth, address, id_number, valid_to: valid_to(&text(&b[204..220])?)? })
            }
            "Y" => {
                let english = text(&b[52..122])?;
                let chinese = text(&b[0..30])?;
                let name = PersonName::parse(if chinese.is_empty() { &english } else { &chinese })?;
                let male = sex(&text(&b[30..32])?)?;
                let birth = date("出生日期", &text(&b[36..52])?)?;
                let id_number = IdNumber::parse(&text(&b[122..158])?)?;
                agree(&id_number, birth, male)?;
                if kind_of(&id_number) != CardKind::ForeignPermanent {
                    return Err(CardError::Mismatch);
                }
                Ok(Self {
                    kind: CardKind::ForeignPermanent,
                    name: Some(name),
                    english_name: Some(english).filter(|e| !e.is_empty()),
                    male,
                    birth,
                    address: None,
                    id_number,
                    valid_to: valid_to(&text(&b[204..220])?)?,
                })
            }
            "I" => Err(CardError::OldForeignNumber(text(&b[122..152])?.chars().take(15).collect())),
            other => Err(CardError::UnknownKind(other.chars().take(2).collect())),
        }
    }

    /// What a keyboard-emulation reader typed: fields separated by tabs, `|`, commas or
    /// spaces, in whatever order its maker chose. The 18-character number is required (and
    /// checked), and may be all there is. The sex is 男/女; the birth date eight digits (or
    /// 1968年04月05日); the name the first or second field that is a person's name and nothing
    /// else a card carries (a nation 汉族, 长期, an issuer 公安局, a place, a date); the address
    /// the longest field naming a place (省, 县, 镇, 村, 路, 号 …) that is not the issuer.
    pub fn from_typed(burst: &str) -> Result<Self, CardError> {
        let fields: Vec<&str> =
            burst.split(['\t', '|', ',', '，', '\r', '\n', ' ', '\u{3000}']).map(str::trim).filter(|f| !f.is_empty()).collect();
        let id_number = fields.iter().filter(|f| f.chars().count() == 18).find_map(|f| IdNumber::parse(f).ok()).ok_or(CardError::NoNumber)?;
        let male = match fields.iter().find(|f| matches!(**f, "男" | "女")) {
            Some(&"女") => false,
            Some(_) => true,
            None => id_number.is_male(),
        };
        let digits = |f: &str| f.chars().filter(char::is_ascii_digit).count();
        let birth = fields
            .iter()
            .find_map(|f| {
                let d: String = f.chars().filter(char::is_ascii_digit).collect();
                (d.len() == 8 && !f.chars().any(|c| c.is_ascii_alphabetic()))
                    .then(|| NaiveDate::parse_from_str(&d, "%Y%m%d").ok())
                    .flatten()
            })
            .unwrap_or_else(|| id_number.birth_date());
        agree(&id_number, birth, male)?;
        let issuer = |f: &str| f.ends_with("公安局") || f.ends_with("分局") || f.ends_with("派出所");
        let place = |f: &str| ['省', '市', '县', '区', '镇', '乡', '村', '路', '街', '号', '组', '屯', '巷'].iter().any(|m| f.contains(*m));
        let name = fields
            .iter()
            .take(2)
            .filter(|f| (2..=15).contains(&f.chars().count()) && digits(f) == 0 && !f.ends_with('族') && **f != "长期" && !issuer(f) && !place(f))
            .find_map(|f| PersonName::parse(f).ok());
        let address = fields
            .iter()
            .filter(|f| f.chars().count() >= 6 && place(f) && !issuer(f) && digits(f) < 8)
            .max_by_key(|f| f.chars().count())
            .map(|f| (*f).to_owned());
        Ok(Self { kind: kind_of(&id_number), name, english_name: None, male, birth, address, id_number, valid_to: None })
    }
}

/// The kind of card a number belongs to: 81–83 a residence permit of 港澳台 residents, 9 a
/// foreigner's permanent residence card, any other a resident's card.
fn kind_of(id: &IdNumber) -> CardKind {
    match id.as_str().as_bytes() {
        [b'8', b'1' | b'2' | b'3', ..] => CardKind::ResidencePermit,
        [b'9', ..] => CardKind::ForeignPermanent,
        _ => CardKind::Resident,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A text block laid out as a card holds it: each field UTF-16LE, padded with spaces.
    pub(crate) fn block(fields: &[(usize, usize, &str)], mark: &str) -> Vec<u8> {
        let mut b: Vec<u8> = std::iter::repeat_n([0x20u8, 0x00], TEXT_LEN / 2).flatten().collect();
        for (from, to, v) in fields.iter().copied().chain(std::iter::once((248, 250, mark))) {
            let units: Vec<u8> = v.encode_utf16().flat_map(u16::to_le_bytes).collect();
            assert!(units.len() <= to - from, "{v} does not fit");
            b[from..from + units.len()].copy_from_slice(&units);
        }
        b
    }

    fn resident(name: &str, id: &str, birth: &str, sex: &str) -> Vec<u8> {
        block(
            &[(0, 30, name), (30, 32, sex), (32, 36, "01"), (36, 52, birth), (52, 122, "广西壮族自治区平南县平南镇人民路1号"), (122, 158, id), (158, 188, "平南县公安局"), (188, 204, "20160101"), (204, 220, "20360101")],
            "",
        )
    }

    #[test]
    fn a_resident_card_reads_as_on_the_card_an_extension_b_name_included() {
        let c = Card::from_text_block(&resident("王𪚥", "450821196804053025", "19680405", "2")).unwrap();
        let name = c.name.clone().unwrap();
        assert_eq!((c.kind, name.as_str(), c.male, c.id_number.as_str()), (CardKind::Resident, "王𪚥", false, "450821196804053025"));
        assert_eq!(name.as_str().chars().nth(1).map(|ch| ch as u32), Some(0x2A6A5), "the surrogate pair joined");
        assert_eq!(c.address.as_deref(), Some("广西壮族自治区平南县平南镇人民路1号"));
        assert_eq!(c.valid_to, NaiveDate::from_ymd_opt(2036, 1, 1));
        let long = block(&[(0, 30, "李梅"), (30, 32, "2"), (36, 52, "19680405"), (122, 158, "450821196804053025"), (204, 220, "长期")], "");
        assert_eq!(Card::from_text_block(&long).unwrap().valid_to, None, "长期");
    }

    #[test]
    fn foreigners_cards_of_2023_read_and_of_2017_are_told_to_be_typed() {
        // 2023: an 18-character number starting 9, with its GB 11643 check.
        let first17 = "93115619900101001";
        let id = format!("{first17}{}", crate::ids::id_check_char(first17).unwrap());
        let y = block(&[(0, 30, "安娜"), (30, 32, "1"), (36, 52, "19900101"), (52, 122, "SMITH ANNA"), (122, 158, &id), (204, 220, "20330101")], "Y");
        let c = Card::from_text_block(&y).unwrap();
        assert_eq!((c.kind, c.name.unwrap().as_str(), c.english_name.as_deref()), (CardKind::ForeignPermanent, "安娜", Some("SMITH ANNA")));
        let i = block(&[(0, 120, "SMITH ANNA"), (120, 122, "2"), (122, 152, "USA110090010101"), (152, 158, "USA")], "I");
        assert_eq!(Card::from_text_block(&i).unwrap_err().code(), "card.old_foreign");
    }

    /// What a misread or a forged block gets: an error with its reason, never a guess.
    #[test]
    fn a_block_that_is_not_a_card_is_refused_with_its_reason() {
        for (b, code) in [
            (vec![0u8; 10], "card.length"),
            (resident("王芳", "450821196804053021", "19680405", "2"), "card.number"),
            (resident("王芳", "450821196804053025", "19700101", "2"), "card.mismatch"),
            (resident("王芳", "450821196804053025", "19680405", "1"), "card.mismatch"),
            (resident("王芳1", "450821196804053025", "19680405", "2"), "card.name"),
            (resident("王芳", "450821196804053025", "19680405", "9"), "card.field"),
            (block(&[(0, 30, "王芳")], "Q"), "card.kind"),
            // A resident's card whose number is a foreigner's: the card disagrees with itself.
            (resident("王芳", "931156199001010014", "19900101", "1"), "card.mismatch"),
        ] {
            assert_eq!(Card::from_text_block(&b).unwrap_err().code(), code);
        }
        // A lone surrogate is no text.
        let mut b = resident("王芳", "450821196804053025", "19680405", "2");
        b[0..2].copy_from_slice(&0xD800u16.to_le_bytes());
        b[2..4].copy_from_slice(&0x0041u16.to_le_bytes());
        assert_eq!(Card::from_text_block(&b).unwrap_err().code(), "card.encoding");
    }

    /// Keyboard-emulation readers type their fields in their maker's order and separator.
    #[test]
    fn what_a_keyboard_reader_types_is_read_in_any_order_and_separator() {
        for burst in [
            "王𪚥|女|壮|19680405|广西壮族自治区平南县平南镇人民路1号|450821196804053025",
            "450821196804053025\t王𪚥\t女\t1968年04月05日\t广西壮族自治区平南县平南镇人民路1号",
            "王𪚥,450821196804053025,广西壮族自治区平南县平南镇人民路1号\r\n",
        ] {
            let c = Card::from_typed(burst).unwrap();
            assert_eq!((c.name.as_ref().map(PersonName::as_str), c.id_number.as_str(), c.male), (Some("王𪚥"), "450821196804053025", false), "{burst}");
            assert_eq!(c.address.as_deref(), Some("广西壮族自治区平南县平南镇人民路1号"), "{burst}");
        }
        // What else a card carries is never taken for the name or the address.
        let c = Card::from_typed("汉族|王芳|女|1968年04月05日|平南县公安局|2016.01.01-2036.01.01|450821196804053025").unwrap();
        assert_eq!((c.name.as_ref().map(PersonName::as_str), c.address), (Some("王芳"), None));
        let c = Card::from_typed("450821196804053025|汉族|长期|平南县公安局").unwrap();
        assert_eq!(c.name, None, "no name typed: none guessed");
        // Full-width digits, as some readers type them; a number starting 9 is a foreigner's card.
        assert_eq!(Card::from_typed("王芳|４５０８２１１９６８０４０５３０２５").unwrap().id_number.as_str(), "450821196804053025");
        let first17 = "93115619900101001";
        let fid = format!("{first17}{}", crate::ids::id_check_char(first17).unwrap());
        assert_eq!(Card::from_typed(&format!("安娜|男|{fid}")).unwrap().kind, CardKind::ForeignPermanent);
        assert_eq!(Card::from_typed("王芳|450821196804053021").unwrap_err().code(), "card.no_number");
        assert_eq!(Card::from_typed("王芳|男|450821196804053025").unwrap_err().code(), "card.mismatch");
        let alone = Card::from_typed("450821196804053025").unwrap();
        assert_eq!((alone.name, alone.address, alone.male), (None, None, false), "a number alone: the number, and the sex it says");
    }
}
