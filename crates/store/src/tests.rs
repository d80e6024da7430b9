//! Unit tests of the store on a real database file in a temporary folder.
use super::*;
use yichuang_core::quality::Duty;
use yichuang_core::Rating;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

pub(crate) fn now(s: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(s).unwrap()
}

pub(crate) fn demo_store(dir: &Path) -> Store {
    let mut s = Store::open(dir.join("centre.db")).unwrap();
    let t = now("2026-11-01T08:00:00+08:00");
    s.initialise(CentreCode::parse("450821102").unwrap(), "示范镇便民服务中心", TerminalId::parse("01").unwrap(), t).unwrap();
    s.load_demo(t).unwrap();
    s
}

#[test]
fn a_new_database_is_wal_full_sync_with_foreign_keys() {
    let dir = tempfile::tempdir().unwrap();
    let s = demo_store(dir.path());
    let c = s.connection();
    let mode: String = c.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
    let sync: i64 = c.query_row("PRAGMA synchronous", [], |r| r.get(0)).unwrap();
    let fk: i64 = c.query_row("PRAGMA foreign_keys", [], |r| r.get(0)).unwrap();
    assert_eq!((mode.as_str(), sync, fk), ("wal", 2, 1));
    assert_eq!(user_version(c).unwrap(), MIGRATIONS.len() as i64);
    assert_eq!(s.calendar().version(), "2025.1+2026.1");
    assert_eq!(s.verify().unwrap().fault, None);
}

#[test]
fn every_table_refuses_delete_and_events_refuse_update() {
    let dir = tempfile::tempdir().unwrap();
    let s = demo_store(dir.path());
    let c = s.connection();
    let mut stmt = c.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").unwrap();
    let tables: Vec<String> = stmt.query_map([], |r| r.get(0)).unwrap().map(|r| r.unwrap()).collect();
    assert!(tables.len() >= 14, "{tables:?}");
    for t in &tables {
        let trigger: i64 = c
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?1 AND sql LIKE '%BEFORE DELETE%'",
                [t],
                |r| r.get(0),
            )
            .unwrap();
        assert!(trigger >= 1, "table {t} must refuse DELETE");
    }
    let e = c.execute("DELETE FROM staff WHERE id = 'demo'", []).unwrap_err();
    assert!(e.to_string().contains("nothing is deleted"), "{e}");
    let e = c.execute("UPDATE event SET actor = 'x' WHERE seq = 1", []).unwrap_err();
    assert!(e.to_string().contains("append-only"), "{e}");
    c.execute("INSERT INTO number_series (series, last) VALUES ('test', 1)", []).unwrap();
    let e = c.execute("UPDATE number_series SET last = last + 2", []).unwrap_err();
    assert!(e.to_string().contains("exactly one"), "{e}");
}

#[test]
fn a_database_from_a_newer_version_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("centre.db");
    drop(demo_store(dir.path()));
    Connection::open(&path).unwrap().pragma_update(None, "user_version", 99).unwrap();
    let e = Store::open(&path).err().unwrap();
    assert_eq!(e.code(), "store.newer_database");
    assert!(e.to_string().contains("版本99"), "{e}");
}

#[test]
fn migrating_takes_a_backup_first_and_appends() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("centre.db");
    // A centre as a program that knew only migration 1 left it: no key or sync tables. (Made
    // here with one PC's keys and opened with another's: this PC never sealed it.)
    drop(demo_store(dir.path()));
    let ring = Keyring::at(dir.path().join("old-program-pc-keys"));
    {
        let c = Connection::open(&path).unwrap();
        c.execute_batch("DROP INDEX applicant_name_pinyin; DROP INDEX applicant_name_initials; DROP INDEX applicant_id_tail; DROP INDEX applicant_phone_tail; DROP INDEX document_inquiry; DROP INDEX event_at; DROP INDEX peer_event_at; DROP INDEX case_status_created; DROP INDEX case_agent_phone; ALTER TABLE applicant DROP COLUMN name_pinyin; ALTER TABLE applicant DROP COLUMN name_initials; DROP TABLE chain_seal; DROP TRIGGER terminal_key_no_delete; DROP TRIGGER terminal_key_frozen; DROP TABLE terminal_key; DROP TABLE sync_reject; DROP TABLE sync_ack; DROP TABLE sync_download; DROP TABLE sync_enrolment; \
             ALTER TABLE staff DROP COLUMN failed_attempts; ALTER TABLE staff DROP COLUMN locked_until; DROP TABLE supervision; DROP TABLE revoked_key; DROP TABLE peer_endpoint; DROP TABLE case_conflict; DROP TABLE peer_event; DROP TABLE peer_stream; DROP TABLE complaint_note; DROP TABLE complaint; DROP TABLE service_rating; DROP TABLE sms_notice; DROP INDEX case_sms; ALTER TABLE case_file DROP COLUMN sms_phone; DROP TABLE rectification; DROP TABLE rating; DROP TABLE absence; DROP TABLE post; \
             DROP INDEX case_owed; ALTER TABLE case_file DROP COLUMN owed; ALTER TABLE case_file DROP COLUMN owed_by; ALTER TABLE case_file DROP COLUMN collector_id_number; ALTER TABLE case_file DROP COLUMN collector_role; \
             ALTER TABLE inquiry DROP COLUMN scope; ALTER TABLE case_file DROP COLUMN covering_for; ALTER TABLE chain_head DROP COLUMN latest_at; PRAGMA user_version = 1;").unwrap();
    }
    // Today's program migrates it, keeping a copy of version 1 first.
    let mut s = Store::open_in(&path, &ring).unwrap();
    assert_eq!(user_version(s.connection()).unwrap(), MIGRATIONS.len() as i64);
    let backup = dir.path().join("centre.db.v1.bak");
    let report = check_backup(&backup).unwrap();
    assert_eq!(report.fault, None);
    assert_eq!(report.events, 9, "centre, 2 calendars, key, catalogue, 3 staff, settings: {report:?}");
    // The new table works on the migrated database: the key is made again on first use.
    assert!(s.document_qr("GZ-2026-01-0001", now("2026-11-23T10:00:00+08:00")).is_err());
    s.issue_notice("YL-01", None, "demo", now("2026-11-23T10:00:00+08:00")).unwrap();
    assert!(s.document_qr("GZ-2026-01-0001", now("2026-11-23T10:00:00+08:00")).is_ok());
    drop(s);
    // A later migration appends again; the list as shipped then refuses the newer file.
    let mut later: Vec<&str> = MIGRATIONS.to_vec();
    later.push("CREATE TABLE later_table (x INTEGER); CREATE TRIGGER later_no_delete BEFORE DELETE ON later_table BEGIN SELECT RAISE(ABORT, 'nothing is deleted'); END;");
    let s = Store::open_with(&path, &later, &ring).unwrap();
    assert_eq!(user_version(s.connection()).unwrap(), later.len() as i64);
    assert!(dir.path().join(format!("centre.db.v{}.bak", MIGRATIONS.len())).exists());
    drop(s);
    assert_eq!(Store::open_in(&path, &ring).err().unwrap().code(), "store.newer_database");
}

#[test]
fn qr_codes_are_signed_and_checked() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = demo_store(dir.path());
    let t = now("2026-11-23T10:00:00+08:00");
    let doc = s.issue_notice("YL-01", Some("张三"), "demo", t).unwrap();
    let qr = s.document_qr(&doc.number, t).unwrap();
    assert!(qr.starts_with("YC2|GZ-2026-01-0001||450821102-01|"), "{qr}");
    assert_eq!(s.document_qr(&doc.number, t).unwrap(), qr, "the key is made once; Ed25519 is deterministic");
    match s.verify_qr(&qr).unwrap() {
        QrVerdict::Genuine { document, held, voided, binds_content, .. } => {
            assert_eq!(document, "〔2026〕告字第01-0001号");
            assert_eq!(held.unwrap().body.title, "一次性告知单");
            assert_eq!(voided, None);
            assert!(binds_content);
        }
        other => panic!("{other:?}"),
    }
    // Altering the document number breaks the signature.
    let forged = qr.replace("GZ-2026-01-0001", "GZ-2026-01-0002");
    assert_eq!(s.verify_qr(&forged).unwrap(), QrVerdict::Forged);
    assert_eq!(s.verify_qr("hello").unwrap(), QrVerdict::Malformed);
    let other = qr.replace("450821102-01", "450821102-02");
    assert_eq!(s.verify_qr(&other).unwrap(), QrVerdict::UnknownKey { key_id: "450821102-02".into() });
    // Another centre that knows this terminal's public key can check the code offline.
    let public: String = s.connection().query_row("SELECT public_key FROM terminal_key", [], |r| r.get(0)).unwrap();
    let dir2 = tempfile::tempdir().unwrap();
    let mut other_centre = Store::open(dir2.path().join("b.db")).unwrap();
    other_centre.initialise(CentreCode::parse("450821103").unwrap(), "另一镇便民服务中心", TerminalId::parse("01").unwrap(), t).unwrap();
    other_centre.add_known_key("450821102-01", &public, "system", t).unwrap();
    assert!(matches!(other_centre.verify_qr(&qr).unwrap(), QrVerdict::Genuine { held: None, .. }));
    // A genuine code on a document whose name was changed: the content differs from the digest.
    let mut body = s.document_body_json(&doc.number).unwrap();
    assert!(matches!(s.verify_qr_against(&qr, Some(&body)).unwrap(), QrVerdict::Genuine { .. }));
    body["applicant_name"] = serde_json::json!("李四");
    assert_eq!(other_centre.verify_qr_against(&qr, Some(&body)).unwrap(), QrVerdict::ContentDiffers { document: doc.number.clone() });
    // A digest changed in the code breaks the signature.
    let parts: Vec<&str> = qr.split('|').collect();
    let swapped = format!("{}|{}|{}|{}|{}|{}", parts[0], parts[1], parts[2], parts[3], "A".repeat(22), parts[5]);
    assert_eq!(s.verify_qr(&swapped).unwrap(), QrVerdict::Forged);
    // The key's public half is an event (it travels to HQ); the secret never is.
    let events: Vec<String> = s.events_after(0, 1000).unwrap().into_iter().map(|e| e.payload).collect();
    let secret: String = s.connection().query_row("SELECT secret_key FROM terminal_key", [], |r| r.get(0)).unwrap();
    assert!(events.iter().any(|p| p.contains(&public)));
    assert!(!events.iter().any(|p| p.contains(&secret)));
    assert_eq!(s.verify().unwrap().fault, None);
}

