//! Admission, late events and the views, with numbers worked out by hand.

use bayline_proto::Language;

use super::*;
use crate::testkit::*;
use crate::view::{BayState, OpStatus};
use crate::{EventKind, PauseReason, Settings, Stage};

fn fresh() -> Workshop {
    Workshop::new(catalog(), Settings::default())
}

fn approx(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

#[test]
fn admission_rejects_what_the_catalog_does_not_know() {
    let mut w = fresh();
    let cases = [
        (
            ev(0, "X9", start("J1", "10", "B01")),
            RejectCode::UnknownBadge,
        ),
        (
            ev(0, "X9", start("J9", "10", "B01")),
            RejectCode::UnknownBadge,
        ),
        (
            ev(0, "T1", start("J9", "10", "B01")),
            RejectCode::UnknownJob,
        ),
        (ev(0, "T1", start("J1", "99", "B01")), RejectCode::UnknownOp),
        (
            ev(0, "Q1", qc_fail("J1", Some("99"))),
            RejectCode::UnknownOp,
        ),
        (
            ev(0, "T1", start("J1", "10", "B99")),
            RejectCode::UnknownBay,
        ),
        (
            ev(0, "T3", wash_start("J1", Some("B99"))),
            RejectCode::UnknownBay,
        ),
    ];
    for (e, code) in cases {
        assert_eq!(w.admit(e.clone()), Admission::Rejected(code), "{e:?}");
        assert!(!w.contains(&e.key));
    }
    assert_eq!(w.events().count(), 0);
}

#[test]
fn a_job_delivered_before_the_scan_rejects_it_as_closed() {
    let mut w = fresh();
    // Delivered without QC: applied, and listed.
    assert_eq!(
        w.admit(ev(10, "A1", delivered("J1"))),
        Admission::Accepted(Verdict::Warned(WarningCode::NoQc))
    );
    assert_eq!(
        w.admit(ev(11, "A1", ready("J1"))),
        Admission::Rejected(RejectCode::JobClosed)
    );
    assert_eq!(
        w.admit(ev(10, "A1", delivered("J1"))),
        Admission::Accepted(Verdict::Anomaly(WarningCode::JobClosed))
    );
    assert_eq!(
        w.admit(ev(5, "A1", check_in("J1"))),
        Admission::Accepted(Verdict::Applied)
    );
}

#[test]
fn an_exact_repeat_gets_the_same_verdict_and_changes_nothing() {
    let mut w = fresh();
    let p = ev(10, "T1", pause("J1", "10", PauseReason::Break));
    let first = w.admit(p.clone());
    assert_eq!(
        first,
        Admission::Accepted(Verdict::Anomaly(WarningCode::NotClockedOn))
    );
    assert_eq!(w.admit(p), first);
    assert_eq!(w.events().count(), 1);
}

#[test]
fn a_start_at_a_bay_another_job_is_worked_at_is_rejected_bay_busy() {
    let mut w = fresh();
    w.admit(ev(0, "T1", start("J1", "10", "B01")));
    let busy = ev(10, "T2", start("J2", "10", "B01"));
    assert_eq!(
        w.admit(busy.clone()),
        Admission::Rejected(RejectCode::BayBusy)
    );
    assert!(!w.contains(&busy.key) && w.verdict(&busy.key).is_none());
    // Late, at a moment the bay was busy already: rejected too, nothing changes.
    w.admit(ev(20, "T1", pause("J1", "10", PauseReason::Parts)));
    let before = w.state().clone();
    assert_eq!(
        w.admit(ev(15, "T2", start("J2", "10", "B01"))),
        Admission::Rejected(RejectCode::BayBusy)
    );
    assert_eq!(*w.state(), before);
    // Once J1 is paused, J2 may take the bay.
    assert_eq!(
        w.admit(ev(25, "T2", start("J2", "10", "B01"))),
        Admission::Accepted(Verdict::Applied)
    );
}

#[test]
fn a_late_start_turns_an_accepted_start_into_a_bay_busy_anomaly() {
    let mut w = fresh();
    let second = ev(10, "T2", start("J2", "10", "B01"));
    assert_eq!(
        w.admit(second.clone()),
        Admission::Accepted(Verdict::Applied)
    );
    assert_eq!(
        w.admit(ev(5, "T1", start("J1", "10", "B01"))),
        Admission::Accepted(Verdict::Applied)
    );
    assert_eq!(
        w.verdict(&second.key),
        Some(Verdict::Anomaly(WarningCode::BayBusy))
    );
    assert_eq!(w.resolved_bay(&second.key), None);
}

#[test]
fn a_late_start_makes_a_later_pause_valid() {
    let mut w = fresh();
    let p = ev(30, "T1", pause("J1", "10", PauseReason::Parts));
    w.admit(p.clone());
    assert_eq!(w.anomalies(t(40)).len(), 1);
    assert_eq!(
        w.admit(ev(0, "T1", start("J1", "10", "B01"))),
        Admission::Accepted(Verdict::Applied)
    );
    assert_eq!(w.verdict(&p.key), Some(Verdict::Applied));
    assert!(w.anomalies(t(40)).is_empty());
    assert_eq!(
        w.job("J1", t(40)).map(|j| j.stage),
        Some(Stage::WaitingParts)
    );
}

#[test]
fn anomalies_are_listed_in_timeline_order() {
    let mut w = fresh();
    w.admit(ev(20, "T2", EventKind::ShiftEnd));
    w.admit(ev(10, "T1", pause("J1", "10", PauseReason::Break)));
    let codes: Vec<_> = w.anomalies(t(40)).into_iter().map(|a| a.code).collect();
    assert_eq!(codes, [WarningCode::NotClockedOn, WarningCode::NotOnShift]);
}

#[test]
fn changing_a_cards_ops_refolds_the_bay_holds() {
    let mut w = shop([
        ev(0, "T1", start("J2", "10", "B01")),
        ev(30, "T1", finish("J2", "10")),
    ]);
    assert!(w.state().job("J2").is_some_and(|j| j.bay.is_none()));
    w.upsert_job(card("J2", &[("10", 1.5), ("30", 1.0)], false));
    assert_eq!(
        w.state().job("J2").and_then(|j| j.bay.clone()),
        Some(id("B01"))
    );
    assert_eq!(w.job("J2", t(30)).map(|j| j.stage), Some(Stage::InProgress));
}

#[test]
fn progress_and_eta_follow_clocked_and_standard_time() {
    let mut w = shop([
        ev(0, "T1", start("J1", "10", "B01")),
        ev(0, "T2", start("J1", "10", "B01")),
        ev(30, "T1", pause("J1", "10", PauseReason::Parts)),
    ]);
    let mut promised = card("J1", &[("10", 1.0), ("20", 2.0)], true);
    promised.promised_at = Some(t(240));
    w.upsert_job(promised.clone());
    // Op 10: 30 + 60 min = 1.5 h clocked, capped at 0.95 × 1 h; op 20 untouched.
    let j = w.job("J1", t(60)).expect("known job");
    assert!(approx(j.progress, 0.95 / 3.0), "{}", j.progress);
    assert!(approx(j.ops[0].clocked_hours, 1.5));
    assert_eq!(
        (j.ops[0].status, j.ops[1].status),
        (OpStatus::Active, OpStatus::Open)
    );
    assert_eq!(j.ops[0].badges, [id("T2")]);
    // Left: op 10 nothing (overrun), op 20 2 h, plus 0.5 h allowance.
    assert_eq!((j.eta, j.late), (Some(t(60 + 150)), false));
    promised.promised_at = Some(t(200));
    w.upsert_job(promised);
    assert!(w.job("J1", t(60)).is_some_and(|j| j.late));
}

#[test]
fn progress_counts_finished_ops_at_their_standard_time() {
    let w = shop([
        ev(0, "T1", start("J1", "10", "B01")),
        ev(30, "T1", finish("J1", "10")),
        ev(30, "T1", start("J1", "20", "B01")),
    ]);
    let j = w.job("J1", t(90)).expect("known job");
    assert!(approx(j.progress, 2.0 / 3.0), "{}", j.progress);
    // T1 did op 10 (1 h) in 30 min: efficiency 2, so op 20 (2 h) needs 1 h, all of it spent
    // by 09:30; only the 0.5 h allowance is left.
    assert_eq!(j.eta, Some(t(90 + 30)));
    assert_eq!(
        (j.ops[0].status, j.ops[1].status),
        (OpStatus::Finished, OpStatus::Active)
    );
}

#[test]
fn a_ready_job_shows_its_ready_time_as_eta() {
    let w = shop([
        ev(10, "T1", finish("J2", "10")),
        ev(20, "Q1", qc_pass("J2")),
    ]);
    let j = w.job("J2", t(500)).expect("known job");
    assert_eq!(
        (j.stage, j.eta, j.ready_at, j.progress),
        (Stage::Ready, Some(t(20)), Some(t(20)), 1.0)
    );
}

#[test]
fn a_bay_is_working_then_blocked_with_the_reason_and_since() {
    let mut events = vec![
        ev(0, "T1", start("J1", "10", "B01")),
        ev(0, "T2", start("J1", "10", "B01")),
        ev(30, "T1", pause("J1", "10", PauseReason::Break)),
    ];
    let bay = |w: &Workshop| w.bays(t(60)).into_iter().find(|b| b.bay.as_str() == "B01");
    let working = bay(&shop(events.clone())).expect("B01");
    assert_eq!(
        (working.state, working.since, working.reason),
        (BayState::Working, Some(t(0)), None)
    );
    assert_eq!((working.job, working.op), (Some(id("J1")), Some(id("10"))));
    assert_eq!(
        (working.badges, working.clocked_s, working.std_s),
        (vec![id("T2")], 5400, 3600)
    );
    events.push(ev(45, "T2", pause("J1", "10", PauseReason::Approval)));
    let blocked = bay(&shop(events)).expect("B01");
    assert_eq!(blocked.state, BayState::Blocked);
    assert_eq!(
        (blocked.reason, blocked.since),
        (Some(PauseReason::Approval.into()), Some(t(45)))
    );
    assert_eq!((blocked.op, blocked.clocked_s), (Some(id("10")), 75 * 60));
    assert!(blocked.badges.is_empty());
}

#[test]
fn free_bays_are_idle_and_wash_bays_show_the_car_washing() {
    let w = shop([
        ev(0, "T1", start("J2", "10", "B01")),
        ev(30, "T1", finish("J2", "10")),
        ev(40, "T3", wash_start("J1", Some("W1"))),
    ]);
    let bays = w.bays(t(50));
    assert_eq!(
        bays.iter()
            .map(|b| (b.bay.as_str(), b.state))
            .collect::<Vec<_>>(),
        [
            ("B01", BayState::Idle),
            ("B02", BayState::Idle),
            ("W1", BayState::Working)
        ]
    );
    assert_eq!((bays[0].since, bays[1].since), (Some(t(30)), None));
    assert_eq!(
        (bays[2].job.clone(), bays[2].since),
        (Some(id("J1")), Some(t(40)))
    );
}

#[test]
fn the_lounge_shows_jobs_in_the_workshop_by_promised_time_without_names() {
    let mut w = shop([ev(0, "A1", check_in("J1")), ev(1, "A1", check_in("J2"))]);
    let mut j2 = card("J2", &[("10", 1.5)], false);
    j2.promised_at = Some(t(100));
    j2.plate = "京AD12345".into();
    w.upsert_job(j2);
    w.upsert_job(card("J3", &[("10", 1.0)], true));
    let rows = w.lounge(t(10), Language::En);
    assert_eq!(
        rows.iter().map(|r| r.plate.as_str()).collect::<Vec<_>>(),
        ["京A****45", "粤B***45"]
    );
    assert_eq!(rows[0].stage_label, "Checked in");
    let json = serde_json::to_string(&rows).expect("serialises");
    assert!(!json.contains("Zhang"));
    w.admit(ev(20, "A1", delivered("J2")));
    assert_eq!(w.lounge(t(30), Language::Zh).len(), 1);
}

#[test]
fn jobs_are_listed_by_id_and_unknown_jobs_have_no_view() {
    let w = shop([]);
    let ids: Vec<_> = w.jobs(t(0)).into_iter().map(|j| (j.job, j.stage)).collect();
    assert_eq!(ids, [(id("J1"), Stage::Booked), (id("J2"), Stage::Booked)]);
    assert!(w.job("J9", t(0)).is_none());
}

#[test]
fn many_late_events_give_the_state_of_a_full_fold() {
    // Two technicians pausing and resuming for 3,000 events; every fifth event arrives just
    // after the one that follows it, as handhelds' scans do on a busy network.
    let mut events = vec![
        ev(0, "T1", start("J1", "10", "B01")),
        ev(0, "T2", start("J2", "10", "B02")),
    ];
    for i in 1..1500 {
        for (badge, job) in [("T1", "J1"), ("T2", "J2")] {
            let kind = if i % 2 == 1 {
                pause("J1", "10", PauseReason::Parts)
            } else {
                resume("J1", "10", None)
            };
            let kind = match kind {
                EventKind::Pause { reason, .. } => EventKind::Pause {
                    job: id(job),
                    op: id("10"),
                    reason,
                },
                _ => EventKind::Resume {
                    job: id(job),
                    op: id("10"),
                    bay: None,
                },
            };
            events.push(ev(i, badge, kind));
        }
    }
    let mut arrival = events.clone();
    for i in (5..arrival.len()).step_by(5) {
        arrival.swap(i - 1, i);
    }
    let mut w = fresh();
    for e in arrival {
        assert!(matches!(w.admit(e), Admission::Accepted(Verdict::Applied)));
    }
    assert_eq!(w.state(), shop(events).state());
}
