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
//!   blocked segments); by the reason of the job's latest clock-off, one key per pause reason
//!   (§7.1): `parts`, `approval`, `break`, `shift_end` (a `shift_end` pause or scan, and a
//!   forgotten clock-off: the day ended with the car on the bay), and `other` (a pause
//!   `other`, a switch, a finish).
//! - `first_time_fix_rate`: jobs whose first-ever QC result lies in the period; the share whose
//!   first result is a pass.
//! - `on_time_rate` and `avg_cycle_hours`: jobs whose `ready_at` (first time stage `ready`) lies
//!   in the period. On time = `ready_at <= promised_at`. A job without `promised_at` made no
//!   promise, so it is left out of the on-time rate (both sides), not counted as kept or
//!   broken. A job never checked in has no cycle and is left out of the mean.
//! - `jobs_delivered`: jobs whose `delivered_at` lies in the period.
//! - `rework_hours`: the clocked time (clipped like all of it) on ops a `qc_fail` reopened
//!   after their first finish, from the reopening on: the work done twice. A fail that names
//!   no op reopens every op, but an op never finished has nothing to redo.
//! - `calls`: andon calls opened in the period. `call_answer_minutes_avg` and `_p90`: over the
//!   calls answered in the period (wherever they were opened), opened → answered in minutes;
//!   the p90 is the nearest rank (the ⌈0.9 n⌉-th smallest), so it is one of the real waits.
//!   A call cleared without an answer counts in `calls` only. Like the job figures these are
//!   instants, so a call that left the live state is stored whole (see [`Stored::calls`]).
//!
//! Group rows ([`grouped`]):
//! - [`GroupBy::Badge`]: one row per badge with clocked, available or sold time in the period.
//!   Clocked and available are the badge's own. Sold: each op first finished in the period is
//!   split between the badges in proportion to their clocked time on it before that finish (an
//!   op finished with no clocked time goes whole to the badge that scanned the finish). Bay
//!   fields are `null`. Job figures are over the jobs the badge ever clocked on; call figures
//!   over the calls it made.
//! - [`GroupBy::Bay`]: one row per work bay of the catalog. Clocked is the time clocked at the
//!   bay; sold is split by clocked time at each bay, the same way (an op finished with no
//!   clocked time sells at no bay); `available_hours` is `null` (a bay has no attendance), so
//!   are utilisation and productivity. Bay fields are the bay's own. Job figures are over the
//!   jobs ever clocked on at the bay; call figures over the calls at the bay.
//! - [`GroupBy::Team`]: one row per team of the site file that has a member with clocked,
//!   available or sold time in the period (badges without a team together, key `""`). Its
//!   labour is its members' summed; job figures over the jobs any member clocked on, a first
//!   QC fail of one op counting against the team only when a member worked that op; call
//!   figures over its members' calls; bay fields `null`. Every badge is in exactly one team
//!   row, so clocked, rework and available time add up to the site's (sold hours too, but
//!   for each badge's share being rounded to a micro-hour).
//! - [`GroupBy::Day`]: one row per local calendar day of the site's zone (key `YYYY-MM-DD`) that
//!   has begun by `now`, each the site's figures for that day's part of the period. The rows'
//!   additive fields add up to the period's.
//!
//! Frozen days: a closed local day whose late-scan window has passed is frozen (see
//! [`crate::Workshop::freeze`]); its [`Totals`] are stored, and so is the [`Outcome`] of each job
//! that leaves the live state. A period's figures are the sum of the stored days it covers
//! ([`Stored`], fetched by the caller) and of the live part measured on the state; ratios are
//! taken from the summed numerators and denominators.
//!
//! # Layout
//! - `intervals`: clip, union, intersection of half-open spans.
//! - `totals`: the additive quantities over a window, exact integers.
//! - `outcome`: what a job did that the job figures count.
//! - `assemble`: each figure from totals and outcomes, one small function per ratio or mean.
//! - `grouped`: the rows by badge, bay, day, team, advisor and service.
//! - this file: the public types and entry points.

mod assemble;
#[cfg(test)]
mod card_tests;
mod grouped;
mod intervals;
mod outcome;
#[cfg(test)]
mod reason_tests;
mod replay;
#[cfg(test)]
mod tests;
mod totals;

use std::collections::BTreeMap;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::fold::{Call, State};
use crate::{Id, Time, Workshop};
use assemble::{site_figures, Measured};
pub use grouped::{figures_and_rows, grouped, grouped_with, GroupBy, Row};
pub(crate) use outcome::outcomes;
pub use outcome::Outcome;
pub use replay::Replay;
pub use totals::{BadgeTotals, BayTotals, MicroHours, Nanos, Totals, WorkTotals};

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
    pub fn holds(&self, t: Time, now: Time) -> bool {
        self.from <= t && t < self.to && t <= now
    }

    /// What of the period has happened by `now`: `[from, min(to, now))`, `None` when empty.
    pub fn window(&self, now: Time) -> Option<(Time, Time)> {
        let end = self.to.min(now);
        (self.from < end).then_some((self.from, end))
    }
}

