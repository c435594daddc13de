//! Andon calls (contract §7.7): open → answered → cleared, one open call per bay.

use crate::testkit::*;
use crate::{CallReason, Verdict, WarningCode};

#[test]
fn a_call_is_opened_answered_and_cleared_with_who_and_when() {
    let w = shop([
        ev(0, "T1", call(Some("B01"), CallReason::Parts)),
        ev(4, "T2", answer("B01")),
        ev(9, "T2", clear("B01")),
    ]);
    let s = w.state();
    assert_eq!(s.calls.len(), 1);
    let c = &s.calls[0];
    assert_eq!((c.bay.as_str(), c.badge.as_str()), ("B01", "T1"));
    assert_eq!(c.reason, CallReason::Parts);
    assert_eq!(c.opened, t(0));
    assert_eq!(c.answered, Some((t(4), id("T2"))));
    assert_eq!(c.cleared, Some((t(9), id("T2"))));
    assert_eq!(c.answer_time(), Some(jiff::SignedDuration::from_mins(4)));
    assert!(s.open_call("B01").is_none());
}

#[test]
fn a_call_without_a_bay_is_at_the_bay_the_badge_is_clocked_on_at() {
    let c = ev(10, "T1", call(None, CallReason::Tools));
    let w = shop([ev(0, "T1", start("J1", "10", "B02")), c.clone()]);
    assert_eq!(verdict(&w, &c), Verdict::Applied);
    assert_eq!(
        w.state().open_call("B02").map(|c| c.reason),
        Some(CallReason::Tools)
    );
    assert_eq!(w.resolved_bay(&c.key), Some(id("B02")));
}

#[test]
fn a_call_without_a_bay_from_a_badge_on_no_bay_is_a_no_bay_anomaly() {
    let c = ev(0, "T1", call(None, CallReason::Foreman));
    let w = shop([c.clone()]);
    assert_eq!(verdict(&w, &c), anomaly(WarningCode::NoBay));
    assert!(w.state().calls.is_empty());
}

#[test]
fn a_second_call_at_a_bay_with_an_open_call_is_listed_not_opened() {
    let second = ev(5, "T2", call(Some("B01"), CallReason::Qc));
    let w = shop([
        ev(0, "T1", call(Some("B01"), CallReason::Parts)),
        second.clone(),
    ]);
    assert_eq!(verdict(&w, &second), anomaly(WarningCode::CallOpen));
    assert_eq!(w.state().calls.len(), 1);
    assert_eq!(
        w.state().open_call("B01").map(|c| c.reason),
        Some(CallReason::Parts)
    );
}

#[test]
fn answer_or_clear_at_a_bay_without_an_open_call_is_a_no_open_call_anomaly() {
    let a = ev(0, "T2", answer("B01"));
    let c = ev(1, "T2", clear("B01"));
    let w = shop([a.clone(), c.clone()]);
    assert_eq!(verdict(&w, &a), anomaly(WarningCode::NoOpenCall));
    assert_eq!(verdict(&w, &c), anomaly(WarningCode::NoOpenCall));
}

#[test]
fn the_first_answer_counts_and_a_second_is_listed() {
    let again = ev(6, "T3", answer("B01"));
    let w = shop([
        ev(0, "T1", call(Some("B01"), CallReason::Parts)),
        ev(3, "T2", answer("B01")),
        again.clone(),
    ]);
    assert_eq!(verdict(&w, &again), anomaly(WarningCode::AlreadyAnswered));
    assert_eq!(w.state().calls[0].answered, Some((t(3), id("T2"))));
}

#[test]
fn a_cleared_bay_can_call_again_and_an_unanswered_clear_has_no_answer_time() {
    let w = shop([
        ev(0, "T1", call(Some("B01"), CallReason::Parts)),
        ev(2, "T1", clear("B01")),
        ev(5, "T1", call(Some("B01"), CallReason::Foreman)),
    ]);
    let s = w.state();
    assert_eq!(s.calls.len(), 2);
    assert_eq!(s.calls[0].answer_time(), None);
    assert_eq!(s.open_call("B01").map(|c| c.opened), Some(t(5)));
}

#[test]
fn a_late_call_makes_an_earlier_answer_valid() {
    let a = ev(4, "T2", answer("B01"));
    let mut w = shop([a.clone()]);
    assert_eq!(verdict(&w, &a), anomaly(WarningCode::NoOpenCall));
    w.admit(ev(1, "T1", call(Some("B01"), CallReason::Parts)));
    assert_eq!(verdict(&w, &a), Verdict::Applied);
    assert_eq!(w.state().calls[0].answered, Some((t(4), id("T2"))));
}

#[test]
fn any_arrival_order_gives_the_same_calls() {
    let events = [
        ev(0, "T1", start("J1", "10", "B01")),
        ev(1, "T1", call(None, CallReason::Parts)),
        ev(3, "T2", answer("B01")),
        ev(5, "T2", clear("B01")),
        ev(6, "T3", call(Some("B02"), CallReason::Qc)),
    ];
    let whole = shop(events.clone());
    for order in [[4, 3, 2, 1, 0], [2, 0, 4, 1, 3], [3, 4, 0, 2, 1]] {
        let mut w = shop([]);
        for i in order {
            w.admit(events[i].clone());
        }
        assert_eq!(w.state().calls, whole.state().calls, "order {order:?}");
        assert_eq!(
            w.state().open_call("B02").map(|c| c.opened),
            Some(t(6)),
            "order {order:?}"
        );
    }
}
