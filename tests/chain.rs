//! `verify` catches an edited, a deleted and a reordered event, a cut-off tail, and a record
//! changed behind the store's back. The tampering goes around the store, as someone with the
//! sqlite3 shell would: dropping the guard triggers first.

use crate::util::*;

fn centre_with_cases() -> Centre {
    let c = Centre::new();
    for (i, first17) in ["45082119680405302", "45082119700101303", "45082119551111404"].iter().enumerate() {
        let f = c.file(&format!("a{i}.json"), &cj01(&id(first17), if i == 1 { &["SFZ"] } else { CJ01_ALL }));
        c.ok(&["case", "intake", &f, "--json"]);
    }
    assert_eq!(c.ok(&["verify"]).trim(), "ok");
    c
}

fn tamper(c: &Centre, sql: &str) -> String {
    let conn = rusqlite::Connection::open(&c.db).unwrap();
    conn.execute_batch("DROP TRIGGER event_no_update; DROP TRIGGER event_no_delete; DROP TRIGGER case_file_no_delete;").unwrap();
    conn.execute_batch(sql).unwrap();
    drop(conn);
    let out = c.run(&["verify"]);
    assert_eq!(out.status.code(), Some(1), "verify must fail after: {sql}");
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

fn last_seq(c: &Centre) -> i64 {
    c.count("SELECT max(seq) FROM event")
}

#[test]
fn an_edited_event_is_caught() {
    let c = centre_with_cases();
    let seq = c.count("SELECT min(seq) FROM event WHERE kind = 'case.intake'");
    let msg = tamper(&c, &format!("UPDATE event SET payload = replace(payload, '李秀英', '李秀兰') WHERE seq = {seq}"));
    assert_eq!(msg, format!("事件{seq}的内容与其哈希不符（事件被修改）"));
}

#[test]
fn an_event_edited_with_a_recomputed_hash_still_breaks_the_next_link() {
    let c = centre_with_cases();
    let seq = c.count("SELECT min(seq) FROM event WHERE kind = 'case.intake'");
    // Recompute this row's hash honestly: the next row still points at the old one.
    let conn = rusqlite::Connection::open(&c.db).unwrap();
    conn.execute_batch("DROP TRIGGER event_no_update;").unwrap();
    let e = c.store().events_after(seq - 1, 1).unwrap().remove(0);
    let payload = e.payload.replace("李秀英", "李秀兰");
    let hash = yichuang_store::chain_hash(&e.prev_hash, e.seq, &e.id, &e.terminal, &e.at, &e.actor, &e.kind, &e.subject, &payload);
    conn.execute("UPDATE event SET payload = ?1, hash = ?2 WHERE seq = ?3", rusqlite::params![payload, hash, seq]).unwrap();
    drop(conn);
    let out = c.run(&["verify"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(String::from_utf8(out.stdout).unwrap().trim(), format!("事件{}与前一事件的链接断开（事件被删除、插入或调换顺序）", seq + 1));
}

#[test]
fn a_deleted_event_is_caught() {
    let c = centre_with_cases();
    let msg = tamper(&c, "DELETE FROM event WHERE seq = 10");
    assert_eq!(msg, "事件序号不连续：应为10，实际为11（事件被删除或改号）");
}

#[test]
fn a_deleted_last_event_is_caught() {
    let c = centre_with_cases();
    let last = last_seq(&c);
    let msg = tamper(&c, &format!("DELETE FROM event WHERE seq = {last}"));
    assert_eq!(msg, format!("事件链应到{last}，实际只到{}（末尾事件被删除）", last - 1));
}

#[test]
fn reordered_events_are_caught() {
    let c = centre_with_cases();
    let msg = tamper(
        &c,
        "UPDATE event SET seq = 1000000 WHERE seq = 10; UPDATE event SET seq = 10 WHERE seq = 11; UPDATE event SET seq = 11 WHERE seq = 1000000;",
    );
    assert_eq!(msg, "事件10与前一事件的链接断开（事件被删除、插入或调换顺序）");
}

#[test]
fn a_case_changed_behind_the_stores_back_is_caught() {
    let c = centre_with_cases();
    let conn = rusqlite::Connection::open(&c.db).unwrap();
    let n: String = conn.query_row("SELECT number FROM case_file WHERE status = 'awaiting_supplement'", [], |r| r.get(0)).unwrap();
    conn.execute("UPDATE case_file SET status = 'accepted' WHERE number = ?1", [&n]).unwrap();
    drop(conn);
    let out = c.run(&["verify"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8(out.stdout).unwrap().trim(),
        format!("办件{n}的状态为“accepted”，但事件记录的状态为“awaiting_supplement”（办件被修改）")
    );
}

#[test]
fn an_appended_event_of_no_known_shape_is_caught() {
    // Someone appends a row with a correct hash and link, but it is no event of this program:
    // a kind it never writes, or a known kind whose payload lacks what the kind carries.
    for (kind, payload) in [("case.teleported", "{}"), ("case.collected", r#"{"status":"collected"}"#)] {
        let c = centre_with_cases();
        let store = c.store();
        let (seq, prev) = store.head().unwrap();
        let n = store.connection().query_row("SELECT number FROM case_file LIMIT 1", [], |r| r.get::<_, String>(0)).unwrap();
        let (id, at) = ("01890000-0000-7000-8000-000000000000", "2026-11-23T12:00:00+08:00");
        let hash = yichuang_store::chain_hash(&prev, seq + 1, id, "01", at, "demo", kind, &n, payload);
        drop(store);
        let msg = tamper(
            &c,
            &format!(
                "INSERT INTO event (seq, id, terminal, at, actor, kind, subject, payload, prev_hash, hash)
                 VALUES ({}, '{id}', '01', '{at}', 'demo', '{kind}', '{n}', '{payload}', '{prev}', '{hash}');
                 UPDATE chain_head SET seq = {}, hash = '{hash}' WHERE id = 1;",
                seq + 1,
                seq + 1
            ),
        );
        assert!(msg.starts_with(&format!("事件{}无法解读", seq + 1)), "{kind}: {msg}");
    }
}

#[test]
fn a_well_formed_event_re_chained_with_sqlite3_is_caught_by_the_seal() {
    // Everything the chain checks is right: a known kind, its payload's shape, the hash and
    // the link, the head moved. Only this PC's key (not in the file) could seal the new head.
    let c = centre_with_cases();
    let store = c.store();
    let (seq, prev) = store.head().unwrap();
    let payload = r#"{"previous":"2026-11-23T09:00:00+08:00","head":"head"}"#;
    let (id, at) = ("01890000-0000-7000-8000-000000000001", "2026-11-23T12:00:00+08:00");
    let hash = yichuang_store::chain_hash(&prev, seq + 1, id, "01", at, "head", "clock.confirmed", "450821102", payload);
    drop(store);
    let msg = tamper(
        &c,
        &format!(
            "INSERT INTO event (seq, id, terminal, at, actor, kind, subject, payload, prev_hash, hash)
             VALUES ({0}, '{id}', '01', '{at}', 'head', 'clock.confirmed', '450821102', '{payload}', '{prev}', '{hash}');
             UPDATE chain_head SET seq = {0}, hash = '{hash}' WHERE id = 1;",
            seq + 1
        ),
    );
    assert_eq!(msg, format!("事件链头（第{}条）没有本机密钥的校验印记（事件被插入或修改后重新链接）", seq + 1));
}