/// Bay hours blocked, by the pause reason that holds the bay (contract §6, §7.1): one key
/// per reason of the contract, each always present, then one per reason of the site's own
/// (`[[pause_reasons]]`), present too, and any reason the period's stored days name that the
/// site file no longer lists.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BlockedByReason {
    pub parts: f64,
    pub approval: f64,
    #[serde(rename = "break")]
    pub break_: f64,
    /// The working day ended with the car on the bay: a `shift_end` (pause or scan) or a
    /// forgotten clock-off.
    pub shift_end: f64,
    /// Everything else: a pause `other`, a switch to another op, a finish.
    pub other: f64,
    /// The site's own reasons by id: a site reason's hours are here, not under its category.
    #[serde(flatten)]
    pub own: BTreeMap<String, f64>,
}

impl BlockedByReason {
    /// From hours by slot, in the order of [`crate::PauseReason::ALL`].
    pub(crate) fn of(hours: [f64; 5], own: BTreeMap<String, f64>) -> BlockedByReason {
        let [parts, approval, break_, shift_end, other] = hours;
        BlockedByReason {
            parts,
            approval,
            break_,
            shift_end,
            other,
            own,
        }
    }

    /// The hours of `reason`.
    pub fn get(&self, reason: crate::PauseReason) -> f64 {
        use crate::PauseReason::*;
        match reason {
            Parts => self.parts,
            Approval => self.approval,
            Break => self.break_,
            ShiftEnd => self.shift_end,
            Other => self.other,
        }
    }

    pub fn total(&self) -> f64 {
        self.parts
            + self.approval
            + self.break_
            + self.shift_end
            + self.other
            + self.own.values().sum::<f64>()
    }

    /// Every reason with its hours: the five of the contract, then the site's own.
    pub fn entries(&self) -> impl Iterator<Item = (&str, f64)> {
        (crate::PauseReason::ALL.into_iter())
            .map(|r| (r.as_str(), self.get(r)))
            .chain(self.own.iter().map(|(k, v)| (k.as_str(), *v)))
    }
}

/// Every figure of contract §6, with its field names. Ratios and means are `None` (`null`) on a
/// zero denominator; fields that do not apply to a group row are `None` too (see the module
/// doc). Hours are hours.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Figures {
    pub clocked_hours: f64,
    /// The part of `clocked_hours` on ops a `qc_fail` reopened (返工工时).
    pub rework_hours: f64,
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
    /// Comebacks (外返) checked in in the period.
    pub comebacks: u32,
    /// `comebacks / jobs_delivered` (外返率).
    pub comeback_rate: Option<f64>,
    /// Andon calls opened in the period.
    pub calls: u32,
    /// Over the calls answered in the period: opened → answered, in minutes.
    pub call_answer_minutes_avg: Option<f64>,
    /// The same, the 90th percentile (nearest rank).
    pub call_answer_minutes_p90: Option<f64>,
}

/// The stored part of a period's figures, fetched by the caller for the period's frozen days
/// ([`Workshop::frozen_to`]): each frozen day's totals over its part of the period, and the
/// outcomes of the jobs that left the live state and count in the period.
#[derive(Debug, Clone, Default)]
pub struct Stored {
    pub days: Vec<(Date, Totals)>,
    pub outcomes: Vec<Outcome>,
    /// The calls that left the live state (cleared before the freeze point) and were opened
    /// or answered in the period.
    pub calls: Vec<Call>,
}

/// The site's figures for `period` at `now` (contract §6), from the live state alone: right
/// for any period while nothing is frozen, and for periods after [`Workshop::frozen_to`].
pub fn figures(workshop: &Workshop, period: Period, now: Time) -> Figures {
    figures_with(workshop, Stored::default(), period, now)
}

/// The site's figures for `period` at `now`, the frozen part from `stored`.
pub fn figures_with(workshop: &Workshop, stored: Stored, period: Period, now: Time) -> Figures {
    site_figures(&measure(workshop, stored, period, now, false))
}

/// Opening time in `[from, to)`.
fn open_in(workshop: &Workshop, window: Option<(Time, Time)>) -> Nanos {
    window.map_or(0, |(a, b)| {
        totals::nanos(intervals::total(
            &workshop.settings().schedule.open_spans(a, b),
        ))
    })
}

