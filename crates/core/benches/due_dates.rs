#![allow(clippy::unwrap_used)]
//! Due-date computation on the official 2025–2026 calendar.
use chrono::NaiveDate;
use criterion::{black_box, criterion_group, criterion_main, Criterion};
use yichuang_core::{Calendar, CaseClock, Limit, YearArrangement};

fn calendar() -> Calendar {
    let mut c = Calendar::weekends_only();
    let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    let mut off = vec![];
    let mut day = d("2026-10-01");
    while day <= d("2026-10-07") {
        off.push((day, "国庆节".to_owned()));
        day = day.succ_opt().unwrap();
    }
    c.load_year(YearArrangement::new(2026, 1, "bench", off, [d("2026-10-10")]).unwrap()).unwrap();
    c
}

fn bench(c: &mut Criterion) {
    let cal = calendar();
    let start = NaiveDate::from_ymd_opt(2026, 9, 28).unwrap();
    c.bench_function("due 20 working days across National Day", |b| {
        b.iter(|| cal.due(black_box(start), Limit::working(20).unwrap()))
    });
    c.bench_function("due 60 natural days", |b| {
        b.iter(|| cal.due(black_box(start), Limit::natural(60).unwrap()))
    });
    let clock = CaseClock::start(start, Limit::working(20).unwrap());
    let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
    c.bench_function("warning level of a 20-day case", |b| {
        b.iter(|| clock.warning(&cal, black_box(today), 2))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
