//! Queues and bay tags from assignments, worked by hand on the test catalog (J1: ops 10 and
//! 20; J2: op 10) plus J3 (op 10); `t(m)` is m minutes after 08:00 UTC on Monday 2026-11-23.

use jiff::civil::{date, Date};

use super::*;
use crate::testkit::*;
use crate::{Planned, Settings};

const MON: Date = date(2026, 11, 23);
const TUE: Date = date(2026, 11, 24);

fn to_badge(b: &str, bay: Option<&str>, day: Option<Date>, order: Option<u32>) -> Assignment {
    Assignment {
        to: Assignee::Badge(id(b)),
        bay: bay.map(id),
        day,
        order,
    }
}

/// `w` with `job`'s `op` given `a`, as `PUT …/assignment` leaves it.
fn assign(w: &mut Workshop, job: &str, op: &str, a: Option<Assignment>) {
    w.check_assignment(&id(job), &id(op), a.as_ref())
        .expect("a valid assignment");
    let mut card = w.catalog().jobs[job].clone();
    for o in card.ops.iter_mut().filter(|o| o.op.as_str() == op) {
        o.assignment = a.clone();
    }
    w.upsert_job(card);
}

fn shop_with_j3(events: Vec<crate::Event>) -> Workshop {
    let mut w = shop(events);
    w.upsert_job(card("J3", &[("10", 0.5)], true));
    w
}

fn ops(q: &[Queued]) -> Vec<(&str, &str)> {
    q.iter()
        .map(|q| (q.job.as_str(), q.op.op.as_str()))
        .collect()
}

#[test]
fn a_queue_runs_by_day_then_order_with_undated_work_last() {
    let mut w = shop_with_j3(vec![]);
    assign(
        &mut w,
        "J1",
        "10",
        Some(to_badge("T1", None, Some(MON), Some(2))),
    );
    assign(&mut w, "J1", "20", Some(to_badge("T1", None, None, None)));
    assign(
        &mut w,
        "J2",
        "10",
        Some(to_badge("T1", None, Some(MON), Some(1))),
    );
    assign(
        &mut w,
        "J3",
        "10",
        Some(to_badge("T1", None, Some(TUE), Some(1))),
    );
    assert_eq!(
        ops(&w.queue(&id("T1"), MON, t(0))),
        [("J2", "10"), ("J1", "10"), ("J1", "20")]
    );
    // Tomorrow's queue has tomorrow's op and the undated one; T2 has none.
    assert_eq!(
        ops(&w.queue(&id("T1"), TUE, t(0))),
        [("J3", "10"), ("J1", "20")]
    );
    assert!(w.queue(&id("T2"), MON, t(0)).is_empty());
}

#[test]
fn work_left_from_an_earlier_day_comes_first_today_and_finished_work_leaves() {
    let mut w = shop_with_j3(vec![
        ev(0, "T1", start("J2", "10", "B01")),
        ev(30, "T1", finish("J2", "10")),
    ]);
    let sunday = date(2026, 11, 22);
    assign(
        &mut w,
        "J1",
        "10",
        Some(to_badge("T1", None, Some(sunday), None)),
    );
    assign(
        &mut w,
        "J2",
        "10",
        Some(to_badge("T1", None, Some(MON), Some(1))),
    );
    assign(
        &mut w,
        "J3",
        "10",
        Some(to_badge("T1", None, Some(MON), Some(2))),
    );
    assert_eq!(
        ops(&w.queue(&id("T1"), MON, t(60))),
        [("J1", "10"), ("J3", "10")]
    );
    // Not on tomorrow's as well.
    assert!(w.queue(&id("T1"), TUE, t(60)).is_empty());
}

