//! One site: its catalog, its sorted timeline of accepted events, and the state folded from
//! them. New events are judged at their place in the timeline; a late one recomputes
//! everything after it.
//!
//! # Layout
//! - this file: admission and the timeline.
//! - `batch`: admitting many late events at once (a fleet process following another).
//! - `anomaly`: what §4 kept but did not apply, including forgotten clock-offs.
//! - `corrections`: a manager's add, move and void (§4 "Corrections").
//! - `eta`: the learned ETA: remaining standard hours over the crew's measured efficiency.
//! - `views`: what the API, boards and lounge show, computed at `now`.
//! - `settings`: what a site sets besides its catalog.
//! - `names`: the checks of a scan's names against the catalog, before its place in time.

#[cfg(test)]
mod admit_tests;
mod anomaly;
mod batch;
#[cfg(test)]
mod batch_tests;
#[cfg(test)]
mod calendar_eta_tests;
mod corrections;
#[cfg(test)]
mod corrections_tests;
mod eta;
#[cfg(test)]
mod eta_tests;
mod freeze;
#[cfg(test)]
mod freeze_tests;
mod names;
mod retract;
#[cfg(test)]
mod retract_tests;
mod settings;
#[cfg(test)]
mod tests;
mod views;

pub use anomaly::Anomaly;
pub use freeze::{decode_checkpoint, encode_checkpoint, Freeze};
pub use settings::Settings;

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Bound::{Excluded, Unbounded};

use bayline_proto::{RejectCode, WarningCode};

use crate::correction::Corrected;
use crate::event::{Event, EventKey};
use crate::fold::journal::Journal;
pub use crate::fold::Verdict;
use crate::fold::{Edit, State};
use crate::{Catalog, Id, JobCard, Time};

/// What [`Workshop::admit`] decided for a new event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// Inserted into the timeline.
    Accepted(Verdict),
    /// Not inserted; the caller stores it as rejected.
    Rejected(RejectCode),
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
    /// How to take back what each of the newest events (and time passing after them)
    /// changed in `state`: a late event undoes the events after it instead of refolding
    /// from a copy. Handhelds' clocks and network paths put many events a few milliseconds
    /// out of order, so "late" is common, and a copy of the state would cost the site's
    /// whole history each time.
    journal: Journal,
    /// How many events the journal keeps: [`JOURNAL_EVENTS`], or the batch being judged
    /// when it is larger, so that [`Workshop::retract`] takes the whole batch back by undoing
    /// ([`Workshop::admit_many`] sets it for its batch).
    journal_keep: usize,
    /// The state at [`Workshop::frozen_to`] that the timeline is folded from: empty until a
    /// day is frozen ([`Workshop::freeze`]).
    base: State,
    frozen_to: Time,
}

