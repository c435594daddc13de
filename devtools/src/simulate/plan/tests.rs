use std::collections::{BTreeMap, BTreeSet};

use bayline_domain::{Admission, EventKind, PauseReason, Time, Verdict, Workshop};
use bayline_site::SiteConfig;
use jiff::civil::{date, Date};

use super::*;

/// Monday 23 to Saturday 28 November 2026: five long days and a short Saturday.
fn week() -> Vec<Date> {
    (23..=28).map(|d| date(2026, 11, d)).collect()
}

fn plan(seed: u64, days: Vec<Date>) -> Plan {
    let spec = Spec {
        seed,
        days,
        duplicates: 0.1,
    };
    Plan::new(&SiteConfig::demo(), &spec).unwrap()
}

/// The demo site's workshop with the plan's job cards, each scan admitted in timeline order;
/// asserts each is applied as it comes, and hands back the workshop after every scan.
fn fold(plan: &Plan, mut each: impl FnMut(&Workshop, &Event)) -> Workshop {
    let site = SiteConfig::demo();
    let mut catalog = site.catalog();
    for card in &plan.jobs {
        catalog.jobs.insert(card.job.clone(), card.clone());
    }
    let mut w = Workshop::new(catalog, site.settings());
    for s in &plan.scans {
        let got = w.admit(s.event.clone());
        assert_eq!(
            got,
            Admission::Accepted(Verdict::Applied),
            "{:?} at {} by {} on {}",
            s.event.kind,
            s.event.key.ts,
            s.event.badge,
            s.event.key.scanner
        );
        each(&w, &s.event);
    }
    w
}

#[test]
fn the_same_seed_and_days_give_the_same_plan_and_another_seed_another() {
    let a = plan(7, week());
    let b = plan(7, week());
    assert_eq!(a.scans, b.scans);
    assert_eq!(a.jobs, b.jobs);
    let c = plan(8, week());
    assert_ne!(a.scans, c.scans);
    // A day's plan does not depend on which other days are planned with it.
    let friday = plan(7, vec![date(2026, 11, 27)]);
    let in_week: Vec<_> = (a.scans.iter())
        .filter(|s| s.day == 4)
        .map(|s| &s.event)
        .collect();
    assert_eq!(
        in_week,
        friday.scans.iter().map(|s| &s.event).collect::<Vec<_>>()
    );
}

#[test]
fn every_scan_is_applied_without_a_warning_in_timeline_order() {
    for seed in 1..=6 {
        fold(&plan(seed, week()), |_, _| {});
    }
}

#[test]
fn every_op_started_is_finished_every_job_delivered_and_nobody_left_clocked_on() {
    for seed in 1..=6 {
        let p = plan(seed, week());
        let w = fold(&p, |_, _| {});
        let state = w.state();
        for card in &p.jobs {
            let job = state.job(&card.job).unwrap();
            assert!(job.delivered_at.is_some(), "{} not delivered", card.job);
            assert!(job.checked_in_at.is_some() && job.ready_at.is_some());
            for op in &card.ops {
                let track = state.op(&card.job, &op.op).unwrap();
                assert!(
                    track.finished && track.on.is_empty(),
                    "{} {}",
                    card.job,
                    op.op
                );
            }
        }
        assert!(state.badges.values().all(|b| b.shift.is_none()));
        assert!(state.forgotten.is_empty());
        // Every day's last car is gone within the day's tail.
        for (i, day) in p.days.iter().enumerate() {
            let scans = p.scans.iter().filter(|s| s.day == i);
            for s in scans {
                let ts = s.event.key.ts;
                assert!(ts >= day.open - SignedDuration::from_mins(30), "{ts}");
                assert!(ts <= day.close + DAY_TAIL, "{ts} after {}", day.close);
            }
        }
    }
}

