//! Contract §4 "Forgotten clock-offs", worked by hand. Default settings: Monday 2026-11-23
//! closes 17:30 UTC = `t(570)`, grace 60 min, so the deadline is 18:30 = `t(630)`.

use jiff::SignedDuration;

use super::ClockOff;
use crate::testkit::*;
use crate::view::{BayState, OpStatus};
use crate::{Admission, PauseReason, Settings, Verdict, WarningCode, Workshop};

fn forgotten_codes(w: &Workshop, now: i64) -> Vec<(WarningCode, crate::Time, String)> {
    w.anomalies(t(now))
        .into_iter()
        .map(|a| (a.code, a.ts, a.badge.to_string()))
        .collect()
}

#[test]
fn a_badge_still_on_when_the_grace_runs_out_is_clocked_off_at_closing() {
    // On at 15:00. At 18:29 the grace has not run out: 209 min clocked, still active. At
    // 18:30 it has: clocked off at 17:30 (150 min), listed as forgotten, the bay blocked.
    let w = shop([ev(420, "T1", start("J1", "10", "B01"))]);
    assert!(w.anomalies(t(629)).is_empty());
    let before = w.job("J1", t(629)).expect("J1");
    assert_eq!(before.ops[0].status, OpStatus::Active);
    assert!((before.ops[0].clocked_hours - 209.0 / 60.0).abs() < 1e-9);

    let after = w.job("J1", t(630)).expect("J1");
    assert_eq!(after.ops[0].status, OpStatus::Paused);
    assert!((after.ops[0].clocked_hours - 2.5).abs() < 1e-9);
    let anomalies = w.anomalies(t(630));
    assert_eq!(anomalies.len(), 1);
    let a = &anomalies[0];
    assert_eq!(
        (a.code, a.ts, a.event.clone()),
        (WarningCode::ForgottenClockOff, t(570), None)
    );
    assert_eq!(
        (
            a.badge.as_str(),
            a.job.as_deref(),
            a.op.as_deref(),
            a.bay.as_deref()
        ),
        ("T1", Some("J1"), Some("10"), Some("B01"))
    );
    let bay = w.bays(t(630)).into_iter().next().expect("B01");
    assert_eq!(
        (bay.state, bay.reason, bay.since),
        (
            BayState::Blocked,
            Some(PauseReason::ShiftEnd.into()),
            Some(t(630))
        )
    );
    // The folded state itself waits for the next event; the view at now does not.
    assert!(w.state().badge("T1").is_some_and(|b| b.on.is_some()));
    let clocked = crate::kpi::figures(&w, crate::kpi::Period::new(t(0), t(900)), t(900));
    assert!((clocked.clocked_hours - 2.5).abs() < 1e-9);
}

#[test]
fn a_scan_within_the_grace_is_the_real_clock_off() {
    // Paused at 18:00, inside the grace: 180 min clocked, nothing forgotten.
    let w = shop([
        ev(420, "T1", start("J1", "10", "B01")),
        ev(600, "T1", pause("J1", "10", PauseReason::Break)),
    ]);
    assert!(w.anomalies(t(900)).is_empty());
    let c = &w.state().clocked[0];
    assert_eq!(
        (c.to, c.end.clone()),
        (
            Some(t(600)),
            Some(ClockOff::Paused(PauseReason::Break.into()))
        )
    );
}

