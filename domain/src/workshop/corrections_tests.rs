//! Corrections (contract §4): add, move, void; the original stays visible, figures follow.

use super::*;
use crate::correction::{Amendment, Correction, CorrectionError};
use crate::kpi::{figures, Period};
use crate::testkit::*;
use crate::{Event, EventKind, PauseReason};

fn fix(id: u64, change: Amendment) -> Correction {
    Correction {
        id,
        by: crate::testkit::id("manager"),
        at: t(1000),
        reason: "scanned on the wrong job".into(),
        change,
    }
}

fn clocked(w: &Workshop, now: i64) -> f64 {
    figures(w, Period::new(t(0), t(600)), t(now)).clocked_hours
}

fn scans() -> (Event, Event) {
    (
        ev(0, "T1", start("J1", "10", "B01")),
        ev(60, "T1", pause("J1", "10", PauseReason::Parts)),
    )
}

#[test]
fn voiding_a_start_removes_its_time_and_keeps_the_original_visible() {
    // 08:00-09:00 clocked; voiding the start leaves a pause with nothing to pause.
    let (s, p) = scans();
    let mut w = shop([s.clone(), p.clone()]);
    assert!((clocked(&w, 100) - 1.0).abs() < 1e-9);
    let void = fix(
        1,
        Amendment::Void {
            target: s.key.clone(),
        },
    );
    assert_eq!(w.correct(void.clone()), Ok(None));
    assert_eq!(clocked(&w, 100), 0.0);
    assert_eq!(
        w.verdict(&p.key),
        Some(Verdict::Anomaly(WarningCode::NotClockedOn))
    );
    assert!(!w.contains(&s.key));
    let trail = w.corrections();
    assert_eq!(trail.len(), 1);
    assert_eq!(
        (trail[0].before.as_ref(), trail[0].after.as_ref()),
        (Some(&s), None)
    );
    assert_eq!(trail[0].correction, void);
    // The scan arriving again does not undo the correction.
    assert_eq!(w.admit(s.clone()), Admission::Accepted(Verdict::Applied));
    assert!(!w.contains(&s.key));
}

#[test]
fn moving_a_pause_recomputes_the_figures() {
    // The pause really happened at 08:30: 0.5 h clocked, not 1 h.
    let (s, p) = scans();
    let mut w = shop([s, p.clone()]);
    let moved = fix(
        1,
        Amendment::Move {
            target: p.key.clone(),
            to_ts: t(30),
        },
    );
    assert_eq!(w.correct(moved), Ok(Some(Verdict::Applied)));
    assert!((clocked(&w, 100) - 0.5).abs() < 1e-9);
    let new_key = EventKey {
        ts: t(30),
        ..p.key.clone()
    };
    assert!(w.contains(&new_key) && !w.contains(&p.key));
    let why = w.provenance(&new_key).expect("moved by a correction");
    assert_eq!(why.before.as_ref().map(|e| e.key.ts), Some(t(60)));
    assert_eq!(w.provenance(&w.events().next().expect("start").key), None);
}

#[test]
fn adding_a_forgotten_pause_stops_the_clock() {
    // T1 forgot to scan the pause at 08:45: 0.75 h instead of running on.
    let (s, _) = scans();
    let mut w = shop([s]);
    let mut added = ev(45, "T1", pause("J1", "10", PauseReason::Break));
    added.key.scanner = id("manager");
    added.key.seq = 1;
    assert_eq!(
        w.correct(fix(1, Amendment::Add { event: added })),
        Ok(Some(Verdict::Applied))
    );
    assert!((clocked(&w, 100) - 0.75).abs() < 1e-9);
}

#[test]
fn a_refused_correction_changes_nothing() {
    let (s, p) = scans();
    let mut w = shop([s.clone(), p.clone()]);
    let before = w.state().clone();
    let mut no_reason = fix(
        1,
        Amendment::Void {
            target: s.key.clone(),
        },
    );
    no_reason.reason = "  ".into();
    let missing = EventKey {
        ts: t(5),
        ..s.key.clone()
    };
    let mut stranger = ev(10, "X9", EventKind::ShiftStart);
    stranger.key.scanner = id("manager");
    let cases = [
        (no_reason, CorrectionError::NoReason),
        (
            fix(
                1,
                Amendment::Void {
                    target: missing.clone(),
                },
            ),
            CorrectionError::NoSuchEvent(missing),
        ),
        (
            fix(1, Amendment::Add { event: s.clone() }),
            CorrectionError::KeyTaken(s.key.clone()),
        ),
        (
            fix(1, Amendment::Add { event: stranger }),
            CorrectionError::Rejected(RejectCode::UnknownBadge),
        ),
        (
            fix(
                1,
                Amendment::Move {
                    target: s.key.clone(),
                    to_ts: t(0),
                },
            ),
            CorrectionError::Unchanged,
        ),
    ];
    for (c, e) in cases {
        assert_eq!(w.correct(c), Err(e));
    }
    assert_eq!(*w.state(), before);
    assert!(w.corrections().is_empty());
    w.correct(fix(
        1,
        Amendment::Void {
            target: p.key.clone(),
        },
    ))
    .expect("first correction 1");
    assert_eq!(
        w.correct(fix(1, Amendment::Void { target: s.key })),
        Err(CorrectionError::DuplicateId(1))
    );
}

#[test]
fn restoring_corrections_replays_them_in_id_order() {
    // Move the pause to 08:30, then void the moved pause: the second targets the first's
    // result, so only id order gives the same timeline.
    let (s, p) = scans();
    let moved_key = EventKey {
        ts: t(30),
        ..p.key.clone()
    };
    let c1 = fix(
        1,
        Amendment::Move {
            target: p.key.clone(),
            to_ts: t(30),
        },
    );
    let c2 = fix(2, Amendment::Void { target: moved_key });
    let mut live = shop([s.clone(), p.clone()]);
    live.correct(c1.clone()).expect("c1");
    live.correct(c2.clone()).expect("c2");
    let mut restored = shop([s, p]);
    assert!(restored.restore_corrections([c2, c1]).is_empty());
    assert_eq!(restored.state(), live.state());
    assert!(restored.events().eq(live.events()));
    assert_eq!(restored.corrections(), live.corrections());
}

#[test]
fn a_correction_round_trips_through_json() {
    let (_, p) = scans();
    let c = fix(7, Amendment::Add { event: p });
    let json = serde_json::to_value(&c).expect("serialises");
    assert_eq!(json["change"]["kind"], "add");
    assert_eq!(json["change"]["event"]["kind"]["action"], "pause");
    assert_eq!(json["change"]["event"]["kind"]["reason"], "parts");
    let back: Correction = serde_json::from_value(json).expect("deserialises");
    assert_eq!(back, c);
}
