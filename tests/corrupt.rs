//! The corruption matrix: a page of every table overwritten, the file cut short, emptied, or
//! replaced by a text file or another program's database. No command writes onto it; each says
//! so in Chinese; `verify` names the damage; a restore brings the centre back.

use std::path::Path;

use crate::util::*;

fn page_size(db: &Path) -> u64 {
    rusqlite::Connection::open(db).unwrap().query_row("PRAGMA page_size", [], |r| r.get::<_, i64>(0)).unwrap() as u64
}

/// Every table's first page (its b-tree root), as the schema lists them.
fn roots(db: &Path) -> Vec<(String, u64)> {
    let c = rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let mut stmt = c.prepare("SELECT name, rootpage FROM sqlite_master WHERE type = 'table' AND rootpage > 0 ORDER BY name").unwrap();
    stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64))).unwrap().map(Result::unwrap).collect()
}

fn overwrite_page(db: &Path, page: u64, size: u64) {
    use std::io::{Seek, SeekFrom, Write};
    let mut f = std::fs::OpenOptions::new().write(true).open(db).unwrap();
    f.seek(SeekFrom::Start((page - 1) * size)).unwrap();
    f.write_all(&vec![0xA5; size as usize]).unwrap();
    f.sync_all().unwrap();
}

fn has_chinese(s: &str) -> bool {
    s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

#[test]
fn no_command_writes_onto_a_damaged_database_verify_names_it_and_restore_brings_it_back() {
    let template = Centre::new();
    let f = template.file("a.json", &cj01(&id("45082119680405302"), CJ01_ALL));
    template.ok(&["case", "intake", &f, "--json"]);
    let backup = template.dir.path().join("backup.db");
    template.ok(&["backup", "--out", backup.to_str().unwrap()]);
    let size = page_size(&template.db);
    let tables = roots(&template.db);
    assert!(tables.len() >= 30, "{tables:?}");

    type Damage = Box<dyn Fn(&Path)>;
    let mut cases: Vec<(String, Damage)> = tables
        .iter()
        .map(|(name, page)| {
            let page = *page;
            (format!("表{name}的第{page}页被覆盖"), Box::new(move |db: &Path| overwrite_page(db, page, size)) as Damage)
        })
        .collect();
    cases.push(("文件被截断一半".into(), Box::new(|db: &Path| {
        let len = std::fs::metadata(db).unwrap().len();
        std::fs::OpenOptions::new().write(true).open(db).unwrap().set_len(len / 2).unwrap();
    })));
    cases.push(("文件为0字节".into(), Box::new(|db: &Path| std::fs::write(db, b"").unwrap())));
    cases.push(("文本文件".into(), Box::new(|db: &Path| std::fs::write(db, "会议纪要\n".repeat(500)).unwrap())));
    cases.push(("其他程序的数据库".into(), Box::new(|db: &Path| {
        std::fs::remove_file(db).unwrap();
        let c = rusqlite::Connection::open(db).unwrap();
        c.execute_batch("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes (body) VALUES ('x');").unwrap();
    })));

    let mut caught_by_verify = 0;
    for (label, damage) in &cases {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("centre.db");
        std::fs::copy(&template.db, &db).unwrap();
        let c = Centre { dir, db };
        damage(&c.db);
        let before = std::fs::read(&c.db).unwrap();
        let intake = c.file("b.json", &cj01(&id("45082119700101303"), CJ01_ALL));
        // A write is refused, in Chinese, with nothing written.
        let out = c.run(&["case", "intake", &intake, "--json"]);
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(1), "{label}: intake must be refused: {err}");
        assert!(has_chinese(&err) && !err.contains("panicked"), "{label}: {err}");
        // The other commands neither panic nor write; what they refuse they say in Chinese.
        for args in [&["case", "list", "--json"][..], &["today", "--json"], &["inquiry", "list", "--json"], &["catalog", "list", "--json"], &["verify"]] {
            let out = c.run(args);
            let err = String::from_utf8_lossy(&out.stderr).into_owned();
            assert!(matches!(out.status.code(), Some(0 | 1)), "{label} {args:?}: {err}");
            assert!(!err.contains("panicked"), "{label} {args:?}: {err}");
            if !out.status.success() {
                let said = format!("{err}{}", String::from_utf8_lossy(&out.stdout));
                assert!(has_chinese(&said), "{label} {args:?}: {said}");
            }
        }
        assert!(std::fs::read(&c.db).unwrap() == before, "{label}: the damaged file was written to");
        // `verify` names the damage (or the file is refused as no database of ours).
        let out = c.run(&["verify"]);
        let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert_eq!(out.status.code(), Some(1), "{label}: verify must fail: {said}");
        assert!(said.contains("损坏") || said.contains("不是一窗通") || said.contains("空的"), "{label}: {said}");
        if said.contains("损坏") {
            caught_by_verify += 1;
        }
        // The head restores the last backup onto it: the centre is back and takes work again.
        let out = c.run(&["restore", "--from", backup.to_str().unwrap(), "--terminal", "07"]);
        assert!(out.status.success(), "{label}: restore: {}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(c.ok(&["verify"]).trim(), "ok", "{label}");
        let v = c.json(&["case", "intake", &intake, "--json"]);
        assert_eq!(v["decision"], "accepted", "{label}: {v}");
    }
    eprintln!("corruption matrix: {} cases ({} tables' pages, 4 whole-file); verify named the damage in {caught_by_verify}", cases.len(), tables.len());
    assert!(caught_by_verify > tables.len() - 3, "{caught_by_verify} of {} page overwrites named as damage", tables.len());
}

#[test]
fn a_database_found_damaged_opens_read_only_until_restored() {
    let c = Centre::new();
    let backup = c.dir.path().join("backup.db");
    c.ok(&["backup", "--out", backup.to_str().unwrap()]);
    let size = page_size(&c.db);
    let (_, page) = roots(&c.db).into_iter().find(|(n, _)| n == "document").unwrap();
    overwrite_page(&c.db, page, size);
    let out = c.run(&["verify"]);
    assert_eq!(out.status.code(), Some(1));
    let marker = std::path::PathBuf::from(format!("{}.damaged", c.db.display()));
    assert!(marker.exists(), "the damage is remembered beside the file");
    // Reading still works (the centre, its catalogue); writing says why not and what to do.
    assert!(c.run(&["catalog", "list", "--json"]).status.success());
    let f = c.file("a.json", &cj01(&id("45082119680405302"), CJ01_ALL));
    let out = c.run(&["case", "intake", &f, "--json"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert!(err.contains("现只能查看") && err.contains("restore --from"), "{err}");
    c.ok(&["restore", "--from", backup.to_str().unwrap(), "--terminal", "07"]);
    assert!(!marker.exists());
    c.json(&["case", "intake", &f, "--json"]);
}
