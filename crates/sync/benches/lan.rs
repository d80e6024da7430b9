//! A LAN round between two windows of a centre with nothing new (target: under 50 ms): the
//! hello with its signature, the signed request, the sealed empty answer opened and checked,
//! against a real `serve-peer` on loopback and real database files. Then a round that brings
//! 2,000 new events. `cargo bench -p yichuang-sync --bench lan` measures; `cargo test
//! --benches` runs it small.
#![allow(clippy::unwrap_used)]

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::DateTime;
use yichuang_core::{CentreCode, TerminalId};
use yichuang_store::Store;
use yichuang_sync::lan::{self, PeerServer};

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let t = DateTime::parse_from_rfc3339("2026-11-24T09:00:00+08:00").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let window = |name: &str, terminal: &str| {
        let p = dir.path().join(name);
        let mut s = Store::open(&p).unwrap();
        s.initialise(CentreCode::parse("450821102").unwrap(), "示范镇便民服务中心", TerminalId::parse(terminal).unwrap(), t).unwrap();
        s.load_demo(t).unwrap();
        (p, s)
    };
    let (p1, mut s1) = window("w1.db", "01");
    let (_, mut s2) = window("w2.db", "02");
    let server = PeerServer::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", server.local_addr());
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    let serving = std::thread::spawn(move || {
        let store = Store::open(&p1).unwrap();
        server.serve(&store, &flag, &|| t);
    });
    let peer2 = lan::add_peer(&mut s2, &url, Some("head"), t).unwrap();
    // 01 trusts 02 through a file-less path too: its head adds 02's key (no server needed for that).
    let hello2 = yichuang_store::PeerHello {
        centre: "450821102".into(),
        terminal: "02".into(),
        public_key: s2.terminal_public_key().unwrap().unwrap(),
    };
    s1.add_peer_endpoint("http://127.0.0.1:9", &hello2, Some("head"), t).unwrap();
    let timeout = Duration::from_secs(30);
    lan::round(&mut s2, &peer2, timeout, t).unwrap();

    let rounds = if full { 200 } else { 5 };
    let mut took: Vec<f64> = (0..rounds)
        .map(|_| {
            let started = Instant::now();
            let r = lan::round(&mut s2, &peer2, timeout, t).unwrap();
            assert_eq!(r.new, 0);
            started.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    took.sort_by(f64::total_cmp);
    let median = took[took.len() / 2];
    let p95 = took[(took.len() * 95 / 100).min(took.len() - 1)];
    println!("LAN round with nothing new: median {median:.1} ms, p95 {p95:.1} ms over {rounds} rounds (target < 50 ms)");

    // A busy morning at window 01, then one round.
    let n = if full { 2_000 } else { 50 };
    for i in 0..n {
        s1.add_known_key(&format!("450821102-{:02}-{i}", 3 + i % 90), &s2.terminal_public_key().unwrap().unwrap(), "system", t).unwrap();
    }
    let started = Instant::now();
    let r = lan::round(&mut s2, &peer2, timeout, t).unwrap();
    let secs = started.elapsed().as_secs_f64();
    assert_eq!(r.new, n);
    println!("LAN round bringing {n} new events: {:.0} ms ({:.0} events/s)", secs * 1000.0, n as f64 / secs);
    stop.store(true, Ordering::Relaxed);
    serving.join().unwrap();
}
