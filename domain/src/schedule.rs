//! When the workshop works (contract §2 `[site.opening_hours]`, §7.2): opening hours per
//! weekday, several spans a day, holidays and special days, in the site's time zone; and the
//! same for a crew, within its members' planned hours and outside their absences. One
//! calendar answers everything time-of-work: the §6 bay figures count only opening hours, a
//! forgotten clock-off ends at the day's closing time (§4), and an ETA adds working hours
//! ([`Schedule::add`]).
//!
//! Every instant is turned into a local calendar day of the site's zone and back; a day's
//! spans are local wall-clock times, so an opening day across a DST change is an hour shorter
//! or longer only when the change falls inside its spans. A wall-clock time that does not
//! exist (skipped by a spring-forward) or exists twice (autumn fold) is resolved the way
//! jiff's "compatible" rule does: skipped times move forward, doubled times take the earlier
//! instant.
//!
//! # Layout
//! - `day`: [`DayHours`] and [`OpeningHours`], civil times only.
//! - `crew`: [`Planned`] hours of a badge, and [`Schedule::for_crew`].

#[cfg(test)]
mod calendar_tests;
mod crew;
mod day;
#[cfg(test)]
mod proptests;

use std::collections::BTreeMap;

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, ToSpan};

pub use crew::{Planned, MAX_ABSENCE_DAYS};
pub use day::{DayHours, OpeningHours};

use crate::Time;

/// Opening hours in a time zone, with the dates that differ from the week.
#[derive(Debug, Clone, PartialEq)]
pub struct Schedule {
    pub hours: OpeningHours,
    pub tz: TimeZone,
    /// Holidays (closed) and special days: their hours instead of the weekday's.
    pub exceptions: BTreeMap<Date, DayHours>,
}

impl Default for Schedule {
    /// [`OpeningHours::workshop`] in UTC.
    fn default() -> Self {
        Schedule::new(OpeningHours::workshop(), TimeZone::UTC)
    }
}

/// How far [`Schedule::next_closing`] looks ahead: a schedule with no open day in a month
/// (a long holiday included) has none at all.
const LOOKAHEAD_DAYS: i32 = 31;

/// How many closed days in a row [`Schedule::add`] crosses before it gives up: a calendar
/// closed for a year will not open again.
const GIVE_UP_DAYS: i32 = 366;

impl Schedule {
    pub fn new(hours: OpeningHours, tz: TimeZone) -> Schedule {
        Schedule {
            hours,
            tz,
            exceptions: BTreeMap::new(),
        }
    }

    /// The same calendar, closed on `date`.
    pub fn with_holiday(self, date: Date) -> Schedule {
        self.with_special(date, DayHours::CLOSED)
    }

    /// The same calendar, with `hours` on `date`.
    pub fn with_special(mut self, date: Date, hours: DayHours) -> Schedule {
        self.exceptions.insert(date, hours);
        self
    }

    /// The local hours of `date`: its own if it is a holiday or special day, else its
    /// weekday's.
    pub fn hours_of(&self, date: Date) -> &DayHours {
        self.exceptions
            .get(&date)
            .unwrap_or_else(|| self.hours.on(date.weekday()))
    }

    /// The local calendar day `t` falls in.
    pub fn date_of(&self, t: Time) -> Date {
        t.to_zoned(self.tz.clone()).date()
    }

    /// The first instant of local day `date` (midnight, or the first existing time after it).
    pub fn start_of(&self, date: Date) -> Option<Time> {
        date.to_zoned(self.tz.clone())
            .ok()
            .and_then(|z| z.start_of_day().ok())
            .map(|z| z.timestamp())
    }

    /// The working intervals of local day `date`, in time order. Spans that a DST change
    /// makes meet or overlap are merged, and one it empties is dropped.
    pub fn spans_on(&self, date: Date) -> Vec<(Time, Time)> {
        let at = |t: jiff::civil::Time| {
            date.to_datetime(t)
                .to_zoned(self.tz.clone())
                .ok()
                .map(|z| z.timestamp())
        };
        let mut out: Vec<(Time, Time)> = Vec::new();
        for (open, close) in self.hours_of(date).spans() {
            let (Some(a), Some(b)) = (at(*open), at(*close)) else {
                continue;
            };
            match out.last_mut() {
                Some(last) if a <= last.1 => last.1 = last.1.max(b),
                _ if b > a => out.push((a, b)),
                _ => {}
            }
        }
        out
    }

    /// The first opening and the last closing of local day `date`, `None` on a closed day.
    pub fn open_on(&self, date: Date) -> Option<(Time, Time)> {
        let spans = self.spans_on(date);
        Some((spans.first()?.0, spans.last()?.1))
    }

    /// The working intervals within `[from, to)`, clipped to it, in time order.
    pub fn open_spans(&self, from: Time, to: Time) -> Vec<(Time, Time)> {
        let mut spans = Vec::new();
        if from >= to {
            return spans;
        }
        let (first, last) = (self.date_of(from), self.date_of(to));
        let mut day = first;
        while day <= last {
            for (open, close) in self.spans_on(day) {
                let (a, b) = (open.max(from), close.min(to));
                if a < b {
                    spans.push((a, b));
                }
            }
            match day.checked_add(1.day()) {
                Ok(next) => day = next,
                Err(_) => break,
            }
        }
        spans
    }

