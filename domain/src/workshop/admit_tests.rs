//! Admission in any arrival order, however late (within the journal and far beyond it,
//! which is small in tests), mixed with time passing, job card changes and corrections:
//! after every step the state and every verdict are those of the pure fold of the
//! timeline, and a rejected event changes nothing.

use proptest::prelude::*;

use super::*;
use crate::correction::{Amendment, Correction};
use crate::testkit::{card, catalog, ev, id, start, t};
use crate::{EventKind, PauseReason};

/// Minute, scanner, badge, action, job, bay, reason.
pub(super) type Raw = (i64, usize, usize, usize, usize, usize, usize);

pub(super) fn raw() -> impl Strategy<Value = Raw> {
    (
        // Mostly the morning; some evening, past closing (17:30) and its grace (18:30),
        // where forgotten clock-offs happen.
        prop_oneof![3 => 0i64..120, 1 => 480i64..720],
        0..2usize,
        0..5usize,
        0..20usize,
        0..2usize,
        0..3usize,
        0..3usize,
    )
}

/// The events of `raws`, and a workshop that admitted those before `split`, then (with
/// `settle`) let time pass to that minute: a history for a batch to arrive into.
pub(super) fn history(
    raws: Vec<Raw>,
    split: prop::sample::Index,
    settle: Option<i64>,
) -> (Vec<Event>, usize, Workshop) {
    let events: Vec<Event> = raws
        .into_iter()
        .enumerate()
        .map(|(i, r)| build(i as u64, r))
        .collect();
    let split = split.index(events.len());
    let mut w = Workshop::new(catalog(), Settings::default());
    for e in &events[..split] {
        w.admit(e.clone());
    }
    if let Some(m) = settle {
        w.settle(t(m));
    }
    (events, split, w)
}

