//! Two processes acting on one case at once: the state an action depends on is read inside
//! its write transaction, so two simultaneous collections record exactly one.

use std::process::{Command, Stdio};

use yichuang_core::{IdNumber, MaterialCode, PersonName, Presented};
use yichuang_store::{ApplicantInput, IntakeRequest, Party};

use crate::util::*;

const TRIALS: usize = 100;

/// `n` cases of CJ-01 with every material, decided and ready for collection.
fn ready_cases(c: &Centre, n: usize) -> Vec<String> {
    let mut s = c.store();
    let mut out = vec![];
    for i in 0..n {
        let req = IntakeRequest {
            item: "CJ-01".into(),
            applicant: ApplicantInput {
                party: Party::Person {
                    id_number: IdNumber::parse(&id(&format!("45082119680405{:03}", i))).unwrap(),
                    name: PersonName::parse("李秀英").unwrap(),
                },
                phone: None,
            },
            agent: None,
            presented: CJ01_ALL
                .iter()
                .map(|m| Presented { material: MaterialCode::parse(m).unwrap(), pages: 1, copies: if *m == "ZP" { 3 } else { 1 } })
                .collect(),
            defects: vec![],
            conditions: vec![],
            refusal: None,
            clerk: "demo".into(),
            received_on: None,
            confirm_rename: false,
            duplicate_reason: None,
            commitment: false,
            sms_consent: false,
        };
        let number = s.intake(req, at(NOW)).unwrap().case_number.to_string();
        s.decide(&number, true, "", "demo", at(NOW)).unwrap();
        s.ready(&number, "demo", at(NOW)).unwrap();
        out.push(number);
    }
    out
}

/// Whether process `pid` has the database open (its connection exists, its read is next).
fn has_db_open(pid: u32, db: &std::path::Path) -> bool {
    let Ok(dir) = std::fs::read_dir(format!("/proc/{pid}/fd")) else { return true };
    let db = db.canonicalize().unwrap();
    dir.filter_map(Result::ok).any(|fd| std::fs::read_link(fd.path()).is_ok_and(|p| p == db))
}

#[test]
fn two_processes_collecting_one_case_record_exactly_one_collection() {
    let c = Centre::new();
    let cases = ready_cases(&c, TRIALS);
    let mut refusals = 0;
    for number in &cases {
        // Hold the write lock so that both processes start, read and wait on it together:
        // an action that read the case before taking the lock would then collect twice.
        let lock = rusqlite::Connection::open(&c.db).unwrap();
        lock.execute_batch("BEGIN IMMEDIATE").unwrap();
        let spawn = |who: &str| {
            Command::new(bin())
                .arg("--db")
                .arg(&c.db)
                .args(["case", "collect", number, "--by", who, "--actor", "demo"])
                .env("YICHUANG_NOW", "2026-11-23T10:00:00+08:00")
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        };
        let (a, b) = (spawn("李秀英"), spawn("王小明"));
        // Wait on a condition: both have opened the database (and then block on the lock).
        while !(has_db_open(a.id(), &c.db) && has_db_open(b.id(), &c.db)) {
            std::thread::yield_now();
        }
        // A moment more for both to read the case (a wait that can only make the test
        // stricter, never make it fail).
        std::thread::sleep(std::time::Duration::from_millis(30));
        lock.execute_batch("ROLLBACK").unwrap();
        drop(lock);
        let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
        let succeeded = [&a, &b].iter().filter(|o| o.status.success()).count();
        assert_eq!(succeeded, 1, "case {number}: {} / {}", String::from_utf8_lossy(&a.stderr), String::from_utf8_lossy(&b.stderr));
        let loser = if a.status.success() { &b } else { &a };
        let message = String::from_utf8_lossy(&loser.stderr);
        assert!(message.contains("不能领取"), "the second collection is refused in Chinese: {message}");
        refusals += 1;
        let collected = c.count(&format!("SELECT count(*) FROM event WHERE kind = 'case.collected' AND subject = '{number}'"));
        assert_eq!(collected, 1, "case {number} has {collected} collection events");
    }
    assert_eq!(refusals, TRIALS);
    let store = c.store();
    assert_eq!(store.verify().unwrap().fault, None);
}
