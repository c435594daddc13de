//! The one way the rules change a [`State`]: reads go straight to it (`Deref`), every change
//! goes through a method here that first notes in the [`Journal`], when there is one, how to
//! take it back. There is no `DerefMut`, so a change the journal does not see does not
//! compile.

use std::ops::Deref;

use super::journal::{Journal, Log, Undo};
use super::track::{BadgeTrack, BayTrack, ClockOff, JobTrack};
use super::{
    rules, Attendance, BayHold, BaySegment, Call, Clocked, Forgotten, State, Verdict, Wash,
};
use crate::{Catalog, Event, EventKey, Id, Settings, Time};

/// A state being changed, with the journal of the changes (none for a plain fold).
pub(crate) struct Edit<'a> {
    state: &'a mut State,
    journal: Option<&'a mut Journal>,
}

impl Deref for Edit<'_> {
    type Target = State;

    fn deref(&self) -> &State {
        self.state
    }
}

/// Which per-id map of the state.
#[derive(Clone, Copy)]
enum Track {
    Job,
    Badge,
    Bay,
}

/// A log entry with an end.
trait Interval {
    fn to(&mut self) -> &mut Option<Time>;
    fn end(&self) -> Option<ClockOff> {
        None
    }
}

impl Interval for Clocked {
    fn to(&mut self) -> &mut Option<Time> {
        &mut self.to
    }
    fn end(&self) -> Option<ClockOff> {
        self.end.clone()
    }
}

macro_rules! interval {
    ($($t:ty),*) => {$(
        impl Interval for $t {
            fn to(&mut self) -> &mut Option<Time> {
                &mut self.to
            }
        }
    )*};
}
interval!(Attendance, BayHold, BaySegment, Wash);

/// Ends entry `i` of a log at `to`, noting its end before; `None` if there is no such entry.
fn close<'e, T: Interval>(
    journal: &mut Option<&mut Journal>,
    log: Log,
    entries: &'e mut [T],
    i: usize,
    to: Time,
) -> Option<&'e mut T> {
    let e = entries.get_mut(i)?;
    if let Some(j) = journal {
        j.push(Undo::Closed(log, i, *e.to(), e.end()));
    }
    *e.to() = Some(to);
    Some(e)
}

