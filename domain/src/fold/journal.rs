//! What the fold changed, event by event, so that the changes of the newest events can be
//! taken back. A late event then costs undoing the events after it, judging it, and applying
//! them again: nothing that grows with the site's history, where copying the state would.
//!
//! Each change is kept as how to undo it: the value a job, badge or bay had before the
//! event first touched it, a log entry pushed or closed, a deadline added or removed, an
//! anomaly or resolved bay recorded. Undone newest first, they give back the state exactly.

use std::collections::VecDeque;

use super::track::{BadgeTrack, BayTrack, ClockOff, JobTrack};
use super::{Call, State};
use crate::{EventKey, Id, Time, WarningCode};

/// One of the interval logs of [`State`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Log {
    Clocked,
    Attendance,
    Holds,
    Segments,
    Washes,
    Forgotten,
    Calls,
}

/// How to take back one change.
#[derive(Debug, Clone)]
pub(crate) enum Undo {
    /// The job as it was before (`None`: it was not there).
    Job(Id, Option<Box<JobTrack>>),
    Badge(Id, Option<Box<BadgeTrack>>),
    Bay(Id, Option<Box<BayTrack>>),
    /// An entry pushed at the end of the log.
    Pushed(Log),
    /// A log entry's end as it was before it was closed (`end` only for clocked intervals).
    Closed(Log, usize, Option<Time>, Option<ClockOff>),
    DeadlineAdded(Time, Id),
    DeadlineRemoved(Time, Id),
    /// The anomaly recorded under the key before (`None`: none).
    Anomaly(EventKey, Option<WarningCode>),
    ResolvedBay(EventKey, Option<Id>),
    /// A call as it was before it was answered or cleared.
    Call(usize, Box<Call>),
}

/// Where the changes of one step begin: an event's (`key`), or of time passing beyond the
/// last event (`None`, [`crate::Workshop::settle`]).
#[derive(Debug, Clone)]
struct Mark {
    key: Option<EventKey>,
    /// Index in [`Journal::undo`] counted from the first change ever kept.
    at: usize,
}

/// The changes of the newest events, in the order they were made.
#[derive(Debug, Clone, Default)]
pub(crate) struct Journal {
    marks: VecDeque<Mark>,
    undo: VecDeque<Undo>,
    /// Changes dropped from the front so far (the index of `undo[0]`).
    dropped: usize,
    /// Marks with a key.
    events: usize,
    /// The first mark is the first change since the empty state: every event can be undone.
    complete: bool,
}

impl Journal {
    /// An empty journal; `complete` when the state it will record starts empty.
    pub(crate) fn new(complete: bool) -> Journal {
        Journal {
            complete,
            ..Journal::default()
        }
    }

    /// Starts the changes of the event with this key (`None`: of time passing).
    pub(crate) fn begin(&mut self, key: Option<EventKey>) {
        self.events += usize::from(key.is_some());
        self.marks.push_back(Mark {
            key,
            at: self.dropped + self.undo.len(),
        });
    }

    pub(crate) fn push(&mut self, undo: Undo) {
        self.undo.push_back(undo);
    }

    /// The changes made since the last mark.
    pub(crate) fn current(&self) -> impl Iterator<Item = &Undo> {
        let from = self.marks.back().map_or(0, |m| m.at - self.dropped);
        self.undo.range(from..)
    }

    /// Whether the state before `key` can be had by undoing: every event after it in the
    /// timeline is journaled (the journal holds an earlier one, or all of them).
    pub(crate) fn reaches(&self, key: &EventKey) -> bool {
        self.complete
            || self
                .marks
                .iter()
                .find_map(|m| m.key.as_ref())
                .is_some_and(|first| first < key)
    }

    /// Takes back the last step: the state is as it was before its mark.
    pub(crate) fn undo_last(&mut self, state: &mut State) {
        let Some(mark) = self.marks.pop_back() else {
            return;
        };
        self.events -= usize::from(mark.key.is_some());
        while self.dropped + self.undo.len() > mark.at {
            if let Some(u) = self.undo.pop_back() {
                undo(state, u);
            }
        }
    }

