//! Part of a frozen day measured again: a period that starts or ends inside a frozen day
//! cannot use the day's stored totals, so the day is refolded from the checkpoint at or
//! before it and measured over the part asked.

use super::totals::Totals;
use crate::fold::State;
use crate::{Catalog, Event, Settings, Time};

/// A refold of the frozen past from a checkpoint.
#[derive(Debug)]
pub struct Replay {
    catalog: Catalog,
    settings: Settings,
    state: State,
}

impl Replay {
    /// Starts from `checkpoint`. `catalog` must hold the cards of the jobs the checkpoint and
    /// the events name, closed ones included: bay release and stages depend on them.
    pub fn new(catalog: Catalog, settings: Settings, checkpoint: State) -> Replay {
        Replay {
            catalog,
            settings,
            state: checkpoint,
        }
    }

    /// Adds a job card the events or the checkpoint name.
    pub fn know(&mut self, card: crate::JobCard) {
        self.catalog.jobs.insert(card.job.clone(), card);
    }

    /// Applies the next events (all after those applied so far).
    pub fn feed(&mut self, mut events: Vec<Event>) {
        events.sort_unstable_by(|a, b| a.key.cmp(&b.key));
        for e in &events {
            self.state.apply(&self.catalog, &self.settings, e);
        }
    }

    /// Whether, folded up to `at`, every interval before `until` has its final end: no
    /// forgotten clock-off still pending could end one at a closing time before `until`.
    pub fn settled_before(&mut self, until: Time, at: Time) -> bool {
        self.state.settle(at);
        let s = &self.state;
        s.deadlines.iter().all(|(_, badge)| {
            let closing = s.badges.get(badge).and_then(|b| b.on.as_ref()?.closing);
            closing.is_none_or(|(c, _)| c >= until)
        })
    }

    /// The totals of `[from, to)`, folded up to `at` (at or after `to`).
    pub fn totals(&mut self, from: Time, to: Time, at: Time) -> Totals {
        self.state.settle(at);
        let open = self.settings.schedule.open_spans(from, to);
        Totals::measure(&self.state, &self.catalog, (from, to), &open, |f| {
            from <= f && f < to
        })
    }

    /// The jobs the replay's state names (their cards belong in its catalog).
    pub fn jobs(&self) -> impl Iterator<Item = &crate::Id> {
        self.state.jobs.keys()
    }
}
