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
        "every 6-digit PIN against a copied database on this machine's {cores} cores: {hours:.1} hours ({:.1} days); the salt makes each staff member a search of their own",
        hours / 24.0
    );
}
