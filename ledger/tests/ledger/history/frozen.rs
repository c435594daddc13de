//! Frozen days: a rebuild and a restart give the full fold's figures, a frozen job stays
//! closed, and corrections, card changes and imports into frozen days thaw them.

use super::*;

on_both_backends!(
    frozen_days_give_the_figures_of_the_full_fold,
    a_scan_of_a_frozen_job_is_job_closed_after_a_restart_though_memory_forgot_it,
    corrections_and_card_changes_in_frozen_days_thaw_them,
    a_thaw_refolds_the_days_from_the_change_and_leaves_the_earlier_ones_as_stored,
    a_frozen_scan_corrected_again_is_found_where_the_last_correction_left_it,
    an_import_into_frozen_days_thaws_and_freezes_them_again,
);

async fn frozen_days_give_the_figures_of_the_full_fold(db: &TestDb) {
    let now = jiff::Timestamp::now();
    let (store, events) = seeded(db, now).await;
    let full = full_fold(&SiteConfig::demo(), &events, now);
    // The first start finds no checkpoint and rebuilds the site's frozen days.
    let ledger = open(store.clone()).await;
    let live = ledger.site(SITE).unwrap();
    assert!(
        live.read(|w| w.events().count()) < events.len() / 2,
        "the live timeline holds the recent days only"
    );
    assert_same_figures(&ledger, &full, now).await;
    // A restart resumes from the newest checkpoint and agrees.
    let again = open(store).await;
    assert_same_figures(&again, &full, now).await;
    assert_eq!(
        again.site(SITE).unwrap().read(|w| w.state().clone()),
        live.read(|w| w.state().clone())
    );
}

async fn a_scan_of_a_frozen_job_is_job_closed_after_a_restart_though_memory_forgot_it(db: &TestDb) {
    let now = jiff::Timestamp::now();
    let (store, _) = seeded(db, now).await;
    let ledger = open(store.clone()).await;
    drop(ledger);
    let ledger = open(store).await;
    let live = ledger.site(SITE).unwrap();
    // Memory holds the closed jobs its live events name, not every job ever delivered;
    // the store answers for the others.
    assert!(
        !live.read(|w| w.is_closed("RO-00") || w.catalog().jobs.contains_key("RO-00")),
        "RO-00 was delivered weeks ago and no live event names it"
    );
    let late = event(
        "HH-02",
        1,
        now - SignedDuration::from_hours(1),
        "T01",
        EventKind::Start {
            job: id("RO-00"),
            op: id("10"),
            bay: id("B01"),
        },
    );
    let answer = ledger
        .submit(vec![crate::incoming(&late, "")], &CancellationToken::new())
        .await
        .unwrap()
        .remove(0);
    assert_eq!(
        answer.reply.code,
        Some(bayline_proto::RejectCode::JobClosed),
        "{answer:?}"
    );
    assert!(live.read(|w| w.is_closed("RO-00")));
}

