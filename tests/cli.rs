//! The command line's contract: the shapes scripts and HQ staff rely on.

use serde_json::json;

use crate::util::*;

#[test]
fn catalog_list_json_has_the_contract_fields() {
    let c = Centre::new();
    let items = c.json(&["catalog", "list", "--json"]);
    let items = items.as_array().unwrap();
    assert!(items.len() >= 15);
    let mut kinds = std::collections::BTreeSet::new();
    for i in items {
        for key in ["code", "name", "kind", "limit_days", "limit_unit", "materials"] {
            assert!(!i[key].is_null(), "{key} missing in {i}");
        }
        kinds.insert(i["kind"].as_str().unwrap().to_owned());
        assert!(["working", "natural"].contains(&i["limit_unit"].as_str().unwrap()));
        for m in i["materials"].as_array().unwrap() {
            assert!(m["code"].is_string() && m["name"].is_string() && m["required"].is_boolean(), "{m}");
        }
    }
    assert_eq!(kinds.into_iter().collect::<Vec<_>>(), ["forwarded", "immediate", "promised"]);
    assert!(items.iter().any(|i| i["limit_unit"] == "natural"));
}

/// `calendar due` without a database uses the bundled calendars.
#[test]
fn calendar_due_table() {
    let cases = [
        (&["--from", "2026-09-30", "--days", "3"][..], "2026-10-10"),
        (&["--from", "2026-02-13", "--days", "2"][..], "2026-02-24"),
        (&["--from", "2025-01-24", "--days", "1"][..], "2025-01-26"),
        (&["--from", "2025-09-30", "--days", "1"][..], "2025-10-09"),
        (&["--from", "2026-09-21", "--days", "10", "--natural"][..], "2026-10-08"),
        (&["--from", "2026-12-28", "--days", "5"][..], "2027-01-04 provisional"),
    ];
    for (args, expected) in cases {
        let out = std::process::Command::new(bin()).args(["calendar", "due"]).args(args).env_remove("YICHUANG_DB").output().unwrap();
        assert!(out.status.success());
        assert_eq!(String::from_utf8(out.stdout).unwrap().trim(), expected, "{args:?}");
    }
}

#[test]
fn validate_says_ok_or_why_in_chinese() {
    let check = |kind: &str, value: &str, ok: bool, contains: &str| {
        let out = std::process::Command::new(bin()).args(["validate", kind, value]).output().unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        assert_eq!(out.status.success(), ok, "{kind} {value}: {text}");
        assert!(text.contains(contains), "{kind} {value}: {text}");
    };
    check("id", "11010519491231002X", true, "ok");
    check("id", "11010519491231002x", true, "ok");
    check("id", "110105194912310021", false, "校验位不符");
    check("id", "11010519491231002", false, "应为18位，现在是17位");
    check("id", "110105194902300023", false, "出生日期“19490230”不是有效日期");
    check("uscc", "91350100M000100Y43", true, "ok");
    check("uscc", "91350100M000100Y42", false, "统一社会信用代码校验位不符");
    check("phone", "13800138000", true, "ok");
    check("phone", "12800138000", false, "号段");
    check("name", "阿依古丽·买买提", true, "ok");
    check("name", "张3", false, "无效字符");
}

#[test]
fn a_complete_promised_application_is_accepted_with_a_receipt() {
    let c = Centre::new();
    let f = c.file("a.json", &cj01(&id("45082119680405302"), CJ01_ALL));
    let o = c.json(&["case", "intake", &f, "--json"]);
    assert_eq!(o["decision"], "accepted");
    // 20 working days after Monday 23 Nov 2026.
    assert_eq!(o["due_date"], "2026-12-21");
    assert_eq!(o["missing"], json!([]));
    assert_eq!(o["documents"], json!([{"kind": "receipt", "number": "〔2026〕受字第01-0001号"}]));
    let n = o["case_number"].as_str().unwrap();
    assert_eq!(n.len(), 24);
    assert!(n.starts_with("4508211020120261123"));
    assert_eq!(c.ok(&["verify"]).trim(), "ok");
}

