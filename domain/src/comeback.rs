//! Comebacks (外返, contract §7.6): a car back for the same fault. A job is a comeback when
//! its card names the earlier job (`comeback_of`), or else when its car was checked in within
//! `comeback_days` of an earlier delivery of the same plate.
//!
//! The plate rule needs earlier deliveries even of jobs that closed and left memory: the
//! catalog keeps those a live job may still need ([`Deliveries`]), the freeze adds the jobs it
//! closes, and a start reads them back from the store
//! ([`crate::Workshop::recall_deliveries`]). A job's comeback is read off this at query time,
//! and stored with the job's outcome when the job closes.

use std::collections::BTreeMap;

use jiff::SignedDuration;

use crate::fold::State;
use crate::{Catalog, Id, JobCard, Time};

/// A plate as compared: without spaces or dashes, upper case (`粤b 123-45` is `粤B12345`).
pub fn plate_key(plate: &str) -> String {
    plate
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-' && *c != '·')
        .flat_map(char::to_uppercase)
        .collect()
}

/// Deliveries of closed jobs by plate key: when, and which job.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Deliveries(BTreeMap<String, BTreeMap<Time, Id>>);

impl Deliveries {
    pub fn insert(&mut self, plate: &str, at: Time, job: Id) {
        let key = plate_key(plate);
        if !key.is_empty() {
            self.0.entry(key).or_default().insert(at, job);
        }
    }

    /// Keeps the deliveries `keep` wants.
    pub fn retain(&mut self, mut keep: impl FnMut(&str, Time) -> bool) {
        for (plate, at) in &mut self.0 {
            at.retain(|t, _| keep(plate, *t));
        }
        self.0.retain(|_, at| !at.is_empty());
    }

    pub fn len(&self) -> usize {
        self.0.values().map(BTreeMap::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Every delivery a comeback may be looked up in: the live state's jobs and the closed ones
/// the catalog keeps.
#[derive(Debug, Default)]
pub(crate) struct Lookup {
    by_plate: Deliveries,
    within: SignedDuration,
}

impl Lookup {
    pub(crate) fn new(state: &State, catalog: &Catalog, within: SignedDuration) -> Lookup {
        let mut by_plate = catalog.deliveries.clone();
        for (job, jt) in &state.jobs {
            if let (Some(at), Some(card)) = (jt.delivered_at, catalog.jobs.get(job)) {
                by_plate.insert(&card.plate, at, job.clone());
            }
        }
        Lookup { by_plate, within }
    }

    /// The job `card` comes back from, for a car checked in at `checked_in_at`: the one its
    /// card names, else the latest delivery of its plate in `[checked_in_at − within,
    /// checked_in_at)` (a car back exactly `within` after is still within it). Never checked in: not (yet) a comeback.
    pub(crate) fn comeback_of(&self, card: &JobCard, checked_in_at: Option<Time>) -> Option<Id> {
        let checked_in = checked_in_at?;
        if let Some(earlier) = &card.comeback_of {
            return Some(earlier.clone());
        }
        let earlier = self.by_plate.0.get(&plate_key(&card.plate))?;
        let since = checked_in.checked_sub(self.within).unwrap_or(Time::MIN);
        (earlier.range(since..checked_in))
            .rev()
            .find(|(_, job)| **job != card.job)
            .map(|(_, job)| job.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::{card, id, t};

    #[test]
    fn plates_compare_without_spaces_dashes_or_case() {
        assert_eq!(plate_key(" 粤b 123-45 "), "粤B12345");
        assert_eq!(plate_key(""), "");
    }

    #[test]
    fn the_latest_delivery_of_the_plate_within_the_window_is_the_earlier_job() {
        let mut catalog = Catalog::default();
        catalog.deliveries.insert("粤B12345", t(0), id("J0"));
        catalog.deliveries.insert("粤B12345", t(600), id("J1"));
        catalog.deliveries.insert("粤B99999", t(700), id("J9"));
        let lookup = Lookup::new(&State::default(), &catalog, SignedDuration::from_hours(24));
        let mut again = card("J2", &[("10", 1.0)], false);
        again.plate = "粤b12345".into();
        // Checked in 20 h after J1's delivery: J1, not the older J0.
        assert_eq!(lookup.comeback_of(&again, Some(t(1800))), Some(id("J1")));
        // 24 h after J1's delivery is still within a day of it; a minute more is not.
        assert_eq!(
            lookup.comeback_of(&again, Some(t(600 + 1440))),
            Some(id("J1"))
        );
        assert_eq!(lookup.comeback_of(&again, Some(t(601 + 1440))), None);
        // Never checked in: no comeback yet; checked in before any delivery: none.
        assert_eq!(lookup.comeback_of(&again, None), None);
        assert_eq!(lookup.comeback_of(&again, Some(t(0))), None);
        // The card's own word wins over the plate.
        again.comeback_of = Some(id("J0"));
        assert_eq!(lookup.comeback_of(&again, Some(t(1800))), Some(id("J0")));
        // A card without a plate is no comeback by the plate rule.
        let mut bare = card("J3", &[("10", 1.0)], false);
        bare.plate = String::new();
        assert_eq!(lookup.comeback_of(&bare, Some(t(1800))), None);
    }
}