#[test]
fn a_badge_is_on_one_op_at_a_time_and_only_leaves_one_for_another_by_switching() {
    let p = plan(3, week());
    let mut switches = 0;
    let mut shared = 0;
    let mut on_before: BTreeMap<Id, usize> = BTreeMap::new();
    fold(&p, |w, e| {
        let state = w.state();
        let mut on: BTreeMap<Id, usize> = BTreeMap::new();
        let mut busiest = 0;
        for job in state.jobs.values() {
            for op in job.ops.values() {
                busiest = busiest.max(op.on.len());
                for badge in op.on.keys() {
                    *on.entry(badge.clone()).or_default() += 1;
                }
            }
        }
        assert!(
            on.values().all(|&n| n == 1),
            "a badge on two ops after {e:?}"
        );
        if busiest > 1 {
            shared += 1;
        }
        let clocks_on = matches!(e.kind, EventKind::Start { .. } | EventKind::Resume { .. });
        if clocks_on && on_before.contains_key(&e.badge) {
            switches += 1;
        }
        on_before = on;
    });
    assert!(switches > 0, "nobody switched ops");
    assert!(shared > 0, "never two technicians on one op");
}

#[test]
fn handhelds_number_their_scans_in_time_order() {
    let p = plan(5, week());
    let scanners: BTreeSet<&str> = p
        .scans
        .iter()
        .map(|s| s.event.key.scanner.as_str())
        .collect();
    assert_eq!(scanners.len(), 6, "{scanners:?}");
    for scanner in scanners {
        let mut own: Vec<&EventKey> = p.of_scanner(scanner).map(|s| &s.event.key).collect();
        own.sort_by_key(|k| k.seq);
        assert!(own
            .windows(2)
            .all(|w| w[0].seq < w[1].seq && w[0].ts <= w[1].ts));
    }
    // Timeline order, which is also the order they are played in.
    assert!(p.scans.windows(2).all(|w| w[0].event.key < w[1].event.key));
}

fn paused(r: PauseReason) -> impl Fn(&EventKind) -> bool {
    move |k| matches!(k, EventKind::Pause { reason, .. } if reason.category == r && reason.site.is_none())
}

#[test]
fn a_week_has_every_moment_of_a_workshop() {
    for seed in 1..=4 {
        let p = plan(seed, week());
        let has = |f: &dyn Fn(&EventKind) -> bool| p.scans.iter().any(|s| f(&s.event.kind));
        assert!(has(&paused(PauseReason::Parts)), "seed {seed}: parts");
        assert!(has(&paused(PauseReason::Approval)), "seed {seed}: approval");
        assert!(has(&paused(PauseReason::Break)), "seed {seed}: lunch");
        assert!(has(&|k| matches!(k, EventKind::QcFail { op: Some(_), .. })));
        for action in [
            "check_in",
            "shift_start",
            "shift_end",
            "wash_start",
            "wash_done",
            "ready",
            "delivered",
            "qc_pass",
            "finish",
            "resume",
        ] {
            assert!(
                has(&|k: &EventKind| k.action().as_str() == action),
                "seed {seed}: {action}"
            );
        }
        // Each day a QC failure with its rework.
        for i in 0..p.days.len() {
            let fails = p
                .scans
                .iter()
                .filter(|s| s.day == i && matches!(s.event.kind, EventKind::QcFail { .. }));
            assert!(fails.count() >= 1, "seed {seed} day {i}: no QC failure");
        }
        // Check-ins through the morning, jobs with realistic cards.
        let duplicates = p.scans.iter().filter(|s| s.repeat).count();
        assert!(duplicates > 0 && duplicates < p.scans.len() / 4);
        for card in &p.jobs {
            assert!(card.plate.chars().count() == 7, "{}", card.plate);
            assert!(!card.vehicle.is_empty() && card.promised_at.is_some());
            assert!(card.ops.iter().all(|o| (0.3..=3.0).contains(&o.std_hours)));
        }
    }
}

#[test]
fn a_day_is_busy_but_not_overbooked() {
    let p = plan(11, vec![date(2026, 11, 24)]);
    assert!((10..=30).contains(&p.jobs.len()), "{} jobs", p.jobs.len());
    assert!(
        (200..=700).contains(&p.scans.len()),
        "{} scans",
        p.scans.len()
    );
}

fn at(s: &str) -> Time {
    s.parse().unwrap()
}

