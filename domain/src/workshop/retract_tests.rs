//! Admitting a batch and retracting its new events gives back the timeline and the figures
//! the workshop had, at the tail, late within the journal or beyond it (the journal is small
//! in tests), with time passing mixed in; admitting the batch again then gives the same
//! admissions as the first time.

use proptest::prelude::*;

use super::admit_tests::{check, history, raw};
use super::*;
use crate::testkit::t;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn a_retracted_batch_leaves_no_trace(
        raws in prop::collection::vec(raw(), 1..150),
        split in any::<prop::sample::Index>(),
        arrival in prop::collection::vec(any::<u32>(), 150),
        settle in prop::option::of(0i64..800),
    ) {
        let (events, split, mut w) = history(raws, split, settle);
        let after = &events[split..];
        let untouched = w.clone();
        let mut arrived: Vec<(u32, Event)> = arrival.iter().copied().zip(after.to_vec()).collect();
        arrived.sort_by_key(|(at, _)| *at);
        let batch: Vec<Event> = arrived.into_iter().map(|(_, e)| e).collect();

        let new: Vec<EventKey> = batch
            .iter()
            .filter(|e| !w.contains(&e.key))
            .map(|e| e.key.clone())
            .collect();
        let first = w.admit_many(batch.clone());
        w.retract(&new);

        prop_assert!(w.events().eq(untouched.events()));
        let end = t(2000);
        prop_assert_eq!(w.state_at(end).into_owned(), untouched.state_at(end).into_owned());
        check(&w)?;

        let again = w.admit_many(batch);
        prop_assert_eq!(again, first);
        check(&w)?;
    }
}
