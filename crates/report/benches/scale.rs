//! How the counter's reads grow as the centre ages: a centre of N cases (1,000, 10,000 and
//! 100,000: a few years of a busy township), each taken in, decided, made ready and collected
//! through the store as a window would (an open tail of the last weeks), then, on that file:
//! the Today screen (its lists and counts, and the day's figures), 办件查询 by each form a clerk
//! types, and the monthly report, its time and the peak memory of a process that only opens the
//! file and folds the month (targets: Today and each search under 20 ms, the month under 300 ms
//! and 100 MB at 100,000 cases).
//!
//! `cargo bench -p yichuang-report --bench scale`; under `cargo test --benches` a small centre
//! only checks that it runs.
#![allow(clippy::unwrap_used)]

use std::time::Instant;

use chrono::{DateTime, Days, FixedOffset, NaiveDate};
use yichuang_core::{IdNumber, MaterialCode, PersonName, Phone, Presented};
use yichuang_report::Period;
use yichuang_store::{ApplicantInput, CaseFilter, IntakeRequest, Party, Store};

const SURNAMES: [&str; 20] = ["韦", "李", "黄", "覃", "蒙", "陆", "农", "梁", "王", "张", "刘", "陈", "杨", "赵", "周", "吴", "罗", "莫", "潘", "蓝"];
const GIVEN: [&str; 25] = ["秀英", "明", "志强", "丽", "建华", "海燕", "文", "桂兰", "国庆", "小红", "德福", "金凤", "永", "春梅", "家宝", "玉珍", "振华", "美玲", "少华", "晓东", "凤英", "立新", "翠花", "宏", "淑芬"];

fn at(d: NaiveDate, h: u32, m: u32) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(&format!("{d}T{h:02}:{m:02}:00+08:00")).unwrap()
}

/// The `i`th applicant: an ID number of its own (1,000 a birthday), one of 500 names, a phone.
fn person(i: u32) -> (IdNumber, String, Phone) {
    let born = NaiveDate::from_ymd_opt(1940, 1, 1).unwrap() + Days::new(u64::from(i / 1000) * 97);
    let first17 = format!("450821{}{:03}", born.format("%Y%m%d"), i % 1000);
    let id = IdNumber::parse(&format!("{first17}{}", yichuang_core::ids::id_check_char(&first17).unwrap())).unwrap();
    let name = format!("{}{}", SURNAMES[(i % 20) as usize], GIVEN[(i / 20 % 25) as usize]);
    (id, name, Phone::parse(&format!("139{:08}", i)).unwrap())
}

fn request(i: u32) -> IntakeRequest {
    let (id_number, name, phone) = person(i);
    let m = |c: &str, copies| Presented { material: MaterialCode::parse(c).unwrap(), pages: 1, copies };
    let (item, presented) = match i % 3 {
        0 => ("CJ-01", vec![m("SFZ", 1), m("HKB", 1), m("ZP", 3), m("SQB", 1)]),
        1 => ("GL-01", vec![m("SFZ", 1), m("HKB", 1), m("SQB", 1), m("SBK", 1)]),
        _ => ("LS-01", vec![m("SFZ", 1), m("HKB", 1), m("SQS", 1), m("KNZM", 1)]),
    };
    IntakeRequest {
        item: item.into(),
        applicant: ApplicantInput { party: Party::Person { id_number, name: PersonName::parse(&name).unwrap() }, phone: Some(phone) },
        agent: None,
        presented,
        defects: vec![],
        conditions: vec![],
        refusal: None,
        clerk: if i % 2 == 0 { "demo".into() } else { "b1".into() },
        received_on: None,
        confirm_rename: false,
        duplicate_reason: Some("同一申请人另一次申请".into()),
        commitment: false,
        sms_consent: false,
    }
}

/// Builds a centre of `cases` cases, 60 a working day, ending on `last`: each case is decided
/// 5 days after intake, made ready and collected the day after; the last weeks stay open.
fn build(path: &std::path::Path, cases: u32, last: NaiveDate) -> (Vec<String>, Vec<String>) {
    let per_day = 60u32;
    let days = cases.div_ceil(per_day);
    let first = last - Days::new(u64::from(days) * 7 / 5 + 2);
    let mut s = Store::open(path).unwrap();
    s.initialise(yichuang_core::CentreCode::parse("450821102").unwrap(), "示范镇便民服务中心", yichuang_core::TerminalId::parse("01").unwrap(), at(first, 7, 0)).unwrap();
    s.load_demo(at(first, 7, 0)).unwrap();
    // Building the file is not what is measured: each write is not forced to the disk here.
    s.connection().execute_batch("PRAGMA synchronous = OFF").unwrap();
    let mut taken: Vec<(NaiveDate, String)> = vec![];
    let mut docs = vec![];
    let (mut n, mut day, mut done) = (0u32, first, 0usize);
    while n < cases {
        if s.calendar().is_working_day(day) {
            for k in 0..per_day.min(cases - n) {
                let o = s.intake(request(n), at(day, 8 + k / 10, k % 10 * 5)).unwrap();
                if n % 97 == 0 {
                    docs.push(o.documents[0].number.clone());
                }
                taken.push((day, o.case_number.to_string()));
                n += 1;
            }
            // The cases of five days ago are decided, ready and collected this afternoon.
            let mut k = 0;
            while done < taken.len() && taken[done].0 + Days::new(5) <= day {
                let c = taken[done].1.clone();
                let t = at(day, 15, 0) + chrono::Duration::seconds(k);
                s.decide(&c, true, "", "demo", t).unwrap();
                s.ready(&c, "demo", t).unwrap();
                if done % 10 != 0 {
                    s.collect(&c, "韦秀英", "demo", t).unwrap();
                }
                done += 1;
                k += 1;
            }
        }
        day = day + Days::new(1);
    }
    (taken.into_iter().map(|(_, c)| c).collect(), docs)
}

