//! Start-up and idle-memory figures of the release desktop app (not a test: it reports).
//! `cargo run --example startup` from tests/e2e, after `cargo build --release` in src-tauri,
//! under a display (Xvfb). Times include WebKitWebDriver's own launch of the app.
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::key::Key;
use fantoccini::{ClientBuilder, Locator};
use serde_json::json;

/// The process `root` and all its descendants (WebKit's web and network processes): pid, ppid,
/// and the `ps` field asked for.
fn tree(root: u32, field: &str) -> Vec<(u32, String)> {
    let out = Command::new("ps").args(["-e", "-o", &format!("pid=,ppid=,{field}=")]).output().unwrap();
    let rows: Vec<(u32, u32, String)> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| {
            let v: Vec<&str> = l.split_whitespace().collect();
            Some((v.first()?.parse().ok()?, v.get(1)?.parse().ok()?, v.get(2)?.to_string()))
        })
        .collect();
    let mut pids = vec![root];
    let mut i = 0;
    while i < pids.len() {
        let p = pids[i];
        pids.extend(rows.iter().filter(|r| r.1 == p).map(|r| r.0));
        i += 1;
    }
    rows.into_iter().filter(|r| pids.contains(&r.0)).map(|r| (r.0, r.2)).collect()
}

fn rss_kb_of_tree(root: u32) -> u64 {
    tree(root, "rss").iter().filter_map(|(_, kb)| kb.parse::<u64>().ok()).sum()
}

/// PSS (shared pages divided among the processes sharing them) over the same tree, from
/// /proc/PID/smaps_rollup, with each process's share: a fairer figure than summed RSS.
fn pss_kb_of_tree(root: u32) -> Vec<(String, u64)> {
    tree(root, "comm")
        .into_iter()
        .map(|(pid, name)| {
            let text = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).unwrap_or_default();
            let pss = text.lines().find(|l| l.starts_with("Pss:")).and_then(|l| l.split_whitespace().nth(1)?.parse().ok()).unwrap_or(0);
            (name, pss)
        })
        .collect()
}

#[tokio::main]
async fn main() {
    let target = std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| format!("{}/.cache/yichuang-target", std::env::var("HOME").unwrap()));
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("centre.db");
    let ok = Command::new(format!("{target}/debug/yichuang"))
        .arg("--db")
        .arg(&db)
        .args(["init", "--centre-code", "450821102", "--centre-name", "示范镇便民服务中心", "--terminal", "01", "--demo"])
        .output()
        .unwrap();
    assert!(ok.status.success());
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let native = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut driver = Command::new("tauri-driver")
        .args(["--port", &port.to_string(), "--native-port", &native.to_string()])
        .env("YICHUANG_DB", &db)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let caps = serde_json::from_value(json!({"tauri:options": {"application": format!("{target}/release/yichuang-desktop")}})).unwrap();
    let t0 = Instant::now();
    let c = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new()).capabilities(caps).connect(&format!("http://127.0.0.1:{port}")).await.unwrap();
    c.wait().at_most(Duration::from_secs(20)).for_element(Locator::Css("#pin")).await.unwrap();
    let sign_in = t0.elapsed();
    let t1 = Instant::now();
    c.find(Locator::Css("#pin")).await.unwrap().send_keys(&format!("1234{}", char::from(Key::Enter))).await.unwrap();
    c.wait().at_most(Duration::from_secs(20)).for_element(Locator::Css("#today")).await.unwrap();
    let today = t1.elapsed();
    tokio::time::sleep(Duration::from_secs(5)).await;
    let out = Command::new("pgrep").args(["-f", "release/yichuang-desktop"]).output().unwrap();
    let pid: u32 = String::from_utf8_lossy(&out.stdout).lines().next().and_then(|l| l.trim().parse().ok()).unwrap_or(0);
    let rss = rss_kb_of_tree(pid);
    let pss = pss_kb_of_tree(pid);
    println!(
        "idle PSS of the tree: {:.1} MB ({})",
        pss.iter().map(|p| p.1).sum::<u64>() as f64 / 1024.0,
        pss.iter().map(|(n, k)| format!("{n} {:.1} MB", *k as f64 / 1024.0)).collect::<Vec<_>>().join(", ")
    );
    println!("cold start to the sign-in screen: {} ms (WebDriver session included)", sign_in.as_millis());
    println!("sign-in to the Today screen: {} ms", today.as_millis());
    println!("idle RSS of the app's process tree after 5 s: {:.1} MB", rss as f64 / 1024.0);
    let _ = c.close().await;
    let _ = Command::new("kill").arg(driver.id().to_string()).status();
    let _ = driver.wait();
}