#[test]
fn initialising_twice_is_refused_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = demo_store(dir.path());
    let before: i64 = s.connection().query_row("SELECT count(*) FROM event", [], |r| r.get(0)).unwrap();
    let e = s
        .initialise(CentreCode::parse("450821103").unwrap(), "另一中心", TerminalId::parse("02").unwrap(), now("2026-11-23T10:00:00+08:00"))
        .unwrap_err();
    assert_eq!(e.code(), "store.already_initialised");
    let after: i64 = s.connection().query_row("SELECT count(*) FROM event", [], |r| r.get(0)).unwrap();
    assert_eq!(before, after);
}

#[test]
fn catalogue_import_is_idempotent_and_versioned() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = demo_store(dir.path());
    let t = now("2026-11-23T10:00:00+08:00");
    assert_eq!(s.import_catalogue("head", DEMO_CATALOGUE, t).unwrap(), "2026.12-demo");
    let changed = DEMO_CATALOGUE.replace("\"version\": \"2026.12-demo\"", "\"version\": \"2026.12\"").replace("城乡居民基本养老保险参保登记", "城乡居民养老保险参保登记");
    assert_eq!(s.import_catalogue("head", &changed, t).unwrap(), "2026.12");
    assert_eq!(s.item("YL-01").unwrap().item.name(), "城乡居民养老保险参保登记");
    assert_eq!(s.item_in_version("2026.12-demo", "YL-01").unwrap().name(), "城乡居民基本养老保险参保登记");
    let clash = changed.replace("城乡居民养老保险参保登记", "别的名字");
    assert_eq!(s.import_catalogue("head", &clash, t).unwrap_err().code(), "store.bad_file");
    let hits: Vec<_> = s.search_items("ylbx").unwrap().iter().map(|e| e.item.code().to_string()).collect();
    assert!(hits.contains(&"YL-01".to_owned()) && hits.contains(&"YB-01".to_owned()), "{hits:?}");
    assert_eq!(s.search_items("残疾人证").unwrap()[0].item.code().as_str(), "CJ-01");
}

#[test]
fn staff_rights_and_pins() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = demo_store(dir.path());
    let t = now("2026-11-23T10:00:00+08:00");
    let t0 = now("2026-11-23T09:00:00+08:00");
    s.check_pin("demo", "123456", t0).unwrap();
    assert_eq!(s.check_pin("demo", "000000", t0).unwrap_err().code(), "auth.bad_pin");
    let e = s.add_staff("demo", "c2", "赵六", Role::Clerk, None, t).unwrap_err();
    assert_eq!(e.code(), "store.not_permitted");
    assert_eq!(e.to_string(), "李梅没有添加工作人员的权限，须由中心负责人办理");
    s.add_staff("head", "c2", "赵六", Role::Clerk, Some("567890"), t).unwrap();
    assert_eq!(s.add_staff("head", "c2", "赵六", Role::Clerk, None, t).unwrap_err().code(), "store.duplicate_staff");
}

#[test]
fn a_calendar_for_2027_makes_due_dates_official() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = demo_store(dir.path());
    let t = now("2026-12-28T10:00:00+08:00");
    let d = |x: &str| NaiveDate::parse_from_str(x, "%Y-%m-%d").unwrap();
    let before = s.calendar().due(d("2026-12-28"), yichuang_core::Limit::working(5).unwrap());
    assert!(before.provisional());
    assert_eq!(before.date(), d("2027-01-04"));
    let y2027 = r#"{"year":2027,"version":1,"source":"测试用安排","holidays":[{"name":"元旦","from":"2027-01-01","to":"2027-01-03"}],"working_weekends":[]}"#;
    s.import_calendar("head", y2027, t).unwrap();
    let after = s.calendar().due(d("2026-12-28"), yichuang_core::Limit::working(5).unwrap());
    assert!(!after.provisional());
    assert_eq!(after.date(), d("2027-01-05"));
    assert_eq!(after.calendar_version(), "2025.1+2026.1+2027.1");
    // An older version is refused and nothing is written.
    let older = y2027.replace("\"version\":1", "\"version\":0");
    assert!(s.import_calendar("head", &older, t).is_err());
    // Regional days.
    let regional = r#"{"region":"测试自治区","days_off":[{"name":"地方节日","from":"2027-01-06","to":"2027-01-07"}]}"#;
    assert_eq!(s.import_regional_days("head", regional, t).unwrap(), 2);
    assert!(!s.calendar().is_working_day(d("2027-01-06")));
    assert_eq!(s.verify().unwrap().fault, None);
}

pub(crate) fn cj01_request(first17: &str, materials: &[&str]) -> IntakeRequest {
    use yichuang_core::{IdNumber, MaterialCode, PersonName, Presented};
    let check = yichuang_core::ids::id_check_char(first17).unwrap();
    IntakeRequest {
        item: "CJ-01".into(),
        applicant: ApplicantInput {
            party: Party::Person {
                id_number: IdNumber::parse(&format!("{first17}{check}")).unwrap(),
                name: PersonName::parse("李秀英").unwrap(),
            },
            phone: None,
        },
        agent: None,
        presented: materials
            .iter()
            .map(|m| Presented { material: MaterialCode::parse(m).unwrap(), pages: 1, copies: if *m == "ZP" { 3 } else { 1 } })
            .collect(),
        defects: vec![],
        conditions: vec![],
        refusal: None,
        clerk: "demo".into(),
        received_on: None,
        confirm_rename: false,
        duplicate_reason: None,
        commitment: false,
        sms_consent: false,
    }
}

pub(crate) const ALL: &[&str] = &["SFZ", "HKB", "ZP", "SQB"];

#[test]
fn the_preview_is_the_decision_the_intake_takes_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = demo_store(dir.path());
    let t = now("2026-11-23T10:00:00+08:00");
    let events = |s: &Store| s.connection().query_row("SELECT count(*) FROM event", [], |r| r.get::<_, i64>(0)).unwrap();
    for (first17, materials) in [("45082119680405302", ALL), ("45082119700101303", &["SFZ", "HKB"][..])] {
        let req = cj01_request(first17, materials);
        let before = events(&s);
        let preview = s.preview_intake(&req, t.date_naive()).unwrap();
        assert_eq!(events(&s), before, "a preview writes nothing");
        let taken = s.intake(req, t).unwrap();
        assert_eq!(preview.decision, taken.decision);
        assert_eq!(preview.status, taken.status);
        assert_eq!(preview.due, taken.due);
    }
    let mut bad = cj01_request("45082119680405302", ALL);
    bad.clerk = "nobody".into();
    assert_eq!(s.preview_intake(&bad, t.date_naive()).unwrap_err().code(), "store.unknown_staff");
}

#[test]
fn a_second_open_case_of_the_same_item_is_shown_first_and_needs_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = demo_store(dir.path());
    let t = now("2026-11-23T10:00:00+08:00");
    let first = s.intake(cj01_request("45082119680405302", &["SFZ"]), t).unwrap().case_number.to_string();
    // The preview names the open case, with its day and state.
    let again = cj01_request("45082119680405302", ALL);
    let p = s.preview_intake(&again, t.date_naive()).unwrap();
    assert_eq!(p.duplicates.iter().map(|c| (c.number.as_str(), c.status, c.received_on)).collect::<Vec<_>>(),
        [(first.as_str(), yichuang_core::CaseStatus::AwaitingSupplement, t.date_naive())]);
    // Without a reason it is refused, in Chinese, naming the case, and nothing is written.
    let events = |s: &Store| s.connection().query_row("SELECT count(*) FROM event", [], |r| r.get::<_, i64>(0)).unwrap();
    let before = events(&s);
    let err = s.intake(again.clone(), t).unwrap_err();
    assert_eq!(err.code(), "intake.duplicate_open");
    assert!(err.to_string().contains(&first) && err.to_string().contains("待补正"), "{err}");
    assert_eq!(events(&s), before);
    // A blank or control-character reason is no reason.
    let mut blank = again.clone();
    blank.duplicate_reason = Some("\u{3000} ".into());
    assert!(s.intake(blank, t).is_err());
    assert_eq!(events(&s), before);
    // With one it is taken, and the reason and the open case are in its event.
    let mut reasoned = again;
    reasoned.duplicate_reason = Some("申请人为另一户籍的父亲代为申请".into());
    let second = s.intake(reasoned, t).unwrap().case_number.to_string();
    let payload: String = s
        .connection()
        .query_row("SELECT payload FROM event WHERE subject = ?1 AND kind = 'case.intake'", [&second], |r| r.get(0))
        .unwrap();
    let v: serde_json::Value = serde_json::from_str(&payload).unwrap();
    assert_eq!(v["duplicate"]["of"], serde_json::json!([first]));
    assert_eq!(v["duplicate"]["reason"], "申请人为另一户籍的父亲代为申请");
    // Another person, or another item, is no duplicate; a finished case is none either.
    assert!(s.preview_intake(&cj01_request("45082119700101303", ALL), t.date_naive()).unwrap().duplicates.is_empty());
    s.withdraw(&first, "申请人撤回", "demo", t).unwrap();
    let left = s.preview_intake(&cj01_request("45082119680405302", ALL), t.date_naive()).unwrap().duplicates;
    assert_eq!(left.iter().map(|c| c.number.as_str()).collect::<Vec<_>>(), [second.as_str()]);
    assert_eq!(s.verify().unwrap().fault, None);
}

