//! A case's whole life on a real database file, through the command line.

use serde_json::json;

use crate::util::*;

#[test]
fn intake_supplement_accept_extend_decide_ready_collect() {
    let c = Centre::new();
    let applicant = id("45082119680405302");
    // Monday 23 Nov: the photos are missing and the ID copy is illegible.
    let mut first = cj01(&applicant, &["SFZ", "HKB", "SQB"]);
    first["defects"] = json!([{"material": "SFZ", "reason": "复印件字迹不清"}]);
    let f = c.file("first.json", &first);
    let o = c.json(&["case", "intake", &f, "--json"]);
    assert_eq!(o["decision"], "supplement");
    assert_eq!(o["missing"], json!(["SFZ", "ZP"]));
    assert_eq!(o["due_date"], json!(null));
    assert_eq!(o["documents"][0]["number"], "〔2026〕补字第01-0001号");
    let n = o["case_number"].as_str().unwrap().to_owned();
    let notice = c.json(&["doc", "show", "BZ-2026-01-0001", "--json"]);
    let listed: Vec<_> = notice["body"]["materials"].as_array().unwrap().iter().map(|m| m["problem"].as_str().unwrap().to_owned()).collect();
    assert_eq!(listed, ["复印件字迹不清", "未提交"]);
    assert_eq!(notice["body"]["applicant_id_masked"], format!("{}********{}", &applicant[..6], &applicant[14..]));

    // Wednesday 25 Nov: only the photos come; the ID copy is still the bad one.
    let photos = c.file("photos.json", &json!({"materials": [{"material": "ZP", "pages": 1, "copies": 3}], "clerk": "demo"}));
    let o = c.json_at("2026-11-25T10:00:00+08:00", &["case", "supplement", &n, &photos, "--json"]);
    assert_eq!(o["decision"], "supplement");
    assert_eq!(o["missing"], json!(["SFZ"]));
    assert_eq!(o["documents"][0]["number"], "〔2026〕补字第01-0002号");

    // Thursday 26 Nov: complete. The 20 working days run again from today.
    let id_copy = c.file("id.json", &json!({"materials": [{"material": "SFZ", "pages": 1}], "clerk": "demo"}));
    let o = c.json_at("2026-11-26T10:00:00+08:00", &["case", "supplement", &n, &id_copy, "--json"]);
    assert_eq!(o["decision"], "accepted");
    assert_eq!(o["due_date"], "2026-12-24");
    assert_eq!(o["documents"][0]["number"], "〔2026〕受字第01-0001号");
    let receipt = c.json(&["doc", "show", "SL-2026-01-0001", "--json"]);
    let names: Vec<_> = receipt["body"]["materials"].as_array().unwrap().iter().map(|m| m["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["申请人居民身份证", "户口簿", "近期二寸免冠白底彩色照片", "残疾人证申请表"]);
    assert_eq!(receipt["body"]["due_date"], "2026-12-24");
    assert_eq!(receipt["body"]["handler_name"], "李梅");

    // A clerk cannot approve an extension; the head can.
    let out = c.run_at("2026-12-01T10:00:00+08:00", &["case", "extend", &n, "--days", "10", "--reason", "需县残联组织评定", "--approver", "demo", "--actor", "demo"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("李梅没有批准延期的权限"));
    c.ok_at("2026-12-01T10:00:00+08:00", &["case", "extend", &n, "--days", "10", "--reason", "需县残联组织评定", "--approver", "head", "--actor", "demo"]);
    let v = c.json_at("2026-12-01T10:00:00+08:00", &["case", "show", &n, "--json"]);
    // 24 Dec + 10 working days, across New Year's Day 2027 (not yet official: provisional).
    assert_eq!(v["due_date"], "2027-01-07");
    assert_eq!(v["due_provisional"], true);
    assert_eq!(v["extensions"][0]["approver"], "王建国");
    assert!(v["documents"].as_array().unwrap().iter().any(|d| d["number"] == "〔2026〕延字第01-0001号"));

    // Collecting before the decision is impossible.
    let out = c.run(&["case", "collect", &n, "--by", "李秀英", "--actor", "demo"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("办件当前状态为“已受理”，不能领取"));

    c.ok_at("2026-12-10T10:00:00+08:00", &["case", "forward", &n, "--to", "县残疾人联合会", "--actor", "demo"]);
    c.ok_at("2026-12-20T10:00:00+08:00", &["case", "decide", &n, "--approve", "--actor", "demo"]);
    c.ok_at("2026-12-21T10:00:00+08:00", &["case", "ready", &n, "--actor", "demo"]);
    c.ok_at("2026-12-22T10:00:00+08:00", &["case", "collect", &n, "--by", "李秀英", "--actor", "demo"]);
    let v = c.json_at("2026-12-22T10:00:00+08:00", &["case", "show", &n, "--json"]);
    assert_eq!(v["status"], "collected");
    assert_eq!(v["collected_by"], "李秀英");
    assert_eq!(v["forwarded_to"], "县残疾人联合会");
    assert_eq!(v["completed_on"], "2026-12-20");
    assert_eq!(v["materials"].as_array().unwrap().len(), 5);

    // The timeline has every step, in order, each with actor and time.
    let kinds: Vec<String> = c
        .ok(&["events", "--subject", &n])
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["kind"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        kinds,
        ["case.intake", "case.supplemented", "case.supplemented", "case.extended", "case.forwarded", "case.decided", "case.ready", "case.collected"]
    );
    let store = c.store();
    let status: String = store.connection().query_row("SELECT status FROM case_file WHERE number = ?1", [&n], |r| r.get(0)).unwrap();
    assert_eq!(status, "collected");
    assert_eq!(c.ok(&["verify"]).trim(), "ok");
}

/// 行政许可法 第32条: materials received on 10 Nov, notice only on 23 Nov (more than 5
/// working days later) — the application counts as accepted on 10 Nov.
#[test]
fn a_late_supplement_notice_means_accepted_on_arrival() {
    let c = Centre::new();
    let mut late = cj01(&id("45082119680405302"), &["SFZ", "HKB", "SQB"]);
    late["received_on"] = json!("2026-11-10");
    let o = c.json(&["case", "intake", &c.file("late.json", &late), "--json"]);
    assert_eq!(o["decision"], "accepted");
    assert_eq!(o["deemed_accepted"], true);
    assert_eq!(o["missing"], json!([]));
    // 20 working days from 10 Nov.
    assert_eq!(o["due_date"], "2026-12-08");
    assert_eq!(o["documents"][0]["kind"], "receipt");
    let doc = c.json(&["doc", "show", o["documents"][0]["number"].as_str().unwrap(), "--json"]);
    assert!(doc["body"]["notes"].as_array().unwrap().iter().any(|n| n.as_str().unwrap().contains("第三十二条")));
    // Within 5 working days the notice is still in time.
    let mut in_time = cj01(&id("45082119700101303"), &["SFZ", "HKB", "SQB"]);
    in_time["received_on"] = json!("2026-11-17");
    let o = c.json(&["case", "intake", &c.file("in_time.json", &in_time), "--json"]);
    assert_eq!(o["decision"], "supplement");
}

#[test]
fn paused_clocks_overdue_lists_and_warnings() {
    let c = Centre::new();
    let f = c.file("a.json", &cj01(&id("45082119680405302"), CJ01_ALL));
    let n = c.json_at("2026-11-02T09:00:00+08:00", &["case", "intake", &f, "--json"])["case_number"].as_str().unwrap().to_owned();
    // Due 20 working days after 2 Nov: 30 Nov.
    let v = c.json(&["case", "show", &n, "--json"]);
    assert_eq!(v["due_date"], "2026-11-30");
    assert_eq!(v["warning"]["level"], "normal");
    let v = c.json_at("2026-11-26T09:00:00+08:00", &["case", "show", &n, "--json"]);
    assert_eq!(v["warning"], json!({"level": "yellow", "working_days_left": 2}));
    let overdue = c.json_at("2026-12-01T09:00:00+08:00", &["case", "list", "--overdue", "--json"]);
    assert_eq!(overdue[0]["case_number"], n.as_str());
    assert_eq!(overdue[0]["warning"], json!({"level": "red", "working_days_overdue": 1}));
    let soon = c.json_at("2026-11-26T09:00:00+08:00", &["case", "list", "--due-within", "2", "--json"]);
    assert_eq!(soon.as_array().unwrap().len(), 1);
    assert_eq!(c.json_at("2026-11-24T09:00:00+08:00", &["case", "list", "--due-within", "2", "--json"]), json!([]));
    // Appraisal from 26 Nov, told to take 5 working days (to 3 Dec): those days do not count.
    // Used before the pause: 3–26 Nov = 18 working days; 2 are left after 3 Dec: 4 and 7 Dec.
    c.ok_at("2026-11-26T09:00:00+08:00", &["case", "pause", &n, "--kind", "appraisal", "--expected-days", "5", "--reason", "残疾评定", "--actor", "demo"]);
    let v = c.json_at("2026-12-01T09:00:00+08:00", &["case", "show", &n, "--json"]);
    assert_eq!((v["paused"].as_bool(), v["due_date"].clone()), (Some(true), json!("2026-12-07")), "the expected date while paused");
    assert_eq!(v["warning"]["level"], "paused");
    assert_eq!(c.json_at("2026-12-01T09:00:00+08:00", &["case", "list", "--overdue", "--json"]), json!([]));
    let out = c.run_at("2026-12-01T09:00:00+08:00", &["case", "decide", &n, "--approve", "--actor", "demo"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("计时暂停中"));
    c.ok_at("2026-12-03T09:00:00+08:00", &["case", "resume", &n, "--actor", "demo"]);
    let v = c.json_at("2026-12-03T09:00:00+08:00", &["case", "show", &n, "--json"]);
    assert_eq!(v["due_date"], "2026-12-07");
    assert_eq!(v["pauses"][0]["until"], "2026-12-03");
}

#[test]
fn documents_are_voided_by_the_head_and_reprinted_with_the_same_number() {
    let c = Centre::new();
    let f = c.file("a.json", &cj01(&id("45082119680405302"), CJ01_ALL));
    let o = c.json(&["case", "intake", &f, "--json"]);
    let number = o["documents"][0]["number"].as_str().unwrap().to_owned();
    let before = c.json(&["doc", "show", &number, "--json"]);
    c.ok(&["doc", "reprint", &number, "--actor", "demo"]);
    let after = c.json(&["doc", "show", &number, "--json"]);
    assert_eq!(after["reprints"], 1);
    assert_eq!(after["body"], before["body"], "a reprint says exactly the same");
    let out = c.run(&["doc", "void", &number, "--reason", "打印错误", "--actor", "demo"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("李梅没有此操作的权限"));
    c.ok(&["doc", "void", &number, "--reason", "申请人姓名录入错误", "--actor", "head"]);
    let v = c.json(&["doc", "show", &number, "--json"]);
    assert_eq!(v["void_reason"], "申请人姓名录入错误");
    let out = c.run(&["doc", "reprint", &number, "--actor", "demo"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("已作废"));
    // The voided document is still there, under its number.
    assert_eq!(c.count("SELECT count(*) FROM document"), 1);
    // Editing a document's text behind the store's back is refused by the schema.
    let e = c.store().connection().execute("UPDATE document SET body = '{}'", []).unwrap_err();
    assert!(e.to_string().contains("cannot be changed"));
}

#[test]
fn a_returning_applicant_is_recognised() {
    let c = Centre::new();
    let idn = id("45082119680405302");
    c.json(&["case", "intake", &c.file("a.json", &cj01(&idn, CJ01_ALL)), "--json"]);
    let mut again = cj01(&idn, CJ01_ALL);
    again["applicant"]["phone"] = json!("13999999999");
    c.json(&["case", "intake", &c.file("b.json", &again), "--json"]);
    assert_eq!(c.count("SELECT count(*) FROM applicant"), 1);
    assert_eq!(c.store().find_applicant(&idn).unwrap(), Some(("李秀英".into(), Some("13999999999".into()))));
    let found = c.json(&["case", "list", "--query", &idn, "--json"]);
    assert_eq!(found.as_array().unwrap().len(), 2);
    let found = c.json(&["case", "list", "--query", "13999999999", "--json"]);
    assert_eq!(found.as_array().unwrap().len(), 2);
    let found = c.json(&["case", "list", "--query", "秀英", "--json"]);
    assert_eq!(found.as_array().unwrap().len(), 2);
}

#[test]
fn withdrawal_archiving_and_an_online_backup() {
    let c = Centre::new();
    let o = c.json(&["case", "intake", &c.file("a.json", &cj01(&id("45082119680405302"), &["SFZ"])), "--json"]);
    let n = o["case_number"].as_str().unwrap().to_owned();
    let out = c.run(&["case", "withdraw", &n, "--reason", " ", "--actor", "demo"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("请填写撤回原因"));
    c.ok(&["case", "withdraw", &n, "--reason", "申请人决定暂不申请", "--actor", "demo"]);
    c.ok(&["case", "archive", &n, "--actor", "demo"]);
    let v = c.json(&["case", "show", &n, "--json"]);
    assert_eq!(v["status"], "archived");
    assert_eq!(v["outcome_reason"], "申请人决定暂不申请");
    let out = c.run(&["case", "archive", &n, "--actor", "demo"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("办件当前状态为“已归档”，不能归档"));

    let copy = c.dir.path().join("copy.db");
    c.ok(&["backup", "--out", copy.to_str().unwrap()]);
    let report = yichuang_store::check_backup(&copy).unwrap();
    assert_eq!(report.fault, None);
    assert_eq!(report.events, c.count("SELECT count(*) FROM event"));
    // The copy is a working database of the same centre.
    let out = std::process::Command::new(bin()).arg("--db").arg(&copy).args(["case", "show", &n, "--json"]).output().unwrap();
    assert!(out.status.success());
    // A backup never overwrites a file.
    let out = c.run(&["backup", "--out", copy.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("已存在，不会覆盖"));
    // A file that is not a database is not taken for a backup.
    let junk = c.dir.path().join("junk.db");
    std::fs::write(&junk, "not a database").unwrap();
    assert_eq!(yichuang_store::check_backup(&junk).unwrap_err().code(), "store.bad_backup");
}

#[test]
fn restoring_a_backup_keeps_the_database_it_replaces() {
    let c = Centre::new();
    let first = c.json(&["case", "intake", &c.file("a.json", &cj01(&id("45082119680405302"), CJ01_ALL)), "--json"]);
    let copy = c.dir.path().join("monday.db");
    c.ok(&["backup", "--out", copy.to_str().unwrap()]);
    let second = c.json(&["case", "intake", &c.file("b.json", &cj01(&id("45082119700101303"), CJ01_ALL)), "--json"]);
    // The lost copy numbered with terminal 01 after the backup: 01 may not be taken again.
    let out = c.run(&["restore", "--from", copy.to_str().unwrap(), "--terminal", "01"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("终端号01已开出过办件和文书编号"), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(!c.dir.path().join("centre.db.before-restore-1").exists(), "a refused restore writes nothing");
    let out = c.ok(&["restore", "--from", copy.to_str().unwrap(), "--terminal", "02"]);
    assert!(out.contains("恢复前的数据库已保留为"), "{out}");
    assert!(out.contains("终端号为02"), "{out}");
    assert_eq!(c.ok(&["verify"]).trim(), "ok");
    let n1 = first["case_number"].as_str().unwrap();
    let n2 = second["case_number"].as_str().unwrap();
    assert!(c.run(&["case", "show", n1]).status.success());
    assert!(!c.run(&["case", "show", n2]).status.success(), "the restored database is the backup's");
    // Nothing is lost: the replaced database is kept, whole.
    let kept = c.dir.path().join("centre.db.before-restore-1");
    let out = std::process::Command::new(bin()).arg("--db").arg(&kept).args(["case", "show", n2]).output().unwrap();
    assert!(out.status.success());
    // A damaged file is refused and the database is untouched.
    let junk = c.dir.path().join("junk.db");
    std::fs::write(&junk, vec![7u8; 8192]).unwrap();
    let out = c.run(&["restore", "--from", junk.to_str().unwrap(), "--terminal", "03"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("损坏或不是一窗通的数据库"));
    assert!(c.run(&["case", "show", n1]).status.success());
    assert!(!c.dir.path().join("centre.db.before-restore-2").exists());
}

#[test]
fn after_a_restore_no_case_or_document_number_is_issued_twice() {
    let c = Centre::new();
    let f = |name: &str, n: u32| c.file(name, &cj01(&id(&format!("450821196804053{n:02}")), &["SFZ", "HKB"]));
    c.json(&["case", "intake", &f("a.json", 1), "--json"]);
    let copy = c.dir.path().join("yesterday.db");
    c.ok(&["backup", "--out", copy.to_str().unwrap()]);
    // After the backup the copy goes on numbering (a receipt and a supplement notice each),
    // then its disk dies.
    for n in 2..5 {
        c.json(&["case", "intake", &f(&format!("b{n}.json"), n), "--json"]);
    }
    c.ok(&["restore", "--from", copy.to_str().unwrap(), "--terminal", "02"]);
    for n in 5..9 {
        c.json(&["case", "intake", &f(&format!("c{n}.json"), n), "--json"]);
    }
    let numbers = |db: &std::path::Path| -> Vec<String> {
        let conn = rusqlite::Connection::open(db).unwrap();
        let mut stmt = conn.prepare("SELECT number FROM case_file UNION ALL SELECT number FROM document").unwrap();
        stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
    };
    let lost = numbers(&c.dir.path().join("centre.db.before-restore-1"));
    let restored = numbers(&c.db);
    let mut all: Vec<&String> = lost.iter().chain(&restored).collect();
    let total = all.len();
    all.sort();
    all.dedup();
    // The backup's own numbers are in both copies; everything else appears once.
    let shared = numbers(&copy).len();
    assert_eq!(all.len(), total - shared, "a number issued twice across the lost copy and the restored one");
    let new_receipts = restored.iter().filter(|n| n.contains("受字第02-")).count();
    assert_eq!(new_receipts, 0, "supplement notices only in this test");
    assert_eq!(restored.iter().filter(|n| n.contains("补字第02-")).count(), 4, "{restored:?}");
    assert_eq!(c.ok(&["verify"]).trim(), "ok");
}

/// Restore works onto a damaged or a missing database; another centre's backup is refused
/// unless confirmed, and the confirmation is recorded.
#[test]
fn restore_brings_back_a_damaged_or_missing_database_and_asks_before_another_centre_s_backup() {
    let c = Centre::new();
    let first = c.json(&["case", "intake", &c.file("a.json", &cj01(&id("45082119680405302"), CJ01_ALL)), "--json"]);
    let n1 = first["case_number"].as_str().unwrap().to_owned();
    let copy = c.dir.path().join("monday.db");
    c.ok(&["backup", "--out", copy.to_str().unwrap()]);
    // The database file is damaged: every page overwritten but the header.
    c.store().connection().execute_batch("PRAGMA wal_checkpoint(TRUNCATE)").unwrap();
    let mut bytes = std::fs::read(&c.db).unwrap();
    let len = bytes.len();
    bytes[4096..len].fill(0x55);
    std::fs::write(&c.db, &bytes).unwrap();
    assert!(!c.run(&["verify"]).status.success());
    let out = c.ok(&["restore", "--from", copy.to_str().unwrap(), "--terminal", "02"]);
    assert!(out.contains("恢复前的数据库已保留为"), "{out}");
    assert_eq!(c.ok(&["verify"]).trim(), "ok");
    assert!(c.run(&["case", "show", &n1]).status.success());
    // The damaged file was kept byte for byte.
    let kept = std::fs::read(c.dir.path().join("centre.db.before-restore-1")).unwrap();
    assert!(kept == bytes, "the damaged file is kept as it was ({} bytes, {} kept)", bytes.len(), kept.len());
    // The database is gone altogether (a disk replaced): restore makes it again.
    std::fs::remove_file(&c.db).unwrap();
    let _ = std::fs::remove_file(c.dir.path().join("centre.db-wal"));
    c.ok(&["restore", "--from", copy.to_str().unwrap(), "--terminal", "03"]);
    assert!(c.run(&["case", "show", &n1]).status.success());
    // Another centre's backup: refused untouched, then taken when the head confirms it.
    let other = Centre::new_at("450821103", "01");
    let theirs = other.dir.path().join("theirs.db");
    other.ok(&["backup", "--out", theirs.to_str().unwrap()]);
    let before = c.count("SELECT count(*) FROM event");
    let out = c.run(&["restore", "--from", theirs.to_str().unwrap(), "--terminal", "04"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("这是另一个中心（450821103）的备份，本机是中心450821102"), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(c.count("SELECT count(*) FROM event"), before, "nothing written");
    c.ok(&["restore", "--from", theirs.to_str().unwrap(), "--terminal", "04", "--other-centre"]);
    let payload: String = c.store().connection().query_row("SELECT payload FROM event WHERE kind = 'store.restored'", [], |r| r.get(0)).unwrap();
    assert!(payload.contains(r#""replaced_centre":"450821102""#), "{payload}");
}
