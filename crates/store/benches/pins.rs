//! Sign-in with Argon2id (target: under 0.5 s), and what the hash costs an attacker who copied
//! the database file: every 6-digit PIN tried on this machine's cores. `cargo bench -p
//! yichuang-store --bench pins` measures; `cargo test --benches` runs it small.
#![allow(clippy::unwrap_used)]

use std::time::Instant;

use chrono::DateTime;
use yichuang_core::{CentreCode, TerminalId};
use yichuang_store::Store;

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let t = DateTime::parse_from_rfc3339("2026-11-24T09:00:00+08:00").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(dir.path().join("c.db")).unwrap();
    s.initialise(CentreCode::parse("450821102").unwrap(), "示范镇便民服务中心", TerminalId::parse("01").unwrap(), t).unwrap();
    s.load_demo(t).unwrap();
    let n = if full { 30 } else { 3 };
    let mut took: Vec<f64> = (0..n)
        .map(|_| {
            let started = Instant::now();
            s.sign_in("demo", "123456", t).unwrap();
            started.elapsed().as_secs_f64()
        })
        .collect();
    took.sort_by(f64::total_cmp);
    let median = took[took.len() / 2];
    let cores = std::thread::available_parallelism().map(|c| c.get()).unwrap_or(1) as f64;
    let space = 1_000_000.0;
    let hours = space * median / cores / 3600.0;
    println!("sign-in (Argon2id m=19 MiB, t=2, p=1): median {:.1} ms over {n} (target < 500 ms)", median * 1000.0);
    println!(
        "every 6-digit PIN against a copied Argon2id hash on this machine's {cores} cores: {hours:.1} hours ({:.1} days), were it stored plain",
        hours / 24.0
    );
    // Stored masked with this PC's key (not in the file): without the key, a guess cannot be
    // checked at all; the search is over the 2^256 keys, each guess costing an Argon2id hash.
    let stored: String = s.connection().query_row("SELECT pin_hash FROM staff WHERE id = 'demo'", [], |r| r.get(0)).unwrap();
    assert!(stored.starts_with("k2$argon2id$"), "{stored}");
    let years = 2f64.powi(256) * median / cores / (3600.0 * 24.0 * 365.0);
    println!("against a copied database without the key folder: no guess can be checked; a search of the key alone at that rate: {years:.1e} years");
}
