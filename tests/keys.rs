//! The key that seals a database and masks its PINs lives outside the file, in this PC's key
//! folder: a copied database opens nowhere else, and the head's exported key lets it.

use std::process::Output;

use crate::util::*;

/// `yichuang` as run on another PC: its own key folder.
fn on_pc(keys: &std::path::Path, db: &std::path::Path, args: &[&str], input: &str) -> Output {
    run_on_db(db, NOW, args, input, &[("YICHUANG_KEY_DIR", keys.as_os_str())])
}

#[test]
fn a_copied_database_opens_only_on_a_pc_holding_its_key() {
    let c = Centre::new();
    let f = c.file("a.json", &cj01(&id("45082119680405302"), CJ01_ALL));
    c.ok(&["case", "intake", &f, "--json"]);
    let other = tempfile::tempdir().unwrap();
    let copy = other.path().join("copy.db");
    let backup = other.path().join("b.db");
    c.ok(&["backup", "--out", backup.to_str().unwrap()]);
    std::fs::copy(&backup, &copy).unwrap();
    let keys = other.path().join("keys");
    let before = std::fs::read(&copy).unwrap();
    for args in [&["case", "list"][..], &["verify"], &["today"]] {
        let out = on_pc(&keys, &copy, args, "");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(err.contains("由另一台电脑的密钥") && err.contains("machine-key import"), "{args:?}: {err}");
    }
    assert!(std::fs::read(&copy).unwrap() == before, "nothing written to the copied file");

    // Only the head exports the key, with the PIN, to a new file, private, on the record.
    let out_file = c.dir.path().join("key.txt");
    let out = c.run_with_stdin(NOW, &["machine-key", "export", "--out", out_file.to_str().unwrap(), "--actor", "demo"], "123456\n");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("没有此操作的权限"), "{}", String::from_utf8_lossy(&out.stderr));
    let out = c.run_with_stdin(NOW, &["machine-key", "export", "--out", out_file.to_str().unwrap()], "000000\n");
    assert_eq!(out.status.code(), Some(1));
    assert!(!out_file.exists());
    c.ok(&["machine-key", "export", "--out", out_file.to_str().unwrap()]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&out_file).unwrap().permissions().mode() & 0o777, 0o600);
    }
    assert_eq!(c.count("SELECT count(*) FROM event WHERE kind = 'key.exported' AND actor = 'head'"), 1);
    let again = c.run(&["machine-key", "export", "--out", out_file.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(1), "an existing file is never overwritten");

    // Imported on the other PC, the copy opens, verifies and signs the head in.
    let out = on_pc(&keys, &copy, &["machine-key", "import", out_file.to_str().unwrap()], "");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = on_pc(&keys, &copy, &["verify"], "");
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "ok", "{}", String::from_utf8_lossy(&out.stderr));
    let shown = String::from_utf8(on_pc(&keys, &copy, &["machine-key", "show"], "").stdout).unwrap();
    assert!(shown.contains(&keys.display().to_string()), "{shown}");
    // Something that is no key file is refused in Chinese.
    let junk = other.path().join("junk.txt");
    std::fs::write(&junk, "hello").unwrap();
    let out = on_pc(&keys, &copy, &["machine-key", "import", junk.to_str().unwrap()], "");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("不是一窗通的密钥文件"));
}

#[test]
fn the_database_file_holds_no_pin_hash_a_guess_can_be_checked_against() {
    // What an attacker with a copy of the file (and not the key folder) can try: Argon2id of
    // a guess with the stored salt. Even the right PIN does not give the stored value.
    let c = Centre::new();
    let stored: String = c.store().connection().query_row("SELECT pin_hash FROM staff WHERE id = 'head'", [], |r| r.get(0)).unwrap();
    let phc = stored.strip_prefix("k2").expect("masked");
    let parsed = argon2::password_hash::PasswordHash::new(phc).unwrap();
    use argon2::password_hash::PasswordHasher;
    let params = argon2::Params::new(19 * 1024, 2, 1, None).unwrap();
    let a = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    let t = std::time::Instant::now();
    let right = a.hash_password(b"123456", parsed.salt.unwrap()).unwrap();
    let per_guess = t.elapsed();
    assert_ne!(right.hash, parsed.hash, "the right PIN's plain hash is not what the file holds");
    // For the record: without the mask, a million 6-digit PINs at this rate on one core.
    eprintln!("Argon2id per guess {per_guess:?}: unmasked, 10^6 PINs would take {:.1} h on one core", per_guess.as_secs_f64() * 1e6 / 3600.0);
}

