//! Each §6 figure from a period's totals and job outcomes: one small function per ratio or
//! mean, and the assembly of the site's, a badge's and a bay's [`Figures`]. Ratios divide
//! summed numerators by summed denominators, never average ratios.

use std::collections::{BTreeMap, BTreeSet};

use jiff::SignedDuration;

use super::outcome::Outcome;
use super::totals::{BadgeTotals, Nanos, Totals, WorkTotals};
use super::{BlockedByReason, Figures, Period};
use crate::fold::Call;
use crate::{Id, Time};

/// Everything a period's figures are assembled from.
#[derive(Debug)]
pub(super) struct Measured<'a> {
    pub period: Period,
    pub now: Time,
    pub totals: Totals,
    /// Opening time in the period up to `now` (one bay's worth).
    pub open: Nanos,
    pub work_bays: Vec<&'a Id>,
    /// The site's own pause reasons: keys of `bay_blocked_hours_by_reason` even when 0.
    pub site_reasons: Vec<&'a Id>,
    /// Jobs with something counted in the period.
    pub outcomes: Vec<Outcome>,
    /// Calls opened or answered in the period.
    pub calls: Vec<Call>,
}

fn hours(n: Nanos) -> f64 {
    n as f64 / 3.6e12
}

fn micro_hours(m: i64) -> f64 {
    m as f64 / 1e6
}

/// `num / den`, `None` when the denominator is zero (contract §6).
fn ratio(num: f64, den: f64) -> Option<f64> {
    (den > 0.0).then(|| num / den)
}

/// Figures with the labour fields set and everything else empty.
fn labour_figures(
    (clocked, rework): (Nanos, Nanos),
    sold: i64,
    available: Option<Nanos>,
) -> Figures {
    let (clocked, sold, available) = (hours(clocked), micro_hours(sold), available.map(hours));
    Figures {
        clocked_hours: clocked,
        rework_hours: hours(rework),
        sold_hours: sold,
        available_hours: available,
        labour_efficiency: ratio(sold, clocked),
        labour_utilisation: available.and_then(|a| ratio(clocked, a)),
        productivity: available.and_then(|a| ratio(sold, a)),
        bay_utilisation: None,
        bay_blocked_hours: None,
        bay_blocked_hours_by_reason: None,
        first_time_fix_rate: None,
        on_time_rate: None,
        avg_cycle_hours: None,
        jobs_delivered: 0,
        comebacks: 0,
        comeback_rate: None,
        calls: 0,
        call_answer_minutes_avg: None,
        call_answer_minutes_p90: None,
    }
}

/// The call figures over `calls` (of the period's): how many were opened, and how long the
/// answered ones waited (whole nanoseconds, summed exactly whatever their order).
fn call_figures<'c>(m: &Measured, calls: impl Iterator<Item = &'c Call>, f: &mut Figures) {
    let mut opened = 0u32;
    let mut waits: Vec<Nanos> = Vec::new();
    for c in calls {
        opened += u32::from(m.period.holds(c.opened, m.now));
        if let Some((at, _)) = &c.answered {
            if m.period.holds(*at, m.now) {
                let wait = at.duration_since(c.opened).max(SignedDuration::ZERO);
                waits.push(i64::try_from(wait.as_nanos()).unwrap_or(i64::MAX));
            }
        }
    }
    waits.sort_unstable();
    let minutes = |n: i128| n as f64 / 6e10;
    let sum: i128 = waits.iter().map(|w| i128::from(*w)).sum();
    f.calls = opened;
    f.call_answer_minutes_avg = (!waits.is_empty()).then(|| minutes(sum) / waits.len() as f64);
    f.call_answer_minutes_p90 = p90(&waits).map(|w| minutes(i128::from(w)));
}

