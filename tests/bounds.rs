//! Odd input the window once took: each is refused with its Chinese reason, and nothing is
//! written (issue 12, "Bounds and sense").

use serde_json::json;

use crate::util::*;

fn snapshot(c: &Centre) -> (i64, i64, i64, i64) {
    (
        c.count("SELECT count(*) FROM event"),
        c.count("SELECT count(*) FROM case_file"),
        c.count("SELECT count(*) FROM applicant"),
        c.count("SELECT coalesce(sum(last), 0) FROM number_series"),
    )
}

/// Runs and expects a refusal whose message holds `message`; returns stderr.
fn refused(c: &Centre, at: &str, args: &[&str], message: &str) -> String {
    let out = c.run_at(at, args);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!out.status.success(), "{args:?} succeeded");
    assert!(err.starts_with("错误：") && err.contains(message), "{args:?}: expected “{message}” in {err}");
    assert_eq!(err.matches("错误").count(), 1, "one message, once: {err}");
    assert!(!err.contains("panicked"), "{err}");
    err
}

#[test]
fn odd_intakes_once_accepted_are_refused_with_their_reason_and_nothing_written() {
    let c = Centre::new();
    let applicant = id("45082119680405302");
    let good = cj01(&applicant, CJ01_ALL);
    let before = snapshot(&c);
    let mut cases: Vec<(serde_json::Value, &str)> = vec![];
    let with = |f: &dyn Fn(&mut serde_json::Value)| {
        let mut v = good.clone();
        f(&mut v);
        v
    };
    cases.push((with(&|v| v["materials"][0]["pages"] = json!(1_000_000_000)), "页数应为1至9999"));
    cases.push((with(&|v| v["materials"][0]["copies"] = json!(1_000_000)), "份数应为1至99"));
    cases.push((with(&|v| v["applicant"]["id_number"] = json!(id("45082120990101302"))), "出生日期2099-01-01晚于今天"));
    cases.push((with(&|v| v["applicant"]["id_number"] = json!(id("45082118500101302"))), "距今已超过130年"));
    cases.push((
        with(&|v| v["agent"] = json!({"name": "李秀英", "id_number": applicant, "phone": "13807759876"})),
        "代办人不能是申请人本人",
    ));
    cases.push((with(&|v| v["agent"] = json!({"name": "王五", "id_number": id("45082120300101302")})), "晚于今天"));
    cases.push((with(&|v| v["applicant"]["name"] = json!("李".repeat(300))), "姓名过长（300个字）"));
    cases.push((with(&|v| v["applicant"]["name"] = json!("李\u{7}秀英")), "姓名中有无效字符"));
    cases.push((with(&|v| v["defects"] = json!([{"material": "SFZ", "reason": "过".repeat(5_000_000)}])), "缺陷原因过长（5000000个字），最多100个字"));
    cases.push((with(&|v| v["defects"] = json!([{"material": "SFZ", "reason": "字迹\u{1b}[2J不清"}])), "不可见的控制字符（U+001B）"));
    cases.push((with(&|v| v["refuse"] = json!("不符合条件\u{202E}")), "不予受理的理由：不予受理的理由的第6个字符"));
    for (i, (input, message)) in cases.iter().enumerate() {
        let f = c.file(&format!("odd{i}.json"), input);
        refused(&c, NOW, &["case", "intake", &f, "--json"], message);
    }
    assert_eq!(snapshot(&c), before, "nothing was written");
    // 9999 pages and 99 copies are still a material.
    let ok = with(&|v| {
        v["materials"][0]["pages"] = json!(9999);
        v["materials"][0]["copies"] = json!(99);
    });
    c.json(&["case", "intake", &c.file("ok.json", &ok), "--json"]);
}

#[test]
fn a_returning_id_with_another_name_is_asked_about_not_renamed() {
    let c = Centre::new();
    let idn = id("45082119680405302");
    c.json(&["case", "intake", &c.file("a.json", &cj01(&idn, CJ01_ALL)), "--json"]);
    let before = snapshot(&c);
    let mut other = cj01(&idn, CJ01_ALL);
    other["applicant"]["name"] = json!("李秀兰");
    let f = c.file("b.json", &other);
    refused(&c, NOW, &["case", "intake", &f, "--json"], "已登记为“李秀英”，与本次填写的“李秀兰”不同");
    assert_eq!(snapshot(&c), before);
    assert_eq!(c.store().find_applicant(&idn).unwrap().unwrap().0, "李秀英", "the earlier cases keep their name");
    // Confirmed as a change of name, it is taken and the applicant renamed, in the event too.
    other["confirm_rename"] = json!(true);
    let o = c.json(&["case", "intake", &c.file("c.json", &other), "--json"]);
    assert_eq!(c.store().find_applicant(&idn).unwrap().unwrap().0, "李秀兰");
    let n = o["case_number"].as_str().unwrap();
    let payload: String = c.store().connection().query_row("SELECT payload FROM event WHERE subject = ?1 AND kind = 'case.intake'", [n], |r| r.get(0)).unwrap();
    assert!(payload.contains("李秀兰"), "{payload}");
}

