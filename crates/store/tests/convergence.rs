//! Property: three windows of one centre act on the same cases while their streams reach each
//! other in any order, partly, and again (repeats); once every stream has reached every
//! window, all three hold the same cases and list the same losing acts.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, FixedOffset};
use proptest::prelude::*;
use yichuang_core::{CentreCode, IdNumber, MaterialCode, PersonName, Presented, TerminalId};
use yichuang_store::{Acceptance, ApplicantInput, IntakeRequest, Party, PeerBatch, Store, GENESIS_HASH};

const CASES: usize = 2;

fn at(minutes: i64) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339("2026-11-23T09:00:00+08:00").unwrap() + Duration::minutes(minutes)
}

fn window(dir: &std::path::Path, terminal: &str) -> Store {
    let mut s = Store::open(dir.join(format!("t{terminal}.db"))).unwrap();
    s.initialise(CentreCode::parse("450821102").unwrap(), "示范镇便民服务中心", TerminalId::parse(terminal).unwrap(), at(0)).unwrap();
    s.load_demo(at(0)).unwrap();
    s
}

/// `from`'s stream up to its event `upto` (all of it for `None`), taken in at `to`.
fn carry(from: &Store, to: &mut Store, upto: Option<i64>, now: DateTime<FixedOffset>) {
    let (head, _) = from.head().unwrap();
    let upto = upto.map_or(head, |u| u.clamp(0, head));
    let c = from.centre().unwrap();
    let batch = PeerBatch {
        stream: from.own_stream().unwrap().unwrap(),
        centre: c.code.to_string(),
        terminal: c.terminal.to_string(),
        public_key: from.terminal_public_key().unwrap().unwrap(),
        prev_hash: GENESIS_HASH.to_owned(),
        events: from.events_between(1, upto).unwrap(),
    };
    to.import_peer(batch, Acceptance::Head("head"), "file", now).unwrap();
}

#[derive(Debug, Clone)]
enum Op {
    /// Window `w` acts on case `c`.
    Act { w: usize, c: usize, act: u8 },
    /// Window `from`'s stream (up to a point, in eighths of it) reaches window `to`.
    Carry { from: usize, to: usize, part: u8 },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0..3usize, 0..CASES, 0..5u8).prop_map(|(w, c, act)| Op::Act { w, c, act }),
        (0..3usize, 0..3usize, 1..=8u8).prop_map(|(from, to, part)| Op::Carry { from, to, part }),
    ]
}

/// What a window holds of a case: the fields every window must agree on.
fn projection(s: &Store, number: &str) -> (String, Option<String>, Option<String>, Option<chrono::NaiveDate>) {
    let v = s.case(number, at(0).date_naive()).unwrap();
    (v.status.as_str().to_owned(), v.collected_by, v.outcome_reason, v.due_date)
}

