//! A manager's corrections (contract §4): the timeline is changed, the state refolded, and
//! the correction kept with the event before and after it.

use super::{Verdict, Workshop};
use crate::correction::{Amendment, Corrected, Correction, CorrectionError};
use crate::EventKey;

impl Workshop {
    /// Applies a correction and recomputes everything from the corrected timeline. Returns
    /// the verdict the added or moved event gets at its new place (`None` for a void). On an
    /// error nothing changes.
    pub fn correct(&mut self, correction: Correction) -> Result<Option<Verdict>, CorrectionError> {
        let key = self.change(correction)?;
        self.refold();
        Ok(key.and_then(|k| self.verdict(&k)))
    }

    /// Puts back stored corrections (startup, after [`Workshop::restore`] of the scans) in
    /// the order of their ids, then folds once. Corrections that no longer apply are skipped
    /// and returned with the reason.
    pub fn restore_corrections(
        &mut self,
        corrections: impl IntoIterator<Item = Correction>,
    ) -> Vec<(u64, CorrectionError)> {
        let mut all: Vec<Correction> = corrections.into_iter().collect();
        all.sort_by_key(|c| c.id);
        let errors = all
            .into_iter()
            .filter_map(|c| {
                let id = c.id;
                self.change(c).err().map(|e| (id, e))
            })
            .collect();
        self.refold();
        errors
    }

    /// The corrections made, in order, each with the event before and after (the audit
    /// trail: the original stays visible).
    pub fn corrections(&self) -> &[Corrected] {
        &self.corrections
    }

    /// The correction that put the event with this key in the timeline (added or moved it),
    /// if one did; `None` for an event as scanned.
    pub fn provenance(&self, key: &EventKey) -> Option<&Corrected> {
        self.corrections
            .iter()
            .rev()
            .find(|c| c.after.as_ref().is_some_and(|a| a.key == *key))
    }

    /// Checks a correction and applies it to the timeline, without refolding. Returns the
    /// key of the event it added or moved.
    fn change(&mut self, c: Correction) -> Result<Option<EventKey>, CorrectionError> {
        if c.reason.trim().is_empty() {
            return Err(CorrectionError::NoReason);
        }
        if self.corrections.iter().any(|x| x.correction.id == c.id) {
            return Err(CorrectionError::DuplicateId(c.id));
        }
        let existing = |key: &EventKey| {
            self.events
                .get(key)
                .cloned()
                .ok_or_else(|| CorrectionError::NoSuchEvent(key.clone()))
        };
        let (before, after) = match &c.change {
            Amendment::Add { event } => {
                if self.events.contains_key(&event.key) {
                    return Err(CorrectionError::KeyTaken(event.key.clone()));
                }
                self.check_names(event).map_err(CorrectionError::Rejected)?;
                (None, Some(event.clone()))
            }
            Amendment::Move { target, to_ts } => {
                let old = existing(target)?;
                if *to_ts == target.ts {
                    return Err(CorrectionError::Unchanged);
                }
                let mut moved = old.clone();
                moved.key.ts = *to_ts;
                if self.events.contains_key(&moved.key) {
                    return Err(CorrectionError::KeyTaken(moved.key));
                }
                (Some(old), Some(moved))
            }
            Amendment::Void { target } => (Some(existing(target)?), None),
        };
        if let Some(b) = &before {
            self.events.remove(&b.key);
            self.retired.insert(b.key.clone());
        }
        if let Some(a) = &after {
            self.events.insert(a.key.clone(), a.clone());
            self.retired.remove(&a.key);
        }
        let key = after.as_ref().map(|a| a.key.clone());
        self.corrections.push(Corrected {
            correction: c,
            before,
            after,
        });
        Ok(key)
    }
}