/// The nearest-rank 90th percentile of sorted values: the ⌈0.9 n⌉-th smallest.
fn p90(sorted: &[Nanos]) -> Option<Nanos> {
    let rank = (sorted.len() * 9).div_ceil(10);
    sorted.get(rank.checked_sub(1)?).copied()
}

/// The job figures over `outcomes` (of the period's); with `workers`, the first-time fix is
/// that of their work.
fn job_figures<'o>(
    m: &Measured,
    outcomes: impl Iterator<Item = &'o Outcome>,
    workers: Option<&BTreeSet<&Id>>,
    f: &mut Figures,
) {
    let (mut passed, mut qc) = (0u32, 0u32);
    let (mut kept, mut promised) = (0u32, 0u32);
    let (mut cycle, mut cycles) = (SignedDuration::ZERO, 0u32);
    let (mut delivered, mut comebacks) = (0u32, 0u32);
    for o in outcomes {
        if let Some(pass) = o.first_qc_pass(m.period, m.now, workers) {
            qc += 1;
            passed += u32::from(pass);
        }
        if let Some((on_time, c)) = o.ready(m.period, m.now) {
            if let Some(on_time) = on_time {
                promised += 1;
                kept += u32::from(on_time);
            }
            if let Some(c) = c {
                cycle += c;
                cycles += 1;
            }
        }
        delivered += u32::from(o.delivered(m.period, m.now));
        comebacks += u32::from(o.came_back(m.period, m.now));
    }
    f.first_time_fix_rate = ratio(f64::from(passed), f64::from(qc));
    f.on_time_rate = ratio(f64::from(kept), f64::from(promised));
    f.avg_cycle_hours = ratio(cycle.as_secs_f64() / 3600.0, f64::from(cycles));
    f.jobs_delivered = delivered;
    f.comebacks = comebacks;
    f.comeback_rate = ratio(f64::from(comebacks), f64::from(delivered));
}

/// Sets the bay fields from the busy and blocked time of `bays` over `bays × opening hours`.
fn bay_fields<'a>(m: &Measured, bays: impl Iterator<Item = &'a Id>, f: &mut Figures) {
    let (mut busy, mut n) = (0, 0u32);
    let mut blocked = [0; 5];
    let mut own: BTreeMap<&Id, Nanos> = m.site_reasons.iter().map(|r| (*r, 0)).collect();
    for bay in bays {
        n += 1;
        if let Some(b) = m.totals.bays.get(bay) {
            busy += b.busy;
            for (x, y) in blocked.iter_mut().zip(b.blocked) {
                *x += y;
            }
            for (reason, d) in &b.blocked_own {
                *own.entry(reason).or_default() += d;
            }
        }
    }
    let own = (own.into_iter())
        .map(|(r, d)| (r.to_string(), hours(d)))
        .collect();
    let blocked = BlockedByReason::of(blocked.map(hours), own);
    f.bay_utilisation = ratio(hours(busy), f64::from(n) * hours(m.open));
    f.bay_blocked_hours = Some(blocked.total());
    f.bay_blocked_hours_by_reason = Some(blocked);
}

pub(super) fn site_figures(m: &Measured) -> Figures {
    let available = m.totals.badges.values().map(|b| b.available).sum();
    let mut f = labour_figures(
        (m.totals.clocked, m.totals.rework),
        m.totals.sold,
        Some(available),
    );
    bay_fields(m, m.work_bays.iter().copied(), &mut f);
    job_figures(m, m.outcomes.iter(), None, &mut f);
    call_figures(m, m.calls.iter(), &mut f);
    f
}

