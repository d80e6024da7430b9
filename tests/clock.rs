//! The PC's clock is not trusted (issue 12, "Time"): the day is Beijing's whatever the offset,
//! and an act dated before the terminal's last one is refused until the head confirms.

use crate::util::*;

#[test]
fn a_clock_set_back_a_day_is_refused_until_the_head_confirms_and_receipts_never_go_back() {
    let c = Centre::new();
    let intake = |at: &str, name: &str| c.run_at(at, &["case", "intake", &c.file(name, &cj01(&id("45082119680405302"), CJ01_ALL)), "--json"]);
    let first = intake("2026-11-24T09:00:00+08:00", "a.json");
    assert!(first.status.success());
    let events = c.count("SELECT count(*) FROM event");
    // The next morning the PC says it is the day before: refused, nothing written, no number taken.
    let out = intake("2026-11-23T09:30:00+08:00", "b.json");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains("本机时钟可能不准：现在显示2026-11-23 09:30，早于本机上一条记录的时间2026-11-24 09:00"), "{err}");
    assert!(err.contains("请中心负责人确认"), "{err}");
    assert_eq!(c.count("SELECT count(*) FROM event"), events);
    assert_eq!(c.count("SELECT count(*) FROM case_file"), 1);
    // A time server's nudge of a minute or two is not a clock set back.
    assert!(intake("2026-11-24T08:58:00+08:00", "c.json").status.success());
    // A clerk cannot confirm; a wrong PIN is counted; the head can.
    let out = c.run_with_stdin("2026-11-23T09:30:00+08:00", &["clock-confirm", "--actor", "demo"], "123456\n");
    assert!(String::from_utf8_lossy(&out.stderr).contains("没有确认时钟校正的权限"), "{}", String::from_utf8_lossy(&out.stderr));
    let out = c.run_with_stdin("2026-11-23T09:30:00+08:00", &["clock-confirm", "--actor", "head"], "000000\n");
    assert!(String::from_utf8_lossy(&out.stderr).contains("工号或密码不对"));
    // That wrong PIN is counted even with the clock back, and recording it does not open the way.
    assert_eq!(c.count("SELECT count(*) FROM event WHERE kind = 'staff.sign_in_failed'"), 1);
    assert!(!intake("2026-11-23T09:31:00+08:00", "x.json").status.success());
    let out = c.run_with_stdin("2026-11-23T09:30:00+08:00", &["clock-confirm", "--actor", "head"], "123456\n");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let confirmed: String = c.store().connection().query_row("SELECT payload FROM event WHERE kind = 'clock.confirmed'", [], |r| r.get(0)).unwrap();
    assert!(confirmed.contains(r#""previous":"2026-11-24T09:00:00+08:00""#) && confirmed.contains(r#""head":"head""#), "{confirmed}");
    assert!(intake("2026-11-23T09:31:00+08:00", "d.json").status.success());
    assert_eq!(c.ok(&["verify"]).trim(), "ok");
    // Without a confirmation, the receipts' dates in the order they were issued never go back.
    let dates: Vec<String> = {
        let s = c.store();
        let mut stmt = s.connection().prepare("SELECT substr(at, 1, 10) FROM event WHERE kind = 'document.issued' ORDER BY seq").unwrap();
        let rows = stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect();
        rows
    };
    assert_eq!(dates, ["2026-11-24", "2026-11-24", "2026-11-23"], "back only after the head's confirmation");
}

#[test]
fn the_day_is_beijing_s_whatever_offset_the_pc_gives() {
    let c = Centre::new();
    // 23:30 in UTC on 23 Nov is 07:30 on 24 Nov in Beijing: the case is numbered and dated 24 Nov.
    let o = c.json_at("2026-11-23T23:30:00+00:00", &["case", "intake", &c.file("a.json", &cj01(&id("45082119680405302"), CJ01_ALL)), "--json"]);
    let n = o["case_number"].as_str().unwrap();
    assert_eq!(&n[11..19], "20261124", "{n}");
    let at: String = c.store().connection().query_row("SELECT at FROM event WHERE kind = 'case.intake'", [], |r| r.get(0)).unwrap();
    assert_eq!(at, "2026-11-24T07:30:00+08:00");
}
