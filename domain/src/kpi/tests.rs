//! The figures of contract §6 on small timelines worked out by hand. The test catalog has work
//! bays B01, B02 and wash bay W1; J1 has ops 10 (1 h) and 20 (2 h), J2 has op 10 (1.5 h).
//! `t(m)` is m minutes after 08:00 UTC on Monday 2026-11-23; the default schedule opens
//! Monday 08:30-17:30 UTC, i.e. `t(30)`..`t(570)`.

use jiff::tz::TimeZone;

use super::*;
use crate::testkit::*;
use crate::{CallReason, EventKind, OpeningHours, PauseReason, Schedule, Settings, Workshop};

fn approx(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

macro_rules! assert_approx {
    ($a:expr, $b:expr) => {
        assert!(approx($a, $b), "{} = {} ≠ {}", stringify!($a), $a, $b)
    };
}

fn some_approx(a: Option<f64>, b: f64) -> bool {
    a.is_some_and(|a| approx(a, b))
}

fn fig(w: &Workshop, from: i64, to: i64, now: i64) -> Figures {
    figures(w, Period::new(t(from), t(to)), t(now))
}

fn utc(s: &str) -> Time {
    s.parse().expect("valid instant")
}

#[test]
fn intervals_and_sales_are_clipped_to_both_edges_of_the_period() {
    // T1 on J1/10 08:00-09:00 (finished at 09:00); T2 on J2/10 09:20-10:00 (finished 10:00).
    // Period 08:30-09:30: T1 counts 30 min, T2 10 min → 40 min. Only J1/10's finish (1 h) lies
    // in the period. Efficiency 1 / (2/3) = 1.5.
    let w = shop([
        ev(0, "T1", start("J1", "10", "B01")),
        ev(60, "T1", finish("J1", "10")),
        ev(80, "T2", start("J2", "10", "B02")),
        ev(120, "T2", finish("J2", "10")),
    ]);
    let f = fig(&w, 30, 90, 600);
    assert_approx!(f.clocked_hours, 40.0 / 60.0);
    assert_approx!(f.sold_hours, 1.0);
    assert!(some_approx(f.labour_efficiency, 1.5));
    // Nobody was on shift: available = clocked, so utilisation 1 and productivity 1.5.
    assert!(some_approx(f.available_hours, 40.0 / 60.0));
    assert!(some_approx(f.labour_utilisation, 1.0));
    assert!(some_approx(f.productivity, 1.5));
}

#[test]
fn open_intervals_are_cut_at_now_and_the_future_is_not_counted() {
    // T1 clocked on at 08:00 and still on. At 09:30 the day so far has 1.5 h clocked; the
    // bay was worked 08:30-09:30 of the 1 h of opening so far: B01 1 h of 2 bays × 1 h = 0.5.
    let w = shop([ev(0, "T1", start("J1", "10", "B01"))]);
    let f = fig(&w, 0, 600, 90);
    assert_approx!(f.clocked_hours, 1.5);
    assert!(some_approx(f.bay_utilisation, 0.5));
    assert_eq!(f.bay_blocked_hours, Some(0.0));
    // A period that ends before now is cut at its end instead.
    assert_approx!(fig(&w, 0, 45, 90).clocked_hours, 0.75);
}

#[test]
fn two_technicians_on_one_op_both_count_and_share_its_sale() {
    // T1 on J1/20 at B01 from 08:00, T2 joins at 08:30, T1 finishes at 09:30: T1 90 min,
    // T2 60 min → 2.5 h clocked, 2 h sold once. Split by clocked time: T1 2 × 90/150 = 1.2,
    // T2 0.8. Bay B01 worked 08:30-09:30 within opening (1 h); then J1 holds it with op 10
    // open, blocked "other" (a finish) 09:30-10:00. Opening so far 08:30-10:00 = 1.5 h × 2
    // bays → utilisation 1/3.
    let w = shop([
        ev(0, "T1", start("J1", "20", "B01")),
        ev(30, "T2", start("J1", "20", "B01")),
        ev(90, "T1", finish("J1", "20")),
    ]);
    let f = fig(&w, 0, 120, 120);
    assert_approx!(f.clocked_hours, 2.5);
    assert_approx!(f.sold_hours, 2.0);
    assert!(some_approx(f.labour_efficiency, 0.8));
    assert!(some_approx(f.bay_utilisation, 1.0 / 3.0));
    assert_eq!(
        f.bay_blocked_hours_by_reason,
        Some(BlockedByReason {
            other: 0.5,
            ..Default::default()
        })
    );

    let rows = grouped(&w, Period::new(t(0), t(120)), t(120), GroupBy::Badge);
    let keys: Vec<_> = rows.iter().map(|r| r.key.as_str()).collect();
    assert_eq!(keys, ["T1", "T2"]);
    assert_approx!(rows[0].figures.sold_hours, 1.2);
    assert_approx!(rows[1].figures.sold_hours, 0.8);
    assert!(some_approx(rows[1].figures.labour_efficiency, 0.8));
    assert_eq!(rows[0].figures.bay_utilisation, None);
    assert_eq!(rows[0].figures.bay_blocked_hours, None);

    let bays = grouped(&w, Period::new(t(0), t(120)), t(120), GroupBy::Bay);
    assert_eq!(
        bays.iter().map(|r| r.key.as_str()).collect::<Vec<_>>(),
        ["B01", "B02"]
    );
    let b01 = &bays[0].figures;
    assert_approx!(b01.clocked_hours, 2.5);
    assert_approx!(b01.sold_hours, 2.0);
    assert_eq!(b01.available_hours, None);
    assert!(some_approx(b01.bay_utilisation, 1.0 / 1.5));
    assert_eq!(b01.bay_blocked_hours, Some(0.5));
    assert_eq!(bays[1].figures.bay_utilisation, Some(0.0));
}

#[test]
fn a_switch_ends_one_interval_and_blocks_the_old_bay() {
    // T1 on J1/10 at B01 08:30-09:00, then switches to J2/10 at B02 until now 10:00.
    // Clocked 0.5 + 1 = 1.5 h. B01 busy 0.5 h, then blocked "other" (switched) 1 h;
    // B02 busy 1 h. Opening 08:30-10:00 = 1.5 h × 2 bays: utilisation 1.5 / 3 = 0.5.
    let w = shop([
        ev(30, "T1", start("J1", "10", "B01")),
        ev(60, "T1", start("J2", "10", "B02")),
    ]);
    let f = fig(&w, 0, 600, 120);
    assert_approx!(f.clocked_hours, 1.5);
    assert!(some_approx(f.bay_utilisation, 0.5));
    assert_eq!(f.bay_blocked_hours, Some(1.0));
    assert_eq!(f.bay_blocked_hours_by_reason.map(|b| b.other), Some(1.0));
}

#[test]
fn rework_earns_no_more_sold_hours_and_a_first_fail_spoils_first_time_fix() {
    // J2/10 (1.5 h): checked in 08:00, worked 08:30-09:30, finished, QC fails 09:40, reworked
    // 09:50-10:20, finished again, QC passes 10:30 → ready (J2 is not washed) at 10:30.
    // Sold 1.5 h once; clocked 1.5 h; first QC result a fail → FTF 0; cycle 2.5 h.
    let mut w = shop([
        ev(0, "A1", check_in("J2")),
        ev(30, "T1", start("J2", "10", "B01")),
        ev(90, "T1", finish("J2", "10")),
        ev(100, "Q1", qc_fail("J2", Some("10"))),
        ev(110, "T1", resume("J2", "10", None)),
        ev(140, "T1", finish("J2", "10")),
        ev(150, "Q1", qc_pass("J2")),
    ]);
    let f = fig(&w, 0, 600, 600);
    assert_approx!(f.sold_hours, 1.5);
    assert_approx!(f.clocked_hours, 1.5);
    assert_eq!(f.first_time_fix_rate, Some(0.0));
    assert_eq!(f.avg_cycle_hours, Some(2.5));
    // No promise: the job is left out of the on-time rate.
    assert_eq!(f.on_time_rate, None);
    // The period of the second finish only: nothing sold, no first QC result in it.
    let later = fig(&w, 120, 600, 600);
    assert_eq!((later.sold_hours, later.first_time_fix_rate), (0.0, None));
    // Promised for 10:20, ready 10:30: late.
    let mut card = card("J2", &[("10", 1.5)], false);
    card.promised_at = Some(t(140));
    w.upsert_job(card);
    assert_eq!(fig(&w, 0, 600, 600).on_time_rate, Some(0.0));
}

#[test]
fn a_badges_first_time_fix_counts_a_fail_only_against_the_crew_of_the_failed_op() {
    // J1: T1 on op 10 (08:00-08:30), T2 on op 20 (08:00-09:00); the first QC result at 09:10
    // fails op 20 only. J2: T1 and T3 on its op, the first QC result at 09:40 fails the whole
    // job (no op). Site: two first results, both fails → 0/2.
    // T1: J1's fail is not its work → a pass; J2's fail counts → 1/2 = 0.5.
    // T2: J1's fail is its work → 0/1. T3: J2's fail → 0/1.
    let w = shop([
        ev(0, "T1", start("J1", "10", "B01")),
        ev(30, "T1", finish("J1", "10")),
        ev(0, "T2", start("J1", "20", "B02")),
        ev(60, "T2", finish("J1", "20")),
        ev(70, "Q1", qc_fail("J1", Some("20"))),
        ev(75, "T1", start("J2", "10", "B01")),
        ev(80, "T3", start("J2", "10", "B01")),
        ev(90, "T3", finish("J2", "10")),
        ev(100, "Q1", qc_fail("J2", None)),
    ]);
    let period = Period::new(t(0), t(600));
    assert_eq!(figures(&w, period, t(600)).first_time_fix_rate, Some(0.0));
    let rows = grouped(&w, period, t(600), GroupBy::Badge);
    let ftf: Vec<(&str, Option<f64>)> = (rows.iter())
        .map(|r| (r.key.as_str(), r.figures.first_time_fix_rate))
        .collect();
    assert_eq!(
        ftf,
        [("T1", Some(0.5)), ("T2", Some(0.0)), ("T3", Some(0.0))]
    );
    // Teams: A = {T1}, B = {T2, T3}. A: J1's fail is not its work, J2's is → 1/2. B: both
    // fails are its members' work → 0/2. Clocked: A = T1 30 + 15 = 45 min; B = T2 60 + T3
    // 10 = 70 min; together the site's 115 min.
    let mut settings = Settings::default();
    for (b, team) in [("T1", "A"), ("T2", "B"), ("T3", "B")] {
        let planned = crate::Planned {
            team: Some(team.into()),
            ..Default::default()
        };
        settings.roster.insert(id(b), planned);
    }
    let mut teams = Workshop::new(catalog(), settings);
    teams.restore(w.events().cloned());
    let rows = grouped(&teams, period, t(600), GroupBy::Team);
    let got: Vec<(&str, Option<f64>)> = (rows.iter())
        .map(|r| (r.key.as_str(), r.figures.first_time_fix_rate))
        .collect();
    assert_eq!(got, [("A", Some(0.5)), ("B", Some(0.0))]);
    assert_approx!(rows[0].figures.clocked_hours, 45.0 / 60.0);
    assert_approx!(rows[1].figures.clocked_hours, 70.0 / 60.0);
    assert_approx!(figures(&teams, period, t(600)).clocked_hours, 115.0 / 60.0);
    assert_eq!(rows[0].figures.bay_utilisation, None);
}

#[test]
fn rework_hours_are_the_time_clocked_on_reopened_ops_after_the_fail() {
    // J2/10: T1 08:30-09:30 and finishes; QC fails op 10 at 09:40; T1 resumes 09:50, T2
    // joins 10:00, T1 finishes 10:20: rework T1 30 + T2 20 = 50 min, all at B01.
    // J1: T3 on op 10 at B02 08:00-08:30 (finished); QC fails the whole job at 08:35; T3 on
    // op 20 08:40-09:00 (never finished before: first work, not rework), then back on op 10
    // 09:00-09:10: 10 min of rework. Site: 60 min = 1 h of rework, of 60 + 30 + 20 (J2) +
    // 30 + 20 + 10 (J1) = 170 min clocked.
    let w = shop([
        ev(30, "T1", start("J2", "10", "B01")),
        ev(90, "T1", finish("J2", "10")),
        ev(100, "Q1", qc_fail("J2", Some("10"))),
        ev(110, "T1", resume("J2", "10", None)),
        ev(120, "T2", start("J2", "10", "B01")),
        ev(140, "T1", finish("J2", "10")),
        ev(0, "T3", start("J1", "10", "B02")),
        ev(30, "T3", finish("J1", "10")),
        ev(35, "Q1", qc_fail("J1", None)),
        ev(40, "T3", start("J1", "20", "B02")),
        ev(60, "T3", start("J1", "10", "B02")),
        ev(70, "T3", pause("J1", "10", PauseReason::Other)),
    ]);
    let f = fig(&w, 0, 600, 600);
    assert_approx!(f.clocked_hours, 170.0 / 60.0);
    assert_approx!(f.rework_hours, 1.0);
    // From 10:00 on: T1 and T2 20 min each on J2's rework.
    assert_approx!(fig(&w, 120, 600, 600).rework_hours, 40.0 / 60.0);
    let period = Period::new(t(0), t(600));
    let badges = grouped(&w, period, t(600), GroupBy::Badge);
    let by: Vec<(&str, f64)> = (badges.iter())
        .map(|r| (r.key.as_str(), r.figures.rework_hours))
        .collect();
    assert_eq!(by.len(), 3);
    assert_approx!(by[0].1, 0.5);
    assert_approx!(by[1].1, 20.0 / 60.0);
    assert_approx!(by[2].1, 10.0 / 60.0);
    let bays = grouped(&w, period, t(600), GroupBy::Bay);
    assert_approx!(bays[0].figures.rework_hours, 50.0 / 60.0);
    assert_approx!(bays[1].figures.rework_hours, 10.0 / 60.0);
}

#[test]
fn job_figures_count_qc_ready_and_delivery_in_the_period() {
    // J1 (washed): in 08:00, QC pass 09:40, washed until 10:10 → ready 10:10, promised
    // 10:00: late; cycle 130 min. J2 (not washed): in 08:10, QC pass 09:00 → ready 09:00,
    // promised 12:00: on time; cycle 50 min; delivered 09:10. FTF 2/2, on time 1/2,
    // mean cycle (130 + 50) / 2 = 90 min, 1 delivered.
    let mut w = shop([
        ev(0, "A1", check_in("J1")),
        ev(10, "A1", check_in("J2")),
        ev(20, "T1", finish("J1", "10")),
        ev(30, "T1", finish("J1", "20")),
        ev(50, "T2", finish("J2", "10")),
        ev(60, "Q1", qc_pass("J2")),
        ev(70, "A1", delivered("J2")),
        ev(100, "Q1", qc_pass("J1")),
        ev(110, "T3", wash_start("J1", Some("W1"))),
        ev(130, "T3", wash_done("J1")),
    ]);
    for (job, ops, wash, promised) in [
        ("J1", &[("10", 1.0), ("20", 2.0)][..], true, 120),
        ("J2", &[("10", 1.5)][..], false, 240),
    ] {
        let mut c = card(job, ops, wash);
        c.promised_at = Some(t(promised));
        w.upsert_job(c);
    }
    let f = fig(&w, 0, 600, 600);
    assert_eq!(f.first_time_fix_rate, Some(1.0));
    assert_eq!(f.on_time_rate, Some(0.5));
    assert_eq!(f.avg_cycle_hours, Some(1.5));
    assert_eq!(f.jobs_delivered, 1);
    assert_approx!(f.sold_hours, 4.5);
    // Finished without clocked time: efficiency has no denominator.
    assert_eq!(f.labour_efficiency, None);
    // A period before J1 was ready sees only J2.
    let early = fig(&w, 0, 100, 600);
    assert_eq!((early.on_time_rate, early.jobs_delivered), (Some(1.0), 1));
    // Sold hours of ops finished without clocked time go to whoever scanned the finish.
    let rows = grouped(&w, Period::new(t(0), t(600)), t(600), GroupBy::Badge);
    let t1 = rows
        .iter()
        .find(|r| r.key == "T1")
        .map(|r| r.figures.sold_hours);
    assert_eq!(t1, Some(3.0));
}

#[test]
fn a_bay_left_at_the_end_of_the_day_is_blocked_shift_end_not_other() {
    // T1 on shift, on J1/10 at B01 from 08:30, scans shift_end at 12:00: B01 is blocked
    // shift_end 12:00-17:30 (5.5 h) and on Tuesday 08:30-09:30 (1 h). T2 on J2/10 at B02
    // from 09:00 never clocks off: clocked off at 17:30 as forgotten, and B02 is blocked
    // shift_end from Tuesday's opening, 08:30-09:30 (1 h). Monday's 17:30-18:30 grace lies
    // outside opening hours. shift_end 7.5 h, every other key 0.
    let w = shop([
        ev(0, "T1", EventKind::ShiftStart),
        ev(30, "T1", start("J1", "10", "B01")),
        ev(240, "T1", EventKind::ShiftEnd),
        ev(60, "T2", start("J2", "10", "B02")),
    ]);
    let f = fig(&w, 0, 1440 + 90, 1440 + 90);
    assert_eq!(
        f.bay_blocked_hours_by_reason,
        Some(BlockedByReason {
            shift_end: 7.5,
            ..Default::default()
        })
    );
    assert_eq!(f.bay_blocked_hours, Some(7.5));
}

#[test]
fn available_time_is_the_union_of_attendance_and_clocked_time_across_gaps() {
    // T1 on shift 08:00-09:00 and 10:00-12:00, clocked 09:10-09:40 in the gap (no shift):
    // available 60 + 30 + 120 = 210 min = 3.5 h; clocked 0.5 h; utilisation 1/7.
    let w = shop([
        ev(0, "T1", EventKind::ShiftStart),
        ev(60, "T1", EventKind::ShiftEnd),
        ev(70, "T1", start("J1", "10", "B01")),
        ev(100, "T1", pause("J1", "10", PauseReason::Break)),
        ev(120, "T1", EventKind::ShiftStart),
        ev(240, "T1", EventKind::ShiftEnd),
    ]);
    let f = fig(&w, 0, 600, 600);
    assert!(some_approx(f.available_hours, 3.5));
    assert!(some_approx(f.labour_utilisation, 0.5 / 3.5));
    assert_eq!(f.productivity, Some(0.0));
    // The bay, held by J1 after the break pause 09:40 until 17:30 closing, is blocked "break".
    assert_eq!(
        f.bay_blocked_hours_by_reason.map(|b| b.break_),
        Some(470.0 / 60.0)
    );
}

#[test]
fn a_closed_day_has_no_bay_hours_and_its_blocked_car_counts_from_opening() {
    // Sunday 2026-11-29 is closed. T1 works J1/10 at B01 10:00-12:00 and pauses for parts.
    // Sunday: 2 h clocked, no opening hours → utilisation null, nothing blocked.
    // Monday to 10:00: the car still blocks B01 for parts from 08:30 → 1.5 h.
    let sun = |h: i64| utc("2026-11-29T00:00:00Z") + jiff::SignedDuration::from_hours(h);
    let mut w = Workshop::new(catalog(), Settings::default());
    let mut e1 = ev(0, "T1", start("J1", "10", "B01"));
    e1.key.ts = sun(10);
    let mut e2 = ev(0, "T1", pause("J1", "10", PauseReason::Parts));
    e2.key.ts = sun(12);
    w.restore([e1, e2]);
    let sunday = figures(&w, Period::new(sun(0), sun(24)), sun(24 + 10));
    assert_approx!(sunday.clocked_hours, 2.0);
    assert_eq!(sunday.bay_utilisation, None);
    assert_eq!(sunday.bay_blocked_hours, Some(0.0));
    let monday = figures(&w, Period::new(sun(24), sun(48)), sun(24 + 10));
    assert_eq!(monday.bay_utilisation, Some(0.0));
    assert_eq!(
        monday.bay_blocked_hours_by_reason.map(|b| b.parts),
        Some(1.5)
    );
}

fn berlin_night_shop(events: Vec<crate::Event>) -> Workshop {
    // Open 01:00-05:00 local every day, so the October change (03:00 CEST → 02:00 CET on
    // Sunday 2026-10-25) falls inside opening hours.
    let hours = OpeningHours::every_day(crate::DayHours::span(
        jiff::civil::time(1, 0, 0, 0),
        jiff::civil::time(5, 0, 0, 0),
    ));
    let settings = Settings {
        schedule: Schedule::new(hours, TimeZone::get("Europe/Berlin").expect("tzdb")),
        ..Settings::default()
    };
    let mut w = Workshop::new(catalog(), settings);
    w.restore(events);
    w
}

fn at(ts: &str, mut e: crate::Event) -> crate::Event {
    e.key.ts = utc(ts);
    e
}

#[test]
fn bay_hours_follow_local_time_across_the_october_dst_change() {
    // Opening on 2026-10-25 is 01:00 CEST (23:00Z on the 24th) to 05:00 CET (04:00Z): 5 h.
    // T1 works B01 the whole opening: B01 5 h of 2 bays × 5 h = 0.5.
    let w = berlin_night_shop(vec![
        at(
            "2026-10-24T23:00:00Z",
            ev(0, "T1", start("J1", "10", "B01")),
        ),
        at(
            "2026-10-25T04:00:00Z",
            ev(0, "T1", pause("J1", "10", PauseReason::Parts)),
        ),
    ]);
    let day = Period::new(utc("2026-10-24T22:00:00Z"), utc("2026-10-25T23:00:00Z"));
    let f = figures(&w, day, utc("2026-10-30T00:00:00Z"));
    assert_approx!(f.clocked_hours, 5.0);
    assert!(some_approx(f.bay_utilisation, 0.5));
}

#[test]
fn day_rows_are_local_days_and_the_october_sunday_has_25_hours() {
    // T1 on shift from local midnight of the 25th (22:00Z on the 24th) to local midnight of
    // the 27th (23:00Z on the 26th): 25 h on the 25th, 24 h on the 26th.
    let w = berlin_night_shop(vec![
        at("2026-10-24T22:00:00Z", ev(0, "T1", EventKind::ShiftStart)),
        at("2026-10-26T23:00:00Z", ev(0, "T1", EventKind::ShiftEnd)),
    ]);
    let period = Period::new(utc("2026-10-24T22:00:00Z"), utc("2026-10-26T23:00:00Z"));
    let rows = grouped(&w, period, utc("2026-11-01T00:00:00Z"), GroupBy::Day);
    let got: Vec<_> = rows
        .iter()
        .map(|r| (r.key.as_str(), r.figures.available_hours))
        .collect();
    assert_eq!(
        got,
        [("2026-10-25", Some(25.0)), ("2026-10-26", Some(24.0))]
    );
    // Days that have not begun by now get no row.
    let now = utc("2026-10-25T12:00:00Z");
    assert_eq!(grouped(&w, period, now, GroupBy::Day).len(), 1);
}

#[test]
fn zero_denominators_give_null_ratios() {
    let w = shop([]);
    let f = fig(&w, 0, 600, 600);
    assert_eq!(
        (f.clocked_hours, f.sold_hours, f.available_hours),
        (0.0, 0.0, Some(0.0))
    );
    assert_eq!(
        (f.labour_efficiency, f.labour_utilisation, f.productivity),
        (None, None, None)
    );
    assert_eq!(
        (f.first_time_fix_rate, f.on_time_rate, f.avg_cycle_hours),
        (None, None, None)
    );
    // No delivery: no comeback rate, not 0.
    assert_eq!((f.comebacks, f.comeback_rate), (0, None));
    // Opening hours in the period: utilisation 0, not null.
    assert_eq!(f.bay_utilisation, Some(0.0));
    // An empty period, or one wholly after now, has no opening hours.
    assert_eq!(fig(&w, 100, 100, 600).bay_utilisation, None);
    assert_eq!(fig(&w, 100, 200, 50).bay_utilisation, None);
}

#[test]
fn figures_serialise_with_the_contracts_field_names() {
    let w = shop([]);
    let json = serde_json::to_value(fig(&w, 0, 600, 600)).expect("serialises");
    let mut keys: Vec<_> = json
        .as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default();
    keys.sort();
    assert_eq!(
        keys,
        [
            "available_hours",
            "avg_cycle_hours",
            "bay_blocked_hours",
            "bay_blocked_hours_by_reason",
            "bay_utilisation",
            "call_answer_minutes_avg",
            "call_answer_minutes_p90",
            "calls",
            "clocked_hours",
            "comeback_rate",
            "comebacks",
            "first_time_fix_rate",
            "jobs_delivered",
            "labour_efficiency",
            "labour_utilisation",
            "on_time_rate",
            "productivity",
            "rework_hours",
            "sold_hours",
        ]
    );
    assert_eq!(
        json["bay_blocked_hours_by_reason"],
        serde_json::json!({"parts": 0.0, "approval": 0.0, "break": 0.0, "shift_end": 0.0, "other": 0.0})
    );
    assert!(json["labour_efficiency"].is_null());
}

#[test]
fn call_figures_count_calls_opened_and_answer_times_of_calls_answered_in_the_period() {
    // Calls at t(0) answered at t(4) (4 min), at t(10) answered at t(12) (2 min), at t(20)
    // answered at t(40) (20 min), at t(50) cleared unanswered, at t(55) still open.
    // Period t(0)..t(60): 5 calls; waits 2, 4, 20 → mean 26/3; p90 rank ⌈2.7⌉ = 3rd → 20.
    let w = shop([
        ev(0, "T1", call(Some("B01"), CallReason::Parts)),
        ev(4, "T2", answer("B01")),
        ev(5, "T2", clear("B01")),
        ev(10, "T1", call(Some("B02"), CallReason::Foreman)),
        ev(12, "T3", answer("B02")),
        ev(13, "T3", clear("B02")),
        ev(20, "T1", call(Some("B01"), CallReason::Tools)),
        ev(40, "T2", answer("B01")),
        ev(41, "T2", clear("B01")),
        ev(50, "T3", call(Some("B02"), CallReason::Qc)),
        ev(52, "T3", clear("B02")),
        ev(55, "T3", call(Some("B02"), CallReason::Other)),
    ]);
    let f = fig(&w, 0, 60, 600);
    assert_eq!(f.calls, 5);
    assert!(some_approx(f.call_answer_minutes_avg, 26.0 / 3.0));
    assert!(some_approx(f.call_answer_minutes_p90, 20.0));
    // A period holding only the answer of the t(20) call: no call opened, one wait of 20 min.
    let f = fig(&w, 30, 45, 600);
    assert_eq!(f.calls, 0);
    assert!(some_approx(f.call_answer_minutes_avg, 20.0));
    assert!(some_approx(f.call_answer_minutes_p90, 20.0));
    // Before the first answer: one call, nothing answered yet.
    let f = fig(&w, 0, 60, 3);
    assert_eq!(
        (
            f.calls,
            f.call_answer_minutes_avg,
            f.call_answer_minutes_p90
        ),
        (1, None, None)
    );
    // By bay: B02 had three calls, one answered after 2 min. (Badge rows are for badges with
    // time; none clocked on here.)
    let bays = grouped(&w, Period::new(t(0), t(60)), t(600), GroupBy::Bay);
    let b02 = &bays
        .iter()
        .find(|r| r.key == "B02")
        .expect("B02 row")
        .figures;
    assert_eq!(b02.calls, 3);
    assert!(some_approx(b02.call_answer_minutes_p90, 2.0));
}
