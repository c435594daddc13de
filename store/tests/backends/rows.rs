//! What is written comes back: events, first scans, rejected scans, job cards; across a restart.

use bayline_domain::EventKind;
use bayline_proto::Id;
use bayline_proto::{PauseReason, RejectCode};
use bayline_store::{Decision, ScanRecord, Store};

use crate::support::scans::*;
use crate::support::TestDb;

on_both_backends!(
    an_import_asks_which_of_its_scans_are_stored_already,
    accepted_scans_come_back_as_events_and_first_scans,
    a_second_first_scan_of_an_identity_is_reported_not_stored,
    a_taken_scan_past_the_first_insert_of_a_batch_is_named_by_its_place,
    rejected_scans_keep_their_code_size_and_raw_bytes,
    job_cards_are_created_then_replaced_and_listed_in_byte_order,
    a_reopened_store_gives_back_the_same_rows,
    a_nul_in_free_text_is_stored_as_a_replacement_character,
);

fn sample_events() -> Vec<bayline_domain::Event> {
    vec![
        shift_start("HH-01", 1, "T07"),
        event(
            "HH-01",
            2,
            at(2),
            "T07",
            EventKind::Start {
                job: id("RO-1"),
                op: id("10"),
                bay: id("B03"),
            },
        ),
        // the largest seq: stored bit for bit in a signed column
        event(
            "HH-02",
            u64::MAX,
            at(3),
            "T07",
            EventKind::Pause {
                job: id("RO-1"),
                op: id("10"),
                reason: PauseReason::Parts.into(),
            },
        ),
        event(
            "HH-02",
            4,
            at(4),
            "Q01",
            EventKind::QcFail {
                job: id("RO-1"),
                op: None,
                note: Some("loose clip".into()),
            },
        ),
    ]
}

async fn accepted_scans_come_back_as_events_and_first_scans(db: &TestDb) {
    let store = db.open().await;
    let events = sample_events();
    let batch: Vec<_> = events.iter().map(|e| accepted(e, "a")).collect();
    let committed = store.commit(&batch).await.unwrap();
    assert!(committed.taken.is_empty(), "{committed:?}");

    assert_eq!(sorted_events(&store).await, events);
    let seen = sorted_seen(&store).await;
    assert_eq!(seen.len(), 4);
    let first = seen.iter().find(|s| s.seq == u64::MAX).unwrap();
    assert_eq!(first.scanner, id("HH-02"));
    assert_eq!(first.canonical, batch[2].canonical);
    assert_eq!(first.reply, batch[2].reply);
    assert_eq!(
        store
            .count_scans(&id(SITE), "HH-02", u64::MAX)
            .await
            .unwrap(),
        1
    );
    assert!(store.events(&id("other")).await.unwrap().is_empty());
    store.ping().await.unwrap();
    store.close().await;
}

async fn a_second_first_scan_of_an_identity_is_reported_not_stored(db: &TestDb) {
    let store = db.open().await;
    let e = shift_start("HH-01", 7, "T07");
    let first = accepted(&e, "a");
    assert!(store
        .commit(std::slice::from_ref(&first))
        .await
        .unwrap()
        .taken
        .is_empty());

    // The same identity as a first scan again (as a second gateway would write it), with a
    // later scan of the batch that is stored regardless.
    let other = shift_start("HH-01", 8, "T07");
    let again = [accepted(&e, "b"), accepted(&other, "b")];
    let committed = store.commit(&again).await.unwrap();
    assert_eq!(committed.taken.len(), 1);
    let taken = &committed.taken[0];
    assert_eq!(taken.index, 0);
    assert_eq!(
        (&taken.first.canonical, &taken.first.reply),
        (&first.canonical, &first.reply),
        "the taken scan is answered from the first"
    );
    assert_eq!(store.count_scans(&id(SITE), "HH-01", 7).await.unwrap(), 1);
    assert_eq!(store.count_scans(&id(SITE), "HH-01", 8).await.unwrap(), 1);

    // Within one batch, the second first scan of an identity is the taken one.
    let third = shift_start("HH-01", 9, "T07");
    let committed = store
        .commit(&[accepted(&third, "a"), accepted(&third, "b")])
        .await
        .unwrap();
    assert_eq!(
        committed.taken.iter().map(|t| t.index).collect::<Vec<_>>(),
        [1]
    );

    // A seq_conflict (not a first scan) is stored beside the first.
    let mut conflict = rejected("HH-01", Some(7), RejectCode::SeqConflict, b"{}");
    conflict.first_of_seq = false;
    assert!(store.commit(&[conflict]).await.unwrap().taken.is_empty());
    assert_eq!(store.count_scans(&id(SITE), "HH-01", 7).await.unwrap(), 2);
    let seen = sorted_seen(&store).await;
    assert_eq!(seen.iter().filter(|s| s.seq == 7).count(), 1);
    assert_eq!(seen[0].canonical, first.canonical);
    store.close().await;
}