    /// Working time within `[from, to)`.
    pub fn between(&self, from: Time, to: Time) -> SignedDuration {
        self.open_spans(from, to)
            .iter()
            .map(|(a, b)| b.duration_since(*a))
            .sum()
    }

    /// The instant `work` of working time after `from`: counted only inside the spans,
    /// starting at `from` or the next opening after it. Never before `from`, never inside
    /// closed time: work that ends exactly at a closing ends there, and no work at all ends
    /// at the first working instant (so `from` itself when it is inside a span, the next
    /// opening when it is at or after a closing). `None` when the calendar stays closed for
    /// a year, or beyond the last representable day.
    pub fn add(&self, from: Time, work: SignedDuration) -> Option<Time> {
        let mut left = work.max(SignedDuration::ZERO);
        let mut day = self.date_of(from);
        let mut closed_days = 0;
        while closed_days < GIVE_UP_DAYS {
            let mut open = false;
            for (a, b) in self.spans_on(day) {
                if b <= from {
                    continue;
                }
                open = true;
                let start = a.max(from);
                let room = b.duration_since(start);
                if left <= room {
                    return start.checked_add(left).ok();
                }
                left -= room;
            }
            closed_days = if open { 0 } else { closed_days + 1 };
            day = day.tomorrow().ok()?;
        }
        None
    }

    /// The closing instant of the local day `t` falls in (the end of its last span); `None`
    /// on a closed day.
    pub fn closing_of(&self, t: Time) -> Option<Time> {
        self.open_on(self.date_of(t)).map(|(_, close)| close)
    }

