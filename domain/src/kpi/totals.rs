//! The additive quantities behind the figures, measured over a window: exact sums (whole
//! nanoseconds, whole micro-hours) by site, badge and bay. The totals of disjoint windows add
//! up, bit for bit, to the totals of their union, which is what lets a period's figures be
//! summed from frozen days (stored rollups) and the live part of the timeline.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use jiff::SignedDuration;
use serde::{Deserialize, Serialize};

use super::intervals::{clip, clip_open, intersect, length, total, union, Span};
use crate::fold::State;
use crate::{Catalog, Id, PauseReason, Reason, Time};

/// Nanoseconds: durations as exact integers, so sums do not depend on their order.
pub type Nanos = i64;
/// Standard hours in millionths of an hour, for the same reason.
pub type MicroHours = i64;

pub(super) fn nanos(d: SignedDuration) -> Nanos {
    i64::try_from(d.as_nanos()).unwrap_or(i64::MAX)
}

/// One badge's part of a window.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BadgeTotals {
    pub clocked: Nanos,
    /// The part of `clocked` on reopened ops.
    #[serde(default)]
    pub rework: Nanos,
    /// The union of its attendance and clocked time.
    pub available: Nanos,
    /// Its share of the sold hours (see [`super`]: split by clocked time before the finish).
    pub sold: MicroHours,
}

/// One bay's part of a window.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BayTotals {
    pub clocked: Nanos,
    /// The part of `clocked` on reopened ops.
    #[serde(default)]
    pub rework: Nanos,
    pub sold: MicroHours,
    /// Work bays: the union of time someone was clocked on there, within opening hours.
    pub busy: Nanos,
    /// Work bays: held with nobody on, within opening hours, by the reason that holds the
    /// bay, in the order of [`PauseReason::ALL`]: `[parts, approval, break, shift_end,
    /// other]`.
    pub blocked: [Nanos; 5],
    /// Held with nobody on by one of the site's own reasons, by its id: not in `blocked`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub blocked_own: BTreeMap<Id, Nanos>,
}

/// The work on the jobs of one advisor or one service type: labour by job, not by person.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkTotals {
    pub clocked: Nanos,
    pub rework: Nanos,
    /// Standard hours of its ops first finished in the window, each whole.
    pub sold: MicroHours,
}

impl WorkTotals {
    fn add(&mut self, o: &WorkTotals) {
        self.clocked += o.clocked;
        self.rework += o.rework;
        self.sold += o.sold;
    }
}

/// What a window adds to every figure that sums over time.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    pub clocked: Nanos,
    /// The part of `clocked` on ops a `qc_fail` reopened (rework).
    #[serde(default)]
    pub rework: Nanos,
    /// Standard hours of ops first finished in the window, each counted whole.
    pub sold: MicroHours,
    pub badges: BTreeMap<Id, BadgeTotals>,
    pub bays: BTreeMap<Id, BayTotals>,
    /// By the job card's advisor and service (`""` for none), as the cards read when the
    /// window was measured.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub advisors: BTreeMap<String, WorkTotals>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub services: BTreeMap<String, WorkTotals>,
}

impl Totals {
    /// Adds another window's totals.
    pub fn add(&mut self, other: &Totals) {
        self.clocked += other.clocked;
        self.rework += other.rework;
        self.sold += other.sold;
        for (badge, o) in &other.badges {
            let b = self.badges.entry(badge.clone()).or_default();
            b.clocked += o.clocked;
            b.rework += o.rework;
            b.available += o.available;
            b.sold += o.sold;
        }
        for (bay, o) in &other.bays {
            let b = self.bays.entry(bay.clone()).or_default();
            b.clocked += o.clocked;
            b.rework += o.rework;
            b.sold += o.sold;
            b.busy += o.busy;
            for (x, y) in b.blocked.iter_mut().zip(o.blocked) {
                *x += y;
            }
            for (reason, n) in &o.blocked_own {
                *b.blocked_own.entry(reason.clone()).or_default() += n;
            }
        }
        for (key, o) in &other.advisors {
            self.advisors.entry(key.clone()).or_default().add(o);
        }
        for (key, o) in &other.services {
            self.services.entry(key.clone()).or_default().add(o);
        }
    }