#[test]
fn the_today_board_shows_what_needs_attention_and_the_days_counts() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = demo_store(dir.path());
    let d = |x: &str| NaiveDate::parse_from_str(x, "%Y-%m-%d").unwrap();
    let day1 = now("2026-11-02T09:00:00+08:00");
    // Due 30 Nov.
    let due_30 = s.intake(cj01_request("45082119680405302", ALL), day1).unwrap().case_number.to_string();
    let waiting = s.intake(cj01_request("45082119700101303", &["SFZ"]), day1).unwrap().case_number.to_string();
    let done = s.intake(cj01_request("45082119551111404", ALL), day1).unwrap().case_number.to_string();
    let paused = s.intake(cj01_request("45082119600606505", ALL), day1).unwrap().case_number.to_string();
    s.decide(&done, true, "", "demo", day1).unwrap();
    s.ready(&done, "demo", day1).unwrap();
    s.pause(&paused, yichuang_core::PauseKind::Appraisal, 30, "残疾评定", "demo", day1).unwrap();
    s.register_inquiry(
        InquiryInput {
            channel: Channel::Phone,
            person_name: "赵大娘".into(),
            unit: None,
            phone: None,
            matter: "低保年审".into(),
            item_code: None,
            disposition: Disposition::Pending,
            handed_to: None,
            result: None,
            responder: "demo".into(),
            scope: yichuang_core::InquiryScope::Ordinary,
        },
        day1,
    )
    .unwrap();
    let numbers = |v: &[CaseSummary]| v.iter().map(|c| c.number.clone()).collect::<Vec<_>>();

    let b = s.today_board(d("2026-11-26")).unwrap();
    assert_eq!(numbers(&b.due_soon), [due_30], "yellow: 2 working days left");
    assert!(b.overdue.is_empty());
    assert_eq!(numbers(&b.awaiting_supplement), [waiting]);
    assert_eq!(numbers(&b.ready_for_collection), [done.clone()][..]);
    assert_eq!(numbers(&b.paused), [paused]);
    assert_eq!(b.open_inquiries.len(), 1);
    assert_eq!(b.open_inquiries[0].warning.map(|w| w.as_str()), Some("red"), "the reply was due on 5 Nov");
    assert_eq!(s.today_board(d("2026-12-01")).unwrap().overdue.len(), 1);

}

#[test]
fn a_returning_applicant_is_found_by_the_tail_of_an_id_number_or_phone_or_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = demo_store(dir.path());
    let t = now("2026-11-23T10:00:00+08:00");
    let mut req = cj01_request("45082119680405302", ALL);
    req.applicant.phone = Some(yichuang_core::Phone::parse("13907751234").unwrap());
    s.intake(req, t).unwrap();
    let full = s.connection().query_row("SELECT id_number FROM applicant", [], |r| r.get::<_, String>(0)).unwrap();
    let tail = &full[14..];
    let hits = s.find_applicants(tail, 5).unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].key, full);
    assert_eq!(hits[0].name, "李秀英");
    assert_eq!(hits[0].phone.as_deref(), Some("13907751234"));
    assert_eq!(s.find_applicants("1234", 5).unwrap().len(), 1, "phone tail");
    assert_eq!(s.find_applicants("李秀英", 5).unwrap().len(), 1, "name");
    // Too short to mean anything, or matching nobody.
    assert!(s.find_applicants("12", 5).unwrap().is_empty());
    assert!(s.find_applicants("9999", 5).unwrap().is_empty());
    assert!(s.find_applicants("王五", 5).unwrap().is_empty());
    // A lowercase x is the same check character.
    if tail.ends_with('X') {
        assert_eq!(s.find_applicants(&tail.to_lowercase(), 5).unwrap().len(), 1);
    }
}

#[test]
fn a_case_is_found_by_every_form_a_clerk_types_and_each_from_an_index() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = demo_store(dir.path());
    let t = now("2026-11-23T10:00:00+08:00");
    let mut req = cj01_request("45082119680405302", &["SFZ"]);
    req.applicant.party = Party::Person {
        id_number: match &req.applicant.party { Party::Person { id_number, .. } => id_number.clone(), _ => unreachable!() },
        name: yichuang_core::PersonName::parse("韦秀英").unwrap(),
    };
    req.applicant.phone = Some(yichuang_core::Phone::parse("13907751234").unwrap());
    let out = s.intake(req, t).unwrap();
    let number = out.case_number.to_string();
    // Someone else, so that every form has to tell them apart.
    s.intake(cj01_request("45082119700101303", ALL), t).unwrap();
    let doc = yichuang_core::DocumentNumber::parse(&out.documents[0].number).unwrap();
    let id: String = s.connection().query_row("SELECT id_number FROM applicant WHERE name = '韦秀英'", [], |r| r.get(0)).unwrap();
    let forms = [
        number.clone(),
        doc.to_string(),
        doc.ascii(),
        doc.ascii().to_lowercase(),
        id.clone(),
        id[14..].to_owned(),
        "13907751234".into(),
        "1234".into(),
        "韦秀英".into(),
        "韦".into(),
        "wxy".into(),
        "WXY".into(),
        "weixiuying".into(),
        "wei xiu".into(),
    ];
    let today = t.date_naive();
    for q in &forms {
        let filter = CaseFilter { query: Some(q.clone()), limit: Some(200), ..CaseFilter::default() };
        let hits = s.list_cases(&filter, today).unwrap();
        assert_eq!(hits.iter().map(|c| c.number.as_str()).collect::<Vec<_>>(), [number.as_str()], "{q}");
        assert_eq!(hits[0].received_on, today);
        // Read from an index: no table is walked row by row.
        let (sql, args) = s.case_list_sql(&filter, today).unwrap();
        let mut stmt = s.connection().prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        let plan: Vec<String> = stmt.query_map(rusqlite::params_from_iter(args), |r| r.get::<_, String>(3)).unwrap().map(Result::unwrap).collect();
        assert!(plan.iter().all(|l| !l.starts_with("SCAN")), "{q}: {plan:?}");
    }
    for q in ["未登记的人", "zzz", "0000", "〔2026〕受字第01-0999号", "*"] {
        let filter = CaseFilter { query: Some(q.into()), ..CaseFilter::default() };
        assert!(s.list_cases(&filter, today).unwrap().is_empty(), "{q}");
    }
}

#[test]
fn the_pinyin_of_applicants_held_before_the_search_migration_is_filled_in() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("centre.db");
    {
        let mut s = demo_store(dir.path());
        s.intake(cj01_request("45082119680405302", ALL), now("2026-11-23T10:00:00+08:00")).unwrap();
    }
    // As a database of the version before: the columns empty.
    let c = Connection::open(&path).unwrap();
    c.execute("UPDATE applicant SET name_pinyin = NULL, name_initials = NULL", []).unwrap();
    c.execute_batch("DROP INDEX applicant_name_pinyin; DROP INDEX applicant_name_initials; DROP INDEX applicant_id_tail; DROP INDEX applicant_phone_tail; DROP INDEX document_inquiry; DROP INDEX event_at; DROP INDEX peer_event_at; DROP INDEX case_status_created; DROP INDEX case_agent_phone; ALTER TABLE applicant DROP COLUMN name_pinyin; ALTER TABLE applicant DROP COLUMN name_initials; PRAGMA user_version = 16;").unwrap();
    drop(c);
    let s = Store::open(&path).unwrap();
    let keys: (String, String) = s.connection().query_row("SELECT name_pinyin, name_initials FROM applicant", [], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
    assert_eq!(keys, ("lixiuying".to_owned(), "lxy".to_owned()));
}

