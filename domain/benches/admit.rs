//! Admission on a site with a month of history: 200 handhelds flat out (6,000 scans/s in
//! all, the system's goal), each a technician pausing and resuming an op at its own bay, as
//! `bayline bench` drives them. `cargo bench -p bayline-domain --bench admit`.
//!
//! - `jitter_50ms`: the scans arrive in the order of `ts` plus a random 0..50 ms of network
//!   delay each (a fixed seed), so most are late behind a few dozen newer ones.
//! - `tail`: the same scans in `ts` order, every one the newest.
//! - `jitter_50ms_batches/N`: the jittered scans as a gateway takes them off the broker, in
//!   batches of N, each admitted in one `admit_many` (the ledger judges a batch so).
//!
//! - `follow`: a fleet of two gateways, each taking half the handhelds (MQTT shared
//!   subscription): one process admits its own scans as they come and the other's in notices
//!   of N scans, late behind its own; `one_by_one/N` admits a notice's scans each on its own,
//!   `together/N` in one `admit_many`.
//!
//! Each iteration admits the whole stream into a copy of the month's workshop; the copy is
//! made outside the timing. Criterion reports the throughput in events/s.
//!
//! `ADMIT_ONCE=n cargo bench -p bayline-domain --bench admit` instead admits the first `n`
//! scans of each order once and prints events/s: for code too slow for criterion's samples.

use std::hint::black_box;
use std::time::{Duration, Instant};

use bayline_domain::sample::{site, Size};
use bayline_domain::{
    Admission, BayKind, Event, EventKey, EventKind, Id, JobCard, OpCard, PauseReason, Role,
    Verdict, Workshop,
};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use jiff::SignedDuration;

const HANDHELDS: usize = 200;
const SCANS_EACH: usize = 40;
/// Scans per second from all handhelds together.
const RATE: i64 = 6_000;
const JITTER_US: u64 = 50_000;

fn id(s: &str) -> Id {
    Id::new(s).unwrap_or_else(|e| panic!("bench id {s:?}: {e}"))
}

/// xorshift64*, as in `domain::sample`: deterministic jitter.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

/// The month's workshop with the handhelds' bays, badges and jobs added to its catalog, and
/// the handhelds' scans in `ts` order, starting on the morning after the month.
fn setup() -> (Workshop, Vec<Event>) {
    let s = site(Size::MONTH);
    let mut catalog = s.catalog.clone();
    for i in 0..HANDHELDS {
        catalog.bays.insert(id(&format!("HB{i:03}")), BayKind::Lift);
        catalog
            .badges
            .insert(id(&format!("HT{i:03}")), Role::Technician);
        let card = JobCard {
            job: id(&format!("HJ{i:03}")),
            plate: String::new(),
            vehicle: String::new(),
            customer: String::new(),
            advisor: String::new(),
            service: String::new(),
            comeback_of: None,
            promised_at: None,
            waiting_until: None,
            wash: true,
            ops: vec![OpCard {
                op: id("10"),
                title: String::new(),
                std_hours: 1.0,
                assignment: None,
            }],
        };
        catalog.jobs.insert(card.job.clone(), card);
    }
    let mut w = Workshop::new(catalog, s.settings.clone());
    w.restore(s.events.clone());

    // 10:00 UTC on the Wednesday after the month: open, and no clock-off falls due.
    let start = s.to + SignedDuration::from_hours(10);
    let step = SignedDuration::from_micros(1_000_000 / RATE);
    let mut stream = Vec::with_capacity(HANDHELDS * SCANS_EACH);
    for n in 0..SCANS_EACH {
        for i in 0..HANDHELDS {
            let (job, op) = (id(&format!("HJ{i:03}")), id("10"));
            let kind = match n {
                0 => EventKind::ShiftStart,
                1 => EventKind::Start {
                    job,
                    op,
                    bay: id(&format!("HB{i:03}")),
                },
                n if n % 2 == 0 => EventKind::Pause {
                    job,
                    op,
                    reason: PauseReason::Parts.into(),
                },
                _ => EventKind::Resume { job, op, bay: None },
            };
            let k = i64::try_from(stream.len()).unwrap_or(i64::MAX);
            stream.push(Event {
                key: EventKey {
                    ts: start + step * i32::try_from(k).unwrap_or(i32::MAX),
                    scanner: id(&format!("HS{i:03}")),
                    seq: n as u64 + 1,
                },
                badge: id(&format!("HT{i:03}")),
                kind,
            });
        }
    }
    (w, stream)
}

