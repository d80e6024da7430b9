//! One centre, many windows: a case taken in at one terminal is found, shown, acted on and
//! handed out at another, by a file carried between them; two windows that act on one case
//! while cut off from each other converge by the written rule, the losing act kept and listed.

use std::path::{Path, PathBuf};

use crate::util::*;

/// Writes `from`'s stream for the centre's other windows and takes it in at `to`.
fn carry(from: &Centre, to: &Centre, name: &str, now: &str) -> String {
    let file = from.dir.path().join(name);
    from.ok_at(now, &["export", "--for-peers", "--out", file.to_str().unwrap(), "--to", &to.key()]);
    to.ok_at(now, &["import", file.to_str().unwrap(), "--accept", "--actor", "head"])
}

fn ready_case(c: &Centre, who: &str, now: &str) -> String {
    let v = c.json_at(now, &["case", "intake", &c.file(&format!("{who}.json"), &cj01(&id(who), CJ01_ALL)), "--json"]);
    let n = v["case_number"].as_str().unwrap().to_owned();
    c.ok_at(now, &["case", "decide", &n, "--approve", "--actor", "demo"]);
    c.ok_at(now, &["case", "ready", &n, "--actor", "demo"]);
    n
}

/// `c`'s stream for the centre's other windows, sealed (also) to `to`.
fn export(c: &Centre, name: &str, to: &Centre) -> PathBuf {
    let file = c.dir.path().join(name);
    c.ok(&["export", "--for-peers", "--out", file.to_str().unwrap(), "--to", &to.key()]);
    file
}

