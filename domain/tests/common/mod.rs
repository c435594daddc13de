//! The event generator the property tests share: a small site and plausible timelines,
//! mostly clocking, some of everything else, a few nonsense events.
#![allow(dead_code)] // each test binary uses its own part

use bayline_domain::{
    Admission, BayKind, Catalog, Event, EventKey, EventKind, Id, JobCard, OpCard, PauseReason,
    Role, Settings, Time, Workshop,
};
use proptest::prelude::*;

pub fn id(s: &str) -> Id {
    Id::new(s).expect("valid id")
}

pub fn t(min: i64) -> Time {
    let base: Time = "2026-11-23T08:00:00Z".parse().expect("valid time");
    base.checked_add(jiff::SignedDuration::from_mins(min))
        .expect("in range")
}

pub const JOBS: [(&str, &[&str], bool); 3] = [
    ("J1", &["10", "20"], true),
    ("J2", &["10"], false),
    ("J3", &["10", "20"], true),
];
pub const BADGES: [&str; 4] = ["T1", "T2", "T3", "Q1"];
pub const BAYS: [&str; 3] = ["B01", "B02", "W1"];
pub const REASONS: [PauseReason; 3] = [
    PauseReason::Parts,
    PauseReason::Approval,
    PauseReason::Break,
];

pub fn catalog() -> Catalog {
    let mut c = Catalog::default();
    for (bay, kind) in BAYS
        .iter()
        .zip([BayKind::Lift, BayKind::Lift, BayKind::Wash])
    {
        c.bays.insert(id(bay), kind);
    }
    for b in BADGES {
        c.badges.insert(id(b), Role::Technician);
    }
    // One car for all three jobs (comebacks); two advisors and a card without one; two
    // services.
    for (i, (job, ops, wash)) in JOBS.into_iter().enumerate() {
        let card = JobCard {
            job: id(job),
            plate: "粤B12345".into(),
            vehicle: String::new(),
            customer: String::new(),
            advisor: ["Li", "Wang", ""][i].into(),
            service: ["保养", "事故", "保养"][i].into(),
            comeback_of: None,
            promised_at: Some(t(150)),
            waiting_until: None,
            wash,
            ops: ops
                .iter()
                .map(|op| OpCard {
                    op: id(op),
                    title: String::new(),
                    std_hours: 0.5,
                    assignment: None,
                })
                .collect(),
        };
        c.jobs.insert(card.job.clone(), card);
    }
    c
}

/// A plausible event: mostly clocking, some of everything else, a few nonsense ones.
pub fn event() -> impl Strategy<Value = (i64, usize, usize, usize, usize, usize, usize, usize)> {
    (
        // Mostly the morning, some late afternoon and evening: past closing (17:30, t(570))
        // and its grace (t(630)), where forgotten clock-offs happen.
        prop_oneof![3 => 0i64..120, 1 => 480i64..720],
        0..2usize,
        0..4usize,
        0..20usize,
        0..3usize,
        0..2usize,
        0..4usize,
        0..3usize,
    )
}

pub fn build(seq: u64, raw: (i64, usize, usize, usize, usize, usize, usize, usize)) -> Event {
    let (min, scanner, badge, action, job, op, bay, reason) = raw;
    let (job_id, ops, _) = JOBS[job];
    let job = id(job_id);
    let op = id(ops[op % ops.len()]);
    let work_bay = id(BAYS[bay % 2]);
    let kind = match action {
        0..=4 => EventKind::Start {
            job,
            op,
            bay: work_bay,
        },
        5..=7 => EventKind::Pause {
            job,
            op,
            reason: REASONS[reason].into(),
        },
        8..=9 => EventKind::Resume {
            job,
            op,
            bay: (bay < 2).then_some(work_bay),
        },
        10..=11 => EventKind::Finish { job, op },
        12 => EventKind::CheckIn { job },
        13 => EventKind::QcPass { job },
        14 => EventKind::QcFail {
            job,
            op: (bay < 2).then_some(op),
            note: None,
        },
        15 => EventKind::WashStart {
            job,
            bay: Some(id("W1")),
        },
        16 => EventKind::WashDone { job, bay: None },
        17 => [
            EventKind::Ready { job: job.clone() },
            EventKind::Delivered { job },
        ][reason % 2]
            .clone(),
        18 => EventKind::ShiftStart,
        _ => EventKind::ShiftEnd,
    };
    let scanner = id(["HH-1", "HH-2"][scanner]);
    Event {
        key: EventKey {
            ts: t(min),
            scanner,
            seq,
        },
        badge: id(BADGES[badge]),
        kind,
    }
}

pub fn events() -> impl Strategy<Value = (Vec<Event>, Vec<Event>)> {
    prop::collection::vec(event(), 0..40)
        .prop_map(|raws| {
            raws.into_iter()
                .enumerate()
                .map(|(i, r)| build(i as u64, r))
                .collect::<Vec<_>>()
        })
        .prop_flat_map(|v| (Just(v.clone()), Just(v).prop_shuffle()))
}

pub fn restored(events: impl IntoIterator<Item = Event>) -> Workshop {
    let mut w = Workshop::new(catalog(), Settings::default());
    w.restore(events);
    w
}

/// Admits `events` one by one, as they arrive; returns the workshop and what it accepted.
pub fn admitted(events: impl IntoIterator<Item = Event>) -> (Workshop, Vec<Event>) {
    let mut w = Workshop::new(catalog(), Settings::default());
    let mut accepted = Vec::new();
    for e in events {
        if let Admission::Accepted(_) = w.admit(e.clone()) {
            accepted.push(e);
        }
    }
    (w, accepted)
}