#[test]
fn days_are_the_most_recent_open_days_that_are_over() {
    let schedule = SiteConfig::demo().schedule();
    // Monday 30 November 2026, 10:00 in Shanghai: Monday is not over, Sunday is closed.
    let now = at("2026-11-30T10:00:00+08:00");
    assert_eq!(
        recent_days(&schedule, now, 3),
        vec![date(2026, 11, 26), date(2026, 11, 27), date(2026, 11, 28)]
    );
    assert_eq!(today(&schedule, now), Some(date(2026, 11, 30)));
    // Monday at 20:00 (closing plus two hours is 19:30): Monday is a day to replay.
    let evening = at("2026-11-30T20:00:00+08:00");
    assert_eq!(recent_days(&schedule, evening, 1), vec![date(2026, 11, 30)]);
    assert_eq!(today(&schedule, evening), None);
    // Sunday has no today.
    assert_eq!(today(&schedule, at("2026-11-29T10:00:00+08:00")), None);
}

#[test]
fn a_site_without_an_inspector_or_technicians_says_what_is_missing() {
    let demo = SiteConfig::demo();
    let mut site = demo.clone();
    site.staff.retain(|s| s.role != Role::Qc);
    let spec = Spec {
        seed: 1,
        days: vec![date(2026, 11, 24)],
        duplicates: 0.0,
    };
    assert_eq!(
        Plan::new(&site, &spec).unwrap_err(),
        PlanError::Missing("QC inspector")
    );
    let mut site = demo.clone();
    site.staff.retain(|s| s.role != Role::Technician);
    assert_eq!(
        Plan::new(&site, &spec).unwrap_err(),
        PlanError::Missing("technician")
    );
    let sunday = Spec {
        days: vec![date(2026, 11, 29)],
        ..spec.clone()
    };
    assert_eq!(
        Plan::new(&demo, &sunday).unwrap_err(),
        PlanError::Closed(date(2026, 11, 29))
    );
    let many = Spec {
        duplicates: 1.5,
        ..spec
    };
    assert_eq!(
        Plan::new(&demo, &many).unwrap_err(),
        PlanError::Duplicates(1.5)
    );
}

#[test]
fn the_demo_roster_gives_each_technician_a_bay_and_shares_handhelds() {
    let r = Roster::of(&SiteConfig::demo()).unwrap();
    let pairs: Vec<(&str, &str, &str)> = (r.techs.iter())
        .map(|t| (t.badge.as_str(), t.bay.as_str(), t.scanner.as_str()))
        .collect();
    assert_eq!(
        pairs,
        vec![
            ("T01", "B01", "HH-01"),
            ("T02", "B02", "HH-01"),
            ("T03", "B03", "HH-02"),
            ("T04", "B04", "HH-02"),
            ("T05", "AL1", "HH-03"),
            ("T06", "BD1", "HH-03"),
            ("T07", "PT1", "HH-04"),
        ]
    );
    assert_eq!(
        (r.front_desk.as_str(), r.qc_desk.as_str()),
        ("HH-FD", "HH-QC")
    );
    assert_eq!(r.washer.as_deref(), Some("W01"));
    assert_eq!(r.wash_bay.as_deref(), Some("W1"));
}

#[test]
fn every_day_has_a_qc_failure_and_its_rework() {
    for seed in 1..=20 {
        let p = plan(seed, week());
        for i in 0..p.days.len() {
            let failed: Vec<(&Id, &Id)> = (p.scans.iter().filter(|s| s.day == i))
                .filter_map(|s| match &s.event.kind {
                    EventKind::QcFail {
                        job, op: Some(op), ..
                    } => Some((job, op)),
                    _ => None,
                })
                .collect();
            assert!(!failed.is_empty(), "seed {seed} day {i}: no QC failure");
            for (job, op) in failed {
                let finishes = (p.scans.iter())
                    .filter(|s| match &s.event.kind {
                        EventKind::Finish { job: j, op: o } => j == job && o == op,
                        _ => false,
                    })
                    .count();
                assert_eq!(finishes, 2, "seed {seed}: {job} {op} not reworked once");
            }
        }
    }
}
