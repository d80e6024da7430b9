//! Every parser of the core, fed what a counter, a file or an attacker might give it: any
//! string, and near-misses of valid input. None panics; what one accepts prints back as
//! itself and parses again to the same value. Bounded (a fixed number of cases), so that it
//! runs in CI on every change.

use proptest::prelude::*;
use yichuang_core::{CaseNumber, CentreCode, DocumentNumber, FreeText, IdNumber, PersonName, Phone, TerminalId, Uscc};

/// Strings near what the parsers take: digits, X, CJK, the full-width forms, brackets,
/// separators and controls, in any order.
fn near() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just('0'), Just('1'), Just('4'), Just('5'), Just('9'), Just('X'), Just('x'), Just('-'), Just(' '),
            Just('〔'), Just('〕'), Just('['), Just(']'), Just('受'), Just('字'), Just('第'), Just('号'), Just('补'),
            Just('李'), Just('·'), Just('𠮷'), Just('１'), Just('\u{0}'), Just('\u{202e}'), Just('\n'), Just('S'), Just('L'),
            any::<char>(),
        ],
        0..40,
    )
    .prop_map(|v| v.into_iter().collect())
}

fn input() -> impl Strategy<Value = String> {
    prop_oneof![any::<String>(), near()]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    #[test]
    fn id_numbers(s in input()) {
        if let Ok(id) = IdNumber::parse(&s) {
            let text = id.as_str().to_owned();
            prop_assert_eq!(text.chars().count(), 18);
            prop_assert_eq!(IdNumber::parse(&text).unwrap().as_str().to_owned(), text.clone());
            prop_assert!(id.masked().contains('*'));
        }
    }

    #[test]
    fn credit_codes_phones_and_names(s in input()) {
        if let Ok(u) = Uscc::parse(&s) {
            prop_assert_eq!(Uscc::parse(u.as_str()).unwrap().as_str().to_owned(), u.as_str().to_owned());
        }
        if let Ok(p) = Phone::parse(&s) {
            prop_assert_eq!(Phone::parse(p.as_str()).unwrap().as_str().to_owned(), p.as_str().to_owned());
        }
        if let Ok(n) = PersonName::parse(&s) {
            prop_assert!(!n.as_str().chars().any(char::is_control));
            prop_assert_eq!(PersonName::parse(n.as_str()).unwrap().as_str().to_owned(), n.as_str().to_owned());
        }
    }

    #[test]
    fn numbers(s in input()) {
        if let Ok(c) = CentreCode::parse(&s) {
            prop_assert_eq!(CentreCode::parse(&c.to_string()).unwrap(), c);
        }
        if let Ok(t) = TerminalId::parse(&s) {
            prop_assert_eq!(TerminalId::parse(&t.to_string()).unwrap(), t);
        }
        if let Ok(n) = CaseNumber::parse(&s) {
            prop_assert_eq!(CaseNumber::parse(&n.to_string()).unwrap(), n);
        }
        if let Ok(d) = DocumentNumber::parse(&s) {
            prop_assert_eq!(DocumentNumber::parse(&d.to_string()).unwrap(), d.clone());
            prop_assert_eq!(DocumentNumber::parse(&d.ascii()).unwrap(), d);
        }
    }

    #[test]
    fn free_text(s in input(), max in 1usize..64) {
        for t in [FreeText::line("理由", &s, max), FreeText::note("说明", &s, max)].into_iter().flatten() {
            prop_assert!(t.as_str().chars().count() <= max);
            let forbidden = t.as_str().chars().any(|c| matches!(c, '\u{0}'..='\u{8}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}'));
            prop_assert!(!forbidden, "a control or bidi character passed: {:?}", t.as_str());
        }
    }
}