#[test]
fn today_s_lists_and_counts_are_read_from_indexes() {
    let dir = tempfile::tempdir().unwrap();
    let s = demo_store(dir.path());
    let today = d("2026-11-23");
    let filters = [
        CaseFilter { running: true, ..CaseFilter::default() },
        CaseFilter { overdue: true, ..CaseFilter::default() },
        CaseFilter { due_within: Some(3), ..CaseFilter::default() },
        CaseFilter { paused: true, ..CaseFilter::default() },
        CaseFilter { status: Some(yichuang_core::CaseStatus::AwaitingSupplement), ..CaseFilter::default() },
        CaseFilter { status: Some(yichuang_core::CaseStatus::ReadyForCollection), ..CaseFilter::default() },
        CaseFilter { owing: true, ..CaseFilter::default() },
    ];
    for f in filters {
        for count in [false, true] {
            let (sql, args) = s.case_list_sql_as(&CaseFilter { limit: Some(50), ..f.clone() }, today, false, count).unwrap();
            let mut stmt = s.connection().prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
            let plan: Vec<String> = stmt.query_map(rusqlite::params_from_iter(args), |r| r.get::<_, String>(3)).unwrap().map(Result::unwrap).collect();
            assert!(plan.iter().all(|l| !l.starts_with("SCAN c") || l.contains("INDEX")), "{f:?} count={count}: {plan:?}");
            if count {
                assert!(!plan.iter().any(|l| l.contains(" a ") || l.ends_with(" a")), "a count reads no applicant: {plan:?}");
            }
        }
    }
}

#[test]
fn a_period_s_events_are_found_by_index_never_by_reading_the_whole_log() {
    let dir = tempfile::tempdir().unwrap();
    let s = demo_store(dir.path());
    for sql in crate::period_queries() {
        let mut stmt = s.connection().prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        let plan: Vec<String> =
            stmt.query_map(params!["2026-11-30", "2026-12-03"], |r| r.get::<_, String>(3)).unwrap().map(Result::unwrap).collect();
        // Every table is searched through an index (a list built for the IN is scanned, which
        // is its own size, not the log's).
        for line in &plan {
            let walks_a_table = line.starts_with("SCAN ") && !line.contains("USING") && !line.contains("LIST SUBQUERY") && !line.starts_with("SCAN CONSTANT");
            assert!(!walks_a_table, "{sql}\n{plan:#?}");
        }
        assert!(plan.iter().any(|l| l.contains("USING INDEX") || l.contains("USING COVERING INDEX")), "{plan:#?}");
    }
}

#[test]
fn a_backup_reports_its_progress_and_refuses_to_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let s = demo_store(dir.path());
    let dest = dir.path().join("copy.db");
    let mut seen = vec![];
    s.backup_with_progress(&dest, &mut |done, total| seen.push((done, total))).unwrap();
    let (done, total) = *seen.last().unwrap();
    assert!(total > 0 && done == total, "{seen:?}");
    assert!(seen.windows(2).all(|w| w[0].0 <= w[1].0), "progress never goes back: {seen:?}");
    assert_eq!(check_backup(&dest).unwrap().fault, None);
    let beside: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).filter(|n| n.starts_with("copy")).collect();
    assert_eq!(beside, ["copy.db"], "one file, no -wal or -shm");
    let err = s.backup_with_progress(&dest, &mut |_, _| {}).unwrap_err();
    assert!(err.to_string().contains("不会覆盖"), "{err}");
}

fn complaint(matter: &str, about: Option<&str>, complex: Option<&str>, confidential: bool) -> ComplaintInput {
    ComplaintInput {
        channel: Channel::Visit,
        complainant: "蒙阿婆".into(),
        contact: Some(yichuang_core::Phone::parse("13907751234").unwrap()),
        confidential,
        matter: matter.into(),
        about_staff: about.map(str::to_owned),
        case_number: None,
        complex: complex.map(str::to_owned),
        registered_by: "demo".into(),
    }
}

#[test]
fn complaints_have_their_deadlines_are_hidden_from_whom_they_concern_and_only_the_head_closes_them() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = demo_store(dir.path());
    let fri = now("2026-11-27T10:00:00+08:00");
    // Ordinary, on a Friday: due the next working day, Monday.
    let c = s.register_complaint(complaint("窗口排队太久", Some("b1"), None, true), fri).unwrap();
    assert_eq!(c.due_date, d("2026-11-30"));
    assert_eq!(c.kind, "ordinary");
    // Complex: needs the explanation given; due in the centre's limit (15 working days).
    let e = s.register_complaint(complaint("补贴发放有误", None, Some(""), false), fri).unwrap_err();
    assert_eq!(e.code(), "store.missing_field");
    let x = s.register_complaint(complaint("补贴发放有误", None, Some("需县民政局核对发放记录"), false), fri).unwrap();
    assert_eq!(x.due_date, d("2026-12-18"));
    // b1 does not see the complaint about b1; the clerk sees it with the name withheld; the head sees all.
    let ids = |v: &[ComplaintView]| v.iter().map(|c| c.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&s.list_complaints("b1", true, fri.date_naive()).unwrap()), vec![x.id.clone()]);
    assert!(s.complaint(&c.id, "b1", fri.date_naive()).is_err());
    let seen = s.complaint(&c.id, "demo", fri.date_naive()).unwrap();
    assert_eq!((seen.complainant.as_str(), seen.contact.clone()), ("（保密）", None));
    assert_eq!(s.complaint(&c.id, "head", fri.date_naive()).unwrap().complainant, "蒙阿婆");
    // Notes, the answer with its feedback, then closing: the head only, and only once answered.
    let mon = now("2026-11-30T09:00:00+08:00");
    s.add_complaint_note(&c.id, "调取当天叫号记录，高峰期等候40分钟", "demo", mon).unwrap();
    assert_eq!(s.close_complaint(&c.id, "head", mon).unwrap_err().code(), "store.rule");
    let a = s.answer_complaint(&c.id, "增开一个综合窗口", "电话", "demo", mon).unwrap();
    assert_eq!((a.status.as_str(), a.feedback_via.as_deref()), ("answered", Some("电话")));
    // The head's Today: the answered one to close, the complex one to answer by its day.
    let queue = s.head_queue("head", mon.date_naive()).unwrap();
    let seen: Vec<(QueueKind, &str, Option<NaiveDate>)> = queue.iter().map(|q| (q.kind, q.key.as_str(), q.due)).collect();
    assert_eq!(seen, [(QueueKind::ComplaintToAnswer, x.id.as_str(), Some(d("2026-12-18"))), (QueueKind::ComplaintToClose, c.id.as_str(), None)]);
    // Late ones first; a complaint about the viewer is not in their queue.
    let late = s.head_queue("head", d("2026-12-21")).unwrap();
    assert!(late[0].late && late[0].key == x.id);
    assert!(s.head_queue("b1", mon.date_naive()).unwrap().iter().all(|q| q.key != c.id));
    assert_eq!(s.close_complaint(&c.id, "demo", mon).unwrap_err().code(), "store.not_permitted");
    assert_eq!(s.close_complaint(&c.id, "head", mon).unwrap().status, "closed");
    assert!(s.head_queue("head", mon.date_naive()).unwrap().iter().all(|q| q.key != c.id), "closed: off the queue");
    assert!(s.add_complaint_note(&c.id, "迟到的记录", "demo", mon).is_err());
    // Overdue shows red: the complex one is still open after its due date.
    assert!(s.complaint(&x.id, "head", d("2026-12-21")).unwrap().overdue);
    // Every change is on the chain.
    let kinds: Vec<String> = s.events_of(&c.id).unwrap().into_iter().map(|e| e.kind).collect();
    assert_eq!(kinds, ["complaint.registered", "complaint.noted", "complaint.answered", "complaint.closed"]);
    assert_eq!(s.verify().unwrap().fault, None);
}

#[test]
fn a_bad_rating_opens_a_rectification_with_the_provinces_deadline() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = demo_store(dir.path());
    let t = now("2026-11-23T10:00:00+08:00");
    let accepted = s.intake(cj01_request("45082119680405302", ALL), t).unwrap().case_number.to_string();
    // Not completed yet: no rating.
    let rate = |n: &str, r: Rating, comment: &str| RatingInput { case_number: n.into(), rating: r, comment: comment.into(), channel: "visit".into(), recorded_by: "demo".into() };
    assert_eq!(s.record_rating(rate(&accepted, Rating::Satisfied, ""), t).unwrap_err().code(), "store.rule");
    s.decide(&accepted, true, "", "demo", t).unwrap();
    // Unrated: in the return-visit list, invited only after 3 days.
    let list = s.return_visits(d("2026-11-25"), None).unwrap();
    assert!(list.iter().any(|v| v.case_number == accepted && !v.invitation_due));
    assert!(s.return_visits(d("2026-11-26"), None).unwrap().iter().any(|v| v.case_number == accepted && v.invitation_due));
    // A bad rating needs the applicant's words; with them, a rectification due in 5 working days
    // where the province says 5.
    let mut settings = s.centre().unwrap().settings.clone();
    settings.rectification_days = 5;
    s.update_settings("head", settings, t).unwrap();
    assert_eq!(s.record_rating(rate(&accepted, Rating::Dissatisfied, " "), t).unwrap_err().code(), "store.missing_field");
    let v = s.record_rating(rate(&accepted, Rating::Dissatisfied, "补贴审批太慢"), t).unwrap();
    assert_eq!(v.rating.as_deref(), Some("dissatisfied"));
    assert_eq!(v.rectification, Some(("open".into(), d("2026-11-30"), false)));
    let queue = s.head_queue("head", d("2026-12-01")).unwrap();
    let r = queue.iter().find(|q| q.kind == QueueKind::Rectification).unwrap();
    assert_eq!((r.key.as_str(), r.due, r.late), (accepted.as_str(), Some(d("2026-11-30")), true));
    assert!(r.text.contains("李秀英"), "{}", r.text);
    // Once per case.
    assert_eq!(s.record_rating(rate(&accepted, Rating::Satisfied, ""), t).unwrap_err().code(), "store.rule");
    // Late rectifications show; a clerk records the call-back, only the head the outcome.
    let late = s.return_visits(d("2026-12-01"), None).unwrap();
    assert!(late.iter().find(|x| x.case_number == accepted).unwrap().rectification.as_ref().unwrap().2, "late");
    s.rectify(&accepted, Some("已电话回访，解释审批流程"), None, "demo", t).unwrap();
    assert_eq!(s.rectify(&accepted, None, Some("优化审批"), "demo", t).unwrap_err().code(), "store.not_permitted");
    let done = s.rectify(&accepted, None, Some("与县残联约定5个工作日内反馈"), "head", t).unwrap();
    assert_eq!(done.rectification.unwrap().0, "done");
    assert!(!s.return_visits(d("2026-12-01"), None).unwrap().iter().any(|x| x.case_number == accepted), "off the list");
    assert!(!s.head_queue("head", d("2026-12-01")).unwrap().iter().any(|q| q.kind == QueueKind::Rectification), "done: off the queue");
    let kinds: Vec<String> = s.events_of(&accepted).unwrap().into_iter().map(|e| e.kind).collect();
    assert!(kinds.ends_with(&["case.rated".into(), "rectification.callback".into(), "rectification.done".into()]), "{kinds:?}");
}

