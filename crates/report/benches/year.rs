//! The monthly report over a year of a busy centre: 100,000 cases (about 300,000 events) in a
//! real database file, the report of its last month read and folded (target: under 1 s).
//! `cargo bench -p yichuang-report`; under `cargo test --benches` a small year only checks it runs.
#![allow(clippy::unwrap_used)]

use std::time::Instant;

use chrono::{DateTime, Days, NaiveDate};
use yichuang_events::{self as ev, Event};
use yichuang_report::Period;
use yichuang_store::Store;

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let cases: u32 = if full { 100_000 } else { 2_000 };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("year.db");
    let t = DateTime::parse_from_rfc3339("2025-12-31T09:00:00+08:00").unwrap();
    {
        let mut s = Store::open(&path).unwrap();
        s.initialise(yichuang_core::CentreCode::parse("450821102").unwrap(), "示范镇便民服务中心", yichuang_core::TerminalId::parse("01").unwrap(), t).unwrap();
        s.load_demo(t).unwrap();
    }
    // The year's events, written straight into the log (the chain is not what is measured here):
    // each case an intake, most a decision, some a supplement first, an extension, a rating.
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch("PRAGMA synchronous = OFF; BEGIN").unwrap();
    let mut seq: i64 = conn.query_row("SELECT max(seq) FROM event", [], |r| r.get(0)).unwrap();
    let start = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    let items = ["LS-01", "GL-01", "YL-01", "CJ-01", "DB-01", "ZJ-01"];
    let mut ins = conn
        .prepare("INSERT INTO event (seq, id, terminal, at, actor, kind, subject, payload, prev_hash, hash) VALUES (?1, ?2, '01', ?3, 'demo', ?4, ?5, ?6, '', '')")
        .unwrap();
    // Each event is built as the store builds it, so the fold reads exactly what it would.
    let mut put = |day: NaiveDate, subject: &str, event: Event| {
        seq += 1;
        let at = format!("{day}T10:00:00+08:00");
        ins.execute(rusqlite::params![seq, format!("id{seq}"), at, event.kind(), subject, event.payload().to_string()]).unwrap();
    };
    let due_on = |date: NaiveDate| Some(ev::Due { date, provisional: false, calendar_version: "2026v1".into() });
    let step = |status: &str, due: Option<ev::Due>| ev::Step { status: status.into(), paused: false, due };
    for i in 0..cases {
        let day = start + Days::new(u64::from(i) * 365 / u64::from(cases));
        let number = format!("4508211020120260101{i:05}");
        let item = items[(i % 6) as usize];
        let due = day + Days::new(14);
        let (decision, status) = match i % 10 {
            0 => ("supplement", "awaiting_supplement"),
            1 => ("immediate", "completed"),
            9 if i % 20 == 9 => ("refused", "refused"),
            _ => ("accepted", "accepted"),
        };
        let material = |code: &str, pages| ev::Material { material: code.into(), pages, copies: 1, defect: None };
        put(
            day,
            &number,
            Event::CaseIntake(Box::new(ev::CaseIntake {
                item: item.into(),
                catalogue_version: "2026.12-demo".into(),
                applicant: ev::Applicant { kind: "person".into(), key: "450821196804053025".into(), name: "韦秀英".into(), phone: None },
                agent: None,
                decision: decision.into(),
                status: status.into(),
                deemed_accepted: false,
                received_on: day,
                clock_start: Some(day),
                limit: ev::LimitSpec { days: 10, unit: "working".into() },
                due: due_on(due),
                materials: vec![material("SFZ", 1), material("HKB", 2)],
                conditions: vec![],
                deficiencies: vec![],
                refusal: None,
                handler: "demo".into(),
                covering_for: None,
                owed_by: None,
                duplicate: None,
            })),
        );
        put(
            day,
            &format!("SL-2026-01-{i:06}"),
            Event::DocumentIssued(ev::DocumentIssued {
                kind: "receipt".into(),
                number: format!("SL-2026-01-{i:06}"),
                case: Some(number.clone()),
                inquiry: None,
                body: serde_json::json!({}),
            }),
        );
        if decision == "supplement" {
            put(
                day + Days::new(2),
                &number,
                Event::CaseSupplemented(ev::CaseSupplemented {
                    round: 2,
                    materials: vec![],
                    decision: "accepted".into(),
                    status: "accepted".into(),
                    clock_start: Some(day + Days::new(2)),
                    due: due_on(due + Days::new(2)),
                    deficiencies: vec![],
                    refusal: None,
                    paused: false,
                }),
            );
        }
        if i % 7 == 0 {
            put(
                day + Days::new(5),
                &number,
                Event::CaseExtended(ev::CaseExtended {
                    days: 5,
                    reason: "需调查".into(),
                    approver: "head".into(),
                    approver_name: "王建国".into(),
                    step: step("accepted", due_on(due + Days::new(7))),
                }),
            );
        }
        if matches!(decision, "accepted" | "supplement") && i % 13 != 0 {
            let done = day + Days::new(u64::from(i % 20));
            put(done, &number, Event::CaseDecided(ev::CaseDecided { approved: true, reason: String::new(), step: step("approved", None) }));
            if i % 3 == 0 {
                put(
                    done + Days::new(1),
                    &number,
                    Event::CaseRated(ev::CaseRated {
                        rating: "satisfied".into(),
                        bad: i % 9 == 0,
                        channel: "visit".into(),
                        on: done + Days::new(1),
                        rectification_due: None,
                    }),
                );
            }
        }
    }
    drop(ins);
    conn.execute_batch("COMMIT").unwrap();
    let events: i64 = conn.query_row("SELECT count(*) FROM event", [], |r| r.get(0)).unwrap();
    drop(conn);
    let store = Store::open(&path).unwrap();
    let mut times = vec![];
    let mut received = 0;
    for _ in 0..if full { 5 } else { 1 } {
        let t = Instant::now();
        let r = yichuang_report::from_store(&store, Period::month(2026, 12).unwrap()).unwrap();
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        received = r.total.received;
    }
    times.sort_by(f64::total_cmp);
    assert!(received > 0);
    println!(
        "monthly report over a year of {cases} cases ({events} events): median {:.0} ms, worst {:.0} ms ({} received in December)",
        times[times.len() / 2],
        times[times.len() - 1],
        received
    );
}