/// `items` gathered under each of the ids `keys` gives them.
fn gather<'a, T, K>(items: &'a [T], keys: impl Fn(&'a T) -> K) -> BTreeMap<&'a Id, Vec<&'a T>>
where
    K: IntoIterator<Item = &'a Id>,
{
    let mut by: BTreeMap<&Id, Vec<&T>> = BTreeMap::new();
    for item in items {
        for key in keys(item) {
            by.entry(key).or_default().push(item);
        }
    }
    by
}

/// What [`gather`] put under `key`.
fn of<'a, 'b, T>(by: &'b BTreeMap<&Id, Vec<&'a T>>, key: &Id) -> impl Iterator<Item = &'a T> + 'b {
    by.get(key).into_iter().flatten().copied()
}

/// The rows of each busy badge: their outcomes and calls gathered by badge once, not
/// searched for among the period's by every row.
pub(super) fn badge_rows<'m>(m: &'m Measured) -> Vec<(&'m Id, Figures)> {
    let jobs = gather(&m.outcomes, |o| &o.badges);
    let calls = gather(&m.calls, |c| std::iter::once(&c.badge));
    (m.totals.busy_badges())
        .map(|badge| {
            let t = m.totals.badges.get(badge).cloned().unwrap_or_default();
            let mut f = labour_figures((t.clocked, t.rework), t.sold, Some(t.available));
            job_figures(m, of(&jobs, badge), Some(&BTreeSet::from([badge])), &mut f);
            call_figures(m, of(&calls, badge), &mut f);
            (badge, f)
        })
        .collect()
}

/// A group of badges' figures: their labour summed, the job figures over the jobs any of
/// them clocked on (first-time fix of their own work), the calls they made.
pub(super) fn team_figures(m: &Measured, members: &BTreeSet<&Id>) -> Figures {
    let mut b = BadgeTotals::default();
    for t in members.iter().filter_map(|id| m.totals.badges.get(*id)) {
        b.clocked += t.clocked;
        b.rework += t.rework;
        b.available += t.available;
        b.sold += t.sold;
    }
    let mut f = labour_figures((b.clocked, b.rework), b.sold, Some(b.available));
    let worked = |o: &&Outcome| o.badges.iter().any(|x| members.contains(x));
    job_figures(m, m.outcomes.iter().filter(worked), Some(members), &mut f);
    let made = |c: &&Call| members.contains(&c.badge);
    call_figures(m, m.calls.iter().filter(made), &mut f);
    f
}

/// The figures of the jobs `keep` selects (one advisor's, one service's): the labour on them,
/// their job figures; no attendance, bays or calls.
pub(super) fn card_figures(
    m: &Measured,
    w: WorkTotals,
    keep: impl Fn(&Outcome) -> bool,
) -> Figures {
    let mut f = labour_figures((w.clocked, w.rework), w.sold, None);
    job_figures(m, m.outcomes.iter().filter(|o| keep(o)), None, &mut f);
    f
}

/// The rows of the work bays: their outcomes and calls gathered by bay once.
pub(super) fn bay_rows<'m>(m: &'m Measured) -> Vec<(&'m Id, Figures)> {
    let jobs = gather(&m.outcomes, |o| &o.bays);
    let calls = gather(&m.calls, |c| std::iter::once(&c.bay));
    (m.work_bays.iter())
        .map(|&bay| {
            let b = m.totals.bays.get(bay).cloned().unwrap_or_default();
            let mut f = labour_figures((b.clocked, b.rework), b.sold, None);
            bay_fields(m, std::iter::once(bay), &mut f);
            job_figures(m, of(&jobs, bay), None, &mut f);
            call_figures(m, of(&calls, bay), &mut f);
            (bay, f)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::p90;

    #[test]
    fn the_p90_is_the_nearest_rank() {
        assert_eq!(p90(&[]), None);
        assert_eq!(p90(&[5]), Some(5));
        // ⌈0.9 × 10⌉ = 9th smallest.
        let ten: Vec<i64> = (1..=10).collect();
        assert_eq!(p90(&ten), Some(9));
        // ⌈0.9 × 11⌉ = 10th smallest.
        let eleven: Vec<i64> = (1..=11).collect();
        assert_eq!(p90(&eleven), Some(10));
        assert_eq!(p90(&[1, 2]), Some(2));
    }
}