#[test]
fn a_bay_s_next_is_the_first_op_assigned_to_it_of_another_job() {
    // J1 on B01, T1 clocked on op 10.
    let mut w = shop_with_j3(vec![ev(0, "T1", start("J1", "10", "B01"))]);
    let next = |w: &Workshop, bay: &str| {
        let jobs = w.jobs(t(10));
        let holder = (w.bays(t(10)).into_iter())
            .find(|b| b.bay.as_str() == bay)?
            .job;
        next_at_bay(&jobs, &id(bay), holder.as_ref()).map(|(j, o)| format!("{} {}", j.job, o.op))
    };
    assert_eq!((next(&w, "B01"), next(&w, "B02")), (None, None));

    // The job's own next op, assigned to its bay, is not "next": the car is already there.
    assign(
        &mut w,
        "J1",
        "20",
        Some(to_badge("T1", Some("B01"), Some(MON), Some(1))),
    );
    assign(
        &mut w,
        "J2",
        "10",
        Some(to_badge("T2", Some("B01"), Some(MON), Some(3))),
    );
    assign(
        &mut w,
        "J3",
        "10",
        Some(to_badge("T2", Some("B01"), Some(MON), Some(2))),
    );
    assert_eq!(next(&w, "B01").as_deref(), Some("J3 10"));
    assert_eq!(next(&w, "B02"), None);

    // Moved to B02: B01's next is J2.
    assign(
        &mut w,
        "J3",
        "10",
        Some(to_badge("T2", Some("B02"), Some(MON), Some(1))),
    );
    assert_eq!(next(&w, "B01").as_deref(), Some("J2 10"));
    assert_eq!(next(&w, "B02").as_deref(), Some("J3 10"));
}

#[test]
fn the_ops_nobody_has_are_listed_earliest_promise_first() {
    let mut w = shop_with_j3(vec![]);
    let mut j3 = w.catalog().jobs["J3"].clone();
    j3.promised_at = Some(t(120));
    w.upsert_job(j3);
    assign(&mut w, "J1", "10", Some(to_badge("T1", None, None, None)));
    let open = unassigned(&w.jobs(t(0)));
    assert_eq!(ops(&open), [("J3", "10"), ("J1", "20"), ("J2", "10")]);
}

#[test]
fn a_card_update_keeps_the_plan_of_the_ops_it_still_has() {
    let mut w = shop(vec![]);
    assign(
        &mut w,
        "J1",
        "10",
        Some(to_badge("T1", Some("B01"), None, Some(1))),
    );
    assign(&mut w, "J1", "20", Some(to_badge("T2", None, None, None)));
    let before = w.catalog().jobs["J1"].clone();
    // The DMS sends op 10 and a new op 30, and nothing of the plan.
    let mut update = card("J1", &[("10", 1.0), ("30", 0.5)], true);
    update.keep_assignments(&before);
    let plan: Vec<_> = (update.ops.iter())
        .map(|o| (o.op.as_str(), o.assignment.clone()))
        .collect();
    assert_eq!(
        plan,
        [
            ("10", Some(to_badge("T1", Some("B01"), None, Some(1)))),
            ("30", None)
        ]
    );
}

#[test]
fn an_assignment_names_a_technician_or_a_team_and_a_bay_the_site_has() {
    let mut settings = Settings::default();
    settings.roster.insert(
        id("T1"),
        Planned {
            team: Some("A".into()),
            ..Planned::default()
        },
    );
    let w = Workshop::new(catalog(), settings);
    let check =
        |job: &str, op: &str, a: Assignment| w.check_assignment(&id(job), &id(op), Some(&a));
    let team = |t: &str| Assignment {
        to: Assignee::Team(t.into()),
        bay: None,
        day: None,
        order: None,
    };
    assert_eq!(check("J1", "10", team("A")), Ok(()));
    assert_eq!(
        check("J1", "10", team("B")),
        Err(AssignError::UnknownTeam("B".into()))
    );
    assert_eq!(
        check("J1", "10", to_badge("Q1", None, None, None)),
        Err(AssignError::NotATechnician(id("Q1")))
    );
    assert_eq!(
        check("J1", "10", to_badge("T9", None, None, None)),
        Err(AssignError::UnknownBadge(id("T9")))
    );
    assert_eq!(
        check("J1", "10", to_badge("T1", Some("B09"), None, None)),
        Err(AssignError::UnknownBay(id("B09")))
    );
    assert_eq!(
        check("J1", "40", team("A")),
        Err(AssignError::UnknownOp {
            job: id("J1"),
            op: id("40")
        })
    );
    assert_eq!(
        check("J9", "10", team("A")),
        Err(AssignError::UnknownJob(id("J9")))
    );
    // Taking an assignment away needs only the op.
    assert_eq!(w.check_assignment(&id("J1"), &id("10"), None), Ok(()));
}

