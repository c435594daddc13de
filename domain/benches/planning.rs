//! Planning on a 40-bay, 60-technician site with a month of history (contract §7.3): the
//! loading of 14 days, the earliest promise, and the dispatch board, with 80 open cards of
//! three ops booked over the next two weeks, one op of each assigned.
//! `cargo bench -p bayline-domain --bench planning`.

use std::hint::black_box;
use std::time::Duration;

use bayline_domain::dispatch::{queue_of, unassigned};
use bayline_domain::sample::{site, Size};
use bayline_domain::{Assignee, Assignment, Id, JobCard, OpCard, Planned, Role, Workshop};
use criterion::{criterion_group, criterion_main, Criterion};
use jiff::SignedDuration;

fn id(s: &str) -> Id {
    Id::new(s).expect("bench ids are valid")
}

fn planning(c: &mut Criterion) {
    let s = site(Size::MONTH);
    let techs: Vec<Id> = (s.catalog.badges.iter())
        .filter(|(_, r)| **r == Role::Technician)
        .map(|(b, _)| b.clone())
        .collect();
    let mut settings = s.settings.clone();
    for (i, b) in techs.iter().enumerate() {
        let team = Some(format!("Team {}", i % 4));
        settings.roster.insert(
            b.clone(),
            Planned {
                team,
                ..Planned::default()
            },
        );
    }
    let mut w = Workshop::new(s.catalog.clone(), settings);
    w.restore(s.events.iter().cloned());
    let now = s.to;
    let today = w.settings().schedule.date_of(now);
    for k in 0..80_i64 {
        let day = today
            .checked_add(jiff::Span::new().days(k % 14))
            .expect("in range");
        let ops = (1..=3)
            .map(|o| OpCard {
                op: id(&format!("{}", o * 10)),
                title: String::new(),
                std_hours: 1.0,
                assignment: (o == 1).then(|| Assignment {
                    to: Assignee::Badge(techs[k as usize % techs.len()].clone()),
                    bay: None,
                    day: Some(day),
                    order: Some(k as u32),
                }),
            })
            .collect();
        w.upsert_job(JobCard {
            job: id(&format!("RO-OPEN-{k}")),
            plate: String::new(),
            vehicle: String::new(),
            customer: String::new(),
            advisor: String::new(),
            service: String::new(),
            comeback_of: None,
            promised_at: Some(now + SignedDuration::from_hours(24 * (k % 14) + 8)),
            waiting_until: None,
            wash: true,
            ops,
        });
    }

    let mut g = c.benchmark_group("planning");
    g.sample_size(20).measurement_time(Duration::from_secs(10));
    g.bench_function("loading_14_days", |b| {
        b.iter(|| w.loading(black_box(today), 14, now))
    });
    g.bench_function("promise_8h_team", |b| {
        b.iter(|| w.promise(black_box(8.0), Some("Team 1"), now))
    });
    g.bench_function("dispatch_board", |b| {
        b.iter(|| {
            let jobs = w.jobs_to_do(now);
            let queues: usize = (techs.iter())
                .map(|t| queue_of(&jobs, t, today, today).len())
                .sum();
            (queues, unassigned(&jobs).len())
        })
    });
    g.finish();
}

criterion_group!(benches, planning);
criterion_main!(benches);
