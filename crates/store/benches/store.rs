//! Store benchmarks on a real database file (WAL, synchronous=FULL):
//! - one intake committed with its events and document number;
//! - `case list --overdue` over 100,000 cases.
//!
//! Under `cargo test` (no `--bench`), the data set is small so that the suite stays quick.
#![allow(clippy::unwrap_used)]

use chrono::{DateTime, Duration, FixedOffset};
use criterion::{criterion_group, criterion_main, Criterion};
use rusqlite::params;
use yichuang_core::ids::id_check_char;
use yichuang_core::{CaseNumber, CentreCode, IdNumber, MaterialCode, PersonName, Presented, TerminalId};
use yichuang_store::{ApplicantInput, CaseFilter, IntakeRequest, Party, Store};

fn bench_mode() -> bool {
    std::env::args().any(|a| a == "--bench")
}

fn at(s: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(s).unwrap()
}

fn store(dir: &std::path::Path) -> Store {
    let mut s = Store::open(dir.join("bench.db")).unwrap();
    s.initialise(CentreCode::parse("450821102").unwrap(), "示范镇便民服务中心", TerminalId::parse("01").unwrap(), at("2026-01-05T08:00:00+08:00")).unwrap();
    s.load_demo(at("2026-01-05T08:00:00+08:00")).unwrap();
    s
}

fn request(i: u64) -> IntakeRequest {
    let first17 = format!("45082119{:02}0101{:03}", 50 + i % 40, i % 1000);
    let m = |c: &str, copies| Presented { material: MaterialCode::parse(c).unwrap(), pages: 2, copies };
    IntakeRequest {
        item: "CJ-01".into(),
        applicant: ApplicantInput {
            party: Party::Person {
                id_number: IdNumber::parse(&format!("{first17}{}", id_check_char(&first17).unwrap())).unwrap(),
                name: PersonName::parse("韦秀英").unwrap(),
            },
            phone: None,
        },
        agent: None,
        presented: vec![m("SFZ", 1), m("HKB", 1), m("ZP", 3), m("SQB", 1)],
        defects: vec![],
        conditions: vec![],
        refusal: None,
        clerk: "demo".into(),
        received_on: None,
        confirm_rename: false,
        duplicate_reason: Some("基准测试：同一申请人再次申请".into()),
        commitment: false,
        sms_consent: false,
    }
}

fn intake(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let mut s = store(dir.path());
    let base = at("2026-01-05T09:00:00+08:00");
    let mut i = 0u64;
    c.bench_function("intake committed (case + materials + events + receipt number, fsync)", |b| {
        b.iter(|| {
            // At most 9,999 cases a day per terminal: move on a day every 9,000.
            let now = base + Duration::days((i / 9000) as i64);
            s.intake(request(i), now).unwrap();
            i += 1;
        })
    });
    assert_eq!(s.verify().unwrap().fault, None);
}

/// 100,000 cases over a year: one real intake, then the bulk copied in one transaction (a
/// read benchmark needs the rows, not 100,000 fsyncs). `running` decides which are still open.
fn year_of_cases(dir: &std::path::Path, total: u32, running: impl Fn(u32, chrono::NaiveDate) -> bool) -> Store {
    let mut s = store(dir);
    let template = s.intake(request(0), at("2026-01-05T09:00:00+08:00")).unwrap().case_number.to_string();
    let centre = CentreCode::parse("450821102").unwrap();
    let terminal = TerminalId::parse("02").unwrap();
    let conn = s.connection();
    conn.execute_batch("BEGIN").unwrap();
    let mut stmt = conn
        .prepare(
            "INSERT INTO case_file (number, item_code, catalogue_version, applicant_id, status, decision, received_on,
                clock_start, limit_days, limit_unit, due_date, handler, created_at, updated_at)
             SELECT ?1, item_code, catalogue_version, applicant_id, ?2, decision, ?3, ?3, limit_days, limit_unit, ?4,
                handler, ?5, ?5 FROM case_file WHERE number = ?6",
        )
        .unwrap();
    let start = chrono::NaiveDate::from_ymd_opt(2025, 11, 24).unwrap();
    for k in 1..total {
        let day = start + Duration::days(i64::from(k % 364));
        let number = CaseNumber::new(&centre, terminal, day, k / 364 + 1).unwrap();
        let due = s.calendar().due(day, yichuang_core::Limit::working(20).unwrap()).date();
        let status = if running(k, day) { "accepted" } else { "collected" };
        stmt.execute(params![number.as_str(), status, day, due, format!("{day}T09:00:00+08:00"), template]).unwrap();
    }
    drop(stmt);
    conn.execute_batch("COMMIT; ANALYZE;").unwrap();
    s
}

fn overdue(c: &mut Criterion) {
    let total: u32 = if bench_mode() { 100_000 } else { 2_000 };
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
    let recent = today - Duration::days(30);
    let dir = tempfile::tempdir().unwrap();
    // YICHUANG_BENCH_DIR keeps the generated database for a look with other tools.
    let kept = std::env::var_os("YICHUANG_BENCH_DIR").map(std::path::PathBuf::from);
    // A busy centre: the last month's cases still running, and 2% of older ones forgotten.
    let s = year_of_cases(kept.as_deref().unwrap_or(dir.path()), total, |k, day| day >= recent || k % 50 == 0);
    let filter = CaseFilter { overdue: true, ..CaseFilter::default() };
    let n = s.list_cases(&filter, today).unwrap().len();
    println!("{total} cases, {n} of them overdue on {today}");
    assert!(n > 0);
    c.bench_function(&format!("case list --overdue over {total} cases ({n} overdue)"), |b| {
        b.iter(|| s.list_cases(&filter, today).unwrap())
    });
    let soon = CaseFilter { due_within: Some(2), ..CaseFilter::default() };
    c.bench_function(&format!("case list --due-within 2 over {total} cases"), |b| b.iter(|| s.list_cases(&soon, today).unwrap()));
    drop(s);
    // A stress case no centre should reach: one case in five never finished.
    let dir = tempfile::tempdir().unwrap();
    let s = year_of_cases(dir.path(), total, |k, _| k % 5 == 0);
    let n = s.list_cases(&filter, today).unwrap().len();
    c.bench_function(&format!("stress: case list --overdue over {total} cases ({n} overdue)"), |b| {
        b.iter(|| s.list_cases(&filter, today).unwrap())
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30).measurement_time(std::time::Duration::from_secs(5));
    targets = intake, overdue
}
criterion_main!(benches);
