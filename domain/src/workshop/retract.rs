//! Taking admitted events out of the timeline again: the ledger judges a batch on the live
//! state, takes the batch back out, commits it, and only then applies it for everyone to see,
//! so no reader ever sees a scan that is not yet durable.

use std::ops::Bound::{Included, Unbounded};

use super::{Workshop, JOURNAL_EVENTS};
use crate::event::EventKey;
use crate::fold::Edit;
use crate::Time;

impl Workshop {
    /// Takes the events with these keys out of the timeline, as if they had never been
    /// admitted; keys not in the timeline are ignored. The newest events are undone through
    /// the journal and the ones after the earliest key applied again; beyond the journal the
    /// timeline is refolded.
    pub fn retract(&mut self, keys: &[EventKey]) {
        // The batch is taken back: the journal goes back to its own depth.
        self.journal_keep = JOURNAL_EVENTS;
        let Some(first) = keys.iter().filter(|k| self.events.contains_key(k)).min() else {
            return;
        };
        let first = first.clone();
        if !self.journal.holds(&first) {
            for k in keys {
                self.events.remove(k);
            }
            self.refold();
            return;
        }
        // Time passing after `first` is undone with it; views settle a copy until the next
        // `settle`.
        self.settled = Time::MIN;
        self.journal.undo_from(&mut self.state, &first);
        for k in keys {
            self.events.remove(k);
        }
        for (k, e) in self.events.range((Included(&first), Unbounded)) {
            self.journal.begin(Some(k.clone()));
            Edit::new(&mut self.state, Some(&mut self.journal)).apply(
                &self.catalog,
                &self.settings,
                e,
            );
        }
        self.journal.forget(JOURNAL_EVENTS);
    }
}
