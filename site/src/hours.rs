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