pub(super) fn build(seq: u64, (min, scanner, badge, action, job, bay, reason): Raw) -> Event {
    let (job, op) = match job {
        0 => (id("J1"), id(["10", "20"][reason % 2])),
        _ => (id("J2"), id("10")),
    };
    let work_bay = id(["B01", "B02"][bay % 2]);
    let kind = match action {
        0..=4 => EventKind::Start {
            job,
            op,
            bay: work_bay,
        },
        5..=7 => EventKind::Pause {
            job,
            op,
            reason: [
                PauseReason::Parts,
                PauseReason::Approval,
                PauseReason::Break,
            ][reason]
                .into(),
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
        17 if reason == 0 => EventKind::Delivered { job },
        17 => EventKind::Ready { job },
        18 => EventKind::ShiftStart,
        _ => EventKind::ShiftEnd,
    };
    Event {
        key: EventKey {
            ts: t(min),
            scanner: id(["HH-1", "HH-2"][scanner]),
            seq,
        },
        badge: id(["T1", "T2", "T3", "Q1", "A1"][badge]),
        kind,
    }
}

/// What happens between two arrivals, now and then.
#[derive(Debug, Clone)]
enum Extra {
    /// `Workshop::settle` at this minute.
    Settle(i64),
    /// J1's card becomes one of three shapes.
    Upsert(usize),
    /// Voids the n-th event of the timeline (modulo its length).
    Void(usize),
    /// Moves the n-th event to this minute.
    Move(usize, i64),
    Add(Raw),
}

fn extra() -> impl Strategy<Value = Extra> {
    prop_oneof![
        // Often past the grace, where settling clocks someone off.
        3 => prop_oneof![0i64..720, 630i64..800].prop_map(Extra::Settle),
        1 => (0..3usize).prop_map(Extra::Upsert),
        1 => any::<usize>().prop_map(Extra::Void),
        1 => (any::<usize>(), 0i64..720).prop_map(|(n, m)| Extra::Move(n, m)),
        1 => raw().prop_map(Extra::Add),
    ]
}

/// The pure fold of the workshop's timeline, and each event's verdict in it.
fn pure(w: &Workshop) -> (State, Vec<(EventKey, Verdict)>) {
    let mut s = State::default();
    let verdicts = w
        .events()
        .map(|e| (e.key.clone(), s.apply(w.catalog(), w.settings(), e)))
        .collect();
    (s, verdicts)
}

/// The state and verdicts are the pure fold's (settled as far as the workshop says).
pub(super) fn check(w: &Workshop) -> Result<(), TestCaseError> {
    let (mut state, verdicts) = pure(w);
    for (key, v) in verdicts {
        prop_assert_eq!(w.verdict(&key), Some(v), "{:?}", key);
    }
    let end = t(2000);
    let mut at_end = state.clone();
    at_end.settle(end);
    prop_assert_eq!(&*w.state_at(end), &at_end);
    if w.settled > Time::MIN {
        state.settle(w.settled);
    }
    prop_assert_eq!(w.state(), &state);
    Ok(())
}

/// The verdict `e` gets in the pure fold of the timeline with it added.
fn verdict_with(w: &Workshop, e: &Event) -> Option<Verdict> {
    let mut all: Vec<&Event> = w.events().chain([e]).collect();
    all.sort_by(|a, b| a.key.cmp(&b.key));
    let mut s = State::default();
    all.into_iter()
        .map(|x| (x, s.apply(w.catalog(), w.settings(), x)))
        .find(|(x, _)| x.key == e.key)
        .map(|(_, v)| v)
}

fn admit_checked(w: &mut Workshop, e: Event) -> Result<(), TestCaseError> {
    let before = w.state().clone();
    match w.admit(e.clone()) {
        Admission::Rejected(code) => {
            prop_assert_eq!(w.state(), &before);
            prop_assert!(!w.contains(&e.key));
            if code == RejectCode::BayBusy {
                prop_assert_eq!(
                    verdict_with(w, &e),
                    Some(Verdict::Anomaly(WarningCode::BayBusy))
                );
            }
        }
        Admission::Accepted(v) => {
            if !w.retired.contains(&e.key) {
                prop_assert_eq!(w.verdict(&e.key), Some(v));
            }
        }
    }
    check(w)
}

fn correct(w: &mut Workshop, n: &mut u64, change: Amendment) -> Result<(), TestCaseError> {
    *n += 1;
    let _ = w.correct(Correction {
        id: *n,
        by: id("M1"),
        at: t(0),
        reason: "test".into(),
        change,
    });
    check(w)
}

fn nth_key(w: &Workshop, n: usize) -> Option<EventKey> {
    let len = w.events().count();
    (len > 0).then(|| w.events().nth(n % len).map(|e| e.key.clone()))?
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn any_arrival_order_gives_the_pure_fold_of_the_timeline(
        raws in prop::collection::vec(raw(), 0..120),
        lateness in prop::collection::vec(prop_oneof![6 => 0usize..6, 1 => 0usize..200], 120),
        extras in prop::collection::vec((0usize..120, extra()), 0..12),
    ) {
        let mut events: Vec<Event> = raws
            .into_iter()
            .enumerate()
            .map(|(i, r)| build(i as u64, r))
            .collect();
        events.sort_by(|a, b| a.key.cmp(&b.key));
        // An event `l` late arrives after the `l` events that follow it in the timeline.
        let mut arrival: Vec<(usize, usize, Event)> = events
            .into_iter()
            .enumerate()
            .map(|(i, e)| (i + lateness[i], i, e))
            .collect();
        arrival.sort_by_key(|(at, i, _)| (*at, *i));
        let mut w = Workshop::new(catalog(), Settings::default());
        let mut corrections = 0;
        let mut seq = 1000;
        for (n, (_, _, e)) in arrival.into_iter().enumerate() {
            admit_checked(&mut w, e)?;
            for (_, x) in extras.iter().filter(|(at, _)| *at == n) {
                match x.clone() {
                    Extra::Settle(m) => {
                        w.settle(t(m));
                        check(&w)?;
                    }
                    Extra::Upsert(shape) => {
                        let ops: &[(&str, f64)] = match shape {
                            1 => &[("10", 1.0)],
                            _ => &[("10", 1.0), ("20", 2.0)],
                        };
                        w.upsert_job(card("J1", ops, shape != 2));
                        check(&w)?;
                    }
                    Extra::Void(k) => {
                        if let Some(target) = nth_key(&w, k) {
                            correct(&mut w, &mut corrections, Amendment::Void { target })?;
                        }
                    }
                    Extra::Move(k, m) => {
                        if let Some(target) = nth_key(&w, k) {
                            let change = Amendment::Move { target, to_ts: t(m) };
                            correct(&mut w, &mut corrections, change)?;
                        }
                    }
                    Extra::Add(r) => {
                        seq += 1;
                        let event = build(seq, r);
                        correct(&mut w, &mut corrections, Amendment::Add { event })?;
                    }
                }
            }
        }
    }
}

#[test]
fn a_rejected_late_event_leaves_the_settled_state_as_it_was() {
    let mut w = Workshop::new(catalog(), Settings::default());
    w.admit(ev(0, "T1", start("J1", "10", "B01")));
    // T1 forgot to clock off: settled past closing plus grace, the system did.
    w.settle(t(700));
    assert_eq!(w.state().forgotten.len(), 1);
    let before = w.state().clone();
    assert_eq!(
        w.admit(ev(10, "T2", start("J2", "10", "B01"))),
        Admission::Rejected(RejectCode::BayBusy)
    );
    assert_eq!(*w.state(), before);
}