/// A batch is written an INSERT of rows at a time, on SQLite first without naming the rows
/// written; an INSERT that misses a row is taken back and written again naming them. The
/// other INSERTs of the batch, before and after it, are kept once each.
async fn a_taken_scan_past_the_first_insert_of_a_batch_is_named_by_its_place(db: &TestDb) {
    let store = db.open().await;
    let early = accepted(&shift_start("HH-03", 1_250, "T07"), "a");
    assert!(store.commit(&[early]).await.unwrap().taken.is_empty());
    let batch: Vec<ScanRecord> = (1..=2_500)
        .map(|seq| accepted(&shift_start("HH-03", seq, "T07"), "b"))
        .collect();
    let committed = store.commit(&batch).await.unwrap();
    assert_eq!(
        committed.taken.iter().map(|t| t.index).collect::<Vec<_>>(),
        [1_249],
        "seq 1,250 is the 1,250th scan of the batch"
    );
    let stored = store.events(&id(SITE)).await.unwrap();
    assert_eq!(stored.len(), 2_500, "each seq once");
    for seq in [1, 1_000, 1_001, 1_250, 2_001, 2_500] {
        assert_eq!(store.count_scans(&id(SITE), "HH-03", seq).await.unwrap(), 1);
    }
    store.close().await;
}

