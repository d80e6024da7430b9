//! Rendering benchmarks: an acceptance receipt (target under 30 ms warm and under 80 KB) and a
//! 40-material one-time notice (target under 100 ms).
#![allow(clippy::unwrap_used)]

#[path = "../tests/fixture/mod.rs"]
mod fixture;

use criterion::{criterion_group, criterion_main, Criterion};
use yichuang_core::DocKind;
use yichuang_print::{render, Layout};

const QR: &str = "YC1|SL-2026-01-0007|450821102012026112300016|450821102-01|8yT2kq0w9hFjx1m3YpZbV4cN5rS7uD6eG0aH2iJ3kL4mN5oP6qR7sT8uV9wX0yZ1aB2cD3eF4gH5iJ6kL7mN8o";

fn bench(c: &mut Criterion) {
    let t = std::time::Instant::now();
    yichuang_print::font::font().unwrap();
    println!("font parsed once in {:.1} ms", t.elapsed().as_secs_f64() * 1000.0);
    let receipt = fixture::record(DocKind::Receipt, 5);
    let notice = fixture::record(DocKind::Notice, 40);
    for (name, r, layout, stubs) in [
        ("receipt A4 with stub", &receipt, Layout::A4, true),
        ("receipt A4", &receipt, Layout::A4, false),
        ("receipt slip", &receipt, Layout::Slip, false),
        ("notice A4 with 40 materials", &notice, Layout::A4, false),
    ] {
        let bytes = render(r, layout, stubs, QR).unwrap();
        println!("{name}: {} bytes", bytes.len());
        c.bench_function(name, |b| b.iter(|| render(r, layout, stubs, QR).unwrap()));
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = bench
}
criterion_main!(benches);
