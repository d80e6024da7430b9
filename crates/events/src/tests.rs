#![allow(clippy::unwrap_used)]

use serde_json::Value;

use super::*;

/// One stored payload of every kind, as the store has written them: each parses, names its
/// kind, and gives back exactly the same JSON.
const SAMPLES: &[(&str, &str)] = &[
    ("centre.initialised", r#"{"code":"450821102","name":"示范镇便民服务中心","terminal":"01"}"#),
    ("centre.settings", r#"{"warning_days":2,"stub_copies":true,"phone":"0775-7801234"}"#),
    ("calendar.imported", r#"{"year":2026,"version":1,"source":"国务院办公厅"}"#),
    ("calendar.regional", r#"{"region":"450821","days":[{"date":"2026-04-20","name":"三月三"}]}"#),
    ("catalogue.imported", r#"{"version":"2026.11","sha256":"ab","items":12,"published_at":"2026-11-01"}"#),
    ("staff.added", r#"{"id":"demo","name":"李梅","role":"clerk"}"#),
    ("staff.absent", r#"{"from":"2026-11-23","to":"2026-11-24","reason":"年休假"}"#),
    ("staff.sign_in_failed", r#"{"attempts":5,"locked_until":"2026-11-23T09:00:30+08:00"}"#),
    ("staff.pin_set", r#"{"reason":"reset","by":"head"}"#),
    ("post.set", r#"{"name":"社保窗口","a":"demo","b":"b1"}"#),
    ("terminal.key", r#"{"key_id":"450821102-01","public_key":"abc"}"#),
    ("terminal.known_key", r#"{"key_id":"450821102-02","public_key":"def"}"#),
    ("peer.trusted", r#"{"url":"http://192.168.1.12:47810","terminal":"02","public_key":"def"}"#),
    ("supervision.answered", r#"{"id":"dB-1","case":"450821102012026110000010","answer":"已于12月3日办结"}"#),
    ("clock.confirmed", r#"{"previous":"2026-11-24T09:00:00+08:00","head":"head"}"#),
    ("key.exported", r#"{"key_id":"3f2a9c0d11e4b7a8","head":"head"}"#),
    ("staff.changed", r#"{"id":"demo","role":"clerk","active":false}"#),
    ("store.restored", r#"{"backup":"b.db","backup_head":12,"kept_as":null,"terminal_before":"01","terminal":"02"}"#),
    (
        "case.intake",
        r#"{"item":"CJ-01","catalogue_version":"2026.11","applicant":{"kind":"person","key":"450821196804053025","name":"李秀英","phone":null},"agent":null,"decision":"supplement","status":"awaiting_supplement","deemed_accepted":false,"received_on":"2026-11-23","clock_start":null,"limit":{"days":20,"unit":"working"},"due":null,"materials":[{"material":"SFZ","pages":1,"copies":1,"defect":null}],"conditions":[],"deficiencies":[{"material":"ZP","name":"照片","problem":"未提交"}],"refusal":null,"handler":"demo","covering_for":null}"#,
    ),
    (
        "case.supplemented",
        r#"{"round":2,"materials":[],"decision":"accepted","status":"accepted","clock_start":"2026-11-24","due":{"date":"2026-12-22","provisional":false,"calendar_version":"2026v1"},"deficiencies":[],"refusal":null}"#,
    ),
    ("case.extended", r#"{"days":10,"reason":"需评定","approver":"head","approver_name":"王建国","status":"accepted","paused":false,"due":{"date":"2027-01-07","provisional":true,"calendar_version":"2026v1"}}"#),
    ("case.paused", r#"{"kind":"appraisal","label":"鉴定","expected_days":10,"reason":"鉴定","status":"accepted","paused":true,"due":null}"#),
    ("case.resumed", r#"{"status":"accepted","paused":false,"due":null}"#),
    ("case.forwarded", r#"{"to":"县残联","reason":"","status":"forwarded","paused":false,"due":null}"#),
    ("case.decided", r#"{"approved":false,"reason":"不符合条件","status":"not_approved","paused":false,"due":null}"#),
    ("case.ready", r#"{"status":"ready","paused":false,"due":null}"#),
    ("case.collected", r#"{"by":"李秀英","status":"collected","paused":false,"due":null}"#),
    ("case.withdrawn", r#"{"reason":"申请人撤回","status":"withdrawn","paused":false,"due":null}"#),
    ("case.archived", r#"{"status":"archived","paused":false,"due":null}"#),
    ("case.refused", r#"{"reason":"不属于受理范围","status":"refused","paused":false,"due":null}"#),
    ("case.rated", r#"{"rating":"very_bad","bad":true,"channel":"回访","on":"2026-11-30","rectification_due":"2026-12-21"}"#),
    (
        "case.service_rated",
        r#"{"service_event":"T01-000012","service":"accepted","rating":"dissatisfied","bad":true,"reasons":["等候时间过长"],"clerk":"demo","window":"01","on":"2026-11-23","rectification_due":"2026-12-14"}"#,
    ),
    ("case.sms_consent", r#"{"given":true,"phone":"13807759876"}"#),
    ("case.sms_queued", r#"{"notice":"ready","occasion":"1","phone":"13807759876","params":["残疾人证申领","示范镇便民服务中心"],"text":"您申请办理的“残疾人证申领”已办结，请携带本人身份证件和受理通知书到示范镇便民服务中心窗口领取。"}"#),
    ("case.sms_reported", r#"{"queued":"T01-000042","status":"delivered","at":"2026-12-02T10:00:00+08:00","detail":"DELIVRD"}"#),
    ("case.terminated", r#"{"reason":"逾期未补交容缺材料","approver":"head","approver_name":"王建国","owed":[{"material":"ZP","name":"照片","problem":"未提交"}],"owed_by":"2026-11-30","status":"terminated","paused":false,"due":null}"#),
    ("document.issued", r#"{"kind":"receipt","number":"〔2026〕受字第01-0001号","case":"450821102012026112300014","inquiry":null,"body":{"title":"受理通知书"}}"#),
    ("document.voided", r#"{"reason":"姓名有误","case":null}"#),
    ("document.reprinted", r#"{"reprint":1,"case":"450821102012026112300014"}"#),
    (
        "inquiry.registered",
        r#"{"channel":"window","person":null,"unit":null,"phone":null,"sensitive":true,"matter":null,"item":"CJ-01","disposition":"answered","handed_to":null,"scope":"in_scope","reply_due":null,"status":"closed","result":"已答复"}"#,
    ),
    ("inquiry.replied", r#"{"result":"已电话答复","status":"closed","on_time":true}"#),
    ("complaint.registered", r#"{"channel":"window","confidential":false,"about_staff":null,"case":null,"kind":"ordinary","due":"2026-11-24","received_on":"2026-11-23"}"#),
    ("complaint.noted", r#"{"note":"已调查"}"#),
    ("complaint.answered", r#"{"result":"已整改","via":"电话","on":"2026-11-24","on_time":true}"#),
    ("complaint.closed", r#"{}"#),
    ("rectification.callback", r#"{"on":"2026-12-01","note":"已回电"}"#),
    ("rectification.done", r#"{"on":"2026-12-02","outcome":"已改进"}"#),
];

#[test]
fn every_kind_parses_names_itself_and_round_trips() {
    for (kind, payload) in SAMPLES {
        let e = Event::parse(kind, payload).unwrap_or_else(|err| panic!("{kind}: {err}"));
        assert_eq!(e.kind(), *kind);
        let stored: Value = serde_json::from_str(payload).unwrap();
        assert_eq!(e.payload(), stored, "{kind} does not give back what was stored");
    }
}

#[test]
fn the_samples_cover_every_kind_once() {
    let mut sampled: Vec<&str> = SAMPLES.iter().map(|(k, _)| *k).collect();
    let mut kinds: Vec<&str> = KINDS.to_vec();
    sampled.sort_unstable();
    kinds.sort_unstable();
    assert_eq!(sampled, kinds);
    kinds.dedup();
    assert_eq!(kinds.len(), KINDS.len(), "a kind listed twice");
}

#[test]
fn a_stranger_kind_and_a_broken_payload_are_errors_not_guesses() {
    assert_eq!(Event::parse("case.teleported", "{}").unwrap_err().code(), "event.unknown_kind");
    let e = Event::parse("case.collected", r#"{"status":"collected"}"#).unwrap_err();
    assert_eq!(e.code(), "event.payload");
    assert!(e.to_string().contains("case.collected"), "{e}");
    assert_eq!(Event::parse("case.ready", "not json").unwrap_err().code(), "event.payload");
}

fn sample(kind: &str) -> &'static str {
    SAMPLES.iter().find(|(k, _)| *k == kind).map(|(_, p)| *p).unwrap_or_else(|| panic!("no sample of {kind}"))
}

#[test]
fn a_case_step_says_the_state_it_left() {
    let e = Event::parse("case.extended", sample("case.extended")).unwrap();
    let (status, paused, due) = e.case_state().unwrap();
    assert_eq!((status, paused), ("accepted", false));
    assert_eq!(due.unwrap().date, NaiveDate::from_ymd_opt(2027, 1, 7).unwrap());
    assert!(Event::parse("staff.added", sample("staff.added")).unwrap().case_state().is_none());
    let doc = Event::parse("document.reprinted", sample("document.reprinted")).unwrap();
    assert_eq!(doc.case_named("〔2026〕受字第01-0001号"), Some("450821102012026112300014"));
}

#[test]
fn the_chain_hash_covers_every_field() {
    let base = chain_hash(GENESIS_HASH, 1, "id", "01", "t", "demo", "case.ready", "s", "{}");
    for changed in [
        chain_hash(GENESIS_HASH, 2, "id", "01", "t", "demo", "case.ready", "s", "{}"),
        chain_hash(GENESIS_HASH, 1, "id", "02", "t", "demo", "case.ready", "s", "{}"),
        chain_hash(GENESIS_HASH, 1, "id", "01", "t", "demo", "case.ready", "s", "{ }"),
        // The separator keeps fields apart: moving a character across a boundary changes it.
        chain_hash(GENESIS_HASH, 1, "id0", "1", "t", "demo", "case.ready", "s", "{}"),
    ] {
        assert_ne!(base, changed);
    }
    assert_eq!(base.len(), 64);
}

#[test]
fn the_county_sees_whom_a_case_is_about_and_nothing_it_does_not_need() {
    let mut v: serde_json::Value = serde_json::from_str(sample("case.intake")).unwrap();
    v["applicant"] = serde_json::json!({"kind":"person","key":"450821196804053025","name":"韦秀英","phone":"13907751234"});
    v["agent"] = serde_json::json!({"name":"韦建华","id_number":"11010519491231002X","phone":"13807750000"});
    let intake = &v.to_string();
    let e = Event::parse("case.intake", intake).unwrap();
    let county = e.for_county().payload().to_string();
    for gone in ["196804", "13907751234", "11010519491231002X", "13807750000"] {
        assert!(!county.contains(gone), "{gone} left the centre: {county}");
    }
    for kept in ["韦秀英", "450821********3025", "韦建华"] {
        assert!(county.contains(kept), "{kept} missing: {county}");
    }
    // Inside the centre nothing is taken out.
    assert_eq!(e.payload(), Event::parse("case.intake", intake).unwrap().payload());
    let c = Event::parse("case.collected", r#"{"by":"韦秀英","status":"collected"}"#).unwrap().for_county();
    assert_eq!(c.summary().by, None);
    let mut complaint: serde_json::Value = serde_json::from_str(sample("complaint.registered")).unwrap();
    complaint["complainant"] = "韦大爷".into();
    complaint["contact"] = "13907751234".into();
    complaint["matter"] = "窗口人员态度生硬".into();
    complaint["confidential"] = true.into();
    let county = Event::parse("complaint.registered", &complaint.to_string()).unwrap().for_county().payload().to_string();
    for gone in ["韦大爷", "13907751234", "态度生硬"] {
        assert!(!county.contains(gone), "{gone}: {county}");
    }
    let org = r#"{"kind":"organisation","key":"91450821MA5K000000","name":"示范镇合作社"}"#;
    v["applicant"] = serde_json::from_str(org).unwrap();
    assert!(Event::parse("case.intake", &v.to_string()).unwrap().for_county().payload().to_string().contains("91450821MA5K000000"), "a credit code is public");
}

/// 容缺 across windows: window 2 approves an owing case it had not heard was cleared; window
/// 1's termination after the day wins over a later approval; the owed list follows the fold.
#[test]
fn the_fold_keeps_what_a_case_owes_and_refuses_approval_while_it_owes() {
    let rec = |stream: &str, seq: i64, at: &str, kind: &str, payload: &str| Sourced {
        stream: stream.to_owned(),
        record: EventRecord {
            seq,
            id: format!("{stream}-{seq}"),
            terminal: stream.to_owned(),
            at: at.to_owned(),
            actor: "demo".into(),
            kind: kind.into(),
            subject: "450821102012026112300001".into(),
            payload: payload.into(),
            prev_hash: String::new(),
            hash: String::new(),
        },
    };
    let intake = r#"{"item":"CJ-01","catalogue_version":"2026.11","applicant":{"kind":"person","key":"450821196804053025","name":"李秀英","phone":null},"agent":null,"decision":"tolerated","status":"accepted","deemed_accepted":false,"received_on":"2026-11-23","clock_start":"2026-11-23","limit":{"days":20,"unit":"working"},"due":{"date":"2026-12-21","provisional":false,"calendar_version":"2026:1"},"materials":[],"conditions":[],"deficiencies":[{"material":"ZP","name":"照片","problem":"未提交"}],"refusal":null,"handler":"demo","covering_for":null,"owed_by":"2026-11-30"}"#;
    let approve = r#"{"approved":true,"reason":"","status":"approved","paused":false,"due":null}"#;
    let cleared = r#"{"round":2,"materials":[{"material":"ZP","pages":1,"copies":3,"defect":null}],"decision":"accepted","status":"accepted","clock_start":null,"due":{"date":"2026-12-21","provisional":false,"calendar_version":"2026:1"},"deficiencies":[],"refusal":null}"#;
    // Window 2 approves before the photo came: it loses, the case still owes.
    let events = vec![
        rec("", 1, "2026-11-23T09:00:00+08:00", "case.intake", intake),
        rec("w2", 1, "2026-11-24T09:00:00+08:00", "case.decided", approve),
    ];
    let f = fold_case(&events).unwrap().unwrap();
    assert_eq!(f.status, "accepted");
    assert_eq!(f.owed.len(), 1);
    assert_eq!(f.owed_by, Some(NaiveDate::from_ymd_opt(2026, 11, 30).unwrap()));
    assert_eq!(f.losers.len(), 1);
    assert!(f.losers[0].3.contains("尚欠容缺材料"), "{:?}", f.losers);
    // The photo came first: the approval stands, nothing owed, the clock untouched.
    let events = vec![
        rec("", 1, "2026-11-23T09:00:00+08:00", "case.intake", intake),
        rec("", 2, "2026-11-25T09:00:00+08:00", "case.supplemented", cleared),
        rec("w2", 1, "2026-11-26T09:00:00+08:00", "case.decided", approve),
    ];
    let f = fold_case(&events).unwrap().unwrap();
    assert_eq!(f.status, "approved");
    assert!(f.owed.is_empty());
    assert_eq!(f.clock_start, Some(NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()));
    assert!(f.losers.is_empty());
    // Terminated at one window, the photo brought at the other afterwards: the termination stands.
    let terminated = sample("case.terminated");
    let events = vec![
        rec("", 1, "2026-11-23T09:00:00+08:00", "case.intake", intake),
        rec("", 2, "2026-12-01T09:00:00+08:00", "case.terminated", terminated),
        rec("w2", 1, "2026-12-01T10:00:00+08:00", "case.supplemented", cleared),
    ];
    let f = fold_case(&events).unwrap().unwrap();
    assert_eq!(f.status, "terminated");
    assert_eq!(f.outcome_reason.as_deref(), Some("逾期未补交容缺材料"));
    assert_eq!(f.losers.len(), 1);

    // Two owed, brought one at each window while they could not see each other: each window
    // thought the other one still owed; the fold knows both came.
    let two = intake.replace(
        r#""deficiencies":[{"material":"ZP","name":"照片","problem":"未提交"}]"#,
        r#""deficiencies":[{"material":"ZP","name":"照片","problem":"未提交"},{"material":"ZM","name":"诊断证明","problem":"未提交"}]"#,
    );
    let brought = |m: &str, other: &str| {
        format!(
            r#"{{"round":2,"materials":[{{"material":"{m}","pages":1,"copies":1,"defect":null}}],"decision":"tolerated","status":"accepted","clock_start":null,"due":{{"date":"2026-12-21","provisional":false,"calendar_version":"2026:1"}},"deficiencies":[{{"material":"{other}","name":"x","problem":"未提交"}}],"refusal":null}}"#
        )
    };
    let (zp, zm) = (brought("ZP", "ZM"), brought("ZM", "ZP"));
    let events = vec![
        rec("", 1, "2026-11-23T09:00:00+08:00", "case.intake", &two),
        rec("", 2, "2026-11-24T09:00:00+08:00", "case.supplemented", &zp),
        rec("w2", 1, "2026-11-25T09:00:00+08:00", "case.supplemented", &zm),
        rec("w2", 2, "2026-11-26T09:00:00+08:00", "case.decided", approve),
    ];
    let f = fold_case(&events).unwrap().unwrap();
    assert!(f.owed.is_empty(), "{:?}", f.owed);
    assert_eq!(f.status, "approved");
    assert!(f.losers.is_empty(), "{:?}", f.losers);
    // "tolerated" with nothing listed owes nothing (as the store reads it).
    let empty = intake.replace(r#""deficiencies":[{"material":"ZP","name":"照片","problem":"未提交"}]"#, r#""deficiencies":[]"#);
    let events = vec![rec("", 1, "2026-11-23T09:00:00+08:00", "case.intake", &empty), rec("w2", 1, "2026-11-24T09:00:00+08:00", "case.decided", approve)];
    assert_eq!(fold_case(&events).unwrap().unwrap().status, "approved");
}

#[test]
fn a_number_typed_into_a_duplicate_reason_does_not_reach_the_county() {
    assert_eq!(crate::mask_long_numbers("为其父亲450821196804053025代办，电话13907751234"), "为其父亲******************代办，电话***********");
    assert_eq!(crate::mask_long_numbers("第2次申请，2026年"), "第2次申请，2026年");
}
