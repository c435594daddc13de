//! One site: its catalog, its sorted timeline of accepted events, and the state folded from
//! them. New events are judged at their place in the timeline; a late one recomputes
//! everything after it.
//!
//! # Layout
//! - this file: admission and the timeline.
//! - `anomaly`: what §4 kept but did not apply, including forgotten clock-offs.
//! - `corrections`: a manager's add, move and void (§4 "Corrections").
//! - `eta`: the learned ETA: remaining standard hours over the crew's measured efficiency.
//! - `views`: what the API, boards and lounge show, computed at `now`.

mod anomaly;
mod corrections;
#[cfg(test)]
mod corrections_tests;
mod eta;
#[cfg(test)]
mod eta_tests;
#[cfg(test)]
mod tests;
mod views;

pub use anomaly::Anomaly;

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::ops::Bound::{Excluded, Unbounded};

use bayline_proto::{RejectCode, WarningCode};
use jiff::SignedDuration;

use crate::correction::Corrected;
use crate::event::{Event, EventKey};
use crate::fold::State;
pub use crate::fold::Verdict;
use crate::{Catalog, Id, JobCard, Schedule, Time};

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
    /// The accepted events as corrected, in timeline order (contract §4 "Order"): what the
    /// state is folded from.
    events: BTreeMap<EventKey, Event>,
    /// The corrections made, in order, each with the event before and after it.
    corrections: Vec<Corrected>,
    /// Keys of events a correction took out of the timeline (voided, or moved to another
    /// key): a repeat of such a scan must not bring it back.
    retired: BTreeSet<EventKey>,
    /// The fold of `events`, always up to date.
    state: State,
    /// Forgotten clock-offs are applied in `state` up to this instant beyond its last event
    /// ([`Workshop::settle`]); `Time::MIN` when none are. An event before it is judged as late.
    settled: Time,
    /// Recent states as a pure fold through an event's key, oldest first: a late event refolds
    /// from the last one before it instead of from the first event. Handhelds' clocks and
    /// network paths put many events a few milliseconds out of order, so "late" is common,
    /// and a refold from the start would make each of them cost the whole history.
    checkpoints: VecDeque<(EventKey, State)>,
    /// Events in the timeline after the newest checkpoint.
    since_checkpoint: usize,
}

/// Events between checkpoints; how far behind the newest event a checkpoint is taken (so that
/// the usual late event, milliseconds late, falls after it and does not spoil it); how many
/// are kept. A late event refolds about `CHECKPOINT_LAG` events plus those after it.
#[cfg(not(test))]
const CHECKPOINT_EVERY: usize = 256;
#[cfg(not(test))]
const CHECKPOINT_LAG: usize = 512;
// Small in tests, so that a few thousand events cross many checkpoints.
#[cfg(test)]
const CHECKPOINT_EVERY: usize = 64;
#[cfg(test)]
const CHECKPOINT_LAG: usize = 32;
const CHECKPOINTS: usize = 4;

