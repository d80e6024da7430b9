//! Gapless numbering across 1,000 intakes of every kind.

use std::collections::BTreeMap;

use yichuang_core::{Defect, IdNumber, MaterialCode, PersonName, Presented};
use yichuang_store::{ApplicantInput, IntakeRequest, Party};

use crate::util::*;

fn request(i: u32) -> IntakeRequest {
    let m = |c: &str, copies| Presented { material: MaterialCode::parse(c).unwrap(), pages: 1, copies };
    // Every fourth is complete and promised, then a supplement, an immediate item, a refusal.
    let (item, presented, refusal) = match i % 4 {
        0 => ("CJ-01", vec![m("SFZ", 1), m("HKB", 1), m("ZP", 3), m("SQB", 1)], None),
        1 => ("CJ-01", vec![m("SFZ", 1)], None),
        2 => ("YL-01", vec![m("SFZ", 1), m("HKB", 1), m("DJB", 1)], None),
        _ => ("GL-01", vec![m("SFZ", 1)], Some("不符合申请条件".to_owned())),
    };
    IntakeRequest {
        item: item.into(),
        applicant: ApplicantInput {
            party: Party::Person {
                id_number: IdNumber::parse(&id(&format!("45082119{:02}0101{:03}", 50 + i % 40, i % 1000))).unwrap(),
                name: PersonName::parse("韦秀英").unwrap(),
            },
            phone: None,
        },
        agent: None,
        presented,
        defects: if i % 8 == 1 { vec![Defect { material: MaterialCode::parse("SFZ").unwrap(), reason: "已过有效期".into() }] } else { vec![] },
        conditions: vec![],
        refusal,
        clerk: if i % 2 == 0 { "demo".into() } else { "b1".into() },
        received_on: None,
        confirm_rename: false,
        duplicate_reason: Some("测试：同一申请人再次申请".into()),
        commitment: false,
        sms_consent: false,
    }
}

#[test]
fn a_thousand_intakes_leave_no_gap_in_any_series() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = library_store(dir.path());
    let mut seen = std::collections::BTreeSet::new();
    for i in 0..1000u32 {
        // Spread over two days: each day's case series starts again at 1.
        let now = if i < 600 { "2026-11-23T09:00:00+08:00" } else { "2026-11-24T09:00:00+08:00" };
        let o = s.intake(request(i), at(now)).unwrap();
        assert!(seen.insert(o.case_number.to_string()), "case numbers are unique");
    }
    let conn = s.connection();
    // Case numbers: 1..=600 on the 23rd, 1..=400 on the 24th.
    for (day, n) in [("20261123", 600), ("20261124", 400)] {
        let mut stmt = conn.prepare("SELECT number FROM case_file WHERE substr(number, 12, 8) = ?1 ORDER BY number").unwrap();
        let seqs: Vec<u32> = stmt.query_map([day], |r| r.get::<_, String>(0)).unwrap().map(|n| n.unwrap()[19..23].parse().unwrap()).collect();
        assert_eq!(seqs, (1..=n).collect::<Vec<_>>(), "{day}");
    }
    // Every document kind runs 1..=n without a gap.
    let mut stmt = conn.prepare("SELECT kind, seq FROM document ORDER BY kind, seq").unwrap();
    let mut by_kind: BTreeMap<String, Vec<u32>> = BTreeMap::new();
    for row in stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, u32>(1)?))).unwrap() {
        let (k, seq) = row.unwrap();
        by_kind.entry(k).or_default().push(seq);
    }
    assert_eq!(by_kind.keys().cloned().collect::<Vec<_>>(), ["completion", "receipt", "refusal", "supplement"]);
    for (k, seqs) in &by_kind {
        assert_eq!(seqs.len(), 250, "{k}");
        assert_eq!(*seqs, (1..=250).collect::<Vec<_>>(), "{k}");
    }
    // Events: contiguous, chained.
    let (min, max, n): (i64, i64, i64) = conn.query_row("SELECT min(seq), max(seq), count(*) FROM event", [], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap();
    assert_eq!((min, max), (1, n));
    assert_eq!(s.verify().unwrap().fault, None);
}

#[test]
fn a_failed_intake_takes_no_number() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = library_store(dir.path());
    s.intake(request(0), at(NOW)).unwrap();
    let mut bad = request(0);
    bad.clerk = "nobody".into();
    assert_eq!(s.intake(bad, at(NOW)).unwrap_err().code(), "store.unknown_staff");
    let o = s.intake(request(0), at(NOW)).unwrap();
    assert_eq!(o.case_number.seq(), 2);
    assert_eq!(o.documents[0].number, "〔2026〕受字第01-0002号");
}