    /// Takes back every step after `key`: the events after it and time passing after them.
    pub(crate) fn undo_after(&mut self, state: &mut State, key: &EventKey) {
        while self
            .marks
            .back()
            .is_some_and(|m| m.key.as_ref().is_none_or(|k| k > key))
        {
            self.undo_last(state);
        }
    }

    /// Whether the state before `key` can be had by undoing `key` and what came after it.
    pub(crate) fn holds(&self, key: &EventKey) -> bool {
        self.complete
            || self
                .marks
                .iter()
                .find_map(|m| m.key.as_ref())
                .is_some_and(|first| first <= key)
    }

    /// Takes back the step of `key` and every step after it.
    pub(crate) fn undo_from(&mut self, state: &mut State, key: &EventKey) {
        while self
            .marks
            .back()
            .is_some_and(|m| m.key.as_ref().is_none_or(|k| k >= key))
        {
            self.undo_last(state);
        }
    }

    /// Forgets the oldest steps until at most `keep` events remain.
    pub(crate) fn forget(&mut self, keep: usize) {
        while self.events > keep {
            let Some(first) = self.marks.pop_front() else {
                break;
            };
            self.events -= usize::from(first.key.is_some());
            let end = self
                .marks
                .front()
                .map_or(self.dropped + self.undo.len(), |m| m.at);
            let n = end - self.dropped;
            self.undo.drain(..n);
            self.dropped = end;
            self.complete = false;
        }
    }
}

/// Takes back one change.
fn undo(s: &mut State, u: Undo) {
    match u {
        Undo::Job(id, Some(v)) => {
            s.jobs.insert(id, *v);
        }
        Undo::Job(id, None) => {
            s.jobs.remove(&id);
        }
        Undo::Badge(id, Some(v)) => {
            s.badges.insert(id, *v);
        }
        Undo::Badge(id, None) => {
            s.badges.remove(&id);
        }
        Undo::Bay(id, Some(v)) => {
            s.bays.insert(id, *v);
        }
        Undo::Bay(id, None) => {
            s.bays.remove(&id);
        }
        Undo::Pushed(log) => match log {
            Log::Clocked => drop(s.clocked.pop()),
            Log::Attendance => drop(s.attendance.pop()),
            Log::Holds => drop(s.holds.pop()),
            Log::Segments => drop(s.segments.pop()),
            Log::Washes => drop(s.washes.pop()),
            Log::Forgotten => drop(s.forgotten.pop()),
            Log::Calls => drop(s.calls.pop()),
        },
        Undo::Closed(log, i, to, end) => {
            let slot = match log {
                Log::Clocked => s.clocked.get_mut(i).map(|c| {
                    c.end = end;
                    &mut c.to
                }),
                Log::Attendance => s.attendance.get_mut(i).map(|a| &mut a.to),
                Log::Holds => s.holds.get_mut(i).map(|h| &mut h.to),
                Log::Segments => s.segments.get_mut(i).map(|g| &mut g.to),
                Log::Washes => s.washes.get_mut(i).map(|w| &mut w.to),
                Log::Forgotten | Log::Calls => None,
            };
            if let Some(slot) = slot {
                *slot = to;
            }
        }
        Undo::DeadlineAdded(t, id) => {
            s.deadlines.remove(&(t, id));
        }
        Undo::DeadlineRemoved(t, id) => {
            s.deadlines.insert((t, id));
        }
        Undo::Anomaly(key, Some(code)) => {
            s.anomalies.insert(key, code);
        }
        Undo::Anomaly(key, None) => {
            s.anomalies.remove(&key);
        }
        Undo::ResolvedBay(key, Some(bay)) => {
            s.resolved_bays.insert(key, bay);
        }
        Undo::ResolvedBay(key, None) => {
            s.resolved_bays.remove(&key);
        }
        Undo::Call(i, before) => {
            if let Some(c) = s.calls.get_mut(i) {
                *c = *before;
            }
        }
    }
}
