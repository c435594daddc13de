//! Loading worked by hand. The site opens 08:30-12:00 and 13:30-17:30 UTC on weekdays (7.5 h);
//! `t(m)` is m minutes after 08:00 on Monday 2026-11-23, and it is 10:30 (`t(150)`).
//! Team A: T1 (opening hours) and T2 (13:30-17:30 on weekdays, away on Tuesday); team B: T3
//! (opening hours, away on Wednesday). J1 (op 10 1 h, op 20 2 h) is promised Tuesday noon and
//! T1 finished its op 10 on Monday morning; J2 (1.5 h), nobody on it yet, Monday 16:00.

use jiff::civil::{date, time, Weekday};
use jiff::tz::TimeZone;

use super::*;
use crate::testkit::*;
use crate::{DayHours, OpeningHours, Planned, Settings};

fn shop() -> Workshop {
    let mut week = OpeningHours::CLOSED;
    let mut afternoons = OpeningHours::CLOSED;
    for d in [
        Weekday::Monday,
        Weekday::Tuesday,
        Weekday::Wednesday,
        Weekday::Thursday,
        Weekday::Friday,
    ] {
        week.set(
            d,
            DayHours::new([
                (time(8, 30, 0, 0), time(12, 0, 0, 0)),
                (time(13, 30, 0, 0), time(17, 30, 0, 0)),
            ]),
        );
        afternoons.set(d, DayHours::span(time(13, 30, 0, 0), time(17, 30, 0, 0)));
    }
    let mut settings = Settings {
        schedule: Schedule::new(week, TimeZone::UTC),
        ..Settings::default()
    };
    let team = |t: &str| Some(t.to_string());
    let (tue, wed) = (date(2026, 11, 24), date(2026, 11, 25));
    settings.roster.insert(
        id("T1"),
        Planned {
            team: team("A"),
            ..Planned::default()
        },
    );
    settings.roster.insert(
        id("T2"),
        Planned {
            hours: Some(afternoons),
            team: team("A"),
            absences: vec![(tue, tue)],
        },
    );
    settings.roster.insert(
        id("T3"),
        Planned {
            team: team("B"),
            absences: vec![(wed, wed)],
            ..Planned::default()
        },
    );
    let mut w = Workshop::new(catalog(), settings);
    let mut j1 = catalog().jobs["J1"].clone();
    j1.promised_at = Some(t(24 * 60 + 240));
    let mut j2 = catalog().jobs["J2"].clone();
    j2.promised_at = Some(t(480));
    w.upsert_job(j1);
    w.upsert_job(j2);
    w.restore([
        ev(60, "T1", start("J1", "10", "B01")),
        ev(120, "T1", finish("J1", "10")),
    ]);
    w
}

fn load(available: f64, booked: f64) -> Load {
    Load {
        available_hours: available,
        booked_hours: booked,
        free_hours: available - booked,
    }
}

#[test]
fn each_day_has_its_teams_planned_hours_less_absences_and_the_work_promised_on_it() {
    let days = shop().loading(date(2026, 11, 23), 3, t(150));
    let shown: Vec<_> = days
        .iter()
        .map(|d| {
            (
                d.date,
                d.total,
                d.teams.get("A").copied(),
                d.teams.get("B").copied(),
            )
        })
        .collect();
    assert_eq!(
        shown,
        [
            // T1 7.5 + T2 4 in A, T3 7.5 in B; J2's 1.5 h has no team.
            (
                date(2026, 11, 23),
                load(19.0, 1.5),
                Some(load(11.5, 0.0)),
                Some(load(7.5, 0.0))
            ),
            // T2 away; J1's op 20 (2 h) is A's, by T1 who worked the job.
            (
                date(2026, 11, 24),
                load(15.0, 2.0),
                Some(load(7.5, 2.0)),
                Some(load(7.5, 0.0))
            ),
            // T3 away.
            (
                date(2026, 11, 25),
                load(11.5, 0.0),
                Some(load(11.5, 0.0)),
                Some(load(0.0, 0.0))
            ),
        ]
    );
}

#[test]
fn a_promise_is_the_first_instant_the_free_hours_since_now_reach_the_work() {
    let w = shop();
    // Team A today from 10:30: T1 5.5 h, T2 4 h, nothing booked: 3 h fit today. T1 alone
    // does 1.5 h by noon, then both from 13:30 the last 1.5 h in 45 min → 14:15.
    let p = w.promise(3.0, Some("A"), t(150));
    assert_eq!((p.at, p.loading.len()), (Some(t(375)), 1));
    // 10 h: 9.5 free today, 5.5 tomorrow (T1 alone, 2 h booked): tomorrow T1 does the 2 h
    // booked and the 0.5 h missing from 08:30 → 11:00.
    let p = w.promise(10.0, Some("A"), t(150));
    assert_eq!((p.at, p.loading.len()), (Some(t(24 * 60 + 180)), 2));
    // The whole workshop, 20 h: 15 − 1.5 free today; tomorrow T1 and T3 side by side do the
    // 2 h booked and the 6.5 h missing: 7 h by noon, the last 1.5 h in 45 min → 14:15.
    let p = w.promise(20.0, None, t(150));
    assert_eq!(p.at, Some(t(24 * 60 + 375)));
    // Nothing more to do fits at once; a team that does not exist never.
    assert_eq!(w.promise(0.0, Some("A"), t(150)).at, Some(t(150)));
    assert_eq!(w.promise(1.0, Some("C"), t(150)).at, None);
}

#[test]
fn an_op_assigned_to_a_day_is_booked_on_that_day_for_its_assignee_s_team() {
    let mut w = shop();
    // J2 (1.5 h, promised Monday) given to T3 (team B) for Wednesday; J1's op 20 (2 h,
    // promised Tuesday) given to team B with no day: it stays on Tuesday, now B's.
    let mut j2 = w.catalog().jobs["J2"].clone();
    j2.ops[0].assignment = Some(crate::Assignment {
        to: crate::Assignee::Badge(id("T3")),
        bay: None,
        day: Some(date(2026, 11, 25)),
        order: None,
    });
    let mut j1 = w.catalog().jobs["J1"].clone();
    j1.ops[1].assignment = Some(crate::Assignment {
        to: crate::Assignee::Team("B".into()),
        bay: None,
        day: None,
        order: None,
    });
    w.upsert_job(j2);
    w.upsert_job(j1);
    let booked: Vec<_> = (w.loading(date(2026, 11, 23), 3, t(150)).iter())
        .map(|d| {
            let team = |t: &str| d.teams.get(t).map_or(0.0, |l| l.booked_hours);
            (d.total.booked_hours, team("A"), team("B"))
        })
        .collect();
    assert_eq!(booked, [(0.0, 0.0, 0.0), (2.0, 0.0, 2.0), (1.5, 0.0, 1.5)]);
}

#[test]
fn what_is_left_of_today_counts_from_now() {
    // At 10:30: A has T1 1.5 + 4 h and T2 4 h, B has T3 5.5 h; J2's 1.5 h is booked today.
    let left = shop().today_left(t(150));
    assert_eq!(
        (left.date, left.total, left.teams["A"], left.teams["B"]),
        (
            date(2026, 11, 23),
            load(15.0, 1.5),
            load(9.5, 0.0),
            load(5.5, 0.0)
        )
    );
}
