//! The events stream tells each change of a job's `late` and `at_risk` once (contract §7.2):
//! from a job card, and from time passing.

use std::sync::Arc;

use bayline_domain::{JobCard, Time};
use bayline_ledger::{Ledger, Update, UpdateKind};
use bayline_site::SiteConfig;
use jiff::SignedDuration;
use tokio::sync::broadcast::Receiver;

use crate::support::scans::*;
use crate::support::TestDb;

on_both_backends!(a_promise_change_is_told_once_and_again_when_time_changes_it);

async fn ledger(db: &TestDb) -> Arc<Ledger> {
    Arc::new(
        Ledger::open(db.open().await, vec![SiteConfig::demo()])
            .await
            .unwrap(),
    )
}

fn card(promised_at: Time) -> JobCard {
    let mut card = job_card("RO-1", "brakes");
    card.promised_at = Some(promised_at);
    card
}

/// The promise changes sent so far.
fn promises(rx: &mut Receiver<Update>) -> Vec<(Option<bool>, Option<bool>)> {
    std::iter::from_fn(|| rx.try_recv().ok())
        .filter(|c| c.kind == UpdateKind::Promise)
        .inspect(|c| assert_eq!(c.job.as_ref().map(|j| j.as_str()), Some("RO-1")))
        .map(|c| (c.late, c.at_risk))
        .collect()
}

async fn a_promise_change_is_told_once_and_again_when_time_changes_it(db: &TestDb) {
    let gw = ledger(db).await;
    let site = id(SITE);
    let mut rx = gw.subscribe();
    let now = jiff::Timestamp::now();
    // Promised in ten minutes, 1.5 h of work not started: at risk, and late (1.5 h of work
    // and the allowance cannot fit in ten minutes of any calendar).
    gw.put_job(
        &site,
        card(now + SignedDuration::from_mins(10)),
        now,
        &crate::manager(),
    )
    .await
    .unwrap();
    assert_eq!(promises(&mut rx), [(Some(true), Some(true))]);
    // The same card again changes nothing.
    gw.put_job(
        &site,
        card(now + SignedDuration::from_mins(10)),
        now,
        &crate::manager(),
    )
    .await
    .unwrap();
    assert_eq!(promises(&mut rx), []);
    // Promised in a month: neither.
    let later = now + SignedDuration::from_hours(24 * 30);
    gw.put_job(&site, card(later), now, &crate::manager())
        .await
        .unwrap();
    assert_eq!(promises(&mut rx), [(Some(false), Some(false))]);
    // Time passes. Forty minutes before the promise the 1.5 h of work cannot be done in
    // time: late, not yet at risk; twenty minutes before, at risk too.
    gw.tell_all_promises(later - SignedDuration::from_mins(40));
    assert_eq!(promises(&mut rx), [(Some(true), Some(false))]);
    gw.tell_all_promises(later - SignedDuration::from_mins(39));
    assert_eq!(promises(&mut rx), []);
    gw.tell_all_promises(later - SignedDuration::from_mins(20));
    assert_eq!(promises(&mut rx), [(Some(true), Some(true))]);
    gw.store().close().await;
}