#[test]
fn an_assignment_reads_and_writes_as_the_contract_spells_it() {
    let a: Assignment =
        serde_json::from_str(r#"{"badge":"T1","bay":"B01","day":"2026-11-24","order":2}"#)
            .expect("parses");
    assert_eq!(a, to_badge("T1", Some("B01"), Some(TUE), Some(2)));
    let team: Assignment = serde_json::from_str(r#"{"team":"A"}"#).expect("parses");
    assert_eq!(
        serde_json::to_string(&team).expect("writes"),
        r#"{"team":"A"}"#
    );
    // One of badge or team, not both, not neither.
    assert!(serde_json::from_str::<Assignment>(r#"{"bay":"B01"}"#).is_err());
    assert!(serde_json::from_str::<Assignment>(r#"{"badge":"T1","team":"A"}"#).is_err());
}

#[test]
fn the_jobs_to_do_are_the_views_of_every_job_not_yet_ready() {
    use crate::sample::{site, Size};
    let s = site(Size {
        days: 2,
        ..Size::MONTH
    });
    let cut: crate::Time = "2026-11-03T15:00:00Z".parse().unwrap();
    let mut w = Workshop::new(s.catalog.clone(), s.settings.clone());
    w.restore(s.events.iter().filter(|e| e.key.ts < cut).cloned());
    for now in [cut, "2026-11-03T19:00:00Z".parse().unwrap()] {
        let all: Vec<JobView> = (w.jobs(now).into_iter())
            .filter(|j| !matches!(j.stage, Stage::Ready | Stage::Delivered))
            .collect();
        assert!(all.len() > 5);
        assert_eq!(w.jobs_to_do(now), all);
    }
}

#[test]
fn a_start_by_another_than_the_assigned_technician_or_team_is_applied_with_a_warning() {
    let mut settings = Settings::default();
    settings.roster.insert(
        id("T1"),
        Planned {
            team: Some("A".into()),
            ..Planned::default()
        },
    );
    let mut w = Workshop::new(catalog(), settings);
    assign(&mut w, "J1", "10", Some(to_badge("T1", None, None, None)));
    let team_a = Assignment {
        to: Assignee::Team("A".into()),
        bay: None,
        day: None,
        order: None,
    };
    assign(&mut w, "J2", "10", Some(team_a));
    let by_t2 = ev(0, "T2", start("J1", "10", "B01"));
    let by_t1 = ev(0, "T1", start("J2", "10", "B02"));
    let t3_on_j1 = ev(5, "T3", start("J1", "10", "B01"));
    assert_eq!(
        w.admit(by_t2.clone()),
        crate::Admission::Accepted(crate::Verdict::Warned(crate::WarningCode::NotAssigned))
    );
    assert_eq!(
        w.admit(by_t1.clone()),
        crate::Admission::Accepted(crate::Verdict::Applied)
    );
    assert_eq!(
        w.admit(t3_on_j1.clone()),
        crate::Admission::Accepted(crate::Verdict::Warned(crate::WarningCode::NotAssigned))
    );
    // Applied all the same: T2 and T3 are clocked on J1's op 10.
    let on = w.job("J1", t(10)).expect("J1").ops[0].badges.clone();
    assert_eq!(on, [id("T2"), id("T3")]);
}
