//! Times the ETA of every open job on the sample site (contract §7.2), as a view or the events
//! stream computes it: `cargo run --release -p bayline-domain --example eta -- [repeat]`.
//! The month's events up to mid-morning of its last open day are folded; then every job view
//! (`Workshop::jobs`) and every job's promise (`Workshop::promises`) is computed at that
//! instant, first on the sample's calendar, then with a lunch break and every technician on
//! planned hours of their own (each ETA then makes its crew's calendar).

use std::time::Instant;

use bayline_domain::sample::{site, Size};
use bayline_domain::{DayHours, OpeningHours, Planned, Stage, Workshop};
use jiff::civil::time;
use jiff::SignedDuration;

fn best_micros(repeat: u32, mut f: impl FnMut()) -> f64 {
    (0..repeat)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64() * 1e6
        })
        .fold(f64::MAX, f64::min)
}

fn main() {
    let repeat: u32 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(20);
    let s = site(Size::MONTH);
    let schedule = &s.settings.schedule;
    let mut day = schedule.date_of(s.to);
    let (open, _) = loop {
        day = day.yesterday().expect("a day before the sample's end");
        if let Some(hours) = schedule.open_on(day) {
            break hours;
        }
    };
    let now = open + SignedDuration::from_hours(2);
    let events: Vec<_> = s
        .events
        .iter()
        .filter(|e| e.key.ts <= now)
        .cloned()
        .collect();

    let mut lunch = s.settings.clone();
    let weekday = DayHours::new([
        (time(8, 30, 0, 0), time(12, 0, 0, 0)),
        (time(13, 30, 0, 0), time(17, 30, 0, 0)),
    ]);
    lunch.schedule.hours = OpeningHours::every_day(weekday.clone());
    let shift = OpeningHours::every_day(DayHours::span(time(8, 0, 0, 0), time(16, 30, 0, 0)));
    for badge in s.catalog.badges.keys() {
        let planned = Planned {
            hours: Some(shift.clone()),
            team: Some("A".into()),
            absences: vec![(
                day.tomorrow().expect("a next day"),
                day.tomorrow().expect("a next day"),
            )],
        };
        lunch.roster.insert(badge.clone(), planned);
    }

    for (name, settings) in [
        ("sample calendar", s.settings.clone()),
        ("lunch + rosters", lunch),
    ] {
        let mut w = Workshop::new(s.catalog.clone(), settings);
        w.restore(events.clone());
        let jobs = w.jobs(now);
        let open_jobs = (jobs.iter())
            .filter(|j| {
                j.checked_in_at.is_some() && !matches!(j.stage, Stage::Ready | Stage::Delivered)
            })
            .count();
        let views = best_micros(repeat, || {
            std::hint::black_box(w.jobs(now));
        });
        let promises = best_micros(repeat, || {
            std::hint::black_box(w.promises(now, None));
        });
        let one: std::collections::BTreeSet<_> = (jobs.iter())
            .filter(|j| {
                j.checked_in_at.is_some() && !matches!(j.stage, Stage::Ready | Stage::Delivered)
            })
            .map(|j| j.job.clone())
            .take(1)
            .collect();
        let one_promise = best_micros(repeat, || {
            std::hint::black_box(w.promises(now, Some(&one)));
        });
        let loading = best_micros(repeat, || {
            std::hint::black_box(w.loading(day, 14, now));
        });
        let promise = best_micros(repeat, || {
            std::hint::black_box(w.promise(40.0, None, now));
        });
        println!(
            "{name}: {} job cards, {open_jobs} open at {now}; every job view {views:.0} µs, \
             every promise {promises:.0} µs, one job's promise (a scan) {one_promise:.0} µs, \
             loading of 14 days {loading:.0} µs, promise of 40 h {promise:.0} µs",
            jobs.len()
        );
    }
}
