//! An import of several chunks: judged and kept in the site's state across each commit
//! (`ledger/src/import/kept.rs`), and imported again after a restart, when the site no longer
//! remembers those scans and every commit finds them stored (taken).

use super::*;
use bayline_ledger::import::CHUNK;
use bayline_ledger::ImportError;

on_both_backends!(
    an_import_of_many_chunks_is_answered_again_after_a_restart_as_repeats,
    a_chunk_that_fails_to_store_is_taken_back_out_and_never_shown,
    a_site_with_stage_webhooks_imports_through_the_live_path_and_agrees,
);

/// Scans of a job the site does not know, refused (`unknown_job`) and stored as such: enough
/// of them that the import runs to several chunks, spread over the history's days.
fn refused(n: usize, from: Time) -> String {
    refused_from(1, n, from)
}

/// [`refused`] with seqs `first..first + n`.
fn refused_from(first: usize, n: usize, from: Time) -> String {
    (first..first + n)
        .map(|seq| {
            let ts = from + SignedDuration::from_secs(30 * seq as i64);
            serde_json::json!({
                "v": 1, "scanner": "HH-09", "seq": seq, "ts": ts.to_string(), "badge": "T01",
                "action": "start", "job": "RO-99", "op": "10", "bay": "B01",
            })
            .to_string()
                + "\n"
        })
        .collect()
}

async fn an_import_of_many_chunks_is_answered_again_after_a_restart_as_repeats(db: &TestDb) {
    let now = jiff::Timestamp::now();
    // Imported three days ago: a restart today remembers none of these scans.
    let then = now - SignedDuration::from_hours(72);
    let events = history(then);
    let store = carded(db, now).await;
    let site = id(SITE);
    let from = events.iter().map(|e| e.key.ts).min().unwrap();
    // Two whole chunks, so that the new scans below make a chunk of their own.
    let filler = 2 * CHUNK - events.len();
    let body = ndjson(events.iter()) + &refused(filler, from);
    let cancel = CancellationToken::new();
    let ledger = open(store.clone()).await;
    let first = ledger
        .import(&site, body.clone(), then, &cancel)
        .await
        .unwrap();
    assert_eq!(
        (first.accepted, first.rejected, first.repeats),
        (events.len() as u64, filler as u64, 0),
        "{:?}",
        (
            first.accepted,
            first.rejected,
            first.repeats,
            first.errors.first()
        )
    );
    assert!(
        first.errors.iter().all(|e| e.code == "unknown_job"),
        "{:?}",
        first.errors.first()
    );
    let full = full_fold(&SiteConfig::demo(), &events, now);
    ledger.freeze(now).await.unwrap();
    assert_same_figures(&ledger, &full, now).await;
    drop(ledger);

    // Again after a restart, with a shift the earlier system had not exported yet at the
    // end: its chunk is judged while the chunk before it is found stored and the site read
    // back, so it is judged again on the site as read back.
    let day = |n: i64, h: i64| then - SignedDuration::from_hours(24 * n - h);
    let shift = [
        (1, day(2, 0), EventKind::ShiftStart),
        (2, day(2, 8), EventKind::ShiftEnd),
    ]
    .map(|(seq, ts, kind)| event("HH-07", seq, ts, "T03", kind));
    let restarted = open(store.clone()).await;
    let body = body + &ndjson(shift.iter());
    let again = restarted.import(&site, body, now, &cancel).await.unwrap();
    assert_eq!(
        (again.accepted, again.rejected, again.repeats),
        (2, 0, (events.len() + filler) as u64),
        "{:?}",
        (
            again.accepted,
            again.rejected,
            again.repeats,
            again.errors.first()
        )
    );
    let all: Vec<Event> = events.iter().chain(&shift).cloned().collect();
    let full = full_fold(&SiteConfig::demo(), &all, now);
    assert_same_figures(&restarted, &full, now).await;
    // Nothing was stored twice: a third start agrees.
    let third = open(store).await;
    assert_same_figures(&third, &full, now).await;
}

