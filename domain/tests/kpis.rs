//! Contract §6 figures as properties: they depend only on the set of events, not on the order
//! they arrived in, and the additive ones add up over a split period.

mod common;

use bayline_domain::kpi::{figures, grouped, Figures, GroupBy, Period};
use bayline_domain::{Planned, Settings, Workshop};
use common::{admitted, catalog, events, id, restored, t};
use proptest::prelude::*;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9 * (1.0 + a.abs().max(b.abs()))
}

/// The fields that add up when a period is split.
fn additive(f: &Figures) -> [f64; 12] {
    let by = f.bay_blocked_hours_by_reason.clone().unwrap_or_default();
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
        f64::from(f.comebacks),
    ]
}

fn sum(a: [f64; 12], b: [f64; 12]) -> [f64; 12] {
    std::array::from_fn(|i| a[i] + b[i])
}

fn assert_close(a: [f64; 12], b: [f64; 12]) {
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
        for by in GroupBy::ALL {
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
        let total = rows.iter().fold([0.0; 12], |acc, r| sum(acc, additive(&r.figures)));
        assert_close(total, additive(&figures(&w, period, now)));
    }

    #[test]
    fn badge_and_team_rows_add_up_to_the_site(
        (sorted, _) in events(),
        from in -300i64..300,
        len in 0i64..1500,
    ) {
        // T1, T2 in team A, T3 in B, Q1 in none: every badge in one row.
        let mut settings = Settings::default();
        for (b, team) in [("T1", "A"), ("T2", "A"), ("T3", "B")] {
            let planned = Planned { team: Some(team.into()), ..Default::default() };
            settings.roster.insert(id(b), planned);
        }
        let mut w = Workshop::new(catalog(), settings);
        w.restore(sorted);
        let period = Period::new(t(from), t(from + len));
        let now = t(2000);
        let whole = figures(&w, period, now);
        for by in [GroupBy::Badge, GroupBy::Team] {
            let rows = grouped(&w, period, now, by);
            let add = |f: fn(&Figures) -> f64| rows.iter().map(|r| f(&r.figures)).sum::<f64>();
            prop_assert!(close(add(|f| f.clocked_hours), whole.clocked_hours));
            prop_assert!(close(add(|f| f.rework_hours), whole.rework_hours));
            prop_assert!(close(
                add(|f| f.available_hours.unwrap_or_default()),
                whole.available_hours.unwrap_or_default()
            ));
            // Each badge's share of an op is rounded to a micro-hour: 3 jobs, 5 ops, 4
            // badges give at most 20 halves of a micro-hour.
            prop_assert!((add(|f| f.sold_hours) - whole.sold_hours).abs() <= 1e-5 + 1e-9);
        }
    }

    #[test]
    fn advisor_and_service_rows_add_up_to_the_site(
        (sorted, _) in events(),
        from in -300i64..300,
        len in 0i64..1500,
    ) {
        // Every job has one advisor ("" for none) and one service: its work and its counts
        // are in exactly one row, sold hours whole.
        let w = restored(sorted);
        let period = Period::new(t(from), t(from + len));
        let now = t(2000);
        let whole = figures(&w, period, now);
        for by in [GroupBy::Advisor, GroupBy::Service] {
            let rows = grouped(&w, period, now, by);
            let add = |f: fn(&Figures) -> f64| rows.iter().map(|r| f(&r.figures)).sum::<f64>();
            prop_assert!(close(add(|f| f.clocked_hours), whole.clocked_hours));
            prop_assert!(close(add(|f| f.rework_hours), whole.rework_hours));
            prop_assert!(close(add(|f| f.sold_hours), whole.sold_hours));
            prop_assert_eq!(
                rows.iter().map(|r| r.figures.jobs_delivered).sum::<u32>(),
                whole.jobs_delivered
            );
            prop_assert_eq!(
                rows.iter().map(|r| r.figures.comebacks).sum::<u32>(),
                whole.comebacks
            );
            let keys: Vec<&str> = rows.iter().map(|r| r.key.as_str()).collect();
            let mut sorted_keys = keys.clone();
            sorted_keys.sort_unstable();
            sorted_keys.dedup();
            prop_assert_eq!(keys, sorted_keys);
        }
    }
}
