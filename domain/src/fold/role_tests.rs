//! Who may scan what (docs/rules.md "Roles"): a scan from a role that does not do it is
//! applied with `wrong_role` and listed, never refused. The test catalog's T1..T3 are
//! technicians, Q1 the inspector, A1 an advisor; here W9 is a washer and M1 a manager, and
//! Q9 a QC bay.

use crate::testkit::*;
use crate::{BayKind, Event, Role, Settings, Stage, Verdict, WarningCode, Workshop};

const APPLIED: Verdict = Verdict::Applied;
const WRONG_ROLE: Verdict = Verdict::Warned(WarningCode::WrongRole);

fn roles_shop(events: impl IntoIterator<Item = Event>) -> Workshop {
    let mut c = catalog();
    c.badges.insert(id("W9"), Role::Washer);
    c.badges.insert(id("M1"), Role::Manager);
    c.bays.insert(id("Q9"), BayKind::Qc);
    let mut w = Workshop::new(c, Settings::default());
    w.restore(events);
    w
}

#[test]
fn a_washer_clocking_on_at_a_lift_is_applied_with_wrong_role() {
    let on = ev(10, "W9", start("J2", "10", "B01"));
    let w = roles_shop([on.clone()]);
    assert_eq!(verdict(&w, &on), WRONG_ROLE);
    // Applied: the washer's time is on the op and the bay is working.
    assert!(w
        .state()
        .op("J2", "10")
        .is_some_and(|o| o.on.contains_key("W9")));
    let listed = w.anomalies(t(99));
    assert_eq!(
        (listed[0].code, listed[0].applied, listed[0].badge.as_str()),
        (WarningCode::WrongRole, true, "W9")
    );
}

#[test]
fn a_washer_at_a_wash_bay_and_an_inspector_at_a_qc_bay_do_their_own_work() {
    let wash = ev(10, "W9", start("J2", "10", "W1"));
    let w = roles_shop([wash.clone()]);
    assert_eq!(verdict(&w, &wash), APPLIED);
    let inspect = ev(10, "Q1", start("J2", "10", "Q9"));
    let w = roles_shop([inspect.clone()]);
    assert_eq!(verdict(&w, &inspect), APPLIED);
    // The inspector at a lift is not.
    let lift = ev(10, "Q1", start("J2", "10", "B01"));
    assert_eq!(verdict(&roles_shop([lift.clone()]), &lift), WRONG_ROLE);
}

#[test]
fn an_advisor_or_a_manager_clocking_on_is_wrong_role_and_a_resume_is_judged_at_the_last_bay() {
    for badge in ["A1", "M1"] {
        let on = ev(10, badge, start("J2", "10", "B01"));
        assert_eq!(
            verdict(&roles_shop([on.clone()]), &on),
            WRONG_ROLE,
            "{badge}"
        );
    }
    // The washer started at the wash bay, paused, and resumes without naming a bay: still
    // the wash bay, still theirs.
    let back = ev(40, "W9", resume("J2", "10", None));
    let w = roles_shop([
        ev(10, "W9", start("J2", "10", "W1")),
        ev(30, "W9", pause("J2", "10", crate::PauseReason::Break)),
        back.clone(),
    ]);
    assert_eq!(verdict(&w, &back), APPLIED);
    // The same resume at a lift is not.
    let lift = ev(40, "W9", resume("J2", "10", Some("B01")));
    let w = roles_shop([
        ev(10, "W9", start("J2", "10", "W1")),
        ev(30, "W9", pause("J2", "10", crate::PauseReason::Break)),
        lift.clone(),
    ]);
    assert_eq!(verdict(&w, &lift), WRONG_ROLE);
}

#[test]
fn a_technician_receiving_or_handing_over_a_car_is_applied_with_wrong_role() {
    let received = ev(0, "T1", check_in("J2"));
    let handed = ev(90, "T1", delivered("J2"));
    let w = roles_shop([
        received.clone(),
        ev(10, "T1", start("J2", "10", "B01")),
        ev(60, "T1", finish("J2", "10")),
        ev(70, "Q1", qc_pass("J2")),
        handed.clone(),
    ]);
    assert_eq!(verdict(&w, &received), WRONG_ROLE);
    assert_eq!(verdict(&w, &handed), WRONG_ROLE);
    let j = w.state().job("J2").expect("tracked");
    assert_eq!((j.checked_in_at, j.delivered_at), (Some(t(0)), Some(t(90))));
    // The advisor and the manager do it plainly.
    for badge in ["A1", "M1"] {
        let ready = ev(80, badge, ready("J2"));
        let w = roles_shop([
            ev(10, "T1", start("J2", "10", "B01")),
            ev(60, "T1", finish("J2", "10")),
            ev(70, "Q1", qc_pass("J2")),
            ready.clone(),
        ]);
        assert_eq!(verdict(&w, &ready), APPLIED, "{badge}");
        assert_eq!(w.state().stage(w.catalog(), "J2"), Stage::Ready);
    }
}

#[test]
fn a_handover_without_qc_by_the_wrong_role_names_the_missing_qc_first() {
    let ready = ev(70, "T1", ready("J2"));
    let w = roles_shop([
        ev(10, "T1", start("J2", "10", "B01")),
        ev(60, "T1", finish("J2", "10")),
        ready.clone(),
    ]);
    assert_eq!(verdict(&w, &ready), Verdict::Warned(WarningCode::NoQc));
}

#[test]
fn washing_is_a_washers_or_a_technicians_and_not_an_inspectors() {
    for (badge, expected) in [("W9", APPLIED), ("T1", APPLIED), ("Q1", WRONG_ROLE)] {
        let wash = ev(70, badge, wash_start("J1", Some("W1")));
        let done = ev(80, badge, wash_done("J1"));
        let w = roles_shop([wash.clone(), done.clone()]);
        assert_eq!(verdict(&w, &wash), expected, "{badge} wash_start");
        assert_eq!(verdict(&w, &done), expected, "{badge} wash_done");
    }
}

#[test]
fn pauses_finishes_shifts_and_calls_are_anyones() {
    let pause = ev(30, "A1", pause("J2", "10", crate::PauseReason::Parts));
    let finish = ev(40, "A1", finish("J2", "10"));
    let w = roles_shop([
        ev(10, "A1", start("J2", "10", "B01")),
        pause.clone(),
        ev(35, "A1", resume("J2", "10", None)),
        finish.clone(),
    ]);
    assert_eq!(verdict(&w, &pause), APPLIED);
    assert_eq!(verdict(&w, &finish), APPLIED);
    let shift = ev(0, "W9", crate::EventKind::ShiftStart);
    let w = roles_shop([shift.clone()]);
    assert_eq!(verdict(&w, &shift), APPLIED);
}

#[test]
fn the_plan_is_judged_after_the_role() {
    // A washer starting an op the foreman gave T1: the role is what a manager must see.
    let mut w = roles_shop([]);
    let mut card = w.catalog().jobs[&id("J2")].clone();
    card.ops[0].assignment = Some(crate::Assignment {
        to: crate::Assignee::Badge(id("T1")),
        bay: None,
        day: None,
        order: None,
    });
    w.upsert_job(card);
    let on = ev(10, "W9", start("J2", "10", "B01"));
    w.restore([on.clone()]);
    assert_eq!(verdict(&w, &on), WRONG_ROLE);
}