    /// The first closing instant at or after `t`: the closing that ends the working day a
    /// badge clocked on at `t` is part of (contract §4 "Forgotten clock-offs"). A lunch break
    /// is not a closing; a clock-on after closing time or on a closed day belongs to the next
    /// open day. `None` when the schedule has no open day within a month.
    pub fn next_closing(&self, t: Time) -> Option<Time> {
        let mut day = self.date_of(t);
        for _ in 0..=LOOKAHEAD_DAYS {
            if let Some((_, close)) = self.open_on(day) {
                if close >= t {
                    return Some(close);
                }
            }
            day = day.checked_add(1.day()).ok()?;
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use jiff::civil::{self, date, time};

    use super::*;

    fn utc(s: &str) -> Time {
        s.parse().expect("valid instant")
    }

    fn berlin(hours: OpeningHours) -> Schedule {
        Schedule::new(hours, TimeZone::get("Europe/Berlin").expect("bundled tzdb"))
    }

    fn every_day(open: civil::Time, close: civil::Time) -> OpeningHours {
        OpeningHours::every_day(DayHours::span(open, close))
    }

    fn hours(spans: &[(Time, Time)]) -> f64 {
        spans
            .iter()
            .map(|(a, b)| b.duration_since(*a).as_secs_f64() / 3600.0)
            .sum()
    }

    #[test]
    fn the_default_week_is_a_workshops_with_sunday_closed() {
        let s = Schedule::default();
        // 2026-11-23 is a Monday; the week has 5 × 9 h + 7 h = 52 h of opening.
        let week = s.open_spans(utc("2026-11-23T00:00:00Z"), utc("2026-11-30T00:00:00Z"));
        assert_eq!(week.len(), 6);
        assert_eq!(hours(&week), 52.0);
        assert_eq!(
            week[0],
            (utc("2026-11-23T08:30:00Z"), utc("2026-11-23T17:30:00Z"))
        );
        assert_eq!(s.closing_of(utc("2026-11-29T12:00:00Z")), None);
    }

    #[test]
    fn spans_are_clipped_to_the_period_at_both_ends() {
        let s = Schedule::default();
        let spans = s.open_spans(utc("2026-11-23T10:00:00Z"), utc("2026-11-24T09:00:00Z"));
        assert_eq!(
            spans,
            [
                (utc("2026-11-23T10:00:00Z"), utc("2026-11-23T17:30:00Z")),
                (utc("2026-11-24T08:30:00Z"), utc("2026-11-24T09:00:00Z")),
            ]
        );
        assert!(s
            .open_spans(utc("2026-11-23T10:00:00Z"), utc("2026-11-23T10:00:00Z"))
            .is_empty());
    }

    #[test]
    fn local_days_follow_the_site_zone() {
        // Shanghai is UTC+8: Monday 08:30 local is Monday 00:30 UTC.
        let s = Schedule::new(
            OpeningHours::workshop(),
            TimeZone::get("Asia/Shanghai").expect("bundled tzdb"),
        );
        let spans = s.open_spans(utc("2026-11-22T16:00:00Z"), utc("2026-11-23T16:00:00Z"));
        assert_eq!(
            spans,
            [(utc("2026-11-23T00:30:00Z"), utc("2026-11-23T09:30:00Z"))]
        );
        assert_eq!(
            s.closing_of(utc("2026-11-22T17:00:00Z")),
            Some(utc("2026-11-23T09:30:00Z"))
        );
    }

    #[test]
    fn berlin_opening_hours_keep_local_time_across_the_march_change() {
        // Clocks go 02:00 CET → 03:00 CEST on Sunday 2026-03-29. Opening 08:30 local is 07:30Z
        // on Saturday and 06:30Z on Monday.
        let s = berlin(every_day(time(8, 30, 0, 0), time(17, 30, 0, 0)));
        let spans = s.open_spans(utc("2026-03-28T00:00:00Z"), utc("2026-03-31T00:00:00Z"));
        assert_eq!(
            spans,
            [
                (utc("2026-03-28T07:30:00Z"), utc("2026-03-28T16:30:00Z")),
                (utc("2026-03-29T06:30:00Z"), utc("2026-03-29T15:30:00Z")),
                (utc("2026-03-30T06:30:00Z"), utc("2026-03-30T15:30:00Z")),
            ]
        );
    }

    #[test]
    fn a_day_open_across_the_change_is_an_hour_shorter_in_march_and_longer_in_october() {
        // 01:00-05:00 local: in March 01:00 CET = 00:00Z, 05:00 CEST = 03:00Z → 3 h; in
        // October (2026-10-25, 03:00 CEST → 02:00 CET) 01:00 CEST = 23:00Z the day before,
        // 05:00 CET = 04:00Z → 5 h.
        let s = berlin(every_day(time(1, 0, 0, 0), time(5, 0, 0, 0)));
        let march = s.open_spans(utc("2026-03-28T23:00:00Z"), utc("2026-03-29T22:00:00Z"));
        assert_eq!(
            march,
            [(utc("2026-03-29T00:00:00Z"), utc("2026-03-29T03:00:00Z"))]
        );
        let october = s.open_spans(utc("2026-10-24T22:00:00Z"), utc("2026-10-25T23:00:00Z"));
        assert_eq!(
            october,
            [(utc("2026-10-24T23:00:00Z"), utc("2026-10-25T04:00:00Z"))]
        );
        assert_eq!(hours(&october), 5.0);
        // Closing of the October day, asked from an instant in the doubled hour.
        assert_eq!(
            s.closing_of(utc("2026-10-25T01:30:00Z")),
            Some(utc("2026-10-25T04:00:00Z"))
        );
    }

    #[test]
    fn the_october_change_moves_closing_back_to_the_later_utc_hour() {
        let s = berlin(OpeningHours::workshop());
        // Saturday 2026-10-24 closes 16:00 CEST = 14:00Z; Monday 17:30 CET = 16:30Z.
        assert_eq!(
            s.closing_of(utc("2026-10-24T10:00:00Z")),
            Some(utc("2026-10-24T14:00:00Z"))
        );
        assert_eq!(s.closing_of(utc("2026-10-25T10:00:00Z")), None);
        assert_eq!(
            s.closing_of(utc("2026-10-26T10:00:00Z")),
            Some(utc("2026-10-26T16:30:00Z"))
        );
        let week = s.open_spans(utc("2026-10-19T00:00:00Z"), utc("2026-10-26T00:00:00Z"));
        assert_eq!(hours(&week), 52.0);
    }

    #[test]
    fn the_next_closing_skips_closed_days_and_evenings() {
        let s = Schedule::default();
        // Monday after closing → Tuesday's; Saturday evening → Monday's.
        assert_eq!(
            s.next_closing(utc("2026-11-23T19:00:00Z")),
            Some(utc("2026-11-24T17:30:00Z"))
        );
        assert_eq!(
            s.next_closing(utc("2026-11-28T18:00:00Z")),
            Some(utc("2026-11-30T17:30:00Z"))
        );
        assert_eq!(
            s.next_closing(utc("2026-11-23T17:30:00Z")),
            Some(utc("2026-11-23T17:30:00Z"))
        );
        let never = Schedule::new(OpeningHours::CLOSED, TimeZone::UTC);
        assert_eq!(never.next_closing(utc("2026-11-23T10:00:00Z")), None);
        assert!(never
            .open_spans(utc("2026-11-23T00:00:00Z"), utc("2026-12-23T00:00:00Z"))
            .is_empty());
    }

    #[test]
    fn a_closing_time_skipped_by_the_spring_change_moves_forward() {
        // 00:00-02:30 local on 2026-03-29: 02:30 does not exist, it becomes 03:30 CEST = 01:30Z.
        let s = berlin(every_day(time(0, 0, 0, 0), time(2, 30, 0, 0)));
        assert_eq!(
            s.open_on(date(2026, 3, 29)),
            Some((utc("2026-03-28T23:00:00Z"), utc("2026-03-29T01:30:00Z")))
        );
        let day = s
            .open_on(date(2026, 3, 29))
            .map(|(a, b)| b.duration_since(a));
        assert_eq!(day, Some(SignedDuration::from_mins(150)));
    }
}