#[test]
fn an_immediate_item_is_completed_on_the_spot_and_refusals_carry_reasons() {
    let c = Centre::new();
    let f = c.file("a.json", &json!({
        "item": "YL-01",
        "applicant": {"name": "王小明", "id_number": id("45082119900301001")},
        "materials": [{"material": "SFZ", "pages": 1}, {"material": "HKB", "pages": 2}, {"material": "DJB", "pages": 1}],
        "clerk": "demo"
    }));
    let o = c.json(&["case", "intake", &f, "--json"]);
    assert_eq!((o["decision"].as_str(), o["status"].as_str()), (Some("immediate"), Some("completed")));
    assert_eq!(o["due_date"], "2026-11-23");
    assert_eq!(o["documents"][0]["kind"], "completion");
    let f = c.file("r.json", &json!({
        "item": "GL-01",
        "applicant": {"name": "刘桂兰", "id_number": id("45092319420101202")},
        "materials": [{"material": "SFZ", "pages": 1}],
        "refuse": "户籍不在本县",
        "clerk": "demo"
    }));
    let o = c.json(&["case", "intake", &f, "--json"]);
    assert_eq!(o["decision"], "refused");
    assert_eq!(o["due_date"], json!(null));
    assert_eq!(o["documents"][0]["number"], "〔2026〕不受字第01-0001号");
    let doc = c.json(&["doc", "show", o["documents"][0]["number"].as_str().unwrap(), "--json"]);
    assert_eq!(doc["body"]["reasons"], json!(["户籍不在本县"]));
    assert!(doc["body"]["notes"][0].as_str().unwrap().contains("行政复议"));
}

