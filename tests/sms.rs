//! 短信通知 at the window: consent at intake or nothing; which notices are queued, when, and
//! once each; a message never carries the ID number.

use serde_json::{json, Value};

use crate::util::*;

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn consenting(mut v: Value) -> Value {
    v["sms_consent"] = json!(true);
    v
}

fn sms(c: &Centre, at: &str, number: &str) -> Vec<Value> {
    c.json_at(at, &["case", "show", number, "--json"])["sms"].as_array().unwrap().clone()
}

fn cases(c: &Centre) -> i64 {
    c.store().connection().query_row("SELECT count(*) FROM case_file", [], |r| r.get(0)).unwrap()
}

#[test]
fn consent_needs_a_mobile_number_and_without_it_nothing_is_queued() {
    let c = Centre::new();
    let idn = id("45082119680405302");
    // Consent without a phone, or to a landline: refused, nothing written.
    let mut no_phone = consenting(cj01(&idn, CJ01_ALL));
    no_phone["applicant"]["phone"] = Value::Null;
    let out = c.run(&["case", "intake", &c.file("a.json", &no_phone), "--json"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("须登记申请人的手机号码"), "{}", stderr(&out));
    let mut landline = consenting(cj01(&idn, CJ01_ALL));
    landline["applicant"]["phone"] = json!("0775-7801234");
    let out = c.run(&["case", "intake", &c.file("b.json", &landline), "--json"]);
    assert!(stderr(&out).contains("固定电话"), "{}", stderr(&out));
    assert_eq!(cases(&c), 0, "nothing half-written");

    // Without consent: ready, and nothing queued, ever.
    let silent = c.json(&["case", "intake", &c.file("c.json", &cj01(&idn, CJ01_ALL)), "--json"])["case_number"].as_str().unwrap().to_owned();
    c.ok(&["case", "decide", &silent, "--approve", "--actor", "demo"]);
    c.ok(&["case", "ready", &silent, "--actor", "demo"]);
    assert!(sms(&c, NOW, &silent).is_empty());
    // With consent: ready queues the one message, to the number given, without the ID.
    let told = c.json(&["case", "intake", &c.file("d.json", &consenting(cj01(&id("45082119700101001"), CJ01_ALL))), "--json"])["case_number"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(sms(&c, NOW, &told).is_empty(), "nothing before the result is ready");
    c.ok(&["case", "decide", &told, "--approve", "--actor", "demo"]);
    c.ok(&["case", "ready", &told, "--actor", "demo"]);
    let m = sms(&c, NOW, &told);
    assert_eq!(m.len(), 1, "{m:?}");
    assert_eq!((m[0]["notice"].as_str(), m[0]["status"].as_str(), m[0]["phone"].as_str()), (Some("ready"), Some("queued"), Some("138****9876")));
    assert!(m[0]["text"].as_str().unwrap().contains("残疾人证申领"), "{m:?}");
    let payload: String = c.store().connection().query_row("SELECT payload FROM event WHERE kind = 'case.sms_queued'", [], |r| r.get(0)).unwrap();
    assert!(!payload.contains("45082119700101001"), "{payload}");
    // The applicant withdraws: once; the case shows no consent, and nothing more is queued.
    c.ok(&["case", "sms-withdraw", &told, "--actor", "demo"]);
    let out = c.run(&["case", "sms-withdraw", &told, "--actor", "demo"]);
    assert!(stderr(&out).contains("没有同意短信通知"), "{}", stderr(&out));
    c.ok(&["case", "collect", &told, "--by", "李秀英", "--actor", "demo"]);
    assert!(c.ok_at("2026-11-24T09:00:00+08:00", &["sms-queue"]).contains("已排队短信0条"), "no invitation after a withdrawal");
    assert_eq!(c.ok(&["verify"]).trim(), "ok");
}

/// Owed materials: reminded two working days before the day; a supplement notice: five working
/// days after it; a service that ended unrated: invited the next day. Each once.
#[test]
fn reminders_and_the_invitation_are_queued_on_their_day_and_once() {
    let c = Centre::new();
    // 容缺 on Monday 11-23, the photo owed by Monday 11-30: reminded from Thursday 11-26.
    let mut owing = consenting(cj01(&id("45082119680405302"), &["SFZ", "HKB", "SQB"]));
    owing["commitment"] = json!(true);
    let o = c.json(&["case", "intake", &c.file("t.json", &owing), "--json"]);
    assert_eq!(o["decision"], "tolerated");
    let owing = o["case_number"].as_str().unwrap().to_owned();
    // A supplement notice on 11-23: reminded on 11-30.
    let short = c.json(&["case", "intake", &c.file("s.json", &consenting(cj01(&id("45082119700101001"), &["SFZ", "HKB"]))), "--json"])["case_number"]
        .as_str()
        .unwrap()
        .to_owned();
    // Handled on the spot on 11-23: invited on 11-24.
    let done = json!({"item": "YL-01", "applicant": {"name": "王小明", "id_number": id("45082119900301001"), "phone": "13907751234"}, "sms_consent": true,
        "materials": [{"material": "SFZ", "pages": 1}, {"material": "HKB", "pages": 2}, {"material": "DJB", "pages": 1}], "clerk": "demo"});
    let done = c.json(&["case", "intake", &c.file("i.json", &done), "--json"])["case_number"].as_str().unwrap().to_owned();

    let queue = |at: &str| -> String { c.ok_at(at, &["sms-queue"]) };
    assert!(queue("2026-11-23T17:00:00+08:00").contains("已排队短信0条"));
    assert!(queue("2026-11-24T09:00:00+08:00").contains("已排队短信1条"), "the invitation");
    assert_eq!(sms(&c, NOW, &done)[0]["notice"], "rating_invite");
    assert!(queue("2026-11-25T09:00:00+08:00").contains("已排队短信0条"));
    assert!(queue("2026-11-26T09:00:00+08:00").contains("已排队短信1条"), "the owed reminder");
    let m = sms(&c, NOW, &owing);
    assert_eq!(m[0]["notice"], "owed_due");
    assert!(m[0]["text"].as_str().unwrap().contains("11月30日前"), "{m:?}");
    assert!(queue("2026-11-27T09:00:00+08:00").contains("已排队短信0条"), "once");
    assert!(queue("2026-11-30T09:00:00+08:00").contains("已排队短信1条"), "the supplement reminder");
    assert_eq!(sms(&c, NOW, &short)[0]["notice"], "supplement_reminder");
    assert!(queue("2026-11-30T10:00:00+08:00").contains("已排队短信0条"));
    assert_eq!(c.ok(&["verify"]).trim(), "ok");
}