/// How many of the newest events the journal can take back: an event later than that is
/// judged on a refold ([`Workshop::admit`]). A thousand events are hours of a busy site's
/// scans (the sample 40-bay site makes about 7,000 a day), far more than handhelds' clocks
/// and network paths put out of order. Each costs a copy of the tracks it changed, several
/// kilobytes: 4,096 held about 40 MB on every site, which a dealer group's 50 sites cannot
/// spend.
#[cfg(not(test))]
const JOURNAL_EVENTS: usize = 1024;
// Small in tests, so that a few thousand events also take the refold.
#[cfg(test)]
const JOURNAL_EVENTS: usize = 48;

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
            journal: Journal::new(true),
            journal_keep: JOURNAL_EVENTS,
            base: State::default(),
            frozen_to: Time::MIN,
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
        if self.catalog.closed.contains_key(&card.job) {
            // Frozen with its days: the store keeps the new card, the live state has no job.
            return;
        }
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
        let frozen_to = self.frozen_to;
        let mut sorted: Vec<Event> = (events.into_iter())
            .filter(|e| e.key.ts >= frozen_to)
            .collect();
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
        if event.key.ts < self.frozen_to {
            // The frozen past changes only by a rebuild (import, corrections).
            return Admission::Rejected(RejectCode::BadTime);
        }
        if self.is_tail(&event.key) {
            // The common case: judged in place.
            let verdict = self.judge(&event);
            if verdict == Verdict::Anomaly(WarningCode::BayBusy) {
                return Admission::Rejected(RejectCode::BayBusy);
            }
            self.events.insert(event.key.clone(), event);
            self.journal.forget(self.journal_keep);
            return Admission::Accepted(verdict);
        }
        if !self.journal.reaches(&event.key) {
            return self.admit_long_late(event);
        }
        // A late event, or one before the instant the state is settled to: take back the
        // events after it (and the time passing after them), judge it, apply them again.
        let settled = std::mem::replace(&mut self.settled, Time::MIN);
        self.journal.undo_after(&mut self.state, &event.key);
        let verdict = self.judge(&event);
        let busy = verdict == Verdict::Anomaly(WarningCode::BayBusy);
        let key = event.key.clone();
        if !busy {
            self.events.insert(key.clone(), event);
        }
        self.reapply_after(&key);
        self.journal.forget(self.journal_keep);
        if busy {
            // Rejected: the state is as it was, settled as far as it was.
            self.settle(settled);
            return Admission::Rejected(RejectCode::BayBusy);
        }
        Admission::Accepted(verdict)
    }

    /// Judges `event` after the last event of the state, journaled as one step: settled up
    /// to it, judged, its verdict recorded. A bay_busy (rejected) is taken back entirely,
    /// the clock-offs its `ts` settled too.
    fn judge(&mut self, event: &Event) -> Verdict {
        self.journal.begin(Some(event.key.clone()));
        let mut edit = Edit::new(&mut self.state, Some(&mut self.journal));
        edit.settle(event.key.ts);
        let verdict = edit.step(&self.catalog, &self.settings, event);
        if verdict == Verdict::Anomaly(WarningCode::BayBusy) {
            self.journal.undo_last(&mut self.state);
        } else {
            edit.record(event, verdict);
        }
        verdict
    }

    /// Applies again, journaled, the events of the timeline after `key`.
    fn reapply_after(&mut self, key: &EventKey) {
        for (k, e) in self.events.range((Excluded(key), Unbounded)) {
            self.journal.begin(Some(k.clone()));
            Edit::new(&mut self.state, Some(&mut self.journal)).apply(
                &self.catalog,
                &self.settings,
                e,
            );
        }
    }

    /// An event older than the journal reaches (more than [`JOURNAL_EVENTS`] late): judged on
    /// the fold of the events before it, then the events after it applied again. Rare (a
    /// handheld back after a long time offline), and as costly as a refold.
    fn admit_long_late(&mut self, event: Event) -> Admission {
        let mut state = self.fold_before(&event.key);
        state.settle(event.key.ts);
        let verdict = state.step(&self.catalog, &self.settings, &event);
        if verdict == Verdict::Anomaly(WarningCode::BayBusy) {
            return Admission::Rejected(RejectCode::BayBusy);
        }
        state.record(&event, verdict);
        let key = event.key.clone();
        self.events.insert(key.clone(), event);
        self.fold_after(state, Some(&key));
        Admission::Accepted(verdict)
    }

    /// The fold of the timeline before `key`, from the frozen base.
    pub(super) fn fold_before(&self, key: &EventKey) -> State {
        let mut state = self.base.clone();
        for e in self
            .events
            .range((Unbounded, Excluded(key)))
            .map(|(_, e)| e)
        {
            state.apply(&self.catalog, &self.settings, e);
        }
        state
    }

    /// Makes `state`, the fold of the timeline through `after` (`None`: of nothing), the fold
    /// of the whole timeline: applies the events after it, journaling the last
    /// [`JOURNAL_EVENTS`] of them.
    fn fold_after(&mut self, mut state: State, after: Option<&EventKey>) {
        let from = after.map_or(Unbounded, Excluded);
        let rest = match after {
            Some(_) => self.events.range((from, Unbounded)).count(),
            None => self.events.len(),
        };
        let plain = rest.saturating_sub(JOURNAL_EVENTS);
        let mut journal = Journal::new(after.is_none() && plain == 0);
        for (i, (k, e)) in self.events.range((from, Unbounded)).enumerate() {
            if i < plain {
                state.apply(&self.catalog, &self.settings, e);
            } else {
                journal.begin(Some(k.clone()));
                Edit::new(&mut state, Some(&mut journal)).apply(&self.catalog, &self.settings, e);
            }
        }
        self.state = state;
        self.journal = journal;
        self.settled = Time::MIN;
    }

    /// A copy to read views and figures from, without the journal: a third of a clone's
    /// cost, and a copy that is judged on folds again from its `base` the first time an
    /// event comes late ([`crate::fold::journal::Journal::holds`] says no).
    pub fn copy_to_read(&self) -> Workshop {
        Workshop {
            catalog: self.catalog.clone(),
            settings: self.settings.clone(),
            events: self.events.clone(),
            corrections: self.corrections.clone(),
            retired: self.retired.clone(),
            state: self.state.clone(),
            settled: self.settled,
            journal: Journal::new(false),
            journal_keep: JOURNAL_EVENTS,
            base: self.base.clone(),
            frozen_to: self.frozen_to,
        }
    }

    /// Folds the whole timeline again.
    pub(crate) fn refold(&mut self) {
        self.fold_after(self.base.clone(), None);
    }

    /// Applies to the stored state the forgotten clock-offs due by `now` (time passing,
    /// contract §4), so that views and figures at `now` or later need not apply them to a
    /// copy each time ([`Workshop::state_at`]). Call it from a timer (say each minute); it
    /// changes no figure, only the cost of computing them. An event that arrives later with a
    /// `ts` before `now` is judged as a late event.
    pub fn settle(&mut self, now: Time) {
        if self.state.unsettled(now) {
            self.journal.begin(None);
            Edit::new(&mut self.state, Some(&mut self.journal)).settle(now);
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
                .map_or(Verdict::Applied, |c| Verdict::listed(*c)),
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
