//! The learned ETA, worked by hand. J1: op 10 1 h, op 20 2 h; J2: op 10 1.5 h. Allowance
//! 0.5 h (default settings).

use crate::testkit::*;
use crate::{Settings, Workshop};

fn eta(w: &Workshop, job: &str, now: i64) -> Option<crate::Time> {
    w.job(job, t(now)).and_then(|j| j.eta)
}

#[test]
fn an_efficient_badge_gets_an_earlier_eta() {
    // T1 did J2/10 (1.5 h) in 45 min: efficiency 2. On J1/20 since 09:40, at 10:10:
    // op 10 1/2 = 0.5 h, op 20 2/2 − 0.5 = 0.5 h, + 0.5 h → 1.5 h → 11:40.
    let w = shop([
        ev(0, "T1", start("J2", "10", "B01")),
        ev(45, "T1", finish("J2", "10")),
        ev(100, "T1", start("J1", "20", "B02")),
    ]);
    assert_eq!(eta(&w, "J1", 130), Some(t(130 + 90)));
}

#[test]
fn a_slow_badge_makes_a_job_late() {
    // T2 did J2/10 (1.5 h) in 3 h: efficiency 0.5. Clocked on J1 at 11:20: 1/0.5 + 2/0.5
    // = 6 h → 17:20, + 0.5 h: 10 min to the 17:30 closing, 20 min from Tuesday's 08:30
    // opening → 08:50, past the 15:30 promise. At the standard pace it would be 3.5 h →
    // 14:50, on time.
    let events = [
        ev(0, "T2", start("J2", "10", "B01")),
        ev(180, "T2", finish("J2", "10")),
        ev(200, "T2", start("J1", "10", "B02")),
    ];
    let mut w = shop(events.clone());
    let mut j1 = card("J1", &[("10", 1.0), ("20", 2.0)], true);
    j1.promised_at = Some(t(450));
    w.upsert_job(j1.clone());
    let view = w.job("J1", t(200)).expect("J1");
    assert_eq!((view.eta, view.late), (Some(t(24 * 60 + 50)), true));

    // The same job worked by T3, who has no history: standard pace.
    let mut fresh = shop([ev(200, "T3", start("J1", "10", "B02"))]);
    fresh.upsert_job(j1);
    let view = fresh.job("J1", t(200)).expect("J1");
    assert_eq!((view.eta, view.late), (Some(t(200 + 210)), false));
}

#[test]
fn only_the_last_finished_ops_count() {
    // T1: J2/10 (1.5 h) in 3 h, then J1/10 (1 h) in 30 min. At 12:00 J1/20 (2 h) is left,
    // crew T1 (who worked J1 before). Last op only: efficiency 2 → 1 h + 0.5 h → 13:30.
    // Both ops: 2.5 / 3.5 → 2 h × 3.5 / 2.5 = 2.8 h + 0.5 h = 3.3 h → 15:18.
    let events = [
        ev(0, "T1", start("J2", "10", "B01")),
        ev(180, "T1", finish("J2", "10")),
        ev(200, "T1", start("J1", "10", "B01")),
        ev(230, "T1", finish("J1", "10")),
    ];
    let one = Settings {
        eta_sample_ops: 1,
        ..Settings::default()
    };
    let mut w = Workshop::new(catalog(), one);
    w.restore(events.clone());
    assert_eq!(eta(&w, "J1", 240), Some(t(240 + 90)));
    assert_eq!(eta(&shop(events), "J1", 240), Some(t(240 + 198)));
}

#[test]
fn an_overrun_never_puts_the_eta_in_the_past() {
    // T3 (no history) has spent 3 h on J2/10's 1.5 h and is still on it: nothing left but
    // the allowance → now + 0.5 h.
    let w = shop([ev(0, "T3", start("J2", "10", "B01"))]);
    assert_eq!(eta(&w, "J2", 180), Some(t(180 + 30)));
}

#[test]
fn an_implausible_history_is_bounded() {
    // T1 finished J2/10 (1.5 h) 6 min after starting: 15×, bounded to 4. J1 then needs
    // (1 + 2) / 4 = 0.75 h + 0.5 h = 1.25 h, counted from the 08:30 opening (it is 08:10).
    let w = shop([
        ev(0, "T1", start("J2", "10", "B01")),
        ev(6, "T1", finish("J2", "10")),
        ev(10, "T1", start("J1", "10", "B02")),
    ]);
    assert_eq!(eta(&w, "J1", 10), Some(t(30 + 75)));
}

#[test]
fn a_shared_op_teaches_each_badge_its_own_pace() {
    // T1 and T2 together on J2/10 (1.5 h): T1 60 min, T2 30 min → 1.5 h std / 1.5 h
    // clocked = 1 for both. T2 on J1/10 at 10:00: (1 + 2) + 0.5 → 13:30.
    let w = shop([
        ev(0, "T1", start("J2", "10", "B01")),
        ev(30, "T2", start("J2", "10", "B01")),
        ev(60, "T1", finish("J2", "10")),
        ev(120, "T2", start("J1", "10", "B02")),
    ]);
    assert_eq!(eta(&w, "J1", 120), Some(t(120 + 210)));
}
