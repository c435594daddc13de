//! Opening hours per weekday, in the site's local time: the string parser. The type itself is
//! the domain's ([`bayline_domain::OpeningHours`]), which measures KPIs and forgotten
//! clock-offs against it.

use jiff::civil::Time;

pub use bayline_domain::OpeningHours;

/// Parses `"08:30-17:30"`; `""` is closed. The error says what a valid value looks like.
pub fn parse_span(s: &str) -> Result<Option<(Time, Time)>, String> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let bad =
        || format!("opening hours {s:?} should look like \"08:30-17:30\" (or \"\" for closed)");
    let (a, b) = s.split_once('-').ok_or_else(bad)?;
    let parse = |t: &str| Time::strptime("%H:%M", t.trim()).map_err(|_| bad());
    let (open, close) = (parse(a)?, parse(b)?);
    if close <= open {
        return Err(format!("opening hours {s:?} close before they open"));
    }
    Ok(Some((open, close)))
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
            parse_span(" 08:30-17:30 "),
            Ok(Some((time(8, 30, 0, 0), time(17, 30, 0, 0))))
        );
        assert_eq!(parse_span(""), Ok(None));
        assert!(parse_span("17:30-08:30").is_err());
        assert!(parse_span("8h-17h").is_err());
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
