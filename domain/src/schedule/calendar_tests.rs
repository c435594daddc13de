//! The calendar worked by hand. The site is in Berlin (CET, UTC+1 in winter; CEST, UTC+2 from
//! 2026-03-29 to 2026-10-25): Monday to Friday 08:30-12:00 and 13:30-17:30 (7.5 h), Saturday
//! 09:00-12:00, closed on Sunday; Christmas Eve (Thursday 2026-12-24) 09:00-12:00 only,
//! Christmas Day (Friday) a holiday.

use jiff::civil::{date, time, Weekday};
use jiff::tz::TimeZone;
use jiff::SignedDuration;

use super::*;

fn at(local: &str) -> Time {
    format!("{local}[Europe/Berlin]")
        .replace(' ', "T")
        .parse::<jiff::Zoned>()
        .expect("a Berlin wall-clock time")
        .timestamp()
}

fn hm(h: i8, m: i8) -> jiff::civil::Time {
    time(h, m, 0, 0)
}

fn h(hours: f64) -> SignedDuration {
    SignedDuration::from_secs_f64(hours * 3600.0)
}

fn weekday() -> DayHours {
    DayHours::new([(hm(8, 30), hm(12, 0)), (hm(13, 30), hm(17, 30))])
}

fn site() -> Schedule {
    let mut week = OpeningHours::CLOSED;
    for d in [
        Weekday::Monday,
        Weekday::Tuesday,
        Weekday::Wednesday,
        Weekday::Thursday,
        Weekday::Friday,
    ] {
        week.set(d, weekday());
    }
    week.set(Weekday::Saturday, DayHours::span(hm(9, 0), hm(12, 0)));
    Schedule::new(week, TimeZone::get("Europe/Berlin").expect("bundled tzdb"))
        .with_special(date(2026, 12, 24), DayHours::span(hm(9, 0), hm(12, 0)))
        .with_holiday(date(2026, 12, 25))
}

#[test]
fn work_before_lunch_continues_after_it() {
    // Monday 11:00 + 2 h: 11:00-12:00, then 13:30-14:30.
    let s = site();
    assert_eq!(
        s.add(at("2026-11-23 11:00"), h(2.0)),
        Some(at("2026-11-23 14:30"))
    );
    // Started during lunch, it waits for 13:30.
    assert_eq!(
        s.add(at("2026-11-23 12:40"), h(1.0)),
        Some(at("2026-11-23 14:30"))
    );
    // Ending exactly at the lunch break ends there, not after it.
    assert_eq!(
        s.add(at("2026-11-23 11:00"), h(1.0)),
        Some(at("2026-11-23 12:00"))
    );
}

#[test]
fn at_closing_two_hours_are_done_two_working_hours_after_the_next_opening() {
    let s = site();
    assert_eq!(
        s.add(at("2026-11-23 17:30"), h(2.0)),
        Some(at("2026-11-24 10:30"))
    );
    // Four hours: 08:30-12:00 is 3.5 h, lunch skipped, the last half hour after 13:30.
    assert_eq!(
        s.add(at("2026-11-23 19:49"), h(4.0)),
        Some(at("2026-11-24 14:00"))
    );
}

#[test]
fn the_weekend_is_skipped() {
    // Saturday 11:00 + 2 h: one hour on Saturday, Sunday closed, one on Monday.
    let s = site();
    assert_eq!(
        s.add(at("2026-11-28 11:00"), h(2.0)),
        Some(at("2026-11-30 09:30"))
    );
    assert_eq!(
        s.add(at("2026-11-29 10:00"), h(0.5)),
        Some(at("2026-11-30 09:00"))
    );
}

#[test]
fn holidays_are_closed_and_special_days_keep_their_own_hours() {
    // Wednesday 16:30 + 5 h: 1 h on Wednesday, 3 h on Christmas Eve morning, Christmas Day
    // closed, 1 h on Saturday.
    let s = site();
    assert_eq!(
        s.add(at("2026-12-23 16:30"), h(5.0)),
        Some(at("2026-12-26 10:00"))
    );
    // That week: Mon-Wed 3 × 7.5, Thursday 3, Friday 0, Saturday 3.
    let week = s.between(at("2026-12-21 00:00"), at("2026-12-28 00:00"));
    assert_eq!(week, h(28.5));
    assert_eq!(
        s.closing_of(at("2026-12-24 08:00")),
        Some(at("2026-12-24 12:00"))
    );
    assert_eq!(s.closing_of(at("2026-12-25 10:00")), None);
    assert_eq!(
        s.next_closing(at("2026-12-24 13:00")),
        Some(at("2026-12-26 12:00"))
    );
}

#[test]
fn a_normal_week_has_forty_and_a_half_working_hours_lunches_left_out() {
    let s = site();
    let week = s.between(at("2026-11-23 00:00"), at("2026-11-30 00:00"));
    assert_eq!(week, h(40.5));
    assert_eq!(
        s.open_spans(at("2026-11-23 11:00"), at("2026-11-23 14:00")),
        [
            (at("2026-11-23 11:00"), at("2026-11-23 12:00")),
            (at("2026-11-23 13:30"), at("2026-11-23 14:00")),
        ]
    );
}

