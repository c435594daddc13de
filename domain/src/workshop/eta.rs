//! A job's expected completion (contract §4 "Progress and ETA", §7.2), learned from the
//! workshop's own history: the remaining standard hours divided by how fast the badges working
//! it turn standard hours into clocked hours, counted in the crew's working time, then an
//! allowance for QC and washing counted in the site's opening hours.
//!
//! - Counting starts at `now`, or at the card's `waiting_until` while the job waits for parts
//!   or approval; a waiting job with no `waiting_until` has no ETA, only what it waits for.
//! - The crew's working time is the opening hours within the planned hours of its members
//!   ([`crate::Schedule::for_crew`]); a job nobody has clocked on yet counts in the opening
//!   hours. The ETA therefore never lies in closed time, and never before `now`.
//! - A badge's efficiency is Σ standard hours / Σ clocked hours over its last
//!   [`crate::Settings::eta_sample_ops`] finished ops (ordered by first finish). An op several
//!   badges worked gives each the standard hours in proportion to its clocked time on it, so
//!   each one's sample is the op's own std / clocked. Rework clocked on an op counts against it.
//! - The badges working a job are those clocked on it now, or else those who ever clocked on
//!   it; their samples are pooled. No samples (or no clocked time): 1.0.
//! - The efficiency is kept within [0.25, 4]: one odd op (a finish scanned a minute after the
//!   start) must not send an ETA to next year or to now.
//! - Remaining time of an unfinished op = max(std / efficiency − clocked, 0): an efficient
//!   badge needs less than the standard time, and time already clocked is spent.

use std::collections::{BTreeMap, BTreeSet};

use jiff::SignedDuration;

use crate::fold::{JobTrack, State};
use crate::view::{OpStatus, OpView, Wait};
use crate::{Catalog, Id, JobCard, Planned, Settings, Stage, Time};

const MIN_EFFICIENCY: f64 = 0.25;
const MAX_EFFICIENCY: f64 = 4.0;

/// One finished op from one badge's point of view.
#[derive(Debug, Clone, Copy)]
struct Sample {
    at: Time,
    std_hours: f64,
    clocked_hours: f64,
}

/// The last finished ops of every badge, newest last.
#[derive(Debug, Default)]
pub(super) struct Efficiency {
    samples: BTreeMap<Id, Vec<Sample>>,
}

fn hours(d: SignedDuration) -> f64 {
    d.as_secs_f64() / 3600.0
}

impl Efficiency {
    /// Learns from the ops first finished by `now`, keeping each badge's last `keep`.
    /// With `only`, learns just those badges' pace: what one job's ETA needs, at a fraction
    /// of the cost of everyone's (a scan's promise check runs on the live path).
    pub fn learn(
        state: &State,
        catalog: &Catalog,
        keep: usize,
        now: Time,
        only: Option<&BTreeSet<Id>>,
    ) -> Efficiency {
        let mut samples: BTreeMap<Id, Vec<Sample>> = BTreeMap::new();
        for (job, jt) in crate::fold::sorted(&state.jobs) {
            for (op, ot) in &jt.ops {
                let Some(at) = ot.first_finish.filter(|f| *f <= now) else {
                    continue;
                };
                if only.is_some_and(|o| !ot.clocked.keys().any(|b| o.contains(b))) {
                    continue;
                }
                // Closed intervals only: a finished op has nobody on it unless reworked now.
                let total: f64 = ot.clocked.values().map(|d| hours(*d)).sum();
                let Some(std) = catalog.jobs.get(job).and_then(|c| c.op(op)) else {
                    continue;
                };
                if total <= 0.0 {
                    continue;
                }
                for (badge, d) in &ot.clocked {
                    if only.is_some_and(|o| !o.contains(badge)) {
                        continue;
                    }
                    let clocked = hours(*d);
                    samples.entry(badge.clone()).or_default().push(Sample {
                        at,
                        std_hours: std.std_hours * clocked / total,
                        clocked_hours: clocked,
                    });
                }
            }
        }
        for list in samples.values_mut() {
            list.sort_by_key(|s| s.at);
            let extra = list.len().saturating_sub(keep);
            list.drain(..extra);
        }
        Efficiency { samples }
    }

    /// The pooled efficiency of `badges`, 1.0 when nothing is known, within the bounds.
    pub fn of<'a>(&self, badges: impl IntoIterator<Item = &'a Id>) -> f64 {
        let (mut std, mut clocked) = (0.0, 0.0);
        for s in badges
            .into_iter()
            .filter_map(|b| self.samples.get(b))
            .flatten()
        {
            std += s.std_hours;
            clocked += s.clocked_hours;
        }
        if clocked > 0.0 {
            (std / clocked).clamp(MIN_EFFICIENCY, MAX_EFFICIENCY)
        } else {
            1.0
        }
    }
}

/// The badges working a job: clocked on it now, else ever clocked on it.
pub(super) fn crew(track: &JobTrack) -> BTreeSet<&Id> {
    let now: BTreeSet<&Id> = track.ops.values().flat_map(|o| o.on.keys()).collect();
    if !now.is_empty() {
        return now;
    }
    track.ops.values().flat_map(|o| o.clocked.keys()).collect()
}

/// Hours of work left on the unfinished ops at `efficiency`.
pub(super) fn remaining_hours(ops: &[OpView], efficiency: f64) -> f64 {
    ops.iter()
        .filter(|o| o.status != OpStatus::Finished)
        .map(|o| (o.std_hours / efficiency - o.clocked_hours).max(0.0))
        .sum()
}

/// What a job in `stage` waits for, if it waits.
pub(super) fn wait_of(stage: Stage) -> Option<Wait> {
    match stage {
        Stage::WaitingParts => Some(Wait::Parts),
        Stage::WaitingApproval => Some(Wait::Approval),
        _ => None,
    }
}

/// The ETA of a job not yet ready, or what it waits for instead (see the module docs).
pub(super) fn eta(
    settings: &Settings,
    card: &JobCard,
    track: &JobTrack,
    stage: Stage,
    ops: &[OpView],
    learned: &Efficiency,
    now: Time,
) -> Result<Option<Time>, Wait> {
    let start = match (wait_of(stage), card.waiting_until) {
        (Some(wait), None) => return Err(wait),
        (Some(_), Some(until)) => until.max(now),
        (None, _) => now,
    };
    let crew = crew(track);
    let left = remaining_hours(ops, learned.of(crew.iter().copied()));
    let site = &settings.schedule;
    let work = duration(left);
    let members: Vec<Option<&Planned>> = crew.iter().map(|b| settings.roster.get(*b)).collect();
    // A member who works every opening hour makes the crew's calendar the site's.
    let always =
        |p: &Option<&Planned>| p.is_none_or(|p| p.hours.is_none() && p.absences.is_empty());
    let done = if members.is_empty() || members.iter().any(always) {
        site.add(start, work)
    } else {
        // A crew away for a year still finishes some day in the site's calendar: the foreman
        // will hand the work to someone else.
        let crew = site.for_crew(members.into_iter().flatten());
        crew.add(start, work).or_else(|| site.add(start, work))
    };
    let allowance = duration(settings.eta_allowance_hours.max(0.0));
    Ok(done.and_then(|t| site.add(t, allowance)))
}

/// `h` hours; the largest duration when out of range.
fn duration(h: f64) -> SignedDuration {
    SignedDuration::try_from_secs_f64(h * 3600.0).unwrap_or(SignedDuration::MAX)
}