/// The losing acts a window lists, each named by its stream.
fn losers(s: &Store) -> BTreeSet<(String, String, i64)> {
    let own = s.own_stream().unwrap().unwrap();
    s.conflicts().unwrap().into_iter().map(|c| (c.case_number, if c.stream.is_empty() { own.clone() } else { c.stream }, c.seq)).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn any_delivery_of_three_windows_streams_converges(ops in proptest::collection::vec(op(), 1..24)) {
        let dir = tempfile::tempdir().unwrap();
        let mut w = [window(dir.path(), "01"), window(dir.path(), "02"), window(dir.path(), "03")];
        // Window 01 takes the cases in; every window has them before the acts begin.
        let mut numbers = vec![];
        for i in 0..CASES {
            let req = IntakeRequest {
                item: "LS-01".into(),
                applicant: ApplicantInput {
                    party: Party::Person {
                        id_number: IdNumber::parse(["450821196804053025", "450821197001013032"][i]).unwrap(),
                        name: PersonName::parse("韦秀英").unwrap(),
                    },
                    phone: None,
                },
                agent: None,
                presented: ["SFZ", "HKB", "SQS", "KNZM"].iter().map(|m| Presented { material: MaterialCode::parse(m).unwrap(), pages: 1, copies: 1 }).collect(),
                defects: vec![],
                conditions: vec![],
                refusal: None,
                clerk: "demo".into(),
                received_on: None,
                confirm_rename: false,
                duplicate_reason: None,
                commitment: false,
                sms_consent: false,
            };
            numbers.push(w[0].intake(req, at(1)).unwrap().case_number.to_string());
        }
        for k in 1..3 {
            let (a, b) = w.split_at_mut(k);
            carry(&a[0], &mut b[0], None, at(2));
        }
        // The acts and the partial, repeated deliveries, in the generated order.
        for (i, op) in ops.iter().enumerate() {
            let now = at(10 + i as i64);
            match *op {
                Op::Act { w: k, c, act } => {
                    let n = &numbers[c];
                    // An act the window's own state no longer allows is refused there, as at a counter.
                    let _ = match act {
                        0 => w[k].decide(n, true, "", "demo", now),
                        1 => w[k].decide(n, false, "材料不实", "demo", now),
                        2 => w[k].ready(n, "demo", now),
                        3 => w[k].collect(n, ["李秀英", "王小明", "黄志强"][k], "demo", now),
                        _ => w[k].withdraw(n, "申请人撤回", "demo", now),
                    };
                }
                Op::Carry { from, to, part } if from != to => {
                    let head = w[from].head().unwrap().0;
                    let upto = head * i64::from(part) / 8;
                    let (src, dst) = if from < to {
                        let (a, b) = w.split_at_mut(to);
                        (&a[from], &mut b[0])
                    } else {
                        let (a, b) = w.split_at_mut(from);
                        (&b[0], &mut a[to])
                    };
                    carry(src, dst, Some(upto), now);
                }
                Op::Carry { .. } => {}
            }
        }
        // Every stream reaches every window (twice: the second round is all repeats).
        for round in 0..2 {
            for from in 0..3 {
                for to in 0..3 {
                    if from == to {
                        continue;
                    }
                    let now = at(100 + round);
                    let (src, dst) = if from < to {
                        let (a, b) = w.split_at_mut(to);
                        (&a[from], &mut b[0])
                    } else {
                        let (a, b) = w.split_at_mut(from);
                        (&b[0], &mut a[to])
                    };
                    carry(src, dst, None, now);
                }
            }
        }
        for n in &numbers {
            let first = projection(&w[0], n);
            for s in &w[1..] {
                prop_assert_eq!(&projection(s, n), &first, "case {} differs between windows", n);
            }
        }
        let first = losers(&w[0]);
        for s in &w[1..] {
            prop_assert_eq!(&losers(s), &first);
        }
        for s in &w {
            prop_assert_eq!(s.verify().unwrap().fault, None);
        }
    }
}

#[test]
fn a_window_may_not_number_in_another_window_s_range_nor_send_an_edited_event() {
    let dir = tempfile::tempdir().unwrap();
    let (mut a, mut b) = (window(dir.path(), "01"), window(dir.path(), "02"));
    let c = a.centre().unwrap().clone();
    let batch = |events: Vec<yichuang_store::EventRecord>| PeerBatch {
        stream: a.own_stream().unwrap().unwrap(),
        centre: c.code.to_string(),
        terminal: c.terminal.to_string(),
        public_key: a.terminal_public_key().unwrap().unwrap(),
        prev_hash: GENESIS_HASH.to_owned(),
        events,
    };
    // Window 01's events, one of them edited after its hash was taken.
    let mut events = a.events_between(1, a.head().unwrap().0).unwrap();
    let last = events.len() - 1;
    events[last].payload = events[last].payload.replace('1', "2");
    let e = b.import_peer(batch(events), Acceptance::Head("head"), "file", at(5)).unwrap_err();
    assert!(e.to_string().contains("被改动过"), "{e}");
    // An event that claims another terminal number than its stream's.
    let mut events = a.events_between(1, a.head().unwrap().0).unwrap();
    events[0].terminal = "02".into();
    let e = b.import_peer(batch(events), Acceptance::Head("head"), "file", at(5)).unwrap_err();
    assert!(e.to_string().contains("终端号02与文件的终端01不符") || e.to_string().contains("被改动过"), "{e}");
    assert!(b.peer_streams().unwrap().is_empty(), "nothing written");
    // The genuine stream is taken; a window's number ranges stay its own.
    b.import_peer(batch(a.events_between(1, a.head().unwrap().0).unwrap()), Acceptance::Head("head"), "file", at(5)).unwrap();
    assert_eq!(b.peer_streams().unwrap().len(), 1);
    let _ = &mut a;
}

/// 韦秀英's application for `item` with `materials` (one page, one copy each), taken by `demo`.
fn weixiuying(item: &str, materials: &[&str], commitment: bool) -> IntakeRequest {
    IntakeRequest {
        item: item.into(),
        applicant: ApplicantInput {
            party: Party::Person { id_number: IdNumber::parse("450821196804053025").unwrap(), name: PersonName::parse("韦秀英").unwrap() },
            phone: None,
        },
        agent: None,
        presented: materials.iter().map(|m| Presented { material: MaterialCode::parse(m).unwrap(), pages: 1, copies: 1 }).collect(),
        defects: vec![],
        conditions: vec![],
        refusal: None,
        clerk: "demo".into(),
        received_on: None,
        confirm_rename: false,
        duplicate_reason: None,
        commitment,
        sms_consent: false,
    }
}

