//! What the fold keeps per job, op, badge and bay while it walks the timeline: the "now" of
//! each thing, pointing into the interval logs of [`super::State`] for what is still open.

use std::collections::{BTreeMap, BTreeSet};

use jiff::SignedDuration;
use serde::{Deserialize, Serialize};

use crate::{EventKey, Id, JobCard, PauseReason, Reason, Time};

/// How a clocked interval ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockOff {
    /// The badge scanned `pause` with this reason.
    Paused(Reason),
    /// The badge clocked on another op (contract §4 "One op at a time").
    Switched,
    /// Someone finished the op.
    Finished,
    /// The badge scanned `shift_end` while clocked on.
    ShiftEnd,
    /// Still clocked on at closing time plus the grace: clocked off at closing time by the
    /// system (contract §4 "Forgotten clock-offs").
    Forgotten,
}

impl ClockOff {
    /// The reason a bay held by a job whose latest clock-off was this one is blocked
    /// (contract §4 "Bays": `switched` and `finish` count as `other`).
    pub fn blocking_reason(&self) -> Reason {
        match self {
            ClockOff::Paused(r) => r.clone(),
            ClockOff::Switched | ClockOff::Finished => PauseReason::Other.into(),
            // The working day ended with the car on the bay, like a `shift_end`.
            ClockOff::ShiftEnd | ClockOff::Forgotten => PauseReason::ShiftEnd.into(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QcResult {
    Pass,
    Fail,
}

/// One labour line as the timeline has left it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OpTrack {
    /// Done now (a `qc_fail` may reopen it).
    pub finished: bool,
    /// The first `finish`: sold hours count once, there (contract §6 `sold_hours`).
    pub first_finish: Option<Time>,
    /// Who scanned that first finish: the sold hours of an op finished without clocked time
    /// go to them (KPIs per badge).
    pub first_finish_by: Option<Id>,
    /// Where it was last clocked on: a `resume` without bay goes back there.
    pub last_bay: Option<Id>,
    /// Clocked time per badge over closed intervals; open ones are in `on`.
    pub clocked: BTreeMap<Id, SignedDuration>,
    /// Badges clocked on it now, and since when.
    pub on: BTreeMap<Id, Time>,
    /// Ever clocked on (status `paused` rather than `open`).
    pub started: bool,
    /// The latest `pause` on this op, for the `waiting_*` stages.
    pub last_pause: Option<(EventKey, Reason)>,
    /// A `qc_fail` reopened it after it was finished: time clocked on it from then on is
    /// rework (`rework_hours`).
    pub reworked: bool,
}

impl OpTrack {
    /// The badges that ever clocked on it, up to now.
    pub fn crew(&self) -> BTreeSet<Id> {
        self.clocked.keys().chain(self.on.keys()).cloned().collect()
    }

    /// Whether `badge` ever clocked on it.
    pub fn ever_clocked(&self, badge: &Id) -> bool {
        self.clocked.contains_key(badge) || self.on.contains_key(badge)
    }

    /// Σ over badges of clocked time, open intervals counted up to `now`.
    pub fn clocked_at(&self, now: Time) -> SignedDuration {
        let closed: SignedDuration = self.clocked.values().sum();
        let open: SignedDuration = self
            .on
            .values()
            .map(|since| now.duration_since(*since).max(SignedDuration::ZERO))
            .sum();
        closed + open
    }
}

/// Why a job's bay is blocked: its most recent clock-off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastClockOff {
    pub op: Id,
    pub end: ClockOff,
    pub at: Time,
}

/// One job as the timeline has left it. Marks are event keys so that "more recent than"
/// follows the timeline order exactly, ties included.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct JobTrack {
    pub checked_in_at: Option<Time>,
    /// When the job first reached stage `ready` (contract §5 `ready_at`).
    pub ready_at: Option<Time>,
    pub delivered_at: Option<Time>,
    /// The latest applied event of the job: how long it has stood still (the lounge leaves
    /// out a car that has not moved for `lounge_stale`).
    pub last_moved: Option<Time>,
    /// The earliest applied event of the job: a change to its card after it closed changes
    /// the figures from there on, so a thaw refolds from the checkpoint before it.
    pub first_moved: Option<Time>,
    /// Applied QC results, in timeline order (first-time-fix rate).
    pub qc: Vec<(QcResult, Time)>,
    /// When its first QC result is a fail naming an op: the badges that had clocked on that
    /// op by then, the only ones a technician's first-time-fix rate counts the fail against.
    /// `None` when the first fail named no op (it counts against the whole crew).
    #[serde(default)]
    pub first_fail_crew: Option<BTreeSet<Id>>,
    pub last_qc_pass: Option<EventKey>,
    pub last_qc_fail: Option<EventKey>,
    pub last_finish: Option<EventKey>,
    pub last_wash_start: Option<EventKey>,
    pub last_wash_done: Option<EventKey>,
    /// The latest `ready` or `wash_done`.
    pub last_ready: Option<EventKey>,
    pub last_clock_off: Option<LastClockOff>,
    /// Any op ever clocked on or finished.
    pub ever_started: bool,
    /// The bay it holds now (contract §4 "Bays").
    pub bay: Option<Id>,
    /// Index of its open wash in [`super::State::washes`], while washing.
    pub washing: Option<usize>,
    pub ops: BTreeMap<Id, OpTrack>,
}

impl JobTrack {
    /// Whether `badge` ever clocked on one of its ops.
    pub fn ever_clocked(&self, badge: &Id) -> bool {
        self.ops.values().any(|o| o.ever_clocked(badge))
    }