/// Every kind of bad input: a clear Chinese message on stderr, a non-zero exit, nothing written.
#[test]
fn bad_intakes_write_nothing() {
    let c = Centre::new();
    let snapshot = || {
        (
            c.count("SELECT count(*) FROM event"),
            c.count("SELECT count(*) FROM case_file"),
            c.count("SELECT count(*) FROM applicant"),
            c.count("SELECT coalesce(sum(last), 0) FROM number_series"),
        )
    };
    let before = snapshot();
    let good = cj01(&id("45082119680405302"), CJ01_ALL);
    let mut cases: Vec<(serde_json::Value, &str)> = vec![];
    let mut v = good.clone();
    v["applicant"]["id_number"] = json!("450821196804053021");
    cases.push((v.clone(), "身份证号码"));
    v["applicant"]["id_number"] = json!("45082119680405302");
    cases.push((v, "应为18位"));
    let mut v = good.clone();
    v["item"] = json!("NO-SUCH");
    cases.push((v, "目录中没有编码为“NO-SUCH”的事项"));
    let mut v = good.clone();
    v["materials"][0]["material"] = json!("XX");
    cases.push((v, "没有编码为“XX”的材料"));
    let mut v = good.clone();
    v["materials"][0]["pages"] = json!(0);
    cases.push((v, "页数应为1至9999"));
    let mut v = good.clone();
    v["clerk"] = json!("nobody");
    cases.push((v, "没有工号为“nobody”的工作人员"));
    let mut v = good.clone();
    v["applicant"]["phone"] = json!("123");
    cases.push((v, "申请人手机号码应为11位数字"));
    let mut v = good.clone();
    v["applicant"]["name"] = json!("");
    cases.push((v, "申请人姓名不能为空"));
    let mut v = good.clone();
    v["defects"] = json!([{"material": "SFZ", "reason": ""}]);
    cases.push((v, "缺陷原因"));
    let mut v = good.clone();
    v["unknown_field"] = json!(1);
    cases.push((v, "受理文件格式有误：第32行第17列有不认识的字段“unknown_field”"));
    for (i, (input, message)) in cases.iter().enumerate() {
        let f = c.file(&format!("bad{i}.json"), input);
        let out = c.run(&["case", "intake", &f, "--json"]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "case {i} succeeded");
        assert!(err.starts_with("错误："), "case {i}: {err}");
        assert!(err.contains(message), "case {i}: expected “{message}” in {err}");
        assert!(!err.contains("panicked"), "{err}");
        assert!(out.stdout.is_empty());
    }
    assert_eq!(snapshot(), before, "nothing was written");
    // A broken file is refused the same way.
    let p = c.dir.path().join("broken.json");
    std::fs::write(&p, "{\"item\": \"CJ-01\", ").unwrap();
    let out = c.run(&["case", "intake", p.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("受理文件格式有误"));
    assert_eq!(snapshot(), before);
}

#[test]
fn usage_errors_are_clear() {
    let out = std::process::Command::new(bin()).args(["case", "list"]).env_remove("YICHUANG_DB").output().unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("请用 --db 指定数据库文件"));
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("none.db");
    let out = std::process::Command::new(bin()).arg("--db").arg(&missing).args(["case", "list"]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("不存在，请先用 init 建立"));
    assert!(!missing.exists(), "a typo must not create an empty database");
    let c = Centre::new();
    let out = c.run_at("yesterday", &["case", "list"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("YICHUANG_NOW“yesterday”不是RFC 3339时间"));
    let out = c.run(&["case", "show", "123"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("办件编号“123”无效"));
    let out = c.run(&["case", "show", "450821102012026112300015"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("校验位不符"), "{}", String::from_utf8_lossy(&out.stderr));
    let out = c.run(&["init", "--centre-code", "450821102", "--centre-name", "x", "--terminal", "01"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("不能重复初始化"));
    // Clap's mistakes in Chinese, once, exit 2.
    for (args, said) in [
        (&["intake"][..], "没有“intake”这个命令"),
        (&["case", "list", "--frobnicate"][..], "不认识的参数“--frobnicate”"),
        (&["case", "extend", "x"][..], "缺少必填的参数"),
        (&["case", "list", "--due-within", "many"][..], "参数--due-within <DUE_WITHIN>的值“many”无效"),
    ] {
        let out = c.run(args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(err.starts_with("错误：") && err.contains(said) && err.contains("用法见"), "{args:?}: {err}");
        assert!(!err.contains("error:") && !err.contains("Usage"), "{args:?}: {err}");
    }
}

/// Output cut off by a closed pipe (`| head -c 10`) ends the program quietly: no panic, no
/// backtrace, nothing written.
#[test]
fn a_closed_pipe_ends_quietly() {
    use std::io::Read;
    let c = Centre::new();
    // More output than a pipe holds (64 KiB), so that the program is still writing when the
    // reader goes away.
    c.ok(&["case", "intake", &c.file("a.json", &cj01(&id("45082119680405302"), CJ01_ALL)), "--repeat", "150"]);
    let mut child = std::process::Command::new(bin())
        .arg("--db")
        .arg(&c.db)
        .args(["events", "--limit", "100000"])
        .env("YICHUANG_NOW", NOW)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 10];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    // The reading end is closed here (dropped), as `head -c 10` closes it.
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked") && !err.contains("backtrace"), "{err}");
    assert!(err.is_empty(), "{err}");
    assert_eq!(out.status.code(), Some(141), "ended as a closed pipe ends a program");
}

#[test]
fn a_one_time_notice_and_an_inquiry_without_a_case() {
    let c = Centre::new();
    let out = c.ok(&["doc", "notice", "ZJ-01", "--person", "陈建华", "--actor", "demo"]);
    assert!(out.contains("〔2026〕告字第01-0001号"), "{out}");
    let doc = c.json(&["doc", "show", "GZ-2026-01-0001", "--json"]);
    assert_eq!(doc["body"]["materials"].as_array().unwrap().len(), 7);
    assert_eq!(doc["body"]["catalogue_version"], "2026.12-demo");
    assert!(doc["body"]["guide"]["legal_basis"].as_str().unwrap().contains("土地管理法"));
    let f = c.file("q.json", &json!({
        "channel": "visit", "person": "赵大娘", "phone": "13907750001",
        "matter": "低保年审何时进行", "disposition": "handover", "handed_to": "县民政局社会救助股",
        "responder": "demo"
    }));
    let q = c.json(&["inquiry", "add", &f, "--json"]);
    // Friday 20 Nov would hand over on Monday; Monday 23 Nov hands over on Tuesday 24 Nov,
    // and the receiving department replies within 3 working days: Friday 27 Nov.
    assert_eq!(q["handover_due"], "2026-11-24");
    assert_eq!(q["reply_due"], "2026-11-27");
    assert_eq!(q["documents"][0]["kind"], "inquiry_slip");
    let open = c.json(&["inquiry", "list", "--open", "--json"]);
    assert_eq!(open.as_array().unwrap().len(), 1);
    let id = q["id"].as_str().unwrap();
    let late = c.json_at("2026-11-30T09:00:00+08:00", &["inquiry", "list", "--open", "--json"]);
    assert_eq!(late[0]["warning"]["level"], "red");
    c.ok(&["inquiry", "reply", id, "--result", "民政局答复：12月统一年审", "--actor", "demo"]);
    assert_eq!(c.json(&["inquiry", "list", "--open", "--json"]), json!([]));
    assert_eq!(c.ok(&["verify"]).trim(), "ok");
}

#[test]
fn preview_today_and_settings() {
    let c = Centre::new();
    let f = c.file("a.json", &cj01(&id("45082119680405302"), &["SFZ", "HKB"]));
    let p = c.json(&["case", "intake", &f, "--preview"]);
    assert_eq!(p["decision"], "supplement");
    assert_eq!(p["missing"], json!(["ZP", "SQB"]));
    assert_eq!(c.count("SELECT count(*) FROM case_file"), 0, "a preview takes nothing in");
    c.json(&["case", "intake", &f, "--json"]);
    let full = c.file("b.json", &cj01(&id("45082119700101303"), CJ01_ALL));
    let p = c.json(&["case", "intake", &full, "--preview"]);
    assert_eq!((p["decision"].as_str(), p["due_date"].as_str()), (Some("accepted"), Some("2026-12-21")));
    c.json(&["case", "intake", &full, "--json"]);
    let b = c.json(&["today", "--json"]);
    assert_eq!(b["counts"]["received"], 2);
    assert_eq!(b["counts"]["accepted"], 1);
    assert_eq!(b["counts"]["supplement_notices"], 1);
    assert_eq!(b["awaiting_supplement"].as_array().unwrap().len(), 1);
    let later = c.json_at("2026-12-18T09:00:00+08:00", &["today", "--json"]);
    assert_eq!(later["due_soon"][0]["warning"]["level"], "yellow");
    assert!(c.ok(&["today"]).contains("今日全中心：收件2件"));
    // Settings: shown to all, changed by the head only.
    assert_eq!(c.json(&["settings"])["warning_days"], 2);
    let out = c.run(&["settings", "--set", "warning_days=3", "--actor", "demo"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("李梅没有此操作的权限"));
    let s = c.json(&["settings", "--set", "warning_days=3", "--actor", "head"]);
    assert_eq!(s["warning_days"], 3);
    let s = c.json(&["settings", "--set", "slip_printer=Receipt80", "--actor", "head"]);
    assert_eq!(s["slip_printer"], "Receipt80");
    let out = c.run(&["settings", "--set", "colour=blue", "--actor", "head"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("没有名为“colour”的设置"));
}

#[test]
fn a_terminal_never_enrolled_writes_its_export_files_signed_with_its_own_key() {
    let c = Centre::new();
    let n = c.json(&["case", "intake", &c.file("a.json", &cj01(&id("45082119680405302"), CJ01_ALL)), "--json"]);
    let out_file = c.dir.path().join("2026-11-23.json");
    // Sealed to the county's key: with none known, the file is not written.
    let out = c.run(&["export", "--day", "2026-11-23", "--out", out_file.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("hq_public_key"), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(!out_file.exists());
    let out = c.run(&["settings", "--set", "hq_public_key=not-a-key", "--actor", "head"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("不是有效的公钥"), "{}", String::from_utf8_lossy(&out.stderr));
    let county = Centre::new_at("450821199", "01");
    c.ok(&["settings", "--set", &format!("hq_public_key={}", county.key()), "--actor", "head"]);
    let out = c.ok(&["export", "--day", "2026-11-23", "--out", out_file.to_str().unwrap()]);
    assert!(out.contains("第1至") && out.contains("公钥指纹") && out.contains("已加密"), "{out}");
    let sealed = yichuang_sync::seal::Sealed::sniff(&std::fs::read(&out_file).unwrap()).unwrap();
    assert!(sealed.is_for(&county.key()) && sealed.is_for(&c.key()) && sealed.recipients.len() == 2);
    assert!(!String::from_utf8_lossy(&std::fs::read(&out_file).unwrap()).contains("李秀英"));
    // Opened as the county would (here the stand-in county is another store).
    let bytes = sealed.open(&county.key(), |e| Ok(county.store().agree_as_terminal(e)?)).unwrap();
    let batch = yichuang_sync::Batch::from_bytes(&bytes).unwrap();
    batch.check().unwrap();
    batch.verify_key_signature().unwrap();
    assert!(batch.events.iter().any(|e| e.subject == n["case_number"].as_str().unwrap()));
    let pending = c.dir.path().join("pending.json");
    let out = c.ok(&["export", "--pending", "--out", pending.to_str().unwrap()]);
    assert!(out.contains("第1至"), "{out}");
    assert!(!c.dir.path().join("pending.part").exists(), "written through a temporary file");
}

#[test]
fn a_public_key_that_begins_with_a_dash_is_taken_as_a_key() {
    // base64url keys begin with '-' one time in 64: such a key is a value, not a flag.
    let c = Centre::new();
    let out = c.run(&["export", "--for-peers", "--out", c.dir.path().join("x.json").to_str().unwrap(), "--to", "-lAkz5oHPJ2H7QFnuT36cd4ON5r8edCEzIpu80ubSc0"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("unexpected argument"), "{err}");
}

#[test]
fn a_pin_is_reset_by_the_head_and_changed_by_its_owner_from_standard_input() {
    let c = Centre::new();
    let with_stdin = |args: &[&str], input: &str| c.run_with_stdin(NOW, args, input);
    // A clerk cannot reset; the head proves the head's own PIN first, then gives the new one.
    let out = with_stdin(&["staff", "reset-pin", "demo", "--actor", "b1"], "123456\n654321\n");
    assert!(String::from_utf8_lossy(&out.stderr).contains("没有此操作的权限"), "{}", String::from_utf8_lossy(&out.stderr));
    let out = with_stdin(&["staff", "reset-pin", "head", "--actor", "head"], "999999\n");
    assert!(String::from_utf8_lossy(&out.stderr).contains("须由中心负责人办理") || String::from_utf8_lossy(&out.stderr).contains("工号或密码不对"), "a head's PIN is not reset without it");
    let out = with_stdin(&["staff", "reset-pin", "demo", "--actor", "head"], "123456\n1234\n");
    assert!(String::from_utf8_lossy(&out.stderr).contains("密码应为6到12位数字"));
    let out = with_stdin(&["staff", "reset-pin", "demo", "--actor", "head"], "123456\n654321\n");
    assert!(String::from_utf8_lossy(&out.stdout).contains("已重置李梅的密码"), "{}", String::from_utf8_lossy(&out.stderr));
    let out = with_stdin(&["staff", "change-pin", "demo"], "123456\n777777\n");
    assert!(String::from_utf8_lossy(&out.stderr).contains("工号或密码不对"), "the demo PIN was replaced");
    let out = with_stdin(&["staff", "change-pin", "demo"], "654321\n777777\n");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(c.count("SELECT count(*) FROM event WHERE kind = 'staff.pin_set'"), 2);
    assert_eq!(c.count("SELECT count(*) FROM event WHERE kind = 'staff.sign_in_failed'"), 2, "the wrong head PIN and the wrong old PIN");
}

#[cfg(unix)]
#[test]
fn the_centre_s_files_are_its_owner_s_only() {
    use std::os::unix::fs::PermissionsExt;
    let c = Centre::new();
    let other = Centre::terminal("02");
    c.json(&["case", "intake", &c.file("a.json", &cj01(&id("45082119680405302"), CJ01_ALL)), "--json"]);
    let backup = c.dir.path().join("b.db");
    c.ok(&["backup", "--out", backup.to_str().unwrap()]);
    let export = c.dir.path().join("x.json");
    c.ok(&["export", "--for-peers", "--out", export.to_str().unwrap(), "--to", &other.key()]);
    let report = c.dir.path().join("r.xlsx");
    c.ok(&["report", "--month", "2026-11", "--xlsx", report.to_str().unwrap()]);
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    for f in [c.db.clone(), backup, export, report] {
        assert_eq!(mode(&f), 0o600, "{}", f.display());
    }
    let wal = c.db.with_extension("db-wal");
    if wal.exists() {
        assert_eq!(mode(&wal), 0o600, "SQLite gives the WAL the database's permissions");
    }
    // A database left readable by others is made private when it is opened.
    std::fs::set_permissions(&c.db, std::fs::Permissions::from_mode(0o644)).unwrap();
    c.ok(&["verify"]);
    assert_eq!(mode(&c.db), 0o600);
}

#[test]
fn an_empty_or_foreign_file_is_refused_never_made_a_new_database() {
    let dir = tempfile::tempdir().unwrap();
    let run = |db: &std::path::Path, args: &[&str]| {
        std::process::Command::new(bin()).arg("--db").arg(db).args(args).env("YICHUANG_NOW", NOW).output().unwrap()
    };
    let empty = dir.path().join("empty.db");
    std::fs::write(&empty, b"").unwrap();
    let text = dir.path().join("notes.db");
    std::fs::write(&text, "这是一份会议记录，不是数据库".repeat(20)).unwrap();
    for (file, says) in [(&empty, "文件是空的（0字节）"), (&text, "不是一窗通的数据库文件")] {
        let before = std::fs::read(file).unwrap();
        for args in [&["verify"][..], &["init", "--centre-code", "450821102", "--centre-name", "示范镇便民服务中心", "--terminal", "01", "--demo"][..]] {
            let out = run(file, args);
            assert!(!out.status.success(), "{args:?}");
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(err.contains(says) && !err.contains("panicked"), "{err}");
        }
        assert_eq!(std::fs::read(file).unwrap(), before, "left untouched");
    }
}

#[test]
fn verify_names_a_damaged_page_of_the_file() {
    let c = Centre::new();
    c.json(&["case", "intake", &c.file("a.json", &cj01(&id("45082119680405302"), CJ01_ALL)), "--json"]);
    assert_eq!(c.ok(&["verify"]).trim(), "ok");
    let (root, page): (i64, i64) = {
        let s = c.store();
        let root = s.connection().query_row("SELECT rootpage FROM sqlite_master WHERE name = 'document'", [], |r| r.get(0)).unwrap();
        let page = s.connection().query_row("PRAGMA page_size", [], |r| r.get(0)).unwrap();
        s.connection().execute_batch("PRAGMA wal_checkpoint(TRUNCATE)").unwrap();
        (root, page)
    };
    // A 4 KB page of the document table overwritten (a bad sector, a stray write).
    let mut bytes = std::fs::read(&c.db).unwrap();
    let at = ((root - 1) * page) as usize;
    bytes[at..at + page as usize].fill(0x55);
    std::fs::write(&c.db, bytes).unwrap();
    let out = c.run(&["verify"]);
    assert!(!out.status.success());
    let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(said.contains("数据库文件已损坏") && said.contains("请从备份恢复"), "{said}");
}

/// What the events determine is checked against the tables: a clerk promoted to head, a due
/// date moved to 2099, an applicant renamed or a setting changed with sqlite3 is named by
/// `verify`, in Chinese.
#[test]
fn verify_names_a_column_changed_behind_the_program_s_back() {
    let c = Centre::new();
    let o = c.json(&["case", "intake", &c.file("a.json", &cj01(&id("45082119680405302"), CJ01_ALL)), "--json"]);
    let n = o["case_number"].as_str().unwrap().to_owned();
    c.ok(&["settings", "--set", "warning_days=3", "--actor", "head"]);
    // An on-the-spot item completed by its supplement, and an organisation with a tab in its
    // name: legitimate, so verify says ok (a false alarm the review found).
    let yl = c.file("yl.json", &json!({"item": "YL-01", "applicant": {"name": "王小明", "id_number": id("45082119900301001")},
        "materials": [{"material": "SFZ", "pages": 1}, {"material": "HKB", "pages": 2}], "clerk": "demo"}));
    let first = c.json(&["case", "intake", &yl, "--json"]);
    assert_eq!(first["decision"], "supplement");
    let rest = c.file("yl2.json", &json!({"materials": [{"material": "DJB", "pages": 1}], "clerk": "demo"}));
    let done = c.json(&["case", "supplement", first["case_number"].as_str().unwrap(), &rest, "--json"]);
    assert_eq!(done["status"], "completed");
    assert_eq!(c.ok(&["verify"]).trim(), "ok");
    let tamper = |sql: &str, undo: &str, said: &str| {
        c.store().connection().execute_batch(sql).unwrap();
        let out = c.run(&["verify"]);
        let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert!(!out.status.success(), "{sql}: {text}");
        assert!(text.contains(said), "{sql}: expected “{said}” in {text}");
        c.store().connection().execute_batch(undo).unwrap();
        assert_eq!(c.ok(&["verify"]).trim(), "ok", "undone: {undo}");
    };
    tamper("UPDATE staff SET role = 'head' WHERE id = 'demo'", "UPDATE staff SET role = 'clerk' WHERE id = 'demo'", "工作人员的角色“demo”在数据库中为“head”，但事件记录的是“clerk”");
    tamper(
        &format!("UPDATE case_file SET due_date = '2099-12-31' WHERE number = '{n}'"),
        &format!("UPDATE case_file SET due_date = '2026-12-21' WHERE number = '{n}'"),
        "办件的承诺办结日期",
    );
    let mine = id("45082119680405302");
    tamper(&format!("UPDATE applicant SET name = '李秀兰' WHERE id_number = '{mine}'"), &format!("UPDATE applicant SET name = '李秀英' WHERE id_number = '{mine}'"), "申请人的姓名“450821********3025”在数据库中为“李秀兰”，但事件记录的是“李秀英”");
    tamper(
        "UPDATE centre SET settings = json_set(settings, '$.warning_days', 9)",
        "UPDATE centre SET settings = json_set(settings, '$.warning_days', 3)",
        "中心设置“warning_days”在数据库中为“9”，但事件记录的是“3”",
    );
}

/// The CLI's privileged commands are the head's, proven by the head's PIN on standard input
/// (never an argument); "system" adds no one once the centre has a head.
#[test]
fn privileged_commands_need_the_head_s_pin_from_standard_input() {
    let c = Centre::new();
    let calendar = c.file("cal.json", &serde_json::from_str::<serde_json::Value>(include_str!("../assets/calendar/2026.json")).unwrap());
    let events = || c.count("SELECT count(*) FROM event WHERE kind <> 'staff.sign_in_failed'");
    let before = events();
    for args in [
        &["settings", "--set", "warning_days=4", "--actor", "head"][..],
        &["calendar", "import", &calendar, "--actor", "head"][..],
        &["staff", "add", "--id", "x1", "--name", "覃小燕", "--role", "clerk", "--actor", "head"][..],
    ] {
        let out = c.run_with_stdin(NOW, args, "");
        assert!(!out.status.success(), "{args:?} without a PIN");
        assert!(String::from_utf8_lossy(&out.stderr).contains("须由中心负责人办理"), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        let out = c.run_with_stdin(NOW, args, "000000\n");
        assert!(String::from_utf8_lossy(&out.stderr).contains("工号或密码不对"), "{args:?}");
    }
    // A clerk's own right PIN does not make a clerk the head.
    let out = c.run_with_stdin(NOW, &["settings", "--set", "warning_days=4", "--actor", "demo"], "123456\n");
    assert!(String::from_utf8_lossy(&out.stderr).contains("没有此操作的权限"), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(events(), before, "nothing was written");
    assert_eq!(c.count("SELECT count(*) FROM event WHERE kind = 'staff.sign_in_failed'"), 3, "each wrong PIN counted");
    // With the head's PIN: the new member's first PIN is the second line.
    let out = c.run_with_stdin(NOW, &["staff", "add", "--id", "x1", "--name", "覃小燕", "--role", "clerk", "--actor", "head"], "123456\n246810\n");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(c.store().sign_in("x1", "246810", at(NOW)).is_ok());
    // "system" adds no one to a centre that has a head.
    let out = c.run_with_stdin(NOW, &["staff", "add", "--id", "x2", "--name", "覃小红", "--role", "head", "--actor", "system"], "123456\n246810\n");
    assert!(!out.status.success());
}