async fn rejected_scans_keep_their_code_size_and_raw_bytes(db: &TestDb) {
    let store = db.open().await;
    let big = format!(r#"{{"v":1,"seq":900,"pad":"{}"}}"#, "x".repeat(9000));
    let mut too_large = rejected("HH-02", None, RejectCode::TooLarge, &big.as_bytes()[..256]);
    too_large.size = big.len();
    let batch = [
        rejected("HH-02", None, RejectCode::BadPayload, b"{not json"),
        too_large,
        rejected("HH-02", None, RejectCode::BadPayload, &[0xff, 0xfe, b'a']),
        rejected("HH-02", Some(4), RejectCode::UnknownJob, br#"{"seq":4}"#),
    ];
    assert!(store.commit(&batch).await.unwrap().taken.is_empty());

    let rows = store.rejected(&id(SITE), 10).await.unwrap();
    let codes: Vec<&str> = rows.iter().map(|r| r.code.as_str()).collect();
    assert_eq!(
        codes,
        ["unknown_job", "bad_payload", "too_large", "bad_payload"],
        "newest first"
    );
    assert!(rows.windows(2).all(|w| w[0].id > w[1].id));
    assert_eq!((rows[0].seq, rows[1].seq), (Some(4), None));
    assert_eq!(rows[0].raw, r#"{"seq":4}"#);
    assert_eq!(
        rows[1].raw, "\u{FFFD}\u{FFFD}a",
        "invalid UTF-8 shown replaced"
    );
    assert_eq!(rows[2].size, big.len() as i64);
    assert_eq!(rows[2].raw, &big[..256]);
    assert_eq!(rows[3].raw, "{not json");
    assert_eq!(rows[3].detail.as_deref(), Some("9 bytes"));
    assert_eq!(rows[3].received_at, at(0).to_string());
    assert_eq!(store.rejected(&id(SITE), 2).await.unwrap(), rows[..2]);
    assert!(store.events(&id(SITE)).await.unwrap().is_empty());
    store.close().await;
}

async fn job_cards_are_created_then_replaced_and_listed_in_byte_order(db: &TestDb) {
    let store = db.open().await;
    let site = id(SITE);
    assert!(store
        .put_job(&site, &job_card("RO-2", "Brakes"), at(0))
        .await
        .unwrap());
    assert!(!store
        .put_job(&site, &job_card("RO-2", "Brakes and pads"), at(1))
        .await
        .unwrap());
    for job in ["ro-1", "RO-B", "RO-10"] {
        assert!(store
            .put_job(&site, &job_card(job, "Oil"), at(2))
            .await
            .unwrap());
    }
    let jobs = store.jobs(&site).await.unwrap();
    let ids: Vec<&str> = jobs.iter().map(|j| j.job.as_str()).collect();
    assert_eq!(ids, ["RO-10", "RO-2", "RO-B", "ro-1"]);
    assert_eq!(jobs[1], job_card("RO-2", "Brakes and pads"));
    assert!(store.jobs(&id("other")).await.unwrap().is_empty());
    // one card by its id, exactly (ids are case-sensitive)
    assert_eq!(
        store.job(&site, &id("RO-2")).await.unwrap(),
        Some(job_card("RO-2", "Brakes and pads"))
    );
    assert_eq!(store.job(&site, &id("ro-2")).await.unwrap(), None);
    assert_eq!(store.job(&id("other"), &id("RO-2")).await.unwrap(), None);
    store.close().await;
}

async fn a_reopened_store_gives_back_the_same_rows(db: &TestDb) {
    let store = db.open().await;
    let site = id(SITE);
    let events = sample_events();
    let mut batch: Vec<_> = events.iter().map(|e| accepted(e, "a")).collect();
    batch.push(rejected("HH-03", Some(1), RejectCode::UnknownBadge, b"{}"));
    let _ = store.commit(&batch).await.unwrap();
    store
        .put_job(&site, &job_card("RO-1", "Brakes"), at(0))
        .await
        .unwrap();
    let before = (
        sorted_events(&store).await,
        sorted_seen(&store).await,
        store.rejected(&site, 100).await.unwrap(),
        store.jobs(&site).await.unwrap(),
    );
    store.close().await;

    let store = db.open().await;
    let after = (
        sorted_events(&store).await,
        sorted_seen(&store).await,
        store.rejected(&site, 100).await.unwrap(),
        store.jobs(&site).await.unwrap(),
    );
    assert_eq!(after, before);
    assert_eq!(after.0, events);
    // and it goes on from there: a repeat is still a repeat
    let committed = store.commit(&[accepted(&events[0], "a")]).await.unwrap();
    assert_eq!(committed.taken.len(), 1);
    store.close().await;
}

async fn a_nul_in_free_text_is_stored_as_a_replacement_character(db: &TestDb) {
    let store = db.open().await;
    let e = event(
        "HH-01",
        1,
        at(1),
        "Q01",
        EventKind::QcFail {
            job: id("RO-1"),
            op: None,
            note: Some("a\0b".into()),
        },
    );
    let mut bad = rejected("HH-01", Some(2), RejectCode::UnknownAction, b"\0");
    bad.decision = Decision::Rejected {
        code: RejectCode::UnknownAction,
        detail: "action \"x\0\"".into(),
    };
    let _ = store.commit(&[accepted(&e, "a"), bad]).await.unwrap();
    let events = store.events(&id(SITE)).await.unwrap();
    assert!(
        matches!(&events[0].kind, EventKind::QcFail { note: Some(n), .. } if n == "a\u{FFFD}b"),
        "{events:?}"
    );
    let rows = store.rejected(&id(SITE), 1).await.unwrap();
    assert_eq!(rows[0].detail.as_deref(), Some("action \"x\u{FFFD}\""));
    assert_eq!(rows[0].raw, "\0", "raw bytes are bytes");
    store.close().await;
}

#[tokio::test]
async fn an_unknown_database_url_is_refused() {
    for url in ["mysql://localhost/x", "sqlite://", "bayline.db"] {
        let err = Store::open(url).await.unwrap_err();
        assert!(
            matches!(err, bayline_store::StoreError::BadUrl(_)),
            "{url}: {err}"
        );
    }
}

#[tokio::test]
async fn a_missing_postgres_database_is_created_as_a_sqlite_file_is() {
    let Some(db) = crate::support::PgDb::unborn() else {
        return;
    };
    let store = Store::open(db.url()).await.unwrap();
    store.ping().await.unwrap();
    assert!(store.jobs(&id(SITE)).await.unwrap().is_empty(), "migrated");
    store.close().await;
    // and a second open finds it
    Store::open(db.url()).await.unwrap().close().await;
}

/// An import's scans of frozen days that are stored already (repeats or conflicts) change
/// nothing there: the store names them among many, on the first scan of each identity only.
async fn an_import_asks_which_of_its_scans_are_stored_already(db: &TestDb) {
    let store = db.open().await;
    let mut batch: Vec<ScanRecord> = (1..=600)
        .map(|seq| accepted(&shift_start("S1", seq, "T1"), ""))
        .collect();
    // A rejected scan with a seq is its identity's first too; one without a seq is not.
    batch.push(rejected("S2", Some(9), RejectCode::BadPayload, b"{}"));
    batch.push(rejected("S3", None, RejectCode::BadPayload, b"x"));
    let committed = store.commit(&batch).await.unwrap();
    assert!(
        committed.taken.is_empty(),
        "every scan was its identity's first"
    );
    // More keys than one statement takes: 600 stored and 400 not, then the others.
    let mut asked: Vec<(Id, u64)> = (1..=1000).map(|seq| (id("S1"), seq)).collect();
    asked.extend([(id("S2"), 9), (id("S2"), 10), (id("S3"), 0), (id("S4"), 1)]);
    let stored = store.stored_among(&id(SITE), &asked).await.unwrap();
    assert_eq!(stored.len(), 601);
    assert!((1..=600).all(|seq| stored.contains(&(id("S1"), seq))));
    assert!(stored.contains(&(id("S2"), 9)));
    assert!(!stored.contains(&(id("S1"), 601)));
    // Another site holds none of them.
    assert!(store
        .stored_among(&id("elsewhere"), &asked)
        .await
        .unwrap()
        .is_empty());
    assert!(store.stored_among(&id(SITE), &[]).await.unwrap().is_empty());
}