#[test]
fn leave_makes_b_the_one_on_duty_and_b_s_cases_record_both() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = demo_store(dir.path());
    let t = now("2026-11-23T08:30:00+08:00");
    assert_eq!(s.set_post("W1", "社保窗口", "demo", Some("b1"), "demo", t).unwrap_err().code(), "store.not_permitted");
    assert_eq!(s.set_post("W1", "社保窗口", "demo", Some("demo"), "head", t).unwrap_err().code(), "store.rule");
    s.set_post("W1", "社保窗口", "demo", Some("b1"), "head", t).unwrap();
    assert_eq!(s.duty(d("2026-11-23")).unwrap()[0].duty, Duty::A("demo".into()));
    assert!(s.record_absence("demo", d("2026-11-25"), d("2026-11-23"), "年休假", "head", t).is_err());
    s.record_absence("demo", d("2026-11-23"), d("2026-11-24"), "年休假", "head", t).unwrap();
    assert_eq!(s.duty(d("2026-11-23")).unwrap()[0].duty, Duty::B { b: "b1".into(), for_a: "demo".into() });
    assert_eq!(s.duty(d("2026-11-25")).unwrap()[0].duty, Duty::A("demo".into()));
    // B takes a case in: the case records whom B covered.
    let mut req = cj01_request("45082119680405302", ALL);
    req.clerk = "b1".into();
    let n = s.intake(req, t).unwrap().case_number.to_string();
    let covering: Option<String> = s.connection().query_row("SELECT covering_for FROM case_file WHERE number = ?1", [&n], |r| r.get(0)).unwrap();
    assert_eq!(covering.as_deref(), Some("demo"));
    let intake = s.events_of(&n).unwrap().remove(0);
    assert!(intake.payload.contains("\"covering_for\":\"demo\""), "{}", intake.payload);
    // Both away: the post is unstaffed.
    s.record_absence("b1", d("2026-11-24"), d("2026-11-24"), "培训", "head", t).unwrap();
    assert_eq!(s.duty(d("2026-11-24")).unwrap()[0].duty, Duty::Unstaffed);
}

#[test]
fn multi_department_and_major_inquiries_have_their_limits() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = demo_store(dir.path());
    let t = now("2026-11-23T10:00:00+08:00");
    let input = |scope| InquiryInput {
        channel: Channel::Phone,
        person_name: "赵大娘".into(),
        unit: None,
        phone: None,
        matter: "宅基地与低保同时办理".into(),
        item_code: None,
        disposition: Disposition::Pending,
        handed_to: None,
        result: None,
        responder: "demo".into(),
        scope,
    };
    let due = |s: &mut Store, scope| s.register_inquiry(input(scope), t).unwrap().0.reply_due.unwrap();
    assert_eq!(due(&mut s, yichuang_core::InquiryScope::Ordinary), d("2026-11-26"));
    assert_eq!(due(&mut s, yichuang_core::InquiryScope::MultiDepartment), d("2026-11-27"));
    assert_eq!(due(&mut s, yichuang_core::InquiryScope::Major), d("2026-12-14"));
}

#[test]
fn an_inquiry_about_a_sensitive_item_keeps_the_person_in_the_centre() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = demo_store(dir.path());
    let t = now("2026-11-23T10:00:00+08:00");
    let ask = |item: &str| InquiryInput {
        channel: Channel::Visit,
        person_name: "韦秀英".into(),
        unit: None,
        phone: Some(yichuang_core::Phone::parse("13907751234").unwrap()),
        matter: "咨询办理要求".into(),
        item_code: Some(item.into()),
        disposition: Disposition::Notice,
        handed_to: None,
        result: None,
        responder: "demo".into(),
        scope: yichuang_core::InquiryScope::Ordinary,
    };
    assert!(s.item("DB-01").unwrap().item.is_sensitive() && !s.item("GL-01").unwrap().item.is_sensitive());
    let (sens, _) = s.register_inquiry(ask("DB-01"), t).unwrap();
    let (plain, _) = s.register_inquiry(ask("GL-01"), t).unwrap();
    // The centre keeps everything; the event (what HQ receives) does not name the person.
    assert_eq!(s.inquiry(&sens.id, t.date_naive()).unwrap().person_name, "韦秀英");
    let event = |id: &str| s.events_of(id).unwrap().remove(0).payload;
    assert!(!event(&sens.id).contains("韦秀英") && !event(&sens.id).contains("13907751234"), "{}", event(&sens.id));
    assert!(event(&sens.id).contains("\"sensitive\":true"));
    assert!(event(&plain.id).contains("韦秀英"));
}

#[test]
fn a_calendar_another_connection_imports_takes_effect_in_a_running_window() {
    let dir = tempfile::tempdir().unwrap();
    let mut window = demo_store(dir.path());
    let t = now("2026-12-28T10:00:00+08:00");
    let d = |x: &str| NaiveDate::parse_from_str(x, "%Y-%m-%d").unwrap();
    let five = yichuang_core::Limit::working(5).unwrap();
    assert!(!window.refresh().unwrap(), "nothing changed since it was opened");
    assert!(window.calendar().due(d("2026-12-28"), five).provisional());
    // The background sync, on its own connection, takes HQ's calendar for 2027.
    let mut background = Store::open(dir.path().join("centre.db")).unwrap();
    let y2027 = r#"{"year":2027,"version":1,"source":"测试用安排","holidays":[{"name":"元旦","from":"2027-01-01","to":"2027-01-03"}],"working_weekends":[]}"#;
    background.import_calendar("hq", y2027, t).unwrap();
    // The window's own commits do not count as news; the other connection's do.
    assert!(window.refresh().unwrap());
    let due = window.calendar().due(d("2026-12-28"), five);
    assert_eq!((due.provisional(), due.date()), (false, d("2027-01-05")));
    assert!(!window.refresh().unwrap());
    window.add_staff("head", "c9", "赵九", Role::Clerk, None, t).unwrap();
    assert!(!window.refresh().unwrap());
}

#[test]
fn ten_wrong_pins_lock_sign_in_with_a_doubling_wait_and_the_head_resets_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = demo_store(dir.path());
    let t = now("2026-11-23T09:00:00+08:00");
    let at = |secs: i64| t + chrono::Duration::seconds(secs);
    for i in 1..crate::FREE_ATTEMPTS {
        let e = s.sign_in("demo", "000000", t).unwrap_err();
        assert_eq!(e.to_string(), format!("工号或密码不对（再错{}次将暂时锁定）", crate::FREE_ATTEMPTS - i));
    }
    // The fifth locks for 30 seconds: even the right PIN waits.
    assert_eq!(s.sign_in("demo", "000000", t).unwrap_err().code(), "auth.locked");
    let e = s.sign_in("demo", "123456", at(10)).unwrap_err();
    assert_eq!(e.to_string(), "李梅的密码连续输错，已暂时锁定：请20秒后再试，或请中心负责人重置密码");
    // Each wrong PIN after that doubles the wait.
    let mut clock = 31;
    let mut waits = vec![];
    for _ in 0..5 {
        let e = s.sign_in("demo", "000000", at(clock)).unwrap_err();
        waits.push(e.to_string());
        let until: String = s.connection().query_row("SELECT locked_until FROM staff WHERE id = 'demo'", [], |r| r.get(0)).unwrap();
        clock = (chrono::DateTime::parse_from_rfc3339(&until).unwrap() - t).num_seconds() + 1;
    }
    assert!(waits[0].contains("请1分钟后") && waits[4].contains("请16分钟后"), "{waits:?}");
    let failed: i64 = s.connection().query_row("SELECT count(*) FROM event WHERE kind = 'staff.sign_in_failed' AND subject = 'demo'", [], |r| r.get(0)).unwrap();
    assert_eq!(failed, 10, "each wrong PIN is an event");
    // Other staff are not affected; a stranger's id is told nothing more.
    s.sign_in("b1", "123456", at(clock)).unwrap();
    assert_eq!(s.sign_in("nobody", "123456", t).unwrap_err().to_string(), "工号或密码不对");
    // The head resets the PIN: the lock is gone, the old PIN no longer works.
    assert_eq!(s.reset_pin("b1", "demo", "654321", at(clock)).unwrap_err().code(), "store.not_permitted");
    assert_eq!(s.reset_pin("head", "demo", "1234", at(clock)).unwrap_err().code(), "auth.weak_pin");
    s.reset_pin("head", "demo", "654321", at(clock)).unwrap();
    assert_eq!(s.sign_in("demo", "123456", at(clock)).unwrap_err().code(), "auth.bad_pin");
    s.sign_in("demo", "654321", at(clock)).unwrap();
    // The owner changes it, proving the old one.
    assert_eq!(s.change_pin("demo", "111111", "777777", at(clock)).unwrap_err().code(), "auth.bad_pin");
    s.change_pin("demo", "654321", "777777", at(clock)).unwrap();
    s.sign_in("demo", "777777", at(clock)).unwrap();
    let stored: String = s.connection().query_row("SELECT pin_hash FROM staff WHERE id = 'demo'", [], |r| r.get(0)).unwrap();
    assert!(stored.starts_with("k2$argon2id$v=19$m=19456,t=2,p=1$"), "{stored}");
    assert_eq!(s.verify().unwrap().fault, None);
}