impl<'a> Edit<'a> {
    pub(crate) fn new(state: &'a mut State, journal: Option<&'a mut Journal>) -> Edit<'a> {
        Edit { state, journal }
    }

    /// [`State::apply`], journaled.
    pub(crate) fn apply(
        &mut self,
        catalog: &Catalog,
        settings: &Settings,
        event: &Event,
    ) -> Verdict {
        self.settle(event.key.ts);
        let verdict = self.step(catalog, settings, event);
        self.record(event, verdict);
        verdict
    }

    /// [`State::settle`], journaled.
    pub(crate) fn settle(&mut self, until: Time) {
        super::clock::expire(self, until);
    }

    /// Judges and, when it makes sense, applies the event without recording the verdict. An
    /// anomaly leaves the state exactly as it was. The caller settles up to the event first.
    pub(crate) fn step(
        &mut self,
        catalog: &Catalog,
        settings: &Settings,
        event: &Event,
    ) -> Verdict {
        match rules::apply(self, catalog, settings, event) {
            Ok(None) => Verdict::Applied,
            Ok(Some(code)) => Verdict::Warned(code),
            Err(code) => Verdict::Anomaly(code),
        }
    }

    pub(crate) fn record(&mut self, event: &Event, verdict: Verdict) {
        if let Verdict::Anomaly(code) | Verdict::Warned(code) = verdict {
            let before = self.state.anomalies.insert(event.key.clone(), code);
            self.note(|| Undo::Anomaly(event.key.clone(), before));
        }
    }

    fn note(&mut self, undo: impl FnOnce() -> Undo) {
        if let Some(j) = self.journal.as_deref_mut() {
            j.push(undo());
        }
    }

    /// Notes the value of `id` in its map before this step first changes it.
    fn keep(&mut self, track: Track, id: &Id) {
        let Some(j) = self.journal.as_deref_mut() else {
            return;
        };
        let kept = j.current().any(|u| match (track, u) {
            (Track::Job, Undo::Job(k, _))
            | (Track::Badge, Undo::Badge(k, _))
            | (Track::Bay, Undo::Bay(k, _)) => k == id,
            _ => false,
        });
        if kept {
            return;
        }
        let s = &*self.state;
        j.push(match track {
            Track::Job => Undo::Job(id.clone(), s.jobs.get(id).cloned().map(Box::new)),
            Track::Badge => Undo::Badge(id.clone(), s.badges.get(id).cloned().map(Box::new)),
            Track::Bay => Undo::Bay(id.clone(), s.bays.get(id).cloned().map(Box::new)),
        });
    }

    /// The job's track, added if new.
    pub(super) fn job_mut(&mut self, job: &Id) -> &mut JobTrack {
        self.keep(Track::Job, job);
        self.state.jobs.entry(job.clone()).or_default()
    }

    /// The job's track if it has one.
    pub(super) fn existing_job_mut(&mut self, job: &Id) -> Option<&mut JobTrack> {
        if self.state.jobs.contains_key(job) {
            self.keep(Track::Job, job);
        }
        self.state.jobs.get_mut(job)
    }

    pub(super) fn badge_mut(&mut self, badge: &Id) -> &mut BadgeTrack {
        self.keep(Track::Badge, badge);
        self.state.badges.entry(badge.clone()).or_default()
    }

    pub(super) fn existing_badge_mut(&mut self, badge: &Id) -> Option<&mut BadgeTrack> {
        if self.state.badges.contains_key(badge) {
            self.keep(Track::Badge, badge);
        }
        self.state.badges.get_mut(badge)
    }

    pub(super) fn bay_mut(&mut self, bay: &Id) -> &mut BayTrack {
        self.keep(Track::Bay, bay);
        self.state.bays.entry(bay.clone()).or_default()
    }

    pub(super) fn existing_bay_mut(&mut self, bay: &Id) -> Option<&mut BayTrack> {
        if self.state.bays.contains_key(bay) {
            self.keep(Track::Bay, bay);
        }
        self.state.bays.get_mut(bay)
    }

    /// Appends a clocked interval; its index.
    pub(super) fn push_clocked(&mut self, c: Clocked) -> usize {
        self.note(|| Undo::Pushed(Log::Clocked));
        self.state.clocked.push(c);
        self.state.clocked.len() - 1
    }

    pub(super) fn close_clocked(&mut self, i: usize, to: Time, end: ClockOff) {
        let s = &mut *self.state;
        if let Some(c) = close(&mut self.journal, Log::Clocked, &mut s.clocked, i, to) {
            c.end = Some(end);
        }
    }

    pub(super) fn push_attendance(&mut self, a: Attendance) -> usize {
        self.note(|| Undo::Pushed(Log::Attendance));
        self.state.attendance.push(a);
        self.state.attendance.len() - 1
    }

    pub(super) fn close_attendance(&mut self, i: usize, to: Time) {
        let s = &mut *self.state;
        close(&mut self.journal, Log::Attendance, &mut s.attendance, i, to);
    }

    pub(super) fn push_hold(&mut self, h: BayHold) -> usize {
        self.note(|| Undo::Pushed(Log::Holds));
        self.state.holds.push(h);
        self.state.holds.len() - 1
    }

    pub(super) fn close_hold(&mut self, i: usize, to: Time) {
        let s = &mut *self.state;
        close(&mut self.journal, Log::Holds, &mut s.holds, i, to);
    }

    pub(super) fn push_segment(&mut self, g: BaySegment) -> usize {
        self.note(|| Undo::Pushed(Log::Segments));
        self.state.segments.push(g);
        self.state.segments.len() - 1
    }

    pub(super) fn close_segment(&mut self, i: usize, to: Time) {
        let s = &mut *self.state;
        close(&mut self.journal, Log::Segments, &mut s.segments, i, to);
    }

    pub(super) fn push_wash(&mut self, w: Wash) -> usize {
        self.note(|| Undo::Pushed(Log::Washes));
        self.state.washes.push(w);
        self.state.washes.len() - 1
    }

    /// Ends wash `i` at `to`; the bay it is at (`None` when there is no such wash).
    pub(super) fn close_wash(&mut self, i: usize, to: Time) -> Option<Option<Id>> {
        let s = &mut *self.state;
        close(&mut self.journal, Log::Washes, &mut s.washes, i, to).map(|w| w.bay.clone())
    }

    pub(super) fn push_forgotten(&mut self, f: Forgotten) {
        self.note(|| Undo::Pushed(Log::Forgotten));
        self.state.forgotten.push(f);
    }

    pub(super) fn add_deadline(&mut self, at: Time, badge: &Id) {
        if self.state.deadlines.insert((at, badge.clone())) {
            self.note(|| Undo::DeadlineAdded(at, badge.clone()));
        }
    }

    pub(super) fn remove_deadline(&mut self, at: Time, badge: &Id) {
        if self.state.deadlines.remove(&(at, badge.clone())) {
            self.note(|| Undo::DeadlineRemoved(at, badge.clone()));
        }
    }

    /// Removes and returns the earliest deadline if it is at or before `until`.
    pub(super) fn pop_deadline(&mut self, until: Time) -> Option<(Time, Id)> {
        if self.state.deadlines.first().is_none_or(|(d, _)| *d > until) {
            return None;
        }
        let (at, badge) = self.state.deadlines.pop_first()?;
        self.note(|| Undo::DeadlineRemoved(at, badge.clone()));
        Some((at, badge))
    }

    /// Appends a call; its index.
    pub(super) fn push_call(&mut self, c: Call) -> usize {
        self.note(|| Undo::Pushed(Log::Calls));
        self.state.calls.push(c);
        self.state.calls.len() - 1
    }

    /// Call `i`, its value before noted for the journal.
    pub(super) fn call_mut(&mut self, i: usize) -> Option<&mut Call> {
        let before = self.state.calls.get(i)?.clone();
        self.note(|| Undo::Call(i, Box::new(before)));
        self.state.calls.get_mut(i)
    }

    pub(super) fn resolve_bay(&mut self, key: &EventKey, bay: Id) {
        let before = self.state.resolved_bays.insert(key.clone(), bay);
        self.note(|| Undo::ResolvedBay(key.clone(), before));
    }
}
