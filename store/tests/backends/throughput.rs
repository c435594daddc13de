//! Scans committed per second on each backend, in batches of 1 and of 256 (each commit
//! durable: SQLite `synchronous=FULL`, PostgreSQL `synchronous_commit=on`). Not a check, a
//! measurement:
//! `BAYLINE_TEST_POSTGRES=postgres://postgres@127.0.0.1:5432/test cargo test --release -p bayline-store --test backends throughput -- --ignored --nocapture`

use std::time::{Duration, Instant};

use bayline_store::Store;

use crate::support::scans::*;
use crate::support::TestDb;

/// How long each figure is measured for (at least one batch).
const FOR: Duration = Duration::from_secs(3);

async fn measure(store: &Store, batch: usize, scanner: &str) -> (usize, Duration) {
    let started = Instant::now();
    let mut seq = 0u64;
    while started.elapsed() < FOR {
        let records: Vec<_> = (0..batch)
            .map(|_| {
                seq += 1;
                accepted(&shift_start(scanner, seq, "T07"), "a")
            })
            .collect();
        let committed = store.commit(&records).await.unwrap();
        assert!(committed.taken.is_empty());
    }
    (seq as usize, started.elapsed())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement; run with --ignored --nocapture"]
async fn throughput() {
    let mut dbs = vec![("sqlite", TestDb::sqlite())];
    if let Some(pg) = TestDb::postgres().await {
        dbs.push(("postgres", pg));
    }
    for (name, db) in &dbs {
        let store = db.open().await;
        for (batch, scanner) in [(1, "HH-01"), (256, "HH-02")] {
            let (scans, took) = measure(&store, batch, scanner).await;
            let secs = took.as_secs_f64();
            println!(
                "{name:8} batch {batch:3}: {:8.0} scans/s, {:7.0} commits/s ({scans} scans in {secs:.1} s)",
                scans as f64 / secs,
                scans as f64 / batch as f64 / secs,
            );
        }
        store.close().await;
    }
}
