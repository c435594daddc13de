//! The bay rules of contract §4: holds, moves, release, busy and blocked reasons.

use crate::testkit::*;
use crate::{PauseReason, Verdict, WarningCode};

#[test]
fn a_job_holds_its_bay_until_all_its_ops_are_finished() {
    let w = shop([
        ev(0, "T1", start("J1", "10", "B01")),
        ev(30, "T1", finish("J1", "10")),
        ev(40, "T1", start("J1", "20", "B01")),
        ev(90, "T1", finish("J1", "20")),
    ]);
    let s = w.state();
    assert_eq!(s.holds.len(), 1);
    assert_eq!((s.holds[0].from, s.holds[0].to), (t(0), Some(t(90))));
    assert!(s
        .bay("B01")
        .is_some_and(|b| b.holder.is_none() && b.idle_since == Some(t(90))));
}

#[test]
fn the_hold_moves_when_the_job_is_clocked_on_at_another_bay() {
    let w = shop([
        ev(0, "T1", start("J1", "10", "B01")),
        ev(30, "T2", start("J1", "20", "B02")),
    ]);
    let s = w.state();
    assert_eq!(
        s.holds
            .iter()
            .map(|h| (h.bay.as_str(), h.to))
            .collect::<Vec<_>>(),
        [("B01", Some(t(30))), ("B02", None)]
    );
}

#[test]
fn a_bay_held_by_an_idle_job_passes_to_the_next_job() {
    let w = shop([
        ev(0, "T1", start("J1", "10", "B01")),
        ev(10, "T1", pause("J1", "10", PauseReason::Parts)),
        ev(20, "T2", start("J2", "10", "B01")),
    ]);
    let s = w.state();
    assert_eq!(s.job("J1").and_then(|j| j.bay.clone()), None);
    assert_eq!(
        s.bay("B01")
            .and_then(|b| b.holder.as_ref())
            .map(|h| h.job.as_str()),
        Some("J2")
    );
}

#[test]
fn clocking_on_at_a_bay_another_job_is_worked_at_is_a_bay_busy_anomaly() {
    let busy = ev(10, "T2", start("J2", "10", "B01"));
    let w = shop([ev(0, "T1", start("J1", "10", "B01")), busy.clone()]);
    assert_eq!(verdict(&w, &busy), anomaly(WarningCode::BayBusy));
    assert!(w.state().job("J2").is_none());
}

#[test]
fn a_badge_alone_at_a_bay_may_move_on_to_another_job_there() {
    let next = ev(10, "T1", start("J2", "10", "B01"));
    let w = shop([ev(0, "T1", start("J1", "10", "B01")), next.clone()]);
    assert_eq!(verdict(&w, &next), Verdict::Applied);
}

#[test]
fn a_blocked_bay_carries_the_reason_of_the_last_clock_off() {
    let reasons = |w: &crate::Workshop| -> Vec<_> {
        w.state()
            .segments
            .iter()
            .map(|g| (g.working, g.reason.as_ref().map(|r| r.category), g.from))
            .collect()
    };
    let paused = shop([
        ev(0, "T1", start("J1", "10", "B01")),
        ev(10, "T1", pause("J1", "10", PauseReason::Parts)),
    ]);
    assert_eq!(
        reasons(&paused),
        [(true, None, t(0)), (false, Some(PauseReason::Parts), t(10))]
    );
    let finished = shop([
        ev(0, "T1", start("J1", "10", "B01")),
        ev(10, "T1", finish("J1", "10")),
    ]);
    assert_eq!(
        reasons(&finished)[1],
        (false, Some(PauseReason::Other), t(10))
    );
    let switched = shop([
        ev(0, "T1", start("J1", "10", "B01")),
        ev(10, "T1", start("J2", "10", "B02")),
    ]);
    assert_eq!(
        reasons(&switched)[1],
        (false, Some(PauseReason::Other), t(10))
    );
    let shift = shop([
        ev(0, "T1", crate::EventKind::ShiftStart),
        ev(1, "T1", start("J1", "10", "B01")),
        ev(10, "T1", crate::EventKind::ShiftEnd),
    ]);
    assert_eq!(
        reasons(&shift)[1],
        (false, Some(PauseReason::ShiftEnd), t(10))
    );
}
