//! The rules of contract §4, one test each.

use jiff::SignedDuration;

use super::{ClockOff, QcResult};
use crate::testkit::*;
use crate::{PauseReason, Verdict, WarningCode};

const APPLIED: Verdict = Verdict::Applied;

#[test]
fn a_pause_without_clock_on_is_an_anomaly() {
    let p = ev(10, "T1", pause("J1", "10", PauseReason::Break));
    let w = shop([p.clone()]);
    assert_eq!(verdict(&w, &p), anomaly(WarningCode::NotClockedOn));
    assert!(w.state().clocked.is_empty());
}

#[test]
fn starting_another_op_switches_the_badge_off_the_first_at_the_same_instant() {
    let w = shop([
        ev(0, "T1", start("J1", "10", "B01")),
        ev(30, "T1", start("J1", "20", "B01")),
    ]);
    let c = &w.state().clocked;
    assert_eq!(c.len(), 2);
    assert_eq!(
        (c[0].to, c[0].end.clone()),
        (Some(t(30)), Some(ClockOff::Switched))
    );
    assert_eq!((c[1].from, c[1].to), (t(30), None));
    let on = w
        .state()
        .badge("T1")
        .and_then(|b| b.on.as_ref())
        .map(|o| o.op.as_str());
    assert_eq!(on, Some("20"));
}

#[test]
fn several_badges_may_work_one_op_and_each_ones_time_counts() {
    let w = shop([
        ev(0, "T1", start("J1", "10", "B01")),
        ev(10, "T2", start("J1", "10", "B01")),
        ev(30, "T1", pause("J1", "10", PauseReason::Break)),
    ]);
    let op = w.state().op("J1", "10").expect("op is tracked");
    assert_eq!(op.clocked_at(t(60)), SignedDuration::from_mins(30 + 50));
    assert_eq!(op.on.keys().map(|b| b.as_str()).collect::<Vec<_>>(), ["T2"]);
}

#[test]
fn finish_clocks_every_badge_on_the_op_off() {
    let w = shop([
        ev(0, "T1", start("J1", "10", "B01")),
        ev(5, "T2", start("J1", "10", "B01")),
        ev(20, "T3", finish("J1", "10")),
    ]);
    let s = w.state();
    assert!(s
        .clocked
        .iter()
        .all(|c| c.to == Some(t(20)) && c.end == Some(ClockOff::Finished)));
    assert!(s.badge("T1").is_some_and(|b| b.on.is_none()));
    let op = s.op("J1", "10").expect("tracked");
    assert!(op.finished && op.first_finish == Some(t(20)));
    assert_eq!(op.clocked_at(t(99)), SignedDuration::from_mins(35));
}

#[test]
fn finishing_an_op_never_started_is_applied_with_no_clocked_time() {
    let f = ev(0, "T1", finish("J1", "20"));
    let w = shop([f.clone()]);
    assert_eq!(verdict(&w, &f), APPLIED);
    assert_eq!(
        w.state().op("J1", "20").map(|o| o.clocked_at(t(9))),
        Some(SignedDuration::ZERO)
    );
}

#[test]
fn finishing_a_finished_op_is_an_anomaly() {
    let again = ev(20, "T1", finish("J1", "10"));
    let w = shop([ev(10, "T1", finish("J1", "10")), again.clone()]);
    assert_eq!(verdict(&w, &again), anomaly(WarningCode::OpFinished));
    assert_eq!(
        w.state().op("J1", "10").and_then(|o| o.first_finish),
        Some(t(10))
    );
}

#[test]
fn clocking_on_an_op_one_is_already_on_is_an_anomaly() {
    let twice = ev(5, "T1", start("J1", "10", "B01"));
    let resumed = ev(6, "T1", resume("J1", "10", None));
    let w = shop([
        ev(0, "T1", start("J1", "10", "B01")),
        twice.clone(),
        resumed.clone(),
    ]);
    assert_eq!(verdict(&w, &twice), anomaly(WarningCode::AlreadyClockedOn));
    assert_eq!(
        verdict(&w, &resumed),
        anomaly(WarningCode::AlreadyClockedOn)
    );
    assert_eq!(w.state().clocked.len(), 1);
}

#[test]
fn a_finished_op_cannot_be_clocked_on_until_qc_fail_reopens_it() {
    let early = ev(20, "T1", start("J2", "10", "B01"));
    let rework = ev(40, "T1", resume("J2", "10", None));
    let w = shop([
        ev(0, "T1", start("J2", "10", "B01")),
        ev(10, "T1", finish("J2", "10")),
        early.clone(),
        ev(30, "Q1", qc_fail("J2", Some("10"))),
        rework.clone(),
    ]);
    assert_eq!(verdict(&w, &early), anomaly(WarningCode::OpFinished));
    assert_eq!(verdict(&w, &rework), APPLIED);
    assert_eq!(w.resolved_bay(&rework.key), Some(id("B01")));
    let op = w.state().op("J2", "10").expect("tracked");
    assert!(!op.finished && op.first_finish == Some(t(10)));
}

#[test]
fn a_resume_without_bay_needs_a_last_bay() {
    let lost = ev(0, "T1", resume("J1", "10", None));
    let named = ev(1, "T1", resume("J1", "20", Some("B02")));
    let w = shop([lost.clone(), named.clone()]);
    assert_eq!(verdict(&w, &lost), anomaly(WarningCode::NoBay));
    assert_eq!(verdict(&w, &named), APPLIED);
    assert_eq!(w.resolved_bay(&named.key), Some(id("B02")));
    assert_eq!(
        w.state().job("J1").and_then(|j| j.bay.clone()),
        Some(id("B02"))
    );
}

