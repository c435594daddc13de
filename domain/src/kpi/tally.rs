//! The quantities behind the figures, measured once over a period: one named function per
//! quantity, each a single pass over one of the state's logs.

use std::collections::{BTreeMap, BTreeSet};

use jiff::SignedDuration;

use super::intervals::{clip, clip_open, intersect, length, total, union, Span};
use super::Period;
use crate::fold::State;
use crate::{Catalog, Id, PauseReason, Schedule, Time};

/// A quantity for the whole site and split by badge and by bay.
#[derive(Debug, Default)]
pub(super) struct Split<'a, T> {
    pub total: T,
    pub badge: BTreeMap<&'a Id, T>,
    pub bay: BTreeMap<&'a Id, T>,
}

/// A work bay's time within opening hours: someone clocked on there (the union), and blocked
/// by reason `[parts, approval, break, other]`.
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct BayTime {
    pub busy: SignedDuration,
    pub blocked: [SignedDuration; 4],
}

/// What a job did in the period, for the job figures.
#[derive(Debug)]
pub(super) struct JobOutcome<'a> {
    pub job: &'a Id,
    /// Its first-ever QC result, when that lies in the period: a pass?
    pub first_qc_pass: Option<bool>,
    /// Set when it first became ready in the period.
    pub ready: Option<Ready>,
    pub delivered: bool,
}

#[derive(Debug)]
pub(super) struct Ready {
    /// `ready_at <= promised_at`; `None` without a promise.
    pub on_time: Option<bool>,
    /// `ready_at − checked_in_at`; `None` when never checked in.
    pub cycle: Option<SignedDuration>,
}

/// The jobs each badge and each bay ever had clocked time on (group rows' job figures).
#[derive(Debug, Default)]
pub(super) struct Worked<'a> {
    pub badge: BTreeMap<&'a Id, BTreeSet<&'a Id>>,
    pub bay: BTreeMap<&'a Id, BTreeSet<&'a Id>>,
}

#[derive(Debug)]
pub(super) struct Tally<'a> {
    /// The catalog's work bays, sorted.
    pub work_bays: Vec<&'a Id>,
    pub clocked: Split<'a, SignedDuration>,
    pub sold: Split<'a, f64>,
    /// Per badge: the union of attendance and clocked time.
    pub available: BTreeMap<&'a Id, SignedDuration>,
    pub bays: BTreeMap<&'a Id, BayTime>,
    /// Opening time in the period up to `now` (one bay's worth).
    pub open: SignedDuration,
    pub jobs: Vec<JobOutcome<'a>>,
    /// Filled only for group rows.
    pub worked: Worked<'a>,
}

impl<'a> Tally<'a> {
    /// Measures everything over `period` at `now`. `split` also measures the per-badge and
    /// per-bay shares the group rows need.
    pub fn measure(
        state: &'a State,
        catalog: &'a Catalog,
        schedule: &Schedule,
        period: Period,
        now: Time,
        split: bool,
    ) -> Tally<'a> {
        let work_bays: Vec<&Id> = catalog
            .bays
            .iter()
            .filter(|(_, kind)| kind.is_work_bay())
            .map(|(bay, _)| bay)
            .collect();
        let window = period.window(now);
        let open = window.map_or_else(Vec::new, |(a, b)| schedule.open_spans(a, b));
        Tally {
            clocked: window.map_or_else(Split::default, |w| clocked(state, w)),
            sold: sold(state, catalog, period, now, split),
            available: window.map_or_else(BTreeMap::new, |w| available(state, w)),
            bays: window.map_or_else(BTreeMap::new, |w| bay_time(state, &work_bays, w, &open)),
            open: total(&open),
            jobs: jobs(state, catalog, period, now),
            worked: if split {
                worked(state)
            } else {
                Worked::default()
            },
            work_bays,
        }
    }

    /// Badges with clocked, available or sold time in the period, sorted.
    pub fn badges(&self) -> Vec<&'a Id> {
        let some = |d: &SignedDuration| d.is_positive();
        let mut all: BTreeSet<&Id> = BTreeSet::new();
        all.extend(
            self.clocked
                .badge
                .iter()
                .filter(|(_, d)| some(d))
                .map(|(b, _)| *b),
        );
        all.extend(
            self.available
                .iter()
                .filter(|(_, d)| some(d))
                .map(|(b, _)| *b),
        );
        all.extend(
            self.sold
                .badge
                .iter()
                .filter(|(_, h)| **h > 0.0)
                .map(|(b, _)| *b),
        );
        all.into_iter().collect()
    }
}

