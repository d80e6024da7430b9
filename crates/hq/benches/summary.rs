//! The county summary page over a year of 20 centres: each centre's year of cases (intake,
//! receipt, decision) ingested through the real path, then `GET /summary` timed through the
//! real server as an auditor. Needs `YICHUANG_PG_URL`. `cargo bench` runs 20 centres × 20
//! cases a working day; `cargo test --benches` a small one that only checks it works.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Instant;

use yichuang_store::{chain_hash, EventRecord, GENESIS_HASH};
use yichuang_sync::Batch;

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let Ok(admin) = std::env::var("YICHUANG_PG_URL") else {
        eprintln!("summary bench: YICHUANG_PG_URL is not set (eval \"$(scripts/pg-test-server.sh)\"); skipped");
        return;
    };
    let (centres, per_day, days) = if full { (20, 20, 250) } else { (2, 2, 10) };
    let name = format!("bench_summary_{}", std::process::id());
    let out = std::process::Command::new("psql").args([&admin, "-qc", &format!("CREATE DATABASE {name}")]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let url = format!("{}/{name}", admin.rsplit_once('/').unwrap().0);
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let pool = yichuang_hq::pool(&url).unwrap();
    rt.block_on(yichuang_hq::migrate(&pool)).unwrap();
    let start = chrono::NaiveDate::from_ymd_opt(2026, 1, 5).unwrap();
    let t = Instant::now();
    let mut total = 0i64;
    for c in 0..centres {
        let code = format!("4508211{:02}", c + 1);
        let uid = format!("{code}-01-bench");
        let key = yichuang_hq::random_b64(32);
        rt.block_on(async {
            let db = pool.get().await.unwrap();
            db.execute("INSERT INTO centre (code, name) VALUES ($1, $2)", &[&code, &format!("第{}镇便民服务中心", c + 1)]).await.unwrap();
            db.execute(
                "INSERT INTO terminal (uid, centre_code, label, hmac_key, base_seq, base_hash, held_seq, held_hash, confirmed_at, confirmed_by)
                 VALUES ($1, $2, '01', $3, 0, $4, 0, $4, now(), 'bench')",
                &[&uid, &code, &key, &GENESIS_HASH],
            )
            .await
            .unwrap();
        });
        let mut prev = GENESIS_HASH.to_owned();
        let mut seq = 0i64;
        let mut events = vec![];
        let mut push = |kind: &str, subject: String, payload: String, at: String, events: &mut Vec<EventRecord>| {
            seq += 1;
            let id = format!("0192f0c0-0000-7000-8000-{seq:012}");
            let hash = chain_hash(&prev, seq, &id, "01", &at, "demo", kind, &subject, &payload);
            events.push(EventRecord { seq, id, terminal: "01".into(), at, actor: "demo".into(), kind: kind.into(), subject, payload, prev_hash: prev.clone(), hash: hash.clone() });
            prev = hash;
        };
        let mut n = 0;
        for d in 0..days {
            let day = start + chrono::Days::new(d * 7 / 5);
            for _ in 0..per_day {
                n += 1;
                let case = format!("{code}01{}{n:05}", day.format("%Y%m%d"));
                let due = day + chrono::Days::new(14);
                let at = format!("{day}T09:30:00+08:00");
                push("case.intake", case.clone(), format!(
                    r#"{{"item":"LS-01","catalogue_version":"2026.12-demo","applicant":{{"kind":"person","key":"450821196804053025","name":"韦秀英","phone":null}},"decision":"accepted","status":"accepted","received_on":"{day}","limit":{{"days":10,"unit":"working"}},"due":{{"date":"{due}","provisional":false,"calendar_version":"2026:1"}},"materials":[{{"material":"SFZ","pages":1,"copies":1}}],"handler":"demo"}}"#
                ), at.clone(), &mut events);
                push("document.issued", format!("SL-2026-01-{n:06}"), format!(r#"{{"kind":"receipt","number":"SL-2026-01-{n:06}","case":"{case}","body":{{}}}}"#), at, &mut events);
                let decided = day + chrono::Days::new(7);
                push("case.decided", case, r#"{"approved":true,"reason":"","status":"approved","paused":false,"due":null}"#.into(), format!("{decided}T15:00:00+08:00"), &mut events);
            }
        }
        total += events.len() as i64;
        rt.block_on(async {
            let mut before = GENESIS_HASH.to_owned();
            for chunk in events.chunks(1000) {
                let b = Batch::build(&code, &uid, &before, chunk.to_vec(), &key, "2026-12-31T18:00:00+08:00").unwrap().to_bytes();
                let ack = yichuang_hq::ingest::ingest(&pool, &b, None).await.unwrap();
                assert!(ack.rejected.is_empty(), "{:?}", ack.rejected.first());
                before = chunk.last().unwrap().hash.clone();
            }
        });
    }
    println!("summary bench: {centres} centres, {total} events ingested in {:.1} s", t.elapsed().as_secs_f64());
    // The page, through the real server, as an auditor.
    let listener = rt.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
    let addr = listener.local_addr().unwrap();
    let app = yichuang_hq::app(pool.clone());
    rt.spawn(async move { yichuang_hq::serve(listener, app).await.unwrap() });
    rt.block_on(async { yichuang_hq::staff::add_user(&pool.get().await.unwrap(), "audit", "审计员", yichuang_hq::staff::Role::Auditor, &[], "county-pass-2026").await }).unwrap();
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).max_redirects(0).build().into();
    let r = agent.post(&format!("http://{addr}/signin")).send_form([("login", "audit"), ("password", "county-pass-2026"), ("next", "/")]).unwrap();
    let cookie = r.headers().get("set-cookie").unwrap().to_str().unwrap().split(';').next().unwrap().to_owned();
    let mut times = vec![];
    for month in ["2026-06", "2026-11", "2026-12"] {
        for _ in 0..3 {
            let t = Instant::now();
            let mut r = agent.get(&format!("http://{addr}/summary?month={month}")).header("cookie", &cookie).call().unwrap();
            let body = r.body_mut().read_to_string().unwrap();
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            assert_eq!(r.status().as_u16(), 200, "{body}");
            assert!(body.contains(&format!("4508211{:02}", centres)), "every centre on the page");
        }
    }
    times.sort_by(|a, b| a.partial_cmp(b).unwrap());
    println!(
        "county summary page over {centres} centres and {total} events: median {:.0} ms, slowest {:.0} ms (9 requests)",
        times[times.len() / 2],
        times[times.len() - 1]
    );
    drop(pool);
    let _ = std::process::Command::new("psql").args([&admin, "-qc", &format!("DROP DATABASE {name} WITH (FORCE)")]).output();
}
