//! The end-of-day export of a busy window's day: 2,000 events (target: under 200 ms), read
//! from a real database file, signed, written. `cargo bench` measures; `cargo test --benches`
//! only checks that it runs.
#![allow(clippy::unwrap_used)]

use std::time::Instant;

use chrono::DateTime;
use yichuang_store::{ApplicantInput, Enrolment, IntakeRequest, Party, Store};

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let dir = tempfile::tempdir().unwrap();
    let t = DateTime::parse_from_rfc3339("2026-11-24T09:00:00+08:00").unwrap();
    let mut s = Store::open(dir.path().join("c.db")).unwrap();
    s.initialise(yichuang_core::CentreCode::parse("450821102").unwrap(), "示范镇便民服务中心", yichuang_core::TerminalId::parse("01").unwrap(), t).unwrap();
    s.load_demo(t).unwrap();
    let (head, hash) = s.head().unwrap();
    s.record_enrolment(&Enrolment {
        terminal_uid: "450821102-01-bench".into(),
        hq_url: "http://127.0.0.1:9".into(),
        hmac_key: "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=".into(),
        hq_public_key: String::new(),
        base_seq: head,
        base_hash: hash,
        enrolled_at: t.to_rfc3339(),
    })
    .unwrap();
    let n = if full { 1_000 } else { 50 };
    for i in 0..n {
        let first17 = format!("450821{}{:03}", (chrono::NaiveDate::from_ymd_opt(1950, 1, 1).unwrap() + chrono::Days::new(i / 1000)).format("%Y%m%d"), i % 1000);
        let id = format!("{first17}{}", yichuang_core::ids::id_check_char(&first17).unwrap());
        let req = IntakeRequest {
            item: "LS-01".into(),
            applicant: ApplicantInput {
                party: Party::Person { id_number: yichuang_core::IdNumber::parse(&id).unwrap(), name: yichuang_core::PersonName::parse("韦秀英").unwrap() },
                phone: None,
            },
            agent: None,
            presented: ["SFZ", "HKB", "SQS", "KNZM"]
                .iter()
                .map(|m| yichuang_core::Presented { material: yichuang_core::MaterialCode::parse(m).unwrap(), pages: 1, copies: 1 })
                .collect(),
            defects: vec![],
            conditions: vec![],
            refusal: None,
            clerk: "demo".into(),
            received_on: None,
            confirm_rename: false,
            duplicate_reason: Some("基准测试：同一申请人再次申请".into()),
            commitment: false,
            sms_consent: false,
        };
        s.intake(req, t).unwrap();
    }
    let day = t.date_naive();
    let out = dir.path().join("day.json");
    let mut times = vec![];
    let mut count = 0;
    for _ in 0..if full { 20 } else { 1 } {
        let start = Instant::now();
        let b = yichuang_sync::export::export_day(&s, day, t).unwrap();
        yichuang_sync::export::write(&b, &out).unwrap();
        times.push(start.elapsed().as_secs_f64() * 1000.0);
        count = b.manifest.count;
    }
    times.sort_by(f64::total_cmp);
    println!(
        "export of a {count}-event day: median {:.1} ms, worst {:.1} ms ({} KB)",
        times[times.len() / 2],
        times[times.len() - 1],
        std::fs::metadata(&out).unwrap().len() / 1024
    );
}