/// The stream in arrival order: `ts` plus 0..50 ms of jitter each.
fn jittered(stream: &[Event]) -> Vec<Event> {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut arrivals: Vec<(jiff::Timestamp, Event)> = stream
        .iter()
        .map(|e| {
            let delay = SignedDuration::from_micros((rng.next() % JITTER_US) as i64);
            (e.key.ts + delay, e.clone())
        })
        .collect();
    arrivals.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.key.cmp(&b.1.key)));
    arrivals.into_iter().map(|(_, e)| e).collect()
}

fn admit(c: &mut Criterion) {
    let (base, stream) = setup();
    let late = jittered(&stream);
    eprintln!(
        "month: {} events; stream: {} scans from {HANDHELDS} handhelds at {RATE}/s",
        base.events().count(),
        stream.len()
    );
    if let Some(n) = std::env::var("ADMIT_ONCE")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
    {
        for (name, order) in [("jitter_50ms", &late), ("tail", &stream)] {
            let mut w = base.clone();
            let events: Vec<Event> = order.iter().take(n).cloned().collect();
            let n = events.len();
            let start = Instant::now();
            for e in events {
                black_box(w.admit(e));
            }
            let took = start.elapsed().as_secs_f64();
            eprintln!(
                "admit/{name}: {n} events in {took:.3} s: {:.0} events/s",
                n as f64 / took
            );
        }
        return;
    }
    // Every scan of the stream is accepted and applied, whatever the order.
    let mut check = base.clone();
    for e in &late {
        assert!(
            matches!(check.admit(e.clone()), Admission::Accepted(_)),
            "{e:?}"
        );
    }
    assert!(stream
        .iter()
        .all(|e| check.verdict(&e.key) == Some(Verdict::Applied)));
    let mut g = c.benchmark_group("admit");
    g.sample_size(10)
        .measurement_time(Duration::from_secs(20))
        .throughput(Throughput::Elements(stream.len() as u64));
    for (name, order) in [("jitter_50ms", &late), ("tail", &stream)] {
        g.bench_function(name, |b| {
            b.iter_batched(
                || (base.clone(), order.clone()),
                |(mut w, events)| {
                    for e in events {
                        black_box(w.admit(e));
                    }
                    w
                },
                BatchSize::LargeInput,
            )
        });
    }
    for batch in [16, 128] {
        g.bench_function(format!("jitter_50ms_batches/{batch}"), |b| {
            b.iter_batched(
                || (base.clone(), late.clone()),
                |(mut w, events)| {
                    for chunk in events.chunks(batch) {
                        black_box(w.admit_many(chunk.to_vec()));
                    }
                    w
                },
                BatchSize::LargeInput,
            )
        });
    }
    g.finish();
}

/// Admits `stream` as one gateway of two: its own scans (even handhelds) as they come, the
/// other's in notices of `notice` scans, each notice one by one or together.
fn as_follower(w: &mut Workshop, stream: &[Event], notice: usize, together: bool) {
    let mut heard = Vec::with_capacity(notice);
    let flush = |w: &mut Workshop, heard: &mut Vec<Event>| {
        if together {
            black_box(w.admit_many(std::mem::take(heard)));
        } else {
            for e in heard.drain(..) {
                black_box(w.admit(e));
            }
        }
    };
    for (i, e) in stream.iter().enumerate() {
        if i % HANDHELDS % 2 == 0 {
            black_box(w.admit(e.clone()));
        } else {
            heard.push(e.clone());
            if heard.len() == notice {
                flush(w, &mut heard);
            }
        }
    }
    flush(w, &mut heard);
}

fn follow(c: &mut Criterion) {
    let (base, stream) = setup();
    // The follower ends with every scan applied, as one process would.
    let mut check = base.clone();
    as_follower(&mut check, &stream, 2048, true);
    assert!(stream
        .iter()
        .all(|e| check.verdict(&e.key) == Some(Verdict::Applied)));
    let mut g = c.benchmark_group("follow");
    g.sample_size(10)
        .measurement_time(Duration::from_secs(20))
        .throughput(Throughput::Elements(stream.len() as u64));
    for notice in [256, 2048] {
        for (name, together) in [("one_by_one", false), ("together", true)] {
            g.bench_function(format!("{name}/{notice}"), |b| {
                b.iter_batched(
                    || base.clone(),
                    |mut w| {
                        as_follower(&mut w, &stream, notice, together);
                        w
                    },
                    BatchSize::LargeInput,
                )
            });
        }
    }
    g.finish();
}

criterion_group!(benches, admit, follow);
criterion_main!(benches);