/// The live part of `period`: what of it lies at or after the frozen days.
fn live_window(workshop: &Workshop, period: Period, now: Time) -> Option<(Time, Time)> {
    let (from, end) = period.window(now)?;
    let from = from.max(workshop.frozen_to());
    (from < end).then_some((from, end))
}

/// The live part's totals.
fn live_totals(workshop: &Workshop, period: Period, now: Time) -> Totals {
    live_totals_in(workshop, &workshop.state_at(now), period, now)
}

/// [`live_totals`] on `state`, the workshop's state at `now`: settled once for many periods
/// (a copy when time has passed since the last settle, so not once per day of a by-day).
fn live_totals_in(workshop: &Workshop, state: &State, period: Period, now: Time) -> Totals {
    let Some(window) = live_window(workshop, period, now) else {
        return Totals::default();
    };
    let open = workshop.settings().schedule.open_spans(window.0, window.1);
    let frozen_to = workshop.frozen_to();
    Totals::measure(state, workshop.catalog(), window, &open, |f| {
        f >= frozen_to && period.holds(f, now)
    })
}

/// The outcomes that count in `period`: the stored ones and the live jobs'. `crews` fills in
/// who worked on the live jobs (group rows only).
fn period_outcomes(
    workshop: &Workshop,
    stored: Vec<Outcome>,
    period: Period,
    now: Time,
    crews: bool,
) -> Vec<Outcome> {
    let state = workshop.state();
    // A check-in in the period may be a comeback's: kept below when the outcome counts.
    let counts = |job: &Id| {
        state.jobs.get(job).is_some_and(|jt| {
            let holds = |t: Option<Time>| t.is_some_and(|t| period.holds(t, now));
            holds(jt.qc.first().map(|q| q.1))
                || holds(jt.ready_at)
                || holds(jt.delivered_at)
                || holds(jt.checked_in_at)
        })
    };
    let lookup = workshop.comebacks();
    let mut all: Vec<Outcome> = if crews {
        outcomes(state, workshop.catalog(), &lookup, counts)
    } else {
        (state.jobs.keys().filter(|j| counts(j)))
            .map(|job| outcome::bare(state, workshop.catalog(), &lookup, job))
            .collect()
    };
    all.retain(|o| o.counts_in(period, now));
    // Moved, not cloned: a year holds tens of thousands.
    all.extend(stored.into_iter().filter(|o| o.counts_in(period, now)));
    all
}

/// A comeback checked in in a period, for the figures page's list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Comeback {
    pub job: Id,
    /// The card's plate, unmasked: the page masks it.
    pub plate: String,
    /// The job it came back from.
    pub comeback_of: Id,
    pub checked_in_at: Time,
}

/// The comebacks checked in in `period`, stored and live, by check-in.
pub fn comebacks(workshop: &Workshop, stored: Stored, period: Period, now: Time) -> Vec<Comeback> {
    let mut out: Vec<Comeback> = (period_outcomes(workshop, stored.outcomes, period, now, false)
        .into_iter())
    .filter(|o| o.came_back(period, now))
    .filter_map(|o| {
        Some(Comeback {
            checked_in_at: o.checked_in_at?,
            comeback_of: o.comeback_of?,
            job: o.job,
            plate: o.plate,
        })
    })
    .collect();
    out.sort_by(|a, b| (a.checked_in_at, &a.job).cmp(&(b.checked_in_at, &b.job)));
    out
}

/// The calls opened or answered in `period`: the stored ones and the live state's.
fn period_calls(workshop: &Workshop, stored: Vec<Call>, period: Period, now: Time) -> Vec<Call> {
    let live = workshop
        .state()
        .calls
        .iter()
        .filter(|c| counts_in(c, period, now));
    (live.cloned())
        .chain(stored.into_iter().filter(|c| counts_in(c, period, now)))
        .collect()
}

fn counts_in(c: &Call, period: Period, now: Time) -> bool {
    period.holds(c.opened, now) || c.answered.as_ref().is_some_and(|a| period.holds(a.0, now))
}

fn measure<'a>(
    workshop: &'a Workshop,
    stored: Stored,
    period: Period,
    now: Time,
    crews: bool,
) -> Measured<'a> {
    let mut totals = live_totals(workshop, period, now);
    for (_, day) in &stored.days {
        totals.add(day);
    }
    Measured {
        period,
        now,
        totals,
        open: open_in(workshop, period.window(now)),
        work_bays: totals::work_bays(workshop.catalog()).collect(),
        site_reasons: workshop.catalog().pause_reasons.ids().collect(),
        outcomes: period_outcomes(workshop, stored.outcomes, period, now, crews),
        calls: period_calls(workshop, stored.calls, period, now),
    }
}
