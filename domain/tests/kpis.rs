//! Contract §6 figures as properties: they depend only on the set of events, not on the order
//! they arrived in, and the additive ones add up over a split period.

mod common;

use bayline_domain::kpi::{figures, grouped, Figures, GroupBy, Period};
use common::{admitted, events, restored, t};
use proptest::prelude::*;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9 * (1.0 + a.abs().max(b.abs()))
}

/// The fields that add up when a period is split.
fn additive(f: &Figures) -> [f64; 11] {
    let by = f.bay_blocked_hours_by_reason.unwrap_or_default();
    [
        f.clocked_hours,
        f.rework_hours,
        f.sold_hours,
        f.available_hours.unwrap_or_default(),
        f.bay_blocked_hours.unwrap_or_default(),
        by.parts,
        by.approval,
        by.break_,
        by.shift_end,
        by.other,
        f64::from(f.jobs_delivered),
    ]
}

fn sum(a: [f64; 11], b: [f64; 11]) -> [f64; 11] {
    std::array::from_fn(|i| a[i] + b[i])
}

fn assert_close(a: [f64; 11], b: [f64; 11]) {
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        assert!(close(*x, y), "field {i}: {x} ≠ {y}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn figures_do_not_depend_on_arrival_order(
        (sorted, shuffled) in events(),
        from in 0i64..300,
        len in 0i64..900,
        now in 0i64..900,
    ) {
        // Live admission in a shuffled order against a restore of what it accepted, sorted.
        let (a, mut accepted) = admitted(shuffled);
        accepted.sort_by(|x, y| x.key.cmp(&y.key));
        let b = restored(accepted);
        let _ = sorted;
        let period = Period::new(t(from), t(from + len));
        prop_assert_eq!(figures(&a, period, t(now)), figures(&b, period, t(now)));
        for by in [GroupBy::Badge, GroupBy::Bay, GroupBy::Day] {
            prop_assert_eq!(grouped(&a, period, t(now), by), grouped(&b, period, t(now), by));
        }
    }

    #[test]
    fn additive_figures_of_two_halves_add_up_to_the_whole(
        (sorted, _) in events(),
        from in 0i64..300,
        len in 0i64..900,
        cut in 0.0f64..=1.0,
        now in 0i64..900,
    ) {
        let w = restored(sorted);
        let to = from + len;
        let mid = from + (len as f64 * cut) as i64;
        let whole = figures(&w, Period::new(t(from), t(to)), t(now));
        let left = figures(&w, Period::new(t(from), t(mid)), t(now));
        let right = figures(&w, Period::new(t(mid), t(to)), t(now));
        assert_close(sum(additive(&left), additive(&right)), additive(&whole));
    }

    #[test]
    fn day_rows_add_up_to_the_period(
        (sorted, _) in events(),
        from in -1500i64..300,
        len in 0i64..4000,
    ) {
        let w = restored(sorted);
        let period = Period::new(t(from), t(from + len));
        let now = t(5000);
        let rows = grouped(&w, period, now, GroupBy::Day);
        let total = rows.iter().fold([0.0; 11], |acc, r| sum(acc, additive(&r.figures)));
        assert_close(total, additive(&figures(&w, period, now)));
    }
}
