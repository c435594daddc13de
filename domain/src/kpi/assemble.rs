//! Each §6 figure from a tally: one small function per ratio or mean, and the assembly of
//! the site's, a badge's and a bay's [`Figures`].

use jiff::SignedDuration;

use super::intervals::hours;
use super::tally::{JobOutcome, Tally};
use super::{BlockedByReason, Figures};
use crate::Id;

/// `num / den`, `None` when the denominator is zero (contract §6).
fn ratio(num: f64, den: f64) -> Option<f64> {
    (den > 0.0).then(|| num / den)
}

/// Labour efficiency, utilisation and productivity from sold, clocked and available hours.
fn labour(clocked: f64, sold: f64, available: Option<f64>) -> [Option<f64>; 3] {
    [
        ratio(sold, clocked),
        available.and_then(|a| ratio(clocked, a)),
        available.and_then(|a| ratio(sold, a)),
    ]
}

/// The share of jobs whose first QC result in the period is a pass.
fn first_time_fix_rate<'a, 'b: 'a>(jobs: impl Iterator<Item = &'a JobOutcome<'b>>) -> Option<f64> {
    let (mut passed, mut all) = (0u32, 0u32);
    for pass in jobs.filter_map(|j| j.first_qc_pass) {
        all += 1;
        passed += u32::from(pass);
    }
    ratio(f64::from(passed), f64::from(all))
}

/// The share of jobs ready in the period, with a promise, that were ready by it.
fn on_time_rate<'a, 'b: 'a>(jobs: impl Iterator<Item = &'a JobOutcome<'b>>) -> Option<f64> {
    let (mut kept, mut all) = (0u32, 0u32);
    for on_time in jobs.filter_map(|j| j.ready.as_ref()?.on_time) {
        all += 1;
        kept += u32::from(on_time);
    }
    ratio(f64::from(kept), f64::from(all))
}

/// The mean of `ready_at − checked_in_at` over jobs ready in the period, in hours.
fn avg_cycle_hours<'a, 'b: 'a>(jobs: impl Iterator<Item = &'a JobOutcome<'b>>) -> Option<f64> {
    let (mut sum, mut n) = (SignedDuration::ZERO, 0u32);
    for cycle in jobs.filter_map(|j| j.ready.as_ref()?.cycle) {
        sum += cycle;
        n += 1;
    }
    ratio(hours(sum), f64::from(n))
}

fn jobs_delivered<'a, 'b: 'a>(jobs: impl Iterator<Item = &'a JobOutcome<'b>>) -> u32 {
    let n = jobs.filter(|j| j.delivered).count();
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The job figures over the outcomes `keep` selects.
fn job_figures(tally: &Tally, keep: impl Fn(&JobOutcome) -> bool, f: &mut Figures) {
    let jobs = || tally.jobs.iter().filter(|j| keep(j));
    f.first_time_fix_rate = first_time_fix_rate(jobs());
    f.on_time_rate = on_time_rate(jobs());
    f.avg_cycle_hours = avg_cycle_hours(jobs());
    f.jobs_delivered = jobs_delivered(jobs());
}

/// Figures with the labour fields set and everything else empty.
fn labour_figures(
    clocked: SignedDuration,
    sold: f64,
    available: Option<SignedDuration>,
) -> Figures {
    let (clocked, available) = (hours(clocked), available.map(hours));
    let [labour_efficiency, labour_utilisation, productivity] = labour(clocked, sold, available);
    Figures {
        clocked_hours: clocked,
        sold_hours: sold,
        available_hours: available,
        labour_efficiency,
        labour_utilisation,
        productivity,
        bay_utilisation: None,
        bay_blocked_hours: None,
        bay_blocked_hours_by_reason: None,
        first_time_fix_rate: None,
        on_time_rate: None,
        avg_cycle_hours: None,
        jobs_delivered: 0,
    }
}

/// Sets the bay fields from the busy and blocked time of `bays` over `bays × opening hours`.
fn bay_fields<'a>(tally: &Tally<'a>, bays: impl Iterator<Item = &'a Id>, f: &mut Figures) {
    let (mut busy, mut n) = (SignedDuration::ZERO, 0u32);
    let mut blocked = BlockedByReason::default();
    for bay in bays {
        n += 1;
        if let Some(b) = tally.bays.get(bay) {
            busy += b.busy;
            blocked.parts += hours(b.blocked[0]);
            blocked.approval += hours(b.blocked[1]);
            blocked.break_ += hours(b.blocked[2]);
            blocked.other += hours(b.blocked[3]);
        }
    }
    f.bay_utilisation = ratio(hours(busy), f64::from(n) * hours(tally.open));
    f.bay_blocked_hours = Some(blocked.total());
    f.bay_blocked_hours_by_reason = Some(blocked);
}

pub(super) fn site_figures(tally: &Tally) -> Figures {
    let available = tally.available.values().sum();
    let mut f = labour_figures(tally.clocked.total, tally.sold.total, Some(available));
    bay_fields(tally, tally.work_bays.iter().copied(), &mut f);
    job_figures(tally, |_| true, &mut f);
    f
}

pub(super) fn badge_figures(tally: &Tally, badge: &Id) -> Figures {
    let mut f = labour_figures(
        tally.clocked.badge.get(badge).copied().unwrap_or_default(),
        tally.sold.badge.get(badge).copied().unwrap_or_default(),
        Some(tally.available.get(badge).copied().unwrap_or_default()),
    );
    let worked = tally.worked.badge.get(badge);
    job_figures(
        tally,
        |j| worked.is_some_and(|w| w.contains(&j.job)),
        &mut f,
    );
    f
}

pub(super) fn bay_figures(tally: &Tally, bay: &Id) -> Figures {
    let mut f = labour_figures(
        tally.clocked.bay.get(bay).copied().unwrap_or_default(),
        tally.sold.bay.get(bay).copied().unwrap_or_default(),
        None,
    );
    bay_fields(tally, std::iter::once(bay), &mut f);
    let worked = tally.worked.bay.get(bay);
    job_figures(
        tally,
        |j| worked.is_some_and(|w| w.contains(&j.job)),
        &mut f,
    );
    f
}
