//! Line breaking for Chinese text (禁则): no closing punctuation at the start of a line, no
//! opening bracket at the end of one. Latin words and numbers stay whole unless a word alone is
//! wider than the line.

/// Characters that must not begin a line.
pub const NO_LINE_START: &str = "、，。；：！？）」』】》〉〕］｝”’·…—～％‰,.;:!?)]}%";
/// Characters that must not end a line.
pub const NO_LINE_END: &str = "（「『【《〈〔［｛“‘([{";

fn no_start(s: &str) -> bool {
    s.chars().next().is_some_and(|c| NO_LINE_START.contains(c))
}

fn no_end(s: &str) -> bool {
    s.chars().last().is_some_and(|c| NO_LINE_END.contains(c))
}

/// Splits text into unbreakable units: a CJK character, a Latin word or number (with what
/// sticks to it), a space.
fn units(text: &str) -> Vec<String> {
    let mut out: Vec<String> = vec![];
    let mut word = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || (!word.is_empty() && matches!(c, '-' | '_' | '/' | '@' | '.')) {
            word.push(c);
            continue;
        }
        if !word.is_empty() {
            out.push(std::mem::take(&mut word));
        }
        out.push(c.to_string());
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
}

/// Wraps `text` into lines no wider than `width`, measuring each character with `measure`.
/// Hard line breaks (`\n`) are kept. Every line but an over-long single unit fits.
pub fn wrap(text: &str, width: f32, measure: &dyn Fn(char) -> f32) -> Vec<String> {
    let mut lines = vec![];
    for para in text.split('\n') {
        wrap_paragraph(para, width, measure, &mut lines);
    }
    lines
}

fn wrap_paragraph(text: &str, width: f32, measure: &dyn Fn(char) -> f32, lines: &mut Vec<String>) {
    let w = |s: &str| s.chars().map(measure).sum::<f32>();
    let mut units = units(text);
    // A unit wider than the line is split into characters.
    let mut i = 0;
    while i < units.len() {
        if units[i].chars().count() > 1 && w(&units[i]) > width {
            let chars: Vec<String> = units[i].chars().map(String::from).collect();
            units.splice(i..=i, chars);
        }
        i += 1;
    }
    let mut current: Vec<String> = vec![];
    let mut current_w = 0.0;
    for u in units {
        let uw = w(&u);
        if current.is_empty() || current_w + uw <= width + 1e-3 {
            current_w += uw;
            current.push(u);
            continue;
        }
        if u == " " {
            // A space at the break is dropped.
            lines.push(current.concat().trim_end().to_owned());
            current.clear();
            current_w = 0.0;
            continue;
        }
        // Break before `u`, moving units down while the break would leave closing punctuation
        // at the start of the next line or an opening bracket at the end of this one.
        let mut at = current.len();
        let mut next_first = u.clone();
        while at > 0 && (no_start(&next_first) || no_end(&current[at - 1])) {
            at -= 1;
            next_first = current[at].clone();
        }
        if at == 0 {
            // Nothing can move down: let the unit hang past the margin rather than break a rule.
            current_w += uw;
            current.push(u);
            continue;
        }
        let carried: Vec<String> = current.drain(at..).collect();
        lines.push(current.concat().trim_end().to_owned());
        current = carried;
        current.push(u);
        current_w = current.iter().map(|s| w(s)).sum();
    }
    lines.push(current.concat().trim_end().to_owned());
}

#[cfg(test)]
mod tests {
    use super::*;

    /// CJK and full-width forms 1 em, ASCII half.
    fn m(c: char) -> f32 {
        if c.is_ascii() { 0.5 } else { 1.0 }
    }

    fn check(text: &str, width: f32, expected: &[&str]) {
        assert_eq!(wrap(text, width, &m), expected, "{text:?} at {width}");
    }

    #[test]
    fn plain_wrapping() {
        check("一二三四五六七八", 3.0, &["一二三", "四五六", "七八"]);
        check("", 3.0, &[""]);
        check("一二\n三", 5.0, &["一二", "三"]);
    }

    #[test]
    fn closing_punctuation_never_starts_a_line() {
        // "三，" would put the comma first on the second line: 三 moves down with it.
        check("一二三，四五六。", 3.0, &["一二", "三，四", "五六。"]);
        check("材料齐全的，当场办结。", 5.0, &["材料齐全", "的，当场办", "结。"]);
        check("依据《社会救助暂行办法》第十条。", 6.0, &["依据《社会救", "助暂行办法》", "第十条。"]);
        check("一二三四五）", 5.0, &["一二三四", "五）"]);
    }

    #[test]
    fn opening_brackets_never_end_a_line() {
        check("一二三（四）", 4.0, &["一二三", "（四）"]);
        check("一二“三”", 3.0, &["一二", "“三”"]);
    }

    #[test]
    fn latin_words_and_numbers_stay_whole() {
        check("电话0771-5881234转", 6.0, &["电话", "0771-5881234", "转"]);
        check("GB/T 26341—2010", 5.0, &["GB/T", "26341—", "2010"]);
        // A word longer than the line is split.
        check("ABCDEFGHIJ", 2.0, &["ABCD", "EFGH", "IJ"]);
    }

    #[test]
    fn no_rule_is_broken_on_long_real_text() {
        let text = "依据《中华人民共和国行政许可法》第三十二条，申请材料不齐全或者不符合法定形式的，应当当场或者在五日内一次告知申请人需要补正的全部内容，逾期不告知的，自收到申请材料之日起即为受理。";
        for width in [3.0, 4.0, 5.0, 7.0, 10.0, 13.0, 24.0] {
            let lines = wrap(text, width, &m);
            assert_eq!(lines.concat(), text, "nothing lost at {width}");
            for (i, l) in lines.iter().enumerate() {
                assert!(!no_start(l), "line {i} starts with punctuation at {width}: {lines:?}");
                if i + 1 < lines.len() {
                    assert!(!no_end(l), "line {i} ends with an opening bracket at {width}: {lines:?}");
                }
            }
        }
    }
}
