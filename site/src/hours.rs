//! Opening hours per weekday, in the site's local time.

use jiff::civil::{Time, Weekday};

/// `[mon, …, sun]`; `None` = closed that day.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OpeningHours(pub [Option<(Time, Time)>; 7]);

impl OpeningHours {
    pub fn on(&self, day: Weekday) -> Option<(Time, Time)> {
        self.0[usize::from(day.to_monday_zero_offset() as u8)]
    }
}

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