fn median_ms(runs: usize, mut f: impl FnMut()) -> f64 {
    let mut t: Vec<f64> = (0..runs)
        .map(|_| {
            let s = Instant::now();
            f();
            s.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    t.sort_by(f64::total_cmp);
    t[t.len() / 2]
}

fn peak_rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| l.split_whitespace().nth(1)?.parse().ok()))
        .unwrap_or(0)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    // The child: open the file, fold the month, say the time and this process's peak memory.
    if let Some(i) = args.iter().position(|a| a == "--report-only") {
        let s = Store::open(&args[i + 1]).unwrap();
        let (y, m): (i32, u32) = (args[i + 2].parse().unwrap(), args[i + 3].parse().unwrap());
        let t = Instant::now();
        let r = yichuang_report::from_store(&s, Period::month(y, m).unwrap()).unwrap();
        println!("{:.1} {} {}", t.elapsed().as_secs_f64() * 1000.0, peak_rss_kb(), r.total.received);
        return;
    }
    let full = args.iter().any(|a| a == "--bench");
    // `YICHUANG_SCALE_SIZES=100000` builds only those; `YICHUANG_SCALE_KEEP=DIR` keeps the last
    // centre built as DIR/centre.db (with this run's key folder: the window's memory at scale is
    // measured on it, `tests/e2e` `the_window_s_memory_at_scale`).
    let chosen: Option<Vec<u32>> = std::env::var("YICHUANG_SCALE_SIZES").ok().map(|v| v.split(',').filter_map(|n| n.trim().parse().ok()).collect());
    let sizes: &[u32] = match &chosen {
        Some(v) => v,
        None if full => &[1_000, 10_000, 100_000],
        None => &[300],
    };
    let last = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
    println!("| cases | events | file MB | Today (lists+counts) | Today's figures | search by number / doc / last 4 / pinyin / name | month report | report peak RSS |");
    println!("|---|---|---|---|---|---|---|---|");
    for &cases in sizes {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("centre.db");
        let (numbers, docs) = build(&path, cases, last);
        if let Some(keep) = std::env::var_os("YICHUANG_SCALE_KEEP") {
            let keep = std::path::PathBuf::from(keep);
            std::fs::create_dir_all(&keep).unwrap();
            Store::open(&path).unwrap().backup_to(&keep.join("centre.db"), None).unwrap();
        }
        let s = Store::open(&path).unwrap();
        let events: i64 = s.connection().query_row("SELECT count(*) FROM event", [], |r| r.get(0)).unwrap();
        let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        let runs = if full { 9 } else { 1 };
        let today = last;
        let board = median_ms(runs, || {
            s.today_board(today).unwrap();
        });
        let figures = median_ms(runs, || {
            yichuang_report::day_figures(&s, today).unwrap();
        });
        let (id, name, _) = person(cases / 2);
        let initials = yichuang_core::search::PinyinKeys::of_person(&name).initials;
        let forms = [numbers[numbers.len() / 2].clone(), docs[docs.len() / 2].clone(), id.as_str()[14..].to_owned(), initials, name];
        let searched: Vec<String> = forms
            .iter()
            .map(|q| {
                let f = CaseFilter { query: Some(q.clone()), limit: Some(200), ..CaseFilter::default() };
                assert!(!s.list_cases(&f, today).unwrap().is_empty(), "{q}");
                format!("{:.1}", median_ms(runs, || {
                    s.list_cases(&f, today).unwrap();
                }))
            })
            .collect();
        drop(s);
        let month = last.format("%Y %m").to_string();
        let mut child_args = vec!["--report-only".to_owned(), path.display().to_string()];
        child_args.extend(month.split(' ').map(|p| p.trim_start_matches('0').to_owned()));
        let mut report = vec![];
        for _ in 0..if full { 3 } else { 1 } {
            let out = std::process::Command::new(&args[0]).args(&child_args).output().unwrap();
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
            let line = String::from_utf8_lossy(&out.stdout).trim().to_owned();
            let parts: Vec<&str> = line.split(' ').collect();
            report.push((parts[0].parse::<f64>().unwrap(), parts[1].parse::<u64>().unwrap()));
        }
        report.sort_by(|a, b| a.0.total_cmp(&b.0));
        let (ms, kb) = report[report.len() / 2];
        println!(
            "| {cases} | {events} | {:.1} | {board:.1} ms | {figures:.1} ms | {} ms | {ms:.0} ms | {:.0} MB |",
            bytes as f64 / 1e6,
            searched.join(" / "),
            kb as f64 / 1024.0
        );
    }
}