/// Clocked time in the window: Σ over intervals, by badge and by bay.
fn clocked(state: &State, window: Span) -> Split<'_, SignedDuration> {
    let mut split = Split::default();
    for c in &state.clocked {
        let Some(span) = clip_open(c.from, c.to, window) else {
            continue;
        };
        let d = length(span);
        split.total += d;
        *split.badge.entry(&c.badge).or_default() += d;
        *split.bay.entry(&c.bay).or_default() += d;
    }
    split
}

/// Per badge, the union of its attendance and clocked intervals in the window.
fn available(state: &State, window: Span) -> BTreeMap<&Id, SignedDuration> {
    let mut spans: BTreeMap<&Id, Vec<Span>> = BTreeMap::new();
    let attendance = state.attendance.iter().map(|a| (&a.badge, a.from, a.to));
    let clocked = state.clocked.iter().map(|c| (&c.badge, c.from, c.to));
    for (badge, from, to) in attendance.chain(clocked) {
        if let Some(span) = clip_open(from, to, window) {
            spans.entry(badge).or_default().push(span);
        }
    }
    spans
        .into_iter()
        .map(|(badge, s)| (badge, total(&union(s))))
        .collect()
}

/// An op first finished in the period: its standard hours and who finished it.
struct Sale<'a> {
    std: f64,
    first_finish: Time,
    by: Option<&'a Id>,
}

/// Standard hours of ops whose first finish lies in the period. With `split`, each op's hours
/// are shared between badges and between bays by clocked time on it before that finish.
fn sold<'a>(
    state: &'a State,
    catalog: &Catalog,
    period: Period,
    now: Time,
    split: bool,
) -> Split<'a, f64> {
    let mut out = Split::default();
    // Summed in whole micro-hours: integer sums do not depend on the order of the state's
    // job map, so the same events give bit-identical hours.
    let mut micro: i64 = 0;
    let mut sales: BTreeMap<(&Id, &Id), Sale> = BTreeMap::new();
    for (job, jt) in &state.jobs {
        for (op, ot) in &jt.ops {
            let Some(first) = ot.first_finish.filter(|f| period.holds(*f, now)) else {
                continue;
            };
            let std = catalog
                .jobs
                .get(job)
                .and_then(|c| c.op(op))
                .map_or(0.0, |o| o.std_hours);
            micro += (std * 1e6).round() as i64;
            if split {
                let by = ot.first_finish_by.as_ref();
                let sale = Sale {
                    std,
                    first_finish: first,
                    by,
                };
                sales.insert((job, op), sale);
            }
        }
    }
    out.total = micro as f64 / 1e6;
    if !split || sales.is_empty() {
        return out;
    }
    // Clocked time on each sold op before its first finish, by badge and by bay.
    let mut work: BTreeMap<(&Id, &Id), Split<SignedDuration>> = BTreeMap::new();
    for c in &state.clocked {
        let Some(sale) = sales.get(&(&c.job, &c.op)) else {
            continue;
        };
        let Some(span) = clip_open(c.from, c.to, (Time::MIN, sale.first_finish)) else {
            continue;
        };
        let w = work.entry((&c.job, &c.op)).or_default();
        let d = length(span);
        w.total += d;
        *w.badge.entry(&c.badge).or_default() += d;
        *w.bay.entry(&c.bay).or_default() += d;
    }
    for (key, sale) in &sales {
        match work.get(key).filter(|w| w.total.is_positive()) {
            Some(w) => {
                let share = |d: &SignedDuration| sale.std * d.as_secs_f64() / w.total.as_secs_f64();
                for (badge, d) in &w.badge {
                    *out.badge.entry(badge).or_default() += share(d);
                }
                for (bay, d) in &w.bay {
                    *out.bay.entry(bay).or_default() += share(d);
                }
            }
            None => {
                if let Some(by) = sale.by {
                    *out.badge.entry(by).or_default() += sale.std;
                }
            }
        }
    }
    out
}