async fn corrections_and_card_changes_in_frozen_days_thaw_them(db: &TestDb) {
    let now = jiff::Timestamp::now();
    let (store, mut events) = seeded(db, now).await;
    let ledger = open(store.clone()).await;
    let site = id(SITE);
    // Void the first pause of RO-01, three weeks ago: its hours move from blocked to worked.
    let target = take_first_pause(&mut events, "RO-01");
    assert!(target.ts < ledger.site(SITE).unwrap().read(|w| w.frozen_to()));
    void(&ledger, target, now).await;
    assert_same_figures(&ledger, &full_fold(&SiteConfig::demo(), &events, now), now).await;

    // RO-02 was sold at the wrong standard hours, long after it was delivered.
    let mut cards: Vec<JobCard> = (0..JOBS).map(|i| card(i, now)).collect();
    cards[2].ops[0].std_hours = 4.25;
    cards[2].promised_at = None;
    // Not by an advisor: the job was delivered, its hours are what the figures were paid on.
    let advisor = bayline_ledger::Editor {
        who: "advisor-3f2a9c".into(),
        manager: false,
    };
    let refused = ledger.put_job(&site, cards[2].clone(), now, &advisor).await;
    assert!(
        matches!(&refused, Err(bayline_ledger::PutJobError::NeedsManager { fields, .. })
            if fields == &["promised_at", "std_hours"]),
        "{refused:?}"
    );
    let kept = store.job(&site, &cards[2].job).await.unwrap().unwrap();
    assert_eq!(kept, card(2, now));
    ledger
        .put_job(&site, cards[2].clone(), now, &crate::manager())
        .await
        .unwrap();
    // The manager's change is kept as a version put after ready.
    let versions = store.job_versions(&site, &cards[2].job).await.unwrap();
    assert_eq!(versions.len(), 1);
    assert!(versions[0].after_ready && versions[0].who == "Wang");
    let full = full_fold_with(&SiteConfig::demo(), &events, cards);
    assert_same_figures(&ledger, &full, now).await;
    // And the same after a restart.
    let again = open(store).await;
    assert_same_figures(&again, &full, now).await;
}

async fn a_thaw_refolds_the_days_from_the_change_and_leaves_the_earlier_ones_as_stored(
    db: &TestDb,
) {
    let now = jiff::Timestamp::now();
    let (store, mut events) = seeded(db, now).await;
    let ledger = open(store.clone()).await;
    let site = id(SITE);
    let frozen_to = ledger.site(SITE).unwrap().read(|w| w.frozen_to());
    // The scans of the first five days leave the store (as an archive would take them): a
    // thaw that read them again would lose RO-00 to RO-02 from the figures.
    let cut = now - SignedDuration::from_hours(24 * 16);
    let gone = events.iter().filter(|e| e.key.ts < cut).count();
    assert!(gone > 20, "{gone} scans before the cut");
    let cut_ns = cut.as_nanosecond();
    let stored = db.count("scans").await;
    db.execute(&format!("DELETE FROM scans WHERE ts_ns < {cut_ns}"))
        .await;
    assert_eq!(db.count("scans").await, stored - gone as i64);
    // A correction two days after the cut: the first pause of RO-05, frozen.
    let target = take_first_pause(&mut events, "RO-05");
    assert!(cut + SignedDuration::from_hours(24) < target.ts && target.ts < frozen_to);
    void(&ledger, target, now).await;
    assert_same_figures(&ledger, &full_fold(&SiteConfig::demo(), &events, now), now).await;
    // A change to the card of RO-06, closed and frozen, first scanned after the cut.
    let first = events
        .iter()
        .find(|e| e.kind.job().is_some_and(|j| j.as_str() == "RO-06"));
    assert!(first.is_some_and(|e| e.key.ts > cut + SignedDuration::from_hours(24)));
    let mut cards: Vec<JobCard> = (0..JOBS).map(|i| card(i, now)).collect();
    cards[6].ops[1].std_hours = 2.75;
    ledger
        .put_job(&site, cards[6].clone(), now, &crate::manager())
        .await
        .unwrap();
    let full = full_fold_with(&SiteConfig::demo(), &events, cards);
    assert_same_figures(&ledger, &full, now).await;
    let again = open(store).await;
    assert_same_figures(&again, &full, now).await;
}

