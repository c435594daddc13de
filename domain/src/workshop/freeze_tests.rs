//! Freezing must not change a figure: for random multi-day histories, freeze points and
//! periods, the figures summed from frozen days, stored outcomes and the live part equal a
//! full fold of everything, to the last bit; and a workshop resumed from the checkpoint
//! is the frozen one.

use std::collections::BTreeMap;

use jiff::civil::Date;
use proptest::prelude::*;

use super::*;
use crate::fold::Call;
use crate::kpi::{self, figures_with, grouped_with, GroupBy, Outcome, Period, Stored, Totals};
use crate::testkit::{card, catalog, id, t};
use crate::{CallReason, EventKind, PauseReason};

const DAY: i64 = 1440;
const JOBS: [&str; 6] = ["J1", "J2", "J3", "J4", "J5", "J6"];

fn shop() -> Catalog {
    let mut c = catalog();
    for (i, j) in JOBS.iter().enumerate() {
        let mut card = card(j, &[("10", 1.0 + i as f64 / 7.0), ("20", 2.0)], i % 2 == 0);
        card.promised_at = (i % 3 != 0).then(|| t(i as i64 * DAY + 600));
        // Three cars among six jobs, so a car comes back by its plate; J6's card names J1.
        card.plate = ["粤B11111", "粤B22222", "粤b 222-22"][i % 3].into();
        card.advisor = ["Li", "Wang"][i % 2].into();
        card.service = ["保养", "事故", "索赔", ""][i % 4].into();
        card.comeback_of = (i == 5).then(|| id("J1"));
        c.jobs.insert(card.job.clone(), card);
    }
    c
}

/// Day, minute of the day, badge, action, job, op, bay, reason.
type Raw = (i64, i64, usize, usize, usize, usize, usize, usize);

fn raw() -> impl Strategy<Value = Raw> {
    (
        0i64..10,
        // Mostly working hours; some evening, past closing and its grace.
        prop_oneof![4 => 0i64..600, 1 => 600i64..900, 1 => 900i64..1440],
        0..5usize,
        0..26usize,
        0..6usize,
        0..2usize,
        0..3usize,
        0..5usize,
    )
}

fn build(seq: u64, (day, min, badge, action, job, op, bay, reason): Raw) -> Event {
    // Jobs come and go: job i is worked mostly on its own days.
    let job = id(JOBS[(job + day as usize / 3) % JOBS.len()]);
    let op = id(["10", "20"][op]);
    let work_bay = id(["B01", "B02", "B01"][bay]);
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
                PauseReason::Other,
                PauseReason::ShiftEnd,
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
        17 => EventKind::Ready { job },
        18 | 19 => EventKind::Delivered { job },
        20 => EventKind::ShiftStart,
        21 => EventKind::ShiftEnd,
        22 | 23 => EventKind::Call {
            bay: (bay < 2 || action == 22).then_some(work_bay),
            reason: CallReason::ALL[reason],
        },
        24 => EventKind::Answer { bay: work_bay },
        _ => EventKind::Clear { bay: work_bay },
    };
    Event {
        key: EventKey {
            ts: t(day * DAY + min),
            scanner: id("HH-1"),
            seq,
        },
        badge: id(["T1", "T2", "T3", "Q1", "A1"][badge]),
        kind,
    }
}

/// What a store would hold after the freezes.
#[derive(Default)]
struct Archive {
    days: BTreeMap<Date, Totals>,
    outcomes: Vec<Outcome>,
    calls: Vec<Call>,
}

impl Archive {
    fn keep(&mut self, f: Freeze) {
        for (d, totals) in f.days {
            assert!(
                self.days.insert(d, totals).is_none(),
                "day {d} frozen twice"
            );
        }
        // As the store keeps them: as JSON, so whatever an outcome carries for the figures
        // (the crew of a first fail) must survive it.
        for o in f.outcomes {
            let text = serde_json::to_string(&o).expect("an outcome serialises");
            let back: Outcome = serde_json::from_str(&text).expect("and reads back");
            assert_eq!(back, o);
            self.outcomes.push(back);
        }
        self.calls.extend(f.calls);
    }

    /// The stored part of `period`, which starts and ends on day starts where it is frozen.
    fn stored(&self, w: &Workshop, period: Period) -> Stored {
        let schedule = &w.settings().schedule;
        Stored {
            days: (self.days.iter())
                .filter(|(d, _)| {
                    let start = schedule.start_of(**d).expect("a day start");
                    let end = schedule
                        .start_of(d.tomorrow().expect("a day"))
                        .expect("a day start");
                    period.from <= start && end <= period.to
                })
                .map(|(d, t)| (*d, t.clone()))
                .collect(),
            outcomes: self.outcomes.clone(),
            // As the store finds them: opened or answered in the period.
            calls: (self.calls.iter())
                .filter(|c| {
                    let within = |t: Time| period.from <= t && t < period.to;
                    within(c.opened) || c.answered.as_ref().is_some_and(|a| within(a.0))
                })
                .cloned()
                .collect(),
        }
    }
}

