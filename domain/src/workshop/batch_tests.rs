//! A batch is admitted as its events one by one in timeline order: the same admissions, the
//! same timeline and state, whether the batch is at the tail, late within the journal or
//! beyond it (the journal is small in tests), with repeats and time passing mixed in.

use proptest::prelude::*;

use super::admit_tests::{check, history, raw};
use super::*;
use crate::testkit::{catalog, ev, start};

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn a_batch_admits_as_its_events_one_by_one(
        raws in prop::collection::vec(raw(), 1..150),
        split in any::<prop::sample::Index>(),
        arrival in prop::collection::vec(any::<u32>(), 160),
        repeats in prop::collection::vec(any::<prop::sample::Index>(), 0..6),
        settle in prop::option::of(0i64..800),
    ) {
        let (events, split, mut seq) = history(raws, split, settle);
        let after = &events[split..];
        let mut batched = seq.clone();
        // The batch in some arrival order, with repeats of earlier events and of its own.
        let mut batch: Vec<Event> = after.to_vec();
        for r in &repeats {
            batch.push(events[r.index(events.len())].clone());
        }
        let mut arrived: Vec<(u32, Event)> = arrival.iter().copied().zip(batch).collect();
        arrived.sort_by_key(|(at, _)| *at);
        let batch: Vec<Event> = arrived.into_iter().map(|(_, e)| e).collect();
        let n = batch.len();

        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&a, &b| batch[a].key.cmp(&batch[b].key));
        let mut one_by_one = vec![None; n];
        for &i in &order {
            one_by_one[i] = Some(seq.admit(batch[i].clone()));
        }
        let together: Vec<Option<Admission>> =
            batched.admit_many(batch).into_iter().map(Some).collect();

        prop_assert_eq!(together, one_by_one);
        prop_assert!(batched.events().eq(seq.events()));
        prop_assert_eq!(batched.state(), seq.state());
        check(&batched)?;
    }
}

#[test]
fn an_empty_batch_changes_nothing() {
    let mut w = Workshop::new(catalog(), Settings::default());
    w.admit(ev(0, "T1", start("J1", "10", "B01")));
    let before = w.state().clone();
    assert!(w.admit_many(Vec::new()).is_empty());
    assert_eq!(*w.state(), before);
}
