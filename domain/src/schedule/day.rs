//! Working hours as local wall-clock spans: one day's ([`DayHours`]) and a week's
//! ([`OpeningHours`]). Pure civil times; the time zone turns them into instants
//! ([`super::Schedule`]).

use jiff::civil::{self, Weekday};

/// One local day's hours: spans in time order, none empty, none overlapping or touching
/// (touching spans are one span). No spans: closed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct DayHours(Vec<(civil::Time, civil::Time)>);

/// A closed day; a constant so that a closed week can be one too.
const CLOSED_DAY: DayHours = DayHours(Vec::new());

impl DayHours {
    pub const CLOSED: DayHours = CLOSED_DAY;

    /// The spans put in order; empty spans (close not after open) dropped, overlapping and
    /// touching ones merged. The site file refuses overlaps instead of merging them; a crew's
    /// hours, made of several badges' hours, are merged here.
    pub fn new(spans: impl IntoIterator<Item = (civil::Time, civil::Time)>) -> DayHours {
        let mut all: Vec<_> = spans.into_iter().filter(|(a, b)| b > a).collect();
        all.sort_unstable();
        let mut out: Vec<(civil::Time, civil::Time)> = Vec::with_capacity(all.len());
        for (a, b) in all {
            match out.last_mut() {
                Some(last) if a <= last.1 => last.1 = last.1.max(b),
                _ => out.push((a, b)),
            }
        }
        DayHours(out)
    }

    /// One span from `open` to `close`.
    pub fn span(open: civil::Time, close: civil::Time) -> DayHours {
        DayHours::new([(open, close)])
    }

    pub fn spans(&self) -> &[(civil::Time, civil::Time)] {
        &self.0
    }

    pub fn is_closed(&self) -> bool {
        self.0.is_empty()
    }

    /// The first opening and the last closing, `None` when closed.
    pub fn bounds(&self) -> Option<(civil::Time, civil::Time)> {
        Some((self.0.first()?.0, self.0.last()?.1))
    }

    /// The time in both.
    pub fn intersect(&self, other: &DayHours) -> DayHours {
        let mut out = Vec::new();
        let (mut i, mut j) = (0, 0);
        while let (Some(&(a, b)), Some(&(c, d))) = (self.0.get(i), other.0.get(j)) {
            let (from, to) = (a.max(c), b.min(d));
            if from < to {
                out.push((from, to));
            }
            if b < d {
                i += 1;
            } else {
                j += 1;
            }
        }
        DayHours(out)
    }

    /// The time in either.
    pub fn union(&self, other: &DayHours) -> DayHours {
        DayHours::new(self.0.iter().chain(&other.0).copied())
    }
}

/// Hours per weekday, `[mon, …, sun]`, local wall-clock times (contract §2
/// `[site.opening_hours]`, §7.2 several spans a day).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpeningHours(pub [DayHours; 7]);

fn index(day: Weekday) -> usize {
    usize::from(day.to_monday_zero_offset().unsigned_abs())
}

impl OpeningHours {
    /// Closed every day.
    pub const CLOSED: OpeningHours = OpeningHours([CLOSED_DAY; 7]);

    /// The hours of `day`.
    pub fn on(&self, day: Weekday) -> &DayHours {
        &self.0[index(day)]
    }

    /// Sets the hours of `day`.
    pub fn set(&mut self, day: Weekday, hours: DayHours) {
        self.0[index(day)] = hours;
    }

    /// What a dealership workshop usually keeps, and the contract's example site: Monday to
    /// Friday 08:30-17:30, Saturday 09:00-16:00, closed on Sunday.
    pub fn workshop() -> OpeningHours {
        let weekday = DayHours::span(civil::time(8, 30, 0, 0), civil::time(17, 30, 0, 0));
        let saturday = DayHours::span(civil::time(9, 0, 0, 0), civil::time(16, 0, 0, 0));
        OpeningHours([
            weekday.clone(),
            weekday.clone(),
            weekday.clone(),
            weekday.clone(),
            weekday,
            saturday,
            DayHours::CLOSED,
        ])
    }

    /// The same hours every day.
    pub fn every_day(hours: DayHours) -> OpeningHours {
        OpeningHours(std::array::from_fn(|_| hours.clone()))
    }
}

#[cfg(test)]
mod tests {
    use jiff::civil::time;

    use super::*;

    fn hm(h: i8, m: i8) -> civil::Time {
        time(h, m, 0, 0)
    }

    #[test]
    fn spans_are_ordered_and_merged_and_empty_ones_dropped() {
        let d = DayHours::new([
            (hm(13, 30), hm(17, 30)),
            (hm(8, 30), hm(12, 0)),
            (hm(12, 0), hm(12, 30)),
            (hm(9, 0), hm(9, 0)),
        ]);
        assert_eq!(
            d.spans(),
            [(hm(8, 30), hm(12, 30)), (hm(13, 30), hm(17, 30))]
        );
        assert_eq!(d.bounds(), Some((hm(8, 30), hm(17, 30))));
        assert_eq!(DayHours::CLOSED.bounds(), None);
    }

    #[test]
    fn a_late_shift_meets_the_opening_hours_in_the_afternoon_only() {
        let site = DayHours::new([(hm(8, 30), hm(12, 0)), (hm(13, 30), hm(17, 30))]);
        let late = DayHours::span(hm(11, 0), hm(20, 0));
        assert_eq!(
            site.intersect(&late).spans(),
            [(hm(11, 0), hm(12, 0)), (hm(13, 30), hm(17, 30))]
        );
        assert_eq!(site.union(&late).spans(), [(hm(8, 30), hm(20, 0))]);
        assert!(site.intersect(&DayHours::CLOSED).is_closed());
    }
}
