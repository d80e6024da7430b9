//! The centre's LAN through the real binary: windows that run `serve-peer` and know each other
//! (`peer add`) exchange their streams on `sync` with no county link at all; a case taken in at
//! one window is found and handed out at another within one round, and goes back; a window of
//! another centre is refused.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use crate::util::*;

/// `yichuang serve-peer` on a free loopback port; killed when dropped.
struct Serving {
    child: Child,
    url: String,
}

impl Drop for Serving {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(c: &Centre) -> Serving {
    let mut child = Command::new(bin())
        .arg("--db")
        .arg(&c.db)
        .args(["serve-peer", "--listen", "127.0.0.1:0"])
        .env("YICHUANG_NOW", NOW)
        .env_remove("YICHUANG_DB")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    // Ready when it says where it listens (a condition, not a delay).
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let addr = line.split("正在").nth(1).and_then(|r| r.split('上').next()).unwrap_or_else(|| panic!("{line}")).to_owned();
    Serving { child, url: format!("http://{addr}") }
}

fn refused(c: &Centre, args: &[&str]) -> String {
    let out = c.run(args);
    assert!(!out.status.success(), "{args:?} should be refused");
    format!("{}{}", String::from_utf8_lossy(&out.stderr), String::from_utf8_lossy(&out.stdout))
}

#[test]
fn a_case_taken_in_at_one_window_is_collected_at_another_over_the_lan() {
    let (t1, t2) = (Centre::terminal("01"), Centre::terminal("02"));
    let v = t1.json(&["case", "intake", &t1.file("a.json", &cj01(&id("45082119680405302"), CJ01_ALL)), "--json"]);
    let n = v["case_number"].as_str().unwrap().to_owned();
    t1.ok(&["case", "decide", &n, "--approve", "--actor", "demo"]);
    t1.ok(&["case", "ready", &n, "--actor", "demo"]);
    let (s1, s2) = (serve(&t1), serve(&t2));

    // Neither window is enrolled with HQ, and neither knows the other yet.
    let err = refused(&t2, &["sync"]);
    assert!(err.contains("也未添加本中心的其他窗口"), "{err}");
    let err = refused(&t2, &["peer", "add", &s1.url]);
    assert!(err.contains("尚未被本机认可") && err.contains("指纹"), "{err}");
    let out = t2.ok(&["peer", "add", &s1.url, "--accept", "--actor", "head"]);
    assert!(out.contains("已添加本中心窗口") && out.contains("终端01"), "{out}");
    // Window 01 has not added 02: the round is refused there, and 02 is told why.
    let err = refused(&t2, &["sync"]);
    assert!(err.contains("尚未认可终端02"), "{err}");
    t1.ok(&["peer", "add", &s2.url, "--accept", "--actor", "head"]);

    // One round, and 02 finds the case and hands it out.
    let out = t2.ok(&["sync"]);
    assert!(out.contains("局域网：终端01") && !out.contains("新收0条"), "{out}");
    let v = t2.json(&["case", "show", &n, "--json"]);
    assert_eq!((v["status"].as_str(), v["applicant"]["name"].as_str()), (Some("ready"), Some("李秀英")));
    t2.ok(&["case", "collect", &n, "--by", "李秀英", "--actor", "demo"]);

    // 01 learns of the collection on its own round; a round with nothing new brings nothing.
    let out = t1.ok(&["sync", "--json"]);
    let lan: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(lan["lan"][0]["new"].as_i64().unwrap() > 0 && lan["lan"][0]["error"].is_null(), "{lan}");
    let v = t1.json(&["case", "show", &n, "--json"]);
    assert_eq!((v["status"].as_str(), v["collected_by"].as_str()), (Some("collected"), Some("李秀英")));
    let again = t1.json(&["sync", "--json"]);
    assert_eq!((again["lan"][0]["new"].as_i64(), again["lan"][0]["repeated"].as_i64()), (Some(0), Some(0)), "{again}");
    for t in [&t1, &t2] {
        assert_eq!(t.ok(&["verify"]).trim(), "ok");
        let r = t.json(&["report", "--month", "2026-11", "--json"]);
        assert_eq!(r["total"]["received"], 1, "counted once at every window: {r}");
    }
    let peers = t1.json(&["peer", "list", "--json"]);
    assert_eq!(peers["streams"][0]["via"], "lan");
    assert_eq!(peers["windows"][0]["terminal"], "02");
    assert!(peers["windows"][0]["last_ok_at"].is_string(), "{peers}");

    // A window that is switched off: the round says so in Chinese, and fails.
    drop(s1);
    let err = refused(&t2, &["sync"]);
    assert!(err.contains("连不上本中心的窗口") && err.contains("未开机"), "{err}");
    drop(s2);
}

#[test]
fn a_window_of_another_centre_is_refused() {
    let t1 = Centre::terminal("01");
    let s1 = serve(&t1);
    let other = Centre::new_at("450821103", "01");
    let err = refused(&other, &["peer", "add", &s1.url, "--accept", "--actor", "head"]);
    assert!(err.contains("是中心450821102的窗口，本机属于中心450821103"), "{err}");
    assert_eq!(other.count("SELECT count(*) FROM peer_endpoint"), 0);
    let err = refused(&t1, &["peer", "add", "192.168.1.12:47810"]);
    assert!(err.contains("不是窗口地址"), "{err}");
}
