//! Contract §4 "Order": the state after a set of events does not depend on the order they
//! arrived in, and judging events one by one as they arrive gives the same state as folding
//! the accepted set once.

mod common;

use bayline_domain::{Event, Workshop};
use common::{admitted, events, restored, t};
use proptest::prelude::*;

fn assert_same(a: &Workshop, b: &Workshop) {
    assert_eq!(a.state(), b.state());
    let now = t(800);
    assert_eq!(a.jobs(now), b.jobs(now));
    assert_eq!(a.bays(now), b.bays(now));
    assert_eq!(a.anomalies(now), b.anomalies(now));
    assert!(a.events().eq(b.events()));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn any_arrival_order_of_the_accepted_events_gives_the_same_state((sorted, shuffled) in events()) {
        let (live, accepted) = admitted(shuffled.clone());
        let mut shuffled_accepted: Vec<Event> =
            shuffled.iter().filter(|e| accepted.contains(e)).cloned().collect();
        shuffled_accepted.reverse();
        let mut in_order = accepted.clone();
        in_order.sort_by(|a, b| a.key.cmp(&b.key));
        assert_same(&live, &restored(in_order.clone()));
        assert_same(&restored(in_order), &restored(shuffled_accepted));
        let _ = sorted;
    }

    #[test]
    fn admitting_in_timeline_order_matches_a_restore_of_what_was_accepted((sorted, _) in events()) {
        let mut sorted = sorted;
        sorted.sort_by(|a, b| a.key.cmp(&b.key));
        let (live, accepted) = admitted(sorted);
        assert_same(&live, &restored(accepted));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Settling the workshop ahead of its timeline (forgotten clock-offs applied on a timer)
    /// changes nothing that a view at a later `now` shows, whatever arrives afterwards.
    #[test]
    fn settling_on_a_timer_does_not_change_what_later_views_show(
        (_, shuffled) in events(),
        ticks in prop::collection::vec(0i64..900, 40),
    ) {
        let mut live = bayline_domain::Workshop::new(common::catalog(), Default::default());
        let mut accepted = Vec::new();
        for (e, tick) in shuffled.into_iter().zip(ticks.into_iter().chain(std::iter::repeat(0))) {
            if let bayline_domain::Admission::Accepted(_) = live.admit(e.clone()) {
                accepted.push(e);
            }
            live.settle(t(tick));
        }
        let restored = restored(accepted);
        let now = t(2000);
        prop_assert_eq!(&*live.state_at(now), &*restored.state_at(now));
        prop_assert_eq!(live.anomalies(now), restored.anomalies(now));
    }
}
