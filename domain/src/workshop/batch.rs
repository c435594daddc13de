//! Admitting many events at once: what a fleet process does with the scans another gateway
//! committed. They arrive together and late, behind the events this process admitted
//! meanwhile. One by one, each would take back and apply again every newer event (n late
//! events behind m newer ones cost n·m steps, and past the journal a refold each); together,
//! the newer events are taken back once and applied again once, merged with the batch.

use std::ops::Bound::{Excluded, Unbounded};

use bayline_proto::{RejectCode, WarningCode};

use super::{Admission, Workshop, JOURNAL_EVENTS};
use crate::event::{Event, EventKey};
use crate::fold::journal::Journal;
use crate::fold::{Edit, Verdict};
use crate::Time;

impl Workshop {
    /// Admits `events` as admitting them one by one in timeline order would, and returns
    /// each one's admission in the order given.
    pub fn admit_many(&mut self, events: Vec<Event>) -> Vec<Admission> {
        // The journal holds the whole batch until the next one, for `retract`.
        self.journal_keep = JOURNAL_EVENTS.max(events.len());
        let mut order: Vec<usize> = (0..events.len()).collect();
        order.sort_by(|&a, &b| events[a].key.cmp(&events[b].key));
        // New to the timeline: the others are repeats (answered from the timeline) or were
        // retired by a correction.
        let is_new = |w: &Workshop, e: &Event| !w.contains(&e.key) && !w.retired.contains(&e.key);
        let mut out: Vec<Option<Admission>> = vec![None; events.len()];
        let mut slots: Vec<Option<Event>> = events.into_iter().map(Some).collect();
        // New events of the frozen past are judged (refused) as one by one: the merge below
        // would fold them into a state that no longer holds their days.
        for (slot, out) in slots.iter_mut().zip(out.iter_mut()) {
            if slot
                .as_ref()
                .is_some_and(|e| e.key.ts < self.frozen_to && is_new(self, e))
            {
                *out = slot.take().map(|e| self.admit(e));
            }
        }
        let from = order
            .iter()
            .filter_map(|&i| slots[i].as_ref())
            .find(|e| is_new(self, e))
            .map(|e| e.key.clone());
        let late = from.as_ref().is_some_and(|k| !self.is_tail(k));
        if let (true, Some(from)) = (late, from) {
            self.merge_from(&from, &order, &mut slots, &mut out);
        }
        // In timeline order, what the merge left: repeats, retired keys, and (when nothing
        // was late) every event, each judged at the tail.
        for &i in &order {
            if out[i].is_none() {
                if let Some(event) = slots[i].take() {
                    out[i] = Some(self.admit(event));
                }
            }
        }
        out.into_iter()
            .map(|a| a.unwrap_or(Admission::Accepted(Verdict::Applied)))
            .collect()
    }

    /// Whether an event with this key would be judged after every event of the state.
    pub(super) fn is_tail(&self, key: &EventKey) -> bool {
        key.ts >= self.settled
            && self
                .events
                .last_key_value()
                .is_none_or(|(last, _)| *key > *last)
    }

    /// Takes the state back to just before `from` (by the journal, or by a fold of the
    /// events before it when the journal does not reach), then walks the timeline after it
    /// merged with the new events of the batch: each new one judged in its place, each
    /// existing one applied again. Repeats are left for the caller.
    fn merge_from(
        &mut self,
        from: &EventKey,
        order: &[usize],
        slots: &mut [Option<Event>],
        out: &mut [Option<Admission>],
    ) {
        let settled = std::mem::replace(&mut self.settled, Time::MIN);
        if self.journal.reaches(from) {
            self.journal.undo_after(&mut self.state, from);
        } else {
            let empty = (self.events.range((Unbounded, Excluded(from))).next()).is_none();
            self.state = self.fold_before(from);
            self.journal = Journal::new(empty);
        }
        let later: Vec<EventKey> = self.events.range(from..).map(|(k, _)| k.clone()).collect();
        let mut later = later.into_iter().peekable();
        let mut accepted = false;
        let batch: Vec<usize> = order
            .iter()
            .copied()
            .filter(|&i| slots[i].as_ref().is_some_and(|e| e.key >= *from))
            .collect();
        let mut batch = batch.into_iter().peekable();
        loop {
            let next_new = batch
                .peek()
                .and_then(|&i| slots[i].as_ref().map(|e| &e.key));
            let take_new = match (next_new, later.peek()) {
                (None, None) => break,
                (Some(n), Some(l)) => n < l,
                (Some(_), None) => true,
                (None, Some(_)) => false,
            };
            if take_new {
                let Some(i) = batch.next() else { break };
                let is_repeat = slots[i].as_ref().is_none_or(|e| {
                    self.events.contains_key(&e.key) || self.retired.contains(&e.key)
                });
                if is_repeat {
                    continue;
                }
                if let Some(event) = slots[i].take() {
                    let admission = self.judge_in_place(event);
                    accepted |= matches!(admission, Admission::Accepted(_));
                    out[i] = Some(admission);
                }
            } else if let Some(k) = later.next() {
                if let Some(e) = self.events.get(&k) {
                    self.journal.begin(Some(k));
                    Edit::new(&mut self.state, Some(&mut self.journal)).apply(
                        &self.catalog,
                        &self.settings,
                        e,
                    );
                }
            }
            self.journal.forget(self.journal_keep);
        }
        if !accepted {
            // Nothing changed: settled as far as it was.
            self.settle(settled);
        }
    }

    /// Judges a new event after every event of the state, which is the timeline up to it.
    fn judge_in_place(&mut self, event: Event) -> Admission {
        if let Err(code) = self.check_names(&event) {
            return Admission::Rejected(code);
        }
        let verdict = self.judge(&event);
        if verdict == Verdict::Anomaly(WarningCode::BayBusy) {
            return Admission::Rejected(RejectCode::BayBusy);
        }
        self.events.insert(event.key.clone(), event);
        Admission::Accepted(verdict)
    }
}