fn stderr_of(c: &Centre, args: &[&str]) -> String {
    let out = c.run(args);
    assert!(!out.status.success(), "{args:?} should be refused");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn peer_events(db: &Path) -> i64 {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row("SELECT count(*) FROM peer_event", [], |r| r.get(0)).unwrap()
}

#[test]
fn a_case_taken_in_at_one_window_is_collected_at_another() {
    let (t1, t2) = (Centre::terminal("01"), Centre::terminal("02"));
    let n = ready_case(&t1, "45082119680405302", NOW);
    // A first file to a window not known yet: sealed only when its key is named.
    let err = stderr_of(&t1, &["export", "--for-peers", "--out", t1.dir.path().join("x.json").to_str().unwrap()]);
    assert!(err.contains("不认识本中心其他窗口的公钥") && err.contains("--to"), "{err}");
    let f1 = export(&t1, "t1.json", &t2);
    let sealed = std::fs::read(&f1).unwrap();
    assert!(!String::from_utf8_lossy(&sealed).contains("李秀英"), "a lost stick reveals nothing");
    // A window it was not sealed to cannot open it.
    let t3 = Centre::terminal("03");
    let err = stderr_of(&t3, &["import", f1.to_str().unwrap(), "--accept", "--actor", "head"]);
    assert!(err.contains("不是给本机的"), "{err}");

    // A stranger's key is not taken on its own word; only the head accepts it.
    let err = stderr_of(&t2, &["import", f1.to_str().unwrap()]);
    assert!(err.contains("尚未被本机认可") && err.contains("指纹"), "{err}");
    let err = stderr_of(&t2, &["import", f1.to_str().unwrap(), "--accept", "--actor", "demo"]);
    assert!(err.contains("没有确认其他终端的密钥的权限"), "{err}");
    assert_eq!(peer_events(&t2.db), 0, "nothing written by a refusal");
    let out = t2.ok(&["import", f1.to_str().unwrap(), "--accept", "--actor", "head"]);
    assert!(out.contains("已导入终端01的记录：新收") && out.contains("冲突0条"), "{out}");

    // Window 02 finds the case, with its documents, and hands it out.
    let v = t2.json(&["case", "show", &n, "--json"]);
    assert_eq!(v["status"], "ready");
    assert_eq!(v["applicant"]["name"], "李秀英");
    assert!(v["documents"].as_array().unwrap().iter().any(|d| d["number"].as_str().unwrap().contains("受字第01-0001号")), "{v}");
    let found = t2.json(&["case", "list", "--query", "李秀英", "--json"]);
    assert_eq!(found.as_array().unwrap().len(), 1);
    t2.ok(&["case", "collect", &n, "--by", "李秀英", "--actor", "demo"]);
    assert_eq!(t2.ok(&["verify"]).trim(), "ok");
    // The same file again changes nothing.
    let again = t2.ok(&["import", f1.to_str().unwrap()]);
    assert!(again.contains("新收0条"), "{again}");

    // The collection goes back to window 01, which holds the whole centre too.
    carry(&t2, &t1, "t2.json", NOW);
    let v = t1.json(&["case", "show", &n, "--json"]);
    assert_eq!((v["status"].as_str(), v["collected_by"].as_str()), (Some("collected"), Some("李秀英")));
    assert_eq!(t1.ok(&["verify"]).trim(), "ok");
    // The head's month at either window counts the case once.
    for t in [&t1, &t2] {
        let r = t.json(&["report", "--month", "2026-11", "--json"]);
        assert_eq!(r["total"]["received"], 1, "{r}");
    }
    let peers = t1.json(&["peer", "list", "--json"]);
    assert_eq!((peers["streams"][0]["terminal"].as_str(), peers["streams"][0]["via"].as_str()), (Some("02"), Some("file")));
}

#[test]
fn files_from_another_centre_a_same_numbered_pc_or_this_pc_itself_are_refused() {
    let t1 = Centre::terminal("01");
    let (twin, t2) = (Centre::terminal("01"), Centre::terminal("02"));
    let f1 = export(&t1, "t1.json", &twin);
    let err = stderr_of(&t1, &["import", f1.to_str().unwrap(), "--accept", "--actor", "head"]);
    assert!(err.contains("本机自己导出的文件"), "{err}");
    let err = stderr_of(&twin, &["import", f1.to_str().unwrap(), "--accept", "--actor", "head"]);
    assert!(err.contains("不能用同一终端号"), "{err}");
    // A tampered file: one byte of the sealed body changed.
    let f2 = export(&t1, "t1-2.json", &t2);
    let mut v: serde_json::Value = serde_json::from_slice(&std::fs::read(&f2).unwrap()).unwrap();
    let mut ct = v["ciphertext"].as_str().unwrap().to_owned().into_bytes();
    ct[40] = if ct[40] == b'A' { b'B' } else { b'A' };
    v["ciphertext"] = serde_json::Value::String(String::from_utf8(ct).unwrap());
    let bad = t1.dir.path().join("bad.json");
    std::fs::write(&bad, serde_json::to_vec(&v).unwrap()).unwrap();
    let err = stderr_of(&t2, &["import", bad.to_str().unwrap(), "--accept", "--actor", "head"]);
    assert!(err.contains("已损坏或被改动"), "{err}");
    // And a plain batch altered after signing (a file of an older version, say).
    let mut b = yichuang_sync::export::export_for_peers(&t1.store(), at(NOW)).unwrap();
    b.events[0].actor = "intruder".into();
    let plain = t1.dir.path().join("plain.json");
    std::fs::write(&plain, b.to_bytes()).unwrap();
    let err = stderr_of(&t2, &["import", plain.to_str().unwrap(), "--accept", "--actor", "head"]);
    assert!(err.contains("被改动") || err.contains("签名不符"), "{err}");
    assert_eq!(peer_events(&t2.db), 0);
}

#[test]
fn two_windows_cut_off_from_each_other_converge_and_the_losing_act_is_listed() {
    let (t1, t2) = (Centre::terminal("01"), Centre::terminal("02"));
    let both = ready_case(&t1, "45082119680405302", NOW);
    // A second case, still running: one window approves, the other refuses.
    let v = t1.json(&["case", "intake", &t1.file("d.json", &cj01(&id("45082119700101303"), CJ01_ALL)), "--json"]);
    let decided = v["case_number"].as_str().unwrap().to_owned();
    carry(&t1, &t2, "t1-a.json", NOW);

    // Cut off: both hand out the first case, and decide the second differently.
    t1.ok_at("2026-11-23T10:00:00+08:00", &["case", "collect", &both, "--by", "李秀英", "--actor", "demo"]);
    t2.ok_at("2026-11-23T10:05:00+08:00", &["case", "collect", &both, "--by", "王小明", "--actor", "demo"]);
    t1.ok_at("2026-11-23T10:10:00+08:00", &["case", "decide", &decided, "--approve", "--actor", "demo"]);
    t2.ok_at("2026-11-23T10:20:00+08:00", &["case", "decide", &decided, "--reject", "--reason", "材料不实", "--actor", "demo"]);

    // They meet again (files both ways).
    carry(&t1, &t2, "t1-b.json", "2026-11-23T11:00:00+08:00");
    carry(&t2, &t1, "t2-a.json", "2026-11-23T11:00:00+08:00");
    for t in [&t1, &t2] {
        let v = t.json(&["case", "show", &both, "--json"]);
        assert_eq!((v["status"].as_str(), v["collected_by"].as_str()), (Some("collected"), Some("李秀英")), "the earlier act wins");
        let v = t.json(&["case", "show", &decided, "--json"]);
        assert_eq!(v["status"], "approved");
        let conflicts = t.json(&["conflicts", "--json"]);
        let kinds: Vec<&str> = conflicts.as_array().unwrap().iter().map(|c| c["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["case.collected", "case.decided"], "{conflicts}");
        assert_eq!(t.ok(&["verify"]).trim(), "ok");
    }
    // Both acts stay on record: window 02's own collection is in its log, and 01 holds it.
    assert_eq!(t2.count(&format!("SELECT count(*) FROM event WHERE kind = 'case.collected' AND subject = '{both}'")), 1);
    assert_eq!(t1.count(&format!("SELECT count(*) FROM peer_event WHERE kind = 'case.collected' AND subject = '{both}'")), 1);
}

#[test]
fn today_s_figures_are_the_day_s_report_of_the_whole_centre() {
    let (t1, t2) = (Centre::terminal("01"), Centre::terminal("02"));
    ready_case(&t1, "45082119680405302", NOW);
    t1.json(&["case", "intake", &t1.file("s.json", &cj01(&id("45082119700101303"), &["SFZ", "HKB"])), "--json"]);
    t2.json(&["case", "intake", &t2.file("b.json", &cj01(&id("45082119750101304"), CJ01_ALL)), "--json"]);
    carry(&t1, &t2, "t1.json", NOW);
    let today = t2.json(&["today", "--json"]);
    let report = t2.json(&["report", "--day", "2026-11-23", "--json"]);
    for k in ["received", "immediate", "accepted", "supplement_notices", "refused", "completed"] {
        assert_eq!(today["counts"][k], report["total"][k], "{k}: Today and 统计 agree");
    }
    assert_eq!(today["counts"]["received"], 3, "both windows' intakes: {today}");
    assert_eq!(today["awaiting_supplement"].as_array().unwrap().len(), 1, "window 01's case is on window 02's list");
}

#[test]
fn another_window_s_inquiries_and_rota_are_the_whole_centre_s() {
    let (t1, t2) = (Centre::terminal("01"), Centre::terminal("02"));
    let q = t1.json(&["inquiry", "add", &t1.file("q.json", &serde_json::json!({
        "channel": "visit", "person": "赵大娘", "phone": "13907750001",
        "matter": "低保年审何时进行", "disposition": "handover", "handed_to": "县民政局社会救助股", "responder": "demo"
    })), "--json"]);
    t1.ok(&["rota", "post", "--code", "W1", "--name", "社保窗口", "--a", "demo", "--b", "b1", "--actor", "head"]);
    t1.ok(&["rota", "leave", "--staff", "demo", "--from", "2026-11-23", "--to", "2026-11-24", "--reason", "年休假", "--actor", "head"]);
    carry(&t1, &t2, "t1.json", NOW);
    let open = t2.json(&["inquiry", "list", "--open", "--json"]);
    assert_eq!(open.as_array().unwrap().len(), 1, "{open}");
    assert_eq!(open[0]["id"], q["id"]);
    let duty = t2.ok(&["rota", "today"]);
    assert!(duty.contains("社保窗口") && duty.contains("B岗"), "window 01's rota, with demo on leave: {duty}");
    // Replied at window 02, the inquiry is closed at window 01 too.
    t2.ok(&["inquiry", "reply", q["id"].as_str().unwrap(), "--result", "民政局答复：12月统一年审", "--actor", "demo"]);
    carry(&t2, &t1, "t2.json", NOW);
    assert_eq!(t1.json(&["inquiry", "list", "--open", "--json"]), serde_json::json!([]));
    for t in [&t1, &t2] {
        assert_eq!(t.ok(&["verify"]).trim(), "ok");
    }
}

#[test]
fn a_complaint_registered_at_one_window_is_on_the_head_s_list_at_another_with_its_confidentiality() {
    let (t1, t2) = (Centre::terminal("01"), Centre::terminal("02"));
    let mut s1 = t1.store();
    let c = s1
        .register_complaint(
            yichuang_store::ComplaintInput {
                channel: yichuang_store::Channel::Visit,
                complainant: "韦大爷".into(),
                contact: Some(yichuang_core::Phone::parse("13907751234").unwrap()),
                confidential: true,
                matter: "窗口人员态度生硬".into(),
                about_staff: Some("demo".into()),
                case_number: None,
                complex: None,
                registered_by: "head".into(),
            },
            at(NOW),
        )
        .unwrap();
    s1.add_complaint_note(&c.id, "已调看录像", "head", at(NOW)).unwrap();
    drop(s1);
    carry(&t1, &t2, "t1.json", NOW);
    let s2 = t2.store();
    let today = at(NOW).date_naive();
    let head = s2.list_complaints("head", false, today).unwrap();
    assert_eq!(head.len(), 1);
    assert_eq!((head[0].complainant.as_str(), head[0].matter.as_str()), ("韦大爷", "窗口人员态度生硬"));
    assert_eq!(head[0].notes.len(), 1);
    let b1 = s2.list_complaints("b1", false, today).unwrap();
    assert!(b1.iter().all(|v| v.complainant != "韦大爷"), "a confidential complainant is not named to a clerk: {b1:?}");
    assert!(s2.list_complaints("demo", false, today).unwrap().is_empty(), "never shown to the staff member it is about");
    drop(s2);
    assert_eq!(t2.ok(&["verify"]).trim(), "ok");
}

/// A head's change of a staff member at one window reaches the others, and their `verify` and
/// backups take it as recorded (by the other window's log), not as tampering.
#[test]
fn a_staff_change_at_one_window_is_folded_at_another_and_verifies() {
    let (a, b) = (Centre::terminal("01"), Centre::terminal("02"));
    a.ok(&["staff", "set", "b1", "--role", "head", "--actor", "head"]);
    carry(&a, &b, "staff.json", NOW);
    let listed = b.json(&["staff", "list", "--json"]);
    let b1 = listed.as_array().unwrap().iter().find(|s| s["id"] == "b1").unwrap().clone();
    assert_eq!(b1["role"], "head", "{listed}");
    assert_eq!(b.ok(&["verify"]).trim(), "ok");
    let backup = b.dir.path().join("b.db");
    b.ok(&["backup", "--out", backup.to_str().unwrap()]);
}
