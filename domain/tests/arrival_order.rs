//! Contract §4 "Order": the state after a set of events does not depend on the order they
//! arrived in, and judging events one by one as they arrive gives the same state as folding
//! the accepted set once.

use bayline_domain::{
    Admission, BayKind, Catalog, Event, EventKey, EventKind, Id, JobCard, OpCard, PauseReason,
    Role, Settings, Time, Workshop,
};
use proptest::prelude::*;

fn id(s: &str) -> Id {
    Id::new(s).expect("valid id")
}

fn t(min: i64) -> Time {
    let base: Time = "2026-11-23T08:00:00Z".parse().expect("valid time");
    base.checked_add(jiff::SignedDuration::from_mins(min))
        .expect("in range")
}

const JOBS: [(&str, &[&str], bool); 3] = [
    ("J1", &["10", "20"], true),
    ("J2", &["10"], false),
    ("J3", &["10", "20"], true),
];
const BADGES: [&str; 4] = ["T1", "T2", "T3", "Q1"];
const BAYS: [&str; 3] = ["B01", "B02", "W1"];
const REASONS: [PauseReason; 3] = [
    PauseReason::Parts,
    PauseReason::Approval,
    PauseReason::Break,
];

fn catalog() -> Catalog {
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
    for (job, ops, wash) in JOBS {
        let card = JobCard {
            job: id(job),
            plate: "粤B12345".into(),
            vehicle: String::new(),
            customer: String::new(),
            advisor: String::new(),
            service: String::new(),
            promised_at: Some(t(150)),
            wash,
            ops: ops
                .iter()
                .map(|op| OpCard {
                    op: id(op),
                    title: String::new(),
                    std_hours: 0.5,
                })
                .collect(),
        };
        c.jobs.insert(card.job.clone(), card);
    }
    c
}

/// A plausible event: mostly clocking, some of everything else, a few nonsense ones.
fn event() -> impl Strategy<Value = (i64, usize, usize, usize, usize, usize, usize, usize)> {
    (
        0i64..120,
        0..2usize,
        0..4usize,
        0..20usize,
        0..3usize,
        0..2usize,
        0..4usize,
        0..3usize,
    )
}

fn build(seq: u64, raw: (i64, usize, usize, usize, usize, usize, usize, usize)) -> Event {
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
            reason: REASONS[reason],
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

fn events() -> impl Strategy<Value = (Vec<Event>, Vec<Event>)> {
    prop::collection::vec(event(), 0..40)
        .prop_map(|raws| {
            raws.into_iter()
                .enumerate()
                .map(|(i, r)| build(i as u64, r))
                .collect::<Vec<_>>()
        })
        .prop_flat_map(|v| (Just(v.clone()), Just(v).prop_shuffle()))
}

fn restored(events: impl IntoIterator<Item = Event>) -> Workshop {
    let mut w = Workshop::new(catalog(), Settings::default());
    w.restore(events);
    w
}

fn admitted(events: impl IntoIterator<Item = Event>) -> (Workshop, Vec<Event>) {
    let mut w = Workshop::new(catalog(), Settings::default());
    let mut accepted = Vec::new();
    for e in events {
        if let Admission::Accepted(_) = w.admit(e.clone()) {
            accepted.push(e);
        }
    }
    (w, accepted)
}

fn assert_same(a: &Workshop, b: &Workshop) {
    assert_eq!(a.state(), b.state());
    let now = t(200);
    assert_eq!(a.jobs(now), b.jobs(now));
    assert_eq!(a.bays(now), b.bays(now));
    assert_eq!(a.anomalies(), b.anomalies());
    assert!(a.events().eq(b.events()));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn any_arrival_order_of_the_accepted_events_gives_the_same_state((sorted, shuffled) in events()) {
        let (live, accepted) = admitted(shuffled.clone());
        let mut shuffled_accepted: Vec<Event> =
            shuffled.iter().filter(|e| accepted.contains(e)).cloned().collect();
        shuffled_accepted.reverse();
        let mut in_order = accepted.clone();
        in_order.sort_by(|a, b| a.key.cmp(&b.key));
        assert_same(&live, &restored(in_order.clone()));
        assert_same(&restored(in_order), &restored(shuffled_accepted));
        let _ = sorted;
    }

    #[test]
    fn admitting_in_timeline_order_matches_a_restore_of_what_was_accepted((sorted, _) in events()) {
        let mut sorted = sorted;
        sorted.sort_by(|a, b| a.key.cmp(&b.key));
        let (live, accepted) = admitted(sorted);
        assert_same(&live, &restored(accepted));
    }
}
