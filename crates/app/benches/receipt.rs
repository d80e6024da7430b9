//! The window's intake path without the WebView: the form parsed for the signed-in clerk
//! (`forms`), the intake committed (case, materials, events, receipt number, keyed chain seal,
//! fsync), the receipt's QR code signed with the sealed terminal key, and its A4 PDF with the
//! stub rendered — what stands between F9 and a receipt ready to print. Target: under 15 ms.
//!
//! Under `cargo test` (no `--bench`) it runs a few rounds only, so that the suite stays quick.
#![allow(clippy::unwrap_used)]

use chrono::{DateTime, Duration, FixedOffset};
use criterion::{criterion_group, criterion_main, Criterion};
use yichuang_app::forms::{ApplicantForm, IntakeForm, MaterialLine};
use yichuang_core::ids::id_check_char;
use yichuang_print::Layout;
use yichuang_store::Store;

fn at(s: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(s).unwrap()
}

fn form(i: u64) -> IntakeForm {
    let first17 = format!("45082119{:02}0101{:03}", 50 + i % 40, i % 1000);
    let line = |c: &str, copies| MaterialLine { code: c.into(), pages: 2, copies, defect: String::new() };
    IntakeForm {
        item: "CJ-01".into(),
        applicant: ApplicantForm {
            name: "韦秀英".into(),
            id_number: format!("{first17}{}", id_check_char(&first17).unwrap()),
            phone: "13907751234".into(),
            ..Default::default()
        },
        materials: vec![line("SFZ", 1), line("HKB", 1), line("ZP", 3), line("SQB", 1)],
        duplicate_reason: "基准测试：同一申请人再次申请".into(),
        ..Default::default()
    }
}

fn receipt_ready(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(dir.path().join("bench.db")).unwrap();
    let start = at("2026-01-05T08:00:00+08:00");
    yichuang_app::setup::demo_centre(&mut s, start).unwrap();
    yichuang_print::font::font().unwrap();
    let mut i = 0u64;
    let mut ready = |s: &mut Store| {
        // At most 9,999 cases a day per terminal: move on a day every 9,000.
        let now = start + Duration::hours(1) + Duration::days((i / 9000) as i64);
        let out = s.intake(form(i).into_request("demo").unwrap(), now).unwrap();
        let receipt = &out.documents[0].number;
        let qr = s.document_qr(receipt, now).unwrap();
        let pdf = yichuang_print::render(&s.document(receipt).unwrap(), Layout::A4, true, &qr).unwrap();
        i += 1;
        pdf.len()
    };
    assert!(ready(&mut s) > 10_000);
    c.bench_function("receipt ready (form parsed, intake committed with fsync, QR signed, A4 PDF with stub)", |b| b.iter(|| ready(&mut s)));
    assert_eq!(s.verify().unwrap().fault, None);
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30);
    targets = receipt_ready
}
criterion_main!(benches);
