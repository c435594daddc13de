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
/// the catalog keeps. The catalog's are borrowed, not copied: a period's figures look one up
/// per job, and the catalog keeps a comeback window of the site's deliveries.
#[derive(Debug)]
pub(crate) struct Lookup<'a> {
    kept: &'a Deliveries,
    live: Deliveries,
    within: SignedDuration,
}

impl<'a> Lookup<'a> {
    pub(crate) fn new(state: &State, catalog: &'a Catalog, within: SignedDuration) -> Lookup<'a> {
        let mut live = Deliveries::default();
        for (job, jt) in &state.jobs {
            if let (Some(at), Some(card)) = (jt.delivered_at, catalog.jobs.get(job)) {
                live.insert(&card.plate, at, job.clone());
            }
        }
        Lookup {
            kept: &catalog.deliveries,
            live,
            within,
        }
    }

    /// The job `card` comes back from, for a car checked in at `checked_in_at`: the one its
    /// card names, else the latest delivery of its plate in `[checked_in_at − within,
    /// checked_in_at)` (a car back exactly `within` after is still within it). Never checked in: not (yet) a comeback.
    pub(crate) fn comeback_of(&self, card: &JobCard, checked_in_at: Option<Time>) -> Option<Id> {
        let checked_in = checked_in_at?;
        if let Some(earlier) = &card.comeback_of {
            return Some(earlier.clone());
        }
        let key = plate_key(&card.plate);
        let since = checked_in.checked_sub(self.within).unwrap_or(Time::MIN);
        let live = self.live.0.get(&key);
        let (range, not) = (since..checked_in, &card.job);
        let kept =
            (self.kept.0.get(&key)).and_then(|at| latest_before(at, range.clone(), live, not));
        let live = live.and_then(|at| latest_before(at, range, None, not));
        // A live delivery at the same instant as a kept one stands in its place.
        match (kept, live) {
            (Some(k), Some(l)) => Some(if k.0 > l.0 { k.1 } else { l.1 }),
            (k, l) => k.or(l).map(|(_, job)| job),
        }
        .cloned()
    }
}

/// The latest delivery in `range` of another job than `not`, leaving out the instants
/// `shadowed` holds.
fn latest_before<'a>(
    at: &'a BTreeMap<Time, Id>,
    range: std::ops::Range<Time>,
    shadowed: Option<&BTreeMap<Time, Id>>,
    not: &Id,
) -> Option<(Time, &'a Id)> {
    (at.range(range))
        .rev()
        .filter(|(t, _)| shadowed.is_none_or(|s| !s.contains_key(*t)))
        .find(|(_, job)| *job != not)
        .map(|(t, job)| (*t, job))
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

    #[test]
    fn a_live_delivery_counts_and_stands_in_for_a_kept_one_at_the_same_instant() {
        let mut catalog = Catalog::default();
        catalog.deliveries.insert("粤B12345", t(0), id("J0"));
        catalog.deliveries.insert("粤B12345", t(600), id("J1"));
        let mut state = State::default();
        for (job, at) in [("J5", 600), ("J6", 900)] {
            let mut c = card(job, &[("10", 1.0)], false);
            c.plate = "粤B12345".into();
            catalog.jobs.insert(id(job), c);
            let track = state.jobs.entry(id(job)).or_default();
            track.delivered_at = Some(t(at));
        }
        let lookup = Lookup::new(&state, &catalog, SignedDuration::from_hours(24));
        let mut again = card("J7", &[("10", 1.0)], false);
        again.plate = "粤B12345".into();
        // The live J6 is the latest; before it, the live J5 in the place of the kept J1.
        assert_eq!(lookup.comeback_of(&again, Some(t(1000))), Some(id("J6")));
        assert_eq!(lookup.comeback_of(&again, Some(t(800))), Some(id("J5")));
        // J5 itself at J1's instant: J1 is not seen behind it, the kept J0 is.
        let j5 = catalog.jobs[&id("J5")].clone();
        assert_eq!(lookup.comeback_of(&j5, Some(t(800))), Some(id("J0")));
    }
}
