//! The QC rules of contract §7.6: who may inspect, and handing over without QC. The test
//! catalog's Q1 is the QC inspector, T1..T3 technicians, A1 an advisor.

use crate::testkit::*;
use crate::{Admission, Stage, Verdict, WarningCode};

const APPLIED: Verdict = Verdict::Applied;

fn warned(code: WarningCode) -> Verdict {
    Verdict::Warned(code)
}

/// J2 (one op, not washed) worked by T1 and finished at 60.
fn worked_j2() -> Vec<crate::Event> {
    vec![
        ev(0, "A1", check_in("J2")),
        ev(10, "T1", start("J2", "10", "B01")),
        ev(60, "T1", finish("J2", "10")),
    ]
}

#[test]
fn the_inspector_passing_a_job_it_did_not_work_on_is_plainly_applied() {
    let pass = ev(70, "Q1", qc_pass("J2"));
    let ready = ev(80, "A1", ready("J2"));
    let w = shop(worked_j2().into_iter().chain([pass.clone(), ready.clone()]));
    assert_eq!(verdict(&w, &pass), APPLIED);
    assert_eq!(verdict(&w, &ready), APPLIED);
    assert!(w.anomalies(t(99)).is_empty());
}

#[test]
fn a_badge_that_is_not_qc_inspecting_is_applied_with_not_qc_and_listed() {
    let pass = ev(70, "T2", qc_pass("J2"));
    let w = shop(worked_j2().into_iter().chain([pass.clone()]));
    assert_eq!(verdict(&w, &pass), warned(WarningCode::NotQc));
    // Applied: the unwashed job is ready, and the pass is on record.
    assert_eq!(w.state().stage(w.catalog(), "J2"), Stage::Ready);
    let listed = w.anomalies(t(99));
    assert_eq!(listed.len(), 1);
    assert_eq!(
        (listed[0].code, listed[0].applied, listed[0].badge.as_str()),
        (WarningCode::NotQc, true, "T2")
    );
}

#[test]
fn inspecting_a_job_one_clocked_on_is_self_inspection_whatever_the_role() {
    // T1 worked J2: its pass is self-inspection, not merely not-QC.
    let own = ev(70, "T1", qc_pass("J2"));
    let w = shop(worked_j2().into_iter().chain([own.clone()]));
    assert_eq!(verdict(&w, &own), warned(WarningCode::SelfInspection));

    // The inspector lent a hand on the op, then failed the job: self-inspection too.
    let fail = ev(70, "Q1", qc_fail("J2", Some("10")));
    let w = shop([
        ev(10, "Q1", start("J2", "10", "B01")),
        ev(60, "Q1", finish("J2", "10")),
        fail.clone(),
    ]);
    assert_eq!(verdict(&w, &fail), warned(WarningCode::SelfInspection));
    // Applied: the fail reopened the op.
    assert!(w.state().op("J2", "10").is_some_and(|o| !o.finished));
}

#[test]
fn ready_or_delivered_without_a_pass_since_the_last_finish_is_applied_with_no_qc() {
    let ready = ev(70, "A1", ready("J2"));
    let gone = ev(90, "A1", delivered("J2"));
    let w = shop(worked_j2().into_iter().chain([ready.clone(), gone.clone()]));
    assert_eq!(verdict(&w, &ready), warned(WarningCode::NoQc));
    assert_eq!(verdict(&w, &gone), warned(WarningCode::NoQc));
    let j = w.state().job("J2").expect("tracked");
    assert_eq!((j.ready_at, j.delivered_at), (Some(t(70)), Some(t(90))));
    let codes: Vec<_> = w.anomalies(t(99)).iter().map(|a| a.code).collect();
    assert_eq!(codes, [WarningCode::NoQc, WarningCode::NoQc]);
}

#[test]
fn a_pass_before_rework_finished_again_does_not_cover_the_handover() {
    // Passed at 70, failed at 75 (reopened), finished again at 80, no second pass.
    let ready = ev(90, "A1", ready("J2"));
    let w = shop(worked_j2().into_iter().chain([
        ev(70, "Q1", qc_pass("J2")),
        ev(75, "Q1", qc_fail("J2", Some("10"))),
        ev(80, "T1", finish("J2", "10")),
        ready.clone(),
    ]));
    assert_eq!(verdict(&w, &ready), warned(WarningCode::NoQc));
}

#[test]
fn a_late_pass_takes_the_no_qc_off_a_handover_after_it() {
    let ready = ev(80, "A1", ready("J2"));
    let mut w = shop(worked_j2().into_iter().chain([ready.clone()]));
    assert_eq!(verdict(&w, &ready), warned(WarningCode::NoQc));
    let pass = ev(70, "Q1", qc_pass("J2"));
    assert_eq!(w.admit(pass), Admission::Accepted(APPLIED));
    assert_eq!(verdict(&w, &ready), APPLIED);
    assert!(w.anomalies(t(99)).is_empty());
}

#[test]
fn a_nonsense_qc_pass_stays_an_anomaly_not_a_warning() {
    // Op unfinished: kept, not applied, whoever scans it.
    let pass = ev(40, "T2", qc_pass("J2"));
    let w = shop([ev(10, "T1", start("J2", "10", "B01")), pass.clone()]);
    assert_eq!(verdict(&w, &pass), anomaly(WarningCode::OpsUnfinished));
    assert!(!w.anomalies(t(99))[0].applied);
}

#[test]
fn a_first_fail_naming_an_op_keeps_the_crew_of_that_op_only() {
    // J1: T1 on op 10, T2 on op 20; the first QC fails op 20.
    let w = shop([
        ev(0, "T1", start("J1", "10", "B01")),
        ev(30, "T1", finish("J1", "10")),
        ev(0, "T2", start("J1", "20", "B02")),
        ev(60, "T2", finish("J1", "20")),
        ev(70, "Q1", qc_fail("J1", Some("20"))),
        // Rework by T3 after the fail is not the failed work.
        ev(80, "T3", start("J1", "20", "B02")),
        ev(90, "T3", finish("J1", "20")),
        ev(95, "Q1", qc_fail("J1", Some("10"))),
    ]);
    let crew = w.state().job("J1").and_then(|j| j.first_fail_crew.clone());
    let crew: Vec<String> = crew.expect("set").iter().map(|b| b.to_string()).collect();
    assert_eq!(crew, ["T2"]);
    // A first fail without an op counts against everyone: no crew kept.
    let w = shop(
        worked_j2()
            .into_iter()
            .chain([ev(70, "Q1", qc_fail("J2", None))]),
    );
    assert_eq!(
        w.state().job("J2").and_then(|j| j.first_fail_crew.clone()),
        None
    );
}