    /// Measures `state` over `window` (what has happened of it: open intervals run to its end).
    /// `first_finish` picks the sales to count: ops whose first finish it holds.
    /// `open` is the window's opening hours, sorted and disjoint.
    pub(crate) fn measure(
        state: &State,
        catalog: &Catalog,
        window: Span,
        open: &[Span],
        first_finish: impl Fn(Time) -> bool,
    ) -> Totals {
        let mut t = Totals::default();
        let mut jobs = ByJob::new();
        clocked(state, window, &mut t, &mut jobs);
        available(state, window, &mut t);
        sold(state, catalog, first_finish, &mut t, &mut jobs);
        bay_time(state, catalog, window, open, &mut t);
        by_card(catalog, jobs, &mut t);
        t
    }

    /// Badges with clocked, available or sold time, sorted.
    pub fn busy_badges(&self) -> impl Iterator<Item = &Id> {
        self.badges
            .iter()
            .filter(|(_, b)| b.clocked > 0 || b.available > 0 || b.sold > 0)
            .map(|(id, _)| id)
    }
}

/// Work summed by job while measuring, and only then by advisor and service: a card is
/// looked up once a job, not once an interval.
type ByJob<'a> = HashMap<&'a Id, WorkTotals>;

/// Adds each job's work to its card's advisor's and service's totals.
fn by_card(catalog: &Catalog, jobs: ByJob, t: &mut Totals) {
    for (job, w) in jobs {
        let card = catalog.card(job);
        let advisor = card.map(|c| c.advisor.as_str()).unwrap_or_default();
        let service = card.map(|c| c.service.as_str()).unwrap_or_default();
        for (by, key) in [(&mut t.advisors, advisor), (&mut t.services, service)] {
            if let Some(total) = by.get_mut(key) {
                total.add(&w);
            } else {
                by.insert(key.to_owned(), w);
            }
        }
    }
}

fn clocked<'s>(state: &'s State, window: Span, t: &mut Totals, jobs: &mut ByJob<'s>) {
    for c in &state.clocked {
        let Some(span) = clip_open(c.from, c.to, window) else {
            continue;
        };
        let d = nanos(length(span));
        let rework = if c.rework { d } else { 0 };
        let w = jobs.entry(&c.job).or_default();
        w.clocked += d;
        w.rework += rework;
        t.clocked += d;
        t.rework += rework;
        let b = t.badges.entry(c.badge.clone()).or_default();
        b.clocked += d;
        b.rework += rework;
        let b = t.bays.entry(c.bay.clone()).or_default();
        b.clocked += d;
        b.rework += rework;
    }
}

/// Per badge, the union of its attendance and clocked intervals in the window.
fn available(state: &State, window: Span, t: &mut Totals) {
    let mut spans: BTreeMap<&Id, Vec<Span>> = BTreeMap::new();
    let attendance = state.attendance.iter().map(|a| (&a.badge, a.from, a.to));
    let clocked = state.clocked.iter().map(|c| (&c.badge, c.from, c.to));
    for (badge, from, to) in attendance.chain(clocked) {
        if let Some(span) = clip_open(from, to, window) {
            spans.entry(badge).or_default().push(span);
        }
    }
    for (badge, s) in spans {
        t.badges.entry(badge.clone()).or_default().available = nanos(total(&union(s)));
    }
}

