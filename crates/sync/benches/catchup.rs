//! A new window joins a centre of five terminals that have written 500,000 events between them
//! (target: caught up — read, checked, signature verified, kept and folded — in under 30 s),
//! and the fold of every case from scratch (target: at least 100,000 events a second).
//! Each terminal's stream is one key-signed file, as a USB stick or a relay carries it; the
//! joining window is a real database file. `cargo bench -p yichuang-sync --bench catchup`
//! measures; `cargo test --benches` runs it small.
#![allow(clippy::unwrap_used)]

use std::time::Instant;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Days, NaiveDate};
use ed25519_dalek::{Signer, SigningKey};
use yichuang_core::{CaseNumber, CentreCode, TerminalId};
use yichuang_events::{self as ev, chain_hash, Event, EventRecord, GENESIS_HASH};
use yichuang_store::Store;
use yichuang_sync::Batch;

const CENTRE: &str = "450821102";

/// One terminal's stream: each case an intake, a decision, ready, collected (four events).
fn stream(terminal: u8, cases: u32) -> (Vec<u8>, usize) {
    let key = SigningKey::from_bytes(&[terminal; 32]);
    let public = URL_SAFE_NO_PAD.encode(key.verifying_key().to_bytes());
    let term = TerminalId::parse(&format!("{terminal:02}")).unwrap();
    let start = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    let mut events = vec![];
    let mut prev = GENESIS_HASH.to_owned();
    let mut push = |at: String, subject: &str, e: Event| {
        let seq = events.len() as i64 + 1;
        let id = format!("0192f0c0-{terminal:04}-7000-8000-{seq:012}");
        let payload = e.payload().to_string();
        let hash = chain_hash(&prev, seq, &id, &term.to_string(), &at, "demo", e.kind(), subject, &payload);
        events.push(EventRecord {
            seq,
            id,
            terminal: term.to_string(),
            at,
            actor: "demo".into(),
            kind: e.kind().into(),
            subject: subject.into(),
            payload,
            prev_hash: prev.clone(),
            hash: hash.clone(),
        });
        prev = hash;
    };
    let step = |status: &str| ev::Step { status: status.into(), paused: false, due: None };
    for i in 0..cases {
        let day = start + Days::new(u64::from(i / 200));
        let number = CaseNumber::new(&CentreCode::parse(CENTRE).unwrap(), term, day, i % 200 + 1).unwrap().to_string();
        let at = |h: u32| format!("{day}T{h:02}:{:02}:00+08:00", i % 60);
        let due = Some(ev::Due { date: day + Days::new(14), provisional: false, calendar_version: "2026v1".into() });
        push(
            at(9),
            &number,
            Event::CaseIntake(Box::new(ev::CaseIntake {
                item: "LS-01".into(),
                catalogue_version: "2026.12-demo".into(),
                applicant: ev::Applicant { kind: "person".into(), key: format!("4508211968040{:05}", i % 100_000), name: "韦秀英".into(), phone: None },
                agent: None,
                decision: "accepted".into(),
                status: "accepted".into(),
                deemed_accepted: false,
                received_on: day,
                clock_start: Some(day),
                limit: ev::LimitSpec { days: 10, unit: "working".into() },
                due: due.clone(),
                materials: ["SFZ", "HKB", "SQS", "KNZM"].iter().map(|m| ev::Material { material: (*m).into(), pages: 1, copies: 1, defect: None }).collect(),
                conditions: vec![],
                deficiencies: vec![],
                refusal: None,
                handler: "demo".into(),
                covering_for: None,
                owed_by: None,
                duplicate: None,
            })),
        );
        push(at(10), &number, Event::CaseDecided(ev::CaseDecided { approved: true, reason: String::new(), step: step("approved") }));
        push(at(11), &number, Event::CaseReady(step("ready")));
        push(at(12), &number, Event::CaseCollected(ev::CaseCollected { by: "韦秀英".into(), id_number: None, role: None, step: step("collected") }));
    }
    let n = events.len();
    let batch = Batch::build_key_signed(CENTRE, &term.to_string(), &public, GENESIS_HASH, events, "2026-12-01T09:00:00+08:00", |bytes| {
        Ok(URL_SAFE_NO_PAD.encode(key.sign(bytes).to_bytes()))
    })
    .unwrap();
    (batch.to_bytes(), n)
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let per_terminal: u32 = if full { 25_000 } else { 500 };
    let t = DateTime::parse_from_rfc3339("2026-12-01T09:00:00+08:00").unwrap();
    let files: Vec<(Vec<u8>, usize)> = (1..=5).map(|k| stream(k, per_terminal)).collect();
    let total: usize = files.iter().map(|(_, n)| n).sum();
    let bytes: usize = files.iter().map(|(b, _)| b.len()).sum();

    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(dir.path().join("new-window.db")).unwrap();
    s.initialise(CentreCode::parse(CENTRE).unwrap(), "示范镇便民服务中心", TerminalId::parse("06").unwrap(), t).unwrap();
    s.load_demo(t).unwrap();
    // What checking alone costs: reading, every hash and link, the signature.
    let started = Instant::now();
    for (b, _) in &files {
        let batch = Batch::from_bytes(b).unwrap();
        batch.check().unwrap();
        batch.verify_key_signature().unwrap();
    }
    let check_s = started.elapsed().as_secs_f64();
    let started = Instant::now();
    for (b, _) in &files {
        let r = yichuang_sync::export::import_from_peer(&mut s, b, Some("head"), "file", t).unwrap();
        assert_eq!(r.conflicts, 0);
    }
    let caught_up = started.elapsed().as_secs_f64();
    let cases: i64 = s.connection().query_row("SELECT count(*) FROM case_file WHERE status = 'collected'", [], |r| r.get(0)).unwrap();
    assert_eq!(cases, i64::from(per_terminal) * 5);

    // The fold from scratch: every case's events, in the centre's order, folded again.
    let events = s.peer_events().unwrap();
    let started = Instant::now();
    let mut by_case: std::collections::HashMap<&str, Vec<ev::Sourced>> = std::collections::HashMap::new();
    for e in &events {
        by_case.entry(e.subject.as_str()).or_default().push(ev::Sourced { stream: String::new(), record: e.clone() });
    }
    let mut folded = 0;
    for list in by_case.values_mut() {
        ev::centre_order(list, "");
        if ev::fold_case(list).unwrap().is_some_and(|f| f.status == "collected") {
            folded += 1;
        }
    }
    let fold_s = started.elapsed().as_secs_f64();
    assert_eq!(folded, cases);
    let started = Instant::now();
    assert_eq!(s.verify().unwrap().fault, None);
    let verify_s = started.elapsed().as_secs_f64();
    println!(
        "a new window catches up with 5 terminals: {total} events ({:.1} MB of files) read, checked and folded in {caught_up:.2} s \
         ({:.0} events/s; reading and checking alone {check_s:.2} s); every case folded again from scratch at {:.0} events/s; verify of the joined database {verify_s:.2} s",
        bytes as f64 / 1e6,
        total as f64 / caught_up,
        total as f64 / fold_s
    );
}
