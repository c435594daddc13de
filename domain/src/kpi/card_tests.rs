//! Figures from the job card: comebacks (外返) and the rows by advisor and by service, worked
//! out by hand. Same catalog and clock as `tests.rs`: `t(m)` is m minutes after 08:00 UTC on
//! Monday 2026-11-23; J1 has ops 10 (1 h) and 20 (2 h), J2 op 10 (1.5 h).

use jiff::SignedDuration;

use super::*;
use crate::testkit::*;
use crate::{Settings, Workshop};

const DAY: i64 = 1440;

fn approx(a: Option<f64>, b: f64) -> bool {
    a.is_some_and(|a| (a - b).abs() < 1e-9)
}

/// J1 to J4, J1 and J3 for the same car, J2 and J4 for others; each with advisor and service.
fn cards(w: &mut Workshop) {
    for (job, plate, advisor, service) in [
        ("J1", "粤B12345", "Li", "保养"),
        ("J2", "粤B77777", "Li", "事故"),
        ("J3", "粤b 123-45", "Wang", "索赔"),
        ("J4", "粤B88888", "Wang", "保养"),
    ] {
        let mut c = card(job, &[("10", 1.0)], false);
        c.plate = plate.into();
        c.advisor = advisor.into();
        c.service = service.into();
        w.upsert_job(c);
    }
}

fn settings(days: i64) -> Settings {
    Settings {
        comeback_within: SignedDuration::from_hours(24 * days),
        ..Settings::default()
    }
}

/// J1 delivered on day 0; J3, the same plate, checked in on day 3; J2 delivered on day 3;
/// J4 checked in on day 3 with its card naming J2.
fn week(days: i64) -> Workshop {
    let mut w = Workshop::new(catalog(), settings(days));
    cards(&mut w);
    let mut j4 = w.catalog().jobs[&id("J4")].clone();
    j4.comeback_of = Some(id("J2"));
    w.upsert_job(j4);
    w.restore([
        ev(0, "A1", check_in("J1")),
        ev(10, "T1", start("J1", "10", "B01")),
        ev(70, "T1", finish("J1", "10")),
        ev(80, "Q1", qc_pass("J1")),
        ev(90, "A1", delivered("J1")),
        ev(3 * DAY, "A1", check_in("J3")),
        ev(3 * DAY + 10, "A1", check_in("J4")),
        ev(3 * DAY - 60, "A1", check_in("J2")),
        ev(3 * DAY + 30, "T2", start("J2", "10", "B02")),
        ev(3 * DAY + 120, "T2", finish("J2", "10")),
        ev(3 * DAY + 130, "Q1", qc_pass("J2")),
        ev(3 * DAY + 140, "A1", delivered("J2")),
    ]);
    w
}

#[test]
fn a_car_back_within_the_window_is_a_comeback_over_the_jobs_delivered() {
    let w = week(30);
    let now = t(4 * DAY);
    // Day 0: J1 delivered, no comeback → 0 / 1.
    let day0 = figures(&w, Period::new(t(-480), t(DAY - 480)), now);
    assert_eq!((day0.jobs_delivered, day0.comebacks), (1, 0));
    assert_eq!(day0.comeback_rate, Some(0.0));
    // Day 3: J3 (plate of J1, 3 days later) and J4 (its card names J2) came back; J2 was
    // delivered → 2 / 1 = 2: comebacks count when they arrive, deliveries when they leave.
    let day3 = figures(&w, Period::new(t(3 * DAY - 480), t(4 * DAY - 480)), now);
    assert_eq!((day3.jobs_delivered, day3.comebacks), (1, 2));
    assert!(approx(day3.comeback_rate, 2.0));
    // The whole week: 2 comebacks over 2 deliveries.
    let all = figures(&w, Period::new(t(-480), now), now);
    assert!(approx(all.comeback_rate, 1.0));
    let list = comebacks(&w, Stored::default(), Period::new(t(-480), now), now);
    let seen: Vec<(&str, &str, Time)> = (list.iter())
        .map(|c| (c.job.as_str(), c.comeback_of.as_str(), c.checked_in_at))
        .collect();
    assert_eq!(
        seen,
        [("J3", "J1", t(3 * DAY)), ("J4", "J2", t(3 * DAY + 10))]
    );
    assert_eq!(list[0].plate, "粤b 123-45");
}

#[test]
fn a_car_back_after_the_window_or_before_the_delivery_is_no_comeback() {
    // Two days' window: J3 came three days after J1's delivery. J2 was checked in before any
    // delivery of its plate. J4 still names J2 on its card: the card's word holds.
    let w = week(2);
    let now = t(4 * DAY);
    let all = figures(&w, Period::new(t(-480), now), now);
    assert_eq!(all.comebacks, 1);
    assert!(approx(all.comeback_rate, 0.5));
}

#[test]
fn advisor_and_service_rows_split_the_work_and_the_jobs_by_card() {
    // J1 (Li, 保养): 1 h clocked, 1 h sold, delivered. J2 (Li, 事故): 1.5 h clocked, 1 h
    // sold, delivered. J3 (Wang, 索赔) and J4 (Wang, 保养): comebacks, no work.
    let w = week(30);
    let now = t(4 * DAY);
    let period = Period::new(t(-480), now);
    let rows = grouped(&w, period, now, GroupBy::Advisor);
    let got: Vec<(&str, f64, f64, u32, u32)> = (rows.iter())
        .map(|r| {
            let f = &r.figures;
            let row = (f.clocked_hours, f.sold_hours, f.jobs_delivered, f.comebacks);
            (r.key.as_str(), row.0, row.1, row.2, row.3)
        })
        .collect();
    assert_eq!(got, [("Li", 2.5, 2.0, 2, 0), ("Wang", 0.0, 0.0, 0, 2)]);
    // Li's jobs came back twice, but the comebacks are Wang's cards: Li's rate 0 / 2, Wang's
    // no delivery → null.
    assert_eq!(rows[0].figures.comeback_rate, Some(0.0));
    assert_eq!(rows[1].figures.comeback_rate, None);
    // A card group has no attendance, bays or calls.
    assert_eq!(rows[0].figures.available_hours, None);
    assert_eq!(rows[0].figures.bay_utilisation, None);
    assert_eq!(rows[0].figures.labour_utilisation, None);
    assert!(approx(rows[0].figures.labour_efficiency, 2.0 / 2.5));

    let services = grouped(&w, period, now, GroupBy::Service);
    let got: Vec<(&str, f64, u32, u32)> = (services.iter())
        .map(|r| {
            let f = &r.figures;
            (
                r.key.as_str(),
                f.clocked_hours,
                f.jobs_delivered,
                f.comebacks,
            )
        })
        .collect();
    // Sorted by key: 事 (U+4E8B) < 保 (U+4FDD) < 索 (U+7D22).
    assert_eq!(
        got,
        [
            ("事故", 1.5, 1, 0),
            ("保养", 1.0, 1, 1),
            ("索赔", 0.0, 0, 1)
        ]
    );
}

#[test]
fn a_card_without_an_advisor_is_in_the_row_keyed_empty() {
    let mut w = shop([
        ev(0, "T1", start("J1", "10", "B01")),
        ev(60, "T1", finish("J1", "10")),
    ]);
    let mut c = w.catalog().jobs[&id("J1")].clone();
    c.advisor = String::new();
    w.upsert_job(c);
    let rows = grouped(&w, Period::new(t(0), t(120)), t(120), GroupBy::Advisor);
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (rows[0].key.as_str(), rows[0].figures.sold_hours),
        ("", 1.0)
    );
}
