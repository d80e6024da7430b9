//! The monthly report over a year of a busy centre: 100,000 cases (about 300,000 events) in a
//! real database file, the report of its last month read and folded (target: under 1 s).
//! `cargo bench -p yichuang-report`; under `cargo test --benches` a small year only checks it runs.
#![allow(clippy::unwrap_used)]

use std::time::Instant;

use chrono::{DateTime, Days, NaiveDate};
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
    let mut put = |kind: &str, day: NaiveDate, subject: &str, payload: String| {
        seq += 1;
        ins.execute(rusqlite::params![seq, format!("id{seq}"), format!("{day}T10:00:00+08:00"), kind, subject, payload]).unwrap();
    };
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
        put("case.intake", day, &number, format!(
            r#"{{"item":"{item}","catalogue_version":"2026.11-demo","applicant":{{"kind":"person","key":"450821196804053025","name":"韦秀英","phone":null}},"decision":"{decision}","status":"{status}","limit":{{"days":10,"unit":"working"}},"due":{{"date":"{due}","provisional":false}},"materials":[{{"material":"SFZ","pages":1,"copies":1}},{{"material":"HKB","pages":2,"copies":1}}],"handler":"demo"}}"#
        ));
        put("document.issued", day, &format!("SL-2026-01-{i:06}"), format!(r#"{{"case":"{number}"}}"#));
        if decision == "supplement" {
            put("case.supplemented", day + Days::new(2), &number, format!(r#"{{"decision":"accepted","status":"accepted","due":{{"date":"{}"}}}}"#, due + Days::new(2)));
        }
        if i % 7 == 0 {
            put("case.extended", day + Days::new(5), &number, format!(r#"{{"status":"accepted","paused":false,"due":{{"date":"{}"}},"reason":"需调查"}}"#, due + Days::new(7)));
        }
        if matches!(decision, "accepted" | "supplement") && i % 13 != 0 {
            let done = day + Days::new(u64::from(i % 20));
            put("case.decided", done, &number, r#"{"approved":true,"status":"approved","paused":false,"due":null}"#.to_owned());
            if i % 3 == 0 {
                put("case.rated", done + Days::new(1), &number, format!(r#"{{"rating":"satisfied","bad":{},"channel":"visit"}}"#, i % 9 == 0));
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
