//! Dropping from the state what can no longer change nor count after an instant: jobs
//! delivered before it, and closed log entries that ended by it. What stays is open work, so
//! the state's size follows the workshop's open work, not its history.

use crate::comeback::Lookup;
use crate::fold::{Call, State};
use crate::kpi::{outcomes, Outcome};
use crate::{Catalog, Id, Time};

/// Which entries of a log stay, and where each kept one moves to.
struct Keep(Vec<Option<usize>>);

impl Keep {
    fn of<T>(log: &[T], keep: impl Fn(&T) -> bool) -> Keep {
        let mut next = 0;
        Keep(
            log.iter()
                .map(|e| {
                    keep(e).then(|| {
                        next += 1;
                        next - 1
                    })
                })
                .collect(),
        )
    }

    fn apply<T>(&self, log: &mut Vec<T>) {
        let mut i = 0;
        log.retain(|_| {
            i += 1;
            self.0[i - 1].is_some()
        });
    }

    /// The new index of an open entry; open entries are always kept.
    fn moved(&self, i: &mut usize) {
        if let Some(Some(to)) = self.0.get(*i) {
            *i = *to;
        }
    }
}

/// An entry ended by `at`: it cannot change any more, nor reach a window after `at`.
fn ended(to: Option<Time>, at: Time) -> bool {
    to.is_some_and(|to| to <= at)
}

impl State {
    /// Drops the jobs delivered before `at` and the closed log entries that ended by it,
    /// returning the dropped jobs' outcomes and the calls cleared by `at` (final: stored). A live job keeps its clocked time, however old:
    /// its sales are split by it, and its crew is who ever clocked on it. The caller has
    /// applied every event before `at` and settled the state to `at`. `lookup` tells the
    /// dropped jobs' comebacks.
    pub(crate) fn prune(
        &mut self,
        at: Time,
        catalog: &Catalog,
        lookup: &Lookup,
    ) -> (Vec<Outcome>, Vec<Call>) {
        // A job a bay still holds (paused there at closing and delivered all the same) stays
        // live with it: the bay's view shows its op and times until the bay is let go.
        let held: std::collections::BTreeSet<Id> = (self.bays.values())
            .flat_map(|b| {
                [
                    b.holder.as_ref().map(|h| &h.job),
                    b.washing.as_ref().map(|w| &w.job),
                ]
            })
            .flatten()
            .cloned()
            .collect();
        let gone = |job: &Id, jt: &crate::fold::JobTrack| {
            jt.delivered_at.is_some_and(|d| d < at) && !held.contains(job)
        };
        let dropped = outcomes(self, catalog, lookup, |job| {
            self.jobs.get(job).is_some_and(|jt| gone(job, jt))
        });
        self.jobs.retain(|job, jt| !gone(job, jt));

        let clocked = Keep::of(&self.clocked, |c| {
            !ended(c.to, at) || self.jobs.contains_key(&c.job)
        });
        let attendance = Keep::of(&self.attendance, |a| !ended(a.to, at));
        let holds = Keep::of(&self.holds, |h| !ended(h.to, at));
        let segments = Keep::of(&self.segments, |g| !ended(g.to, at));
        let washes = Keep::of(&self.washes, |w| !ended(w.to, at));
        let calls = Keep::of(&self.calls, |c| !ended(c.cleared.as_ref().map(|x| x.0), at));
        clocked.apply(&mut self.clocked);
        attendance.apply(&mut self.attendance);
        holds.apply(&mut self.holds);
        segments.apply(&mut self.segments);
        washes.apply(&mut self.washes);
        let cleared = (self.calls.iter().zip(&calls.0))
            .filter(|(_, kept)| kept.is_none())
            .map(|(c, _)| c.clone())
            .collect();
        calls.apply(&mut self.calls);
        for b in self.badges.values_mut() {
            if let Some(on) = &mut b.on {
                clocked.moved(&mut on.interval);
            }
            if let Some(i) = &mut b.shift {
                attendance.moved(i);
            }
        }
        for b in self.bays.values_mut() {
            if let Some(h) = &mut b.holder {
                holds.moved(&mut h.interval);
            }
            if let Some(i) = &mut b.segment {
                segments.moved(i);
            }
            if let Some(w) = &mut b.washing {
                washes.moved(&mut w.interval);
            }
            if let Some(i) = &mut b.call {
                calls.moved(i);
            }
        }
        for j in self.jobs.values_mut() {
            if let Some(i) = &mut j.washing {
                washes.moved(i);
            }
        }
        self.anomalies.retain(|k, _| k.ts >= at);
        self.resolved_bays.retain(|k, _| k.ts >= at);
        self.forgotten.retain(|f| f.deadline >= at);
        (dropped, cleared)
    }
}