    /// Someone is clocked on one of its ops now.
    pub fn anyone_on(&self) -> bool {
        self.ops.values().any(|o| !o.on.is_empty())
    }

    /// The most recent `pause` reason among its unfinished ops.
    pub fn last_pause_reason(&self) -> Option<&Reason> {
        self.ops
            .values()
            .filter(|o| !o.finished)
            .filter_map(|o| o.last_pause.as_ref())
            .max_by(|a, b| a.0.cmp(&b.0))
            .map(|(_, r)| r)
    }

    /// The job has a `qc_pass` more recent than its last finish and its last `qc_fail`.
    pub fn qc_passed(&self) -> bool {
        match &self.last_qc_pass {
            Some(pass) => {
                self.last_finish.as_ref().is_none_or(|f| pass > f)
                    && self.last_qc_fail.as_ref().is_none_or(|f| pass > f)
            }
            None => false,
        }
    }

    /// Every op of its card is finished; `false` for a card with no ops or no card at all
    /// (contract §4 says nothing of empty cards; a job with nothing to do is not done).
    pub fn all_finished(&self, card: Option<&JobCard>) -> bool {
        card.is_some_and(|c| {
            !c.ops.is_empty()
                && c.ops
                    .iter()
                    .all(|o| self.ops.get(&o.op).is_some_and(|t| t.finished))
        })
    }

    /// Some op of its card is not finished (`qc_pass` is then an anomaly).
    pub fn any_unfinished(&self, card: Option<&JobCard>) -> bool {
        card.is_some_and(|c| {
            c.ops
                .iter()
                .any(|o| !self.ops.get(&o.op).is_some_and(|t| t.finished))
        })
    }

    /// `mark` happened and no `qc_fail` sent the job back to work since.
    pub fn since_rework(&self, mark: &Option<EventKey>) -> bool {
        match mark {
            Some(m) => self.last_qc_fail.as_ref().is_none_or(|f| m > f),
            None => false,
        }
    }
}

/// Where a badge is clocked on now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OnOp {
    pub job: Id,
    pub op: Id,
    pub bay: Id,
    pub since: Time,
    /// Index of the open interval in [`super::State::clocked`].
    pub interval: usize,
    /// The closing time that ends this working day, if the schedule has one, and when the
    /// badge is clocked off at it if still on (closing + grace).
    pub closing: Option<(Time, Time)>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BadgeTrack {
    pub on: Option<OnOp>,
    /// Index of the open attendance interval, when on shift.
    pub shift: Option<usize>,
}

impl BadgeTrack {
    pub fn on_shift(&self) -> bool {
        self.shift.is_some()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holding {
    pub job: Id,
    pub since: Time,
    /// Index of the open hold in [`super::State::holds`].
    pub interval: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Washing {
    pub job: Id,
    pub since: Time,
    /// Index of the open wash in [`super::State::washes`].
    pub interval: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BayTrack {
    pub holder: Option<Holding>,
    /// Index of the open segment in [`super::State::segments`] while held.
    pub segment: Option<usize>,
    /// When the bay last became free, while it is.
    pub idle_since: Option<Time>,
    /// For wash bays: the job between `wash_start` here and its `wash_done`.
    pub washing: Option<Washing>,
    /// Index of the bay's open andon call in [`super::State::calls`].
    pub call: Option<usize>,
}
