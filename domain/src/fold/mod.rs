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
//! - Forgotten clock-offs (§4): a clock-on's working day ends at the first closing time at or
//!   after it (a clock-on after closing, or on a closed day, belongs to the next open day). If
//!   the badge is still on at that closing plus the grace, it is clocked off at the closing
//!   time (`ClockOff::Forgotten`) and listed as a forgotten clock-off. Time passing triggers
//!   it, not a scan: the fold applies every deadline at or before an event's `ts` before the
//!   event, so the state depends only on the set of events; [`State::settle`] applies those up
//!   to `now` for the views. The clocked interval ends at closing time; the bay's segments
//!   change when the deadline passes (the segment log only grows at its end), and the bay
//!   then shows blocked with reason `shift_end`. Bay figures count only opening hours, so the
//!   gap between closing and deadline does not reach the §6 figures.
//! - Andon calls (§7.7): a bay has at most one open call; a `call` at a bay whose call is
//!   still open is listed `call_open`, `answer` or `clear` at a bay without one
//!   `no_open_call`, a second `answer` `already_answered` (the first helper's time counts).
//!   A `call` without a bay is at the bay the badge is clocked on at, else `no_bay`.
//! - A bay's reason may change while it stays blocked (a badge of the job clocked on at its
//!   old bay clocks off); that starts a new segment.
//!
//! # Layout
//! - [`track`]: per job, op, badge and bay "now".
//! - `rules`: one function per action, checks first, then effects.
//! - `clock`: clocking on and off, bay holds and bay segments.
//! - `edit`: the only way the rules change the state, each change noted in a journal when
//!   there is one.
//! - `journal`: how to take back the changes of the newest events (late events, in
//!   [`crate::Workshop::admit`]).

#[cfg(test)]
mod bay_tests;
#[cfg(test)]
mod call_tests;
mod clock;
mod edit;
#[cfg(test)]
mod forgotten_tests;
pub(crate) mod journal;
mod prune;
#[cfg(test)]
mod qc_tests;
#[cfg(test)]
mod role_tests;
mod rules;
#[cfg(test)]
mod tests;
pub mod track;
mod warnings;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::hash::{BuildHasherDefault, Hasher};

use serde::{Deserialize, Serialize};

pub(crate) use edit::Edit;
pub use track::{BadgeTrack, BayTrack, ClockOff, JobTrack, LastClockOff, OnOp, OpTrack, QcResult};

use crate::{CallReason, Catalog, Event, EventKey, Id, Reason, Settings, Stage, Time, WarningCode};

/// How a stored event stands in the timeline now. Re-judged when a late event arrives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Applied,
    /// Applied, and listed for review with the warning (contract §7.6: QC by the wrong badge,
    /// a handover without QC). Its code is one of [`WarningCode::applied`].
    Warned(WarningCode),
    /// Kept, listed, not applied (contract §4 "Nonsense is kept, not applied").
    Anomaly(WarningCode),
}

impl Verdict {
    /// The verdict an event listed with `code` has: the code says whether it was applied.
    pub fn listed(code: WarningCode) -> Verdict {
        if code.applied() {
            Verdict::Warned(code)
        } else {
            Verdict::Anomaly(code)
        }
    }

    /// The warning its reply carries, if any.
    pub fn warning(self) -> Option<WarningCode> {
        match self {
            Verdict::Applied => None,
            Verdict::Warned(w) | Verdict::Anomaly(w) => Some(w),
        }
    }
}

/// A badge clocked on an op at a bay. `to: None` is still open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Clocked {
    pub badge: Id,
    pub job: Id,
    pub op: Id,
    pub bay: Id,
    pub from: Time,
    pub to: Option<Time>,
    /// How it ended; `None` while open.
    pub end: Option<ClockOff>,
    /// Clocked on an op a `qc_fail` had reopened: rework (§7.6 `rework_hours`).
    pub rework: bool,
}

/// A badge's attendance, `shift_start` → `shift_end` (available time, §6).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attendance {
    pub badge: Id,
    pub from: Time,
    pub to: Option<Time>,
}

/// A job holding a bay (contract §4 "Bays").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BayHold {
    pub bay: Id,
    pub job: Id,
    pub from: Time,
    pub to: Option<Time>,
}

/// A stretch of time a held bay was `working` or `blocked` (with the reason) for one job:
/// the bay board's `since` and the §6 blocked hours by reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BaySegment {
    pub bay: Id,
    pub job: Id,
    pub working: bool,
    /// Why it is blocked; `None` while working.
    pub reason: Option<Reason>,
    pub from: Time,
    pub to: Option<Time>,
}

/// A job washing, `wash_start` → `wash_done` (bay `None` when the scans named none).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Wash {
    pub job: Id,
    pub bay: Option<Id>,
    pub from: Time,
    pub to: Option<Time>,
}

/// A badge the system clocked off at closing time because it was still on when the grace ran
/// out (contract §4 "Forgotten clock-offs").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Forgotten {
    pub badge: Id,
    pub job: Id,
    pub op: Id,
    pub bay: Id,
    /// When it clocked on.
    pub since: Time,
    /// Where its clocked interval now ends.
    pub closing: Time,
    /// Closing plus grace: when the system clocked it off.
    pub deadline: Time,
}