#[test]
fn sqlite_s_refusals_are_told_in_chinese_once() {
    let dir = tempfile::tempdir().unwrap();
    let s = demo_store(dir.path());
    let e = StoreError::from(s.connection().execute("UPDATE event SET actor = 'x'", []).unwrap_err());
    assert_eq!(e.to_string(), "数据不符合数据库的约束，未写入任何内容（可能是数据库文件被改动过，请运行 verify）");
    assert!(std::error::Error::source(&e).is_none(), "SQLite's English is not chained behind it");
    let e = StoreError::from(std::io::Error::from(std::io::ErrorKind::NotFound));
    assert_eq!(e.to_string(), "文件或文件夹不存在");
}

#[test]
fn several_actions_commit_together_or_not_at_all() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(dir.path().join("c.db")).unwrap();
    let t = now("2026-11-01T08:00:00+08:00");
    // The demo catalogue and staff, then a refusal: nothing of it stays, and the centre is unset.
    let failed = s.atomically(|s| {
        s.initialise(CentreCode::parse("450821102").unwrap(), "示范镇便民服务中心", TerminalId::parse("01").unwrap(), t)?;
        s.load_demo(t)?;
        Err::<(), _>(StoreError::MissingField("测试"))
    });
    assert!(failed.is_err());
    assert!(s.centre().is_err());
    assert_eq!(s.connection().query_row("SELECT count(*) FROM event", [], |r| r.get::<_, i64>(0)).unwrap(), 0);
    s.atomically(|s| {
        s.initialise(CentreCode::parse("450821102").unwrap(), "示范镇便民服务中心", TerminalId::parse("01").unwrap(), t)?;
        s.load_demo(t)
    })
    .unwrap();
    assert_eq!(s.staff_list().unwrap().len(), 3);
    assert_eq!(s.verify().unwrap().fault, None);
}

/// With sqlite3: a copy of the last event appended, hashed and linked as the program would,
/// and the head moved. Its sequence number.
fn rechain_a_copy_of_the_last_event(c: &Connection, id: &str) -> i64 {
    let last: EventRecord = c.query_row(&format!("SELECT {} FROM event ORDER BY seq DESC LIMIT 1", events::EVENT_COLUMNS), [], events::read_row).unwrap();
    let seq = last.seq + 1;
    let hash = chain_hash(&last.hash, seq, id, &last.terminal, &last.at, &last.actor, &last.kind, &last.subject, &last.payload);
    c.execute(
        &format!("INSERT INTO event ({}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)", events::EVENT_COLUMNS),
        params![seq, id, last.terminal, last.at, last.actor, last.kind, last.subject, last.payload, last.hash, hash],
    )
    .unwrap();
    c.execute("UPDATE chain_head SET seq = ?1, hash = ?2", params![seq, hash]).unwrap();
    seq
}

#[test]
fn a_re_chained_insert_and_a_planted_pin_are_caught_by_the_key_the_file_does_not_hold() {
    let dir = tempfile::tempdir().unwrap();
    let s = demo_store(dir.path());
    assert_eq!(s.verify().unwrap().fault, None);
    // With sqlite3: an event appended by hand, hashed and linked as the program would, the head moved.
    let c = s.connection();
    let seq = rechain_a_copy_of_the_last_event(c, "01900000-0000-7000-8000-000000000001");
    let fault = s.verify().unwrap().fault.unwrap();
    assert_eq!(fault, ChainFault::Unsealed { seq });
    assert!(fault.to_string().contains("没有本机密钥的校验印记"), "{fault}");
    drop(s);

    // A PIN hash planted with sqlite3 (Argon2id of a PIN the attacker knows) signs no one in.
    let dir = tempfile::tempdir().unwrap();
    let mut s = demo_store(dir.path());
    let t = now("2026-11-02T09:00:00+08:00");
    use argon2::password_hash::{PasswordHasher, SaltString};
    let planted = argon2::Argon2::default().hash_password(b"000000", &SaltString::encode_b64(b"0123456789abcdef").unwrap()).unwrap().to_string();
    s.connection().execute("UPDATE staff SET pin_hash = ?1 WHERE id = 'head'", [&planted]).unwrap();
    assert_eq!(s.sign_in("head", "000000", t).unwrap_err().code(), "auth.bad_pin");
    let fault = s.verify().unwrap().fault.unwrap();
    assert!(matches!(fault, ChainFault::UnmaskedPin { .. }), "{fault}");
    assert!(fault.to_string().contains("请负责人重置"), "{fault}");
}

#[test]
fn a_database_sealed_on_another_pc_opens_only_where_its_key_is() {
    let dir = tempfile::tempdir().unwrap();
    let other_pc = Keyring::at(dir.path().join("other-pc-keys"));
    let path = dir.path().join("centre.db");
    {
        let mut s = Store::open_in(&path, &other_pc).unwrap();
        let t = now("2026-11-01T08:00:00+08:00");
        s.initialise(CentreCode::parse("450821102").unwrap(), "示范镇便民服务中心", TerminalId::parse("01").unwrap(), t).unwrap();
        s.load_demo(t).unwrap();
        assert_eq!(s.key_id_sealing(), other_pc.own().unwrap().id());
    }
    // Copied to this PC (its own key folder): refused, with the way out, and nothing written.
    let before = std::fs::read(&path).unwrap();
    let here = Keyring::at(dir.path().join("this-pc-keys"));
    let e = Store::open_in(&path, &here).err().unwrap();
    assert_eq!(e.code(), "store.foreign_key");
    assert!(e.to_string().contains("yichuang machine-key import"), "{e}");
    assert_eq!(std::fs::read(&path).unwrap(), before);
    // The PINs in the copied file cannot be checked here either: no key, no match.
    // With the other PC's key imported, it opens, verifies and signs in.
    here.import(&other_pc.own().unwrap().to_text()).unwrap();
    let mut s = Store::open_in(&path, &here).unwrap();
    assert_eq!(s.verify().unwrap().fault, None);
    s.sign_in("head", "123456", now("2026-11-02T09:00:00+08:00")).unwrap();
}

#[test]
fn the_head_changes_roles_and_takes_staff_off_duty_each_an_event_and_keeps_a_head() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = demo_store(dir.path());
    let t = now("2026-11-02T09:00:00+08:00");
    // Only a head; not about oneself; never the last head; a real change.
    assert_eq!(s.change_staff("demo", "b1", Role::Clerk, false, t).unwrap_err().code(), "store.not_permitted");
    assert!(s.change_staff("head", "head", Role::Clerk, true, t).unwrap_err().to_string().contains("另一名负责人"));
    assert!(s.change_staff("head", "b1", Role::Clerk, true, t).unwrap_err().to_string().contains("没有改动"));
    // b1 becomes a head, then takes the first head off duty: the centre still has one.
    s.change_staff("head", "b1", Role::Head, true, t).unwrap();
    s.change_staff("b1", "head", Role::Head, false, t).unwrap();
    assert_eq!(s.sign_in("head", "123456", t).unwrap_err().code(), "store.inactive_staff");
    // The last active head cannot be demoted by another (inactive) one, nor can b1 demote itself.
    assert!(s.change_staff("b1", "b1", Role::Clerk, true, t).is_err());
    s.change_staff("b1", "demo", Role::Clerk, false, t).unwrap();
    assert_eq!(s.sign_in("demo", "123456", t).unwrap_err().code(), "store.inactive_staff");
    s.change_staff("b1", "demo", Role::Clerk, true, t).unwrap();
    s.sign_in("demo", "123456", t).unwrap();
    let changes: i64 = s.connection().query_row("SELECT count(*) FROM event WHERE kind = 'staff.changed'", [], |r| r.get(0)).unwrap();
    assert_eq!(changes, 4);
    // The roles the events recorded are what verify folds: a promotion behind its back is caught.
    assert_eq!(s.verify().unwrap().fault, None);
    s.connection().execute("UPDATE staff SET role = 'head' WHERE id = 'demo'", []).unwrap();
    assert!(matches!(s.verify().unwrap().fault, Some(ChainFault::Projection { what: "工作人员的角色", .. })));
}

