//! A period's outcomes of closed jobs: every job with a first QC result, a first `ready`, a
//! delivery or (a comeback) a check-in in the period, once each, in byte order of job.

use bayline_domain::fold::QcResult;
use bayline_domain::kpi::Outcome;
use bayline_domain::{Freeze, State};
use bayline_proto::Id;
use bayline_store::OutcomeDetail;

use crate::support::scans::*;
use crate::support::TestDb;

on_both_backends!(
    a_period_gives_the_jobs_with_any_instant_in_it_once_each_by_job,
    a_year_of_outcomes_comes_back_whole_and_in_order,
    the_open_cards_are_those_whose_outcome_is_not_stored,
);

/// A closed job checked in at `checked_in`, QC'd at `qc`, ready at `ready`, delivered at
/// `delivered` (minutes).
fn closed(job: &str, checked_in: i64, qc: i64, ready: i64, delivered: i64) -> Outcome {
    Outcome {
        job: id(job),
        checked_in_at: Some(at(checked_in)),
        first_moved: Some(at(checked_in)),
        first_qc: Some((QcResult::Pass, at(qc))),
        first_fail_crew: None,
        ready_at: Some(at(ready)),
        delivered_at: Some(at(delivered)),
        promised_at: None,
        badges: [id("T07")].into(),
        bays: [id("B01")].into(),
        comeback_of: None,
        plate: "粤B12345".into(),
        advisor: String::new(),
        service: String::new(),
    }
}

/// A freeze at minute 500 of `outcomes` alone.
fn frozen(outcomes: Vec<Outcome>) -> Freeze {
    Freeze {
        days: Vec::new(),
        outcomes,
        calls: Vec::new(),
        checkpoint: State::default(),
        at: at(500),
    }
}

async fn a_period_gives_the_jobs_with_any_instant_in_it_once_each_by_job(db: &TestDb) {
    let store = db.open().await;
    let site = id("s1");
    // The period is minutes [100, 200).
    let mut comeback = closed("RO-7", 150, 300, 310, 320);
    comeback.first_qc = None;
    comeback.ready_at = None;
    comeback.comeback_of = Some(id("RO-1"));
    let outcomes = vec![
        closed("RO-5", 10, 150, 250, 260), // QC in the period, delivered after it
        closed("RO-1", 10, 20, 30, 40),    // all before
        closed("RO-4", 10, 20, 30, 120),   // delivered in it
        closed("RO-9", 210, 220, 230, 240), // all after
        closed("RO-3", 10, 20, 199, 400),  // ready in it, its last minute
        closed("RO-8", 10, 20, 30, 200),   // delivered as it ends: not in it
        comeback,                          // checked in in it as a comeback
    ];
    let freeze = frozen(outcomes);
    store.put_freeze(&site, &freeze).await.unwrap();

    let got = store
        .outcomes_in(&site, at(100), at(200), OutcomeDetail::Whole)
        .await
        .unwrap();
    let jobs: Vec<&str> = got.iter().map(|o| o.job.as_str()).collect();
    assert_eq!(jobs, ["RO-3", "RO-4", "RO-5", "RO-7"]);
    assert_eq!(
        got[2], freeze.outcomes[0],
        "an outcome comes back as it was frozen"
    );
    // Bare: the same jobs, without crews, card text or first event.
    let bare = (store
        .outcomes_in(&site, at(100), at(200), OutcomeDetail::Bare)
        .await)
        .unwrap();
    let stripped: Vec<Outcome> = (got.iter())
        .map(|o| Outcome {
            first_moved: None,
            first_fail_crew: None,
            badges: Default::default(),
            bays: Default::default(),
            plate: String::new(),
            advisor: String::new(),
            service: String::new(),
            ..o.clone()
        })
        .collect();
    assert_eq!(bare, stripped);
    assert_eq!(
        bare[3].comeback_of,
        Some(id("RO-1")),
        "a comeback stays one"
    );
    // Another site's period, and a period with nothing in it, are empty.
    let none = |from: i64, to: i64, site: Id| {
        let store = &store;
        async move {
            store
                .outcomes_in(&site, at(from), at(to), OutcomeDetail::Whole)
                .await
                .unwrap()
        }
    };
    assert!(none(100, 200, id("s2")).await.is_empty());
    assert!(none(401, 500, site.clone()).await.is_empty());
}

/// More outcomes than are parsed in one piece (a site's year is about 70,000): every one
/// comes back once, as frozen, in byte order of job.
async fn a_year_of_outcomes_comes_back_whole_and_in_order(db: &TestDb) {
    let store = db.open().await;
    let site = id("s1");
    let outcomes: Vec<Outcome> = (0..9_000)
        .map(|n| closed(&format!("RO-{n}"), 10, 20, 30, 40 + n % 50))
        .collect();
    let freeze = frozen(outcomes);
    store.put_freeze(&site, &freeze).await.unwrap();

    let got = store
        .outcomes_in(&site, at(0), at(100), OutcomeDetail::Whole)
        .await
        .unwrap();
    let mut want = freeze.outcomes.clone();
    want.sort_by(|a, b| a.job.as_str().cmp(b.job.as_str()));
    assert_eq!(got.len(), 9_000);
    assert!(got == want, "outcomes differ or are out of order");
}

/// A start reads the open jobs' cards: a card leaves them when its outcome is frozen and
/// comes back when the frozen days from before its delivery are forgotten (a thaw), or all
/// of them are (a rebuild).
async fn the_open_cards_are_those_whose_outcome_is_not_stored(db: &TestDb) {
    let store = db.open().await;
    let site = id("s1");
    for job in ["RO-1", "RO-2", "RO-3"] {
        store
            .put_job(&site, &job_card(job, "service"), at(0))
            .await
            .unwrap();
    }
    let open = || async {
        let cards = store.live_jobs(&site).await.unwrap();
        cards
            .into_iter()
            .map(|c| c.job.to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(open().await, ["RO-1", "RO-2", "RO-3"]);
    let freeze = frozen(vec![
        closed("RO-1", 10, 20, 30, 40),
        closed("RO-3", 10, 20, 30, 300),
    ]);
    store.put_freeze(&site, &freeze).await.unwrap();
    assert_eq!(open().await, ["RO-2"]);
    // Another site's cards of the same name stay open.
    store
        .put_job(&id("s2"), &job_card("RO-1", "service"), at(0))
        .await
        .unwrap();
    assert_eq!(store.live_jobs(&id("s2")).await.unwrap().len(), 1);
    // A thaw from minute 100: RO-3, delivered after it, is open again; RO-1 is not.
    let day = at(100).to_zoned(jiff::tz::TimeZone::UTC).date();
    store.forget_frozen_from(&site, at(100), day).await.unwrap();
    assert_eq!(open().await, ["RO-2", "RO-3"]);
    store.forget_frozen(&site).await.unwrap();
    assert_eq!(open().await, ["RO-1", "RO-2", "RO-3"]);
}