#[test]
fn a_second_open_case_of_the_same_item_needs_its_reason() {
    let c = Centre::new();
    let idn = id("45082119680405302");
    let mut first = cj01(&idn, &["SFZ"]);
    first.as_object_mut().unwrap().remove("duplicate_reason");
    let open = c.json(&["case", "intake", &c.file("a.json", &first), "--json"]);
    let open = open["case_number"].as_str().unwrap().to_owned();
    // The preview names the open case before anything is taken.
    let preview = c.json(&["case", "intake", &c.file("p.json", &first), "--preview"]);
    assert_eq!(preview["duplicates"][0]["number"], open.as_str());
    let before = snapshot(&c);
    let err = refused(&c, NOW, &["case", "intake", &c.file("b.json", &first), "--json"], "已有同一事项的在办件");
    assert!(err.contains(&open), "{err}");
    assert_eq!(snapshot(&c), before);
    // With the reason it is taken; the reason is in the event.
    let mut second = first.clone();
    second["duplicate_reason"] = json!("原申请材料已退回，申请人重新申请");
    let o = c.json(&["case", "intake", &c.file("c.json", &second), "--json"]);
    let n = o["case_number"].as_str().unwrap();
    let payload: String = c.store().connection().query_row("SELECT payload FROM event WHERE subject = ?1 AND kind = 'case.intake'", [n], |r| r.get(0)).unwrap();
    assert!(payload.contains("原申请材料已退回") && payload.contains(&open), "{payload}");
}

#[test]
fn extensions_stop_where_article_42_stops_them() {
    let c = Centre::new();
    let o = c.json(&["case", "intake", &c.file("a.json", &cj01(&id("45082119680405302"), CJ01_ALL)), "--json"]);
    let n = o["case_number"].as_str().unwrap().to_owned();
    let at = "2026-11-30T10:00:00+08:00";
    fn extend<'a>(n: &'a str, days: &'a str) -> [&'a str; 11] {
        ["case", "extend", n, "--days", days, "--reason", "需实地核查", "--approver", "head", "--actor", "demo"]
    }
    let events = || c.count("SELECT count(*) FROM event WHERE kind = 'case.extended'");
    // The item's 20 working days may grow by 10 (第42条), not by three times 30.
    refused(&c, at, &extend(&n, "30"), "本件最多还可延长10个工作日");
    c.ok_at(at, &extend(&n, "6"));
    refused(&c, at, &extend(&n, "5"), "本件最多还可延长4个工作日");
    c.ok_at(at, &extend(&n, "4"));
    refused(&c, at, &extend(&n, "1"), "本件最多还可延长0个工作日");
    assert_eq!(events(), 2, "two extensions, nothing of the refused ones");
    let v = c.json_at(at, &["case", "show", &n, "--json"]);
    assert_eq!(v["extensions"].as_array().unwrap().len(), 2);
    // Free text is bounded here too.
    let long = "查".repeat(501);
    let out = c.run_at(at, &["case", "withdraw", &n, "--reason", &long, "--actor", "demo"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("撤回原因过长（501个字），最多500个字"));
}

#[test]
fn a_calendar_with_overlapping_holidays_or_a_second_body_for_its_version_is_refused() {
    let c = Centre::new();
    let base: serde_json::Value = serde_json::from_str(include_str!("../assets/calendar/2026.json")).unwrap();
    let events = c.count("SELECT count(*) FROM event");
    // The same file again changes nothing and says so quietly.
    let same = c.file("same.json", &base);
    c.ok(&["calendar", "import", &same, "--actor", "head"]);
    assert_eq!(c.count("SELECT count(*) FROM event"), events);
    // Version 1 with another body: refused, the held calendar stays.
    let mut other = base.clone();
    other["holidays"][0]["name"] = json!("新年");
    let f = c.file("other.json", &other);
    refused(&c, NOW, &["calendar", "import", &f, "--actor", "head"], "2026年日历版本1已导入，但内容与本文件不同");
    // Overlapping ranges and a month-long slip of a date.
    let mut overlap = base.clone();
    overlap["version"] = json!(2);
    overlap["holidays"].as_array_mut().unwrap().push(json!({"name": "补假", "from": "2026-01-03", "to": "2026-01-03"}));
    let f = c.file("overlap.json", &overlap);
    refused(&c, NOW, &["calendar", "import", &f, "--actor", "head"], "“补假”与“元旦”重叠（2026-01-03）");
    let mut long = base.clone();
    long["version"] = json!(2);
    long["holidays"][0]["to"] = json!("2026-02-10");
    let f = c.file("long.json", &long);
    refused(&c, NOW, &["calendar", "import", &f, "--actor", "head"], "超过一个月");
    let mut impossible = base;
    impossible["version"] = json!(2);
    impossible["holidays"][0]["to"] = json!("2026-02-30");
    let f = c.file("impossible.json", &impossible);
    refused(&c, NOW, &["calendar", "import", &f, "--actor", "head"], "某个日期或数值无效（如2月30日）");
    assert_eq!(c.count("SELECT count(*) FROM event"), events, "nothing was written");
}

#[test]
fn a_centre_code_from_the_statistics_list_is_kept_as_the_township_s_nine_digits() {
    let c = Centre::new_at("530621100000", "01");
    let centre: String = c.store().connection().query_row("SELECT code FROM centre", [], |r| r.get(0)).unwrap();
    assert_eq!(centre, "530621100");
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(bin())
        .args(["--db", dir.path().join("v.db").to_str().unwrap(), "init", "--centre-code", "530621100201", "--centre-name", "某镇", "--terminal", "01"])
        .env("YICHUANG_NOW", NOW)
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("以000结尾的12位统计用区划代码"));
}