#[test]
fn a_stripped_seal_is_not_sealed_afresh_and_a_hash_copied_onto_the_head_signs_no_one_in() {
    // With sqlite3: the seal dropped and the schema set back to before it, the head's row given
    // a plain Argon2id hash of a PIN the attacker knows. The next open refuses, writing nothing.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("centre.db");
    drop(demo_store(dir.path()));
    {
        use argon2::password_hash::{PasswordHasher, SaltString};
        let planted = argon2::Argon2::default().hash_password(b"000000", &SaltString::encode_b64(b"0123456789abcdef").unwrap()).unwrap().to_string();
        let c = Connection::open(&path).unwrap();
        c.execute_batch("DROP TRIGGER chain_seal_no_delete; DROP TABLE chain_seal; PRAGMA user_version = 10;").unwrap();
        c.execute("UPDATE staff SET pin_hash = ?1 WHERE id = 'head'", [&planted]).unwrap();
    }
    let e = Store::open(&path).err().unwrap();
    assert_eq!(e.code(), "store.seal_stripped");
    assert!(e.to_string().contains("印记被去掉了"), "{e}");
    let version: i64 = Connection::open(&path).unwrap().query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(version, 10, "nothing was migrated onto it");

    // The clerk's own masked hash copied onto the head: the clerk's PIN does not open the head.
    let dir = tempfile::tempdir().unwrap();
    let mut s = demo_store(dir.path());
    let t = now("2026-11-02T09:00:00+08:00");
    s.connection().execute("UPDATE staff SET pin_hash = (SELECT pin_hash FROM staff WHERE id = 'demo') WHERE id = 'head'", []).unwrap();
    assert_eq!(s.sign_in("head", "123456", t).unwrap_err().code(), "auth.bad_pin");
    s.sign_in("demo", "123456", t).unwrap();

    // A write onto a head re-chained behind the store's back is refused, not sealed over.
    let c = s.connection();
    let seq = rechain_a_copy_of_the_last_event(c, "01900000-0000-7000-8000-000000000002");
    assert_eq!(s.sign_in("demo", "000000", t).unwrap_err().code(), "store.unsealed", "a wrong PIN is not recorded onto it");
    assert_eq!(s.verify().unwrap().fault, Some(ChainFault::Unsealed { seq }));
}

#[test]
fn taking_the_heads_off_duty_behind_the_stores_back_is_caught_and_does_not_let_system_add_one() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = demo_store(dir.path());
    let t = now("2026-11-02T09:00:00+08:00");
    s.connection().execute("UPDATE staff SET active = 0 WHERE role = 'head'", []).unwrap();
    assert!(matches!(s.verify().unwrap().fault, Some(ChainFault::Projection { what: "工作人员的在岗状态", .. })));
    let e = s.add_staff("system", "h9", "某某", Role::Head, Some("111111"), t).unwrap_err();
    assert_eq!(e.code(), "store.not_permitted");
}

#[test]
fn on_a_file_marked_damaged_the_bookkeeping_writes_are_refused_with_the_reason_too() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = demo_store(dir.path());
    let t = now("2026-11-02T09:00:00+08:00");
    write_damage_marker(s.path(), "Tree 5 page 5 cell 0: invalid page number");
    assert_eq!(s.record_download("calendar", "2027.1", false, None, t).unwrap_err().code(), "store.damaged");
    assert_eq!(s.note_peer_round("http://127.0.0.1:9", None, t).unwrap_err().code(), "store.damaged");
    // The clerk's summary names the page SQLite named.
    assert!(s.damaged().unwrap().contains("第5页"), "{:?}", s.damaged());
}

#[test]
fn the_backup_taken_just_before_the_seal_is_restored_and_sealed_again() {
    // A centre from before migration 11, upgraded on this PC: the migration's own backup of
    // version 10 holds the very chain that was sealed, and opens (a stripped seal past it would not).
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("centre.db");
    drop(demo_store(dir.path()));
    Connection::open(&path)
        .unwrap()
        .execute_batch(
            "DROP INDEX applicant_name_pinyin; DROP INDEX applicant_name_initials; DROP INDEX applicant_id_tail; DROP INDEX applicant_phone_tail; DROP INDEX document_inquiry; DROP INDEX event_at; DROP INDEX peer_event_at; DROP INDEX case_status_created; DROP INDEX case_agent_phone; ALTER TABLE applicant DROP COLUMN name_pinyin; ALTER TABLE applicant DROP COLUMN name_initials; DROP INDEX case_owed; ALTER TABLE case_file DROP COLUMN owed; ALTER TABLE case_file DROP COLUMN owed_by;
             ALTER TABLE case_file DROP COLUMN collector_id_number; ALTER TABLE case_file DROP COLUMN collector_role;
             DROP TRIGGER chain_seal_no_delete; DROP TABLE chain_seal; DROP TABLE service_rating; DROP TABLE sms_notice; DROP INDEX case_sms; ALTER TABLE case_file DROP COLUMN sms_phone; PRAGMA user_version = 10;",
        )
        .unwrap();
    let ring = Keyring::at(dir.path().join("upgraded-pc-keys"));
    let mut s = Store::open_in(&path, &ring).unwrap();
    assert_eq!(s.verify().unwrap().fault, None);
    let before = dir.path().join("centre.db.v10.bak");
    assert!(before.exists());
    let copy = dir.path().join("restored.db");
    std::fs::copy(&before, &copy).unwrap();
    let restored = Store::open_in(&copy, &ring).unwrap();
    assert_eq!(restored.verify().unwrap().fault, None);
    drop(restored);
    // After one more event the upgraded file, stripped again, is refused.
    s.record_absence("demo", d("2026-11-24"), d("2026-11-24"), "年休假", "head", now("2026-11-02T09:00:00+08:00")).unwrap();
    drop(s);
    Connection::open(&path).unwrap().execute_batch("DROP TRIGGER chain_seal_no_delete; DROP TABLE chain_seal; PRAGMA user_version = 10;").unwrap();
    assert_eq!(Store::open_in(&path, &ring).err().unwrap().code(), "store.seal_stripped");
}

/// Sets a demo database back to schema version 12 as that program left it: without the 容缺
/// columns and with migration 1's CHECK lists; `tamper` edits the case table's text further.
fn as_version_12(path: &Path, tamper: Option<(&str, &str)>) {
    let c = Connection::open(path).unwrap();
    c.execute_batch(
        "DROP INDEX applicant_name_pinyin; DROP INDEX applicant_name_initials; DROP INDEX applicant_id_tail; DROP INDEX applicant_phone_tail; DROP INDEX document_inquiry; DROP INDEX event_at; DROP INDEX peer_event_at; DROP INDEX case_status_created; DROP INDEX case_agent_phone; ALTER TABLE applicant DROP COLUMN name_pinyin; ALTER TABLE applicant DROP COLUMN name_initials; DROP INDEX case_owed; ALTER TABLE case_file DROP COLUMN owed; ALTER TABLE case_file DROP COLUMN owed_by;
         ALTER TABLE case_file DROP COLUMN collector_id_number; ALTER TABLE case_file DROP COLUMN collector_role;
         DROP TABLE service_rating; DROP TABLE sms_notice; DROP INDEX case_sms; ALTER TABLE case_file DROP COLUMN sms_phone;",
    )
    .unwrap();
    let mut edits = vec![
        ("case_file", "'withdrawn', 'archived', 'terminated'))", "'withdrawn', 'archived'))"),
        ("case_file", "'refused', 'tolerated'))", "'refused'))"),
        ("document", "'inquiry_slip', 'tolerance', 'commitment', 'termination', 'handover'))", "'inquiry_slip'))"),
    ];
    if let Some((from, to)) = tamper {
        edits.push(("case_file", from, to));
    }
    let version: i64 = c.query_row("PRAGMA schema_version", [], |r| r.get(0)).unwrap();
    c.execute_batch("PRAGMA writable_schema = ON").unwrap();
    for (table, from, to) in edits {
        let sql: String = c.query_row("SELECT sql FROM sqlite_schema WHERE name = ?1", [table], |r| r.get(0)).unwrap();
        assert!(sql.contains(from), "{table}: {from}");
        c.execute("UPDATE sqlite_schema SET sql = ?2 WHERE name = ?1", params![table, sql.replacen(from, to, 1)]).unwrap();
    }
    c.pragma_update(None, "schema_version", version + 1).unwrap();
    c.execute_batch("PRAGMA writable_schema = OFF; PRAGMA user_version = 12;").unwrap();
}

