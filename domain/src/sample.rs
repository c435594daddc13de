//! A generated site for benchmarks and demos: a month of a busy dealership, deterministic
//! from a seed. Not part of the domain's contract; `bayline bench` and `benches/kpis.rs` use it.
//!
//! Every working day each team (one or two technicians, one work bay each) clocks on at
//! opening and works jobs one after another until an hour and a half before closing: five short
//! ops each, breaks in most, a failed QC and rework in one job of ten. The advisor checks the
//! car in, QC passes it, a washer washes it, the advisor hands it over.

use std::collections::BTreeMap;

use jiff::SignedDuration;

use crate::{
    BayKind, Catalog, Event, EventKey, EventKind, Id, JobCard, OpCard, PauseReason, Role, Settings,
    Time,
};

/// How big a site to generate.
#[derive(Debug, Clone, Copy)]
pub struct Size {
    pub work_bays: usize,
    pub technicians: usize,
    pub days: i64,
    pub seed: u64,
}

impl Size {
    /// 40 work bays, 60 technicians, 30 days (26 of them open): about 200 000 events.
    pub const MONTH: Size = Size {
        work_bays: 40,
        technicians: 60,
        days: 30,
        seed: 7,
    };
}

/// A generated site: catalog (bays, staff, job cards), settings, events in no particular
/// order, and the period they cover.
#[derive(Debug, Clone)]
pub struct Site {
    pub catalog: Catalog,
    pub settings: Settings,
    pub events: Vec<Event>,
    pub from: Time,
    pub to: Time,
}

/// xorshift64*: deterministic, good enough to scatter durations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// Uniform in `[lo, hi)`.
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        let span = u64::try_from((hi - lo).max(1)).unwrap_or(1);
        lo + i64::try_from(self.next() % span).unwrap_or(0)
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// Every id built here is short ASCII from a fixed format, so this never panics.
fn id(s: &str) -> Id {
    Id::new(s).unwrap_or_else(|e| panic!("generated id {s:?}: {e}"))
}

struct Writer {
    events: Vec<Event>,
    seqs: BTreeMap<Id, u64>,
}

impl Writer {
    fn push(&mut self, ts: Time, scanner: &Id, badge: &Id, kind: EventKind) {
        let seq = self.seqs.entry(scanner.clone()).or_default();
        *seq += 1;
        self.events.push(Event {
            key: EventKey {
                ts,
                scanner: scanner.clone(),
                seq: *seq,
            },
            badge: badge.clone(),
            kind,
        });
    }
}

fn mins(m: i64) -> SignedDuration {
    SignedDuration::from_mins(m)
}