#[test]
fn a_scan_after_the_deadline_finds_the_badge_already_off_whatever_the_arrival_order() {
    // The pause at 18:40 comes after the 18:30 deadline: T1 was clocked off at 17:30, so
    // the pause is `not_clocked_on`. Listed: the forgotten clock-off (17:30), the pause (18:40).
    let start_ev = ev(420, "T1", start("J1", "10", "B01"));
    let pause_ev = ev(640, "T1", pause("J1", "10", PauseReason::Break));
    let mut live = Workshop::new(catalog(), Settings::default());
    assert_eq!(
        live.admit(pause_ev.clone()),
        Admission::Accepted(Verdict::Anomaly(WarningCode::NotClockedOn))
    );
    assert_eq!(
        live.admit(start_ev.clone()),
        Admission::Accepted(Verdict::Applied)
    );
    let restored = shop([start_ev, pause_ev.clone()]);
    assert_eq!(live.state(), restored.state());
    assert_eq!(
        verdict(&restored, &pause_ev),
        anomaly(WarningCode::NotClockedOn)
    );
    let c = &restored.state().clocked[0];
    assert_eq!(
        (c.to, c.end.clone()),
        (Some(t(570)), Some(ClockOff::Forgotten))
    );
    assert_eq!(
        forgotten_codes(&restored, 900),
        [
            (WarningCode::ForgottenClockOff, t(570), "T1".to_string()),
            (WarningCode::NotClockedOn, t(640), "T1".to_string()),
        ]
    );
}

#[test]
fn a_clock_on_after_closing_belongs_to_the_next_days_closing() {
    // On at 18:00 Monday: the day that ends it is Tuesday's (17:30 = t(2010), deadline
    // t(2070)). Still on at t(2069); at t(2070) clocked off at t(2010): 1410 min = 23.5 h.
    let w = shop([ev(600, "T1", start("J1", "10", "B01"))]);
    assert!(w.anomalies(t(2069)).is_empty());
    let a = w.anomalies(t(2070));
    assert_eq!(a.iter().map(|a| a.ts).collect::<Vec<_>>(), [t(2010)]);
    let j = w.job("J1", t(2070)).expect("J1");
    assert!((j.ops[0].clocked_hours - 23.5).abs() < 1e-9);
}

#[test]
fn an_event_after_the_deadline_is_judged_with_the_badge_clocked_off() {
    // T1 forgot J1 at B01. At 19:00 T2 starts J2 at B01: with T1 gone the bay is not busy,
    // so the start is accepted, live and on restore alike.
    let first = ev(420, "T1", start("J1", "10", "B01"));
    let next = ev(660, "T2", start("J2", "10", "B01"));
    let mut live = Workshop::new(catalog(), Settings::default());
    live.admit(first.clone());
    assert_eq!(
        live.admit(next.clone()),
        Admission::Accepted(Verdict::Applied)
    );
    let restored = shop([first, next]);
    assert_eq!(live.state(), restored.state());
    assert_eq!(restored.state().forgotten.len(), 1);
    // Before the deadline the same start would meet T1 at work: bay busy.
    let mut early = Workshop::new(catalog(), Settings::default());
    early.admit(ev(420, "T1", start("J1", "10", "B01")));
    assert_eq!(
        early.admit(ev(620, "T2", start("J2", "10", "B01"))),
        Admission::Rejected(crate::RejectCode::BayBusy)
    );
    assert!(early.state().forgotten.is_empty());
}

#[test]
fn the_grace_comes_from_the_settings() {
    // No grace: the deadline is closing itself, 17:30.
    let settings = Settings {
        auto_clock_off_grace: SignedDuration::ZERO,
        ..Settings::default()
    };
    let mut w = Workshop::new(catalog(), settings);
    w.restore([ev(420, "T1", start("J1", "10", "B01"))]);
    assert!(w.anomalies(t(569)).is_empty());
    assert_eq!(w.anomalies(t(570)).len(), 1);
}

#[test]
fn settling_ahead_of_the_timeline_keeps_late_events_right() {
    // Settled at 19:40: T1 is clocked off at 17:30. Then the pause T1 scanned at 18:00
    // (inside the grace) arrives: judged before the deadline, it is the real clock-off.
    let start_ev = ev(420, "T1", start("J1", "10", "B01"));
    let pause_ev = ev(600, "T1", pause("J1", "10", PauseReason::Break));
    let mut w = shop([start_ev.clone()]);
    w.settle(t(700));
    assert_eq!(w.state().forgotten.len(), 1);
    assert_eq!(
        w.admit(pause_ev.clone()),
        Admission::Accepted(Verdict::Applied)
    );
    let restored = shop([start_ev, pause_ev]);
    assert_eq!(w.state(), restored.state());
    assert!(w.anomalies(t(900)).is_empty());
}
