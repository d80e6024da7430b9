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

/// How long a full run of `args` on a copy of nothing takes here, to spread kills over it.
fn duration_of(run: impl Fn() -> std::process::Output) -> Duration {
    let start = std::time::Instant::now();
    let out = run();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    start.elapsed()
}

fn init_command(db: &std::path::Path) -> Command {
    let mut cmd = Command::new(bin());
    cmd.arg("--db")
        .arg(db)
        .args(["init", "--centre-code", "450821102", "--centre-name", "示范镇便民服务中心", "--terminal", "01", "--demo"])
        .env("YICHUANG_NOW", SET_UP_AT)
        .env_remove("YICHUANG_DB")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    cmd
}

/// A hundred kills during `init --demo`: each leaves either no centre, and `init` runs again,
/// or the whole centre (its catalogue, three staff, a whole chain); never one that can neither
/// be set up again nor used.
#[test]
fn a_hundred_kills_during_init_each_leave_a_centre_that_can_be_set_up_or_used() {
    let probe = tempfile::tempdir().unwrap();
    let full = duration_of(|| init_command(&probe.path().join("c.db")).output().unwrap());
    let (mut whole, mut none) = (0, 0);
    for round in 0..100u32 {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("c.db");
        let mut child = init_command(&db).spawn().unwrap();
        // Kills spread from the first instant to the end of a full run; the last rounds run to
        // the end (a condition, so a busy machine cannot leave every round cut short).
        if round < 95 {
            std::thread::sleep(full.mul_f64(f64::from(round) / 95.0));
            let _ = child.kill();
        }
        child.wait().unwrap();
        let centre = db.exists().then(|| {
            let s = yichuang_store::Store::open(&db).unwrap_or_else(|e| panic!("round {round}: {e}"));
            s.centre().is_ok()
        });
        if centre == Some(true) {
            whole += 1;
        } else {
            none += 1;
            let out = init_command(&db).output().unwrap();
            assert!(out.status.success(), "round {round}: init again: {}", String::from_utf8_lossy(&out.stderr));
        }
        let s = yichuang_store::Store::open(&db).unwrap();
        assert_eq!(s.verify().unwrap().fault, None, "round {round}");
        assert_eq!(s.staff_list().unwrap().len(), 3, "round {round}: the demo staff, all of them");
        assert!(!s.catalogue().unwrap().is_empty(), "round {round}: the catalogue");
    }
    eprintln!("kills during init: {whole} left the whole centre, {none} none (set up again)");
    assert!(whole > 0 && none > 0, "the kills landed both before and after the end: {whole} / {none}");
}

/// A hundred kills during `restore`: each leaves either the database it replaced or the
/// restored one with its `store.restored` event and new terminal number, and a restore after
/// an interrupted one succeeds.
#[test]
fn a_hundred_kills_during_restore_each_leave_the_old_or_the_restored_database_with_its_event() {
    let template = Centre::new();
    let backup = template.dir.path().join("b.db");
    template.ok(&["backup", "--out", backup.to_str().unwrap()]);
    // After the backup, two more applications: the live database is ahead of it.
    for i in 0..2 {
        template.json(&["case", "intake", &template.file(&format!("a{i}.json"), &cj01(&id("45082119680405302"), CJ01_ALL)), "--json"]);
    }
    let live_events = template.count("SELECT count(*) FROM event");
    let restore = |db: &std::path::Path, backup: &std::path::Path| {
        let mut cmd = Command::new(bin());
        cmd.arg("--db").arg(db).args(["restore", "--from", backup.to_str().unwrap(), "--terminal", "05"]).env("YICHUANG_NOW", NOW).env_remove("YICHUANG_DB");
        cmd
    };
    let copy = |to: &std::path::Path| {
        let s = template.store();
        s.backup_to(&to.join("c.db"), None).unwrap();
        std::fs::copy(&backup, to.join("b.db")).unwrap();
    };
    let probe = tempfile::tempdir().unwrap();
    copy(probe.path());
    let full = duration_of(|| restore(&probe.path().join("c.db"), &probe.path().join("b.db")).output().unwrap());
    let (mut restored, mut old) = (0, 0);
    for round in 0..100u32 {
        let dir = tempfile::tempdir().unwrap();
        copy(dir.path());
        let db = dir.path().join("c.db");
        let mut child = restore(&db, &dir.path().join("b.db")).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
        if round < 95 {
            std::thread::sleep(full.mul_f64(f64::from(round) / 95.0));
            let _ = child.kill();
        }
        child.wait().unwrap();
        let s = yichuang_store::Store::open(&db).unwrap_or_else(|e| panic!("round {round}: {e}"));
        assert_eq!(s.integrity_check().unwrap(), "ok", "round {round}");
        assert_eq!(s.verify().unwrap().fault, None, "round {round}");
        let events: i64 = s.connection().query_row("SELECT count(*) FROM event", [], |r| r.get(0)).unwrap();
        let marks: i64 = s.connection().query_row("SELECT count(*) FROM event WHERE kind = 'store.restored'", [], |r| r.get(0)).unwrap();
        if marks == 1 {
            restored += 1;
            assert_eq!(s.centre().unwrap().terminal.to_string(), "05", "round {round}");
        } else {
            old += 1;
            assert_eq!((marks, events), (0, live_events), "round {round}: the old database, untouched");
            drop(s);
            let out = restore(&db, &dir.path().join("b.db")).output().unwrap();
            assert!(out.status.success(), "round {round}: restore again: {}", String::from_utf8_lossy(&out.stderr));
        }
    }
    eprintln!("kills during restore: {restored} left the restored database, {old} the old one (restored again)");
    assert!(restored > 0 && old > 0, "the kills landed both before and after the end: {restored} / {old}");
}