/// 容缺 at two windows: window 01 takes the hardship proof in while window 02, which has not
/// heard of it, cannot approve (the photo is owed there) but refuses; once each has the other's
/// stream both hold the same case, owing nothing, and the chain of each is whole.
#[test]
fn two_windows_agree_on_what_a_tolerated_case_owes() {
    let dir = tempfile::tempdir().unwrap();
    let mut w1 = window(dir.path(), "01");
    let mut w2 = window(dir.path(), "02");
    let req = weixiuying("LS-01", &["SFZ", "HKB", "SQS"], true);
    let o = w1.intake(req, at(1)).unwrap();
    assert_eq!(o.decision.as_str(), "tolerated");
    let n = o.case_number.to_string();
    carry(&w1, &mut w2, None, at(2));
    assert_eq!(w2.case(&n, at(2).date_naive()).unwrap().owed.len(), 1, "the other window knows what is owed");
    // Window 01: the proof comes.
    let proof = yichuang_store::SupplementRequest {
        presented: vec![Presented { material: MaterialCode::parse("KNZM").unwrap(), pages: 2, copies: 1 }],
        defects: vec![],
        conditions: vec![],
        refusal: None,
        clerk: "demo".into(),
    };
    assert_eq!(w1.supplement(&n, proof, at(3)).unwrap().decision.as_str(), "accepted");
    // Window 02, not knowing: approval is refused at its counter, a refusal is not.
    assert_eq!(w2.decide(&n, true, "", "demo", at(4)).unwrap_err().code(), "case.owed");
    w2.decide(&n, false, "家庭收入超过标准", "demo", at(5)).unwrap();
    carry(&w1, &mut w2, None, at(6));
    carry(&w2, &mut w1, None, at(6));
    for w in [&w1, &w2] {
        let v = w.case(&n, at(6).date_naive()).unwrap();
        assert_eq!((v.status.as_str(), v.owed.len()), ("not_approved", 0), "{:?}", v.owed);
        assert_eq!(w.verify().unwrap().fault, None);
        assert!(w.conflicts().unwrap().is_empty());
    }
}

/// 一次一评 across windows: a service rated at window 01's screen reaches window 02 (the rating,
/// who served, the rectification it opened), is not taken twice when the stream comes again,
/// and cannot be rated a second time at 02, which did not give the service.
#[test]
fn a_rating_at_one_window_s_screen_reaches_the_other_and_is_rated_only_where_it_was_given() {
    use yichuang_core::{BadReasons, Rating, Service};
    let dir = tempfile::tempdir().unwrap();
    let mut w1 = window(dir.path(), "01");
    let mut w2 = window(dir.path(), "02");
    let req = weixiuying("CJ-01", &["SFZ", "HKB", "SQB"], false);
    let n = w1.intake(req, at(1)).unwrap().case_number.to_string();
    let svc = w1.service_to_rate(&n, at(1)).unwrap().unwrap();
    assert_eq!(svc.service, Service::SupplementNotice);
    let r = w1.rate_service(&svc.service_event, Rating::VeryDissatisfied, &BadReasons::parse(&["服务态度不好"]).unwrap(), at(2)).unwrap();
    assert!(r.rectification_due.is_some());
    carry(&w1, &mut w2, None, at(3));
    carry(&w1, &mut w2, None, at(4));
    let there = w2.service_ratings(&n).unwrap();
    assert_eq!(there.len(), 1, "taken once, however often the stream comes");
    assert_eq!((there[0].service, there[0].rating, there[0].clerk.as_str()), (Service::SupplementNotice, Rating::VeryDissatisfied, "demo"));
    assert_eq!(there[0].reasons, ["服务态度不好"]);
    let visit = w2.return_visits(at(4).date_naive(), Some(&n)).unwrap();
    assert_eq!(visit[0].rectification.as_ref().map(|x| x.0.as_str()), Some("open"), "the head at 02 sees the rectification");
    // Window 02 did not give that service (it holds 01's events as 01's, never as its own): it
    // cannot rate it, and offers nothing to rate.
    assert_eq!(w2.rate_service(&svc.service_event, Rating::Satisfied, &BadReasons::default(), at(5)).unwrap_err().code(), "store.not_found");
    assert_eq!(w2.service_to_rate(&n, at(5)).unwrap(), None);
    assert_eq!(w2.verify().unwrap().fault, None);
}
