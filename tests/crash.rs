//! Crash safety: a child process taking in applications in a loop is killed with SIGKILL at
//! arbitrary points. After each kill the database opens, passes `PRAGMA integrity_check` and
//! `verify`, holds every intake the child reported as committed, and no number series has a gap.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::util::*;

#[test]
fn killed_mid_intake_loses_nothing_committed_and_leaves_no_gap() {
    let c = Centre::new();
    let f = c.file("loop.json", &cj01(&id("45082119680405302"), CJ01_ALL));
    let mut reported: BTreeSet<String> = BTreeSet::new();
    // Kill delays in milliseconds: a fixed spread, so that a failure can be replayed.
    let delays = [7u64, 23, 41, 60, 85, 110, 140, 175, 220, 300, 13, 95];
    for (round, delay) in delays.iter().enumerate() {
        let now = format!("2026-11-{:02}T09:00:00+08:00", 10 + round);
        let mut child = Command::new(bin())
            .arg("--db")
            .arg(&c.db)
            .args(["case", "intake", &f, "--repeat", "5000"])
            .env("YICHUANG_NOW", &now)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let reader = std::thread::spawn(move || {
            BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
                .filter_map(|l| serde_json::from_str::<serde_json::Value>(&l).ok())
                .map(|v| v["case_number"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        });
        std::thread::sleep(Duration::from_millis(*delay));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        let committed = reader.join().unwrap();
        reported.extend(committed);

        let store = c.store();
        assert_eq!(store.integrity_check().unwrap(), "ok", "round {round}");
        assert_eq!(store.verify().unwrap().fault, None, "round {round}");
        let conn = store.connection();
        for n in &reported {
            let found: i64 = conn.query_row("SELECT count(*) FROM case_file WHERE number = ?1", [n], |r| r.get(0)).unwrap();
            assert_eq!(found, 1, "reported {n} is missing after round {round}");
        }
        // Each day's case series and the receipt series are 1..=n without a gap, and every case has its receipt.
        let mut stmt = conn.prepare("SELECT substr(number, 12, 8) d, count(*), max(CAST(substr(number, 20, 4) AS INTEGER)) FROM case_file GROUP BY d").unwrap();
        for row in stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?, r.get::<_, i64>(2)?))).unwrap() {
            let (day, count, max) = row.unwrap();
            assert_eq!(count, max, "gap in the case series of {day}");
        }
        let (docs, max_doc): (i64, i64) = conn.query_row("SELECT count(*), coalesce(max(seq), 0) FROM document WHERE kind = 'receipt'", [], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
        let cases: i64 = conn.query_row("SELECT count(*) FROM case_file", [], |r| r.get(0)).unwrap();
        assert_eq!((docs, max_doc), (cases, cases), "round {round}");
    }
    assert!(reported.len() > 20, "the child committed intakes before being killed: {}", reported.len());
}
