//! Who works when (contract §7.2 `[[staff]] hours`, `team`, `[[absences]]`): a badge's
//! planned hours, and the calendar of a crew made from the site's and its members'.

use std::collections::BTreeSet;

use jiff::civil::Date;

use super::{DayHours, OpeningHours, Schedule};

/// A badge's planned working time. The default follows the site's opening hours and is
/// never absent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Planned {
    /// Its own week; `None`: the site's opening hours (holidays and special days included).
    pub hours: Option<OpeningHours>,
    /// The team it belongs to (free text), for loading by team.
    pub team: Option<String>,
    /// Days away, local dates, each range inclusive.
    pub absences: Vec<(Date, Date)>,
}

impl Planned {
    pub fn absent_on(&self, date: Date) -> bool {
        self.absences.iter().any(|(a, b)| *a <= date && date <= *b)
    }

    /// The hours it plans to work on a day whose opening hours are `site`, before absences.
    fn hours_within(
        &self,
        date: Option<Date>,
        weekday: jiff::civil::Weekday,
        site: &DayHours,
    ) -> DayHours {
        if date.is_some_and(|d| self.absent_on(d)) {
            return DayHours::CLOSED;
        }
        match &self.hours {
            None => site.clone(),
            Some(week) => week.on(weekday).intersect(site),
        }
    }
}

/// How long one absence range may be when expanded into days of a crew's calendar: a range
/// longer than this is a typo, and the site file refuses it.
pub const MAX_ABSENCE_DAYS: i32 = 366;

impl Schedule {
    /// The working time of a crew: the opening hours, within the planned hours of at least
    /// one member who is not away that day. Work goes on while any of them is there; their
    /// pace is the ETA's business, not the calendar's. No members: the site's calendar.
    pub fn for_crew<'a>(&self, crew: impl IntoIterator<Item = &'a Planned>) -> Schedule {
        let members: Vec<&Planned> = crew.into_iter().collect();
        if members.is_empty() {
            return self.clone();
        }
        let crew_day = |date: Option<Date>, weekday, site: &DayHours| {
            members.iter().fold(DayHours::CLOSED, |all, m| {
                all.union(&m.hours_within(date, weekday, site))
            })
        };
        let week = OpeningHours(std::array::from_fn(|i| {
            let weekday = jiff::civil::Weekday::from_monday_zero_offset(i as i8)
                .unwrap_or(jiff::civil::Weekday::Monday);
            crew_day(None, weekday, &self.hours.0[i])
        }));
        // Days that differ from the week: the site's own, and every day a member is away.
        let mut dates: BTreeSet<Date> = self.exceptions.keys().copied().collect();
        for m in &members {
            for (from, to) in &m.absences {
                let mut d = *from;
                for _ in 0..MAX_ABSENCE_DAYS {
                    if d > *to {
                        break;
                    }
                    dates.insert(d);
                    match d.tomorrow() {
                        Ok(next) => d = next,
                        Err(_) => break,
                    }
                }
            }
        }
        let exceptions = dates
            .into_iter()
            .map(|d| (d, crew_day(Some(d), d.weekday(), self.hours_of(d))))
            .collect();
        Schedule {
            hours: week,
            tz: self.tz.clone(),
            exceptions,
        }
    }
}