/// Where a blocked bay's time goes in the contract's four-way split.
fn reason_slot(reason: Option<PauseReason>) -> usize {
    match reason {
        Some(PauseReason::Parts) => 0,
        Some(PauseReason::Approval) => 1,
        Some(PauseReason::Break) => 2,
        Some(PauseReason::ShiftEnd | PauseReason::Other) | None => 3,
    }
}

/// Per work bay, within opening hours in the window: the union of clocked time there, and the
/// blocked segments by reason.
fn bay_time<'a>(
    state: &'a State,
    work_bays: &[&'a Id],
    window: Span,
    open: &[Span],
) -> BTreeMap<&'a Id, BayTime> {
    let mut busy: BTreeMap<&Id, Vec<Span>> = work_bays.iter().map(|b| (*b, Vec::new())).collect();
    // Clip first: most intervals lie outside a short period, and the map lookup costs more.
    for c in &state.clocked {
        let Some(span) = clip_open(c.from, c.to, window) else {
            continue;
        };
        if let Some(spans) = busy.get_mut(&c.bay) {
            spans.push(span);
        }
    }
    let mut out: BTreeMap<&Id, BayTime> = busy
        .into_iter()
        .map(|(bay, spans)| {
            let busy = total(&intersect(&union(spans), open));
            (
                bay,
                BayTime {
                    busy,
                    blocked: [SignedDuration::ZERO; 4],
                },
            )
        })
        .collect();
    for g in state.segments.iter().filter(|g| !g.working) {
        let Some(span) = clip_open(g.from, g.to, window) else {
            continue;
        };
        if let Some(bay) = out.get_mut(&g.bay) {
            bay.blocked[reason_slot(g.reason)] += within(span, open);
        }
    }
    out
}

/// The length of `span` inside the sorted, disjoint `open` spans.
fn within(span: Span, open: &[Span]) -> SignedDuration {
    let start = open.partition_point(|o| o.1 <= span.0);
    open[start..]
        .iter()
        .take_while(|o| o.0 < span.1)
        .filter_map(|o| clip(span, *o))
        .map(length)
        .sum()
}

/// The jobs with a first QC result, a first `ready` or a delivery in the period.
fn jobs<'a>(state: &'a State, catalog: &Catalog, period: Period, now: Time) -> Vec<JobOutcome<'a>> {
    let mut out = Vec::new();
    // Any order: the job figures are counts and exact durations.
    for (job, jt) in &state.jobs {
        let first_qc_pass = jt
            .qc
            .first()
            .filter(|(_, at)| period.holds(*at, now))
            .map(|(result, _)| *result == crate::fold::QcResult::Pass);
        let ready = jt
            .ready_at
            .filter(|r| period.holds(*r, now))
            .map(|r| Ready {
                on_time: catalog
                    .jobs
                    .get(job)
                    .and_then(|c| c.promised_at)
                    .map(|p| r <= p),
                cycle: jt
                    .checked_in_at
                    .map(|c| r.duration_since(c).max(SignedDuration::ZERO)),
            });
        let delivered = jt.delivered_at.is_some_and(|d| period.holds(d, now));
        if first_qc_pass.is_some() || ready.is_some() || delivered {
            out.push(JobOutcome {
                job,
                first_qc_pass,
                ready,
                delivered,
            });
        }
    }
    out
}

/// The jobs each badge and each bay ever had clocked time on.
fn worked(state: &State) -> Worked<'_> {
    let mut w = Worked::default();
    for c in &state.clocked {
        w.badge.entry(&c.badge).or_default().insert(&c.job);
        w.bay.entry(&c.bay).or_default().insert(&c.job);
    }
    w
}
