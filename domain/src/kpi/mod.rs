//! The figures managers are judged on (contract §6) for a period `[from, to)` at `now`: pure
//! functions of the folded timeline, so the API, the CLI and the tests compute the same numbers.
//!
//! How each figure is measured (the contract's rules, then its silences):
//! - The state is taken at `now` ([`Workshop::state_at`]): forgotten clock-offs due by `now`
//!   end at closing time even before a later scan arrives.
//! - Every interval is clipped to the period; one still open is cut at `min(to, now)`, and so is
//!   every other interval: nothing after `now` has happened yet. Point figures (sold hours, QC,
//!   ready, delivered) count instants in `[from, to)` that are not after `now`.
//! - `clocked_hours`: Σ over badges of clocked intervals. `available_hours`: Σ over badges of the
//!   union of attendance (`shift_start` → `shift_end`) and clocked intervals.
//! - `sold_hours`: the op's standard hours, once, at its first `finish`; rework finished again
//!   earns nothing. An op the catalog does not know sells 0 h. The sum runs in whole
//!   micro-hours, so the order the state keeps its jobs in cannot change a bit of it.
//! - Bay figures count work bays of the catalog only ([`crate::BayKind::is_work_bay`]) and only
//!   within opening hours ([`crate::Schedule::open_spans`]). `bay_utilisation` = Σ over work
//!   bays of the union of time someone was clocked on there / (work bays × opening hours in the
//!   period up to `now`): hours that have not come yet are neither used nor unused.
//!   `bay_blocked_hours`: time a job held the bay with nobody of it clocked on there (the fold's
//!   blocked segments); by the reason of the job's latest clock-off: `parts`, `approval`,
//!   `break`, and `other` for everything else (`shift_end`, `other`, a switch, a finish, a
//!   forgotten clock-off): the contract's split has four keys.
//! - `first_time_fix_rate`: jobs whose first-ever QC result lies in the period; the share whose
//!   first result is a pass.
//! - `on_time_rate` and `avg_cycle_hours`: jobs whose `ready_at` (first time stage `ready`) lies
//!   in the period. On time = `ready_at <= promised_at`. A job without `promised_at` made no
//!   promise, so it is left out of the on-time rate (both sides), not counted as kept or
//!   broken. A job never checked in has no cycle and is left out of the mean.
//! - `jobs_delivered`: jobs whose `delivered_at` lies in the period.
//!
//! Group rows ([`grouped`]):
//! - [`GroupBy::Badge`]: one row per badge with clocked, available or sold time in the period.
//!   Clocked and available are the badge's own. Sold: each op first finished in the period is
//!   split between the badges in proportion to their clocked time on it before that finish (an
//!   op finished with no clocked time goes whole to the badge that scanned the finish). Bay
//!   fields are `null`. Job figures are over the jobs the badge ever clocked on.
//! - [`GroupBy::Bay`]: one row per work bay of the catalog. Clocked is the time clocked at the
//!   bay; sold is split by clocked time at each bay, the same way (an op finished with no
//!   clocked time sells at no bay); `available_hours` is `null` (a bay has no attendance), so
//!   are utilisation and productivity. Bay fields are the bay's own. Job figures are over the
//!   jobs ever clocked on at the bay.
//! - [`GroupBy::Day`]: one row per local calendar day of the site's zone (key `YYYY-MM-DD`) that
//!   has begun by `now`, each the site's figures for that day's part of the period. The rows'
//!   additive fields add up to the period's.
//!
//! # Layout
//! - `intervals`: clip, union, intersection of half-open spans.
//! - `tally`: one named function per measured quantity, over the whole period.
//! - `assemble`: each figure from the tally, one small function per ratio or mean.
//! - this file: the public types and entry points.

mod assemble;
mod intervals;
mod tally;
#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

use crate::{Id, Time, Workshop};
use assemble::{badge_figures, bay_figures, site_figures};
use tally::Tally;

/// The period `[from, to)` a figure is measured over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    pub from: Time,
    pub to: Time,
}

impl Period {
    pub fn new(from: Time, to: Time) -> Period {
        Period { from, to }
    }

