//! Times the parts of a month's figures on the sample site:
//! `cargo run --release -p bayline-domain --example month -- [repeat] [fold]`. Each part is timed in
//! CPU time of this thread where Linux tells it (`/proc/thread-self/schedstat`), so a busy
//! machine does not inflate the figures; wall-clock time elsewhere.

use std::time::Instant;

/// Nanoseconds this thread has run, or wall-clock nanoseconds since `start`.
fn clock(start: Instant) -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<f64>().ok())
        .unwrap_or_else(|| start.elapsed().as_nanos() as f64)
}

use bayline_domain::kpi::{figures, grouped, GroupBy, Period};
use bayline_domain::sample::{site, Size};
use bayline_domain::Workshop;

fn main() {
    let repeat: u32 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(5);
    let start = Instant::now();
    let s = site(Size::MONTH);
    println!("sample month: {} events", s.events.len());
    let period = Period::new(s.from, s.to);
    let mut best = [f64::MAX; 5];
    for _ in 0..repeat {
        let events = s.events.clone();
        let catalog = s.catalog.clone();
        let t = clock(start);
        let mut w = Workshop::new(catalog, s.settings.clone());
        w.restore(events);
        let fold = clock(start) - t;
        if std::env::args().nth(2).as_deref() == Some("fold") {
            best[0] = best[0].min(fold);
            continue;
        }
        let t = clock(start);
        let f = figures(&w, period, s.to);
        let fig = clock(start) - t;
        std::hint::black_box(f);
        let mut parts = [fold, fig, 0.0, 0.0, 0.0];
        for (i, by) in [GroupBy::Badge, GroupBy::Bay, GroupBy::Day]
            .into_iter()
            .enumerate()
        {
            let t = clock(start);
            std::hint::black_box(grouped(&w, period, s.to, by));
            parts[2 + i] = clock(start) - t;
        }
        for (b, p) in best.iter_mut().zip(parts) {
            *b = b.min(p);
        }
    }
    let names = ["fold", "figures", "by badge", "by bay", "by day"];
    // With `fold` only the fold is timed; the parts left at MAX were not run.
    for (n, b) in names.iter().zip(best).filter(|(_, b)| *b < f64::MAX) {
        println!("{n}: {:.1} ms (best of {repeat})", b / 1e6);
    }
}
