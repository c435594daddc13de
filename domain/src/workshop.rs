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

use std::borrow::Cow;
use std::collections::BTreeMap;

use bayline_proto::{Action, RejectCode, WarningCode};
use jiff::SignedDuration;
use serde::Serialize;

use crate::event::{Event, EventKey};
pub use crate::fold::Verdict;
use crate::fold::{Forgotten, State};
use crate::{Catalog, Id, JobCard, Schedule, Time};

/// What [`Workshop::admit`] decided for a new event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// Inserted into the timeline.
    Accepted(Verdict),
    /// Not inserted; the caller stores it as rejected.
    Rejected(RejectCode),
}

/// Something §4 kept but did not apply, for a manager to review: a stored event that makes no
/// sense at its place in the timeline, or a forgotten clock-off the system applied by itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Anomaly {
    pub code: WarningCode,
    /// The event's `ts`; for a forgotten clock-off, the closing time it was clocked off at.
    pub ts: Time,
    pub badge: Id,
    pub job: Option<Id>,
    pub op: Option<Id>,
    pub bay: Option<Id>,
    /// The stored event's key and action; `None` for a forgotten clock-off, which no scan
    /// caused.
    pub event: Option<EventKey>,
    pub action: Option<Action>,
}

impl Anomaly {
    fn of_event(e: &Event, code: WarningCode) -> Anomaly {
        Anomaly {
            code,
            ts: e.key.ts,
            badge: e.badge.clone(),
            job: e.kind.job().cloned(),
            op: e.kind.op().cloned(),
            bay: e.kind.bay().cloned(),
            event: Some(e.key.clone()),
            action: Some(e.kind.action()),
        }
    }

    fn of_forgotten(f: &Forgotten) -> Anomaly {
        Anomaly {
            code: WarningCode::ForgottenClockOff,
            ts: f.closing,
            badge: f.badge.clone(),
            job: Some(f.job.clone()),
            op: Some(f.op.clone()),
            bay: Some(f.bay.clone()),
            event: None,
            action: None,
        }
    }
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
        let ts = event.key.ts;
        if tail && !self.state.unsettled(ts) {
            // The common case: judged in place, an anomaly leaves the state as it was.
            let verdict = self.state.step(&self.catalog, &self.settings, &event);
            if verdict == Verdict::Anomaly(WarningCode::BayBusy) {
                return Admission::Rejected(RejectCode::BayBusy);
            }
            self.state.record(&event, verdict);
            self.events.insert(event.key.clone(), event);
            return Admission::Accepted(verdict);
        }
        // A late event, or one after a forgotten clock-off fell due: judge it on a copy so a
        // rejected event leaves no trace (not even the clock-offs its `ts` would settle).
        let mut state = if tail {
            self.state.clone()
        } else {
            State::fold(
                &self.catalog,
                &self.settings,
                self.events.range(..event.key.clone()).map(|(_, e)| e),
            )
        };
        state.settle(ts);
        let verdict = state.step(&self.catalog, &self.settings, &event);
        if verdict == Verdict::Anomaly(WarningCode::BayBusy) {
            return Admission::Rejected(RejectCode::BayBusy);
        }
        state.record(&event, verdict);
        for (_, later) in self.events.range(event.key.clone()..) {
            state.apply(&self.catalog, &self.settings, later);
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
        self.state = State::fold(&self.catalog, &self.settings, self.events.values());
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

    /// What §4 kept but did not apply, at `now`: the events the current timeline judges
    /// nonsense, and the forgotten clock-offs due by `now`; in time order (an event by its
    /// `ts`, a forgotten clock-off by the closing time it was clocked off at).
    pub fn anomalies(&self, now: Time) -> Vec<Anomaly> {
        let state = self.state_at(now);
        let events = self
            .events
            .values()
            .filter_map(|e| match self.verdict(&e.key) {
                Some(Verdict::Anomaly(code)) => Some(Anomaly::of_event(e, code)),
                _ => None,
            });
        let forgotten = state.forgotten.iter().map(Anomaly::of_forgotten);
        let mut all: Vec<Anomaly> = events.chain(forgotten).collect();
        // Stable: events keep their timeline order among equal instants.
        all.sort_by_key(|a| a.ts);
        all
    }

    /// The state as it stands at `now`: the folded state with the forgotten clock-offs due by
    /// `now` applied (time passing, contract §4). Borrowed unless one is due.
    pub fn state_at(&self, now: Time) -> Cow<'_, State> {
        if self.state.unsettled(now) {
            let mut state = self.state.clone();
            state.settle(now);
            Cow::Owned(state)
        } else {
            Cow::Borrowed(&self.state)
        }
    }

    /// The folded state after the last event (forgotten clock-offs due after it not applied:
    /// see [`Workshop::state_at`]).
    pub fn state(&self) -> &State {
        &self.state
    }

    /// The bay an applied `start`/`resume` clocked on at (a `resume` without bay goes to the
    /// op's last bay).
    pub fn resolved_bay(&self, key: &EventKey) -> Option<Id> {
        self.state.resolved_bays.get(key).cloned()
    }
}
