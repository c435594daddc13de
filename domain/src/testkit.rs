//! Builders for the unit tests: a small catalog and terse events.

use std::cell::Cell;

use crate::{
    BayKind, Catalog, Event, EventKey, EventKind, Id, JobCard, OpCard, PauseReason, Role, Settings,
    Time, Verdict, WarningCode, Workshop,
};

pub fn id(s: &str) -> Id {
    Id::new(s).expect("test ids are valid")
}

/// `min` minutes after 08:00 UTC on a fixed day.
pub fn t(min: i64) -> Time {
    let base: Time = "2026-11-23T08:00:00Z".parse().expect("valid time");
    base.checked_add(jiff::SignedDuration::from_mins(min))
        .expect("in range")
}

pub fn card(job: &str, ops: &[(&str, f64)], wash: bool) -> JobCard {
    JobCard {
        job: id(job),
        plate: "粤B12345".into(),
        vehicle: "Camry".into(),
        customer: "Mr Zhang".into(),
        advisor: "A1".into(),
        service: "service".into(),
        comeback_of: None,
        promised_at: None,
        waiting_until: None,
        wash,
        ops: ops
            .iter()
            .map(|(op, std)| OpCard {
                op: id(op),
                title: format!("op {op}"),
                std_hours: *std,
                assignment: None,
            })
            .collect(),
    }
}

/// Bays B01, B02 (lifts), W1 (wash); badges T1..T3, Q1, A1; jobs J1 (ops 10: 1h, 20: 2h,
/// washed) and J2 (op 10: 1.5h, not washed).
pub fn catalog() -> Catalog {
    let mut c = Catalog::default();
    c.bays.insert(id("B01"), BayKind::Lift);
    c.bays.insert(id("B02"), BayKind::Lift);
    c.bays.insert(id("W1"), BayKind::Wash);
    for b in ["T1", "T2", "T3"] {
        c.badges.insert(id(b), Role::Technician);
    }
    c.badges.insert(id("Q1"), Role::Qc);
    c.badges.insert(id("A1"), Role::Advisor);
    for j in [
        card("J1", &[("10", 1.0), ("20", 2.0)], true),
        card("J2", &[("10", 1.5)], false),
    ] {
        c.jobs.insert(j.job.clone(), j);
    }
    c
}

thread_local! {
    static SEQ: Cell<u64> = const { Cell::new(0) };
}

/// An event at `min`, keyed with the next seq of scanner HH-1.
pub fn ev(min: i64, badge: &str, kind: EventKind) -> Event {
    let seq = SEQ.with(|s| {
        s.set(s.get() + 1);
        s.get()
    });
    Event {
        key: EventKey {
            ts: t(min),
            scanner: id("HH-1"),
            seq,
        },
        badge: id(badge),
        kind,
    }
}

pub fn check_in(job: &str) -> EventKind {
    EventKind::CheckIn { job: id(job) }
}
pub fn start(job: &str, op: &str, bay: &str) -> EventKind {
    EventKind::Start {
        job: id(job),
        op: id(op),
        bay: id(bay),
    }
}
pub fn pause(job: &str, op: &str, reason: PauseReason) -> EventKind {
    EventKind::Pause {
        job: id(job),
        op: id(op),
        reason: reason.into(),
    }
}
pub fn resume(job: &str, op: &str, bay: Option<&str>) -> EventKind {
    EventKind::Resume {
        job: id(job),
        op: id(op),
        bay: bay.map(id),
    }
}
pub fn finish(job: &str, op: &str) -> EventKind {
    EventKind::Finish {
        job: id(job),
        op: id(op),
    }
}
pub fn qc_pass(job: &str) -> EventKind {
    EventKind::QcPass { job: id(job) }
}
pub fn qc_fail(job: &str, op: Option<&str>) -> EventKind {
    EventKind::QcFail {
        job: id(job),
        op: op.map(id),
        note: None,
    }
}
pub fn wash_start(job: &str, bay: Option<&str>) -> EventKind {
    EventKind::WashStart {
        job: id(job),
        bay: bay.map(id),
    }
}
pub fn wash_done(job: &str) -> EventKind {
    EventKind::WashDone {
        job: id(job),
        bay: None,
    }
}
pub fn ready(job: &str) -> EventKind {
    EventKind::Ready { job: id(job) }
}
pub fn delivered(job: &str) -> EventKind {
    EventKind::Delivered { job: id(job) }
}

pub fn call(bay: Option<&str>, reason: crate::CallReason) -> EventKind {
    EventKind::Call {
        bay: bay.map(id),
        reason,
    }
}
pub fn answer(bay: &str) -> EventKind {
    EventKind::Answer { bay: id(bay) }
}
pub fn clear(bay: &str) -> EventKind {
    EventKind::Clear { bay: id(bay) }
}

/// A workshop with the test catalog that has restored `events`.
pub fn shop(events: impl IntoIterator<Item = Event>) -> Workshop {
    let mut w = Workshop::new(catalog(), Settings::default());
    w.restore(events);
    w
}

/// The verdict of `e` in `w`.
pub fn verdict(w: &Workshop, e: &Event) -> Verdict {
    w.verdict(&e.key).expect("event is in the timeline")
}

pub fn anomaly(code: WarningCode) -> Verdict {
    Verdict::Anomaly(code)
}