/// The terminal's signing key and an enrolment's batch key are in the file only sealed under
/// this PC's key: a copy of the file alone signs nothing and proves nothing to HQ. A secret held
/// in plain text by an older version is sealed when the file is next opened, and still works.
#[test]
fn the_database_file_holds_no_usable_signing_key_nor_batch_key() {
    let c = Centre::new();
    let pdf = c.dir.path().join("notice.pdf");
    c.ok(&["doc", "notice", "YL-01", "--actor", "demo", "--out", pdf.to_str().unwrap()]);
    let batch_key = "QkFUQ0gta2V5LW9mLWEtdGVzdC1lbnJvbG1lbnQtMzI=";
    {
        let mut s = c.store();
        let qr = s.document_qr("GZ-2026-01-0001", at(NOW)).unwrap();
        assert!(c.ok(&["doc", "verify", &qr]).contains("真实"));
        let base_hash = s.event_hash(1).unwrap();
        let e = yichuang_store::Enrolment {
            terminal_uid: "T-0001".into(),
            hq_url: "https://hq.example".into(),
            hmac_key: batch_key.into(),
            hq_public_key: "AAAA".into(),
            base_seq: 1,
            base_hash,
            enrolled_at: NOW.into(),
        };
        s.record_enrolment(&e).unwrap();
        assert_eq!(s.enrolment().unwrap().unwrap().hmac_key, batch_key, "the program reads the key it was given");
        let (signing, batch): (String, String) = s
            .connection()
            .query_row("SELECT (SELECT secret_key FROM terminal_key), (SELECT hmac_key FROM sync_enrolment)", [], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap();
        assert!(signing.starts_with("m1:") && batch.starts_with("m1:"), "{signing} {batch}");
        // An older version's row, plain: inserted behind the program's back as migration 19 left it.
        s.connection()
            .execute(
                "INSERT INTO sync_enrolment (terminal_uid, hq_url, hmac_key, hq_public_key, base_seq, base_hash, head_at_enrolment, enrolled_at) \
                 SELECT 'T-0002', hq_url, 'UExBSU4ta2V5LW9mLWFuLW9sZGVyLXZlcnNpb24tMzI=', hq_public_key, base_seq, base_hash, head_at_enrolment, enrolled_at FROM sync_enrolment",
                [],
            )
            .unwrap();
        s.connection().pragma_update(None, "user_version", 19).unwrap();
    }
    // Opened again: migration 20 seals the plain one; both still read as they were given.
    let s = c.store();
    let keys: Vec<String> = s.enrolments().unwrap().into_iter().map(|e| e.hmac_key).collect();
    assert_eq!(keys, [batch_key, "UExBSU4ta2V5LW9mLWFuLW9sZGVyLXZlcnNpb24tMzI="]);
    let raw: Vec<String> = {
        let mut st = s.connection().prepare("SELECT hmac_key FROM sync_enrolment ORDER BY rowid").unwrap();
        st.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
    };
    assert!(raw.iter().all(|k| k.starts_with("m1:")), "{raw:?}");
    // Frozen again: a key is never changed.
    assert!(s.connection().execute("UPDATE sync_enrolment SET hq_url = 'x'", []).is_err());
    assert!(s.connection().execute("UPDATE terminal_key SET created_at = 'x'", []).is_err());
    assert_eq!(s.verify().unwrap().fault, None);
    drop(s);
    // What `strings` of the file would show: neither batch key in any form the program uses.
    let mut bytes = std::fs::read(&c.db).unwrap();
    if let Ok(wal) = std::fs::read(c.db.with_extension("db-wal")) {
        bytes.extend(wal);
    }
    let text = String::from_utf8_lossy(&bytes);
    assert!(!text.contains(batch_key) && !text.contains("UExBSU4ta2V5"), "a batch key is in the file in plain text");
    // Nor in the copy the migration took before it sealed them.
    let copy = std::fs::read(c.db.with_extension("db.v19.bak")).expect("the copy taken before migrating");
    assert!(!String::from_utf8_lossy(&copy).contains("UExBSU4ta2V5"), "the pre-migration copy holds a batch key in plain text");
    // The signature made before the file was opened again still verifies.
    let mut s = c.store();
    let qr = s.document_qr("GZ-2026-01-0001", at(NOW)).unwrap();
    assert!(c.ok(&["doc", "verify", &qr]).contains("真实"));
    // A value edited, or a plain one planted with sqlite3 after migration 20, opens to nothing.
    s.connection().execute_batch("DROP TRIGGER sync_enrolment_frozen; UPDATE sync_enrolment SET hmac_key = 'UExBSU4ta2V5LXBsYW50ZWQ=' WHERE terminal_uid = 'T-0002'").unwrap();
    assert_eq!(s.enrolments().unwrap_err().code(), "store.bad_file");
    s.connection().execute_batch("DROP TRIGGER terminal_key_frozen; UPDATE terminal_key SET secret_key = substr(secret_key, 1, 10) || (CASE substr(secret_key, 11, 1) WHEN 'A' THEN 'B' ELSE 'A' END) || substr(secret_key, 12)").unwrap();
    assert!(s.document_qr("GZ-2026-01-0001", at(NOW)).is_err(), "an edited signing key signed");
}