/// Standard hours of the ops whose first finish `holds`, each shared between badges and bays
/// by clocked time on it before that finish; an op finished with no clocked time goes whole
/// to the badge that scanned the finish, and sells at no bay.
fn sold<'s>(
    state: &'s State,
    catalog: &Catalog,
    holds: impl Fn(Time) -> bool,
    t: &mut Totals,
    jobs: &mut ByJob<'s>,
) {
    struct Sale<'a> {
        std: MicroHours,
        at: Time,
        by: Option<&'a Id>,
    }
    // Hashed: every clocked interval of the state is looked up here.
    let mut sales: HashMap<(&Id, &Id), Sale> = HashMap::new();
    for (job, jt) in &state.jobs {
        for (op, ot) in &jt.ops {
            let Some(at) = ot.first_finish.filter(|f| holds(*f)) else {
                continue;
            };
            let std = catalog
                .jobs
                .get(job)
                .and_then(|c| c.op(op))
                .map_or(0.0, |o| o.std_hours);
            let std = (std * 1e6).round() as MicroHours;
            t.sold += std;
            jobs.entry(job).or_default().sold += std;
            let by = ot.first_finish_by.as_ref();
            sales.insert((job, op), Sale { std, at, by });
        }
    }
    if sales.is_empty() {
        return;
    }
    // Clocked time on each sold op before its first finish, by badge and by bay.
    type Work<'a> = (Nanos, BTreeMap<&'a Id, Nanos>, BTreeMap<&'a Id, Nanos>);
    let mut work: HashMap<(&Id, &Id), Work> = HashMap::new();
    for c in &state.clocked {
        let Some(sale) = sales.get(&(&c.job, &c.op)) else {
            continue;
        };
        let Some(span) = clip_open(c.from, c.to, (Time::MIN, sale.at)) else {
            continue;
        };
        let w = work.entry((&c.job, &c.op)).or_default();
        let d = nanos(length(span));
        w.0 += d;
        *w.1.entry(&c.badge).or_default() += d;
        *w.2.entry(&c.bay).or_default() += d;
    }
    // A share rounded to a micro-hour: integers, so a badge's sold hours summed over days
    // equal its sold hours over the whole period.
    let share = |std: MicroHours, d: Nanos, all: Nanos| -> MicroHours {
        let exact = i128::from(std) * i128::from(d);
        let all = i128::from(all);
        i64::try_from((2 * exact + all) / (2 * all)).unwrap_or(0)
    };
    for (key, sale) in &sales {
        match work.get(key).filter(|w| w.0 > 0) {
            Some((all, badges, bays)) => {
                for (badge, d) in badges {
                    t.badges.entry((*badge).clone()).or_default().sold += share(sale.std, *d, *all);
                }
                for (bay, d) in bays {
                    t.bays.entry((*bay).clone()).or_default().sold += share(sale.std, *d, *all);
                }
            }
            None => {
                if let Some(by) = sale.by {
                    t.badges.entry(by.clone()).or_default().sold += sale.std;
                }
            }
        }
    }
}

/// The slot of a contract reason in [`BayTotals::blocked`], in the order of
/// [`PauseReason::ALL`].
pub(super) fn reason_slot(reason: PauseReason) -> usize {
    PauseReason::ALL
        .iter()
        .position(|r| *r == reason)
        .unwrap_or(PauseReason::ALL.len() - 1)
}

impl BayTotals {
    /// Adds `d` of blocked time to `reason`'s count: a site reason's own, or the slot of one
    /// of the five. A segment without a reason was blocked by no pause: `other`.
    fn add_blocked(&mut self, reason: Option<&Reason>, d: Nanos) {
        match reason {
            Some(Reason {
                site: Some(own), ..
            }) => *self.blocked_own.entry(own.clone()).or_default() += d,
            Some(r) => self.blocked[reason_slot(r.category)] += d,
            None => self.blocked[reason_slot(PauseReason::Other)] += d,
        }
    }
}

/// Per work bay, within opening hours in the window: the union of clocked time there, and the
/// blocked segments by reason.
fn bay_time(state: &State, catalog: &Catalog, window: Span, open: &[Span], t: &mut Totals) {
    let work_bays: BTreeSet<&Id> = work_bays(catalog).collect();
    let mut busy: BTreeMap<&Id, Vec<Span>> = BTreeMap::new();
    // Clip first: most intervals lie outside a short window, and the lookup costs more.
    for c in &state.clocked {
        let Some(span) = clip_open(c.from, c.to, window) else {
            continue;
        };
        if work_bays.contains(&c.bay) {
            busy.entry(&c.bay).or_default().push(span);
        }
    }
    for (bay, spans) in busy {
        let d = nanos(total(&intersect(&union(spans), open)));
        t.bays.entry(bay.clone()).or_default().busy += d;
    }
    for g in state.segments.iter().filter(|g| !g.working) {
        let Some(span) = clip_open(g.from, g.to, window) else {
            continue;
        };
        if work_bays.contains(&g.bay) {
            let d = nanos(within(span, open));
            if d > 0 {
                (t.bays.entry(g.bay.clone()).or_default()).add_blocked(g.reason.as_ref(), d);
            }
        }
    }
}

/// The catalog's work bays, sorted.
pub(crate) fn work_bays(catalog: &Catalog) -> impl Iterator<Item = &Id> {
    catalog
        .bays
        .iter()
        .filter(|(_, kind)| kind.is_work_bay())
        .map(|(bay, _)| bay)
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