#[test]
fn shifts_open_and_close_once_and_shift_end_clocks_off() {
    let twice = ev(1, "T1", crate::EventKind::ShiftStart);
    let off = ev(0, "T2", crate::EventKind::ShiftEnd);
    let w = shop([
        ev(0, "T1", crate::EventKind::ShiftStart),
        twice.clone(),
        off.clone(),
        ev(10, "T1", start("J1", "10", "B01")),
        ev(60, "T1", crate::EventKind::ShiftEnd),
    ]);
    assert_eq!(verdict(&w, &twice), anomaly(WarningCode::AlreadyOnShift));
    assert_eq!(verdict(&w, &off), anomaly(WarningCode::NotOnShift));
    let s = w.state();
    assert_eq!((s.attendance.len(), s.attendance[0].to), (1, Some(t(60))));
    assert_eq!(
        (s.clocked[0].to, s.clocked[0].end.clone()),
        (Some(t(60)), Some(ClockOff::ShiftEnd))
    );
    assert!(s
        .badge("T1")
        .is_some_and(|b| !b.on_shift() && b.on.is_none()));
}

#[test]
fn a_second_check_in_is_an_anomaly() {
    let again = ev(5, "A1", check_in("J1"));
    let w = shop([ev(0, "A1", check_in("J1")), again.clone()]);
    assert_eq!(verdict(&w, &again), anomaly(WarningCode::AlreadyCheckedIn));
    assert_eq!(
        w.state().job("J1").and_then(|j| j.checked_in_at),
        Some(t(0))
    );
}

#[test]
fn qc_pass_with_unfinished_ops_is_an_anomaly() {
    let early = ev(20, "Q1", qc_pass("J1"));
    let w = shop([ev(10, "T1", finish("J1", "10")), early.clone()]);
    assert_eq!(verdict(&w, &early), anomaly(WarningCode::OpsUnfinished));
    assert!(w.state().job("J1").is_some_and(|j| j.qc.is_empty()));
}

#[test]
fn qc_fail_naming_an_op_reopens_only_that_op() {
    let w = shop([
        ev(10, "T1", finish("J1", "10")),
        ev(20, "T1", finish("J1", "20")),
        ev(30, "Q1", qc_fail("J1", Some("20"))),
    ]);
    let s = w.state();
    assert!(s.op("J1", "10").is_some_and(|o| o.finished));
    assert!(s
        .op("J1", "20")
        .is_some_and(|o| !o.finished && o.first_finish == Some(t(20))));
    assert_eq!(
        s.job("J1").map(|j| j.qc.clone()),
        Some(vec![(QcResult::Fail, t(30))])
    );
}

#[test]
fn qc_fail_without_op_reopens_every_op() {
    let w = shop([
        ev(10, "T1", finish("J1", "10")),
        ev(20, "T1", finish("J1", "20")),
        ev(30, "Q1", qc_fail("J1", None)),
    ]);
    assert!(w
        .state()
        .job("J1")
        .is_some_and(|j| j.ops.values().all(|o| !o.finished)));
}

#[test]
fn job_events_after_delivery_are_job_closed() {
    let after = ev(20, "T1", start("J1", "10", "B01"));
    let twice = ev(30, "A1", delivered("J1"));
    let same_ts = ev(10, "A1", ready("J1"));
    let w = shop([
        ev(10, "A1", delivered("J1")),
        same_ts.clone(),
        after.clone(),
        twice.clone(),
    ]);
    assert_eq!(verdict(&w, &after), anomaly(WarningCode::JobClosed));
    assert_eq!(verdict(&w, &twice), anomaly(WarningCode::JobClosed));
    // Applied at the delivery's instant; never inspected, so listed as no_qc.
    assert_eq!(verdict(&w, &same_ts), Verdict::Warned(WarningCode::NoQc));
}

#[test]
fn ready_at_is_when_the_job_first_reached_ready() {
    let unwashed = shop([
        ev(10, "T1", finish("J2", "10")),
        ev(20, "Q1", qc_pass("J2")),
    ]);
    assert_eq!(
        unwashed.state().job("J2").and_then(|j| j.ready_at),
        Some(t(20))
    );
    let washed = shop([
        ev(10, "T1", finish("J1", "10")),
        ev(11, "T1", finish("J1", "20")),
        ev(20, "Q1", qc_pass("J1")),
        ev(30, "T3", wash_start("J1", Some("W1"))),
        ev(40, "T3", wash_done("J1")),
        ev(50, "A1", ready("J1")),
    ]);
    let s = washed.state();
    assert_eq!(s.job("J1").and_then(|j| j.ready_at), Some(t(40)));
    assert_eq!((s.washes[0].from, s.washes[0].to), (t(30), Some(t(40))));
    assert!(s.bay("W1").is_some_and(|b| b.washing.is_none()));
}

#[test]
fn events_naming_what_the_catalog_does_not_know_do_not_panic() {
    let w = shop([
        ev(0, "X9", start("J9", "77", "B99")),
        ev(5, "X9", pause("J9", "77", PauseReason::Other)),
        ev(6, "X9", finish("J9", "77")),
        ev(7, "Q1", qc_pass("J9")),
        ev(8, "Q1", qc_fail("J9", None)),
        ev(9, "X9", resume("J9", "77", None)),
    ]);
    assert!(w.anomalies(t(9)).is_empty());
    assert_eq!(
        w.state().job("J9").and_then(|j| j.bay.clone()),
        Some(id("B99"))
    );
}
