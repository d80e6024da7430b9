//! Small text helpers shared by the parsers.

/// Folds full-width ASCII (as typed through a Chinese input method or sent by some
/// keyboard-wedge scanners) to its half-width form and drops surrounding white space,
/// including the ideographic space U+3000.
pub(crate) fn fold_width(input: &str) -> String {
    input
        .trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}')
        .chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            other => other,
        })
        .collect()
}

/// The 1-based position and character of the first character failing `ok`.
pub(crate) fn first_bad(s: &str, ok: impl Fn(usize, char) -> bool) -> Option<(usize, char)> {
    s.chars().enumerate().find(|&(i, c)| !ok(i, c)).map(|(i, c)| (i + 1, c))
}

/// Characters never accepted in text a clerk types: C0/C1 controls (a newline only where a
/// note allows it), and the bidirectional overrides and isolates that make a printed line read
/// differently from what is stored (U+202A–U+202E, U+2066–U+2069), the zero-width space and the
/// byte-order mark. The middle dot and rare characters stay welcome.
fn forbidden(c: char, multiline: bool) -> bool {
    (c.is_control() && !(multiline && c == '\n'))
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200B}' | '\u{FEFF}' | '\u{2028}' | '\u{2029}')
}

/// Free text from a form: a reason, a note, an inquiry's content, an organisation's name.
/// Trimmed, within its field's length, without control characters; a `note` keeps its line
/// breaks (`\r\n` becomes `\n`, a tab a space), a `line` is one line.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FreeText(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TextError {
    #[error("请填写{0}")]
    Empty(&'static str),
    #[error("{field}过长（{len}个字），最多{max}个字")]
    TooLong { field: &'static str, len: usize, max: usize },
    #[error("{field}的第{position}个字符是不可见的控制字符（U+{code:04X}），请删除后重新输入")]
    Control { field: &'static str, position: usize, code: u32 },
}

impl TextError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Empty(_) => "text.empty",
            Self::TooLong { .. } => "text.too_long",
            Self::Control { .. } => "text.control",
        }
    }
}

impl FreeText {
    /// A name, a short reason: one line of at most this many characters.
    pub const LINE: usize = 100;
    /// A reason or a reply on a notice: at most this many characters.
    pub const REASON: usize = 500;
    /// An inquiry's or complaint's content, a note: at most this many characters.
    pub const NOTE: usize = 2000;
    /// The longest string any record may hold (behind every field's own bound).
    pub const RECORDED: usize = 16_000;

    /// One line of at most `max` characters (named `field` in the message).
    pub fn line(field: &'static str, input: &str, max: usize) -> Result<Self, TextError> {
        Self::parse(field, input, max, false)
    }

    /// Text that may run over several lines, of at most `max` characters.
    pub fn note(field: &'static str, input: &str, max: usize) -> Result<Self, TextError> {
        Self::parse(field, input, max, true)
    }

    fn parse(field: &'static str, input: &str, max: usize, multiline: bool) -> Result<Self, TextError> {
        let s: String = input
            .trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}')
            .replace("\r\n", "\n")
            .chars()
            .map(|c| if c == '\t' { ' ' } else { c })
            .collect();
        if s.is_empty() {
            return Err(TextError::Empty(field));
        }
        // Counted before the control check, so a 50 MB paste is refused for its length
        // without walking it twice.
        let len = s.chars().count();
        if len > max {
            return Err(TextError::TooLong { field, len, max });
        }
        if let Some((position, c)) = first_bad(&s, |_, c| !forbidden(c, multiline)) {
            return Err(TextError::Control { field, position, code: c as u32 });
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
    pub fn into_string(self) -> String {
        self.0
    }
}

impl std::fmt::Display for FreeText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Whether any string a writer is about to record holds a forbidden character, or is longer
/// than any field allows: the store's last line behind the typed parsers. Returns the first
/// offending string's position and reason.
pub fn check_recorded(s: &str) -> Result<(), TextError> {
    let len = s.chars().count();
    // A certificate chain in the settings is the longest string a record holds.
    if len > FreeText::RECORDED {
        return Err(TextError::TooLong { field: "记录的内容", len, max: FreeText::RECORDED });
    }
    if let Some((position, c)) = first_bad(s, |_, c| !forbidden(c, true)) {
        return Err(TextError::Control { field: "记录的内容", position, code: c as u32 });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_text_is_trimmed_bounded_and_without_controls() {
        assert_eq!(FreeText::line("原因", "  材料过期 ", 10).unwrap().as_str(), "材料过期");
        assert_eq!(FreeText::line("原因", "　", 10).unwrap_err().code(), "text.empty");
        assert_eq!(FreeText::line("原因", &"长".repeat(11), 10).unwrap_err(), TextError::TooLong { field: "原因", len: 11, max: 10 });
        assert_eq!(FreeText::line("原因", "第一行\n第二行", 20).unwrap_err().code(), "text.control");
        assert_eq!(FreeText::note("内容", "第一行\r\n第二行\t完", 20).unwrap().as_str(), "第一行\n第二行 完");
        let e = FreeText::note("内容", "ab\u{7}c", 20).unwrap_err();
        assert_eq!(e.to_string(), "内容的第3个字符是不可见的控制字符（U+0007），请删除后重新输入");
        // A right-to-left override would make the printed reason read backwards.
        assert_eq!(FreeText::line("原因", "同意\u{202E}不", 20).unwrap_err().code(), "text.control");
        // The middle dot and a rare character are a name's, not controls.
        assert_eq!(FreeText::line("单位", "阿依古丽·买买提𠀾合作社", 20).unwrap().as_str(), "阿依古丽·买买提𠀾合作社");
    }

    #[test]
    fn a_recorded_string_is_checked_for_length_and_controls() {
        assert!(check_recorded("正常\n内容").is_ok());
        assert_eq!(check_recorded("a\u{0}b").unwrap_err().code(), "text.control");
        assert_eq!(check_recorded(&"x".repeat(FreeText::RECORDED + 1)).unwrap_err().code(), "text.too_long");
    }
}
