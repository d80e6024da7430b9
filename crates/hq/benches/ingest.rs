//! HQ ingest throughput into PostgreSQL with every check on, batches of 500, as one
//! terminal of a one-window centre sends them. Needs `YICHUANG_PG_URL` (scripts/pg-test-server.sh). `cargo bench` runs the
//! full measurement (100,000 events); `cargo test --benches` a small one that only checks it works.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Instant;

use yichuang_store::{chain_hash, EventRecord, GENESIS_HASH};
use yichuang_sync::Batch;

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let Ok(admin) = std::env::var("YICHUANG_PG_URL") else {
        eprintln!("ingest bench: YICHUANG_PG_URL is not set (eval \"$(scripts/pg-test-server.sh)\"); skipped");
        return;
    };
    let n_events: i64 = if full { 100_000 } else { 2_000 };
    let name = format!("bench_{}", std::process::id());
    let out = std::process::Command::new("psql").args([&admin, "-qc", &format!("CREATE DATABASE {name}")]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let url = format!("{}/{name}", admin.rsplit_once('/').unwrap().0);
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let pool = yichuang_hq::pool(&url).unwrap();
    rt.block_on(yichuang_hq::migrate(&pool)).unwrap();
    let key = yichuang_hq::random_b64(32);
    let uid = "450821102-01-bench";
    rt.block_on(async {
        let c = pool.get().await.unwrap();
        c.execute("INSERT INTO centre (code, name) VALUES ('450821102', '示范镇便民服务中心')", &[]).await.unwrap();
        c.execute(
            "INSERT INTO terminal (uid, centre_code, label, hmac_key, base_seq, base_hash, held_seq, held_hash, confirmed_at, confirmed_by)
             VALUES ($1, '450821102', '01', $2, 0, $3, 0, $3, now(), 'bench')",
            &[&uid, &key, &GENESIS_HASH],
        )
        .await
        .unwrap();
    });
    // A day's work as it really arrives: an intake (a case) then its receipt, each event with
    // a payload of the size the store writes.
    let mut prev = GENESIS_HASH.to_owned();
    let events: Vec<EventRecord> = (1..=n_events)
        .map(|seq| {
            let case = format!("45082110201202611{:06}0", (seq + 1) / 2);
            let (kind, subject, payload) = if seq % 2 == 1 {
                ("case.intake", case.clone(), format!(
                    r#"{{"item":"LS-01","catalogue_version":"2026.12-demo","applicant":{{"kind":"person","key":"450821196804053025","name":"韦秀英","phone":null}},"decision":"accepted","status":"accepted","received_on":"2026-11-23","limit":{{"days":10,"unit":"working"}},"due":{{"date":"2026-12-07","provisional":false,"calendar_version":"2026:1"}},"materials":[{{"material":"SFZ","pages":1,"copies":1}},{{"material":"HKB","pages":2,"copies":1}},{{"material":"SQS","pages":1,"copies":1}},{{"material":"KNZM","pages":1,"copies":1}}],"handler":"demo","n":{seq}}}"#
                ))
            } else {
                ("document.issued", format!("SL-2026-01-{seq:06}"), format!(r#"{{"kind":"receipt","number":"SL-2026-01-{seq:06}","case":"{case}","body":{{}}}}"#))
            };
            let (id, at) = (format!("0192f0c0-0000-7000-8000-{seq:012}"), "2026-11-24T09:30:00+08:00".to_owned());
            let hash = chain_hash(&prev, seq, &id, "01", &at, "demo", kind, &subject, &payload);
            let e = EventRecord { seq, id, terminal: "01".into(), at, actor: "demo".into(), kind: kind.into(), subject, payload, prev_hash: prev.clone(), hash: hash.clone() };
            prev = hash;
            e
        })
        .collect();
    let batches: Vec<Vec<u8>> = events
        .chunks(500)
        .map(|c| {
            let before = if c[0].seq == 1 { GENESIS_HASH.to_owned() } else { events[(c[0].seq - 2) as usize].hash.clone() };
            Batch::build("450821102", uid, &before, c.to_vec(), &key, "2026-11-24T18:00:00+08:00").unwrap().to_bytes()
        })
        .collect();
    let bytes: usize = batches.iter().map(Vec::len).sum();
    let t = Instant::now();
    let rejected = rt.block_on(async {
        let mut rejected = 0;
        for b in &batches {
            rejected += yichuang_hq::ingest::ingest(&pool, b, None).await.unwrap().rejected.len();
        }
        rejected
    });
    let secs = t.elapsed().as_secs_f64();
    // Every check ran and passed: none of the events was refused.
    assert_eq!(rejected, 0, "the bench's events must pass HQ's rules");
    let held: i64 = rt.block_on(async { pool.get().await.unwrap().query_one("SELECT count(*) FROM event", &[]).await.unwrap().get(0) });
    assert_eq!(held, n_events);
    println!(
        "ingest: {n_events} events in {} batches of 500 ({:.1} MB) in {:.2} s = {:.0} events/s ({:.1} ms a batch)",
        batches.len(),
        bytes as f64 / 1e6,
        secs,
        n_events as f64 / secs,
        secs * 1000.0 / batches.len() as f64
    );
    // A repeat of every batch (a terminal resending after a cut).
    let t = Instant::now();
    rt.block_on(async {
        for b in &batches {
            yichuang_hq::ingest::ingest(&pool, b, None).await.unwrap();
        }
    });
    println!("repeats acknowledged: {:.0} events/s", n_events as f64 / t.elapsed().as_secs_f64());
    drop(pool);
    let _ = std::process::Command::new("psql").args([&admin, "-qc", &format!("DROP DATABASE {name}")]).output();
}