fn timeline(raws: Vec<Raw>) -> Vec<Event> {
    raws.into_iter()
        .enumerate()
        .map(|(i, r)| build(i as u64, r))
        .collect()
}

/// T1 and T2 in team A, T3 in team B; Q1 and A1 in none. A comeback within 3 days: some
/// earlier deliveries are inside the window and some are not, frozen or live.
fn settings() -> Settings {
    let mut s = Settings {
        comeback_within: jiff::SignedDuration::from_hours(72),
        ..Settings::default()
    };
    for (b, team) in [("T1", "A"), ("T2", "A"), ("T3", "B")] {
        let planned = crate::Planned {
            team: Some(team.into()),
            ..Default::default()
        };
        s.roster.insert(id(b), planned);
    }
    s
}

fn admitted(events: &[Event]) -> Workshop {
    let mut w = Workshop::new(shop(), settings());
    for e in events {
        w.admit(e.clone());
    }
    w
}

/// A period's edge: a day start while frozen, any minute after.
fn edge(n: i64, frozen_days: i64) -> i64 {
    if n / DAY < frozen_days {
        n / DAY * DAY - 8 * 60
    } else {
        n
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn figures_from_frozen_days_equal_the_full_fold(
        raws in prop::collection::vec(raw(), 0..260),
        freezes in prop::collection::vec(1i64..8, 1..3),
        periods in prop::collection::vec((0i64..11 * DAY, 1i64..11 * DAY), 1..4),
    ) {
        let events = timeline(raws);
        let now = t(11 * DAY);
        let full = admitted(&events);
        let mut frozen = admitted(&events);
        let mut archive = Archive::default();
        let mut freezes = freezes;
        freezes.sort_unstable();
        for day in freezes {
            // t(0) is 08:00 of the first day: day `day` starts at t(day·DAY − 480).
            if let Some(f) = frozen.freeze(t(day * DAY - 480), now) {
                archive.keep(f);
            }
        }
        let frozen_days = frozen
            .frozen_to()
            .duration_since(t(-480))
            .as_mins()
            .div_euclid(DAY)
            .max(0);
        for (a, len) in periods {
            let from = edge(a, frozen_days);
            let to = edge(a + len, frozen_days);
            let to = if to <= from { from + DAY } else { to };
            let period = Period::new(t(from), t(to));
            let stored = archive.stored(&frozen, period);
            prop_assert_eq!(
                figures_with(&frozen, stored.clone(), period, now),
                kpi::figures(&full, period, now)
            );
            prop_assert_eq!(
                kpi::comebacks(&frozen, stored.clone(), period, now),
                kpi::comebacks(&full, Stored::default(), period, now)
            );
            for by in GroupBy::ALL {
                prop_assert_eq!(
                    grouped_with(&frozen, stored.clone(), period, now, by),
                    kpi::grouped(&full, period, now, by)
                );
            }
        }
        // Every call is either live or stored, once.
        let mut all: Vec<Call> = frozen.state().calls.iter().chain(&archive.calls).cloned().collect();
        all.sort_by(|a, b| (a.opened, &a.bay).cmp(&(b.opened, &b.bay)));
        // (Calls opened in the same minute at two bays are kept in the order they came.)
        let mut calls = full.state().calls.clone();
        calls.sort_by(|a, b| (a.opened, &a.bay).cmp(&(b.opened, &b.bay)));
        prop_assert_eq!(all, calls);
        // The live views do not change either.
        prop_assert_eq!(frozen.jobs(now).len() <= full.jobs(now).len(), true);
        prop_assert_eq!(frozen.bays(now), full.bays(now));
    }

    #[test]
    fn a_workshop_resumed_from_the_checkpoint_is_the_frozen_one(
        raws in prop::collection::vec(raw(), 0..200),
        day in 1i64..9,
    ) {
        let events = timeline(raws);
        let now = t(11 * DAY);
        let mut frozen = admitted(&events);
        let timeline: Vec<Event> = frozen.events().cloned().collect();
        let Some(f) = frozen.freeze(t(day * DAY - 480), now) else {
            return Ok(());
        };
        // As a start loads them: the open cards, and the closed jobs the live events name.
        let every_closed: BTreeMap<Id, Time> = (f.outcomes.iter())
            .map(|o| (o.job.clone(), o.delivered_at.expect("closed jobs were delivered")))
            .collect();
        let live: Vec<&Id> = (timeline.iter())
            .filter(|e| e.key.ts >= f.at)
            .filter_map(|e| e.kind.job())
            .collect();
        let mut closed = every_closed.clone();
        closed.retain(|job, _| live.contains(&job));
        prop_assert_eq!(&closed, &frozen.catalog().closed);
        let mut open = shop();
        open.jobs.retain(|job, _| !every_closed.contains_key(job));
        let mut resumed = Workshop::new(open, settings());
        resumed.resume(f.checkpoint.clone(), f.at, closed);
        resumed.restore(timeline);
        prop_assert_eq!(resumed.state(), frozen.state());
        prop_assert_eq!(resumed.frozen_to(), frozen.frozen_to());
        // And every later scan is judged the same, once the store has told both of the closed
        // job it names (as the ledger does before judging).
        let late = build(10_000, (9, 100, 0, 0, 0, 0, 0, 0));
        let named = late.kind.job().and_then(|j| Some((j.clone(), *every_closed.get(j)?)));
        frozen.recall_closed(named.clone());
        resumed.recall_closed(named);
        prop_assert_eq!(resumed.admit(late.clone()), frozen.admit(late));
    }
}

#[test]
fn a_frozen_day_is_not_frozen_again_and_a_scan_before_it_is_bad_time() {
    let events = timeline(vec![(0, 60, 0, 0, 0, 0, 0, 0), (2, 60, 0, 10, 0, 0, 0, 0)]);
    let mut w = admitted(&events);
    let now = t(11 * DAY);
    let f = w.freeze(t(2 * DAY - 480), now).expect("two days to freeze");
    assert_eq!(f.days.len(), 2);
    assert_eq!(f.at, t(2 * DAY - 480));
    assert!(w.freeze(t(2 * DAY - 480), now).is_none());
    let old = build(99, (1, 60, 1, 0, 1, 0, 1, 0));
    assert_eq!(
        w.admit(old.clone()),
        Admission::Rejected(RejectCode::BadTime)
    );
    // The same in a batch, beside a late scan of the live days that is judged in its place.
    let live = build(100, (2, 30, 1, 0, 1, 0, 1, 0));
    let before = w.events().count();
    assert_eq!(
        w.admit_many(vec![old, live]),
        [
            Admission::Rejected(RejectCode::BadTime),
            Admission::Accepted(Verdict::Applied)
        ]
    );
    assert_eq!(w.events().count(), before + 1);
}

#[test]
fn a_delivered_job_leaves_the_live_state_and_a_later_scan_of_it_is_job_closed() {
    let events = timeline(vec![
        (0, 60, 0, 0, 0, 0, 0, 0),
        (0, 120, 0, 10, 0, 0, 0, 0),
        (0, 180, 4, 18, 0, 0, 0, 0),
    ]);
    let mut w = admitted(&events);
    let f = w.freeze(t(3 * DAY), t(11 * DAY)).expect("days to freeze");
    assert_eq!(f.outcomes.len(), 1);
    assert_eq!(f.outcomes[0].job, id("J1"));
    assert!(w.state().job("J1").is_none());
    // No live event names J1: memory forgets it, and the store, which has every closed job,
    // tells it again when a scan names it.
    assert!(!w.is_closed("J1"));
    assert_eq!(w.unknown_jobs([&id("J1"), &id("J2")]), [id("J1")]);
    w.recall_closed([(id("J1"), t(180))]);
    assert!(w.is_closed("J1"));
    // Job 5 on day 5 is J1: jobs rotate every three days.
    let later = build(50, (5, 60, 0, 0, 5, 0, 0, 0));
    assert_eq!(w.admit(later), Admission::Rejected(RejectCode::JobClosed));
}

#[test]
fn a_checkpoint_reads_back_as_it_was_stored() {
    let events = timeline(vec![
        (0, 60, 0, 0, 0, 0, 0, 0),
        (0, 70, 1, 0, 1, 1, 1, 0),
        (0, 80, 1, 5, 1, 1, 1, 0),
        (0, 90, 0, 20, 0, 0, 0, 0),
        (4, 60, 2, 0, 2, 0, 0, 0),
    ]);
    let mut w = admitted(&events);
    let f = w.freeze(t(2 * DAY), t(11 * DAY)).expect("days to freeze");
    let bytes = encode_checkpoint(&f.checkpoint);
    assert_eq!(decode_checkpoint(&bytes).as_ref(), Some(&f.checkpoint));
    assert_eq!(decode_checkpoint(&[99, 1, 2]), None, "another format");
    assert_eq!(
        decode_checkpoint(&bytes[..bytes.len() / 2]),
        None,
        "cut short"
    );
}