#[test]
fn the_lunch_break_is_not_the_days_closing_for_a_forgotten_clock_off() {
    let s = site();
    assert_eq!(
        s.next_closing(at("2026-11-23 11:00")),
        Some(at("2026-11-23 17:30"))
    );
    assert_eq!(
        s.next_closing(at("2026-11-23 12:30")),
        Some(at("2026-11-23 17:30"))
    );
    assert_eq!(
        s.open_on(date(2026, 11, 23)),
        Some((at("2026-11-23 08:30"), at("2026-11-23 17:30")))
    );
}

#[test]
fn working_hours_keep_local_time_across_the_march_change() {
    // Saturday 2026-03-28 11:30 CET = 10:30Z; half an hour that day; Sunday (the change) is
    // closed; Monday 08:30 CEST = 06:30Z + 1.5 h = 08:00Z.
    let s = site();
    let from: Time = "2026-03-28T10:30:00Z".parse().unwrap();
    let eta = s.add(from, h(2.0));
    assert_eq!(eta, Some(at("2026-03-30 10:00")));
    assert_eq!(eta, Some("2026-03-30T08:00:00Z".parse().unwrap()));
    // Sixty-five hours of wall clock, two of work.
    assert_eq!(s.between(from, eta.unwrap()), h(2.0));
}

#[test]
fn working_hours_keep_local_time_across_the_october_change() {
    // Saturday 2026-10-24 11:00 CEST = 09:00Z + 2 h: one hour that day, Monday 08:30 CET =
    // 07:30Z + 1 h = 08:30Z.
    let s = site();
    let eta = s.add("2026-10-24T09:00:00Z".parse().unwrap(), h(2.0));
    assert_eq!(eta, Some("2026-10-26T08:30:00Z".parse().unwrap()));
}

#[test]
fn a_span_across_the_night_of_the_change_is_an_hour_shorter_in_march() {
    // Open 01:00-05:00 every day: on 2026-03-29 that is 00:00Z-03:00Z, three hours.
    let s = Schedule::new(
        OpeningHours::every_day(DayHours::span(hm(1, 0), hm(5, 0))),
        TimeZone::get("Europe/Berlin").expect("bundled tzdb"),
    );
    let from = at("2026-03-29 01:00");
    assert_eq!(
        s.add(from, h(3.0)),
        Some("2026-03-29T03:00:00Z".parse().unwrap())
    );
    // The fourth hour is the next night's first.
    assert_eq!(s.add(from, h(4.0)), Some(at("2026-03-30 02:00")));
}

#[test]
fn no_work_left_is_done_at_the_first_working_instant() {
    let s = site();
    assert_eq!(
        s.add(at("2026-11-23 10:00"), h(0.0)),
        Some(at("2026-11-23 10:00"))
    );
    assert_eq!(
        s.add(at("2026-11-23 17:30"), h(0.0)),
        Some(at("2026-11-24 08:30"))
    );
    assert_eq!(
        s.add(at("2026-11-23 12:00"), h(0.0)),
        Some(at("2026-11-23 13:30"))
    );
    let never = Schedule::new(OpeningHours::CLOSED, TimeZone::UTC);
    assert_eq!(never.add(at("2026-11-23 10:00"), h(1.0)), None);
}

fn late_shift() -> Planned {
    let mut week = OpeningHours::CLOSED;
    for d in [
        Weekday::Monday,
        Weekday::Tuesday,
        Weekday::Wednesday,
        Weekday::Thursday,
        Weekday::Friday,
    ] {
        week.set(d, DayHours::span(hm(13, 30), hm(20, 0)));
    }
    Planned {
        hours: Some(week),
        team: Some("B".into()),
        absences: Vec::new(),
    }
}

#[test]
fn a_crew_works_inside_both_the_opening_hours_and_its_planned_hours() {
    // The late shift meets the opening hours from 13:30 to 17:30: Monday 08:30 + 6 h is
    // Monday 13:30-17:30 and Tuesday 13:30-15:30.
    let s = site();
    let crew = s.for_crew([&late_shift()]);
    assert_eq!(
        crew.add(at("2026-11-23 08:30"), h(6.0)),
        Some(at("2026-11-24 15:30"))
    );
    assert_eq!(
        crew.between(at("2026-11-23 00:00"), at("2026-11-30 00:00")),
        h(20.0)
    );
    // Saturday is not in the shift; Christmas Eve afternoon is closed.
    assert_eq!(crew.hours_of(date(2026, 12, 24)), &DayHours::CLOSED);
}

#[test]
fn an_absent_member_does_not_work_and_another_member_covers_the_crew() {
    let s = site();
    let mut away = late_shift();
    away.absences.push((date(2026, 11, 24), date(2026, 11, 25)));
    let alone = s.for_crew([&away]);
    // Monday 13:30-17:30, Tuesday and Wednesday away, Thursday 13:30-15:30.
    assert_eq!(
        alone.add(at("2026-11-23 08:30"), h(6.0)),
        Some(at("2026-11-26 15:30"))
    );
    // With a colleague on the opening hours, the crew works whenever the site is open.
    let both = s.for_crew([&away, &Planned::default()]);
    assert_eq!(
        both.add(at("2026-11-23 08:30"), h(6.0)),
        Some(at("2026-11-23 16:00"))
    );
    assert_eq!(s.for_crew(std::iter::empty()), s);
}
