//! The boards of a small workshop, with the numbers worked out by hand.

use std::collections::{BTreeMap, BTreeSet};

use bayline_proto::board::{self, BayState, Clock, LOUNGE_BUDGET_BYTES};
use bayline_proto::{Language, PauseReason};
use jiff::tz::TimeZone;

use super::*;
use crate::testkit::*;
use crate::Stage;

static NONE_APPROVED: BTreeSet<Id> = BTreeSet::new();

fn site<'a>(tz: &'a TimeZone, names: &'a BTreeMap<Id, String>) -> BoardSite<'a> {
    BoardSite {
        tz,
        language: Language::Zh,
        bay_names: names,
        approved: &NONE_APPROVED,
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
    assert_eq!(b.workshop[0].updated, Clock::at(0, 17, 30).unwrap());
    let b01 = b.workshop[0]
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
    let b02 = b.workshop[0]
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
    let rows: Vec<_> = (b.lounge[0].rows.iter())
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
    let bytes = board::encode(&b.lounge[0], &mut buf).unwrap();
    assert!(bytes.len() <= LOUNGE_BUDGET_BYTES, "{} bytes", bytes.len());
    assert!(
        !bytes.windows(5).any(|w| w == "12345".as_bytes()),
        "a full plate left the server"
    );
}

#[test]
fn a_tag_shows_the_op_now_and_as_next_the_car_the_foreman_assigned_to_the_bay() {
    let mut w = busy_morning();
    let tz = TimeZone::UTC;
    let names = BTreeMap::from([(id("B01"), "Lift 1".to_string())]);
    let tag = |w: &Workshop, bay: &str| {
        let b = w.boards(site(&tz, &names), t(30));
        b.tags.into_iter().find(|t| t.bay.as_str() == bay).unwrap()
    };
    let b01 = tag(&w, "B01");
    assert_eq!(b01.name.as_str(), "Lift 1");
    let now = b01.now.as_ref().unwrap();
    // 30 of 60 min on op 10: 50 %.
    assert_eq!(
        (now.op.as_str(), now.clocked_min, now.progress),
        ("op 10", 30, 50)
    );
    // Nothing assigned: no next, neither the bay's own car nor the car waiting longest.
    let b02 = tag(&w, "B02");
    assert_eq!(b02.name.as_str(), "B02");
    assert!(b02.now.is_none());
    assert_eq!((b01.next, b02.next), (None, None));

    // J1's op 20 planned on B01 is its own car; J2 planned on B01 is B01's next.
    for (job, op) in [("J1", "20"), ("J2", "10")] {
        let mut card = w.catalog().jobs[job].clone();
        for o in card.ops.iter_mut().filter(|o| o.op.as_str() == op) {
            o.assignment = Some(crate::Assignment {
                to: crate::Assignee::Badge(id("T2")),
                bay: Some(id("B01")),
                day: None,
                order: None,
            });
        }
        w.upsert_job(card);
    }
    let next = tag(&w, "B01").next.unwrap();
    assert_eq!((next.job.as_str(), next.op.as_str()), ("J2", "op 10"));
    assert_eq!(tag(&w, "B02").next, None);
}

#[test]
fn a_blocked_bay_carries_its_reason_to_the_board_and_the_tag() {
    let mut w = busy_morning();
    w.admit(ev(40, "T1", pause("J1", "10", PauseReason::Parts)));
    let tz = TimeZone::UTC;
    let names = BTreeMap::new();
    let b = w.boards(site(&tz, &names), t(50));
    let row = b.workshop[0]
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
fn a_bay_blocked_for_a_reason_the_site_named_shows_the_sites_words() {
    // The site calls its sublet work 外协加工 (a parts reason); B01 waits on it, B02 waits
    // on parts under the contract's own name, which the display words itself.
    let mut c = catalog();
    c.pause_reasons = crate::Reasons(BTreeMap::from([(
        id("sublet"),
        crate::SiteReason {
            category: PauseReason::Parts,
            label_zh: "外协加工".into(),
            label_en: "sublet".into(),
        },
    )]));
    let mut w = crate::Workshop::new(c, crate::Settings::default());
    for e in [
        ev(-30, "A1", check_in("J1")),
        ev(-20, "A1", check_in("J2")),
        ev(0, "T1", start("J1", "10", "B01")),
        ev(0, "T2", start("J2", "10", "B02")),
        ev(
            40,
            "T1",
            crate::EventKind::Pause {
                job: id("J1"),
                op: id("10"),
                reason: crate::Reason::parse("sublet").unwrap(),
            },
        ),
        ev(40, "T2", pause("J2", "10", PauseReason::Parts)),
    ] {
        assert!(matches!(
            w.admit(e),
            crate::workshop::Admission::Accepted(_)
        ));
    }
    let tz = TimeZone::UTC;
    let names = BTreeMap::new();
    let text = |b: &Boards, bay: &str| {
        let tag = b.tags.iter().find(|t| t.bay.as_str() == bay).unwrap();
        (
            tag.reason,
            tag.reason_text.as_ref().map(|t| t.to_string()),
            b.workshop[0].reason_text(bay).map(|t| t.to_string()),
        )
    };

    let zh = w.boards(site(&tz, &names), t(50));
    let sublet = Some("外协加工".to_string());
    assert_eq!(
        text(&zh, "B01"),
        (Some(PauseReason::Parts), sublet.clone(), sublet)
    );
    assert_eq!(text(&zh, "B02"), (Some(PauseReason::Parts), None, None));
    assert_eq!(zh.workshop[0].reason_texts.len(), 1);

    let en = w.boards(
        BoardSite {
            language: Language::En,
            ..site(&tz, &names)
        },
        t(50),
    );
    let sublet = Some("sublet".to_string());
    assert_eq!(
        text(&en, "B01"),
        (Some(PauseReason::Parts), sublet.clone(), sublet)
    );

    // Resumed, the bay is no longer blocked and the words go with the reason.
    w.admit(ev(60, "T1", resume("J1", "10", None)));
    assert_eq!(
        text(&w.boards(site(&tz, &names), t(70)), "B01"),
        (None, None, None)
    );
}

#[test]
fn an_eta_tomorrow_counts_the_day() {
    let tz = TimeZone::UTC;
    let clocks = Clocks::new(&tz, t(0));
    assert_eq!(clocks.of(t(60 * 24 + 30)), Clock::at(1, 8, 30).unwrap());
    assert_eq!(clocks.of(t(-60 * 24)), Clock(0));
}

/// The 40-bay sample site at noon of its second day: every bay busy, dozens of cars in.
fn forty_bays() -> (Workshop, Time) {
    use crate::sample::{site, Size};
    let s = site(Size {
        days: 2,
        ..Size::MONTH
    });
    let noon = s.from + jiff::SignedDuration::from_hours(24 + 12);
    let mut w = Workshop::new(s.catalog, s.settings);
    w.restore(s.events.into_iter().filter(|e| e.key.ts <= noon));
    (w, noon)
}

#[test]
fn the_workshop_board_pages_through_every_bay_of_a_big_site() {
    let (w, noon) = forty_bays();
    let tz = TimeZone::UTC;
    let names = BTreeMap::new();
    let b = w.boards(site(&tz, &names), noon);
    let all = w.bays(noon).len();
    assert_eq!(all, 44, "40 work bays and 4 wash bays");
    assert_eq!(b.workshop.len(), all.div_ceil(MAX_WORKSHOP_BAYS));
    let shown: Vec<&str> = (b.workshop.iter())
        .flat_map(|p| p.bays.iter().map(|r| r.bay.as_str()))
        .collect();
    let expected: Vec<String> = w.bays(noon).iter().map(|b| b.bay.to_string()).collect();
    assert_eq!(shown, expected, "every bay once, in order");
    for (i, p) in b.workshop.iter().enumerate() {
        assert_eq!(
            (usize::from(p.page.index), usize::from(p.page.count)),
            (i, b.workshop.len())
        );
        assert_eq!(usize::from(p.page.total), all);
        let mut buf = [0u8; 8 * 1024];
        board::encode(p, &mut buf).unwrap();
    }
}

#[test]
fn the_lounge_pages_through_every_car_of_a_big_site() {
    let (w, noon) = forty_bays();
    let tz = TimeZone::UTC;
    let names = BTreeMap::new();
    let b = w.boards(site(&tz, &names), noon);
    let cars = w.lounge(noon, Language::Zh).len();
    assert!(cars > 2 * MAX_LOUNGE_ROWS, "{cars} cars in at noon");
    assert_eq!(b.lounge.len(), cars.div_ceil(MAX_LOUNGE_ROWS));
    let rows: usize = b.lounge.iter().map(|p| p.rows.len()).sum();
    assert_eq!(rows, cars, "no car is dropped");
    assert!(b.lounge.iter().all(|p| usize::from(p.page.total) == cars));
    assert_eq!(
        b.lounge.last().unwrap().page.index + 1,
        b.lounge[0].page.count
    );
}

#[test]
fn an_empty_site_still_has_one_page_of_each_board() {
    let w = shop([]);
    let tz = TimeZone::UTC;
    let names = BTreeMap::new();
    let b = w.boards(site(&tz, &names), t(0));
    assert_eq!((b.lounge.len(), b.lounge[0].page.count), (1, 1));
    assert!(b.lounge[0].rows.is_empty());
    assert_eq!((b.workshop.len(), b.workshop[0].page.total), (1, 3));
}

#[test]
fn a_car_that_has_not_moved_for_longer_than_the_stale_days_leaves_the_lounge() {
    let day = 60 * 24;
    let w = shop([
        ev(0, "A1", check_in("J1")),
        ev(0, "A1", check_in("J2")),
        ev(6 * day, "T1", start("J2", "10", "B01")),
    ]);
    let plates = |at: i64| -> Vec<Stage> {
        w.lounge(t(at), Language::En)
            .into_iter()
            .map(|r| r.stage)
            .collect()
    };
    // A week is the default: both cars at day 7, only the one that moved on day 6 after.
    assert_eq!(plates(7 * day).len(), 2);
    assert_eq!(plates(7 * day + 1), [Stage::InProgress]);
    assert_eq!(plates(13 * day + 1), Vec::<Stage>::new());
}

#[test]
fn an_open_call_shows_on_the_workshop_board_and_the_tag_until_cleared() {
    let mut w = busy_morning();
    w.admit(ev(10, "T1", call(None, crate::CallReason::Parts)));
    let tz = TimeZone::get("Asia/Shanghai").unwrap();
    let names = BTreeMap::new();
    let b = w.boards(site(&tz, &names), t(20));
    // 08:10 UTC is 16:10 in Shanghai.
    let want = board::Andon {
        bay: id("B01"),
        reason: crate::CallReason::Parts,
        opened: Clock::at(0, 16, 10).unwrap(),
        answered: false,
    };
    assert_eq!(b.workshop[0].calls.as_slice(), std::slice::from_ref(&want));
    let tag = |b: &Boards, bay: &str| b.tags.iter().find(|t| t.bay.as_str() == bay).cloned();
    assert_eq!(tag(&b, "B01").and_then(|t| t.call), Some(want.clone()));
    assert_eq!(tag(&b, "B02").and_then(|t| t.call), None);

    w.admit(ev(14, "T2", answer("B01")));
    let b = w.boards(site(&tz, &names), t(20));
    assert!(b.workshop[0].calls[0].answered);
    w.admit(ev(16, "T2", clear("B01")));
    let b = w.boards(site(&tz, &names), t(20));
    assert!(b.workshop[0].calls.is_empty());
    assert_eq!(tag(&b, "B01").and_then(|t| t.call), None);
}

#[test]
fn a_lounge_row_marks_a_wait_with_no_end_and_a_promise_at_risk() {
    // J1 paused for parts at 09:00, promised at 09:20; J2 checked in, promised next week.
    let mut w = shop([
        ev(-30, "A1", check_in("J1")),
        ev(-20, "A1", check_in("J2")),
        ev(0, "T1", start("J1", "10", "B01")),
        ev(60, "T1", pause("J1", "10", PauseReason::Parts)),
    ]);
    let mut j1 = catalog().jobs["J1"].clone();
    j1.promised_at = Some(t(80));
    w.upsert_job(j1);
    let mut j2 = catalog().jobs["J2"].clone();
    j2.promised_at = Some(t(7 * 24 * 60));
    w.upsert_job(j2);
    let tz = TimeZone::UTC;
    let names = BTreeMap::new();
    let lounge = &w.boards(site(&tz, &names), t(61)).lounge[0];
    assert_eq!((lounge.rows.len(), lounge.marks.len()), (2, 2));
    assert_eq!((lounge.rows[0].eta, lounge.rows[0].late), (None, false));
    assert_eq!(
        lounge.mark(0),
        board::RowMark {
            at_risk: true,
            pending: Some(PauseReason::Parts)
        }
    );
    assert_eq!(lounge.mark(1), board::RowMark::default());
    assert!(lounge.rows[1].eta.is_some());
}

#[test]
fn the_tag_of_the_bay_holding_an_approved_job_says_so_and_no_other() {
    let w = busy_morning();
    let tz = TimeZone::UTC;
    let names = BTreeMap::new();
    let approved = BTreeSet::from([Id::new("J1").unwrap()]);
    let b = w.boards(
        BoardSite {
            approved: &approved,
            ..site(&tz, &names)
        },
        t(90),
    );
    let approved: Vec<_> = (b.tags.iter())
        .map(|t| (t.bay.as_str(), t.approved))
        .collect();
    assert!(approved.contains(&("B01", true)), "{approved:?}");
    assert!(
        approved.iter().filter(|(_, a)| *a).count() == 1,
        "{approved:?}"
    );
    assert!(b.tags.iter().all(|t| t.reason_text.is_none()));
    assert!(b.workshop[0].reason_texts.is_empty());
    let plain = w.boards(site(&tz, &names), t(90));
    assert!(plain.tags.iter().all(|t| !t.approved));
}