/// An andon call at a bay (contract §7.7): open until cleared, answered when the helper who
/// came scanned `answer`. The bay has at most one open call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Call {
    pub bay: Id,
    /// Who called.
    pub badge: Id,
    pub reason: CallReason,
    pub opened: Time,
    /// When and by whom it was answered.
    pub answered: Option<(Time, Id)>,
    /// When and by whom it was cleared; `None` while open.
    pub cleared: Option<(Time, Id)>,
}

impl Call {
    pub fn is_open(&self) -> bool {
        self.cleared.is_none()
    }

    /// Opened → answered, once answered (the §6 call figures).
    pub fn answer_time(&self) -> Option<jiff::SignedDuration> {
        self.answered
            .as_ref()
            .map(|(t, _)| t.duration_since(self.opened))
    }
}

/// A map keyed by id with a fast, fixed hash. The fold looks jobs, badges and bays up many
/// times per event, and comparing ids down a tree costs more than hashing one once. Its
/// iteration order is not sorted: whatever sums over it must sort the keys first, so that
/// the same set of events gives bit-identical figures.
pub type IdMap<V> = HashMap<Id, V, BuildHasherDefault<IdHasher>>;

/// FxHash (as in rustc): a multiply-rotate over 8-byte words; fixed, so no run-to-run
/// randomness, and fast for short keys. Ids come from our own catalog and scanners, so
/// hash-flooding is not a concern here.
#[derive(Debug, Default, Clone, Copy)]
pub struct IdHasher(u64);

impl IdHasher {
    const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(Self::SEED);
    }
}

impl Hasher for IdHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        for b in chunks.remainder() {
            self.add(u64::from(*b));
        }
    }

    fn write_u8(&mut self, b: u8) {
        self.add(u64::from(b));
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// The entries of an [`IdMap`] sorted by id.
pub fn sorted<V>(map: &IdMap<V>) -> Vec<(&Id, &V)> {
    let mut all: Vec<(&Id, &V)> = map.iter().collect();
    all.sort_unstable_by(|a, b| a.0.cmp(b.0));
    all
}

/// Everything the timeline says, folded.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct State {
    pub jobs: IdMap<JobTrack>,
    pub badges: IdMap<BadgeTrack>,
    pub bays: IdMap<BayTrack>,
    /// Clocked intervals in the order they began.
    pub clocked: Vec<Clocked>,
    pub attendance: Vec<Attendance>,
    pub holds: Vec<BayHold>,
    pub segments: Vec<BaySegment>,
    pub washes: Vec<Wash>,
    /// The events the timeline lists for review, with why: nonsense, not applied, or applied
    /// with a warning ([`WarningCode::applied`] tells which); every other event of the
    /// timeline is applied. (Only these are kept: a map entry per event would cost the fold
    /// more than all its rules.)
    pub anomalies: BTreeMap<EventKey, WarningCode>,
    /// The bay each applied `start`/`resume` clocked on at.
    pub resolved_bays: BTreeMap<EventKey, Id>,
    /// Pending forgotten-clock-off deadlines: (closing + grace, badge) of every badge on now.
    pub deadlines: BTreeSet<(Time, Id)>,
    /// The forgotten clock-offs applied so far, in the order they happened.
    pub forgotten: Vec<Forgotten>,
    /// Andon calls in the order they were opened.
    pub calls: Vec<Call>,
}

impl State {
    /// Folds events that are already sorted by key.
    pub fn fold<'a>(
        catalog: &Catalog,
        settings: &Settings,
        events: impl IntoIterator<Item = &'a Event>,
    ) -> State {
        let mut state = State::default();
        for event in events {
            state.apply(catalog, settings, event);
        }
        state
    }

    /// Applies the next event of the timeline (its key must be the greatest so far) and
    /// records its verdict; forgotten clock-offs due by its `ts` come first.
    pub fn apply(&mut self, catalog: &Catalog, settings: &Settings, event: &Event) -> Verdict {
        Edit::new(self, None).apply(catalog, settings, event)
    }

    /// Applies the forgotten clock-offs whose deadline is at or before `until` (time passing,
    /// contract §4).
    pub fn settle(&mut self, until: Time) {
        Edit::new(self, None).settle(until);
    }

    /// Whether [`State::settle`] up to `until` would change anything.
    pub fn unsettled(&self, until: Time) -> bool {
        self.deadlines.first().is_some_and(|(d, _)| *d <= until)
    }

    /// Judges and, when it makes sense, applies the event without recording the verdict. An
    /// anomaly leaves the state exactly as it was, which lets admission try an event first.
    /// The caller settles the state up to the event first.
    pub(crate) fn step(
        &mut self,
        catalog: &Catalog,
        settings: &Settings,
        event: &Event,
    ) -> Verdict {
        Edit::new(self, None).step(catalog, settings, event)
    }

    pub(crate) fn record(&mut self, event: &Event, verdict: Verdict) {
        Edit::new(self, None).record(event, verdict);
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

    /// The bay's open call, if it has one.
    pub fn open_call(&self, bay: &str) -> Option<&Call> {
        let i = self.bays.get(bay)?.call?;
        self.calls.get(i)
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
