//! A month of a 40-bay, 60-technician site (about 200 000 events): how long the fold and the
//! §6 figures take. `cargo bench -p bayline-domain --bench kpis`.

use std::hint::black_box;
use std::time::Duration;

use bayline_domain::kpi::{figures, grouped, GroupBy, Period};
use bayline_domain::sample::{site, Size};
use bayline_domain::Workshop;
use criterion::{criterion_group, criterion_main, BatchSize, Criterion};

fn month(c: &mut Criterion) {
    let s = site(Size::MONTH);
    eprintln!(
        "sample month: {} events, {} jobs",
        s.events.len(),
        s.catalog.jobs.len()
    );
    let fold = || {
        let mut w = Workshop::new(s.catalog.clone(), s.settings.clone());
        w.restore(s.events.iter().cloned());
        w
    };
    let w = fold();
    let period = Period::new(s.from, s.to);
    let now = s.to;

    let mut g = c.benchmark_group("month");
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    g.bench_function("fold", |b| {
        b.iter_batched(
            || (s.catalog.clone(), s.events.clone()),
            |(catalog, events)| {
                let mut w = Workshop::new(catalog, s.settings.clone());
                w.restore(events);
                w
            },
            BatchSize::LargeInput,
        )
    });
    g.bench_function("figures", |b| {
        b.iter(|| figures(black_box(&w), period, now))
    });
    g.bench_function("fold_and_figures", |b| {
        b.iter_batched(
            || (s.catalog.clone(), s.events.clone()),
            |(catalog, events)| {
                let mut w = Workshop::new(catalog, s.settings.clone());
                w.restore(events);
                figures(&w, period, now)
            },
            BatchSize::LargeInput,
        )
    });
    for by in [GroupBy::Badge, GroupBy::Bay, GroupBy::Day] {
        g.bench_function(format!("grouped_{by:?}").to_lowercase(), |b| {
            b.iter(|| grouped(black_box(&w), period, now, by))
        });
    }
    g.finish();
}

criterion_group!(benches, month);
criterion_main!(benches);