/// Generates the site. The month starts on Monday 2026-11-02 00:00 UTC.
pub fn site(size: Size) -> Site {
    let settings = Settings::default();
    let from: Time = "2026-11-02T00:00:00Z".parse().unwrap_or(Time::UNIX_EPOCH);
    let to = from + SignedDuration::from_hours(24 * size.days);
    let mut catalog = Catalog::default();
    let bays: Vec<Id> = (1..=size.work_bays)
        .map(|i| id(&format!("B{i:02}")))
        .collect();
    for b in &bays {
        catalog.bays.insert(b.clone(), BayKind::Lift);
    }
    let wash_bays: Vec<Id> = (1..=4).map(|i| id(&format!("W{i}"))).collect();
    for b in &wash_bays {
        catalog.bays.insert(b.clone(), BayKind::Wash);
    }
    let techs: Vec<Id> = (1..=size.technicians)
        .map(|i| id(&format!("T{i:02}")))
        .collect();
    for t in &techs {
        catalog.badges.insert(t.clone(), Role::Technician);
    }
    let (advisor, qc, washer) = (id("A1"), id("Q1"), id("WA1"));
    catalog.badges.insert(advisor.clone(), Role::Advisor);
    catalog.badges.insert(qc.clone(), Role::Qc);
    catalog.badges.insert(washer.clone(), Role::Washer);
    let front = id("HH-FRONT");

    // Team i works at bay i; the technicians beyond one per bay pair up with the first ones.
    let teams: Vec<Vec<Id>> = (0..size.work_bays)
        .map(|i| {
            (0..size.technicians)
                .filter(|t| t % size.work_bays.max(1) == i)
                .map(|t| techs[t].clone())
                .collect()
        })
        .collect();

    let mut rng = Rng(size.seed | 1);
    let mut w = Writer {
        events: Vec::new(),
        seqs: BTreeMap::new(),
    };
    for day in 0..size.days {
        let midnight = from + SignedDuration::from_hours(24 * day);
        let Some((open, close)) = settings
            .schedule
            .open_on(settings.schedule.date_of(midnight))
        else {
            continue;
        };
        for (i, team) in teams.iter().enumerate() {
            if team.is_empty() {
                continue;
            }
            let bay = &bays[i];
            let scanner = id(&format!("HH-{i:02}"));
            for t in team {
                w.push(open - mins(5), &scanner, t, EventKind::ShiftStart);
            }
            let mut now = open;
            let mut n = 0;
            // The last job starts early enough to end near closing, not past its grace.
            while now + mins(90) < close {
                n += 1;
                let job = id(&format!("J{day:02}-{i:02}-{n:02}"));
                let ops: Vec<OpCard> = ["10", "20", "30", "40", "50"]
                    .iter()
                    .map(|op| OpCard {
                        op: id(op),
                        title: String::new(),
                        std_hours: rng.range(6, 18) as f64 / 60.0,
                        assignment: None,
                    })
                    .collect();
                let promise = now + mins(rng.range(90, 240));
                w.push(
                    now - mins(2),
                    &front,
                    &advisor,
                    EventKind::CheckIn { job: job.clone() },
                );
                for card in &ops {
                    now = work_op(&mut w, &mut rng, &scanner, team, bay, &job, card, now);
                }
                let mut qc_at = now + mins(5);
                if rng.chance(10) {
                    let op = ops[0].op.clone();
                    let fail = EventKind::QcFail {
                        job: job.clone(),
                        op: Some(op.clone()),
                        note: None,
                    };
                    w.push(qc_at, &front, &qc, fail);
                    let rework = OpCard {
                        op,
                        title: String::new(),
                        std_hours: 0.15,
                        assignment: None,
                    };
                    now = work_op(
                        &mut w,
                        &mut rng,
                        &scanner,
                        team,
                        bay,
                        &job,
                        &rework,
                        now + mins(10),
                    );
                    qc_at = now + mins(5);
                }
                w.push(qc_at, &front, &qc, EventKind::QcPass { job: job.clone() });
                let wash_bay = wash_bays[n % wash_bays.len()].clone();
                let wash = EventKind::WashStart {
                    job: job.clone(),
                    bay: Some(wash_bay),
                };
                w.push(qc_at + mins(10), &front, &washer, wash);
                let done = EventKind::WashDone {
                    job: job.clone(),
                    bay: None,
                };
                w.push(qc_at + mins(25), &front, &washer, done);
                let handover = qc_at + mins(rng.range(30, 120));
                w.push(
                    handover,
                    &front,
                    &advisor,
                    EventKind::Delivered { job: job.clone() },
                );
                catalog.jobs.insert(
                    job.clone(),
                    JobCard {
                        job,
                        plate: format!("粤B{:05}", rng.range(0, 99_999)),
                        vehicle: String::new(),
                        customer: String::new(),
                        advisor: String::new(),
                        service: String::new(),
                        comeback_of: None,
                        promised_at: Some(promise),
                        waiting_until: None,
                        wash: true,
                        ops,
                    },
                );
                now += mins(3);
            }
            for t in team {
                w.push(now.max(close) + mins(5), &scanner, t, EventKind::ShiftEnd);
            }
        }
    }
    // Shuffle (Fisher-Yates) so users of the sample do not rely on arrival order.
    for i in (1..w.events.len()).rev() {
        let j = usize::try_from(rng.next() % (i as u64 + 1)).unwrap_or(0);
        w.events.swap(i, j);
    }
    Site {
        catalog,
        settings,
        events: w.events,
        from,
        to,
    }
}

/// The team works one op from `at`: everyone clocks on, most pause and resume a few times,
/// the first finishes it. Returns when it was finished.
#[allow(clippy::too_many_arguments)] // a generator's plumbing, kept flat on purpose
fn work_op(
    w: &mut Writer,
    rng: &mut Rng,
    scanner: &Id,
    team: &[Id],
    bay: &Id,
    job: &Id,
    card: &OpCard,
    at: Time,
) -> Time {
    let op = card.op.clone();
    let length = (card.std_hours * 60.0 * rng.range(80, 130) as f64 / 100.0) as i64;
    for (k, t) in team.iter().enumerate() {
        let start = EventKind::Start {
            job: job.clone(),
            op: op.clone(),
            bay: bay.clone(),
        };
        w.push(at + mins(k as i64), scanner, t, start);
    }
    let mut end = at + mins(length.max(team.len() as i64 + 2));
    // Up to three short interruptions (a break, fetching parts, asking for approval).
    let mut mid = at + mins(team.len() as i64);
    for _ in 0..3 {
        if !rng.chance(40) {
            continue;
        }
        mid += mins(rng.range(1, 4));
        let reason = [
            PauseReason::Break,
            PauseReason::Parts,
            PauseReason::Approval,
        ][usize::try_from(rng.next() % 3).unwrap_or(0)];
        let back = mid + mins(rng.range(2, 6));
        for t in team {
            let pause = EventKind::Pause {
                job: job.clone(),
                op: op.clone(),
                reason: reason.into(),
            };
            w.push(mid, scanner, t, pause);
            let resume = EventKind::Resume {
                job: job.clone(),
                op: op.clone(),
                bay: None,
            };
            w.push(back, scanner, t, resume);
        }
        end += back - mid;
        mid = back;
    }
    end = end.max(mid + mins(1));
    let finish = EventKind::Finish {
        job: job.clone(),
        op: op.clone(),
    };
    w.push(end, scanner, &team[0], finish);
    end
}
