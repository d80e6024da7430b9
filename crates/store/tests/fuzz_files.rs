//! The files a head brings in (a holiday calendar, regional days off, a catalogue), a PC's key
//! file and a scanned QR code, fed anything and near-misses of the real thing (the bundled
//! files with bytes changed, cut or repeated). Nothing panics; what the QR check does not
//! recognise is not genuine. Bounded, for CI.
#![allow(clippy::unwrap_used)]

use proptest::prelude::*;
use yichuang_store::{CalendarFile, CatalogueFile, MachineKey, QrVerdict, RegionalFile, Store, DEMO_CATALOGUE};

const CALENDAR: &str = include_str!("../../../assets/calendar/2026.json");

/// A valid text with one of: a byte range replaced, cut at a point, a slice repeated.
fn mutated(base: &'static str) -> impl Strategy<Value = String> {
    let len = base.len();
    (0..len, 0..len, any::<u8>(), 0u8..3).prop_map(move |(a, b, byte, how)| {
        let (a, b) = (a.min(b), a.max(b));
        let mut bytes = base.as_bytes().to_vec();
        match how {
            0 => bytes[a..=b.min(len - 1)].iter_mut().for_each(|x| *x = byte),
            1 => bytes.truncate(a),
            _ => {
                let slice = bytes[a..b].to_vec();
                bytes.splice(a..a, slice);
            }
        }
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1500, ..ProptestConfig::default() })]

    #[test]
    fn calendar_files(s in prop_oneof![any::<String>(), mutated(CALENDAR)]) {
        if let Ok(f) = CalendarFile::parse(&s) {
            let _ = f.to_arrangement();
        }
        let _ = RegionalFile::parse(&s);
    }

    #[test]
    fn catalogue_files(s in prop_oneof![any::<String>(), mutated(DEMO_CATALOGUE)]) {
        if let Ok((_, items)) = CatalogueFile::parse(&s) {
            prop_assert!(!items.is_empty());
        }
    }

    #[test]
    fn key_files(s in any::<String>()) {
        let _ = MachineKey::parse(&s);
    }
}

#[test]
fn no_scanned_text_but_a_genuine_code_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(dir.path().join("c.db")).unwrap();
    let t = chrono::DateTime::parse_from_rfc3339("2026-11-01T08:00:00+08:00").unwrap();
    s.initialise(yichuang_core::CentreCode::parse("450821102").unwrap(), "示范镇便民服务中心", yichuang_core::TerminalId::parse("01").unwrap(), t).unwrap();
    s.load_demo(t).unwrap();
    let doc = s.issue_notice("YL-01", None, "demo", t).unwrap();
    let genuine = s.document_qr(&doc.number, t).unwrap();
    assert!(matches!(s.verify_qr(&genuine).unwrap(), QrVerdict::Genuine { .. }));
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig { cases: 3000, ..ProptestConfig::default() });
    let texts = prop_oneof![
        any::<String>(),
        // The genuine code with one character changed, or cut short.
        (0..genuine.len(), any::<char>()).prop_map({
            let g = genuine.clone();
            move |(i, c)| {
                let mut chars: Vec<char> = g.chars().collect();
                let i = i % chars.len();
                if chars[i] == c { chars.truncate(i) } else { chars[i] = c }
                chars.into_iter().collect::<String>()
            }
        }),
    ];
    runner
        .run(&texts, |text| {
            let verdict = s.verify_qr(&text).unwrap();
            if text.trim() != genuine {
                prop_assert!(!matches!(verdict, QrVerdict::Genuine { .. }), "{text:?} verified");
            }
            Ok(())
        })
        .unwrap();
}
