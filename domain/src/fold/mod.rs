//! The state machine (contract §4 "Rules"). [`State::fold`] walks events sorted by
//! [`EventKey`] and gives each a [`Verdict`]; nonsense is kept as an anomaly and changes
//! nothing. Besides "now", the state keeps interval logs — clocked time, attendance, bay
//! holds and bay working/blocked segments, washes — so the KPI maths (§6) can clip them to any
//! period.
//!
//! Readings where the contract is silent:
//! - Events naming a job, op, bay or badge the catalog does not know (say a job card was
//!   changed after the scan) are applied as if known; only a job card's op list (bay release,
//!   `qc_pass`) and wash flag (stage) come from the catalog. A missing card counts as a card
//!   with no ops and `wash = true`, so its bay is never released by finishing.
//! - `delivered` also releases the job's bay and ends its washing.
//! - A bay's reason may change while it stays blocked (a badge of the job clocked on at its
//!   old bay clocks off); that starts a new segment.
//!
//! # Layout
//! - [`track`]: per job, op, badge and bay "now".
//! - `rules`: one function per action, checks first, then effects.
//! - `clock`: clocking on and off, bay holds and bay segments.

#[cfg(test)]
mod bay_tests;
mod clock;
mod rules;
#[cfg(test)]
mod tests;
pub mod track;

use std::collections::BTreeMap;

use serde::Serialize;

pub use track::{BadgeTrack, BayTrack, ClockOff, JobTrack, LastClockOff, OpTrack, QcResult};

use crate::{Catalog, Event, EventKey, Id, PauseReason, Stage, Time, WarningCode};

/// How a stored event stands in the timeline now. Re-judged when a late event arrives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Applied,
    /// Kept, listed, not applied (contract §4 "Nonsense is kept, not applied").
    Anomaly(WarningCode),
}

/// A badge clocked on an op at a bay. `to: None` is still open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Clocked {
    pub badge: Id,
    pub job: Id,
    pub op: Id,
    pub bay: Id,
    pub from: Time,
    pub to: Option<Time>,
    /// How it ended; `None` while open.
    pub end: Option<ClockOff>,
}

/// A badge's attendance, `shift_start` → `shift_end` (available time, §6).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Attendance {
    pub badge: Id,
    pub from: Time,
    pub to: Option<Time>,
}

/// A job holding a bay (contract §4 "Bays").
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BayHold {
    pub bay: Id,
    pub job: Id,
    pub from: Time,
    pub to: Option<Time>,
}

/// A stretch of time a held bay was `working` or `blocked` (with the reason) for one job:
/// the bay board's `since` and the §6 blocked hours by reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BaySegment {
    pub bay: Id,
    pub job: Id,
    pub working: bool,
    /// Why it is blocked; `None` while working.
    pub reason: Option<PauseReason>,
    pub from: Time,
    pub to: Option<Time>,
}

/// A job washing, `wash_start` → `wash_done` (bay `None` when the scans named none).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Wash {
    pub job: Id,
    pub bay: Option<Id>,
    pub from: Time,
    pub to: Option<Time>,
}

/// Everything the timeline says, folded.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct State {
    pub jobs: BTreeMap<Id, JobTrack>,
    pub badges: BTreeMap<Id, BadgeTrack>,
    pub bays: BTreeMap<Id, BayTrack>,
    /// Clocked intervals in the order they began.
    pub clocked: Vec<Clocked>,
    pub attendance: Vec<Attendance>,
    pub holds: Vec<BayHold>,
    pub segments: Vec<BaySegment>,
    pub washes: Vec<Wash>,
    /// Every event's judgement.
    pub verdicts: BTreeMap<EventKey, Verdict>,
    /// The bay each applied `start`/`resume` clocked on at.
    pub resolved_bays: BTreeMap<EventKey, Id>,
}

impl State {
    /// Folds events that are already sorted by key.
    pub fn fold<'a>(catalog: &Catalog, events: impl IntoIterator<Item = &'a Event>) -> State {
        let mut state = State::default();
        for event in events {
            state.apply(catalog, event);
        }
        state
    }

    /// Applies the next event of the timeline (its key must be the greatest so far) and
    /// records its verdict.
    pub fn apply(&mut self, catalog: &Catalog, event: &Event) -> Verdict {
        let verdict = self.step(catalog, event);
        self.record(event, verdict);
        verdict
    }

    /// Judges and, when it makes sense, applies the event without recording the verdict. An
    /// anomaly leaves the state exactly as it was, which lets admission try an event first.
    pub(crate) fn step(&mut self, catalog: &Catalog, event: &Event) -> Verdict {
        match rules::apply(self, catalog, event) {
            Ok(()) => Verdict::Applied,
            Err(code) => Verdict::Anomaly(code),
        }
    }

    pub(crate) fn record(&mut self, event: &Event, verdict: Verdict) {
        self.verdicts.insert(event.key.clone(), verdict);
    }

    pub fn job(&self, job: &str) -> Option<&JobTrack> {
        self.jobs.get(job)
    }

    pub fn op(&self, job: &str, op: &str) -> Option<&OpTrack> {
        self.jobs.get(job).and_then(|j| j.ops.get(op))
    }

    pub fn badge(&self, badge: &str) -> Option<&BadgeTrack> {
        self.badges.get(badge)
    }

    pub fn bay(&self, bay: &str) -> Option<&BayTrack> {
        self.bays.get(bay)
    }

    /// The stage of a job now (contract §4 "Stages").
    pub fn stage(&self, catalog: &Catalog, job: &str) -> Stage {
        match self.jobs.get(job) {
            Some(track) => crate::stage::stage_of(track, catalog.jobs.get(job)),
            None => Stage::Booked,
        }
    }

    /// The badges clocked on `job` at `bay` now, with their op and since when.
    pub fn on_at<'a>(
        &'a self,
        job: &'a str,
        bay: &'a str,
    ) -> impl Iterator<Item = (&'a Id, &'a track::OnOp)> + 'a {
        self.jobs
            .get(job)
            .into_iter()
            .flat_map(|j| j.ops.values())
            .flat_map(|o| o.on.keys())
            .filter_map(|b| Some((b, self.badges.get(b)?.on.as_ref()?)))
            .filter(move |(_, on)| on.job.as_str() == job && on.bay.as_str() == bay)
    }
}
