//! The boards of a small workshop, with the numbers worked out by hand.

use std::collections::BTreeMap;

use bayline_proto::board::{self, BayState, Clock, LOUNGE_BUDGET_BYTES};
use bayline_proto::{Language, PauseReason};
use jiff::tz::TimeZone;

use super::*;
use crate::testkit::*;

fn site<'a>(tz: &'a TimeZone, names: &'a BTreeMap<Id, String>) -> BoardSite<'a> {
    BoardSite {
        tz,
        language: Language::Zh,
        bay_names: names,
    }
}

/// J1 (ops 10: 1 h, 20: 2 h) on B01 since 08:00 UTC by T1; J2 checked in, waiting.
fn busy_morning() -> Workshop {
    shop([
        ev(-30, "A1", check_in("J1")),
        ev(-20, "A1", check_in("J2")),
        ev(0, "T1", start("J1", "10", "B01")),
    ])
}

#[test]
fn the_workshop_board_shows_time_against_standard_and_the_overrun() {
    let w = busy_morning();
    let tz = TimeZone::get("Asia/Shanghai").unwrap();
    let names = BTreeMap::new();
    // 90 min on op 10 (std 60 min): overrun. 08:00 UTC + 90 min = 17:30 in Shanghai.
    let b = w.boards(site(&tz, &names), t(90));
    assert_eq!(b.workshop.updated, Clock::at(0, 17, 30).unwrap());
    let b01 = b
        .workshop
        .bays
        .iter()
        .find(|r| r.bay.as_str() == "B01")
        .unwrap();
    assert_eq!(b01.state, BayState::Working);
    assert_eq!(b01.job.as_deref(), Some("J1"));
    assert_eq!(
        b01.badges.iter().map(|b| b.as_str()).collect::<Vec<_>>(),
        ["T1"]
    );
    assert_eq!((b01.clocked_min, b01.std_min, b01.overrun), (90, 60, true));
    let b02 = b
        .workshop
        .bays
        .iter()
        .find(|r| r.bay.as_str() == "B02")
        .unwrap();
    assert_eq!(
        (b02.state, b02.job.as_ref(), b02.overrun),
        (BayState::Idle, None, false)
    );
}

#[test]
fn the_lounge_masks_plates_and_shows_progress_in_percent() {
    let w = busy_morning();
    let tz = TimeZone::UTC;
    let names = BTreeMap::new();
    let b = w.boards(site(&tz, &names), t(90));
    // J1: min(1.5 h, 0.95 × 1 h) of 3 std hours = 31.7 % → 32. J2: nothing done → 0.
    let rows: Vec<_> = (b.lounge.rows.iter())
        .map(|r| (r.plate.as_str(), r.stage, r.progress))
        .collect();
    assert_eq!(
        rows,
        [
            ("粤B***45", Stage::InProgress, 32),
            ("粤B***45", Stage::CheckedIn, 0)
        ]
    );
    let mut buf = [0u8; 512];
    let bytes = board::encode(&b.lounge, &mut buf).unwrap();
    assert!(bytes.len() <= LOUNGE_BUDGET_BYTES, "{} bytes", bytes.len());
    assert!(
        !bytes.windows(5).any(|w| w == "12345".as_bytes()),
        "a full plate left the server"
    );
}

#[test]
fn a_tag_shows_the_op_now_and_the_next_one_and_a_free_bay_the_waiting_car() {
    let w = busy_morning();
    let tz = TimeZone::UTC;
    let names = BTreeMap::from([(id("B01"), "Lift 1".to_string())]);
    let b = w.boards(site(&tz, &names), t(30));
    let b01 = b.tags.iter().find(|t| t.bay.as_str() == "B01").unwrap();
    assert_eq!(b01.name.as_str(), "Lift 1");
    let now = b01.now.as_ref().unwrap();
    // 30 of 60 min on op 10: 50 %.
    assert_eq!(
        (now.op.as_str(), now.clocked_min, now.progress),
        ("op 10", 30, 50)
    );
    assert_eq!(b01.next.as_ref().unwrap().op.as_str(), "op 20");

    let b02 = b.tags.iter().find(|t| t.bay.as_str() == "B02").unwrap();
    assert_eq!(b02.name.as_str(), "B02");
    assert!(b02.now.is_none());
    assert_eq!(b02.next.as_ref().unwrap().job.as_str(), "J2");
}

#[test]
fn a_blocked_bay_carries_its_reason_to_the_board_and_the_tag() {
    let mut w = busy_morning();
    w.admit(ev(40, "T1", pause("J1", "10", PauseReason::Parts)));
    let tz = TimeZone::UTC;
    let names = BTreeMap::new();
    let b = w.boards(site(&tz, &names), t(50));
    let row = b
        .workshop
        .bays
        .iter()
        .find(|r| r.bay.as_str() == "B01")
        .unwrap();
    assert_eq!(
        (row.state, row.reason),
        (BayState::Blocked, Some(PauseReason::Parts))
    );
    assert!(row.badges.is_empty());
    let tag = b.tags.iter().find(|t| t.bay.as_str() == "B01").unwrap();
    assert_eq!(tag.reason, Some(PauseReason::Parts));
    assert_eq!(tag.now.as_ref().unwrap().clocked_min, 40);
}

#[test]
fn an_eta_tomorrow_counts_the_day() {
    let tz = TimeZone::UTC;
    let clocks = Clocks::new(&tz, t(0));
    assert_eq!(clocks.of(t(60 * 24 + 30)), Clock::at(1, 8, 30).unwrap());
    assert_eq!(clocks.of(t(-60 * 24)), Clock(0));
}
