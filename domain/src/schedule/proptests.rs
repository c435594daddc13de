//! Property: whatever the week, its holidays and the starting instant (DST changes included),
//! work added to the calendar ends inside working time, never before it started, after
//! exactly that much working time.

use jiff::civil::{date, time, Date};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, ToSpan};
use proptest::prelude::*;

use super::*;

/// Up to three spans a day on a quarter-hour grid; some days closed.
fn day() -> impl Strategy<Value = DayHours> {
    prop::collection::vec((0i8..96, 1i8..40), 0..3).prop_map(|spans| {
        DayHours::new(spans.into_iter().map(|(start, len)| {
            let end = (i16::from(start) + i16::from(len)).min(95) as i8;
            let q = |n: i8| time(n / 4, (n % 4) * 15, 0, 0);
            (q(start), q(end))
        }))
    })
}

fn schedule() -> impl Strategy<Value = Schedule> {
    (
        prop::array::uniform7(day()),
        prop::collection::vec((0i32..365, day()), 0..12),
    )
        .prop_map(|(week, exceptions)| {
            let mut s = Schedule::new(
                OpeningHours(week),
                TimeZone::get("Europe/Berlin").expect("bundled tzdb"),
            );
            let first = date(2026, 1, 1);
            for (offset, hours) in exceptions {
                let d: Date = first.checked_add(offset.days()).expect("2026");
                s = s.with_special(d, hours);
            }
            s
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn added_work_ends_in_working_time_never_before_it_starts(
        s in schedule(),
        // Any minute of 2026 (both DST changes inside), up to 60 h of work in minutes.
        start_min in 0i64..(365 * 24 * 60),
        work_min in 0i64..3600,
    ) {
        let from = "2026-01-01T00:00:00Z".parse::<Time>().unwrap()
            + SignedDuration::from_mins(start_min);
        let work = SignedDuration::from_mins(work_min);
        let Some(end) = s.add(from, work) else {
            // Only a calendar with no working time at all gives up.
            prop_assert!(s.hours.0.iter().all(DayHours::is_closed));
            return Ok(());
        };
        prop_assert!(end >= from);
        let inside = s.spans_on(s.date_of(end)).iter().any(|(a, b)| {
            if work.is_zero() { *a <= end && end < *b } else { *a < end && end <= *b }
        });
        prop_assert!(inside, "{end} is not in working time of {:?}", s.spans_on(s.date_of(end)));
        prop_assert_eq!(s.between(from, end), work);
    }
}