    /// `t` lies in `[from, to)` and is not after `now`.
    fn holds(&self, t: Time, now: Time) -> bool {
        self.from <= t && t < self.to && t <= now
    }

    /// What of the period has happened by `now`: `[from, min(to, now))`, `None` when empty.
    fn window(&self, now: Time) -> Option<(Time, Time)> {
        let end = self.to.min(now);
        (self.from < end).then_some((self.from, end))
    }
}

/// Bay hours blocked, by the reason that holds the bay (contract §6).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BlockedByReason {
    pub parts: f64,
    pub approval: f64,
    #[serde(rename = "break")]
    pub break_: f64,
    pub other: f64,
}

impl BlockedByReason {
    pub fn total(&self) -> f64 {
        self.parts + self.approval + self.break_ + self.other
    }
}

/// Every figure of contract §6, with its field names. Ratios and means are `None` (`null`) on a
/// zero denominator; fields that do not apply to a group row are `None` too (see the module
/// doc). Hours are hours.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Figures {
    pub clocked_hours: f64,
    pub sold_hours: f64,
    pub available_hours: Option<f64>,
    pub labour_efficiency: Option<f64>,
    pub labour_utilisation: Option<f64>,
    pub productivity: Option<f64>,
    pub bay_utilisation: Option<f64>,
    pub bay_blocked_hours: Option<f64>,
    pub bay_blocked_hours_by_reason: Option<BlockedByReason>,
    pub first_time_fix_rate: Option<f64>,
    pub on_time_rate: Option<f64>,
    pub avg_cycle_hours: Option<f64>,
    pub jobs_delivered: u32,
}

/// How [`grouped`] splits the figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum GroupBy {
    Badge,
    Bay,
    Day,
}

/// One group's figures: `key` is the badge, the bay or the local date `YYYY-MM-DD`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = KpiRow))]
pub struct Row {
    pub key: String,
    pub figures: Figures,
}

/// The site's figures for `period` at `now` (contract §6).
pub fn figures(workshop: &Workshop, period: Period, now: Time) -> Figures {
    measure(workshop, period, now, false, site_figures)
}

/// Runs `f` on the tally of `period` at `now`.
fn measure<R>(
    workshop: &Workshop,
    period: Period,
    now: Time,
    split: bool,
    f: impl FnOnce(&Tally) -> R,
) -> R {
    let state = workshop.state_at(now);
    let schedule = &workshop.settings().schedule;
    f(&Tally::measure(
        &state,
        workshop.catalog(),
        schedule,
        period,
        now,
        split,
    ))
}

/// The figures per badge, per work bay or per local day (see the module doc for what each
/// row means). Rows are sorted by key.
pub fn grouped(workshop: &Workshop, period: Period, now: Time, by: GroupBy) -> Vec<Row> {
    match by {
        GroupBy::Day => by_day(workshop, period, now),
        GroupBy::Badge => measure(workshop, period, now, true, |tally| {
            (tally.badges().into_iter())
                .map(|b| row(b, badge_figures(tally, b)))
                .collect()
        }),
        GroupBy::Bay => measure(workshop, period, now, true, |tally| {
            (tally.work_bays.iter())
                .map(|b| row(b, bay_figures(tally, b)))
                .collect()
        }),
    }
}

fn row(key: &Id, figures: Figures) -> Row {
    Row {
        key: key.to_string(),
        figures,
    }
}

/// The local days of the period that have begun by `now`, each measured on its own.
fn by_day(workshop: &Workshop, period: Period, now: Time) -> Vec<Row> {
    let schedule = &workshop.settings().schedule;
    let Some((from, end)) = period.window(now) else {
        return Vec::new();
    };
    let mut rows = Vec::new();
    let mut day = schedule.date_of(from);
    let mut start = from;
    while start < end {
        let next = day.tomorrow().ok();
        let day_end = next
            .and_then(|d| schedule.start_of(d))
            .map_or(period.to, |t| t.min(period.to));
        if day_end <= start {
            break;
        }
        rows.push(Row {
            key: day.to_string(),
            figures: figures(workshop, Period::new(start, day_end), now),
        });
        match next {
            Some(d) => (day, start) = (d, day_end),
            None => break,
        }
    }
    rows
}
