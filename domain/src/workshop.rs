//! One site: its catalog, its sorted timeline of accepted events, and the state folded from
//! them. New events are judged at their place in the timeline; a late one recomputes
//! everything after it.
//!
//! # Layout
//! - this file: admission and the timeline.
//! - `views`: what the API, boards and lounge show, computed at `now`.

#[cfg(test)]
mod tests;
mod views;

use std::collections::BTreeMap;

use bayline_proto::{RejectCode, WarningCode};
use jiff::SignedDuration;

use crate::event::{Event, EventKey};
use crate::fold::State;
pub use crate::fold::Verdict;
use crate::{Catalog, Id, JobCard, Schedule};

/// What [`Workshop::admit`] decided for a new event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// Inserted into the timeline.
    Accepted(Verdict),
    /// Not inserted; the caller stores it as rejected.
    Rejected(RejectCode),
}

/// What a site sets besides its catalog: its calendar and the tunables of the views.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// Hours added to a job's remaining work for QC and washing when computing its ETA.
    pub eta_allowance_hours: f64,
    /// How many of a badge's most recent finished ops its measured efficiency is learned from
    /// (the ETA's divisor).
    pub eta_sample_ops: usize,
    /// Opening hours in the site's zone: bay figures (§6) and forgotten clock-offs (§4).
    pub schedule: Schedule,
    /// How long after closing time a badge still clocked on is clocked off at closing time
    /// (contract §4 "Forgotten clock-offs", site key `auto_clock_off_grace_min`).
    pub auto_clock_off_grace: SignedDuration,
}

impl Default for Settings {
    /// Half an hour for QC and washing, 20 ops of history, a workshop's usual week in UTC
    /// ([`Schedule::default`]) and the contract's 60 minutes of grace.
    fn default() -> Self {
        Settings {
            eta_allowance_hours: 0.5,
            eta_sample_ops: 20,
            schedule: Schedule::default(),
            auto_clock_off_grace: SignedDuration::from_mins(60),
        }
    }
}

/// One site's catalog, timeline and folded state.
#[derive(Debug, Clone)]
pub struct Workshop {
    catalog: Catalog,
    settings: Settings,
    /// The accepted events, in timeline order (contract §4 "Order").
    events: BTreeMap<EventKey, Event>,
    /// The fold of `events`, always up to date.
    state: State,
}

impl Workshop {
    pub fn new(catalog: Catalog, settings: Settings) -> Workshop {
        Workshop {
            catalog,
            settings,
            events: BTreeMap::new(),
            state: State::default(),
        }
    }

    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Adds or replaces a job card. The timeline is refolded when the op list or the wash
    /// flag changed: bay release, `qc_pass` and `ready_at` depend on them.
    pub fn upsert_job(&mut self, card: JobCard) {
        let shape = |c: &JobCard| {
            (
                c.wash,
                c.ops.iter().map(|o| o.op.clone()).collect::<Vec<_>>(),
            )
        };
        let changed = self
            .catalog
            .jobs
            .get(&card.job)
            .is_none_or(|old| shape(old) != shape(&card));
        self.catalog.jobs.insert(card.job.clone(), card);
        if changed {
            self.refold();
        }
    }

    /// Puts back stored accepted events (startup replay) without judging admission, then
    /// folds once.
    pub fn restore(&mut self, events: impl IntoIterator<Item = Event>) {
        // Collecting sorts once and builds the tree in bulk; `append` merges in bulk too.
        let mut new: BTreeMap<EventKey, Event> =
            events.into_iter().map(|e| (e.key.clone(), e)).collect();
        self.events.append(&mut new);
        self.refold();
    }

    /// Judges a new event: rejected as the contract says (§3.2), or inserted at its place in
    /// the timeline with the verdict it got there. An exact repeat changes nothing.
    pub fn admit(&mut self, event: Event) -> Admission {
        if let Some(v) = self.verdict(&event.key) {
            return Admission::Accepted(v);
        }
        if let Err(code) = self.check_names(&event) {
            return Admission::Rejected(code);
        }
        let tail = self
            .events
            .last_key_value()
            .is_none_or(|(last, _)| event.key > *last);
        if tail {
            let verdict = self.state.step(&self.catalog, &event);
            if verdict == Verdict::Anomaly(WarningCode::BayBusy) {
                return Admission::Rejected(RejectCode::BayBusy);
            }
            self.state.record(&event, verdict);
            self.events.insert(event.key.clone(), event);
            return Admission::Accepted(verdict);
        }
        // A late event: fold the past up to it, judge it there, then fold the rest.
        let mut state = State::fold(
            &self.catalog,
            self.events.range(..event.key.clone()).map(|(_, e)| e),
        );
        let verdict = state.step(&self.catalog, &event);
        if verdict == Verdict::Anomaly(WarningCode::BayBusy) {
            return Admission::Rejected(RejectCode::BayBusy);
        }
        state.record(&event, verdict);
        for (_, later) in self.events.range(event.key.clone()..) {
            state.apply(&self.catalog, later);
        }
        self.state = state;
        self.events.insert(event.key.clone(), event);
        Admission::Accepted(verdict)
    }

    /// The checks that do not depend on the event's place in the timeline, in the order the
    /// reply reports them.
    fn check_names(&self, event: &Event) -> Result<(), RejectCode> {
        let cat = &self.catalog;
        if !cat.badges.contains_key(&event.badge) {
            return Err(RejectCode::UnknownBadge);
        }
        let card = match event.kind.job() {
            Some(job) => Some(cat.jobs.get(job).ok_or(RejectCode::UnknownJob)?),
            None => None,
        };
        if let (Some(card), Some(op)) = (card, event.kind.op()) {
            card.op(op).ok_or(RejectCode::UnknownOp)?;
        }
        if event.kind.bay().is_some_and(|b| !cat.bays.contains_key(b)) {
            return Err(RejectCode::UnknownBay);
        }
        let delivered = event
            .kind
            .job()
            .and_then(|j| self.state.job(j)?.delivered_at);
        if delivered.is_some_and(|d| d < event.key.ts) {
            return Err(RejectCode::JobClosed);
        }
        Ok(())
    }

    fn refold(&mut self) {
        self.state = State::fold(&self.catalog, self.events.values());
    }

    pub fn contains(&self, key: &EventKey) -> bool {
        self.events.contains_key(key)
    }

    pub fn verdict(&self, key: &EventKey) -> Option<Verdict> {
        self.state.verdicts.get(key).copied()
    }

    /// The accepted events in timeline order.
    pub fn events(&self) -> impl Iterator<Item = &Event> {
        self.events.values()
    }

    /// The events the current timeline does not apply, in timeline order.
    pub fn anomalies(&self) -> Vec<(&Event, WarningCode)> {
        self.events
            .values()
            .filter_map(|e| match self.verdict(&e.key) {
                Some(Verdict::Anomaly(code)) => Some((e, code)),
                _ => None,
            })
            .collect()
    }

    pub fn state(&self) -> &State {
        &self.state
    }

    /// The bay an applied `start`/`resume` clocked on at (a `resume` without bay goes to the
    /// op's last bay).
    pub fn resolved_bay(&self, key: &EventKey) -> Option<Id> {
        self.state.resolved_bays.get(key).cloned()
    }
}
