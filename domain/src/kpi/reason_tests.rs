//! The site's own pause reasons (`[[pause_reasons]]`) through the fold, the views and the
//! figures: a reason acts as its category and is counted under its own key. Same test
//! catalog and clock as `tests.rs`; the site adds `sublet` (category `parts`) and `training`
//! (category `break`).

use std::collections::BTreeMap;

use super::*;
use crate::testkit::*;
use crate::workshop::Admission;
use crate::{EventKind, PauseReason, Reason, Reasons, SiteReason, Stage, Workshop};

fn site_reasons() -> Reasons {
    let own = |category, zh: &str, en: &str| SiteReason {
        category,
        label_zh: zh.into(),
        label_en: en.into(),
    };
    Reasons(BTreeMap::from([
        (id("sublet"), own(PauseReason::Parts, "外协加工", "sublet")),
        (
            id("training"),
            own(PauseReason::Break, "晨会/培训", "training"),
        ),
    ]))
}

fn site_shop(events: impl IntoIterator<Item = crate::Event>) -> Workshop {
    let mut c = catalog();
    c.pause_reasons = site_reasons();
    let mut w = Workshop::new(c, crate::Settings::default());
    for e in events {
        assert!(matches!(w.admit(e), Admission::Accepted(_)));
    }
    w
}

fn paused(job: &str, op: &str, reason: &str) -> EventKind {
    EventKind::Pause {
        job: id(job),
        op: id(op),
        reason: Reason::parse(reason).unwrap(),
    }
}

#[test]
fn a_site_reason_acts_as_its_category_and_shows_by_its_own_name() {
    // T1 on J1/10 at B01 from 09:00, pauses "sublet" (a parts reason) at 10:00.
    let w = site_shop([
        ev(60, "T1", start("J1", "10", "B01")),
        ev(120, "T1", paused("J1", "10", "sublet")),
    ]);
    let job = w.job("J1", t(180)).unwrap();
    assert_eq!(job.stage, Stage::WaitingParts);
    let b01 = w
        .bays(t(180))
        .into_iter()
        .find(|b| b.bay.as_str() == "B01")
        .unwrap();
    let reason = b01.reason.clone().unwrap();
    assert_eq!(
        (reason.category, reason.name()),
        (PauseReason::Parts, "sublet")
    );
    let json = serde_json::to_value(&b01).unwrap();
    assert_eq!(json["reason"], "sublet");
}

#[test]
fn lost_hours_of_a_site_reason_are_under_its_key_and_every_key_is_there() {
    // B01 blocked by "training" 10:00-11:00, then worked 11:00-12:00, then blocked "parts"
    // 12:00-13:00 (now). Period: the morning to 13:00.
    let w = site_shop([
        ev(60, "T1", start("J1", "10", "B01")),
        ev(120, "T1", paused("J1", "10", "training")),
        ev(180, "T1", resume("J1", "10", None)),
        ev(240, "T1", paused("J1", "10", "parts")),
    ]);
    let f = figures(&w, Period::new(t(0), t(600)), t(300));
    let by = f.bay_blocked_hours_by_reason.clone().unwrap();
    assert_eq!(by.own.get("training"), Some(&1.0));
    assert_eq!(by.own.get("sublet"), Some(&0.0), "a site key is there at 0");
    assert_eq!((by.parts, by.break_, by.other), (1.0, 0.0, 0.0));
    assert_eq!(f.bay_blocked_hours, Some(2.0));
    assert_eq!(by.total(), 2.0);
    let json = serde_json::to_value(&f).unwrap();
    let keys: Vec<&str> = json["bay_blocked_hours_by_reason"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    for key in [
        "parts",
        "approval",
        "break",
        "shift_end",
        "other",
        "sublet",
        "training",
    ] {
        assert!(keys.contains(&key), "{key} missing from {keys:?}");
    }
    // The bay rows add up to the whole, site keys included.
    let rows = grouped(&w, Period::new(t(0), t(600)), t(300), GroupBy::Bay);
    let training: f64 = (rows.iter())
        .filter_map(|r| r.figures.bay_blocked_hours_by_reason.as_ref())
        .map(|b| b.own.get("training").copied().unwrap_or(0.0))
        .sum();
    assert_eq!(training, 1.0);
}

#[test]
fn a_reason_the_site_does_not_list_is_rejected_as_a_bad_payload() {
    let mut w = site_shop([ev(60, "T1", start("J1", "10", "B01"))]);
    let verdict = w.admit(ev(120, "T1", paused("J1", "10", "lunch")));
    assert!(matches!(
        verdict,
        Admission::Rejected(crate::RejectCode::BadPayload)
    ));
    let verdict = w.admit(ev(121, "T1", paused("J1", "10", "training")));
    assert!(matches!(verdict, Admission::Accepted(_)));
}

#[test]
fn totals_of_site_reasons_add_up_across_windows() {
    // The rollup of two windows holds the site reason's time of both.
    let w = site_shop([
        ev(60, "T1", start("J1", "10", "B01")),
        ev(120, "T1", paused("J1", "10", "training")),
    ]);
    let morning = figures(&w, Period::new(t(0), t(150)), t(300));
    let later = figures(&w, Period::new(t(150), t(300)), t(300));
    let whole = figures(&w, Period::new(t(0), t(300)), t(300));
    let own = |f: &Figures| f.bay_blocked_hours_by_reason.as_ref().unwrap().own["training"];
    assert_eq!(own(&morning) + own(&later), own(&whole));
    assert_eq!(own(&whole), 3.0);
}
