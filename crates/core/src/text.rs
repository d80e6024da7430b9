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
