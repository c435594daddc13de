//! Working hours in the site's local time: the string parser. The types are the domain's
//! ([`bayline_domain::DayHours`], [`bayline_domain::OpeningHours`]), which measure KPIs,
//! forgotten clock-offs and ETAs against them.

use bayline_domain::DayHours;
use jiff::civil::{Date, Time};

pub use bayline_domain::OpeningHours;

/// Parses one day's hours, `"08:30-17:30"` or several spans in order
/// `"08:30-12:00,13:30-17:30"`; `""` is closed. The error says what a valid value looks like.
pub fn parse_day(s: &str) -> Result<DayHours, String> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(DayHours::CLOSED);
    }
    let mut spans: Vec<(Time, Time)> = Vec::new();
    for part in s.split(',') {
        let (open, close) = parse_span(part)?;
        if let Some((_, last)) = spans.last() {
            if open <= *last {
                return Err(format!(
                    "hours {s:?}: the span {:?} overlaps or comes before the one before it                      (write the spans in order, e.g. \"08:30-12:00,13:30-17:30\")",
                    part.trim()
                ));
            }
        }
        spans.push((open, close));
    }
    Ok(DayHours::new(spans))
}

/// Parses `"08:30-17:30"`.
fn parse_span(s: &str) -> Result<(Time, Time), String> {
    let s = s.trim();
    let bad = || {
        format!(
            "hours {s:?} should look like \"08:30-17:30\" or \"08:30-12:00,13:30-17:30\" \
             (or \"\" for closed)"
        )
    };
    let (a, b) = s.split_once('-').ok_or_else(bad)?;
    let parse = |t: &str| Time::strptime("%H:%M", t.trim()).map_err(|_| bad());
    let (open, close) = (parse(a)?, parse(b)?);
    if close <= open {
        return Err(format!("hours {s:?} close before they open"));
    }
    Ok((open, close))
}

/// Parses a local date, `"2027-02-17"`; `what` names it in the error.
pub fn parse_date(what: &str, s: &str) -> Result<Date, String> {
    Date::strptime("%Y-%m-%d", s.trim())
        .map_err(|_| format!("{what} {s:?} is not a date like \"2027-02-17\""))
}

#[cfg(test)]
mod tests {
    use jiff::civil::time;
    use jiff::SignedDuration;

    use super::*;
    use crate::SiteConfig;

    #[test]
    fn spans_parse_and_empty_means_closed() {
        assert_eq!(
            parse_day(" 08:30-17:30 "),
            Ok(DayHours::span(time(8, 30, 0, 0), time(17, 30, 0, 0)))
        );
        assert_eq!(parse_day(""), Ok(DayHours::CLOSED));
        assert!(parse_day("17:30-08:30").is_err());
        assert!(parse_day("8h-17h").is_err());
    }

    #[test]
    fn several_spans_a_day_parse_in_order_and_may_not_overlap() {
        assert_eq!(
            parse_day("08:30-12:00, 13:30-17:30").map(|d| d.spans().len()),
            Ok(2)
        );
        let e = parse_day("08:30-12:00,11:30-17:30").unwrap_err();
        assert!(e.contains("overlaps"), "{e}");
        assert!(parse_day("13:30-17:30,08:30-12:00").is_err());
        assert!(parse_day("08:30-12:00,").is_err());
    }

    #[test]
    fn dates_are_iso_local_dates() {
        assert_eq!(
            parse_date("holiday", "2027-02-17"),
            Ok(jiff::civil::date(2027, 2, 17))
        );
        let e = parse_date("holiday", "17.02.2027").unwrap_err();
        assert!(e.contains("2027-02-17"), "{e}");
        assert!(parse_date("holiday", "2027-02-30").is_err());
    }

    #[test]
    fn the_demo_sites_settings_carry_its_calendar_and_grace() {
        let demo = SiteConfig::demo();
        let settings = demo.settings();
        assert_eq!(settings.schedule.hours, demo.opening_hours);
        assert_eq!(settings.schedule.tz, demo.time_zone);
        assert_eq!(
            settings.auto_clock_off_grace,
            SignedDuration::from_mins(i64::from(demo.auto_clock_off_grace_min))
        );
    }
}