#[test]
fn migration_13_widens_the_check_lists_and_refuses_a_schema_it_did_not_make() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("centre.db");
    drop(demo_store(dir.path()));
    as_version_12(&path, None);
    let before: String = Connection::open(&path).unwrap().query_row("SELECT sql FROM sqlite_schema WHERE name = 'case_file'", [], |r| r.get(0)).unwrap();
    assert!(!before.contains("terminated") && !before.contains("owed"), "{before}");
    let s = Store::open(&path).unwrap();
    assert_eq!(user_version(s.connection()).unwrap(), MIGRATIONS.len() as i64);
    let sql: String = s.connection().query_row("SELECT sql FROM sqlite_schema WHERE name = 'case_file'", [], |r| r.get(0)).unwrap();
    assert!(sql.contains("'archived', 'terminated')") && sql.contains("'refused', 'tolerated')"), "{sql}");
    // The lists are wider, not gone: a status the program does not know is still refused.
    assert!(sql.contains("CHECK (status IN ('awaiting_supplement'") && sql.contains("CHECK (decision IN ('immediate'"), "{sql}");
    let c = s.connection();
    let docs: String = c.query_row("SELECT sql FROM sqlite_schema WHERE name = 'document'", [], |r| r.get(0)).unwrap();
    assert!(docs.contains("'commitment', 'termination', 'handover'))"), "migration 15 widened after 13: {docs}");
    let check: String = c.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(check, "ok");
    drop(s);

    // A schema edited behind the program's back is left as it was, and the file refused.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("centre.db");
    drop(demo_store(dir.path()));
    as_version_12(&path, Some(("'withdrawn', 'archived'))", "'withdrawn', 'archived', 'gone'))")));
    let Err(e) = Store::open(&path) else { panic!("a schema it did not make was migrated") };
    assert_eq!(e.code(), "store.schema");
    assert!(e.to_string().contains("表case_file的结构与本程序创建的不同"), "{e}");
    let c = Connection::open(&path).unwrap();
    assert_eq!(user_version(&c).unwrap(), 12);
    let sql: String = c.query_row("SELECT sql FROM sqlite_schema WHERE name = 'case_file'", [], |r| r.get(0)).unwrap();
    assert!(sql.contains("'gone'") && !sql.contains("owed"), "nothing of migration 13 was written");
}

/// 一次一评 at the rating screen: each service this window gave is rated once, by the
/// applicant's tap; who served is read from the service's event; a bad one opens the case's
/// rectification (shown to the head even while the case runs), joined by the next bad one.
#[test]
fn each_service_is_rated_once_at_the_screen_and_a_bad_one_opens_the_rectification() {
    use yichuang_core::{BadReasons, IdNumber, PersonName, Service};
    let dir = tempfile::tempdir().unwrap();
    let mut s = demo_store(dir.path());
    let t = now("2026-11-23T10:00:00+08:00");
    let today = d("2026-11-23");
    let none = BadReasons::default();
    // An accepted case: the screen shows the item, the masked ID and the receipt.
    let accepted = s.intake(cj01_request("45082119680405302", ALL), t).unwrap().case_number.to_string();
    let shown = s.service_to_rate(&accepted, t).unwrap().unwrap();
    assert_eq!((shown.service, shown.clerk.as_str(), shown.applicant_name.as_str()), (Service::Accepted, "demo", "李秀英"));
    assert!(shown.applicant_id_masked.contains("****"), "{}", shown.applicant_id_masked);
    assert!(shown.documents.iter().any(|(title, _)| title == "受理通知书"), "{:?}", shown.documents);
    // A reason is for a bad rating only; then the good rating, once.
    let waited = BadReasons::parse(&["等候时间过长"]).unwrap();
    assert_eq!(s.rate_service(&shown.service_event, Rating::Satisfied, &waited, t).unwrap_err().code(), "store.rule");
    let r = s.rate_service(&shown.service_event, Rating::VerySatisfied, &none, t).unwrap();
    assert_eq!((r.service, r.rectification_due), (Service::Accepted, None));
    assert_eq!(s.rate_service(&shown.service_event, Rating::VeryDissatisfied, &none, t).unwrap_err().code(), "store.rule", "一次一评");
    assert_eq!(s.service_to_rate(&accepted, t).unwrap(), None, "nothing left to rate");
    // Only a service's event can be rated: not a document's, not one that does not exist.
    let doc_event = s.events_of(&shown.documents[0].1).unwrap().remove(0).id;
    assert_eq!(s.rate_service(&doc_event, Rating::Satisfied, &none, t).unwrap_err().code(), "store.rule");
    assert_eq!(s.rate_service("T99-nothing", Rating::Satisfied, &none, t).unwrap_err().code(), "store.not_found");

    // A supplement notice rated badly: a rectification for the head while the case waits.
    let short = s.intake(cj01_request("45082119700101001", &["SFZ", "HKB", "SQB"]), t).unwrap().case_number.to_string();
    let notice = s.service_to_rate(&short, t).unwrap().unwrap();
    assert_eq!(notice.service, Service::SupplementNotice);
    let r = s.rate_service(&notice.service_event, Rating::Dissatisfied, &waited, t).unwrap();
    assert!(r.rectification_due.is_some());
    let visit = s.return_visits(today, None).unwrap().into_iter().find(|v| v.case_number == short).expect("listed while running");
    assert_eq!((visit.completed_on, visit.rating.as_deref()), (None, None), "the result is not rated yet");
    assert_eq!(visit.screen_bad.as_deref(), Some("评价器：一次性告知不满意（等候时间过长）"));
    // A clerk reads that there is a bad rating, not which; the head reads it.
    let seen = |who: &str| s.return_visits_seen_by(today, who).unwrap().into_iter().find(|v| v.case_number == short).unwrap().screen_bad;
    assert_eq!(seen("demo").as_deref(), Some("评价器：有差评（详情由中心负责人查看）"));
    assert_eq!(seen("head").as_deref(), Some("评价器：一次性告知不满意（等候时间过长）"));
    assert_eq!(visit.rectification.as_ref().map(|x| x.0.as_str()), Some("open"));
    // The photo brought in, rated badly again: it joins the open rectification.
    let photo = crate::SupplementRequest {
        presented: vec![yichuang_core::Presented { material: yichuang_core::MaterialCode::parse("ZP").unwrap(), pages: 1, copies: 3 }],
        defects: vec![],
        conditions: vec![],
        refusal: None,
        clerk: "demo".into(),
    };
    s.supplement(&short, photo, t).unwrap();
    let brought = s.service_to_rate(&short, t).unwrap().unwrap();
    assert_eq!(brought.service, Service::Supplemented);
    assert_eq!(s.rate_service(&brought.service_event, Rating::VeryDissatisfied, &none, t).unwrap().rectification_due, None, "joined the open one");
    let kinds: Vec<String> = s.events_of(&short).unwrap().into_iter().map(|e| e.kind).filter(|k| k == "case.service_rated").collect();
    assert_eq!(kinds.len(), 2);
    assert_eq!(s.service_ratings(&short).unwrap().iter().map(|r| r.service).collect::<Vec<_>>(), [Service::SupplementNotice, Service::Supplemented]);

    // The collection rated at the screen is the case's rating: no invitation, no second one.
    s.decide(&accepted, true, "", "demo", t).unwrap();
    s.ready(&accepted, "demo", t).unwrap();
    let id = IdNumber::parse(&format!("45082119680405302{}", yichuang_core::ids::id_check_char("45082119680405302").unwrap())).unwrap();
    s.collect_checked(&accepted, &PersonName::parse("李秀英").unwrap(), &id, false, "demo", t).unwrap();
    let collected = s.service_to_rate(&accepted, t).unwrap().unwrap();
    assert_eq!(collected.service, Service::Collected);
    s.rate_service(&collected.service_event, Rating::Satisfied, &none, t).unwrap();
    assert!(!s.return_visits(d("2026-12-01"), None).unwrap().iter().any(|v| v.case_number == accepted), "rated: not invited");
    let visit = RatingInput { case_number: accepted.clone(), rating: Rating::Satisfied, comment: String::new(), channel: "visit".into(), recorded_by: "demo".into() };
    assert_eq!(s.record_rating(visit, t).unwrap_err().code(), "store.rule");

    // Only the service this window gave last, and only for a while: the next applicant's
    // intake withdraws the question about the one before; half an hour later there is none.
    let first = s.intake(cj01_request("45082119800101001", ALL), t).unwrap().case_number.to_string();
    let asked = s.service_to_rate(&first, t).unwrap().unwrap();
    let second = s.intake(cj01_request("45082119800101002", ALL), t).unwrap().case_number.to_string();
    assert_eq!(s.service_to_rate(&first, t).unwrap(), None);
    let e = s.rate_service(&asked.service_event, Rating::VeryDissatisfied, &none, t).unwrap_err();
    assert!(e.to_string().contains("刚办理"), "{e}");
    let later = now("2026-11-23T10:31:00+08:00");
    let last = s.service_to_rate(&second, t).unwrap().unwrap();
    assert_eq!(s.service_to_rate(&second, later).unwrap(), None, "too late to ask");
    assert_eq!(s.rate_service(&last.service_event, Rating::Satisfied, &none, later).unwrap_err().code(), "store.rule");
    // A centre with rating screens takes no window rating typed by the clerk.
    let mut settings = s.centre().unwrap().settings.clone();
    settings.rating_screen = true;
    s.update_settings("head", settings, t).unwrap();
    let typed = RatingInput { case_number: second.clone(), rating: Rating::Satisfied, comment: String::new(), channel: "window".into(), recorded_by: "demo".into() };
    assert!(s.record_rating(typed, t).unwrap_err().to_string().contains("评价器"));
    assert_eq!(s.verify().unwrap().fault, None);
}
