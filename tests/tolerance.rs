//! 容缺受理 through the command line, on a real database file: the catalogue's tolerable
//! materials, the decision, the owed materials' day, approval refused while anything is owed,
//! the owed materials brought in, termination after the day, and the hand-over to the right
//! person.

use serde_json::{json, Value};

use crate::util::*;

fn with_commitment(mut v: Value) -> Value {
    v["commitment"] = json!(true);
    v
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn the_catalogue_says_which_materials_may_follow_and_for_how_long() {
    let c = Centre::new();
    let items = c.json(&["catalog", "list", "--json"]);
    let item = |code: &str| items.as_array().unwrap().iter().find(|i| i["code"] == code).unwrap().clone();
    let cj = item("CJ-01");
    assert_eq!(cj["tolerance_days"], 5);
    let tolerable: Vec<&str> =
        cj["materials"].as_array().unwrap().iter().filter(|m| m["tolerable"] == true).map(|m| m["code"].as_str().unwrap()).collect();
    assert_eq!(tolerable, ["ZP"]);
    assert!(cj["materials"].as_array().unwrap().iter().all(|m| m["tolerable"].is_boolean()));
    assert_eq!(item("DB-01")["tolerance_days"], 10);
    // A catalogue with a period out of bounds is refused whole.
    let bad = DEMO_CATALOGUE_TEXT.replacen("\"tolerance_days\": 10", "\"tolerance_days\": 45", 1).replace("2026.12-demo", "2026.12-bad");
    let f = c.dir.path().join("bad.json");
    std::fs::write(&f, bad).unwrap();
    let out = c.run(&["catalog", "import", f.to_str().unwrap(), "--actor", "head"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("容缺补交期限45个工作日无效"), "{}", stderr(&out));
}

const DEMO_CATALOGUE_TEXT: &str = include_str!("../assets/catalogue/demo.json");

#[test]
fn only_tolerable_materials_missing_with_the_commitment_is_tolerated() {
    let c = Centre::new();
    // The photo missing, the commitment signed: accepted at once, the photo owed.
    let f = c.file("t.json", &with_commitment(cj01(&id("45082119680405302"), &["SFZ", "HKB", "SQB"])));
    let o = c.json(&["case", "intake", &f, "--json"]);
    assert_eq!(o["decision"], "tolerated", "{o}");
    assert_eq!(o["status"], "accepted");
    assert_eq!(o["owed"], json!(["ZP"]));
    // Monday 23 Nov + 5 working days.
    assert_eq!(o["owed_by"], "2026-11-30");
    // The clock runs from intake: 20 working days.
    assert_eq!(o["due_date"], "2026-12-21");
    let kinds: Vec<&str> = o["documents"].as_array().unwrap().iter().map(|d| d["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["tolerance", "commitment"]);
    assert_eq!(o["documents"][0]["number"], "〔2026〕容字第01-0001号");
    assert_eq!(o["documents"][1]["number"], "〔2026〕诺字第01-0001号");
    let notice = c.json(&["doc", "show", "RQ-2026-01-0001", "--json"]);
    assert_eq!(notice["body"]["owed_by"], "2026-11-30");
    assert_eq!(notice["body"]["materials"][0]["name"], "近期二寸免冠白底彩色照片");
    assert_eq!(notice["body"]["materials"][0]["problem"], "未提交");
    let commitment = c.json(&["doc", "show", "CN-2026-01-0001", "--json"]);
    assert!(commitment["body"]["notes"][0].as_str().unwrap().contains("2026年11月30日前"));

    // Without the commitment: the supplement notice as always.
    let f = c.file("s.json", &cj01(&id("45082119680405303"), &["SFZ", "HKB", "SQB"]));
    let o = c.json(&["case", "intake", &f, "--json"]);
    assert_eq!(o["decision"], "supplement");
    assert_eq!(o["owed"], json!([]));
    assert_eq!(o["owed_by"], Value::Null);
    // A main material missing: no 容缺, however the applicant commits.
    let f = c.file("m.json", &with_commitment(cj01(&id("45082119680405304"), &["SFZ", "HKB"])));
    let o = c.json(&["case", "intake", &f, "--json"]);
    assert_eq!(o["decision"], "supplement");
    assert_eq!(o["missing"], json!(["ZP", "SQB"]));
    // An immediate item is never tolerated (nothing of it is tolerable either).
    let yl = json!({"item": "YL-01", "applicant": {"name": "韦秀英", "id_number": id("45082119680405305")},
        "materials": [{"material": "SFZ", "pages": 1}], "clerk": "demo", "commitment": true});
    let o = c.json(&["case", "intake", &c.file("y.json", &yl), "--json"]);
    assert_eq!(o["decision"], "supplement");
    assert_eq!(c.ok(&["verify"]).trim(), "ok");
}

#[test]
fn an_owing_case_is_not_approved_and_is_terminated_only_after_the_day() {
    let c = Centre::new();
    let f = c.file("t.json", &with_commitment(cj01(&id("45082119680405302"), &["SFZ", "HKB", "SQB"])));
    let n = c.json(&["case", "intake", &f, "--json"])["case_number"].as_str().unwrap().to_owned();
    let v = c.json(&["case", "show", &n, "--json"]);
    assert_eq!(v["owed"], json!(["ZP"]));
    assert_eq!(v["decision"], "tolerated");

    let out = c.run_at("2026-11-25T10:00:00+08:00", &["case", "decide", &n, "--approve", "--actor", "demo"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("办件尚欠容缺材料，不能作出准予决定"), "{}", stderr(&out));
    assert_eq!(c.json(&["case", "show", &n, "--json"])["status"], "accepted");

    // On the day itself the applicant still has time.
    let term = ["case", "terminate", &n, "--reason", "逾期未补交照片", "--approver", "head", "--actor", "demo"];
    let out = c.run_at("2026-11-30T17:00:00+08:00", &term);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("补交期限是2026-11-30，期限未过"), "{}", stderr(&out));
    // The approver's PIN, on standard input: a wrong one is refused and nothing changes.
    let out = c.run_with_stdin("2026-12-01T09:00:00+08:00", &term, "000000\n");
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("批准人：工号或密码不对"), "{}", stderr(&out));
    assert_eq!(c.json_at("2026-12-01T09:00:00+08:00", &["case", "show", &n, "--json"])["status"], "accepted");
    // A clerk cannot approve the termination.
    let out = c.run_at("2026-12-01T09:00:00+08:00", &["case", "terminate", &n, "--reason", "逾期", "--approver", "demo", "--actor", "demo"]);
    assert!(stderr(&out).contains("没有终止办理的权限"), "{}", stderr(&out));
    c.ok_at("2026-12-01T09:00:00+08:00", &term);
    let v = c.json_at("2026-12-01T09:00:00+08:00", &["case", "show", &n, "--json"]);
    assert_eq!(v["status"], "terminated");
    assert_eq!(v["outcome_reason"], "逾期未补交照片");
    assert!(v["documents"].as_array().unwrap().iter().any(|d| d["number"] == "〔2026〕终字第01-0001号"), "{v}");
    let notice = c.json(&["doc", "show", "ZZ-2026-01-0001", "--json"]);
    assert_eq!(notice["body"]["reasons"], json!(["逾期未补交照片"]));
    assert_eq!(notice["body"]["approver"], "王建国");
    assert_eq!(notice["body"]["materials"][0]["code"], "ZP");
    // Final: nothing more but archiving.
    let out = c.run_at("2026-12-02T09:00:00+08:00", &["case", "decide", &n, "--reject", "--reason", "x", "--actor", "demo"]);
    assert!(stderr(&out).contains("办件当前状态为“终止办理”"), "{}", stderr(&out));
    let tl = c.count(&format!("SELECT count(*) FROM event WHERE subject = '{n}' AND kind = 'case.terminated'"));
    assert_eq!(tl, 1);
    assert_eq!(c.ok_at("2026-12-02T09:00:00+08:00", &["verify"]).trim(), "ok");
    // The figures: November counts the 容缺 acceptance, December the broken commitment.
    let nov = c.json_at("2026-12-02T09:00:00+08:00", &["report", "--month", "2026-11", "--json"]);
    assert_eq!((nov["total"]["accepted"].as_u64(), nov["total"]["tolerated"].as_u64(), nov["total"]["refused"].as_u64()), (Some(1), Some(1), Some(0)), "{nov}");
    let dec = c.json_at("2026-12-02T09:00:00+08:00", &["report", "--month", "2026-12", "--json"]);
    assert_eq!((dec["total"]["terminated"].as_u64(), dec["total"]["commitments_broken"].as_u64()), (Some(1), Some(1)), "{dec}");
}

#[test]
fn owed_materials_brought_in_time_clear_the_case_and_the_right_person_collects() {
    let c = Centre::new();
    let applicant = id("45082119680405302");
    let f = c.file("t.json", &with_commitment(cj01(&applicant, &["SFZ", "HKB", "SQB"])));
    let n = c.json(&["case", "intake", &f, "--json"])["case_number"].as_str().unwrap().to_owned();

    // Something that is not owed cannot come in on this path.
    let other = c.file("o.json", &json!({"materials": [{"material": "HKB", "pages": 2}], "clerk": "demo"}));
    let out = c.run_at("2026-11-24T10:00:00+08:00", &["case", "supplement", &n, &other, "--json"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("“户口簿”不在所欠清单上"), "{}", stderr(&out));
    // One photo of three: still owing, a new notice with the same day.
    let one = c.file("one.json", &json!({"materials": [{"material": "ZP", "pages": 1, "copies": 1}], "clerk": "demo"}));
    let o = c.json_at("2026-11-25T10:00:00+08:00", &["case", "supplement", &n, &one, "--json"]);
    assert_eq!(o["decision"], "tolerated", "{o}");
    assert_eq!(o["owed"], json!(["ZP"]));
    assert_eq!(o["owed_by"], "2026-11-30");
    assert_eq!(o["due_date"], "2026-12-21");
    assert_eq!(o["documents"][0]["number"], "〔2026〕容字第01-0002号");
    // All three on the last day: nothing owed, the clock has run since intake.
    let three = c.file("three.json", &json!({"materials": [{"material": "ZP", "pages": 1, "copies": 3}], "clerk": "demo"}));
    let o = c.json_at("2026-11-30T16:00:00+08:00", &["case", "supplement", &n, &three, "--json"]);
    assert_eq!(o["decision"], "accepted", "{o}");
    assert_eq!(o["due_date"], "2026-12-21");
    assert_eq!(o["documents"], json!([]));
    let v = c.json_at("2026-11-30T16:00:00+08:00", &["case", "show", &n, "--json"]);
    assert_eq!(v["owed"], json!([]));
    assert_eq!(v["clock_start"], "2026-11-23");
    // Nothing owed: it cannot be terminated, and it can be approved.
    let out = c.run_at("2026-12-02T09:00:00+08:00", &["case", "terminate", &n, "--reason", "x", "--approver", "head", "--actor", "demo"]);
    assert!(stderr(&out).contains("不能终止办理"), "{}", stderr(&out));
    c.ok_at("2026-12-02T09:00:00+08:00", &["case", "decide", &n, "--approve", "--actor", "demo"]);
    let nov = c.json_at("2026-12-02T09:00:00+08:00", &["report", "--month", "2026-11", "--json"]);
    let t = &nov["total"];
    assert_eq!((t["accepted"].as_u64(), t["tolerated"].as_u64(), t["commitments_kept"].as_u64(), t["commitments_broken"].as_u64()), (Some(1), Some(1), Some(1), Some(0)), "{nov}");
    c.ok_at("2026-12-02T09:30:00+08:00", &["case", "ready", &n, "--actor", "demo"]);

    // The hand-over: a stranger without a power of attorney is refused; the applicant's
    // number with another name is refused; the applicant collects.
    let at = "2026-12-03T10:00:00+08:00";
    let stranger = id("45082119900101123");
    let out = c.run_at(at, &["case", "collect", &n, "--by", "黄小明", "--id-number", &stranger, "--actor", "demo"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("须出示申请人签名的授权委托书"), "{}", stderr(&out));
    let out = c.run_at(at, &["case", "collect", &n, "--by", "李秀兰", "--id-number", &applicant, "--actor", "demo"]);
    assert!(stderr(&out).contains("申请人登记的姓名是“李秀英”"), "{}", stderr(&out));
    let out = c.run_at(at, &["case", "collect", &n, "--by", "李秀英", "--id-number", "450821196804053020", "--actor", "demo"]);
    assert!(stderr(&out).contains("领取人"), "{}", stderr(&out));
    assert_eq!(c.json_at(at, &["case", "show", &n, "--json"])["status"], "ready", "nothing written by the refusals");
    c.ok_at(at, &["case", "collect", &n, "--by", "李秀英", "--id-number", &applicant, "--actor", "demo"]);
    let v = c.json_at(at, &["case", "show", &n, "--json"]);
    assert_eq!(v["status"], "collected");
    assert_eq!(v["collector_role"], "applicant");
    assert_eq!(v["collector_id_masked"], format!("{}********{}", &applicant[..6], &applicant[14..]));
    // The county sees neither the collector's name nor number.
    let payload: String = c
        .store()
        .connection()
        .query_row("SELECT payload FROM event WHERE kind = 'case.collected'", [], |r| r.get(0))
        .unwrap();
    let e = yichuang_events::Event::parse("case.collected", &payload).unwrap().for_county();
    assert_eq!(e.payload()["by"], "");
    assert!(e.payload().get("id_number").is_none());
    assert_eq!(c.ok_at(at, &["verify"]).trim(), "ok");
}

#[test]
fn another_person_collects_with_a_power_of_attorney() {
    let c = Centre::new();
    let f = c.file("a.json", &cj01(&id("45082119680405302"), CJ01_ALL));
    let n = c.json(&["case", "intake", &f, "--json"])["case_number"].as_str().unwrap().to_owned();
    c.ok(&["case", "decide", &n, "--approve", "--actor", "demo"]);
    c.ok(&["case", "ready", &n, "--actor", "demo"]);
    let neighbour = id("45082119900101123");
    c.ok(&["case", "collect", &n, "--by", "黄小明", "--id-number", &neighbour, "--attorney", "--actor", "demo"]);
    let v = c.json(&["case", "show", &n, "--json"]);
    assert_eq!(v["collector_role"], "attorney");
    assert_eq!(v["collected_by"], "黄小明");
}

#[test]
fn a_centre_may_bar_an_applicant_whose_commitment_was_broken() {
    let c = Centre::new();
    let applicant = id("45082119680405302");
    let f = c.file("t.json", &with_commitment(cj01(&applicant, &["SFZ", "HKB", "SQB"])));
    let n = c.json(&["case", "intake", &f, "--json"])["case_number"].as_str().unwrap().to_owned();
    let later = "2026-12-01T09:00:00+08:00";
    c.ok_at(later, &["case", "terminate", &n, "--reason", "逾期未补交照片", "--approver", "head", "--actor", "demo"]);
    c.ok_at(later, &["case", "archive", &n, "--actor", "demo"]);
    // By default the same applicant may commit again.
    let f2 = c.file("t2.json", &with_commitment(cj01(&applicant, &["SFZ", "HKB", "SQB"])));
    assert_eq!(c.json_at(later, &["case", "intake", &f2, "--json"])["decision"], "tolerated");
    // The centre's rule on: refused with the reason (the terminated case, archived since,
    // still counts), nothing written; without the commitment the supplement notice as always.
    c.ok_at(later, &["settings", "--set", "bar_broken_commitments=true", "--actor", "head"]);
    let before = c.count("SELECT count(*) FROM case_file");
    let out = c.run_at(later, &["case", "intake", &f2, "--json"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains(&format!("办件{n}已终止办理")), "{}", stderr(&out));
    assert_eq!(c.count("SELECT count(*) FROM case_file"), before, "nothing written");
    let out = c.run_at(later, &["case", "intake", &f2, "--preview"]);
    assert!(stderr(&out).contains("不再为其容缺受理"), "the preview says so too: {}", stderr(&out));
    let plain = c.file("p.json", &cj01(&applicant, &["SFZ", "HKB", "SQB"]));
    assert_eq!(c.json_at(later, &["case", "intake", &plain, "--json"])["decision"], "supplement");
    // Another applicant is not barred.
    let other = c.file("o.json", &with_commitment(cj01(&id("45082119680405303"), &["SFZ", "HKB", "SQB"])));
    assert_eq!(c.json_at(later, &["case", "intake", &other, "--json"])["decision"], "tolerated");
}