async fn a_chunk_that_fails_to_store_is_taken_back_out_and_never_shown(db: &TestDb) {
    let now = jiff::Timestamp::now();
    let events = history(now);
    let store = carded(db, now).await;
    let site = id(SITE);
    let from = events.iter().map(|e| e.key.ts).min().unwrap();
    // The first chunk is refused scans only; the second holds the history's events and a
    // scan the database will not take.
    let rest = CHUNK - events.len();
    let body = refused(CHUNK, from) + &ndjson(events.iter()) + &refused_from(CHUNK + 1, rest, from);
    let failing = CHUNK + rest / 2;
    let trigger = match db {
        TestDb::Sqlite { .. } => format!(
            "CREATE TRIGGER full_disk BEFORE INSERT ON scans WHEN NEW.scanner = 'HH-09' \
             AND NEW.seq = {failing} BEGIN SELECT RAISE(ABORT, 'disk full'); END;"
        ),
        TestDb::Postgres(_) => format!(
            "CREATE FUNCTION full_disk() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
             IF NEW.scanner = 'HH-09' AND NEW.seq = {failing} THEN RAISE EXCEPTION 'disk full'; \
             END IF; RETURN NEW; END $$; CREATE TRIGGER full_disk BEFORE INSERT ON scans \
             FOR EACH ROW EXECUTE FUNCTION full_disk();"
        ),
    };
    db.execute(&trigger).await;
    let ledger = open(store.clone()).await;
    let live = Arc::clone(ledger.site(SITE).unwrap());
    let cancel = CancellationToken::new();
    let importing = tokio::spawn({
        let (ledger, site, body, cancel) =
            (ledger.clone(), site.clone(), body.clone(), cancel.clone());
        async move { ledger.import(&site, body, now, &cancel).await }
    });
    // Until the first chunk is stored, and while the second is judged and fails to store,
    // a reader sees nothing the store does not hold: no event (the first chunk has none).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while db.count("scans").await < CHUNK as i64 {
        assert_eq!(
            live.read(|w| w.events().count()),
            0,
            "a reader saw a scan not stored"
        );
        assert!(
            std::time::Instant::now() < deadline,
            "the first chunk was never stored"
        );
        tokio::task::yield_now().await;
    }
    // The second chunk's commit fails; cancelling ends its retries.
    cancel.cancel();
    match importing.await.unwrap() {
        Err(ImportError::Store { lines, .. }) => assert_eq!(lines, CHUNK as u64),
        other => panic!("the import should fail at its second chunk: {other:?}"),
    }
    assert_eq!(db.count("scans").await, CHUNK as i64);
    assert_eq!(
        live.read(|w| w.events().count()),
        0,
        "the chunk that failed to store is taken back out"
    );
    // Once the database takes it, the same file finishes the import.
    db.execute(match db {
        TestDb::Sqlite { .. } => "DROP TRIGGER full_disk",
        TestDb::Postgres(_) => "DROP TRIGGER full_disk ON scans",
    })
    .await;
    let again = ledger
        .import(&site, body, now, &CancellationToken::new())
        .await
        .unwrap();
    assert_eq!(
        (again.accepted, again.rejected, again.repeats),
        (events.len() as u64, rest as u64, CHUNK as u64),
        "{:?}",
        again.errors.first()
    );
    ledger.freeze(now).await.unwrap();
    let full = full_fold(&SiteConfig::demo(), &events, now);
    assert_same_figures(&ledger, &full, now).await;
}

async fn a_site_with_stage_webhooks_imports_through_the_live_path_and_agrees(db: &TestDb) {
    use bayline_site::{HookEvent, Webhook};
    let now = jiff::Timestamp::now();
    let events = history(now);
    let store = carded(db, now).await;
    let site = id(SITE);
    let mut config = SiteConfig::demo();
    config.webhooks.push(Webhook {
        url: "http://127.0.0.1:9/hook".to_string(),
        secret: "s3cret-for-the-test".to_string(),
        events: vec![HookEvent::Stage],
    });
    let ledger = Ledger::open(store, vec![config]).await.unwrap();
    let from = events.iter().map(|e| e.key.ts).min().unwrap();
    // Two chunks and a bit, the history's events in the last.
    let filler = 2 * CHUNK;
    let body = refused(filler, from) + &ndjson(events.iter());
    let summary = (ledger
        .import(&site, body, now, &CancellationToken::new())
        .await)
        .unwrap();
    assert_eq!(
        (summary.accepted, summary.rejected, summary.repeats),
        (events.len() as u64, filler as u64, 0),
        "{:?}",
        summary.errors.first()
    );
    // Each chunk's stage changes are told, measured around the chunk.
    assert!(
        db.count("webhook_outbox").await > 0,
        "no stage event was told"
    );
    ledger.freeze(now).await.unwrap();
    let full = full_fold(&SiteConfig::demo(), &events, now);
    assert_same_figures(&ledger, &full, now).await;
}