async fn a_frozen_scan_corrected_again_is_found_where_the_last_correction_left_it(db: &TestDb) {
    let now = jiff::Timestamp::now();
    let (store, mut events) = seeded(db, now).await;
    let ledger = open(store).await;
    let site = id(SITE);
    let at = (events.iter())
        .position(|e| matches!(&e.kind, EventKind::Finish { job, .. } if job.as_str() == "RO-04"))
        .unwrap();
    let first = events[at].key.clone();
    assert!(first.ts < ledger.site(SITE).unwrap().read(|w| w.frozen_to()));
    let correct = |change| ledger.correct(&site, id("manager"), "wrong time".into(), change, now);
    let later = first.ts + SignedDuration::from_mins(20);
    let moved = correct(bayline_domain::Amendment::Move {
        target: first.clone(),
        to_ts: later,
    })
    .await
    .unwrap();
    let moved = moved.after.unwrap().key;
    assert_eq!(moved.ts, later);
    // Moved back from where the first correction put it: the stored scan is untouched.
    correct(bayline_domain::Amendment::Move {
        target: moved.clone(),
        to_ts: first.ts,
    })
    .await
    .unwrap();
    assert_same_figures(&ledger, &full_fold(&SiteConfig::demo(), &events, now), now).await;
    // It is no longer at the instant it was moved away from.
    let gone = correct(bayline_domain::Amendment::Void { target: moved }).await;
    assert!(
        matches!(&gone, Err(bayline_ledger::CorrectError::Refused(
            bayline_domain::CorrectionError::NoSuchEvent(k))) if k.ts == later),
        "{gone:?}"
    );
    correct(bayline_domain::Amendment::Void { target: first })
        .await
        .unwrap();
    events.remove(at);
    assert_same_figures(&ledger, &full_fold(&SiteConfig::demo(), &events, now), now).await;
}

/// Takes the first pause of `job` out of `events`: the scan a test voids.
fn take_first_pause(events: &mut Vec<Event>, job: &str) -> EventKey {
    let at = (events.iter())
        .position(|e| matches!(&e.kind, EventKind::Pause { job: j, .. } if j.as_str() == job))
        .expect("a pause of the job");
    events.remove(at).key
}

/// A manager voids `target`: scanned by mistake.
async fn void(ledger: &bayline_ledger::Ledger, target: EventKey, now: Time) {
    let change = bayline_domain::Amendment::Void { target };
    ledger
        .correct(
            &id(SITE),
            id("manager"),
            "scanned by mistake".into(),
            change,
            now,
        )
        .await
        .unwrap();
}

async fn an_import_into_frozen_days_thaws_and_freezes_them_again(db: &TestDb) {
    let now = jiff::Timestamp::now();
    let all = history(now);
    // The earlier system clocked two jobs of the frozen weeks that never came over MQTT.
    let withheld = |e: &Event| matches!(e.kind.job().map(|j| j.as_str()), Some("RO-02" | "RO-05"));
    let (kept, imported): (Vec<Event>, Vec<Event>) =
        all.iter().cloned().partition(|e| !withheld(e));
    let store = carded(db, now).await;
    let site = id(SITE);
    let records: Vec<_> = kept.iter().map(|e| accepted(e, "")).collect();
    assert!(store.commit(&records).await.unwrap().taken.is_empty());
    let ledger = open(store.clone()).await;
    let live = ledger.site(SITE).unwrap();
    let frozen_to = live.read(|w| w.frozen_to());
    assert!(
        imported.iter().all(|e| e.key.ts < frozen_to),
        "the imported scans fall in frozen days"
    );
    // In reverse order: each scan is judged in its place of the timeline all the same.
    let body = ndjson(imported.iter().rev());
    let cancel = CancellationToken::new();
    let summary = ledger
        .import(&site, body.clone(), now, &cancel)
        .await
        .unwrap();
    assert_eq!(
        (summary.accepted, summary.rejected, summary.repeats),
        (imported.len() as u64, 0, 0),
        "{summary:?}"
    );
    // The clock task freezes the thawed days again.
    ledger.freeze(now).await.unwrap();
    let full = full_fold(&SiteConfig::demo(), &all, now);
    assert_same_figures(&ledger, &full, now).await;
    // The same file again changes nothing.
    let again = ledger.import(&site, body, now, &cancel).await.unwrap();
    assert_eq!(again.repeats, imported.len() as u64, "{again:?}");
    ledger.freeze(now).await.unwrap();
    assert_same_figures(&ledger, &full, now).await;
    // And a restart resumes from the refrozen checkpoint.
    let restarted = open(store).await;
    assert_same_figures(&restarted, &full, now).await;
}