impl Workshop {
    pub fn new(catalog: Catalog, settings: Settings) -> Workshop {
        Workshop {
            catalog,
            settings,
            events: BTreeMap::new(),
            corrections: Vec::new(),
            retired: BTreeSet::new(),
            state: State::default(),
            settled: Time::MIN,
            checkpoints: VecDeque::new(),
            since_checkpoint: 0,
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
        // An unstable sort of the events is cheaper than sorting (key, event) pairs; keys are
        // unique, so it is as good as stable. Collecting sorted pairs then builds the tree in
        // bulk, and `append` merges in bulk too.
        let mut sorted: Vec<Event> = events.into_iter().collect();
        sorted.sort_unstable_by(|a, b| a.key.cmp(&b.key));
        let mut new: BTreeMap<EventKey, Event> =
            sorted.into_iter().map(|e| (e.key.clone(), e)).collect();
        self.events.append(&mut new);
        self.refold();
    }

    /// Judges a new event: rejected as the contract says (§3.2), or inserted at its place in
    /// the timeline with the verdict it got there. An exact repeat changes nothing.
    pub fn admit(&mut self, event: Event) -> Admission {
        if let Some(v) = self.verdict(&event.key) {
            return Admission::Accepted(v);
        }
        if self.retired.contains(&event.key) {
            // A repeat of a scan a manager voided or moved: it stays corrected.
            return Admission::Accepted(Verdict::Applied);
        }
        if let Err(code) = self.check_names(&event) {
            return Admission::Rejected(code);
        }
        let ts = event.key.ts;
        let tail = ts >= self.settled
            && self
                .events
                .last_key_value()
                .is_none_or(|(last, _)| event.key > *last);
        if tail && !self.state.unsettled(ts) {
            // The common case: judged in place, an anomaly leaves the state as it was.
            let verdict = self.state.step(&self.catalog, &self.settings, &event);
            if verdict == Verdict::Anomaly(WarningCode::BayBusy) {
                return Admission::Rejected(RejectCode::BayBusy);
            }
            self.state.record(&event, verdict);
            self.events.insert(event.key.clone(), event);
            self.checkpoint();
            return Admission::Accepted(verdict);
        }
        // A late event, or one after a forgotten clock-off fell due: judge it on a copy so a
        // rejected event leaves no trace (not even the clock-offs its `ts` would settle).
        let mut state = if tail {
            self.state.clone()
        } else {
            self.fold_before(&event.key)
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
        if !tail {
            // Refolded up to the last event only.
            self.settled = Time::MIN;
        }
        // Checkpoints after the new event no longer hold the fold through their key.
        let mut spoiled = false;
        while self.checkpoints.back().is_some_and(|(k, _)| *k > event.key) {
            self.checkpoints.pop_back();
            spoiled = true;
        }
        self.events.insert(event.key.clone(), event);
        if spoiled {
            self.since_checkpoint = match self.checkpoints.back() {
                Some((k, _)) => self.events.range((Excluded(k), Unbounded)).count(),
                None => self.events.len(),
            };
        }
        self.checkpoint();
        Admission::Accepted(verdict)
    }

    /// The pure fold of the events before `key`: from the newest checkpoint before it, or
    /// from the start.
    fn fold_before(&self, key: &EventKey) -> State {
        match self.checkpoints.iter().rev().find(|(k, _)| k < key) {
            Some((at, checkpoint)) => {
                let mut state = checkpoint.clone();
                for (_, e) in self.events.range((Excluded(at), Excluded(key))) {
                    state.apply(&self.catalog, &self.settings, e);
                }
                state
            }
            None => State::fold(
                &self.catalog,
                &self.settings,
                self.events
                    .range((Unbounded, Excluded(key)))
                    .map(|(_, e)| e),
            ),
        }
    }

    /// Counts an event added after the newest checkpoint, and takes the next checkpoint once
    /// [`CHECKPOINT_LAG`] + [`CHECKPOINT_EVERY`] events follow it: the fold of the next
    /// `CHECKPOINT_EVERY` events from it, `CHECKPOINT_LAG` behind the newest event. One
    /// extra apply per event, amortised, instead of refolding from the start.
    fn checkpoint(&mut self) {
        self.since_checkpoint += 1;
        if self.since_checkpoint < CHECKPOINT_LAG + CHECKPOINT_EVERY {
            return;
        }
        let (mut state, from) = match self.checkpoints.back() {
            Some((k, st)) => (st.clone(), Excluded(k.clone())),
            None => (State::default(), Unbounded),
        };
        let mut last = None;
        for (key, e) in self.events.range((from, Unbounded)).take(CHECKPOINT_EVERY) {
            state.apply(&self.catalog, &self.settings, e);
            last = Some(key.clone());
        }
        if let Some(key) = last {
            self.checkpoints.push_back((key, state));
            if self.checkpoints.len() > CHECKPOINTS {
                self.checkpoints.pop_front();
            }
        }
        self.since_checkpoint -= CHECKPOINT_EVERY;
    }

    /// The checks that do not depend on the event's place in the timeline, in the order the
    /// reply reports them.
    pub(crate) fn check_names(&self, event: &Event) -> Result<(), RejectCode> {
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

    /// Folds the whole timeline again, keeping a checkpoint [`CHECKPOINT_LAG`] events before
    /// its end on the way.
    pub(crate) fn refold(&mut self) {
        self.checkpoints.clear();
        let split = self.events.len().saturating_sub(CHECKPOINT_LAG);
        let mut state = State::default();
        for (i, (key, e)) in self.events.iter().enumerate() {
            state.apply(&self.catalog, &self.settings, e);
            if i + 1 == split {
                self.checkpoints.push_back((key.clone(), state.clone()));
            }
        }
        self.since_checkpoint = self.events.len() - split;
        self.state = state;
        self.settled = Time::MIN;
    }

    /// Applies to the stored state the forgotten clock-offs due by `now` (time passing,
    /// contract §4), so that views and figures at `now` or later need not apply them to a
    /// copy each time ([`Workshop::state_at`]). Call it from a timer (say each minute); it
    /// changes no figure, only the cost of computing them. An event that arrives later with a
    /// `ts` before `now` is judged as a late event.
    pub fn settle(&mut self, now: Time) {
        if self.state.unsettled(now) {
            self.state.settle(now);
            self.settled = self.settled.max(now);
        }
    }

    pub fn contains(&self, key: &EventKey) -> bool {
        self.events.contains_key(key)
    }

    pub fn verdict(&self, key: &EventKey) -> Option<Verdict> {
        if !self.events.contains_key(key) {
            return None;
        }
        Some(
            self.state
                .anomalies
                .get(key)
                .map_or(Verdict::Applied, |c| Verdict::Anomaly(*c)),
        )
    }

    /// The accepted events in timeline order.
    pub fn events(&self) -> impl Iterator<Item = &Event> {
        self.events.values()
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
